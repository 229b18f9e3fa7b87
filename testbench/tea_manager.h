// The (guest) OS's side of DMT: which VMAs get a TEA (alone, or adjacent dense VMAs sharing one),
// the TEA registers of each address space, and TEAs that follow their VMAs as these grow.
#pragma once

#include <vector>

#include "models/machine.h"
#include "models/stats.h"
#include "testbench/workload.h"

namespace mmusim {

class Mmu;

struct TeaPolicy {
  uint64_t min_vma = uint64_t{64} << 20;  // a VMA, or VMAs sharing a TEA, of at least this many
                                          // bytes gets a TEA
  unsigned registers = 16;                // TEA registers per address space
  // Adjacent VMAs of an address space share one TEA while their bytes are at least this
  // fraction of the span from the first one's start to the last one's end (a TEA has an entry
  // for every page of that span, gaps included); 0: every VMA on its own.
  double share_density = 0.0;
  // TEAs follow their VMAs as these grow (larger TEAs, moved leaf tables, a TEA for a group grown
  // large enough); false: TEAs keep what they were given at the start.
  bool grow = true;
};

class TeaManager {
 public:
  // What one VMA's growth did to its TEA, for the OS to charge.
  struct Work {
    bool created = false;      // the VMA's group had no TEA and got one now
    bool reallocated = false;  // the TEA was replaced by one of doubled capacity
    bool failed = false;       // no contiguous memory: the part beyond the TEA walks the radix
    bool hypercall = false;    // pvDMT: the host made the new TEA host-contiguous
    uint64_t moved = 0;        // leaf tables moved into the new TEA
    uint64_t backed = 0;       // its guest-physical pages the host had to back (DMT)
    bool registers = false;    // the address space's TEA registers changed
    // Input addresses where each moved table's range starts: the paging-structure cache
    // entries to invalidate (one invlpg each) on every core that may hold them.
    std::vector<Addr> moved_ranges;
  };
  struct Stats {
    uint64_t vmas_with_tea = 0, vmas_without_tea = 0;  // now
    uint64_t registers = 0;    // TEAs (registers in use), all address spaces, now
    uint64_t shared_vmas = 0;  // VMAs whose TEA covers other VMAs too, now
    uint64_t created_on_growth = 0, growths = 0, pages_moved = 0, growth_failures = 0;
  };

  // Groups the VMAs and gives each large enough group a TEA, in address order, up to the
  // registers of its address space. Does nothing unless the machine runs DMT.
  TeaManager(Machine& machine, const std::vector<Vma>& vmas, const TeaPolicy& policy);

  // Programs the host sets and the address-space set of `running` into the DMT unit of the MMU
  // of the next core (cores are attached in order: 0, 1, ...).
  void attach(Mmu& mmu, uint16_t running);
  // Loads core's address-space set with asid's registers (part of a context switch).
  void switch_to(unsigned core, uint16_t asid);
  // VMA `index` (in the order given at construction) now ends at `end`, further up: the OS on
  // `core` changes the TEA, invalidates what moved and loads the new registers there; other
  // cores running the address space take them by a shootdown (reload()).
  Work vma_grew(size_t index, Addr end, unsigned core = 0);
  // A shootdown's target reloads asid's registers (if it runs asid).
  void reload(unsigned core, uint16_t asid) {
    if (core < m_cores.size() && m_cores[core].running == asid) switch_to(core, asid);
  }

  const Stats& stats() const { return m_stats; }
  // The registers the OS keeps for asid (what it loads into the unit's address-space set).
  const std::vector<TeaRegister>& registers(uint16_t asid) const;

 private:
  struct Group {
    uint16_t asid;
    Addr start, end;  // the first VMA's start, the last one's end
    uint64_t bytes;   // VMA bytes in it
    unsigned vmas;
    int reg = -1;       // its first register in the address space's set, or none
    unsigned nregs = 0; // its registers: one per TEA (DMT one, ASAP one per table level)
  };
  bool enabled() const { return m_teas.enabled(); }
  // Registers left in g's address space and g large enough.
  bool eligible(const Group& g) const;
  // Creates g's TEAs (one per table level of m_shifts) and their registers; false when
  // contiguous memory cannot be had for the first.
  bool give_tea(Group& g, TeaChange* change);
  // g's TEA `k` (of m_shifts) grows to g.end; its register is reprogrammed on `core`.
  void grow_tea(Group& g, unsigned k, unsigned core, Work& w);
  // The OS's copy of g's register k, and `core`'s unit if it runs g's address space.
  void set_register(const Group& g, unsigned k, const TeaRegister& reg, unsigned core);
  // Stale paging-structure cache entries point at the moved tables' old pages: invlpg each range
  // on `core`; the ranges join w's for the other cores.
  void invalidate(uint16_t asid, const TeaChange& change, unsigned core, Work& w);

  TeaAllocator& m_teas;
  const Scheme& m_scheme;
  TeaPolicy m_policy;
  std::vector<uint8_t> m_shifts;  // page shifts of the tables a group's TEAs hold
  std::vector<Group> m_groups;
  std::vector<size_t> m_group_of;                // VMA index -> group
  std::vector<Addr> m_vma_end;                   // VMA index -> its end
  std::vector<std::vector<TeaRegister>> m_regs;  // by ASID: what the OS programs into set 0
  struct Attached {
    Mmu* mmu;
    uint16_t running;
  };
  std::vector<Attached> m_cores;
  Stats m_stats;
};

}  // namespace mmusim
