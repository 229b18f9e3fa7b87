#include "models/trace_builder.h"

#include <algorithm>
#include <sstream>

namespace mmusim {

TraceBuilder::TraceBuilder(const std::string& path, TraceWindow window, int zstd_level)
    : m_writer(path, zstd_level), m_window(window) {}

uint32_t TraceBuilder::region_index(uint64_t region) {
  if (const uint32_t* i = m_regions.find(region)) return *i;
  const auto index = static_cast<uint32_t>(m_bits.size() >> 9);
  m_bits.resize(m_bits.size() + 512, 0);
  m_regions.insert(region, index);
  return index;
}

std::vector<TraceBuilder::Page> TraceBuilder::touched_list() const {
  std::vector<Page> pages;
  pages.reserve(m_touched);
  m_regions.for_each([&](uint64_t region, const uint32_t& index) {
    for (uint64_t i = 0; i < 512; ++i)
      if (const uint8_t b = m_bits[(size_t{index} << 9) | i])
        pages.push_back({(region << 9) | i, b});
  });
  std::sort(pages.begin(), pages.end(),
            [](const Page& a, const Page& b) { return a.number < b.number; });
  return pages;
}

void TraceBuilder::derive_vmas(const std::vector<Page>& pages, const std::vector<bool>& covered,
                               const std::vector<TraceVma>& maps, std::vector<TraceVma>& out) {
  auto recorded_between = [&](uint64_t lo, uint64_t hi) {
    auto it = std::upper_bound(maps.begin(), maps.end(), lo,
                               [](uint64_t a, const TraceVma& v) { return a < v.start; });
    return it != maps.end() && it->start < hi;
  };
  for (size_t i = 0; i < pages.size();) {
    if (covered[i]) {
      ++i;
      continue;
    }
    TraceVma d;
    d.start = pages[i].number << 12;
    d.read = true;
    d.name = "[derived]";
    d.asid = 1;
    uint8_t bits = pages[i].bits;
    size_t last = i;
    size_t j = i + 1;
    for (; j < pages.size() && !covered[j]; ++j) {
      if (pages[j].number - pages[last].number > kDerivedVmaGapPages ||
          recorded_between(pages[last].number << 12, pages[j].number << 12))
        break;
      bits |= pages[j].bits;
      last = j;
    }
    d.end = (pages[last].number + 1) << 12;
    d.write = bits & kWrite;
    d.exec = bits & kExec;
    out.push_back(d);
    i = last + 1;
  }
}

TraceHeader TraceBuilder::finish(TraceHeader header, const std::vector<TraceVma>& recorded) {
  const std::vector<Page> pages = touched_list();
  std::vector<TraceVma> maps = recorded;
  std::sort(maps.begin(), maps.end(),
            [](const TraceVma& a, const TraceVma& b) { return a.start < b.start; });
  std::vector<TraceVma> out;
  std::vector<bool> covered(pages.size(), false);
  auto first_page_at = [&](uint64_t addr) {
    return std::lower_bound(pages.begin(), pages.end(), addr >> 12,
                            [](const Page& p, uint64_t n) { return p.number < n; }) -
           pages.begin();
  };
  for (const TraceVma& v : maps) {
    uint8_t bits = 0;
    for (size_t i = first_page_at(v.start); i < pages.size() && (pages[i].number << 12) < v.end;
         ++i) {
      if (covered[i]) continue;  // an overlapping earlier VMA has it
      covered[i] = true;
      bits |= pages[i].bits;
    }
    if (!bits) continue;
    TraceVma k = v;
    k.read = k.read || (bits & kRead);
    k.write = k.write || (bits & kWrite);
    k.exec = k.exec || (bits & kExec);
    out.push_back(k);
  }
  const size_t kept = out.size();
  derive_vmas(pages, covered, maps, out);  // touched pages outside every recorded VMA
  std::sort(out.begin(), out.end(),
            [](const TraceVma& a, const TraceVma& b) { return a.start < b.start; });
  header.threads = m_threads;
  header.meta.emplace_back("skip", std::to_string(m_window.skip));
  header.meta.emplace_back("touched_pages", std::to_string(pages.size()));
  header.meta.emplace_back("recorded_vmas", std::to_string(kept));
  header.meta.emplace_back("derived_vmas", std::to_string(out.size() - kept));
  header.vmas = std::move(out);
  m_writer.finish(header);
  header.records = m_writer.records();
  return header;
}

std::vector<TraceVma> parse_proc_maps(const std::string& text, uint16_t asid) {
  std::vector<TraceVma> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    // start-end perms offset dev inode [path]
    unsigned long long start, end;
    char perms[8] = {};
    int name_at = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %*s %*s %*s %n", &start, &end, perms, &name_at) <
            3 ||
        end <= start)
      continue;
    TraceVma v;
    v.start = start;
    v.end = end;
    v.read = perms[0] == 'r';
    v.write = perms[1] == 'w';
    v.exec = perms[2] == 'x';
    v.asid = asid;
    if (name_at > 0 && static_cast<size_t>(name_at) < line.size()) v.name = line.substr(name_at);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace mmusim
