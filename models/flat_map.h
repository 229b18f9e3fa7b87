// Open-addressing hash map from uint64_t keys to trivially copyable values, for hot lookups
// (physical-memory page index, oracle blocks, frame sets). Linear probing over one array of
// slots (key and value side by side: one cache miss per probe), Fibonacci hashing into a
// power-of-two capacity kept at most half full, backward-shift deletion, so no tombstones and
// no allocation except when growing.
// The key ~0 is reserved (marks an empty slot).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "models/host_prefetch.h"
#include "models/huge_page_allocator.h"

namespace mmusim {

template <typename V>
class FlatMap {
 public:
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  explicit FlatMap(size_t initial_capacity = 16) { rehash(round_up(initial_capacity)); }

  size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }

  const V* find(uint64_t key) const {
    size_t i = slot(key);
    while (m_slots[i].key != kEmpty) {
      if (m_slots[i].key == key) return &m_slots[i].value;
      i = (i + 1) & m_mask;
    }
    return nullptr;
  }
  V* find(uint64_t key) {
    return const_cast<V*>(static_cast<const FlatMap*>(this)->find(key));
  }
  bool contains(uint64_t key) const { return find(key) != nullptr; }
  // Starts loading the slot where find(key) begins (a host-cache hint; no effect on results).
  void prefetch(uint64_t key) const { host_prefetch(&m_slots[slot(key)]); }

  // Inserts or overwrites; returns a reference to the stored value.
  V& insert(uint64_t key, const V& value) {
    if (key == kEmpty) throw std::invalid_argument("FlatMap: reserved key");
    if ((m_size + 1) * 2 > m_slots.size()) rehash(m_slots.size() * 2);
    size_t i = slot(key);
    while (m_slots[i].key != kEmpty) {
      if (m_slots[i].key == key) {
        m_slots[i].value = value;
        return m_slots[i].value;
      }
      i = (i + 1) & m_mask;
    }
    m_slots[i] = Slot{key, value};
    ++m_size;
    return m_slots[i].value;
  }

  bool erase(uint64_t key) {
    size_t i = slot(key);
    while (m_slots[i].key != kEmpty && m_slots[i].key != key) i = (i + 1) & m_mask;
    if (m_slots[i].key == kEmpty) return false;
    // Backward-shift: move later members of the probe run into the hole.
    size_t hole = i;
    size_t j = (i + 1) & m_mask;
    while (m_slots[j].key != kEmpty) {
      const size_t home = slot(m_slots[j].key);
      const bool movable = (hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        m_slots[hole] = m_slots[j];
        hole = j;
      }
      j = (j + 1) & m_mask;
    }
    m_slots[hole].key = kEmpty;
    --m_size;
    return true;
  }

  void clear() {
    for (auto& s : m_slots) s.key = kEmpty;
    m_size = 0;
  }

  // Visits every (key, value) in slot order (deterministic for the same insertion history).
  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : m_slots)
      if (s.key != kEmpty) f(s.key, s.value);
  }

  size_t memory_bytes() const { return m_slots.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t key = kEmpty;
    V value{};
  };

  static size_t round_up(size_t n) {
    size_t c = 16;
    while (c < n) c <<= 1;
    return c;
  }
  size_t slot(uint64_t key) const {
    return static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >> m_shift);
  }
  void rehash(size_t capacity) {
    std::vector<Slot, HugePageAllocator<Slot>> old(capacity);
    old.swap(m_slots);
    m_mask = capacity - 1;
    m_shift = 64;
    for (size_t c = capacity; c > 1; c >>= 1) --m_shift;
    m_size = 0;
    for (const Slot& s : old)
      if (s.key != kEmpty) insert(s.key, s.value);
  }

  std::vector<Slot, HugePageAllocator<Slot>> m_slots;
  size_t m_mask = 0;
  unsigned m_shift = 64;  // 64 - log2(capacity): the hash's top bits pick the slot
  size_t m_size = 0;
};

}  // namespace mmusim
