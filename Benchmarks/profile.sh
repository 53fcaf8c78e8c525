#!/usr/bin/env bash
# Where the forward pass's time goes: samples `braid bench transformer` with perf and sorts the samples
# taken in the prefill and in the decode loop into phases (layer matmuls, attention, output head, …).
#
#   Benchmarks/profile.sh            # 1 stream and 8 streams after a 512-token prompt
#   STREAMS="1 16" Benchmarks/profile.sh
#   STREAMS=16 THREADS=2 ACTIVATIONS=q8 Benchmarks/profile.sh
#
# Stacks are unwound with DWARF (OpenBLAS kernels have no frame pointers). ACTIVATIONS=q8 profiles the opt-in
# 8-bit activation mode. Needs `perf` and python3; reads the release build (`swift build -c release` first).
# Environment: MODEL, THREADS (compute threads, default 1), STEPS (decode steps, default 128), PROMPT (default 512),
# ACTIVATIONS (f32 or q8, default f32).
set -euo pipefail

cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "profile.sh: perf is not installed (apt-get install linux-perf)" >&2; exit 2; }
[[ -x .build/release/braid ]] || { echo "profile.sh: build first: swift build -c release --product braid" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=()
[[ -n "${MODEL:-}" ]] && model=(--model "$MODEL")

for n in ${STREAMS:-1 8}; do
    perf record -q -F 249 --call-graph dwarf,8192 -o "$work/perf.data" -- .build/release/braid bench transformer "${model[@]}" \
        --prompt-tokens "${PROMPT:-512}" --decode-steps "${STEPS:-128}" --streams "$n" --repeats 1 \
        --threads "${THREADS:-1}" --activations "${ACTIVATIONS:-f32}" --skip-single-stream -q > "$work/bench.txt" 2>/dev/null
    perf script -i "$work/perf.data" -F tid,time,ip,sym,dso 2>/dev/null > "$work/script.txt"
    python3 - "$work/script.txt" "$n" "${PROMPT:-512}" <<'PY'
import sys, collections
path, threads, prompt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# Samples whose stack passes through ForwardBench.prefill or ForwardBench.decode (the warm-up's few
# samples included); model loading and start-up are left out. The pool's worker threads (worker_main in
# CBraidKernels/pool.c) have no ForwardBench frame: they get the phase of the main thread's nearest sample
# in time. Products are told apart by their leaf: CBraidKernels' kernels (f32 activations: matvec_*,
# braid_q4_1_matvec_avx512; q8 activations: braid_matvec_q8_*, matvec_q8_scalar, and braid_q8_quantize),
# or dequantized tiles and OpenBLAS sgemm (prefill). Only the calling thread's stack shows which product
# (multiplyRows: layer matrices; outputLogits: the head), so workers' products are counted apart.
def classify(frames):
    leaf = frames[0]
    syms = [f[1] for f in frames]
    def first(*keys):
        for s in syms:
            for k in keys:
                if k in s:
                    return k
        return None
    name = leaf[1]
    if "kernel" in leaf[2]:
        return "kernel (page faults, scheduling)"
    if "braid_q8_quantize" in name or "quantize_row" in name:
        return "q8: quantizing activation rows"
    if "dequant" in name:
        return "prefill: dequantizing weight tiles"
    if "openblas" in leaf[2] or "sgemm" in name:
        return "prefill: sgemm over dequantized tiles"
    if any(k in name for k in ("matvec", "q8_group")):
        mode = "q8" if "q8" in name else "f32"
        caller = first("outputLogits", "multiplyRows")
        return {"outputLogits": "output head (49152×576, %s kernels)" % mode,
                "multiplyRows": "layer matmuls (QKV, O, gate/up, down; %s kernels)" % mode}.get(
                    caller, "matrix products on pool workers (%s kernels)" % mode)
    if any(k in name for k in ("braid_pool", "worker_main", "work")) and first("worker_main", "braid_pool_run"):
        return "worker pool (spinning, waiting)"
    if any(k in name for k in ("braid_block_scores", "braid_block_values", "braid_softmax", "braid_prefetch")):
        return "attention (scores, softmax, weighted values)"
    if "braid_swiglu" in name:
        return "SwiGLU"
    kind = first("argmax", "attendByBlock", "attendByToken", "0B0C6attend", "rmsNorm", "swiglu", "Rope", "BatchPlan",
                 "8runLayer", "outputLogits", "0B0C7forward")
    return {"argmax": "sampling (argmax over the vocabulary)",
            "attendByBlock": "attention (scores, softmax, weighted values)",
            "attendByToken": "attention (scores, softmax, weighted values)",
            "0B0C6attend": "attention (scores, softmax, weighted values)",
            "rmsNorm": "RMSNorm", "swiglu": "SwiGLU", "Rope": "RoPE",
            "BatchPlan": "batch plan (views → spans)",
            "8runLayer": "layer glue (RoPE, KV writes, residual adds)",
            "outputLogits": "forward glue (final norm, logits)",
            "0B0C7forward": "forward glue (embedding rows, logits copy)"}.get(kind, "other (" + leaf[2].split("/")[-1] + ")")
import bisect
samples, frames, stamp = [], [], None
for line in open(path, errors="replace"):
    line = line.rstrip("\n")
    if not line.strip():
        if frames: samples.append((stamp, frames))
        frames = []
        continue
    if not line.startswith("\t") and not line.startswith(" " * 8):
        head = line.split()
        stamp = float(head[1].rstrip(":")) if len(head) > 1 and head[1].rstrip(":").replace(".", "", 1).isdigit() else None
        continue
    parts = line.strip().split(None, 1)
    if len(parts) < 2: continue
    rest = parts[1]
    dso = rest[rest.rfind("(") + 1:-1] if rest.endswith(")") else ""
    sym = rest[:rest.rfind("(")].strip() if "(" in rest else rest
    frames.append((parts[0], sym, dso))
if frames: samples.append((stamp, frames))
def phase_of(f):
    for s in f:
        if "ForwardBench" in s[1]:
            if "V7prefill" in s[1]: return "prefill"
            if "V6decode" in s[1]: return "decode"
    return None
anchors = sorted((t, phase_of(f)) for t, f in samples if t is not None and phase_of(f))
times = [a[0] for a in anchors]
def phase(t, f):
    p = phase_of(f)
    if p or t is None or not any("worker_main" in s[1] for s in f) or not anchors:
        return p
    k = bisect.bisect_left(times, t)
    near = min((j for j in (k - 1, k) if 0 <= j < len(anchors)), key=lambda j: abs(times[j] - t))
    return anchors[near][1]
for name in ("prefill", "decode"):
    counts = collections.Counter()
    for t, f in samples:
        if phase(t, f) == name:
            counts[classify(f)] += 1
    total = sum(counts.values()) or 1
    label = "%d-token prompt" % prompt if name == "prefill" else "%d thread%s" % (threads, "" if threads == 1 else "s")
    print("%s samples (%s): %d" % (name, label, sum(counts.values())))
    print()
    print("| phase | share |")
    print("|---|---|")
    for k, v in counts.most_common():
        if v * 1000 >= total:
            print("| %s | %.1f%% |" % (k, 100.0 * v / total))
    print()
PY
    grep -E "^(prefill|decode)" "$work/bench.txt" || true
    echo
done
