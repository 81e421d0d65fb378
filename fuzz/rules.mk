# fuzz/rules.mk -- fuzzing harnesses (included by the GNUmakefile).
#
#   make fuzz-build      every harness in every flavour (needs clang, afl++)
#   make fuzz-smoke      replay seeds and regressions, then fuzz each harness
#                        briefly with libFuzzer; fails on any crash, leak or
#                        sanitizer report (a gate of `make check`)
#   make fuzz-campaign   an AFL++ campaign:
#                        FUZZ_HARNESS=fuzz_parse_compat FUZZ_TIME=3600 FUZZ_JOBS=2
#   make fuzz-bench      execs per CPU second of every harness and build
#   make fuzz-seeds      regenerate fuzz/seeds/ (python3 + safetensors)
#
# Flavours, under $(BUILD)/fuzz/<flavour>/:
#   libfuzzer  clang -fsanitize=fuzzer, ASan + UBSan (+ unsigned wrap-around)
#   libfuzzer-fast  the same without sanitizers (speed; fuzz/bench)
#   afl        afl-clang-fast -fsanitize=fuzzer (persistent mode, shared
#              memory input), ASan + UBSan
#   afl-plain  the same without sanitizers (fast secondaries)
#   cmplog     afl-clang-fast with AFL_LLVM_CMPLOG=1, for afl-fuzz -c
# The core is compiled from src/core/*.c directly, with the same
# instrumentation as the harness, once per flavour.

FUZZ_CLANG   ?= clang
FUZZ_AFL_CC  ?= afl-clang-fast
FUZZ_OUT     := $(BUILD)/fuzz
# UBSan plus unsigned wrap-around: the core claims checked arithmetic everywhere.
FUZZ_SAN     := -fsanitize=address,undefined,unsigned-integer-overflow -fno-sanitize-recover=all
FUZZ_CFLAGS  ?= -O2 -g -fno-omit-frame-pointer
FUZZ_ALL_CFLAGS = $(WARN) $(FUZZ_CFLAGS) -Isrc/core
FUZZ_CORE_SRC := $(sort $(wildcard src/core/*.c))
FUZZ_CORE_HDR := $(wildcard src/core/*.h) fuzz/fuzz_check.h

# The round trip needs the writer; it joins the set once src/core/st_write.c exists.
FUZZ_HARNESSES := fuzz_parse_strict fuzz_parse_compat fuzz_strict_subset fuzz_header
ifneq ($(wildcard src/core/st_write.c),)
FUZZ_HARNESSES += fuzz_roundtrip
endif
# The copy planner harness, once src/core/st_plan.c exists.
ifneq ($(wildcard src/core/st_plan.c),)
FUZZ_HARNESSES += fuzz_plan
endif
FUZZ_FLAVOURS := libfuzzer libfuzzer-fast afl afl-plain cmplog

# Seed set of each harness (fuzz/seeds/<set>/): header, plan or file.
fuzz_seedset = $(if $(filter fuzz_header,$(1)),header,$(if $(filter fuzz_plan,$(1)),plan,file))
# The same, in the shell loops of the recipes below.
fuzz_seedset_sh = $$(case $(1) in fuzz_header) echo header;; fuzz_plan) echo plan;; *) echo file;; esac)
# Source of each harness: the two parse harnesses share fuzz_parse.c.
fuzz_src = $(if $(filter fuzz_parse_%,$(1)),fuzz/fuzz_parse.c,fuzz/$(1).c)
fuzz_def = $(if $(filter fuzz_parse_strict,$(1)),-DFUZZ_MODE=ST_MODE_STRICT,$(if $(filter fuzz_parse_compat,$(1)),-DFUZZ_MODE=ST_MODE_COMPAT,))

# Compiler, compile-only flags and link flags of each flavour.
FUZZ_CC_libfuzzer     = $(FUZZ_CLANG)
FUZZ_CC_libfuzzer-fast = $(FUZZ_CLANG)
FUZZ_CC_afl           = AFL_QUIET=1 $(FUZZ_AFL_CC)
FUZZ_CC_afl-plain     = AFL_QUIET=1 $(FUZZ_AFL_CC)
FUZZ_CC_cmplog        = AFL_QUIET=1 AFL_LLVM_CMPLOG=1 $(FUZZ_AFL_CC)
FUZZ_COMPILE_libfuzzer = -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_COMPILE_libfuzzer-fast = -fsanitize=fuzzer-no-link
FUZZ_COMPILE_afl       = $(FUZZ_SAN)
FUZZ_COMPILE_afl-plain =
FUZZ_COMPILE_cmplog    =
FUZZ_LINK_libfuzzer    = -fsanitize=fuzzer $(FUZZ_SAN)
FUZZ_LINK_libfuzzer-fast = -fsanitize=fuzzer
FUZZ_LINK_afl          = -fsanitize=fuzzer $(FUZZ_SAN)
FUZZ_LINK_afl-plain    = -fsanitize=fuzzer
FUZZ_LINK_cmplog       = -fsanitize=fuzzer

# $(call fuzz_flavour_rules,FLAVOUR)
define fuzz_flavour_rules
FUZZ_CORE_OBJ_$(1) := $$(FUZZ_CORE_SRC:src/core/%.c=$$(FUZZ_OUT)/$(1)/core/%.o)
.SECONDARY: $$(FUZZ_CORE_OBJ_$(1))

$$(FUZZ_OUT)/$(1)/core/%.o: src/core/%.c $$(FUZZ_CORE_HDR)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC_$(1)) $$(FUZZ_ALL_CFLAGS) $$(CORE_FLAGS) $$(FUZZ_COMPILE_$(1)) -c $$< -o $$@

$$(FUZZ_OUT)/$(1)/%: $$(FUZZ_CORE_OBJ_$(1)) $$(FUZZ_CORE_HDR) fuzz/fuzz_parse.c \
                     $$(wildcard fuzz/fuzz_*.c)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC_$(1)) $$(FUZZ_ALL_CFLAGS) $$(call fuzz_def,$$*) $$(FUZZ_LINK_$(1)) \
	    $$(call fuzz_src,$$*) $$(FUZZ_CORE_OBJ_$(1)) -o $$@
endef
$(foreach f,$(FUZZ_FLAVOURS),$(eval $(call fuzz_flavour_rules,$(f))))

FUZZ_BIN_libfuzzer := $(addprefix $(FUZZ_OUT)/libfuzzer/,$(FUZZ_HARNESSES))
FUZZ_BIN_ALL := $(foreach f,$(FUZZ_FLAVOURS),$(addprefix $(FUZZ_OUT)/$(f)/,$(FUZZ_HARNESSES)))

.PHONY: fuzz-build fuzz-build-libfuzzer fuzz-smoke fuzz-replay fuzz-campaign fuzz-seeds fuzz-clean \
        fuzz-bench
fuzz-build: $(FUZZ_BIN_ALL)
fuzz-build-libfuzzer: $(FUZZ_BIN_libfuzzer)

# Smoke: seconds of fuzzing per harness (6 harnesses: about 50 s).
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_LF_OPTS := -dict=fuzz/safetensors.dict -timeout=5 -rss_limit_mb=2048 \
                -max_len=4096 -print_final_stats=1

# Deterministic part: every seed and every saved regression, once.
fuzz-replay: $(FUZZ_BIN_libfuzzer)
	@set -e; for h in $(FUZZ_HARNESSES); do \
	    set=$(call fuzz_seedset_sh,$$h); \
	    echo "fuzz-replay: $$h over fuzz/seeds/$$set"; \
	    $(FUZZ_OUT)/libfuzzer/$$h -runs=0 -artifact_prefix=$(FUZZ_OUT)/replay-$$h- fuzz/seeds/$$set \
	        >$(FUZZ_OUT)/replay-$$h.log 2>&1 \
	        || { tail -n 40 $(FUZZ_OUT)/replay-$$h.log; echo "fuzz-replay: $$h FAILED on a seed"; exit 1; }; \
	    if [ -d fuzz/regressions/$$h ] && [ -n "$$(ls -A fuzz/regressions/$$h)" ]; then \
	        echo "fuzz-replay: $$h over fuzz/regressions/$$h ($$(ls fuzz/regressions/$$h | wc -l) cases)"; \
	        $(FUZZ_OUT)/libfuzzer/$$h -artifact_prefix=$(FUZZ_OUT)/regress-$$h- fuzz/regressions/$$h/* \
	            >$(FUZZ_OUT)/regress-$$h.log 2>&1 \
	            || { tail -n 40 $(FUZZ_OUT)/regress-$$h.log; echo "fuzz-replay: $$h FAILED on a regression"; exit 1; }; \
	    fi; \
	done
	@if [ -x $(FUZZ_OUT)/libfuzzer/fuzz_roundtrip ]; then \
	    echo "fuzz-replay: fuzz_roundtrip, canonical seeds must come back byte-identical"; \
	    FUZZ_EXPECT_CANONICAL=1 $(FUZZ_OUT)/libfuzzer/fuzz_roundtrip \
	        -artifact_prefix=$(FUZZ_OUT)/replay-canonical- fuzz/seeds/canonical/* \
	        >$(FUZZ_OUT)/replay-canonical.log 2>&1 \
	        || { tail -n 40 $(FUZZ_OUT)/replay-canonical.log; echo "fuzz-replay: canonical round trip FAILED"; exit 1; }; \
	else \
	    echo "fuzz-replay: fuzz_roundtrip not built (no src/core/st_write.c): round trip NOT checked"; \
	fi

fuzz-smoke: fuzz-replay
	@set -e; for h in $(FUZZ_HARNESSES); do \
	    set=$(call fuzz_seedset_sh,$$h); \
	    dir=$(FUZZ_OUT)/smoke/$$h; rm -rf $$dir; mkdir -p $$dir/corpus $$dir/artifacts; \
	    echo "fuzz-smoke: $$h for $(FUZZ_SMOKE_SECONDS) s"; \
	    $(FUZZ_OUT)/libfuzzer/$$h $(FUZZ_LF_OPTS) -max_total_time=$(FUZZ_SMOKE_SECONDS) -seed=1 \
	        -artifact_prefix=$$dir/artifacts/ $$dir/corpus fuzz/seeds/$$set >$$dir/log 2>&1 \
	        || { tail -n 60 $$dir/log; echo "fuzz-smoke: $$h FAILED (artifacts in $$dir/artifacts)"; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' $$dir/log \
	        | tr '\n' ' '; echo; \
	done
	@echo "fuzz-smoke: passed ($(FUZZ_HARNESSES))"

CHECK_GATES += fuzz-smoke

# An AFL++ campaign (fuzz/campaign --help for the options).
FUZZ_HARNESS ?= fuzz_parse_compat
FUZZ_TIME    ?= 3600
FUZZ_JOBS    ?= $(shell nproc 2>/dev/null || echo 1)
fuzz-campaign: $(addprefix $(FUZZ_OUT)/,afl/$(FUZZ_HARNESS) afl-plain/$(FUZZ_HARNESS) cmplog/$(FUZZ_HARNESS))
	fuzz/campaign --harness $(FUZZ_HARNESS) --time $(FUZZ_TIME) --jobs $(FUZZ_JOBS) \
	    --build $(FUZZ_OUT) --seeds fuzz/seeds/$(call fuzz_seedset,$(FUZZ_HARNESS))

# Throughput of every harness per CPU second (fuzz/bench --help).
fuzz-bench: fuzz-build
	fuzz/bench --build $(FUZZ_OUT)

fuzz-seeds:
	$(PYTHON) fuzz/make_seeds.py

fuzz-clean:
	rm -rf $(FUZZ_OUT)
