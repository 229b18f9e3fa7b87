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

bool StatsDelta::is_state(const std::string& path) const {
  for (const std::string& s : m_state)
    if (path == s || path.compare(0, s.size() + 1, s + ".") == 0) return true;
  return false;
}

void StatsDelta::begin(const char* group) {
  m_path.push_back(group);
  m_group.emplace_back();
  m_out.begin(group);
}

void StatsDelta::end() {
  m_path.pop_back();
  m_group.pop_back();
  m_out.end();
}

void StatsDelta::counter(const char* name, uint64_t value, const char* unit, const char* desc) {
  const std::string path = path_of(name);
  const uint64_t v = is_state(path) ? value : value - m_base.value(path);
  if (!m_group.empty()) m_group.back()[name] = v;
  m_out.counter(name, v, unit, desc);
}

void StatsDelta::real(const char* name, double value, const char* unit, const char* desc) {
  const std::string path = path_of(name);
  if (is_state(path)) {
    m_out.real(name, value, unit, desc);
    return;
  }
  const std::string d = desc;
  const size_t slash = d.find(" / ");
  if (slash != std::string::npos && !m_group.empty()) {
    const auto& g = m_group.back();
    auto num = g.find(d.substr(0, slash));
    auto den = g.find(d.substr(slash + 3));
    if (num != g.end() && den != g.end()) {
      m_out.real(name, ratio(static_cast<double>(num->second), static_cast<double>(den->second)),
                 unit, desc);
      return;
    }
  }
  throw std::logic_error("warm-up: stat " + path +
                         " is not 'A / B' of its group's counters, so it cannot be measured "
                         "after the warm-up");
}

}  // namespace mmusim
