#include "tlm/dmt_model.h"

namespace mmusim {

DmtModel::DmtModel(sc_core::sc_module_name name, unsigned registers, const Clock& clock, Cycles lat)
    : DmtUnit(name),
      latency(lat),
      m_sets{DmtRegisters(registers), DmtRegisters(registers), DmtRegisters(registers)},
      m_delay(clock.cycles(lat)) {}

void DmtModel::program(unsigned set, unsigned index, const TeaRegister& r) {
  count_program();
  m_sets[set].program(index, r);
}

DmtExt* DmtModel::lookup(tlm::tlm_generic_payload& gp) {
  DmtExt* ext = request(gp);
  if (!ext) return nullptr;
  DmtHit hit;
  ext->hit = m_sets[ext->set].lookup(gp.get_address(), ext->tag, hit);
  ext->entry = hit.entry;
  ext->level = hit.level;
  answer(gp, *ext);
  return ext;
}

void DmtModel::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  DmtExt* ext = lookup(gp);
  if (!ext) return;
  count_lookup(*ext);
  ext->cycles = latency;
  delay += m_delay;
}

unsigned int DmtModel::transport_dbg(tlm::tlm_generic_payload& gp) { return lookup(gp) ? 8 : 0; }

}  // namespace mmusim
