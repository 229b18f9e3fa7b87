#include "testbench/stop_signal.h"

#include <unistd.h>

#include <cstdlib>

namespace mmusim {

volatile std::sig_atomic_t g_stop_signal = 0;

namespace {

extern "C" void record_stop_signal(int sig) { g_stop_signal = sig; }

}  // namespace

void catch_stop_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    sigaction(sig, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;
    struct sigaction sa {};
    sa.sa_handler = record_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, nullptr);
  }
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "signal " + std::to_string(sig);
  }
}

void end_by_signal(int sig) {
  std::signal(sig, SIG_DFL);
  std::raise(sig);
  _exit(128 + sig);  // not reached: the default action of a stop signal ends the process
}

Interrupted::Interrupted(int sig)
    : std::runtime_error("interrupted (" + signal_name(sig) + "): no results written"),
      m_signal(sig) {}

}  // namespace mmusim
