// Translation schemes without SystemC: every registered scheme's software reactions bring a
// demand-paged access to a translation the oracle agrees with, charge what the scheme says its
// software does, and its features are refused exactly where it says.
#include <gtest/gtest.h>

#include <set>

#include "models/machine.h"
#include "models/rng.h"
#include "models/scheme_factory.h"

namespace mmusim {
namespace {

MachineParams scheme_params(const SchemeInfo& s) {
  MachineParams p;
  s.select(p);
  p.guest_frames.bytes = Addr{16} << 30;
  p.l1_frames.bytes = Addr{32} << 30;
  p.host_frames.bytes = Addr{64} << 30;
  return p;
}

struct Outcome {
  unsigned faults = 0;
  bool translated = false;
  bool agrees = false;
};

// The core's loop at model level: walk; on a fault the scheme's software handles it and the walk
// is retried.
Outcome access(Machine& m, Software& sw, Addr va, AccessKind kind, const Perms* vma) {
  Outcome o;
  WalkDim dims[kMaxDims];
  DirectWalkMemory mem(m.mem());
  Walker walker;
  WalkResult r;
  for (int attempt = 0; attempt < 6; ++attempt) {
    const unsigned n = m.walk_dims(m.context(1), dims);
    walker.walk(dims, n, va, kind, mem, r);
    const Expectation e = m.expect(m.context(1), va, kind);
    if (r.ok()) {
      o.translated = true;
      o.agrees = e.fault == FaultKind::kNone && e.pa == r.pa && e.size == r.size;
      return o;
    }
    if (e.fault != r.fault.kind) return o;  // the oracle expected another outcome
    ++o.faults;
    const Scheme::Handled h = m.scheme().handle_fault(m.context(1), va, r.fault, vma, sw);
    if (h.outcome == Scheme::Outcome::kAbandon) return o;
  }
  return o;
}

TEST(SchemeSoftware, DemandPagedAccessesTranslateAsTheOracleSays) {
  const Perms rw{};
  for (const SchemeInfo& s : registered_schemes()) {
    Machine m(scheme_params(s));
    Software sw(SoftwareCosts{});
    m.space(1);  // the process's tables exist before it runs
    Rng rng(5);
    const Addr base = 0x2000'0000'0000ULL;
    std::set<Addr> pages;
    for (int i = 0; i < 400; ++i) {
      const Addr va = base + (rng.below(Addr{64} << 20) & ~Addr{7});
      const bool first = pages.insert(va >> 12).second;
      const Outcome o =
          access(m, sw, va, i % 2 ? AccessKind::kStore : AccessKind::kLoad, &rw);
      ASSERT_TRUE(o.translated) << s.name << " va " << va;
      EXPECT_TRUE(o.agrees) << s.name << " va " << va;
      if (!first) {
        EXPECT_EQ(o.faults, 0u) << s.name << ": a page faulted twice";
      }
    }
    EXPECT_EQ(sw.stats().demand_faults, pages.size()) << s.name;
    EXPECT_EQ(sw.stats().os_cycles, pages.size() * SoftwareCosts{}.guest_page_fault) << s.name;
    EXPECT_EQ(sw.stats().segfaults, 0u) << s.name;
    // Exits cost their round trips plus handlers; a native machine has none.
    if (s.virt == Virtualization::kNone) {
      EXPECT_EQ(sw.vm_exits(), 0u);
    } else {
      EXPECT_GT(sw.vm_exits(), 0u) << s.name;
    }
    // Outside every VMA: a segfault, abandoned, the page left unmapped.
    const Addr wild = 0x3000'0000'0000ULL;
    const Outcome o = access(m, sw, wild, AccessKind::kLoad, nullptr);
    EXPECT_FALSE(o.translated) << s.name;
    EXPECT_EQ(sw.stats().segfaults, 1u) << s.name;
  }
}

TEST(SchemeSoftware, ShadowPagingReflectsGuestFaultsAndTrapsTableWrites) {
  for (const SchemeInfo& s : registered_schemes()) {
    if (s.virt != Virtualization::kShadow) continue;
    Machine m(scheme_params(s));
    m.space(1);  // the process's tables exist before it runs
    Software sw(SoftwareCosts{});
    const Perms rw{};
    const Outcome o = access(m, sw, 0x2000'0000'0000ULL, AccessKind::kLoad, &rw);
    ASSERT_TRUE(o.translated);
    const Software::Stats& st = sw.stats();
    EXPECT_EQ(st.vm_exits[static_cast<unsigned>(ExitReason::kGuestFault)], 1u);
    // Each guest page-table entry the OS wrote trapped: the first page of a new address space
    // writes one at every level.
    EXPECT_EQ(st.vm_exits[static_cast<unsigned>(ExitReason::kShadowPtWrite)],
              m.scheme().table_writes());
    EXPECT_EQ(m.scheme().on_cr3_write(sw), SoftwareCosts{}.vm_exit + SoftwareCosts{}.cr3_write);
  }
}

TEST(SchemeSoftware, FeaturesAreRefusedWhereTheSchemeSaysAndAcceptedElsewhere) {
  for (const SchemeInfo& s : registered_schemes()) {
    MachineParams p = scheme_params(s);
    SchemeConfigError error;
    EXPECT_TRUE(check_scheme(p, error)) << s.name;
    p.table_pool.enabled = true;
    EXPECT_EQ(check_scheme(p, error), s.features.hugegpt) << s.name;
    if (!s.features.hugegpt) {
      EXPECT_EQ(error.key, "hugegpt");
    }
    p.table_pool.enabled = false;
    p.dmt = DmtMode::kDmt;
    EXPECT_EQ(check_scheme(p, error), s.features.dmt) << s.name;
    p.dmt = DmtMode::kPvDmt;
    EXPECT_EQ(check_scheme(p, error), s.features.pvdmt) << s.name;
    if (!s.features.pvdmt) {
      EXPECT_FALSE(error.message.empty());
    }
  }
}

}  // namespace
}  // namespace mmusim
