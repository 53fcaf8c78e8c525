#!/usr/bin/env python3
"""Where a Countdown model's search goes wrong, read from `braid eval --out/--traces` (any countdown graph):
for every `Exploring Operation: a op b=c` line the model itself wrote (sampled, not a prompt or a join block
the runtime spliced in), whether the arithmetic is right (c = a op b, `-` not negative, `/` exact) and whether
both operands are numbers of the state being expanded (the last `Current State: T:[...]` line above it in the
same thread, a multiset; the problem's numbers before any, as a fork's branches start from the prompt). The first says whether the model has learned the arithmetic, the second whether it
copies the numbers it is given.

    scripts/countdown-op-stats.py RESULTS.jsonl [RESULTS.jsonl ...] --traces TRACES_DIR

Prints one Markdown table row per configuration."""
import collections, re, sys
from countdown_traces import Trace, results_and_traces, right, runs

STATE = re.compile(r"Current State: \d+:\[([^\]]*)\]")
OP = re.compile(r"Exploring Operation: (\d+)([-+*/])(\d+)=(\d+),")


def op_stats(path):
    ops = arithmetic = copied = 0
    trace = Trace(path)
    for thread in trace.text:
        numbers = collections.Counter(trace.numbers)  # a fork's branch starts from the prompt's state
        for line, written in trace.lines(thread):
            s = STATE.search(line)
            if s:
                numbers = collections.Counter(int(x) for x in s.group(1).split(",") if x.strip().isdigit())
            m = OP.search(line)
            if m and written:
                a, sym, b, c = int(m[1]), m[2], int(m[3]), int(m[4])
                ops += 1
                arithmetic += right(a, sym, b, c)
                copied += not (collections.Counter([a, b]) - numbers)
    return ops, arithmetic, copied


def main():
    rows = collections.OrderedDict()
    for r, path in runs(*results_and_traces(sys.argv[1:])):
        total = rows.setdefault(r["config"], [0, 0, 0])
        for k, v in enumerate(op_stats(path)):
            total[k] += v
    print("| config | operations written | arithmetic right | both operands in the state |")
    print("|---|--:|--:|--:|")
    for config, (ops, arithmetic, copied) in rows.items():
        pct = lambda x: f"{100 * x / ops:.1f}%" if ops else "—"
        print(f"| {config} | {ops} | {arithmetic} ({pct(arithmetic)}) | {copied} ({pct(copied)}) |")


if __name__ == "__main__":
    main()
