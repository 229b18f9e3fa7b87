// The core: issues a workload's accesses to the MMU, lets the OS emulation handle faults, checks
// every translation against the oracle, then sends loads and stores to the cache hierarchy.
// Timing model: non-memory work between accesses (instructions x base CPI) plus memory latency.
// LT: one access at a time (b_transport, quantum keeper, no wait per access). AT: up to
// max_outstanding accesses in flight (nb_transport with the MMU); a fault or an OS event drains
// them first, as the exception or system call serialises a real core.
#pragma once

#include <cstdio>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/histogram.h"
#include "models/machine.h"
#include "models/oracle.h"
#include "testbench/lookahead.h"
#include "testbench/os_emulation.h"
#include "testbench/progress.h"
#include "testbench/turns.h"
#include "testbench/workload.h"
#include "tlm/clock.h"
#include "tlm/memory.h"
#include "tlm/translation_ext.h"

namespace mmusim {

struct CoreParams {
  bool check = true;
  bool at = false;
  uint64_t quantum_cycles = 100000;
  uint64_t max_fault_retries = 4;
  double base_cpi = 0.5;
  double instructions_per_access = 4.0;
  bool data_accesses = true;
  unsigned max_outstanding = 8;
  std::FILE* event_log = nullptr;  // the per-translation event log (JSON lines), open; or off
  uint64_t event_log_every = 1000;
  uint64_t warmup = 0;  // accesses after which at_warmup_end's function runs (0: none)
  unsigned index = 0;   // which core this is (several cores: the OS's index, the log's)
  unsigned cores = 1;
};

class Core : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_initiator_socket<kBusWidth> mmu;  // translations
  InitiatorSocket<Core> mem;  // data accesses

  Core(sc_core::sc_module_name name, const CoreParams& params, const Clock& clock,
       Workload& workload, OsEmulation& os, const Machine& machine);
  ~Core() override;

  struct Stats {
    uint64_t accesses = 0;
    uint64_t translations = 0;        // accesses that got a translation
    uint64_t translation_cycles = 0;  // latency of those translations (their final attempt)
    uint64_t fault_cycles = 0;        // latency of attempts that faulted
    uint64_t software_cycles = 0;     // emulated OS and hypervisor time (handlers, VM exits)
    uint64_t work_cycles = 0;         // non-memory instructions
    uint64_t data_accesses = 0, data_cycles = 0;  // loads and stores after translation
    uint64_t events = 0;              // OS events in the workload (context switches, unmaps)
    uint64_t faults = 0;              // faults reported by the MMU (all kinds)
    uint64_t abandoned = 0;           // accesses given up after a fault
    uint64_t l1_hits = 0, stlb_hits = 0, walked = 0;
    uint64_t checked = 0, oracle_mismatches = 0;
    uint64_t drains = 0;              // at: waits for every access in flight (faults, events)
    uint64_t cycles = 0;              // simulated time at the end, in cycles
  };
  const Stats& stats() const { return m_stats; }
  void report(StatsVisitor& v) const;
  // Reports accesses issued to p while running (null: no progress line).
  void show_progress(AccessProgress* p) { m_progress = p; }
  // Runs f once the warm-up's accesses are done (stats.cycles then holds the time so far).
  void at_warmup_end(std::function<void()> f) { m_on_warmup = std::move(f); }
  // AT: the L1D miss registers a data access that misses the L1D holds until its fill (null:
  // none). The register is reserved when the request is made, from when its translation is due.
  void use_mshrs(MshrPool* pool) { m_mshrs = pool; }
  // The memory hierarchy whose tag sets the read-ahead hints load into the host's caches.
  void use_hints(const MemHierarchy* hier) { m_hint_hier = hier; }
  // And the sets of these TLBs (several cores).
  void use_tlb_hints(const Tlb* dtlb, const Tlb* stlb) {
    m_hint_tlbs[0] = dtlb;
    m_hint_tlbs[1] = stlb;
  }
  // Why the run stopped early (a problem of the simulated set-up), or empty.
  const std::string& error() const { return m_error; }
  // Several cores: the count of cores still running, which the last one to finish brings to 0
  // and then pauses the kernel (null: this core pauses it when it is done).
  void count_running(unsigned* running) { m_running = running; }
  // Several cores in AT: each item waits for this core's turn (null: none).
  void use_turns(Turns* turns) { m_turns = turns; }
  // Several cores in LT: the system's driver calls begin(), then step() until it returns false,
  // then end(), in its own process; this core's process does nothing. Its local time runs ahead
  // of the kernel's until the driver moves the kernel on and rebases it (advanced()).
  void drive_from_system() { m_driven = true; }
  void begin();
  // One item of the workload (an access with its fault handling, or an OS event); false once
  // the workload is done or a stop signal came.
  bool step();
  void end();
  sc_core::sc_time local_time() const { return m_qk.get_local_time(); }
  void advanced(const sc_core::sc_time& by) { m_qk.set(m_qk.get_local_time() - by); }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 private:
  // One access in flight (AT) or the one access (LT): its payload and what it needs at the end.
  struct Slot {
    tlm::tlm_generic_payload gp;
    TranslationExt ext;
    uint64_t data = 0;  // gp's 8 bytes (the translation itself comes back in ext)
    sc_core::sc_time issued;
    Cycles data_cycles = 0;
    Cycles data_wait = 0;  // AT: cycles the data access waits for an L1D miss register
    uint64_t index = 0;  // access number, for the event log
    bool sampled = false;  // logged in the event log
    StepVector steps;      // the walk's steps, kept for the log
    bool busy = false;
  };
  Slot& slot_of(tlm::tlm_generic_payload& gp);

  void run();
  void event(const Access& a);
  // A free slot (AT: waits for one).
  Slot& free_slot();
  void take_turn() {
    if (m_turns) m_turns->wait(m_params.index);
  }
  void pass_turn() {
    if (m_turns) m_turns->pass(m_params.index);
  }
  // One access: translation attempts (with fault handling) then the data access.
  // hinted: the access's read-ahead hint state (its oracle lookups serve the check), or null.
  void access(const Access& a, Slot& slot, const OracleHints* hinted);
  Cycles data_access(const TranslationExt& ext);
  void check(const TranslationExt& ext, const OracleHints* hinted);
  void software(Cycles c);
  void work();
  // The work's cycles counted; their time returned (zero: none).
  sc_core::sc_time count_work();
  void drain();
  void slot_done(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
  void log_event(const Slot& slot, Cycles latency);

  CoreParams m_params;
  const Clock& m_clock;
  Workload& m_workload;
  OsEmulation& m_os;
  const Scheme& m_scheme;
  tlm_utils::tlm_quantumkeeper m_qk;
  std::unique_ptr<Slot[]> m_slots;  // allocated once: max_outstanding (AT) or 1 (LT)
  unsigned m_nslots;
  unsigned m_busy = 0;
  sc_core::sc_event m_slot_freed;
  tlm_utils::peq_with_cb_and_phase<Core> m_done;  // AT: data access finished
  tlm::tlm_generic_payload m_data_gp;
  MemExt m_data_ext;
  uint64_t m_data = 0;  // m_data_gp's 8 bytes (the hierarchy keeps tags only: never moved)
  sc_core::sc_time m_data_time;  // the last data access's latency (zero: none made)
  static constexpr Cycles kNoCycles = ~Cycles{0};
  MshrPool* m_mshrs = nullptr;
  const MemHierarchy* m_hint_hier = nullptr;
  const Tlb* m_hint_tlbs[2] = {};
  double m_work_per_access;
  double m_work_carry = 0;
  // A whole number of work cycles per access leaves no carry: each access then adds the same
  // cycles and time, worked out once (m_work_whole is kNoCycles when the carry is needed).
  Cycles m_work_whole = kNoCycles;
  sc_core::sc_time m_work_time;
  LatencyHistogram m_translation_latency;
  std::FILE* m_log = nullptr;  // not owned
  sc_core::sc_time m_origin;  // when the workload started
  Stats m_stats;
  AccessProgress* m_progress = nullptr;
  uint64_t m_period = 0, m_period_left = 0;  // the hypervisor's periodic work, in accesses
  static constexpr uint64_t kStopPollEvery = uint64_t{1} << 12;  // a power of two
  std::function<void()> m_on_warmup;
  std::string m_error;
  unsigned* m_running = nullptr;
  Turns* m_turns = nullptr;
  bool m_driven = false;
  std::optional<Lookahead> m_ahead;
  uint16_t m_current = 0;  // the address space running
};

}  // namespace mmusim
