// Walk roots taken from architectural registers, for page tables that a platform's own software
// wrote into its own memory (no mmusim builder): CR3 with its PCID, and, for a guest, the EPTP
// with the VM's VPID. The walker reads whatever those tables hold.
#pragma once

#include "models/page_table.h"
#include "models/scheme.h"
#include "models/walker.h"

namespace mmusim {

struct RootRegisters {
  Addr cr3 = 0;          // native or guest root table (guest-physical under EPT), 4 KiB aligned
  uint16_t pcid = 0;     // tags the (guest) translations
  unsigned levels = 4;   // CR4.LA57: 4 or 5
  Addr eptp = 0;         // EPT root table (host-physical); 0: no EPT (a native walk)
  unsigned ept_levels = 4;
  uint16_t vpid = 0;     // tags a guest's translations (0: the host's, native)
  bool dmt = false;      // the DMT unit's TEA registers give leaf entries (set 0: the address
                         // space's, tagged by its context; set 1, under EPT: the VM's host TEAs)

  bool ept() const { return eptp != 0; }
  // The context the current registers translate in.
  Context context() const { return Context{pcid, ept() ? vpid : uint16_t{0}}; }
};

class RegisterRoots : public WalkRoots {
 public:
  RootRegisters regs;

  // One dimension natively, two under EPT; none while CR3 is 0 (paging off is not modelled).
  unsigned walk_dims(Context ctx, WalkDim* out) const override {
    if (!regs.cr3) return 0;
    out[0] = dim(regs.cr3, regs.levels, PtFormat::kX86, ctx);
    // A guest TEA holds guest-physical entry addresses; a native one, physical ones.
    if (regs.dmt) out[0].dmt = WalkDmt{true, 0, ctx.key(), !regs.ept()};
    if (!regs.ept()) return 1;
    out[1] = dim(regs.eptp, regs.ept_levels, PtFormat::kEpt, Context{0, ctx.vpid});
    if (regs.dmt) out[1].dmt = WalkDmt{true, 1, ctx.vpid, true};
    return 2;
  }

 private:
  static WalkDim dim(Addr root, unsigned levels, PtFormat format, Context ctx) {
    WalkDim d;
    d.root = root & kEntryAddrMask;
    d.levels = static_cast<uint8_t>(levels);
    d.format = format;
    d.ctx = ctx;
    return d;
  }
};

}  // namespace mmusim
