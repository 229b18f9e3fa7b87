#include "testbench/config_reader.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <string>

namespace mmusim {
namespace {

const char kConfig[] =
    "sim:\n"                      // 1
    "  seed: 42\n"                // 2
    "  name: run1\n"              // 3
    "mmu:\n"                      // 4
    "  virt: ept\n"               // 5
    "  dtlb:\n"                   // 6
    "    entries: 64\n"           // 7
    "    ways: 4\n"               // 8
    "    page_sizes: [4K, 2M]\n"  // 9
    "  tlbs:\n"                   // 10
    "    l1d:\n"                  // 11
    "      entries: 0x40\n"       // 12
    "    l2:\n"                   // 13
    "      entries: 1536\n"       // 14
    "      ratio: 0.5\n"          // 15
    "      shared: true\n";       // 16

// The error message f throws, or a note that it threw none.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no ConfigError>";
}

// Reads every key of kConfig the way the simulator would.
struct Reader {
  uint64_t seed, dtlb_entries, dtlb_ways;
  std::string name, virt;
  std::vector<PageSize> dtlb_sizes;
  std::vector<std::string> tlb_names;
  std::vector<uint64_t> tlb_entries;
  double l2_ratio;
  bool l2_shared;

  void read(ConfigDoc& doc) {
    ConfigNode root = doc.root();
    ConfigNode sim = root.section("sim", "Simulation control");
    seed = sim.get_uint("seed", 1, 0, UINT64_MAX, "Random seed");
    name = sim.get_string("name", "run", "Run name");
    ConfigNode mmu = root.section("mmu", "The MMU");
    virt = mmu.get_enum("virt", "none", {"none", "ept"}, "Virtualization");
    ConfigNode dtlb = mmu.section("dtlb", "Data TLB");
    dtlb_entries = dtlb.get_uint("entries", 32, 1, 4096, "Entries");
    dtlb_ways = dtlb.get_uint("ways", 4, 1, 16, "Ways");
    dtlb_sizes = dtlb.get_page_sizes("page_sizes", {PageSize::k4K}, "Page sizes held");
    ConfigNode tlbs = mmu.section("tlbs", "Named TLB arrays");
    tlb_names = tlbs.child_keys();
    for (const std::string& n : tlb_names) {
      ConfigNode t = tlbs.section(n, "A TLB array");
      tlb_entries.push_back(t.get_uint("entries", 16, 1, 4096, "Entries"));
      if (n == "l2") {
        l2_ratio = t.get_double("ratio", 1.0, 0.0, 1.0, "Ratio");
        l2_shared = t.get_bool("shared", false, "Shared");
      }
    }
  }
};

TEST(ConfigReader, ReadsEveryTypeIncludingHex) {
  ConfigDoc doc = ConfigDoc::from_string(kConfig);
  Reader r;
  r.read(doc);
  EXPECT_EQ(r.seed, 42u);
  EXPECT_EQ(r.name, "run1");
  EXPECT_EQ(r.virt, "ept");
  EXPECT_EQ(r.dtlb_entries, 64u);
  EXPECT_EQ(r.dtlb_ways, 4u);
  EXPECT_EQ(r.dtlb_sizes, (std::vector<PageSize>{PageSize::k4K, PageSize::k2M}));
  EXPECT_EQ(r.tlb_names, (std::vector<std::string>{"l1d", "l2"}));
  EXPECT_EQ(r.tlb_entries, (std::vector<uint64_t>{0x40, 1536}));
  EXPECT_EQ(r.l2_ratio, 0.5);
  EXPECT_TRUE(r.l2_shared);
  EXPECT_NO_THROW(doc.check_all_consumed());
}

TEST(ConfigReader, HexUpperCaseAndLimits) {
  ConfigDoc doc = ConfigDoc::from_string("a: 0XfF\nb: 0xffffffffffffffff\nc: 010\n");
  ConfigNode root = doc.root();
  EXPECT_EQ(root.get_uint("a", 0, 0, 1000, ""), 255u);
  EXPECT_EQ(root.get_uint("b", 0, 0, UINT64_MAX, ""), UINT64_MAX);
  EXPECT_EQ(root.get_uint("c", 0, 0, 1000, ""), 10u);
}

TEST(ConfigReader, DefaultsWhenKeysAndSectionsAreAbsent) {
  ConfigDoc doc = ConfigDoc::from_string("mmu:\n  dtlb:\n");
  ConfigNode root = doc.root();
  ConfigNode sim = root.section("sim", "");
  EXPECT_EQ(sim.path(), "sim");
  EXPECT_FALSE(root.has("sim"));
  EXPECT_TRUE(root.has("mmu"));
  EXPECT_EQ(sim.get_uint("seed", 7, 0, 10, ""), 7u);
  EXPECT_EQ(sim.section("deeper", "").get_string("s", "x", ""), "x");
  ConfigNode dtlb = root.section("mmu", "").section("dtlb", "");
  EXPECT_EQ(dtlb.path(), "mmu.dtlb");
  EXPECT_EQ(dtlb.get_uint("entries", 32, 1, 64, ""), 32u);
  EXPECT_EQ(dtlb.get_double("r", 0.25, 0, 1, ""), 0.25);
  EXPECT_FALSE(dtlb.get_bool("b", false, ""));
  EXPECT_EQ(dtlb.get_enum("e", "ept", {"none", "ept"}, ""), "ept");
  EXPECT_EQ(dtlb.get_page_size("p", PageSize::k2M, ""), PageSize::k2M);
  EXPECT_EQ(dtlb.get_page_sizes("l", {PageSize::k1G}, ""), std::vector<PageSize>{PageSize::k1G});
  EXPECT_TRUE(dtlb.child_keys().empty());
  EXPECT_NO_THROW(doc.check_all_consumed());
}

TEST(ConfigReader, EmptyDocumentIsAllDefaults) {
  ConfigDoc doc = ConfigDoc::from_string("# nothing here\n");
  EXPECT_EQ(doc.root().section("a", "").get_uint("b", 3, 0, 5, ""), 3u);
  EXPECT_NO_THROW(doc.check_all_consumed());
}

TEST(ConfigReader, UnknownTopLevelKey) {
  ConfigDoc doc = ConfigDoc::from_string("sim:\n  seed: 1\nbogus: 3\n");
  doc.root().section("sim", "").get_uint("seed", 0, 0, 9, "");
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }), "<string>:3:1: bogus: unknown key");
}

TEST(ConfigReader, UnknownNestedKeySuggestsSibling) {
  ConfigDoc doc = ConfigDoc::from_string("mmu:\n  dtlb:\n    ways: 4\n    entires: 64\n");
  ConfigNode dtlb = doc.root().section("mmu", "").section("dtlb", "");
  dtlb.get_uint("entries", 32, 1, 64, "");
  dtlb.get_uint("ways", 4, 1, 16, "");
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }),
            "<string>:4:5: mmu.dtlb.entires: unknown key, did you mean 'entries'?");
}

TEST(ConfigReader, UnknownKeyNoSuggestionWhenNothingIsClose) {
  ConfigDoc doc = ConfigDoc::from_string("a:\n  xyz: 1\n");
  doc.root().section("a", "").get_uint("entries", 1, 0, 9, "");
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }), "<string>:2:3: a.xyz: unknown key");
}

TEST(ConfigReader, UnknownKeysReportedInDocumentOrder) {
  ConfigDoc doc = ConfigDoc::from_string("z1: 1\na:\n  q: 2\nk: 3\n");
  doc.root().section("a", "");
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }), "<string>:1:1: z1: unknown key");
  doc.root().get_uint("z1", 0, 0, 9, "");
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }), "<string>:3:3: a.q: unknown key");
}

TEST(ConfigReader, UnknownKeyInsideFreeFormChild) {
  ConfigDoc doc = ConfigDoc::from_string(
      "tlbs:\n"
      "  l1:\n"
      "    entries: 8\n"
      "  l2:\n"
      "    entries: 16\n"
      "    wyas: 4\n");
  ConfigNode tlbs = doc.root().section("tlbs", "");
  for (const std::string& n : tlbs.child_keys()) {
    ConfigNode t = tlbs.section(n, "");
    t.get_uint("entries", 1, 1, 64, "");
    t.get_uint("ways", 1, 1, 64, "");
  }
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }),
            "<string>:6:5: tlbs.l2.wyas: unknown key, did you mean 'ways'?");
}

TEST(ConfigReader, FreeFormChildNotReadAsSectionLeavesItsKeysUnknown) {
  ConfigDoc doc = ConfigDoc::from_string("tlbs:\n  l1:\n    entries: 8\n");
  EXPECT_EQ(doc.root().section("tlbs", "").child_keys(), std::vector<std::string>{"l1"});
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }),
            "<string>:3:5: tlbs.l1.entries: unknown key");
}

TEST(ConfigReader, FileLocationsAreOneBased) {
  std::string path = ::testing::TempDir() + "config_reader_test_file.yaml";
  {
    std::ofstream out(path);
    out << "mmu:\n  dtlb:\n    entries: abc\n    entires: 3\n";
  }
  ConfigDoc doc = ConfigDoc::from_file(path);
  ConfigNode dtlb = doc.root().section("mmu", "").section("dtlb", "");
  EXPECT_EQ(error_of([&] { dtlb.get_uint("entries", 1, 1, 64, ""); }),
            path + ":3:14: mmu.dtlb.entries: expected an unsigned integer, got 'abc'");
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }),
            path + ":4:5: mmu.dtlb.entires: unknown key, did you mean 'entries'?");
}

TEST(ConfigReader, FileSyntaxErrorAndMissingFile) {
  std::string path = ::testing::TempDir() + "config_reader_test_bad.yaml";
  {
    std::ofstream out(path);
    out << "a: [1, 2\nb: 3\n";
  }
  EXPECT_EQ(error_of([&] { ConfigDoc::from_file(path); }),
            path + ":2:2: invalid YAML: end of sequence flow not found");
  std::string missing = ::testing::TempDir() + "config_reader_test_missing.yaml";
  EXPECT_EQ(error_of([&] { ConfigDoc::from_file(missing); }), missing + ": cannot open file");
}

TEST(ConfigReader, StringSyntaxErrorUsesItsName) {
  EXPECT_EQ(error_of([] { ConfigDoc::from_string("a: [1, 2\nb: 3\n", "cfg"); }),
            "cfg:2:2: invalid YAML: end of sequence flow not found");
}

TEST(ConfigReader, StructuralErrors) {
  EXPECT_EQ(error_of([] { ConfigDoc::from_string("a: 1\nb: 2\na: 3\n"); }),
            "<string>:3:1: a: duplicate key");
  EXPECT_EQ(error_of([] { ConfigDoc::from_string("x:\n  y:\n    k: 1\n    k: 2\n"); }),
            "<string>:4:5: x.y.k: duplicate key");
  EXPECT_EQ(error_of([] { ConfigDoc::from_string("- 1\n- 2\n"); }),
            "<string>:1:1: expected a map at the top level, got a list");
  EXPECT_EQ(error_of([] { ConfigDoc::from_string("a: 1\n---\nb: 2\n"); }),
            "<string>:3:1: expected a single YAML document");
  EXPECT_EQ(error_of([] { ConfigDoc::from_string("a:\n  [1, 2]: 3\n"); }),
            "<string>:2:3: a: expected a scalar key");
}

TEST(ConfigReader, WrongTypes) {
  ConfigDoc doc = ConfigDoc::from_string(
      "u: -1\n"
      "l: [1, 2]\n"
      "s: 3\n"
      "b: yes\n"
      "m: {x: 1}\n"
      "d: 1.5x\n"
      "n:\n"
      "e: 1e3\n");
  ConfigNode r = doc.root();
  EXPECT_EQ(error_of([&] { r.get_uint("u", 0, 0, 9, ""); }),
            "<string>:1:4: u: expected an unsigned integer, got '-1'");
  EXPECT_EQ(error_of([&] { r.get_uint("l", 0, 0, 9, ""); }),
            "<string>:2:4: l: expected an unsigned integer, got a list");
  EXPECT_EQ(error_of([&] { r.get_uint("e", 0, 0, 9999, ""); }),
            "<string>:8:4: e: expected an unsigned integer, got '1e3'");
  EXPECT_EQ(error_of([&] { r.section("s", ""); }), "<string>:3:4: s: expected a map, got '3'");
  EXPECT_EQ(error_of([&] { r.section("l", ""); }), "<string>:2:4: l: expected a map, got a list");
  EXPECT_EQ(error_of([&] { r.get_bool("b", false, ""); }),
            "<string>:4:4: b: expected true or false, got 'yes'");
  EXPECT_EQ(error_of([&] { r.get_string("m", "", ""); }),
            "<string>:5:4: m: expected a string, got a map");
  EXPECT_EQ(error_of([&] { r.get_double("d", 0, 0, 9, ""); }),
            "<string>:6:4: d: expected a number, got '1.5x'");
  EXPECT_EQ(error_of([&] { r.get_uint("n", 0, 0, 9, ""); }),
            "<string>:7:1: n: expected an unsigned integer, got nothing");
  EXPECT_EQ(r.get_string("s", "", ""), "3");
  EXPECT_EQ(r.get_double("e", 0, 0, 1e4, ""), 1000.0);
}

TEST(ConfigReader, NullSectionIsEmpty) {
  ConfigDoc doc = ConfigDoc::from_string("sec:\n");
  EXPECT_EQ(doc.root().section("sec", "").get_uint("k", 5, 0, 9, ""), 5u);
  EXPECT_NO_THROW(doc.check_all_consumed());
}

TEST(ConfigReader, Ranges) {
  ConfigDoc doc =
      ConfigDoc::from_string("a: 7\nb: 0x10\nc: 18446744073709551616\nd: 1.5\ne: 3\nf: -0.5\n");
  ConfigNode r = doc.root();
  EXPECT_EQ(error_of([&] { r.get_uint("a", 4, 4, 5, ""); }),
            "<string>:1:4: a: value 7 out of range [4, 5]");
  EXPECT_EQ(error_of([&] { r.get_uint("b", 0, 0, 15, ""); }),
            "<string>:2:4: b: value 0x10 out of range [0, 15]");
  EXPECT_EQ(error_of([&] { r.get_uint("c", 0, 0, UINT64_MAX, ""); }),
            "<string>:3:4: c: value 18446744073709551616 out of range [0, 18446744073709551615]");
  EXPECT_EQ(error_of([&] { r.get_double("d", 0, 0, 1, ""); }),
            "<string>:4:4: d: value 1.5 out of range [0, 1]");
  EXPECT_EQ(error_of([&] { r.get_double("f", 0.1, 0.1, 0.9, ""); }),
            "<string>:6:4: f: value -0.5 out of range [0.1, 0.9]");
  EXPECT_EQ(r.get_uint("e", 3, 3, 3, ""), 3u);
  EXPECT_THROW(r.get_uint("z", 9, 0, 5, ""), std::logic_error);
}

TEST(ConfigReader, Enums) {
  ConfigDoc doc = ConfigDoc::from_string("virt: foo\nmode: [ept]\n");
  ConfigNode r = doc.root();
  EXPECT_EQ(error_of([&] {
              r.get_enum("virt", "none", {"none", "ept"}, "");
            }),
            "<string>:1:7: virt: expected one of: none, ept; got 'foo'");
  EXPECT_EQ(error_of([&] {
              r.get_enum("mode", "none", {"none", "ept"}, "");
            }),
            "<string>:2:7: mode: expected one of: none, ept; got a list");
  EXPECT_THROW(r.get_enum("x", "bad", {"none", "ept"}, ""), std::logic_error);
}

TEST(ConfigReader, PageSizesAndLists) {
  ConfigDoc doc = ConfigDoc::from_string(
      "p: 3M\n"
      "q: 1G\n"
      "l1: [4K, 3M]\n"
      "l2: [2M, 4K, 2M]\n"
      "l3: []\n"
      "l4: 4K\n"
      "l5:\n"
      "  - 1G\n"
      "  - 4K\n");
  ConfigNode r = doc.root();
  EXPECT_EQ(error_of([&] { r.get_page_size("p", PageSize::k4K, ""); }),
            "<string>:1:4: p: expected one of: 4K, 2M, 1G; got '3M'");
  EXPECT_EQ(r.get_page_size("q", PageSize::k4K, ""), PageSize::k1G);
  EXPECT_EQ(error_of([&] { r.get_page_sizes("l1", {PageSize::k4K}, ""); }),
            "<string>:3:10: l1: expected one of: 4K, 2M, 1G; got '3M'");
  EXPECT_EQ(error_of([&] { r.get_page_sizes("l2", {PageSize::k4K}, ""); }),
            "<string>:4:14: l2: duplicate page size 2M");
  EXPECT_EQ(error_of([&] { r.get_page_sizes("l3", {PageSize::k4K}, ""); }),
            "<string>:5:5: l3: expected a non-empty list of page sizes");
  EXPECT_EQ(error_of([&] { r.get_page_sizes("l4", {PageSize::k4K}, ""); }),
            "<string>:6:5: l4: expected a list of page sizes, got '4K'");
  EXPECT_EQ(r.get_page_sizes("l5", {PageSize::k4K}, ""),
            (std::vector<PageSize>{PageSize::k1G, PageSize::k4K}));
}

TEST(ConfigReader, SetOverridesExistingKeys) {
  ConfigDoc doc = ConfigDoc::from_string(kConfig);
  doc.set("mmu.dtlb.entries=128");
  doc.set("mmu.dtlb.page_sizes=[1G,2M]");
  doc.set("sim.seed=0x10");
  Reader r;
  r.read(doc);
  EXPECT_EQ(r.dtlb_entries, 128u);
  EXPECT_EQ(r.dtlb_sizes, (std::vector<PageSize>{PageSize::k1G, PageSize::k2M}));
  EXPECT_EQ(r.seed, 16u);
  EXPECT_EQ(r.dtlb_ways, 4u);
  EXPECT_EQ(r.name, "run1");
  EXPECT_EQ(r.tlb_entries, (std::vector<uint64_t>{0x40, 1536}));
  EXPECT_NO_THROW(doc.check_all_consumed());
}

TEST(ConfigReader, SetCreatesNewKeysAndSections) {
  ConfigDoc doc = ConfigDoc::from_string("sim:\n  seed: 1\n");
  doc.set("extra.deep.x=3");
  doc.set("extra.deep.y=true");
  doc.set("sim.name=abc");
  doc.set("top=[4K]");
  ConfigNode root = doc.root();
  ConfigNode deep = root.section("extra", "").section("deep", "");
  EXPECT_EQ(deep.get_uint("x", 0, 0, 9, ""), 3u);
  EXPECT_TRUE(deep.get_bool("y", false, ""));
  ConfigNode sim = root.section("sim", "");
  EXPECT_EQ(sim.get_uint("seed", 0, 0, 9, ""), 1u);
  EXPECT_EQ(sim.get_string("name", "", ""), "abc");
  EXPECT_EQ(root.get_page_sizes("top", {PageSize::k2M}, ""), std::vector<PageSize>{PageSize::k4K});
  EXPECT_NO_THROW(doc.check_all_consumed());
}

TEST(ConfigReader, SetOnEmptyDocument) {
  ConfigDoc doc = ConfigDoc::from_string("");
  doc.set("a.b=2");
  EXPECT_EQ(doc.root().section("a", "").get_uint("b", 0, 0, 9, ""), 2u);
}

TEST(ConfigReader, SetReplacesNullSection) {
  ConfigDoc doc = ConfigDoc::from_string("sec:\nother: 1\n");
  doc.set("sec.k=4");
  EXPECT_EQ(doc.root().section("sec", "").get_uint("k", 0, 0, 9, ""), 4u);
  EXPECT_EQ(doc.root().get_uint("other", 0, 0, 9, ""), 1u);
}

TEST(ConfigReader, SetErrorsPointAtTheAssignment) {
  ConfigDoc doc = ConfigDoc::from_string(kConfig);
  doc.set("mmu.dtlb.entries=abc");
  doc.set("mmu.dtlb.bogus=1");
  doc.set("mmu.tlbs.l3={entries: 9999}");
  doc.set("newsec.k=1");
  ConfigNode sim = doc.root().section("sim", "");
  sim.get_uint("seed", 0, 0, 99, "");
  sim.get_string("name", "", "");
  ConfigNode mmu = doc.root().section("mmu", "");
  ConfigNode dtlb = mmu.section("dtlb", "");
  EXPECT_EQ(
      error_of([&] { dtlb.get_uint("entries", 32, 1, 4096, ""); }),
      "--set mmu.dtlb.entries=abc: mmu.dtlb.entries: expected an unsigned integer, got 'abc'");
  EXPECT_EQ(error_of([&] {
              mmu.section("tlbs", "").section("l3", "").get_uint("entries", 1, 1, 4096, "");
            }),
            "--set mmu.tlbs.l3={entries: 9999}: mmu.tlbs.l3.entries: value 9999 out of range "
            "[1, 4096]");
  EXPECT_EQ(error_of([&] { dtlb.fail("ways", "not a power of two"); }),
            "<string>:8:5: mmu.dtlb.ways: not a power of two");
  dtlb.get_uint("ways", 4, 1, 16, "");
  dtlb.get_page_sizes("page_sizes", {PageSize::k4K}, "");
  mmu.get_enum("virt", "none", {"none", "ept"}, "");
  ConfigNode tlbs = mmu.section("tlbs", "");
  for (const std::string& n : tlbs.child_keys()) {
    tlbs.section(n, "").get_uint("entries", 1, 1, 9999, "");
  }
  tlbs.section("l2", "").get_double("ratio", 1, 0, 1, "");
  tlbs.section("l2", "").get_bool("shared", false, "");
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }),
            "--set mmu.dtlb.bogus=1: mmu.dtlb.bogus: unknown key");
  dtlb.get_uint("bogus", 1, 0, 9, "");
  EXPECT_EQ(error_of([&] { doc.check_all_consumed(); }), "--set newsec.k=1: newsec: unknown key");
  EXPECT_EQ(error_of([&] { doc.root().section("newsec", "").fail("z", "bad"); }),
            "--set newsec.k=1: newsec.z: bad");
}

TEST(ConfigReader, LaterSetOverridesEarlierOrigin) {
  ConfigDoc doc = ConfigDoc::from_string("");
  doc.set("a.b.c=1");
  doc.set("a.b={c: x}");
  EXPECT_EQ(
      error_of([&] { doc.root().section("a", "").section("b", "").get_uint("c", 0, 0, 9, ""); }),
      "--set a.b={c: x}: a.b.c: expected an unsigned integer, got 'x'");
  EXPECT_EQ(error_of([&] { doc.root().fail("a", "bad"); }), "--set a.b.c=1: a: bad");
}

TEST(ConfigReader, SetMalformed) {
  ConfigDoc doc = ConfigDoc::from_string(kConfig);
  EXPECT_EQ(error_of([&] { doc.set("mmu.dtlb.entries"); }),
            "--set mmu.dtlb.entries: expected KEY.PATH=VALUE");
  EXPECT_EQ(error_of([&] { doc.set("=3"); }), "--set =3: expected KEY.PATH=VALUE");
  EXPECT_EQ(error_of([&] { doc.set("a..b=3"); }), "--set a..b=3: empty key in 'a..b'");
  EXPECT_EQ(error_of([&] { doc.set(".a=3"); }), "--set .a=3: empty key in '.a'");
  EXPECT_EQ(error_of([&] { doc.set("sim.seed.x=3"); }),
            "--set sim.seed.x=3: sim.seed: expected a map, got '42'");
  EXPECT_EQ(error_of([&] { doc.set("a.b={k: 1, k: 2}"); }),
            "--set a.b={k: 1, k: 2}: a.b.k: duplicate key");
  std::string bad = error_of([&] { doc.set("a.b=[1, 2"); });
  EXPECT_EQ(bad.rfind("--set a.b=[1, 2: a.b: invalid YAML value: ", 0), 0u) << bad;
  Reader r;
  r.read(doc);
  EXPECT_EQ(r.dtlb_entries, 64u);
  EXPECT_NO_THROW(doc.check_all_consumed());
}

TEST(ConfigReader, FailLocations) {
  ConfigDoc doc = ConfigDoc::from_string("mmu:\n  dtlb:\n    entries: 3\n");
  ConfigNode mmu = doc.root().section("mmu", "");
  ConfigNode dtlb = mmu.section("dtlb", "");
  EXPECT_EQ(error_of([&] { dtlb.fail("entries", "must be even"); }),
            "<string>:3:5: mmu.dtlb.entries: must be even");
  EXPECT_EQ(error_of([&] { dtlb.fail("ways", "needed"); }), "<string>:2:3: mmu.dtlb.ways: needed");
  EXPECT_EQ(error_of([&] { mmu.section("itlb", "").fail("ways", "needed"); }),
            "<string>:1:1: mmu.itlb.ways: needed");
  EXPECT_EQ(error_of([&] { doc.root().fail("x", "needed"); }), "<string>: x: needed");
}

TEST(ConfigReader, EffectiveYamlExactText) {
  ConfigDoc doc = ConfigDoc::from_string("b:\n  y: 0x10\n  z: [2M]\n");
  ConfigNode root = doc.root();
  ConfigNode b = root.section("b", "");
  b.get_uint("y", 1, 0, 99, "");
  root.get_string("a", "null", "");
  b.get_page_sizes("z", {PageSize::k4K}, "");
  b.get_double("r", 0.1, 0, 1, "");
  root.section("c", "").section("d", "").get_bool("e", true, "");
  root.section("empty", "");
  EXPECT_EQ(doc.effective_yaml(),
            "b:\n"
            "  y: 16\n"
            "  z: [2M]\n"
            "  r: 0.1\n"
            "a: \"null\"\n"
            "c:\n"
            "  d:\n"
            "    e: true\n"
            "empty:\n"
            "  {}\n");
}

TEST(ConfigReader, EffectiveYamlRoundTrips) {
  ConfigDoc doc = ConfigDoc::from_string(kConfig);
  doc.set("mmu.dtlb.ways=8");
  Reader first;
  first.read(doc);
  ConfigNode extra = doc.root().section("extra", "");
  EXPECT_EQ(extra.get_double("third", 1.0 / 3, 0, 1, ""), 1.0 / 3);
  EXPECT_EQ(extra.get_string("empty", "", ""), "");
  EXPECT_EQ(extra.get_string("colon", "a: b", ""), "a: b");
  EXPECT_EQ(extra.get_string("num", "12", ""), "12");

  ConfigDoc again = ConfigDoc::from_string(doc.effective_yaml(), "effective");
  Reader second;
  second.read(again);
  EXPECT_EQ(second.seed, first.seed);
  EXPECT_EQ(second.name, first.name);
  EXPECT_EQ(second.virt, first.virt);
  EXPECT_EQ(second.dtlb_entries, first.dtlb_entries);
  EXPECT_EQ(second.dtlb_ways, 8u);
  EXPECT_EQ(second.dtlb_sizes, first.dtlb_sizes);
  EXPECT_EQ(second.tlb_names, first.tlb_names);
  EXPECT_EQ(second.tlb_entries, first.tlb_entries);
  EXPECT_EQ(second.l2_ratio, first.l2_ratio);
  EXPECT_EQ(second.l2_shared, first.l2_shared);
  ConfigNode extra2 = again.root().section("extra", "");
  EXPECT_EQ(extra2.get_double("third", 0, 0, 1, ""), 1.0 / 3);
  EXPECT_EQ(extra2.get_string("empty", "x", ""), "");
  EXPECT_EQ(extra2.get_string("colon", "", ""), "a: b");
  EXPECT_EQ(extra2.get_string("num", "", ""), "12");
  EXPECT_NO_THROW(again.check_all_consumed());
  EXPECT_EQ(again.effective_yaml(), doc.effective_yaml());
}

TEST(ConfigReader, ParamsRegistry) {
  ConfigDoc doc = ConfigDoc::from_string(kConfig);
  Reader r;
  r.read(doc);
  Reader twice;
  twice.read(doc);
  const std::vector<ParamInfo>& ps = doc.params();
  std::vector<std::string> paths;
  for (const ParamInfo& p : ps) paths.push_back(p.path);
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "sim", "sim.seed", "sim.name", "mmu", "mmu.virt", "mmu.dtlb",
                       "mmu.dtlb.entries", "mmu.dtlb.ways", "mmu.dtlb.page_sizes", "mmu.tlbs",
                       "mmu.tlbs.l1d", "mmu.tlbs.l1d.entries", "mmu.tlbs.l2", "mmu.tlbs.l2.entries",
                       "mmu.tlbs.l2.ratio", "mmu.tlbs.l2.shared"}));
  auto check = [&](size_t i, const char* type, const char* def, const char* allowed,
                   const char* desc) {
    EXPECT_EQ(ps[i].type, type) << ps[i].path;
    EXPECT_EQ(ps[i].default_value, def) << ps[i].path;
    EXPECT_EQ(ps[i].allowed, allowed) << ps[i].path;
    EXPECT_EQ(ps[i].description, desc) << ps[i].path;
  };
  check(0, "section", "", "", "Simulation control");
  check(1, "uint", "1", "[0, 18446744073709551615]", "Random seed");
  check(2, "string", "run", "", "Run name");
  check(4, "enum", "none", "none, ept", "Virtualization");
  check(6, "uint", "32", "[1, 4096]", "Entries");
  check(8, "page_size_list", "[4K]", "list of 4K, 2M, 1G", "Page sizes held");
  check(14, "double", "1", "[0, 1]", "Ratio");
  check(15, "bool", "false", "true, false", "Shared");

  ConfigDoc other = ConfigDoc::from_string("");
  other.root().get_page_size("p", PageSize::k2M, "Page");
  ASSERT_EQ(other.params().size(), 1u);
  EXPECT_EQ(other.params()[0].type, "page_size");
  EXPECT_EQ(other.params()[0].default_value, "2M");
  EXPECT_EQ(other.params()[0].allowed, "4K, 2M, 1G");
}

TEST(ConfigReader, DocIsMovable) {
  ConfigDoc doc = ConfigDoc::from_string("a: 1\n");
  ConfigNode root = doc.root();
  ConfigDoc moved = std::move(doc);
  EXPECT_EQ(root.get_uint("a", 0, 0, 9, ""), 1u);
  EXPECT_NO_THROW(moved.check_all_consumed());
  EXPECT_EQ(moved.params().size(), 1u);
}

}  // namespace
}  // namespace mmusim
