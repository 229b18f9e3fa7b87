// Captures a real program's memory accesses into a trace: runs it under valgrind's lackey or
// under QEMU user-mode emulation with mmusim's plugin, converts the stream while it runs (constant
// memory, apart from the set of touched pages), and records the process's VMAs from
// /proc/PID/maps, read every 2^18 records and once more when the window is complete. The program
// is stopped (its process group killed) as soon as the window is complete.
#pragma once

#include <string>
#include <vector>

#include "models/trace_builder.h"

namespace mmusim {

struct CaptureOptions {
  std::string tool;  // qemu | lackey | empty: qemu when qemu-x86_64 and the plugin are found
  TraceWindow window;
  std::string out;
  std::string stdin_path, stdout_path;  // the program's stdin and stdout (default: inherited)
  std::vector<std::string> command;
};

struct CaptureResult {
  std::string tool;
  TraceHeader header;
  uint64_t kinds[4] = {};
  uint64_t seen = 0;  // records the tool produced, skipped ones included
  double seconds = 0;
  std::string outcome;  // how the program ended
};

// Throws std::runtime_error when the tool cannot be run, the stream is malformed or the window
// is empty.
CaptureResult capture_trace(const CaptureOptions& options);

// Where the plugin is: $MMUSIM_QEMU_PLUGIN, else beside the mmusim executable.
std::string qemu_plugin_path();

}  // namespace mmusim
