// Main memory as a TLM target: 8-byte page-table reads and writes against the sparse physical
// memory, at a fixed latency (the cache hierarchy comes in front of it later).
#pragma once

#include <systemc>
#include <tlm>

#include "models/phys_mem.h"
#include "models/stats.h"
#include "tlm/clock.h"
#include "tlm/lt_target.h"

namespace mmusim {

class Memory : public sc_core::sc_module, public LtTarget {
 public:
  Cycles latency;
  TargetSocket socket;

  Memory(sc_core::sc_module_name name, PhysMem& mem, const Clock& clock, Cycles latency);
  void report(StatsVisitor& v) const;

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:
  bool access(tlm::tlm_generic_payload& gp);

  PhysMem& m_mem;
  sc_core::sc_time m_delay;
  uint64_t m_reads = 0, m_writes = 0;
};

}  // namespace mmusim
