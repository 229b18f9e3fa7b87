// The core's look-ahead: reads the workload some accesses ahead of the one issued and runs the
// translation scheme's host-cache hint stages on them, stage s for the access kDistance x
// (kStages - s) ahead, so each stage's loads have time to land; the memory hierarchy loads the
// tag sets they name. Hints change no result; the oracle check of an access reuses the lookups
// its stages made (OracleHints), valid while their maps are unchanged.
#pragma once

#include "models/cache.h"
#include "models/scheme.h"
#include "models/tlb.h"
#include "testbench/workload.h"

namespace mmusim {

class Lookahead {
 public:
  static constexpr unsigned kDistance = 3;
  static constexpr unsigned kStages = OracleHints::kStages;
  static constexpr unsigned kAhead = kDistance * kStages;
  static constexpr unsigned kRing = 16;  // a power of two above kAhead
  static_assert(kRing > kAhead && (kRing & (kRing - 1)) == 0, "read-ahead ring");

  // hier: the hierarchy whose tag sets hints load (null: none).
  Lookahead(Workload& workload, const Scheme& scheme, const MemHierarchy* hier)
      : m_workload(workload), m_scheme(scheme), m_hier(hier) {
    while (m_count <= kAhead && m_more) read_one();
  }
  // The address space of the first access (0: none).
  uint16_t first_asid() const { return m_count ? m_ring[m_head].asid : 0; }

  // The next access in program order and the hints made for it, which hold until the next call;
  // false when the workload is done.
  bool next(Access& a, const OracleHints*& hinted) {
    if (m_count == 0) return false;
    a = m_ring[m_head];
    hinted = &m_hints[m_head];
    m_head = (m_head + 1) % kRing;
    --m_count;
    read_one();
    Scheme::HintJob jobs[kStages];
    unsigned n = 0;
    for (unsigned s = 0; s < kStages; ++s) {
      const unsigned d = kDistance * (kStages - s);  // 1 = the next access
      const unsigned i = (m_head + d - 1) % kRing;
      const Access& ahead = m_ring[i];
      if (d <= m_count && ahead.event == Access::Event::kAccess)
        jobs[n++] = Scheme::HintJob{m_scheme.context(ahead.asid), ahead.va, s, &m_hints[i]};
    }
    m_scheme.hint(jobs, n);
    if (m_hier)
      for (unsigned j = 0; j < n; ++j)
        for (unsigned l = 0; l < jobs[j].state->nlines; ++l) m_hier->prefetch(jobs[j].state->lines[l]);
    if (m_tlbs[0]) [[unlikely]]
      hint_tlbs(jobs, n);
    return true;
  }
  // Several cores: each core's TLB sets also miss in the host's caches, as the other cores' work
  // comes between two of its accesses; the hints then load the sets of these TLBs too.
  void use_tlbs(const Tlb* dtlb, const Tlb* stlb) {
    m_tlbs[0] = dtlb;
    m_tlbs[1] = stlb;
  }

 private:
  // The TLBs' sets for the access kDistance ahead (the last stage's job); kept out of next(),
  // which one core inlines.
  __attribute__((noinline)) void hint_tlbs(const Scheme::HintJob* jobs, unsigned n) const {
    if (n && jobs[n - 1].stage == kStages - 1)
      for (const Tlb* t : m_tlbs) t->prefetch(jobs[n - 1].va);
  }
  void read_one() {
    if (m_more && (m_more = m_workload.next(m_ring[(m_head + m_count) % kRing]))) ++m_count;
  }
  Workload& m_workload;
  const Scheme& m_scheme;
  const MemHierarchy* m_hier;
  const Tlb* m_tlbs[2] = {};
  Access m_ring[kRing];
  OracleHints m_hints[kRing];
  unsigned m_head = 0, m_count = 0;
  bool m_more = true;
};

}  // namespace mmusim
