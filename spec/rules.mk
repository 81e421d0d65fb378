# spec/ fragment: the requirement traceability table.
#   make trace        regenerate spec/traceability.md from the spec, src/,
#                     tests/, corpus/ and proofs/
#   make trace-check  fail when spec/traceability.md is stale; ids without a
#                     function or a test are reported as warnings only

.PHONY: trace trace-check
trace:
	$(PYTHON) spec/trace.py

trace-check:
	$(PYTHON) spec/trace.py --check

CHECK_GATES += trace-check
