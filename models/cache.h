// The data-side memory hierarchy: set-associative L1D, L2 and LLC (write-back, write-allocate,
// non-inclusive fills of every level probed) in front of DRAM with a fixed latency or an open-row
// bank model. Page-walk reads and the workload's data accesses share it, so page-table lines and
// data compete. Only tags are kept: the hierarchy decides latency, never data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "models/huge_page_allocator.h"
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

// A tag array. Each set is one block of 64-bit words: a byte per way of partial tag (a hash of
// the line, so one 16-byte compare finds the candidate ways), a byte per way of age rank (0 = most
// recent; the ranks of a set are a permutation of 0..ways-1), both padded to 16 bytes, a dirty
// mask, then the full tags (line + 1; 0 is invalid). LRU moves a way to rank 0 on every use, FIFO
// only on a fill; the victim is the oldest way. Ranks start as ways-1-w, so an empty set fills
// ways 0, 1, 2... in order. Random replacement fills invalid ways first in the same order, then
// picks any way. A probe reads a few host cache lines of one block.
class Cache {
 public:
  Cache(const CacheParams& p, uint32_t line_bytes, uint64_t seed);
  bool enabled() const { return m_sets != 0; }
  const CacheParams& params() const { return m_params; }
  // Probes the line; a miss allocates it. Returns hit; writeback tells whether a dirty line left.
  __attribute__((always_inline)) bool access(uint64_t line, bool write, bool& writeback) {
    const size_t set = static_cast<size_t>(m_set_mask ? (line & m_set_mask) : (line % m_sets));
    uint64_t* block = &m_blocks[set * m_stride];
    uint8_t* partial = reinterpret_cast<uint8_t*>(block);
    uint8_t* ages = partial + m_pad_ways;
    uint64_t& dirty = block[m_dirty_word];
    uint64_t* tags = block + m_dirty_word + 1;
    const uint64_t want = line + 1;
    const uint8_t key = partial_tag(line);
    for (uint64_t c = candidates(partial, key); c; c &= c - 1) {
      const uint32_t w = static_cast<uint32_t>(__builtin_ctzll(c));
      if (tags[w] != want) continue;
      if (m_lru) make_youngest(ages, w);
      dirty |= uint64_t{write} << w;
      writeback = false;
      return true;
    }
    uint32_t victim = oldest(ages);
    if (m_random && tags[victim] != 0) victim = static_cast<uint32_t>(m_rng.below(m_ways));
    const uint64_t bit = uint64_t{1} << victim;
    writeback = tags[victim] != 0 && (dirty & bit);
    tags[victim] = want;
    partial[victim] = key;
    make_youngest(ages, victim);
    dirty = (dirty & ~bit) | (uint64_t{write} << victim);
    return false;
  }

 private:
  static constexpr uint8_t kPadAge = 0x7f;  // older than any way, never the oldest way's rank

  static uint8_t partial_tag(uint64_t line) {
    return static_cast<uint8_t>((line * 0x9e3779b97f4a7c15ULL) >> 56);
  }
  // Bit w set for each way w whose partial tag is key.
  uint64_t candidates(const uint8_t* partial, uint8_t key) const;
  // Every way younger than w ages by one; w becomes the youngest.
  void make_youngest(uint8_t* ages, uint32_t w) const;
  // The way whose rank is ways - 1.
  uint32_t oldest(const uint8_t* ages) const;

  CacheParams m_params;
  uint32_t m_sets = 0, m_ways = 0;
  uint32_t m_pad_ways = 0;  // ways rounded up to 16: bytes of partial tags, and of ages
  uint64_t m_way_mask = 0;  // a bit per way
  size_t m_dirty_word = 0;  // word of the block holding the dirty mask; the tags follow
  size_t m_stride = 0;      // words per set block
  uint64_t m_set_mask = 0;
  bool m_lru, m_random;
  Rng m_rng;
  std::vector<uint64_t, HugePageAllocator<uint64_t>> m_blocks;
};

// The set helpers run on every probe: inline, with SSE2 where the build has it, and one 16-byte
// step for caches of up to 16 ways.
#if defined(__SSE2__)
namespace cache_simd {
inline __m128i splat(uint8_t b) { return _mm_set1_epi32(static_cast<int>(b * 0x01010101u)); }
inline __m128i load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline uint64_t equal_mask(const uint8_t* p, __m128i v) {
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(load(p), v)));
}
// Ranks and the pad are below 128, so the signed byte compare is exact.
inline void age_younger(uint8_t* p, __m128i threshold) {
  const __m128i v = load(p);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_sub_epi8(v, _mm_cmplt_epi8(v, threshold)));
}
}  // namespace cache_simd
#endif

inline uint64_t Cache::candidates(const uint8_t* partial, uint8_t key) const {
#if defined(__SSE2__)
  const __m128i k = cache_simd::splat(key);
  if (m_pad_ways == 16) return cache_simd::equal_mask(partial, k) & m_way_mask;
  uint64_t mask = 0;
  for (uint32_t i = 0; i < m_pad_ways; i += 16) mask |= cache_simd::equal_mask(partial + i, k) << i;
  return mask & m_way_mask;  // padding bytes may match the key
#else
  uint64_t mask = 0;
  for (uint32_t w = 0; w < m_ways; ++w) mask |= uint64_t{partial[w] == key} << w;
  return mask;
#endif
}

inline void Cache::make_youngest(uint8_t* ages, uint32_t w) const {
#if defined(__SSE2__)
  const __m128i threshold = cache_simd::splat(ages[w]);
  if (m_pad_ways == 16) {
    cache_simd::age_younger(ages, threshold);
  } else {
    for (uint32_t i = 0; i < m_pad_ways; i += 16) cache_simd::age_younger(ages + i, threshold);
  }
#else
  const uint8_t age = ages[w];
  for (uint32_t i = 0; i < m_ways; ++i) ages[i] += ages[i] < age;
#endif
  ages[w] = 0;
}

inline uint32_t Cache::oldest(const uint8_t* ages) const {
  const uint8_t last = static_cast<uint8_t>(m_ways - 1);
#if defined(__SSE2__)
  const __m128i want = cache_simd::splat(last);
  for (uint32_t i = 0; i < m_pad_ways; i += 16)
    if (const uint64_t mask = cache_simd::equal_mask(ages + i, want))
      return i + static_cast<uint32_t>(__builtin_ctzll(mask));
#else
  for (uint32_t i = 0; i < m_ways; ++i)
    if (ages[i] == last) return i;
#endif
  return 0;  // unreachable: the ranks are a permutation
}

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
