// The DMT unit as a TLM module: register sets of TEA mappings (set 0: the running address
// space's TEAs, set 1: the host's TEA over guest memory, or for a nested guest L1's TEA over L2
// memory, set 2: L0's TEA over L1 memory). Its interface is narrow on purpose, so
// an RTL implementation can stand in: program a register; look up an address (a generic payload
// whose address is the VA or gPA, with a DmtExt) -> hit, leaf entry address.
#pragma once

#include <systemc>
#include <tlm>

#include "models/dmt.h"
#include "tlm/clock.h"
#include "tlm/lt_target.h"

namespace mmusim {

struct DmtExt : tlm::tlm_extension<DmtExt> {
  uint8_t set = 0;     // in: which register set
  uint32_t tag = 0;    // in: address space or VM
  bool hit = false;    // out
  Addr entry = 0;      // out: the leaf entry's address
  unsigned level = 1;  // out: its radix level

  tlm::tlm_extension_base* clone() const override { return new DmtExt(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const DmtExt&>(other);
  }
};

class DmtUnit : public sc_core::sc_module, public LtTarget {
 public:
  static constexpr unsigned kSets = 3;
  Cycles latency;
  TargetSocket socket;

  DmtUnit(sc_core::sc_module_name name, unsigned registers, const Clock& clock, Cycles latency);

  unsigned registers() const { return m_sets[0].count(); }
  void program(unsigned set, unsigned index, const TeaRegister& r);
  const TeaRegister& read(unsigned set, unsigned index) const { return m_sets[set].read(index); }
  void report(StatsVisitor& v) const;

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;

 private:
  bool lookup(tlm::tlm_generic_payload& gp);

  DmtRegisters m_sets[kSets];
  sc_core::sc_time m_delay;
  uint64_t m_lookups[kSets] = {}, m_hits[kSets] = {}, m_programs = 0;
};

}  // namespace mmusim
