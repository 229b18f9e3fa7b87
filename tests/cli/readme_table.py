#!/usr/bin/env python3
"""Rewrites README.md's configuration table from `mmusim params` (run after adding a key).

usage: tests/cli/readme_table.py build/mmusim README.md
"""
import re
import subprocess
import sys


def rows(mmusim):
    out = subprocess.run([mmusim, "params"], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = re.match(r"^(\S+) \((\w+), default (.*?)(?:, (.*?))?\): (.*)$", line)
        if not m:
            raise SystemExit("cannot parse: " + line)
        key, kind, default, allowed, desc = m.groups()
        if kind in ("bool", "enum") or allowed is None:
            allowed = allowed or kind
        yield f"| `{key}` | {allowed} | `{default}` | {desc} |"


def main():
    mmusim, readme = sys.argv[1], sys.argv[2]
    text = open(readme).read()
    head = "| key | allowed | default | meaning |\n|---|---|---|---|\n"
    start = text.index(head) + len(head)
    end = start
    while end < len(text) and text.startswith("| `", end):
        end = text.index("\n", end) + 1
    table = "\n".join(rows(mmusim)) + "\n"
    open(readme, "w").write(text[:start] + table + text[end:])


if __name__ == "__main__":
    main()
