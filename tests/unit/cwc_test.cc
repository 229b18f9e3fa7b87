// The cuckoo walk caches: a cached CWT line's section headers, LRU replacement, flushes by
// context and by address, and nested ECPT's adaptive use of the PTE-CWC for data translations.
#include <gtest/gtest.h>

#include "models/cwc.h"

namespace mmusim {
namespace {

// A CWT line whose header for section j (at `level`) is `h`, every other header 0.
void line_with(unsigned level, Addr addr, uint8_t h, uint64_t* words) {
  for (unsigned i = 0; i < 8; ++i) words[i] = 0;
  const unsigned j = static_cast<unsigned>(addr >> Ecpt::kSectionShift[level]) & 63;
  words[j / 8] = uint64_t{h} << (5 * (j % 8));
}

TEST(Cwc, AHitGivesTheSectionHeaderOfTheCachedLine) {
  Cwc c("guest", CwcParams{});
  const Addr va = 0x7f12'3456'7000ULL;
  uint64_t words[8];
  const uint8_t h = 2 | (2 << Ecpt::kWayShift);  // 2M pages, in way 2
  line_with(Ecpt::kPmdCwt, va, h, words);
  uint8_t got;
  EXPECT_FALSE(c.lookup(Ecpt::kPmdCwt, va, 1, got));
  c.fill(Ecpt::kPmdCwt, va, 1, words);
  ASSERT_TRUE(c.lookup(Ecpt::kPmdCwt, va, 1, got));
  EXPECT_EQ(got, h);
  ASSERT_TRUE(c.lookup(Ecpt::kPmdCwt, va + (Addr{1} << 24), 1, got));  // same line, next section
  EXPECT_EQ(got, 0);
  EXPECT_FALSE(c.lookup(Ecpt::kPmdCwt, va, 2, got));  // another context
  EXPECT_FALSE(c.lookup(Ecpt::kPmdCwt, va + (Addr{1} << 30), 1, got));  // another line
  EXPECT_EQ(c.stats(Ecpt::kPmdCwt).hits, 2u);
}

TEST(Cwc, FlushesByContextAndByAddressAndLruReplacement) {
  Cwc c("guest", CwcParams{});  // PUD-CWC: 2 lines
  uint64_t words[8];
  line_with(Ecpt::kPudCwt, 0, 1, words);
  const Addr line = Addr{1} << Ecpt::kCwtLineShift[Ecpt::kPudCwt];
  uint8_t h;
  c.fill(Ecpt::kPudCwt, 0, 1, words);
  c.fill(Ecpt::kPudCwt, line, 1, words);
  EXPECT_TRUE(c.lookup(Ecpt::kPudCwt, 0, 1, h));  // line 0 the most recent
  c.fill(Ecpt::kPudCwt, 2 * line, 1, words);       // evicts line 1
  EXPECT_TRUE(c.lookup(Ecpt::kPudCwt, 0, 1, h));
  EXPECT_FALSE(c.lookup(Ecpt::kPudCwt, line, 1, h));
  c.invalidate(0, 1);
  EXPECT_FALSE(c.lookup(Ecpt::kPudCwt, 0, 1, h));
  EXPECT_TRUE(c.lookup(Ecpt::kPudCwt, 2 * line, 1, h));
  c.flush_ctx(2);
  EXPECT_TRUE(c.lookup(Ecpt::kPudCwt, 2 * line, 1, h));
  c.flush_ctx(1);
  EXPECT_FALSE(c.lookup(Ecpt::kPudCwt, 2 * line, 1, h));
}

TEST(Cwc, ThePteCwcLeavesDataTranslationsBelowHalfItsHitsAndComesBackAbove85PercentPmdHits) {
  CwcParams p;
  p.entries[Ecpt::kPteCwt] = 16;
  Cwc c("host", p);
  EXPECT_TRUE(c.pte_for_data());
  for (unsigned i = 0; i < 10000; ++i) c.adapt(Ecpt::kPteCwt, false, false);  // table lines
  EXPECT_TRUE(c.pte_for_data());
  for (unsigned i = 0; i < 4096; ++i) c.adapt(Ecpt::kPteCwt, i % 2 == 0, true);  // 50%: stays
  EXPECT_TRUE(c.pte_for_data());
  for (unsigned i = 0; i < 4096; ++i) c.adapt(Ecpt::kPteCwt, i % 3 == 0, true);  // 33%: off
  EXPECT_FALSE(c.pte_for_data());
  for (unsigned i = 0; i < 4096; ++i) c.adapt(Ecpt::kPmdCwt, i % 10 != 0, true);  // 90%: on
  EXPECT_TRUE(c.pte_for_data());
}

}  // namespace
}  // namespace mmusim
