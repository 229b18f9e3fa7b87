// TEA growth by doubling: capacity, moved leaf tables whose entries survive, the old TEA freed,
// the register reprogrammed, walks through the new TEA in every DMT scheme; growth within the
// capacity, a failed allocation, and the stale paging-structure cache entries a move leaves.
#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "models/machine.h"
#include "models/pwc.h"
#include "models/walker.h"
#include "direct_dmt.h"

namespace mmusim {
namespace {

// Records counters by their full path ("host_frames.allocated_bytes").
class PathRecorder : public StatsVisitor {
 public:
  void begin(const char* group) override { m_path.push_back(group); }
  void end() override { m_path.pop_back(); }
  void counter(const char* name, uint64_t value, const char*, const char*) override {
    std::string key;
    for (const std::string& p : m_path) key += p + ".";
    values[key + name] = value;
  }
  void real(const char*, double, const char*, const char*) override {}
  std::map<std::string, uint64_t> values;

 private:
  std::vector<std::string> m_path;
};

uint64_t stat(const Machine& m, const std::string& key) {
  PathRecorder r;
  m.report(r);
  EXPECT_TRUE(r.values.count(key)) << key;
  return r.values[key];
}

struct Scheme {
  const char* name;
  Virtualization virt;
  DmtMode mode;
  unsigned refs;  // cold references of a walk through TEAs
};

void PrintTo(const Scheme& s, std::ostream* os) { *os << s.name; }

MachineParams params(const Scheme& s, Addr host_bytes = Addr{64} << 30) {
  MachineParams p;
  p.virt = s.virt;
  p.dmt = s.mode;
  p.nested_walk = NestedWalk::kHw3d;
  p.l1_frames.bytes = Addr{32} << 30;
  p.guest_frames.bytes = Addr{16} << 30;
  p.host_frames.bytes = host_bytes;
  return p;
}

// Walks va cold with the registers as given, DMT lookups first.
WalkResult walk(Machine& m, const TeaRegister& reg, Addr va) {
  DirectDmt unit;
  unit.sets[0].program(0, reg);
  if (m.teas().host_register(1)) unit.sets[1].program(0, *m.teas().host_register(1));
  if (m.teas().host_register(2)) unit.sets[2].program(0, *m.teas().host_register(2));
  WalkDim dims[3];
  const unsigned n = m.walk_dims(m.context(1), dims);
  for (unsigned i = 0; i < n; ++i) dims[i].dmt_port = &unit;
  DirectWalkMemory mem(m.mem());
  Walker w;
  WalkResult r;
  w.walk(dims, n, va, AccessKind::kLoad, mem, r);
  return r;
}

// The host-physical address of va's leaf entry in the address space's table, as the walk read it.
Addr leaf_entry_pa(const WalkResult& r) {
  for (unsigned i = 0; i < r.nrefs; ++i)
    if (r.refs[i].dim == 0) return r.refs[i].pa;
  ADD_FAILURE() << "no reference to the address space's table";
  return 0;
}

constexpr Addr kStart = 0x1000'0000'0000ULL;
constexpr Addr kGiB = Addr{1} << 30;

class TeaGrowthInScheme : public ::testing::TestWithParam<Scheme> {};

TEST_P(TeaGrowthInScheme, DoublesMovesTheLeafTablesAndFreesTheOldTea) {
  const Scheme& s = GetParam();
  Machine m(params(s));
  const std::string frames = s.virt == Virtualization::kNone ? "host_frames." : "guest_frames.";
  TeaRegister reg;
  TeaChange created;
  ASSERT_TRUE(m.teas().create(1, kStart, kStart + kGiB, reg, &created));
  EXPECT_EQ(created.new_pages, 512u);  // one leaf table per 2 MiB
  EXPECT_EQ(created.moved, 0u);
  const std::vector<Addr> vas = {kStart, kStart + 0x1234'5678, kStart + 0x3000'7000,
                                 kStart + kGiB - 0x1000};
  std::vector<Addr> entry_pa;
  std::vector<uint64_t> entry;
  for (Addr va : vas) {
    ASSERT_TRUE(m.populate(1, va));
    const WalkResult r = walk(m, reg, va);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.nrefs, s.refs);
    entry_pa.push_back(leaf_entry_pa(r));
    entry.push_back(m.mem().read64(entry_pa.back()));
    EXPECT_NE(entry.back(), 0u);
  }
  const uint64_t tea_pages = stat(m, "dmt.tea_pages");
  const uint64_t allocated = stat(m, frames + "allocated_bytes");

  // 1.5 GiB needs 768 leaf tables: the capacity doubles to 1024.
  TeaRegister grown;
  TeaChange change;
  ASSERT_TRUE(m.teas().grow(1, kStart, kStart + 3 * kGiB / 2, grown, change));
  EXPECT_TRUE(change.reallocated());
  EXPECT_EQ(change.old_pages, 512u);
  EXPECT_EQ(change.new_pages, 1024u);
  EXPECT_EQ(change.moved, vas.size());  // the populated regions' leaf tables
  EXPECT_EQ(change.moved_ranges.size(), vas.size());
  EXPECT_EQ(stat(m, "dmt.tea_pages"), tea_pages + 512);
  // The old TEA's 2 MiB chunk went back, the new one's two were taken.
  EXPECT_EQ(stat(m, frames + "allocated_bytes"), allocated + (Addr{2} << 20));
  // The register: same start, the new end, the new area.
  EXPECT_EQ(grown.start, kStart);
  EXPECT_EQ(grown.end, kStart + 3 * kGiB / 2);
  EXPECT_NE(grown.base, reg.base);
  EXPECT_TRUE(grown.valid);
  EXPECT_EQ(grown.tag, reg.tag);

  for (size_t i = 0; i < vas.size(); ++i) {
    const WalkResult r = walk(m, grown, vas[i]);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.pa, m.expect(m.context(1), vas[i], AccessKind::kLoad).pa);
    EXPECT_EQ(r.nrefs, s.refs);
    EXPECT_EQ(r.dmt_hits, s.refs);
    const Addr pa = leaf_entry_pa(r);
    EXPECT_NE(pa, entry_pa[i]);
    EXPECT_EQ(m.mem().read64(pa), entry[i]);     // the entry moved unchanged
    EXPECT_EQ(m.mem().read64(entry_pa[i]), 0u);  // the old TEA's pages are gone
  }
  // A page of the grown part: its leaf table is placed in the new TEA.
  const Addr fresh = kStart + kGiB + 0x765'4000;
  ASSERT_TRUE(m.populate(1, fresh));
  WalkResult r = walk(m, grown, fresh);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.nrefs, s.refs);
  EXPECT_EQ(r.pa, m.expect(m.context(1), fresh, AccessKind::kLoad).pa);

  // 4.5 GiB needs 2304: two doublings, to 4096.
  ASSERT_TRUE(m.teas().grow(1, kStart, kStart + 9 * kGiB / 2, grown, change));
  EXPECT_EQ(change.old_pages, 1024u);
  EXPECT_EQ(change.new_pages, 4096u);
  EXPECT_EQ(change.moved, vas.size() + 1);
  for (Addr va : {vas[1], fresh}) {
    r = walk(m, grown, va);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.dmt_hits, s.refs);
    EXPECT_EQ(r.pa, m.expect(m.context(1), va, AccessKind::kLoad).pa);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Schemes, TeaGrowthInScheme,
    ::testing::Values(Scheme{"native", Virtualization::kNone, DmtMode::kDmt, 1},
                      Scheme{"dmt", Virtualization::kEpt, DmtMode::kDmt, 3},
                      Scheme{"pvdmt", Virtualization::kEpt, DmtMode::kPvDmt, 2},
                      Scheme{"nested_pvdmt", Virtualization::kNested, DmtMode::kPvDmt, 3}),
    [](const ::testing::TestParamInfo<Scheme>& i) { return std::string(i.param.name); });

TEST(TeaGrowth, WithinTheCapacityOnlyTheEndMoves) {
  Machine m(params(Scheme{"native", Virtualization::kNone, DmtMode::kDmt, 1}));
  // A VMA that starts and ends inside 2 MiB regions: its TEA holds their leaf tables whole.
  const Addr start = kStart + 0x3000, end = kStart + (Addr{63} << 20) + 0x5000;
  TeaRegister reg, grown;
  ASSERT_TRUE(m.teas().create(1, start, end, reg));
  ASSERT_TRUE(m.populate(1, end - 0x1000));
  TeaChange change;
  ASSERT_TRUE(m.teas().grow(1, start, kStart + (Addr{64} << 20), grown, change));
  EXPECT_FALSE(change.reallocated());
  EXPECT_EQ(change.new_pages, 32u);
  EXPECT_EQ(change.moved, 0u);
  EXPECT_EQ(grown.base, reg.base);
  EXPECT_EQ(grown.end, kStart + (Addr{64} << 20));
  const Addr va = kStart + (Addr{64} << 20) - 0x1000;  // newly covered, same leaf table
  ASSERT_TRUE(m.populate(1, va));
  const WalkResult r = walk(m, grown, va);
  EXPECT_EQ(r.nrefs, 1u);
  EXPECT_EQ(r.dmt_hits, 1u);
}

TEST(TeaGrowth, NoContiguousMemoryLeavesTheRestToTheRadixWalk) {
  // 1 GiB of memory: a 256 GiB VMA's TEA (512 MiB) fits, the doubled one does not.
  Machine m(params(Scheme{"native", Virtualization::kNone, DmtMode::kDmt, 1}, kGiB));
  TeaRegister reg, grown;
  ASSERT_TRUE(m.teas().create(1, kStart, kStart + 256 * kGiB, reg));
  const Addr inside = kStart + 100 * kGiB, beyond = kStart + 300 * kGiB;
  ASSERT_TRUE(m.populate(1, inside));
  TeaChange change;
  EXPECT_FALSE(m.teas().grow(1, kStart, kStart + 512 * kGiB, grown, change));
  EXPECT_FALSE(change.reallocated());
  EXPECT_EQ(grown.base, reg.base);
  EXPECT_EQ(grown.end, kStart + 256 * kGiB);  // what the TEA holds
  ASSERT_TRUE(m.populate(1, beyond));
  WalkResult r = walk(m, grown, beyond);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.dmt_hits, 0u);
  EXPECT_EQ(r.nrefs, 4u);  // the radix walk
  EXPECT_EQ(r.pa, m.expect(m.context(1), beyond, AccessKind::kLoad).pa);
  r = walk(m, grown, inside);
  EXPECT_EQ(r.nrefs, 1u);
  EXPECT_EQ(r.pa, m.expect(m.context(1), inside, AccessKind::kLoad).pa);
}

TEST(TeaGrowth, PagingStructureCacheEntriesOfMovedTablesAreStale) {
  Machine m(params(Scheme{"native", Virtualization::kNone, DmtMode::kDmt, 1}));
  TeaRegister reg, grown;
  ASSERT_TRUE(m.teas().create(1, kStart, kStart + kGiB, reg));
  const Addr a = kStart + 0x40'0000, b = a + 0x5000;  // one leaf table
  ASSERT_TRUE(m.populate(1, a));
  ASSERT_TRUE(m.populate(1, b));
  PwcParams pp;
  pp.entries[2] = 32;
  pp.ways[2] = 4;
  Pwc pwc("guest", pp, 4);
  // Radix walks only, through the PWC: the first caches the PDE that points at a's leaf table.
  WalkDim dims[1];
  m.walk_dims(m.context(1), dims);
  dims[0].dmt.enabled = false;
  dims[0].pwc = &pwc;
  DirectWalkMemory mem(m.mem());
  Walker w;
  WalkResult r;
  w.walk(dims, 1, a, AccessKind::kLoad, mem, r);
  ASSERT_TRUE(r.ok());
  TeaChange change;
  ASSERT_TRUE(m.teas().grow(1, kStart, kStart + 2 * kGiB, grown, change));
  ASSERT_EQ(change.moved_ranges.size(), 1u);
  EXPECT_EQ(change.moved_ranges[0], kStart + 0x40'0000);
  // The cached PDE still points at the old page, now freed: the walk goes wrong.
  w.walk(dims, 1, b, AccessKind::kLoad, mem, r);
  EXPECT_EQ(r.fault.kind, FaultKind::kNotPresent);
  // Invalidated for each moved range (the OS's invlpg), the walk reads the moved table.
  for (Addr at : change.moved_ranges) pwc.invalidate(at, m.context(1).key());
  w.walk(dims, 1, b, AccessKind::kLoad, mem, r);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.pa, m.expect(m.context(1), b, AccessKind::kLoad).pa);
}

TEST(TeaGrowth, CreatingATeaMovesTheTablesTheRangeHasAlready) {
  // A VMA mapped before it has a TEA (it grew past dmt_min_vma_mib): its leaf tables move in.
  Machine m(params(Scheme{"pvdmt", Virtualization::kEpt, DmtMode::kPvDmt, 2}));
  const std::vector<Addr> vas = {kStart + 0x1000, kStart + 0x20'3000, kStart + 0x3000'0000};
  for (Addr va : vas) ASSERT_TRUE(m.populate(1, va));
  const uint64_t frames_4k = stat(m, "guest_frames.frames_4k");
  TeaRegister reg;
  TeaChange change;
  ASSERT_TRUE(m.teas().create(1, kStart, kStart + kGiB, reg, &change));
  EXPECT_EQ(change.moved, vas.size());
  // The leaf tables' own pages were freed (the TEA is counted in 2 MiB chunks).
  EXPECT_EQ(stat(m, "guest_frames.frames_4k"), frames_4k - vas.size());
  for (Addr va : vas) {
    const WalkResult r = walk(m, reg, va);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.nrefs, 2u);
    EXPECT_EQ(r.pa, m.expect(m.context(1), va, AccessKind::kLoad).pa);
  }
}

TEST(RadixTable, TablesInAndMoveTable) {
  PhysMem mem;
  FrameAllocator frames("f", FrameAllocatorParams{});
  HostTableMemory tables(mem, frames);
  RadixTable t(PtFormat::kX86, 4, tables);
  ASSERT_TRUE(t.init());
  const Addr regions[] = {kStart + 0x60'0000, kStart, kStart + 5 * kGiB};
  for (Addr va : regions) {
    Addr frame;
    ASSERT_TRUE(frames.alloc(PageSize::k4K, frame));
    ASSERT_EQ(t.map(va + 0x1000, frame, PageSize::k4K, Perms{}), RadixTable::MapStatus::kOk);
  }
  std::vector<std::pair<Addr, Addr>> found;
  t.tables_in(kStart, kStart + kGiB, 1, found);
  ASSERT_EQ(found.size(), 2u);  // in address order, the 5 GiB one outside
  EXPECT_EQ(found[0].first, kStart);
  EXPECT_EQ(found[1].first, kStart + 0x60'0000);
  found.clear();
  t.tables_in(kStart + 0x20'0000, kStart + 0x60'0001, 1, found);
  ASSERT_EQ(found.size(), 1u);
  const uint64_t pages = t.table_pages();
  const uint64_t frames_before = frames.frames(PageSize::k4K);
  Addr to;
  ASSERT_TRUE(frames.alloc(PageSize::k4K, to));
  ASSERT_TRUE(t.move_table(kStart + 0x60'0000, 1, to, false));
  EXPECT_EQ(t.table_pages(), pages);
  EXPECT_EQ(frames.frames(PageSize::k4K), frames_before);  // the old page was freed
  EXPECT_EQ(mem.read64(found[0].second + 8), 0u);
  EXPECT_NE(mem.read64(to + 8), 0u);  // entry 1 (va + 0x1000) moved
  found.clear();
  t.tables_in(kStart + 0x60'0000, kStart + 0x60'1000, 1, found);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].second, to);
  EXPECT_FALSE(t.move_table(kStart + 0x80'0000, 1, to, false));  // no table there
}

}  // namespace
}  // namespace mmusim
