#include "models/machine.h"

#include "models/scheme_factory.h"

namespace mmusim {

Machine::Machine(const MachineParams& params)
    : m_teas(params.dmt), m_scheme(make_scheme(params, m_mem, m_teas)) {
  m_teas.attach(*m_scheme);
}

Machine::~Machine() = default;

void Machine::report(StatsVisitor& v) const {
  m_scheme->report_memory(v);
  const GuestTableMemory::PoolStats* p = m_scheme->pool_stats();
  if (params().table_pool.enabled && p) {
    v.begin("hugegpt");
    v.counter("segments", p->segments, "segments",
              "2 MiB guest-physical segments the host backed with 2 MiB pages");
    v.counter("refusals", p->refusals, "count", "segments the host refused (the guest fell back)");
    v.counter("pool_pages", p->pool_pages, "pages", "page-table pages taken from the pool");
    v.counter("fallback_pages", p->fallback_pages, "pages",
              "page-table pages allocated outside the pool (pool full, refused, or root)");
    v.counter("pool_bytes", p->segments * page_bytes(PageSize::k2M), "bytes", "pool size");
    v.end();
  }
  if (m_teas.enabled()) {
    v.begin("dmt");
    v.counter("tea_pages", m_teas.pages(), "pages",
              "pages of the translation entry areas in use (guest and host), each contiguous; a "
              "grown TEA's old area no longer counts");
    v.end();
  }
  m_scheme->report_spaces(v);
}

}  // namespace mmusim
