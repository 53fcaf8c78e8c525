"""Training strings from Braid's own solver: `braid countdown generate` (train split only) and
`braid countdown solve --flat`, encoded with the vocabulary, with the loss masked over each string's
prompt (the random numbers it is given are not something to learn to predict)."""
import json, os, subprocess
import torch


def make_traces(braid, workdir, fmt, numbers, count, seed, min_number, max_number, min_target, max_target):
    """Writes problems and flat traces under workdir and returns the flat JSONL path (cached by name)."""
    os.makedirs(workdir, exist_ok=True)
    tag = f"cd{numbers}-n{min_number}-{max_number}-t{min_target}-{max_target}-c{count}-s{seed}"
    problems = os.path.join(workdir, f"problems-{tag}.jsonl")
    traces = os.path.join(workdir, f"{fmt}-{tag}.jsonl")
    ranges = ["--min-number", str(min_number), "--max-number", str(max_number),
              "--min-target", str(min_target), "--max-target", str(max_target)]
    if not os.path.exists(problems):
        subprocess.run([braid, "countdown", "generate", "--numbers", str(numbers), "--count", str(count),
                        "--seed", str(seed), "--split", "train", *ranges, "--out", problems], check=True)
    if not os.path.exists(traces):
        subprocess.run([braid, "countdown", "solve", "--format", fmt, "--problems", problems, "--seed", str(seed),
                        "--flat", "--out", traces], check=True)
    return problems, traces


JOIN_END = "<End Sub Searches>\n"


def prompt_length(text):
    """Characters the model is given rather than writes: through the end of the first `Current State:` line,
    and in an APR parent segment after a join, through the last join block. That segment repeats the earlier
    segment (already trained on in its own string) with the spawn block replaced by the join block, which
    the runtime writes; training on it would teach the parent to write `<Sub Searches>` itself where it
    must write `<Calling Sub Searches>` and stop."""
    start = text.find("Current State: ")
    end = text.find("\n", start)
    given = end + 1 if start >= 0 and end >= 0 else 0
    join = text.rfind(JOIN_END)
    return max(given, join + len(JOIN_END)) if join >= 0 else given


def load_examples(path, vocab, max_len):
    """[(ids, first_target_index)], strings that fit max_len tokens (EOS included); and the count dropped."""
    examples, dropped = [], 0
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            text = rec["text"]
            ids = vocab.encode(text) + [vocab.eos]
            if len(ids) > max_len:
                dropped += 1
                continue
            examples.append((ids, len(vocab.encode(text[:prompt_length(text)]))))
    return examples, dropped


def batches(examples, tokens_per_batch, generator):
    """An endless stream of (inputs, targets) batches of similar-length strings, padded; targets are -100
    over prompts and padding. Order is drawn from `generator`, so a seed fixes the whole stream."""
    while True:
        order = torch.randperm(len(examples), generator=generator).tolist()
        chunk = 256
        for c in range(0, len(order), chunk):
            group = sorted(order[c:c + chunk], key=lambda i: len(examples[i][0]))
            start = 0
            while start < len(group):
                longest = len(examples[group[min(len(group) - 1, start)]][0])
                n = 1
                while start + n < len(group) and (n + 1) * len(examples[group[start + n]][0]) <= tokens_per_batch:
                    n += 1
                picked = [examples[i] for i in group[start:start + n]]
                start += n
                T = max(len(ids) for ids, _ in picked) - 1
                x = torch.zeros(len(picked), T, dtype=torch.long)
                y = torch.full((len(picked), T), -100, dtype=torch.long)
                for r, (ids, p) in enumerate(picked):
                    t = torch.tensor(ids)
                    x[r, :len(ids) - 1] = t[:-1]
                    y[r, :len(ids) - 1] = t[1:]
                    y[r, :max(0, p - 1)] = -100
                yield x, y
