#include "models/translation_map.h"

namespace mmusim {

namespace {
constexpr uint64_t kW = 1, kX = 2, kU = 4;
uint64_t pack(Addr target, Perms p) {
  return target | (p.write ? kW : 0) | (p.exec ? kX : 0) | (p.user ? kU : 0);
}
}  // namespace

void TranslationMap::insert(Addr addr, Addr target, PageSize size, Perms perms) {
  m_maps[static_cast<unsigned>(size)].insert(addr >> page_shift(size),
                                             pack(page_base(target, size), perms));
}

bool TranslationMap::lookup(Addr addr, Mapping& m) const {
  for (unsigned s = 0; s < kNumPageSizes; ++s) {
    const PageSize size = static_cast<PageSize>(s);
    if (m_maps[s].empty()) continue;
    if (const uint64_t* v = m_maps[s].find(addr >> page_shift(size))) {
      m.base = page_base(addr, size);
      m.target = *v & ~page_mask(PageSize::k4K);
      m.size = size;
      m.perms = {(*v & kW) != 0, (*v & kX) != 0, (*v & kU) != 0};
      return true;
    }
  }
  return false;
}

bool TranslationMap::erase(Addr addr, Mapping* removed) {
  Mapping m;
  if (!lookup(addr, m)) return false;
  m_maps[static_cast<unsigned>(m.size)].erase(addr >> page_shift(m.size));
  if (removed) *removed = m;
  return true;
}

size_t TranslationMap::memory_bytes() const {
  return m_maps[0].memory_bytes() + m_maps[1].memory_bytes() + m_maps[2].memory_bytes();
}

}  // namespace mmusim
