#!/usr/bin/env python3
"""What ParaThinker's summary had to work with, read from `braid eval --out/--traces` of
Graphs/countdown-parathinker.yaml: per configuration, how often the summary's answer was right, how often at
least one path had reached the goal with a correct path (the summary's ceiling: an oracle that picks a right
path), the mean number of such paths, and how often the summary boxed anything.

    scripts/countdown-parathinker-stats.py RESULTS.jsonl [RESULTS.jsonl ...] --traces TRACES_DIR

A path counts as correct when its last `T,T equal: Goal Reached` is preceded by a state line and the
operation that reaches the goal, and those operations, applied to the problem's numbers, are valid
(operands available, arithmetic exact, nothing negative or fractional) and use every number."""
import collections, json, os, re, sys
from fractions import Fraction

GOAL = re.compile(r"Current State: [^\n]*Operations: \[([^\]]*)\]\nExploring Operation: ([^,\n]*), "
                  r"Resulting Numbers: \[[^\]]*\]\n(\d+),\3 equal: Goal Reached")
OP = re.compile(r"^\s*'?(\d+)\s*([-+*/])\s*(\d+)\s*=\s*(\d+)'?\s*$")


def valid(ops, numbers, target):
    pool = collections.Counter(numbers)
    for op in ops:
        m = OP.match(op)
        if not m:
            return False
        a, sym, b, c = int(m[1]), m[2], int(m[3]), int(m[4])
        value = {"+": a + b, "-": a - b, "*": a * b, "/": Fraction(a, b) if b else None}[sym]
        if value is None or value != c or value < 0:
            return False
        for x in (a, b):
            if pool[x] == 0:
                return False
            pool[x] -= 1
        pool[c] += 1
    return +pool == collections.Counter([target])


def path_correct(text, numbers, target):
    found = list(GOAL.finditer(text))
    if not found:
        return False
    m = found[-1]
    ops = [o for o in m[1].split(",") if o.strip()] + [m[2]]
    return int(m[3]) == target and valid(ops, numbers, target)


def run_stats(path):
    texts, inputs = collections.defaultdict(str), {}
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if e["event"] == "run":
                inputs = e["inputs"]
            elif e["event"] == "tokens":
                texts[e["thread"]] += e.get("text", "")
    numbers = [int(x) for x in inputs["numbers"].split(",")]
    target = int(inputs["target"])
    paths = [t for name, t in texts.items() if name.startswith("think[")]
    correct = sum(path_correct(t, numbers, target) for t in paths)
    return correct, "\\boxed{" in texts.get("main", "")


def main():
    args = sys.argv[1:]
    traces = args[args.index("--traces") + 1]
    files = [a for i, a in enumerate(args) if a != "--traces" and (i == 0 or args[i - 1] != "--traces")]
    rows = collections.OrderedDict()
    for results in files:
        for line in open(results):
            r = json.loads(line)
            c, boxed = run_stats(os.path.join(traces, r["traceID"].replace("/", "__") + ".jsonl"))
            rows.setdefault(r["config"], []).append((r["correct"], c, boxed))
    print("| config | n | summary correct | runs with a correct path (oracle) | correct paths / run | summary boxed an answer |")
    print("|---|--:|--:|--:|--:|--:|")
    for config, runs in rows.items():
        n = len(runs)
        right = sum(r[0] for r in runs)
        oracle = sum(1 for r in runs if r[1] > 0)
        print(f"| {config} | {n} | {right} ({100 * right / n:.1f}%) | {oracle} ({100 * oracle / n:.1f}%) "
              f"| {sum(r[1] for r in runs) / n:.2f} | {sum(r[2] for r in runs)} ({100 * sum(r[2] for r in runs) / n:.0f}%) |")


if __name__ == "__main__":
    main()
