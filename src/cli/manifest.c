/*
 * manifest.c -- the JSON manifest of `tensorproof pack`:
 *
 *   {
 *     "tensors": [
 *       {"name": "w", "dtype": "F32", "shape": [2, 3],
 *        "file": "w.bin", "offset": 0},
 *       ...
 *     ],
 *     "metadata": {"format": "pt"}
 *   }
 *
 * RFC 8259 JSON in UTF-8. "tensors" is required (it may be empty);
 * "metadata" is optional (absent or null: no "__metadata__"; {}: an empty
 * one). Each tensor needs name, dtype, shape and file; offset defaults to
 * 0. Unknown or repeated fields are errors, so a typo is never ignored.
 * Duplicate tensor names and metadata keys are left to the writer, which
 * refuses them (ST-WRITE-6). Errors carry the byte offset where they were
 * found.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_write.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The reader follows the manifest's fixed shape and never recurses. */

typedef struct mcursor {
    const uint8_t *s;
    size_t n;
    size_t pos;
    manifest_error *err;
    bool failed;
} mcursor;

static void fail(mcursor *c, size_t at, const char *fmt, ...)
{
    va_list ap;
    if (!c->failed) {
        c->failed = true;
        c->err->offset = (uint64_t)at;
        va_start(ap, fmt);
        (void)vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
        va_end(ap);
    }
}

static void skip_ws(mcursor *c)
{
    while (c->pos < c->n && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t'
                             || c->s[c->pos] == '\n' || c->s[c->pos] == '\r')) {
        c->pos++;
    }
}

/* Skip whitespace; the next byte, or -1 at the end. */
static int peek(mcursor *c)
{
    skip_ws(c);
    return c->pos < c->n ? (int)c->s[c->pos] : -1;
}

static bool expect(mcursor *c, char ch)
{
    bool ok = !c->failed && peek(c) == (int)(unsigned char)ch;
    if (ok) {
        c->pos++;
    } else if (c->pos >= c->n) {
        fail(c, c->pos, "unexpected end of manifest, expected '%c'", ch);
    } else {
        fail(c, c->pos, "expected '%c'", ch);
    }
    return ok;
}

static int hex_digit(uint8_t b)
{
    int v = -1;
    if (b >= '0' && b <= '9') {
        v = b - '0';
    } else if (b >= 'a' && b <= 'f') {
        v = b - 'a' + 10;
    } else if (b >= 'A' && b <= 'F') {
        v = b - 'A' + 10;
    }
    return v;
}

/* Four hex digits at s[at..at+4), or -1. */
static long hex4(const mcursor *c, size_t at)
{
    long v = 0;
    size_t k;
    if (at > c->n || c->n - at < 4u) {
        v = -1;
    }
    for (k = 0u; v >= 0 && k < 4u; k++) {
        int d = hex_digit(c->s[at + k]);
        v = d < 0 ? -1 : v * 16 + d;
    }
    return v;
}

static size_t put_utf8(uint8_t *dst, uint32_t cp)
{
    size_t n;
    if (cp < 0x80u) {
        dst[0] = (uint8_t)cp;
        n = 1u;
    } else if (cp < 0x800u) {
        dst[0] = (uint8_t)(0xC0u | (cp >> 6));
        dst[1] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 2u;
    } else if (cp < 0x10000u) {
        dst[0] = (uint8_t)(0xE0u | (cp >> 12));
        dst[1] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
        dst[2] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 3u;
    } else {
        dst[0] = (uint8_t)(0xF0u | (cp >> 18));
        dst[1] = (uint8_t)(0x80u | ((cp >> 12) & 0x3Fu));
        dst[2] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
        dst[3] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 4u;
    }
    return n;
}

/*
 * A JSON string, decoded into a new buffer (*out, *len; NUL-terminated
 * for convenience, the NUL not counted). A decoded string is never longer
 * than its raw form, which bounds the buffer.
 */
static bool read_string(mcursor *c, uint8_t **out, uint32_t *len)
{
    size_t start;
    size_t end;
    size_t w = 0u;
    uint8_t *buf = NULL;
    bool ok = expect(c, '"');

    *out = NULL;
    *len = 0u;
    if (!ok) {
        goto out;
    }
    /* Find the closing quote; raw control bytes and bad UTF-8 are errors. */
    start = c->pos;
    end = start;
    while (ok && end < c->n && c->s[end] != '"') {
        uint32_t cp = 0u;
        size_t l;
        if (c->s[end] == '\\') {
            end += 2u;
        } else if (c->s[end] < 0x20u) {
            fail(c, end, "control character in a string (escape it)");
            ok = false;
        } else {
            l = st_utf8_decode(c->s + end, c->n - end, &cp);
            if (l == 0u) {
                fail(c, end, "invalid UTF-8");
                ok = false;
            } else {
                end += l;
            }
        }
    }
    if (ok && end >= c->n) {
        fail(c, c->n, "unexpected end of manifest inside a string");
        ok = false;
    }
    if (ok && end - start > UINT32_MAX) {
        fail(c, start, "string too long");
        ok = false;
    }
    if (ok) {
        buf = malloc(end - start + 1u);
        if (buf == NULL) {
            fail(c, start, "out of memory");
            ok = false;
        }
    }
    while (ok && c->pos < end) {
        uint8_t b = c->s[c->pos];
        if (b != '\\') {
            buf[w++] = b;
            c->pos++;
        } else {
            uint8_t e = c->s[c->pos + 1u];
            const char *from = "\"\\/bfnrt";
            const char *to = "\"\\/\b\f\n\r\t";
            const char *hit = e != 0u ? strchr(from, (int)e) : NULL;
            if (hit != NULL) {
                buf[w++] = (uint8_t)to[hit - from];
                c->pos += 2u;
            } else if (e == 'u') {
                long hi = hex4(c, c->pos + 2u);
                uint32_t cp;
                if (hi < 0 || c->pos + 6u > end) {
                    fail(c, c->pos, "bad \\u escape");
                    ok = false;
                } else if (hi >= 0xD800 && hi <= 0xDBFF) {
                    long lo = -1;
                    if (c->pos + 12u <= end && c->s[c->pos + 6u] == '\\'
                        && c->s[c->pos + 7u] == 'u') {
                        lo = hex4(c, c->pos + 8u);
                    }
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        fail(c, c->pos, "lone surrogate in \\u escape");
                        ok = false;
                    } else {
                        cp = 0x10000u + (((uint32_t)hi - 0xD800u) << 10)
                             + ((uint32_t)lo - 0xDC00u);
                        w += put_utf8(buf + w, cp);
                        c->pos += 12u;
                    }
                } else if (hi >= 0xDC00 && hi <= 0xDFFF) {
                    fail(c, c->pos, "lone surrogate in \\u escape");
                    ok = false;
                } else {
                    w += put_utf8(buf + w, (uint32_t)hi);
                    c->pos += 6u;
                }
            } else {
                fail(c, c->pos, "bad escape in a string");
                ok = false;
            }
        }
    }
    if (ok) {
        c->pos = end + 1u;
        buf[w] = 0u;
        *out = buf;
        *len = (uint32_t)w;
    } else {
        free(buf);
    }
out:
    return ok;
}

/* A non-negative integer 0..2^64-1 in plain JSON form. */
static bool read_u64(mcursor *c, uint64_t *v)
{
    size_t start;
    uint64_t acc = 0u;
    bool ok = true;
    int ch = peek(c);
    start = c->pos;
    if (ch < '0' || ch > '9') {
        fail(c, start, "expected a non-negative integer");
        ok = false;
    }
    while (ok && c->pos < c->n && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
        uint64_t d = (uint64_t)(c->s[c->pos] - '0');
        if (acc > (UINT64_MAX - d) / 10u) {
            fail(c, start, "integer larger than 2^64-1");
            ok = false;
        } else {
            acc = acc * 10u + d;
            c->pos++;
        }
    }
    if (ok && c->pos - start > 1u && c->s[start] == '0') {
        fail(c, start, "integer with a leading zero");
        ok = false;
    }
    if (ok && c->pos < c->n
        && (c->s[c->pos] == '.' || c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
        fail(c, start, "expected an integer, not a fraction or exponent");
        ok = false;
    }
    *v = acc;
    return ok;
}

static bool read_null(mcursor *c)
{
    bool ok = peek(c) == 'n' && c->n - c->pos >= 4u
              && memcmp(c->s + c->pos, "null", 4u) == 0;
    if (ok) {
        c->pos += 4u;
    } else {
        fail(c, c->pos, "expected null");
    }
    return ok;
}

/* After a member or element: ',' (true, more follow) or the closer. */
static bool more(mcursor *c, char closer, bool *again)
{
    int ch = peek(c);
    bool ok = true;
    *again = false;
    if (ch == ',') {
        c->pos++;
        *again = true;
    } else if (ch == (int)(unsigned char)closer) {
        c->pos++;
    } else {
        fail(c, c->pos, ch < 0 ? "unexpected end of manifest"
                               : "expected ',' or '%c'", closer);
        ok = false;
    }
    return ok;
}

/* A key as it may appear in a message: printable ASCII only. */
static const char *shown(const uint8_t *k, uint32_t n)
{
    const char *ret = (const char *)k;
    uint32_t i;
    if (n > 40u) {
        ret = "(long key)";
    }
    for (i = 0u; i < n && ret == (const char *)k; i++) {
        if (k[i] < 0x20u || k[i] > 0x7Eu) {
            ret = "(key with unprintable characters)";
        }
    }
    return ret;
}

static bool key_is(const uint8_t *k, uint32_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(k, lit, n) == 0;
}

static bool read_shape(mcursor *c, manifest_tensor *t)
{
    bool ok = expect(c, '[');
    bool again = peek(c) != ']';
    size_t cap = 0u;
    if (ok && !again) {
        c->pos++;
    }
    while (ok && again) {
        uint64_t v = 0u;
        if (t->rank == cap) {
            size_t ncap = cap == 0u ? 4u : cap * 2u;
            uint64_t *nd = ncap > UINT32_MAX ? NULL
                           : realloc(t->dims, ncap * sizeof *nd);
            if (nd == NULL) {
                fail(c, c->pos, "out of memory");
                ok = false;
                break;
            }
            t->dims = nd;
            cap = ncap;
        }
        ok = read_u64(c, &v) && more(c, ']', &again);
        if (ok) {
            t->dims[t->rank++] = v;
        }
    }
    return ok;
}

enum { F_NAME = 1, F_DTYPE = 2, F_SHAPE = 4, F_FILE = 8, F_OFFSET = 16 };

static bool read_tensor(mcursor *c, manifest_tensor *t)
{
    unsigned seen = 0u;
    bool again = true;
    bool ok;
    t->at = (uint64_t)(skip_ws(c), c->pos);
    ok = expect(c, '{');
    if (ok && peek(c) == '}') {
        c->pos++;
        again = false;
    }
    while (ok && again) {
        uint8_t *key = NULL;
        uint32_t klen = 0u;
        size_t kat = (skip_ws(c), c->pos);
        unsigned bit = 0u;
        ok = read_string(c, &key, &klen) && expect(c, ':');
        if (ok) {
            bit = key_is(key, klen, "name")     ? F_NAME
                  : key_is(key, klen, "dtype")  ? F_DTYPE
                  : key_is(key, klen, "shape")  ? F_SHAPE
                  : key_is(key, klen, "file")   ? F_FILE
                  : key_is(key, klen, "offset") ? F_OFFSET
                                                : 0u;
            if (bit == 0u) {
                fail(c, kat, "unknown tensor field \"%s\" (expected name, "
                     "dtype, shape, file, offset)", shown(key, klen));
                ok = false;
            } else if ((seen & bit) != 0u) {
                fail(c, kat, "tensor field \"%s\" given twice", shown(key, klen));
                ok = false;
            }
            seen |= bit;
        }
        free(key);
        if (ok && bit == F_NAME) {
            ok = read_string(c, &t->name, &t->name_len);
        } else if (ok && bit == F_DTYPE) {
            uint8_t *d = NULL;
            uint32_t dl = 0u;
            size_t dat = (skip_ws(c), c->pos);
            ok = read_string(c, &d, &dl);
            if (ok && !st_dtype_parse(d, dl, &t->dtype)) {
                fail(c, dat, "unknown dtype \"%s\"", shown(d, dl));
                ok = false;
            }
            free(d);
        } else if (ok && bit == F_SHAPE) {
            ok = read_shape(c, t);
        } else if (ok && bit == F_FILE) {
            uint8_t *f = NULL;
            uint32_t fl = 0u;
            size_t fat = (skip_ws(c), c->pos);
            ok = read_string(c, &f, &fl);
            if (ok && (fl == 0u || memchr(f, 0, fl) != NULL)) {
                fail(c, fat, "file must be a non-empty path without NUL");
                free(f);
                ok = false;
            } else if (ok) {
                t->file = (char *)f;
            }
        } else if (ok && bit == F_OFFSET) {
            ok = read_u64(c, &t->offset);
        }
        ok = ok && more(c, '}', &again);
    }
    if (ok && (seen & (F_NAME | F_DTYPE | F_SHAPE | F_FILE))
                  != (F_NAME | F_DTYPE | F_SHAPE | F_FILE)) {
        fail(c, (size_t)t->at, "tensor needs %s",
             (seen & F_NAME) == 0u ? "a name"
             : (seen & F_DTYPE) == 0u ? "a dtype"
             : (seen & F_SHAPE) == 0u ? "a shape" : "a file");
        ok = false;
    }
    return ok;
}

static bool read_tensors(mcursor *c, manifest *m)
{
    bool ok = expect(c, '[');
    bool again = peek(c) != ']';
    size_t cap = 0u;
    if (ok && !again) {
        c->pos++;
    }
    while (ok && again) {
        if (m->n_tensors == cap) {
            size_t ncap = cap == 0u ? 16u : cap * 2u;
            manifest_tensor *nt = ncap > UINT32_MAX ? NULL
                                  : realloc(m->tensors, ncap * sizeof *nt);
            if (nt == NULL) {
                fail(c, c->pos, "out of memory");
                ok = false;
                break;
            }
            m->tensors = nt;
            cap = ncap;
        }
        memset(&m->tensors[m->n_tensors], 0, sizeof m->tensors[0]);
        m->n_tensors++;
        ok = read_tensor(c, &m->tensors[m->n_tensors - 1u])
             && more(c, ']', &again);
    }
    return ok;
}

static bool read_metadata(mcursor *c, manifest *m)
{
    bool ok = true;
    bool again = true;
    size_t cap = 0u;
    if (peek(c) == 'n') {
        ok = read_null(c);
        again = false;
    } else {
        m->has_metadata = true;
        ok = expect(c, '{');
    }
    if (ok && again && peek(c) == '}') {
        c->pos++;
        again = false;
    }
    while (ok && again) {
        manifest_meta *e;
        if (m->n_meta == cap) {
            size_t ncap = cap == 0u ? 8u : cap * 2u;
            manifest_meta *nm = ncap > UINT32_MAX ? NULL
                                : realloc(m->meta, ncap * sizeof *nm);
            if (nm == NULL) {
                fail(c, c->pos, "out of memory");
                ok = false;
                break;
            }
            m->meta = nm;
            cap = ncap;
        }
        e = &m->meta[m->n_meta];
        memset(e, 0, sizeof *e);
        m->n_meta++;
        e->at = (uint64_t)(skip_ws(c), c->pos);
        if (peek(c) != '"') {
            fail(c, c->pos, "expected a metadata key (a string)");
            ok = false;
        }
        ok = ok && read_string(c, &e->key, &e->key_len) && expect(c, ':');
        if (ok && peek(c) != '"') {
            fail(c, c->pos, "metadata values must be strings");
            ok = false;
        }
        ok = ok && read_string(c, &e->value, &e->value_len)
             && more(c, '}', &again);
    }
    return ok;
}

bool manifest_parse(const uint8_t *text, size_t len, manifest *m,
                    manifest_error *err)
{
    mcursor c;
    bool ok;
    bool again = true;
    bool seen_tensors = false;
    bool seen_meta = false;

    memset(m, 0, sizeof *m);
    memset(err, 0, sizeof *err);
    c.s = text;
    c.n = len;
    c.pos = 0u;
    c.err = err;
    c.failed = false;
    ok = expect(&c, '{');
    if (ok && peek(&c) == '}') {
        c.pos++;
        again = false;
    }
    while (ok && again) {
        uint8_t *key = NULL;
        uint32_t klen = 0u;
        size_t kat = (skip_ws(&c), c.pos);
        ok = read_string(&c, &key, &klen) && expect(&c, ':');
        if (ok && key_is(key, klen, "tensors") && !seen_tensors) {
            seen_tensors = true;
            ok = read_tensors(&c, m);
        } else if (ok && key_is(key, klen, "metadata") && !seen_meta) {
            seen_meta = true;
            ok = read_metadata(&c, m);
        } else if (ok && (key_is(key, klen, "tensors")
                          || key_is(key, klen, "metadata"))) {
            fail(&c, kat, "\"%s\" given twice", shown(key, klen));
            ok = false;
        } else if (ok) {
            fail(&c, kat, "unknown key \"%s\" (expected tensors, metadata)",
                 shown(key, klen));
            ok = false;
        }
        free(key);
        ok = ok && more(&c, '}', &again);
    }
    if (ok && !seen_tensors) {
        fail(&c, 0u, "the manifest needs a \"tensors\" array");
        ok = false;
    }
    if (ok && peek(&c) >= 0) {
        fail(&c, c.pos, "unexpected data after the manifest object");
        ok = false;
    }
    if (!ok) {
        manifest_free(m);
    }
    return ok;
}

void manifest_free(manifest *m)
{
    uint32_t i;
    for (i = 0u; i < m->n_tensors; i++) {
        free(m->tensors[i].name);
        free(m->tensors[i].dims);
        free(m->tensors[i].file);
    }
    for (i = 0u; i < m->n_meta; i++) {
        free(m->meta[i].key);
        free(m->meta[i].value);
    }
    free(m->tensors);
    free(m->meta);
    memset(m, 0, sizeof *m);
}
