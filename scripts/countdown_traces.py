"""Reading `braid eval --out/--traces` for the Countdown statistics scripts (countdown-op-stats.py,
countdown-parathinker-stats.py, countdown-trace-stats.py): which trace file belongs to which result, the text
each thread holds (and which of its characters the model sampled rather than was given), and Countdown's
arithmetic. One place, so the scripts agree on what a trace says."""
import collections, json, os
from fractions import Fraction


def trace_path(traces, result):
    """The trace file `braid eval --traces DIR` wrote for one result record."""
    return os.path.join(traces, result["traceID"].replace("/", "__") + ".jsonl")


def results_and_traces(args):
    """(result files, traces dir) from a command line `RESULTS.jsonl [RESULTS.jsonl ...] --traces DIR`."""
    if "--traces" not in args or args.index("--traces") == len(args) - 1:
        raise SystemExit("usage: RESULTS.jsonl [RESULTS.jsonl ...] --traces TRACES_DIR")
    at = args.index("--traces")
    return args[:at] + args[at + 2:], args[at + 1]


def runs(files, traces):
    """Every (result record, its trace path) of the result files, in order."""
    for results in files:
        with open(results) as f:
            for line in f:
                r = json.loads(line)
                yield r, trace_path(traces, r)


class Trace:
    """One run's trace: its inputs, and per thread (in order of first token) the text it holds and, per
    character, whether the model sampled it (False for prompts and text the runtime spliced in: join blocks,
    forced openings)."""

    def __init__(self, path):
        self.inputs = {}
        self.text = collections.OrderedDict()
        self.sampled = collections.defaultdict(list)
        with open(path) as f:
            for line in f:
                e = json.loads(line)
                if e["event"] == "run":
                    self.inputs = e["inputs"]
                elif e["event"] == "tokens":
                    piece = e.get("text", "")
                    self.text[e["thread"]] = self.text.get(e["thread"], "") + piece
                    self.sampled[e["thread"]] += [e.get("sampled", False)] * len(piece)

    @property
    def numbers(self):
        """The problem's numbers."""
        return [int(x) for x in self.inputs["numbers"].split(",")]

    @property
    def target(self):
        """The problem's target."""
        return int(self.inputs["target"])

    def lines(self, thread):
        """[(line, whether the model sampled any of it)] of one thread's text."""
        out, start, mask = [], 0, self.sampled[thread]
        for line in self.text[thread].split("\n"):
            out.append((line, any(mask[start:start + len(line)])))
            start += len(line) + 1
        return out


def value(a, sym, b):
    """a sym b as Countdown computes it (exact division as a Fraction), None for a division by zero."""
    return {"+": a + b, "-": a - b, "*": a * b, "/": Fraction(a, b) if b else None}[sym]


def right(a, sym, b, c):
    """Whether `a sym b = c` is a valid Countdown step: the arithmetic is right, nothing negative or fractional."""
    v = value(a, sym, b)
    return v is not None and v >= 0 and v == c
