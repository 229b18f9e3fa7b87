// Cycles the emulated system software costs: the (guest) OS's handlers and the hypervisor's VM
// exits. Defaults are modelling choices, documented with the config keys (`software:`).
#pragma once

#include "models/types.h"

namespace mmusim {

struct SoftwareCosts {
  Cycles vm_exit = 1200;           // VM exit + VM entry round trip, charged on every exit
  Cycles ept_violation = 3000;     // hypervisor backing an unbacked guest-physical page
  Cycles guest_page_fault = 2500;  // (guest) OS page-fault handler mapping an anonymous page
  Cycles context_switch = 3000;    // (guest) OS context switch, without the TLB refill it causes
  Cycles unmap_page = 300;         // (guest) OS clearing one page's entry and freeing its frame
  Cycles invlpg = 200;             // invalidating one page's translations (TLB and PWC)
};

}  // namespace mmusim
