// A set-associative array of tagged payloads with LRU, FIFO or random replacement. Each set keeps
// a header (a valid mask, a byte per way of partial tag: a hash of key and context, so one
// 16-byte compare finds the candidate ways, and a byte per way of age rank, models/byte_set.h)
// and its ways side by side (tag, context and payload together), so a lookup touches the set's
// header and the way it hits, a few host cache lines. Everything is allocated at construction,
// so lookups and inserts never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/byte_set.h"
#include "models/host_prefetch.h"
#include "models/huge_page_allocator.h"
#include "models/replacement.h"
#include "models/rng.h"

namespace mmusim {

template <typename Payload>
class SetAssoc {
 public:
  // A copy of one entry (what an eviction reports, what for_each visits).
  struct Slot {
    bool valid = false;
    uint64_t tag = 0;
    uint32_t ctx = 0;
    uint8_t age = 0;  // rank in its set: 0 = last used (LRU) or filled (FIFO)
    Payload payload{};
  };

  // entries == 0 builds a disabled array (every lookup misses, inserts are dropped). Otherwise
  // entries must be a non-zero multiple of ways (at most 64); the set index is
  // key % (entries / ways).
  SetAssoc(uint32_t entries, uint32_t ways, ReplPolicy policy, uint64_t seed)
      : m_policy(policy), m_rng(seed) {
    if (entries == 0) return;
    if (ways == 0 || entries % ways != 0)
      throw std::invalid_argument("set-associative array: " + std::to_string(entries) +
                                  " entries is not a multiple of " + std::to_string(ways) +
                                  " ways");
    if (ways > 64) throw std::invalid_argument("set-associative array: at most 64 ways");
    m_ways = ways;
    m_sets = entries / ways;
    m_pow2_sets = (m_sets & (m_sets - 1)) == 0;
    m_set_mask = m_sets - 1;
    m_pad = ways8::padded(ways);
    m_way_mask = ways8::way_mask(ways);
    m_small = m_pad == 16 && m_pow2_sets;
    m_last_rank4 = ways8::repeat4(static_cast<uint8_t>(ways - 1));
    // Valid mask, partial tags, ranks: whole host lines, so a header is one line up to 28 ways.
    m_header = (8 + 2 * size_t{m_pad} + 63) / 64 * 64;
    static_assert(kSmallHeader == (8 + 2 * 16 + 63) / 64 * 64, "a small set's header is a line");
    m_headers.assign(size_t{m_sets} * m_header, 0);
    for (uint32_t s = 0; s < m_sets; ++s) ways8::init_ranks(ranks(s), ways);
    m_ways_store.assign(entries, Way{});
  }

  bool enabled() const { return m_sets != 0; }
  uint32_t sets() const { return m_sets; }
  uint32_t ways() const { return m_ways; }
  uint32_t capacity() const { return m_sets * m_ways; }
  // Number of valid entries.
  uint32_t size() const { return m_valid; }
  ReplPolicy policy() const { return m_policy; }

  // Returns the payload of the (key, ctx) entry or nullptr; a hit makes it the youngest (LRU).
  Payload* lookup(uint64_t key, uint32_t ctx) {
    return m_small ? lookup_in<true>(key, ctx) : lookup_in<false>(key, ctx);
  }

  // Starts loading the header of key's set into the host's caches (a hint; no effect on results).
  void prefetch(uint64_t key) const {
    if (m_sets != 0) host_prefetch(header(set_index(key)));
  }

  // Like lookup but leaves the replacement state untouched.
  const Payload* peek(uint64_t key, uint32_t ctx) const {
    size_t set;
    const size_t i = find(key, ctx, set);
    return i == kNone ? nullptr : &m_ways_store[i].payload;
  }

  // Fills (key, ctx); an existing entry for it is overwritten in place (and made the youngest,
  // as a refill). Otherwise an invalid way is used first (the lowest), then the policy picks a
  // victim. Returns true when a valid entry was evicted, copying it to *evicted if given. Dropped
  // when disabled.
  bool insert(uint64_t key, uint32_t ctx, const Payload& payload, Slot* evicted = nullptr) {
    return m_small ? fill<true>(key, ctx, payload, evicted, false)
                   : fill<false>(key, ctx, payload, evicted, false);
  }
  // insert() for a key the caller has just missed on (a fill after a miss): no duplicate check.
  bool insert_absent(uint64_t key, uint32_t ctx, const Payload& payload) {
    return m_small ? fill<true>(key, ctx, payload, nullptr, true)
                   : fill<false>(key, ctx, payload, nullptr, true);
  }

  // Drops the (key, ctx) entry; returns whether it was present.
  bool invalidate(uint64_t key, uint32_t ctx) {
    size_t set;
    const size_t i = find(key, ctx, set);
    if (i == kNone) return false;
    set_valid(set, valid(set) & ~(uint64_t{1} << (i - set * m_ways)));
    --m_valid;
    return true;
  }

  // invalidate() of every key in [lo, hi] for ctx, in one pass over the array when the keys
  // outnumber its entries (an invalidation only clears a valid bit, so the order is immaterial);
  // returns how many were present.
  uint32_t invalidate_range(uint64_t lo, uint64_t hi, uint32_t ctx) {
    if (hi - lo < uint64_t{m_sets} * m_ways) {
      uint32_t dropped = 0;
      for (uint64_t k = lo;; ++k) {
        dropped += invalidate(k, ctx) ? 1 : 0;
        if (k == hi) return dropped;
      }
    }
    return invalidate_if([=](uint64_t tag, uint32_t c, const Payload&) {
      return c == ctx && tag >= lo && tag <= hi;
    });
  }

  // Drops every valid entry for which pred(tag, ctx, payload) is true; returns how many.
  template <typename Pred>
  uint32_t invalidate_if(Pred&& pred) {
    uint32_t dropped = 0;
    for (uint32_t s = 0; s < m_sets; ++s) {
      uint64_t keep = valid(s);
      for (uint64_t v = keep; v; v &= v - 1) {
        const uint32_t w = static_cast<uint32_t>(__builtin_ctzll(v));
        const Way& way = m_ways_store[size_t{s} * m_ways + w];
        if (pred(way.tag, way.ctx, static_cast<const Payload&>(way.payload))) {
          keep &= ~(uint64_t{1} << w);
          ++dropped;
        }
      }
      set_valid(s, keep);
    }
    m_valid -= dropped;
    return dropped;
  }

  // Drops every entry; returns how many were valid.
  uint32_t clear() {
    const uint32_t dropped = m_valid;
    for (uint32_t s = 0; s < m_sets; ++s) set_valid(s, 0);
    m_valid = 0;
    return dropped;
  }

  // Visits every valid slot in storage order (set by set, way by way).
  template <typename F>
  void for_each(F&& f) const {
    for (uint32_t s = 0; s < m_sets; ++s)
      for (uint64_t v = valid(s); v; v &= v - 1)
        f(slot(size_t{s} * m_ways + static_cast<uint32_t>(__builtin_ctzll(v))));
  }

 private:
  static constexpr size_t kNone = ~size_t{0};
  static constexpr uint32_t kNoWay = 64;
  static constexpr size_t kSmallHeader = 64;
  struct Way {
    uint64_t tag = 0;
    uint32_t ctx = 0;
    Payload payload{};
  };

  // A set's header: the valid mask (a bit per way), then m_pad bytes of partial tags, then m_pad
  // bytes of ranks.
  uint8_t* header(size_t set) { return &m_headers[set * m_header]; }
  const uint8_t* header(size_t set) const { return &m_headers[set * m_header]; }
  static uint64_t valid_of(const uint8_t* header) {
    uint64_t v;
    std::memcpy(&v, header, 8);
    return v;
  }
  static void set_valid_of(uint8_t* header, uint64_t v) { std::memcpy(header, &v, 8); }
  uint64_t valid(size_t set) const { return valid_of(header(set)); }
  void set_valid(size_t set, uint64_t v) { set_valid_of(header(set), v); }
  uint8_t* ranks(size_t set) { return header(set) + 8 + m_pad; }
  const uint8_t* ranks(size_t set) const { return header(set) + 8 + m_pad; }

  // Power-of-two set counts index with a mask, others with a modulo.
  size_t set_index(uint64_t key) const {
    return static_cast<size_t>(m_pow2_sets ? key & m_set_mask : key % m_sets);
  }
  static uint8_t partial_tag(uint64_t key, uint32_t ctx) {
    return static_cast<uint8_t>(((key ^ (uint64_t{ctx} << 40)) * 0x9e3779b97f4a7c15ULL) >> 56);
  }

  // The lookup and fill paths take kSmall = m_small: with it the byte rows are one 16-byte step,
  // a header is one host line and a mask indexes the sets, all known when compiling.
  template <bool kSmall>
  uint32_t pad() const {
    return kSmall ? 16 : m_pad;
  }
  template <bool kSmall>
  size_t set_of(uint64_t key) const {
    return kSmall ? static_cast<size_t>(key & m_set_mask) : set_index(key);
  }
  template <bool kSmall>
  uint8_t* header_of(size_t set) {
    return &m_headers[set * (kSmall ? kSmallHeader : m_header)];
  }

  // The way of the set (its header and ways) holding (key, ctx), or kNoWay.
  template <bool kSmall>
  uint32_t find_way(const uint8_t* header, const Way* ways, uint64_t key, uint32_t ctx) const {
    const uint8_t key_tag = partial_tag(key, ctx);
    for (uint64_t c = ways8::matches(header + 8, pad<kSmall>(), key_tag, valid_of(header)); c;
         c &= c - 1) {
      const uint32_t w = static_cast<uint32_t>(__builtin_ctzll(c));
      if (ways[w].tag == key && ways[w].ctx == ctx) return w;
    }
    return kNoWay;
  }

  // The storage index of the (key, ctx) way or kNone; set = its set (the key's).
  size_t find(uint64_t key, uint32_t ctx, size_t& set) const {
    set = 0;
    if (m_sets == 0) return kNone;
    set = set_index(key);
    const uint32_t w = find_way<false>(header(set), &m_ways_store[set * m_ways], key, ctx);
    return w == kNoWay ? kNone : set * m_ways + w;
  }

  template <bool kSmall>
  Payload* lookup_in(uint64_t key, uint32_t ctx) {
    if (!kSmall && m_sets == 0) return nullptr;
    const size_t set = set_of<kSmall>(key);
    uint8_t* h = header_of<kSmall>(set);
    Way* ways = &m_ways_store[set * m_ways];
    const uint32_t w = find_way<kSmall>(h, ways, key, ctx);
    if (w == kNoWay) return nullptr;
    if (m_policy == ReplPolicy::kLru) ways8::make_youngest(h + 8 + pad<kSmall>(), pad<kSmall>(), w);
    return &ways[w].payload;
  }

  template <bool kSmall>
  bool fill(uint64_t key, uint32_t ctx, const Payload& payload, Slot* evicted, bool absent) {
    if (!kSmall && m_sets == 0) return false;
    const size_t set = set_of<kSmall>(key);
    uint8_t* h = header_of<kSmall>(set);
    uint8_t* rk = h + 8 + pad<kSmall>();
    Way* ways = &m_ways_store[set * m_ways];
    if (!absent) {
      const uint32_t w = find_way<kSmall>(h, ways, key, ctx);
      if (w != kNoWay) {
        ways[w].payload = payload;
        ways8::make_youngest(rk, pad<kSmall>(), w);
        return false;
      }
    }
    const uint64_t v = valid_of(h);
    const uint64_t free = ~v & m_way_mask;
    uint32_t w;
    if (free) {
      w = static_cast<uint32_t>(__builtin_ctzll(free));
      ++m_valid;
      ways8::make_youngest(rk, pad<kSmall>(), w);
    } else if (kSmall && m_policy != ReplPolicy::kRandom) {
      // The victim is the oldest way; the ranks age around it in one step.
      w = ways8::renew_oldest16(rk, m_last_rank4);
      if (evicted) {
        const uint8_t age = static_cast<uint8_t>(m_ways - 1);  // the victim's rank before
        *evicted = Slot{true, ways[w].tag, ways[w].ctx, age, ways[w].payload};
      }
    } else {
      w = m_policy == ReplPolicy::kRandom ? static_cast<uint32_t>(m_rng.below(m_ways))
                                          : ways8::oldest(rk, pad<kSmall>(), m_ways, m_way_mask);
      if (evicted) *evicted = Slot{true, ways[w].tag, ways[w].ctx, rk[w], ways[w].payload};
      ways8::make_youngest(rk, pad<kSmall>(), w);
    }
    Way& way = ways[w];
    way.tag = key;
    way.ctx = ctx;
    way.payload = payload;
    h[8 + w] = partial_tag(key, ctx);
    set_valid_of(h, v | (uint64_t{1} << w));
    return !free;
  }

  Slot slot(size_t i) const {
    const size_t set = i / m_ways, w = i % m_ways;
    const Way& way = m_ways_store[i];
    return Slot{((valid(set) >> w) & 1) != 0, way.tag, way.ctx, ranks(set)[w], way.payload};
  }

  ReplPolicy m_policy;
  Rng m_rng;
  uint32_t m_sets = 0;
  uint64_t m_set_mask = 0;  // m_sets - 1
  bool m_pow2_sets = true;  // a mask indexes (one set included), else a modulo
  bool m_small = false;     // at most 16 ways and m_pow2_sets: the kSmall paths
  uint32_t m_ways = 0;
  uint32_t m_pad = 0;  // ways rounded up to 16
  uint64_t m_way_mask = 0;
  uint32_t m_last_rank4 = 0;  // the oldest rank, m_ways - 1, in each of 4 bytes
  uint32_t m_valid = 0;
  size_t m_header = 0;                                         // bytes per set header
  std::vector<uint8_t, HugePageAllocator<uint8_t>> m_headers;  // per set: valid, partial, ranks
  std::vector<Way> m_ways_store;                               // per set, its ways
};

}  // namespace mmusim
