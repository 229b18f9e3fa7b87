// DMT's allocator of translation entry areas: the TEAs of address-space ranges (created, grown by
// doubling, their leaf tables moved in), and the host's TEAs over guest memory. A TEA's pages ARE
// the radix table's leaf pages, so the ordinary walk stays valid as the fallback. Where a TEA's
// pages come from and how hardware reaches them is the translation scheme's (Scheme::back_tea).
#pragma once

#include <memory>
#include <vector>

#include "models/address_space.h"
#include "models/dmt.h"

namespace mmusim {

class Scheme;

// off: radix walks only. dmt: TEAs for large VMAs (virtualized: guest TEAs in guest-physical
// memory plus the host's TEA over guest memory). pvdmt: guest TEAs made host-contiguous by a
// hypercall, so a guest register points at host memory. asap: placed as dmt, but a TEA per level
// for PL1 and PL2 tables, which ASAP's hardware prefetches (models/asap.h) instead of reading
// the leaf directly.
enum class DmtMode : uint8_t { kOff, kDmt, kPvDmt, kAsap };

// What a TEA's creation or growth did: the TEA's first page (in the table's own space) and
// capacity in leaf tables before and after, the leaf tables moved into the new area, and the
// guest-physical pages the host backed for it (virtualized DMT).
struct TeaChange {
  Addr old_base = 0, new_base = 0;
  uint64_t old_pages = 0, new_pages = 0;
  uint64_t moved = 0;
  uint64_t backed = 0;
  std::vector<Addr> moved_ranges;  // input address where each moved table's range starts
  bool reallocated() const { return new_base != old_base; }
};

// Places the leaf tables of each TEA's range on the TEA's pages.
class TeaPlacer : public TablePlacer {
 public:
  struct Tea {
    Addr start, end;  // the range it covers now
    Addr table_base;  // first TEA page, in the table's own space
    Addr reg_base;    // what the register holds: table_base, or its host address (pvDMT)
    uint64_t pages;   // capacity: leaf tables it holds, from start's leaf-table boundary
    uint8_t shift;
    unsigned leaf() const { return 1 + (shift - 12) / 9; }
    uint64_t slot(Addr addr) const { return (addr >> (shift + 9)) - (start >> (shift + 9)); }
    // The end of what the capacity covers.
    Addr limit() const { return ((start >> (shift + 9)) + pages) << (shift + 9); }
    bool holds(Addr table) const {
      return table >= table_base && table < table_base + pages * kPageBytes;
    }
  };
  size_t add(const Tea& t) {
    m_teas.push_back(t);
    return m_teas.size() - 1;
  }
  Tea& at(size_t i) { return m_teas.at(i); }
  const Tea& at(size_t i) const { return m_teas.at(i); }
  size_t size() const { return m_teas.size(); }
  // The TEA of `shift` whose range starts at `start`, or size().
  size_t find(Addr start, uint8_t shift) const;
  bool place(Addr addr, unsigned level, Addr& table) const override;

 private:
  std::vector<Tea> m_teas;
};

class TeaAllocator {
 public:
  explicit TeaAllocator(DmtMode mode) : m_mode(mode) {}
  // The scheme whose address spaces get TEAs (set once the scheme is built).
  void attach(Scheme& scheme) { m_scheme = &scheme; }
  DmtMode mode() const { return m_mode; }
  bool enabled() const { return m_mode != DmtMode::kOff; }

  // TEA leaf shift for a page policy: its large size when every region gets it, else 4K.
  static uint8_t shift_for(const PagePolicy& p);
  // The page shifts of the tables each range gets a TEA for, under a page policy: DMT the leaf
  // tables' (shift_for); ASAP PL1 (12) where 4K pages can be and PL2 (21) where 4K or 2M pages
  // can be.
  std::vector<uint8_t> shifts(const PagePolicy& p) const;
  // A host EPT's TEAs over its input space [0, end), one per shift of the host page policy: its
  // tables on contiguous host frames, before anything maps into that EPT; each register goes
  // into host register set `set`. Throws std::runtime_error when memory is too small.
  void host_teas(unsigned set, AddressSpace& ept, Addr end, FrameAllocator& host_frames,
                 const PagePolicy& host_pages, uint16_t vpid);
  // A TEA over [0, end) of `table`'s input space whose pages the caller reserved: table_base in
  // the table's own space, reg_base what hardware reads.
  TeaRegister fixed_tea(AddressSpace& table, Addr end, Addr table_base, Addr reg_base,
                        uint64_t pages, uint8_t shift, uint16_t vpid);
  // The registers of the host's TEAs: set 1 (over guest memory; nested: L1's over L2 memory),
  // set 2 (nested pvDMT: L0's over L1 memory); the first one, or null when there is none.
  void set_host_register(unsigned set, const TeaRegister& reg);
  const TeaRegister* host_register(unsigned set) const;
  const std::vector<TeaRegister>& host_registers(unsigned set) const { return m_host_regs[set]; }

  // Gives the range [start, end) of an address space (a VMA, or adjacent VMAs sharing one TEA) a
  // TEA whose pages become the leaf tables of its radix; leaf tables the range has already are
  // moved into it. Describes it as the register the OS programs; false when contiguous memory
  // cannot be had.
  // `shift`: the page shift of the tables it holds (a value of shifts()); without it, DMT's
  // (shift_for the guest page policy).
  bool create(uint16_t asid, Addr start, Addr end, uint8_t shift, TeaRegister& reg,
              TeaChange* change = nullptr);
  bool create(uint16_t asid, Addr start, Addr end, TeaRegister& reg, TeaChange* change = nullptr);
  // The range of the TEA created at `start` grows to [start, end). Within the TEA's capacity only
  // its end moves; past it a TEA of doubled capacity (doubled again until it covers the range) is
  // allocated, the leaf tables are moved into it (entries copied, upper entries repointed) and
  // the old TEA is freed. False when that allocation fails: the TEA then covers what its capacity
  // holds and the rest is left to the radix walk. `reg` is the register to program either way;
  // `change` says what moved (stale PWC entries for those ranges must go).
  bool grow(uint16_t asid, Addr start, Addr end, uint8_t shift, TeaRegister& reg,
            TeaChange& change);
  bool grow(uint16_t asid, Addr start, Addr end, TeaRegister& reg, TeaChange& change);
  uint64_t pages() const { return m_pages; }

 private:
  // Reserves `pages` contiguous TEA pages in the address spaces' table space, made what hardware
  // reads by the scheme. base: in table space; reg_base: what the register holds.
  bool alloc_area(uint64_t pages, Addr& base, Addr& reg_base, uint64_t& backed);
  TeaRegister tea_register(uint16_t asid, const TeaPlacer& placer, size_t index) const;
  // Moves the leaf tables of TEA `index` of asid's placer into its pages (pages of `old`, the
  // area it replaces, are left to be freed with it; other TEAs' pages stay where they are).
  void move_into(uint16_t asid, size_t index, Addr old_base, uint64_t old_pages,
                 TeaChange& change);

  DmtMode m_mode;
  Scheme* m_scheme = nullptr;
  std::vector<std::unique_ptr<TeaPlacer>> m_placers;       // indexed by ASID
  // Host EPTs' TEAs, one placer per table.
  std::vector<std::pair<const AddressSpace*, std::unique_ptr<TeaPlacer>>> m_host_placers;
  std::vector<TeaRegister> m_host_regs[3];
  uint64_t m_pages = 0;
};

}  // namespace mmusim
