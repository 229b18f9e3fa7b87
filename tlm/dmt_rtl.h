// The verilated RTL DMT unit (rtl/dmt_unit.sv, SystemC output) behind the DmtUnit interface. A
// transactor turns program() into register-interface writes and each lookup into a valid/ready
// handshake, on the unit's clock: an sc_clock at the core clock, reaching the unit through a
// clock gate that opens while the transactor has work (as a clock-gating cell would; an idle unit
// evaluated on every edge of a multi-million-cycle run would cost most of the co-simulation).
//
// Timing. The unit's rising edges fall half a cycle after the core's cycle boundaries, so the
// transactor drives and samples between edges, race-free. A lookup first waits until the kernel
// reaches the walker's local time (the initiator's offset), then presents the request and
// counts rising edges until the response is out: the cycles the RTL took, reported in the
// DmtExt. The time passed in wait()s, so the offset comes back zero: kernel time plus offset is
// what the model's annotation gives. Register writes (a word per cycle) are posted: a port
// thread drives them while the kernel catches up with the core, and the next lookup waits until
// they are in. The OS's writes at boot are in before the workload starts (settle()).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tlm/clock.h"
#include "tlm/dmt_unit.h"

class Vdmt_unit;
class VerilatedFstSc;

namespace mmusim {

class DmtRtl : public DmtUnit {
 public:
  // The build's verilated unit (rtl/CMakeLists.txt): registers per set, lookup pipeline depth.
  static constexpr unsigned kEntries = kDmtRtlBuild.registers;
  static constexpr unsigned kStages = kDmtRtlBuild.stages;

  DmtRtl(sc_core::sc_module_name name, const Clock& clock);
  ~DmtRtl() override;

  unsigned registers() const override { return kEntries; }
  // Posts the register's four words; throws when the unit cannot hold it (dmt_regmap).
  void program(unsigned set, unsigned index, const TeaRegister& r) override;
  // Reads the four words back through the register interface (a process must call it: it waits).
  TeaRegister read(unsigned set, unsigned index) override;
  void settle() override;
  void trace(const std::string& path) override;

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  // Untimed: answered from the transactor's mirror of what was programmed (no clock may run).
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:
  struct RegOp {
    uint32_t addr = 0;
    uint64_t data = 0;
    uint64_t* result = nullptr;  // a read's destination; null for a write
  };
  void register_port();  // SC_THREAD: reset, then every posted register operation
  void clock_gate();     // SC_METHOD: the latch-based gate in front of the unit's clock
  void clock_on();
  void clock_off();
  void post(const RegOp& op);
  void wait_registers();

  sc_core::sc_clock m_clk;
  sc_core::sc_signal<bool> m_gclk;  // the unit's clock: m_clk while the gate is open
  unsigned m_clock_users = 0;       // processes that need the unit clocked
  bool m_gate_open = false;
  sc_core::sc_event m_gate_changed;
  sc_core::sc_signal<bool> m_rst_n;
  sc_core::sc_signal<bool> m_reg_req, m_reg_we, m_reg_rvalid, m_reg_err;
  sc_core::sc_signal<uint32_t> m_reg_addr;
  sc_core::sc_signal<uint64_t> m_reg_wdata, m_reg_rdata;
  sc_core::sc_signal<bool> m_lookup_valid, m_lookup_ready;
  sc_core::sc_signal<uint32_t> m_lookup_set, m_lookup_tag;
  sc_core::sc_signal<uint64_t> m_lookup_va;
  sc_core::sc_signal<bool> m_rsp_valid, m_rsp_ready, m_rsp_hit;
  sc_core::sc_signal<uint32_t> m_rsp_index, m_rsp_level;
  sc_core::sc_signal<uint64_t> m_rsp_entry;
  std::unique_ptr<Vdmt_unit> m_rtl;
  std::unique_ptr<VerilatedFstSc> m_waves;

  std::vector<RegOp> m_ops;  // posted register operations; m_next is the first not yet done
  size_t m_next = 0;
  bool m_busy = true;  // reset or posted operations still to do
  sc_core::sc_event m_posted, m_done;
  DmtRegisters m_mirror[kSets];
};

}  // namespace mmusim
