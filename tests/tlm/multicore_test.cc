// Several cores: a shootdown that skips the other cores' invalidations leaves them stale
// translations, which the oracle catches; the real shootdown leaves none. For each change that
// needs one: an unmap, a permission downgrade, a migration, a TEA that moves as its VMA grows. One
// simulation per test (SystemC elaborates once per process), in LT and in AT.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <tuple>

#include "../unit/temp_dir.h"
#include "testbench/config_reader.h"
#include "testbench/simulation.h"

namespace mmusim {
namespace {

// 4 cores of one process over a shared region, half the accesses stores, changing its mappings
// every 2,000 accesses (`change`: churn, mprotect, migrate, or growth: its VMA grows under DMT,
// whose TEA then moves its leaf tables): every change is shot down.
Summary run_four_cores(bool at, const std::string& change, bool break_remote) {
  ConfigDoc doc = ConfigDoc::from_string(
      "system: {virtualization: ept, cores: 4}\n"
      "workload: {count: 20000, footprint_mib: 16, store_fraction: 0.5}\n",
      "<test>");
  doc.set(std::string("sim.timing=") + (at ? "at" : "lt"));
  if (change == "growth") {
    for (const char* set : {"system.dmt=dmt", "system.dmt_min_vma_mib=8", "workload.prefault=false",
                            "workload.vma_growth.every=2000", "workload.vma_growth.mib=8"})
      doc.set(set);
  } else {
    doc.set("workload." + change + "_every=2000");
    doc.set("workload." + change + "_pages=128");
  }
  SimConfig cfg = read_sim_config(doc);
  cfg.break_remote_invalidation = break_remote;
  TempDir dir;
  RunOptions options;
  options.out_dir = dir.path("out");
  std::ostringstream log;
  return run_simulation(cfg, options, log);
}

class MultiCore : public testing::TestWithParam<std::tuple<bool, std::string>> {
 protected:
  Summary run(bool break_remote) {
    return run_four_cores(std::get<0>(GetParam()), std::get<1>(GetParam()), break_remote);
  }
};

TEST_P(MultiCore, ShootdownsLeaveNoCoreAStaleTranslation) {
  const Summary s = run(false);
  EXPECT_EQ(s.cores, 4u);
  EXPECT_EQ(s.accesses, 80000u);
  EXPECT_GT(s.shootdowns, 0u);
  EXPECT_EQ(s.shootdown_ipis, 3 * s.shootdowns);  // every other core runs the process
  EXPECT_EQ(s.oracle_mismatches, 0u);
}

TEST_P(MultiCore, TheOracleCatchesAShootdownThatSkipsTheOtherCores) {
  const Summary s = run(true);
  EXPECT_GT(s.shootdowns, 0u);
  EXPECT_GT(s.oracle_mismatches, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Timing, MultiCore,
    testing::Combine(testing::Bool(),
                     testing::Values(std::string("churn"), std::string("mprotect"),
                                     std::string("migrate"), std::string("growth"))),
    [](const testing::TestParamInfo<std::tuple<bool, std::string>>& i) {
      return std::string(std::get<0>(i.param) ? "at_" : "lt_") + std::get<1>(i.param);
    });

}  // namespace
}  // namespace mmusim
