// The software side the testbench emulates: the (guest) OS's demand paging inside VMAs and the
// hypervisor's backing of guest-physical pages on EPT violations.
#pragma once

#include <vector>

#include "models/machine.h"
#include "models/stats.h"
#include "testbench/workload.h"

namespace mmusim {

class OsEmulation {
 public:
  enum class Outcome { kRetry, kAbandon };

  OsEmulation(Machine& machine, std::vector<Vma> vmas);

  // Maps (and backs) every page of every VMA, as a program that initialises its data would.
  // False when a physical space ran out.
  bool prefault();
  // Handles a fault the MMU reported; kRetry when the access can be retried. Throws
  // std::runtime_error when physical memory ran out (a configuration problem).
  Outcome handle(Context ctx, Addr va, const Fault& fault);
  void report(StatsVisitor& v) const;

  struct Stats {
    uint64_t demand_faults = 0;   // first touch inside a VMA: the OS maps a page
    uint64_t ept_violations = 0;  // unbacked gPA: the hypervisor backs it
    uint64_t segfaults = 0;       // outside every VMA: a real page fault, reported
    uint64_t protection_faults = 0;
  };
  const Stats& stats() const { return m_stats; }

 private:
  const Vma* find_vma(uint16_t asid, Addr va) const;

  Machine& m_machine;
  std::vector<Vma> m_vmas;
  Stats m_stats;
};

}  // namespace mmusim
