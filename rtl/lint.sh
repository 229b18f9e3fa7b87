#!/bin/sh
# Lints the DMT unit with every Verilator warning on, at every shape the simulator verilates
# (registers per set x lookup pipeline depth; loop limits as in rtl/CMakeLists.txt).
set -e
cd "$(dirname "$0")"
for entries in 8 16 32 64; do
  for stages in 1 2 3; do
    verilator --lint-only -Wall lint.vlt --unroll-count 256 --unroll-stmts 1000000 \
      dmt_pkg.sv dmt_match.sv dmt_regfile.sv dmt_lookup.sv dmt_unit.sv --top-module dmt_unit \
      -GNumEntries=$entries -GLookupStages=$stages
  done
done
echo "lint clean"
