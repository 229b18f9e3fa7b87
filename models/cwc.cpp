#include "models/cwc.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace mmusim {

namespace {
uint32_t checked(uint32_t entries) {
  if (entries > 64) throw std::invalid_argument("CWC: at most 64 entries (fully associative)");
  return entries;
}
}  // namespace

Cwc::Cwc(std::string name, const CwcParams& params)
    : m_name(std::move(name)),
      m_caches{{checked(params.entries[0]), std::max<uint32_t>(params.entries[0], 1),
                ReplPolicy::kLru, 1},
               {checked(params.entries[1]), std::max<uint32_t>(params.entries[1], 1),
                ReplPolicy::kLru, 2},
               {checked(params.entries[2]), std::max<uint32_t>(params.entries[2], 1),
                ReplPolicy::kLru, 3}},
      m_enabled(params.entries[0] + params.entries[1] + params.entries[2] > 0) {}

void Cwc::fill(unsigned level, Addr addr, uint32_t ctx, const uint64_t* words) {
  if (!m_caches[level].enabled()) return;
  Line l;
  std::memcpy(l.words, words, sizeof l.words);
  ++m_stats[level].fills;
  m_caches[level].insert(addr >> Ecpt::kCwtLineShift[level], ctx, l);
}

void Cwc::flush_all() {
  for (auto& c : m_caches) c.clear();
}

void Cwc::flush_ctx(uint32_t ctx) {
  for (auto& c : m_caches)
    c.invalidate_if([ctx](uint64_t, uint32_t owner, const Line&) { return owner == ctx; });
}

void Cwc::invalidate_range(Addr base, Addr end, uint32_t ctx) {
  for (unsigned l = 0; l < Ecpt::kCwtLevels; ++l) {
    const unsigned shift = Ecpt::kCwtLineShift[l];
    m_caches[l].invalidate_range(base >> shift, (end - 1) >> shift, ctx);
  }
}

void Cwc::report(StatsVisitor& v) const {
  static const char* const kNames[] = {"pmd", "pud", "pte"};
  for (unsigned l = 0; l < Ecpt::kCwtLevels; ++l) {
    if (l == Ecpt::kPteCwt && !m_caches[l].enabled()) continue;
    const Stats& s = m_stats[l];
    v.begin(kNames[l]);
    v.counter("lookups", s.lookups, "count", "walks that looked up this cache");
    v.counter("hits", s.hits, "count", "lookups that found the CWT line");
    v.counter("fills", s.fills, "lines", "CWT lines read into it after a miss");
    v.end();
  }
}

}  // namespace mmusim
