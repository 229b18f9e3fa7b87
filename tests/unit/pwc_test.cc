#include "models/pwc.h"
#include "tests/unit/stats_recorder.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace mmusim {
namespace {

PwcParams uniform(uint32_t entries, uint32_t ways, ReplPolicy policy = ReplPolicy::kLru) {
  PwcParams p;
  for (unsigned l = 2; l <= kMaxLevels; ++l) {
    p.entries[l] = entries;
    p.ways[l] = ways;
  }
  p.policy = policy;
  return p;
}

constexpr Addr kGiB = Addr{1} << 30;
constexpr Addr kMiB2 = Addr{1} << 21;

struct Probe {
  bool hit = false;
  unsigned level = 0;
  Addr table = 0;
};

Probe probe(Pwc& c, Addr addr, uint32_t ctx = 7) {
  Probe p;
  p.hit = c.lookup(addr, ctx, p.level, p.table);
  return p;
}

TEST(Pwc, DeepestLevelWins) {
  Pwc c("gpwc", uniform(4, 4), 4);
  EXPECT_TRUE(c.enabled());
  EXPECT_EQ(c.name(), "gpwc");
  const Addr a = 0x7f1234567000;
  c.insert(a, 7, 4, 0x1000);  // PML4E -> PDPT at 0x1000
  c.insert(a, 7, 3, 0x2000);  // PDPTE -> PD at 0x2000
  c.insert(a, 7, 2, 0x3000);  // PDE -> PT at 0x3000

  Probe p = probe(c, a + 0x1ff);
  ASSERT_TRUE(p.hit);
  EXPECT_EQ(p.level, 1u);
  EXPECT_EQ(p.table, 0x3000u);
  // Same 1G region, other 2M region: the PDPTE is the deepest hit.
  p = probe(c, a + kMiB2);
  ASSERT_TRUE(p.hit);
  EXPECT_EQ(p.level, 2u);
  EXPECT_EQ(p.table, 0x2000u);
  // Same 512G region, other 1G region: the PML4E.
  p = probe(c, a + kGiB);
  ASSERT_TRUE(p.hit);
  EXPECT_EQ(p.level, 3u);
  EXPECT_EQ(p.table, 0x1000u);
  // Other 512G region: nothing.
  EXPECT_FALSE(probe(c, a + (Addr{1} << 39)).hit);

  EXPECT_EQ(c.stats().lookups, 4u);
  EXPECT_EQ(c.stats().hits, 3u);
  EXPECT_EQ(c.stats().misses, 1u);
  EXPECT_EQ(c.stats().level_hits[2], 1u);
  EXPECT_EQ(c.stats().level_hits[3], 1u);
  EXPECT_EQ(c.stats().level_hits[4], 1u);
  EXPECT_EQ(c.stats().fills, 3u);
}

TEST(Pwc, FiveLevelCachesPml5e) {
  Pwc c5("pwc5", uniform(2, 2), 5);
  const Addr a = Addr{0x1a} << 48;
  c5.insert(a, 7, 5, 0xabc000);
  Probe p = probe(c5, a | 0xffffffffffff);
  ASSERT_TRUE(p.hit);
  EXPECT_EQ(p.level, 4u);
  EXPECT_EQ(p.table, 0xabc000u);
  EXPECT_FALSE(probe(c5, a + (Addr{1} << 48)).hit);
  EXPECT_EQ(c5.stats().level_hits[5], 1u);

  // A 4-level dimension builds no PML5E cache: the insert is ignored.
  Pwc c4("pwc4", uniform(2, 2), 4);
  c4.insert(a, 7, 5, 0xabc000);
  EXPECT_EQ(c4.stats().fills, 0u);
  EXPECT_FALSE(probe(c4, a).hit);

  StatsRecorder v4, v5;
  c4.report(v4);
  c5.report(v5);
  EXPECT_EQ(v4.order, (std::vector<std::string>{"lookups", "hits", "misses", "pde_hits",
                                                "pdpte_hits", "pml4e_hits", "fills", "evictions"}));
  EXPECT_EQ(v5.order,
            (std::vector<std::string>{"lookups", "hits", "misses", "pde_hits", "pdpte_hits",
                                      "pml4e_hits", "pml5e_hits", "fills", "evictions"}));
  EXPECT_EQ(v5.counters.at("pml5e_hits"), 1u);
  EXPECT_EQ(v5.counters.at("lookups"), 2u);
  EXPECT_EQ(v5.counters.at("hits"), 1u);
  EXPECT_EQ(v5.counters.at("misses"), 1u);
  EXPECT_EQ(v5.counters.at("fills"), 1u);
  EXPECT_EQ(v4.counters.at("misses"), 1u);
}

TEST(Pwc, KeyPrefixesExact) {
  EXPECT_EQ(Pwc::key(0x40200000, 2), 0x201u);
  EXPECT_EQ(Pwc::key(0x80000000, 3), 2u);
  EXPECT_EQ(Pwc::key(Addr{3} << 39, 4), 3u);
  EXPECT_EQ(Pwc::key(Addr{5} << 48, 5), 5u);

  struct Case {
    unsigned level;
    Addr base;
    Addr same;   // differs from base only below the level's prefix
    Addr other;  // differs from base in the lowest prefix bit
    Addr high;   // differs from base in a high prefix bit
  };
  const Case cases[] = {
      {2, 0x40000000, 0x401fffff, 0x40200000, 0x40000000 | (Addr{1} << 47)},
      {3, 0x40000000, 0x7fffffff, 0x80000000, 0x40000000 | (Addr{1} << 46)},
      {4, 0, (Addr{1} << 39) - 1, Addr{1} << 39, Addr{1} << 47},
      {5, 0, (Addr{1} << 48) - 1, Addr{1} << 48, Addr{1} << 56},
  };
  for (const Case& k : cases) {
    PwcParams params;
    params.entries[k.level] = 4;
    params.ways[k.level] = 4;
    Pwc c("pwc", params, 5);
    c.insert(k.base, 7, k.level, 0x5000);
    Probe p = probe(c, k.same);
    EXPECT_TRUE(p.hit) << "level " << k.level;
    EXPECT_EQ(p.level, k.level - 1);
    EXPECT_FALSE(probe(c, k.other).hit) << "level " << k.level;
    EXPECT_FALSE(probe(c, k.high).hit) << "level " << k.level;
    EXPECT_EQ(c.stats().fills, 1u);
  }
}

TEST(Pwc, ContextIsolationAndFlushes) {
  Pwc c("pwc", uniform(8, 2), 4);
  const Addr a = 0x40000000, b = 0x80000000;
  c.insert(a, 1, 2, 0x1000);
  c.insert(a, 2, 2, 0x2000);
  c.insert(b, 1, 3, 0x3000);
  Probe p = probe(c, a, 2);
  ASSERT_TRUE(p.hit);
  EXPECT_EQ(p.table, 0x2000u);
  EXPECT_FALSE(probe(c, a, 3).hit);

  c.invalidate(a + 0x1000, 1);
  EXPECT_FALSE(probe(c, a, 1).hit);
  EXPECT_TRUE(probe(c, a, 2).hit);
  EXPECT_TRUE(probe(c, b, 1).hit);

  c.insert(a, 1, 3, 0x4000);
  c.flush_ctx(1);
  EXPECT_FALSE(probe(c, a, 1).hit);
  EXPECT_FALSE(probe(c, b, 1).hit);
  EXPECT_TRUE(probe(c, a, 2).hit);

  c.flush_all();
  EXPECT_FALSE(probe(c, a, 2).hit);
}

TEST(Pwc, InvalidateDropsEveryLevel) {
  Pwc c("pwc", uniform(4, 4), 5);
  const Addr a = 0x123456789000;
  for (unsigned l = 2; l <= 5; ++l) c.insert(a, 7, l, 0x1000 * l);
  c.invalidate(a, 7);
  EXPECT_FALSE(probe(c, a).hit);
}

TEST(Pwc, LevelWithZeroEntriesIgnoresInserts) {
  PwcParams params;
  params.entries[3] = 2;
  params.ways[3] = 2;
  Pwc c("pwc", params, 4);
  EXPECT_TRUE(c.enabled());
  c.insert(0x40000000, 7, 2, 0x1000);
  c.insert(0x40000000, 7, 4, 0x3000);
  EXPECT_EQ(c.stats().fills, 0u);
  EXPECT_FALSE(probe(c, 0x40000000).hit);
  c.insert(0x40000000, 7, 3, 0x2000);
  Probe p = probe(c, 0x40000000);
  ASSERT_TRUE(p.hit);
  EXPECT_EQ(p.level, 2u);

  Pwc off("off", PwcParams{}, 5);
  EXPECT_FALSE(off.enabled());
  for (unsigned l = 2; l <= 5; ++l) off.insert(0, 7, l, 0x1000);
  EXPECT_FALSE(probe(off, 0).hit);
  EXPECT_EQ(off.stats().fills, 0u);
  EXPECT_EQ(off.stats().misses, 1u);
}

TEST(Pwc, ConflictEvictionsLruVsFifo) {
  for (ReplPolicy policy : {ReplPolicy::kLru, ReplPolicy::kFifo}) {
    PwcParams params;
    params.entries[2] = 2;
    params.ways[2] = 2;
    params.policy = policy;
    Pwc c("pwc", params, 4);
    c.insert(0 * kMiB2, 7, 2, 0x1000);
    c.insert(1 * kMiB2, 7, 2, 0x2000);
    EXPECT_TRUE(probe(c, 0).hit);
    c.insert(2 * kMiB2, 7, 2, 0x3000);
    EXPECT_EQ(c.stats().fills, 3u);
    EXPECT_EQ(c.stats().evictions, 1u);
    // The touch saves entry 0 under LRU only.
    const bool lru = policy == ReplPolicy::kLru;
    EXPECT_EQ(probe(c, 0).hit, lru) << repl_policy_name(policy);
    EXPECT_EQ(probe(c, kMiB2).hit, !lru) << repl_policy_name(policy);
    EXPECT_TRUE(probe(c, 2 * kMiB2).hit);
  }
}

TEST(Pwc, RejectsBadGeometry) {
  EXPECT_THROW(Pwc("x", uniform(4, 4), 3), std::invalid_argument);
  EXPECT_THROW(Pwc("x", uniform(6, 4), 4), std::invalid_argument);
}

}  // namespace
}  // namespace mmusim
