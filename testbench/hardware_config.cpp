#include "testbench/hardware_config.h"

#include "models/qlru.h"
#include "models/replacement.h"
#include "models/scheme_factory.h"
#include "models/tea_allocator.h"

namespace mmusim {

namespace {

constexpr uint64_t kMaxEntries = 1u << 20;

ReplPolicy read_policy(ConfigNode& n) {
  ReplPolicy p = ReplPolicy::kLru;
  parse_repl_policy(n.get_enum("policy", "lru", {"lru", "fifo", "random"},
                               "replacement policy"),
                    p);
  return p;
}

void check_geometry(ConfigNode& n, uint64_t entries, uint64_t ways) {
  if (entries != 0 && entries % ways != 0)
    n.fail("entries", "entries (" + std::to_string(entries) + ") must be a multiple of ways (" +
                          std::to_string(ways) + ")");
}

// Each key's default is the params struct's own (tlm/mmu.h, tlm/memory.h): one source for both.
TlbParams read_tlb(ConfigNode parent, const char* key, const char* what, Cycles& latency,
                   Cycles default_latency, const TlbParams& defaults, uint64_t seed) {
  ConfigNode n = parent.section(key, what);
  TlbParams p;
  p.name = key;
  latency = n.get_uint("latency", default_latency, 0, 1000, "lookup latency in cycles");
  p.policy = read_policy(n);
  p.seed = seed;
  ConfigNode arrays = n.section(
      "arrays", "named set-associative arrays; each holds one or several page sizes (split or "
                "unified); present in the file, they replace the defaults");
  std::vector<std::string> names = arrays.child_keys();
  if (names.empty()) {
    p.arrays = defaults.arrays;
    return p;
  }
  for (const std::string& name : names) {
    ConfigNode a = arrays.section(name, "one TLB array");
    TlbArrayParams ap;
    ap.name = name;
    ap.sizes = a.get_page_sizes("sizes", {PageSize::k4K}, "page sizes this array holds");
    ap.entries = static_cast<uint32_t>(a.get_uint("entries", 64, 0, kMaxEntries,
                                                  "entries (0 disables the array)"));
    ap.ways = static_cast<uint32_t>(a.get_uint("ways", 4, 1, 64, "associativity"));
    check_geometry(a, ap.entries, ap.ways);
    for (const auto& other : p.arrays)
      for (PageSize s : other.sizes)
        for (PageSize t : ap.sizes)
          if (s == t)
            a.fail("sizes", std::string("page size ") + page_size_name(s) +
                                " is already held by array '" + other.name + "'");
    p.arrays.push_back(ap);
  }
  return p;
}

PwcParams read_pwc(ConfigNode parent, const char* key, const char* what, const PwcParams& d,
                   uint64_t seed) {
  ConfigNode n = parent.section(key, what);
  PwcParams p;
  p.policy = read_policy(n);
  p.seed = seed;
  struct Level { const char* key; unsigned level; const char* what; };
  const Level levels[] = {
      {"pml5", 5, "PML5E cache (5-level tables only)"},
      {"pml4", 4, "PML4E cache: VA[56:39] -> PDPT"},
      {"pdpt", 3, "PDPTE cache: VA[56:30] -> PD"},
      {"pd", 2, "PDE cache: VA[56:21] -> PT"},
  };
  for (const Level& l : levels) {
    ConfigNode c = n.section(l.key, l.what);
    p.entries[l.level] = static_cast<uint32_t>(c.get_uint(
        "entries", d.entries[l.level], 0, kMaxEntries, "entries (0 disables this level)"));
    p.ways[l.level] =
        static_cast<uint32_t>(c.get_uint("ways", d.ways[l.level], 1, 64, "associativity"));
    check_geometry(c, p.entries[l.level], p.ways[l.level]);
  }
  return p;
}

CwcParams read_cwc(ConfigNode parent, const char* key, const char* what, const CwcParams& d) {
  ConfigNode n = parent.section(key, what);
  CwcParams p;
  p.entries[Ecpt::kPmdCwt] = static_cast<uint32_t>(
      n.get_uint("pmd_entries", d.entries[Ecpt::kPmdCwt], 0, 64,
                 "PMD-CWC: CWT lines of 64 16-MiB section headers (0: off)"));
  p.entries[Ecpt::kPudCwt] = static_cast<uint32_t>(
      n.get_uint("pud_entries", d.entries[Ecpt::kPudCwt], 0, 64,
                 "PUD-CWC: CWT lines of 64 8-GiB section headers (0: off)"));
  p.entries[Ecpt::kPteCwt] = static_cast<uint32_t>(n.get_uint(
      "pte_entries", d.entries[Ecpt::kPteCwt], 0, 64,
      "PTE-CWC: CWT lines of 64 32-KiB section headers, where the OS keeps a PTE-level CWT "
      "(nested ECPT's host tables; 0: off)"));
  return p;
}

CacheParams read_cache(ConfigNode parent, const char* key, const char* what, uint32_t line_bytes,
                       const CacheParams& d) {
  ConfigNode n = parent.section(key, what);
  CacheParams c;
  // At most 4 GiB: tags and replacement state take host memory (three 4 GiB caches and the
  // largest TLBs and PWCs: 2.6 GiB resident; tests/bench/limits.py).
  c.size_bytes = n.get_uint("size_kib", d.size_bytes >> 10, 0, uint64_t{1} << 22,
                            "capacity in KiB (0 disables the level)") << 10;
  c.ways = static_cast<uint32_t>(n.get_uint("ways", d.ways, 1, 64, "associativity"));
  const std::string policy = n.get_string(
      "policy", "lru",
      "replacement policy: lru, fifo, random, or quad-age LRU named as Abel and Reineke name "
      "the policies they measured, qlru_hXY_mX_rX_uX[_umo] (e.g. qlru_h00_m1_r2_u1: Coffee "
      "Lake's L2; mrXY in place of mX inserts at age X, one time in 16 at Y; README, caches)");
  if (!parse_repl_policy(policy, c.policy)) {
    if (!parse_qlru_policy(policy, c.qlru_policy))
      n.fail("policy", "expected lru, fifo, random or a quad-age LRU name such as "
                       "qlru_h11_m1_r0_u0 (see the README); got '" + policy + "'");
    c.qlru = true;
  }
  const std::string duel = n.get_string(
      "duel_with", "",
      "set dueling with this second quad-age LRU policy, as Intel's adaptive L3: leader sets "
      "keep one policy each, the others follow the one whose leaders miss less; empty: off");
  if (!duel.empty()) {
    if (!c.qlru) n.fail("duel_with", "set dueling needs a quad-age LRU policy in policy");
    if (!parse_qlru_policy(duel, c.duel_policy))
      n.fail("duel_with", "expected a quad-age LRU name such as qlru_h11_mr31_r0_u0; got '" +
                              duel + "'");
    c.duel = true;
  }
  c.latency = n.get_uint("latency", d.latency, 0, 100000, "load-to-use latency when served here");
  if (c.size_bytes % (uint64_t{line_bytes} * c.ways) != 0)
    n.fail("size_kib", "must be a multiple of ways x line_bytes");
  return c;
}

// mmu: the L1 and L2 TLBs.
void read_tlbs(ConfigNode& mmu, MmuParams& p, uint64_t seed) {
  const MmuParams d;
  p.itlb = read_tlb(mmu, "itlb", "L1 instruction TLB", p.itlb_latency, d.itlb_latency, d.itlb,
                    seed + 11);
  p.dtlb = read_tlb(mmu, "dtlb", "L1 data TLB", p.dtlb_latency, d.dtlb_latency, d.dtlb,
                    seed + 12);
  p.stlb = read_tlb(mmu, "stlb", "L2 shared TLB", p.stlb_latency, d.stlb_latency, d.stlb,
                    seed + 13);
}

// mmu.walker: the page walker, its paging-structure caches and the nested TLB.
void read_walker(ConfigNode& mmu, MmuParams& p, uint64_t seed) {
  ConfigNode walker = mmu.section("walker", "page-miss handler");
  const PageWalkerParams d;
  p.walker.walker.pwc_latency = walker.get_uint(
      "pwc_latency", d.walker.pwc_latency, 0, 1000,
      "cycles for one probe of a dimension's paging-structure caches");
  p.walker.max_inflight = static_cast<unsigned>(walker.get_uint(
      "max_inflight", d.max_inflight, 1, 64,
      "at: walks in flight at once (page walkers; recent Intel cores have 2); lt walks one at "
      "a time"));
  ConfigNode pwc = walker.section("pwc", "paging-structure caches");
  p.walker.guest_pwc = read_pwc(pwc, "guest", "native or guest dimension, keyed by (g)VA",
                                d.guest_pwc, seed + 14);
  p.walker.host_pwc =
      read_pwc(pwc, "host", "host (EPT) dimension, keyed by gPA", d.host_pwc, seed + 15);
  Cycles ntlb_latency = 1;
  p.walker.nested_tlb = read_tlb(walker, "nested_tlb", "nested TLB: gPA page -> hPA page",
                                 ntlb_latency, d.walker.ntlb_latency, d.nested_tlb, seed + 16);
  p.walker.walker.ntlb_latency = ntlb_latency;
  p.walker.walker.ecpt_hash_latency = walker.get_uint(
      "ecpt_hash_latency", d.walker.ecpt_hash_latency, 0, 1000,
      "ECPT: cycles to hash the VPN into each way before the probes issue");
  p.walker.walker.cwc_latency = walker.get_uint(
      "cwc_latency", d.walker.cwc_latency, 0, 1000,
      "ECPT: cycles of a cuckoo walk cache lookup (PUD and PMD at once, beside the hash)");
  ConfigNode cwc = walker.section("cwc", "ECPT: cuckoo walk caches, fully associative, LRU");
  p.walker.guest_cwc =
      read_cwc(cwc, "guest", "native or guest dimension, keyed by (g)VA", d.guest_cwc);
  p.walker.host_cwc =
      read_cwc(cwc, "host", "host dimensions (nested ECPT), keyed by gPA", d.host_cwc);
}

// mmu.dmt.registers and latency: a shape the build verilated (rtl/CMakeLists.txt).
void check_rtl_shape(ConfigNode& dmt_unit, const MmuParams& p) {
  std::string registers, depths;
  bool registers_built = false;
  unsigned last = 0;
  for (const DmtRtlShape& s : dmt_rtl_shapes()) {  // by registers, then depth
    if (s.registers != last) registers += (last ? " " : "") + std::to_string(s.registers);
    last = s.registers;
    if (s.registers != p.dmt_registers) continue;
    registers_built = true;
    if (s.stages == p.dmt_latency) return;
    depths += (depths.empty() ? "" : " ") + std::to_string(s.stages);
  }
  if (!registers_built)
    dmt_unit.fail("registers", "the verilated units have " + registers +
                                   " registers per set (rtl/CMakeLists.txt, "
                                   "MMUSIM_DMT_RTL_SHAPES)");
  dmt_unit.fail("latency", "the verilated units of " + std::to_string(p.dmt_registers) +
                               " registers per set have lookup pipelines of " + depths +
                               " cycle(s) (rtl/CMakeLists.txt, MMUSIM_DMT_RTL_SHAPES)");
}

// mmu.dmt: the DMT unit, the C++ model or the verilated RTL.
void read_dmt_unit(ConfigNode& mmu, SimConfig& cfg) {
  MmuParams& p = cfg.mmu;
  const MachineParams& m = cfg.machine;
  ConfigNode dmt_unit = mmu.section("dmt", "the DMT unit (used when system.dmt is not off)");
  p.dmt_registers = static_cast<unsigned>(
      dmt_unit.get_uint("registers", MmuParams{}.dmt_registers, 1, 1024,
                        "TEA registers per set (the running address space's, the host's)"));
  p.dmt_latency = dmt_unit.get_uint("latency", MmuParams{}.dmt_latency, 0, 1000,
                                    "cycles for one lookup");
  cfg.tea.registers = p.dmt_registers;
  const bool rtl = dmt_unit.get_enum("impl", "model", {"model", "rtl"},
                                     "model = the C++ model; rtl = the verilated RTL "
                                     "(rtl/dmt_unit.sv) behind a transactor that clocks it "
                                     "at sim.clock_mhz when it has work: co-simulation") == "rtl";
  p.dmt_impl = rtl ? DmtImpl::kRtl : DmtImpl::kModel;
  if (rtl) {
    if (dmt_rtl_shapes().empty())
      dmt_unit.fail("impl", "this mmusim was built without Verilator: it has no RTL DMT unit");
    if (m.dmt == DmtMode::kOff)
      dmt_unit.fail("impl", "rtl co-simulates the DMT unit, which system.dmt: off leaves unused");
    if (m.dmt == DmtMode::kAsap)
      dmt_unit.fail("impl", "rtl co-simulates the DMT unit, which system.asap leaves unused");
    check_rtl_shape(dmt_unit, p);
    // Its registers hold TEAs of 4K or 2M leaves (models/dmt_regmap.h); 1G pages everywhere in
    // a dimension give its TEAs 1G leaves (TeaAllocator::shift_for): the guest's TEAs, and under
    // virtualization the host's.
    const bool host_tea = scheme_features(m).host_teas;
    if (TeaAllocator::shift_for(m.guest_pages) == 30 ||
        (host_tea && TeaAllocator::shift_for(m.host_pages) == 30))
      dmt_unit.fail("impl", "the verilated unit's TEA registers hold 4K or 2M leaves; 1G pages "
                            "(guest_page or host_page 1G with huge_fraction 1) give TEAs of 1G "
                            "leaves");
  }
}

// mmu.asap: ASAP's range registers (system.asap).
void read_asap_unit(ConfigNode& mmu, SimConfig& cfg) {
  ConfigNode asap = mmu.section("asap", "ASAP's range registers (used when system.asap is true)");
  const unsigned ranges = static_cast<unsigned>(asap.get_uint(
      "ranges", 8, 1, 512,
      "ranges per set (the running address space's, the host's), each a PL1 and a PL2 register: "
      "large VMAs past these are walked without prefetching"));
  const Cycles latency = asap.get_uint(
      "latency", 1, 0, 1000,
      "cycles the registers' compare takes before the prefetches issue (the DMT unit's compare "
      "is mmu.dmt.latency); the walk itself does not wait for it");
  if (cfg.machine.dmt != DmtMode::kAsap) return;
  cfg.mmu.walker.asap_registers = 2 * ranges;
  cfg.mmu.walker.asap_latency = latency;
  cfg.tea.registers = 2 * ranges;
}

}  // namespace

void read_mmu(ConfigNode root, SimConfig& cfg, uint64_t seed) {
  ConfigNode mmu = root.section("mmu", "TLBs and the page walker");
  MmuParams& p = cfg.mmu;
  read_tlbs(mmu, p, seed);
  read_walker(mmu, p, seed);
  read_dmt_unit(mmu, cfg);
  read_asap_unit(mmu, cfg);
}

MemoryParams read_memory(ConfigNode root) {
  ConfigNode memory = root.section("memory", "caches and DRAM, shared by page walks and data");
  const MemoryParams d;
  MemoryParams p;
  MemHierarchyParams& h = p.hierarchy;
  h.line_bytes = static_cast<uint32_t>(
      memory.get_uint("line_bytes", d.hierarchy.line_bytes, 8, 4096,
                      "cache line size (power of two)"));
  if (h.line_bytes & (h.line_bytes - 1)) memory.fail("line_bytes", "must be a power of two");
  parse_mem_level(memory.get_enum("walker_entry", "l1d", {"l1d", "l2", "llc", "dram"},
                                  "where page-walk reads enter the hierarchy"),
                  p.walker_entry);
  h.level[0] = read_cache(memory, "l1d", "L1 data cache", h.line_bytes, d.hierarchy.level[0]);
  ConfigNode l1d = memory.section("l1d", "L1 data cache");
  p.l1d_mshrs = static_cast<unsigned>(l1d.get_uint(
      "mshrs", d.l1d_mshrs, 0, 256,
      "at: miss-status holding registers (Intel: fill buffers); every L1D miss, walk read or "
      "data access, holds one until its fill, and waits when none is free (0: unlimited)"));
  if (p.l1d_mshrs && h.level[0].size_bytes == 0)
    l1d.fail("mshrs", "miss registers need an L1D (size_kib is 0)");
  h.level[1] = read_cache(memory, "l2", "L2 cache", h.line_bytes, d.hierarchy.level[1]);
  h.level[2] = read_cache(memory, "llc", "last-level cache", h.line_bytes, d.hierarchy.level[2]);
  ConfigNode dram = memory.section("dram", "main memory");
  DramParams& r = h.dram;
  const DramParams& dd = d.hierarchy.dram;
  r.latency = dram.get_uint("latency", dd.latency, 0, 100000,
                            "access latency in cycles (with row_buffer: a row miss)");
  r.row_buffer = dram.get_bool("row_buffer", dd.row_buffer,
                               "open-row model: an access to a bank's open row is faster");
  r.banks = static_cast<uint32_t>(dram.get_uint("banks", dd.banks, 1, 4096, "row_buffer: banks"));
  r.row_bytes = dram.get_uint("row_kib", dd.row_bytes >> 10, 1, 1024,
                              "row_buffer: row size in KiB") << 10;
  r.row_hit_latency = dram.get_uint("row_hit_latency", dd.row_hit_latency, 0, 100000,
                                    "row_buffer: latency of an access to the open row");
  return p;
}

}  // namespace mmusim
