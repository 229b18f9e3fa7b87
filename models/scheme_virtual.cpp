#include "models/scheme_virtual.h"

namespace mmusim {

VirtualScheme::VirtualScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas,
                             const char* host_name)
    : Scheme(params, mem, teas) {
  m_vpid = params.vpid;
  m_host = std::make_unique<AddressSpace>(host_name, PtFormat::kEpt, params.host_levels,
                                          *m_host_tables, *m_host_frames, params.host_pages);
  m_host->set_flatten(params.host_page_table == TableKind::kFpt);
  if (params.host_page_table == TableKind::kEcpt) {
    EcptParams host = params.ecpt;
    host.seed += 0x4057;  // the host's hash keys are its own
    host.pte_cwt = true;  // nested ECPT's PTE-level hCWT
    m_host->set_ecpt(host);
  }
  if (!m_host->init()) throw std::runtime_error("host memory too small for the EPT root");
  m_host_backing = std::make_unique<SpaceBacking>(*m_host);
}

void VirtualScheme::init_guest(Backing& chain) {
  m_guest_backing = &chain;
  m_guest_frames = std::make_unique<FrameAllocator>("guest_frames", m_params.guest_frames);
  m_guest_tables = std::make_unique<GuestTableMemory>(m_mem, *m_guest_frames, chain);
  set_spaces(*m_guest_tables, *m_guest_frames, m_guest_tables.get(), "guest_as");
}

std::string VirtualScheme::describe() const {
  const auto fpt = [](TableKind k) {
    return k == TableKind::kFpt ? " FPT" : k == TableKind::kEcpt ? " ECPT" : "";
  };
  return std::string(name()) + ", " + std::to_string(m_params.levels) + "-level" +
         fpt(m_params.page_table) + " x " + std::to_string(m_params.host_levels) + "-level" +
         fpt(m_params.host_page_table) + " EPT, pages " +
         page_size_name(m_params.guest_pages.size) + "/" +
         page_size_name(m_params.host_pages.size);
}

bool VirtualScheme::host_truth(Addr gpa, Mapping& out) const {
  return m_host->oracle().lookup(gpa, out);
}

bool VirtualScheme::truth(uint16_t asid, Addr va, Mapping& out) const {
  Mapping g, h;
  if (!Scheme::truth(asid, va, g)) return false;
  const Addr gpa = g.translate(va);
  if (!host_truth(gpa, h)) return false;
  out.size = smaller(g.size, h.size);
  out.base = page_base(va, out.size);
  out.target = page_base(h.translate(gpa), out.size);
  out.perms = g.perms & h.perms;
  return true;
}

bool VirtualScheme::populate(uint16_t asid, Addr va) {
  AddressSpace& s = space(asid);
  if (s.touch(va) == AddressSpace::Touch::kOutOfMemory) return false;
  Mapping g;
  s.oracle().lookup(va, g);
  return m_guest_backing->back(g.translate(va)) != AddressSpace::Touch::kOutOfMemory;
}

void VirtualScheme::host_memory_exhausted() {
  throw std::runtime_error("host physical memory exhausted: raise system.host_mem_gib");
}

Cycles VirtualScheme::back(Addr gpa, const SoftwareCosts& costs) {
  switch (m_host->touch(gpa)) {
    case AddressSpace::Touch::kPresent: return 0;
    case AddressSpace::Touch::kMapped: return costs.ept_violation;
    case AddressSpace::Touch::kOutOfMemory: break;
  }
  host_memory_exhausted();
}

Scheme::Handled VirtualScheme::ept_violation(const Fault& fault, Software& sw) {
  Mapping h;
  if (m_host->oracle().lookup(fault.addr, h)) {
    // Backed yet refused: a permission the hypervisor does not grant.
    sw.protection_fault();
    return {Outcome::kAbandon, 0};
  }
  return {Outcome::kRetry, sw.vm_exit(ExitReason::kEptViolation, back(fault.addr, sw.costs()))};
}

std::runtime_error VirtualScheme::space_memory_exhausted() const {
  return std::runtime_error("guest physical memory exhausted: raise system.guest_mem_gib");
}

Scheme::TeaBacking VirtualScheme::back_tea(uint64_t pages, Addr base, Addr& reg_base,
                                           uint64_t& backed) {
  // The guest's first writes to its TEA's pages exit, and the hypervisor backs them.
  reg_base = base;
  for (uint64_t i = 0; i < pages; ++i) {
    const AddressSpace::Touch t = m_guest_backing->back(base + i * kPageBytes);
    if (t == AddressSpace::Touch::kOutOfMemory) return TeaBacking::kFailed;
    if (t == AddressSpace::Touch::kMapped) ++backed;
  }
  return TeaBacking::kOk;
}

void VirtualScheme::report_memory(StatsVisitor& v) const {
  Scheme::report_memory(v);
  v.begin("guest_frames");
  m_guest_frames->report(v);
  v.end();
  v.begin(host_report_name());
  m_host->report(v);
  v.end();
}

}  // namespace mmusim
