// Readers of the keys of several cores: system.cores, workload.sharing and the shootdown costs
// (software.shootdown), and what several cores do not run yet.
#pragma once

#include "testbench/sim_config.h"

namespace mmusim {

// system.cores.
void read_cores(ConfigNode& sys, SimConfig& cfg);
// workload.sharing, and the private regions inside the virtual address space.
void read_sharing(ConfigNode& wl, SimConfig& cfg);
// software.shootdown.
void read_shootdown_costs(ConfigNode& sw, ShootdownCosts& c);
// Refuses, at system.cores, what several cores do not run (naming the other key).
void check_cores(ConfigNode& sys, const SimConfig& cfg);

// Core `core`'s synthetic stream: core 0's is the configured one; another core's has its own
// seed, starts in address space core % processes + 1 and, with private sharing, its own region.
SyntheticParams core_workload(const SimConfig& cfg, unsigned core);
// Core `core`'s trace reader: its threads' records (threads per_core).
TraceWorkloadParams core_trace(const SimConfig& cfg, unsigned core);

}  // namespace mmusim
