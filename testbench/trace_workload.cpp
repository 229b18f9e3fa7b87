#include "testbench/trace_workload.h"

#include <algorithm>

namespace mmusim {

namespace {
constexpr uint32_t kMaxProcesses = 1024;
}

TraceWorkload::TraceWorkload(const TraceWorkloadParams& p)
    : m_p(p), m_reader(p.path), m_va_limit(Addr{1} << p.va_bits) {
  const TraceHeader& h = m_reader.header();
  if (p.process_per_thread && h.threads > kMaxProcesses)
    throw TraceError(p.path + ": " + std::to_string(h.threads) +
                     " threads; process_per_thread models at most " +
                     std::to_string(kMaxProcesses) + " address spaces");
  std::vector<TraceVma> vmas = h.vmas;
  std::sort(vmas.begin(), vmas.end(),
            [](const TraceVma& a, const TraceVma& b) { return a.start < b.start; });
  for (size_t i = 1; i < vmas.size(); ++i)
    if (vmas[i].start < vmas[i - 1].end)
      throw TraceError(p.path + ": header: VMAs overlap at " + std::to_string(vmas[i].start));
  const uint32_t spaces = p.process_per_thread ? h.threads : 1;
  for (uint32_t s = 0; s < spaces; ++s)
    for (const TraceVma& t : vmas) {
      if (t.start >= m_va_limit) continue;  // beyond the simulated virtual address space
      Vma v;
      v.start = t.start;
      v.end = std::min(t.end, m_va_limit);
      v.perms.write = t.write;
      v.perms.exec = t.exec;
      v.asid = static_cast<uint16_t>(s + 1);
      v.name = t.name;
      m_vmas.push_back(v);
    }
  m_skipped = m_reader.skip(p.skip);
}

uint64_t TraceWorkload::count() const {
  // Several cores: each takes its threads' share, about an equal one.
  const uint64_t left = (m_reader.header().records - m_skipped) / m_p.cores;
  return m_p.limit ? std::min(m_p.limit, left) : left;
}

bool TraceWorkload::next(Access& a) {
  while (true) {
    if (m_issued == m_p.limit && m_p.limit) return false;
    if (m_i == m_n) {
      m_n = m_reader.next_block(m_recs);
      m_i = 0;
      if (m_n == 0) return false;
    }
    const TraceRecord& r = m_recs[m_i];
    if (r.addr >= m_va_limit) {
      ++m_dropped;
      ++m_i;
      continue;
    }
    if (m_p.cores > 1 && r.thread % m_p.cores != m_p.core) {  // another core's thread
      ++m_others;
      ++m_i;
      continue;
    }
    if (m_p.process_per_thread && r.thread + 1u != m_asid) {
      // The record stays for the next call, after the switch.
      m_asid = static_cast<uint16_t>(r.thread + 1u);
      ++m_switches;
      a = Access{0, AccessKind::kLoad, m_asid, Access::Event::kSwitch, 0};
      return true;
    }
    ++m_i;
    ++m_issued;
    ++m_kinds[static_cast<unsigned>(r.kind)];
    a.va = r.addr;
    a.kind = r.kind == TraceKind::kFetch  ? AccessKind::kFetch
             : r.kind == TraceKind::kLoad ? AccessKind::kLoad
                                          : AccessKind::kStore;  // a modify translates once
    a.asid = m_asid;
    a.event = Access::Event::kAccess;
    a.pages = 0;
    return true;
  }
}

void TraceWorkload::report(StatsVisitor& v) const {
  v.counter("records_skipped", m_skipped, "count", "records passed over (workload.skip)");
  v.counter("records_issued", m_issued, "count", "records issued as accesses (warm-up included)");
  v.counter("fetches", m_kinds[0], "count", "of which instruction fetches");
  v.counter("loads", m_kinds[1], "count", "of which loads");
  v.counter("stores", m_kinds[2], "count", "of which stores");
  v.counter("modifies", m_kinds[3], "count", "of which read-modify-writes (one store translation)");
  v.counter("records_dropped", m_dropped, "count",
            "records beyond the virtual address space (kernel half), not simulated");
  v.counter("thread_switches", m_switches, "count",
            "process_per_thread: changes of thread, issued as context switches");
  if (m_p.cores > 1)
    v.counter("records_of_other_cores", m_others, "count",
              "threads per_core: records of the threads other cores run");
}

}  // namespace mmusim
