// FPT (flattened page tables): the builder merges L4+L3 and L2+L1 into 2 MiB tables where it can
// get a 2 MiB frame, the walker reads them, and every walk agrees with the oracle; without a free
// 2 MiB frame the levels stay ordinary.
#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "models/address_space.h"
#include "models/machine.h"
#include "models/walker.h"
#include "tests/unit/cold_walk.h"

namespace mmusim {
namespace {

MachineParams fpt_params(Virtualization v, unsigned levels, PageSize gp, PageSize hp,
                         bool host_fpt) {
  MachineParams p;
  p.virt = v;
  p.levels = levels;
  p.guest_pages.size = gp;
  p.host_pages.size = hp;
  p.guest_frames.bytes = Addr{16} << 30;
  p.host_frames.bytes = Addr{64} << 30;
  p.page_table = TableKind::kFpt;
  if (host_fpt) p.host_page_table = TableKind::kFpt;
  return p;
}

// Scheme, levels, guest page, host page, host FPT, cold references (serial: all dependent).
using Row = std::tuple<Virtualization, unsigned, PageSize, PageSize, bool, unsigned>;
class FptColdRefs : public ::testing::TestWithParam<Row> {};

TEST_P(FptColdRefs, FlattenedLevelsTakeOneReference) {
  const auto [virt, levels, gp, hp, host_fpt, refs] = GetParam();
  Machine m(fpt_params(virt, levels, gp, hp, host_fpt));
  const Addr va = 0x7f12'3456'7000ULL + 0x123;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = cold_walk(m, va);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.nrefs, refs);
  EXPECT_EQ(r.serial_refs, refs);
  const Expectation e = m.expect(m.context(1), va, AccessKind::kLoad);
  EXPECT_EQ(r.pa, e.pa);
  EXPECT_EQ(r.size, e.size);
}

INSTANTIATE_TEST_SUITE_P(
    Fpt, FptColdRefs,
    ::testing::Values(
        // Native: L4L3 + L2L1; a 2M page's L2 stays ordinary; a 1G page is an L4L3 entry; the
        // fifth level is never merged.
        Row{Virtualization::kNone, 4, PageSize::k4K, PageSize::k4K, false, 2},
        Row{Virtualization::kNone, 4, PageSize::k2M, PageSize::k4K, false, 2},
        Row{Virtualization::kNone, 4, PageSize::k1G, PageSize::k4K, false, 1},
        Row{Virtualization::kNone, 5, PageSize::k4K, PageSize::k4K, false, 3},
        // 2D: (2 + 1) x (2 + 1) - 1 with both flattened (the DMT artifact's 8); guest only:
        // 2 x (4 + 1) + 4.
        Row{Virtualization::kEpt, 4, PageSize::k4K, PageSize::k4K, true, 8},
        Row{Virtualization::kEpt, 4, PageSize::k4K, PageSize::k4K, false, 14},
        Row{Virtualization::kEpt, 4, PageSize::k2M, PageSize::k2M, true, 8},
        Row{Virtualization::kShadow, 4, PageSize::k4K, PageSize::k4K, false, 2},
        Row{Virtualization::kNested, 4, PageSize::k4K, PageSize::k4K, true, 8}));

// A native address space of 4 levels over a 1 GiB host space whose 2 MiB frames are all taken
// but one chunk's 4K frames (when `no_huge`).
struct Native {
  PhysMem mem;
  FrameAllocator frames{"host", {0, Addr{1} << 30, false, 1}};
  HostTableMemory tables{mem, frames};
  AddressSpace space{"as", PtFormat::kX86, 4, tables, frames, PagePolicy{}};

  explicit Native(bool no_huge) {
    space.set_flatten(true);
    if (no_huge) {
      std::vector<Addr> huge(512);
      for (Addr& f : huge) EXPECT_TRUE(frames.alloc(PageSize::k2M, f));
      frames.free(huge[0], PageSize::k2M);
      Addr small;
      EXPECT_TRUE(frames.alloc(PageSize::k4K, small));  // carves the freed chunk
    }
    EXPECT_TRUE(space.init());
  }
  WalkResult walk(Addr va) {
    WalkDim d;
    d.root = space.root();
    d.levels = 4;
    d.root_flat = space.root_flat();
    DirectWalkMemory dm(mem);
    Walker w;
    WalkResult r;
    w.walk(&d, 1, va, AccessKind::kLoad, dm, r);
    return r;
  }
};

TEST(Fpt, WithoutA2MiBFrameTheLevelsStayOrdinary) {
  Native n(true);
  EXPECT_FALSE(n.space.root_flat());
  ASSERT_EQ(n.space.touch(0x4000'1000), AddressSpace::Touch::kMapped);
  const WalkResult r = n.walk(0x4000'1234);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.nrefs, 4u);
  EXPECT_EQ(n.space.table().flat_tables(), 0u);
  EXPECT_EQ(n.space.table().flatten_failures(), 2u);  // the root, then the L2+L1 table
}

TEST(Fpt, A2MiBPageInAFlattenedL2L1TableIsWrittenAs512Copies) {
  Native n(false);
  const Addr small = 0x4000'1000, huge = 0x4060'0000;  // one 1 GiB region
  ASSERT_EQ(n.space.touch(small), AddressSpace::Touch::kMapped);  // makes the L2+L1 table flat
  ASSERT_TRUE(n.space.map_exact(huge, PageSize::k2M));
  EXPECT_EQ(n.space.table().flat_tables(), 2u);
  Mapping m;
  ASSERT_TRUE(n.space.oracle().lookup(huge, m));
  for (Addr off : {Addr{0}, Addr{0x1234}, Addr{0x1f'f008}}) {
    const WalkResult r = n.walk(huge + off);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.nrefs, 2u);
    EXPECT_EQ(r.size, PageSize::k2M);
    EXPECT_EQ(r.pa, m.translate(huge + off));
  }
  // A 4K page inside the 2 MiB one conflicts; unmapping clears every copy.
  EXPECT_FALSE(n.space.map_exact(huge + 0x5000, PageSize::k4K));
  ASSERT_TRUE(n.space.unmap(huge));
  EXPECT_EQ(n.walk(huge + 0x1f'f008).fault.kind, FaultKind::kNotPresent);
  EXPECT_TRUE(n.walk(small).ok());
}

TEST(Fpt, EmptiedFlattenedTablesAreFreed) {
  Native n(false);
  const uint64_t root_pages = n.space.table().table_pages();
  EXPECT_EQ(root_pages, 512u);
  for (Addr va = 0x8000'0000; va < 0x8000'0000 + 64 * kPageBytes; va += kPageBytes)
    ASSERT_EQ(n.space.touch(va), AddressSpace::Touch::kMapped);
  EXPECT_EQ(n.space.table().flat_tables(), 2u);
  for (Addr va = 0x8000'0000; va < 0x8000'0000 + 64 * kPageBytes; va += kPageBytes)
    ASSERT_TRUE(n.space.unmap(va));
  EXPECT_EQ(n.space.table().flat_tables(), 1u);  // the root stays
  EXPECT_EQ(n.space.table().table_pages(), root_pages);
  EXPECT_EQ(n.frames.frames(PageSize::k2M), 1u);
}

}  // namespace
}  // namespace mmusim
