// The data-side memory hierarchy: set-associative L1D, L2 and LLC (write-back, write-allocate,
// non-inclusive fills of every level probed) in front of DRAM with a fixed latency or an open-row
// bank model. Page-walk reads and the workload's data accesses share it, so page-table lines and
// data compete. Only tags are kept: the hierarchy decides latency, never data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/byte_set.h"
#include "models/host_prefetch.h"
#include "models/huge_page_allocator.h"
#include "models/qlru.h"
#include "models/replacement.h"
#include "models/rng.h"
#include "models/stats.h"
#include "models/types.h"

namespace mmusim {

// Where an access was served, in probe order.
enum class MemLevel : uint8_t { kL1, kL2, kLlc, kDram };
constexpr unsigned kCacheLevels = 3;
const char* mem_level_name(MemLevel l);
// Accepts "l1d", "l2", "llc" or "dram".
bool parse_mem_level(const std::string& text, MemLevel& out);

struct CacheParams {
  uint64_t size_bytes = 0;  // 0 disables the level
  uint32_t ways = 8;
  ReplPolicy policy = ReplPolicy::kLru;  // unless qlru
  Cycles latency = 4;                    // load-to-use latency when the access is served here
  bool qlru = false;                     // quad-age LRU: qlru_policy replaces `policy`
  QlruPolicy qlru_policy{};
  bool duel = false;  // set dueling (qlru only): leader sets of each policy, followers pick by PSEL
  QlruPolicy duel_policy{};
};

struct DramParams {
  Cycles latency = 200;  // every access (row_buffer off), or a row miss (on)
  bool row_buffer = false;
  uint32_t banks = 16;
  uint64_t row_bytes = 8192;
  Cycles row_hit_latency = 120;  // the row is open in its bank
};

struct MemHierarchyParams {
  uint32_t line_bytes = 64;
  CacheParams level[kCacheLevels];  // L1D, L2, LLC (a default CacheParams is disabled)
  DramParams dram;

  // The DMT paper's evaluation hierarchy (configs/default.yaml): L1D 32 KiB 8-way 4 cycles,
  // L2 1 MiB 16-way 14 cycles, LLC 22 MiB 11-way 54 cycles, DRAM 200 cycles.
  static MemHierarchyParams dmt_paper() {
    MemHierarchyParams p;
    p.level[0] = {32 << 10, 8, ReplPolicy::kLru, 4};
    p.level[1] = {1024 << 10, 16, ReplPolicy::kLru, 14};
    p.level[2] = {22528 << 10, 11, ReplPolicy::kLru, 54};
    return p;
  }
};

// A tag array. Each set is one block of 64-bit words: a byte per way of partial tag (a hash of
// the line, so one 16-byte compare finds the candidate ways), a byte per way of age rank (0 = most
// recent; the ranks of a set are a permutation of 0..ways-1), both padded to 16 bytes, a dirty
// mask, then the full tags (line + 1; 0 is invalid). LRU moves a way to rank 0 on every use, FIFO
// only on a fill; the victim is the oldest way. Ranks start as ways-1-w, so an empty set fills
// ways 0, 1, 2... in order. Random replacement fills invalid ways first in the same order, then
// picks any way. A probe reads a few host cache lines of one block.
//
// Quad-age LRU keeps a 2-bit age in the age byte (4 marks an invalid way, which counts as age 3).
// With set dueling, as Intel's adaptive L3 (Qureshi et al., ISCA 2007; Wong, "Intel Ivy Bridge
// cache replacement policy", 2013; Abel and Reineke, uops.info/cache.html), two groups of 16
// leader sets in every 1024 keep one policy each and count their misses in a 10-bit saturating
// PSEL; the other sets follow the policy whose leaders miss less. The leader sets are Skylake's
// as CacheQuery's config for the Core i5-6500 gives them (Vila et al., PLDI 2020): with g the set
// index modulo 1024, g>>5 == g&31 and g&2 clear (0, 33, 132, 165, ...) for the first policy,
// g>>5 == (g&31)^2 and g&2 set (2, 35, 134, 167, ...) for the second.
class Cache {
 public:
  Cache(const CacheParams& p, uint32_t line_bytes, uint64_t seed);
  Cache() : Cache(CacheParams{}, 64, 1) {}  // disabled
  bool enabled() const { return m_sets != 0; }
  // access() takes its inline path (so the cache is enabled).
  bool small() const { return m_small; }
  const CacheParams& params() const { return m_params; }
  // The line's partial tag, and it repeated for the 16-byte compare: computed once per access and
  // shared by the levels probed.
  struct LineKey {
    explicit LineKey(uint64_t line) : tag(partial_tag(line)), rows(ways8::repeat16(tag)) {}
    uint8_t tag;
    ways8::Repeated16 rows;
  };
  // Probes the line; a miss allocates it. Returns hit; writeback tells whether a dirty line left.
  bool access(uint64_t line, bool write, bool& writeback) {
    return access(line, LineKey(line), write, writeback);
  }
  __attribute__((always_inline)) bool access(uint64_t line, const LineKey& key, bool write,
                                             bool& writeback) {
    uint32_t way;  // not wanted here: once inlined, nothing stores it
    return access(line, key, write, writeback, way);
  }
  // access() with the line's key at hand; way tells where the line was found or filled. LRU and
  // FIFO caches of at most 16 ways and a power-of-two number of sets take the path below (one
  // 16-byte step for the partial tags, one for the ages); others take access_any().
  __attribute__((always_inline)) bool access(uint64_t line, const LineKey& key, bool write,
                                             bool& writeback, uint32_t& way) {
    if (!m_small) return access_any(line, write, writeback, way);
    uint64_t* block = &m_blocks[(line & m_set_mask) * m_stride];
    uint8_t* partial = reinterpret_cast<uint8_t*>(block);
    uint8_t* ages = partial + 16;
    uint64_t& dirty = block[kSmallDirtyWord];
    uint64_t* tags = block + kSmallDirtyWord + 1;
    const uint64_t want = line + 1;
    for (uint64_t c = ways8::matches16(partial, key.rows) & m_way_mask; c; c &= c - 1) {
      const uint32_t w = static_cast<uint32_t>(__builtin_ctzll(c));
      if (tags[w] != want) continue;
      if (m_lru) ways8::make_youngest(ages, 16, w);
      dirty |= uint64_t{write} << w;
      writeback = false;
      way = w;
      return true;
    }
    // The victim is the oldest way: an invalid one while the set has one (ranks start ways-1-w).
    const uint32_t victim = ways8::renew_oldest16(ages, m_last_rank4);
    writeback = (dirty >> victim) & 1;  // only valid lines are ever dirty
    tags[victim] = want;
    partial[victim] = key.tag;
    dirty = (dirty & ~(uint64_t{1} << victim)) | (uint64_t{write} << victim);
    way = victim;
    return false;
  }
  // Several cores sharing this cache: a byte per line naming the core that filled it, kept
  // beside the tag array so its blocks (and a probe's host lines) stay as they are. Off (and
  // nothing allocated) until track_fillers(); the caller reads and writes a line's byte through
  // filler() with the way access() gave; calling track_fillers() again changes nothing.
  void track_fillers() { m_fillers.resize(size_t{m_sets} * m_ways); }
  uint8_t& filler(uint64_t line, uint32_t way) { return m_fillers[set_of(line) * m_ways + way]; }
  // Starts loading the line's set of filler bytes into the host's caches (a hint, as prefetch()).
  void prefetch_fillers(uint64_t line) const {
    if (!m_fillers.empty()) host_prefetch(m_fillers.data() + set_of(line) * m_ways);
  }
  size_t filler_bytes() const { return m_fillers.size(); }
  // Starts loading the line's set block into the host's caches (a hint; no effect on results).
  void prefetch(uint64_t line) const {
    if (m_block_lines == 0) return;  // disabled
    const char* b = reinterpret_cast<const char*>(m_blocks.data() + set_of(line) * m_stride);
    // Sets of at most 16 ways span 1 to 3 lines.
    host_prefetch(b);
    if (m_block_lines > 1) host_prefetch(b + 64);
    if (m_block_lines > 2) host_prefetch(b + 128);
    for (uint32_t i = 3; i < m_block_lines; ++i) host_prefetch(b + 64 * i);
  }

  // Set dueling: the PSEL counter (followers take the second policy from its upper half) and the
  // misses of each group of leader sets.
  uint32_t psel() const { return m_psel; }
  uint64_t leader_misses(unsigned policy) const { return m_leader_misses[policy]; }
  static constexpr uint32_t kPselBits = 10;  // DIP's width (Qureshi et al.); Intel's is unknown
  // 0: a follower set, 1: a leader of the first policy, 2: of the second.
  static unsigned leader(size_t set) {
    const unsigned g = static_cast<unsigned>(set & 1023), hi = g >> 5, lo = g & 31;
    if (!(lo & 2)) return hi == lo ? 1 : 0;
    return hi == (lo ^ 2) ? 2 : 0;
  }

 private:
  static constexpr uint8_t kInvalidAge = 4;
  static uint8_t partial_tag(uint64_t line) {
    return static_cast<uint8_t>((line * 0x9e3779b97f4a7c15ULL) >> 56);
  }
  // Word of a small set's block holding the dirty mask: after 16 bytes of partial tags and 16
  // of ages.
  static constexpr size_t kSmallDirtyWord = 4;
  size_t set_of(uint64_t line) const {
    return static_cast<size_t>(m_pow2_sets ? (line & m_set_mask) : (line % m_sets));
  }
  // access() for any geometry and policy.
  bool access_any(uint64_t line, bool write, bool& writeback, uint32_t& way);
  // Quad-age LRU: the policy a set follows; a hit on way w; a miss filling the line.
  const QlruPolicy& qlru_policy(size_t set) const;
  void qlru_hit(size_t set, uint8_t* ages, uint32_t w);
  bool qlru_fill(size_t set, uint64_t* block, uint64_t want, uint8_t key, bool write,
                 bool& writeback, uint32_t& way);
  void qlru_update(uint8_t* ages, uint8_t update, uint32_t w);

  CacheParams m_params;
  uint32_t m_sets = 0, m_ways = 0;
  uint32_t m_pad_ways = 0;     // ways rounded up to 16: bytes of partial tags, and of ages
  uint64_t m_way_mask = 0;     // a bit per way
  size_t m_dirty_word = 0;     // word of the block holding the dirty mask; the tags follow
  size_t m_stride = 0;         // words per set block, a whole number of host lines
  uint32_t m_block_lines = 0;  // host lines per set block
  uint64_t m_set_mask = 0;     // m_sets - 1
  bool m_pow2_sets = true;     // a mask indexes (one set included), else a modulo
  bool m_lru, m_random_or_qlru, m_qlru, m_duel;
  bool m_small = false;       // access()'s own path: LRU or FIFO, at most 16 ways, m_pow2_sets
  uint32_t m_last_rank4 = 0;  // the oldest rank (m_ways - 1) in each of 4 bytes
  QlruPolicy m_qlru_policy[2];
  uint32_t m_psel = (1u << (kPselBits - 1)) - 1;  // starts one short of the second policy
  uint64_t m_leader_misses[2] = {};
  Rng m_rng;
  std::vector<uint64_t, HugePageAllocator<uint64_t>> m_blocks;
  std::vector<uint8_t> m_fillers;  // per set, a byte per way (empty: not tracked)
};

class MemHierarchy {
 public:
  // Who asked: counted apart so walk and data behaviour can be told apart.
  enum Source : uint8_t { kWalk = 0, kData = 1 };

  struct Result {
    Cycles latency;
    MemLevel served;
  };

  explicit MemHierarchy(const MemHierarchyParams& p, uint64_t seed = 1);
  MemHierarchy(const MemHierarchy&) = delete;  // (m_llc points into this one)
  MemHierarchy& operator=(const MemHierarchy&) = delete;
  // Several cores: this hierarchy is core `core`'s (at most 255). Its L1D and L2 stay its own;
  // its LLC and DRAM (tags, set dueling, open rows) become owner's, which every core then shares
  // (core 0's owner is itself). The hits and probes counted here are this core's; the LLC
  // remembers which core filled each line, so hits on another core's lines are counted apart.
  // owner must outlive this hierarchy and have the same parameters, but for the LLC: this one's
  // own, if it was built with one, is released (a caller that knows may build it disabled).
  void share_llc(MemHierarchy& owner, unsigned core) {
    if (&owner != this) m_caches[2] = Cache();
    m_owner = &owner;
    m_llc = &owner.m_caches[2];
    m_core = static_cast<uint8_t>(core);
    m_shared = true;
    m_llc->track_fillers();
  }

  // One access of `pa` entering at level `entry` (levels above it are bypassed).
  __attribute__((always_inline)) Result access(Addr pa, bool write, MemLevel entry, Source source) {
    const uint64_t line = pa >> m_line_shift;
    const Cache::LineKey key(line);
    const unsigned first = static_cast<unsigned>(entry);
    ++m_calls[source][first];
    // The levels from the entry down, unrolled so each level's fields sit at fixed offsets.
    if (first == 0 && probe(0, line, key, write, source))
      return {m_caches[0].params().latency, MemLevel::kL1};
    if (first <= 1 && probe(1, line, key, write && first == 1, source))
      return {m_caches[1].params().latency, MemLevel::kL2};
    if (first <= 2 && probe(2, line, key, write && first == 2, source))
      return {llc().params().latency, MemLevel::kLlc};
    return {dram(pa), MemLevel::kDram};
  }
  // Starts loading the set blocks pa maps to in the L2 and LLC tag arrays into the host's caches,
  // so a later access() does not wait for them (a hint; no effect on results). The L1D's
  // blocks are few and stay in the host's caches.
  void prefetch(Addr pa) const {
    const uint64_t line = pa >> m_line_shift;
    m_caches[1].prefetch(line);
    llc().prefetch(line);
    if (m_shared) llc().prefetch_fillers(line);
  }
  const MemHierarchyParams& params() const { return m_params; }
  // This core's LLC hits, and those on lines another core filled (0 unless shared).
  uint64_t llc_hits() const { return m_stats[2].hits[kWalk] + m_stats[2].hits[kData]; }
  uint64_t llc_shared_hits() const { return m_shared_hits[kWalk] + m_shared_hits[kData]; }
  void report(StatsVisitor& v) const;

 private:
  Cycles dram(Addr pa);
  Cache& llc() { return *m_llc; }
  const Cache& llc() const { return *m_llc; }
  const Cache& level(unsigned i) const { return i == 2 ? llc() : m_caches[i]; }
  // Level i's part of access(): returns hit. Only the entry level sees the store (a disabled
  // entry level passes none on); lower levels are filled clean.
  __attribute__((always_inline)) bool probe(unsigned i, uint64_t line, const Cache::LineKey& key,
                                            bool store, Source source) {
    Cache& c = i == 2 ? llc() : m_caches[i];
    if (!c.small() && !c.enabled()) return false;
    bool writeback;
    uint32_t way;
    const bool hit = c.access(line, key, store, writeback, way);
    // Dirty victims are counted; their write-back is off the critical path and does not refill
    // the next level (a modelling simplification).
    m_stats[i].writebacks += writeback;
    if (hit) ++m_stats[i].hits[source];
    // A shared LLC: a hit on a line another core filled is counted; a fill makes it this core's.
    if (i == 2 && m_shared) {
      uint8_t& filler = c.filler(line, way);
      if (hit)
        m_shared_hits[source] += filler != m_core;
      else
        filler = m_core;
    }
    return hit;
  }
  // Accesses of `source` that probed level i (kCacheLevels: reached DRAM).
  uint64_t probes(unsigned i, Source source) const;

  MemHierarchyParams m_params;
  unsigned m_line_shift;
  Cache m_caches[kCacheLevels];
  std::vector<uint64_t> m_open_rows;  // per bank, row + 1 (0: closed)
  MemHierarchy* m_owner = nullptr;    // whose LLC and DRAM rows it uses (null or this: its own)
  Cache* m_llc = &m_caches[2];        // the LLC probed: its own, or the owner's
  bool m_shared = false;              // share_llc() was called: fills and hits name m_core
  uint8_t m_core = 0;
  uint64_t m_shared_hits[2] = {};  // per source: LLC hits on lines another core filled
  // Calls per source and entry level, and hits per level and source: how many accesses probed
  // each level follows from them (those entering at or above it, less the hits above it).
  uint64_t m_calls[2][kCacheLevels + 1] = {};
  struct LevelStats {
    uint64_t hits[2] = {}, writebacks = 0;
  } m_stats[kCacheLevels];
  uint64_t m_row_hits = 0;
};

}  // namespace mmusim
