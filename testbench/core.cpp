#include "testbench/core.h"

#include <stdexcept>

namespace mmusim {

Core::Core(sc_core::sc_module_name name, const CoreParams& params, const Clock& clock,
           Workload& workload, OsEmulation& os, const Machine& machine)
    : sc_module(name), mmu("mmu"), m_params(params), m_clock(clock), m_workload(workload),
      m_os(os), m_machine(machine) {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(clock.cycles(params.quantum_cycles));
  m_qk.reset();
  m_gp.set_extension(&m_ext);
  m_gp.set_command(tlm::TLM_READ_COMMAND);
  m_gp.set_data_length(0);
  m_gp.set_streaming_width(0);
  SC_HAS_PROCESS(Core);
  SC_THREAD(run);
}

Core::~Core() { m_gp.clear_extension(&m_ext); }

void Core::check(const TranslationExt& ext) {
  ++m_stats.checked;
  const Expectation e = m_machine.expect(ext.ctx, ext.va, ext.access);
  const bool same = e.fault == ext.fault.kind &&
                    (e.fault != FaultKind::kNone || (e.pa == ext.pa && e.size == ext.size));
  if (!same) ++m_stats.oracle_mismatches;
}

void Core::software(Cycles c) {
  m_stats.software_cycles += c;
  m_qk.inc(m_clock.cycles(c));
}

void Core::run() {
  // Errors stop the simulation here and reach the caller plainly, not as a kernel report.
  try {
    issue();
  } catch (const std::exception& e) {
    m_error = e.what();  // returning ends the simulation: nothing else is scheduled
  }
}

void Core::issue() {
  // One access of lookahead lets the oracle's records load while the previous access walks.
  Access a, ahead;
  bool have_ahead = m_workload.next(ahead);
  uint16_t current = ahead.asid;
  while (have_ahead) {
    a = ahead;
    have_ahead = m_workload.next(ahead);
    if (a.event != Access::Event::kAccess) {
      ++m_stats.events;
      if (a.event == Access::Event::kSwitch) {
        software(m_os.context_switch(m_machine.context(current), m_machine.context(a.asid)));
        current = a.asid;
      } else {
        software(m_os.unmap(m_machine.context(a.asid), a.va, a.pages));
      }
      if (m_qk.need_sync()) m_qk.sync();
      continue;
    }
    ++m_stats.accesses;
    const Context ctx = m_machine.context(a.asid);
    if (m_params.check) {
      m_machine.prefetch_expect(ctx, a.va, 1);
      if (have_ahead) m_machine.prefetch_expect(m_machine.context(ahead.asid), ahead.va, 0);
    }
    for (uint64_t attempt = 0;; ++attempt) {
      m_ext.start(a.va, a.kind, ctx);
      m_gp.set_address(a.va);
      m_gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      mmu->b_transport(m_gp, delay);
      m_qk.inc(delay);
      if (!m_gp.is_response_ok())
        throw std::runtime_error("MMU answered with " + m_gp.get_response_string());
      if (m_params.check) check(m_ext);
      if (!m_ext.fault) {
        ++m_stats.translations;
        m_stats.translation_cycles += m_ext.total_cycles();
        switch (m_ext.served_by) {
          case ServedBy::kL1Tlb: ++m_stats.l1_hits; break;
          case ServedBy::kStlb: ++m_stats.stlb_hits; break;
          default: ++m_stats.walked; break;
        }
        break;
      }
      ++m_stats.faults;
      m_stats.fault_cycles += m_ext.total_cycles();
      if (attempt + 1 >= m_params.max_fault_retries) {
        ++m_stats.abandoned;
        break;
      }
      const OsEmulation::Handled h = m_os.handle(ctx, a.va, m_ext.fault);
      software(h.cycles);
      if (h.outcome == OsEmulation::Outcome::kAbandon) {
        ++m_stats.abandoned;
        break;
      }
    }
    if (m_stats.accesses == m_params.warmup && m_on_warmup) {
      m_stats.cycles = m_clock.to_cycles(m_qk.get_current_time());
      m_on_warmup();
    }
    if (m_qk.need_sync()) m_qk.sync();
  }
  m_qk.sync();
  m_stats.cycles = m_clock.to_cycles(sc_core::sc_time_stamp());
  // Returning ends the simulation: nothing else is scheduled.
}

void Core::report(StatsVisitor& v) const {
  const Stats& s = m_stats;
  v.counter("accesses", s.accesses, "count", "accesses issued by the workload");
  v.counter("translations", s.translations, "count", "accesses that got a translation");
  v.counter("translation_cycles", s.translation_cycles, "cycles",
            "latency of those translations (TLB lookups plus walks)");
  v.counter("l1_tlb_hits", s.l1_hits, "count", "translations served by an L1 TLB");
  v.counter("stlb_hits", s.stlb_hits, "count", "translations served by the STLB");
  v.counter("walked", s.walked, "count", "translations that needed a walk");
  v.counter("faults", s.faults, "count", "translation attempts that faulted (all kinds)");
  v.counter("fault_cycles", s.fault_cycles, "cycles", "latency of the attempts that faulted");
  v.counter("abandoned", s.abandoned, "count", "accesses given up after a fault");
  v.counter("software_cycles", s.software_cycles, "cycles",
            "emulated OS and hypervisor time (handlers, VM exits)");
  v.counter("events", s.events, "count", "OS events in the workload (context switches, unmaps)");
  v.counter("checked", s.checked, "count", "translation attempts checked against the oracle");
  v.counter("oracle_mismatches", s.oracle_mismatches, "count",
            "attempts whose translation or fault differs from the oracle's");
  v.counter("cycles", s.cycles, "cycles", "simulated time at the end of the run");
}

}  // namespace mmusim
