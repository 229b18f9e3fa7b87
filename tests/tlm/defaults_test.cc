// The params structs default to configs/default.yaml, and the config reader takes its defaults
// from them: an empty config reads as default-constructed params, and default params make a
// working machine, MMU and memory. The model refuses what a scheme does not model, whoever
// built its params.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/machine.h"
#include "testbench/sim_config.h"
#include "tlm/memory.h"
#include "tlm/mmu.h"

namespace mmusim {
namespace {

void expect_same(const TlbParams& a, const TlbParams& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.policy, b.policy) << a.name;
  EXPECT_EQ(a.seed, b.seed) << a.name;
  ASSERT_EQ(a.arrays.size(), b.arrays.size()) << a.name;
  for (size_t i = 0; i < a.arrays.size(); ++i) {
    EXPECT_EQ(a.arrays[i].name, b.arrays[i].name) << a.name;
    EXPECT_EQ(a.arrays[i].sizes, b.arrays[i].sizes) << a.name;
    EXPECT_EQ(a.arrays[i].entries, b.arrays[i].entries) << a.name;
    EXPECT_EQ(a.arrays[i].ways, b.arrays[i].ways) << a.name;
  }
}

void expect_same(const PwcParams& a, const PwcParams& b) {
  for (unsigned l = 0; l <= kMaxLevels; ++l) {
    EXPECT_EQ(a.entries[l], b.entries[l]) << "level " << l;
    EXPECT_EQ(a.ways[l], b.ways[l]) << "level " << l;
  }
  EXPECT_EQ(a.policy, b.policy);
  EXPECT_EQ(a.seed, b.seed);
}

void expect_same(const MmuParams& a, const MmuParams& b) {
  expect_same(a.itlb, b.itlb);
  expect_same(a.dtlb, b.dtlb);
  expect_same(a.stlb, b.stlb);
  EXPECT_EQ(a.itlb_latency, b.itlb_latency);
  EXPECT_EQ(a.dtlb_latency, b.dtlb_latency);
  EXPECT_EQ(a.stlb_latency, b.stlb_latency);
  const PageWalkerParams &w = a.walker, &v = b.walker;
  EXPECT_EQ(w.walker.pwc_latency, v.walker.pwc_latency);
  EXPECT_EQ(w.walker.ntlb_latency, v.walker.ntlb_latency);
  EXPECT_EQ(w.walker.ecpt_hash_latency, v.walker.ecpt_hash_latency);
  EXPECT_EQ(w.walker.cwc_latency, v.walker.cwc_latency);
  expect_same(w.guest_pwc, v.guest_pwc);
  expect_same(w.host_pwc, v.host_pwc);
  expect_same(w.nested_tlb, v.nested_tlb);
  EXPECT_EQ(w.max_inflight, v.max_inflight);
  EXPECT_EQ(w.step_vectors, v.step_vectors);
  for (unsigned l = 0; l < Ecpt::kCwtLevels; ++l) {
    EXPECT_EQ(w.guest_cwc.entries[l], v.guest_cwc.entries[l]) << "CWC level " << l;
    EXPECT_EQ(w.host_cwc.entries[l], v.host_cwc.entries[l]) << "CWC level " << l;
  }
  EXPECT_EQ(a.dmt_registers, b.dmt_registers);
  EXPECT_EQ(a.dmt_latency, b.dmt_latency);
  EXPECT_EQ(a.at, b.at);
  EXPECT_EQ(a.dmt_impl, b.dmt_impl);
}

void expect_same(const MemoryParams& a, const MemoryParams& b) {
  EXPECT_EQ(a.walker_entry, b.walker_entry);
  EXPECT_EQ(a.l1d_mshrs, b.l1d_mshrs);
  EXPECT_EQ(a.hierarchy.line_bytes, b.hierarchy.line_bytes);
  for (unsigned i = 0; i < kCacheLevels; ++i) {
    const CacheParams &c = a.hierarchy.level[i], &d = b.hierarchy.level[i];
    EXPECT_EQ(c.size_bytes, d.size_bytes) << "level " << i;
    EXPECT_EQ(c.ways, d.ways) << "level " << i;
    EXPECT_EQ(c.latency, d.latency) << "level " << i;
    EXPECT_EQ(c.policy, d.policy) << "level " << i;
    EXPECT_EQ(c.qlru, d.qlru) << "level " << i;
    EXPECT_EQ(c.duel, d.duel) << "level " << i;
  }
  const DramParams &r = a.hierarchy.dram, &s = b.hierarchy.dram;
  EXPECT_EQ(r.latency, s.latency);
  EXPECT_EQ(r.row_buffer, s.row_buffer);
  EXPECT_EQ(r.banks, s.banks);
  EXPECT_EQ(r.row_bytes, s.row_bytes);
  EXPECT_EQ(r.row_hit_latency, s.row_hit_latency);
}

void expect_same(const FrameAllocatorParams& a, const FrameAllocatorParams& b) {
  EXPECT_EQ(a.base, b.base);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.scatter, b.scatter);
  EXPECT_EQ(a.seed, b.seed);
}

void expect_same(const MachineParams& a, const MachineParams& b) {
  EXPECT_EQ(a.virt, b.virt);
  EXPECT_EQ(a.nested_walk, b.nested_walk);
  EXPECT_EQ(a.levels, b.levels);
  EXPECT_EQ(a.host_levels, b.host_levels);
  EXPECT_EQ(a.page_table, b.page_table);
  EXPECT_EQ(a.host_page_table, b.host_page_table);
  EXPECT_EQ(a.ecpt.ways, b.ecpt.ways);
  EXPECT_EQ(a.ecpt.initial_lines, b.ecpt.initial_lines);
  EXPECT_EQ(a.ecpt.seed, b.ecpt.seed);
  for (const auto& [p, q] : {std::pair{&a.guest_pages, &b.guest_pages},
                             std::pair{&a.host_pages, &b.host_pages}}) {
    EXPECT_EQ(p->size, q->size);
    EXPECT_EQ(p->huge_fraction, q->huge_fraction);
    EXPECT_EQ(p->seed, q->seed);
  }
  expect_same(a.guest_frames, b.guest_frames);
  expect_same(a.l1_frames, b.l1_frames);
  expect_same(a.host_frames, b.host_frames);
  EXPECT_EQ(a.vpid, b.vpid);
  EXPECT_EQ(a.table_pool.enabled, b.table_pool.enabled);
  EXPECT_EQ(a.dmt, b.dmt);
  EXPECT_EQ(a.agile.write_threshold, b.agile.write_threshold);
  EXPECT_EQ(a.agile.scan_every, b.agile.scan_every);
}

TEST(ParamsDefaults, AnEmptyConfigReadsAsTheDefaultStructs) {
  ConfigDoc doc = ConfigDoc::from_string("", "<empty>");
  const SimConfig cfg = read_sim_config(doc);
  expect_same(cfg.mmu, MmuParams{});
  expect_same(cfg.memory, MemoryParams{});
  expect_same(cfg.machine, MachineParams{});
}

TEST(ParamsDefaults, TheReaderStillAppliesWhatAConfigSets) {
  ConfigDoc doc = ConfigDoc::from_string(
      "mmu: {stlb: {latency: 9, arrays: {a: {sizes: [4K], entries: 32, ways: 4}}}}\n"
      "memory: {l2: {size_kib: 512}}\nsystem: {seed: 2}\n",
      "<test>");
  const SimConfig cfg = read_sim_config(doc);
  EXPECT_EQ(cfg.mmu.stlb_latency, 9u);
  ASSERT_EQ(cfg.mmu.stlb.arrays.size(), 1u);
  EXPECT_EQ(cfg.mmu.stlb.arrays[0].entries, 32u);
  EXPECT_EQ(cfg.memory.hierarchy.level[1].size_bytes, 512u << 10);
  EXPECT_EQ(cfg.mmu.dtlb.seed, MmuParams{}.dtlb.seed + 1);  // the seeds follow system.seed
  EXPECT_EQ(cfg.machine.host_frames.seed, MachineParams{}.host_frames.seed + 2);
}

struct Initiator : sc_core::sc_module {
  InitiatorSocket<Initiator> socket{"socket"};
  explicit Initiator(sc_core::sc_module_name name) : sc_module(name) {}
};

// Default params make a working machine (EPT, as configs/default.yaml): the MMU's answers are
// the oracle's, the first from a walk, the second from the L1 DTLB.
TEST(ParamsDefaults, DefaultParamsMakeAWorkingMachineMmuAndMemory) {
  Machine machine{MachineParams{}};
  Clock clock(2000.0);
  Memory memory("memory", machine.mem(), clock, MemoryParams{});
  Mmu mmu("mmu", MmuParams{}, clock, machine.scheme(), 4, 4);
  mmu.mem_port().bind(memory.socket);
  Initiator core("core");
  core.socket.bind(mmu.cpu);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);  // multi-sockets resolve their bindings
  const Addr va = 0x7f12'3456'7238;
  ASSERT_TRUE(machine.populate(1, va));
  TranslationExt ext;
  tlm::tlm_generic_payload gp;
  gp.set_extension(&ext);
  gp.set_command(tlm::TLM_READ_COMMAND);
  for (const ServedBy expect : {ServedBy::kWalk, ServedBy::kL1Tlb}) {
    ext.start(va, AccessKind::kLoad, machine.context(1));
    gp.set_address(va);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    core.socket->b_transport(gp, delay);
    EXPECT_TRUE(gp.is_response_ok());
    EXPECT_FALSE(ext.fault);
    EXPECT_EQ(ext.served_by, expect);
    EXPECT_EQ(ext.pa, machine.expect(machine.context(1), va, AccessKind::kLoad).pa);
    EXPECT_GT(delay, sc_core::SC_ZERO_TIME);
  }
  gp.clear_extension(&ext);
}

// The model refuses a combination its scheme does not model, naming the key, as the reader does.
TEST(ParamsDefaults, TheModelRefusesWhatItsSchemeDoesNotModel) {
  MachineParams p;
  p.page_table = TableKind::kEcpt;
  p.dmt = DmtMode::kDmt;
  try {
    Machine m(p);
    FAIL() << "ECPT with DMT was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("system.", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace mmusim
