// A design-space sweep file: a base config, overrides for every point, and axes of values whose
// product (or zip) gives the points; each point is the base config plus `--set` overrides.
//
//   base: ../default.yaml                   # relative to the sweep file or the working directory
//   set: {workload.count: 20000}             # every point
//   axes:
//     mmu.stlb.arrays.shared.entries: [768, 1536]     # a list
//     workload.churn_pages: {from: 256, to: 2048, mul: 2}   # a range: step or mul
//     scheme:                                # named cases, each a map of overrides
//       ept: {}
//       pvdmt: {system.dmt: pvdmt}
//   combine: product                         # or zip
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "testbench/config_reader.h"

namespace mmusim {

// One axis: a config key with a list or range of values, or named cases, each a set of overrides
// (a scheme such as pvdmt = {system.virtualization: ept, system.dmt: pvdmt}).
struct SweepAxis {
  std::string key;                  // the config key path; a cases axis's name
  std::vector<std::string> values;  // the values as YAML, as `--set` takes them; the case names
  std::vector<std::vector<std::string>> overrides;  // per value: its "key=value" assignments
  std::vector<std::vector<std::string>> where;      // per value: where each was written
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
