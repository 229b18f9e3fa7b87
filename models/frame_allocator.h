// Deterministic, seedable allocator of physical frames (4K, 2M, 1G) in one physical space, handing
// out frames in address order or scattered across the space.
#pragma once

#include <string>
#include <vector>

#include "models/flat_map.h"
#include "models/rng.h"
#include "models/stats.h"
#include "models/types.h"

namespace mmusim {

struct FrameAllocatorParams {
  Addr base = 0;                  // first byte of the space (1 GiB aligned)
  Addr bytes = Addr{64} << 30;    // size of the space (multiple of 1 GiB)
  bool scatter = false;           // false: lowest free frames first; true: random free frames
  uint64_t seed = 1;
};

class FrameAllocator {
 public:
  FrameAllocator(std::string name, const FrameAllocatorParams& params);

  // Allocates a naturally aligned frame of `size`; false when the space has no such frame left.
  bool alloc(PageSize size, Addr& frame);
  // Allocates `pages` physically contiguous 4K frames (whole 2M chunks, the rest unused), for a
  // DMT translation entry area; false when no such run is free. The area is freed chunk by chunk
  // as 2M frames; those serve later 2M allocations, and 4K ones once no fresh chunk is left, but
  // never another contiguous run.
  bool alloc_contiguous(uint64_t pages, Addr& first);
  // Frees what alloc_contiguous(pages) gave at `first`, chunk by chunk.
  void free_contiguous(Addr first, uint64_t pages) {
    for (uint64_t c = 0; c * kEntriesPerTable < pages; ++c)
      free(first + c * page_bytes(PageSize::k2M), PageSize::k2M);
  }
  void free(Addr frame, PageSize size);

  const std::string& name() const { return m_name; }
  Addr bytes() const { return m_params.bytes; }
  uint64_t allocated_bytes() const { return m_allocated; }
  uint64_t frames(PageSize s) const { return m_live[static_cast<unsigned>(s)]; }
  void report(StatsVisitor& v) const;

 private:
  static constexpr uint64_t kChunkFrames = 512;        // 4K frames per 2M chunk
  static constexpr uint64_t kChunksPerRegion = 512;    // 2M chunks per 1G region
  static constexpr unsigned kOpenChunks = 16;          // chunks carved for 4K frames at once (scatter)

  bool fresh_chunk(uint64_t& chunk);
  bool fresh_region(uint64_t& region);
  bool chunk_free(uint64_t chunk) const;
  void take_chunk(uint64_t chunk);
  Addr chunk_addr(uint64_t chunk) const { return m_params.base + (chunk << 21); }

  std::string m_name;
  FrameAllocatorParams m_params;
  Rng m_rng;
  uint64_t m_chunks;            // 2M chunks in the space
  uint64_t m_regions;           // 1G regions in the space
  // Sequential mode: chunks are taken upward from the bottom, 1G regions downward from the top.
  uint64_t m_next_chunk = 0;
  uint64_t m_top_region;
  // Scatter mode: which chunks are taken, and how many per 1G region.
  FlatMap<uint8_t> m_used_chunks;
  FlatMap<uint32_t> m_region_use;
  FlatMap<uint8_t> m_used_regions;
  // Chunks being carved into 4K frames: chunk number and next free frame in it.
  std::vector<std::pair<uint64_t, uint32_t>> m_open;
  std::vector<Addr> m_free4k, m_free2m, m_free1g;
  uint64_t m_allocated = 0;
  uint64_t m_live[kNumPageSizes] = {};
  uint64_t m_failures = 0;
};

}  // namespace mmusim
