# Loam — the two commands a new user needs: `make demo` and `make test`.
# Both first install the Debian packages that are missing (scripts/deps.sh).
# The build itself is CMake; this file only strings the steps together.

CC_FOR_LOAM ?= clang-16
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS = -DCMAKE_C_COMPILER=$(CC_FOR_LOAM) -DCMAKE_BUILD_TYPE=RelWithDebInfo

QUICK ?= 0

.PHONY: all deps build build-asan demo test test-release test-asan difftest bench bench-check bench-compute fuzz clean test-vm bench-muvm

all: build

deps:
	@./scripts/deps.sh

build: deps
	@cmake -S . -B build $(CMAKE_FLAGS) -DLOAM_WERROR=ON >/dev/null
	@cmake --build build -j $(JOBS)

# A second tree with AddressSanitizer + UndefinedBehaviorSanitizer and the
# libFuzzer harnesses; the same tests run there.
build-asan: deps
	@cmake -S . -B build-asan $(CMAKE_FLAGS) -DLOAM_WERROR=ON -DLOAM_SANITIZE=ON -DLOAM_FUZZ=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

demo: build
	@./scripts/demo.sh build/bin/loam

test: test-release test-asan

test-release: build
	@ctest --test-dir build --output-on-failure -j $(JOBS)

test-asan: build-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

# A long fuzzing campaign (not part of `make test`): make fuzz FUZZ_SECONDS=3600
FUZZ_SECONDS ?= 600
fuzz: build-asan
	@./tests/fuzz/campaign.sh build-asan $(FUZZ_SECONDS)

# A long differential campaign (not part of `make test`): the interpreter
# against -O0, -O2 and -O2 --no-yield images on generated programs
# (spec/interp.md §3). make difftest SEEDS=20000 [FIRST=1000]
SEEDS ?= 1000
FIRST ?= 100000
difftest: build
	@sh tests/diff/difftest.sh build/bin/loam build/bin/loam-gen $(FIRST) $(SEEDS) 50

# Every tests/run program as a μVM under QEMU's microvm with TCG (3-5 min;
# `make test` runs a sample of them, tests/vm/CMakeLists.txt).
test-vm: build
	@sh tests/vm/suite.sh build/bin/loam tests/run

# μVM image size and boot-to-exit time against Debian's Linux kernel under
# the same QEMU command line (bench/muvm/README.md; downloads the kernel).
bench-muvm: build
	@./bench/muvm/run.sh build/bin/loam

# Every benchmark beside its peer, as ratios, in one run: prints a table and
# writes bench/results/REPORT.md and ratios.svg (bench/report.sh; under 10
# minutes on 2 cores, QUICK=1 under 2).
bench: build
	@./scripts/deps.sh bench
	@QUICK=$(QUICK) sh ./bench/report.sh build/bin/loam

bench-check: build
	@./bench/check-speed/run.sh build/bin/loam

# Loam against C on four Benchmarks Game programs (bench/compute/README.md).
bench-compute: build
	@./bench/compute/run.sh build/bin/loam

clean:
	rm -rf build build-asan
