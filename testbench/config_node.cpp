#include "testbench/config_node.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

#include "testbench/config_state.h"

namespace mmusim {

using config_detail::describe;
using config_detail::extend;
using config_detail::join;
using config_detail::Path;

namespace {

// Decimal or 0x-hex, digits only; sets overflow when the digits do not fit.
bool parse_u64(const std::string& s, uint64_t& out, bool& overflow) {
  overflow = false;
  bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  size_t i = hex ? 2 : 0;
  if (i >= s.size()) return false;
  uint64_t base = hex ? 16 : 10;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    uint64_t d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (hex && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (hex && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    if (v > (UINT64_MAX - d) / base) overflow = true;
    v = v * base + d;
  }
  out = v;
  return true;
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

const std::vector<std::string>& page_size_names() {
  static const std::vector<std::string> names = {"4K", "2M", "1G"};
  return names;
}

// The flow-style YAML text of n and of its elements; every map key below path p marked as read.
RawValue raw_value(ConfigState& s, const YAML::Node& n, const Path& p, const YAML::Mark& m) {
  RawValue v;
  v.where = s.where(p, m);
  YAML::Emitter out;
  out << YAML::Flow << n;
  v.yaml = out.c_str();
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      v.kind = RawValue::Kind::kScalar;
      break;
    case YAML::NodeType::Sequence:
      v.kind = RawValue::Kind::kList;
      for (auto it = n.begin(); it != n.end(); ++it)
        v.items.push_back(raw_value(s, *it, p, it->Mark().is_null() ? m : it->Mark()));
      break;
    case YAML::NodeType::Map:
      v.kind = RawValue::Kind::kMap;
      for (auto it = n.begin(); it != n.end(); ++it) {
        Path child = extend(p, it->first.Scalar());
        s.read.insert(child);
        raw_value(s, it->second, child, it->first.Mark());
      }
      break;
    default:
      v.kind = RawValue::Kind::kNull;
      v.yaml = "null";
      break;
  }
  return v;
}

}  // namespace

std::string render_double(double v) {
  char buf[40];
  if (v == static_cast<double>(static_cast<long long>(v)) && v > -1e15 && v < 1e15) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    return buf;
  }
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

ConfigNode::ConfigNode(std::shared_ptr<ConfigState> state, std::vector<std::string> path)
    : m_state(std::move(state)), m_path(std::move(path)), m_path_text(join(m_path)) {}

std::vector<std::string> ConfigNode::child_path(const std::string& key) const {
  return extend(m_path, key);
}

ConfigNode ConfigNode::section(const std::string& key, const std::string& desc) {
  Path p = child_path(key);
  ConfigState::Found f = m_state->read_param(p, "section", "", "", desc);
  if (f.present && !f.value.IsMap() && !f.value.IsNull()) {
    m_state->error(p, ConfigState::value_mark(f), "expected a map, got " + describe(f.value));
  }
  m_state->record(p, ConfigState::Value());
  return ConfigNode(m_state, p);
}

bool ConfigNode::has(const std::string& key) const {
  return m_state->find(child_path(key)).present;
}

uint64_t ConfigNode::get_uint(const std::string& key, uint64_t def, uint64_t min, uint64_t max,
                              const std::string& desc) {
  Path p = child_path(key);
  if (min > max || def < min || def > max) {
    throw std::logic_error(join(p) + ": default " + std::to_string(def) + " outside its range");
  }
  std::string range = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
  ConfigState::Found f = m_state->read_param(p, "uint", std::to_string(def), range, desc);
  uint64_t v = def;
  if (f.present) {
    bool overflow = false;
    if (!f.value.IsScalar() || !parse_u64(f.value.Scalar(), v, overflow)) {
      m_state->error(p, ConfigState::value_mark(f),
                     "expected an unsigned integer, got " + describe(f.value));
    }
    if (overflow || v < min || v > max) {
      m_state->error(p, ConfigState::value_mark(f),
                     "value " + f.value.Scalar() + " out of range " + range);
    }
  }
  m_state->record(p, ConfigState::plain(std::to_string(v)));
  return v;
}

double ConfigNode::get_double(const std::string& key, double def, double min, double max,
                              const std::string& desc) {
  Path p = child_path(key);
  if (!(min <= max && def >= min && def <= max)) {
    throw std::logic_error(join(p) + ": default " + render_double(def) + " outside its range");
  }
  std::string range = "[" + render_double(min) + ", " + render_double(max) + "]";
  ConfigState::Found f = m_state->read_param(p, "double", render_double(def), range, desc);
  double v = def;
  if (f.present) {
    const std::string& text = f.value.Scalar();
    char* end = nullptr;
    if (f.value.IsScalar() && !text.empty() && !std::isspace(static_cast<unsigned char>(text[0]))) {
      v = std::strtod(text.c_str(), &end);
    }
    if (end == nullptr || *end != '\0' || !std::isfinite(v)) {
      m_state->error(p, ConfigState::value_mark(f), "expected a number, got " + describe(f.value));
    }
    if (!(v >= min && v <= max)) {
      m_state->error(p, ConfigState::value_mark(f), "value " + text + " out of range " + range);
    }
  }
  m_state->record(p, ConfigState::plain(render_double(v)));
  return v;
}

bool ConfigNode::get_bool(const std::string& key, bool def, const std::string& desc) {
  Path p = child_path(key);
  ConfigState::Found f =
      m_state->read_param(p, "bool", def ? "true" : "false", "true, false", desc);
  bool v = def;
  if (f.present) {
    const std::string& t = f.value.IsScalar() ? f.value.Scalar() : std::string();
    if (t == "true" || t == "True" || t == "TRUE") {
      v = true;
    } else if (t == "false" || t == "False" || t == "FALSE") {
      v = false;
    } else {
      m_state->error(p, ConfigState::value_mark(f),
                     "expected true or false, got " + describe(f.value));
    }
  }
  m_state->record(p, ConfigState::plain(v ? "true" : "false"));
  return v;
}

std::string ConfigNode::get_string(const std::string& key, const std::string& def,
                                   const std::string& desc) {
  Path p = child_path(key);
  ConfigState::Found f = m_state->read_param(p, "string", def, "", desc);
  std::string v = def;
  if (f.present) {
    if (!f.value.IsScalar()) {
      m_state->error(p, ConfigState::value_mark(f), "expected a string, got " + describe(f.value));
    }
    v = f.value.Scalar();
  }
  ConfigState::Value out;
  out.kind = ConfigState::Value::Kind::kQuoted;
  out.text = v;
  m_state->record(p, std::move(out));
  return v;
}

std::string ConfigNode::get_path(const std::string& key, const std::string& desc) {
  Path p = child_path(key);
  ConfigState::Found f = m_state->read_param(p, "path", "", "", desc);
  std::string v;
  if (f.present) {
    if (!f.value.IsScalar()) {
      m_state->error(p, ConfigState::value_mark(f), "expected a path, got " + describe(f.value));
    }
    v = f.value.Scalar();
  }
  if (!v.empty()) {
    namespace fs = std::filesystem;
    const bool from_set = m_state->where(p, YAML::Mark::null_mark()) != m_state->name;
    fs::path resolved(v);
    if (resolved.is_relative())
      resolved = (from_set || m_state->base_dir.empty() ? fs::current_path()
                                                        : fs::path(m_state->base_dir)) /
                 resolved;
    resolved = resolved.lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(resolved, ec)) {
      m_state->error(p, f.present ? ConfigState::value_mark(f) : YAML::Mark::null_mark(),
                     "no such file: " + resolved.string());
    }
    v = resolved.string();
  }
  ConfigState::Value out;
  out.kind = ConfigState::Value::Kind::kQuoted;
  out.text = v;
  m_state->record(p, std::move(out));
  return v;
}

std::string ConfigNode::get_enum(const std::string& key, const std::string& def,
                                 const std::vector<std::string>& allowed, const std::string& desc) {
  Path p = child_path(key);
  if (std::find(allowed.begin(), allowed.end(), def) == allowed.end()) {
    throw std::logic_error(join(p) + ": default '" + def + "' is not an allowed value");
  }
  std::string choices = join_list(allowed);
  ConfigState::Found f = m_state->read_param(p, "enum", def, choices, desc);
  std::string v = def;
  if (f.present) {
    if (!f.value.IsScalar() ||
        std::find(allowed.begin(), allowed.end(), f.value.Scalar()) == allowed.end()) {
      m_state->error(p, ConfigState::value_mark(f),
                     "expected one of: " + choices + "; got " + describe(f.value));
    }
    v = f.value.Scalar();
  }
  m_state->record(p, ConfigState::plain(v));
  return v;
}

PageSize ConfigNode::get_page_size(const std::string& key, PageSize def, const std::string& desc) {
  Path p = child_path(key);
  std::string choices = join_list(page_size_names());
  ConfigState::Found f = m_state->read_param(p, "page_size", page_size_name(def), choices, desc);
  PageSize v = def;
  if (f.present && (!f.value.IsScalar() || !parse_page_size(f.value.Scalar().c_str(), v))) {
    m_state->error(p, ConfigState::value_mark(f),
                   "expected one of: " + choices + "; got " + describe(f.value));
  }
  m_state->record(p, ConfigState::plain(page_size_name(v)));
  return v;
}

std::vector<PageSize> ConfigNode::get_page_sizes(const std::string& key,
                                                 const std::vector<PageSize>& def,
                                                 const std::string& desc) {
  Path p = child_path(key);
  if (def.empty()) throw std::logic_error(join(p) + ": empty default page-size list");
  std::vector<std::string> def_names;
  for (PageSize s : def) def_names.push_back(page_size_name(s));
  std::string choices = join_list(page_size_names());
  ConfigState::Found f = m_state->read_param(p, "page_size_list", "[" + join_list(def_names) + "]",
                                             "list of " + choices, desc);
  std::vector<PageSize> v = def;
  if (f.present) {
    if (!f.value.IsSequence()) {
      m_state->error(p, ConfigState::value_mark(f),
                     "expected a list of page sizes, got " + describe(f.value));
    }
    if (f.value.size() == 0) {
      m_state->error(p, ConfigState::value_mark(f), "expected a non-empty list of page sizes");
    }
    v.clear();
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
      PageSize s;
      YAML::Mark m = it->Mark().is_null() ? f.key.Mark() : it->Mark();
      if (!it->IsScalar() || !parse_page_size(it->Scalar().c_str(), s)) {
        m_state->error(p, m, "expected one of: " + choices + "; got " + describe(*it));
      }
      if (std::find(v.begin(), v.end(), s) != v.end()) {
        m_state->error(p, m, std::string("duplicate page size ") + page_size_name(s));
      }
      v.push_back(s);
    }
  }
  ConfigState::Value out;
  out.kind = ConfigState::Value::Kind::kList;
  for (PageSize s : v) out.items.push_back(page_size_name(s));
  m_state->record(p, std::move(out));
  return v;
}

RawValue ConfigNode::get_raw(const std::string& key, const std::string& desc) {
  Path p = child_path(key);
  ConfigState::Found f = m_state->read_param(p, "yaml", "", "", desc);
  if (!f.present) return RawValue();
  return raw_value(*m_state, f.value, p, ConfigState::value_mark(f));
}

bool ConfigNode::is_map(const std::string& key) const {
  ConfigState::Found f = m_state->find(child_path(key));
  return f.present && f.value.IsMap();
}

std::vector<std::string> ConfigNode::child_keys() const {
  std::vector<std::string> keys;
  ConfigState::Found f = m_state->find(m_path);
  const YAML::Node& map = m_path.empty() ? m_state->root : f.value;
  if (!map.IsMap()) return keys;
  for (auto it = map.begin(); it != map.end(); ++it) {
    keys.push_back(it->first.Scalar());
    m_state->read.insert(child_path(keys.back()));
  }
  return keys;
}

void ConfigNode::fail(const std::string& key, const std::string& message) const {
  Path p = child_path(key);
  ConfigState::Found f = m_state->find(p);
  m_state->error(p, f.present ? f.key.Mark() : m_state->nearest_mark(m_path), message);
}

}  // namespace mmusim
