// Several cores: a shootdown that skips the other cores' invalidations leaves them stale
// translations, which the oracle catches; the real shootdown leaves none. One simulation per
// test (SystemC elaborates once per process), in LT and in AT.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "../unit/temp_dir.h"
#include "testbench/config_reader.h"
#include "testbench/simulation.h"

namespace mmusim {
namespace {

// 4 cores of one process over a shared region, churning: every unmap is shot down.
Summary run_four_cores(bool at, bool break_remote) {
  ConfigDoc doc = ConfigDoc::from_string(
      "system: {virtualization: ept, cores: 4}\n"
      "workload: {count: 20000, footprint_mib: 16, churn_every: 2000, churn_pages: 128}\n",
      "<test>");
  doc.set(std::string("sim.timing=") + (at ? "at" : "lt"));
  SimConfig cfg = read_sim_config(doc);
  cfg.break_remote_invalidation = break_remote;
  TempDir dir;
  RunOptions options;
  options.out_dir = dir.path("out");
  std::ostringstream log;
  return run_simulation(cfg, options, log);
}

class MultiCore : public testing::TestWithParam<bool> {};

TEST_P(MultiCore, ShootdownsLeaveNoCoreAStaleTranslation) {
  const Summary s = run_four_cores(GetParam(), false);
  EXPECT_EQ(s.cores, 4u);
  EXPECT_EQ(s.accesses, 80000u);
  EXPECT_GT(s.shootdowns, 0u);
  EXPECT_EQ(s.shootdown_ipis, 3 * s.shootdowns);  // every other core runs the process
  EXPECT_EQ(s.oracle_mismatches, 0u);
}

TEST_P(MultiCore, TheOracleCatchesAShootdownThatSkipsTheOtherCores) {
  const Summary s = run_four_cores(GetParam(), true);
  EXPECT_GT(s.shootdowns, 0u);
  EXPECT_GT(s.oracle_mismatches, 0u);
}

INSTANTIATE_TEST_SUITE_P(Timing, MultiCore, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& i) {
                           return i.param ? "at" : "lt";
                         });

}  // namespace
}  // namespace mmusim
