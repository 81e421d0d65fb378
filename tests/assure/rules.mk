# tests/assure/rules.mk -- assurance gates (included by the GNUmakefile).
#
#   make misra            cppcheck's MISRA C:2012 addon over the core and,
#                         reported separately, the POSIX layer; every finding
#                         must be covered by tests/assure/misra.supp, whose
#                         lines name entries of spec/misra-deviations.md.
#   make analyze          clang-tidy (tests/assure/clang-tidy.yaml) and
#                         gcc -fanalyzer over src/core, src/posix, src/cli,
#                         src/device;
#                         every warning documented in spec/analysis-notes.md
#                         through tests/assure/analyze.supp.
#   make coverage         branch coverage of the core by the unit tests, the
#                         writer tests, the device-engine tests and the CLI
#                         run over corpus/cases (gcov + gcovr), a table per
#                         file; lists every branch not taken and fails below
#                         COVERAGE_MIN_BRANCH percent.
#   make sanitize-matrix  tests/sanitize.sh: ASan, UBSan and valgrind
#                         memcheck over the unit tests and the CLI on the
#                         corpus (valgrind on a sample of it).
#   make assurance        print the README's "Assurance" section from the
#                         outputs of the gates above (tests/assure/assurance.py).
#
# Outputs go to $(BUILD)/assure/ and $(BUILD)/sanitize/. All four are gates
# of `make check`: misra, analyze and coverage take one to three minutes
# each on two cores, sanitize-matrix about six (valgrind over the unit
# tests and a sample of the corpus takes most of it).

ASSURE_DIR := tests/assure
ASSURE_OUT := $(BUILD)/assure
# Fixed flags for the analyses: their findings must not depend on the
# CFLAGS of the day (the documented counts in analyze.supp are exact).
ASSURE_ANALYZE_FLAGS := $(WARN) -O2

.PHONY: misra analyze coverage coverage-build sanitize-matrix assurance

misra:
	@mkdir -p $(ASSURE_OUT)
	$(PYTHON) $(ASSURE_DIR)/misra.py --build $(ASSURE_OUT) --json $(ASSURE_OUT)/misra.json

analyze:
	@mkdir -p $(ASSURE_OUT)
	$(PYTHON) $(ASSURE_DIR)/analyze.py --cflags "$(ASSURE_ANALYZE_FLAGS)" \
	    --json $(ASSURE_OUT)/analyze.json

# ---- coverage ------------------------------------------------------------
# Only the core is instrumented (at -O0, which keeps one branch per
# condition of the source); the other layers and the test programs are
# built with the project's flags. All programs share the core's objects, so
# their counts add up in the same .gcda files.
COV_OUT      := $(ASSURE_OUT)/cov
# ST_COVERAGE_BUILD: ST_ALWAYS/ST_NEVER become the constants the proofs
# give (src/core/st_cover.h), so a proven-impossible outcome is not counted.
COV_FLAGS    := -O0 -g --coverage -DST_COVERAGE_BUILD
COV_CORE_OBJ := $(CORE_SRC:src/%.c=$(COV_OUT)/obj/%.o)
COV_REST_SRC := $(POSIX_SRC)
COV_REST_OBJ := $(COV_REST_SRC:src/%.c=$(COV_OUT)/plain/%.o)
COV_CLI_OBJ  := $(CLI_SRC:src/%.c=$(COV_OUT)/plain/%.o)
COV_UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
COV_WRITER_SRC := $(sort $(wildcard tests/writer/test_*.c))
COV_DEVICE_SRC := $(sort $(wildcard tests/device/test_*.c)) $(wildcard tests/device/dt_support.c)
# Minimum branch coverage of the core, in percent: the gate fails below it.
# Raise it with the figure as tests are added; never lower it to pass.
COVERAGE_MIN_BRANCH ?= 100

$(COV_OUT)/obj/core/%.o: src/core/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CORE_FLAGS) $(COV_FLAGS) -c $< -o $@
$(COV_OUT)/plain/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(COV_OUT)/unit: $(COV_CORE_OBJ) $(COV_UNIT_SRC) $(wildcard tests/unit/*.h)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $(COV_UNIT_SRC) $(COV_CORE_OBJ) \
	    --coverage -lcriterion
$(COV_OUT)/writer: $(COV_CORE_OBJ) $(COV_REST_OBJ) $(COV_WRITER_SRC)
	$(CC) $(ALL_CFLAGS) -o $@ $(COV_WRITER_SRC) $(COV_CORE_OBJ) $(COV_REST_OBJ) \
	    --coverage -lcriterion $(LDLIBS)
$(COV_OUT)/device: $(COV_CORE_OBJ) $(COV_REST_OBJ) $(COV_DEVICE_SRC) $(wildcard tests/device/*.h)
	$(CC) $(ALL_CFLAGS) -Itests/device -o $@ $(COV_DEVICE_SRC) $(COV_CORE_OBJ) \
	    $(COV_REST_OBJ) --coverage -lcriterion $(LDLIBS)
$(COV_OUT)/tensorproof: $(COV_CORE_OBJ) $(COV_REST_OBJ) $(COV_CLI_OBJ)
	$(CC) $(CFLAGS) -o $@ $(COV_CLI_OBJ) $(COV_CORE_OBJ) $(COV_REST_OBJ) --coverage $(LDLIBS)

COV_PROGRAMS := $(COV_OUT)/tensorproof \
    $(if $(COV_UNIT_SRC),$(COV_OUT)/unit) \
    $(if $(COV_WRITER_SRC),$(COV_OUT)/writer) \
    $(if $(filter tests/device/test_%,$(COV_DEVICE_SRC)),$(COV_OUT)/device)

coverage-build: $(COV_PROGRAMS)

coverage: coverage-build
	$(PYTHON) $(ASSURE_DIR)/coverage.py --out $(COV_OUT) --min-branch $(COVERAGE_MIN_BRANCH) \
	    $(foreach p,$(COV_PROGRAMS),--program $(notdir $(p))) --json $(ASSURE_OUT)/coverage.json

# ---- sanitizers ----------------------------------------------------------
sanitize-matrix:
	CC="$(CC)" BUILD="$(BUILD)" bash tests/sanitize.sh

# ---- README section ------------------------------------------------------
assurance:
	@$(PYTHON) $(ASSURE_DIR)/assurance.py --build $(ASSURE_OUT)

CHECK_GATES += misra analyze coverage sanitize-matrix
