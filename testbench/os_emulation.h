// The system software the testbench emulates: the (guest) OS's demand paging inside VMAs,
// page-table churn and context switches, and the hypervisor's VM exits (backing guest-physical
// pages on EPT violations). Each action returns the cycles it costs.
#pragma once

#include <memory>
#include <vector>

#include "models/machine.h"
#include "models/stats.h"
#include "testbench/software_costs.h"
#include "testbench/tea_manager.h"
#include "testbench/workload.h"

namespace mmusim {

class Mmu;

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
  kCount
};
const char* exit_reason_name(ExitReason r);

class OsEmulation {
 public:
  enum class Outcome { kRetry, kAbandon };
  struct Handled {
    Outcome outcome;
    Cycles cycles;  // software time spent (handlers and VM exits)
  };

  // dmt: under DMT, which VMAs get a TEA (see TeaManager).
  OsEmulation(Machine& machine, std::vector<Vma> vmas, const SoftwareCosts& costs, bool pcid,
              const TeaPolicy& dmt = {});
  // The MMU whose TLBs and PWCs the OS and hypervisor invalidate and whose DMT unit they program.
  void attach(Mmu& mmu);
  // Blocks the calling process until what attach() programmed is in the hardware.
  void settle();

  // Maps (and backs) every page of every VMA, as a program that initialises its data would.
  // False when a physical space ran out.
  bool prefault();
  // Handles a fault the MMU reported; kRetry when the access can be retried. Throws
  // std::runtime_error when physical memory ran out (a configuration problem).
  Handled handle(Context ctx, Addr va, const Fault& fault);
  // The OS switches from one address space to another (a CR3 write).
  Cycles context_switch(Context from, Context to);
  // The OS unmaps [va, va + pages * 4K) in ctx: entries cleared, frames freed, translations
  // invalidated; the pages are demand-faulted back on their next touch.
  Cycles unmap(Context ctx, Addr va, uint32_t pages);
  // The VMA of ctx that ends at `end` grows by `pages` 4K pages (brk or mremap): the new part is
  // demand-paged; under DMT its TEA follows (a larger TEA, moved leaf tables). Throws
  // std::runtime_error when no VMA ends there or the growth would overlap another VMA.
  Cycles grow(Context ctx, Addr end, uint32_t pages);

  struct Stats {
    uint64_t demand_faults = 0;   // first touch inside a VMA: the OS maps a page
    uint64_t segfaults = 0;       // outside every VMA: a real page fault, reported
    uint64_t protection_faults = 0;
    uint64_t context_switches = 0;
    uint64_t unmap_events = 0, unmapped_pages = 0;
    uint64_t os_cycles = 0;       // (guest) OS handlers
    uint64_t vm_exits[static_cast<unsigned>(ExitReason::kCount)] = {};
    uint64_t vm_exit_cycles = 0;  // exits, round trips plus hypervisor handlers
    uint64_t vma_growths = 0, vma_grown_bytes = 0;
    uint64_t tea_cycles = 0;  // TEA creation and growth: OS handlers and VM exits
  };
  const Stats& stats() const { return m_stats; }
  const TeaManager& teas() const { return *m_dmt; }
  // The VMAs as they stand (grown ones included).
  const std::vector<Vma>& vmas() const { return m_vmas; }
  uint64_t vm_exits() const;
  void report(StatsVisitor& v) const;

 private:
  const Vma* find_vma(uint16_t asid, Addr va) const;
  // What a VMA's growth did to its TEA costs: the OS's allocation, moves and invalidations, and
  // the host backing or making the new TEA host-contiguous.
  Cycles tea_work(const TeaManager::Work& w);
  // Shadow paging: the exits for the guest page-table writes made since `writes_before`.
  Cycles trapped_writes(uint64_t writes_before);
  Cycles back(Addr gpa);  // the hypervisor backs a guest-physical page if it is not yet
  Handled nested_violation(const Fault& fault);
  Cycles vm_exit(ExitReason reason, Cycles handler);
  Cycles os(Cycles c) {
    m_stats.os_cycles += c;
    return c;
  }

  Machine& m_machine;
  std::vector<Vma> m_vmas;
  SoftwareCosts m_costs;
  bool m_pcid;
  Mmu* m_mmu = nullptr;
  std::unique_ptr<TeaManager> m_dmt;
  Stats m_stats;
};

}  // namespace mmusim
