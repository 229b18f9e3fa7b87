// One walk of a machine's context 1 with no caches in the way: what a cold TLB miss reads.
#pragma once

#include "models/machine.h"
#include "models/walker.h"

namespace mmusim {

// Every entry read takes `latency` cycles.
inline WalkResult cold_walk(Machine& m, Addr va, Cycles latency = 0,
                            AccessKind access = AccessKind::kLoad) {
  WalkDim dims[3];
  const unsigned n = m.walk_dims(m.context(1), dims);
  DirectWalkMemory mem(m.mem(), latency);
  Walker walker;
  WalkResult r;
  walker.walk(dims, n, va, access, mem, r);
  return r;
}

}  // namespace mmusim
