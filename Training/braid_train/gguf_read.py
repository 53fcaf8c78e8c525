"""Reads back a GGUF written by gguf.write into a Decoder (for checks on shipped models)."""
import struct
import numpy as np
import torch
from .model import Config, Decoder


def _read(path):
    data = open(path, "rb").read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, data, pos)
        pos += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string():
        n = take("<Q")
        nonlocal pos
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    sizes = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<B", 10: "<Q", 11: "<q", 12: "<d"}

    def value(kind):
        if kind == 8:
            return string()
        if kind == 9:
            elem, n = take("<I"), take("<Q")
            return [value(elem) for _ in range(n)]
        return take(sizes[kind])

    assert data[:4] == b"GGUF", "not a GGUF file"
    pos = 4
    _, nt, nkv = take("<I"), take("<Q"), take("<Q")
    meta = {}
    for _ in range(nkv):
        k = string()
        meta[k] = value(take("<I"))
    infos = []
    for _ in range(nt):
        name = string()
        nd = take("<I")
        dims = [take("<Q") for _ in range(nd)]
        kind, off = take("<I"), take("<Q")
        assert kind == 0, f"{name}: only f32 tensors are read back"
        infos.append((name, dims, off))
    align = meta.get("general.alignment", 32)
    base = pos + (-pos) % align
    tensors = {}
    for name, dims, off in infos:
        count = int(np.prod(dims))
        arr = np.frombuffer(data, dtype="<f4", count=count, offset=base + off)
        tensors[name] = arr.reshape(list(reversed(dims))).copy()
    return meta, tensors


def load_decoder(path):
    meta, t = _read(path)
    c = Config(vocab=meta["llama.vocab_size"], dim=meta["llama.embedding_length"], layers=meta["llama.block_count"],
               heads=meta["llama.attention.head_count"], ffn=meta["llama.feed_forward_length"],
               context=meta["llama.context_length"], rope_base=meta["llama.rope.freq_base"],
               eps=meta["llama.attention.layer_norm_rms_epsilon"],
               thought_slots=t["blk.0.thought_embd"].shape[0] if "blk.0.thought_embd" in t else 0)
    m = Decoder(c)
    names = {"embed.weight": "token_embd.weight", "norm.weight": "output_norm.weight"}
    for n in range(c.layers):
        for ours, theirs in [("attn_norm", "attn_norm"), ("wq", "attn_q"), ("wk", "attn_k"), ("wv", "attn_v"),
                             ("wo", "attn_output"), ("ffn_norm", "ffn_norm"), ("gate", "ffn_gate"),
                             ("up", "ffn_up"), ("down", "ffn_down")]:
            names[f"blocks.{n}.{ours}.weight"] = f"blk.{n}.{theirs}.weight"
        if c.thought_slots > 0:
            names[f"blocks.{n}.thought"] = f"blk.{n}.thought_embd"
    m.load_state_dict({k: torch.from_numpy(t[v]) for k, v in names.items()})
    return m
