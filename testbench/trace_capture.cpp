#include "testbench/trace_capture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "models/trace_import.h"
#include "testbench/qemu_trace_stream.h"

namespace mmusim {

namespace {

constexpr int kStreamFd = 1000;  // where the program's tool writes the stream
constexpr uint64_t kMapsEvery = uint64_t{1} << 18;

std::string find_in_path(const std::string& name) {
  auto executable = [](const std::string& p) { return ::access(p.c_str(), X_OK) == 0; };
  if (name.find('/') != std::string::npos) return executable(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string p = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && executable(p)) return p;
  }
  return "";
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : p;
}

std::string shell_join(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    if (!a.empty() && a.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~") == std::string::npos) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return in ? s.str() : std::string();
}

// The traced program (under its tool) in a process group of its own, writing to a pipe.
class Traced {
 public:
  Traced(const std::vector<std::string>& argv, const CaptureOptions& o) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    m_pid = ::fork();
    if (m_pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (m_pid == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // not left running if mmusim is killed
      auto redirect = [](const std::string& path, int flags, int to) {
        if (path.empty()) return;
        const int fd = ::open(path.c_str(), flags, 0644);
        if (fd < 0 || ::dup2(fd, to) < 0) {
          std::fprintf(stderr, "mmusim: %s: %s\n", path.c_str(), std::strerror(errno));
          ::_exit(127);
        }
      };
      redirect(o.stdin_path, O_RDONLY, 0);
      redirect(o.stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 1);
      if (::dup2(fds[1], kStreamFd) < 0) {  // dup2 clears close-on-exec
        std::fprintf(stderr, "mmusim: descriptor %d for the stream: %s\n", kStreamFd,
                     std::strerror(errno));
        ::_exit(127);
      }
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      std::fprintf(stderr, "mmusim: cannot run %s: %s\n", args[0], std::strerror(errno));
      ::_exit(127);
    }
    ::setpgid(m_pid, m_pid);  // either side may get there first
    ::close(fds[1]);
    m_fd = fds[0];
    ::fcntl(m_fd, F_SETPIPE_SZ, 1 << 20);  // fewer wake-ups of either side (best effort)
  }
  ~Traced() {
    if (m_fd >= 0) ::close(m_fd);
    if (m_pid > 0) stop();
  }
  int fd() const { return m_fd; }
  int release_fd() {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }
  pid_t pid() const { return m_pid; }
  std::string maps() const { return read_text("/proc/" + std::to_string(m_pid) + "/maps"); }
  // Kills the program's process group at the end of the window.
  std::string stop() {
    ::kill(-m_pid, SIGKILL);
    wait();
    return "was stopped at the end of the window";
  }
  std::string wait() {
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    m_pid = -1;
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "ended";
  }

 private:
  pid_t m_pid = -1;
  int m_fd = -1;
};

// Reads QEMU plugin words into the builder; a load directly followed by a store to the same
// address and size by the same thread (a read-modify-write) becomes one modify record.
class QemuStream {
 public:
  QemuStream(TraceBuilder& b, Traced& t) : m_builder(b), m_traced(t) {}

  // False once the window is complete.
  bool feed(const uint64_t* w, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (m_blob_left) {
        blob_word(w[i]);
        continue;
      }
      const uint64_t type = w[i] >> MMUSIM_QT_TYPE_SHIFT;
      const uint64_t field = (w[i] >> MMUSIM_QT_SIZE_SHIFT) & 0x3f;
      const uint64_t arg = w[i] & MMUSIM_QT_ADDR_MASK;
      if (type == MMUSIM_QT_CONTROL) {
        if (!flush_pending()) return false;
        control(field, arg);
        continue;
      }
      TraceRecord r;
      r.addr = arg | ((arg >> 55) ? ~MMUSIM_QT_ADDR_MASK : 0);  // sign-extend bit 55
      r.thread = m_thread;
      if (type == MMUSIM_QT_FETCH) {
        r.kind = TraceKind::kFetch;
        r.size = static_cast<uint32_t>(field);
      } else {
        if (field > 6) bad("access size 2^" + std::to_string(field));
        r.kind = type == MMUSIM_QT_STORE ? TraceKind::kStore : TraceKind::kLoad;
        r.size = 1u << field;
      }
      if (r.kind == TraceKind::kStore && m_has_pending && m_pending.addr == r.addr &&
          m_pending.size == r.size && m_pending.thread == r.thread) {
        m_has_pending = false;
        r.kind = TraceKind::kModify;
      } else if (!flush_pending()) {
        return false;
      }
      if (r.kind == TraceKind::kLoad) {
        m_pending = r;
        m_has_pending = true;
      } else if (!add(r)) {
        return false;
      }
    }
    return true;
  }
  bool finish() { return flush_pending(); }

  uint64_t start_code() const { return m_start_code; }
  const std::string& last_maps() const { return m_last_maps; }  // the latest periodic snapshot
  const std::string& binary() const { return m_path; }
  const std::string& exit_maps() const { return m_maps; }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    throw std::runtime_error("qemu plugin stream: " + what);
  }
  bool flush_pending() {
    if (!m_has_pending) return true;
    m_has_pending = false;
    return add(m_pending);
  }
  bool add(const TraceRecord& r) {
    if (++m_seen % kMapsEvery == 0) m_last_maps = m_traced.maps();
    return m_builder.add(r);
  }
  void control(uint64_t code, uint64_t arg) {
    switch (code) {
      case MMUSIM_QT_THREAD:
        if (arg > 0xffff) bad("thread id " + std::to_string(arg));
        m_thread = static_cast<uint16_t>(arg);
        return;
      case MMUSIM_QT_START_CODE:
        m_start_code = arg;
        return;
      case MMUSIM_QT_PATH:
      case MMUSIM_QT_MAPS:
        if (arg > (64u << 20)) bad("message of " + std::to_string(arg) + " bytes");
        m_blob_code = code;
        m_blob.clear();
        m_blob_bytes = arg;
        m_blob_left = (arg + 7) / 8;
        if (!m_blob_left) blob_done();
        return;
      default:
        bad("unknown control code " + std::to_string(code));
    }
  }
  void blob_word(uint64_t w) {
    char bytes[8];
    std::memcpy(bytes, &w, 8);
    m_blob.append(bytes, 8);
    if (--m_blob_left == 0) blob_done();
  }
  void blob_done() {
    m_blob.resize(m_blob_bytes);
    (m_blob_code == MMUSIM_QT_PATH ? m_path : m_maps) = m_blob;
  }

  TraceBuilder& m_builder;
  Traced& m_traced;
  uint64_t m_seen = 0;
  uint16_t m_thread = 0;
  TraceRecord m_pending;
  bool m_has_pending = false;
  uint64_t m_start_code = 0;
  std::string m_path, m_maps, m_blob, m_last_maps;
  uint64_t m_blob_code = 0, m_blob_bytes = 0, m_blob_left = 0;
};

// User-mode QEMU maps guest address g at host address g + guest_base; on x86-64 hosts the base is
// 0 unless the guest's layout collides with QEMU's own. Works it out from where the guest binary's
// text is mapped, and brings the maps to guest addresses.
std::vector<TraceVma> guest_maps(const std::string& maps_text, const QemuStream& s,
                                 TraceHeader& header) {
  std::vector<TraceVma> maps = parse_proc_maps(maps_text);
  const uint64_t text = s.start_code() & ~uint64_t{0xfff};
  const std::string binary = real_path(s.binary());
  int64_t base = 0;
  bool found = false;
  for (const TraceVma& v : maps)
    if (v.name == binary && v.start <= text && text < v.end) found = true;
  if (!found)
    for (const TraceVma& v : maps)
      if (v.name == binary && v.exec) {
        base = static_cast<int64_t>(v.start - text);
        found = true;
        break;
      }
  header.meta.emplace_back("qemu_guest_base", found ? std::to_string(base) : "unknown (0 assumed)");
  if (!base) return maps;
  std::vector<TraceVma> out;
  for (TraceVma v : maps) {
    if (v.start < static_cast<uint64_t>(base)) continue;  // QEMU's own, below the guest
    v.start -= base;
    v.end -= base;
    out.push_back(v);
  }
  return out;
}

// The command line to run: the tool (tool: the one asked for, else qemu when it and mmusim's
// plugin are found, else lackey), then the program found in PATH and its arguments.
std::vector<std::string> capture_argv(const CaptureOptions& o, std::string& tool) {
  const std::string qemu = find_in_path("qemu-x86_64");
  const std::string plugin = qemu_plugin_path();
  const bool have_plugin = ::access(plugin.c_str(), R_OK) == 0;
  tool = o.tool;
  if (tool.empty()) tool = !qemu.empty() && have_plugin ? "qemu" : "lackey";
  std::vector<std::string> argv;
  if (tool == "qemu") {
    if (qemu.empty())
      throw std::runtime_error("--tool qemu: qemu-x86_64 not found in PATH (Debian: qemu-user)");
    if (!have_plugin)
      throw std::runtime_error("--tool qemu: plugin " + plugin +
                               " not found (build target mmusim_qemu_trace, or set "
                               "MMUSIM_QEMU_PLUGIN)");
    argv = {qemu, "-plugin", plugin + ",fd=" + std::to_string(kStreamFd)};
  } else if (tool == "lackey") {
    const std::string valgrind = find_in_path("valgrind");
    if (valgrind.empty())
      throw std::runtime_error("--tool lackey: valgrind not found in PATH (Debian: valgrind)");
    argv = {valgrind,
            "-q",
            "--tool=lackey",
            "--trace-mem=yes",
            "--child-silent-after-fork=yes",
            "--log-fd=" + std::to_string(kStreamFd)};
  } else {
    throw std::invalid_argument("--tool: expected qemu or lackey, got '" + o.tool + "'");
  }
  // QEMU needs the program's path; valgrind looks it up itself but gets the same.
  const std::string program = find_in_path(o.command[0]);
  if (program.empty()) throw std::runtime_error(o.command[0] + ": command not found");
  argv.push_back(program);
  argv.insert(argv.end(), o.command.begin() + 1, o.command.end());
  return argv;
}

// lackey: its text output through the importer; returns the program's /proc/PID/maps, read when
// the window is complete, else the last periodic reading.
std::string capture_lackey(Traced& traced, TraceBuilder& builder, TraceHeader& header,
                           CaptureResult& res) {
  std::string maps;
  import_lackey_fd(traced.release_fd(), "valgrind lackey output", builder,
                   [&](uint64_t) { maps = traced.maps(); });
  const bool complete = builder.complete();
  if (complete) maps = traced.maps();
  res.outcome = complete ? traced.stop() : traced.wait();
  header.meta.emplace_back("maps", complete ? "at the end of the window" : "periodic");
  return maps;
}

// Feeds the plugin's words to the stream; true once the window is complete, false when the
// stream ends first.
bool feed_qemu_stream(Traced& traced, QemuStream& stream) {
  std::vector<uint64_t> buf(1 << 17);
  size_t have = 0;  // bytes
  char* bytes = reinterpret_cast<char*>(buf.data());
  bool complete = false;
  while (!complete) {
    const ssize_t n = ::read(traced.fd(), bytes + have, buf.size() * 8 - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::runtime_error(std::string("reading the qemu plugin: ") + std::strerror(errno));
    if (n == 0) break;
    have += static_cast<size_t>(n);
    const size_t words = have / 8;
    complete = !stream.feed(buf.data(), words);
    std::memmove(bytes, bytes + words * 8, have - words * 8);
    have -= words * 8;
  }
  if (!complete) complete = !stream.finish();
  return complete;
}

// qemu: the plugin's words through QemuStream; returns the VMAs at guest addresses, from
// /proc/PID/maps when the window is complete, else from the maps the plugin sent.
std::vector<TraceVma> capture_qemu(Traced& traced, TraceBuilder& builder, TraceHeader& header,
                                   CaptureResult& res) {
  QemuStream stream(builder, traced);
  const bool complete = feed_qemu_stream(traced, stream);
  std::string maps;
  if (complete) {
    maps = traced.maps();
    res.outcome = traced.stop();
  } else {
    res.outcome = traced.wait();
  }
  const bool at_exit = !complete && !stream.exit_maps().empty();
  if (at_exit)
    maps = stream.exit_maps();
  else if (!complete)
    maps = stream.last_maps();
  header.meta.emplace_back("maps", complete  ? "at the end of the window"
                                   : at_exit ? "at the program's exit"
                                             : "periodic");
  return guest_maps(maps, stream, header);
}

}  // namespace

std::string qemu_plugin_path() {
  if (const char* env = std::getenv("MMUSIM_QEMU_PLUGIN")) return env;
  const std::string self = real_path("/proc/self/exe");
  return self.substr(0, self.rfind('/') + 1) + "libmmusim_qemu_trace.so";
}

CaptureResult capture_trace(const CaptureOptions& o) {
  CaptureResult res;
  const std::vector<std::string> argv = capture_argv(o, res.tool);

  const auto t0 = std::chrono::steady_clock::now();
  TraceBuilder builder(o.out, o.window, 1);
  TraceHeader header;
  header.source = res.tool;
  header.command = shell_join(o.command);
  header.meta.emplace_back("keep", std::to_string(o.window.keep));
  std::string maps;
  std::vector<TraceVma> vmas;
  {
    Traced traced(argv, o);
    if (res.tool == "lackey")
      maps = capture_lackey(traced, builder, header, res);
    else
      vmas = capture_qemu(traced, builder, header, res);
  }
  if (res.tool == "lackey") vmas = parse_proc_maps(maps);
  res.seen = builder.seen();
  if (builder.written() == 0)
    throw std::runtime_error("the window is empty: the program made " + std::to_string(res.seen) +
                             " accesses, --skip is " + std::to_string(o.window.skip) + " (" +
                             res.outcome + ")");
  res.header = builder.finish(header, vmas);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (unsigned k = 0; k < 4; ++k) res.kinds[k] = builder.kind_count(static_cast<TraceKind>(k));
  return res;
}

}  // namespace mmusim
