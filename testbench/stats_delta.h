// Warm-up by subtraction: the stats tree is recorded when the warm-up ends and subtracted from the
// final one, so counters cover the measured accesses only; a ratio whose description is
// "A / B" is recomputed from its group's subtracted counters A and B. What a stat declares state
// (StatsVisitor::state, begin_state, histograms) keeps its end-of-run value.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "models/stats.h"

namespace mmusim {

// Records every counter of a tree by its dotted path.
class StatsSnapshot : public StatsVisitor {
 public:
  void begin(const char* group) override { m_path.push_back(group); }
  void end() override { m_path.pop_back(); }
  void counter(const char* name, uint64_t value, const char* unit, const char* desc) override;
  void real(const char*, double, const char*, const char*) override {}
  bool taken() const { return m_taken; }
  void mark_taken() { m_taken = true; }
  // The recorded value, 0 when the counter did not exist then.
  uint64_t value(const std::string& path) const;

 private:
  std::vector<std::string> m_path;
  std::map<std::string, uint64_t> m_values;
  bool m_taken = false;
};

// Forwards a tree to `out` with the snapshot subtracted from every counter but the state: stats
// reported through state(), and everything below a group begun with begin_state(), keep their
// end-of-run values.
class StatsDelta : public StatsVisitor {
 public:
  StatsDelta(StatsVisitor& out, const StatsSnapshot& base) : m_out(out), m_base(base) {}
  void begin(const char* group) override;
  void begin_state(const char* group) override;
  void end() override;
  void counter(const char* name, uint64_t value, const char* unit, const char* desc) override;
  void state(const char* name, uint64_t value, const char* unit, const char* desc) override;
  // Throws std::logic_error for a real outside state that is not "A / B" of its group's counters.
  void real(const char* name, double value, const char* unit, const char* desc) override;
  void series(const char* name, const std::vector<uint64_t>& values, const char* unit,
              const char* desc) override {
    m_out.series(name, values, unit, desc);  // only distributions have series: state, as is
  }

 private:
  struct Group {
    bool state = false;                        // begun with begin_state, or inside such a group
    std::map<std::string, uint64_t> counters;  // as forwarded: subtracted unless state
  };
  std::string path_of(const char* name) const;
  bool in_state() const { return !m_group.empty() && m_group.back().state; }
  void push(const char* group, bool state);
  StatsVisitor& m_out;
  const StatsSnapshot& m_base;
  std::vector<std::string> m_path;
  std::vector<Group> m_group;  // per open group
};

}  // namespace mmusim
