#!/usr/bin/env bash
# Writes Docs/results/heldout-cd3.jsonl: 500 distinct held-out Countdown-3 problems (numbers 1-30, targets
# 10-50, the shipped models' setting). One `braid countdown generate --split heldout` call stops early in a
# space this small (its miss budget runs out near 200 problems), so six seeds are drawn and merged, keeping
# the first occurrence of each puzzle (same numbers in any order and same target) until 500.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BRAID:-.build/release/braid}
tmp=$(mktemp -d)
for s in 2 3 4 5 6 7; do
  "$B" countdown generate --numbers 3 --min-number 1 --max-number 30 --min-target 10 --max-target 50 \
    --count 200 --seed "$s" --split heldout --out "$tmp/h$s.jsonl"
done
cat "$tmp"/h{2,3,4,5,6,7}.jsonl | python3 -c '
import json, sys
seen, out = set(), []
for line in sys.stdin:
    p = json.loads(line)
    key = (p["target"], tuple(sorted(p["numbers"])))
    if key not in seen:
        seen.add(key)
        out.append(line)
sys.stdout.write("".join(out[:500]))' > Docs/results/heldout-cd3.jsonl
rm -r "$tmp"
