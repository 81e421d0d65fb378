#!/usr/bin/env python3
"""Deterministic generator of safetensors files for the differential test.

    python3 tests/diff/gen.py OUTDIR [--seed N]

Writes OUTDIR/NNNN.safetensors and OUTDIR/manifest.json. The manifest is a
list of {"file", "group", "desc", "intent"} objects in file order:
  group   the family of the case (valid-dtype, utf8, number, ...)
  desc    what the case is, in words (with the raw text of numbers etc.)
  intent  the outcome the case was written to provoke, from the documented
          behaviour of the reference: "ok", a reference error kind, or null
          when the case deliberately explores an undocumented corner (random
          mutations, tied offsets, duplicates inside ignored values).
The intent is checked against the reference by run.py, so a case that stops
testing what it says it tests is noticed.

Headers are built as text, never with json.dumps, so that number spellings,
escapes, whitespace and duplicate keys reach the file exactly as written.
The same seed always gives byte-identical files.
"""

import argparse
import itertools
import json
import os
import random
import re
import struct

# ST-DTYPE-1: the 22 dtypes and their widths in bits, declaration order.
DTYPES = [
    ("BOOL", 8), ("F4", 4), ("F6_E2M3", 6), ("F6_E3M2", 6), ("U8", 8),
    ("I8", 8), ("F8_E5M2", 8), ("F8_E4M3", 8), ("F8_E8M0", 8),
    ("F8_E4M3FNUZ", 8), ("F8_E5M2FNUZ", 8), ("I16", 16), ("U16", 16),
    ("F16", 16), ("BF16", 16), ("I32", 32), ("U32", 32), ("F32", 32),
    ("C64", 64), ("F64", 64), ("I64", 64), ("U64", 64),
]
BITS = dict(DTYPES)
DTYPE_NAMES = [d for d, _ in DTYPES]

U64_MAX = (1 << 64) - 1
WS = [" ", "\t", "\n", "\r"]

HTS = "HeaderTooSmall"
HTL = "HeaderTooLarge"
IHL = "InvalidHeaderLength"
IH = "InvalidHeader"
IHD = "InvalidHeaderDeserialization"
IO = "InvalidOffset"
VO = "ValidationOverflow"
MS = "MisalignedSlice"
TII = "TensorInvalidInfo"
MIB = "MetadataIncompleteBuffer"


def jstr(s, ascii_only=False):
    """JSON string literal in the reference writer's escaping (ST-WRITE-4);
    with ascii_only, every non-ASCII code point as \\uXXXX (pairs above
    the BMP). Returns text."""
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
        elif ascii_only and c > 0x7E:
            if c > 0xFFFF:
                v = c - 0x10000
                out.append("\\u%04X\\u%04X" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)))
            else:
                out.append("\\u%04x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def nbytes(dtype, shape):
    n = 1
    for d in shape:
        n *= d
    return n * BITS[dtype] // 8


def shape_text(shape, sep=","):
    return "[" + sep.join(str(d) for d in shape) + "]"


def entry(dtype, shape, b, e, order=("dtype", "shape", "data_offsets"),
          extra=(), dtype_text=None, shape_txt=None, offs_txt=None):
    """A tensor entry object as text. `extra` is a list of (key_text,
    value_text) inserted after the standard fields."""
    vals = {
        "dtype": dtype_text if dtype_text is not None else jstr(dtype),
        "shape": shape_txt if shape_txt is not None else shape_text(shape),
        "data_offsets": offs_txt if offs_txt is not None else "[%d,%d]" % (b, e),
    }
    parts = ['"%s":%s' % (k, vals[k]) for k in order]
    parts += ["%s:%s" % (k, v) for k, v in extra]
    return "{" + ",".join(parts) + "}"


def u64le(n):
    return struct.pack("<Q", n & U64_MAX)


def assemble(header, data=b"", n=None, pad_to=8, pad_char=b" "):
    """8-byte prefix + header (+ padding to a multiple of pad_to) + data."""
    if isinstance(header, str):
        header = header.encode("utf-8")
    if pad_to > 1 and len(header) % pad_to:
        header += pad_char * (pad_to - len(header) % pad_to)
    return u64le(len(header) if n is None else n) + header + data


class Gen:
    def __init__(self, out, seed):
        self.out = out
        self.rng = random.Random(seed)
        self.cases = []
        self.valid_bases = []   # (desc, blob) of valid files, mutation seeds

    def add(self, group, desc, blob, intent=None, base=False):
        name = "%04d.safetensors" % len(self.cases)
        with open(os.path.join(self.out, name), "wb") as f:
            f.write(blob)
        self.cases.append({"file": name, "group": group, "desc": desc, "intent": intent})
        if base:
            self.valid_bases.append((desc, blob))

    # ---- building blocks -------------------------------------------------

    def rand_shape(self, dtype, max_rank=4, max_dim=5):
        r = self.rng
        shape = [r.randint(1, max_dim) for _ in range(r.randint(0, max_rank))]
        n = 1
        for d in shape:
            n *= d
        bits = BITS[dtype]
        if (n * bits) % 8:
            shape.append(2 if bits == 4 else 4)
        return shape

    def layout(self, specs):
        """specs: list of (name, dtype, shape) in data order. Returns the
        entries [(name, dtype, shape, b, e)] and random data bytes."""
        off = 0
        ents = []
        for name, dtype, shape in specs:
            size = nbytes(dtype, shape)
            ents.append((name, dtype, shape, off, off + size))
            off += size
        return ents, self.rng.randbytes(off)

    def header(self, ents, meta=None, meta_pos=0, key_order=None, ascii_names=False,
               lead="", sep=",", colon=":", entry_fn=None):
        """Header text. ents as from layout(); meta: None (absent), or the
        text of the __metadata__ value; key_order: permutation of ents."""
        items = list(ents) if key_order is None else [ents[i] for i in key_order]
        parts = []
        for name, dtype, shape, b, e in items:
            val = entry_fn(dtype, shape, b, e) if entry_fn else entry(dtype, shape, b, e)
            parts.append(jstr(name, ascii_names) + colon + val)
        if meta is not None:
            parts.insert(min(meta_pos, len(parts)), '"__metadata__"' + colon + meta)
        return lead + "{" + sep.join(parts) + "}"

    def valid(self, group, desc, specs, meta=None, shuffle=True, base=True, **kw):
        ents, data = self.layout(specs)
        order = list(range(len(ents)))
        if shuffle:
            self.rng.shuffle(order)
        h = self.header(ents, meta=meta, key_order=order, **kw)
        self.add(group, desc, assemble(h, data), "ok", base=base)

    # ---- valid files -------------------------------------------------------

    def gen_valid(self):
        r = self.rng
        for dtype in DTYPE_NAMES:
            bits = BITS[dtype]
            if bits % 8 == 0:
                self.valid("valid-dtype", "%s scalar []" % dtype, [("s", dtype, [])])
            else:
                ents, data = self.layout([("s", dtype, [2 if bits == 4 else 4])])
                h = self.header([("s", dtype, [], 0, 0)])
                self.add("valid-dtype", "%s scalar [] is %d bits: misaligned" % (dtype, bits),
                         assemble(h), MS)
            self.valid("valid-dtype", "%s zero-size [0]" % dtype, [("z", dtype, [0])])
            self.valid("valid-dtype", "%s zero-size [3,0,2]" % dtype, [("z", dtype, [3, 0, 2])])
            for k in range(2):
                shp = self.rand_shape(dtype)
                self.valid("valid-dtype", "%s shape %s" % (dtype, shp), [("t%d" % k, dtype, shp)])
        # sub-byte sizes
        for shp in ([2], [4], [6], [2, 3], [1, 2], [8, 1], [1000]):
            self.valid("valid-subbyte", "F4 shape %s" % shp, [("f4", "F4", shp)])
        for shp in ([4], [8], [2, 2], [1, 4], [3, 4], [12]):
            for dt in ("F6_E2M3", "F6_E3M2"):
                self.valid("valid-subbyte", "%s shape %s" % (dt, shp), [("f6", dt, shp)])
        self.valid("valid-subbyte", "F4 [2] then F6 [4] then F4 [6] packed",
                   [("a", "F4", [2]), ("b", "F6_E2M3", [4]), ("c", "F4", [6])], shuffle=False)
        # all dtypes in one file
        specs = [("t_" + d, d, self.rand_shape(d, 2, 3)) for d in DTYPE_NAMES]
        self.valid("valid-many", "all 22 dtypes in one file", specs)
        # many tensors
        for n in (2, 3, 5, 8, 13, 21, 34, 60, 300, 1000):
            specs = []
            for i in range(n):
                d = r.choice(DTYPE_NAMES)
                specs.append(("layer.%d.%s" % (i, r.choice(["w", "b", "scale"])), d,
                              self.rand_shape(d, 3, 4)))
            self.valid("valid-many", "%d tensors, random dtypes, keys shuffled" % n, specs,
                       base=n <= 13)
        # zero-size tensors everywhere, ties among zero-size tensors
        self.valid("valid-zero", "zero-size first, middle, last",
                   [("z0", "F32", [0]), ("a", "U8", [3]), ("z1", "I64", [2, 0]),
                    ("b", "F16", [2]), ("z2", "BOOL", [0])], shuffle=True)
        self.valid("valid-zero", "three zero-size tensors sharing offset 0 (tie, all valid)",
                   [("z0", "F32", [0]), ("z1", "U8", [0, 5]), ("z2", "F4", [0])])
        self.valid("valid-zero", "only zero-size tensors, empty data",
                   [("a", "F64", [0]), ("b", "F4", [7, 0])])
        self.valid("valid-zero", "shape [2^63, 0] does not overflow",
                   [("z", "U8", [1 << 63, 0])])
        self.valid("valid-zero", "shape [0, 2^63, 2] (0 first) does not overflow",
                   [("z", "U64", [0, 1 << 63, 2])])
        self.valid("valid-zero", "shape [2^64-1, 0]", [("z", "F64", [U64_MAX, 0])])
        # empty files
        self.add("valid-empty", "header {} and no data", assemble("{}"), "ok", base=True)
        self.add("valid-empty", "header {} unpadded (N=2)", assemble("{}", pad_to=1), "ok")
        self.add("valid-empty", "header { } with inner space", assemble("{ }", pad_to=1), "ok")
        self.add("valid-empty", "only __metadata__ {}", assemble('{"__metadata__":{}}'), "ok")
        self.add("valid-empty", "only __metadata__ with one key",
                 assemble('{"__metadata__":{"format":"pt"}}'), "ok", base=True)
        self.add("valid-empty", "only __metadata__ null", assemble('{"__metadata__":null}'), "ok")

        # names
        names = ["", " ", "a.b.c", "\u00fc", "\u65e5\u672c\u8a9e", "\U0001F600", "\u0000",
                 "a\u0000b", '"quoted"', "back\\slash", "`tick`", "x`y", "\u0001\u001f",
                 "\n\t\r\b\f", "__metadata", "__metadata___", "__METADATA__", "_metadata_",
                 "\u2028\u2029", "\u007f", "\uffff", "\U0010FFFF", "/slash/", "{}[],:",
                 "a" * 300, "\u00e9\u0301", "\ufeffbom"]
        for nm in names:
            for ascii_only in (False, True):
                self.valid("valid-name", "name %r (%s escaping)" % (nm[:40], "ascii" if ascii_only else "writer"),
                           [(nm, "F32", [1])], ascii_names=ascii_only)
        self.valid("valid-name", "all special names in one file",
                   [(nm, "U8", [1]) for nm in names], ascii_names=False)
        self.valid("valid-name", "names that differ only after a NUL",
                   [("a\u0000", "U8", [1]), ("a\u0000\u0000", "U8", [2]), ("a", "U8", [3])])
        # escapes in names written differently from the writer
        for raw, desc in [('"\\u0061\\u0062"', "name ab via \\u escapes"),
                          ('"a\\/b"', "name a/b via \\/"),
                          ('"\\ud83d\\ude00"', "surrogate pair escape (U+1F600)"),
                          ('"\\uDBFF\\uDFFF"', "surrogate pair escape (U+10FFFF) upper-case hex"),
                          ('"\\u00E9"', "upper-case hex escape"),
                          ('"\\u0000\\u001F"', "escaped NUL and US"),
                          ('"\\"\\\\\\/\\b\\f\\n\\r\\t"', "every short escape")]:
            d = self.rng.randbytes(4)
            h = "{%s:%s}" % (raw, entry("F32", [1], 0, 4))
            self.add("valid-name", desc, assemble(h, d), "ok", base=True)

        # metadata
        for n in (0, 1, 2, 5, 20, 100):
            pairs = []
            for i in range(n):
                k = r.choice(["format", "k%d" % i, "\u00e9t\u00e9%d" % i, "key with space %d" % i,
                              "q\"%d" % i, "nl\n%d" % i, "nul\u0000%d" % i])
                v = r.choice(["pt", "", "\U0001F600", "a\\b", "x" * r.randint(0, 50), "\t\u0001",
                              "1", "{\"not\":\"parsed\"}"])
                pairs.append("%s:%s" % (jstr(k + ("" if k.endswith(str(i)) else str(i))), jstr(v)))
            meta = "{" + ",".join(pairs) + "}"
            for pos in (0, 1, 9):
                self.valid("valid-meta", "metadata %d keys at position %d" % (n, pos),
                           [("a", "F16", [2]), ("b", "U8", [3])], meta=meta, meta_pos=pos)
        self.valid("valid-meta", "metadata null with tensors", [("a", "F32", [2])], meta="null")
        d = r.randbytes(4)
        self.add("valid-meta", "key \"__metadata\\u005f_\" is the metadata",
                 assemble('{"__metadata\\u005f_":{"x":"y"},"a":%s}' % entry("F32", [1], 0, 4), d), "ok")
        self.add("valid-meta", "duplicate metadata key, last wins",
                 assemble('{"__metadata__":{"k":"first","k":"second","j":"x"},"a":%s}'
                          % entry("U8", [2], 0, 2), r.randbytes(2)), "ok", base=True)
        self.add("valid-meta", "metadata value with escaped surrogate pair and \\u0000",
                 assemble('{"__metadata__":{"k":"\\ud83d\\ude00\\u0000"},"a":%s}'
                          % entry("U8", [1], 0, 1), b"\x07"), "ok")

        # whitespace: padding of each kind, leading whitespace, inner whitespace
        for ch in WS:
            ents, data = self.layout([("w", "F32", [3])])
            h = self.header(ents)
            for padlen in (1, 7, 100):
                self.add("valid-ws", "padding %r x%d" % (ch, padlen),
                         assemble(h + ch * padlen, data, pad_to=1), "ok")
            self.add("valid-ws", "leading %r" % ch, assemble(ch + h, data, pad_to=1), "ok")
            self.add("valid-ws", "leading %r x5 and trailing %r x3" % (ch, ch),
                     assemble(ch * 5 + h + ch * 3, data, pad_to=1), "ok")
        ents, data = self.layout([("a", "U8", [2]), ("b", "I32", [1])])
        self.add("valid-ws", "mixed whitespace padding \\t\\n\\r ",
                 assemble(self.header(ents) + "\t\n\r \r\n", data, pad_to=1), "ok")
        self.add("valid-ws", "N not a multiple of 8, no padding",
                 assemble(self.header(ents) + "", data, pad_to=1), "ok")
        pretty = json.dumps({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
                             "b": {"dtype": "I32", "shape": [1], "data_offsets": [2, 6]}},
                            indent="\t")
        self.add("valid-ws", "pretty-printed with tabs and newlines",
                 assemble(pretty.replace("\n", "\r\n"), data, pad_to=1), "ok", base=True)
        self.add("valid-ws", "whitespace around every token",
                 assemble(' { "a" : { "dtype" : "U8" , "shape" : [ 2 ] , "data_offsets" : [ 0 , 2 ] } ,'
                          '\n"b"\t:\t{\r"dtype"\n:\n"I32"\t,\t"shape"\r:\r[\n1\n]\t,"data_offsets":[2\t,\r6] } } ',
                          data, pad_to=1), "ok")
        self.add("valid-ws", "long padding (5000 spaces)",
                 assemble(self.header(ents) + " " * 5000, data, pad_to=1), "ok")

        # field orders
        for perm in itertools.permutations(("dtype", "shape", "data_offsets")):
            ents, data = self.layout([("p", "F64", [2])])
            h = "{%s:%s}" % (jstr("p"), entry("F64", [2], 0, 16, order=perm))
            self.add("valid-order", "field order %s" % (",".join(perm)), assemble(h, data), "ok")

        # compat quirks: array-form entries and object-form dtypes
        for dt in ("U8", "F4", "BF16", "C64"):
            shp = [2, 2] if dt != "F4" else [4]
            sz = nbytes(dt, shp)
            data = r.randbytes(sz)
            self.add("valid-quirk", "array-form entry %s" % dt,
                     assemble('{"a":["%s",%s,[0,%d]]}' % (dt, shape_text(shp), sz), data), "ok")
            self.add("valid-quirk", "dtype as {\"%s\":null}" % dt,
                     assemble('{"a":%s}' % entry(dt, shp, 0, sz, dtype_text='{"%s":null}' % dt), data), "ok")
            self.add("valid-quirk", "array-form entry with object dtype %s" % dt,
                     assemble('{"a":[{"%s":null},%s,[0,%d]]}' % (dt, shape_text(shp), sz), data), "ok")
        self.add("valid-quirk", "array entry, whitespace inside, with object entry",
                 assemble('{"a": [ "U8" , [ 1 ] , [ 0 , 1 ] ] , "b":{"dtype":{ "I8" : null },'
                          '"shape":[1],"data_offsets":[1,2]}}', b"\x01\x02"), "ok", base=True)
        self.add("valid-quirk", "object-form dtype with escaped name {\"\\u0055\\u0038\":null}",
                 assemble('{"a":{"dtype":{"\\u0055\\u0038":null},"shape":[1],"data_offsets":[0,1]}}',
                          b"\x01"), "ok")
        self.add("valid-quirk", "dtype name with escapes \"\\u0046\\u0033\\u0032\"",
                 assemble('{"a":{"dtype":"\\u0046\\u0033\\u0032","shape":[1],"data_offsets":[0,4]}}',
                          r.randbytes(4)), "ok")

        # unknown fields
        unknowns = [
            ('"x"', '1'), ('"x"', '"str"'), ('"x"', 'null'), ('"x"', 'true'), ('"x"', 'false'),
            ('"x"', '[]'), ('"x"', '{}'), ('"x"', '[1,-2,3.5,"s",null,true,[[]],{"a":{}}]'),
            ('"nested"', '{"a":[1,2,{"b":null}],"c":true,"d":"s","e":-1.5e-3,"f":{"g":{"h":[0]}}}'),
            ('"dtype2"', '"NOT_A_DTYPE"'), ('"shape "', '"not a shape"'), ('""', '0'),
            ('"\\u0000"', '"\\u0000"'), ('"x"', '-0'), ('"x"', '-0.0'), ('"x"', '1E+2'),
            ('"x"', '18446744073709551616'), ('"x"', '-9223372036854775809'),
            ('"x"', '1' + '0' * 300), ('"x"', '0.' + '0' * 400 + '1'),
            ('"__metadata__"', '{"a":1}'), ('"offsets"', '[-1,-2]'),
        ]
        for k, v in unknowns:
            self.add("valid-unknown", "unknown field %s: %s" % (k, v[:60]),
                     assemble('{"a":%s}' % entry("U16", [2], 0, 4, extra=[(k, v)]), r.randbytes(4)),
                     "ok", base=len(v) < 40)
        self.add("valid-unknown", "unknown field before the standard fields",
                 assemble('{"a":{"x":[1,{"y":2}],"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
                          b"\x09"), "ok")
        self.add("valid-unknown", "several unknown fields",
                 assemble('{"a":{"dtype":"U8","u1":1,"shape":[1],"u2":"v","data_offsets":[0,1],"u3":{}}}',
                          b"\x09"), "ok", base=True)

        # duplicates that the reference accepts
        e4 = entry("F32", [1], 0, 4)
        self.add("valid-dup", "identical duplicate tensor", assemble('{"a":%s,"a":%s}' % (e4, e4),
                                                                     r.randbytes(4)), "ok")
        self.add("valid-dup", "duplicate tensor, first (dropped) has other offsets",
                 assemble('{"a":%s,"a":%s}' % (entry("F32", [1], 100, 104), e4), r.randbytes(4)), "ok")
        self.add("valid-dup", "duplicate tensor, first has other dtype and shape",
                 assemble('{"a":%s,"b":%s,"a":%s}' % (entry("U8", [9], 0, 9), entry("U8", [2], 4, 6), e4),
                          r.randbytes(6)), "ok")
        self.add("valid-dup", "duplicate via escape: \"a\" then \"\\u0061\"",
                 assemble('{"a":%s,"\\u0061":%s}' % (entry("U8", [3], 0, 3), e4), r.randbytes(4)), "ok")
        self.add("valid-dup", "triplicate, last wins",
                 assemble('{"t":%s,"t":%s,"t":%s}' % (entry("U8", [1], 0, 1), entry("U8", [2], 0, 2),
                                                     entry("U8", [3], 0, 3)), r.randbytes(3)), "ok")

        # field names and keys written with escapes, long names, high ranks
        self.add("valid-misc", "field names written with escapes (\\u0064type, shap\\u0065)",
                 assemble('{"a":{"\\u0064type":"U8","shap\\u0065":[2],"data_\\u006fffsets":[0,2]}}',
                          r.randbytes(2)), "ok", base=True)
        self.add("valid-misc", "metadata keys that decode to the same key (last wins)",
                 assemble('{"__metadata__":{"k\\u00e9":"1","k\u00e9":"2"},"a":%s}' % entry("U8", [1], 0, 1),
                          b"\x01"), "ok")
        self.valid("valid-misc", "name of 70000 characters", [("n" * 70000, "U8", [1])], base=False)
        self.valid("valid-misc", "rank 200 shape of ones", [("r", "F32", [1] * 200)], base=False)
        self.valid("valid-misc", "rank 64 shape with a zero in the middle",
                   [("r", "F32", [2] * 30 + [0] + [3] * 33)], base=False)
        self.add("valid-misc", "metadata with a duplicate key whose first value is not a string",
                 assemble('{"__metadata__":{"k":1,"k":"v"},"a":%s}' % entry("U8", [1], 0, 1), b"\x01"), IHD)
        self.add("valid-misc", "metadata with a duplicate key whose last value is not a string",
                 assemble('{"__metadata__":{"k":"v","k":null},"a":%s}' % entry("U8", [1], 0, 1), b"\x01"), IHD)
        self.add("valid-misc", "1 MiB tensor", assemble('{"big":%s}' % entry("F32", [512, 512], 0, 1 << 20),
                                                      r.randbytes(1 << 20)), "ok")

        # unicode in data-heavy names with key order shuffled
        for k in range(6):
            specs = []
            for i in range(r.randint(2, 6)):
                nm = "".join(r.choice(["a", "\u00e9", "\u4e2d", "\U0001F680", "\u0000", ".", "\"", "\\"])
                             for _ in range(r.randint(0, 6))) + str(i)
                d = r.choice(DTYPE_NAMES)
                specs.append((nm, d, self.rand_shape(d)))
            self.valid("valid-name", "random unicode names #%d" % k, specs,
                       ascii_names=bool(k % 2), base=True)

    # ---- layout ------------------------------------------------------------

    def gen_layout(self):
        r = self.rng
        for n in range(8):
            self.add("layout", "file of %d bytes (zeros)" % n, b"\x00" * n, HTS)
            if n:
                self.add("layout", "file of %d random bytes" % n, r.randbytes(n), HTS)
        self.add("layout", "7 bytes of a valid prefix", u64le(2)[:7], HTS)
        small = assemble("{}")
        for n, intent in [(100000000, IHL), (100000001, HTL), (99999999, IHL),
                          (U64_MAX, HTL), (1 << 63, HTL), (1 << 32, HTL), (1 << 31, HTL),
                          (100000000 + 8, HTL), (100000000 - 8, IHL)]:
            self.add("layout", "N=%d with a short file" % n, u64le(n) + small[8:], intent)
        self.add("layout", "N=0, nothing else", u64le(0), IHD)
        self.add("layout", "N=0 followed by {}", u64le(0) + b"{}", IHD)
        base = assemble('{"a":%s}' % entry("U8", [4], 0, 4), b"\x01\x02\x03\x04")
        hl = len(base) - 12
        self.add("layout", "N = header+1 (one byte of data counted as header)",
                 u64le(hl + 1) + base[8:], IHD)
        self.add("layout", "N = header+4 (all data counted as header)", u64le(hl + 4) + base[8:], None)
        self.add("layout", "N = header+5 (past the end)", u64le(hl + 5) + base[8:], IHL)
        self.add("layout", "N = header-1 (closing brace cut)", u64le(hl - 1) + base[8:], None)
        self.add("layout", "N = 1, header '{'", u64le(1) + b"{", IHD)
        self.add("layout", "N = 1, header ' '", u64le(1) + b" ", IHD)
        self.add("layout", "N = 2, header '{}' exactly, no data", u64le(2) + b"{}", "ok")
        # truncations of valid files
        for desc, blob in list(self.valid_bases)[:25]:
            nh = struct.unpack("<Q", blob[:8])[0]
            cuts = sorted(set([r.randint(0, 7), r.randint(8, 8 + nh - 1), 8 + nh - 1]))
            if len(blob) > 8 + nh:
                cuts.append(r.randint(8 + nh, len(blob) - 1))
            for c in cuts:
                if c < 8:
                    intent = HTS
                elif c < 8 + nh:
                    intent = IHL
                else:
                    intent = MIB
                self.add("truncate", "%s, truncated to %d of %d bytes" % (desc, c, len(blob)),
                         blob[:c], intent)

    # ---- UTF-8 ---------------------------------------------------------------

    BAD_UTF8 = [
        ("overlong 2-byte NUL C0 80", b"\xc0\x80"), ("overlong 2-byte '/' C0 AF", b"\xc0\xaf"),
        ("overlong 2-byte C1 BF", b"\xc1\xbf"), ("overlong 3-byte E0 80 80", b"\xe0\x80\x80"),
        ("overlong 3-byte U+7FF E0 9F BF", b"\xe0\x9f\xbf"),
        ("overlong 4-byte F0 80 80 80", b"\xf0\x80\x80\x80"),
        ("overlong 4-byte U+FFFF F0 8F BF BF", b"\xf0\x8f\xbf\xbf"),
        ("surrogate U+D800 ED A0 80", b"\xed\xa0\x80"), ("surrogate U+DBFF ED AF BF", b"\xed\xaf\xbf"),
        ("surrogate U+DC00 ED B0 80", b"\xed\xb0\x80"), ("surrogate U+DFFF ED BF BF", b"\xed\xbf\xbf"),
        ("CESU-8 pair ED A0 BD ED B8 80", b"\xed\xa0\xbd\xed\xb8\x80"),
        ("U+110000 F4 90 80 80", b"\xf4\x90\x80\x80"), ("F7 BF BF BF", b"\xf7\xbf\xbf\xbf"),
        ("F5 80 80 80", b"\xf5\x80\x80\x80"), ("5-byte F8 88 80 80 80", b"\xf8\x88\x80\x80\x80"),
        ("6-byte FC 84 80 80 80 80", b"\xfc\x84\x80\x80\x80\x80"), ("FE", b"\xfe"), ("FF", b"\xff"),
        ("truncated 2-byte C3", b"\xc3"), ("truncated 3-byte E2 82", b"\xe2\x82"),
        ("truncated 3-byte E2", b"\xe2"), ("truncated 4-byte F0 9F 98", b"\xf0\x9f\x98"),
        ("truncated 4-byte F0 9F", b"\xf0\x9f"), ("stray continuation 80", b"\x80"),
        ("stray continuation BF", b"\xbf"), ("two continuations 80 80", b"\x80\x80"),
        ("extra continuation C3 A9 A9", b"\xc3\xa9\xa9"), ("lead then ASCII C3 41", b"\xc3\x41"),
        ("latin-1 e9", b"\xe9"),
    ]
    GOOD_UTF8 = [
        ("U+0080 C2 80", b"\xc2\x80"), ("U+07FF DF BF", b"\xdf\xbf"), ("U+0800 E0 A0 80", b"\xe0\xa0\x80"),
        ("U+D7FF ED 9F BF", b"\xed\x9f\xbf"), ("U+E000 EE 80 80", b"\xee\x80\x80"),
        ("U+FFFD EF BF BD", b"\xef\xbf\xbd"), ("U+FFFF EF BF BF", b"\xef\xbf\xbf"),
        ("U+FEFF EF BB BF", b"\xef\xbb\xbf"), ("U+10000 F0 90 80 80", b"\xf0\x90\x80\x80"),
        ("U+10FFFF F4 8F BF BF", b"\xf4\x8f\xbf\xbf"), ("U+00A0 C2 A0", b"\xc2\xa0"),
    ]

    def gen_utf8(self):
        r = self.rng
        e1 = entry("U8", [1], 0, 1).encode()

        def with_name(nb):
            return b'{"n' + nb + b'":' + e1 + b"}"
        for desc, bad in self.BAD_UTF8:
            self.add("utf8", "bad UTF-8 in tensor name: %s" % desc, assemble(with_name(bad), b"\x05"), IH)
        for desc, bad in self.BAD_UTF8[::3]:
            self.add("utf8", "bad UTF-8 in metadata value: %s" % desc,
                     assemble(b'{"__metadata__":{"k":"' + bad + b'"},"a":' + e1 + b"}", b"\x05"), IH)
            self.add("utf8", "bad UTF-8 in unknown field: %s" % desc,
                     assemble(b'{"a":' + e1[:-1] + b',"x":"' + bad + b'"}}', b"\x05"), IH)
            self.add("utf8", "bad UTF-8 in padding after the object: %s" % desc,
                     assemble(with_name(b"") + b" " + bad, b"\x05", pad_to=1), IH)
            self.add("utf8", "bad UTF-8 before the object: %s" % desc,
                     assemble(bad + with_name(b""), b"\x05", pad_to=1), IH)
            self.add("utf8", "bad UTF-8 outside strings (between tokens): %s" % desc,
                     assemble(b'{"a":' + bad + e1 + b"}", b"\x05", pad_to=1), IH)
        for desc, bad in self.BAD_UTF8[::5]:
            # invalid UTF-8 wins over a JSON error after it
            self.add("utf8", "bad UTF-8 then a JSON syntax error: %s" % desc,
                     assemble(b'{"n' + bad + b'":,,}', pad_to=1), IH)
            self.add("utf8", "JSON syntax error then bad UTF-8: %s" % desc,
                     assemble(b'{,"n' + bad + b'"}', pad_to=1), IH)
        self.add("utf8", "truncated 2-byte sequence as the last header byte",
                 assemble(with_name(b"") + b" \xc3", b"\x05", pad_to=1), IH)
        self.add("utf8", "truncated 4-byte sequence as the last header bytes",
                 assemble(with_name(b"") + b"\xf0\x9f\x98", b"\x05", pad_to=1), IH)
        self.add("utf8", "bad UTF-8 in the data section only (not checked)",
                 assemble(with_name(b""), b"\xff"), "ok")
        for desc, good in self.GOOD_UTF8:
            self.add("utf8", "good UTF-8 in tensor name: %s" % desc,
                     assemble(with_name(good), bytes([r.randrange(256)])), "ok")
        self.add("utf8", "BOM before the object", assemble(b"\xef\xbb\xbf" + with_name(b""), b"\x05",
                                                           pad_to=1), IHD)
        self.add("utf8", "NBSP (C2 A0) as padding", assemble(with_name(b"") + b"\xc2\xa0", b"\x05",
                                                              pad_to=1), IHD)
        self.add("utf8", "U+2028 as padding", assemble(with_name(b"") + "\u2028".encode(), b"\x05",
                                                       pad_to=1), IHD)

    # ---- JSON syntax ---------------------------------------------------------

    def gen_json(self):
        e1 = entry("U8", [1], 0, 1)
        ok1 = '{"a":%s}' % e1
        cases = [
            ("empty header (N=0 is covered by layout): single space", " "),
            ("only '{'", "{"), ("only '}'", "}"), ("key without value", '{"a"}'),
            ("key and colon only", '{"a":}'), ("lone comma", "{,}"),
            ("trailing comma in top object", '{"a":%s,}' % e1),
            ("trailing comma in entry", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],}}'),
            ("trailing comma in shape", '{"a":{"dtype":"U8","shape":[1,],"data_offsets":[0,1]}}'),
            ("leading comma in shape", '{"a":{"dtype":"U8","shape":[,1],"data_offsets":[0,1]}}'),
            ("double comma", '{"a":{"dtype":"U8",,"shape":[1],"data_offsets":[0,1]}}'),
            ("missing colon", '{"a" %s}' % e1), ("missing comma", '{"a":{"dtype":"U8" "shape":[1],"data_offsets":[0,1]}}'),
            ("single-quoted key", "{'a':%s}" % e1), ("unquoted key", "{a:%s}" % e1),
            ("comment inside", '{/*c*/"a":%s}' % e1), ("line comment after", ok1 + "//c"),
            ("second object after", ok1 + "{}"), ("second object after space", ok1 + " {}"),
            ("garbage letter after", ok1 + "x"), ("NUL after the object", ok1 + "\x00"),
            ("VT (0x0B) as padding", ok1 + "\x0b"), ("FF (0x0C) as padding", ok1 + "\x0c"),
            ("NUL as padding", ok1 + "\x00" * 6), ("closing bracket after", ok1 + "]"),
            ("extra closing brace", ok1 + "}"), ("unclosed entry", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]'),
            ("unclosed string", '{"a'), ("unclosed array", '{"a":{"dtype":"U8","shape":[1,"data_offsets":[0,1]}}'),
            ("top-level array", "[]"), ("top-level string", '"x"'), ("top-level number", "1"),
            ("top-level null", "null"), ("top-level true", "true"), ("top-level array of object", "[%s]" % ok1),
            ("literal tru in unknown field", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":tru}}'),
            ("literal True in unknown field", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":True}}'),
            ("literal nul in unknown field", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":nul}}'),
            ("literal nulll in unknown field", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":nulll}}'),
            ("NaN in unknown field", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":NaN}}'),
            ("Infinity in unknown field", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":Infinity}}'),
            ("-Infinity in unknown field", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":-Infinity}}'),
            ("trailing comma in unknown array", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":[1,]}}'),
            ("trailing comma in unknown object", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":{"k":1,}}}'),
            ("non-string key in unknown object", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":{1:2}}}'),
            ("unclosed unknown array", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":[1}}'),
            ("mismatched brackets", '{"a":{"dtype":"U8","shape":[1},"data_offsets":[0,1]}}'),
            ("number key", "{1:%s}" % e1), ("null key", "{null:%s}" % e1),
            ("colon in place of comma", '{"a":%s:"b":%s}' % (e1, e1)),
            ("object with only whitespace and comma", "{ , }"),
        ]
        for desc, h in cases:
            self.add("json", desc, assemble(h, b"\x01", pad_to=1), IHD)
        # raw control characters in strings
        for c in range(0x20):
            self.add("json-ctrl", "raw control byte 0x%02x in a tensor name" % c,
                     assemble('{"a%sb":%s}' % (chr(c), e1), b"\x01", pad_to=1), IHD)
        for c in (0x00, 0x09, 0x0A, 0x1F):
            self.add("json-ctrl", "raw control byte 0x%02x in a metadata value" % c,
                     assemble('{"__metadata__":{"k":"v%sv"},"a":%s}' % (chr(c), e1), b"\x01", pad_to=1), IHD)
            self.add("json-ctrl", "raw control byte 0x%02x in a dtype string" % c,
                     assemble('{"a":{"dtype":"U8%s","shape":[1],"data_offsets":[0,1]}}' % chr(c),
                              b"\x01", pad_to=1), IHD)
            self.add("json-ctrl", "raw control byte 0x%02x in an unknown string" % c,
                     assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":"%s"}}' % chr(c),
                              b"\x01", pad_to=1), IHD)
        self.add("json-ctrl", "raw DEL (0x7f) in a tensor name is fine",
                 assemble('{"a\x7fb":%s}' % e1, b"\x01"), "ok")
        # escapes
        bad_esc = [r"\a", r"\x41", r"\u12", r"\u12G4", r"\uZZZZ", r"\U0041", r"\'", r"\0", r"\u", r"\u004",
                   "\\ ", r"\v", r"\e", "\\\u00e9"]
        for esc in bad_esc:
            self.add("json-escape", "bad escape %s in a tensor name" % esc,
                     assemble('{"a%s":%s}' % (esc, e1), b"\x01", pad_to=1), IHD)
        for esc in (r"\x41", r"\u12G4"):
            self.add("json-escape", "bad escape %s in an unknown field" % esc,
                     assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":"%s"}}' % esc,
                              b"\x01", pad_to=1), IHD)
            self.add("json-escape", "bad escape %s in a metadata key" % esc,
                     assemble('{"__metadata__":{"%s":"v"},"a":%s}' % (esc, e1), b"\x01", pad_to=1), IHD)
        self.add("json-escape", "backslash escapes the closing quote",
                 assemble('{"a\\":%s}' % e1, b"\x01", pad_to=1), IHD)
        # lone surrogates
        lone = [r"\uD800", r"\uDC00", r"\uDFFF", r"\udbff", r"\uD800\u0041", r"\uD800\uD800",
                r"\uDC00\uD800", r"\uD800x", r"\uD800\n", r"\uD800\\", r"\uDBFF\uE000", r"\uD83D\u0000"]
        for s in lone:
            self.add("json-surrogate", "lone surrogate %s in a tensor name" % s,
                     assemble('{"a%s":%s}' % (s, e1), b"\x01", pad_to=1), IHD)
        for s in (r"\uD800", r"\uDC00"):
            self.add("json-surrogate", "lone surrogate %s in a metadata value" % s,
                     assemble('{"__metadata__":{"k":"%s"},"a":%s}' % (s, e1), b"\x01", pad_to=1), IHD)
            self.add("json-surrogate", "lone surrogate %s in an unknown string field" % s,
                     assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":"%s"}}' % s,
                              b"\x01", pad_to=1), IHD)
            self.add("json-surrogate", "lone surrogate %s as an unknown object key" % s,
                     assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":{"%s":1}}}' % s,
                              b"\x01", pad_to=1), IHD)
            self.add("json-surrogate", "lone surrogate %s in a dtype string" % s,
                     assemble('{"a":{"dtype":"U8%s","shape":[1],"data_offsets":[0,1]}}' % s,
                              b"\x01", pad_to=1), IHD)

    # ---- numbers -------------------------------------------------------------

    NUM_UNKNOWN = [
        ("1e400", IHD), ("-1e400", IHD), ("1e-400", "ok"), ("-1e-400", "ok"),
        ("1.7976931348623157e308", "ok"), ("-1.7976931348623157e308", "ok"),
        ("1.7976931348623158e308", IHD), ("1.7976931348623159e308", IHD), ("1e309", IHD),
        ("1e308", "ok"), ("10e308", IHD), ("0.1e309", "ok"), ("2.2250738585072014e-308", "ok"),
        ("4.9e-324", "ok"), ("1" + "0" * 399, IHD), ("1" + "0" * 299, "ok"), ("9" * 400, IHD),
        ("-" + "1" * 400, IHD), ("1" * 308, "ok"), ("1" * 309, "ok"), ("1" * 310, IHD), ("1" * 300, "ok"),
        ("18446744073709551616.5", "ok"), ("18446744073709551615", "ok"), ("18446744073709551616", "ok"),
        ("-9223372036854775808", "ok"), ("-9223372036854775809", "ok"), ("-18446744073709551616", "ok"),
        ("1e2147483648", IHD), ("1e2147483647", IHD), ("0e99999999999", "ok"), ("0.0e99999999999", "ok"),
        ("1e-99999999999", "ok"), ("1e-2147483649", "ok"), ("0e400", "ok"), ("0e-400", "ok"),
        ("-0", "ok"), ("-0.0", "ok"), ("0", "ok"), ("1E5", "ok"), ("1e+5", "ok"), ("1.5E-5", "ok"),
        ("0." + "0" * 400 + "1", "ok"), ("123456789012345678901234567890e-10", "ok"),
        ("0.123456789012345678901234567890", "ok"), ("1" + "0" * 330 + "e-30", "ok"),
        ("1" + "0" * 330 + "e-20", IHD), ("0.000001e314", "ok"), ("0.00001e314", IHD),
        ("1.0", "ok"), ("-1", "ok"), ("01", IHD), ("-01", IHD), ("00", IHD), ("+1", IHD), (".5", IHD),
        ("1.", IHD), ("1.e5", IHD), ("1e", IHD), ("1e+", IHD), ("1e-", IHD), ("-", IHD), ("--1", IHD),
        ("0x10", IHD), ("1_000", IHD), ("1.5.5", IHD), ("1e5e5", IHD), ("- 1", IHD), ("1ee5", IHD),
        ("1.7976931348623157e+308", "ok"), ("17976931348623157e292", None),
        ("17976931348623158e292", None), ("0.17976931348623157e309", None),
        ("1.79769313486231570000000001e308", None), ("179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791", None),
        ("2.4703282292062328e-324", None), ("5e-324", "ok"), ("1e-323", "ok"),
    ]
    NUM_INT = [
        ("-0", IHD), ("-1", IHD), ("1.0", IHD), ("1e0", IHD), ("01", IHD), ("+1", IHD),
        ("18446744073709551616", IHD), ("1" + "0" * 30, IHD), ("0.5", IHD), ("1E1", IHD),
        ("true", IHD), ("null", IHD), ('"1"', IHD), ("[1]", IHD), ("-9223372036854775808", IHD),
        ("1e400", IHD),
    ]

    def gen_numbers(self):
        for num, intent in self.NUM_UNKNOWN:
            for where in ("field", "nested"):
                if where == "field":
                    h = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":%s}}' % num
                else:
                    h = '{"a":{"dtype":"U8","x":{"y":[0,%s,1]},"shape":[1],"data_offsets":[0,1]}}' % num
                self.add("number", "number %s in unknown %s" % (num[:60] + ("...(%d chars)" % len(num) if len(num) > 60 else ""), where),
                         assemble(h, b"\x01", pad_to=1), intent)
        for num, intent in self.NUM_INT:
            self.add("number-int", "shape element %s" % num,
                     assemble('{"a":{"dtype":"U8","shape":[%s],"data_offsets":[0,1]}}' % num, b"\x01",
                              pad_to=1), intent)
            self.add("number-int", "data_offsets begin %s" % num,
                     assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[%s,1]}}' % num, b"\x01",
                              pad_to=1), intent)
            self.add("number-int", "data_offsets end %s" % num,
                     assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,%s]}}' % num, b"\x01",
                              pad_to=1), intent)
        # exact integers at the top of the range
        self.add("number-int", "shape [18446744073709551615] U8 (bit count overflows)",
                 assemble('{"a":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,0]}}'), VO)
        # The largest tensor has 2^61-1 bytes (its bit count must fit in u64);
        # eight of them end at 2^64-8, so 8 + N + end wraps in the reference's
        # unchecked final addition. It can never wrap to the file length.
        big = (1 << 61) - 1
        for tail, desc in ((0, "running end 2^64-8"), (7, "running end 2^64-1")):
            parts = ['"t%d":%s' % (i, entry("U8", [big], i * big, (i + 1) * big)) for i in range(8)]
            if tail:
                parts.append('"tail":%s' % entry("U8", [tail], 8 * big, 8 * big + tail))
            self.add("number-int", "eight 2^61-1 byte tensors, %s: the final addition wraps" % desc,
                     assemble("{" + ",".join(parts) + "}", b"\x00" * 16), MIB)
        self.add("number-int", "offsets with leading spaces inside the array",
                 assemble('{"a":{"dtype":"U8","shape":[ 1 ],"data_offsets":[ 0 , 1 ]}}', b"\x01"), "ok")
        self.add("number-int", "shape element 0 written as 0", assemble(
            '{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}'), "ok")

    # ---- nesting depth ----------------------------------------------------------

    def gen_depth(self):
        for depth in (3, 64, 126, 127, 128, 129, 200, 1000):
            k = depth - 2   # top object = 1, entry object = 2
            intent = "ok" if depth <= 127 else IHD
            arr = "[" * k + "]" * k
            self.add("depth", "nesting depth %d (arrays in an unknown field)" % depth,
                     assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":%s}}' % arr,
                              b"\x01", pad_to=1), intent)
            obj = '{"y":' * (k - 1) + "{}" + "}" * (k - 1)
            self.add("depth", "nesting depth %d (objects in an unknown field)" % depth,
                     assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":%s}}' % obj,
                              b"\x01", pad_to=1), intent)
            if k % 2 == 0:
                mixed = '[{"y":' * (k // 2) + "0" + "}]" * (k // 2)
                self.add("depth", "nesting depth %d (alternating arrays and objects)" % depth,
                         assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":%s}}' % mixed,
                                  b"\x01", pad_to=1), intent)
        self.add("depth", "depth 128 inside a shape array",
                 assemble('{"a":{"dtype":"U8","shape":%s,"data_offsets":[0,1]}}' % ("[" * 126 + "]" * 126),
                          b"\x01", pad_to=1), IHD)
        self.add("depth", "depth 128 in a metadata value",
                 assemble('{"__metadata__":{"k":%s},"a":%s}' % ("[" * 126 + "]" * 126, entry("U8", [1], 0, 1)),
                          b"\x01", pad_to=1), IHD)
        self.add("depth", "depth 127 in a metadata value (wrong type anyway)",
                 assemble('{"__metadata__":{"k":%s},"a":%s}' % ("[" * 125 + "]" * 125, entry("U8", [1], 0, 1)),
                          b"\x01", pad_to=1), IHD)
        self.add("depth", "depth 128 unclosed (ends early)",
                 assemble('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":%s' % ("[" * 126),
                          pad_to=1), IHD)

    # ---- duplicate keys ---------------------------------------------------------

    def gen_dups(self):
        e1 = entry("U8", [1], 0, 1)
        fields = {"dtype": '"U8"', "shape": "[1]", "data_offsets": "[0,1]"}
        for f in fields:
            body = ",".join('"%s":%s' % (k, v) for k, v in fields.items())
            body += ',"%s":%s' % (f, fields[f])
            self.add("dup", "field %s twice in an entry (same value)" % f,
                     assemble('{"a":{%s}}' % body, b"\x01"), IHD)
        self.add("dup", "field dtype twice, different values",
                 assemble('{"a":{"dtype":"F32","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', b"\x01"), IHD)
        self.add("dup", "field written twice via escape (\"dtype\" and \"\\u0064type\")",
                 assemble('{"a":{"dtype":"U8","\\u0064type":"U8","shape":[1],"data_offsets":[0,1]}}', b"\x01"), IHD)
        self.add("dup", "__metadata__ twice", assemble('{"__metadata__":{},"__metadata__":{},"a":%s}' % e1,
                                                      b"\x01"), IHD)
        self.add("dup", "__metadata__ twice, second spelled with an escape",
                 assemble('{"__metadata__":{"a":"b"},"__metadat\\u0061__":{"c":"d"},"a":%s}' % e1, b"\x01"), IHD)
        self.add("dup", "__metadata__ null twice", assemble('{"__metadata__":null,"a":%s,"__metadata__":null}' % e1,
                                                           b"\x01"), IHD)
        self.add("dup", "unknown field twice in an entry",
                 assemble('{"a":{"dtype":"U8","x":1,"shape":[1],"x":2,"data_offsets":[0,1]}}', b"\x01"), None)
        self.add("dup", "duplicate key inside an unknown object",
                 assemble('{"a":{"dtype":"U8","x":{"k":1,"k":2},"shape":[1],"data_offsets":[0,1]}}', b"\x01"), None)
        self.add("dup", "duplicate key inside an object dtype {\"U8\":null,\"U8\":null}",
                 assemble('{"a":{"dtype":{"U8":null,"U8":null},"shape":[1],"data_offsets":[0,1]}}', b"\x01"), None)
        self.add("dup", "two keys in an object dtype {\"U8\":null,\"I8\":null}",
                 assemble('{"a":{"dtype":{"U8":null,"I8":null},"shape":[1],"data_offsets":[0,1]}}', b"\x01"), IHD)
        # duplicate tensors leaving holes
        self.add("dup", "duplicate tensor, dropped entry's bytes leave a hole at the end",
                 assemble('{"a":%s,"b":%s,"a":%s}' % (entry("U8", [1], 0, 1), entry("U8", [1], 1, 2),
                                                     entry("U8", [1], 2, 3)), b"\x01\x02\x03"), IO)
        self.add("dup", "duplicate tensor, the kept entry is last in data, hole at the start",
                 assemble('{"a":%s,"b":%s,"a":%s}' % (entry("U8", [1], 0, 1), entry("U8", [1], 1, 2),
                                                     entry("U8", [1], 0, 1)), b"\x01\x02"), None)
        self.add("dup", "duplicate tensor, dropped entry was the last block: data too long",
                 assemble('{"a":%s,"b":%s,"b":%s}' % (entry("U8", [1], 0, 1), entry("U8", [1], 1, 2),
                                                     entry("U8", [0], 1, 1)), b"\x01\x02"), MIB)
        self.add("dup", "duplicate tensor, first entry is schema-invalid",
                 assemble('{"a":{"dtype":"XX","shape":[1],"data_offsets":[0,1]},"a":%s}' % e1, b"\x01"), IHD)
        self.add("dup", "duplicate tensor, second entry is schema-invalid",
                 assemble('{"a":%s,"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}' % e1, b"\x01"), IHD)
        for n in (3, 10):
            parts = []
            for i in range(n):
                parts.append('"m%d":"v%d"' % (i % 2, i))
            self.add("dup", "metadata with %d pairs over two keys (last wins)" % n,
                     assemble('{"__metadata__":{%s},"a":%s}' % (",".join(parts), e1), b"\x01"), "ok")

    # ---- schema ------------------------------------------------------------------

    def gen_schema(self):
        e1 = entry("U8", [1], 0, 1)
        cases = [
            ("entry is a number", '{"a":1}'), ("entry is a string", '{"a":"x"}'), ("entry is null", '{"a":null}'),
            ("entry is true", '{"a":true}'), ("entry is an empty array", '{"a":[]}'),
            ("array entry with 2 elements", '{"a":["U8",[1]]}'),
            ("array entry with 4 elements", '{"a":["U8",[1],[0,1],1]}'),
            ("array entry in wrong order", '{"a":[[1],"U8",[0,1]]}'),
            ("array entry with bad dtype", '{"a":["u8",[1],[0,1]]}'),
            ("array entry with 1-element offsets", '{"a":["U8",[1],[1]]}'),
            ("empty entry object", '{"a":{}}'),
            ("missing dtype", '{"a":{"shape":[1],"data_offsets":[0,1]}}'),
            ("missing shape", '{"a":{"dtype":"U8","data_offsets":[0,1]}}'),
            ("missing data_offsets", '{"a":{"dtype":"U8","shape":[1]}}'),
            ("field name in wrong case", '{"a":{"Dtype":"U8","shape":[1],"data_offsets":[0,1]}}'),
            ("field name with trailing space", '{"a":{"dtype ":"U8","shape":[1],"data_offsets":[0,1]}}'),
            ("dtype lower case f32", '{"a":{"dtype":"u8","shape":[1],"data_offsets":[0,1]}}'),
            ("dtype F8_E4M3FN (not a reference dtype)", '{"a":{"dtype":"F8_E4M3FN","shape":[1],"data_offsets":[0,1]}}'),
            ("dtype Q4_0", '{"a":{"dtype":"Q4_0","shape":[1],"data_offsets":[0,1]}}'),
            ("dtype I4", '{"a":{"dtype":"I4","shape":[2],"data_offsets":[0,1]}}'),
            ("dtype empty string", '{"a":{"dtype":"","shape":[1],"data_offsets":[0,1]}}'),
            ("dtype with trailing space", '{"a":{"dtype":"U8 ","shape":[1],"data_offsets":[0,1]}}'),
            ("dtype with NUL", '{"a":{"dtype":"U8\\u0000","shape":[1],"data_offsets":[0,1]}}'),
            ("dtype number", '{"a":{"dtype":8,"shape":[1],"data_offsets":[0,1]}}'),
            ("dtype null", '{"a":{"dtype":null,"shape":[1],"data_offsets":[0,1]}}'),
            ("dtype array", '{"a":{"dtype":["U8"],"shape":[1],"data_offsets":[0,1]}}'),
            ("dtype {\"U8\":{}}", '{"a":{"dtype":{"U8":{}},"shape":[1],"data_offsets":[0,1]}}'),
            ("dtype {\"U8\":1}", '{"a":{"dtype":{"U8":1},"shape":[1],"data_offsets":[0,1]}}'),
            ("dtype {\"U8\":[]}", '{"a":{"dtype":{"U8":[]},"shape":[1],"data_offsets":[0,1]}}'),
            ("dtype {}", '{"a":{"dtype":{},"shape":[1],"data_offsets":[0,1]}}'),
            ("dtype {\"u8\":null}", '{"a":{"dtype":{"u8":null},"shape":[1],"data_offsets":[0,1]}}'),
            ("shape is a string", '{"a":{"dtype":"U8","shape":"1","data_offsets":[0,1]}}'),
            ("shape is a number", '{"a":{"dtype":"U8","shape":1,"data_offsets":[0,1]}}'),
            ("shape is null", '{"a":{"dtype":"U8","shape":null,"data_offsets":[0,0]}}'),
            ("shape is an object", '{"a":{"dtype":"U8","shape":{"0":1},"data_offsets":[0,1]}}'),
            ("shape nested array", '{"a":{"dtype":"U8","shape":[[1]],"data_offsets":[0,1]}}'),
            ("shape with boolean", '{"a":{"dtype":"U8","shape":[true],"data_offsets":[0,1]}}'),
            ("offsets with 1 element", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[1]}}'),
            ("offsets with 3 elements", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,1]}}'),
            ("offsets empty", '{"a":{"dtype":"U8","shape":[1],"data_offsets":[]}}'),
            ("offsets string", '{"a":{"dtype":"U8","shape":[1],"data_offsets":"0,1"}}'),
            ("offsets null", '{"a":{"dtype":"U8","shape":[1],"data_offsets":null}}'),
            ("offsets object", '{"a":{"dtype":"U8","shape":[1],"data_offsets":{"0":0,"1":1}}}'),
            ("metadata is an array", '{"__metadata__":[],"a":%s}' % e1),
            ("metadata is a string", '{"__metadata__":"x","a":%s}' % e1),
            ("metadata is a number", '{"__metadata__":1,"a":%s}' % e1),
            ("metadata is true", '{"__metadata__":true,"a":%s}' % e1),
            ("metadata value number", '{"__metadata__":{"k":1},"a":%s}' % e1),
            ("metadata value null", '{"__metadata__":{"k":null},"a":%s}' % e1),
            ("metadata value object", '{"__metadata__":{"k":{}},"a":%s}' % e1),
            ("metadata value array", '{"__metadata__":{"k":["x"]},"a":%s}' % e1),
            ("metadata value bool", '{"__metadata__":{"k":false},"a":%s}' % e1),
            ("metadata one good one bad value", '{"__metadata__":{"k":"v","j":2},"a":%s}' % e1),
            ("metadata written as a tensor entry", '{"__metadata__":%s}' % e1),
        ]
        for desc, h in cases:
            self.add("schema", desc, assemble(h, b"\x01"), IHD)

    # ---- validation -----------------------------------------------------------------

    def gen_validation(self):
        r = self.rng

        def f(desc, ents, data_len, intent, extra=b""):
            h = "{" + ",".join("%s:%s" % (jstr(n), entry(d, s, b, e)) for n, d, s, b, e in ents) + "}"
            self.add("validate", desc, assemble(h, r.randbytes(data_len) + extra), intent)

        f("hole at the start [1,5]", [("a", "F32", [1], 1, 5)], 5, IO)
        f("hole between tensors", [("a", "F32", [1], 0, 4), ("b", "F32", [1], 5, 9)], 9, IO)
        f("overlap", [("a", "F32", [1], 0, 4), ("b", "F32", [1], 2, 6)], 6, IO)
        f("end < begin after a good tensor", [("a", "F32", [1], 0, 4), ("b", "U8", [0], 4, 2)], 4, IO)
        f("end < begin alone [4,0]", [("a", "U8", [0], 4, 0)], 4, IO)
        f("end < begin at 0 ... [0,0] then [0,?] fine, then [3,1]",
          [("a", "U8", [3], 0, 3), ("z", "U8", [0], 3, 3), ("b", "U8", [0], 3, 1)], 3, IO)
        f("two tensors with identical offsets [0,4] (tie, InvalidOffset either way)",
          [("a", "F32", [1], 0, 4), ("b", "F32", [1], 0, 4)], 4, IO)
        f("size mismatch F32 [2] in 4 bytes", [("a", "F32", [2], 0, 4)], 4, TII)
        f("size mismatch U8 [1] in 0 bytes", [("a", "U8", [1], 0, 0)], 0, TII)
        f("zero-size tensor claims 1 byte", [("a", "U8", [0], 0, 1)], 1, TII)
        f("overflow [2^63,2,0] (left to right)", [("a", "U8", [1 << 63, 2, 0], 0, 0)], 0, VO)
        f("no overflow [2^63,0]", [("a", "U8", [1 << 63, 0], 0, 0)], 0, "ok")
        f("no overflow [0,2^63,2]", [("a", "U8", [0, 1 << 63, 2], 0, 0)], 0, "ok")
        f("overflow [2^32,2^32]", [("a", "U8", [1 << 32, 1 << 32], 0, 0)], 0, VO)
        f("elements fit [2^32,2^32-1], bit count overflows", [("a", "U8", [1 << 32, (1 << 32) - 1], 0, 0)], 0, VO)
        f("elements and bits fit [2^32,2^28-1], size mismatch", [("a", "U8", [1 << 32, (1 << 28) - 1], 0, 0)], 0, TII)
        f("bit count overflow F64 [2^58]", [("a", "F64", [1 << 58], 0, 0)], 0, VO)
        f("bit count no overflow F64 [2^57-1]", [("a", "F64", [(1 << 57) - 1], 0, 0)], 0, TII)
        f("bit count overflow U8 [2^61]", [("a", "U8", [1 << 61], 0, 0)], 0, VO)
        f("bit count limit U8 [2^61-1]", [("a", "U8", [(1 << 61) - 1], 0, 0)], 0, TII)
        f("bit count overflow F4 [2^62]", [("a", "F4", [1 << 62], 0, 0)], 0, VO)
        f("F4 [2^62-2] no overflow, size mismatch", [("a", "F4", [(1 << 62) - 2], 0, 0)], 0, TII)
        f("F6 [2^62] overflow (6 bits)", [("a", "F6_E2M3", [1 << 62], 0, 0)], 0, VO)
        f("overflow [2^64-1, 2]", [("a", "U8", [U64_MAX, 2], 0, 0)], 0, VO)
        for shp in ([1], [3], [3, 5], [], [1, 1, 1], [7]):
            f("F4 odd count %s" % shp, [("a", "F4", shp, 0, 1)], 1, MS)
        for shp, dt in (([2], "F6_E2M3"), ([1], "F6_E3M2"), ([], "F6_E3M2"), ([6], "F6_E2M3"), ([3, 3], "F6_E3M2")):
            f("%s count not a multiple of 4 %s" % (dt, shp), [("a", dt, shp, 0, 1)], 1, MS)
        f("F4 [2] in 2 bytes: size mismatch", [("a", "F4", [2], 0, 2)], 2, TII)
        f("F6 [4] in 4 bytes: size mismatch", [("a", "F6_E2M3", [4], 0, 4)], 4, TII)
        # check order within one tensor and between tensors
        f("InvalidOffset before overflow in one tensor", [("a", "U8", [1 << 63, 2, 1], 1, 1)], 1, IO)
        f("overflow before misaligned in one tensor", [("a", "F4", [1 << 63, 3], 0, 0)], 0, VO)
        f("misaligned before size mismatch in one tensor", [("a", "F4", [3], 0, 5)], 5, MS)
        f("first tensor in offset order decides (size, then overflow later)",
          [("z", "U8", [1 << 63, 4], 2, 3), ("y", "U8", [3], 0, 2)], 3, TII)
        f("first tensor in offset order decides (overflow, then hole later)",
          [("b", "U8", [1], 9, 10), ("a", "U8", [1 << 63, 4], 0, 0)], 10, VO)
        f("misaligned later than a good tensor",
          [("a", "U8", [2], 0, 2), ("b", "F4", [3], 2, 4)], 4, MS)
        f("validation error beats trailing bytes", [("a", "F32", [2], 0, 4)], 4, TII, extra=b"xx")
        # MetadataIncompleteBuffer
        for extra in (1, 7, 100):
            f("valid tensors then %d trailing bytes" % extra, [("a", "F32", [1], 0, 4)], 4 + extra, MIB)
        for short in (1, 3):
            f("data %d bytes short" % short, [("a", "F32", [2], 0, 8)], 8 - short, MIB)
        self.add("validate", "no tensors, 1 trailing data byte", assemble("{}", b"\x00"), MIB)
        self.add("validate", "only metadata, 16 trailing data bytes",
                 assemble('{"__metadata__":{"a":"b"}}', b"\x00" * 16), MIB)
        f("only zero-size tensor, 1 trailing byte", [("a", "U8", [0], 0, 0)], 1, MIB)
        f("zero-size tensor at offset 4 after a hole", [("a", "U8", [0], 4, 4)], 4, IO)
        f("zero-size tensor at the running end 4", [("a", "F32", [1], 0, 4), ("z", "U8", [0], 4, 4)], 4, "ok")
        f("zero-size tensor sorted first at 0, then [0,4]", [("z", "U8", [0], 0, 0), ("a", "F32", [1], 0, 4)], 4, "ok")
        # tied offsets where the outcome depends on the reference's random order:
        # the run accepts any kind that one of the tied tensors can produce.
        f("tie at [0,0]: F4 scalar (misaligned) vs U8 [1] (size mismatch)",
          [("a", "F4", [], 0, 0), ("b", "U8", [1], 0, 0)], 0, None)
        f("tie at [0,0]: overflow vs size mismatch vs good",
          [("a", "U8", [1 << 63, 4], 0, 0), ("b", "U8", [1], 0, 0), ("c", "U8", [0], 0, 0)], 0, None)
        f("tie at [0,2]: good U8 [2] vs F4 [3] misaligned",
          [("a", "U8", [2], 0, 2), ("b", "F4", [3], 0, 2)], 2, None)
        # many tensors with one fault placed at random
        for k in range(12):
            n = r.randint(3, 12)
            specs = []
            for i in range(n):
                d = r.choice(DTYPE_NAMES)
                specs.append(("t%d" % i, d, self.rand_shape(d, 3, 3)))
            ents, data = self.layout(specs)
            ents = [list(x) for x in ents]
            i = r.randrange(n)
            kind = r.choice(["begin+1", "end+1", "end-1", "shape+1", "dtype", "swap"])
            t = ents[i]
            if kind == "begin+1":
                t[3] += 1
            elif kind == "end+1":
                t[4] += 1
            elif kind == "end-1":
                t[4] = max(t[4] - 1, 0)
            elif kind == "shape+1":
                t[2] = list(t[2]) + [2]
            elif kind == "dtype":
                t[1] = r.choice(DTYPE_NAMES)
            else:
                j = r.randrange(n)
                t[3], t[4], ents[j][3], ents[j][4] = ents[j][3], ents[j][4], t[3], t[4]
            order = list(range(n))
            r.shuffle(order)
            h = "{" + ",".join("%s:%s" % (jstr(ents[o][0]), entry(*ents[o][1:])) for o in order) + "}"
            self.add("validate-random", "%d tensors, tensor t%d altered (%s)" % (n, i, kind),
                     assemble(h, data), None)

    # ---- random mutations ---------------------------------------------------------

    def gen_mutations(self, count):
        r = self.rng
        bases = self.valid_bases
        for k in range(count):
            desc, blob = bases[r.randrange(len(bases))]
            b = bytearray(blob)
            nh = struct.unpack("<Q", blob[:8])[0]
            ops = []
            for _ in range(r.choice([1, 1, 1, 2, 3])):
                where = r.random()
                if where < 0.05:
                    lo, hi = 0, 8
                elif where < 0.85 or len(b) <= 8 + nh:
                    lo, hi = 8, min(8 + nh, len(b))
                else:
                    lo, hi = 8 + nh, len(b)
                if hi <= lo:
                    lo, hi = 0, len(b)
                pos = r.randrange(lo, hi) if hi > lo else 0
                op = r.choice(["flip", "flip", "set", "insert", "delete", "digit"])
                if op == "flip" and pos < len(b):
                    bit = r.randrange(8)
                    b[pos] ^= 1 << bit
                    ops.append("flip bit %d at %d" % (bit, pos))
                elif op == "set" and pos < len(b):
                    v = r.choice([0x00, 0x20, 0x22, 0x2c, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x30, 0x39, 0x80,
                                  0xc3, 0xff, r.randrange(256)])
                    b[pos] = v
                    ops.append("set byte %d to 0x%02x" % (pos, v))
                elif op == "insert":
                    v = r.randbytes(r.choice([1, 1, 2, 5]))
                    b[pos:pos] = v
                    ops.append("insert %s at %d" % (v.hex(), pos))
                elif op == "delete" and len(b) > 0:
                    n = r.choice([1, 1, 2, 4])
                    del b[pos:pos + n]
                    ops.append("delete %d at %d" % (n, pos))
                elif op == "digit":
                    # change one ASCII digit of the header to another digit
                    digits = [i for i in range(8, min(8 + nh, len(b))) if 0x30 <= b[i] <= 0x39]
                    if digits:
                        i = r.choice(digits)
                        v = r.choice(b"0123456789")
                        b[i] = v
                        ops.append("digit at %d to %s" % (i, chr(v)))
            self.add("mutate", "mutant of [%s]: %s" % (desc, "; ".join(ops) or "no-op"), bytes(b), None)

    def gen_token_mutations(self, count):
        """Mutations that keep the header tokenisable and N consistent, so that
        most cases reach the schema and validation stages."""
        r = self.rng
        bases = self.valid_bases
        for k in range(count):
            desc, blob = bases[r.randrange(len(bases))]
            nh = struct.unpack("<Q", blob[:8])[0]
            h = bytearray(blob[8:8 + nh].rstrip(b" "))
            data = blob[8 + nh:]
            ops = []
            for _ in range(r.choice([1, 1, 2, 3])):
                toks = tokens(bytes(h))
                if not toks:
                    break
                op = r.choice(["num", "num", "num", "dtype", "ws", "dup", "dup", "drop", "swap", "esc"])
                texts = [bytes(h[a:b]) for a, b in toks]
                if op == "num":
                    idx = [i for i, t in enumerate(texts) if t[:1] in b"-0123456789"]
                    if not idx:
                        continue
                    i = r.choice(idx)
                    old = texts[i]
                    if r.random() < 0.5 and old.isdigit():
                        new = str(max(int(old) + r.choice([-2, -1, 1, 2, 4, 8]), 0)).encode()
                    else:
                        new = r.choice(EDGE_NUMS).encode()
                    h[toks[i][0]:toks[i][1]] = new
                    ops.append("number %s -> %s" % (old.decode(), new.decode()))
                elif op == "dtype":
                    idx = [i for i, t in enumerate(texts) if t[1:-1].decode("utf-8", "replace") in BITS]
                    if not idx:
                        continue
                    i = r.choice(idx)
                    new = r.choice(DTYPE_NAMES + ["F8_E4M3FN", "f32", "", "U8 ", "BOOL"])
                    h[toks[i][0]:toks[i][1]] = jstr(new).encode()
                    ops.append("dtype %s -> %s" % (texts[i].decode(), new))
                elif op == "ws":
                    i = r.randrange(len(toks))
                    w = r.choice([b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", b"\x00", b"\xc2\xa0"])
                    pos = toks[i][r.randrange(2)]
                    h[pos:pos] = w
                    ops.append("insert %r at %d" % (w, pos))
                elif op in ("dup", "drop", "swap"):
                    pairs = [i for i in range(len(toks) - 2)
                             if texts[i][:1] == b'"' and texts[i + 1] == b":"]
                    if not pairs:
                        continue
                    i = r.choice(pairs)
                    j = value_end(bytes(h), toks, i + 2)
                    a, b = toks[i][0], toks[j][1]
                    span = bytes(h[a:b])
                    if op == "dup":
                        h[b:b] = b"," + span
                        ops.append("duplicate pair %s" % span[:40].decode("utf-8", "replace"))
                    elif op == "drop":
                        if j + 1 < len(toks) and texts[j + 1] == b",":
                            b = toks[j + 1][1]
                        elif i > 0 and texts[i - 1] == b",":
                            a = toks[i - 1][0]
                        del h[a:b]
                        ops.append("drop pair %s" % span[:40].decode("utf-8", "replace"))
                    else:
                        same = [x for x in pairs if texts[x] == texts[i] and x != i]
                        if not same:
                            continue
                        x = r.choice(same)
                        y = value_end(bytes(h), toks, x + 2)
                        v1 = (toks[i + 2][0], toks[j][1])
                        v2 = (toks[x + 2][0], toks[y][1])
                        if v1[0] > v2[0]:
                            v1, v2 = v2, v1
                        if v1[1] > v2[0]:
                            continue
                        s1, s2 = bytes(h[v1[0]:v1[1]]), bytes(h[v2[0]:v2[1]])
                        h[v2[0]:v2[1]] = s1
                        h[v1[0]:v1[1]] = s2
                        ops.append("swap values of two %s" % texts[i].decode("utf-8", "replace"))
                else:
                    idx = [i for i, t in enumerate(texts) if t[:1] == b'"' and len(t) > 2]
                    if not idx:
                        continue
                    i = r.choice(idx)
                    a = toks[i][0] + 1
                    if h[a] in b"\\":
                        continue
                    esc = r.choice([b"\\u%04x" % h[a], b"\\ud800", b"\\udc00", b"\\/", b"\\u0000"])
                    h[a:a + 1] = esc
                    ops.append("escape at %d as %s" % (a, esc.decode()))
            pad = r.choice([0, 0, 1, 3, 7])
            hb = bytes(h) + b" " * pad
            tail = data
            roll = r.random()
            if roll < 0.1:
                tail = data + r.randbytes(1)
                ops.append("one trailing byte")
            elif roll < 0.2 and data:
                tail = data[:-1]
                ops.append("data one byte short")
            self.add("mutate-token", "token mutant of [%s]: %s" % (desc, "; ".join(ops) or "no-op"),
                     u64le(len(hb)) + hb + tail, None)


TOKEN_RE = re.compile(rb'"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|[{}\[\]:,]|true|false|null')
EDGE_NUMS = ["0", "1", "2", "7", "8", "255", "256", "4294967296", "9223372036854775807",
             "9223372036854775808", "18446744073709551615", "18446744073709551616", "-0", "-1",
             "1.0", "1e0", "01", "1e400", "1e-400", "0.5", "2305843009213693951",
             "2305843009213693952", "4611686018427387904"]


def tokens(h):
    """(start, end) spans of the JSON tokens of a header (bytes)."""
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(h)]


def value_end(h, toks, i):
    """Index of the token that ends the value starting at token i."""
    depth = 0
    for j in range(i, len(toks)):
        t = h[toks[j][0]:toks[j][1]]
        if t in (b"{", b"["):
            depth += 1
        elif t in (b"}", b"]"):
            depth -= 1
        if depth <= 0:
            return j
    return len(toks) - 1


def generate(outdir, seed, mutants):
    """Write the corpus and its manifest into outdir; returns the manifest."""
    os.makedirs(outdir, exist_ok=True)
    for fn in os.listdir(outdir):
        if fn.endswith(".safetensors") or fn == "manifest.json":
            os.unlink(os.path.join(outdir, fn))
    g = Gen(outdir, seed)
    g.gen_valid()
    g.gen_layout()
    g.gen_utf8()
    g.gen_json()
    g.gen_numbers()
    g.gen_depth()
    g.gen_dups()
    g.gen_schema()
    g.gen_validation()
    g.gen_mutations(mutants)
    g.gen_token_mutations(mutants)
    with open(os.path.join(outdir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(g.cases, f, indent=0, ensure_ascii=True)
        f.write("\n")
    return g.cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--mutants", type=int, default=300)
    args = ap.parse_args()
    cases = generate(args.outdir, args.seed, args.mutants)
    print("gen: %d files in %s" % (len(cases), args.outdir))


if __name__ == "__main__":
    main()
