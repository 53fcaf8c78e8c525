#!/usr/bin/env bash
# Reproduces the shipped Countdown models (Models/countdown/) from scratch with the recipe in Training/:
#
#   stage 1  fresh weights: the first shipped seq and apr runs (Training/logs/)
#   stage 2  a continuation of each from its stage-1 model with its own batch order (--batch-seed 2) and a
#            12,000-step schedule, stopped at the shipped checkpoint (--stop-after; the schedule still spans
#            12,000 steps, so this reproduces that checkpoint of the longer run exactly)
#   parathinker  from the stage-1 sequential model, widened with the ParaThinker tokens and thought embeddings
#
#   scripts/train-countdown.sh                 # all, into Training/work/repro/ (hours on 2 shared cores)
#   ONLY=parathinker scripts/train-countdown.sh
#
# Every run is seeded and uses one torch thread, so the same command gives the same weights on one machine
# (Training/README.md, Determinism). Copy the results into Models/countdown/ to ship them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-Training/.venv/bin/python}
W=${WORK:-Training/work/repro}
ONLY=${ONLY:-all}
SEQ_STEPS=${SEQ_STEPS:-3000}
APR_STEPS=${APR_STEPS:-3500}
PT_STEPS=${PT_STEPS:-2000}
mkdir -p "$W"
[ -x .build/release/braid ] || swift build -c release --product braid
train() { nice -n 10 "$PY" Training/train.py "$@"; }
want() { [ "$ONLY" = all ] || [ "$ONLY" = "$1" ]; }

# Stage 1 (needed by everything below).
[ -f "$W/countdown-seq-stage1.gguf" ] || train --variant seq --steps 2200 --batch-tokens 2048 --save-every 100 \
  --out "$W/countdown-seq-stage1.gguf"
if want apr; then
  [ -f "$W/countdown-apr-stage1.gguf" ] || train --variant apr --steps 1600 --batch-tokens 2048 --save-every 100 \
    --out "$W/countdown-apr-stage1.gguf"
  train --variant apr --init-from "$W/countdown-apr-stage1.gguf" --batch-seed 2 --steps 12000 --stop-after "$APR_STEPS" \
    --batch-tokens 2048 --lr 2e-3 --save-every 500 --out "$W/countdown-apr.gguf"
fi
if want seq; then
  train --variant seq --init-from "$W/countdown-seq-stage1.gguf" --batch-seed 2 --steps 12000 --stop-after "$SEQ_STEPS" \
    --batch-tokens 2048 --lr 2e-3 --save-every 500 --out "$W/countdown-seq.gguf"
fi
if want parathinker; then
  train --variant parathinker --init-from "$W/countdown-seq-stage1.gguf" --steps 4000 --stop-after "$PT_STEPS" \
    --batch-tokens 2048 --lr 2e-3 --save-every 250 --out "$W/countdown-parathinker.gguf"
fi
ls -l "$W"/*.gguf
