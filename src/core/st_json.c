/*
 * st_json.c -- the JSON grammar of the header (ST-JSON-1 .. ST-JSON-7),
 * read the way the reference's JSON library reads it: strings with the
 * standard escapes, numbers with serde_json's range rule, literals, and
 * nesting up to ST_DEPTH_MAX. No recursion: nested values are skipped with
 * an explicit, fixed-size stack.
 */
#include "st_internal.h"
#include "st_cover.h"

/* ST-JSON-1: the four JSON whitespace bytes, nothing else (no VT, FF, NBSP). */
bool st_json_is_ws(uint8_t b)
{
    return (b == 0x20u) || (b == 0x09u) || (b == 0x0Au) || (b == 0x0Du);
}

void st_json_skip_ws(st_cursor *c)
{
    /*@ loop invariant \at(c->pos, Pre) <= c->pos <= c->n;
        loop invariant \forall integer k; \at(c->pos, Pre) <= k < c->pos ==> st_ws(c->h[k]);
        loop assigns c->pos;
        loop variant c->n - c->pos;
    */
    while ((c->pos < c->n) && st_json_is_ws(c->h[c->pos])) {
        c->pos++;
    }
}

/* Consume `byte` or fail with a syntax error at the current position. */
st_err st_json_expect(st_cursor *c, uint8_t byte)
{
    st_err ret = ST_OK;
    if ((c->pos < c->n) && (c->h[c->pos] == byte)) {
        c->pos++;
    } else {
        ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
    }
    return ret;
}

/* After a member or element of a container: whitespace, then ',' (another
   follows) or the container's closing byte `end_byte` (*closed = true); any
   other byte is a syntax error there. */
st_err st_json_next(st_cursor *c, uint8_t end_byte, bool *closed)
{
    st_err ret = ST_OK;
    st_json_skip_ws(c);
    if ((c->pos < c->n) && (c->h[c->pos] == (uint8_t)',')) {
        c->pos++;
    } else if ((c->pos < c->n) && (c->h[c->pos] == end_byte)) {
        c->pos++;
        *closed = true;
    } else {
        ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
    }
    return ret;
}

/*@ assigns \nothing;
    ensures \result <==> '0' <= b <= '9';
*/
static bool st_is_digit(uint8_t b)
{
    return (b >= (uint8_t)'0') && (b <= (uint8_t)'9');
}

/* The decimal digit h[pos] as its value 0..9, or 10 when pos is the end
   of the header or h[pos] is not a digit. The test and the subtraction sit
   together, so that the value is known to be a digit where it is used. */
/*@ requires pos <= n && \valid_read(h + (0 .. n - 1));
    assigns \nothing;
    ensures \result <= 10;
    ensures \result <= 9 <==> (pos < n && '0' <= h[pos] <= '9');
*/
static uint32_t st_digit_at(const uint8_t *h, uint32_t n, uint32_t pos)
{
    uint32_t d = 10u;
    if (pos < n) {
        const uint8_t b = h[pos];
        if ((b >= (uint8_t)'0') && (b <= (uint8_t)'9')) {
            d = (uint32_t)b - (uint32_t)'0';
        }
    }
    return d;
}

/* Value of a hex digit, or 16 when `b` is not one. */
/*@ assigns \nothing;
    ensures \result <= 16;
*/
static uint32_t st_hex_value(uint8_t b)
{
    uint32_t v = 16u;
    if (st_is_digit(b)) {
        v = (uint32_t)b - (uint32_t)'0';
    } else if ((b >= (uint8_t)'a') && (b <= (uint8_t)'f')) {
        v = (uint32_t)b - (uint32_t)'a' + 10u;
    } else if ((b >= (uint8_t)'A') && (b <= (uint8_t)'F')) {
        v = (uint32_t)b - (uint32_t)'A' + 10u;
    } else {
        v = 16u;
    }
    return v;
}

/*
 * Read 4 hex digits at h[at..at+4); false if any is missing or not hex.
 * Both calls (st_escape) pass at <= n (U-1 in spec/analysis-notes.md); the
 * room is tested as at + 4 <= n, which cannot wrap (n <= ST_HEADER_MAX)
 * and bounds every read by n itself.
 */
/*@ requires at <= n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires \valid(cp) && \separated(cp, h + (0 .. n - 1));
    assigns *cp;
    ensures \result ==> at + 4 <= n && *cp <= 0xFFFF;
*/
static bool st_hex4(const uint8_t *h, uint32_t n, uint32_t at, uint32_t *cp)
{
    bool ok = false;
    uint32_t v = 0u;
    uint32_t k;
    if ((at + 4u) <= n) {
        /* the four bytes h[at .. at + 3], read only under the test */
        ok = true;
        /*@ loop invariant 0 <= k <= 4;
            loop invariant at + 4 <= n;
            loop invariant k == 0 ==> v == 0;
            loop invariant k == 1 ==> v <= 15;
            loop invariant k == 2 ==> v <= 255;
            loop invariant k == 3 ==> v <= 4095;
            loop invariant v <= 65535;
            loop assigns k, ok, v;
            loop variant 4 - k;
        */
        for (k = 0u; (k < 4u) && ok; k++) {
            uint32_t d = st_hex_value(h[at + k]);
            if (d > 15u) {
                ok = false;
            } else {
                v = (v * 16u) + d;
            }
        }
    }
    *cp = v;
    return ok;
}

/*@ assigns \nothing;
    ensures \result == st_utf8_len_l(cp);
*/
static uint32_t st_utf8_len_of(uint32_t cp)
{
    uint32_t len = 4u;
    if (cp < 0x80u) {
        len = 1u;
    } else if (cp < 0x800u) {
        len = 2u;
    } else if (cp < 0x10000u) {
        len = 3u;
    } else {
        len = 4u;
    }
    return len;
}

/* Code point of the one-letter escape \e, or ST_ESC_NONE when e is not one. */
#define ST_ESC_NONE 0x100u
/*@ assigns \nothing;
    ensures \result <= ST_ESC_NONE;
*/
static uint32_t st_escape_simple(uint8_t e)
{
    uint32_t v = ST_ESC_NONE;
    if (e == (uint8_t)'"') {
        v = 0x22u;
    } else if (e == (uint8_t)'\\') {
        v = 0x5Cu;
    } else if (e == (uint8_t)'/') {
        v = 0x2Fu;
    } else if (e == (uint8_t)'b') {
        v = 0x08u;
    } else if (e == (uint8_t)'f') {
        v = 0x0Cu;
    } else if (e == (uint8_t)'n') {
        v = 0x0Au;
    } else if (e == (uint8_t)'r') {
        v = 0x0Du;
    } else if (e == (uint8_t)'t') {
        v = 0x09u;
    } else {
        v = ST_ESC_NONE;
    }
    return v;
}

/*
 * Decode one escape sequence starting at the backslash h[at].
 * On success returns the bytes consumed (2, 6 or 12) and the code point;
 * on failure returns 0 and *fail_at is where the error was found.
 * ST-JSON-2: a high surrogate must be followed at once by an escaped low
 * surrogate; a low surrogate alone is an error.
 */
/*@ requires at < n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires \valid(cp) && \valid(fail_at);
    requires \separated(cp, fail_at, h + (0 .. n - 1));
    assigns *cp, *fail_at;
    ensures \result == 0 || \result == 2 || \result == 6 || \result == 12;
    ensures \result <= n - at;
    ensures \result != 0 ==> *cp <= 0x10FFFF && st_utf8_len_l(*cp) <= \result;
    ensures \result == 0 ==> *fail_at <= n;
*/
static uint32_t st_escape(const uint8_t *h, uint32_t n, uint32_t at,
                          uint32_t *cp, uint32_t *fail_at)
{
    uint32_t used = 0u;
    uint32_t v = 0u;
    uint32_t fail = at;
    uint32_t hi = 0u;
    uint32_t lo = 0u;
    uint32_t simple = ST_ESC_NONE;
    if ((at + 2u) > n) {
        fail = n;
    } else {
        simple = st_escape_simple(h[at + 1u]);
        if (simple != ST_ESC_NONE) {
            v = simple;
            used = 2u;
        } else if (h[at + 1u] != (uint8_t)'u') {
            fail = at + 1u;
        } else if (!st_hex4(h, n, at + 2u, &hi)) {
            fail = at + 2u;
        } else if ((hi < 0xD800u) || (hi > 0xDFFFu)) {
            v = hi;
            used = 6u;
        } else if (hi >= 0xDC00u) {
            fail = at;                  /* lone low surrogate */
        } else if (((at + 8u) <= n) && (h[at + 6u] == (uint8_t)'\\') &&
                   (h[at + 7u] == (uint8_t)'u') && st_hex4(h, n, at + 8u, &lo) &&
                   (lo >= 0xDC00u) && (lo <= 0xDFFFu)) {
            v = 0x10000u + ((hi - 0xD800u) * 0x400u) + (lo - 0xDC00u);
            used = 12u;
        } else {
            fail = at + 6u;             /* lone high surrogate */
        }
    }
    *cp = v;
    *fail_at = fail;
    return used;
}

/*
 * ST-JSON-2: scan the string whose opening quote is at c->pos. Validates
 * escapes and rejects raw bytes 0x00..0x1F; the bytes are already known to
 * be valid UTF-8 (ST-UTF8-1). Leaves c->pos after the closing quote.
 */
st_err st_json_string(st_cursor *c, st_jstring *s)
{
    const uint8_t *h = c->h;
    uint32_t n = c->n;
    uint32_t pos = c->pos;
    uint32_t fail = pos;
    st_err ret = ST_OK;
    bool done = false;
    bool escaped = false;
    uint32_t dec = 0u;
    uint32_t start;
    uint32_t raw_at = 0u;
    uint32_t raw_len = 0u;
    uint32_t dec_len = 0u;
    if ((pos < n) && (h[pos] == (uint8_t)'"')) {
        pos++;
    } else {
        ret = ST_E_JSON_SYNTAX;
    }
    start = pos;
    /*@ loop invariant \at(c->pos, Pre) <= start <= pos <= n && fail <= n;
        loop invariant ret == ST_OK ==> start == \at(c->pos, Pre) + 1;
        loop invariant ret == ST_OK || ret == ST_E_JSON_SYNTAX || ret == ST_E_JSON_STRING;
        loop invariant dec <= pos - start;
        loop invariant !escaped ==> dec == pos - start;
        loop invariant done ==> ret == ST_OK && pos < n;
        loop assigns pos, fail, dec, done, ret, escaped;
        loop variant n - pos + ((ret == ST_OK && !done) ? 1 : 0);
    */
    while ((ret == ST_OK) && !done && (pos < n)) {
        uint8_t b = h[pos];
        if (b == (uint8_t)'"') {
            done = true;
        } else if (b == (uint8_t)'\\') {
            uint32_t cp = 0u;
            uint32_t fail_at = 0u;
            uint32_t used = st_escape(h, n, pos, &cp, &fail_at);
            if (used == 0u) {
                ret = ST_E_JSON_STRING;
                fail = fail_at;
            } else {
                escaped = true;
                dec += st_utf8_len_of(cp);
                pos += used;
            }
        } else if (b < 0x20u) {
            ret = ST_E_JSON_STRING;
            fail = pos;
        } else {
            dec++;
            pos++;
        }
    }
    if ((ret == ST_OK) && !done) {
        ret = ST_E_JSON_SYNTAX;         /* end of header inside a string */
        fail = n;
    }
    if (ret == ST_OK) {
        raw_at = start;
        raw_len = pos - start;
        dec_len = dec;
        pos++;                          /* closing quote */
    }
    s->raw_at = raw_at;
    s->raw_len = raw_len;
    s->dec_len = dec_len;
    s->escaped = escaped;
    c->pos = pos;
    if (ret != ST_OK) {
        ret = st_fail(c, ret, fail);
    }
    return ret;
}

/*
 * Write code point cp as UTF-8 into dst; returns the byte count. The lead
 * byte's marker and the 6-bit groups never overlap, so the bits are put
 * together with + and taken apart with / and % (the same values as | and
 * shifts and masks, in a form the provers reason about directly).
 */
/*@ requires cp <= 0x10FFFF;
    requires \valid(dst + (0 .. st_utf8_len_l(cp) - 1));
    assigns dst[0 .. st_utf8_len_l(cp) - 1];
    ensures \result == st_utf8_len_l(cp);
*/
static uint32_t st_put_utf8(uint8_t *dst, uint32_t cp)
{
    uint32_t len = st_utf8_len_of(cp);
    if (len == 1u) {
        dst[0] = (uint8_t)cp;
    } else if (len == 2u) {
        dst[0] = (uint8_t)(0xC0u + (cp / 64u));
        dst[1] = (uint8_t)(0x80u + (cp % 64u));
    } else if (len == 3u) {
        dst[0] = (uint8_t)(0xE0u + (cp / 4096u));
        dst[1] = (uint8_t)(0x80u + ((cp / 64u) % 64u));
        dst[2] = (uint8_t)(0x80u + (cp % 64u));
    } else {
        dst[0] = (uint8_t)(0xF0u + (cp / 262144u));
        dst[1] = (uint8_t)(0x80u + ((cp / 4096u) % 64u));
        dst[2] = (uint8_t)(0x80u + ((cp / 64u) % 64u));
        dst[3] = (uint8_t)(0x80u + (cp % 64u));
    }
    return len;
}

/*
 * Decode a string that st_json_string accepted into dst[from .. to): the
 * caller's buffer from index `from`, at most to - from bytes (decoding
 * stops before exceeding `to`). Returns the number of bytes written. Every
 * write is tested against `to` itself, the bound the caller checked
 * against its buffer (U-15 in spec/analysis-notes.md).
 */
/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires \valid_read(s) && st_jstring_ok(s, n);
    requires from <= to && \valid(dst + (from .. to - 1));
    requires \separated(dst + (from .. to - 1), s);
    requires \separated(dst + (from .. to - 1), h + (0 .. n - 1));
    assigns dst[from .. to - 1];
    ensures \result <= to - from;
*/
static uint32_t st_decode_bounded(const uint8_t *h, uint32_t n, const st_jstring *s,
                                  uint8_t *dst, uint32_t from, uint32_t to)
{
    const uint32_t raw_end = s->raw_at + s->raw_len;
    uint32_t i = s->raw_at;
    uint32_t end = s->raw_at;
    uint32_t w = from;       /* next index of dst written */
    uint32_t o = 0u;         /* bytes written: w - from */
    uint32_t left = to - from;   /* room left: to - w */
    bool room = true;
    /* The raw bytes lie inside the header (st_jstring_ok): tested against
       n so that every read below is visibly inside h[0 .. n). */
    /*@ assert raw_end < n; */
    if (ST_ALWAYS(raw_end < n)) {
        end = raw_end;
    }
    /*@ loop invariant s->raw_at <= i <= end;
        loop invariant from <= w <= to && o == w - from && left == to - w;
        loop assigns i, w, o, left, room, dst[from .. to - 1];
        loop variant end - i + (room ? 1 : 0);
    */
    while ((i < end) && room) {
        uint8_t b = h[i];
        if (b == (uint8_t)'\\') {
            uint32_t cp = 0u;
            uint32_t fail_at = 0u;
            uint32_t used = st_escape(h, end, i, &cp, &fail_at);
            uint32_t len = st_utf8_len_of(cp);
            if ((used == 0u) || (left < len)) {
                room = false;
            } else {
                /* encoded apart, then copied byte by byte under the same
                   test as a plain byte */
                uint8_t enc[4] = {0u, 0u, 0u, 0u};
                uint32_t k;
                (void)st_put_utf8(enc, cp);
                left -= len;
                /*@ loop invariant 0 <= k <= len;
                    loop invariant w == \at(w, LoopEntry) + k && w + (len - k) <= to;
                    loop invariant o == w - from && left == to - w - (len - k);
                    loop assigns k, w, o, dst[from .. to - 1];
                    loop variant len - k;
                */
                for (k = 0u; k < len; k++) {
                    /*@ assert w < to; */
                    if (ST_ALWAYS(w < to)) {
                        dst[w] = enc[k];
                        w++;
                        o++;
                    }
                }
                i += used;
            }
        } else if (left > 0u) {
            /*@ assert w < to; */
            if (ST_ALWAYS(w < to)) {
                dst[w] = b;
                w++;
                o++;
            }
            left--;
            i++;
        } else {
            room = false;
        }
    }
    return o;
}

void st_json_decode(const uint8_t *h, uint32_t n, const st_jstring *s, uint8_t *dst,
                    uint32_t from, uint32_t to)
{
    (void)st_decode_bounded(h, n, s, dst, from, to);
}

/* Decode into a small buffer; returns the decoded length, or cap + 1 when it does not fit. */
uint32_t st_jstring_decode_small(const uint8_t *h, uint32_t n, const st_jstring *s,
                                 uint8_t *dst, uint32_t cap)
{
    uint32_t ret = cap + 1u;
    if (s->dec_len <= cap) {
        ret = st_decode_bounded(h, n, s, dst, 0u, s->dec_len);
    }
    return ret;
}

/* ST-JSON-7: compare a key, after escape decoding, with an ASCII literal
   of at most 16 bytes. An escaped key is decoded into a zeroed buffer of
   lit_len bytes (an accepted string decodes to exactly dec_len of them,
   U-2), and those lit_len bytes are compared (U-3). */
bool st_jstring_equals(const uint8_t *h, uint32_t n, const st_jstring *s,
                       const char *lit, uint32_t lit_len)
{
    bool eq = false;
    uint8_t tmp[16] = {0};
    /* The callers compare with field names of at most 12 bytes (U-3). */
    /*@ assert lit_len <= 16; */
    if ((s->dec_len == lit_len) && ST_ALWAYS(lit_len <= 16u)) {
        const uint8_t *p = &h[s->raw_at];
        uint32_t k = 0u;
        if (s->escaped) {
            (void)st_decode_bounded(h, n, s, tmp, 0u, lit_len);
            p = tmp;
        }
        /*@ assert \valid_read(p + (0 .. lit_len - 1)); */
        /*@ loop invariant 0 <= k <= lit_len;
            loop assigns k;
            loop variant lit_len - k;
        */
        while ((k < lit_len) && ((int)p[k] == (int)lit[k])) { /* lit is ASCII */
            k++;
        }
        eq = (k == lit_len);
    }
    return eq;
}

/*
 * ST-JSON-4: smallest 64-bit significand s for which (double)s * 10^e
 * overflows to infinity, for e = 289 .. 308 (no significand overflows for
 * smaller e). Computed with IEEE binary64 round-to-nearest, the way the
 * reference multiplies; spec/safetensors.md explains the derivation and
 * tests/unit check both sides of every threshold against the reference.
 */
#define ST_POW10_FIRST_OVERFLOW 289
static const uint64_t st_overflow_threshold[20] = {
    17976931348623156225u, 1797693134862315649u, 179769313486231600u,
    17976931348623158u,    1797693134862316u,    179769313486232u,
    17976931348624u,       1797693134863u,       179769313487u,
    17976931349u,          1797693135u,          179769314u,
    17976932u,             1797694u,             179770u,
    17977u,                1798u,                180u,
    18u,                   2u,
};

/* Would the number significand x 10^exp be out of f64 range for the reference? */
/*@ assigns \nothing; */
static bool st_out_of_range(uint64_t significand, int64_t exp)
{
    bool out = false;
    if ((significand != 0u) && (exp >= (int64_t)ST_POW10_FIRST_OVERFLOW)) {
        if (exp > 308) {
            out = true;
        } else {
            out = significand >= st_overflow_threshold[exp - (int64_t)ST_POW10_FIRST_OVERFLOW];
        }
    }
    return out;
}

/* A significand s takes one more digit d while s * 10 + d fits in 64 bits:
   s < ST_U64_MAX_DIV10, or s == ST_U64_MAX_DIV10 and d <= 5. The scanners
   below test the two cases apart, each next to the multiplication. */
#define ST_U64_MAX_DIV10 1844674407370955161u
#define ST_I32_MAX 2147483647

/* The state of a number scan, passed by value from stage to stage. */
typedef struct st_numscan {
    uint32_t pos;       /* next byte of the header */
    uint32_t fail_at;   /* where the error was found, when ret != ST_OK */
    st_err ret;
    bool plain;         /* no fraction and no exponent so far */
    bool int_overflow;  /* integer digits beyond the 64-bit significand */
    bool exp_overflow;  /* exponent literal beyond i32 */
    uint64_t sig;       /* significand */
    int64_t exp;        /* decimal exponent of the significand */
} st_numscan;

/*@ predicate st_numscan_ok(st_numscan st, integer start, integer n) =
      start <= st.pos <= n && st.fail_at <= n &&
      (st.ret == ST_OK || st.ret == ST_E_JSON_NUMBER);
*/

/* ST-JSON-3: the integer part, `0` or a non-zero digit and more digits. */
/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires in.pos <= n && in.fail_at <= n && in.ret == ST_OK;
    requires in.sig == 0 && in.exp == 0 && !in.int_overflow;
    assigns \nothing;
    ensures st_numscan_ok(\result, in.pos, n);
    ensures 0 <= \result.exp <= \result.pos;
    ensures \result.ret == ST_OK ==> in.pos < \result.pos;
    ensures \result.plain == in.plain && \result.exp_overflow == in.exp_overflow;
*/
static st_numscan st_number_int(const uint8_t *h, uint32_t n, st_numscan in)
{
    st_numscan st = in;
    if (st.pos >= n) {
        st.ret = ST_E_JSON_NUMBER;
        st.fail_at = st.pos;
    } else if (h[st.pos] == (uint8_t)'0') {
        st.pos++;
        if ((st.pos < n) && st_is_digit(h[st.pos])) {
            st.ret = ST_E_JSON_NUMBER;     /* leading zero */
            st.fail_at = st.pos;
        }
    } else if (st_is_digit(h[st.pos])) {
        uint32_t d = st_digit_at(h, n, st.pos);
        /*@ loop invariant in.pos <= st.pos <= n;
            loop invariant d <= 10 && (d <= 9 ==> st.pos < n);
            loop invariant st.pos == in.pos ==> d <= 9;
            loop invariant 0 <= st.exp <= st.pos;
            loop invariant st.ret == ST_OK && st.fail_at == in.fail_at && st.plain == in.plain &&
                           st.exp_overflow == in.exp_overflow;
            loop invariant st.pos == in.pos ==> st.sig == 0 && !st.int_overflow;
            loop assigns st, d;
            loop variant n - st.pos;
        */
        while (d <= 9u) {
            if (!st.int_overflow && (st.sig < ST_U64_MAX_DIV10)) {
                st.sig = (st.sig * 10u) + d;
            } else if (!st.int_overflow && (st.sig == ST_U64_MAX_DIV10) && (d <= 5u)) {
                st.sig = (st.sig * 10u) + d;
            } else {
                st.int_overflow = true;
                st.exp++;
            }
            st.pos++;
            d = st_digit_at(h, n, st.pos);
        }
    } else {
        st.ret = ST_E_JSON_NUMBER;
        st.fail_at = st.pos;
    }
    return st;
}

/* ST-JSON-3: an optional fraction, `.` and at least one digit. */
/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires in.pos <= n && in.fail_at <= n && in.ret == ST_OK && -in.pos <= in.exp <= in.pos;
    assigns \nothing;
    ensures st_numscan_ok(\result, in.pos, n);
    ensures -\result.pos <= \result.exp <= \result.pos;
    ensures \result.int_overflow == in.int_overflow && \result.exp_overflow == in.exp_overflow;
*/
static st_numscan st_number_frac(const uint8_t *h, uint32_t n, st_numscan in)
{
    st_numscan st = in;
    if ((st.pos < n) && (h[st.pos] == (uint8_t)'.')) {
        bool frac_overflow = false;
        uint32_t first;
        uint32_t d;
        st.plain = false;
        st.pos++;
        first = st.pos;
        d = st_digit_at(h, n, st.pos);
        /*@ loop invariant in.pos < first <= st.pos <= n;
            loop invariant d <= 10 && (d <= 9 ==> st.pos < n);
            loop invariant -st.pos <= st.exp <= st.pos;
            loop invariant st.ret == ST_OK && st.fail_at == in.fail_at &&
                           st.int_overflow == in.int_overflow &&
                           st.exp_overflow == in.exp_overflow;
            loop assigns st, frac_overflow, d;
            loop variant n - st.pos;
        */
        while (d <= 9u) {
            if (!frac_overflow && (st.sig < ST_U64_MAX_DIV10)) {
                st.sig = (st.sig * 10u) + d;
                st.exp--;
            } else if (!frac_overflow && (st.sig == ST_U64_MAX_DIV10) && (d <= 5u)) {
                st.sig = (st.sig * 10u) + d;
                st.exp--;
            } else {
                frac_overflow = true;
            }
            st.pos++;
            d = st_digit_at(h, n, st.pos);
        }
        if (st.pos == first) {             /* no digit after the point */
            st.ret = ST_E_JSON_NUMBER;
            st.fail_at = st.pos;
        }
    }
    return st;
}

/*
 * ST-JSON-3, ST-JSON-4: an optional exponent, `e` or `E`, a sign and at
 * least one digit. The literal is read as an i32; beyond that the number is
 * an error for a non-zero significand and a positive exponent, else 0.
 * The exponent saturates as the reference's i32 arithmetic does.
 */
/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires in.pos <= n && in.fail_at <= n && in.ret == ST_OK && -in.pos <= in.exp <= in.pos;
    requires !in.exp_overflow;
    assigns \nothing;
    ensures st_numscan_ok(\result, in.pos, n);
    ensures -ST_I32_MAX - 1 <= \result.exp <= ST_I32_MAX || \result.exp == in.exp;
    ensures \result.int_overflow == in.int_overflow;
*/
static st_numscan st_number_exp(const uint8_t *h, uint32_t n, st_numscan in)
{
    st_numscan st = in;
    if ((st.pos < n) && ((h[st.pos] == (uint8_t)'e') || (h[st.pos] == (uint8_t)'E'))) {
        bool exp_neg = false;
        int64_t lit = 0;
        st.plain = false;
        st.pos++;
        if ((st.pos < n) && ((h[st.pos] == (uint8_t)'+') || (h[st.pos] == (uint8_t)'-'))) {
            exp_neg = (h[st.pos] == (uint8_t)'-');
            st.pos++;
        }
        if ((st.pos >= n) || !st_is_digit(h[st.pos])) {
            st.ret = ST_E_JSON_NUMBER;
            st.fail_at = st.pos;
        }
        /*@ loop invariant in.pos < st.pos <= n && st.fail_at <= n;
            loop invariant 0 <= lit <= ST_I32_MAX;
            loop invariant st.ret == ST_OK || st.ret == ST_E_JSON_NUMBER;
            loop invariant st.exp == in.exp && st.int_overflow == in.int_overflow;
            loop assigns st, lit;
            loop variant n - st.pos;
        */
        while ((st.ret == ST_OK) && (st.pos < n) && st_is_digit(h[st.pos])) {
            int64_t d = (int64_t)h[st.pos] - (int64_t)'0';
            if (!st.exp_overflow && (((lit * 10) + d) <= (int64_t)ST_I32_MAX)) {
                lit = (lit * 10) + d;
            } else if (!st.exp_overflow) {
                st.exp_overflow = true;
                if ((st.sig != 0u) && !exp_neg) {
                    st.ret = ST_E_JSON_NUMBER;
                    st.fail_at = st.pos;
                }
            } else {
                /* remaining digits of an overflowed exponent are skipped */
            }
            st.pos++;
        }
        if (exp_neg) {
            st.exp -= lit;
        } else {
            st.exp += lit;
        }
        if (st.exp > (int64_t)ST_I32_MAX) {
            st.exp = (int64_t)ST_I32_MAX;
        } else if (st.exp < -(int64_t)ST_I32_MAX - 1) {
            st.exp = -(int64_t)ST_I32_MAX - 1;
        } else {
            /* in range */
        }
    }
    return st;
}

/*
 * ST-JSON-3, ST-JSON-4: scan a number at c->pos with the reference's
 * grammar and range rule. Digits go into a 64-bit significand while they
 * fit; later integer digits raise the exponent, later fraction digits are
 * dropped; the value is out of range when significand x 10^exp overflows
 * binary64 as the reference computes it.
 */
st_err st_json_number(st_cursor *c, st_jnumber *num)
{
    const uint8_t *h = c->h;
    uint32_t n = c->n;
    bool neg = false;
    st_err ret = ST_OK;
    bool is_u64 = false;
    uint64_t value = 0u;
    st_numscan st;
    st.pos = c->pos;
    st.fail_at = 0u;
    st.ret = ST_OK;
    st.plain = true;
    st.int_overflow = false;
    st.exp_overflow = false;
    st.sig = 0u;
    st.exp = 0;
    /* Both callers found a '-' or a digit at c->pos (U-4). */
    /*@ assert !(st.pos >= n); */
    if (ST_NEVER(st.pos >= n)) {
        st.ret = ST_E_JSON_NUMBER;
        st.fail_at = st.pos;
    } else {
        if (h[st.pos] == (uint8_t)'-') {
            neg = true;
            st.pos++;
        }
        st = st_number_int(h, n, st);
    }
    if (st.ret == ST_OK) {
        st = st_number_frac(h, n, st);
    }
    if (st.ret == ST_OK) {
        st = st_number_exp(h, n, st);
    }
    if (st.ret == ST_OK) {
        if (st.plain && !st.int_overflow) {
            is_u64 = !neg;
            value = st.sig;
        } else if (!st.exp_overflow && st_out_of_range(st.sig, st.exp)) {
            st.ret = ST_E_JSON_NUMBER;
            st.fail_at = st.pos;
        } else {
            /* a finite double: accepted, never used */
        }
    }
    num->is_u64 = is_u64;
    num->value = value;
    c->pos = st.pos;
    if (st.ret != ST_OK) {
        ret = st_fail(c, st.ret, st.fail_at);
    }
    return ret;
}

static const uint8_t st_lit_true[4] = {(uint8_t)'t', (uint8_t)'r', (uint8_t)'u', (uint8_t)'e'};
static const uint8_t st_lit_false[5] = {(uint8_t)'f', (uint8_t)'a', (uint8_t)'l', (uint8_t)'s',
                                        (uint8_t)'e'};
static const uint8_t st_lit_null[4] = {(uint8_t)'n', (uint8_t)'u', (uint8_t)'l', (uint8_t)'l'};

/* ST-JSON-5: one of the literals true, false, null. */
/*@ requires st_cursor_ok(c) && c->pos < c->n;
    assigns c->pos, c->err_pos;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX;
    ensures \result == ST_OK ==> \old(c->pos) < c->pos;
*/
static st_err st_json_literal(st_cursor *c)
{
    const uint8_t *h = c->h;
    uint32_t n = c->n;
    uint32_t pos = c->pos;
    st_err ret = ST_OK;
    const uint8_t *lit = st_lit_null;
    uint32_t len = 4u;
    uint32_t k = 0u;
    uint8_t b = h[pos];
    if (b == (uint8_t)'t') {
        lit = st_lit_true;
    } else if (b == (uint8_t)'f') {
        lit = st_lit_false;
        len = 5u;
    } else {
        lit = st_lit_null;
    }
    /*@ loop invariant 0 <= k <= len && \valid_read(lit + (0 .. len - 1));
        loop invariant pos == \at(c->pos, Pre) + k && pos <= n;
        loop assigns k, pos;
        loop variant len - k;
    */
    while ((k < len) && (pos < n) && (h[pos] == lit[k])) {
        pos++;
        k++;
    }
    c->pos = pos;
    if (k != len) {
        ret = st_fail(c, ST_E_JSON_SYNTAX, pos);
    }
    return ret;
}

/* Skip `"key" :` of an object member (whitespace around). */
/*@ requires st_cursor_ok(c);
    assigns c->pos, c->err_pos;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX || \result == ST_E_JSON_STRING;
    ensures \result == ST_OK ==> \old(c->pos) < c->pos;
*/
static st_err st_skip_key(st_cursor *c)
{
    st_err ret = ST_OK;
    st_jstring key;
    st_json_skip_ws(c);
    ret = st_json_string(c, &key);
    st_json_skip_ws(c);
    if (ret == ST_OK) {
        ret = st_json_expect(c, (uint8_t)':');
    }
    return ret;
}

/* Skip a string, number or literal starting with b = c->h[c->pos]. */
/*@ requires st_cursor_ok(c) && c->pos < c->n;
    assigns c->pos, c->err_pos;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX || \result == ST_E_JSON_STRING ||
            \result == ST_E_JSON_NUMBER;
    ensures \result == ST_OK ==> \old(c->pos) < c->pos;
*/
static st_err st_skip_scalar(st_cursor *c, uint8_t b)
{
    st_err ret = ST_OK;
    if (b == (uint8_t)'"') {
        st_jstring s;
        ret = st_json_string(c, &s);
    } else if ((b == (uint8_t)'-') || st_is_digit(b)) {
        st_jnumber num;
        ret = st_json_number(c, &num);
    } else if ((b == (uint8_t)'t') || (b == (uint8_t)'f') || (b == (uint8_t)'n')) {
        ret = st_json_literal(c);
    } else {
        ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
    }
    return ret;
}

/*
 * Enter the container opened by b = c->h[c->pos] ('{' or '['): consume the
 * opening byte; if the container is empty, its closing byte too
 * (*empty = true); else, for an object, its first key and colon.
 */
/*@ requires st_cursor_ok(c) && c->pos < c->n;
    requires \valid(empty) && \separated(empty, c, c->h + (0 .. c->n - 1));
    assigns c->pos, c->err_pos, *empty;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) < c->pos;
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX || \result == ST_E_JSON_STRING;
*/
static st_err st_skip_open(st_cursor *c, uint8_t b, bool *empty)
{
    st_err ret = ST_OK;
    *empty = false;
    c->pos++;
    st_json_skip_ws(c);
    if ((c->pos < c->n) &&
        (c->h[c->pos] == ((b == (uint8_t)'{') ? (uint8_t)'}' : (uint8_t)']'))) {
        c->pos++;
        *empty = true;
    } else if (b == (uint8_t)'{') {
        ret = st_skip_key(c);
    } else {
        /* array: first element follows */
    }
    return ret;
}

/*
 * After a value inside a container (is_obj: an object): a comma, with the
 * next key for an object, or the closing byte (*closed = true).
 */
/*@ requires st_cursor_ok(c) && c->pos < c->n;
    requires \valid(closed) && \separated(closed, c, c->h + (0 .. c->n - 1));
    assigns c->pos, c->err_pos, *closed;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX || \result == ST_E_JSON_STRING;
    ensures \result == ST_OK ==> \old(c->pos) < c->pos;
*/
static st_err st_skip_after(st_cursor *c, bool is_obj, bool *closed)
{
    st_err ret = ST_OK;
    uint8_t b = c->h[c->pos];
    *closed = false;
    if (b == (uint8_t)',') {
        c->pos++;
        if (is_obj) {
            ret = st_skip_key(c);
        }
    } else if (b == (is_obj ? (uint8_t)'}' : (uint8_t)']')) {
        c->pos++;
        *closed = true;
    } else {
        ret = st_fail(c, ST_E_JSON_SYNTAX, c->pos);
    }
    return ret;
}

/*
 * Skip one complete JSON value at c->pos (after whitespace), validating it
 * fully: ST-JSON-1..6. `depth` is the depth of the container holding the
 * value; a container value is at depth + 1, and nothing may be deeper than
 * ST_DEPTH_MAX (ST-JSON-6). Iterative: a byte per container level records
 * whether it is an object (1) or an array (0).
 */
st_err st_json_skip_value(st_cursor *c, uint32_t depth)
{
    st_err ret = ST_OK;
    uint8_t stack[ST_DEPTH_MAX + 1u] = {0};
    uint32_t top = 0u;      /* open containers of this value */
    bool want_value = true; /* else: after a value, want ',' or a close */
    bool done = false;
    bool flag = false;
    /*@ loop invariant st_cursor_ok(c);
        loop invariant \at(c->pos, Pre) <= c->pos <= c->n;
        loop invariant depth + top <= ST_DEPTH_MAX;
        loop invariant ret == ST_OK && !done && !want_value ==> top >= 1;
        loop invariant ret == ST_OK || ret == ST_E_JSON_SYNTAX || ret == ST_E_JSON_STRING ||
                       ret == ST_E_JSON_NUMBER || ret == ST_E_JSON_DEPTH;
        loop invariant ret != ST_OK || \at(c->pos, Pre) < c->pos ||
                       (want_value && top == 0 && !done);
        loop assigns c->pos, c->err_pos, ret, top, want_value, done, flag,
                     stack[0 .. ST_DEPTH_MAX];
        loop variant c->n - c->pos + ((ret == ST_OK && !done) ? 1 : 0);
    */
    while ((ret == ST_OK) && !done) {
        st_json_skip_ws(c);
        if (c->pos >= c->n) {
            ret = st_fail(c, ST_E_JSON_SYNTAX, c->n);
        } else if (want_value) {
            uint8_t b = c->h[c->pos];
            if ((b == (uint8_t)'{') || (b == (uint8_t)'[')) {
                if ((depth + top + 1u) > ST_DEPTH_MAX) {
                    ret = st_fail(c, ST_E_JSON_DEPTH, c->pos);
                } else {
                    stack[top] = (b == (uint8_t)'{') ? 1u : 0u;
                    top++;
                    ret = st_skip_open(c, b, &flag);
                    if (flag) {
                        /* empty container: closed at once */
                        want_value = false;
                        top--;
                        done = (top == 0u);
                    }
                }
            } else {
                ret = st_skip_scalar(c, b);
                want_value = false;
                done = (top == 0u);
            }
        } else {
            /* after a value inside a container: at least one is open
               (the loop invariant; U-13 in spec/analysis-notes.md) */
            uint32_t inner = 0u;
            /*@ assert top >= 1; */
            if (ST_ALWAYS(top >= 1u)) {
                inner = top - 1u;
            }
            ret = st_skip_after(c, stack[inner] == 1u, &flag);
            if (flag) {
                top--;
                done = (top == 0u);
            } else {
                want_value = true;
            }
        }
    }
    return ret;
}
