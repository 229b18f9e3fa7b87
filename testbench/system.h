// The simulated system: one node per core (core -> MMU -> its L1D and L2), every node's L2
// missing into the LLC and DRAM of node 0's hierarchy, which all share. With one core the
// modules are named core, mmu and memory; with several, core0, mmu0, memory0, core1, ...
#pragma once

#include <cstdio>
#include <memory>
#include <vector>

#include "testbench/core.h"
#include "testbench/sim_config.h"
#include "tlm/memory.h"
#include "tlm/mmu.h"

namespace mmusim {

struct CpuNode {
  CpuNode(const std::string& suffix, const SimConfig& cfg, const CoreParams& params,
          const Clock& clock, Machine& machine, Workload& workload, OsEmulation& os);
  Memory memory;
  Mmu mmu;
  Core core;
};

struct System : sc_core::sc_module {
  // workloads: one per core; params(i): core i's parameters.
  System(sc_core::sc_module_name name, const SimConfig& cfg, const Clock& clock,
         Machine& machine, const std::vector<std::unique_ptr<Workload>>& workloads,
         OsEmulation& os, std::FILE* event_log);
  unsigned cores() const { return static_cast<unsigned>(nodes.size()); }
  CpuNode& node(unsigned i) { return *nodes[i]; }
  const CpuNode& node(unsigned i) const { return *nodes[i]; }
  // The first error a core stopped on, or empty.
  std::string error() const;
  // The cores' figures added up (cycles: the longest core's), and the walkers'.
  Core::Stats core_stats() const;
  PageWalker::Stats walker_stats() const;
  // The cores' LLC hits added up, and those on lines another core filled (several cores only).
  struct LlcSharing {
    uint64_t hits = 0, shared_hits = 0;
  };
  LlcSharing llc_sharing() const;

  std::vector<std::unique_ptr<CpuNode>> nodes;
  unsigned running;  // cores still running their workload (AT)

 private:
  // Several cores in LT: steps them round robin, sim.interleave items each (1: as AT's turns
  // order them), and moves the kernel's time on once every running core is a quantum ahead.
  void drive();
  // What the next round of steps needs: the running cores, in order.
  std::vector<Core*> m_live;
  std::unique_ptr<Turns> m_turns;  // several cores in AT
  sc_core::sc_time m_quantum;
  uint64_t m_interleave;
  std::string m_error;
};

// Core `index`'s parameters from a config; event_log is the open log (or null: off).
CoreParams make_core_params(const SimConfig& cfg, std::FILE* event_log = nullptr,
                            unsigned index = 0);

}  // namespace mmusim
