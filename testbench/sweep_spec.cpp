#include "testbench/sweep_spec.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace mmusim {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxAxisValues = 100000;

// A range bound or step as written: an integer when it reads as one, else a real.
struct Number {
  bool integer = false;
  long long i = 0;
  double d = 0;
};

bool parse_number(const std::string& text, Number& out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  char* end = nullptr;
  errno = 0;
  const long long i = std::strtoll(text.c_str(), &end, hex ? 16 : 10);
  if (*end == '\0' && errno == 0) {
    out.integer = true;
    out.i = i;
    out.d = static_cast<double>(i);
    return true;
  }
  const double d = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(d)) return false;
  out.integer = false;
  out.d = d;
  return true;
}

// A real rounded to 12 significant digits, so 0.1 * 3 is written 0.3.
std::string render_rounded(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return render_double(std::strtod(buf, nullptr));
}

// A range as written: {from, to, step} or {from, to, mul}.
struct RangeText {
  ConfigNode node;
  RawValue from, to, step, mul;
};

RangeText read_range(ConfigNode& axes, const std::string& key) {
  ConfigNode n = axes.section(key, "a range of values: {from, to, step} or {from, to, mul}");
  RangeText r{n, {}, {}, {}, {}};
  r.from = n.get_raw("from", "first value");
  r.to = n.get_raw("to", "last value (included when reached)");
  r.step = n.get_raw("step", "added to each value to get the next");
  r.mul = n.get_raw("mul", "multiplies each value to get the next");
  return r;
}

// The values of a range, both ends included when reached; where is set to the location of 'from'.
std::vector<std::string> expand_range(RangeText& range, std::string& where) {
  ConfigNode& r = range.node;
  auto number = [&](const char* name, const RawValue& v, bool required, Number& out) {
    if (!r.has(name)) {
      if (required) r.fail(name, std::string("a range needs '") + name + "'");
      return false;
    }
    if (v.kind != RawValue::Kind::kScalar || !parse_number(v.yaml, out))
      r.fail(name, "expected a number, got '" + v.yaml + "'");
    return true;
  };
  where = range.from.where;
  Number from, to, step, mul;
  number("from", range.from, true, from);
  number("to", range.to, true, to);
  const bool has_step = number("step", range.step, false, step);
  const bool has_mul = number("mul", range.mul, false, mul);
  if (has_step == has_mul)
    r.fail(has_mul ? "mul" : "from", "a range needs exactly one of step, mul");
  std::vector<std::string> values;
  auto add = [&](std::string v) {
    if (values.size() >= kMaxAxisValues)
      r.fail(has_step ? "step" : "mul",
             "more than " + std::to_string(kMaxAxisValues) + " values in one range");
    values.push_back(std::move(v));
  };
  if (has_step) {
    if (step.d == 0) r.fail("step", "step must not be 0");
    if ((to.d - from.d) * step.d < 0) r.fail("step", "step goes away from 'to'");
    if (from.integer && to.integer && step.integer) {
      for (long long v = from.i; step.i > 0 ? v <= to.i : v >= to.i; v += step.i) {
        add(std::to_string(v));
        if ((step.i > 0 && v > LLONG_MAX - step.i) || (step.i < 0 && v < LLONG_MIN - step.i)) break;
      }
    } else {
      const double eps = std::fabs(step.d) * 1e-9;
      for (size_t i = 0;; ++i) {
        const double v = from.d + static_cast<double>(i) * step.d;
        if (step.d > 0 ? v > to.d + eps : v < to.d - eps) break;
        add(render_rounded(v));
      }
    }
  } else {
    if (!(from.d > 0) || !(to.d > 0)) r.fail("from", "a range with mul needs from > 0 and to > 0");
    if (mul.d <= 0 || mul.d == 1) r.fail("mul", "mul must be positive and not 1");
    if ((to.d - from.d) * (mul.d - 1) < 0) r.fail("mul", "mul goes away from 'to'");
    if (from.integer && to.integer && mul.integer) {
      for (long long v = from.i; v <= to.i; v *= mul.i) {
        add(std::to_string(v));
        if (v > LLONG_MAX / mul.i) break;
      }
    } else {
      const double up = to.d * (1 + 1e-9), down = to.d * (1 - 1e-9);
      for (double v = from.d; mul.d > 1 ? v <= up : v >= down; v *= mul.d) add(render_rounded(v));
    }
  }
  return values;
}

// An axis as written: a list of values, a range, or named cases of overrides.
struct AxisText {
  std::string key;
  RawValue list;
  std::optional<RangeText> range;
  bool cases = false;
  std::vector<std::string> case_names;
  std::vector<std::vector<std::pair<std::string, RawValue>>> overrides;  // per case
};

AxisText read_axis(ConfigNode& axes, const std::string& key) {
  AxisText t;
  t.key = key;
  if (!axes.is_map(key)) {
    t.list = axes.get_raw(key, "list of values");
    return t;
  }
  ConfigNode sub = axes.section(key, "a range {from, to, step|mul}, or named cases");
  if (sub.has("from") || sub.has("to")) {
    t.range = read_range(axes, key);
    return t;
  }
  t.cases = true;
  for (const std::string& name : sub.child_keys()) {
    ConfigNode c = sub.section(name, "one case: key path -> value");
    t.case_names.push_back(name);
    t.overrides.emplace_back();
    for (const std::string& k : c.child_keys())
      t.overrides.back().emplace_back(k, c.get_raw(k, "override"));
  }
  return t;
}

SweepAxis expand_axis(ConfigNode& axes, AxisText& t) {
  SweepAxis axis;
  axis.key = t.key;
  if (t.range) {
    std::string where;
    axis.values = expand_range(*t.range, where);
    if (axis.values.empty()) axes.fail(t.key, "the range holds no value");
    for (const std::string& v : axis.values) {
      axis.overrides.push_back({t.key + "=" + v});
      axis.where.push_back({where});
    }
  } else if (t.cases) {
    if (t.case_names.empty()) axes.fail(t.key, "expected at least one case");
    axis.values = t.case_names;
    for (const auto& c : t.overrides) {
      axis.overrides.emplace_back();
      axis.where.emplace_back();
      for (const auto& [k, v] : c) {
        axis.overrides.back().push_back(k + "=" + v.yaml);
        axis.where.back().push_back(v.where);
      }
    }
  } else {
    const RawValue& v = t.list;
    if (v.kind != RawValue::Kind::kList || v.items.empty())
      axes.fail(t.key,
                "expected a non-empty list of values, a range {from, to, step|mul} or named "
                "cases {NAME: {KEY: VALUE, ...}, ...}, got '" +
                    v.yaml + "'");
    std::set<std::string> seen;
    for (const RawValue& item : v.items) {
      if (!seen.insert(item.yaml).second)
        throw ConfigError(item.where + ": axes." + t.key + ": duplicate value " + item.yaml);
      axis.values.push_back(item.yaml);
      axis.overrides.push_back({t.key + "=" + item.yaml});
      axis.where.push_back({item.where});
    }
  }
  return axis;
}

std::string resolve_base(ConfigNode& root, const std::string& file, const std::string& base) {
  const fs::path given(base);
  if (given.is_absolute()) return given.lexically_normal().string();
  const fs::path beside = fs::path(file).parent_path() / given;
  std::error_code ec;  // a name too long for the file system is one not found
  if (fs::exists(beside, ec)) return fs::absolute(beside).lexically_normal().string();
  if (fs::exists(given, ec)) return fs::absolute(given).lexically_normal().string();
  root.fail("base",
            "cannot find '" + base + "' next to the sweep file or in the working directory");
}

}  // namespace

size_t SweepSpec::size() const {
  if (axes.empty()) return 1;
  if (combine == Combine::kZip) return axes.front().values.size();
  size_t n = 1;
  for (const SweepAxis& a : axes) n *= a.values.size();
  return n;
}

SweepPoint SweepSpec::point(size_t i) const {
  SweepPoint p;
  p.index = i;
  p.overrides = set;
  p.where = set_where;
  std::vector<size_t> pick(axes.size(), i);
  if (combine == Combine::kProduct) {
    for (size_t a = axes.size(); a-- > 0;) {
      pick[a] = i % axes[a].values.size();
      i /= axes[a].values.size();
    }
  }
  for (size_t a = 0; a < axes.size(); ++a) {
    const SweepAxis& axis = axes[a];
    const size_t v = pick[a];
    p.values.push_back(axis.values[v]);
    p.overrides.insert(p.overrides.end(), axis.overrides[v].begin(), axis.overrides[v].end());
    p.where.insert(p.where.end(), axis.where[v].begin(), axis.where[v].end());
  }
  return p;
}

SweepSpec read_sweep(ConfigDoc& doc, const std::string& file) {
  SweepSpec spec;
  spec.file = file;
  ConfigNode root = doc.root();

  // Every key is read first, so a misspelt key is reported as such before anything it misses.
  const std::string base =
      root.get_string("base", "",
                      "config every point starts from: a path relative to the sweep "
                      "file or the working directory");
  ConfigNode set = root.section("set", "overrides applied to every point: key path -> value");
  for (const std::string& key : set.child_keys()) {
    RawValue v = set.get_raw(key, "override");
    spec.set.push_back(key + "=" + v.yaml);
    spec.set_where.push_back(v.where);
  }
  ConfigNode axes = root.section("axes", "key path -> list of values or a range; or named cases");
  const std::vector<std::string> keys = axes.child_keys();
  std::vector<AxisText> texts;
  for (const std::string& key : keys) texts.push_back(read_axis(axes, key));
  const std::string combine = root.get_enum(
      "combine", "product", {"product", "zip"},
      "product: every combination of the axes' values; zip: the i-th values of all axes together");
  spec.combine = combine == "zip" ? SweepSpec::Combine::kZip : SweepSpec::Combine::kProduct;
  doc.check_all_consumed();

  if (!root.has("base")) root.fail("base", "missing: the config every point starts from");
  spec.base = resolve_base(root, file, base);
  if (!root.has("axes")) root.fail("axes", "missing: key path -> list of values or range");
  if (keys.empty()) root.fail("axes", "expected at least one axis");
  std::map<std::string, std::string> owner;  // overridden key -> who sets it
  for (const std::string& s : spec.set) owner[s.substr(0, s.find('='))] = "'set'";
  for (AxisText& text : texts) {
    SweepAxis axis = expand_axis(axes, text);
    std::set<std::string> mine;
    for (const auto& overrides : axis.overrides)
      for (const std::string& o : overrides) mine.insert(o.substr(0, o.find('=')));
    for (const std::string& k : mine) {
      auto it = owner.find(k);
      if (it != owner.end())
        axes.fail(axis.key, "sets " + k + ", which " + it->second + " sets too");
    }
    for (const std::string& k : mine) owner[k] = "axis " + axis.key;
    spec.axes.push_back(std::move(axis));
  }

  if (spec.combine == SweepSpec::Combine::kZip) {
    const SweepAxis& first = spec.axes.front();
    for (const SweepAxis& a : spec.axes)
      if (a.values.size() != first.values.size())
        axes.fail(a.key, "zip needs axes of equal length: " + first.key + " has " +
                             std::to_string(first.values.size()) + " values, " + a.key + " has " +
                             std::to_string(a.values.size()));
  } else {
    size_t n = 1;
    for (const SweepAxis& a : spec.axes) {
      if (a.values.size() > kMaxSweepPoints / n)
        root.fail("axes", "more than " + std::to_string(kMaxSweepPoints) + " points");
      n *= a.values.size();
    }
  }
  return spec;
}

SweepSpec load_sweep(const std::string& path) {
  ConfigDoc doc = ConfigDoc::from_file(path);
  return read_sweep(doc, path);
}

}  // namespace mmusim
