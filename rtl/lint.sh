#!/bin/sh
# Lints the DMT unit with every Verilator warning on, at the default and a deeper pipeline.
set -e
cd "$(dirname "$0")"
for stages in 1 2 3; do
  verilator --lint-only -Wall lint.vlt dmt_pkg.sv dmt_match.sv dmt_regfile.sv dmt_lookup.sv \
    dmt_unit.sv --top-module dmt_unit -GLookupStages=$stages
done
echo "lint clean"
