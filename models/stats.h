// Stats are plain counters owned by each component; a component describes them to a visitor
// (name, value, unit, description) and printers (JSON, text) are visitors kept apart from models.
#pragma once

#include <cstdint>

namespace mmusim {

class StatsVisitor {
 public:
  virtual ~StatsVisitor() = default;
  virtual void begin(const char* group) = 0;
  virtual void end() = 0;
  virtual void counter(const char* name, uint64_t value, const char* unit, const char* desc) = 0;
  virtual void real(const char* name, double value, const char* unit, const char* desc) = 0;
};

// Ratio helper that stays finite when the denominator is zero.
inline double ratio(double num, double den) { return den == 0 ? 0.0 : num / den; }

}  // namespace mmusim
