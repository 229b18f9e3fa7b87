// One translation dimension (a native or guest address space, or a host EPT space): a radix table
// and its oracle kept in step, mapping pages on first touch under a page-size policy.
#pragma once

#include <string>

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

  bool init() { return m_table.init(); }
  // Maps the page containing addr unless it is mapped already.
  Touch touch(Addr addr, Perms perms = {});
  // Removes the mapping covering addr and frees its frame; false if none.
  bool unmap(Addr addr, Mapping* removed = nullptr);
  PageSize size_for(Addr addr) const;

  const std::string& name() const { return m_name; }
  const TranslationMap& oracle() const { return m_oracle; }
  const RadixTable& table() const { return m_table; }
  Addr root() const { return m_table.root(); }
  unsigned levels() const { return m_table.levels(); }
  PtFormat format() const { return m_table.format(); }
  void report(StatsVisitor& v) const;

 private:
  std::string m_name;
  RadixTable m_table;
  FrameAllocator& m_frames;
  PagePolicy m_policy;
  TranslationMap m_oracle;
  uint64_t m_fallbacks = 0;
};

// Table pages in host-physical memory (native and EPT tables).
class HostTableMemory : public TableMemory {
 public:
  HostTableMemory(PhysMem& mem, FrameAllocator& frames) : m_mem(mem), m_frames(frames) {}
  bool alloc_table(Addr& table) override;
  void free_table(Addr table) override;
  uint64_t read(Addr addr) override { return m_mem.read64(addr); }
  void write(Addr addr, uint64_t value) override { m_mem.write64(addr, value); }

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
  // The host-physical address of addr; false when some dimension does not map it.
  virtual bool to_host(Addr addr, Addr& hpa) const = 0;
};

// One dimension of a backing chain, optionally over another.
class SpaceBacking : public Backing {
 public:
  explicit SpaceBacking(AddressSpace& dim, Backing* below = nullptr) : m_dim(dim), m_below(below) {}
  AddressSpace::Touch back(Addr addr) override;
  bool to_host(Addr addr, Addr& hpa) const override;

 private:
  AddressSpace& m_dim;
  Backing* m_below;
};

// Guest table pages: guest-physical frames, stored at the host-physical address the backing
// chain gives them (the hypervisor backs a new table page when the guest creates it).
class GuestTableMemory : public TableMemory {
 public:
  GuestTableMemory(PhysMem& mem, FrameAllocator& guest_frames, Backing& backing)
      : m_mem(mem), m_frames(guest_frames), m_backing(backing) {}
  bool alloc_table(Addr& table) override;
  void free_table(Addr table) override;
  uint64_t read(Addr addr) override;
  void write(Addr addr, uint64_t value) override;
  uint64_t backings() const { return m_backings; }
  // Entry writes so far: under shadow paging each one traps to the hypervisor.
  uint64_t writes() const { return m_writes; }

 private:
  Addr host_addr(Addr gpa) const;

  PhysMem& m_mem;
  FrameAllocator& m_frames;
  Backing& m_backing;
  uint64_t m_backings = 0;
  uint64_t m_writes = 0;
};

}  // namespace mmusim
