#include "models/machine.h"

#include <stdexcept>
#include <string>

namespace mmusim {

const char* virtualization_name(Virtualization v) {
  switch (v) {
    case Virtualization::kNone: return "none";
    case Virtualization::kEpt: return "ept";
    case Virtualization::kShadow: return "shadow";
  }
  return "?";
}

Machine::Machine(const MachineParams& params) : m_params(params) {
  m_host_frames = std::make_unique<FrameAllocator>("host_frames", params.host_frames);
  m_host_tables = std::make_unique<HostTableMemory>(m_mem, *m_host_frames);
  if (virtualized()) {
    m_host = std::make_unique<AddressSpace>("ept", PtFormat::kEpt, params.host_levels,
                                            *m_host_tables, *m_host_frames, params.host_pages);
    if (!m_host->init()) throw std::runtime_error("host memory too small for the EPT root");
    m_guest_frames = std::make_unique<FrameAllocator>("guest_frames", params.guest_frames);
    m_space_tables = std::make_unique<GuestTableMemory>(m_mem, *m_guest_frames, *m_host);
  }
}

bool Machine::has_space(uint16_t asid) const {
  return asid < m_spaces.size() && m_spaces[asid] != nullptr;
}

AddressSpace& Machine::space(uint16_t asid) {
  if (asid >= m_spaces.size()) m_spaces.resize(asid + 1u);
  if (!m_spaces[asid]) {
    TableMemory& tables = virtualized() ? *m_space_tables : *m_host_tables;
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
      m_shadows[asid] = std::make_unique<ShadowTable>(m_params.levels, *m_host_tables);
      if (!m_shadows[asid]->init()) throw std::runtime_error("host memory too small for a shadow root");
    }
  }
  return *m_spaces[asid];
}

bool Machine::populate(uint16_t asid, Addr va) {
  AddressSpace& s = space(asid);
  if (s.touch(va) == AddressSpace::Touch::kOutOfMemory) return false;
  if (!virtualized()) return true;
  Mapping g;
  s.oracle().lookup(va, g);
  if (m_host->touch(g.translate(va)) == AddressSpace::Touch::kOutOfMemory) return false;
  return !shadowed() || shadow_fill(asid, va);
}

uint64_t Machine::guest_table_writes() const {
  const auto* t = dynamic_cast<const GuestTableMemory*>(m_space_tables.get());
  return t ? t->writes() : 0;
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
  if (!m_host->oracle().lookup(gpa, h)) return false;
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

unsigned Machine::walk_dims(Context ctx, WalkDim* out) const {
  if (!has_space(ctx.asid)) return 0;
  if (shadowed()) {
    const ShadowTable& st = *m_shadows[ctx.asid];
    out[0] = WalkDim{st.root(), static_cast<uint8_t>(st.levels()), PtFormat::kX86, ctx, nullptr,
                     nullptr};
    return 1;
  }
  const AddressSpace& s = *m_spaces[ctx.asid];
  out[0] = WalkDim{s.root(), static_cast<uint8_t>(s.levels()), s.format(), ctx, nullptr, nullptr};
  if (!virtualized()) return 1;
  out[1] = WalkDim{m_host->root(), static_cast<uint8_t>(m_host->levels()), PtFormat::kEpt,
                   Context{0, ctx.vpid}, nullptr, nullptr};
  return 2;
}

Expectation Machine::expect(Context ctx, Addr va, AccessKind access) const {
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
  if (!has_space(ctx.asid) || !m_spaces[ctx.asid]->oracle().lookup(va, g)) {
    e.fault = FaultKind::kNotPresent;
    return e;
  }
  if (!g.perms.allows(access)) {
    e.fault = FaultKind::kProtection;
    return e;
  }
  e.pa = g.translate(va);
  e.size = g.size;
  e.perms = g.perms;
  if (!virtualized()) return e;
  Mapping h;  // EPT: the host dimension is walked too
  if (!m_host->oracle().lookup(e.pa, h) || !h.perms.allows(access)) {
    e.fault = FaultKind::kEptViolation;
    return e;
  }
  e.pa = h.translate(e.pa);
  e.size = smaller(g.size, h.size);
  e.perms = g.perms & h.perms;
  return e;
}

void Machine::prefetch_expect(Context ctx, Addr va, int stage) const {
  if (!has_space(ctx.asid)) return;
  const TranslationMap& guest = m_spaces[ctx.asid]->oracle();
  if (stage == 0 || !virtualized()) {
    guest.prefetch(va);
    return;
  }
  Mapping g;
  if (guest.lookup(va, g)) m_host->oracle().prefetch(g.translate(va));
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
  if (m_host) {
    v.begin("ept");
    m_host->report(v);
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
