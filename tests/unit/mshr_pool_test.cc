// The L1D miss-status holding registers as a timed resource.
#include <gtest/gtest.h>

#include "models/mshr_pool.h"
#include "models/rng.h"
#include "stats_recorder.h"

namespace mmusim {
namespace {

using S = MshrPool::Source;

TEST(MshrPool, DisabledNeverDelays) {
  MshrPool p(0);
  EXPECT_FALSE(p.enabled());
  for (Cycles t = 0; t < 100; ++t) EXPECT_EQ(p.reserve(10, 200, S::kData), 10u);
  EXPECT_EQ(p.stats().reservations[S::kData], 0u);
}

TEST(MshrPool, MissesOverlapUpToTheRegisterCountThenWaitForTheFirstToFree) {
  MshrPool p(2);
  EXPECT_EQ(p.reserve(0, 100, S::kData), 0u);    // register A: 0..100
  EXPECT_EQ(p.reserve(10, 50, S::kWalk), 10u);   // register B: 10..60
  EXPECT_EQ(p.reserve(20, 30, S::kWalk), 60u);   // both busy: B frees first, 60..90
  EXPECT_EQ(p.reserve(20, 10, S::kData), 90u);   // B again (90 < 100)
  EXPECT_EQ(p.reserve(200, 5, S::kData), 200u);  // both free by then
  const MshrPool::Stats& s = p.stats();
  EXPECT_EQ(s.reservations[S::kWalk], 2u);
  EXPECT_EQ(s.reservations[S::kData], 3u);
  EXPECT_EQ(s.waits[S::kWalk], 1u);
  EXPECT_EQ(s.wait_cycles[S::kWalk], 40u);
  EXPECT_EQ(s.waits[S::kData], 1u);
  EXPECT_EQ(s.wait_cycles[S::kData], 70u);
}

TEST(MshrPool, AFreeRegisterFreedLastIsTakenSoEarlierOnesStayForEarlierRequests) {
  MshrPool p(2);
  p.reserve(0, 10, S::kData);  // A: 0..10
  p.reserve(0, 50, S::kData);  // B: 0..50
  // Ready at 60 both are free: B (freed last) is taken, for 60..100.
  EXPECT_EQ(p.reserve(60, 40, S::kData), 60u);
  // A later request for an earlier time still finds A free at 20.
  EXPECT_EQ(p.reserve(20, 5, S::kWalk), 20u);
  EXPECT_EQ(p.stats().waits[S::kWalk], 0u);
}

TEST(MshrPool, ReservationsInRequestOrderNeverUseAGapBeforeALaterReservation) {
  // The documented approximation: with one register booked 100..200, a request ready at 0 for
  // 10 cycles waits until 200 although the register is idle before 100.
  MshrPool p(1);
  EXPECT_EQ(p.reserve(100, 100, S::kData), 100u);
  EXPECT_EQ(p.reserve(0, 10, S::kWalk), 200u);
}

TEST(MshrPool, FewerRegistersNeverWaitLess) {
  // The same request stream against 1..32 registers: total waiting never grows with more.
  uint64_t previous = ~uint64_t{0};
  for (unsigned n = 1; n <= 32; ++n) {
    MshrPool p(n);
    Rng rng(7);
    Cycles t = 0;
    for (int i = 0; i < 5000; ++i) {
      t += rng.below(20);
      p.reserve(t, 14 + rng.below(200), (i & 1) ? S::kWalk : S::kData);
    }
    const uint64_t waited = p.stats().wait_cycles[0] + p.stats().wait_cycles[1];
    EXPECT_LE(waited, previous) << n << " registers";
    if (n == 1) {
      EXPECT_GT(waited, 0u);  // one register does make this stream wait
    }
    previous = waited;
  }
  EXPECT_EQ(previous, 0u);  // 32 registers hold everything this stream keeps in flight
}

TEST(MshrPool, ReportsItsCounters) {
  MshrPool p(3);
  p.reserve(0, 5, S::kWalk);
  StatsRecorder r;
  p.report(r);
  EXPECT_EQ(r.counters["mshr_count"], 3u);
  EXPECT_EQ(r.counters["mshr_walk_reservations"], 1u);
  EXPECT_EQ(r.counters["mshr_data_reservations"], 0u);
}

}  // namespace
}  // namespace mmusim
