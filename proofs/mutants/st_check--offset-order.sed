# st_check_runs: drop the check that a tensor's offsets are in order
# (ST-VALID-1, end >= begin). A range [begin, end) with end < begin would
# then reach the size check, whose end - begin wraps around.
# Expected: the precondition of st_check_size (t->begin <= t->end) and the
# layout postcondition (st_runs_ok: begin <= end) fail.
s/if ((e->begin != running) || (e->end < e->begin)) {/if (e->begin != running) {/
