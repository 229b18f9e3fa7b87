// ECPT's elastic cuckoo hash table: entries found through the probes hardware makes, checked
// against an independent record through insertions, displacements, gradual doubling and halving,
// and the rebuild a failed cuckoo walk forces.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "models/address_space.h"
#include "models/ecpt_table.h"
#include "models/rng.h"

namespace mmusim {
namespace {

struct Fixture {
  PhysMem mem;
  FrameAllocator frames{"host", {0, Addr{64} << 30, false, 1}};
  HostTableMemory tables{mem, frames};
  EcptTable table;
  std::map<Addr, Addr> record;  // page -> frame

  explicit Fixture(const EcptParams& p, PageSize size = PageSize::k4K)
      : table(PtFormat::kX86, size, tables, p) {
    EXPECT_TRUE(table.init());
  }
  // What hardware finds: the entry in the one probed line whose tag matches, or none. A page's
  // cluster must be in exactly one way.
  bool lookup(Addr addr, uint64_t& entry) const {
    Addr lines[EcptTable::kMaxWays];
    const unsigned n = table.probe_lines(addr, lines);
    unsigned found = 0;
    for (unsigned w = 0; w < n; ++w) {
      uint64_t words[EcptTable::kClusterPages];
      table.read_line(lines[w], words);
      uint64_t e;
      if (EcptTable::match(words, addr, table.shift(), e) && entry_present(PtFormat::kX86, e)) {
        entry = e;
        ++found;
      }
    }
    EXPECT_LE(found, 1u) << "cluster of 0x" << std::hex << addr << " in two ways";
    return found == 1;
  }
  void check_all() const {
    for (const auto& [page, frame] : record) {
      uint64_t e = 0;
      ASSERT_TRUE(lookup(page, e)) << std::hex << page;
      EXPECT_EQ(entry_addr(e), frame);
    }
  }
};

EcptParams small(uint64_t lines = 64) {
  EcptParams p;
  p.initial_lines = lines;
  return p;
}

TEST(EcptTable, EightConsecutivePagesShareOneLine) {
  Fixture f(small());
  for (unsigned i = 0; i < 8; ++i)
    ASSERT_EQ(f.table.map(0x7000'0000 + i * kPageBytes, 0x1'0000'0000 + i * kPageBytes, {}),
              EcptTable::MapStatus::kOk);
  EXPECT_EQ(f.table.stats().clusters, 1u);
  uint64_t e;
  ASSERT_TRUE(f.lookup(0x7000'5123, e));
  EXPECT_EQ(entry_addr(e), 0x1'0000'5000u);
  EXPECT_FALSE(f.lookup(0x7000'8000, e));  // the next cluster
  EXPECT_EQ(f.table.map(0x7000'5000, 0x2000, {}), EcptTable::MapStatus::kConflict);
}

TEST(EcptTable, RandomMapsAndUnmapsAgreeWithTheRecordThroughResizes) {
  Fixture f(small());
  Rng rng(7);
  std::vector<Addr> pages;
  for (unsigned i = 0; i < 20000; ++i) {
    const Addr page = (rng.below(uint64_t{1} << 24) + 0x100000) << kPageShift;
    if (f.record.count(page)) continue;
    const Addr frame = Addr{i + 1} << kPageShift;
    ASSERT_EQ(f.table.map(page, frame, {}), EcptTable::MapStatus::kOk);
    f.record[page] = frame;
    pages.push_back(page);
    if (i % 997 == 0) f.check_all();  // mid-resize too
  }
  f.check_all();
  EXPECT_GT(f.table.stats().upsizes, 3u);
  EXPECT_GT(f.table.stats().displacements, 0u);
  EXPECT_LE(f.table.occupancy(), 0.61);
  // Unmap nine in ten: the table halves gradually and keeps the rest.
  for (size_t i = 0; i < pages.size(); ++i) {
    if (i % 10 == 0) continue;
    ASSERT_TRUE(f.table.unmap(pages[i]));
    f.record.erase(pages[i]);
    uint64_t e;
    EXPECT_FALSE(f.lookup(pages[i], e));
  }
  f.check_all();
  EXPECT_GT(f.table.stats().downsizes, 0u);
  EXPECT_FALSE(f.table.unmap(pages[1]));
}

TEST(EcptTable, AFailedCuckooWalkRebuildsTheTableDoubled) {
  EcptParams p = small();
  p.max_displacements = 0;  // any occupied slot leaves a line homeless
  Fixture f(p);
  for (unsigned i = 0; i < 3000; ++i) {
    const Addr page = Addr{i} << (kPageShift + 3);  // one page per cluster
    ASSERT_EQ(f.table.map(page, page + (Addr{1} << 32), {}), EcptTable::MapStatus::kOk);
    f.record[page] = page + (Addr{1} << 32);
  }
  EXPECT_GT(f.table.stats().forced_resizes, 0u);
  EXPECT_EQ(f.table.stats().clusters, 3000u);
  f.check_all();
}

TEST(EcptTable, LargePagesClusterEightToALine) {
  Fixture f(small(), PageSize::k2M);
  const Addr page = Addr{0x40} << 30;
  ASSERT_EQ(f.table.map(page + (Addr{3} << 21), Addr{5} << 21, {}), EcptTable::MapStatus::kOk);
  uint64_t e;
  ASSERT_TRUE(f.lookup(page + (Addr{3} << 21) + 0x12345, e));
  EXPECT_EQ(entry_addr(e), Addr{5} << 21);
  EXPECT_FALSE(f.lookup(page + (Addr{4} << 21), e));
}

TEST(EcptTable, MemoryComesBackWhenTheTableShrinks) {
  Fixture f(small());
  const uint64_t start = f.table.table_pages();
  std::vector<Addr> pages;
  for (unsigned i = 0; i < 4000; ++i) pages.push_back(Addr{i} << (kPageShift + 3));
  for (Addr a : pages) ASSERT_EQ(f.table.map(a, a, {}), EcptTable::MapStatus::kOk);
  EXPECT_GT(f.table.table_pages(), start);
  const uint64_t peak = f.table.table_pages();
  for (Addr a : pages) ASSERT_TRUE(f.table.unmap(a));
  EXPECT_EQ(f.table.stats().clusters, 0u);
  EXPECT_GT(f.table.stats().downsizes, 0u);
  // Each update moves a few lines on: more of them finish the halvings under way.
  for (unsigned i = 0; i < 20000; ++i) {
    ASSERT_EQ(f.table.map(0x5000, 0x9000, {}), EcptTable::MapStatus::kOk);
    ASSERT_TRUE(f.table.unmap(0x5000));
  }
  EXPECT_LT(f.table.table_pages(), peak / 8);
}

}  // namespace
}  // namespace mmusim
