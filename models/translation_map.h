// The oracle for one dimension: every mapping the builder made, recorded apart from page-table
// memory, so translations can be checked by something that never reads the tables.
#pragma once

#include "models/flat_map.h"
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
  size_t size() const { return m_maps[0].size() + m_maps[1].size() + m_maps[2].size(); }
  size_t pages(PageSize s) const { return m_maps[static_cast<unsigned>(s)].size(); }
  size_t memory_bytes() const;

 private:
  // Per page size: input page number -> output frame base | permission bits in the low 12 bits.
  FlatMap<uint64_t> m_maps[kNumPageSizes];
};

}  // namespace mmusim
