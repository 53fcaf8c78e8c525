"""End-to-end check of the GGUF export: PyTorch's logits for a trace prefix against `braid logits` on
the exported file, and PyTorch's tokenization against Braid's.

    python Training/check_export.py --braid .build/release/braid [--model Models/countdown/countdown-apr.gguf]

Without --model a seeded untrained model is exported to a temporary file and checked; with --model the
shipped GGUF is loaded back into PyTorch (weights read from the file) and checked the same way.
With --parathinker the check runs on ParaThinker's two-phase layout instead (a model with the parathinker
vocabulary and thought embeddings): a prompt, three paths opened by <think1>, <think2>, <think7> at shared
positions with their thought indices, and a summary seeing all of them. It also runs
`braid mask Graphs/countdown-parathinker.yaml` with the same lengths and checks that the training layout
(positions and two-phase mask of braid_train/parathinker.py) is exactly the plan Braid computes; with
--fixture FILE it writes the layout and PyTorch's logits there for the Swift test that repeats the check.

Exit 0 when every token id is identical and every logit agrees within --tolerance (default 1e-4)."""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from braid_train.vocab import Vocabulary, SUMMARY_OPENING
from braid_train.model import Config, Decoder
from braid_train import gguf, parathinker
from braid_train.gguf_read import load_decoder

SAMPLE = ("Moving to Node #0\nCurrent State: 17:[3, 9, 5], Operations: []\n"
          "Exploring Operation: 9-5=4, Resulting Numbers: [3, 4]\nGenerated Node #0,0: 17:[3, 4] Operation: 9-5=4\n"
          "<Calling Sub Searches>\n<Start Sub Search 0 at level 1> Moving to Node #0,0\n<End Calling Sub Searches>\n"
          "3,17 unequal: No Solution\n17,17 equal: Goal Reached\nNo solution found.<|endoftext|>")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--braid", default=".build/release/braid")
    ap.add_argument("--model", help="a shipped GGUF to check instead of a fresh export")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parathinker", action="store_true", help="check ParaThinker's two-phase layout")
    ap.add_argument("--fixture", help="with --parathinker: write the layout and PyTorch's logits to this JSON file")
    a = ap.parse_args()
    vocab = Vocabulary(parathinker=a.parathinker)
    tmp = tempfile.mkdtemp()
    if a.model:
        path, model = a.model, load_decoder(a.model)
        vocab = Vocabulary.of_size(model.c.vocab)
    else:
        torch.manual_seed(a.seed)
        model = Decoder(Config(vocab=len(vocab), thought_slots=parathinker.THOUGHT_SLOTS if a.parathinker else 0))
        # Untrained weights are ~N(0, 0.02): logits would all be near 0 and agree trivially. Scale the
        # weights up so the check sees logits of a realistic spread.
        with torch.no_grad():
            for n, p in model.named_parameters():
                if "norm" in n:
                    p.add_(0.3 * torch.randn_like(p))
                else:
                    p.mul_(8.0)
        path = os.path.join(tmp, "check.gguf")
        gguf.write(path, model, vocab, "export-check")
    if a.parathinker:
        return check_parathinker(a, path, model, vocab, tmp)
    ids = vocab.encode(SAMPLE)
    layout = {"segments": [{"name": "all"}], "tokens": [{"segment": "all", "text": SAMPLE}]}
    lpath = os.path.join(tmp, "layout.json")
    with open(lpath, "w") as f:
        json.dump(layout, f)
    out = subprocess.run([a.braid, "logits", "--model", path, "--layout", lpath, "--top-k", str(len(vocab)),
                          "--threads", "1"], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return 1
    report = json.loads(out.stdout)
    braid_ids = [t["id"] for t in report["tokens"]]
    if braid_ids != ids:
        first = next((i for i, (x, y) in enumerate(zip(braid_ids, ids)) if x != y), min(len(ids), len(braid_ids)))
        print(f"FAIL tokenization differs at token {first}: braid {braid_ids[first:first+5]} python {ids[first:first+5]}")
        return 1
    braid = np.zeros((len(ids), len(vocab)), dtype=np.float64)
    for t in report["tokens"]:
        for cand in t["top"]:
            braid[t["index"], cand["id"]] = cand["logit"]
    with torch.no_grad():
        ref = model(torch.tensor([ids]))[0].double().numpy()
    diff = np.abs(braid - ref).max()
    spread = ref.std()
    ok = diff <= a.tolerance
    print(f"{'OK' if ok else 'FAIL'}: {len(ids)} tokens identical; max |logit diff| {diff:.2e} "
          f"(tolerance {a.tolerance:g}, logit std {spread:.2f}) on {path}")
    return 0 if ok else 1


PROMPT = parathinker.prompt_of(17, [3, 9, 5])
PATHS = [(1, "Exploring Operation: 9-5=4, Resulting Numbers: [3, 4]\nGenerated Node #0,0: 17:[3, 4] Operation: 9-5=4\n</think1>"),
         (2, "Exploring Operation: 3*5=15, Resulting Numbers: [9, 15]\n"),
         (7, "Exploring Operation: 9+5=14, Resulting Numbers: [3, 14]\nGenerated Node #0,0: 17:[3, 14] Operation: 9+5=14\n"
             "Moving to Node #0,0\n")]
SUMMARY = "<summary>" + SUMMARY_OPENING + " \\boxed{9+5=14, 3+14=17}.</summary>"


def run_json(args):
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def check_parathinker(a, path, model, vocab, tmp):
    """Logits under the two-phase layout, and the layout against `braid mask` of the graph."""
    prompt = vocab.encode(PROMPT)
    paths = [(label, vocab.encode(f"<think{label}>" + body)) for label, body in PATHS]
    ex = parathinker.layout(prompt, paths, vocab.encode(SUMMARY))
    L, start = len(prompt), max(ex["positions"][len(prompt):len(ex["ids"]) - len(vocab.encode(SUMMARY))]) + 1
    names = [f"think[{n}]" for n in range(len(paths))]
    layout = {"segments": [{"name": "prompt"}]
              + [{"name": n, "thought": label, "sees": ["prompt"], "start": L} for n, (label, _) in zip(names, paths)]
              + [{"name": "summary", "sees": ["prompt"] + names, "start": start}],
              "tokens": [{"segment": "prompt", "text": PROMPT}]
              + [{"segment": n, "text": f"<think{label}>" + body} for n, (label, body) in zip(names, PATHS)]
              + [{"segment": "summary", "text": SUMMARY}]}
    # The plan: Braid's own mask and positions for these lengths (branch i of the graph is <think{i+1}>, so
    # the labels are checked as the graph's 1, 2, 3 with thought indices taken from the layout above).
    lengths = ",".join([f"prompt={L}"] + [f"{n}={len(t)}" for n, (_, t) in zip(names, paths)]
                       + [f"summary={len(vocab.encode(SUMMARY))}"])
    plan = run_json([a.braid, "mask", "Graphs/countdown-parathinker.yaml", "--lengths", lengths,
                     "--set", f"paths={len(paths)}", "--format", "json"])
    mask = parathinker.two_phase_mask(torch.tensor([ex["segments"]]))[0, 0].int().tolist()
    positions_ok = [t["position"] for t in plan["tokens"]] == ex["positions"]
    segments_ok = [t["segment"] for t in plan["tokens"]] == (["prompt"] * L + [n for n, (_, t) in zip(names, paths) for _ in t]
                                                             + ["summary"] * len(vocab.encode(SUMMARY)))
    if not (positions_ok and segments_ok and plan["mask"] == mask):
        print(f"FAIL the training layout is not Braid's plan: positions {positions_ok}, segments {segments_ok}, "
              f"mask {plan['mask'] == mask}")
        return 1
    lpath = os.path.join(tmp, "layout.json")
    with open(lpath, "w") as f:
        json.dump(layout, f)
    report = run_json([a.braid, "logits", "--model", path, "--layout", lpath, "--top-k", str(len(vocab)), "--threads", "1"])
    braid_ids = [t["id"] for t in report["tokens"]]
    if braid_ids != ex["ids"]:
        print(f"FAIL tokenization differs: braid {braid_ids} python {ex['ids']}")
        return 1
    braid = np.zeros((len(braid_ids), len(vocab)))
    for t in report["tokens"]:
        for cand in t["top"]:
            braid[t["index"], cand["id"]] = cand["logit"]
    with torch.no_grad():
        ref = model(torch.tensor([ex["ids"]]), positions=torch.tensor([ex["positions"]]),
                    mask=parathinker.two_phase_mask(torch.tensor([ex["segments"]])),
                    thoughts=torch.tensor([ex["thoughts"]]))[0].double().numpy()
        plain = model(torch.tensor([ex["ids"]]))[0].double().numpy()  # causal, no layout: must differ
    diff, unmasked = np.abs(braid - ref).max(), np.abs(braid - plain).max()
    ok = diff <= a.tolerance and unmasked > 100 * a.tolerance
    print(f"{'OK' if ok else 'FAIL'}: plan layout identical ({len(ex['ids'])} tokens, 3 paths, summary); "
          f"max |logit diff| {diff:.2e} (tolerance {a.tolerance:g}, logit std {ref.std():.2f}); the same tokens "
          f"read causally differ by {unmasked:.2f} on {path}")
    if a.fixture and ok:
        top = [sorted(range(len(vocab)), key=lambda j: -ref[i, j])[:5] for i in range(len(ex["ids"]))]
        with open(a.fixture, "w") as f:
            json.dump({"model": os.path.basename(path), "layout": layout, "tolerance": a.tolerance,
                       "logits": [{"index": i, "top": [{"id": j, "logit": round(float(ref[i, j]), 6)} for j in top[i]]}
                                  for i in range(len(ex["ids"]))]}, f, indent=None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
