// EPT: hardware walks the guest table x the EPT (a 2D walk, 24 references cold at 4 x 4 levels);
// an unbacked guest-physical page is an EPT violation the hypervisor backs. Accepts HugeGPT (the
// guest's table pages from a pool the host backs with 2 MiB pages) and DMT/pvDMT (guest TEAs and
// a host TEA over guest memory).
#pragma once

#include "models/scheme_virtual.h"

namespace mmusim {

class EptScheme final : public WithHints<EptScheme, VirtualScheme> {
 public:
  EptScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  static SchemeFeatures features();
  const char* name() const override { return "ept"; }
  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const OracleHints* hinted = nullptr) const override;
  TeaBacking back_tea(uint64_t pages, Addr base, Addr& reg_base, uint64_t& backed) override;

 protected:
  friend class Scheme;  // its hint stages call the steps below directly
  const TranslationMap* hinted_host() const { return &m_host->oracle(); }
  void first_leaf_lines(Context ctx, Addr va, OracleHints& state) const;
  void hint_last(OracleHints& state) const;
};

}  // namespace mmusim
