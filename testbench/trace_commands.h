// `mmusim trace ...`: capture a real program's memory accesses, import lackey or ChampSim traces,
// describe a trace, dump its records, generate a synthetic one.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mmusim {

extern const char* const kTraceUsage;

// args after "trace". Throws std::invalid_argument on a usage error, std::runtime_error (a
// TraceError among them) on bad input. Returns the exit code.
int cmd_trace(const std::vector<std::string>& args, std::ostream& out);

}  // namespace mmusim
