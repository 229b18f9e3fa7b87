// Readers of the config's hardware sections, mmu and memory; sim_config.cpp reads the others.
#pragma once

#include <cstdint>

#include "testbench/sim_config.h"

namespace mmusim {

// mmu: TLBs, the page walker and the DMT unit; their replacement seeds derive from seed.
void read_mmu(ConfigNode root, SimConfig& cfg, uint64_t seed);

// memory: caches, the L1D's miss registers and DRAM.
MemoryParams read_memory(ConfigNode root);

}  // namespace mmusim
