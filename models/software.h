// The emulated system software's ledger: the cycles the (guest) OS's handlers and the
// hypervisors' VM exits cost, by reason, as the translation schemes charge them.
#pragma once

#include <cstdint>

#include "models/software_costs.h"

namespace mmusim {

// Why the hypervisor ran.
enum class ExitReason : uint8_t {
  kEptViolation,   // EPT: an unbacked guest-physical page
  kShadowFill,     // shadow: a shadow miss whose guest entry exists (hidden fault)
  kShadowPtWrite,  // shadow: a write to a write-protected guest page-table page
  kGuestFault,     // shadow: a real guest page fault, reflected into the guest
  kCr3Write,       // shadow: a guest CR3 write
  kReflected,      // nested: an L2 EPT violation L1 must handle (EPT12 lacks the page)
  kEpt02Fill,      // nested shadow_ept: EPT02 lacks a page EPT12 and EPT01 map
  kHypercall,      // HugeGPT: the guest asks the host to back a pool segment with a 2 MiB page
  kAgileScan,      // Agile Paging: the hypervisor's periodic scan of nested guest tables
  // Shootdowns between vCPUs (several cores only).
  kIpiSend,        // a guest ICR write (no IPI virtualization)
  kIpiDelivery,    // a target vCPU kicked out to have an IPI injected (no posted interrupts)
  kInvlpg,         // shadow paging: a trapped guest invlpg or TLB flush
  kCount
};
const char* exit_reason_name(ExitReason r);
// The first reason only several cores give (reports of one core leave them out).
constexpr ExitReason kFirstShootdownReason = ExitReason::kIpiSend;

class Software {
 public:
  struct Stats {
    uint64_t demand_faults = 0;  // first touch inside a VMA: the OS maps a page
    uint64_t segfaults = 0;      // outside every VMA: a real page fault, reported
    uint64_t protection_faults = 0;
    uint64_t write_protect_faults = 0;  // writes to pages the OS write-protected, made writable
    uint64_t os_cycles = 0;      // (guest) OS handlers
    uint64_t vm_exits[static_cast<unsigned>(ExitReason::kCount)] = {};
    uint64_t vm_exit_cycles = 0;  // exits, round trips plus hypervisor handlers
  };

  explicit Software(const SoftwareCosts& costs) : m_costs(costs) {}
  const SoftwareCosts& costs() const { return m_costs; }

  // (Guest) OS handler time.
  Cycles os(Cycles c) {
    m_stats.os_cycles += c;
    return c;
  }
  // One exit for `reason`: the round trip plus the hypervisor's handler.
  Cycles vm_exit(ExitReason reason, Cycles handler) {
    return exit_costing(reason, m_costs.vm_exit + handler);
  }
  // One exit for `reason` that costs `cycles` in all (a reflected exit multiplies round trips).
  Cycles exit_costing(ExitReason reason, Cycles cycles) {
    ++m_stats.vm_exits[static_cast<unsigned>(reason)];
    m_stats.vm_exit_cycles += cycles;
    return cycles;
  }
  // Hypervisor work inside an exit already counted.
  Cycles in_exit(Cycles c) {
    m_stats.vm_exit_cycles += c;
    return c;
  }
  void demand_fault() { ++m_stats.demand_faults; }
  void segfault() { ++m_stats.segfaults; }
  void protection_fault() { ++m_stats.protection_faults; }
  void write_protect_fault() { ++m_stats.write_protect_faults; }

  const Stats& stats() const { return m_stats; }
  uint64_t vm_exits() const {
    uint64_t n = 0;
    for (uint64_t e : m_stats.vm_exits) n += e;
    return n;
  }

 private:
  SoftwareCosts m_costs;
  Stats m_stats;
};

}  // namespace mmusim
