#include "models/machine.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace mmusim {

const char* virtualization_name(Virtualization v) {
  switch (v) {
    case Virtualization::kNone: return "none";
    case Virtualization::kEpt: return "ept";
    case Virtualization::kShadow: return "shadow";
    case Virtualization::kNested: return "nested";
  }
  return "?";
}

// The nested guest's memory under shadow_ept: backed through EPT12 and EPT01, and shadowed in
// EPT02 at once (the guest's first write to a new page faults in EPT02 and L0 fills it).
class Machine::Ept02Backing : public Backing {
 public:
  Ept02Backing(Machine& m, Backing& chain) : m_machine(m), m_chain(chain) {}
  AddressSpace::Touch back(Addr addr) override {
    const AddressSpace::Touch t = m_chain.back(addr);
    if (t == AddressSpace::Touch::kOutOfMemory) return t;
    return m_machine.ept02_fill(addr) ? t : AddressSpace::Touch::kOutOfMemory;
  }
  bool back_huge(Addr) override { return false; }
  bool to_host(Addr addr, Addr& hpa) const override { return m_chain.to_host(addr, hpa); }

 private:
  Machine& m_machine;
  Backing& m_chain;
};

// Places the leaf tables of each TEA's range on the TEA's pages.
class Machine::TeaPlacer : public TablePlacer {
 public:
  struct Tea {
    Addr start, end;  // the range it covers now
    Addr table_base;  // first TEA page, in the table's own space
    Addr reg_base;    // what the register holds: table_base, or its host address (pvDMT)
    uint64_t pages;   // capacity: leaf tables it holds, from start's leaf-table boundary
    uint8_t shift;
    unsigned leaf() const { return 1 + (shift - 12) / 9; }
    uint64_t slot(Addr addr) const { return (addr >> (shift + 9)) - (start >> (shift + 9)); }
    // The end of what the capacity covers.
    Addr limit() const { return ((start >> (shift + 9)) + pages) << (shift + 9); }
    bool holds(Addr table) const {
      return table >= table_base && table < table_base + pages * kPageBytes;
    }
  };
  size_t add(const Tea& t) {
    m_teas.push_back(t);
    return m_teas.size() - 1;
  }
  Tea& at(size_t i) { return m_teas.at(i); }
  const Tea& at(size_t i) const { return m_teas.at(i); }
  size_t size() const { return m_teas.size(); }
  // The TEA whose range starts at `start`, or size().
  size_t find(Addr start) const {
    for (size_t i = 0; i < m_teas.size(); ++i)
      if (m_teas[i].start == start) return i;
    return m_teas.size();
  }
  bool place(Addr addr, unsigned level, Addr& table) const override {
    for (const Tea& t : m_teas) {
      if (level == t.leaf() && addr >= t.start && addr < t.end) {
        table = t.table_base + t.slot(addr) * kPageBytes;
        return true;
      }
    }
    return false;
  }

 private:
  std::vector<Tea> m_teas;
};

// Leaf tables (one per 2 MiB, or per 1 GiB at shift 21) a TEA needs for [start, end).
static uint64_t tea_slots(Addr start, Addr end, uint8_t shift) {
  return ((end - 1) >> (shift + 9)) - (start >> (shift + 9)) + 1;
}

uint8_t Machine::tea_shift(const PagePolicy& p) {
  return static_cast<uint8_t>(p.huge_fraction >= 1.0 ? page_shift(p.size) : kPageShift);
}

Machine::Machine(const MachineParams& params) : m_params(params) {
  m_host_frames = std::make_unique<FrameAllocator>("host_frames", params.host_frames);
  m_host_tables = std::make_unique<HostTableMemory>(m_mem, *m_host_frames);
  if (!virtualized()) return;
  m_host = std::make_unique<AddressSpace>(nested() ? "ept01" : "ept", PtFormat::kEpt,
                                          params.host_levels, *m_host_tables, *m_host_frames,
                                          params.host_pages);
  if (!m_host->init()) throw std::runtime_error("host memory too small for the EPT root");
  if (nested() && params.dmt == DmtMode::kPvDmt)  // L0's TEA over L1 memory
    m_l0_tea = host_ept_tea(*m_host, params.l1_frames.bytes);
  m_host_backing = std::make_unique<SpaceBacking>(*m_host);
  Backing* guest_chain = m_host_backing.get();
  if (nested()) {
    m_l1_frames = std::make_unique<FrameAllocator>("l1_frames", params.l1_frames);
    m_l1_tables = std::make_unique<GuestTableMemory>(m_mem, *m_l1_frames, *m_host_backing);
    PagePolicy l1_policy = params.host_pages;
    l1_policy.seed += 7;
    m_ept12 = std::make_unique<AddressSpace>("ept12", PtFormat::kEpt, params.host_levels,
                                             *m_l1_tables, *m_l1_frames, l1_policy);
    if (!m_ept12->init()) throw std::runtime_error("L1 memory too small for the EPT12 root");
    if (params.dmt == DmtMode::kPvDmt) {
      // L1's TEA over L2 memory (EPT12's leaf tables), made host-contiguous by L0 so one
      // register gives their host address.
      const uint8_t shift = tea_shift(params.host_pages);
      const uint64_t pages = ((params.guest_frames.bytes - 1) >> (shift + 9)) + 1;
      Addr l1_base, host_base;
      if (!l1_host_contiguous(pages, l1_base, host_base))
        throw std::runtime_error("memory too small for L1's TEA over L2 memory");
      m_l1_placer = std::make_unique<TeaPlacer>();
      m_l1_placer->add({0, params.guest_frames.bytes, l1_base, host_base, pages, shift});
      m_ept12->set_placer(m_l1_placer.get());
      m_host_tea = TeaRegister{0, params.guest_frames.bytes, host_base, params.vpid, shift, true};
      m_tea_pages += pages;
    }
    m_ept12_backing = std::make_unique<SpaceBacking>(*m_ept12, m_host_backing.get());
    guest_chain = m_ept12_backing.get();
    if (shadow_ept()) {
      m_ept02 = std::make_unique<ShadowTable>(PtFormat::kEpt, params.host_levels, *m_host_tables);
      if (!m_ept02->init()) throw std::runtime_error("host memory too small for the EPT02 root");
      m_ept02_backing = std::make_unique<Ept02Backing>(*this, *guest_chain);
      guest_chain = m_ept02_backing.get();
    }
  }
  m_guest_backing = guest_chain;
  m_guest_frames = std::make_unique<FrameAllocator>("guest_frames", params.guest_frames);
  m_space_tables = std::make_unique<GuestTableMemory>(m_mem, *m_guest_frames, *m_guest_backing);
  if (params.virt == Virtualization::kEpt) m_space_tables->set_pool(params.table_pool);
  if (params.virt == Virtualization::kEpt && params.dmt != DmtMode::kOff)
    m_host_tea = host_ept_tea(*m_host, params.guest_frames.bytes);
}

TeaRegister Machine::host_ept_tea(AddressSpace& ept, Addr end) {
  const uint8_t shift = tea_shift(m_params.host_pages);
  const uint64_t pages = ((end - 1) >> (shift + 9)) + 1;
  Addr base;
  if (!m_host_frames->alloc_contiguous(pages, base))
    throw std::runtime_error("host memory too small for a host TEA over guest memory");
  m_tea_pages += pages;
  m_host_placer = std::make_unique<TeaPlacer>();
  m_host_placer->add({0, end, base, base, pages, shift});
  ept.set_placer(m_host_placer.get());
  return TeaRegister{0, end, base, m_params.vpid, shift, true};
}

bool Machine::l1_host_contiguous(uint64_t pages, Addr& l1_base, Addr& host_base) {
  if (!m_l1_frames->alloc_contiguous(pages, l1_base) ||
      !m_host_frames->alloc_contiguous(pages, host_base))
    return false;
  for (uint64_t i = 0; i < pages; ++i)
    if (!m_host->map_to(l1_base + i * kPageBytes, host_base + i * kPageBytes, PageSize::k4K))
      return false;
  return true;
}

bool Machine::alloc_tea_area(uint64_t pages, Addr& base, Addr& reg_base, uint64_t& backed) {
  FrameAllocator& frames = tea_frames();
  if (!frames.alloc_contiguous(pages, base)) return false;
  auto give_back = [&] {
    for (uint64_t c = 0; c * kEntriesPerTable < pages; ++c)
      frames.free(base + c * page_bytes(PageSize::k2M), PageSize::k2M);
    return false;
  };
  reg_base = base;
  if (nested()) {
    // Nested pvDMT: L1 backs the L2 TEA with contiguous L1 frames that L0 made host-contiguous.
    Addr l1_base, host_base;
    if (!l1_host_contiguous(pages, l1_base, host_base)) return give_back();
    for (uint64_t i = 0; i < pages; ++i)
      if (!m_ept12->map_to(base + i * kPageBytes, l1_base + i * kPageBytes, PageSize::k4K))
        return false;
    reg_base = host_base;
  } else if (virtualized()) {
    if (m_params.dmt == DmtMode::kPvDmt) {
      // The hypercall: the host backs the guest TEA with contiguous host frames.
      Addr host_base;
      if (!m_host_frames->alloc_contiguous(pages, host_base)) return give_back();
      for (uint64_t i = 0; i < pages; ++i)
        if (!m_host->map_to(base + i * kPageBytes, host_base + i * kPageBytes, PageSize::k4K))
          return false;
      reg_base = host_base;
    } else {
      for (uint64_t i = 0; i < pages; ++i) {
        const AddressSpace::Touch t = m_guest_backing->back(base + i * kPageBytes);
        if (t == AddressSpace::Touch::kOutOfMemory) return false;
        if (t == AddressSpace::Touch::kMapped) ++backed;
      }
    }
  }
  m_tea_pages += pages;
  return true;
}

TableMemory& Machine::space_tables() {
  return virtualized() ? static_cast<TableMemory&>(*m_space_tables)
                       : static_cast<TableMemory&>(*m_host_tables);
}

TeaRegister Machine::tea_register(uint16_t asid, const TeaPlacer& placer, size_t index) const {
  const TeaPlacer::Tea& t = placer.at(index);
  return TeaRegister{t.start, t.end, t.reg_base, virtualized() ? context(asid).key() : asid,
                     t.shift, true};
}

void Machine::move_into_tea(uint16_t asid, size_t index, Addr old_base, uint64_t old_pages,
                            TeaChange& change) {
  TeaPlacer& placer = *m_placers[asid];
  const TeaPlacer::Tea& t = placer.at(index);
  std::vector<std::pair<Addr, Addr>> tables;
  RadixTable& radix = m_spaces[asid]->table();
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

bool Machine::create_tea(uint16_t asid, Addr start, Addr end, TeaRegister& reg, TeaChange* change) {
  space(asid);
  const uint8_t shift = tea_shift(m_params.guest_pages);
  const uint64_t pages = tea_slots(start, end, shift);
  TeaChange local;
  TeaChange& c = change ? *change : local;
  c = TeaChange{};
  Addr base, reg_base;
  if (!alloc_tea_area(pages, base, reg_base, c.backed)) return false;
  if (asid >= m_placers.size()) m_placers.resize(asid + 1u);
  if (!m_placers[asid]) {
    m_placers[asid] = std::make_unique<TeaPlacer>();
    m_spaces[asid]->set_placer(m_placers[asid].get());
  }
  const size_t index = m_placers[asid]->add({start, end, base, reg_base, pages, shift});
  c.new_base = base;
  c.new_pages = pages;
  move_into_tea(asid, index, 0, 0, c);
  reg = tea_register(asid, *m_placers[asid], index);
  return true;
}

bool Machine::grow_tea(uint16_t asid, Addr start, Addr end, TeaRegister& reg, TeaChange& change) {
  change = TeaChange{};
  const size_t index =
      asid < m_placers.size() && m_placers[asid] ? m_placers[asid]->find(start) : ~size_t{0};
  if (index == ~size_t{0} || index == m_placers[asid]->size())
    throw std::logic_error("grow_tea: address space " + std::to_string(asid) + " has no TEA at " +
                           std::to_string(start));
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
  if (!alloc_tea_area(pages, base, reg_base, change.backed)) {
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
  move_into_tea(asid, index, old.table_base, old.pages, change);
  // The old TEA is free: its pages' contents dropped, its frames returned.
  TableMemory& tables = space_tables();
  for (uint64_t i = 0; i < old.pages; ++i) tables.discard_table(old.table_base + i * kPageBytes);
  FrameAllocator& frames = tea_frames();
  for (uint64_t c = 0; c * kEntriesPerTable < old.pages; ++c)
    frames.free(old.table_base + c * page_bytes(PageSize::k2M), PageSize::k2M);
  m_tea_pages -= old.pages;
  reg = tea_register(asid, placer, index);
  return true;
}

Machine::~Machine() = default;

bool Machine::has_space(uint16_t asid) const {
  return asid < m_spaces.size() && m_spaces[asid] != nullptr;
}

AddressSpace& Machine::space(uint16_t asid) {
  if (asid >= m_spaces.size()) m_spaces.resize(asid + 1u);
  if (!m_spaces[asid]) {
    TableMemory& tables = virtualized() ? static_cast<TableMemory&>(*m_space_tables)
                                        : static_cast<TableMemory&>(*m_host_tables);
    FrameAllocator& frames = virtualized() ? *m_guest_frames : *m_host_frames;
    PagePolicy policy = m_params.guest_pages;
    policy.seed += asid;
    auto s = std::make_unique<AddressSpace>(
        (virtualized() ? "guest_as" : "as") + std::to_string(asid), PtFormat::kX86,
        m_params.levels, tables, frames, policy);
    if (!s->init()) throw std::runtime_error("memory too small for a page-table root");
    m_spaces[asid] = std::move(s);
    if (shadowed()) {
      if (asid >= m_shadows.size()) m_shadows.resize(asid + 1u);
      m_shadows[asid] =
          std::make_unique<ShadowTable>(PtFormat::kX86, m_params.levels, *m_host_tables);
      if (!m_shadows[asid]->init())
        throw std::runtime_error("host memory too small for a shadow root");
    }
  }
  return *m_spaces[asid];
}

uint64_t Machine::guest_table_writes() const {
  return m_space_tables ? m_space_tables->writes() : 0;
}

uint64_t Machine::hugegpt_requests() const {
  if (!m_space_tables) return 0;
  const GuestTableMemory::PoolStats& p = m_space_tables->pool_stats();
  return p.segments + p.refusals;
}

uint64_t Machine::l1_table_writes() const { return m_l1_tables ? m_l1_tables->writes() : 0; }

bool Machine::populate(uint16_t asid, Addr va) {
  AddressSpace& s = space(asid);
  if (s.touch(va) == AddressSpace::Touch::kOutOfMemory) return false;
  if (!virtualized()) return true;
  Mapping g;
  s.oracle().lookup(va, g);
  if (m_guest_backing->back(g.translate(va)) == AddressSpace::Touch::kOutOfMemory) return false;
  return !shadowed() || shadow_fill(asid, va);
}

bool Machine::host_truth(Addr gpa, Mapping& out) const {
  Mapping h;
  if (!m_host) return false;
  if (!nested()) {
    if (!m_host->oracle().lookup(gpa, h)) return false;
    out = h;
    return true;
  }
  Mapping l1;
  if (!m_ept12->oracle().lookup(gpa, l1)) return false;
  if (!m_host->oracle().lookup(l1.translate(gpa), h)) return false;
  out.size = smaller(l1.size, h.size);
  out.base = page_base(gpa, out.size);
  out.target = page_base(h.translate(l1.translate(gpa)), out.size);
  out.perms = l1.perms & h.perms;
  return true;
}

bool Machine::truth(uint16_t asid, Addr va, Mapping& out) const {
  Mapping g;
  if (!has_space(asid) || !m_spaces[asid]->oracle().lookup(va, g)) return false;
  if (!virtualized()) {
    out = g;
    return true;
  }
  Mapping h;
  const Addr gpa = g.translate(va);
  if (!host_truth(gpa, h)) return false;
  out.size = smaller(g.size, h.size);
  out.base = page_base(va, out.size);
  out.target = page_base(h.translate(gpa), out.size);
  out.perms = g.perms & h.perms;
  return true;
}

bool Machine::shadow_fill(uint16_t asid, Addr va) {
  Mapping t;
  if (!truth(asid, va, t)) return false;
  return m_shadows.at(asid)->fill(va, t.translate(va), t.size, t.perms);
}

bool Machine::ept02_fill(Addr gpa) {
  Mapping t;
  if (!m_ept02 || !host_truth(gpa, t)) return false;
  return m_ept02->fill(gpa, t.translate(gpa), t.size, t.perms);
}

unsigned Machine::walk_dims(Context ctx, WalkDim* out) const {
  if (!has_space(ctx.asid)) return 0;
  // Fields are written in place: a WalkDim built aside and copied in is read back wider than
  // it was written, which the host cannot forward from its store buffer.
  auto dim = [](WalkDim& d, Addr root, unsigned levels, PtFormat f, Context c) {
    d.root = root;
    d.levels = static_cast<uint8_t>(levels);
    d.format = f;
    d.ctx = c;
    d.pwc = nullptr;
    d.tlb = nullptr;
    d.dmt = WalkDmt{};
    d.dmt_port = nullptr;
  };
  if (shadowed()) {
    const ShadowTable& st = *m_shadows[ctx.asid];
    dim(out[0], st.root(), st.levels(), PtFormat::kX86, ctx);
    return 1;
  }
  const AddressSpace& s = *m_spaces[ctx.asid];
  dim(out[0], s.root(), s.levels(), s.format(), ctx);
  if (m_params.dmt != DmtMode::kOff) {
    // Guest TEAs hold guest-physical addresses unless pvDMT made them host-contiguous.
    out[0].dmt = WalkDmt{true, 0, virtualized() ? ctx.key() : ctx.asid,
                         !virtualized() || m_params.dmt == DmtMode::kPvDmt};
  }
  if (!virtualized()) return 1;
  // Inner dimensions tag their cache entries by VM and by which EPT they belong to.
  const Context ept01{0, ctx.vpid}, ept12{1, ctx.vpid};
  if (!nested()) {
    dim(out[1], m_host->root(), m_host->levels(), PtFormat::kEpt, ept01);
    if (m_host_tea.valid) out[1].dmt = WalkDmt{true, 1, ctx.vpid, true};
    return 2;
  }
  if (shadow_ept()) {
    dim(out[1], m_ept02->root(), m_ept02->levels(), PtFormat::kEpt, ept01);
    return 2;
  }
  dim(out[1], m_ept12->root(), m_ept12->levels(), PtFormat::kEpt, ept12);
  dim(out[2], m_host->root(), m_host->levels(), PtFormat::kEpt, ept01);
  if (m_l0_tea.valid) {  // nested pvDMT: L2 gPTE, L1 leaf, L0 leaf
    out[1].dmt = WalkDmt{true, 1, ctx.vpid, true};
    out[2].dmt = WalkDmt{true, 2, ctx.vpid, true};
  }
  return 3;
}

Expectation Machine::compose(Addr va, AccessKind access, const Mapping* guest, bool virtualized,
                             const Mapping* host) {
  Expectation e;
  if (!guest) {
    e.fault = FaultKind::kNotPresent;
    return e;
  }
  if (!guest->perms.allows(access)) {
    e.fault = FaultKind::kProtection;
    return e;
  }
  e.pa = guest->translate(va);
  e.size = guest->size;
  e.perms = guest->perms;
  if (!virtualized) return e;
  if (!host || !host->perms.allows(access)) {
    e.fault = FaultKind::kEptViolation;
    return e;
  }
  e.pa = host->translate(e.pa);
  e.size = smaller(guest->size, host->size);
  e.perms = guest->perms & host->perms;
  return e;
}

Expectation Machine::expect(Context ctx, Addr va, AccessKind access,
                            const PrefetchState* hinted) const {
  if (hinted && hinted->va == va && !shadowed() && !nested() && has_space(ctx.asid)) {
    const TranslationMap& guest = m_spaces[ctx.asid]->oracle();
    if (hinted->guest_map == &guest && hinted->guest_version == guest.version()) {
      const Mapping* g = hinted->mapped ? &hinted->guest : nullptr;
      if (!virtualized()) return compose(va, access, g, false, nullptr);
      const TranslationMap& host = m_host->oracle();
      if (!g || (hinted->host_map == &host && hinted->host_version == host.version()))
        return compose(va, access, g, true, hinted->host_mapped ? &hinted->host : nullptr);
    }
  }
  Expectation e;
  if (shadowed()) {
    // Hardware sees the shadow: an entry it lacks is a fault (the hypervisor fills it), an entry
    // it has must translate as guest and host mappings do now (a stale one is a mismatch).
    Mapping sh, t;
    if (!has_space(ctx.asid) || !m_shadows[ctx.asid]->record().lookup(va, sh)) {
      e.fault = FaultKind::kNotPresent;
      return e;
    }
    if (!sh.perms.allows(access)) {
      e.fault = FaultKind::kProtection;
      return e;
    }
    if (!truth(ctx.asid, va, t)) {
      e.fault = FaultKind::kNotPresent;
      return e;
    }
    e.pa = t.translate(va);
    e.size = sh.size;
    e.perms = t.perms;
    return e;
  }
  Mapping g;
  const bool mapped = has_space(ctx.asid) && m_spaces[ctx.asid]->oracle().lookup(va, g);
  if (!mapped || !g.perms.allows(access) || !virtualized())
    return compose(va, access, mapped ? &g : nullptr, virtualized(), nullptr);
  // The host dimensions hardware walks: EPT, EPT12 x EPT01, or EPT02 (whose entries must agree
  // with EPT12 x EPT01 as they stand).
  const Addr gpa = g.translate(va);
  Mapping h;
  if (!shadow_ept()) {
    const bool host_mapped = host_truth(gpa, h);
    return compose(va, access, &g, true, host_mapped ? &h : nullptr);
  }
  Mapping seen;
  if (!m_ept02->record().lookup(gpa, seen) || !seen.perms.allows(access) ||
      !host_truth(gpa, h)) {
    e.fault = FaultKind::kEptViolation;
    return e;
  }
  h.size = seen.size;
  e.pa = h.translate(gpa);
  e.size = smaller(g.size, h.size);
  e.perms = g.perms & h.perms;
  return e;
}

void Machine::report(StatsVisitor& v) const {
  v.begin("memory");
  v.counter("stored_table_pages", m_mem.stored_pages(), "pages",
            "page-table pages stored in simulated physical memory");
  v.end();
  v.begin("host_frames");
  m_host_frames->report(v);
  v.end();
  if (m_guest_frames) {
    v.begin("guest_frames");
    m_guest_frames->report(v);
    v.end();
  }
  for (const AddressSpace* h : {m_host.get(), m_ept12.get()}) {
    if (!h) continue;
    v.begin(shadowed() ? "pmap" : h->name().c_str());
    h->report(v);
    v.end();
  }
  if (m_l1_frames) {
    v.begin("l1_frames");
    m_l1_frames->report(v);
    v.end();
  }
  if (m_params.table_pool.enabled && m_space_tables) {
    const GuestTableMemory::PoolStats& p = m_space_tables->pool_stats();
    v.begin("hugegpt");
    v.counter("segments", p.segments, "segments",
              "2 MiB guest-physical segments the host backed with 2 MiB pages");
    v.counter("refusals", p.refusals, "count", "segments the host refused (the guest fell back)");
    v.counter("pool_pages", p.pool_pages, "pages", "page-table pages taken from the pool");
    v.counter("fallback_pages", p.fallback_pages, "pages",
              "page-table pages allocated outside the pool (pool full, refused, or root)");
    v.counter("pool_bytes", p.segments * page_bytes(PageSize::k2M), "bytes", "pool size");
    v.end();
  }
  if (m_params.dmt != DmtMode::kOff) {
    v.begin("dmt");
    v.counter("tea_pages", m_tea_pages, "pages",
              "pages of the translation entry areas in use (guest and host), each contiguous; a "
              "grown TEA's old area no longer counts");
    v.end();
  }
  if (m_ept02) {
    v.begin("ept02");
    v.counter("entries", m_ept02->entries(), "entries", "EPT02 entries L0 composed");
    v.counter("table_pages", m_ept02->table_pages(), "pages", "EPT02 pages in host memory");
    v.end();
  }
  for (const auto& s : m_spaces) {
    if (!s) continue;
    v.begin(s->name().c_str());
    s->report(v);
    v.end();
  }
  for (size_t asid = 0; asid < m_shadows.size(); ++asid) {
    if (!m_shadows[asid]) continue;
    const std::string name = "shadow" + std::to_string(asid);
    v.begin(name.c_str());
    v.counter("entries", m_shadows[asid]->entries(), "entries", "shadow entries filled");
    v.counter("table_pages", m_shadows[asid]->table_pages(), "pages",
              "shadow page-table pages in host memory");
    v.end();
  }
}

}  // namespace mmusim
