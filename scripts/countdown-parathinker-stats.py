#!/usr/bin/env python3
"""What ParaThinker's summary had to work with, read from `braid eval --out/--traces` of
Graphs/countdown-parathinker.yaml: per configuration, how often the summary's answer was right, how often at
least one path had reached the goal with a correct path (the summary's ceiling: an oracle that picks a right
path), the mean number of such paths, and how often the summary boxed anything.

    scripts/countdown-parathinker-stats.py RESULTS.jsonl [RESULTS.jsonl ...] --traces TRACES_DIR

A path counts as correct when its last `T,T equal: Goal Reached` is preceded by a state line and the
operation that reaches the goal, and those operations, applied to the problem's numbers, are valid
(operands available, arithmetic exact, nothing negative or fractional) and use every number."""
import collections, re, sys
from countdown_traces import Trace, results_and_traces, right, runs

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
        if not right(a, sym, b, c):
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
    trace = Trace(path)
    paths = [t for name, t in trace.text.items() if name.startswith("think[")]
    correct = sum(path_correct(t, trace.numbers, trace.target) for t in paths)
    return correct, "\\boxed{" in trace.text.get("main", "")


def main():
    rows = collections.OrderedDict()
    for r, path in runs(*results_and_traces(sys.argv[1:])):
        c, boxed = run_stats(path)
        rows.setdefault(r["config"], []).append((r["correct"], c, boxed))
    print("| config | n | summary correct | runs with a correct path (oracle) | correct paths / run | summary boxed an answer |")
    print("|---|--:|--:|--:|--:|--:|")
    for config, runs_ in rows.items():
        n = len(runs_)
        right_ = sum(r[0] for r in runs_)
        oracle = sum(1 for r in runs_ if r[1] > 0)
        boxed = sum(r[2] for r in runs_)
        print(f"| {config} | {n} | {right_} ({100 * right_ / n:.1f}%) | {oracle} ({100 * oracle / n:.1f}%) "
              f"| {sum(r[1] for r in runs_) / n:.2f} | {boxed} ({100 * boxed / n:.0f}%) |")


if __name__ == "__main__":
    main()
