// The memory side of the simulated machine: physical memory, frame allocators, the host
// dimensions (EPT, or EPT12 over EPT01 for a nested guest), the (guest) OS's address spaces and
// the hypervisors' shadow tables, with the composed oracle every translation is checked against.
#pragma once

#include <memory>
#include <vector>

#include "models/address_space.h"
#include "models/dmt.h"
#include "models/shadow_table.h"
#include "models/walker.h"

namespace mmusim {

// none: native paging. ept: hardware walks guest table x EPT. shadow: the hypervisor keeps a
// gVA -> hPA shadow table per guest address space and hardware walks that like a native table.
// nested: an L2 guest under an L1 hypervisor (EPT12) under L0 (EPT01), walked per NestedWalk.
enum class Virtualization : uint8_t { kNone, kEpt, kShadow, kNested };
const char* virtualization_name(Virtualization v);

// shadow_ept: L0 composes EPT12 and EPT01 into EPT02, hardware walks L2 table x EPT02 (as KVM).
// hw3d: a hypothetical hardware walk of L2 table x EPT12 x EPT01.
enum class NestedWalk : uint8_t { kShadowEpt, kHw3d };

// off: radix walks only. dmt: TEAs for large VMAs (virtualized: guest TEAs in guest-physical
// memory plus the host's TEA over guest memory). pvdmt: guest TEAs made host-contiguous by a
// hypercall, so a guest register points at host memory.
enum class DmtMode : uint8_t { kOff, kDmt, kPvDmt };

struct MachineParams {
  Virtualization virt = Virtualization::kEpt;
  NestedWalk nested_walk = NestedWalk::kShadowEpt;
  unsigned levels = 4;       // native or (L2) guest levels
  unsigned host_levels = 4;  // EPT levels (EPT12 and EPT01 alike)
  PagePolicy guest_pages;    // native or (L2) guest page policy
  PagePolicy host_pages;     // EPT, EPT12 and EPT01
  FrameAllocatorParams guest_frames;  // (L2) guest-physical space (virtualized only)
  FrameAllocatorParams l1_frames;     // L1 guest-physical space (nested only)
  FrameAllocatorParams host_frames;   // host-physical space
  uint16_t vpid = 1;                  // the VM's tag (virtualized only)
  TablePool table_pool;               // HugeGPT's page-table pool (EPT only)
  DmtMode dmt = DmtMode::kOff;        // native or EPT only
};

// What a TEA's creation or growth did: the TEA's first page (in the table's own space) and
// capacity in leaf tables before and after, the leaf tables moved into the new area, and the
// guest-physical pages the host backed for it (virtualized DMT).
struct TeaChange {
  Addr old_base = 0, new_base = 0;
  uint64_t old_pages = 0, new_pages = 0;
  uint64_t moved = 0;
  uint64_t backed = 0;
  std::vector<Addr> moved_ranges;  // input address where each moved table's range starts
  bool reallocated() const { return new_base != old_base; }
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
  ~Machine() override;

  bool virtualized() const { return m_params.virt != Virtualization::kNone; }
  bool shadowed() const { return m_params.virt == Virtualization::kShadow; }
  bool nested() const { return m_params.virt == Virtualization::kNested; }
  bool shadow_ept() const { return nested() && m_params.nested_walk == NestedWalk::kShadowEpt; }
  const MachineParams& params() const { return m_params; }
  PhysMem& mem() { return m_mem; }
  const PhysMem& mem() const { return m_mem; }
  uint16_t vpid() const { return virtualized() ? m_params.vpid : 0; }
  Context context(uint16_t asid) const { return Context{asid, vpid()}; }

  // The native or guest address space of an ASID, created on first use.
  AddressSpace& space(uint16_t asid);
  bool has_space(uint16_t asid) const;
  // The lowest host dimension (gPA or L1 gPA -> hPA), or null when not virtualized: the EPT
  // (EPT01 when nested), or under shadow paging the hypervisor's own map, which hardware never
  // walks.
  AddressSpace* host() { return m_host.get(); }
  // The L1 hypervisor's EPT for the nested guest (EPT12: L2 gPA -> L1 gPA), or null.
  AddressSpace* l1_ept() { return m_ept12.get(); }
  // L0's composed EPT02 (nested shadow_ept only), or null.
  ShadowTable* ept02() { return m_ept02.get(); }
  // The shadow table of an ASID (shadow paging only; created with the address space).
  ShadowTable& shadow(uint16_t asid) { return *m_shadows.at(asid); }
  // Maps a guest-physical address through every host dimension below it.
  Backing& guest_backing() { return *m_guest_backing; }

  // Guest page-table entry writes so far (all address spaces), and L1 writes to EPT12.
  uint64_t guest_table_writes() const;
  // HugeGPT segments requested so far (granted and refused): one hypercall each.
  uint64_t hugegpt_requests() const;
  uint64_t l1_table_writes() const;

  // Maps va in every dimension (guest page and its backing), as a pre-populated VM would, and
  // fills the shadow tables hardware walks; false when a physical space ran out.
  bool populate(uint16_t asid, Addr va);
  // Shadows va with the guest and host mappings as they stand; false when va is not mapped in
  // all of them or host memory ran out.
  bool shadow_fill(uint16_t asid, Addr va);
  // L0 composes EPT12 and EPT01 for an L2 guest-physical address into EPT02; false when one of
  // them does not map it or host memory ran out.
  bool ept02_fill(Addr gpa);

  // DMT: gives the range [start, end) of an address space (a VMA, or adjacent VMAs sharing one
  // TEA) a TEA whose pages become the leaf tables of its radix (allocated contiguously, backed
  // host-contiguously under pvDMT); leaf tables the range has already are moved into it. Describes
  // it as the register the OS programs; false when contiguous memory cannot be had.
  bool create_tea(uint16_t asid, Addr start, Addr end, TeaRegister& reg,
                  TeaChange* change = nullptr);
  // DMT: the range of the TEA created at `start` grows to [start, end). Within the TEA's capacity
  // only its end moves; past it a TEA of doubled capacity (doubled again until it covers the
  // range) is allocated, the leaf tables are moved into it (entries copied, upper entries
  // repointed) and the old TEA is freed. False when that allocation fails: the TEA then covers
  // what its capacity holds and the rest is left to the radix walk. `reg` is the register to
  // program either way; `change` says what moved (stale PWC entries for those ranges must go).
  bool grow_tea(uint16_t asid, Addr start, Addr end, TeaRegister& reg, TeaChange& change);
  // The host's TEA over all guest-physical memory (virtualized DMT; nested: L1's over L2
  // memory), or null.
  const TeaRegister* host_tea() const { return m_host_tea.valid ? &m_host_tea : nullptr; }
  // Nested pvDMT: L0's TEA over L1 memory, or null.
  const TeaRegister* l0_tea() const { return m_l0_tea.valid ? &m_l0_tea : nullptr; }
  uint64_t tea_pages() const { return m_tea_pages; }

  // The composed mapping of va from guest or native page to host frame, whatever hardware walks.
  bool truth(uint16_t asid, Addr va, Mapping& out) const;
  // The composed mapping of a guest-physical address to host memory; false when a dimension of
  // the chain does not map it.
  bool host_truth(Addr gpa, Mapping& out) const;

  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  struct PrefetchState;
  // What a translation of va must give. With the PrefetchState of the access's hints, the
  // mappings they looked up stand in for new lookups while their maps are unchanged.
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const PrefetchState* hinted = nullptr) const;
  // Host-cache hints for an access to va a few accesses from now; they change no result. An
  // access reads page-table entries and oracle records spread over megabytes of host memory, so
  // a caller that knows its addresses ahead calls each stage in turn, some accesses apart, with
  // the same PrefetchState: stage 0 starts loading the (guest) oracle's index slot; stage 1 its
  // record; stage 2 reads the record and starts loading the host oracle's index slot and the
  // leaf entry of the table hardware walks first (native, guest or shadow); stage 3 the host
  // record; stage 4 reads it and starts loading the EPT leaf entry for the data. Nested
  // virtualization gets the guest oracle's hints only.
  static constexpr unsigned kPrefetchStages = 5;
  // Stages 2 and 4 also leave in `lines` the host-physical addresses whose memory-hierarchy tag
  // sets the caller may load: the leaf entries and (stage 4) the data's.
  // The leaf entries and the data are where a walk's reads and the data access leave the
  // on-chip caches most. The state also keeps the oracle mappings the stages looked up (native
  // or EPT), with the versions of the maps they came from, so the check of the access can reuse
  // them while the maps are unchanged.
  struct PrefetchState {
    Addr gpa = 0;
    bool mapped = false;
    unsigned nlines = 0;
    Addr lines[2] = {};
    Addr va = ~Addr{0};  // the access the mappings below are for
    const TranslationMap* guest_map = nullptr;
    const TranslationMap* host_map = nullptr;  // null: not looked up
    uint64_t guest_version = 0, host_version = 0;
    Mapping guest, host;
    bool host_mapped = false;
    // The oracles the stages read (guest null: no address space; host null: none hinted),
    // found by stage 0 for the access hint_va of hint_asid, and again by a later stage that
    // finds them set for another access (one that started past stage 0).
    Addr hint_va = ~Addr{0};
    uint16_t hint_asid = 0;
    const TranslationMap* hint_guest = nullptr;
    const TranslationMap* hint_host = nullptr;
  };
  void prefetch(Context ctx, Addr va, unsigned stage, PrefetchState& state) const;
  // Every host-physical address the stages leave in `lines` for va, in stage order: the leaf
  // entries (the first dimension's, then the EPT's for the data), then the data. For tests,
  // which hold them against a walk.
  unsigned hinted_lines(Context ctx, Addr va, Addr* out) const;
  void report(StatsVisitor& v) const;

 private:
  class Ept02Backing;
  class TeaPlacer;
  // The expectation from va's guest (or native) mapping and, virtualized, the host mapping of
  // its guest-physical address (null: not mapped).
  static Expectation compose(Addr va, AccessKind access, const Mapping* guest, bool virtualized,
                             const Mapping* host);
  // The host-physical address of the entry that maps addr in a radix table (root, levels and
  // format), reading only the upper levels, which are few and stay in the host's caches; tables in
  // guest-physical memory are located through the host oracle. False when addr is not mapped.
  // Hints only: a memo of leaf tables by 2 MiB region skips the upper levels, and may be stale.
  bool leaf_entry(Addr root, unsigned levels, PtFormat format, bool guest_tables, Addr addr,
                  Addr& entry) const;
  // leaf_entry for the table hardware walks first (native, guest or shadow), and for the EPT
  // (plain EPT only).
  bool first_leaf_entry(Context ctx, Addr va, Addr& entry) const;
  bool host_leaf_entry(Addr gpa, Addr& entry) const;
  struct LeafMemo {
    Addr root = ~Addr{0}, region = 0, table = 0;  // table: the leaf table's host address
  };
  static constexpr size_t kLeafMemo = 4096;  // a power of two
  mutable std::vector<LeafMemo> m_leaf_memo = std::vector<LeafMemo>(kLeafMemo);
  // leaf_entry past a memo miss: reads the upper levels and fills `memo`.
  bool leaf_entry_read(Addr root, unsigned levels, PtFormat format, bool guest_tables, Addr addr,
                       LeafMemo& memo, Addr& entry) const;
  // TEA leaf shift for a page policy: its large size when every region gets it, else 4K.
  static uint8_t tea_shift(const PagePolicy& p);
  // Gives a host EPT (EPT, or EPT01) a TEA over guest-physical [0, end): its leaf tables on
  // contiguous host frames. Before anything maps into that EPT.
  TeaRegister host_ept_tea(AddressSpace& ept, Addr end);
  // Reserves `pages` contiguous L1 frames backed by contiguous host frames (nested pvDMT).
  bool l1_host_contiguous(uint64_t pages, Addr& l1_base, Addr& host_base);
  // Reserves `pages` contiguous TEA pages in the address spaces' table space and makes them what
  // hardware reads: backed (DMT), host-contiguous (pvDMT, nested pvDMT). base: in table space;
  // reg_base: what the register holds; backed: guest-physical pages the host had to back.
  bool alloc_tea_area(uint64_t pages, Addr& base, Addr& reg_base, uint64_t& backed);
  FrameAllocator& tea_frames() { return virtualized() ? *m_guest_frames : *m_host_frames; }
  TableMemory& space_tables();
  TeaRegister tea_register(uint16_t asid, const TeaPlacer& placer, size_t index) const;
  // Moves the leaf tables of TEA `index` of asid's placer into its pages (pages of `old`, the
  // area it replaces, are left to be freed with it; other TEAs' pages stay where they are).
  void move_into_tea(uint16_t asid, size_t index, Addr old_base, uint64_t old_pages,
                     TeaChange& change);

  MachineParams m_params;
  PhysMem m_mem;
  std::unique_ptr<FrameAllocator> m_host_frames;
  std::unique_ptr<FrameAllocator> m_l1_frames;
  std::unique_ptr<FrameAllocator> m_guest_frames;
  std::unique_ptr<HostTableMemory> m_host_tables;
  std::unique_ptr<AddressSpace> m_host;           // EPT, shadow pmap, or EPT01
  std::unique_ptr<Backing> m_host_backing;        // through m_host
  std::unique_ptr<GuestTableMemory> m_l1_tables;  // EPT12's pages, in L1 guest-physical memory
  std::unique_ptr<AddressSpace> m_ept12;
  std::unique_ptr<Backing> m_ept12_backing;       // through EPT12 then EPT01
  std::unique_ptr<ShadowTable> m_ept02;
  std::unique_ptr<Backing> m_ept02_backing;       // the chain, then EPT02 (shadow_ept)
  Backing* m_guest_backing = nullptr;             // what guest-physical memory goes through
  std::unique_ptr<GuestTableMemory> m_space_tables;
  std::vector<std::unique_ptr<AddressSpace>> m_spaces;  // indexed by ASID
  std::vector<std::unique_ptr<ShadowTable>> m_shadows;  // indexed by ASID (shadow paging)
  std::vector<std::unique_ptr<TeaPlacer>> m_placers;    // indexed by ASID (DMT)
  std::unique_ptr<TeaPlacer> m_host_placer;   // EPT's (nested: EPT01's) leaf tables
  std::unique_ptr<TeaPlacer> m_l1_placer;     // nested: EPT12's leaf tables
  TeaRegister m_host_tea;
  TeaRegister m_l0_tea;
  uint64_t m_tea_pages = 0;
};

}  // namespace mmusim
