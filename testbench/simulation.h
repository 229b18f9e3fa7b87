// Builds the simulated system from a config, runs it, and writes stats.json, stats.txt and the
// resolved config into the output directory.
#pragma once

#include <cstdio>
#include <filesystem>
#include <iosfwd>
#include <string>

#include "testbench/system.h"
#include "testbench/sim_config.h"

namespace mmusim {

struct RunOptions {
  std::string out_dir = "out";
  std::string config_label;    // what the summary says was run
  std::string effective_yaml;  // written as out_dir/config.yaml
  bool progress = false;       // a progress line on stderr while running (when a terminal)
  std::string waves;           // FST file for the RTL DMT unit's signals (empty: none)
};

// Headline figures, also the `summary` object of stats.json.
struct Summary {
  uint64_t accesses = 0, translations = 0, walks = 0, walk_refs = 0, walk_serial_refs = 0;
  uint64_t fault_walks = 0, fault_walk_refs = 0, faults = 0, oracle_mismatches = 0;
  uint64_t cycles = 0;
  uint64_t total_cycles = 0;  // translation, walk and emulated software cycles
  uint64_t vm_exits = 0;
  double refs_per_walk = 0, serial_refs_per_walk = 0, walk_cycles_avg = 0;
  double translation_cycles_avg = 0, walk_overhead = 0;
  double walk_pending_avg = 0;  // walk cycles plus (at) waits for L1D miss registers, per walk
  double l1_tlb_hit_rate = 0, stlb_hit_rate = 0;
  double accesses_per_second = 0;  // simulator speed: wall clock, not simulated
  unsigned cores = 1;  // several: the figures above are the cores' totals, and these follow
  uint64_t shootdowns = 0, shootdown_ipis = 0, shootdown_cycles = 0;
  double shootdown_cycles_avg = 0;
  uint64_t llc_shared_hits = 0;        // LLC hits on lines another core filled
  double llc_shared_hit_fraction = 0;  // of the cores' LLC hits
};

// Writes text to path through a temporary file and a rename: readers see all of it or nothing.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

// Runs one simulation (once per process: SystemC elaborates once). Throws std::runtime_error on
// a problem of the simulated machine's set-up (memory exhausted) or of writing the output.
Summary run_simulation(const SimConfig& cfg, const RunOptions& options, std::ostream& log);

}  // namespace mmusim
