# Makes tiny Hugging Face model folders with random weights, written by HF transformers itself
# (`save_pretrained`: config.json, safetensors, sharded index), and the logits and greedy continuations
# transformers computes for them. Run after make_tokenizers.py (the folders reuse its tokenizers).
# The Swift tests (Tests/BraidTransformerTests/HFModelFolderTests.swift) load the folders; they never run Python.
#
#   /tmp/hfenv/bin/pip install torch transformers safetensors numpy   # CPU torch is enough
#   python3 Tests/Fixtures/hf/make_models.py
import json, os, shutil
import torch, transformers
from transformers import Qwen2Config, Qwen2ForCausalLM, LlamaConfig, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(11)

def fill(model, step):
    # Weights are multiples of `step`, small enough that F16/BF16 storage holds them exactly.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + torch.randint(-24, 25, p.shape).float() * step)
            else:
                p.copy_(torch.randint(-100, 101, p.shape).float() * step)

def reference(model, prompt, steps=8):
    with torch.no_grad():
        logits = model(torch.tensor([prompt])).logits[0]
        out = model.generate(torch.tensor([prompt]), max_new_tokens=steps, do_sample=False, min_new_tokens=steps,
                             pad_token_id=0, eos_token_id=None)
    return {"prompt": prompt, "logits": [[round(float(v), 6) for v in row] for row in logits.tolist()],
            "greedy": out[0, len(prompt):].tolist()}

def save(model, name, tokenizer, dtype, shard=None, legacy_rope=False, extra=None):
    folder = os.path.join(HERE, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.to(dtype).save_pretrained(folder, max_shard_size=shard) if shard else model.to(dtype).save_pretrained(folder)
    model.float()
    for f in ("tokenizer.json", "tokenizer_config.json", "tokenizer.model"):
        src = os.path.join(HERE, tokenizer, f)
        if os.path.exists(src):
            shutil.copy(src, folder)
    config_path = os.path.join(folder, "config.json")
    config = json.load(open(config_path))
    if legacy_rope:  # transformers 4.x form: rope_theta at the top level, torch_dtype
        params = config.pop("rope_parameters")
        config["rope_theta"] = params["rope_theta"]
        config["rope_scaling"] = None
        config["torch_dtype"] = config.pop("dtype", None)
    config.update(extra or {})
    json.dump(config, open(config_path, "w"), indent=1)
    return folder

vocab = json.load(open(os.path.join(HERE, "qwen2-tok", "tokenizer.json")))
qwen_vocab = max([*vocab["model"]["vocab"].values(), *[t["id"] for t in vocab["added_tokens"]]]) + 1
refs = {"transformers": transformers.__version__, "torch": torch.__version__}

# Qwen2, F32, one file, transformers 5 config (rope_parameters), tied embeddings.
qcfg = Qwen2Config(vocab_size=qwen_vocab, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                   rope_parameters={"rope_type": "default", "rope_theta": 20000.0}, rms_norm_eps=1e-6,
                   tie_word_embeddings=True, use_sliding_window=False)
qwen = Qwen2ForCausalLM(qcfg).eval(); qwen.config._attn_implementation = "eager"
fill(qwen, 1 / 256)
save(qwen, "qwen2-tiny", "qwen2-tok", torch.float32)
refs["qwen2-tiny"] = reference(qwen, [5, 200, 33, 400, 17, 91, 650, 2])

# The same family in BF16, sharded in two files, with the transformers 4.x config form, untied head.
qcfg2 = Qwen2Config(**{**qcfg.to_dict(), "tie_word_embeddings": False})
qwen2 = Qwen2ForCausalLM(qcfg2).eval(); qwen2.config._attn_implementation = "eager"
fill(qwen2, 1 / 64)
save(qwen2, "qwen2-tiny-bf16-sharded", "qwen2-tok", torch.bfloat16, shard="60KB", legacy_rope=True)
refs["qwen2-tiny-bf16-sharded"] = reference(qwen2, [5, 200, 33, 400, 17, 91, 650, 2])

# Llama, F16, SentencePiece tokenizer, untied head, rope_theta 10000 (Llama 2's), 4 heads / 2 KV heads.
sp_vocab = len(json.load(open(os.path.join(HERE, "llama2-tok", "tokenizer.json")))["model"]["vocab"])
lcfg = LlamaConfig(vocab_size=sp_vocab, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5,
                   tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
llama = LlamaForCausalLM(lcfg).eval(); llama.config._attn_implementation = "eager"
fill(llama, 1 / 256)
save(llama, "llama-tiny-f16", "llama2-tok", torch.float16)
refs["llama-tiny-f16"] = reference(llama, [1, 300, 45, 120, 7, 99])

with open(os.path.join(HERE, "model-reference.json"), "w") as f:
    json.dump(refs, f, separators=(",", ":"))
for name in ("qwen2-tiny", "qwen2-tiny-bf16-sharded", "llama-tiny-f16"):
    print(name, sorted(os.listdir(os.path.join(HERE, name))))

# ParaThinker-style checkpoint: the F32 Qwen2 above plus per-layer thought embeddings under the parameter name
# the public ParaThinker code uses (model.layers.N.self_attn.seg_embeddings.weight, [32, head_dim]); row 0 is
# zero. Stock transformers has no such module, so the reference for a sequence that lies wholly in thought j
# uses the identity that ParaThinker adds T[j] to K and V before RoPE, broadcast over KV heads: the same as
# adding T[j], tiled over the KV heads, to the k_proj and v_proj biases.
from safetensors.torch import save_file, load_file
import copy
folder = os.path.join(HERE, "parathinker-tiny")
shutil.rmtree(folder, ignore_errors=True)
shutil.copytree(os.path.join(HERE, "qwen2-tiny"), folder)
weights = load_file(os.path.join(folder, "model.safetensors"))
head_dim = qcfg.hidden_size // qcfg.num_attention_heads
tables = []
for n in range(qcfg.num_hidden_layers):
    table = torch.randint(-100, 101, (32, head_dim)).float() / 256
    table[0] = 0
    weights[f"model.layers.{n}.self_attn.seg_embeddings.weight"] = table
    tables.append(table)
save_file(weights, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
prompt = [5, 200, 33, 400, 17, 91, 650, 2]
for j in (0, 3):
    shifted = copy.deepcopy(qwen)
    with torch.no_grad():
        for n, layer in enumerate(shifted.model.layers):
            tiled = tables[n][j].repeat(qcfg.num_key_value_heads)
            layer.self_attn.k_proj.bias += tiled
            layer.self_attn.v_proj.bias += tiled
    refs[f"parathinker-tiny-thought{j}"] = reference(shifted, prompt, steps=4)
with open(os.path.join(HERE, "model-reference.json"), "w") as f:
    json.dump(refs, f, separators=(",", ":"))
print("parathinker-tiny", sorted(os.listdir(folder)))
