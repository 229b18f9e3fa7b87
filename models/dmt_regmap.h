// The register map of the RTL DMT unit (rtl/dmt_pkg.sv, rtl/dmt_unit.sv): how a TeaRegister is
// laid out in the unit's four 64-bit words, which word address each has, and which registers
// the unit can hold. The transactor (tlm/dmt_rtl) and the differential test use it.
#pragma once

#include <string>

#include "models/dmt.h"

namespace mmusim {
namespace dmt_regmap {

constexpr unsigned kVaBits = 57;            // addresses looked up; START
constexpr unsigned kEndBits = kVaBits + 1;  // END is exclusive: 2^57 ends a range at the top
constexpr unsigned kPaBits = 52;            // leaf entry (physical) addresses
constexpr unsigned kEntryLsb = 3;           // entries are 8 bytes: BASE keeps bits [51:3]
constexpr unsigned kCtrlValid = 0, kCtrlHuge = 1, kCtrlTagLsb = 32;
constexpr unsigned kSets = 3;
enum Word : unsigned { kStart = 0, kEnd = 1, kBase = 2, kCtrl = 3 };
constexpr unsigned kWords = 4;

constexpr uint64_t mask(unsigned bits) {
  return bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
}
constexpr uint64_t kBaseMask = mask(kPaBits) & ~mask(kEntryLsb);

// Bits of a register index for `entries` registers per set (at least 1), as the RTL's IdxWidth.
inline unsigned index_bits(unsigned entries) {
  unsigned bits = 1;
  while ((1u << bits) < entries) ++bits;
  return bits;
}

// Word address {set, index, word}.
inline uint32_t word_addr(unsigned set, unsigned index, unsigned word, unsigned idx_bits) {
  return (((set << idx_bits) | index) << 2) | word;
}

// The word as the unit holds it (and reads it back): unused bits zero.
inline uint64_t encode(const TeaRegister& r, unsigned word) {
  switch (word) {
    case kStart:
      return r.start & mask(kVaBits);
    case kEnd:
      return r.end & mask(kEndBits);
    case kBase:
      return r.base & kBaseMask;
    default:
      return (uint64_t{r.valid} << kCtrlValid) | (uint64_t{r.shift == 21} << kCtrlHuge) |
             (uint64_t{r.tag} << kCtrlTagLsb);
  }
}

// A write of one word: the fields it holds take the value's bits, unused bits are dropped.
inline void apply(TeaRegister& r, unsigned word, uint64_t value) {
  switch (word) {
    case kStart:
      r.start = value & mask(kVaBits);
      break;
    case kEnd:
      r.end = value & mask(kEndBits);
      break;
    case kBase:
      r.base = value & kBaseMask;
      break;
    default:
      r.valid = (value >> kCtrlValid) & 1;
      r.shift = (value >> kCtrlHuge) & 1 ? 21 : 12;
      r.tag = static_cast<uint32_t>(value >> kCtrlTagLsb);
  }
}

// Why the unit cannot hold r exactly (empty when it can): fields wider than the unit's, a shift
// other than 12 or 21, or a valid TEA that does not lie below 2^52.
inline std::string unrepresentable(const TeaRegister& r) {
  if (r.start > mask(kVaBits)) return "start is beyond the 57-bit address space";
  if (r.end > mask(kVaBits) + 1) return "end is beyond the 57-bit address space";
  if (r.base & ~kBaseMask) return "base is not an 8-byte aligned address below 2^52";
  if (r.shift != 12 && r.shift != 21) return "shift is neither 12 nor 21";
  if (r.valid && r.start < r.end && tea_entry(r, r.end - 1) > mask(kPaBits) - 7)
    return "the TEA reaches beyond the 52-bit physical address space";
  return {};
}

}  // namespace dmt_regmap
}  // namespace mmusim
