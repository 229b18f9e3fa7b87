// The cache hierarchy, latency histograms and walk step vectors.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
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
      for (uint32_t sets : {4u, 3u}) {  // a mask indexes the sets, or a modulo
        Cache c({uint64_t{sets} * ways * 64, ways, policy, 4}, 64, 9);
        ReferenceCache ref(sets, ways, policy, 9);
        Rng rng(ways);
        uint64_t hits = 0, writebacks = 0;
        const std::string where = std::string(repl_policy_name(policy)) + " " +
                                  std::to_string(sets) + " sets x " + std::to_string(ways) +
                                  " ways, access ";
        for (int i = 0; i < 20000; ++i) {
          // Lines from a pool a little larger than the cache, so hits, misses and evictions mix.
          const uint64_t line = rng.below(sets * ways * 3 / 2 + 2);
          const bool write = rng.below(4) == 0;
          bool wb = false, ref_wb = false;
          const bool hit = c.access(line, write, wb);
          ASSERT_EQ(hit, ref.access(line, write, ref_wb)) << where << i;
          ASSERT_EQ(wb, ref_wb) << where << i;
          hits += hit;
          writebacks += wb;
        }
        EXPECT_GT(hits, 0u);
        EXPECT_GT(writebacks, 0u);
      }
    }
  }
}

TEST(QlruPolicy, ParsesAbelAndReinekesNamesAndRefusesOthers) {
  QlruPolicy p;
  ASSERT_TRUE(parse_qlru_policy("qlru_h00_m1_r2_u1", p));  // Skylake's (Coffee Lake's) L2
  EXPECT_EQ(p.hit[3], 0);
  EXPECT_EQ(p.insert, 1);
  EXPECT_EQ(p.victim, 2);
  EXPECT_EQ(p.update, 1);
  EXPECT_FALSE(p.randomized());
  ASSERT_TRUE(parse_qlru_policy("qlru_h11_mr31_r0_u0", p));
  EXPECT_EQ(p.hit[3], 1);
  EXPECT_EQ(p.hit[2], 1);
  EXPECT_EQ(p.insert, 3);
  EXPECT_EQ(p.insert_rare, 1);
  EXPECT_TRUE(p.randomized());
  ASSERT_TRUE(parse_qlru_policy("qlru_h00_m2_r0_u0_umo", p));  // SRRIP
  EXPECT_TRUE(p.update_on_miss_only);
  for (const char* name : {"qlru_h21_m0_r1_u2", "qlru_h20_mr10_r2_u1", "qlru_h10_m3_r1_u3_umo",
                           "qlru_h00_mr13_r0_u1",
                           "qlru_h11_m1_r0_u0", "qlru_h00_mr32_r0_u0_umo"}) {
    ASSERT_TRUE(parse_qlru_policy(name, p)) << name;
    EXPECT_EQ(qlru_policy_name(p), name);
  }
  const QlruPolicy before = p;
  for (const char* bad : {"", "qlru", "QLRU_H11_M1_R0_U0", "qlru_h12_m1_r0_u0", "qlru_h01_m1_r0_u0",
                          "qlru_h30_m1_r0_u0", "qlru_h11_m4_r0_u0", "qlru_h11_mr14_r0_u0",
                          "qlru_h11_mr33_r0_u0", "qlru_h11_m1_r3_u0", "qlru_h11_m1_r0_u4",
                          "qlru_h11_m1_r0_u2", "qlru_h11_m1_r2_u3", "qlru_h11_m1_r0_u0_",
                          "qlru_h11_m1_r0_u0_umox", "qlru_h11_m1_r0", "lru"})
    EXPECT_FALSE(parse_qlru_policy(bad, p)) << bad;
  EXPECT_TRUE(p == before);
}

TEST(QlruPolicy, LeaderSetsAreSkylakesPublishedOnes) {
  // CacheQuery's leader-set test for a Skylake i5-6500 gives, for the first policy, the 16 sets
  // in every 1024 that uops.info lists as keeping the fixed policy of Ice Lake's adaptive L3.
  const std::vector<size_t> first = {0,   33,  132, 165, 264, 297, 396, 429,
                                     528, 561, 660, 693, 792, 825, 924, 957};
  std::vector<size_t> got[3];
  for (size_t s = 0; s < 2048; ++s) got[Cache::leader(s)].push_back(s);
  std::vector<size_t> first_twice = first;
  for (size_t s : first) first_twice.push_back(s + 1024);
  EXPECT_EQ(got[1], first_twice);
  ASSERT_EQ(got[2].size(), 32u);
  EXPECT_EQ(got[2][0], 2u);
  EXPECT_EQ(got[2][1], 35u);
  EXPECT_EQ(got[2][2], 134u);
}

// Abel and Reineke's QLRU simulator (nanoBench's cacheSim.py, QLRUSim) transcribed: per set a list
// of blocks and of 2-bit ages, an invalid block at age 3; plus set dueling with CacheQuery's
// leader-set test and a 10-bit PSEL, as Cache documents it.
class ReferenceQlru {
 public:
  ReferenceQlru(uint32_t sets, uint32_t ways, const QlruPolicy& a, const QlruPolicy* b,
                uint64_t seed)
      : m_sets(sets), m_ways(ways), m_policy{a, b ? *b : a}, m_duel(b != nullptr), m_rng(seed),
        m_blocks(sets, std::vector<uint64_t>(ways, 0)), m_bits(sets, std::vector<int>(ways, 3)),
        m_dirty(sets, std::vector<bool>(ways, false)) {}

  bool access(uint64_t line, bool write, bool& writeback) {
    const size_t s = line % m_sets;
    std::vector<uint64_t>& blocks = m_blocks[s];
    std::vector<int>& bits = m_bits[s];
    const size_t g = s % 1024;
    const bool is_leader = m_duel && ((g >> 5) ^ (g & 31)) == (g & 2);
    const int group = is_leader ? ((g & 2) ? 1 : 0) : (m_psel >= 512 ? 1 : 0);
    const QlruPolicy& q = m_policy[group];
    for (size_t i = 0; i < m_ways; ++i) {
      if (blocks[i] != line + 1) continue;
      bits[i] = q.hit[bits[i]];
      if (!q.update_on_miss_only) update(bits, q.update, static_cast<int>(i));
      m_dirty[s][i] = m_dirty[s][i] || write;
      writeback = false;
      return true;
    }
    if (is_leader) {
      if (group == 0 && m_psel < 1023) ++m_psel;
      if (group == 1 && m_psel > 0) --m_psel;
    }
    if (q.update_on_miss_only) update(bits, q.update, -1);
    int victim = -1;
    for (size_t i = 0; i < m_ways; ++i) {
      if (blocks[i] != 0) continue;
      if (victim < 0 || q.victim == 2) victim = static_cast<int>(i);  // R2: the last invalid
    }
    if (victim < 0) {
      victim = 0;  // no way of age 3: way 0 (R1; R0 and R2 only with one way)
      for (size_t i = 0; i < m_ways; ++i) {
        if (bits[i] == 3) {
          victim = static_cast<int>(i);
          break;
        }
      }
    }
    writeback = blocks[victim] != 0 && m_dirty[s][victim];
    blocks[victim] = line + 1;
    m_dirty[s][victim] = write;
    bits[victim] = q.randomized() && m_rng.below(16) == 0 ? q.insert_rare : q.insert;
    if (!q.update_on_miss_only) update(bits, q.update, victim);
    return false;
  }
  uint32_t psel() const { return m_psel; }

 private:
  // cacheSim's QLRUUpdFuncs; index -1 excludes no way.
  static void update(std::vector<int>& bits, uint8_t u, int index) {
    int max_all = 0, max_others = -1;
    for (size_t i = 0; i < bits.size(); ++i) {
      max_all = std::max(max_all, bits[i]);
      if (static_cast<int>(i) != index) max_others = std::max(max_others, bits[i]);
    }
    for (size_t i = 0; i < bits.size(); ++i) {
      const bool other = static_cast<int>(i) != index;
      switch (u) {
        case 0: bits[i] += 3 - max_all; break;
        case 1: if (other && max_others >= 0) bits[i] += 3 - max_others; break;
        case 2: if (max_all < 3) bits[i] += 1; break;
        case 3: if (max_all < 3 && other) bits[i] += 1; break;
      }
    }
  }

  size_t m_sets, m_ways;
  QlruPolicy m_policy[2];
  bool m_duel;
  Rng m_rng;
  uint32_t m_psel = 511;
  std::vector<std::vector<uint64_t>> m_blocks;
  std::vector<std::vector<int>> m_bits;
  std::vector<std::vector<bool>> m_dirty;
};

TEST(Cache, QlruAgreesWithAbelAndReinekesSimulatorForEveryWayCount) {
  struct Case {
    const char* policy;
    const char* duel;  // "" : no set dueling
  };
  const Case cases[] = {
      {"qlru_h00_m1_r2_u1", ""},      {"qlru_h11_m1_r0_u0", ""},
      {"qlru_h11_m1_r1_u2", ""},      {"qlru_h00_m1_r0_u1", ""},
      {"qlru_h21_m2_r0_u0_umo", ""},  {"qlru_h10_m3_r1_u3", ""},
      {"qlru_h20_m0_r2_u1", ""},      {"qlru_h11_mr31_r0_u0", ""},
      {"qlru_h11_m1_r0_u0", "qlru_h11_mr31_r0_u0"},
      {"qlru_h00_m1_r2_u1", "qlru_h21_mr20_r1_u2_umo"},
      {"qlru_h00_m1_r0_u1", "qlru_h00_mr13_r0_u1"},
  };
  for (const Case& k : cases) {
    QlruPolicy a, b;
    ASSERT_TRUE(parse_qlru_policy(k.policy, a));
    const bool duel = k.duel[0] != '\0';
    if (duel) {
      ASSERT_TRUE(parse_qlru_policy(k.duel, b));
    }
    for (uint32_t ways : {1u, 2u, 3u, 4u, 11u, 16u, 17u, 33u, 64u}) {
      for (uint32_t sets : {4u, 64u}) {
        CacheParams p{uint64_t{sets} * ways * 64, ways, ReplPolicy::kLru, 4};
        p.qlru = true;
        p.qlru_policy = a;
        p.duel = duel;
        p.duel_policy = b;
        Cache c(p, 64, 9);
        ReferenceQlru ref(sets, ways, a, duel ? &b : nullptr, 9);
        Rng rng(ways * 100 + sets);
        const std::string where = std::string(k.policy) + " " + k.duel + " " +
                                  std::to_string(ways) + " ways " + std::to_string(sets) + " sets";
        uint64_t hits = 0, writebacks = 0;
        uint32_t psel_min = 1023, psel_max = 0;
        for (int i = 0; i < 20000; ++i) {
          // A pool a little larger than the cache; half the time a quarter of it, so the
          // policies' hit promotion matters and set dueling sees both policies win.
          const uint64_t pool = sets * ways * 3 / 2 + 2;
          const uint64_t line = rng.below((i / 2000) % 2 ? pool / 4 + 1 : pool);
          const bool write = rng.below(4) == 0;
          bool wb = false, ref_wb = false;
          const bool hit = c.access(line, write, wb);
          ASSERT_EQ(hit, ref.access(line, write, ref_wb)) << where << ", access " << i;
          ASSERT_EQ(wb, ref_wb) << where << ", access " << i;
          ASSERT_EQ(c.psel(), ref.psel()) << where << ", access " << i;
          psel_min = std::min(psel_min, c.psel());
          psel_max = std::max(psel_max, c.psel());
          hits += hit;
          writebacks += wb;
        }
        EXPECT_GT(hits, 0u) << where;
        EXPECT_GT(writebacks, 0u) << where;
        if (duel) {
          EXPECT_LT(psel_min, 512u) << where;
          EXPECT_GE(psel_max, 512u) << where;
        }
      }
    }
  }
}

// What a thrash-resistant insertion is for: lines that are reused, against a stream that never
// is. Per set, 4 reused lines and 8 streaming ones between two uses of each: an 8-way LRU cache
// never hits; inserting at age 3 (one time in 16 at 1) keeps the reused lines, and set dueling
// between the two finds that.
TEST(Cache, ThrashResistantInsertionKeepsReusedLinesAgainstAStream) {
  auto run = [](const char* policy, const char* duel) {
    const uint32_t sets = 64, ways = 8;
    CacheParams p{uint64_t{sets} * ways * 64, ways, ReplPolicy::kLru, 4};
    if (policy[0] != '\0') {
      p.qlru = parse_qlru_policy(policy, p.qlru_policy);
      EXPECT_TRUE(p.qlru);
    }
    p.duel = duel[0] != '\0' && parse_qlru_policy(duel, p.duel_policy);
    Cache c(p, 64, 3);
    uint64_t reused_hits = 0, stream = 1 << 20;
    const uint64_t kReused = sets * 4;
    for (uint64_t i = 0; i < 200 * kReused; ++i) {
      bool wb;
      reused_hits += c.access(i % kReused, false, wb);
      c.access(stream++, false, wb);
      c.access(stream++, false, wb);
    }
    return static_cast<double>(reused_hits) / (200 * kReused);
  };
  EXPECT_EQ(run("", ""), 0.0);                                    // LRU
  EXPECT_LT(run("qlru_h11_m1_r0_u0", ""), 0.05);                  // inserted at age 1
  EXPECT_GT(run("qlru_h11_mr31_r0_u0", ""), 0.8);                 // mostly at age 3
  EXPECT_GT(run("qlru_h11_m1_r0_u0", "qlru_h11_mr31_r0_u0"), 0.8);  // dueling picks it
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

// Records counters under their group's name ("l2.walk_accesses").
class GroupRecorder : public StatsVisitor {
 public:
  void begin(const char* name) override { m_group = name; }
  void end() override { m_group.clear(); }
  void counter(const char* name, uint64_t value, const char*, const char*) override {
    counters[m_group.empty() ? name : m_group + "." + name] = value;
  }
  void real(const char*, double, const char*, const char*) override {}
  std::map<std::string, uint64_t> counters;

 private:
  std::string m_group;
};

TEST(MemHierarchy, ReportsTheAccessesThatProbedEachLevel) {
  // Every entry level and source mixed, with every level on and with the L2 off; the counts
  // expected come from where each access was served.
  for (bool l2 : {true, false}) {
    MemHierarchyParams p = small_hierarchy();
    p.level[2] = {32 * 8 * 64, 8, ReplPolicy::kLru, 54};
    if (!l2) p.level[1].size_bytes = 0;
    MemHierarchy h(p);
    uint64_t probes[2][kCacheLevels + 1] = {}, hits[2][kCacheLevels] = {};
    Rng rng(5);
    for (int i = 0; i < 20000; ++i) {
      const Addr pa = rng.below(600) * 64;
      const auto entry = static_cast<MemLevel>(rng.below(4));
      const auto source = static_cast<MemHierarchy::Source>(rng.below(2));
      const MemHierarchy::Result r = h.access(pa, rng.below(3) == 0, entry, source);
      const unsigned served = static_cast<unsigned>(r.served);
      ASSERT_GE(served, static_cast<unsigned>(entry));
      for (unsigned l = static_cast<unsigned>(entry); l <= served; ++l) ++probes[source][l];
      if (served < kCacheLevels) ++hits[source][served];
    }
    GroupRecorder rec;
    h.report(rec);
    const char* names[] = {"l1d", "l2", "llc", "dram"};
    for (unsigned l = 0; l <= kCacheLevels; ++l) {
      if (l == 1 && !l2) {
        EXPECT_EQ(rec.counters.count("l2.walk_accesses"), 0u);
        EXPECT_EQ(hits[0][1] + hits[1][1], 0u);
        continue;
      }
      const std::string g = names[l];
      EXPECT_EQ(rec.counters[g + ".walk_accesses"], probes[MemHierarchy::kWalk][l]) << g;
      EXPECT_EQ(rec.counters[g + ".data_accesses"], probes[MemHierarchy::kData][l]) << g;
      EXPECT_GT(probes[MemHierarchy::kWalk][l], 0u) << g;
      if (l == kCacheLevels) continue;
      EXPECT_EQ(rec.counters[g + ".walk_hits"], hits[MemHierarchy::kWalk][l]) << g;
      EXPECT_EQ(rec.counters[g + ".data_hits"], hits[MemHierarchy::kData][l]) << g;
      EXPECT_GT(hits[MemHierarchy::kData][l], 0u) << g;
    }
  }
}

TEST(MemHierarchy, OnlyTheEntryLevelSeesTheStore) {
  // The L1 is off: a store entering there fills the L2 clean; one entering at the L2 dirties it.
  MemHierarchyParams p = small_hierarchy();
  p.level[0].size_bytes = 0;
  MemHierarchy h(p);
  auto writebacks = [&h] {
    GroupRecorder rec;
    h.report(rec);
    return rec.counters["l2.writebacks"];
  };
  // L2 set 0 (8 sets of 4 ways): lines 0, 8, 16, ...
  auto evict_set0 = [&h] {
    for (Addr n = 1; n <= 4; ++n) h.access(n * 8 * 64, false, MemLevel::kL2, MemHierarchy::kData);
  };
  h.access(0, true, MemLevel::kL1, MemHierarchy::kData);
  evict_set0();
  EXPECT_EQ(writebacks(), 0u);
  h.access(0, true, MemLevel::kL2, MemHierarchy::kData);
  evict_set0();
  EXPECT_EQ(writebacks(), 1u);
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

TEST(MemHierarchy, CountsLlcHitsOnLinesAnotherCoreFilled) {
  // Two cores sharing core 0's LLC of 32 sets, through access()'s own path (8 ways, LRU) and
  // access_any()'s (20 ways; quad-age LRU). Entering at the LLC bypasses the private levels.
  for (const char* llc : {"lru8", "lru20", "qlru8"}) {
    MemHierarchyParams p = small_hierarchy();
    const uint32_t ways = std::string(llc) == "lru20" ? 20 : 8;
    p.level[2] = {32 * ways * 64, ways, ReplPolicy::kLru, 54};
    if (std::string(llc) == "qlru8")
      p.level[2].qlru = parse_qlru_policy("qlru_h11_m1_r0_u0", p.level[2].qlru_policy);
    MemHierarchy h0(p), h1(p);
    h0.share_llc(h0, 0);
    h1.share_llc(h0, 1);
    auto shared = [](const MemHierarchy& h, const char* source) {
      GroupRecorder rec;
      h.report(rec);
      return rec.counters[std::string("llc.") + source + "_shared_hits"];
    };
    const auto kLlc = MemLevel::kLlc;
    // Core 0 fills the line and hits it: its own line.
    EXPECT_EQ(h0.access(0, false, kLlc, MemHierarchy::kWalk).served, MemLevel::kDram) << llc;
    EXPECT_EQ(h0.access(0, false, kLlc, MemHierarchy::kWalk).served, kLlc) << llc;
    EXPECT_EQ(shared(h0, "walk"), 0u) << llc;
    // Core 1 hits it twice, once through its own L1D and L2 (which miss): core 0's line each time.
    EXPECT_EQ(h1.access(0, false, kLlc, MemHierarchy::kWalk).served, kLlc) << llc;
    EXPECT_EQ(h1.access(0, false, MemLevel::kL1, MemHierarchy::kData).served, kLlc) << llc;
    EXPECT_EQ(shared(h1, "walk"), 1u) << llc;
    EXPECT_EQ(shared(h1, "data"), 1u) << llc;
    EXPECT_EQ(h1.llc_hits(), 2u) << llc;
    EXPECT_EQ(h1.llc_shared_hits(), 2u) << llc;
    // Core 0 pushes the line out of its set (set 0: lines 0, 32, 64, ...); core 1 fills it
    // again, so it is core 1's now and core 0's hit on it is shared.
    for (Addr n = 1; n <= 4 * ways; ++n) h0.access(n * 32 * 64, false, kLlc, MemHierarchy::kData);
    EXPECT_EQ(h1.access(0, false, kLlc, MemHierarchy::kData).served, MemLevel::kDram) << llc;
    EXPECT_EQ(h0.access(0, false, kLlc, MemHierarchy::kData).served, kLlc) << llc;
    EXPECT_EQ(shared(h0, "data"), 1u) << llc;
    EXPECT_EQ(shared(h0, "walk"), 0u) << llc;
    EXPECT_EQ(h0.llc_shared_hits(), 1u) << llc;
    EXPECT_EQ(h1.llc_shared_hits(), 2u) << llc;
  }
  // One core: nothing is tracked or reported.
  MemHierarchyParams p = small_hierarchy();
  p.level[2] = {32 * 8 * 64, 8, ReplPolicy::kLru, 54};
  MemHierarchy h(p);
  h.access(0, false, MemLevel::kLlc, MemHierarchy::kWalk);
  h.access(0, false, MemLevel::kLlc, MemHierarchy::kWalk);
  GroupRecorder rec;
  h.report(rec);
  EXPECT_EQ(rec.counters["llc.walk_hits"], 1u);
  EXPECT_EQ(rec.counters.count("llc.walk_shared_hits"), 0u);
  EXPECT_EQ(h.llc_shared_hits(), 0u);
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
