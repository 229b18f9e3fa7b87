// A translating MMU for virtual platforms: transactions come in with virtual addresses and data
// on `va_in`, go out with physical addresses on `pa_out`, and the page tables are read on the
// walker's port (`walk_port()`) from the platform's own memory, where its software wrote them.
// The roots are registers (CR3 with PCID; EPTP with VPID for a guest) set through the C++ API or
// the register target `regs`; so are the invalidations (INVLPG, INVPCID, INVEPT, INVVPID, a full
// flush). The TLBs, PWCs, nested TLB, walker and DMT unit are the Mmu module's (tlm/mmu.h).
//
// A transaction of any size is split at page boundaries, each piece translated and forwarded in
// order; a fault answers TLM_ADDRESS_ERROR_RESPONSE (pieces before it were forwarded), fills a
// TranslationExt the initiator attached, latches the fault registers and calls the fault
// callback, as an interrupt line would. With `check`, every translation is compared with an
// untimed reference walk of the same tables (transport_dbg on the walker's port).
//
// Register map of `regs` (8-byte registers, little-endian, at these offsets):
//   0x00 CR3      rw  bits 51:12 root, 11:0 PCID; a write with bit 63 clear flushes that PCID's
//                     translations (MOV to CR3 without the no-flush bit)
//   0x08 EPTP     rw  bits 51:12 EPT root, 5:3 walk length - 1 (read back; the length is the
//                     params' ept_levels), 2:0 memory type (6); 0: no EPT
//   0x10 VPID     rw  the guest's VPID (used while EPTP is set)
//   0x18 INV_ADDR  w  the address operand of INVLPG's register, INVPCID type 0, INVVPID type 0
//   0x20 INV_PCID  w  the PCID operand of INVPCID
//   0x28 INVLPG    w  invalidates the written address in the current context
//   0x30 INVPCID   w  type: 0 address (INV_ADDR, INV_PCID), 1 context (INV_PCID), 2 and 3 all
//                     contexts of the current VPID
//   0x38 INVEPT    w  type: 1 single context (the current VPID's), 2 global
//   0x40 INVVPID   w  type: 0 address (INV_ADDR), 1 and 3 single context, 2 all contexts
//   0x48 FLUSH     w  any value: every translation of every context
//   0x50 FAULT_VA  r  the address of the last fault
//   0x58 FAULT     r  the last fault: bits 7:0 kind (1 not present, 2 protection, 3 EPT
//                     violation), 15:8 dimension, 23:16 level; 0: none yet
#pragma once

#include <functional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/register_roots.h"
#include "models/stats.h"
#include "tlm/mmu.h"

namespace mmusim {

struct TranslatingMmuParams {
  MmuParams mmu;        // TLBs, PWCs, nested TLB, walker (at is ignored: the MMU is driven LT)
  unsigned levels = 4;  // the platform's paging levels (CR4.LA57: 5), fixed: the PWCs' shape
  unsigned ept_levels = 4;
  bool check = true;    // compare every translation with an untimed reference walk
  bool dmt = false;     // walks try the DMT unit's TEA registers first (program_tea)
};

class TranslatingMmu : public sc_core::sc_module {
 public:
  using FaultCallback = std::function<void(Addr va, AccessKind access, const Fault& fault)>;
  struct Stats {
    uint64_t transactions = 0, pieces = 0, faults = 0, reference_mismatches = 0;
  };
  enum Reg : Addr {
    kCr3 = 0x00, kEptp = 0x08, kVpid = 0x10, kInvAddr = 0x18, kInvPcid = 0x20, kInvlpg = 0x28,
    kInvpcid = 0x30, kInvept = 0x38, kInvvpid = 0x40, kFlush = 0x48, kFaultVa = 0x50,
    kFault = 0x58, kRegBytes = 0x60
  };

  tlm_utils::simple_target_socket<TranslatingMmu, kBusWidth> va_in;  // the platform's VAs
  InitiatorSocket<TranslatingMmu> pa_out;                           // on to the bus, with PAs
  // The register map above; a platform that uses the C++ API leaves it unbound.
  tlm_utils::multi_passthrough_target_socket<TranslatingMmu, kBusWidth,
                                             tlm::tlm_base_protocol_types, 0,
                                             sc_core::SC_ZERO_OR_MORE_BOUND>
      regs;

  TranslatingMmu(sc_core::sc_module_name name, const TranslatingMmuParams& params,
                 const Clock& clock);
  ~TranslatingMmu() override { m_tgp.clear_extension(&m_text); }  // a member, not the heap's

  // The walker's reads of the platform's page tables: bind to the platform's memory (or bus).
  InitiatorSocket<PageWalker>& walk_port() { return m_mmu.mem_port(); }

  // Roots. A CR3 write flushes the new PCID's translations unless no_flush (bit 63 of MOV CR3).
  void write_cr3(Addr root, uint16_t pcid = 0, bool no_flush = false);
  void set_ept(Addr eptp_root, uint16_t vpid);
  void clear_ept();
  const RootRegisters& roots() const { return m_roots.regs; }
  // Invalidations, as the instructions define them.
  void invlpg(Addr va);
  void invpcid(unsigned type, uint16_t pcid, Addr va = 0);
  void invept(unsigned type);
  void invvpid(unsigned type, Addr va = 0);
  void flush_all() { m_mmu.flush_all(); }
  // DMT (params.dmt): a TEA register of set 0 (tag: the context's key, RootRegisters::context)
  // or, under EPT, of set 1 (tag: the VPID), as the platform's OS and hypervisor program them.
  void program_tea(unsigned set, unsigned index, const TeaRegister& r) {
    m_mmu.tea_registers().program(set, index, r);
  }

  void on_fault(FaultCallback cb) { m_on_fault = std::move(cb); }
  const Fault& last_fault() const { return m_last_fault; }
  const Stats& stats() const { return m_stats; }
  Mmu& mmu() { return m_mmu; }
  void report(StatsVisitor& v) const;

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp);
  void regs_b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned regs_transport_dbg(int, tlm::tlm_generic_payload& gp);
  void write_reg(Addr offset, uint64_t value);
  uint64_t read_reg(Addr offset) const;
  // Translates va (a copy of the outcome into `out`, the initiator's extension, if any); false
  // on a fault (reported, latched and passed to the callback).
  bool translate(tlm::tlm_generic_payload& gp, TranslationExt* out, Addr va, AccessKind access,
                 bool debug, sc_core::sc_time& delay);
  // The bytes of [va, va + left) on va's page, of the size the last translation gave.
  unsigned on_page(Addr va, unsigned left) const;
  // The untimed reference walk of the current tables for va.
  void reference_check(Addr va, AccessKind access);
  // Sends [off, off + len) of gp to pa on pa_out; false when the target refused it.
  bool forward(tlm::tlm_generic_payload& gp, unsigned off, unsigned len, Addr pa, bool debug,
               sc_core::sc_time& delay);

  // Reads table entries for the reference walk through the walker's port, untimed.
  class DebugReads : public WalkMemory {
   public:
    explicit DebugReads(InitiatorSocket<PageWalker>& port) : m_port(port) {}
    uint64_t read_entry(Addr pa, unsigned, unsigned, Cycles&, Step& served) override;
    void read_line(Addr pa, unsigned, unsigned, Cycles&, Step& served, uint64_t* words) override;

   private:
    void read(Addr pa, unsigned char* out, unsigned len);
    InitiatorSocket<PageWalker>& m_port;
  };

  RegisterRoots m_roots;
  Mmu m_mmu;
  InitiatorSocket<TranslatingMmu> m_to_mmu;
  const bool m_check;
  DebugReads m_debug_reads;
  tlm::tlm_generic_payload m_tgp;  // translation requests to m_mmu
  TranslationExt m_text;
  tlm::tlm_generic_payload m_fwd;  // pieces forwarded on pa_out
  FaultCallback m_on_fault;
  Fault m_last_fault;
  Addr m_inv_addr = 0;
  uint16_t m_inv_pcid = 0;
  Stats m_stats;
};

}  // namespace mmusim
