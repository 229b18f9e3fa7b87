#include "models/translation_map.h"

#include <atomic>

#include "models/host_prefetch.h"

namespace mmusim {

namespace {
constexpr uint64_t kW = 1, kX = 2, kU = 4, kValid = 8;
uint64_t pack(Addr target, Perms p) {
  return target | kValid | (p.write ? kW : 0) | (p.exec ? kX : 0) | (p.user ? kU : 0);
}
// The permissions of each combination of the W, X and U bits: lookups copy one instead of
// building the bit-fields one by one.
constexpr Perms kUnpack[8] = {{false, false, false}, {true, false, false}, {false, true, false},
                              {true, true, false},   {false, false, true}, {true, false, true},
                              {false, true, true},   {true, true, true}};
}  // namespace

const uint64_t* TranslationMap::slot(unsigned size, uint64_t page) const {
  const Level& l = m_levels[size];
  const uint32_t* b = l.index.find(page >> kBlockShift);
  return b ? &l.blocks[*b][page & ((1u << kBlockShift) - 1)] : nullptr;
}

uint64_t* TranslationMap::slot(unsigned size, uint64_t page, bool create) {
  Level& l = m_levels[size];
  const uint32_t* b = l.index.find(page >> kBlockShift);
  if (!b) {
    if (!create) return nullptr;
    l.blocks.push_back(Block{});
    b = &l.index.insert(page >> kBlockShift, static_cast<uint32_t>(l.blocks.size() - 1));
  }
  return &l.blocks[*b][page & ((1u << kBlockShift) - 1)];
}

uint64_t TranslationMap::next_version() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

void TranslationMap::insert(Addr addr, Addr target, PageSize size, Perms perms) {
  m_version = next_version();
  const unsigned s = static_cast<unsigned>(size);
  uint64_t* v = slot(s, addr >> page_shift(size), true);
  if (*v == 0) ++m_count[s];
  *v = pack(page_base(target, size), perms);
}

Perms TranslationMap::unpack(uint64_t packed) { return kUnpack[packed & (kW | kX | kU)]; }

void TranslationMap::erase_range(Addr start, Addr end) {
  bool any = false;
  visit_range(start, end, [&](unsigned s, uint64_t page, uint64_t) {
    *slot(s, page, false) = 0;
    --m_count[s];
    any = true;
  });
  if (any) m_version = next_version();
}

bool TranslationMap::lookup(Addr addr, Mapping& m) const {
  for (unsigned s = 0; s < kNumPageSizes; ++s) {
    if (m_count[s] == 0) continue;
    const PageSize size = static_cast<PageSize>(s);
    const uint64_t* v = slot(s, addr >> page_shift(size));
    const uint64_t packed = v ? *v : 0;
    if (packed != 0) {
      m.base = page_base(addr, size);
      m.target = packed & ~page_mask(PageSize::k4K);
      m.size = size;
      m.perms = kUnpack[packed & (kW | kX | kU)];
      return true;
    }
  }
  return false;
}

void TranslationMap::prefetch(Addr addr) const {
  for (unsigned s = 0; s < kNumPageSizes; ++s) {
    if (m_count[s] == 0) continue;
    if (const uint64_t* v = slot(s, addr >> page_shift(static_cast<PageSize>(s))))
      host_prefetch(v);
    return;
  }
}

bool TranslationMap::erase(Addr addr, Mapping* removed) {
  Mapping m;
  if (!lookup(addr, m)) return false;
  m_version = next_version();
  const unsigned s = static_cast<unsigned>(m.size);
  *slot(s, addr >> page_shift(m.size), false) = 0;
  --m_count[s];
  if (removed) *removed = m;
  return true;
}

size_t TranslationMap::memory_bytes() const {
  size_t n = 0;
  for (const Level& l : m_levels) n += l.index.memory_bytes() + l.blocks.capacity() * sizeof(Block);
  return n;
}

}  // namespace mmusim
