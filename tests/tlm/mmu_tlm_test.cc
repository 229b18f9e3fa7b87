// TLM layer: latencies compose along the path a request takes (L1 TLB, STLB, walker, memory),
// transport_dbg answers an untimed functional translation, flushes reach every structure, and the
// LT core's simulated time equals the sum of the latencies it was annotated with. Every socket
// pair, the MMU's internal ones included, has a base-protocol checker, in LT and in AT, and no
// test may leave a violation. One elaboration per process: ctest runs each test in its own
// process.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <systemc>

#include "models/machine.h"
#include "testbench/core.h"
#include "testbench/sim_config.h"
#include "testbench/simulation.h"
#include "tlm/memory.h"
#include "tlm/mmu.h"

#include "protocol_checker.h"

namespace mmusim {
namespace {

// No checker recorded a violation, and every transaction begun was completed.
void expect_protocol_clean(const ProtocolCheckers& checkers) {
  std::string all;
  for (const std::string& v : checkers.violations()) all += v + "\n";
  EXPECT_TRUE(all.empty()) << all;
  EXPECT_EQ(checkers.open_transactions(), 0u);
}

std::string timing_name(const ::testing::TestParamInfo<bool>& info) {
  return info.param ? "at" : "lt";
}

// Sends translation requests into the MMU from the test body (no process needed: nothing waits).
// LT: b_transport. AT: nb_transport_fw, then the simulation runs until the MMU's BEGIN_RESP.
struct Harness : sc_core::sc_module {
  Harness(sc_core::sc_module_name name, Virtualization v, const char* overrides = "",
          bool at_ = false)
      : sc_module(name), at(at_) {
    ConfigDoc doc = ConfigDoc::from_string(overrides, "<test>");
    doc.set(std::string("system.virtualization=") + virtualization_name(v));
    if (at) doc.set("sim.timing=at");
    // Walk reads straight to DRAM, so latencies are counts of references x 200.
    if (std::string(overrides).find("walker_entry") == std::string::npos)
      doc.set("memory.walker_entry=dram");
    cfg = read_sim_config(doc);
    machine = std::make_unique<Machine>(cfg.machine);
    memory = std::make_unique<Memory>("memory", machine->mem(), clock, cfg.memory);
    mmu = std::make_unique<Mmu>("mmu", cfg.mmu, clock, machine->scheme(), cfg.machine.levels,
                                cfg.machine.host_levels, checkers.splicer());
    checkers.bind("mem_port", mmu->mem_port(), memory->socket);
    checkers.bind("cpu", initiator, mmu->cpu);
    checkers.bind("memory", to_memory, memory->socket);
    initiator.register_nb_transport_bw(this, &Harness::nb_transport_bw);
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    gp.set_data_length(sizeof data);
    gp.set_streaming_width(sizeof data);
  }
  ~Harness() override {
    EXPECT_EQ(checkers.size(), 9u);  // the MMU's six internal pairs and three external ones
    expect_protocol_clean(checkers);
    gp.clear_extension(&ext);
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) {
    if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    responded_at = sc_core::sc_time_stamp() + delay;
    responded = true;
    return tlm::TLM_COMPLETED;
  }

  // Multi-sockets resolve their bindings at the end of elaboration.
  void elaborate() {
    if (!sc_core::sc_is_running() && sc_core::sc_get_status() == sc_core::SC_ELABORATION)
      sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }

  // LT: `local` is the initiator's local time (cycles ahead of the kernel). Returns the latency.
  Cycles translate(Addr va, AccessKind kind = AccessKind::kLoad, Cycles local = 0) {
    elaborate();
    ext.start(va, kind, machine->context(1));
    gp.set_address(va);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    if (!at) {
      delay = clock.cycles(local);
      initiator->b_transport(gp, delay);
      delay -= clock.cycles(local);
    } else {
      // One request at a time: the walker is free, so the latency is the request's own.
      const sc_core::sc_time start = sc_core::sc_time_stamp();
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      responded = false;
      EXPECT_EQ(initiator->nb_transport_fw(gp, phase, delay), tlm::TLM_UPDATED);
      EXPECT_EQ(phase, tlm::END_REQ);
      sc_core::sc_start();  // until the MMU's payload event queue has answered
      EXPECT_TRUE(responded);
      delay = responded_at - start;
    }
    EXPECT_TRUE(gp.is_response_ok());
    EXPECT_EQ(clock.to_cycles(delay), ext.total_cycles());
    return clock.to_cycles(delay);
  }

  const bool at;
  ProtocolCheckers checkers;  // before the modules whose pairs they sit in
  SimConfig cfg;
  Clock clock{2000.0};
  std::unique_ptr<Machine> machine;
  std::unique_ptr<Memory> memory;
  std::unique_ptr<Mmu> mmu;
  InitiatorSocket<Harness> initiator{"initiator"};
  InitiatorSocket<Harness> to_memory{"to_memory"};  // the memory tests' own requests
  tlm::tlm_generic_payload gp;
  TranslationExt ext;
  uint64_t data = 0;  // gp's bytes
  bool responded = false;
  sc_core::sc_time responded_at;
};

class MmuTlm : public ::testing::TestWithParam<bool> {};
class MemoryTlm : public ::testing::TestWithParam<bool> {};

TEST_P(MmuTlm, NativeLatencyComposesAlongThePath) {
  Harness h("h", Virtualization::kNone, "", GetParam());
  const Addr va = 0x100000000000ULL + 0x1238;
  ASSERT_TRUE(h.machine->populate(1, va));
  // Cold: L1 miss (1) + STLB miss (7) + PWC probe (1) + 4 references x 200.
  EXPECT_EQ(h.translate(va), 1u + 7u + 1u + 4u * 200u);
  EXPECT_EQ(h.ext.served_by, ServedBy::kWalk);
  EXPECT_EQ(h.ext.walk_refs, 4u);
  EXPECT_EQ(h.ext.pa, h.machine->expect(h.machine->context(1), va, AccessKind::kLoad).pa);
  // Warm: the L1 DTLB answers in 1 cycle.
  EXPECT_EQ(h.translate(va + 8), 1u);
  EXPECT_EQ(h.ext.served_by, ServedBy::kL1Tlb);
  // Next page, same PT: L1 and STLB miss, the PDE cache hit leaves one reference.
  ASSERT_TRUE(h.machine->populate(1, va + 0x1000));
  EXPECT_EQ(h.translate(va + 0x1000), 1u + 7u + 1u + 200u);
  EXPECT_EQ(h.memory->hierarchy().params().dram.latency, 200u);
}

// Each walk read is annotated from the walk's local time: the caller's, plus the lookups and
// the reads before it.
TEST(MmuTlmLt, WalkReadsAreAnnotatedFromTheCallersLocalTime) {
  Harness h("h", Virtualization::kNone);
  const Addr va = 0x100000000000ULL + 0x1238;
  ASSERT_TRUE(h.machine->populate(1, va));
  EXPECT_EQ(h.translate(va, AccessKind::kLoad, 1000), 1u + 7u + 1u + 4u * 200u);
  // The last of the four reads: 1000 ahead, L1 and STLB misses, the PWC probe, three reads.
  EXPECT_EQ(h.checkers.at("mem_port").last_b_transport_delay(),
            h.clock.cycles(1000 + 1 + 7 + 1 + 3 * 200));
  EXPECT_EQ(h.checkers.at("stlb_walker").last_b_transport_delay(), h.clock.cycles(1000 + 1 + 7));
}

TEST_P(MmuTlm, StlbServesWhatTheL1Lost) {
  Harness h("h", Virtualization::kNone, "", GetParam());
  const Addr base = 0x100000000000ULL;
  // 65 pages in one DTLB set's worth of conflict: DTLB 64 entries 4-way = 16 sets, so pages
  // base + k * 16 pages share a set; five of them evict the first from the DTLB but not the STLB.
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(h.machine->populate(1, base + k * 16 * 0x1000ULL));
    h.translate(base + k * 16 * 0x1000ULL);
  }
  EXPECT_EQ(h.translate(base), 1u + 7u);
  EXPECT_EQ(h.ext.served_by, ServedBy::kStlb);
}

TEST_P(MmuTlm, EptWalkIsTwentyFourReferencesCold) {
  Harness h("h", Virtualization::kEpt, "sim: {cold: true}", GetParam());
  const Addr va = 0x100000000000ULL + 0x40;
  ASSERT_TRUE(h.machine->populate(1, va));
  EXPECT_EQ(h.translate(va), 24u * 200u);  // no TLB or PWC to probe: only memory
  EXPECT_EQ(h.ext.walk_refs, 24u);
  EXPECT_EQ(h.translate(va), 24u * 200u);  // still cold: nothing is cached
}

TEST_P(MmuTlm, DebugTransportIsUntimedAndLeavesNoTrace) {
  Harness h("h", Virtualization::kEpt, "", GetParam());
  const Addr va = 0x100000000000ULL + 0x40;
  ASSERT_TRUE(h.machine->populate(1, va));
  h.elaborate();
  h.ext.start(va, AccessKind::kLoad, h.machine->context(1));
  h.gp.set_address(va);
  EXPECT_EQ(h.initiator->transport_dbg(h.gp), 8u);
  EXPECT_FALSE(h.ext.fault);
  EXPECT_EQ(h.ext.pa, h.machine->expect(h.machine->context(1), va, AccessKind::kLoad).pa);
  EXPECT_EQ(h.ext.walk_refs, 24u);  // a functional walk, no caches
  EXPECT_EQ(h.mmu->walker().stats().walks, 0u);
  EXPECT_EQ(h.mmu->dtlb().tlb().stats().fills, 0u);
  // A timed request afterwards is still cold.
  EXPECT_GT(h.translate(va), 1000u);
  // Unmapped: transport_dbg reports the fault and 0 bytes.
  h.ext.start(va + 0x1000, AccessKind::kLoad, h.machine->context(1));
  h.gp.set_address(va + 0x1000);
  EXPECT_EQ(h.initiator->transport_dbg(h.gp), 0u);
  EXPECT_EQ(h.ext.fault.kind, FaultKind::kNotPresent);
}

TEST_P(MemoryTlm, ReadsEntriesAndWholeLinesAndRefusesOtherBursts) {
  Harness h("h", Virtualization::kNone, "", GetParam());
  h.elaborate();
  const Addr line = 0x12340;  // 64-byte aligned
  for (unsigned i = 0; i < 8; ++i) h.machine->mem().write64(line + 8 * i, 0x1000 + i);
  uint64_t buf[8] = {};
  tlm::tlm_generic_payload gp;
  const auto send = [&](tlm::tlm_command cmd, Addr addr, unsigned len, bool dbg) {
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(buf));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (dbg) return h.to_memory->transport_dbg(gp);
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    h.to_memory->b_transport(gp, t);
    EXPECT_GT(t, sc_core::SC_ZERO_TIME);
    return gp.is_response_ok() ? len : 0u;
  };
  for (const bool dbg : {false, true}) {
    std::fill(buf, buf + 8, 0);
    EXPECT_EQ(send(tlm::TLM_READ_COMMAND, line, 64, dbg), 64u);
    for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(buf[i], 0x1000 + i);
    EXPECT_EQ(send(tlm::TLM_READ_COMMAND, line + 24, 8, dbg), 8u);
    EXPECT_EQ(buf[0], 0x1003u);
  }
  // A line not at its alignment, a line write, and other lengths are burst errors.
  const std::pair<tlm::tlm_command, std::pair<Addr, unsigned>> bad[] = {
      {tlm::TLM_READ_COMMAND, {line + 8, 64}},
      {tlm::TLM_WRITE_COMMAND, {line, 64}},
      {tlm::TLM_READ_COMMAND, {line, 16}},
      {tlm::TLM_READ_COMMAND, {line + 4, 8}}};
  for (const auto& [cmd, at] : bad) {
    EXPECT_EQ(send(cmd, at.first, at.second, true), 0u);
    EXPECT_EQ(gp.get_response_status(), tlm::TLM_BURST_ERROR_RESPONSE);
  }
  EXPECT_EQ(h.machine->mem().read64(line), 0x1000u);  // the refused write wrote nothing
}

INSTANTIATE_TEST_SUITE_P(Timing, MmuTlm, ::testing::Bool(), timing_name);
INSTANTIATE_TEST_SUITE_P(Timing, MemoryTlm, ::testing::Bool(), timing_name);

TEST_P(MmuTlm, FlushesEmptyTlbsAndPwcs) {
  Harness h("h", Virtualization::kEpt, "", GetParam());
  const Addr va = 0x100000000000ULL;
  ASSERT_TRUE(h.machine->populate(1, va));
  const Cycles cold = h.translate(va);
  EXPECT_EQ(h.translate(va), 1u);
  h.mmu->flush_page(va, h.machine->context(1));
  const Cycles after_invlpg = h.translate(va);
  EXPECT_GT(after_invlpg, 8u);      // walked again...
  EXPECT_LT(after_invlpg, cold);    // ...but the host PWC still helps
  h.mmu->flush_all();
  EXPECT_EQ(h.translate(va), cold);  // everything cold again
  h.mmu->flush_context(h.machine->context(1));
  EXPECT_GT(h.translate(va), 8u);
}

TEST_P(MmuTlm, StoreToReadOnlyPageFaultsEvenAfterALoadFilledTheTlb) {
  Harness h("h", Virtualization::kNone, "", GetParam());
  const Addr va = 0x100000000000ULL;
  ASSERT_EQ(h.machine->space(1).touch(va, Perms{false, true, true}),
            AddressSpace::Touch::kMapped);
  h.translate(va, AccessKind::kLoad);
  EXPECT_FALSE(h.ext.fault);
  h.translate(va, AccessKind::kStore);
  EXPECT_EQ(h.ext.fault.kind, FaultKind::kProtection);
  EXPECT_EQ(h.mmu->dtlb().tlb().stats().hits, 1u);  // the hit was refused, then walked
}

// The LT core: demand paging, oracle checks, and simulated time that is exactly the sum of the
// annotated latencies however the quantum is set.
TEST(CoreLt, SimulatedTimeIsTheSumOfLatencies) {
  ConfigDoc doc = ConfigDoc::from_string(
      "sim: {quantum_cycles: 777}\n"
      "workload: {count: 20000, footprint_mib: 64, prefault: false, store_fraction: 0.3}\n",
      "<test>");
  SimConfig cfg = read_sim_config(doc);
  Clock clock(cfg.sim.clock_mhz);
  Machine machine(cfg.machine);
  SyntheticWorkload workload(cfg.workload);
  OsEmulation os(machine, workload.vmas(), cfg.software, cfg.pcid);
  ProtocolCheckers checkers;
  Memory memory("memory", machine.mem(), clock, cfg.memory);
  Mmu mmu("mmu", cfg.mmu, clock, machine.scheme(), 4, 4, checkers.splicer());
  Core core("core", make_core_params(cfg), clock, workload, os, machine);
  checkers.bind("core_mmu", core.mmu, mmu.cpu);
  checkers.bind("core_mem", core.mem, memory.socket);
  checkers.bind("mem_port", mmu.mem_port(), memory.socket);
  os.attach(mmu);
  sc_core::sc_start();
  expect_protocol_clean(checkers);
  EXPECT_GT(checkers.at("core_mem").calls(), 0u);
  const Core::Stats& s = core.stats();
  EXPECT_EQ(s.accesses, 20000u);
  EXPECT_EQ(s.translations, 20000u);
  EXPECT_EQ(s.oracle_mismatches, 0u);
  EXPECT_EQ(s.checked, s.accesses + s.faults);
  EXPECT_GT(os.stats().demand_faults, 0u);
  // Each new page faults in the guest, then exits once to be backed.
  EXPECT_EQ(os.stats().demand_faults,
            os.stats().vm_exits[static_cast<unsigned>(ExitReason::kEptViolation)]);
  EXPECT_EQ(s.software_cycles, os.stats().os_cycles + os.stats().vm_exit_cycles);
  EXPECT_EQ(os.stats().vm_exit_cycles, os.vm_exits() * (cfg.software.vm_exit +
                                                        cfg.software.ept_violation));
  EXPECT_GT(s.work_cycles, 0u);
  EXPECT_EQ(s.data_accesses, s.translations);
  EXPECT_EQ(s.cycles, s.translation_cycles + s.fault_cycles + s.software_cycles +
                          s.work_cycles + s.data_cycles);
  EXPECT_EQ(mmu.walker().stats().fault_walks, s.faults);
}

// Runs the core (LT, or AT: `at`) on a workload with OS events; `invalidate` false leaves the MMU
// unattached, so the OS's unmaps and CR3 writes reach no TLB or PWC. A checker sits on every
// socket pair.
struct EventRun {
  EventRun(const char* yaml, bool invalidate, bool at_ = false) : at(at_) {
    ConfigDoc doc = ConfigDoc::from_string(yaml, "<test>");
    if (at) doc.set("sim.timing=at");
    cfg = read_sim_config(doc);
    machine = std::make_unique<Machine>(cfg.machine);
    workload = std::make_unique<SyntheticWorkload>(cfg.workload);
    os = std::make_unique<OsEmulation>(*machine, workload->vmas(), cfg.software, cfg.pcid, cfg.tea);
    memory = std::make_unique<Memory>("memory", machine->mem(), clock, cfg.memory);
    mmu = std::make_unique<Mmu>("mmu", cfg.mmu, clock, machine->scheme(), 4, 4,
                                checkers.splicer());
    core = std::make_unique<Core>("core", make_core_params(cfg), clock, *workload, *os, *machine);
    checkers.bind("core_mmu", core->mmu, mmu->cpu);
    checkers.bind("core_mem", core->mem, memory->socket);
    checkers.bind("mem_port", mmu->mem_port(), memory->socket);
    if (invalidate) os->attach(*mmu);
    if (cfg.prefault) {
      EXPECT_TRUE(os->prefault());
    }
    sc_core::sc_start();
    EXPECT_EQ(core->error(), "");
    expect_protocol_clean(checkers);
    EXPECT_GT(checkers.at("core_mmu").calls(), 0u);
    EXPECT_GT(checkers.at("stlb_walker").calls(), 0u);
  }
  // LT only: simulated time is the sum of what the core was annotated with.
  void expect_time_is_the_sum() const {
    if (at) return;
    const Core::Stats& s = core->stats();
    EXPECT_EQ(s.cycles, s.translation_cycles + s.fault_cycles + s.software_cycles +
                            s.work_cycles + s.data_cycles);
  }
  const bool at;
  ProtocolCheckers checkers;
  SimConfig cfg;
  Clock clock{2000.0};
  std::unique_ptr<Machine> machine;
  std::unique_ptr<SyntheticWorkload> workload;
  std::unique_ptr<OsEmulation> os;
  std::unique_ptr<Memory> memory;
  std::unique_ptr<Mmu> mmu;
  std::unique_ptr<Core> core;
};

const char* kChurnYaml =
    "system: {pcid: false}\n"
    "workload: {count: 60000, footprint_mib: 16, processes: 3, switch_every: 2000,\n"
    "           churn_every: 3000, churn_pages: 128}\n";

class CoreRun : public ::testing::TestWithParam<bool> {};

TEST_P(CoreRun, ChurnAndContextSwitchesStayCoherentWithTheOracle) {
  EventRun r(kChurnYaml, true, GetParam());
  const Core::Stats& s = r.core->stats();
  EXPECT_EQ(s.accesses, 60000u);
  EXPECT_EQ(s.oracle_mismatches, 0u);
  EXPECT_EQ(r.os->stats().context_switches, 29u);  // after every 2000 accesses but the last
  EXPECT_EQ(r.os->stats().unmap_events, 19u);
  EXPECT_GT(r.os->stats().unmapped_pages, 1000u);
  EXPECT_GT(r.os->stats().demand_faults, 0u);  // unmapped pages fault back in
  // Without PCIDs every switch flushed the guest's TLB entries.
  EXPECT_GE(r.mmu->stlb().tlb().stats().flushes, 29u);
  EXPECT_GT(s.work_cycles, 0u);
  EXPECT_EQ(s.data_accesses, s.translations);
  r.expect_time_is_the_sum();
  EXPECT_EQ(s.software_cycles, r.os->stats().os_cycles + r.os->stats().vm_exit_cycles);
}

TEST_P(CoreRun, OracleCatchesStaleTranslationsWhenTheOsDoesNotInvalidate) {
  EventRun r(kChurnYaml, false, GetParam());
  EXPECT_GT(r.core->stats().oracle_mismatches, 0u);
}

TEST_P(CoreRun, ShadowPagingExitsAndStaysCoherent) {
  EventRun r(
      "system: {virtualization: shadow, pcid: false}\n"
      "workload: {count: 60000, footprint_mib: 16, prefault: false, processes: 2,\n"
      "           switch_every: 5000, churn_every: 4000, churn_pages: 64}\n",
      true, GetParam());
  const Core::Stats& s = r.core->stats();
  const OsEmulation::Stats& os = r.os->stats();
  auto exits = [&](ExitReason e) { return os.vm_exits[static_cast<unsigned>(e)]; };
  EXPECT_EQ(s.oracle_mismatches, 0u);
  EXPECT_EQ(s.translations, 60000u);
  EXPECT_EQ(exits(ExitReason::kEptViolation), 0u);  // no EPT under shadow paging
  EXPECT_EQ(exits(ExitReason::kGuestFault), os.demand_faults);  // every guest fault is reflected
  EXPECT_EQ(exits(ExitReason::kCr3Write), os.context_switches);
  // Every demand fault writes at least its leaf entry, every unmapped page clears one: all trap.
  EXPECT_GE(exits(ExitReason::kShadowPtWrite), os.demand_faults + os.unmapped_pages);
  // Hardware walks only the shadow table: one dimension, no host references.
  EXPECT_EQ(r.mmu->walker().stats().refs_by_dim[1], 0u);
  EXPECT_GT(r.mmu->walker().stats().refs_by_dim[0], 0u);
  EXPECT_GT(s.work_cycles, 0u);
  EXPECT_EQ(s.data_accesses, s.translations);
  r.expect_time_is_the_sum();
  EXPECT_EQ(s.software_cycles, os.os_cycles + os.vm_exit_cycles);
}

INSTANTIATE_TEST_SUITE_P(Timing, CoreRun, ::testing::Bool(), timing_name);

// A parameter and the timing; test names end in _lt or _at.
using WithTiming = std::tuple<const char*, bool>;
template <const char* const* kNames>
std::string with_timing_name(const ::testing::TestParamInfo<WithTiming>& info) {
  return std::string(kNames[info.index / 2]) + (std::get<1>(info.param) ? "_at" : "_lt");
}

class NestedRun : public ::testing::TestWithParam<WithTiming> {};

TEST_P(NestedRun, DemandPagingChurnAndSwitchesStayCoherent) {
  const std::string yaml = std::string("system: {virtualization: nested, nested_walk: ") +
                           std::get<0>(GetParam()) +
                           "}\n"
                           "workload: {count: 40000, footprint_mib: 16, prefault: false,\n"
                           "           processes: 2, switch_every: 5000, churn_every: 4000}\n";
  EventRun r(yaml.c_str(), true, std::get<1>(GetParam()));
  const Core::Stats& s = r.core->stats();
  const OsEmulation::Stats& os = r.os->stats();
  auto exits = [&](ExitReason e) { return os.vm_exits[static_cast<unsigned>(e)]; };
  EXPECT_EQ(s.oracle_mismatches, 0u);
  EXPECT_EQ(s.translations, 40000u);
  EXPECT_GT(exits(ExitReason::kReflected), 0u);  // L1 backs every new L2 page
  if (std::string(std::get<0>(GetParam())) == "shadow_ept") {
    // Every reflected exit ends with L0 composing the EPT02 entry.
    EXPECT_GE(exits(ExitReason::kEpt02Fill), exits(ExitReason::kReflected));
    EXPECT_EQ(exits(ExitReason::kEptViolation), 0u);
  } else {
    // Every page L1 backs is new to L0 too.
    EXPECT_EQ(exits(ExitReason::kEptViolation), exits(ExitReason::kReflected));
  }
  EXPECT_GT(s.work_cycles, 0u);
  EXPECT_EQ(s.data_accesses, s.translations);
  r.expect_time_is_the_sum();
}

const char* const kWalks[] = {"shadow_ept", "hw3d"};
INSTANTIATE_TEST_SUITE_P(Walks, NestedRun,
                         ::testing::Combine(::testing::ValuesIn(kWalks), ::testing::Bool()),
                         with_timing_name<kWalks>);

class DmtRun : public ::testing::TestWithParam<WithTiming> {
 protected:
  // The run's config; skips the RTL unit's mode in a build without it.
  std::string yaml(const char* workload) {
    const std::string mode = std::get<0>(GetParam());
    if (mode.find("impl: rtl") != std::string::npos && dmt_rtl_shapes().empty())
      return "";
    return mode + workload;
  }
};

TEST_P(DmtRun, DemandPagingChurnAndSwitchesStayCoherent) {
  const std::string run = yaml(
      "workload: {count: 40000, footprint_mib: 128, prefault: false,\n"
      "           processes: 2, switch_every: 5000, churn_every: 4000}\n");
  if (run.empty()) GTEST_SKIP() << "no RTL DMT unit in this build";
  EventRun r(run.c_str(), true, std::get<1>(GetParam()));
  const Core::Stats& s = r.core->stats();
  EXPECT_EQ(s.oracle_mismatches, 0u);
  EXPECT_EQ(s.translations, 40000u);
  EXPECT_EQ(r.os->teas().stats().vmas_with_tea, 2u);  // one per process
  EXPECT_GT(r.mmu->walker().stats().dmt_hits, 0u);
  // Seven switches (every 5000 of 40000 accesses) end in process 2: its TEA is loaded.
  const TeaRegister& loaded = r.mmu->dmt().read(0, 0);
  EXPECT_TRUE(loaded.valid);
  EXPECT_EQ(loaded.tag, (r.machine->params().virt != Virtualization::kNone) ? r.machine->context(2).key() : 2u);
  // The host set holds the TEA over guest memory exactly when virtualized.
  EXPECT_EQ(r.mmu->dmt().read(1, 0).valid, (r.machine->params().virt != Virtualization::kNone));
}

// VMAs that grow while their processes run: their TEAs double (leaf tables moved, PWC entries
// invalidated, registers reprogrammed, the running process's at once) and nothing goes stale.
TEST_P(DmtRun, GrowingVmasMoveTheirTeasAndStayCoherent) {
  const std::string run = yaml(
      "workload: {count: 40000, footprint_mib: 128, prefault: false,\n"
      "           processes: 2, switch_every: 5000, churn_every: 4000,\n"
      "           vma_growth: {every: 3000, mib: 64}}\n");
  if (run.empty()) GTEST_SKIP() << "no RTL DMT unit in this build";
  EventRun r(run.c_str(), true, std::get<1>(GetParam()));
  const Core::Stats& s = r.core->stats();
  const OsEmulation::Stats& os = r.os->stats();
  const TeaManager::Stats& t = r.os->teas().stats();
  EXPECT_EQ(s.oracle_mismatches, 0u);
  EXPECT_EQ(s.translations, 40000u);
  EXPECT_EQ(os.vma_growths, 13u);  // after every 3000 of 40000 accesses
  EXPECT_EQ(os.vma_grown_bytes, 13u * (64u << 20));
  EXPECT_GT(t.growths, 0u);
  EXPECT_GT(t.pages_moved, 0u);
  EXPECT_EQ(t.growth_failures, 0u);
  EXPECT_GT(os.tea_cycles, 0u);
  EXPECT_GT(r.mmu->walker().stats().dmt_hits, 0u);
  // Process 2 runs at the end: the unit holds its register, which covers its grown VMA.
  const TeaRegister loaded = r.mmu->dmt().read(0, 0);
  ASSERT_EQ(r.os->teas().registers(2).size(), 1u);
  EXPECT_EQ(loaded, r.os->teas().registers(2)[0]);
  for (const Vma& v : r.os->vmas()) {
    const TeaRegister& reg = r.os->teas().registers(v.asid).at(0);
    EXPECT_EQ(reg.start, v.start);
    EXPECT_EQ(reg.end, v.end);
    EXPECT_GT(v.end - v.start, uint64_t{128} << 20);
  }
  EXPECT_EQ(s.software_cycles, os.os_cycles + os.vm_exit_cycles);
}

// The last mode co-simulates the verilated unit: its lookups run under the MMU's
// nb_transport_fw in AT, which the checkers prove never waits.
const char* const kDmtModes[] = {
    "system: {virtualization: none, dmt: dmt}\n",
    "system: {virtualization: ept, dmt: dmt}\n",
    "system: {virtualization: ept, dmt: pvdmt}\n",
    "system: {virtualization: nested, nested_walk: hw3d, dmt: pvdmt}\n",
    "system: {virtualization: ept, dmt: dmt}\nmmu: {dmt: {impl: rtl}}\n"};
const char* const kDmtNames[] = {"native_dmt", "ept_dmt", "ept_pvdmt", "nested_pvdmt",
                                 "ept_dmt_rtl"};
INSTANTIATE_TEST_SUITE_P(Modes, DmtRun,
                         ::testing::Combine(::testing::ValuesIn(kDmtModes), ::testing::Bool()),
                         with_timing_name<kDmtNames>);

}  // namespace
}  // namespace mmusim

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
