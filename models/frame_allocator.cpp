#include "models/frame_allocator.h"

#include <stdexcept>

namespace mmusim {

FrameAllocator::FrameAllocator(std::string name, const FrameAllocatorParams& params)
    : m_name(std::move(name)), m_params(params), m_rng(params.seed) {
  if ((params.base & page_mask(PageSize::k1G)) || (params.bytes & page_mask(PageSize::k1G)) ||
      params.bytes == 0)
    throw std::invalid_argument(m_name + ": physical space must be a non-zero multiple of 1 GiB");
  m_chunks = params.bytes >> 21;
  m_regions = params.bytes >> 30;
  m_top_region = m_regions;
}

bool FrameAllocator::chunk_free(uint64_t chunk) const {
  if (m_used_chunks.contains(chunk)) return false;
  return !m_used_regions.contains(chunk / kChunksPerRegion);
}

void FrameAllocator::take_chunk(uint64_t chunk) {
  m_used_chunks.insert(chunk, 1);
  const uint64_t region = chunk / kChunksPerRegion;
  const uint32_t* n = m_region_use.find(region);
  m_region_use.insert(region, n ? *n + 1 : 1);
}

bool FrameAllocator::fresh_chunk(uint64_t& chunk) {
  if (!m_params.scatter) {
    if (m_next_chunk >= m_top_region * kChunksPerRegion) return false;
    chunk = m_next_chunk++;
    return true;
  }
  // Random probes first; a nearly full space falls back to a scan from a random start.
  for (int tries = 0; tries < 64; ++tries) {
    const uint64_t c = m_rng.below(m_chunks);
    if (chunk_free(c)) {
      take_chunk(c);
      chunk = c;
      return true;
    }
  }
  const uint64_t start = m_rng.below(m_chunks);
  for (uint64_t i = 0; i < m_chunks; ++i) {
    const uint64_t c = (start + i) % m_chunks;
    if (chunk_free(c)) {
      take_chunk(c);
      chunk = c;
      return true;
    }
  }
  return false;
}

bool FrameAllocator::fresh_region(uint64_t& region) {
  if (!m_params.scatter) {
    if (m_top_region == 0 || (m_top_region - 1) * kChunksPerRegion < m_next_chunk) return false;
    region = --m_top_region;
    return true;
  }
  auto region_free = [&](uint64_t r) {
    return !m_used_regions.contains(r) && !m_region_use.contains(r);
  };
  for (int tries = 0; tries < 64; ++tries) {
    const uint64_t r = m_rng.below(m_regions);
    if (region_free(r)) {
      m_used_regions.insert(r, 1);
      region = r;
      return true;
    }
  }
  for (uint64_t r = 0; r < m_regions; ++r) {
    if (region_free(r)) {
      m_used_regions.insert(r, 1);
      region = r;
      return true;
    }
  }
  return false;
}

bool FrameAllocator::alloc(PageSize size, Addr& frame) {
  bool ok = false;
  switch (size) {
    case PageSize::k4K: {
      if (!m_free4k.empty()) {
        frame = m_free4k.back();
        m_free4k.pop_back();
        ok = true;
        break;
      }
      const unsigned want_open = m_params.scatter ? kOpenChunks : 1;
      while (m_open.size() < want_open) {
        uint64_t chunk;
        if (!fresh_chunk(chunk)) {
          // No fresh chunk left: carve a freed 2M frame (a freed TEA's chunks, say) instead.
          if (!m_open.empty() || m_free2m.empty()) break;
          chunk = (m_free2m.back() - m_params.base) >> 21;
          m_free2m.pop_back();
        }
        m_open.emplace_back(chunk, 0);
      }
      if (m_open.empty()) break;
      const size_t pick = m_params.scatter ? m_rng.below(m_open.size()) : 0;
      auto& [chunk, next] = m_open[pick];
      frame = chunk_addr(chunk) + (Addr{next} << kPageShift);
      if (++next == kChunkFrames) m_open.erase(m_open.begin() + static_cast<long>(pick));
      ok = true;
      break;
    }
    case PageSize::k2M: {
      uint64_t chunk;
      if (!m_free2m.empty()) {
        frame = m_free2m.back();
        m_free2m.pop_back();
        ok = true;
      } else if (fresh_chunk(chunk)) {
        frame = chunk_addr(chunk);
        ok = true;
      }
      break;
    }
    case PageSize::k1G: {
      uint64_t region;
      if (!m_free1g.empty()) {
        frame = m_free1g.back();
        m_free1g.pop_back();
        ok = true;
      } else if (fresh_region(region)) {
        frame = m_params.base + (region << 30);
        ok = true;
      }
      break;
    }
  }
  if (!ok) {
    ++m_failures;
    return false;
  }
  m_allocated += page_bytes(size);
  ++m_live[static_cast<unsigned>(size)];
  return true;
}

bool FrameAllocator::alloc_contiguous(uint64_t pages, Addr& first) {
  const uint64_t chunks = (pages + kChunkFrames - 1) / kChunkFrames;
  uint64_t start = 0;
  if (!m_params.scatter) {
    if (m_next_chunk + chunks > m_top_region * kChunksPerRegion) {
      ++m_failures;
      return false;
    }
    start = m_next_chunk;
    m_next_chunk += chunks;
  } else {
    // A run of free chunks from a random start, scanning on.
    const uint64_t origin = m_rng.below(m_chunks);
    bool found = false;
    for (uint64_t i = 0; i < m_chunks && !found; ++i) {
      const uint64_t s = (origin + i) % m_chunks;
      if (s + chunks > m_chunks) continue;
      found = true;
      for (uint64_t c = s; c < s + chunks && found; ++c) found = chunk_free(c);
      if (found) start = s;
    }
    if (!found) {
      ++m_failures;
      return false;
    }
    for (uint64_t c = start; c < start + chunks; ++c) take_chunk(c);
  }
  first = chunk_addr(start);
  m_allocated += chunks * page_bytes(PageSize::k2M);
  m_live[static_cast<unsigned>(PageSize::k2M)] += chunks;
  return true;
}

void FrameAllocator::free(Addr frame, PageSize size) {
  switch (size) {
    case PageSize::k4K: m_free4k.push_back(frame); break;
    case PageSize::k2M: m_free2m.push_back(frame); break;
    case PageSize::k1G: m_free1g.push_back(frame); break;
  }
  m_allocated -= page_bytes(size);
  --m_live[static_cast<unsigned>(size)];
}

void FrameAllocator::report(StatsVisitor& v) const {
  v.counter("allocated_bytes", m_allocated, "bytes", "bytes of frames currently allocated");
  v.counter("frames_4k", m_live[0], "frames", "4 KiB frames currently allocated");
  v.counter("frames_2m", m_live[1], "frames", "2 MiB frames currently allocated");
  v.counter("frames_1g", m_live[2], "frames", "1 GiB frames currently allocated");
  v.counter("failures", m_failures, "count", "allocations refused for lack of a free frame");
}

}  // namespace mmusim
