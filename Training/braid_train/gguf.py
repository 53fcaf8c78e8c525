"""Writes a trained Decoder as a GGUF v3 file (architecture `llama`, f32 tensors, tokenizer in the
metadata as a byte-level `gpt2` vocabulary without merges plus user-defined phrase tokens; ParaThinker's
thought embeddings as `blk.N.thought_embd`), the form BraidTransformer's loader and tokenizer read unchanged."""
import struct
import numpy as np

ALIGN = 32
U32, I32, F32, BOOL, STRING, ARRAY = 4, 5, 6, 7, 8, 9
GGML_F32 = 0
# GPT-2's pre-tokenizer pattern under the name llama.cpp knows (it refuses "gpt2"; Braid reads both).
# The vocabulary is spelled character by character, so the pattern never changes an id; the name only
# has to be one every loader accepts.
PRE_TOKENIZER = "gpt-2"


def _string(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(kind, v) -> bytes:
    if kind == U32:
        return struct.pack("<I", v)
    if kind == I32:
        return struct.pack("<i", v)
    if kind == F32:
        return struct.pack("<f", v)
    if kind == BOOL:
        return struct.pack("<B", 1 if v else 0)
    if kind == STRING:
        return _string(v)
    raise ValueError(kind)


def _kv(key, kind, v, elem=None) -> bytes:
    out = _string(key) + struct.pack("<I", kind)
    if kind == ARRAY:
        out += struct.pack("<IQ", elem, len(v)) + b"".join(_value(elem, x) for x in v)
    else:
        out += _value(kind, v)
    return out


def tensors_of(model):
    """(GGUF name, float32 array) in GGUF's row-major [outputs, inputs] order (= PyTorch's Linear weight)."""
    sd = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    out = [("token_embd.weight", sd["embed.weight"])]
    for n in range(model.c.layers):
        p = f"blocks.{n}."
        out += [(f"blk.{n}.attn_norm.weight", sd[p + "attn_norm.weight"]),
                (f"blk.{n}.attn_q.weight", sd[p + "wq.weight"]),
                (f"blk.{n}.attn_k.weight", sd[p + "wk.weight"]),
                (f"blk.{n}.attn_v.weight", sd[p + "wv.weight"]),
                (f"blk.{n}.attn_output.weight", sd[p + "wo.weight"]),
                (f"blk.{n}.ffn_norm.weight", sd[p + "ffn_norm.weight"]),
                (f"blk.{n}.ffn_gate.weight", sd[p + "gate.weight"]),
                (f"blk.{n}.ffn_up.weight", sd[p + "up.weight"]),
                (f"blk.{n}.ffn_down.weight", sd[p + "down.weight"])]
        if model.c.thought_slots > 0:  # [slots, head_dim] rows, ggml dims [head_dim, slots] as Braid reads them
            out.append((f"blk.{n}.thought_embd", sd[p + "thought"]))
    out.append(("output_norm.weight", sd["norm.weight"]))
    return out


def write(path, model, vocab, name, description=""):
    c = model.c
    meta = [
        _kv("general.architecture", STRING, "llama"),
        _kv("general.name", STRING, name),
        _kv("general.description", STRING, description),
        _kv("general.alignment", U32, ALIGN),
        _kv("llama.block_count", U32, c.layers),
        _kv("llama.context_length", U32, c.context),
        _kv("llama.embedding_length", U32, c.dim),
        _kv("llama.feed_forward_length", U32, c.ffn),
        _kv("llama.attention.head_count", U32, c.heads),
        _kv("llama.attention.head_count_kv", U32, c.heads),
        _kv("llama.rope.dimension_count", U32, c.head_dim),
        _kv("llama.rope.freq_base", F32, c.rope_base),
        _kv("llama.attention.layer_norm_rms_epsilon", F32, c.eps),
        _kv("llama.vocab_size", U32, c.vocab),
        _kv("tokenizer.ggml.model", STRING, "gpt2"),
        _kv("tokenizer.ggml.pre", STRING, PRE_TOKENIZER),
        _kv("tokenizer.ggml.tokens", ARRAY, vocab.gguf_tokens(), STRING),
        _kv("tokenizer.ggml.token_type", ARRAY, vocab.types, I32),
        _kv("tokenizer.ggml.merges", ARRAY, [], STRING),
        _kv("tokenizer.ggml.eos_token_id", U32, vocab.eos),
        _kv("tokenizer.ggml.add_bos_token", BOOL, False),
    ]
    tensors = tensors_of(model)
    infos, blobs, offset = [], [], 0
    for tname, arr in tensors:
        arr = np.ascontiguousarray(arr, dtype="<f4")
        dims = list(reversed(arr.shape))  # ggml order: ne[0] is the innermost (columns)
        infos.append(_string(tname) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
                     + struct.pack("<IQ", GGML_F32, offset))
        data = arr.tobytes()
        pad = (-len(data)) % ALIGN
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(meta)) + b"".join(meta) + b"".join(infos)
    header += b"\0" * ((-len(header)) % ALIGN)
    with open(path, "wb") as f:
        f.write(header)
        for b in blobs:
            f.write(b)


def retag_string(path, key, new_value):
    """Rewrites one string metadata value of the GGUF at `path` in place, leaving every tensor byte as it
    was: the header is rebuilt and re-padded to the file's alignment, and tensor offsets are relative to
    the data section, so they stay valid. Returns the old value (the file is untouched if it was equal)."""
    data = open(path, "rb").read()
    if data[:4] != b"GGUF":
        raise ValueError(f"{path}: not a GGUF file")
    version, nt, nkv = struct.unpack_from("<IQQ", data, 4)
    pos = 4 + struct.calcsize("<IQQ")
    fixed = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def skip_value(kind, at):
        if kind == STRING:
            return at + 8 + struct.unpack_from("<Q", data, at)[0]
        if kind == ARRAY:
            elem, n = struct.unpack_from("<IQ", data, at)
            at += 12
            if elem in fixed:
                return at + fixed[elem] * n
            for _ in range(n):
                at = skip_value(elem, at)
            return at
        return at + fixed[kind]

    old, span, align = None, None, ALIGN
    for _ in range(nkv):
        start = pos
        n = struct.unpack_from("<Q", data, pos)[0]
        name = data[pos + 8:pos + 8 + n].decode("utf-8")
        pos += 8 + n
        kind = struct.unpack_from("<I", data, pos)[0]
        value_at = pos + 4
        pos = skip_value(kind, value_at)
        if name == key:
            if kind != STRING:
                raise ValueError(f"{path}: {key} is not a string")
            old, span = data[value_at + 8:pos].decode("utf-8"), (start, pos)
        if name == "general.alignment":
            align = struct.unpack_from("<I", data, value_at)[0]
    if span is None:
        raise ValueError(f"{path}: no metadata key {key}")
    if old == new_value:
        return old
    for _ in range(nt):  # tensor infos: name, n_dims, dims, type, offset
        n = struct.unpack_from("<Q", data, pos)[0]
        pos += 8 + n
        nd = struct.unpack_from("<I", data, pos)[0]
        pos += 4 + 8 * nd + 4 + 8
    data_start = pos + (-pos) % align
    header = data[:span[0]] + _kv(key, STRING, new_value) + data[span[1]:pos]
    header += b"\0" * ((-len(header)) % align)
    with open(path, "wb") as f:
        f.write(header + data[data_start:])
    return old
