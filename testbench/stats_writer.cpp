#include "testbench/stats_writer.h"

#include <cmath>
#include <cstdio>
#include <iomanip>

namespace mmusim {

std::string format_real(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

JsonStatsWriter::JsonStatsWriter() {
  m_out << "{";
  m_first.push_back(true);
}

void JsonStatsWriter::key(const char* name) {
  m_out << (m_first.back() ? "\n" : ",\n");
  m_first.back() = false;
  m_out << std::string(2 * m_first.size(), ' ') << '"' << name << "\": ";
}

void JsonStatsWriter::begin(const char* group) {
  key(group);
  m_out << "{";
  m_first.push_back(true);
}

void JsonStatsWriter::end() {
  const bool empty = m_first.back();
  m_first.pop_back();
  if (!empty) m_out << "\n" << std::string(2 * m_first.size(), ' ');
  m_out << "}";
}

void JsonStatsWriter::counter(const char* name, uint64_t value, const char*, const char*) {
  key(name);
  m_out << value;
}

void JsonStatsWriter::real(const char* name, double value, const char*, const char*) {
  key(name);
  m_out << format_real(value);
}

void JsonStatsWriter::series(const char* name, const std::vector<uint64_t>& values, const char*,
                             const char*) {
  key(name);
  m_out << "[";
  for (size_t i = 0; i < values.size(); ++i) m_out << (i ? ", " : "") << values[i];
  m_out << "]";
}

std::string JsonStatsWriter::finish() {
  while (m_first.size() > 1) end();
  m_out << "\n}\n";
  return m_out.str();
}

void TextStatsWriter::line(const char* name, const std::string& value, const char* unit,
                           const char* desc) {
  std::string path;
  for (const auto& p : m_path) path += p + ".";
  path += name;
  m_out << std::left << std::setw(48) << path << ' ' << std::right << std::setw(16) << value
        << ' ' << std::left << std::setw(8) << unit << " # " << desc << '\n';
}

void TextStatsWriter::counter(const char* name, uint64_t value, const char* unit,
                              const char* desc) {
  line(name, std::to_string(value), unit, desc);
}

void TextStatsWriter::real(const char* name, double value, const char* unit, const char* desc) {
  line(name, format_real(value), unit, desc);
}

}  // namespace mmusim
