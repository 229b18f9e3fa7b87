#include "models/ecpt.h"

namespace mmusim {

Ecpt::Ecpt(PtFormat format, TableMemory& memory, const EcptParams& params)
    : m_format(format), m_memory(memory), m_params(params) {
  for (unsigned l = 0; l < kCwtLevels; ++l) m_keepers[l] = WayKeeper(this, l);
}

Ecpt::~Ecpt() = default;

bool Ecpt::init_cwts() {
  for (unsigned l = 0; l < kCwtLevels; ++l) {
    if (l == kPteCwt && !m_params.pte_cwt) break;
    EcptParams p = m_params;
    p.ways = 2;
    p.initial_lines = kPageBytes / EcptTable::kLineBytes;  // a page per way
    p.seed += 16 + l;
    m_cwt[l] = std::make_unique<EcptTable>(kSectionShift[l] + 3, m_memory, p);
    if (!m_cwt[l]->init()) {
      for (auto& t : m_cwt) t.reset();
      return false;
    }
  }
  return true;
}

void Ecpt::WayKeeper::placed(uint64_t cluster, unsigned way) {
  const uint8_t mask = 3 << kWayShift;
  if (!ecpt->edit_header(level, cluster << kSectionShift[level], mask,
                         static_cast<uint8_t>(way << kWayShift)))
    ecpt->m_cwt_failed = true;
}

bool Ecpt::edit_header(unsigned level, Addr addr, uint8_t mask, uint8_t value) {
  EcptTable& t = *m_cwt[level];
  const unsigned j = static_cast<unsigned>(addr >> kSectionShift[level]) & 7;
  const uint64_t w = t.word(addr);
  uint8_t h = static_cast<uint8_t>((w >> (5 * j)) & 31);
  h = static_cast<uint8_t>((h & ~mask) | (value & mask));
  // No page left: no way either. (A line's first placement records its way before its page
  // is counted, so a way alone is kept.)
  if ((mask & 7) && (h & 7) == 0) h = 0;
  const uint64_t field = uint64_t{31} << (5 * j);
  return t.set_word(addr, (w & ~field) | (uint64_t{h} << (5 * j))) ==
         EcptTable::MapStatus::kOk;
}

bool Ecpt::count_in_cwts(Addr addr, PageSize size, int delta) {
  bool ok = true;
  for (unsigned l = 0; l < kCwtLevels; ++l) {
    if (!m_cwt[l]) continue;
    if (l == kPmdCwt && size == PageSize::k1G) continue;  // larger than the section
    if (l == kPteCwt && size != PageSize::k4K) continue;  // 4K-table lines only
    const uint64_t key = (addr >> kSectionShift[l]) << 4 | l << 2 | index(size);
    uint32_t& n = m_section_pages[key];
    n += static_cast<uint32_t>(delta);
    if (n == (delta > 0 ? 1u : 0u)) {
      const uint8_t bit = static_cast<uint8_t>(1u << index(size));
      ok &= edit_header(l, addr, bit, delta > 0 ? bit : 0);
    }
    if (n == 0) m_section_pages.erase(key);
  }
  return ok;
}

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
  if (!m_cwt[0] && !init_cwts()) return MapStatus::kOutOfMemory;
  std::unique_ptr<EcptTable>& t = m_tables[index(size)];
  if (!t) {
    EcptParams p = m_params;
    p.seed += index(size);
    t = std::make_unique<EcptTable>(m_format, size, m_memory, p);
    if (!t->init()) {
      t.reset();
      return MapStatus::kOutOfMemory;
    }
    const unsigned keeper = size == PageSize::k4K ? kPteCwt : size == PageSize::k2M ? kPmdCwt
                                                                                      : kPudCwt;
    if (m_cwt[keeper]) t->set_observer(&m_keepers[keeper]);
    m_sizes |= 1u << index(size);
  }
  MapStatus status = t->map(addr, frame, perms);
  if (status == MapStatus::kOk && (!count_in_cwts(addr, size, +1) || m_cwt_failed)) {
    m_cwt_failed = false;  // the CWTs ran out of memory: the page is not mapped after all
    count_in_cwts(addr, size, -1);
    t->unmap(addr);
    status = MapStatus::kOutOfMemory;
  }
  if (status == MapStatus::kOk) {
    if (size == PageSize::k4K) ++m_in_2m[addr >> 21];
    if (size != PageSize::k1G) ++m_in_1g[addr >> 30];
  }
  return status;
}

bool Ecpt::unmap(Addr addr, PageSize size) {
  EcptTable* t = m_tables[index(size)].get();
  if (!t || !t->unmap(addr)) return false;
  count_in_cwts(addr, size, -1);  // removing headers needs no memory
  if (size == PageSize::k4K && --m_in_2m[addr >> 21] == 0) m_in_2m.erase(addr >> 21);
  if (size != PageSize::k1G && --m_in_1g[addr >> 30] == 0) m_in_1g.erase(addr >> 30);
  return true;
}

bool Ecpt::rewrite(Addr addr, Addr frame, PageSize size, Perms perms) {
  EcptTable* t = m_tables[index(size)].get();
  if (!t || !t->present(addr)) return false;
  return t->set_word(addr, make_leaf_entry(m_format, frame, size, perms)) ==
         EcptTable::MapStatus::kOk;
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

template <class F>
void Ecpt::for_each_table(F f) const {
  static const char* const kNames[] = {"ecpt_4k", "ecpt_2m", "ecpt_1g",
                                       "cwt_pmd", "cwt_pud", "cwt_pte"};
  static_assert(kNumPageSizes == 3 && kCwtLevels == 3, "a name per table");
  for (unsigned i = 0; i < kNumPageSizes + kCwtLevels; ++i) {
    const EcptTable* t = i < kNumPageSizes ? m_tables[i].get() : m_cwt[i - kNumPageSizes].get();
    if (t) f(kNames[i], *t);
  }
}

uint64_t Ecpt::table_pages() const {
  uint64_t n = 0;
  for_each_table([&](const char*, const EcptTable& t) { n += t.table_pages(); });
  return n;
}

uint64_t Ecpt::lines_moved() const {
  uint64_t n = 0;
  for_each_table([&](const char*, const EcptTable& t) { n += t.stats().lines_moved; });
  return n;
}

void Ecpt::report(StatsVisitor& v) const {
  for_each_table([&](const char* name, const EcptTable& t) {
    v.begin(name);
    t.report(v);
    v.end();
  });
}

}  // namespace mmusim
