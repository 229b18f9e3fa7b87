#include "testbench/core.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <stdexcept>

#include "testbench/lookahead.h"
#include "testbench/stop_signal.h"

namespace mmusim {

Core::Core(sc_core::sc_module_name name, const CoreParams& params, const Clock& clock,
           Workload& workload, OsEmulation& os, const Machine& machine)
    : sc_module(name), mmu("mmu"), mem("mem"), m_params(params), m_clock(clock),
      m_workload(workload), m_os(os), m_scheme(machine.scheme()),
      m_nslots(params.at ? std::max(1u, params.max_outstanding) : 1u),
      m_done(this, &Core::slot_done),
      m_work_per_access(params.base_cpi * params.instructions_per_access) {
  mmu.bind(*this);
  tlm_utils::tlm_quantumkeeper::set_global_quantum(clock.cycles(params.quantum_cycles));
  m_qk.reset();
  m_slots.reset(new Slot[m_nslots]);
  for (unsigned i = 0; i < m_nslots; ++i) {
    tlm::tlm_generic_payload& gp = m_slots[i].gp;
    gp.set_extension(&m_slots[i].ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&m_slots[i].data));
    gp.set_data_length(sizeof m_slots[i].data);
    gp.set_streaming_width(sizeof m_slots[i].data);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
  }
  if (m_work_per_access >= 0 && m_work_per_access < 1e18 &&
      m_work_per_access == std::floor(m_work_per_access)) {
    m_work_whole = static_cast<Cycles>(m_work_per_access);
    m_work_time = clock.cycles(m_work_whole);
  }
  m_data_ext.data = true;
  m_data_gp.set_extension(&m_data_ext);
  m_data_gp.set_data_ptr(reinterpret_cast<unsigned char*>(&m_data));
  m_data_gp.set_data_length(sizeof m_data);
  m_data_gp.set_streaming_width(sizeof m_data);
  m_data_gp.set_byte_enable_ptr(nullptr);
  m_data_gp.set_dmi_allowed(false);
  m_log = params.event_log;
  SC_HAS_PROCESS(Core);
  SC_THREAD(run);
}

Core::~Core() {
  for (unsigned i = 0; i < m_nslots; ++i) m_slots[i].gp.clear_extension(&m_slots[i].ext);
  m_data_gp.clear_extension(&m_data_ext);
}

Core::Slot& Core::slot_of(tlm::tlm_generic_payload& gp) {
  for (unsigned i = 0; i < m_nslots; ++i)
    if (&m_slots[i].gp == &gp) return m_slots[i];
  throw std::logic_error("core: a response for a payload it did not send");
}

void Core::check(const TranslationExt& ext, const OracleHints* hinted) {
  ++m_stats.checked;
  const Expectation e = m_scheme.expect(ext.ctx, ext.va, ext.access, hinted);
  // A TLB with no array for a translation's size holds a splinter of it, a piece of the largest
  // smaller size it holds (models/tlb.h): a hit there gives the address and the piece's size,
  // in the L1 TLBs and the STLB, and in the nested TLB, whose hit sizes the walk's result. The
  // address must be exact and the size never larger than the page's.
  const bool size_ok = ext.size <= e.size;
  const bool same = e.fault == ext.fault.kind &&
                    (e.fault != FaultKind::kNone || (e.pa == ext.pa && size_ok));
  if (!same) ++m_stats.oracle_mismatches;
}

void Core::software(Cycles c) {
  m_stats.software_cycles += c;
  if (!m_params.at)
    m_qk.inc(m_clock.cycles(c));
  else if (c)
    sc_core::wait(m_clock.cycles(c));
}

__attribute__((always_inline)) inline sc_core::sc_time Core::count_work() {
  if (m_work_whole != kNoCycles) {  // the carry stays 0: the same cycles every access
    if (m_work_whole == 0) return sc_core::SC_ZERO_TIME;
    m_stats.work_cycles += m_work_whole;
    return m_work_time;
  }
  const double w = m_work_per_access + m_work_carry;
  const double whole = std::floor(w);
  m_work_carry = w - whole;
  const Cycles c = static_cast<Cycles>(whole);
  if (c == 0) return sc_core::SC_ZERO_TIME;
  m_stats.work_cycles += c;
  return m_clock.cycles(c);
}

__attribute__((always_inline)) inline void Core::work() {
  const sc_core::sc_time t = count_work();
  if (t == sc_core::SC_ZERO_TIME) return;
  if (!m_params.at)
    m_qk.inc(t);
  else
    sc_core::wait(t);
}

void Core::drain() {
  if (m_busy) ++m_stats.drains;
  while (m_busy) sc_core::wait(m_slot_freed);
}

Cycles Core::data_access(const TranslationExt& ext) {
  m_data_time = sc_core::sc_time();
  if (!m_params.data_accesses || ext.access == AccessKind::kFetch) return 0;
  m_data_gp.set_command(ext.access == AccessKind::kLoad ? tlm::TLM_READ_COMMAND
                                                        : tlm::TLM_WRITE_COMMAND);
  m_data_gp.set_address(ext.pa);
  m_data_gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  // Annotated from the core's local time (LT: after the translation; AT: none, the kernel's).
  const sc_core::sc_time start = m_params.at ? sc_core::SC_ZERO_TIME : m_qk.get_local_time();
  sc_core::sc_time t = start;
  m_data_ext.cycles = kNoCycles;
  mem->b_transport(m_data_gp, t);  // functional and annotated in both modes, in program order
  if (!m_data_gp.is_response_ok())
    throw std::runtime_error("memory answered a data access with " +
                             m_data_gp.get_response_string());
  // The memory reports its annotation in cycles too; a target that does not is converted.
  const bool in_cycles = m_data_ext.cycles != kNoCycles;
  const Cycles c = in_cycles ? m_data_ext.cycles : m_clock.to_cycles(t - start);
  // The annotation of a target that reports cycles is those cycles' time already.
  m_data_time = in_cycles ? t - start : m_clock.cycles(c);
  ++m_stats.data_accesses;
  m_stats.data_cycles += c;
  return c;
}

void Core::run() {
  if (m_driven) return;  // the system's driver runs this core's steps
  // Errors stop the simulation here and reach the caller plainly, not as a kernel report.
  try {
    begin();
    while (step()) {
    }
    end();
  } catch (const std::exception& e) {
    m_error = e.what();
  }
  if (m_turns) m_turns->leave(m_params.index);
  // The workload is done (on every core, or an error stops them all): return from sc_start (a
  // clock, the RTL unit's, would run on).
  if (!m_error.empty() || !m_running || --*m_running == 0) sc_core::sc_pause();
}

void Core::begin() {
  // The OS programmed the hardware at boot; the workload starts once that is in place (the RTL
  // DMT unit takes cycles to write its registers), and simulated time counts from there.
  m_os.settle();
  m_origin = sc_core::sc_time_stamp();
  m_qk.reset();
  m_period = m_period_left = m_os.period();
  // The workload is read ahead so host-cache hints for its accesses can start early.
  m_ahead.emplace(m_workload, m_scheme, m_hint_hier);
  if (m_hint_tlbs[0]) m_ahead->use_tlbs(m_hint_tlbs[0], m_hint_tlbs[1]);
  m_current = m_ahead->first_asid();
}

void Core::end() {
  if (m_params.at)
    drain();
  else if (!m_driven)
    m_qk.sync();
  const sc_core::sc_time now = m_params.at ? sc_core::sc_time_stamp() : m_qk.get_current_time();
  m_stats.cycles = m_clock.to_cycles(now - m_origin);
  m_os.idle(m_params.index);
}

void Core::event(const Access& a) {
  ++m_stats.events;
  if (m_params.at) drain();
  const unsigned core = m_params.index;
  if (a.event == Access::Event::kSwitch) {
    software(m_os.context_switch(m_scheme.context(m_current), m_scheme.context(a.asid), core));
    m_current = a.asid;
  } else if (a.event == Access::Event::kGrow) {
    software(m_os.grow(m_scheme.context(a.asid), a.va, a.pages, core));
  } else if (a.event == Access::Event::kProtect) {
    software(m_os.protect(m_scheme.context(a.asid), a.va, a.pages, core));
  } else if (a.event == Access::Event::kMigrate) {
    software(m_os.migrate(m_scheme.context(a.asid), a.va, a.pages, core));
  } else {
    software(m_os.unmap(m_scheme.context(a.asid), a.va, a.pages, core));
  }
}

__attribute__((always_inline)) inline Core::Slot& Core::free_slot() {
  if (!m_params.at) return m_slots[0];
  while (m_busy == m_nslots) sc_core::wait(m_slot_freed);
  for (unsigned i = 0; i < m_nslots; ++i)
    if (!m_slots[i].busy) return m_slots[i];
  return m_slots[0];
}

bool Core::step() {
  Access a;
  const OracleHints* hinted = nullptr;
  if (!m_ahead->next(a, hinted)) return false;
  if (a.event != Access::Event::kAccess) {
    take_turn();
    event(a);
    pass_turn();
    if (!m_params.at && !m_driven && m_qk.need_sync()) m_qk.sync();
    return true;
  }
  // A stop signal ends the run between accesses; polled every kStopPollEvery accesses only.
  if ((m_stats.accesses & (kStopPollEvery - 1)) == 0 && stop_signal()) return false;
  Slot& slot = free_slot();
  take_turn();
  ++m_stats.accesses;
  if (m_progress) m_progress->tick(m_stats.accesses);
  // Shootdown handlers other cores made this one run, taken before its next access.
  if (m_params.cores > 1) software(m_os.interrupts(m_params.index));
  access(a, slot, hinted);
  // Several cores in AT: the work is counted in the turn and waited for after it.
  sc_core::sc_time work_time;
  if (!m_turns)
    work();
  else
    work_time = count_work();
  if (m_period && --m_period_left == 0) [[unlikely]] {  // Agile Paging's scan
    m_period_left = m_period;
    if (m_params.at) drain();
    software(m_os.periodic());
  }
  if (m_stats.accesses == m_params.warmup && m_on_warmup) {
    if (m_params.at) drain();  // the warm-up's accesses complete before measuring starts
    const sc_core::sc_time now = m_params.at ? sc_core::sc_time_stamp() : m_qk.get_current_time();
    m_stats.cycles = m_clock.to_cycles(now - m_origin);
    m_on_warmup();
  }
  if (m_turns) {
    pass_turn();
    if (work_time != sc_core::SC_ZERO_TIME) sc_core::wait(work_time);
  }
  if (!m_params.at && !m_driven && m_qk.need_sync()) m_qk.sync();
  return true;
}

void Core::access(const Access& a, Slot& slot, const OracleHints* hinted) {
  const Context ctx = m_scheme.context(a.asid);
  TranslationExt& ext = slot.ext;
  tlm::tlm_generic_payload& gp = slot.gp;
  slot.index = m_stats.accesses - 1;
  slot.sampled = m_log && slot.index % m_params.event_log_every == 0;
  for (uint64_t attempt = 0;; ++attempt) {
    ext.start(a.va, a.kind, ctx);
    gp.set_address(a.va);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (!m_params.at) {
      // LT: the request carries the core's local time; what comes back is the new local time.
      sc_core::sc_time delay = m_qk.get_local_time();
      mmu->b_transport(gp, delay);
      m_qk.set(delay);
    } else {
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      // The request is translated when the MMU accepts it; its response comes later.
      slot.issued = sc_core::sc_time_stamp();
      slot.busy = true;
      slot.data_cycles = slot.data_wait = 0;
      ++m_busy;
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      if (mmu->nb_transport_fw(gp, phase, delay) == tlm::TLM_COMPLETED)
        throw std::logic_error("the MMU completed an AT request at once (is it in AT mode?)");
    }
    if (!gp.is_response_ok())
      throw std::runtime_error("MMU answered with " + gp.get_response_string());
    if (m_params.check) check(ext, hinted);
    if (slot.sampled) slot.steps = ext.walk && ext.served_by == ServedBy::kWalk ? ext.walk->steps
                                                                               : StepVector{};
    if (!ext.fault) {
      ++m_stats.translations;
      switch (ext.served_by) {
        case ServedBy::kL1Tlb: ++m_stats.l1_hits; break;
        case ServedBy::kStlb: ++m_stats.stlb_hits; break;
        default: ++m_stats.walked; break;
      }
      slot.data_cycles = data_access(ext);
      if (m_params.at && m_mshrs && m_mshrs->enabled() && slot.data_cycles &&
          m_data_ext.served != MemLevel::kL1) {
        // The load or store misses the L1D when its translation is done: it holds a miss
        // register until its fill.
        const Cycles ready = m_clock.to_cycles(ext.respond_at);
        slot.data_wait = m_mshrs->reserve(ready, slot.data_cycles, MshrPool::kData) - ready;
      }
      if (!m_params.at) {
        m_stats.translation_cycles += ext.total_cycles();
        m_translation_latency.add(ext.total_cycles());
        if (slot.sampled) log_event(slot, ext.total_cycles());
        m_qk.inc(m_data_time);
      }
      return;
    }
    ++m_stats.faults;
    if (m_params.at)
      drain();  // the exception waits for everything before it, this attempt included
    else
      m_stats.fault_cycles += ext.total_cycles();
    if (attempt + 1 >= m_params.max_fault_retries) {
      ++m_stats.abandoned;
      return;
    }
    const OsEmulation::Handled h = m_os.handle(ctx, a.va, ext.fault);
    software(h.cycles);
    if (h.outcome == OsEmulation::Outcome::kAbandon) {
      ++m_stats.abandoned;
      return;
    }
  }
}

tlm::tlm_sync_enum Core::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                         sc_core::sc_time& delay) {
  if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
  Slot& slot = slot_of(gp);
  const Cycles latency = m_clock.to_cycles(sc_core::sc_time_stamp() + delay - slot.issued);
  if (slot.ext.fault) {
    m_stats.fault_cycles += latency;
  } else {
    m_stats.translation_cycles += latency;
    m_translation_latency.add(latency);
    if (slot.sampled) log_event(slot, latency);
  }
  if (slot.data_cycles)
    m_done.notify(gp, tlm::END_RESP, delay + m_clock.cycles(slot.data_wait + slot.data_cycles));
  else
    slot_done(gp, tlm::END_RESP);
  return tlm::TLM_COMPLETED;
}

void Core::slot_done(tlm::tlm_generic_payload& gp, const tlm::tlm_phase&) {
  Slot& slot = slot_of(gp);
  slot.busy = false;
  --m_busy;
  m_slot_freed.notify();
}

void Core::log_event(const Slot& slot, Cycles latency) {
  const TranslationExt& e = slot.ext;
  if (m_params.cores > 1) std::fprintf(m_log, "{\"core\": %u, ", m_params.index);
  std::fprintf(m_log,
               "%s\"access\": %" PRIu64 ", \"va\": \"0x%" PRIx64 "\", \"asid\": %u, \"vpid\": %u, "
               "\"kind\": \"%s\", \"pa\": \"0x%" PRIx64 "\", \"page\": \"%s\", "
               "\"served_by\": \"%s\", \"latency\": %" PRIu64 ", \"tlb_cycles\": %" PRIu64
               ", \"walk_cycles\": %" PRIu64 ", \"walk_refs\": %u, \"steps\": \"%s\", "
               "\"data_cycles\": %" PRIu64 "}\n",
               m_params.cores > 1 ? "" : "{", slot.index, e.va, unsigned(e.ctx.asid),
               unsigned(e.ctx.vpid), access_kind_name(e.access), e.pa, page_size_name(e.size),
               served_by_name(e.served_by), latency, e.tlb_cycles, e.walk_cycles,
               unsigned(e.walk_refs), slot.steps.n ? slot.steps.str().c_str() : "",
               slot.data_cycles);
}

void Core::report(StatsVisitor& v) const {
  const Stats& s = m_stats;
  v.counter("accesses", s.accesses, "count", "accesses issued by the workload");
  v.counter("translations", s.translations, "count", "accesses that got a translation");
  v.counter("translation_cycles", s.translation_cycles, "cycles",
            "latency of those translations (TLB lookups plus walks; at: plus waiting for a "
            "walker or a merged walk)");
  v.histogram("translation_latency", m_translation_latency, "translations");
  v.counter("l1_tlb_hits", s.l1_hits, "count", "translations served by an L1 TLB");
  v.counter("stlb_hits", s.stlb_hits, "count", "translations served by the STLB");
  v.counter("walked", s.walked, "count", "translations that needed a walk");
  v.counter("faults", s.faults, "count", "translation attempts that faulted (all kinds)");
  v.counter("fault_cycles", s.fault_cycles, "cycles", "latency of the attempts that faulted");
  v.counter("abandoned", s.abandoned, "count", "accesses given up after a fault");
  v.counter("software_cycles", s.software_cycles, "cycles",
            "emulated OS and hypervisor time (handlers, VM exits)");
  v.counter("work_cycles", s.work_cycles, "cycles",
            "non-memory work: instructions_per_access x base_cpi per access");
  v.counter("data_accesses", s.data_accesses, "count", "loads and stores sent to the caches");
  v.counter("data_cycles", s.data_cycles, "cycles", "their latency");
  v.counter("events", s.events, "count",
            "OS events in the workload (context switches, unmaps, VMA growths)");
  v.counter("drains", s.drains, "count",
            "at: faults and OS events that waited for the accesses in flight");
  v.counter("checked", s.checked, "count", "translation attempts checked against the oracle");
  v.counter("oracle_mismatches", s.oracle_mismatches, "count",
            "attempts whose translation or fault differs from the oracle's");
  v.counter("cycles", s.cycles, "cycles", "simulated time at the end of the run");
}

}  // namespace mmusim
