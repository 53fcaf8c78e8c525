"""Sets `tokenizer.ggml.pre` of exported Countdown models to the name llama.cpp knows (gguf.PRE_TOKENIZER),
without touching a tensor byte. Models exported before that name changed ("gpt2", which llama-server
refuses with `unknown pre-tokenizer type`) are brought up to date with

    python3 Training/retag_pre.py Models/countdown/*.gguf
"""
import sys
from braid_train.gguf import PRE_TOKENIZER, retag_string

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        old = retag_string(path, "tokenizer.ggml.pre", PRE_TOKENIZER)
        print(f"{path}: tokenizer.ggml.pre {old!r} -> {PRE_TOKENIZER!r}" if old != PRE_TOKENIZER
              else f"{path}: already {PRE_TOKENIZER!r}")
