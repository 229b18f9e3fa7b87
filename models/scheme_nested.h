// Nested virtualization: an L2 guest under an L1 hypervisor (EPT12: L2 gPA -> L1 gPA, in L1
// memory) under L0 (EPT01: L1 gPA -> hPA). An L2 EPT violation EPT12 lacks is reflected to L1,
// whose handler multiplies exits at L0. Two ways to walk it:
// - NestedShadowEptScheme: L0 composes EPT12 and EPT01 into EPT02 and hardware walks L2 table x
//   EPT02 (as KVM does; 24 references cold); L0 write-protects EPT12.
// - NestedHw3dScheme: a hypothetical hardware walk of L2 table x EPT12 x EPT01 (124 cold).
//   Accepts pvDMT: L2 gPTE, L1 leaf, L0 leaf (3 references).
#pragma once

#include "models/scheme_virtual.h"
#include "models/shadow_table.h"

namespace mmusim {

class NestedScheme : public VirtualScheme {
 public:
  ~NestedScheme() override;
  const char* name() const override { return "nested"; }
  bool host_truth(Addr gpa, Mapping& out) const override;
  ShootdownPath shootdown_path() const override { return {true, false, true}; }
  Cycles tea_hypercall_reflection(const SoftwareCosts& costs) const override {
    return (costs.exit_multiplier - 1) * costs.vm_exit;  // L0 reflects it to L1
  }
  TeaBacking back_tea(uint64_t pages, Addr base, Addr& reg_base, uint64_t& backed) override;
  void report_memory(StatsVisitor& v) const override;
  // The L1 hypervisor's EPT for the nested guest.
  AddressSpace& l1_ept() { return *m_ept12; }

 protected:
  friend class Scheme;  // its hint stages call the steps below directly
  NestedScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  const TranslationMap* hinted_host() const { return &m_ept12->oracle(); }
  // The guest's mapping of va, when it allows the access; else the expectation already known.
  bool guest_expect(Context ctx, Addr va, AccessKind access, Mapping& g, Expectation& e) const;
  // L1 backs an L2 guest-physical page EPT12 lacks: the reflected exit's cycles.
  Cycles reflect_to_l1(Addr gpa, Software& sw);
  std::runtime_error out_of_memory() const;

  std::unique_ptr<FrameAllocator> m_l1_frames;
  std::unique_ptr<GuestTableMemory> m_l1_tables;  // EPT12's pages, in L1 guest-physical memory
  std::unique_ptr<AddressSpace> m_ept12;
  std::unique_ptr<Backing> m_ept12_backing;  // through EPT12 then EPT01

 private:
  // Reserves `pages` contiguous L1 frames backed by contiguous host frames (nested pvDMT).
  bool l1_host_contiguous(uint64_t pages, Addr& l1_base, Addr& host_base);
};

class NestedShadowEptScheme final : public WithHints<NestedShadowEptScheme, NestedScheme> {
 public:
  NestedShadowEptScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  static SchemeFeatures features();
  ~NestedShadowEptScheme() override;
  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const OracleHints* hinted = nullptr) const override;
  void report_spaces(StatsVisitor& v) const override;
  // L0 composes EPT12 and EPT01 for an L2 guest-physical address into EPT02; false when one of
  // them does not map it or host memory ran out.
  bool ept02_fill(Addr gpa);

 protected:
  Handled ept_violation(const Fault& fault, Software& sw) override;

 private:
  class Ept02Backing;
  std::unique_ptr<ShadowTable> m_ept02;
  std::unique_ptr<Backing> m_ept02_backing;  // the chain, then EPT02
};

class NestedHw3dScheme final : public WithHints<NestedHw3dScheme, NestedScheme> {
 public:
  NestedHw3dScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  static SchemeFeatures features();
  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const OracleHints* hinted = nullptr) const override;

 protected:
  Handled ept_violation(const Fault& fault, Software& sw) override;
};

}  // namespace mmusim
