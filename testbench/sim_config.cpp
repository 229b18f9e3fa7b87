#include "testbench/sim_config.h"

#include <algorithm>

#include "models/scheme_factory.h"
#include "testbench/hardware_config.h"
#include "testbench/multicore_config.h"

namespace mmusim {

namespace {

// sim: timing model, checking and the quantum.
void read_sim(ConfigNode root, SimConfig& cfg) {
  ConfigNode sim = root.section("sim", "simulation control");
  cfg.sim.timing = sim.get_enum(
      "timing", "lt", {"lt", "at"},
      "lt = loosely timed (b_transport, quantum keeper: one access at a time); at = "
      "approximately timed (nb_transport with payload event queues: core.max_outstanding "
      "accesses and mmu.walker.max_inflight walks overlap); functional results are identical");
  cfg.sim.check = sim.get_bool("check", true,
                               "check every translation against the oracle");
  cfg.sim.cold = sim.get_bool("cold", false,
                              "worst case: disable every TLB, PWC, nested TLB and CWC (--cold)");
  cfg.sim.clock_mhz = sim.get_double("clock_mhz", 2000.0, 1.0, 100000.0, "core clock in MHz");
  cfg.sim.quantum_cycles = sim.get_uint("quantum_cycles", 100000, 1, uint64_t{1} << 40,
                                        "LT global quantum: cycles a core runs ahead");
  cfg.sim.max_fault_retries = sim.get_uint(
      "max_fault_retries", 4, 1, 64, "faults one access may take before it is abandoned");
  cfg.sim.interleave = sim.get_uint(
      "interleave", 1, 1, uint64_t{1} << 20,
      "several cores: workload items (accesses or OS events) a core takes before the next "
      "core's, round robin; 1 = AT's order, so LT and AT give the same functional stats; more "
      "runs LT faster on the host, with a coarser interleaving at the shared LLC and page "
      "tables (LT only: AT cores overlap in time, an item each)");
  if (cfg.sim.interleave > 1 && cfg.sim.timing == "at")
    sim.fail("interleave", "is LT only (sim.timing is at: cores overlap in time, an item each)");
}

// system: the native or guest and host paging.
void read_paging(ConfigNode& sys, MachineParams& m) {
  const std::string virt = sys.get_enum(
      "virtualization", "ept", virtualization_names(),
      "none = native paging; ept = 2D guest x EPT walk; shadow = hardware walks the "
      "hypervisor's gVA -> hPA shadow tables; nested = an L2 guest under an L1 hypervisor "
      "under L0; agile = Agile Paging (Gandhi et al., ISCA'16): walks start in the shadow "
      "table and switch to guest table x EPT below the guest tables the guest writes often "
      "(system.agile)");
  const std::string walk = sys.get_enum(
      "nested_walk", "shadow_ept", nested_walk_names(),
      "nested only: shadow_ept = L0 composes EPT12 and EPT01 into EPT02 and hardware walks L2 "
      "table x EPT02 (as KVM does); hw3d = a hypothetical hardware walk of L2 table x EPT12 x "
      "EPT01");
  select_by_names(virt, walk, m);
  m.levels = static_cast<unsigned>(sys.get_uint("levels", 4, 4, 5, "native or guest levels"));
  m.host_levels = static_cast<unsigned>(sys.get_uint("host_levels", 4, 4, 5, "EPT levels"));
  m.guest_pages.size = sys.get_page_size("guest_page", PageSize::k4K,
                                         "native or guest page size: 4K, 2M or 1G");
  m.host_pages.size = sys.get_page_size("host_page", PageSize::k4K,
                                        "host (EPT) page size: 4K, 2M or 1G");
  m.guest_pages.huge_fraction = sys.get_double(
      "guest_huge_fraction", 1.0, 0.0, 1.0,
      "fraction of regions that get guest_page when it is 2M/1G; the rest use smaller pages");
  m.host_pages.huge_fraction = sys.get_double("host_huge_fraction", 1.0, 0.0, 1.0,
                                              "the same for host_page");
  const auto kind = [](const std::string& name) {
    return name == "fpt" ? TableKind::kFpt : name == "ecpt" ? TableKind::kEcpt : TableKind::kRadix;
  };
  m.page_table = kind(sys.get_enum(
      "page_table", "radix", {"radix", "fpt", "ecpt"},
      "native or guest page table (and shadow tables): radix; fpt = flattened (Park et al., "
      "ASPLOS'22): L4+L3 and L2+L1 each merged into one 2 MiB table where a 2 MiB frame can be "
      "had, ordinary levels elsewhere; ecpt = elastic cuckoo page tables (Skarlatos et al., "
      "ASPLOS'20), natively or under EPT"));
  m.host_page_table = kind(sys.get_enum(
      "host_page_table", "radix", {"radix", "fpt", "ecpt"},
      "host page tables (EPT, EPT12, EPT01, EPT02): radix, fpt or ecpt, as system.page_table "
      "(ecpt under EPT only; with page_table: ecpt, nested ECPT, Stojkovic et al., ASPLOS'22)"));
  m.ecpt.ways = static_cast<unsigned>(
      sys.get_uint("ecpt_ways", 3, 2, 4, "ECPT: ways (d) of each page size's cuckoo table"));
  m.ecpt.initial_lines = sys.get_uint(
      "ecpt_lines", 4096, 64, uint64_t{1} << 30,
      "ECPT: 64-byte lines per way when a table is created (a power of two); tables double "
      "past 60% occupancy and halve below 20%, gradually");
  if ((m.ecpt.initial_lines & (m.ecpt.initial_lines - 1)) != 0)
    sys.fail("ecpt_lines", "must be a power of two");
}

// system.agile: Agile Paging's hypervisor policy.
void read_agile(ConfigNode& sys, MachineParams& m) {
  const AgileParams defaults;
  ConfigNode a = sys.section("agile", "Agile Paging's hypervisor policy (system.virtualization: "
                                      "agile)");
  m.agile.write_threshold = static_cast<uint32_t>(a.get_uint(
      "write_threshold", m.agile.write_threshold, 1, 1u << 20,
      "a shadowed guest page-table page written this many times between two scans goes "
      "nested, with every table below it (the paper: more than one modification)"));
  m.agile.scan_every = a.get_uint(
      "scan_every", m.agile.scan_every, 0, uint64_t{1} << 40,
      "accesses between the hypervisor's scans, which shadow again the nested pages the guest "
      "did not write since the last scan (0: never); counted in accesses, so LT and AT convert "
      "at the same points");
  const bool changed = m.agile.write_threshold != defaults.write_threshold ||
                       m.agile.scan_every != defaults.scan_every;
  if (changed && m.virt != Virtualization::kAgile)
    sys.fail("agile", std::string("Agile Paging's policy is set, but system.virtualization is ") +
                          virtualization_name(m.virt) + ", not agile");
}

struct SystemMemory {
  uint64_t guest_gib;
  uint64_t seed;  // of frame scattering, page-size choices and replacement
};

// system: memory sizes, frame allocation, VPID and PCID.
SystemMemory read_system_memory(ConfigNode& sys, SimConfig& cfg) {
  MachineParams& m = cfg.machine;
  const uint64_t guest_gib = sys.get_uint("guest_mem_gib", 64, 1, uint64_t{1} << 22,
                                          "guest-physical memory in GiB");
  const uint64_t host_gib = sys.get_uint("host_mem_gib", 128, 1, uint64_t{1} << 22,
                                         "host-physical memory in GiB");
  const uint64_t l1_gib = sys.get_uint("l1_mem_gib", 96, 1, uint64_t{1} << 22,
                                       "nested only: the L1 hypervisor's guest-physical memory "
                                       "in GiB");
  const std::string frames = sys.get_enum("frames", "sequential", {"sequential", "scatter"},
                                          "frame allocation: lowest free first, or random");
  const uint64_t seed = sys.get_uint("seed", 1, 0, ~uint64_t{0},
                                     "seed for frame scattering and page-size choices");
  m.vpid = static_cast<uint16_t>(sys.get_uint("vpid", 1, 1, 65535, "the VM's VPID"));
  cfg.pcid = sys.get_bool("pcid", true,
                          "TLB and PWC entries are tagged by PCID, so a CR3 write flushes "
                          "nothing; false: a CR3 write flushes the (guest) TLBs and PWC");
  m.guest_frames = {0, guest_gib << 30, frames == "scatter", seed * 2 + 1};
  m.host_frames = {0, host_gib << 30, frames == "scatter", seed * 2 + 2};
  m.l1_frames = {0, l1_gib << 30, frames == "scatter", seed * 2 + 3};
  return {guest_gib, seed};
}

// Refuses what the configured scheme does not model (a feature it does not accept), with the
// scheme's own message at the key at fault.
void refuse_unmodelled(ConfigNode& sys, const MachineParams& m) {
  SchemeConfigError refused;
  if (!check_scheme(m, refused)) sys.fail(refused.key, refused.message);
}

// system: HugeGPT's pool of guest table pages; checked here, before the DMT keys are read, so
// its error comes first as it always has.
void read_hugegpt(ConfigNode& sys, MachineParams& m, uint64_t guest_gib) {
  TablePool& pool = m.table_pool;
  pool.enabled = sys.get_bool("hugegpt", false,
                              "HugeGPT (EPT only): guest page-table pages come from 2 MiB guest "
                              "segments the host backs with 2 MiB pages");
  pool.root = sys.get_bool("hugegpt_root", true,
                           "HugeGPT: roots come from the pool too (false: left on 4K host pages, "
                           "as the Linux prototype does)");
  const uint64_t pool_mib = sys.get_uint(
      "hugegpt_pool_mib", 0, 0, uint64_t{1} << 30,
      "HugeGPT: pool capacity in MiB (0: 1% of guest memory); past it the guest falls back");
  pool.capacity = (pool_mib ? pool_mib : std::max<uint64_t>(2, (guest_gib << 10) / 100)) << 20;
  pool.host_accepts = sys.get_bool("hugegpt_host_accepts", true,
                                   "HugeGPT: the host agrees to back segments (false: it "
                                   "refuses and the guest falls back)");
  refuse_unmodelled(sys, m);  // HugeGPT under a scheme that refuses it: before the DMT keys
}

// system: the DMT mode and which VMAs get a TEA.
void read_dmt_policy(ConfigNode& sys, SimConfig& cfg) {
  MachineParams& m = cfg.machine;
  const std::string dmt = sys.get_enum(
      "dmt", "off", {"off", "dmt", "pvdmt"},
      "direct memory translation: off; dmt = TEA registers give the leaf entry (virtualized: "
      "guest TEAs in guest memory plus a host TEA over guest memory); pvdmt = guest TEAs made "
      "host-contiguous by a hypercall");
  m.dmt = dmt == "dmt" ? DmtMode::kDmt : dmt == "pvdmt" ? DmtMode::kPvDmt : DmtMode::kOff;
  if (sys.get_bool("asap", false,
                   "ASAP (Margaritov et al., MICRO'19): the (guest) OS lays out the PL1 and PL2 "
                   "table pages of large VMAs (picked as DMT's, dmt_* keys) contiguously in "
                   "address order, and hardware prefetches their entries from range registers "
                   "(mmu.asap) while it walks; under EPT the host's over guest memory too")) {
    if (m.dmt != DmtMode::kOff)
      sys.fail("asap", "ASAP and DMT (system.dmt: " + dmt + ") both lay out the tables of large "
                       "VMAs; choose one");
    m.dmt = DmtMode::kAsap;
  }
  cfg.tea.min_vma = sys.get_uint("dmt_min_vma_mib", 64, 1, uint64_t{1} << 30,
                                 "DMT and ASAP: the (guest) OS gives VMAs (or VMAs sharing one "
                                 "TEA) of at least this size a TEA")
                    << 20;
  cfg.tea.share_density = sys.get_double(
      "dmt_share_density", 0.0, 0.0, 1.0,
      "DMT and ASAP: adjacent VMAs of an address space share one TEA while their bytes are at "
      "least this fraction of the span from the first one's start to the last one's end (the "
      "TEA has an entry for every page of the span, gaps included; 0.5 bounds the gaps' share "
      "as doubling bounds a grown TEA's unused part); 0: every VMA on its own");
  cfg.tea.grow = sys.get_bool(
      "dmt_tea_growth", true,
      "DMT and ASAP: TEAs follow their VMAs as these grow (workload.vma_growth): a TEA of doubled "
      "capacity when one is outgrown, its leaf tables moved in, the old one freed; a VMA grown "
      "past dmt_min_vma_mib gets one; false: TEAs keep the size they were given at the start "
      "and the grown parts walk the radix");
}

// system: the simulated machine's address translation; returns the seed.
uint64_t read_system(ConfigNode& sys, SimConfig& cfg) {
  MachineParams& m = cfg.machine;
  read_paging(sys, m);
  read_cores(sys, cfg);
  read_agile(sys, m);
  const SystemMemory mem = read_system_memory(sys, cfg);
  read_hugegpt(sys, m, mem.guest_gib);
  read_dmt_policy(sys, cfg);
  refuse_unmodelled(sys, m);
  const uint64_t seed = mem.seed;
  m.guest_pages.seed = seed * 3 + 1;
  m.host_pages.seed = seed * 3 + 2;
  m.ecpt.seed = seed * 3 + 3;
  cfg.seed = seed;
  return seed;
}

// core: the work between accesses.
void read_core(ConfigNode root, SimConfig& cfg) {
  ConfigNode core = root.section("core", "the core model: non-memory work between accesses");
  cfg.core.base_cpi = core.get_double("base_cpi", 0.5, 0.0, 1000.0,
                                      "cycles per non-memory instruction");
  cfg.core.instructions_per_access = core.get_double(
      "instructions_per_access", 4.0, 0.0, 1e6,
      "non-memory instructions between two memory accesses");
  cfg.core.data_accesses = core.get_bool(
      "data_accesses", true,
      "after translation, loads and stores access the cache hierarchy (instruction fetches do "
      "not: there is no L1I model)");
  cfg.core.max_outstanding = static_cast<unsigned>(core.get_uint(
      "max_outstanding", 8, 1, 256,
      "at: memory accesses in flight at once (load/store queue); lt issues one at a time"));
}

// stats: the optional outputs.
void read_stats(ConfigNode root, SimConfig& cfg) {
  ConfigNode stats = root.section("stats", "optional statistics output");
  cfg.stats.step_vectors = static_cast<unsigned>(stats.get_uint(
      "step_vectors", 20, 0, 4096, "most frequent walk step vectors listed in the stats"));
  cfg.stats.event_log = stats.get_string(
      "event_log", "", "per-translation event log (JSON lines), relative to the output "
                       "directory; empty: off");
  cfg.stats.event_log_every = stats.get_uint(
      "event_log_every", 1000, 1, uint64_t{1} << 40, "log every Nth access (sampling)");
}

// workload: the kind, how many accesses, the warm-up and the trace to replay.
void read_workload_run(ConfigNode& wl, SimConfig& cfg) {
  const MachineParams& m = cfg.machine;
  SyntheticParams& w = cfg.workload;
  w.kind = wl.get_enum("kind", "uniform", {"sequential", "uniform", "strided", "trace"},
                       "sequential, uniform (GUPS-like random), strided, or trace (replay "
                       "workload.path)");
  w.count = wl.get_uint("count", 1000000, 0, uint64_t{1} << 48,
                        "accesses to simulate and count, after the warm-up; trace: at most "
                        "this many (the trace may end first), 0 = to the end of the trace");
  cfg.warmup = wl.get_uint("warmup", 0, 0, uint64_t{1} << 48,
                           "accesses simulated before the counted ones; their stats are "
                           "subtracted (machine state, cache configuration, latency "
                           "distributions, the os VMA/TEA figures and the workload group are "
                           "end-of-run values)");
  TraceWorkloadParams& t = cfg.trace;
  t.path = wl.get_path("path", "trace: the trace file (mmusim's format; `mmusim trace capture` "
                               "or `mmusim trace import` make one), relative to this config "
                               "file");
  t.skip = wl.get_uint("skip", 0, 0, uint64_t{1} << 62,
                       "trace: records passed over before anything is simulated");
  const std::string threads = wl.get_enum(
      "threads", "same_process", {"same_process", "process_per_thread", "per_core"},
      "trace: same_process = every thread in address space 1; process_per_thread = thread t in "
      "address space t + 1 with a copy of every VMA, a change of thread being a context switch; "
      "per_core = with several cores, thread t runs on core t mod system.cores, every thread in "
      "address space 1 (workload.count: accesses of each core)");
  t.process_per_thread = threads == "process_per_thread";
  cfg.threads_per_core = threads == "per_core";
  if (w.kind == "trace" && t.path.empty()) wl.fail("path", "workload.kind trace needs a path");
  if (w.kind != "trace" && w.count == 0) wl.fail("count", "0 (to the end) is for traces only");
  t.limit = w.count ? cfg.warmup + w.count : 0;
  t.va_bits = m.levels == 5 ? 57 : 48;
}

// workload: the synthetic access stream, its region and VMAs; returns the vma_growth section.
ConfigNode read_workload_region(ConfigNode& wl, SimConfig& cfg) {
  SyntheticParams& w = cfg.workload;
  w.seed = wl.get_uint("seed", 1, 0, ~uint64_t{0}, "seed of the access stream");
  w.footprint = wl.get_uint("footprint_mib", 1024, 1, uint64_t{1} << 32,
                            "size of the accessed region in MiB") << 20;
  w.base = wl.get_uint("base", 0x100000000000, 0, (uint64_t{1} << 56) - 1,
                       "virtual address of the region (1 GiB aligned)");
  w.element = wl.get_uint("element_bytes", 8, 1, 4096,
                          "bytes per access; sequential step and alignment (power of two)");
  w.stride = wl.get_uint("stride", 4096, 1, uint64_t{1} << 40, "strided: bytes between accesses");
  w.store_fraction = wl.get_double("store_fraction", 0.0, 0.0, 1.0, "fraction of stores");
  w.processes = static_cast<uint16_t>(wl.get_uint(
      "processes", 1, 1, 1024, "address spaces (ASIDs 1..N), each with its own copy of the region"));
  w.switch_every = wl.get_uint("switch_every", 0, 0, uint64_t{1} << 48,
                               "accesses between context switches, round robin (0: never)");
  w.churn_every = wl.get_uint("churn_every", 0, 0, uint64_t{1} << 48,
                              "accesses between page-table churn events: the OS unmaps a random "
                              "run of churn_pages pages, which fault back in on their next touch "
                              "(0: never)");
  w.churn_pages = static_cast<uint32_t>(wl.get_uint("churn_pages", 64, 1, 1u << 20,
                                                    "pages one churn event unmaps"));
  w.mprotect_every = wl.get_uint("mprotect_every", 0, 0, uint64_t{1} << 48,
                                 "accesses between permission downgrades: the OS write-protects "
                                 "a random run of mprotect_pages pages of a writable VMA (to "
                                 "track writes, as a garbage collector or checkpointer does); "
                                 "a store to one faults and makes it writable again (0: never)");
  w.mprotect_pages = static_cast<uint32_t>(wl.get_uint(
      "mprotect_pages", 64, 1, 1u << 20, "pages one permission downgrade write-protects"));
  w.migrate_every = wl.get_uint("migrate_every", 0, 0, uint64_t{1} << 48,
                                "accesses between page migrations: the OS moves a random run of "
                                "migrate_pages mapped pages to new frames, as NUMA balancing or "
                                "compaction does (0: never)");
  w.migrate_pages = static_cast<uint32_t>(wl.get_uint(
      "migrate_pages", 16, 1, 1u << 20, "pages one migration moves"));
  w.vmas = static_cast<uint16_t>(wl.get_uint(
      "vmas", 1, 1, 4096, "VMAs the region is split into (equal sizes, in address order)"));
  w.vma_gap = wl.get_uint("vma_gap_kib", 0, 0, uint64_t{1} << 30,
                          "bytes between two of those VMAs in KiB (a multiple of 4)")
              << 10;
  ConfigNode growth =
      wl.section("vma_growth",
                 "the running process's last VMA grows during the run, as a heap grows by "
                 "brk or a mapping by mremap; the new part is demand-paged and accesses "
                 "reach it (synthetic workloads only)");
  w.grow_every = growth.get_uint("every", 0, 0, uint64_t{1} << 48,
                                 "accesses between two growths (0: the VMAs never grow)");
  w.grow_bytes = growth.get_uint("mib", 64, 1, uint64_t{1} << 20, "MiB one growth adds") << 20;
  cfg.prefault = wl.get_bool("prefault", true,
                             "map (and back) the whole region before the run, as a program that "
                             "initialises its data does; false = demand paging on first touch");
  return growth;
}

// workload: the region's alignment and its VMAs, grown or not, inside the virtual address space.
void check_workload_region(ConfigNode& wl, ConfigNode& growth, const SimConfig& cfg) {
  const SyntheticParams& w = cfg.workload;
  const MachineParams& m = cfg.machine;
  if (w.base & page_mask(PageSize::k1G)) wl.fail("base", "must be 1 GiB aligned");
  if (w.element & (w.element - 1)) wl.fail("element_bytes", "must be a power of two");
  if (w.kind == "strided" && (w.stride < w.element || w.stride % w.element))
    wl.fail("stride", "must be a multiple of element_bytes");
  const unsigned va_bits = m.levels == 5 ? 57 : 48;
  if (w.base + w.footprint > (Addr{1} << va_bits))
    wl.fail("footprint_mib", "region ends beyond the " + std::to_string(va_bits) +
                                 "-bit virtual address space of " + std::to_string(m.levels) +
                                 "-level paging");
  if (w.footprint % (uint64_t{w.vmas} * kPageBytes))
    wl.fail("vmas", "footprint_mib must split into " + std::to_string(w.vmas) +
                        " VMAs of whole 4 KiB pages");
  if (w.vma_gap % kPageBytes) wl.fail("vma_gap_kib", "must be a multiple of 4 (whole pages)");
  if (w.grow_every && w.kind == "trace")
    growth.fail("every",
                "a trace replays the VMAs its header records; its format has no VMA "
                "changes, so only synthetic workloads grow");
  // Growth events come after every `every` accesses that more accesses follow.
  const uint64_t accesses = w.count + cfg.warmup;
  const uint64_t growths = w.grow_every && accesses ? (accesses - 1) / w.grow_every : 0;
  const long double span = static_cast<long double>(w.base) + w.footprint +
                           static_cast<long double>(w.vmas - 1) * w.vma_gap +
                           static_cast<long double>(growths) * w.grow_bytes;
  if (w.kind != "trace" && span > static_cast<long double>(Addr{1} << va_bits))
    wl.fail(w.grow_every ? "vma_growth" : "vma_gap_kib",
            "the VMAs" +
                std::string(w.grow_every ? ", grown " + std::to_string(growths) + " times," : "") +
                " end beyond the " + std::to_string(va_bits) + "-bit virtual address space");
}

// workload: what the core runs.
void read_workload(ConfigNode root, SimConfig& cfg) {
  ConfigNode wl = root.section("workload", "what the core runs");
  read_workload_run(wl, cfg);
  ConfigNode growth = read_workload_region(wl, cfg);
  check_workload_region(wl, growth, cfg);
  read_sharing(wl, cfg);
}

// software: what each emulated OS and hypervisor operation costs.
void read_costs(ConfigNode& sw, SoftwareCosts& c) {
  const uint64_t kMaxCost = uint64_t{1} << 32;
  c.vm_exit = sw.get_uint("vm_exit", c.vm_exit, 0, kMaxCost,
                          "VM exit + entry round trip with the hypervisor's entry and exit "
                          "paths, charged on every exit (thousands of cycles; the hardware "
                          "transition alone is about 1,000 on recent Intel cores)");
  c.ept_violation = sw.get_uint("ept_violation", c.ept_violation, 0, kMaxCost,
                                "hypervisor handler backing an unbacked guest-physical page");
  c.guest_page_fault = sw.get_uint("guest_page_fault", c.guest_page_fault, 0, kMaxCost,
                                   "(guest) OS page-fault handler mapping an anonymous page");
  c.context_switch = sw.get_uint("context_switch", c.context_switch, 0, kMaxCost,
                                 "(guest) OS context switch, without the TLB refill it causes");
  c.unmap_page = sw.get_uint("unmap_page", c.unmap_page, 0, kMaxCost,
                             "(guest) OS clearing one page's entry and freeing its frame");
  c.invlpg = sw.get_uint("invlpg", c.invlpg, 0, kMaxCost,
                         "invalidating one page's translations (TLB and PWC)");
  c.mprotect_page = sw.get_uint("mprotect_page", c.mprotect_page, 0, kMaxCost,
                                "(guest) OS rewriting one page's entry in mprotect");
  c.wp_fault = sw.get_uint("wp_fault", c.wp_fault, 0, kMaxCost,
                           "(guest) OS write fault on a page it write-protected inside a "
                           "writable VMA, which it makes writable again");
  c.migrate_page = sw.get_uint("migrate_page", c.migrate_page, 0, kMaxCost,
                               "(guest) OS migrating one 4 KiB page: a new frame, the copy, "
                               "the entry rewritten, the old frame freed");
  c.shadow_fill = sw.get_uint("shadow_fill", c.shadow_fill, 0, kMaxCost,
                              "shadow paging: hypervisor filling a shadow entry after a shadow "
                              "miss whose guest entry exists (hidden fault)");
  c.shadow_pt_write = sw.get_uint("shadow_pt_write", c.shadow_pt_write, 0, kMaxCost,
                                  "shadow paging: hypervisor emulating one trapped guest "
                                  "page-table write and syncing the shadow");
  c.fault_injection = sw.get_uint("fault_injection", c.fault_injection, 0, kMaxCost,
                                  "shadow paging: hypervisor reflecting a guest page fault into "
                                  "the guest");
  c.cr3_write = sw.get_uint("cr3_write", c.cr3_write, 0, kMaxCost,
                            "shadow paging: hypervisor handling a trapped guest CR3 write");
  c.exit_multiplier = sw.get_uint(
      "exit_multiplier", c.exit_multiplier, 1, 1000,
      "nested: an L2 exit reflected to L1 costs this many VM exits at L0 (L1's handler traps on "
      "its VMCS accesses and VM entry), plus L1's handler");
  c.hypercall = sw.get_uint("hypercall", c.hypercall, 0, kMaxCost,
                            "HugeGPT: host handling the hypercall that backs a 2 MiB pool "
                            "segment with a 2 MiB page");
  c.ept02_fill = sw.get_uint("ept02_fill", c.ept02_fill, 0, kMaxCost,
                             "nested shadow_ept: L0 composing an EPT02 entry from EPT12 and EPT01");
  c.vma_growth = sw.get_uint("vma_growth", c.vma_growth, 0, kMaxCost,
                             "(guest) OS extending a VMA (a brk or mremap system call), updating "
                             "its TEA register under DMT");
  c.tea_growth = sw.get_uint("tea_growth", c.tea_growth, 0, kMaxCost,
                             "DMT: (guest) OS allocating a TEA for a grown VMA (a new one, or one "
                             "of doubled capacity), programming its register, freeing the old one");
  c.tea_move_page = sw.get_uint("tea_move_page", c.tea_move_page, 0, kMaxCost,
                                "DMT: (guest) OS copying one leaf page-table page into the new "
                                "TEA and repointing the entry above it (plus an invlpg of its "
                                "range)");
  c.tea_hypercall = sw.get_uint("tea_hypercall", c.tea_hypercall, 0, kMaxCost,
                                "pvDMT: host handling the hypercall that backs a new guest TEA "
                                "with contiguous host frames (nested: reflected to L1, "
                                "exit_multiplier)");
  c.agile_convert = sw.get_uint("agile_convert", c.agile_convert, 0, kMaxCost,
                                "Agile Paging: the hypervisor switching a subtree's mode (shadow "
                                "entries dropped, a switching entry set or cleared, walk caches "
                                "flushed), inside the exit that decided it");
  c.agile_scan = sw.get_uint("agile_scan", c.agile_scan, 0, kMaxCost,
                             "Agile Paging: one periodic scan of the nested pages' dirty bits "
                             "(on top of vm_exit)");
  c.agile_rebuild_entry = sw.get_uint("agile_rebuild_entry", c.agile_rebuild_entry, 0, kMaxCost,
                                      "Agile Paging: composing one shadow entry while a scan "
                                      "shadows a subtree again");
  c.ecpt_rehash_line = sw.get_uint("ecpt_rehash_line", c.ecpt_rehash_line, 0, kMaxCost,
                                   "ECPT: the OS moving one 64-byte line of a table being "
                                   "resized (read, rehash, write)");
}

// software: the costs the RTL DMT unit's register interface puts a floor under.
void check_rtl_costs(ConfigNode& sw, const SimConfig& cfg) {
  const bool rtl = cfg.mmu.dmt_impl == DmtImpl::kRtl;
  const MmuParams& p = cfg.mmu;
  const SyntheticParams& w = cfg.workload;
  const SoftwareCosts& c = cfg.software;
  // The RTL unit takes a cycle per register word; a context switch reloads a whole set.
  const uint64_t rm_words = 4;  // words of one register
  const uint64_t reload = rm_words * p.dmt_registers;
  if (rtl && w.grow_every > 0 && c.vma_growth < rm_words)
    sw.fail("vma_growth",
            "with mmu.dmt.impl: rtl a VMA's growth rewrites its TEA register "
            "through the register interface, which takes " +
                std::to_string(rm_words) + " cycles");
  if (rtl && w.processes > 1 && w.switch_every > 0 && c.context_switch < reload)
    sw.fail("context_switch", "with mmu.dmt.impl: rtl a context switch reloads the TEA registers "
                              "through the register interface, which takes " +
                                  std::to_string(reload) + " cycles");
}

// software: cycles the emulated OS and hypervisor cost.
void read_software(ConfigNode root, SimConfig& cfg) {
  ConfigNode sw = root.section("software", "cycles the emulated OS and hypervisor cost "
                                          "(modelling defaults)");
  SoftwareCosts& c = cfg.software;
  read_costs(sw, c);
  read_shootdown_costs(sw, c.shootdown);
  check_rtl_costs(sw, cfg);
}

}  // namespace

SimConfig read_sim_config(ConfigDoc& doc) {
  SimConfig cfg;
  ConfigNode root = doc.root();
  read_sim(root, cfg);
  ConfigNode sys = root.section("system", "the simulated machine's address translation");
  const uint64_t seed = read_system(sys, cfg);
  read_mmu(root, cfg, seed);
  cfg.memory = read_memory(root);
  read_core(root, cfg);
  read_stats(root, cfg);
  read_workload(root, cfg);
  read_software(root, cfg);
  check_cores(sys, cfg);
  doc.check_all_consumed();
  cfg.mmu.at = cfg.sim.timing == "at";
  cfg.mmu.walker.step_vectors = cfg.stats.step_vectors;
  cfg.mmu.walker.agile = cfg.machine.virt == Virtualization::kAgile;
  cfg.mmu.walker.ecpt = cfg.machine.page_table == TableKind::kEcpt ||
                        cfg.machine.host_page_table == TableKind::kEcpt;
  if (cfg.sim.cold) make_cold(cfg);
  return cfg;
}

void make_cold(SimConfig& cfg) {
  cfg.sim.cold = true;
  for (TlbParams* t : {&cfg.mmu.itlb, &cfg.mmu.dtlb, &cfg.mmu.stlb, &cfg.mmu.walker.nested_tlb})
    for (auto& a : t->arrays) a.entries = 0;
  for (PwcParams* p : {&cfg.mmu.walker.guest_pwc, &cfg.mmu.walker.host_pwc})
    for (auto& e : p->entries) e = 0;
  for (CwcParams* p : {&cfg.mmu.walker.guest_cwc, &cfg.mmu.walker.host_cwc})
    for (auto& e : p->entries) e = 0;
  cfg.memory.walker_entry = MemLevel::kDram;  // every walk reference reaches DRAM
}

}  // namespace mmusim
