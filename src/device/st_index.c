/*
 * st_index.c -- a small strict JSON reader for model.safetensors.index.json
 * (st_index.h). No recursion: nested values are skipped with an explicit
 * stack of the containers open.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include "st_index.h"
#include "st_backend.h"
#include "st_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct cursor {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    char *err;
    size_t err_len;
    bool failed;
} cursor;

static bool fail(cursor *c, const char *what)
{
    if (!c->failed) {
        st_backend_msg(c->err, c->err_len, "index: byte %zu: %s", c->pos, what);
        c->failed = true;
    }
    return false;
}

static void skip_ws(cursor *c)
{
    while ((c->pos < c->len) && ((c->buf[c->pos] == ' ') || (c->buf[c->pos] == '\t') ||
                                 (c->buf[c->pos] == '\n') || (c->buf[c->pos] == '\r'))) {
        c->pos++;
    }
}

/* The next byte after whitespace, or -1 at the end. Does not consume it. */
static int peek(cursor *c)
{
    skip_ws(c);
    return (c->pos < c->len) ? (int)c->buf[c->pos] : -1;
}

static bool expect(cursor *c, uint8_t ch, const char *what)
{
    bool ok = (peek(c) == (int)ch);
    if (ok) {
        c->pos++;
    } else {
        (void)fail(c, what);
    }
    return ok;
}

static int hex_digit(uint8_t ch)
{
    int v = -1;
    if ((ch >= (uint8_t)'0') && (ch <= (uint8_t)'9')) {
        v = (int)ch - '0';
    } else if ((ch >= (uint8_t)'a') && (ch <= (uint8_t)'f')) {
        v = (int)ch - 'a' + 10;
    } else if ((ch >= (uint8_t)'A') && (ch <= (uint8_t)'F')) {
        v = (int)ch - 'A' + 10;
    } else {
        /* not a hex digit */
    }
    return v;
}

/* Four hex digits at the cursor (after "\u"). */
static bool read_hex4(cursor *c, uint32_t *out)
{
    uint32_t v = 0u;
    size_t i;
    bool ok = (c->len - c->pos) >= 4u;
    for (i = 0u; ok && (i < 4u); i++) {
        int d = hex_digit(c->buf[c->pos + i]);
        ok = (d >= 0);
        v = (v << 4) | (uint32_t)((d >= 0) ? d : 0);
    }
    if (ok) {
        c->pos += 4u;
        *out = v;
    }
    return ok;
}

static size_t put_utf8(uint8_t *o, uint32_t cp)
{
    size_t n;
    if (cp < 0x80u) {
        o[0] = (uint8_t)cp;
        n = 1u;
    } else if (cp < 0x800u) {
        o[0] = (uint8_t)(0xC0u | (cp >> 6));
        o[1] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 2u;
    } else if (cp < 0x10000u) {
        o[0] = (uint8_t)(0xE0u | (cp >> 12));
        o[1] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
        o[2] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 3u;
    } else {
        o[0] = (uint8_t)(0xF0u | (cp >> 18));
        o[1] = (uint8_t)(0x80u | ((cp >> 12) & 0x3Fu));
        o[2] = (uint8_t)(0x80u | ((cp >> 6) & 0x3Fu));
        o[3] = (uint8_t)(0x80u | (cp & 0x3Fu));
        n = 4u;
    }
    return n;
}

/*
 * A string at the cursor. With out == NULL it is only checked and skipped;
 * otherwise it is decoded into a new buffer (*out, *out_len; the decoded
 * form is never longer than the source).
 */
static bool read_string(cursor *c, uint8_t **out, uint32_t *out_len)
{
    uint8_t *dst = NULL;
    size_t n = 0u;
    size_t start;
    bool ok = expect(c, (uint8_t)'"', "expected a string");
    bool closed = false;
    start = c->pos;
    if (ok && (out != NULL)) {
        /* the decoded form is never longer than the source up to the
           closing quote (escapes decode to fewer bytes) */
        size_t span = 0u;
        while (((start + span) < c->len) && (c->buf[start + span] != (uint8_t)'"')) {
            span += (c->buf[start + span] == (uint8_t)'\\') ? 2u : 1u;
        }
        dst = malloc((span > 0u) ? span : 1u);
        if (dst == NULL) {
            ok = fail(c, "out of memory");
        }
    }
    while (ok && !closed) {
        uint8_t ch;
        if (c->pos >= c->len) {
            ok = fail(c, "unterminated string");
        } else {
            ch = c->buf[c->pos];
            if (ch == (uint8_t)'"') {
                c->pos++;
                closed = true;
            } else if (ch < 0x20u) {
                ok = fail(c, "control character in a string");
            } else if (ch == (uint8_t)'\\') {
                uint8_t e = (c->pos + 1u < c->len) ? c->buf[c->pos + 1u] : 0u;
                uint32_t cp = 0u;
                c->pos += 2u;
                switch (e) {
                case '"': cp = 0x22u; break;
                case '\\': cp = 0x5Cu; break;
                case '/': cp = 0x2Fu; break;
                case 'b': cp = 0x08u; break;
                case 'f': cp = 0x0Cu; break;
                case 'n': cp = 0x0Au; break;
                case 'r': cp = 0x0Du; break;
                case 't': cp = 0x09u; break;
                case 'u':
                    if (!read_hex4(c, &cp)) {
                        ok = fail(c, "bad \\u escape");
                    } else if ((cp >= 0xDC00u) && (cp <= 0xDFFFu)) {
                        ok = fail(c, "lone low surrogate");
                    } else if ((cp >= 0xD800u) && (cp <= 0xDBFFu)) {
                        uint32_t lo = 0u;
                        if (((c->len - c->pos) < 2u) || (c->buf[c->pos] != (uint8_t)'\\') ||
                            (c->buf[c->pos + 1u] != (uint8_t)'u')) {
                            ok = fail(c, "lone high surrogate");
                        } else {
                            c->pos += 2u;
                            if (!read_hex4(c, &lo) || (lo < 0xDC00u) || (lo > 0xDFFFu)) {
                                ok = fail(c, "lone high surrogate");
                            } else {
                                cp = 0x10000u + ((cp - 0xD800u) << 10) + (lo - 0xDC00u);
                            }
                        }
                    } else {
                        /* a BMP code point */
                    }
                    break;
                default:
                    ok = fail(c, "bad escape");
                    break;
                }
                if (ok && (dst != NULL)) {
                    n += put_utf8(dst + n, cp);
                }
            } else {
                uint32_t cp = 0u;
                size_t k = st_utf8_decode(c->buf + c->pos, c->len - c->pos, &cp);
                if (k == 0u) {
                    ok = fail(c, "invalid UTF-8 in a string");
                } else {
                    if (dst != NULL) {
                        memcpy(dst + n, c->buf + c->pos, k);
                        n += k;
                    }
                    c->pos += k;
                }
            }
        }
    }
    if (ok && (n > UINT32_MAX)) {
        ok = fail(c, "string too long");
    }
    if (ok && (out != NULL)) {
        *out = dst;
        *out_len = (uint32_t)n;
    } else {
        free(dst);
    }
    return ok;
}

static bool is_digit(int ch)
{
    return (ch >= '0') && (ch <= '9');
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool skip_number(cursor *c)
{
    const uint8_t *b = c->buf;
    size_t p = c->pos;
    bool ok;
    if ((p < c->len) && (b[p] == (uint8_t)'-')) {
        p++;
    }
    ok = (p < c->len) && is_digit(b[p]);
    if (ok && (b[p] == (uint8_t)'0')) {
        p++;
    } else {
        while ((p < c->len) && is_digit(b[p])) {
            p++;
        }
    }
    if (ok && (p < c->len) && (b[p] == (uint8_t)'.')) {
        p++;
        ok = (p < c->len) && is_digit(b[p]);
        while ((p < c->len) && is_digit(b[p])) {
            p++;
        }
    }
    if (ok && (p < c->len) && ((b[p] == (uint8_t)'e') || (b[p] == (uint8_t)'E'))) {
        p++;
        if ((p < c->len) && ((b[p] == (uint8_t)'+') || (b[p] == (uint8_t)'-'))) {
            p++;
        }
        ok = (p < c->len) && is_digit(b[p]);
        while ((p < c->len) && is_digit(b[p])) {
            p++;
        }
    }
    if (ok) {
        c->pos = p;
    }
    return ok || fail(c, "bad number");
}

static bool skip_literal(cursor *c, const char *lit)
{
    size_t n = strlen(lit);
    bool ok = ((c->len - c->pos) >= n) && (memcmp(c->buf + c->pos, lit, n) == 0);
    if (ok) {
        c->pos += n;
    }
    return ok || fail(c, "unexpected character");
}

/* A key and its colon, inside an object. */
static bool skip_key(cursor *c)
{
    return read_string(c, NULL, NULL) && expect(c, (uint8_t)':', "expected ':'");
}

/* Any JSON value, nested containers included, without recursion. */
static bool skip_value(cursor *c)
{
    uint8_t stack[ST_INDEX_DEPTH_MAX];
    size_t depth = 0u;
    bool ok = true;
    bool want_value = true; /* else: a value just ended */
    bool done = false;
    while (ok && !done) {
        int ch = peek(c);
        if (want_value) {
            if ((ch == '{') || (ch == '[')) {
                if (depth == ST_INDEX_DEPTH_MAX) {
                    ok = fail(c, "nested too deeply");
                } else {
                    stack[depth] = (ch == '{') ? (uint8_t)'}' : (uint8_t)']';
                    depth++;
                    c->pos++;
                    if (peek(c) == (int)stack[depth - 1u]) {
                        c->pos++;
                        depth--;
                        want_value = false;
                    } else if (ch == '{') {
                        ok = skip_key(c);
                    } else {
                        /* first array element */
                    }
                }
            } else if (ch == '"') {
                ok = read_string(c, NULL, NULL);
                want_value = false;
            } else if ((ch == '-') || is_digit(ch)) {
                ok = skip_number(c);
                want_value = false;
            } else if (ch == 't') {
                ok = skip_literal(c, "true");
                want_value = false;
            } else if (ch == 'f') {
                ok = skip_literal(c, "false");
                want_value = false;
            } else if (ch == 'n') {
                ok = skip_literal(c, "null");
                want_value = false;
            } else {
                ok = fail(c, "expected a value");
            }
        } else if (depth == 0u) {
            done = true;
        } else if (ch == ',') {
            c->pos++;
            want_value = true;
            if (stack[depth - 1u] == (uint8_t)'}') {
                ok = skip_key(c);
            }
        } else if (ch == (int)stack[depth - 1u]) {
            c->pos++;
            depth--;
        } else {
            ok = fail(c, "expected ',' or the end of a container");
        }
    }
    return ok;
}

void st_index_free(st_index *ix)
{
    uint32_t i;
    if (ix->files != NULL) {
        for (i = 0u; i < ix->n_files; i++) {
            free(ix->files[i]);
        }
    }
    if (ix->entries != NULL) {
        for (i = 0u; i < ix->n_entries; i++) {
            free(ix->entries[i].name);
        }
    }
    free(ix->files);
    free(ix->entries);
    memset(ix, 0, sizeof *ix);
}

/* Grow an array of elem-sized items to hold at least need of them. */
static bool grow(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
    bool ok = true;
    if (need > *cap) {
        uint32_t ncap = (*cap == 0u) ? 16u : *cap;
        void *p;
        while ((ncap < need) && (ncap <= (UINT32_MAX / 2u))) {
            ncap *= 2u;
        }
        ok = (ncap >= need) && ((size_t)ncap <= (SIZE_MAX / elem));
        p = ok ? realloc(*arr, (size_t)ncap * elem) : NULL;
        ok = (p != NULL);
        if (ok) {
            *arr = p;
            *cap = ncap;
        }
    }
    return ok;
}

/* The file index of a shard name, adding it (dir + name) when new. */
static bool add_file(cursor *c, st_index *ix, uint32_t *files_cap, const char *dir,
                     const uint8_t *name, uint32_t name_len, uint32_t *out)
{
    size_t dl = strlen(dir);
    uint32_t i;
    bool ok = true;
    bool found = false;
    if ((name_len == 0u) || (memchr(name, '/', name_len) != NULL) ||
        (memchr(name, '\0', name_len) != NULL) ||
        ((name_len == 1u) && (name[0] == (uint8_t)'.')) ||
        ((name_len == 2u) && (name[0] == (uint8_t)'.') && (name[1] == (uint8_t)'.'))) {
        ok = fail(c, "a file name must be a plain name in the index's directory");
    }
    /* shards are usually listed together: look from the most recent file back */
    for (i = ix->n_files; ok && !found && (i > 0u); i--) {
        const char *f = ix->files[i - 1u] + dl;
        if ((strlen(f) == (size_t)name_len) && (memcmp(f, name, name_len) == 0)) {
            found = true;
            *out = i - 1u;
        }
    }
    if (ok && !found) {
        char *path = malloc(dl + (size_t)name_len + 1u);
        ok = (path != NULL) && grow((void **)&ix->files, files_cap, ix->n_files + 1u,
                                    sizeof *ix->files);
        if (ok) {
            memcpy(path, dir, dl);
            memcpy(path + dl, name, name_len);
            path[dl + name_len] = '\0';
            ix->files[ix->n_files] = path;
            *out = ix->n_files;
            ix->n_files++;
        } else {
            free(path);
            (void)fail(c, "out of memory");
        }
    }
    return ok;
}

static int cmp_entry(const void *a, const void *b)
{
    const st_index_entry *x = (const st_index_entry *)a;
    const st_index_entry *y = (const st_index_entry *)b;
    size_t n = (x->name_len < y->name_len) ? x->name_len : y->name_len;
    int r = (n > 0u) ? memcmp(x->name, y->name, n) : 0;
    if (r == 0) {
        r = (x->name_len < y->name_len) ? -1 : ((x->name_len > y->name_len) ? 1 : 0);
    }
    return r;
}

/* No tensor name twice (sorted copy, adjacent equal names). */
static bool check_unique(cursor *c, const st_index *ix)
{
    st_index_entry *sorted;
    bool ok = true;
    uint32_t i;
    if (ix->n_entries > 1u) {
        sorted = malloc((size_t)ix->n_entries * sizeof *sorted);
        if (sorted == NULL) {
            ok = fail(c, "out of memory");
        } else {
            memcpy(sorted, ix->entries, (size_t)ix->n_entries * sizeof *sorted);
            qsort(sorted, ix->n_entries, sizeof *sorted, cmp_entry);
            for (i = 1u; ok && (i < ix->n_entries); i++) {
                if (cmp_entry(&sorted[i - 1u], &sorted[i]) == 0) {
                    st_backend_msg(c->err, c->err_len,
                                   "index: weight_map names tensor \"%.*s\" twice",
                                   (int)((sorted[i].name_len > 200u) ? 200u : sorted[i].name_len),
                                   (const char *)sorted[i].name);
                    c->failed = true;
                    ok = false;
                }
            }
            free(sorted);
        }
    }
    return ok;
}

/* The weight_map object: tensor name -> file name. */
static bool read_weight_map(cursor *c, const char *dir, st_index *ix)
{
    uint32_t entries_cap = 0u;
    uint32_t files_cap = 0u;
    bool ok = true;
    bool more;
    if (peek(c) != '{') {
        return fail(c, "weight_map must be an object");
    }
    c->pos++;
    more = (peek(c) != '}');
    if (!more) {
        c->pos++;
    }
    while (ok && more) {
        st_index_entry e;
        uint8_t *fname = NULL;
        uint32_t fname_len = 0u;
        memset(&e, 0, sizeof e);
        ok = read_string(c, &e.name, &e.name_len) && expect(c, (uint8_t)':', "expected ':'");
        if (ok && (peek(c) != '"')) {
            ok = fail(c, "a weight_map value must be a file name (a string)");
        }
        ok = ok && read_string(c, &fname, &fname_len) &&
             add_file(c, ix, &files_cap, dir, fname, fname_len, &e.file);
        free(fname);
        if (ok && !grow((void **)&ix->entries, &entries_cap, ix->n_entries + 1u,
                        sizeof *ix->entries)) {
            ok = fail(c, "out of memory");
        }
        if (ok) {
            ix->entries[ix->n_entries] = e;
            ix->n_entries++;
            if (peek(c) == ',') {
                c->pos++;
            } else {
                more = false;
                ok = expect(c, (uint8_t)'}', "expected ',' or '}' in weight_map");
            }
        } else {
            free(e.name);
        }
    }
    return ok && check_unique(c, ix);
}

bool st_index_parse(const uint8_t *buf, size_t len, const char *dir, st_index *out, char *err,
                    size_t err_len)
{
    cursor c;
    bool ok;
    bool seen_map = false;
    bool more;
    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    c.buf = buf;
    c.len = len;
    c.err = err;
    c.err_len = err_len;
    ok = expect(&c, (uint8_t)'{', "the index must be a JSON object");
    more = ok && (peek(&c) != '}');
    if (ok && !more) {
        c.pos++;
    }
    while (ok && more) {
        uint8_t *key = NULL;
        uint32_t key_len = 0u;
        ok = read_string(&c, &key, &key_len) && expect(&c, (uint8_t)':', "expected ':'");
        if (ok && (key_len == 10u) && (memcmp(key, "weight_map", 10u) == 0)) {
            if (seen_map) {
                ok = fail(&c, "weight_map given twice");
            } else {
                seen_map = true;
                ok = read_weight_map(&c, dir, out);
            }
        } else if (ok) {
            ok = skip_value(&c);
        } else {
            /* failed: reported */
        }
        free(key);
        if (ok) {
            if (peek(&c) == ',') {
                c.pos++;
            } else {
                more = false;
                ok = expect(&c, (uint8_t)'}', "expected ',' or '}'");
            }
        }
    }
    if (ok && (peek(&c) != -1)) {
        ok = fail(&c, "text after the index object");
    }
    if (ok && !seen_map) {
        ok = fail(&c, "no weight_map");
    }
    if (!ok) {
        st_index_free(out);
    }
    return ok;
}

bool st_index_read(const char *path, st_index *out, char *err, size_t err_len)
{
    bool ok = false;
    struct stat sb;
    uint8_t *buf = NULL;
    char *dir = NULL;
    const char *slash = strrchr(path, '/');
    size_t dl = (slash != NULL) ? (size_t)(slash - path) + 1u : 0u;
    size_t n = 0u;
    size_t done = 0u;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    memset(out, 0, sizeof *out);
    if (fd < 0) {
        st_backend_msg(err, err_len, "%s: open: %s", path, strerror(errno));
    } else if ((fstat(fd, &sb) != 0) || !S_ISREG(sb.st_mode)) {
        st_backend_msg(err, err_len, "%s: not a regular file", path);
    } else if ((sb.st_size < 0) || ((uint64_t)sb.st_size > (uint64_t)ST_INDEX_SIZE_MAX)) {
        st_backend_msg(err, err_len, "%s: index larger than %zu bytes", path, ST_INDEX_SIZE_MAX);
    } else {
        n = (size_t)sb.st_size;
        buf = malloc((n > 0u) ? n : 1u);
        dir = malloc(dl + 1u);
        ok = (buf != NULL) && (dir != NULL);
        if (!ok) {
            st_backend_msg(err, err_len, "%s: out of memory", path);
        }
        while (ok && (done < n)) {
            ssize_t got = pread(fd, buf + done, n - done, (off_t)done);
            if (got > 0) {
                done += (size_t)got;
            } else if ((got < 0) && (errno == EINTR)) {
                /* retry */
            } else {
                st_backend_msg(err, err_len, "%s: read: %s", path,
                               (got == 0) ? "file shrank while being read" : strerror(errno));
                ok = false;
            }
        }
        if (ok) {
            char msg[ST_BACKEND_MSG_MAX];
            memcpy(dir, path, dl);
            dir[dl] = '\0';
            ok = st_index_parse(buf, n, dir, out, msg, sizeof msg);
            if (!ok) {
                st_backend_msg(err, err_len, "%s: %s", path, msg);
            }
        }
    }
    if (fd >= 0) {
        (void)close(fd);
    }
    free(buf);
    free(dir);
    return ok;
}

bool st_index_is_index_path(const char *path)
{
    size_t n = strlen(path);
    return (n >= 5u) && (strcmp(path + n - 5u, ".json") == 0);
}
