#include "models/scheme_agile.h"

#include <vector>

namespace mmusim {

namespace {
// The bytes a guest table of `level` translates (a PT 2 MiB, a PD 1 GiB, ...).
constexpr Addr table_span(unsigned level) { return Addr{1} << (kPageShift + 9 * level); }
}  // namespace

// Tells the scheme of the writes to one address space's guest tables.
class AgileScheme::Tracker final : public TableWriteObserver {
 public:
  Tracker(AgileScheme& scheme, uint16_t asid) : m_scheme(scheme), m_asid(asid) {}
  void entry_written(unsigned level, Addr addr) override {
    m_scheme.written(m_asid, level, addr);
  }

 private:
  AgileScheme& m_scheme;
  uint16_t m_asid;
};

SchemeFeatures AgileScheme::features() {
  SchemeFeatures f;
  f.dmt_refusal = f.pvdmt_refusal = "DMT is not modelled under Agile Paging";
  f.asap_refusal = "ASAP is modelled natively and under EPT, not under Agile Paging";
  return f;
}

AgileScheme::AgileScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas)
    : WithHints(params, mem, teas, "ept") {
  init_guest(*m_host_backing);
}

AgileScheme::~AgileScheme() = default;

uint64_t AgileScheme::page_key(uint16_t asid, unsigned level, Addr va) {
  // Regions below 2^36 (a PT's 2 MiB in a 57-bit space); level in bits 37-39, ASID above.
  return (uint64_t{asid} << 40) | (uint64_t{level} << 37) | (va >> (kPageShift + 9 * level));
}

void AgileScheme::space_created(uint16_t asid) {
  ShadowingScheme::space_created(asid);
  if (asid >= m_trackers.size()) m_trackers.resize(asid + 1u);
  m_trackers[asid] = std::make_unique<Tracker>(*this, asid);
  space(asid).table().set_observer(m_trackers[asid].get());
}

unsigned AgileScheme::walk_dims(Context ctx, WalkDim* out) const {
  const AddressSpace* s = space_at(ctx.asid);
  if (!s) return 0;
  set_dim(out[0], *s, ctx);
  out[0].shadow_root = m_shadows[ctx.asid]->root();
  set_dim(out[1], *m_host, Context{0, ctx.vpid});
  return 2;
}

unsigned AgileScheme::switch_level(uint16_t asid, Addr va) const {
  if (m_switch_index.empty()) return 0;
  for (unsigned level = m_params.levels - 1; level >= 1; --level)
    if (m_switch_index.contains(page_key(asid, level, va))) return level;
  return 0;
}

Expectation AgileScheme::expect(Context ctx, Addr va, AccessKind access,
                                const OracleHints*) const {
  const AddressSpace* s = space_at(ctx.asid);
  Mapping sh;
  if (!s) return ShadowScheme::shadowed(*this, ctx, va, access, nullptr);
  if (m_shadows[ctx.asid]->record().lookup(va, sh))
    return ShadowScheme::shadowed(*this, ctx, va, access, &sh);
  if (!switch_level(ctx.asid, va)) return ShadowScheme::shadowed(*this, ctx, va, access, nullptr);
  // Nested mode: the guest table x the EPT, as they stand.
  Mapping g, h;
  const bool mapped = s->oracle().lookup(va, g);
  if (!mapped || !g.perms.allows(access)) return compose(va, access, mapped ? &g : nullptr, true, nullptr);
  const bool host_mapped = host_truth(g.translate(va), h);
  return compose(va, access, &g, true, host_mapped ? &h : nullptr);
}

bool AgileScheme::populate(uint16_t asid, Addr va) {
  m_quiet = true;
  const bool ok = VirtualScheme::populate(asid, va) &&
                  (switch_level(asid, va) != 0 || shadow_fill(asid, va));
  m_quiet = false;
  return ok;
}

Scheme::Handled AgileScheme::not_present(Context ctx, Addr va, const Perms* vma, Software& sw) {
  if (switch_level(ctx.asid, va)) return demand_fault(ctx, va, vma, sw, 0);  // the guest's own
  return shadow_miss(ctx, va, vma, sw);  // in the shadowed part: as under shadow paging
}

Cycles AgileScheme::after_demand_map(Context ctx, Addr va, uint64_t writes, Software& sw) {
  const Cycles c = trapped_table_writes(writes, sw);
  if (switch_level(ctx.asid, va)) return c;  // nested: an EPT violation backs it if need be
  return c + shadow_mapped(ctx, va, sw);     // the leaf write exited; its sync shadows va
}

void AgileScheme::written(uint16_t asid, unsigned level, Addr addr) {
  if (m_quiet) return;
  const uint64_t key = page_key(asid, level, addr);
  uint32_t* n = m_writes.find(key);
  const uint32_t writes = n ? ++*n : m_writes.insert(key, 1);
  const unsigned sw = switch_level(asid, addr);
  if (sw && level <= sw) {  // a nested page: not write-protected
    ++m_stats.free_writes;
    return;
  }
  ++m_stats.trapped_writes;
  ++m_pending_traps;
  if (level >= 2 && sw == level - 1) {
    // The entry linking a nested table changed (the guest freed or replaced that table): the
    // sync drops the switch; the shadow fills the region again on demand.
    drop_switch(asid, level - 1, addr);
  } else if (writes >= m_params.agile.write_threshold && level < m_params.levels) {
    if (to_nested(asid, addr, level)) ++m_pending_conversions;
  }
}

bool AgileScheme::to_nested(uint16_t asid, Addr va, unsigned level) {
  if (level == 0 || level >= m_params.levels) return false;
  Addr gpa, hpa;
  if (!space(asid).table().find_table(va, level, gpa) || !table_to_host(gpa, hpa)) return false;
  // Switches below it are now inside the nested part.
  const Addr base = va & ~(table_span(level) - 1);
  for (unsigned l = 1; l < level; ++l) {
    auto first = m_switches.lower_bound(page_key(asid, l, base));
    auto last = m_switches.lower_bound(page_key(asid, l, base + table_span(level)));
    for (auto it = first; it != last; ++it) m_switch_index.erase(*it);
    m_switches.erase(first, last);
  }
  if (!m_shadows.at(asid)->link(base, level + 1, hpa)) host_memory_exhausted();
  m_switches.insert(page_key(asid, level, base));
  m_switch_index.insert(page_key(asid, level, base), 1);
  m_flush = true;
  ++m_stats.to_nested;
  return true;
}

void AgileScheme::drop_switch(uint16_t asid, unsigned level, Addr va) {
  m_shadows.at(asid)->unlink(va, level + 1);
  m_switches.erase(page_key(asid, level, va));
  m_switch_index.erase(page_key(asid, level, va));
  m_flush = true;
}

uint64_t AgileScheme::to_shadow(uint16_t asid, unsigned level, Addr va) {
  drop_switch(asid, level, va);
  ++m_stats.to_shadow;
  // The hypervisor composes the subtree's shadow entries again. A guest table below that was
  // written since the last scan stays nested and becomes the switch.
  const Addr base = va & ~(table_span(level) - 1);
  uint64_t rebuilt = 0;
  // The visit changes the shadow and the switches, never the guest's mappings it walks.
  space(asid).oracle().for_each_in(base, base + table_span(level), [&](const Mapping& g) {
    for (unsigned l = level - 1; l >= leaf_level(g.size); --l) {
      if (!m_writes.contains(page_key(asid, l, g.base))) continue;
      if (!switch_level(asid, g.base) && to_nested(asid, g.base, l)) ++m_pending_conversions;
      return;
    }
    if (shadow_fill(asid, g.base)) ++rebuilt;
  });
  return rebuilt;
}

Cycles AgileScheme::periodic(Software& sw) {
  if (m_switches.empty()) {
    m_writes.clear();
    return 0;
  }
  ++m_stats.scans;
  // The nested pages the guest did not write since the last scan (their dirty bits are clear).
  std::vector<uint64_t> clean;
  for (uint64_t key : m_switches)
    if (!m_writes.contains(key)) clean.push_back(key);
  uint64_t rebuilt = 0;
  for (uint64_t key : clean) {
    const uint16_t asid = static_cast<uint16_t>(key >> 40);
    const unsigned level = static_cast<unsigned>((key >> 37) & 7);
    const Addr va = (key & ((uint64_t{1} << 37) - 1)) << (kPageShift + 9 * level);
    rebuilt += to_shadow(asid, level, va);
  }
  m_writes.clear();
  m_stats.rebuilt += rebuilt;
  const SoftwareCosts& k = sw.costs();
  const Cycles c = k.agile_scan + (clean.size() + m_pending_conversions) * k.agile_convert +
                   rebuilt * k.agile_rebuild_entry;
  m_pending_conversions = 0;
  return sw.vm_exit(ExitReason::kAgileScan, c);
}

Cycles AgileScheme::trapped_table_writes(uint64_t, Software& sw) {
  // The writes to write-protected pages since the last charge (not all writes: nested pages are
  // the guest's to write), and the conversions their syncs made.
  Cycles c = 0;
  for (; m_pending_traps > 0; --m_pending_traps)
    c += sw.vm_exit(ExitReason::kShadowPtWrite, sw.costs().shadow_pt_write);
  c += sw.in_exit(m_pending_conversions * sw.costs().agile_convert);
  m_pending_conversions = 0;
  return c;
}

bool AgileScheme::take_walk_cache_flush() {
  const bool flush = m_flush;
  m_flush = false;
  return flush;
}

void AgileScheme::first_leaf_lines(Context ctx, Addr va, OracleHints& state) const {
  const ShadowTable& st = *m_shadows[ctx.asid];
  // Shadowed: the shadow's leaf entry. Nested: none hinted (the guest's entry is reached through
  // the host dimension).
  if (st.record().contains(va)) leaf_lines(st, false, va, state);
}

void AgileScheme::report_spaces(StatsVisitor& v) const {
  ShadowingScheme::report_spaces(v);
  v.begin("agile");
  v.state("switches", m_switches.size(), "count",
          "guest table pages walks switch to nested mode at (the tops of nested subtrees)");
  v.counter("to_nested", m_stats.to_nested, "count",
            "subtrees made nested: a guest table page written write_threshold times");
  v.counter("to_shadow", m_stats.to_shadow, "count",
            "nested subtrees shadowed again by a scan (not written since the last one)");
  v.counter("scans", m_stats.scans, "count", "periodic scans of the nested pages");
  v.counter("rebuilt_entries", m_stats.rebuilt, "entries",
            "shadow entries the scans composed while shadowing subtrees again");
  v.counter("trapped_writes", m_stats.trapped_writes, "count",
            "guest page-table writes to shadowed (write-protected) pages: each one exited");
  v.counter("free_writes", m_stats.free_writes, "count",
            "guest page-table writes to nested pages: no exit");
  v.end();
}

}  // namespace mmusim
