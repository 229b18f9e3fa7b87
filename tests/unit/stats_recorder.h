// Test helper: records every counter and real a component reports, by name and in order.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "models/stats.h"

namespace mmusim {

class StatsRecorder : public StatsVisitor {
 public:
  void begin(const char*) override {}
  void end() override {}
  void counter(const char* name, uint64_t value, const char*, const char*) override {
    counters[name] = value;
    order.push_back(name);
  }
  void real(const char* name, double value, const char*, const char*) override {
    reals[name] = value;
    order.push_back(name);
  }
  std::map<std::string, uint64_t> counters;
  std::map<std::string, double> reals;
  std::vector<std::string> order;
};

}  // namespace mmusim
