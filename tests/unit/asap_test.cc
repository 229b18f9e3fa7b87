// ASAP: the OS lays out a range's PL1 and PL2 tables in address order, the range registers give
// their entries' addresses, and the walker prefetches them beside the walk: cold, a native 4K
// walk is two dependent reads long (four in all), a 2D one eight (24 in all, as the DMT
// artifact's formula), and every translation is the oracle's.
#include <gtest/gtest.h>

#include "models/asap.h"
#include "models/machine.h"
#include "models/walker.h"

namespace mmusim {
namespace {

constexpr Addr kStart = 0x1000'0000'0000ULL;
constexpr Addr kEnd = kStart + (Addr{1} << 30);

MachineParams asap_params(Virtualization v, PageSize page) {
  MachineParams p;
  p.virt = v;
  p.dmt = DmtMode::kAsap;
  p.guest_pages.size = page;
  p.guest_frames.bytes = Addr{16} << 30;
  p.host_frames.bytes = Addr{64} << 30;
  return p;
}

// The ranges of [kStart, kEnd) and the host's, programmed as the OS would.
struct Asap {
  AsapUnit unit{4};
  explicit Asap(Machine& m) {
    unsigned i = 0;
    for (uint8_t shift : m.teas().shifts(m.scheme().params().guest_pages)) {
      TeaRegister reg;
      EXPECT_TRUE(m.teas().create(1, kStart, kEnd, shift, reg));
      unit.program(0, i++, reg);
    }
    const std::vector<TeaRegister>& host = m.teas().host_registers(1);
    for (unsigned h = 0; h < host.size(); ++h) unit.program(1, h, host[h]);
  }
};

WalkResult walk(Machine& m, const AsapUnit* unit, Addr va, Cycles latency) {
  WalkDim dims[3];
  const unsigned n = m.walk_dims(m.context(1), dims);
  for (unsigned i = 0; i < n; ++i) dims[i].asap = unit;
  DirectWalkMemory mem(m.mem(), latency);
  Walker w;
  WalkResult r;
  w.walk(dims, n, va, AccessKind::kLoad, mem, r);
  return r;
}

TEST(AsapTeas, PlOneAndPlTwoTablesFollowTheAddresses) {
  Machine m(asap_params(Virtualization::kNone, PageSize::k4K));
  EXPECT_EQ(m.teas().shifts(m.scheme().params().guest_pages), (std::vector<uint8_t>{12, 21}));
  Asap asap(m);
  // Pages 2 MiB and 1 GiB - 2 MiB apart: their PT pages 511 TEA pages apart, their PD entries
  // in one PD page.
  const Addr a = kStart + 0x1000, b = kEnd - 0x20'0000 + 0x1000;
  ASSERT_TRUE(m.populate(1, a));
  ASSERT_TRUE(m.populate(1, b));
  DmtHit ha[2], hb[2];
  ASSERT_EQ(asap.unit.lookup(0, a, 1, ha), 2u);
  ASSERT_EQ(asap.unit.lookup(0, b, 1, hb), 2u);
  EXPECT_EQ(ha[0].level, 1u);
  EXPECT_EQ(ha[1].level, 2u);
  EXPECT_EQ(hb[0].entry - ha[0].entry, 511u * kPageBytes);
  EXPECT_EQ(hb[1].entry - ha[1].entry, 511u * 8);
  // The entries the registers give are the ones the radix walk reads.
  const WalkResult r = walk(m, nullptr, b, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.refs[2].pa, hb[1].entry);
  EXPECT_EQ(r.refs[3].pa, hb[0].entry);
}

TEST(AsapWalk, NativeColdWalkIsTwoDependentReads) {
  Machine m(asap_params(Virtualization::kNone, PageSize::k4K));
  Asap asap(m);
  const Addr va = kStart + 0x1234'5678;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult radix = walk(m, nullptr, va, 100);
  const WalkResult r = walk(m, &asap.unit, va, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.pa, m.expect(m.context(1), va, AccessKind::kLoad).pa);
  EXPECT_EQ(radix.nrefs, 4u);
  EXPECT_EQ(radix.serial_refs, 4u);
  EXPECT_EQ(radix.cycles, 400u);
  EXPECT_EQ(r.nrefs, 4u);  // the two prefetches, then PML4 and PDPT
  EXPECT_EQ(r.serial_refs, 2u);
  EXPECT_EQ(r.cycles, 200u);  // the prefetches came in while PML4 and PDPT were read
  EXPECT_EQ(r.asap_prefetches, 2u);
  EXPECT_EQ(r.asap_used, 2u);
  EXPECT_EQ(r.refs[0].start, 0u);
  EXPECT_EQ(r.refs[1].start, 0u);
  EXPECT_EQ(r.refs[3].start, 100u);
}

TEST(AsapWalk, PrefetchesIssueOnceTheRegistersHaveAnswered) {
  Machine m(asap_params(Virtualization::kNone, PageSize::k2M));
  Asap asap(m);
  AsapUnit slow(4, 30);
  slow.program(0, 0, asap.unit.read(0, 0));
  const Addr va = kStart + 0x1234'5678;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = walk(m, &slow, va, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.refs[0].start, 30u);  // the PD entry's prefetch
  EXPECT_EQ(r.refs[1].start, 0u);   // the walk did not wait: PML4 ...
  EXPECT_EQ(r.refs[2].start, 100u); // ... and PDPT, then it waits for the prefetch
  EXPECT_EQ(r.cycles, 200u);
  EXPECT_EQ(r.asap_wait_cycles, 0u);
  AsapUnit slower(4, 150);
  slower.program(0, 0, asap.unit.read(0, 0));
  const WalkResult late = walk(m, &slower, va, 100);
  EXPECT_EQ(late.cycles, 250u);
  EXPECT_EQ(late.asap_wait_cycles, 50u);
}

TEST(AsapWalk, TwoMegabytePagesPrefetchThePdEntry) {
  Machine m(asap_params(Virtualization::kNone, PageSize::k2M));
  EXPECT_EQ(m.teas().shifts(m.scheme().params().guest_pages), (std::vector<uint8_t>{21}));
  Asap asap(m);
  const Addr va = kStart + 0x1234'5678;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = walk(m, &asap.unit, va, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.size, PageSize::k2M);
  EXPECT_EQ(r.nrefs, 3u);
  EXPECT_EQ(r.serial_refs, 2u);
  EXPECT_EQ(r.cycles, 200u);
}

TEST(AsapWalk, TwoDimensionalColdWalkMatchesTheArtifactsFormula) {
  Machine m(asap_params(Virtualization::kEpt, PageSize::k4K));
  Asap asap(m);
  const Addr va = kStart + 0x1234'5678;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = walk(m, &asap.unit, va, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.pa, m.expect(m.context(1), va, AccessKind::kLoad).pa);
  EXPECT_EQ(r.nrefs, 24u);
  // max(G1+G2, G3, G4) + max(UDH1+UDH2, UDH3, UDH4) with each Gi its host walk (two dependent
  // reads with ASAP) plus the guest read: 4 x 3 - 4 + 2 = 8 reads, 800 cycles.
  EXPECT_EQ(r.serial_refs, 8u);
  EXPECT_EQ(r.cycles, 800u);
}

TEST(AsapWalk, OutsideTheRangesTheWalkIsTheRadixOne) {
  Machine m(asap_params(Virtualization::kNone, PageSize::k4K));
  Asap asap(m);
  const Addr va = kEnd + 0x5000;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = walk(m, &asap.unit, va, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.nrefs, 4u);
  EXPECT_EQ(r.serial_refs, 4u);
  EXPECT_EQ(r.asap_prefetches, 0u);
}

TEST(AsapWalk, AnUnmappedPageFaultsAfterItsPrefetches) {
  Machine m(asap_params(Virtualization::kEpt, PageSize::k4K));
  Asap asap(m);
  ASSERT_TRUE(m.populate(1, kStart));
  // Its PT exists (so the PL1 prefetch reads an empty entry); the PD one of an unmapped region
  // does not, and neither faults the walk before the radix walk does.
  for (Addr va : {kStart + 0x1000, kStart + 0x2000'0000}) {
    const WalkResult r = walk(m, &asap.unit, va, 10);
    EXPECT_EQ(r.fault.kind, FaultKind::kNotPresent);
    EXPECT_EQ(r.fault.dim, 0);
  }
}

}  // namespace
}  // namespace mmusim
