// Stop signals (SIGINT, SIGTERM, SIGHUP) during `mmusim run`: the handler only records which
// signal came; the core polls the record every few thousand accesses and ends the run early;
// run_simulation then throws Interrupted instead of writing results, and mmusim reports it and
// ends by the same signal (a shell sees 130 for SIGINT, 143 for SIGTERM).
#pragma once

#include <csignal>
#include <stdexcept>
#include <string>

namespace mmusim {

extern volatile std::sig_atomic_t g_stop_signal;

// Installs the recording handler for the stop signals; a signal ignored on entry (nohup, a
// background job of a non-interactive shell) stays ignored.
void catch_stop_signals();
// The stop signal received, or 0.
inline int stop_signal() { return g_stop_signal; }
// "SIGINT", "SIGTERM", "SIGHUP" or "signal N".
std::string signal_name(int sig);
// Restores the signal's default action and raises it: the process ends as killed by sig.
[[noreturn]] void end_by_signal(int sig);

// A run ended early by a stop signal; no results were written.
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(int sig);
  int signal() const { return m_signal; }

 private:
  int m_signal;
};

}  // namespace mmusim
