// x86-64 paging and EPT entry encodings, and a radix page-table builder that writes real 8-byte
// entries into the memory that holds its table pages.
#pragma once

#include <unordered_map>
#include <utility>
#include <vector>

#include "models/types.h"

namespace mmusim {

enum class PtFormat : uint8_t { kX86, kEpt };

namespace x86pte {
constexpr uint64_t kPresent = 1ULL << 0;
constexpr uint64_t kWrite = 1ULL << 1;
constexpr uint64_t kUser = 1ULL << 2;
constexpr uint64_t kAccessed = 1ULL << 5;
constexpr uint64_t kDirty = 1ULL << 6;
constexpr uint64_t kPageSize = 1ULL << 7;
constexpr uint64_t kNoExec = 1ULL << 63;
}  // namespace x86pte

namespace ept {
constexpr uint64_t kRead = 1ULL << 0;
constexpr uint64_t kWrite = 1ULL << 1;
constexpr uint64_t kExec = 1ULL << 2;
constexpr uint64_t kMemTypeWb = 6ULL << 3;
constexpr uint64_t kPageSize = 1ULL << 7;
constexpr uint64_t kAccessed = 1ULL << 8;
constexpr uint64_t kDirty = 1ULL << 9;
}  // namespace ept

constexpr uint64_t kEntryAddrMask = 0x000ffffffffff000ULL;  // bits 51:12

// FPT (flattened page tables): a non-leaf entry with this bit points to a flattened table, one
// 2 MiB page that merges two levels (L4+L3 or L2+L1) and is indexed by 18 address bits. Bit 11
// is ignored by hardware in both formats' non-leaf entries. In a flattened L2+L1 table, an entry
// with the page-size bit is one of the 512 copies of a 2 MiB page's entry.
constexpr uint64_t kFlatNext = 1ULL << 11;
constexpr unsigned kFlatEntries = 1u << 18;
// Agile Paging: a non-leaf shadow entry with this bit switches the walk to nested mode. It points
// at the guest's own table of the level below (by host-physical address), which the walk then
// reads as a guest table, translating what it gives through the host dimension. Bit 10 is
// ignored by hardware in x86 non-leaf entries. A builder never follows nor frees such a link.
constexpr uint64_t kForeignTable = 1ULL << 10;

// The levels whose tables FPT may merge with the level below: L4 (+L3) and L2 (+L1).
constexpr bool flattenable(unsigned level) { return level == 4 || level == 2; }

// Index of addr in the table of `level` (1 = PT ... 5 = PML5).
constexpr unsigned table_index(Addr addr, unsigned level) {
  return static_cast<unsigned>((addr >> (kPageShift + 9 * (level - 1))) & 511);
}

// Index of addr in a flattened table whose upper level is `level` (4: L4+L3, 2: L2+L1).
constexpr unsigned flat_index(Addr addr, unsigned level) {
  return static_cast<unsigned>((addr >> (kPageShift + 9 * (level - 2))) & (kFlatEntries - 1));
}
// Index of addr in a table of `level`, flattened or not.
constexpr unsigned slot_index(Addr addr, unsigned level, bool flat) {
  return flat ? flat_index(addr, level) : table_index(addr, level);
}

inline bool entry_present(PtFormat f, uint64_t e) {
  return f == PtFormat::kX86 ? (e & x86pte::kPresent) != 0
                             : (e & (ept::kRead | ept::kWrite | ept::kExec)) != 0;
}
// A present entry at `level` maps a page (PT entries always; PDE/PDPTE with the page-size bit).
inline bool entry_is_leaf(PtFormat f, uint64_t e, unsigned level) {
  if (level == 1) return true;
  if (level > 3) return false;
  return (e & (f == PtFormat::kX86 ? x86pte::kPageSize : ept::kPageSize)) != 0;
}
inline Addr entry_addr(uint64_t e) { return e & kEntryAddrMask; }
inline Perms entry_perms(PtFormat f, uint64_t e) {
  if (f == PtFormat::kX86)
    return {(e & x86pte::kWrite) != 0, (e & x86pte::kNoExec) == 0, (e & x86pte::kUser) != 0};
  return {(e & ept::kWrite) != 0, (e & ept::kExec) != 0, true};
}
uint64_t make_table_entry(PtFormat f, Addr table, bool flat = false);
uint64_t make_leaf_entry(PtFormat f, Addr frame, PageSize size, Perms perms);

// Where a dimension's table pages live: addresses are in the table's own space (host-physical
// for native and EPT tables, guest-physical for guest tables).
class TableMemory {
 public:
  virtual ~TableMemory() = default;
  // A zeroed 4 KiB page; `root` when it is a table's root (HugeGPT places roots apart).
  virtual bool alloc_table(Addr& table, bool root) = 0;
  virtual void free_table(Addr table) = 0;
  // A zeroed, 2 MiB-aligned 2 MiB table (FPT); false when no such frame is left.
  virtual bool alloc_flat_table(Addr&) { return false; }
  virtual void free_flat_table(Addr) {}
  // `pages` zeroed, physically contiguous 4 KiB pages from 2 MiB chunks (ECPT's ways); false
  // when no such run is free. free_area returns them, chunk by chunk.
  virtual bool alloc_area(uint64_t, Addr&) { return false; }
  virtual void free_area(Addr, uint64_t) {}
  virtual uint64_t read(Addr addr) = 0;
  virtual void write(Addr addr, uint64_t value) = 0;
  // n consecutive words from addr, within one page (an ECPT line).
  virtual void read_words(Addr addr, uint64_t* out, unsigned n) {
    for (unsigned i = 0; i < n; ++i) out[i] = read(addr + i * 8);
  }
  // Copies a table page's 512 entries into another (zeroed) page: a table being moved.
  virtual void copy_table(Addr from, Addr to) {
    for (unsigned i = 0; i < kEntriesPerTable; ++i) write(to + i * 8, read(from + i * 8));
  }
  // Drops a page's contents but not its frame, which belongs to an area freed as a whole (the
  // pages of a translation entry area that was replaced).
  virtual void discard_table(Addr table) = 0;
};

// Told of every entry a RadixTable writes: the level of the table written and an input address
// that table covers (Agile Paging's hypervisor tracks the guest's writes per table page).
class TableWriteObserver {
 public:
  virtual ~TableWriteObserver() = default;
  virtual void entry_written(unsigned level, Addr addr) = 0;
};

// Where some tables of a radix must go: DMT places the leaf tables (PT, or PD for 2M pages) of a
// VMA in its translation entry area, so the radix walk and the direct lookup read the same
// entries. Placed pages are never freed.
class TablePlacer {
 public:
  virtual ~TablePlacer() = default;
  // The page that must hold the level-`level` table covering addr, if any.
  virtual bool place(Addr addr, unsigned level, Addr& table) const = 0;
};

// Builds and edits one radix table (x86 or EPT, 4 or 5 levels) through its TableMemory. Flattened
// (FPT), it merges L4+L3 and L2+L1 into 2 MiB tables where it can get a 2 MiB frame for one, and
// keeps ordinary tables elsewhere; an L2+L1 table is made only for 4K pages (a 2 MiB page that
// lands in one later is written as 512 copies).
class RadixTable {
 public:
  enum class MapStatus { kOk, kConflict, kOutOfMemory };

  RadixTable(PtFormat format, unsigned levels, TableMemory& memory);
  RadixTable(const RadixTable&) = delete;
  RadixTable& operator=(const RadixTable&) = delete;

  // FPT: flatten where a 2 MiB frame can be had (before init).
  void set_flatten(bool flatten) { m_flatten = flatten; }
  bool flatten() const { return m_flatten; }
  // Creates the root; false when no page is left for it.
  bool init();
  Addr root() const { return m_root; }
  bool root_flat() const { return m_root_flat; }
  unsigned levels() const { return m_levels; }
  PtFormat format() const { return m_format; }

  // Writes a leaf for the page of `size` at addr, creating intermediate tables; a slot already
  // holding another leaf, or a table where a large leaf goes, is a conflict.
  MapStatus map(Addr addr, Addr frame, PageSize size, Perms perms);
  // Clears the leaf covering addr and frees tables left empty; false when nothing is mapped.
  bool unmap(Addr addr);
  // Rewrites the leaf covering addr in place, for the page of `size` at `frame` (a permission
  // change, a migrated page); false when nothing is mapped.
  bool rewrite(Addr addr, Addr frame, PageSize size, Perms perms);
  // Agile Paging: makes the level-`level` entry covering addr (level >= 2) a link to a table this
  // builder does not own (kForeignTable), creating the tables above and freeing the subtree the
  // entry held. False when no page was left for a table above.
  bool link(Addr addr, unsigned level, Addr foreign);
  // Clears the link of `level` covering addr; false when that entry is not a link.
  bool unlink(Addr addr, unsigned level);
  // The address of the level-`level` table covering addr (in the table's own space); false when
  // the walk to it meets an absent entry, a leaf or a link.
  bool find_table(Addr addr, unsigned level, Addr& table) const;
  // Told of every entry written from now on (null: none).
  void set_observer(TableWriteObserver* observer) { m_observer = observer; }

  // Appends the level-`level` tables (each below a present non-leaf entry) whose ranges meet
  // [start, end), in address order: the input address where each table's range starts and the
  // table's address. Absent subtrees are skipped, not scanned.
  void tables_in(Addr start, Addr end, unsigned level, std::vector<std::pair<Addr, Addr>>& out);
  // Moves the level-`level` table covering addr into the zeroed page `to`: its entries are copied
  // and the entry above now points at `to`. The old page is freed, unless `reserved` (a page of
  // an area whose owner frees it as a whole). False when there is no such table.
  bool move_table(Addr addr, unsigned level, Addr to, bool reserved);
  // 4 KiB pages of tables in use, a flattened table counting 512.
  uint64_t table_pages() const { return m_table_pages; }
  uint64_t flat_tables() const { return m_flat_tables; }
  // Flattened tables the builder wanted but made ordinary: no 2 MiB frame was free.
  uint64_t flatten_failures() const { return m_flatten_failures; }
  void set_placer(const TablePlacer* placer) { m_placer = placer; }

 private:
  struct Step {
    Addr table, slot;
    unsigned level;  // the table's (upper) level
    bool flat;
  };
  // The tables from the root to the leaf covering addr (path[n - 1] holds the leaf); false when
  // the walk meets an absent entry or a link.
  bool find_leaf(Addr addr, Step* path, unsigned& n) const;
  // Writes the leaf entry at s (a flattened 2 MiB page's 512 copies) and tells the observer.
  void write_leaf(const Step& s, Addr addr, uint64_t value);
  bool table_empty(Addr table, bool flat);
  // A new table for level `level` on the way to a leaf of `leaf`: flattened if it may be.
  bool new_table(unsigned level, unsigned leaf, bool root, Addr& table, bool& flat);
  // Writes an entry of a table, keeping a flattened table's count of used entries.
  void write_entry(Addr table, bool flat, Addr slot, uint64_t value);
  MapStatus map_copies(Addr table, Addr addr, Addr frame, Perms perms);
  void free_table(Addr table, bool flat);
  // Frees the level-`level` table and every table below it that this builder owns.
  void free_subtree(Addr table, unsigned level);
  void collect(Addr table, unsigned table_level, Addr base, Addr start, Addr end, unsigned level,
               std::vector<std::pair<Addr, Addr>>& out);

  PtFormat m_format;
  unsigned m_levels;
  TableMemory& m_memory;
  Addr m_root = 0;
  uint64_t m_table_pages = 0;
  const TablePlacer* m_placer = nullptr;
  TableWriteObserver* m_observer = nullptr;
  bool m_flatten = false;
  bool m_root_flat = false;
  uint64_t m_flat_tables = 0, m_flatten_failures = 0;
  std::unordered_map<Addr, uint32_t> m_flat_used;  // flattened table -> entries in use
};

}  // namespace mmusim
