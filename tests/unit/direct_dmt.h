// The walker's DMT path over a real machine, without the TLM layer: three register sets answered
// directly, for unit tests of DMT walks.
#pragma once

#include "models/dmt.h"
#include "models/walker.h"

namespace mmusim {

class DirectDmt : public DmtPort {
 public:
  DmtRegisters sets[3] = {DmtRegisters(16), DmtRegisters(16), DmtRegisters(16)};
  bool dmt_lookup(unsigned set, Addr addr, uint32_t tag, Addr& entry, unsigned& level,
                  Cycles&) override {
    DmtHit hit;
    if (!sets[set].lookup(addr, tag, hit)) return false;
    entry = hit.entry;
    level = hit.level;
    return true;
  }
};

}  // namespace mmusim
