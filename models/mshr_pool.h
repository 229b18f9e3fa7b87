// The L1D's miss-status holding registers (Intel: fill buffers) as a timed resource. Every L1D
// miss, a page-walk read or a data access, holds one register from its start until its fill; a
// miss that finds none free waits for the first to free. Used by the approximately-timed mode.
//
// Approximation: reservations are made in request order, not in time order. A register remembers
// only when its last reservation ends, so a later request for an earlier time cannot use the gap
// before that reservation: it takes a register free at its ready time if there is one, else waits
// for the earliest end. Waits can therefore be longer than an exact calendar's would be.
#pragma once

#include <cstdint>
#include <vector>

#include "models/stats.h"
#include "models/types.h"

namespace mmusim {

class MshrPool {
 public:
  // Who reserved: counted apart.
  enum Source : uint8_t { kWalk = 0, kData = 1 };

  // `count` registers; 0 disables the model (every reservation starts when it is ready).
  explicit MshrPool(unsigned count = 0) : m_free_at(count, 0) {}

  bool enabled() const { return !m_free_at.empty(); }
  unsigned count() const { return static_cast<unsigned>(m_free_at.size()); }

  // A miss ready at cycle `ready` holding a register for `hold` cycles: returns the cycle it gets
  // one (>= ready). Of the registers free at `ready`, the one freed last is taken, so that
  // registers freed earlier stay available to later requests for earlier times.
  Cycles reserve(Cycles ready, Cycles hold, Source source) {
    if (m_free_at.empty()) return ready;
    size_t pick = m_free_at.size(), first = 0;
    for (size_t i = 0; i < m_free_at.size(); ++i) {
      const Cycles f = m_free_at[i];
      if (f <= ready && (pick == m_free_at.size() || f > m_free_at[pick])) pick = i;
      if (f < m_free_at[first]) first = i;
    }
    if (pick == m_free_at.size()) pick = first;
    const Cycles start = m_free_at[pick] > ready ? m_free_at[pick] : ready;
    m_free_at[pick] = start + hold;
    ++m_stats.reservations[source];
    if (start > ready) {
      ++m_stats.waits[source];
      m_stats.wait_cycles[source] += start - ready;
    }
    return start;
  }

  struct Stats {
    uint64_t reservations[2] = {}, waits[2] = {}, wait_cycles[2] = {};
  };
  const Stats& stats() const { return m_stats; }
  void report(StatsVisitor& v) const;

 private:
  std::vector<Cycles> m_free_at;  // per register: the cycle its last reservation ends
  Stats m_stats;
};

}  // namespace mmusim
