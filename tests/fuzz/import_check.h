// What the importer harnesses share: run an importer into a trace in the scratch directory, as
// `mmusim trace import` does, then read that trace back. A TraceError from the importer is the
// documented answer to bad input; anything else is a finding, and so is an imported trace that
// does not read back with the records the importer counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include "models/trace_builder.h"
#include "models/trace_format.h"
#include "tests/fuzz/fuzz_support.h"

namespace mmusim::fuzz {

inline void check_read_back(const std::string& path, const TraceBuilder& b) {
  TraceReader r(path);
  const TraceRecord* recs;
  uint64_t kinds[4] = {};
  for (size_t n; (n = r.next_block(recs)) > 0;)
    for (size_t i = 0; i < n; ++i) ++kinds[static_cast<unsigned>(recs[i].kind) & 3];
  for (unsigned k = 0; k < 4; ++k)
    if (kinds[k] != b.kind_count(static_cast<TraceKind>(k)))
      finding("the imported trace reads back " + std::to_string(kinds[k]) + " records of kind " +
              std::to_string(k) + ", the importer wrote " +
              std::to_string(b.kind_count(static_cast<TraceKind>(k))));
  if (r.position() != b.written() || r.header().records != b.written())
    finding("the imported trace reads back " + std::to_string(r.position()) + " records");
}

// import(builder) reads the input into the builder; returns false when it rejected the input.
inline bool import_and_check(const std::string& from,
                             const std::function<void(TraceBuilder&)>& import) {
  const std::string out = (scratch_dir() / "imported.mtr").string();
  try {
    TraceBuilder b(out, TraceWindow{});
    try {
      import(b);
    } catch (const TraceError&) {
      return false;
    }
    TraceHeader h;
    h.source = "import-" + from;
    h = b.finish(h, {});
    check_read_back(out, b);
  } catch (const std::exception& e) {
    unexpected(e);
  }
  return true;
}

}  // namespace mmusim::fuzz
