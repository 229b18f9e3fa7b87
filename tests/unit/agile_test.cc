// Agile Paging: walks start in the shadow table and switch to the guest table x the EPT at a
// switching entry. Cold, a 4K walk is 4, 8, 12 or 16 references as the switch sits above no
// level, the PT, the PD or the PDPT; the policy makes a twice-written guest table page nested,
// frees its writes from exits, and a scan shadows it again once the guest stops writing it.
#include <gtest/gtest.h>

#include "models/machine.h"
#include "models/scheme_agile.h"
#include "tests/unit/cold_walk.h"

namespace mmusim {
namespace {

constexpr Addr kVa = 0x1000'0000'0000ULL + 0x1234'5000;

MachineParams agile_params(PageSize page = PageSize::k4K) {
  MachineParams p;
  p.virt = Virtualization::kAgile;
  p.guest_pages.size = page;
  p.host_pages.size = page;
  p.guest_frames.bytes = Addr{16} << 30;
  p.host_frames.bytes = Addr{64} << 30;
  return p;
}

AgileScheme& agile(Machine& m) { return static_cast<AgileScheme&>(m.scheme()); }

// A cold walk of va must translate as the oracle says, with `refs` references.
void expect_walk(Machine& m, Addr va, unsigned refs) {
  const WalkResult r = cold_walk(m, va, 100);
  ASSERT_TRUE(r.ok()) << "fault at level " << unsigned(r.fault.level);
  const Expectation e = m.expect(m.context(1), va, AccessKind::kLoad);
  EXPECT_EQ(e.fault, FaultKind::kNone);
  EXPECT_EQ(r.pa, e.pa);
  EXPECT_EQ(r.nrefs, refs);
  EXPECT_EQ(r.serial_refs, refs);  // every read depends on the one before
  EXPECT_EQ(r.cycles, refs * 100u);
}

TEST(AgileWalk, ColdReferencesFollowTheSwitchLevel) {
  // Shadowed: 4. Switch to the PT: 3 shadow + the PT entry + 4 for the data's gPA = 8. To the
  // PD: 2 + 1 + (4 + 1) + 4 = 12. To the PDPT: 1 + 1 + 2 x (4 + 1) + 4 = 16.
  const unsigned expected[] = {4, 8, 12, 16};
  for (unsigned level = 0; level <= 3; ++level) {
    Machine m(agile_params());
    ASSERT_TRUE(m.populate(1, kVa));
    if (level) {
      ASSERT_TRUE(agile(m).to_nested(1, kVa, level));
    }
    EXPECT_EQ(agile(m).switch_level(1, kVa), level);
    expect_walk(m, kVa, expected[level]);
    if (level) {  // the rest of the switched region: nested too, translated through the guest
      ASSERT_TRUE(m.populate(1, kVa + 0x1000));
      expect_walk(m, kVa + 0x1000, expected[level]);
    }
  }
}

TEST(AgileWalk, TwoMegabytePagesSwitchAtThePd) {
  // 2M pages in both dimensions: shadowed 3; the PD nested: 2 + 1 + 3 = 6 (the DMT artifact's
  // G1 + G2 + G3 + UDH1..3).
  Machine m(agile_params(PageSize::k2M));
  ASSERT_TRUE(m.populate(1, kVa));
  expect_walk(m, kVa, 3);
  ASSERT_TRUE(agile(m).to_nested(1, kVa, 2));
  expect_walk(m, kVa, 6);
  EXPECT_FALSE(agile(m).to_nested(1, kVa, 1));  // no PT under a 2M page
  EXPECT_FALSE(agile(m).to_nested(1, kVa, 4));  // the root stays shadowed
}

// Demand-faults va as the core would: walk, the scheme's handler, retry.
void touch(Machine& m, Software& sw, Addr va) {
  const Perms rw{};
  for (int attempt = 0; attempt < 4; ++attempt) {
    const WalkResult r = cold_walk(m, va);
    const Expectation e = m.expect(m.context(1), va, AccessKind::kLoad);
    ASSERT_EQ(e.fault, r.fault.kind);
    if (r.ok()) {
      ASSERT_EQ(e.pa, r.pa);
      return;
    }
    m.scheme().handle_fault(m.context(1), va, r.fault, &rw, sw);
  }
  FAIL() << "va never translated";
}

uint64_t exits(const Software& sw, ExitReason r) {
  return sw.stats().vm_exits[static_cast<unsigned>(r)];
}

TEST(AgilePolicy, ATwiceWrittenTableGoesNestedAndAScanShadowsItAgain) {
  Machine m(agile_params());
  Software sw(SoftwareCosts{});
  ASSERT_TRUE(m.populate(1, kVa));  // the VM's tables, built before the run: not watched
  touch(m, sw, kVa + 0x1000);       // a write to the PT page: it exits
  EXPECT_EQ(exits(sw, ExitReason::kShadowPtWrite), 1u);
  EXPECT_EQ(agile(m).switch_level(1, kVa), 0u);
  touch(m, sw, kVa + 0x2000);  // the second: the PT goes nested
  EXPECT_EQ(exits(sw, ExitReason::kShadowPtWrite), 2u);
  EXPECT_EQ(agile(m).switch_level(1, kVa), 1u);
  EXPECT_EQ(agile(m).stats().to_nested, 1u);
  EXPECT_TRUE(agile(m).take_walk_cache_flush());
  EXPECT_FALSE(agile(m).take_walk_cache_flush());
  touch(m, sw, kVa + 0x3000);  // now the guest's own: no exit at all
  EXPECT_EQ(exits(sw, ExitReason::kShadowPtWrite), 2u);
  EXPECT_EQ(agile(m).stats().free_writes, 1u);
  expect_walk(m, kVa + 0x3000, 8);
  // A scan: the PT was written since the last one, so it stays nested.
  m.scheme().periodic(sw);
  EXPECT_EQ(agile(m).switch_level(1, kVa), 1u);
  // The next scan finds it clean: shadowed again, its 4 pages' shadow entries composed.
  const Cycles c = m.scheme().periodic(sw);
  EXPECT_EQ(agile(m).switch_level(1, kVa), 0u);
  EXPECT_EQ(agile(m).stats().rebuilt, 4u);
  const SoftwareCosts k;
  EXPECT_EQ(c, k.vm_exit + k.agile_scan + k.agile_convert + 4 * k.agile_rebuild_entry);
  EXPECT_EQ(exits(sw, ExitReason::kAgileScan), 2u);
  for (Addr p = kVa; p < kVa + 0x4000; p += 0x1000) expect_walk(m, p, 4);
}

TEST(AgilePolicy, AScanLeavesAWrittenTableBelowNested) {
  Machine m(agile_params());
  Software sw(SoftwareCosts{});
  ASSERT_TRUE(m.populate(1, kVa));
  ASSERT_TRUE(m.populate(1, kVa + (Addr{1} << 21)));  // a second PT under the same PD
  ASSERT_TRUE(agile(m).to_nested(1, kVa, 2));         // the PD nested
  touch(m, sw, kVa + 0x1000);  // a write to the first PT, nested: free
  EXPECT_EQ(agile(m).stats().free_writes, 1u);
  m.scheme().periodic(sw);  // the PD is clean, its first PT is not: the switch moves down
  EXPECT_EQ(agile(m).switch_level(1, kVa), 1u);
  EXPECT_EQ(agile(m).switch_level(1, kVa + (Addr{1} << 21)), 0u);
  expect_walk(m, kVa + 0x1000, 8);
  expect_walk(m, kVa + (Addr{1} << 21), 4);
}

TEST(AgilePolicy, FreeingANestedTableDropsItsSwitch) {
  Machine m(agile_params());
  Software sw(SoftwareCosts{});
  ASSERT_TRUE(m.populate(1, kVa));
  ASSERT_TRUE(agile(m).to_nested(1, kVa, 1));
  // The guest unmaps the PT's only page: the PT is freed and the PD entry that pointed at it
  // cleared, a write to a shadowed page whose sync drops the switch.
  Mapping gone;
  ASSERT_TRUE(m.space(1).unmap(kVa, &gone));
  m.scheme().on_leaf_changed(1, gone);
  m.scheme().trapped_table_writes(0, sw);
  EXPECT_EQ(agile(m).switch_level(1, kVa), 0u);
  const WalkResult r = cold_walk(m, kVa);
  EXPECT_EQ(r.fault.kind, FaultKind::kNotPresent);
  EXPECT_EQ(m.expect(m.context(1), kVa, AccessKind::kLoad).fault, FaultKind::kNotPresent);
  m.scheme().periodic(sw);  // the unmap's writes forgotten: mapping again converts nothing
  touch(m, sw, kVa);        // faults back in, shadowed
  expect_walk(m, kVa, 4);
}

}  // namespace
}  // namespace mmusim
