// Page walker for any chain of radix dimensions: native (1), two-dimensional EPT (2) or a
// three-dimensional nested walk (3). Emits the ordered memory references and the translation or
// the fault; paging-structure caches and nested TLBs of each dimension are consulted on the way.
#pragma once

#include "models/page_table.h"
#include "models/phys_mem.h"
#include "models/types.h"

namespace mmusim {

class Pwc;
class Tlb;

constexpr unsigned kMaxDims = 3;  // native/shadow 1, EPT 2, nested hw3d 3

// One memory reference of a walk: the host-physical address read, the dimension whose table
// the entry belongs to (0 = guest or native) and that table's level (1 = PT ... 5 = PML5).
struct WalkRef {
  Addr pa;
  uint8_t dim;
  uint8_t level;
};

// Where a walker's entry reads go; returns the entry and adds the read's latency.
class WalkMemory {
 public:
  virtual ~WalkMemory() = default;
  virtual uint64_t read_entry(Addr pa, unsigned dim, unsigned level, Cycles& latency) = 0;
};

// Reads straight from physical memory at a fixed latency (unit tests, untimed debug walks).
class DirectWalkMemory : public WalkMemory {
 public:
  explicit DirectWalkMemory(const PhysMem& mem, Cycles latency = 0) : m_mem(mem), m_lat(latency) {}
  uint64_t read_entry(Addr pa, unsigned, unsigned, Cycles& latency) override {
    latency += m_lat;
    return m_mem.read64(pa);
  }

 private:
  const PhysMem& m_mem;
  Cycles m_lat;
};

// The hardware's view of one dimension: its root, its format, and the caches that serve it.
struct WalkDim {
  Addr root = 0;  // root table, in this dimension's table space (the next dimension translates it)
  uint8_t levels = 4;
  PtFormat format = PtFormat::kX86;
  Context ctx;              // tag for this dimension's PWC and nested-TLB entries
  Pwc* pwc = nullptr;       // paging-structure caches keyed by this dimension's input address
  Tlb* tlb = nullptr;       // nested TLB: whole translations of this dimension (inner dims only)
};

struct WalkResult {
  static constexpr unsigned kMaxRefs = 256;  // a 5x5x5 walk needs 215
  Fault fault;
  Addr pa = 0;
  PageSize size = PageSize::k4K;
  Perms perms;
  Cycles cycles = 0;       // whole walk: cache probes plus memory references
  Cycles mem_cycles = 0;   // memory references only
  uint16_t nrefs = 0;
  uint16_t pwc_probes = 0, pwc_hits = 0, ntlb_probes = 0, ntlb_hits = 0;
  uint16_t refs_by_dim[kMaxDims] = {};
  WalkRef refs[kMaxRefs];

  bool ok() const { return !fault; }
  void reset() {
    fault = Fault{};
    pa = 0;
    size = PageSize::k4K;
    perms = Perms{};
    cycles = mem_cycles = 0;
    nrefs = pwc_probes = pwc_hits = ntlb_probes = ntlb_hits = 0;
    refs_by_dim[0] = refs_by_dim[1] = refs_by_dim[2] = 0;
  }
};

struct WalkerParams {
  Cycles pwc_latency = 1;   // one probe of a dimension's paging-structure caches (all levels)
  Cycles ntlb_latency = 1;  // one probe of a nested TLB
};

class Walker {
 public:
  explicit Walker(const WalkerParams& params = {}) : m_params(params) {}

  // Translates va through dims[0..ndims) (outermost first, ndims <= kMaxDims). Updates the PWCs
  // and nested TLBs it consults; never reads anything but the entries it records in `out.refs`.
  void walk(const WalkDim* dims, unsigned ndims, Addr va, AccessKind access, WalkMemory& mem,
            WalkResult& out);

 private:
  struct Leaf {
    Addr pa;
    PageSize size;
    Perms perms;
  };
  bool translate(unsigned dim, Addr addr, AccessKind access, Leaf& out);
  bool fault(FaultKind kind, unsigned dim, unsigned level, Addr addr);

  WalkerParams m_params;
  const WalkDim* m_dims = nullptr;
  unsigned m_ndims = 0;
  WalkMemory* m_mem = nullptr;
  WalkResult* m_out = nullptr;
};

}  // namespace mmusim
