// Page walker for any chain of radix dimensions: native (1), two-dimensional EPT (2) or a
// three-dimensional nested walk (3). Emits the ordered memory references and the translation or
// the fault; paging-structure caches and nested TLBs of each dimension are consulted on the way.
#pragma once

#include "models/histogram.h"
#include "models/page_table.h"
#include "models/phys_mem.h"
#include "models/types.h"

namespace mmusim {

class AsapUnit;
class Cwc;
class Ecpt;
class Pwc;
class Tlb;

constexpr unsigned kMaxDims = 3;  // native/shadow 1, EPT 2, nested hw3d 3

// One memory reference of a walk: the host-physical address read, the dimension whose table
// the entry belongs to (0 = guest or native) and that table's level (1 = PT ... 5 = PML5); where
// it was served, when it started (cycles into the walk) and its latency, so that a timed model
// can lay the walk's references out in time.
struct WalkRef {
  Addr pa;
  uint8_t dim;
  uint8_t level;
  Step served;
  uint32_t start;
  uint32_t latency;
};

// Where a walker's entry reads go; returns the entry and adds the read's latency.
class WalkMemory {
 public:
  virtual ~WalkMemory() = default;
  // Returns the 8-byte entry at pa; adds the read's latency to `latency` and says where it was
  // served (a cache level, DRAM, or plain memory).
  virtual uint64_t read_entry(Addr pa, unsigned dim, unsigned level, Cycles& latency,
                              Step& served) = 0;
  // Reads the 64-byte line at line_pa (64-byte aligned) into words[0..7], one read as above
  // (hashed tables probe whole lines).
  virtual void read_line(Addr line_pa, unsigned dim, unsigned level, Cycles& latency,
                         Step& served, uint64_t* words) = 0;
};

// Reads straight from physical memory at a fixed latency (unit tests, untimed debug walks).
class DirectWalkMemory : public WalkMemory {
 public:
  explicit DirectWalkMemory(const PhysMem& mem, Cycles latency = 0) : m_mem(mem), m_lat(latency) {}
  uint64_t read_entry(Addr pa, unsigned, unsigned, Cycles& latency, Step& served) override {
    latency += m_lat;
    served = Step::kMem;
    return m_mem.read64(pa);
  }
  void read_line(Addr pa, unsigned, unsigned, Cycles& latency, Step& served,
                 uint64_t* words) override {
    latency += m_lat;
    served = Step::kMem;
    m_mem.read_line(pa, words);
  }

 private:
  const PhysMem& m_mem;
  Cycles m_lat;
};

// The DMT unit as the walker sees it: set 0 holds (guest) address-space TEAs, set 1 the host's
// TEAs over guest-physical memory (nested: L1's over L2 memory), set 2 L0's over L1 memory. A hit
// gives the leaf entry's address and its level.
class DmtPort {
 public:
  virtual ~DmtPort() = default;
  virtual bool dmt_lookup(unsigned set, Addr addr, uint32_t tag, Addr& entry, unsigned& level,
                          Cycles& latency) = 0;
};

// How a dimension uses DMT: which register set and tag, and whether the entry address a hit
// gives is host-physical already (native, host TEAs, pvDMT) or in the next dimension's space.
struct WalkDmt {
  bool enabled = false;
  uint8_t set = 0;
  uint32_t tag = 0;
  bool host_entry = true;
};

// The hardware's view of one dimension: its root, its format, and the caches that serve it.
struct WalkDim {
  Addr root = 0;  // root table, in this dimension's table space (the next dimension translates it)
  uint8_t levels = 4;
  PtFormat format = PtFormat::kX86;
  bool root_flat = false;   // FPT: the root is a flattened table (kFlatNext entries say so below)
  const Ecpt* ecpt = nullptr;  // ECPT: hashed tables probed in parallel instead of the radix
  Cwc* cwc = nullptr;          // ECPT: cuckoo walk caches that narrow the probes
  Context ctx;              // tag for this dimension's PWC and nested-TLB entries
  Pwc* pwc = nullptr;       // paging-structure caches keyed by this dimension's input address
  Tlb* tlb = nullptr;       // nested TLB: whole translations of this dimension (inner dims only)
  WalkDmt dmt;              // direct leaf lookup, tried before the radix walk
  DmtPort* dmt_port = nullptr;
  // ASAP: range registers (set and tag as dmt's) whose PL2/PL1 entries are prefetched when the
  // walk starts; dmt's lookup is not tried then.
  const AsapUnit* asap = nullptr;
  // Agile Paging (the guest dimension, dims[0] only): the walk starts in the hypervisor's
  // shadow table at this host-physical root (0: none). A shadow leaf is host-physical already;
  // a switching entry (kForeignTable) gives the host address of the guest's next table, from
  // which the walk goes on as a 2D walk of this dimension.
  Addr shadow_root = 0;
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
  uint16_t serial_refs = 0;  // the references on the walk's longest chain of dependent reads
                             // (set when the walk ends)
  uint16_t pwc_probes = 0, pwc_hits = 0, ntlb_probes = 0, ntlb_hits = 0;
  uint16_t refs_by_dim[kMaxDims] = {};
  uint16_t dmt_hits = 0;       // leaf entries found through a TEA
  uint16_t dmt_fallbacks = 0;  // TEA entries that were not a usable leaf: radix walk after all
  uint16_t asap_prefetches = 0;  // ASAP: entries prefetched
  uint16_t asap_used = 0;  // ASAP: entries the walk took from a prefetch instead of reading them
  uint32_t asap_wait_cycles = 0;  // ASAP: cycles the walk waited for prefetches in flight
  uint16_t agile_nested = 0;  // Agile Paging: the walk switched from shadow to nested mode
  uint16_t ecpt_probes = 0;    // ECPT: table lines probed
  uint16_t ecpt_reprobes = 0;  // ECPT: steps that probed the ways the CWCs had ruled out
  StepVector steps;            // where each step was served, in order (PWC/NTLB/DMT hits, reads)
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
    dmt_hits = dmt_fallbacks = 0;
    asap_prefetches = asap_used = 0;
    asap_wait_cycles = 0;
    agile_nested = 0;
    ecpt_probes = ecpt_reprobes = 0;
    steps.clear();
  }
};

struct WalkerParams {
  Cycles pwc_latency = 1;   // one probe of a dimension's paging-structure caches (all levels)
  Cycles ntlb_latency = 1;  // one probe of a nested TLB
  Cycles ecpt_hash_latency = 2;  // ECPT: hashing the VPN into each way, before the probes issue
  Cycles cwc_latency = 4;        // ECPT: a CWC lookup (PUD and PMD at once, beside the hash)
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
  // Probes the dimension's paging-structure caches for addr: true with the deepest cached
  // table and its level; false when they are off or miss.
  bool probe_pwc(const WalkDim& d, Addr addr, unsigned& level, Addr& table);
  // The host-physical address of a table of dimension `dim` (not the innermost) at `table` in
  // the dimension's own table space, whose level-`level` entry for addr the walk reads next.
  // ASAP: a prefetch of that entry translated the table already.
  bool table_pa(unsigned dim, Addr addr, unsigned level, Addr& table);
  // Translates a table's address gpa through dimension `dim` (m_table_line set meanwhile).
  bool translate_table(unsigned dim, Addr gpa, Addr& pa);
  // Reads one entry of dimension `dim` at host-physical entry_pa and records the reference.
  uint64_t read(unsigned dim, unsigned level, Addr entry_pa);
  // Reads the whole line holding entry_pa into words, timed and recorded as read() does.
  void read_line(unsigned dim, unsigned level, Addr entry_pa, uint64_t* words);
  // Records a reference that started `start` cycles into the walk and took `lat`.
  void record(unsigned dim, unsigned level, Addr pa, Step served, Cycles start, Cycles lat);
  // A present leaf entry e of `level` for addr: checks permissions and translates its output
  // through the inner dimensions.
  bool leaf(unsigned dim, unsigned level, Addr addr, AccessKind access, uint64_t e, Leaf& out);
  bool fault(FaultKind kind, unsigned dim, unsigned level, Addr addr);
  // A TEA register's leaf entry for addr: true when it decided the translation (its outcome in
  // `done`), false when the radix walk must run (no register, or the entry is not a usable leaf).
  bool dmt_leaf(unsigned dim, Addr addr, AccessKind access, Leaf& out, bool& done);
  // ECPT: the ways the CWCs leave (every way of every size without them) probed at once, the
  // slowest probe being the step; then, if none held addr, the ways they had ruled out.
  bool walk_ecpt(unsigned dim, Addr addr, AccessKind access, Leaf& out);
  // The ways (bit w of ways[size]) to probe for addr; true when the CWCs narrowed them. Adds
  // the hash and CWC latency and reads the CWT lines of the CWCs that missed.
  bool ecpt_plan(unsigned dim, Addr addr, uint8_t* ways);
  // Reads the CWT line of `level` covering addr into the dimension's CWC, beside the walk.
  void cwt_refill(unsigned dim, unsigned level, Addr addr);
  // One parallel step: probes the lines of `ways`; each probe's own host translation (inner
  // dimensions) and read are a chain, and the longest chain is the step. False on a fault
  // (an EPT violation on a probed line); `level` 0 when no line held a present entry.
  bool ecpt_step(unsigned dim, Addr addr, const uint8_t* ways, uint64_t& entry, unsigned& level);
  // ASAP: prefetches the entries the dimension's range registers give for addr, each beside the
  // walk (in the guest dimension of a 2D walk, after its own host translation).
  void asap_prefetch(unsigned dim, Addr addr);
  // A walk read of entry_pa that a prefetch fetched (or is fetching): takes its entry without a
  // reference of its own, waiting for it if it is still in flight; false when none did.
  bool asap_take(Addr entry_pa, uint64_t& e);
  // The host-physical address of a prefetched entry of dimension `dim` whose address in that
  // dimension's table space is `space`; false when none was prefetched.
  bool asap_translated(unsigned dim, Addr space, Addr& pa) const;
  // The radix walk of dimension `dim` from its level-`level` table at host-physical `table`;
  // `mark` tags the PWC entries it fills (Agile Paging: kPwcGuest, in nested mode).
  bool walk_levels(unsigned dim, Addr addr, AccessKind access, Leaf& out, unsigned level,
                   Addr table, Addr mark);
  // Agile Paging: the shadow part of the walk, then the nested part from a switching entry.
  bool walk_agile(unsigned dim, Addr addr, AccessKind access, Leaf& out);
  // FPT: the rest of a walk that meets a flattened table, from the table of `level` at `table`.
  bool walk_flat(unsigned dim, Addr addr, AccessKind access, Leaf& out, unsigned level,
                 Addr table, bool flat);

  WalkerParams m_params;
  const WalkDim* m_dims = nullptr;
  unsigned m_ndims = 0;
  WalkMemory* m_mem = nullptr;
  WalkResult* m_out = nullptr;
  // References not on the walk's longest chain of dependent reads: probes issued beside another
  // one, prefetches beside the walk. Only those paths count them, so a plain read costs nothing.
  unsigned m_off_chain = 0;
  // Translating a table's line (a radix table or an ECPT line), not data: nested ECPT's host
  // PTE-CWC serves these always, data translations only while its adaptive policy says so.
  bool m_table_line = false;
  unsigned chain() const { return m_out->nrefs - m_off_chain; }  // the chain so far
  struct Prefetch {
    unsigned dim;   // the dimension whose entry it is
    Addr space;     // the entry prefetched, in that dimension's table space
    Addr pa;        // and host-physical
    uint64_t value; // and what it read
    Cycles done;    // when its data is there (cycles into the walk)
    unsigned chain; // references on its chain, itself included
  };
  static constexpr unsigned kMaxPrefetches = 32;
  Prefetch m_pf[kMaxPrefetches];
  unsigned m_npf = 0;
};

}  // namespace mmusim
