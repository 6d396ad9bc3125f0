# pronto — top-level entry points. See README.md.
#   make demo    build and run the example services end to end
#   make test    build and run every test (unit, session, end-to-end, interop)
#   make bench   Release build + benchmark suite (slow; not part of test)
#   make fuzz    build the libFuzzer targets with clang and run each briefly (FUZZ_SECONDS=30)
#   make fuzz-long  the same, 600 s per target (FUZZ_SECONDS overrides)
#   make asan    build and test with AddressSanitizer + UBSan
#   make tsan    build with ThreadSanitizer, run the end-to-end and interop tests

BUILD     ?= build
TYPE      ?= RelWithDebInfo
JOBS      ?= 2
CMAKE_FLAGS ?=
CTEST_ARGS ?=
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps configure build demo test bench fuzz fuzz-long asan tsan format clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	@$(MAKE) --no-print-directory deps
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=$(TYPE) \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache $(CMAKE_FLAGS)

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	examples/demo.sh $(BUILD)

test: build
	ctest --test-dir $(BUILD) -j$(JOBS) --output-on-failure --timeout 300 $(CTEST_ARGS)

bench:
	@$(MAKE) --no-print-directory deps
	cmake -S . -B build-release $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
	cmake --build build-release -j$(JOBS)
	bench/run build-release

fuzz:
	@$(MAKE) --no-print-directory deps
	cmake -S . -B build-fuzz $(GENERATOR) -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DPRONTO_BUILD_FUZZ=ON -DPRONTO_BUILD_TESTS=OFF -DPRONTO_BUILD_EXAMPLES=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
	cmake --build build-fuzz -j$(JOBS) --target pronto_fuzz_targets
	fuzz/run build-fuzz $${FUZZ_SECONDS:-30}

fuzz-long:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} $(MAKE) --no-print-directory fuzz

asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  $(MAKE) --no-print-directory test BUILD=build-asan TYPE=Debug CMAKE_FLAGS=-DPRONTO_SANITIZE=ON

# Every process writes its TSan reports to build-tsan/tsan-reports/ (servers started by the
# tests included, whose exit status no test checks): any report fails the target.
TSAN_REPORTS := $(CURDIR)/build-tsan/tsan-reports
tsan:
	@mkdir -p $(TSAN_REPORTS) && rm -f $(TSAN_REPORTS)/*
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp log_path=$(TSAN_REPORTS)/tsan" \
	  $(MAKE) --no-print-directory test BUILD=build-tsan CMAKE_FLAGS=-DPRONTO_TSAN=ON CTEST_ARGS="-L 'e2e|interop'"; \
	status=$$?; \
	if [ -n "$$(ls -A $(TSAN_REPORTS))" ]; then \
	  cat $(TSAN_REPORTS)/*; echo "tsan: ThreadSanitizer reports above (files in $(TSAN_REPORTS))"; exit 1; \
	fi; exit $$status

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-release build-fuzz build-asan build-tsan
