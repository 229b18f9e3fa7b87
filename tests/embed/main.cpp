// A 4-level radix page table in simulated physical memory, built with mmusim's models: pages
// mapped, then walked by mmusim's walker and checked against the address space's oracle. Then
// the same table behind mmusim's SystemC MMU and memory: a thread translates through the TLBs
// and the page walker. Exits 1 on any wrong answer.
#include <cstdio>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/address_space.h"
#include "models/frame_allocator.h"
#include "models/phys_mem.h"
#include "models/scheme.h"
#include "models/walker.h"
#include "tlm/memory.h"
#include "tlm/mmu.h"

using namespace mmusim;

namespace {

int failures = 0;

void check(bool ok, const char* what, Addr va) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s (va 0x%llx)\n", what, static_cast<unsigned long long>(va));
    ++failures;
  }
}

struct Page {
  Addr va;
  PageSize size;
  Addr frame = 0;
};

// One native address space: its table pages and its data frames in one physical space.
struct Native : WalkRoots {
  PhysMem mem;
  FrameAllocator frames{"frames", FrameAllocatorParams{}};
  HostTableMemory tables{mem, frames};
  AddressSpace space{"native", PtFormat::kX86, 4, tables, frames, PagePolicy{}};

  unsigned walk_dims(Context, WalkDim* out) const override {
    out[0] = WalkDim{};
    out[0].root = space.root();
    out[0].levels = static_cast<uint8_t>(space.levels());
    out[0].format = space.format();
    return 1;
  }
};

// The walker reads the table straight from physical memory: one reference per level down to
// the leaf, and the leaf's frame plus the offset.
void walk_models(Native& n, std::vector<Page>& pages) {
  Walker walker;
  DirectWalkMemory mem(n.mem);
  WalkDim dim;
  n.walk_dims(Context{}, &dim);
  for (const Page& p : pages) {
    const Addr va = p.va + 0x123;
    WalkResult r;
    walker.walk(&dim, 1, va, AccessKind::kLoad, mem, r);
    check(r.ok(), "walk faulted", va);
    check(r.pa == p.frame + 0x123, "walk's physical address", va);
    check(r.size == p.size, "walk's page size", va);
    check(r.nrefs == (p.size == PageSize::k4K ? 4 : 3), "walk's references", va);
    Mapping m;
    check(n.space.oracle().lookup(va, m) && m.translate(va) == r.pa, "oracle", va);
  }
  WalkResult r;
  walker.walk(&dim, 1, 0x7000'0000'0000ULL, AccessKind::kLoad, mem, r);
  check(!r.ok(), "an unmapped page translated", 0x7000'0000'0000ULL);
}

// Sends each page's translation twice through the MMU: the first walks (4 or 3 references),
// the second hits the L1 DTLB; both give the walker's physical address.
struct Core : sc_core::sc_module {
  SC_HAS_PROCESS(Core);
  InitiatorSocket<Core> socket{"socket"};
  const std::vector<Page>& pages;
  unsigned done = 0;

  Core(sc_core::sc_module_name name, const std::vector<Page>& p) : sc_module(name), pages(p) {
    SC_THREAD(run);
  }

  void translate(Addr va, Addr expect_pa, ServedBy expect_by) {
    TranslationExt ext;
    uint64_t data = 0;
    tlm::tlm_generic_payload gp;
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    gp.set_data_length(sizeof data);
    gp.set_streaming_width(sizeof data);
    gp.set_address(va);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    ext.start(va, AccessKind::kLoad, Context{});
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    gp.clear_extension(&ext);
    check(gp.is_response_ok() && !ext.fault, "MMU response", va);
    check(ext.pa == expect_pa, "MMU's physical address", va);
    check(ext.served_by == expect_by, "MMU's serving structure", va);
    check(delay > sc_core::SC_ZERO_TIME, "MMU's latency", va);
    wait(delay);
    ++done;
  }

  void run() {
    for (const Page& p : pages) {
      translate(p.va + 0x40, p.frame + 0x40, ServedBy::kWalk);
      translate(p.va + 0x80, p.frame + 0x80, ServedBy::kL1Tlb);
    }
  }
};

}  // namespace

int sc_main(int, char*[]) {
  Native n;
  check(n.space.init(), "page table root", 0);
  std::vector<Page> pages = {{0x1000'0000ULL, PageSize::k4K},
                             {0x1000'1000ULL, PageSize::k4K},
                             {0x5555'0000'0000ULL, PageSize::k4K},
                             {0x7f00'0020'0000ULL, PageSize::k2M}};
  for (Page& p : pages) {
    check(n.frames.alloc(p.size, p.frame), "frame", p.va);
    check(n.space.map_to(p.va, p.frame, p.size), "map", p.va);
  }
  walk_models(n, pages);

  Clock clock(2000.0);
  // The params structs' defaults: configs/default.yaml's caches, TLBs and PWCs.
  Memory memory("memory", n.mem, clock, MemoryParams{});
  Mmu mmu("mmu", MmuParams{}, clock, n, 4, 4);
  mmu.mem_port().bind(memory.socket);
  Core core("core", pages);
  core.socket.bind(mmu.cpu);
  sc_core::sc_start();
  check(core.done == 2 * pages.size(), "translations done", 0);
  check(sc_core::sc_time_stamp() > sc_core::SC_ZERO_TIME, "simulated time", 0);

  if (failures) {
    std::fprintf(stderr, "%d failures\n", failures);
    return 1;
  }
  std::printf("embed: %zu pages walked and translated through the MMU in %s\n", pages.size(),
              sc_core::sc_time_stamp().to_string().c_str());
  return 0;
}
