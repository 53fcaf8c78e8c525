#!/usr/bin/env bash
# Builds and runs blas-small-batch.c: OpenBLAS sgemm vs per-row sgemv on one decode step's weights for
# 1–16 rows. Shows where batching threads into one sgemm starts to pay on this machine.
#   Benchmarks/blas-small-batch.sh [OPENBLAS_THREADS]
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -O2 blas-small-batch.c -o "$out/blas-small-batch" $(pkg-config --cflags --libs openblas 2>/dev/null || echo -lopenblas)
"$out/blas-small-batch" "${1:-1}"
