#include "tlm/memory.h"

#include <cstring>

namespace mmusim {

Memory::Memory(sc_core::sc_module_name name, PhysMem& mem, const Clock& clock,
               const MemoryParams& params)
    : sc_module(name), socket("socket"), m_mem(mem), m_clock(clock),
      m_walker_entry(params.walker_entry), m_hier(params.hierarchy),
      m_mshrs(params.hierarchy.level[0].size_bytes ? params.l1d_mshrs : 0) {
  socket.bind(*this);
}

bool Memory::access(tlm::tlm_generic_payload& gp) {
  const Addr addr = gp.get_address();
  const unsigned len = gp.get_data_length();
  // An 8-byte entry or a 64-byte line, aligned to its size; lines are only read.
  if ((len != 8 && !(len == 64 && gp.is_read())) || (addr & (len - 1)) != 0) [[unlikely]] {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (gp.is_read()) {
    if (len == 8) {
      const uint64_t v = m_mem.read64(addr);
      std::memcpy(gp.get_data_ptr(), &v, 8);
    } else {
      uint64_t v[8];
      m_mem.read_line(addr, v);
      std::memcpy(gp.get_data_ptr(), v, 64);
    }
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
  MemExt* ext = gp.get_extension<MemExt>();
  MemHierarchy::Result r;
  if (ext && ext->data) {
    if (!gp.is_read() && !gp.is_write()) {
      gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
      return;
    }
    ++m_data;
    r = m_hier.access(gp.get_address(), gp.is_write(), MemLevel::kL1, MemHierarchy::kData);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  } else {
    if (!access(gp)) return;
    (gp.is_read() ? m_reads : m_writes)++;
    r = m_hier.access(gp.get_address(), gp.is_write(), m_walker_entry, MemHierarchy::kWalk);
  }
  if (ext) {
    ext->served = r.served;
    ext->cycles = r.latency;
  }
  TimeOf& t = m_time_of[static_cast<unsigned>(r.served)];
  if (r.latency != t.cycles) {
    t.cycles = r.latency;
    t.time = m_clock.cycles(r.latency);
  }
  delay += t.time;
}

unsigned int Memory::transport_dbg(tlm::tlm_generic_payload& gp) {
  return access(gp) ? gp.get_data_length() : 0u;
}

void Memory::report(StatsVisitor& v) const {
  v.counter("reads", m_reads, "count", "8-byte page-table entry reads");
  v.counter("writes", m_writes, "count", "8-byte page-table entry writes");
  v.counter("data_accesses", m_data, "count", "workload data accesses after translation");
  v.state("walker_entry", static_cast<uint64_t>(m_walker_entry), "level",
          "where page-walk reads enter: 0 L1D, 1 L2, 2 LLC, 3 DRAM");
  m_hier.report(v);
  if (m_mshrs.enabled()) m_mshrs.report(v);
}

}  // namespace mmusim
