// Stats printers: a JSON tree (one key per line, stable order) and a flat text listing with units
// and descriptions. Both are visitors; models only describe their counters.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "models/stats.h"

namespace mmusim {

class JsonStatsWriter : public StatsVisitor {
 public:
  JsonStatsWriter();
  void begin(const char* group) override;
  void end() override;
  void counter(const char* name, uint64_t value, const char* unit, const char* desc) override;
  void real(const char* name, double value, const char* unit, const char* desc) override;
  void series(const char* name, const std::vector<uint64_t>& values, const char* unit,
              const char* desc) override;
  // Closes the document and returns it.
  std::string finish();

 private:
  void key(const char* name);
  std::ostringstream m_out;
  std::vector<bool> m_first;  // per open object: no member written yet
};

class TextStatsWriter : public StatsVisitor {
 public:
  void begin(const char* group) override { m_path.push_back(group); }
  void end() override { m_path.pop_back(); }
  void counter(const char* name, uint64_t value, const char* unit, const char* desc) override;
  void real(const char* name, double value, const char* unit, const char* desc) override;
  std::string text() const { return m_out.str(); }

 private:
  void line(const char* name, const std::string& value, const char* unit, const char* desc);
  std::vector<std::string> m_path;
  std::ostringstream m_out;
};

// Formats a real the same way everywhere (deterministic, round-trippable enough for stats).
std::string format_real(double v);

}  // namespace mmusim
