# Makes qwen2-tiny.json: a tiny Qwen2 model with random weights (Q/K/V biases, tied embeddings, grouped-query
# attention), written as GGUF by gguf-py with llama.cpp's tensor names, and the logits HF transformers computes
# for it. The Swift tests (Tests/BraidTransformerTests/Qwen2ReferenceTests.swift) load the GGUF and compare;
# they never run Python. Nothing here reads Braid's code: RoPE style and biases come from HF's Qwen2.
#
#   python3 -m venv /tmp/hf && /tmp/hf/bin/pip install torch transformers gguf numpy   # CPU torch is enough
#   /tmp/hf/bin/python3 Tests/Fixtures/qwen2-tiny/make_fixture.py
import base64, importlib.metadata, json, os, tempfile
import gguf, numpy as np, torch, transformers
from transformers import Qwen2Config, Qwen2ForCausalLM

torch.manual_seed(2026)
ROPE_THETA = 20000.0  # not the 10,000 default, so a reader that ignores rope.freq_base fails
config = Qwen2Config(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                     num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                     rope_parameters={"rope_type": "default", "rope_theta": ROPE_THETA}, rms_norm_eps=1e-6,
                     tie_word_embeddings=True, use_sliding_window=False)
model = Qwen2ForCausalLM(config).float().eval()
model.config._attn_implementation = "eager"  # plain softmax(QKᵀ/√d)V in float32

# Weights are multiples of 1/1024, so float32 holds them exactly on both sides.
def draw(shape, low, high, offset=0.0):
    return torch.randint(low, high + 1, shape).float() / 1024 + offset
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("norm.weight"):
            p.copy_(draw(p.shape, -200, 200, offset=1.0))
        elif name.endswith("embed_tokens.weight"):
            p.copy_(draw(p.shape, -1024, 1024))
        elif name.endswith(".bias"):
            p.copy_(draw(p.shape, -300, 300))
        else:
            p.copy_(draw(p.shape, -400, 400))
assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr(), "embeddings must be tied"
assert model.model.layers[0].self_attn.q_proj.bias is not None, "Qwen2 has Q/K/V biases"

# GGUF with gguf-py: llama.cpp's names for qwen2 (no Q/K permutation for this family), f32, no output.weight.
names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.QWEN2, config.num_hidden_layers)
path = os.path.join(tempfile.mkdtemp(), "qwen2-tiny.gguf")
writer = gguf.GGUFWriter(path, "qwen2")
writer.add_block_count(config.num_hidden_layers)
writer.add_context_length(config.max_position_embeddings)
writer.add_embedding_length(config.hidden_size)
writer.add_feed_forward_length(config.intermediate_size)
writer.add_head_count(config.num_attention_heads)
writer.add_head_count_kv(config.num_key_value_heads)
writer.add_rope_freq_base(ROPE_THETA)
writer.add_layer_norm_rms_eps(config.rms_norm_eps)
for name, tensor in model.state_dict().items():
    if name == "lm_head.weight":
        continue  # tied: the output head is token_embd
    gguf_name = names.get_name(name, try_suffixes=(".weight", ".bias"))
    assert gguf_name is not None, name
    writer.add_tensor(gguf_name, tensor.numpy().astype(np.float32))
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()
image = open(path, "rb").read()

# Causal logits for one sequence at positions 0..n-1, and for the same tokens at gapped positions (RoPE is
# relative, so a constant shift would change nothing; gaps change the distances between tokens).
tokens = [3, 17, 42, 8, 8, 59, 0, 23, 11, 36, 5, 63]
cases = []
with torch.no_grad():
    for positions in (list(range(len(tokens))), [300, 301, 302, 303, 320, 321, 322, 400, 401, 402, 403, 404]):
        logits = model(torch.tensor([tokens]), position_ids=torch.tensor([positions])).logits[0]
        cases.append({"positions": positions, "logits": [[float(v) for v in row] for row in logits.tolist()]})

out = {
    "about": "tiny random Qwen2 (attention bias, tied embeddings, GQA 4/2), GGUF by gguf-py, logits by HF transformers float32 eager attention",
    "transformers": transformers.__version__, "torch": torch.__version__, "gguf": importlib.metadata.version("gguf"),
    "config": {"layers": config.num_hidden_layers, "embedding": config.hidden_size, "ffn": config.intermediate_size,
               "heads": config.num_attention_heads, "kv_heads": config.num_key_value_heads, "vocab": config.vocab_size,
               "rope_theta": ROPE_THETA, "rms_norm_eps": config.rms_norm_eps},
    "tokens": tokens, "cases": cases, "gguf_base64": base64.b64encode(image).decode(),
}
target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "qwen2-tiny.json")
with open(target, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", target, len(image), "GGUF bytes")
