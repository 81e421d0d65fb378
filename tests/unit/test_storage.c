/*
 * test_storage.c -- the caller-storage protocol of st_parse: measure with
 * empty storage (ST_E_STORAGE and an exact st_diag.need), then parse with
 * exactly that; zero-copy strings in the buffer, decoded strings in the
 * arena. (ut_parse repeats these checks on every input of every test;
 * here they are spelled out on inputs whose needs are counted by hand.)
 */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/*
 * Needs, counted from the text:
 *   tensors 4 (a\nb, c, d, c again: duplicates count)
 *   dims    6 (2 + 0 + 3 + 1)
 *   meta    2
 *   arena   9 ("a\nb" 3, "ké" 3, "x\ty" 3: only strings with escapes)
 */
static const char hdr_needs[] =
    "{\"__metadata__\":{\"k\\u00e9\":\"v\",\"plain\":\"x\\ty\"},"
    "\"a\\nb\":{\"dtype\":\"U8\",\"shape\":[2,3],\"data_offsets\":[0,6]},"
    "\"c\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[6,10]},"
    "\"d\":{\"dtype\":\"U8\",\"shape\":[1,1,1],\"data_offsets\":[10,11]},"
    "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[6,10]}}";
static const st_need exact_need = {4u, 6u, 2u, 9u};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc((n == 0u) ? 1u : n, size);
    cr_assert_not_null(p);
    return p;
}

static void storage_for(st_storage *s, const st_need *n)
{
    memset(s, 0, sizeof *s);
    s->tensor_cap = n->tensors;
    s->tensors = (n->tensors > 0u) ? xcalloc(n->tensors, sizeof(st_tensor)) : NULL;
    s->order = (n->tensors > 0u) ? xcalloc(n->tensors, sizeof(uint32_t)) : NULL;
    s->by_name = (n->tensors > 0u) ? xcalloc(n->tensors, sizeof(uint32_t)) : NULL;
    s->dim_cap = n->dims;
    s->dims = (n->dims > 0u) ? xcalloc(n->dims, sizeof(uint64_t)) : NULL;
    s->meta_cap = n->meta;
    s->meta = (n->meta > 0u) ? xcalloc(n->meta, sizeof(st_meta)) : NULL;
    s->meta_order = (n->meta > 0u) ? xcalloc(n->meta, sizeof(uint32_t)) : NULL;
    s->arena_cap = n->arena;
    s->arena = (n->arena > 0u) ? xcalloc(n->arena, 1u) : NULL;
}

static void storage_free(st_storage *s)
{
    free(s->tensors);
    free(s->order);
    free(s->by_name);
    free(s->dims);
    free(s->meta);
    free(s->meta_order);
    free(s->arena);
}

static void assert_need(const st_need *got, const st_need *want)
{
    cr_assert(got->tensors == want->tensors && got->dims == want->dims &&
                  got->meta == want->meta && got->arena == want->arena,
              "need {%u,%u,%u,%u}, expected {%u,%u,%u,%u}", got->tensors, got->dims, got->meta,
              got->arena, want->tensors, want->dims, want->meta, want->arena);
}

static bool in_range(const uint8_t *p, uint32_t n, const uint8_t *lo, uint64_t cap)
{
    return (lo != NULL) && (p >= lo) && ((uint64_t)(p - lo) + n <= cap);
}

/* ST-LAYOUT-* / API: measure, then parse with exactly the need */
Test(storage, measure_then_parse)
{
    uint64_t len;
    uint8_t *buf = ut_build(hdr_needs, sizeof hdr_needs - 1u, 11u, &len);
    st_storage empty;
    st_storage s;
    st_file f;
    st_diag d;
    st_err rc;
    memset(&empty, 0, sizeof empty);
    UT_KIND(ST_E_STORAGE, NULL);

    rc = st_parse(buf, len, ST_MODE_COMPAT, &empty, &f, &d);
    cr_assert_eq(rc, ST_E_STORAGE, "got %s", st_error_name(rc));
    cr_assert_eq(d.code, ST_E_STORAGE);
    assert_need(&d.need, &exact_need);

    storage_for(&s, &d.need);
    rc = st_parse(buf, len, ST_MODE_COMPAT, &s, &f, &d);
    cr_assert_eq(rc, ST_OK, "got %s at %llu", st_error_name(rc), (unsigned long long)d.offset);
    assert_need(&d.need, &exact_need);
    cr_assert_eq(f.n_entries, 4u);
    cr_assert_eq(f.n_tensors, 3u);
    cr_assert_eq(f.n_meta_entries, 2u);
    cr_assert_eq(f.n_meta, 2u);
    storage_free(&s);

    /* strict measures the same, then refuses the duplicate */
    rc = st_parse(buf, len, ST_MODE_STRICT, &empty, &f, &d);
    cr_assert_eq(rc, ST_E_STORAGE);
    assert_need(&d.need, &exact_need);
    storage_for(&s, &exact_need);
    rc = st_parse(buf, len, ST_MODE_STRICT, &s, &f, &d);
    cr_assert_eq(rc, ST_E_STRICT_DUP_TENSOR, "got %s", st_error_name(rc));
    storage_free(&s);
    free(buf);
}

/* one element less in any array is refused, with the same need */
Test(storage, need_minus_one_refused)
{
    uint64_t len;
    uint8_t *buf = ut_build(hdr_needs, sizeof hdr_needs - 1u, 11u, &len);
    unsigned k;
    unsigned m;
    for (m = 0u; m < 2u; m++) {
        st_mode mode = (m == 0u) ? ST_MODE_COMPAT : ST_MODE_STRICT;
        for (k = 0u; k < 4u; k++) {
            st_need less = exact_need;
            st_storage s;
            st_file f;
            st_diag d;
            st_err rc;
            if (k == 0u) {
                less.tensors--;
            } else if (k == 1u) {
                less.dims--;
            } else if (k == 2u) {
                less.meta--;
            } else {
                less.arena--;
            }
            storage_for(&s, &less);
            rc = st_parse(buf, len, mode, &s, &f, &d);
            cr_assert_eq(rc, ST_E_STORAGE, "array %u, mode %u: %s", k, m, st_error_name(rc));
            assert_need(&d.need, &exact_need);
            cr_assert_eq(f.n_tensors, 0u);
            cr_assert_null(st_tensor_at(&f, 0u));
            storage_free(&s);
        }
    }
    free(buf);
}

/* unescaped strings point into the buffer, escaped ones into the arena */
Test(storage, zero_copy_and_arena)
{
    uint64_t len;
    uint8_t *buf = ut_build(hdr_needs, sizeof hdr_needs - 1u, 11u, &len);
    const uint8_t *h = buf + 8u;
    ut_result r;
    const st_tensor *t;
    const st_meta *m;
    static const ut_tensor e[] = {
        {UT_S("a\nb"), ST_U8, 2u, {2u, 3u}, 0u, 6u},
        {UT_S("c"), ST_F32, 1u, {1u}, 6u, 10u},
        {UT_S("d"), ST_U8, 3u, {1u, 1u, 1u}, 10u, 11u},
    };
    static const ut_meta em[] = {{UT_S("k\xc3\xa9"), UT_S("v")}, {UT_S("plain"), UT_S("x\ty")}};
    ut_parse(&r, buf, len, ST_MODE_COMPAT);
    ut_check_table_(UT_HERE, &r, &UT_TABLE(e, em, true));

    t = st_tensor_at(&r.f, 0u);   /* "a\nb": escaped */
    cr_assert(in_range(t->name, t->name_len, r.s.arena, r.s.arena_cap), "a\\nb not in the arena");
    t = st_tensor_at(&r.f, 1u);   /* "c": zero copy, the second (live) occurrence */
    cr_assert_eq(t->name, h + (UT_AT_K(hdr_needs, "\"c\"", 1u) - 8u) + 1u);
    t = st_tensor_at(&r.f, 2u);   /* "d" */
    cr_assert_eq(t->name, h + (UT_AT(hdr_needs, "\"d\"") - 8u) + 1u);

    m = st_meta_at(&r.f, 0u);     /* "ké": escaped; "v": zero copy */
    cr_assert(in_range(m->key, m->key_len, r.s.arena, r.s.arena_cap), "ké not in the arena");
    cr_assert_eq(m->value, h + (UT_AT(hdr_needs, ":\"v\"") - 8u) + 2u);
    m = st_meta_at(&r.f, 1u);     /* "plain": zero copy; "x\ty": escaped */
    cr_assert_eq(m->key, h + (UT_AT(hdr_needs, "\"plain\"") - 8u) + 1u);
    cr_assert(in_range(m->value, m->value_len, r.s.arena, r.s.arena_cap), "x\\ty not in the arena");
    cr_assert_eq(r.need.arena, 9u);
    ut_result_free(&r);
    free(buf);
}

/* header errors are reported by the measuring pass itself */
Test(storage, header_errors_need_no_storage)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[0,1]") "," UT_E("b", "XX", "[1]", "[1,2]") "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 2u, &len);
    st_storage empty;
    st_file f;
    st_diag d;
    st_err rc;
    memset(&empty, 0, sizeof empty);
    rc = st_parse(buf, len, ST_MODE_COMPAT, &empty, &f, &d);
    cr_assert_eq(rc, ST_E_SCHEMA_DTYPE, "got %s", st_error_name(rc));
    cr_assert_eq(d.offset, UT_AT(hdr, "\"XX\""));
    free(buf);
}

/* validation errors come after the storage check */
Test(storage, validation_errors_need_storage)
{
    const char *hdr = "{" UT_E("a", "U8", "[2]", "[0,1]") "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    st_storage empty;
    st_storage s;
    st_file f;
    st_diag d;
    st_err rc;
    const st_need want = {1u, 1u, 0u, 0u};
    memset(&empty, 0, sizeof empty);
    rc = st_parse(buf, len, ST_MODE_COMPAT, &empty, &f, &d);
    cr_assert_eq(rc, ST_E_STORAGE, "got %s", st_error_name(rc));
    assert_need(&d.need, &want);
    storage_for(&s, &want);
    rc = st_parse(buf, len, ST_MODE_COMPAT, &s, &f, &d);
    cr_assert_eq(rc, ST_E_SIZE_MISMATCH, "got %s", st_error_name(rc));
    assert_need(&d.need, &want);
    storage_free(&s);
    free(buf);
}

/* a header that needs nothing parses with empty (all-NULL) storage */
Test(storage, zero_need)
{
    const char *hdrs[] = {"{}", "{\"__metadata__\":{}}", "{\"__metadata__\":null}"};
    size_t i;
    for (i = 0u; i < 3u; i++) {
        uint64_t len;
        uint8_t *buf = ut_buildz(hdrs[i], 0u, &len);
        st_storage empty;
        st_file f;
        st_diag d;
        st_err rc;
        const st_need zero = {0u, 0u, 0u, 0u};
        memset(&empty, 0, sizeof empty);
        rc = st_parse(buf, len, ST_MODE_COMPAT, &empty, &f, &d);
        cr_assert_eq(rc, ST_OK, "%s: %s", hdrs[i], st_error_name(rc));
        assert_need(&d.need, &zero);
        cr_assert_eq(f.n_tensors, 0u);
        free(buf);
    }
}

/* arrays whose need is zero may stay NULL */
Test(storage, unneeded_arrays_may_be_null)
{
    const char *hdr = "{" UT_E("a", "U8", "[]", "[0,1]") "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    st_storage s;
    st_file f;
    st_diag d;
    st_err rc;
    const st_need want = {1u, 0u, 0u, 0u};
    storage_for(&s, &want);
    cr_assert_null(s.dims);
    cr_assert_null(s.meta);
    cr_assert_null(s.arena);
    rc = st_parse(buf, len, ST_MODE_STRICT, &s, &f, &d);
    cr_assert_eq(rc, ST_OK, "got %s", st_error_name(rc));
    cr_assert_eq(st_find(&f, (const uint8_t *)"a", 1u)->rank, 0u);
    storage_free(&s);
    free(buf);
}

/* one storage reused for different files: no state carries over */
Test(storage, reuse_across_files)
{
    const char *h1 = "{" UT_E("x", "U8", "[1]", "[0,1]") "," UT_E("y", "U8", "[1]", "[1,2]") "}";
    const char *h2 = "{" UT_E("y", "I16", "[2]", "[0,4]") "}";
    const st_need big = {8u, 8u, 8u, 64u};
    uint64_t l1;
    uint64_t l2;
    uint8_t *b1 = ut_buildz(h1, 2u, &l1);
    uint8_t *b2 = ut_buildz(h2, 4u, &l2);
    st_storage s;
    st_file f;
    st_diag d;
    storage_for(&s, &big);
    cr_assert_eq(st_parse(b1, l1, ST_MODE_STRICT, &s, &f, &d), ST_OK);
    cr_assert_eq(f.n_tensors, 2u);
    cr_assert_eq(st_parse(b2, l2, ST_MODE_STRICT, &s, &f, &d), ST_OK);
    cr_assert_eq(f.n_tensors, 1u);
    cr_assert_null(st_find(&f, (const uint8_t *)"x", 1u));
    cr_assert_eq(st_find(&f, (const uint8_t *)"y", 1u)->dtype, (uint8_t)ST_I16);
    cr_assert_eq(st_parse(b1, l1, ST_MODE_STRICT, &s, &f, &d), ST_OK);
    cr_assert_eq(st_find(&f, (const uint8_t *)"y", 1u)->dtype, (uint8_t)ST_U8);
    cr_assert_eq(st_find(&f, (const uint8_t *)"y", 1u)->begin, 1u);
    storage_free(&s);
    free(b1);
    free(b2);
}

/* an unknown mode is an argument error */
Test(storage, unknown_mode)
{
    uint64_t len;
    uint8_t *buf = ut_buildz("{}", 0u, &len);
    st_storage empty;
    st_file f;
    st_diag d;
    st_err rc;
    memset(&empty, 0, sizeof empty);
    rc = st_parse(buf, len, (st_mode)2, &empty, &f, &d);
    cr_assert_eq(rc, ST_E_ARGUMENT, "got %s", st_error_name(rc));
    cr_assert_eq(d.code, ST_E_ARGUMENT);
    UT_KIND(ST_E_ARGUMENT, NULL);
    rc = st_parse(buf, 3u, (st_mode)-1, &empty, &f, &d);
    cr_assert_eq(rc, ST_E_ARGUMENT, "got %s", st_error_name(rc));
    free(buf);
}
