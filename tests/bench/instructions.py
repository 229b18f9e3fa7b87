#!/usr/bin/env python3
"""`make bench-instructions`: the simulator's cost in host instructions, a figure the host's load
does not move. For every translation design on the default config (GUPS over 1 GiB), callgrind
counts the instructions of a run of N1 and of N2 accesses; their difference over N2 - N1 is the
cost of an access with set-up and teardown taken out. Beside it: the memory references an
access makes (page-walk reads, ECPT probes and prefetches included, plus the data access), and
so the cost of one reference, which says whether a design is dear to simulate or only makes
more references. Every run must end with exit 0 and no oracle mismatch.

usage: tests/bench/instructions.py MMUSIM CONFIG OUTDIR [DESIGN...]   (default: all of them)
"""
import json
import os
import re
import subprocess
import sys

N1, N2 = 100000, 300000

# name -> the --set arguments that select it on the default config (EPT, radix, 4K pages).
DESIGNS = {
    "native radix": ["system.virtualization=none"],
    "native FPT": ["system.virtualization=none", "system.page_table=fpt"],
    "native ECPT": ["system.virtualization=none", "system.page_table=ecpt"],
    "native ASAP": ["system.virtualization=none", "system.asap=true"],
    "native DMT": ["system.virtualization=none", "system.dmt=dmt"],
    "EPT radix": [],
    "EPT FPT (both)": ["system.page_table=fpt", "system.host_page_table=fpt"],
    "EPT ASAP": ["system.asap=true"],
    "EPT ECPT guest": ["system.page_table=ecpt"],
    "EPT ECPT host": ["system.host_page_table=ecpt"],
    "nested ECPT": ["system.page_table=ecpt", "system.host_page_table=ecpt"],
    "EPT DMT": ["system.dmt=dmt"],
    "EPT pvDMT": ["system.dmt=pvdmt"],
    "shadow paging": ["system.virtualization=shadow"],
    "Agile Paging": ["system.virtualization=agile"],
    "nested (shadow EPT)": ["system.virtualization=nested"],
    "16 cores, K=1": ["system.cores=16"],
    "16 cores, K=256": ["system.cores=16", "sim.interleave=256"],
}


def run(mmusim, config, out, sets, count):
    """Instructions callgrind counted, and the run's stats."""
    cores = next((int(s.split("=")[1]) for s in sets if s.startswith("system.cores=")), 1)
    args = [mmusim, "run", config, "--out", out]
    for s in sets + ["workload.count=%d" % (count // cores)]:
        args += ["--set", s]
    profile = os.path.join(out, "callgrind.out")
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + profile]
                          + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit("bench-instructions: %s failed (%d):\n%s" % (" ".join(args), done.returncode,
                                                              done.stderr[-2000:]))
    with open(profile) as f:
        total = next(int(m.group(1)) for m in (re.match(r"summary: (\d+)", l) for l in f) if m)
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    if stats["summary"]["oracle_mismatches"] != 0:
        sys.exit("bench-instructions: oracle mismatches in %s" % " ".join(args))
    return total, stats


def references(stats):
    """Memory references of the run: page-table reads of every walk (faulting ones and
    prefetches included) and the data accesses, over every core."""
    nodes = [v for k, v in stats.items() if re.fullmatch(r"cpu\d+", k)] or [stats]
    return sum(n["memory"]["reads"] + n["memory"]["data_accesses"] for n in nodes)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mmusim, config, outdir = sys.argv[1:4]
    names = sys.argv[4:] or list(DESIGNS)
    for n in names:
        if n not in DESIGNS:
            sys.exit("bench-instructions: no design %r (%s)" % (n, ", ".join(DESIGNS)))
    print("%-22s %14s %14s %14s" % ("design", "instr/access", "refs/access", "instr/ref"))
    for name in names:
        out = os.path.join(outdir, re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_"))
        os.makedirs(out, exist_ok=True)
        i1, s1 = run(mmusim, config, out, DESIGNS[name], N1)
        i2, s2 = run(mmusim, config, out, DESIGNS[name], N2)
        per_access = (i2 - i1) / (N2 - N1)
        refs = (references(s2) - references(s1)) / (N2 - N1)
        print("%-22s %14.0f %14.2f %14.0f" % (name, per_access, refs, per_access / refs),
              flush=True)


if __name__ == "__main__":
    main()
