#!/usr/bin/env python3
"""The reference side of the differential test: safetensors 0.8.0.

    python3 tests/diff/oracle.py DIR [--out FILE]   judge DIR/*.safetensors
    python3 tests/diff/oracle.py --selftest         check the message parser

What is taken from the reference, and how
-----------------------------------------
* Verdict and error kind: `safetensors.deserialize(bytes)`, in process. The
  Python binding formats errors as "Error while deserializing: <Display>"
  (safe_open uses "Error while deserializing header: <Display>"), where
  <Display> is the crate's Display text, not the variant name. The kind is
  recovered by matching that text (KIND_TEXT below); a message that matches
  nothing is an oracle failure, never a guess. For InvalidOffset the message
  also carries the tensor name ("invalid offset for tensor `NAME`").
  `--selftest` provokes each of the ten kinds on real messages.
* Accepted files, tensor table: names, dtypes and shapes come from
  `deserialize`'s result. The reference does not expose offsets, so they are
  taken from the header JSON under the reference's rules (last duplicate
  wins, `__metadata__` after escape decoding, array-form entries, object
  dtypes) and then confirmed against the reference: the set of names, every
  dtype and shape must equal `deserialize`'s, and the bytes the reference
  returns for each tensor must equal file[8+N+begin : 8+N+end] (the data
  sections are random bytes, so a wrong offset shows). Any disagreement is
  an oracle failure.
* Accepted files, metadata: `safe_open(path, "np").metadata()` (None when
  absent or null, else the string map after last-wins), confirmed against
  the header JSON the same way.
* header_len = N from the prefix, data_len = file length - 8 - N.

Tied offsets
------------
The reference collects tensors from a HashMap (random iteration order per
map) and stable-sorts them by (begin, end), so tensors with equal offsets
are checked in a random order, and when they would fail differently the
reported kind varies from run to run (observed: the same file gives
MisalignedSlice or TensorInvalidInfo in one process). For every file whose
rejection comes from the validation stage, a model of the reference's
validation loop enumerates the outcomes over all orders of tied tensors;
`kinds` (and `names` for InvalidOffset) list the plausible outcomes. The
reference's own outcome must be among them (else oracle failure), and the
implementation under test may give any of them. Without ties the set has
exactly one element and must equal the reference's kind and name.
"""

import argparse
import itertools
import json
import os
import struct
import sys

import safetensors

U64_MAX = (1 << 64) - 1

BITS = {
    "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8, "F8_E5M2": 8,
    "F8_E4M3": 8, "F8_E8M0": 8, "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16,
    "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64,
    "U64": 64,
}

KINDS = ["HeaderTooSmall", "HeaderTooLarge", "InvalidHeaderLength", "InvalidHeader",
         "InvalidHeaderDeserialization", "InvalidOffset", "ValidationOverflow",
         "MisalignedSlice", "TensorInvalidInfo", "MetadataIncompleteBuffer"]

# Display texts of the reference's SafeTensorError (safetensors/src/tensor.rs).
# (text, kind, exact): exact texts must match the whole message body,
# the others are prefixes followed by details.
KIND_TEXT = [
    ("header too small", "HeaderTooSmall", True),
    ("header too large", "HeaderTooLarge", True),
    ("invalid header length", "InvalidHeaderLength", True),
    ("invalid UTF-8 in header: ", "InvalidHeader", False),
    ("invalid JSON in header: ", "InvalidHeaderDeserialization", False),
    ("invalid offset for tensor `", "InvalidOffset", False),
    ("overflow computing buffer size from shape and/or element type", "ValidationOverflow", True),
    ("The slice is slicing for subbytes dtypes, and the slice does not end up at a byte "
     "boundary, this is invalid.", "MisalignedSlice", True),
    ("invalid shape, data type, or offset for tensor", "TensorInvalidInfo", True),
    ("incomplete metadata, file not fully covered", "MetadataIncompleteBuffer", True),
]
PREFIXES = ("Error while deserializing header: ", "Error while deserializing: ")
VALIDATION_KINDS = ("InvalidOffset", "ValidationOverflow", "MisalignedSlice",
                    "TensorInvalidInfo", "MetadataIncompleteBuffer")


class OracleError(Exception):
    pass


def parse_kind(message):
    """(kind, tensor name or None) from a SafetensorError message."""
    body = None
    for p in PREFIXES:
        if message.startswith(p):
            body = message[len(p):]
            break
    if body is None:
        raise OracleError("unrecognised reference message: %r" % message[:200])
    # A Debug-formatted message ("Kind" or "Kind(...)") names the kind itself.
    for k in KINDS:
        if body == k or body.startswith(k + "("):
            return k, None
    for text, kind, exact in KIND_TEXT:
        if (exact and body == text) or (not exact and body.startswith(text)):
            name = None
            if kind == "InvalidOffset":
                if not body.endswith("`"):
                    raise OracleError("unterminated tensor name in %r" % message[:200])
                name = body[len(text):-1]
            return kind, name
    raise OracleError("unrecognised reference message: %r" % message[:200])


# ---- a model of the reference's header reading, for accepted headers ----

class Obj(list):
    """A JSON object as its list of (key, value) pairs, duplicates kept."""


def _parse_int(s):
    # Python 3.11 refuses int() of more than 4300 digits; only shape and
    # offset integers (at most 20 digits when accepted) are ever needed.
    return int(s) if len(s) <= 40 else ("bigint", s)


def model_header(hbytes):
    """(tensors, metadata) as the reference sees an accepted header:
    tensors = {name: (dtype, shape, begin, end)} after last-wins,
    metadata = None or {key: value} after last-wins."""
    v = json.loads(hbytes.decode("utf-8"), object_pairs_hook=Obj, parse_int=_parse_int,
                   parse_float=str)
    if not isinstance(v, Obj):
        raise OracleError("model: top level is not an object")
    tensors = {}
    metadata = None
    for key, val in v:
        if key == "__metadata__":
            metadata = None if val is None else {k: s for k, s in val}
            continue
        if isinstance(val, Obj):
            f = {k: x for k, x in val}
            dtype, shape, offs = f["dtype"], f["shape"], f["data_offsets"]
        else:
            dtype, shape, offs = val
        if isinstance(dtype, Obj):
            dtype = dtype[0][0]
        tensors[key] = (dtype, list(shape), offs[0], offs[1])
    return tensors, metadata


def tensor_fault(dtype, shape, begin, end):
    """The size checks of one tensor, in the reference's order; None if fine."""
    n = 1
    for d in shape:
        n *= d
        if n > U64_MAX:
            return "ValidationOverflow"
    bits = n * BITS[dtype]
    if bits > U64_MAX:
        return "ValidationOverflow"
    if bits % 8:
        return "MisalignedSlice"
    if end - begin != bits // 8:
        return "TensorInvalidInfo"
    return None


def model_validate(tensors, n, file_len):
    """Outcomes of the reference's validation over every order of tied
    tensors: a list of (kind or "ok", name or None), deduplicated."""
    items = sorted(((b, e, name, dt, sh) for name, (dt, sh, b, e) in tensors.items()),
                   key=lambda t: (t[0], t[1]))
    running = 0
    for (b, e), grp in itertools.groupby(items, key=lambda t: (t[0], t[1])):
        grp = list(grp)
        if b != running or e < b:
            return [("InvalidOffset", t[2]) for t in grp]
        faults = [(tensor_fault(t[3], t[4], b, e), t[2]) for t in grp]
        failing = [(k, None) for k, _ in faults if k]
        passing = [nm for k, nm in faults if not k]
        if b == e or len(grp) == 1:
            if failing:
                return sorted(set(failing), key=str)
            running = e
            continue
        # b < e, several tensors: the first one checked either fails its size
        # checks, or passes and the next one (any other) fails the offset check.
        out = set(failing)
        for _, q in faults:
            if any(p != q for p in passing):
                out.add(("InvalidOffset", q))
        return sorted(out, key=str)
    if (running + 8 + n) & U64_MAX != file_len:
        return [("MetadataIncompleteBuffer", None)]
    return [("ok", None)]


# ---- judging one file ---------------------------------------------------

def judge(path, blob=None):
    if blob is None:
        with open(path, "rb") as f:
            blob = f.read()
    r = {"file": path, "valid": False, "kind": None, "tensor": None, "message": None,
         "kinds": None, "names": None, "table": None, "metadata": None,
         "header_len": None, "data_len": None, "oracle_error": None}
    try:
        ref = safetensors.deserialize(blob)
    except safetensors.SafetensorError as exc:
        r["message"] = str(exc)
        try:
            r["kind"], r["tensor"] = parse_kind(str(exc))
        except OracleError as oe:
            r["oracle_error"] = str(oe)
            return r
        r["kinds"] = [r["kind"]]
        if r["tensor"] is not None:
            r["names"] = [r["tensor"]]
        if r["kind"] in VALIDATION_KINDS:
            _check_model_reject(r, blob)
        return r
    r["valid"] = True
    n = struct.unpack("<Q", blob[:8])[0]
    r["header_len"] = n
    r["data_len"] = len(blob) - 8 - n
    try:
        tensors, meta = model_header(blob[8:8 + n])
        outcomes = model_validate(tensors, n, len(blob))
        if outcomes != [("ok", None)]:
            raise OracleError("model predicts %r for a file the reference accepts" % outcomes)
        refmap = {}
        for name, info in ref:
            refmap[name] = info
        if sorted(refmap) != sorted(tensors):
            raise OracleError("model names %r != reference names %r"
                              % (sorted(tensors)[:5], sorted(refmap)[:5]))
        base = 8 + n
        table = []
        for name, (dt, sh, b, e) in tensors.items():
            info = refmap[name]
            if info["dtype"] != dt or list(info["shape"]) != sh:
                raise OracleError("model %r: %s %r != reference %s %r"
                                  % (name, dt, sh, info["dtype"], info["shape"]))
            if bytes(info["data"]) != blob[base + b:base + e]:
                raise OracleError("model offsets [%d,%d] of %r disagree with the reference's data"
                                  % (b, e, name))
            table.append({"name": name, "dtype": dt, "shape": sh, "data_offsets": [b, e]})
        table.sort(key=lambda t: (t["data_offsets"], t["name"].encode("utf-8")))
        r["table"] = table
        with safetensors.safe_open(path, framework="np") as f:
            refmeta = f.metadata()
        if refmeta != meta:
            raise OracleError("model metadata %r != reference metadata %r" % (meta, refmeta))
        r["metadata"] = refmeta
    except (OracleError, KeyError, ValueError, TypeError, IndexError) as exc:
        r["oracle_error"] = "accepted file: %s: %s" % (type(exc).__name__, exc)
    return r


def _check_model_reject(r, blob):
    n = struct.unpack("<Q", blob[:8])[0]
    try:
        tensors, _ = model_header(blob[8:8 + n])
        outcomes = model_validate(tensors, n, len(blob))
    except (OracleError, KeyError, ValueError, TypeError, IndexError) as exc:
        r["oracle_error"] = "validation-stage reject: model failed: %s: %s" % (type(exc).__name__, exc)
        return
    kinds = sorted(set(k for k, _ in outcomes))
    if r["kind"] not in kinds:
        r["oracle_error"] = "model outcomes %r do not include the reference's %s" % (kinds, r["kind"])
        return
    r["kinds"] = kinds
    if r["kind"] == "InvalidOffset":
        names = sorted(set(nm for k, nm in outcomes if k == "InvalidOffset"))
        if r["tensor"] not in names:
            r["oracle_error"] = "model names %r do not include the reference's %r" % (names, r["tensor"])
            return
        r["names"] = names


def judge_dir(d, files=None):
    if files is None:
        files = sorted(f for f in os.listdir(d) if f.endswith(".safetensors"))
    return [judge(os.path.join(d, f)) for f in files]


# ---- self-test on real messages -------------------------------------------

def selftest():
    def mk(h, data=b"", n=None):
        hb = h.encode() if isinstance(h, str) else h
        return struct.pack("<Q", len(hb) if n is None else n) + hb + data
    e = '{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}'
    cases = [
        ("HeaderTooSmall", None, b"\x01\x00"),
        ("HeaderTooLarge", None, mk("{}", n=100000001)),
        ("InvalidHeaderLength", None, mk("{}", n=100000000)),
        ("InvalidHeader", None, mk(b'{"\xc0\x80":1}')),
        ("InvalidHeaderDeserialization", None, mk('{"a":1}')),
        ("InvalidOffset", "we`ird \u00e9", mk('{"we`ird \u00e9":%s}' % (e % ("U8", "[1]", 1, 2)), b"xx")),
        ("ValidationOverflow", None, mk('{"a":%s}' % (e % ("U8", "[9223372036854775808,2]", 0, 0)))),
        ("MisalignedSlice", None, mk('{"a":%s}' % (e % ("F4", "[3]", 0, 2)), b"xx")),
        ("TensorInvalidInfo", None, mk('{"a":%s}' % (e % ("U8", "[3]", 0, 2)), b"xx")),
        ("MetadataIncompleteBuffer", None, mk('{"a":%s}' % (e % ("U8", "[2]", 0, 2)), b"xxx")),
    ]
    bad = []
    for kind, name, blob in cases:
        try:
            safetensors.deserialize(blob)
            bad.append("%s: the reference accepted the file" % kind)
            continue
        except safetensors.SafetensorError as exc:
            msg = str(exc)
        try:
            got = parse_kind(msg)
        except OracleError as oe:
            bad.append("%s: %s" % (kind, oe))
            continue
        if got != (kind, name):
            bad.append("%s: parsed %r from %r" % (kind, got, msg))
    for msg in ("Error while deserializing: something new", "unrelated text",
                "Error while deserializing: invalid offset for tensor `a"):
        try:
            parse_kind(msg)
            bad.append("parse_kind accepted %r" % msg)
        except OracleError:
            pass
    # the tie model must predict both outcomes the reference shows
    tie = {"a": ("F4", [], 0, 0), "b": ("U8", [1], 0, 0)}
    if sorted(k for k, _ in model_validate(tie, 2, 10)) != ["MisalignedSlice", "TensorInvalidInfo"]:
        bad.append("tie model does not give both outcomes")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?")
    ap.add_argument("--out")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    if args.selftest or not args.dir:
        bad = selftest()
        for b in bad:
            print("oracle selftest: FAIL:", b)
        print("oracle selftest: %d kinds checked, %d failures" % (10, len(bad)))
        if bad or not args.dir:
            return 1 if bad else 0
    res = judge_dir(args.dir)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(res, f, ensure_ascii=True, indent=0)
    errs = [r for r in res if r["oracle_error"]]
    for r in errs:
        print("oracle error: %s: %s" % (r["file"], r["oracle_error"]))
    nvalid = sum(1 for r in res if r["valid"])
    print("oracle: %d files, %d accepted, %d rejected, %d oracle errors"
          % (len(res), nvalid, len(res) - nvalid, len(errs)))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
