// The OS side of VMA growth and TEA sharing: the synthetic workload's VMA layout and growth events
// (accesses reach the grown part), and the grouping of adjacent dense VMAs into one TEA, whose
// single register serves them all.
#include <gtest/gtest.h>

#include <systemc>

#include "models/machine.h"
#include "models/walker.h"
#include "testbench/tea_manager.h"
#include "testbench/workload.h"

namespace mmusim {
namespace {

constexpr Addr kMiB = Addr{1} << 20;
constexpr Addr kBase = 0x1000'0000'0000ULL;

TEST(SyntheticWorkload, SplitsTheFootprintIntoVmasWithGaps) {
  SyntheticParams p;
  p.footprint = 8 * kMiB;
  p.vmas = 4;
  p.vma_gap = kMiB;
  p.processes = 2;
  SyntheticWorkload w(p);
  ASSERT_EQ(w.vmas().size(), 8u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(w.vmas()[i].start, kBase + i * 3 * kMiB);
    EXPECT_EQ(w.vmas()[i].end, w.vmas()[i].start + 2 * kMiB);
    EXPECT_EQ(w.vmas()[i].asid, 1);
    EXPECT_EQ(w.vmas()[i + 4].asid, 2);
  }
  p.count = 20000;
  SyntheticWorkload u(p);
  Access a;
  while (u.next(a)) {
    bool inside = false;
    for (const Vma& v : u.vmas()) inside |= v.asid == a.asid && v.contains(a.va);
    EXPECT_TRUE(inside) << std::hex << a.va;
  }
}

TEST(SyntheticWorkload, TheLastVmaGrowsAndAccessesReachTheGrownPart) {
  SyntheticParams p;
  p.count = 4000;
  p.footprint = 4 * kMiB;
  p.vmas = 2;
  p.vma_gap = kMiB;
  p.grow_every = 1000;
  p.grow_bytes = 2 * kMiB;
  SyntheticWorkload w(p);
  Addr end = kBase + 5 * kMiB;  // the second VMA's end
  unsigned growths = 0;
  uint64_t issued = 0, beyond = 0;
  Access a;
  while (w.next(a)) {
    if (a.event == Access::Event::kGrow) {
      EXPECT_EQ(issued % 1000, 0u);
      EXPECT_EQ(a.va, end);
      EXPECT_EQ(a.pages, 512u);
      end += 2 * kMiB;
      ++growths;
      continue;
    }
    ASSERT_EQ(a.event, Access::Event::kAccess);
    ++issued;
    EXPECT_TRUE((a.va >= kBase && a.va < kBase + 2 * kMiB) ||
                (a.va >= kBase + 3 * kMiB && a.va < end))
        << std::hex << a.va;
    if (a.va >= kBase + 5 * kMiB) ++beyond;
  }
  EXPECT_EQ(growths, 3u);  // after 1000, 2000 and 3000 accesses (none after the last)
  // After the first growth a third of the accesses (then half, then three fifths) land in
  // memory the VMA did not have at the start.
  EXPECT_GT(beyond, 1000u);
  // The VMA list is the one at the start; the OS grows its own copy.
  EXPECT_EQ(w.vmas().back().end, kBase + 5 * kMiB);
}

// A Machine and its OS-side TEAs over a set of VMAs, walked without the TLM layer.
struct Shared {
  explicit Shared(double density, unsigned registers = 16) {
    MachineParams p;
    p.virt = Virtualization::kNone;
    p.dmt = DmtMode::kDmt;
    machine = std::make_unique<Machine>(p);
    // Two 40 MiB VMAs 1 MiB apart (a heap split by mprotect, say), then a 100 MiB one far away.
    vmas = {Vma{kBase, kBase + 40 * kMiB, Perms{}, 1, "a"},
            Vma{kBase + 41 * kMiB, kBase + 81 * kMiB, Perms{}, 1, "b"},
            Vma{kBase + 10240 * kMiB, kBase + 10340 * kMiB, Perms{}, 1, "c"}};
    TeaPolicy policy;
    policy.registers = registers;
    policy.share_density = density;
    teas = std::make_unique<TeaManager>(*machine, vmas, policy);
  }
  unsigned refs(Addr va) {
    EXPECT_TRUE(machine->populate(1, va));
    DmtRegisters set(16);
    const std::vector<TeaRegister>& regs = teas->registers(1);
    for (unsigned i = 0; i < regs.size(); ++i) set.program(i, regs[i]);
    struct Port : DmtPort {
      DmtRegisters* set;
      bool dmt_lookup(unsigned, Addr addr, uint32_t tag, Addr& entry, unsigned& level,
                      Cycles&) override {
        DmtHit hit;
        if (!set->lookup(addr, tag, hit)) return false;
        entry = hit.entry;
        level = hit.level;
        return true;
      }
    } port;
    port.set = &set;
    WalkDim dims[1];
    machine->walk_dims(machine->context(1), dims);
    dims[0].dmt_port = &port;
    DirectWalkMemory mem(machine->mem());
    Walker w;
    WalkResult r;
    w.walk(dims, 1, va, AccessKind::kLoad, mem, r);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.pa, machine->expect(machine->context(1), va, AccessKind::kLoad).pa);
    return r.nrefs;
  }
  std::unique_ptr<Machine> machine;
  std::vector<Vma> vmas;
  std::unique_ptr<TeaManager> teas;
};

TEST(TeaSharing, AdjacentDenseVmasShareOneTea) {
  Shared s(0.5);
  const TeaManager::Stats& t = s.teas->stats();
  // a and b: 80 MiB of a 81 MiB span share one TEA, large enough together; c has its own.
  EXPECT_EQ(t.registers, 2u);
  EXPECT_EQ(t.vmas_with_tea, 3u);
  EXPECT_EQ(t.shared_vmas, 2u);
  EXPECT_EQ(t.vmas_without_tea, 0u);
  const std::vector<TeaRegister>& regs = s.teas->registers(1);
  ASSERT_EQ(regs.size(), 2u);
  EXPECT_EQ(regs[0].start, kBase);
  EXPECT_EQ(regs[0].end, kBase + 81 * kMiB);
  EXPECT_EQ(regs[1].start, kBase + 10240 * kMiB);
  // One register, one reference: in a, in b, and in c's own TEA.
  EXPECT_EQ(s.refs(kBase + 0x1000), 1u);
  EXPECT_EQ(s.refs(kBase + 41 * kMiB + 0x2000), 1u);
  EXPECT_EQ(s.refs(kBase + 80 * kMiB + 0x3000), 1u);
  EXPECT_EQ(s.refs(kBase + 10300 * kMiB), 1u);
}

TEST(TeaSharing, WithoutSharingSmallVmasWalkTheRadix) {
  Shared s(0.0);
  const TeaManager::Stats& t = s.teas->stats();
  EXPECT_EQ(t.registers, 1u);  // only c reaches 64 MiB on its own
  EXPECT_EQ(t.vmas_with_tea, 1u);
  EXPECT_EQ(t.shared_vmas, 0u);
  EXPECT_EQ(t.vmas_without_tea, 2u);
  EXPECT_EQ(s.refs(kBase + 41 * kMiB + 0x2000), 4u);
  EXPECT_EQ(s.refs(kBase + 10300 * kMiB), 1u);
}

TEST(TeaSharing, AGapTooLargeForTheDensityKeepsVmasApart) {
  // a and b together cover 80 of 81 MiB (0.988); c would make it 180 of 10340.
  Shared s(0.99);
  EXPECT_EQ(s.teas->stats().shared_vmas, 0u);
  EXPECT_EQ(s.teas->stats().registers, 1u);
  Shared t(0.98, 1);  // one register: the shared TEA takes it, c is left out
  EXPECT_EQ(t.teas->stats().registers, 1u);
  EXPECT_EQ(t.teas->stats().shared_vmas, 2u);
  EXPECT_EQ(t.teas->stats().vmas_without_tea, 1u);
  EXPECT_EQ(t.refs(kBase + 10300 * kMiB), 4u);
}

TEST(TeaSharing, GrowthFillsTheGapOrMovesTheSharedTea) {
  Shared s(0.5);
  // a grows into the gap before b: the shared TEA covers it already.
  TeaManager::Work w = s.teas->vma_grew(0, kBase + 40 * kMiB + 0x80000);
  EXPECT_FALSE(w.reallocated || w.created || w.failed);
  // b grows past the TEA's 41 leaf tables: it doubles to 82 and keeps both VMAs' tables.
  EXPECT_EQ(s.refs(kBase + 0x1000), 1u);
  EXPECT_EQ(s.refs(kBase + 60 * kMiB), 1u);
  w = s.teas->vma_grew(1, kBase + 100 * kMiB);
  EXPECT_TRUE(w.reallocated);
  EXPECT_EQ(w.moved, 2u);
  EXPECT_EQ(s.teas->registers(1)[0].end, kBase + 100 * kMiB);
  EXPECT_EQ(s.teas->stats().growths, 1u);
  EXPECT_EQ(s.refs(kBase + 0x1000), 1u);
  EXPECT_EQ(s.refs(kBase + 60 * kMiB), 1u);
  EXPECT_EQ(s.refs(kBase + 99 * kMiB), 1u);
}

TEST(TeaSharing, AVmaThatGrowsLargeEnoughGetsATea) {
  Shared s(0.0);
  EXPECT_EQ(s.refs(kBase + 0x1000), 4u);  // a: 40 MiB, no TEA, mapped on the radix
  // a grows to 70 MiB: it gets a TEA, and its leaf table moves in.
  const TeaManager::Work w = s.teas->vma_grew(0, kBase + 70 * kMiB);
  EXPECT_TRUE(w.created);
  EXPECT_EQ(w.moved, 1u);
  EXPECT_EQ(s.teas->stats().created_on_growth, 1u);
  EXPECT_EQ(s.teas->stats().vmas_without_tea, 1u);
  EXPECT_EQ(s.refs(kBase + 0x1000), 1u);
  EXPECT_EQ(s.refs(kBase + 69 * kMiB), 1u);
}

}  // namespace
}  // namespace mmusim
