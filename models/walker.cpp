#include "models/walker.h"

#include <algorithm>
#include <stdexcept>

#include "models/asap.h"
#include "models/cwc.h"
#include "models/ecpt.h"
#include "models/pwc.h"
#include "models/tlb.h"

namespace mmusim {

namespace {
// Marks a PWC entry that points to a flattened table (table addresses are 4 KiB aligned).
constexpr Addr kPwcFlat = 1;
// Agile Paging: marks a PWC entry of a shadow-rooted dimension that points to a guest table (the
// walk is in nested mode below it).
constexpr Addr kPwcGuest = 2;
}  // namespace

void Walker::walk(const WalkDim* dims, unsigned ndims, Addr va, AccessKind access,
                  WalkMemory& mem, WalkResult& out) {
  if (ndims == 0 || ndims > kMaxDims) throw std::invalid_argument("walker: 1 to 3 dimensions");
  out.reset();
  m_dims = dims;
  m_ndims = ndims;
  m_mem = &mem;
  m_out = &out;
  Leaf leaf;
  m_off_chain = 0;
  m_npf = 0;
  m_table_line = false;
  // Agile Paging starts in the shadow table (the guest dimension only: dims[0]).
  bool ok;
  if (dims[0].shadow_root) [[unlikely]]
    ok = walk_agile(0, va, access, leaf);
  else
    ok = translate(0, va, access, leaf);
  out.serial_refs = static_cast<uint16_t>(out.nrefs - m_off_chain);
  if (ok) {
    out.pa = leaf.pa;
    out.size = leaf.size;
    out.perms = leaf.perms;
  }
}

bool Walker::fault(FaultKind kind, unsigned dim, unsigned level, Addr addr) {
  // Faults in an inner dimension are the hypervisor's (EPT violations), whatever their cause.
  if (dim > 0) kind = FaultKind::kEptViolation;
  m_out->fault = Fault{kind, static_cast<uint8_t>(dim), static_cast<uint8_t>(level), addr};
  return false;
}

[[gnu::always_inline]] inline void Walker::record(unsigned dim, unsigned level, Addr pa,
                                                  Step served, Cycles start, Cycles lat) {
  WalkResult& r = *m_out;
  if (r.nrefs < WalkResult::kMaxRefs)
    r.refs[r.nrefs++] = {pa, static_cast<uint8_t>(dim), static_cast<uint8_t>(level), served,
                         static_cast<uint32_t>(start), static_cast<uint32_t>(lat)};
  ++r.refs_by_dim[dim];
  r.steps.push(served);
}

// Inline in its callers: a call per entry read cost more than the read's own bookkeeping.
[[gnu::always_inline]] inline uint64_t Walker::read(unsigned dim, unsigned level, Addr entry_pa) {
  WalkResult& r = *m_out;
  uint64_t e;
  if (m_npf && asap_take(entry_pa, e)) [[unlikely]]
    return e;
  Cycles lat = 0;
  const Cycles start = r.cycles;
  Step served;
  e = m_mem->read_entry(entry_pa, dim, level, lat, served);
  r.cycles += lat;
  r.mem_cycles += lat;
  record(dim, level, entry_pa, served, start, lat);
  return e;
}

[[gnu::always_inline]] inline void Walker::read_line(unsigned dim, unsigned level, Addr entry_pa,
                                                    uint64_t* words) {
  WalkResult& r = *m_out;
  Cycles lat = 0;
  const Cycles start = r.cycles;
  Step served;
  m_mem->read_line(entry_pa & ~Addr{63}, dim, level, lat, served, words);
  r.cycles += lat;
  r.mem_cycles += lat;
  record(dim, level, entry_pa, served, start, lat);
}

bool Walker::leaf(unsigned dim, unsigned level, Addr addr, AccessKind access, uint64_t e,
                  Leaf& out) {
  const WalkDim& d = m_dims[dim];
  const PageSize size = static_cast<PageSize>(level - 1);
  const Perms perms = entry_perms(d.format, e);
  if (!perms.allows(access)) return fault(FaultKind::kProtection, dim, level, addr);
  const Addr next = page_base(entry_addr(e), size) | (addr & page_mask(size));
  if (dim + 1 == m_ndims) {
    out = {next, size, perms};
  } else {
    // The output address is in the next dimension's input space: translate it too.
    Leaf inner;
    if (!translate(dim + 1, next, access, inner)) return false;
    out = {inner.pa, smaller(size, inner.size), perms & inner.perms};
  }
  if (dim > 0 && d.tlb && d.tlb->enabled())  // it missed on the way in
    d.tlb->insert(addr, out.pa, out.size, out.perms, d.ctx, true);
  return true;
}

// Apart from translate: DMT is off in most runs, and translate stays small for the walk loop.
[[gnu::noinline]] bool Walker::dmt_leaf(unsigned dim, Addr addr, AccessKind access, Leaf& out,
                                        bool& done) {
  const WalkDim& d = m_dims[dim];
  WalkResult& r = *m_out;
  Addr entry;
  unsigned level;
  Cycles lat = 0;
  const bool hit = d.dmt_port->dmt_lookup(d.dmt.set, addr, d.dmt.tag, entry, level, lat);
  r.cycles += lat;
  if (!hit) return false;
  r.steps.push(Step::kDmt);
  Addr entry_pa = entry;
  if (!d.dmt.host_entry && dim + 1 < m_ndims) {  // a guest TEA in guest-physical memory
    Leaf at;
    if (!translate(dim + 1, entry, AccessKind::kLoad, at)) {
      done = false;
      return true;
    }
    entry_pa = at.pa;
  }
  const uint64_t e = read(dim, level, entry_pa);
  if (entry_present(d.format, e) && entry_is_leaf(d.format, e, level)) {
    ++r.dmt_hits;
    done = leaf(dim, level, addr, access, e, out);
    return true;
  }
  ++r.dmt_fallbacks;  // not mapped, or mapped with another page size: walk the radix
  return false;
}

[[gnu::always_inline]] inline bool Walker::probe_pwc(const WalkDim& d, Addr addr, unsigned& level,
                                                    Addr& table) {
  if (!d.pwc || !d.pwc->enabled()) return false;
  WalkResult& r = *m_out;
  r.cycles += m_params.pwc_latency;
  ++r.pwc_probes;
  if (!d.pwc->lookup(addr, d.ctx.key(), level, table)) return false;
  ++r.pwc_hits;
  r.steps.push(Step::kPwc);
  return true;
}

[[gnu::always_inline]] inline bool Walker::translate_table(unsigned dim, Addr gpa, Addr& pa) {
  const bool was = m_table_line;
  m_table_line = true;
  Leaf at;
  const bool ok = translate(dim, gpa, AccessKind::kLoad, at);
  m_table_line = was;
  pa = at.pa;
  return ok;
}

[[gnu::always_inline]] inline bool Walker::table_pa(unsigned dim, Addr addr, unsigned level,
                                                   Addr& table) {
  const Addr off = table_index(addr, level) * 8;
  Addr pa;
  if (m_npf && asap_translated(dim, table + off, pa)) [[unlikely]] {
    table = pa - off;
    return true;
  }
  return translate_table(dim + 1, table, table);
}

bool Walker::translate(unsigned dim, Addr addr, AccessKind access, Leaf& out) {
  if (dim >= kMaxDims) return false;  // walk() bounds ndims; this tells the compiler too
  const WalkDim& d = m_dims[dim];
  const bool innermost = dim + 1 == m_ndims;
  WalkResult& r = *m_out;

  // Nested TLB: a whole translation of an inner dimension (gPA page -> hPA page).
  if (dim > 0 && d.tlb && d.tlb->enabled()) {
    r.cycles += m_params.ntlb_latency;
    ++r.ntlb_probes;
    TlbHit hit;
    if (d.tlb->lookup(addr, d.ctx, hit)) {
      ++r.ntlb_hits;
      r.steps.push(Step::kNtlb);
      if (!hit.perms.allows(access)) return fault(FaultKind::kProtection, dim, 0, addr);
      out = {hit.pa_base | (addr & page_mask(hit.size)), hit.size, hit.perms};
      return true;
    }
  }

  // DMT: a TEA register gives the leaf entry's address at once. ASAP: its range registers give
  // the PL2 and PL1 entries' addresses, prefetched beside the walk.
  if (d.dmt.enabled) [[unlikely]] {
    bool done;
    if (d.asap)
      asap_prefetch(dim, addr);
    else if (d.dmt_port && dmt_leaf(dim, addr, access, out, done))
      return done;
  }

  if (d.ecpt) [[unlikely]]
    return walk_ecpt(dim, addr, access, out);

  // Paging-structure caches: start below the deepest cached non-leaf entry.
  unsigned level;
  Addr table;
  const bool cached = probe_pwc(d, addr, level, table);
  if (cached && (table & kPwcFlat)) [[unlikely]]
    return walk_flat(dim, addr, access, out, level, table & ~kPwcFlat, true);
  if (!cached) {
    level = d.levels;
    table = d.root;
    if (d.root_flat) [[unlikely]]
      return walk_flat(dim, addr, access, out, level, table, true);
    // The root pointer (CR3 / EPTP of the next level) is in the next space.
    if (!innermost && !translate_table(dim + 1, d.root, table)) return false;
  }

  return walk_levels(dim, addr, access, out, level, table, 0);
}

[[gnu::always_inline]] inline bool Walker::walk_levels(unsigned dim, Addr addr, AccessKind access,
                                                       Leaf& out, unsigned level, Addr table,
                                                       Addr mark) {
  const WalkDim& d = m_dims[dim];
  const bool innermost = dim + 1 == m_ndims;
  for (;; --level) {
    // Read the entry of this dimension's level-`level` table (PML5/PML4/PDPT/PD/PT).
    const uint64_t e = read(dim, level, table + table_index(addr, level) * 8);
    if (!entry_present(d.format, e)) return fault(FaultKind::kNotPresent, dim, level, addr);
    if (entry_is_leaf(d.format, e, level)) return leaf(dim, level, addr, access, e, out);

    Addr next_table = entry_addr(e);
    if (e & kFlatNext) [[unlikely]] {
      if (d.pwc && d.pwc->enabled())
        d.pwc->insert(addr, d.ctx.key(), level, next_table | kPwcFlat, true);
      return walk_flat(dim, addr, access, out, level - 1, next_table, true);
    }
    // The next table's address is in the next dimension's input space.
    if (!innermost && !table_pa(dim, addr, level - 1, next_table)) return false;
    // Levels below the deepest hit missed in the lookup above.
    if (d.pwc && d.pwc->enabled())
      d.pwc->insert(addr, d.ctx.key(), level, next_table | mark, true);
    table = next_table;
  }
}

[[gnu::noinline]] bool Walker::walk_agile(unsigned dim, Addr addr, AccessKind access,
                                          Leaf& out) {
  const WalkDim& d = m_dims[dim];
  WalkResult& r = *m_out;
  unsigned level;
  Addr table;
  if (!probe_pwc(d, addr, level, table)) {
    level = d.levels;
    table = d.shadow_root;
  } else if (table & kPwcGuest) {  // below the switch: a guest table, at its host address
    r.agile_nested = 1;
    return walk_levels(dim, addr, access, out, level, table & ~kPwcGuest, kPwcGuest);
  }
  for (;; --level) {
    const uint64_t e = read(dim, level, table + table_index(addr, level) * 8);
    if (!entry_present(d.format, e)) return fault(FaultKind::kNotPresent, dim, level, addr);
    if (entry_is_leaf(d.format, e, level)) {  // a shadow leaf: host-physical already
      const PageSize size = static_cast<PageSize>(level - 1);
      const Perms perms = entry_perms(d.format, e);
      if (!perms.allows(access)) return fault(FaultKind::kProtection, dim, level, addr);
      out = {page_base(entry_addr(e), size) | (addr & page_mask(size)), size, perms};
      return true;
    }
    const Addr next = entry_addr(e);
    const bool to_guest = (e & kForeignTable) != 0;
    if (d.pwc && d.pwc->enabled())
      d.pwc->insert(addr, d.ctx.key(), level, next | (to_guest ? kPwcGuest : 0), true);
    if (to_guest) {  // the switch: the guest's table of the next level, walked in 2D from here
      r.agile_nested = 1;
      return walk_levels(dim, addr, access, out, level - 1, next, kPwcGuest);
    }
    table = next;
  }
}

[[gnu::noinline]] bool Walker::walk_ecpt(unsigned dim, Addr addr, AccessKind access,
                                         Leaf& out) {
  uint8_t ways[kNumPageSizes];
  const bool narrowed = ecpt_plan(dim, addr, ways);
  uint64_t entry = 0;
  unsigned level = 0;  // the leaf level of the entry found, 0: none
  if (!ecpt_step(dim, addr, ways, entry, level)) return false;
  if (!level && narrowed) {  // the CWCs were out of date (or addr is unmapped): the other ways
    const Ecpt& e = *m_dims[dim].ecpt;
    bool any = false;
    for (unsigned s = 0; s < kNumPageSizes; ++s) {
      const EcptTable* t = e.table(static_cast<PageSize>(s));
      ways[s] = t ? static_cast<uint8_t>(((1u << t->ways()) - 1) & ~ways[s]) : 0;
      any |= ways[s] != 0;
    }
    if (any) {
      ++m_out->ecpt_reprobes;
      if (!ecpt_step(dim, addr, ways, entry, level)) return false;
    }
  }
  if (!level) return fault(FaultKind::kNotPresent, dim, 1, addr);
  return leaf(dim, level, addr, access, entry, out);
}

bool Walker::ecpt_plan(unsigned dim, Addr addr, uint8_t* ways) {
  const WalkDim& d = m_dims[dim];
  for (unsigned s = 0; s < kNumPageSizes; ++s) {
    const EcptTable* t = d.ecpt->table(static_cast<PageSize>(s));
    ways[s] = t ? static_cast<uint8_t>((1u << t->ways()) - 1) : 0;
  }
  WalkResult& r = *m_out;
  if (!d.cwc || !d.cwc->enabled()) {
    r.cycles += m_params.ecpt_hash_latency;
    return false;
  }
  r.cycles += std::max(m_params.ecpt_hash_latency, m_params.cwc_latency);
  const auto way = [](uint8_t h) { return static_cast<uint8_t>(1u << (h >> Ecpt::kWayShift)); };
  const uint32_t ctx = d.ctx.key();
  bool narrowed = false;
  uint8_t h;
  bool refill[Ecpt::kCwtLevels] = {};
  if (d.cwc->lookup(Ecpt::kPudCwt, addr, ctx, h)) {  // which sizes, and the 1G entry's way
    narrowed = true;
    ways[2] &= (h & 4) ? way(h) : 0;
    if (!(h & 2)) ways[1] = 0;
    if (!(h & 1)) ways[0] = 0;
  } else {
    refill[Ecpt::kPudCwt] = true;
  }
  if (ways[1]) {  // 2M pages may map addr: the PMD-CWC gives their way, and whether 4K ones do
    const bool hit = d.cwc->lookup(Ecpt::kPmdCwt, addr, ctx, h);
    d.cwc->adapt(Ecpt::kPmdCwt, hit, !m_table_line);
    if (hit) {
      narrowed = true;
      ways[1] &= (h & 2) ? way(h) : 0;
      if (!(h & 1)) ways[0] = 0;
    } else {
      refill[Ecpt::kPmdCwt] = true;
    }
  }
  // Nested ECPT's host tables: the PTE-CWC gives a 4K line's way.
  if (ways[0] && d.ecpt->cwt(Ecpt::kPteCwt) && (m_table_line || d.cwc->pte_for_data())) {
    const bool hit = d.cwc->lookup(Ecpt::kPteCwt, addr, ctx, h);
    d.cwc->adapt(Ecpt::kPteCwt, hit, !m_table_line);
    if (hit) {
      narrowed = true;
      ways[0] &= (h & 1) ? way(h) : 0;
    } else {
      refill[Ecpt::kPteCwt] = true;
    }
  }
  for (unsigned l = 0; l < Ecpt::kCwtLevels; ++l)
    if (refill[l]) cwt_refill(dim, l, addr);
  return narrowed;
}

[[gnu::noinline]] void Walker::cwt_refill(unsigned dim, unsigned level, Addr addr) {
  const WalkDim& d = m_dims[dim];
  const EcptTable* t = d.ecpt->cwt(level);
  if (!t) return;
  WalkResult& r = *m_out;
  const Cycles t0 = r.cycles, mem0 = r.mem_cycles;
  const unsigned c0 = chain();
  const Fault fault0 = r.fault;
  Addr lines[EcptTable::kMaxWays];
  const unsigned n = t->probe_lines(addr, lines);
  for (unsigned w = 0; w < n; ++w) {  // both ways at once, neither on the walk's path
    r.cycles = t0;
    Addr pa = lines[w];
    if (dim + 1 < m_ndims && !translate_table(dim + 1, pa, pa)) continue;
    static constexpr unsigned kRefLevel[Ecpt::kCwtLevels] = {2, 3, 1};  // PMD, PUD, PTE
    uint64_t words[EcptTable::kClusterPages], e;
    read_line(dim, kRefLevel[level], pa, words);
    if (EcptTable::match(words, addr, t->shift(), e)) d.cwc->fill(level, addr, d.ctx.key(), words);
  }
  r.cycles = t0;
  r.mem_cycles = mem0;
  r.fault = fault0;
  m_off_chain += chain() - c0;
}

bool Walker::ecpt_step(unsigned dim, Addr addr, const uint8_t* ways, uint64_t& entry,
                       unsigned& level) {
  const WalkDim& d = m_dims[dim];
  WalkResult& r = *m_out;
  const Cycles start = r.cycles, mem0 = r.mem_cycles;
  Cycles end = start, end_mem = mem0;
  unsigned longest = 0;
  const auto chain_done = [&](unsigned from) {
    const unsigned len = chain() - from;
    m_off_chain += len;
    longest = std::max(longest, len);
    if (r.cycles >= end) {
      end = r.cycles;
      end_mem = r.mem_cycles;
    }
  };
  bool ok = true;
  for (unsigned s = 0; s < kNumPageSizes && ok; ++s) {
    const PageSize size = static_cast<PageSize>(s);
    const EcptTable* t = d.ecpt->table(size);
    if (!t || !ways[s]) continue;
    const Addr word = ((addr >> page_shift(size)) & (EcptTable::kClusterPages - 1)) * 8;
    for (unsigned w = 0; w < t->ways() && ok; ++w) {
      if (!(ways[s] >> w & 1)) continue;
      const Addr line = t->probe_line(addr, w);  // only the ways probed are hashed
      r.cycles = start;
      r.mem_cycles = mem0;
      const unsigned from = chain();
      ++r.ecpt_probes;
      Addr pa = line + word;
      if (dim + 1 < m_ndims) ok = translate_table(dim + 1, pa, pa);  // in guest-physical memory
      // One read of the 64-byte line (the tag is spread over its words), recorded at the word.
      uint64_t words[EcptTable::kClusterPages], e;
      if (ok) read_line(dim, leaf_level(size), pa, words);
      chain_done(from);
      if (!ok || level) continue;
      if (EcptTable::match(words, addr, t->shift(), e) && entry_present(d.format, e)) {
        entry = e;
        level = leaf_level(size);
      }
    }
  }
  r.cycles = end;
  r.mem_cycles = end_mem;
  m_off_chain -= longest;
  return ok;
}

[[gnu::noinline]] void Walker::asap_prefetch(unsigned dim, Addr addr) {
  const WalkDim& d = m_dims[dim];
  DmtHit hits[AsapUnit::kMaxHits];
  const unsigned n = d.asap->lookup(d.dmt.set, addr, d.dmt.tag, hits);
  WalkResult& r = *m_out;
  const Cycles t0 = r.cycles, mem0 = r.mem_cycles;
  const unsigned refs0 = r.nrefs, off0 = m_off_chain;
  const Fault fault0 = r.fault;
  for (unsigned i = 0; i < n && m_npf < kMaxPrefetches; ++i) {
    r.cycles = t0 + d.asap->latency;  // each issues once the registers have answered
    Addr pa = hits[i].entry;
    bool ok = true;
    if (!d.dmt.host_entry && dim + 1 < m_ndims) {  // a guest area in guest-physical memory
      Leaf at;
      ok = translate(dim + 1, pa, AccessKind::kLoad, at);
      pa = at.pa;
    }
    if (ok) {
      const uint64_t e = read(dim, hits[i].level, pa);
      m_pf[m_npf++] = {dim, hits[i].entry, pa, e, r.cycles, chain()};
      ++r.asap_prefetches;
    }
    // Each prefetch is its own chain from the walk's start; one that cannot be translated is
    // dropped, and so is its fault.
    r.fault = fault0;
    r.cycles = t0;
    r.mem_cycles = mem0;
    m_off_chain = off0 + (r.nrefs - refs0);  // the walk's own chain is where it was
  }
}

bool Walker::asap_translated(unsigned dim, Addr space, Addr& pa) const {
  for (unsigned i = 0; i < m_npf; ++i) {
    if (m_pf[i].space != space || m_pf[i].dim != dim) continue;
    pa = m_pf[i].pa;
    return true;
  }
  return false;
}

bool Walker::asap_take(Addr entry_pa, uint64_t& e) {
  for (unsigned i = 0; i < m_npf; ++i) {
    Prefetch& p = m_pf[i];
    if (p.pa != entry_pa) continue;
    WalkResult& r = *m_out;
    if (p.done > r.cycles) {  // still in flight: wait for its data
      const Cycles wait = p.done - r.cycles;
      r.asap_wait_cycles += static_cast<uint32_t>(wait);
      r.cycles += wait;
      r.mem_cycles += wait;
    }
    if (p.chain > chain()) m_off_chain -= p.chain - chain();  // the walk joins its chain
    ++r.asap_used;
    e = p.value;
    p = m_pf[--m_npf];  // taken: a later read of it is an ordinary one
    return true;
  }
  return false;
}

// FPT: the walk from a table of `level` (flattened or not) at `table`, in this dimension's table
// space when the table is flattened and the dimension is not the innermost (its entries are
// translated one by one: its 4 KiB pages need not be contiguous there), else host-physical. A
// flattened table's entries are those of the level below its upper one. PWC entries that point to
// a flattened table carry kPwcFlat.
[[gnu::noinline]] bool Walker::walk_flat(unsigned dim, Addr addr, AccessKind access, Leaf& out,
                                         unsigned level, Addr table, bool flat) {
  const WalkDim& d = m_dims[dim];
  const bool innermost = dim + 1 == m_ndims;
  for (;;) {
    unsigned el = level;
    Addr slot = table + table_index(addr, level) * 8;
    if (flat) {
      el = level - 1;
      slot = table + flat_index(addr, level) * 8;
      if (!innermost) {
        Leaf at;
        if (!translate(dim + 1, slot, AccessKind::kLoad, at)) return false;
        slot = at.pa;
      }
    }
    const uint64_t e = read(dim, el, slot);
    if (!entry_present(d.format, e)) return fault(FaultKind::kNotPresent, dim, el, addr);
    if (entry_is_leaf(d.format, e, el)) {
      // A copy of a 2 MiB page's entry in a flattened L2+L1 table.
      if (flat && el == 1 && (e & x86pte::kPageSize)) el = 2;
      return leaf(dim, el, addr, access, e, out);
    }
    Addr next_table = entry_addr(e);
    const bool next_flat = (e & kFlatNext) != 0;
    if (!innermost && !next_flat) {  // the next table's address is in the next dimension's space
      Leaf inner;
      if (!translate(dim + 1, next_table, AccessKind::kLoad, inner)) return false;
      next_table = inner.pa;
    }
    if (d.pwc && d.pwc->enabled())
      d.pwc->insert(addr, d.ctx.key(), el, next_table | (next_flat ? kPwcFlat : 0), true);
    table = next_table;
    flat = next_flat;
    level = el - 1;
  }
}

}  // namespace mmusim
