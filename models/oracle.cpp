#include "models/oracle.h"

namespace mmusim {

Expectation compose(Addr va, AccessKind access, const Mapping* guest, bool two_dims,
                    const Mapping* host) {
  Expectation e;
  if (!guest) {
    e.fault = FaultKind::kNotPresent;
    return e;
  }
  if (!guest->perms.allows(access)) {
    e.fault = FaultKind::kProtection;
    return e;
  }
  e.pa = guest->translate(va);
  e.size = guest->size;
  e.perms = guest->perms;
  if (!two_dims) return e;
  if (!host || !host->perms.allows(access)) {
    e.fault = FaultKind::kEptViolation;
    return e;
  }
  e.pa = host->translate(e.pa);
  e.size = smaller(guest->size, host->size);
  e.perms = guest->perms & host->perms;
  return e;
}

}  // namespace mmusim
