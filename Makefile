# pronto — top-level entry points. See README.md.
#   make demo    build and run the example services end to end
#   make test    build and run every test (unit, session, end-to-end, interop)
#   make bench   Release build + benchmark suite (slow; not part of test)
#   make fuzz    build the libFuzzer targets with clang and run each briefly
#   make asan    build and test with AddressSanitizer + UBSan

BUILD     ?= build
TYPE      ?= RelWithDebInfo
JOBS      ?= 2
CMAKE_FLAGS ?=
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps configure build demo test bench fuzz asan format clean

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
	ctest --test-dir $(BUILD) -j$(JOBS) --output-on-failure --timeout 300

bench:
	@$(MAKE) --no-print-directory deps
	cmake -S . -B build-release $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
	cmake --build build-release -j$(JOBS)
	bench/run build-release

fuzz:
	@$(MAKE) --no-print-directory deps
	cmake -S . -B build-fuzz $(GENERATOR) -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DPRONTO_BUILD_FUZZ=ON -DPRONTO_BUILD_TESTS=OFF -DPRONTO_BUILD_EXAMPLES=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
	cmake --build build-fuzz -j$(JOBS)
	fuzz/run build-fuzz $${FUZZ_SECONDS:-30}

asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  $(MAKE) --no-print-directory test BUILD=build-asan TYPE=Debug CMAKE_FLAGS=-DPRONTO_SANITIZE=ON

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-release build-fuzz build-asan
