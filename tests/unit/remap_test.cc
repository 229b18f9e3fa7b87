// Mappings changed in place: a permission downgrade (mprotect) and a migration rewrite the leaf
// entry where hardware reads it (radix, flattened, hashed; 4K and large pages; native, under EPT
// and shadowed), the walk agrees with the oracle after each, and a store to a page the OS
// write-protected inside a writable VMA faults once and is made writable again.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "models/machine.h"
#include "tests/unit/cold_walk.h"

namespace mmusim {
namespace {

// Scheme, table kind, page size.
using Row = std::tuple<Virtualization, TableKind, PageSize>;

MachineParams remap_params(const Row& row) {
  MachineParams p;
  p.virt = std::get<0>(row);
  p.page_table = std::get<1>(row);
  p.guest_pages.size = std::get<2>(row);
  p.guest_frames.bytes = Addr{8} << 30;
  p.host_frames.bytes = Addr{32} << 30;
  p.ecpt.initial_lines = 64;
  return p;
}

class Remap : public ::testing::TestWithParam<Row> {
 protected:
  // The walk of va for `access` agrees with the oracle (a fault included).
  void agrees(Machine& m, Addr va, AccessKind access) {
    const WalkResult r = cold_walk(m, va, 0, access);
    const Expectation e = m.expect(m.context(1), va, access);
    ASSERT_EQ(r.fault.kind, e.fault);
    if (r.ok()) EXPECT_EQ(r.pa, e.pa);
  }
  // Shadow paging: the sync dropped va's shadow entry; the hidden fault of the next access
  // fills it again.
  void refill_shadow(Machine& m, Software& sw, const Perms& vma) {
    if (m.params().virt != Virtualization::kShadow && m.params().virt != Virtualization::kAgile)
      return;
    const Fault miss{FaultKind::kNotPresent, 0, 1, va};
    ASSERT_EQ(m.scheme().handle_fault(m.context(1), va, miss, &vma, sw).outcome,
              Scheme::Outcome::kRetry);
  }
  const Addr va = 0x7f12'3456'7123ULL;
};

TEST_P(Remap, ADowngradedPageRefusesStoresUntilItsWriteFault) {
  Machine m(remap_params(GetParam()));
  ASSERT_TRUE(m.populate(1, va));
  AddressSpace& s = m.space(1);
  Mapping before;
  ASSERT_TRUE(s.oracle().lookup(va, before));
  Perms read_only;
  read_only.write = false;
  ASSERT_TRUE(s.protect(va, read_only));
  m.scheme().on_leaf_changed(1, before);  // shadow paging: the sync of the trapped write
  Software sw(SoftwareCosts{});
  const Perms vma;
  refill_shadow(m, sw, vma);
  agrees(m, va, AccessKind::kLoad);
  EXPECT_EQ(cold_walk(m, va, 0, AccessKind::kStore).fault.kind, FaultKind::kProtection);
  agrees(m, va, AccessKind::kStore);

  // The store's fault: the VMA allows writes, so the OS gives the page its write back.
  Fault f{FaultKind::kProtection, 0, 1, va};
  const Scheme::Handled h = m.scheme().handle_fault(m.context(1), va, f, &vma, sw);
  EXPECT_EQ(h.outcome, Scheme::Outcome::kRetry);
  EXPECT_GT(h.cycles, 0u);
  EXPECT_EQ(sw.stats().write_protect_faults, 1u);
  // Shadow paging: the sync rewrote the shadow entry with the write; no hidden fault refills it.
  EXPECT_TRUE(cold_walk(m, va, 0, AccessKind::kStore).ok());
  agrees(m, va, AccessKind::kStore);

  // A page that has all its VMA allows and still faults is abandoned.
  const Perms no_write_vma = read_only;
  EXPECT_EQ(m.scheme().handle_fault(m.context(1), va, f, &no_write_vma, sw).outcome,
            Scheme::Outcome::kAbandon);
  EXPECT_EQ(sw.stats().protection_faults, 1u);
}

TEST_P(Remap, AMigratedPageTranslatesToItsNewFrame) {
  Machine m(remap_params(GetParam()));
  ASSERT_TRUE(m.populate(1, va));
  Mapping old_map, moved;
  ASSERT_TRUE(m.truth(1, va, old_map));
  ASSERT_TRUE(m.space(1).migrate(va, &moved));
  m.scheme().on_leaf_changed(1, moved);
  Mapping now;
  ASSERT_TRUE(m.space(1).oracle().lookup(va, now));
  EXPECT_NE(now.target, moved.target);
  EXPECT_EQ(now.size, moved.size);
  ASSERT_TRUE(m.populate(1, va));  // the new frame backed (EPT) and shadowed (shadow paging)
  const WalkResult r = cold_walk(m, va);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.pa, old_map.translate(va));
  agrees(m, va, AccessKind::kLoad);
  agrees(m, va, AccessKind::kStore);
}

std::string row_name(const ::testing::TestParamInfo<Row>& i) {
  const char* table[] = {"radix", "fpt", "ecpt"};
  const char* page[] = {"4k", "2m", "1g"};
  return std::string(virtualization_name(std::get<0>(i.param))) + "_" +
         table[static_cast<int>(std::get<1>(i.param))] + "_" +
         page[static_cast<int>(std::get<2>(i.param))];
}

INSTANTIATE_TEST_SUITE_P(
    Tables, Remap,
    ::testing::Values(Row{Virtualization::kNone, TableKind::kRadix, PageSize::k4K},
                      Row{Virtualization::kNone, TableKind::kRadix, PageSize::k2M},
                      Row{Virtualization::kNone, TableKind::kRadix, PageSize::k1G},
                      Row{Virtualization::kNone, TableKind::kFpt, PageSize::k4K},
                      Row{Virtualization::kNone, TableKind::kFpt, PageSize::k2M},
                      Row{Virtualization::kNone, TableKind::kEcpt, PageSize::k4K},
                      Row{Virtualization::kNone, TableKind::kEcpt, PageSize::k2M},
                      Row{Virtualization::kEpt, TableKind::kRadix, PageSize::k4K},
                      Row{Virtualization::kEpt, TableKind::kEcpt, PageSize::k2M},
                      Row{Virtualization::kShadow, TableKind::kRadix, PageSize::k4K},
                      Row{Virtualization::kNested, TableKind::kRadix, PageSize::k4K},
                      Row{Virtualization::kAgile, TableKind::kRadix, PageSize::k4K}),
    row_name);

// Shadow paging, a 1G guest page over 2M host pages: the shadow holds it as 2M pieces. Made
// writable again, every piece keeps its shadow entry, now writable: dropped, the pieces the
// retried store does not refill would leave TLB entries behind with no shadow entry under them.
TEST(Remap, AShadowedPageInPiecesKeepsEveryPieceWhenMadeWritable) {
  MachineParams p = remap_params({Virtualization::kShadow, TableKind::kRadix, PageSize::k1G});
  p.host_pages.size = PageSize::k2M;
  Machine m(p);
  const Addr base = 0x40'0000'0000ULL, pieces[] = {base + 0x1234, base + 0x2345'6780};
  for (Addr a : pieces) ASSERT_TRUE(m.populate(1, a));
  Mapping page;
  ASSERT_TRUE(m.space(1).oracle().lookup(base, page));
  ASSERT_EQ(page.size, PageSize::k1G);
  Perms read_only;
  read_only.write = false;
  ASSERT_TRUE(m.space(1).protect(base, read_only));
  m.scheme().on_leaf_changed(1, page);  // the downgrade's sync drops the pieces
  for (Addr a : pieces) ASSERT_TRUE(m.populate(1, a));
  const Perms vma;
  Software sw(SoftwareCosts{});
  const Fault f{FaultKind::kProtection, 0, 1, pieces[0]};
  ASSERT_EQ(m.scheme().handle_fault(m.context(1), pieces[0], f, &vma, sw).outcome,
            Scheme::Outcome::kRetry);
  for (Addr a : pieces) {
    const Expectation e = m.expect(m.context(1), a, AccessKind::kStore);
    EXPECT_EQ(e.fault, FaultKind::kNone) << std::hex << a;
    EXPECT_EQ(e.size, PageSize::k2M);
    const WalkResult r = cold_walk(m, a, 0, AccessKind::kStore);
    ASSERT_TRUE(r.ok()) << std::hex << a;
    EXPECT_EQ(r.pa, e.pa);
  }
}

TEST(Remap, AFlattened2MiBPageIsRewrittenInEveryCopy) {
  Machine m(remap_params({Virtualization::kNone, TableKind::kFpt, PageSize::k4K}));
  const Addr small = 0x4000'1000, huge = 0x4060'0000;  // one 1 GiB region
  ASSERT_TRUE(m.populate(1, small));  // makes the L2+L1 table flat
  ASSERT_TRUE(m.space(1).map_exact(huge, PageSize::k2M));
  Perms read_only;
  read_only.write = false;
  ASSERT_TRUE(m.space(1).protect(huge, read_only));
  for (Addr off : {Addr{0}, Addr{0x1234}, Addr{0x1f'f008}})
    EXPECT_EQ(cold_walk(m, huge + off, 0, AccessKind::kStore).fault.kind,
              FaultKind::kProtection);
  ASSERT_TRUE(m.space(1).migrate(huge + 0x1000));
  Mapping now;
  ASSERT_TRUE(m.space(1).oracle().lookup(huge, now));
  for (Addr off : {Addr{0}, Addr{0x1234}, Addr{0x1f'f008}}) {
    const WalkResult r = cold_walk(m, huge + off);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.pa, now.translate(huge + off));
  }
}

}  // namespace
}  // namespace mmusim
