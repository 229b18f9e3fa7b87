// Sparse simulated physical memory: stores only the 4 KiB pages that hold page tables, so a
// multi-terabyte physical space costs host memory in proportion to the tables it holds.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "models/flat_map.h"
#include "models/host_prefetch.h"
#include "models/huge_page_allocator.h"
#include "models/types.h"

namespace mmusim {

class PhysMem {
 public:
  using Page = std::array<uint64_t, kEntriesPerTable>;

  // Reads an aligned 8-byte word; a page that was never written reads as zeros.
  uint64_t read64(Addr pa) const {
    const Page* p = find_page(pa);
    return p ? (*p)[(pa & (kPageBytes - 1)) >> 3] : 0;
  }
  // Reads the 64-byte line at pa (64-byte aligned) into words[0..7].
  void read_line(Addr pa, uint64_t* words) const {
    const Page* p = find_page(pa);
    for (unsigned i = 0; i < 8; ++i) words[i] = p ? (*p)[((pa & (kPageBytes - 1)) >> 3) + i] : 0;
  }
  void write64(Addr pa, uint64_t value) { page(pa)[(pa & (kPageBytes - 1)) >> 3] = value; }
  // Starts loading the word at pa into the host's caches (a hint; no effect on results).
  void prefetch(Addr pa) const {
    if (const Page* p = find_page(pa)) host_prefetch(&(*p)[(pa & (kPageBytes - 1)) >> 3]);
  }

  // The stored page containing pa, created zeroed on first use.
  Page& page(Addr pa);
  const Page* find_page(Addr pa) const {
    const Addr frame = pa >> kPageShift;
    if (frame == m_last_frame) return m_last_page;
    Page* const* p = m_index.find(frame);
    if (!p) return nullptr;
    m_last_frame = frame;
    m_last_page = *p;
    return m_last_page;
  }
  // Drops a page's storage (a freed page-table page); later reads give zeros.
  void release(Addr pa);

  size_t stored_pages() const { return m_index.size(); }
  size_t memory_bytes() const;

 private:
  static constexpr size_t kSlabPages = 512;  // pages are carved from 2 MiB host slabs
  struct SlabDeleter {
    void operator()(Page* p) const { huge_free(p, kSlabPages * sizeof(Page)); }
  };

  FlatMap<Page*> m_index;  // frame number -> its stored page (owned by m_slabs)
  std::vector<std::unique_ptr<Page, SlabDeleter>> m_slabs;
  size_t m_slab_used = kSlabPages;
  std::vector<Page*> m_free_pages;
  mutable Addr m_last_frame = ~Addr{0};
  mutable const Page* m_last_page = nullptr;
};

}  // namespace mmusim
