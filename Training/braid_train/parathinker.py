"""ParaThinker training examples laid out exactly as Braid runs Graphs/countdown-parathinker.yaml.

Braid's plan for that graph (`braid mask Graphs/countdown-parathinker.yaml`) gives:
  - the prompt `Current State: T:[a, b, c], Operations: []\\n` at positions 0..L-1, thought 0, seeing itself;
  - path i (1-based) opened by the forced `<think{i}>`, at positions L, L+1, ... (every path starts at L),
    thought i, seeing the prompt and itself only, ended by `</think{i}>` (a stop string: kept);
  - the summary opened by the forced `<summary>` + ParaThinker's summary opening, starting at the largest end
    position of the paths, thought 0, seeing the prompt, every path and itself.
Here the tokens are flattened as [prompt, path 1, ..., path P, summary] and the two-phase mask below gives
each token exactly that view; positions and thought indices are carried per token.

The paths are the independently sampled short searches of `braid countdown solve --format parathinker`
(Docs/countdown.md, 3.3) with their first line (the prompt's state) left to the prompt. From each solved
problem one example is drawn: a subset of its paths (P = 1, 2, 4 or 8), their labels (1..P, and with
ParaThinker's probability 0.3 two of them swapped to <think7>/<think8> so those embeddings are trained
before P = 8 is run), and a finish policy (first, half, all) under which the paths that had not finished
when the policy was met are cut at that length, as Braid's lockstep decoding leaves them. The summary
boxes the operations of the first path (in branch order) that finished with a verified answer; a draw in
which no finished path has one falls back to finish-all, and one in which no drawn path has one keeps the
paths' loss but not the summary's (there is nothing right for it to copy)."""
import json, math, os, re, subprocess
import torch

from .vocab import SUMMARY_OPENING

THOUGHT_SLOTS = 9            # thought indices 0 (prompt, summary) and 1..8 (paths): P up to 8
PATH_COUNTS = [1, 2, 4, 8]
PATH_COUNT_WEIGHTS = [0.2, 0.3, 0.35, 0.15]
FINISH = ["first", "half", "all"]
SUMMARY_SEGMENT = -1         # segment ids: 0 prompt, i >= 1 path, -1 summary, PAD_SEGMENT padding
PAD_SEGMENT = 1 << 20
_THINK = re.compile(r"<think(\d)>(.*?)</think\1>", re.S)


def prompt_of(target, numbers):
    """The graph's prompt (the task's `state` input, as Graphs/countdown-seq.yaml has it)."""
    return f"Current State: {target}:[{', '.join(str(n) for n in numbers)}], Operations: []\n"


def make_records(braid, workdir, problems, paths, seed):
    """Solves the problems with `paths` attempts each and returns the path to the (non-flat) records."""
    out = os.path.join(workdir, os.path.basename(problems).replace("problems-", f"parathinker-p{paths}-"))
    if not os.path.exists(out):
        subprocess.run([braid, "countdown", "solve", "--format", "parathinker", "--paths", str(paths),
                        "--problems", problems, "--seed", str(seed), "--out", out], check=True)
    return out


def path_texts(record):
    """[(body, answer or None)] of one record: each attempt's text after the prompt's state line."""
    prompt = prompt_of(record["target"], record["numbers"])
    out = []
    for m, info in zip(_THINK.finditer(record["text"]), record["paths"]):
        body = m.group(2)
        if not body.startswith(prompt):
            raise ValueError(f"{record['id']}: a path does not start with {prompt!r}")
        out.append((body[len(prompt):], info.get("answer")))
    return out


def draw(record, vocab, rng):
    """One example (a dict of equal-length token lists) from a record."""
    paths = path_texts(record)
    k = min(len(paths), rng.choices(PATH_COUNTS, PATH_COUNT_WEIGHTS)[0])
    chosen = rng.sample(range(len(paths)), k)
    labels = list(range(1, k + 1))
    if k <= 6 and rng.random() < 0.3:  # ParaThinker's extensible-token trick
        for slot, label in zip(rng.sample(range(k), min(k, 2)), (7, 8)):
            labels[slot] = label
    bodies = [[vocab.id(f"<think{l}>")] + vocab.encode(paths[c][0]) + [vocab.id(f"</think{l}>")]
              for c, l in zip(chosen, labels)]
    finish = rng.choice(FINISH)
    need = {"first": 1, "half": math.ceil(k / 2), "all": k}[finish]
    cut = sorted(len(b) for b in bodies)[need - 1]
    answer = next((paths[c][1] for c, b in zip(chosen, bodies) if len(b) <= cut and paths[c][1]), None)
    if answer is None:  # nothing verified among the finished paths: fall back to finish-all
        cut = max(len(b) for b in bodies)
        answer = next((paths[c][1] for c in chosen if paths[c][1]), None)
    learn_summary = answer is not None
    if answer is None:  # no drawn path found the goal: the paths are still trained on, the summary is not
        answer = next((a for _, a in paths if a), record.get("answer") or "")
    bodies = [b[:cut] for b in bodies]
    prompt = vocab.encode(prompt_of(record["target"], record["numbers"]))
    summary = ([vocab.id("<summary>"), vocab.id(SUMMARY_OPENING)] + vocab.encode(" \\boxed{" + answer + "}.")
               + [vocab.id("</summary>")])
    example = layout(prompt, list(zip(labels, bodies)), summary)
    if not learn_summary:
        n = len(summary)
        example["targets"][-n:] = [-100] * n
    return example


def layout(prompt, paths, summary):
    """Flattens prompt, [(label, tokens)] paths and summary into ids, targets (-100 = no loss), positions,
    thought indices and segment ids. A path's forced opener and the summary's forced opening are given, not
    learned; every other token of a path or the summary is the target of the token before it in its own
    segment (so nothing is predicted across a segment boundary)."""
    L = len(prompt)
    ids, tgt, pos, th, seg = list(prompt), [-100] * L, list(range(L)), [0] * L, [0] * L
    for n, (label, body) in enumerate(paths):
        ids += body
        tgt += body[1:] + [-100]
        pos += range(L, L + len(body))
        th += [label] * len(body)
        seg += [n + 1] * len(body)
    start = L + max(len(b) for _, b in paths)
    ids += summary
    tgt += [-100] + summary[2:] + [-100]
    pos += range(start, start + len(summary))
    th += [0] * len(summary)
    seg += [SUMMARY_SEGMENT] * len(summary)
    return {"ids": ids, "targets": tgt, "positions": pos, "thoughts": th, "segments": seg}


def two_phase_mask(segments):
    """[B, T] segment ids -> [B, 1, T, T] boolean mask (True = may attend): causal in flattened order, and a
    token sees its own segment and the prompt; the summary also sees every path. Padding is its own segment,
    which keeps its rows non-empty."""
    s = segments
    causal = torch.ones(s.shape[1], s.shape[1], dtype=torch.bool).tril()
    same = s[:, :, None] == s[:, None, :]
    sees_prompt = (s == 0)[:, None, :]
    summary = (s == SUMMARY_SEGMENT)[:, :, None]
    return (causal & (same | sees_prompt | summary))[:, None]


def load_examples(records_path, vocab, max_position, max_tokens, rng):
    """Draws one example per record; drops those whose positions pass `max_position` (the model's window)
    or whose flattened length passes `max_tokens`. Returns (examples, dropped)."""
    examples, dropped = [], 0
    with open(records_path) as f:
        for line in f:
            ex = draw(json.loads(line), vocab, rng)
            if max(ex["positions"]) >= max_position or len(ex["ids"]) > max_tokens:
                dropped += 1
                continue
            examples.append(ex)
    return examples, dropped


def batches(examples, tokens_per_batch, generator):
    """Endless (inputs, targets, model keyword arguments) batches of similar-length examples, padded."""
    while True:
        order = torch.randperm(len(examples), generator=generator).tolist()
        for c in range(0, len(order), 256):
            group = sorted(order[c:c + 256], key=lambda i: len(examples[i]["ids"]))
            start = 0
            while start < len(group):
                n = 1
                while start + n < len(group) and (n + 1) * len(examples[group[start + n]]["ids"]) <= tokens_per_batch:
                    n += 1
                picked = [examples[i] for i in group[start:start + n]]
                start += n
                T = max(len(e["ids"]) for e in picked)
                x = torch.zeros(len(picked), T, dtype=torch.long)
                y = torch.full((len(picked), T), -100, dtype=torch.long)
                p = torch.zeros(len(picked), T, dtype=torch.long)
                t = torch.zeros(len(picked), T, dtype=torch.long)
                s = torch.full((len(picked), T), PAD_SEGMENT, dtype=torch.long)
                for r, e in enumerate(picked):
                    m = len(e["ids"])
                    x[r, :m], y[r, :m] = torch.tensor(e["ids"]), torch.tensor(e["targets"])
                    p[r, :m], t[r, :m] = torch.tensor(e["positions"]), torch.tensor(e["thoughts"])
                    s[r, :m] = torch.tensor(e["segments"])
                yield x, y, {"positions": p, "mask": two_phase_mask(s), "thoughts": t}
