#include "tlm/translation_ext.h"

namespace mmusim {

const char* served_by_name(ServedBy s) {
  switch (s) {
    case ServedBy::kNone: return "none";
    case ServedBy::kL1Tlb: return "l1_tlb";
    case ServedBy::kStlb: return "stlb";
    case ServedBy::kWalk: return "walk";
  }
  return "?";
}

}  // namespace mmusim
