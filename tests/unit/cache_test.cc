// The cache hierarchy, latency histograms and walk step vectors.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "models/cache.h"
#include "models/histogram.h"
#include "models/rng.h"
#include "stats_recorder.h"

namespace mmusim {
namespace {

MemHierarchyParams small_hierarchy() {
  MemHierarchyParams p;
  p.line_bytes = 64;
  p.level[0] = {2 * 2 * 64, 2, ReplPolicy::kLru, 4};    // 2 sets x 2 ways
  p.level[1] = {8 * 4 * 64, 4, ReplPolicy::kLru, 14};   // 8 sets x 4 ways
  p.level[2] = {0, 8, ReplPolicy::kLru, 54};            // disabled
  p.dram.latency = 200;
  return p;
}

TEST(Cache, LruEvictsTheLeastRecentlyUsedLineAndCountsDirtyVictims) {
  Cache c({2 * 2 * 64, 2, ReplPolicy::kLru, 4}, 64, 1);
  bool wb = false;
  EXPECT_FALSE(c.access(0, true, wb));   // set 0, dirty
  EXPECT_FALSE(c.access(2, false, wb));  // set 0
  EXPECT_TRUE(c.access(0, false, wb));   // 0 is now most recent
  EXPECT_FALSE(c.access(4, false, wb));  // evicts 2 (clean)
  EXPECT_FALSE(wb);
  EXPECT_TRUE(c.access(0, false, wb));
  EXPECT_FALSE(c.access(6, false, wb));  // evicts 4
  EXPECT_FALSE(c.access(8, false, wb));  // evicts 0, dirty
  EXPECT_TRUE(wb);
  EXPECT_FALSE(c.access(0, false, wb));
}

// A plain tag array with a timestamp per way: the oldest stamp is the victim (invalid ways have
// stamp 0 and the lowest index wins a tie); random replacement picks any way once the set is full.
class ReferenceCache {
 public:
  ReferenceCache(uint32_t sets, uint32_t ways, ReplPolicy policy, uint64_t seed)
      : m_sets(sets), m_ways(ways), m_policy(policy), m_rng(seed), m_tags(sets * ways),
        m_stamps(sets * ways), m_dirty(sets * ways) {}
  bool access(uint64_t line, bool write, bool& writeback) {
    const size_t base = (line % m_sets) * m_ways;
    for (size_t i = base; i < base + m_ways; ++i) {
      if (m_tags[i] == line + 1) {
        if (m_policy == ReplPolicy::kLru) m_stamps[i] = ++m_clock;
        m_dirty[i] = m_dirty[i] || write;
        writeback = false;
        return true;
      }
    }
    size_t victim = base;
    for (size_t i = base; i < base + m_ways; ++i)
      if (m_stamps[i] < m_stamps[victim]) victim = i;
    if (m_policy == ReplPolicy::kRandom && m_tags[victim] != 0) victim = base + m_rng.below(m_ways);
    writeback = m_tags[victim] != 0 && m_dirty[victim];
    m_tags[victim] = line + 1;
    m_stamps[victim] = ++m_clock;
    m_dirty[victim] = write;
    return false;
  }

 private:
  uint32_t m_sets, m_ways;
  ReplPolicy m_policy;
  Rng m_rng;
  uint64_t m_clock = 0;
  std::vector<uint64_t> m_tags, m_stamps;
  std::vector<bool> m_dirty;
};

TEST(Cache, AgreesWithATimestampReferenceForEveryPolicyAndWayCount) {
  for (ReplPolicy policy : {ReplPolicy::kLru, ReplPolicy::kFifo, ReplPolicy::kRandom}) {
    for (uint32_t ways : {1u, 2u, 3u, 8u, 11u, 16u, 17u, 33u, 64u}) {
      const uint32_t sets = 4;
      Cache c({uint64_t{sets} * ways * 64, ways, policy, 4}, 64, 9);
      ReferenceCache ref(sets, ways, policy, 9);
      Rng rng(ways);
      uint64_t hits = 0, writebacks = 0;
      for (int i = 0; i < 20000; ++i) {
        // Lines from a pool a little larger than the cache, so hits, misses and evictions mix.
        const uint64_t line = rng.below(sets * ways * 3 / 2 + 2);
        const bool write = rng.below(4) == 0;
        bool wb = false, ref_wb = false;
        const bool hit = c.access(line, write, wb);
        ASSERT_EQ(hit, ref.access(line, write, ref_wb))
            << repl_policy_name(policy) << " " << ways << " ways, access " << i;
        ASSERT_EQ(wb, ref_wb) << repl_policy_name(policy) << " " << ways << " ways, access " << i;
        hits += hit;
        writebacks += wb;
      }
      EXPECT_GT(hits, 0u);
      EXPECT_GT(writebacks, 0u);
    }
  }
}

TEST(MemHierarchy, ServedByTheFirstLevelHoldingTheLine) {
  MemHierarchy h(small_hierarchy());
  auto r = h.access(0x1000, false, MemLevel::kL1, MemHierarchy::kWalk);
  EXPECT_EQ(r.served, MemLevel::kDram);
  EXPECT_EQ(r.latency, 200u);
  r = h.access(0x1008, false, MemLevel::kL1, MemHierarchy::kWalk);  // same line
  EXPECT_EQ(r.served, MemLevel::kL1);
  EXPECT_EQ(r.latency, 4u);
  // Three more lines in L1 set 0 push 0x1000 out of the L1, not out of the L2.
  for (Addr a : {0x2000, 0x3000, 0x4000}) h.access(a, false, MemLevel::kL1, MemHierarchy::kData);
  r = h.access(0x1000, false, MemLevel::kL1, MemHierarchy::kWalk);
  EXPECT_EQ(r.served, MemLevel::kL2);
  EXPECT_EQ(r.latency, 14u);
  // Entering at the L2 bypasses the L1; at DRAM, every cache.
  r = h.access(0x5000, false, MemLevel::kL2, MemHierarchy::kWalk);
  EXPECT_EQ(r.served, MemLevel::kDram);
  EXPECT_EQ(h.access(0x5000, false, MemLevel::kL2, MemHierarchy::kWalk).served, MemLevel::kL2);
  EXPECT_EQ(h.access(0x5000, false, MemLevel::kDram, MemHierarchy::kWalk).served,
            MemLevel::kDram);
  StatsRecorder rec;
  h.report(rec);
  EXPECT_EQ(rec.counters["data_accesses"], 3u);  // the DRAM group is reported last
}

TEST(MemHierarchy, OpenRowsAreFaster) {
  MemHierarchyParams p = small_hierarchy();
  p.level[0].size_bytes = p.level[1].size_bytes = 0;
  p.dram.row_buffer = true;
  p.dram.banks = 4;
  p.dram.row_bytes = 8192;
  p.dram.row_hit_latency = 120;
  MemHierarchy h(p);
  EXPECT_EQ(h.access(0, false, MemLevel::kL1, MemHierarchy::kData).latency, 200u);
  EXPECT_EQ(h.access(64, false, MemLevel::kL1, MemHierarchy::kData).latency, 120u);
  EXPECT_EQ(h.access(4 * 8192, false, MemLevel::kL1, MemHierarchy::kData).latency, 200u);
  EXPECT_EQ(h.access(128, false, MemLevel::kL1, MemHierarchy::kData).latency, 200u);  // closed
  EXPECT_EQ(h.access(8192, false, MemLevel::kL1, MemHierarchy::kData).latency, 200u);  // bank 1
  EXPECT_EQ(h.access(192, false, MemLevel::kL1, MemHierarchy::kData).latency, 120u);
}

TEST(LatencyHistogram, PercentilesAreExactBelow64AndWithinABucketAbove) {
  LatencyHistogram h;
  for (Cycles v = 1; v <= 100; ++v) h.add(v % 50);  // 0..49 twice
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.percentile(0.5), 24u);
  EXPECT_EQ(h.percentile(1.0), 49u);
  EXPECT_EQ(h.max(), 49u);
  Rng rng(3);
  LatencyHistogram big;
  std::vector<Cycles> values;
  for (int i = 0; i < 10000; ++i) {
    values.push_back(64 + rng.below(1 << 20));
    big.add(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99}) {
    const Cycles exact = values[static_cast<size_t>(q * values.size()) - 1];
    const Cycles got = big.percentile(q);
    EXPECT_GE(got, exact);
    EXPECT_LE(double(got), double(exact) * 1.0625 + 1);
  }
  EXPECT_EQ(big.percentile(1.0), values.back());
  for (unsigned b = LatencyHistogram::kLinear; b < LatencyHistogram::kBuckets - 1; ++b) {
    EXPECT_EQ(LatencyHistogram::bucket(LatencyHistogram::upper(b)), b);
    EXPECT_EQ(LatencyHistogram::bucket(LatencyHistogram::upper(b) + 1), b + 1);
  }
}

TEST(StepHistogram, CountsVectorsAndListsTheMostFrequentFirst) {
  StepVector a, b;
  for (Step s : {Step::kPwc, Step::kL2, Step::kL2, Step::kDram}) a.push(s);
  b.push(Step::kDmt);
  b.push(Step::kLlc);
  EXPECT_EQ(a.str(), "PWC,L2,L2,DRAM");
  StepHistogram h;
  h.add(b);
  for (int i = 0; i < 3; ++i) h.add(a);
  const auto top = h.top(5);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].first, "PWC,L2,L2,DRAM");
  EXPECT_EQ(top[0].second, 3u);
  EXPECT_EQ(top[1].first, "DMT,LLC");
  EXPECT_EQ(h.top(1).size(), 1u);
  StepVector longest;
  for (unsigned i = 0; i < 124; ++i) longest.push(Step::kDram);
  EXPECT_EQ(longest.n, StepVector::kMax);
  EXPECT_EQ(longest.str().substr(longest.str().size() - 8), "DRAM,...");
}

}  // namespace
}  // namespace mmusim
