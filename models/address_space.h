// One translation dimension (a native or guest address space, or a host EPT space): a radix table
// and its oracle kept in step, mapping pages on first touch under a page-size policy.
#pragma once

#include <memory>
#include <string>

#include "models/ecpt.h"
#include "models/frame_allocator.h"
#include "models/page_table.h"
#include "models/phys_mem.h"
#include "models/translation_map.h"

namespace mmusim {

// Which page size a region gets: `size`, for a deterministic `huge_fraction` of the regions of
// that size; a region left out (or whose frame cannot be had) tries the next smaller size.
struct PagePolicy {
  PageSize size = PageSize::k4K;
  double huge_fraction = 1.0;
  uint64_t seed = 1;
};

class AddressSpace {
 public:
  enum class Touch { kPresent, kMapped, kOutOfMemory };

  AddressSpace(std::string name, PtFormat format, unsigned levels, TableMemory& tables,
               FrameAllocator& frames, PagePolicy policy);

  bool init() { return m_ecpt ? true : m_table.init(); }
  // ECPT: the space's pages go into elastic cuckoo page tables instead of the radix (before
  // init).
  void set_ecpt(const EcptParams& params);
  const Ecpt* ecpt() const { return m_ecpt.get(); }
  // Maps the page containing addr unless it is mapped already.
  Touch touch(Addr addr, Perms perms = {});
  // Maps the page of exactly `size` containing addr; false when any of it is mapped already or
  // no frame of that size is left.
  bool map_exact(Addr addr, PageSize size, Perms perms = {});
  // Removes the mapping covering addr and frees its frame; false if none.
  bool unmap(Addr addr, Mapping* removed = nullptr);
  // Changes the permissions of the mapping covering addr in place (mprotect, or a write fault
  // that restores what the VMA allows); false if none. `changed`: the mapping before.
  bool protect(Addr addr, Perms perms, Mapping* changed = nullptr);
  // Moves the page covering addr to a new frame of its size and frees the old one (page
  // migration); false if nothing is mapped there or no frame of that size is free.
  bool migrate(Addr addr, Mapping* moved = nullptr);
  PageSize size_for(Addr addr) const;

  const std::string& name() const { return m_name; }
  const TranslationMap& oracle() const { return m_oracle; }
  const RadixTable& table() const { return m_table; }
  RadixTable& table() { return m_table; }
  Addr root() const { return m_table.root(); }
  unsigned levels() const { return m_table.levels(); }
  PtFormat format() const { return m_table.format(); }
  bool root_flat() const { return m_table.root_flat(); }
  // FPT: flatten the table where it can (before init).
  void set_flatten(bool flatten) { m_table.set_flatten(flatten); }
  void set_placer(const TablePlacer* placer) { m_table.set_placer(placer); }
  // Maps the page of `size` at addr to a given frame (a frame the caller reserved).
  bool map_to(Addr addr, Addr frame, PageSize size, Perms perms = {});
  void report(StatsVisitor& v) const;

 private:
  std::string m_name;
  RadixTable::MapStatus map_page(Addr addr, Addr frame, PageSize size, Perms perms);
  // Rewrites the leaf of mapping m (found in the oracle) for `frame` and `perms`, in the table
  // and the oracle.
  void rewrite(const Mapping& m, Addr frame, Perms perms);

  RadixTable m_table;
  TableMemory& m_table_memory;
  std::unique_ptr<Ecpt> m_ecpt;
  FrameAllocator& m_frames;
  PagePolicy m_policy;
  TranslationMap m_oracle;
  uint64_t m_fallbacks = 0;
};

// Table pages in host-physical memory (native and EPT tables).
class HostTableMemory : public TableMemory {
 public:
  HostTableMemory(PhysMem& mem, FrameAllocator& frames) : m_mem(mem), m_frames(frames) {}
  bool alloc_table(Addr& table, bool root) override;
  void free_table(Addr table) override;
  bool alloc_flat_table(Addr& table) override;
  void free_flat_table(Addr table) override;
  bool alloc_area(uint64_t pages, Addr& base) override;
  void free_area(Addr base, uint64_t pages) override;
  uint64_t read(Addr addr) override { return m_mem.read64(addr); }
  void read_words(Addr addr, uint64_t* out, unsigned n) override {
    const PhysMem::Page* p = m_mem.find_page(addr);
    for (unsigned i = 0; i < n; ++i) out[i] = p ? (*p)[((addr & (kPageBytes - 1)) >> 3) + i] : 0;
  }
  void write(Addr addr, uint64_t value) override { m_mem.write64(addr, value); }
  void copy_table(Addr from, Addr to) override;
  void discard_table(Addr table) override { m_mem.release(table); }

 private:
  PhysMem& m_mem;
  FrameAllocator& m_frames;
};

// How a guest-physical space reaches host memory: through one host dimension (a VM's EPT), or a
// chain of them (a nested guest: EPT12, then EPT01).
class Backing {
 public:
  virtual ~Backing() = default;
  // Maps addr in every dimension of the chain; kMapped when anything new was mapped.
  virtual AddressSpace::Touch back(Addr addr) = 0;
  // Backs the 2 MiB guest-physical segment at addr with one 2 MiB host page (the HugeGPT
  // hypercall); false when the host cannot.
  virtual bool back_huge(Addr segment) = 0;
  // The host-physical address of addr; false when some dimension does not map it.
  virtual bool to_host(Addr addr, Addr& hpa) const = 0;
};

// One dimension of a backing chain, optionally over another.
class SpaceBacking : public Backing {
 public:
  explicit SpaceBacking(AddressSpace& dim, Backing* below = nullptr) : m_dim(dim), m_below(below) {}
  AddressSpace::Touch back(Addr addr) override;
  bool back_huge(Addr segment) override;
  bool to_host(Addr addr, Addr& hpa) const override;

 private:
  AddressSpace& m_dim;
  Backing* m_below;
};

// HugeGPT: the guest takes page-table pages from a pool of 2 MiB-aligned guest-physical segments
// the host backs with 2 MiB pages (one hypercall a segment), so host walks for them stop a level
// early; a host that refuses makes the guest fall back to ordinary pages.
struct TablePool {
  bool enabled = false;
  bool root = true;            // roots come from the pool too (false: as the Linux prototype)
  uint64_t capacity = 0;       // bytes of segments the guest may take
  bool host_accepts = true;    // whether the host agrees to back segments with 2 MiB pages
};

// Guest table pages: guest-physical frames, stored at the host-physical address the backing
// chain gives them (the hypervisor backs a new table page when the guest creates it).
class GuestTableMemory : public TableMemory {
 public:
  struct PoolStats {
    uint64_t segments = 0, refusals = 0, pool_pages = 0, fallback_pages = 0;
  };

  GuestTableMemory(PhysMem& mem, FrameAllocator& guest_frames, Backing& backing)
      : m_mem(mem), m_frames(guest_frames), m_backing(backing) {}
  void set_pool(const TablePool& pool) { m_pool = pool; }
  const PoolStats& pool_stats() const { return m_pool_stats; }
  bool alloc_table(Addr& table, bool root) override;
  void free_table(Addr table) override;
  bool alloc_flat_table(Addr& table) override;
  void free_flat_table(Addr table) override;
  // ECPT's ways: guest-physically contiguous, each page backed by the host.
  bool alloc_area(uint64_t pages, Addr& base) override;
  void free_area(Addr base, uint64_t pages) override;
  uint64_t read(Addr addr) override;
  // n words within one page: one translation.
  void read_words(Addr addr, uint64_t* out, unsigned n) override;
  void write(Addr addr, uint64_t value) override;
  void copy_table(Addr from, Addr to) override;
  void discard_table(Addr table) override;
  uint64_t backings() const { return m_backings; }
  // Entry writes so far: under shadow paging each one traps to the hypervisor.
  uint64_t writes() const { return m_writes; }

 private:
  Addr host_addr(Addr gpa) const;
  bool alloc_from_pool(Addr& table);

  PhysMem& m_mem;
  FrameAllocator& m_frames;
  Backing& m_backing;
  TablePool m_pool;
  PoolStats m_pool_stats;
  Addr m_segment = 0;          // the segment being carved
  unsigned m_segment_next = 512;  // next free page in it (512: none open)
  bool m_pool_closed = false;  // the host refused or the capacity is used up
  FlatMap<uint8_t> m_segments;  // 2 MiB segment number -> in the pool
  std::vector<Addr> m_pool_free;  // freed pool pages, reused first
  uint64_t m_backings = 0;
  uint64_t m_writes = 0;
};

}  // namespace mmusim
