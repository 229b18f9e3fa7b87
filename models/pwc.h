#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/replacement.h"
#include "models/set_assoc.h"
#include "models/stats.h"
#include "models/types.h"

namespace mmusim {

// Geometry per cached entry level: 2 = PDE, 3 = PDPTE, 4 = PML4E, 5 = PML5E (0, 1 unused).
struct PwcParams {
  uint32_t entries[kMaxLevels + 1] = {};
  uint32_t ways[kMaxLevels + 1] = {1, 1, 1, 1, 1, 1};
  ReplPolicy policy = ReplPolicy::kLru;
  uint64_t seed = 1;

  // The DMT paper's evaluation sizes (configs/default.yaml): PML4E 2 (1-way), PDPTE 4 (4-way),
  // PDE 32 (4-way), no PML5E cache. A default PwcParams caches nothing.
  static PwcParams dmt_paper(uint64_t seed) {
    PwcParams p;
    p.entries[4] = 2;
    p.entries[3] = 4;
    p.ways[3] = 4;
    p.entries[2] = 32;
    p.ways[2] = 4;
    p.seed = seed;
    return p;
  }
};

// Per-level caches of non-leaf entries of one radix dimension, keyed by input-address prefix.
class Pwc {
 public:
  struct Stats {
    uint64_t lookups = 0, hits = 0, misses = 0, fills = 0, evictions = 0;
    uint64_t level_hits[kMaxLevels + 1] = {};  // indexed by entry level
  };

  // levels: 4 or 5 (the dimension's depth); caches above `levels` are not built. Throws
  // std::invalid_argument on a bad depth or geometry.
  Pwc(std::string name, const PwcParams& params, unsigned levels);

  // Any level has entries.
  bool enabled() const { return m_enabled; }
  unsigned levels() const { return m_levels; }
  // Deepest hit wins (PDE, then PDPTE, PML4E, PML5E). On a hit, table_level = the level of the
  // table the cached entry points to (1 = page table) and table = its physical address.
  bool lookup(Addr addr, uint32_t ctx, unsigned& table_level, Addr& table) {
    ++m_stats.lookups;
    for (unsigned k = 0; k < m_nprobe; ++k) {
      const unsigned l = m_probe[k];
      if (const Addr* t = m_caches[l].lookup(key(addr, l), ctx)) {
        table_level = l - 1;
        table = *t;
        ++m_stats.level_hits[l];
        return true;
      }
    }
    return false;
  }
  // Caches the entry of entry_level (2..levels) covering addr, pointing to the table at `table`.
  // Levels outside 2..levels or with 0 entries ignore it.
  // after_miss: a lookup of addr has just missed at this level, so no entry for it can exist.
  void insert(Addr addr, uint32_t ctx, unsigned entry_level, Addr table, bool after_miss = false) {
    if (entry_level < 2 || entry_level > m_levels) return;
    SetAssoc<Addr>& c = m_caches[entry_level];
    if (!c.enabled()) return;
    ++m_stats.fills;
    const bool evicted = after_miss ? c.insert_absent(key(addr, entry_level), ctx, table)
                                    : c.insert(key(addr, entry_level), ctx, table);
    if (evicted) ++m_stats.evictions;
  }
  void flush_all();
  void flush_ctx(uint32_t ctx);
  // Drops every level's entry covering addr in ctx.
  void invalidate(Addr addr, uint32_t ctx) { invalidate_range(addr, addr + 1, ctx); }
  // invalidate() of every address in [base, end).
  void invalidate_range(Addr base, Addr end, uint32_t ctx);

  const std::string& name() const { return m_name; }
  // hits and misses are summed from level_hits when asked for.
  Stats stats() const;
  // Key of the entry of entry_level covering addr: the input-address bits above what it maps.
  static uint64_t key(Addr addr, unsigned entry_level) {
    return addr >> (kPageShift + 9 * (entry_level - 1));
  }
  void report(StatsVisitor& v) const;

 private:
  std::string m_name;
  unsigned m_levels;
  bool m_enabled = false;
  std::vector<SetAssoc<Addr>> m_caches;  // index = entry level; 0 and 1 are empty placeholders
  uint8_t m_probe[kMaxLevels + 1] = {};  // the enabled levels, deepest (2) first
  unsigned m_nprobe = 0;
  Stats m_stats;
};

}  // namespace mmusim
