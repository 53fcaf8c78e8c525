"""End-to-end check of the GGUF export: PyTorch's logits for a trace prefix against `braid logits` on
the exported file, and PyTorch's tokenization against Braid's.

    python Training/check_export.py --braid .build/release/braid [--model Models/countdown/countdown-apr.gguf]

Without --model a seeded untrained model is exported to a temporary file and checked; with --model the
shipped GGUF is loaded back into PyTorch (weights read from the file) and checked the same way.
Exit 0 when every token id is identical and every logit agrees within --tolerance (default 1e-4)."""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from braid_train.vocab import Vocabulary
from braid_train.model import Config, Decoder
from braid_train import gguf
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
    a = ap.parse_args()
    vocab = Vocabulary()
    tmp = tempfile.mkdtemp()
    if a.model:
        path, model = a.model, load_decoder(a.model)
    else:
        torch.manual_seed(a.seed)
        model = Decoder(Config(vocab=len(vocab)))
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


if __name__ == "__main__":
    sys.exit(main())
