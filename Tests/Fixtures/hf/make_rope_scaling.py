# Makes tiny Hugging Face folders whose config.json asks for RoPE scaling (llama3, yarn, linear), random
# weights, written by HF transformers (`save_pretrained`), and adds transformers' logits and greedy
# continuations for a 96-token prompt — past original_max_position_embeddings (64) — to model-reference.json.
# The Swift tests (Tests/BraidTransformerTests/RopeScalingTests.swift) load them; they never run Python.
#
#   /tmp/hfenv/bin/pip install torch transformers safetensors numpy   # CPU torch is enough
#   python3 Tests/Fixtures/hf/make_rope_scaling.py                    # after make_models.py
import json, os, shutil
import torch
from transformers import Qwen2Config, Qwen2ForCausalLM, LlamaConfig, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(12)
PROMPT = [int(t) for t in torch.randint(3, 64, (96,))]

def fill(model, step):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + torch.randint(-24, 25, p.shape).float() * step)
            else:
                p.copy_(torch.randint(-100, 101, p.shape).float() * step)

def reference(model, prompt, steps=4):
    with torch.no_grad():
        logits = model(torch.tensor([prompt])).logits[0]
        out = model.generate(torch.tensor([prompt]), max_new_tokens=steps, do_sample=False, min_new_tokens=steps,
                             pad_token_id=0, eos_token_id=None)
    return {"prompt": prompt, "logits": [[round(float(v), 6) for v in row] for row in logits.tolist()],
            "greedy": out[0, len(prompt):].tolist()}

def make(name, family, config_class, legacy, **kwargs):
    # Head size 16 (8 frequencies) so that each rule's regimes (kept, blended, divided) all occur.
    config = config_class(vocab_size=64, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                          rms_norm_eps=1e-6, tie_word_embeddings=False, **kwargs)
    model = family(config).eval(); model.config._attn_implementation = "eager"
    fill(model, 1 / 64)
    folder = os.path.join(HERE, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder)
    path = os.path.join(folder, "config.json")
    saved = json.load(open(path))
    if legacy:  # transformers 4.x form: rope_theta and rope_scaling at the top level
        params = saved.pop("rope_parameters")
        saved["rope_theta"] = params.pop("rope_theta")
        saved["rope_scaling"] = params
    json.dump(saved, open(path, "w"), indent=1)
    return reference(model, PROMPT)

refs_path = os.path.join(HERE, "model-reference.json")
refs = json.load(open(refs_path))
refs["llama-rope-llama3"] = make("llama-rope-llama3", LlamaForCausalLM, LlamaConfig, legacy=True, rope_parameters={
    "rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
    "original_max_position_embeddings": 64})
refs["qwen2-rope-yarn"] = make("qwen2-rope-yarn", Qwen2ForCausalLM, Qwen2Config, legacy=False, use_sliding_window=False,
    rope_parameters={"rope_type": "yarn", "rope_theta": 500.0, "factor": 4.0, "original_max_position_embeddings": 64})
refs["qwen2-rope-linear"] = make("qwen2-rope-linear", Qwen2ForCausalLM, Qwen2Config, legacy=True, use_sliding_window=False,
    rope_parameters={"rope_type": "linear", "rope_theta": 10000.0, "factor": 4.0})
with open(refs_path, "w") as f:
    json.dump(refs, f, separators=(",", ":"))
for name in ("llama-rope-llama3", "qwen2-rope-yarn", "qwen2-rope-linear"):
    print(name, json.load(open(os.path.join(HERE, name, "config.json"))).get("rope_scaling") or
          json.load(open(os.path.join(HERE, name, "config.json"))).get("rope_parameters"))
