// An address space's elastic cuckoo page tables (Skarlatos et al., ASPLOS'20): one EcptTable per
// page size, created on the first page of that size. Hardware probes every way of every size in
// use at once (the mask of sizes is part of the context the OS loads, as CR3 is), unless its
// cuckoo walk caches narrow the probes.
//
// Cuckoo walk tables (CWTs): the OS's record, per section of address space, of the page sizes
// mapped there and the way that holds the section's entry. A section is what one ECPT line of the
// larger size covers: the PMD-CWT has a header per 16 MiB (one 2M-table line: which of 4K/2M, and
// the 2M entry's way), the PUD-CWT one per 8 GiB (one 1G-table line: which of 4K/2M/1G, and the
// 1G entry's way). A header is 5 bits (bit s: pages of PageSize s; bits 3-4: the way), eight to
// a word, 64 to a 64-byte line: a PMD-CWT line per 1 GiB, a PUD-CWT line per 512 GiB, as in the
// ECPT authors' OS code. The CWTs are cuckoo tables of 2 ways in the same table memory.
// Nested ECPT (Stojkovic et al., ASPLOS'22) adds, for the host's tables, a PTE-level CWT: a
// header per 32 KiB (one 4K-table line: whether 4K pages are there, and the line's way), a
// CWT line per 2 MiB (EcptParams::pte_cwt).
#pragma once

#include <memory>
#include <unordered_map>

#include "models/ecpt_table.h"

namespace mmusim {

class Ecpt {
 public:
  Ecpt(PtFormat format, TableMemory& memory, const EcptParams& params);
  ~Ecpt();
  Ecpt(const Ecpt&) = delete;
  Ecpt& operator=(const Ecpt&) = delete;

  using MapStatus = EcptTable::MapStatus;
  MapStatus map(Addr addr, Addr frame, PageSize size, Perms perms);
  // Clears the entry of the page of `size` at addr; false when none.
  bool unmap(Addr addr, PageSize size);
  // Rewrites the entry of the page of `size` at addr in place (the line stays in its way); false
  // when none.
  bool rewrite(Addr addr, Addr frame, PageSize size, Perms perms);

  // The table of a size, or null before its first page.
  const EcptTable* table(PageSize size) const { return m_tables[index(size)].get(); }
  // Whether a page of another size overlaps the page of `size` at addr (the OS knows from its
  // own records; the tables of different sizes do not see each other).
  bool overlaps(Addr addr, PageSize size) const;
  PtFormat format() const { return m_format; }
  // The words a walk for addr reads: in each way of each size's table, addr's entry in the line
  // probed (the order the walker reads them); returns how many.
  unsigned probe_words(Addr addr, Addr* out) const;
  static constexpr unsigned kMaxProbes = kNumPageSizes * EcptTable::kMaxWays;
  // Page sizes with a table (bit s for PageSize s).
  unsigned sizes() const { return m_sizes; }
  uint64_t table_pages() const;
  // Lines moved by resizing, all sizes and the CWTs (the OS's rehash work).
  uint64_t lines_moved() const;
  void report(StatsVisitor& v) const;

  // The CWTs: kPmdCwt, kPudCwt, kPteCwt (null before the first page; kPteCwt: only with
  // EcptParams::pte_cwt).
  enum CwtLevel : unsigned { kPmdCwt = 0, kPudCwt = 1, kPteCwt = 2, kCwtLevels = 3 };
  const EcptTable* cwt(unsigned level) const { return m_cwt[level].get(); }
  static constexpr unsigned kSectionShift[kCwtLevels] = {24, 33, 15};  // a header's section
  static constexpr unsigned kCwtLineShift[kCwtLevels] = {30, 39, 21};  // a CWT line's
  static constexpr uint8_t kWayShift = 3;
  // addr's section header in a CWT line's words (bit s: pages of size s; way at kWayShift).
  static uint8_t header(const uint64_t* line, Addr addr, unsigned level) {
    const unsigned j = static_cast<unsigned>(addr >> kSectionShift[level]) & 63;
    return static_cast<uint8_t>((line[j / 8] >> (5 * (j % 8))) & 31);
  }

 private:
  static unsigned index(PageSize s) { return static_cast<unsigned>(s); }
  // Keeps a section header's way when the 2M (PMD-CWT), 1G (PUD-CWT) or 4K (PTE-CWT) table
  // places a line.
  struct WayKeeper : EcptTable::Observer {
    WayKeeper() = default;
    WayKeeper(Ecpt* e, unsigned l) : ecpt(e), level(l) {}
    Ecpt* ecpt = nullptr;
    unsigned level = 0;
    void placed(uint64_t cluster, unsigned way) override;
  };
  // f(stats name, table) for every table there is: the page sizes', then the CWTs.
  template <class F>
  void for_each_table(F f) const;
  bool init_cwts();
  // Counts a page of `size` in (delta +1) or out of (-1) its sections; sets or clears the
  // headers' bits as a count leaves or reaches 0. False when a CWT found no memory.
  bool count_in_cwts(Addr addr, PageSize size, int delta);
  // Rewrites addr's header in a CWT: bits and way under `mask` become `value`.
  bool edit_header(unsigned level, Addr addr, uint8_t mask, uint8_t value);

  PtFormat m_format;
  TableMemory& m_memory;
  EcptParams m_params;
  std::unique_ptr<EcptTable> m_tables[kNumPageSizes];
  unsigned m_sizes = 0;
  // Smaller pages mapped per 2 MiB and per 1 GiB region.
  std::unordered_map<uint64_t, uint32_t> m_in_2m, m_in_1g;
  std::unique_ptr<EcptTable> m_cwt[kCwtLevels];
  WayKeeper m_keepers[kCwtLevels];
  bool m_cwt_failed = false;  // a header write found no memory
  // Pages per (section, CWT level, size): key section << 4 | level << 2 | size.
  std::unordered_map<uint64_t, uint32_t> m_section_pages;
};

}  // namespace mmusim
