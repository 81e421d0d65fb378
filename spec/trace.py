#!/usr/bin/env python3
"""Generate the requirement traceability table, spec/traceability.md.

For every requirement id defined in spec/safetensors.md (a Markdown heading
or a line-leading bold id, e.g. "### ST-LAYOUT-1: Length prefix"), list:

  (a) the C functions under src/ whose comment or body mentions the id;
  (b) the test files under tests/ that mention it, with the enclosing test
      names where they can be found;
  (c) the corpus cases whose manifest lists it: any JSON object under corpus/
      (corpus/manifest.json or corpus/**/*.json, at any nesting) that has a
      string "name" and an "ids" list;
  (d) the files under proofs/ that mention it.

A mention is the exact id ("ST-VALID-3") or a range within one family
("ST-VALID-1..5"). Ids that sources mention but the spec does not define are
listed in a separate section.

Usage:
  python3 spec/trace.py            write spec/traceability.md
  python3 spec/trace.py --check    exit 1 if spec/traceability.md is stale;
                                   print ids without function or test (warning)
  --root DIR                       repository root (default: parent of spec/)
  --output FILE                    table to write or check (default:
                                   spec/traceability.md under the root)

Output is deterministic: everything is sorted and no dates are written.
Only the Python 3.11 standard library is used.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# Ids

ID_BODY = r"ST-([A-Z][A-Z0-9]*)-(\d+)"
# An id, optionally followed by a range end within the same family:
# "ST-VALID-1..5", "ST-VALID-1..ST-VALID-5", "ST-VALID-1–5" (en dash).
MENTION_RE = re.compile(
    r"(?<![A-Za-z0-9_])" + ID_BODY +
    r"(?:\s*(?:\.\.|\u2013)\s*(?:ST-\1-)?(\d+))?(?![0-9])")
DEF_HEADING_RE = re.compile(
    r"^#{1,6}\s+(" + r"ST-[A-Z][A-Z0-9]*-\d+" + r")(?![0-9])\s*[:.\u2014-]?\s*(.*?)\s*#*\s*$")
DEF_BOLD_RE = re.compile(
    r"^\*\*(" + r"ST-[A-Z][A-Z0-9]*-\d+" + r")(?![0-9])[:.]?\*\*[:.\u2014-]?\s*(.*?)\s*$")
MAX_RANGE = 50


def id_sort_key(rid: str) -> tuple:
    m = re.fullmatch(ID_BODY, rid)
    if not m:
        return (rid, 0)
    return (m.group(1), int(m.group(2)))


def mentions_in_line(line: str) -> list[str]:
    """Ids mentioned on one line, ranges expanded, in order, deduplicated."""
    out: list[str] = []
    for m in MENTION_RE.finditer(line):
        fam, lo = m.group(1), int(m.group(2))
        hi = int(m.group(3)) if m.group(3) else lo
        if hi < lo or hi - lo > MAX_RANGE:
            hi = lo
        for n in range(lo, hi + 1):
            rid = f"ST-{fam}-{n}"
            if rid not in out:
                out.append(rid)
    return out


@dataclass
class Requirement:
    rid: str
    summary: str
    functions: dict[str, set[str]] = field(default_factory=dict)  # path -> names
    tests: dict[str, set[str]] = field(default_factory=dict)      # path -> names
    corpus: set[str] = field(default_factory=set)                 # case names
    proofs: set[str] = field(default_factory=set)                 # paths


def clean_summary(text: str) -> str:
    text = re.sub(r"[*_`]+", "", text).strip()
    return text.rstrip(".:").strip()


def parse_spec(path: str) -> tuple[dict[str, Requirement], list[str]]:
    """Requirement definitions in document order; problems found."""
    reqs: dict[str, Requirement] = {}
    problems: list[str] = []
    in_fence = False
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            m = DEF_HEADING_RE.match(line) or DEF_BOLD_RE.match(line)
            if not m:
                continue
            rid, summary = m.group(1), clean_summary(m.group(2))
            if rid in reqs:
                problems.append(f"{os.path.basename(path)}:{lineno}: {rid} defined twice")
                continue
            reqs[rid] = Requirement(rid, summary)
    return reqs, problems


# ---------------------------------------------------------------------------
# File walking

SKIP_DIRS = {"__pycache__", "build", "node_modules"}
TEXT_EXT = {
    ".c", ".h", ".py", ".sh", ".mk", ".md", ".txt", ".json", ".toml", ".yml",
    ".yaml", ".acsl", ".why", ".mlw", ".v", ".smt2", ".cfg", ".ini", ".dict",
}
MAX_TEXT = 8 * 1024 * 1024


def walk(root: str, sub: str, exts: set[str] | None) -> list[str]:
    """Repository-relative paths (with '/') of regular files under sub."""
    base = os.path.join(root, sub)
    found: list[str] = []
    if not os.path.isdir(base):
        return found
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            ext = os.path.splitext(name)[1].lower()
            if exts is not None and ext not in exts and name not in ("rules.mk",):
                continue
            found.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(found)


def read_text(root: str, rel: str) -> str | None:
    full = os.path.join(root, rel)
    try:
        if os.path.getsize(full) > MAX_TEXT:
            return None
        with open(full, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------
# C scanning

C_KEYWORDS = {
    "if", "else", "while", "for", "do", "switch", "case", "default", "return",
    "sizeof", "typedef", "struct", "union", "enum", "goto", "break",
    "continue", "static", "extern", "const", "volatile", "inline", "void",
    "char", "short", "int", "long", "float", "double", "signed", "unsigned",
    "_Bool", "bool", "_Static_assert", "static_assert", "_Alignas",
    "_Generic", "__attribute__", "defined",
}
# Test-defining macros whose first two arguments name the test.
TEST_MACROS = {"Test", "ParameterizedTest", "Theory", "TEST", "TEST_F"}
HEAD_PREFIX_RE = re.compile(r"^[\w\s\*]*?([A-Za-z_]\w*)\s*$")


def strip_c(text: str) -> tuple[list[str], list[bool]]:
    """Per line: code with comments and literal contents blanked; whether the
    line holds comment text."""
    code: list[str] = []
    has_comment: list[bool] = []
    cur: list[str] = []
    cmt = False
    state = "code"  # code, block, line, str, chr
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "\n":
            if state == "line":
                state = "code"
            code.append("".join(cur))
            has_comment.append(cmt or state == "block")
            cur, cmt = [], False
            i += 1
            continue
        if state == "code":
            if c == "/" and nxt == "*":
                state, cmt = "block", True
                cur.append("  ")
                i += 2
                continue
            if c == "/" and nxt == "/":
                state, cmt = "line", True
                cur.append("  ")
                i += 2
                continue
            if c == '"':
                state = "str"
            elif c == "'":
                state = "chr"
            cur.append(c)
        elif state == "block":
            cmt = True
            if c == "*" and nxt == "/":
                state = "code"
                cur.append("  ")
                i += 2
                continue
            cur.append(" ")
        elif state == "line":
            cmt = True
            cur.append(" ")
        else:  # inside a string or character literal
            quote = '"' if state == "str" else "'"
            if c == "\\" and nxt and nxt != "\n":
                cur.append("  ")
                i += 2
                continue
            if c == quote:
                state = "code"
                cur.append(c)
            else:
                cur.append(" ")
        i += 1
    code.append("".join(cur))
    has_comment.append(cmt or state == "block")
    return code, has_comment


@dataclass
class CFunc:
    name: str
    head: int      # first line of the declaration (0-based)
    last: int      # last line of the body, or of the prototype
    is_def: bool


CPLUSPLUS_RE = re.compile(r"^\s*#\s*(?:ifdef\s+__cplusplus|if\s+defined\s*\(?\s*__cplusplus)")
IF_RE = re.compile(r"^\s*#\s*if")
ENDIF_RE = re.compile(r"^\s*#\s*endif")


def preprocessor_lines(code: list[str]) -> list[bool]:
    """Lines to skip: directives, their continuations, and C++-only blocks
    (the `extern "C" {` wrapper would otherwise hide every prototype)."""
    pre = [False] * len(code)
    cont = False
    cxx_depth = 0
    for i, line in enumerate(code):
        if cxx_depth:
            pre[i] = True
            if IF_RE.match(line):
                cxx_depth += 1
            elif ENDIF_RE.match(line):
                cxx_depth -= 1
            continue
        if cont or line.lstrip().startswith("#"):
            pre[i] = True
            if not cont and CPLUSPLUS_RE.match(line):
                cxx_depth = 1
            cont = line.rstrip().endswith("\\")
        else:
            cont = False
    return pre


def test_label(name: str, args: str) -> str:
    parts = [p.strip() for p in args.split(",")]
    if len(parts) >= 2 and all(re.fullmatch(r"\w+", p) for p in parts[:2]):
        return f"{parts[0]}/{parts[1]}"
    return name


def find_c_functions(code: list[str], pre: list[bool]) -> list[CFunc]:
    """Function definitions and prototypes at file scope."""
    funcs: list[CFunc] = []
    nlines = len(code)
    depth = 0
    stmt_start = True  # the next code line at depth 0 starts a declaration
    i = 0
    while i < nlines:
        line = code[i]
        if pre[i] or not line.strip():
            i += 1
            continue
        if depth == 0 and stmt_start:
            # Gather the declaration up to the first ';' or '{' outside parens.
            parens, j, k = 0, i, 0
            sig: list[str] = []
            term = None
            while j < nlines and term is None and j < i + 40:
                if pre[j]:
                    j += 1
                    k = 0
                    continue
                text = code[j]
                while k < len(text):
                    ch = text[k]
                    if ch == "(":
                        parens += 1
                    elif ch == ")":
                        parens -= 1
                    elif parens == 0 and ch in ";{}=":
                        term = (ch, j, k)
                        break
                    sig.append(ch)
                    k += 1
                if term is None:
                    sig.append(" ")
                    j += 1
                    k = 0
            joined = "".join(sig)
            if term is not None and term[0] in ";{" and "(" in joined:
                m = HEAD_PREFIX_RE.match(joined[: joined.index("(")])
                if m and m.group(1) not in C_KEYWORDS:
                    name = m.group(1)
                    if name in TEST_MACROS:
                        close = joined.rfind(")")
                        name = test_label(name, joined[joined.index("(") + 1: close])
                    if term[0] == ";":
                        funcs.append(CFunc(name, i, term[1], False))
                    else:
                        # Find the matching close brace of the body.
                        d, j2, k2, end = 0, term[1], term[2], None
                        while j2 < nlines and end is None:
                            if not pre[j2]:
                                text = code[j2]
                                while k2 < len(text):
                                    if text[k2] == "{":
                                        d += 1
                                    elif text[k2] == "}":
                                        d -= 1
                                        if d == 0:
                                            end = j2
                                            break
                                    k2 += 1
                            j2 += 1
                            k2 = 0
                        last = end if end is not None else nlines - 1
                        funcs.append(CFunc(name, i, last, True))
                        depth = 0
                        stmt_start = True
                        i = last + 1
                        continue
        # Track depth and declaration boundaries through this line.
        for ch in line:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth = max(0, depth - 1)
        stripped = line.rstrip()
        if depth == 0:
            stmt_start = stripped.endswith((";", "}", "{")) or stripped == ""
        i += 1
    return funcs


def scan_c(text: str) -> list[tuple[int, str | None, list[str]]]:
    """(line, function or None for file scope, ids) for every mentioning line."""
    lines = text.split("\n")
    code, has_comment = strip_c(text)
    pre = preprocessor_lines(code)
    funcs = find_c_functions(code, pre)
    heads = {f.head: f for f in funcs}
    out: list[tuple[int, str | None, list[str]]] = []
    for idx, raw in enumerate(lines):
        ids = mentions_in_line(raw)
        if not ids:
            continue
        owner: str | None = None
        for f in funcs:
            if f.head <= idx <= f.last:
                owner = f.name
                break
        if owner is None and has_comment[idx] and not code[idx].strip():
            # A comment block directly above a declaration documents it.
            j = idx + 1
            while j < len(lines) and has_comment[j] and not code[j].strip():
                j += 1
            if j in heads:
                owner = heads[j].name
        out.append((idx + 1, owner, ids))
    return out


# ---------------------------------------------------------------------------
# Python scanning

PY_DEF_RE = re.compile(r"^(\s*)(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)")


def scan_py(text: str) -> list[tuple[int, str | None, list[str]]]:
    lines = text.split("\n")
    out: list[tuple[int, str | None, list[str]]] = []

    def indent(s: str) -> int:
        return len(s) - len(s.lstrip(" \t"))

    for idx, raw in enumerate(lines):
        ids = mentions_in_line(raw)
        if not ids:
            continue
        owner: str | None = None
        # A comment block directly above a def or its decorators documents it.
        if raw.lstrip().startswith("#"):
            j = idx + 1
            while j < len(lines) and lines[j].lstrip().startswith(("#", "@")):
                j += 1
            if j < len(lines):
                m = PY_DEF_RE.match(lines[j])
                if m:
                    owner = enclosing_py(lines, j, indent(lines[j]) + 1)
        if owner is None:
            owner = enclosing_py(lines, idx, indent(raw) if raw.strip() else 10 ** 6)
        out.append((idx + 1, owner, ids))
    return out


def enclosing_py(lines: list[str], idx: int, limit: int) -> str | None:
    """Dotted name of the defs/classes enclosing line idx (indent < limit)."""
    chain: list[str] = []
    for j in range(idx, -1, -1):
        s = lines[j]
        if not s.strip():
            continue
        ind = len(s) - len(s.lstrip(" \t"))
        m = PY_DEF_RE.match(s)
        if m and ind < limit:
            chain.append(m.group(3))
            limit = ind
            if ind == 0:
                break
        elif ind < limit and not s.lstrip().startswith(("#", ")", "]", "}", '"', "'")):
            limit = ind
            if ind == 0:
                break
    return ".".join(reversed(chain)) if chain else None


def scan_plain(text: str) -> list[tuple[int, str | None, list[str]]]:
    out: list[tuple[int, str | None, list[str]]] = []
    for idx, raw in enumerate(text.split("\n")):
        ids = mentions_in_line(raw)
        if ids:
            out.append((idx + 1, None, ids))
    return out


def scan_file(rel: str, text: str) -> list[tuple[int, str | None, list[str]]]:
    ext = os.path.splitext(rel)[1].lower()
    if ext in (".c", ".h"):
        return scan_c(text)
    if ext == ".py":
        return scan_py(text)
    return scan_plain(text)


# ---------------------------------------------------------------------------
# Corpus manifests

def manifest_cases(obj, found: list[tuple[str, list[str]]]) -> None:
    """Collect (name, ids) from every object with a "name" and "ids"."""
    stack = [obj]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            name, ids = cur.get("name"), cur.get("ids")
            if isinstance(ids, str):
                ids = [ids]
            if isinstance(name, str) and isinstance(ids, list):
                found.append((name, [i for i in ids if isinstance(i, str)]))
            stack.extend(cur.values())
        elif isinstance(cur, list):
            stack.extend(cur)


def scan_corpus(root: str, warnings: list[str]) -> dict[str, set[str]]:
    """id -> case names."""
    by_id: dict[str, set[str]] = {}
    for rel in walk(root, "corpus", {".json"}):
        text = read_text(root, rel)
        if text is None:
            continue
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            # Corpus inputs may themselves be (broken) JSON; only a file
            # called like a manifest is expected to parse.
            if "manifest" in os.path.basename(rel):
                warnings.append(f"{rel}: not valid JSON, ignored")
            continue
        cases: list[tuple[str, list[str]]] = []
        try:
            manifest_cases(obj, cases)
        except RecursionError:
            continue
        for name, ids in cases:
            for raw in ids:
                for rid in mentions_in_line(raw) or [raw]:
                    by_id.setdefault(rid, set()).add(name)
    return by_id


# ---------------------------------------------------------------------------
# Collection and rendering

def collect(root: str, spec: str) -> tuple[dict[str, Requirement],
                                           dict[str, set[str]], list[str]]:
    reqs, problems = parse_spec(spec)
    unknown: dict[str, set[str]] = {}
    warnings: list[str] = list(problems)

    def note_unknown(rid: str, where: str) -> None:
        unknown.setdefault(rid, set()).add(where)

    for rel in walk(root, "src", {".c", ".h"}):
        text = read_text(root, rel)
        if text is None:
            continue
        for lineno, owner, ids in scan_c(text):
            for rid in ids:
                if rid not in reqs:
                    note_unknown(rid, f"{rel}:{lineno}")
                    continue
                names = reqs[rid].functions.setdefault(rel, set())
                if owner is not None:
                    names.add(owner)

    for rel in walk(root, "tests", TEXT_EXT):
        text = read_text(root, rel)
        if text is None:
            continue
        for lineno, owner, ids in scan_file(rel, text):
            for rid in ids:
                if rid not in reqs:
                    note_unknown(rid, f"{rel}:{lineno}")
                    continue
                names = reqs[rid].tests.setdefault(rel, set())
                if owner is not None:
                    names.add(owner)

    for rid, names in scan_corpus(root, warnings).items():
        if rid in reqs:
            reqs[rid].corpus |= names
        else:
            for name in names:
                note_unknown(rid, f"corpus case {name}")

    for rel in walk(root, "proofs", TEXT_EXT):
        text = read_text(root, rel)
        if text is None:
            continue
        for lineno, _owner, ids in scan_plain(text):
            for rid in ids:
                if rid in reqs:
                    reqs[rid].proofs.add(rel)
                else:
                    note_unknown(rid, f"{rel}:{lineno}")
    return reqs, unknown, warnings


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def fmt_grouped(groups: dict[str, set[str]], file_scope_note: str) -> tuple[str, bool]:
    """Cell text and whether any named entity (function/test) was found."""
    parts: list[str] = []
    named = False
    for path in sorted(groups):
        names = sorted(groups[path])
        if names:
            named = True
            parts.append(f"`{path}`: " + ", ".join(f"`{n}`" for n in names))
        else:
            parts.append(f"`{path}` {file_scope_note}")
    return ("<br>".join(parts) if parts else "—"), named


def has_function(r: Requirement) -> bool:
    return any(r.functions.values())


def has_test(r: Requirement) -> bool:
    return bool(r.tests)


def render(reqs: dict[str, Requirement], unknown: dict[str, set[str]]) -> str:
    ids = sorted(reqs, key=id_sort_key)
    out: list[str] = []
    out.append("# Requirement traceability")
    out.append("")
    out.append("Generated by `spec/trace.py` from `spec/safetensors.md`, `src/`, `tests/`,")
    out.append("`corpus/` and `proofs/`. Do not edit by hand: run `make trace`;")
    out.append("`make trace-check` fails when this file is stale.")
    out.append("")
    out.append("Columns: C functions whose comment or body cites the id (a file listed")
    out.append("without names cites it at file scope only); test files and the tests")
    out.append("in them that cite it; corpus cases whose manifest lists it (count, then")
    out.append("up to five names); proof files that cite it.")
    out.append("")
    out.append("| id | summary | functions | tests | corpus cases | proofs |")
    out.append("|---|---|---|---|---|---|")
    for rid in ids:
        r = reqs[rid]
        funcs, _ = fmt_grouped(r.functions, "(file scope)")
        tests, _ = fmt_grouped(r.tests, "(file)")
        if r.corpus:
            names = sorted(r.corpus)
            shown = ", ".join(f"`{n}`" for n in names[:5])
            more = f", +{len(names) - 5} more" if len(names) > 5 else ""
            corpus = f"{len(names)}: {shown}{more}"
        else:
            corpus = "0"
        proofs = "<br>".join(f"`{p}`" for p in sorted(r.proofs)) or "—"
        out.append(f"| {rid} | {cell(r.summary)} | {cell(funcs)} | {cell(tests)} | "
                   f"{cell(corpus)} | {cell(proofs)} |")
    out.append("")
    total = len(ids)
    nf = sum(1 for i in ids if has_function(reqs[i]))
    nt = sum(1 for i in ids if has_test(reqs[i]))
    nc = sum(1 for i in ids if reqs[i].corpus)
    np_ = sum(1 for i in ids if reqs[i].proofs)
    out.append("## Coverage")
    out.append("")
    out.append(f"- requirements: {total}")
    out.append(f"- with a function: {nf}")
    out.append(f"- with a test: {nt}")
    out.append(f"- with a corpus case: {nc}")
    out.append(f"- with a proof file: {np_}")
    out.append("")
    out.append("## Gaps")
    out.append("")
    nofunc = [i for i in ids if not has_function(reqs[i])]
    notest = [i for i in ids if not has_test(reqs[i])]
    out.append("No function: " + (", ".join(nofunc) if nofunc else "none") + ".")
    out.append("")
    out.append("No test: " + (", ".join(notest) if notest else "none") + ".")
    out.append("")
    out.append("## Ids cited but not defined in the spec")
    out.append("")
    if unknown:
        for rid in sorted(unknown, key=id_sort_key):
            where = sorted(unknown[rid])
            shown = ", ".join(f"`{w}`" for w in where[:5])
            more = f", +{len(where) - 5} more" if len(where) > 5 else ""
            out.append(f"- {rid}: {shown}{more}")
    else:
        out.append("None.")
    out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="requirement traceability table")
    ap.add_argument("--check", action="store_true",
                    help="fail if the table is stale; warn about gaps")
    ap.add_argument("--root", default=os.path.dirname(here))
    ap.add_argument("--output", default=None)
    args = ap.parse_args(argv)

    root = os.path.abspath(args.root)
    spec = os.path.join(root, "spec", "safetensors.md")
    output = args.output or os.path.join(root, "spec", "traceability.md")
    if not os.path.isfile(spec):
        print(f"trace: {spec} not found", file=sys.stderr)
        return 2
    reqs, unknown, warnings = collect(root, spec)
    if not reqs:
        print("trace: no requirement ids defined in the spec", file=sys.stderr)
        return 2
    text = render(reqs, unknown)

    if not args.check:
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        print(f"trace: wrote {os.path.relpath(output, root)} ({len(reqs)} ids)")
        for w in warnings:
            print(f"trace: warning: {w}", file=sys.stderr)
        return 0

    status = 0
    for w in warnings:
        print(f"trace: warning: {w}", file=sys.stderr)
    if any("defined twice" in w for w in warnings):
        status = 1
    ids = sorted(reqs, key=id_sort_key)
    nofunc = [i for i in ids if not has_function(reqs[i])]
    notest = [i for i in ids if not has_test(reqs[i])]
    if nofunc:
        print(f"trace: warning: {len(nofunc)} ids without a function: "
              + " ".join(nofunc), file=sys.stderr)
    if notest:
        print(f"trace: warning: {len(notest)} ids without a test: "
              + " ".join(notest), file=sys.stderr)
    if unknown:
        print("trace: warning: ids cited but not defined in the spec: "
              + " ".join(sorted(unknown, key=id_sort_key)), file=sys.stderr)
    try:
        with open(output, encoding="utf-8") as fh:
            current = fh.read()
    except OSError:
        current = None
    rel = os.path.relpath(output, root)
    if current is None:
        print(f"trace: {rel} is missing; run `make trace`", file=sys.stderr)
        return 1
    if current != text:
        diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(),
                                         f"{rel} (committed)", f"{rel} (generated)",
                                         lineterm="", n=0))
        for line in diff[:40]:
            print(line, file=sys.stderr)
        if len(diff) > 40:
            print(f"... {len(diff) - 40} more diff lines", file=sys.stderr)
        print(f"trace: {rel} is stale; run `make trace`", file=sys.stderr)
        return 1
    if status == 0:
        print(f"trace: {rel} is up to date ({len(reqs)} ids)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
