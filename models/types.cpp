#include "models/types.h"

#include <cstring>

namespace mmusim {

const char* page_size_name(PageSize s) {
  switch (s) {
    case PageSize::k4K: return "4K";
    case PageSize::k2M: return "2M";
    case PageSize::k1G: return "1G";
  }
  return "?";
}

bool parse_page_size(const char* text, PageSize& out) {
  if (std::strcmp(text, "4K") == 0) out = PageSize::k4K;
  else if (std::strcmp(text, "2M") == 0) out = PageSize::k2M;
  else if (std::strcmp(text, "1G") == 0) out = PageSize::k1G;
  else return false;
  return true;
}

const char* access_kind_name(AccessKind k) {
  switch (k) {
    case AccessKind::kLoad: return "load";
    case AccessKind::kStore: return "store";
    case AccessKind::kFetch: return "fetch";
  }
  return "?";
}

const char* fault_kind_name(FaultKind k) {
  switch (k) {
    case FaultKind::kNone: return "none";
    case FaultKind::kNotPresent: return "not_present";
    case FaultKind::kProtection: return "protection";
    case FaultKind::kEptViolation: return "ept_violation";
  }
  return "?";
}

}  // namespace mmusim
