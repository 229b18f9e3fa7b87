// The whole simulation's parameters, read from YAML through the typed config reader.
#pragma once

#include <string>

#include "models/machine.h"
#include "testbench/config_reader.h"
#include "models/software_costs.h"
#include "testbench/tea_manager.h"
#include "testbench/trace_workload.h"
#include "testbench/workload.h"
#include "tlm/memory.h"
#include "tlm/mmu.h"

namespace mmusim {

struct SimParams {
  std::string timing = "lt";
  bool check = true;
  bool cold = false;
  double clock_mhz = 2000.0;
  uint64_t quantum_cycles = 100000;
  uint64_t max_fault_retries = 4;
  uint64_t interleave = 1;  // several cores, LT: items a core takes before the next core's
};

struct CoreModelParams {
  double base_cpi = 0.5;
  double instructions_per_access = 4.0;
  bool data_accesses = true;
  unsigned max_outstanding = 8;
};

struct StatsParams {
  unsigned step_vectors = 20;
  std::string event_log;  // relative to the output directory; empty: off
  uint64_t event_log_every = 1000;
};

struct SimConfig {
  SimParams sim;
  MachineParams machine;
  MmuParams mmu;
  MemoryParams memory;
  CoreModelParams core;
  StatsParams stats;
  SyntheticParams workload;
  TraceWorkloadParams trace;  // workload.kind trace
  uint64_t warmup = 0;        // accesses simulated before the counted ones
  bool prefault = true;
  bool pcid = true;
  SoftwareCosts software;
  TeaPolicy tea;  // DMT: which VMAs the (guest) OS gives a TEA (registers: mmu.dmt.registers)
  unsigned cores = 1;            // system.cores
  bool private_regions = false;  // workload.sharing: private
  bool threads_per_core = false; // workload.threads: per_core (traces)
  uint64_t seed = 1;             // system.seed
  bool break_remote_invalidation = false;  // tests only: shootdowns skip the targets' flushes
};

// Reads every parameter (defaults where absent), then rejects unknown keys. Throws ConfigError.
SimConfig read_sim_config(ConfigDoc& doc);

// Worst-case analysis: every TLB, PWC and nested TLB disabled and page-walk reads sent straight
// to DRAM, so every access walks and every walk reference reaches memory.
void make_cold(SimConfig& cfg);

}  // namespace mmusim
