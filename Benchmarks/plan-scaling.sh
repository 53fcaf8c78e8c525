#!/usr/bin/env bash
# Compile cost of `braid plan` as ParaThinker's paths grow, and how fast `braid run` refuses plans that can't fit.
# Prints a Markdown table (wall time and peak resident memory from /usr/bin/time -v) for Docs/plan.md.
#
#   Benchmarks/plan-scaling.sh                       # .build/release/braid (build it first)
#   BRAID=/path/to/braid PATHS="1000 4000" Benchmarks/plan-scaling.sh
#
# Speed is measured here, never in timed tests (Tests/BraidPlanTests/ScalingTests.swift checks the sizes instead).
set -euo pipefail

cd "$(dirname "$0")/.."
braid=${BRAID:-.build/release/braid}
paths=${PATHS:-1000 2000 4000 8000 16000 64000}
[[ -x "$braid" ]] || { echo "plan-scaling.sh: no braid binary at $braid (swift build -c release --product braid)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "plan-scaling.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

# One row: the command, its exit status, wall seconds and peak RSS in MB.
measure() {
    local log status
    log=$(mktemp)
    status=0
    /usr/bin/time -v "$@" > /dev/null 2> "$log" || status=$?
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
    echo "| \`${*:2}\` | $status | $wall | $rss |"
    rm -f "$log"
}

echo "| command | exit | wall (m:ss) | peak RSS (MB) |"
echo "|---|---|---|---|"
for p in $paths; do
    measure "$braid" plan Graphs/parathinker.yaml --set "paths=$p"
done
measure "$braid" run Graphs/parathinker.yaml --set paths=100000
measure "$braid" run Graphs/parathinker.yaml --set paths=1000000000
measure "$braid" run Graphs/parathinker.yaml --set paths=10000 --set path_tokens=1
measure "$braid" run Graphs/parathinker.yaml --memory-limit 16MB
