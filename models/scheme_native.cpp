#include "models/scheme_native.h"

namespace mmusim {

SchemeFeatures NativeScheme::features() {
  SchemeFeatures f;
  f.dmt = f.asap = true;
  f.pvdmt_refusal = "pvdmt needs virtualization (ept or nested)";
  return f;
}

NativeScheme::NativeScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas)
    : WithHints(params, mem, teas) {
  set_spaces(*m_host_tables, *m_host_frames, nullptr, "as");
}

unsigned NativeScheme::walk_dims(Context ctx, WalkDim* out) const {
  const AddressSpace* s = space_at(ctx.asid);
  if (!s) return 0;
  set_dim(out[0], *s, ctx);
  if (m_teas.enabled()) out[0].dmt = WalkDmt{true, 0, ctx.asid, true};
  return 1;
}

Expectation NativeScheme::expect(Context ctx, Addr va, AccessKind access,
                                 const OracleHints* hinted) const {
  const AddressSpace* s = space_at(ctx.asid);
  if (hinted && s && hinted->guest_valid(va, s->oracle()))
    return compose(va, access, hinted->mapped ? &hinted->guest : nullptr, false, nullptr);
  Mapping g;
  const bool mapped = s && s->oracle().lookup(va, g);
  return compose(va, access, mapped ? &g : nullptr, false, nullptr);
}

void NativeScheme::first_leaf_lines(Context ctx, Addr va, OracleHints& state) const {
  leaf_lines(*space_at(ctx.asid), false, va, state);
}

void NativeScheme::hint_last(OracleHints& state) const {
  state.add_line(state.gpa);  // the data
}

}  // namespace mmusim
