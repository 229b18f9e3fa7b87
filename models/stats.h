// Stats are plain counters owned by each component; a component describes them to a visitor
// (name, value, unit, description) and printers (JSON, text) are visitors kept apart from models.
// A stat is either a count of events since the start, or state: configuration, a current value or
// a distribution, which a warm-up does not subtract (testbench/stats_delta.h).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/histogram.h"

namespace mmusim {

class StatsVisitor {
 public:
  virtual ~StatsVisitor() = default;
  virtual void begin(const char* group) = 0;
  // A group that is state as a whole, every stat below it included; printers see a plain group.
  virtual void begin_state(const char* group) { begin(group); }
  virtual void end() = 0;
  virtual void counter(const char* name, uint64_t value, const char* unit, const char* desc) = 0;
  // A value that is state, not a count: printers see a counter.
  virtual void state(const char* name, uint64_t value, const char* unit, const char* desc) {
    counter(name, value, unit, desc);
  }
  virtual void real(const char* name, double value, const char* unit, const char* desc) = 0;
  // A list of values (histogram buckets); printers without lists skip it.
  virtual void series(const char* name, const std::vector<uint64_t>& values, const char* unit,
                      const char* desc) {}

  // A latency distribution: count, mean, p50/p90/p99/max, and its non-empty buckets as two
  // series, bucket_cycles (each bucket's inclusive upper bound) and count. State as a whole.
  void histogram(const char* name, const LatencyHistogram& h, const char* desc) {
    begin_state(name);
    counter("count", h.count(), "count", desc);
    real("mean", h.mean(), "cycles", "average");
    counter("p50", h.percentile(0.50), "cycles", "median (bucket bound, under 6.25% above)");
    counter("p90", h.percentile(0.90), "cycles", "90th percentile (bucket bound)");
    counter("p99", h.percentile(0.99), "cycles", "99th percentile (bucket bound)");
    counter("max", h.max(), "cycles", "largest sample (exact)");
    std::vector<uint64_t> bounds, counts;
    for (const auto& [bound, count] : h.buckets()) {
      bounds.push_back(bound);
      counts.push_back(count);
    }
    series("bucket_cycles", bounds, "cycles", "inclusive upper bound of each non-empty bucket");
    series("bucket_count", counts, "count", "samples in each bucket");
    end();
  }
  // Labelled counts, in the given order: a distribution (a top-N ranking), state as a whole.
  void labelled(const char* name, const std::vector<std::pair<std::string, uint64_t>>& rows,
                const char* unit, const char* desc) {
    begin_state(name);
    for (const auto& [label, count] : rows) counter(label.c_str(), count, unit, desc);
    end();
  }
};

// Ratio helper that stays finite when the denominator is zero.
inline double ratio(double num, double den) { return den == 0 ? 0.0 : num / den; }

}  // namespace mmusim
