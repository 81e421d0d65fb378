/*
 * unit_support.c -- file builders, the storage protocol, the generic checks
 * and the two-mode expectations used by every unit test (see unit.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char ut_anyname[] = "<any>";

/* Inputs longer than this skip the repeated storage-protocol parses. */
#define UT_PROTOCOL_MAX_LEN (4u * 1024u * 1024u)
/* Inputs longer than this are not written for the oracle. */
#define UT_ORACLE_MAX_LEN (2u * 1024u * 1024u)

/* ------------------------------------------------------------------ */
/* building files                                                      */

static void *ut_xmalloc(size_t n)
{
    void *p = malloc((n == 0u) ? 1u : n);
    if (p == NULL) {
        cr_assert_fail("out of memory (%zu bytes)", n);
    }
    return p;
}

uint8_t ut_data_byte(uint64_t i)
{
    return (uint8_t)(((i * 131u) + 7u) & 0xFFu);
}

static void ut_store64_le(uint8_t *p, uint64_t v)
{
    unsigned k;
    for (k = 0u; k < 8u; k++) {
        p[k] = (uint8_t)(v >> (8u * k));
    }
}

static uint64_t ut_load64_le(const uint8_t *p)
{
    uint64_t v = 0u;
    unsigned k;
    for (k = 0u; k < 8u; k++) {
        v |= (uint64_t)p[k] << (8u * k);
    }
    return v;
}

uint8_t *ut_build(const char *hdr, size_t hlen, uint64_t data_len, uint64_t *len)
{
    uint64_t total = 8u + (uint64_t)hlen + data_len;
    uint8_t *p;
    uint64_t i;
    cr_assert(total < ((uint64_t)1 << 31), "test file too large");
    p = ut_xmalloc((size_t)total);
    ut_store64_le(p, (uint64_t)hlen);
    if (hlen > 0u) {
        memcpy(&p[8], hdr, hlen);
    }
    for (i = 0u; i < data_len; i++) {
        p[8u + hlen + i] = ut_data_byte(i);
    }
    *len = total;
    return p;
}

uint8_t *ut_buildz(const char *hdr, uint64_t data_len, uint64_t *len)
{
    return ut_build(hdr, strlen(hdr), data_len, len);
}

uint8_t *ut_build_raw(uint64_t n, const void *rest, size_t rlen, uint64_t *len)
{
    uint8_t *p = ut_xmalloc(8u + rlen);
    ut_store64_le(p, n);
    if (rlen > 0u) {
        memcpy(&p[8], rest, rlen);
    }
    *len = 8u + (uint64_t)rlen;
    return p;
}

uint64_t ut_at(const char *hdr, size_t hlen, const char *needle, size_t nlen, unsigned k)
{
    size_t i;
    unsigned seen = 0u;
    for (i = 0u; (nlen <= hlen) && (i <= (hlen - nlen)); i++) {
        if (memcmp(&hdr[i], needle, nlen) == 0) {
            if (seen == k) {
                return 8u + (uint64_t)i;
            }
            seen++;
        }
    }
    cr_assert_fail("test bug: '%.*s' occurs fewer than %u+1 times in the header",
                   (int)nlen, needle, k);
    return 0u;
}

void ut_text_bytes(ut_text *t, const void *p, size_t n)
{
    if ((t->n + n + 1u) > t->cap) {
        size_t cap = (t->cap == 0u) ? 256u : t->cap;
        char *q;
        while ((t->n + n + 1u) > cap) {
            cap *= 2u;
        }
        q = realloc(t->p, cap);
        cr_assert_not_null(q, "out of memory");
        t->p = q;
        t->cap = cap;
    }
    if (n > 0u) {
        memcpy(&t->p[t->n], p, n);
    }
    t->n += n;
    t->p[t->n] = '\0';
}

void ut_text_add(ut_text *t, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    cr_assert((n >= 0) && ((size_t)n < sizeof small), "ut_text_add: piece too long");
    ut_text_bytes(t, small, (size_t)n);
}

void ut_text_free(ut_text *t)
{
    free(t->p);
    t->p = NULL;
    t->n = 0u;
    t->cap = 0u;
}

uint64_t ut_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* ------------------------------------------------------------------ */
/* storage                                                             */

/* Canary bytes placed right after every array of a storage. */
#define UT_CANARY 0xA5u
#define UT_CANARY_LEN 64u

static void *ut_array(uint32_t n, size_t elem)
{
    uint8_t *p;
    if (n == 0u) {
        return NULL;
    }
    p = ut_xmalloc(((size_t)n * elem) + UT_CANARY_LEN);
    memset(p, 0x5A, (size_t)n * elem);
    memset(&p[(size_t)n * elem], UT_CANARY, UT_CANARY_LEN);
    return p;
}

static bool ut_canary_intact(const void *arr, uint32_t n, size_t elem)
{
    const uint8_t *p = arr;
    size_t k;
    if (p == NULL) {
        return true;
    }
    for (k = 0u; k < UT_CANARY_LEN; k++) {
        if (p[((size_t)n * elem) + k] != UT_CANARY) {
            return false;
        }
    }
    return true;
}

/* Storage with the given capacities (each array allocated to its capacity). */
static void ut_storage_alloc(st_storage *s, const st_need *cap)
{
    memset(s, 0, sizeof *s);
    s->tensor_cap = cap->tensors;
    s->tensors = ut_array(cap->tensors, sizeof(st_tensor));
    s->order = ut_array(cap->tensors, sizeof(uint32_t));
    s->by_name = ut_array(cap->tensors, sizeof(uint32_t));
    s->dim_cap = cap->dims;
    s->dims = ut_array(cap->dims, sizeof(uint64_t));
    s->meta_cap = cap->meta;
    s->meta = ut_array(cap->meta, sizeof(st_meta));
    s->meta_order = ut_array(cap->meta, sizeof(uint32_t));
    s->arena_cap = cap->arena;
    s->arena = ut_array(cap->arena, 1u);
}

static bool ut_storage_intact(const st_storage *s)
{
    return ut_canary_intact(s->tensors, s->tensor_cap, sizeof(st_tensor)) &&
           ut_canary_intact(s->order, s->tensor_cap, sizeof(uint32_t)) &&
           ut_canary_intact(s->by_name, s->tensor_cap, sizeof(uint32_t)) &&
           ut_canary_intact(s->dims, s->dim_cap, sizeof(uint64_t)) &&
           ut_canary_intact(s->meta, s->meta_cap, sizeof(st_meta)) &&
           ut_canary_intact(s->meta_order, s->meta_cap, sizeof(uint32_t)) &&
           ut_canary_intact(s->arena, s->arena_cap, 1u);
}

static void ut_storage_free(st_storage *s)
{
    free(s->tensors);
    free(s->order);
    free(s->by_name);
    free(s->dims);
    free(s->meta);
    free(s->meta_order);
    free(s->arena);
    memset(s, 0, sizeof *s);
}

static bool ut_need_eq(const st_need *a, const st_need *b)
{
    return (a->tensors == b->tensors) && (a->dims == b->dims) && (a->meta == b->meta) &&
           (a->arena == b->arena);
}

/* ------------------------------------------------------------------ */
/* generic checks                                                      */

static bool ut_in(const void *p, const void *lo, uint64_t n)
{
    const uint8_t *q = p;
    const uint8_t *l = lo;
    return (l != NULL) && (q >= l) && (q <= (l + n));
}

/* A decoded string lies wholly in the header or wholly in the arena. */
static void ut_check_string_home(const char *where, const ut_result *r, const uint8_t *p,
                                 uint32_t n, const char *what)
{
    uint64_t hlen = r->f.header_len;
    bool in_header = ut_in(p, &r->buf[8], hlen) && ut_in(p + n, &r->buf[8], hlen);
    bool in_arena = ut_in(p, r->s.arena, r->s.arena_cap) &&
                    ut_in(p + n, r->s.arena, r->s.arena_cap);
    cr_assert((p != NULL) || (n == 0u), "%s: %s pointer is NULL", where, what);
    cr_assert((p == NULL) || in_header || in_arena,
              "%s: %s does not point into the header or the arena", where, what);
}

/* A stored name's position (what the sorts, the duplicate checks and
   st_find read) names the same bytes as its pointer, inside its base. */
static void ut_check_position(const char *where, const ut_result *r, const uint8_t *p,
                              uint32_t n, uint32_t start, bool in_arena, const char *what)
{
    const uint8_t *base = in_arena ? r->s.arena : &r->buf[8];
    uint64_t base_len = in_arena ? r->s.arena_cap : r->f.header_len;
    cr_assert((uint64_t)start + n <= base_len, "%s: %s position %u+%u outside its base (%llu)",
              where, what, start, n, (unsigned long long)base_len);
    cr_assert((n == 0u) || (p == base + start), "%s: %s position and pointer differ", where,
              what);
}

static int ut_cmp_bytes(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn)
{
    uint32_t n = (an < bn) ? an : bn;
    int c = (n == 0u) ? 0 : memcmp(a, b, n);
    if (c != 0) {
        return (c < 0) ? -1 : 1;
    }
    if (an != bn) {
        return (an < bn) ? -1 : 1;
    }
    return 0;
}

/* (begin, end, name) order of two live tensors. */
static int ut_cmp_offset_order(const st_tensor *a, const st_tensor *b)
{
    if (a->begin != b->begin) {
        return (a->begin < b->begin) ? -1 : 1;
    }
    if (a->end != b->end) {
        return (a->end < b->end) ? -1 : 1;
    }
    return ut_cmp_bytes(a->name, a->name_len, b->name, b->name_len);
}

/* Checked product of a tensor's dims; false on overflow. */
static bool ut_nelem(const ut_result *r, const st_tensor *t, uint64_t *out)
{
    uint64_t n = 1u;
    uint32_t d;
    for (d = 0u; d < t->rank; d++) {
        uint64_t v = st_dim(&r->f, t, d);
        if ((v != 0u) && (n > (UINT64_MAX / v))) {
            return false;
        }
        n *= v;
    }
    *out = n;
    return true;
}

/* The layout guarantees of an accepted file (tensorproof.h, st_parse). */
static void ut_check_guarantees(const char *where, const ut_result *r)
{
    const st_file *f = &r->f;
    uint64_t n = ut_load64_le(r->buf);
    uint64_t running = 0u;
    const st_tensor *prev = NULL;
    const st_meta *mprev = NULL;
    uint32_t i;
    uint32_t dropped = 0u;
    uint32_t mdropped = 0u;

    cr_assert(f->buf == r->buf, "%s: st_file.buf", where);
    cr_assert(f->len == r->len, "%s: st_file.len", where);
    cr_assert(f->header_len == n, "%s: header_len %llu, prefix says %llu", where,
              (unsigned long long)f->header_len, (unsigned long long)n);
    cr_assert(f->data_len == (r->len - 8u - n), "%s: data_len", where);
    cr_assert(f->n_tensors <= f->n_entries, "%s: more live tensors than entries", where);
    cr_assert(f->n_meta <= f->n_meta_entries, "%s: more live metadata than entries", where);
    cr_assert(f->has_metadata || (f->n_meta == 0u), "%s: metadata pairs without metadata", where);

    for (i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        uint64_t nelem = 0u;
        uint64_t size = 0u;
        uint32_t bits;
        const uint8_t *data;
        cr_assert_not_null(t, "%s: st_tensor_at(%u) is NULL", where, i);
        cr_assert(!t->dropped, "%s: live tensor %u marked dropped", where, i);
        cr_assert(t->dtype < (uint8_t)ST_DTYPE_COUNT, "%s: dtype out of range", where);
        cr_assert(t->rank <= r->need.dims, "%s: rank beyond the dims needed", where);
        cr_assert(t->begin == running, "%s: tensor %u begins at %llu, running end %llu", where,
                  i, (unsigned long long)t->begin, (unsigned long long)running);
        cr_assert(t->end >= t->begin, "%s: tensor %u ends before it begins", where, i);
        running = t->end;
        cr_assert(ut_nelem(r, t, &nelem), "%s: accepted tensor %u overflows", where, i);
        cr_assert(st_tensor_nelem(f, t) == nelem, "%s: st_tensor_nelem", where);
        bits = st_dtype_bits((st_dtype)t->dtype);
        cr_assert((nelem == 0u) || (bits <= (UINT64_MAX / nelem)), "%s: bit overflow", where);
        cr_assert(((nelem * bits) % 8u) == 0u, "%s: accepted misaligned tensor", where);
        cr_assert((t->end - t->begin) == ((nelem * bits) / 8u), "%s: size mismatch", where);
        data = st_tensor_data(f, t, &size);
        cr_assert(size == (t->end - t->begin), "%s: st_tensor_data size", where);
        cr_assert(data == &r->buf[8u + n + t->begin], "%s: st_tensor_data pointer", where);
        cr_assert((data >= &r->buf[8u + n]) && ((uint64_t)(data - r->buf) + size <= r->len),
                  "%s: tensor data outside the data section", where);
        ut_check_string_home(where, r, t->name, t->name_len, "tensor name");
        ut_check_position(where, r, t->name, t->name_len, t->name_start, t->name_in_arena,
                          "tensor name");
        if (prev != NULL) {
            cr_assert(ut_cmp_offset_order(prev, t) < 0,
                      "%s: tensors %u and %u not in (begin, end, name) order", where, i - 1u, i);
        }
        cr_assert(st_find(f, t->name, t->name_len) == t,
                  "%s: st_find does not find live tensor %u", where, i);
        prev = t;
    }
    cr_assert(running == f->data_len, "%s: tensors end at %llu, data section has %llu", where,
              (unsigned long long)running, (unsigned long long)f->data_len);
    cr_assert_null(st_tensor_at(f, f->n_tensors), "%s: st_tensor_at past the end", where);
    if (r->s.tensors != NULL) {
        for (i = 0u; i < f->n_entries; i++) {
            dropped += r->s.tensors[i].dropped ? 1u : 0u;
        }
    }
    cr_assert(dropped == (f->n_entries - f->n_tensors), "%s: %u dropped, %u entries, %u live",
              where, dropped, f->n_entries, f->n_tensors);

    for (i = 0u; i < f->n_meta; i++) {
        const st_meta *m = st_meta_at(f, i);
        cr_assert_not_null(m, "%s: st_meta_at(%u) is NULL", where, i);
        cr_assert(!m->dropped, "%s: live metadata %u marked dropped", where, i);
        ut_check_string_home(where, r, m->key, m->key_len, "metadata key");
        ut_check_position(where, r, m->key, m->key_len, m->key_start, m->key_in_arena,
                          "metadata key");
        ut_check_string_home(where, r, m->value, m->value_len, "metadata value");
        if (mprev != NULL) {
            cr_assert(ut_cmp_bytes(mprev->key, mprev->key_len, m->key, m->key_len) < 0,
                      "%s: metadata %u and %u not in strict key order", where, i - 1u, i);
        }
        mprev = m;
    }
    cr_assert_null(st_meta_at(f, f->n_meta), "%s: st_meta_at past the end", where);
    if (r->s.meta != NULL) {
        for (i = 0u; i < f->n_meta_entries; i++) {
            mdropped += r->s.meta[i].dropped ? 1u : 0u;
        }
    }
    cr_assert(mdropped == (f->n_meta_entries - f->n_meta), "%s: metadata dropped count", where);
}

/* Outcome of one st_parse call with a given storage. */
typedef struct ut_run {
    st_err rc;
    st_diag d;
    st_file f;
} ut_run;

static void ut_run_with(ut_run *o, const uint8_t *buf, uint64_t len, st_mode mode,
                        const st_storage *s)
{
    memset(o, 0, sizeof *o);
    o->rc = st_parse(buf, len, mode, s, &o->f, &o->d);
}

/* Header length of the file, when the prefix is there. */
static uint64_t ut_header_len(const uint8_t *buf, uint64_t len)
{
    return (len >= 8u) ? ut_load64_le(buf) : 0u;
}

static void ut_check_diag_common(const char *where, const ut_result *r)
{
    if (r->rc == ST_OK) {
        return;
    }
    cr_assert(r->diag.code == r->rc, "%s: diag.code %d != returned %d", where,
              (int)r->diag.code, (int)r->rc);
    cr_assert(r->diag.offset <= r->len, "%s: diag.offset %llu beyond the file (%llu)", where,
              (unsigned long long)r->diag.offset, (unsigned long long)r->len);
    cr_assert(r->f.n_tensors == 0u && r->f.n_meta == 0u, "%s: failed parse exposes a table",
              where);
    cr_assert_null(st_tensor_at(&r->f, 0u), "%s: failed parse: st_tensor_at(0)", where);
    cr_assert_null(st_meta_at(&r->f, 0u), "%s: failed parse: st_meta_at(0)", where);
    if (r->diag.name != NULL) {
        uint64_t hlen = ut_header_len(r->buf, r->len);
        bool in_header = ut_in(r->diag.name, &r->buf[8], hlen) &&
                         ut_in(r->diag.name + r->diag.name_len, &r->buf[8], hlen);
        bool in_arena = ut_in(r->diag.name, r->s.arena, r->s.arena_cap) &&
                        ut_in(r->diag.name + r->diag.name_len, r->s.arena, r->s.arena_cap);
        cr_assert(in_header || in_arena, "%s: diag.name points outside header and arena", where);
    }
}

static void ut_parse_one(const char *where, ut_result *r, const uint8_t *buf, uint64_t len,
                         st_mode mode)
{
    st_storage empty;
    ut_run first;
    uint64_t hlen = ut_header_len(buf, len);
    bool small = len <= UT_PROTOCOL_MAX_LEN;

    memset(r, 0, sizeof *r);
    memset(&empty, 0, sizeof empty);
    r->buf = buf;
    r->len = len;
    ut_run_with(&first, buf, len, mode, &empty);
    cr_assert(first.d.code == first.rc, "%s: diag.code != returned code (measuring pass)", where);

    if (first.rc == ST_E_STORAGE) {
        st_need need = first.d.need;
        ut_run again;
        r->measured = true;
        r->need = need;
        cr_assert(need.tensors > 0u || need.dims > 0u || need.meta > 0u || need.arena > 0u,
                  "%s: ST_E_STORAGE with an all-zero need", where);
        /* documented bounds (tensorproof.h, st_storage) */
        cr_assert(need.tensors <= hlen / 6u, "%s: need.tensors %u > N/6", where, need.tensors);
        cr_assert(need.meta <= hlen / 6u, "%s: need.meta %u > N/6", where, need.meta);
        cr_assert(need.dims <= hlen / 2u, "%s: need.dims %u > N/2", where, need.dims);
        cr_assert(need.arena <= hlen, "%s: need.arena %u > N", where, need.arena);
        if (small) {
            /* one element less in any array is refused, with the same need */
            unsigned k;
            for (k = 0u; k < 4u; k++) {
                st_need less = need;
                st_storage s;
                uint32_t *field = (k == 0u) ? &less.tensors
                                : (k == 1u) ? &less.dims
                                : (k == 2u) ? &less.meta : &less.arena;
                if (*field == 0u) {
                    continue;
                }
                (*field)--;
                ut_storage_alloc(&s, &less);
                ut_run_with(&again, buf, len, mode, &s);
                cr_assert(again.rc == ST_E_STORAGE,
                          "%s: need minus one in array %u gives %s, not ST_E_STORAGE", where, k,
                          st_error_name(again.rc));
                cr_assert(ut_need_eq(&again.d.need, &need), "%s: need changed with storage",
                          where);
                cr_assert(ut_storage_intact(&s), "%s: write past a short storage", where);
                ut_storage_free(&s);
            }
        }
        ut_storage_alloc(&r->s, &need);
        ut_run_with(&again, buf, len, mode, &r->s);
        cr_assert(again.rc != ST_E_STORAGE, "%s: ST_E_STORAGE with exactly the need", where);
        cr_assert(ut_need_eq(&again.d.need, &need), "%s: need differs between passes", where);
        cr_assert(ut_storage_intact(&r->s), "%s: write past the exact storage", where);
        r->rc = again.rc;
        r->diag = again.d;
        r->f = again.f;
    } else {
        r->rc = first.rc;
        r->diag = first.d;
        r->f = first.f;
    }
    ut_check_diag_common(where, r);

    if (small) {
        /* a larger storage changes nothing */
        st_storage big;
        st_need cap = r->need;
        ut_run o;
        cap.tensors += 3u;
        cap.dims += 3u;
        cap.meta += 3u;
        cap.arena += 7u;
        ut_storage_alloc(&big, &cap);
        ut_run_with(&o, buf, len, mode, &big);
        cr_assert(o.rc == r->rc, "%s: larger storage gives %s instead of %s", where,
                  st_error_name(o.rc), st_error_name(r->rc));
        cr_assert(o.d.offset == r->diag.offset, "%s: larger storage moves diag.offset", where);
        cr_assert(o.d.name_len == r->diag.name_len, "%s: larger storage changes diag.name", where);
        cr_assert(ut_storage_intact(&big), "%s: write past a large storage", where);
        if ((o.rc == ST_OK) && (r->rc == ST_OK)) {
            ut_result tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.rc = o.rc;
            tmp.f = o.f;
            tmp.s = big;
            tmp.buf = buf;
            tmp.len = len;
            ut_same_table_(where, r, &tmp);
        }
        ut_storage_free(&big);
    }

    if (r->rc == ST_OK) {
        ut_check_guarantees(where, r);
    }
}

void ut_parse_(const char *where, ut_result *r, const uint8_t *buf, uint64_t len, st_mode mode)
{
    ut_parse_one(where, r, buf, len, mode);
    if ((mode == ST_MODE_STRICT) && (r->rc == ST_OK)) {
        /* strict accepts => compat accepts the same table */
        ut_result c;
        ut_parse_one(where, &c, buf, len, ST_MODE_COMPAT);
        cr_assert(c.rc == ST_OK, "%s: strict accepts, compat refuses with %s", where,
                  st_error_name(c.rc));
        ut_same_table_(where, r, &c);
        ut_result_free(&c);
    }
}

void ut_result_free(ut_result *r)
{
    ut_storage_free(&r->s);
}

/* ------------------------------------------------------------------ */
/* tables                                                              */

static bool ut_bytes_eq(const uint8_t *a, uint32_t an, const char *b, uint32_t bn)
{
    return (an == bn) && ((an == 0u) || (memcmp(a, b, an) == 0));
}

static void ut_check_miss(const char *where, const ut_result *r, const uint8_t *name,
                          uint32_t len, const char *what)
{
    const st_tensor *t = st_find(&r->f, name, len);
    cr_assert_null(t, "%s: st_find hit for %s", where, what);
}

void ut_check_table_(const char *where, const ut_result *r, const ut_table *exp)
{
    const st_file *f = &r->f;
    uint32_t i;
    cr_assert(r->rc == ST_OK, "%s: expected acceptance (mode %d), got %s at offset %llu", where,
              (int)f->mode, st_error_name(r->rc), (unsigned long long)r->diag.offset);
    cr_assert(f->n_tensors == exp->n, "%s: %u live tensors, expected %u", where, f->n_tensors,
              exp->n);
    for (i = 0u; i < exp->n; i++) {
        const ut_tensor *e = &exp->t[i];
        const st_tensor *t = st_tensor_at(f, i);
        uint8_t probe[512];
        uint64_t size = 0u;
        uint32_t d;
        cr_assert_not_null(t, "%s: tensor %u missing", where, i);
        cr_assert(ut_bytes_eq(t->name, t->name_len, e->name, e->name_len),
                  "%s: tensor %u is '%.*s', expected '%.*s'", where, i, (int)t->name_len,
                  (const char *)t->name, (int)e->name_len, e->name);
        cr_assert(t->dtype == (uint8_t)e->dtype, "%s: tensor %u dtype %s, expected %s", where, i,
                  st_dtype_name((st_dtype)t->dtype), st_dtype_name(e->dtype));
        cr_assert(t->rank == e->rank, "%s: tensor %u rank %u, expected %u", where, i, t->rank,
                  e->rank);
        for (d = 0u; d < e->rank; d++) {
            cr_assert(st_dim(f, t, d) == e->dims[d], "%s: tensor %u dim %u is %llu, expected %llu",
                      where, i, d, (unsigned long long)st_dim(f, t, d),
                      (unsigned long long)e->dims[d]);
        }
        cr_assert(t->begin == e->begin && t->end == e->end,
                  "%s: tensor %u offsets [%llu,%llu], expected [%llu,%llu]", where, i,
                  (unsigned long long)t->begin, (unsigned long long)t->end,
                  (unsigned long long)e->begin, (unsigned long long)e->end);
        cr_assert(st_tensor_data(f, t, &size) == &r->buf[8u + f->header_len + e->begin],
                  "%s: tensor %u data pointer", where, i);
        cr_assert(size == e->end - e->begin, "%s: tensor %u data size", where, i);
        cr_assert(st_find(f, (const uint8_t *)e->name, e->name_len) == t,
                  "%s: st_find('%.*s') does not return tensor %u", where, (int)e->name_len,
                  e->name, i);
        /* misses: 0xFF never occurs in a decoded name (valid UTF-8) */
        if (e->name_len + 1u <= sizeof probe) {
            memcpy(probe, e->name, e->name_len);
            probe[e->name_len] = 0xFFu;
            ut_check_miss(where, r, probe, e->name_len + 1u, "name + 0xFF");
            probe[0] = 0xFFu;
            memcpy(&probe[1], e->name, e->name_len);
            ut_check_miss(where, r, probe, e->name_len + 1u, "0xFF + name");
        }
    }
    cr_assert_null(st_tensor_at(f, exp->n), "%s: more tensors than expected", where);
    cr_assert(f->has_metadata == exp->has_metadata, "%s: has_metadata %d, expected %d", where,
              (int)f->has_metadata, (int)exp->has_metadata);
    cr_assert(f->n_meta == exp->nm, "%s: %u metadata pairs, expected %u", where, f->n_meta,
              exp->nm);
    for (i = 0u; i < exp->nm; i++) {
        const ut_meta *e = &exp->m[i];
        const st_meta *m = st_meta_at(f, i);
        cr_assert_not_null(m, "%s: metadata %u missing", where, i);
        cr_assert(ut_bytes_eq(m->key, m->key_len, e->key, e->key_len),
                  "%s: metadata %u key '%.*s', expected '%.*s'", where, i, (int)m->key_len,
                  (const char *)m->key, (int)e->key_len, e->key);
        cr_assert(ut_bytes_eq(m->value, m->value_len, e->value, e->value_len),
                  "%s: metadata %u value '%.*s', expected '%.*s'", where, i, (int)m->value_len,
                  (const char *)m->value, (int)e->value_len, e->value);
    }
    cr_assert_null(st_meta_at(f, exp->nm), "%s: more metadata than expected", where);
}

void ut_same_table_(const char *where, const ut_result *a, const ut_result *b)
{
    uint32_t i;
    cr_assert(a->rc == ST_OK && b->rc == ST_OK, "%s: comparing tables of failed parses", where);
    cr_assert(a->f.n_tensors == b->f.n_tensors, "%s: tables differ in tensor count (%u vs %u)",
              where, a->f.n_tensors, b->f.n_tensors);
    cr_assert(a->f.n_meta == b->f.n_meta, "%s: tables differ in metadata count", where);
    cr_assert(a->f.has_metadata == b->f.has_metadata, "%s: tables differ in has_metadata",
              where);
    cr_assert(a->f.header_len == b->f.header_len && a->f.data_len == b->f.data_len,
              "%s: tables differ in layout", where);
    for (i = 0u; i < a->f.n_tensors; i++) {
        const st_tensor *x = st_tensor_at(&a->f, i);
        const st_tensor *y = st_tensor_at(&b->f, i);
        uint64_t sx = 0u;
        uint64_t sy = 0u;
        uint32_t d;
        cr_assert(x != NULL && y != NULL, "%s: tensor %u missing", where, i);
        cr_assert(ut_cmp_bytes(x->name, x->name_len, y->name, y->name_len) == 0,
                  "%s: tensor %u names differ", where, i);
        cr_assert(x->dtype == y->dtype && x->rank == y->rank && x->begin == y->begin &&
                      x->end == y->end,
                  "%s: tensor %u differs", where, i);
        for (d = 0u; d < x->rank; d++) {
            cr_assert(st_dim(&a->f, x, d) == st_dim(&b->f, y, d), "%s: tensor %u dim %u differs",
                      where, i, d);
        }
        cr_assert(st_tensor_data(&a->f, x, &sx) == st_tensor_data(&b->f, y, &sy) && sx == sy,
                  "%s: tensor %u data differs", where, i);
    }
    for (i = 0u; i < a->f.n_meta; i++) {
        const st_meta *x = st_meta_at(&a->f, i);
        const st_meta *y = st_meta_at(&b->f, i);
        cr_assert(x != NULL && y != NULL, "%s: metadata %u missing", where, i);
        cr_assert(ut_cmp_bytes(x->key, x->key_len, y->key, y->key_len) == 0 &&
                      ut_cmp_bytes(x->value, x->value_len, y->value, y->value_len) == 0,
                  "%s: metadata %u differs", where, i);
    }
}

/* The reference error kind of each code (REFERENCE-FACTS, tensorproof.h):
   every failure a test expects is checked against this table. */
static const char *ut_kind_of(st_err e)
{
    const char *k = NULL;
    switch (e) {
    case ST_E_FILE_TOO_SMALL: k = "HeaderTooSmall"; break;
    case ST_E_HEADER_TOO_LARGE: k = "HeaderTooLarge"; break;
    case ST_E_HEADER_TRUNCATED: k = "InvalidHeaderLength"; break;
    case ST_E_UTF8: k = "InvalidHeader"; break;
    case ST_E_JSON_SYNTAX:
    case ST_E_JSON_STRING:
    case ST_E_JSON_NUMBER:
    case ST_E_JSON_DEPTH:
    case ST_E_JSON_TRAILING:
    case ST_E_SCHEMA_TOP:
    case ST_E_SCHEMA_ENTRY:
    case ST_E_SCHEMA_MISSING:
    case ST_E_SCHEMA_DUP_FIELD:
    case ST_E_SCHEMA_DTYPE:
    case ST_E_SCHEMA_INTEGER:
    case ST_E_SCHEMA_ARRAY:
    case ST_E_SCHEMA_METADATA:
    case ST_E_SCHEMA_DUP_METADATA: k = "InvalidHeaderDeserialization"; break;
    case ST_E_INVALID_OFFSET: k = "InvalidOffset"; break;
    case ST_E_OVERFLOW: k = "ValidationOverflow"; break;
    case ST_E_MISALIGNED: k = "MisalignedSlice"; break;
    case ST_E_SIZE_MISMATCH: k = "TensorInvalidInfo"; break;
    case ST_E_INCOMPLETE: k = "MetadataIncompleteBuffer"; break;
    default: k = NULL; break; /* strict-only refusals, API errors */
    }
    return k;
}

void ut_check_fail_(const char *where, const ut_result *r, const ut_fail *exp)
{
    const char *mode = (r->f.mode == ST_MODE_STRICT) ? "strict" : "compat";
    bool code_ok = (r->rc == exp->code) || ((exp->alt != ST_OK) && (r->rc == exp->alt));
    cr_assert(code_ok, "%s: %s mode gives %s (offset %llu), expected %s%s%s", where, mode,
              st_error_name(r->rc), (unsigned long long)r->diag.offset,
              st_error_name(exp->code), (exp->alt != ST_OK) ? " or " : "",
              (exp->alt != ST_OK) ? st_error_name(exp->alt) : "");
    cr_assert(r->diag.code == r->rc, "%s: %s diag.code", where, mode);
    ut_check_kind_(where, r->rc, ut_kind_of(r->rc));
    if (exp->alt != ST_OK) {
        const char *k1 = st_error_reference_kind(exp->code);
        const char *k2 = st_error_reference_kind(exp->alt);
        cr_assert(k1 != NULL && k2 != NULL && strcmp(k1, k2) == 0,
                  "%s: test bug: alternative codes of different kinds", where);
    }
    cr_assert(r->diag.offset >= exp->off_lo && r->diag.offset <= exp->off_hi,
              "%s: %s %s at offset %llu, expected %s%llu%s%llu%s", where, mode,
              st_error_name(r->rc), (unsigned long long)r->diag.offset,
              (exp->off_lo == exp->off_hi) ? "" : "[", (unsigned long long)exp->off_lo,
              (exp->off_lo == exp->off_hi) ? "" : ", ",
              (exp->off_lo == exp->off_hi) ? 0ull : (unsigned long long)exp->off_hi,
              (exp->off_lo == exp->off_hi) ? "" : "]");
    if (exp->name == UT_NONAME) {
        cr_assert_null(r->diag.name, "%s: %s diag.name is '%.*s', expected none", where, mode,
                       (int)r->diag.name_len, (const char *)r->diag.name);
    } else if (exp->name != UT_ANYNAME) {
        cr_assert(r->diag.name != NULL &&
                      ut_bytes_eq(r->diag.name, r->diag.name_len, exp->name, exp->name_len),
                  "%s: %s diag.name is '%.*s', expected '%.*s'", where, mode,
                  (int)r->diag.name_len,
                  (r->diag.name != NULL) ? (const char *)r->diag.name : "(null)",
                  (int)exp->name_len, exp->name);
    }
}

/* ------------------------------------------------------------------ */
/* oracle notes                                                        */

static uint64_t ut_fnv1a(const uint8_t *p, uint64_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    uint64_t i;
    for (i = 0u; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void ut_hex(ut_text *t, const uint8_t *p, uint32_t n)
{
    uint32_t i;
    if (n == 0u) {
        ut_text_add(t, "-");
    }
    for (i = 0u; i < n; i++) {
        ut_text_add(t, "%02x", p[i]);
    }
}

static void ut_write_atomic(const char *path, const void *p, size_t n)
{
    char tmp[4200];
    FILE *fp;
    (void)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    fp = fopen(tmp, "wb");
    cr_assert_not_null(fp, "oracle note: cannot write %s", tmp);
    cr_assert(fwrite(p, 1u, n, fp) == n, "oracle note: short write");
    cr_assert(fclose(fp) == 0, "oracle note: close");
    cr_assert(rename(tmp, path) == 0, "oracle note: rename");
}

void ut_oracle_note(const uint8_t *buf, uint64_t len, const char *kind, const ut_result *r)
{
    const char *dir = getenv("UT_ORACLE_DIR");
    char path[4096];
    ut_text e = {NULL, 0u, 0u};
    uint64_t h;
    FILE *old;
    if ((dir == NULL) || (dir[0] == '\0') || (len > UT_ORACLE_MAX_LEN)) {
        return;
    }
    h = ut_fnv1a(buf, len);
    if (kind != NULL) {
        ut_text_add(&e, "%s\n", kind);
        if ((strcmp(kind, "InvalidOffset") == 0) && (r != NULL) && (r->diag.name != NULL)) {
            ut_text_add(&e, "N ");
            ut_hex(&e, r->diag.name, r->diag.name_len);
            ut_text_add(&e, "\n");
        }
    } else {
        uint32_t i;
        ut_text_add(&e, "OK\n");
        for (i = 0u; i < r->f.n_tensors; i++) {
            const st_tensor *t = st_tensor_at(&r->f, i);
            uint32_t d;
            ut_text_add(&e, "T ");
            ut_hex(&e, t->name, t->name_len);
            ut_text_add(&e, " %s %llu %llu ", st_dtype_name((st_dtype)t->dtype),
                        (unsigned long long)t->begin, (unsigned long long)t->end);
            if (t->rank == 0u) {
                ut_text_add(&e, "-");
            }
            for (d = 0u; d < t->rank; d++) {
                ut_text_add(&e, "%s%llu", (d == 0u) ? "" : ",",
                            (unsigned long long)st_dim(&r->f, t, d));
            }
            ut_text_add(&e, "\n");
        }
        ut_text_add(&e, "H %d\n", r->f.has_metadata ? 1 : 0);
        for (i = 0u; i < r->f.n_meta; i++) {
            const st_meta *m = st_meta_at(&r->f, i);
            ut_text_add(&e, "M ");
            ut_hex(&e, m->key, m->key_len);
            ut_text_add(&e, " ");
            ut_hex(&e, m->value, m->value_len);
            ut_text_add(&e, "\n");
        }
    }
    /* the same bytes must never be expected to do two different things */
    (void)snprintf(path, sizeof path, "%s/%016llx.exp", dir, (unsigned long long)h);
    old = fopen(path, "rb");
    if (old != NULL) {
        char prev[65536];
        size_t n = fread(prev, 1u, sizeof prev, old);
        (void)fclose(old);
        cr_assert(n == e.n && memcmp(prev, e.p, n) == 0,
                  "oracle note: file %016llx expected both as '%.*s' and as '%s'",
                  (unsigned long long)h, (int)n, prev, e.p);
    }
    (void)snprintf(path, sizeof path, "%s/%016llx.st", dir, (unsigned long long)h);
    ut_write_atomic(path, buf, (size_t)len);
    (void)snprintf(path, sizeof path, "%s/%016llx.exp", dir, (unsigned long long)h);
    ut_write_atomic(path, e.p, e.n);
    ut_text_free(&e);
}

/* ------------------------------------------------------------------ */
/* expectations                                                        */

void ut_accept_both_(const char *where, const uint8_t *buf, uint64_t len, const ut_table *exp)
{
    ut_result s;
    ut_result c;
    ut_parse_(where, &s, buf, len, ST_MODE_STRICT);
    ut_check_table_(where, &s, exp);
    ut_parse_(where, &c, buf, len, ST_MODE_COMPAT);
    ut_check_table_(where, &c, exp);
    ut_same_table_(where, &s, &c);
    ut_oracle_note(buf, len, NULL, &c);
    ut_result_free(&s);
    ut_result_free(&c);
}

void ut_accept_compat_(const char *where, const uint8_t *buf, uint64_t len,
                       const ut_fail *strict_fail, const ut_table *exp)
{
    ut_result s;
    ut_result c;
    cr_assert_null(st_error_reference_kind(strict_fail->code),
                   "%s: %s is not a strict-only code", where, st_error_name(strict_fail->code));
    ut_parse_(where, &s, buf, len, ST_MODE_STRICT);
    ut_check_fail_(where, &s, strict_fail);
    ut_parse_(where, &c, buf, len, ST_MODE_COMPAT);
    ut_check_table_(where, &c, exp);
    ut_oracle_note(buf, len, NULL, &c);
    ut_result_free(&s);
    ut_result_free(&c);
}

void ut_reject_modes_(const char *where, const uint8_t *buf, uint64_t len,
                      const ut_fail *strict_fail, const ut_fail *compat_fail)
{
    ut_result s;
    ut_result c;
    const char *kind = st_error_reference_kind(compat_fail->code);
    cr_assert_not_null(kind, "%s: compat code %s has no reference kind", where,
                       st_error_name(compat_fail->code));
    ut_parse_(where, &s, buf, len, ST_MODE_STRICT);
    ut_check_fail_(where, &s, strict_fail);
    ut_parse_(where, &c, buf, len, ST_MODE_COMPAT);
    ut_check_fail_(where, &c, compat_fail);
    ut_oracle_note(buf, len, kind, &c);
    ut_result_free(&s);
    ut_result_free(&c);
}

void ut_reject_both_(const char *where, const uint8_t *buf, uint64_t len, const ut_fail *exp)
{
    ut_reject_modes_(where, buf, len, exp, exp);
}

void ut_reject_mode_(const char *where, const uint8_t *buf, uint64_t len, st_mode mode,
                     const ut_fail *exp)
{
    ut_result r;
    ut_result o;
    ut_parse_(where, &r, buf, len, mode);
    ut_check_fail_(where, &r, exp);
    if (mode == ST_MODE_COMPAT) {
        const char *kind = st_error_reference_kind(exp->code);
        cr_assert_not_null(kind, "%s: compat code %s has no reference kind", where,
                           st_error_name(exp->code));
        ut_oracle_note(buf, len, kind, &r);
        /* compat refuses => strict refuses */
        ut_parse_(where, &o, buf, len, ST_MODE_STRICT);
        cr_assert(o.rc != ST_OK, "%s: compat refuses but strict accepts", where);
        ut_result_free(&o);
    }
    ut_result_free(&r);
}

void ut_hdr_accept_both_(const char *where, const char *hdr, uint64_t data_len,
                         const ut_table *exp)
{
    uint64_t len = 0u;
    uint8_t *buf = ut_buildz(hdr, data_len, &len);
    ut_accept_both_(where, buf, len, exp);
    free(buf);
}

void ut_hdr_reject_both_(const char *where, const char *hdr, uint64_t data_len,
                         const ut_fail *exp)
{
    uint64_t len = 0u;
    uint8_t *buf = ut_buildz(hdr, data_len, &len);
    ut_reject_both_(where, buf, len, exp);
    free(buf);
}

void ut_check_kind_(const char *where, st_err code, const char *kind)
{
    const char *k = st_error_reference_kind(code);
    if (kind == NULL) {
        cr_assert_null(k, "%s: %s has reference kind '%s', expected none (strict-only)", where,
                       st_error_name(code), (k != NULL) ? k : "");
    } else {
        cr_assert(k != NULL && strcmp(k, kind) == 0,
                  "%s: %s has reference kind '%s', expected '%s'", where, st_error_name(code),
                  (k != NULL) ? k : "(none)", kind);
    }
}

void ut_field_value_(const char *where, const char *value, size_t vlen, const ut_fail *rel)
{
    static const ut_tensor t[] = {{UT_S("t"), ST_U8, 1u, {1u}, 0u, 1u}};
    const char pre[] = UT_FIELD_PRE;
    const char post[] = UT_FIELD_POST;
    ut_text h = {NULL, 0u, 0u};
    uint64_t len = 0u;
    uint8_t *buf;
    uint64_t value_at = 8u + (sizeof pre - 1u);
    /* the key "x" is the last 4 bytes of the prefix */
    ut_fail strict = {ST_E_STRICT_UNKNOWN_FIELD, value_at - 4u, value_at - 4u, UT_S("t"), ST_OK};
    ut_text_bytes(&h, pre, sizeof pre - 1u);
    ut_text_bytes(&h, value, vlen);
    ut_text_bytes(&h, post, sizeof post - 1u);
    buf = ut_build(h.p, h.n, 1u, &len);
    if (rel == NULL) {
        ut_table exp = UT_TABLE_T(t);
        ut_accept_compat_(where, buf, len, &strict, &exp);
    } else {
        ut_fail abs = *rel;
        abs.off_lo += value_at;
        abs.off_hi += value_at;
        ut_reject_modes_(where, buf, len, &strict, &abs);
    }
    free(buf);
    ut_text_free(&h);
}
