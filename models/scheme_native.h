// Native paging: one address space per process, its radix table in host memory, walked alone.
// Accepts DMT (a TEA register gives the leaf entry: 1 reference).
#pragma once

#include "models/scheme.h"

namespace mmusim {

class NativeScheme final : public WithHints<NativeScheme, Scheme> {
 public:
  NativeScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  static SchemeFeatures features();
  const char* name() const override { return "none"; }
  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const OracleHints* hinted = nullptr) const override;

 protected:
  friend class Scheme;  // its hint stages call the steps below directly
  void first_leaf_lines(Context ctx, Addr va, OracleHints& state) const;
  void hint_last(OracleHints& state) const;
};

}  // namespace mmusim
