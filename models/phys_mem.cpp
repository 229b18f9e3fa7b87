#include "models/phys_mem.h"

namespace mmusim {

PhysMem::Page& PhysMem::page(Addr pa) {
  const Addr frame = pa >> kPageShift;
  if (Page** p = m_index.find(frame)) return **p;
  Page* page;
  if (!m_free_pages.empty()) {
    page = m_free_pages.back();
    m_free_pages.pop_back();
  } else {
    if (m_slab_used == kSlabPages) {
      m_slabs.emplace_back(static_cast<Page*>(huge_alloc(kSlabPages * sizeof(Page))));
      m_slab_used = 0;
    }
    page = m_slabs.back().get() + m_slab_used++;
  }
  page->fill(0);
  m_index.insert(frame, page);
  return *page;
}

void PhysMem::release(Addr pa) {
  const Addr frame = pa >> kPageShift;
  Page** p = m_index.find(frame);
  if (!p) return;
  m_free_pages.push_back(*p);
  m_index.erase(frame);
  m_last_frame = ~Addr{0};
  m_last_page = nullptr;
}

size_t PhysMem::memory_bytes() const {
  return m_index.memory_bytes() + m_slabs.size() * kSlabPages * sizeof(Page);
}

}  // namespace mmusim
