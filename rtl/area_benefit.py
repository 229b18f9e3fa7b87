#!/usr/bin/env python3
"""Area against benefit of the DMT unit's shapes: joins the synthesis figures (rtl/synth.sh,
collected by rtl/synth_sweep.sh into rtl/synth_results.csv) with co-simulated sweeps over the
same shapes (rtl/sweeps/*.yaml): per shape and workload, cells, flip-flops,
logic levels, average walk cycles and the DMT hit rate (lookups a TEA register covered, every
set). Prints a Markdown table and, with --plot, draws walk cycles and hit rate against cells.

  rtl/area_benefit.py rtl/synth_results.csv gups=out/shapes_gups sort=out/shapes_sort \
      [--plot rtl/sweeps/area_benefit.png]
"""
import argparse
import csv
import json
import os
import sys


def synthesis(path):
    with open(path) as f:
        return {(int(r["registers"]), int(r["stages"])): r for r in csv.DictReader(f)}


def sweep(directory):
    """(registers, stages) -> (walk_cycles_avg, dmt hit rate) of every finished point."""
    out = {}
    with open(os.path.join(directory, "results.csv")) as f:
        for row in csv.DictReader(f):
            if row["status"] != "ok":
                continue
            point = os.path.join(directory, "points", "%04d" % int(row["point"]), "stats.json")
            with open(point) as s:
                dmt = json.load(s)["mmu"]["dmt"]
            lookups = sum(dmt[k + "_lookups"] for k in ("guest", "host", "l0"))
            hits = sum(dmt[k + "_hits"] for k in ("guest", "host", "l0"))
            key = (int(row["mmu.dmt.registers"]), int(row["mmu.dmt.latency"]))
            out[key] = (float(row["walk_cycles_avg"]), hits / lookups if lookups else 0.0)
    return out


def plot(rows, names, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name in names:
        for stages, marker in ((1, "o"), (2, "s"), (3, "^")):
            pts = sorted((int(r["cells"]), r[name][0], r[name][1], r["registers"])
                         for r in rows if r["stages"] == stages and name in r and r["cells"])
            if not pts:
                continue
            label = "%s, depth %d" % (name, stages)
            left.plot([p[0] for p in pts], [p[1] for p in pts], marker=marker, label=label)
            right.plot([p[0] for p in pts], [p[2] for p in pts], marker=marker, label=label)
            for p in pts:
                left.annotate(str(p[3]), (p[0], p[1]), fontsize=7)
    left.set_xlabel("cells (yosys, generic gates)")
    left.set_ylabel("average walk cycles")
    right.set_xlabel("cells (yosys, generic gates)")
    right.set_ylabel("DMT hit rate")
    left.legend(fontsize=7)
    fig.suptitle("DMT unit shapes: area against benefit (labels: registers per set)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("synthesis")
    p.add_argument("sweeps", nargs="+", help="NAME=DIR of a finished sweep")
    p.add_argument("--plot")
    a = p.parse_args()
    synth = synthesis(a.synthesis)
    sweeps = [(s.split("=", 1)[0], sweep(s.split("=", 1)[1])) for s in a.sweeps]
    names = [n for n, _ in sweeps]
    head = "| registers | depth | cells | flip-flops | logic levels |"
    for n in names:
        head += " %s walk cycles | %s DMT hit rate |" % (n, n)
    print(head)
    print("|" + "---|" * (5 + 2 * len(names)))
    rows = []
    shapes = set(synth)
    for _, results in sweeps:
        shapes |= set(results)
    for r, d in sorted(shapes):
        s = synth.get((r, d), {"cells": "", "flip_flops": "", "logic_levels": ""})
        row = {"registers": r, "stages": d, "cells": s["cells"]}
        line = "| %d | %d | %s | %s | %s |" % (r, d, s["cells"], s["flip_flops"], s["logic_levels"])
        for n, results in sweeps:
            if (r, d) in results:
                row[n] = results[(r, d)]
                line += " %.1f | %.3f |" % results[(r, d)]
            else:
                line += " | |"
        rows.append(row)
        print(line)
    if a.plot:
        plot(rows, names, a.plot)


if __name__ == "__main__":
    sys.exit(main())
