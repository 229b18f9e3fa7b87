// One TLB level as a TLM module: a hit answers the request; a miss forwards it to the next
// level (another TLB or the page walker) and fills on the way back.
#pragma once

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/tlb.h"
#include "tlm/clock.h"
#include "tlm/lt_target.h"
#include "tlm/translation_ext.h"

namespace mmusim {

class TlbModule : public sc_core::sc_module, public LtTarget {
 public:
  Cycles latency;
  ServedBy level;  // what a hit here reports (L1 or STLB)
  TargetSocket target;
  InitiatorSocket<TlbModule> next;

  TlbModule(sc_core::sc_module_name name, const TlbParams& params, const Clock& clock,
            Cycles latency, ServedBy level);

  Tlb& tlb() { return m_tlb; }
  const Tlb& tlb() const { return m_tlb; }
  void report(StatsVisitor& v) const;

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:

  Tlb m_tlb;
  sc_core::sc_time m_delay;
  uint64_t m_perm_misses = 0;
};

}  // namespace mmusim
