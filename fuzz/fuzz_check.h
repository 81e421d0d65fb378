/*
 * fuzz_check.h -- what every harness shares: the storage protocol and the
 * properties a parse result must have. Each harness is one .c file that
 * includes this header and defines LLVMFuzzerTestOneInput; the same file
 * builds for libFuzzer (clang -fsanitize=fuzzer) and for AFL++
 * (afl-clang-fast -fsanitize=fuzzer: persistent mode, shared-memory input).
 *
 * Storage protocol (tensorproof.h): parse once with empty storage, allocate
 * exactly the reported need (one malloc per array, so that AddressSanitizer
 * sees any write past an exact end), parse again. The harness also checks
 * that the figures are exact: one element less must be refused.
 *
 * A violated property prints one line naming it and calls abort(), which
 * both engines report as a crash.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensorproof.h"

#define FZ_REQUIRE(cond)                                                    \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fz_fail(#cond, __FILE__, __LINE__);                             \
        }                                                                   \
    } while (0)

static inline void fz_fail(const char *what, const char *file, int line)
{
    (void)fprintf(stderr, "%s:%d: property violated: %s\n", file, line, what);
    (void)fflush(stderr);
    abort();
}

/* ST-DTYPE-1, written out again here so that a slip in the core's table shows. */
static const uint32_t fz_dtype_bits[ST_DTYPE_COUNT] = {
    8u, 4u, 6u, 6u, 8u, 8u, 8u, 8u, 8u, 8u, 8u, 16u, 16u, 16u, 16u,
    32u, 32u, 32u, 64u, 64u, 64u, 64u
};

static const char *const fz_dtype_names[ST_DTYPE_COUNT] = {
    "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
    "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32",
    "C64", "F64", "I64", "U64"
};

/* The dtype table, against the one above; once per process (cheap, but a
 * table slip would otherwise show only on inputs that happen to use it). */
static inline void fz_check_dtype_table(void)
{
    static int done = 0;
    if (done) {
        return;
    }
    done = 1;
    for (uint32_t i = 0u; i < (uint32_t)ST_DTYPE_COUNT; i++) {
        st_dtype back = ST_DTYPE_COUNT;
        const char *name = st_dtype_name((st_dtype)i);
        if (name == NULL || strcmp(name, fz_dtype_names[i]) != 0 ||
            st_dtype_bits((st_dtype)i) != fz_dtype_bits[i] ||
            !st_dtype_parse((const uint8_t *)fz_dtype_names[i],
                            (uint32_t)strlen(fz_dtype_names[i]), &back) ||
            back != (st_dtype)i) {
            (void)fprintf(stderr, "dtype %u (%s) disagrees with ST-DTYPE-1\n", i, fz_dtype_names[i]);
            fz_fail("dtype table", __FILE__, __LINE__);
        }
    }
    if (st_dtype_name(ST_DTYPE_COUNT) != NULL || st_dtype_bits(ST_DTYPE_COUNT) != 0u) {
        fz_fail("dtype table bounds", __FILE__, __LINE__);
    }
}

/* One parse with its own exactly sized storage. */
typedef struct fz_parse {
    const uint8_t *buf;
    uint64_t len;
    st_mode mode;
    st_err err;
    st_storage s;
    st_file f;
    st_diag d;
    st_need have;        /* what was allocated */
} fz_parse;

/* Independent UTF-8 check (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
static inline int fz_utf8_valid(const uint8_t *s, uint64_t n)
{
    uint64_t i = 0u;
    int ok = 1;
    while (ok && (i < n)) {
        uint8_t b = s[i];
        uint64_t more;
        uint32_t cp;
        uint32_t min;
        if (b < 0x80u) {
            i++;
            continue;
        }
        if ((b & 0xE0u) == 0xC0u) {
            more = 1u; cp = b & 0x1Fu; min = 0x80u;
        } else if ((b & 0xF0u) == 0xE0u) {
            more = 2u; cp = b & 0x0Fu; min = 0x800u;
        } else if ((b & 0xF8u) == 0xF0u) {
            more = 3u; cp = b & 0x07u; min = 0x10000u;
        } else {
            ok = 0;
            break;
        }
        if ((n - i) <= more) {
            ok = 0;
            break;
        }
        for (uint64_t k = 1u; k <= more; k++) {
            uint8_t cb = s[i + k];
            if ((cb & 0xC0u) != 0x80u) {
                ok = 0;
            }
            cp = (cp << 6) | (uint32_t)(cb & 0x3Fu);
        }
        if (ok && ((cp < min) || (cp > 0x10FFFFu) || ((cp >= 0xD800u) && (cp <= 0xDFFFu)))) {
            ok = 0;
        }
        i += more + 1u;
    }
    return ok;
}

static inline uint64_t fz_load64_le(const uint8_t *p)
{
    uint64_t v = 0u;
    for (int k = 7; k >= 0; k--) {
        v = (v << 8) | (uint64_t)p[k];
    }
    return v;
}

static inline void *fz_alloc(uint64_t count, size_t size)
{
    void *p = NULL;
    if (count != 0u) {
        p = malloc((size_t)count * size);
        FZ_REQUIRE(p != NULL);
    }
    return p;
}

static inline void fz_release(fz_parse *p)
{
    free(p->s.tensors);
    free(p->s.order);
    free(p->s.by_name);
    free(p->s.dims);
    free(p->s.meta);
    free(p->s.meta_order);
    free(p->s.arena);
    memset(&p->s, 0, sizeof p->s);
    memset(&p->have, 0, sizeof p->have);
}

static inline void fz_allocate(fz_parse *p, const st_need *need)
{
    fz_release(p);
    p->have = *need;
    p->s.tensors = (st_tensor *)fz_alloc(need->tensors, sizeof(st_tensor));
    p->s.order = (uint32_t *)fz_alloc(need->tensors, sizeof(uint32_t));
    p->s.by_name = (uint32_t *)fz_alloc(need->tensors, sizeof(uint32_t));
    p->s.tensor_cap = need->tensors;
    p->s.dims = (uint64_t *)fz_alloc(need->dims, sizeof(uint64_t));
    p->s.dim_cap = need->dims;
    p->s.meta = (st_meta *)fz_alloc(need->meta, sizeof(st_meta));
    p->s.meta_order = (uint32_t *)fz_alloc(need->meta, sizeof(uint32_t));
    p->s.meta_cap = need->meta;
    p->s.arena = (uint8_t *)fz_alloc(need->arena, 1u);
    p->s.arena_cap = need->arena;
}

static inline int fz_need_zero(const st_need *n)
{
    return (n->tensors == 0u) && (n->dims == 0u) && (n->meta == 0u) && (n->arena == 0u);
}

static inline int fz_need_equal(const st_need *a, const st_need *b)
{
    return (a->tensors == b->tensors) && (a->dims == b->dims) && (a->meta == b->meta) &&
           (a->arena == b->arena);
}

/* Address helpers: is [p, p+n) inside [base, base+len)? */
static inline int fz_inside(const void *p, uint64_t n, const void *base, uint64_t len)
{
    uintptr_t a = (uintptr_t)p;
    uintptr_t b = (uintptr_t)base;
    return (base != NULL) && (p != NULL) && (a >= b) && ((uint64_t)(a - b) <= len) &&
           (n <= (len - (uint64_t)(a - b)));
}

static inline const uint8_t *fz_header(const fz_parse *p)
{
    return p->buf + ST_PREFIX_LEN;
}

/* A decoded string: in the header (then it had no escapes and sits between
 * the quotes of the token at `pos`) or in the arena. Valid UTF-8 either way. */
static inline void fz_check_string(const fz_parse *p, const uint8_t *s, uint32_t n, int has_pos,
                            uint32_t pos)
{
    uint64_t hlen = p->f.header_len;
    FZ_REQUIRE(s != NULL);
    if (fz_inside(s, n, fz_header(p), hlen)) {
        uint64_t at = (uint64_t)((uintptr_t)s - (uintptr_t)fz_header(p));
        FZ_REQUIRE(at >= 1u);
        FZ_REQUIRE(fz_header(p)[at - 1u] == (uint8_t)'"');
        FZ_REQUIRE(at + n < hlen);
        FZ_REQUIRE(fz_header(p)[at + n] == (uint8_t)'"');
        for (uint32_t k = 0u; k < n; k++) {
            FZ_REQUIRE(s[k] != (uint8_t)'\\');
            FZ_REQUIRE(s[k] != (uint8_t)'"');
            FZ_REQUIRE(s[k] >= 0x20u);
        }
        if (has_pos) {
            FZ_REQUIRE(at == (uint64_t)pos + 1u);
        }
    } else {
        FZ_REQUIRE(fz_inside(s, n, p->s.arena, p->have.arena));
        if (has_pos) {
            FZ_REQUIRE(pos < hlen);
            FZ_REQUIRE(fz_header(p)[pos] == (uint8_t)'"');
        }
    }
    FZ_REQUIRE(fz_utf8_valid(s, n));
}

static inline int fz_bytes_cmp(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn)
{
    uint32_t n = (an < bn) ? an : bn;
    int c = (n == 0u) ? 0 : memcmp(a, b, n);
    if (c == 0 && an != bn) {
        c = (an < bn) ? -1 : 1;
    }
    return c;
}

/* The properties of an accepted file (spec section "Guarantees"). */
static inline void fz_check_accepted(const fz_parse *p)
{
    const st_file *f = &p->f;
    const st_storage *s = &p->s;
    uint64_t n = fz_load64_le(p->buf);
    uint64_t running = 0u;
    const st_tensor *prev_name = NULL;

    FZ_REQUIRE(p->d.code == ST_OK);
    FZ_REQUIRE(f->buf == p->buf && f->len == p->len && f->mode == p->mode);
    FZ_REQUIRE(f->header_len == n && n <= ST_HEADER_MAX);
    FZ_REQUIRE(p->len >= ST_PREFIX_LEN + n);
    FZ_REQUIRE(f->data_len == p->len - ST_PREFIX_LEN - n);
    FZ_REQUIRE(fz_utf8_valid(fz_header(p), n));
    FZ_REQUIRE(f->n_tensors <= f->n_entries && f->n_entries <= p->have.tensors);
    FZ_REQUIRE(f->n_meta <= f->n_meta_entries && f->n_meta_entries <= p->have.meta);
    FZ_REQUIRE(f->has_metadata || (f->n_meta_entries == 0u));
    FZ_REQUIRE(st_tensor_at(f, f->n_tensors) == NULL);
    FZ_REQUIRE(st_meta_at(f, f->n_meta) == NULL);
    FZ_REQUIRE(st_find(f, (const uint8_t *)"__metadata__", 12u) == NULL);

    if (p->mode == ST_MODE_STRICT) {
        uint64_t end = n;
        /* ST-STRICT-1..4: no leading whitespace, space padding only, no duplicates */
        FZ_REQUIRE(n >= 2u && fz_header(p)[0] == (uint8_t)'{');
        while (end > 0u && fz_header(p)[end - 1u] == 0x20u) {
            end--;
        }
        FZ_REQUIRE(end > 0u && fz_header(p)[end - 1u] == (uint8_t)'}');
        FZ_REQUIRE(f->n_tensors == f->n_entries);
        FZ_REQUIRE(f->n_meta == f->n_meta_entries);
    }

    /* the layout predicate, in offset order */
    for (uint32_t i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        uint64_t nelem = 1u;
        uint64_t bits;
        uint64_t size = 0u;
        const uint8_t *data;
        FZ_REQUIRE(t != NULL);
        FZ_REQUIRE(fz_inside(t, sizeof *t, s->tensors, (uint64_t)f->n_entries * sizeof *t));
        FZ_REQUIRE(!t->dropped);
        FZ_REQUIRE(t->dtype < ST_DTYPE_COUNT);
        FZ_REQUIRE(t->begin == running);
        FZ_REQUIRE(t->end >= t->begin);
        FZ_REQUIRE(t->end <= f->data_len);
        FZ_REQUIRE(t->key_pos < n && t->offsets_pos < n);
        FZ_REQUIRE(t->dims_at <= p->have.dims && t->rank <= p->have.dims - t->dims_at);
        for (uint32_t d = 0u; d < t->rank; d++) {
            uint64_t dim = st_dim(f, t, d);
            FZ_REQUIRE(dim == s->dims[t->dims_at + d]);
            FZ_REQUIRE(dim == 0u || nelem <= UINT64_MAX / dim);
            nelem *= dim;
        }
        FZ_REQUIRE(st_dim(f, t, t->rank) == 0u);
        FZ_REQUIRE(st_tensor_nelem(f, t) == nelem);
        bits = fz_dtype_bits[t->dtype];
        FZ_REQUIRE(st_dtype_bits((st_dtype)t->dtype) == bits);
        FZ_REQUIRE(nelem == 0u || bits <= UINT64_MAX / nelem);
        FZ_REQUIRE((nelem * bits) % 8u == 0u);
        FZ_REQUIRE(t->end - t->begin == (nelem * bits) / 8u);
        data = st_tensor_data(f, t, &size);
        FZ_REQUIRE(size == t->end - t->begin);
        FZ_REQUIRE(data == p->buf + ST_PREFIX_LEN + n + t->begin);
        FZ_REQUIRE(fz_inside(data, size, p->buf + ST_PREFIX_LEN + n, f->data_len));
        running = t->end;

        /* names decoded, found by lookup, pointing at this very entry */
        fz_check_string(p, t->name, t->name_len, 1, t->key_pos);
        FZ_REQUIRE(st_find(f, t->name, t->name_len) == t);
        {
            const char *dn = st_dtype_name((st_dtype)t->dtype);
            st_dtype back = ST_DTYPE_COUNT;
            FZ_REQUIRE(dn != NULL);
            FZ_REQUIRE(st_dtype_parse((const uint8_t *)dn, (uint32_t)strlen(dn), &back));
            FZ_REQUIRE(back == (st_dtype)t->dtype);
        }
        if (i > 0u) {
            /* offset order is (begin, end, name) */
            const st_tensor *q = st_tensor_at(f, i - 1u);
            FZ_REQUIRE(q->begin < t->begin ||
                       (q->begin == t->begin &&
                        (q->end < t->end ||
                         (q->end == t->end &&
                          fz_bytes_cmp(q->name, q->name_len, t->name, t->name_len) < 0))));
        }
    }
    FZ_REQUIRE(running == f->data_len);

    /* the name index: strictly increasing, so names are unique */
    for (uint32_t i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t;
        FZ_REQUIRE(s->by_name[i] < f->n_entries);
        t = &s->tensors[s->by_name[i]];
        FZ_REQUIRE(!t->dropped);
        if (prev_name != NULL) {
            FZ_REQUIRE(fz_bytes_cmp(prev_name->name, prev_name->name_len, t->name,
                                    t->name_len) < 0);
        }
        prev_name = t;
    }

    /* metadata: keys strictly increasing, strings decoded */
    for (uint32_t i = 0u; i < f->n_meta; i++) {
        const st_meta *m = st_meta_at(f, i);
        FZ_REQUIRE(m != NULL);
        FZ_REQUIRE(!m->dropped);
        FZ_REQUIRE(m->key_pos < n);
        fz_check_string(p, m->key, m->key_len, 1, m->key_pos);
        fz_check_string(p, m->value, m->value_len, 0, 0u);
        if (i > 0u) {
            const st_meta *q = st_meta_at(f, i - 1u);
            FZ_REQUIRE(fz_bytes_cmp(q->key, q->key_len, m->key, m->key_len) < 0);
        }
    }
}

/* The properties of a refusal. */
static inline void fz_check_refused(const fz_parse *p)
{
    const st_diag *d = &p->d;
    FZ_REQUIRE(d->code == p->err);
    FZ_REQUIRE(p->err != ST_OK && p->err != ST_E_STORAGE && p->err != ST_E_ARGUMENT);
    FZ_REQUIRE(strcmp(st_error_name(p->err), "ST_E_UNKNOWN") != 0);
    FZ_REQUIRE(st_error_message(p->err) != NULL && st_error_rule(p->err) != NULL);
    FZ_REQUIRE(p->f.n_tensors == 0u && p->f.n_meta == 0u);
    FZ_REQUIRE(d->offset <= p->len);
    if (p->mode == ST_MODE_COMPAT) {
        /* compat refuses only what the reference refuses */
        FZ_REQUIRE(st_error_reference_kind(p->err) != NULL);
    }
    /* ST-LAYOUT-1..3 and ST-UTF8-1, recomputed */
    FZ_REQUIRE((p->len < ST_PREFIX_LEN) == (p->err == ST_E_FILE_TOO_SMALL));
    if (p->len >= ST_PREFIX_LEN) {
        uint64_t n = fz_load64_le(p->buf);
        FZ_REQUIRE((n > ST_HEADER_MAX) == (p->err == ST_E_HEADER_TOO_LARGE));
        if (n <= ST_HEADER_MAX) {
            int trunc = (p->len - ST_PREFIX_LEN) < n;
            FZ_REQUIRE(trunc == (p->err == ST_E_HEADER_TRUNCATED));
            if (!trunc) {
                FZ_REQUIRE(fz_utf8_valid(fz_header(p), n) == (p->err != ST_E_UTF8));
                if (d->name != NULL) {
                    FZ_REQUIRE(fz_inside(d->name, d->name_len, fz_header(p), n) ||
                               fz_inside(d->name, d->name_len, p->s.arena, p->have.arena));
                }
            }
        }
    }
}

static inline st_err fz_call(fz_parse *p)
{
    p->err = st_parse(p->buf, p->len, p->mode, &p->s, &p->f, &p->d);
    return p->err;
}

/*
 * Parse buf[0..len) in `mode` following the storage protocol and check the
 * result's properties. The caller releases with fz_release().
 */
static inline st_err fz_parse_checked(fz_parse *p, const uint8_t *buf, uint64_t len, st_mode mode)
{
    st_need need;
    fz_check_dtype_table();
    memset(p, 0, sizeof *p);
    p->buf = buf;
    p->len = len;
    p->mode = mode;

    (void)fz_call(p);                       /* 1: measure with empty storage */
    need = p->d.need;
    if (p->err == ST_E_STORAGE) {
        st_err first;
        st_diag d1;
        FZ_REQUIRE(!fz_need_zero(&need));
        /* exactness: one element less in one non-zero figure is refused */
        {
            st_need less = need;
            uint32_t *fig[4] = {&less.tensors, &less.dims, &less.meta, &less.arena};
            uint32_t pick = (uint32_t)(len % 4u);
            for (uint32_t k = 0u; k < 4u; k++) {
                uint32_t *x = fig[(pick + k) % 4u];
                if (*x != 0u) {
                    (*x)--;
                    break;
                }
            }
            fz_allocate(p, &less);
            FZ_REQUIRE(fz_call(p) == ST_E_STORAGE);
            FZ_REQUIRE(fz_need_equal(&p->d.need, &need));
        }
        fz_allocate(p, &need);              /* 2: exact storage */
        first = fz_call(p);
        d1 = p->d;
        FZ_REQUIRE(first != ST_E_STORAGE);
        FZ_REQUIRE(fz_need_equal(&d1.need, &need));
    } else if (p->err == ST_OK) {
        FZ_REQUIRE(fz_need_zero(&need));
    } else if (!fz_need_zero(&need)) {
        /* a refusal found while measuring does not depend on the storage */
        st_diag d0 = p->d;
        st_err e0 = p->err;
        fz_allocate(p, &need);
        FZ_REQUIRE(fz_call(p) == e0);
        FZ_REQUIRE(p->d.offset == d0.offset);
    } else {
        /* refused with nothing to store */
    }

    if (p->err == ST_OK) {
        fz_check_accepted(p);
    } else {
        fz_check_refused(p);
    }
    return p->err;
}

/* Two accepted files describe the same table. */
static inline void fz_require_same_table(const st_file *a, const st_file *b)
{
    FZ_REQUIRE(a->n_tensors == b->n_tensors);
    FZ_REQUIRE(a->n_meta == b->n_meta);
    FZ_REQUIRE(a->has_metadata == b->has_metadata);
    for (uint32_t i = 0u; i < a->n_tensors; i++) {
        const st_tensor *x = st_tensor_at(a, i);
        const st_tensor *y = st_tensor_at(b, i);
        FZ_REQUIRE(fz_bytes_cmp(x->name, x->name_len, y->name, y->name_len) == 0);
        FZ_REQUIRE(x->dtype == y->dtype);
        FZ_REQUIRE(x->rank == y->rank);
        FZ_REQUIRE(x->begin == y->begin && x->end == y->end);
        for (uint32_t d = 0u; d < x->rank; d++) {
            FZ_REQUIRE(st_dim(a, x, d) == st_dim(b, y, d));
        }
    }
    for (uint32_t i = 0u; i < a->n_meta; i++) {
        const st_meta *x = st_meta_at(a, i);
        const st_meta *y = st_meta_at(b, i);
        FZ_REQUIRE(fz_bytes_cmp(x->key, x->key_len, y->key, y->key_len) == 0);
        FZ_REQUIRE(fz_bytes_cmp(x->value, x->value_len, y->value, y->value_len) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FUZZ_CHECK_H */
