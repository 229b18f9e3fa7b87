// The simulated machine's parameters as the configuration gives them: which translation scheme,
// its tables' shapes and page policies, its physical spaces, and the features it composes
// (HugeGPT's table pool, DMT). models/scheme_factory.cpp is the one place that reads `virt` and
// `nested_walk` to build a scheme.
#pragma once

#include "models/address_space.h"
#include "models/tea_allocator.h"

namespace mmusim {

// none: native paging. ept: hardware walks guest table x EPT. shadow: the hypervisor keeps a
// gVA -> hPA shadow table per guest address space and hardware walks that like a native table.
// nested: an L2 guest under an L1 hypervisor (EPT12) under L0 (EPT01), walked per NestedWalk.
// agile: Agile Paging, walks start in a shadow table and switch to nested (2D) mode where the
// hypervisor's policy put a switching entry.
enum class Virtualization : uint8_t { kNone, kEpt, kShadow, kNested, kAgile };
const char* virtualization_name(Virtualization v);

// shadow_ept: L0 composes EPT12 and EPT01 into EPT02, hardware walks L2 table x EPT02 (as KVM).
// hw3d: a hypothetical hardware walk of L2 table x EPT12 x EPT01.
enum class NestedWalk : uint8_t { kShadowEpt, kHw3d };

// A dimension's page table: x86-64 / EPT radix, FPT's flattened radix (Park et al., ASPLOS'22), or
// elastic cuckoo page tables (Skarlatos et al., ASPLOS'20).
enum class TableKind : uint8_t { kRadix, kFpt, kEcpt };

// Agile Paging's hypervisor policy (Gandhi, Hill, Swift, ISCA'16): a shadowed guest page-table
// page written `write_threshold` times between two scans goes nested with everything below it;
// every `scan_every` accesses the hypervisor scans the nested pages and shadows again the ones
// the guest did not write since the last scan.
struct AgileParams {
  uint32_t write_threshold = 2;  // "more than one modification"
  uint64_t scan_every = 100000;  // accesses (not time, so LT and AT convert at the same points)
};

// Defaults: configs/default.yaml's machine (EPT, 4-level radix tables, 4K pages, a 64 GiB guest
// on a 128 GiB host; the seeds are those of system.seed 1).
struct MachineParams {
  Virtualization virt = Virtualization::kEpt;
  NestedWalk nested_walk = NestedWalk::kShadowEpt;
  unsigned levels = 4;       // native or (L2) guest levels
  unsigned host_levels = 4;  // EPT levels (EPT12 and EPT01 alike)
  TableKind page_table = TableKind::kRadix;       // native or (L2) guest tables, shadow tables
  TableKind host_page_table = TableKind::kRadix;  // EPT, EPT12, EPT01 and EPT02
  EcptParams ecpt = [] {                          // ECPT tables' geometry and resizing
    EcptParams e;
    e.seed = 6;
    return e;
  }();
  PagePolicy guest_pages{PageSize::k4K, 1.0, 4};  // native or (L2) guest page policy
  PagePolicy host_pages{PageSize::k4K, 1.0, 5};   // EPT, EPT12 and EPT01
  FrameAllocatorParams guest_frames{0, Addr{64} << 30, false, 3};  // (L2) guest-physical space
  FrameAllocatorParams l1_frames{0, Addr{96} << 30, false, 5};     // L1's (nested only)
  FrameAllocatorParams host_frames{0, Addr{128} << 30, false, 4};  // host-physical space
  uint16_t vpid = 1;                  // the VM's tag (virtualized only)
  TablePool table_pool;               // HugeGPT's page-table pool (schemes that accept it)
  DmtMode dmt = DmtMode::kOff;        // DMT leaf lookup (schemes that accept it)
  AgileParams agile;                  // Agile Paging's policy (virtualization agile only)
};

}  // namespace mmusim
