#include "tlm/dmt_unit.h"

namespace mmusim {

DmtUnit::DmtUnit(sc_core::sc_module_name name, unsigned registers, const Clock& clock,
                 Cycles lat)
    : sc_module(name), latency(lat), socket("socket"),
      m_sets{DmtRegisters(registers), DmtRegisters(registers), DmtRegisters(registers)},
      m_delay(clock.cycles(lat)) {
  socket.bind(*this);
}

void DmtUnit::program(unsigned set, unsigned index, const TeaRegister& r) {
  ++m_programs;
  m_sets[set].program(index, r);
}

bool DmtUnit::lookup(tlm::tlm_generic_payload& gp) {
  DmtExt* ext = gp.get_extension<DmtExt>();
  if (!ext || ext->set >= kSets) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return false;
  }
  DmtHit hit;
  ext->hit = m_sets[ext->set].lookup(gp.get_address(), ext->tag, hit);
  ext->entry = hit.entry;
  ext->level = hit.level;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void DmtUnit::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  if (!lookup(gp)) return;
  const DmtExt* ext = gp.get_extension<DmtExt>();
  ++m_lookups[ext->set];
  if (ext->hit) ++m_hits[ext->set];
  delay += m_delay;
}

unsigned int DmtUnit::transport_dbg(tlm::tlm_generic_payload& gp) { return lookup(gp) ? 8 : 0; }

void DmtUnit::report(StatsVisitor& v) const {
  v.counter("guest_lookups", m_lookups[0], "count", "lookups in the address-space set");
  v.counter("guest_hits", m_hits[0], "count", "of which a TEA covered the address");
  v.counter("host_lookups", m_lookups[1], "count",
            "lookups in the host set (nested: L1's TEA over L2 memory)");
  v.counter("host_hits", m_hits[1], "count", "of which a host TEA covered the address");
  v.counter("l0_lookups", m_lookups[2], "count", "nested: lookups in L0's set");
  v.counter("l0_hits", m_hits[2], "count", "nested: of which L0's TEA covered the address");
  v.counter("programs", m_programs, "count", "register writes by the OS and hypervisors");
}

}  // namespace mmusim
