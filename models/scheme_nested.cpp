#include "models/scheme_nested.h"

namespace mmusim {

namespace {
constexpr const char* kNestedDmt =
    "nested virtualization models pvdmt (L2 gPTE, L1 leaf, L0 leaf) only";
}  // namespace

SchemeFeatures NestedShadowEptScheme::features() {
  SchemeFeatures f;
  f.dmt_refusal = kNestedDmt;
  f.pvdmt_key = "nested_walk";
  f.pvdmt_refusal =
      "nested pvdmt looks up L2, L1 and L0 TEAs, falling back to the 3D walk: set "
      "system.nested_walk: hw3d";
  return f;
}

SchemeFeatures NestedHw3dScheme::features() {
  SchemeFeatures f;
  f.pvdmt = f.host_teas = true;
  f.dmt_refusal = kNestedDmt;
  return f;
}

NestedScheme::NestedScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas)
    : VirtualScheme(params, mem, teas, "ept01") {
  const bool pv = m_teas.mode() == DmtMode::kPvDmt;
  const uint8_t shift = TeaAllocator::shift_for(params.host_pages);
  if (pv)  // L0's TEA over L1 memory
    m_teas.host_teas(2, *m_host, params.l1_frames.bytes, *m_host_frames, params.host_pages,
                     params.vpid);
  m_l1_frames = std::make_unique<FrameAllocator>("l1_frames", params.l1_frames);
  m_l1_tables = std::make_unique<GuestTableMemory>(m_mem, *m_l1_frames, *m_host_backing);
  PagePolicy l1_policy = params.host_pages;
  l1_policy.seed += 7;
  m_ept12 = std::make_unique<AddressSpace>("ept12", PtFormat::kEpt, params.host_levels,
                                           *m_l1_tables, *m_l1_frames, l1_policy);
  m_ept12->set_flatten(params.host_page_table == TableKind::kFpt);
  if (!m_ept12->init()) throw std::runtime_error("L1 memory too small for the EPT12 root");
  if (pv) {
    // L1's TEA over L2 memory (EPT12's leaf tables), made host-contiguous by L0 so one register
    // gives their host address.
    const Addr end = params.guest_frames.bytes;
    const uint64_t pages = ((end - 1) >> (shift + 9)) + 1;
    Addr l1_base, host_base;
    if (!l1_host_contiguous(pages, l1_base, host_base))
      throw std::runtime_error("memory too small for L1's TEA over L2 memory");
    m_teas.set_host_register(
        1, m_teas.fixed_tea(*m_ept12, end, l1_base, host_base, pages, shift, params.vpid));
  }
  m_ept12_backing = std::make_unique<SpaceBacking>(*m_ept12, m_host_backing.get());
}

NestedScheme::~NestedScheme() = default;

bool NestedScheme::l1_host_contiguous(uint64_t pages, Addr& l1_base, Addr& host_base) {
  if (!m_l1_frames->alloc_contiguous(pages, l1_base)) return false;
  Mapping m;
  if (m_host->oracle().lookup(l1_base, m)) {
    // Backed already, by a large host page over them: contiguous if every page is so backed.
    host_base = m.translate(l1_base);
    for (uint64_t i = 1; i < pages; ++i) {
      const Addr l1 = l1_base + i * kPageBytes;
      if (!m_host->oracle().lookup(l1, m) || m.translate(l1) != host_base + i * kPageBytes)
        return false;
    }
    return true;
  }
  if (!m_host_frames->alloc_contiguous(pages, host_base)) return false;
  for (uint64_t i = 0; i < pages; ++i)
    if (!m_host->map_to(l1_base + i * kPageBytes, host_base + i * kPageBytes, PageSize::k4K))
      return false;
  return true;
}

Scheme::TeaBacking NestedScheme::back_tea(uint64_t pages, Addr base, Addr& reg_base, uint64_t&) {
  // Nested pvDMT: L1 backs the L2 TEA with contiguous L1 frames that L0 made host-contiguous.
  Addr l1_base, host_base;
  if (!l1_host_contiguous(pages, l1_base, host_base)) return TeaBacking::kFailedFree;
  for (uint64_t i = 0; i < pages; ++i)
    if (!m_ept12->map_to(base + i * kPageBytes, l1_base + i * kPageBytes, PageSize::k4K))
      return TeaBacking::kFailed;
  reg_base = host_base;
  return TeaBacking::kOk;
}

bool NestedScheme::host_truth(Addr gpa, Mapping& out) const {
  Mapping l1, h;
  if (!m_ept12->oracle().lookup(gpa, l1)) return false;
  if (!m_host->oracle().lookup(l1.translate(gpa), h)) return false;
  out.size = smaller(l1.size, h.size);
  out.base = page_base(gpa, out.size);
  out.target = page_base(h.translate(l1.translate(gpa)), out.size);
  out.perms = l1.perms & h.perms;
  return true;
}

bool NestedScheme::guest_expect(Context ctx, Addr va, AccessKind access, Mapping& g,
                                Expectation& e) const {
  const AddressSpace* s = space_at(ctx.asid);
  const bool mapped = s && s->oracle().lookup(va, g);
  if (mapped && g.perms.allows(access)) return true;
  e = compose(va, access, mapped ? &g : nullptr, true, nullptr);
  return false;
}

std::runtime_error NestedScheme::out_of_memory() const {
  return std::runtime_error(
      "L1 or host physical memory exhausted: raise system.l1_mem_gib / system.host_mem_gib");
}

Cycles NestedScheme::reflect_to_l1(Addr gpa, Software& sw) {
  // The exit is reflected, and L1's handler multiplies exits at L0.
  const SoftwareCosts& k = sw.costs();
  const Cycles c =
      sw.exit_costing(ExitReason::kReflected, k.exit_multiplier * k.vm_exit + k.ept_violation);
  if (m_ept12->touch(gpa) == AddressSpace::Touch::kOutOfMemory) throw out_of_memory();
  return c;
}

void NestedScheme::report_memory(StatsVisitor& v) const {
  VirtualScheme::report_memory(v);
  v.begin(m_ept12->name().c_str());
  m_ept12->report(v);
  v.end();
  v.begin("l1_frames");
  m_l1_frames->report(v);
  v.end();
}

// The nested guest's memory under shadow_ept: backed through EPT12 and EPT01, and shadowed in
// EPT02 at once (the guest's first write to a new page faults in EPT02 and L0 fills it).
class NestedShadowEptScheme::Ept02Backing : public Backing {
 public:
  Ept02Backing(NestedShadowEptScheme& s, Backing& chain) : m_scheme(s), m_chain(chain) {}
  AddressSpace::Touch back(Addr addr) override {
    const AddressSpace::Touch t = m_chain.back(addr);
    if (t == AddressSpace::Touch::kOutOfMemory) return t;
    return m_scheme.ept02_fill(addr) ? t : AddressSpace::Touch::kOutOfMemory;
  }
  bool back_huge(Addr) override { return false; }
  bool to_host(Addr addr, Addr& hpa) const override { return m_chain.to_host(addr, hpa); }

 private:
  NestedShadowEptScheme& m_scheme;
  Backing& m_chain;
};

NestedShadowEptScheme::NestedShadowEptScheme(const MachineParams& params, PhysMem& mem,
                                             TeaAllocator& teas)
    : WithHints(params, mem, teas) {
  m_ept02 = std::make_unique<ShadowTable>(PtFormat::kEpt, params.host_levels, *m_host_tables);
  m_ept02->set_flatten(params.host_page_table == TableKind::kFpt);
  if (!m_ept02->init()) throw std::runtime_error("host memory too small for the EPT02 root");
  m_ept02_backing = std::make_unique<Ept02Backing>(*this, *m_ept12_backing);
  init_guest(*m_ept02_backing);
}

NestedShadowEptScheme::~NestedShadowEptScheme() = default;

unsigned NestedShadowEptScheme::walk_dims(Context ctx, WalkDim* out) const {
  const AddressSpace* s = space_at(ctx.asid);
  if (!s) return 0;
  set_dim(out[0], *s, ctx);
  set_dim(out[1], *m_ept02, Context{0, ctx.vpid});
  return 2;
}

Expectation NestedShadowEptScheme::expect(Context ctx, Addr va, AccessKind access,
                                          const OracleHints*) const {
  Mapping g, h, seen;
  Expectation e;
  if (!guest_expect(ctx, va, access, g, e)) return e;
  // Hardware walks EPT02, whose entries must agree with EPT12 x EPT01 as they stand.
  const Addr gpa = g.translate(va);
  if (!m_ept02->record().lookup(gpa, seen) || !seen.perms.allows(access) ||
      !host_truth(gpa, h)) {
    e.fault = FaultKind::kEptViolation;
    return e;
  }
  h.size = seen.size;
  e.pa = h.translate(gpa);
  e.size = smaller(g.size, h.size);
  e.perms = g.perms & h.perms;
  return e;
}

bool NestedShadowEptScheme::ept02_fill(Addr gpa) {
  Mapping t;
  if (!host_truth(gpa, t)) return false;
  return m_ept02->fill(gpa, t.translate(gpa), t.size, t.perms);
}

Scheme::Handled NestedShadowEptScheme::ept_violation(const Fault& fault, Software& sw) {
  // EPT02 lacks an L2 guest-physical page.
  const Addr gpa = fault.addr;
  Cycles c = 0;
  if (!m_ept12->oracle().contains(gpa)) {
    const uint64_t writes = m_l1_tables->writes();
    c += reflect_to_l1(gpa, sw);
    // L0 write-protects EPT12, so each of L1's entry writes traps too.
    for (uint64_t n = m_l1_tables->writes() - writes; n > 0; --n)
      c += sw.vm_exit(ExitReason::kShadowPtWrite, sw.costs().shadow_pt_write);
  }
  // L0 backs the L1 page if needed and composes the EPT02 entry.
  Mapping l1;
  m_ept12->oracle().lookup(gpa, l1);
  Cycles backing = 0;
  switch (m_host->touch(l1.translate(gpa))) {
    case AddressSpace::Touch::kMapped: backing = sw.costs().ept_violation; break;
    case AddressSpace::Touch::kPresent: break;
    case AddressSpace::Touch::kOutOfMemory: throw out_of_memory();
  }
  if (!ept02_fill(gpa)) throw out_of_memory();
  c += sw.vm_exit(ExitReason::kEpt02Fill, sw.costs().ept02_fill + backing);
  return {Outcome::kRetry, c};
}

void NestedShadowEptScheme::report_spaces(StatsVisitor& v) const {
  v.begin("ept02");
  v.counter("entries", m_ept02->entries(), "entries", "EPT02 entries L0 composed");
  v.counter("table_pages", m_ept02->table_pages(), "pages", "EPT02 pages in host memory");
  v.end();
  NestedScheme::report_spaces(v);
}

NestedHw3dScheme::NestedHw3dScheme(const MachineParams& params, PhysMem& mem,
                                   TeaAllocator& teas)
    : WithHints(params, mem, teas) {
  init_guest(*m_ept12_backing);
}

unsigned NestedHw3dScheme::walk_dims(Context ctx, WalkDim* out) const {
  const AddressSpace* s = space_at(ctx.asid);
  if (!s) return 0;
  set_dim(out[0], *s, ctx);
  if (m_teas.enabled()) out[0].dmt = WalkDmt{true, 0, ctx.key(), true};  // host-contiguous
  // Inner dimensions tag their cache entries by VM and by which EPT they belong to.
  set_dim(out[1], *m_ept12, Context{1, ctx.vpid});
  set_dim(out[2], *m_host, Context{0, ctx.vpid});
  if (m_teas.host_register(2)) {  // nested pvDMT: L2 gPTE, L1 leaf, L0 leaf
    out[1].dmt = WalkDmt{true, 1, ctx.vpid, true};
    out[2].dmt = WalkDmt{true, 2, ctx.vpid, true};
  }
  return 3;
}

Expectation NestedHw3dScheme::expect(Context ctx, Addr va, AccessKind access,
                                     const OracleHints*) const {
  Mapping g, h;
  Expectation e;
  if (!guest_expect(ctx, va, access, g, e)) return e;
  const bool host_mapped = host_truth(g.translate(va), h);
  return compose(va, access, &g, true, host_mapped ? &h : nullptr);
}

Scheme::Handled NestedHw3dScheme::ept_violation(const Fault& fault, Software& sw) {
  // Dimension 2 is EPT01: an L1 guest-physical page L0 has not backed.
  if (fault.dim == 2) {
    if (m_host->oracle().contains(fault.addr)) {
      sw.protection_fault();
      return {Outcome::kAbandon, 0};
    }
    if (m_host->touch(fault.addr) == AddressSpace::Touch::kOutOfMemory) throw out_of_memory();
    return {Outcome::kRetry, sw.vm_exit(ExitReason::kEptViolation, sw.costs().ept_violation)};
  }
  // Dimension 1: EPT12 lacks an L2 guest-physical page, which L1 must back.
  if (m_ept12->oracle().contains(fault.addr)) {
    sw.protection_fault();  // EPT12 maps it and still refused: a permission
    return {Outcome::kAbandon, 0};
  }
  return {Outcome::kRetry, reflect_to_l1(fault.addr, sw)};
}

}  // namespace mmusim
