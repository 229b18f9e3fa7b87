// The one place that builds a translation scheme from the configuration, and that asks each
// scheme whether it accepts the features configured with it.
#pragma once

#include <memory>
#include <string>

#include "models/scheme.h"

namespace mmusim {

// A configuration a scheme refuses: the system key at fault and why.
struct SchemeConfigError {
  std::string key;
  std::string message;
};

// The scheme `params` name, over `mem`, with `teas` for its DMT TEAs. Throws std::runtime_error
// when memory is too small for its tables.
std::unique_ptr<Scheme> make_scheme(const MachineParams& params, PhysMem& mem,
                                    TeaAllocator& teas);
// Whether the scheme `params` name accepts its features (HugeGPT, DMT modes); false with the
// error when not.
bool check_scheme(const MachineParams& params, SchemeConfigError& error);

}  // namespace mmusim
