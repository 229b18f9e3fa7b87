// The page-miss handler as a TLM module: owns the walker model, the guest and host
// paging-structure caches and the nested TLB; each entry read is a TLM transaction to memory.
#pragma once

#include <memory>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/asap.h"
#include "models/cwc.h"
#include "models/machine.h"
#include "models/pwc.h"
#include "models/tlb.h"
#include "models/walker.h"
#include "tlm/clock.h"
#include "tlm/dmt_unit.h"
#include "tlm/lt_target.h"
#include "tlm/memory.h"
#include "tlm/translation_ext.h"

namespace mmusim {

// Defaults: configs/default.yaml's walker (the seeds are those of system.seed 1).
struct PageWalkerParams {
  WalkerParams walker;
  PwcParams guest_pwc = PwcParams::dmt_paper(15);  // native or guest dimension, by (g)VA prefix
  PwcParams host_pwc = PwcParams::dmt_paper(16);   // host (EPT) dimension, by gPA prefix
  // gPA page -> hPA page; off (0 entries): the host PWC serves instead.
  TlbParams nested_tlb{
      "nested_tlb", {{"all", {PageSize::k4K, PageSize::k2M, PageSize::k1G}, 0, 4}},
      ReplPolicy::kLru, 17};
  unsigned max_inflight = 2;  // AT: walks in flight at once (the page walkers)
  unsigned step_vectors = 20; // most frequent step vectors reported
  unsigned asap_registers = 0;  // ASAP's range registers per set, two per range (0: no ASAP)
  Cycles asap_latency = 1;      // their compare
  bool agile = false;           // Agile Paging: walks start in the shadow table
  bool ecpt = false;            // some dimension's tables are ECPTs (its stats are reported)
  CwcParams guest_cwc;          // ECPT: native or guest dimension's cuckoo walk caches
  CwcParams host_cwc{{16, 2, 16}};  // ECPT: host dimensions' (nested ECPT), with a PTE-CWC
};

class PageWalker : public sc_core::sc_module,
                   public LtTarget,
                   private WalkMemory,
                   private DmtPort {
 public:
  TargetSocket target;              // walk requests
  InitiatorSocket<PageWalker> mem;  // entry reads
  InitiatorSocket<PageWalker> dmt;  // TEA lookups (the DMT unit)

  PageWalker(sc_core::sc_module_name name, const PageWalkerParams& params, const Clock& clock,
             const WalkRoots& roots, unsigned guest_levels, unsigned host_levels);
  ~PageWalker() override;

  Pwc& guest_pwc() { return m_guest_pwc; }
  Pwc& host_pwc() { return m_host_pwc; }
  Cwc& guest_cwc() { return m_guest_cwc; }
  Cwc& host_cwc() { return m_host_cwc; }
  Tlb& nested_tlb() { return m_ntlb; }
  AsapUnit* asap() { return m_asap.get(); }  // null without ASAP
  void report(StatsVisitor& v) const;

  struct Stats {
    uint64_t walks = 0, walk_refs = 0, walk_serial_refs = 0, walk_cycles = 0, walk_mem_cycles = 0;
    uint64_t fault_walks = 0, fault_walk_refs = 0, fault_walk_cycles = 0;
    uint64_t refs_by_dim[kMaxDims] = {};
    uint64_t pwc_probes = 0, pwc_hits = 0, ntlb_probes = 0, ntlb_hits = 0;
    uint64_t dmt_hits = 0, dmt_fallbacks = 0;
    uint64_t asap_prefetches = 0, asap_used = 0, asap_wait_cycles = 0;
    uint64_t agile_nested_walks = 0;
    uint64_t ecpt_probes = 0, ecpt_reprobes = 0;
    // AT: time walks spent in a walker (pending) and waiting for a free one (queued).
    uint64_t pending_cycles = 0, queue_cycles = 0, queued_walks = 0;
    // AT with L1D miss registers: reads that waited for one, and the cycles walks that ended in
    // a translation (mshr_wait_cycles) or a fault spent waiting, which lengthen them.
    uint64_t mshr_waits = 0, mshr_wait_cycles = 0, fault_mshr_wait_cycles = 0;
  };
  const Stats& stats() const { return m_stats; }
  unsigned max_inflight() const { return static_cast<unsigned>(m_free_at.size()); }

  // AT: the walk `r` whose lookups missed at `ready` takes the walker that frees first; returns
  // when it ends. With L1D miss registers, its references are laid out from the walker's start
  // (each where the walk's cycles stood, plus the waits before it) and each one that missed the
  // L1D reserves a register for its latency, waiting for one if none is free.
  sc_core::sc_time schedule(const sc_core::sc_time& ready, const WalkResult& r);
  // AT: the L1D miss registers walk reads reserve (null: none; only when reads enter at the L1D).
  void use_mshrs(MshrPool* pool) { m_mshrs = pool; }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:
  uint64_t read_entry(Addr pa, unsigned dim, unsigned level, Cycles& latency,
                      Step& served) override;
  void read_line(Addr pa, unsigned dim, unsigned level, Cycles& latency, Step& served,
                 uint64_t* words) override;
  // One read of m_gp's bytes at pa (their length set by the caller).
  void transport(Addr pa, Cycles& latency, Step& served);
  bool dmt_lookup(unsigned set, Addr addr, uint32_t tag, Addr& entry, unsigned& level,
                  Cycles& latency) override;
  unsigned dims_for(Context ctx, WalkDim* dims, bool with_caches);
  void report_caches(StatsVisitor& v) const;  // the PWCs, the nested TLB, the CWCs
  [[noreturn]] void read_failed() const;
  // The current walk's local time (its offset from the kernel time) where it stands now.
  sc_core::sc_time local_time() const;

  const Clock& m_clock;
  const WalkRoots& m_roots;
  Walker m_walker;
  Pwc m_guest_pwc;
  Pwc m_host_pwc;
  Cwc m_guest_cwc;
  Cwc m_host_cwc;
  Tlb m_ntlb;
  std::unique_ptr<AsapUnit> m_asap;
  bool m_agile;
  bool m_ecpt;
  WalkDim m_dims[kMaxDims];  // the current walk's dimensions (written by dims_for per walk)
  WalkResult m_result;
  tlm::tlm_generic_payload m_gp;  // reused for every entry read
  tlm::tlm_generic_payload m_dmt_gp;  // reused for every TEA lookup
  DmtExt m_dmt_ext;
  MemExt m_mem_ext;  // where each entry read was served
  std::vector<sc_core::sc_time> m_free_at;  // per walker: when it is free again (AT)
  MshrPool* m_mshrs = nullptr;
  unsigned m_step_top;
  LatencyHistogram m_latency;
  StepHistogram m_steps;
  uint64_t m_data[8] = {};  // m_gp's bytes: an entry, or a line
  uint64_t m_dmt_data = 0;  // m_dmt_gp's bytes
  // LT: the current walk's delay annotation on entry, and its start in simulated time, taken
  // from the kernel the first time a DMT lookup needs it (anchored; a lookup may wait).
  sc_core::sc_time m_walk_delay;
  // The time of each of a walk's first cycles, worked out once: every read is annotated from
  // where the walk stands, and SystemC's conversion costs a read more than the rest of it.
  static constexpr Cycles kTimeTable = 1024;
  sc_core::sc_time m_time_of[kTimeTable];
  sc_core::sc_time m_walk_start;
  bool m_walk_anchored = false;
  static constexpr Cycles kNoCycles = ~Cycles{0};
  bool m_debug = false;  // entry reads go through transport_dbg (untimed functional walk)
  Stats m_stats;
};

}  // namespace mmusim
