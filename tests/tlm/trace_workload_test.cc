// The trace workload: records become accesses, threads become address spaces on request (a change
// of thread then being a context switch), VMAs are copied per address space, kernel-half records
// are dropped, skip and limit bound the window, a core's reader keeps its threads' records (per
// core). No SystemC kernel is needed.
#include "testbench/trace_workload.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "models/trace_format.h"

namespace mmusim {
namespace {

std::string two_thread_trace() {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("mmusim-tw-" + std::to_string(getpid()) + ".mtr"))
          .string();
  TraceWriter w(path);
  w.write({0x401000, 4, 0, TraceKind::kFetch});
  w.write({0x600000, 8, 0, TraceKind::kLoad});
  w.write({0x600008, 8, 1, TraceKind::kModify});
  w.write({0xffffffffff600000ull, 8, 1, TraceKind::kLoad});  // vsyscall page: kernel half
  w.write({0x600010, 8, 1, TraceKind::kStore});
  w.write({0x600018, 8, 0, TraceKind::kLoad});
  TraceHeader h;
  h.threads = 2;
  h.vmas.push_back({0x400000, 0x402000, true, false, true, 1, "text"});
  h.vmas.push_back({0x600000, 0x601000, true, true, false, 1, "data"});
  h.vmas.push_back(
      {0xffffffffff600000ull, 0xffffffffff601000ull, true, false, true, 1, "vsyscall"});
  w.finish(h);
  return path;
}

struct Item {
  Access::Event event;
  uint16_t asid;
  Addr va;
  AccessKind kind;
};

std::vector<Item> drain(TraceWorkload& w) {
  std::vector<Item> out;
  Access a;
  while (w.next(a)) out.push_back({a.event, a.asid, a.va, a.kind});
  return out;
}

TEST(TraceWorkload, SameProcessRunsEveryThreadInOneAddressSpace) {
  TraceWorkloadParams p;
  p.path = two_thread_trace();
  TraceWorkload w(p);
  std::remove(p.path.c_str());     // the workload holds it open
  ASSERT_EQ(w.vmas().size(), 2u);  // the kernel-half VMA is beyond the address space
  EXPECT_TRUE(w.vmas()[0].perms.exec);
  EXPECT_FALSE(w.vmas()[0].perms.write);
  EXPECT_TRUE(w.vmas()[1].perms.write);
  const auto items = drain(w);
  ASSERT_EQ(items.size(), 5u);
  for (const Item& i : items) {
    EXPECT_EQ(i.event, Access::Event::kAccess);
    EXPECT_EQ(i.asid, 1);
  }
  EXPECT_EQ(items[0].kind, AccessKind::kFetch);
  EXPECT_EQ(items[2].kind, AccessKind::kStore);  // the modify
  EXPECT_EQ(items[2].va, 0x600008u);
  EXPECT_EQ(items[3].va, 0x600010u);
}

TEST(TraceWorkload, ProcessPerThreadSwitchesAddressSpaces) {
  TraceWorkloadParams p;
  p.path = two_thread_trace();
  p.process_per_thread = true;
  TraceWorkload w(p);
  std::remove(p.path.c_str());  // the workload holds it open
  ASSERT_EQ(w.vmas().size(), 4u);
  EXPECT_EQ(w.vmas()[2].asid, 2);
  const auto items = drain(w);
  std::vector<std::pair<Access::Event, uint16_t>> got;
  for (const Item& i : items) got.emplace_back(i.event, i.asid);
  using E = Access::Event;
  const std::vector<std::pair<Access::Event, uint16_t>> want = {
      {E::kAccess, 1}, {E::kAccess, 1}, {E::kSwitch, 2}, {E::kAccess, 2},
      {E::kAccess, 2}, {E::kSwitch, 1}, {E::kAccess, 1}};
  EXPECT_EQ(got, want);
}

TEST(TraceWorkload, SkipAndLimitBoundTheWindow) {
  TraceWorkloadParams p;
  p.path = two_thread_trace();
  p.skip = 1;
  p.limit = 2;
  TraceWorkload w(p);
  std::remove(p.path.c_str());  // the workload holds it open
  EXPECT_EQ(w.count(), 2u);
  const auto items = drain(w);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].va, 0x600000u);
  EXPECT_EQ(items[1].va, 0x600008u);
}

TEST(TraceWorkload, PerCoreReplaysTheThreadsOfItsCoreInOneAddressSpace) {
  const std::string path = two_thread_trace();
  std::vector<Item> of[2];
  for (unsigned core = 0; core < 2; ++core) {
    TraceWorkloadParams p;
    p.path = path;
    p.core = core;
    p.cores = 2;
    TraceWorkload w(p);
    of[core] = drain(w);
  }
  std::remove(path.c_str());
  // Thread 0 on core 0, thread 1 on core 1 (its kernel-half record dropped); no switches.
  ASSERT_EQ(of[0].size(), 3u);
  ASSERT_EQ(of[1].size(), 2u);
  EXPECT_EQ(of[0][0].va, 0x401000u);
  EXPECT_EQ(of[0][2].va, 0x600018u);
  EXPECT_EQ(of[1][0].va, 0x600008u);
  EXPECT_EQ(of[1][0].kind, AccessKind::kStore);
  for (const auto& items : of)
    for (const Item& i : items) {
      EXPECT_EQ(i.event, Access::Event::kAccess);
      EXPECT_EQ(i.asid, 1u);
    }
}

}  // namespace
}  // namespace mmusim
