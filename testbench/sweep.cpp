#include "testbench/sweep.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "testbench/progress.h"
#include "testbench/sim_config.h"
#include "testbench/simulation.h"
#include "testbench/sweep_output.h"
#include "testbench/sweep_spec.h"

namespace mmusim {

namespace {

namespace fs = std::filesystem;
using WallClock = std::chrono::steady_clock;

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string describe_point(const SweepSpec& spec, const SweepPoint& p) {
  std::string out = "point " + std::to_string(p.index) + " (";
  for (size_t a = 0; a < spec.axes.size(); ++a)
    out += (a ? ", " : "") + spec.axes[a].key + "=" + p.values[a];
  return out + ")";
}

// The sweep and what each point resolves to, as `mmusim run` will resolve it.
struct Plan {
  SweepSpec spec;
  fs::path out;
  std::string exe;                 // the simulator each point runs
  std::vector<uint64_t> config;    // hash of each point's resolved config.yaml
  std::vector<uint64_t> accesses;  // each point's workload.count

  // Reads point k's config: a bad value fails here, naming the point and where it was written.
  void validate(size_t k, const std::string& base_text) {
    const SweepPoint p = spec.point(k);
    try {
      ConfigDoc doc = ConfigDoc::from_string(base_text, spec.base);
      for (const std::string& o : p.overrides) doc.set(o);
      const SimConfig cfg = read_sim_config(doc);
      config[k] = fnv1a(doc.effective_yaml());
      accesses[k] = cfg.workload.count;
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      std::string where = spec.file;
      for (size_t i = 0; i < p.overrides.size(); ++i)
        if (msg.rfind("--set " + p.overrides[i] + ":", 0) == 0) where = p.where[i];
      throw ConfigError(where + ": " + describe_point(spec, p) + ": " + msg);
    }
  }
};

// Reads the sweep file and validates the given points (all when `only` is null).
Plan make_plan(const SweepOptions& o, const size_t* only) {
  Plan plan;
  plan.spec = load_sweep(o.file);
  plan.out = o.out_dir.empty() ? fs::path("out") / fs::path(o.file).stem() : fs::path(o.out_dir);
  plan.out = fs::absolute(plan.out).lexically_normal();
  plan.exe = fs::read_symlink("/proc/self/exe").string();
  const size_t n = plan.spec.size();
  plan.config.assign(n, 0);
  plan.accesses.assign(n, 0);
  const std::string base_text = read_file(plan.spec.base);
  if (base_text.empty() && !fs::exists(plan.spec.base))
    throw ConfigError(plan.spec.base + ": cannot open file");
  if (only) {
    if (*only >= n)
      throw std::invalid_argument("--point " + std::to_string(*only) +
                                  ": the sweep has points 0 to " + std::to_string(n - 1));
    plan.validate(*only, base_text);
  } else {
    for (size_t k = 0; k < n; ++k) plan.validate(k, base_text);
  }
  return plan;
}

// Why finished point k cannot be kept for this sweep, or "" when it can.
std::string stale_reason(const Plan& plan, size_t k) {
  const fs::path dir = point_dir(plan.out, k);
  if (read_file(dir / "point.yaml") != point_identity(plan.spec, plan.spec.point(k)))
    return "it was run with other overrides (" + (dir / "point.yaml").string() + ")";
  if (fnv1a(read_file(dir / "config.yaml")) != plan.config[k])
    return "its config.yaml is not what the point resolves to now (the base config or the "
           "simulator's defaults changed)";
  return "";
}

// Refuses to mix points of another sweep into this one's results.
void check_not_stale(const Plan& plan, const std::vector<size_t>& points) {
  size_t stale = 0, first = 0;
  std::string why;
  for (size_t k : points) {
    if (point_state(point_dir(plan.out, k)) != PointState::kDone) continue;
    const std::string reason = stale_reason(plan, k);
    if (reason.empty()) continue;
    if (stale++ == 0) {
      first = k;
      why = reason;
    }
  }
  if (stale == 0) return;
  throw ConfigError(plan.out.string() + ": " + std::to_string(stale) +
                    " finished point(s) do not belong to this sweep, the first is point " +
                    std::to_string(first) + ": " + why +
                    "; the sweep file changed since they ran: remove the directory or choose "
                    "another --out");
}

// An advisory lock on the output directory: exclusive for a local sweep, shared for Slurm tasks
// and collection, so two sweeps never write the same points.
class DirLock {
 public:
  DirLock(const fs::path& out, bool exclusive) {
    fs::create_directories(out);
    const std::string path = (out / ".lock").string();
    m_fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (flock(m_fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
      close(m_fd);
      throw std::runtime_error(out.string() + ": another mmusim sweep is using this directory");
    }
  }
  ~DirLock() { close(m_fd); }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int m_fd = -1;
};

unsigned available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

enum class Outcome { kOk, kFailed, kInterrupted };

// Runs points as child processes of the simulator, a bounded number at a time, and records how
// each ended. Stop signals (SIGINT, SIGTERM, SIGHUP) end the running points and leave them
// unfinished, to be run again next time; the children die with this process even on SIGKILL.
class PointRunner {
 public:
  PointRunner(const Plan& plan, unsigned jobs) : m_plan(plan), m_jobs(std::max(1u, jobs)) {
    sigemptyset(&m_signals);
    for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&m_signals, s);
    sigprocmask(SIG_BLOCK, &m_signals, &m_child_mask);
    m_log.open(plan.out / "sweep.log", std::ios::app);
  }
  ~PointRunner() {
    // Stop signals that came after the last wait were answered already: drop them.
    timespec now{0, 0};
    siginfo_t info;
    while (sigtimedwait(&m_signals, &info, &now) > 0) {
    }
    sigprocmask(SIG_SETMASK, &m_child_mask, nullptr);
  }
  PointRunner(const PointRunner&) = delete;
  PointRunner& operator=(const PointRunner&) = delete;

  // Runs the points in order; returns the stop signal that interrupted them, or 0.
  int run(const std::vector<size_t>& todo, size_t finished_before) {
    m_log << "sweep " << m_plan.spec.file << ": " << m_plan.spec.size() << " points, running "
          << todo.size() << " with -j " << m_jobs << std::endl;
    uint64_t planned = 0;
    for (size_t k : todo) planned += m_plan.accesses[k];
    const auto start = WallClock::now();
    size_t next = 0;
    while (true) {
      while (!m_stop && next < todo.size() && m_running.size() < m_jobs) launch(todo[next++]);
      if (m_running.empty()) break;
      wait_for_event();
      reap();
      if (m_line.due()) {
        const double elapsed = std::chrono::duration<double>(WallClock::now() - start).count();
        const double rate = elapsed > 0 ? m_accesses_done / elapsed : 0;
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "sweep: %zu/%zu points (%zu running, %zu failed), %.2f M accesses/s, %s left",
                      finished_before + m_ok, m_plan.spec.size(), m_running.size(), m_failed,
                      rate / 1e6,
                      rate > 0 ? format_duration((planned - m_accesses_done) / rate).c_str() : "?");
        m_line.show(buf);
      }
    }
    m_line.clear();
    return m_stop;
  }

  size_t ok() const { return m_ok; }
  size_t failed() const { return m_failed; }

 private:
  struct Running {
    size_t point;
    WallClock::time_point start;
  };

  void launch(size_t k) {
    const SweepPoint p = m_plan.spec.point(k);
    const fs::path dir = point_dir(m_plan.out, k);
    fs::remove_all(dir);
    fs::create_directories(dir);
    write_file_atomically(dir / "point.yaml", point_identity(m_plan.spec, p));
    std::vector<std::string> args = {m_plan.exe, "run", m_plan.spec.base};
    for (const std::string& o : p.overrides) {
      args.push_back("--set");
      args.push_back(o);
    }
    args.push_back("--out");
    args.push_back(dir.string());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int out_fd =
        open((dir / "stdout.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err_fd =
        open((dir / "stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0 || err_fd < 0)
      throw std::runtime_error("cannot create files in " + dir.string() + ": " +
                               std::strerror(errno));
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid == 0) {
      // The child: async-signal-safe calls only until exec.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(128 + SIGKILL);
      dup2(out_fd, STDOUT_FILENO);
      dup2(err_fd, STDERR_FILENO);
      sigprocmask(SIG_SETMASK, &m_child_mask, nullptr);
      execv(argv[0], argv.data());
      static const char msg[] = "mmusim sweep: cannot execute the simulator\n";
      (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
      _exit(127);
    }
    close(out_fd);
    close(err_fd);
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    m_running[pid] = {k, WallClock::now()};
    m_log << "point " << k << ": started" << std::endl;
  }

  // Sleeps until a child ends, a stop signal arrives, or a progress redraw is due.
  void wait_for_event() {
    timespec tick{0, 250 * 1000 * 1000}, now{0, 0};
    siginfo_t info;
    for (int sig = sigtimedwait(&m_signals, &info, &tick); sig > 0;
         sig = sigtimedwait(&m_signals, &info, &now)) {
      if (sig == SIGCHLD || m_stop) continue;
      m_stop = sig;
      m_line.clear();
      std::cerr << "mmusim sweep: " << strsignal(sig) << ": stopping " << m_running.size()
                << " running point(s); run the sweep again to finish it" << std::endl;
      for (const auto& r : m_running) kill(r.first, SIGTERM);
    }
  }

  void reap() {
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = m_running.find(pid);
      if (it == m_running.end()) continue;
      const Running r = it->second;
      m_running.erase(it);
      const double seconds = std::chrono::duration<double>(WallClock::now() - r.start).count();
      switch (finish(r.point, status)) {
        case Outcome::kOk:
          ++m_ok;
          m_accesses_done += m_plan.accesses[r.point];
          m_log << "point " << r.point << ": ok (" << seconds << " s)" << std::endl;
          break;
        case Outcome::kFailed: {
          ++m_failed;
          m_accesses_done += m_plan.accesses[r.point];
          const fs::path dir = point_dir(m_plan.out, r.point);
          m_log << "point " << r.point << ": failed, " << read_failure(dir) << std::endl;
          m_line.clear();
          std::cerr << "mmusim sweep: " << describe_point(m_plan.spec, m_plan.spec.point(r.point))
                    << " failed (" << read_failure(dir) << "): " << read_error(dir) << std::endl;
          break;
        }
        case Outcome::kInterrupted:
          m_log << "point " << r.point << ": interrupted" << std::endl;
          break;
      }
    }
  }

  // Marks point k finished (done) or failed from how its process ended.
  Outcome finish(size_t k, int status) {
    const fs::path dir = point_dir(m_plan.out, k);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(dir / "stats.json")) {
      write_file_atomically(dir / "done", "exit 0\n");
      return Outcome::kOk;
    }
    if (WIFSIGNALED(status)) {
      const int sig = WTERMSIG(status);
      if (m_stop || sig == SIGINT || sig == SIGTERM || sig == SIGHUP) return Outcome::kInterrupted;
      write_file_atomically(dir / "failed", "signal " + std::to_string(sig) + "\n");
    } else {
      const int code = WEXITSTATUS(status);
      write_file_atomically(dir / "failed", "exit " + std::to_string(code) +
                                                (code == 0 ? " without stats.json\n" : "\n"));
    }
    return Outcome::kFailed;
  }

  const Plan& m_plan;
  unsigned m_jobs;
  sigset_t m_signals, m_child_mask;
  std::map<pid_t, Running> m_running;
  std::ofstream m_log;
  ProgressLine m_line;
  int m_stop = 0;
  size_t m_ok = 0, m_failed = 0;
  uint64_t m_accesses_done = 0;
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void write_point_list(const Plan& plan) {
  std::string text;
  for (size_t k = 0; k < plan.spec.size(); ++k) {
    const SweepPoint p = plan.spec.point(k);
    text += point_dir(plan.out, k).filename().string();
    for (const std::string& o : p.overrides) text += "\t" + o;
    text += "\n";
  }
  write_file_atomically(plan.out / "points.txt", text);
}

int emit_slurm(const Plan& plan, const SweepOptions& o, std::ostream& out) {
  const size_t n = plan.spec.size();
  const fs::path script = plan.out / "sweep.sbatch";
  const std::string sweep = fs::absolute(o.file).lexically_normal().string();
  const std::string array =
      "0-" + std::to_string(n - 1) + (o.jobs ? "%" + std::to_string(o.jobs) : "");
  fs::create_directories(plan.out / "slurm");  // Slurm does not create the log directory
  write_point_list(plan);
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# mmusim sweep " << sweep << " as a Slurm job array: task k runs point k into\n"
    << "# " << (plan.out / "points").string() << "/NNNN (k in 4 digits), as a local sweep does.\n"
    << "# Submit: sbatch " << script.string() << "\n"
    << "# Then:   " << plan.exe << " sweep " << sweep << " --collect --out " << plan.out.string()
    << "\n"
    << "# The binary, the sweep file, its base config and the output directory must be visible\n"
    << "# to the nodes at the same paths.\n"
    << "#SBATCH --job-name=mmusim-" << fs::path(o.file).stem().string() << "\n"
    << "#SBATCH --array=" << array << "\n"
    << "#SBATCH --ntasks=1\n"
    << "#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=" << (plan.out / "slurm").string() << "/%A_%a.out\n"
    << "set -eu\n"
    << ": \"${SLURM_ARRAY_TASK_ID:?not a Slurm array task: submit with sbatch}\"\n"
    << "exec " << shell_quote(plan.exe) << " sweep " << shell_quote(sweep)
    << " --point \"$SLURM_ARRAY_TASK_ID\" --out " << shell_quote(plan.out.string()) << "\n";
  write_file_atomically(script, s.str());
  fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
  out << "mmusim sweep: " << script.string() << ": " << n << " array tasks\n"
      << "  submit:  sbatch " << script.string() << "\n"
      << "  collect: mmusim sweep " << o.file << " --collect --out " << plan.out.string() << "\n";
  return 0;
}

void report(const Plan& plan, const ResultCounts& c, std::ostream& out) {
  out << "mmusim sweep: " << plan.spec.size() << " points: " << c.ok << " ok, " << c.failed
      << " failed";
  if (c.missing) out << ", " << c.missing << " not run";
  out << "; results: " << (plan.out / "results.csv").string() << "\n";
  size_t listed = 0;
  for (size_t k = 0; k < plan.spec.size() && listed < 10; ++k) {
    const fs::path dir = point_dir(plan.out, k);
    if (point_state(dir) != PointState::kFailed) continue;
    ++listed;
    out << "  " << describe_point(plan.spec, plan.spec.point(k)) << ": " << read_failure(dir)
        << ": " << read_error(dir) << "\n";
  }
}

std::vector<size_t> all_points(const Plan& plan) {
  std::vector<size_t> v(plan.spec.size());
  for (size_t k = 0; k < v.size(); ++k) v[k] = k;
  return v;
}

}  // namespace

int run_sweep(const SweepOptions& o, std::ostream& out) {
  using Mode = SweepOptions::Mode;
  const Plan plan = make_plan(o, o.mode == Mode::kPoint ? &o.point : nullptr);
  if (o.mode == Mode::kEmitSlurm) {
    check_not_stale(plan, all_points(plan));
    return emit_slurm(plan, o, out);
  }

  if (o.mode == Mode::kPoint) {
    DirLock lock(plan.out, false);
    check_not_stale(plan, {o.point});
    const fs::path dir = point_dir(plan.out, o.point);
    if (point_state(dir) == PointState::kDone) {
      out << "mmusim sweep: point " << o.point << " already done: " << dir.string() << "\n";
      return 0;
    }
    PointRunner runner(plan, 1);
    if (const int sig = runner.run({o.point}, 0)) return 128 + sig;
    out << "mmusim sweep: " << describe_point(plan.spec, plan.spec.point(o.point)) << ": "
        << (runner.ok() ? "ok" : "failed") << ": " << dir.string() << "\n";
    return runner.ok() ? 0 : 1;
  }

  const std::vector<size_t> points = all_points(plan);
  if (o.mode == Mode::kCollect) {
    DirLock lock(plan.out, false);
    check_not_stale(plan, points);
    const ResultCounts c = write_results(plan.out, plan.spec);
    report(plan, c, out);
    return c.failed || c.missing ? 1 : 0;
  }

  DirLock lock(plan.out, true);
  check_not_stale(plan, points);
  std::vector<size_t> todo;
  for (size_t k : points)
    if (point_state(point_dir(plan.out, k)) != PointState::kDone) todo.push_back(k);
  const unsigned jobs = o.jobs ? o.jobs : available_cores();
  write_point_list(plan);
  out << "mmusim sweep: " << o.file << ": " << points.size() << " points, "
      << points.size() - todo.size() << " already done, running " << todo.size() << " with -j "
      << jobs << " into " << plan.out.string() << std::endl;
  int stopped = 0;
  {
    PointRunner runner(plan, jobs);
    stopped = runner.run(todo, points.size() - todo.size());
  }
  const ResultCounts c = write_results(plan.out, plan.spec);
  report(plan, c, out);
  if (stopped) return 128 + stopped;
  return c.failed || c.missing ? 1 : 0;
}

int sweep_command(const std::vector<std::string>& args, std::ostream& out) {
  using Mode = SweepOptions::Mode;
  SweepOptions options;
  bool mode_given = false;
  auto set_mode = [&](Mode m) {
    if (mode_given) throw std::invalid_argument("--collect, --emit and --point exclude each other");
    mode_given = true;
    options.mode = m;
  };
  auto number = [](const std::string& flag, const std::string& text) {
    size_t end = 0;
    unsigned long long v = 0;
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
      try {
        v = std::stoull(text, &end);
      } catch (const std::exception&) {
        end = 0;
      }
    }
    if (end == 0 || end != text.size())
      throw std::invalid_argument(flag + " needs a number, got '" + text + "'");
    return v;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw std::invalid_argument(a + " needs a value");
      return args[++i];
    };
    if (a == "-j" || a == "--jobs" || (a.size() > 2 && a.rfind("-j", 0) == 0)) {
      const bool glued = a.size() > 2 && a[1] == 'j';
      options.jobs = static_cast<unsigned>(number("-j", glued ? a.substr(2) : value()));
      if (options.jobs == 0) throw std::invalid_argument("-j needs a number above 0");
    } else if (a == "--out") {
      options.out_dir = value();
    } else if (a == "--collect") {
      set_mode(Mode::kCollect);
    } else if (a == "--emit") {
      if (value() != "slurm") throw std::invalid_argument("--emit knows slurm only");
      set_mode(Mode::kEmitSlurm);
    } else if (a == "--point") {
      set_mode(Mode::kPoint);
      options.point = number(a, value());
    } else if (!a.empty() && a[0] == '-') {
      throw std::invalid_argument("unknown option " + a);
    } else if (options.file.empty()) {
      options.file = a;
    } else {
      throw std::invalid_argument("more than one sweep file given");
    }
  }
  if (options.file.empty()) throw std::invalid_argument("no sweep file given");
  return run_sweep(options, out);
}

}  // namespace mmusim
