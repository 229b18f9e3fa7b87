// The trace format: round trips, block skipping, damaged files; the VMA rules of the builder.
#include "models/trace_format.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/rng.h"
#include "models/trace_builder.h"
#include "tests/unit/temp_dir.h"

namespace mmusim {
namespace {

namespace fs = std::filesystem;

std::vector<TraceRecord> random_records(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<TraceRecord> out;
  uint64_t pc = 0x401000, data = 0x7fff0000;
  for (size_t i = 0; i < n; ++i) {
    TraceRecord r;
    r.kind = static_cast<TraceKind>(rng.below(4));
    if (r.kind == TraceKind::kFetch) {
      r.size = 1 + static_cast<uint32_t>(rng.below(15));
      pc = rng.below(8) == 0 ? pc + rng.below(1 << 20) - (1 << 19) : pc + r.size;
      r.addr = pc;
    } else {
      r.size = uint32_t{1} << rng.below(7);
      switch (rng.below(4)) {
        case 0:
          data += r.size;
          break;  // streaming
        case 1:
          data = rng.next();
          break;  // anywhere in 64 bits
        case 2:
          data -= rng.below(4096);
          break;  // backwards
        default:
          data = 0x7ffc00000000 + rng.below(1 << 12);
          break;  // a stack
      }
      r.addr = data;
    }
    r.thread = rng.below(20) == 0 ? static_cast<uint16_t>(rng.below(65536)) : 0;
    out.push_back(r);
  }
  return out;
}

TraceHeader sample_header() {
  TraceHeader h;
  h.threads = 3;
  h.source = "test";
  h.command = "sort -n numbers.txt";
  h.meta = {{"skip", "10"}, {"note", "a\nb"}};
  TraceVma v;
  v.start = 0x400000;
  v.end = 0x402000;
  v.exec = true;
  v.name = "/usr/bin/sort";
  h.vmas.push_back(v);
  v.start = 0x7ffc00000000;
  v.end = 0x7ffc00021000;
  v.write = true;
  v.exec = false;
  v.asid = 2;
  v.name = "[stack]";
  h.vmas.push_back(v);
  return h;
}

std::string write_trace(const TempDir& tmp, const std::string& name,
                        const std::vector<TraceRecord>& recs) {
  const std::string path = tmp.path(name);
  TraceWriter w(path);
  for (const TraceRecord& r : recs) w.write(r);
  w.finish(sample_header());
  return path;
}

TEST(TraceFormat, RoundTripsRecordsAndHeaderAcrossBlocks) {
  TempDir tmp;
  const auto recs = random_records(200000, 7);  // several blocks
  const std::string path = write_trace(tmp, "roundtrip.mtr", recs);
  TraceReader r(path);
  const TraceHeader& h = r.header();
  EXPECT_EQ(h.version, kTraceVersion);
  EXPECT_EQ(h.records, recs.size());
  EXPECT_EQ(h.threads, 3u);
  EXPECT_EQ(h.source, "test");
  EXPECT_EQ(h.command, "sort -n numbers.txt");
  EXPECT_EQ(h.meta_value("note"), "a\nb");
  ASSERT_EQ(h.vmas.size(), 2u);
  EXPECT_EQ(h.vmas[1].start, 0x7ffc00000000u);
  EXPECT_EQ(h.vmas[1].asid, 2);
  EXPECT_TRUE(h.vmas[1].write);
  EXPECT_FALSE(h.vmas[1].exec);
  EXPECT_TRUE(h.vmas[0].exec);
  EXPECT_EQ(h.vmas[1].name, "[stack]");
  TraceRecord got;
  for (size_t i = 0; i < recs.size(); ++i) {
    ASSERT_TRUE(r.next(got)) << i;
    ASSERT_EQ(got, recs[i]) << "record " << i;
  }
  EXPECT_FALSE(r.next(got));
  EXPECT_EQ(r.position(), recs.size());
}

TEST(TraceFormat, CompactOnSequentialCode) {
  TempDir tmp;
  std::vector<TraceRecord> recs;
  for (uint64_t i = 0; i < 100000; ++i) recs.push_back({0x400000 + 4 * i, 4, 0, TraceKind::kFetch});
  const std::string path = write_trace(tmp, "compact.mtr", recs);
  EXPECT_LT(fs::file_size(path), 2000u);  // 1 byte a record before zstd
}

TEST(TraceFormat, SkipPassesOverBlocksAndMatchesReading) {
  TempDir tmp;
  const auto recs = random_records(150000, 11);
  const std::string path = write_trace(tmp, "skip.mtr", recs);
  for (uint64_t skip : {0ull, 1ull, 65535ull, 65536ull, 65537ull, 140000ull}) {
    TraceReader r(path);
    EXPECT_EQ(r.skip(skip), skip);
    EXPECT_EQ(r.position(), skip);
    TraceRecord got;
    ASSERT_TRUE(r.next(got));
    EXPECT_EQ(got, recs[skip]) << "after skipping " << skip;
  }
  TraceReader r(path);
  EXPECT_EQ(r.skip(1u << 30), recs.size());
  TraceRecord got;
  EXPECT_FALSE(r.next(got));
}

std::string error_of(const std::string& path, bool skip_all = false) {
  try {
    TraceReader r(path);
    if (skip_all) r.skip(~uint64_t{0});
    TraceRecord rec;
    while (r.next(rec)) {
    }
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

TEST(TraceFormat, TruncatedTraceNamesFileAndRecord) {
  TempDir tmp;
  const auto recs = random_records(200000, 3);
  const std::string path = write_trace(tmp, "whole.mtr", recs);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string cut = tmp.path("cut.mtr");
  for (size_t keep : {bytes.size() - 1, bytes.size() - 16, bytes.size() / 2, size_t{400}}) {
    std::ofstream(cut, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(keep));
    for (bool skip_all : {false, true}) {
      const std::string e = error_of(cut, skip_all);
      EXPECT_NE(e.find(cut + ": record "), std::string::npos) << e;
      EXPECT_NE(e.find("truncated"), std::string::npos) << e;
    }
  }
  std::ofstream(cut, std::ios::binary).write(bytes.data(), 12);
  EXPECT_NE(error_of(cut).find("header: truncated"), std::string::npos) << error_of(cut);
}

TEST(TraceFormat, CorruptBodyIsDetected) {
  TempDir tmp;
  const auto recs = random_records(100000, 5);
  const std::string path = write_trace(tmp, "corrupt.mtr", recs);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  Rng rng(9);
  const std::string bad = tmp.path("bad.mtr");
  for (int i = 0; i < 20; ++i) {
    std::string b = bytes;
    // Past the header: into the blocks.
    const size_t at = 300 + rng.below(b.size() - 300);
    b[at] = static_cast<char>(b[at] ^ (1 + rng.below(255)));
    std::ofstream(bad, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
    const std::string e = error_of(bad);
    EXPECT_NE(e.find(bad + ": record "), std::string::npos) << "byte " << at << ": " << e;
  }
}

TEST(TraceFormat, RefusesOtherVersionsAndFiles) {
  TempDir tmp;
  const std::string path = write_trace(tmp, "v.mtr", random_records(10, 1));
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[8] = 7;
  const std::string v7 = tmp.path("v7.mtr");
  std::ofstream(v7, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EXPECT_NE(error_of(v7).find(v7 + ": trace format version 7 is not supported"), std::string::npos)
      << error_of(v7);
  const std::string text = tmp.path("text.mtr");
  std::ofstream(text) << "I  0400000,4\n";
  EXPECT_NE(error_of(text).find("not an mmusim trace"), std::string::npos);
  EXPECT_NE(error_of(tmp.path("absent.mtr")).find("cannot open"), std::string::npos);
}

TEST(TraceBuilder, WindowKeepsTheRecordsAfterSkip) {
  TempDir tmp;
  const std::string path = tmp.path("window.mtr");
  TraceBuilder b(path, TraceWindow{10, 5});
  uint64_t offered = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    ++offered;
    if (!b.add({0x1000 * (i + 1), 8, 0, TraceKind::kLoad})) break;
  }
  EXPECT_EQ(offered, 15u);
  b.finish(TraceHeader{}, {});
  TraceReader r(path);
  TraceRecord rec;
  ASSERT_TRUE(r.next(rec));
  EXPECT_EQ(rec.addr, 0x1000u * 11);
  EXPECT_EQ(r.header().records, 5u);
}

TEST(TraceBuilder, RecordedVmasAreKeptWhenTouchedAndWidened) {
  TempDir tmp;
  const std::string path = tmp.path("vmas.mtr");
  TraceBuilder b(path, TraceWindow{});
  b.add({0x401234, 4, 0, TraceKind::kFetch});   // text
  b.add({0x600010, 8, 0, TraceKind::kStore});   // relro, read-only by the end
  b.add({0x7000000, 8, 1, TraceKind::kLoad});   // outside every recorded VMA
  b.add({0x70ff000, 8, 1, TraceKind::kLoad});   // 255 pages on: joins it
  b.add({0x7200000, 8, 1, TraceKind::kStore});  // past the gap: a VMA of its own
  b.add({0x9000000, 8, 0, TraceKind::kLoad});
  b.add({0x9002000, 8, 0, TraceKind::kLoad});  // close, but a recorded VMA lies between
  const auto maps = parse_proc_maps(
      "00400000-00402000 r-xp 00000000 08:01 1234   /usr/bin/prog\n"
      "00600000-00601000 r--p 00000000 08:01 1234   /usr/bin/prog\n"
      "08000000-08100000 rw-p 00000000 00:00 0 \n"
      "09001000-09002000 rw-p 00000000 00:00 0      [heap]\n"
      "7f0000000000-7f0000001000 ---p 00000000 00:00 0\n"
      "garbage line\n");
  ASSERT_EQ(maps.size(), 5u);
  EXPECT_EQ(maps[3].name, "[heap]");
  const TraceHeader h = b.finish(TraceHeader{}, maps);
  EXPECT_EQ(h.threads, 2u);
  ASSERT_EQ(h.vmas.size(), 6u);
  using Range = std::pair<uint64_t, uint64_t>;
  auto at = [&](size_t i) { return Range(h.vmas[i].start, h.vmas[i].end); };
  EXPECT_EQ(at(0), Range(0x400000, 0x402000));
  EXPECT_TRUE(h.vmas[0].exec);
  EXPECT_EQ(h.vmas[0].name, "/usr/bin/prog");
  EXPECT_EQ(at(1), Range(0x600000, 0x601000));
  EXPECT_TRUE(h.vmas[1].write);  // widened
  EXPECT_EQ(at(2), Range(0x7000000, 0x7100000));
  EXPECT_EQ(h.vmas[2].name, "[derived]");
  EXPECT_FALSE(h.vmas[2].write);
  EXPECT_EQ(at(3), Range(0x7200000, 0x7201000));
  EXPECT_TRUE(h.vmas[3].write);
  EXPECT_EQ(at(4), Range(0x9000000, 0x9001000));
  EXPECT_EQ(at(5), Range(0x9002000, 0x9003000));
  EXPECT_EQ(h.meta_value("recorded_vmas"), "2");
  EXPECT_EQ(h.meta_value("derived_vmas"), "4");
}

}  // namespace
}  // namespace mmusim
