#!/usr/bin/env python3
"""Differential test of the canonical writer against the reference writer.

    python3 tests/writer/diff_writer.py --cli build/tensorproof --out DIR
                                        [--sets N] [--seed S]

For each of N generated tensor sets (all 22 dtypes, unicode names and names
with every kind of JSON escape including control characters, scalars,
zero-size tensors, metadata absent / {} / one key / several keys) the
script writes the tensor bytes to raw files, describes them in a manifest
and runs `tensorproof pack MANIFEST OUT`. The output must be byte-identical
to what the reference (safetensors 0.8.0) writes for the same tensors:
`safetensors.numpy.save` when every dtype has a numpy equivalent, otherwise
`safetensors.serialize` with TensorSpec over raw bytes (BF16, F8_*, F4 as
float4_e2m1fn_x2 with its packed storage shape).

Where the reference cannot be asked, the comparison goes through a model of
the reference's layout written here (`model_file`). The model is itself
checked against the reference on every set the reference can write, so it
is only trusted after agreeing with the oracle on hundreds of sets:
  - F6_E2M3 / F6_E3M2 (the Python binding has no name for them) and F4 with
    an odd last dimension (not expressible as a packed storage shape);
  - several metadata keys: the reference's key order is random (HashMap);
    its output must equal ours once its keys are sorted, and ours equals
    the model;
  - no tensors with an empty metadata map: the reference writes an
    unreadable header there; ours must be the model's and readable.
Every output is also read back with the reference (`deserialize`), which
must return the same tensors, bytes and metadata.

Then `tensorproof normalize` (strict and compat) must reproduce each
canonical file byte for byte (write(parse(f)) == f), and must turn a
scrambled, valid but non-canonical layout of the same tensors into the
canonical file. Finally the refusals: names the reference mis-writes or
panics on, sizes off a byte boundary, manifest errors with their offsets,
and a short source file; each must fail with exit status 1, the right
message, and no output file.

Exit status 0 when everything agrees; the last line is a summary.
"""

import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys

import numpy as np
import safetensors
import safetensors.numpy as stnp

# ST-DTYPE-1: declaration order, bits.
DTYPES = [
    ("BOOL", 8), ("F4", 4), ("F6_E2M3", 6), ("F6_E3M2", 6), ("U8", 8),
    ("I8", 8), ("F8_E5M2", 8), ("F8_E4M3", 8), ("F8_E8M0", 8),
    ("F8_E4M3FNUZ", 8), ("F8_E5M2FNUZ", 8), ("I16", 16), ("U16", 16),
    ("F16", 16), ("BF16", 16), ("I32", 32), ("U32", 32), ("F32", 32),
    ("C64", 64), ("F64", 64), ("I64", 64), ("U64", 64),
]
RANK = {d: i for i, (d, _) in enumerate(DTYPES)}
BITS = dict(DTYPES)

NUMPY = {
    "BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16,
    "U16": np.uint16, "F16": np.float16, "I32": np.int32, "U32": np.uint32,
    "F32": np.float32, "C64": np.complex64, "F64": np.float64,
    "I64": np.int64, "U64": np.uint64,
}
# Names the reference's TensorSpec accepts (framework dtype names).
SPEC_NAME = {
    "BOOL": "bool", "U8": "uint8", "I8": "int8", "I16": "int16",
    "U16": "uint16", "F16": "float16", "BF16": "bfloat16", "I32": "int32",
    "U32": "uint32", "F32": "float32", "C64": "complex64", "F64": "float64",
    "I64": "int64", "U64": "uint64", "F8_E5M2": "float8_e5m2",
    "F8_E4M3": "float8_e4m3fn", "F8_E8M0": "float8_e8m0fnu",
    "F8_E4M3FNUZ": "float8_e4m3fnuz", "F8_E5M2FNUZ": "float8_e5m2fnuz",
    "F4": "float4_e2m1fn_x2",
}

PIECES = [
    "a", "b", "Z", "0", ".", "_", "-", "layer", "weight", "\"", "\\", "/",
    "\x7f", "\x00", "\x01", "\x08", "\t", "\n", "\x0b", "\x0c", "\r", "\x1b",
    "\x1f", " ", "é", "ß", "\u2028", "\u200b", "\ufeff", "\uffff", "中文",
    "😀", "\U0010ffff", "__metadata__", "{", "}", ":", ",",
]


class Failure(Exception):
    pass


# ---------------------------------------------------------------- the model

def jstr(s):
    """ST-WRITE-4: serde_json's escaping."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\r":
            out.append("\\r")
        elif c < 0x20:
            out.append("\\u%04x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical_order(tensors):
    """ST-WRITE-1: dtype descending, then name by UTF-8 bytes."""
    return sorted(tensors, key=lambda t: (-RANK[t["dtype"]], t["name"].encode()))


def model_file(tensors, metadata):
    """The reference's layout (ST-WRITE-1..5), metadata keys sorted."""
    parts = []
    if metadata is not None:
        items = sorted(metadata.items(), key=lambda kv: kv[0].encode())
        parts.append(jstr("__metadata__") + ":{" +
                     ",".join(jstr(k) + ":" + jstr(v) for k, v in items) + "}")
    off = 0
    data = []
    for t in canonical_order(tensors):
        n = len(t["data"])
        parts.append(jstr(t["name"]) + ':{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}'
                     % (t["dtype"], ",".join(str(d) for d in t["shape"]), off, off + n))
        off += n
        data.append(t["data"])
    header = ("{" + ",".join(parts) + "}").encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + b"".join(data)


# ---------------------------------------------------------- the reference

def reference_file(tensors, metadata):
    """What the reference writes, or None where it cannot be asked."""
    if any(t["dtype"] not in SPEC_NAME for t in tensors):
        return None
    for t in tensors:
        if t["dtype"] == "F4" and (not t["shape"] or t["shape"][-1] % 2):
            return None
    if all(t["dtype"] in NUMPY for t in tensors):
        arrays = {}
        for t in tensors:
            a = np.frombuffer(t["data"], dtype=NUMPY[t["dtype"]])
            arrays[t["name"]] = a.reshape(t["shape"])
        return stnp.save(arrays, metadata)
    keep = []
    specs = {}
    for t in tensors:
        buf = np.frombuffer(bytearray(t["data"]) or bytearray(1), dtype=np.uint8)
        keep.append(buf)
        shape = list(t["shape"])
        if t["dtype"] == "F4":
            shape[-1] //= 2          # packed storage shape; the spec doubles it
        specs[t["name"]] = safetensors.TensorSpec(
            dtype=SPEC_NAME[t["dtype"]], shape=shape,
            data_ptr=buf.ctypes.data, data_len=len(t["data"]))
    out = bytes(safetensors.serialize(specs, metadata=metadata))
    del keep
    return out


def sort_reference_metadata(ref):
    """The reference's file with its metadata keys in byte order."""
    n = struct.unpack("<Q", ref[:8])[0]
    text = ref[8:8 + n].decode()
    prefix = '{"__metadata__":{'
    if not text.startswith(prefix):
        raise Failure("reference header does not start with __metadata__")
    # Keys and values are JSON strings; parse the object to find its end.
    dec = json.JSONDecoder()
    obj, end = dec.raw_decode(text, len('{"__metadata__":'))
    rest = text[end:]
    items = sorted(obj.items(), key=lambda kv: kv[0].encode())
    body = "{" + ",".join(jstr(k) + ":" + jstr(v) for k, v in items) + "}"
    return ref[:8] + ('{"__metadata__":' + body + rest).encode() + ref[8 + n:]


def read_back(blob):
    """Tensors and metadata of a file, through the reference reader."""
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", None)
    got = {}
    for name, view in safetensors.deserialize(blob):
        got[name] = (view["dtype"], list(view["shape"]), bytes(view["data"]))
    return got, meta


# ------------------------------------------------------------- generation

def gen_name(rng):
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 5)))


def gen_shape(rng, dtype):
    while True:
        rank = rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4])
        shape = [rng.choice([0, 1, 1, 2, 3, 4, 5, 7, 8, 16]) for _ in range(rank)]
        nelem = 1
        for d in shape:
            nelem *= d
        if (nelem * BITS[dtype]) % 8 == 0:
            if dtype == "F4" and rank > 0 and shape[-1] % 2 and rng.random() < 0.7:
                continue     # mostly shapes the reference can be asked about
            return shape, nelem * BITS[dtype] // 8


def gen_set(rng, k):
    kind = k % 10
    if kind == 0:
        dtypes = [d for d in NUMPY]              # numpy.save path
    elif kind == 1:
        dtypes = ["F6_E2M3", "F6_E3M2", "F4", "U8"]
    else:
        # Every dtype the reference can be asked about (F6 lives in kind 1).
        dtypes = [d for d, _ in DTYPES if not d.startswith("F6")]
    n = rng.choice([0, 1, 1, 2, 3, 4, 6, 9, 14]) if k % 37 else 0
    tensors = []
    names = set()
    while len(tensors) < n:
        name = gen_name(rng)
        if name in names or name == "__metadata__":
            continue
        names.add(name)
        dtype = rng.choice(dtypes)
        shape, size = gen_shape(rng, dtype)
        if dtype == "BOOL":
            data = bytes(rng.choice([0, 1]) for _ in range(size))
        else:
            data = rng.randbytes(size)
        tensors.append({"name": name, "dtype": dtype, "shape": shape, "data": data})
    mk = rng.choice(["none", "none", "none", "empty", "one", "one", "one", "several"])
    if mk == "none":
        metadata = None
    elif mk == "empty":
        metadata = {}
    else:
        metadata = {}
        for _ in range(1 if mk == "one" else rng.randrange(2, 5)):
            metadata[gen_name(rng) or "k"] = gen_name(rng)
    return tensors, metadata


def write_manifest(rng, path, srcdir, tensors, metadata):
    """Raw source files: some tensors alone in a file, others packed into a
    shared blob at an offset (with junk around them)."""
    blob = bytearray(rng.randbytes(rng.randrange(0, 9)))
    entries = []
    for i, t in enumerate(tensors):
        entry = {"name": t["name"], "dtype": t["dtype"], "shape": t["shape"]}
        if rng.random() < 0.5:
            fname = "t%d.bin" % i
            with open(os.path.join(srcdir, fname), "wb") as f:
                f.write(t["data"])
            entry["file"] = os.path.join(os.path.basename(srcdir), fname)
        else:
            entry["file"] = os.path.join(os.path.basename(srcdir), "blob.bin")
            entry["offset"] = len(blob)
            blob += t["data"] + rng.randbytes(rng.randrange(0, 3))
        entries.append(entry)
    with open(os.path.join(srcdir, "blob.bin"), "wb") as f:
        f.write(blob)
    doc = {"tensors": entries}
    if metadata is not None or rng.random() < 0.2:
        doc["metadata"] = metadata           # null when None
    items = list(doc.items())
    rng.shuffle(items)
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(dict(items), ensure_ascii=rng.random() < 0.5,
                           indent=rng.choice([None, 1])))


def scrambled_file(rng, tensors, metadata):
    """A valid, non-canonical layout of the same tensors: shuffled order,
    spaces and newlines, dropped or null metadata markers, padding other
    than canonical. The reference must read it."""
    order = list(tensors)
    rng.shuffle(order)
    parts = []
    if metadata is not None:
        items = list(metadata.items())
        rng.shuffle(items)
        parts.append('"__metadata__" : {' + ", ".join(
            json.dumps(k) + ":" + json.dumps(v) for k, v in items) + "}")
    off = 0
    data = []
    for t in order:
        n = len(t["data"])
        parts.append('%s: {"data_offsets": [%d, %d], "shape": %s, "dtype": "%s"}'
                     % (json.dumps(t["name"], ensure_ascii=rng.random() < 0.5),
                        off, off + n, json.dumps(t["shape"]), t["dtype"]))
        off += n
        data.append(t["data"])
    rng.shuffle(parts)
    header = ("{\n " + ",\n ".join(parts) + "\n}").encode()
    header += b" " * rng.randrange(0, 11)
    return struct.pack("<Q", len(header)) + header + b"".join(data)


# ------------------------------------------------------------------ checks

def run(cli, *args):
    return subprocess.run([cli] + list(args), capture_output=True, timeout=120)


def check_readback(blob, tensors, metadata, what):
    got, meta = read_back(blob)
    want = {t["name"]: (t["dtype"], t["shape"], t["data"]) for t in tensors}
    if got != want:
        raise Failure("%s: reference reads different tensors" % what)
    if meta != metadata:
        raise Failure("%s: reference reads metadata %r, expected %r" % (what, meta, metadata))


def check_set(cli, rng, k, work, stats):
    tensors, metadata = gen_set(rng, k)
    setdir = os.path.join(work, "set%04d" % k)
    srcdir = os.path.join(setdir, "src")
    os.makedirs(srcdir)
    manifest = os.path.join(setdir, "manifest.json")
    out = os.path.join(setdir, "out.safetensors")
    write_manifest(rng, manifest, srcdir, tensors, metadata)
    r = run(cli, "pack", manifest, out)
    if r.returncode != 0:
        raise Failure("set %d: pack exit %d: %s" % (k, r.returncode, r.stderr.decode(errors="replace")))
    with open(out, "rb") as f:
        ours = f.read()
    model = model_file(tensors, metadata)
    if ours != model:
        raise Failure("set %d: output differs from the model" % k)
    several = metadata is not None and len(metadata) > 1
    empty_unreadable = not tensors and metadata == {}
    ref = None if empty_unreadable else reference_file(tensors, metadata)
    if ref is None:
        stats["model_only"] += 1
    elif several:
        if sort_reference_metadata(ref) != ours:
            raise Failure("set %d: differs from the reference (keys sorted)" % k)
        stats["reference_sorted_keys"] += 1
    else:
        if ref != ours:
            raise Failure("set %d: differs from the reference:\n ref %r\n our %r"
                          % (k, ref[:300], ours[:300]))
        stats["reference_exact"] += 1
    check_readback(ours, tensors, metadata, "set %d" % k)
    for t in tensors:
        stats["dtypes"].add(t["dtype"])
        if not t["shape"]:
            stats["scalars"] += 1
        if 0 in t["shape"]:
            stats["zero_size"] += 1
        if any(ord(c) < 0x20 for c in t["name"]):
            stats["control_names"] += 1
        if any(ord(c) > 0x7F for c in t["name"]):
            stats["unicode_names"] += 1
    stats["meta_" + ("none" if metadata is None else str(min(len(metadata), 2)))] += 1

    # write(parse(f)) == f, both modes; and a scrambled layout normalizes
    # to the canonical file.
    for mode in ("--strict", "--compat"):
        norm = os.path.join(setdir, "norm.safetensors")
        r = run(cli, "normalize", mode, out, norm)
        if r.returncode != 0:
            raise Failure("set %d: normalize %s exit %d: %s"
                          % (k, mode, r.returncode, r.stderr.decode(errors="replace")))
        with open(norm, "rb") as f:
            if f.read() != ours:
                raise Failure("set %d: normalize %s changed a canonical file" % (k, mode))
    scr = scrambled_file(rng, tensors, metadata)
    check_readback(scr, tensors, metadata, "set %d scrambled" % k)
    scr_path = os.path.join(setdir, "scrambled.safetensors")
    with open(scr_path, "wb") as f:
        f.write(scr)
    r = run(cli, "normalize", "--compat", scr_path, scr_path)   # in place
    if r.returncode != 0:
        raise Failure("set %d: normalize scrambled exit %d: %s"
                      % (k, r.returncode, r.stderr.decode(errors="replace")))
    with open(scr_path, "rb") as f:
        if f.read() != ours:
            raise Failure("set %d: normalize of a scrambled layout is not canonical" % k)
    stats["normalized"] += 3
    shutil.rmtree(setdir)


# ---------------------------------------------------------------- refusals

def expect_refusal(cli, work, name, doc, files, needle, offset=None):
    d = os.path.join(work, "refuse-" + name)
    os.makedirs(d)
    for fname, data in files.items():
        with open(os.path.join(d, fname), "wb") as f:
            f.write(data)
    manifest = os.path.join(d, "m.json")
    text = doc if isinstance(doc, str) else json.dumps(doc)
    with open(manifest, "w", encoding="utf-8") as f:
        f.write(text)
    if isinstance(offset, str):
        offset = text.encode().index(offset.encode())   # where it must point
    out = os.path.join(d, "out.safetensors")
    r = run(cli, "pack", manifest, out)
    err = r.stderr.decode(errors="replace")
    if r.returncode != 1:
        raise Failure("refusal %s: exit %d, expected 1: %s" % (name, r.returncode, err))
    if needle not in err:
        raise Failure("refusal %s: message lacks %r: %s" % (name, needle, err))
    if offset is not None and (": offset %d:" % offset) not in err:
        raise Failure("refusal %s: message lacks offset %d: %s" % (name, offset, err))
    if not err.startswith(manifest):
        raise Failure("refusal %s: message does not name the manifest: %s" % (name, err))
    if sorted(os.listdir(d)) != sorted(list(files) + ["m.json"]):
        raise Failure("refusal %s: left files behind: %r" % (name, os.listdir(d)))
    shutil.rmtree(d)


def check_refusals(cli, work):
    one = {"x.bin": b"\x01\x02\x03\x04"}
    t = lambda name, dtype="U8", shape=(1,), **kw: dict(
        {"name": name, "dtype": dtype, "shape": list(shape), "file": "x.bin"}, **kw)
    cases = [
        # The reference panics on duplicate names (a dict cannot hold them).
        ("dup", {"tensors": [t("a"), t("b"), t("a")]}, "ST_W_DUP_NAME", None),
        # The reference writes an unreadable file for this name.
        ("reserved", {"tensors": [t("__metadata__")]}, "ST_W_RESERVED_NAME", None),
        # F4 scalar: 4 bits (the reference refuses too).
        ("f4-scalar", {"tensors": [t("f", "F4", ())]}, "ST_W_MISALIGNED", None),
        ("f6-odd", {"tensors": [t("f", "F6_E2M3", (3,))]}, "ST_W_MISALIGNED", None),
        ("dup-meta", '{"tensors": [], "metadata": {"k": "1", "k": "2"}}',
         "ST_W_DUP_META_KEY", '"k": "2"'),
        ("overflow", {"tensors": [t("a"), t("o", "U64", (2 ** 62, 2))]},
         "ST_W_OVERFLOW", '{"name": "o"'),
        ("short-source", {"tensors": [t("s", "U8", (4,), offset=1)]},
         "needs bytes 1..5", '{"name": "s"'),
        ("bad-dtype", {"tensors": [t("d", "F8_E4M3FN")]}, "unknown dtype", '"F8_E4M3FN"'),
        ("unknown-field", {"tensors": [t("d", sahpe=[1])]}, "unknown tensor field", '"sahpe"'),
        ("missing-file", {"tensors": [{"name": "m", "dtype": "U8", "shape": [1]}]},
         "tensor needs a file", '{"name"'),
        ("negative", '{"tensors": [{"name": "n", "dtype": "U8", "shape": [-1], "file": "x.bin"}]}',
         "expected a non-negative integer", "-1"),
        ("leading-zero", '{"tensors": [{"name": "n", "dtype": "U8", "shape": [01], "file": "x.bin"}]}',
         "leading zero", "01"),
        ("lone-surrogate", '{"tensors": [{"name": "\\ud800", "dtype": "U8", "shape": [1], "file": "x.bin"}]}',
         "lone surrogate", "\\ud800"),
        ("raw-control", '{"tensors": [{"name": "a\tb", "dtype": "U8", "shape": [1], "file": "x.bin"}]}',
         "control character", "\t"),
        ("trailing", '{"tensors": []} x', "unexpected data after", "x"),
        ("truncated", '{"tensors": [', "unexpected end", 13),
        ("no-tensors", '{"metadata": null}', 'needs a "tensors" array', 0),
        ("meta-value", '{"tensors": [], "metadata": {"k": 1}}', "must be strings", "1}"),
    ]
    for name, doc, needle, offset in cases:
        expect_refusal(cli, work, name, doc, one, needle, offset)
    # The reference agrees that a scalar F4 cannot be written.
    buf = np.zeros(1, np.uint8)
    try:
        safetensors.serialize({"f": safetensors.TensorSpec(
            dtype="float4_e2m1fn_x2", shape=[], data_ptr=buf.ctypes.data, data_len=0)})
        raise Failure("the reference wrote a scalar F4")
    except safetensors.SafetensorError:
        pass
    return len(cases)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sets", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()
    cli = os.path.abspath(args.cli)
    work = os.path.abspath(args.out)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rng = random.Random(args.seed)
    stats = {"reference_exact": 0, "reference_sorted_keys": 0, "model_only": 0,
             "normalized": 0, "scalars": 0, "zero_size": 0, "control_names": 0,
             "unicode_names": 0, "meta_none": 0, "meta_0": 0, "meta_1": 0,
             "meta_2": 0, "dtypes": set()}
    try:
        for k in range(args.sets):
            check_set(cli, rng, k, work, stats)
        if stats["reference_exact"] < 300:
            raise Failure("only %d sets compared exactly with the reference"
                          % stats["reference_exact"])
        if len(stats["dtypes"]) != len(DTYPES):
            raise Failure("dtypes never generated: %r"
                          % sorted(set(BITS) - stats["dtypes"]))
        for key in ("scalars", "zero_size", "control_names", "unicode_names",
                    "meta_none", "meta_0", "meta_1", "meta_2", "model_only",
                    "reference_sorted_keys"):
            if stats[key] == 0:
                raise Failure("no case of kind %s was generated" % key)
        n_refusals = check_refusals(cli, work)
    except Failure as e:
        print("writer-diff: FAIL: %s" % e, file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("writer-diff: %d sets: %d byte-identical to the reference, %d identical "
          "once the reference's random metadata key order is sorted, %d checked "
          "against the reference-validated model only (F6, odd-width F4, empty "
          "set with {}); all read back by the reference; %d normalize runs "
          "canonical; %d tensors scalar, %d zero-size, %d with control-character "
          "names, %d with non-ASCII names; %d dtypes; %d refusals as expected"
          % (args.sets, stats["reference_exact"], stats["reference_sorted_keys"],
             stats["model_only"], stats["normalized"], stats["scalars"],
             stats["zero_size"], stats["control_names"], stats["unicode_names"],
             len(stats["dtypes"]), n_refusals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
