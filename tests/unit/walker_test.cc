// Walker: exact cold reference counts for every level and page-size combination, faults, and
// agreement with the oracle with paging-structure caches and a nested TLB in the way.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

#include "models/machine.h"
#include "models/scheme_factory.h"
#include "models/scheme_nested.h"
#include "models/pwc.h"
#include "models/rng.h"
#include "models/tlb.h"
#include "models/walker.h"
#include "tests/unit/cold_walk.h"

namespace mmusim {
namespace {

MachineParams params(Virtualization v, unsigned gl, unsigned hl, PageSize gp, PageSize hp) {
  MachineParams p;
  p.virt = v;
  p.levels = gl;
  p.host_levels = hl;
  p.guest_pages.size = gp;
  p.host_pages.size = hp;
  p.guest_frames.bytes = Addr{16} << 30;
  p.host_frames.bytes = Addr{64} << 30;
  return p;
}

// References of one dimension's walk for a page of `size`: one per level down to the leaf.
unsigned dim_refs(unsigned levels, PageSize size) { return levels - leaf_level(size) + 1; }

class NativeColdRefs : public ::testing::TestWithParam<std::tuple<unsigned, PageSize>> {};

TEST_P(NativeColdRefs, OneReferencePerLevelDownToTheLeaf) {
  const auto [levels, page] = GetParam();
  Machine m(params(Virtualization::kNone, levels, 4, page, PageSize::k4K));
  const Addr va = 0x7f12'3456'7000ULL + 0x123;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = cold_walk(m, va);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.nrefs, dim_refs(levels, page));
  EXPECT_EQ(r.size, page);
  const Expectation e = m.expect(m.context(1), va, AccessKind::kLoad);
  EXPECT_EQ(r.pa, e.pa);
  // The first reference reads the root table, the last the leaf level.
  EXPECT_EQ(r.refs[0].level, levels);
  EXPECT_EQ(r.refs[r.nrefs - 1].level, leaf_level(page));
}

INSTANTIATE_TEST_SUITE_P(LevelsAndPages, NativeColdRefs,
                         ::testing::Combine(::testing::Values(4u, 5u),
                                            ::testing::Values(PageSize::k4K, PageSize::k2M,
                                                              PageSize::k1G)));

TEST(NativeColdRefs, TableValues) {
  // The figures of the reference table, spelled out.
  struct Row { unsigned levels; PageSize page; unsigned refs; } rows[] = {
      {4, PageSize::k4K, 4}, {5, PageSize::k4K, 5}, {4, PageSize::k2M, 3}, {4, PageSize::k1G, 2}};
  for (const auto& row : rows) {
    Machine m(params(Virtualization::kNone, row.levels, 4, row.page, PageSize::k4K));
    ASSERT_TRUE(m.populate(1, 0x5000'0000'0000ULL));
    EXPECT_EQ(cold_walk(m, 0x5000'0000'0000ULL).nrefs, row.refs);
  }
}

class TwoDimColdRefs
    : public ::testing::TestWithParam<std::tuple<unsigned, unsigned, PageSize, PageSize>> {};

TEST_P(TwoDimColdRefs, IsNPlusOneTimesMPlusOneMinusOne) {
  const auto [gl, hl, gp, hp] = GetParam();
  Machine m(params(Virtualization::kEpt, gl, hl, gp, hp));
  const Addr va = 0x3f'c000'0000ULL + 0x12345;
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = cold_walk(m, va);
  ASSERT_TRUE(r.ok()) << fault_kind_name(r.fault.kind);
  const unsigned n = dim_refs(gl, gp), k = dim_refs(hl, hp);
  EXPECT_EQ(r.nrefs, (n + 1) * (k + 1) - 1);
  const Expectation e = m.expect(m.context(1), va, AccessKind::kLoad);
  EXPECT_EQ(r.pa, e.pa);
  EXPECT_EQ(r.size, smaller(gp, hp));
  // Guest references are interleaved with host walks: exactly n of them belong to dimension 0.
  unsigned guest = 0;
  for (unsigned i = 0; i < r.nrefs; ++i) guest += r.refs[i].dim == 0;
  EXPECT_EQ(guest, n);
  EXPECT_EQ(r.refs[0].dim, 1);  // the walk starts by translating the guest root's gPA
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, TwoDimColdRefs,
    ::testing::Combine(::testing::Values(4u, 5u), ::testing::Values(4u, 5u),
                       ::testing::Values(PageSize::k4K, PageSize::k2M, PageSize::k1G),
                       ::testing::Values(PageSize::k4K, PageSize::k2M, PageSize::k1G)));

TEST(TwoDimColdRefs, TableValues) {
  struct Row { unsigned gl, hl; PageSize gp, hp; unsigned refs; } rows[] = {
      {4, 4, PageSize::k4K, PageSize::k4K, 24}, {5, 5, PageSize::k4K, PageSize::k4K, 35},
      {4, 4, PageSize::k2M, PageSize::k2M, 15}, {4, 4, PageSize::k2M, PageSize::k4K, 19},
      {4, 4, PageSize::k4K, PageSize::k2M, 19}};
  for (const auto& row : rows) {
    Machine m(params(Virtualization::kEpt, row.gl, row.hl, row.gp, row.hp));
    ASSERT_TRUE(m.populate(1, 0x1234'5678'9000ULL));
    EXPECT_EQ(cold_walk(m, 0x1234'5678'9000ULL).nrefs, row.refs);
  }
}

class NestedColdRefs
    : public ::testing::TestWithParam<std::tuple<unsigned, unsigned, PageSize, PageSize>> {};

// hw3d walks L2 table x EPT12 x EPT01: (n+1)(m+1)(k+1)-1; shadow_ept walks L2 table x EPT02,
// whose pages are the smaller of EPT12's and EPT01's: (n+1)(k+1)-1.
TEST_P(NestedColdRefs, ThreeAndTwoDimensionalWalks) {
  const auto [gl, hl, gp, hp] = GetParam();
  for (NestedWalk walk : {NestedWalk::kHw3d, NestedWalk::kShadowEpt}) {
    MachineParams p = params(Virtualization::kNested, gl, hl, gp, hp);
    p.nested_walk = walk;
    p.l1_frames.bytes = Addr{32} << 30;
    Machine m(p);
    const Addr va = 0x3f'c000'0000ULL + 0x12345;
    ASSERT_TRUE(m.populate(1, va));
    const WalkResult r = cold_walk(m, va);
    ASSERT_TRUE(r.ok()) << fault_kind_name(r.fault.kind);
    const unsigned n = dim_refs(gl, gp), k = dim_refs(hl, hp);
    EXPECT_EQ(r.nrefs, walk == NestedWalk::kHw3d ? (n + 1) * (k + 1) * (k + 1) - 1
                                                 : (n + 1) * (k + 1) - 1);
    const Expectation e = m.expect(m.context(1), va, AccessKind::kLoad);
    EXPECT_EQ(e.fault, FaultKind::kNone);
    EXPECT_EQ(r.pa, e.pa);
    Mapping t;
    ASSERT_TRUE(m.truth(1, va, t));
    EXPECT_EQ(r.pa, t.translate(va));
  }
}

INSTANTIATE_TEST_SUITE_P(LevelsAndPages, NestedColdRefs,
                         ::testing::Combine(::testing::Values(4u, 5u), ::testing::Values(4u, 5u),
                                            ::testing::Values(PageSize::k4K, PageSize::k2M),
                                            ::testing::Values(PageSize::k4K, PageSize::k2M)));

TEST(NestedColdRefs, TableValues) {
  for (auto [walk, refs] : {std::pair{NestedWalk::kHw3d, 124u}, {NestedWalk::kShadowEpt, 24u}}) {
    MachineParams p = params(Virtualization::kNested, 4, 4, PageSize::k4K, PageSize::k4K);
    p.nested_walk = walk;
    p.l1_frames.bytes = Addr{32} << 30;
    Machine m(p);
    ASSERT_TRUE(m.populate(1, 0x1234'5678'9000ULL));
    EXPECT_EQ(cold_walk(m, 0x1234'5678'9000ULL).nrefs, refs);
  }
}

TEST(WalkerFaults, UnmappedGuestPageIsAGuestFaultAtTheMissingLevel) {
  Machine m(params(Virtualization::kEpt, 4, 4, PageSize::k4K, PageSize::k4K));
  ASSERT_TRUE(m.populate(1, 0x1000'0000'0000ULL));
  // Same PT, next page: every table exists, the PTE is empty.
  WalkResult r = cold_walk(m, 0x1000'0000'1000ULL);
  EXPECT_EQ(r.fault.kind, FaultKind::kNotPresent);
  EXPECT_EQ(r.fault.dim, 0);
  EXPECT_EQ(r.fault.level, 1);
  EXPECT_EQ(r.nrefs, 20);  // 4 guest entries with their host walks, no data translation
  // Another PML4 slot: the guest PML4E is empty.
  r = cold_walk(m, 0x2000'0000'0000ULL);
  EXPECT_EQ(r.fault.kind, FaultKind::kNotPresent);
  EXPECT_EQ(r.fault.level, 4);
  EXPECT_EQ(r.nrefs, 5);
}

TEST(WalkerFaults, UnbackedGuestFrameIsAnEptViolation) {
  Machine m(params(Virtualization::kEpt, 4, 4, PageSize::k4K, PageSize::k4K));
  const Addr va = 0x1000'0000'0000ULL;
  ASSERT_EQ(m.space(1).touch(va), AddressSpace::Touch::kMapped);  // guest maps, host does not back
  const WalkResult r = cold_walk(m, va);
  EXPECT_EQ(r.fault.kind, FaultKind::kEptViolation);
  EXPECT_EQ(r.fault.dim, 1);
  Mapping g;
  ASSERT_TRUE(m.space(1).oracle().lookup(va, g));
  EXPECT_EQ(r.fault.addr, g.translate(va));
  EXPECT_EQ(m.expect(m.context(1), va, AccessKind::kLoad).fault, FaultKind::kEptViolation);
}

TEST(WalkerFaults, WriteToReadOnlyPageIsAProtectionFault) {
  Machine m(params(Virtualization::kNone, 4, 4, PageSize::k4K, PageSize::k4K));
  const Addr va = 0x1000'0000'0000ULL;
  ASSERT_EQ(m.space(1).touch(va, Perms{false, true, true}), AddressSpace::Touch::kMapped);
  WalkDim dims[1];
  m.walk_dims(m.context(1), dims);
  DirectWalkMemory mem(m.mem());
  Walker w;
  WalkResult r;
  w.walk(dims, 1, va, AccessKind::kLoad, mem, r);
  EXPECT_TRUE(r.ok());
  w.walk(dims, 1, va, AccessKind::kStore, mem, r);
  EXPECT_EQ(r.fault.kind, FaultKind::kProtection);
  EXPECT_EQ(m.expect(m.context(1), va, AccessKind::kStore).fault, FaultKind::kProtection);
}

TEST(WalkerPwc, WarmGuestAndHostCachesCutReferences) {
  Machine m(params(Virtualization::kEpt, 4, 4, PageSize::k4K, PageSize::k4K));
  const Addr va = 0x1000'0000'0000ULL;
  ASSERT_TRUE(m.populate(1, va));
  ASSERT_TRUE(m.populate(1, va + 0x1000));
  PwcParams pp;
  pp.entries[2] = 32; pp.ways[2] = 4;
  pp.entries[3] = 4;  pp.ways[3] = 4;
  pp.entries[4] = 2;  pp.ways[4] = 1;
  Pwc gpwc("guest", pp, 4), hpwc("host", pp, 4);
  WalkDim dims[2];
  m.walk_dims(m.context(1), dims);
  dims[0].pwc = &gpwc;
  dims[1].pwc = &hpwc;
  DirectWalkMemory mem(m.mem());
  Walker w;
  WalkResult r;
  w.walk(dims, 2, va, AccessKind::kLoad, mem, r);
  ASSERT_TRUE(r.ok());
  const unsigned cold = r.nrefs;
  EXPECT_LT(cold, 24u);  // host PWC already helps within the first walk (same EPT tables)
  w.walk(dims, 2, va + 0x1000, AccessKind::kLoad, mem, r);
  ASSERT_TRUE(r.ok());
  // Guest PDE hit gives the PT's host address: read the gPTE, then walk the data gPA, whose
  // host PDE is cached: 1 + 1 = 2 references.
  EXPECT_EQ(r.nrefs, 2u);
  EXPECT_EQ(r.pa, m.expect(m.context(1), va + 0x1000, AccessKind::kLoad).pa);
}

TEST(WalkerTiming, ReferencesCarryTheirStartLatencyAndLevelOnTheWalksTimeline) {
  // With PWC probes (1 cycle each) and 7-cycle reads, every reference starts where the walk's
  // cycles stood when it was issued; gaps between references are the probes in between.
  Machine m(params(Virtualization::kEpt, 4, 4, PageSize::k4K, PageSize::k4K));
  const Addr va = 0x1000'0000'0000ULL;
  ASSERT_TRUE(m.populate(1, va));
  PwcParams pp;
  pp.entries[2] = 32; pp.ways[2] = 4;
  Pwc gpwc("guest", pp, 4), hpwc("host", pp, 4);
  WalkDim dims[2];
  m.walk_dims(m.context(1), dims);
  dims[0].pwc = &gpwc;
  dims[1].pwc = &hpwc;
  DirectWalkMemory mem(m.mem(), 7);
  Walker w;
  WalkResult r;
  w.walk(dims, 2, va, AccessKind::kLoad, mem, r);
  ASSERT_TRUE(r.ok());
  Cycles probes = 0, previous_end = 0;
  for (unsigned i = 0; i < r.nrefs; ++i) {
    EXPECT_EQ(r.refs[i].latency, 7u);
    EXPECT_EQ(r.refs[i].served, Step::kMem);
    ASSERT_GE(r.refs[i].start, previous_end) << i;
    probes += r.refs[i].start - previous_end;
    previous_end = r.refs[i].start + r.refs[i].latency;
  }
  EXPECT_EQ(r.cycles, previous_end + (r.pwc_probes - probes));  // probes after the last read
  EXPECT_EQ(r.cycles, r.mem_cycles + r.pwc_probes);
}

// A million random translations, mixed page sizes, scattered frames, with PWCs and a nested TLB:
// the walker must agree with the oracle on every one, faults included.
TEST(WalkerOracle, MillionRandomTranslationsAgree) {
  for (Virtualization v : {Virtualization::kNone, Virtualization::kEpt}) {
    MachineParams p = params(v, 4, 4, PageSize::k2M, PageSize::k2M);
    p.guest_pages.huge_fraction = 0.3;
    p.host_pages.huge_fraction = 0.5;
    p.guest_frames.scatter = p.host_frames.scatter = true;
    p.guest_frames.seed = 7;
    p.host_frames.seed = 9;
    Machine m(p);
    Rng rng(42);
    const Addr base = 0x7000'0000'0000ULL, span = Addr{64} << 30;
    std::vector<Addr> mapped;
    for (int i = 0; i < 20000; ++i) {
      const Addr va = base + (rng.below(span) & ~Addr{7});
      ASSERT_TRUE(m.populate(1, va));
      mapped.push_back(va);
    }
    PwcParams pp;
    pp.entries[2] = 32; pp.ways[2] = 4;
    pp.entries[3] = 4;  pp.ways[3] = 4;
    pp.entries[4] = 2;  pp.ways[4] = 1;
    Pwc gpwc("guest", pp, 4), hpwc("host", pp, 4);
    TlbParams tp;
    tp.arrays.push_back({"all", {PageSize::k4K, PageSize::k2M}, 64, 4});
    Tlb ntlb(tp);
    WalkDim dims[2];
    const unsigned n = m.walk_dims(m.context(1), dims);
    dims[0].pwc = &gpwc;
    if (n > 1) {
      dims[1].pwc = &hpwc;
      dims[1].tlb = &ntlb;
    }
    DirectWalkMemory mem(m.mem());
    Walker w;
    WalkResult r;
    uint64_t mismatches = 0, faults = 0;
    for (int i = 0; i < 500000; ++i) {
      // Half near mapped addresses (same or neighbouring pages), half anywhere in the span.
      const Addr va = (i & 1) ? mapped[rng.below(mapped.size())] + (rng.below(0x4000) & ~7ULL)
                              : base + (rng.below(span) & ~Addr{7});
      w.walk(dims, n, va, AccessKind::kLoad, mem, r);
      const Expectation e = m.expect(m.context(1), va, AccessKind::kLoad);
      if (e.fault != FaultKind::kNone) ++faults;
      if (r.fault.kind != e.fault || (r.ok() && (r.pa != e.pa || r.size != e.size))) ++mismatches;
    }
    EXPECT_EQ(mismatches, 0u) << virtualization_name(v);
    EXPECT_GT(faults, 1000u);  // the check saw faults as well as translations
    EXPECT_LT(faults, 450000u);
  }
}

// The host-cache hints load the leaf entries the walk then reads: the first dimension's leaf, and
// the EPT leaf for the data, which is the walk's last reference.
TEST(WalkHints, PointAtEntriesTheWalkReadsAndTheData) {
  for (Virtualization v : {Virtualization::kNone, Virtualization::kEpt, Virtualization::kShadow}) {
    for (PageSize page : {PageSize::k4K, PageSize::k2M}) {
      Machine m(params(v, 4, 4, page, page));
      Rng rng(7);
      for (int i = 0; i < 200; ++i) {
        const Addr va = 0x1000'0000'0000ULL + (rng.below(Addr{1} << 33) & ~Addr{7});
        ASSERT_TRUE(m.populate(1, va));  // shadow paging: the shadow entry too
        // Twice: the second answer comes from the memo of leaf tables.
        for (int pass = 0; pass < 2; ++pass) {
          Addr hinted[2 * OracleHints::kStages];
          const unsigned n = m.scheme().hinted_lines(m.context(1), va, hinted);
          const WalkResult r = cold_walk(m, va);
          ASSERT_TRUE(r.ok());
          std::set<Addr> read;
          for (unsigned k = 0; k < r.nrefs; ++k) read.insert(r.refs[k].pa);
          unsigned entries = 0, data = 0;
          for (unsigned k = 0; k < n; ++k) {
            if (read.count(hinted[k])) {
              ++entries;
            } else {
              EXPECT_EQ(hinted[k], r.pa) << virtualization_name(v) << " va " << va << " hint " << k;
              ++data;
            }
          }
          // The first dimension's leaf entry, and with EPT the EPT's leaf entry for the data.
          EXPECT_EQ(entries, v == Virtualization::kEpt ? 2u : 1u) << virtualization_name(v);
          EXPECT_EQ(data, v == Virtualization::kShadow ? 0u : 1u);
          // The walk's last reference is its leaf entry: always hinted.
          EXPECT_TRUE(std::find(hinted, hinted + n, r.refs[r.nrefs - 1].pa) != hinted + n);
        }
      }
    }
  }
}

// The check of an access may use the oracle mappings its hints looked up: under every scheme the
// answer is the same as a fresh one, and a hint whose maps changed since is not used.
TEST(WalkHints, HintedExpectationsEqualFreshOnesAndGoStaleWithTheirMaps) {
  for (const SchemeInfo& sc : registered_schemes()) {
    MachineParams p = params(Virtualization::kNone, 4, 4, PageSize::k4K, PageSize::k4K);
    sc.select(p);
    p.l1_frames.bytes = Addr{32} << 30;
    Machine m(p);
    Rng rng(11);
    auto hint = [&](Addr va) {
      OracleHints st;
      for (unsigned s = 0; s < OracleHints::kStages; ++s) m.scheme().hint(m.context(1), va, s, st);
      return st;
    };
    auto same = [](const Expectation& a, const Expectation& b) {
      return a.fault == b.fault && a.pa == b.pa && a.size == b.size && a.perms == b.perms;
    };
    for (int i = 0; i < 300; ++i) {
      const Addr va = 0x1000'0000'0000ULL + (rng.below(Addr{1} << 30) & ~Addr{7});
      if (i % 3 != 0) {
        ASSERT_TRUE(m.populate(1, va));  // one in three stays unmapped
      }
      const OracleHints st = hint(va);
      for (AccessKind k : {AccessKind::kLoad, AccessKind::kStore}) {
        EXPECT_TRUE(same(m.expect(m.context(1), va, k, &st), m.expect(m.context(1), va, k)))
            << sc.name << " va " << va;
      }
    }
    // Hinted while unmapped, mapped afterwards: the hint's "unmapped" is stale.
    const Addr va = 0x1000'8000'0000ULL;
    const OracleHints before = hint(va);
    EXPECT_EQ(m.expect(m.context(1), va, AccessKind::kLoad, &before).fault,
              FaultKind::kNotPresent) << sc.name;
    ASSERT_TRUE(m.populate(1, va));
    const Expectation fresh = m.expect(m.context(1), va, AccessKind::kLoad);
    EXPECT_EQ(fresh.fault, FaultKind::kNone) << sc.name;
    EXPECT_TRUE(same(m.expect(m.context(1), va, AccessKind::kLoad, &before), fresh)) << sc.name;
    // Hinted for another address: not used.
    const OracleHints other = hint(va + 0x1000);
    EXPECT_TRUE(same(m.expect(m.context(1), va, AccessKind::kLoad, &other), fresh)) << sc.name;
    // The lowest host dimension changes after the hint: the host frame under the page goes.
    if (AddressSpace* host = m.scheme().host_space()) {
      const OracleHints mapped = hint(va);
      Mapping t;
      ASSERT_TRUE(m.truth(1, va, t));
      Addr below = 0;  // the address the lowest host dimension maps for va
      Mapping g, l1;
      ASSERT_TRUE(m.space(1).oracle().lookup(va, g));
      below = g.translate(va);
      if (sc.virt == Virtualization::kNested) {
        ASSERT_TRUE(static_cast<NestedScheme&>(m.scheme()).l1_ept().oracle().lookup(below, l1));
        below = l1.translate(below);
      }
      ASSERT_TRUE(host->unmap(below));
      const Expectation now = m.expect(m.context(1), va, AccessKind::kLoad);
      EXPECT_NE(now.fault, FaultKind::kNone) << sc.name;
      EXPECT_TRUE(same(m.expect(m.context(1), va, AccessKind::kLoad, &mapped), now)) << sc.name;
    }
  }
}

}  // namespace
}  // namespace mmusim
