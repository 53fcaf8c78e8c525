"""Trains one Countdown model and exports it as GGUF.

    nice -n 10 python Training/train.py --variant apr --out Models/countdown/countdown-apr.gguf

Everything is seeded (data: the solver's --seed; weights and batch order: torch.manual_seed), runs on
one CPU thread, and writes a checkpoint GGUF every --save-every steps, so a run stopped early still
leaves a usable model. See Training/README.md for the recipe of each shipped model."""
import argparse, json, math, os, platform, random, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from braid_train.vocab import Vocabulary
from braid_train.model import Config, Decoder
from braid_train.data import make_traces, load_examples, batches
from braid_train import gguf, parathinker
from braid_train.gguf_read import load_decoder

FORMATS = {"apr": "apr", "seq": "sos", "parathinker": "parathinker"}


def widen(model, vocab_size, thought_slots):
    """`model` with more vocabulary rows and/or thought embeddings (new ones freshly initialised, all else
    copied): how a parathinker run starts from the sequential model, whose ids 0..119 mean the same."""
    c = model.c
    if c.vocab == vocab_size and c.thought_slots == thought_slots:
        return model
    if c.vocab > vocab_size or (c.thought_slots and c.thought_slots != thought_slots):
        raise SystemExit(f"--init-from: a model with {c.vocab} tokens and {c.thought_slots} thought slots "
                         f"cannot become one with {vocab_size} and {thought_slots}")
    wide = Decoder(Config(**{**c.to_dict(), "vocab": vocab_size, "thought_slots": thought_slots}))
    state = wide.state_dict()
    for name, value in model.state_dict().items():
        if name == "embed.weight":
            state[name][:value.shape[0]] = value
        else:
            state[name] = value
    wide.load_state_dict(state)
    return wide


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=sorted(FORMATS), required=True)
    ap.add_argument("--out", required=True, help="the GGUF to write")
    ap.add_argument("--braid", default=".build/release/braid")
    ap.add_argument("--workdir", default="Training/work")
    ap.add_argument("--numbers", type=int, default=3)
    ap.add_argument("--min-number", type=int, default=1)
    ap.add_argument("--max-number", type=int, default=30)
    ap.add_argument("--min-target", type=int, default=10)
    ap.add_argument("--max-target", type=int, default=50)
    ap.add_argument("--problems", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-len", type=int, default=1024, help="longest training string in tokens")
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=384)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--save-every", type=int, default=250)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--init-from", help="continue from this GGUF (a finished run's model) instead of fresh weights; "
                    "the model shape comes from the file")
    ap.add_argument("--batch-seed", type=int, help="seed of the batch order (default: --seed); give a continued run "
                    "its own so it does not replay the first run's order")
    ap.add_argument("--paths", type=int, default=8, help="parathinker: attempts solved per problem (P drawn from them)")
    ap.add_argument("--context", type=int, help="context window written into the GGUF (default: --max-len; "
                    "parathinker: 4096, since its summary attends to all P paths, whose positions are shared)")
    ap.add_argument("--max-flat", type=int, default=3072, help="parathinker: longest flattened example in tokens")
    ap.add_argument("--stop-after", type=int, help="stop (and save) after this many steps; the schedule still "
                    "spans --steps, so this reproduces a checkpoint of a longer run exactly")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    para = a.variant == "parathinker"
    vocab = Vocabulary(parathinker=para)
    slots = parathinker.THOUGHT_SLOTS if para else 0
    problems, traces = make_traces(a.braid, a.workdir, "sos" if para else FORMATS[a.variant], a.numbers,
                                   a.problems, a.seed, a.min_number, a.max_number, a.min_target, a.max_target)
    if para:
        records = parathinker.make_records(a.braid, a.workdir, problems, a.paths, a.seed)
        examples, dropped = parathinker.load_examples(records, vocab, a.max_len, a.max_flat, random.Random(a.seed))
        lengths = [len(e["ids"]) for e in examples]
        print(f"data: {len(examples)} examples, {sum(lengths)} flattened tokens (mean {sum(lengths) / len(lengths):.0f}, "
              f"max {max(lengths)}), {dropped} dropped (a position >= {a.max_len} or over {a.max_flat} tokens flattened)",
              flush=True)
    else:
        examples, dropped = load_examples(traces, vocab, a.max_len)
        lengths = [len(ids) for ids, _ in examples]
        print(f"data: {len(examples)} strings, {sum(lengths)} tokens (mean {sum(lengths) / len(lengths):.0f}, "
              f"max {max(lengths)}), {dropped} longer than {a.max_len} dropped", flush=True)
    total_tokens = sum(lengths)

    if a.init_from:
        model = widen(load_decoder(a.init_from), len(vocab), slots)
        config = model.c
    else:
        config = Config(vocab=len(vocab), dim=a.dim, layers=a.layers, heads=a.heads, ffn=a.ffn, context=a.max_len,
                        thought_slots=slots)
        model = Decoder(config)
    # The window Braid checks views and positions against: only metadata (RoPE has no table to size).
    config.context = a.context or (4096 if para else a.max_len)
    print(f"model: {model.parameter_count()} parameters, {config.to_dict()}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95))

    def lr_at(step):
        if step < a.warmup:
            return a.lr * (step + 1) / a.warmup
        frac = (step - a.warmup) / max(1, a.steps - a.warmup)
        return a.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))

    g = torch.Generator().manual_seed(a.seed if a.batch_seed is None else a.batch_seed)
    stream = parathinker.batches(examples, a.batch_tokens, g) if para else \
        ((x, y, {}) for x, y in batches(examples, a.batch_tokens, g))
    description = json.dumps({"variant": a.variant, "seed": a.seed, "problems": a.problems,
                              "numbers": a.numbers, "number_range": [a.min_number, a.max_number],
                              "target_range": [a.min_target, a.max_target], "strings": len(examples),
                              "string_tokens": total_tokens})

    previous = None
    if a.init_from and os.path.exists(a.init_from.replace(".gguf", ".json")):
        with open(a.init_from.replace(".gguf", ".json")) as f:
            previous = json.load(f)  # the run this one continues, recorded whole in the sidecar

    def save(step, seen, elapsed, loss):
        tmp = a.out + ".part"
        gguf.write(tmp, model, vocab, f"countdown-{a.variant}", description)
        os.replace(tmp, a.out)
        with open(a.out.replace(".gguf", ".json"), "w") as f:
            json.dump({"command": " ".join(sys.argv), "seed": a.seed, "init_from": a.init_from, "variant": a.variant, "steps": step,
                       "planned_steps": a.steps, "tokens_seen": seen, "train_seconds": round(elapsed),
                       "tokens_per_second": round(seen / max(elapsed, 1e-9)), "last_loss": round(loss, 4),
                       "parameters": model.parameter_count(), "config": config.to_dict(),
                       "data": {"problems": a.problems, "strings": len(examples), "tokens": total_tokens,
                                "paths_per_problem": a.paths if para else None,
                                "dropped_longer_than_max_len": dropped, "numbers": a.numbers,
                                "number_range": [a.min_number, a.max_number],
                                "target_range": [a.min_target, a.max_target]},
                       "machine": f"{platform.machine()} {platform.processor() or ''}".strip()
                                  + f", {a.threads} torch thread(s), torch {torch.__version__}",
                       "continued_from": previous},
                      f, indent=1)

    start, seen, ema = time.time(), 0, None
    last = min(a.steps, a.stop_after or a.steps)
    for step in range(last):
        x, y, extra = next(stream)
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        logits = model(x, **extra)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        seen += x.numel()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 25 == 0 or step == last - 1:
            el = time.time() - start
            print(f"step {step} loss {loss.item():.4f} ema {ema:.4f} lr {lr_at(step):.2e} "
                  f"tokens {seen} {seen / el:.0f} tok/s {el / 60:.1f} min", flush=True)
        if (step + 1) % a.save_every == 0 or step == last - 1:
            save(step + 1, seen, time.time() - start, ema)
    print(f"done: {last} steps, {seen} tokens, {(time.time() - start) / 60:.1f} min -> {a.out}", flush=True)


if __name__ == "__main__":
    main()
