// A workload that replays a trace file (mmusim's own format): its records become the core's
// accesses, its VMAs the (guest) OS's.
#pragma once

#include <string>
#include <vector>

#include "models/stats.h"
#include "models/trace_format.h"
#include "testbench/workload.h"

namespace mmusim {

struct TraceWorkloadParams {
  std::string path;
  uint64_t skip = 0;   // records passed over before anything is simulated
  uint64_t limit = 0;  // accesses to issue (warm-up included); 0 = to the end of the trace
  // same_process: every thread runs in address space 1; process_per_thread: thread t runs in
  // address space t + 1, which holds a copy of every VMA, and a change of thread is a context
  // switch.
  bool process_per_thread = false;
  unsigned va_bits = 48;  // records at or above 2^va_bits (kernel half) are dropped
  // Several cores (threads per_core): this reader replays the records of the threads t with
  // t mod cores == core, in address space 1; limit counts its own accesses.
  unsigned core = 0, cores = 1;
};

class TraceWorkload : public Workload {
 public:
  // Throws TraceError on a bad trace (header problems here, record problems from next()).
  explicit TraceWorkload(const TraceWorkloadParams& p);
  bool next(Access& a) override;
  const std::vector<Vma>& vmas() const override { return m_vmas; }
  uint64_t count() const override;
  void report(StatsVisitor& v) const;

 private:
  TraceWorkloadParams m_p;
  TraceReader m_reader;
  std::vector<Vma> m_vmas;
  const TraceRecord* m_recs = nullptr;
  size_t m_n = 0, m_i = 0;
  Addr m_va_limit;
  uint16_t m_asid = 1;
  uint64_t m_skipped = 0, m_issued = 0, m_dropped = 0, m_switches = 0, m_others = 0;
  uint64_t m_kinds[4] = {};
};

}  // namespace mmusim
