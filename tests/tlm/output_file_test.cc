// Failure handling of the run's outputs and stop signals: write_file_atomically replaces a file
// whole or leaves it alone and names the file on an error, with no temporary file left; the stop
// signal handler only records the signal. No SystemC kernel is needed.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "../unit/temp_dir.h"
#include "testbench/simulation.h"
#include "testbench/stop_signal.h"
#include "testbench/sweep_output.h"

namespace mmusim {
namespace {

namespace fs = std::filesystem;

// The message of the runtime_error f throws ("" when it throws none).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(WriteFileAtomically, ReplacesTheFileWhole) {
  TempDir dir;
  const fs::path path = dir.path("stats.json");
  write_file_atomically(path, "old\n");
  write_file_atomically(path, "new and longer\n");
  EXPECT_EQ(read_file(path), "new and longer\n");
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
  write_file_atomically(path, "");
  EXPECT_EQ(read_file(path), "");
}

TEST(WriteFileAtomically, AFailedRenameNamesTheFileAndLeavesNoTemporary) {
  TempDir dir;
  const fs::path path = dir.path("stats.json");
  fs::create_directories(path / "inside");  // a non-empty directory where the file should go
  const std::string what = error_of([&] { write_file_atomically(path, "text\n"); });
  EXPECT_EQ(what.rfind(path.string() + ": cannot rename into place: ", 0), 0u) << what;
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
  EXPECT_TRUE(fs::is_directory(path / "inside"));
}

TEST(WriteFileAtomically, AMissingDirectoryNamesTheFile) {
  TempDir dir;
  const fs::path path = fs::path(dir.path("absent")) / "results.csv";
  const std::string what = error_of([&] { write_file_atomically(path, "text\n"); });
  EXPECT_EQ(what.rfind(path.string() + ": cannot create ", 0), 0u) << what;
  EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
}

TEST(StopSignal, TheHandlerOnlyRecordsTheSignal) {
  catch_stop_signals();
  ASSERT_EQ(stop_signal(), 0);
  std::raise(SIGTERM);  // recorded, not the default action: the test goes on
  EXPECT_EQ(stop_signal(), SIGTERM);
  EXPECT_EQ(signal_name(stop_signal()), "SIGTERM");
  EXPECT_STREQ(Interrupted(SIGINT).what(), "interrupted (SIGINT): no results written");
  g_stop_signal = 0;
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace
}  // namespace mmusim
