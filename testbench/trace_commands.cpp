#include "testbench/trace_commands.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "models/rng.h"
#include "models/trace_import.h"
#include "testbench/trace_capture.h"

namespace mmusim {

const char* const kTraceUsage =
    "usage: mmusim trace capture [--tool qemu|lackey] [--skip N] [--keep N] [--stdin FILE]\n"
    "                            [--stdout FILE] --out FILE -- CMD ARGS...\n"
    "                                record a program's memory accesses and VMAs\n"
    "       mmusim trace import --from lackey|champsim INPUT --out FILE [--skip N] [--keep N]\n"
    "       mmusim trace stat FILE   header, VMAs, record counts and the reading speed\n"
    "       mmusim trace dump FILE [--limit N]   records as text\n"
    "       mmusim trace generate --records N --out FILE [--footprint-mib M] [--seed S]\n"
    "                                a synthetic trace (loops over code, random data)\n"
    "  N takes a k, M or G suffix (thousands, millions, billions).\n";

namespace {

using Clock = std::chrono::steady_clock;

uint64_t parse_count(const std::string& flag, const std::string& text) {
  size_t used = 0;
  uint64_t v = 0;
  try {
    v = std::stoull(text, &used, 0);
  } catch (const std::exception&) {
    throw std::invalid_argument(flag + ": expected a number, got '" + text + "'");
  }
  const std::string suffix = text.substr(used);
  const uint64_t scale = suffix.empty()                   ? 1
                         : suffix == "k" || suffix == "K" ? 1000
                         : suffix == "M"                  ? 1000000
                         : suffix == "G"                  ? 1000000000
                                                          : 0;
  if (!scale || text[0] == '-')
    throw std::invalid_argument(flag + ": expected a number, got '" + text + "'");
  return v * scale;
}

std::string mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

std::string perms_text(const TraceVma& v) {
  return std::string(v.read ? "r" : "-") + (v.write ? "w" : "-") + (v.exec ? "x" : "-");
}

void print_summary(std::ostream& out, const std::string& path, const TraceHeader& h,
                   const uint64_t kinds[4], bool list_vmas) {
  uint64_t vma_bytes = 0;
  for (const TraceVma& v : h.vmas) vma_bytes += v.end - v.start;
  const std::string touched = h.meta_value("touched_pages");
  out << path << ": mmusim trace v" << h.version << ", " << h.records << " records, source "
      << h.source << (h.command.empty() ? "" : ": " + h.command) << "\n";
  out << "  fetch " << kinds[0] << "  load " << kinds[1] << "  store " << kinds[2] << "  modify "
      << kinds[3] << "  threads " << h.threads << "\n";
  out << "  VMAs " << h.vmas.size() << " (" << mib(vma_bytes) << "; recorded "
      << (h.meta_value("recorded_vmas").empty() ? "?" : h.meta_value("recorded_vmas"))
      << ", derived " << (h.meta_value("derived_vmas").empty() ? "?" : h.meta_value("derived_vmas"))
      << ")";
  if (!touched.empty()) {  // written by mmusim as a number; another writer's text is shown as is
    out << "  touched " << touched << " pages";
    if (touched.find_first_not_of("0123456789") == std::string::npos && touched.size() < 16)
      out << " (" << mib(std::stoull(touched) << 12) << ")";
  }
  out << "\n";
  if (!list_vmas) return;
  for (const auto& kv : h.meta) out << "  meta " << kv.first << " = " << kv.second << "\n";
  for (const TraceVma& v : h.vmas) {
    char line[96];
    std::snprintf(line, sizeof line, "  %012" PRIx64 "-%012" PRIx64 " %s asid %u  ", v.start, v.end,
                  perms_text(v).c_str(), unsigned{v.asid});
    out << line << mib(v.end - v.start) << "  " << v.name << "\n";
  }
}

struct Args {
  std::vector<std::string> positional;
  std::string from, out, tool, in_path, out_path;
  TraceWindow window;
  uint64_t records = 0, footprint_mib = 1024, seed = 1, limit = 0;
  std::vector<std::string> command;
};

Args parse_args(const std::vector<std::string>& args, size_t first) {
  Args a;
  for (size_t i = first; i < args.size(); ++i) {
    const std::string& s = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw std::invalid_argument(s + " needs a value");
      return args[++i];
    };
    if (s == "--") {
      a.command.assign(args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (s == "--from")
      a.from = value();
    else if (s == "--out")
      a.out = value();
    else if (s == "--tool")
      a.tool = value();
    else if (s == "--stdin")
      a.in_path = value();
    else if (s == "--stdout")
      a.out_path = value();
    else if (s == "--skip")
      a.window.skip = parse_count(s, value());
    else if (s == "--keep")
      a.window.keep = parse_count(s, value());
    else if (s == "--records")
      a.records = parse_count(s, value());
    else if (s == "--footprint-mib")
      a.footprint_mib = parse_count(s, value());
    else if (s == "--seed")
      a.seed = parse_count(s, value());
    else if (s == "--limit")
      a.limit = parse_count(s, value());
    else if (!s.empty() && s[0] == '-')
      throw std::invalid_argument("unknown option " + s);
    else
      a.positional.push_back(s);
  }
  return a;
}

void need_out(const Args& a) {
  if (a.out.empty()) throw std::invalid_argument("--out FILE is required");
}

int cmd_import(const Args& a, std::ostream& out) {
  need_out(a);
  if (a.from != "lackey" && a.from != "champsim")
    throw std::invalid_argument("--from lackey|champsim is required");
  if (a.positional.size() != 1) throw std::invalid_argument("import takes one INPUT file");
  const std::string& input = a.positional[0];
  const auto t0 = Clock::now();
  TraceBuilder b(a.out, a.window);
  if (a.from == "lackey")
    import_lackey(input, b);
  else
    import_champsim(input, b);
  TraceHeader h;
  h.source = "import-" + a.from;
  h.command = input;
  h.meta.emplace_back("keep", std::to_string(a.window.keep));
  h = b.finish(h, {});
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const uint64_t kinds[4] = {b.kind_count(TraceKind::kFetch), b.kind_count(TraceKind::kLoad),
                             b.kind_count(TraceKind::kStore), b.kind_count(TraceKind::kModify)};
  print_summary(out, a.out, h, kinds, false);
  char line[128];
  std::snprintf(line, sizeof line, "  imported in %.2f s\n", s);
  out << line;
  return 0;
}

int cmd_stat(const Args& a, std::ostream& out) {
  if (a.positional.size() != 1) throw std::invalid_argument("stat takes one trace FILE");
  const auto t0 = Clock::now();
  TraceReader r(a.positional[0]);
  uint64_t kinds[4] = {};
  const TraceRecord* recs;
  for (size_t n; (n = r.next_block(recs)) > 0;)
    for (size_t i = 0; i < n; ++i) ++kinds[static_cast<unsigned>(recs[i].kind)];
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  print_summary(out, a.positional[0], r.header(), kinds, true);
  char line[160];
  std::snprintf(line, sizeof line, "  read %" PRIu64 " records in %.3f s: %.1f M records/s\n",
                r.position(), s, static_cast<double>(r.position()) / s / 1e6);
  out << line;
  return 0;
}

int cmd_dump(const Args& a, std::ostream& out) {
  if (a.positional.size() != 1) throw std::invalid_argument("dump takes one trace FILE");
  TraceReader r(a.positional[0]);
  TraceRecord rec;
  char line[96];
  for (uint64_t n = 0; (!a.limit || n < a.limit) && r.next(rec); ++n) {
    std::snprintf(line, sizeof line, "%-6s %016" PRIx64 " %u t%u\n", trace_kind_name(rec.kind),
                  rec.addr, rec.size, unsigned{rec.thread});
    out << line;
  }
  return 0;
}

// Code looping over 64 KiB, one data access per 3 instructions at random 8-byte words of the
// footprint, a quarter of them stores.
int cmd_generate(const Args& a, std::ostream& out) {
  need_out(a);
  if (!a.records) throw std::invalid_argument("--records N is required");
  if (!a.footprint_mib) throw std::invalid_argument("--footprint-mib must be positive");
  const uint64_t text = 0x400000, text_bytes = 64 << 10, data = uint64_t{1} << 40;
  const uint64_t data_bytes = a.footprint_mib << 20;
  TraceBuilder b(a.out, TraceWindow{0, a.records}, 1);
  Rng rng(a.seed);
  uint64_t pc = 0;
  while (true) {
    TraceRecord r{text + pc, 4, 0, TraceKind::kFetch};
    pc = (pc + 4) % text_bytes;
    if (!b.add(r)) break;
    if (pc % 12) continue;
    r.kind = rng.below(4) == 0 ? TraceKind::kStore : TraceKind::kLoad;
    r.addr = data + rng.below(data_bytes / 8) * 8;
    r.size = 8;
    if (!b.add(r)) break;
  }
  TraceHeader h;
  h.source = "generate";
  h.command = "mmusim trace generate --records " + std::to_string(a.records) + " --footprint-mib " +
              std::to_string(a.footprint_mib) + " --seed " + std::to_string(a.seed);
  TraceVma code{text, text + text_bytes, true, false, true, 1, "[text]"};
  TraceVma heap{data, data + data_bytes, true, true, false, 1, "[data]"};
  h = b.finish(h, {code, heap});
  const uint64_t kinds[4] = {b.kind_count(TraceKind::kFetch), b.kind_count(TraceKind::kLoad),
                             b.kind_count(TraceKind::kStore), b.kind_count(TraceKind::kModify)};
  print_summary(out, a.out, h, kinds, false);
  return 0;
}

int cmd_capture(const Args& a, std::ostream& out) {
  need_out(a);
  if (a.command.empty()) throw std::invalid_argument("capture needs -- CMD ARGS...");
  if (!a.positional.empty()) throw std::invalid_argument("unexpected argument " + a.positional[0]);
  CaptureOptions o;
  o.tool = a.tool;
  o.window = a.window;
  o.out = a.out;
  o.stdin_path = a.in_path;
  o.stdout_path = a.out_path;
  o.command = a.command;
  const CaptureResult c = capture_trace(o);
  print_summary(out, a.out, c.header, c.kinds, false);
  char line[256];
  std::snprintf(line, sizeof line,
                "  %s: %" PRIu64 " records seen in %.2f s (%.1f M/s); the program %s\n",
                c.tool.c_str(), c.seen, c.seconds, static_cast<double>(c.seen) / c.seconds / 1e6,
                c.outcome.c_str());
  out << line;
  return 0;
}

}  // namespace

int cmd_trace(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty()) throw std::invalid_argument("trace needs a subcommand");
  const std::string& sub = args[0];
  const Args a = parse_args(args, 1);
  if (sub != "capture" && !a.command.empty())
    throw std::invalid_argument("'--' is for trace capture only");
  if (sub == "import") return cmd_import(a, out);
  if (sub == "stat") return cmd_stat(a, out);
  if (sub == "dump") return cmd_dump(a, out);
  if (sub == "generate") return cmd_generate(a, out);
  if (sub == "capture") return cmd_capture(a, out);
  throw std::invalid_argument("unknown trace subcommand '" + sub + "'");
}

}  // namespace mmusim
