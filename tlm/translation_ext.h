// The TLM-2.0 extension carried by translation requests: what to translate in, the translation,
// the fault and the latency breakdown out.
#pragma once

#include <tlm>

#include "models/types.h"

namespace mmusim {

struct WalkResult;

// Which structure produced the translation.
enum class ServedBy : uint8_t { kNone, kL1Tlb, kStlb, kWalk };
const char* served_by_name(ServedBy s);

struct TranslationExt : tlm::tlm_extension<TranslationExt> {
  // In.
  Addr va = 0;
  AccessKind access = AccessKind::kLoad;
  Context ctx;
  // Out.
  Addr pa = 0;
  PageSize size = PageSize::k4K;
  Perms perms;
  Fault fault;
  ServedBy served_by = ServedBy::kNone;
  Cycles tlb_cycles = 0;   // TLB lookups on the path
  Cycles walk_cycles = 0;  // the walk, if any: cache probes plus memory references
  Cycles mem_cycles = 0;   // the walk's memory references
  uint16_t walk_refs = 0;
  const WalkResult* walk = nullptr;  // the walk's details, valid until the next walk
  sc_core::sc_time respond_at;  // at: when the MMU answers (set as it accepts the request)

  void start(Addr v, AccessKind a, Context c) {
    va = v;
    access = a;
    ctx = c;
    pa = 0;
    size = PageSize::k4K;
    perms = Perms{};
    fault = Fault{};
    served_by = ServedBy::kNone;
    tlb_cycles = walk_cycles = mem_cycles = 0;
    walk_refs = 0;
    walk = nullptr;
    respond_at = sc_core::SC_ZERO_TIME;
  }
  Cycles total_cycles() const { return tlb_cycles + walk_cycles; }

  tlm::tlm_extension_base* clone() const override { return new TranslationExt(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const TranslationExt&>(other);
  }
};

}  // namespace mmusim
