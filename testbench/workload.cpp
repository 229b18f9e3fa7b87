#include "testbench/workload.h"

#include <algorithm>
#include <stdexcept>

namespace mmusim {

SyntheticWorkload::SyntheticWorkload(const SyntheticParams& p) : m_p(p), m_rng(p.seed) {
  if (p.kind == "sequential") m_kind = Kind::kSequential;
  else if (p.kind == "uniform") m_kind = Kind::kUniform;
  else if (p.kind == "strided") m_kind = Kind::kStrided;
  else throw std::invalid_argument("unknown synthetic workload kind '" + p.kind + "'");
  m_elements = p.footprint / p.element;
  for (uint16_t asid = 1; asid <= p.processes; ++asid)
    m_vmas.push_back(Vma{p.base, p.base + p.footprint, Perms{}, asid, p.kind});
}

Addr SyntheticWorkload::next_address() {
  Addr va = 0;
  switch (m_kind) {
    case Kind::kSequential:
      va = m_p.base + m_offset;
      m_offset += m_p.element;
      if (m_offset >= m_p.footprint) m_offset = 0;
      break;
    case Kind::kUniform:
      va = m_p.base + m_rng.below(m_elements) * m_p.element;
      break;
    case Kind::kStrided:
      va = m_p.base + m_offset;
      m_offset += m_p.stride;
      // Wrap to the next element of the first stride, so successive passes touch new lines.
      if (m_offset >= m_p.footprint) m_offset = (m_offset + m_p.element) % m_p.stride;
      break;
  }
  return va;
}

bool SyntheticWorkload::next(Access& a) {
  // Events fall due after every switch_every / churn_every accesses and come before the next one.
  if (m_switch_due) {
    m_switch_due = false;
    m_asid = static_cast<uint16_t>(m_asid % m_p.processes + 1);
    a = Access{0, AccessKind::kLoad, m_asid, Access::Event::kSwitch, 0};
    return true;
  }
  if (m_churn_due) {
    m_churn_due = false;
    const uint64_t pages = m_p.footprint / kPageBytes;
    const uint64_t n = std::min<uint64_t>(m_p.churn_pages, pages);
    const Addr start = m_p.base + m_rng.below(pages - n + 1) * kPageBytes;
    a = Access{start, AccessKind::kLoad, m_asid, Access::Event::kUnmap, static_cast<uint32_t>(n)};
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
  const bool more = m_issued < m_p.count;
  if (more && m_p.processes > 1 && m_p.switch_every && m_issued % m_p.switch_every == 0)
    m_switch_due = true;
  if (more && m_p.churn_every && m_issued % m_p.churn_every == 0) m_churn_due = true;
  return true;
}

}  // namespace mmusim
