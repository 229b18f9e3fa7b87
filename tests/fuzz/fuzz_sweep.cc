// Fuzz harness: the sweep-file reader, as `mmusim sweep FILE` reads it. The input is the sweep
// file, read as if it were <scratch>/sweep.yaml beside a base config base.yaml; then a few of its
// points are expanded and read as configs (the base config plus the point's overrides), as the
// sweep command checks them before it runs anything. ConfigError is the documented answer to
// bad input; anything else is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <fstream>
#include <string>

#include "testbench/sim_config.h"
#include "testbench/sweep_spec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

constexpr size_t kPointsRead = 4;  // points read as configs: the first ones and the last

const std::string& sweep_path() {
  static const std::string path = [] {
    const auto dir = mmusim::fuzz::scratch_dir();
    std::ofstream(dir / "base.yaml") << "workload: {count: 1000}\n";
    return (dir / "sweep.yaml").string();
  }();
  return path;
}

void check_point(const mmusim::SweepSpec& spec, size_t k) {
  const mmusim::SweepPoint p = spec.point(k);
  if (p.overrides.size() != p.where.size() || p.values.size() != spec.axes.size())
    mmusim::fuzz::finding("point " + std::to_string(k) + " is inconsistent");
  mmusim::ConfigDoc doc = mmusim::ConfigDoc::from_string("workload: {count: 1000}\n", spec.base);
  try {
    for (const std::string& o : p.overrides) doc.set(o);
    mmusim::read_sim_config(doc);
  } catch (const mmusim::ConfigError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  mmusim::SweepSpec spec;
  try {
    mmusim::ConfigDoc doc = mmusim::ConfigDoc::from_string(text, sweep_path());
    spec = mmusim::read_sweep(doc, sweep_path());
  } catch (const mmusim::ConfigError&) {
    return 0;
  } catch (const std::exception& e) {
    mmusim::fuzz::unexpected(e);
  }
  const size_t n = spec.size();
  if (n == 0 || n > mmusim::kMaxSweepPoints)
    mmusim::fuzz::finding("a sweep of " + std::to_string(n) + " points was accepted");
  try {
    for (size_t k = 0; k < std::min(n, kPointsRead - 1); ++k) check_point(spec, k);
    check_point(spec, n - 1);
  } catch (const std::exception& e) {
    mmusim::fuzz::unexpected(e);
  }
  return 0;
}
