#!/usr/bin/env python3
"""MISRA C:2012 gate: cppcheck's misra addon over the core and the POSIX layer.

Every finding must be covered by a line of tests/assure/misra.supp, and every
line there names an entry of spec/misra-deviations.md (D-n deviation, R-n
advisory rule disapplied for a layer, F-n tool false positive, P-n finding
awaiting correction) or of spec/analysis-notes.md (A-n, cppcheck's own checks).
A line may carry `n=<count>`: the number of findings it must cover, so a new
instance of the same rule in the same file is not silently absorbed; or
`only=/regex/`: it covers only findings whose source line matches (a deviation
limited to one construct, such as a call to memcpy).

Fails (exit 1) on: a finding no line covers; a line that covers nothing
(stale); a count that differs from n=; a line whose entry is missing from the
logs; an inline `cppcheck-suppress` in src/ without an entry id.

Usage: misra.py [--build DIR] [--layer core|posix ...] [--json OUT]
The suppressions file is also valid input for `cppcheck --suppressions-list`.
"""
import argparse
import fnmatch
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

from assure_common import ENTRY_ID, LOGS, ROOT, load_log_ids, suppression_comment

SUPP = "tests/assure/misra.supp"
RULE_TEXTS = "tests/assure/misra-rules.txt"

# Each layer: its own files (findings located there belong to it), the files
# handed to cppcheck, and extra options. Headers are analysed together with
# the sources so that cross-unit rules (2.5, 8.x) see every use.
LAYERS = {
    "core": {
        "title": "core (src/core, freestanding)",
        "prefix": "src/core/",
        "inputs": ["src/core/*.c", "src/core/*.h"],
        # The production configuration only: the coverage and checked
        # builds redefine ST_ALWAYS/ST_NEVER (src/core/st_cover.h).
        "opts": ["-Isrc/core", "-UST_COVERAGE_BUILD", "-UST_CHECKED_BUILD"],
    },
    "posix": {
        "title": "POSIX layer (src/posix)",
        "prefix": "src/posix/",
        "inputs": ["src/posix/*.c", "src/posix/*.h"],
        "opts": ["-Isrc/core", "-Isrc/posix", "--library=posix"],
    },
}

FINDING = re.compile(r"^(?P<file>[^:]+):(?P<line>-?\d+):(?P<col>\d+): (?P<sev>\w+): "
                     r"(?P<id>[\w.\-]+): (?P<msg>.*)$")


def load_rule_categories():
    cats = {}
    with open(os.path.join(ROOT, RULE_TEXTS), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^Rule (\d+\.\d+) (Mandatory|Required|Advisory)$", line.strip())
            if m:
                cats[m.group(1)] = m.group(2)
    return cats


def load_suppressions():
    entries = []
    with open(os.path.join(ROOT, SUPP), encoding="utf-8") as f:
        for no, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            spec, _, comment = line.partition("#")
            parts = spec.strip().split(":")
            entry, count = suppression_comment(comment)
            only = re.search(r"\bonly=/(.*?)/(?:\s|$)", comment)
            entries.append({
                "lineno": no,
                "id": parts[0],
                "file": parts[1] if len(parts) > 1 else "*",
                "line": int(parts[2]) if len(parts) > 2 else None,
                "entry": entry,
                "n": count,
                "only": re.compile(only.group(1)) if only else None,
                "hits": 0,
                "text": line,
            })
    return entries


_SOURCE = {}


def source_line(path, line):
    if path not in _SOURCE:
        try:
            with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
                _SOURCE[path] = f.read().splitlines()
        except OSError:
            _SOURCE[path] = []
    lines = _SOURCE[path]
    return lines[line - 1] if 0 < line <= len(lines) else ""


def covers(sup, finding):
    if sup["id"] != finding["id"] and sup["id"] != "*":
        return False
    if not fnmatch.fnmatch(finding["file"], sup["file"]):
        return False
    if sup["line"] is not None and sup["line"] != finding["line"]:
        return False
    # only=/regex/: the finding's source line must match (the deviation is
    # limited to one construct, whatever the number of its instances).
    return sup["only"] is None or bool(sup["only"].search(source_line(finding["file"],
                                                                      finding["line"])))


def run_cppcheck(layer, build, addon):
    spec = LAYERS[layer]
    files = []
    for pattern in spec["inputs"]:
        files += sorted(glob.glob(os.path.join(ROOT, pattern)))
    files = [os.path.relpath(p, ROOT) for p in files]
    # The build directory holds cppcheck's per-file results and the
    # cross-unit summaries the 8.x rules read. It starts empty on every run,
    # so the findings depend on the present sources alone, never on results
    # kept from an earlier version of a file.
    cache = os.path.join(build, "cppcheck-" + layer)
    shutil.rmtree(cache, ignore_errors=True)
    os.makedirs(cache, exist_ok=True)
    cmd = ["cppcheck", "-j2", "--addon=" + addon, "--inline-suppr", "--std=c11",
           "--quiet", "--enable=warning,portability", "--error-exitcode=0",
           "--cppcheck-build-dir=" + cache,
           "--template={file}:{line}:{column}: {severity}: {id}: {message}"]
    cmd += spec["opts"] + files
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - t0
    findings = []
    other = []
    for line in (proc.stderr + proc.stdout).splitlines():
        m = FINDING.match(line)
        if not m:
            if line.strip():
                other.append(line)
            continue
        f = m.groupdict()
        f["line"] = int(f["line"])
        f["file"] = os.path.relpath(os.path.join(ROOT, f["file"]), ROOT) \
            if not f["file"].startswith("nofile") else f["file"]
        findings.append(f)
    if proc.returncode != 0:
        other.append("cppcheck exited with status %d" % proc.returncode)
    return files, findings, other, elapsed


def inline_suppressions(log_ids):
    """Inline suppressions in src/: each must name a log entry."""
    bad, seen = [], []
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "**", "*.[ch]"), recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as f:
            for no, line in enumerate(f, 1):
                if "cppcheck-suppress" in line:
                    rel = os.path.relpath(path, ROOT)
                    ids = ENTRY_ID.findall(line)
                    seen.append("%s:%d" % (rel, no))
                    if not ids or any(i not in log_ids for i in ids):
                        bad.append("%s:%d: inline suppression without a log entry id: %s"
                                   % (rel, no, line.strip()))
    return seen, bad


def acsl_nested_comments():
    """D-1 covers `//` inside ACSL annotations only: a `/*` inside one fails."""
    bad = []
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "core", "*.[ch]"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for m in re.finditer(r"/\*@(.*?)\*/", text, re.S):
            if "/*" in m.group(1):
                line = text.count("\n", 0, m.start()) + 1
                bad.append("%s:%d: '/*' inside an ACSL annotation (not covered by D-1)"
                           % (os.path.relpath(path, ROOT), line))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/assure")
    ap.add_argument("--layer", action="append", choices=sorted(LAYERS))
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args()
    layers = args.layer or ["core", "posix"]
    build = os.path.abspath(os.path.join(ROOT, args.build))
    os.makedirs(build, exist_ok=True)

    addon = os.path.join(build, "misra-addon.json")
    with open(addon, "w", encoding="utf-8") as f:
        json.dump({"script": "misra.py",
                   "args": ["--rule-texts=" + os.path.join(ROOT, RULE_TEXTS)]}, f)

    cats = load_rule_categories()
    log_ids = load_log_ids()
    sups = load_suppressions()
    problems = []

    for s in sups:
        if s["entry"] is None:
            problems.append("%s:%d: no entry id (D-n, R-n, F-n, P-n, A-n): %s"
                            % (SUPP, s["lineno"], s["text"]))
        elif s["entry"] not in log_ids:
            problems.append("%s:%d: entry %s is not in %s" % (
                SUPP, s["lineno"], s["entry"], " or ".join(LOGS.values())))

    summary = {"layers": {}, "tool": None}
    try:
        summary["tool"] = subprocess.run(["cppcheck", "--version"], capture_output=True,
                                         text=True).stdout.strip()
    except OSError:
        print("misra: cppcheck not found (make deps)")
        return 2

    for layer in layers:
        spec = LAYERS[layer]
        files, findings, other, elapsed = run_cppcheck(layer, build, addon)
        own = [f for f in findings if f["file"].startswith(spec["prefix"])]
        unexplained = []
        per_rule = {}
        for f in own:
            hit = [s for s in sups if covers(s, f)]
            for s in hit:
                s["hits"] += 1
            key = f["id"]
            row = per_rule.setdefault(key, {"findings": 0, "entries": set(), "open": 0})
            row["findings"] += 1
            if hit:
                row["entries"].update(s["entry"] or "?" for s in hit)
            else:
                row["open"] += 1
                unexplained.append(f)
        print("== MISRA C:2012 (cppcheck misra addon): %s, %d files, %.1f s"
              % (spec["title"], len(files), elapsed))
        print("   %-26s %-10s %8s  %s" % ("rule / check", "category", "findings", "log entries"))
        for key in sorted(per_rule, key=lambda k: [int(x) if x.isdigit() else 0
                                                   for x in re.split(r"[.\-]", k.replace("misra-c2012-", ""))]
                          if k.startswith("misra") else [999]):
            row = per_rule[key]
            rule = key.replace("misra-c2012-", "")
            cat = cats.get(rule, "-") if key.startswith("misra") else "cppcheck"
            note = ", ".join(sorted(row["entries"]))
            if row["open"]:
                note += (", " if note else "") + "%d NOT COVERED" % row["open"]
            print("   %-26s %-10s %8d  %s" % (key, cat, row["findings"], note))
        if not per_rule:
            print("   (no findings)")
        for f in unexplained:
            problems.append("%s:%d:%s: %s: %s (no entry in %s)" % (
                f["file"], f["line"], f["col"], f["id"], f["msg"], SUPP))
        for line in other:
            problems.append("cppcheck (%s): %s" % (layer, line))
        summary["layers"][layer] = {
            "files": files,
            "findings": len(own),
            "misra_findings": sum(1 for f in own if f["id"].startswith("misra-c2012-")),
            "uncovered": len(unexplained),
            "per_rule": {k: {"findings": v["findings"], "entries": sorted(v["entries"]),
                             "uncovered": v["open"]} for k, v in per_rule.items()},
            "seconds": round(elapsed, 1),
        }

    # Stale lines and counts, for the layers that ran.
    prefixes = tuple(LAYERS[l]["prefix"] for l in layers)
    for s in sups:
        applies = s["file"].startswith(prefixes) or any(
            fnmatch.fnmatch(p + "x.c", s["file"]) or fnmatch.fnmatch(p + "x.h", s["file"])
            for p in prefixes)
        if not applies:
            continue
        if s["hits"] == 0:
            problems.append("%s:%d: stale, covers no finding (remove it, and its log entry if "
                            "nothing else uses it): %s" % (SUPP, s["lineno"], s["text"]))
        elif s["n"] is not None and s["n"] != s["hits"]:
            problems.append("%s:%d: covers %d findings, n=%d expected (review the new or "
                            "removed instances, then update n=): %s"
                            % (SUPP, s["lineno"], s["hits"], s["n"], s["text"]))

    inline_seen, inline_bad = inline_suppressions(log_ids)
    problems += inline_bad
    if "core" in layers:
        problems += acsl_nested_comments()

    # What the log says, for the README: entries by kind and distinct rules.
    kinds = {"D": "deviation", "R": "disapplied advisory rule", "F": "tool false positive",
             "P": "pending correction", "A": "analysis note"}
    by_kind = {}
    for s in sups:
        if s["entry"] and s["id"].startswith("misra-c2012-"):
            k = kinds[s["entry"][0]]
            d = by_kind.setdefault(k, {"entries": set(), "rules": set(), "findings": 0})
            d["entries"].add(s["entry"])
            d["rules"].add(s["id"].replace("misra-c2012-", ""))
            d["findings"] += s["hits"]
    summary["log"] = {k: {"entries": sorted(v["entries"]), "rules": sorted(v["rules"]),
                          "findings": v["findings"]} for k, v in by_kind.items()}
    summary["inline_suppressions"] = inline_seen
    summary["problems"] = problems
    summary["passed"] = not problems

    print("== deviation log (%s): %s" % (LOGS["misra"], "; ".join(
        "%d %s entr%s over rule%s %s (%d findings)" % (
            len(v["entries"]), k, "y" if len(v["entries"]) == 1 else "ies",
            "" if len(v["rules"]) == 1 else "s", ", ".join(sorted(v["rules"], key=lambda r: [int(x) for x in r.split(".")])),
            v["findings"]) for k, v in sorted(by_kind.items()))))
    if args.json:
        path = os.path.join(ROOT, args.json)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
    if problems:
        print("misra: FAILED, %d problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("misra: passed (every finding is covered by an entry of the deviation log)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
