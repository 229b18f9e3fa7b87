#!/bin/sh
# Synthesis estimate of the DMT unit with yosys (generic gate library, no technology mapping):
# prints the cell count by type, the flip-flops and the longest combinational path in logic
# levels (yosys ltp -noff: the most gates on a path between flip-flops or ports). Verilator is the linter of record;
# this only sizes the design. Register arrays become flip-flops (the "Replacing memory" notes are
# expected).
# usage: rtl/synth.sh [NumEntries [LookupStages]]   (defaults 16 and 1)
set -e
cd "$(dirname "$0")"
entries=${1:-16}
stages=${2:-1}
yosys -q -w 'Replacing memory' -e 'implicitly declared|has no driver' -p "
  read_verilog -sv dmt_pkg.sv dmt_match.sv dmt_regfile.sv dmt_lookup.sv dmt_unit.sv
  hierarchy -top dmt_unit -chparam NumEntries $entries -chparam LookupStages $stages
  synth -top dmt_unit -flatten
  tee -o /dev/stdout stat
  tee -o /dev/stdout ltp -noff
" | sed -n '/Number of cells/,$p' |
  awk '/Longest topological path/ { match($0, /length=[0-9]+/); levels = substr($0, RSTART + 7, RLENGTH - 7); path = 1 }
       path { next }
       { print } /\$_(S)?DFF/ { ff += $2 }
       END { printf "   flip-flops: %d\n   logic levels: %d\n", ff, levels }'
