/*
 * test_sort.c -- ordering and duplicate resolution at scale (ST-SCHEMA-7,
 * ST-STRICT-3, ST-VALID-1, lookups), and the core's index sorts on
 * ordered, reversed, constant and random inputs.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_internal.h"

/* ---------------------------------------------------------------------- */
/* many tensors                                                            */

#define NLIVE 1200u
#define NDUP2 250u /* names given twice */
#define NDUP3 60u  /* names given three times */

typedef struct gen_tensor {
    char name[8];
    st_dtype dtype;
    uint32_t rank;
    uint64_t dims[2];
    uint64_t begin;
    uint64_t end;
    unsigned copies;     /* occurrences in the header */
} gen_tensor;

typedef struct gen_file {
    gen_tensor t[NLIVE];
    uint64_t data_len;
    ut_text hdr;
    uint32_t key_at[NLIVE][3]; /* header offsets of each occurrence's key */
    uint8_t *buf;
    uint64_t len;
} gen_file;

static void shuffle(uint32_t *a, uint32_t n, uint64_t *seed)
{
    uint32_t i;
    for (i = n; i > 1u; i--) {
        uint32_t j = (uint32_t)(ut_rand(seed) % i);
        uint32_t x = a[i - 1u];
        a[i - 1u] = a[j];
        a[j] = x;
    }
}

enum order { ORD_RANDOM, ORD_NAME, ORD_REVERSE };

/*
 * NLIVE tensors named t0000.. with random dtypes and sizes (some empty),
 * laid out in `data_order`, written in `hdr_order`; with dups, some names
 * occur 2 or 3 times, the earlier occurrences holding values that would
 * fail validation if they were not dropped.
 */
static void generate(gen_file *g, enum order hdr_order, enum order data_order, bool dups,
                     uint64_t seed)
{
    static const st_dtype dts[] = {ST_U8, ST_I16, ST_F32, ST_F64, ST_BOOL, ST_BF16};
    static const uint32_t bytes[] = {1u, 2u, 4u, 8u, 1u, 2u};
    uint32_t perm[NLIVE];
    uint32_t *entries;
    uint32_t n_entries = 0u;
    uint32_t i;
    uint64_t off = 0u;
    unsigned seen[NLIVE];
    memset(g, 0, sizeof *g);
    for (i = 0u; i < NLIVE; i++) {
        gen_tensor *t = &g->t[i];
        uint32_t k = (uint32_t)(ut_rand(&seed) % 6u);
        uint64_t n = ut_rand(&seed) % 5u; /* elements, 0 .. 4 */
        (void)snprintf(t->name, sizeof t->name, "t%04u", i);
        t->dtype = dts[k];
        t->rank = (n == 1u) ? (uint32_t)(ut_rand(&seed) % 3u) : 1u + (uint32_t)(ut_rand(&seed) % 2u);
        t->dims[0] = (t->rank == 2u) ? 1u : n;
        t->dims[1] = n;
        t->end = n * bytes[k]; /* size for now */
        t->copies = 1u;
        perm[i] = i;
    }
    if (dups) {
        for (i = 0u; i < NDUP2 + NDUP3; i++) {
            g->t[(i * 7u) % NLIVE].copies = (i < NDUP2) ? 2u : 3u;
        }
    }
    /* data layout */
    if (data_order == ORD_RANDOM) {
        shuffle(perm, NLIVE, &seed);
    } else if (data_order == ORD_REVERSE) {
        for (i = 0u; i < NLIVE; i++) {
            perm[i] = NLIVE - 1u - i;
        }
    }
    for (i = 0u; i < NLIVE; i++) {
        gen_tensor *t = &g->t[perm[i]];
        uint64_t size = t->end;
        t->begin = off;
        t->end = off + size;
        off += size;
    }
    g->data_len = off;
    /* header order: one slot per occurrence */
    entries = malloc(sizeof(uint32_t) * NLIVE * 3u);
    cr_assert_not_null(entries);
    for (i = 0u; i < NLIVE; i++) {
        unsigned c;
        for (c = 0u; c < g->t[i].copies; c++) {
            entries[n_entries++] = i;
        }
    }
    if (hdr_order == ORD_RANDOM) {
        shuffle(entries, n_entries, &seed);
    } else if (hdr_order == ORD_REVERSE) {
        uint32_t a = 0u;
        uint32_t b = n_entries - 1u;
        while (a < b) {
            uint32_t x = entries[a];
            entries[a] = entries[b];
            entries[b] = x;
            a++;
            b--;
        }
    }
    memset(seen, 0, sizeof seen);
    ut_text_add(&g->hdr, "{");
    for (i = 0u; i < n_entries; i++) {
        gen_tensor *t = &g->t[entries[i]];
        unsigned occ = seen[entries[i]]++;
        if (i > 0u) {
            ut_text_add(&g->hdr, ",");
        }
        g->key_at[entries[i]][occ] = (uint32_t)g->hdr.n;
        if (occ + 1u < t->copies) {
            /* dropped: garbage that would fail every validation step */
            ut_text_add(&g->hdr, "\"%s\":{\"dtype\":\"F4\",\"shape\":[18446744073709551615,3],"
                                 "\"data_offsets\":[999999,%u]}", t->name, occ);
        } else if (t->rank == 0u) {
            ut_text_add(&g->hdr, "\"%s\":{\"dtype\":\"%s\",\"shape\":[],\"data_offsets\":[%llu,%llu]}",
                        t->name, st_dtype_name(t->dtype), (unsigned long long)t->begin,
                        (unsigned long long)t->end);
        } else if (t->rank == 1u) {
            ut_text_add(&g->hdr, "\"%s\":{\"dtype\":\"%s\",\"shape\":[%llu],\"data_offsets\":[%llu,%llu]}",
                        t->name, st_dtype_name(t->dtype), (unsigned long long)t->dims[0],
                        (unsigned long long)t->begin, (unsigned long long)t->end);
        } else {
            ut_text_add(&g->hdr,
                        "\"%s\":{\"dtype\":\"%s\",\"shape\":[%llu,%llu],\"data_offsets\":[%llu,%llu]}",
                        t->name, st_dtype_name(t->dtype), (unsigned long long)t->dims[0],
                        (unsigned long long)t->dims[1], (unsigned long long)t->begin,
                        (unsigned long long)t->end);
        }
    }
    ut_text_add(&g->hdr, "}");
    free(entries);
    g->buf = ut_build(g->hdr.p, g->hdr.n, g->data_len, &g->len);
}

static int cmp_offset_order(const void *x, const void *y)
{
    const ut_tensor *a = x;
    const ut_tensor *b = y;
    if (a->begin != b->begin) {
        return (a->begin < b->begin) ? -1 : 1;
    }
    if (a->end != b->end) {
        return (a->end < b->end) ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

/* The expected table: every live tensor, in (begin, end, name) order. */
static ut_tensor *expected(const gen_file *g)
{
    ut_tensor *e = calloc(NLIVE, sizeof *e);
    uint32_t i;
    cr_assert_not_null(e);
    for (i = 0u; i < NLIVE; i++) {
        const gen_tensor *t = &g->t[i];
        e[i].name = t->name;
        e[i].name_len = (uint32_t)strlen(t->name);
        e[i].dtype = t->dtype;
        e[i].rank = t->rank;
        e[i].dims[0] = t->dims[0];
        e[i].dims[1] = t->dims[1];
        e[i].begin = t->begin;
        e[i].end = t->end;
    }
    qsort(e, NLIVE, sizeof *e, cmp_offset_order);
    return e;
}

static void check_many(enum order hdr_order, enum order data_order, bool dups, uint64_t seed)
{
    gen_file *g = malloc(sizeof *g);
    ut_tensor *e;
    ut_result r;
    const char *misses[] = {"t1200", "t9999", "t", "", "t000", "t00000", "s0000", "t0000\xff",
                            "T0000", "t-001"};
    size_t i;
    cr_assert_not_null(g);
    generate(g, hdr_order, data_order, dups, seed);
    e = expected(g);

    /* compat: every live tensor found, in offset order */
    ut_parse(&r, g->buf, g->len, ST_MODE_COMPAT);
    ut_check_table_(UT_HERE, &r, &((ut_table){e, NLIVE, NULL, 0u, false}));
    cr_assert_eq(r.f.n_entries, NLIVE + (dups ? NDUP2 + 2u * NDUP3 : 0u));
    for (i = 0u; i < sizeof misses / sizeof misses[0]; i++) {
        cr_assert_null(st_find(&r.f, (const uint8_t *)misses[i], (uint32_t)strlen(misses[i])),
                       "st_find('%s') should miss", misses[i]);
    }
    for (i = 0u; i < NLIVE; i++) {
        const st_tensor *t = st_find(&r.f, (const uint8_t *)g->t[i].name, 5u);
        cr_assert_not_null(t);
        /* the live occurrence is the last one in the header */
        cr_assert_eq(t->key_pos, g->key_at[i][g->t[i].copies - 1u], "%s", g->t[i].name);
    }
    ut_oracle_note(g->buf, g->len, NULL, &r);
    ut_result_free(&r);

    /* strict: accepts the same table without duplicates, refuses with them */
    ut_parse(&r, g->buf, g->len, ST_MODE_STRICT);
    if (!dups) {
        ut_check_table_(UT_HERE, &r, &((ut_table){e, NLIVE, NULL, 0u, false}));
    } else {
        uint32_t idx;
        bool at_later_key = false;
        unsigned c;
        cr_assert_eq(r.rc, ST_E_STRICT_DUP_TENSOR, "got %s", st_error_name(r.rc));
        cr_assert_not_null(r.diag.name);
        cr_assert_eq(r.diag.name_len, 5u);
        idx = (uint32_t)strtoul((const char *)r.diag.name + 1, NULL, 10);
        cr_assert_lt(idx, NLIVE);
        cr_assert_gt(g->t[idx].copies, 1u, "%.5s is not duplicated", (const char *)r.diag.name);
        for (c = 1u; c < g->t[idx].copies; c++) {
            at_later_key = at_later_key || (r.diag.offset == 8u + g->key_at[idx][c]);
        }
        cr_assert(at_later_key, "offset %llu is not a repeated key of %.5s",
                  (unsigned long long)r.diag.offset, (const char *)r.diag.name);
    }
    ut_result_free(&r);
    free(e);
    free(g->buf);
    ut_text_free(&g->hdr);
    free(g);
}

/* ST-SCHEMA-7, ST-STRICT-3, ST-VALID-1: 1200 tensors, 370 names repeated, random orders */
Test(st_schema_7, many_tensors_random_order_with_duplicates, .timeout = 120)
{
    check_many(ORD_RANDOM, ORD_RANDOM, true, 1u);
    check_many(ORD_RANDOM, ORD_NAME, true, 2u);
}

/* ST-SCHEMA-7: duplicates in name-ordered and reversed headers */
Test(st_schema_7, many_tensors_ordered_with_duplicates, .timeout = 120)
{
    check_many(ORD_NAME, ORD_NAME, true, 3u);
    check_many(ORD_REVERSE, ORD_REVERSE, true, 4u);
}

/* ST-VALID-1: 1200 distinct tensors in every combination of orders */
Test(st_valid_1, many_tensors_any_order, .timeout = 120)
{
    enum order o[] = {ORD_RANDOM, ORD_NAME, ORD_REVERSE};
    unsigned a;
    unsigned b;
    for (a = 0u; a < 3u; a++) {
        for (b = 0u; b < 3u; b++) {
            check_many(o[a], o[b], false, 10u + a * 3u + b);
        }
    }
}

/* ---------------------------------------------------------------------- */
/* the sorts themselves                                                    */

/* An independent statement of the orders the sorts must produce. */
static int cmp_bytes(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn)
{
    uint32_t n = (an < bn) ? an : bn;
    int c = (n == 0u) ? 0 : memcmp(a, b, n);
    if (c != 0) {
        return c;
    }
    return (an == bn) ? 0 : ((an < bn) ? -1 : 1);
}

static bool before(st_sort_kind kind, const st_tensor *t, const st_meta *m, uint32_t x, uint32_t y)
{
    int c;
    if (kind == ST_SORT_TENSOR_OFFSET) {
        if (t[x].begin != t[y].begin) {
            return t[x].begin < t[y].begin;
        }
        if (t[x].end != t[y].end) {
            return t[x].end < t[y].end;
        }
    }
    c = (kind == ST_SORT_META_KEY) ? cmp_bytes(m[x].key, m[x].key_len, m[y].key, m[y].key_len)
                                   : cmp_bytes(t[x].name, t[x].name_len, t[y].name, t[y].name_len);
    return (c < 0) || ((c == 0) && (x < y));
}

enum pattern { P_SORTED, P_REVERSED, P_EQUAL, P_EQUAL_REVERSED, P_RANDOM, P_SAWTOOTH, P_COUNT };

/* The sorts read names by position: entry i's name is copied into a header
   buffer (even i) or an arena (odd i), and its pointer set to the copy, so
   that the oracle (through the pointers) and the sorts (through the
   positions) read the same bytes. */
static uint8_t hdr_buf[1100u * 12u];
static uint8_t arena_buf[1100u * 12u];
static uint32_t hdr_used;
static uint32_t arena_used;

static void place(st_tensor *t, st_meta *m, uint32_t i, const char *src, uint32_t len)
{
    bool in_arena = (i % 2u) == 1u;
    uint8_t *base = in_arena ? arena_buf : hdr_buf;
    uint32_t *used = in_arena ? &arena_used : &hdr_used;
    cr_assert_leq(*used + len, (uint32_t)sizeof hdr_buf);
    memcpy(base + *used, src, len);
    t->name = base + *used;
    t->name_len = len;
    t->name_start = *used;
    t->name_in_arena = in_arena;
    m->key = t->name;
    m->key_len = len;
    m->key_start = *used;
    m->key_in_arena = in_arena;
    *used += len;
}

static st_strs stored_names(void)
{
    st_strs s;
    s.hdr = hdr_buf;
    s.hdr_len = hdr_used;
    s.arena = arena_buf;
    s.arena_len = arena_used;
    s.key = NULL;
    s.key_len = 0u;
    return s;
}

static const char *const pool[] = {"", "a", "a\0", "ab", "b", "\xc3\xa9", "\xff", "z", "aa", "a\x01"};
static const uint32_t pool_len[] = {0u, 1u, 2u, 2u, 1u, 2u, 1u, 1u, 2u, 2u};

/* Fill t/m (n entries) and idx with the pattern. */
static void fill(enum pattern p, uint32_t n, st_tensor *t, st_meta *m, uint32_t *idx, uint64_t *seed)
{
    uint32_t i;
    hdr_used = 0u;
    arena_used = 0u;
    for (i = 0u; i < n; i++) {
        uint32_t k;
        if (p == P_EQUAL || p == P_EQUAL_REVERSED) {
            k = 3u;
        } else if (p == P_RANDOM) {
            k = (uint32_t)(ut_rand(seed) % 10u);
        } else if (p == P_SAWTOOTH) {
            k = i % 10u;
        } else {
            k = i; /* distinct keys, made below */
        }
        memset(&t[i], 0, sizeof t[i]);
        memset(&m[i], 0, sizeof m[i]);
        if (p != P_SORTED && p != P_REVERSED) {
            place(&t[i], &m[i], i, pool[k % 10u], pool_len[k % 10u]);
        }
        t[i].begin = (p == P_RANDOM) ? ut_rand(seed) % 4u : (p == P_SAWTOOTH ? i % 7u : 0u);
        t[i].end = t[i].begin + ((p == P_RANDOM) ? ut_rand(seed) % 3u : 0u);
        idx[i] = (p == P_EQUAL_REVERSED) ? (n - 1u - i) : i;
    }
    if (p == P_SORTED || p == P_REVERSED) {
        /* distinct, ordered: offsets i, names of i's decimal digits padded */
        static char names[1100][12];
        for (i = 0u; i < n; i++) {
            uint32_t v = (p == P_SORTED) ? i : (n - 1u - i);
            (void)snprintf(names[i], sizeof names[i], "%06u", v);
            place(&t[i], &m[i], i, names[i], 6u);
            t[i].begin = v;
            t[i].end = v;
        }
    }
}

static void check_sorted(const char *what, st_sort_kind kind, enum pattern p, uint32_t n,
                         const uint32_t *idx, const st_tensor *t, const st_meta *m)
{
    uint32_t i;
    unsigned char *hit = calloc(n + 1u, 1u);
    cr_assert_not_null(hit);
    for (i = 0u; i < n; i++) {
        cr_assert_lt(idx[i], n, "%s kind %d pattern %d n %u: index out of range", what, (int)kind,
                     (int)p, n);
        cr_assert(!hit[idx[i]], "%s kind %d pattern %d n %u: %u twice", what, (int)kind, (int)p, n,
                  idx[i]);
        hit[idx[i]] = 1u;
        if (i > 0u) {
            cr_assert(before(kind, t, m, idx[i - 1u], idx[i]),
                      "%s kind %d pattern %d n %u: positions %u, %u out of order", what, (int)kind,
                      (int)p, n, i - 1u, i);
        }
    }
    free(hit);
}

/* st_heapsort and st_mergesort on sorted, reversed, constant, random inputs */
Test(sort, index_sorts_all_patterns)
{
    static const uint32_t sizes[] = {0u, 1u, 2u, 3u, 7u, 8u, 9u, 16u, 17u, 1000u, 1025u};
    static const st_sort_kind kinds[] = {ST_SORT_TENSOR_NAME, ST_SORT_TENSOR_OFFSET,
                                         ST_SORT_META_KEY};
    st_tensor *t = calloc(1100u, sizeof *t);
    st_meta *m = calloc(1100u, sizeof *m);
    uint32_t *idx = calloc(1100u, sizeof *idx);
    uint32_t *tmp = calloc(1100u, sizeof *tmp);
    uint64_t seed = 42u;
    size_t si;
    size_t ki;
    int p;
    cr_assert(t != NULL && m != NULL && idx != NULL && tmp != NULL);
    for (si = 0u; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (ki = 0u; ki < 3u; ki++) {
            for (p = 0; p < (int)P_COUNT; p++) {
                uint32_t n = sizes[si];
                fill((enum pattern)p, n, t, m, idx, &seed);
                st_heapsort(idx, n, kinds[ki], t, m, stored_names());
                check_sorted("heapsort", kinds[ki], (enum pattern)p, n, idx, t, m);
                if (kinds[ki] != ST_SORT_META_KEY) {
                    fill((enum pattern)p, n, t, m, idx, &seed);
                    st_mergesort(idx, tmp, n, kinds[ki], t, stored_names());
                    check_sorted("mergesort", kinds[ki], (enum pattern)p, n, idx, t, m);
                }
            }
        }
    }
    free(t);
    free(m);
    free(idx);
    free(tmp);
}

/* st_bytes_cmp: unsigned bytes, a proper prefix first, NUL is a byte */
Test(sort, byte_order)
{
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"a", 1u, (const uint8_t *)"b", 1u), -1);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"b", 1u, (const uint8_t *)"a", 1u), 1);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"a", 1u, (const uint8_t *)"a\0", 2u), -1);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"a\0", 2u, (const uint8_t *)"a", 1u), 1);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"\x7f", 1u, (const uint8_t *)"\x80", 1u), -1);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"\xff", 1u, (const uint8_t *)"z", 1u), 1);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"", 0u, (const uint8_t *)"", 0u), 0);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"", 0u, (const uint8_t *)"\0", 1u), -1);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"abc", 3u, (const uint8_t *)"abd", 3u), -1);
    cr_assert_eq(st_bytes_cmp((const uint8_t *)"abc", 3u, (const uint8_t *)"abc", 3u), 0);
}

/* st_str_cmp: the same order as st_bytes_cmp over any of the three bases;
   a byte outside its base reads as -1, below every byte, so a position the
   header pass never stores is still read inside the caller's buffers */
Test(sort, stored_string_order)
{
    static const uint8_t hdr[] = {'a', 'b', 'c', 0xffu};
    static const uint8_t arena[] = {'a', 'b', 'd'};
    static const uint8_t key[] = {'a', 'b'};
    st_strs s;
    st_str h_abc = {0u, 3u, ST_STR_HDR};
    st_str h_ff = {3u, 1u, ST_STR_HDR};
    st_str a_abd = {0u, 3u, ST_STR_ARENA};
    st_str a_ab = {0u, 2u, ST_STR_ARENA};
    st_str k_ab = {0u, 2u, ST_STR_KEY};
    st_str empty = {0u, 0u, ST_STR_HDR};
    st_str h_out = {3u, 2u, ST_STR_HDR};     /* its second byte is past the header */
    st_str a_out = {7u, 1u, ST_STR_ARENA};   /* past the arena */
    st_str k_far = {0xffffffffu, 2u, ST_STR_KEY};
    s.hdr = hdr;
    s.hdr_len = sizeof hdr;
    s.arena = arena;
    s.arena_len = sizeof arena;
    s.key = key;
    s.key_len = sizeof key;
    cr_assert_eq(st_str_cmp(s, h_abc, a_abd), -1);
    cr_assert_eq(st_str_cmp(s, a_abd, h_abc), 1);
    cr_assert_eq(st_str_cmp(s, a_ab, k_ab), 0);
    cr_assert_eq(st_str_cmp(s, k_ab, h_abc), -1);
    cr_assert_eq(st_str_cmp(s, h_ff, h_abc), 1);
    cr_assert_eq(st_str_cmp(s, empty, empty), 0);
    cr_assert_eq(st_str_cmp(s, empty, k_ab), -1);
    /* outside the base: -1 per byte */
    cr_assert_eq(st_str_cmp(s, h_out, h_ff), 1);   /* 0xff, then longer */
    cr_assert_eq(st_str_cmp(s, h_out, h_out), 0);  /* its second byte reads as -1 twice */
    cr_assert_eq(st_str_cmp(s, a_out, empty), 1);  /* longer still sorts after */
    cr_assert_eq(st_str_cmp(s, a_out, a_ab), -1);  /* -1 < 'a' */
    cr_assert_eq(st_str_cmp(s, a_out, a_out), 0);
    cr_assert_eq(st_str_cmp(s, k_far, k_ab), -1);
    cr_assert_eq(st_str_cmp(s, k_ab, k_far), 1);
}
