#include "models/leaf_locator.h"

namespace mmusim {

// Apart from find, whose memo hits then need none of the registers a table read does.
[[gnu::noinline]] bool LeafLocator::read(Addr root, unsigned levels, PtFormat format,
                                         bool root_flat, const TableToHost* via, Addr addr,
                                         Memo& memo, Addr& entry) const {
  auto to_host = [&](Addr a, Addr& out) {
    if (!via) {
      out = a;
      return true;
    }
    return via->table_to_host(a, out);
  };
  Addr table = root;
  bool flat = root_flat;
  for (unsigned level = levels;;) {
    const unsigned el = flat ? level - 1 : level;
    if (el == 1) {
      // The leaf table, remembered for its 2 MiB region; flattened, the 4 KiB page of it that
      // holds the region's 512 entries.
      const Addr page = flat ? table + (flat_index(addr, 2) & ~Addr{511}) * 8 : table;
      Addr leaf_table;
      if (!to_host(page, leaf_table)) return false;
      memo = Memo{root, addr >> 21, leaf_table};
      entry = leaf_table + table_index(addr, 1) * 8;
      return true;
    }
    Addr at;
    if (!to_host(table + slot_index(addr, level, flat) * 8, at)) return false;
    const uint64_t e = m_mem.read64(at);
    if (entry_present(format, e) && entry_is_leaf(format, e, el)) {
      entry = at;
      return true;
    }
    if (!entry_present(format, e)) return false;
    table = entry_addr(e);
    flat = (e & kFlatNext) != 0;
    level = el - 1;
  }
}

}  // namespace mmusim
