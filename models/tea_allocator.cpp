#include "models/tea_allocator.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/scheme.h"

namespace mmusim {

size_t TeaPlacer::find(Addr start, uint8_t shift) const {
  for (size_t i = 0; i < m_teas.size(); ++i)
    if (m_teas[i].start == start && m_teas[i].shift == shift) return i;
  return m_teas.size();
}

bool TeaPlacer::place(Addr addr, unsigned level, Addr& table) const {
  for (const Tea& t : m_teas) {
    if (level == t.leaf() && addr >= t.start && addr < t.end) {
      table = t.table_base + t.slot(addr) * kPageBytes;
      return true;
    }
  }
  return false;
}

// Leaf tables (one per 2 MiB, or per 1 GiB at shift 21) a TEA needs for [start, end).
static uint64_t tea_slots(Addr start, Addr end, uint8_t shift) {
  return ((end - 1) >> (shift + 9)) - (start >> (shift + 9)) + 1;
}

uint8_t TeaAllocator::shift_for(const PagePolicy& p) {
  return static_cast<uint8_t>(p.huge_fraction >= 1.0 ? page_shift(p.size) : kPageShift);
}

std::vector<uint8_t> TeaAllocator::shifts(const PagePolicy& p) const {
  if (m_mode != DmtMode::kAsap) return {shift_for(p)};
  const bool small = p.size == PageSize::k4K || p.huge_fraction < 1.0;
  const bool large = small || p.size == PageSize::k2M;
  std::vector<uint8_t> out;
  if (small) out.push_back(kPageShift);
  if (large) out.push_back(static_cast<uint8_t>(page_shift(PageSize::k2M)));
  return out;
}

void TeaAllocator::host_teas(unsigned set, AddressSpace& ept, Addr end,
                             FrameAllocator& host_frames, const PagePolicy& host_pages,
                             uint16_t vpid) {
  for (uint8_t shift : shifts(host_pages)) {
    const uint64_t pages = ((end - 1) >> (shift + 9)) + 1;
    Addr base;
    if (!host_frames.alloc_contiguous(pages, base))
      throw std::runtime_error("host memory too small for a host TEA over guest memory");
    set_host_register(set, fixed_tea(ept, end, base, base, pages, shift, vpid));
  }
}

TeaRegister TeaAllocator::fixed_tea(AddressSpace& table, Addr end, Addr table_base,
                                    Addr reg_base, uint64_t pages, uint8_t shift, uint16_t vpid) {
  m_pages += pages;
  TeaPlacer* placer = nullptr;
  for (auto& [t, p] : m_host_placers)
    if (t == &table) placer = p.get();
  if (!placer) {
    m_host_placers.emplace_back(&table, std::make_unique<TeaPlacer>());
    placer = m_host_placers.back().second.get();
    table.set_placer(placer);
  }
  placer->add({0, end, table_base, reg_base, pages, shift});
  return TeaRegister{0, end, reg_base, vpid, shift, true};
}

void TeaAllocator::set_host_register(unsigned set, const TeaRegister& reg) {
  m_host_regs[set].push_back(reg);
}

const TeaRegister* TeaAllocator::host_register(unsigned set) const {
  return set < 3 && !m_host_regs[set].empty() ? &m_host_regs[set].front() : nullptr;
}

bool TeaAllocator::alloc_area(uint64_t pages, Addr& base, Addr& reg_base, uint64_t& backed) {
  FrameAllocator& frames = m_scheme->space_frames();
  if (!frames.alloc_contiguous(pages, base)) return false;
  switch (m_scheme->back_tea(pages, base, reg_base, backed)) {
    case Scheme::TeaBacking::kOk: break;
    case Scheme::TeaBacking::kFailed: return false;
    case Scheme::TeaBacking::kFailedFree:
      frames.free_contiguous(base, pages);
      return false;
  }
  m_pages += pages;
  return true;
}

TeaRegister TeaAllocator::tea_register(uint16_t asid, const TeaPlacer& placer,
                                       size_t index) const {
  const TeaPlacer::Tea& t = placer.at(index);
  return TeaRegister{t.start, t.end, t.reg_base, m_scheme->tea_tag(asid), t.shift, true};
}

void TeaAllocator::move_into(uint16_t asid, size_t index, Addr old_base, uint64_t old_pages,
                             TeaChange& change) {
  TeaPlacer& placer = *m_placers[asid];
  const TeaPlacer::Tea& t = placer.at(index);
  std::vector<std::pair<Addr, Addr>> tables;
  RadixTable& radix = m_scheme->space(asid).table();
  radix.tables_in(t.start, t.end, t.leaf(), tables);
  for (const auto& [at, table] : tables) {
    const Addr slot = t.table_base + t.slot(std::max(at, t.start)) * kPageBytes;
    if (table == slot) continue;
    const bool old = table >= old_base && table < old_base + old_pages * kPageBytes;
    bool neighbour = false;  // a leaf table another TEA holds (a shared boundary table)
    for (size_t i = 0; i < placer.size() && !old; ++i)
      neighbour |= i != index && placer.at(i).holds(table);
    if (neighbour) continue;
    if (radix.move_table(at, t.leaf(), slot, old)) {
      ++change.moved;
      change.moved_ranges.push_back(at);
    }
  }
}

bool TeaAllocator::create(uint16_t asid, Addr start, Addr end, uint8_t shift, TeaRegister& reg,
                          TeaChange* change) {
  AddressSpace& space = m_scheme->space(asid);
  const uint64_t pages = tea_slots(start, end, shift);
  TeaChange local;
  TeaChange& c = change ? *change : local;
  c = TeaChange{};
  Addr base, reg_base;
  if (!alloc_area(pages, base, reg_base, c.backed)) return false;
  if (asid >= m_placers.size()) m_placers.resize(asid + 1u);
  if (!m_placers[asid]) {
    m_placers[asid] = std::make_unique<TeaPlacer>();
    space.set_placer(m_placers[asid].get());
  }
  const size_t index = m_placers[asid]->add({start, end, base, reg_base, pages, shift});
  c.new_base = base;
  c.new_pages = pages;
  move_into(asid, index, 0, 0, c);
  reg = tea_register(asid, *m_placers[asid], index);
  return true;
}

bool TeaAllocator::create(uint16_t asid, Addr start, Addr end, TeaRegister& reg,
                          TeaChange* change) {
  return create(asid, start, end, shift_for(m_scheme->params().guest_pages), reg, change);
}

bool TeaAllocator::grow(uint16_t asid, Addr start, Addr end, TeaRegister& reg,
                        TeaChange& change) {
  return grow(asid, start, end, shift_for(m_scheme->params().guest_pages), reg, change);
}

bool TeaAllocator::grow(uint16_t asid, Addr start, Addr end, uint8_t shift, TeaRegister& reg,
                        TeaChange& change) {
  change = TeaChange{};
  const size_t index = asid < m_placers.size() && m_placers[asid]
                           ? m_placers[asid]->find(start, shift)
                           : ~size_t{0};
  if (index == ~size_t{0} || index == m_placers[asid]->size())
    throw std::logic_error("TeaAllocator::grow: address space " + std::to_string(asid) +
                           " has no TEA at " + std::to_string(start));
  TeaPlacer& placer = *m_placers[asid];
  TeaPlacer::Tea& t = placer.at(index);
  change.old_base = change.new_base = t.table_base;
  change.old_pages = change.new_pages = t.pages;
  const uint64_t needed = tea_slots(start, end, t.shift);
  if (needed <= t.pages) {
    t.end = end;
    reg = tea_register(asid, placer, index);
    return true;
  }
  uint64_t pages = t.pages;
  while (pages < needed) pages *= 2;
  Addr base, reg_base;
  if (!alloc_area(pages, base, reg_base, change.backed)) {
    t.end = std::min(end, t.limit());  // what the old TEA holds; the rest walks the radix
    reg = tea_register(asid, placer, index);
    return false;
  }
  const TeaPlacer::Tea old = t;
  t.table_base = base;
  t.reg_base = reg_base;
  t.pages = pages;
  t.end = end;
  change.new_base = base;
  change.new_pages = pages;
  move_into(asid, index, old.table_base, old.pages, change);
  // The old TEA is free: its pages' contents dropped, its frames returned.
  TableMemory& tables = m_scheme->space_tables();
  for (uint64_t i = 0; i < old.pages; ++i) tables.discard_table(old.table_base + i * kPageBytes);
  FrameAllocator& frames = m_scheme->space_frames();
  frames.free_contiguous(old.table_base, old.pages);
  m_pages -= old.pages;
  reg = tea_register(asid, placer, index);
  return true;
}

}  // namespace mmusim
