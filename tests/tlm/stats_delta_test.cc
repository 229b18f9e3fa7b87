// Warm-up subtraction: counters lose their value at the snapshot, state (state(), groups begun with
// begin_state(), histograms and labelled rows) keeps its end-of-run value, "A / B" ratios are
// recomputed; printers show state as plain counters and groups. No SystemC kernel is needed.
#include "testbench/stats_delta.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "testbench/stats_writer.h"

namespace mmusim {
namespace {

// A tree whose every value is scaled by k (k = 1: the snapshot, k = 3: the end of the run).
void report(StatsVisitor& v, uint64_t k) {
  v.begin("mmu");
  v.counter("hits", 4 * k, "count", "hits");
  v.counter("lookups", 8 * k, "count", "lookups");
  v.real("hit_rate", 0.5, "ratio", "hits / lookups");
  v.state("entries", 64 * k, "count", "entries");
  LatencyHistogram h;
  for (uint64_t i = 0; i < k; ++i) h.add(10);
  v.histogram("latency", h, "lookups");
  v.labelled("top", {{"a", 5 * k}}, "count", "rows");
  v.end();
  v.begin_state("machine");
  v.counter("pages", 100 * k, "pages", "pages");
  v.begin("nested");
  v.counter("tables", 7 * k, "pages", "tables");
  v.real("ratio", 0.25 * k, "ratio", "not a quotient");
  v.end();
  v.end();
}

std::string json_of(const std::function<void(StatsVisitor&)>& tree) {
  JsonStatsWriter json;
  tree(json);
  return json.finish();
}

TEST(StatsDelta, SubtractsCountersAndKeepsState) {
  StatsSnapshot warm;
  report(warm, 1);
  warm.mark_taken();
  JsonStatsWriter json;
  StatsDelta delta(json, warm);
  report(delta, 3);
  const std::string out = json.finish();
  const std::string expected = json_of([](StatsVisitor& v) {
    v.begin("mmu");
    v.counter("hits", 8, "count", "hits");
    v.counter("lookups", 16, "count", "lookups");
    v.real("hit_rate", 0.5, "ratio", "hits / lookups");
    v.counter("entries", 192, "count", "entries");
    LatencyHistogram h;
    for (int i = 0; i < 3; ++i) h.add(10);
    v.histogram("latency", h, "lookups");
    v.labelled("top", {{"a", 15}}, "count", "rows");
    v.end();
    v.begin("machine");
    v.counter("pages", 300, "pages", "pages");
    v.begin("nested");
    v.counter("tables", 21, "pages", "tables");
    v.real("ratio", 0.75, "ratio", "not a quotient");
    v.end();
    v.end();
  });
  EXPECT_EQ(out, expected);
}

TEST(StatsDelta, PrintersShowStateAsCounters) {
  auto as_state = [](StatsVisitor& v) {
    v.begin_state("g");
    v.state("x", 5, "count", "x");
    v.end();
  };
  auto as_counter = [](StatsVisitor& v) {
    v.begin("g");
    v.counter("x", 5, "count", "x");
    v.end();
  };
  EXPECT_EQ(json_of(as_state), json_of(as_counter));
  TextStatsWriter a, b;
  as_state(a);
  as_counter(b);
  EXPECT_EQ(a.text(), b.text());
}

TEST(StatsDelta, RealOutsideStateMustBeAQuotient) {
  StatsSnapshot warm;
  warm.mark_taken();
  JsonStatsWriter json;
  StatsDelta delta(json, warm);
  delta.begin("g");
  EXPECT_THROW(delta.real("r", 1.0, "ratio", "not a quotient"), std::logic_error);
}

}  // namespace
}  // namespace mmusim
