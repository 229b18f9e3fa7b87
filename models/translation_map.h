// The oracle for one dimension: every mapping the builder made, recorded apart from page-table
// memory, so translations can be checked by something that never reads the tables.
#pragma once

#include <array>
#include <vector>

#include "models/flat_map.h"
#include "models/huge_page_allocator.h"
#include "models/types.h"

namespace mmusim {

struct Mapping {
  Addr base = 0;     // input page base
  Addr target = 0;   // output frame base
  PageSize size = PageSize::k4K;
  Perms perms;
  Addr translate(Addr a) const { return target | (a & page_mask(size)); }
};

class TranslationMap {
 public:
  void insert(Addr addr, Addr target, PageSize size, Perms perms);
  // Removes the mapping covering addr; false if none.
  bool erase(Addr addr, Mapping* removed = nullptr);
  bool lookup(Addr addr, Mapping& m) const;
  bool contains(Addr addr) const {
    Mapping m;
    return lookup(addr, m);
  }
  // Starts loading what lookup(addr) will read for the smallest mapped page size (a host-cache
  // hint only; no effect on results).
  void prefetch(Addr addr) const;
  // Starts loading the index slot that prefetch(addr) and lookup(addr) read first, so a later
  // prefetch(addr) does not wait for it.
  void prefetch_index(Addr addr) const {
    for (unsigned s = 0; s < kNumPageSizes; ++s) {
      if (m_count[s] == 0) continue;
      m_levels[s].index.prefetch((addr >> page_shift(static_cast<PageSize>(s))) >> kBlockShift);
      return;
    }
  }
  size_t size() const { return m_count[0] + m_count[1] + m_count[2]; }
  size_t pages(PageSize s) const { return m_count[static_cast<unsigned>(s)]; }
  size_t memory_bytes() const;
  // Changes with every insert and erase, and no two maps ever share one: an answer looked up
  // at version v still holds while version() == v.
  uint64_t version() const { return m_version; }

 private:
  // Per page size, a two-level map: page number / 64 -> a dense block of 64 packed mappings
  // (frame base | permission and valid bits in the low 12 bits; 0 = unmapped). Dense regions
  // cost 8 bytes a page and one cache miss a lookup; scattered pages cost at most a block each.
  static constexpr unsigned kBlockShift = 6;
  using Block = std::array<uint64_t, 1u << kBlockShift>;
  struct Level {
    FlatMap<uint32_t> index;  // block number -> position in blocks
    std::vector<Block, HugePageAllocator<Block>> blocks;
  };
  uint64_t* slot(unsigned size, uint64_t page, bool create);
  const uint64_t* slot(unsigned size, uint64_t page) const;

  Level m_levels[kNumPageSizes];
  size_t m_count[kNumPageSizes] = {};
  uint64_t m_version = next_version();
  static uint64_t next_version();
};

}  // namespace mmusim
