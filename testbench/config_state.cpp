#include "testbench/config_state.h"

#include <algorithm>

namespace mmusim {
namespace config_detail {

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

}  // namespace config_detail

using config_detail::extend;
using config_detail::format_error;
using config_detail::join;
using config_detail::location;

std::string ConfigState::where(const Path& p, const YAML::Mark& m) const {
  for (size_t n = p.size(); n > 0; --n) {
    auto it = set_origin.find(Path(p.begin(), p.begin() + n));
    if (it != set_origin.end()) return it->second;
  }
  return location(name, m);
}

void ConfigState::error(const Path& p, const YAML::Mark& m, const std::string& msg) const {
  throw ConfigError(format_error(where(p, m), p, msg));
}

ConfigState::Found ConfigState::find(const Path& p) const {
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

YAML::Mark ConfigState::nearest_mark(const Path& p) const {
  YAML::Mark m = YAML::Mark::null_mark();
  for (size_t n = 1; n <= p.size(); ++n) {
    Found f = find(Path(p.begin(), p.begin() + n));
    if (!f.present) break;
    m = f.key.Mark();
  }
  return m;
}

YAML::Mark ConfigState::value_mark(const Found& f) {
  if (f.value.IsNull() || f.value.Mark().is_null()) return f.key.Mark();
  return f.value.Mark();
}

void ConfigState::validate(const YAML::Node& n, const Path& p, const std::string& origin) const {
  size_t budget = kMaxNodes;
  validate(n, p, origin, 0, budget);
}

void ConfigState::validate(const YAML::Node& n, const Path& p, const std::string& origin,
                           size_t depth, size_t& budget) const {
  auto fail = [&](const Path& at, const YAML::Mark& m, const std::string& msg) {
    throw ConfigError(format_error(origin.empty() ? location(name, m) : origin, at, msg));
  };
  // An alias repeats its node wherever it appears, and yaml-cpp lets one appear inside its own
  // anchor's node: a few lines can stand for billions of values, or for endless nesting.
  if (depth > kMaxDepth)
    fail(p, n.Mark(), "nested more than " + std::to_string(kMaxDepth) +
                          " levels deep (an alias inside its own anchor?)");
  if (budget-- == 0)
    fail(p, n.Mark(), "more than " + std::to_string(kMaxNodes) + " values (aliases included)");
  if (n.IsSequence()) {
    for (auto it = n.begin(); it != n.end(); ++it) validate(*it, p, origin, depth + 1, budget);
  } else if (n.IsMap()) {
    std::set<std::string> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) fail(p, it->first.Mark(), "expected a scalar key");
      Path child = extend(p, it->first.Scalar());
      if (!seen.insert(it->first.Scalar()).second) fail(child, it->first.Mark(), "duplicate key");
      validate(it->second, child, origin, depth + 1, budget);
    }
  }
}

ConfigState::Found ConfigState::read_param(const Path& p, const std::string& type,
                                           const std::string& def, const std::string& allowed,
                                           const std::string& desc) {
  read.insert(p);
  std::string text = join(p);
  if (param_index.emplace(text, params.size()).second) {
    params.push_back({text, type, def, allowed, desc});
  }
  return find(p);
}

void ConfigState::record(const Path& p, Value v) {
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

ConfigState::Value ConfigState::plain(const std::string& text) {
  Value v;
  v.kind = Value::Kind::kPlain;
  v.text = text;
  return v;
}

void ConfigState::emit(YAML::Emitter& out, const Value& v) {
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

}  // namespace mmusim
