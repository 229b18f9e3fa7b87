#include "testbench/stats_delta.h"

#include <stdexcept>

namespace mmusim {

namespace {
std::string join_path(const std::vector<std::string>& path, const char* name) {
  std::string out;
  for (const std::string& p : path) out += p + ".";
  return out + name;
}
}  // namespace

void StatsSnapshot::counter(const char* name, uint64_t value, const char*, const char*) {
  m_values[join_path(m_path, name)] = value;
}

uint64_t StatsSnapshot::value(const std::string& path) const {
  auto it = m_values.find(path);
  return it == m_values.end() ? 0 : it->second;
}

std::string StatsDelta::path_of(const char* name) const { return join_path(m_path, name); }

void StatsDelta::push(const char* group, bool state) {
  m_path.push_back(group);
  m_group.push_back({state || in_state(), {}});
}

void StatsDelta::begin(const char* group) {
  push(group, false);
  m_out.begin(group);
}

void StatsDelta::begin_state(const char* group) {
  push(group, true);
  m_out.begin_state(group);
}

void StatsDelta::end() {
  m_path.pop_back();
  m_group.pop_back();
  m_out.end();
}

void StatsDelta::counter(const char* name, uint64_t value, const char* unit, const char* desc) {
  const uint64_t v = in_state() ? value : value - m_base.value(path_of(name));
  if (!m_group.empty()) m_group.back().counters[name] = v;
  m_out.counter(name, v, unit, desc);
}

void StatsDelta::state(const char* name, uint64_t value, const char* unit, const char* desc) {
  if (!m_group.empty()) m_group.back().counters[name] = value;
  m_out.state(name, value, unit, desc);
}

void StatsDelta::real(const char* name, double value, const char* unit, const char* desc) {
  if (in_state()) {
    m_out.real(name, value, unit, desc);
    return;
  }
  const std::string d = desc;
  const size_t slash = d.find(" / ");
  if (slash != std::string::npos && !m_group.empty()) {
    const auto& g = m_group.back().counters;
    auto num = g.find(d.substr(0, slash));
    auto den = g.find(d.substr(slash + 3));
    if (num != g.end() && den != g.end()) {
      m_out.real(name, ratio(static_cast<double>(num->second), static_cast<double>(den->second)),
                 unit, desc);
      return;
    }
  }
  throw std::logic_error("warm-up: stat " + path_of(name) +
                         " is not 'A / B' of its group's counters, so it cannot be measured "
                         "after the warm-up");
}

}  // namespace mmusim
