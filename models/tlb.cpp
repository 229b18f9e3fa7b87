#include "models/tlb.h"

#include <stdexcept>
#include <utility>

#include "models/rng.h"

namespace mmusim {

Tlb::Tlb(const TlbParams& params) : m_name(params.name) {
  m_arrays.reserve(params.arrays.size());
  int holder[kNumPageSizes] = {-1, -1, -1};
  for (size_t i = 0; i < params.arrays.size(); ++i) {
    const TlbArrayParams& ap = params.arrays[i];
    std::string name = ap.name.empty() ? "array" + std::to_string(i) : ap.name;
    SetAssoc<Entry> cache(ap.entries, ap.ways, params.policy, hash64(params.seed, i));
    if (cache.enabled() && ap.sizes.empty())
      throw std::invalid_argument("TLB " + m_name + " array " + name + " holds no page size");
    if (cache.enabled()) {
      for (PageSize s : ap.sizes) {
        unsigned si = static_cast<unsigned>(s);
        if (holder[si] >= 0)
          throw std::invalid_argument("TLB " + m_name + ": page size " + page_size_name(s) +
                                      " is held by two arrays");
        holder[si] = static_cast<int>(i);
      }
      m_enabled = true;
    }
    m_arrays.push_back(Array{name, name + "_hits", ap.sizes, std::move(cache), 0});
  }
  for (size_t i = 0; i < m_arrays.size(); ++i)
    if (m_arrays[i].cache.enabled())
      for (PageSize s : m_arrays[i].sizes)
        m_probes[m_nprobes++] = Probe{static_cast<uint8_t>(i), s, SizeKey(s)};
  for (unsigned si = 0; si < kNumPageSizes; ++si) {
    for (int piece = static_cast<int>(si); piece >= 0; --piece) {
      if (holder[piece] >= 0) {
        FillTarget& t = m_fill[si];
        t.array = holder[piece];
        t.size = static_cast<PageSize>(piece);
        t.key = SizeKey(t.size);
        t.page_base_mask = ~page_mask(static_cast<PageSize>(si));
        t.piece_offset_mask = page_mask(static_cast<PageSize>(si)) & ~page_mask(t.size);
        t.held = static_cast<uint8_t>(1u << static_cast<unsigned>(piece));
        break;
      }
    }
  }
}

void Tlb::set_held(uint8_t sizes) {
  m_held_sizes = sizes;
  m_nheld_probes = 0;
  for (unsigned k = 0; k < m_nprobes; ++k)
    if (sizes & (1u << static_cast<unsigned>(m_probes[k].size)))
      m_held_probes[m_nheld_probes++] = m_probes[k];
}

void Tlb::flush_all() {
  ++m_stats.flushes;
  for (Array& a : m_arrays) m_stats.invalidations += a.cache.clear();
  set_held(0);
}

void Tlb::flush_asid(Context ctx) {
  ++m_stats.flushes;
  const uint32_t c = ctx.key();
  for (Array& a : m_arrays)
    m_stats.invalidations +=
        a.cache.invalidate_if([c](uint64_t, uint32_t ec, const Entry&) { return ec == c; });
}

void Tlb::flush_vpid(uint16_t vpid) {
  ++m_stats.flushes;
  for (Array& a : m_arrays)
    m_stats.invalidations += a.cache.invalidate_if(
        [vpid](uint64_t, uint32_t ec, const Entry&) { return (ec >> 16) == vpid; });
}

void Tlb::flush_pages(Addr base, Addr end, Context ctx) {
  m_stats.flushes += (end - base) >> kPageShift;
  const uint32_t c = ctx.key();
  for (Array& a : m_arrays)
    for (PageSize s : a.sizes)
      m_stats.invalidations += a.cache.invalidate_range(key(base, s), key(end - 1, s), c);
}

uint32_t Tlb::occupancy() const {
  uint32_t n = 0;
  for (const Array& a : m_arrays) n += a.cache.size();
  return n;
}

Tlb::Stats Tlb::stats() const {
  Stats s = m_stats;
  for (const Array& a : m_arrays) s.hits += a.hits;
  s.misses = s.lookups - s.hits;
  return s;
}

void Tlb::report(StatsVisitor& v) const {
  const Stats s = stats();
  v.counter("lookups", s.lookups, "count", "translations looked up");
  v.counter("hits", s.hits, "count", "lookups that hit");
  v.counter("misses", s.misses, "count", "lookups that missed");
  v.counter("fills", s.fills, "entries", "entries filled");
  v.counter("evictions", s.evictions, "entries", "valid entries evicted by fills");
  v.counter("flushes", s.flushes, "count", "flush operations (all, asid, vpid, page)");
  v.counter("invalidations", s.invalidations, "entries", "valid entries dropped by flushes");
  v.real("hit_rate", ratio(s.hits, s.lookups), "ratio", "hits / lookups");
  for (const Array& a : m_arrays)
    v.counter(a.hits_name.c_str(), a.hits, "count", "lookups that hit in this array");
}

}  // namespace mmusim
