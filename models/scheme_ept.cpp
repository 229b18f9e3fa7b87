#include "models/scheme_ept.h"

namespace mmusim {

SchemeFeatures EptScheme::features() {
  SchemeFeatures f;
  f.hugegpt = f.dmt = f.pvdmt = f.host_teas = f.asap = true;
  return f;
}

EptScheme::EptScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas)
    : WithHints(params, mem, teas, "ept") {
  init_guest(*m_host_backing);
  m_guest_tables->set_pool(params.table_pool);
  if (m_teas.enabled())  // the host's TEAs over all guest-physical memory
    m_teas.host_teas(1, *m_host, params.guest_frames.bytes, *m_host_frames, params.host_pages,
                     params.vpid);
}

unsigned EptScheme::walk_dims(Context ctx, WalkDim* out) const {
  const AddressSpace* s = space_at(ctx.asid);
  if (!s) return 0;
  set_dim(out[0], *s, ctx);
  // Guest TEAs hold guest-physical addresses unless pvDMT made them host-contiguous.
  if (m_teas.enabled())
    out[0].dmt = WalkDmt{true, 0, ctx.key(), m_teas.mode() == DmtMode::kPvDmt};
  // The host dimension tags its cache entries by VM.
  set_dim(out[1], *m_host, Context{0, ctx.vpid});
  if (m_teas.host_register(1)) out[1].dmt = WalkDmt{true, 1, ctx.vpid, true};
  return 2;
}

Expectation EptScheme::expect(Context ctx, Addr va, AccessKind access,
                              const OracleHints* hinted) const {
  const AddressSpace* s = space_at(ctx.asid);
  if (hinted && s && hinted->guest_valid(va, s->oracle())) {
    const Mapping* g = hinted->mapped ? &hinted->guest : nullptr;
    if (!g || hinted->host_valid(m_host->oracle()))
      return compose(va, access, g, true, hinted->host_mapped ? &hinted->host : nullptr);
  }
  Mapping g, h;
  const bool mapped = s && s->oracle().lookup(va, g);
  if (!mapped || !g.perms.allows(access)) return compose(va, access, mapped ? &g : nullptr, true, nullptr);
  const bool host_mapped = host_truth(g.translate(va), h);
  return compose(va, access, &g, true, host_mapped ? &h : nullptr);
}

void EptScheme::first_leaf_lines(Context ctx, Addr va, OracleHints& state) const {
  // Under nested ECPT, not the host's probes for the guest's lines: the few host lines that map
  // the guest's tables stay in the host's caches.
  leaf_lines(*space_at(ctx.asid), true, va, state);
}

void EptScheme::hint_last(OracleHints& state) const {
  leaf_lines(*m_host, false, state.gpa, state);
  const TranslationMap& host = m_host->oracle();
  state.host_mapped = host.lookup(state.gpa, state.host);
  state.host_map = &host;
  state.host_version = host.version();
  if (state.host_mapped) state.add_line(state.host.translate(state.gpa));
}

Scheme::TeaBacking EptScheme::back_tea(uint64_t pages, Addr base, Addr& reg_base,
                                       uint64_t& backed) {
  if (m_teas.mode() != DmtMode::kPvDmt) return VirtualScheme::back_tea(pages, base, reg_base, backed);
  // The pvDMT hypercall: the host backs the guest TEA with contiguous host frames.
  Addr host_base;
  if (!m_host_frames->alloc_contiguous(pages, host_base)) return TeaBacking::kFailedFree;
  for (uint64_t i = 0; i < pages; ++i)
    if (!m_host->map_to(base + i * kPageBytes, host_base + i * kPageBytes, PageSize::k4K))
      return TeaBacking::kFailed;
  reg_base = host_base;
  return TeaBacking::kOk;
}

}  // namespace mmusim
