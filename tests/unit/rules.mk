# tests/unit/rules.mk -- the Criterion unit tests of the core.
#
#   make test                 build and run the unit tests, plain and with
#                             ASan+UBSan (prints Criterion's Synthesis lines)
#   make unit-vectors-check   regenerate tests/unit/number_vectors.h from the
#                             reference and compare with the committed file
#   make unit-oracle-check    run the tests once more, writing every compat
#                             expectation to $(BUILD)/unit/oracle, and have the
#                             reference (safetensors 0.8.0) confirm each one
#
# Both test binaries compile the core sources themselves (the sanitizer
# build needs them instrumented) with the project's flags. The tests use
# Criterion's classic assertion macros, which compile cleanly with the full
# warning set; no warning is relaxed for them (see tests/unit/unit.h).

UNIT_DIR     := tests/unit
UNIT_SRC     := $(sort $(wildcard $(UNIT_DIR)/*.c))
UNIT_HDRS    := $(wildcard $(UNIT_DIR)/*.h)
UNIT_OUT     := $(BUILD)/unit
UNIT_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_SAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
UNIT_LIBS    := -lcriterion
# Criterion forks one process per test; two jobs suit the 2-core machines.
UNIT_JOBS    ?= 2
UNIT_RUNARGS := --jobs $(UNIT_JOBS)

UNIT_PLAIN_OBJ := $(CORE_SRC:src/%.c=$(UNIT_OUT)/plain/%.o) \
                  $(UNIT_SRC:$(UNIT_DIR)/%.c=$(UNIT_OUT)/plain/unit/%.o)
UNIT_SAN_OBJ   := $(CORE_SRC:src/%.c=$(UNIT_OUT)/san/%.o) \
                  $(UNIT_SRC:$(UNIT_DIR)/%.c=$(UNIT_OUT)/san/unit/%.o)

$(UNIT_OUT)/plain/core/%.o: src/core/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CORE_FLAGS) -c $< -o $@
$(UNIT_OUT)/plain/unit/%.o: $(UNIT_DIR)/%.c $(UNIT_HDRS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -I$(UNIT_DIR) -c $< -o $@
# The sanitizer build of the core is also the checked build: every
# ST_ALWAYS/ST_NEVER claim (src/core/st_cover.h) traps if it ever fails.
$(UNIT_OUT)/san/core/%.o: src/core/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CORE_FLAGS) $(UNIT_SAN) -DST_CHECKED_BUILD -c $< -o $@
$(UNIT_OUT)/san/unit/%.o: $(UNIT_DIR)/%.c $(UNIT_HDRS) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(UNIT_SAN) -I$(UNIT_DIR) -c $< -o $@

$(UNIT_OUT)/unit-plain: $(UNIT_PLAIN_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(UNIT_LIBS)
$(UNIT_OUT)/unit-san: $(UNIT_SAN_OBJ)
	$(CC) $(CFLAGS) $(UNIT_SAN) -o $@ $^ $(UNIT_LIBS)

.PHONY: unit-build unit-test unit-test-plain unit-test-san unit-vectors-check unit-oracle-check
unit-build: $(UNIT_OUT)/unit-plain $(UNIT_OUT)/unit-san

unit-test-plain: $(UNIT_OUT)/unit-plain
	@echo "unit tests (plain):"
	$(UNIT_OUT)/unit-plain $(UNIT_RUNARGS)
unit-test-san: $(UNIT_OUT)/unit-san
	@echo "unit tests (ASan+UBSan):"
	$(UNIT_SAN_ENV) $(UNIT_OUT)/unit-san $(UNIT_RUNARGS)

# Plain first, then the sanitizers, one after the other (2 cores); both
# always run (each prints its Synthesis line), and the target fails if
# either did.
unit-test: $(UNIT_OUT)/unit-plain $(UNIT_OUT)/unit-san
	@rc=0; \
	echo "unit tests (plain):"; \
	$(UNIT_OUT)/unit-plain $(UNIT_RUNARGS) || rc=1; \
	echo "unit tests (ASan+UBSan):"; \
	$(UNIT_SAN_ENV) $(UNIT_OUT)/unit-san $(UNIT_RUNARGS) || rc=1; \
	exit $$rc

test: unit-test
CHECK_GATES += test

# number_vectors.h is generated from the reference; regenerating it must
# give the committed file byte for byte.
unit-vectors-check:
	@mkdir -p $(UNIT_OUT)
	$(PYTHON) $(UNIT_DIR)/gen_vectors.py --out $(UNIT_OUT)/number_vectors.h
	cmp $(UNIT_DIR)/number_vectors.h $(UNIT_OUT)/number_vectors.h
	@echo "unit-vectors-check: number_vectors.h matches the reference"

# The run only collects expectations: its pass/fail verdict belongs to
# `make test`, so its exit status is ignored here.
unit-oracle-check: $(UNIT_OUT)/unit-plain
	@rm -rf $(UNIT_OUT)/oracle
	@mkdir -p $(UNIT_OUT)/oracle
	-UT_ORACLE_DIR=$(abspath $(UNIT_OUT)/oracle) $(UNIT_OUT)/unit-plain $(UNIT_RUNARGS) >/dev/null 2>&1
	$(PYTHON) $(UNIT_DIR)/oracle_check.py $(UNIT_OUT)/oracle

# The reference-backed gates run only where the reference (safetensors
# 0.8.0, with numpy for its metadata reader) is installed: `make deps`.
UNIT_HAVE_REFERENCE := $(shell $(PYTHON) -c 'import sys, numpy, safetensors; \
    sys.exit(safetensors.__version__ != "0.8.0")' >/dev/null 2>&1 && echo yes)
ifeq ($(UNIT_HAVE_REFERENCE),yes)
CHECK_GATES += unit-vectors-check unit-oracle-check
endif
