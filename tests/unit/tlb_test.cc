#include "models/tlb.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/replacement.h"
#include "models/rng.h"
#include "models/set_assoc.h"
#include "tests/unit/stats_recorder.h"

namespace mmusim {
namespace {

TlbParams one_array(std::vector<PageSize> sizes, uint32_t entries, uint32_t ways,
                    ReplPolicy policy = ReplPolicy::kLru, uint64_t seed = 1) {
  TlbParams p;
  p.name = "tlb";
  p.arrays.push_back({"a", std::move(sizes), entries, ways});
  p.policy = policy;
  p.seed = seed;
  return p;
}

const Context kCtx{1, 0};

Addr page(uint64_t n) { return n << 12; }

bool hits(Tlb& t, Addr va, Context ctx = kCtx) {
  TlbHit h;
  return t.lookup(va, ctx, h);
}

TEST(Replacement, ParseAndName) {
  ReplPolicy p = ReplPolicy::kLru;
  EXPECT_TRUE(parse_repl_policy("fifo", p));
  EXPECT_EQ(p, ReplPolicy::kFifo);
  EXPECT_TRUE(parse_repl_policy("random", p));
  EXPECT_EQ(p, ReplPolicy::kRandom);
  EXPECT_TRUE(parse_repl_policy("lru", p));
  EXPECT_EQ(p, ReplPolicy::kLru);
  EXPECT_FALSE(parse_repl_policy("LRU", p));
  EXPECT_FALSE(parse_repl_policy("", p));
  EXPECT_EQ(p, ReplPolicy::kLru);
  EXPECT_STREQ(repl_policy_name(ReplPolicy::kFifo), "fifo");
  EXPECT_STREQ(repl_policy_name(ReplPolicy::kRandom), "random");
  EXPECT_STREQ(repl_policy_name(ReplPolicy::kLru), "lru");
}

TEST(SetAssoc, GeometryAndInvalidFirst) {
  SetAssoc<int> a(12, 4, ReplPolicy::kLru, 1);
  EXPECT_EQ(a.sets(), 3u);
  EXPECT_EQ(a.ways(), 4u);
  EXPECT_EQ(a.capacity(), 12u);
  // Keys 0, 3, 6, 9 share set 0; filling four ways evicts nothing.
  for (int k = 0; k < 4; ++k) EXPECT_FALSE(a.insert(3 * k, 0, k));
  EXPECT_EQ(a.size(), 4u);
  ASSERT_TRUE(a.invalidate(3, 0));
  EXPECT_FALSE(a.invalidate(3, 0));
  // The freed way is reused before anything is evicted.
  EXPECT_FALSE(a.insert(12, 0, 4));
  SetAssoc<int>::Slot victim;
  EXPECT_TRUE(a.insert(15, 0, 5, &victim));
  EXPECT_EQ(victim.tag, 0u);
  EXPECT_EQ(victim.payload, 0);
  EXPECT_EQ(a.invalidate_if([](uint64_t tag, uint32_t, const int&) { return tag >= 12; }), 2u);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.clear(), 2u);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_THROW(SetAssoc<int>(10, 4, ReplPolicy::kLru, 1), std::invalid_argument);
  EXPECT_THROW(SetAssoc<int>(4, 0, ReplPolicy::kLru, 1), std::invalid_argument);
}

// A plain reference: per way a valid bit, tag, context, payload and a timestamp of its last use
// (LRU) or fill (FIFO); a fill takes the lowest invalid way, else the oldest stamp, else (random)
// any way.
class ReferenceSetAssoc {
 public:
  ReferenceSetAssoc(uint32_t entries, uint32_t ways, ReplPolicy policy, uint64_t seed)
      : m_sets(entries / ways), m_ways(ways), m_policy(policy), m_rng(seed), m_e(entries) {}
  int* lookup(uint64_t key, uint32_t ctx, bool touch) {
    Entry* e = find(key, ctx);
    if (!e) return nullptr;
    if (touch && m_policy == ReplPolicy::kLru) e->stamp = ++m_clock;
    return &e->payload;
  }
  // Returns evicted; *victim gets the evicted entry's tag and payload.
  bool insert(uint64_t key, uint32_t ctx, int payload, uint64_t* victim_tag, int* victim_payload) {
    if (Entry* e = find(key, ctx)) {
      e->payload = payload;
      e->stamp = ++m_clock;
      return false;
    }
    Entry* base = &m_e[(key % m_sets) * m_ways];
    Entry* target = nullptr;
    for (uint32_t w = 0; w < m_ways && !target; ++w)
      if (!base[w].valid) target = &base[w];
    const bool evict = target == nullptr;
    if (evict) {
      if (m_policy == ReplPolicy::kRandom) {
        target = &base[m_rng.below(m_ways)];
      } else {
        target = &base[0];
        for (uint32_t w = 1; w < m_ways; ++w)
          if (base[w].stamp < target->stamp) target = &base[w];
      }
      *victim_tag = target->tag;
      *victim_payload = target->payload;
    }
    *target = Entry{true, key, ctx, payload, ++m_clock};
    return evict;
  }
  bool invalidate(uint64_t key, uint32_t ctx) {
    Entry* e = find(key, ctx);
    if (e) e->valid = false;
    return e != nullptr;
  }
  uint32_t invalidate_ctx(uint32_t ctx) {
    uint32_t n = 0;
    for (Entry& e : m_e)
      if (e.valid && e.ctx == ctx) e.valid = false, ++n;
    return n;
  }
  uint32_t size() const {
    uint32_t n = 0;
    for (const Entry& e : m_e) n += e.valid;
    return n;
  }

 private:
  struct Entry {
    bool valid = false;
    uint64_t tag = 0;
    uint32_t ctx = 0;
    int payload = 0;
    uint64_t stamp = 0;
  };
  Entry* find(uint64_t key, uint32_t ctx) {
    Entry* base = &m_e[(key % m_sets) * m_ways];
    for (uint32_t w = 0; w < m_ways; ++w)
      if (base[w].valid && base[w].tag == key && base[w].ctx == ctx) return &base[w];
    return nullptr;
  }
  uint32_t m_sets, m_ways;
  ReplPolicy m_policy;
  Rng m_rng;
  uint64_t m_clock = 0;
  std::vector<Entry> m_e;
};

TEST(SetAssoc, AgreesWithATimestampReferenceUnderRandomOperations) {
  for (ReplPolicy policy : {ReplPolicy::kLru, ReplPolicy::kFifo, ReplPolicy::kRandom}) {
    for (uint32_t ways : {1u, 2u, 4u, 12u, 16u, 17u, 40u, 64u}) {
      for (uint32_t sets : {1u, 3u, 8u}) {
        SetAssoc<int> a(sets * ways, ways, policy, 5);
        ReferenceSetAssoc ref(sets * ways, ways, policy, 5);
        Rng rng(ways * 31 + sets);
        const uint64_t keys = sets * ways * 2 + 3;
        for (int i = 0; i < 20000; ++i) {
          const uint64_t key = rng.below(keys);
          const uint32_t ctx = static_cast<uint32_t>(rng.below(3));
          const unsigned op = static_cast<unsigned>(rng.below(100));
          const std::string where = std::string(repl_policy_name(policy)) + " " +
                                    std::to_string(sets) + "x" + std::to_string(ways) + " op " +
                                    std::to_string(i);
          if (op < 45) {
            int* r = ref.lookup(key, ctx, true);
            int* got = a.lookup(key, ctx);
            ASSERT_EQ(got != nullptr, r != nullptr) << where;
            if (r) {
              ASSERT_EQ(*got, *r) << where;
            }
            if (!r) {  // a fill after the miss
              uint64_t vt = 0;
              int vp = 0;
              const bool ev = ref.insert(key, ctx, i, &vt, &vp);
              ASSERT_EQ(a.insert_absent(key, ctx, i), ev) << where;
            }
          } else if (op < 55) {
            const int* r = ref.lookup(key, ctx, false);
            const int* got = a.peek(key, ctx);
            ASSERT_EQ(got != nullptr, r != nullptr) << where;
          } else if (op < 90) {
            uint64_t vt = 0;
            int vp = 0;
            SetAssoc<int>::Slot victim;
            const bool ev = ref.insert(key, ctx, i, &vt, &vp);
            ASSERT_EQ(a.insert(key, ctx, i, &victim), ev) << where;
            if (ev) {
              ASSERT_EQ(victim.tag, vt) << where;
              ASSERT_EQ(victim.payload, vp) << where;
            }
          } else if (op < 98) {
            ASSERT_EQ(a.invalidate(key, ctx), ref.invalidate(key, ctx)) << where;
          } else {
            ASSERT_EQ(a.invalidate_if([ctx](uint64_t, uint32_t c, const int&) { return c == ctx; }),
                      ref.invalidate_ctx(ctx))
                << where;
          }
          ASSERT_EQ(a.size(), ref.size()) << where;
        }
      }
    }
  }
}

TEST(Tlb, HitsAndMissesOnCraftedSequence) {
  Tlb t(one_array({PageSize::k4K}, 4, 4));
  EXPECT_TRUE(t.enabled());
  EXPECT_EQ(t.name(), "tlb");
  t.insert(0x1234, 0x5234, PageSize::k4K, Perms{false, true, true}, kCtx);
  TlbHit h;
  ASSERT_TRUE(t.lookup(0x1fff, kCtx, h));
  EXPECT_EQ(h.pa_base, 0x5000u);
  EXPECT_EQ(h.size, PageSize::k4K);
  EXPECT_EQ(h.perms, (Perms{false, true, true}));
  EXPECT_FALSE(hits(t, 0x2000));
  EXPECT_FALSE(hits(t, 0x0fff));
  EXPECT_TRUE(hits(t, 0x1000));
  EXPECT_EQ(t.stats().lookups, 4u);
  EXPECT_EQ(t.stats().hits, 2u);
  EXPECT_EQ(t.stats().misses, 2u);
  EXPECT_EQ(t.stats().fills, 1u);
  EXPECT_EQ(t.stats().evictions, 0u);
}

TEST(Tlb, ReinsertOverwritesInPlace) {
  Tlb t(one_array({PageSize::k4K}, 2, 2));
  t.insert(page(1), page(100), PageSize::k4K, Perms{}, kCtx);
  t.insert(page(2), page(200), PageSize::k4K, Perms{}, kCtx);
  t.insert(page(1), page(300), PageSize::k4K, Perms{}, kCtx);
  EXPECT_EQ(t.occupancy(), 2u);
  EXPECT_EQ(t.stats().evictions, 0u);
  EXPECT_EQ(t.stats().fills, 3u);
  TlbHit h;
  ASSERT_TRUE(t.lookup(page(1), kCtx, h));
  EXPECT_EQ(h.pa_base, page(300));
  EXPECT_TRUE(hits(t, page(2)));
}

// One set of two ways: A, B filled, A re-touched, C filled. LRU evicts B, FIFO evicts A.
TEST(Tlb, LruAndFifoDifferOnRetouchedOldest) {
  for (ReplPolicy policy : {ReplPolicy::kLru, ReplPolicy::kFifo}) {
    Tlb t(one_array({PageSize::k4K}, 2, 2, policy));
    t.insert(page(10), page(1), PageSize::k4K, Perms{}, kCtx);
    t.insert(page(20), page(2), PageSize::k4K, Perms{}, kCtx);
    EXPECT_TRUE(hits(t, page(10)));
    t.insert(page(30), page(3), PageSize::k4K, Perms{}, kCtx);
    EXPECT_EQ(t.stats().evictions, 1u);
    const bool lru = policy == ReplPolicy::kLru;
    EXPECT_EQ(hits(t, page(10)), lru) << repl_policy_name(policy);
    EXPECT_EQ(hits(t, page(20)), !lru) << repl_policy_name(policy);
    EXPECT_TRUE(hits(t, page(30)));
  }
}

// Pages surviving 200 fills into one 8-way set under random replacement.
std::vector<uint64_t> random_survivors(uint64_t seed) {
  Tlb t(one_array({PageSize::k4K}, 8, 8, ReplPolicy::kRandom, seed));
  for (uint64_t n = 0; n < 200; ++n) t.insert(page(n), page(n), PageSize::k4K, Perms{}, kCtx);
  EXPECT_EQ(t.stats().evictions, 192u);
  std::vector<uint64_t> survivors;
  for (uint64_t n = 0; n < 200; ++n)
    if (hits(t, page(n))) survivors.push_back(n);
  EXPECT_EQ(survivors.size(), 8u);
  EXPECT_EQ(survivors.back(), 199u) << "the last fill always survives";
  return survivors;
}

TEST(Tlb, RandomPolicyDeterministicForSeed) {
  const std::vector<uint64_t> a = random_survivors(42);
  EXPECT_EQ(random_survivors(42), a);
  EXPECT_NE(random_survivors(43), a);
  EXPECT_NE(random_survivors(44), a);
  // Not LRU/FIFO in disguise: those would keep exactly the last eight fills.
  EXPECT_LT(a.front(), 192u);
}

TEST(Tlb, SetConflictEvictionsExactCounts) {
  // 16 entries, 4 ways: 4 sets, set = vpn % 4.
  Tlb t(one_array({PageSize::k4K}, 16, 4));
  for (uint64_t n : {0, 4, 8, 12}) t.insert(page(n), page(n), PageSize::k4K, Perms{}, kCtx);
  for (uint64_t n : {1, 2, 3, 5}) t.insert(page(n), page(n), PageSize::k4K, Perms{}, kCtx);
  EXPECT_EQ(t.stats().evictions, 0u);
  EXPECT_EQ(t.occupancy(), 8u);
  t.insert(page(16), page(16), PageSize::k4K, Perms{}, kCtx);  // set 0 again: evicts page 0
  t.insert(page(20), page(20), PageSize::k4K, Perms{}, kCtx);  // evicts page 4
  EXPECT_EQ(t.stats().evictions, 2u);
  EXPECT_EQ(t.occupancy(), 8u);
  EXPECT_FALSE(hits(t, page(0)));
  EXPECT_FALSE(hits(t, page(4)));
  for (uint64_t n : {8, 12, 16, 20, 1, 2, 3, 5}) EXPECT_TRUE(hits(t, page(n))) << n;
  EXPECT_EQ(t.stats().hits, 8u);
  EXPECT_EQ(t.stats().misses, 2u);
}

TEST(Tlb, NonPowerOfTwoSetCount) {
  // 12 entries, 4 ways: 3 sets; pages 0, 3, 6, 9, 12 collide in set 0.
  Tlb t(one_array({PageSize::k4K}, 12, 4));
  for (uint64_t n : {0, 3, 6, 9, 1, 2}) t.insert(page(n), page(n), PageSize::k4K, Perms{}, kCtx);
  EXPECT_EQ(t.stats().evictions, 0u);
  t.insert(page(12), page(12), PageSize::k4K, Perms{}, kCtx);
  EXPECT_EQ(t.stats().evictions, 1u);
  EXPECT_FALSE(hits(t, page(0)));
  for (uint64_t n : {3, 6, 9, 12, 1, 2}) EXPECT_TRUE(hits(t, page(n))) << n;
}

TEST(Tlb, AsidVpidIsolationAndFlushes) {
  TlbParams p;
  p.name = "stlb";
  p.arrays.push_back({"small", {PageSize::k4K}, 16, 4});
  p.arrays.push_back({"large", {PageSize::k2M}, 8, 4});
  Tlb t(p);
  const Context a{1, 1}, b{2, 1}, c{1, 2};
  const Addr va = 0x40000000;
  for (Context ctx : {a, b, c}) {
    t.insert(va, 0x1000 * (ctx.asid + 4 * ctx.vpid), PageSize::k4K, Perms{}, ctx);
    t.insert(va, 0x80000000, PageSize::k2M, Perms{}, ctx);
  }
  EXPECT_EQ(t.occupancy(), 6u);
  TlbHit h;
  ASSERT_TRUE(t.lookup(va, b, h));
  EXPECT_EQ(h.pa_base, 0x6000u);
  ASSERT_TRUE(t.lookup(va, c, h));
  EXPECT_EQ(h.pa_base, 0x9000u);
  EXPECT_FALSE(hits(t, va, Context{3, 1}));
  EXPECT_FALSE(hits(t, va, Context{1, 0}));

  // invlpg: only the 4K and 2M entries covering va in ctx a.
  t.flush_page(va + 0x10, a);
  EXPECT_EQ(t.stats().invalidations, 2u);
  EXPECT_FALSE(hits(t, va, a));
  EXPECT_TRUE(hits(t, va, b));
  // The 2M entry of b also covers va + 1M; flushing that page drops it but keeps b's 4K entry.
  t.flush_page(va + 0x100000, b);
  EXPECT_EQ(t.stats().invalidations, 3u);
  ASSERT_TRUE(t.lookup(va + 0x100000, c, h));
  EXPECT_EQ(h.size, PageSize::k2M);
  EXPECT_FALSE(hits(t, va + 0x100000, b));
  ASSERT_TRUE(t.lookup(va, b, h));
  EXPECT_EQ(h.size, PageSize::k4K);

  // Re-fill a, then drop exactly (asid 1, vpid 1): c shares the asid but not the VM.
  t.insert(va, 0x5000, PageSize::k4K, Perms{}, a);
  t.insert(va, 0x80000000, PageSize::k2M, Perms{}, a);
  t.flush_asid(a);
  EXPECT_EQ(t.stats().invalidations, 5u);
  EXPECT_FALSE(hits(t, va, a));
  EXPECT_TRUE(hits(t, va, b));
  EXPECT_TRUE(hits(t, va, c));

  t.flush_vpid(1);
  EXPECT_EQ(t.stats().invalidations, 6u);
  EXPECT_FALSE(hits(t, va, b));
  EXPECT_TRUE(hits(t, va, c));
  EXPECT_EQ(t.occupancy(), 2u);

  t.flush_all();
  EXPECT_EQ(t.stats().invalidations, 8u);
  EXPECT_EQ(t.stats().flushes, 5u);
  EXPECT_EQ(t.occupancy(), 0u);
  EXPECT_FALSE(hits(t, va, c));
}

TEST(Tlb, UnifiedArrayHolds4KAnd2MWithoutAliasing) {
  Tlb t(one_array({PageSize::k4K, PageSize::k2M}, 8, 2));
  // 2M page number 0x200 and 4K page number 0x200 are the same number in different sizes.
  t.insert(0x40001234, 0x80001234, PageSize::k2M, Perms{true, false, true}, kCtx);
  t.insert(0x200000, 0x9000, PageSize::k4K, Perms{}, kCtx);
  EXPECT_EQ(t.occupancy(), 2u);
  TlbHit h;
  ASSERT_TRUE(t.lookup(0x401fffff, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k2M);
  EXPECT_EQ(h.pa_base, 0x80000000u);
  EXPECT_EQ(h.perms, (Perms{true, false, true}));
  ASSERT_TRUE(t.lookup(0x200abc, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k4K);
  EXPECT_EQ(h.pa_base, 0x9000u);
  EXPECT_FALSE(hits(t, 0x201000));
  EXPECT_FALSE(hits(t, 0x40200000));
}

// A lookup probes the arrays in order and each array's sizes in its order, only the sizes filled
// since the last flush_all: the first hit wins when entries of two sizes cover the address.
TEST(Tlb, ProbesArraysAndSizesInTheirOrderForSizesFilled) {
  TlbParams p;
  p.arrays.push_back({"unified", {PageSize::k2M, PageSize::k4K}, 8, 2});
  p.arrays.push_back({"huge", {PageSize::k1G}, 2, 2});
  Tlb t(p);
  const Addr va = 0x40201000;
  t.insert(va, 0x9000, PageSize::k4K, Perms{}, kCtx);
  TlbHit h;
  ASSERT_TRUE(t.lookup(va, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k4K);
  t.insert(va, 0x80200000, PageSize::k2M, Perms{}, kCtx);
  t.insert(va, 0xc0000000, PageSize::k1G, Perms{}, kCtx);
  ASSERT_TRUE(t.lookup(va, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k2M);  // listed before 4K in the first array
  EXPECT_EQ(h.pa_base, 0x80200000u);
  ASSERT_TRUE(t.lookup(va + 0x400000, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k1G);
  t.flush_all();
  EXPECT_FALSE(hits(t, va));
  t.insert(va, 0xc0000000, PageSize::k1G, Perms{}, kCtx);
  ASSERT_TRUE(t.lookup(va, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k1G);
  t.insert(va, 0x9000, PageSize::k4K, Perms{}, kCtx);
  ASSERT_TRUE(t.lookup(va, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k4K);  // the first array before the second
  EXPECT_EQ(t.stats().hits, 5u);
  EXPECT_EQ(t.stats().misses, 1u);
}

TEST(Tlb, SplintersLargePageInto4KOnlyArray) {
  Tlb t(one_array({PageSize::k4K}, 8, 2));
  // pa given at the same offset as va.
  t.insert(0x40123456, 0x80123456, PageSize::k2M, Perms{}, kCtx);
  // pa given as the 2M page base.
  t.insert(0x60345678, 0xa0000000, PageSize::k2M, Perms{}, kCtx);
  EXPECT_EQ(t.stats().fills, 2u);
  EXPECT_EQ(t.occupancy(), 2u);
  TlbHit h;
  ASSERT_TRUE(t.lookup(0x40123fff, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k4K);
  EXPECT_EQ(h.pa_base, 0x80123000u);
  ASSERT_TRUE(t.lookup(0x60345000, kCtx, h));
  EXPECT_EQ(h.pa_base, 0xa0145000u);
  EXPECT_FALSE(hits(t, 0x40124000));
  EXPECT_FALSE(hits(t, 0x40122fff));
  EXPECT_FALSE(hits(t, 0x40000000));
}

TEST(Tlb, Splinters1GIntoLargestHeldSmallerSize) {
  TlbParams p;
  p.arrays.push_back({"small", {PageSize::k4K}, 8, 2});
  p.arrays.push_back({"large", {PageSize::k2M}, 4, 2});
  p.arrays.push_back({"huge", {PageSize::k1G}, 0, 1});  // disabled: holds nothing
  Tlb t(p);
  t.insert(0x40345678, 0xc0000000, PageSize::k1G, Perms{}, kCtx);
  TlbHit h;
  ASSERT_TRUE(t.lookup(0x40200000, kCtx, h));
  EXPECT_EQ(h.size, PageSize::k2M);
  EXPECT_EQ(h.pa_base, 0xc0200000u);
  EXPECT_FALSE(hits(t, 0x40400000));
  StatsRecorder v;
  t.report(v);
  EXPECT_EQ(v.counters.at("large_hits"), 1u);
  EXPECT_EQ(v.counters.at("small_hits"), 0u);
  EXPECT_EQ(v.counters.at("huge_hits"), 0u);
}

TEST(Tlb, NothingInsertedWithoutSmallerSize) {
  Tlb t(one_array({PageSize::k2M}, 4, 4));
  t.insert(0x1000, 0x2000, PageSize::k4K, Perms{}, kCtx);
  EXPECT_EQ(t.stats().fills, 0u);
  EXPECT_EQ(t.occupancy(), 0u);
  EXPECT_FALSE(hits(t, 0x1000));
}

TEST(Tlb, DisabledNeverHits) {
  TlbParams p;
  p.arrays.push_back({"small", {PageSize::k4K}, 0, 4});
  p.arrays.push_back({"large", {PageSize::k2M, PageSize::k1G}, 0, 1});
  Tlb t(p);
  EXPECT_FALSE(t.enabled());
  t.insert(0x1000, 0x2000, PageSize::k4K, Perms{}, kCtx);
  t.insert(0x40000000, 0x40000000, PageSize::k2M, Perms{}, kCtx);
  EXPECT_FALSE(hits(t, 0x1000));
  EXPECT_FALSE(hits(t, 0x40000000));
  EXPECT_EQ(t.stats().fills, 0u);
  EXPECT_EQ(t.stats().hits, 0u);
  EXPECT_EQ(t.stats().misses, 2u);
  Tlb empty(TlbParams{});
  EXPECT_FALSE(empty.enabled());
  EXPECT_FALSE(hits(empty, 0));
}

TEST(Tlb, RejectsBadGeometry) {
  EXPECT_THROW(Tlb(one_array({PageSize::k4K}, 10, 4)), std::invalid_argument);
  TlbParams p;
  p.arrays.push_back({"a", {PageSize::k4K}, 4, 4});
  p.arrays.push_back({"b", {PageSize::k4K, PageSize::k2M}, 4, 4});
  EXPECT_THROW(Tlb{p}, std::invalid_argument);
}

TEST(Tlb, ReportCounters) {
  TlbParams p;
  p.name = "dtlb";
  p.arrays.push_back({"d4k", {PageSize::k4K}, 2, 2});
  p.arrays.push_back({"d2m", {PageSize::k2M}, 2, 2});
  Tlb t(p);
  for (uint64_t n : {1, 2, 3}) t.insert(page(n), page(n), PageSize::k4K, Perms{}, kCtx);
  t.insert(0x200000, 0x200000, PageSize::k2M, Perms{}, kCtx);
  EXPECT_TRUE(hits(t, page(3)));
  EXPECT_TRUE(hits(t, 0x200000));
  EXPECT_TRUE(hits(t, 0x3fffff));
  EXPECT_FALSE(hits(t, page(1)));
  t.flush_vpid(0);
  StatsRecorder v;
  t.report(v);
  const std::vector<std::string> order = {"lookups",   "hits",    "misses",        "fills",
                                          "evictions", "flushes", "invalidations", "hit_rate",
                                          "d4k_hits",  "d2m_hits"};
  EXPECT_EQ(v.order, order);
  EXPECT_EQ(v.counters.at("lookups"), 4u);
  EXPECT_EQ(v.counters.at("hits"), 3u);
  EXPECT_EQ(v.counters.at("misses"), 1u);
  EXPECT_EQ(v.counters.at("fills"), 4u);
  EXPECT_EQ(v.counters.at("evictions"), 1u);
  EXPECT_EQ(v.counters.at("flushes"), 1u);
  EXPECT_EQ(v.counters.at("invalidations"), 3u);
  EXPECT_EQ(v.counters.at("d4k_hits"), 1u);
  EXPECT_EQ(v.counters.at("d2m_hits"), 2u);
  EXPECT_DOUBLE_EQ(v.reals.at("hit_rate"), 0.75);
}

// flush_pages (one pass over an array when the keys outnumber its entries) drops exactly what
// flush_page of each 4 KiB piece drops, and counts the same flushes and invalidations.
TEST(Tlb, FlushPagesDropsWhatFlushPageOfEachPieceDrops) {
  TlbParams p;
  p.name = "stlb";
  p.arrays.push_back({"shared", {PageSize::k4K, PageSize::k2M}, 64, 4});
  p.arrays.push_back({"huge", {PageSize::k1G}, 4, 4});
  const Context a{1, 1}, b{2, 1};
  const Addr window = Addr{4} << 30;
  struct Range {
    Addr base, end;
  };
  // A 1 GiB page's pieces (a pass over each array), and eight pieces (a probe each).
  for (Range r : {Range{Addr{1} << 30, Addr{2} << 30}, Range{0x4020'0000, 0x4020'8000}}) {
    Tlb ranged(p), paged(p);
    std::vector<std::pair<Addr, Context>> filled;
    Rng rng(7);
    for (int i = 0; i < 400; ++i) {
      const PageSize s = static_cast<PageSize>(rng.below(3));
      const Addr va = page_base(rng.below(window), s);
      const Context ctx = rng.below(2) ? a : b;
      filled.push_back({va, ctx});
      for (Tlb* t : {&ranged, &paged}) t->insert(va, va + (Addr{1} << 40), s, Perms{}, ctx);
    }
    // Last, so that they stay: pages at both ends of the range and just outside it.
    for (PageSize s : {PageSize::k4K, PageSize::k2M, PageSize::k1G}) {
      const Addr first = page_base(r.base, s), last = page_base(r.end - 1, s);
      for (Addr va : {first, last, first - page_bytes(s), last + page_bytes(s)}) {
        if (s == PageSize::k1G && va != first) continue;  // the 1G array holds 4
        filled.push_back({va, a});
        for (Tlb* t : {&ranged, &paged}) t->insert(va, va + (Addr{1} << 40), s, Perms{}, a);
      }
    }
    ranged.flush_pages(r.base, r.end, a);
    for (Addr v = r.base; v < r.end; v += kPageBytes) paged.flush_page(v, a);
    EXPECT_EQ(ranged.stats().flushes, paged.stats().flushes);
    EXPECT_EQ(ranged.stats().invalidations, paged.stats().invalidations);
    EXPECT_GE(ranged.stats().invalidations, 2u);
    EXPECT_EQ(ranged.occupancy(), paged.occupancy());
    for (const auto& [va, ctx] : filled)
      EXPECT_EQ(hits(ranged, va, ctx), hits(paged, va, ctx)) << std::hex << va;
  }
}

}  // namespace
}  // namespace mmusim
