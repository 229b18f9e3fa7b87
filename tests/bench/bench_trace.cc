// Trace hot paths: converting records into a trace (the capture and import side) and streaming
// them back (the trace workload's side), in records per second.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "models/rng.h"
#include "models/trace_builder.h"
#include "models/trace_format.h"

namespace mmusim {
namespace {

// A program-like stream: sequential code with jumps, stack accesses near a moving top, heap
// accesses over 64 MiB with some locality.
std::vector<TraceRecord> program_like(size_t n) {
  std::vector<TraceRecord> out(n);
  Rng rng(3);
  uint64_t pc = 0x400000, sp = 0x7ffc00010000, heap = 0x10000000;
  for (TraceRecord& r : out) {
    switch (rng.below(8)) {
      case 0:
      case 1:
      case 2:
      case 3:
        pc = rng.below(16) ? pc + 4 : 0x400000 + rng.below(1 << 20);
        r = {pc, 4, 0, TraceKind::kFetch};
        break;
      case 4:
      case 5:
        sp += rng.below(64) - 32;
        r = {sp & ~uint64_t{7}, 8, 0, rng.below(2) ? TraceKind::kLoad : TraceKind::kStore};
        break;
      default:
        heap = rng.below(8) ? heap + 8 : 0x10000000 + rng.below(64 << 20);
        r = {heap, 8, 0, rng.below(4) ? TraceKind::kLoad : TraceKind::kStore};
        break;
    }
  }
  return out;
}

std::string bench_path(const char* name) {
  return "/tmp/mmusim-bench-" + std::to_string(getpid()) + "-" + name;
}

void BM_TraceBuild(benchmark::State& state) {
  const auto recs = program_like(1 << 22);
  const std::string path = bench_path("build.mtr");
  for (auto _ : state) {
    TraceBuilder b(path, TraceWindow{}, 1);
    for (const TraceRecord& r : recs) b.add(r);
    b.finish(TraceHeader{}, {});
  }
  std::remove(path.c_str());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * recs.size()));
}
BENCHMARK(BM_TraceBuild)->Unit(benchmark::kMillisecond);

void BM_TraceRead(benchmark::State& state) {
  const std::string path = bench_path("read.mtr");
  const auto recs = program_like(1 << 22);
  {
    TraceBuilder b(path, TraceWindow{}, 1);
    for (int rep = 0; rep < 4; ++rep)
      for (const TraceRecord& r : recs) b.add(r);
    b.finish(TraceHeader{}, {});
  }
  uint64_t sum = 0, n = 0;
  for (auto _ : state) {
    TraceReader reader(path);
    TraceRecord r;
    while (reader.next(r)) sum += r.addr;
    n += reader.position();
  }
  benchmark::DoNotOptimize(sum);
  std::remove(path.c_str());
  state.SetItemsProcessed(static_cast<int64_t>(n));
}
BENCHMARK(BM_TraceRead)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mmusim
