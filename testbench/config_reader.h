// Typed, located, self-documenting access to the simulator's YAML config and --set overrides.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "testbench/config_node.h"

namespace mmusim {

// One parameter the simulator reads, as listed in the config reference.
struct ParamInfo {
  std::string path;  // full key path, e.g. "mmu.dtlb.entries"
  std::string type;  // uint, double, bool, string, enum, page_size, page_size_list, section
  std::string default_value;  // rendered as it would be written in YAML
  std::string allowed;        // "[4, 5]", "none, ept", ... ; empty when anything goes
  std::string description;
};

// A parsed YAML config plus --set overrides, the parameter registry and consumption tracking.
class ConfigDoc {
 public:
  static ConfigDoc from_file(const std::string& path);
  static ConfigDoc from_string(const std::string& text, const std::string& name = "<string>");

  ConfigDoc(ConfigDoc&&) noexcept;
  ConfigDoc& operator=(ConfigDoc&&) noexcept;
  ConfigDoc(const ConfigDoc&) = delete;
  ConfigDoc& operator=(const ConfigDoc&) = delete;
  ~ConfigDoc();

  // Applies "key.path=value"; the value is parsed as YAML. Call before reading the affected keys.
  void set(const std::string& assignment);
  ConfigNode root();
  // Throws for the first key, in document order, that no accessor has read.
  void check_all_consumed() const;
  // Every parameter read so far, in the order first read.
  const std::vector<ParamInfo>& params() const;
  // The values every accessor returned, as YAML, keys in the order read.
  std::string effective_yaml() const;

 private:
  explicit ConfigDoc(std::shared_ptr<ConfigState> state);
  std::shared_ptr<ConfigState> m_state;
};

}  // namespace mmusim
