#include "models/page_table.h"

#include <stdexcept>

namespace mmusim {

uint64_t make_table_entry(PtFormat f, Addr table, bool flat) {
  const uint64_t e = (table & kEntryAddrMask) | (flat ? kFlatNext : 0);
  if (f == PtFormat::kX86) return e | x86pte::kPresent | x86pte::kWrite | x86pte::kUser | x86pte::kAccessed;
  return e | ept::kRead | ept::kWrite | ept::kExec | ept::kAccessed;
}

uint64_t make_leaf_entry(PtFormat f, Addr frame, PageSize size, Perms perms) {
  uint64_t e = frame & kEntryAddrMask & ~page_mask(size);
  if (f == PtFormat::kX86) {
    // A and D preset: the model does not charge hardware A/D updates to walks.
    e |= x86pte::kPresent | x86pte::kAccessed | x86pte::kDirty;
    if (perms.write) e |= x86pte::kWrite;
    if (perms.user) e |= x86pte::kUser;
    if (!perms.exec) e |= x86pte::kNoExec;
    if (size != PageSize::k4K) e |= x86pte::kPageSize;
  } else {
    e |= ept::kRead | ept::kMemTypeWb | ept::kAccessed | ept::kDirty;
    if (perms.write) e |= ept::kWrite;
    if (perms.exec) e |= ept::kExec;
    if (size != PageSize::k4K) e |= ept::kPageSize;
  }
  return e;
}

RadixTable::RadixTable(PtFormat format, unsigned levels, TableMemory& memory)
    : m_format(format), m_levels(levels), m_memory(memory) {}

bool RadixTable::init() { return new_table(m_levels, 1, true, m_root, m_root_flat); }

bool RadixTable::new_table(unsigned level, unsigned leaf, bool root, Addr& table, bool& flat) {
  // A flattened table merges `level` with the level below, so it serves leaves there or lower.
  flat = false;
  if (m_flatten && flattenable(level) && leaf < level) {
    if (m_memory.alloc_flat_table(table)) {
      flat = true;
      ++m_flat_tables;
      m_table_pages += kFlatEntries / kEntriesPerTable;
      m_flat_used[table] = 0;
      return true;
    }
    ++m_flatten_failures;
  }
  if (!m_memory.alloc_table(table, root)) return false;
  ++m_table_pages;
  return true;
}

void RadixTable::free_table(Addr table, bool flat) {
  if (flat) {
    m_memory.free_flat_table(table);
    m_flat_used.erase(table);
    --m_flat_tables;
    m_table_pages -= kFlatEntries / kEntriesPerTable;
    return;
  }
  m_memory.free_table(table);
  --m_table_pages;
}

void RadixTable::write_entry(Addr table, bool flat, Addr slot, uint64_t value) {
  if (flat) {
    const bool was = m_memory.read(slot) != 0;
    uint32_t& used = m_flat_used[table];
    used = used + (value != 0) - was;
  }
  m_memory.write(slot, value);
}

// A 2 MiB page in a flattened L2+L1 table: its entry in each of the 512 slots it covers.
RadixTable::MapStatus RadixTable::map_copies(Addr table, Addr addr, Addr frame, Perms perms) {
  const Addr first = table + flat_index(page_base(addr, PageSize::k2M), 2) * 8;
  for (unsigned i = 0; i < kEntriesPerTable; ++i)
    if (entry_present(m_format, m_memory.read(first + i * 8))) return MapStatus::kConflict;
  const uint64_t e = make_leaf_entry(m_format, frame, PageSize::k2M, perms);
  for (unsigned i = 0; i < kEntriesPerTable; ++i) write_entry(table, true, first + i * 8, e);
  return MapStatus::kOk;
}

RadixTable::MapStatus RadixTable::map(Addr addr, Addr frame, PageSize size, Perms perms) {
  const unsigned leaf = leaf_level(size);
  Addr table = m_root;
  bool flat = m_root_flat;
  for (unsigned level = m_levels;;) {
    const unsigned el = flat ? level - 1 : level;  // the level of this table's entries
    if (el < leaf) return map_copies(table, addr, frame, perms);
    const Addr slot = table + slot_index(addr, level, flat) * 8;
    const uint64_t e = m_memory.read(slot);
    if (el == leaf) {
      if (entry_present(m_format, e)) return MapStatus::kConflict;
      write_entry(table, flat, slot, make_leaf_entry(m_format, frame, size, perms));
      if (m_observer) m_observer->entry_written(el, addr);
      return MapStatus::kOk;
    }
    if (entry_present(m_format, e)) {
      if (entry_is_leaf(m_format, e, el) || (e & kForeignTable)) return MapStatus::kConflict;
      table = entry_addr(e);
      flat = (e & kFlatNext) != 0;
      level = el - 1;
      continue;
    }
    Addr next;
    bool next_flat = false;
    if (m_placer && m_placer->place(addr, el - 1, next)) {
      ++m_table_pages;  // a placed page (a TEA page) is reserved and zero already
    } else if (!new_table(el - 1, leaf, false, next, next_flat)) {
      return MapStatus::kOutOfMemory;
    }
    write_entry(table, flat, slot, make_table_entry(m_format, next, next_flat));
    if (m_observer) m_observer->entry_written(el, addr);
    table = next;
    flat = next_flat;
    level = el - 1;
  }
}

bool RadixTable::table_empty(Addr table, bool flat) {
  if (flat) return m_flat_used[table] == 0;
  for (unsigned i = 0; i < kEntriesPerTable; ++i)
    if (m_memory.read(table + i * 8) != 0) return false;
  return true;
}

bool RadixTable::find_leaf(Addr addr, Step* path, unsigned& n) const {
  n = 0;
  Addr table = m_root;
  bool flat = m_root_flat;
  for (unsigned level = m_levels; level >= 1;) {
    const unsigned el = flat ? level - 1 : level;
    const Addr slot = table + slot_index(addr, level, flat) * 8;
    path[n++] = {table, slot, level, flat};
    const uint64_t e = m_memory.read(slot);
    if (!entry_present(m_format, e)) return false;
    if (entry_is_leaf(m_format, e, el)) return true;
    if (e & kForeignTable) return false;  // not this builder's table
    table = entry_addr(e);
    flat = (e & kFlatNext) != 0;
    level = el - 1;
  }
  return false;
}

void RadixTable::write_leaf(const Step& s, Addr addr, uint64_t value) {
  const unsigned el = s.flat ? s.level - 1 : s.level;
  if (s.flat && el == 1 && (m_memory.read(s.slot) & x86pte::kPageSize)) {
    // The 512 copies of a 2 MiB page's entry.
    const Addr first = s.table + flat_index(page_base(addr, PageSize::k2M), 2) * 8;
    for (unsigned i = 0; i < kEntriesPerTable; ++i)
      write_entry(s.table, true, first + i * 8, value);
  } else {
    write_entry(s.table, s.flat, s.slot, value);
  }
  if (m_observer) m_observer->entry_written(el, addr);
}

bool RadixTable::unmap(Addr addr) {
  Step path[kMaxLevels];
  unsigned n;
  if (!find_leaf(addr, path, n)) return false;
  write_leaf(path[n - 1], addr, 0);
  // Free tables that became empty, bottom-up, never the root nor a placed (TEA) page.
  Addr placed;
  for (unsigned i = n - 1; i > 0 && table_empty(path[i].table, path[i].flat); --i) {
    const Step& s = path[i];
    if (m_placer && m_placer->place(addr, s.level, placed) && placed == s.table) break;
    free_table(s.table, s.flat);
    write_entry(path[i - 1].table, path[i - 1].flat, path[i - 1].slot, 0);
    if (m_observer) m_observer->entry_written(path[i - 1].level, addr);
  }
  return true;
}

bool RadixTable::rewrite(Addr addr, Addr frame, PageSize size, Perms perms) {
  Step path[kMaxLevels];
  unsigned n;
  if (!find_leaf(addr, path, n)) return false;
  write_leaf(path[n - 1], addr, make_leaf_entry(m_format, frame, size, perms));
  return true;
}

void RadixTable::tables_in(Addr start, Addr end, unsigned level,
                           std::vector<std::pair<Addr, Addr>>& out) {
  if (start >= end || level >= m_levels) return;
  if (m_flatten) throw std::logic_error("page table: TEA operations on a flattened table");
  collect(m_root, m_levels, 0, start, end, level, out);
}

void RadixTable::collect(Addr table, unsigned table_level, Addr base, Addr start, Addr end,
                         unsigned level, std::vector<std::pair<Addr, Addr>>& out) {
  // The table of table_level covers [base, base + 512 entries of `shift` bits each).
  const unsigned shift = kPageShift + 9 * (table_level - 1);
  const Addr span = Addr{kEntriesPerTable} << shift;
  if (end <= base || start >= base + span) return;
  const unsigned first = start > base ? static_cast<unsigned>((start - base) >> shift) : 0;
  const unsigned last =
      end - base >= span ? kEntriesPerTable - 1 : static_cast<unsigned>((end - 1 - base) >> shift);
  for (unsigned i = first; i <= last; ++i) {
    const uint64_t e = m_memory.read(table + i * 8);
    if (!entry_present(m_format, e) || entry_is_leaf(m_format, e, table_level) ||
        (e & kForeignTable))
      continue;
    const Addr at = base + (Addr{i} << shift);
    if (table_level - 1 == level)
      out.emplace_back(at, entry_addr(e));
    else
      collect(entry_addr(e), table_level - 1, at, start, end, level, out);
  }
}

bool RadixTable::move_table(Addr addr, unsigned level, Addr to, bool reserved) {
  if (level == 0 || level >= m_levels) return false;
  if (m_flatten) throw std::logic_error("page table: TEA operations on a flattened table");
  Addr table = m_root;
  for (unsigned l = m_levels;; --l) {
    // The entry of level l covering addr: the one that points at the level l - 1 table.
    const Addr slot = table + table_index(addr, l) * 8;
    const uint64_t e = m_memory.read(slot);
    if (!entry_present(m_format, e) || entry_is_leaf(m_format, e, l) || (e & kForeignTable))
      return false;
    if (l - 1 > level) {
      table = entry_addr(e);
      continue;
    }
    const Addr from = entry_addr(e);
    if (from == to) return false;
    m_memory.copy_table(from, to);
    m_memory.write(slot, (e & ~kEntryAddrMask) | (to & kEntryAddrMask));
    if (m_observer) m_observer->entry_written(l, addr);
    if (!reserved) m_memory.free_table(from);
    return true;
  }
}

bool RadixTable::find_table(Addr addr, unsigned level, Addr& table) const {
  if (level == 0 || level > m_levels || m_flatten) return false;
  table = m_root;
  for (unsigned l = m_levels; l > level; --l) {
    const uint64_t e = m_memory.read(table + table_index(addr, l) * 8);
    if (!entry_present(m_format, e) || entry_is_leaf(m_format, e, l) || (e & kForeignTable))
      return false;
    table = entry_addr(e);
  }
  return true;
}

void RadixTable::free_subtree(Addr table, unsigned level) {
  if (level > 1)
    for (unsigned i = 0; i < kEntriesPerTable; ++i) {
      const uint64_t e = m_memory.read(table + i * 8);
      if (entry_present(m_format, e) && !entry_is_leaf(m_format, e, level) &&
          !(e & kForeignTable))
        free_subtree(entry_addr(e), level - 1);
    }
  free_table(table, false);
}

bool RadixTable::link(Addr addr, unsigned level, Addr foreign) {
  if (level < 2 || level > m_levels || m_flatten)
    throw std::logic_error("page table: a link below level 2, above the root, or flattened");
  Addr table = m_root;
  for (unsigned l = m_levels;; --l) {
    const Addr slot = table + table_index(addr, l) * 8;
    const uint64_t e = m_memory.read(slot);
    const bool present = entry_present(m_format, e);
    if (l == level) {
      if (present && !entry_is_leaf(m_format, e, l) && !(e & kForeignTable))
        free_subtree(entry_addr(e), l - 1);
      write_entry(table, false, slot, make_table_entry(m_format, foreign) | kForeignTable);
      return true;
    }
    if (present && (entry_is_leaf(m_format, e, l) || (e & kForeignTable)))
      throw std::logic_error("page table: a link under a leaf or another link");
    if (present) {
      table = entry_addr(e);
      continue;
    }
    Addr next;
    bool flat;
    if (!new_table(l - 1, 1, false, next, flat)) return false;
    write_entry(table, false, slot, make_table_entry(m_format, next));
    table = next;
  }
}

bool RadixTable::unlink(Addr addr, unsigned level) {
  Addr table;
  if (!find_table(addr, level, table)) return false;
  const Addr slot = table + table_index(addr, level) * 8;
  if (!(m_memory.read(slot) & kForeignTable)) return false;
  write_entry(table, false, slot, 0);
  return true;
}

}  // namespace mmusim
