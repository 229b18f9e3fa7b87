// Replacement policies shared by the set-associative structures (TLBs, paging-structure caches).
#pragma once

#include <cstdint>
#include <string>

namespace mmusim {

enum class ReplPolicy : uint8_t { kLru, kFifo, kRandom };

// Accepts "lru", "fifo" or "random"; leaves `out` untouched and returns false otherwise.
bool parse_repl_policy(const std::string& text, ReplPolicy& out);
const char* repl_policy_name(ReplPolicy p);

}  // namespace mmusim
