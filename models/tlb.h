#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/replacement.h"
#include "models/set_assoc.h"
#include "models/stats.h"
#include "models/types.h"

namespace mmusim {

// One array of a TLB: the page sizes it holds (one = split, several = unified) and its geometry.
struct TlbArrayParams {
  std::string name;
  std::vector<PageSize> sizes;
  uint32_t entries = 0;
  uint32_t ways = 1;
};

// A whole TLB: its arrays share one replacement policy; each array's random stream derives from
// the seed.
struct TlbParams {
  std::string name;
  std::vector<TlbArrayParams> arrays;
  ReplPolicy policy = ReplPolicy::kLru;
  uint64_t seed = 1;
};

// A TLB hit: the physical base of the page of `size` and the translation's permissions.
struct TlbHit {
  Addr pa_base = 0;
  PageSize size = PageSize::k4K;
  Perms perms;
};

// A set-associative TLB made of one or more arrays, each holding one or several page sizes.
class Tlb {
 public:
  struct Stats {
    uint64_t lookups = 0, hits = 0, misses = 0, fills = 0, evictions = 0, flushes = 0,
             invalidations = 0;
  };

  // Throws std::invalid_argument on a bad geometry or a page size held by two enabled arrays.
  explicit Tlb(const TlbParams& params);

  // False when every array has 0 entries.
  bool enabled() const { return m_enabled; }
  // Probes every enabled array for every size it holds, matching ctx.key() exactly.
  bool lookup(Addr va, Context ctx, TlbHit& hit) {
    ++m_stats.lookups;
    const uint32_t c = ctx.key();
    for (unsigned k = 0; k < m_nheld_probes; ++k) {
      const Probe p = m_held_probes[k];
      Array& a = m_arrays[p.array];
      if (const Entry* e = a.cache.lookup(p.key.of(va), c)) {
        hit.pa_base = e->pa_base;
        hit.size = p.size;
        hit.perms = e->perms;
        ++a.hits;
        return true;
      }
    }
    return false;
  }
  // Starts loading the sets a lookup of va probes into the host's caches (a hint; no effect on
  // results).
  void prefetch(Addr va) const {
    for (unsigned k = 0; k < m_nheld_probes; ++k) {
      const Probe p = m_held_probes[k];
      m_arrays[p.array].cache.prefetch(p.key.of(va));
    }
  }
  // Fills the translation va -> pa (same offset within the page, or pa the page base) into the
  // array holding `size`; without one, the piece of the largest held smaller size containing va
  // is filled instead; without that, nothing is.
  // after_miss: the caller has just missed on va in this TLB, so no entry for it can exist.
  void insert(Addr va, Addr pa, PageSize size, Perms perms, Context ctx, bool after_miss = false) {
    const FillTarget& t = m_fill[static_cast<unsigned>(size)];
    if (t.array < 0) return;
    // The piece of size t.size containing va sits at the same offset inside the physical page.
    const Entry e{(pa & t.page_base_mask) + (va & t.piece_offset_mask), perms};
    ++m_stats.fills;
    if (!(m_held_sizes & t.held)) set_held(m_held_sizes | t.held);
    SetAssoc<Entry>& cache = m_arrays[t.array].cache;
    const bool evicted = after_miss ? cache.insert_absent(t.key.of(va), ctx.key(), e)
                                    : cache.insert(t.key.of(va), ctx.key(), e);
    if (evicted) ++m_stats.evictions;
  }

  void flush_all();
  // Entries whose asid and vpid both match ctx.
  void flush_asid(Context ctx);
  // Every entry of one VM.
  void flush_vpid(uint16_t vpid);
  // invlpg: every size's entry covering va in ctx.
  void flush_page(Addr va, Context ctx) {
    const Addr page = page_base(va, PageSize::k4K);
    flush_pages(page, page + kPageBytes, ctx);
  }
  // flush_page() of every 4 KiB page in [base, end) (page aligned), counted as as many flushes.
  void flush_pages(Addr base, Addr end, Context ctx);

  const std::string& name() const { return m_name; }
  // hits and misses are summed from the arrays' hits when asked for.
  Stats stats() const;
  // Number of valid entries over all arrays.
  uint32_t occupancy() const;
  // Counters only: the caller wraps them in a group named after the TLB.
  void report(StatsVisitor& v) const;

 private:
  struct Entry {
    Addr pa_base = 0;
    Perms perms;
  };
  struct Array {
    std::string name;
    std::string hits_name;
    std::vector<PageSize> sizes;
    SetAssoc<Entry> cache;
    uint64_t hits = 0;
  };
  // Index = page number of the size; the size sits in bits 60+ so sizes never alias.
  static uint64_t key(Addr va, PageSize s) {
    return (va >> page_shift(s)) | (static_cast<uint64_t>(s) << 60);
  }
  // key()'s two parts for one size, ready for the lookups and fills: key = va >> shift | tag.
  struct SizeKey {
    unsigned shift = 0;
    uint64_t tag = 0;
    explicit SizeKey(PageSize s = PageSize::k4K)
        : shift(page_shift(s)), tag(static_cast<uint64_t>(s) << 60) {}
    uint64_t of(Addr va) const { return (va >> shift) | tag; }
  };

  // Where a fill of a given page size lands: array index (-1 = nowhere) and the size stored,
  // with what the fill computes from them.
  struct FillTarget {
    int array = -1;
    PageSize size = PageSize::k4K;
    SizeKey key;
    Addr page_base_mask = 0;     // ~page_mask of the size filled
    Addr piece_offset_mask = 0;  // va bits of the piece's offset inside that page
    uint8_t held = 0;            // the size stored, as a bit of m_held_sizes
  };
  // One probe of a lookup: an enabled array and one size it holds.
  struct Probe {
    uint8_t array = 0;
    PageSize size = PageSize::k4K;
    SizeKey key;
  };

  // Marks the sizes filled since the last flush_all and lists the probes a lookup makes.
  void set_held(uint8_t sizes);

  std::string m_name;
  std::vector<Array> m_arrays;
  FillTarget m_fill[kNumPageSizes];
  bool m_enabled = false;
  Stats m_stats;             // hits and misses follow from the arrays' hits (stats())
  uint8_t m_held_sizes = 0;  // page sizes filled since the last flush_all: others need no probe
  // Every (array, size) pair in probe order (arrays in order, each array's sizes in order; a size
  // is held by one array at most), and those of held sizes, which a lookup probes.
  Probe m_probes[kNumPageSizes];
  unsigned m_nprobes = 0;
  Probe m_held_probes[kNumPageSizes];
  unsigned m_nheld_probes = 0;
};

}  // namespace mmusim
