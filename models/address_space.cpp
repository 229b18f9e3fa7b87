#include "models/address_space.h"

#include <stdexcept>

#include "models/rng.h"

namespace mmusim {

AddressSpace::AddressSpace(std::string name, PtFormat format, unsigned levels,
                           TableMemory& tables, FrameAllocator& frames, PagePolicy policy)
    : m_name(std::move(name)), m_table(format, levels, tables), m_table_memory(tables),
      m_frames(frames),
      m_policy(policy) {}

void AddressSpace::set_ecpt(const EcptParams& params) {
  m_ecpt = std::make_unique<Ecpt>(m_table.format(), m_table_memory, params);
}

RadixTable::MapStatus AddressSpace::map_page(Addr addr, Addr frame, PageSize size, Perms perms) {
  if (!m_ecpt) return m_table.map(addr, frame, size, perms);
  switch (m_ecpt->map(addr, frame, size, perms)) {
    case Ecpt::MapStatus::kOk: return RadixTable::MapStatus::kOk;
    case Ecpt::MapStatus::kConflict: return RadixTable::MapStatus::kConflict;
    case Ecpt::MapStatus::kOutOfMemory: break;
  }
  return RadixTable::MapStatus::kOutOfMemory;
}

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
      switch (map_page(addr, frame, s, perms)) {
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

bool AddressSpace::map_to(Addr addr, Addr frame, PageSize size, Perms perms) {
  if (map_page(addr, frame, size, perms) != RadixTable::MapStatus::kOk) return false;
  m_oracle.insert(addr, frame, size, perms);
  return true;
}

bool AddressSpace::map_exact(Addr addr, PageSize size, Perms perms) {
  Addr frame;
  if (!m_frames.alloc(size, frame)) return false;
  if (map_page(addr, frame, size, perms) != RadixTable::MapStatus::kOk) {
    m_frames.free(frame, size);
    return false;
  }
  m_oracle.insert(addr, frame, size, perms);
  return true;
}

bool AddressSpace::unmap(Addr addr, Mapping* removed) {
  Mapping m;
  if (!m_oracle.erase(addr, &m)) return false;
  if (!(m_ecpt ? m_ecpt->unmap(addr, m.size) : m_table.unmap(addr))) throw std::logic_error(m_name + ": oracle and table disagree");
  m_frames.free(m.target, m.size);
  if (removed) *removed = m;
  return true;
}

void AddressSpace::rewrite(const Mapping& m, Addr frame, Perms perms) {
  const bool done = m_ecpt ? m_ecpt->rewrite(m.base, frame, m.size, perms)
                           : m_table.rewrite(m.base, frame, m.size, perms);
  if (!done) throw std::logic_error(m_name + ": oracle and table disagree");
  m_oracle.insert(m.base, frame, m.size, perms);  // over the mapping it replaces
}

bool AddressSpace::protect(Addr addr, Perms perms, Mapping* changed) {
  Mapping m;
  if (!m_oracle.lookup(addr, m)) return false;
  rewrite(m, m.target, perms);
  if (changed) *changed = m;
  return true;
}

bool AddressSpace::migrate(Addr addr, Mapping* moved) {
  Mapping m;
  Addr frame;
  if (!m_oracle.lookup(addr, m) || !m_frames.alloc(m.size, frame)) return false;
  rewrite(m, frame, m.perms);
  m_frames.free(m.target, m.size);
  if (moved) *moved = m;
  return true;
}

void AddressSpace::report(StatsVisitor& v) const {
  v.counter("pages_4k", m_oracle.pages(PageSize::k4K), "pages", "4 KiB pages mapped");
  v.counter("pages_2m", m_oracle.pages(PageSize::k2M), "pages", "2 MiB pages mapped");
  v.counter("pages_1g", m_oracle.pages(PageSize::k1G), "pages", "1 GiB pages mapped");
  v.counter("table_pages", m_ecpt ? m_ecpt->table_pages() : m_table.table_pages(), "pages",
            "page-table pages in use");
  if (m_ecpt) m_ecpt->report(v);
  if (m_table.flatten()) {
    v.counter("flat_tables", m_table.flat_tables(), "tables",
              "FPT: flattened 2 MiB tables in use (512 of table_pages each)");
    v.counter("flatten_failures", m_table.flatten_failures(), "tables",
              "FPT: tables left ordinary for want of a free 2 MiB frame");
  }
  v.counter("size_fallbacks", m_fallbacks, "count",
            "large pages refused (policy fraction excluded, no frame, or region split)");
}

bool HostTableMemory::alloc_table(Addr& table, bool) {
  if (!m_frames.alloc(PageSize::k4K, table)) return false;
  m_mem.page(table).fill(0);
  return true;
}

void HostTableMemory::free_table(Addr table) {
  m_mem.release(table);
  m_frames.free(table, PageSize::k4K);
}

bool HostTableMemory::alloc_flat_table(Addr& table) {
  if (!m_frames.alloc(PageSize::k2M, table)) return false;
  for (unsigned i = 0; i < kEntriesPerTable; ++i) m_mem.release(table + i * kPageBytes);
  return true;
}

bool HostTableMemory::alloc_area(uint64_t pages, Addr& base) {
  if (!m_frames.alloc_contiguous(pages, base)) return false;
  for (uint64_t i = 0; i < pages; ++i) m_mem.release(base + i * kPageBytes);
  return true;
}

void HostTableMemory::free_area(Addr base, uint64_t pages) {
  for (uint64_t i = 0; i < pages; ++i) m_mem.release(base + i * kPageBytes);
  m_frames.free_contiguous(base, pages);
}

void HostTableMemory::free_flat_table(Addr table) {
  for (unsigned i = 0; i < kEntriesPerTable; ++i) m_mem.release(table + i * kPageBytes);
  m_frames.free(table, PageSize::k2M);
}

void HostTableMemory::copy_table(Addr from, Addr to) {
  PhysMem::Page& dst = m_mem.page(to);
  dst = m_mem.page(from);
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

bool SpaceBacking::back_huge(Addr segment) {
  // Only a VM's own EPT can back a segment with one host page; a nested chain cannot promise it.
  return !m_below && m_dim.map_exact(segment, PageSize::k2M);
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

bool GuestTableMemory::alloc_from_pool(Addr& table) {
  if (!m_pool_free.empty()) {
    table = m_pool_free.back();
    m_pool_free.pop_back();
    return true;
  }
  if (m_segment_next == kEntriesPerTable) {
    if (m_pool_closed) return false;
    const uint64_t used = m_pool_stats.segments * page_bytes(PageSize::k2M);
    Addr segment;
    if (used + page_bytes(PageSize::k2M) > m_pool.capacity ||
        !m_frames.alloc(PageSize::k2M, segment)) {
      m_pool_closed = true;
      return false;
    }
    if (!m_pool.host_accepts || !m_backing.back_huge(segment)) {
      m_frames.free(segment, PageSize::k2M);
      ++m_pool_stats.refusals;
      m_pool_closed = true;  // the guest stops asking and falls back for good
      return false;
    }
    ++m_pool_stats.segments;
    m_segments.insert(segment >> 21, 1);
    m_segment = segment;
    m_segment_next = 0;
  }
  table = m_segment + Addr{m_segment_next++} * kPageBytes;
  return true;
}

bool GuestTableMemory::alloc_table(Addr& table, bool root) {
  if (m_pool.enabled && (!root || m_pool.root)) {
    if (alloc_from_pool(table)) {
      ++m_pool_stats.pool_pages;
      m_mem.page(host_addr(table)).fill(0);
      return true;
    }
    ++m_pool_stats.fallback_pages;
  }
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

bool GuestTableMemory::alloc_flat_table(Addr& table) {
  if (!m_frames.alloc(PageSize::k2M, table)) return false;
  // The guest zeroes the table, so the host backs all of it.
  for (unsigned i = 0; i < kEntriesPerTable; ++i) {
    const Addr page = table + i * kPageBytes;
    const AddressSpace::Touch t = m_backing.back(page);
    if (t == AddressSpace::Touch::kOutOfMemory) {
      for (unsigned j = 0; j < i; ++j) m_mem.release(host_addr(table + j * kPageBytes));
      m_frames.free(table, PageSize::k2M);
      return false;
    }
    if (t == AddressSpace::Touch::kMapped) ++m_backings;
    m_mem.release(host_addr(page));
  }
  return true;
}

bool GuestTableMemory::alloc_area(uint64_t pages, Addr& base) {
  if (!m_frames.alloc_contiguous(pages, base)) return false;
  for (uint64_t i = 0; i < pages; ++i) {  // the guest zeroes it, so the host backs all of it
    const Addr page = base + i * kPageBytes;
    const AddressSpace::Touch t = m_backing.back(page);
    if (t == AddressSpace::Touch::kOutOfMemory) {
      for (uint64_t j = 0; j < i; ++j) m_mem.release(host_addr(base + j * kPageBytes));
      m_frames.free_contiguous(base, pages);
      return false;
    }
    if (t == AddressSpace::Touch::kMapped) ++m_backings;
    m_mem.release(host_addr(page));
  }
  return true;
}

void GuestTableMemory::free_area(Addr base, uint64_t pages) {
  for (uint64_t i = 0; i < pages; ++i) m_mem.release(host_addr(base + i * kPageBytes));
  m_frames.free_contiguous(base, pages);
}

void GuestTableMemory::free_flat_table(Addr table) {
  for (unsigned i = 0; i < kEntriesPerTable; ++i) m_mem.release(host_addr(table + i * kPageBytes));
  m_frames.free(table, PageSize::k2M);
}

void GuestTableMemory::free_table(Addr table) {
  m_mem.release(host_addr(table));
  if (m_segments.contains(table >> 21)) {
    m_pool_free.push_back(table);  // pool pages stay in the pool
    return;
  }
  m_frames.free(table, PageSize::k4K);
}

void GuestTableMemory::copy_table(Addr from, Addr to) {
  PhysMem::Page& dst = m_mem.page(host_addr(to));
  dst = m_mem.page(host_addr(from));
}

void GuestTableMemory::discard_table(Addr table) { m_mem.release(host_addr(table)); }

uint64_t GuestTableMemory::read(Addr addr) { return m_mem.read64(host_addr(addr)); }
void GuestTableMemory::read_words(Addr addr, uint64_t* out, unsigned n) {
  const Addr hpa = host_addr(addr);
  const PhysMem::Page* p = m_mem.find_page(hpa);
  for (unsigned i = 0; i < n; ++i) out[i] = p ? (*p)[((hpa & (kPageBytes - 1)) >> 3) + i] : 0;
}
void GuestTableMemory::write(Addr addr, uint64_t value) {
  ++m_writes;
  m_mem.write64(host_addr(addr), value);
}

}  // namespace mmusim
