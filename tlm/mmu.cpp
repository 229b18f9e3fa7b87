#include "tlm/mmu.h"

namespace mmusim {

Mmu::Mmu(sc_core::sc_module_name name, const MmuParams& p, const Clock& clock,
         const WalkRoots& roots, unsigned guest_levels, unsigned host_levels)
    : sc_module(name), cpu("cpu"), m_to_itlb("to_itlb"), m_to_dtlb("to_dtlb"),
      m_itlb("itlb", p.itlb, clock, p.itlb_latency, ServedBy::kL1Tlb),
      m_dtlb("dtlb", p.dtlb, clock, p.dtlb_latency, ServedBy::kL1Tlb),
      m_stlb("stlb", p.stlb, clock, p.stlb_latency, ServedBy::kStlb),
      m_walker("walker", p.walker, clock, roots, guest_levels, host_levels),
      m_dmt(make_dmt_unit("dmt", p.dmt_impl, p.dmt_registers, clock, p.dmt_latency)) {
  cpu.bind(*this);
  m_to_itlb.bind(m_itlb.target);
  m_to_dtlb.bind(m_dtlb.target);
  m_itlb.next.bind(m_stlb.target);
  m_dtlb.next.bind(m_stlb.target);
  m_stlb.next.bind(m_walker.target);
  m_walker.dmt.bind(m_dmt->socket);
}

void Mmu::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const TranslationExt* ext = gp.get_extension<TranslationExt>();
  if (!ext) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  (ext->access == AccessKind::kFetch ? m_to_itlb : m_to_dtlb)->b_transport(gp, delay);
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
  m_walker.nested_tlb().flush_all();
}

void Mmu::flush_context(Context ctx) {
  m_itlb.tlb().flush_asid(ctx);
  m_dtlb.tlb().flush_asid(ctx);
  m_stlb.tlb().flush_asid(ctx);
  m_walker.guest_pwc().flush_ctx(ctx.key());
}

void Mmu::flush_vm(uint16_t vpid) {
  m_itlb.tlb().flush_vpid(vpid);
  m_dtlb.tlb().flush_vpid(vpid);
  m_stlb.tlb().flush_vpid(vpid);
  m_walker.guest_pwc().flush_all();  // guest entries of every address space of the VM
  m_walker.host_pwc().flush_ctx(Context{0, vpid}.key());
  m_walker.nested_tlb().flush_vpid(vpid);
}

void Mmu::flush_linear(uint16_t vpid) {
  m_itlb.tlb().flush_vpid(vpid);
  m_dtlb.tlb().flush_vpid(vpid);
  m_stlb.tlb().flush_vpid(vpid);
  m_walker.guest_pwc().flush_all();
}

void Mmu::flush_page(Addr va, Context ctx) {
  m_itlb.tlb().flush_page(va, ctx);
  m_dtlb.tlb().flush_page(va, ctx);
  m_stlb.tlb().flush_page(va, ctx);
  m_walker.guest_pwc().invalidate(va, ctx.key());
}

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
}

}  // namespace mmusim
