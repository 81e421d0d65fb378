# tests/writer/rules.mk -- tests and benchmark of the canonical writer
# (ST-WRITE-1 .. ST-WRITE-7).
#
#   make writer-test        Criterion tests of src/core/st_write.c and
#                           src/posix/st_posix_write.c, plain and with
#                           ASan+UBSan (prints Criterion's Synthesis lines)
#   make writer-diff        differential test: `tensorproof pack` against the
#                           reference writer (safetensors 0.8.0) on generated
#                           tensor sets, byte for byte; also `normalize`
#   make bench-write        pack 1 GiB of tensors; time it next to the
#                           reference's save_file and a plain cp (one run)
#   make bench-write-small  the same pipeline on 16 MiB (a gate: checks that
#                           pack and the reference agree byte for byte)
#
# The test binaries compile the core and POSIX sources themselves (the
# sanitizer build needs them instrumented) with the project's flags.

WRITER_DIR     := tests/writer
WRITER_OUT     := $(BUILD)/writer
WRITER_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
WRITER_LIBS    := -lcriterion
WRITER_JOBS    ?= 2
WRITER_POSIX   := $(sort $(wildcard src/posix/*.c))
WRITER_SRC     := $(WRITER_DIR)/test_writer.c

WRITER_PLAIN_OBJ := $(CORE_SRC:src/%.c=$(WRITER_OUT)/plain/%.o) \
                    $(WRITER_POSIX:src/%.c=$(WRITER_OUT)/plain/%.o) \
                    $(WRITER_OUT)/plain/test_writer.o
WRITER_SAN_OBJ   := $(CORE_SRC:src/%.c=$(WRITER_OUT)/san/%.o) \
                    $(WRITER_POSIX:src/%.c=$(WRITER_OUT)/san/%.o) \
                    $(WRITER_OUT)/san/test_writer.o

$(WRITER_OUT)/plain/core/%.o: src/core/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CORE_FLAGS) -c $< -o $@
$(WRITER_OUT)/plain/posix/%.o: src/posix/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(WRITER_OUT)/plain/test_writer.o: $(WRITER_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(WRITER_OUT)/san/core/%.o: src/core/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CORE_FLAGS) $(WRITER_SAN) -c $< -o $@
$(WRITER_OUT)/san/posix/%.o: src/posix/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(WRITER_SAN) -c $< -o $@
$(WRITER_OUT)/san/test_writer.o: $(WRITER_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(WRITER_SAN) -c $< -o $@

$(WRITER_OUT)/writer-plain: $(WRITER_PLAIN_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(WRITER_LIBS) $(LDLIBS)
$(WRITER_OUT)/writer-san: $(WRITER_SAN_OBJ)
	$(CC) $(CFLAGS) $(WRITER_SAN) -o $@ $^ $(WRITER_LIBS) $(LDLIBS)

.PHONY: writer-build writer-test writer-test-plain writer-test-san writer-diff \
        bench-write bench-write-small
writer-build: $(WRITER_OUT)/writer-plain $(WRITER_OUT)/writer-san

writer-test-plain: $(WRITER_OUT)/writer-plain
	@echo "writer tests (plain):"
	$(WRITER_OUT)/writer-plain --jobs $(WRITER_JOBS)
writer-test-san: $(WRITER_OUT)/writer-san
	@echo "writer tests (ASan+UBSan):"
	ASAN_OPTIONS=abort_on_error=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    $(WRITER_OUT)/writer-san --jobs $(WRITER_JOBS)

# Plain first, then the sanitizers, one after the other (2 cores).
writer-test: $(WRITER_OUT)/writer-plain $(WRITER_OUT)/writer-san
	@$(MAKE) --no-print-directory writer-test-plain
	@$(MAKE) --no-print-directory writer-test-san

writer-diff: $(BUILD)/tensorproof
	$(PYTHON) $(WRITER_DIR)/diff_writer.py --cli $(BUILD)/tensorproof \
	    --out $(WRITER_OUT)/diff --sets 400

bench-write: $(BUILD)/tensorproof
	$(PYTHON) $(WRITER_DIR)/bench_write.py --cli $(BUILD)/tensorproof \
	    --dir $(WRITER_OUT)/bench --mib 1024

bench-write-small: $(BUILD)/tensorproof
	$(PYTHON) $(WRITER_DIR)/bench_write.py --cli $(BUILD)/tensorproof \
	    --dir $(WRITER_OUT)/bench-small --mib 16

CHECK_GATES += writer-test
# The reference-backed gates run only where the reference is installed
# (`make deps`).
WRITER_HAVE_REFERENCE := $(shell $(PYTHON) -c 'import safetensors, numpy' >/dev/null 2>&1 && echo yes)
ifeq ($(WRITER_HAVE_REFERENCE),yes)
CHECK_GATES += writer-diff bench-write-small
endif
