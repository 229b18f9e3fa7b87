// Readers of other trace formats, feeding a TraceBuilder: valgrind lackey's text (--trace-mem=yes;
// plain or gzip, from a file or a pipe while the traced program runs) and ChampSim's binary
// input_instr records (plain, gzip or xz). Neither format carries VMAs: the builder derives them.
#pragma once

#include <functional>
#include <string>

#include "models/trace_builder.h"

namespace mmusim {

// One line of lackey output (no newline). True with a record for "I  ADDR,SIZE", " L ...",
// " S ...", " M ..."; false for valgrind's own lines ("==PID== ...", "--PID-- ...") and blank
// ones. Throws std::invalid_argument describing what is wrong with any other line.
bool parse_lackey_line(const char* line, size_t len, TraceRecord& r);

// Called every 65,536 records read: progress, and a chance to look at the traced process.
using ImportTick = std::function<void(uint64_t records)>;

// Reads lackey text from a file (name for messages) or an open descriptor (taken over) until its
// end or the builder's window is complete. Errors name the input and line. Returns lines read.
uint64_t import_lackey(const std::string& path, TraceBuilder& builder, const ImportTick& tick = {});
uint64_t import_lackey_fd(int fd, const std::string& name, TraceBuilder& builder,
                          const ImportTick& tick = {});

// ChampSim input_instr records: one fetch of ip, then its source_memory addresses (loads), then
// its destination_memory addresses (stores); an address in both is one modify, in the loads'
// place. Sizes are not in the format (recorded as 0). Errors name the input and record number.
uint64_t import_champsim(const std::string& path, TraceBuilder& builder,
                         const ImportTick& tick = {});

}  // namespace mmusim
