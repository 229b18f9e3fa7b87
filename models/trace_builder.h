// Turns the record stream of a capture or an import into a trace file: keeps the window (skip the
// first records, keep the next ones), notes the pages the window touches, and at the end settles
// the VMA list the simulated OS will demand-page in.
#pragma once

#include <string>
#include <vector>

#include "models/flat_map.h"
#include "models/trace_format.h"

namespace mmusim {

struct TraceWindow {
  uint64_t skip = 0;  // records dropped at the start (start-up)
  uint64_t keep = 0;  // records kept after them; 0 = all
};

// Touched pages closer than this join one derived VMA (1 MiB).
constexpr uint64_t kDerivedVmaGapPages = 256;

class TraceBuilder {
 public:
  TraceBuilder(const std::string& path, TraceWindow window, int zstd_level = 3);

  // Offers the next record of the source; false once the window is complete.
  bool add(const TraceRecord& r) {
    if (m_seen < m_window.skip) {
      ++m_seen;
      return true;
    }
    if (complete()) return false;
    ++m_seen;
    ++m_kinds[static_cast<unsigned>(r.kind)];
    touch(r);
    m_writer.write(r);
    if (r.thread >= m_threads) m_threads = r.thread + 1u;
    return !complete();
  }
  bool complete() const { return m_window.keep && m_writer.records() >= m_window.keep; }
  uint64_t seen() const { return m_seen; }  // records offered, skipped ones included
  uint64_t written() const { return m_writer.records(); }
  uint64_t touched_pages() const { return m_touched; }
  uint64_t kind_count(TraceKind k) const { return m_kinds[static_cast<unsigned>(k)]; }

  // Settles the VMAs and writes the file. `recorded` is the source's own VMA list (a process's
  // maps), or empty: recorded VMAs the window touched are kept, their permissions widened to
  // what the window did in them (a store into a mapping made read-only later, as RELRO is);
  // touched pages outside every recorded VMA are covered by derived VMAs: sorted, pages less
  // than kDerivedVmaGapPages apart (with no recorded VMA between them) share one, spanning its
  // first to its last touched page. Returns the header written.
  TraceHeader finish(TraceHeader header, const std::vector<TraceVma>& recorded);

 private:
  enum : uint8_t { kRead = 1, kWrite = 2, kExec = 4 };
  // Touched pages: a byte of kRead | kWrite | kExec per page, in 2 MiB regions of 512 bytes
  // found through a small direct-mapped cache of region numbers in front of a map.
  void touch(const TraceRecord& r) {
    const uint64_t page = r.addr >> 12;
    static constexpr uint8_t kBits[4] = {kExec, kRead, kWrite, kRead | kWrite};  // by kind
    const uint8_t bits = kBits[static_cast<unsigned>(r.kind) & 3];
    const uint64_t region = page >> 9;
    RegionSlot& c = m_region_cache[(region ^ (region >> 6)) & (kRegionCache - 1)];
    if (c.region != region) {
      c.region = region;
      c.index = region_index(region);
    }
    uint8_t& b = m_bits[(size_t{c.index} << 9) | (page & 511)];
    m_touched += b == 0;  // branch-free: kinds and new pages come unpredictably
    b |= bits;
  }
  uint32_t region_index(uint64_t region);
  struct Page {
    uint64_t number;
    uint8_t bits;
  };
  // Every touched page with its kinds, in address order.
  std::vector<Page> touched_list() const;
  // Derived VMAs for the pages no recorded VMA covers (maps: the recorded ones, by start).
  static void derive_vmas(const std::vector<Page>& pages, const std::vector<bool>& covered,
                          const std::vector<TraceVma>& maps, std::vector<TraceVma>& out);

  static constexpr size_t kRegionCache = 64;
  struct RegionSlot {
    uint64_t region = ~uint64_t{0};
    uint32_t index = 0;
  };

  TraceWriter m_writer;
  TraceWindow m_window;
  uint64_t m_seen = 0;
  uint64_t m_kinds[4] = {};
  uint32_t m_threads = 1;
  FlatMap<uint32_t> m_regions;  // region number -> index of its 512 bytes in m_bits
  std::vector<uint8_t> m_bits;
  std::vector<RegionSlot> m_region_cache = std::vector<RegionSlot>(kRegionCache);
  uint64_t m_touched = 0;
};

// Parses /proc/PID/maps text into VMAs of address space `asid`, skipping lines it cannot read.
std::vector<TraceVma> parse_proc_maps(const std::string& text, uint16_t asid = 1);

}  // namespace mmusim
