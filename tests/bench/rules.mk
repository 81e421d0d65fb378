# tests/bench/rules.mk -- tensorproof next to the reference safetensors 0.8.0,
# same machine, same run (included by the GNUmakefile).
#
#   make bench        the full benchmark: a 100,000-tensor header, realistic
#                     headers, 1 GiB files (about 10 minutes, a few GiB
#                     written and removed again). Prints a table of medians
#                     with the ratio to the reference on each line, states
#                     the goals met and missed, profiles validation with
#                     callgrind when its goal is missed, and writes
#                     tests/bench/RESULTS.md and tests/bench/throughput.png.
#                     Never fails on a timing.
#   make bench-smoke  the same pipeline at tiny sizes, one round, no timing
#                     asserted: checks that the driver builds, that every
#                     step runs, that both implementations accept every
#                     input with the same tensor count and that the writers'
#                     outputs agree byte for byte. A gate (where the
#                     reference is installed). Report in build/bench/smoke/.
#
# Inputs are generated under build/bench/ by tests/bench/gen.py.

BENCH_OUT    := $(BUILD)/bench
BENCH_DRIVER := $(BENCH_OUT)/bench_driver
BENCH_RUN     = BENCH_CC="$(CC)" BENCH_CFLAGS="$(CFLAGS)" $(PYTHON) tests/bench/run.py \
                --driver $(BENCH_DRIVER) --cli $(BUILD)/tensorproof

$(BENCH_DRIVER): tests/bench/bench_driver.c $(HDRS) $(BUILD)/libtensorproof.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libtensorproof.a $(LDLIBS)

.PHONY: bench bench-smoke
bench: $(BENCH_DRIVER) $(BUILD)/tensorproof
	$(BENCH_RUN) --dir $(BENCH_OUT)/full

bench-smoke: $(BENCH_DRIVER) $(BUILD)/tensorproof
	$(BENCH_RUN) --dir $(BENCH_OUT)/smoke --smoke

BENCH_HAVE_REFERENCE := $(shell $(PYTHON) -c 'import safetensors, numpy' >/dev/null 2>&1 && echo yes)
ifeq ($(BENCH_HAVE_REFERENCE),yes)
CHECK_GATES += bench-smoke
endif
