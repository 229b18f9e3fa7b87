#include "tlm/page_walker.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace mmusim {

PageWalker::PageWalker(sc_core::sc_module_name name, const PageWalkerParams& params,
                       const Clock& clock, const WalkRoots& roots, unsigned guest_levels,
                       unsigned host_levels)
    : sc_module(name), target("target"), mem("mem"), dmt("dmt"), m_clock(clock), m_roots(roots),
      m_walker(params.walker), m_guest_pwc("guest", params.guest_pwc, guest_levels),
      m_host_pwc("host", params.host_pwc, host_levels), m_guest_cwc("guest", params.guest_cwc),
      m_host_cwc("host", params.host_cwc), m_ntlb(params.nested_tlb), m_agile(params.agile),
      m_ecpt(params.ecpt),
      m_free_at(params.max_inflight ? params.max_inflight : 1, sc_core::SC_ZERO_TIME),
      m_step_top(params.step_vectors) {
  target.bind(*this);
  for (Cycles c = 0; c < kTimeTable; ++c) m_time_of[c] = clock.cycles(c);
  if (params.asap_registers)
    m_asap = std::make_unique<AsapUnit>(params.asap_registers, params.asap_latency);
  // Every transaction on m_gp is a read of an 8-byte entry, or of a 64-byte line (read_line
  // sets that length and restores this one); a target changes none of these.
  m_gp.set_command(tlm::TLM_READ_COMMAND);
  m_gp.set_extension(&m_mem_ext);
  m_gp.set_data_ptr(reinterpret_cast<unsigned char*>(m_data));
  m_gp.set_data_length(8);
  m_gp.set_streaming_width(8);
  m_gp.set_byte_enable_ptr(nullptr);
  m_gp.set_dmi_allowed(false);
  // A TEA lookup reads the leaf entry's 8-byte address (also given in the extension).
  m_dmt_gp.set_command(tlm::TLM_READ_COMMAND);
  m_dmt_gp.set_extension(&m_dmt_ext);
  m_dmt_gp.set_data_ptr(reinterpret_cast<unsigned char*>(&m_dmt_data));
  m_dmt_gp.set_data_length(sizeof m_dmt_data);
  m_dmt_gp.set_streaming_width(sizeof m_dmt_data);
  m_dmt_gp.set_byte_enable_ptr(nullptr);
  m_dmt_gp.set_dmi_allowed(false);
}

PageWalker::~PageWalker() {
  m_dmt_gp.clear_extension(&m_dmt_ext);
  m_gp.clear_extension(&m_mem_ext);
}

namespace {
Step step_of(MemLevel l) {
  switch (l) {
    case MemLevel::kL1: return Step::kL1;
    case MemLevel::kL2: return Step::kL2;
    case MemLevel::kLlc: return Step::kLlc;
    case MemLevel::kDram: return Step::kDram;
  }
  return Step::kMem;
}
}  // namespace

sc_core::sc_time PageWalker::schedule(const sc_core::sc_time& ready, const WalkResult& r) {
  auto first = m_free_at.begin();
  for (auto it = m_free_at.begin(); it != m_free_at.end(); ++it)
    if (*it < *first) first = it;
  const sc_core::sc_time start = *first > ready ? *first : ready;
  if (start > ready) {
    ++m_stats.queued_walks;
    m_stats.queue_cycles += m_clock.to_cycles(start - ready);
  }
  Cycles waited = 0;
  if (m_mshrs && m_mshrs->enabled()) {
    const Cycles begin = m_clock.to_cycles(start);
    for (unsigned i = 0; i < r.nrefs; ++i) {
      const WalkRef& ref = r.refs[i];
      if (ref.served == Step::kL1) continue;  // an L1D hit holds no miss register
      const Cycles at = begin + ref.start + waited;
      const Cycles got = m_mshrs->reserve(at, ref.latency, MshrPool::kWalk);
      if (got > at) {
        ++m_stats.mshr_waits;
        waited += got - at;
      }
    }
    (r.ok() ? m_stats.mshr_wait_cycles : m_stats.fault_mshr_wait_cycles) += waited;
  }
  m_stats.pending_cycles += r.cycles + waited;
  *first = start + m_clock.cycles(r.cycles + waited);
  return *first;
}

bool PageWalker::dmt_lookup(unsigned set, Addr addr, uint32_t tag, Addr& entry, unsigned& level,
                            Cycles& latency) {
  m_dmt_ext.set = static_cast<uint8_t>(set);
  m_dmt_ext.tag = tag;
  m_dmt_gp.set_address(addr);
  m_dmt_gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (m_debug) {
    dmt->transport_dbg(m_dmt_gp);
  } else {
    // The unit gets the walk's offset from the kernel time now, so an implementation that
    // waits can sync to it; its cycles come back in the extension.
    if (!m_walk_anchored) {  // the walk's start in simulated time, before any wait
      m_walk_start = sc_core::sc_time_stamp() + m_walk_delay;
      m_walk_anchored = true;
    }
    sc_core::sc_time t = local_time();
    dmt->b_transport(m_dmt_gp, t);
    latency += m_dmt_ext.cycles;
  }
  entry = m_dmt_ext.entry;
  level = m_dmt_ext.level;
  return m_dmt_ext.hit;
}

unsigned PageWalker::dims_for(Context ctx, WalkDim* dims, bool with_caches) {
  const unsigned n = m_roots.walk_dims(ctx, dims);
  for (unsigned i = 0; i < n; ++i) {
    dims[i].dmt_port = this;
    if (m_asap && dims[i].dmt.enabled) dims[i].asap = m_asap.get();
  }
  if (with_caches && n > 0) {
    dims[0].pwc = &m_guest_pwc;
    dims[0].cwc = &m_guest_cwc;
    // Host dimensions (EPT, EPT02, or EPT12 and EPT01) share the host PWC and nested TLB; their
    // entries are told apart by the dimension's context tag.
    for (unsigned i = 1; i < n; ++i) {
      dims[i].pwc = &m_host_pwc;
      dims[i].cwc = &m_host_cwc;
      dims[i].tlb = &m_ntlb;
    }
  }
  return n;
}

uint64_t PageWalker::read_entry(Addr pa, unsigned, unsigned, Cycles& latency, Step& served) {
  transport(pa, latency, served);
  return m_data[0];
}

void PageWalker::read_line(Addr pa, unsigned, unsigned, Cycles& latency, Step& served,
                           uint64_t* words) {
  m_gp.set_data_length(sizeof m_data);
  m_gp.set_streaming_width(sizeof m_data);
  transport(pa, latency, served);
  std::memcpy(words, m_data, sizeof m_data);
  m_gp.set_data_length(8);  // back to an entry, read_entry's length
  m_gp.set_streaming_width(8);
}

void PageWalker::transport(Addr pa, Cycles& latency, Step& served) {
  m_gp.set_address(pa);
  m_gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (m_debug) {
    served = Step::kMem;
    if (mem->transport_dbg(m_gp) != m_gp.get_data_length()) read_failed();
    return;
  }
  // The read is annotated from the walk's local time where it starts.
  const sc_core::sc_time start = local_time();
  sc_core::sc_time t = start;
  m_mem_ext.cycles = kNoCycles;
  mem->b_transport(m_gp, t);
  if (!m_gp.is_response_ok()) [[unlikely]]
    read_failed();
  // The memory reports its annotation in cycles too; a target that does not is converted.
  latency += m_mem_ext.cycles != kNoCycles ? m_mem_ext.cycles : m_clock.to_cycles(t - start);
  served = step_of(m_mem_ext.served);
}

sc_core::sc_time PageWalker::local_time() const {
  // m_result.cycles is where the walk stands: the start of the read or lookup being made.
  const Cycles c = m_result.cycles;
  const sc_core::sc_time into = c < kTimeTable ? m_time_of[c] : m_clock.cycles(c);
  if (!m_walk_anchored) [[likely]]
    return m_walk_delay + into;
  return m_walk_start + into - sc_core::sc_time_stamp();
}

void PageWalker::read_failed() const {
  char at[32];
  std::snprintf(at, sizeof at, "0x%llx", static_cast<unsigned long long>(m_gp.get_address()));
  throw std::runtime_error(std::string("memory answered the page-table read at ") + at + " with " +
                           m_gp.get_response_string());
}

void PageWalker::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  TranslationExt* ext = gp.get_extension<TranslationExt>();
  WalkDim* const dims = m_dims;  // a member: a local array would be zeroed at every walk
  const unsigned n = dims_for(ext->ctx, dims, true);
  if (n == 0) {  // no such address space: nothing to walk
    ext->fault = Fault{FaultKind::kNotPresent, 0, 0, ext->va};
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  WalkResult& r = m_result;
  m_walk_delay = delay;
  m_walk_anchored = false;
  m_walker.walk(dims, n, ext->va, ext->access, *this, r);
  // The walk ends r.cycles after it began; time a DMT unit waited for has passed already.
  if (!m_walk_anchored) {  // nothing in the walk asked for the kernel time, nor waited
    delay += m_clock.cycles(r.cycles);
  } else {
    const sc_core::sc_time end = m_walk_start + m_clock.cycles(r.cycles);
    if (sc_core::sc_time_stamp() > end)
      throw std::logic_error("the DMT unit waited past the end of the walk");
    delay = end - sc_core::sc_time_stamp();
  }
  ext->walk_cycles = r.cycles;
  ext->mem_cycles = r.mem_cycles;
  ext->walk_refs = r.nrefs;
  ext->walk = &r;
  ext->served_by = ServedBy::kWalk;
  ext->fault = r.fault;
  if (r.ok()) {
    ext->pa = r.pa;
    ext->size = r.size;
    ext->perms = r.perms;
    ++m_stats.walks;
    m_stats.walk_refs += r.nrefs;
    m_stats.walk_serial_refs += r.serial_refs;
    m_stats.walk_cycles += r.cycles;
    m_stats.walk_mem_cycles += r.mem_cycles;
    m_latency.add(r.cycles);
    m_steps.add(r.steps);
  } else {
    ++m_stats.fault_walks;
    m_stats.fault_walk_refs += r.nrefs;
    m_stats.fault_walk_cycles += r.cycles;
  }
  for (unsigned d = 0; d < kMaxDims; ++d) m_stats.refs_by_dim[d] += r.refs_by_dim[d];
  m_stats.pwc_probes += r.pwc_probes;
  m_stats.pwc_hits += r.pwc_hits;
  m_stats.ntlb_probes += r.ntlb_probes;
  m_stats.ntlb_hits += r.ntlb_hits;
  m_stats.dmt_hits += r.dmt_hits;
  m_stats.dmt_fallbacks += r.dmt_fallbacks;
  m_stats.asap_prefetches += r.asap_prefetches;
  m_stats.asap_used += r.asap_used;
  m_stats.asap_wait_cycles += r.asap_wait_cycles;
  m_stats.agile_nested_walks += r.agile_nested;
  m_stats.ecpt_probes += r.ecpt_probes;
  m_stats.ecpt_reprobes += r.ecpt_reprobes;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int PageWalker::transport_dbg(tlm::tlm_generic_payload& gp) {
  // Untimed functional translation: no caches consulted or filled, no stats.
  TranslationExt* ext = gp.get_extension<TranslationExt>();
  WalkDim dims[3];
  const unsigned n = dims_for(ext->ctx, dims, false);
  if (n == 0) {
    ext->fault = Fault{FaultKind::kNotPresent, 0, 0, ext->va};
    return 0;
  }
  WalkResult r;
  Walker functional;
  m_debug = true;
  functional.walk(dims, n, ext->va, ext->access, *this, r);
  m_debug = false;
  ext->fault = r.fault;
  ext->walk_refs = r.nrefs;
  if (!r.ok()) return 0;
  ext->pa = r.pa;
  ext->size = r.size;
  ext->perms = r.perms;
  return 8;
}

void PageWalker::report(StatsVisitor& v) const {
  const Stats& s = m_stats;
  v.counter("walks", s.walks, "count", "walks that ended in a translation");
  v.counter("walk_refs", s.walk_refs, "count", "memory references of those walks");
  v.counter("walk_serial_refs", s.walk_serial_refs, "count",
            "references on those walks' longest chains of dependent reads (reads issued in "
            "parallel count once)");
  v.counter("walk_cycles", s.walk_cycles, "cycles", "cycles of those walks");
  v.counter("walk_mem_cycles", s.walk_mem_cycles, "cycles", "memory cycles of those walks");
  v.counter("fault_walks", s.fault_walks, "count", "walks that ended in a fault");
  v.counter("fault_walk_refs", s.fault_walk_refs, "count", "memory references of faulting walks");
  v.counter("fault_walk_cycles", s.fault_walk_cycles, "cycles", "cycles of faulting walks");
  v.counter("guest_refs", s.refs_by_dim[0], "count",
            "references to native or guest page-table entries (all walks)");
  v.counter("host_refs", s.refs_by_dim[1], "count", "references to host (EPT) entries");
  v.counter("dmt_hits", s.dmt_hits, "count", "leaf entries found through a TEA (any dimension)");
  v.counter("dmt_fallbacks", s.dmt_fallbacks, "count",
            "TEA entries that were not a usable leaf, so the radix was walked after all");
  if (m_asap) {
    v.counter("asap_prefetches", s.asap_prefetches, "count",
              "ASAP: PL2 and PL1 entries prefetched at walks' starts (all walks)");
    v.counter("asap_used", s.asap_used, "count",
              "ASAP: entries walks took from a prefetch instead of reading them");
    v.counter("asap_wait_cycles", s.asap_wait_cycles, "cycles",
              "ASAP: cycles walks waited for prefetches still in flight");
    v.counter("asap_programs", m_asap->programs(), "count", "ASAP: range registers written");
  }
  if (m_agile)
    v.counter("agile_nested_walks", s.agile_nested_walks, "count",
              "Agile Paging: walks (faulting ones included) that switched from the shadow table "
              "to nested mode");
  if (m_ecpt) {
    v.counter("ecpt_probes", s.ecpt_probes, "count",
              "ECPT: table lines probed (all walks, every dimension)");
    v.counter("ecpt_reprobes", s.ecpt_reprobes, "count",
              "ECPT: steps that probed the ways the CWCs had ruled out, after the ways they "
              "named missed");
  }
  v.real("refs_per_walk", ratio(s.walk_refs, s.walks), "refs", "walk_refs / walks");
  v.real("serial_refs_per_walk", ratio(s.walk_serial_refs, s.walks), "refs",
         "walk_serial_refs / walks");
  v.real("cycles_per_walk", ratio(s.walk_cycles, s.walks), "cycles", "walk_cycles / walks");
  v.histogram("walk_latency", m_latency, "walks that ended in a translation");
  v.labelled("step_vectors", m_steps.top(m_step_top), "walks",
             "walks whose steps were served so (PWC/NTLB/DMT hits, then the level serving each "
             "entry read)");
  v.state("step_vectors_distinct", m_steps.distinct(), "count", "distinct step vectors seen");
  v.state("step_vectors_other", m_steps.other(), "walks",
          "walks whose vector did not fit the table");
  v.state("max_inflight", max_inflight(), "walks", "walks in flight at once (at)");
  v.counter("pending_cycles", m_stats.pending_cycles, "cycles",
            "at: walker-busy cycles, summed over walks");
  v.counter("queued_walks", m_stats.queued_walks, "count", "at: walks that waited for a walker");
  v.counter("queue_cycles", m_stats.queue_cycles, "cycles", "at: cycles walks waited for one");
  if (m_mshrs && m_mshrs->enabled()) {
    v.counter("mshr_waits", s.mshr_waits, "count",
              "at: walk reads that missed the L1D and waited for a miss register");
    v.counter("mshr_wait_cycles", s.mshr_wait_cycles, "cycles",
              "at: cycles walks that ended in a translation waited for miss registers");
    v.counter("fault_mshr_wait_cycles", s.fault_mshr_wait_cycles, "cycles",
              "at: the same for walks that ended in a fault");
  }
  report_caches(v);
}

void PageWalker::report_caches(StatsVisitor& v) const {
  v.begin("pwc");
  v.begin("guest");
  m_guest_pwc.report(v);
  v.end();
  v.begin("host");
  m_host_pwc.report(v);
  v.end();
  v.end();
  v.begin("nested_tlb");
  m_ntlb.report(v);
  v.end();
  if (m_ecpt) {
    v.begin("cwc");
    for (const Cwc* c : {&m_guest_cwc, &m_host_cwc}) {
      v.begin(c->name().c_str());
      c->report(v);
      v.end();
    }
    v.end();
  }
}

}  // namespace mmusim
