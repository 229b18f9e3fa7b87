#include "testbench/os_emulation.h"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "tlm/mmu.h"

namespace mmusim {

namespace {
[[noreturn]] void host_memory_exhausted() {
  throw std::runtime_error("host physical memory exhausted: raise system.host_mem_gib");
}

std::string hex(Addr a) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(a));
  return buf;
}
}  // namespace

const char* exit_reason_name(ExitReason r) {
  switch (r) {
    case ExitReason::kEptViolation: return "ept_violation";
    case ExitReason::kShadowFill: return "shadow_fill";
    case ExitReason::kShadowPtWrite: return "shadow_pt_write";
    case ExitReason::kGuestFault: return "guest_fault";
    case ExitReason::kCr3Write: return "cr3_write";
    case ExitReason::kReflected: return "reflected_to_l1";
    case ExitReason::kEpt02Fill: return "ept02_fill";
    case ExitReason::kHypercall: return "hypercall";
    case ExitReason::kCount: break;
  }
  return "?";
}

OsEmulation::OsEmulation(Machine& machine, std::vector<Vma> vmas, const SoftwareCosts& costs,
                         bool pcid, const TeaPolicy& dmt)
    : m_machine(machine), m_vmas(std::move(vmas)), m_costs(costs), m_pcid(pcid) {
  for (const Vma& v : m_vmas)
    m_machine.space(v.asid);  // each process's tables exist before it runs
  // DMT: large VMAs get a TEA before anything in them is mapped, so their leaf tables are the
  // TEA's pages from the start.
  m_dmt = std::make_unique<TeaManager>(m_machine, m_vmas, dmt);
}

void OsEmulation::attach(Mmu& mmu) {
  m_mmu = &mmu;
  m_dmt->attach(mmu, m_vmas.empty() ? 1 : m_vmas.front().asid);
}

void OsEmulation::settle() {
  if (m_mmu) m_mmu->dmt().settle();
}

const Vma* OsEmulation::find_vma(uint16_t asid, Addr va) const {
  for (const Vma& v : m_vmas)
    if (v.asid == asid && v.contains(va)) return &v;
  return nullptr;
}

bool OsEmulation::prefault() {
  for (const Vma& v : m_vmas) {
    for (Addr a = v.start; a < v.end;) {
      if (!m_machine.populate(v.asid, a)) return false;
      // The next page of the composed translation: a guest page over smaller host pages is
      // backed one host page at a time.
      Mapping t;
      m_machine.truth(v.asid, a, t);
      a = t.base + page_bytes(t.size);
    }
  }
  return true;
}

Cycles OsEmulation::vm_exit(ExitReason reason, Cycles handler) {
  ++m_stats.vm_exits[static_cast<unsigned>(reason)];
  const Cycles c = m_costs.vm_exit + handler;
  m_stats.vm_exit_cycles += c;
  return c;
}

uint64_t OsEmulation::vm_exits() const {
  uint64_t n = 0;
  for (uint64_t e : m_stats.vm_exits) n += e;
  return n;
}

Cycles OsEmulation::trapped_writes(uint64_t writes_before) {
  Cycles c = 0;
  for (uint64_t n = m_machine.guest_table_writes() - writes_before; n > 0; --n)
    c += vm_exit(ExitReason::kShadowPtWrite, m_costs.shadow_pt_write);
  return c;
}

Cycles OsEmulation::back(Addr gpa) {
  switch (m_machine.host()->touch(gpa)) {
    case AddressSpace::Touch::kPresent: return 0;
    case AddressSpace::Touch::kMapped: return m_costs.ept_violation;
    case AddressSpace::Touch::kOutOfMemory: break;
  }
  host_memory_exhausted();
}

OsEmulation::Handled OsEmulation::handle(Context ctx, Addr va, const Fault& fault) {
  const bool shadow = m_machine.shadowed();
  AddressSpace& space = m_machine.space(ctx.asid);
  switch (fault.kind) {
    case FaultKind::kNotPresent: {
      Mapping g;
      if (shadow && space.oracle().lookup(va, g)) {
        // Hidden fault: the guest maps va, the shadow does not yet.
        const Cycles backing = back(g.translate(va));
        if (!m_machine.shadow_fill(ctx.asid, va))
          host_memory_exhausted();
        return {Outcome::kRetry, vm_exit(ExitReason::kShadowFill, m_costs.shadow_fill + backing)};
      }
      // A guest page fault; under shadow paging the hypervisor sees it first and reflects it.
      Cycles c = shadow ? vm_exit(ExitReason::kGuestFault, m_costs.fault_injection) : 0;
      const Vma* vma = find_vma(ctx.asid, va);
      if (!vma) {
        ++m_stats.segfaults;
        return {Outcome::kAbandon, c};
      }
      ++m_stats.demand_faults;
      const uint64_t writes = m_machine.guest_table_writes();
      const uint64_t requests = m_machine.hugegpt_requests();
      if (space.touch(va, vma->perms) == AddressSpace::Touch::kOutOfMemory)
        throw std::runtime_error(
            std::string(m_machine.virtualized() ? "guest" : "host") +
            " physical memory exhausted: raise system." +
            (m_machine.virtualized() ? "guest_mem_gib" : "host_mem_gib"));
      c += os(m_costs.guest_page_fault);
      // HugeGPT: a new table page that opened a pool segment cost a hypercall.
      for (uint64_t n = m_machine.hugegpt_requests() - requests; n > 0; --n)
        c += vm_exit(ExitReason::kHypercall, m_costs.hypercall);
      if (shadow) {
        // Each entry the handler wrote trapped; syncing the leaf write shadows va.
        c += trapped_writes(writes);
        space.oracle().lookup(va, g);
        const Cycles backing = back(g.translate(va));  // inside the leaf write's exit
        m_stats.vm_exit_cycles += backing;
        c += backing;
        if (!m_machine.shadow_fill(ctx.asid, va))
          host_memory_exhausted();
      }
      return {Outcome::kRetry, c};
    }
    case FaultKind::kEptViolation: {
      if (m_machine.nested()) return nested_violation(fault);
      AddressSpace* host = m_machine.host();
      Mapping h;
      if (!host || host->oracle().lookup(fault.addr, h)) {
        // Backed yet refused: a permission the hypervisor does not grant.
        ++m_stats.protection_faults;
        return {Outcome::kAbandon, 0};
      }
      return {Outcome::kRetry, vm_exit(ExitReason::kEptViolation, back(fault.addr))};
    }
    case FaultKind::kProtection:
      ++m_stats.protection_faults;
      return {Outcome::kAbandon, 0};
    case FaultKind::kNone:
      break;
  }
  return {Outcome::kRetry, 0};
}

OsEmulation::Handled OsEmulation::nested_violation(const Fault& fault) {
  AddressSpace& ept12 = *m_machine.l1_ept();
  AddressSpace& ept01 = *m_machine.host();
  auto out_of_memory = [] {
    return std::runtime_error("L1 or host physical memory exhausted: raise system.l1_mem_gib / "
                              "system.host_mem_gib");
  };
  // hw3d: dimension 2 is EPT01 (an L1 guest-physical page L0 has not backed).
  if (!m_machine.shadow_ept() && fault.dim == 2) {
    if (ept01.oracle().contains(fault.addr)) {
      ++m_stats.protection_faults;
      return {Outcome::kAbandon, 0};
    }
    if (ept01.touch(fault.addr) == AddressSpace::Touch::kOutOfMemory) throw out_of_memory();
    return {Outcome::kRetry, vm_exit(ExitReason::kEptViolation, m_costs.ept_violation)};
  }
  // Dimension 1: EPT12 (hw3d) or EPT02 (shadow_ept) lacks an L2 guest-physical page.
  const Addr gpa = fault.addr;
  Cycles c = 0;
  if (!ept12.oracle().contains(gpa)) {
    // L1 must back it: the exit is reflected, and L1's handler multiplies exits at L0.
    ++m_stats.vm_exits[static_cast<unsigned>(ExitReason::kReflected)];
    const Cycles reflected = m_costs.exit_multiplier * m_costs.vm_exit + m_costs.ept_violation;
    m_stats.vm_exit_cycles += reflected;
    c += reflected;
    const uint64_t writes = m_machine.l1_table_writes();
    if (ept12.touch(gpa) == AddressSpace::Touch::kOutOfMemory) throw out_of_memory();
    // Under shadow_ept L0 write-protects EPT12, so each of L1's entry writes traps too.
    if (m_machine.shadow_ept())
      for (uint64_t n = m_machine.l1_table_writes() - writes; n > 0; --n)
        c += vm_exit(ExitReason::kShadowPtWrite, m_costs.shadow_pt_write);
  } else if (!m_machine.shadow_ept()) {
    ++m_stats.protection_faults;  // EPT12 maps it and still refused: a permission
    return {Outcome::kAbandon, c};
  }
  if (m_machine.shadow_ept()) {
    // L0 backs the L1 page if needed and composes the EPT02 entry.
    Mapping l1;
    ept12.oracle().lookup(gpa, l1);
    Cycles backing = 0;
    switch (ept01.touch(l1.translate(gpa))) {
      case AddressSpace::Touch::kMapped: backing = m_costs.ept_violation; break;
      case AddressSpace::Touch::kPresent: break;
      case AddressSpace::Touch::kOutOfMemory: throw out_of_memory();
    }
    if (!m_machine.ept02_fill(gpa)) throw out_of_memory();
    c += vm_exit(ExitReason::kEpt02Fill, m_costs.ept02_fill + backing);
  }
  return {Outcome::kRetry, c};
}

Cycles OsEmulation::context_switch(Context from, Context to) {
  ++m_stats.context_switches;
  Cycles c = os(m_costs.context_switch);
  // Under shadow paging the CR3 write traps: the hypervisor switches shadow roots.
  if (m_machine.shadowed()) c += vm_exit(ExitReason::kCr3Write, m_costs.cr3_write);
  // Without PCIDs a CR3 write drops the VM's linear translations (TLBs, guest PWC); EPT-derived
  // entries (host PWC, nested TLB) survive. With PCIDs the tags keep both processes' entries.
  if (!m_pcid && m_mmu && from.asid != to.asid) m_mmu->flush_linear(from.vpid);
  m_dmt->switch_to(to.asid);  // TEA registers are part of the process's context
  return c;
}

Cycles OsEmulation::unmap(Context ctx, Addr va, uint32_t pages) {
  ++m_stats.unmap_events;
  AddressSpace& space = m_machine.space(ctx.asid);
  const uint64_t writes = m_machine.guest_table_writes();
  Cycles c = 0;
  for (uint32_t i = 0; i < pages; ++i) {
    const Addr a = va + Addr{i} * kPageBytes;
    Mapping m;
    if (!space.unmap(a, &m)) continue;
    ++m_stats.unmapped_pages;
    if (m_machine.shadowed()) {
      // The sync of the trapped write drops every shadow entry inside the guest page.
      ShadowTable& st = m_machine.shadow(ctx.asid);
      for (Addr p = m.base; p < m.base + page_bytes(m.size); p += kPageBytes) st.drop(p);
    }
    // invlpg: TLB entries and the PWC entries above; a large page may sit in the TLBs as 4K
    // pieces (splintered where the other dimension or an array holds smaller pages).
    if (m_mmu)
      for (Addr p = m.base; p < m.base + page_bytes(m.size); p += kPageBytes) m_mmu->flush_page(p, ctx);
    c += m_costs.unmap_page + m_costs.invlpg;
  }
  c = os(c);
  if (m_machine.shadowed()) c += trapped_writes(writes);
  return c;
}

Cycles OsEmulation::grow(Context ctx, Addr end, uint32_t pages) {
  const Addr new_end = end + Addr{pages} * kPageBytes;
  size_t index = m_vmas.size();
  for (size_t i = 0; i < m_vmas.size(); ++i) {
    const Vma& v = m_vmas[i];
    if (v.asid != ctx.asid) continue;
    if (v.end == end)
      index = i;
    else if (v.start < new_end && v.end > end)
      throw std::runtime_error("VMA growth: [" + hex(end) + ", " + hex(new_end) +
                               ") would overlap VMA '" + v.name + "'");
  }
  if (index == m_vmas.size())
    throw std::runtime_error("VMA growth: no VMA of address space " + std::to_string(ctx.asid) +
                             " ends at " + hex(end));
  m_vmas[index].end = new_end;
  ++m_stats.vma_growths;
  m_stats.vma_grown_bytes += new_end - end;
  return os(m_costs.vma_growth) + tea_work(m_dmt->vma_grew(index, new_end));
}

Cycles OsEmulation::tea_work(const TeaManager::Work& w) {
  if (!w.created && !w.reallocated) return 0;
  Cycles c = os(m_costs.tea_growth + w.moved * (m_costs.tea_move_page + m_costs.invlpg));
  // DMT: the guest's first writes to the new TEA's pages exit, and the hypervisor backs them.
  for (uint64_t n = 0; n < w.backed; ++n)
    c += vm_exit(ExitReason::kEptViolation, m_costs.ept_violation);
  if (w.hypercall) {
    // pvDMT: one hypercall; nested, L0 reflects it to L1, whose handler multiplies exits at L0.
    const Cycles reflected =
        m_machine.nested() ? (m_costs.exit_multiplier - 1) * m_costs.vm_exit : 0;
    c += vm_exit(ExitReason::kHypercall, reflected + m_costs.tea_hypercall);
  }
  m_stats.tea_cycles += c;
  return c;
}

void OsEmulation::report(StatsVisitor& v) const {
  uint64_t vma_bytes = 0;
  for (const Vma& m : m_vmas) vma_bytes += m.end - m.start;
  v.state("vmas", m_vmas.size(), "count", "VMAs the workload declared (all address spaces)");
  v.state("vma_bytes", vma_bytes, "bytes", "their total size");
  v.counter("demand_faults", m_stats.demand_faults, "count",
            "first touches inside a VMA, mapped by the (guest) OS");
  v.counter("segfaults", m_stats.segfaults, "count", "accesses outside every VMA (abandoned)");
  v.counter("protection_faults", m_stats.protection_faults, "count",
            "accesses the mapping forbids (abandoned)");
  v.counter("context_switches", m_stats.context_switches, "count", "CR3 writes by the (guest) OS");
  v.counter("unmap_events", m_stats.unmap_events, "count", "page-table churn events");
  v.counter("unmapped_pages", m_stats.unmapped_pages, "pages", "pages those events unmapped");
  v.counter("os_cycles", m_stats.os_cycles, "cycles", "(guest) OS handler time");
  v.counter("vm_exit_cycles", m_stats.vm_exit_cycles, "cycles",
            "VM exit round trips plus hypervisor handlers");
  v.counter("vm_exits", vm_exits(), "count", "VM exits, all reasons");
  v.counter("vma_growths", m_stats.vma_growths, "count",
            "VMA growth events (brk, mremap); the new part is demand-paged");
  v.counter("vma_grown_bytes", m_stats.vma_grown_bytes, "bytes", "bytes those events added");
  const TeaManager::Stats& t = m_dmt->stats();
  v.state("teas", t.vmas_with_tea, "count",
          "VMAs the (guest) OS gave a TEA (DMT), their own or one they share");
  v.state("vmas_without_tea", t.vmas_without_tea, "count",
          "VMAs left to the radix walk: too small, out of registers, or no contiguous memory");
  v.state("tea_registers", t.registers, "count", "TEAs, one register each (all address spaces)");
  v.state("tea_shared_vmas", t.shared_vmas, "count",
          "VMAs whose TEA also covers adjacent VMAs (system.dmt_share_density)");
  v.counter("teas_on_growth", t.created_on_growth, "count",
            "TEAs created when a VMA's growth made its group large enough");
  v.counter("tea_growths", t.growths, "count",
            "TEAs replaced by one of doubled capacity as their VMA outgrew them");
  v.counter("tea_pages_moved", t.pages_moved, "pages",
            "leaf page-table pages moved into a new or larger TEA");
  v.counter("tea_growth_failures", t.growth_failures, "count",
            "TEA allocations at a VMA's growth that found no contiguous memory (the part "
            "beyond the TEA walks the radix)");
  v.counter("tea_cycles", m_stats.tea_cycles, "cycles",
            "TEA creation and growth at VMA growth: OS work and VM exits (in os_cycles and "
            "vm_exit_cycles)");
  v.begin("vm_exits_by_reason");
  for (unsigned r = 0; r < static_cast<unsigned>(ExitReason::kCount); ++r)
    v.counter(exit_reason_name(static_cast<ExitReason>(r)), m_stats.vm_exits[r], "count",
              "VM exits for this reason");
  v.end();
}

}  // namespace mmusim
