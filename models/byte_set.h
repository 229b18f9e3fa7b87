// A set's ways as one byte each (partial tags, age ranks), padded to a multiple of 16 bytes so
// each step is one 16-byte SSE2 operation where the build has SSE2. Shared by the caches, TLBs
// and paging-structure caches.
//
// Age ranks give LRU and FIFO order: the ranks of a set are a permutation of 0..ways-1 (0 = most
// recent), so the way of rank ways-1 is the oldest; pad bytes hold kPadRank.
#pragma once

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mmusim {
namespace ways8 {

constexpr uint8_t kPadRank = 0x7f;  // older than any rank, never a way's
constexpr uint32_t padded(uint32_t ways) { return (ways + 15) / 16 * 16; }
inline uint64_t way_mask(uint32_t ways) {
  return ways >= 64 ? ~uint64_t{0} : (uint64_t{1} << ways) - 1;
}

#if defined(__SSE2__)
inline __m128i splat(uint8_t b) { return _mm_set1_epi32(static_cast<int>(b * 0x01010101u)); }
inline uint64_t equal16(const uint8_t* p, __m128i v) {
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, v)));
}
#endif

// A byte repeated over 16, to find it in many rows of 16 bytes with matches16().
#if defined(__SSE2__)
struct Repeated16 {
  __m128i v;
};
inline Repeated16 repeat16(uint8_t b) { return {splat(b)}; }
inline uint64_t matches16(const uint8_t* p, Repeated16 r) { return equal16(p, r.v); }
#else
struct Repeated16 {
  uint8_t b;
};
inline Repeated16 repeat16(uint8_t b) { return {b}; }
inline uint64_t matches16(const uint8_t* p, Repeated16 r) {
  uint64_t m = 0;
  for (uint32_t i = 0; i < 16; ++i) m |= uint64_t{p[i] == r.b} << i;
  return m;
}
#endif

// Bit w set for each way whose byte is b (ways beyond `mask` dropped).
inline uint64_t matches(const uint8_t* p, uint32_t pad, uint8_t b, uint64_t mask) {
#if defined(__SSE2__)
  const __m128i v = splat(b);
  if (pad == 16) return equal16(p, v) & mask;
  uint64_t m = 0;
  for (uint32_t i = 0; i < pad; i += 16) m |= equal16(p + i, v) << i;
  return m & mask;
#else
  uint64_t m = 0;
  for (uint32_t i = 0; i < pad; ++i) m |= uint64_t{p[i] == b} << i;
  return m & mask;
#endif
}

// Bit w set for each way whose byte is above b (ways beyond `mask` dropped). Bytes and b are
// below 128, so the signed byte compare is exact.
inline uint64_t above(const uint8_t* p, uint32_t pad, uint8_t b, uint64_t mask) {
#if defined(__SSE2__)
  const __m128i v = splat(b);
  auto step = [v](const uint8_t* q) -> uint64_t {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpgt_epi8(x, v)));
  };
  if (pad == 16) return step(p) & mask;
  uint64_t m = 0;
  for (uint32_t i = 0; i < pad; i += 16) m |= step(p + i) << i;
  return m & mask;
#else
  uint64_t m = 0;
  for (uint32_t i = 0; i < pad; ++i) m |= uint64_t{p[i] > b} << i;
  return m & mask;
#endif
}

// Adds d to every byte below `limit` (bytes, limit and the sums below 128).
inline void add_below(uint8_t* p, uint32_t pad, uint8_t limit, uint8_t d) {
#if defined(__SSE2__)
  const __m128i l = splat(limit), v = splat(d);
  for (uint32_t i = 0; i < pad; i += 16) {
    __m128i* q = reinterpret_cast<__m128i*>(p + i);
    const __m128i x = _mm_loadu_si128(q);
    _mm_storeu_si128(q, _mm_add_epi8(x, _mm_and_si128(_mm_cmplt_epi8(x, l), v)));
  }
#else
  for (uint32_t i = 0; i < pad; ++i) p[i] = static_cast<uint8_t>(p[i] + (p[i] < limit ? d : 0));
#endif
}

// Ranks start as ways-1-w, so an empty set's ways are taken 0, 1, 2... in order.
inline void init_ranks(uint8_t* ranks, uint32_t ways) {
  for (uint32_t w = 0; w < padded(ways); ++w)
    ranks[w] = w < ways ? static_cast<uint8_t>(ways - 1 - w) : kPadRank;
}

// Every way younger than w ages by one; w becomes the youngest.
inline void make_youngest(uint8_t* ranks, uint32_t pad, uint32_t w) {
  const uint8_t age = ranks[w];
#if defined(__SSE2__)
  // Ranks and the pad are below 128, so the signed byte compare is exact.
  const __m128i t = splat(age);
  auto step = [t](uint8_t* p) {
    __m128i* q = reinterpret_cast<__m128i*>(p);
    const __m128i x = _mm_loadu_si128(q);
    _mm_storeu_si128(q, _mm_sub_epi8(x, _mm_cmplt_epi8(x, t)));
  };
  if (pad == 16) {
    step(ranks);
  } else {
    for (uint32_t i = 0; i < pad; i += 16) step(ranks + i);
  }
#else
  for (uint32_t i = 0; i < pad; ++i) ranks[i] += ranks[i] < age;
#endif
  ranks[w] = 0;
}

// The way of rank ways-1 (mask: way_mask(ways)).
inline uint32_t oldest(const uint8_t* ranks, uint32_t pad, uint32_t ways, uint64_t mask) {
  const uint64_t m = matches(ranks, pad, static_cast<uint8_t>(ways - 1), mask);
  return m ? static_cast<uint32_t>(__builtin_ctzll(m)) : 0;  // m != 0: ranks are a permutation
}

// A byte in each of 4 bytes, as the renew_oldest16 argument takes it.
constexpr uint32_t repeat4(uint8_t b) { return b * 0x01010101u; }

// Sets of at most 16 ways (pad 16): the oldest way (rank ways-1, given as repeat4(ways - 1))
// becomes the youngest and every other way ages by one, as oldest() then make_youngest() do.
// Returns that way.
inline uint32_t renew_oldest16(uint8_t* ranks, uint32_t last4) {
#if defined(__SSE2__)
  // Ranks and the pad are below 128, so the signed byte compare is exact; the pad is above last.
  const __m128i t = _mm_set1_epi32(static_cast<int>(last4));
  __m128i* q = reinterpret_cast<__m128i*>(ranks);
  const __m128i x = _mm_loadu_si128(q);
  const __m128i old = _mm_cmpeq_epi8(x, t);
  _mm_storeu_si128(q, _mm_andnot_si128(old, _mm_sub_epi8(x, _mm_cmplt_epi8(x, t))));
  return static_cast<uint32_t>(__builtin_ctz(static_cast<unsigned>(_mm_movemask_epi8(old))));
#else
  const uint32_t ways = (last4 & 0xff) + 1u;
  const uint32_t w = oldest(ranks, 16, ways, way_mask(ways));
  make_youngest(ranks, 16, w);
  return w;
#endif
}

}  // namespace ways8
}  // namespace mmusim
