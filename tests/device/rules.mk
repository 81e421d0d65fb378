# tests/device/rules.mk -- the device copy engine (included by the GNUmakefile).
#
#   make device-test    the engine's Criterion tests (planner, engine on the
#                       host backend, every injected fault, index reader,
#                       backends), built plain and with ASan + UBSan, then the
#                       `tensorproof load` command-line tests. A gate.
#                       Leaks: each test's .fini runs LeakSanitizer in the
#                       test's own process and aborts on a leak (Criterion
#                       then warns "crashed during its setup or teardown" and
#                       exits 1); the exit-time check is off because the
#                       Criterion runner itself leaks a few bytes.
#   make device-check   compiles tests/device/check_cuda_api.c against the
#                       CUDA toolkit's cuda_runtime_api.h and
#                       tests/device/check_hip_api.c against ROCm's
#                       hip/hip_runtime_api.h, warnings as errors, with gcc
#                       and clang: the function-pointer types the backends
#                       call through must be those of the real prototypes.
#                       A part whose headers are absent prints SKIP and does
#                       not fail. A gate.
#
# DT_DEVICE=cuda:0 runs the same engine tests against a GPU (tests/gpu/run).

DT_OUT        := $(BUILD)/device-test
DT_TEST_SRC   := $(sort $(wildcard tests/device/test_*.c)) tests/device/dt_support.c
DT_TEST_HDR   := tests/device/dt.h $(HDRS)
DT_SAN        := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
DT_LIB_SRC    := $(CORE_SRC) $(POSIX_SRC)
DT_ASAN_OBJ   := $(DT_LIB_SRC:src/%.c=$(DT_OUT)/asan/obj/%.o)
DT_CRITERION  := -lcriterion
DT_JOBS       ?= 2

$(DT_OUT)/plain/device_tests: $(DT_TEST_SRC) $(DT_TEST_HDR) $(BUILD)/libtensorproof.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/device -o $@ $(DT_TEST_SRC) $(BUILD)/libtensorproof.a \
	    $(DT_CRITERION) $(LDLIBS)

$(DT_OUT)/asan/obj/core/%.o: src/core/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CORE_FLAGS) $(DT_SAN) -c $< -o $@
$(DT_OUT)/asan/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DT_SAN) -c $< -o $@

$(DT_OUT)/asan/device_tests: $(DT_TEST_SRC) $(DT_TEST_HDR) $(DT_ASAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DT_SAN) -Itests/device -o $@ $(DT_TEST_SRC) $(DT_ASAN_OBJ) \
	    $(DT_CRITERION) $(LDLIBS)

.PHONY: device-test device-test-plain device-test-asan device-test-cli device-check
device-test-plain: $(DT_OUT)/plain/device_tests
	$(DT_OUT)/plain/device_tests -j$(DT_JOBS)
device-test-asan: $(DT_OUT)/asan/device_tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    LSAN_OPTIONS=leak_check_at_exit=0 $(DT_OUT)/asan/device_tests -j$(DT_JOBS)
device-test-cli: $(BUILD)/tensorproof
	bash tests/device/load_cli_test.sh $(BUILD)/tensorproof
device-test: device-test-plain device-test-asan device-test-cli
CHECK_GATES += device-test

# The API check: each part is compiled when its header exists.
DT_CUDA_INC   ?= /usr/local/cuda/include
DT_HIP_INC    ?= /usr/include
DT_CHECK_CC   ?= $(CC) $(if $(shell command -v clang 2>/dev/null),clang)
device-check:
	@set -e; \
	if [ -f "$(DT_CUDA_INC)/cuda_runtime_api.h" ]; then \
	    for cc in $(DT_CHECK_CC); do \
	        echo "device-check: CUDA runtime API ($$cc, $(DT_CUDA_INC))"; \
	        $$cc $(WARN) -Isrc/device -isystem "$(DT_CUDA_INC)" -fsyntax-only tests/device/check_cuda_api.c; \
	    done; \
	else \
	    echo "device-check: CUDA: SKIP (headers not found: $(DT_CUDA_INC)/cuda_runtime_api.h)"; \
	fi; \
	if [ -f "$(DT_HIP_INC)/hip/hip_runtime_api.h" ]; then \
	    for cc in $(DT_CHECK_CC); do \
	        echo "device-check: HIP runtime API ($$cc, $(DT_HIP_INC))"; \
	        $$cc $(WARN) -Isrc/device -isystem "$(DT_HIP_INC)" -fsyntax-only tests/device/check_hip_api.c; \
	    done; \
	else \
	    echo "device-check: HIP: SKIP (headers not found: $(DT_HIP_INC)/hip/hip_runtime_api.h)"; \
	fi
CHECK_GATES += device-check
