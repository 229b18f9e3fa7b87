// Fuzz harness: the .mtr trace reader (header, blocks, records). The input is the trace file.
// It is read twice, as `mmusim trace stat` reads it (every block decoded) and as a warm-up
// skips through it (whole blocks passed over, then records one at a time). TraceError is the
// documented answer to bad input; anything else is a finding, and so is a trace the first
// reading accepts but the second does not, or one that ends short of the records its header
// announces.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include "models/trace_format.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using mmusim::TraceError;
using mmusim::TraceReader;
using mmusim::TraceRecord;

// Every block decoded; returns the records read.
uint64_t read_all(const std::string& path) {
  TraceReader r(path);
  const TraceRecord* recs;
  uint64_t n = 0, kinds[4] = {};
  for (size_t got; (got = r.next_block(recs)) > 0; n += got)
    for (size_t i = 0; i < got; ++i) ++kinds[static_cast<unsigned>(recs[i].kind) & 3];
  if (n != r.position() || n != r.header().records)
    mmusim::fuzz::finding("read " + std::to_string(n) + " records, position " +
                          std::to_string(r.position()) + ", header " +
                          std::to_string(r.header().records));
  return n;
}

// Skips a record, then a whole block's worth, then reads the rest one record at a time.
uint64_t skip_then_read(const std::string& path) {
  TraceReader r(path);
  uint64_t n = r.skip(1);
  n += r.skip(mmusim::kTraceBlockRecords);
  TraceRecord rec;
  while (r.next(rec)) ++n;
  if (n != r.position())
    mmusim::fuzz::finding("skipped and read " + std::to_string(n) + " records, position " +
                          std::to_string(r.position()));
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fds = mmusim::fuzz::open_fds();
  {
    const mmusim::fuzz::MemFile file(data, size);
    uint64_t records = 0;
    bool valid = false;
    try {
      records = read_all(file.path());
      valid = true;
    } catch (const TraceError&) {
    } catch (const std::exception& e) {
      mmusim::fuzz::unexpected(e);
    }
    try {
      const uint64_t skipped = skip_then_read(file.path());
      if (valid && skipped != records)
        mmusim::fuzz::finding("read " + std::to_string(records) + " records, but " +
                              std::to_string(skipped) + " when skipping");
    } catch (const TraceError& e) {
      if (valid) mmusim::fuzz::finding(std::string("a valid trace fails when skipped: ") + e.what());
    } catch (const std::exception& e) {
      mmusim::fuzz::unexpected(e);
    }
  }
  mmusim::fuzz::check_no_fd_leak(fds);
  return 0;
}
