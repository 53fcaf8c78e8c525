#!/usr/bin/env bash
# Builds braid in release mode and runs the benchmarks, writing a markdown report and the JSON behind it.
#
#   Benchmarks/run.sh                 # everything, default settings
#   QUICK=1 Benchmarks/run.sh         # fewer repeats and paths (a smoke run of a few minutes)
#   Benchmarks/run.sh --no-graph      # only the transformer
#
# Environment: MODEL (a GGUF path; default: the cached SmolLM2), THREADS (compute threads, `--threads`; default:
# one per core), OUT (report folder; default Benchmarks/results/<UTC time>), REPEATS, PATHS, TOKENS.
# Speed is measured here, never in timed tests: `swift test` does not touch this folder.
set -euo pipefail

cd "$(dirname "$0")/.."
graph=1
for arg in "$@"; do
    case "$arg" in
        --no-graph) graph=0 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

if [[ -n "${QUICK:-}" ]]; then
    repeats=${REPEATS:-3}; paths=${PATHS:-1,4,16}; tokens=${TOKENS:-32}; graph_repeats=1
else
    repeats=${REPEATS:-5}; paths=${PATHS:-1,2,4,8,16}; tokens=${TOKENS:-64}; graph_repeats=3
fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=${OUT:-Benchmarks/results/$stamp}
mkdir -p "$out"

common=()
[[ -n "${MODEL:-}" ]] && common+=(--model "$MODEL")
[[ -n "${THREADS:-}" ]] && common+=(--threads "$THREADS")

echo "building (release)…" >&2
swift build -c release --product braid >&2
braid=.build/release/braid

report="$out/report.md"
{
    echo "# Braid benchmarks, $stamp"
    echo
    echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
    echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) CPUs"
    echo "- load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}, THREADS=${THREADS:-unset}"
    echo
} > "$report"

echo "transformer benchmark…" >&2
"$braid" bench transformer "${common[@]}" --streams 8,16 --repeats "$repeats" --json-file "$out/transformer.json" \
    > "$out/transformer.txt"
{ echo "## Transformer"; echo; echo '```'; cat "$out/transformer.txt"; echo '```'; echo; } >> "$report"

if [[ $graph == 1 ]]; then
    echo "graph benchmark…" >&2
    "$braid" bench graph Graphs/parathinker.yaml "${common[@]}" --paths "$paths" --tokens "$tokens" \
        --repeats "$graph_repeats" --compare-reprefill --compare-graph Graphs/parathinker-reprefill.yaml --json-file "$out/parathinker.json" > "$out/parathinker.txt"
    { echo "## ParaThinker (Graphs/parathinker.yaml)"; echo; cat "$out/parathinker.txt"; echo; } >> "$report"
fi

# Ratios to llama.cpp's figures measured on this machine kind (../shared/anchors/llamacpp-smollm2.md,
# llama.cpp 0c1e57098bba, 2 threads; the strongest configuration for each phase). For llama.cpp run on
# this very machine, use Benchmarks/llamacpp-compare.sh instead.
if command -v python3 >/dev/null; then
    python3 - "$out/transformer.json" >> "$report" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
anchor = {"prefill": (476.0, "OpenBLAS build, passive wait (best prefill)"), 1: (122.0, "flash attention, 2 threads"),
          8: (172.0, "llama-batched-bench -pps, 128-token prompt, 2 threads"), 16: (203.0, "llama-batched-bench -pps, 128-token prompt, 2 threads")}
print("## Against the llama.cpp anchor (same model, same machine kind)")
print()
print("| figure | Braid (median) | llama.cpp | Braid/llama.cpp | llama.cpp setting |")
print("|---|---|---|---|---|")
p = r["prefillTokensPerSecond"]["median"]
print("| prefill %d tok/s | %.1f | %.0f | %.2f | %s |" % (r["promptTokens"], p, anchor["prefill"][0], p / anchor["prefill"][0], anchor["prefill"][1]))
for d in r["decode"]:
    n, v = d["streams"], d["tokensPerSecond"]["median"]
    if n in anchor:
        what = "decode 1 stream" if n == 1 else "aggregate decode %d streams" % n
        print("| %s tok/s | %.1f | %.0f | %.2f | %s |" % (what, v, anchor[n][0], v / anchor[n][0], anchor[n][1]))
print()
PY
fi
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$report"

cat "$report"
echo "report: $report" >&2
