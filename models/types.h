// Address types, page sizes, access kinds and faults shared by every model.
#pragma once

#include <cstdint>
#include <cstring>

namespace mmusim {

using Addr = uint64_t;
using Cycles = uint64_t;

constexpr unsigned kPageShift = 12;
constexpr Addr kPageBytes = Addr{1} << kPageShift;
constexpr unsigned kEntriesPerTable = 512;
constexpr unsigned kMaxLevels = 5;

enum class PageSize : uint8_t { k4K = 0, k2M = 1, k1G = 2 };
constexpr unsigned kNumPageSizes = 3;

constexpr unsigned page_shift(PageSize s) { return 12 + 9 * static_cast<unsigned>(s); }
constexpr Addr page_bytes(PageSize s) { return Addr{1} << page_shift(s); }
constexpr Addr page_mask(PageSize s) { return page_bytes(s) - 1; }
constexpr Addr page_base(Addr a, PageSize s) { return a & ~page_mask(s); }
// Radix level whose entry maps a page of this size: 4K -> 1 (PTE), 2M -> 2 (PDE), 1G -> 3 (PDPTE).
constexpr unsigned leaf_level(PageSize s) { return 1 + static_cast<unsigned>(s); }
constexpr PageSize smaller(PageSize a, PageSize b) { return a < b ? a : b; }
const char* page_size_name(PageSize s);
bool parse_page_size(const char* text, PageSize& out);

enum class AccessKind : uint8_t { kLoad = 0, kStore = 1, kFetch = 2 };
const char* access_kind_name(AccessKind k);

// Permissions carried by a mapping; a translation's are the AND of every dimension's.
// One byte (bit-fields): a Perms is copied, and read back, whole. Separate bools were written
// byte by byte and read back as a wider word, which the host cannot forward from its store
// buffer (a stall on every translation).
struct Perms {
  bool write : 1;
  bool exec : 1;
  bool user : 1;
  uint8_t zero_ : 5;  // always 0: the byte is then a plain mask, which & and == work on whole
  constexpr Perms() : write(true), exec(true), user(true), zero_(0) {}
  constexpr Perms(bool w, bool x, bool u) : write(w), exec(x), user(u), zero_(0) {}
  bool allows(AccessKind k) const {
    return k == AccessKind::kStore ? write : k == AccessKind::kFetch ? exec : true;
  }
  Perms operator&(Perms o) const { return from_mask(mask() & o.mask()); }
  bool operator==(Perms o) const { return mask() == o.mask(); }

 private:
  uint8_t mask() const {
    uint8_t m;
    std::memcpy(&m, this, 1);
    return m;
  }
  static Perms from_mask(uint8_t m) {
    Perms p;
    std::memcpy(&p, &m, 1);
    return p;
  }
};
static_assert(sizeof(Perms) == 1, "Perms is one byte");

enum class FaultKind : uint8_t {
  kNone = 0,
  kNotPresent,     // guest/native entry not present: a page fault for the (guest) OS
  kProtection,     // guest/native leaf forbids the access
  kEptViolation,   // host (EPT) entry not present or forbids the access: exit to the hypervisor
};
const char* fault_kind_name(FaultKind k);

// A fault found by a walk: which dimension (0 = guest or native), at which level, on which address
// of that dimension's input space.
struct Fault {
  FaultKind kind = FaultKind::kNone;
  uint8_t dim = 0;
  uint8_t level = 0;
  Addr addr = 0;
  explicit operator bool() const { return kind != FaultKind::kNone; }
};

// Address-space and VM tags carried by TLB and PWC entries.
struct Context {
  uint16_t asid = 0;  // PCID of the (guest) address space
  uint16_t vpid = 0;  // VM id; 0 = host / native
  uint32_t key() const { return (uint32_t{vpid} << 16) | asid; }
};

}  // namespace mmusim
