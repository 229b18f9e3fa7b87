// TLB shootdowns between cores. Which cores may hold an address space's translations (Linux's
// mm_cpumask and tlb_gen), the invalidations other cores need when the (guest) OS changes a
// mapping, and what they cost: the initiator sends an IPI to each target and spins until the
// slowest acknowledges; each target runs its handler and invalidates. The path goes through the
// hypervisors the scheme has (ShootdownPath): exits on the guest's ICR writes, on deliveries
// without posted interrupts, on trapped invlpg under shadow paging, reflected ones when nested,
// and vCPUs the host has descheduled.
#pragma once

#include <vector>

#include "models/rng.h"
#include "models/scheme.h"
#include "models/software.h"
#include "models/stats.h"

namespace mmusim {

class Mmu;
class TeaManager;

class Shootdowns {
 public:
  Shootdowns(Software& sw, const Scheme& scheme, bool pcid, uint64_t seed);

  // The next core (index cores()), its MMU, and the address space it runs first.
  void add_core(Mmu& mmu, uint16_t running);
  unsigned cores() const { return static_cast<unsigned>(m_cores.size()); }
  Mmu& mmu(unsigned core) { return *m_cores[core].mmu; }

  // `core` now runs `to`. Cores leave an address space's cpumask when they switch away; one that
  // comes back to an address space a shootdown changed while it was away flushes that context
  // (with PCIDs its TLB may still hold it). Returns the cycles of that flush.
  Cycles switch_to(unsigned core, uint16_t to);
  // `core` has no more work: it idles in lazy-TLB mode, which shootdowns skip.
  void idle(unsigned core) {
    if (core < m_cores.size()) m_cores[core].running = 0;
  }

  // The (guest) OS on `core` invalidated `pages` (4K pages of ctx) locally: every other core
  // running ctx's address space does too (a full flush above the ceiling), and with
  // `tea_registers` reloads the address space's TEA registers (DMT, ASAP) from `teas`. Returns
  // the initiator's cycles: its sends and its wait for the last acknowledgement. What each
  // target spends, it owes (take_owed).
  Cycles shoot(unsigned core, Context ctx, const std::vector<Addr>& pages,
               TeaManager* tea_registers = nullptr);
  // Cycles `core` spent in shootdown handlers since the last call, to be charged to its time.
  Cycles take_owed(unsigned core) {
    const Cycles c = m_cores[core].owed;
    m_cores[core].owed = 0;
    return c;
  }
  // Tests only: the targets skip their invalidations (the oracle must then catch a stale
  // translation on another core).
  void break_remote_invalidation() { m_broken = true; }

  struct Stats {
    uint64_t shootdowns = 0;        // changes that had other cores to reach
    uint64_t ipis = 0;              // IPIs sent
    uint64_t initiator_cycles = 0;  // the initiators' sends and waits
    uint64_t handler_cycles = 0;    // the targets' handlers, deliveries and invalidations
    uint64_t remote_pages = 0;      // pages invalidated on targets
    uint64_t full_flushes = 0;      // targets that flushed the context (above the ceiling)
    uint64_t preempted = 0;         // targets found descheduled
    uint64_t deferred = 0;          // of those, left to the host's flush at entry (PV flush)
    uint64_t generation_flushes = 0;  // contexts flushed on switching back after a shootdown
  };
  const Stats& stats() const { return m_stats; }
  void report(StatsVisitor& v) const;
  // One core's part: the shootdowns it started and the handlers it ran.
  void report_core(unsigned core, StatsVisitor& v) const;

 private:
  struct Core {
    Mmu* mmu;
    uint16_t running;            // 0: idle
    std::vector<uint64_t> seen;  // by ASID: the generation its TLB is current with (0: never)
    Cycles owed = 0;
    uint64_t started = 0, initiator_cycles = 0, handled = 0, handler_cycles = 0;
  };
  uint64_t& seen(Core& c, uint16_t asid);
  uint64_t& generation(uint16_t asid);
  // One exit of the guest (reflected to L1 when nested).
  Cycles exit(ExitReason reason, Cycles handler);
  // The target's work for one shootdown: delivery, handler, invalidations (and performs them).
  Cycles handle(Core& target, Context ctx, const std::vector<Addr>& pages, bool full);
  // The target's invalidations (unless broken), and its TEA registers reloaded from `teas`.
  void invalidate(Core& target, Context ctx, const std::vector<Addr>* pages);
  // Charges c cycles of shootdown work to target (taken by take_owed).
  void owe(Core& target, Cycles c);
  // One target: its cycles owed, and (ack_at, from its IPI's send) when its acknowledgement
  // reaches the initiator; false when no IPI is sent (a deferred flush).
  bool reach(Core& target, Context ctx, const std::vector<Addr>& pages, bool full,
             Cycles& ack_at);

  Software& m_sw;
  const ShootdownCosts& m_costs;
  const Scheme& m_scheme;
  ShootdownPath m_path;
  bool m_pcid;
  Rng m_rng;
  std::vector<Core> m_cores;
  std::vector<uint64_t> m_generation;  // by ASID: shootdowns of it so far, plus one
  bool m_broken = false;
  TeaManager* m_reload = nullptr;  // the shootdown in progress reloads TEA registers from it
  Stats m_stats;
};

}  // namespace mmusim
