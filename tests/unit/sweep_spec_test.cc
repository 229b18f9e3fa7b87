#include "testbench/sweep_spec.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace mmusim {
namespace {

const std::string kBase = MMUSIM_SOURCE_DIR "/configs/default.yaml";

SweepSpec parse(const std::string& text) {
  ConfigDoc doc = ConfigDoc::from_string("base: " + kBase + "\n" + text, "sweep.yaml");
  return read_sweep(doc, "sweep.yaml");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no ConfigError>";
}

std::vector<std::string> values(const std::string& range) {
  return parse("axes:\n  x: " + range + "\n").axes.at(0).values;
}

using Strings = std::vector<std::string>;

TEST(SweepSpec, ProductVariesTheLastAxisFastest) {
  SweepSpec s = parse(
      "set: {workload.count: 2000}\n"
      "axes:\n"
      "  system.virtualization: [none, ept, shadow]\n"
      "  system.guest_page: [4K, 2M]\n");
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s.base, kBase);
  SweepPoint p = s.point(3);
  EXPECT_EQ(p.index, 3u);
  EXPECT_EQ(p.values, (Strings{"ept", "2M"}));
  EXPECT_EQ(p.overrides,
            (Strings{"workload.count=2000", "system.virtualization=ept", "system.guest_page=2M"}));
  EXPECT_EQ(p.where, (Strings{"sweep.yaml:2:23", "sweep.yaml:4:33", "sweep.yaml:5:27"}));
  EXPECT_EQ(s.point(0).values, (Strings{"none", "4K"}));
  EXPECT_EQ(s.point(5).values, (Strings{"shadow", "2M"}));
}

TEST(SweepSpec, ZipStepsAllAxesTogether) {
  SweepSpec s = parse(
      "axes:\n"
      "  workload.churn_pages: [64, 128, 256]\n"
      "  workload.churn_every: [1000, 2000, 4000]\n"
      "combine: zip\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.point(2).values, (Strings{"256", "4000"}));
}

TEST(SweepSpec, ValuesKeepTheirYaml) {
  SweepSpec s = parse("axes:\n  mmu.dtlb.arrays.small.sizes: [[4K], [4K, 2M]]\n");
  EXPECT_EQ(s.point(1).overrides, (Strings{"mmu.dtlb.arrays.small.sizes=[4K, 2M]"}));
}

TEST(SweepSpec, CasesSetSeveralKeys) {
  SweepSpec s = parse(
      "axes:\n"
      "  scheme:\n"
      "    ept: {}\n"
      "    pvdmt: {system.dmt: pvdmt}\n"
      "    nested_3d: {system.virtualization: nested, system.nested_walk: hw3d}\n"
      "  system.guest_page: [4K, 2M]\n");
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(s.axes[0].key, "scheme");
  EXPECT_EQ(s.axes[0].values, (Strings{"ept", "pvdmt", "nested_3d"}));
  EXPECT_EQ(s.point(0).overrides, (Strings{"system.guest_page=4K"}));
  EXPECT_EQ(s.point(3).values, (Strings{"pvdmt", "2M"}));
  EXPECT_EQ(s.point(3).overrides, (Strings{"system.dmt=pvdmt", "system.guest_page=2M"}));
  EXPECT_EQ(s.point(4).overrides, (Strings{"system.virtualization=nested",
                                           "system.nested_walk=hw3d", "system.guest_page=4K"}));
  EXPECT_EQ(s.point(4).where, (Strings{"sweep.yaml:6:40", "sweep.yaml:6:68", "sweep.yaml:7:23"}));
}

TEST(SweepSpec, Ranges) {
  EXPECT_EQ(values("{from: 16, to: 1024, mul: 2}"),
            (Strings{"16", "32", "64", "128", "256", "512", "1024"}));
  EXPECT_EQ(values("{from: 16, to: 100, mul: 4}"), (Strings{"16", "64"}));
  EXPECT_EQ(values("{from: 0, to: 10, step: 5}"), (Strings{"0", "5", "10"}));
  EXPECT_EQ(values("{from: 10, to: 1, step: -4}"), (Strings{"10", "6", "2"}));
  EXPECT_EQ(values("{from: 0, to: 1, step: 0.1}").size(), 11u);
  EXPECT_EQ(values("{from: 0, to: 1, step: 0.1}")[3], "0.3");
  EXPECT_EQ(values("{from: 0, to: 1, step: 0.25}"), (Strings{"0", "0.25", "0.5", "0.75", "1"}));
  EXPECT_EQ(values("{from: 1, to: 1, step: 1}"), (Strings{"1"}));
}

TEST(SweepSpec, Errors) {
  EXPECT_EQ(error_of("axes: {x: [1]}\nbogus: 1\n"), "sweep.yaml:3:1: bogus: unknown key");
  EXPECT_EQ(error_of("axis: {x: [1]}\n"),
            "sweep.yaml:2:1: axis: unknown key, did you mean 'axes'?");
  EXPECT_EQ(error_of(""), "sweep.yaml: axes: missing: key path -> list of values or range");
  EXPECT_EQ(error_of("axes: {}\n"), "sweep.yaml:2:1: axes: expected at least one axis");
  EXPECT_EQ(error_of("axes:\n  a: [1, 2]\n  b: [1, 2, 3]\ncombine: zip\n"),
            "sweep.yaml:4:3: axes.b: zip needs axes of equal length: a has 2 values, b has 3");
  EXPECT_EQ(error_of("axes:\n  a: [1, 2]\ncombine: mix\n"),
            "sweep.yaml:4:10: combine: expected one of: product, zip; got 'mix'");
  EXPECT_EQ(error_of("axes:\n  a: 4\n"),
            "sweep.yaml:3:3: axes.a: expected a non-empty list of values, a range {from, to, "
            "step|mul} or named cases {NAME: {KEY: VALUE, ...}, ...}, got '4'");
  EXPECT_EQ(error_of("axes:\n  a: [1, 2, 1]\n"), "sweep.yaml:3:13: axes.a: duplicate value 1");
  EXPECT_EQ(error_of("axes:\n  a: {from: 1, to: 8, mull: 2}\n"),
            "sweep.yaml:3:23: axes.a.mull: unknown key, did you mean 'mul'?");
  EXPECT_EQ(error_of("axes:\n  a: {from: 1, to: 8}\n"),
            "sweep.yaml:3:7: axes.a.from: a range needs exactly one of step, mul");
  EXPECT_EQ(error_of("axes:\n  a: {from: 8, to: 1, step: 1}\n"),
            "sweep.yaml:3:23: axes.a.step: step goes away from 'to'");
  EXPECT_EQ(error_of("axes:\n  a: {from: x, to: 1, step: 1}\n"),
            "sweep.yaml:3:7: axes.a.from: expected a number, got 'x'");
  EXPECT_EQ(error_of("set: {a: 1}\naxes:\n  a: [1, 2]\n"),
            "sweep.yaml:4:3: axes.a: sets a, which 'set' sets too");
  EXPECT_EQ(error_of("axes:\n  a: [1, 2]\n  s: {x: {a: 3}}\n"),
            "sweep.yaml:4:3: axes.s: sets a, which axis a sets too");
  EXPECT_EQ(error_of("axes:\n  s: {}\n"), "sweep.yaml:3:3: axes.s: expected at least one case");
  EXPECT_EQ(error_of("axes:\n  s: {x: 4}\n"), "sweep.yaml:3:10: axes.s.x: expected a map, got '4'");
  EXPECT_EQ(error_of("axes:\n  a: {form: 1, to: 2, step: 1}\n"),
            "sweep.yaml:3:7: axes.a.form: unknown key, did you mean 'from'?");
  EXPECT_EQ(
      error_of("axes:\n  a: {from: 1, to: 1000, step: 1}\n  b: {from: 0, to: 1000, step: 1}\n"),
      "sweep.yaml:2:1: axes: more than 100000 points");
  EXPECT_NE(error_of("axes: {a: {from: 0, to: 1000000000, step: 1}}\n")
                .find("more than 100000 values in one range"),
            std::string::npos);
  ConfigDoc doc = ConfigDoc::from_string("base: no/such.yaml\naxes: {a: [1]}\n", "s.yaml");
  try {
    read_sweep(doc, "s.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "s.yaml:1:1: base: cannot find 'no/such.yaml' next to the sweep file or in the "
              "working directory");
  }
}

}  // namespace
}  // namespace mmusim
