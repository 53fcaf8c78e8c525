# Braid — every target does its own set-up on a fresh Debian machine.
#   make run      ParaThinker on the default model (SmolLM2-135M-Instruct)
#   make test     the test suite, release build, on the real model
#   make model    fetch the default model into $(BRAID_MODELS)
#   make bench    the benchmarks (Benchmarks/run.sh; report in Benchmarks/results/)
SHELL := /bin/bash
BRAID_MODELS ?= $(HOME)/.cache/braid/models
export BRAID_MODELS
MODEL := $(BRAID_MODELS)/SmolLM2-135M-Instruct.Q4_1.gguf
SWIFT_RELEASE := -c release -Xswiftc -enable-testing
QUESTION ?= What is 12*13?
PATHS ?= 4

.PHONY: deps model build test run check bench clean

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

check: deps
	swift run -c release braid check Graphs/*.yaml

bench: deps model
	Benchmarks/run.sh

clean:
	rm -rf .build
