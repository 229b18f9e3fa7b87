// Fuzz harness: the ChampSim importer. The input is a file of 64-byte input_instr records,
// plain, gzip or xz, opened by path as `mmusim trace import --from champsim` opens it.
#include <cstddef>
#include <cstdint>

#include "models/trace_import.h"
#include "tests/fuzz/import_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fds = mmusim::fuzz::open_fds();
  {
    const mmusim::fuzz::MemFile file(data, size);
    mmusim::fuzz::import_and_check("champsim", [&](mmusim::TraceBuilder& b) {
      mmusim::import_champsim(file.path(), b);
    });
  }
  mmusim::fuzz::check_no_fd_leak(fds);
  return 0;
}
