#!/usr/bin/env bash
# Problems per second of `braid eval --batch N` (several problems in one forward pass per step) against one
# problem at a time, on 32 held-out Countdown problems with ParaThinker and the default model. Checks that
# every N gives the per-problem results of N = 1 (the results files, wall times left out), and prints a
# Markdown table for Docs/eval.md with the machine's load average around each measurement.
#
#   Benchmarks/eval-batch.sh                                    # .build/release/braid (build it first)
#   BATCHES="1 8" COUNT=16 THREADS=2 Benchmarks/eval-batch.sh
#   SETTINGS="--set paths=2 --set path_tokens=64" Benchmarks/eval-batch.sh
#
# Speed is measured here, never in timed tests (Tests/BraidEvalTests/BatchEvalTests.swift checks the results).
set -euo pipefail

cd "$(dirname "$0")/.."
braid=${BRAID:-.build/release/braid}
batches=${BATCHES:-1 4 8 16}
count=${COUNT:-32}
threads=${THREADS:-1}
graph=${GRAPH:-Graphs/parathinker.yaml}
settings=${SETTINGS:---set paths=4 --set path_tokens=32 --set summary_tokens=32}
[[ -x "$braid" ]] || { echo "eval-batch.sh: no braid binary at $braid (swift build -c release --product braid)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$braid" countdown generate --numbers 4 --count "$count" --seed 1 --split heldout --out "$work/problems.jsonl"

load() { cut -d' ' -f1 /proc/loadavg; }
# A results file without wall times, one line per problem in problem order.
untimed() { python3 -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line); r.pop("seconds", None); print(json.dumps(r, sort_keys=True))' "$1"; }

echo "graph: $graph $settings; $count problems; --threads $threads; $(nproc) cores; model: default"
echo
echo "| --batch | wall s | problems/s | speed-up | load before → after | results = --batch 1 |"
echo "|--:|--:|--:|--:|:-:|:-:|"
base=""
for n in $batches; do
    before=$(load)
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$braid" eval "$graph" --task countdown --problems "$work/problems.jsonl" --n "$count" $settings \
        --threads "$threads" --batch "$n" --out "$work/results-$n.jsonl" --json -q > "$work/report-$n.json"
    end=$(date +%s.%N)
    after=$(load)
    wall=$(python3 -c "print(f'{$end - $start:.1f}')")
    rate=$(python3 -c "import json; print(f\"{json.load(open('$work/report-$n.json'))['throughput'][0]['problemsPerSecond']:.3f}\")")
    [[ -n "$base" ]] || base=$rate
    speedup=$(python3 -c "print(f'{$rate / $base:.2f}×')")
    untimed "$work/results-$n.jsonl" > "$work/untimed-$n.jsonl"
    first=$(echo $batches | cut -d' ' -f1)
    same=$(cmp -s "$work/untimed-$first.jsonl" "$work/untimed-$n.jsonl" && echo yes || echo NO)
    echo "| $n | $wall | $rate | $speedup | $before → $after | $same |"
done
