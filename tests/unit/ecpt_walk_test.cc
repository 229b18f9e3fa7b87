// ECPT walks: the walker probes every way of every page size's table at once, finds the entry
// the oracle expects, and counts the probes as one serial step.
#include <gtest/gtest.h>

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
  EXPECT_EQ(r.cycles, 10u);  // the probes overlap: one read's latency
  for (unsigned i = 0; i < r.nrefs; ++i) EXPECT_EQ(r.refs[i].start, 0u);
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
  for (Addr va = 0x10'0000'0000ULL; va < 0x10'0000'0000ULL + (Addr{64} << 21); va += Addr{1} << 21) {
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

}  // namespace
}  // namespace mmusim
