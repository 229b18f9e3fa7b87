// What every translation is checked against: the expectation a scheme's oracle composes from the
// builders' own records of each dimension, and the read-ahead state whose oracle lookups stand in
// for fresh ones while their maps are unchanged.
#pragma once

#include "models/translation_map.h"

namespace mmusim {

// The translation the oracle expects, or the fault the walker must report.
struct Expectation {
  FaultKind fault = FaultKind::kNone;
  Addr pa = 0;
  PageSize size = PageSize::k4K;
  Perms perms;
};

// The expectation from va's guest (or native) mapping and, two-dimensional, the host mapping of
// its guest-physical address (null: not mapped).
Expectation compose(Addr va, AccessKind access, const Mapping* guest, bool two_dims,
                    const Mapping* host);

// Host-cache hints for an access a few accesses ahead, stage by stage (Scheme::hint), and the
// oracle lookups they made: an explicit cache of the check's answers, valid while the versions
// of the maps they came from are unchanged. Stages 2 and 4 leave in `lines` the host-physical
// addresses whose memory-hierarchy tag sets the caller may load.
struct OracleHints {
  static constexpr unsigned kStages = 5;
  Addr gpa = 0;
  bool mapped = false;
  static constexpr unsigned kMaxLines = 16;
  unsigned nlines = 0;
  Addr lines[kMaxLines] = {};
  Addr va = ~Addr{0};  // the access the mappings below are for
  const TranslationMap* guest_map = nullptr;
  const TranslationMap* host_map = nullptr;  // null: not looked up
  uint64_t guest_version = 0, host_version = 0;
  Mapping guest, host;
  bool host_mapped = false;
  // The oracles the stages read (guest null: no address space; host null: none hinted), found
  // by stage 0 for the access hint_va of hint_asid, and again by a later stage that finds them
  // set for another access (one that started past stage 0).
  Addr hint_va = ~Addr{0};
  uint16_t hint_asid = 0;
  const TranslationMap* hint_guest = nullptr;
  const TranslationMap* hint_host = nullptr;

  // The guest mapping the stages looked up for va, if its map is `guest` and unchanged.
  bool guest_valid(Addr at, const TranslationMap& guest) const {
    return va == at && guest_map == &guest && guest_version == guest.version();
  }
  // Adds a line for the caller to load (beyond kMaxLines: dropped).
  void add_line(Addr pa) {
    if (nlines < kMaxLines) lines[nlines++] = pa;
  }
  bool host_valid(const TranslationMap& host) const {
    return host_map == &host && host_version == host.version();
  }
};

}  // namespace mmusim
