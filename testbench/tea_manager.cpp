#include "testbench/tea_manager.h"

#include <algorithm>
#include <numeric>

#include "tlm/mmu.h"

namespace mmusim {

TeaManager::TeaManager(Machine& machine, const std::vector<Vma>& vmas, const TeaPolicy& policy)
    : m_teas(machine.teas()), m_scheme(machine.scheme()), m_policy(policy), m_group_of(vmas.size()), m_vma_end(vmas.size()) {
  if (!enabled()) return;
  m_shifts = m_teas.shifts(m_scheme.params().guest_pages);
  if (m_shifts.empty()) return;  // ASAP with 1 GiB pages only: no PL1 or PL2 tables
  // Address order within each address space; adjacent VMAs join the group before them while the
  // group stays dense enough.
  std::vector<size_t> order(vmas.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return vmas[a].asid != vmas[b].asid ? vmas[a].asid < vmas[b].asid
                                        : vmas[a].start < vmas[b].start;
  });
  for (size_t i : order) {
    const Vma& v = vmas[i];
    m_vma_end[i] = v.end;
    const uint64_t bytes = v.end - v.start;
    if (!m_groups.empty() && m_policy.share_density > 0) {
      Group& g = m_groups.back();
      if (g.asid == v.asid && v.start >= g.end &&
          static_cast<double>(g.bytes + bytes) >=
              m_policy.share_density * static_cast<double>(v.end - g.start)) {
        g.end = v.end;
        g.bytes += bytes;
        ++g.vmas;
        m_group_of[i] = m_groups.size() - 1;
        continue;
      }
    }
    m_groups.push_back(Group{v.asid, v.start, v.end, bytes, 1});
    m_group_of[i] = m_groups.size() - 1;
  }
  for (Group& g : m_groups)
    if (!eligible(g) || !give_tea(g, nullptr)) m_stats.vmas_without_tea += g.vmas;
}

bool TeaManager::eligible(const Group& g) const {
  const size_t used = g.asid < m_regs.size() ? m_regs[g.asid].size() : 0;
  return g.bytes >= m_policy.min_vma && used + m_shifts.size() <= m_policy.registers;
}

// Adds what one TEA's change did to the group's.
static void merge(TeaChange& into, const TeaChange& c) {
  into.moved += c.moved;
  into.backed += c.backed;
  into.moved_ranges.insert(into.moved_ranges.end(), c.moved_ranges.begin(),
                           c.moved_ranges.end());
}

bool TeaManager::give_tea(Group& g, TeaChange* change) {
  TeaChange all;
  for (uint8_t shift : m_shifts) {
    TeaRegister reg;
    TeaChange c;
    if (!m_teas.create(g.asid, g.start, g.end, shift, reg, &c)) break;
    merge(all, c);
    if (g.asid >= m_regs.size()) m_regs.resize(g.asid + 1u);
    if (g.nregs == 0) g.reg = static_cast<int>(m_regs[g.asid].size());
    m_regs[g.asid].push_back(reg);
    ++g.nregs;
    ++m_stats.registers;
  }
  if (change) *change = all;
  if (g.nregs == 0) return false;
  m_stats.vmas_with_tea += g.vmas;
  if (g.vmas > 1) m_stats.shared_vmas += g.vmas;
  return true;
}

const std::vector<TeaRegister>& TeaManager::registers(uint16_t asid) const {
  static const std::vector<TeaRegister> kNone;
  return asid < m_regs.size() ? m_regs[asid] : kNone;
}

void TeaManager::attach(Mmu& mmu, uint16_t running) {
  m_cores.push_back(Attached{&mmu, 0});
  if (!enabled()) {
    m_cores.back().running = running;
    return;
  }
  TeaRegisterFile& unit = mmu.tea_registers();
  for (unsigned set : {1u, 2u}) {  // the host's TEAs
    const std::vector<TeaRegister>& host = m_teas.host_registers(set);
    for (unsigned i = 0; i < host.size(); ++i) unit.program(set, i, host[i]);
  }
  switch_to(static_cast<unsigned>(m_cores.size() - 1), running);
}

void TeaManager::switch_to(unsigned core, uint16_t asid) {
  if (core >= m_cores.size()) return;
  m_cores[core].running = asid;
  if (!enabled()) return;
  TeaRegisterFile& unit = m_cores[core].mmu->tea_registers();
  for (unsigned i = 0; i < unit.registers(); ++i) {
    const bool has = asid < m_regs.size() && i < m_regs[asid].size();
    unit.program(0, i, has ? m_regs[asid][i] : TeaRegister{});
  }
}

void TeaManager::set_register(const Group& g, unsigned k, const TeaRegister& reg,
                              unsigned core) {
  const unsigned index = static_cast<unsigned>(g.reg) + k;
  m_regs[g.asid][index] = reg;
  // The other cores running the address space load it in their shootdown handler; the rest at
  // their next switch.
  if (core < m_cores.size() && m_cores[core].running == g.asid)
    m_cores[core].mmu->tea_registers().program(0, index, reg);
}

void TeaManager::invalidate(uint16_t asid, const TeaChange& change, unsigned core, Work& w) {
  if (core < m_cores.size())
    for (Addr at : change.moved_ranges) m_cores[core].mmu->flush_page(at, m_scheme.context(asid));
  w.moved_ranges.insert(w.moved_ranges.end(), change.moved_ranges.begin(),
                        change.moved_ranges.end());
}

TeaManager::Work TeaManager::vma_grew(size_t index, Addr end, unsigned core) {
  Work w;
  if (!enabled() || m_shifts.empty()) return w;
  Group& g = m_groups[m_group_of[index]];
  g.bytes += end - m_vma_end[index];
  m_vma_end[index] = end;
  if (!m_policy.grow) return w;  // the grown part walks the radix
  const bool pv = m_scheme.tea_hypercall();
  if (g.reg < 0) {
    // Large enough now (or registers or memory to be had now): the group gets its TEAs, and the
    // tables it has so far move into them.
    g.end = std::max(g.end, end);
    if (!eligible(g)) return w;
    TeaChange change;
    if (!give_tea(g, &change)) {
      w.failed = true;
      ++m_stats.growth_failures;
      return w;
    }
    m_stats.vmas_without_tea -= g.vmas;
    ++m_stats.created_on_growth;
    m_stats.pages_moved += change.moved;
    w.created = true;
    w.hypercall = pv;
    w.moved = change.moved;
    w.backed = change.backed;
    w.registers = true;
    invalidate(g.asid, change, core, w);
    for (unsigned k = 0; k < g.nregs; ++k)
      set_register(g, k, m_regs[g.asid][static_cast<size_t>(g.reg) + k], core);
    return w;
  }
  if (end <= g.end) return w;  // grew into a gap inside the group: the TEA covers it already
  g.end = end;
  for (unsigned k = 0; k < g.nregs; ++k) grow_tea(g, k, core, w);
  return w;
}

void TeaManager::grow_tea(Group& g, unsigned k, unsigned core, Work& w) {
  TeaChange change;
  TeaRegister reg;
  const bool failed = !m_teas.grow(g.asid, g.start, g.end, m_shifts[k], reg, change);
  w.failed |= failed;
  if (failed) ++m_stats.growth_failures;
  if (change.reallocated()) {
    ++m_stats.growths;
    m_stats.pages_moved += change.moved;
    w.reallocated = true;
    w.hypercall = m_scheme.tea_hypercall();
    w.moved += change.moved;
    w.backed += change.backed;
    invalidate(g.asid, change, core, w);
  }
  w.registers = true;
  set_register(g, k, reg, core);
}

}  // namespace mmusim
