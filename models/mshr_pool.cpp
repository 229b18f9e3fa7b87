#include "models/mshr_pool.h"

namespace mmusim {

void MshrPool::report(StatsVisitor& v) const {
  const Stats& s = m_stats;
  v.state("mshr_count", count(), "registers", "L1D miss-status holding registers (at)");
  v.counter("mshr_walk_reservations", s.reservations[kWalk], "count",
            "at: page-walk reads that missed the L1D and held a register");
  v.counter("mshr_walk_waits", s.waits[kWalk], "count", "at: of those, reads that waited for one");
  v.counter("mshr_walk_wait_cycles", s.wait_cycles[kWalk], "cycles", "at: cycles they waited");
  v.counter("mshr_data_reservations", s.reservations[kData], "count",
            "at: data accesses that missed the L1D and held a register");
  v.counter("mshr_data_waits", s.waits[kData], "count", "at: of those, accesses that waited");
  v.counter("mshr_data_wait_cycles", s.wait_cycles[kData], "cycles", "at: cycles they waited");
}

}  // namespace mmusim
