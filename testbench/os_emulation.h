// The system software the testbench emulates: the (guest) OS's VMAs, page-table churn, context
// switches and VMA growth (with DMT's TEAs), and the ledger of what software costs. What the OS
// and hypervisors do on a fault, a CR3 write or a table write is the translation scheme's. Each
// action returns the cycles it costs.
#pragma once

#include <memory>
#include <vector>

#include "models/machine.h"
#include "models/software.h"
#include "models/stats.h"
#include "testbench/shootdown.h"
#include "testbench/tea_manager.h"
#include "testbench/workload.h"

namespace mmusim {

class Mmu;

class OsEmulation {
 public:
  using Outcome = Scheme::Outcome;
  using Handled = Scheme::Handled;

  // dmt: under DMT, which VMAs get a TEA (see TeaManager). seed: of the shootdowns' draws.
  OsEmulation(Machine& machine, std::vector<Vma> vmas, const SoftwareCosts& costs, bool pcid,
              const TeaPolicy& dmt = {}, uint64_t seed = 1);
  // The MMU of the next core (0, 1, ...), whose TLBs and PWCs the OS and hypervisor invalidate
  // and whose DMT unit they program, and the address space it runs first (0: the first VMA's).
  void attach(Mmu& mmu, uint16_t running = 0);
  unsigned cores() const { return m_shoot.cores(); }
  // Blocks the calling process until what attach() programmed is in the hardware.
  void settle();

  // Maps (and backs) every page of every VMA, as a program that initialises its data would.
  // False when a physical space ran out.
  bool prefault();
  // Handles a fault the MMU reported; kRetry when the access can be retried. Throws
  // std::runtime_error when physical memory ran out (a configuration problem).
  Handled handle(Context ctx, Addr va, const Fault& fault);
  // The OS on `core` switches from one address space to another (a CR3 write).
  Cycles context_switch(Context from, Context to, unsigned core = 0);
  // The OS on `core` unmaps [va, va + pages * 4K) in ctx: entries cleared, frames freed,
  // translations invalidated there and shot down on the other cores running ctx; the pages are
  // demand-faulted back on their next touch.
  Cycles unmap(Context ctx, Addr va, uint32_t pages, unsigned core = 0);
  // The same for a permission downgrade: the writable pages among them become read-only (their
  // VMA stays writable: a store faults, and the OS makes the page writable again).
  Cycles protect(Context ctx, Addr va, uint32_t pages, unsigned core = 0);
  // The same for a migration: the mapped pages among them move to new frames.
  Cycles migrate(Context ctx, Addr va, uint32_t pages, unsigned core = 0);
  // Cycles `core` spent in other cores' shootdowns since the last call (its interrupts).
  Cycles interrupts(unsigned core) { return m_shoot.take_owed(core); }
  // `core` ran out of work (it idles, lazy-TLB, until the end).
  void idle(unsigned core) { m_shoot.idle(core); }
  Shootdowns& shootdowns() { return m_shoot; }
  // The VMA of ctx that ends at `end` grows by `pages` 4K pages (brk or mremap): the new part is
  // demand-paged; under DMT its TEA follows (a larger TEA, moved leaf tables). Throws
  // std::runtime_error when no VMA ends there or the growth would overlap another VMA.
  // On several cores, `core` grows it and the others running ctx take the TEA's change by a
  // shootdown; a VMA another core grew to end + pages already stays as it is.
  Cycles grow(Context ctx, Addr end, uint32_t pages, unsigned core = 0);

  // Accesses between the hypervisor's periodic work (0: none), and that work (Agile Paging's
  // scans), with the invalidations it needs.
  uint64_t period() const { return m_scheme.period(); }
  Cycles periodic();

  // The software ledger's figures and the OS's own events.
  struct Stats : Software::Stats {
    uint64_t context_switches = 0;
    uint64_t unmap_events = 0, unmapped_pages = 0;
    uint64_t protect_events = 0, protected_pages = 0;
    uint64_t migrate_events = 0, migrated_pages = 0;
    uint64_t vma_growths = 0, vma_grown_bytes = 0;
    uint64_t tea_cycles = 0;  // TEA creation and growth: OS handlers and VM exits
  };
  Stats stats() const;
  const TeaManager& teas() const { return *m_dmt; }
  // The VMAs as they stand (grown ones included).
  const std::vector<Vma>& vmas() const { return m_vmas; }
  uint64_t vm_exits() const { return m_sw.vm_exits(); }
  void report(StatsVisitor& v) const;
  // One core's part of the OS's figures (several cores).
  void report_core(unsigned core, StatsVisitor& v) const { m_shoot.report_core(core, v); }

 private:
  enum class Change { kUnmap, kProtect, kMigrate };
  // A page-table event over [va, va + pages * 4K): each mapped page changed, invalidated here
  // and shot down on the other cores running ctx.
  Cycles change(Context ctx, Addr va, uint32_t pages, unsigned core, Change op);
  bool change_page(AddressSpace& space, Addr a, Change op, Mapping& m, Cycles& c);
  const Vma* find_vma(uint16_t asid, Addr va) const;
  // What a VMA's growth did to its TEA costs: the OS's allocation, moves and invalidations, and
  // the host backing or making the new TEA host-contiguous.
  Cycles tea_work(const TeaManager::Work& w);
  // Flushes the walk caches when the scheme changed its tables' structure (Agile Paging).
  void flush_if_asked();

  Machine& m_machine;
  Scheme& m_scheme;
  std::vector<Vma> m_vmas;
  Software m_sw;
  bool m_pcid;
  Shootdowns m_shoot;  // the cores' MMUs, and what keeps their TLBs coherent
  std::vector<Addr> m_pages;  // the pages an unmap invalidated
  std::unique_ptr<TeaManager> m_dmt;
  Stats m_stats;
};

}  // namespace mmusim
