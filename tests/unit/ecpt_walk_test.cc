// ECPT walks: the walker probes every way of every page size's table at once (2 cycles of
// hashing first), finds the entry the oracle expects, and counts the probes as one serial step;
// with cuckoo walk caches, the ways their headers name.
#include <gtest/gtest.h>

#include "models/cwc.h"
#include "models/machine.h"
#include "models/walker.h"
#include "tests/unit/cold_walk.h"

namespace mmusim {
namespace {

MachineParams ecpt_params(PageSize page, double huge_fraction = 1.0) {
  MachineParams p;
  p.virt = Virtualization::kNone;
  p.guest_pages.size = page;
  p.guest_pages.huge_fraction = huge_fraction;
  p.host_frames.bytes = Addr{64} << 30;
  p.page_table = TableKind::kEcpt;
  p.ecpt.initial_lines = 64;
  return p;
}

TEST(EcptWalk, ThreeParallelProbesFindTheEntry) {
  Machine m(ecpt_params(PageSize::k4K));
  const Addr va = 0x7f12'3456'7123ULL;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = cold_walk(m, va, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.nrefs, 3u);
  EXPECT_EQ(r.serial_refs, 1u);
  EXPECT_EQ(r.cycles, 12u);  // the hash, then the probes overlap: one read's latency
  for (unsigned i = 0; i < r.nrefs; ++i) EXPECT_EQ(r.refs[i].start, 2u);
  const Expectation e = m.expect(m.context(1), va, AccessKind::kLoad);
  EXPECT_EQ(r.pa, e.pa);
  EXPECT_EQ(r.size, PageSize::k4K);
}

TEST(EcptWalk, AnUnmappedPageIsANotPresentFault) {
  Machine m(ecpt_params(PageSize::k4K));
  ASSERT_TRUE(m.populate(1, 0x4000'0000));
  const WalkResult r = cold_walk(m, 0x4000'8000, 10);  // the next cluster
  EXPECT_EQ(r.fault.kind, FaultKind::kNotPresent);
  EXPECT_EQ(r.nrefs, 3u);
}

TEST(EcptWalk, MixedPageSizesProbeBothTables) {
  Machine m(ecpt_params(PageSize::k2M, 0.5));
  unsigned large = 0, small = 0;
  const Addr base = 0x10'0000'0000ULL;
  for (Addr va = base; va < base + (Addr{64} << 21); va += Addr{1} << 21) {
    ASSERT_TRUE(m.populate(1, va + 0x1234));
    const WalkResult r = cold_walk(m, va + 0x1234, 10);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.pa, m.expect(m.context(1), va + 0x1234, AccessKind::kLoad).pa);
    (r.size == PageSize::k2M ? large : small) += 1;
  }
  EXPECT_GT(large, 0u);
  EXPECT_GT(small, 0u);
  EXPECT_EQ(cold_walk(m, 0x10'0000'1234ULL, 10).nrefs, 6u);
  EXPECT_EQ(cold_walk(m, 0x10'0000'1234ULL, 10).serial_refs, 1u);
}

// A walk of context 1 whose dimension has the cuckoo walk caches `cwc`.
WalkResult cwc_walk(Machine& m, Cwc& cwc, Addr va) {
  WalkDim dims[3];
  const unsigned n = m.walk_dims(m.context(1), dims);
  dims[0].cwc = &cwc;
  DirectWalkMemory mem(m.mem(), 10);
  Walker walker;
  WalkResult r;
  walker.walk(dims, n, va, AccessKind::kLoad, mem, r);
  return r;
}

TEST(EcptWalk, CwcMissesProbeEveryWayAndReadTheCwtLinesBeside) {
  Machine m(ecpt_params(PageSize::k2M));
  const Addr va = 0x10'0000'1234ULL;
  ASSERT_TRUE(m.populate(1, va));
  Cwc cwc("guest", CwcParams{});
  const WalkResult r = cwc_walk(m, cwc, va);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.ecpt_probes, 3u);  // the 2M table's three ways
  EXPECT_EQ(r.nrefs, 3u + 4u);   // and both ways of the PUD-CWT and of the PMD-CWT
  EXPECT_EQ(r.serial_refs, 1u);
  EXPECT_EQ(r.cycles, 4u + 10u);  // the CWC lookup, one probe's latency; the CWT reads beside
  EXPECT_EQ(cwc.stats(Ecpt::kPudCwt).fills, 1u);
  EXPECT_EQ(cwc.stats(Ecpt::kPmdCwt).fills, 1u);
}

TEST(EcptWalk, CwcHitsNameTheOneWayOfA2MEntry) {
  Machine m(ecpt_params(PageSize::k2M));
  const Addr va = 0x10'0000'1234ULL;
  ASSERT_TRUE(m.populate(1, va));
  Cwc cwc("guest", CwcParams{});
  cwc_walk(m, cwc, va);
  const WalkResult r = cwc_walk(m, cwc, va);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.nrefs, 1u);  // a direct walk
  EXPECT_EQ(r.pa, m.expect(m.context(1), va, AccessKind::kLoad).pa);
  // Unmapped, in the same 16 MiB section: the named way misses, then the other two are probed.
  const WalkResult f = cwc_walk(m, cwc, va + (Addr{1} << 21));
  EXPECT_EQ(f.fault.kind, FaultKind::kNotPresent);
  EXPECT_EQ(f.nrefs, 3u);
  EXPECT_EQ(f.serial_refs, 2u);
  EXPECT_EQ(f.ecpt_reprobes, 1u);
}

TEST(EcptWalk, CwcHitsLeaveOnlyThe4KWaysWhereOnly4KPagesAre) {
  Machine m(ecpt_params(PageSize::k4K));
  const Addr va = 0x7f12'3456'7123ULL;
  ASSERT_TRUE(m.populate(1, va));
  Cwc cwc("guest", CwcParams{});
  EXPECT_EQ(cwc_walk(m, cwc, va).nrefs, 3u + 2u);  // no 2M table: the PMD-CWC is not asked
  const WalkResult r = cwc_walk(m, cwc, va);
  EXPECT_EQ(r.nrefs, 3u);  // a size walk
  EXPECT_EQ(cwc.stats(Ecpt::kPudCwt).hits, 1u);
  EXPECT_EQ(cwc.stats(Ecpt::kPmdCwt).lookups, 0u);
}

TEST(EcptWalk, NestedEcptTakesThreeStepsAndThePteCwcNamesTheHostWays) {
  MachineParams p = ecpt_params(PageSize::k4K);
  p.virt = Virtualization::kEpt;
  p.host_page_table = TableKind::kEcpt;
  Machine m(p);
  const Addr va = 0x7f12'3456'7123ULL;
  ASSERT_TRUE(m.populate(1, va));
  WalkDim dims[3];
  ASSERT_EQ(m.walk_dims(m.context(1), dims), 2u);
  CwcParams host_params;
  host_params.entries[Ecpt::kPteCwt] = 16;
  Cwc guest("guest", CwcParams{}), host("host", host_params);
  dims[0].cwc = &guest;
  dims[1].cwc = &host;
  DirectWalkMemory mem(m.mem(), 10);
  Walker walker;
  WalkResult r;
  walker.walk(dims, 2, va, AccessKind::kLoad, mem, r);  // the CWCs fill
  walker.walk(dims, 2, va, AccessKind::kLoad, mem, r);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.pa, m.expect(m.context(1), va, AccessKind::kLoad).pa);
  // The guest's 3 ways, each line's host way (PTE-CWC), then the data's host way (the PTE-CWC
  // serves data translations too until its hit rate falls): 3 + 3 + 1.
  EXPECT_EQ(r.nrefs, 7u);
  EXPECT_EQ(r.serial_refs, 3u);
  EXPECT_EQ(r.ecpt_reprobes, 0u);
  EXPECT_EQ(r.cycles, 3 * (4u + 10u));  // three steps, each a CWC lookup and a read
}

}  // namespace
}  // namespace mmusim
