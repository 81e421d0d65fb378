# Machine-checked proofs of the core (proofs/README.md).
#   make proofs   WP (RTE + contracts) on the files under proof, provers run
#                 fresh; summary per file in build/proofs/report.txt; fails on
#                 any unproven goal.
.PHONY: proofs
proofs:
	sh proofs/run_proofs.sh -o $(BUILD)/proofs
CHECK_GATES += proofs
