#include "models/replacement.h"

namespace mmusim {

bool parse_repl_policy(const std::string& text, ReplPolicy& out) {
  if (text == "lru")
    out = ReplPolicy::kLru;
  else if (text == "fifo")
    out = ReplPolicy::kFifo;
  else if (text == "random")
    out = ReplPolicy::kRandom;
  else
    return false;
  return true;
}

const char* repl_policy_name(ReplPolicy p) {
  switch (p) {
    case ReplPolicy::kLru:
      return "lru";
    case ReplPolicy::kFifo:
      return "fifo";
    case ReplPolicy::kRandom:
      return "random";
  }
  return "?";
}

}  // namespace mmusim
