#!/usr/bin/env python3
"""Confirm the unit tests' compat expectations with the reference.

    python3 tests/unit/oracle_check.py DIR

DIR holds what the unit tests wrote when run with UT_ORACLE_DIR=DIR: for
each file whose compat-mode outcome a test asserted, HASH.st (the file) and
HASH.exp (the outcome):

    OK                                  accepted, followed by the table:
    T <name-hex> <DTYPE> <begin> <end> <dims|->   one line per live tensor
    H <0|1>                             __metadata__ present and not null
    M <key-hex> <value-hex>             one line per live metadata pair

    <Kind>                              refused with this reference error kind
    N <name-hex>                        (InvalidOffset) the tensor reported

The reference is safetensors 0.8.0: `safetensors.deserialize` gives the
verdict, the error kind (recovered from the error's display text), the
accepted tensors (name, dtype, shape, bytes) and, through `safe_open`, the
metadata. An empty name is written as "-". Exit status 1 on any mismatch.
"""

import os
import struct
import sys
import tempfile

import safetensors

# Display texts of the reference's errors -> error kind. A message that
# matches none of them is reported, never guessed.
KIND_TEXT = [
    ("header too small", "HeaderTooSmall"),
    ("header too large", "HeaderTooLarge"),
    ("invalid header length", "InvalidHeaderLength"),
    ("invalid UTF-8 in header", "InvalidHeader"),
    ("invalid JSON in header", "InvalidHeaderDeserialization"),
    ("invalid offset for tensor `", "InvalidOffset"),
    ("overflow computing buffer size", "ValidationOverflow"),
    ("The slice is slicing for subbytes dtypes", "MisalignedSlice"),
    ("invalid shape, data type, or offset for tensor", "TensorInvalidInfo"),
    ("incomplete metadata, file not fully covered", "MetadataIncompleteBuffer"),
]
PREFIX = "Error while deserializing: "


def reference_kind(message):
    """(kind, tensor name or None) from a SafetensorError message."""
    body = message[len(PREFIX):] if message.startswith(PREFIX) else message
    for text, kind in KIND_TEXT:
        if body.startswith(text):
            name = None
            if kind == "InvalidOffset" and body.endswith("`"):
                name = body[len(text):-1]
            return kind, name
    return None, None


def unhex(text):
    return b"" if text == "-" else bytes.fromhex(text)


def parse_exp(text):
    lines = text.splitlines()
    exp = {"verdict": lines[0], "tensors": {}, "meta": {}, "has_meta": None, "name": None}
    for line in lines[1:]:
        f = line.split(" ")
        if f[0] == "T":
            dims = [] if f[5] == "-" else [int(x) for x in f[5].split(",")]
            exp["tensors"][unhex(f[1])] = (f[2], int(f[3]), int(f[4]), dims)
        elif f[0] == "H":
            exp["has_meta"] = f[1] == "1"
        elif f[0] == "M":
            exp["meta"][unhex(f[1])] = unhex(f[2])
        elif f[0] == "N":
            exp["name"] = unhex(f[1])
        else:
            raise ValueError("bad expectation line: %r" % line)
    return exp


def reference_metadata(data):
    """The metadata map as the reference reads it (None when absent/null)."""
    from safetensors import safe_open  # needs numpy for the "np" framework
    fd, path = tempfile.mkstemp(suffix=".safetensors")
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
        with safe_open(path, framework="np") as f:
            return f.metadata()
    finally:
        os.unlink(path)


def check_accept(data, exp, problems, tag):
    try:
        got = safetensors.deserialize(data)
    except Exception as e:  # the reference refuses what the test accepts
        problems.append("%s: expected OK, reference says %s" % (tag, e))
        return
    n = struct.unpack("<Q", data[:8])[0]
    base = 8 + n
    ref = {name.encode("utf-8", "surrogatepass"): info for name, info in got}
    if set(ref) != set(exp["tensors"]):
        problems.append("%s: tensor names differ: reference %r, test %r"
                        % (tag, sorted(ref), sorted(exp["tensors"])))
        return
    for name, (dtype, begin, end, dims) in exp["tensors"].items():
        info = ref[name]
        if info["dtype"] != dtype or list(info["shape"]) != dims:
            problems.append("%s: tensor %r: reference %s %r, test %s %r"
                            % (tag, name, info["dtype"], info["shape"], dtype, dims))
        elif bytes(info["data"]) != data[base + begin:base + end]:
            problems.append("%s: tensor %r: data bytes differ (offsets [%d, %d])"
                            % (tag, name, begin, end))
    meta = reference_metadata(data)
    if exp["has_meta"] is not None:
        if (meta is not None) != exp["has_meta"]:
            problems.append("%s: metadata presence: reference %r, test %r"
                            % (tag, meta, exp["has_meta"]))
            return
    got_meta = {} if meta is None else {k.encode("utf-8", "surrogatepass"):
                                        v.encode("utf-8", "surrogatepass")
                                        for k, v in meta.items()}
    if got_meta != exp["meta"]:
        problems.append("%s: metadata: reference %r, test %r" % (tag, got_meta, exp["meta"]))


def check_reject(data, exp, problems, tag):
    try:
        safetensors.deserialize(data)
    except Exception as e:
        kind, name = reference_kind(str(e))
        if kind is None:
            problems.append("%s: unrecognised reference message %r" % (tag, str(e)))
        elif kind != exp["verdict"]:
            problems.append("%s: expected %s, reference says %s (%s)"
                            % (tag, exp["verdict"], kind, e))
        elif exp["name"] is not None and name is not None and \
                name.encode("utf-8", "surrogatepass") != exp["name"]:
            problems.append("%s: InvalidOffset for %r, test reports %r"
                            % (tag, name, exp["name"]))
        return
    problems.append("%s: expected %s, reference accepts" % (tag, exp["verdict"]))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    names = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".exp"))
    problems = []
    counts = {}
    for h in names:
        with open(os.path.join(d, h + ".st"), "rb") as fp:
            data = fp.read()
        with open(os.path.join(d, h + ".exp"), "r", encoding="ascii") as fp:
            exp = parse_exp(fp.read())
        counts[exp["verdict"]] = counts.get(exp["verdict"], 0) + 1
        if exp["verdict"] == "OK":
            check_accept(data, exp, problems, h)
        else:
            check_reject(data, exp, problems, h)
    for p in problems:
        print("oracle mismatch:", p)
    summary = ", ".join("%s %d" % kv for kv in sorted(counts.items()))
    print("oracle check: %d files (%s), %d mismatches" % (len(names), summary, len(problems)))
    if not names:
        print("oracle check: no expectations were written")
        sys.exit(1)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
