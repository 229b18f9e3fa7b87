// A set-associative array of tagged payloads with LRU, FIFO or random replacement. Each set keeps
// a byte per way of partial tag (a hash of key and context, so one 16-byte compare finds the
// candidate ways), a byte per way of age rank (models/byte_set.h) and a valid mask; tags,
// contexts and payloads are parallel arrays. Everything is allocated at construction, so lookups
// and inserts never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/byte_set.h"
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
    m_set_mask = (m_sets & (m_sets - 1)) == 0 ? m_sets - 1 : 0;
    m_pad = ways8::padded(ways);
    m_way_mask = ways8::way_mask(ways);
    m_partial.assign(size_t{m_sets} * m_pad, 0);
    m_ranks.assign(size_t{m_sets} * m_pad, 0);
    for (uint32_t s = 0; s < m_sets; ++s) ways8::init_ranks(&m_ranks[size_t{s} * m_pad], ways);
    m_valid_ways.assign(m_sets, 0);
    m_tags.assign(entries, 0);
    m_ctxs.assign(entries, 0);
    m_payloads.assign(entries, Payload{});
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
    const size_t i = find(key, ctx);
    if (i == kNone) return nullptr;
    if (m_policy == ReplPolicy::kLru) touch(i);
    return &m_payloads[i];
  }

  // Like lookup but leaves the replacement state untouched.
  const Payload* peek(uint64_t key, uint32_t ctx) const {
    const size_t i = find(key, ctx);
    return i == kNone ? nullptr : &m_payloads[i];
  }

  // Fills (key, ctx); an existing entry for it is overwritten in place (and made the youngest,
  // as a refill). Otherwise an invalid way is used first (the lowest), then the policy picks a
  // victim. Returns true when a valid entry was evicted, copying it to *evicted if given. Dropped
  // when disabled.
  bool insert(uint64_t key, uint32_t ctx, const Payload& payload, Slot* evicted = nullptr) {
    return fill(key, ctx, payload, evicted, false);
  }
  // insert() for a key the caller has just missed on (a fill after a miss): no duplicate check.
  bool insert_absent(uint64_t key, uint32_t ctx, const Payload& payload) {
    return fill(key, ctx, payload, nullptr, true);
  }

  // Drops the (key, ctx) entry; returns whether it was present.
  bool invalidate(uint64_t key, uint32_t ctx) {
    const size_t i = find(key, ctx);
    if (i == kNone) return false;
    m_valid_ways[i / m_ways] &= ~(uint64_t{1} << (i % m_ways));
    --m_valid;
    return true;
  }

  // Drops every valid entry for which pred(tag, ctx, payload) is true; returns how many.
  template <typename Pred>
  uint32_t invalidate_if(Pred&& pred) {
    uint32_t dropped = 0;
    for (uint32_t s = 0; s < m_sets; ++s) {
      for (uint64_t v = m_valid_ways[s]; v; v &= v - 1) {
        const uint32_t w = static_cast<uint32_t>(__builtin_ctzll(v));
        const size_t i = size_t{s} * m_ways + w;
        if (pred(m_tags[i], m_ctxs[i], static_cast<const Payload&>(m_payloads[i]))) {
          m_valid_ways[s] &= ~(uint64_t{1} << w);
          ++dropped;
        }
      }
    }
    m_valid -= dropped;
    return dropped;
  }

  // Drops every entry; returns how many were valid.
  uint32_t clear() {
    const uint32_t dropped = m_valid;
    for (auto& v : m_valid_ways) v = 0;
    m_valid = 0;
    return dropped;
  }

  // Visits every valid slot in storage order (set by set, way by way).
  template <typename F>
  void for_each(F&& f) const {
    for (uint32_t s = 0; s < m_sets; ++s)
      for (uint64_t v = m_valid_ways[s]; v; v &= v - 1)
        f(slot(size_t{s} * m_ways + static_cast<uint32_t>(__builtin_ctzll(v))));
  }

 private:
  static constexpr size_t kNone = ~size_t{0};
  static constexpr uint32_t kPartialFrom = 8;  // ways from which partial tags pick candidates

  // Power-of-two set counts index with a mask, others with a modulo.
  size_t set_index(uint64_t key) const {
    return static_cast<size_t>(m_set_mask ? key & m_set_mask : key % m_sets);
  }
  static uint8_t partial_tag(uint64_t key, uint32_t ctx) {
    return static_cast<uint8_t>(((key ^ (uint64_t{ctx} << 40)) * 0x9e3779b97f4a7c15ULL) >> 56);
  }

  size_t find(uint64_t key, uint32_t ctx) const {
    if (m_sets == 0) return kNone;
    const size_t set = set_index(key);
    const size_t base = set * m_ways;
    const uint64_t valid = m_valid_ways[set];
    if (m_ways < kPartialFrom) {  // small sets (the paging-structure caches): compare each way
      for (uint32_t w = 0; w < m_ways; ++w)
        if (m_tags[base + w] == key && m_ctxs[base + w] == ctx && ((valid >> w) & 1)) return base + w;
      return kNone;
    }
    for (uint64_t c = ways8::matches(&m_partial[set * m_pad], m_pad, partial_tag(key, ctx), valid);
         c; c &= c - 1) {
      const size_t i = base + static_cast<uint32_t>(__builtin_ctzll(c));
      if (m_tags[i] == key && m_ctxs[i] == ctx) return i;
    }
    return kNone;
  }

  void touch(size_t i) { ways8::make_youngest(&m_ranks[i / m_ways * m_pad], m_pad, i % m_ways); }

  bool fill(uint64_t key, uint32_t ctx, const Payload& payload, Slot* evicted, bool absent) {
    if (m_sets == 0) return false;
    if (!absent) {
      const size_t i = find(key, ctx);
      if (i != kNone) {
        m_payloads[i] = payload;
        touch(i);
        return false;
      }
    }
    const size_t set = set_index(key);
    const uint64_t free = ~m_valid_ways[set] & m_way_mask;
    uint32_t w;
    bool evict = false;
    if (free) {
      w = static_cast<uint32_t>(__builtin_ctzll(free));
      ++m_valid;
    } else {
      w = m_policy == ReplPolicy::kRandom
              ? static_cast<uint32_t>(m_rng.below(m_ways))
              : ways8::oldest(&m_ranks[set * m_pad], m_pad, m_ways, m_way_mask);
      evict = true;
      if (evicted) *evicted = slot(set * m_ways + w);
    }
    const size_t i = set * m_ways + w;
    m_tags[i] = key;
    m_ctxs[i] = ctx;
    m_payloads[i] = payload;
    m_partial[set * m_pad + w] = partial_tag(key, ctx);
    m_valid_ways[set] |= uint64_t{1} << w;
    touch(i);
    return evict;
  }

  Slot slot(size_t i) const {
    const size_t set = i / m_ways, w = i % m_ways;
    return Slot{((m_valid_ways[set] >> w) & 1) != 0, m_tags[i], m_ctxs[i],
                m_ranks[set * m_pad + w], m_payloads[i]};
  }

  ReplPolicy m_policy;
  Rng m_rng;
  uint32_t m_sets = 0;
  uint64_t m_set_mask = 0;
  uint32_t m_ways = 0;
  uint32_t m_pad = 0;  // ways rounded up to 16
  uint64_t m_way_mask = 0;
  uint32_t m_valid = 0;
  std::vector<uint8_t> m_partial;      // per set, m_pad bytes
  std::vector<uint8_t> m_ranks;        // per set, m_pad bytes
  std::vector<uint64_t> m_valid_ways;  // per set, a bit per way
  std::vector<uint64_t> m_tags;
  std::vector<uint32_t> m_ctxs;
  std::vector<Payload> m_payloads;
};

}  // namespace mmusim
