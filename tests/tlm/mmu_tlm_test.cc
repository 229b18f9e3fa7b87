// TLM layer: latencies compose along the path a request takes (L1 TLB, STLB, walker, memory),
// transport_dbg answers an untimed functional translation, flushes reach every structure, and the
// LT core's simulated time equals the sum of the latencies it was annotated with.
// One elaboration per process: ctest runs each test in its own process.
#include <gtest/gtest.h>

#include <algorithm>
#include <systemc>

#include "models/machine.h"
#include "testbench/core.h"
#include "testbench/sim_config.h"
#include "testbench/simulation.h"
#include "tlm/memory.h"
#include "tlm/mmu.h"

namespace mmusim {
namespace {

// Sends translation requests into the MMU from the test body (no process needed: nothing waits).
struct Harness : sc_core::sc_module {
  Harness(sc_core::sc_module_name name, Virtualization v, const char* overrides = "")
      : sc_module(name) {
    ConfigDoc doc = ConfigDoc::from_string(overrides, "<test>");
    doc.set(std::string("system.virtualization=") + virtualization_name(v));
    // Walk reads straight to DRAM, so latencies are counts of references x 200.
    if (std::string(overrides).find("walker_entry") == std::string::npos)
      doc.set("memory.walker_entry=dram");
    cfg = read_sim_config(doc);
    machine = std::make_unique<Machine>(cfg.machine);
    memory = std::make_unique<Memory>("memory", machine->mem(), clock, cfg.memory);
    mmu = std::make_unique<Mmu>("mmu", cfg.mmu, clock, machine->scheme(), cfg.machine.levels,
                                cfg.machine.host_levels);
    mmu->mem_port().bind(memory->socket);
    initiator.bind(mmu->cpu);
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
  }
  ~Harness() override { gp.clear_extension(&ext); }

  // Multi-sockets resolve their bindings at the end of elaboration.
  void elaborate() {
    if (!sc_core::sc_is_running() && sc_core::sc_get_status() == sc_core::SC_ELABORATION)
      sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }

  Cycles translate(Addr va, AccessKind kind = AccessKind::kLoad) {
    elaborate();
    ext.start(va, kind, machine->context(1));
    gp.set_address(va);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    initiator->b_transport(gp, delay);
    EXPECT_TRUE(gp.is_response_ok());
    EXPECT_EQ(clock.to_cycles(delay), ext.total_cycles());
    return clock.to_cycles(delay);
  }

  SimConfig cfg;
  Clock clock{2000.0};
  std::unique_ptr<Machine> machine;
  std::unique_ptr<Memory> memory;
  std::unique_ptr<Mmu> mmu;
  tlm_utils::simple_initiator_socket<Harness> initiator{"initiator"};
  tlm::tlm_generic_payload gp;
  TranslationExt ext;
};

TEST(MmuTlm, NativeLatencyComposesAlongThePath) {
  Harness h("h", Virtualization::kNone);
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

TEST(MmuTlm, StlbServesWhatTheL1Lost) {
  Harness h("h", Virtualization::kNone);
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

TEST(MmuTlm, EptWalkIsTwentyFourReferencesCold) {
  Harness h("h", Virtualization::kEpt, "sim: {cold: true}");
  const Addr va = 0x100000000000ULL + 0x40;
  ASSERT_TRUE(h.machine->populate(1, va));
  EXPECT_EQ(h.translate(va), 24u * 200u);  // no TLB or PWC to probe: only memory
  EXPECT_EQ(h.ext.walk_refs, 24u);
  EXPECT_EQ(h.translate(va), 24u * 200u);  // still cold: nothing is cached
}

TEST(MmuTlm, DebugTransportIsUntimedAndLeavesNoTrace) {
  Harness h("h", Virtualization::kEpt);
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

TEST(MemoryTlm, ReadsEntriesAndWholeLinesAndRefusesOtherBursts) {
  Harness h("h", Virtualization::kNone);
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
    if (dbg) return h.memory->transport_dbg(gp);
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    h.memory->b_transport(gp, t);
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

TEST(MmuTlm, FlushesEmptyTlbsAndPwcs) {
  Harness h("h", Virtualization::kEpt);
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

TEST(MmuTlm, StoreToReadOnlyPageFaultsEvenAfterALoadFilledTheTlb) {
  Harness h("h", Virtualization::kNone);
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
  Memory memory("memory", machine.mem(), clock, cfg.memory);
  Mmu mmu("mmu", cfg.mmu, clock, machine.scheme(), 4, 4);
  Core core("core", make_core_params(cfg), clock, workload, os, machine);
  core.mmu.bind(mmu.cpu);
  core.mem.bind(memory.socket);
  mmu.mem_port().bind(memory.socket);
  os.attach(mmu);
  sc_core::sc_start();
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

// Runs the LT core on a workload with OS events; `invalidate` false leaves the MMU unattached, so
// the OS's unmaps and CR3 writes reach no TLB or PWC.
struct EventRun {
  EventRun(const char* yaml, bool invalidate) {
    ConfigDoc doc = ConfigDoc::from_string(yaml, "<test>");
    cfg = read_sim_config(doc);
    machine = std::make_unique<Machine>(cfg.machine);
    workload = std::make_unique<SyntheticWorkload>(cfg.workload);
    os = std::make_unique<OsEmulation>(*machine, workload->vmas(), cfg.software, cfg.pcid, cfg.tea);
    memory = std::make_unique<Memory>("memory", machine->mem(), clock, cfg.memory);
    mmu = std::make_unique<Mmu>("mmu", cfg.mmu, clock, machine->scheme(), 4, 4);
    core = std::make_unique<Core>("core", make_core_params(cfg), clock, *workload, *os, *machine);
    core->mmu.bind(mmu->cpu);
    core->mem.bind(memory->socket);
    mmu->mem_port().bind(memory->socket);
    if (invalidate) os->attach(*mmu);
    if (cfg.prefault) {
      EXPECT_TRUE(os->prefault());
    }
    sc_core::sc_start();
  }
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

TEST(CoreLt, ChurnAndContextSwitchesStayCoherentWithTheOracle) {
  EventRun r(kChurnYaml, true);
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
  EXPECT_EQ(s.cycles, s.translation_cycles + s.fault_cycles + s.software_cycles +
                          s.work_cycles + s.data_cycles);
  EXPECT_EQ(s.software_cycles, r.os->stats().os_cycles + r.os->stats().vm_exit_cycles);
}

TEST(CoreLt, OracleCatchesStaleTranslationsWhenTheOsDoesNotInvalidate) {
  EventRun r(kChurnYaml, false);
  EXPECT_GT(r.core->stats().oracle_mismatches, 0u);
}

TEST(CoreLt, ShadowPagingExitsAndStaysCoherent) {
  EventRun r(
      "system: {virtualization: shadow, pcid: false}\n"
      "workload: {count: 60000, footprint_mib: 16, prefault: false, processes: 2,\n"
      "           switch_every: 5000, churn_every: 4000, churn_pages: 64}\n",
      true);
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
  EXPECT_EQ(s.cycles, s.translation_cycles + s.fault_cycles + s.software_cycles +
                          s.work_cycles + s.data_cycles);
  EXPECT_EQ(s.software_cycles, os.os_cycles + os.vm_exit_cycles);
}

class NestedRun : public ::testing::TestWithParam<const char*> {};

TEST_P(NestedRun, DemandPagingChurnAndSwitchesStayCoherent) {
  const std::string yaml = std::string("system: {virtualization: nested, nested_walk: ") +
                           GetParam() +
                           "}\n"
                           "workload: {count: 40000, footprint_mib: 16, prefault: false,\n"
                           "           processes: 2, switch_every: 5000, churn_every: 4000}\n";
  EventRun r(yaml.c_str(), true);
  const Core::Stats& s = r.core->stats();
  const OsEmulation::Stats& os = r.os->stats();
  auto exits = [&](ExitReason e) { return os.vm_exits[static_cast<unsigned>(e)]; };
  EXPECT_EQ(s.oracle_mismatches, 0u);
  EXPECT_EQ(s.translations, 40000u);
  EXPECT_GT(exits(ExitReason::kReflected), 0u);  // L1 backs every new L2 page
  if (std::string(GetParam()) == "shadow_ept") {
    // Every reflected exit ends with L0 composing the EPT02 entry.
    EXPECT_GE(exits(ExitReason::kEpt02Fill), exits(ExitReason::kReflected));
    EXPECT_EQ(exits(ExitReason::kEptViolation), 0u);
  } else {
    // Every page L1 backs is new to L0 too.
    EXPECT_EQ(exits(ExitReason::kEptViolation), exits(ExitReason::kReflected));
  }
  EXPECT_GT(s.work_cycles, 0u);
  EXPECT_EQ(s.data_accesses, s.translations);
  EXPECT_EQ(s.cycles, s.translation_cycles + s.fault_cycles + s.software_cycles +
                          s.work_cycles + s.data_cycles);
}

INSTANTIATE_TEST_SUITE_P(Walks, NestedRun, ::testing::Values("shadow_ept", "hw3d"));

class DmtRun : public ::testing::TestWithParam<const char*> {};

TEST_P(DmtRun, DemandPagingChurnAndSwitchesStayCoherent) {
  const std::string yaml = std::string(GetParam()) +
                           "workload: {count: 40000, footprint_mib: 128, prefault: false,\n"
                           "           processes: 2, switch_every: 5000, churn_every: 4000}\n";
  EventRun r(yaml.c_str(), true);
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
  const std::string yaml = std::string(GetParam()) +
                           "workload: {count: 40000, footprint_mib: 128, prefault: false,\n"
                           "           processes: 2, switch_every: 5000, churn_every: 4000,\n"
                           "           vma_growth: {every: 3000, mib: 64}}\n";
  EventRun r(yaml.c_str(), true);
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

INSTANTIATE_TEST_SUITE_P(Modes, DmtRun,
                         ::testing::Values("system: {virtualization: none, dmt: dmt}\n",
                                           "system: {virtualization: ept, dmt: dmt}\n",
                                           "system: {virtualization: ept, dmt: pvdmt}\n",
                                           "system: {virtualization: nested, nested_walk: hw3d,"
                                           " dmt: pvdmt}\n"));

}  // namespace
}  // namespace mmusim

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
