// The DMT unit's register file: TEA mappings compared in parallel against a virtual (or guest-
// physical) address, giving the address of its leaf entry in one step. The golden model the
// SystemVerilog unit in rtl/ is held against.
#pragma once

#include <vector>

#include "models/stats.h"
#include "models/types.h"

namespace mmusim {

// One TEA (translation entry area) mapping: the VMA [start, end) whose leaf entries sit in a
// contiguous area at `base`. shift is the leaf page shift: 12 when the TEA holds PT entries, 21
// when it holds PD entries (a huge-page region).
struct TeaRegister {
  Addr start = 0;
  Addr end = 0;
  Addr base = 0;
  uint32_t tag = 0;  // whose mapping: an address space (guest set) or a VM (host set)
  uint8_t shift = 12;
  bool valid = false;

  bool operator==(const TeaRegister& o) const {
    return start == o.start && end == o.end && base == o.base && tag == o.tag &&
           shift == o.shift && valid == o.valid;
  }
};

// leaf_entry_addr = base + ((va >> shift) - ((start >> (shift + 9)) << 9)) * 8: the TEA starts
// at the leaf table covering start, so it is indexed from start's table boundary.
inline Addr tea_entry(const TeaRegister& r, Addr va) {
  return r.base + ((va >> r.shift) - ((r.start >> (r.shift + 9)) << 9)) * 8;
}

struct DmtHit {
  Addr entry = 0;     // the leaf entry's address
  unsigned index = 0; // which register matched
  unsigned level = 1; // radix level of that entry (1 = PT, 2 = PD)
};

class DmtRegisters {
 public:
  explicit DmtRegisters(unsigned count) : m_regs(count) {}
  unsigned count() const { return static_cast<unsigned>(m_regs.size()); }
  void program(unsigned index, const TeaRegister& r) { m_regs.at(index) = r; }
  const TeaRegister& read(unsigned index) const { return m_regs.at(index); }
  void clear() {
    for (auto& r : m_regs) r.valid = false;
  }
  // The lowest-numbered valid register with a matching tag whose range holds va.
  bool lookup(Addr va, uint32_t tag, DmtHit& hit) const {
    for (unsigned i = 0; i < m_regs.size(); ++i) {
      const TeaRegister& r = m_regs[i];
      if (r.valid && r.tag == tag && va >= r.start && va < r.end) {
        hit = DmtHit{tea_entry(r, va), i, r.shift == 12 ? 1u : 1u + (r.shift - 12) / 9};
        return true;
      }
    }
    return false;
  }
  // Every valid register with a matching tag whose range holds va, in register order (at most
  // `max`): ASAP's ranges have one register per table level.
  unsigned lookup_all(Addr va, uint32_t tag, DmtHit* hits, unsigned max) const {
    unsigned n = 0;
    for (unsigned i = 0; i < m_regs.size() && n < max; ++i) {
      const TeaRegister& r = m_regs[i];
      if (r.valid && r.tag == tag && va >= r.start && va < r.end)
        hits[n++] = DmtHit{tea_entry(r, va), i, 1u + (r.shift - 12) / 9};
    }
    return n;
  }

 private:
  std::vector<TeaRegister> m_regs;
};

// What the OS programs its TEA registers into: the DMT unit, or ASAP's range registers.
class TeaRegisterFile {
 public:
  virtual ~TeaRegisterFile() = default;
  virtual unsigned registers() const = 0;  // per set
  virtual void program(unsigned set, unsigned index, const TeaRegister& r) = 0;
};

}  // namespace mmusim
