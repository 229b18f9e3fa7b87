// The translating MMU in a small platform of its own: a memory target holding the data and the
// page tables, which the test's "software" writes entry by entry (x86 tables and an EPT, no
// mmusim builder), an initiator on va_in, and the register target. Transactions of any size are
// split at page boundaries; faults answer TLM_ADDRESS_ERROR_RESPONSE; invalidations through the
// API and the registers reach the TLBs; every translation agrees with the reference walk.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include <systemc>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "protocol_checker.h"
#include "tlm/translating_mmu.h"

namespace mmusim {
namespace {

// The platform's memory: sparse 4 KiB pages of bytes, any access size, 10 ns a transaction.
struct PlatformMemory : sc_core::sc_module {
  // Any number of initiators: the MMUs' data and table-walk ports.
  tlm_utils::multi_passthrough_target_socket<PlatformMemory, kBusWidth> socket{"socket"};
  std::map<Addr, std::vector<unsigned char>> pages;
  unsigned accesses = 0;

  explicit PlatformMemory(sc_core::sc_module_name name) : sc_module(name) {
    socket.register_b_transport(this, &PlatformMemory::b_transport);
    socket.register_transport_dbg(this, &PlatformMemory::transport_dbg);
  }
  unsigned char* byte(Addr a) {
    std::vector<unsigned char>& p = pages[a >> 12];
    if (p.empty()) p.assign(4096, 0);
    return &p[a & 4095];
  }
  void write64(Addr a, uint64_t v) { std::memcpy(byte(a), &v, 8); }
  uint64_t read64(Addr a) {
    uint64_t v;
    std::memcpy(&v, byte(a), 8);
    return v;
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& gp) {
    const unsigned char* be = gp.get_byte_enable_ptr();
    for (unsigned i = 0; i < gp.get_data_length(); ++i) {
      if (be && !be[i % gp.get_byte_enable_length()]) continue;
      unsigned char* m = byte(gp.get_address() + i);
      if (gp.is_write()) *m = gp.get_data_ptr()[i];
      else gp.get_data_ptr()[i] = *m;
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return gp.get_data_length();
  }
  void b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    ++accesses;
    transport_dbg(0, gp);
    delay += sc_core::sc_time(10, sc_core::SC_NS);
  }
};

// The software side: page tables written into the platform's memory. Tables come from a bump
// allocator; `space` adds the host address of a table in guest-physical memory (EPT: identity
// plus kGuestBase).
constexpr Addr kGuestBase = 0x4000'0000;  // gPA g is hPA kGuestBase + g
constexpr uint64_t kX86Table = x86pte::kPresent | x86pte::kWrite | x86pte::kUser;
constexpr uint64_t kEptRwx = ept::kRead | ept::kWrite | ept::kExec;

struct Tables {
  PlatformMemory& mem;
  Addr to_host;  // table memory's host address = table address + to_host
  Addr next;     // the next free table page (in the table's own space)
  uint64_t table_bits, leaf_bits;
  Addr root = 0;

  Addr alloc() {
    const Addr t = next;
    next += 4096;
    return t;
  }
  void map(Addr in, Addr out, uint64_t leaf_bits_override = 0) {
    if (!root) root = alloc();
    Addr table = root;
    for (unsigned level = 4; level > 1; --level) {
      const Addr slot = table + table_index(in, level) * 8 + to_host;
      uint64_t e = mem.read64(slot);
      if (!e) {
        e = alloc() | table_bits;
        mem.write64(slot, e);
      }
      table = e & kEntryAddrMask;
    }
    mem.write64(table + table_index(in, 1) * 8 + to_host,
                (out & kEntryAddrMask) | (leaf_bits_override ? leaf_bits_override : leaf_bits));
  }
};

struct Platform : sc_core::sc_module {
  Clock clock{1000.0};
  TranslatingMmu mmu;
  PlatformMemory mem{"mem"};
  tlm_utils::simple_initiator_socket<Platform, kBusWidth> cpu{"cpu"};
  tlm_utils::simple_initiator_socket<Platform, kBusWidth> cfg{"cfg"};
  // A base-protocol checker on every pair: CPU, bus, walks, registers.
  ProtocolChecker checks[4] = {ProtocolChecker{"cpu_check"}, ProtocolChecker{"pa_check"},
                               ProtocolChecker{"walk_check"}, ProtocolChecker{"regs_check"}};

  sc_core::sc_event responded;  // AT: the MMU's BEGIN_RESP

  explicit Platform(sc_core::sc_module_name name, const TranslatingMmuParams& params = {})
      : sc_module(name), mmu("tmmu", params, clock) {
    cpu.register_nb_transport_bw(this, &Platform::nb_transport_bw);
    cpu.bind(checks[0].target);
    checks[0].initiator.bind(mmu.va_in);
    mmu.pa_out.bind(checks[1].target);
    checks[1].initiator.bind(mem.socket);
    mmu.walk_port().bind(checks[2].target);
    checks[2].initiator.bind(mem.socket);
    cfg.bind(checks[3].target);
    checks[3].initiator.bind(mmu.regs);
  }
  ~Platform() override {
    for (const ProtocolChecker& c : checks) {
      EXPECT_TRUE(c.violations().empty()) << c.name() << ": " << c.violations().front();
      EXPECT_EQ(c.open_transactions(), 0u) << c.name();
    }
  }
  // Multi-sockets resolve their bindings at the end of elaboration.
  static void elaborate() {
    if (sc_core::sc_get_status() == sc_core::SC_ELABORATION)
      sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  static void request(tlm::tlm_generic_payload& gp, tlm::tlm_command cmd, Addr va,
                      unsigned char* data, unsigned len) {
    gp.set_command(cmd);
    gp.set_address(va);
    gp.set_data_ptr(data);
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  }
  tlm::tlm_response_status access(tlm::tlm_command cmd, Addr va, unsigned char* data,
                                  unsigned len, TranslationExt* ext = nullptr) {
    elaborate();
    tlm::tlm_generic_payload gp;
    request(gp, cmd, va, data, len);
    if (ext) gp.set_extension(ext);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    cpu->b_transport(gp, delay);
    if (ext) gp.clear_extension(ext);
    return gp.get_response_status();
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) {
    if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    responded.notify(delay);
    return tlm::TLM_COMPLETED;  // the response is taken at once: no END_RESP
  }
  // AT, from a thread: BEGIN_REQ, then wait for BEGIN_RESP.
  tlm::tlm_response_status access_at(tlm::tlm_command cmd, Addr va, unsigned char* data,
                                     unsigned len) {
    tlm::tlm_generic_payload gp;
    request(gp, cmd, va, data, len);
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    if (cpu->nb_transport_fw(gp, phase, delay) != tlm::TLM_COMPLETED) wait(responded);
    return gp.get_response_status();
  }
  void write_reg(Addr offset, uint64_t v) { reg(tlm::TLM_WRITE_COMMAND, offset, v); }
  uint64_t read_reg(Addr offset) {
    uint64_t v = 0;
    reg(tlm::TLM_READ_COMMAND, offset, v);
    return v;
  }
  void reg(tlm::tlm_command cmd, Addr offset, uint64_t& v) {
    elaborate();
    tlm::tlm_generic_payload gp;
    request(gp, cmd, offset, reinterpret_cast<unsigned char*>(&v), 8);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    cfg->b_transport(gp, delay);
    EXPECT_TRUE(gp.is_response_ok()) << "register " << offset;
  }
};

TEST(TranslatingMmu, SplitsAWriteAcrossPagesAndReadsItBack) {
  Platform p("p");
  Tables t{p.mem, 0, 0x10'0000, kX86Table, kX86Table};
  const Addr va = 0x7f00'0000'0ff8;  // the last 8 bytes of one page, then the next page
  t.map(va, 0x20'3000);
  t.map(va + 8, 0x20'7000);  // not contiguous physically
  p.write_reg(TranslatingMmu::kCr3, t.root | 5);  // PCID 5
  unsigned char out[16], in[16] = {};
  for (unsigned i = 0; i < 16; ++i) out[i] = static_cast<unsigned char>(0xa0 + i);
  TranslationExt ext;
  EXPECT_EQ(p.access(tlm::TLM_WRITE_COMMAND, va, out, 16, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ext.pa, 0x20'7000u);  // the last piece's translation
  EXPECT_EQ(*p.mem.byte(0x20'3ff8), 0xa0);
  EXPECT_EQ(*p.mem.byte(0x20'7000), 0xa8);
  EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, va, in, 16), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(std::memcmp(in, out, 16), 0);
  EXPECT_EQ(p.mmu.stats().transactions, 2u);
  EXPECT_EQ(p.mmu.stats().pieces, 4u);
  EXPECT_EQ(p.mmu.stats().reference_mismatches, 0u);
  EXPECT_EQ(p.read_reg(TranslatingMmu::kCr3), t.root | 5);
}

TEST(TranslatingMmu, AFaultIsAnAddressErrorWithTheFaultReported) {
  Platform p("p");
  Tables t{p.mem, 0, 0x10'0000, kX86Table, x86pte::kPresent | x86pte::kUser};  // read-only
  t.map(0x1000, 0x30'0000);
  p.mmu.write_cr3(t.root);
  std::vector<Addr> faults;
  p.mmu.on_fault([&](Addr va, AccessKind, const Fault& f) {
    faults.push_back(va);
    EXPECT_TRUE(f);
  });
  unsigned char b[8] = {};
  TranslationExt ext;
  EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, 0x5000, b, 8, &ext), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(ext.fault.kind, FaultKind::kNotPresent);
  EXPECT_EQ(p.read_reg(TranslatingMmu::kFaultVa), 0x5000u);
  EXPECT_EQ(p.read_reg(TranslatingMmu::kFault) & 0xff, 1u);
  // A store to the read-only page: a protection fault, nothing written.
  EXPECT_EQ(p.access(tlm::TLM_WRITE_COMMAND, 0x1008, b, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(p.read_reg(TranslatingMmu::kFault) & 0xff, 2u);
  EXPECT_EQ((std::vector<Addr>{0x5000, 0x1008}), faults);
  EXPECT_EQ(p.mem.pages.count(0x30'0000 >> 12), 0u);  // the data page was never touched
  EXPECT_EQ(p.access(tlm::TLM_READ_COMMAND, 0x1008, b, 8), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(p.mmu.stats().reference_mismatches, 0u);
}

TEST(TranslatingMmu, GuestTablesUnderAnEptWalkTwentyFourReferencesWithoutPwcs) {
  TranslatingMmuParams params;
  params.mmu.walker.guest_pwc = params.mmu.walker.host_pwc = PwcParams{};  // no entries
  Platform p("p", params);
  // The guest's tables in guest-physical memory (at kGuestBase + gPA in host memory), the EPT
  // mapping the first 4 MiB of guest memory there, 4K pages.
  Tables guest{p.mem, kGuestBase, 0x1'0000, kX86Table, kX86Table};
  const Addr va = 0x5555'0000'1234;
  guest.map(va, 0x20'0000);
  Tables eptt{p.mem, 0, 0x8000'0000, kEptRwx, kEptRwx | ept::kMemTypeWb};
  for (Addr g = 0; g < (Addr{4} << 20); g += 4096) eptt.map(g, kGuestBase + g);
  p.write_reg(TranslatingMmu::kVpid, 3);
  p.write_reg(TranslatingMmu::kEptp, eptt.root | 3 << 3 | 6);
  p.write_reg(TranslatingMmu::kCr3, guest.root);
  unsigned char b[4] = {1, 2, 3, 4};
  TranslationExt ext;
  EXPECT_EQ(p.access(tlm::TLM_WRITE_COMMAND, va, b, 4, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ext.pa, kGuestBase + 0x20'0234);
  EXPECT_EQ(ext.walk_refs, 24u);
  EXPECT_EQ(*p.mem.byte(kGuestBase + 0x20'0234), 1);
  EXPECT_EQ(p.mmu.stats().reference_mismatches, 0u);
  EXPECT_EQ(p.read_reg(TranslatingMmu::kEptp), eptt.root | 3 << 3 | 6);
}

TEST(TranslatingMmu, StaleTranslationsUntilInvalidatedThroughTheRegisters) {
  Platform p("p");
  Tables t{p.mem, 0, 0x10'0000, kX86Table, kX86Table};
  const Addr va = 0x40'0000;
  t.map(va, 0x50'0000);
  p.write_reg(TranslatingMmu::kCr3, t.root);
  unsigned char b[8] = {};
  TranslationExt ext;
  ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, va, b, 8, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ext.pa, 0x50'0000u);
  t.map(va, 0x60'0000);  // the software remaps without invalidating: the TLB still has the old
  ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, va, b, 8, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ext.pa, 0x50'0000u);
  EXPECT_EQ(p.mmu.stats().reference_mismatches, 1u);  // the reference walk saw the new entry
  p.write_reg(TranslatingMmu::kInvlpg, va);
  ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, va, b, 8, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ext.pa, 0x60'0000u);
  EXPECT_EQ(ext.served_by, ServedBy::kWalk);
  // A CR3 write without the no-flush bit flushes the context; with it, entries stay.
  p.write_reg(TranslatingMmu::kCr3, t.root | uint64_t{1} << 63);
  ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, va, b, 8, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_NE(ext.served_by, ServedBy::kWalk);
  p.write_reg(TranslatingMmu::kCr3, t.root);
  ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, va, b, 8, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ext.served_by, ServedBy::kWalk);
  EXPECT_EQ(p.mmu.stats().reference_mismatches, 1u);
}

// DMT: a TEA register the platform's OS programs gives the leaf entry of its VMA in one read
// (the VMA's PT pages contiguous in the platform's memory); elsewhere the radix walk.
TEST(TranslatingMmu, TeaRegistersGiveTheLeafEntryInOneReference) {
  TranslatingMmuParams params;
  params.dmt = true;
  params.mmu.walker.guest_pwc = PwcParams{};  // no PWC: a radix walk reads 4 entries
  Platform p("p", params);
  Tables t{p.mem, 0, 0x10'0000, kX86Table, kX86Table};
  const Addr vma = 0x4000'0000;
  t.map(vma, 0x30'0000);              // PML4, PDPT, PD, then the first PT at 0x10'3000
  t.map(vma + 0x20'0000, 0x31'0000);  // the second PT right after it
  p.mmu.program_tea(0, 0, TeaRegister{vma, vma + 0x40'0000, 0x10'3000, 0, 12, true});
  t.map(0x8000'0000, 0x32'0000);      // outside the TEA
  p.mmu.write_cr3(t.root);
  unsigned char b[8];
  TranslationExt ext;
  ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, vma + 0x20'0010, b, 8, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ext.pa, 0x31'0010u);
  EXPECT_EQ(ext.walk_refs, 1u);
  ASSERT_NE(ext.walk, nullptr);
  EXPECT_EQ(ext.walk->dmt_hits, 1u);
  ASSERT_EQ(p.access(tlm::TLM_READ_COMMAND, 0x8000'0008, b, 8, &ext), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(ext.pa, 0x32'0008u);
  EXPECT_EQ(ext.walk_refs, 4u);
  EXPECT_EQ(p.mmu.stats().reference_mismatches, 0u);
}

// The same answers to an AT initiator (nb_transport: the MMU's socket runs the translation in a
// thread of its own and answers with BEGIN_RESP), time passing as the walks and the memory say.
TEST(TranslatingMmu, AnAtInitiatorGetsTheSameAnswers) {
  Platform p("p");
  Tables t{p.mem, 0, 0x10'0000, kX86Table, kX86Table};
  const Addr va = 0x7f00'0000'0ff8;
  t.map(va, 0x20'3000);
  t.map(va + 8, 0x20'7000);
  p.mmu.write_cr3(t.root);
  Platform::elaborate();
  unsigned char out[16], in[16] = {}, b[8];
  for (unsigned i = 0; i < 16; ++i) out[i] = static_cast<unsigned char>(0x30 + i);
  tlm::tlm_response_status st[3] = {};
  sc_core::sc_spawn([&] {
    st[0] = p.access_at(tlm::TLM_WRITE_COMMAND, va, out, 16);
    st[1] = p.access_at(tlm::TLM_READ_COMMAND, va, in, 16);
    st[2] = p.access_at(tlm::TLM_READ_COMMAND, va + 0x10'0000, b, 8);  // unmapped
  });
  sc_core::sc_start();
  EXPECT_EQ(st[0], tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(st[1], tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(st[2], tlm::TLM_ADDRESS_ERROR_RESPONSE);
  EXPECT_EQ(std::memcmp(in, out, 16), 0);
  EXPECT_EQ(*p.mem.byte(0x20'7000), 0x38);
  EXPECT_GT(sc_core::sc_time_stamp(), sc_core::SC_ZERO_TIME);
  EXPECT_EQ(p.mmu.stats().reference_mismatches, 0u);
}

}  // namespace
}  // namespace mmusim
