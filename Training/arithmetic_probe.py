"""How much of Countdown's arithmetic a model has learned, measured teacher-forced (no search, no sampling):
on solver traces it did not train on, for every `Exploring Operation: a op b=c,` line the model is to write,
whether its greedy prediction of every token of `c` is right given the true text before it. Operations
whose `a op b=` already appeared earlier in the same string are counted apart ("repeat"): those can be
copied, the first occurrences must be computed.

    python Training/arithmetic_probe.py MODEL.gguf TRACES.jsonl [--n 300]

TRACES.jsonl: `braid countdown solve --flat` output (any format but parathinker), e.g. of held-out problems:
    braid countdown solve --format apr --problems <(head -200 Docs/results/heldout-cd3.jsonl) --seed 1 --flat
Prints one row per (string role, first/repeat)."""
import argparse, collections, json, os, re, sys
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from braid_train.vocab import Vocabulary
from braid_train.gguf_read import load_decoder
from braid_train.data import prompt_length

OP = re.compile(r"Exploring Operation: (\d+)([-+*/])(\d+)=(\d+),")


def probe(model, vocab, text):
    """[(first occurrence?, result predicted right?)] for the operations the model writes in `text`."""
    ids = vocab.encode(text) + [vocab.eos]
    if len(ids) > model.c.context:
        return []
    starts, pos = {}, 0
    for k, i in enumerate(ids):
        starts[pos] = k
        pos += len(vocab.decode([i]))
    with torch.no_grad():
        pred = model(torch.tensor([ids[:-1]]))[0].argmax(-1).tolist()
    out, given = [], prompt_length(text)
    for m in OP.finditer(text):
        if m.start() < given:
            continue
        tokens = [starts[c] for c in range(*m.span(4)) if c in starts]
        first = (m[1] + m[2] + m[3] + "=") not in text[:m.start()]
        out.append((first, all(pred[k - 1] == ids[k] for k in tokens)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("traces")
    ap.add_argument("--n", type=int, default=300, help="strings to read")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, vocab = load_decoder(a.model).eval(), Vocabulary()
    rows = collections.defaultdict(lambda: [0, 0])
    with open(a.traces) as f:
        for n, line in enumerate(f):
            if n >= a.n:
                break
            rec = json.loads(line)
            for first, right in probe(model, vocab, rec["text"]):
                row = rows[(rec["role"], "first" if first else "repeat")]
                row[0] += 1
                row[1] += right
    for (role, kind), (ops, right) in sorted(rows.items()):
        print(f"{a.model}\t{role}\t{kind}\t{right}/{ops}\t{100 * right / ops:.1f}%")


if __name__ == "__main__":
    main()
