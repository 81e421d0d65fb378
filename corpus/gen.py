#!/usr/bin/env python3
"""Build the safetensors conformance corpus from the case descriptions below.

    python3 corpus/gen.py                 regenerate corpus/cases/ and corpus/manifest.json
    python3 corpus/gen.py --out DIR       write DIR/cases/ and DIR/manifest.json instead
    python3 corpus/gen.py --list          print the case ids, one per line

Python 3.11 standard library only; the output depends on nothing but this
file (data bytes come from random.Random seeded with the case id).

Each case is one description: the header text (or the raw file bytes), the
size of the data section, the expected verdict in compat mode (the verdict of
the reference, safetensors 0.8.0) and in strict mode, the requirement ids it
exercises and one line saying what it tests. From it the generator writes the
file and a manifest entry; for accepted files it also computes the tensor
table (last duplicate wins, as in the reference) and checks every declared
verdict against a small model of the layout, UTF-8 and validation steps, so
a mistake in a description stops the build. The JSON syntax verdicts are
not modelled here: `check_reference.py` confirms every verdict against the
reference itself.

Case names: y_ accepted in both modes, n_ rejected in both modes, i_ the modes
(or the spec and the reference) differ. See README.md for the manifest format.
"""

import argparse
import hashlib
import json
import math
import os
import random
import re
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(os.path.dirname(HERE), "spec", "safetensors.md")
# Requirements that no file can exercise; every other id of the spec must be
# named by at least one case.
NOT_IN_FILES = {
    "ST-API-2": "an unknown mode value is an argument error, not a property of a file",
    "ST-PLAN-1": "device copy planning (an API over accepted files), not a file verdict",
    "ST-PLAN-2": "device copy planning (an API over accepted files), not a file verdict",
    "ST-PLAN-3": "device copy planning (an API over accepted files), not a file verdict",
    "ST-PLAN-4": "device copy planning (an API over accepted files), not a file verdict",
}

U64 = (1 << 64) - 1
HEADER_MAX = 100_000_000

DTYPES = [  # (name, bits), in declaration order (ST-DTYPE-1)
    ("BOOL", 8), ("F4", 4), ("F6_E2M3", 6), ("F6_E3M2", 6), ("U8", 8), ("I8", 8),
    ("F8_E5M2", 8), ("F8_E4M3", 8), ("F8_E8M0", 8), ("F8_E4M3FNUZ", 8), ("F8_E5M2FNUZ", 8),
    ("I16", 16), ("U16", 16), ("F16", 16), ("BF16", 16), ("I32", 32), ("U32", 32),
    ("F32", 32), ("C64", 64), ("F64", 64), ("I64", 64), ("U64", 64),
]
BITS = dict(DTYPES)
DTYPE_INDEX = {name: i for i, (name, _) in enumerate(DTYPES)}

KINDS = ["HeaderTooSmall", "HeaderTooLarge", "InvalidHeaderLength", "InvalidHeader",
         "InvalidHeaderDeserialization", "InvalidOffset", "ValidationOverflow",
         "MisalignedSlice", "TensorInvalidInfo", "MetadataIncompleteBuffer"]
VALIDATION_KINDS = {"InvalidOffset", "ValidationOverflow", "MisalignedSlice",
                    "TensorInvalidInfo", "MetadataIncompleteBuffer"}
IHD = "InvalidHeaderDeserialization"

AREAS = ["layout", "utf8", "json", "schema", "metadata", "dtype", "shape_overflow",
         "offsets_coverage", "duplicates", "depth", "realistic", "large_headers", "writer"]

# A table whose JSON is larger than this goes to its own file next to the case.
INLINE_TABLE_MAX = 64 * 1024


class CaseError(Exception):
    pass


# ---------------------------------------------------------------------------
# Small builders used by the descriptions
# ---------------------------------------------------------------------------

def jstr(s):
    """A JSON string literal for s, non-ASCII kept raw (UTF-8 on output)."""
    return json.dumps(s, ensure_ascii=False)


def ent(dtype, shape, begin, end, extra=""):
    """One tensor entry in canonical field order; `extra` is appended raw
    (e.g. ',"x":1' for an unknown field)."""
    shp = ",".join(str(d) for d in shape)
    # A dtype given as JSON text ('"U\\u0038"', '{"U8":null}') is used verbatim.
    dt = dtype if dtype.startswith(("{", "[", "\"")) else jstr(dtype)
    return '{"dtype":%s,"shape":[%s],"data_offsets":[%d,%d]%s}' % (dt, shp, begin, end, extra)


def H(*members, meta=None, meta_raw=None, meta_last=False):
    """A header object. Each member is (name, dtype, shape, begin, end) or
    (name, raw_entry_text); `name` is a Python str (JSON-encoded here) or, to
    control the spelling, bytes/str starting with '"' used verbatim.
    `meta` (a dict) or `meta_raw` (text) add the metadata member, first
    unless meta_last."""
    parts = []
    for m in members:
        name = m[0]
        key = name if (isinstance(name, str) and name[:1] == '"' and name[-1:] == '"'
                       and len(name) >= 2) else jstr(name)
        body = m[1] if len(m) == 2 else ent(*m[1:])
        parts.append("%s:%s" % (key, body))
    mt = None
    if meta is not None:
        mt = '"__metadata__":{%s}' % ",".join("%s:%s" % (jstr(k), jstr(v))
                                               for k, v in meta.items())
    if meta_raw is not None:
        mt = '"__metadata__":%s' % meta_raw
    if mt is not None:
        if meta_last:
            parts.append(mt)
        else:
            parts.insert(0, mt)
    return "{" + ",".join(parts) + "}"


def seq(*specs, start=0):
    """Members laid out back to back from `start` in the given order:
    specs are (name, dtype, shape)."""
    out = []
    off = start
    for name, dtype, shape in specs:
        n = nbytes(dtype, shape)
        out.append((name, dtype, shape, off, off + n))
        off += n
    return out


def nbytes(dtype, shape):
    n = 1
    for d in shape:
        n *= d
    bits = n * BITS[dtype]
    if bits % 8:
        raise CaseError("seq(): %s%s is not a whole number of bytes" % (dtype, shape))
    return bits // 8


def u64le(n):
    return struct.pack("<Q", n)


# ---------------------------------------------------------------------------
# The model: steps 1-4 and 6-7 of ST-ORDER-1, and the tensor table
# ---------------------------------------------------------------------------

def _pairs(pairs):
    return ("__pairs__", pairs)


def parse_header_pairs(header_bytes):
    """Python's json with duplicate keys kept. Used only on headers the
    description says are syntactically valid; None if Python cannot parse."""
    try:
        text = header_bytes.decode("utf-8")
        return json.loads(text, object_pairs_hook=_pairs)
    except (ValueError, RecursionError):
        return None


def _obj(v):
    return v[1] if isinstance(v, tuple) and len(v) == 2 and v[0] == "__pairs__" else None


def header_table(header_bytes):
    """(tensors, metadata, dropped) under the reference's rules: last
    duplicate wins, array-form entries, object-form dtypes. Raises
    CaseError when the header does not have that shape."""
    top = _obj(parse_header_pairs(header_bytes))
    if top is None:
        raise CaseError("header is not a JSON object Python can parse")
    tensors = {}
    order = []
    metadata = None
    dropped = 0
    for key, val in top:
        if key == "__metadata__":
            mp = _obj(val)
            if val is not None and (mp is None or not all(isinstance(v, str) for _, v in mp)):
                raise CaseError("__metadata__ is not a map of strings")
            metadata = None if val is None else {k: v for k, v in mp}
            continue
        if key in tensors:
            dropped += 1
        else:
            order.append(key)
        fields = _obj(val)
        if fields is not None:
            f = {k: v for k, v in fields}
            dtype, shape, offs = f.get("dtype"), f.get("shape"), f.get("data_offsets")
        elif isinstance(val, list) and len(val) == 3:
            dtype, shape, offs = val
        else:
            raise CaseError("entry %r has no table shape" % key)
        if _obj(dtype) is not None:
            dtype = _obj(dtype)[0][0]
        if dtype not in BITS or not isinstance(shape, list) or not isinstance(offs, list) \
                or len(offs) != 2:
            raise CaseError("entry %r is not a tensor" % key)
        tensors[key] = {"name": key, "dtype": dtype, "shape": shape,
                        "data_offsets": list(offs)}
    return [tensors[k] for k in order], metadata, dropped


def name_key(name):
    return name.encode("utf-8", "surrogatepass")


def sort_tensors(tensors, reverse_ties=False):
    """(begin, end) order, ties by name bytes (or reversed, to probe ties)."""
    def k(t):
        return (t["data_offsets"][0], t["data_offsets"][1])
    by_name = sorted(tensors, key=lambda t: name_key(t["name"]), reverse=reverse_ties)
    return sorted(by_name, key=k)


def validate_tensors(tensors, data_len):
    """ST-VALID-1..7 over the live tensors: (kind, name) or (None, None)."""
    running = 0
    for t in tensors:
        b, e = t["data_offsets"]
        if b != running or e < b:
            return "InvalidOffset", t["name"]
        running = e
        n = 1
        for d in t["shape"]:
            n *= d
            if n > U64:
                return "ValidationOverflow", t["name"]
        bits = n * BITS[t["dtype"]]
        if bits > U64:
            return "ValidationOverflow", t["name"]
        if bits % 8:
            return "MisalignedSlice", t["name"]
        if e - b != bits // 8:
            return "TensorInvalidInfo", t["name"]
    if running != data_len:
        return "MetadataIncompleteBuffer", None
    return None, None


def layout_kind(blob):
    """Steps 1-4 of ST-ORDER-1: (kind or None, N)."""
    if len(blob) < 8:
        return "HeaderTooSmall", None
    n = struct.unpack("<Q", blob[:8])[0]
    if n > HEADER_MAX:
        return "HeaderTooLarge", n
    if len(blob) - 8 < n:
        return "InvalidHeaderLength", n
    try:
        blob[8:8 + n].decode("utf-8", "strict")
    except UnicodeDecodeError:
        return "InvalidHeader", n
    return None, n


# ---------------------------------------------------------------------------
# Case collection
# ---------------------------------------------------------------------------

CASES = []
_AREA = [None]


def area(name):
    assert name in AREAS, name
    _AREA[0] = name


def case(name, header=None, data="auto", *, ids, what, kind=None, strict="default",
         raw=None, n=None, pad=b"", data_bytes=None, tensor="auto", check_model=True):
    """Describe one reader case.

    name      y_/n_/i_ + a slug; the prefix states the expectation.
    header    str (encoded as UTF-8) or bytes: the N header bytes.
    data      data section length ("auto": the largest data_offsets end in
              the header), or bytes.
    raw       the whole file instead of header + data.
    n         the length prefix, when it must differ from len(header).
    pad       bytes appended after the data (trailing garbage, etc.).
    kind      the reference's error kind (compat verdict); None = accepted.
    strict    "accept", or the list of reference kinds a strict reader may
              report (None = a strict-only refusal, which has no reference
              kind). Default: y_ accept, n_ [kind], i_ [None].
    ids       requirement ids (without the ST- prefix is fine).
    what      one line: what the case tests.
    """
    CASES.append(dict(kind_of_case="reader", area=_AREA[0], name=name, header=header,
                      data=data, ids=ids, what=what, ref_kind=kind, strict=strict,
                      raw=raw, n=n, pad=pad, tensor=tensor, check_model=check_model))


def writer_case(name, tensors, metadata=None, *, ids, what, refuse=None,
                reference="same"):
    """Describe one writer case: input tensors and metadata; the expected file
    is computed by the canonical writer model below (ST-WRITE-1..6) unless
    the writer must refuse (`refuse` = the reason, an ST_W_* name).
    tensors: list of dicts {name, dtype, shape, data (bytes or length)} or
    {name_hex: ...} for names that are not UTF-8. metadata: None or a list
    of (key, value) pairs (a list, so that duplicates can be described).
    reference: "same" (the reference writer produces identical bytes),
    "metadata-order" (identical up to metadata member order, which the
    reference randomises), or a reason why it cannot be compared."""
    CASES.append(dict(kind_of_case="writer", area="writer", name=name, tensors=tensors,
                      metadata=metadata, ids=ids, what=what, refuse=refuse,
                      reference=reference))


# ---------------------------------------------------------------------------
# The descriptions, by area
# ---------------------------------------------------------------------------

A1 = ("a", "U8", [2], 0, 2)          # a typical single tensor
A1H = H(A1)


def describe_layout():
    area("layout")
    ok = A1H.encode()
    ids1 = ["LAYOUT-1", "ORDER-1"]
    case("n_file_empty", raw=b"", kind="HeaderTooSmall", ids=ids1, what="a 0-byte file")
    case("n_file_1_byte", raw=b"\x02", kind="HeaderTooSmall", ids=ids1, what="a 1-byte file")
    case("n_file_7_bytes_zero", raw=b"\0" * 7, kind="HeaderTooSmall", ids=ids1,
         what="7 zero bytes: one short of a length prefix")
    case("n_file_7_bytes_prefix_of_valid", raw=u64le(len(ok))[:7], kind="HeaderTooSmall",
         ids=ids1, what="the first 7 bytes of a valid file")
    case("n_file_7_bytes_huge_n", raw=b"\xff" * 7, kind="HeaderTooSmall", ids=ids1,
         what="7 bytes that would encode a huge N: HeaderTooSmall comes first")
    case("n_file_4_bytes_json", raw=b"{}  ", kind="HeaderTooSmall", ids=ids1,
         what="a bare JSON object without a length prefix")
    case("n_file_8_bytes_n_zero", raw=u64le(0), kind=IHD, ids=["LAYOUT-1", "LAYOUT-5"],
         what="exactly 8 bytes, N = 0: passes the size checks, then the empty header fails")
    case("n_n_zero_with_data", raw=u64le(0) + b"{}", kind=IHD, ids=["LAYOUT-5", "LAYOUT-4"],
         what="N = 0 followed by bytes that look like a header: they are data, the header is empty")
    case("n_file_8_bytes_n_one", raw=u64le(1), kind="InvalidHeaderLength",
         ids=["LAYOUT-1", "LAYOUT-3"], what="exactly 8 bytes, N = 1: header runs past the end")
    for label, nval in [("1e8_plus_1", HEADER_MAX + 1), ("2e8", 2 * HEADER_MAX),
                        ("2pow32", 1 << 32), ("2pow63", 1 << 63), ("u64_max", U64),
                        ("2pow27", 1 << 27)]:
        case("n_n_%s" % label, raw=u64le(nval) + ok, kind="HeaderTooLarge",
             ids=["LAYOUT-2", "ORDER-1"], what="N = %d is above the 1e8 cap" % nval)
    case("n_n_1e8_plus_1_8_bytes", raw=u64le(HEADER_MAX + 1), kind="HeaderTooLarge",
         ids=["LAYOUT-2", "LAYOUT-3", "ORDER-1"],
         what="N = 1e8+1 in an 8-byte file: HeaderTooLarge before InvalidHeaderLength")
    case("n_n_1e8_exactly_short_file", raw=u64le(HEADER_MAX) + ok, kind="InvalidHeaderLength",
         ids=["LAYOUT-2", "LAYOUT-3"],
         what="N = 1e8 exactly passes the cap (the file is then too short)")
    case("n_n_1e8_minus_1_short_file", raw=u64le(HEADER_MAX - 1) + ok,
         kind="InvalidHeaderLength", ids=["LAYOUT-2", "LAYOUT-3"],
         what="N just below the cap in a short file")
    case("n_n_big_endian", raw=struct.pack(">Q", len(ok)) + ok + b"xy", kind="HeaderTooLarge",
         ids=["LAYOUT-1", "LAYOUT-2"], what="the length prefix written big-endian")
    case("n_n_32bit_prefix", raw=struct.pack("<I", len(ok)) + ok + b"xy",
         kind="HeaderTooLarge", ids=["LAYOUT-1", "LAYOUT-2"],
         what="a 4-byte length prefix: the first header bytes become part of N")
    case("n_n_one_past_end", A1H, n=len(ok) + 2 + 1, kind="InvalidHeaderLength",
         ids=["LAYOUT-3"], what="N = file length - 8 + 1")
    case("n_n_far_past_end", A1H, n=len(ok) + 1000, kind="InvalidHeaderLength",
         ids=["LAYOUT-3"], what="N larger than the whole file but under the cap")
    case("n_n_past_end_invalid_utf8", b'{"a\xff":1}', data=0, n=11 + 1,
         kind="InvalidHeaderLength", ids=["LAYOUT-3", "UTF8-1", "ORDER-1"],
         what="a short file whose header is also bad UTF-8: InvalidHeaderLength first")
    case("n_n_covers_data", A1H, n=len(ok) + 2, kind=IHD, ids=["LAYOUT-3", "LAYOUT-4", "JSON-1"],
         what="N also covers the data bytes, which then trail the JSON object")
    case("n_n_one_short", A1H.encode()[:-1], data=b"}xy", kind=IHD, ids=["LAYOUT-4", "JSON-1"],
         what="N one byte short: the header lacks its closing brace")
    case("y_header_len_odd", H(A1), ids=["LAYOUT-5"],
         what="N = %d, not a multiple of 8" % len(ok))
    for k in range(1, 8):
        case("y_header_len_mod8_%d" % ((len(ok) + k) % 8), A1H + " " * k, ids=["LAYOUT-5"],
             what="N = %d (%d padding spaces)" % (len(ok) + k, k))
    case("y_empty_object", "{}", data=0, ids=["LAYOUT-1", "LAYOUT-5", "SCHEMA-1", "VALID-6"],
         what="the smallest valid file: N = 2, header {}, no data")
    case("y_empty_object_padded", "{}      ", data=0, ids=["LAYOUT-5", "WRITE-5"],
         what="{} padded to 8 bytes, as a writer emits an empty file")
    case("n_empty_object_trailing_byte", "{}", data=1, kind="MetadataIncompleteBuffer",
         ids=["VALID-6", "LAYOUT-4"], what="no tensors but one data byte")
    case("n_header_only_spaces", "        ", data=0, kind=IHD, strict=[None, IHD],
         ids=["LAYOUT-5", "JSON-1", "STRICT-1"],
         what="a header of spaces only (strict may also report the leading space)")
    case("n_header_single_brace", "{", data=0, kind=IHD, ids=["LAYOUT-5", "JSON-1"],
         what="N = 1, header '{'")
    case("y_offsets_relative_to_data", H(("a", "U8", [4], 0, 4), ("b", "U8", [4], 4, 8)),
         ids=["LAYOUT-4", "VALID-1"], what="offsets count from the start of the data section")
    hdr_abs = H(("a", "U8", [4], 0, 4))
    n_abs = len(hdr_abs.encode())
    case("n_offsets_absolute", H(("a", "U8", [4], 8 + n_abs + 0, 8 + n_abs + 4)),
         data=8 + n_abs + 4, kind="InvalidOffset", ids=["LAYOUT-4", "VALID-1"],
         what="offsets written relative to the start of the file", strict="default")
    case("n_data_short_by_one", A1H, data=1, kind="MetadataIncompleteBuffer",
         ids=["LAYOUT-4", "VALID-6"], what="the data section is one byte short (truncated file)")
    case("n_data_long_by_one", A1H, data=3, kind="MetadataIncompleteBuffer",
         ids=["LAYOUT-4", "VALID-6"], what="one trailing byte after the last tensor")
    case("n_data_missing", A1H, data=0, kind="MetadataIncompleteBuffer",
         ids=["LAYOUT-4", "VALID-6"], what="header only, data section absent")
    case("y_data_not_inspected", A1H, data=b"\xff\xfe", ids=["LAYOUT-4", "UTF8-1"],
         what="data bytes that are not UTF-8 are never inspected")
    case("y_data_looks_like_header", H(("a", "U8", [10], 0, 10)), data=b'{"a":"b"} ',
         ids=["LAYOUT-4"], what="data bytes that look like JSON")
    case("n_two_files_concatenated", raw=None, header=A1H, data=b"xy",
         pad=u64le(len(ok)) + ok + b"xy", kind="MetadataIncompleteBuffer",
         ids=["VALID-6"], what="two valid files back to back")


def describe_utf8():
    area("utf8")
    ids = ["UTF8-1", "ORDER-1"]

    def in_meta(bs):
        return b'{"__metadata__":{"k":"' + bs + b'"},"a":' + ent("U8", [2], 0, 2).encode() + b"}"

    bad = [
        ("continuation_80", b"\x80", "a lone continuation byte 0x80"),
        ("continuation_bf", b"\xbf", "a lone continuation byte 0xBF"),
        ("two_continuations", b"\x80\x80", "two continuation bytes"),
        ("overlong_nul_c080", b"\xc0\x80", "overlong NUL (C0 80, 'modified UTF-8')"),
        ("overlong_slash_c0af", b"\xc0\xaf", "overlong '/' (C0 AF)"),
        ("overlong_c1bf", b"\xc1\xbf", "overlong 2-byte form C1 BF"),
        ("overlong_3byte_e08080", b"\xe0\x80\x80", "overlong 3-byte NUL"),
        ("overlong_3byte_e09fbf", b"\xe0\x9f\xbf", "overlong 3-byte U+07FF"),
        ("overlong_4byte_f0808080", b"\xf0\x80\x80\x80", "overlong 4-byte NUL"),
        ("overlong_4byte_f08fbfbf", b"\xf0\x8f\xbf\xbf", "overlong 4-byte U+FFFF"),
        ("surrogate_d800", b"\xed\xa0\x80", "encoded high surrogate U+D800"),
        ("surrogate_dbff", b"\xed\xaf\xbf", "encoded high surrogate U+DBFF"),
        ("surrogate_dc00", b"\xed\xb0\x80", "encoded low surrogate U+DC00"),
        ("surrogate_dfff", b"\xed\xbf\xbf", "encoded low surrogate U+DFFF"),
        ("surrogate_pair_cesu8", b"\xed\xa0\xbd\xed\xb8\x80", "a surrogate pair encoded as CESU-8"),
        ("above_10ffff_f4908080", b"\xf4\x90\x80\x80", "U+110000 (F4 90 80 80)"),
        ("lead_f5", b"\xf5\x80\x80\x80", "lead byte F5"),
        ("lead_f7", b"\xf7\xbf\xbf\xbf", "lead byte F7 (U+1FFFFF)"),
        ("lead_f8_5byte", b"\xf8\x88\x80\x80\x80", "a 5-byte form (F8)"),
        ("lead_fc_6byte", b"\xfc\x84\x80\x80\x80\x80", "a 6-byte form (FC)"),
        ("byte_fe", b"\xfe", "byte FE"),
        ("byte_ff", b"\xff", "byte FF"),
        ("truncated_2byte", b"\xc3", "a 2-byte sequence cut after its lead byte"),
        ("truncated_3byte_1", b"\xe2", "a 3-byte sequence cut after 1 byte"),
        ("truncated_3byte_2", b"\xe2\x82", "a 3-byte sequence cut after 2 bytes"),
        ("truncated_4byte_3", b"\xf0\x9f\x98", "a 4-byte sequence cut after 3 bytes"),
        ("lead_then_ascii", b"\xc3A", "a lead byte followed by ASCII"),
        ("lead_then_lead", b"\xe2\xe2\x82\xac", "a lead byte followed by a full sequence"),
        ("latin1_e9", b"caf\xe9", "Latin-1 text (E9 for e-acute)"),
        ("cp1252_quotes", b"\x93q\x94", "Windows-1252 curly quotes"),
    ]
    for slug, bs, what in bad:
        case("n_%s" % slug, in_meta(bs), kind="InvalidHeader", ids=ids,
             what="%s inside a metadata value" % what)
    case("n_invalid_in_tensor_name",
         b'{"a\xff":' + ent("U8", [2], 0, 2).encode() + b"}", kind="InvalidHeader", ids=ids,
         what="byte FF inside a tensor name")
    case("n_invalid_in_key", b'{"a":{"dty\xc0\xafpe":"U8","shape":[2],"data_offsets":[0,2]}}',
         kind="InvalidHeader", ids=ids, what="an overlong byte pair inside a field key")
    case("n_invalid_in_padding", A1H.encode() + b"   \xff", kind="InvalidHeader", ids=ids,
         what="byte FF in the padding after the object")
    case("n_invalid_truncated_at_header_end", A1H.encode() + b" \xe2\x82", kind="InvalidHeader",
         ids=ids, what="a 3-byte sequence cut by the end of the header (continues in the data)",
         data=b"\xacxy", check_model=True)
    case("n_invalid_in_leading_whitespace", b"\xff" + A1H.encode(), kind="InvalidHeader",
         ids=ids, what="byte FF before the object")
    case("n_invalid_after_syntax_error", b'{"a":}' + b" \xff", kind="InvalidHeader",
         ids=ids, data=0,
         what="a JSON syntax error early, bad UTF-8 later: the UTF-8 check covers the whole header first")
    case("n_invalid_after_schema_error", b'{"a":1}' + b"\xc0\x80", kind="InvalidHeader",
         ids=ids, data=0, what="a schema error, then an overlong NUL in the padding")
    case("n_invalid_in_unknown_field", b'{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],'
         b'"x":"\xed\xa0\x80"}}', kind="InvalidHeader", ids=ids + ["SCHEMA-5"],
         what="an encoded surrogate inside an unknown field's string (UTF-8 fails before schema)")
    case("n_invalid_with_bad_offsets", b'{"a\xff":' + ent("U8", [2], 5, 7).encode() + b"}",
         kind="InvalidHeader", ids=ids,
         what="bad UTF-8 and bad offsets: the UTF-8 check comes first")
    good = [
        ("2byte_min_c280", "\u0080", "U+0080, the smallest 2-byte character"),
        ("2byte_max_dfbf", "\u07ff", "U+07FF, the largest 2-byte character"),
        ("3byte_min_e0a080", "\u0800", "U+0800, the smallest 3-byte character"),
        ("3byte_d7ff", "\ud7ff", "U+D7FF, just below the surrogates"),
        ("3byte_e000", "\ue000", "U+E000, just above the surrogates"),
        ("3byte_fffd", "\ufffd", "U+FFFD replacement character"),
        ("noncharacter_fffe", "\ufffe", "U+FFFE noncharacter (well-formed)"),
        ("noncharacter_ffff", "\uffff", "U+FFFF noncharacter"),
        ("4byte_min_f0908080", "\U00010000", "U+10000, the smallest 4-byte character"),
        ("4byte_max_f48fbfbf", "\U0010ffff", "U+10FFFF, the largest code point"),
        ("emoji", "\U0001f600", "an emoji"),
        ("bom_inside_string", "\ufeff", "a byte order mark inside a string"),
        ("cjk", "\u6a21\u578b", "CJK characters"),
        ("rtl_arabic", "\u0648\u0632\u0646", "right-to-left text"),
        ("combining", "e\u0301", "a combining accent (no normalisation)"),
        ("line_separator", "\u2028\u2029", "U+2028 and U+2029 raw"),
        ("del_raw", "\x7f", "DEL (0x7F) raw"),
    ]
    for slug, s, what in good:
        case("y_%s_in_value" % slug, H(A1, meta={"k": s}), ids=["UTF8-1", "META-1"],
             what="%s in a metadata value" % what)
    case("y_nonascii_tensor_names", H(*seq(("\u00e9", "U8", [1]), ("\u6a21", "U8", [1]),
                                          ("\U0001f600", "U8", [1]))),
         ids=["UTF8-1", "SCHEMA-6"], what="2-, 3- and 4-byte characters in tensor names")
    case("n_bom_before_object", b"\xef\xbb\xbf" + A1H.encode(), kind=IHD,
         ids=["UTF8-1", "JSON-1"], what="a UTF-8 byte order mark: valid UTF-8, not JSON whitespace")
    case("n_utf16le_header", ("{}").encode("utf-16-le"), data=0, kind=IHD,
         ids=["UTF8-1", "JSON-1"], what="the header {} encoded as UTF-16LE (NUL bytes)")


def describe_json():
    area("json")
    # --- ST-JSON-1: whitespace and what may follow the object ---
    for slug, ws in [("space", " "), ("tab", "\t"), ("lf", "\n"), ("cr", "\r"),
                     ("crlf", "\r\n"), ("mixed", " \t\r\n ")]:
        case("i_leading_ws_%s" % slug, ws + A1H, ids=["JSON-1", "STRICT-1", "MODE-2"],
             what="JSON whitespace (%s) before the object: compat skips it, strict refuses"
             % slug)
    for slug, ws in [("tab", "\t"), ("lf", "\n"), ("cr", "\r"), ("crlf", "\r\n"),
                     ("space_then_lf", "     \n"), ("lf_then_spaces", "\n      ")]:
        case("i_trailing_ws_%s" % slug, A1H + ws, ids=["JSON-1", "STRICT-2", "MODE-2"],
             what="%s after the object: JSON whitespace, not 0x20 padding" % slug)
    case("y_trailing_spaces", A1H + " " * 13, ids=["JSON-1", "STRICT-2", "WRITE-5"],
         what="0x20 padding after the object")
    case("y_ws_inside_object", '{ "a" :\t{\n"dtype"\r: "U8" , "shape" : [ 2 ] ,'
         '"data_offsets":[ 0 , 2 ] } }', ids=["JSON-1"],
         what="all four whitespace bytes between tokens inside the object")
    case("y_ws_everywhere_inside", "{\n  \"a\": {\n    \"dtype\": \"U8\",\n    \"shape\": [\n"
         "      2\n    ],\n    \"data_offsets\": [\n      0,\n      2\n    ]\n  }\n}",
         ids=["JSON-1"], what="a pretty-printed header")
    trailing_bad = [
        ("nul", "\x00", "a NUL byte"), ("vt", "\x0b", "vertical tab 0x0B"),
        ("ff", "\x0c", "form feed 0x0C"), ("nbsp", "\u00a0", "U+00A0 no-break space"),
        ("ideographic_space", "\u3000", "U+3000 ideographic space"),
        ("line_sep", "\u2028", "U+2028 line separator"), ("bom", "\ufeff", "a byte order mark"),
        ("second_object", "{}", "a second object"), ("second_number", " 1", "a number"),
        ("letter", "x", "a letter"), ("comma", ",", "a comma"),
        ("close_brace", "}", "an extra closing brace"),
        ("line_comment", " // c", "a // comment"), ("block_comment", "/* c */", "a /* */ comment"),
        ("nul_after_spaces", "    \x00", "spaces then NUL (C-string padding)"),
        ("nuls_padding", "\x00" * 6, "NUL padding"),
        ("null_literal", " null", "a null literal"),
    ]
    for slug, s, what in trailing_bad:
        case("n_trailing_%s" % slug, A1H + s, kind=IHD, ids=["JSON-1"],
             what="%s after the object" % what)
    leading_bad = [
        ("nul", "\x00", "a NUL byte"), ("vt", "\x0b", "vertical tab"), ("ff", "\x0c", "form feed"),
        ("nbsp", "\u00a0", "U+00A0"), ("letter", "x", "a letter"),
        ("comment", "/* c */", "a comment"),
    ]
    for slug, s, what in leading_bad:
        case("n_leading_%s" % slug, s + A1H, kind=IHD, ids=["JSON-1", "STRICT-1"],
             what="%s before the object" % what)
    case("n_leading_ws_and_trailing_nul", " " + A1H + "\x00", kind=IHD,
         strict=[None, IHD], ids=["JSON-1", "STRICT-1"],
         what="leading space (strict refusal) and trailing NUL (error in both)")
    # --- structure ---
    broken = [
        ("unclosed_object", A1H[:-1], "the top object is not closed"),
        ("unclosed_entry", '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]',
         "an entry is not closed"),
        ("missing_colon", '{"a" {"dtype":"U8","shape":[2],"data_offsets":[0,2]}}',
         "a member without colon"),
        ("missing_comma", '{"a":{"dtype":"U8" "shape":[2],"data_offsets":[0,2]}}',
         "members without comma"),
        ("trailing_comma_top", A1H[:-1] + ",}", "a trailing comma in the top object"),
        ("trailing_comma_entry", '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],}}',
         "a trailing comma in an entry"),
        ("trailing_comma_shape", '{"a":{"dtype":"U8","shape":[2,],"data_offsets":[0,2]}}',
         "a trailing comma in an array"),
        ("leading_comma", '{,' + A1H[1:], "a comma before the first member"),
        ("double_comma", H(("a", "U8", [1], 0, 1), ("b", "U8", [1], 1, 2)).replace("},", "},,"),
         "two commas between members"),
        ("single_quotes", "{'a':{'dtype':'U8','shape':[2],'data_offsets':[0,2]}}",
         "single-quoted strings"),
        ("unquoted_key", '{a:{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', "an unquoted key"),
        ("unquoted_dtype", '{"a":{"dtype":U8,"shape":[2],"data_offsets":[0,2]}}',
         "an unquoted dtype"),
        ("comment_inside", '{/*c*/"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}',
         "a comment inside the object"),
        ("colon_for_comma", '{"a":{"dtype":"U8":"shape":[2],"data_offsets":[0,2]}}',
         "a colon where a comma belongs"),
        ("array_close_mismatch", '{"a":{"dtype":"U8","shape":[2},"data_offsets":[0,2]}}',
         "brackets that do not match"),
        ("key_number", '{1:{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', "a number as key"),
        ("empty_key_no_value", '{"":}', "a member without value"),
        ("only_open_brackets", "{[", "an unfinished array in key position"),
    ]
    for slug, h, what in broken:
        case("n_%s" % slug, h, kind=IHD, ids=["JSON-1"], what=what, data=2)
    # --- ST-JSON-2: strings ---
    names = [
        ("escape_quote", '"a\\"b"', 'a"b', "\\\" in a name"),
        ("escape_backslash", '"a\\\\b"', "a\\b", "\\\\ in a name"),
        ("escape_slash", '"a\\/b"', "a/b", "\\/ in a name"),
        ("escape_b", '"a\\bb"', "a\bb", "\\b in a name"),
        ("escape_f", '"a\\fb"', "a\fb", "\\f in a name"),
        ("escape_n", '"a\\nb"', "a\nb", "\\n in a name"),
        ("escape_r", '"a\\rb"', "a\rb", "\\r in a name"),
        ("escape_t", '"a\\tb"', "a\tb", "\\t in a name"),
        ("escape_u_ascii", '"\\u0061"', "a", "\\u0061 in a name"),
        ("escape_u_upper_hex", '"\\u00E9"', "\u00e9", "\\u00E9 (upper-case hex)"),
        ("escape_u_lower_hex", '"\\u00e9"', "\u00e9", "\\u00e9 (lower-case hex)"),
        ("escape_u_mixed_hex", '"\\uAbCd"', "\uabcd", "\\uAbCd (mixed-case hex)"),
        ("escape_u_nul", '"a\\u0000b"', "a\x00b", "\\u0000 (NUL) in a name"),
        ("escape_u_1f", '"\\u001f"', "\x1f", "\\u001f in a name"),
        ("escape_surrogate_pair", '"\\ud83d\\ude00"', "\U0001f600", "a surrogate pair escape"),
        ("escape_surrogate_pair_upper", '"\\uD83D\\uDE00"', "\U0001f600",
         "a surrogate pair escape in upper case"),
        ("escape_max_pair", '"\\udbff\\udfff"', "\U0010ffff", "the pair for U+10FFFF"),
        ("escape_min_pair", '"\\ud800\\udc00"', "\U00010000", "the pair for U+10000"),
        ("escape_fffe", '"\\ufffe"', "\ufffe", "\\ufffe"),
        ("escape_u_2028", '"\\u2028"', "\u2028", "\\u2028"),
        ("raw_del", '"a\x7fb"', "a\x7fb", "raw DEL in a name"),
        ("escape_everything", '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041"', '"\\/\b\f\n\r\tA',
         "every short escape in one name"),
    ]
    for slug, spelled, _decoded, what in names:
        case("y_string_%s" % slug, H((spelled, ent("U8", [2], 0, 2))),
             ids=["JSON-2", "JSON-7", "SCHEMA-6"], what=what)
    bad_strings = [
        ("escape_x", '"\\x41"', "\\x41"), ("escape_a", '"\\a"', "\\a"),
        ("escape_apostrophe", "\"\\'\"", "\\'"), ("escape_upper_U", '"\\U0041"', "\\U0041"),
        ("escape_0", '"\\0"', "\\0"), ("escape_space", '"\\ "', "backslash space"),
        ("escape_u_short", '"\\u041"', "\\u with 3 hex digits"),
        ("escape_u_short_end", '"\\u04"', "\\u with 2 hex digits before the quote"),
        ("escape_u_nonhex", '"\\u00g1"', "\\u with a non-hex digit"),
        ("escape_u_plus", '"\\u+041"', "\\u+041"),
        ("escape_lone_high", '"\\ud800"', "a lone high surrogate escape"),
        ("escape_lone_high_dbff", '"\\udbff"', "lone \\udbff"),
        ("escape_lone_low", '"\\udc00"', "a lone low surrogate escape"),
        ("escape_lone_low_dfff", '"\\udfff"', "lone \\udfff"),
        ("escape_high_then_ascii", '"\\ud800a"', "a high surrogate followed by ASCII"),
        ("escape_high_then_u_ascii", '"\\ud800\\u0041"', "a high surrogate followed by \\u0041"),
        ("escape_high_then_high", '"\\ud800\\ud800"', "two high surrogates"),
        ("escape_low_then_high", '"\\udc00\\ud800"', "a reversed surrogate pair"),
        ("escape_high_then_n", '"\\ud800\\n"', "a high surrogate followed by \\n"),
        ("escape_backslash_at_end", '"a\\"', "a backslash escaping the closing quote"),
        ("raw_nul", '"a\x00b"', "raw NUL"), ("raw_01", '"a\x01b"', "raw 0x01"),
        ("raw_tab", '"a\tb"', "raw tab"), ("raw_lf", '"a\nb"', "raw line feed"),
        ("raw_cr", '"a\rb"', "raw carriage return"), ("raw_1f", '"a\x1fb"', "raw 0x1F"),
        ("unterminated", '"abc', "an unterminated string"),
    ]
    for slug, spelled, what in bad_strings:
        case("n_string_%s" % slug, '{%s:%s}' % (spelled, ent("U8", [2], 0, 2))
             if slug != "unterminated" else '{"a":%s,%s' % (ent("U8", [2], 0, 2), spelled),
             kind=IHD, ids=["JSON-2"], what="%s in a tensor name" % what)
    case("n_string_lone_surrogate_in_metadata", H(A1, meta_raw='{"k":"\\udead"}'), kind=IHD,
         ids=["JSON-2", "META-1"], what="a lone surrogate escape in a metadata value")
    case("n_string_raw_control_in_dtype", H(("a", ent('"U\x018"', [2], 0, 2))), kind=IHD,
         ids=["JSON-2"], what="a raw control byte inside the dtype string")
    case("i_string_lone_surrogate_in_unknown_field",
         H(("a", ent("U8", [2], 0, 2, ',"x":"\\ud800x"'))), kind=IHD, strict=[None, IHD],
         ids=["JSON-2", "SCHEMA-5", "STRICT-5"],
         what="a lone surrogate inside an unknown field (also an error in compat)")
    # --- ST-JSON-7: keys decoded ---
    case("y_key_dtype_escaped", '{"a":{"d\\u0074ype":"U8","shape":[2],"data_offsets":[0,2]}}',
         ids=["JSON-7", "SCHEMA-2"], what='"d\\u0074ype" is the field dtype')
    case("y_key_all_fields_escaped", '{"a":{"\\u0064\\u0074\\u0079\\u0070\\u0065":"U8",'
         '"sh\\u0061pe":[2],"data\\u005foffsets":[0,2]}}', ids=["JSON-7", "SCHEMA-2"],
         what="all three field names spelled with escapes")
    case("y_dtype_escaped", H(("a", ent('"U\\u0038"', [2], 0, 2))), ids=["JSON-7", "DTYPE-2"],
         what='"U\\u0038" is the dtype U8')
    case("y_dtype_fully_escaped", H(("a", ent('"\\u0042\\u0046\\u0031\\u0036"', [1], 0, 2))),
         ids=["JSON-7", "DTYPE-2"], what="BF16 spelled entirely with \\u escapes")
    case("y_metadata_key_escaped", '{"__m\\u0065tadata__":{"k":"v"},"a":%s}' % ent("U8", [2], 0, 2),
         ids=["JSON-7", "META-1"], what='"__m\\u0065tadata__" is the metadata key')
    case("y_metadata_key_slash_escape", '{"\\u005f_metadata_\\u005f":{"k":"v"},"a":%s}'
         % ent("U8", [2], 0, 2), ids=["JSON-7", "META-1"],
         what="the metadata key with escaped underscores")
    case("n_key_dtype_escaped_twice", '{"a":{"dtype":"U8","d\\u0074ype":"U8","shape":[2],'
         '"data_offsets":[0,2]}}', kind=IHD, ids=["JSON-7", "SCHEMA-2"],
         what="dtype given once plain and once escaped: a repeated field")
    case("n_metadata_twice_escaped", '{"__metadata__":{},"__m\\u0065tadata__":{},"a":%s}'
         % ent("U8", [2], 0, 2), kind=IHD, ids=["JSON-7", "META-2"],
         what="__metadata__ given once plain and once escaped")
    case("i_names_equal_after_decoding", H(("a", "U8", [2], 0, 2), ('"\\u0061"', ent("U8", [2], 0, 2))),
         ids=["JSON-7", "SCHEMA-7", "STRICT-3"],
         what='"a" and "\\u0061" are the same name (compat: last wins)')
    case("y_names_differ_by_escape_meaning",
         H(("a/b", "U8", [1], 0, 1), ('"a\\\\/b"', ent("U8", [1], 1, 2))),
         ids=["JSON-7", "SCHEMA-6"], what='"a/b" and "a\\\\/b" are different names')
    # --- ST-JSON-3 / -4 / -5: numbers and literals, inside unknown fields ---
    def unk(v):
        return H(("a", ent("U8", [2], 0, 2, ',"x":%s' % v)))
    good_numbers = [
        ("zero", "0"), ("minus_zero", "-0"), ("minus_one", "-1"), ("fraction", "1.5"),
        ("minus_fraction", "-0.25"), ("exp", "1e5"), ("exp_upper", "1E5"), ("exp_plus", "1e+5"),
        ("exp_minus", "1e-5"), ("exp_zero_padded", "1e007"), ("frac_exp", "-1.5e-10"),
        ("zero_exp", "0e0"), ("zero_frac", "0.0"),
        ("u64_max", str(U64)), ("u64_max_plus_1", str(U64 + 1)),
        ("i64_min", str(-(1 << 63))), ("i64_min_minus_1", str(-(1 << 63) - 1)),
        ("int_30_digits", "1" * 30), ("int_minus_30_digits", "-" + "9" * 30),
        ("1e308", "1e308"), ("max_double", "1.7976931348623157e308"),
        ("minus_max_double", "-1.7976931348623157e308"),
        ("1e-400", "1e-400"), ("min_subnormal", "5e-324"), ("1e-324", "1e-324"),
        ("10pow308_digits", "1" + "0" * 308),
        ("u64_max_plus_frac", "18446744073709551616.5"),
        ("zero_huge_exp", "0e999999999999"), ("zero_frac_huge_exp", "0.000e2147483648"),
        ("neg_exp_overflow", "1e-2147483649"), ("neg_exp_huge", "1e-99999999999"),
        ("dot01e310", "0.01e310"), ("10e307", "10e307"), ("T289", "17976931348623156224e289"),
        ("T300", "179769313e300"), ("T307", "17e307"), ("long_fraction", "0." + "3" * 400),
        ("many_frac_digits", "1." + "9" * 40),
    ]
    for slug, v in good_numbers:
        case("i_number_%s" % slug, unk(v), ids=["JSON-3", "JSON-4", "SCHEMA-5", "STRICT-5"],
             what="the number %s%s in an unknown field: valid JSON, in range"
             % (v[:40], "..." if len(v) > 40 else ""))
    bad_range = [
        ("1e309", "1e309"), ("1e400", "1e400"), ("minus_1e400", "-1e400"),
        ("max_double_plus", "1.7976931348623158e308"), ("1.8e308", "1.8e308"),
        ("2e308", "2e308"), ("dot1e310", "0.1e310"), ("10pow309_digits", "1" + "0" * 309),
        ("int_400_digits", "9" * 400), ("exp_overflow", "1e2147483648"),
        ("exp_huge", "1e99999999999"), ("T289_plus_1", "17976931348623156225e289"),
        ("T300_plus_1", "179769314e300"), ("T307_plus_1", "18e307"),
        ("frac_exp_huge", "1.5e999"),
    ]
    for slug, v in bad_range:
        case("n_number_%s" % slug, unk(v), kind=IHD, strict=[None, IHD],
             ids=["JSON-4", "SCHEMA-5"],
             what="the number %s%s in an unknown field: out of range for the reference"
             % (v[:40], "..." if len(v) > 40 else ""))
    bad_grammar = [
        ("leading_zero", "01"), ("minus_leading_zero", "-01"), ("plus", "+1"),
        ("bare_minus", "-"), ("double_minus", "--1"), ("dot_first", ".5"),
        ("dot_last", "1."), ("dot_exp", "1.e5"), ("exp_empty", "1e"), ("exp_sign_only", "1e+"),
        ("exp_only", "e5"), ("hex", "0x10"), ("nan", "NaN"), ("infinity", "Infinity"),
        ("minus_infinity", "-Infinity"), ("underscore", "1_000"), ("double_dot", "1.2.3"),
        ("minus_space", "- 1"), ("full_width_digit", "\uff11"),
    ]
    for slug, v in bad_grammar:
        case("n_number_%s" % slug, unk(v), kind=IHD, strict=[None, IHD],
             ids=["JSON-3", "SCHEMA-5"], what="%r in an unknown field: not a JSON number" % v)
    for slug, v in [("true", "true"), ("false", "false"), ("null", "null"),
                    ("array_of_literals", "[true,false,null]")]:
        case("i_literal_%s" % slug, unk(v), ids=["JSON-5", "SCHEMA-5", "STRICT-5"],
             what="%s in an unknown field" % v)
    for slug, v in [("True", "True"), ("FALSE", "FALSE"), ("nul", "nul"), ("tru", "tru"),
                    ("nulll", "nulll"), ("undefined", "undefined"), ("none", "None"),
                    ("truefalse", "truefalse")]:
        case("n_literal_%s" % slug, unk(v), kind=IHD, strict=[None, IHD],
             ids=["JSON-5", "SCHEMA-5"], what="the bare word %s" % v)


def describe_schema():
    area("schema")
    for slug, h in [("array", "[]"), ("array_of_entry", "[%s]" % ent("U8", [2], 0, 2)),
                    ("string", '"{}"'), ("number", "0"), ("null", "null"), ("true", "true")]:
        case("n_top_%s" % slug, h, kind=IHD, ids=["SCHEMA-1"], data=0,
             what="a top-level %s instead of an object" % slug)
    case("y_top_empty_object", "{}", data=0, ids=["SCHEMA-1"], what="{}: no tensors, no metadata")
    case("y_top_empty_object_inner_ws", "{ \t\n\r }", data=0, ids=["SCHEMA-1", "JSON-1"],
         what="an empty object with whitespace inside")
    # entries
    for slug, v in [("string", '"U8"'), ("number", "1"), ("null", "null"), ("true", "true"),
                    ("empty_object", "{}"), ("empty_array", "[]"), ("nested_entry",
                    '{"t":%s}' % ent("U8", [2], 0, 2))]:
        # [] is also an array-form entry, and "t" an unknown field: strict
        # may report either fault.
        double = slug in ("empty_array", "nested_entry")
        case("n_entry_%s" % slug, '{"a":%s}' % v, data=0, kind=IHD,
             strict=[None, IHD] if double else "default",
             ids=["SCHEMA-2"] + (["STRICT-5", "STRICT-6"] if double else []),
             what="a tensor entry that is %s" % slug.replace("_", " "))
    fields = {"dtype": '"dtype":"U8"', "shape": '"shape":[2]', "offsets": '"data_offsets":[0,2]'}
    for miss in fields:
        rest = ",".join(v for k, v in fields.items() if k != miss)
        case("n_entry_missing_%s" % miss, '{"a":{%s}}' % rest, kind=IHD, data=2,
             ids=["SCHEMA-2"], what="an entry without %s" % miss)
    for only in fields:
        case("n_entry_only_%s" % only, '{"a":{%s}}' % fields[only], kind=IHD, data=2,
             ids=["SCHEMA-2"], what="an entry with only %s" % only)
    for dup in fields:
        body = ",".join(fields.values()) + "," + fields[dup]
        case("n_entry_repeated_%s_equal" % dup, '{"a":{%s}}' % body, kind=IHD, data=2,
             ids=["SCHEMA-2"], what="%s given twice with the same value" % dup)
    case("n_entry_repeated_dtype_differ", '{"a":{"dtype":"U8","dtype":"I8","shape":[2],'
         '"data_offsets":[0,2]}}', kind=IHD, data=2, ids=["SCHEMA-2"],
         what="dtype given twice with different values")
    case("n_entry_repeated_shape_last_fixes", '{"a":{"dtype":"U8","shape":[3],"shape":[2],'
         '"data_offsets":[0,2]}}', kind=IHD, data=2, ids=["SCHEMA-2"],
         what="shape twice where the last one would fit the data")
    import itertools
    for perm in itertools.permutations(["dtype", "shape", "offsets"]):
        if perm == ("dtype", "shape", "offsets"):
            slug = "canonical"
        else:
            slug = "_".join(p[0] for p in perm)
        case("y_entry_field_order_%s" % slug, '{"a":{%s}}' % ",".join(fields[p] for p in perm),
             data=2, ids=["SCHEMA-2"], what="entry fields in the order %s" % ", ".join(perm))
    case("n_entry_field_case", '{"a":{"Dtype":"U8","shape":[2],"data_offsets":[0,2]}}',
         kind=IHD, data=2, strict=[None, IHD], ids=["SCHEMA-2", "JSON-7", "STRICT-5"],
         what='"Dtype" is not dtype: an unknown field, and dtype is missing')
    case("n_entry_field_offsets_alias", '{"a":{"dtype":"U8","shape":[2],"offsets":[0,2]}}',
         kind=IHD, data=2, strict=[None, IHD], ids=["SCHEMA-2", "STRICT-5"],
         what='"offsets" instead of "data_offsets"')
    case("n_entry_field_trailing_space", '{"a":{"dtype ":"U8","shape":[2],"data_offsets":[0,2]}}',
         kind=IHD, data=2, strict=[None, IHD], ids=["SCHEMA-2", "STRICT-5"],
         what='"dtype " (trailing space) is not dtype')
    # shape
    shape_good = [
        ("scalar", "U8", [], 0, 1, "shape [] is a scalar of one element"),
        ("zero", "U8", [0], 0, 0, "shape [0]: zero elements"),
        ("one", "U8", [1], 0, 1, "shape [1]"),
        ("rank_8", "U8", [1] * 7 + [3], 0, 3, "rank 8"),
        ("rank_64", "U8", [1] * 64, 0, 1, "rank 64"),
        ("rank_1000", "U8", [1] * 1000, 0, 1, "rank 1000 (no rank limit)"),
        ("u64_max_then_zero", "U8", [U64, 0], 0, 0, "a dimension of 2^64-1 times 0"),
        ("zero_then_u64_max", "U8", [0, U64], 0, 0, "0 times 2^64-1"),
        ("dims_with_zero_middle", "F32", [7, 0, 9], 0, 0, "a zero in the middle"),
    ]
    for slug, dt, shp, b, e, what in shape_good:
        case("y_shape_%s" % slug, H(("a", dt, shp, b, e)), ids=["SCHEMA-3", "VALID-2"], what=what)
    shape_bad = [
        ("minus_one", "[-1]"), ("minus_zero", "[-0]"), ("float", "[1.0]"), ("exp", "[1e0]"),
        ("exp_big", "[2e1]"), ("u64_max_plus_1", "[%d]" % (U64 + 1)),
        ("huge", "[%s]" % ("9" * 40)), ("string", '["1"]'), ("null_elem", "[null]"),
        ("true_elem", "[true]"), ("nested", "[[1]]"), ("object_elem", "[{}]"),
        ("leading_zero", "[01]"), ("plus", "[+1]"), ("not_array_number", "1"),
        ("not_array_string", '"[1]"'), ("not_array_null", "null"), ("not_array_object", "{}"),
        ("minus_fraction", "[-0.5]"), ("hex", "[0x1]"),
    ]
    for slug, v in shape_bad:
        case("n_shape_%s" % slug, '{"a":{"dtype":"U8","shape":%s,"data_offsets":[0,1]}}' % v,
             data=1, kind=IHD, ids=["SCHEMA-3"], what="shape %s" % v[:30])
    # data_offsets
    case("y_offsets_u64_max_zero_size", H(("a", "U8", [0], 0, 0)), ids=["SCHEMA-4"],
         what="zero-size tensor at [0,0]")
    off_bad = [
        ("one_elem", "[0]"), ("three_elems", "[0,2,2]"), ("empty", "[]"), ("string", '"0,2"'),
        ("object", '{"begin":0,"end":2}'), ("null", "null"), ("minus", "[-1,1]"),
        ("float", "[0.0,2]"), ("exp", "[0,2e0]"), ("u64_max_plus_1", "[0,%d]" % (U64 + 1)),
        ("nested", "[[0],[2]]"), ("string_elems", '["0","2"]'), ("minus_zero", "[-0,2]"),
        ("null_elem", "[0,null]"),
    ]
    for slug, v in off_bad:
        case("n_offsets_%s" % slug, '{"a":{"dtype":"U8","shape":[2],"data_offsets":%s}}' % v,
             data=2, kind=IHD, ids=["SCHEMA-4"], what="data_offsets %s" % v)
    case("n_offsets_u64_max", H(("a", "U8", [2], 0, U64)), data=2, kind="TensorInvalidInfo",
         ids=["SCHEMA-4", "VALID-5"],
         what="data_offsets [0, 2^64-1]: a valid integer, then the size check fails")
    # unknown fields (ST-SCHEMA-5)
    unknown = [
        ("number", ',"x":1'), ("string", ',"x":"y"'), ("null", ',"x":null'),
        ("object", ',"x":{"k":[1,2,{"z":null}]}'), ("array", ',"x":[1,"a",[]]'),
        ("two_fields", ',"x":1,"y":2'), ("repeated", ',"x":1,"x":2'),
        ("named_like_metadata", ',"__metadata__":{"k":"v"}'),
        ("quant_hint", ',"quantization":{"bits":4,"group_size":128}'),
        ("byte_order", ',"byteorder":"big"'),
        ("empty_key", ',"":0'),
    ]
    for slug, extra in unknown:
        case("i_unknown_field_%s" % slug, H(("a", ent("U8", [2], 0, 2, extra))),
             ids=["SCHEMA-5", "STRICT-5", "MODE-2"],
             what="an unknown entry field (%s): compat ignores it, strict refuses" % slug)
    case("i_unknown_field_first", '{"a":{"x":1,"dtype":"U8","shape":[2],"data_offsets":[0,2]}}',
         data=2, ids=["SCHEMA-5", "STRICT-5"], what="an unknown field before dtype")
    case("i_unknown_field_between", '{"a":{"dtype":"U8","x":[],"shape":[2],"data_offsets":[0,2]}}',
         data=2, ids=["SCHEMA-5", "STRICT-5"], what="an unknown field between known ones")
    case("n_unknown_field_invalid_json", H(("a", ent("U8", [2], 0, 2, ',"x":[1,]'))), kind=IHD,
         strict=[None, IHD], ids=["SCHEMA-5", "JSON-1"],
         what="an unknown field whose value is not valid JSON")
    case("n_unknown_field_missing_dtype", '{"a":{"x":"U8","shape":[2],"data_offsets":[0,2]}}',
         kind=IHD, data=2, strict=[None, IHD], ids=["SCHEMA-5", "SCHEMA-2"],
         what="an unknown field does not stand in for a missing one")
    # tensor names (ST-SCHEMA-6)
    names = [
        ("empty", "", "the empty name"), ("space", " ", "a single space"),
        ("dots_slashes", "model/layers.0/w:0", "slashes, dots and colons"),
        ("nul_escaped", "a\x00b", "an escaped NUL"),
        ("controls_escaped", "\x01\x02\x1f", "escaped control characters"),
        ("quote_backslash", 'a"\\b', "quote and backslash"),
        ("metadata_prefix", "__metadata", "__metadata (one underscore short)"),
        ("metadata_upper", "__METADATA__", "__METADATA__ (case differs: a tensor)"),
        ("metadata_space", "__metadata__ ", "__metadata__ with a trailing space"),
        ("dtype_as_name", "dtype", "a tensor named dtype"),
        ("long_4096", "w" * 4096, "a 4096-character name"),
        ("json_lookalike", '{"a":1}', "a name that looks like JSON"),
        ("numeric", "0", "the name 0"),
    ]
    for slug, name, what in names:
        case("y_name_%s" % slug, H((name, "U8", [2], 0, 2)), ids=["SCHEMA-6", "JSON-2"],
             what="tensor name: %s" % what)
    case("y_names_prefix_order", H(*seq(("ab", "U8", [1]), ("a", "U8", [1]), ("", "U8", [1]))),
         ids=["SCHEMA-6"], what="names that are prefixes of each other")
    # compat-only entry forms (ST-SCHEMA-8)
    case("i_entry_array_form", '{"a":["U8",[2],[0,2]]}', data=2,
         ids=["SCHEMA-8", "STRICT-6", "MODE-2"],
         what="an entry written as the array [dtype, shape, data_offsets]")
    case("i_dtype_object_form", '{"a":{"dtype":{"U8":null},"shape":[2],"data_offsets":[0,2]}}',
         data=2, ids=["SCHEMA-8", "STRICT-7", "MODE-2"], what='the dtype written as {"U8": null}')
    case("i_entry_array_with_dtype_object", '{"a":[{"F16":null},[1],[0,2]]}', data=2,
         ids=["SCHEMA-8", "STRICT-6", "STRICT-7"], what="both compat-only forms together")
    case("i_entry_array_form_ws", '{"a":[ "U8" , [ 2 ] , [ 0 , 2 ] ]}', data=2,
         ids=["SCHEMA-8", "STRICT-6"], what="the array form with whitespace")
    case("i_entry_array_and_object_mixed", H(("a", '["U8",[1],[0,1]]'), ("b", "U8", [1], 1, 2)),
         ids=["SCHEMA-8", "STRICT-6"], what="one array-form entry next to an object entry")
    case("i_dtype_object_form_ws", '{"a":{"dtype":{ "U8" : null },"shape":[2],"data_offsets":[0,2]}}',
         data=2, ids=["SCHEMA-8", "STRICT-7"], what="the object form with whitespace")
    case("i_dtype_object_form_escaped", '{"a":{"dtype":{"U\\u0038":null},"shape":[2],'
         '"data_offsets":[0,2]}}', data=2, ids=["SCHEMA-8", "STRICT-7", "JSON-7"],
         what="the object form with an escaped dtype name")
    arr_bad = [
        ("array_2", '["U8",[2]]', "a 2-element array entry"),
        ("array_4", '["U8",[2],[0,2],1]', "a 4-element array entry"),
        ("array_4_null", '["U8",[2],[0,2],null]', "a 4-element array entry ending in null"),
        ("array_order", '[[2],"U8",[0,2]]', "array entry in the wrong order"),
        ("array_order_offsets_first", '[[0,2],[2],"U8"]', "array entry reversed"),
        ("array_bad_dtype", '["u8",[2],[0,2]]', "array entry with an unknown dtype"),
        ("array_1", '["U8"]', "a 1-element array entry"),
    ]
    for slug, v, what in arr_bad:
        case("n_entry_%s" % slug, '{"a":%s}' % v, data=2, kind=IHD, strict=[None, IHD],
             ids=["SCHEMA-8", "STRICT-6"], what=what)
    dt_bad = [
        ("object_empty_value", '{"U8":{}}', '{"U8":{}}'), ("object_array_value", '{"U8":[]}',
         '{"U8":[]}'), ("object_empty", "{}", "{}"),
        ("object_two", '{"U8":null,"I8":null}', "two members"),
        ("object_lower", '{"u8":null}', "an unknown dtype name"),
        ("object_number_value", '{"U8":1}', '{"U8":1}'),
        ("object_string_value", '{"U8":"U8"}', '{"U8":"U8"}'),
        ("object_false_value", '{"U8":false}', '{"U8":false}'),
        ("object_same_twice", '{"U8":null,"U8":null}', "the same member twice"),
    ]
    for slug, v, what in dt_bad:
        case("n_dtype_%s" % slug, '{"a":{"dtype":%s,"shape":[2],"data_offsets":[0,2]}}' % v,
             data=2, kind=IHD, strict=[None, IHD], ids=["SCHEMA-8", "STRICT-7"],
             what="dtype object form %s" % what)


def describe_metadata():
    area("metadata")
    case("y_metadata_absent", A1H, ids=["META-1"], what="no __metadata__ member: no metadata")
    case("y_metadata_empty", H(A1, meta={}), ids=["META-1"], what="empty metadata {}")
    case("y_metadata_one", H(A1, meta={"format": "pt"}), ids=["META-1"], what="one pair")
    case("y_metadata_many", H(A1, meta={"k%03d" % i: "v%d" % i for i in range(200)}),
         ids=["META-1"], what="200 pairs")
    case("y_metadata_last", H(A1, meta={"format": "pt"}, meta_last=True), ids=["META-1"],
         what="__metadata__ after the tensors")
    case("y_metadata_middle", H(*seq(("a", "U8", [1]), ("b", "U8", [1]))[:1],
                                   meta={"k": "v"}, meta_last=True)[:-1] + ",%s:%s}"
         % (jstr("b"), ent("U8", [1], 1, 2)), ids=["META-1"], what="__metadata__ between tensors")
    case("y_metadata_only", H(meta={"k": "v"}), data=0, ids=["META-1", "VALID-6"],
         what="metadata and no tensors")
    case("y_metadata_empty_only", H(meta={}), data=0, ids=["META-1"],
         what='{"__metadata__":{}}: empty metadata, no tensors')
    case("y_metadata_empty_strings", H(A1, meta={"": ""}), ids=["META-1"],
         what="an empty key with an empty value")
    case("y_metadata_special_keys", H(A1, meta={"__metadata__": "x", "dtype": "U8",
                                               "shape": "[2]"}), ids=["META-1"],
         what="metadata keys named like fields and like the metadata key")
    case("y_metadata_escapes", H(A1, meta={"a\nb": "\t\"\\\u0000", "\u00e9": "\U0001f600"}),
         ids=["META-1", "JSON-2"], what="keys and values with escapes and non-ASCII")
    case("y_metadata_json_text_value", H(A1, meta={"config": '{"hidden":4096,"layers":[1,2]}'}),
         ids=["META-1"], what="a value that holds JSON text (still a string)")
    case("y_metadata_long_value", H(A1, meta={"k": "v" * 65536}), ids=["META-1"],
         what="a 64 KiB value")
    case("i_metadata_null", H(A1, meta_raw="null"), ids=["META-1", "STRICT-8", "MODE-2"],
         what="__metadata__: null: compat treats it as absent, strict refuses")
    case("i_metadata_null_last", H(A1, meta_raw="null", meta_last=True),
         ids=["META-1", "STRICT-8"], what="__metadata__: null after the tensors")
    case("i_metadata_null_only", H(meta_raw="null"), data=0, ids=["META-1", "STRICT-8"],
         what="only __metadata__: null")
    for slug, v in [("string", '"x"'), ("number", "1"), ("true", "true"), ("array", "[]"),
                    ("array_of_pairs", '[["k","v"]]'), ("value_number", '{"k":1}'),
                    ("value_null", '{"k":null}'), ("value_true", '{"k":true}'),
                    ("value_array", '{"k":["v"]}'), ("value_object", '{"k":{"a":"b"}}'),
                    ("value_nested_entry", '{"k":%s}' % ent("U8", [2], 0, 2)),
                    ("one_bad_value_of_many", '{"a":"1","b":2,"c":"3"}'),
                    ("value_empty_object", '{"k":{}}')]:
        case("n_metadata_%s" % slug, H(A1, meta_raw=v), kind=IHD, ids=["META-1"],
             what="__metadata__ %s" % v[:40])
    case("n_metadata_twice", H(A1, meta={"a": "1"})[:-1] + ',"__metadata__":{"b":"2"}}',
         kind=IHD, ids=["META-2"], what="__metadata__ given twice")
    case("n_metadata_twice_equal", H(A1, meta={"a": "1"})[:-1] + ',"__metadata__":{"a":"1"}}',
         kind=IHD, ids=["META-2"], what="__metadata__ given twice with equal values")
    case("n_metadata_twice_empty", '{"__metadata__":{},"__metadata__":{}}', data=0, kind=IHD,
         ids=["META-2"], what="two empty metadata members, no tensors")
    case("n_metadata_null_then_object", H(A1, meta_raw="null")[:-1] + ',"__metadata__":{}}',
         kind=IHD, strict=[None, IHD], ids=["META-2", "META-1", "STRICT-8"],
         what="null, then an object")
    case("n_metadata_object_then_null", H(A1, meta={})[:-1] + ',"__metadata__":null}',
         kind=IHD, strict=[None, IHD], ids=["META-2", "META-1", "STRICT-8"],
         what="an object, then null")
    case("n_metadata_null_twice", '{"__metadata__":null,"__metadata__":null}', data=0, kind=IHD,
         strict=[None, IHD], ids=["META-2", "STRICT-8"], what="null twice")
    case("i_metadata_duplicate_key", H(A1, meta_raw='{"k":"first","k":"last"}'),
         ids=["META-3", "STRICT-4", "MODE-2"],
         what="a key given twice inside the metadata: compat keeps the last value")
    case("i_metadata_duplicate_key_escaped", H(A1, meta_raw='{"k":"first","\\u006b":"last"}'),
         ids=["META-3", "STRICT-4", "JSON-7"], what="keys equal after escape decoding")
    case("i_metadata_duplicate_key_three", H(A1, meta_raw='{"k":"1","j":"x","k":"2","k":"3"}'),
         ids=["META-3", "STRICT-4"], what="a key given three times")
    case("i_metadata_duplicate_empty_key", H(A1, meta_raw='{"":"a","":"b"}'),
         ids=["META-3", "STRICT-4"], what="the empty key twice")
    case("n_metadata_duplicate_key_bad_value", H(A1, meta_raw='{"k":1,"k":"v"}'), kind=IHD,
         ids=["META-3", "META-1"], what="a repeated key whose first value is not a string",
         strict=[None, IHD])
    case("n_metadata_upper_case_key", '{"__METADATA__":{"k":"v"},"a":%s}' % ent("U8", [2], 0, 2),
         kind=IHD, strict=[None, IHD], ids=["META-1", "SCHEMA-1", "STRICT-5"],
         what="__METADATA__ is a tensor name, and its value is not an entry")
    case("n_metadata_only_trailing_data", H(meta={"k": "v"}), data=4,
         kind="MetadataIncompleteBuffer", ids=["META-1", "VALID-6"],
         what="metadata only, but a data section of 4 bytes")


def describe_dtype():
    area("dtype")
    for name, bits in DTYPES:
        elems = 8 // math.gcd(8, bits) * 3  # a whole number of bytes
        size = elems * bits // 8
        case("y_dtype_%s" % name.lower(), H(("t", name, [elems], 0, size)),
             ids=["DTYPE-1", "DTYPE-2", "VALID-5"],
             what="%s: %d elements of %d bits = %d bytes" % (name, elems, bits, size))
    case("y_dtype_all_22", H(*seq(*[("t_%s" % n, n, [8]) for n, _ in DTYPES])),
         ids=["DTYPE-1", "DTYPE-2"], what="one tensor of each of the 22 dtypes, in table order")
    case("y_dtype_all_22_writer_order", H(*seq(*[("t_%s" % n, n, [8]) for n, _ in
                                                reversed(DTYPES)])),
         ids=["DTYPE-1", "WRITE-1"], what="all 22 dtypes in descending declaration order")
    for name, bits in DTYPES:
        if bits >= 8:
            case("n_dtype_%s_size_mismatch" % name.lower(), H(("t", name, [3], 0, 3 * bits // 8 + 1)),
                 kind="TensorInvalidInfo", ids=["DTYPE-1", "VALID-5"],
                 what="%s with one byte too many for its bit width" % name)
    bad_names = [
        ("lower_u8", "u8"), ("lower_f32", "f32"), ("mixed_bf16", "bf16"), ("torch_float32", "float32"),
        ("numpy_float32", "<f4"), ("f8_e4m3fn", "F8_E4M3FN"), ("f8_e5m2fnuz_lower", "f8_e5m2fnuz"),
        ("q4_0", "Q4_0"), ("int4", "I4"), ("u4", "U4"), ("f128", "F128"), ("c128", "C128"),
        ("c32", "C32"), ("f6", "F6"), ("f8", "F8"), ("empty", ""), ("leading_space", " F32"),
        ("trailing_space", "F32 "), ("trailing_nul", "F32\u0000"), ("bool_lower", "bool"),
        ("f4_e2m1", "F4_E2M1"), ("e8m0", "E8M0"), ("fullwidth", "\uff26\uff13\uff12"),
        ("index", "17"),
    ]
    for slug, nm in bad_names:
        case("n_dtype_name_%s" % slug, H(("t", ent(jstr(nm), [4], 0, 4))), kind=IHD,
             ids=["DTYPE-2"], what="dtype %r is not one of the 22 names" % nm)
    for slug, v in [("number", "17"), ("null", "null"), ("true", "true"), ("array", '["F32"]'),
                    ("array_empty", "[]")]:
        case("n_dtype_type_%s" % slug, '{"t":{"dtype":%s,"shape":[4],"data_offsets":[0,4]}}' % v,
             data=4, kind=IHD, ids=["DTYPE-2"], what="dtype given as JSON %s" % slug)
    # sub-byte dtypes (ST-VALID-4)
    sub = [
        ("f4_one", "F4", [1], 0, 1, "MisalignedSlice", "F4 with 1 element: 4 bits"),
        ("f4_scalar", "F4", [], 0, 1, "MisalignedSlice", "F4 scalar: always 4 bits"),
        ("f4_three", "F4", [3], 0, 2, "MisalignedSlice", "F4 with 3 elements"),
        ("f4_odd_2d", "F4", [3, 5], 0, 8, "MisalignedSlice", "F4 [3,5]: 15 elements"),
        ("f6_e2m3_one", "F6_E2M3", [1], 0, 1, "MisalignedSlice", "F6_E2M3 with 1 element"),
        ("f6_e2m3_two", "F6_E2M3", [2], 0, 2, "MisalignedSlice", "F6_E2M3 with 2 elements"),
        ("f6_e3m2_three", "F6_E3M2", [3], 0, 3, "MisalignedSlice", "F6_E3M2 with 3 elements"),
        ("f6_e3m2_scalar", "F6_E3M2", [], 0, 1, "MisalignedSlice", "F6_E3M2 scalar"),
        ("f6_five", "F6_E2M3", [5], 0, 4, "MisalignedSlice", "F6_E2M3 with 5 elements"),
        ("f4_two_wrong_size", "F4", [2], 0, 2, "TensorInvalidInfo", "F4 [2] takes 1 byte, not 2"),
        ("f4_misaligned_before_size", "F4", [3], 0, 7, "MisalignedSlice",
         "F4 [3] with a wrong size: MisalignedSlice is checked before the size"),
        ("f6_four_wrong_size", "F6_E2M3", [4], 0, 4, "TensorInvalidInfo",
         "F6 [4] takes 3 bytes, not 4"),
    ]
    for slug, dt, shp, b, e, k, what in sub:
        case("n_subbyte_%s" % slug, H(("t", dt, shp, b, e)), kind=k,
             ids=["DTYPE-1", "VALID-4", "VALID-5", "VALID-7"], what=what)
    sub_ok = [
        ("f4_two", "F4", [2], "F4 [2]: one byte"), ("f4_2d", "F4", [3, 4], "F4 [3,4]: 6 bytes"),
        ("f4_zero", "F4", [0], "F4 [0]: zero bytes"), ("f4_odd_times_even", "F4", [5, 2],
                                                    "F4 [5,2]: even count"),
        ("f6_e2m3_four", "F6_E2M3", [4], "F6_E2M3 [4]: 3 bytes"),
        ("f6_e3m2_eight", "F6_E3M2", [2, 4], "F6_E3M2 [2,4]: 6 bytes"),
        ("f6_zero", "F6_E3M2", [0], "F6 [0]: zero bytes"),
        ("f6_block_32", "F6_E2M3", [32], "an MX block of 32 F6 values: 24 bytes"),
    ]
    for slug, dt, shp, what in sub_ok:
        case("y_subbyte_%s" % slug, H(*seq(("t", dt, shp))), ids=["DTYPE-1", "VALID-4"],
             what=what)
    case("y_subbyte_f4_next_to_u8", H(*seq(("a", "F4", [2]), ("b", "U8", [1]), ("c", "F4", [4]))),
         ids=["DTYPE-1", "VALID-4"], what="F4 tensors between byte-sized tensors")
    case("n_subbyte_f4_halves_do_not_pair", H(("a", "F4", [1], 0, 1), ("b", "F4", [1], 1, 2)),
         kind="MisalignedSlice", ids=["VALID-4"],
         what="two 1-element F4 tensors do not share a byte")
    case("y_bool_bytes_not_checked", H(("b", "BOOL", [4], 0, 4)), data=b"\x00\x01\x02\xff",
         ids=["DTYPE-1"], what="BOOL bytes other than 0 and 1 are not inspected")
    case("y_f32_nan_not_checked", H(("f", "F32", [2], 0, 8)),
         data=b"\x00\x00\xc0\x7f\x00\x00\x80\xff", ids=["DTYPE-1"],
         what="NaN and -inf contents are not inspected")
    case("y_c64_scalar", H(("c", "C64", [], 0, 8)), ids=["DTYPE-1"], what="a C64 scalar: 8 bytes")
    case("n_c64_as_16_bytes", H(("c", "C64", [1], 0, 16)), kind="TensorInvalidInfo",
         ids=["DTYPE-1", "VALID-5"], what="C64 is 8 bytes (two F32), not 16")


def describe_shape_overflow():
    area("shape_overflow")
    p = lambda k: 1 << k
    cases = [
        ("n_overflow_2pow32_squared", "U8", [p(32), p(32)], "ValidationOverflow",
         "2^32 x 2^32 elements overflows at the second dimension", ["VALID-2"]),
        ("n_overflow_2pow63_times_2", "U8", [p(63), 2], "ValidationOverflow",
         "2^63 x 2", ["VALID-2"]),
        ("n_overflow_before_zero", "U8", [p(63), 2, 0], "ValidationOverflow",
         "[2^63, 2, 0]: left to right, the overflow comes before the zero", ["VALID-2"]),
        ("n_overflow_u64max_u64max", "U8", [U64, U64], "ValidationOverflow",
         "(2^64-1)^2", ["VALID-2"]),
        ("n_overflow_u64max_times_2", "U8", [U64, 2], "ValidationOverflow",
         "(2^64-1) x 2", ["VALID-2"]),
        ("n_overflow_many_small_dims", "U8", [16] * 17, "ValidationOverflow",
         "16^17 = 2^68 over 17 dimensions", ["VALID-2"]),
        ("n_overflow_third_dim", "U8", [p(30), p(30), p(30)], "ValidationOverflow",
         "2^90 reached at the third dimension", ["VALID-2"]),
        ("n_bits_overflow_u8_2pow61", "U8", [p(61)], "ValidationOverflow",
         "2^61 elements x 8 bits = 2^64", ["VALID-3"]),
        ("n_bits_overflow_u8_u64max", "U8", [U64], "ValidationOverflow",
         "(2^64-1) elements of 8 bits", ["VALID-3"]),
        ("n_bits_overflow_bool", "BOOL", [p(61)], "ValidationOverflow",
         "BOOL is 8 bits: 2^61 elements overflow", ["VALID-3"]),
        ("n_bits_overflow_f16_2pow60", "F16", [p(60)], "ValidationOverflow",
         "2^60 F16 = 2^64 bits", ["VALID-3"]),
        ("n_bits_overflow_f32", "F32", [p(59)], "ValidationOverflow",
         "2^59 F32 = 2^64 bits", ["VALID-3"]),
        ("n_bits_overflow_c64", "C64", [p(58)], "ValidationOverflow",
         "2^58 C64 = 2^64 bits", ["VALID-3"]),
        ("n_bits_overflow_f4_2pow62", "F4", [p(62)], "ValidationOverflow",
         "2^62 F4 = 2^64 bits", ["VALID-3"]),
        ("n_bits_overflow_f6", "F6_E2M3", [p(62)], "ValidationOverflow",
         "2^62 F6 = 1.5 x 2^64 bits", ["VALID-3"]),
        ("n_bits_overflow_product_u64max", "U8", [3, 5, 17, 257, 641, 65537, 6700417],
         "ValidationOverflow", "the factors of 2^64-1: the element count fits, the bits do not",
         ["VALID-2", "VALID-3"]),
        ("n_bits_overflow_2pow32_2pow32m1", "U8", [p(32), p(32) - 1], "ValidationOverflow",
         "2^32 x (2^32-1) elements fit, x 8 bits does not", ["VALID-3"]),
        ("n_bits_fit_size_mismatch_u8", "U8", [p(61) - 1], "TensorInvalidInfo",
         "2^61-1 bytes: no overflow, but the range is 2 bytes", ["VALID-3", "VALID-5"]),
        ("n_bits_fit_size_mismatch_f64", "F64", [p(58) - 1], "TensorInvalidInfo",
         "(2^58-1) F64: the bits fit exactly below 2^64", ["VALID-3", "VALID-5"]),
        ("n_bits_misaligned_f4_big", "F4", [p(62) - 1], "MisalignedSlice",
         "2^62-1 F4: the bits fit but are not a multiple of 8", ["VALID-3", "VALID-4"]),
        ("n_bits_misaligned_f6_big", "F6_E3M2", [p(61) + 1], "MisalignedSlice",
         "2^61+1 F6: 6 x (2^61+1) bits fit, not a multiple of 8", ["VALID-3", "VALID-4"]),
    ]
    for name, dt, shp, k, what, ids in cases:
        case(name, H(("t", dt, shp, 0, 2)), kind=k, ids=ids + ["VALID-7"], what=what)
    zero_ok = [
        ("y_zero_after_big", "U8", [p(63), 0], "[2^63, 0]: zero elements, no overflow"),
        ("y_zero_first", "U8", [0, p(63), 2], "[0, 2^63, 2]: the running product stays 0"),
        ("y_zero_u64max_f64", "F64", [0, U64, U64], "0 x (2^64-1)^2 F64"),
        ("y_big_then_zero_f4", "F4", [p(62), 0], "[2^62, 0] F4: zero elements"),
        ("y_u64max_then_zero", "U64", [U64, 0], "(2^64-1) x 0"),
        ("y_2pow63_zero_2pow63", "U8", [p(63), 0, p(63)], "[2^63, 0, 2^63]"),
    ]
    for name, dt, shp, what in zero_ok:
        case(name, H(("t", dt, shp, 0, 0)), ids=["VALID-2", "VALID-3"], what=what)
    case("y_scalar_each_width", H(*seq(("a", "U64", []), ("b", "F32", []), ("c", "BF16", []),
                                       ("d", "BOOL", []))), ids=["SCHEMA-3", "VALID-2"],
         what="scalars of several widths")
    case("y_shape_product_exact", H(("t", "U8", [2, 3, 5, 7], 0, 210)), ids=["VALID-2", "VALID-5"],
         what="2 x 3 x 5 x 7 = 210 bytes")
    case("n_shape_product_off_by_one", H(("t", "U8", [2, 3, 5, 7], 0, 209)),
         kind="TensorInvalidInfo", ids=["VALID-5"], what="210 elements in 209 bytes")
    case("n_shape_transposed_size", H(("t", "F32", [3, 5], 0, 56)), kind="TensorInvalidInfo",
         ids=["VALID-5"], what="F32 [3,5] is 60 bytes, not 56")
    case("n_offsets_before_overflow", H(("t", "U8", [p(63), 2], 1, 3)), data=3,
         kind="InvalidOffset", ids=["VALID-1", "VALID-7"],
         what="an overflowing shape at a wrong offset: the offset is checked first")
    case("n_overflow_first_sorted_decides",
         H(("z", "U8", [2], 0, 2), ("a", "U8", [p(61)], 2, 4)), kind="ValidationOverflow",
         ids=["VALID-7"], what="a good tensor, then an overflowing one")
    case("n_size_first_then_overflow", H(("b", "U8", [p(61)], 3, 5), ("a", "U8", [2], 0, 3)),
         kind="TensorInvalidInfo", ids=["VALID-7"],
         what="the first tensor in offset order has the wrong size; a later one overflows")
    case("n_overflow_in_second_of_three", H(("c", "U8", [1], 3, 4), ("b", "U8", [p(32), p(32)], 1, 3),
                                           ("a", "U8", [1], 0, 1)), kind="ValidationOverflow",
         ids=["VALID-7"], what="overflow in the middle tensor (offset order), header order reversed")
    case("n_misaligned_before_overflow", H(("b", "U8", [p(61)], 1, 2), ("a", "F4", [1], 0, 1)),
         kind="MisalignedSlice", ids=["VALID-7"],
         what="MisalignedSlice at offset 0 wins over an overflow at offset 1")


def describe_offsets():
    area("offsets_coverage")
    case("y_two_contiguous", H(*seq(("a", "F32", [2]), ("b", "F16", [3]))), ids=["VALID-1"],
         what="two tensors back to back")
    case("y_header_order_reversed", H(*reversed(seq(("a", "F32", [2]), ("b", "F16", [3]),
                                                   ("c", "U8", [1])))), ids=["VALID-1"],
         what="header order opposite to offset order")
    specs = [("t%02d" % i, "U8", [i % 5 + 1]) for i in range(40)]
    members = seq(*specs)
    random.Random("shuffle").shuffle(members)
    case("y_header_order_shuffled", H(*members), ids=["VALID-1"],
         what="40 tensors, header order shuffled")
    case("y_zero_size_first", H(*seq(("a", "U8", [0]), ("b", "U8", [2]))), ids=["VALID-1"],
         what="a zero-size tensor at offset 0")
    case("y_zero_size_middle", H(*seq(("a", "U8", [2]), ("b", "F32", [0, 3]), ("c", "U8", [2]))),
         ids=["VALID-1"], what="a zero-size tensor between two others")
    case("y_zero_size_last", H(*seq(("a", "U8", [2]), ("b", "U8", [0]))), ids=["VALID-1", "VALID-6"],
         what="a zero-size tensor at the end of the data")
    case("y_zero_size_only", H(("a", "U8", [0], 0, 0)), data=0, ids=["VALID-1", "VALID-6"],
         what="one zero-size tensor, empty data section")
    case("y_zero_size_many_same_offset", H(*[("z%d" % i, "F32", [0], 2, 2) for i in range(5)],
                                           ("a", "U8", [2], 0, 2)),
         ids=["VALID-1", "VALID-7"], what="five zero-size tensors sharing offset 2")
    case("y_zero_size_tied_with_next", H(("b", "U8", [4], 0, 4), ("a", "U8", [0], 0, 0)),
         ids=["VALID-1"], what="a zero-size tensor at the begin of a non-empty one")
    case("n_zero_size_past_end", H(("a", "U8", [2], 0, 2), ("z", "U8", [0], 3, 3)), data=2,
         kind="InvalidOffset", ids=["VALID-1"], what="a zero-size tensor one byte past the running end")
    case("n_zero_size_at_huge_offset", H(("z", "U8", [0], U64, U64)), data=0, kind="InvalidOffset",
         ids=["VALID-1"], what="a zero-size tensor at offset 2^64-1")
    case("n_zero_size_reversed", H(("z", "U8", [0], 1, 0)), data=1, kind="InvalidOffset",
         ids=["VALID-1"], what="offsets [1,0]: end before begin")
    case("n_gap_at_start", H(("a", "U8", [2], 1, 3)), data=3, kind="InvalidOffset",
         ids=["VALID-1"], what="the first tensor starts at 1")
    case("n_hole_between", H(("a", "U8", [2], 0, 2), ("b", "U8", [2], 3, 5)), data=5,
         kind="InvalidOffset", tensor="b", ids=["VALID-1"], what="one unused byte between tensors")
    case("n_overlap", H(("a", "U8", [2], 0, 2), ("b", "U8", [2], 1, 3)), data=3,
         kind="InvalidOffset", ids=["VALID-1"], what="two tensors overlap by one byte")
    case("n_overlap_contained", H(("a", "U8", [4], 0, 4), ("b", "U8", [2], 1, 3)), data=4,
         kind="InvalidOffset", ids=["VALID-1"], what="one tensor inside another")
    case("n_same_range_twice", H(("a", "U8", [2], 0, 2), ("b", "U8", [2], 0, 2)), data=2,
         kind="InvalidOffset", tensor=None, ids=["VALID-1", "VALID-7"],
         what="two tensors with the same range (aliases); the name reported may be either")
    case("n_reversed_range", H(("a", "U8", [2], 2, 0)), data=2, kind="InvalidOffset",
         ids=["VALID-1"], what="offsets [2,0]")
    case("n_reversed_second", H(("a", "U8", [2], 0, 2), ("b", "U8", [2], 2, 0)), data=2,
         kind="InvalidOffset", ids=["VALID-1"], what="the second tensor's range is reversed")
    case("n_end_beyond_data", H(("a", "U8", [4], 0, 4)), data=2, kind="MetadataIncompleteBuffer",
         ids=["VALID-6"], what="a consistent entry whose end lies past the data section")
    p61m1 = (1 << 61) - 1
    case("n_huge_end_consistent", H(("a", "U8", [p61m1], 0, p61m1)), data=8,
         kind="MetadataIncompleteBuffer", ids=["VALID-3", "VALID-6"],
         what="a 2^61-1 byte tensor in an 8-byte data section")
    big = (1 << 61) - 1
    members = [("t%d" % i, "U8", [big], i * big, (i + 1) * big) for i in range(8)]
    case("n_coverage_sum_near_2pow64", H(*members), data=0, kind="MetadataIncompleteBuffer",
         ids=["VALID-6"],
         what="eight 2^61-1 byte tensors: the running end is 2^64-8, + 8 + N wraps in 64 bits")
    case("n_trailing_bytes_many", H(A1), data=2 + 4096, kind="MetadataIncompleteBuffer",
         ids=["VALID-6"], what="4 KiB of trailing bytes")
    case("n_size_too_big", H(("a", "F32", [2], 0, 12)), kind="TensorInvalidInfo",
         ids=["VALID-5"], what="F32 [2] given 12 bytes")
    case("n_size_too_small", H(("a", "F32", [2], 0, 4)), kind="TensorInvalidInfo",
         ids=["VALID-5"], what="F32 [2] given 4 bytes")
    case("n_size_zero_for_scalar", H(("a", "F32", [], 0, 0)), kind="TensorInvalidInfo",
         ids=["VALID-5"], what="a scalar with an empty range")
    case("n_size_bytes_not_bits", H(("a", "F32", [2], 0, 64)), kind="TensorInvalidInfo",
         ids=["VALID-5"], what="a range measured in bits instead of bytes")
    case("n_size_elements_not_bytes", H(("a", "F32", [4], 0, 4)), kind="TensorInvalidInfo",
         ids=["VALID-5"], what="a range measured in elements instead of bytes")
    case("n_first_sorted_fails_not_first_in_header",
         H(("b", "U8", [2], 2, 4), ("a", "U8", [3], 0, 2)), kind="TensorInvalidInfo",
         ids=["VALID-7"], what="the header's first tensor is fine; the first by offset is not")
    case("n_invalid_offset_after_size_error",
         H(("a", "U8", [3], 0, 2), ("b", "U8", [2], 3, 5)), data=5, kind="TensorInvalidInfo",
         ids=["VALID-7"], what="a size error at offset 0 is reported before a hole later")
    case("n_hole_after_good", H(*seq(("a", "U8", [2]), ("b", "U8", [2])), ("c", "U8", [2], 5, 7)),
         data=7, kind="InvalidOffset", tensor="c", ids=["VALID-1", "VALID-7"],
         what="two good tensors, then a hole")
    case("n_overlap_tied_begin", H(("a", "U8", [2], 0, 2), ("b", "U8", [3], 0, 3)), data=3,
         kind="InvalidOffset", tensor="b", ids=["VALID-1"],
         what="two tensors starting at 0: sorted by end, the longer one overlaps")
    case("n_size_error_in_tied_zero_sizes", H(("a", "U8", [1], 2, 2), ("b", "U8", [0], 2, 2),
                                              ("c", "U8", [2], 0, 2)),
         kind="TensorInvalidInfo", ids=["VALID-5", "VALID-7"],
         what="tied zero-size ranges, one of which claims an element")
    case("y_many_zero_size", H(*[("z%04d" % i, "U8", [0], 0, 0) for i in range(300)]), data=0,
         ids=["VALID-1"], what="300 zero-size tensors at offset 0")
    case("y_offsets_with_large_values", H(*seq(("a", "U8", [1000]), ("b", "F64", [100]))),
         ids=["VALID-1"], what="offsets in the thousands")
    case("n_data_offsets_strings_numbers_ok_but_hole",
         H(("a", "U8", [1], 0, 1), ("b", "U8", [1], 2, 3)), data=3, kind="InvalidOffset",
         tensor="b", ids=["VALID-1"], what="a one-byte hole after a one-byte tensor")
    case("n_incomplete_zero_tensors_metadata", H(meta={}), data=1, kind="MetadataIncompleteBuffer",
         ids=["VALID-6"], what="empty metadata, no tensors, one data byte")
    case("n_incomplete_after_zero_size", H(("a", "U8", [0], 0, 0)), data=1,
         kind="MetadataIncompleteBuffer", ids=["VALID-6"], what="one zero-size tensor and one data byte")


def describe_duplicates():
    area("duplicates")
    case("i_identical_duplicate", H(A1, A1), ids=["SCHEMA-7", "STRICT-3", "MODE-2"],
         what="the same entry twice: compat loads it, strict refuses")
    case("i_identical_triplicate", H(A1, A1, A1), ids=["SCHEMA-7", "STRICT-3"],
         what="the same entry three times")
    case("i_duplicate_last_wins_dtype", H(("a", "U8", [2], 0, 2), ("a", "I8", [2], 0, 2)),
         ids=["SCHEMA-7", "STRICT-3"], what="same range, different dtype: compat reports the last (I8)")
    case("i_duplicate_last_wins_shape", H(("a", "F32", [4], 0, 16), ("a", "F32", [2, 2], 0, 16)),
         ids=["SCHEMA-7", "STRICT-3"], what="same range, different shape: compat keeps [2,2]")
    case("i_duplicate_first_invalid_size", H(("a", "U8", [7], 0, 2), ("a", "U8", [2], 0, 2)),
         ids=["SCHEMA-7", "STRICT-3"],
         what="the dropped first entry has a wrong size: it is never validated")
    case("i_duplicate_first_overflows", H(("a", "U8", [1 << 63, 2], 0, 2), ("a", "U8", [2], 0, 2)),
         ids=["SCHEMA-7", "STRICT-3", "VALID-2"],
         what="the dropped first entry would overflow: never validated")
    case("i_duplicate_first_reversed", H(("a", "U8", [2], 9, 0), ("a", "U8", [2], 0, 2)),
         ids=["SCHEMA-7", "STRICT-3"], what="the dropped first entry has a reversed range")
    case("i_duplicate_escaped_spelling", H(("ab", "U8", [2], 0, 2), ('"a\\u0062"', ent("U8", [2], 0, 2))),
         ids=["SCHEMA-7", "STRICT-3", "JSON-7"], what="the same name spelled with an escape")
    case("i_duplicate_with_other_tensors", H(*seq(("a", "U8", [2]), ("b", "U8", [2])),
                                             ("a", "U8", [2], 0, 2)),
         ids=["SCHEMA-7", "STRICT-3"], what="a duplicate separated by another tensor")
    case("i_duplicate_array_form_last", H(("a", "U8", [2], 0, 2), ("a", '["U8",[2],[0,2]]')),
         ids=["SCHEMA-7", "SCHEMA-8", "STRICT-3", "STRICT-6"],
         what="a duplicate whose last copy uses the array form")
    case("n_duplicate_leaves_hole", H(("a", "U8", [2], 0, 2), ("b", "U8", [2], 2, 4),
                                      ("a", "U8", [2], 4, 6)), data=6, kind="InvalidOffset",
         tensor="b", strict=[None], ids=["SCHEMA-7", "STRICT-3", "VALID-1"],
         what="last wins moves a to [4,6]; [0,2] is left uncovered")
    case("n_duplicate_leaves_tail", H(*seq(("a", "U8", [2]), ("b", "U8", [2])),
                                      ("b", "U8", [0], 2, 2)), data=4,
         kind="MetadataIncompleteBuffer", strict=[None], ids=["SCHEMA-7", "STRICT-3", "VALID-6"],
         what="last wins shrinks b to zero size; its bytes trail the data")
    case("n_duplicate_first_valid_last_not", H(("a", "U8", [2], 0, 2), ("a", "U8", [3], 0, 2)),
         kind="TensorInvalidInfo", strict=[None], ids=["SCHEMA-7", "STRICT-3", "VALID-5"],
         what="the first entry fits the data, the last (kept) one does not")
    case("n_duplicate_first_bad_dtype", H(("a", ent('"X8"', [2], 0, 2)), ("a", "U8", [2], 0, 2)),
         kind=IHD, strict=[None, IHD], ids=["SCHEMA-7", "DTYPE-2"],
         what="the dropped first entry names an unknown dtype: still parsed")
    case("n_duplicate_first_missing_field", H(("a", '{"dtype":"U8","shape":[2]}'),
                                              ("a", "U8", [2], 0, 2)),
         kind=IHD, strict=[None, IHD], ids=["SCHEMA-7", "SCHEMA-2"],
         what="the dropped first entry lacks data_offsets: still parsed")
    case("n_duplicate_first_not_object", H(("a", "1"), ("a", "U8", [2], 0, 2)), kind=IHD,
         strict=[None, IHD], ids=["SCHEMA-7", "SCHEMA-2"],
         what="the dropped first entry is a number")
    case("n_duplicate_first_bad_shape", H(("a", '{"dtype":"U8","shape":[-1],"data_offsets":[0,2]}'),
                                          ("a", "U8", [2], 0, 2)),
         kind=IHD, strict=[None, IHD], ids=["SCHEMA-7", "SCHEMA-3"],
         what="the dropped first entry has a negative dimension: still parsed")
    case("n_duplicate_then_last_bad", H(("a", "U8", [2], 0, 2), ("a", '{"dtype":"U8"}')),
         kind=IHD, strict=[None, IHD], ids=["SCHEMA-7", "SCHEMA-2"],
         what="a good entry replaced by an incomplete one")
    case("n_duplicate_names_metadata_key", '{"__metadata__":{"k":"v"},"__metadata__":{"k":"v"},'
         '"a":%s}' % ent("U8", [2], 0, 2), kind=IHD, ids=["META-2"],
         what="the metadata key twice (never last-wins)")
    case("n_duplicate_many_holes", H(*[("t", "U8", [1], i, i + 1) for i in range(10)]), data=10,
         kind="InvalidOffset", strict=[None], tensor="t", ids=["SCHEMA-7", "STRICT-3", "VALID-1"],
         what="ten entries named t; only the last ([9,10]) survives")
    case("y_names_differ_in_case", H(*seq(("a", "U8", [1]), ("A", "U8", [1]))), ids=["SCHEMA-6"],
         what="names that differ in case are different")
    case("y_names_differ_by_normalisation", H(*seq(("\u00e9", "U8", [1]), ("e\u0301", "U8", [1]))),
         ids=["SCHEMA-6", "JSON-7"], what="NFC and NFD spellings are different names")
    case("y_names_differ_by_trailing_nul", H(*seq(("a", "U8", [1]), ("a\x00", "U8", [1]))),
         ids=["SCHEMA-6", "JSON-7"], what='"a" and "a\\u0000" are different names')


def describe_depth():
    area("depth")

    def nest_arrays(levels):
        return "[" * levels + "]" * levels

    def nest_objects(levels):
        return '{"k":' * (levels - 1) + "{}" + "}" * (levels - 1)
    # top object = depth 1, entry = 2, the unknown field's value starts at 3.
    for total, expect in [(3, "i"), (10, "i"), (64, "i"), (126, "i"), (127, "i"), (128, "n"),
                          (129, "n"), (200, "n")]:
        lv = total - 2
        for kind_name, nest in [("arrays", nest_arrays), ("objects", nest_objects)]:
            if kind_name == "objects" and total not in (127, 128):
                continue
            kw = {} if expect == "i" else dict(kind=IHD, strict=[None, IHD])
            case("%s_depth_%d_%s" % (expect, total, kind_name),
                 H(("a", ent("U8", [2], 0, 2, ',"x":%s' % nest(lv)))),
                 ids=["JSON-6", "SCHEMA-5"] + (["STRICT-5"] if expect == "i" else []),
                 what="unknown field nested to total depth %d (%s)" % (total, kind_name), **kw)
    mixed127 = '[{"k":' * 62 + "[]" + "}]" * 62
    case("i_depth_127_mixed", H(("a", ent("U8", [2], 0, 2, ',"x":%s' % mixed127))),
         ids=["JSON-6", "SCHEMA-5", "STRICT-5"],
         what="alternating arrays and objects to total depth 127")
    mixed128 = '[{"k":' * 62 + "[[]]" + "}]" * 62
    case("n_depth_128_mixed", H(("a", ent("U8", [2], 0, 2, ',"x":%s' % mixed128))), kind=IHD,
         strict=[None, IHD], ids=["JSON-6"], what="alternating arrays and objects to total depth 128")
    for levels, slug in [(10000, "10k"), (100000, "100k")]:
        case("n_depth_%s_closed" % slug,
             H(("a", ent("U8", [2], 0, 2, ',"x":%s' % nest_arrays(levels)))), kind=IHD,
             strict=[None, IHD], ids=["JSON-6"],
             what="%d nested arrays: must fail cleanly, not exhaust the stack" % levels)
    case("n_depth_100k_unclosed", '{"a":{"dtype":"U8","shape":' + "[" * 100000, data=0, kind=IHD,
         ids=["JSON-6", "JSON-1"], what="100000 open brackets in a shape, never closed")
    case("n_depth_50k_objects_unclosed", '{"__metadata__":' + '{"a":' * 50000, data=0, kind=IHD,
         ids=["JSON-6", "JSON-1"], what="50000 open objects in the metadata, never closed")
    case("n_depth_100k_unclosed_in_unknown_field",
         '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"x":' + "[" * 100000, data=0,
         kind=IHD, strict=[None, IHD], ids=["JSON-6", "SCHEMA-5"],
         what="100000 open brackets in an unknown field, never closed")
    case("n_depth_in_shape", '{"a":{"dtype":"U8","shape":%s,"data_offsets":[0,2]}}' % nest_arrays(200),
         data=2, kind=IHD, ids=["JSON-6", "SCHEMA-3"], what="shape nested 200 deep")
    case("n_depth_in_metadata", H(A1, meta_raw='{"k":%s}' % nest_arrays(150)), kind=IHD,
         ids=["JSON-6", "META-1"], what="a metadata value nested 150 deep")
    case("n_depth_as_entry", '{"a":%s}' % nest_arrays(130), data=0, kind=IHD,
         strict=[None, IHD], ids=["JSON-6", "SCHEMA-2", "STRICT-6"],
         what="a tensor entry that is 130 nested arrays")
    case("n_depth_3_shape_nested", '{"a":{"dtype":"U8","shape":[[2]],"data_offsets":[0,2]}}',
         data=2, kind=IHD, ids=["SCHEMA-3"], what="the deepest point of a strict header is 3")
    case("y_depth_3_max_strict", H(A1, meta={"k": "v"}), ids=["JSON-6"],
         what="a valid strict header never nests deeper than 3")
    case("i_depth_127_in_dtype_object", H(("a", ent('{"U8":null}', [2], 0, 2,
                                                    ',"x":%s' % nest_arrays(125)))),
         ids=["JSON-6", "SCHEMA-8", "STRICT-5", "STRICT-7"],
         what="object-form dtype plus an unknown field at depth 127")
    case("i_depth_127_array_entry_not_counted_twice",
         '{"a":["U8",[2],[0,2]],"b":{"dtype":"U8","shape":[0],"data_offsets":[2,2],"x":%s}}'
         % nest_arrays(125), data=2, ids=["JSON-6", "SCHEMA-8"],
         what="depth counting resets between entries")


def llama_names(layers, quant=None, hid=8, inter=16, vocab=16, kv=8):
    """(name, dtype, shape) of a small LLaMA-style checkpoint: real names,
    toy sizes (the layout matters here, not the numbers)."""
    out = [("model.embed_tokens.weight", "BF16", [vocab, hid])]
    linears = [("self_attn.q_proj", hid, hid), ("self_attn.k_proj", hid, kv),
               ("self_attn.v_proj", hid, kv), ("self_attn.o_proj", hid, hid),
               ("mlp.gate_proj", hid, inter), ("mlp.up_proj", hid, inter),
               ("mlp.down_proj", inter, hid)]
    for i in range(layers):
        pre = "model.layers.%d." % i
        for lin, fin, fout in linears:
            if quant is None:
                out.append((pre + lin + ".weight", "BF16", [fout, fin]))
            elif quant == "gptq":      # 4-bit, group size 8, packed 8 per I32
                g = 8
                out.append((pre + lin + ".qweight", "I32", [fin // 8, fout]))
                out.append((pre + lin + ".qzeros", "I32", [fin // g, fout // 8]))
                out.append((pre + lin + ".scales", "F16", [fin // g, fout]))
                out.append((pre + lin + ".g_idx", "I32", [fin]))
            elif quant == "awq":
                g = 8
                out.append((pre + lin + ".qweight", "I32", [fin, fout // 8]))
                out.append((pre + lin + ".qzeros", "I32", [fin // g, fout // 8]))
                out.append((pre + lin + ".scales", "F16", [fin // g, fout]))
            elif quant == "fp8":
                out.append((pre + lin + ".weight", "F8_E4M3", [fout, fin]))
                out.append((pre + lin + ".weight_scale", "F32", [fout, 1]))
                out.append((pre + lin + ".input_scale", "F32", []))
            elif quant == "fp8_block":
                out.append((pre + lin + ".weight", "F8_E4M3", [fout, fin]))
                out.append((pre + lin + ".weight_scale_inv", "F32", [fout // 8, fin // 8]))
            elif quant == "mxfp4":     # blocks of 32 F4 values with one E8M0 scale
                out.append((pre + lin + ".weight_blocks", "F4", [fout, fin // 32, 32]))
                out.append((pre + lin + ".weight_scales", "F8_E8M0", [fout, fin // 32]))
            elif quant == "nvfp4":     # blocks of 16 F4 with an E4M3 scale + F32 global
                out.append((pre + lin + ".weight", "F4", [fout, fin]))
                out.append((pre + lin + ".weight_scale", "F8_E4M3", [fout, fin // 16]))
                out.append((pre + lin + ".weight_scale_2", "F32", []))
                out.append((pre + lin + ".input_scale", "F32", []))
            elif quant == "mxfp6":
                out.append((pre + lin + ".weight", "F6_E2M3", [fout, fin]))
                out.append((pre + lin + ".weight_scale", "F8_E8M0", [fout, fin // 16]))
        out.append((pre + "input_layernorm.weight", "BF16", [hid]))
        out.append((pre + "post_attention_layernorm.weight", "BF16", [hid]))
    out.append(("model.norm.weight", "BF16", [hid]))
    out.append(("lm_head.weight", "BF16", [vocab, hid]))
    return out


def moe_names(layers, experts):
    hid, inter = 8, 8
    out = [("model.embed_tokens.weight", "BF16", [16, hid])]
    for i in range(layers):
        pre = "model.layers.%d." % i
        for p in ("q", "k", "v", "o"):
            out.append((pre + "self_attn.%s_proj.weight" % p, "BF16", [hid, hid]))
        out.append((pre + "block_sparse_moe.gate.weight", "BF16", [experts, hid]))
        for e in range(experts):
            for w, shp in (("w1", [inter, hid]), ("w2", [hid, inter]), ("w3", [inter, hid])):
                out.append((pre + "block_sparse_moe.experts.%d.%s.weight" % (e, w), "BF16", shp))
        out.append((pre + "input_layernorm.weight", "BF16", [hid]))
        out.append((pre + "post_attention_layernorm.weight", "BF16", [hid]))
    out.append(("model.norm.weight", "BF16", [hid]))
    out.append(("lm_head.weight", "BF16", [16, hid]))
    return out


def canonical_members(specs):
    """Members in the canonical writer order (ST-WRITE-1), laid out back to
    back (ST-WRITE-2)."""
    order = sorted(specs, key=lambda s: (-DTYPE_INDEX[s[1]], s[0].encode("utf-8")))
    return seq(*order)


def describe_realistic():
    area("realistic")
    fmt = {"format": "pt"}

    def model(name, specs, what, meta=fmt, ids=("VALID-1", "VALID-5", "DTYPE-1"), order="canonical",
              **kw):
        if order == "canonical":
            members = canonical_members(specs)
        else:
            members = seq(*specs)
        hdr = H(*members, meta=meta)
        hdr += " " * (-len(hdr.encode()) % 8)
        what = "%s (%d tensors)" % (what, len(specs))
        case(name, hdr, ids=list(ids) + ["WRITE-1", "WRITE-2", "WRITE-5"], what=what, **kw)
        return members, hdr

    model("y_llama_bf16_2_layers", llama_names(2), "a 2-layer LLaMA in BF16 (21 tensors), writer layout")
    model("y_llama_bf16_32_layers", llama_names(32), "a 32-layer LLaMA-7B layout")
    model("y_llama_bf16_80_layers", llama_names(80), "an 80-layer LLaMA-70B layout")
    model("y_llama_declaration_order", llama_names(32),
          "a 32-layer LLaMA with the data in module order, not writer order",
          order="module")
    model("y_llama_gptq_80_layers", llama_names(80, "gptq"),
          "GPTQ 4-bit: I32 qweight/qzeros/g_idx + F16 scales, 80 layers")
    model("y_llama_awq_32_layers", llama_names(32, "awq"),
          "AWQ 4-bit: I32 packed qweight/qzeros + F16 scales")
    model("y_llama_fp8_32_layers", llama_names(32, "fp8"),
          "FP8 (E4M3) weights with F32 per-channel and per-tensor scales")
    model("y_llama_fp8_block_32_layers", llama_names(32, "fp8_block"),
          "FP8 weights with F32 block scales (DeepSeek-style weight_scale_inv)")
    model("y_llama_mxfp4_36_layers", llama_names(36, "mxfp4", hid=32, inter=64),
          "MXFP4: F4 blocks of 32 with F8_E8M0 scales")
    model("y_llama_nvfp4_32_layers", llama_names(32, "nvfp4"),
          "NVFP4: F4 weights, F8_E4M3 block scales, F32 global scales")
    model("y_llama_mxfp6_16_layers", llama_names(16, "mxfp6"),
          "MXFP6: F6_E2M3 weights with F8_E8M0 scales")
    model("y_mixtral_moe_32x8", moe_names(32, 8),
          "a Mixtral-style MoE: 32 layers x 8 experts")
    shard_meta = {"format": "pt", "total_size": "14483464192",
                  "shard": "model-00001-of-00002.safetensors"}
    model("y_llama_shard_metadata", llama_names(4), "a shard with richer metadata", meta=shard_meta)
    model("y_llama_no_metadata", llama_names(4), "no __metadata__ member", meta=None)
    members, hdr = model("y_llama_f16_tied_embeddings",
                         [s for s in llama_names(4) if s[0] != "lm_head.weight"],
                         "tied embeddings: no lm_head.weight")
    # Damaged copies of a realistic file.
    specs = llama_names(8, "gptq")
    members = canonical_members(specs)
    total = members[-1][4]
    hdr = H(*members, meta=fmt)
    hdr += " " * (-len(hdr.encode()) % 8)
    case("n_llama_gptq_truncated_download", hdr, data=total - 1000, kind="MetadataIncompleteBuffer",
         ids=["VALID-6"], what="a GPTQ checkpoint missing its last 1000 bytes")
    case("n_llama_gptq_truncated_header", hdr.encode()[:5000], n=len(hdr.encode()), data=0,
         kind="InvalidHeaderLength", ids=["LAYOUT-3"], what="a GPTQ checkpoint cut inside its header")
    case("n_llama_gptq_appended_bytes", hdr, data=total + 64, kind="MetadataIncompleteBuffer",
         ids=["VALID-6"], what="64 bytes appended to a GPTQ checkpoint")
    bad = [list(m) for m in members]
    # Swap the dtype of one scales tensor: F16 -> F32 doubles its size.
    idx = next(i for i, m in enumerate(bad) if m[0].endswith("layers.3.mlp.up_proj.scales"))
    bad[idx][1] = "F32"
    case("n_llama_gptq_wrong_scale_dtype", H(*[tuple(m) for m in bad], meta=fmt),
         data=total, kind="TensorInvalidInfo", ids=["VALID-5"],
         what="one F16 scales tensor relabelled F32")
    # A shard whose offsets were not rebased to 0.
    start = 4096
    shard = seq(*sorted(llama_names(2)), start=start)
    case("n_llama_shard_offsets_not_rebased", H(*shard, meta=fmt), data=shard[-1][4] - start,
         kind="InvalidOffset", ids=["VALID-1", "LAYOUT-4"],
         what="a shard whose data offsets still count from the start of the full model")
    m2 = [list(m) for m in canonical_members(llama_names(4))]
    m2[5][3], m2[5][4] = m2[6][3], m2[6][4]
    case("n_llama_two_tensors_alias", H(*[tuple(m) for m in m2], meta=fmt),
         data=canonical_members(llama_names(4))[-1][4], kind="InvalidOffset", tensor=None,
         ids=["VALID-1"], what="two tensors point at the same bytes (aliasing)")
    dup = canonical_members(llama_names(4))
    dup = dup + [("model.norm.weight",) + tuple(dup[-1][1:])]
    case("i_llama_duplicate_last_entry", H(*dup, meta=fmt), data=dup[-2][4],
         ids=["SCHEMA-7", "STRICT-3"],
         what="a checkpoint listing its last tensor twice (identical entries)")
    mx = llama_names(4, "mxfp4", hid=32, inter=64)
    mxm = canonical_members(mx)
    mxbad = [list(m) for m in mxm]
    j = next(i for i, m in enumerate(mxbad) if m[1] == "F4")
    mxbad[j][2] = mxbad[j][2][:-1] + [31]
    case("n_mxfp4_block_of_31", H(*[tuple(m) for m in mxbad], meta=fmt), data=mxm[-1][4],
         kind="TensorInvalidInfo", ids=["VALID-5"],
         what="an MXFP4 weight whose blocks hold 31 F4 values: the byte size no longer matches")
    nv = [list(m) for m in canonical_members(llama_names(2, "nvfp4"))]
    j = next(i for i, m in enumerate(nv) if m[0].endswith("weight_scale_2"))
    nv[j][1] = "F4"
    case("n_nvfp4_global_scale_labelled_f4", H(*[tuple(m) for m in nv], meta=fmt),
         data=canonical_members(llama_names(2, "nvfp4"))[-1][4], kind="MisalignedSlice",
         ids=["VALID-4"], what="an NVFP4 F32 global scale relabelled F4: a scalar F4 is 4 bits")
    case("i_llama_fp8_with_quant_field",
         H(*[(m[0], ent(m[1], m[2], m[3], m[4], ',"quant":"fp8"' if m[1] == "F8_E4M3" else ""))
             for m in canonical_members(llama_names(2, "fp8"))], meta=fmt),
         ids=["SCHEMA-5", "STRICT-5"],
         what="FP8 entries carrying an unknown quant field (compat ignores it)")
    case("y_sentencepiece_vocab_metadata", H(*canonical_members(llama_names(1)),
                                               meta={"format": "pt", "tokenizer": "\u2581the " * 500}),
         ids=["META-1", "UTF8-1"], what="metadata holding tokenizer-like text with U+2581")


def describe_large_headers():
    area("large_headers")
    rnd = random.Random("large")
    words = ["layer", "weight", "bias", "attn", "mlp", "proj", "norm", "embed", "head", "block"]
    value = "".join(rnd.choice(words) + " " for _ in range(200000))[:1_000_000]
    case("y_metadata_value_1mb", H(A1, meta={"notes": value}), ids=["LAYOUT-2", "META-1"],
         what="a 1 MB metadata value")
    case("y_padding_3mb_spaces", A1H + " " * 3_000_000, ids=["LAYOUT-2", "STRICT-2", "JSON-1"],
         what="3 MB of 0x20 padding after the object")
    case("i_padding_500kb_newlines", A1H + "\n" * 500_000, ids=["LAYOUT-2", "STRICT-2", "JSON-1"],
         what="500 KB of line feeds after the object")
    specs = [("b.%d.%d" % (i // 16, i % 16), "U8", [0]) for i in range(20000)]
    case("y_tensors_20000_zero_size", H(*seq(*specs)), data=0,
         ids=["LAYOUT-2", "VALID-1", "API-1"],
         what="20000 zero-size tensors in one header (1.2 MB)")
    specs = [("t%05d" % i, "U8", [1]) for i in range(5000)]
    members = seq(*specs)
    random.Random("large-shuffle").shuffle(members)
    case("y_tensors_5000_shuffled", H(*members), ids=["VALID-1", "API-1"],
         what="5000 one-byte tensors, header order shuffled")
    case("y_metadata_20000_keys", H(A1, meta={"k%05d" % i: "" for i in range(20000)}),
         ids=["META-1", "API-1"], what="20000 metadata pairs")
    case("y_name_500kb", H(("n" * 500_000, "U8", [2], 0, 2)), ids=["SCHEMA-6", "API-1"],
         what="a 500 KB tensor name")
    big = H(A1, meta={"notes": value[:700_000]})
    case("n_utf8_error_at_end", big.encode() + b" \xff", kind="InvalidHeader",
         ids=["UTF8-1"], what="a 700 KB header whose last byte is FF")
    case("n_json_error_at_end", big + " x", kind=IHD, ids=["JSON-1"],
         what="a 700 KB header followed by a stray letter")
    case("n_metadata_twice_far_apart", H(A1, meta={"notes": value[:500_000]})[:-1] +
         ',"__metadata__":{}}', kind=IHD, ids=["META-2"],
         what="the second __metadata__ 500 KB after the first")
    specs = [("t%04d" % i, "U8", [1]) for i in range(5000)]
    members = seq(*specs)
    members[4999] = ("t4999", "U8", [1], 5000, 5001)
    case("n_hole_in_last_of_5000", H(*members), data=5001, kind="InvalidOffset", tensor="t4999",
         ids=["VALID-1", "VALID-7"], what="5000 tensors; the last one leaves a one-byte hole")
    case("i_dup_after_5000", H(*(seq(*specs) + [("t0000", "U8", [1], 0, 1)])),
         ids=["SCHEMA-7", "STRICT-3"],
         what="5000 tensors, then the first one again (identical): compat loads, strict refuses")
    case("n_depth_1mb_arrays", H(("a", ent("U8", [2], 0, 2, ',"x":%s' % ("[" * 200000 + "]" * 200000)))),
         kind=IHD, strict=[None, IHD], ids=["JSON-6"],
         what="an unknown field of 200000 nested arrays (400 KB)")
    case("n_n_exactly_1e8_truncated", raw=u64le(HEADER_MAX) + A1H.encode() + b" " * 1000,
         kind="InvalidHeaderLength", ids=["LAYOUT-2", "LAYOUT-3"],
         what="N = 1e8 (the largest allowed) in a small file")


# ---------------------------------------------------------------------------
# Writer cases
# ---------------------------------------------------------------------------

def wt(name, dtype, shape, data=None):
    n = nbytes(dtype, shape) if data is None else data
    return {"name": name, "dtype": dtype, "shape": shape, "data": n}


def describe_writer():
    # WRITE-7: the runner checks the permissions of every file a writer
    # adapter produces (0666 masked by the umask).
    ids_base = ["WRITE-1", "WRITE-2", "WRITE-3", "WRITE-5", "WRITE-7"]
    writer_case("y_empty", [], None, ids=ids_base + ["WRITE-6"],
                what="no tensors, no metadata: {} padded to 8")
    writer_case("y_empty_with_metadata_pair", [], [("a", "b")], ids=ids_base + ["WRITE-6"],
                what="no tensors, one metadata pair")
    writer_case("y_empty_metadata_map", [], [], ids=ids_base + ["WRITE-6"],
                what="no tensors, empty metadata: a readable file (the reference writes an unreadable one)",
                reference="the reference writes the unreadable header {},\"__metadata__\":{}}")
    writer_case("y_one_f32", [wt("x", "F32", [2])], None, ids=ids_base,
                what="one F32 tensor")
    writer_case("y_one_scalar", [wt("s", "F64", [])], None, ids=ids_base, what="a scalar")
    writer_case("y_zero_size", [wt("z", "F32", [0, 4]), wt("a", "F32", [1])], None, ids=ids_base,
                what="a zero-size tensor")
    writer_case("y_dtype_order_all_22", [wt("t_%s" % n, n, [8]) for n, _ in DTYPES], None,
                ids=ids_base + ["DTYPE-1"], what="one tensor of each dtype: U64 first, BOOL last",
                reference="F6 dtypes cannot be given to the reference writer")
    writer_case("y_dtype_order_supported", [wt("t_%s" % n, n, [8]) for n, _ in DTYPES
                                            if not n.startswith("F6")], None,
                ids=ids_base + ["DTYPE-1"], what="the 20 dtypes the reference writer accepts")
    writer_case("y_name_order_bytes", [wt(n, "U8", [1]) for n in
                                       ["b", "a", "B", "_", "a\x00", "aa", "\u00e9", "z", "A", "0",
                                        "\U0001f600", "\uffff"]], None,
                ids=ids_base, what="names sorted by raw UTF-8 bytes (shorter prefix first)")
    writer_case("y_dtype_before_name", [wt("a", "U8", [1]), wt("b", "F32", [1]), wt("c", "U8", [1]),
                                        wt("d", "I64", [1])], None, ids=ids_base,
                what="dtype order dominates name order")
    writer_case("y_escape_controls", [wt("\x00\x01\x08\x09\x0a\x0b\x0c\x0d\x1f", "U8", [1])], None,
                ids=ids_base + ["WRITE-4"], what="control characters: short escapes and \\u00xx lowercase")
    writer_case("y_escape_quote_backslash", [wt('a"b\\c', "U8", [1])], None,
                ids=ids_base + ["WRITE-4"], what='quote and backslash escaped')
    writer_case("y_no_escape_slash_del_unicode", [wt("a/b\x7f\u2028\u00e9\U0001f600", "U8", [1])],
                None, ids=ids_base + ["WRITE-4"],
                what="/, DEL, U+2028 and non-ASCII written raw")
    writer_case("y_metadata_one_pair", [wt("x", "U8", [2])], [("format", "pt")],
                ids=ids_base + ["WRITE-3"], what="__metadata__ written first")
    writer_case("y_metadata_sorted", [wt("x", "U8", [2])],
                [("b", "2"), ("a", "1"), ("_", "0"), ("B", "x"), ("\u00e9", "e")],
                ids=ids_base + ["WRITE-3", "WRITE-6"],
                what="metadata keys written in byte order", reference="metadata-order")
    writer_case("y_metadata_escapes", [wt("x", "U8", [1])], [("k\n", "v\t\"\\\x00")],
                ids=ids_base + ["WRITE-4"], what="escapes in metadata keys and values")
    for k in range(8):
        # choose a name length so that the header needs exactly k padding bytes
        base = '{"":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}'
        need = (8 - (len(base) + k) % 8) % 8
        name = "p" * (need + 8)
        writer_case("y_padding_%d" % k, [wt(name, "U8", [1])], None, ids=["WRITE-5"],
                    what="a header that needs %d padding bytes" % k)
    writer_case("y_f4_packed", [wt("w", "F4", [4, 2]), wt("s", "F8_E8M0", [4])], None,
                ids=ids_base + ["DTYPE-1"], what="F4 data (two per byte) with E8M0 scales")
    writer_case("y_f6", [wt("w", "F6_E2M3", [4, 4])], None, ids=ids_base + ["DTYPE-1"],
                what="F6 data (4 values in 3 bytes)",
                reference="F6 dtypes cannot be given to the reference writer")
    writer_case("y_llama_2_layers", [wt(*s) for s in llama_names(2)], [("format", "pt")],
                ids=ids_base, what="a 2-layer LLaMA in BF16")
    writer_case("y_gptq_1_layer", [wt(*s) for s in llama_names(1, "gptq")], [("format", "pt")],
                ids=ids_base, what="a 1-layer GPTQ layout (I32 + F16)")
    writer_case("y_large_dims", [wt("a", "U8", [1, 1, 1, 1, 3]), wt("b", "I64", [2, 0, 1 << 40])],
                None, ids=ids_base, what="multi-digit and zero dimensions")
    # refusals (ST-WRITE-6)
    writer_case("n_duplicate_name", [wt("a", "U8", [1]), wt("a", "U8", [1])], None,
                ids=["WRITE-6"], refuse="ST_W_DUP_NAME", what="two tensors named a",
                reference="the reference writer aborts")
    writer_case("n_name_metadata", [wt("__metadata__", "U8", [1])], None, ids=["WRITE-6"],
                refuse="ST_W_RESERVED_NAME", what="a tensor named __metadata__",
                reference="the reference writes an unreadable file")
    writer_case("n_data_too_short", [wt("a", "F32", [2], data=7)], None, ids=["WRITE-6"],
                refuse="ST_W_SIZE_MISMATCH", what="7 bytes for an F32 [2]",
                reference="not compared")
    writer_case("n_data_too_long", [wt("a", "F32", [2], data=9)], None, ids=["WRITE-6"],
                refuse="ST_W_SIZE_MISMATCH", what="9 bytes for an F32 [2]",
                reference="not compared")
    writer_case("n_f4_odd", [wt("a", "F4", [3], data=2)], None, ids=["WRITE-6"],
                refuse="ST_W_MISALIGNED", what="3 F4 values are not a whole number of bytes",
                reference="not compared")
    writer_case("n_f6_three", [wt("a", "F6_E3M2", [3], data=3)], None, ids=["WRITE-6"],
                refuse="ST_W_MISALIGNED", what="3 F6 values", reference="not compared")
    writer_case("n_overflow", [wt("a", "U8", [1 << 62, 8], data=0)], None, ids=["WRITE-6"],
                refuse="ST_W_OVERFLOW", what="a shape whose byte size overflows",
                reference="not compared")
    writer_case("n_unknown_dtype", [wt("a", "U8", [1]) | {"dtype": "F8_E4M3FN"}], None,
                ids=["WRITE-6", "DTYPE-2"], refuse="ST_W_DTYPE", what="an unknown dtype name",
                reference="not compared")
    writer_case("n_name_not_utf8", [{"name_hex": "61ff", "dtype": "U8", "shape": [1], "data": 1}],
                None, ids=["WRITE-6"], refuse="ST_W_UTF8", what="a name that is not UTF-8",
                reference="not compared")
    writer_case("n_duplicate_metadata_key", [wt("a", "U8", [1])], [("k", "1"), ("k", "2")],
                ids=["WRITE-6"], refuse="ST_W_DUP_META_KEY", what="a metadata key given twice",
                reference="not comparable: the reference takes a dict")


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

def escape_json_string(bs):
    """ST-WRITE-4 over raw UTF-8 bytes."""
    short = {0x22: b'\\"', 0x5C: b"\\\\", 0x08: b"\\b", 0x09: b"\\t", 0x0A: b"\\n",
             0x0C: b"\\f", 0x0D: b"\\r"}
    out = bytearray(b'"')
    for c in bs:
        if c in short:
            out += short[c]
        elif c < 0x20:
            out += b"\\u%04x" % c
        else:
            out.append(c)
    out += b'"'
    return bytes(out)


def canonical_write(tensors, metadata):
    """The canonical file for a writer case (ST-WRITE-1..6): bytes, or
    raises CaseError naming the refusal."""
    names = set()
    for t in tensors:
        if "name_hex" in t:
            raise CaseError("ST_W_UTF8")
        if t["name"] == "__metadata__":
            raise CaseError("ST_W_RESERVED_NAME")
        if t["dtype"] not in BITS:
            raise CaseError("ST_W_DTYPE")
        n = 1
        for d in t["shape"]:
            n *= d
        bits = n * BITS[t["dtype"]]
        if bits > U64:
            raise CaseError("ST_W_OVERFLOW")
        if bits % 8:
            raise CaseError("ST_W_MISALIGNED")
        if len(t["bytes"]) != bits // 8:
            raise CaseError("ST_W_SIZE_MISMATCH")
    for t in tensors:
        if t["name"] in names:
            raise CaseError("ST_W_DUP_NAME")
        names.add(t["name"])
    if metadata is not None and len({k for k, _ in metadata}) != len(metadata):
        raise CaseError("ST_W_DUP_META_KEY")
    order = sorted(tensors, key=lambda t: (-DTYPE_INDEX[t["dtype"]], t["name"].encode()))
    parts = []
    if metadata is not None:
        pairs = sorted(metadata, key=lambda kv: kv[0].encode())
        parts.append(b'"__metadata__":{' + b",".join(
            escape_json_string(k.encode()) + b":" + escape_json_string(v.encode())
            for k, v in pairs) + b"}")
    off = 0
    data = bytearray()
    for t in order:
        size = len(t["bytes"])
        parts.append(escape_json_string(t["name"].encode()) + b':{"dtype":"%s","shape":[%s],'
                     b'"data_offsets":[%d,%d]}' % (t["dtype"].encode(),
                                                   ",".join(str(d) for d in t["shape"]).encode(),
                                                   off, off + size))
        off += size
        data += t["bytes"]
    header = b"{" + b",".join(parts) + b"}"
    header += b" " * (-len(header) % 8)
    if len(header) > HEADER_MAX:
        raise CaseError("ST_W_HEADER_TOO_LARGE")
    return u64le(len(header)) + header + bytes(data)


def full_id(i):
    i = i.strip()
    return i if i.startswith("ST-") else "ST-" + i


def build_reader(c):
    cid = "%s/%s" % (c["area"], c["name"])
    prefix = c["name"][:2]
    if prefix not in ("y_", "n_", "i_"):
        raise CaseError("%s: name must start with y_, n_ or i_" % cid)
    rng = random.Random(cid)
    if c["raw"] is not None:
        blob = c["raw"] + c["pad"]
        header = None
    else:
        header = c["header"].encode("utf-8") if isinstance(c["header"], str) else c["header"]
        data = c["data"]
        if data == "auto":
            try:
                tens, _, _ = header_table(header)
                ends = [t["data_offsets"][1] for t in tens]
            except CaseError:
                ends = []
            top = _obj(parse_header_pairs(header))
            if top is not None:  # dropped duplicates count too
                for _, v in top:
                    f = _obj(v)
                    if f is not None:
                        offs = dict(f).get("data_offsets")
                        if isinstance(offs, list) and len(offs) == 2 and \
                                all(isinstance(x, int) for x in offs):
                            ends.append(offs[1])
            data = max(ends, default=0)
            if data > 16 << 20:
                raise CaseError("%s: automatic data size %d too large; give data=" % (cid, data))
        if isinstance(data, int):
            data = rng.randbytes(data)
        n = len(header) if c["n"] is None else c["n"]
        blob = u64le(n) + header + data + c["pad"]
    # expectations
    ref_kind = c["ref_kind"]
    if ref_kind is not None and ref_kind not in KINDS:
        raise CaseError("%s: unknown kind %r" % (cid, ref_kind))
    if prefix == "y_" and ref_kind is not None:
        raise CaseError("%s: y_ case with a reference error" % cid)
    strict = c["strict"]
    if strict == "default":
        strict = "accept" if prefix == "y_" else ([ref_kind] if prefix == "n_" else [None])
    if prefix == "y_" and strict != "accept":
        raise CaseError("%s: y_ case must be accepted in strict mode" % cid)
    if prefix == "n_" and (ref_kind is None or strict == "accept"):
        raise CaseError("%s: n_ case must be rejected in both modes" % cid)
    if prefix == "i_" and ref_kind is None and strict == "accept":
        raise CaseError("%s: i_ case where both modes accept: name it y_" % cid)
    if strict != "accept" and ref_kind is None and None not in strict:
        raise CaseError("%s: compat accepts, so strict can only refuse with no reference kind" % cid)
    # model checks
    table = None
    tensor_name = None
    lk, n = layout_kind(blob)
    if lk is not None:
        if lk != ref_kind:
            raise CaseError("%s: the model gives %s at the layout/UTF-8 step, the case says %s"
                            % (cid, lk, ref_kind))
    elif ref_kind is None or ref_kind in VALIDATION_KINDS:
        hb = blob[8:8 + n]
        try:
            tens, meta, _dropped = header_table(hb)
        except CaseError as e:
            raise CaseError("%s: %s" % (cid, e))
        data_len = len(blob) - 8 - n
        k1, name1 = validate_tensors(sort_tensors(tens), data_len)
        k2, name2 = validate_tensors(sort_tensors(tens, reverse_ties=True), data_len)
        if k1 != k2:
            raise CaseError("%s: the outcome depends on the order of tied tensors" % cid)
        if k1 != ref_kind and c["check_model"]:
            raise CaseError("%s: the model gives %s, the case says %s" % (cid, k1, ref_kind))
        if k1 == "InvalidOffset":
            if c["tensor"] == "auto":
                tensor_name = name1 if name1 == name2 else None
            else:
                tensor_name = c["tensor"]
                if tensor_name is not None and tensor_name != name1:
                    raise CaseError("%s: model names %r, case says %r" % (cid, name1, tensor_name))
        if ref_kind is None:
            table = {"header_len": n, "data_len": data_len, "metadata": meta,
                     "tensors": sort_tensors(tens)}
    compat = {"verdict": "accept"} if ref_kind is None else {"verdict": "reject",
                                                             "reference_error": ref_kind}
    if tensor_name is not None:
        compat["tensor"] = tensor_name
    strict_exp = {"verdict": "accept"} if strict == "accept" else \
        {"verdict": "reject", "reference_error": strict}
    ids = sorted({full_id(i) for i in c["ids"]})
    return blob, {"id": cid, "area": c["area"], "kind": "reader", "expect": prefix[0],
                  "file": "cases/%s/%s.safetensors" % (c["area"], c["name"]),
                  "size": len(blob), "ids": ids, "what": c["what"],
                  "compat": compat, "strict": strict_exp, "table": table}


def build_writer(c):
    cid = "writer/%s" % c["name"]
    rng = random.Random(cid)
    tensors = []
    inp = []
    for t in c["tensors"]:
        t = dict(t)
        data = t.pop("data")
        t["bytes"] = rng.randbytes(data) if isinstance(data, int) else data
        tensors.append(t)
        d = {k: v for k, v in t.items() if k != "bytes"}
        d["data"] = t["bytes"].hex()
        inp.append(d)
    meta = c["metadata"]
    description = {"tensors": inp, "metadata": None if meta is None else [list(p) for p in meta]}
    try:
        blob = canonical_write(tensors, meta)
        refusal = None
    except CaseError as e:
        blob = None
        refusal = str(e)
    prefix = c["name"][:2]
    if (prefix == "n_") != (refusal is not None):
        raise CaseError("%s: the model %s, the name says %s" %
                        (cid, "refuses (%s)" % refusal if refusal else "writes", prefix))
    if refusal is not None and refusal != c["refuse"]:
        raise CaseError("%s: the model refuses with %s, the case says %s"
                        % (cid, refusal, c["refuse"]))
    entry = {"id": cid, "area": "writer", "kind": "writer", "expect": prefix[0],
             "input": "cases/writer/%s.input.json" % c["name"],
             "ids": sorted({full_id(i) for i in c["ids"]}), "what": c["what"],
             "writer": {"verdict": "refuse", "refusal": refusal} if refusal else
             {"verdict": "write", "sha256": hashlib.sha256(blob).hexdigest()},
             "reference_writer": c["reference"]}
    if blob is not None:
        n = struct.unpack("<Q", blob[:8])[0]
        tens, md, _ = header_table(blob[8:8 + n])
        k, _ = validate_tensors(sort_tensors(tens), len(blob) - 8 - n)
        if k is not None:
            raise CaseError("%s: the canonical file fails the model with %s" % (cid, k))
        entry.update({"file": "cases/writer/%s.safetensors" % c["name"], "size": len(blob),
                      "compat": {"verdict": "accept"}, "strict": {"verdict": "accept"},
                      "table": {"header_len": n, "data_len": len(blob) - 8 - n, "metadata": md,
                                "tensors": sort_tensors(tens)}})
        entry["ids"] = sorted(set(entry["ids"]) | {"ST-GUAR-1", "ST-MODE-2"})
    return blob, description, entry


def describe_all():
    del CASES[:]
    describe_layout()
    describe_utf8()
    describe_json()
    describe_schema()
    describe_metadata()
    describe_dtype()
    describe_shape_overflow()
    describe_offsets()
    describe_duplicates()
    describe_depth()
    describe_realistic()
    describe_large_headers()
    describe_writer()
    return CASES


def compact(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def generate(out_dir):
    cases = describe_all()
    seen = set()
    entries = []
    errors = []
    cases_dir = os.path.join(out_dir, "cases")
    if os.path.isdir(cases_dir):
        shutil.rmtree(cases_dir)
    for a in AREAS:
        os.makedirs(os.path.join(cases_dir, a))
    for c in cases:
        cid = "%s/%s" % (c["area"], c["name"])
        if cid in seen:
            errors.append("%s: described twice" % cid)
            continue
        seen.add(cid)
        try:
            if c["kind_of_case"] == "reader":
                blob, entry = build_reader(c)
            else:
                blob, desc, entry = build_writer(c)
                with open(os.path.join(out_dir, entry["input"]), "w", encoding="utf-8") as f:
                    f.write(json.dumps(desc, ensure_ascii=False, indent=1) + "\n")
        except CaseError as e:
            errors.append(str(e))
            continue
        if blob is not None:
            with open(os.path.join(out_dir, entry["file"]), "wb") as f:
                f.write(blob)
            # Every accepted file is a witness of the layout theorem; every
            # verdict that differs between modes exercises ST-MODE-*.
            extra = {"ST-MODE-1"}
            if entry["compat"]["verdict"] == "accept":
                extra.add("ST-GUAR-1")
            if entry["expect"] == "i":
                extra.add("ST-MODE-2")
            entry["ids"] = sorted(set(entry["ids"]) | extra)
        table = entry.get("table")
        if table is not None and len(compact(table)) > INLINE_TABLE_MAX:
            tfile = entry["file"][:-len(".safetensors")] + ".table.json"
            with open(os.path.join(out_dir, tfile), "w", encoding="utf-8") as f:
                f.write(compact(table) + "\n")
            entry["table"] = None
            entry["table_file"] = tfile
        entries.append(entry)
    known = spec_ids()
    if known:
        for e in entries:
            for i in e["ids"]:
                if i not in known:
                    errors.append("%s: %s is not a requirement id of spec/safetensors.md" % (e["id"], i))
    if errors:
        raise SystemExit("gen.py: %d description error(s):\n  %s" % (len(errors), "\n  ".join(errors)))
    manifest_lines = ['{"format":"tensorproof-corpus/1",',
                      ' "reference":"safetensors 0.8.0",',
                      ' "generator":"corpus/gen.py",',
                      ' "not_file_observable":%s,' % compact(NOT_IN_FILES),
                      ' "count":%d,' % len(entries),
                      ' "cases":[']
    for i, e in enumerate(entries):
        manifest_lines.append("  " + compact(e) + ("," if i + 1 < len(entries) else ""))
    manifest_lines.append(" ]}")
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        f.write("\n".join(manifest_lines) + "\n")
    return entries


def spec_ids():
    """The requirement ids defined by spec/safetensors.md (empty if absent)."""
    try:
        with open(SPEC, encoding="utf-8") as f:
            return set(re.findall(r"^### (ST-[A-Z0-9]+-[0-9]+)", f.read(), re.M))
    except OSError:
        return set()


def coverage(entries):
    """{id: number of cases naming it} over the spec's ids."""
    cov = {i: 0 for i in spec_ids()}
    for e in entries:
        for i in e["ids"]:
            cov[i] = cov.get(i, 0) + 1
    return cov


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=HERE,
                    help="output directory (default: corpus/)")
    ap.add_argument("--list", action="store_true", help="list the case ids and exit")
    ap.add_argument("--coverage", action="store_true",
                    help="also print how many cases name each requirement id")
    args = ap.parse_args()
    if args.list:
        for c in describe_all():
            print("%s/%s" % (c["area"], c["name"]))
        return 0
    sys.setrecursionlimit(10000)
    entries = generate(args.out)
    by_area = {}
    for e in entries:
        by_area[e["area"]] = by_area.get(e["area"], 0) + 1
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in
                os.walk(os.path.join(args.out, "cases")) for f in fs)
    print("gen.py: %d cases (%s), %.1f MB in cases/" % (
        len(entries), ", ".join("%s %d" % (a, by_area.get(a, 0)) for a in AREAS), total / 1e6))
    cov = coverage(entries)
    if args.coverage:
        for i in sorted(cov, key=lambda x: (x.split("-")[1], int(x.split("-")[2]))):
            print("  %-12s %4d%s" % (i, cov[i], "   (%s)" % NOT_IN_FILES[i] if i in NOT_IN_FILES else ""))
    missing = sorted(i for i, n in cov.items() if n == 0 and i not in NOT_IN_FILES)
    if missing:
        print("gen.py: warning: no case names %s" % ", ".join(missing), file=sys.stderr)
    elif cov:
        print("gen.py: every requirement id of the spec is named by a case (except %s)"
              % ", ".join(sorted(NOT_IN_FILES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
