#!/usr/bin/env python3
"""Ask the reference how it reads number texts; write tests/unit/number_vectors.h.

    python3 tests/unit/gen_vectors.py [--out FILE]

The reference is safetensors 0.8.0 (its header JSON is read by serde_json
without float_roundtrip). Every number text below is put in two places of
an otherwise valid file and the reference decides:

  field  as the value of an unknown field of a tensor entry, which the
         reference parses fully and ignores:
           {"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":TEXT}}
         plus 1 data byte. Accepted iff TEXT is a JSON number whose value
         the reference can represent (ST-JSON-3, ST-JSON-4).
  shape  as the first dimension of a zero-element shape:
           {"t":{"dtype":"U8","shape":[TEXT,0],"data_offsets":[0,0]}}
         Accepted iff TEXT is a plain integer in 0..2^64-1 (ST-SCHEMA-3).

Every refusal must be InvalidHeaderDeserialization; anything else stops the
generator. `grammar` records whether TEXT matches the JSON number grammar
(RFC 8259), computed here with a regular expression; it is not a verdict.

The list includes, for every decimal exponent e in 289..308, the smallest
64-bit significand s for which s x 10^e overflows binary64 when computed as
the reference computes it ((double)s times the nearest double to 10^e) and
s - 1, both as "<s>e<e>" and in the equivalent fraction form "d.ddd...e<E>".
These candidates are found here with Python's IEEE arithmetic; the verdicts
recorded for them are still the reference's.

The output is deterministic: regenerating it must give the committed file
(make unit-vectors-check).
"""

import argparse
import os
import re
import struct
import sys

import safetensors

REFERENCE_VERSION = "0.8.0"
U64_MAX = (1 << 64) - 1
GRAMMAR = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
IHD_PREFIX = "Error while deserializing: invalid JSON in header"


def overflow_threshold(e):
    """Smallest s in [1, 2^64) with float(s) * float(10**e) == inf, or None."""
    p = float(10 ** e)
    if float(U64_MAX) * p != float("inf"):
        return None
    lo, hi = 1, U64_MAX
    while lo < hi:
        mid = (lo + hi) // 2
        if float(mid) * p == float("inf"):
            hi = mid
        else:
            lo = mid + 1
    return lo


def fraction_form(s, e):
    """The same significand and exponent written as d.ddd...e<E>."""
    digits = str(s)
    if len(digits) == 1:
        return "%se%d" % (digits, e)
    return "%s.%se%d" % (digits[0], digits[1:], e + len(digits) - 1)


def texts():
    out = []

    def add(t):
        if t not in out:
            out.append(t)

    # grammar (ST-JSON-3)
    for t in ["0", "-0", "1", "-1", "01", "-01", "00", "+1", ".5", "1.", "1.e5", "1e", "1e+",
              "1e-", "-", "--1", "1ee5", "0x10", "1.5", "1e5", "1E5", "1e+5", "1e-5",
              "-0.0e-0", "123.456E-7", "Infinity", "-Infinity", "NaN", "1_000", "\u0661",
              "0.0", "0e0", "1e0001", "-0.5", "2.", "-.5"]:
        add(t)
    # plain integers around 2^63 and 2^64 (ST-SCHEMA-3: shapes take 0..2^64-1)
    for t in ["9223372036854775807", "9223372036854775808", "-9223372036854775808",
              "-9223372036854775809", "18446744073709551614", "18446744073709551615",
              "18446744073709551616", "18446744073709551619", "18446744073709551620",
              "36893488147419103232", "-18446744073709551615", "-18446744073709551616",
              "1" + "0" * 30, "-" + "9" * 40, "1.0", "1e0", "1E0", "0.0e0", "-0.0"]:
        add(t)
    # ranges (ST-JSON-4)
    for t in ["1e308", "1e309", "1e400", "-1e400", "1e-400", "-1e-400", "1e-324", "5e-324",
              "2.4703282292062328e-324", "4.9406564584124654e-324", "2.2250738585072014e-308",
              "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
              "-1.7976931348623157e308", "-1.7976931348623158e308", "17976931348623157e292",
              "17976931348623158e292", "0.17976931348623157e309", "179769313486231570" + "0" * 291,
              "1" + "0" * 308, "1" + "0" * 309, "9" * 308, "9" * 309, "1" * 400, "1" + "0" * 399,
              "0." + "0" * 400 + "1e400", "0." + "0" * 400 + "1e710",
              "1." + "0" * 400 + "1e308", "1." + "0" * 400 + "1e309",
              "100000000000000000000000e285", "100000000000000000000000e286",
              "18446744073709551615e289", "18446744073709551616e288", "18446744073709551616e289",
              "18446744073709551619.5e288", "18446744073709551619.5e289",
              "18446744073709551619.9e288", "1844674407370955161.95e290",
              "1844674407370955161.96e290", "1844674407370955161.5e289"]:
        add(t)
    # exponent literals beyond i32 (ST-JSON-4)
    for t in ["1e2147483647", "1e2147483648", "1e-2147483648", "1e-2147483649",
              "1e99999999999999999999", "1e-99999999999999999999", "0e2147483648",
              "0e99999999999999999999", "-0e99999999999999999999", "0.0e99999999999",
              "0.000e+99999999999999999999", "1.5e2147483647", "0.1e2147483648",
              "0.1e2147483647", "0.1e2147483646", "10e2147483646", "1e-2147483647",
              "100e-2147483648", "1" + "0" * 30 + "e-2147483648", "1e2147483638", "1e000000000000000000000308",
              "1e000000000000000000000309"]:
        add(t)
    # overflow thresholds for every exponent that can overflow
    for e in range(280, 309):
        s = overflow_threshold(e)
        if s is None:
            continue
        for v in (s - 1, s):
            add("%de%d" % (v, e))
            add(fraction_form(v, e))
        add("-%de%d" % (s, e))
        if s + 1 <= U64_MAX:
            add("%de%d" % (s + 1, e))
    return out


def header(kind, text):
    if kind == "field":
        h = '{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":%s}}' % text
        data = b"\x00"
    else:
        h = '{"t":{"dtype":"U8","shape":[%s,0],"data_offsets":[0,0]}}' % text
        data = b""
    hb = h.encode("utf-8")
    return struct.pack("<Q", len(hb)) + hb + data


def verdict(kind, text):
    try:
        safetensors.deserialize(header(kind, text))
    except Exception as e:  # the reference's SafetensorError
        if not str(e).startswith(IHD_PREFIX):
            sys.exit("gen_vectors: unexpected refusal for %r in %s context: %s" % (text, kind, e))
        return False
    return True


def c_string(t):
    out = []
    for ch in t.encode("utf-8"):
        if ch in (0x22, 0x5C) or ch < 0x20 or ch > 0x7E:
            out.append("\\%03o" % ch)
        else:
            out.append(chr(ch))
    return '"' + "".join(out) + '"'


def render():
    lines = [
        "/*",
        " * number_vectors.h -- GENERATED by tests/unit/gen_vectors.py from the reference",
        " * (safetensors %s). Do not edit: regenerate, and `make unit-vectors-check`" % REFERENCE_VERSION,
        " * confirms that the committed file is what the reference says.",
        " *",
        " * text      a number text (ST-JSON-3, ST-JSON-4, ST-SCHEMA-3)",
        " * grammar   1 if it matches the JSON number grammar (computed, not a verdict)",
        " * field_ok  1 if the reference accepts it as the value of an ignored field",
        " * shape_ok  1 if the reference accepts it as a shape dimension",
        " */",
        "#ifndef UT_NUMBER_VECTORS_H",
        "#define UT_NUMBER_VECTORS_H",
        "",
        "typedef struct ut_number_vector {",
        "    const char *text;",
        "    unsigned char grammar;",
        "    unsigned char field_ok;",
        "    unsigned char shape_ok;",
        "} ut_number_vector;",
        "",
        "static const ut_number_vector ut_number_vectors[] = {",
    ]
    for t in texts():
        g = 1 if GRAMMAR.fullmatch(t) else 0
        f = 1 if verdict("field", t) else 0
        s = 1 if verdict("shape", t) else 0
        lines.append("    {%s, %d, %d, %d}," % (c_string(t), g, f, s))
    lines += ["};", "", "#endif /* UT_NUMBER_VECTORS_H */", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "number_vectors.h"))
    args = ap.parse_args()
    if safetensors.__version__ != REFERENCE_VERSION:
        sys.exit("gen_vectors: the reference must be safetensors %s, found %s"
                 % (REFERENCE_VERSION, safetensors.__version__))
    text = render()
    with open(args.out, "w", encoding="ascii", newline="\n") as fp:
        fp.write(text)


if __name__ == "__main__":
    main()
