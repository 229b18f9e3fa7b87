#include "models/page_table.h"

namespace mmusim {

uint64_t make_table_entry(PtFormat f, Addr table) {
  if (f == PtFormat::kX86)
    return (table & kEntryAddrMask) | x86pte::kPresent | x86pte::kWrite | x86pte::kUser |
           x86pte::kAccessed;
  return (table & kEntryAddrMask) | ept::kRead | ept::kWrite | ept::kExec | ept::kAccessed;
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

bool RadixTable::init() {
  if (!m_memory.alloc_table(m_root, true)) return false;
  ++m_table_pages;
  return true;
}

RadixTable::MapStatus RadixTable::map(Addr addr, Addr frame, PageSize size, Perms perms) {
  const unsigned leaf = leaf_level(size);
  Addr table = m_root;
  for (unsigned level = m_levels; level > leaf; --level) {
    const Addr slot = table + table_index(addr, level) * 8;
    const uint64_t e = m_memory.read(slot);
    if (entry_present(m_format, e)) {
      if (entry_is_leaf(m_format, e, level)) return MapStatus::kConflict;
      table = entry_addr(e);
      continue;
    }
    Addr next;
    if (m_placer && m_placer->place(addr, level - 1, next)) {
      // A placed page (a TEA page) is reserved and zero already.
    } else if (!m_memory.alloc_table(next, false)) {
      return MapStatus::kOutOfMemory;
    }
    ++m_table_pages;
    m_memory.write(slot, make_table_entry(m_format, next));
    table = next;
  }
  const Addr slot = table + table_index(addr, leaf) * 8;
  if (entry_present(m_format, m_memory.read(slot))) return MapStatus::kConflict;
  m_memory.write(slot, make_leaf_entry(m_format, frame, size, perms));
  return MapStatus::kOk;
}

bool RadixTable::table_empty(Addr table) {
  for (unsigned i = 0; i < kEntriesPerTable; ++i)
    if (m_memory.read(table + i * 8) != 0) return false;
  return true;
}

bool RadixTable::unmap(Addr addr) {
  Addr path[kMaxLevels + 1] = {};
  Addr table = m_root;
  for (unsigned level = m_levels; level >= 1; --level) {
    path[level] = table;
    const Addr slot = table + table_index(addr, level) * 8;
    const uint64_t e = m_memory.read(slot);
    if (!entry_present(m_format, e)) return false;
    if (entry_is_leaf(m_format, e, level)) {
      m_memory.write(slot, 0);
      // Free tables that became empty, bottom-up, never the root nor a placed (TEA) page.
      Addr placed;
      for (unsigned up = level; up < m_levels && table_empty(path[up]); ++up) {
        if (m_placer && m_placer->place(addr, up, placed) && placed == path[up]) break;
        m_memory.free_table(path[up]);
        --m_table_pages;
        m_memory.write(path[up + 1] + table_index(addr, up + 1) * 8, 0);
      }
      return true;
    }
    table = entry_addr(e);
  }
  return false;
}

void RadixTable::tables_in(Addr start, Addr end, unsigned level,
                           std::vector<std::pair<Addr, Addr>>& out) {
  if (start >= end || level >= m_levels) return;
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
    if (!entry_present(m_format, e) || entry_is_leaf(m_format, e, table_level)) continue;
    const Addr at = base + (Addr{i} << shift);
    if (table_level - 1 == level)
      out.emplace_back(at, entry_addr(e));
    else
      collect(entry_addr(e), table_level - 1, at, start, end, level, out);
  }
}

bool RadixTable::move_table(Addr addr, unsigned level, Addr to, bool reserved) {
  if (level == 0 || level >= m_levels) return false;
  Addr table = m_root;
  for (unsigned l = m_levels;; --l) {
    // The entry of level l covering addr: the one that points at the level l - 1 table.
    const Addr slot = table + table_index(addr, l) * 8;
    const uint64_t e = m_memory.read(slot);
    if (!entry_present(m_format, e) || entry_is_leaf(m_format, e, l)) return false;
    if (l - 1 > level) {
      table = entry_addr(e);
      continue;
    }
    const Addr from = entry_addr(e);
    if (from == to) return false;
    m_memory.copy_table(from, to);
    m_memory.write(slot, (e & ~kEntryAddrMask) | (to & kEntryAddrMask));
    if (!reserved) m_memory.free_table(from);
    return true;
  }
}

}  // namespace mmusim
