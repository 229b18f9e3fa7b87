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
    : m_params(p),
      m_lru(!p.qlru && p.policy == ReplPolicy::kLru),
      m_random_or_qlru(p.qlru || p.policy == ReplPolicy::kRandom),
      m_qlru(p.qlru),
      m_duel(p.qlru && p.duel),
      m_qlru_policy{p.qlru_policy, p.duel ? p.duel_policy : p.qlru_policy},
      m_rng(seed) {
  const uint32_t lines = cache_entries(p, line_bytes);
  if (lines == 0) return;
  if (p.ways == 0 || lines % p.ways != 0)
    throw std::invalid_argument("cache of " + std::to_string(lines) + " lines is not a multiple of " +
                                std::to_string(p.ways) + " ways");
  if (p.ways > 64) throw std::invalid_argument("a cache has at most 64 ways");
  m_ways = p.ways;
  m_sets = lines / p.ways;
  m_pow2_sets = (m_sets & (m_sets - 1)) == 0;
  m_set_mask = m_sets - 1;
  m_pad_ways = ways8::padded(m_ways);
  m_way_mask = ways8::way_mask(m_ways);
  m_dirty_word = 2 * m_pad_ways / 8;
  // Blocks start on host cache lines: a probe reads the partial tags and ages from one line.
  m_stride = (m_dirty_word + 1 + m_ways + 7) / 8 * 8;
  m_block_lines = static_cast<uint32_t>(m_stride / 8);
  m_small = m_pad_ways == 16 && !m_random_or_qlru && m_pow2_sets;
  m_last_rank4 = ways8::repeat4(static_cast<uint8_t>(m_ways - 1));
  static_assert(kSmallDirtyWord == 2 * 16 / 8, "a small set's dirty word follows 32 bytes");
  m_blocks.assign(m_sets * m_stride, 0);
  for (size_t s = 0; s < m_sets; ++s) {
    uint8_t* ages = reinterpret_cast<uint8_t*>(&m_blocks[s * m_stride]) + m_pad_ways;
    ways8::init_ranks(ages, m_ways);
    if (m_qlru)
      for (uint32_t w = 0; w < m_ways; ++w) ages[w] = kInvalidAge;
  }
}

bool Cache::access_any(uint64_t line, bool write, bool& writeback, uint32_t& way) {
  const size_t set = set_of(line);
  uint64_t* block = &m_blocks[set * m_stride];
  uint8_t* partial = reinterpret_cast<uint8_t*>(block);
  uint8_t* ages = partial + m_pad_ways;
  uint64_t& dirty = block[m_dirty_word];
  uint64_t* tags = block + m_dirty_word + 1;
  const uint64_t want = line + 1;
  const uint8_t key = partial_tag(line);
  for (uint64_t c = ways8::matches(partial, m_pad_ways, key, m_way_mask); c; c &= c - 1) {
    const uint32_t w = static_cast<uint32_t>(__builtin_ctzll(c));
    if (tags[w] != want) continue;
    if (m_lru)
      ways8::make_youngest(ages, m_pad_ways, w);
    else if (m_qlru)
      qlru_hit(set, ages, w);
    dirty |= uint64_t{write} << w;
    writeback = false;
    way = w;
    return true;
  }
  uint32_t victim = ways8::oldest(ages, m_pad_ways, m_ways, m_way_mask);
  if (m_random_or_qlru) {
    if (m_qlru) return qlru_fill(set, block, want, key, write, writeback, way);
    if (tags[victim] != 0) victim = static_cast<uint32_t>(m_rng.below(m_ways));
  }
  const uint64_t bit = uint64_t{1} << victim;
  writeback = (dirty & bit) != 0;  // only valid lines are ever dirty
  tags[victim] = want;
  partial[victim] = key;
  ways8::make_youngest(ages, m_pad_ways, victim);
  dirty = (dirty & ~bit) | (uint64_t{write} << victim);
  way = victim;
  return false;
}

// The update function after an access to way w (w == m_ways: none, as before a UMO victim). An
// invalid way counts as age 3, so no update runs while the set has one.
void Cache::qlru_update(uint8_t* ages, uint8_t update, uint32_t w) {
  const bool one = w < m_ways;
  switch (update) {
    case 0:
    case 1: {
      // U0 over every way, U1 over the others (the accessed way keeps its age).
      const uint64_t mask = update == 1 && one ? m_way_mask & ~(uint64_t{1} << w) : m_way_mask;
      if (mask == 0 || ways8::above(ages, m_pad_ways, 2, mask)) return;
      const uint8_t d = ways8::above(ages, m_pad_ways, 1, mask)   ? 1
                        : ways8::above(ages, m_pad_ways, 0, mask) ? 2
                                                                  : 3;
      const uint8_t keep = one ? ages[w] : 0;
      ways8::add_below(ages, m_pad_ways, kInvalidAge, d);
      if (update == 1 && one) ages[w] = keep;
      return;
    }
    default: {
      // U2 ages every way by one when none has age 3, U3 the others.
      if (ways8::above(ages, m_pad_ways, 2, m_way_mask)) return;
      const uint8_t keep = one ? ages[w] : 0;
      ways8::add_below(ages, m_pad_ways, kInvalidAge, 1);
      if (update == 3 && one) ages[w] = keep;
      return;
    }
  }
}

const QlruPolicy& Cache::qlru_policy(size_t set) const {
  const unsigned lead = m_duel ? leader(set) : 0;
  return m_qlru_policy[lead ? lead - 1 : (m_psel >> (kPselBits - 1)) & 1];
}

void Cache::qlru_hit(size_t set, uint8_t* ages, uint32_t w) {
  const QlruPolicy& q = qlru_policy(set);
  ages[w] = q.hit[ages[w]];
  if (!q.update_on_miss_only) qlru_update(ages, q.update, w);
}

bool Cache::qlru_fill(size_t set, uint64_t* block, uint64_t want, uint8_t key, bool write,
                      bool& writeback, uint32_t& way) {
  uint8_t* partial = reinterpret_cast<uint8_t*>(block);
  uint8_t* ages = partial + m_pad_ways;
  uint64_t& dirty = block[m_dirty_word];
  uint64_t* tags = block + m_dirty_word + 1;
  const QlruPolicy& q = qlru_policy(set);
  if (m_duel) {
    // A leader's miss moves PSEL towards the other policy.
    const unsigned lead = leader(set);
    if (lead == 1 && m_psel < (1u << kPselBits) - 1) ++m_psel;
    if (lead == 2 && m_psel > 0) --m_psel;
    if (lead) ++m_leader_misses[lead - 1];
  }
  uint32_t victim;
  if (const uint64_t invalid = ways8::matches(ages, m_pad_ways, kInvalidAge, m_way_mask)) {
    victim = q.victim == 2 ? 63 - static_cast<uint32_t>(__builtin_clzll(invalid))
                           : static_cast<uint32_t>(__builtin_ctzll(invalid));
  } else {
    if (q.update_on_miss_only) qlru_update(ages, q.update, m_ways);
    const uint64_t oldest = ways8::matches(ages, m_pad_ways, 3, m_way_mask);
    victim = oldest ? static_cast<uint32_t>(__builtin_ctzll(oldest)) : 0;
  }
  const uint64_t bit = uint64_t{1} << victim;
  writeback = (dirty & bit) != 0;  // only valid lines are ever dirty
  tags[victim] = want;
  partial[victim] = key;
  ages[victim] = q.randomized() && m_rng.below(16) == 0 ? q.insert_rare : q.insert;
  if (!q.update_on_miss_only) qlru_update(ages, q.update, victim);
  dirty = (dirty & ~bit) | (uint64_t{write} << victim);
  way = victim;
  return false;
}

MemHierarchy::MemHierarchy(const MemHierarchyParams& p, uint64_t seed)
    : m_params(p), m_line_shift(log2_exact(p.line_bytes)) {
  for (unsigned i = 0; i < kCacheLevels; ++i)
    m_caches[i] = Cache(p.level[i], p.line_bytes, seed + i);
  if (p.dram.row_buffer) {
    if (p.dram.banks == 0 || p.dram.row_bytes == 0)
      throw std::invalid_argument("DRAM row buffer: banks and row size must be non-zero");
    m_open_rows.assign(p.dram.banks, 0);
  }
}

Cycles MemHierarchy::dram(Addr pa) {
  std::vector<uint64_t>& rows = m_owner ? m_owner->m_open_rows : m_open_rows;
  if (rows.empty()) return m_params.dram.latency;
  const uint64_t row = pa / m_params.dram.row_bytes;
  uint64_t& open = rows[row % rows.size()];
  if (open == row + 1) {
    ++m_row_hits;
    return m_params.dram.row_hit_latency;
  }
  open = row + 1;
  return m_params.dram.latency;
}

uint64_t MemHierarchy::probes(unsigned i, Source source) const {
  // Every access entering at or above level i reaches it unless a level above i served it, and
  // the hits above i all come from such accesses.
  uint64_t n = 0;
  for (unsigned e = 0; e <= i; ++e) n += m_calls[source][e];
  for (unsigned j = 0; j < i; ++j) n -= m_stats[j].hits[source];
  return n;
}

void MemHierarchy::report(StatsVisitor& v) const {
  v.state("line_bytes", m_params.line_bytes, "bytes", "cache line size");
  static const char* kNames[kCacheLevels] = {"l1d", "l2", "llc"};
  for (unsigned i = 0; i < kCacheLevels; ++i) {
    const Cache& c = level(i);
    if (!c.enabled()) continue;
    const LevelStats& s = m_stats[i];
    const uint64_t walk_accesses = probes(i, kWalk), data_accesses = probes(i, kData);
    v.begin(kNames[i]);
    v.counter("walk_accesses", walk_accesses, "count", "page-walk reads that probed it");
    v.counter("walk_hits", s.hits[kWalk], "count", "page-walk reads served here");
    v.counter("data_accesses", data_accesses, "count", "data accesses that probed it");
    v.counter("data_hits", s.hits[kData], "count", "data accesses served here");
    v.real("walk_hit_rate", ratio(s.hits[kWalk], walk_accesses), "ratio",
           "walk_hits / walk_accesses");
    v.real("data_hit_rate", ratio(s.hits[kData], data_accesses), "ratio",
           "data_hits / data_accesses");
    if (i == 2 && m_shared) {
      v.counter("walk_shared_hits", m_shared_hits[kWalk], "count",
                "page-walk reads served by a line another core filled");
      v.counter("data_shared_hits", m_shared_hits[kData], "count",
                "data accesses served by a line another core filled");
    }
    v.counter("writebacks", s.writebacks, "count", "dirty lines evicted");
    v.state("latency", c.params().latency, "cycles", "load-to-use latency");
    if (c.params().duel) {
      v.counter("leader_misses_policy", c.leader_misses(0), "count",
                "set dueling: misses in the leader sets of policy");
      v.counter("leader_misses_duel_with", c.leader_misses(1), "count",
                "set dueling: misses in the leader sets of duel_with");
      v.state("psel", c.psel(), "count",
              "set dueling: the PSEL counter at the end (followers take duel_with from 512)");
    }
    v.end();
  }
  v.begin("dram");
  v.counter("walk_accesses", probes(kCacheLevels, kWalk), "count",
            "page-walk reads served by DRAM");
  v.counter("data_accesses", probes(kCacheLevels, kData), "count", "data accesses served by DRAM");
  if (m_params.dram.row_buffer)
    v.counter("row_hits", m_row_hits, "count", "accesses to an open row");
  v.state("latency", m_params.dram.latency, "cycles",
          m_params.dram.row_buffer ? "row-miss latency" : "access latency");
  v.end();
}

}  // namespace mmusim
