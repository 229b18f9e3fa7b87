// A hint to the host CPU: start loading the cache line at p. No effect on results.
//
// The empty volatile asm naming p keeps the hint: GCC treats __builtin_prefetch as free of side
// effects and deletes loops (and calls inlined into them) whose only effect is prefetching.
#pragma once

namespace mmusim {

inline void host_prefetch(const void* p) {
  __builtin_prefetch(p);
  asm volatile("" : : "r"(p));
}

}  // namespace mmusim
