#include "testbench/workload.h"

#include <stdexcept>

namespace mmusim {

SyntheticWorkload::SyntheticWorkload(const SyntheticParams& p) : m_p(p), m_rng(p.seed) {
  if (p.kind == "sequential") m_kind = Kind::kSequential;
  else if (p.kind == "uniform") m_kind = Kind::kUniform;
  else if (p.kind == "strided") m_kind = Kind::kStrided;
  else throw std::invalid_argument("unknown synthetic workload kind '" + p.kind + "'");
  m_elements = p.footprint / p.element;
  m_vmas.push_back(Vma{p.base, p.base + p.footprint, Perms{}, p.asid, p.kind});
}

bool SyntheticWorkload::next(Access& a) {
  if (m_issued == m_p.count) return false;
  ++m_issued;
  switch (m_kind) {
    case Kind::kSequential:
      a.va = m_p.base + m_offset;
      m_offset += m_p.element;
      if (m_offset >= m_p.footprint) m_offset = 0;
      break;
    case Kind::kUniform:
      a.va = m_p.base + m_rng.below(m_elements) * m_p.element;
      break;
    case Kind::kStrided:
      a.va = m_p.base + m_offset;
      m_offset += m_p.stride;
      // Wrap to the next element of the first stride, so successive passes touch new lines.
      if (m_offset >= m_p.footprint) m_offset = (m_offset + m_p.element) % m_p.stride;
      break;
  }
  a.kind = (m_p.store_fraction > 0 && m_rng.uniform() < m_p.store_fraction) ? AccessKind::kStore
                                                                            : AccessKind::kLoad;
  a.asid = m_p.asid;
  return true;
}

}  // namespace mmusim
