#!/usr/bin/env python3
"""`make bench-cores`: the simulator's speed and peak memory against core count. The default
config (GUPS over 1 GiB in a VM with EPT) with the same total of accesses split over 1 to 64
cores, at sim.interleave 1 (AT's order: LT = AT) and 256 (a core takes 256 items in turn): the
median of three runs' accesses per second (all cores together) and the largest peak resident
memory (stats.json: summary.accesses_per_second, host.peak_rss_kib). Every run must end with exit
0 and no oracle mismatch.

usage: tests/bench/cores.py MMUSIM CONFIG OUTDIR [TOTAL_ACCESSES]   (default 2,000,000)
"""
import json
import os
import statistics
import subprocess
import sys

CORES = [1, 2, 4, 8, 16, 32, 64]
INTERLEAVE = [1, 256]
RUNS = 3


def run(mmusim, config, out, cores, interleave, total):
    args = [mmusim, "run", config, "--out", out, "--set", "system.cores=%d" % cores,
            "--set", "workload.count=%d" % (total // cores),
            "--set", "sim.interleave=%d" % interleave]
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit("bench-cores: %s failed (%d):\n%s" % (" ".join(args), done.returncode,
                                                       done.stderr))
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    if stats["summary"]["oracle_mismatches"] != 0:
        sys.exit("bench-cores: oracle mismatches with %d cores" % cores)
    return stats["summary"]["accesses_per_second"], stats["host"]["peak_rss_kib"]


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    mmusim, config, outdir = sys.argv[1:4]
    total = int(sys.argv[4]) if len(sys.argv) == 5 else 2000000
    print("%5s %10s %12s %12s" % ("cores", "interleave", "M acc/s", "peak MiB"))
    for cores in CORES:
        for interleave in INTERLEAVE:
            if cores == 1 and interleave > 1:
                continue
            out = os.path.join(outdir, "c%d_i%d" % (cores, interleave))
            speeds, rss = [], 0
            for _ in range(RUNS):
                speed, kib = run(mmusim, config, out, cores, interleave, total)
                speeds.append(speed)
                rss = max(rss, kib)
            print("%5d %10d %12.2f %12.0f" % (cores, interleave, statistics.median(speeds) / 1e6,
                                               rss / 1024.0), flush=True)


if __name__ == "__main__":
    main()
