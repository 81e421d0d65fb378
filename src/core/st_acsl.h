/*
 * st_acsl.h -- the logic used by the core's ACSL contracts (proofs/README.md).
 * ACSL only: this header declares nothing a C compiler sees. It is included
 * from st_internal.h once the internal types are defined, and every
 * contract in the core refers to the definitions below, so each property
 * is stated once.
 */
#ifndef ST_ACSL_H
#define ST_ACSL_H


/*@
  // ---------------------------------------------------------------- limits

  logic integer ST_U32_MAX_L = 4294967295;
  logic integer ST_U64_MAX_L = 18446744073709551615;

  // ---------------------------------------------------------- ST-DTYPE-1

  // Bit width of each dtype, in declaration order; 0 out of range.
  logic integer st_bits_l(integer d) =
    (d == 0) ? 8 :                      // BOOL
    (d == 1) ? 4 :                      // F4
    (d == 2 || d == 3) ? 6 :            // F6_E2M3, F6_E3M2
    (4 <= d && d <= 10) ? 8 :           // U8 .. F8_E5M2FNUZ
    (11 <= d && d <= 14) ? 16 :         // I16, U16, F16, BF16
    (15 <= d && d <= 17) ? 32 :         // I32, U32, F32
    (18 <= d && d <= 21) ? 64 :         // C64, F64, I64, U64
    0;

  // ------------------------------------------------------------ ST-JSON-*

  predicate st_ws(integer b) = b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D;

  // Bytes of the UTF-8 encoding of code point cp.
  logic integer st_utf8_len_l(integer cp) =
    cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

  // A cursor over a readable header of at most ST_HEADER_MAX bytes.
  predicate st_cursor_ok{L}(st_cursor *c) =
    \valid(c) && c->pos <= c->n && c->n <= ST_HEADER_MAX &&
    \valid_read(c->h + (0 .. c->n - 1)) &&
    \separated(c, c->h + (0 .. c->n - 1));

  // A string scanned by st_json_string inside a header of n bytes: its raw
  // bytes lie inside, and decoding never lengthens it.
  predicate st_jstring_ok{L}(st_jstring *s, integer n) =
    s->raw_at + s->raw_len < n && s->dec_len <= s->raw_len &&
    (!s->escaped ==> s->dec_len == s->raw_len);

  // ------------------------------------------------------------ ST-UTF8-1

  predicate st_utf8_cont(integer b) = 0x80 <= b <= 0xBF;

  // s[i .. i+len) is one well-formed UTF-8 sequence inside s[0 .. n)
  // (The Unicode Standard, Table 3-7).
  predicate st_utf8_seq_ok{L}(uint8_t *s, integer n, integer i, integer len) =
    0 <= i && i + len <= n &&
    ((len == 1 && s[i] <= 0x7F) ||
     (len == 2 && 0xC2 <= s[i] <= 0xDF && st_utf8_cont(s[i+1])) ||
     (len == 3 && st_utf8_cont(s[i+2]) &&
        ((s[i] == 0xE0 && 0xA0 <= s[i+1] <= 0xBF) ||
         (0xE1 <= s[i] <= 0xEC && st_utf8_cont(s[i+1])) ||
         (s[i] == 0xED && 0x80 <= s[i+1] <= 0x9F) ||
         (0xEE <= s[i] <= 0xEF && st_utf8_cont(s[i+1])))) ||
     (len == 4 && st_utf8_cont(s[i+2]) && st_utf8_cont(s[i+3]) &&
        ((s[i] == 0xF0 && 0x90 <= s[i+1] <= 0xBF) ||
         (0xF1 <= s[i] <= 0xF3 && st_utf8_cont(s[i+1])) ||
         (s[i] == 0xF4 && 0x80 <= s[i+1] <= 0x8F))));

  // some well-formed sequence starts at s[i]
  predicate st_utf8_starts{L}(uint8_t *s, integer n, integer i) =
    st_utf8_seq_ok(s, n, i, 1) || st_utf8_seq_ok(s, n, i, 2) ||
    st_utf8_seq_ok(s, n, i, 3) || st_utf8_seq_ok(s, n, i, 4);

  // s[0 .. i) is a sequence of well-formed UTF-8 sequences.
  inductive st_utf8_prefix{L}(uint8_t *s, integer n, integer i) {
    case st_utf8_prefix_empty{L}:
      \forall uint8_t *s, integer n; st_utf8_prefix(s, n, 0);
    case st_utf8_prefix_step{L}:
      \forall uint8_t *s, integer n, i, len;
        st_utf8_prefix(s, n, i) && 1 <= len <= 4 && st_utf8_seq_ok(s, n, i, len) ==>
        st_utf8_prefix(s, n, i + len);
  }
*/

#endif /* ST_ACSL_H */
