// The data-side memory hierarchy: set-associative L1D, L2 and LLC (write-back, write-allocate,
// non-inclusive fills of every level probed) in front of DRAM with a fixed latency or an open-row
// bank model. Page-walk reads and the workload's data accesses share it, so page-table lines and
// data compete. Only tags are kept: the hierarchy decides latency, never data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
  ReplPolicy policy = ReplPolicy::kLru;
  Cycles latency = 4;  // load-to-use latency when the access is served here
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
  CacheParams level[kCacheLevels];
  DramParams dram;
};

// A tag array: one pass over a set finds the line or the victim. Tags are line + 1 (0: invalid);
// stamps give LRU (last use) or FIFO (fill) order.
class Cache {
 public:
  Cache(const CacheParams& p, uint32_t line_bytes, uint64_t seed);
  bool enabled() const { return m_sets != 0; }
  const CacheParams& params() const { return m_params; }
  // Probes the line; a miss allocates it. Returns hit; writeback tells whether a dirty line left.
  bool access(uint64_t line, bool write, bool& writeback) {
    const size_t base =
        static_cast<size_t>(m_set_mask ? (line & m_set_mask) : (line % m_sets)) * m_ways;
    const uint64_t want = line + 1;
    const uint64_t* tags = &m_tags[base];
    for (uint32_t w = 0; w < m_ways; ++w) {
      if (tags[w] == want) {
        if (m_lru) m_stamps[base + w] = ++m_clock;
        m_dirty[base + w] |= write;
        writeback = false;
        return true;
      }
    }
    // A miss: the oldest stamp is the victim (invalid ways have stamp 0, so they go first).
    const uint64_t* stamps = &m_stamps[base];
    uint32_t oldest = 0;
    for (uint32_t w = 1; w < m_ways; ++w)
      if (stamps[w] < stamps[oldest]) oldest = w;
    size_t victim = base + oldest;
    if (m_random && m_tags[victim] != 0) victim = base + m_rng.below(m_ways);
    writeback = m_tags[victim] != 0 && m_dirty[victim];
    m_tags[victim] = want;
    m_stamps[victim] = ++m_clock;
    m_dirty[victim] = write;
    return false;
  }

 private:
  CacheParams m_params;
  uint32_t m_sets = 0, m_ways = 0;
  uint64_t m_set_mask = 0;
  bool m_lru, m_random;
  uint64_t m_clock = 0;
  Rng m_rng;
  std::vector<uint64_t> m_tags, m_stamps;
  std::vector<uint8_t> m_dirty;
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

  // One access of `pa` entering at level `entry` (levels above it are bypassed).
  Result access(Addr pa, bool write, MemLevel entry, Source source);
  const MemHierarchyParams& params() const { return m_params; }
  void report(StatsVisitor& v) const;

 private:
  Cycles dram(Addr pa);

  MemHierarchyParams m_params;
  unsigned m_line_shift;
  std::vector<Cache> m_caches;
  std::vector<uint64_t> m_open_rows;  // per bank, row + 1 (0: closed)
  struct LevelStats {
    uint64_t accesses[2] = {}, hits[2] = {}, writebacks = 0;
  } m_stats[kCacheLevels];
  uint64_t m_dram_accesses[2] = {}, m_row_hits = 0, m_dram_writebacks = 0;
};

}  // namespace mmusim
