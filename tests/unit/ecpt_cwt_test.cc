// ECPT's cuckoo walk tables, as hardware reads them: through random maps and unmaps of 4K, 2M
// and 1G pages (cuckoo displacements and resizes moving lines between ways), every section
// header says which page sizes are mapped in its section and the way that holds the section's
// line, checked against the tables themselves.
#include <gtest/gtest.h>

#include <map>

#include "models/address_space.h"
#include "models/ecpt.h"
#include "models/rng.h"

namespace mmusim {
namespace {

struct Fixture {
  PhysMem mem;
  FrameAllocator frames{"host", {0, Addr{64} << 30, false, 1}};
  HostTableMemory tables{mem, frames};
  Ecpt ecpt;
  std::map<Addr, PageSize> pages;  // base -> size

  explicit Fixture(const EcptParams& p) : ecpt(PtFormat::kX86, tables, p) {}

  // The header hardware reads for addr at `level`: the CWT line probed whose tag matches.
  uint8_t header(unsigned level, Addr addr) const {
    const EcptTable* t = ecpt.cwt(level);
    Addr lines[EcptTable::kMaxWays];
    const unsigned n = t->probe_lines(addr, lines);
    for (unsigned w = 0; w < n; ++w) {
      uint64_t words[EcptTable::kClusterPages], e;
      t->read_line(lines[w], words);
      if (EcptTable::match(words, addr, t->shift(), e)) return Ecpt::header(words, addr, level);
    }
    return 0;
  }
  // The way whose probed line holds addr's cluster in the table of `size` (-1: none).
  int way_of(PageSize size, Addr addr) const {
    const EcptTable* t = ecpt.table(size);
    if (!t) return -1;
    Addr lines[EcptTable::kMaxWays];
    const unsigned n = t->probe_lines(addr, lines);
    for (unsigned w = 0; w < n; ++w) {
      uint64_t words[EcptTable::kClusterPages], e;
      t->read_line(lines[w], words);
      if (EcptTable::match(words, addr, t->shift(), e)) return static_cast<int>(w);
    }
    return -1;
  }
  // Whether a page of `size` is mapped within the 2^shift bytes around addr.
  bool any(PageSize size, Addr addr, unsigned shift) const {
    const Addr base = addr >> shift << shift, end = base + (Addr{1} << shift);
    for (auto it = pages.lower_bound(base); it != pages.end() && it->first < end; ++it)
      if (it->second == size) return true;
    return false;
  }
  void check(Addr addr) const {
    const uint8_t pmd = header(Ecpt::kPmdCwt, addr), pud = header(Ecpt::kPudCwt, addr);
    const uint8_t pte = header(Ecpt::kPteCwt, addr);
    EXPECT_EQ((pmd & 1) != 0, any(PageSize::k4K, addr, 24)) << std::hex << addr;
    EXPECT_EQ((pmd & 2) != 0, any(PageSize::k2M, addr, 24)) << std::hex << addr;
    EXPECT_EQ((pud & 1) != 0, any(PageSize::k4K, addr, 33)) << std::hex << addr;
    EXPECT_EQ((pud & 2) != 0, any(PageSize::k2M, addr, 33)) << std::hex << addr;
    EXPECT_EQ((pud & 4) != 0, any(PageSize::k1G, addr, 33)) << std::hex << addr;
    EXPECT_EQ((pte & 1) != 0, any(PageSize::k4K, addr, 15)) << std::hex << addr;
    if (pmd & 2) {
      EXPECT_EQ(pmd >> Ecpt::kWayShift, way_of(PageSize::k2M, addr));
    }
    if (pud & 4) {
      EXPECT_EQ(pud >> Ecpt::kWayShift, way_of(PageSize::k1G, addr));
    }
    if (pte & 1) {
      EXPECT_EQ(pte >> Ecpt::kWayShift, way_of(PageSize::k4K, addr));
    }
  }
};

TEST(EcptCwt, HeadersSayTheSizesAndWaysThroughDisplacementsAndResizes) {
  EcptParams p;
  p.initial_lines = 64;  // small ways: displacements and doublings early
  p.pte_cwt = true;
  Fixture f(p);
  Rng rng(11);
  const Addr span = Addr{64} << 30;  // 64 GiB: eight PUD-CWT sections
  for (unsigned i = 0; i < 6000; ++i) {
    const unsigned r = static_cast<unsigned>(rng.below(100));
    const PageSize size = r < 80 ? PageSize::k4K : r < 98 ? PageSize::k2M : PageSize::k1G;
    const Addr addr = page_base(rng.below(span), size);
    if (rng.below(4) == 0 && !f.pages.empty()) {  // unmap one mapped page
      auto it = f.pages.lower_bound(addr);
      if (it == f.pages.end()) it = f.pages.begin();
      ASSERT_TRUE(f.ecpt.unmap(it->first, it->second));
      const Addr gone = it->first;
      f.pages.erase(it);
      f.check(gone);
      continue;
    }
    const Ecpt::MapStatus s = f.ecpt.map(addr, Addr{1} << 40 | addr, size, {});
    ASSERT_NE(s, Ecpt::MapStatus::kOutOfMemory);
    if (s == Ecpt::MapStatus::kOk) f.pages[addr] = size;
  }
  EXPECT_GT(f.ecpt.table(PageSize::k4K)->stats().displacements, 0u);
  EXPECT_GT(f.ecpt.table(PageSize::k4K)->stats().upsizes, 0u);
  for (const auto& [base, size] : f.pages) f.check(base);
}

}  // namespace
}  // namespace mmusim
