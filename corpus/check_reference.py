#!/usr/bin/env python3
"""Re-check every verdict recorded in corpus/manifest.json against the reference.

    python3 corpus/check_reference.py [--corpus DIR] [--repeat N] [-v]
    (or: make corpus-reference)

Needs safetensors==0.8.0 (pip install safetensors==0.8.0 numpy). For each
reader case it runs `safetensors.deserialize` on the file, N times (default
3; ties between tensors make the reference's order random, so a verdict that
changes between runs is reported), and checks:

  rejected  the error kind (from the message text, see refkind.py) equals the
            manifest's compat reference_error, and for InvalidOffset the
            tensor named in the message equals the recorded one, if any;
  accepted  the manifest expects acceptance in compat mode; the names,
            dtypes and shapes equal the recorded table; the bytes the
            reference returns for each tensor equal the file bytes at the
            recorded data_offsets (the data sections are random, so a wrong
            offset shows); the metadata from `safe_open(...).metadata()`
            equals the recorded metadata (None for none).

For writer cases it serialises the input with the reference writer
(`safetensors.serialize`) where the manifest says the reference can write it,
and compares bytes ("same") or everything but the metadata member order
("metadata-order"). The recorded reference defects are confirmed too.

Exit status 0 when everything agrees, 1 on any disagreement, 2 when the
reference is missing or has another version (--any-version to go on).
"""

import argparse
import ctypes
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import refkind  # noqa: E402

EXPECTED_VERSION = "0.8.0"

# Reference writer dtype spellings (TensorSpec takes framework-style names).
SPEC_DTYPE = {
    "BOOL": "bool", "U8": "uint8", "I8": "int8", "I16": "int16", "U16": "uint16",
    "I32": "int32", "U32": "uint32", "I64": "int64", "U64": "uint64", "F16": "float16",
    "F32": "float32", "F64": "float64", "BF16": "bfloat16", "C64": "complex64",
    "F8_E4M3": "float8_e4m3fn", "F8_E4M3FNUZ": "float8_e4m3fnuz", "F8_E5M2": "float8_e5m2",
    "F8_E5M2FNUZ": "float8_e5m2fnuz", "F8_E8M0": "float8_e8m0fnu", "F4": "float4_e2m1fn_x2",
}


def load_manifest(corpus):
    with open(os.path.join(corpus, "manifest.json"), encoding="utf-8") as f:
        man = json.load(f)
    for c in man["cases"]:
        if c.get("table_file"):
            with open(os.path.join(corpus, c["table_file"]), encoding="utf-8") as f:
                c["table"] = json.load(f)
    return man


def reference_outcome(st, blob):
    """("accept", result) or ("reject", (kind, name, message))."""
    try:
        return "accept", st.deserialize(blob)
    except st.SafetensorError as e:
        kind, name = refkind.kind_of(str(e))
        return "reject", (kind, name, str(e))


def check_reader(st, corpus, c, repeat):
    problems = []
    path = os.path.join(corpus, c["file"])
    with open(path, "rb") as f:
        blob = f.read()
    exp = c["compat"]
    outcomes = set()
    first = None
    for _ in range(repeat):
        verdict, res = reference_outcome(st, blob)
        if verdict == "accept":
            key = (verdict,)
        else:  # with tied offsets the reported name may vary; the kind may not
            key = (verdict, res[0], res[1] if "tensor" in exp else None)
        outcomes.add(key)
        if first is None:
            first = (verdict, res)
    if len(outcomes) > 1:
        problems.append("the reference is not deterministic here: %s" % sorted(outcomes, key=str))
    verdict, res = first
    if verdict == "reject":
        kind, name, msg = res
        if kind is None:
            problems.append("unrecognised reference message: %r" % msg)
        elif exp["verdict"] != "reject":
            problems.append("manifest: compat accepts; reference: %s (%s)" % (kind, msg))
        elif kind != exp["reference_error"]:
            problems.append("manifest: %s; reference: %s (%s)" % (exp["reference_error"], kind, msg))
        elif "tensor" in exp and exp["tensor"] != name:
            problems.append("manifest names tensor %r; reference names %r" % (exp["tensor"], name))
        return problems
    if exp["verdict"] != "accept":
        return ["manifest: compat rejects with %s; the reference accepts" % exp["reference_error"]]
    table = c["table"]
    n = struct.unpack("<Q", blob[:8])[0]
    if table["header_len"] != n or table["data_len"] != len(blob) - 8 - n:
        problems.append("header_len/data_len differ from the file")
    ref = {name: info for name, info in res}
    rec = {t["name"]: t for t in table["tensors"]}
    if set(ref) != set(rec):
        only_ref = sorted(set(ref) - set(rec))[:5]
        only_rec = sorted(set(rec) - set(ref))[:5]
        problems.append("tensor names differ: only reference %r, only manifest %r" % (only_ref, only_rec))
        return problems
    base = 8 + n
    for name, t in rec.items():
        info = ref[name]
        if info["dtype"] != t["dtype"] or list(info["shape"]) != t["shape"]:
            problems.append("tensor %r: reference %s%s, manifest %s%s" % (
                name, info["dtype"], info["shape"], t["dtype"], t["shape"]))
        b, e = t["data_offsets"]
        if bytes(info["data"]) != blob[base + b:base + e]:
            problems.append("tensor %r: the reference's bytes are not file[%d:%d]" % (name, b, e))
        if len(problems) > 5:
            break
    try:
        with st.safe_open(path, framework="numpy") as f:
            meta = f.metadata()
    except Exception as e:  # noqa: BLE001 - report anything
        problems.append("safe_open failed on an accepted file: %s" % e)
        return problems
    if meta != table["metadata"]:
        problems.append("metadata: reference %r, manifest %r" % (
            None if meta is None else dict(list(meta.items())[:3]),
            None if table["metadata"] is None else dict(list(table["metadata"].items())[:3])))
    return problems


def serialize_reference(st, desc):
    """The reference writer's bytes for a writer input description."""
    keep = []
    specs = {}
    for t in desc["tensors"]:
        data = bytes.fromhex(t["data"])
        buf = ctypes.create_string_buffer(data, max(len(data), 1))
        keep.append(buf)
        shape = list(t["shape"])
        if t["dtype"] == "F4":       # TensorSpec takes the packed storage shape
            shape[-1] //= 2
        specs[t["name"]] = st.TensorSpec(dtype=SPEC_DTYPE[t["dtype"]], shape=shape,
                                         data_ptr=ctypes.addressof(buf), data_len=len(data))
    meta = None if desc["metadata"] is None else {k: v for k, v in desc["metadata"]}
    return bytes(st.serialize(specs, metadata=meta))


def split(blob):
    n = struct.unpack("<Q", blob[:8])[0]
    return n, blob[8:8 + n], blob[8 + n:]


def check_writer(st, corpus, c):
    with open(os.path.join(corpus, c["input"]), encoding="utf-8") as f:
        desc = json.load(f)
    how = c["reference_writer"]
    expected = None
    if c.get("file"):
        with open(os.path.join(corpus, c["file"]), "rb") as f:
            expected = f.read()
    if how == "same":
        got = serialize_reference(st, desc)
        return [] if got == expected else ["reference writer bytes differ: %r" % got[:120]]
    if how == "metadata-order":
        got = serialize_reference(st, desc)
        ng, hg, dg = split(got)
        ne, he, de = split(expected)
        if ng != ne or dg != de:
            return ["reference writer: header length or data differ"]
        if json.loads(hg) != json.loads(he):
            return ["reference writer: header differs beyond the metadata order"]
        return []
    if how.startswith("the reference writes the unreadable header"):
        got = serialize_reference(st, desc)
        _, hg, _ = split(got)
        if not hg.startswith(b'{},"__metadata__":{}}'):
            return ["the recorded reference defect did not occur: %r" % hg]
        return []
    if how == "the reference writes an unreadable file":
        got = serialize_reference(st, desc)
        verdict, _ = reference_outcome(st, got)
        return [] if verdict == "reject" else ["the reference read back its own file"]
    return None  # not comparable: skipped


def main():
    ap = argparse.ArgumentParser(description="Check the corpus manifest against the reference.")
    ap.add_argument("--corpus", default=HERE)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--any-version", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    try:
        import safetensors as st
    except ImportError:
        print("check_reference: safetensors is not installed "
              "(pip install safetensors==%s numpy)" % EXPECTED_VERSION, file=sys.stderr)
        return 2
    if st.__version__ != EXPECTED_VERSION and not args.any_version:
        print("check_reference: safetensors %s found, %s expected" % (st.__version__, EXPECTED_VERSION),
              file=sys.stderr)
        return 2
    man = load_manifest(args.corpus)
    bad = 0
    counts = {"reader": 0, "writer": 0, "skipped": 0}
    for c in man["cases"]:
        if c["kind"] == "writer":
            problems = check_writer(st, args.corpus, c)
            if problems is None:
                counts["skipped"] += 1
                problems = []
            else:
                counts["writer"] += 1
            if not problems and c.get("file"):
                problems = check_reader(st, args.corpus, c, args.repeat)
        else:
            counts["reader"] += 1
            problems = check_reader(st, args.corpus, c, args.repeat)
        if problems:
            bad += 1
            print("DISAGREE %s: %s" % (c["id"], "; ".join(problems)))
        elif args.verbose:
            print("ok %s" % c["id"])
    print("check_reference: safetensors %s; %d reader files, %d writer outputs compared "
          "(%d writer cases not comparable); %d disagreement(s)"
          % (st.__version__, counts["reader"], counts["writer"], counts["skipped"], bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
