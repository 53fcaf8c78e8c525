#!/usr/bin/env python3
"""Writes a Qwen2-shaped GGUF with random weights, for measuring speed and memory on a model of the size
researchers use (DeepSeek-R1-Distill-Qwen-1.5B / ParaThinker-1.5B dimensions), without downloading one.

    scripts/write-random-qwen2.py OUT.gguf                 # Q4_K_M-style types (about 1.1 GB)
    scripts/write-random-qwen2.py --type q8_0 OUT.gguf     # every matrix Q8_0 (about 1.9 GB)
    scripts/write-random-qwen2.py --layers 2 OUT.gguf      # a quick small file of the same width

Weights are random *blocks*: random quants with small fixed scales, so every value is finite and of the
size of real weights (|w| below about 0.1); norms are 1, biases 0. Such a model produces meaningless
text, but it reads, unpacks and multiplies exactly like a real one, which is all a benchmark needs.
"Q4_K_M-style" follows llama.cpp's recipe: Q4_K everywhere except the output head (Q6_K) and, in the
layers that llama.cpp gives more bits (the first and last eighth, and every third one between), the V
projection and the FFN down projection (Q6_K). Needs numpy. The tokenizer is a minimal byte-level BPE one
(the 256 byte tokens, no merges, the rest of the vocabulary control tokens): enough for Braid and llama.cpp
to load the file and for the benchmarks, whose token ids are arbitrary anyway.
"""
import argparse
import struct
import sys

import numpy as np

# DeepSeek-R1-Distill-Qwen-1.5B (config.json of the Hugging Face release).
DIMS = dict(layers=28, embedding=1536, ffn=8960, heads=12, kv_heads=2, vocab=151936,
            context=131072, rope_base=10000.0, epsilon=1e-6)

# GGML type ids, elements per block, bytes per block.
TYPES = {"f32": (0, 1, 4), "q8_0": (8, 32, 34), "q4_K": (12, 256, 144), "q6_K": (14, 256, 210)}


def f16(x):
    return np.float16(x).view(np.uint16)


def random_blocks(kind, elements, rng):
    """`elements` values of `kind` as raw block bytes."""
    _, per_block, size = TYPES[kind]
    n = elements // per_block
    blocks = rng.integers(0, 256, size=(n, size), dtype=np.uint8)
    if kind == "q8_0":        # f16 d; i8 qs[32]: |w| ≤ 127·d
        blocks[:, 0:2] = np.frombuffer(struct.pack("<e", 0.0006), dtype=np.uint8)
    elif kind == "q4_K":      # f16 d; f16 dmin; u8 scales[12]; u8 qs[128]: w = d·sc·q − dmin·m
        blocks[:, 0:2] = np.frombuffer(struct.pack("<e", 0.0002), dtype=np.uint8)
        blocks[:, 2:4] = np.frombuffer(struct.pack("<e", 0.0015), dtype=np.uint8)
    elif kind == "q6_K":      # u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d: w = d·sc·(q − 32)
        blocks[:, 192:208] = rng.integers(1, 32, size=(n, 16), dtype=np.uint8)
        blocks[:, 208:210] = np.frombuffer(struct.pack("<e", 0.0001), dtype=np.uint8)
    return blocks.tobytes()


def more_bits(layer, layers):
    """llama.cpp's use_more_bits: the layers Q4_K_M gives Q6_K for V and FFN down."""
    return layer < layers // 8 or layer >= 7 * layers // 8 or (layer - layers // 8) % 3 == 2


def tensor_plan(d, style):
    """(name, ggml dims with ne0 first, kind) for every tensor."""
    e, f, v = d["embedding"], d["ffn"], d["vocab"]
    head = e // d["heads"]
    kv = head * d["kv_heads"]
    q8 = style == "q8_0"
    plan = [("token_embd.weight", [e, v], "q8_0" if q8 else "q4_K"),
            ("output_norm.weight", [e], "f32"),
            ("output.weight", [e, v], "q8_0" if q8 else "q6_K")]
    for n in range(d["layers"]):
        big = "q8_0" if q8 else ("q6_K" if more_bits(n, d["layers"]) else "q4_K")
        small = "q8_0" if q8 else "q4_K"
        p = f"blk.{n}."
        plan += [(p + "attn_norm.weight", [e], "f32"),
                 (p + "attn_q.weight", [e, e], small), (p + "attn_q.bias", [e], "f32"),
                 (p + "attn_k.weight", [e, kv], small), (p + "attn_k.bias", [kv], "f32"),
                 (p + "attn_v.weight", [e, kv], big), (p + "attn_v.bias", [kv], "f32"),
                 (p + "attn_output.weight", [e, e], small),
                 (p + "ffn_norm.weight", [e], "f32"),
                 (p + "ffn_gate.weight", [e, f], small), (p + "ffn_up.weight", [e, f], small),
                 (p + "ffn_down.weight", [f, e], big)]
    return plan


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def byte_symbols():
    """GPT-2's byte-level alphabet: byte b as the printable character byte-level BPE writes for it."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


def gguf_array(element_type, packed_items):
    return struct.pack("<IQ", element_type, len(packed_items)) + b"".join(packed_items)


def tokenizer_metadata(vocab):
    """(key, type id, packed value) of a byte-level BPE tokenizer of `vocab` tokens."""
    tokens = byte_symbols() + [f"<|random_{i}|>" for i in range(vocab - 256)]
    types = [1] * 256 + [3] * (vocab - 256)          # normal bytes, control padding
    return [("tokenizer.ggml.model", 8, gguf_string("gpt2")),
            ("tokenizer.ggml.tokens", 9, gguf_array(8, [gguf_string(t) for t in tokens])),
            ("tokenizer.ggml.token_type", 9, gguf_array(5, [struct.pack("<i", t) for t in types])),
            ("tokenizer.ggml.merges", 9, gguf_array(8, [])),
            ("tokenizer.ggml.eos_token_id", 4, struct.pack("<I", vocab - 1))]


def metadata(d, name):
    """GGUF key/values: (key, type id, packed value)."""
    a = "qwen2."
    u32 = lambda k, x: (k, 4, struct.pack("<I", x))
    f32 = lambda k, x: (k, 6, struct.pack("<f", x))
    return [("general.architecture", 8, gguf_string("qwen2")),
            ("general.name", 8, gguf_string(name)),
            u32(a + "block_count", d["layers"]), u32(a + "context_length", d["context"]),
            u32(a + "embedding_length", d["embedding"]), u32(a + "feed_forward_length", d["ffn"]),
            u32(a + "attention.head_count", d["heads"]), u32(a + "attention.head_count_kv", d["kv_heads"]),
            u32(a + "vocab_size", d["vocab"]),
            f32(a + "rope.freq_base", d["rope_base"]),
            f32(a + "attention.layer_norm_rms_epsilon", d["epsilon"])] + tokenizer_metadata(d["vocab"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the GGUF file to write")
    parser.add_argument("--type", choices=["q4_K_M", "q8_0"], default="q4_K_M", help="matrix types")
    parser.add_argument("--layers", type=int, default=DIMS["layers"], help="blocks (default 28)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.layers < 1:
        parser.error("--layers must be positive")
    d = dict(DIMS, layers=args.layers)
    rng = np.random.default_rng(args.seed)
    plan = tensor_plan(d, args.type)
    alignment = 32
    infos, offset = [], 0
    for name, dims, kind in plan:
        _, per_block, size = TYPES[kind]
        count = int(np.prod(dims))
        infos.append((name, dims, kind, offset))
        offset += (count // per_block) * size
        offset = (offset + alignment - 1) // alignment * alignment
    kvs = metadata(d, f"random Qwen2 {args.layers}-layer ({args.type})")
    with open(args.out, "wb") as out:
        out.write(b"GGUF" + struct.pack("<IQQ", 3, len(infos), len(kvs)))
        for key, kind, packed in kvs:
            out.write(gguf_string(key) + struct.pack("<I", kind) + packed)
        for name, dims, kind, at in infos:
            out.write(gguf_string(name) + struct.pack("<I", len(dims)))
            out.write(b"".join(struct.pack("<Q", x) for x in dims))
            out.write(struct.pack("<IQ", TYPES[kind][0], at))
        out.write(b"\0" * ((-out.tell()) % alignment))
        start = out.tell()
        for name, dims, kind, at in infos:
            out.write(b"\0" * (start + at - out.tell()))
            count = int(np.prod(dims))
            if kind == "f32":
                values = np.zeros(count, np.float32) if name.endswith(".bias") else np.ones(count, np.float32)
                out.write(values.tobytes())
            else:
                out.write(random_blocks(kind, count, rng))
        print(f"wrote {args.out}: {len(infos)} tensors, {out.tell() / 1e9:.2f} GB", file=sys.stderr)


if __name__ == "__main__":
    main()
