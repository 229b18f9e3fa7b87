# mmusim: `make run` and `make test` set up a fresh Debian 12 machine, build Release into build/,
# then run the default config or the whole test suite.
BUILD   ?= build
CONFIG  ?= configs/default.yaml
OUT     ?= out
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
ARGS    ?=

APT_PACKAGES := g++ cmake ninja-build pkg-config libsystemc-dev libyaml-cpp-dev \
                libgtest-dev libbenchmark-dev verilator

.PHONY: all deps build run test bench clean

all: build

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing packages; run as root:"; \
	    echo "  apt-get update && apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/mmusim run $(CONFIG) --out $(OUT) $(ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	./$(BUILD)/tests/bench/mmusim_bench
	./$(BUILD)/mmusim run $(CONFIG) --out $(OUT)/bench

clean:
	rm -rf $(BUILD) $(OUT)
