#!/usr/bin/env python3
"""Where a Countdown model's search goes wrong, read from `braid eval --out/--traces` (any countdown graph):
for every `Exploring Operation: a op b=c` line the model itself wrote (sampled, not a prompt or a join block
the runtime spliced in), whether the arithmetic is right (c = a op b, `-` not negative, `/` exact) and whether
both operands are numbers of the state being expanded (the last `Current State: T:[...]` line above it in the
same thread, a multiset; the problem's numbers before any, as a fork's branches start from the prompt). The first says whether the model has learned the arithmetic, the second whether it
copies the numbers it is given.

    scripts/countdown-op-stats.py RESULTS.jsonl [RESULTS.jsonl ...] --traces TRACES_DIR

Prints one Markdown table row per configuration."""
import collections, json, os, re, sys
from fractions import Fraction

STATE = re.compile(r"Current State: \d+:\[([^\]]*)\]")
OP = re.compile(r"Exploring Operation: (\d+)([-+*/])(\d+)=(\d+),")


def right(a, sym, b, c):
    value = {"+": a + b, "-": a - b, "*": a * b, "/": Fraction(a, b) if b else None}[sym]
    return value is not None and value >= 0 and value == c


def thread_lines(path):
    """The problem's numbers, and per thread [(line, written by the model)] from the trace's token events."""
    text, sampled, numbers = collections.defaultdict(str), collections.defaultdict(list), None
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            if e["event"] == "run":
                numbers = collections.Counter(int(x) for x in e["inputs"]["numbers"].split(","))
            if e["event"] == "tokens":
                piece = e.get("text", "")
                text[e["thread"]] += piece
                sampled[e["thread"]] += [e.get("sampled", False)] * len(piece)
    threads = []
    for thread, t in text.items():
        out, start = [], 0
        for line in t.split("\n"):
            out.append((line, any(sampled[thread][start:start + len(line)])))
            start += len(line) + 1
        threads.append(out)
    return numbers, threads


def op_stats(path):
    ops = arithmetic = copied = 0
    given, threads = thread_lines(path)
    for lines in threads:
        numbers = given  # a fork's branch starts from the prompt's state, which is in the parent's text
        for line, written in lines:
            s = STATE.search(line)
            if s:
                numbers = collections.Counter(int(x) for x in s.group(1).split(",") if x.strip().isdigit())
            m = OP.search(line)
            if m and written:
                a, sym, b, c = int(m[1]), m[2], int(m[3]), int(m[4])
                ops += 1
                arithmetic += right(a, sym, b, c)
                copied += numbers is not None and not (collections.Counter([a, b]) - numbers)
    return ops, arithmetic, copied


def main():
    args = sys.argv[1:]
    traces = args[args.index("--traces") + 1]
    files = [a for i, a in enumerate(args) if a != "--traces" and (i == 0 or args[i - 1] != "--traces")]
    rows = collections.OrderedDict()
    for results in files:
        for line in open(results):
            r = json.loads(line)
            total = rows.setdefault(r["config"], [0, 0, 0])
            for k, v in enumerate(op_stats(os.path.join(traces, r["traceID"].replace("/", "__") + ".jsonl"))):
                total[k] += v
    print("| config | operations written | arithmetic right | both operands in the state |")
    print("|---|--:|--:|--:|")
    for config, (ops, arithmetic, copied) in rows.items():
        pct = lambda x: f"{100 * x / ops:.1f}%" if ops else "—"
        print(f"| {config} | {ops} | {arithmetic} ({pct(arithmetic)}) | {copied} ({pct(copied)}) |")


if __name__ == "__main__":
    main()
