#include "testbench/system.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

namespace mmusim {

namespace {

// Adds s's counters to into's; S holds uint64_t counters only (arrays of them included).
template <class S>
void add_counters(S& into, const S& s) {
  static_assert(std::is_trivially_copyable_v<S> && sizeof(S) % sizeof(uint64_t) == 0);
  constexpr size_t n = sizeof(S) / sizeof(uint64_t);
  uint64_t a[n], b[n];
  std::memcpy(a, &into, sizeof(S));
  std::memcpy(b, &s, sizeof(S));
  for (size_t i = 0; i < n; ++i) a[i] += b[i];
  std::memcpy(&into, a, sizeof(S));
}

// Core i's memory: cores after the first share core 0's LLC (System::System), so they build no
// tag array of their own for it.
MemoryParams node_memory(const SimConfig& cfg, unsigned core) {
  MemoryParams p = cfg.memory;
  if (core > 0) p.hierarchy.level[2] = CacheParams{};  // disabled: nothing allocated
  return p;
}

}  // namespace

CoreParams make_core_params(const SimConfig& cfg, std::FILE* event_log, unsigned index) {
  CoreParams p;
  p.check = cfg.sim.check;
  p.at = cfg.sim.timing == "at";
  p.quantum_cycles = cfg.sim.quantum_cycles;
  p.max_fault_retries = cfg.sim.max_fault_retries;
  p.base_cpi = cfg.core.base_cpi;
  p.instructions_per_access = cfg.core.instructions_per_access;
  p.data_accesses = cfg.core.data_accesses;
  p.max_outstanding = cfg.core.max_outstanding;
  p.event_log = event_log;
  p.event_log_every = cfg.stats.event_log_every;
  p.warmup = cfg.warmup;
  p.index = index;
  p.cores = cfg.cores;
  return p;
}

CpuNode::CpuNode(const std::string& suffix, const SimConfig& cfg, const CoreParams& params,
                 const Clock& clock, Machine& machine, Workload& workload, OsEmulation& os)
    : memory(("memory" + suffix).c_str(), machine.mem(), clock, node_memory(cfg, params.index)),
      mmu(("mmu" + suffix).c_str(), cfg.mmu, clock, machine.scheme(), cfg.machine.levels,
          cfg.machine.host_levels),
      core(("core" + suffix).c_str(), params, clock, workload, os, machine) {
  core.mmu.bind(mmu.cpu);
  core.mem.bind(memory.socket);
  mmu.mem_port().bind(memory.socket);
  // The L1D's miss registers (AT timing only): data accesses, and walk reads when they enter
  // at the L1D.
  core.use_mshrs(&memory.mshrs());
  core.use_hints(&memory.hierarchy());
  if (params.cores > 1) core.use_tlb_hints(&mmu.dtlb().tlb(), &mmu.stlb().tlb());
  if (memory.walker_entry() == MemLevel::kL1) mmu.walker().use_mshrs(&memory.mshrs());
}

System::System(sc_core::sc_module_name name, const SimConfig& cfg, const Clock& clock,
               Machine& machine, const std::vector<std::unique_ptr<Workload>>& workloads,
               OsEmulation& os, std::FILE* event_log)
    : sc_module(name), running(static_cast<unsigned>(workloads.size())),
      m_quantum(clock.cycles(cfg.sim.quantum_cycles)), m_interleave(cfg.sim.interleave) {
  const unsigned n = static_cast<unsigned>(workloads.size());
  const bool at = cfg.sim.timing == "at";
  if (n > 1 && at) m_turns = std::make_unique<Turns>(n);
  for (unsigned i = 0; i < n; ++i) {
    const std::string suffix = n == 1 ? "" : std::to_string(i);
    nodes.push_back(std::make_unique<CpuNode>(suffix, cfg, make_core_params(cfg, event_log, i),
                                              clock, machine, *workloads[i], os));
    Core& core = nodes[i]->core;
    if (n == 1) continue;
    // Every core's L2 misses into core 0's LLC (core 0's own included), which then notes the
    // core filling each line.
    nodes[i]->memory.hierarchy().share_llc(nodes[0]->memory.hierarchy(), i);
    core.count_running(&running);
    if (at)
      core.use_turns(m_turns.get());
    else
      core.drive_from_system();
  }
  if (n > 1 && !at) {
    SC_HAS_PROCESS(System);
    SC_THREAD(drive);
  }
}

void System::drive() {
  try {
    for (auto& n : nodes) {
      n->core.begin();
      m_live.push_back(&n->core);
    }
    while (!m_live.empty()) {
      for (size_t i = 0; i < m_live.size();) {
        bool more = true;
        for (uint64_t k = 0; k < m_interleave && more; ++k) more = m_live[i]->step();
        if (more) {
          ++i;
          continue;
        }
        m_live[i]->end();
        m_live.erase(m_live.begin() + static_cast<std::ptrdiff_t>(i));
      }
      if (m_live.empty()) break;
      sc_core::sc_time ahead = m_live[0]->local_time();
      for (Core* c : m_live) ahead = std::min(ahead, c->local_time());
      if (ahead < m_quantum) continue;
      sc_core::wait(ahead);
      for (Core* c : m_live) c->advanced(ahead);
    }
  } catch (const std::exception& e) {
    m_error = e.what();
  }
  sc_core::sc_pause();
}

std::string System::error() const {
  if (!m_error.empty()) return m_error;
  for (const auto& n : nodes)
    if (!n->core.error().empty()) return n->core.error();
  return {};
}

Core::Stats System::core_stats() const {
  Core::Stats total{};
  uint64_t cycles = 0;
  for (const auto& n : nodes) {
    add_counters(total, n->core.stats());
    cycles = std::max(cycles, n->core.stats().cycles);
  }
  total.cycles = cycles;
  return total;
}

PageWalker::Stats System::walker_stats() const {
  PageWalker::Stats total{};
  for (const auto& n : nodes) add_counters(total, n->mmu.walker().stats());
  return total;
}

System::LlcSharing System::llc_sharing() const {
  LlcSharing total;
  for (const auto& n : nodes) {
    const MemHierarchy& h = n->memory.hierarchy();
    total.hits += h.llc_hits();
    total.shared_hits += h.llc_shared_hits();
  }
  return total;
}

}  // namespace mmusim
