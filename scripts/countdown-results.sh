#!/usr/bin/env bash
# Regenerates the measurements behind Docs/results.md: the shipped Countdown models (Models/countdown/)
# on the held-out problems of Docs/results/heldout-cd3.jsonl, APR (Graphs/countdown-apr.yaml, countdown-apr)
# against sequential search (Graphs/countdown-seq.yaml, countdown-seq) at equal context windows; and, when
# the ParaThinker model is shipped, ParaThinker (Graphs/countdown-parathinker.yaml, countdown-parathinker)
# with P paths against majority voting over P sampled sequential searches (Graphs/countdown-vote.yaml,
# countdown-seq), and its first/half/last-finish policies at P=4.
#
#   scripts/countdown-results.sh            # N=500 problems, windows 128,256,512,900; P=1,2,4,8 (8 problems per batch)
#   N=50 WINDOWS=256,512 PATHS=1,2 PT_N=20 scripts/countdown-results.sh   # PT_N: problems for the ParaThinker part
#   PARTS=parathinker scripts/countdown-results.sh   # one part: search (APR/sequential), parathinker, vote
#   JOBS=2 scripts/countdown-results.sh     # the sequential and APR evals side by side (2 cores)
#
# Each model needs its own `braid eval` (one model per command); the results files are concatenated and
# summarized together with `braid eval --from`, which prints the table and draws the plot.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BRAID:-.build/release/braid}
N=${N:-500}
WINDOWS=${WINDOWS:-128,256,512,900}
OUT=${OUT:-out/countdown-results}
APR_MODEL=${APR_MODEL:-countdown-apr}   # a name (Models/countdown/NAME.gguf) or a GGUF path
SEQ_MODEL=${SEQ_MODEL:-countdown-seq}
PT_MODEL=${PT_MODEL:-countdown-parathinker}
PATHS=${PATHS:-1,2,4,8}
PT_N=${PT_N:-$N}                        # problems for the ParaThinker part
PARTS=${PARTS:-search,parathinker,vote}
JOBS=${JOBS:-1}                         # 2: run the sequential and APR evals at the same time
PROBLEMS=Docs/results/heldout-cd3.jsonl
[ -x "$B" ] || swift build -c release --product braid
[ "$PARTS" = search,parathinker,vote ] && rm -rf "$OUT"   # a partial run (PARTS=...) adds to what is there
mkdir -p "$OUT/traces"

if [[ "$PARTS" == *search* ]]; then

# Sequential search: the whole search in one context of `tokens` sampled tokens.
seq_eval() {
  "$B" eval Graphs/countdown-seq.yaml --model "$SEQ_MODEL" --problems "$PROBLEMS" --n "$N" \
    --sweep tokens="$WINDOWS" --threads 1 --batch 8 -q --out "$OUT/seq.jsonl" --traces "$OUT/traces" --plot "$OUT/seq.svg" \
    > "$OUT/seq.txt"
}
# APR: every parent segment and every child may sample up to the same window.
apr_eval() {
  "$B" eval Graphs/countdown-apr.yaml --model "$APR_MODEL" --problems "$PROBLEMS" --n "$N" \
    --sweep tokens="$WINDOWS" --threads 1 --batch 8 -q --out "$OUT/apr.jsonl" --traces "$OUT/traces" --plot "$OUT/apr.svg" \
    > "$OUT/apr.txt"
}
if [ "$JOBS" -gt 1 ]; then   # the two evals side by side, one thread each (wall times then share the cores)
  seq_eval & seq_pid=$!
  apr_eval & apr_pid=$!
  wait "$seq_pid"
  wait "$apr_pid"
else
  seq_eval
  apr_eval
fi
cat "$OUT/seq.jsonl" "$OUT/apr.jsonl" > "$OUT/all.jsonl"
"$B" eval --from "$OUT/all.jsonl" --plot "$OUT/countdown-results.svg" | tee "$OUT/table.md"
python3 scripts/countdown-trace-stats.py "$OUT/all.jsonl" "$OUT/traces" | tee "$OUT/trace-stats.md"
python3 scripts/countdown-op-stats.py "$OUT/all.jsonl" --traces "$OUT/traces" | tee "$OUT/op-stats.md"
fi

if [[ "$PARTS" == *parathinker* ]] && "$B" model info "$PT_MODEL" > /dev/null 2>&1; then
  # ParaThinker: P paths sampled at temperature 0.5, then the summary over all of them (last-finish), against
  # majority voting over the same model's P paths (no summary); the vote part below votes over P searches
  # sampled from the sequential model at the same temperature and budget.
  "$B" eval Graphs/countdown-parathinker.yaml --model "$PT_MODEL" --problems "$PROBLEMS" --n "$PT_N" \
    --sweep paths="$PATHS" --threads 1 --batch 8 -q --out "$OUT/parathinker.jsonl" --traces "$OUT/traces" > "$OUT/parathinker.txt"
  "$B" eval Graphs/countdown-parathinker-vote.yaml --model "$PT_MODEL" --problems "$PROBLEMS" --n "$PT_N" \
    --sweep paths="$PATHS" --threads 1 --batch 8 -q --out "$OUT/pt-vote.jsonl" --traces "$OUT/traces" > "$OUT/pt-vote.txt"
  # First- / half-finish at P=4 (last-finish, the graph's default, is the paths=4 row above).
  "$B" eval Graphs/countdown-parathinker.yaml --model "$PT_MODEL" --problems "$PROBLEMS" --n "$PT_N" --set paths=4 \
    --sweep finish=first,half --threads 1 --batch 8 -q --out "$OUT/finish.jsonl" --traces "$OUT/traces" > "$OUT/finish.txt"
  { cat "$OUT/finish.jsonl"; grep '"config":"countdown-parathinker paths=4"' "$OUT/parathinker.jsonl" || true; } \
    > "$OUT/finish-all.jsonl"
  "$B" eval --from "$OUT/finish-all.jsonl" | tee "$OUT/finish-table.md"
  python3 scripts/countdown-parathinker-stats.py "$OUT/parathinker.jsonl" "$OUT/finish.jsonl" --traces "$OUT/traces" \
    | tee "$OUT/parathinker-stats.md"
fi

if [[ "$PARTS" == *vote* ]]; then
  # Majority voting over P searches sampled from the sequential model (same temperature and budget).
  "$B" eval Graphs/countdown-vote.yaml --model "$SEQ_MODEL" --problems "$PROBLEMS" --n "$PT_N" \
    --sweep samples="$PATHS" --threads 1 --batch 8 -q --out "$OUT/vote.jsonl" --traces "$OUT/traces" > "$OUT/vote.txt"
fi

if [ -f "$OUT/parathinker.jsonl" ]; then
  cat "$OUT/parathinker.jsonl" "$OUT/pt-vote.jsonl" $( [ -f "$OUT/vote.jsonl" ] && echo "$OUT/vote.jsonl") > "$OUT/parallel.jsonl"
  "$B" eval --from "$OUT/parallel.jsonl" --plot "$OUT/parathinker-results.svg" | tee "$OUT/parathinker-table.md"
  python3 scripts/countdown-op-stats.py "$OUT/parallel.jsonl" --traces "$OUT/traces" | tee "$OUT/parathinker-op-stats.md"
fi
