// An address space's elastic cuckoo page tables (Skarlatos et al., ASPLOS'20): one EcptTable per
// page size, created on the first page of that size. Hardware probes every way of every size in
// use at once (the mask of sizes is part of the context the OS loads, as CR3 is). Cuckoo walk
// tables and caches, which would narrow the probes to one size, are not modelled yet.
#pragma once

#include <memory>
#include <unordered_map>

#include "models/ecpt_table.h"

namespace mmusim {

class Ecpt {
 public:
  Ecpt(PtFormat format, TableMemory& memory, const EcptParams& params)
      : m_format(format), m_memory(memory), m_params(params) {}

  using MapStatus = EcptTable::MapStatus;
  MapStatus map(Addr addr, Addr frame, PageSize size, Perms perms);
  // Clears the entry of the page of `size` at addr; false when none.
  bool unmap(Addr addr, PageSize size);

  // The table of a size, or null before its first page.
  const EcptTable* table(PageSize size) const { return m_tables[index(size)].get(); }
  // Whether a page of another size overlaps the page of `size` at addr (the OS knows from its
  // own records; the tables of different sizes do not see each other).
  bool overlaps(Addr addr, PageSize size) const;
  PtFormat format() const { return m_format; }
  // The words a walk for addr reads: in each way of each size's table, addr's entry in the line
  // probed (the order the walker reads them); returns how many.
  unsigned probe_words(Addr addr, Addr* out) const;
  static constexpr unsigned kMaxProbes = kNumPageSizes * EcptTable::kMaxWays;
  // Page sizes with a table (bit s for PageSize s).
  unsigned sizes() const { return m_sizes; }
  uint64_t table_pages() const;
  // Lines moved by resizing, all sizes (the OS's rehash work).
  uint64_t lines_moved() const;
  void report(StatsVisitor& v) const;

 private:
  static unsigned index(PageSize s) { return static_cast<unsigned>(s); }

  PtFormat m_format;
  TableMemory& m_memory;
  EcptParams m_params;
  std::unique_ptr<EcptTable> m_tables[kNumPageSizes];
  unsigned m_sizes = 0;
  // Smaller pages mapped per 2 MiB and per 1 GiB region.
  std::unordered_map<uint64_t, uint32_t> m_in_2m, m_in_1g;
};

}  // namespace mmusim
