// The MMU top: receives translation requests from a core, routes fetches to the ITLB and data to
// the DTLB; both miss into the STLB, which misses into the page walker, which reads memory.
#pragma once

#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlm/page_walker.h"
#include "tlm/tlb_module.h"

namespace mmusim {

struct MmuParams {
  TlbParams itlb, dtlb, stlb;
  Cycles itlb_latency = 1;
  Cycles dtlb_latency = 1;
  Cycles stlb_latency = 7;
  PageWalkerParams walker;
  unsigned dmt_registers = 16;  // per register set
  Cycles dmt_latency = 1;
  DmtImpl dmt_impl = DmtImpl::kModel;
};

class Mmu : public sc_core::sc_module, public LtTarget {
 public:
  TargetSocket cpu;  // translation requests (generic payload + extension)

  Mmu(sc_core::sc_module_name name, const MmuParams& params, const Clock& clock,
      const WalkRoots& roots, unsigned guest_levels, unsigned host_levels);

  // The walker's memory port, to be bound to the memory (or the cache hierarchy).
  tlm_utils::simple_initiator_socket<PageWalker>& mem_port() { return m_walker.mem; }

  // Invalidation commands, as the OS and hypervisor emulation issue them.
  void flush_all();
  void flush_context(Context ctx);
  void flush_vm(uint16_t vpid);
  // A CR3 write without PCIDs: the VM's linear and combined translations (TLBs, guest PWC);
  // guest-physical ones (host PWC, nested TLB) stay.
  void flush_linear(uint16_t vpid);
  void flush_page(Addr va, Context ctx);

  TlbModule& itlb() { return m_itlb; }
  TlbModule& dtlb() { return m_dtlb; }
  TlbModule& stlb() { return m_stlb; }
  PageWalker& walker() { return m_walker; }
  DmtUnit& dmt() { return *m_dmt; }
  void report(StatsVisitor& v) const;

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:

  tlm_utils::simple_initiator_socket<Mmu> m_to_itlb;
  tlm_utils::simple_initiator_socket<Mmu> m_to_dtlb;
  TlbModule m_itlb;
  TlbModule m_dtlb;
  TlbModule m_stlb;
  PageWalker m_walker;
  std::unique_ptr<DmtUnit> m_dmt;
};

}  // namespace mmusim
