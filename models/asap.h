// ASAP's range registers (Margaritov et al., "Prefetched Address Translation", MICRO'19). The OS
// lays out the PL1 (PT) and PL2 (PD) table pages of each large VMA contiguously and in the order
// of the addresses they map (models/tea_allocator: a TEA per level), and describes each level's
// area by a register: the range, the area's base and the level's page shift. On a TLB miss the
// hardware compares the address against the registers (`latency` cycles, as the DMT unit's
// compare) and prefetches the PL2 and PL1 entries whose addresses base-plus-offset arithmetic
// gives, while the ordinary walk runs (models/walker). Sets as in the DMT unit: 0 the running
// address space's ranges, 1 the host's over guest-physical memory.
#pragma once

#include "models/dmt.h"

namespace mmusim {

class AsapUnit : public TeaRegisterFile {
 public:
  static constexpr unsigned kSets = 3;
  static constexpr unsigned kMaxHits = 2;  // PL2 and PL1

  const Cycles latency;  // the compare, before the prefetches issue

  // `registers` per set: two per range (one per level).
  explicit AsapUnit(unsigned registers, Cycles latency = 0)
      : latency(latency),
        m_sets{DmtRegisters(registers), DmtRegisters(registers), DmtRegisters(registers)} {}

  unsigned registers() const override { return m_sets[0].count(); }
  void program(unsigned set, unsigned index, const TeaRegister& r) override {
    m_sets[set].program(index, r);
    ++m_programs;
  }
  // The entries to prefetch for va: one per matching register (level), at most kMaxHits.
  unsigned lookup(unsigned set, Addr va, uint32_t tag, DmtHit* hits) const {
    return m_sets[set].lookup_all(va, tag, hits, kMaxHits);
  }
  uint64_t programs() const { return m_programs; }
  const TeaRegister& read(unsigned set, unsigned index) const { return m_sets[set].read(index); }

 private:
  DmtRegisters m_sets[kSets];
  uint64_t m_programs = 0;
};

}  // namespace mmusim
