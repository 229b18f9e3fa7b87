// Memory as a TLM target: the cache hierarchy (L1D, L2, LLC, DRAM) in front of the sparse
// physical memory. Page-walk reads (an 8-byte entry, or a hashed table's aligned 64-byte line,
// moved to and from physical memory; entries are also written) enter the hierarchy at a
// configured level; data accesses (MemExt::data: data frames are not stored, their bytes are
// not moved) enter at the L1D. Either way the latency is that of the level that served the line.
#pragma once

#include <systemc>
#include <tlm>

#include "models/cache.h"
#include "models/mshr_pool.h"
#include "models/phys_mem.h"
#include "models/stats.h"
#include "tlm/clock.h"
#include "tlm/lt_target.h"

namespace mmusim {

// Optional on memory requests: what kind of access, and where it was served.
struct MemExt : tlm::tlm_extension<MemExt> {
  bool data = false;                   // in: a workload data access, not a page-table entry
  MemLevel served = MemLevel::kDram;   // out
  Cycles cycles = 0;                   // out: the latency the delay was annotated with

  tlm::tlm_extension_base* clone() const override { return new MemExt(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const MemExt&>(other);
  }
};

// Defaults: configs/default.yaml's memory.
struct MemoryParams {
  MemHierarchyParams hierarchy = MemHierarchyParams::dmt_paper();
  MemLevel walker_entry = MemLevel::kL1;  // where page-walk reads enter the hierarchy
  unsigned l1d_mshrs = 0;  // AT: L1D miss-status holding registers (0: unlimited, not modelled)
};

class Memory : public sc_core::sc_module, public LtTarget {
 public:
  TargetSocket socket;

  Memory(sc_core::sc_module_name name, PhysMem& mem, const Clock& clock,
         const MemoryParams& params);
  MemHierarchy& hierarchy() { return m_hier; }
  // The L1D's miss registers, which AT timing reserves for walk reads and data accesses that
  // miss the L1D (disabled without an L1D or with l1d_mshrs 0).
  MshrPool& mshrs() { return m_mshrs; }
  MemLevel walker_entry() const { return m_walker_entry; }
  void report(StatsVisitor& v) const;

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:
  bool access(tlm::tlm_generic_payload& gp);

  PhysMem& m_mem;
  const Clock& m_clock;
  MemLevel m_walker_entry;
  MemHierarchy m_hier;
  MshrPool m_mshrs;
  // Latencies repeat, one or two per level: each is converted to SystemC time once.
  struct TimeOf {
    Cycles cycles = ~Cycles{0};
    sc_core::sc_time time;
  } m_time_of[4];
  uint64_t m_reads = 0, m_writes = 0, m_data = 0;
};

}  // namespace mmusim
