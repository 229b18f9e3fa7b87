// The DMT unit as the rest of the simulator sees it: register sets of TEA mappings (set 0: the
// running address space's TEAs, set 1: the host's TEA over guest memory, or for a nested guest
// L1's TEA over L2 memory, set 2: L0's TEA over L1 memory). The interface is narrow: the OS
// programs a register; the walker looks an address up over the socket (a generic payload whose
// address is the VA or gPA, with a DmtExt) -> hit, leaf entry address. Two implementations stand
// behind it, picked by mmu.dmt.impl: DmtModel (the C++ model) and DmtRtl (the verilated RTL).
#pragma once

#include <memory>
#include <string>
#include <vector>
#include <systemc>
#include <tlm>

#include "models/dmt.h"
#include "tlm/lt_target.h"

namespace mmusim {

enum class DmtImpl : uint8_t { kModel, kRtl };

// A verilated RTL unit this build has: registers per set and lookup pipeline depth.
struct DmtRtlShape {
  unsigned registers;
  unsigned stages;
};
// The verilated units of this build (rtl/CMakeLists.txt, MMUSIM_DMT_RTL_SHAPES), by registers
// then depth; empty when it has none (Verilator was not found).
const std::vector<DmtRtlShape>& dmt_rtl_shapes();

struct DmtExt : tlm::tlm_extension<DmtExt> {
  uint8_t set = 0;     // in: which register set
  uint32_t tag = 0;    // in: address space or VM
  bool hit = false;    // out
  Addr entry = 0;      // out: the leaf entry's address
  unsigned level = 1;  // out: its radix level
  Cycles cycles = 0;   // out: cycles the lookup took (the walker's latency account)

  tlm::tlm_extension_base* clone() const override { return new DmtExt(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const DmtExt&>(other);
  }
};

// Timing follows the LT rule: a lookup's b_transport is called with the initiator's offset
// from the kernel time and adds the lookup's latency to it, without waiting: the model its
// configured latency, the RTL the cycles its pipeline took from that time on. Both report the
// cycles in the extension.
class DmtUnit : public sc_core::sc_module, public LtTarget, public TeaRegisterFile {
 public:
  static constexpr unsigned kSets = 3;
  TargetSocket socket;

  unsigned registers() const override = 0;
  void program(unsigned set, unsigned index, const TeaRegister& r) override = 0;
  virtual TeaRegister read(unsigned set, unsigned index) = 0;
  // Blocks the calling thread until every programmed value is in the registers: the RTL writes
  // them through its register interface, a word per cycle; the model at once. Called once, when
  // the OS has booted.
  virtual void settle() {}
  // Dumps the unit's signals into an FST wave file from now on (RTL only).
  virtual void trace(const std::string& path);
  void report(StatsVisitor& v) const;

 protected:
  explicit DmtUnit(sc_core::sc_module_name name);
  // Checks the payload: its DmtExt, or nullptr after setting an error response.
  static DmtExt* request(tlm::tlm_generic_payload& gp);
  // Completes a lookup: the leaf entry's address into the payload's 8 bytes, an OK response.
  static void answer(tlm::tlm_generic_payload& gp, const DmtExt& ext);
  void count_lookup(const DmtExt& ext) {
    ++m_lookups[ext.set];
    if (ext.hit) ++m_hits[ext.set];
  }
  void count_program() { ++m_programs; }

 private:
  uint64_t m_lookups[kSets] = {}, m_hits[kSets] = {}, m_programs = 0;
};

class Clock;

// The implementation `impl` names, as sc_module "name" of the current module.
std::unique_ptr<DmtUnit> make_dmt_unit(const char* name, DmtImpl impl, unsigned registers,
                                       const Clock& clock, Cycles latency);

}  // namespace mmusim
