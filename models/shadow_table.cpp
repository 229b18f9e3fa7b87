#include "models/shadow_table.h"

namespace mmusim {

bool ShadowTable::fill(Addr va, Addr pa, PageSize size, Perms perms) {
  if (m_record.contains(va)) drop(va);
  for (;;) {
    switch (m_table.map(page_base(va, size), page_base(pa, size), size, perms)) {
      case RadixTable::MapStatus::kOk:
        m_record.insert(va, pa, size, perms);
        return true;
      case RadixTable::MapStatus::kOutOfMemory:
        return false;
      case RadixTable::MapStatus::kConflict:
        if (size == PageSize::k4K) return false;
        size = PageSize::k4K;  // the region holds entries of another size: shadow va's 4K piece
        break;
    }
  }
}

bool ShadowTable::drop(Addr va) {
  if (!m_record.erase(va)) return false;
  m_table.unmap(va);
  return true;
}

bool ShadowTable::reprotect(Addr va, Perms perms) {
  Mapping r;
  if (!m_record.lookup(va, r)) return false;
  m_table.rewrite(r.base, r.target, r.size, perms);
  m_record.insert(r.base, r.target, r.size, perms);
  return true;
}

bool ShadowTable::link(Addr va, unsigned level, Addr guest_table) {
  const Addr span = Addr{1} << (kPageShift + 9 * (level - 1));
  const Addr base = va & ~(span - 1);
  m_record.erase_range(base, base + span);
  return m_table.link(base, level, guest_table);
}

}  // namespace mmusim
