# corpus/rules.mk -- the conformance corpus (included by the GNUmakefile).
#
#   make corpus             regenerate corpus/cases/ and corpus/manifest.json
#   make corpus-check       fail if the committed corpus differs from a fresh generation
#   make corpus-reference   re-check every recorded verdict against safetensors 0.8.0
#   make conform            grade tensorproof (strict, compat) and the reference;
#                           report in $(BUILD)/conform/results.{json,md,html}
#   make corpus-conform     the gate: tensorproof strict and compat must match the
#                           manifest on every case (verdict, error kind, table)
#   make conform-readme     rerun `conform` and paste its summary into corpus/README.md
#   make conform-screenshot render build/conform/results.html with headless Chromium
#                           (Debian package chromium) into results.png

CORPUS_FRESH     := $(BUILD)/corpus-fresh
CONFORM_ADAPTERS ?= tensorproof-strict tensorproof-compat reference tensorproof-writer
CONFORM_ENV      := TENSORPROOF=$(abspath $(BUILD))/tensorproof

CHROMIUM         ?= chromium

.PHONY: corpus corpus-check corpus-reference conform corpus-conform conform-readme \
        conform-screenshot

corpus:
	$(PYTHON) corpus/gen.py

corpus-check:
	@rm -rf $(CORPUS_FRESH)
	@$(PYTHON) corpus/gen.py --out $(CORPUS_FRESH) >/dev/null
	@if diff -r -q corpus/cases $(CORPUS_FRESH)/cases && \
	    cmp -s corpus/manifest.json $(CORPUS_FRESH)/manifest.json; then \
	    echo "corpus-check: corpus/ matches a fresh generation"; \
	    rm -rf $(CORPUS_FRESH); \
	else \
	    echo "corpus-check: corpus/cases or corpus/manifest.json differ from a fresh" \
	         "generation in $(CORPUS_FRESH) (run 'make corpus' and commit the result)"; \
	    exit 1; \
	fi

corpus-reference:
	$(PYTHON) corpus/check_reference.py

conform: $(BUILD)/tensorproof
	$(CONFORM_ENV) $(PYTHON) corpus/run --out $(BUILD)/conform $(CONFORM_ADAPTERS)

corpus-conform: $(BUILD)/tensorproof
	@$(CONFORM_ENV) $(PYTHON) corpus/run -q --fail-on-mismatch --out $(BUILD)/conform-gate \
	    tensorproof-strict tensorproof-compat

conform-readme: $(BUILD)/tensorproof
	$(CONFORM_ENV) $(PYTHON) corpus/run -q --readme corpus/README.md --out $(BUILD)/conform \
	    $(CONFORM_ADAPTERS)

conform-screenshot:
	@test -f $(BUILD)/conform/results.html || $(MAKE) --no-print-directory conform
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars \
	    --window-size=1400,2400 --screenshot=$(abspath $(BUILD))/conform/results.png \
	    file://$(abspath $(BUILD))/conform/results.html 2>/dev/null
	@echo "screenshot: $(BUILD)/conform/results.png"

CHECK_GATES += corpus-check corpus-conform corpus-reference
