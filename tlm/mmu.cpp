#include "tlm/mmu.h"

#include <stdexcept>

namespace mmusim {

Mmu::Mmu(sc_core::sc_module_name name, const MmuParams& p, const Clock& clock,
         const WalkRoots& roots, unsigned guest_levels, unsigned host_levels,
         const SocketSplicer& splice)
    : sc_module(name), cpu("cpu"), m_to_itlb("to_itlb"), m_to_dtlb("to_dtlb"),
      m_itlb("itlb", p.itlb, clock, p.itlb_latency, ServedBy::kL1Tlb),
      m_dtlb("dtlb", p.dtlb, clock, p.dtlb_latency, ServedBy::kL1Tlb),
      m_stlb("stlb", p.stlb, clock, p.stlb_latency, ServedBy::kStlb),
      m_walker("walker", p.walker, clock, roots, guest_levels, host_levels),
      m_dmt(make_dmt_unit("dmt", p.dmt_impl, p.dmt_registers, clock, p.dmt_latency)),
      m_clock(clock), m_at(p.at),
      m_peq(this, &Mmu::respond),
      // Sized well past the walks that can overlap (max_inflight walkers): older ones are over.
      m_inflight(4 * p.walker.max_inflight + 8) {
  cpu.bind(*this);
  const auto bind = [&](const char* pair, InitiatorSocketBase& from, TargetSocketBase& to) {
    if (splice)
      splice(pair, from, to);
    else
      from.bind(to);
  };
  bind("to_itlb", m_to_itlb, m_itlb.target);
  bind("to_dtlb", m_to_dtlb, m_dtlb.target);
  bind("itlb_stlb", m_itlb.next, m_stlb.target);
  bind("dtlb_stlb", m_dtlb.next, m_stlb.target);
  bind("stlb_walker", m_stlb.next, m_walker.target);
  bind("walker_dmt", m_walker.dmt, m_dmt->socket);
}

void Mmu::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const TranslationExt* ext = gp.get_extension<TranslationExt>();
  if (!ext) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  (ext->access == AccessKind::kFetch ? m_to_itlb : m_to_dtlb)->b_transport(gp, delay);
}

tlm::tlm_sync_enum Mmu::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                         sc_core::sc_time& delay) {
  if (!m_at) {  // as LtTarget: a request is answered at once
    if (phase == tlm::BEGIN_REQ) b_transport(gp, delay);
    return tlm::TLM_COMPLETED;
  }
  if (phase == tlm::END_RESP) return tlm::TLM_COMPLETED;
  if (phase != tlm::BEGIN_REQ) {
    SC_REPORT_ERROR("mmusim/mmu", "unexpected phase on the forward path");
    return tlm::TLM_COMPLETED;
  }
  const sc_core::sc_time now = sc_core::sc_time_stamp() + delay;
  const sc_dt::uint64 delta = sc_core::sc_delta_count();
  sc_core::sc_time functional = delay;
  b_transport(gp, functional);  // the LT path, in request order: timing is decided below
  if (sc_core::sc_delta_count() != delta || sc_core::sc_time_stamp() + delay != now)
    throw std::logic_error("a target under the MMU waited inside nb_transport_fw");
  const TranslationExt* ext = gp.get_extension<TranslationExt>();
  sc_core::sc_time end = now;
  if (ext) {
    end += m_clock.cycles(ext->tlb_cycles);
    if (ext->served_by == ServedBy::kWalk) {
      end = m_walker.schedule(end, *ext->walk);
      if (!ext->fault) {
        Inflight& f = m_inflight[m_inflight_next];
        m_inflight_next = (m_inflight_next + 1) % m_inflight.size();
        f.ctx = ext->ctx.key();
        f.mask = ~page_mask(ext->size);
        f.base = ext->va & f.mask;
        f.end = end;
      }
    } else if (!ext->fault) {
      // A hit on a translation whose walk is still in flight waits for it: a merged miss.
      const sc_core::sc_time ready = end;
      for (const Inflight& f : m_inflight)
        if (f.end > end && f.ctx == ext->ctx.key() && (ext->va & f.mask) == f.base) end = f.end;
      if (end > ready) ++m_merged;  // counted once, however many walks it matched
    }
  }
  if (TranslationExt* out = gp.get_extension<TranslationExt>()) out->respond_at = end;
  m_peq.notify(gp, tlm::BEGIN_RESP, end - sc_core::sc_time_stamp());
  phase = tlm::END_REQ;
  return tlm::TLM_UPDATED;
}

void Mmu::respond(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase) {
  tlm::tlm_phase p = phase;
  sc_core::sc_time t = sc_core::SC_ZERO_TIME;
  cpu->nb_transport_bw(gp, p, t);  // the core completes the transaction (TLM_COMPLETED)
}

unsigned int Mmu::transport_dbg(tlm::tlm_generic_payload& gp) {
  if (!gp.get_extension<TranslationExt>()) return 0;
  return m_to_dtlb->transport_dbg(gp);  // the TLB levels pass debug requests to the walker
}

void Mmu::flush_all() {
  m_itlb.tlb().flush_all();
  m_dtlb.tlb().flush_all();
  m_stlb.tlb().flush_all();
  m_walker.guest_pwc().flush_all();
  m_walker.host_pwc().flush_all();
  m_walker.guest_cwc().flush_all();
  m_walker.host_cwc().flush_all();
  m_walker.nested_tlb().flush_all();
}

void Mmu::flush_context(Context ctx) {
  m_itlb.tlb().flush_asid(ctx);
  m_dtlb.tlb().flush_asid(ctx);
  m_stlb.tlb().flush_asid(ctx);
  m_walker.guest_pwc().flush_ctx(ctx.key());
  m_walker.guest_cwc().flush_ctx(ctx.key());
}

void Mmu::flush_vm(uint16_t vpid) {
  m_itlb.tlb().flush_vpid(vpid);
  m_dtlb.tlb().flush_vpid(vpid);
  m_stlb.tlb().flush_vpid(vpid);
  m_walker.guest_pwc().flush_all();  // guest entries of every address space of the VM
  m_walker.guest_cwc().flush_all();
  m_walker.host_pwc().flush_ctx(Context{0, vpid}.key());
  m_walker.host_cwc().flush_ctx(Context{0, vpid}.key());
  m_walker.nested_tlb().flush_vpid(vpid);
}

void Mmu::flush_linear(uint16_t vpid) {
  m_itlb.tlb().flush_vpid(vpid);
  m_dtlb.tlb().flush_vpid(vpid);
  m_stlb.tlb().flush_vpid(vpid);
  m_walker.guest_pwc().flush_all();
  m_walker.guest_cwc().flush_all();
}

void Mmu::flush_page(Addr va, Context ctx) {
  const Addr page = page_base(va, PageSize::k4K);
  flush_pages(page, page + kPageBytes, ctx);
}

void Mmu::flush_pages(Addr base, Addr end, Context ctx) {
  m_itlb.tlb().flush_pages(base, end, ctx);
  m_dtlb.tlb().flush_pages(base, end, ctx);
  m_stlb.tlb().flush_pages(base, end, ctx);
  m_walker.guest_pwc().invalidate_range(base, end, ctx.key());
  m_walker.guest_cwc().invalidate_range(base, end, ctx.key());
}

void Mmu::flush_walk_caches() { m_walker.guest_pwc().flush_all(); }

void Mmu::report(StatsVisitor& v) const {
  v.begin("itlb");
  m_itlb.report(v);
  v.end();
  v.begin("dtlb");
  m_dtlb.report(v);
  v.end();
  v.begin("stlb");
  m_stlb.report(v);
  v.end();
  v.begin("walker");
  m_walker.report(v);
  v.end();
  v.begin("dmt");
  m_dmt->report(v);
  v.end();
  v.counter("merged_misses", m_merged, "count",
              "at: requests that hit a translation whose walk was still in flight and waited");
}

}  // namespace mmusim
