// Warm-up by subtraction: the stats tree is recorded when the warm-up ends and subtracted from the
// final one, so counters cover the measured accesses only; a ratio whose description is
// "A / B" is recomputed from its group's subtracted counters A and B.
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

// Forwards a tree to `out` with the snapshot subtracted from every counter but the state ones:
// paths listed in `state` (or below them) keep their end-of-run values.
class StatsDelta : public StatsVisitor {
 public:
  StatsDelta(StatsVisitor& out, const StatsSnapshot& base, std::vector<std::string> state)
      : m_out(out), m_base(base), m_state(std::move(state)) {}
  void begin(const char* group) override;
  void end() override;
  void counter(const char* name, uint64_t value, const char* unit, const char* desc) override;
  // Throws std::logic_error for a real that is not "A / B" of its group's counters.
  void real(const char* name, double value, const char* unit, const char* desc) override;
  void series(const char* name, const std::vector<uint64_t>& values, const char* unit,
              const char* desc) override {
    m_out.series(name, values, unit, desc);  // only distributions have series: state, as is
  }

 private:
  std::string path_of(const char* name) const;
  bool is_state(const std::string& path) const;
  StatsVisitor& m_out;
  const StatsSnapshot& m_base;
  std::vector<std::string> m_state;
  std::vector<std::string> m_path;
  std::vector<std::map<std::string, uint64_t>> m_group;  // subtracted counters per open group
};

}  // namespace mmusim
