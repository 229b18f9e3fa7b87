// Open-addressing hash map from uint64_t keys to trivially copyable values, for hot lookups
// (physical-memory page index, oracle, frame sets). Linear probing, power-of-two capacity,
// backward-shift deletion, so no tombstones and no allocation except when growing.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace mmusim {

template <typename V>
class FlatMap {
 public:
  explicit FlatMap(size_t initial_capacity = 16) { rehash(round_up(initial_capacity)); }

  size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }

  const V* find(uint64_t key) const {
    size_t i = slot(key);
    while (m_used[i]) {
      if (m_keys[i] == key) return &m_values[i];
      i = (i + 1) & m_mask;
    }
    return nullptr;
  }
  V* find(uint64_t key) {
    return const_cast<V*>(static_cast<const FlatMap*>(this)->find(key));
  }
  bool contains(uint64_t key) const { return find(key) != nullptr; }

  // Inserts or overwrites; returns a reference to the stored value.
  V& insert(uint64_t key, const V& value) {
    if ((m_size + 1) * 4 > m_keys.size() * 3) rehash(m_keys.size() * 2);
    size_t i = slot(key);
    while (m_used[i]) {
      if (m_keys[i] == key) {
        m_values[i] = value;
        return m_values[i];
      }
      i = (i + 1) & m_mask;
    }
    m_used[i] = 1;
    m_keys[i] = key;
    m_values[i] = value;
    ++m_size;
    return m_values[i];
  }

  bool erase(uint64_t key) {
    size_t i = slot(key);
    while (m_used[i] && m_keys[i] != key) i = (i + 1) & m_mask;
    if (!m_used[i]) return false;
    // Backward-shift: move later members of the probe run into the hole.
    size_t hole = i;
    size_t j = (i + 1) & m_mask;
    while (m_used[j]) {
      size_t home = slot(m_keys[j]);
      bool movable = (hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        m_keys[hole] = m_keys[j];
        m_values[hole] = m_values[j];
        hole = j;
      }
      j = (j + 1) & m_mask;
    }
    m_used[hole] = 0;
    --m_size;
    return true;
  }

  void clear() {
    std::fill(m_used.begin(), m_used.end(), 0);
    m_size = 0;
  }

  // Visits every (key, value) in slot order (deterministic for the same insertion history).
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < m_keys.size(); ++i)
      if (m_used[i]) f(m_keys[i], m_values[i]);
  }

  size_t memory_bytes() const {
    return m_keys.capacity() * sizeof(uint64_t) + m_values.capacity() * sizeof(V) +
           m_used.capacity();
  }

 private:
  static size_t round_up(size_t n) {
    size_t c = 16;
    while (c < n) c <<= 1;
    return c;
  }
  size_t slot(uint64_t key) const {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<size_t>(key) & m_mask;
  }
  void rehash(size_t capacity) {
    std::vector<uint64_t> keys(capacity);
    std::vector<V> values(capacity);
    std::vector<uint8_t> used(capacity, 0);
    keys.swap(m_keys);
    values.swap(m_values);
    used.swap(m_used);
    m_mask = capacity - 1;
    m_size = 0;
    for (size_t i = 0; i < keys.size(); ++i)
      if (used[i]) insert(keys[i], values[i]);
  }

  std::vector<uint64_t> m_keys;
  std::vector<V> m_values;
  std::vector<uint8_t> m_used;
  size_t m_mask = 0;
  size_t m_size = 0;
};

}  // namespace mmusim
