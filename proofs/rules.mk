# Machine-checked proofs of the core (proofs/README.md).
#   make proofs   WP (RTE + contracts) on the files under proof, provers run
#                 fresh; summary per file in build/proofs/report.txt; fails on
#                 any unproven goal.
.PHONY: proofs
proofs:
	sh proofs/run_proofs.sh -o $(BUILD)/proofs
CHECK_GATES += proofs

#   make proofs-mutant   each proofs/mutants/*.sed breaks a bound in a file
#                 under proof; passes only when the unmutated file proves
#                 and every mutant leaves a goal unproven (not a gate yet).
.PHONY: proofs-mutant
proofs-mutant:
	sh proofs/mutants/run_mutants.sh -o $(BUILD)/proofs-mutant
