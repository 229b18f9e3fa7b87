// One page size's elastic cuckoo page table (Skarlatos et al., "Elastic Cuckoo Page Tables",
// ASPLOS'20): a d-ary cuckoo hash table whose ways are physically contiguous arrays of 64-byte
// lines in table memory, so hardware computes a line's address from the virtual page number
// and a way's base.
//
// Entries. A line holds the entries of a cluster of 8 consecutive pages (word i: page 8c + i,
// in the table's entry format). The cluster number c is the line's tag, spread over bits 52..58
// of its eight words, 7 bits each (bits hardware ignores in a leaf entry of either format); a
// line of zeros is empty. A cluster with no page mapped is removed.
//
// Insertion. A new cluster goes to its slot in a random way; an occupant it finds there is
// displaced to its slot in another random way, and so on (a random walk) up to
// max_displacements.
//
// Raw tables. The same hashed lines hold other 8-byte words keyed by address (ECPT's cuckoo walk
// tables): word (addr >> shift) & 7 of cluster addr >> (shift + 3), 0 for none.
//
// Elastic resizing. When occupancy passes upsize_at, a table of twice the lines per way is
// allocated and lines move over gradually: every insertion first moves `moves_per_insert` lines,
// in slot order per way. A way's migration pointer tells which of its old slots have moved, so
// a lookup hashes into the old table, or, below the pointer, into the new one. Both stay d
// probes. Below downsize_at (and above the initial size) the table halves the same way; removals
// move lines on too. A cuckoo walk that still fails makes the OS rehash every line at once into a
// table of twice the lines (counted as a forced resize).
#pragma once

#include <cstdint>

#include "models/page_table.h"
#include "models/rng.h"
#include "models/stats.h"

namespace mmusim {

struct EcptParams {
  unsigned ways = 3;               // d (2 to kMaxWays)
  uint64_t initial_lines = 4096;   // lines per way when created (a power of two, >= 64)
  double upsize_at = 0.6;          // occupancy that starts doubling
  double downsize_at = 0.2;        // occupancy that starts halving (above initial_lines)
  unsigned moves_per_insert = 4;   // lines moved per insertion while resizing
  unsigned max_displacements = 64; // displacements before an insertion gives up
  uint64_t seed = 1;               // the ways' hash keys and the random walk
  bool pte_cwt = false;            // Ecpt: keep a PTE-level CWT too (nested ECPT's host tables)
};

class EcptTable {
 public:
  static constexpr unsigned kMaxWays = 4;
  static constexpr unsigned kClusterPages = 8;  // entries per 64-byte line
  static constexpr Addr kLineBytes = 64;

  enum class MapStatus { kOk, kConflict, kOutOfMemory };
  struct Stats {
    uint64_t clusters = 0;        // lines in use
    uint64_t inserts = 0, displacements = 0, lines_moved = 0;
    uint64_t upsizes = 0, downsizes = 0, forced_resizes = 0;
  };

  // Told each time a line is written into a slot (inserted, displaced or moved by a resize).
  class Observer {
   public:
    virtual ~Observer() = default;
    virtual void placed(uint64_t cluster, unsigned way) = 0;
  };

  // size: the page size its entries map. Throws std::invalid_argument on bad parameters.
  EcptTable(PtFormat format, PageSize size, TableMemory& memory, const EcptParams& params);
  // A raw table: words below 2^kTagShift, each for 2^shift bytes of address space.
  EcptTable(unsigned shift, TableMemory& memory, const EcptParams& params);
  ~EcptTable();
  EcptTable(const EcptTable&) = delete;
  EcptTable& operator=(const EcptTable&) = delete;

  // Allocates the ways; false when memory is too small.
  bool init();
  // Writes the entry of the page of this table's size at addr.
  MapStatus map(Addr addr, Addr frame, Perms perms);
  // Clears the entry of addr's page (removing its cluster when it empties); false when none.
  bool unmap(Addr addr);
  // Whether addr's page has an entry.
  bool present(Addr addr) const { return word(addr) != 0; }
  // Raw: addr's word (0: none); sets it (0: clears it, removing the cluster when it empties).
  uint64_t word(Addr addr) const;
  MapStatus set_word(Addr addr, uint64_t value);
  void set_observer(Observer* o) { m_observer = o; }
  static constexpr unsigned kTagShift = 52;  // the tag's bits in each word

  // The line addresses hardware probes for addr, one per way (in the old or the new table as
  // the migration pointers say); returns the number of ways.
  unsigned probe_lines(Addr addr, Addr* lines) const;
  // The line of one way (probe_lines' lines[way]).
  Addr probe_line(Addr addr, unsigned way) const {
    bool in_new;
    return locate(way, cluster_of(addr), in_new);
  }
  // The word for addr in a probed line's words (entries of 2^shift bytes each), if the line
  // holds addr's cluster (is not empty, and has its tag).
  static bool match(const uint64_t* words, Addr addr, unsigned shift, uint64_t& entry);
  // Reads a line's eight words.
  void read_line(Addr line, uint64_t* words) const;

  PageSize page_size() const { return m_size; }
  unsigned shift() const { return m_shift; }
  unsigned ways() const { return m_params.ways; }
  uint64_t lines_per_way() const { return m_cur.lines; }
  bool resizing() const { return m_resizing; }
  double occupancy() const;
  const Stats& stats() const { return m_stats; }
  // Table memory in use (both tables while resizing), in 4 KiB pages.
  uint64_t table_pages() const;
  void report(StatsVisitor& v) const;

 private:
  struct Generation {
    Addr base[kMaxWays] = {};
    uint64_t lines = 0;
    uint64_t used = 0;
  };
  struct Line {
    uint64_t cluster = 0;
    uint64_t words[kClusterPages] = {};
    bool empty() const;
  };
  uint64_t cluster_of(Addr addr) const { return addr >> (m_shift + 3); }
  unsigned index_of(Addr addr) const {
    return static_cast<unsigned>((addr >> m_shift) & (kClusterPages - 1));
  }
  bool find_word(Addr addr, Addr& at) const;
  void remove_word(Addr word_at, Addr addr);
  MapStatus add_cluster(Addr addr, uint64_t value);
  uint64_t slot(unsigned way, uint64_t cluster, uint64_t lines) const {
    return hash64(m_keys[way], cluster) & (lines - 1);
  }
  // Where the cluster's line in `way` is; `in_new`: in the table being migrated to.
  Addr locate(unsigned way, uint64_t cluster, bool& in_new) const;
  bool find(uint64_t cluster, Addr& line) const;
  void write_line(Addr at, const Line& l);
  Line load(Addr at) const;
  bool insert(Line& l);
  bool alloc(Generation& g, uint64_t lines);
  void release(Generation& g);
  bool in_new_table(Addr at) const;
  bool start_resize(uint64_t lines);
  bool migrate(unsigned moves, Line& homeless);
  void finish_resize();
  bool rebuild(const Line& homeless);

  PtFormat m_format;
  PageSize m_size;
  unsigned m_shift;  // each word is for 2^m_shift bytes (a page of m_size in an ECPT)
  TableMemory& m_mem;
  Observer* m_observer = nullptr;
  EcptParams m_params;
  uint64_t m_keys[kMaxWays] = {};
  Rng m_rng;
  Generation m_cur, m_new;
  bool m_resizing = false;
  uint64_t m_moved[kMaxWays] = {};  // migration pointers: slots of m_cur moved to m_new
  unsigned m_next_way = 0;          // the way the next migration step moves from
  Stats m_stats;
};

}  // namespace mmusim
