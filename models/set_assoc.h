// A set-associative array of tagged payloads with LRU, FIFO or random replacement; storage is one
// flat vector allocated at construction, so lookups and inserts never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/replacement.h"
#include "models/rng.h"

namespace mmusim {

template <typename Payload>
class SetAssoc {
 public:
  struct Slot {
    bool valid = false;
    uint64_t tag = 0;
    uint32_t ctx = 0;
    uint64_t stamp = 0;  // last use (LRU) or fill (FIFO) time on the array's clock
    Payload payload{};
  };

  // entries == 0 builds a disabled array (every lookup misses, inserts are dropped). Otherwise
  // entries must be a non-zero multiple of ways; the set index is key % (entries / ways).
  SetAssoc(uint32_t entries, uint32_t ways, ReplPolicy policy, uint64_t seed)
      : m_policy(policy), m_rng(seed) {
    if (entries == 0) return;
    if (ways == 0 || entries % ways != 0)
      throw std::invalid_argument("set-associative array: " + std::to_string(entries) +
                                  " entries is not a multiple of " + std::to_string(ways) +
                                  " ways");
    m_ways = ways;
    m_sets = entries / ways;
    m_set_mask = (m_sets & (m_sets - 1)) == 0 ? m_sets - 1 : 0;
    m_slots.resize(entries);
  }

  bool enabled() const { return m_sets != 0; }
  uint32_t sets() const { return m_sets; }
  uint32_t ways() const { return m_ways; }
  uint32_t capacity() const { return m_sets * m_ways; }
  // Number of valid entries.
  uint32_t size() const { return m_valid; }
  ReplPolicy policy() const { return m_policy; }

  // Returns the payload of the (key, ctx) entry or nullptr; a hit refreshes the LRU stamp.
  Payload* lookup(uint64_t key, uint32_t ctx) {
    Slot* s = find(key, ctx);
    if (!s) return nullptr;
    if (m_policy == ReplPolicy::kLru) s->stamp = ++m_clock;
    return &s->payload;
  }

  // Like lookup but leaves the replacement state untouched.
  const Payload* peek(uint64_t key, uint32_t ctx) const {
    const Slot* s = const_cast<SetAssoc*>(this)->find(key, ctx);
    return s ? &s->payload : nullptr;
  }

  // Fills (key, ctx); an existing entry for it is overwritten in place (and its stamp refreshed,
  // as a refill). Otherwise an invalid way is used first, then the policy picks a victim. Returns
  // true when a valid entry was evicted, copying it to *evicted if given. Dropped when disabled.
  bool insert(uint64_t key, uint32_t ctx, const Payload& payload, Slot* evicted = nullptr) {
    if (m_sets == 0) return false;
    Slot* set = &m_slots[set_index(key) * m_ways];
    Slot* target = nullptr;
    for (uint32_t w = 0; w < m_ways; ++w) {
      if (set[w].valid && set[w].tag == key && set[w].ctx == ctx) {
        set[w].payload = payload;
        set[w].stamp = ++m_clock;
        return false;
      }
      if (!target && !set[w].valid) target = &set[w];
    }
    bool evict = false;
    if (!target) {
      target = victim(set);
      evict = true;
      if (evicted) *evicted = *target;
    } else {
      ++m_valid;
    }
    target->valid = true;
    target->tag = key;
    target->ctx = ctx;
    target->stamp = ++m_clock;
    target->payload = payload;
    return evict;
  }

  // Drops the (key, ctx) entry; returns whether it was present.
  bool invalidate(uint64_t key, uint32_t ctx) {
    Slot* s = find(key, ctx);
    if (!s) return false;
    s->valid = false;
    --m_valid;
    return true;
  }

  // Drops every valid entry for which pred(tag, ctx, payload) is true; returns how many.
  template <typename Pred>
  uint32_t invalidate_if(Pred&& pred) {
    uint32_t dropped = 0;
    for (Slot& s : m_slots) {
      if (s.valid && pred(s.tag, s.ctx, static_cast<const Payload&>(s.payload))) {
        s.valid = false;
        ++dropped;
      }
    }
    m_valid -= dropped;
    return dropped;
  }

  // Drops every entry; returns how many were valid.
  uint32_t clear() {
    uint32_t dropped = m_valid;
    for (Slot& s : m_slots) s.valid = false;
    m_valid = 0;
    return dropped;
  }

  // Visits every valid slot in storage order.
  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : m_slots)
      if (s.valid) f(s);
  }

 private:
  Slot* find(uint64_t key, uint32_t ctx) {
    if (m_sets == 0) return nullptr;
    Slot* set = &m_slots[set_index(key) * m_ways];
    for (uint32_t w = 0; w < m_ways; ++w)
      if (set[w].valid && set[w].tag == key && set[w].ctx == ctx) return &set[w];
    return nullptr;
  }

  // Victim in a full set: the smallest stamp for LRU/FIFO, a uniform way for random.
  Slot* victim(Slot* set) {
    if (m_policy == ReplPolicy::kRandom) return &set[m_rng.below(m_ways)];
    Slot* v = &set[0];
    for (uint32_t w = 1; w < m_ways; ++w)
      if (set[w].stamp < v->stamp) v = &set[w];
    return v;
  }

  ReplPolicy m_policy;
  Rng m_rng;
  // Power-of-two set counts index with a mask, others with a modulo.
  size_t set_index(uint64_t key) const {
    return static_cast<size_t>(m_set_mask ? key & m_set_mask : key % m_sets);
  }

  uint32_t m_sets = 0;
  uint64_t m_set_mask = 0;
  uint32_t m_ways = 0;
  uint32_t m_valid = 0;
  uint64_t m_clock = 0;
  std::vector<Slot> m_slots;
};

}  // namespace mmusim
