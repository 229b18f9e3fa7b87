#!/usr/bin/env bash
# Captures traces of real programs from Debian packages into traces/ (not committed: this script
# reproduces them) for configs/workloads/*.yaml. Each program runs under QEMU user-mode emulation
# with mmusim's plugin; the trace is one window of KEEP accesses after a start-up of SKIP accesses
# (counted on an earlier run of the same command) that puts it in the phase named below.
#
# usage: testbench/capture_workloads.sh [NAME...]     NAME: xz xz_mt sqlite pagerank sysbench
#                                                      redis (default: all)
# environment: MMUSIM (default build/mmusim), KEEP (default 50M), TRACES (default traces)
# As root, missing packages are installed with apt-get; otherwise the line to run is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
MMUSIM=${MMUSIM:-build/mmusim}
KEEP=${KEEP:-50M}
TRACES=${TRACES:-traces}
WORK=$TRACES/inputs
PACKAGES="qemu-user xz-utils sqlite3 python3 python3-igraph sysbench redis-server redis-tools"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  else
    echo "missing packages; run as root:  apt-get install -y$missing" >&2
    exit 1
  fi
fi
[ -x "$MMUSIM" ] || { echo "no $MMUSIM: build first (make build)" >&2; exit 1; }
mkdir -p "$WORK"

capture() {  # NAME SKIP [capture options] -- CMD ARGS...
  local name=$1 skip=$2
  shift 2
  echo "== $name"
  "$MMUSIM" trace capture --tool qemu --skip "$skip" --keep "$KEEP" --out "$TRACES/$name.mtr" "$@"
}

# xz -9 compressing 47 MB of text (38 G accesses in all): match finding over a 64 MiB
# dictionary; the window starts 3 G accesses in, when the dictionary holds a few MB.
xz() {
  [ -f "$WORK/seq.txt" ] || seq 1 6000000 > "$WORK/seq.txt"
  capture xz 3000M --stdout /dev/null -- xz -9 -T1 -c "$WORK/seq.txt"
}

# xz -6 with 4 threads (-T4) compressing the same text in 2 MiB blocks: a main thread and four
# workers, each with its own 8 MiB dictionary; the window starts 100 M accesses in, with every
# worker compressing (configs/workloads/xz_mt.yaml runs it on 4 cores).
xz_mt() {
  [ -f "$WORK/seq.txt" ] || seq 1 6000000 > "$WORK/seq.txt"
  capture xz_mt 100M --stdout /dev/null -- xz -6 -T4 --block-size=2MiB -c "$WORK/seq.txt"
}

# sqlite3 in memory: 400,000 inserts (1.39 G accesses), then the window, inside CREATE INDEX
# (1.39 G to 1.94 G), then a second table and a join.
sqlite() {
  cat > "$WORK/sqlite.sql" <<'EOF'
PRAGMA cache_size = -262144;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000)
INSERT INTO t SELECT i, (i * 2654435761) % 1000003, printf('%032x', i * 40503) FROM n;
CREATE INDEX t_k ON t(k);
CREATE TABLE u(id INTEGER PRIMARY KEY, k INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO u SELECT i, (i * 40503) % 1000003 FROM n;
SELECT count(*), sum(length(t.v)) FROM u JOIN t ON t.k = u.k;
EOF
  capture sqlite 1450M --stdin "$WORK/sqlite.sql" --stdout /dev/null -- sqlite3 :memory:
}

# python3-igraph: a Barabasi-Albert graph of 300,000 vertices and 2.4 M edges (1.89 G accesses to
# start Python and build it), then PageRank (PRPACK) over it: the window.
pagerank() {
  cat > "$WORK/pagerank.py" <<'EOF'
import igraph
g = igraph.Graph.Barabasi(300000, 8, directed=False)
for _ in range(20):
    pr = g.pagerank()
print(max(pr))
EOF
  capture pagerank 2000M --stdout /dev/null -- /usr/bin/python3 "$WORK/pagerank.py"
}

# sysbench memory, random accesses over a 512 MiB block (GUPS-like); start-up (LuaJIT, the
# block's allocation and clearing) is 0.54 G accesses.
sysbench() {
  capture sysbench 600M --stdout /dev/null -- sysbench memory --memory-block-size=512M \
    --memory-total-size=64G --memory-access-mode=rnd --threads=1 --time=0 run
}

# redis-server under redis-benchmark: 300,000 SETs of 64-byte values over 1 M keys (start-up and
# SETs are 0.89 G accesses of the server), then GETs: the window.
redis() {
  local port=7379
  capture redis 1000M --stdout /dev/null -- redis-server --port $port --save "" \
    --appendonly no &
  local server=$!
  for _ in $(seq 100); do
    redis-cli -p $port ping 2>/dev/null | grep -q PONG && break
    sleep 0.2
  done
  redis-benchmark -p $port -t set -n 300000 -r 1000000 -d 64 -q > /dev/null
  redis-benchmark -p $port -t get -n 100000000 -r 1000000 -d 64 -q > /dev/null 2>&1 &
  local client=$!
  wait $server || true
  kill $client 2>/dev/null || true
  wait $client 2>/dev/null || true
}

names=${*:-xz xz_mt sqlite pagerank sysbench redis}
for n in $names; do
  case $n in
    xz | xz_mt | sqlite | pagerank | sysbench | redis) $n ;;
    *) echo "unknown workload '$n' (xz xz_mt sqlite pagerank sysbench redis)" >&2; exit 2 ;;
  esac
done
for n in $names; do "$MMUSIM" trace stat "$TRACES/$n.mtr" | head -3; done
