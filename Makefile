# Braid — every target does its own set-up on a fresh Debian machine.
#   make run      ParaThinker on the default model (SmolLM2-135M-Instruct)
#   make countdown  a Countdown problem solved by the shipped APR model, spawn/join tree in the live view and a timeline
#   make test     the test suite, release build, on the real model
#   make model    fetch the default model into $(BRAID_MODELS)
#   make bench    the benchmarks (Benchmarks/run.sh; report in Benchmarks/results/)
#   make sanitize the hostile-input tests in a checked (debug) build under AddressSanitizer
SHELL := /bin/bash
BRAID_MODELS ?= $(HOME)/.cache/braid/models
export BRAID_MODELS
MODEL := $(BRAID_MODELS)/SmolLM2-135M-Instruct.Q4_1.gguf
SWIFT_RELEASE := -c release -Xswiftc -enable-testing
QUESTION ?= What is 12*13?
PATHS ?= 4

.PHONY: deps model build test run countdown check bench sanitize clean

deps:
	@if ! pkg-config --exists openblas 2>/dev/null && [ ! -e /usr/include/x86_64-linux-gnu/cblas.h ]; then \
		echo "installing libopenblas-dev"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libopenblas-dev pkg-config; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq libopenblas-dev pkg-config; fi; \
	fi

model: $(MODEL)
$(MODEL):
	@scripts/fetch-model.sh >/dev/null

build: deps
	swift build $(SWIFT_RELEASE)

test: deps model
	swift test $(SWIFT_RELEASE) --disable-xctest

run: deps model
	swift run -c release braid run Graphs/parathinker.yaml --question "$(QUESTION)" --set paths=$(PATHS)

# The shipped APR model (Models/countdown/countdown-apr.gguf, Training/README.md) on one held-out Countdown
# problem: the live view shows the parent and its children, out/countdown-apr.html the spawn/join timeline.
# The default problem is the first of Docs/results/heldout-cd3.jsonl (file order) that the model solves
# greedily through a child that found the goal (Docs/results.md): 24-12=12 in the parent, 13+12=25 in a child.
CD_NUMBERS ?= 12, 24, 13
CD_TARGET ?= 25
countdown: deps
	swift build $(SWIFT_RELEASE) --product braid
	mkdir -p out
	.build/release/braid run Graphs/countdown-apr.yaml --model countdown-apr --input "numbers=$(CD_NUMBERS)" \
		--input target=$(CD_TARGET) --threads 1 --trace out/countdown-apr.jsonl
	.build/release/braid trace view out/countdown-apr.jsonl --out out/countdown-apr.html

check: deps
	swift run -c release braid check Graphs/*.yaml

bench: deps model
	Benchmarks/run.sh

# Every test that feeds Braid hostile input (malformed YAML, fuzzed graphs, hostile and truncated GGUF files,
# malformed vocabularies and model metadata, hostile `braid logits` layouts), and the C kernels' own tests (the
# q8 products and quantizer at every row count, the row kernels, the attention block kernels), in a debug build with
# AddressSanitizer. In a debug build integer overflow, out-of-range indexing and a nil unwrap trap (under
# -Ounchecked they are undefined behaviour); swiftc has no -sanitize=undefined on Linux, so these traps are its
# undefined-behaviour check. Its own build folder, so it never disturbs the release build. See Docs/testing.md.
SANITIZE_TESTS := MalformedGraphTests|FuzzTests|GGUFHostileTests|TokenizerConstructionTests|ModelLoadingTests|ModelLayoutTests|RefusalTests|Q8KernelTests|Q8KQuantKernelTests|RowKernelTests|KVBlockKernelTests|GatheredKernelTests
sanitize: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan-suppressions.txt \
	swift test -c debug --sanitize=address --scratch-path .build-sanitize --disable-xctest \
		--filter '$(SANITIZE_TESTS)'

clean:
	rm -rf .build .build-sanitize
