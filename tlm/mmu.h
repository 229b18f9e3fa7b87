// The MMU top: receives translation requests from a core, routes fetches to the ITLB and data to
// the DTLB; both miss into the STLB, which misses into the page walker, which reads memory.
#pragma once

#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlm/page_walker.h"
#include "tlm/tlb_module.h"

namespace mmusim {

// Defaults: configs/default.yaml's MMU (the DMT paper's Skylake-like TLBs; the seeds are those
// of system.seed 1), so MmuParams{} is a working MMU.
struct MmuParams {
  TlbParams itlb{"itlb", {{"small", {PageSize::k4K}, 128, 8}}, ReplPolicy::kLru, 12};
  TlbParams dtlb{"dtlb",
                 {{"small", {PageSize::k4K}, 64, 4},
                  {"large", {PageSize::k2M}, 32, 4},
                  {"huge", {PageSize::k1G}, 4, 4}},
                 ReplPolicy::kLru,
                 13};
  TlbParams stlb{"stlb",
                 {{"shared", {PageSize::k4K, PageSize::k2M}, 1536, 12},
                  {"huge", {PageSize::k1G}, 16, 4}},
                 ReplPolicy::kLru,
                 14};
  Cycles itlb_latency = 1;
  Cycles dtlb_latency = 1;
  Cycles stlb_latency = 7;
  PageWalkerParams walker;
  unsigned dmt_registers = 16;  // per register set
  Cycles dmt_latency = 1;
  // AT: requests come through nb_transport_fw and are answered through nb_transport_bw when
  // their lookups and walk (on one of walker.max_inflight walkers) are done.
  bool at = false;
  DmtImpl dmt_impl = DmtImpl::kModel;
};

class Mmu : public sc_core::sc_module, public LtTarget {
 public:
  TargetSocket cpu;  // translation requests (generic payload + extension)

  // `splice`, when given, binds the internal pairs (the L1 TLBs' ports, the L1 TLBs to the
  // STLB, the STLB to the walker, the walker to the DMT unit) instead of a direct bind.
  Mmu(sc_core::sc_module_name name, const MmuParams& params, const Clock& clock,
      const WalkRoots& roots, unsigned guest_levels, unsigned host_levels,
      const SocketSplicer& splice = {});

  // The walker's memory port, to be bound to the memory (or the cache hierarchy).
  InitiatorSocket<PageWalker>& mem_port() { return m_walker.mem; }

  // Invalidation commands, as the OS and hypervisor emulation issue them.
  void flush_all();
  void flush_context(Context ctx);
  void flush_vm(uint16_t vpid);
  // A CR3 write without PCIDs: the VM's linear and combined translations (TLBs, guest PWC);
  // guest-physical ones (host PWC, nested TLB) stay.
  void flush_linear(uint16_t vpid);
  void flush_page(Addr va, Context ctx);
  // flush_page() of every 4 KiB page in [base, end) (a large page's pieces), in one pass over
  // each structure where that is quicker; the same result and stats.
  void flush_pages(Addr base, Addr end, Context ctx);
  // The guest (or native) dimension's walk caches, all contexts (the PWC a shadow table's change
  // of structure leaves stale; TLB entries stay, their translations unchanged).
  void flush_walk_caches();

  TlbModule& itlb() { return m_itlb; }
  TlbModule& dtlb() { return m_dtlb; }
  TlbModule& stlb() { return m_stlb; }
  PageWalker& walker() { return m_walker; }
  DmtUnit& dmt() { return *m_dmt; }
  // Where the OS programs its TEA registers: ASAP's range registers when the walker has them,
  // else the DMT unit.
  TeaRegisterFile& tea_registers() {
    if (AsapUnit* asap = m_walker.asap()) return *asap;
    return *m_dmt;
  }
  void report(StatsVisitor& v) const;

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;
  // AT (base protocol): BEGIN_REQ is accepted at once (END_REQ) and translated functionally
  // then, in request order, so translations, walks and faults are those of LT; BEGIN_RESP
  // follows through the payload event queue when the request's timing is done. The functional
  // path never waits (nb_transport must not): a target under it that does is an error. LT:
  // b_transport.
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;

 private:
  void respond(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
  // A walk in flight: requests hitting the translation it filled wait for it (merged misses).
  struct Inflight {
    uint32_t ctx = 0;
    Addr base = 0, mask = 0;
    sc_core::sc_time end;
  };


  InitiatorSocket<Mmu> m_to_itlb;
  InitiatorSocket<Mmu> m_to_dtlb;
  TlbModule m_itlb;
  TlbModule m_dtlb;
  TlbModule m_stlb;
  PageWalker m_walker;
  std::unique_ptr<DmtUnit> m_dmt;
  const Clock& m_clock;
  bool m_at;
  tlm_utils::peq_with_cb_and_phase<Mmu> m_peq;
  std::vector<Inflight> m_inflight;  // ring of the last walks
  unsigned m_inflight_next = 0;
  uint64_t m_merged = 0;
};

}  // namespace mmusim
