// Agile Paging (Gandhi, Hill, Swift, ISCA'16): hardware walks the hypervisor's gVA -> hPA shadow
// table, as under shadow paging, until it meets a switching entry (kForeignTable). That entry
// holds the host address of the guest's own table of the level below, and the walk goes on from
// there as a 2D walk of the guest table x the EPT. The hypervisor write-protects the shadowed
// guest table pages: a write to one exits and syncs the shadow. A page written `write_threshold`
// times between two scans goes nested, with everything below it (its parent's shadow entry
// becomes the switch), and the guest then writes it freely. Every `scan_every` accesses the
// hypervisor scans the nested pages and shadows again those the guest did not write since the
// last scan (their dirty bits), rebuilding their shadow entries; a written page below one stays
// nested and becomes the switch. The root stays shadowed. A fault in the nested part is the
// guest's own (no exit); in the shadowed part it exits as under shadow paging.
#pragma once

#include <set>

#include "models/scheme_shadow.h"

namespace mmusim {

class AgileScheme final : public WithHints<AgileScheme, ShadowingScheme> {
 public:
  AgileScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  ~AgileScheme() override;
  static SchemeFeatures features();
  const char* name() const override { return "agile"; }
  unsigned walk_dims(Context ctx, WalkDim* out) const override;
  Expectation expect(Context ctx, Addr va, AccessKind access,
                     const OracleHints* hinted = nullptr) const override;
  bool populate(uint16_t asid, Addr va) override;
  Cycles trapped_table_writes(uint64_t before, Software& sw) override;
  uint64_t period() const override { return m_params.agile.scan_every; }
  Cycles periodic(Software& sw) override;
  bool take_walk_cache_flush() override;
  void report_spaces(StatsVisitor& v) const override;

  // The level of the guest table at which va's walk switches to nested mode (0: it does not).
  unsigned switch_level(uint16_t asid, Addr va) const;
  // Makes the guest table of `level` covering va nested, with everything below it; false when
  // the guest has no such table. (The policy calls it; tests call it to place a switch.)
  bool to_nested(uint16_t asid, Addr va, unsigned level);

  struct Stats {
    uint64_t to_nested = 0, to_shadow = 0;  // conversions of a subtree, each way
    uint64_t scans = 0, rebuilt = 0;        // periodic scans; shadow entries they composed
    uint64_t trapped_writes = 0, free_writes = 0;  // guest table writes that exited, or not
  };
  const Stats& stats() const { return m_stats; }

 protected:
  friend class Scheme;  // its hint stages call the steps below directly
  void space_created(uint16_t asid) override;
  Handled not_present(Context ctx, Addr va, const Perms* vma, Software& sw) override;
  Cycles after_demand_map(Context ctx, Addr va, uint64_t writes, Software& sw) override;
  void first_leaf_lines(Context ctx, Addr va, OracleHints& state) const;

 private:
  class Tracker;
  // A guest table page, named by its address space, level and the region it translates.
  static uint64_t page_key(uint16_t asid, unsigned level, Addr va);
  // The guest wrote an entry of its level-`level` table covering addr.
  void written(uint16_t asid, unsigned level, Addr addr);
  void drop_switch(uint16_t asid, unsigned level, Addr va);
  // Shadows the nested subtree whose top is the guest table of `level` at va again; returns the
  // shadow entries it composed.
  uint64_t to_shadow(uint16_t asid, unsigned level, Addr va);

  std::vector<std::unique_ptr<Tracker>> m_trackers;     // indexed by ASID
  std::set<uint64_t> m_switches;  // the guest table pages where walks switch (page_key order)
  FlatMap<uint8_t> m_switch_index;  // the same, for lookups on the hot path
  FlatMap<uint32_t> m_writes;       // guest table page -> writes since the last scan
  uint64_t m_pending_traps = 0, m_pending_conversions = 0;
  bool m_quiet = false;  // populating: the writes of a VM built before the run are not watched
  bool m_flush = false;
  Stats m_stats;
};

}  // namespace mmusim
