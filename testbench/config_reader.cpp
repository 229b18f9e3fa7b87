#include "testbench/config_reader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <utility>

#include "testbench/config_state.h"

namespace mmusim {

using config_detail::describe;
using config_detail::extend;
using config_detail::format_error;
using config_detail::location;
using config_detail::Path;

namespace {

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

// Notes the mark of the first node of the last document the parser went through.
class FirstNodeMarks : public YAML::EventHandler {
 public:
  YAML::Mark first_node = YAML::Mark::null_mark();
  void OnDocumentStart(const YAML::Mark&) override { m_seen = false; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(m);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& m) {
    if (!m_seen) first_node = m;
    m_seen = true;
  }
  bool m_seen = false;
};

// Where a second document starts, if the text has one. The parser is asked for two documents at
// most: on some malformed text (a ',' at the top level) yaml-cpp's LoadAll finds empty documents
// for ever without moving on.
std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  FirstNodeMarks marks;
  if (!parser.HandleNextDocument(marks) || !parser.HandleNextDocument(marks)) return std::nullopt;
  return marks.first_node;
}

}  // namespace

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
  YAML::Node doc;
  std::optional<YAML::Mark> second;
  try {
    doc = YAML::Load(text);
    second = second_document(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(location(name, e.mark) + ": invalid YAML: " + e.msg);
  }
  if (second) {
    throw ConfigError(location(name, *second) + ": expected a single YAML document");
  }
  if (doc.IsNull()) {
    s->root.reset(YAML::Node(YAML::NodeType::Map));
  } else if (!doc.IsMap()) {
    throw ConfigError(location(name, doc.Mark()) + ": expected a map at the top level, got " +
                      describe(doc));
  } else {
    s->root.reset(doc);
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

}  // namespace mmusim
