// The one place that builds a translation scheme from the configuration, and that asks each
// scheme whether it accepts the features configured with it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/scheme.h"

namespace mmusim {

// A configuration a scheme refuses: the system key at fault and why.
struct SchemeConfigError {
  std::string key;
  std::string message;
};

// The values system.virtualization and system.nested_walk take, and the scheme parameters they
// select (unknown names leave `params` as it is: the config reader checked them).
std::vector<std::string> virtualization_names();
std::vector<std::string> nested_walk_names();
void select_by_names(const std::string& virt, const std::string& walk, MachineParams& params);

// A registered scheme: its name, the configuration that selects it (as `--set` assignments), what
// it is, and the features it accepts.
struct SchemeInfo {
  const char* name;
  const char* config;
  const char* summary;
  Virtualization virt;
  NestedWalk walk;
  SchemeFeatures features;
  // Selects this scheme in `params` (features and the rest left as they are).
  void select(MachineParams& params) const {
    params.virt = virt;
    params.nested_walk = walk;
  }
};
// Every scheme, in registration order.
std::vector<SchemeInfo> registered_schemes();

// The scheme `params` name, over `mem`, with `teas` for its DMT TEAs. Throws
// std::invalid_argument for what the scheme does not model (check_scheme's error, its key
// named), std::runtime_error when memory is too small for its tables.
std::unique_ptr<Scheme> make_scheme(const MachineParams& params, PhysMem& mem,
                                    TeaAllocator& teas);
// The features of the scheme `params` name.
SchemeFeatures scheme_features(const MachineParams& params);
// Whether the scheme `params` name accepts its features (HugeGPT, DMT modes); false with the
// error when not.
bool check_scheme(const MachineParams& params, SchemeConfigError& error);

}  // namespace mmusim
