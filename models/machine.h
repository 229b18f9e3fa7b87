// The memory side of the simulated machine: physical memory, frame allocators, the host (EPT)
// dimension and the (guest) OS's address spaces, with the composed oracle every translation is
// checked against.
#pragma once

#include <memory>
#include <vector>

#include "models/address_space.h"
#include "models/shadow_table.h"
#include "models/walker.h"

namespace mmusim {

// none: native paging. ept: hardware walks guest table x EPT. shadow: the hypervisor keeps a
// gVA -> hPA shadow table per guest address space and hardware walks that like a native table.
enum class Virtualization : uint8_t { kNone, kEpt, kShadow };
const char* virtualization_name(Virtualization v);

struct MachineParams {
  Virtualization virt = Virtualization::kEpt;
  unsigned levels = 4;       // native or guest levels
  unsigned host_levels = 4;  // EPT levels
  PagePolicy guest_pages;    // native or guest page policy
  PagePolicy host_pages;
  FrameAllocatorParams guest_frames;  // guest-physical space (virtualized only)
  FrameAllocatorParams host_frames;   // host-physical space
  uint16_t vpid = 1;                  // the VM's tag (virtualized only)
};

// What the hardware needs to start a walk for a context: its dimensions' roots and formats.
class WalkRoots {
 public:
  virtual ~WalkRoots() = default;
  // Fills out[0..n) (outermost first) and returns n; caches are left for the caller to attach.
  virtual unsigned walk_dims(Context ctx, WalkDim* out) const = 0;
};

// The translation the oracle expects, or the fault the walker must report.
struct Expectation {
  FaultKind fault = FaultKind::kNone;
  Addr pa = 0;
  PageSize size = PageSize::k4K;
  Perms perms;
};

class Machine : public WalkRoots {
 public:
  explicit Machine(const MachineParams& params);

  bool virtualized() const { return m_params.virt != Virtualization::kNone; }
  bool shadowed() const { return m_params.virt == Virtualization::kShadow; }
  const MachineParams& params() const { return m_params; }
  PhysMem& mem() { return m_mem; }
  const PhysMem& mem() const { return m_mem; }
  uint16_t vpid() const { return virtualized() ? m_params.vpid : 0; }
  Context context(uint16_t asid) const { return Context{asid, vpid()}; }

  // The native or guest address space of an ASID, created on first use.
  AddressSpace& space(uint16_t asid);
  bool has_space(uint16_t asid) const;
  // The host dimension (gPA -> hPA), or null when not virtualized: the EPT, or under shadow
  // paging the hypervisor's own map, which hardware never walks.
  AddressSpace* host() { return m_host.get(); }
  // The shadow table of an ASID (shadow paging only; created with the address space).
  ShadowTable& shadow(uint16_t asid) { return *m_shadows.at(asid); }
  // Guest page-table entry writes so far (all address spaces).
  uint64_t guest_table_writes() const;
  // Shadows va with the guest and host mappings as they stand; false when va is not mapped in
  // both or host memory ran out.
  bool shadow_fill(uint16_t asid, Addr va);

  // Maps va in every dimension (guest page and its host backing), as a pre-populated VM would;
  // false when a physical space ran out.
  bool populate(uint16_t asid, Addr va);

  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  Expectation expect(Context ctx, Addr va, AccessKind access) const;
  // The composed guest -> host mapping of va (native: the space's own), whatever hardware walks.
  bool truth(uint16_t asid, Addr va, Mapping& out) const;
  // Host-cache hints for a later expect(): stage 0 loads the guest record, stage 1 (once that is
  // cached) the host record. They change no result.
  void prefetch_expect(Context ctx, Addr va, int stage) const;
  void report(StatsVisitor& v) const;

 private:
  MachineParams m_params;
  PhysMem m_mem;
  std::unique_ptr<FrameAllocator> m_host_frames;
  std::unique_ptr<FrameAllocator> m_guest_frames;
  std::unique_ptr<HostTableMemory> m_host_tables;
  std::unique_ptr<AddressSpace> m_host;
  std::unique_ptr<TableMemory> m_space_tables;
  std::vector<std::unique_ptr<AddressSpace>> m_spaces;  // indexed by ASID
  std::vector<std::unique_ptr<ShadowTable>> m_shadows;  // indexed by ASID (shadow paging)
};

}  // namespace mmusim
