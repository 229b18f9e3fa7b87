// A virtual platform that embeds mmusim's translating MMU. The platform has its own memory and
// its own software, which writes a guest's 4-level page table and an EPT into that memory, and
// two traffic generators (the "CPUs"), one loosely timed (b_transport), one approximately timed
// (nb_transport). Each sends loads and stores with virtual addresses, some crossing a page, one
// to an unmapped page, through its own TranslatingMmu to the memory. Every byte's physical
// address is checked against the example's own walk of the tables, the data against the memory,
// the unmapped access must fault, and the MMU's own reference check must agree. Exits 1 on any
// wrong answer.
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "tlm/translating_mmu.h"

using namespace mmusim;

namespace {

int failures = 0;

void check(bool ok, const char* what, Addr va) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s (va 0x%llx)\n", what, static_cast<unsigned long long>(va));
    ++failures;
  }
}

// The platform's memory: sparse pages of bytes, 20 ns an access.
struct PlatformMemory : sc_core::sc_module {
  // Any number of initiators: the MMUs' data and table-walk ports.
  tlm_utils::multi_passthrough_target_socket<PlatformMemory, kBusWidth> socket{"socket"};
  std::map<uint64_t, std::vector<unsigned char>> pages;

  explicit PlatformMemory(sc_core::sc_module_name n) : sc_module(n) {
    socket.register_b_transport(this, &PlatformMemory::b_transport);
    socket.register_transport_dbg(this, &PlatformMemory::transport_dbg);
  }
  unsigned char& at(uint64_t a) {
    std::vector<unsigned char>& p = pages[a >> 12];
    if (p.empty()) p.assign(4096, 0);
    return p[a & 4095];
  }
  uint64_t read64(uint64_t a) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | at(a + i);
    return v;
  }
  void write64(uint64_t a, uint64_t v) {
    for (int i = 0; i < 8; ++i) at(a + i) = static_cast<unsigned char>(v >> (8 * i));
  }
  unsigned transport_dbg(int, tlm::tlm_generic_payload& gp) {
    for (unsigned i = 0; i < gp.get_data_length(); ++i) {
      unsigned char& m = at(gp.get_address() + i);
      if (gp.is_write()) m = gp.get_data_ptr()[i];
      else gp.get_data_ptr()[i] = m;
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return gp.get_data_length();
  }
  void b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    transport_dbg(0, gp);
    delay += sc_core::sc_time(20, sc_core::SC_NS);
  }
};

// The software: a guest's page table in guest-physical memory, which the EPT maps 4K by 4K at
// kGuestBase in host memory. Entries in the architectural formats.
constexpr uint64_t kGuestBase = 0x1'0000'0000;
constexpr uint64_t kAddr = 0x000f'ffff'ffff'f000;
constexpr uint64_t kPte = 0x7;   // present, writable, user
constexpr uint64_t kEpte = 0x7;  // read, write, execute
constexpr uint64_t kEptLeaf = 0x37;  // RWX, write-back

unsigned index(uint64_t a, unsigned level) { return (a >> (12 + 9 * (level - 1))) & 511; }

struct PlatformSoftware {
  PlatformMemory& mem;
  uint64_t next_guest_table = 0x1000, next_ept_table = 0x8000'0000;
  uint64_t cr3 = 0, eptp = 0;

  // Maps `in` to `out` in a 4-level table at *root; tables come from *next, stored at
  // table + to_host in host memory.
  void map(uint64_t& root, uint64_t& next, uint64_t to_host, uint64_t table_bits,
           uint64_t leaf_bits, uint64_t in, uint64_t out) {
    if (!root) root = (next += 0x1000) - 0x1000;
    uint64_t table = root;
    for (unsigned level = 4; level > 1; --level) {
      const uint64_t slot = table + index(in, level) * 8 + to_host;
      if (!mem.read64(slot)) mem.write64(slot, ((next += 0x1000) - 0x1000) | table_bits);
      table = mem.read64(slot) & kAddr;
    }
    mem.write64(table + index(in, 1) * 8 + to_host, (out & kAddr) | leaf_bits);
  }
  void map_guest(uint64_t va, uint64_t gpa) {
    map(cr3, next_guest_table, kGuestBase, kPte, kPte, va, gpa);
  }
  void map_ept(uint64_t gpa) {
    map(eptp, next_ept_table, 0, kEpte, kEptLeaf, gpa, kGuestBase + gpa);
  }

  // The example's own reference: the 2D walk, every guest table address through the EPT.
  bool ept_walk(uint64_t gpa, uint64_t& hpa) {
    uint64_t table = eptp;
    for (unsigned level = 4; level >= 1; --level) {
      const uint64_t e = mem.read64(table + index(gpa, level) * 8);
      if (!(e & 7)) return false;
      table = e & kAddr;
    }
    hpa = table | (gpa & 0xfff);
    return true;
  }
  bool translate(uint64_t va, uint64_t& hpa) {
    uint64_t table = cr3;  // guest-physical, as every guest table address
    for (unsigned level = 4; level >= 1; --level) {
      uint64_t slot;
      if (!ept_walk(table + index(va, level) * 8, slot)) return false;
      const uint64_t e = mem.read64(slot);
      if (!(e & 1)) return false;
      table = e & kAddr;  // the next table, or the data page at level 1
    }
    return ept_walk(table | (va & 0xfff), hpa);
  }
};

struct Access {
  uint64_t va;
  unsigned len;
  bool write;
  bool faults;
};

// A traffic generator: each access in turn, by b_transport (LT) or nb_transport (AT), checked.
struct Cpu : sc_core::sc_module {
  SC_HAS_PROCESS(Cpu);
  tlm_utils::simple_initiator_socket<Cpu, kBusWidth> socket{"socket"};
  PlatformSoftware& sw;
  const std::vector<Access>& accesses;
  bool at;
  tlm_utils::peq_with_get<tlm::tlm_generic_payload> responses{"responses"};
  unsigned done = 0;

  Cpu(sc_core::sc_module_name n, PlatformSoftware& s, const std::vector<Access>& a, bool at_)
      : sc_module(n), sw(s), accesses(a), at(at_) {
    socket.register_nb_transport_bw(this, &Cpu::nb_transport_bw);
    SC_THREAD(run);
  }
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) {
    if (phase != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    responses.notify(gp, delay);
    return tlm::TLM_COMPLETED;  // no END_RESP: the response is taken at once
  }
  void send(tlm::tlm_generic_payload& gp) {
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    if (!at) {
      socket->b_transport(gp, delay);
      wait(delay);
      return;
    }
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    if (socket->nb_transport_fw(gp, phase, delay) != tlm::TLM_COMPLETED)
      while (!responses.get_next_transaction()) wait(responses.get_event());
  }
  void run() {
    for (const Access& a : accesses) {
      std::vector<unsigned char> data(a.len);
      for (unsigned i = 0; i < a.len; ++i) data[i] = static_cast<unsigned char>(a.va + i);
      tlm::tlm_generic_payload gp;
      gp.set_command(a.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      gp.set_address(a.va);
      gp.set_data_ptr(data.data());
      gp.set_data_length(a.len);
      gp.set_streaming_width(a.len);
      gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      send(gp);
      if (a.faults) {
        check(gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE, "fault", a.va);
      } else {
        check(gp.is_response_ok(), "response", a.va);
        for (unsigned i = 0; i < a.len; ++i) {  // every byte where the reference walk puts it
          uint64_t hpa = 0;
          check(sw.translate(a.va + i, hpa), "reference walk", a.va + i);
          check(sw.mem.at(hpa) == data[i], a.write ? "stored byte" : "loaded byte", a.va + i);
        }
      }
      ++done;
    }
  }
};

}  // namespace

int sc_main(int, char*[]) {
  PlatformMemory mem("memory");
  PlatformSoftware sw{mem};
  for (uint64_t g = 0; g < (uint64_t{4} << 20); g += 0x1000) sw.map_ept(g);  // 4 MiB of guest
  // Each CPU its own eight pages, mapped in reverse order, then a hole.
  std::vector<Access> accesses[2];
  for (unsigned c = 0; c < 2; ++c) {
    const uint64_t base = 0x7f00'0000'0000 + c * 0x10'0000'0000;
    for (unsigned i = 0; i < 8; ++i)
      sw.map_guest(base + i * 0x1000, 0x20'0000 + c * 0x10'0000 + (7 - i) * 0x1000);
    accesses[c] = {{base + 0x10, 8, true, false},      {base + 0x10, 8, false, false},
                   {base + 0xffc, 8, true, false},     {base + 0x1ffa, 64, true, false},
                   {base + 0x1ffa, 64, false, false},  {base + 0x7ff0, 32, false, true},
                   {base + 0x10'0000, 4, false, true}};  // off the last page; in no page
  }

  Clock clock(2000.0);
  TranslatingMmuParams params;  // the default config's TLBs and PWCs
  TranslatingMmu lt_mmu("lt_mmu", params, clock), at_mmu("at_mmu", params, clock);
  Cpu lt("lt_cpu", sw, accesses[0], false), at("at_cpu", sw, accesses[1], true);
  for (auto [cpu, mmu] : {std::pair{&lt, &lt_mmu}, std::pair{&at, &at_mmu}}) {
    cpu->socket.bind(mmu->va_in);
    mmu->pa_out.bind(mem.socket);
    mmu->walk_port().bind(mem.socket);
    mmu->set_ept(sw.eptp, 1);
    mmu->write_cr3(sw.cr3);
  }
  sc_core::sc_start();
  for (const TranslatingMmu* m : {&lt_mmu, &at_mmu}) {
    check(m->stats().reference_mismatches == 0, "the MMU's reference check", 0);
    check(m->stats().faults == 2, "faults", 0);
  }
  check(lt.done == accesses[0].size() && at.done == accesses[1].size(), "accesses done", 0);
  if (failures) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("embed: %zu accesses each through the LT and AT MMUs, every byte where the "
              "reference walk puts it, in %s\n",
              accesses[0].size(), sc_core::sc_time_stamp().to_string().c_str());
  return 0;
}
