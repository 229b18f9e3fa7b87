#include "models/address_space.h"

#include <stdexcept>

#include "models/rng.h"

namespace mmusim {

AddressSpace::AddressSpace(std::string name, PtFormat format, unsigned levels,
                           TableMemory& tables, FrameAllocator& frames, PagePolicy policy)
    : m_name(std::move(name)), m_table(format, levels, tables), m_frames(frames),
      m_policy(policy) {}

PageSize AddressSpace::size_for(Addr addr) const {
  PageSize s = m_policy.size;
  // 1G pages need a 1G-level leaf; with fewer than 3 levels above the page that cannot happen.
  while (s != PageSize::k4K) {
    const uint64_t region = addr >> page_shift(s);
    const double draw = static_cast<double>(hash64(m_policy.seed + static_cast<unsigned>(s),
                                                   region) >> 11) * 0x1.0p-53;
    if (draw < m_policy.huge_fraction) return s;
    s = static_cast<PageSize>(static_cast<unsigned>(s) - 1);
  }
  return s;
}

AddressSpace::Touch AddressSpace::touch(Addr addr, Perms perms) {
  Mapping existing;
  if (m_oracle.lookup(addr, existing)) return Touch::kPresent;
  for (PageSize s = size_for(addr);; s = static_cast<PageSize>(static_cast<unsigned>(s) - 1)) {
    Addr frame;
    if (m_frames.alloc(s, frame)) {
      switch (m_table.map(addr, frame, s, perms)) {
        case RadixTable::MapStatus::kOk:
          m_oracle.insert(addr, frame, s, perms);
          return Touch::kMapped;
        case RadixTable::MapStatus::kOutOfMemory:
          m_frames.free(frame, s);
          return Touch::kOutOfMemory;
        case RadixTable::MapStatus::kConflict:
          m_frames.free(frame, s);  // part of the region is mapped with smaller pages
          break;
      }
    }
    if (s == PageSize::k4K) return Touch::kOutOfMemory;
    ++m_fallbacks;
  }
}

bool AddressSpace::unmap(Addr addr, Mapping* removed) {
  Mapping m;
  if (!m_oracle.erase(addr, &m)) return false;
  if (!m_table.unmap(addr)) throw std::logic_error(m_name + ": oracle and table disagree");
  m_frames.free(m.target, m.size);
  if (removed) *removed = m;
  return true;
}

void AddressSpace::report(StatsVisitor& v) const {
  v.counter("pages_4k", m_oracle.pages(PageSize::k4K), "pages", "4 KiB pages mapped");
  v.counter("pages_2m", m_oracle.pages(PageSize::k2M), "pages", "2 MiB pages mapped");
  v.counter("pages_1g", m_oracle.pages(PageSize::k1G), "pages", "1 GiB pages mapped");
  v.counter("table_pages", m_table.table_pages(), "pages", "page-table pages in use");
  v.counter("size_fallbacks", m_fallbacks, "count",
            "large pages refused (policy fraction excluded, no frame, or region split)");
}

bool HostTableMemory::alloc_table(Addr& table) {
  if (!m_frames.alloc(PageSize::k4K, table)) return false;
  m_mem.page(table).fill(0);
  return true;
}

void HostTableMemory::free_table(Addr table) {
  m_mem.release(table);
  m_frames.free(table, PageSize::k4K);
}

AddressSpace::Touch SpaceBacking::back(Addr addr) {
  AddressSpace::Touch t = m_dim.touch(addr);
  if (t == AddressSpace::Touch::kOutOfMemory || !m_below) return t;
  Mapping m;
  m_dim.oracle().lookup(addr, m);
  const AddressSpace::Touch below = m_below->back(m.translate(addr));
  if (below != AddressSpace::Touch::kPresent) t = below;
  return t;
}

bool SpaceBacking::to_host(Addr addr, Addr& hpa) const {
  Mapping m;
  if (!m_dim.oracle().lookup(addr, m)) return false;
  if (!m_below) {
    hpa = m.translate(addr);
    return true;
  }
  return m_below->to_host(m.translate(addr), hpa);
}

Addr GuestTableMemory::host_addr(Addr gpa) const {
  Addr hpa;
  if (!m_backing.to_host(gpa, hpa))
    throw std::logic_error("guest table page at gPA " + std::to_string(gpa) + " is not backed");
  return hpa;
}

bool GuestTableMemory::alloc_table(Addr& table) {
  if (!m_frames.alloc(PageSize::k4K, table)) return false;
  const AddressSpace::Touch t = m_backing.back(table);
  if (t == AddressSpace::Touch::kOutOfMemory) {
    m_frames.free(table, PageSize::k4K);
    return false;
  }
  if (t == AddressSpace::Touch::kMapped) ++m_backings;
  m_mem.page(host_addr(table)).fill(0);
  return true;
}

void GuestTableMemory::free_table(Addr table) {
  m_mem.release(host_addr(table));
  m_frames.free(table, PageSize::k4K);
}

uint64_t GuestTableMemory::read(Addr addr) { return m_mem.read64(host_addr(addr)); }
void GuestTableMemory::write(Addr addr, uint64_t value) {
  ++m_writes;
  m_mem.write64(host_addr(addr), value);
}

}  // namespace mmusim
