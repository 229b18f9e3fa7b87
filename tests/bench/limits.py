#!/usr/bin/env python3
"""`make bench-limits`: mmusim at the edges of what it supports, one run per case, each timed and
its peak resident memory read from its stats.json (host.peak_rss_kib, the simulator's own
getrusage). Every run must end with exit 0 and no oracle mismatch.

Cases:
  tib_57bit    a demand-paged 1 TiB region at the top of the 57-bit (5-level) address space
  count_1e7..  the native machine (GUPS over 1 GiB) at 10^7, 10^8 and 10^9 accesses: memory must
               stay flat
  largest      every TLB array, PWC level and cache at its largest supported size

usage: tests/bench/limits.py MMUSIM OUTDIR [CASE...]   (default: every case; about 15 minutes)
"""
import json
import os
import subprocess
import sys
import time

TIB = 1 << 40
TOP_57 = 1 << 56  # the lower canonical half of a 57-bit address space ends here

# Every structure at its largest supported size, native 4-level, short run.
LARGEST = [
    "mmu.itlb.arrays.small.entries=1048576", "mmu.itlb.arrays.small.ways=16",
    "mmu.dtlb.arrays.small.entries=1048576", "mmu.dtlb.arrays.small.ways=16",
    "mmu.dtlb.arrays.large.entries=1048576", "mmu.dtlb.arrays.large.ways=16",
    "mmu.dtlb.arrays.huge.entries=1048576", "mmu.dtlb.arrays.huge.ways=16",
    "mmu.stlb.arrays.shared.entries=1048576", "mmu.stlb.arrays.shared.ways=16",
    "mmu.stlb.arrays.huge.entries=1048576", "mmu.stlb.arrays.huge.ways=16",
    "mmu.walker.pwc.guest.pml5.entries=1048576", "mmu.walker.pwc.guest.pml5.ways=16",
    "mmu.walker.pwc.guest.pml4.entries=1048576", "mmu.walker.pwc.guest.pml4.ways=16",
    "mmu.walker.pwc.guest.pdpt.entries=1048576", "mmu.walker.pwc.guest.pdpt.ways=16",
    "mmu.walker.pwc.guest.pd.entries=1048576", "mmu.walker.pwc.guest.pd.ways=16",
    "memory.l1d.size_kib=4194304", "memory.l1d.ways=16",
    "memory.l2.size_kib=4194304", "memory.l2.ways=16",
    "memory.llc.size_kib=4194304", "memory.llc.ways=16",
    "workload.count=1000000",
]

CASES = {
    "tib_57bit": ("configs/default.yaml", [
        "system.levels=5", "workload.prefault=false", "workload.footprint_mib=%d" % (TIB >> 20),
        "workload.base=%d" % (TOP_57 - TIB), "system.guest_mem_gib=2048",
        "workload.count=2000000"]),
    "count_1e7": ("configs/native.yaml", ["workload.count=10000000"]),
    "count_1e8": ("configs/native.yaml", ["workload.count=100000000"]),
    "count_1e9": ("configs/native.yaml", ["workload.count=1000000000"]),
    "largest": ("configs/default.yaml", LARGEST),
}


def run(mmusim, out, name):
    config, sets = CASES[name]
    cmd = [mmusim, "run", config, "--out", os.path.join(out, name)]
    for s in sets:
        cmd += ["--set", s]
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit("%s: exit %d: %s" % (name, proc.returncode, proc.stderr.strip()))
    with open(os.path.join(out, name, "stats.json")) as f:
        stats = json.load(f)
    s = stats["summary"]
    if s["oracle_mismatches"] != 0:
        sys.exit("%s: %d oracle mismatches" % (name, s["oracle_mismatches"]))
    host = stats["host"]
    return (name, s["accesses"], wall, host["setup_seconds"], host["peak_rss_kib"] / 1024,
            s["accesses_per_second"] / 1e6, s["faults"], s["walks"])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mmusim, out = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or list(CASES)
    for n in names:
        if n not in CASES:
            sys.exit("unknown case %s (cases: %s)" % (n, ", ".join(CASES)))
    print("| case | accesses | wall s | setup s | peak RSS MiB | M accesses/s | faults | walks |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        r = run(mmusim, out, n)
        print("| `%s` | %d | %.1f | %.2f | %.0f | %.2f | %d | %d |" % r, flush=True)


if __name__ == "__main__":
    main()
