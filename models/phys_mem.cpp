#include "models/phys_mem.h"

namespace mmusim {

PhysMem::Page& PhysMem::page(Addr pa) {
  const Addr frame = pa >> kPageShift;
  if (const uint32_t* slot = m_index.find(frame)) return *m_pages[*slot];
  uint32_t slot;
  if (!m_free_slots.empty()) {
    slot = m_free_slots.back();
    m_free_slots.pop_back();
    m_pages[slot]->fill(0);
  } else {
    slot = static_cast<uint32_t>(m_pages.size());
    m_pages.push_back(std::make_unique<Page>());
    m_pages.back()->fill(0);
  }
  m_index.insert(frame, slot);
  return *m_pages[slot];
}

void PhysMem::release(Addr pa) {
  const Addr frame = pa >> kPageShift;
  const uint32_t* slot = m_index.find(frame);
  if (!slot) return;
  m_free_slots.push_back(*slot);
  m_index.erase(frame);
  m_last_frame = ~Addr{0};
  m_last_page = nullptr;
}

size_t PhysMem::memory_bytes() const {
  return m_index.memory_bytes() + m_pages.size() * (sizeof(Page) + sizeof(void*));
}

}  // namespace mmusim
