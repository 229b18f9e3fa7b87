#include "testbench/shootdown.h"

#include <algorithm>
#include <string>

#include "testbench/tea_manager.h"
#include "tlm/mmu.h"

namespace mmusim {

Shootdowns::Shootdowns(Software& sw, const Scheme& scheme, bool pcid, uint64_t seed)
    : m_sw(sw), m_costs(sw.costs().shootdown), m_scheme(scheme),
      m_path(scheme.shootdown_path()), m_pcid(pcid), m_rng(seed) {}

void Shootdowns::add_core(Mmu& mmu, uint16_t running) {
  m_cores.push_back(Core{&mmu, running, {}});
  if (running) seen(m_cores.back(), running) = generation(running);
}

uint64_t& Shootdowns::generation(uint16_t asid) {
  if (asid >= m_generation.size()) m_generation.resize(asid + 1u, 1);
  return m_generation[asid];
}

uint64_t& Shootdowns::seen(Core& c, uint16_t asid) {
  if (asid >= c.seen.size()) c.seen.resize(asid + 1u, 0);
  return c.seen[asid];
}

Cycles Shootdowns::switch_to(unsigned core, uint16_t to) {
  Core& c = m_cores[core];
  c.running = to;
  uint64_t& s = seen(c, to);
  const uint64_t now = generation(to);
  Cycles cycles = 0;
  // Without PCIDs the switch itself dropped the VM's linear translations.
  if (m_pcid && s != 0 && s != now) {
    ++m_stats.generation_flushes;
    c.mmu->flush_context(m_scheme.context(to));
    cycles = m_path.shadow ? exit(ExitReason::kInvlpg, m_costs.shadow_invlpg)
                           : m_sw.os(m_costs.full_flush);
  }
  s = now;
  return cycles;
}

Cycles Shootdowns::exit(ExitReason reason, Cycles handler) {
  if (!m_path.nested) return m_sw.vm_exit(reason, handler);
  // L0 reflects the L2 exit to L1, whose handler's own traps multiply the round trips.
  const SoftwareCosts& k = m_sw.costs();
  return m_sw.exit_costing(reason, k.exit_multiplier * k.vm_exit + handler);
}

Cycles Shootdowns::handle(Core& target, Context ctx, const std::vector<Addr>& pages,
                          bool full) {
  Cycles c = 0;
  if (m_path.guest && !m_costs.posted_interrupts)
    c += exit(ExitReason::kIpiDelivery, m_costs.inject);
  c += m_sw.os(m_costs.handler);
  invalidate(target, ctx, full ? nullptr : &pages);
  if (full) {
    ++m_stats.full_flushes;
    c += m_path.shadow ? exit(ExitReason::kInvlpg, m_costs.shadow_invlpg)
                       : m_sw.os(m_costs.full_flush);
  } else {
    m_stats.remote_pages += pages.size();
    for (size_t i = 0; i < pages.size(); ++i)
      c += m_path.shadow ? exit(ExitReason::kInvlpg, m_costs.shadow_invlpg)
                         : m_sw.os(m_sw.costs().invlpg);
  }
  return c;
}

void Shootdowns::invalidate(Core& target, Context ctx, const std::vector<Addr>* pages) {
  if (m_broken) return;
  if (!pages) {
    target.mmu->flush_context(ctx);
  } else {
    // Each run of consecutive pages (a large page's pieces among them) in one call.
    for (size_t i = 0, j; i < pages->size(); i = j) {
      for (j = i + 1; j < pages->size() && (*pages)[j] == (*pages)[j - 1] + kPageBytes;) ++j;
      target.mmu->flush_pages((*pages)[i], (*pages)[j - 1] + kPageBytes, ctx);
    }
  }
  if (m_reload) m_reload->reload(static_cast<unsigned>(&target - m_cores.data()), ctx.asid);
}

void Shootdowns::owe(Core& target, Cycles c) {
  target.owed += c;
  target.handler_cycles += c;
  m_stats.handler_cycles += c;
}

bool Shootdowns::reach(Core& target, Context ctx, const std::vector<Addr>& pages, bool full,
                       Cycles& ack_at) {
  const bool preempted =
      m_path.guest && m_costs.vcpu_preempted > 0 && m_rng.uniform() < m_costs.vcpu_preempted;
  if (preempted) ++m_stats.preempted;
  if (preempted && m_costs.pv_tlb_flush) {
    // KVM's PV flush: the sender marks the descheduled vCPU instead of sending it an IPI; the
    // host flushes its TLB before it runs again.
    ++m_stats.deferred;
    invalidate(target, ctx, nullptr);
    owe(target, m_sw.in_exit(m_costs.full_flush));
    return false;
  }
  const Cycles handler = handle(target, ctx, pages, full);
  ++target.handled;
  owe(target, handler);
  ack_at = (preempted ? m_costs.vcpu_resume : 0) + m_costs.ipi_delivery + handler + m_costs.ack;
  return true;
}

Cycles Shootdowns::shoot(unsigned core, Context ctx, const std::vector<Addr>& pages,
                         TeaManager* tea_registers) {
  if (pages.empty() && !tea_registers) return 0;
  m_reload = tea_registers;
  Core& self = m_cores[core];
  // A new generation even when no other core runs the address space now: one that ran it before
  // may still hold its entries under their PCID, and flushes them when it comes back. (TEA
  // registers alone need none: a core loads them when it switches.)
  const uint64_t gen = pages.empty() ? 0 : ++generation(ctx.asid);
  if (gen) seen(self, ctx.asid) = gen;
  bool any = false;
  for (const Core& c : m_cores) any |= &c != &self && c.running == ctx.asid;
  if (!any) return 0;
  const bool full = pages.size() > m_costs.flush_ceiling;
  const uint64_t ipis_before = m_stats.ipis;
  Cycles sends = 0, wait = 0;
  for (Core& t : m_cores) {
    if (&t == &self || t.running != ctx.asid) continue;
    if (gen) seen(t, ctx.asid) = gen;
    Cycles ack_at = 0;
    if (!reach(t, ctx, pages, full, ack_at)) continue;  // deferred: no IPI
    // A guest's ICR write exits unless IPI virtualization is on; with KVM's PV send-IPI one
    // hypercall sends them all.
    const bool exits = m_path.guest && !m_costs.ipi_virtualization;
    if (!exits)
      sends += m_sw.os(m_costs.ipi_send);
    else if (!m_costs.pv_send_ipi || m_stats.ipis == ipis_before)
      sends += exit(ExitReason::kIpiSend, m_costs.icr_exit);
    ++m_stats.ipis;
    // The n-th IPI leaves after n sends; the initiator waits for the last acknowledgement.
    wait = std::max(wait, sends + ack_at);
  }
  wait = std::max(wait, sends);
  m_sw.os(wait - sends);
  ++m_stats.shootdowns;
  m_stats.initiator_cycles += wait;
  ++self.started;
  self.initiator_cycles += wait;
  return wait;
}

void Shootdowns::report(StatsVisitor& v) const {
  const Stats& s = m_stats;
  v.counter("shootdowns", s.shootdowns, "count",
            "mapping changes other cores running the address space had to see");
  v.counter("ipis", s.ipis, "count", "IPIs the initiators sent (one per target)");
  v.counter("initiator_cycles", s.initiator_cycles, "cycles",
            "initiators' sends and waits for the slowest acknowledgement");
  v.counter("handler_cycles", s.handler_cycles, "cycles",
            "targets' deliveries, handlers and invalidations (charged to their time)");
  v.counter("remote_pages", s.remote_pages, "pages", "pages invalidated on targets");
  v.counter("full_flushes", s.full_flushes, "count",
            "targets that flushed the whole context (more pages than flush_ceiling)");
  v.counter("preempted_targets", s.preempted, "count",
            "targets the host had descheduled (software.shootdown.vcpu_preempted)");
  v.counter("deferred_flushes", s.deferred, "count",
            "of those, left to the host's flush before they run again (pv_tlb_flush)");
  v.counter("generation_flushes", s.generation_flushes, "count",
            "contexts flushed by a core switching back to an address space a shootdown "
            "changed while it ran another (PCID-tagged entries)");
}

void Shootdowns::report_core(unsigned core, StatsVisitor& v) const {
  const Core& c = m_cores[core];
  v.counter("shootdowns", c.started, "count", "shootdowns this core started");
  v.counter("shootdown_cycles", c.initiator_cycles, "cycles", "its sends and waits");
  v.counter("shootdown_handlers", c.handled, "count", "shootdown IPIs it handled");
  v.counter("shootdown_handler_cycles", c.handler_cycles, "cycles",
            "its time in those handlers and deferred flushes");
}

}  // namespace mmusim
