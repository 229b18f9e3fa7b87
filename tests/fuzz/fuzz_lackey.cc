// Fuzz harness: the valgrind lackey importer. The input is lackey's output, plain or gzip, read
// through a descriptor as `mmusim trace capture --tool lackey` reads valgrind's pipe.
#include <cstddef>
#include <cstdint>

#include "models/trace_import.h"
#include "tests/fuzz/import_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fds = mmusim::fuzz::open_fds();
  {
    const mmusim::fuzz::MemFile file(data, size);
    mmusim::fuzz::import_and_check("lackey", [&](mmusim::TraceBuilder& b) {
      mmusim::import_lackey_fd(file.reopen(), "fuzz.lackey", b);
    });
  }
  mmusim::fuzz::check_no_fd_leak(fds);
  return 0;
}
