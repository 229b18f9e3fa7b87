// Cycles the emulated system software costs: the (guest) OS's handlers and the hypervisor's VM
// exits. Defaults are modelling choices, documented with the config keys (`software:`).
#pragma once

#include "models/types.h"

namespace mmusim {

// TLB shootdowns between cores (system.cores > 1; `software.shootdown`). Linux's x86 path:
// flush_tlb_mm_range invalidates locally, sends one IPI per other core in the address space's
// cpumask, and spins until each target's flush function has run and acknowledged.
struct ShootdownCosts {
  Cycles ipi_send = 200;       // the initiator's ICR write for one target (x2APIC MSR write)
  Cycles ipi_delivery = 1000;  // from that write to the target's interrupt entry
  Cycles handler = 800;        // the target's interrupt entry, flush function and return,
                               // without its invalidations (invlpg each, or full_flush)
  Cycles ack = 200;            // the target's acknowledgement reaching the spinning initiator
  Cycles full_flush = 400;     // a flush of an address space's translations (INVPCID
                               // single-context, or a CR3 write)
  uint32_t flush_ceiling = 33; // Linux's tlb_single_page_flush_ceiling: more pages, full flush
  // Virtualized (each on top of vm_exit).
  Cycles icr_exit = 1000;      // the hypervisor emulating a guest ICR write (no IPI virtualization)
  Cycles inject = 600;         // the hypervisor injecting an IPI into a target it kicked out of
                               // the guest (no posted interrupts)
  Cycles shadow_invlpg = 800;  // shadow paging: the hypervisor handling a trapped guest invlpg
  bool ipi_virtualization = false;  // Intel IPI virtualization: guest ICR writes do not exit
  bool pv_send_ipi = true;          // KVM's PV send-IPI: one hypercall sends to every target
  bool posted_interrupts = true;    // IPIs reach running vCPUs without exiting them
  bool pv_tlb_flush = true;    // KVM's paravirtual flush: a preempted vCPU is not waited for;
                               // the host flushes its TLB before it next runs
  double vcpu_preempted = 0.0; // chance that a target vCPU is descheduled when the IPI is sent
  Cycles vcpu_resume = 200000; // cycles until a descheduled vCPU runs again and takes the IPI
};

struct SoftwareCosts {
  Cycles vm_exit = 2500;           // VM exit + entry round trip with the hypervisor's paths
  Cycles ept_violation = 3000;     // hypervisor backing an unbacked guest-physical page
  Cycles guest_page_fault = 2500;  // (guest) OS page-fault handler mapping an anonymous page
  Cycles context_switch = 3000;    // (guest) OS context switch, without the TLB refill it causes
  Cycles unmap_page = 300;         // (guest) OS clearing one page's entry and freeing its frame
  Cycles invlpg = 200;             // invalidating one page's translations (TLB and PWC)
  Cycles mprotect_page = 150;      // (guest) OS rewriting one page's entry in mprotect
  Cycles wp_fault = 2000;          // (guest) OS write fault on a write-protected page of a
                                   // writable VMA: the entry made writable again
  Cycles migrate_page = 6000;      // (guest) OS migrating one 4 KiB page: a new frame, the
                                   // copy, the entry rewritten, the old frame freed
  // Shadow paging (hypervisor handlers, each on top of vm_exit).
  Cycles shadow_fill = 1500;       // shadow miss with the guest entry present: walk it, fill
  Cycles shadow_pt_write = 1500;   // trapped guest page-table write: emulate it, sync the shadow
  Cycles fault_injection = 800;    // reflect a real guest page fault into the guest
  Cycles cr3_write = 1000;         // trapped guest CR3 write: switch shadow roots
  // Agile Paging (hypervisor work inside an exit).
  Cycles agile_convert = 2000;      // switching a subtree's mode: shadow entries dropped or a
                                    // switching entry set or cleared, the walk caches flushed
  Cycles agile_scan = 2000;         // the periodic scan of the nested pages' dirty bits
  Cycles agile_rebuild_entry = 100; // composing one shadow entry while shadowing a subtree again
  // Nested virtualization.
  Cycles exit_multiplier = 8;      // L0 exits one L2 exit reflected to L1 costs (L1's handler traps)
  Cycles ept02_fill = 1500;        // L0 composing an EPT02 entry from EPT12 and EPT01
  // HugeGPT.
  Cycles hypercall = 3000;         // the host backing a 2 MiB pool segment with a 2 MiB page
  // VMA growth and DMT.
  Cycles vma_growth = 1500;        // (guest) OS extending a VMA (brk, mremap), its TEA register
  Cycles tea_growth = 5000;        // (guest) OS allocating a new or doubled TEA, freeing the old
  Cycles tea_move_page = 600;      // copying one leaf table into the new TEA, repointing its PDE
  Cycles tea_hypercall = 3000;     // pvDMT: the host making a new guest TEA host-contiguous
  // ECPT.
  Cycles ecpt_rehash_line = 100;   // the OS moving one 64-byte line while a table resizes
  ShootdownCosts shootdown;
};

}  // namespace mmusim
