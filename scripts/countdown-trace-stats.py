#!/usr/bin/env python3
"""Per-configuration statistics that the eval table does not show, read from `braid eval --out/--traces`:
how often the parent spawned, children per run, how often a joined child had found the goal (and the run was
then correct), the longest context any one thread used (its largest position + 1), and how often a thread
stopped because its token budget ran out.

    scripts/countdown-trace-stats.py RESULTS.jsonl TRACES_DIR

Prints one Markdown table row per configuration."""
import collections, json, sys
from countdown_traces import runs


def trace_stats(path):
    spawns = children = found_joins = 0
    longest = collections.defaultdict(int)
    budget_stops = 0
    with open(path) as f:
        for line in f:
            e = json.loads(line)
            kind = e.get("event")
            if kind == "spawn":
                spawns += 1
                children += len(e["children"])
            elif kind == "join":
                found_joins += any(e["found"])
            elif kind == "tokens" and e["positions"]:
                longest[e["thread"]] = max(longest[e["thread"]], e["positions"][-1] + 1)
            elif kind == "stop" and e.get("lastDecode") == "budget":
                budget_stops += 1
    return spawns, children, found_joins, max(longest.values(), default=0), longest.get("main", 0), budget_stops


def main():
    results, traces = sys.argv[1], sys.argv[2]
    rows = collections.OrderedDict()
    for r, path in runs([results], traces):
        s = trace_stats(path)
        rows.setdefault(r["config"], []).append((r["correct"], *s))
    print("| config | n | runs that spawned | children / run | runs with a child that found the goal | of those correct "
          "| mean longest context | max longest context | runs that hit the token budget |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for config, group in rows.items():
        n = len(group)
        spawned = sum(1 for r in group if r[1] > 0)
        with_found = [r for r in group if r[3] > 0]
        print(f"| {config} | {n} | {spawned} ({100 * spawned / n:.0f}%) | {sum(r[2] for r in group) / n:.1f} "
              f"| {len(with_found)} | {sum(1 for r in with_found if r[0])} "
              f"| {sum(r[4] for r in group) / n:.0f} | {max(r[4] for r in group)} "
              f"| {sum(1 for r in group if r[6] > 0)} ({100 * sum(1 for r in group if r[6] > 0) / n:.0f}%) |")


if __name__ == "__main__":
    main()
