#!/usr/bin/env bash
# Regenerates the measurements behind Docs/results.md: the shipped Countdown models (Models/countdown/)
# on the held-out problems of Docs/results/heldout-cd3.jsonl, APR (Graphs/countdown-apr.yaml, countdown-apr)
# against sequential search (Graphs/countdown-seq.yaml, countdown-seq) at equal context windows.
#
#   scripts/countdown-results.sh            # N=500 problems, windows 128,256,512,1000 (APR 8 problems per batch)
#   N=50 WINDOWS=256,512 scripts/countdown-results.sh
#
# Each model needs its own `braid eval` (one model per command); the results files are concatenated and
# summarized together with `braid eval --from`, which prints the table and draws the plot.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BRAID:-.build/release/braid}
N=${N:-500}
WINDOWS=${WINDOWS:-128,256,512,1000}
OUT=${OUT:-out/countdown-results}
APR_MODEL=${APR_MODEL:-countdown-apr}   # a name (Models/countdown/NAME.gguf) or a GGUF path
SEQ_MODEL=${SEQ_MODEL:-countdown-seq}
PROBLEMS=Docs/results/heldout-cd3.jsonl
[ -x "$B" ] || swift build -c release --product braid
rm -rf "$OUT" && mkdir -p "$OUT/traces"

# Sequential search: the whole search in one context of `tokens` sampled tokens.
"$B" eval Graphs/countdown-seq.yaml --model "$SEQ_MODEL" --problems "$PROBLEMS" --n "$N" \
  --sweep tokens="$WINDOWS" --threads 1 -q --out "$OUT/seq.jsonl" --traces "$OUT/traces" --plot "$OUT/seq.svg" \
  > "$OUT/seq.txt"
# APR: every parent segment and every child may sample up to the same window.
"$B" eval Graphs/countdown-apr.yaml --model "$APR_MODEL" --problems "$PROBLEMS" --n "$N" \
  --sweep tokens="$WINDOWS" --threads 1 --batch 8 -q --out "$OUT/apr.jsonl" --traces "$OUT/traces" --plot "$OUT/apr.svg" \
  > "$OUT/apr.txt"
cat "$OUT/seq.jsonl" "$OUT/apr.jsonl" > "$OUT/all.jsonl"
"$B" eval --from "$OUT/all.jsonl" --plot "$OUT/countdown-results.svg" | tee "$OUT/table.md"
python3 scripts/countdown-trace-stats.py "$OUT/all.jsonl" "$OUT/traces" | tee "$OUT/trace-stats.md"
