#include "tlm/translating_mmu.h"

#include <algorithm>
#include <cstring>

namespace mmusim {

TranslatingMmu::TranslatingMmu(sc_core::sc_module_name name, const TranslatingMmuParams& params,
                               const Clock& clock)
    : sc_module(name),
      va_in("va_in"),
      pa_out("pa_out"),
      regs("regs"),
      m_mmu("mmu",
            [&] {
              MmuParams p = params.mmu;
              p.at = false;  // driven through b_transport; va_in converts AT requests
              return p;
            }(),
            clock, m_roots, params.levels, params.ept_levels),
      m_to_mmu("to_mmu"),
      m_check(params.check),
      m_debug_reads(m_mmu.mem_port()) {
  va_in.register_b_transport(this, &TranslatingMmu::b_transport);
  va_in.register_transport_dbg(this, &TranslatingMmu::transport_dbg);
  regs.register_b_transport(this, &TranslatingMmu::regs_b_transport);
  regs.register_transport_dbg(this, &TranslatingMmu::regs_transport_dbg);
  m_to_mmu.bind(m_mmu.cpu);
  m_roots.regs.levels = params.levels;
  m_roots.regs.ept_levels = params.ept_levels;
  m_roots.regs.dmt = params.dmt;
  m_tgp.set_extension(&m_text);
  m_tgp.set_command(tlm::TLM_READ_COMMAND);
}

void TranslatingMmu::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  ++m_stats.transactions;
  const unsigned len = gp.get_data_length();
  if (!gp.is_read() && !gp.is_write()) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  // Streaming (a width below the length) repeats addresses: not a memory access split here.
  if (len == 0 || gp.get_streaming_width() < len) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  TranslationExt* const in = gp.get_extension<TranslationExt>();
  const AccessKind access = gp.is_write() ? AccessKind::kStore
                            : in && in->access == AccessKind::kFetch ? AccessKind::kFetch
                                                                     : AccessKind::kLoad;
  const Addr va = gp.get_address();
  for (unsigned off = 0; off < len;) {
    if (!translate(gp, in, va + off, access, false, delay)) return;
    const unsigned piece = on_page(va + off, len - off);
    if (!forward(gp, off, piece, m_text.pa, false, delay)) return;
    off += piece;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned TranslatingMmu::transport_dbg(tlm::tlm_generic_payload& gp) {
  const unsigned len = gp.get_data_length();
  const AccessKind access = gp.is_write() ? AccessKind::kStore : AccessKind::kLoad;
  const Addr va = gp.get_address();
  sc_core::sc_time unused;
  unsigned off = 0;
  while (off < len) {
    if (!translate(gp, nullptr, va + off, access, true, unused)) break;
    const unsigned piece = on_page(va + off, len - off);
    if (!forward(gp, off, piece, m_text.pa, true, unused)) break;
    off += piece;
  }
  return off;
}

unsigned TranslatingMmu::on_page(Addr va, unsigned left) const {
  const Addr page_end = va | page_mask(m_text.size);
  return static_cast<unsigned>(std::min<Addr>(left, page_end - va + 1));
}

bool TranslatingMmu::translate(tlm::tlm_generic_payload& gp, TranslationExt* out, Addr va,
                               AccessKind access, bool debug, sc_core::sc_time& delay) {
  m_text.start(va, access, m_roots.regs.context());
  m_tgp.set_address(va);
  m_tgp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (debug) {
    m_to_mmu->transport_dbg(m_tgp);
    return !m_text.fault;
  }
  ++m_stats.pieces;
  m_to_mmu->b_transport(m_tgp, delay);
  if (m_check) reference_check(va, access);
  if (out) *out = m_text;
  if (!m_text.fault) return true;
  ++m_stats.faults;
  m_last_fault = m_text.fault;
  gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  if (m_on_fault) m_on_fault(va, access, m_text.fault);
  return false;
}

void TranslatingMmu::reference_check(Addr va, AccessKind access) {
  WalkDim dims[kMaxDims];
  const unsigned n = m_roots.walk_dims(m_roots.regs.context(), dims);
  WalkResult r;
  bool same;
  if (n == 0) {
    same = m_text.fault.kind == FaultKind::kNotPresent;
  } else {
    Walker ref;
    ref.walk(dims, n, va, access, m_debug_reads, r);
    same = r.ok() ? !m_text.fault && r.pa == m_text.pa && r.perms == m_text.perms
                  : m_text.fault.kind == r.fault.kind;
  }
  m_stats.reference_mismatches += !same;
}

bool TranslatingMmu::forward(tlm::tlm_generic_payload& gp, unsigned off, unsigned len, Addr pa,
                             bool debug, sc_core::sc_time& delay) {
  unsigned char* be = gp.get_byte_enable_ptr();
  const unsigned be_len = gp.get_byte_enable_length();
  // A byte-enable pattern shorter than the transaction repeats; a piece takes it from its own
  // offset, which needs the pattern to start again there.
  if (be && be_len < gp.get_data_length() && off % be_len != 0) {
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  m_fwd.set_command(gp.get_command());
  m_fwd.set_address(pa);
  m_fwd.set_data_ptr(gp.get_data_ptr() + off);
  m_fwd.set_data_length(len);
  m_fwd.set_streaming_width(len);
  m_fwd.set_byte_enable_ptr(be ? (be_len >= gp.get_data_length() ? be + off : be) : nullptr);
  m_fwd.set_byte_enable_length(be ? (be_len >= gp.get_data_length() ? len : be_len) : 0);
  m_fwd.set_dmi_allowed(false);
  m_fwd.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  if (debug) return pa_out->transport_dbg(m_fwd) == len;
  pa_out->b_transport(m_fwd, delay);
  if (m_fwd.is_response_ok()) return true;
  gp.set_response_status(m_fwd.get_response_status());
  return false;
}

void TranslatingMmu::write_cr3(Addr root, uint16_t pcid, bool no_flush) {
  m_roots.regs.cr3 = root & kEntryAddrMask;
  m_roots.regs.pcid = pcid;
  if (!no_flush) m_mmu.flush_context(m_roots.regs.context());
}

void TranslatingMmu::set_ept(Addr eptp_root, uint16_t vpid) {
  m_roots.regs.eptp = eptp_root & kEntryAddrMask;
  m_roots.regs.vpid = vpid;
}

void TranslatingMmu::clear_ept() { m_roots.regs.eptp = 0; }

void TranslatingMmu::invlpg(Addr va) { m_mmu.flush_page(va, m_roots.regs.context()); }

void TranslatingMmu::invpcid(unsigned type, uint16_t pcid, Addr va) {
  const Context ctx{pcid, m_roots.regs.context().vpid};
  if (type == 0)
    m_mmu.flush_page(va, ctx);
  else if (type == 1)
    m_mmu.flush_context(ctx);
  else
    m_mmu.flush_vm(ctx.vpid);
}

void TranslatingMmu::invept(unsigned type) {
  if (type == 1)
    m_mmu.flush_vm(m_roots.regs.vpid);
  else
    m_mmu.flush_all();
}

void TranslatingMmu::invvpid(unsigned type, Addr va) {
  if (type == 0)
    m_mmu.flush_page(va, Context{m_roots.regs.pcid, m_roots.regs.vpid});
  else if (type == 2)
    m_mmu.flush_all();
  else
    m_mmu.flush_vm(m_roots.regs.vpid);
}

void TranslatingMmu::write_reg(Addr offset, uint64_t v) {
  switch (offset) {
    case kCr3: write_cr3(v & kEntryAddrMask, v & 0xfff, v >> 63); break;
    case kEptp:
      if (v & kEntryAddrMask)
        set_ept(v, m_roots.regs.vpid);
      else
        clear_ept();
      break;
    case kVpid: m_roots.regs.vpid = static_cast<uint16_t>(v); break;
    case kInvAddr: m_inv_addr = v; break;
    case kInvPcid: m_inv_pcid = static_cast<uint16_t>(v & 0xfff); break;
    case kInvlpg: invlpg(v); break;
    case kInvpcid: invpcid(static_cast<unsigned>(v), m_inv_pcid, m_inv_addr); break;
    case kInvept: invept(static_cast<unsigned>(v)); break;
    case kInvvpid: invvpid(static_cast<unsigned>(v), m_inv_addr); break;
    case kFlush: flush_all(); break;
    default: break;  // read-only registers ignore writes
  }
}

uint64_t TranslatingMmu::read_reg(Addr offset) const {
  const RootRegisters& r = m_roots.regs;
  switch (offset) {
    case kCr3: return r.cr3 | r.pcid;
    case kEptp: return r.ept() ? r.eptp | uint64_t{r.ept_levels - 1} << 3 | 6 : 0;
    case kVpid: return r.vpid;
    case kFaultVa: return m_last_fault.addr;
    case kFault:
      return static_cast<uint64_t>(m_last_fault.kind) | uint64_t{m_last_fault.dim} << 8 |
             uint64_t{m_last_fault.level} << 16;
    default: return 0;
  }
}

void TranslatingMmu::regs_b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
  regs_transport_dbg(0, gp);
}

unsigned TranslatingMmu::regs_transport_dbg(int, tlm::tlm_generic_payload& gp) {
  const Addr offset = gp.get_address();
  // Whole registers only: 8 bytes at an 8-byte offset, no byte enables.
  if (gp.get_data_length() != 8 || gp.get_streaming_width() != 8 || (offset & 7) ||
      offset >= kRegBytes || gp.get_byte_enable_ptr()) {
    gp.set_response_status(offset >= kRegBytes ? tlm::TLM_ADDRESS_ERROR_RESPONSE
                                               : tlm::TLM_BURST_ERROR_RESPONSE);
    return 0;
  }
  uint64_t v;
  if (gp.is_write()) {
    std::memcpy(&v, gp.get_data_ptr(), 8);
    write_reg(offset, v);
  } else if (gp.is_read()) {
    v = read_reg(offset);
    std::memcpy(gp.get_data_ptr(), &v, 8);
  } else {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return 0;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return 8;
}

uint64_t TranslatingMmu::DebugReads::read_entry(Addr pa, unsigned, unsigned, Cycles&,
                                               Step& served) {
  uint64_t v = 0;
  read(pa, reinterpret_cast<unsigned char*>(&v), 8);
  served = Step::kMem;
  return v;
}

void TranslatingMmu::DebugReads::read_line(Addr pa, unsigned, unsigned, Cycles&, Step& served,
                                           uint64_t* words) {
  read(pa, reinterpret_cast<unsigned char*>(words), 64);
  served = Step::kMem;
}

void TranslatingMmu::DebugReads::read(Addr pa, unsigned char* out, unsigned len) {
  tlm::tlm_generic_payload gp;
  gp.set_command(tlm::TLM_READ_COMMAND);
  gp.set_address(pa);
  gp.set_data_ptr(out);
  gp.set_data_length(len);
  gp.set_streaming_width(len);
  if (m_port->transport_dbg(gp) != len) std::memset(out, 0, len);  // unreadable: not present
}

void TranslatingMmu::report(StatsVisitor& v) const {
  v.counter("transactions", m_stats.transactions, "count", "transactions received on va_in");
  v.counter("pieces", m_stats.pieces, "count",
            "translations made: a transaction crossing pages takes one per page");
  v.counter("faults", m_stats.faults, "count", "translations that faulted");
  v.counter("reference_mismatches", m_stats.reference_mismatches, "count",
            "translations that differ from the untimed reference walk (0 unless the tables "
            "changed without an invalidation)");
  m_mmu.report(v);
}

}  // namespace mmusim
