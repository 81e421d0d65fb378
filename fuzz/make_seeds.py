#!/usr/bin/env python3
"""Write the fuzzing seeds: small valid and invalid safetensors files.

    python3 fuzz/make_seeds.py [--out fuzz/seeds] [--corpus corpus]

Three sets, each a directory of files named after what they hold:
  file/       whole files (prefix + header + data), for the parse, strict
              subset and round-trip harnesses: every dtype, metadata,
              escapes, non-ASCII names, zero-size tensors, the reference's
              compat quirks, and one or more cases per refusal kind;
  header/     the header bytes of every file/ seed (no prefix, no data),
              for fuzz_header;
  plan/       8 bytes of planner parameters followed by a valid file/
              seed, for fuzz_plan (see its comment for the layout);
  canonical/  files written by the reference writer itself
              (safetensors.serialize, 0.8.0), which the round trip must give
              back byte-identical.
Every *.safetensors file of up to 64 KiB under the corpus directory (if
any) is added to file/ as corpus-<path>, and its header to header/.

Headers are written as text, so spellings, escapes, whitespace and
duplicate keys reach the file exactly as written. The output is the same
on every run: each set is emptied and rewritten.
"""

import argparse
import os
import struct
import sys

DTYPES = [
    ("BOOL", 8), ("F4", 4), ("F6_E2M3", 6), ("F6_E3M2", 6), ("U8", 8),
    ("I8", 8), ("F8_E5M2", 8), ("F8_E4M3", 8), ("F8_E8M0", 8),
    ("F8_E4M3FNUZ", 8), ("F8_E5M2FNUZ", 8), ("I16", 16), ("U16", 16),
    ("F16", 16), ("BF16", 16), ("I32", 32), ("U32", 32), ("F32", 32),
    ("C64", 64), ("F64", 64), ("I64", 64), ("U64", 64),
]
BITS = dict(DTYPES)
U64_MAX = (1 << 64) - 1
MAX_SEED = 64 * 1024          # corpus files larger than this are skipped


def pack(header, data=b"", n=None):
    """8-byte little-endian N, header bytes, data. `header` is str or bytes."""
    hb = header.encode("utf-8") if isinstance(header, str) else header
    return struct.pack("<Q", len(hb) if n is None else n) + hb + data


def entry(dtype, shape, begin, end):
    return '{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}' % (
        dtype, ",".join(str(d) for d in shape), begin, end)


def nbytes(dtype, shape):
    n = 1
    for d in shape:
        n *= d
    return n * BITS[dtype] // 8


def layout(tensors, meta=None, pad=True):
    """A valid file from [(name_json, dtype, shape)], data filled 0,1,2..."""
    parts = []
    if meta is not None:
        parts.append('"__metadata__":' + meta)
    off = 0
    for name, dtype, shape in tensors:
        size = nbytes(dtype, shape)
        parts.append('%s:%s' % (name, entry(dtype, shape, off, off + size)))
        off += size
    h = "{" + ",".join(parts) + "}"
    if pad:
        h += " " * (-len(h) % 8)
    return pack(h, bytes(i % 251 for i in range(off)))


def file_seeds():
    s = {}
    # every dtype, smallest whole-byte shapes
    for dtype, bits in DTYPES:
        shape = [2, 4] if bits < 8 else [2, 3]
        s["valid-dtype-%s" % dtype] = layout([('"t"', dtype, shape)])
    s["valid-empty"] = pack("{}")
    s["valid-empty-padded"] = pack("{}      ")
    s["valid-metadata-only"] = pack('{"__metadata__":{"format":"pt"}}')
    s["valid-metadata-empty"] = layout([('"a"', "U8", [1])], meta="{}")
    s["valid-metadata"] = layout([('"a"', "F32", [2])],
                                 meta='{"format":"pt","k\\u00e9":"v\\n"}')
    s["valid-scalar"] = layout([('"s"', "F64", [])])
    s["valid-zero-size"] = layout([('"z"', "F32", [0]), ('"y"', "U8", [3, 0])])
    s["valid-zero-size-tie"] = layout([('"b"', "F16", [0]), ('"a"', "I8", [0]),
                                       ('"c"', "U8", [2])])
    s["valid-multi"] = layout([('"w"', "BF16", [2, 2]), ('"b"', "BF16", [2]),
                               ('"emb"', "F8_E4M3", [4])])
    s["valid-escaped-names"] = layout([('"a\\"b"', "U8", [1]), ('"\\u0000"', "U8", [1]),
                                       ('"\\ud83d\\ude00"', "U8", [1]),
                                       ('"t\\t\\\\\\/"', "U8", [1])])
    s["valid-utf8-names"] = layout([('"\u00e9t\u00e9"', "U8", [1]),
                                    ('"\u6f22\u5b57"', "U8", [1]),
                                    ('"\U0001f600"', "U8", [1])])
    s["valid-big-dims"] = layout([('"z"', "U8", [U64_MAX, 0])])
    s["valid-ws-inside"] = pack('{ "a" : { "dtype" : "U8" ,\n"shape":[ 1 ],\t"data_offsets":[0,1] } }  ',
                                b"\x01")
    s["valid-field-order"] = pack('{"a":{"data_offsets":[0,2],"shape":[1],"dtype":"I16"}}', b"ab")
    s["valid-empty-name"] = layout([('""', "U8", [1])])
    # compat-only quirks (strict refuses)
    s["compat-leading-ws"] = pack(' \t\n\r{"a":' + entry("U8", [1], 0, 1) + '}', b"x")
    s["compat-tab-padding"] = pack('{"a":' + entry("U8", [1], 0, 1) + '}\t\n\r ', b"x")
    s["compat-unknown-field"] = pack('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],'
                                     '"x":[{"y":null},true,false,-1.5e3,"s"]}}', b"x")
    s["compat-array-entry"] = pack('{"a":["U8",[1],[0,1]]}', b"x")
    s["compat-dtype-object"] = pack('{"a":{"dtype":{"U8":null},"shape":[1],"data_offsets":[0,1]}}', b"x")
    s["compat-metadata-null"] = pack('{"__metadata__":null,"a":' + entry("U8", [1], 0, 1) + '}', b"x")
    s["compat-dup-tensor-same"] = pack('{"a":' + entry("U8", [1], 0, 1) + ',"a":'
                                       + entry("U8", [1], 0, 1) + '}', b"x")
    s["compat-dup-meta-key"] = pack('{"__metadata__":{"k":"1","k":"2"}}')
    s["compat-escaped-metadata-key"] = pack('{"\\u005f_metadata__":{"k":"v"}}')
    # refusals, one or more per kind
    s["bad-too-small"] = b"\x02\x00\x00\x00"
    s["bad-header-too-large"] = struct.pack("<Q", 100000001) + b"{}"
    s["bad-header-1e8-truncated"] = struct.pack("<Q", 100000000) + b"{}"
    s["bad-truncated"] = pack("{}", n=10)
    s["bad-utf8"] = pack(b'{"\xff":1}')
    s["bad-utf8-overlong"] = pack(b'{"\xc0\xaf":1}')
    s["bad-utf8-surrogate"] = pack(b'{"\xed\xa0\x80":1}')
    s["bad-json-empty"] = pack("")
    s["bad-json-syntax"] = pack('{"a":' + entry("U8", [1], 0, 1), b"x")
    s["bad-json-trailing"] = pack('{}x')
    s["bad-json-bom"] = pack(b'\xef\xbb\xbf{}')
    s["bad-json-number"] = pack('{"a":{"dtype":"U8","shape":[01],"data_offsets":[0,1]}}', b"x")
    s["bad-json-number-range"] = pack('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1e400}}', b"x")
    s["bad-json-number-max"] = pack('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],'
                                    '"x":1.7976931348623158e308}}', b"x")
    s["bad-json-lone-surrogate"] = pack('{"\\ud800":' + entry("U8", [1], 0, 1) + '}', b"x")
    s["bad-json-control"] = pack('{"a\x01":' + entry("U8", [1], 0, 1) + '}', b"x")
    s["bad-json-depth"] = pack('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":'
                               + "[" * 127 + "]" * 127 + '}}', b"x")
    s["ok-json-depth-127"] = pack('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":'
                                  + "[" * 125 + "]" * 125 + '}}', b"x")
    s["bad-schema-top"] = pack('[]')
    s["bad-schema-entry"] = pack('{"a":1}')
    s["bad-schema-missing"] = pack('{"a":{"dtype":"U8","shape":[1]}}')
    s["bad-schema-dup-field"] = pack('{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"x")
    s["bad-schema-dtype"] = pack('{"a":{"dtype":"F8_E4M3FN","shape":[1],"data_offsets":[0,1]}}', b"x")
    s["bad-schema-dtype-case"] = pack('{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}', b"xxxx")
    s["bad-schema-integer-neg"] = pack('{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}', b"x")
    s["bad-schema-integer-2p64"] = pack('{"a":{"dtype":"U8","shape":[18446744073709551616],'
                                        '"data_offsets":[0,1]}}', b"x")
    s["bad-schema-integer-float"] = pack('{"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}', b"x")
    s["bad-schema-offsets-3"] = pack('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}', b"x")
    s["bad-schema-metadata"] = pack('{"__metadata__":{"k":1}}')
    s["bad-schema-dup-metadata"] = pack('{"__metadata__":{},"__metadata__":{}}')
    s["bad-offset-hole"] = pack('{"a":' + entry("U8", [1], 1, 2) + '}', b"xx")
    s["bad-offset-overlap"] = pack('{"a":' + entry("U8", [2], 0, 2) + ',"b":'
                                   + entry("U8", [1], 1, 2) + '}', b"xx")
    s["bad-offset-reversed"] = pack('{"a":' + entry("U8", [0], 1, 0) + '}', b"x")
    s["bad-overflow-shape"] = pack('{"a":' + entry("U8", [U64_MAX, 2], 0, 1) + '}', b"x")
    s["bad-overflow-bits"] = pack('{"a":' + entry("F64", [1 << 61], 0, 1) + '}', b"x")
    s["bad-overflow-order"] = pack('{"a":' + entry("U8", [1 << 63, 2, 0], 0, 0) + '}')
    s["bad-misaligned"] = pack('{"a":' + entry("F4", [1], 0, 1) + '}', b"x")
    s["bad-misaligned-f6"] = pack('{"a":' + entry("F6_E2M3", [3], 0, 2) + '}', b"xx")
    s["bad-size-mismatch"] = pack('{"a":' + entry("F32", [1], 0, 3) + '}', b"xxx")
    s["bad-incomplete-short"] = pack('{"a":' + entry("U8", [2], 0, 2) + '}', b"x")
    s["bad-incomplete-trailing"] = pack('{"a":' + entry("U8", [1], 0, 1) + '}', b"xy")
    s["bad-incomplete-empty"] = pack('{}', b"x")
    s["bad-dup-tensor-hole"] = pack('{"a":' + entry("U8", [1], 0, 1) + ',"a":'
                                    + entry("U8", [1], 1, 2) + '}', b"xy")
    # tied offsets: the reference's error kind depends on its hash order
    # (TensorInvalidInfo for b, or InvalidOffset for b after c)
    s["bad-tied-offsets-kind-varies"] = pack('{"a":' + entry("U8", [1], 2, 2) + ',"b":'
                                             + entry("U8", [0], 0, 2) + ',"c":'
                                             + entry("U8", [2], 0, 2) + '}', b"2\xda")
    s["compat-dup-meta-key-tensor"] = pack('{"__metadata__":{"k":"a","k":"a"},"a":' + entry("U8", [1], 0, 1) + '}', b"x")
    return s


# The Python binding names dtypes its own way; F6_* cannot be written from it.
PY_DTYPE = {
    "BOOL": "bool", "I8": "int8", "U8": "uint8", "I16": "int16", "U16": "uint16",
    "I32": "int32", "U32": "uint32", "I64": "int64", "U64": "uint64",
    "F16": "float16", "F32": "float32", "F64": "float64", "BF16": "bfloat16",
    "F8_E4M3": "float8_e4m3fn", "F8_E4M3FNUZ": "float8_e4m3fnuz",
    "F8_E5M2": "float8_e5m2", "F8_E5M2FNUZ": "float8_e5m2fnuz",
    "F8_E8M0": "float8_e8m0fnu", "C64": "complex64",
}


def canonical_seeds():
    """Files from the reference writer (byte-exact by construction). At most
    one metadata key per file: the reference orders keys by a HashMap."""
    try:
        import ctypes
        import safetensors
    except ImportError:
        print("make_seeds: safetensors not installed, canonical/ left empty",
              file=sys.stderr)
        return {}
    keep = []

    def t(dtype, shape):
        data = bytes(i % 253 for i in range(nbytes(dtype, shape)))
        buf = ctypes.create_string_buffer(data, max(len(data), 1))
        keep.append(buf)
        return safetensors.TensorSpec(dtype=PY_DTYPE[dtype], shape=shape,
                                      data_ptr=ctypes.addressof(buf), data_len=len(data))

    ser = safetensors.serialize
    s = {}
    for dtype in PY_DTYPE:
        s["ref-dtype-%s" % dtype] = ser({"x": t(dtype, [3])})
    s["ref-mixed"] = ser({"w": t("F32", [2, 3]), "b": t("F32", [3]), "m": t("BOOL", [4]),
                          "e": t("BF16", [2]), "q": t("U64", [])})
    s["ref-metadata"] = ser({"w": t("F16", [2])}, metadata={"format": "pt"})
    s["ref-metadata-escapes"] = ser({"w": t("U8", [1])},
                                    metadata={"k\n\u00e9\"": "v\x01\\/\u2028\x7f"})
    s["ref-names"] = ser({"a\"b": t("U8", [1]), "\x00": t("U8", [1]),
                          "\U0001f600": t("I8", [2]), "\u00e9": t("U8", [0]),
                          "": t("U8", [1]), "\x1f\b\f": t("U8", [2])})
    s["ref-zero-size"] = ser({"z": t("F32", [0, 5]), "y": t("U8", [0])})
    s["ref-metadata-no-tensors"] = ser({}, metadata={"k": "v"})
    s["ref-scalars"] = ser({"s%d" % i: t(d, []) for i, d in enumerate(PY_DTYPE)})
    return s


def corpus_files(root):
    out = {}
    if not root or not os.path.isdir(root):
        return out
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(d, name)
            if not name.endswith(".safetensors"):
                continue
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            if os.path.getsize(path) > MAX_SEED:
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "-")
            with open(path, "rb") as fh:
                out["corpus-" + rel] = fh.read()
    return out


# Planner parameters: align exponent, chunk (2 bytes LE, minus 1), world,
# four selection bytes (s % 3: none, rows, columns; s / 3 % world: rank).
PLAN_PARAMS = [
    bytes([0, 0xff, 0xff, 0, 0, 0, 0, 0]),      # whole tensors, big chunks
    bytes([4, 2, 0, 1, 1, 4, 1, 4]),            # rows, 2 ranks, tiny chunks
    bytes([6, 7, 0, 3, 2, 5, 8, 11]),           # columns, 4 ranks
    bytes([12, 0, 1, 7, 1, 2, 200, 250]),       # mixed, out-of-range picks
]


def plan_seeds(files):
    out = {}
    for name in sorted(files):
        if name.startswith(("valid-", "ref-", "compat-")):
            for k, params in enumerate(PLAN_PARAMS):
                out["%s-p%d" % (name, k)] = params + files[name]
    return out


def header_of(blob):
    if len(blob) < 8:
        return None
    n = struct.unpack("<Q", blob[:8])[0]
    if n > len(blob) - 8:
        return None
    return blob[8:8 + n]


def write_set(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    for old in os.listdir(directory):
        p = os.path.join(directory, old)
        if os.path.isfile(p):
            os.unlink(p)
    for name in sorted(seeds):
        with open(os.path.join(directory, name), "wb") as fh:
            fh.write(seeds[name])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "seeds"))
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(here), "corpus"))
    args = ap.parse_args()

    files = file_seeds()
    canon = canonical_seeds()
    for name, blob in canon.items():
        files[name] = blob
    corpus = corpus_files(args.corpus)
    files.update(corpus)
    headers = {}
    for name, blob in files.items():
        h = header_of(blob)
        if h is not None and h not in headers.values():
            headers[name] = h
    write_set(os.path.join(args.out, "file"), files)
    write_set(os.path.join(args.out, "header"), headers)
    write_set(os.path.join(args.out, "canonical"), canon)
    plans = plan_seeds(files)
    write_set(os.path.join(args.out, "plan"), plans)
    print("make_seeds: %d file seeds (%d from corpus), %d headers, %d canonical, %d plan"
          % (len(files), len(corpus), len(headers), len(canon), len(plans)))


if __name__ == "__main__":
    main()
