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
  // Removes every mapping whose page starts in [start, end).
  void erase_range(Addr start, Addr end);
  // Visits every mapping whose page starts in [start, end), in no particular order.
  template <typename F>
  void for_each_in(Addr start, Addr end, F&& f) const {
    visit_range(start, end, [&](unsigned s, uint64_t page, uint64_t packed) {
      const PageSize size = static_cast<PageSize>(s);
      f(Mapping{page << page_shift(size), packed & ~page_mask(PageSize::k4K), size,
                unpack(packed)});
    });
  }
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
  static Perms unpack(uint64_t packed);
  // Calls f(size, page, packed) for every mapped slot whose page starts in [start, end): blocks
  // looked up one by one when the range is small, else every block scanned.
  template <typename F>
  void visit_range(Addr start, Addr end, F&& f) const {
    for (unsigned s = 0; s < kNumPageSizes; ++s) {
      if (m_count[s] == 0 || start >= end) continue;
      const unsigned shift = page_shift(static_cast<PageSize>(s));
      const uint64_t first = (start + page_bytes(static_cast<PageSize>(s)) - 1) >> shift;
      const uint64_t last = (end - 1) >> shift;  // inclusive
      if (first > last) continue;
      const Level& l = m_levels[s];
      auto block = [&](uint64_t b, uint32_t at) {
        for (unsigned i = 0; i < (1u << kBlockShift); ++i) {
          const uint64_t page = (b << kBlockShift) | i, packed = l.blocks[at][i];
          if (packed && page >= first && page <= last) f(s, page, packed);
        }
      };
      const uint64_t b0 = first >> kBlockShift, b1 = last >> kBlockShift;
      if (b1 - b0 < l.index.size()) {
        for (uint64_t b = b0; b <= b1; ++b)
          if (const uint32_t* at = l.index.find(b)) block(b, *at);
      } else {
        l.index.for_each([&](uint64_t b, uint32_t at) {
          if (b >= b0 && b <= b1) block(b, at);
        });
      }
    }
  }
  const uint64_t* slot(unsigned size, uint64_t page) const;

  Level m_levels[kNumPageSizes];
  size_t m_count[kNumPageSizes] = {};
  uint64_t m_version = next_version();
  static uint64_t next_version();
};

}  // namespace mmusim
