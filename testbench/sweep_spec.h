// A design-space sweep file: a base config, overrides for every point, and axes of values whose
// product (or zip) gives the points; each point is the base config plus `--set` overrides.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "testbench/config_reader.h"

namespace mmusim {

struct SweepAxis {
  std::string key;                  // config key path, e.g. system.guest_page
  std::vector<std::string> values;  // each one line of YAML, as `--set` takes it
  std::vector<std::string> where;   // where each value was written (FILE:LINE:COL)
};

struct SweepPoint {
  size_t index = 0;
  std::vector<std::string> values;     // one per axis, in axis order
  std::vector<std::string> overrides;  // "key=value": the sweep's `set`, then one per axis
  std::vector<std::string> where;      // where each override was written (FILE:LINE:COL)
};

struct SweepSpec {
  enum class Combine { kProduct, kZip };

  std::string file;              // the sweep file as given
  std::string base;              // the base config, resolved (absolute)
  std::vector<std::string> set;  // "key=value" applied to every point
  std::vector<std::string> set_where;
  std::vector<SweepAxis> axes;
  Combine combine = Combine::kProduct;

  size_t size() const;
  // Point i: the first axis varies slowest under product, all axes step together under zip.
  SweepPoint point(size_t i) const;
};

// Reads a sweep file strictly (unknown keys, bad ranges, zip lengths: ConfigError naming
// FILE:LINE:COL and the key). The base path is tried relative to the sweep file, then to the
// working directory. Axis values are not checked against the config schema here.
SweepSpec load_sweep(const std::string& path);
SweepSpec read_sweep(ConfigDoc& doc, const std::string& file);

// At most this many points; larger sweeps are split by the user.
constexpr size_t kMaxSweepPoints = 100000;

}  // namespace mmusim
