#include "models/software.h"

namespace mmusim {

const char* exit_reason_name(ExitReason r) {
  switch (r) {
    case ExitReason::kEptViolation: return "ept_violation";
    case ExitReason::kShadowFill: return "shadow_fill";
    case ExitReason::kShadowPtWrite: return "shadow_pt_write";
    case ExitReason::kGuestFault: return "guest_fault";
    case ExitReason::kCr3Write: return "cr3_write";
    case ExitReason::kReflected: return "reflected_to_l1";
    case ExitReason::kEpt02Fill: return "ept02_fill";
    case ExitReason::kHypercall: return "hypercall";
    case ExitReason::kAgileScan: return "agile_scan";
    case ExitReason::kIpiSend: return "ipi_send";
    case ExitReason::kIpiDelivery: return "ipi_delivery";
    case ExitReason::kInvlpg: return "invlpg";
    case ExitReason::kCount: break;
  }
  return "?";
}

}  // namespace mmusim
