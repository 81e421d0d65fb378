#!/bin/sh
# cli_test.sh -- end-to-end checks of the tensorproof command-line tool.
#
# Usage: tests/cli/cli_test.sh PATH/TO/tensorproof
#
# Builds nothing. Generates small safetensors files with python3, runs the
# tool on them and checks exit statuses, the text and --json output, and
# that TENSORPROOF_NO_MMAP=1 (pread instead of mmap) changes nothing.
# Where the reference implementation (python package safetensors) is
# installed, compat-mode verdicts are also checked against it.
# Exit status: 0 when every check passed, 1 otherwise.
#
# File lists are split on purpose (SC2086); `ok` always succeeds (SC2015).
# shellcheck disable=SC2086,SC2015

set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/tensorproof" >&2
    exit 2
fi
case $1 in
    /*) TP=$1 ;;
    *) TP=$(pwd)/$1 ;;
esac
PY=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
HEADER=$HERE/../../src/core/tensorproof.h

T=$(mktemp -d "${TMPDIR:-/tmp}/tp-cli.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT HUP INT TERM

pass=0
fail=0
skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "SKIP: $*"; }

# expect_rc WANT DESCRIPTION CMD... : run CMD (stdout to $T/out, stderr to
# $T/err) and compare its exit status with WANT.
expect_rc() {
    want=$1
    what=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want"; fi
    # A sanitizer build reports on stderr; an exit status alone can hide it.
    if grep -q 'Sanitizer\|runtime error:' "$T/err"; then
        bad "$what: sanitizer report"
        cat "$T/err"
    fi
}

# ---------------------------------------------------------------- files
# The generator writes the files and a manifest of what it put in them
# (names, header length, data length, metadata), which the JSON checks
# compare the tool's output against.
"$PY" - "$T" <<'EOF' || { echo "FAIL: could not generate test files"; exit 1; }
import json, os, struct, sys
d = sys.argv[1]
manifest = {}

def write(name, header_bytes, data=b"", pad=True):
    if pad:
        header_bytes += b" " * ((-len(header_bytes)) % 8)
    with open(os.path.join(d, name), "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)) + header_bytes + data)
    return len(header_bytes)

def write_json(name, hdr, data=b"", valid=True):
    n = write(name, json.dumps(hdr, separators=(",", ":")).encode(), data)
    tensors = [(k, v) for k, v in hdr.items() if k != "__metadata__"]
    manifest[name] = {
        "valid": valid, "header_len": n, "data_len": len(data),
        "tensors": [{"name": k, "dtype": v["dtype"], "shape": v["shape"],
                     "data_offsets": v["data_offsets"]} for k, v in tensors],
        "metadata": hdr.get("__metadata__"),
    }

# Valid: metadata, three tensors declared out of data order.
write_json("valid.st", {
    "__metadata__": {"format": "pt", "b key": "line1\nline2", "Z": "\u00e9"},
    "layers.1.weight": {"dtype": "BF16", "shape": [4], "data_offsets": [24, 32]},
    "layers.0.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
    "scalar": {"dtype": "U8", "shape": [], "data_offsets": [32, 33]},
}, bytes(range(33)))
# Valid: names that need escaping in JSON and in text.
write_json("names.st", {
    "quote\"back\\slash": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},
    "nl\ntab\tnul\u0000": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]},
    "\u00fcnic\u00f6de \u4e2d\u6587 \U0001F600": {"dtype": "U8", "shape": [1], "data_offsets": [2, 3]},
    "bidi\u202eevil": {"dtype": "U8", "shape": [1], "data_offsets": [3, 4]},
    "x" * 150: {"dtype": "I64", "shape": [1, 1], "data_offsets": [4, 12]},
}, bytes(12))
# Valid: no metadata; empty metadata; no tensors at all.
write_json("nometa.st", {"t": {"dtype": "F16", "shape": [3], "data_offsets": [0, 6]}}, bytes(6))
write_json("emptymeta.st", {"__metadata__": {}, "t": {"dtype": "I8", "shape": [2], "data_offsets": [0, 2]}}, bytes(2))
write_json("notensors.st", {})
# Invalid in both modes.
write_json("sizemismatch.st", {"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}}, bytes(20), valid=False)
with open(os.path.join(d, "truncated.st"), "wb") as f:
    f.write(struct.pack("<Q", 64) + b"{}")
open(os.path.join(d, "empty.st"), "wb").close()
write("trailing.st", b'{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\x00\x00")
write("badjson.st", b'{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}', b"\x00")
# Invalid in strict mode only: a repeated metadata key (last one wins in compat).
n = write("dupmeta.st", b'{"__metadata__":{"k":"first","k":"second"},'
          b'"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\x07")
manifest["dupmeta.st"] = {"valid": True, "header_len": n, "data_len": 1,
                          "tensors": [{"name": "t", "dtype": "U8", "shape": [1], "data_offsets": [0, 1]}],
                          "metadata": {"k": "second"}}
# A file name that is not UTF-8 and one with a newline.
with open(os.path.join(d, "valid.st"), "rb") as f:
    data = f.read()
for odd in (b"odd\xffname.st", b"new\nline.st"):
    with open(os.path.join(os.fsencode(d), odd), "wb") as f:
        f.write(data)
with open(os.path.join(d, "manifest.json"), "w") as f:
    json.dump(manifest, f)
EOF

VALID="valid.st names.st nometa.st emptymeta.st notensors.st"
INVALID="sizemismatch.st truncated.st empty.st trailing.st badjson.st"
cd "$T" || exit 2

# ---------------------------------------------------------- exit codes
for f in $VALID; do
    expect_rc 0 "validate $f" "$TP" validate "$f"
    expect_rc 0 "validate --compat $f" "$TP" validate --compat "$f"
done
for f in $INVALID; do
    expect_rc 1 "validate $f" "$TP" validate "$f"
    expect_rc 1 "validate --compat $f" "$TP" validate --compat "$f"
done
expect_rc 1 "strict refuses a repeated metadata key" "$TP" validate dupmeta.st
expect_rc 0 "compat accepts a repeated metadata key" "$TP" validate --compat dupmeta.st
expect_rc 0 "several valid files" "$TP" validate $VALID
expect_rc 1 "valid and invalid files" "$TP" validate valid.st sizemismatch.st valid.st
expect_rc 2 "missing file" "$TP" validate does-not-exist.st
grep -q 'does-not-exist.st' "$T/err" && grep -qi 'no such file' "$T/err" \
    || bad "missing file: stderr lacks the path or the reason: $(cat "$T/err")"
expect_rc 2 "I/O error beats invalid" "$TP" validate sizemismatch.st does-not-exist.st valid.st
expect_rc 2 "directory" "$TP" validate .
expect_rc 2 "--json missing file" "$TP" validate --json does-not-exist.st
if command -v mkfifo >/dev/null 2>&1 && mkfifo fifo 2>/dev/null; then
    # Must be refused at once, not wait for a writer.
    expect_rc 2 "FIFO" "$TP" validate fifo
    rm -f fifo
else
    skipped "FIFO check (mkfifo unavailable)"
fi

# --------------------------------------------------------------- usage
expect_rc 2 "no arguments" "$TP"
grep -q 'Usage' "$T/err" || bad "no arguments: no usage on stderr"
expect_rc 2 "unknown command" "$TP" frobnicate x.st
grep -q 'Usage' "$T/err" || bad "unknown command: no usage on stderr"
[ -s "$T/out" ] && bad "unknown command: something on stdout"
expect_rc 2 "unknown option" "$TP" validate --bogus valid.st
expect_rc 2 "--strict with --compat" "$TP" validate --strict --compat valid.st
expect_rc 2 "validate without files" "$TP" validate
expect_rc 2 "validate --json without files" "$TP" validate --json
expect_rc 2 "inspect with two files" "$TP" inspect valid.st valid.st
expect_rc 2 "inspect --json is not an option" "$TP" inspect --json valid.st
expect_rc 0 "--help" "$TP" --help
grep -q 'validate' "$T/out" && grep -q 'inspect' "$T/out" && grep -q 'TENSORPROOF_NO_MMAP' "$T/out" \
    || bad "--help does not list the commands and the environment"
expect_rc 0 "help" "$TP" help
expect_rc 0 "help validate" "$TP" help validate
grep -q 'Usage: .*validate' "$T/out" || bad "help validate: no usage line"
expect_rc 0 "validate --help" "$TP" validate --help
expect_rc 2 "help of an unknown command" "$TP" help frobnicate
expect_rc 0 "--version" "$TP" --version
if [ -r "$HEADER" ]; then
    v=$(sed -n 's/^#define ST_VERSION_STRING "\(.*\)"$/\1/p' "$HEADER")
    grep -qF "$v" "$T/out" || bad "--version does not print $v"
else
    skipped "--version number (header not found)"
fi
if [ -w /dev/full ]; then
    # Output that cannot be written is a failure, not a pass.
    "$TP" validate valid.st >/dev/full 2>"$T/err"
    rc=$?
    if [ "$rc" -eq 2 ] && [ -s "$T/err" ]; then ok; else bad "write error: exit $rc, want 2 and a message"; fi
else
    skipped "write error check (/dev/full unavailable)"
fi
expect_rc 0 "options after operands" "$TP" validate valid.st --compat
expect_rc 2 "'--' ends options" "$TP" validate -- --compat

# ---------------------------------------------------------- text output
"$TP" validate valid.st notensors.st nometa.st "new
line.st" >"$T/out" 2>"$T/err"
"$PY" - "$T/out" <<'EOF' && ok || bad "validate text output: see above"
import re, sys
lines = open(sys.argv[1], "rb").read().decode().split("\n")
assert lines[-1] == "", "output does not end with a newline"
want = ["valid.st: OK (3 tensors, strict)", "notensors.st: OK (0 tensors, strict)",
        "nometa.st: OK (1 tensor, strict)", "new\\nline.st: OK (3 tensors, strict)"]
assert lines[:-1] == want, lines
EOF
"$TP" validate --compat sizemismatch.st empty.st dupmeta.st >"$T/out" 2>"$T/err"
"$PY" - "$T/out" <<'EOF' && ok || bad "validate error lines: see above"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, lines
pat = re.compile(r'^(\S+): offset (\d+): (ST-[A-Z0-9]+-\d+) (ST_E_[A-Z0-9_]+): (\S.*?)( \(tensor "(.*)"\))?$')
m = [pat.match(l) for l in lines[:2]]
assert all(m), lines
assert m[0].group(1) == "sizemismatch.st" and m[0].group(4) == "ST_E_SIZE_MISMATCH", lines[0]
assert m[0].group(7) == "w", lines[0]
assert m[1].group(1) == "empty.st" and m[1].group(4) == "ST_E_FILE_TOO_SMALL", lines[1]
assert m[1].group(6) is None, lines[1]
assert lines[2] == "dupmeta.st: OK (1 tensor, compat)", lines[2]
EOF

expect_rc 1 "strict dupmeta.st text" "$TP" validate dupmeta.st
grep -q '^dupmeta.st: offset [0-9]*: .* (metadata key "k")$' "$T/out" \
    || bad "strict dupmeta.st: the repeated key is not named: $(cat "$T/out")"

# ---------------------------------------------------------- JSON output
all_files="$VALID $INVALID dupmeta.st does-not-exist.st"
"$TP" validate --json $all_files >"$T/strict.json" 2>"$T/err"
[ -s "$T/err" ] && bad "--json wrote to stderr: $(cat "$T/err")"
"$TP" validate --json --compat $all_files >"$T/compat.json" 2>/dev/null
"$TP" validate --json "odd$(printf '\377')name.st" >"$T/odd.json" 2>/dev/null \
    || bad "validate --json on a non-UTF-8 file name"
"$PY" - "$T" $all_files <<'EOF' && ok || bad "--json output: see above"
import json, os, sys
d, files = sys.argv[1], sys.argv[2:]
manifest = json.load(open(os.path.join(d, "manifest.json")))
VALID_KEYS = {"file", "valid", "mode", "header_len", "data_len", "metadata", "tensors"}
INVALID_KEYS = {"file", "valid", "mode", "error", "rule", "reference_error", "offset", "tensor",
                "metadata_key", "message"}
IO_KEYS = {"file", "valid", "error", "message"}
problems = []

def check(mode):
    raw = open(os.path.join(d, mode + ".json"), "rb").read()
    lines = raw.decode("utf-8").split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(files), (mode, len(lines))
    objs = [json.loads(l) for l in lines[:-1]]
    for f, o in zip(files, objs):
        where = "%s %s" % (mode, f)
        if o["file"] != f:
            problems.append("%s: file is %r" % (where, o["file"]))
        if f == "does-not-exist.st":
            if set(o) != IO_KEYS or o["valid"] is not False or o["error"] != "io" \
               or "No such file" not in o["message"]:
                problems.append("%s: bad I/O object %r" % (where, o))
            continue
        if o.get("mode") != mode:
            problems.append("%s: mode %r" % (where, o.get("mode")))
        should_be_valid = f in manifest and manifest[f]["valid"] \
            and not (f == "dupmeta.st" and mode == "strict")
        if o["valid"] is not should_be_valid:
            problems.append("%s: valid is %r" % (where, o["valid"]))
            continue
        if not should_be_valid:
            if set(o) != INVALID_KEYS:
                problems.append("%s: keys %r" % (where, sorted(o)))
            if not (isinstance(o["error"], str) and o["error"].startswith("ST_E_")
                    and isinstance(o["offset"], int) and o["offset"] >= 0
                    and isinstance(o["message"], str) and o["message"]
                    and isinstance(o["rule"], str) and o["rule"].startswith("ST-")):
                problems.append("%s: bad invalid object %r" % (where, o))
            continue
        m = manifest[f]
        if set(o) != VALID_KEYS:
            problems.append("%s: keys %r" % (where, sorted(o)))
        if o["header_len"] != m["header_len"] or o["data_len"] != m["data_len"]:
            problems.append("%s: lengths %r %r" % (where, o["header_len"], o["data_len"]))
        if o["metadata"] != m["metadata"]:
            problems.append("%s: metadata %r, want %r" % (where, o["metadata"], m["metadata"]))
        if o["metadata"] is not None:
            keys = list(o["metadata"])
            if keys != sorted(keys, key=lambda k: k.encode()):
                problems.append("%s: metadata not in key byte order %r" % (where, keys))
        want = sorted(m["tensors"], key=lambda t: (t["data_offsets"], t["name"].encode()))
        if o["tensors"] != want:
            problems.append("%s: tensors %r, want %r" % (where, o["tensors"], want))
    return objs

strict = check("strict")
compat = check("compat")
by = dict(zip(files, strict))
expect = {"sizemismatch.st": ("ST_E_SIZE_MISMATCH", "TensorInvalidInfo", "w"),
          "truncated.st": ("ST_E_HEADER_TRUNCATED", "InvalidHeaderLength", None),
          "empty.st": ("ST_E_FILE_TOO_SMALL", "HeaderTooSmall", None),
          "trailing.st": ("ST_E_INCOMPLETE", "MetadataIncompleteBuffer", None),
          "badjson.st": ("ST_E_JSON_SYNTAX", "InvalidHeaderDeserialization", None),
          "dupmeta.st": ("ST_E_STRICT_DUP_META_KEY", None, None)}
for f, (err, ref, name) in expect.items():
    o = by[f]
    got = (o.get("error"), o.get("reference_error"), o.get("tensor"))
    if got != (err, ref, name):
        problems.append("strict %s: (error, reference_error, tensor) = %r, want %r" % (f, got, (err, ref, name)))

if by["dupmeta.st"].get("metadata_key") != "k":
    problems.append("strict dupmeta.st: metadata_key %r, want 'k'" % by["dupmeta.st"].get("metadata_key"))
for f in ("sizemismatch.st", "truncated.st"):
    if by[f].get("metadata_key") is not None:
        problems.append("strict %s: metadata_key should be null" % f)
odd = open(os.path.join(d, "odd.json"), "rb").read().decode("utf-8")
o = json.loads(odd)
if o["file"] != "odd\ufffdname.st" or o["valid"] is not True:
    problems.append("non-UTF-8 file name: %r" % (o["file"],))

# The reference implementation, where installed, decides compat verdicts.
try:
    import safetensors
except ImportError:
    safetensors = None
    print("SKIP: safetensors not installed; compat verdicts not compared with it")
# How safetensors 0.8.0 words each error kind (after "Error while deserializing: ").
REF_TEXT = {"HeaderTooSmall": "header too small", "HeaderTooLarge": "header too large",
            "InvalidHeaderLength": "invalid header length",
            "InvalidHeader": "invalid UTF-8 in header",
            "InvalidHeaderDeserialization": "invalid JSON in header",
            "InvalidOffset": "invalid offset for tensor",
            "ValidationOverflow": "overflow computing buffer size",
            "MisalignedSlice": "does not end up at a byte boundary",
            "TensorInvalidInfo": "invalid shape, data type, or offset",
            "MetadataIncompleteBuffer": "incomplete metadata"}
if safetensors is not None:
    for f, o in zip(files, compat):
        if f == "does-not-exist.st":
            continue
        data = open(os.path.join(d, f), "rb").read()
        try:
            safetensors.deserialize(data)
            ref = None
        except Exception as e:
            ref = str(e)
        if (ref is None) != o["valid"]:
            problems.append("compat %s: valid=%r but the reference says %r" % (f, o["valid"], ref))
        elif ref is not None and REF_TEXT.get(o["reference_error"], "\0") not in ref:
            problems.append("compat %s: reference_error %r, reference says %r" % (f, o["reference_error"], ref))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF

# ------------------------------------------------------------- inspect
expect_rc 0 "inspect valid.st" "$TP" inspect valid.st
cp "$T/out" "$T/inspect_valid.txt"
expect_rc 0 "inspect names.st" "$TP" inspect names.st
cp "$T/out" "$T/inspect_names.txt"
expect_rc 0 "inspect notensors.st" "$TP" inspect notensors.st
expect_rc 1 "inspect sizemismatch.st" "$TP" inspect sizemismatch.st
grep -q 'ST_E_SIZE_MISMATCH' "$T/err" || bad "inspect invalid: no error on stderr"
expect_rc 1 "inspect dupmeta.st (strict)" "$TP" inspect dupmeta.st
expect_rc 0 "inspect --compat dupmeta.st" "$TP" inspect --compat dupmeta.st
grep -q 'second' "$T/out" || bad "inspect --compat dupmeta.st: last metadata value not shown"
expect_rc 2 "inspect missing file" "$TP" inspect does-not-exist.st
"$PY" - "$T" <<'EOF' && ok || bad "inspect output: see above"
import json, os, re, sys
d = sys.argv[1]
manifest = json.load(open(os.path.join(d, "manifest.json")))
problems = []
text = open(os.path.join(d, "inspect_valid.txt")).read()
lines = text.splitlines()
head = [i for i, l in enumerate(lines) if re.match(r"^\s+NAME\s+DTYPE\s+SHAPE\s+BYTES\s+OFFSET$", l)]
if len(head) != 1:
    problems.append("no single table header line")
else:
    h = lines[head[0]]
    cols = {c: h.index(c) for c in ("NAME", "DTYPE", "SHAPE")}
    ends = {c: h.index(c) + len(c) for c in ("BYTES", "OFFSET")}
    rows = lines[head[0] + 1: head[0] + 4]
    want = sorted(manifest["valid.st"]["tensors"], key=lambda t: t["data_offsets"])
    for r, t in zip(rows, want):
        nbytes = t["data_offsets"][1] - t["data_offsets"][0]
        shape = "[" + ", ".join(str(x) for x in t["shape"]) + "]"
        checks = [(r[cols["NAME"]:].split()[0], t["name"]),
                  (r[cols["DTYPE"]:].split()[0], t["dtype"]),
                  (r[cols["SHAPE"]:cols["SHAPE"] + len(shape)], shape),
                  (r[:ends["BYTES"]].split()[-1], str(nbytes)),
                  (r[:ends["OFFSET"]].split()[-1], str(t["data_offsets"][0]))]
        for got, exp in checks:
            if got != exp:
                problems.append("row %r: column has %r, want %r" % (r, got, exp))
params = 0
for t in manifest["valid.st"]["tensors"]:
    n = 1
    for x in t["shape"]:
        n *= x
    params += n
if not re.search(r"parameters\s+%d\b" % params, text):
    problems.append("total parameters %d not shown" % params)
for k, v in manifest["valid.st"]["metadata"].items():
    esc = v.replace("\n", "\\n")
    if not re.search(r"^\s+%s\s+%s$" % (re.escape(k), re.escape(esc)), text, re.M):
        problems.append("metadata %r=%r not shown on one line" % (k, v))
names = open(os.path.join(d, "inspect_names.txt")).read()
for want in ("x" * 150, 'quote\\"back\\\\slash', "nl\\ntab\\tnul\\x00", "bidi\\u{202E}evil",
             "\u00fcnic\u00f6de \u4e2d\u6587 \U0001F600"):
    if want not in names:
        problems.append("inspect names.st: %r not shown whole" % want)
if "\u202e" in names:
    problems.append("inspect names.st: raw bidi override printed")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF

# -------------------------------------------- pread instead of mmap
for args in "validate --json $all_files" "validate --compat $all_files" \
            "inspect valid.st" "inspect names.st" "inspect sizemismatch.st"; do
    # shellcheck disable=SC2086
    "$TP" $args >"$T/m.out" 2>"$T/m.err"
    rc_m=$?
    # shellcheck disable=SC2086
    TENSORPROOF_NO_MMAP=1 "$TP" $args >"$T/p.out" 2>"$T/p.err"
    rc_p=$?
    if [ "$rc_m" -eq "$rc_p" ] && cmp -s "$T/m.out" "$T/p.out" && cmp -s "$T/m.err" "$T/p.err"; then
        ok
    else
        bad "TENSORPROOF_NO_MMAP=1 changes the result of: $args"
    fi
done
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
    # The dynamic loader maps and preads too: look for calls whose length
    # is the test file's size.
    size=$(wc -c <valid.st | tr -d ' ')
    map="mmap(NULL, $size, PROT_READ, MAP_PRIVATE, "
    rd="pread64(.*, $size, 0) = $size"
    strace -e trace=mmap,pread64 -o "$T/trace.m" "$TP" validate valid.st >/dev/null 2>&1
    TENSORPROOF_NO_MMAP=1 strace -e trace=mmap,pread64 -o "$T/trace.p" "$TP" validate valid.st >/dev/null 2>&1
    if grep -qF "$map" "$T/trace.m" && ! grep -q "$rd" "$T/trace.m"; then ok
    else bad "default path does not map the file"; fi
    if grep -q "$rd" "$T/trace.p" && ! grep -qF "$map" "$T/trace.p"; then ok
    else bad "TENSORPROOF_NO_MMAP=1 does not read with pread"; fi
else
    skipped "mmap/pread system call check (strace unavailable)"
fi

echo "cli_test: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
