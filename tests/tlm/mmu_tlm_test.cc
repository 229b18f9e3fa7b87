// TLM layer: latencies compose along the path a request takes (L1 TLB, STLB, walker, memory),
// transport_dbg answers an untimed functional translation, flushes reach every structure, and the
// LT core's simulated time equals the sum of the latencies it was annotated with.
// One elaboration per process: ctest runs each test in its own process.
#include <gtest/gtest.h>

#include <systemc>

#include "models/machine.h"
#include "testbench/core.h"
#include "testbench/sim_config.h"
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
    cfg = read_sim_config(doc);
    machine = std::make_unique<Machine>(cfg.machine);
    memory = std::make_unique<Memory>("memory", machine->mem(), clock, cfg.memory_latency);
    mmu = std::make_unique<Mmu>("mmu", cfg.mmu, clock, *machine, cfg.machine.levels,
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
  EXPECT_EQ(h.memory->latency, 200u);
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
  OsEmulation os(machine, workload.vmas());
  Memory memory("memory", machine.mem(), clock, cfg.memory_latency);
  Mmu mmu("mmu", cfg.mmu, clock, machine, 4, 4);
  Core core("core", CoreParams{true, cfg.sim.quantum_cycles, 4}, clock, workload, os, machine);
  core.mmu.bind(mmu.cpu);
  mmu.mem_port().bind(memory.socket);
  sc_core::sc_start();
  const Core::Stats& s = core.stats();
  EXPECT_EQ(s.accesses, 20000u);
  EXPECT_EQ(s.translations, 20000u);
  EXPECT_EQ(s.oracle_mismatches, 0u);
  EXPECT_EQ(s.checked, s.accesses + s.faults);
  EXPECT_GT(os.stats().demand_faults, 0u);
  EXPECT_EQ(os.stats().demand_faults, os.stats().ept_violations);  // each new page backed once
  EXPECT_EQ(s.cycles, s.translation_cycles + s.fault_cycles);
  EXPECT_EQ(mmu.walker().stats().fault_walks, s.faults);
}

}  // namespace
}  // namespace mmusim

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
