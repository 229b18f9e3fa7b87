// The base-protocol checker itself: a well-behaved exchange leaves no violation, and each kind
// of violation a deliberately bad initiator or target commits is recorded. And the AT MMU
// refuses a memory that waits under its nb_transport_fw.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include <systemc>
#include <tlm>

#include "models/machine.h"
#include "testbench/sim_config.h"
#include "tlm/memory.h"
#include "tlm/mmu.h"

#include "protocol_checker.h"

namespace mmusim {
namespace {

// A target whose misbehaviour each test picks.
struct Target : sc_core::sc_module, tlm::tlm_fw_transport_if<> {
  TargetSocket socket{"socket"};
  bool set_status = true;     // b_transport sets TLM_OK_RESPONSE
  bool annotate_zero = false;  // b_transport overwrites the delay instead of adding to it
  bool wait_in_nb = false;     // nb_transport_fw waits
  bool accept_only = false;    // BEGIN_REQ: TLM_ACCEPTED and nothing more (no END_REQ yet)

  explicit Target(sc_core::sc_module_name name) : sc_module(name) { socket.bind(*this); }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override {
    if (set_status) gp.set_response_status(tlm::TLM_OK_RESPONSE);
    const sc_core::sc_time cycle(500, sc_core::SC_PS);
    delay = annotate_zero ? cycle : delay + cycle;
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    if (wait_in_nb) sc_core::wait(sc_core::SC_ZERO_TIME);
    if (accept_only) return tlm::TLM_ACCEPTED;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
};

// An initiator driven from the test body (or, for waits, from its thread) through a checker.
struct Bench : sc_core::sc_module {
  InitiatorSocket<Bench> socket{"socket"};
  Target target{"target"};
  ProtocolCheckers checkers;
  uint64_t data[2] = {};
  tlm::tlm_generic_payload gp[2];

  // `elaborate`: end elaboration now (false: a derived bench adds its process first).
  explicit Bench(sc_core::sc_module_name name, bool elaborate = true) : sc_module(name) {
    checkers.bind("pair", socket, target.socket);
    for (tlm::tlm_generic_payload& p : gp) {
      p.set_command(tlm::TLM_READ_COMMAND);
      p.set_address(0x1000);
      p.set_data_ptr(reinterpret_cast<unsigned char*>(&data[&p - gp]));
      p.set_data_length(8);
      p.set_streaming_width(8);
      p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    }
    if (elaborate) sc_core::sc_start(sc_core::SC_ZERO_TIME);  // the sockets are bound then
  }

  tlm::tlm_sync_enum begin(unsigned i) {
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    return socket->nb_transport_fw(gp[i], phase, delay);
  }
  // The recorded violations, one a line.
  std::string violations() const {
    std::string all;
    for (const std::string& v : checkers.violations()) all += v + "\n";
    return all;
  }
};

TEST(ProtocolChecker, AWellBehavedExchangeHasNoViolation) {
  Bench b("b");
  sc_core::sc_time delay(1, sc_core::SC_NS);
  b.socket->b_transport(b.gp[0], delay);
  EXPECT_EQ(delay, sc_core::sc_time(1500, sc_core::SC_PS));
  b.gp[1].set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  EXPECT_EQ(b.begin(1), tlm::TLM_COMPLETED);
  EXPECT_EQ(b.violations(), "");
  EXPECT_EQ(b.checkers.open_transactions(), 0u);
}

TEST(ProtocolChecker, CatchesASecondBeginReqBeforeEndReq) {
  Bench b("b");
  b.target.accept_only = true;
  EXPECT_EQ(b.begin(0), tlm::TLM_ACCEPTED);
  EXPECT_EQ(b.begin(1), tlm::TLM_ACCEPTED);  // no END_REQ for the first yet
  EXPECT_NE(b.violations().find("request exclusion rule"), std::string::npos) << b.violations();
  EXPECT_EQ(b.checkers.open_transactions(), 2u);
  // The same payload again, while still in progress.
  b.begin(0);
  EXPECT_NE(b.violations().find("already in progress"), std::string::npos) << b.violations();
}

TEST(ProtocolChecker, CatchesAPayloadWithoutADataPointerOrLength) {
  Bench b("b");
  b.gp[0].set_data_ptr(nullptr);
  b.gp[0].set_data_length(0);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  b.socket->b_transport(b.gp[0], delay);
  EXPECT_NE(b.violations().find("b_transport: no data pointer"), std::string::npos);
  EXPECT_NE(b.violations().find("b_transport: a data length of 0"), std::string::npos);
}

TEST(ProtocolChecker, CatchesAnIncompleteResponseAndATimeMovedBack) {
  Bench b("b");
  b.target.set_status = false;
  b.target.annotate_zero = true;
  sc_core::sc_time delay(10, sc_core::SC_NS);  // the initiator's local time
  b.socket->b_transport(b.gp[0], delay);
  EXPECT_NE(b.violations().find("still TLM_INCOMPLETE_RESPONSE"), std::string::npos)
      << b.violations();
  EXPECT_NE(b.violations().find("a time before the one it was called with"), std::string::npos)
      << b.violations();
  // A payload sent again without its status reset to incomplete.
  b.gp[0].set_response_status(tlm::TLM_OK_RESPONSE);
  b.socket->b_transport(b.gp[0], delay);
  EXPECT_NE(b.violations().find("not TLM_INCOMPLETE_RESPONSE on entry"), std::string::npos);
}

TEST(ProtocolChecker, CatchesAPhaseOffTheBaseProtocol) {
  Bench b("b");
  tlm::tlm_phase phase = tlm::BEGIN_RESP;  // a backward phase, sent forward
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  b.socket->nb_transport_fw(b.gp[0], phase, delay);
  EXPECT_NE(b.violations().find("not a forward phase"), std::string::npos) << b.violations();
}

// A process calls nb_transport_fw on a target that waits inside it.
struct WaitingBench : Bench {
  SC_HAS_PROCESS(WaitingBench);
  explicit WaitingBench(sc_core::sc_module_name name) : Bench(name, false) { SC_THREAD(run); }
  void run() {
    target.wait_in_nb = true;
    begin(0);
  }
};

TEST(ProtocolChecker, CatchesAWaitInsideNbTransport) {
  WaitingBench b("b");
  sc_core::sc_start();
  EXPECT_NE(b.violations().find("nb_transport_fw waited"), std::string::npos) << b.violations();
}

// In front of the memory: waits in b_transport (legal there), then passes the request on.
struct WaitingMemory : sc_core::sc_module, tlm::tlm_fw_transport_if<> {
  TargetSocket socket{"socket"};
  InitiatorSocket<WaitingMemory> next{"next"};
  WaitingMemory(sc_core::sc_module_name name, Memory& m) : sc_module(name) {
    socket.bind(*this);
    next.bind(m.socket);
  }
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override {
    sc_core::wait(sc_core::SC_ZERO_TIME);
    next->b_transport(gp, delay);
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                     sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
};

// An AT MMU whose walker reads through a WaitingMemory; a thread sends it one request.
struct WaitingWalk : sc_core::sc_module {
  SC_HAS_PROCESS(WaitingWalk);
  explicit WaitingWalk(sc_core::sc_module_name name) : sc_module(name) {
    ConfigDoc doc = ConfigDoc::from_string(
        "sim: {timing: at}\nsystem: {virtualization: none}\nmemory: {walker_entry: dram}\n",
        "<test>");
    cfg = read_sim_config(doc);
    machine = std::make_unique<Machine>(cfg.machine);
    memory = std::make_unique<Memory>("memory", machine->mem(), clock, cfg.memory);
    waiting = std::make_unique<WaitingMemory>("waiting", *memory);
    mmu = std::make_unique<Mmu>("mmu", cfg.mmu, clock, machine->scheme(), cfg.machine.levels,
                                cfg.machine.host_levels, checkers.splicer());
    checkers.bind("mem_port", mmu->mem_port(), waiting->socket);
    checkers.bind("cpu", socket, mmu->cpu);
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    gp.set_data_length(sizeof data);
    gp.set_streaming_width(sizeof data);
    SC_THREAD(run);
  }
  ~WaitingWalk() override { gp.clear_extension(&ext); }
  void run() {
    const Addr va = 0x100000000000ULL;
    machine->populate(1, va);
    ext.start(va, AccessKind::kLoad, machine->context(1));
    gp.set_address(va);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    try {
      socket->nb_transport_fw(gp, phase, delay);
    } catch (const std::logic_error& e) {
      error = e.what();
    }
  }

  ProtocolCheckers checkers;
  SimConfig cfg;
  Clock clock{2000.0};
  std::unique_ptr<Machine> machine;
  std::unique_ptr<Memory> memory;
  std::unique_ptr<WaitingMemory> waiting;
  std::unique_ptr<Mmu> mmu;
  InitiatorSocket<WaitingWalk> socket{"socket"};
  tlm::tlm_generic_payload gp;
  TranslationExt ext;
  uint64_t data = 0;
  std::string error;
};

TEST(ProtocolChecker, TheAtMmuRefusesAMemoryThatWaitsUnderNbTransport) {
  WaitingWalk w("w");
  sc_core::sc_start();
  EXPECT_EQ(w.error, "a target under the MMU waited inside nb_transport_fw");
  std::string all;
  for (const std::string& v : w.checkers.violations()) all += v + "\n";
  EXPECT_NE(all.find("b_transport waited inside an nb_transport call"), std::string::npos) << all;
}

}  // namespace
}  // namespace mmusim
