#!/usr/bin/env bash
# mmusim sweep end to end: sweep_test.sh CASE MMUSIM SOURCE_DIR WORK_DIR
#   product       24 points with -j 2: results.csv, every point's files; a rerun runs nothing
#   plots         PNGs from product's results.csv (skipped, exit 77, without matplotlib)
#   resume_kill   SIGKILL to the sweep's process group midway; the rerun runs only the missing
#                 points and its results.csv equals an uninterrupted sweep's byte for byte
#   resume_term   the same after a SIGTERM to the sweep alone (it stops its points, exits 143)
#   failed_point  a point that fails at run time is recorded; the others complete
#   stale         a changed sweep file does not reuse the points of the old one
#   slurm         the emitted job array's tasks, run here, give the local sweep's points
set -euo pipefail
CASE=$1 MMUSIM=$2 SRC=$3 WORK=$4
BASE=$SRC/configs/default.yaml

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # expect_rc WANT CMD...: runs CMD, output to $WORK/last.log
  local want=$1 rc=0; shift
  "$@" >"$WORK/last.log" 2>&1 || rc=$?
  cat "$WORK/last.log"
  [[ $rc == "$want" ]] || fail "exit code $rc, expected $want: $*"
}
# A 24-point sweep: 4 schemes x 6 STLB sizes.
write_sweep24() {  # write_sweep24 FILE COUNT
  cat >"$1" <<EOF
base: $BASE
set: {workload.count: $2}
axes:
  system.virtualization: [none, ept, shadow, nested]
  mmu.stlb.arrays.shared.entries: {from: 96, to: 3072, mul: 2}
EOF
}
# stats.json without its wall-clock figures.
simulated_stats() { sed -e '/"accesses_per_second"/d' -e '/"host": {/,/}/d' "$1"; }
csv_column() {  # csv_column FILE NAME: the column's values, one per line
  awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == name) c = i; next }
                       { print $c }' "$1"
}

rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"

case $CASE in
product)
  write_sweep24 sweep.yaml 3000
  expect_rc 0 "$MMUSIM" sweep sweep.yaml -j 2 --out out
  grep -q "24 points, 0 already done, running 24 with -j 2" last.log || fail "header"
  grep -q "24 points: 24 ok, 0 failed" last.log || fail "summary"
  [[ $(wc -l <out/results.csv) == 25 ]] || fail "results.csv rows"
  head -1 out/results.csv | grep -q "^point,system.virtualization,mmu.stlb.arrays.shared.entries,status,exit,accesses,.*,refs_per_walk,.*,dtlb_miss_rate,stlb_miss_rate,.*,vm_exits,.*,total_cycles,.*,oracle_mismatches,error$" ||
    fail "results.csv header"
  [[ $(csv_column out/results.csv status | sort -u) == ok ]] || fail "status column"
  [[ $(csv_column out/results.csv oracle_mismatches | sort -u) == 0 ]] || fail "oracle mismatches"
  ! grep -q accesses_per_second out/results.csv || fail "wall clock in results.csv"
  for k in 0000 0013 0023; do
    for f in point.yaml config.yaml stats.json stats.txt stdout.txt stderr.txt done; do
      [[ -f out/points/$k/$f ]] || fail "points/$k/$f missing"
    done
  done
  grep -q "virtualization: shadow" out/points/0013/config.yaml || fail "point 13's scheme"
  grep -q "entries: 192" out/points/0013/config.yaml || fail "point 13's STLB size"
  # The axis takes effect: for every scheme, the largest STLB walks less than the smallest.
  awk -F, 'NR > 1 { w[$2, $3] = $10 }
           END { split("none ept shadow nested", s, " ")
                 for (i in s) if (!(w[s[i], 3072] < w[s[i], 96])) { print s[i]; exit 1 } }' \
    out/results.csv || fail "walks do not fall with STLB size"
  cp out/results.csv first.csv
  expect_rc 0 "$MMUSIM" sweep sweep.yaml -j 2 --out out
  grep -q "24 already done, running 0" last.log || fail "rerun ran points"
  cmp first.csv out/results.csv || fail "rerun changed results.csv"
  ;;

plots)
  PRODUCT=$WORK/../sweep-product/out
  [[ -f $PRODUCT/results.csv ]] || fail "needs sweep.product's output"
  PY=
  for p in python3 /usr/bin/python3; do
    if "$p" -c "import matplotlib" 2>/dev/null; then PY=$p; break; fi
  done
  [[ -n $PY ]] || { echo "SKIP: no python3 with matplotlib (apt-get install python3-matplotlib)"; exit 77; }
  PLOT="$PY $SRC/testbench/plot.py"
  is_png() { [[ $(head -c 8 "$1" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "$1 is no PNG"; }
  expect_rc 0 $PLOT line "$PRODUCT/results.csv" --x mmu.stlb.arrays.shared.entries --y walks --logx -o line.png
  is_png line.png
  expect_rc 0 $PLOT bars "$PRODUCT/results.csv" --group system.virtualization --y total_cycles \
    --where mmu.stlb.arrays.shared.entries=1536 -o bars.png
  is_png bars.png
  expect_rc 2 $PLOT line "$PRODUCT/results.csv" --x nope --y walks
  # The points' own walk latency histograms give the CDF.
  expect_rc 0 $PLOT cdf "$PRODUCT/results.csv" --hist mmu.walker.walk_latency -o cdf.png
  is_png cdf.png
  # A histogram the stats do not have: the CDF is skipped with a message.
  expect_rc 0 $PLOT cdf "$PRODUCT/results.csv" --hist no.such.histogram -o none.png
  grep -q "no latency histogram" last.log || fail "cdf without histograms"
  [[ ! -e none.png ]] || fail "cdf drawn from nothing"
  # With histograms in the documented form it is drawn.
  mkdir -p hist/points
  cp "$PRODUCT/results.csv" hist/
  for k in 0006 0007; do
    mkdir -p hist/points/$k
    $PY - "$PRODUCT/points/$k/stats.json" "hist/points/$k/stats.json" <<'EOF'
import json, sys
stats = json.load(open(sys.argv[1]))
stats["mmu"]["walker"]["walk_latency"] = {"bucket_cycles": [100, 200, 400, 800], "bucket_count": [1, 5, 3, 1]}
json.dump(stats, open(sys.argv[2], "w"))
EOF
  done
  expect_rc 0 $PLOT cdf hist/results.csv --where system.virtualization=ept --hist mmu.walker.walk_latency -o cdf.png
  is_png cdf.png
  ;;

resume_kill | resume_term)
  write_sweep24 sweep.yaml 50000
  "$MMUSIM" sweep sweep.yaml -j 2 --out ref >/dev/null
  setsid "$MMUSIM" sweep sweep.yaml -j 2 --out out >first.log 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    (($(ls out/points/*/done 2>/dev/null | wc -l) >= 4)) && break
    sleep 0.05
  done
  if [[ $CASE == resume_kill ]]; then
    kill -KILL -- -$pid
    wait $pid || true
  else
    kill -TERM $pid
    rc=0
    wait $pid || rc=$?
    cat first.log
    [[ $rc == 143 ]] || fail "SIGTERM: exit code $rc, expected 143"
    grep -q "Terminated: stopping" first.log || fail "no stop message"
    grep -q ",missing," out/results.csv || fail "partial results.csv"
  fi
  sleep 0.2
  for c in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' <"$c" 2>/dev/null | grep -q -- "--out $WORK/out/points/" && fail "a point still runs after the sweep ended"
  done
  ls out/points/*/failed >/dev/null 2>&1 && fail "interrupted points marked failed"
  done_before=$(ls out/points/*/done | wc -l)
  ((done_before < 24)) || fail "the sweep finished before it was stopped"
  for d in out/points/*/done; do stat -c '%n %i %Y' "${d%done}stats.json"; done >before.txt
  expect_rc 0 "$MMUSIM" sweep sweep.yaml -j 2 --out out
  grep -q "$done_before already done, running $((24 - done_before)) " last.log || fail "rerun plan"
  for d in $(cut -d' ' -f1 before.txt); do stat -c '%n %i %Y' "$d"; done >after.txt
  cmp before.txt after.txt || fail "finished points were rerun"
  for d in $(cut -d' ' -f1 before.txt); do
    k=$((10#$(basename "$(dirname "$d")")))
    [[ $(grep -c "^point $k: started$" out/sweep.log) == 1 ]] || fail "point $k started twice"
  done
  cmp ref/results.csv out/results.csv || fail "results.csv differs from an uninterrupted sweep's"
  ;;

failed_point)
  cat >sweep.yaml <<EOF
base: $BASE
set: {workload.count: 2000, system.guest_mem_gib: 1, system.host_mem_gib: 2}
axes:
  workload.footprint_mib: [64, 4096, 128]
EOF
  expect_rc 1 "$MMUSIM" sweep sweep.yaml -j 2 --out out
  grep -q "3 points: 2 ok, 1 failed" last.log || fail "summary"
  grep -q "point 1 (workload.footprint_mib=4096): exit 1: mmusim: error: prefault: simulated physical memory exhausted" last.log ||
    fail "failure not reported"
  grep -q '^1,4096,failed,1,,.*,mmusim: error: prefault: simulated physical memory exhausted' out/results.csv ||
    fail "failure not in results.csv"
  [[ $(cat out/points/0001/failed) == "exit 1" ]] || fail "failed marker"
  grep -q "memory exhausted" out/points/0001/stderr.txt || fail "stderr not kept"
  grep -q '^0,64,ok,0,2000,' out/results.csv || fail "point 0"
  grep -q '^2,128,ok,0,2000,' out/results.csv || fail "point 2"
  # A failed point is not finished: the next run retries it alone.
  expect_rc 1 "$MMUSIM" sweep sweep.yaml -j 2 --out out
  grep -q "2 already done, running 1 " last.log || fail "retry plan"
  ;;

stale)
  cp "$BASE" base.yaml
  write_sweep() { printf 'base: base.yaml\nset: {workload.count: %s}\naxes:\n  system.guest_page: [4K, 2M]\n' "$1" >sweep.yaml; }
  write_sweep 2000
  expect_rc 0 "$MMUSIM" sweep sweep.yaml --out out
  write_sweep 2001
  expect_rc 2 "$MMUSIM" sweep sweep.yaml --out out
  grep -q "2 finished point(s) do not belong to this sweep, the first is point 0: it was run with other overrides" last.log ||
    fail "changed overrides not detected"
  expect_rc 2 "$MMUSIM" sweep sweep.yaml --collect --out out
  # The same overrides over an edited base config are stale too.
  write_sweep 2000
  sed -i 's/^    latency: 200 /    latency: 201 /' base.yaml
  grep -q "latency: 201" base.yaml || fail "base edit"
  expect_rc 2 "$MMUSIM" sweep sweep.yaml --out out
  grep -q "its config.yaml is not what the point resolves to now" last.log || fail "changed base not detected"
  ;;

slurm)
  printf 'base: %s\nset: {workload.count: 3000}\naxes:\n  system.virtualization: [ept, shadow]\n  system.guest_page: [4K, 2M, 1G]\n' "$BASE" >sweep.yaml
  expect_rc 0 "$MMUSIM" sweep sweep.yaml -j 2 --out local
  expect_rc 0 "$MMUSIM" sweep sweep.yaml --emit slurm --out cluster
  script=cluster/sweep.sbatch
  bash -n $script || fail "script syntax"
  [[ $(grep -c '^#SBATCH --array=0-5$' $script) == 1 ]] || fail "array line"
  [[ $(head -1 $script) == "#!/bin/bash" ]] || fail "shebang"
  [[ -d cluster/slurm ]] || fail "log directory"
  expect_rc 1 bash $script
  grep -q "not a Slurm array task" last.log || fail "runs outside a job array"
  same_point() {
    for f in config.yaml point.yaml done; do
      cmp "local/points/$1/$f" "cluster/points/$1/$f" || fail "point $1: $f differs"
    done
    cmp <(simulated_stats "local/points/$1/stats.json") <(simulated_stats "cluster/points/$1/stats.json") ||
      fail "point $1: stats differ"
  }
  (cd / && SLURM_ARRAY_TASK_ID=4 bash "$WORK/$script") || fail "task 4"
  same_point 0004
  [[ $(ls cluster/points) == 0004 ]] || fail "task 4 ran other points"
  expect_rc 1 "$MMUSIM" sweep sweep.yaml --collect --out cluster
  grep -q "6 points: 1 ok, 0 failed, 5 not run" last.log || fail "partial collect"
  for k in 0 1 2 3 5; do SLURM_ARRAY_TASK_ID=$k bash $script >/dev/null || fail "task $k"; done
  SLURM_ARRAY_TASK_ID=4 bash $script | grep -q "point 4 already done" || fail "task 4 rerun"
  same_point 0000
  expect_rc 0 "$MMUSIM" sweep sweep.yaml --collect --out cluster
  cmp local/results.csv cluster/results.csv || fail "collected results.csv differs from the local sweep's"
  ;;

*)
  fail "unknown case $CASE"
  ;;
esac
echo "PASS: $CASE"
