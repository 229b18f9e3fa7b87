// Workloads: the stream of memory accesses a core issues, and the VMAs they live in.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/rng.h"
#include "models/types.h"

namespace mmusim {

// One item of a workload: a memory access, or an operating-system event between accesses.
struct Access {
  enum class Event : uint8_t {
    kAccess,  // translate and access va
    kSwitch,  // context switch to address space `asid`
    kUnmap,   // the OS unmaps `pages` pages from va in `asid` (page-table churn)
    kGrow,    // the VMA of `asid` that ends at va grows by `pages` pages (brk, mremap)
    kProtect,  // the OS write-protects `pages` pages from va in `asid` (write tracking)
    kMigrate,  // the OS moves the `pages` pages from va in `asid` to new frames
  };
  Addr va = 0;
  AccessKind kind = AccessKind::kLoad;
  uint16_t asid = 1;
  Event event = Event::kAccess;
  uint32_t pages = 0;
};

// A virtual memory area the (guest) OS has set up: first touches inside it are demand-paged,
// anything outside is a segmentation fault.
struct Vma {
  Addr start = 0;
  Addr end = 0;  // exclusive
  Perms perms;
  uint16_t asid = 1;
  std::string name;
  bool contains(Addr a) const { return a >= start && a < end; }
};

struct SyntheticParams {
  std::string kind = "uniform";   // sequential | uniform | strided
  uint64_t count = 1000000;       // accesses
  uint64_t seed = 1;
  Addr base = Addr{0x100000000000};
  uint64_t footprint = Addr{1} << 30;  // bytes
  uint64_t element = 8;           // bytes per access (sequential step, alignment)
  uint64_t stride = 4096;         // strided step
  double store_fraction = 0.0;
  uint16_t processes = 1;         // address spaces (ASIDs 1..processes), one VMA each
  uint16_t first_asid = 1;        // the address space the stream starts in
  uint64_t switch_every = 0;      // accesses between context switches, round robin (0: never)
  uint64_t churn_every = 0;       // accesses between unmap events (0: never)
  uint32_t churn_pages = 64;      // pages an unmap event removes (demand-faulted back later)
  uint64_t mprotect_every = 0;    // accesses between write-protections of a run of pages
  uint32_t mprotect_pages = 64;   // pages one of them write-protects
  uint64_t migrate_every = 0;     // accesses between migrations of a run of pages
  uint32_t migrate_pages = 16;    // pages one of them moves
  uint16_t vmas = 1;              // VMAs the footprint is split into (equal, in address order)
  uint64_t vma_gap = 0;           // bytes between two of them (page multiple)
  uint64_t grow_every = 0;        // accesses between growths of the running process's last VMA
  uint64_t grow_bytes = 0;        // bytes one growth adds (page multiple)
};

class Workload {
 public:
  virtual ~Workload() = default;
  // The next access or event; false at the end.
  virtual bool next(Access& a) = 0;
  virtual const std::vector<Vma>& vmas() const = 0;
  virtual uint64_t count() const = 0;
  // The address space the stream starts in.
  virtual uint16_t first_asid() const { return 1; }
};

// Sequential, uniform-random (GUPS-like) or strided accesses over the footprint, laid out as one
// VMA or several with gaps between them; the last one may grow during the run (a heap), and the
// accesses reach what it grew by.
class SyntheticWorkload : public Workload {
 public:
  explicit SyntheticWorkload(const SyntheticParams& p);
  bool next(Access& a) override;
  const std::vector<Vma>& vmas() const override { return m_vmas; }
  uint64_t count() const override { return m_p.count; }
  uint16_t first_asid() const override { return m_p.first_asid; }

 private:
  enum class Kind { kSequential, kUniform, kStrided };
  Addr next_address();
  // The virtual address `offset` bytes into the running process's VMAs (gaps skipped).
  Addr at(uint64_t offset) const;
  uint64_t bytes() const { return m_p.footprint + m_grown[m_asid]; }

  SyntheticParams m_p;
  Kind m_kind;
  Rng m_rng;
  uint64_t m_issued = 0;
  uint64_t m_offset = 0;
  uint64_t m_vma_bytes;           // each VMA's initial size
  uint64_t m_elements_of = 0, m_elements = 0;  // uniform: elements in bytes() for that size
  std::vector<uint64_t> m_grown;  // by ASID: bytes the last VMA grew by
  uint16_t m_asid;
  // A run of `pages` pages from a random page of the VMAs, for a page-table event.
  Access run_event(Access::Event e, uint64_t pages);
  // The next event due (m_due not 0), and which fall due after the access just issued.
  void next_event(Access& a);
  void schedule();
  enum : uint8_t {
    kGrowDue = 1, kSwitchDue = 2, kChurnDue = 4, kProtectDue = 8, kMigrateDue = 16
  };
  uint8_t m_due = 0;      // events due before the next access
  bool m_events = false;  // some event kind is on
  std::vector<Vma> m_vmas;
};

}  // namespace mmusim
