#include "models/ecpt_table.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace mmusim {

namespace {
constexpr unsigned kTagShift = EcptTable::kTagShift;
constexpr unsigned kTagBits = 7;
constexpr uint64_t kTagMask = ((uint64_t{1} << kTagBits) - 1) << kTagShift;

// Word i's share of a cluster's tag.
uint64_t tag_bits(uint64_t cluster, unsigned i) {
  return ((cluster >> (kTagBits * i)) & ((uint64_t{1} << kTagBits) - 1)) << kTagShift;
}
uint64_t tag_of(const uint64_t* words) {
  uint64_t tag = 0;
  for (unsigned i = 0; i < EcptTable::kClusterPages; ++i)
    tag |= ((words[i] & kTagMask) >> kTagShift) << (kTagBits * i);
  return tag;
}
}  // namespace

bool EcptTable::Line::empty() const {
  for (uint64_t w : words)
    if (w != 0) return false;
  return true;
}

EcptTable::EcptTable(PtFormat format, PageSize size, TableMemory& memory,
                     const EcptParams& params)
    : EcptTable(page_shift(size), memory, params) {
  m_format = format;
  m_size = size;
}

EcptTable::EcptTable(unsigned shift, TableMemory& memory, const EcptParams& params)
    : m_format(PtFormat::kX86), m_size(PageSize::k4K), m_shift(shift), m_mem(memory),
      m_params(params), m_rng(params.seed) {
  const uint64_t n = params.initial_lines;
  if (params.ways < 2 || params.ways > kMaxWays)
    throw std::invalid_argument("ECPT: 2 to 4 ways");
  if (n < kPageBytes / kLineBytes || (n & (n - 1)) != 0)
    throw std::invalid_argument("ECPT: initial lines per way must be a power of two >= 64");
  if (!(params.downsize_at < params.upsize_at / 2) || params.upsize_at > 0.95)
    throw std::invalid_argument("ECPT: need downsize_at < upsize_at / 2 and upsize_at <= 0.95");
  for (unsigned w = 0; w < kMaxWays; ++w) m_keys[w] = hash64(params.seed, 0xec97 + w);
}

EcptTable::~EcptTable() = default;

bool EcptTable::init() { return alloc(m_cur, m_params.initial_lines); }

bool EcptTable::alloc(Generation& g, uint64_t lines) {
  const uint64_t pages = lines * kLineBytes / kPageBytes;
  g = Generation{};
  g.lines = lines;
  for (unsigned w = 0; w < m_params.ways; ++w) {
    if (!m_mem.alloc_area(pages, g.base[w])) {
      for (unsigned v = 0; v < w; ++v) m_mem.free_area(g.base[v], pages);
      g = Generation{};
      return false;
    }
  }
  return true;
}

void EcptTable::release(Generation& g) {
  const uint64_t pages = g.lines * kLineBytes / kPageBytes;
  for (unsigned w = 0; w < m_params.ways && g.lines; ++w) m_mem.free_area(g.base[w], pages);
  g = Generation{};
}

double EcptTable::occupancy() const {
  return static_cast<double>(m_cur.used) / static_cast<double>(m_cur.lines * m_params.ways);
}

uint64_t EcptTable::table_pages() const {
  return (m_cur.lines + m_new.lines) * m_params.ways * kLineBytes / kPageBytes;
}

Addr EcptTable::locate(unsigned way, uint64_t cluster, bool& in_new) const {
  const uint64_t i = slot(way, cluster, m_cur.lines);
  in_new = m_resizing && i < m_moved[way];
  if (in_new) return m_new.base[way] + slot(way, cluster, m_new.lines) * kLineBytes;
  return m_cur.base[way] + i * kLineBytes;
}

unsigned EcptTable::probe_lines(Addr addr, Addr* lines) const {
  const uint64_t cluster = cluster_of(addr);
  bool in_new;
  for (unsigned w = 0; w < m_params.ways; ++w) lines[w] = locate(w, cluster, in_new);
  return m_params.ways;
}

bool EcptTable::match(const uint64_t* words, Addr addr, unsigned shift, uint64_t& entry) {
  const uint64_t cluster = addr >> (shift + 3);
  if (tag_of(words) != cluster) return false;
  uint64_t any = 0;  // an empty line has tag 0 too
  for (unsigned i = 0; i < kClusterPages; ++i) any |= words[i] & ~kTagMask;
  entry = words[(addr >> shift) & (kClusterPages - 1)] & ~kTagMask;
  return any != 0;
}

void EcptTable::read_line(Addr line, uint64_t* words) const {
  m_mem.read_words(line, words, kClusterPages);
}

EcptTable::Line EcptTable::load(Addr at) const {
  Line l;
  read_line(at, l.words);
  l.cluster = tag_of(l.words);
  return l;
}

void EcptTable::write_line(Addr at, const Line& l) {
  for (unsigned i = 0; i < kClusterPages; ++i) m_mem.write(at + i * 8, l.words[i]);
}

bool EcptTable::find(uint64_t cluster, Addr& line) const {
  bool in_new;
  for (unsigned w = 0; w < m_params.ways; ++w) {
    const Addr at = locate(w, cluster, in_new);
    const Line l = load(at);
    if (!l.empty() && l.cluster == cluster) {
      line = at;
      return true;
    }
  }
  return false;
}

// A random-walk cuckoo insertion of l; false with the line left homeless in l.
bool EcptTable::insert(Line& l) {
  unsigned way = static_cast<unsigned>(m_rng.below(m_params.ways));
  for (unsigned t = 0; t <= m_params.max_displacements; ++t) {
    bool in_new;
    const Addr at = locate(way, l.cluster, in_new);
    Generation& g = in_new ? m_new : m_cur;
    const Line occupant = load(at);
    write_line(at, l);
    if (m_observer) m_observer->placed(l.cluster, way);
    if (occupant.empty()) {
      ++g.used;
      return true;
    }
    ++m_stats.displacements;
    l = occupant;
    way = (way + 1 + static_cast<unsigned>(m_rng.below(m_params.ways - 1))) % m_params.ways;
  }
  return false;
}

bool EcptTable::in_new_table(Addr at) const {
  for (unsigned w = 0; w < m_params.ways && m_resizing; ++w)
    if (at >= m_new.base[w] && at < m_new.base[w] + m_new.lines * kLineBytes) return true;
  return false;
}

bool EcptTable::start_resize(uint64_t lines) {
  if (!alloc(m_new, lines)) return false;
  m_resizing = true;
  for (uint64_t& p : m_moved) p = 0;
  m_next_way = 0;
  (lines > m_cur.lines ? m_stats.upsizes : m_stats.downsizes) += 1;
  return true;
}

// Moves up to `moves` old slots' lines into the new table; false when one found no place (it is
// left homeless in `homeless`).
bool EcptTable::migrate(unsigned moves, Line& homeless) {
  for (unsigned m = 0; m < moves && m_resizing; ++m) {
    unsigned w = m_next_way;
    while (m_moved[w] == m_cur.lines) w = (w + 1) % m_params.ways;
    m_next_way = (w + 1) % m_params.ways;
    const Addr at = m_cur.base[w] + m_moved[w] * kLineBytes;
    ++m_moved[w];
    Line l = load(at);
    if (!l.empty()) {
      write_line(at, Line{});
      --m_cur.used;
      ++m_stats.lines_moved;
      if (!insert(l)) {
        homeless = l;
        return false;
      }
    }
    bool done = true;
    for (unsigned v = 0; v < m_params.ways; ++v) done &= m_moved[v] == m_cur.lines;
    if (done) finish_resize();
  }
  return true;
}

void EcptTable::finish_resize() {
  release(m_cur);
  m_cur = m_new;
  m_new = Generation{};
  m_resizing = false;
}

// The OS's fallback when a cuckoo walk failed: every line, the homeless one too, rehashed at
// once into a table of twice the lines (twice again until all fit). False when memory ran out.
bool EcptTable::rebuild(const Line& homeless) {
  ++m_stats.forced_resizes;
  std::vector<Line> lines{homeless};
  for (Generation* g : {&m_cur, &m_new})
    for (unsigned w = 0; w < m_params.ways && g->lines; ++w)
      for (uint64_t i = 0; i < g->lines; ++i) {
        const Line l = load(g->base[w] + i * kLineBytes);
        if (!l.empty()) lines.push_back(l);
      }
  uint64_t size = std::max(m_cur.lines, m_new.lines) * 2;
  release(m_new);
  release(m_cur);
  m_resizing = false;
  for (;; size *= 2) {
    if (!alloc(m_cur, size)) return false;
    bool fit = true;
    for (Line l : lines)
      if (!(fit = insert(l))) break;
    m_stats.lines_moved += lines.size() - 1;
    if (fit) return true;
    release(m_cur);
  }
}

EcptTable::MapStatus EcptTable::map(Addr addr, Addr frame, Perms perms) {
  const uint64_t entry = make_leaf_entry(m_format, frame, m_size, perms);
  Addr at;
  if (!find_word(addr, at)) return add_cluster(addr, entry);
  if (m_mem.read(at) & ~kTagMask) return MapStatus::kConflict;
  m_mem.write(at, entry | tag_bits(cluster_of(addr), index_of(addr)));
  return MapStatus::kOk;
}

bool EcptTable::find_word(Addr addr, Addr& at) const {
  if (!find(cluster_of(addr), at)) return false;
  at += index_of(addr) * 8;
  return true;
}

uint64_t EcptTable::word(Addr addr) const {
  Addr at;
  return find_word(addr, at) ? m_mem.read(at) & ~kTagMask : 0;
}

EcptTable::MapStatus EcptTable::set_word(Addr addr, uint64_t value) {
  Addr at;
  if (!find_word(addr, at)) return value ? add_cluster(addr, value) : MapStatus::kOk;
  if (value) {
    m_mem.write(at, value | tag_bits(cluster_of(addr), index_of(addr)));
  } else {
    remove_word(at, addr);
  }
  return MapStatus::kOk;
}

bool EcptTable::unmap(Addr addr) {
  Addr at;
  if (!find_word(addr, at) || !(m_mem.read(at) & ~kTagMask)) return false;
  remove_word(at, addr);
  return true;
}

// A new line for addr's cluster, holding `value` in addr's word.
EcptTable::MapStatus EcptTable::add_cluster(Addr addr, uint64_t value) {
  const uint64_t cluster = cluster_of(addr);
  Line l;
  l.cluster = cluster;
  for (unsigned j = 0; j < kClusterPages; ++j) l.words[j] = tag_bits(cluster, j);
  l.words[index_of(addr)] |= value;
  ++m_stats.inserts;
  ++m_stats.clusters;
  Line homeless;
  if (m_resizing && !migrate(m_params.moves_per_insert, homeless) && !rebuild(homeless))
    return MapStatus::kOutOfMemory;
  if (!insert(l) && !rebuild(l)) return MapStatus::kOutOfMemory;
  if (!m_resizing && occupancy() > m_params.upsize_at) start_resize(m_cur.lines * 2);
  return MapStatus::kOk;
}

// Clears addr's word at `at`; the line goes with its cluster's last word.
void EcptTable::remove_word(Addr word_at, Addr addr) {
  const uint64_t cluster = cluster_of(addr);
  const unsigned i = index_of(addr);
  const Addr at = word_at - i * 8;
  Line l = load(at);
  l.words[i] = tag_bits(cluster, i);
  bool any = false;
  for (uint64_t w : l.words) any |= (w & ~kTagMask) != 0;
  if (any) {
    m_mem.write(at + i * 8, l.words[i]);
    return;
  }
  write_line(at, Line{});
  --m_stats.clusters;
  --(in_new_table(at) ? m_new : m_cur).used;
  // Removals move lines on too, so a halving completes while the table only empties.
  Line homeless;
  if (m_resizing && !migrate(m_params.moves_per_insert, homeless)) rebuild(homeless);
  if (!m_resizing && m_cur.lines > m_params.initial_lines && occupancy() < m_params.downsize_at)
    start_resize(m_cur.lines / 2);
}

void EcptTable::report(StatsVisitor& v) const {
  const Stats& s = m_stats;
  v.counter("clusters", s.clusters, "lines", "lines in use (clusters of 8 pages)");
  v.counter("inserts", s.inserts, "count", "clusters inserted");
  v.counter("displacements", s.displacements, "count", "lines displaced by cuckoo insertions");
  v.counter("lines_moved", s.lines_moved, "count", "lines moved by resizing (OS work)");
  v.counter("upsizes", s.upsizes, "count", "gradual doublings started");
  v.counter("downsizes", s.downsizes, "count", "gradual halvings started");
  v.counter("forced_resizes", s.forced_resizes, "count",
            "cuckoo walks that failed: the whole table rehashed into a doubled one at once");
  v.state("lines_per_way", m_cur.lines, "lines", "lines per way of the current table");
  v.state("table_pages", table_pages(), "pages", "4 KiB pages of both tables while resizing");
}

}  // namespace mmusim
