#!/usr/bin/env python3
"""The slowest prover goals of a proof run, against the time they had.

    wp_slowest.py [-n N] TIMEOUT OUT_DIR [STEM ...]

reads the WP logs run_proofs.sh leaves in OUT_DIR for the files STEM.c
(default: every st_*.log there): <file>.log, the CVC4
pass with TIMEOUT seconds per goal; <file>.z3.log, the retry with Z3 and
CVC4 racing and twice the time) and prints the N slowest goals proven by
a prover (default 5), slowest first, one per line:

    SECONDS  LIMIT  PERCENT  PROVER  LOG  GOAL

then one line per goal the first pass left unproven (CVC4 out of time or
answering "unknown") and the retry proved ("retried"). A goal near its
limit on one machine fails on a slower or busier one, so the report shows
how close the run came
(proofs/README.md, "Margins"). Exits 2 on bad usage; the list is
information, never a verdict.
"""
import os
import re
import sys

LINE = re.compile(r"^\[wp\] \[([^\]]+)\] Goal (\S+) : (\w+)\b.*?\(([0-9.]+)(ms|s)\) \(\d+\)\s*$")
TIMEOUT_LINE = re.compile(r"^\[wp\] \[([^\]]+)\] Goal (\S+) : (Timeout|Unknown)\b")


def goals(path):
    """(seconds, prover, goal, status) for each goal a prover answered."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m and m.group(1) != "Qed":
                secs = float(m.group(4)) / (1000.0 if m.group(5) == "ms" else 1.0)
                out.append((secs, m.group(1), m.group(2), m.group(3)))
    return out


def timed_out(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = TIMEOUT_LINE.match(line)
            if m:
                out.append(m.group(2))
    return out


def main(argv):
    n = 5
    args = argv[1:]
    if len(args) >= 2 and args[0] == "-n":
        n = int(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.stderr.write(__doc__)
        return 2
    timeout = float(args[0])
    out_dir = args[1]
    stems = set(args[2:])
    rows = []
    retried = []
    for name in sorted(os.listdir(out_dir)):
        if not name.startswith("st_") or not name.endswith(".log"):
            continue
        if stems and name.split(".")[0] not in stems:
            continue
        path = os.path.join(out_dir, name)
        limit = 2 * timeout if name.endswith(".z3.log") else timeout
        for secs, prover, goal, status in goals(path):
            if status == "Valid":
                rows.append((secs, limit, prover, name, goal))
        if not name.endswith(".z3.log"):
            z3 = os.path.join(out_dir, name[:-len(".log")] + ".z3.log")
            proven_later = set()
            if os.path.exists(z3):
                proven_later = {g for _, _, g, st in goals(z3) if st == "Valid"}
            retried += [(name, g) for g in timed_out(path) if g in proven_later]
    rows.sort(reverse=True)
    for secs, limit, prover, name, goal in rows[:n]:
        print("%7.1f %5.0f %4.0f%%  %-11s %-16s %s" %
              (secs, limit, 100.0 * secs / limit, prover, name, goal))
    for name, goal in retried:
        print("retried  %-16s %s" % (name, goal))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
