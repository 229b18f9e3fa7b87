# mmusim: `make run` and `make test` set up a fresh Debian 12 machine, build Release into build/,
# then run the default config or the whole test suite; `make sanitize` the same suite built with
# ASan and UBSan into build-sanitize/; `make fuzz` the libFuzzer harnesses (clang, build-fuzz/).
BUILD     ?= build
SAN_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?= config sweep mtr lackey champsim
CONFIG    ?= configs/default.yaml
OUT       ?= out
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
ARGS      ?=

# The last line is for tests that would skip without it: trace capture with QEMU (its TCG plugin)
# and with valgrind's lackey (and xz, a multi-threaded program to capture), the sweep plots, and
# sweeps on a one-node Slurm cluster.
APT_PACKAGES := g++ cmake ninja-build pkg-config libsystemc-dev libyaml-cpp-dev \
                libgtest-dev libbenchmark-dev verilator libzstd-dev liblzma-dev zlib1g-dev \
                qemu-user valgrind python3-matplotlib slurm-wlm munge xz-utils

# Only `make fuzz` needs clang and libFuzzer: `make test` and CI's set-up stay without them.
FUZZ_APT_PACKAGES := clang libclang-rt-14-dev

.PHONY: all deps fuzz-deps build run test sanitize fuzz bench bench-limits bench-cores \
        bench-instructions clean

all: build

# $(1): the packages; those missing are installed (as root) or listed.
define install_missing
	@missing=""; \
	for p in $(1); do \
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
endef

deps:
	$(call install_missing,$(APT_PACKAGES))

fuzz-deps:
	$(call install_missing,$(FUZZ_APT_PACKAGES))

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/mmusim run $(CONFIG) --out $(OUT) $(ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Everything (libraries, verilated RTL, tests) with -fsanitize=address,undefined, no LTO, at -O1
# with line tables (-g1): a third of the compile time of -O2 -g, and reports name file and line.
# tests/sanitize/run.sh runs ctest with the sanitizers' options and suppressions and fails on
# any report.
$(SAN_BUILD)/build.ninja: | deps
	cmake -S . -B $(SAN_BUILD) -G Ninja -DMMUSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"

sanitize: deps $(SAN_BUILD)/build.ninja
	cmake --build $(SAN_BUILD) -j $(JOBS)
	tests/sanitize/run.sh $(SAN_BUILD) -j $(JOBS)

# libFuzzer harnesses (tests/fuzz/): everything built by clang with the fuzzer's coverage, ASan
# and UBSan (asserts on) into build-fuzz/, then each harness run for FUZZ_SECONDS over its corpus;
# fails on any finding (tests/fuzz/run.sh). `make test` replays the corpora without clang.
$(FUZZ_BUILD)/build.ninja: | deps fuzz-deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DMMUSIM_FUZZ=ON -DMMUSIM_TESTS=OFF \
	  -DMMUSIM_RTL=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"

fuzz: deps fuzz-deps $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target mmusim_fuzzers
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# Model micro-benchmarks, then the simulator's speed on CONFIG: the median of 5 runs (the
# machine is shared, single runs vary by 15%).
bench: build
	./$(BUILD)/tests/mmusim_bench
	@for i in 1 2 3 4 5; do \
	  ./$(BUILD)/mmusim run $(CONFIG) --out $(OUT)/bench >/dev/null || exit 1; \
	  grep -o '"accesses_per_second": [0-9.]*' $(OUT)/bench/stats.json | cut -d' ' -f2; \
	done | sort -n | awk '{a[NR]=$$1} END {printf "$(CONFIG): median %.2f M accesses/s (min %.2f, max %.2f) over %d runs\n", a[3]/1e6, a[1]/1e6, a[NR]/1e6, NR}'

# mmusim at its limits (tests/bench/limits.py): a demand-paged 1 TiB region at the top of the
# 57-bit space, 10^7 to 10^9 accesses at flat memory, the largest structures; time and peak
# memory of each (about 20 minutes). LIMITS=case... runs some of them.
bench-limits: build
	python3 tests/bench/limits.py ./$(BUILD)/mmusim $(OUT)/limits $(LIMITS)

# Speed and peak memory against core count (tests/bench/cores.py; about 5 minutes).
bench-cores: build
	python3 tests/bench/cores.py ./$(BUILD)/mmusim $(CONFIG) $(OUT)/bench-cores

# The simulator's cost in host instructions an access, per translation design (callgrind; a
# figure the host's load does not move; about 25 minutes). DESIGNS="'EPT radix' ..." runs some.
bench-instructions: build
	python3 tests/bench/instructions.py ./$(BUILD)/mmusim $(CONFIG) $(OUT)/bench-instructions $(DESIGNS)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD) $(OUT)
