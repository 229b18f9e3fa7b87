#include "tlm/dmt_unit.h"

#include <cstring>
#include <stdexcept>

#include "tlm/dmt_model.h"
#ifdef MMUSIM_HAVE_RTL
#include "tlm/dmt_rtl.h"
#endif

namespace mmusim {

DmtUnit::DmtUnit(sc_core::sc_module_name name) : sc_module(name), socket("socket") {
  socket.bind(*this);
}

void DmtUnit::trace(const std::string&) {
  throw std::runtime_error("waves need the RTL DMT unit (mmu.dmt.impl: rtl)");
}

DmtExt* DmtUnit::request(tlm::tlm_generic_payload& gp) {
  DmtExt* ext = gp.get_extension<DmtExt>();
  if (!ext || ext->set >= kSets) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return nullptr;
  }
  return ext;
}

void DmtUnit::answer(tlm::tlm_generic_payload& gp, const DmtExt& ext) {
  if (gp.get_data_ptr() && gp.get_data_length() >= sizeof ext.entry)
    std::memcpy(gp.get_data_ptr(), &ext.entry, sizeof ext.entry);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

std::unique_ptr<DmtUnit> make_dmt_unit(const char* name, DmtImpl impl, unsigned registers,
                                       const Clock& clock, Cycles latency) {
  if (impl == DmtImpl::kModel) return std::make_unique<DmtModel>(name, registers, clock, latency);
#ifdef MMUSIM_HAVE_RTL
  return std::make_unique<DmtRtl>(name, clock, registers, static_cast<unsigned>(latency));
#else
  throw std::runtime_error("this build has no RTL DMT unit (Verilator was not found)");
#endif
}

#ifndef MMUSIM_HAVE_RTL
const std::vector<DmtRtlShape>& dmt_rtl_shapes() {
  static const std::vector<DmtRtlShape> none;
  return none;
}
#endif

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
