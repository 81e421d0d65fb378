#!/usr/bin/env python3
"""Differential test: tensorproof against the reference safetensors 0.8.0.

    python3 tests/diff/run.py [--cli build/tensorproof] [--out build/diff]
                              [--seed N] [--mutants N] [--batch N]

Steps: self-test the oracle's message parser; generate the corpus
(gen.py) into OUT/files; judge every file with the reference (oracle.py);
run `tensorproof validate --compat --json` and `--strict --json` over the
files, many per invocation; compare.

Per file, the file passes when all of these hold:
  intent    the reference gives the outcome the generator aimed at
            (manifest "intent"; skipped where it is null)
  oracle    the oracle's own cross-checks held (see oracle.py)
  compat    (ST-MODE-1) verdict == the reference's verdict;
            rejected: reference_error is among the reference's plausible
            kinds (exactly the reference's kind unless offsets tie), and
            for InvalidOffset, tensor is among the plausible names;
            accepted: header_len, data_len, metadata and the tensor table
            (name, dtype, shape, data_offsets; compared as lists sorted by
            (begin, end, name bytes)) equal the reference's, and the CLI
            lists tensors in non-decreasing (begin, end) order
  strict    (ST-MODE-2) strict accept => compat accept with an identical header_len,
            data_len, metadata and tensor list;
            compat reject => strict reject;
            strict reject of a file compat accepts => reference_error null;
            strict reject with a non-null reference_error => the same
            reference_error as compat (strict only adds refusals before
            the reference's checks, it never changes them)
  cli       one well-formed JSON line per file, "file" echoing the path,
            "mode" the mode asked for, "error" an ST_E_ name when invalid
Global checks (counted as extra items): each batch's exit status is 0 when
all its files are valid and 1 otherwise; every error code maps to one
reference_error across all output; the corpus provokes each of the ten
reference kinds and accepts files of all 22 dtypes.

Output: failures with file, description, expected and got, then the line
`diff: N passed, M failed`; exit 1 on any failure, 2 when the run could
not be made (missing CLI, oracle self-test failure). OUT/report.json has
every result.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # keep tests/diff free of __pycache__
sys.path.insert(0, HERE)

import gen  # noqa: E402
import oracle  # noqa: E402

DTYPES = [d for d, _ in gen.DTYPES]


def short(v, n=300):
    s = json.dumps(v, ensure_ascii=True) if not isinstance(v, str) else v
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def run_cli(cli, mode, paths, batch):
    """{path: parsed line or {"_problem": text}}, [(batch paths, rc, problems)]"""
    out = {}
    batches = []
    for i in range(0, len(paths), batch):
        chunk = paths[i:i + batch]
        p = subprocess.run([cli, "validate", "--" + mode, "--json"] + chunk,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        got = {}
        problems = []
        # split on LF only: str.splitlines() would also split at U+2028,
        # U+0085 and friends, which JSON strings may hold raw
        for ln in p.stdout.decode("utf-8", "replace").split("\n"):
            if not ln.strip():
                continue
            try:
                obj = json.loads(ln)
            except ValueError as exc:
                problems.append("unparsable line %r: %s" % (ln[:200], exc))
                continue
            f = obj.get("file") if isinstance(obj, dict) else None
            if f not in chunk:
                problems.append("line for unknown file %r" % (f,))
                continue
            if f in got:
                problems.append("two lines for %s" % f)
            got[f] = obj
        missing = [f for f in chunk if f not in got]
        alone_ok = []
        if missing:
            # attribute a crash or a lost line to the files concerned
            for f in missing:
                q = subprocess.run([cli, "validate", "--" + mode, "--json", f],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
                lines = [x for x in q.stdout.decode("utf-8", "replace").split("\n") if x.strip()]
                try:
                    obj = json.loads(lines[0]) if len(lines) == 1 else None
                except ValueError:
                    obj = None
                if obj is not None and q.returncode in (0, 1) and obj.get("file") == f:
                    got[f] = obj
                    alone_ok.append(f)
                else:
                    got[f] = {"_problem": "alone: exit %d, stdout %r, stderr %r" % (
                        q.returncode, q.stdout[:300], q.stderr[:300])}
        if alone_ok:
            problems.append("%d files had no line in the batch run but one when run alone (first %s)"
                            % (len(alone_ok), alone_ok[0]))
        out.update(got)
        batches.append((chunk, p.returncode, problems, p.stderr[:500]))
    return out, batches


def table_of(obj):
    return {"header_len": obj.get("header_len"), "data_len": obj.get("data_len"),
            "metadata": obj.get("metadata"), "tensors": obj.get("tensors")}


def sorted_tensors(ts):
    return sorted(ts, key=lambda t: (t["data_offsets"], t["name"].encode("utf-8")))


def check_shape(obj, mode):
    """Problems with the form of one output line."""
    if "_problem" in obj:
        return [obj["_problem"]]
    p = []
    if obj.get("mode") != mode:
        p.append("mode %r, asked %r" % (obj.get("mode"), mode))
    v = obj.get("valid")
    if v is True:
        for k in ("header_len", "data_len", "metadata", "tensors"):
            if k not in obj:
                p.append("valid line lacks %r" % k)
        ts = obj.get("tensors")
        if not isinstance(ts, list):
            p.append("tensors is not a list")
        else:
            for t in ts:
                if not (isinstance(t, dict) and isinstance(t.get("name"), str)
                        and isinstance(t.get("dtype"), str) and isinstance(t.get("shape"), list)
                        and isinstance(t.get("data_offsets"), list) and len(t["data_offsets"]) == 2):
                    p.append("malformed tensor %s" % short(t, 200))
                    break
    elif v is False:
        for k in ("error", "reference_error", "offset", "tensor", "message"):
            if k not in obj:
                p.append("invalid line lacks %r" % k)
        if not str(obj.get("error", "")).startswith("ST_E_"):
            p.append("error %r is not an ST_E_ name" % obj.get("error"))
    else:
        p.append("valid is %r" % (v,))
    return p


def compare(case, ref, c, s):
    """List of (check, expected, got) failures for one file."""
    fails = []
    if case["intent"] is not None:
        got = "ok" if ref["valid"] else ref["kind"]
        if ref["oracle_error"] is None and not (
                (case["intent"] == "ok" and ref["valid"])
                or (not ref["valid"] and case["intent"] in (ref["kinds"] or []))):
            fails.append(("intent", case["intent"], "reference: %s (%s)" % (got, short(ref["message"], 200))))
    if ref["oracle_error"]:
        fails.append(("oracle", "consistent oracle", ref["oracle_error"]))
        return fails
    for mode, o in (("compat", c), ("strict", s)):
        for p in check_shape(o, mode):
            fails.append(("cli-%s" % mode, "well-formed line", p))
    if fails:
        return fails
    # compat against the reference
    if c["valid"] != ref["valid"]:
        fails.append(("compat-verdict",
                      "valid" if ref["valid"] else "invalid: %s (%s)" % (ref["kind"], short(ref["message"], 200)),
                      "valid" if c["valid"] else "invalid: %s / %s (%s)" % (
                          c.get("error"), c.get("reference_error"), short(c.get("message"), 200))))
    elif ref["valid"]:
        exp = {"header_len": ref["header_len"], "data_len": ref["data_len"],
               "metadata": ref["metadata"], "tensors": ref["table"]}
        got = table_of(c)
        got = dict(got, tensors=sorted_tensors(got["tensors"]))
        for k in ("header_len", "data_len", "metadata", "tensors"):
            if exp[k] != got[k]:
                fails.append(("compat-table:" + k, short(exp[k]), short(got[k])))
        keys = [tuple(t["data_offsets"]) for t in c["tensors"]]
        if keys != sorted(keys):
            fails.append(("compat-order", "tensors in (begin, end) order", short([list(k) for k in keys])))
    else:
        if c.get("reference_error") not in ref["kinds"]:
            fails.append(("compat-kind", " or ".join(ref["kinds"]) + " (%s)" % short(ref["message"], 200),
                          "%s / %s (%s)" % (c.get("reference_error"), c.get("error"), short(c.get("message"), 200))))
        elif c.get("reference_error") == "InvalidOffset" and ref["names"] is not None:
            if c.get("tensor") not in ref["names"]:
                fails.append(("compat-tensor", "tensor " + " or ".join(repr(n) for n in ref["names"]),
                              "tensor %r" % (c.get("tensor"),)))
    # strict against compat
    if s["valid"]:
        if not c["valid"]:
            fails.append(("strict-accepts-more", "strict invalid (compat is invalid: %s)" % c.get("reference_error"),
                          "strict valid"))
        else:
            tc, ts = table_of(c), table_of(s)
            if tc != ts:
                fails.append(("strict-table", short(tc), short(ts)))
    else:
        if c["valid"] and s.get("reference_error") is not None:
            fails.append(("strict-only-kind", "reference_error null (the reference accepts)",
                          "%s / %s" % (s.get("reference_error"), s.get("error"))))
        if (not c["valid"] and s.get("reference_error") is not None
                and s.get("reference_error") != c.get("reference_error")):
            fails.append(("strict-kind", "compat's %s or null" % c.get("reference_error"),
                          "%s / %s" % (s.get("reference_error"), s.get("error"))))
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "tensorproof"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "diff"))
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--mutants", type=int, default=300)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--max-report", type=int, default=60, help="failures listed in full")
    args = ap.parse_args()
    t0 = time.time()

    bad = oracle.selftest()
    if bad:
        for b in bad:
            print("diff: oracle self-test failed:", b)
        return 2
    if not os.access(args.cli, os.X_OK):
        print("diff: no executable CLI at %s (build it first)" % args.cli)
        return 2

    files_dir = os.path.join(args.out, "files")
    cases = gen.generate(files_dir, args.seed, args.mutants)
    paths = [os.path.relpath(os.path.join(files_dir, c["file"])) for c in cases]
    refs = [oracle.judge(p) for p in paths]
    t1 = time.time()

    compat, cb = run_cli(args.cli, "compat", paths, args.batch)
    strict, sb = run_cli(args.cli, "strict", paths, args.batch)
    t2 = time.time()

    results = []
    n_pass = n_fail = 0
    failures = []
    for case, path, ref in zip(cases, paths, refs):
        fl = compare(case, ref, compat[path], strict[path])
        results.append({"file": path, "desc": case["desc"], "group": case["group"],
                        "reference": ref, "compat": compat[path], "strict": strict[path],
                        "failures": fl})
        if fl:
            n_fail += 1
            failures.append((path, case["desc"], fl))
        else:
            n_pass += 1

    # global checks
    glob = []
    for mode, batches, outs in (("compat", cb, compat), ("strict", sb, strict)):
        for chunk, rc, problems, err in batches:
            any_invalid = any(outs[f].get("valid") is not True for f in chunk)
            want = 1 if any_invalid else 0
            name = "exit status, %s batch %s..%s" % (mode, os.path.basename(chunk[0]), os.path.basename(chunk[-1]))
            fl = []
            if rc != want:
                fl.append(("exit-status", str(want), "%d (stderr %r)" % (rc, err)))
            for p in problems:
                fl.append(("batch-output", "one line per file", p))
            glob.append((name, fl))
    mapping = {}
    conflicts = []
    for outs in (compat, strict):
        for o in outs.values():
            if o.get("valid") is False and "error" in o:
                e, k = o.get("error"), o.get("reference_error")
                if e in mapping and mapping[e] != k:
                    conflicts.append("%s -> %r and %r" % (e, mapping[e], k))
                mapping.setdefault(e, k)
    glob.append(("error code -> reference_error is a function",
                 [("error-map", "one reference_error per code", c) for c in sorted(set(conflicts))]))
    seen = set(r["kind"] for r in refs if not r["valid"])
    missing = [k for k in oracle.KINDS if k not in seen]
    glob.append(("corpus provokes all ten reference kinds",
                 [("coverage", "all kinds", "missing %s" % ", ".join(missing))] if missing else []))
    dts = set(t["dtype"] for r in refs if r["valid"] and r["table"] for t in r["table"])
    mdt = [d for d in DTYPES if d not in dts]
    glob.append(("corpus accepts all 22 dtypes",
                 [("coverage", "all dtypes", "missing %s" % ", ".join(mdt))] if mdt else []))
    for name, fl in glob:
        if fl:
            n_fail += 1
            failures.append(("<global>", name, fl))
        else:
            n_pass += 1

    with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8") as f:
        json.dump({"results": results, "global": glob}, f, ensure_ascii=True, indent=1)

    for i, (path, desc, fl) in enumerate(failures):
        if i >= args.max_report:
            print("... %d more failures in %s" % (len(failures) - i, os.path.join(args.out, "report.json")))
            break
        print("FAIL %s: %s" % (path, desc))
        for check, exp, got in fl:
            print("    [%s] expected: %s" % (check, exp))
            print("    [%s] got:      %s" % (check, got))
    nacc = sum(1 for r in refs if r["valid"])
    amb = sum(1 for r in refs if r["kinds"] and len(r["kinds"]) > 1)
    print("diff: %d files (%d accepted by the reference, %d rejected, %d with tied offsets); "
          "generate+oracle %.1fs, CLI %.1fs" % (len(refs), nacc, len(refs) - nacc, amb, t1 - t0, t2 - t1))
    print("diff: %d passed, %d failed" % (n_pass, n_fail))
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
