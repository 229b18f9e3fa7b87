#include "models/ecpt.h"

namespace mmusim {

bool Ecpt::overlaps(Addr addr, PageSize size) const {
  const auto larger = [&](PageSize s) {
    const EcptTable* t = table(s);
    return t && t->present(addr);
  };
  const auto smaller = [](const std::unordered_map<uint64_t, uint32_t>& m, uint64_t region) {
    const auto it = m.find(region);
    return it != m.end() && it->second > 0;
  };
  switch (size) {
    case PageSize::k4K: return larger(PageSize::k2M) || larger(PageSize::k1G);
    case PageSize::k2M: return larger(PageSize::k1G) || smaller(m_in_2m, addr >> 21);
    case PageSize::k1G: return smaller(m_in_1g, addr >> 30);
  }
  return false;
}

Ecpt::MapStatus Ecpt::map(Addr addr, Addr frame, PageSize size, Perms perms) {
  if (overlaps(addr, size)) return MapStatus::kConflict;
  std::unique_ptr<EcptTable>& t = m_tables[index(size)];
  if (!t) {
    EcptParams p = m_params;
    p.seed += index(size);
    t = std::make_unique<EcptTable>(m_format, size, m_memory, p);
    if (!t->init()) {
      t.reset();
      return MapStatus::kOutOfMemory;
    }
    m_sizes |= 1u << index(size);
  }
  const MapStatus status = t->map(addr, frame, perms);
  if (status == MapStatus::kOk) {
    if (size == PageSize::k4K) ++m_in_2m[addr >> 21];
    if (size != PageSize::k1G) ++m_in_1g[addr >> 30];
  }
  return status;
}

bool Ecpt::unmap(Addr addr, PageSize size) {
  EcptTable* t = m_tables[index(size)].get();
  if (!t || !t->unmap(addr)) return false;
  if (size == PageSize::k4K && --m_in_2m[addr >> 21] == 0) m_in_2m.erase(addr >> 21);
  if (size != PageSize::k1G && --m_in_1g[addr >> 30] == 0) m_in_1g.erase(addr >> 30);
  return true;
}

unsigned Ecpt::probe_words(Addr addr, Addr* out) const {
  unsigned n = 0;
  for (unsigned s = 0; s < kNumPageSizes; ++s) {
    if (!m_tables[s]) continue;
    const PageSize size = static_cast<PageSize>(s);
    const Addr word = ((addr >> page_shift(size)) & (EcptTable::kClusterPages - 1)) * 8;
    const unsigned k = m_tables[s]->probe_lines(addr, out + n);
    for (unsigned i = 0; i < k; ++i) out[n + i] += word;
    n += k;
  }
  return n;
}

uint64_t Ecpt::table_pages() const {
  uint64_t n = 0;
  for (const auto& t : m_tables)
    if (t) n += t->table_pages();
  return n;
}

uint64_t Ecpt::lines_moved() const {
  uint64_t n = 0;
  for (const auto& t : m_tables)
    if (t) n += t->stats().lines_moved;
  return n;
}

void Ecpt::report(StatsVisitor& v) const {
  static const char* const kNames[] = {"ecpt_4k", "ecpt_2m", "ecpt_1g"};
  for (unsigned s = 0; s < kNumPageSizes; ++s) {
    if (!m_tables[s]) continue;
    v.begin(kNames[s]);
    m_tables[s]->report(v);
    v.end();
  }
}

}  // namespace mmusim
