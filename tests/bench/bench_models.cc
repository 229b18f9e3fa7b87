// Model hot paths, measured with Google Benchmark (not tests): TLB probes, warm and cold 2D walks,
// and oracle lookups over a GUPS-sized VM. `make bench` runs them beside the end-to-end run.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "models/cache.h"
#include "models/machine.h"
#include "models/pwc.h"
#include "models/rng.h"
#include "models/tlb.h"
#include "models/walker.h"

namespace mmusim {
namespace {

constexpr Addr kBase = 0x100000000000ULL;

struct Vm {
  explicit Vm(uint64_t footprint, Virtualization v = Virtualization::kEpt) {
    MachineParams p;
    p.virt = v;
    machine = std::make_unique<Machine>(p);
    for (Addr a = kBase; a < kBase + footprint; a += kPageBytes) machine->populate(1, a);
    this->footprint = footprint;
  }
  std::unique_ptr<Machine> machine;
  uint64_t footprint;
};

Vm& gups_vm() {
  static Vm vm(Addr{1} << 30);
  return vm;
}

PwcParams dmt_pwc() {
  PwcParams p;
  p.entries[2] = 32; p.ways[2] = 4;
  p.entries[3] = 4;  p.ways[3] = 4;
  p.entries[4] = 2;  p.ways[4] = 1;
  return p;
}

void BM_StlbLookupHit(benchmark::State& state) {
  TlbParams tp;
  tp.arrays.push_back({"shared", {PageSize::k4K, PageSize::k2M}, 1536, 12});
  Tlb tlb(tp);
  for (Addr i = 0; i < 1536; ++i) tlb.insert(kBase + i * kPageBytes, i * kPageBytes,
                                             PageSize::k4K, Perms{}, Context{1, 1});
  Rng rng(1);
  TlbHit hit;
  for (auto _ : state) {
    benchmark::DoNotOptimize(tlb.lookup(kBase + rng.below(1536) * kPageBytes, Context{1, 1}, hit));
  }
}
BENCHMARK(BM_StlbLookupHit);

// A GUPS-like 2D walk over 1 GiB with the DMT paper's guest and host PWCs.
void BM_EptWalkWarmPwc(benchmark::State& state) {
  Vm& vm = gups_vm();
  Pwc gpwc("guest", dmt_pwc(), 4), hpwc("host", dmt_pwc(), 4);
  WalkDim dims[2];
  vm.machine->walk_dims(vm.machine->context(1), dims);
  dims[0].pwc = &gpwc;
  dims[1].pwc = &hpwc;
  DirectWalkMemory mem(vm.machine->mem(), 200);
  Walker w;
  WalkResult r;
  Rng rng(2);
  uint64_t refs = 0;
  for (auto _ : state) {
    w.walk(dims, 2, kBase + (rng.below(vm.footprint) & ~Addr{7}), AccessKind::kLoad, mem, r);
    refs += r.nrefs;
  }
  state.counters["refs_per_walk"] = benchmark::Counter(static_cast<double>(refs) /
                                                       static_cast<double>(state.iterations()));
}
BENCHMARK(BM_EptWalkWarmPwc);

void BM_EptWalkCold(benchmark::State& state) {
  Vm& vm = gups_vm();
  WalkDim dims[2];
  vm.machine->walk_dims(vm.machine->context(1), dims);
  DirectWalkMemory mem(vm.machine->mem(), 200);
  Walker w;
  WalkResult r;
  Rng rng(3);
  for (auto _ : state)
    w.walk(dims, 2, kBase + (rng.below(vm.footprint) & ~Addr{7}), AccessKind::kLoad, mem, r);
}
BENCHMARK(BM_EptWalkCold);

void BM_OracleExpect(benchmark::State& state) {
  Vm& vm = gups_vm();
  Rng rng(4);
  for (auto _ : state) {
    benchmark::DoNotOptimize(vm.machine->expect(vm.machine->context(1),
                                                kBase + (rng.below(vm.footprint) & ~Addr{7}),
                                                AccessKind::kLoad));
  }
}
BENCHMARK(BM_OracleExpect);

// Memory the machine needs per mapped page (tables, oracle), reported as counters.
// One access through the default hierarchy (L1D 32 KiB 8-way, L2 1 MiB 16-way, LLC 22 MiB
// 11-way) to random lines over 2^arg bytes: 2^14 hits the L1D, 2^34 misses every level.
void BM_MemHierarchyRandom(benchmark::State& state) {
  MemHierarchyParams p;
  p.level[0] = {32 << 10, 8, ReplPolicy::kLru, 4};
  p.level[1] = {1 << 20, 16, ReplPolicy::kLru, 14};
  p.level[2] = {22528 << 10, 11, ReplPolicy::kLru, 54};
  MemHierarchy h(p);
  // Lines scattered by a multiplicative hash of a counter: no line repeats before 2^(arg-6).
  const unsigned shift = 64 - static_cast<unsigned>(state.range(0) - 6);
  uint64_t i = 0;
  for (auto _ : state) {
    const Addr line = (++i * 0x9e3779b97f4a7c15ULL) >> shift;
    benchmark::DoNotOptimize(h.access(line << 6, false, MemLevel::kL1, MemHierarchy::kData));
  }
}
BENCHMARK(BM_MemHierarchyRandom)->Arg(14)->Arg(20)->Arg(34);

void BM_MachineFootprint(benchmark::State& state) {
  const uint64_t footprint = static_cast<uint64_t>(state.range(0)) << 20;
  for (auto _ : state) {
    Vm vm(footprint);
    state.counters["table_pages"] = static_cast<double>(vm.machine->mem().stored_pages());
    state.counters["table_bytes_per_page"] =
        static_cast<double>(vm.machine->mem().memory_bytes()) /
        static_cast<double>(footprint / kPageBytes);
  }
}
BENCHMARK(BM_MachineFootprint)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace mmusim

BENCHMARK_MAIN();
