// The core: issues a workload's accesses to the MMU as timed TLM transactions (LT, with a quantum
// keeper), lets the OS emulation handle faults, and checks every translation against the oracle.
#pragma once

#include <functional>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/machine.h"
#include "testbench/os_emulation.h"
#include "testbench/workload.h"
#include "tlm/clock.h"
#include "tlm/translation_ext.h"

namespace mmusim {

struct CoreParams {
  bool check = true;
  uint64_t quantum_cycles = 100000;
  uint64_t max_fault_retries = 4;
  uint64_t warmup = 0;  // accesses after which at_warmup_end's function runs (0: none)
};

class Core : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Core> mmu;

  Core(sc_core::sc_module_name name, const CoreParams& params, const Clock& clock,
       Workload& workload, OsEmulation& os, const Machine& machine);
  ~Core() override;

  struct Stats {
    uint64_t accesses = 0;
    uint64_t translations = 0;        // accesses that got a translation
    uint64_t translation_cycles = 0;  // latency of those translations (their final attempt)
    uint64_t fault_cycles = 0;        // latency of attempts that faulted
    uint64_t software_cycles = 0;     // emulated OS and hypervisor time (handlers, VM exits)
    uint64_t events = 0;              // OS events in the workload (context switches, unmaps)
    uint64_t faults = 0;              // faults reported by the MMU (all kinds)
    uint64_t abandoned = 0;           // accesses given up after a fault
    uint64_t l1_hits = 0, stlb_hits = 0, walked = 0;
    uint64_t checked = 0, oracle_mismatches = 0;
    uint64_t cycles = 0;              // simulated time at the end, in cycles
  };
  const Stats& stats() const { return m_stats; }
  void report(StatsVisitor& v) const;
  // Runs f once the warm-up's accesses are done (stats.cycles then holds the time so far).
  void at_warmup_end(std::function<void()> f) { m_on_warmup = std::move(f); }
  // Why the run stopped early (a problem of the simulated set-up), or empty.
  const std::string& error() const { return m_error; }

 private:
  void run();
  void issue();
  void check(const TranslationExt& ext);
  void software(Cycles c);

  CoreParams m_params;
  const Clock& m_clock;
  Workload& m_workload;
  OsEmulation& m_os;
  const Machine& m_machine;
  tlm_utils::tlm_quantumkeeper m_qk;
  tlm::tlm_generic_payload m_gp;
  TranslationExt m_ext;
  Stats m_stats;
  std::function<void()> m_on_warmup;
  std::string m_error;
};

}  // namespace mmusim
