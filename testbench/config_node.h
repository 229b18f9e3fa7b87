// A map of the simulator's YAML config, read through typed, located, self-documenting
// accessors that record each parameter they read (config_reader.h: the whole document).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/types.h"

namespace mmusim {

// A config problem; what() reads "FILE:LINE:COL: KEY.PATH: message" or "--set K=V: KEY.PATH: ...".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConfigState;

// A value read verbatim, for values another reader checks later (a sweep's overrides).
struct RawValue {
  enum class Kind { kNull, kScalar, kList, kMap };
  Kind kind = Kind::kNull;
  std::string yaml;             // the value as one line of flow-style YAML: 4K, [4K, 2M], {a: 1}
  std::string where;            // where it was written: "FILE:LINE:COL" or "--set K=V"
  std::vector<RawValue> items;  // a list's elements
};

// Shortest text that reads back as the same double (2000, not 2e+03).
std::string render_double(double v);

// A map inside the config, known by its key path; reads children through typed accessors.
class ConfigNode {
 public:
  // Child map; absent or null means empty (all defaults). Error if present but not a map.
  ConfigNode section(const std::string& key, const std::string& desc);
  // Whether the key is present; does not count as reading it.
  bool has(const std::string& key) const;
  // Accepts decimal and 0x-hex.
  uint64_t get_uint(const std::string& key, uint64_t def, uint64_t min, uint64_t max,
                    const std::string& desc);
  double get_double(const std::string& key, double def, double min, double max,
                    const std::string& desc);
  bool get_bool(const std::string& key, bool def, const std::string& desc);
  std::string get_string(const std::string& key, const std::string& def, const std::string& desc);
  // A file path: relative to the config file's directory (to the working directory when it came
  // from --set); resolved to an absolute path, which must name a file when not empty.
  std::string get_path(const std::string& key, const std::string& desc);
  std::string get_enum(const std::string& key, const std::string& def,
                       const std::vector<std::string>& allowed, const std::string& desc);
  // "4K" | "2M" | "1G".
  PageSize get_page_size(const std::string& key, PageSize def, const std::string& desc);
  // A YAML list of page sizes, non-empty, no duplicates, order kept.
  std::vector<PageSize> get_page_sizes(const std::string& key, const std::vector<PageSize>& def,
                                       const std::string& desc);
  // A present value of any shape, verbatim; a map's keys below it all count as known.
  RawValue get_raw(const std::string& key, const std::string& desc);
  // Whether the key is present and holds a map; does not count as reading it.
  bool is_map(const std::string& key) const;
  // Keys of a free-form map in document order; marks them as known keys (each child still has to
  // be read as a section for its own keys to count as known).
  std::vector<std::string> child_keys() const;
  // A semantic error at that key: located at the key if present, else at this map.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  // Full key path of this map ("" for the root).
  const std::string& path() const { return m_path_text; }

 private:
  friend class ConfigDoc;
  ConfigNode(std::shared_ptr<ConfigState> state, std::vector<std::string> path);
  std::vector<std::string> child_path(const std::string& key) const;

  std::shared_ptr<ConfigState> m_state;
  std::vector<std::string> m_path;
  std::string m_path_text;
};

}  // namespace mmusim
