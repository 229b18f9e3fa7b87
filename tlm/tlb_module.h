// One TLB level as a TLM module: a hit answers the request; a miss forwards it to the next
// level (another TLB or the page walker) and fills on the way back.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/tlb.h"
#include "tlm/clock.h"
#include "tlm/translation_ext.h"

namespace mmusim {

class TlbModule : public sc_core::sc_module {
 public:
  Cycles latency;
  ServedBy level;  // what a hit here reports (L1 or STLB)
  tlm_utils::multi_passthrough_target_socket<TlbModule> target;
  tlm_utils::simple_initiator_socket<TlbModule> next;

  TlbModule(sc_core::sc_module_name name, const TlbParams& params, const Clock& clock,
            Cycles latency, ServedBy level);

  Tlb& tlb() { return m_tlb; }
  const Tlb& tlb() const { return m_tlb; }
  void report(StatsVisitor& v) const;

 private:
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);

  Tlb m_tlb;
  sc_core::sc_time m_delay;
  uint64_t m_perm_misses = 0;
};

}  // namespace mmusim
