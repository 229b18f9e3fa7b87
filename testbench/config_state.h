// The state a ConfigDoc shares with every ConfigNode taken from it: the parsed YAML, where --set
// put values, which keys were read, the parameter registry and the effective values. Internal to
// the config reader (config_reader.cpp, config_node.cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "testbench/config_reader.h"

namespace mmusim {

namespace config_detail {

// A key path, outermost key first.
using Path = std::vector<std::string>;

std::string join(const Path& p);
Path extend(const Path& p, const std::string& key);
std::string location(const std::string& name, const YAML::Mark& m);
std::string format_error(const std::string& where, const Path& p, const std::string& msg);
// How a value that failed to parse is shown after "got".
std::string describe(const YAML::Node& n);

}  // namespace config_detail

// The state shared by a ConfigDoc and every ConfigNode taken from it.
struct ConfigState {
  using Path = config_detail::Path;

  // A resolved value as effective_yaml() writes it; maps keep their keys in read order.
  struct Value {
    enum class Kind { kMap, kPlain, kQuoted, kList };
    std::string key;
    Kind kind = Kind::kMap;
    std::string text;
    std::vector<std::string> items;
    std::vector<Value> children;
  };

  struct Found {
    bool present = false;
    YAML::Node key;
    YAML::Node value;
  };

  std::string name;
  std::string base_dir;  // relative paths in the file are relative to this; empty: not a file
  YAML::Node root;
  std::map<Path, std::string> set_origin;  // paths assigned or created by --set -> "--set K=V"
  std::set<Path> read;
  std::vector<ParamInfo> params;
  std::map<std::string, size_t> param_index;
  Value effective;

  // Where an error about p is reported: the --set that produced p or an ancestor, else the mark.
  std::string where(const Path& p, const YAML::Mark& m) const;
  [[noreturn]] void error(const Path& p, const YAML::Mark& m, const std::string& msg) const;
  Found find(const Path& p) const;
  // The key of p if present, else of its deepest present ancestor; null for the root.
  YAML::Mark nearest_mark(const Path& p) const;
  // Mark of a present value; a null value points at its key (yaml-cpp marks the next token).
  static YAML::Mark value_mark(const Found& f);
  // Rejects non-scalar and duplicate keys anywhere below n, more than kMaxNodes nodes and
  // nesting deeper than kMaxDepth (counting what aliases repeat).
  static constexpr size_t kMaxNodes = 100000;
  static constexpr size_t kMaxDepth = 256;
  void validate(const YAML::Node& n, const Path& p, const std::string& origin) const;
  void validate(const YAML::Node& n, const Path& p, const std::string& origin, size_t depth,
                size_t& budget) const;
  // Marks p as read, lists it in the registry (first reading wins) and looks it up.
  Found read_param(const Path& p, const std::string& type, const std::string& def,
                   const std::string& allowed, const std::string& desc);
  // Stores v as the effective value of p; a map already there keeps its children.
  void record(const Path& p, Value v);
  static Value plain(const std::string& text);
  static void emit(YAML::Emitter& out, const Value& v);
};

}  // namespace mmusim
