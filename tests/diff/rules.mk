# Differential test against the reference safetensors 0.8.0 (Python package).
# Generates the corpus into $(BUILD)/diff/files, judges it with the reference
# and compares `tensorproof validate --compat/--strict --json` with it.

.PHONY: diff-test
diff-test: $(BUILD)/tensorproof
	$(PYTHON) tests/diff/run.py --cli $(BUILD)/tensorproof --out $(BUILD)/diff

CHECK_GATES += diff-test
