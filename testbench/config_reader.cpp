#include "testbench/config_reader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace mmusim {

using Path = std::vector<std::string>;

namespace {

std::string join(const Path& p) {
  std::string out;
  for (const std::string& k : p) {
    if (!out.empty()) out += '.';
    out += k;
  }
  return out;
}

Path extend(const Path& p, const std::string& key) {
  Path out = p;
  out.push_back(key);
  return out;
}

std::string location(const std::string& name, const YAML::Mark& m) {
  if (m.is_null()) return name;
  return name + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

std::string format_error(const std::string& where, const Path& p, const std::string& msg) {
  return where + ": " + (p.empty() ? std::string() : join(p) + ": ") + msg;
}

// How a value that failed to parse is shown after "got".
std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + n.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "nothing";
  }
}

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

// Optimal-string-alignment distance: edits, with a swap of neighbours counted as one.
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
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

// The state shared by a ConfigDoc and every ConfigNode taken from it.
struct ConfigState {
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
  std::string where(const Path& p, const YAML::Mark& m) const {
    for (size_t n = p.size(); n > 0; --n) {
      auto it = set_origin.find(Path(p.begin(), p.begin() + n));
      if (it != set_origin.end()) return it->second;
    }
    return location(name, m);
  }

  [[noreturn]] void error(const Path& p, const YAML::Mark& m, const std::string& msg) const {
    throw ConfigError(format_error(where(p, m), p, msg));
  }

  Found find(const Path& p) const {
    Found f;
    YAML::Node cur(root);
    for (const std::string& k : p) {
      if (!cur.IsMap()) return Found();
      bool hit = false;
      for (auto it = cur.begin(); it != cur.end(); ++it) {
        if (it->first.Scalar() == k) {
          f.key.reset(it->first);
          f.value.reset(it->second);
          hit = true;
          break;
        }
      }
      if (!hit) return Found();
      cur.reset(f.value);
    }
    f.present = !p.empty();
    return f;
  }

  // The key of p if present, else of its deepest present ancestor; null for the root.
  YAML::Mark nearest_mark(const Path& p) const {
    YAML::Mark m = YAML::Mark::null_mark();
    for (size_t n = 1; n <= p.size(); ++n) {
      Found f = find(Path(p.begin(), p.begin() + n));
      if (!f.present) break;
      m = f.key.Mark();
    }
    return m;
  }

  // Mark of a present value; a null value points at its key (yaml-cpp marks the next token).
  static YAML::Mark value_mark(const Found& f) {
    if (f.value.IsNull() || f.value.Mark().is_null()) return f.key.Mark();
    return f.value.Mark();
  }

  // Rejects non-scalar and duplicate keys anywhere below n.
  void validate(const YAML::Node& n, const Path& p, const std::string& origin) const {
    auto fail = [&](const Path& at, const YAML::Mark& m, const std::string& msg) {
      throw ConfigError(format_error(origin.empty() ? location(name, m) : origin, at, msg));
    };
    if (n.IsSequence()) {
      for (auto it = n.begin(); it != n.end(); ++it) validate(*it, p, origin);
    } else if (n.IsMap()) {
      std::set<std::string> seen;
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar()) fail(p, it->first.Mark(), "expected a scalar key");
        Path child = extend(p, it->first.Scalar());
        if (!seen.insert(it->first.Scalar()).second) fail(child, it->first.Mark(), "duplicate key");
        validate(it->second, child, origin);
      }
    }
  }

  // Marks p as read, lists it in the registry (first reading wins) and looks it up.
  Found read_param(const Path& p, const std::string& type, const std::string& def,
                   const std::string& allowed, const std::string& desc) {
    read.insert(p);
    std::string text = join(p);
    if (param_index.emplace(text, params.size()).second) {
      params.push_back({text, type, def, allowed, desc});
    }
    return find(p);
  }

  // Stores v as the effective value of p; a map already there keeps its children.
  void record(const Path& p, Value v) {
    Value* cur = &effective;
    for (size_t i = 0; i < p.size(); ++i) {
      if (cur->kind != Value::Kind::kMap) {
        cur->kind = Value::Kind::kMap;
        cur->children.clear();
      }
      auto it = std::find_if(cur->children.begin(), cur->children.end(),
                             [&](const Value& c) { return c.key == p[i]; });
      if (it == cur->children.end()) {
        Value child;
        child.key = p[i];
        cur->children.push_back(std::move(child));
        it = cur->children.end() - 1;
      }
      cur = &*it;
    }
    if (v.kind == Value::Kind::kMap && cur->kind == Value::Kind::kMap) return;
    v.key = cur->key;
    *cur = std::move(v);
  }

  static Value plain(const std::string& text) {
    Value v;
    v.kind = Value::Kind::kPlain;
    v.text = text;
    return v;
  }

  static void emit(YAML::Emitter& out, const Value& v) {
    switch (v.kind) {
      case Value::Kind::kMap:
        out << YAML::BeginMap;
        for (const Value& c : v.children) {
          out << YAML::Key << c.key << YAML::Value;
          emit(out, c);
        }
        out << YAML::EndMap;
        break;
      case Value::Kind::kPlain:
        out << v.text;
        break;
      case Value::Kind::kQuoted:
        out << YAML::DoubleQuoted << v.text;
        break;
      case Value::Kind::kList:
        out << YAML::Flow << YAML::BeginSeq;
        for (const std::string& s : v.items) out << s;
        out << YAML::EndSeq;
        break;
    }
  }
};

ConfigDoc::ConfigDoc(std::shared_ptr<ConfigState> state) : m_state(std::move(state)) {}
ConfigDoc::ConfigDoc(ConfigDoc&&) noexcept = default;
ConfigDoc& ConfigDoc::operator=(ConfigDoc&&) noexcept = default;
ConfigDoc::~ConfigDoc() = default;

ConfigDoc ConfigDoc::from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  ConfigDoc doc = from_string(text.str(), path);
  doc.m_state->base_dir = std::filesystem::absolute(path).parent_path().string();
  return doc;
}

ConfigDoc ConfigDoc::from_string(const std::string& text, const std::string& name) {
  auto s = std::make_shared<ConfigState>();
  s->name = name;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(location(name, e.mark) + ": invalid YAML: " + e.msg);
  }
  if (docs.size() > 1) {
    throw ConfigError(location(name, docs[1].Mark()) + ": expected a single YAML document");
  }
  if (docs.empty() || docs[0].IsNull()) {
    s->root.reset(YAML::Node(YAML::NodeType::Map));
  } else if (!docs[0].IsMap()) {
    throw ConfigError(location(name, docs[0].Mark()) + ": expected a map at the top level, got " +
                      describe(docs[0]));
  } else {
    s->root.reset(docs[0]);
  }
  s->validate(s->root, {}, "");
  return ConfigDoc(std::move(s));
}

void ConfigDoc::set(const std::string& assignment) {
  const std::string origin = "--set " + assignment;
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw ConfigError(origin + ": expected KEY.PATH=VALUE");
  const std::string key_text = assignment.substr(0, eq);
  Path p;
  std::string part;
  std::istringstream keys(key_text + ".");
  while (std::getline(keys, part, '.')) {
    if (part.empty()) throw ConfigError(origin + ": empty key in '" + key_text + "'");
    p.push_back(part);
  }
  YAML::Node value;
  try {
    value = YAML::Load(assignment.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(format_error(origin, p, "invalid YAML value: " + e.msg));
  }
  m_state->validate(value, p, origin);

  YAML::Node cur(m_state->root);
  Path prefix;
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    prefix.push_back(p[i]);
    ConfigState::Found f = m_state->find(prefix);
    if (!f.present) {
      cur[p[i]] = YAML::Node(YAML::NodeType::Map);
      m_state->set_origin[prefix] = origin;
    } else if (f.value.IsNull()) {
      cur[p[i]] = YAML::Node(YAML::NodeType::Map);
    } else if (!f.value.IsMap()) {
      throw ConfigError(format_error(origin, prefix, "expected a map, got " + describe(f.value)));
    }
    YAML::Node next = cur[p[i]];
    cur.reset(next);
  }
  cur[p.back()] = value;
  auto& origins = m_state->set_origin;
  for (auto it = origins.lower_bound(p); it != origins.end();) {
    if (it->first.size() < p.size() || !std::equal(p.begin(), p.end(), it->first.begin())) break;
    it = origins.erase(it);
  }
  origins[p] = origin;
}

ConfigNode ConfigDoc::root() { return ConfigNode(m_state, {}); }

void ConfigDoc::check_all_consumed() const {
  const ConfigState& s = *m_state;
  std::function<void(const YAML::Node&, const Path&)> walk = [&](const YAML::Node& map,
                                                                 const Path& p) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      Path child = extend(p, key);
      if (s.read.count(child) == 0) {
        std::string msg = "unknown key";
        std::string best;
        size_t best_d = SIZE_MAX;
        for (const Path& r : s.read) {
          if (r.size() != child.size() || !std::equal(p.begin(), p.end(), r.begin())) continue;
          size_t d = edit_distance(key, r.back());
          if (d < best_d && d <= 2 && d * 3 <= std::max(key.size(), r.back().size())) {
            best_d = d;
            best = r.back();
          }
        }
        if (!best.empty()) msg += ", did you mean '" + best + "'?";
        s.error(child, it->first.Mark(), msg);
      }
      if (it->second.IsMap()) walk(it->second, child);
    }
  };
  walk(s.root, {});
}

const std::vector<ParamInfo>& ConfigDoc::params() const { return m_state->params; }

std::string ConfigDoc::effective_yaml() const {
  YAML::Emitter out;
  ConfigState::emit(out, m_state->effective);
  return std::string(out.c_str()) + "\n";
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

namespace {

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
