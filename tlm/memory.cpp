#include "tlm/memory.h"

#include <cstring>

namespace mmusim {

Memory::Memory(sc_core::sc_module_name name, PhysMem& mem, const Clock& clock, Cycles lat)
    : sc_module(name), latency(lat), socket("socket"), m_mem(mem),
      m_delay(clock.cycles(lat)) {
  socket.bind(*this);
}

bool Memory::access(tlm::tlm_generic_payload& gp) {
  const Addr addr = gp.get_address();
  if (gp.get_data_length() != 8 || (addr & 7) != 0) [[unlikely]] {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (gp.is_read()) {
    const uint64_t v = m_mem.read64(addr);
    std::memcpy(gp.get_data_ptr(), &v, 8);
  } else if (gp.is_write()) {
    uint64_t v;
    std::memcpy(&v, gp.get_data_ptr(), 8);
    m_mem.write64(addr, v);
  } else {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void Memory::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  if (!access(gp)) return;
  (gp.is_read() ? m_reads : m_writes)++;
  delay += m_delay;
}

unsigned int Memory::transport_dbg(tlm::tlm_generic_payload& gp) {
  return access(gp) ? 8u : 0u;
}

void Memory::report(StatsVisitor& v) const {
  v.counter("reads", m_reads, "count", "8-byte reads (page-table entries)");
  v.counter("writes", m_writes, "count", "8-byte writes");
  v.counter("latency", latency, "cycles", "fixed access latency");
}

}  // namespace mmusim
