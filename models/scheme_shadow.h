// Shadow paging: the hypervisor keeps a gVA -> hPA shadow table per guest address space and
// hardware walks it like a native table (4 references cold). Guest page-table writes trap and
// sync the shadow, a shadow miss the guest maps is a hidden fault the hypervisor fills, a real
// guest fault is reflected into the guest, and a guest CR3 write traps. The host dimension is the
// hypervisor's own map (reported as pmap), never walked.
#pragma once

#include "models/scheme_virtual.h"
#include "models/shadow_table.h"

namespace mmusim {

// What shadow paging and Agile Paging share: the shadow tables the hypervisor composes, one per
// guest address space, filled on hidden faults and on the guest's trapped leaf writes, with guest
// faults reflected and CR3 writes trapped.
class ShadowingScheme : public VirtualScheme {
 public:
  Cycles on_cr3_write(Software& sw) override;
  // INVLPG exiting is on for the whole VM (Agile Paging too: its upper levels are shadowed).
  ShootdownPath shootdown_path() const override { return {true, true, false}; }
  void on_leaf_changed(uint16_t asid, const Mapping& m) override;
  // The sync gives the guest page's shadow entries their new rights in place: dropping them
  // would leave the TLBs holding translations a shadow no longer has (a guest page shadowed in
  // smaller pieces, only one of which the retried store refills), which no flush removes.
  void on_leaf_upgraded(uint16_t asid, const Mapping& m) override;
  void report_spaces(StatsVisitor& v) const override;
  // The shadow table of an ASID (created with the address space).
  ShadowTable& shadow(uint16_t asid) { return *m_shadows.at(asid); }
  // What hardware must give for va through a shadow whose entry for it is *sh (null: none).
  static Expectation shadowed(const Scheme& s, Context ctx, Addr va, AccessKind access,
                              const Mapping* sh);

 protected:
  using VirtualScheme::VirtualScheme;
  void space_created(uint16_t asid) override;
  // A shadow miss: a hidden fault the hypervisor fills when the guest maps va, else a guest
  // fault it reflects into the guest.
  Handled shadow_miss(Context ctx, Addr va, const Perms* vma, Software& sw);
  // The guest mapped va and its leaf write exited: the hypervisor backs va and shadows it there.
  Cycles shadow_mapped(Context ctx, Addr va, Software& sw);
  // Shadows va with the guest and host mappings as they stand; false when va is not mapped in
  // all of them or host memory ran out.
  bool shadow_fill(uint16_t asid, Addr va);

  std::vector<std::unique_ptr<ShadowTable>> m_shadows;  // indexed by ASID
};

class ShadowScheme final : public WithHints<ShadowScheme, ShadowingScheme> {
 public:
  ShadowScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  ~ShadowScheme() override;
  static SchemeFeatures features();
  const char* name() const override { return "shadow"; }
  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const OracleHints* hinted = nullptr) const override;
  bool populate(uint16_t asid, Addr va) override;
  Cycles trapped_table_writes(uint64_t before, Software& sw) override;

 protected:
  friend class Scheme;  // its hint stages call the steps below directly
  Handled not_present(Context ctx, Addr va, const Perms* vma, Software& sw) override {
    return shadow_miss(ctx, va, vma, sw);
  }
  Cycles after_demand_map(Context ctx, Addr va, uint64_t writes, Software& sw) override;
  void first_leaf_lines(Context ctx, Addr va, OracleHints& state) const;
  const char* host_report_name() const override { return "pmap"; }
};

}  // namespace mmusim
