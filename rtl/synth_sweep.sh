#!/bin/sh
# Runs rtl/synth.sh for every shape the simulator verilates and writes one CSV line per shape:
# registers per set, pipeline depth, cells, flip-flops, logic levels of the longest path.
# usage: rtl/synth_sweep.sh > rtl/synth_results.csv   (yosys 0.23; about 20 minutes on 2 cores)
set -e
cd "$(dirname "$0")"
echo "registers,stages,cells,flip_flops,logic_levels"
for entries in 8 16 32 64; do
  for stages in 1 2 3; do
    sh synth.sh $entries $stages | awk -v r=$entries -v d=$stages '
      /Number of cells/ { cells = $4 } /flip-flops:/ { ff = $2 } /logic levels:/ { lv = $3 }
      END { printf "%s,%s,%s,%s,%s\n", r, d, cells, ff, lv }'
  done
done
