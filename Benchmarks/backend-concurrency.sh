#!/usr/bin/env bash
# Throughput of a 16-path fork on llama.cpp's llama-server through `braid run --backend`: the 16 paths as
# separate requests in flight together (--separate-siblings --concurrency 16), sent one after another
# (--separate-siblings --concurrency 1), and as one request with n=16 (the default for identical siblings), with
# the server's prefix-cache hits (cached_tokens, summed over the request trace). Self-consistency is the graph:
# 16 sampled chains over one shared prompt (finish: all), so every path has the same length budget.
#
#   Benchmarks/backend-concurrency.sh                 # .build/release/braid and ~/.cache/braid/llama-server
#   PATHS=8 TOKENS=64 Benchmarks/backend-concurrency.sh
#   MODES="16 n" Benchmarks/backend-concurrency.sh    # only the concurrent runs (a number: --concurrency, n: one request)
#
# The server gets one slot per path (-np PATHS) and 2 threads; speed is measured here, never in timed tests.
set -euo pipefail

cd "$(dirname "$0")/.."
braid=${BRAID:-.build/release/braid}
server=${LLAMA_SERVER:-${BRAID_LLAMA_SERVER_DIR:-$HOME/.cache/braid/llama-server}/bin/llama-server}
model=${MODEL:-${BRAID_MODELS:-$HOME/.cache/braid/models}/SmolLM2-135M-Instruct.Q4_1.gguf}
paths=${PATHS:-16}
tokens=${TOKENS:-128}
port=${PORT:-18089}
[[ -x "$braid" ]] || { echo "backend-concurrency.sh: no braid binary at $braid (swift build -c release --product braid)" >&2; exit 2; }
[[ -x "$server" ]] || { echo "backend-concurrency.sh: no llama-server at $server (scripts/build-llama-server.sh)" >&2; exit 2; }

work=$(mktemp -d)
"$server" -m "$model" --host 127.0.0.1 --port "$port" -c $((paths * (tokens + 128))) -np "$paths" -t 2 --no-webui \
    > "$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && break; sleep 0.25; done
curl -sf "http://127.0.0.1:$port/health" > /dev/null || { tail -20 "$work/server.log" >&2; exit 3; }

summary() { python3 -c 'import json,sys
rows = [json.loads(l) for l in open(sys.argv[1])]
paths = [r for r in rows if r["thread"] != "main"]
requests = len({r["number"] for r in paths})
gen = sum(r.get("completionTokens") or 0 for r in paths)
prompt = sum(r.get("promptTokens") or 0 for r in paths)
cached = sum(r.get("cachedTokens") or 0 for r in paths)
wall = max(r["ended"] for r in paths) - min(r["sent"] for r in paths)
print(f"| {sys.argv[2]} | {requests} | {len(paths)} | {wall:.2f} | {gen} | {gen / wall:.1f} | {prompt} | {cached} |")' "$1" "$2"; }

echo "graph: Graphs/self-consistency.yaml --set samples=$paths --set tokens=$tokens; llama-server -np $paths -t 2; $(nproc) cores; load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| sent as | requests | paths | wall s | generated tokens | tokens/s | prompt tokens | cached_tokens |"
echo "|--|--:|--:|--:|--:|--:|--:|--:|"
for mode in ${MODES:-1 $paths n}; do
    if [[ $mode == n ]]; then
        how=(--concurrency "$paths"); label="one request, n=$paths"
    else
        how=(--separate-siblings --concurrency "$mode"); label="separate, --concurrency $mode"
    fi
    "$braid" run Graphs/self-consistency.yaml --set samples="$paths" --set tokens="$tokens" --seed 1 -q \
        --backend "http://127.0.0.1:$port" "${how[@]}" --trace "$work/$mode.jsonl" > /dev/null
    summary "$work/$mode.jsonl" "$label"
done
