// A shadow table the hypervisor composes and hardware walks, in host memory, with its own record
// of what it holds: a gVA -> hPA shadow page table (x86 format) for one guest address space, or
// a nested guest's EPT02 (EPT format, L2 gPA -> hPA) composed from EPT12 and EPT01.
#pragma once

#include "models/page_table.h"
#include "models/translation_map.h"

namespace mmusim {

class Ecpt;

class ShadowTable {
 public:
  ShadowTable(PtFormat format, unsigned levels, TableMemory& host_tables)
      : m_table(format, levels, host_tables) {}
  // FPT: the hypervisor flattens the shadow where it can (before init).
  void set_flatten(bool flatten) { m_table.set_flatten(flatten); }
  bool init() { return m_table.init(); }

  // Writes the shadow entry for the page of `size` containing va, which translates to host
  // address pa. A region already shadowed with entries of another size gets a 4K entry instead.
  // False when host memory ran out.
  bool fill(Addr va, Addr pa, PageSize size, Perms perms);
  // Clears the shadow entry covering va (and frees tables it empties); false if none.
  bool drop(Addr va);
  // Rewrites the shadow entry covering va in place with `perms` (its frame and size kept);
  // false if none.
  bool reprotect(Addr va, Perms perms);

  // Agile Paging: the shadow entry of `level` covering va switches the walk to the guest's table
  // at host address `guest_table`; the shadow entries below it go (false: host memory ran out).
  bool link(Addr va, unsigned level, Addr guest_table);
  // Clears such a switching entry; false when the entry is not one.
  bool unlink(Addr va, unsigned level) { return m_table.unlink(va, level); }

  const TranslationMap& record() const { return m_record; }
  Addr root() const { return m_table.root(); }
  unsigned levels() const { return m_table.levels(); }
  PtFormat format() const { return m_table.format(); }
  bool root_flat() const { return m_table.root_flat(); }
  const Ecpt* ecpt() const { return nullptr; }
  uint64_t table_pages() const { return m_table.table_pages(); }
  uint64_t entries() const { return m_record.size(); }

 private:
  RadixTable m_table;
  TranslationMap m_record;
};

}  // namespace mmusim
