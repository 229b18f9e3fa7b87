#include "models/leaf_locator.h"

namespace mmusim {

// Apart from find, whose memo hits then need none of the registers a table read does.
[[gnu::noinline]] bool LeafLocator::read(Addr root, unsigned levels, PtFormat format,
                                         const TableToHost* via, Addr addr, Memo& memo,
                                         Addr& entry) const {
  auto to_host = [&](Addr a, Addr& out) {
    if (!via) {
      out = a;
      return true;
    }
    return via->table_to_host(a, out);
  };
  Addr table = root;
  for (unsigned level = levels; level > 1; --level) {
    Addr at;
    if (!to_host(table + table_index(addr, level) * 8, at)) return false;
    const uint64_t e = m_mem.read64(at);
    if (!entry_present(format, e)) return false;
    if (entry_is_leaf(format, e, level)) {
      entry = at;
      return true;
    }
    table = entry_addr(e);
  }
  Addr leaf_table;
  if (!to_host(table, leaf_table)) return false;
  memo = Memo{root, addr >> 21, leaf_table};
  entry = leaf_table + table_index(addr, 1) * 8;
  return true;
}

}  // namespace mmusim
