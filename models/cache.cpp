#include "models/cache.h"

#include <stdexcept>

namespace mmusim {

const char* mem_level_name(MemLevel l) {
  switch (l) {
    case MemLevel::kL1: return "l1d";
    case MemLevel::kL2: return "l2";
    case MemLevel::kLlc: return "llc";
    case MemLevel::kDram: return "dram";
  }
  return "?";
}

bool parse_mem_level(const std::string& text, MemLevel& out) {
  for (MemLevel l : {MemLevel::kL1, MemLevel::kL2, MemLevel::kLlc, MemLevel::kDram}) {
    if (text == mem_level_name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

namespace {

uint32_t cache_entries(const CacheParams& p, uint32_t line_bytes) {
  if (p.size_bytes == 0) return 0;
  if (line_bytes == 0 || p.size_bytes % line_bytes != 0)
    throw std::invalid_argument("cache size " + std::to_string(p.size_bytes) +
                                " is not a multiple of the line size");
  const uint64_t lines = p.size_bytes / line_bytes;
  if (lines > (uint64_t{1} << 31)) throw std::invalid_argument("cache too large");
  return static_cast<uint32_t>(lines);
}

unsigned log2_exact(uint64_t v) {
  unsigned s = 0;
  while ((uint64_t{1} << s) < v) ++s;
  if ((uint64_t{1} << s) != v) throw std::invalid_argument("line size must be a power of two");
  return s;
}

}  // namespace

Cache::Cache(const CacheParams& p, uint32_t line_bytes, uint64_t seed)
    : m_params(p), m_lru(p.policy == ReplPolicy::kLru), m_random(p.policy == ReplPolicy::kRandom),
      m_rng(seed) {
  const uint32_t lines = cache_entries(p, line_bytes);
  if (lines == 0) return;
  if (p.ways == 0 || lines % p.ways != 0)
    throw std::invalid_argument("cache of " + std::to_string(lines) + " lines is not a multiple of " +
                                std::to_string(p.ways) + " ways");
  if (p.ways > 64) throw std::invalid_argument("a cache has at most 64 ways");
  m_ways = p.ways;
  m_sets = lines / p.ways;
  m_set_mask = (m_sets & (m_sets - 1)) == 0 ? m_sets - 1 : 0;
  m_pad_ways = ways8::padded(m_ways);
  m_way_mask = ways8::way_mask(m_ways);
  m_dirty_word = 2 * m_pad_ways / 8;
  m_stride = m_dirty_word + 1 + m_ways;
  m_blocks.assign(m_sets * m_stride, 0);
  for (size_t s = 0; s < m_sets; ++s)
    ways8::init_ranks(reinterpret_cast<uint8_t*>(&m_blocks[s * m_stride]) + m_pad_ways, m_ways);
}

MemHierarchy::MemHierarchy(const MemHierarchyParams& p, uint64_t seed)
    : m_params(p), m_line_shift(log2_exact(p.line_bytes)) {
  m_caches.reserve(kCacheLevels);
  for (unsigned i = 0; i < kCacheLevels; ++i) m_caches.emplace_back(p.level[i], p.line_bytes, seed + i);
  if (p.dram.row_buffer) {
    if (p.dram.banks == 0 || p.dram.row_bytes == 0)
      throw std::invalid_argument("DRAM row buffer: banks and row size must be non-zero");
    m_open_rows.assign(p.dram.banks, 0);
  }
}

Cycles MemHierarchy::dram(Addr pa) {
  if (m_open_rows.empty()) return m_params.dram.latency;
  const uint64_t row = pa / m_params.dram.row_bytes;
  uint64_t& open = m_open_rows[row % m_open_rows.size()];
  if (open == row + 1) {
    ++m_row_hits;
    return m_params.dram.row_hit_latency;
  }
  open = row + 1;
  return m_params.dram.latency;
}

MemHierarchy::Result MemHierarchy::access(Addr pa, bool write, MemLevel entry, Source source) {
  const uint64_t line = pa >> m_line_shift;
  for (unsigned i = static_cast<unsigned>(entry); i < kCacheLevels; ++i) {
    Cache& c = m_caches[i];
    if (!c.enabled()) continue;
    ++m_stats[i].accesses[source];
    bool writeback;
    // Only the first level probed sees the store; lower levels are filled clean.
    const bool hit = c.access(line, write && i == static_cast<unsigned>(entry), writeback);
    // Dirty victims are counted; their write-back is off the critical path and does not refill
    // the next level (a modelling simplification).
    if (writeback) ++m_stats[i].writebacks;
    if (hit) {
      ++m_stats[i].hits[source];
      return {c.params().latency, static_cast<MemLevel>(i)};
    }
  }
  ++m_dram_accesses[source];
  return {dram(pa), MemLevel::kDram};
}

void MemHierarchy::report(StatsVisitor& v) const {
  v.counter("line_bytes", m_params.line_bytes, "bytes", "cache line size");
  static const char* kNames[kCacheLevels] = {"l1d", "l2", "llc"};
  for (unsigned i = 0; i < kCacheLevels; ++i) {
    if (!m_caches[i].enabled()) continue;
    const LevelStats& s = m_stats[i];
    v.begin(kNames[i]);
    v.counter("walk_accesses", s.accesses[kWalk], "count", "page-walk reads that probed it");
    v.counter("walk_hits", s.hits[kWalk], "count", "page-walk reads served here");
    v.counter("data_accesses", s.accesses[kData], "count", "data accesses that probed it");
    v.counter("data_hits", s.hits[kData], "count", "data accesses served here");
    v.real("walk_hit_rate", ratio(s.hits[kWalk], s.accesses[kWalk]), "ratio",
           "walk_hits / walk_accesses");
    v.real("data_hit_rate", ratio(s.hits[kData], s.accesses[kData]), "ratio",
           "data_hits / data_accesses");
    v.counter("writebacks", s.writebacks, "count", "dirty lines evicted");
    v.counter("latency", m_caches[i].params().latency, "cycles", "load-to-use latency");
    v.end();
  }
  v.begin("dram");
  v.counter("walk_accesses", m_dram_accesses[kWalk], "count", "page-walk reads served by DRAM");
  v.counter("data_accesses", m_dram_accesses[kData], "count", "data accesses served by DRAM");
  if (m_params.dram.row_buffer)
    v.counter("row_hits", m_row_hits, "count", "accesses to an open row");
  v.counter("latency", m_params.dram.latency, "cycles",
            m_params.dram.row_buffer ? "row-miss latency" : "access latency");
  v.end();
}

}  // namespace mmusim
