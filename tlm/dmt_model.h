// The DMT unit's C++ model behind the TLM interface: the golden register sets of models/dmt.h,
// answering each lookup at once and annotating the configured latency.
#pragma once

#include "tlm/clock.h"
#include "tlm/dmt_unit.h"

namespace mmusim {

class DmtModel : public DmtUnit {
 public:
  const Cycles latency;

  DmtModel(sc_core::sc_module_name name, unsigned registers, const Clock& clock, Cycles latency);

  unsigned registers() const override { return m_sets[0].count(); }
  void program(unsigned set, unsigned index, const TeaRegister& r) override;
  TeaRegister read(unsigned set, unsigned index) override { return m_sets[set].read(index); }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:
  DmtExt* lookup(tlm::tlm_generic_payload& gp);

  DmtRegisters m_sets[kSets];
  sc_core::sc_time m_delay;
};

}  // namespace mmusim
