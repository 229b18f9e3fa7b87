#include "testbench/sweep_output.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "testbench/simulation.h"
#include "testbench/stats_writer.h"

namespace mmusim {

namespace {

namespace fs = std::filesystem;

// A results column: a stats.json value, or the ratio of two.
struct Metric {
  const char* name;
  const char* path;
  const char* denominator;  // null: the value itself
};

const std::vector<Metric>& metrics() {
  static const std::vector<Metric> m = {
      {"accesses", "summary.accesses", nullptr},
      {"translations", "summary.translations", nullptr},
      {"faults", "summary.faults", nullptr},
      {"walks", "summary.walks", nullptr},
      {"walk_refs", "summary.walk_refs", nullptr},
      {"refs_per_walk", "summary.refs_per_walk", nullptr},
      {"serial_refs_per_walk", "summary.serial_refs_per_walk", nullptr},
      {"walk_cycles_avg", "summary.walk_cycles_avg", nullptr},
      {"walk_pending_avg", "summary.walk_pending_avg", nullptr},
      {"translation_cycles_avg", "summary.translation_cycles_avg", nullptr},
      {"dtlb_miss_rate", "mmu.dtlb.misses", "mmu.dtlb.lookups"},
      {"stlb_miss_rate", "mmu.stlb.misses", "mmu.stlb.lookups"},
      {"pwc_guest_hit_rate", "mmu.walker.pwc.guest.hits", "mmu.walker.pwc.guest.lookups"},
      {"pwc_host_hit_rate", "mmu.walker.pwc.host.hits", "mmu.walker.pwc.host.lookups"},
      {"vm_exits", "summary.vm_exits", nullptr},
      {"software_cycles", "core.software_cycles", nullptr},
      {"total_cycles", "summary.total_cycles", nullptr},
      {"cycles", "summary.cycles", nullptr},
      // Several cores (blank for one).
      {"shootdowns", "summary.shootdowns", nullptr},
      {"shootdown_ipis", "summary.shootdown_ipis", nullptr},
      {"shootdown_cycles_avg", "summary.shootdown_cycles_avg", nullptr},
      {"oracle_mismatches", "summary.oracle_mismatches", nullptr},
  };
  return m;
}

// The scalar at a dotted path, or null when absent.
const char* lookup(const YAML::Node& root, const char* path, std::string& text) {
  YAML::Node cur(root);
  std::istringstream keys(path);
  std::string key;
  while (std::getline(keys, key, '.')) {
    if (!cur.IsMap()) return nullptr;
    YAML::Node next = cur[key];
    if (!next.IsDefined()) return nullptr;
    cur.reset(next);
  }
  if (!cur.IsScalar()) return nullptr;
  text = cur.Scalar();
  return text.c_str();
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos &&
      (s.empty() || (s.front() != ' ' && s.back() != ' ')))
    return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path point_dir(const fs::path& out, size_t index) {
  char name[32];
  std::snprintf(name, sizeof name, "%04zu", index);
  return out / "points" / name;
}

PointState point_state(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return PointState::kAbsent;
  if (fs::exists(dir / "done", ec) && fs::exists(dir / "stats.json", ec)) return PointState::kDone;
  if (fs::exists(dir / "failed", ec)) return PointState::kFailed;
  return PointState::kPartial;
}

std::string point_identity(const SweepSpec& spec, const SweepPoint& p) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "point" << YAML::Value << p.index;
  out << YAML::Key << "base" << YAML::Value << spec.base;
  out << YAML::Key << "overrides" << YAML::Value << YAML::BeginSeq;
  for (const std::string& o : p.overrides) out << o;
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string read_failure(const fs::path& dir) {
  std::string s = read_file(dir / "failed");
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string read_error(const fs::path& dir) {
  constexpr size_t kMax = 400;
  std::istringstream in(read_file(dir / "stderr.txt"));
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    out += (out.empty() ? "" : " | ") + line;
  }
  if (out.size() > kMax) out = out.substr(0, kMax) + "...";
  return out;
}

const std::vector<std::string>& result_metrics() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Metric& m : metrics()) n.push_back(m.name);
    return n;
  }();
  return names;
}

std::vector<std::string> read_metrics(const fs::path& dir) {
  std::vector<std::string> cells(metrics().size());
  YAML::Node stats;
  try {
    stats = YAML::LoadFile((dir / "stats.json").string());
  } catch (const YAML::Exception&) {
    return cells;  // no stats (a failed run): empty cells
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    const Metric& m = metrics()[i];
    std::string num, den;
    if (!lookup(stats, m.path, num)) continue;
    if (!m.denominator) {
      cells[i] = num;
    } else if (lookup(stats, m.denominator, den)) {
      const double d = std::strtod(den.c_str(), nullptr);
      if (d > 0) cells[i] = format_real(std::strtod(num.c_str(), nullptr) / d);
    }
  }
  return cells;
}

ResultCounts write_results(const fs::path& out, const SweepSpec& spec) {
  std::ostringstream csv;
  csv << "point";
  for (const SweepAxis& a : spec.axes) csv << ',' << csv_cell(a.key);
  csv << ",status,exit";
  for (const std::string& m : result_metrics()) csv << ',' << m;
  csv << ",error\n";
  ResultCounts counts;
  for (size_t i = 0; i < spec.size(); ++i) {
    const SweepPoint p = spec.point(i);
    const fs::path dir = point_dir(out, i);
    const PointState state = point_state(dir);
    csv << i;
    for (const std::string& v : p.values) csv << ',' << csv_cell(v);
    std::string status = "missing", exit, error;
    if (state == PointState::kDone) {
      status = "ok";
      exit = "0";
      ++counts.ok;
    } else if (state == PointState::kFailed) {
      status = "failed";
      exit = read_failure(dir);
      if (exit.rfind("exit ", 0) == 0) exit = exit.substr(5);
      error = read_error(dir);
      ++counts.failed;
    } else {
      ++counts.missing;
    }
    csv << ',' << status << ',' << csv_cell(exit);
    const std::vector<std::string> cells =
        status == "missing" ? std::vector<std::string>(result_metrics().size()) : read_metrics(dir);
    for (const std::string& c : cells) csv << ',' << csv_cell(c);
    csv << ',' << csv_cell(error) << '\n';
  }
  write_file_atomically(out / "results.csv", csv.str());
  return counts;
}

}  // namespace mmusim
