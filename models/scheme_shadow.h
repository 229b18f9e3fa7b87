// Shadow paging: the hypervisor keeps a gVA -> hPA shadow table per guest address space and
// hardware walks it like a native table (4 references cold). Guest page-table writes trap and
// sync the shadow, a shadow miss the guest maps is a hidden fault the hypervisor fills, a real
// guest fault is reflected into the guest, and a guest CR3 write traps. The host dimension is the
// hypervisor's own map (reported as pmap), never walked.
#pragma once

#include "models/scheme_virtual.h"
#include "models/shadow_table.h"

namespace mmusim {

class ShadowScheme final : public WithHints<ShadowScheme, VirtualScheme> {
 public:
  ShadowScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  ~ShadowScheme() override;
  static SchemeFeatures features();
  const char* name() const override { return "shadow"; }
  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const OracleHints* hinted = nullptr) const override;
  bool populate(uint16_t asid, Addr va) override;
  Cycles on_cr3_write(Software& sw) override;
  void on_unmapped(uint16_t asid, const Mapping& m) override;
  Cycles trapped_table_writes(uint64_t before, Software& sw) override;
  void report_spaces(StatsVisitor& v) const override;
  // What hardware must give for va through a shadow whose entry for it is *sh (null: none).
  static Expectation shadowed(const Scheme& s, Context ctx, Addr va, AccessKind access,
                              const Mapping* sh);
  // The shadow table of an ASID (created with the address space).
  ShadowTable& shadow(uint16_t asid) { return *m_shadows.at(asid); }

 protected:
  friend class Scheme;  // its hint stages call the steps below directly
  void space_created(uint16_t asid) override;
  Handled not_present(Context ctx, Addr va, const Perms* vma, Software& sw) override;
  Cycles after_demand_map(Context ctx, Addr va, uint64_t writes, Software& sw) override;
  bool first_leaf_entry(Context ctx, Addr va, Addr& entry) const;
  const char* host_report_name() const override { return "pmap"; }

 private:
  // Shadows va with the guest and host mappings as they stand; false when va is not mapped in
  // all of them or host memory ran out.
  bool shadow_fill(uint16_t asid, Addr va);

  std::vector<std::unique_ptr<ShadowTable>> m_shadows;  // indexed by ASID
};

}  // namespace mmusim
