#include "testbench/workload.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace mmusim {

SyntheticWorkload::SyntheticWorkload(const SyntheticParams& p)
    : m_p(p), m_rng(p.seed), m_asid(p.first_asid) {
  if (p.kind == "sequential") m_kind = Kind::kSequential;
  else if (p.kind == "uniform") m_kind = Kind::kUniform;
  else if (p.kind == "strided") m_kind = Kind::kStrided;
  else throw std::invalid_argument("unknown synthetic workload kind '" + p.kind + "'");
  if (p.vmas == 0 || p.footprint % (uint64_t{p.vmas} * kPageBytes) || p.vma_gap % kPageBytes ||
      p.grow_bytes % kPageBytes || (p.grow_every && !p.grow_bytes))
    throw std::invalid_argument("synthetic workload: VMAs, gaps and growth must be whole pages");
  if (p.first_asid == 0 || p.first_asid > p.processes)
    throw std::invalid_argument("synthetic workload: first_asid outside 1..processes");
  m_events = (p.processes > 1 && p.switch_every) || p.churn_every || p.grow_every ||
             p.mprotect_every || p.migrate_every;
  m_vma_bytes = p.footprint / p.vmas;
  m_grown.assign(p.processes + 1u, 0);
  for (uint16_t asid = 1; asid <= p.processes; ++asid)
    for (uint16_t i = 0; i < p.vmas; ++i) {
      const Addr start = p.base + i * (m_vma_bytes + p.vma_gap);
      m_vmas.push_back(Vma{start, start + m_vma_bytes, Perms{}, asid,
                           p.vmas == 1 ? p.kind : p.kind + std::to_string(i)});
    }
}

Addr SyntheticWorkload::at(uint64_t offset) const {
  if (m_p.vmas == 1) return m_p.base + offset;  // no gaps to skip (and no division)
  const uint64_t i = std::min<uint64_t>(offset / m_vma_bytes, m_p.vmas - 1u);
  return m_p.base + i * (m_vma_bytes + m_p.vma_gap) + (offset - i * m_vma_bytes);
}

Addr SyntheticWorkload::next_address() {
  Addr va = 0;
  switch (m_kind) {
    case Kind::kSequential:
      if (m_offset >= bytes()) m_offset = 0;  // (another process's VMA may be smaller)
      va = at(m_offset);
      m_offset += m_p.element;
      if (m_offset >= bytes()) m_offset = 0;
      break;
    case Kind::kUniform:
      if (bytes() != m_elements_of) {  // the running process's size changed: recount
        m_elements_of = bytes();
        m_elements = m_elements_of / m_p.element;
      }
      va = at(m_rng.below(m_elements) * m_p.element);
      break;
    case Kind::kStrided:
      if (m_offset >= bytes()) m_offset %= m_p.stride;
      va = at(m_offset);
      m_offset += m_p.stride;
      // Wrap to the next element of the first stride, so successive passes touch new lines.
      if (m_offset >= bytes()) m_offset = (m_offset + m_p.element) % m_p.stride;
      break;
  }
  return va;
}

Access SyntheticWorkload::run_event(Access::Event e, uint64_t run) {
  const uint64_t pages = bytes() / kPageBytes;
  const uint64_t n = std::min<uint64_t>(run, pages);
  // A run from a random page of the VMAs (past the end of one, it takes what is mapped).
  const Addr start = at(m_rng.below(pages - n + 1) * kPageBytes);
  return Access{start, AccessKind::kLoad, m_asid, e, static_cast<uint32_t>(n)};
}

void SyntheticWorkload::next_event(Access& a) {
  // In this order when several fall due at once.
  if (m_due & kGrowDue) {
    m_due &= ~kGrowDue;
    const Addr end = at(bytes() - 1) + 1;  // the end of the running process's last VMA
    m_grown[m_asid] += m_p.grow_bytes;
    a = Access{end, AccessKind::kLoad, m_asid, Access::Event::kGrow,
               static_cast<uint32_t>(m_p.grow_bytes / kPageBytes)};
  } else if (m_due & kSwitchDue) {
    m_due &= ~kSwitchDue;
    m_asid = static_cast<uint16_t>(m_asid % m_p.processes + 1);
    a = Access{0, AccessKind::kLoad, m_asid, Access::Event::kSwitch, 0};
  } else if (m_due & kChurnDue) {
    m_due &= ~kChurnDue;
    a = run_event(Access::Event::kUnmap, m_p.churn_pages);
  } else if (m_due & kProtectDue) {
    m_due &= ~kProtectDue;
    a = run_event(Access::Event::kProtect, m_p.mprotect_pages);
  } else {
    m_due &= ~kMigrateDue;
    a = run_event(Access::Event::kMigrate, m_p.migrate_pages);
  }
}

void SyntheticWorkload::schedule() {
  const auto every = [this](uint64_t n) { return n && m_issued % n == 0; };
  if (m_p.processes > 1 && every(m_p.switch_every)) m_due |= kSwitchDue;
  if (every(m_p.churn_every)) m_due |= kChurnDue;
  if (every(m_p.grow_every)) m_due |= kGrowDue;
  if (every(m_p.mprotect_every)) m_due |= kProtectDue;
  if (every(m_p.migrate_every)) m_due |= kMigrateDue;
}

bool SyntheticWorkload::next(Access& a) {
  // Events fall due after every grow_every / switch_every / churn_every / mprotect_every /
  // migrate_every accesses and come before the next one.
  if (m_due) [[unlikely]] {
    next_event(a);
    return true;
  }
  if (m_issued == m_p.count) return false;
  ++m_issued;
  a.va = next_address();
  a.kind = (m_p.store_fraction > 0 && m_rng.uniform() < m_p.store_fraction) ? AccessKind::kStore
                                                                            : AccessKind::kLoad;
  a.asid = m_asid;
  a.event = Access::Event::kAccess;
  a.pages = 0;
  if (m_events && m_issued < m_p.count) [[unlikely]]
    schedule();
  return true;
}

}  // namespace mmusim
