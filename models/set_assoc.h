// A set-associative array of tagged payloads with LRU, FIFO or random replacement. Storage is
// laid out as parallel arrays (tags, contexts, stamps, payloads) allocated at construction, so a
// lookup scans one set's tags contiguously and lookups and inserts never allocate.
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
  // A copy of one entry (what an eviction reports, what for_each visits).
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
    m_tags.assign(entries, 0);
    m_ctxs.assign(entries, kInvalid);
    m_stamps.assign(entries, 0);
    m_payloads.assign(entries, Payload{});
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
    const size_t i = find(key, ctx);
    if (i == kNone) return nullptr;
    if (m_policy == ReplPolicy::kLru) m_stamps[i] = ++m_clock;
    return &m_payloads[i];
  }

  // Like lookup but leaves the replacement state untouched.
  const Payload* peek(uint64_t key, uint32_t ctx) const {
    const size_t i = find(key, ctx);
    return i == kNone ? nullptr : &m_payloads[i];
  }

  // Fills (key, ctx); an existing entry for it is overwritten in place (and its stamp refreshed,
  // as a refill). Otherwise an invalid way is used first, then the policy picks a victim. Returns
  // true when a valid entry was evicted, copying it to *evicted if given. Dropped when disabled.
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
    m_ctxs[i] = kInvalid;
    --m_valid;
    return true;
  }

  // Drops every valid entry for which pred(tag, ctx, payload) is true; returns how many.
  template <typename Pred>
  uint32_t invalidate_if(Pred&& pred) {
    uint32_t dropped = 0;
    for (size_t i = 0; i < m_ctxs.size(); ++i) {
      if (m_ctxs[i] != kInvalid &&
          pred(m_tags[i], untagged(m_ctxs[i]), static_cast<const Payload&>(m_payloads[i]))) {
        m_ctxs[i] = kInvalid;
        ++dropped;
      }
    }
    m_valid -= dropped;
    return dropped;
  }

  // Drops every entry; returns how many were valid.
  uint32_t clear() {
    const uint32_t dropped = m_valid;
    for (auto& c : m_ctxs) c = kInvalid;
    m_valid = 0;
    return dropped;
  }

  // Visits every valid slot in storage order.
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < m_ctxs.size(); ++i)
      if (m_ctxs[i] != kInvalid) f(slot(i));
  }

 private:
  static constexpr size_t kNone = ~size_t{0};
  // Contexts are stored with a valid bit above the 32-bit context; 0 marks an invalid way.
  static constexpr uint64_t kInvalid = 0;
  static uint64_t tagged(uint32_t ctx) { return (uint64_t{1} << 32) | ctx; }
  static uint32_t untagged(uint64_t c) { return static_cast<uint32_t>(c); }

  // Power-of-two set counts index with a mask, others with a modulo.
  size_t set_index(uint64_t key) const {
    return static_cast<size_t>(m_set_mask ? key & m_set_mask : key % m_sets);
  }

  size_t find(uint64_t key, uint32_t ctx) const {
    if (m_sets == 0) return kNone;
    const size_t base = set_index(key) * m_ways;
    const uint64_t want = tagged(ctx);
    for (size_t i = base; i < base + m_ways; ++i)
      if (m_tags[i] == key && m_ctxs[i] == want) return i;
    return kNone;
  }

  bool fill(uint64_t key, uint32_t ctx, const Payload& payload, Slot* evicted, bool absent) {
    if (m_sets == 0) return false;
    const size_t base = set_index(key) * m_ways;
    const uint64_t want = tagged(ctx);
    // One pass: an existing entry, else the first invalid way, else the oldest stamp.
    size_t free = kNone, oldest = base;
    for (size_t i = base; i < base + m_ways; ++i) {
      if (!absent && m_tags[i] == key && m_ctxs[i] == want) {
        m_payloads[i] = payload;
        m_stamps[i] = ++m_clock;
        return false;
      }
      if (m_ctxs[i] == kInvalid) {
        if (free == kNone) free = i;
      } else if (m_stamps[i] < m_stamps[oldest]) {
        oldest = i;
      }
    }
    bool evict = false;
    size_t target = free;
    if (target == kNone) {
      target = m_policy == ReplPolicy::kRandom ? base + m_rng.below(m_ways) : oldest;
      evict = true;
      if (evicted) *evicted = slot(target);
    } else {
      ++m_valid;
    }
    m_tags[target] = key;
    m_ctxs[target] = want;
    m_stamps[target] = ++m_clock;
    m_payloads[target] = payload;
    return evict;
  }

  Slot slot(size_t i) const {
    return Slot{m_ctxs[i] != kInvalid, m_tags[i], untagged(m_ctxs[i]), m_stamps[i],
                m_payloads[i]};
  }

  ReplPolicy m_policy;
  Rng m_rng;
  uint32_t m_sets = 0;
  uint64_t m_set_mask = 0;
  uint32_t m_ways = 0;
  uint32_t m_valid = 0;
  uint64_t m_clock = 0;
  std::vector<uint64_t> m_tags;
  std::vector<uint64_t> m_ctxs;
  std::vector<uint64_t> m_stamps;
  std::vector<Payload> m_payloads;
};

}  // namespace mmusim
