// The DMT register file: the TEA index arithmetic, range edges, tags, priorities, and the walker
// reaching leaves through TEAs in one (native), three (DMT) and two (pvDMT) references.
#include <gtest/gtest.h>

#include "models/dmt.h"
#include "models/machine.h"
#include "models/walker.h"
#include "direct_dmt.h"

namespace mmusim {
namespace {

TEST(DmtRegisters, EntryAddressFollowsTheTeaFormula) {
  const TeaRegister r{0x7f00'0020'0000ULL, 0x7f00'4020'0000ULL, 0x1000'0000ULL, 3, 12, true};
  // The first page of the VMA is entry 0 of the TEA page covering start's 2M region.
  EXPECT_EQ(tea_entry(r, r.start), 0x1000'0000ULL);
  EXPECT_EQ(tea_entry(r, r.start + 0x1000), 0x1000'0008ULL);
  EXPECT_EQ(tea_entry(r, r.start + 0x20'0000), 0x1000'1000ULL);  // next 2M: next TEA page
  // A start that is not 2M aligned is indexed from its 2M boundary.
  const TeaRegister u{0x7f00'0020'3000ULL, 0x7f00'0040'0000ULL, 0x2000'0000ULL, 3, 12, true};
  EXPECT_EQ(tea_entry(u, u.start), 0x2000'0000ULL + 3 * 8);
  // PD-level TEA for a huge-page region: one entry per 2M.
  const TeaRegister h{0x40'0000'0000ULL, 0x41'0000'0000ULL, 0x3000'0000ULL, 3, 21, true};
  EXPECT_EQ(tea_entry(h, h.start + 5 * 0x20'0000), 0x3000'0000ULL + 5 * 8);
}

TEST(DmtRegisters, RangeEdgesTagsAndPriority) {
  DmtRegisters regs(4);
  regs.program(2, TeaRegister{0x1000'0000, 0x2000'0000, 0xA000'0000, 7, 12, true});
  regs.program(1, TeaRegister{0x1800'0000, 0x1900'0000, 0xB000'0000, 7, 12, true});
  regs.program(0, TeaRegister{0x1000'0000, 0x2000'0000, 0xC000'0000, 8, 12, false});
  DmtHit hit;
  EXPECT_TRUE(regs.lookup(0x1000'0000, 7, hit));   // start is inside
  EXPECT_EQ(hit.index, 2u);
  EXPECT_TRUE(regs.lookup(0x1FFF'FFFF, 7, hit));   // end - 1 is inside
  EXPECT_FALSE(regs.lookup(0x2000'0000, 7, hit));  // end is outside
  EXPECT_FALSE(regs.lookup(0x0FFF'FFFF, 7, hit));
  EXPECT_TRUE(regs.lookup(0x1880'0000, 7, hit));   // overlapping: the lowest index wins
  EXPECT_EQ(hit.index, 1u);
  EXPECT_FALSE(regs.lookup(0x1000'0000, 8, hit));  // invalid register, other tag
  EXPECT_FALSE(regs.lookup(0x1000'0000, 9, hit));
  regs.clear();
  EXPECT_FALSE(regs.lookup(0x1000'0000, 7, hit));
}

unsigned dmt_walk(Virtualization v, DmtMode mode, PageSize page, Addr va, WalkResult& r) {
  MachineParams p;
  p.virt = v;
  p.dmt = mode;
  p.nested_walk = NestedWalk::kHw3d;
  p.l1_frames.bytes = Addr{32} << 30;
  p.guest_pages.size = page;
  p.guest_frames.bytes = Addr{16} << 30;
  p.host_frames.bytes = Addr{64} << 30;
  Machine m(p);
  const Addr start = 0x100000000000ULL, end = start + (Addr{1} << 30);
  TeaRegister reg;
  EXPECT_TRUE(m.teas().create(1, start, end, reg));
  DirectDmt unit;
  unit.sets[0].program(0, reg);
  if (m.teas().host_register(1)) unit.sets[1].program(0, *m.teas().host_register(1));
  if (m.teas().host_register(2)) unit.sets[2].program(0, *m.teas().host_register(2));
  EXPECT_TRUE(m.populate(1, va));
  WalkDim dims[3];
  const unsigned n = m.walk_dims(m.context(1), dims);
  for (unsigned i = 0; i < n; ++i) dims[i].dmt_port = &unit;
  DirectWalkMemory mem(m.mem());
  Walker w;
  w.walk(dims, n, va, AccessKind::kLoad, mem, r);
  EXPECT_EQ(r.pa, m.expect(m.context(1), va, AccessKind::kLoad).pa);
  // Outside the VMA there is no TEA: the radix walk, and an unmapped page faults.
  WalkResult outside;
  w.walk(dims, n, end + 0x1000, AccessKind::kLoad, mem, outside);
  EXPECT_EQ(outside.fault.kind, FaultKind::kNotPresent);
  return r.nrefs;
}

TEST(DmtWalk, ColdReferences) {
  const Addr va = 0x100000000000ULL + 0x1234'5678;
  WalkResult r;
  EXPECT_EQ(dmt_walk(Virtualization::kNone, DmtMode::kDmt, PageSize::k4K, va, r), 1u);
  EXPECT_EQ(r.dmt_hits, 1u);
  EXPECT_EQ(dmt_walk(Virtualization::kNone, DmtMode::kDmt, PageSize::k2M, va, r), 1u);
  EXPECT_EQ(r.refs[0].level, 2);  // a huge-page region: one PD-level reference
  EXPECT_EQ(dmt_walk(Virtualization::kEpt, DmtMode::kDmt, PageSize::k4K, va, r), 3u);
  EXPECT_EQ(r.dmt_hits, 3u);  // host leaf of the gPTE, the gPTE, host leaf of the data
  EXPECT_EQ(dmt_walk(Virtualization::kEpt, DmtMode::kPvDmt, PageSize::k4K, va, r), 2u);
  EXPECT_EQ(r.dmt_hits, 2u);
  // Nested pvDMT: the L2 gPTE, L1's leaf for the L2 gPA, L0's leaf for the L1 gPA.
  EXPECT_EQ(dmt_walk(Virtualization::kNested, DmtMode::kPvDmt, PageSize::k4K, va, r), 3u);
  EXPECT_EQ(r.refs[0].dim, 0);
  EXPECT_EQ(r.refs[1].dim, 1);
  EXPECT_EQ(r.refs[2].dim, 2);
}

TEST(DmtWalk, UnmappedTeaEntryFallsBackToTheRadixWalk) {
  // A page next to a mapped one: its TEA entry is empty, so the radix walk decides (a fault).
  MachineParams p;
  p.virt = Virtualization::kNone;
  p.dmt = DmtMode::kDmt;
  Machine m(p);
  const Addr start = 0x100000000000ULL;
  TeaRegister reg;
  ASSERT_TRUE(m.teas().create(1, start, start + (Addr{1} << 30), reg));
  ASSERT_TRUE(m.populate(1, start));
  DirectDmt unit;
  unit.sets[0].program(0, reg);
  WalkDim dims[1];
  m.walk_dims(m.context(1), dims);
  dims[0].dmt_port = &unit;
  DirectWalkMemory mem(m.mem());
  Walker w;
  WalkResult r;
  w.walk(dims, 1, start + 0x1000, AccessKind::kLoad, mem, r);
  EXPECT_EQ(r.fault.kind, FaultKind::kNotPresent);
  EXPECT_EQ(r.dmt_fallbacks, 1u);
  EXPECT_EQ(r.nrefs, 1u + 4u);  // the empty TEA entry, then the radix walk to the empty PTE
}

}  // namespace
}  // namespace mmusim
