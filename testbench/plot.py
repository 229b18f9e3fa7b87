#!/usr/bin/env python3
"""Plots of a sweep's results.csv (written by `mmusim sweep`) as PNG files.

  plot.py line RESULTS.csv --x AXIS --y METRIC [-o OUT.png]
      the metric against an axis, one line per scheme (each combination of the other axes)
  plot.py bars RESULTS.csv --group AXIS --y METRIC [-o OUT.png]
      grouped bars: one group per value of AXIS, one bar per scheme
  plot.py cdf RESULTS.csv [--hist KEY.PATH] [-o OUT.png]
      latency CDFs, one per point, from a histogram in each point's stats.json

Common options: --where AXIS=VALUE (keep those rows only; repeatable), --logx, --logy, --title;
line: --categorical (x values evenly spaced, in the sweep's order).
Only points whose status is ok are drawn. A histogram in stats.json is an object holding two
lists of equal length, {"bucket_cycles": [...], "bucket_count": [...]}: count[i] events took at most
bucket_cycles[i] cycles (and more than bucket_cycles[i-1]). --hist picks one by its key path
(e.g. mmu.walker.walk_latency); without it the first such object in the file is used.
"""
import argparse
import csv
import json
import os
import sys

MARKERS = "os^Dvx*P"
DASHES = ("-", "--", "-.", ":")


def fail(message):
    print("plot.py: " + message, file=sys.stderr)
    sys.exit(2)


def load(path, where):
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            rows = list(reader)
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))
    if "status" not in header or header[0] != "point":
        fail("%s: not a results.csv written by mmusim sweep" % path)
    axes = header[1:header.index("status")]
    for cond in where:
        key, sep, value = cond.partition("=")
        if not sep or key not in axes:
            fail("--where %s: expected AXIS=VALUE with AXIS one of: %s" % (cond, ", ".join(axes)))
        rows = [r for r in rows if r[key] == value]
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        fail("%s: no finished point matches" % path)
    return axes, ok


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def ordered(values):
    """Distinct values in the order the sweep ran them."""
    seen = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def scheme_axes(axes, rows, exclude):
    """Axes besides `exclude` whose value varies over rows: they tell the schemes apart."""
    return [a for a in axes if a not in exclude and len(ordered(r[a] for r in rows)) > 1]


def scheme_label(row, keys):
    if not keys:
        return "all"
    return ", ".join("%s=%s" % (k.split(".")[-1], row[k]) for k in keys)


def metric(rows, name):
    if name not in rows[0]:
        fail("no metric %s in results.csv" % name)
    values = [number(r[name]) for r in rows]
    if any(v is None for v in values):
        fail("metric %s is not numeric in every row" % name)
    return values


def figure(args, xlabel, ylabel):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=100)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if args.title:
        ax.set_title(args.title, fontsize=10)
    if args.logx:
        ax.set_xscale("log", base=2)
    if args.logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    return fig, ax


def save(fig, ax, out, legend_title=None):
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, title=legend_title, title_fontsize=8)
    fig.tight_layout()
    fig.savefig(out)
    print("plot.py: wrote " + out)


def plot_line(args):
    axes, rows = load(args.results, args.where)
    if args.x not in axes:
        fail("--x %s: not an axis of the sweep (%s)" % (args.x, ", ".join(axes)))
    keys = scheme_axes(axes, rows, {args.x})
    xs_text = ordered(r[args.x] for r in rows)
    numeric = not args.categorical and all(number(x) is not None for x in xs_text)
    fig, ax = figure(args, args.x, args.y)
    for i, scheme in enumerate(ordered(scheme_label(r, keys) for r in rows)):
        mine = [r for r in rows if scheme_label(r, keys) == scheme]
        if numeric:
            mine.sort(key=lambda r: number(r[args.x]))
            xs = [number(r[args.x]) for r in mine]
        else:
            xs = [xs_text.index(r[args.x]) for r in mine]
        # Markers and dashes differ per scheme, so schemes with equal values stay visible.
        ax.plot(xs, metric(mine, args.y), marker=MARKERS[i % len(MARKERS)],
                linestyle=DASHES[i % len(DASHES)], markersize=9 - i % 4 * 1.5,
                label=scheme if keys else None)
    if numeric and args.logx:
        ticks = [number(x) for x in xs_text]
        ax.set_xticks(ticks)
        ax.set_xticklabels(xs_text)
    elif not numeric:
        ax.set_xticks(range(len(xs_text)))
        ax.set_xticklabels(xs_text)
    save(fig, ax, args.out or "%s-vs-%s.png" % (args.y, args.x.split(".")[-1]))


def plot_bars(args):
    axes, rows = load(args.results, args.where)
    if args.group not in axes:
        fail("--group %s: not an axis of the sweep (%s)" % (args.group, ", ".join(axes)))
    keys = scheme_axes(axes, rows, {args.group})
    groups = ordered(r[args.group] for r in rows)
    schemes = ordered(scheme_label(r, keys) for r in rows)
    width = 0.8 / len(schemes)
    fig, ax = figure(args, args.group, args.y)
    ax.grid(False)
    ax.grid(True, axis="y", alpha=0.3)
    for i, scheme in enumerate(schemes):
        xs, ys = [], []
        for g, group in enumerate(groups):
            match = [r for r in rows if r[args.group] == group and scheme_label(r, keys) == scheme]
            if match:
                xs.append(g - 0.4 + width * (i + 0.5))
                ys.append(metric(match, args.y)[0])
        ax.bar(xs, ys, width, label=scheme if keys else None)
    ax.set_xticks(range(len(groups)))
    # Many groups: slanted labels, so long ones do not run into each other.
    ax.set_xticklabels(groups, rotation=30 if len(groups) > 8 else 0,
                       ha="right" if len(groups) > 8 else "center")
    save(fig, ax, args.out or "%s-by-%s.png" % (args.y, args.group.split(".")[-1]))


def find_histogram(node, path, want):
    """(key path, histogram) of the first {"bucket_cycles", "bucket_count"} object, or of `want`."""
    if isinstance(node, dict):
        if ("bucket_cycles" in node and "bucket_count" in node
                and (want is None or path == want)):
            return path, node
        for key, child in node.items():
            found = find_histogram(child, key if not path else path + "." + key, want)
            if found:
                return found
    return None


def plot_cdf(args):
    axes, rows = load(args.results, args.where)
    keys = scheme_axes(axes, rows, set())
    base = os.path.dirname(os.path.abspath(args.results))
    curves, names = [], set()
    for r in rows:
        stats_path = os.path.join(base, "points", "%04d" % int(r["point"]), "stats.json")
        try:
            with open(stats_path) as f:
                stats = json.load(f)
        except (OSError, ValueError):
            continue
        found = find_histogram(stats, "", args.hist)
        if not found:
            continue
        name, hist = found
        buckets, counts = hist["bucket_cycles"], hist["bucket_count"]
        total = float(sum(counts))
        if len(buckets) != len(counts) or total <= 0:
            continue
        cumulative, running = [], 0
        for c in counts:
            running += c
            cumulative.append(running / total)
        names.add(name)
        curves.append((scheme_label(r, keys), buckets, cumulative))
    if not curves:
        print("plot.py: no latency histogram (%s) in the points' stats.json; skipping the CDF"
              % ('"%s"' % args.hist if args.hist else '{"bucket_cycles": [...], "bucket_count": [...]}'))
        return
    fig, ax = figure(args, "latency (cycles)", "fraction at most this latency")
    for label, buckets, cumulative in curves:
        ax.step(buckets, cumulative, where="post", label=label if keys else None)
    ax.set_ylim(0, 1.02)
    if not args.title:
        ax.set_title(", ".join(sorted(names)), fontsize=10)
    save(fig, ax, args.out or "latency-cdf.png")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="kind", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("results", help="results.csv of a sweep")
    common.add_argument("-o", "--out", help="PNG to write")
    common.add_argument("--where", action="append", default=[], metavar="AXIS=VALUE")
    common.add_argument("--logx", action="store_true")
    common.add_argument("--logy", action="store_true")
    common.add_argument("--title")
    line = sub.add_parser("line", parents=[common], help="metric against an axis")
    line.add_argument("--x", required=True, help="axis along x")
    line.add_argument("--y", required=True, help="metric (a results.csv column)")
    line.add_argument("--categorical", action="store_true",
                      help="space the x values evenly, in the sweep's order")
    bars = sub.add_parser("bars", parents=[common], help="grouped bars")
    bars.add_argument("--group", required=True, help="axis whose values form the groups")
    bars.add_argument("--y", required=True, help="metric (a results.csv column)")
    cdf = sub.add_parser("cdf", parents=[common], help="latency CDFs from histograms")
    cdf.add_argument("--hist", help="key path of the histogram in stats.json")
    args = p.parse_args()
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        fail("needs matplotlib (Debian: apt-get install python3-matplotlib)")
    {"line": plot_line, "bars": plot_bars, "cdf": plot_cdf}[args.kind](args)


if __name__ == "__main__":
    main()
