// Importers: lackey lines, ChampSim records, and the two sample files of one real program
// (when the sample directory is present).
#include "models/trace_import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/unit/temp_dir.h"

#ifndef MMUSIM_SAMPLE_DATA
#error "MMUSIM_SAMPLE_DATA: the build names the sample traces' directory (tests/CMakeLists.txt)"
#endif

namespace mmusim {
namespace {

namespace fs = std::filesystem;

TEST(Lackey, ParsesRecordsAndSkipsValgrindLines) {
  TempDir tmp;
  TraceRecord r;
  ASSERT_TRUE(parse_lackey_line("I  0499a0b2,3", 13, r));
  EXPECT_EQ(r.kind, TraceKind::kFetch);
  EXPECT_EQ(r.addr, 0x0499a0b2u);
  EXPECT_EQ(r.size, 3u);
  const char* store = " S 1fff000118,8\r";
  ASSERT_TRUE(parse_lackey_line(store, std::strlen(store), r));
  EXPECT_EQ(r.kind, TraceKind::kStore);
  EXPECT_EQ(r.addr, 0x1fff000118u);
  ASSERT_TRUE(parse_lackey_line(" M ffffffffffffffff,16", 22, r));
  EXPECT_EQ(r.kind, TraceKind::kModify);
  EXPECT_EQ(r.addr, ~uint64_t{0});
  EXPECT_FALSE(parse_lackey_line("==1234== Lackey, an example Valgrind tool", 41, r));
  EXPECT_FALSE(parse_lackey_line("", 0, r));
  for (const char* bad : {" X 1000,8", "I 1000,4", " L 1000", " L 10g0,8", " L 1000,", " L ,8",
                          " L 1000,8x", " L 11112222333344445,8", "hello world"})
    EXPECT_THROW(parse_lackey_line(bad, std::strlen(bad), r), std::invalid_argument) << bad;
}

std::string import_error(bool champsim, const std::string& input) {
  try {
    TraceBuilder b(input + ".mtr", TraceWindow{});
    if (champsim)
      import_champsim(input, b);
    else
      import_lackey(input, b);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

TEST(Lackey, CorruptInputNamesFileAndLine) {
  TempDir tmp;
  const std::string in = tmp.path("bad.lackey");
  std::ofstream(in) << "==1== Lackey\nI  0400000,4\n L 7ff000,8\n L 7ff000;8\n";
  EXPECT_NE(import_error(false, in).find(in + ":4: expected ADDRESS,SIZE"), std::string::npos)
      << import_error(false, in);
}

void put64(std::vector<uint8_t>& rec, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) rec[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

TEST(ChampSim, ImportsLoadsStoresAndModifies) {
  TempDir tmp;
  std::vector<uint8_t> bytes;
  auto instr = [&](uint64_t ip, std::vector<uint64_t> dst, std::vector<uint64_t> src) {
    std::vector<uint8_t> rec(64, 0);
    put64(rec, 0, ip);
    for (size_t i = 0; i < dst.size(); ++i) put64(rec, 16 + 8 * i, dst[i]);
    for (size_t i = 0; i < src.size(); ++i) put64(rec, 32 + 8 * i, src[i]);
    bytes.insert(bytes.end(), rec.begin(), rec.end());
  };
  instr(0x401000, {}, {0x7000});
  instr(0x401004, {0x8000}, {0x9000, 0x8000});  // 0x8000 is a modify
  const std::string in = tmp.path("mini.champsim");
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string out = tmp.path("mini.mtr");
  TraceBuilder b(out, TraceWindow{});
  EXPECT_EQ(import_champsim(in, b), 2u);
  b.finish(TraceHeader{}, {});
  TraceReader r(out);
  std::vector<std::pair<TraceKind, uint64_t>> got;
  TraceRecord rec;
  while (r.next(rec)) got.emplace_back(rec.kind, rec.addr);
  const std::vector<std::pair<TraceKind, uint64_t>> want = {{TraceKind::kFetch, 0x401000},
                                                            {TraceKind::kLoad, 0x7000},
                                                            {TraceKind::kFetch, 0x401004},
                                                            {TraceKind::kLoad, 0x9000},
                                                            {TraceKind::kModify, 0x8000}};
  EXPECT_EQ(got, want);

  // A partial last record, and a record that is not one.
  std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), 64 + 40);
  EXPECT_NE(import_error(true, in).find(in + ": record 1: truncated (40 of 64 bytes)"),
            std::string::npos)
      << import_error(true, in);
  bytes[64 + 8] = 7;
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  EXPECT_NE(import_error(true, in).find(in + ": record 1: not a ChampSim"), std::string::npos)
      << import_error(true, in);
}

// Both sample files hold one window of GNU sort: the same instruction addresses, and the same
// data addresses in the same order.
TEST(Samples, LackeyAndChampSimAgree) {
  TempDir tmp;
  const std::string dir = MMUSIM_SAMPLE_DATA;
  const std::string lackey = dir + "/sort-small.lackey.gz";
  const std::string champsim = dir + "/sort-small.champsim.xz";
  if (!fs::exists(lackey) || !fs::exists(champsim))
    GTEST_SKIP() << "sample traces not found in " << dir;
  const std::string a = tmp.path("sort-lackey.mtr"), b = tmp.path("sort-champsim.mtr");
  {
    TraceBuilder tb(a, TraceWindow{});
    EXPECT_EQ(import_lackey(lackey, tb), 300000u);
    tb.finish(TraceHeader{}, {});
  }
  {
    TraceBuilder tb(b, TraceWindow{});
    EXPECT_EQ(import_champsim(champsim, tb), 232316u);
    tb.finish(TraceHeader{}, {});
  }
  auto split = [](const std::string& path, std::vector<uint64_t>& fetch,
                  std::vector<uint64_t>& data) {
    TraceReader r(path);
    TraceRecord rec;
    while (r.next(rec)) (rec.kind == TraceKind::kFetch ? fetch : data).push_back(rec.addr);
  };
  std::vector<uint64_t> fa, da, fb, db;
  split(a, fa, da);
  split(b, fb, db);
  EXPECT_EQ(fa.size(), 232316u);
  EXPECT_EQ(fa, fb);
  EXPECT_EQ(da.size(), 300000u - 232316u);
  EXPECT_EQ(da, db);
  // The same touched pages, hence the same derived VMAs.
  TraceReader ra(a), rb(b);
  ASSERT_EQ(ra.header().vmas.size(), rb.header().vmas.size());
  for (size_t i = 0; i < ra.header().vmas.size(); ++i) {
    EXPECT_EQ(ra.header().vmas[i].start, rb.header().vmas[i].start);
    EXPECT_EQ(ra.header().vmas[i].end, rb.header().vmas[i].end);
  }
}

}  // namespace
}  // namespace mmusim
