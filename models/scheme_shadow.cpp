#include "models/scheme_shadow.h"

namespace mmusim {

SchemeFeatures ShadowScheme::features() {
  SchemeFeatures f;
  f.dmt_refusal = f.pvdmt_refusal = "DMT is not modelled under shadow paging";
  return f;
}

ShadowScheme::ShadowScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas)
    : WithHints(params, mem, teas, "ept") {
  init_guest(*m_host_backing);
}

ShadowScheme::~ShadowScheme() = default;

void ShadowingScheme::space_created(uint16_t asid) {
  if (asid >= m_shadows.size()) m_shadows.resize(asid + 1u);
  m_shadows[asid] = std::make_unique<ShadowTable>(PtFormat::kX86, m_params.levels, *m_host_tables);
  m_shadows[asid]->set_flatten(m_params.page_table == TableKind::kFpt);
  if (!m_shadows[asid]->init()) throw std::runtime_error("host memory too small for a shadow root");
}

unsigned ShadowScheme::walk_dims(Context ctx, WalkDim* out) const {
  if (!has_space(ctx.asid)) return 0;
  const ShadowTable& st = *m_shadows[ctx.asid];
  set_dim(out[0], st, ctx);
  return 1;
}

Expectation ShadowingScheme::shadowed(const Scheme& s, Context ctx, Addr va, AccessKind access,
                                      const Mapping* sh) {
  // Hardware sees the shadow: an entry it lacks is a fault (the hypervisor fills it), an entry it
  // has must translate as guest and host mappings do now (a stale one is a mismatch).
  Expectation e;
  Mapping t;
  if (!sh) {
    e.fault = FaultKind::kNotPresent;
    return e;
  }
  if (!sh->perms.allows(access)) {
    e.fault = FaultKind::kProtection;
    return e;
  }
  if (!s.truth(ctx.asid, va, t)) {
    e.fault = FaultKind::kNotPresent;
    return e;
  }
  e.pa = t.translate(va);
  e.size = sh->size;
  e.perms = t.perms;
  return e;
}

Expectation ShadowScheme::expect(Context ctx, Addr va, AccessKind access,
                                 const OracleHints*) const {
  Mapping sh;
  const bool shadowed_va = has_space(ctx.asid) && m_shadows[ctx.asid]->record().lookup(va, sh);
  return shadowed(*this, ctx, va, access, shadowed_va ? &sh : nullptr);
}

bool ShadowingScheme::shadow_fill(uint16_t asid, Addr va) {
  Mapping t;
  if (!truth(asid, va, t)) return false;
  return m_shadows.at(asid)->fill(va, t.translate(va), t.size, t.perms);
}

bool ShadowScheme::populate(uint16_t asid, Addr va) {
  return VirtualScheme::populate(asid, va) && shadow_fill(asid, va);
}

Scheme::Handled ShadowingScheme::shadow_miss(Context ctx, Addr va, const Perms* vma,
                                             Software& sw) {
  Mapping g;
  if (space(ctx.asid).oracle().lookup(va, g)) {
    // Hidden fault: the guest maps va, the shadow does not yet.
    const Cycles backing = back(g.translate(va), sw.costs());
    if (!shadow_fill(ctx.asid, va)) host_memory_exhausted();
    return {Outcome::kRetry,
            sw.vm_exit(ExitReason::kShadowFill, sw.costs().shadow_fill + backing)};
  }
  // A guest page fault: the hypervisor sees it first and reflects it into the guest.
  const Cycles c = sw.vm_exit(ExitReason::kGuestFault, sw.costs().fault_injection);
  return demand_fault(ctx, va, vma, sw, c);
}

Cycles ShadowingScheme::shadow_mapped(Context ctx, Addr va, Software& sw) {
  Mapping g;
  space(ctx.asid).oracle().lookup(va, g);
  const Cycles c = sw.in_exit(back(g.translate(va), sw.costs()));  // inside the leaf write's exit
  if (!shadow_fill(ctx.asid, va)) host_memory_exhausted();
  return c;
}

Cycles ShadowScheme::after_demand_map(Context ctx, Addr va, uint64_t writes, Software& sw) {
  // Each entry the handler wrote trapped; syncing the leaf write shadows va.
  const Cycles c = trapped_table_writes(writes, sw);
  return c + shadow_mapped(ctx, va, sw);
}

Cycles ShadowScheme::trapped_table_writes(uint64_t before, Software& sw) {
  Cycles c = 0;
  for (uint64_t n = table_writes() - before; n > 0; --n)
    c += sw.vm_exit(ExitReason::kShadowPtWrite, sw.costs().shadow_pt_write);
  return c;
}

Cycles ShadowingScheme::on_cr3_write(Software& sw) {
  return sw.vm_exit(ExitReason::kCr3Write, sw.costs().cr3_write);  // switch shadow roots
}

void ShadowingScheme::on_leaf_changed(uint16_t asid, const Mapping& m) {
  // The sync of the trapped write drops every shadow entry inside the guest page.
  ShadowTable& st = shadow(asid);
  for (Addr p = m.base; p < m.base + page_bytes(m.size); p += kPageBytes) st.drop(p);
}

void ShadowingScheme::on_leaf_upgraded(uint16_t asid, const Mapping& m) {
  ShadowTable& st = shadow(asid);
  for (Addr p = m.base; p < m.base + page_bytes(m.size);) {
    Mapping s, t;
    if (!st.record().lookup(p, s)) {
      p += kPageBytes;
      continue;
    }
    if (truth(asid, p, t)) st.reprotect(p, t.perms);  // the guest's new rights and the host's
    p = s.base + page_bytes(s.size);
  }
}

void ShadowScheme::first_leaf_lines(Context ctx, Addr va, OracleHints& state) const {
  leaf_lines(*m_shadows[ctx.asid], false, va, state);
}

void ShadowingScheme::report_spaces(StatsVisitor& v) const {
  Scheme::report_spaces(v);
  for (size_t asid = 0; asid < m_shadows.size(); ++asid) {
    if (!m_shadows[asid]) continue;
    const std::string name = "shadow" + std::to_string(asid);
    v.begin(name.c_str());
    v.counter("entries", m_shadows[asid]->entries(), "entries", "shadow entries filled");
    v.counter("table_pages", m_shadows[asid]->table_pages(), "pages",
              "shadow page-table pages in host memory");
    v.end();
  }
}

}  // namespace mmusim
