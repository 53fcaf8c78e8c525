# Makes the tokenizer fixtures of Tests/BraidTransformerTests/HF*Tokenizer*Tests.swift with the `tokenizers` and
# `sentencepiece` packages (never Braid's code), and the ids those libraries give for a few thousand random
# strings. The Swift tests read the files; they never run Python.
#
#   /tmp/hfenv/bin/pip install tokenizers sentencepiece transformers protobuf
#   python3 Tests/Fixtures/hf/make_tokenizers.py
#
# Outputs (next to this script):
#   qwen2-tok/tokenizer.json      byte-level BPE, NFC, Qwen2's Split regex + ByteLevel, ChatML and added tokens
#   llama3-tok/tokenizer.json     byte-level BPE with Llama-3's \p{N}{1,3} regex and ignore_merges
#   llama2-tok/tokenizer.model    a SentencePiece BPE model with byte fallback (trained by sentencepiece)
#   llama2-tok/tokenizer.json     the same, converted by transformers' LlamaTokenizer (Metaspace pre-tokenizer)
#   tokenizer-ids.json            {"strings": [...], "<name>": [[ids]...]} from each reference library
import json, os, random, tempfile
from tokenizers import Tokenizer, Regex, models, normalizers, pre_tokenizers, decoders, trainers, AddedToken
import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(11)
QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
WORDS = ("the of and to in is was he for it with as his on be at by I that this had not are but from or have "
         "an they which one you were her all she there would their we him been has when who will more no if out "
         "so said what up its about into than them can only other new some could time these two may then do "
         "first any my now such like our over man me even most made after also did many before must through "
         "Hello World Braid think summary answer 12 345 6789 2026 3.14 don't it's we're they've I'm you'll he'd "
         "DON'T IT'S café naïve über Straße 東京 中文 北京大学 日本語 한국어 😀 🚀 👍🏽 🇫🇷 ∑ → ≤ € £ ¿ ¡ \\boxed{42}").split()
PIECES = ["  ", "   ", "\n", "\n\n", "\t", " \n ", "\r\n", "...", "!", "?", ",", ".", "'", "'s", "-", "(", ")", "$",
          "e\u0301", "A\u030a", "1", "42", "007", "x" * 12, " 1 2 3", "<think>", "</think>", "<think1>", "</think3>",
          "<summary>", "<|im_start|>", "<|im_end|>", "<|endoftext|>"]

def random_text():
    parts = []
    for _ in range(rng.randint(1, 8)):
        parts.append(rng.choice(WORDS) if rng.random() < 0.65 else rng.choice(PIECES))
        parts.append(rng.choice([" ", " ", " ", "", "  ", "\n"]))
    return "".join(parts)[: rng.randint(1, 60)]

corpus = [random_text() for _ in range(4000)] + [" ".join(WORDS)] * 20
strings = [random_text() for _ in range(3000)] + ["", " ", "  leading", "trailing  ", "a  1", "\n\n\n", "😀😀", "e\u0301"]

def byte_level(pattern, ignore_merges, name, added):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=700, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"], show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in added["plain"]])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in added["special"]])
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    tok.save(os.path.join(folder, "tokenizer.json"))
    return tok

para = {"plain": ["<think>", "</think>"],
        "special": [f"<think{i}>" for i in range(1, 9)] + [f"</think{i}>" for i in range(1, 9)] + ["<summary>", "</summary>", "<vllm_pad>"]}
qwen2 = byte_level(QWEN2, False, "qwen2-tok", para)
with open(os.path.join(HERE, "qwen2-tok", "tokenizer_config.json"), "w") as f:
    json.dump({"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "add_bos_token": False,
               "chat_template": "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"}, f, indent=1)
llama3 = byte_level(LLAMA3, True, "llama3-tok", {"plain": [], "special": ["<|begin_of_text|>", "<|eot_id|>"]})

# SentencePiece BPE with byte fallback, as Llama-2's tokenizer.model (ids 0,1,2 = <unk>, <s>, </s>).
folder = os.path.join(HERE, "llama2-tok")
os.makedirs(folder, exist_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    text = os.path.join(tmp, "corpus.txt")
    with open(text, "w") as f:
        f.write("\n".join(c.replace("\n", " ") for c in corpus))
    spm.SentencePieceTrainer.train(input=text, model_prefix=os.path.join(tmp, "m"), model_type="bpe", vocab_size=600,
                                   byte_fallback=True, character_coverage=0.995, split_digits=True,
                                   allow_whitespace_only_pieces=True, remove_extra_whitespaces=False,
                                   normalization_rule_name="identity", bos_id=1, eos_id=2, unk_id=0, minloglevel=2)
    model_bytes = open(os.path.join(tmp, "m.model"), "rb").read()
with open(os.path.join(folder, "tokenizer.model"), "wb") as f:
    f.write(model_bytes)
sp = spm.SentencePieceProcessor(model_proto=model_bytes)
from transformers import LlamaTokenizer  # transformers 5 builds the tokenizers form from tokenizer.model
llama2 = LlamaTokenizer.from_pretrained(folder, legacy=True).backend_tokenizer  # Metaspace, prepend "always"
llama2.save(os.path.join(folder, "tokenizer.json"))
with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
    json.dump({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": True,
               "legacy": True, "chat_template": "{% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + ' ' + eos_token }}{% endif %}{% endfor %}"}, f, indent=1)

ids = {"strings": strings,
       "qwen2": [qwen2.encode(s, add_special_tokens=False).ids for s in strings],
       "llama3": [llama3.encode(s, add_special_tokens=False).ids for s in strings],
       "llama2": [llama2.encode(s, add_special_tokens=False).ids for s in strings],
       "sentencepiece": [sp.encode(s) for s in strings]}
with open(os.path.join(HERE, "tokenizer-ids.json"), "w") as f:
    json.dump(ids, f, ensure_ascii=False, separators=(",", ":"))
print({k: sum(len(x) for x in v) for k, v in ids.items() if k != "strings"})
