#!/usr/bin/env bash
# Reproduces the shipped Countdown models (Models/countdown/) from scratch with the recipe in Training/:
#
#   seq stage 1  fresh weights, 2,200 steps (the first shipped sequential run, Training/logs/)
#   seq stage 2  a continuation with its own batch order (--batch-seed 2) and a 12,000-step schedule,
#                stopped at step 3,500 (--stop-after: the schedule still spans 12,000 steps, so this
#                reproduces that checkpoint of the longer run exactly)
#   seq          stage 3: a continuation of stage 2 (--batch-seed 3, a 4,000-step schedule), stopped at SEQ_STEPS
#   apr          the APR variant started from the seq stage-2 model (same vocabulary), --batch-seed 3, a
#                3,000-step schedule at lr 1e-3, stopped at APR_STEPS. Trained from fresh weights, APR's data
#                taught the arithmetic ~3x slower per token than SoS+ data (Docs/results.md), so it starts
#                from a model that already has it
#   parathinker  from the seq stage-1 model, widened with the ParaThinker tokens and thought embeddings
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
APR_STEPS=${APR_STEPS:-3000}
PT_STEPS=${PT_STEPS:-2000}
mkdir -p "$W"
[ -x .build/release/braid ] || swift build -c release --product braid
train() { nice -n 10 "$PY" Training/train.py "$@"; }
want() { [ "$ONLY" = all ] || [ "$ONLY" = "$1" ]; }

# Sequential stages 1 and 2 (everything below starts from one of them).
[ -f "$W/countdown-seq-stage1.gguf" ] || train --variant seq --steps 2200 --batch-tokens 2048 --save-every 100 \
  --out "$W/countdown-seq-stage1.gguf"
if want seq || want apr; then
  [ -f "$W/countdown-seq-stage2.gguf" ] || train --variant seq --init-from "$W/countdown-seq-stage1.gguf" --batch-seed 2 \
    --steps 12000 --stop-after 3500 --batch-tokens 2048 --lr 2e-3 --save-every 500 --out "$W/countdown-seq-stage2.gguf"
fi
if want seq; then
  train --variant seq --init-from "$W/countdown-seq-stage2.gguf" --batch-seed 3 --steps 4000 --stop-after "$SEQ_STEPS" \
    --batch-tokens 2048 --lr 2e-3 --save-every 500 --out "$W/countdown-seq.gguf"
fi
if want apr; then
  train --variant apr --init-from "$W/countdown-seq-stage2.gguf" --batch-seed 3 --steps 3000 --stop-after "$APR_STEPS" \
    --batch-tokens 2048 --lr 1e-3 --save-every 250 --out "$W/countdown-apr.gguf"
fi
if want parathinker; then
  train --variant parathinker --init-from "$W/countdown-seq-stage1.gguf" --steps 4000 --stop-after "$PT_STEPS" \
    --batch-tokens 2048 --lr 2e-3 --save-every 250 --out "$W/countdown-parathinker.gguf"
fi
ls -l "$W"/*.gguf
