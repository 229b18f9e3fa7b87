#include "testbench/os_emulation.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "tlm/mmu.h"

namespace mmusim {

namespace {
std::string hex(Addr a) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(a));
  return buf;
}
}  // namespace

OsEmulation::OsEmulation(Machine& machine, std::vector<Vma> vmas, const SoftwareCosts& costs,
                         bool pcid, const TeaPolicy& dmt, uint64_t seed)
    : m_machine(machine), m_scheme(machine.scheme()), m_vmas(std::move(vmas)), m_sw(costs),
      m_pcid(pcid), m_shoot(m_sw, m_scheme, pcid, seed) {
  for (const Vma& v : m_vmas)
    m_scheme.space(v.asid);  // each process's tables exist before it runs
  // DMT: large VMAs get a TEA before anything in them is mapped, so their leaf tables are the
  // TEA's pages from the start.
  m_dmt = std::make_unique<TeaManager>(m_machine, m_vmas, dmt);
}

void OsEmulation::attach(Mmu& mmu, uint16_t running) {
  if (running == 0) running = m_vmas.empty() ? 1 : m_vmas.front().asid;
  m_shoot.add_core(mmu, running);
  m_dmt->attach(mmu, running);
}

void OsEmulation::settle() {
  for (unsigned i = 0; i < m_shoot.cores(); ++i) m_shoot.mmu(i).dmt().settle();
}

const Vma* OsEmulation::find_vma(uint16_t asid, Addr va) const {
  for (const Vma& v : m_vmas)
    if (v.asid == asid && v.contains(va)) return &v;
  return nullptr;
}

bool OsEmulation::prefault() {
  for (const Vma& v : m_vmas) {
    for (Addr a = v.start; a < v.end;) {
      if (!m_scheme.populate(v.asid, a)) return false;
      // The next page of the composed translation: a guest page over smaller host pages is
      // backed one host page at a time.
      Mapping t;
      m_scheme.truth(v.asid, a, t);
      a = t.base + page_bytes(t.size);
    }
  }
  return true;
}

OsEmulation::Stats OsEmulation::stats() const {
  Stats s = m_stats;
  static_cast<Software::Stats&>(s) = m_sw.stats();
  return s;
}

OsEmulation::Handled OsEmulation::handle(Context ctx, Addr va, const Fault& fault) {
  const Vma* vma = find_vma(ctx.asid, va);
  const Handled h = m_scheme.handle_fault(ctx, va, fault, vma ? &vma->perms : nullptr, m_sw);
  flush_if_asked();
  return h;
}

Cycles OsEmulation::periodic() {
  const Cycles c = m_scheme.periodic(m_sw);
  flush_if_asked();
  return c;
}

void OsEmulation::flush_if_asked() {
  if (!m_scheme.take_walk_cache_flush()) return;
  for (unsigned i = 0; i < m_shoot.cores(); ++i) m_shoot.mmu(i).flush_walk_caches();
}

Cycles OsEmulation::context_switch(Context from, Context to, unsigned core) {
  ++m_stats.context_switches;
  Cycles c = m_sw.os(m_sw.costs().context_switch);
  c += m_scheme.on_cr3_write(m_sw);  // shadow paging: the hypervisor switches shadow roots
  // Without PCIDs a CR3 write drops the VM's linear translations (TLBs, guest PWC); EPT-derived
  // entries (host PWC, nested TLB) survive. With PCIDs the tags keep both processes' entries.
  const bool attached = core < m_shoot.cores();
  if (!m_pcid && attached && from.asid != to.asid) m_shoot.mmu(core).flush_linear(from.vpid);
  m_dmt->switch_to(core, to.asid);  // TEA registers are part of the process's context
  // Back to an address space a shootdown changed while this core ran another: flush it.
  if (attached) c += m_shoot.switch_to(core, to.asid);
  return c;
}

Cycles OsEmulation::unmap(Context ctx, Addr va, uint32_t pages, unsigned core) {
  ++m_stats.unmap_events;
  return change(ctx, va, pages, core, Change::kUnmap);
}

Cycles OsEmulation::protect(Context ctx, Addr va, uint32_t pages, unsigned core) {
  ++m_stats.protect_events;
  return change(ctx, va, pages, core, Change::kProtect);
}

Cycles OsEmulation::migrate(Context ctx, Addr va, uint32_t pages, unsigned core) {
  ++m_stats.migrate_events;
  return change(ctx, va, pages, core, Change::kMigrate);
}

// One page's change: false when it changed nothing (not mapped, already read-only, no frame to
// migrate to); m: the mapping before.
bool OsEmulation::change_page(AddressSpace& space, Addr a, Change op, Mapping& m, Cycles& c) {
  const SoftwareCosts& k = m_sw.costs();
  switch (op) {
    case Change::kUnmap:
      if (!space.unmap(a, &m)) return false;
      ++m_stats.unmapped_pages;
      c += k.unmap_page;
      break;
    case Change::kProtect: {
      if (!space.oracle().lookup(a, m) || !m.perms.write) return false;
      Perms read_only = m.perms;
      read_only.write = false;
      space.protect(a, read_only);
      ++m_stats.protected_pages;
      c += k.mprotect_page;
      break;
    }
    case Change::kMigrate:
      if (!space.migrate(a, &m)) return false;
      m_stats.migrated_pages += page_bytes(m.size) / kPageBytes;
      c += k.migrate_page * (page_bytes(m.size) / kPageBytes);
      break;
  }
  c += k.invlpg;
  return true;
}

Cycles OsEmulation::change(Context ctx, Addr va, uint32_t pages, unsigned core, Change op) {
  AddressSpace& space = m_scheme.space(ctx.asid);
  const uint64_t writes = m_scheme.table_writes();
  Cycles c = 0;
  Mmu* mmu = core < m_shoot.cores() ? &m_shoot.mmu(core) : nullptr;
  m_pages.clear();
  const Addr end = va + Addr{pages} * kPageBytes;
  for (Addr a = va; a < end;) {
    Mapping m;
    if (!change_page(space, a, op, m, c)) {
      // Past the page left alone (a large one: all of it).
      a = space.oracle().lookup(a, m) ? m.base + page_bytes(m.size) : a + kPageBytes;
      continue;
    }
    m_scheme.on_leaf_changed(ctx.asid, m);
    // invlpg: TLB entries and the PWC entries above; a large page may sit in the TLBs as 4K
    // pieces (splintered where the other dimension or an array holds smaller pages).
    if (mmu) mmu->flush_pages(m.base, m.base + page_bytes(m.size), ctx);
    for (Addr p = m.base; p < m.base + page_bytes(m.size); p += kPageBytes) m_pages.push_back(p);
    a = std::max(a + kPageBytes, m.base + page_bytes(m.size));
  }
  c = m_sw.os(c);
  c += m_scheme.trapped_table_writes(writes, m_sw);  // shadow paging: each write exited
  flush_if_asked();
  if (mmu) c += m_shoot.shoot(core, ctx, m_pages);  // the other cores running ctx
  return c;
}

Cycles OsEmulation::grow(Context ctx, Addr end, uint32_t pages, unsigned core) {
  const Addr new_end = end + Addr{pages} * kPageBytes;
  size_t index = m_vmas.size();
  for (size_t i = 0; i < m_vmas.size(); ++i) {
    const Vma& v = m_vmas[i];
    if (v.asid != ctx.asid) continue;
    // Several cores: a thread of the process on another core may have grown it already.
    if (v.end == end || (v.contains(end - 1) && v.end > end))
      index = i;
    else if (v.start < new_end && v.end > end)
      throw std::runtime_error("VMA growth: [" + hex(end) + ", " + hex(new_end) +
                               ") would overlap VMA '" + v.name + "'");
  }
  if (index == m_vmas.size())
    throw std::runtime_error("VMA growth: no VMA of address space " + std::to_string(ctx.asid) +
                             " ends at " + hex(end));
  if (m_vmas[index].end >= new_end) return 0;  // as far as this thread needs
  end = m_vmas[index].end;
  m_vmas[index].end = new_end;
  ++m_stats.vma_growths;
  m_stats.vma_grown_bytes += new_end - end;
  const TeaManager::Work w = m_dmt->vma_grew(index, new_end, core);
  Cycles c = m_sw.os(m_sw.costs().vma_growth) + tea_work(w);
  // The other cores running the address space: the moved tables' walk-cache entries, and the
  // new registers.
  if (w.registers && core < m_shoot.cores())
    c += m_shoot.shoot(core, ctx, w.moved_ranges, m_dmt.get());
  return c;
}

Cycles OsEmulation::tea_work(const TeaManager::Work& w) {
  if (!w.created && !w.reallocated) return 0;
  const SoftwareCosts& k = m_sw.costs();
  Cycles c = m_sw.os(k.tea_growth + w.moved * (k.tea_move_page + k.invlpg));
  // DMT: the guest's first writes to the new TEA's pages exit, and the hypervisor backs them.
  for (uint64_t n = 0; n < w.backed; ++n)
    c += m_sw.vm_exit(ExitReason::kEptViolation, k.ept_violation);
  if (w.hypercall)  // pvDMT: one hypercall (nested: reflected to L1, multiplying exits at L0)
    c += m_sw.vm_exit(ExitReason::kHypercall,
                      m_scheme.tea_hypercall_reflection(k) + k.tea_hypercall);
  m_stats.tea_cycles += c;
  return c;
}

void OsEmulation::report(StatsVisitor& v) const {
  uint64_t vma_bytes = 0;
  for (const Vma& m : m_vmas) vma_bytes += m.end - m.start;
  v.state("vmas", m_vmas.size(), "count", "VMAs the workload declared (all address spaces)");
  v.state("vma_bytes", vma_bytes, "bytes", "their total size");
  const Software::Stats& sw = m_sw.stats();
  v.counter("demand_faults", sw.demand_faults, "count",
            "first touches inside a VMA, mapped by the (guest) OS");
  v.counter("segfaults", sw.segfaults, "count", "accesses outside every VMA (abandoned)");
  v.counter("protection_faults", sw.protection_faults, "count",
            "accesses the mapping forbids (abandoned)");
  v.counter("context_switches", m_stats.context_switches, "count", "CR3 writes by the (guest) OS");
  v.counter("unmap_events", m_stats.unmap_events, "count", "page-table churn events");
  v.counter("unmapped_pages", m_stats.unmapped_pages, "pages", "pages those events unmapped");
  v.counter("mprotect_events", m_stats.protect_events, "count",
            "permission downgrades (workload.mprotect_every)");
  v.counter("protected_pages", m_stats.protected_pages, "pages",
            "pages those events write-protected (a large page counts once)");
  v.counter("write_protect_faults", sw.write_protect_faults, "count",
            "stores to pages the OS write-protected, which it made writable again");
  v.counter("migrate_events", m_stats.migrate_events, "count",
            "page migrations (workload.migrate_every)");
  v.counter("migrated_pages", m_stats.migrated_pages, "pages",
            "4 KiB pages those events moved to new frames");
  v.counter("os_cycles", sw.os_cycles, "cycles", "(guest) OS handler time");
  v.counter("vm_exit_cycles", sw.vm_exit_cycles, "cycles",
            "VM exit round trips plus hypervisor handlers");
  v.counter("vm_exits", vm_exits(), "count", "VM exits, all reasons");
  v.counter("vma_growths", m_stats.vma_growths, "count",
            "VMA growth events (brk, mremap); the new part is demand-paged");
  v.counter("vma_grown_bytes", m_stats.vma_grown_bytes, "bytes", "bytes those events added");
  const TeaManager::Stats& t = m_dmt->stats();
  v.state("teas", t.vmas_with_tea, "count",
          "VMAs the (guest) OS gave a TEA (DMT, ASAP), their own or one they share");
  v.state("vmas_without_tea", t.vmas_without_tea, "count",
          "VMAs left to the radix walk: too small, out of registers, or no contiguous memory");
  v.state("tea_registers", t.registers, "count",
          "TEA registers in use, all address spaces (DMT: one a TEA; ASAP: one a table level)");
  v.state("tea_shared_vmas", t.shared_vmas, "count",
          "VMAs whose TEA also covers adjacent VMAs (system.dmt_share_density)");
  v.counter("teas_on_growth", t.created_on_growth, "count",
            "TEAs created when a VMA's growth made its group large enough");
  v.counter("tea_growths", t.growths, "count",
            "TEAs replaced by one of doubled capacity as their VMA outgrew them");
  v.counter("tea_pages_moved", t.pages_moved, "pages",
            "leaf page-table pages moved into a new or larger TEA");
  v.counter("tea_growth_failures", t.growth_failures, "count",
            "TEA allocations at a VMA's growth that found no contiguous memory (the part "
            "beyond the TEA walks the radix)");
  v.counter("tea_cycles", m_stats.tea_cycles, "cycles",
            "TEA creation and growth at VMA growth: OS work and VM exits (in os_cycles and "
            "vm_exit_cycles)");
  v.begin("vm_exits_by_reason");
  for (unsigned r = 0; r < static_cast<unsigned>(ExitReason::kCount); ++r)
    if (cores() > 1 || r < static_cast<unsigned>(kFirstShootdownReason))
      v.counter(exit_reason_name(static_cast<ExitReason>(r)), sw.vm_exits[r], "count",
                "VM exits for this reason");
  v.end();
  if (cores() > 1) {
    v.begin("shootdowns");
    m_shoot.report(v);
    v.end();
  }
}

}  // namespace mmusim
