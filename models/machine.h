// The memory side of the simulated machine: physical memory, the translation scheme (its address
// spaces, host dimensions, oracle and software reactions) and DMT's TEA allocator, composed from
// the configuration in one place.
#pragma once

#include <memory>

#include "models/machine_params.h"
#include "models/scheme.h"
#include "models/tea_allocator.h"

namespace mmusim {

class Machine {
 public:
  // Throws std::runtime_error when memory is too small for the scheme's tables.
  explicit Machine(const MachineParams& params);
  ~Machine();

  const MachineParams& params() const { return m_scheme->params(); }
  PhysMem& mem() { return m_mem; }
  const PhysMem& mem() const { return m_mem; }
  Scheme& scheme() { return *m_scheme; }
  const Scheme& scheme() const { return *m_scheme; }
  TeaAllocator& teas() { return m_teas; }
  const TeaAllocator& teas() const { return m_teas; }

  // The scheme's, for callers that hold the machine.
  Context context(uint16_t asid) const { return m_scheme->context(asid); }
  AddressSpace& space(uint16_t asid) { return m_scheme->space(asid); }
  bool populate(uint16_t asid, Addr va) { return m_scheme->populate(asid, va); }
  bool truth(uint16_t asid, Addr va, Mapping& out) const {
    return m_scheme->truth(asid, va, out);
  }
  unsigned walk_dims(Context ctx, WalkDim* out) const { return m_scheme->walk_dims(ctx, out); }
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const OracleHints* hinted = nullptr) const {
    return m_scheme->expect(ctx, va, access, hinted);
  }

  void report(StatsVisitor& v) const;

 private:
  PhysMem m_mem;
  TeaAllocator m_teas;
  std::unique_ptr<Scheme> m_scheme;
};

}  // namespace mmusim
