#include "testbench/simulation.h"

#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <ostream>
#include <stdexcept>

#include "testbench/core.h"
#include "testbench/multicore_config.h"
#include "testbench/stats_delta.h"
#include "testbench/stats_writer.h"
#include "testbench/stop_signal.h"
#include "testbench/system.h"
#include "testbench/trace_workload.h"

namespace mmusim {

namespace {

using WallClock = std::chrono::steady_clock;

double seconds_since(WallClock::time_point t) {
  return std::chrono::duration<double>(WallClock::now() - t).count();
}

uint64_t peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<uint64_t>(ru.ru_maxrss);
}

// Figures of the measured accesses: the end-of-run stats minus those at the end of the warm-up
// (c0, w0, exits0; zero without a warm-up).
Summary summarize(const Core::Stats& c, const Core::Stats& c0, const PageWalker::Stats& w,
                  const PageWalker::Stats& w0, unsigned walkers, uint64_t exits, uint64_t exits0,
                  double run_seconds) {
  Summary s;
  s.accesses = c.accesses - c0.accesses;
  s.translations = c.translations - c0.translations;
  s.walks = w.walks - w0.walks;
  s.walk_refs = w.walk_refs - w0.walk_refs;
  s.walk_serial_refs = w.walk_serial_refs - w0.walk_serial_refs;
  s.fault_walks = w.fault_walks - w0.fault_walks;
  s.fault_walk_refs = w.fault_walk_refs - w0.fault_walk_refs;
  s.faults = c.faults - c0.faults;
  s.oracle_mismatches = c.oracle_mismatches - c0.oracle_mismatches;
  s.cycles = c.cycles - c0.cycles;
  s.total_cycles = (c.translation_cycles - c0.translation_cycles) +
                   (c.fault_cycles - c0.fault_cycles) + (c.software_cycles - c0.software_cycles);
  s.vm_exits = exits - exits0;
  s.refs_per_walk = ratio(s.walk_refs, s.walks);
  s.serial_refs_per_walk = ratio(s.walk_serial_refs, s.walks);
  s.walk_cycles_avg = ratio(w.walk_cycles - w0.walk_cycles, s.walks);
  // The DMT artifact's average walk latency, walk_pending / walk_completed: in AT a walk is
  // pending for its cycles plus the time its reads waited for L1D miss registers.
  const uint64_t waits = w.mshr_wait_cycles - w0.mshr_wait_cycles;
  const uint64_t fault_waits = w.fault_mshr_wait_cycles - w0.fault_mshr_wait_cycles;
  s.walk_pending_avg = ratio(w.walk_cycles - w0.walk_cycles + waits, s.walks);
  // Cycles with a walk in progress, over the walkers' cycles (the DMT artifact's definition:
  // walk_pending / (walkers x cycles)). LT walks one at a time: one walker.
  s.walk_overhead = ratio(double(w.walk_cycles - w0.walk_cycles) +
                              double(w.fault_walk_cycles - w0.fault_walk_cycles) +
                              double(waits + fault_waits),
                          double(walkers) * double(s.cycles));
  s.translation_cycles_avg = ratio(c.translation_cycles - c0.translation_cycles, s.translations);
  const uint64_t l1_hits = c.l1_hits - c0.l1_hits;
  s.l1_tlb_hit_rate = ratio(l1_hits, s.translations);
  s.stlb_hit_rate = ratio(c.stlb_hits - c0.stlb_hits, s.translations - l1_hits);
  s.accesses_per_second = ratio(c.accesses, run_seconds);
  return s;
}

// Several cores: the shootdowns' figures since the warm-up.
void add_shootdowns(Summary& s, unsigned cores, const Shootdowns::Stats& d,
                    const Shootdowns::Stats& d0) {
  s.cores = cores;
  s.shootdowns = d.shootdowns - d0.shootdowns;
  s.shootdown_ipis = d.ipis - d0.ipis;
  s.shootdown_cycles = d.initiator_cycles - d0.initiator_cycles;
  s.shootdown_cycles_avg = ratio(s.shootdown_cycles, s.shootdowns);
}

// Several cores: the shared LLC's hits on lines another core filled, since the warm-up.
void add_llc_sharing(Summary& s, const System::LlcSharing& l, const System::LlcSharing& l0) {
  s.llc_shared_hits = l.shared_hits - l0.shared_hits;
  s.llc_shared_hit_fraction = ratio(s.llc_shared_hits, l.hits - l0.hits);
}

void report_summary(const Summary& s, StatsVisitor& v) {
  v.counter("accesses", s.accesses, "count", "accesses issued");
  v.counter("translations", s.translations, "count", "accesses translated");
  v.counter("walks", s.walks, "count", "walks that ended in a translation");
  v.counter("walk_refs", s.walk_refs, "count", "memory references of those walks");
  v.real("refs_per_walk", s.refs_per_walk, "refs", "walk_refs / walks");
  v.counter("walk_serial_refs", s.walk_serial_refs, "count",
            "references on those walks' longest chains of dependent reads (reads issued in "
            "parallel count once)");
  v.real("serial_refs_per_walk", s.serial_refs_per_walk, "refs", "walk_serial_refs / walks");
  v.real("walk_cycles_avg", s.walk_cycles_avg, "cycles", "average latency of those walks");
  v.real("walk_pending_avg", s.walk_pending_avg, "cycles",
         "average cycles those walks were in progress: their latency plus (at) waits for L1D "
         "miss registers; the DMT artifact's walk_pending / walk_completed");
  v.real("translation_cycles_avg", s.translation_cycles_avg, "cycles",
         "average translation latency (TLB hits and walks)");
  v.counter("fault_walks", s.fault_walks, "count", "walks that ended in a fault");
  v.counter("fault_walk_refs", s.fault_walk_refs, "count", "memory references of those");
  v.counter("faults", s.faults, "count", "faults reported by the MMU");
  v.counter("oracle_mismatches", s.oracle_mismatches, "count",
            "translations or faults that differ from the oracle");
  v.counter("total_cycles", s.total_cycles, "cycles",
            "translation, walk and emulated software (OS, VM exit) cycles");
  v.counter("vm_exits", s.vm_exits, "count", "VM exits, all reasons");
  v.real("l1_tlb_hit_rate", s.l1_tlb_hit_rate, "ratio", "translations served by L1 TLBs");
  v.real("stlb_hit_rate", s.stlb_hit_rate, "ratio", "L1 misses served by the STLB");
  v.counter("cycles", s.cycles, "cycles",
            "simulated cycles: non-memory work, translations, data accesses and software (at: "
            "overlapped)");
  v.real("walk_overhead", s.walk_overhead, "ratio",
         "page-walk overhead: walk cycles / (walkers x cycles); walkers = 1 in lt, "
         "mmu.walker.max_inflight in at");
  if (s.cores > 1) {
    v.state("cores", s.cores, "count",
            "cores (system.cores); the figures above are their totals");
    v.counter("shootdowns", s.shootdowns, "count",
              "mapping changes shot down on other cores running the address space");
    v.counter("shootdown_ipis", s.shootdown_ipis, "count", "IPIs those shootdowns sent");
    v.counter("shootdown_cycles", s.shootdown_cycles, "cycles",
              "the initiators' sends and waits for the slowest acknowledgement");
    v.real("shootdown_cycles_avg", s.shootdown_cycles_avg, "cycles",
           "shootdown_cycles / shootdowns: an initiator's cost of one shootdown");
    v.counter("llc_shared_hits", s.llc_shared_hits, "count",
              "LLC hits (page-walk reads and data) on lines another core filled");
    v.real("llc_shared_hit_fraction", s.llc_shared_hit_fraction, "ratio",
           "llc_shared_hits / the cores' LLC hits");
  }
  v.real("accesses_per_second", s.accesses_per_second, "1/s",
         "simulator speed (wall clock; not a simulated figure)");
}

// The workloads the config names, one per core; a synthetic one runs its warm-up too. traces:
// the trace workloads (none for a synthetic one).
std::vector<std::unique_ptr<Workload>> make_workloads(const SimConfig& cfg,
                                                      std::vector<TraceWorkload*>& traces) {
  std::vector<std::unique_ptr<Workload>> w;
  for (unsigned c = 0; c < cfg.cores; ++c) {
    if (cfg.workload.kind == "trace") {
      auto t = std::make_unique<TraceWorkload>(core_trace(cfg, c));
      traces.push_back(t.get());
      w.push_back(std::move(t));
    } else {
      w.push_back(std::make_unique<SyntheticWorkload>(core_workload(cfg, c)));
    }
  }
  return w;
}

// The VMAs the OS sets up: every core's (shared regions: core 0's, which the others share).
std::vector<Vma> all_vmas(const SimConfig& cfg,
                          const std::vector<std::unique_ptr<Workload>>& workloads) {
  std::vector<Vma> vmas = workloads[0]->vmas();
  if (!cfg.private_regions) return vmas;
  for (size_t c = 1; c < workloads.size(); ++c)
    for (Vma v : workloads[c]->vmas()) {
      v.name += "." + std::to_string(c);
      vmas.push_back(v);
    }
  return vmas;
}

using EventLog = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// Opened here, not in the core: an error must not escape a module's constructor.
EventLog open_event_log(const SimConfig& cfg, const std::filesystem::path& dir) {
  EventLog event_log(nullptr, &std::fclose);
  if (!cfg.stats.event_log.empty()) {
    const std::filesystem::path path = dir / cfg.stats.event_log;
    event_log.reset(std::fopen(path.c_str(), "w"));
    if (!event_log) throw std::runtime_error("cannot write the event log " + path.string());
  }
  return event_log;
}

// Verilated tracing attaches once the kernel has run its first delta cycle.
void trace_waves(System& system, const std::string& waves) {
  const std::filesystem::path parent = std::filesystem::path(waves).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  system.node(0).mmu.dmt().trace(waves);
}

// What reports stats: the modules, the OS, the machine and (trace) the workloads.
struct Reporters {
  System& system;
  OsEmulation& os;
  Machine& machine;
  const std::vector<TraceWorkload*>& traces;  // one per core, or none
};

// One core's modules (several cores: in the core's own group, with its part of the OS).
void report_node(StatsVisitor& v, const Reporters& r, unsigned i) {
  const CpuNode& n = r.system.node(i);
  v.begin("core");
  n.core.report(v);
  v.end();
  v.begin("mmu");
  n.mmu.report(v);
  v.end();
  v.begin("memory");
  n.memory.report(v);
  v.end();
}

void report_modules(StatsVisitor& v, const Reporters& r) {
  const unsigned cores = r.system.cores();
  for (unsigned i = 0; i < cores; ++i) {
    if (cores == 1) {
      report_node(v, r, i);
      continue;
    }
    v.begin(("cpu" + std::to_string(i)).c_str());
    report_node(v, r, i);
    v.begin("os");
    r.os.report_core(i, v);
    v.end();
    if (!r.traces.empty()) {
      v.begin_state("workload");  // its threads' records, warm-up included
      r.traces[i]->report(v);
      v.end();
    }
    v.end();
  }
  v.begin("os");
  r.os.report(v);
  v.end();
  v.begin_state("machine");  // tables, frames and pages: end-of-run state
  r.machine.report(v);
  v.end();
  if (cores == 1 && !r.traces.empty()) {
    v.begin_state("workload");  // the trace's records, warm-up included
    r.traces[0]->report(v);
    v.end();
  }
}

// The figures when the warm-up ends, subtracted from the final ones (zero without a warm-up).
struct WarmupBase {
  StatsSnapshot stats;
  Core::Stats core{};
  PageWalker::Stats walker{};
  uint64_t exits = 0;
  Shootdowns::Stats shootdowns{};
  System::LlcSharing llc;
};

void take_warmup_base(WarmupBase& warm, const Reporters& r) {
  report_modules(warm.stats, r);
  warm.stats.mark_taken();
  warm.core = r.system.core_stats();
  warm.walker = r.system.walker_stats();
  warm.exits = r.os.vm_exits();
  warm.shootdowns = r.os.shootdowns().stats();
  warm.llc = r.system.llc_sharing();
}

// Runs the kernel until the workload ends; returns the wall-clock seconds it took.
double run_kernel(System& system, const Workload& workload, bool show_progress) {
  AccessProgress progress("mmusim run", workload.count());
  Core& core = system.node(0).core;  // its accesses stand for the run's progress
  if (show_progress) core.show_progress(&progress);
  const auto t_run = WallClock::now();
  sc_core::sc_start();
  const double run_seconds = seconds_since(t_run);
  progress.finish();
  core.show_progress(nullptr);
  return run_seconds;
}

struct HostTimes {
  double setup_seconds, run_seconds;
};

// The stats tree: the summary, every module's stats (less the warm-up's), the host's figures.
void report_tree(StatsVisitor& v, const Summary& s, const Reporters& r, const WarmupBase& warm,
                 const HostTimes& host) {
  v.begin("summary");
  report_summary(s, v);
  v.end();
  if (warm.stats.taken()) {
    StatsDelta delta(v, warm.stats);  // state, as the stats declare it, is not subtracted
    report_modules(delta, r);
  } else {
    report_modules(v, r);
  }
  v.begin("host");
  v.real("setup_seconds", host.setup_seconds, "s", "wall clock: building tables and modules");
  v.real("run_seconds", host.run_seconds, "s", "wall clock: the simulation loop");
  v.counter("peak_rss_kib", peak_rss_kib(), "KiB", "peak resident memory of the simulator");
  v.end();
}

// stats.json, stats.txt and (when given) the resolved config.
void write_outputs(const std::filesystem::path& dir, const RunOptions& options, const Summary& s,
                   const Reporters& r, const WarmupBase& warm, const HostTimes& host) {
  JsonStatsWriter json;
  report_tree(json, s, r, warm, host);
  TextStatsWriter text;
  report_tree(text, s, r, warm, host);

  write_file_atomically(dir / "stats.json", json.finish());
  write_file_atomically(dir / "stats.txt", text.text());
  if (!options.effective_yaml.empty())
    write_file_atomically(dir / "config.yaml", options.effective_yaml);
}

// The run's headline: what was run, then the summary's main figures and the simulator's speed.
void log_summary(std::ostream& log, const SimConfig& cfg, const Scheme& scheme,
                 const RunOptions& options, const Summary& s, const HostTimes& host,
                 const std::filesystem::path& dir) {
  char line[256];
  log << "mmusim: " << options.config_label << " (" << scheme.describe()
      << (cfg.sim.cold ? ", cold" : "") << ")\n";
  std::snprintf(line, sizeof line,
                "  accesses %llu  translations %llu  faults %llu  oracle mismatches %llu\n",
                (unsigned long long)s.accesses, (unsigned long long)s.translations,
                (unsigned long long)s.faults, (unsigned long long)s.oracle_mismatches);
  log << line;
  std::snprintf(line, sizeof line,
                "  L1 TLB hit rate %.4f  STLB hit rate %.4f  walks %llu  refs/walk %.3f\n",
                s.l1_tlb_hit_rate, s.stlb_hit_rate, (unsigned long long)s.walks,
                s.refs_per_walk);
  log << line;
  std::snprintf(line, sizeof line,
                "  walk latency %.1f cycles  translation latency %.2f cycles  total %llu cycles  "
                "VM exits %llu\n",
                s.walk_cycles_avg, s.translation_cycles_avg, (unsigned long long)s.total_cycles,
                (unsigned long long)s.vm_exits);
  log << line;
  if (s.walk_pending_avg != s.walk_cycles_avg) {
    std::snprintf(line, sizeof line,
                  "  walk pending %.1f cycles (with waits for L1D miss registers)  walk overhead "
                  "%.3f\n",
                  s.walk_pending_avg, s.walk_overhead);
    log << line;
  }
  std::snprintf(line, sizeof line,
                "  speed %.2f M accesses/s (setup %.2f s, run %.2f s)  stats: %s\n",
                s.accesses_per_second / 1e6, host.setup_seconds, host.run_seconds,
                (dir / "stats.json").string().c_str());
  log << line;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::string tmp = path.string() + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    throw std::runtime_error(path.string() + ": cannot create " + tmp + ": " +
                             std::strerror(errno));
  const char* step = "write failed";
  int err = 0;
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size()) err = errno ? errno : EIO;
  // fclose flushes: a full disk or a size limit may show only here.
  if (std::fclose(f) != 0 && !err) err = errno ? errno : EIO;
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    step = "cannot rename into place";
  }
  if (err) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path.string() + ": " + step + ": " + std::strerror(err));
  }
}

Summary run_simulation(const SimConfig& cfg, const RunOptions& options, std::ostream& log) {
  const auto t_setup = WallClock::now();
  Machine machine(cfg.machine);
  std::vector<TraceWorkload*> traces;
  const std::vector<std::unique_ptr<Workload>> workloads = make_workloads(cfg, traces);
  OsEmulation os(machine, all_vmas(cfg, workloads), cfg.software, cfg.pcid, cfg.tea, cfg.seed);
  if (cfg.break_remote_invalidation) os.shootdowns().break_remote_invalidation();
  if (cfg.prefault && !os.prefault())
    throw std::runtime_error("prefault: simulated physical memory exhausted; raise "
                             "system.guest_mem_gib / system.host_mem_gib or lower "
                             "workload.footprint_mib");
  const Clock clock(cfg.sim.clock_mhz);
  const std::filesystem::path dir(options.out_dir);
  std::filesystem::create_directories(dir);
  const EventLog event_log = open_event_log(cfg, dir);
  System system("system", cfg, clock, machine, workloads, os, event_log.get());
  for (unsigned i = 0; i < system.cores(); ++i)
    os.attach(system.node(i).mmu, workloads[i]->first_asid());
  if (!options.waves.empty()) trace_waves(system, options.waves);
  HostTimes host{};
  host.setup_seconds = seconds_since(t_setup);

  const Reporters reporters{system, os, machine, traces};
  WarmupBase warm;
  // Several cores: the base is taken when the last one ends its warm-up.
  unsigned warming = system.cores();
  for (unsigned i = 0; i < system.cores(); ++i)
    system.node(i).core.at_warmup_end([&] {
      if (--warming == 0) take_warmup_base(warm, reporters);
    });
  host.run_seconds = run_kernel(system, *workloads[0], options.progress);
  if (const std::string e = system.error(); !e.empty()) throw std::runtime_error(e);
  if (const int sig = stop_signal()) throw Interrupted(sig);
  if (cfg.warmup && !warm.stats.taken())
    throw std::runtime_error("the workload ended within its warm-up of " +
                             std::to_string(cfg.warmup) + " accesses");

  // Walkers of every core: walk_overhead is over the cores' cycles.
  const unsigned walkers =
      (cfg.sim.timing == "at" ? system.node(0).mmu.walker().max_inflight() : 1) * system.cores();
  Summary s = summarize(system.core_stats(), warm.core, system.walker_stats(), warm.walker,
                        walkers, os.vm_exits(), warm.exits, host.run_seconds);
  add_shootdowns(s, system.cores(), os.shootdowns().stats(), warm.shootdowns);
  add_llc_sharing(s, system.llc_sharing(), warm.llc);
  write_outputs(dir, options, s, reporters, warm, host);
  log_summary(log, cfg, machine.scheme(), options, s, host, dir);
  return s;
}

}  // namespace mmusim
