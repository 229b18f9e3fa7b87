#include "models/scheme.h"

namespace mmusim {

Scheme::Scheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas)
    : m_params(params), m_mem(mem), m_teas(teas), m_leaf(mem) {
  m_host_frames = std::make_unique<FrameAllocator>("host_frames", params.host_frames);
  m_host_tables = std::make_unique<HostTableMemory>(m_mem, *m_host_frames);
}

Scheme::~Scheme() = default;

std::string Scheme::describe() const {
  return std::string(name()) + ", " + std::to_string(m_params.levels) + "-level" +
         (m_params.page_table == TableKind::kFpt    ? " FPT"
          : m_params.page_table == TableKind::kEcpt ? " ECPT"
                                                    : "") +
         ", pages " +
         page_size_name(m_params.guest_pages.size);
}

void Scheme::set_spaces(TableMemory& tables, FrameAllocator& frames,
                        GuestTableMemory* guest_tables, const char* prefix) {
  m_space_tables = &tables;
  m_space_frames = &frames;
  m_guest_tables = guest_tables;
  m_prefix = prefix;
}

AddressSpace& Scheme::space(uint16_t asid) {
  if (asid >= m_spaces.size()) m_spaces.resize(asid + 1u);
  if (!m_spaces[asid]) {
    PagePolicy policy = m_params.guest_pages;
    policy.seed += asid;
    auto s = std::make_unique<AddressSpace>(m_prefix + std::to_string(asid), PtFormat::kX86,
                                            m_params.levels, *m_space_tables, *m_space_frames,
                                            policy);
    s->set_flatten(m_params.page_table == TableKind::kFpt);
    if (m_params.page_table == TableKind::kEcpt) s->set_ecpt(m_params.ecpt);
    if (!s->init()) throw std::runtime_error("memory too small for a page-table root");
    m_spaces[asid] = std::move(s);
    space_created(asid);
  }
  return *m_spaces[asid];
}

bool Scheme::truth(uint16_t asid, Addr va, Mapping& out) const {
  const AddressSpace* s = space_at(asid);
  return s && s->oracle().lookup(va, out);
}

bool Scheme::table_to_host(Addr gpa, Addr& hpa) const {
  Mapping h;
  if (!host_truth(gpa, h)) return false;
  hpa = h.translate(gpa);
  return true;
}

bool Scheme::populate(uint16_t asid, Addr va) {
  return space(asid).touch(va) != AddressSpace::Touch::kOutOfMemory;
}

unsigned Scheme::hinted_lines(Context ctx, Addr va, Addr* out) const {
  OracleHints state;
  unsigned n = 0;
  for (unsigned stage = 0; stage < OracleHints::kStages; ++stage) {
    hint(ctx, va, stage, state);
    for (unsigned i = 0; i < state.nlines; ++i) out[n++] = state.lines[i];
  }
  return n;
}

Scheme::Handled Scheme::handle_fault(Context ctx, Addr va, const Fault& fault, const Perms* vma,
                                     Software& sw) {
  space(ctx.asid);
  switch (fault.kind) {
    case FaultKind::kNotPresent:
      return not_present(ctx, va, vma, sw);
    case FaultKind::kEptViolation:
      return ept_violation(fault, sw);
    case FaultKind::kProtection:
      return protection(ctx, va, vma, sw);
    case FaultKind::kNone:
      break;
  }
  return {Outcome::kRetry, 0};
}

Scheme::Handled Scheme::not_present(Context ctx, Addr va, const Perms* vma, Software& sw) {
  return demand_fault(ctx, va, vma, sw, 0);
}

Scheme::Handled Scheme::protection(Context ctx, Addr va, const Perms* vma, Software& sw) {
  AddressSpace& s = space(ctx.asid);
  Mapping m;
  if (!vma || !s.oracle().lookup(va, m) || (m.perms & *vma) == *vma) {
    sw.protection_fault();  // the page already has all its VMA allows
    return {Outcome::kAbandon, 0};
  }
  sw.write_protect_fault();
  const uint64_t writes = table_writes();
  s.protect(va, *vma);
  on_leaf_upgraded(ctx.asid, m);  // shadow paging: the trapped write's sync
  const Cycles c = sw.os(sw.costs().wp_fault);
  return {Outcome::kRetry, c + trapped_table_writes(writes, sw)};
}

Scheme::Handled Scheme::ept_violation(const Fault&, Software& sw) {
  sw.protection_fault();  // no host dimension to back
  return {Outcome::kAbandon, 0};
}

Scheme::Handled Scheme::demand_fault(Context ctx, Addr va, const Perms* vma, Software& sw,
                                     Cycles c) {
  if (!vma) {
    sw.segfault();
    return {Outcome::kAbandon, c};
  }
  sw.demand_fault();
  const uint64_t writes = table_writes();
  const uint64_t requests = pool_requests();
  AddressSpace& s = space(ctx.asid);
  const uint64_t moved = s.ecpt() ? s.ecpt()->lines_moved() : 0;
  if (s.touch(va, *vma) == AddressSpace::Touch::kOutOfMemory) throw space_memory_exhausted();
  c += sw.os(sw.costs().guest_page_fault);
  // ECPT: the lines a resizing table moved on this insertion.
  if (s.ecpt()) c += sw.os((s.ecpt()->lines_moved() - moved) * sw.costs().ecpt_rehash_line);
  // HugeGPT: a new table page that opened a pool segment cost a hypercall.
  for (uint64_t n = pool_requests() - requests; n > 0; --n)
    c += sw.vm_exit(ExitReason::kHypercall, sw.costs().hypercall);
  c += after_demand_map(ctx, va, writes, sw);
  return {Outcome::kRetry, c};
}

std::runtime_error Scheme::space_memory_exhausted() const {
  return std::runtime_error("host physical memory exhausted: raise system.host_mem_gib");
}

uint64_t Scheme::table_writes() const { return m_guest_tables ? m_guest_tables->writes() : 0; }

uint64_t Scheme::pool_requests() const {
  if (!m_guest_tables) return 0;
  const GuestTableMemory::PoolStats& p = m_guest_tables->pool_stats();
  return p.segments + p.refusals;
}

const GuestTableMemory::PoolStats* Scheme::pool_stats() const {
  return m_guest_tables ? &m_guest_tables->pool_stats() : nullptr;
}

Scheme::TeaBacking Scheme::back_tea(uint64_t, Addr base, Addr& reg_base, uint64_t&) {
  reg_base = base;  // native: the TEA is in host memory already
  return TeaBacking::kOk;
}

void Scheme::report_memory(StatsVisitor& v) const {
  v.begin("memory");
  v.counter("stored_table_pages", m_mem.stored_pages(), "pages",
            "page-table pages stored in simulated physical memory");
  v.end();
  v.begin("host_frames");
  m_host_frames->report(v);
  v.end();
}

void Scheme::report_spaces(StatsVisitor& v) const {
  for (const auto& s : m_spaces) {
    if (!s) continue;
    v.begin(s->name().c_str());
    s->report(v);
    v.end();
  }
}

}  // namespace mmusim
