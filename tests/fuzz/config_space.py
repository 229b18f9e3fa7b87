#!/usr/bin/env python3
"""Config-space property test: random valid configs end in exit 0 (LT = AT) or exit 2.

usage: tests/fuzz/config_space.py --mmusim build/mmusim [--config configs/default.yaml]
           [--count N] [--seed S] [--out DIR] [--timeout SECONDS] [--accesses N]
           [--only I[,I...]] [--keep-going]

Draws `--count` configs from the schema `mmusim params` prints (every key drawn is checked
against it before the first run), each as a list of `--set KEY=VALUE` over `--config`, and runs
each in LT (`sim.timing=lt`); when that exits 0, the same config again in AT. Every config must
end in one of two ways:
  * exit 0 in LT and in AT, `"oracle_mismatches": 0` in both stats.json, and the same functional
    stats in both (compared as tests/cli/simulated_stats.cmake's functional_lines does: the
    wall-clock lines, the timing lines and the translation latency distribution left out,
    trailing commas dropped);
  * exit 2 with `mmusim: config error: <where>: <key>: <message>` naming a key (an illegal
    combination: a feature the scheme refuses, entries not a multiple of ways, a region beyond
    the address space, ...).
Anything else is a failure: a signal (crash, abort), a hang past --timeout, exit 1 (counted by its
message: "simulated physical memory exhausted" would be legitimate only for a config that asks for
more memory than it gives, and the generator sizes memory so that every config fits), another
exit code, an oracle mismatch, or LT != AT. Each failure is written to --out as
NNNN-<outcome>.txt: the command line (the --set list, runnable as is), the exit code and stderr
(and the functional diff for LT != AT). The summary prints the outcome counts.

Config i is drawn from random.Random("<seed>:<i>") alone, so the same seed draws the same configs
and `--only I` redraws config I of a larger run.

Sub-ranges (every value is inside the schema's range; the sub-ranges keep a run well under a
second and its set-up small, and favour the values where the code has edges):
  * workload.count: --accesses (default 3000) +- 50%; workload.warmup 0 or up to count/2:
    thousands of accesses touch every TLB, PWC and cache path but take milliseconds.
  * workload.footprint_mib 1..256 (mostly powers of two) x processes 1..6, vmas a power of two up
    to 64 (3%: 3, 5 or 7, a split into whole pages may fail, an allowed exit 2), vma_gap_kib 0,
    a few pages, 2 MiB, or up to 1 GiB (a multiple of 4; 1% not);
    vma_growth every 0 or 50..2000 accesses, 1..64 MiB: the memory the OS maps stays at most a
    few GiB however the pages are backed.
  * system.{guest,host,l1}_mem_gib: sized to fit: guest memory holds every process's region
    rounded up to 1 GiB (1G pages back whole GiBs) plus growth plus page tables and TEAs, and
    1..8 GiB more; L1 and host memory hold that plus 1..8 GiB each (at most a few hundred GiB:
    the schema allows 4 PiB, but the frame allocators' set-up grows with memory).
  * workload.base: a random 1 GiB-aligned address below 2^47 (2^55 with 5 levels); 5% at 0, 5%
    3% within 4 GiB of the top (2^48, or the schema's maximum 2^56 with 5 levels; with 4 levels the
    region may end beyond the address space: an allowed exit 2).
  * TLB arrays (itlb, dtlb, stlb, nested_tlb): half the time the defaults, else 1..3 arrays
    splitting a random subset of {4K, 2M, 1G}, ways 1..16, sets 0 (disabled), 1..64; 1% entries
    not a multiple of ways and 1% a page size held twice (allowed exit 2s). Policies lru, fifo,
    random; latencies 0..20.
  * PWC levels: entries 0 or ways x 1..16 sets, ways 1..8 (1% not a multiple: exit 2).
  * caches: line_bytes 8..256 (mostly 64), 0 (disabled) or ways (1..16) x sets (1..512)
    x line_bytes; policy lru/fifo/random or a quad-age LRU name drawn from the grammar (hit
    function one of the five measured, mX or mrXY, r0..r2, u0..u3, _umo), duel_with 25% of the
    qlru levels; 1% of names break the grammar's constraints (exit 2), 1% duel without qlru,
    1% a size that is not a multiple of ways x line_bytes.
  * DMT: registers 1..32, latency 0..5; impl rtl 3% (slow co-simulation; exit 2 unless dmt is on
    with 16 registers and latency 1); min_vma_mib 1..128; share_density 0, 0.5, 1 or uniform.
  * HugeGPT on 30% and DMT/pvDMT/ASAP on 40% of the configs whose scheme accepts them (`mmusim
    schemes`); 10% of the configs draw them whatever the scheme (a refusal: an allowed exit 2).
    HugeGPT pool 0 (1% of guest memory) or 1..64 MiB. ASAP ranges 1..32, latency 0..5.
  * page tables: radix 60%, FPT 20%, ECPT 20% (natively; 10% of ECPT draws stay virtualized:
    exit 2); FPT host tables on 30% of virtualized configs; ECPT ways 2..4 and lines 2^6..2^14;
    HugeGPT, DMT and ASAP dropped with FPT and ECPT but for 10% (refusals).
  * timing: clock 100..5000 MHz, quantum 1..10^6 cycles (log-uniform), max_inflight 1..8,
    max_outstanding 1..32, mshrs 0..16, latencies 0..300, DRAM banks 1..64, rows 1..64 KiB.
  * software costs 0..10000 cycles; max_fault_retries 1..8; stats.step_vectors 0..40,
    event log on 10% (every 1..500 accesses).
  * several cores on 25%: 2..8 cores, sharing shared or private (memory sized for a region per
    core), sim.interleave above 1 on 30% of them (an LT-only key: those run in LT alone),
    shootdown costs 0..10000, flush ceiling 0..64, the virtualized IPI and flush options,
    vcpu_preempted 0..1. Their draws come from a generator seeded from the config's own, after
    every other draw: adding them left the other draws of each config as they were.
"""
import argparse
import collections
import math
import os
import random
import re
import subprocess
import sys
import tempfile

GIB = 1 << 30
PAGE_SIZES = ["4K", "2M", "1G"]
HIT = ["21", "20", "11", "10", "00"]


# ---------------------------------------------------------------- generation

def log_uniform(r, lo, hi):
    return int(round(math.exp(r.uniform(math.log(lo), math.log(hi)))))


def pick_fraction(r):
    return r.choice([0, 0.25, 0.5, 1, round(r.random(), 3)])


def qlru_name(r, valid=True):
    h = r.choice(HIT)
    if r.random() < 0.35:
        x = r.randrange(4)
        y = r.choice([v for v in range(4) if v != x])
        m = "mr%d%d" % (x, y)
    else:
        m = "m%d" % r.randrange(4)
    victim = r.randrange(3)
    update = r.randrange(4) if victim == 1 else r.randrange(2)
    if not valid:  # a constraint of the grammar broken: u2/u3 need r1, or mrXX
        if r.random() < 0.5:
            victim, update = r.choice([0, 2]), r.choice([2, 3])
        else:
            x = r.randrange(4)
            m = "mr%d%d" % (x, x)
    name = "qlru_h%s_%s_r%d_u%d" % (h, m, victim, update)
    if r.random() < 0.3:
        name += "_umo"
    return name


def tlb_arrays(r, holds_1g=True):
    """A YAML flow map of 1..3 arrays over a subset of the page sizes."""
    sizes = [s for s in PAGE_SIZES if r.random() < 0.8]
    if not sizes:
        sizes = ["4K"]
    r.shuffle(sizes)
    n = r.randint(1, len(sizes))
    cuts = sorted(r.sample(range(1, len(sizes)), n - 1)) if n > 1 else []
    groups, start = [], 0
    for c in cuts + [len(sizes)]:
        groups.append(sizes[start:c])
        start = c
    if r.random() < 0.01:  # a page size held by two arrays: exit 2
        groups.append([groups[0][0]])
    parts = []
    for i, g in enumerate(groups):
        ways = r.choice([1, 2, 4, 4, 8, 12, 16])
        sets = r.choice([0, 1, 1, 2, 4, 8, 16, 64])
        entries = ways * sets
        if r.random() < 0.01 and ways > 1:
            entries = ways * max(sets, 1) + r.randint(1, ways - 1)  # exit 2
        parts.append("a%d: {sizes: [%s], entries: %d, ways: %d}" % (i, ", ".join(g), entries, ways))
    return "{" + ", ".join(parts) + "}"


def draw(r, accesses):
    """One config: an ordered list of (key, value) for --set."""
    s = []

    def put(k, v):
        if isinstance(v, bool):
            v = "true" if v else "false"
        s.append((k, str(v)))

    # --- scheme and features
    virt = r.choice(["none", "ept", "ept", "shadow", "nested", "nested"])
    put("system.virtualization", virt)
    if virt == "nested" or r.random() < 0.1:
        put("system.nested_walk", r.choice(["shadow_ept", "hw3d"]))
    levels = r.choice([4, 4, 5])
    put("system.levels", levels)
    put("system.host_levels", r.choice([4, 4, 5]))
    gpage = r.choice(["4K", "4K", "2M", "1G"])
    put("system.guest_page", gpage)
    put("system.host_page", r.choice(["4K", "4K", "2M", "1G"]))
    put("system.guest_huge_fraction", pick_fraction(r))
    put("system.host_huge_fraction", pick_fraction(r))
    put("system.frames", r.choice(["sequential", "scatter"]))
    put("system.seed", r.randrange(1 << 32))
    put("system.vpid", r.choice([1, r.randint(1, 65535)]))
    put("system.pcid", r.random() < 0.6)
    # The features each scheme accepts (`mmusim schemes`); 10% of the configs draw them
    # regardless, for the refusals.
    walk = dict(s).get("system.nested_walk", "shadow_ept")
    scheme = "nested_" + walk if virt == "nested" else virt
    accepts = {"none": ["dmt", "asap"], "ept": ["hugegpt", "dmt", "pvdmt", "asap"],
               "shadow": [], "nested_shadow_ept": [], "nested_hw3d": ["pvdmt"]}[scheme]
    if r.random() < 0.1:
        accepts = ["hugegpt", "dmt", "pvdmt", "asap"]
    # Page-table designs: FPT anywhere, ECPT natively; neither with HugeGPT, DMT or ASAP (the
    # features are dropped for them, but for the 10% drawn regardless).
    table = r.choice(["radix", "radix", "radix", "fpt", "ecpt"])
    if table == "ecpt" and virt != "none" and r.random() < 0.9:
        table = "radix"
    put("system.page_table", table)
    if virt != "none" and r.random() < 0.3:
        put("system.host_page_table", r.choice(["radix", "fpt"]))
        if r.random() < 0.9 and dict(s).get("system.host_page_table") == "fpt":
            table = "fpt"
    if table == "ecpt" or r.random() < 0.05:
        put("system.ecpt_ways", r.randint(2, 4))
        put("system.ecpt_lines", r.choice([64, 128, 4096, 1 << r.randint(6, 14)]))
    if table != "radix" and r.random() < 0.9:
        accepts = []
    hugegpt = "hugegpt" in accepts and r.random() < 0.3
    if hugegpt:
        put("system.hugegpt", True)
        put("system.hugegpt_root", r.random() < 0.5)
        put("system.hugegpt_pool_mib", r.choice([0, 2, 4, r.randint(1, 64)]))
        put("system.hugegpt_host_accepts", r.random() < 0.8)
    modes = [m for m in ["dmt", "pvdmt", "asap"] if m in accepts]
    dmt = r.choice(modes) if modes and r.random() < 0.4 else "off"
    put("system.dmt", "off" if dmt == "asap" else dmt)
    put("system.asap", dmt == "asap")
    if dmt != "off" or r.random() < 0.1:
        put("system.dmt_min_vma_mib", r.choice([1, 2, 16, 64, r.randint(1, 128)]))
        put("system.dmt_share_density", r.choice([0, 0.5, 1, round(r.random(), 3)]))
        put("system.dmt_tea_growth", r.random() < 0.7)

    # --- workload (sizes decide memory below)
    count = max(1, int(accesses * r.uniform(0.5, 1.5)))
    put("workload.kind", r.choice(["sequential", "uniform", "uniform", "strided"]))
    put("workload.count", count)
    warmup = r.choice([0, 0, r.randint(1, max(1, count // 2))])
    put("workload.warmup", warmup)
    put("workload.seed", r.randrange(1 << 32))
    fp = r.choice([1, 2, 4, 16, 64, 128, 256, r.randint(1, 256)])
    put("workload.footprint_mib", fp)
    vmas = r.choice([1, 1, 2, 4, 8, 64]) if r.random() > 0.03 else r.choice([3, 5, 7])
    put("workload.vmas", vmas)
    gap_kib = r.choice([0, 0, 4, 64, 2048, 4 * r.randint(1, 1 << 18)])
    if r.random() < 0.01:
        gap_kib += 2  # not whole pages: exit 2
    put("workload.vma_gap_kib", gap_kib)
    # 1 GiB units below the top of the address space, and below the schema's maximum base
    va_gib = min(1 << ((57 if levels == 5 else 48) - 30), (1 << 56) >> 30)
    span_gib = (fp * 1024 + vmas * gap_kib) // (1 << 20) + 1
    u = r.random()
    if u < 0.05:
        base = 0
    elif u < 0.08:
        base = va_gib - r.randint(1, 4)  # may end beyond the address space: exit 2
    else:
        base = r.randint(0, va_gib // 2 - 1 - span_gib)
    put("workload.base", base * GIB)
    elem = r.choice([1, 4, 8, 8, 64, 4096])
    put("workload.element_bytes", elem)
    put("workload.stride", elem * r.choice([1, 8, 64, 512, r.randint(1, 4096)]))
    put("workload.store_fraction", pick_fraction(r))
    procs = r.choice([1, 1, 2, 3, 6])
    put("workload.processes", procs)
    put("workload.switch_every", r.choice([0, r.randint(1, 2000)]))
    put("workload.churn_every", r.choice([0, 0, r.randint(1, 2000)]))
    put("workload.churn_pages", r.choice([1, 64, r.randint(1, 512)]))
    put("workload.mprotect_every", r.choice([0, 0, r.randint(1, 2000)]))
    put("workload.mprotect_pages", r.choice([1, 64, r.randint(1, 512)]))
    put("workload.migrate_every", r.choice([0, 0, r.randint(1, 2000)]))
    put("workload.migrate_pages", r.choice([1, 16, r.randint(1, 512)]))
    grow_every = r.choice([0, 0, r.randint(50, 2000)])
    grow_mib = r.randint(1, 64)
    put("workload.vma_growth.every", grow_every)
    put("workload.vma_growth.mib", grow_mib)
    put("workload.prefault", r.random() < 0.5)

    # --- memory sized to fit: every process's region rounded up to whole GiB (1G pages), the
    # growth, 1 GiB for tables and TEAs, and slack
    growths = (count + warmup) // grow_every if grow_every else 0
    per_proc = fp + growths * grow_mib + 3 * 64  # churned pages refault; TEAs double
    need = procs * (-(-per_proc * (1 << 20) // GIB) + 1) + 1
    if gap_kib:
        need += procs * vmas  # VMAs apart: each may start a 1G page of its own
    guest = need + r.randint(1, 8)
    l1 = guest + r.randint(1, 8)
    host = l1 + r.randint(1, 8)
    put("system.guest_mem_gib", guest)
    put("system.l1_mem_gib", l1)
    put("system.host_mem_gib", host)

    # --- TLBs, PWCs, nested TLB
    for t in ["itlb", "dtlb", "stlb"]:
        put("mmu.%s.latency" % t, r.choice([0, 1, 7, r.randint(0, 20)]))
        put("mmu.%s.policy" % t, r.choice(["lru", "fifo", "random"]))
        if r.random() < 0.5:
            put("mmu.%s.arrays" % t, tlb_arrays(r))
    put("mmu.walker.nested_tlb.latency", r.randint(0, 5))
    put("mmu.walker.nested_tlb.policy", r.choice(["lru", "fifo", "random"]))
    if r.random() < 0.5:
        put("mmu.walker.nested_tlb.arrays", tlb_arrays(r))
    put("mmu.walker.pwc_latency", r.randint(0, 5))
    put("mmu.walker.max_inflight", r.choice([1, 2, 2, 4, 8]))
    for dim in ["guest", "host"]:
        put("mmu.walker.pwc.%s.policy" % dim, r.choice(["lru", "fifo", "random"]))
        for lvl in ["pml5", "pml4", "pdpt", "pd"]:
            if r.random() < 0.4:
                continue
            ways = r.choice([1, 2, 4, 8])
            entries = ways * r.choice([0, 1, 2, 4, 16])
            if r.random() < 0.01 and ways > 1:
                entries = ways + 1  # exit 2
            put("mmu.walker.pwc.%s.%s.ways" % (dim, lvl), ways)
            put("mmu.walker.pwc.%s.%s.entries" % (dim, lvl), entries)
    put("mmu.asap.ranges", r.choice([8, 8, 1, 2, r.randint(1, 32)]))
    put("mmu.asap.latency", r.choice([1, 1, 0, r.randint(0, 5)]))
    put("mmu.dmt.registers", r.choice([16, 16, 1, 2, 4, r.randint(1, 32)]))
    put("mmu.dmt.latency", r.choice([1, 1, 0, r.randint(0, 5)]))
    if r.random() < 0.03:
        put("mmu.dmt.impl", "rtl")
        put("mmu.dmt.registers", 16)
        put("mmu.dmt.latency", 1)

    # --- caches and DRAM
    line = r.choice([64, 64, 64, 8, 16, 32, 128, 256])
    put("memory.line_bytes", line)
    put("memory.walker_entry", r.choice(["l1d", "l1d", "l2", "llc", "dram"]))
    has_l1d = True
    for lvl, lat in [("l1d", 4), ("l2", 14), ("llc", 54)]:
        ways = r.choice([1, 2, 4, 8, 11, 16])
        sets = r.choice([0, 1, 4, 16, 64, 512, r.randint(1, 512)])
        size = ways * sets * line
        if size % 1024:
            size = ways * line * 1024  # KiB granularity: 1024 sets
        if r.random() < 0.01:
            size = ways * line + 1024 if (ways * line) % 1024 else ways * line * 1024 + 1024
            if size % (ways * line) == 0:
                size += 1024
        put("memory.%s.size_kib" % lvl, size // 1024)
        put("memory.%s.ways" % lvl, ways)
        if lvl == "l1d":
            has_l1d = size > 0
        put("memory.%s.latency" % lvl, r.choice([lat, r.randint(0, 300)]))
        u = r.random()
        if u < 0.5:
            put("memory.%s.policy" % lvl, r.choice(["lru", "fifo", "random"]))
            if r.random() < 0.01:
                put("memory.%s.duel_with" % lvl, qlru_name(r))  # no qlru policy: exit 2
        else:
            put("memory.%s.policy" % lvl, qlru_name(r, valid=r.random() >= 0.01))
            if r.random() < 0.25:
                put("memory.%s.duel_with" % lvl, qlru_name(r, valid=r.random() >= 0.01))
    mshrs = r.choice([0, 0, 1, 2, 10, 16])
    if not has_l1d and r.random() < 0.8:
        mshrs = 0
    put("memory.l1d.mshrs", mshrs)
    put("memory.dram.latency", r.choice([200, r.randint(0, 300)]))
    put("memory.dram.row_buffer", r.random() < 0.4)
    put("memory.dram.banks", r.choice([1, 16, r.randint(1, 64)]))
    put("memory.dram.row_kib", r.choice([1, 8, r.randint(1, 64)]))
    put("memory.dram.row_hit_latency", r.randint(0, 200))

    # --- core, sim, stats, software
    put("core.base_cpi", r.choice([0, 0.5, round(r.uniform(0, 2), 3)]))
    put("core.instructions_per_access", r.choice([0, 4, round(r.uniform(0, 10), 3)]))
    put("core.data_accesses", r.random() < 0.7)
    put("core.max_outstanding", r.choice([1, 8, r.randint(1, 32)]))
    put("sim.cold", r.random() < 0.1)
    put("sim.clock_mhz", r.choice([2000, r.randint(100, 5000)]))
    put("sim.quantum_cycles", log_uniform(r, 1, 10 ** 6))
    put("sim.max_fault_retries", r.choice([4, r.randint(1, 8)]))
    put("stats.step_vectors", r.choice([20, r.randint(0, 40)]))
    if r.random() < 0.1:
        put("stats.event_log", "events.jsonl")
        put("stats.event_log_every", r.randint(1, 500))
    for k in ["vm_exit", "ept_violation", "guest_page_fault", "context_switch", "unmap_page",
              "invlpg", "shadow_fill", "shadow_pt_write", "fault_injection", "cr3_write",
              "hypercall", "ept02_fill", "vma_growth", "tea_growth", "tea_move_page",
              "tea_hypercall", "mprotect_page", "wp_fault", "migrate_page"]:
        if r.random() < 0.3:
            put("software." + k, r.choice([0, r.randint(0, 10000)]))
    if r.random() < 0.3:
        put("software.exit_multiplier", r.randint(1, 16))
    several_cores(random.Random(r.getrandbits(64)), s, put)
    return s


def several_cores(c, s, put):
    """A quarter of the configs run on several cores (drawn from a generator of their own, so
    the draws before them stay those of earlier runs of the same seed)."""
    if c.random() >= 0.25:
        return
    cores = c.choice([2, 2, 3, 4, 8])
    put("system.cores", cores)
    sharing = c.choice(["shared", "private"])
    put("workload.sharing", sharing)
    if c.random() < 0.3:
        put("sim.interleave", c.choice([2, 16, c.randint(2, 300)]))  # LT only (AT refuses it)
    if sharing == "private":  # a region per core: each needs the memory one region did
        d = dict(s)
        guest = int(d["system.guest_mem_gib"])
        extra = (cores - 1) * guest
        for k in ["system.guest_mem_gib", "system.l1_mem_gib", "system.host_mem_gib"]:
            s[[i for i, (key, _) in enumerate(s) if key == k][0]] = (k, str(int(d[k]) + extra))
    sd = "software.shootdown."
    for k in ["ipi_send", "ipi_delivery", "handler", "ack", "full_flush", "icr_exit", "inject",
              "shadow_invlpg", "vcpu_resume"]:
        if c.random() < 0.3:
            put(sd + k, c.choice([0, c.randint(0, 10000)]))
    if c.random() < 0.5:
        put(sd + "flush_ceiling", c.choice([0, 1, 33, c.randint(0, 64)]))
    for k in ["ipi_virtualization", "pv_send_ipi", "posted_interrupts", "pv_tlb_flush"]:
        if c.random() < 0.5:
            put(sd + k, c.random() < 0.5)
    if c.random() < 0.3:
        put(sd + "vcpu_preempted", c.choice([0, 1, round(c.random(), 3)]))


# ---------------------------------------------------------------- schema check

def schema(mmusim):
    out = subprocess.run([mmusim, "params"], check=True, capture_output=True, text=True).stdout
    keys = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+) \((\w+), default (.*?)(?:, (.*))?\): ", line)
        if m:
            keys[m.group(1)] = (m.group(2), m.group(4))
    return keys


def check_against_schema(sets, keys):
    """Every drawn key exists and every number is inside its range (the TLB arrays maps are
    free-form and checked by mmusim itself)."""
    for k, v in sets:
        if k.endswith(".arrays"):
            continue
        if k not in keys:
            raise SystemExit("generator draws an unknown key: " + k)
        kind, allowed = keys[k]
        m = re.match(r"^\[(\S+), (\S+)\]$", allowed or "")
        if m and kind in ("uint", "double"):
            if not float(m.group(1)) <= float(v) <= float(m.group(2)):
                raise SystemExit("generator draws %s=%s outside %s" % (k, v, allowed))


# ---------------------------------------------------------------- running

WALLCLOCK = re.compile(r'"(accesses_per_second|setup_seconds|run_seconds|peak_rss_kib)"')
TIMING = re.compile(r'"(cycles|total_cycles|translation_cycles|translation_cycles_avg|fault_cycles|'
                    r'walk_overhead|walk_pending_avg|drains|pending_cycles|queued_walks|'
                    r'queue_cycles|merged_misses|fault_mshr_wait_cycles|mshr_[a-z_]+)":')


def functional_lines(path):
    """tests/cli/simulated_stats.cmake's functional_lines."""
    kept, skip = [], False
    with open(path) as f:
        for line in f.read().splitlines():
            if '"translation_latency": {' in line:
                skip = True
            if skip:
                if re.match(r"^ *}", line):
                    skip = False
                continue
            if not line.strip():
                continue  # file(STRINGS) drops empty lines
            if not WALLCLOCK.search(line) and not TIMING.search(line):
                kept.append(re.sub(r",$", "", line))
    return kept


def run(mmusim, config, sets, timing, out, timeout):
    cmd = [mmusim, "run", config]
    for k, v in sets:
        cmd += ["--set", "%s=%s" % (k, v)]
    cmd += ["--set", "sim.timing=" + timing, "--out", out]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stderr, cmd
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        return None, err, cmd


CONFIG_ERROR = re.compile(r"^mmusim: config error: .*?: ((?:[a-z0-9_]+\.)+[a-z0-9_]+): ", re.M)


def oracle_mismatches(path):
    with open(path) as f:
        return [int(x) for x in re.findall(r'"oracle_mismatches": (\d+)', f.read())]


def mismatches(out):
    try:
        return oracle_mismatches(os.path.join(out, "stats.json"))
    except OSError:
        return "(no stats.json)"


def shell(cmd):
    return " ".join("'%s'" % c.replace("'", "'\\''") if re.search(r"[^\w@%+=:,./-]", c) else c
                    for c in cmd)


def check_one(args, i, sets, work):
    """Returns (outcome, detail, record): outcome 'ok', 'exit2', or a failure kind."""
    lt, at = os.path.join(work, "lt"), os.path.join(work, "at")
    rc, err, cmd = run(args.mmusim, args.config, sets, "lt", lt, args.timeout)
    rec = "command (LT):\n%s\n\nexit: %s\nstderr:\n%s\n" % (shell(cmd), rc, err)
    first = err.strip().splitlines()[-1] if err.strip() else ""
    if rc is None:
        return "hang", "LT", rec
    if rc < 0:
        return "crash", "LT signal %d" % -rc, rec
    if rc == 2:
        m = CONFIG_ERROR.search(err)
        if m:
            return "exit2", m.group(1), rec
        return "exit2_without_key", first[:160], rec
    if rc == 1:
        return "exit1", re.sub(r"\d+", "N", first)[:160], rec
    if rc == 3:  # mmusim's exit code for oracle mismatches
        return "mismatch", "LT exit 3, oracle_mismatches %s" % mismatches(lt), rec
    if rc != 0:
        return "exit%d" % rc, first[:160], rec
    mism = oracle_mismatches(os.path.join(lt, "stats.json"))
    if any(mism):
        return "mismatch", "LT oracle_mismatches %s" % mism, rec
    if dict(sets).get("sim.interleave", "1") != "1":
        return "ok", "", rec  # an LT-only key (AT refuses it): nothing to compare with
    rc2, err2, cmd2 = run(args.mmusim, args.config, sets, "at", at, args.timeout)
    rec += "\ncommand (AT):\n%s\n\nexit: %s\nstderr:\n%s\n" % (shell(cmd2), rc2, err2)
    if rc2 is None:
        return "hang", "AT", rec
    if rc2 < 0:
        return "crash", "AT signal %d" % -rc2, rec
    if rc2 == 3:
        return "mismatch", "AT exit 3, oracle_mismatches %s" % mismatches(at), rec
    if rc2 != 0:
        last = err2.strip().splitlines()[-1] if err2.strip() else ""
        return "at_exit%d" % rc2, re.sub(r"\d+", "N", last)[:160], rec
    mism = oracle_mismatches(os.path.join(at, "stats.json"))
    if any(mism):
        return "mismatch", "AT oracle_mismatches %s" % mism, rec
    a = functional_lines(os.path.join(lt, "stats.json"))
    b = functional_lines(os.path.join(at, "stats.json"))
    if a != b:
        import difflib
        diff = "\n".join(difflib.unified_diff(a, b, "lt", "at", lineterm="", n=1))
        first_diff = next((l for l in diff.splitlines()[3:] if l[:1] in "+-"), "")
        return "lt_ne_at", first_diff.strip()[:160], rec + "\nfunctional diff:\n" + diff + "\n"
    return "ok", "", rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mmusim", required=True)
    ap.add_argument("--config", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                     "configs", "default.yaml"))
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="config-space-out")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--accesses", type=int, default=3000,
                    help="workload.count is drawn from half to one and a half times this")
    ap.add_argument("--only", default="", help="comma-separated config indices to run")
    ap.add_argument("--print", action="store_true", help="print the --set lists, run nothing")
    args = ap.parse_args()
    args.config = os.path.abspath(args.config)
    os.makedirs(args.out, exist_ok=True)
    keys = schema(args.mmusim)
    indices = [int(x) for x in args.only.split(",")] if args.only else range(args.count)
    outcomes = collections.Counter()
    by_detail = collections.defaultdict(collections.Counter)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="config-space-") as work:
        for n, i in enumerate(indices):
            sets = draw(random.Random("%d:%d" % (args.seed, i)), args.accesses)
            check_against_schema(sets, keys)
            if args.print:
                print(i, " ".join("--set '%s=%s'" % kv for kv in sets))
                continue
            outcome, detail, rec = check_one(args, i, sets, work)
            outcomes[outcome] += 1
            by_detail[outcome][detail] += 1
            if outcome not in ("ok", "exit2"):
                failures += 1
                path = os.path.join(args.out, "%04d-%s.txt" % (i, outcome))
                with open(path, "w") as f:
                    f.write("config %d (seed %d): %s %s\n\n%s" % (i, args.seed, outcome, detail, rec))
                print("config %d: %s: %s (%s)" % (i, outcome, detail, path), flush=True)
            if (n + 1) % 100 == 0:
                print("... %d configs: %s" % (n + 1, dict(outcomes)), flush=True)
    if args.print:
        return 0
    total = sum(outcomes.values())
    print("\nconfig space: %d configs, seed %d, ~%d accesses each" % (total, args.seed, args.accesses))
    labels = [("ok", "exit 0, oracle clean, LT = AT"), ("exit2", "exit 2, config error naming a key")]
    for o, label in labels:
        print("  %-40s %d" % (label, outcomes.get(o, 0)))
        if o == "exit2":
            for k, c in sorted(by_detail[o].items(), key=lambda kv: (-kv[1], kv[0])):
                print("      %-50s %d" % (k, c))
    for o in sorted(set(outcomes) - {"ok", "exit2"}):
        print("  %-40s %d   <- FAILURE" % (o, outcomes[o]))
        for k, c in sorted(by_detail[o].items(), key=lambda kv: (-kv[1], kv[0])):
            print("      %-80s %d" % (k, c))
    for o in ["crash", "hang", "exit1", "mismatch", "lt_ne_at"]:
        if o not in outcomes:
            print("  %-40s 0" % o)
    print("failures: %d (written to %s)" % (failures, args.out))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
