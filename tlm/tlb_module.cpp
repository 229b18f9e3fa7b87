#include "tlm/tlb_module.h"

namespace mmusim {

TlbModule::TlbModule(sc_core::sc_module_name name, const TlbParams& params, const Clock& clock,
                     Cycles lat, ServedBy lvl)
    : sc_module(name), latency(lat), level(lvl), target("target"), next("next"), m_tlb(params),
      m_delay(clock.cycles(lat)) {
  target.bind(*this);
}

void TlbModule::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  TranslationExt* ext = gp.get_extension<TranslationExt>();
  bool present = false;  // a hit refused for its permissions: the entry is still there
  if (m_tlb.enabled()) {
    delay += m_delay;
    ext->tlb_cycles += latency;
    TlbHit hit;
    if (m_tlb.lookup(ext->va, ext->ctx, hit)) {
      present = true;
      if (hit.perms.allows(ext->access)) {
        ext->pa = hit.pa_base | (ext->va & page_mask(hit.size));
        ext->size = hit.size;
        ext->perms = hit.perms;
        ext->served_by = level;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
      }
      ++m_perm_misses;  // the cached translation forbids the access: the walk decides
    }
  }
  next->b_transport(gp, delay);
  if (!ext->fault && gp.is_response_ok())
    m_tlb.insert(ext->va, ext->pa, ext->size, ext->perms, ext->ctx, !present);
}

unsigned int TlbModule::transport_dbg(tlm::tlm_generic_payload& gp) {
  return next->transport_dbg(gp);
}

void TlbModule::report(StatsVisitor& v) const {
  m_tlb.report(v);
  v.counter("permission_misses", m_perm_misses, "count",
            "hits whose cached permissions forbade the access, sent on to be walked");
}

}  // namespace mmusim
