// Where the host-cache hints find the leaf entry a walk will read: from the upper levels of the
// table, which stay cached, and a memo of leaf tables by 2 MiB region.
#pragma once

#include <vector>

#include "models/page_table.h"
#include "models/phys_mem.h"

namespace mmusim {

// Translates a guest-physical address of a table to host memory (the host oracle).
class TableToHost {
 public:
  virtual ~TableToHost() = default;
  virtual bool table_to_host(Addr gpa, Addr& hpa) const = 0;
};

// The host-physical address of the entry that maps addr in a radix table (root, levels and
// format), reading only the upper levels, which are few and stay in the host's caches; tables in
// guest-physical memory are located through `via`. Hints only: a memo of leaf tables by 2 MiB
// region skips the upper levels, and may be stale.
class LeafLocator {
 public:
  explicit LeafLocator(const PhysMem& mem) : m_mem(mem) {}
  // False when addr is not mapped. `via`: null for tables in host memory.
  bool find(Addr root, unsigned levels, PtFormat format, bool root_flat, const TableToHost* via,
            Addr addr, Addr& entry) const {
    const Addr region = addr >> 21;
    // Consecutive regions take consecutive slots, so a dense address range never conflicts with
    // itself; the two dimensions start half the memo apart.
    Memo& memo = m_memo[(region + (root >> 12) + (via ? kMemo / 2 : 0)) & (kMemo - 1)];
    if (memo.root == root && memo.region == region) {
      entry = memo.table + table_index(addr, 1) * 8;
      return true;
    }
    return read(root, levels, format, root_flat, via, addr, memo, entry);
  }

 private:
  struct Memo {
    Addr root = ~Addr{0}, region = 0, table = 0;  // table: the leaf table's host address
  };
  static constexpr size_t kMemo = 4096;  // a power of two
  // find past a memo miss: reads the upper levels and fills `memo` (a flattened leaf table's
  // entries for one 2 MiB region fill one of its 4 KiB pages, so those are remembered too).
  bool read(Addr root, unsigned levels, PtFormat format, bool root_flat, const TableToHost* via,
            Addr addr, Memo& memo, Addr& entry) const;

  const PhysMem& m_mem;
  mutable std::vector<Memo> m_memo = std::vector<Memo>(kMemo);
};

}  // namespace mmusim
