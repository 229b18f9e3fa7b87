// Cuckoo walk caches (Skarlatos et al., "Elastic Cuckoo Page Tables", ASPLOS'20): the MMU's
// caches of one dimension's cuckoo walk table lines (models/ecpt.h), a PUD-CWC and a PMD-CWC,
// each fully associative with LRU replacement and tagged with the context as the PWCs are, and,
// for nested ECPT's host tables, a PTE-CWC. A hit gives the section header that narrows a walk's
// probes. The sizes default to the ECPT authors' artifacts': 2 PUD-CWT lines (1 TiB) and 16
// PMD-CWT lines (16 GiB).
//
// The PTE-CWC serves the host translations of the guest's table lines (the guest's tables are
// small, so few PTE-CWT lines cover them). For data translations it is adaptive, as nested ECPT
// describes: used until a window of 4,096 such lookups hits below 50%, then not, until a window
// of 4,096 PMD-CWC lookups hits above 85%.
#pragma once

#include <cstdint>
#include <string>

#include "models/ecpt.h"
#include "models/set_assoc.h"
#include "models/stats.h"

namespace mmusim {

struct CwcParams {
  // PMD-CWC, PUD-CWC and (nested ECPT, host) PTE-CWC lines (0: off); at most 64 each.
  uint32_t entries[Ecpt::kCwtLevels] = {16, 2, 0};
};

class Cwc {
 public:
  struct Stats {
    uint64_t lookups = 0, hits = 0, fills = 0;
  };

  // Throws std::invalid_argument beyond 64 entries.
  Cwc(std::string name, const CwcParams& params);

  bool enabled() const { return m_enabled; }
  // addr's section header in the cached CWT line of `level` (Ecpt::kPmdCwt, kPudCwt, kPteCwt).
  bool lookup(unsigned level, Addr addr, uint32_t ctx, uint8_t& header) {
    Stats& s = m_stats[level];
    ++s.lookups;
    const Line* l = m_caches[level].lookup(addr >> Ecpt::kCwtLineShift[level], ctx);
    if (!l) return false;
    ++s.hits;
    header = Ecpt::header(l->words, addr, level);
    return true;
  }
  // Whether a data translation (not a table line's) uses the PTE-CWC now.
  bool pte_for_data() const { return m_pte_data; }
  // Counts a lookup of `level` for the adaptive policy (data: a data translation's).
  void adapt(unsigned level, bool hit, bool data) {
    if (level == Ecpt::kPudCwt || (level == Ecpt::kPteCwt && !data)) return;
    Window& w = m_window[level == Ecpt::kPteCwt ? 0 : 1];
    w.hits += hit;
    if (++w.lookups < kWindow) return;
    if (level == Ecpt::kPteCwt && m_pte_data && w.hits * 2 < w.lookups) m_pte_data = false;
    if (level == Ecpt::kPmdCwt && !m_pte_data && w.hits * 100 > w.lookups * 85) m_pte_data = true;
    w = Window{};
  }
  // Caches the CWT line of `level` covering addr (its eight words as read).
  void fill(unsigned level, Addr addr, uint32_t ctx, const uint64_t* words);
  void flush_all();
  void flush_ctx(uint32_t ctx);
  // Drops the lines covering addr in ctx.
  void invalidate(Addr addr, uint32_t ctx) { invalidate_range(addr, addr + 1, ctx); }
  // invalidate() of every address in [base, end).
  void invalidate_range(Addr base, Addr end, uint32_t ctx);

  const std::string& name() const { return m_name; }
  const Stats& stats(unsigned level) const { return m_stats[level]; }
  void report(StatsVisitor& v) const;

 private:
  struct Line {
    uint64_t words[8];
  };
  struct Window {
    uint32_t lookups = 0, hits = 0;
  };
  static constexpr uint32_t kWindow = 4096;
  std::string m_name;
  SetAssoc<Line> m_caches[Ecpt::kCwtLevels];
  Stats m_stats[Ecpt::kCwtLevels];
  bool m_enabled;
  bool m_pte_data = true;
  Window m_window[2];  // PTE-CWC data lookups, PMD-CWC lookups
};

}  // namespace mmusim
