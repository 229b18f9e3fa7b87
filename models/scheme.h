// A translation scheme: which address spaces and tables exist, what hardware walks (its chain of
// walk dimensions), what the oracle composes, which host-cache hints read ahead, and what the
// (guest) OS and hypervisors do on each fault, with its stats. One subclass per scheme; the rest
// of the simulator asks the scheme and never tests which one it has. The walker is shared.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/address_space.h"
#include "models/leaf_locator.h"
#include "models/machine_params.h"
#include "models/oracle.h"
#include "models/software.h"
#include "models/walker.h"

namespace mmusim {

// What the hardware needs to start a walk for a context: its dimensions' roots and formats.
class WalkRoots {
 public:
  virtual ~WalkRoots() = default;
  // Fills out[0..n) (outermost first) and returns n; caches are left for the caller to attach.
  virtual unsigned walk_dims(Context ctx, WalkDim* out) const = 0;
};

// The features a scheme composes with (each refused one with its system key and message).
struct SchemeFeatures {
  bool hugegpt = false;  // HugeGPT: guest table pages from a pool the host backs with 2 MiB pages
  bool dmt = false;      // DMT: TEA registers give leaf entries
  bool pvdmt = false;    // pvDMT: guest TEAs made host-contiguous
  const char* dmt_refusal = "DMT is not modelled under this scheme";
  const char* pvdmt_key = "dmt";
  const char* pvdmt_refusal = "pvDMT is not modelled under this scheme";
  bool host_teas = false;  // with DMT, the host keeps TEAs over guest memory too
  bool asap = false;       // ASAP: range registers prefetch PL2 and PL1 entries
  const char* asap_refusal = "ASAP is modelled natively and under EPT";
};

// The path a (guest) OS's TLB shootdown takes through the hypervisors.
struct ShootdownPath {
  bool guest = false;   // a guest OS: its ICR writes and IPI deliveries may exit
  bool shadow = false;  // the hypervisor intercepts the guest's invlpg and TLB flushes
  bool nested = false;  // an L2 guest: each exit is reflected to L1 (exit_multiplier at L0)
};

class Scheme : public WalkRoots, public TableToHost {
 public:
  enum class Outcome { kRetry, kAbandon };
  struct Handled {
    Outcome outcome;
    Cycles cycles;  // software time spent (handlers and VM exits)
  };
  // How a scheme made a new TEA area what hardware reads: done; failed; failed before anything
  // was mapped into it, so its frames go back.
  enum class TeaBacking { kOk, kFailed, kFailedFree };

  Scheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas);
  ~Scheme() override;
  Scheme(const Scheme&) = delete;
  Scheme& operator=(const Scheme&) = delete;

  // The configuration's name for it, and a line that describes its tables for the run log.
  virtual const char* name() const = 0;
  virtual std::string describe() const;
  const MachineParams& params() const { return m_params; }
  PhysMem& mem() { return m_mem; }
  const PhysMem& mem() const { return m_mem; }
  // The VM's tag on translations (0: native).
  uint16_t vpid() const { return m_vpid; }
  Context context(uint16_t asid) const { return Context{asid, m_vpid}; }

  // The native or guest address space of an ASID, created on first use.
  AddressSpace& space(uint16_t asid);
  bool has_space(uint16_t asid) const {
    return asid < m_spaces.size() && m_spaces[asid] != nullptr;
  }
  // The lowest host dimension (gPA or L1 gPA -> hPA), or null natively.
  virtual AddressSpace* host_space() { return nullptr; }

  // The composed mapping of va from guest or native page to host frame, whatever hardware walks.
  virtual bool truth(uint16_t asid, Addr va, Mapping& out) const;
  // The composed mapping of a guest-physical address to host memory; false when a dimension of
  // the chain does not map it (or natively).
  virtual bool host_truth(Addr, Mapping&) const { return false; }
  bool table_to_host(Addr gpa, Addr& hpa) const override;
  // What a translation of va must give. With the OracleHints of the access, the mappings they
  // looked up stand in for new lookups while their maps are unchanged.
  virtual Expectation expect(Context ctx, Addr va, AccessKind access,
                             const OracleHints* hinted = nullptr) const = 0;
  // Host-cache hints for an access to va a few accesses from now; they change no result. Stage 0
  // starts loading the (guest) oracle's index slot; stage 1 its record; stage 2 reads the record
  // and starts loading the host oracle's index slot and the leaf entry of the table hardware
  // walks first; stage 3 the host record; stage 4 what the scheme reads last (the EPT leaf entry
  // for the data, the data). The caller runs each stage some accesses apart, and the stages of
  // one look-ahead step (each for another access) in one call.
  struct HintJob {
    Context ctx;
    Addr va;
    unsigned stage;
    OracleHints* state;
  };
  virtual void hint(const HintJob* jobs, unsigned n) const = 0;
  void hint(Context ctx, Addr va, unsigned stage, OracleHints& state) const {
    const HintJob job{ctx, va, stage, &state};
    hint(&job, 1);
  }
  // Every host-physical address the stages leave in `lines` for va, in stage order. For tests,
  // which hold them against a walk.
  unsigned hinted_lines(Context ctx, Addr va, Addr* out) const;

  // Maps va in every dimension, as a pre-populated VM would, and fills what hardware walks;
  // false when a physical space ran out.
  virtual bool populate(uint16_t asid, Addr va);
  // The software's reaction to a fault the MMU reported for va; vma: the permissions of the VMA
  // holding va, or null outside every VMA. Throws std::runtime_error when physical memory ran
  // out (a configuration problem).
  Handled handle_fault(Context ctx, Addr va, const Fault& fault, const Perms* vma,
                       Software& sw);
  // A guest CR3 write: what the hypervisor does on it.
  virtual Cycles on_cr3_write(Software&) { return 0; }
  // Accesses between the hypervisor's periodic work (0: none), and that work's cycles.
  virtual uint64_t period() const { return 0; }
  virtual Cycles periodic(Software&) { return 0; }
  // True once after the scheme changed what the walk caches (PWCs) may hold of its tables' upper
  // levels (Agile Paging's switches): the hypervisor flushes them.
  virtual bool take_walk_cache_flush() { return false; }
  // How the (guest) OS's shootdowns reach other cores.
  virtual ShootdownPath shootdown_path() const { return {}; }
  // The (guest) OS removed or changed (permissions, frame) mapping m of asid; its TLB entries
  // are the OS's to invalidate.
  virtual void on_leaf_changed(uint16_t, const Mapping&) {}
  // The same when the guest only gave the page more rights (a write-protected page made
  // writable again; m: the mapping before), which needs no flush.
  virtual void on_leaf_upgraded(uint16_t asid, const Mapping& m) { on_leaf_changed(asid, m); }
  // The exits the guest page-table writes made since `before` (table_writes()) cost.
  virtual Cycles trapped_table_writes(uint64_t, Software&) { return 0; }
  // Entry writes to the address spaces' tables so far (guest tables only).
  uint64_t table_writes() const;
  // HugeGPT segments requested so far (granted and refused): one hypercall each.
  uint64_t pool_requests() const;
  const GuestTableMemory::PoolStats* pool_stats() const;

  // DMT: the TEA pages' space, their register tag, and whether making one is a hypercall.
  TableMemory& space_tables() { return *m_space_tables; }
  FrameAllocator& space_frames() { return *m_space_frames; }
  virtual uint32_t tea_tag(uint16_t asid) const { return asid; }
  virtual bool tea_hypercall() const { return false; }
  // Exits beyond one a guest's TEA hypercall costs (nested: reflected to L1).
  virtual Cycles tea_hypercall_reflection(const SoftwareCosts&) const { return 0; }
  // Makes the `pages` TEA pages at `base` (in table space) what hardware reads; reg_base: what
  // the register holds; backed: guest-physical pages the host had to back.
  virtual TeaBacking back_tea(uint64_t pages, Addr base, Addr& reg_base, uint64_t& backed);

  // The physical spaces and host dimensions, then the address spaces and what hardware walks
  // for them (report_spaces), each as a stats group.
  virtual void report_memory(StatsVisitor& v) const;
  virtual void report_spaces(StatsVisitor& v) const;

 protected:
  // Address spaces' tables, frames and names (set by the subclass's constructor).
  void set_spaces(TableMemory& tables, FrameAllocator& frames, GuestTableMemory* guest_tables,
                  const char* prefix);
  virtual void space_created(uint16_t) {}
  const AddressSpace* space_at(uint16_t asid) const {
    return has_space(asid) ? m_spaces[asid].get() : nullptr;
  }
  // Fills a walk dimension in place (a WalkDim built aside and copied in is read back wider than
  // it was written, which the host cannot forward from its store buffer).
  template <class Table>  // an AddressSpace or a ShadowTable
  static void set_dim(WalkDim& d, const Table& t, Context c) {
    d.root = t.root();
    d.levels = static_cast<uint8_t>(t.levels());
    d.format = t.format();
    d.root_flat = t.root_flat();
    d.ecpt = t.ecpt();
    d.ctx = c;
    d.pwc = nullptr;
    d.tlb = nullptr;
    d.dmt = WalkDmt{};
    d.dmt_port = nullptr;
    d.asap = nullptr;
    d.shadow_root = 0;
  }
  // Fault handling steps a scheme overrides: a not-present fault, an EPT violation, and what
  // follows the (guest) OS's mapping of a demand-faulted page.
  virtual Handled not_present(Context ctx, Addr va, const Perms* vma, Software& sw);
  virtual Handled ept_violation(const Fault& fault, Software& sw);
  // A protection fault: the (guest) OS's write-fault handler gives a page it write-protected
  // inside a VMA that allows more its VMA's permissions back; anything else is abandoned.
  Handled protection(Context ctx, Addr va, const Perms* vma, Software& sw);
  virtual Cycles after_demand_map(Context, Addr, uint64_t, Software&) { return 0; }
  // The (guest) OS maps a demand-faulted page of its VMA (c: cycles spent before).
  Handled demand_fault(Context ctx, Addr va, const Perms* vma, Software& sw, Cycles c);
  virtual std::runtime_error space_memory_exhausted() const;
  // The stages of `hint`, for a scheme S (final) whose steps it calls directly: S::hinted_host(),
  // the host oracle the stages read (or null); S::first_leaf_lines, the lines of the leaf entry
  // of the first dimension hardware walks; S::hint_last, stage 4's look at what the walk reads
  // last.
  template <class S>
  static void hint_stages(const S& s, Context ctx, Addr va, unsigned stage, OracleHints& state);
  // Defaults for those steps: no host oracle, no leaf entry, nothing last.
  const TranslationMap* hinted_host() const { return nullptr; }
  void first_leaf_lines(Context, Addr, OracleHints&) const {}
  void hint_last(OracleHints&) const {}
  // Adds the host-physical lines a walk of t for addr reads last to `state` (the leaf entry's,
  // or every ECPT probe's), each loaded into the host cache.
  template <class Table>  // an AddressSpace or a ShadowTable
  void leaf_lines(const Table& t, bool guest_tables, Addr addr, OracleHints& state) const {
    if (const Ecpt* e = t.ecpt()) {
      Addr words[Ecpt::kMaxProbes];
      const unsigned n = e->probe_words(addr, words);
      for (unsigned i = 0; i < n; ++i) {
        Addr pa = words[i];
        if (guest_tables && !table_to_host(pa, pa)) continue;
        m_mem.prefetch(pa);
        state.add_line(pa);
      }
      return;
    }
    Addr entry;
    if (!m_leaf.find(t.root(), t.levels(), t.format(), t.root_flat(),
                     guest_tables ? this : nullptr, addr, entry))
      return;
    m_mem.prefetch(entry);
    state.add_line(entry);
  }

  MachineParams m_params;
  uint16_t m_vpid = 0;  // set by virtualized schemes
  PhysMem& m_mem;
  TeaAllocator& m_teas;
  std::unique_ptr<FrameAllocator> m_host_frames;
  std::unique_ptr<HostTableMemory> m_host_tables;

 private:
  TableMemory* m_space_tables = nullptr;
  FrameAllocator* m_space_frames = nullptr;
  GuestTableMemory* m_guest_tables = nullptr;
  std::string m_prefix;
  std::vector<std::unique_ptr<AddressSpace>> m_spaces;  // indexed by ASID
  LeafLocator m_leaf;
};

// What a final scheme Self over Base (Scheme, VirtualScheme, ...) derives from: the hint entry
// point, whose stages call Self's steps directly (no virtual call per stage).
template <class Self, class Base>
class WithHints : public Base {
 public:
  using Base::Base;
  using Scheme::hint;
  void hint(const Scheme::HintJob* jobs, unsigned n) const final {
    const Self& self = static_cast<const Self&>(*this);
    for (unsigned i = 0; i < n; ++i)
      Scheme::hint_stages(self, jobs[i].ctx, jobs[i].va, jobs[i].stage, *jobs[i].state);
  }
};

template <class S>
void Scheme::hint_stages(const S& s, Context ctx, Addr va, unsigned stage, OracleHints& state) {
  state.nlines = 0;
  if (stage == 0 || state.hint_va != va || state.hint_asid != ctx.asid) {
    // Address spaces are created, never destroyed: the pointers hold for the later stages.
    state.hint_va = va;
    state.hint_asid = ctx.asid;
    const AddressSpace* space = s.space_at(ctx.asid);
    state.hint_guest = space ? &space->oracle() : nullptr;
    state.hint_host = s.hinted_host();
  }
  if (!state.hint_guest) return;  // no address space (yet, at stage 0)
  const TranslationMap& guest = *state.hint_guest;
  const TranslationMap* host = state.hint_host;
  if (stage == 0) {
    guest.prefetch_index(va);
  } else if (stage == 1) {
    guest.prefetch(va);
  } else if (stage == 2) {
    state.mapped = guest.lookup(va, state.guest);
    state.va = va;
    state.guest_map = &guest;
    state.guest_version = guest.version();
    state.host_map = nullptr;
    if (!state.mapped) return;
    state.gpa = state.guest.translate(va);
    if (host) host->prefetch_index(state.gpa);
    s.first_leaf_lines(ctx, va, state);
  } else if (stage == 3) {
    if (state.mapped && host) host->prefetch(state.gpa);
  } else if (state.mapped) {
    s.hint_last(state);
  }
}

}  // namespace mmusim
