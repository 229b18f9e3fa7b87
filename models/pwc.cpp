#include "models/pwc.h"

#include <stdexcept>
#include <utility>

#include "models/rng.h"

namespace mmusim {

namespace {

const char* const kLevelHitNames[kMaxLevels + 1] = {"",           "",           "pde_hits",
                                                    "pdpte_hits", "pml4e_hits", "pml5e_hits"};

}  // namespace

Pwc::Pwc(std::string name, const PwcParams& params, unsigned levels)
    : m_name(std::move(name)), m_levels(levels) {
  if (levels != 4 && levels != 5)
    throw std::invalid_argument("PWC " + m_name + ": levels must be 4 or 5");
  m_caches.reserve(levels + 1);
  for (unsigned l = 0; l <= levels; ++l) {
    const uint32_t entries = l >= 2 ? params.entries[l] : 0;
    m_caches.emplace_back(entries, params.ways[l], params.policy, hash64(params.seed, l));
  }
  for (unsigned l = 2; l <= levels; ++l)
    if (m_caches[l].enabled()) m_probe[m_nprobe++] = static_cast<uint8_t>(l);
  m_enabled = m_nprobe != 0;
}

void Pwc::flush_all() {
  for (auto& c : m_caches) c.clear();
}

void Pwc::flush_ctx(uint32_t ctx) {
  for (auto& c : m_caches)
    c.invalidate_if([ctx](uint64_t, uint32_t ec, const Addr&) { return ec == ctx; });
}

void Pwc::invalidate_range(Addr base, Addr end, uint32_t ctx) {
  for (unsigned l = 2; l <= m_levels; ++l)
    m_caches[l].invalidate_range(key(base, l), key(end - 1, l), ctx);
}

Pwc::Stats Pwc::stats() const {
  Stats s = m_stats;
  for (unsigned l = 2; l <= m_levels; ++l) s.hits += s.level_hits[l];
  s.misses = s.lookups - s.hits;
  return s;
}

void Pwc::report(StatsVisitor& v) const {
  const Stats s = stats();
  v.counter("lookups", s.lookups, "count", "walks that probed the caches");
  v.counter("hits", s.hits, "count", "lookups that hit some level");
  v.counter("misses", s.misses, "count", "lookups that hit no level");
  for (unsigned l = 2; l <= m_levels; ++l)
    v.counter(kLevelHitNames[l], s.level_hits[l], "count", "lookups that hit this level");
  v.counter("fills", s.fills, "entries", "entries filled");
  v.counter("evictions", s.evictions, "entries", "valid entries evicted by fills");
}

}  // namespace mmusim
