// The verilated RTL DMT unit (rtl/dmt_unit.sv, plain C++ output) behind the DmtUnit interface.
// A transactor turns program() into register-interface writes and each lookup into a
// valid/ready handshake, and clocks the unit itself, on demand: it evaluates edges only while
// there is work, at the simulated time the work carries, and never waits for the kernel.
//
// Timing. A cycle of the unit starts on a core cycle boundary t: the inputs are driven at t,
// the rising edge falls at t + period/2, the falling edge at t + period. A lookup starts at the
// initiator's local time (kernel time plus the LT offset); the transactor toggles the clock for
// the cycles the handshake takes (the pipeline's depth) and adds them to the offset, as the
// model's annotation does. Time jumps between pieces of work (an idle unit's edges change
// nothing) but never runs back: in AT, where walks are computed in request order, a lookup due
// before the unit's last evaluated edge enters at the unit's next cycle, right behind the
// previous one. Register writes (a word per cycle) are posted at the kernel time (or after the
// unit's last cycle, if later) and evaluated at their cycles before the next lookup; a lookup
// due before they are in is an error, as it would find the registers half written. settle()
// waits, once, until the OS's writes at boot are in. Waves (trace()) record every evaluated
// edge at its simulated time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tlm/clock.h"
#include "tlm/dmt_unit.h"

class VerilatedFstC;

namespace mmusim {

class DmtRtlPins;

class DmtRtl : public DmtUnit {
 public:
  const unsigned stages;  // lookup pipeline depth (cycles)

  // `registers` per set and `stages` must name a shape the build verilated (dmt_rtl_shapes()).
  DmtRtl(sc_core::sc_module_name name, const Clock& clock, unsigned registers, unsigned stages);
  ~DmtRtl() override;

  unsigned registers() const override { return m_entries; }
  // Posts the register's four words; throws when the unit cannot hold it (dmt_regmap).
  void program(unsigned set, unsigned index, const TeaRegister& r) override;
  // Reads the four words back through the register interface, after every posted write.
  TeaRegister read(unsigned set, unsigned index) override;
  // Waits (a process must call it) until the posted writes are in.
  void settle() override;
  void trace(const std::string& path) override;

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  // Untimed: answered from the transactor's mirror of what was programmed (no clock may run).
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:
  struct RegWrite {
    uint32_t addr = 0;
    uint64_t data = 0;
    sc_core::sc_time at;  // its cycle's start
  };
  sc_core::sc_time free_slot() const;  // the register port's next cycle from the kernel time on
  void flush_writes();
  void reset();
  // One cycle from `t` (not before the last one's end): open() before the inputs change,
  // edge() after: the rising edge, the falling edge left pending (folded into the next cycle's
  // input evaluation unless waves need it at its own time). edge() returns lookup_ready_o as
  // the rising edge found it.
  void open(const sc_core::sc_time& t);
  bool edge(const sc_core::sc_time& t);
  void dump(const sc_core::sc_time& t);
  uint64_t register_op(const sc_core::sc_time& t, bool write, uint32_t addr, uint64_t data);
  void check_range(unsigned set, unsigned index) const;

  const unsigned m_entries;
  const sc_core::sc_time m_period, m_half;
  std::unique_ptr<DmtRtlPins> m_pins;
  std::unique_ptr<VerilatedFstC> m_waves;

  bool m_reset = false;           // the reset cycle was evaluated
  sc_core::sc_time m_now;         // end of the last evaluated cycle (its falling edge)
  bool m_fall_pending = false;    // that falling edge is not evaluated yet
  sc_core::sc_time m_busy_until;  // end of the last cycle evaluated or posted
  sc_core::sc_time m_writes_end;  // end of the last posted write
  std::vector<RegWrite> m_writes;  // posted, not yet evaluated
  DmtRegisters m_mirror[kSets];
};

}  // namespace mmusim
