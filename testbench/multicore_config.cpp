#include "testbench/multicore_config.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/rng.h"

namespace mmusim {

namespace {

// Bytes from one core's private region to the next: its VMAs and gaps, and room for the most
// its last VMA can grow (a growth every grow_every of the core's accesses, warm-up included), to
// a 1 GiB boundary.
uint64_t private_span(const SimConfig& cfg) {
  const SyntheticParams& w = cfg.workload;
  const uint64_t growths = w.grow_every ? (w.count + cfg.warmup) / w.grow_every : 0;
  const long double bytes = static_cast<long double>(w.footprint) +
                            static_cast<long double>(w.vmas - 1u) * w.vma_gap +
                            static_cast<long double>(growths) * w.grow_bytes;
  const long double gib = static_cast<long double>(uint64_t{1} << 30);
  return static_cast<uint64_t>(std::min(std::ceil(bytes / gib) * gib, 0x1p63L));
}

}  // namespace

void read_cores(ConfigNode& sys, SimConfig& cfg) {
  cfg.cores = static_cast<unsigned>(sys.get_uint(
      "cores", 1, 1, 256,
      "cores (vCPUs), each with its own TLBs, PWCs, nested TLB, walker, DMT registers, L1D and "
      "L2; the LLC, DRAM, memory, page tables, OS and hypervisor are shared, and mapping "
      "changes are shot down on the other cores (software.shootdown)"));
}

void read_sharing(ConfigNode& wl, SimConfig& cfg) {
  cfg.private_regions =
      wl.get_enum("sharing", "shared", {"shared", "private"},
                  "several cores: shared = every core's stream covers the same region (threads "
                  "of one process); private = core c's region starts c x its span (its VMAs, "
                  "their gaps and room for their growth, rounded to 1 GiB) above "
                  "workload.base") == "private";
  const SyntheticParams& w = cfg.workload;
  const unsigned va_bits = cfg.machine.levels == 5 ? 57 : 48;
  const long double end = static_cast<long double>(w.base) +
                          static_cast<long double>(cfg.cores) * private_span(cfg);
  if (cfg.private_regions && cfg.cores > 1 && end > static_cast<long double>(Addr{1} << va_bits))
    wl.fail("sharing", "the " + std::to_string(cfg.cores) +
                           " cores' private regions end beyond the " + std::to_string(va_bits) +
                           "-bit virtual address space");
}

void read_shootdown_costs(ConfigNode& sw, ShootdownCosts& c) {
  ConfigNode s = sw.section(
      "shootdown", "several cores: TLB shootdowns, as Linux's flush_tlb_mm_range does them (an "
                   "IPI to each other core running the address space, a wait for every "
                   "acknowledgement); modelling defaults");
  const uint64_t kMax = uint64_t{1} << 32;
  c.ipi_send = s.get_uint("ipi_send", c.ipi_send, 0, kMax,
                          "the initiator's ICR write for one target");
  c.ipi_delivery = s.get_uint("ipi_delivery", c.ipi_delivery, 0, kMax,
                              "from the ICR write to the target's interrupt entry");
  c.handler = s.get_uint("handler", c.handler, 0, kMax,
                         "the target's interrupt entry, flush function and return, without its "
                         "invalidations (software.invlpg each, or full_flush)");
  c.ack = s.get_uint("ack", c.ack, 0, kMax,
                     "the target's acknowledgement reaching the spinning initiator");
  c.full_flush = s.get_uint("full_flush", c.full_flush, 0, kMax,
                            "a target's flush of the whole address space (INVPCID "
                            "single-context), and a core's on switching back to an address "
                            "space a shootdown changed while it was away");
  c.flush_ceiling = static_cast<uint32_t>(s.get_uint(
      "flush_ceiling", c.flush_ceiling, 0, 1u << 20,
      "targets flush the whole address space when a shootdown covers more pages (Linux's "
      "tlb_single_page_flush_ceiling)"));
  c.icr_exit = s.get_uint("icr_exit", c.icr_exit, 0, kMax,
                          "virtualized: the hypervisor emulating a guest ICR write, on top of "
                          "software.vm_exit (none with ipi_virtualization)");
  c.inject = s.get_uint("inject", c.inject, 0, kMax,
                        "virtualized without posted interrupts: the exit that injects the IPI "
                        "into a running target, on top of software.vm_exit");
  c.shadow_invlpg = s.get_uint("shadow_invlpg", c.shadow_invlpg, 0, kMax,
                               "shadow paging and Agile Paging: the hypervisor handling a guest "
                               "invlpg or flush it intercepts, on top of software.vm_exit");
  c.ipi_virtualization = s.get_bool("ipi_virtualization", c.ipi_virtualization,
                                    "Intel IPI virtualization: guest ICR writes do not exit");
  c.pv_send_ipi = s.get_bool("pv_send_ipi", c.pv_send_ipi,
                             "KVM's paravirtual send-IPI: one hypercall (one exit) sends a "
                             "shootdown's IPIs to every target, not an exit per ICR write");
  c.posted_interrupts = s.get_bool("posted_interrupts", c.posted_interrupts,
                                   "IPIs reach a running vCPU without an exit");
  c.pv_tlb_flush = s.get_bool("pv_tlb_flush", c.pv_tlb_flush,
                              "KVM's paravirtual TLB flush: a descheduled vCPU is not sent an "
                              "IPI or waited for; the host flushes its TLB before it runs");
  c.vcpu_preempted = s.get_double("vcpu_preempted", c.vcpu_preempted, 0.0, 1.0,
                                  "virtualized: chance that a target vCPU is descheduled when "
                                  "a shootdown reaches it (drawn from system.seed)");
  c.vcpu_resume = s.get_uint("vcpu_resume", c.vcpu_resume, 0, kMax,
                             "without pv_tlb_flush: cycles the initiator waits for a "
                             "descheduled target to run again and take its IPI");
}

void check_cores(ConfigNode& sys, const SimConfig& cfg) {
  if (cfg.cores == 1) return;
  const std::string n = std::to_string(cfg.cores);
  if (cfg.workload.kind == "trace" && !cfg.threads_per_core)
    sys.fail("cores", n + " cores replay a trace's threads with workload.threads: per_core, "
                          "not " + (cfg.trace.process_per_thread ? "process_per_thread"
                                                                 : "same_process"));
  if (cfg.mmu.dmt_impl == DmtImpl::kRtl)
    sys.fail("cores", n + " cores use the DMT unit's model; mmu.dmt.impl rtl runs on one core");
}

TraceWorkloadParams core_trace(const SimConfig& cfg, unsigned core) {
  TraceWorkloadParams p = cfg.trace;
  p.core = core;
  p.cores = cfg.cores;
  return p;
}

SyntheticParams core_workload(const SimConfig& cfg, unsigned core) {
  SyntheticParams p = cfg.workload;
  p.count += cfg.warmup;
  if (core == 0) return p;
  p.seed = hash64(cfg.workload.seed, core);
  p.first_asid = static_cast<uint16_t>(core % p.processes + 1);
  if (cfg.private_regions) p.base += core * private_span(cfg);
  return p;
}

}  // namespace mmusim
