#include "testbench/os_emulation.h"

#include <stdexcept>

namespace mmusim {

OsEmulation::OsEmulation(Machine& machine, std::vector<Vma> vmas)
    : m_machine(machine), m_vmas(std::move(vmas)) {
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

OsEmulation::Outcome OsEmulation::handle(Context ctx, Addr va, const Fault& fault) {
  switch (fault.kind) {
    case FaultKind::kNotPresent: {
      const Vma* vma = find_vma(ctx.asid, va);
      if (!vma) {
        ++m_stats.segfaults;
        return Outcome::kAbandon;
      }
      ++m_stats.demand_faults;
      if (m_machine.space(ctx.asid).touch(va, vma->perms) == AddressSpace::Touch::kOutOfMemory)
        throw std::runtime_error(
            std::string(m_machine.virtualized() ? "guest" : "host") +
            " physical memory exhausted: raise system." +
            (m_machine.virtualized() ? "guest_mem_gib" : "host_mem_gib"));
      return Outcome::kRetry;
    }
    case FaultKind::kEptViolation: {
      AddressSpace* host = m_machine.host();
      Mapping h;
      if (!host || host->oracle().lookup(fault.addr, h)) {
        // Backed yet refused: a permission the hypervisor does not grant.
        ++m_stats.protection_faults;
        return Outcome::kAbandon;
      }
      ++m_stats.ept_violations;
      if (host->touch(fault.addr) == AddressSpace::Touch::kOutOfMemory)
        throw std::runtime_error("host physical memory exhausted: raise system.host_mem_gib");
      return Outcome::kRetry;
    }
    case FaultKind::kProtection:
      ++m_stats.protection_faults;
      return Outcome::kAbandon;
    case FaultKind::kNone:
      break;
  }
  return Outcome::kRetry;
}

void OsEmulation::report(StatsVisitor& v) const {
  v.counter("demand_faults", m_stats.demand_faults, "count",
            "first touches inside a VMA, mapped by the (guest) OS");
  v.counter("ept_violations", m_stats.ept_violations, "count",
            "unbacked guest-physical pages, backed by the hypervisor");
  v.counter("segfaults", m_stats.segfaults, "count", "accesses outside every VMA (abandoned)");
  v.counter("protection_faults", m_stats.protection_faults, "count",
            "accesses the mapping forbids (abandoned)");
}

}  // namespace mmusim
