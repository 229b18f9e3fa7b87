// Machine's host-cache hints: the read-ahead stages that start loading what an access will read
// (oracle records, leaf entries) and name the lines whose cache tag sets the caller may load.
// They change no result.
#include "models/machine.h"

namespace mmusim {

bool Machine::leaf_entry(Addr root, unsigned levels, PtFormat format, bool guest_tables,
                         Addr addr, Addr& entry) const {
  const Addr region = addr >> 21;
  // Consecutive regions take consecutive slots, so a dense address range never conflicts with
  // itself; the two dimensions start half the memo apart.
  LeafMemo& memo =
      m_leaf_memo[(region + (root >> 12) + (guest_tables ? kLeafMemo / 2 : 0)) & (kLeafMemo - 1)];
  if (memo.root == root && memo.region == region) {
    entry = memo.table + table_index(addr, 1) * 8;
    return true;
  }
  return leaf_entry_read(root, levels, format, guest_tables, addr, memo, entry);
}

// Apart from leaf_entry, whose memo hits then need none of the registers a table read does.
[[gnu::noinline]] bool Machine::leaf_entry_read(Addr root, unsigned levels, PtFormat format,
                                                bool guest_tables, Addr addr, LeafMemo& memo,
                                                Addr& entry) const {
  auto to_host = [&](Addr a, Addr& out) {
    if (!guest_tables) {
      out = a;
      return true;
    }
    Mapping h;
    if (!host_truth(a, h)) return false;
    out = h.translate(a);
    return true;
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
  memo = LeafMemo{root, addr >> 21, leaf_table};
  entry = leaf_table + table_index(addr, 1) * 8;
  return true;
}

bool Machine::first_leaf_entry(Context ctx, Addr va, Addr& entry) const {
  if (shadowed())
    return leaf_entry(m_shadows[ctx.asid]->root(), m_shadows[ctx.asid]->levels(), PtFormat::kX86,
                      false, va, entry);
  const AddressSpace& space = *m_spaces[ctx.asid];
  return leaf_entry(space.root(), space.levels(), space.format(), virtualized(), va, entry);
}

bool Machine::host_leaf_entry(Addr gpa, Addr& entry) const {
  return virtualized() && !shadowed() && !nested() &&
         leaf_entry(m_host->root(), m_host->levels(), PtFormat::kEpt, false, gpa, entry);
}

void Machine::prefetch(Context ctx, Addr va, unsigned stage, PrefetchState& state) const {
  state.nlines = 0;
  if (stage == 0 || state.hint_va != va || state.hint_asid != ctx.asid) {
    // Address spaces are created, never destroyed: the pointers hold for the later stages.
    state.hint_va = va;
    state.hint_asid = ctx.asid;
    state.hint_guest = has_space(ctx.asid) ? &m_spaces[ctx.asid]->oracle() : nullptr;
    state.hint_host =
        virtualized() && !shadowed() ? &(nested() ? *m_ept12 : *m_host).oracle() : nullptr;
  }
  if (!state.hint_guest) return;  // no address space (yet, at stage 0)
  const TranslationMap& guest = *state.hint_guest;
  const TranslationMap* host = state.hint_host;
  Addr entry;
  if (stage == 0) {
    guest.prefetch_index(va);
  } else if (stage == 1) {
    guest.prefetch(va);
  } else if (stage == 2) {
    state.mapped = guest.lookup(va, state.guest);
    state.va = va;
    state.guest_map = &guest;
    state.guest_version = guest.version();
    state.host_map = nullptr;
    if (!state.mapped) return;
    state.gpa = state.guest.translate(va);
    if (host) host->prefetch_index(state.gpa);
    if (!nested() && first_leaf_entry(ctx, va, entry)) {
      m_mem.prefetch(entry);
      state.lines[state.nlines++] = entry;
    }
  } else if (stage == 3) {
    if (state.mapped && host) host->prefetch(state.gpa);
  } else if (state.mapped) {
    if (!virtualized()) {
      state.lines[state.nlines++] = state.gpa;
      return;
    }
    if (host_leaf_entry(state.gpa, entry)) {
      m_mem.prefetch(entry);
      state.lines[state.nlines++] = entry;
    }
    if (nested() || !host) return;  // host: the EPT's oracle
    state.host_mapped = host->lookup(state.gpa, state.host);
    state.host_map = host;
    state.host_version = host->version();
    if (state.host_mapped) state.lines[state.nlines++] = state.host.translate(state.gpa);
  }
}

unsigned Machine::hinted_lines(Context ctx, Addr va, Addr* out) const {
  PrefetchState state;
  unsigned n = 0;
  for (unsigned stage = 0; stage < kPrefetchStages; ++stage) {
    prefetch(ctx, va, stage, state);
    for (unsigned i = 0; i < state.nlines; ++i) out[n++] = state.lines[i];
  }
  return n;
}

}  // namespace mmusim
