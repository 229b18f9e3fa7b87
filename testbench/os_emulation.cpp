#include "testbench/os_emulation.h"

#include <stdexcept>

#include "tlm/mmu.h"

namespace mmusim {

const char* exit_reason_name(ExitReason r) {
  switch (r) {
    case ExitReason::kEptViolation: return "ept_violation";
    case ExitReason::kCount: break;
  }
  return "?";
}

OsEmulation::OsEmulation(Machine& machine, std::vector<Vma> vmas, const SoftwareCosts& costs,
                         bool pcid)
    : m_machine(machine), m_vmas(std::move(vmas)), m_costs(costs), m_pcid(pcid) {
  for (const Vma& v : m_vmas) m_machine.space(v.asid);  // each process's tables exist before it runs
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
      Mapping g;
      m_machine.space(v.asid).oracle().lookup(a, g);
      a = g.base + page_bytes(g.size);
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

OsEmulation::Handled OsEmulation::handle(Context ctx, Addr va, const Fault& fault) {
  switch (fault.kind) {
    case FaultKind::kNotPresent: {
      const Vma* vma = find_vma(ctx.asid, va);
      if (!vma) {
        ++m_stats.segfaults;
        return {Outcome::kAbandon, 0};
      }
      ++m_stats.demand_faults;
      if (m_machine.space(ctx.asid).touch(va, vma->perms) == AddressSpace::Touch::kOutOfMemory)
        throw std::runtime_error(
            std::string(m_machine.virtualized() ? "guest" : "host") +
            " physical memory exhausted: raise system." +
            (m_machine.virtualized() ? "guest_mem_gib" : "host_mem_gib"));
      return {Outcome::kRetry, os(m_costs.guest_page_fault)};
    }
    case FaultKind::kEptViolation: {
      AddressSpace* host = m_machine.host();
      Mapping h;
      if (!host || host->oracle().lookup(fault.addr, h)) {
        // Backed yet refused: a permission the hypervisor does not grant.
        ++m_stats.protection_faults;
        return {Outcome::kAbandon, 0};
      }
      if (host->touch(fault.addr) == AddressSpace::Touch::kOutOfMemory)
        throw std::runtime_error("host physical memory exhausted: raise system.host_mem_gib");
      return {Outcome::kRetry, vm_exit(ExitReason::kEptViolation, m_costs.ept_violation)};
    }
    case FaultKind::kProtection:
      ++m_stats.protection_faults;
      return {Outcome::kAbandon, 0};
    case FaultKind::kNone:
      break;
  }
  return {Outcome::kRetry, 0};
}

Cycles OsEmulation::context_switch(Context from, Context to) {
  ++m_stats.context_switches;
  // Without PCIDs a CR3 write drops the VM's linear translations (TLBs, guest PWC); EPT-derived
  // entries (host PWC, nested TLB) survive. With PCIDs the tags keep both processes' entries.
  if (!m_pcid && m_mmu && from.asid != to.asid) m_mmu->flush_linear(from.vpid);
  return os(m_costs.context_switch);
}

Cycles OsEmulation::unmap(Context ctx, Addr va, uint32_t pages) {
  ++m_stats.unmap_events;
  AddressSpace& space = m_machine.space(ctx.asid);
  Cycles c = 0;
  for (uint32_t i = 0; i < pages; ++i) {
    const Addr a = va + Addr{i} * kPageBytes;
    Mapping m;
    if (!space.unmap(a, &m)) continue;
    ++m_stats.unmapped_pages;
    if (m_mmu) m_mmu->flush_page(a, ctx);  // invlpg: TLB entries and the PWC entries above
    c += m_costs.unmap_page + m_costs.invlpg;
  }
  return os(c);
}

void OsEmulation::report(StatsVisitor& v) const {
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
  v.begin("vm_exits_by_reason");
  for (unsigned r = 0; r < static_cast<unsigned>(ExitReason::kCount); ++r)
    v.counter(exit_reason_name(static_cast<ExitReason>(r)), m_stats.vm_exits[r], "count",
              "VM exits for this reason");
  v.end();
}

}  // namespace mmusim
