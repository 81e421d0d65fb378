/*
 * test_plan.c -- the core's copy planner (ST-PLAN-1 .. ST-PLAN-4) checked
 * from the outside on random files and selections: which selections are
 * accepted (decided here independently), the layout (alignment, order, no
 * overlap), and the chunks: each at most the chunk size, in order, every
 * byte a chunk reads inside its tensor's selection, every selected byte
 * read exactly once, every destination byte written exactly once and
 * nothing written outside the items; simulating the chunks gives the
 * element-wise gather of the oracle.
 */
#define _POSIX_C_SOURCE 200809L

#include "dt.h"
#include "st_plan.h"

#include <stdlib.h>
#include <string.h>

TestSuite(plan, .fini = dt_fini);

/* A parsed view of a dt_file (storage sized by the measuring pass). */
typedef struct parsed {
    st_storage st;
    st_file file;
} parsed;

static void parse(const dt_file *f, parsed *p)
{
    st_diag diag;
    st_err rc;
    memset(p, 0, sizeof *p);
    rc = st_parse(f->bytes, f->len, ST_MODE_STRICT, &p->st, &p->file, &diag);
    cr_assert(rc == ST_E_STORAGE || rc == ST_OK, "parse: %s", st_error_name(rc));
    p->st.tensors = calloc(diag.need.tensors + 1u, sizeof *p->st.tensors);
    p->st.order = calloc(diag.need.tensors + 1u, sizeof *p->st.order);
    p->st.by_name = calloc(diag.need.tensors + 1u, sizeof *p->st.by_name);
    p->st.dims = calloc(diag.need.dims + 1u, sizeof *p->st.dims);
    p->st.arena = calloc(diag.need.arena + 1u, 1u);
    p->st.tensor_cap = diag.need.tensors;
    p->st.dim_cap = diag.need.dims;
    p->st.arena_cap = diag.need.arena;
    rc = st_parse(f->bytes, f->len, ST_MODE_STRICT, &p->st, &p->file, &diag);
    cr_assert(rc == ST_OK, "parse: %s", st_error_name(rc));
}

static void unparse(parsed *p)
{
    free(p->st.tensors);
    free(p->st.order);
    free(p->st.by_name);
    free(p->st.dims);
    free(p->st.arena);
}

/* The planner's 2-D view (st_plan.h), computed here: rows = all dimensions
   but the last; a rank-1 tensor is one column, except for a column range. */
static void view(const dt_tensor *t, uint32_t kind, uint64_t *rows, uint64_t *cols)
{
    uint32_t d;
    *rows = 1u;
    *cols = (t->rank > 0u) ? t->dims[t->rank - 1u] : 1u;
    for (d = 0u; (d + 1u) < t->rank; d++) {
        *rows *= t->dims[d];
    }
    if ((t->rank == 1u) && (kind != (uint32_t)ST_SHARD_COLS)) {
        *rows = t->dims[0];
        *cols = 1u;
    }
}

/* ST-PLAN-1 as the spec states it. */
static bool selection_valid(const dt_tensor *t, st_shard_kind kind, uint64_t a, uint64_t z)
{
    uint64_t rows;
    uint64_t cols;
    uint64_t bits = st_dtype_bits(t->dtype);
    uint64_t unit;
    bool ok;
    view(t, (uint32_t)kind, &rows, &cols);
    if (kind == ST_SHARD_NONE) {
        return true;
    }
    if ((kind != ST_SHARD_ROWS) && (kind != ST_SHARD_COLS)) {
        return false;
    }
    ok = (a <= z) && (z <= ((kind == ST_SHARD_ROWS) ? rows : cols));
    if (ok && (a != z) && (rows != 0u)) { /* an element is selected */
        unit = (kind == ST_SHARD_ROWS) ? (cols * bits) : bits;
        ok = (((a * unit) % 8u) == 0u) && (((z * unit) % 8u) == 0u);
        if (ok && (kind == ST_SHARD_COLS) && (rows > 1u)) {
            ok = ((cols * bits) % 8u) == 0u;
        }
    }
    return ok;
}

/* Is file offset `off` inside the selection of tensor k of f? */
static bool in_selection(const dt_file *f, size_t k, const st_plan_item *it, uint64_t off)
{
    const dt_tensor *t = &f->tensors[k];
    uint64_t base = f->data_start + f->begin[k];
    uint64_t bits = st_dtype_bits(t->dtype);
    uint64_t rows;
    uint64_t cols;
    uint64_t rel;
    view(t, it->shard, &rows, &cols);
    if ((off < base) || (off >= base + f->nbytes[k])) {
        return false;
    }
    rel = off - base;
    if (it->shard == (uint32_t)ST_SHARD_NONE) {
        return true;
    }
    if (it->shard == (uint32_t)ST_SHARD_ROWS) {
        return (rel >= (it->start * cols * bits) / 8u) && (rel < (it->stop * cols * bits) / 8u);
    }
    {
        uint64_t row_bytes = (cols * bits) / 8u;
        uint64_t in_row = (rows > 1u) ? (rel % row_bytes) : rel;
        return (in_row >= (it->start * bits) / 8u) && (in_row < (it->stop * bits) / 8u);
    }
}

static void random_tensor(uint64_t *s, dt_tensor *t, const char *name)
{
    uint32_t d;
    t->name = name;
    t->dtype = (st_dtype)(dt_rand(s) % ST_DTYPE_COUNT);
    t->rank = (uint32_t)(dt_rand(s) % 4u);
    for (d = 0u; d < t->rank; d++) {
        t->dims[d] = dt_rand(s) % 10u;
    }
    if (((dt_nelem(t) * st_dtype_bits(t->dtype)) % 8u) != 0u) {
        if (t->rank == 0u) {
            t->dtype = ST_U8;
        } else {
            t->dims[t->rank - 1u] *= 4u;
        }
    }
}

static void random_selection(uint64_t *s, const dt_tensor *t, st_shard_kind *kind, uint64_t *a,
                             uint64_t *z)
{
    uint64_t rows;
    uint64_t cols;
    uint64_t lim;
    *kind = (st_shard_kind)(dt_rand(s) % 3u);
    view(t, (uint32_t)*kind, &rows, &cols);
    lim = (*kind == ST_SHARD_COLS) ? cols : rows;
    *a = dt_rand(s) % (lim + 2u); /* sometimes out of range */
    *z = dt_rand(s) % (lim + 2u);
    if ((dt_rand(s) % 4u) != 0u && *a > *z) {
        uint64_t x = *a;
        *a = *z;
        *z = x;
    }
}

/* Check the chunks of a laid-out plan (see the file comment). */
static void check_chunks(const dt_file *f, const size_t *tk, const st_plan_item *items, uint32_t n,
                         uint64_t total, uint64_t chunk)
{
    uint8_t *dmark = calloc((size_t)total + 1u, 1u);
    uint8_t *smark = calloc((size_t)f->len + 1u, 1u);
    uint8_t *out = calloc((size_t)total + 1u, 1u);
    st_chunk_iter it;
    st_chunk c;
    uint32_t last_item = 0u;
    uint64_t next_dst = 0u;
    uint64_t last_src = 0u;
    bool first = true;
    uint32_t i;
    uint64_t eff = ((chunk == 0u) || (chunk > ST_PLAN_CHUNK_MAX)) ? ST_PLAN_CHUNK_MAX : chunk;
    cr_assert((dmark != NULL) && (smark != NULL) && (out != NULL));
    st_plan_iter_init(&it, items, n, chunk);
    while (st_plan_next(&it, &c)) {
        uint64_t j;
        uint64_t b;
        cr_assert(c.item < n);
        cr_assert((c.width > 0u) && (c.height > 0u), "empty chunk");
        cr_assert(c.width * c.height <= eff, "chunk of %llu bytes, limit %llu",
                  (unsigned long long)(c.width * c.height), (unsigned long long)eff);
        if (first || (c.item != last_item)) {
            cr_assert(first || (c.item > last_item), "items out of order");
            cr_assert(c.dst == items[c.item].dst, "first chunk starts the item");
        } else {
            cr_assert(c.src > last_src, "source order within an item");
            cr_assert(c.dst == next_dst, "destination order within an item");
        }
        for (j = 0u; j < c.height; j++) {
            for (b = 0u; b < c.width; b++) {
                uint64_t d = c.dst + (j * c.width) + b;
                uint64_t s = c.src + (j * c.pitch) + b;
                cr_assert(d < total);
                cr_assert((d >= items[c.item].dst) &&
                          (d < items[c.item].dst + items[c.item].bytes), "write outside the item");
                cr_assert(in_selection(f, tk[c.item], &items[c.item], s),
                          "read at %llu outside the selection of %s", (unsigned long long)s,
                          f->tensors[tk[c.item]].name);
                dmark[d]++;
                smark[s]++;
                out[d] = f->bytes[s];
            }
        }
        first = false;
        last_item = c.item;
        last_src = c.src;
        next_dst = c.dst + (c.width * c.height);
    }
    /* every byte of every item written once, selected bytes read once */
    for (i = 0u; i < n; i++) {
        uint64_t want_len = 0u;
        uint8_t *want = dt_expected(f, tk[i], (st_shard_kind)items[i].shard, items[i].start,
                                    items[i].stop, &want_len);
        uint64_t d;
        cr_assert(items[i].bytes == want_len,
                  "%s %s rank %u dims %llu %llu %llu shard %u [%llu, %llu): %llu bytes, oracle %llu",
                  f->tensors[tk[i]].name, st_dtype_name(f->tensors[tk[i]].dtype),
                  f->tensors[tk[i]].rank, (unsigned long long)f->tensors[tk[i]].dims[0],
                  (unsigned long long)f->tensors[tk[i]].dims[1],
                  (unsigned long long)f->tensors[tk[i]].dims[2], items[i].shard,
                  (unsigned long long)items[i].start, (unsigned long long)items[i].stop,
                  (unsigned long long)items[i].bytes, (unsigned long long)want_len);
        for (d = 0u; d < items[i].bytes; d++) {
            cr_assert(dmark[items[i].dst + d] == 1u, "byte written %u times", dmark[items[i].dst + d]);
        }
        cr_assert(memcmp(out + items[i].dst, want, (size_t)want_len) == 0, "%s: gather differs",
                  f->tensors[tk[i]].name);
        free(want);
    }
    {
        uint64_t written = 0u;
        uint64_t read = 0u;
        uint64_t d;
        uint64_t sum = 0u;
        for (d = 0u; d < total; d++) {
            written += dmark[d];
        }
        for (d = 0u; d < f->len; d++) {
            cr_assert(smark[d] <= 1u, "file byte %llu read twice", (unsigned long long)d);
            read += smark[d];
        }
        for (i = 0u; i < n; i++) {
            sum += items[i].bytes;
        }
        cr_assert(written == sum, "bytes written outside the items");
        cr_assert(read == sum);
    }
    free(dmark);
    free(smark);
    free(out);
}

/* ST-PLAN-1..3 on 600 random files of 1..6 tensors, 4 chunk sizes each. */
Test(plan, random_plans_cover_each_byte_once, .timeout = 120)
{
    static const char *const names[6] = {"t0", "t1", "t2", "t3", "t4", "t5"};
    static const uint64_t aligns[] = {1u, 2u, 8u, 64u, 256u};
    uint64_t s = 12345u;
    int round;
    uint64_t accepted = 0u;
    uint64_t refused = 0u;
    for (round = 0; round < 600; round++) {
        dt_tensor ts[6];
        st_plan_item items[6];
        size_t tk[6];
        size_t n = 1u + (size_t)(dt_rand(&s) % 6u);
        size_t k;
        uint32_t m = 0u;
        dt_file f;
        parsed p;
        uint64_t total = 0u;
        uint64_t align = aligns[dt_rand(&s) % (sizeof aligns / sizeof aligns[0])];
        int ci;
        char fname[32];
        for (k = 0u; k < n; k++) {
            random_tensor(&s, &ts[k], names[k]);
        }
        (void)snprintf(fname, sizeof fname, "p%d.safetensors", round);
        dt_write(&f, fname, ts, n, (uint32_t)round);
        parse(&f, &p);
        for (k = 0u; k < n; k++) {
            st_shard_kind kind;
            uint64_t a;
            uint64_t z;
            const st_tensor *t = st_find(&p.file, (const uint8_t *)names[k], 2u);
            st_err rc;
            cr_assert(t != NULL);
            random_selection(&s, &ts[k], &kind, &a, &z);
            rc = st_plan_item_init(&p.file, t, kind, a, z, &items[m]);
            cr_assert((rc == ST_OK) == selection_valid(&ts[k], kind, a, z),
                      "%s %s shape rank %u: kind %d [%llu, %llu): planner %s", names[k],
                      st_dtype_name(ts[k].dtype), ts[k].rank, (int)kind, (unsigned long long)a,
                      (unsigned long long)z, st_error_name(rc));
            if (rc == ST_OK) {
                tk[m] = k;
                m++;
                accepted++;
            } else {
                cr_assert(rc == ST_E_ARGUMENT);
                refused++;
            }
        }
        cr_assert(st_plan_layout(items, m, align, &total) == ST_OK);
        for (k = 0u; k < m; k++) {
            cr_assert((items[k].dst % align) == 0u);
            cr_assert((k == 0u) || (items[k].dst >= items[k - 1u].dst + items[k - 1u].bytes));
            cr_assert((k == 0u) ||
                      (items[k].dst < items[k - 1u].dst + items[k - 1u].bytes + align),
                      "the smallest aligned offset");
        }
        cr_assert(total == ((m == 0u) ? 0u : items[m - 1u].dst + items[m - 1u].bytes));
        for (ci = 0; ci < 4; ci++) {
            static const uint64_t chunks[] = {1u, 3u, 17u, 0u};
            check_chunks(&f, tk, items, m, total, chunks[ci]);
        }
        unparse(&p);
        dt_file_free(&f);
    }
    cr_assert((accepted > 1000u) && (refused > 300u), "accepted %llu refused %llu",
              (unsigned long long)accepted, (unsigned long long)refused);
}

Test(plan, unknown_shard_kind_refused)
{
    dt_tensor ts[] = {{"a", ST_U8, 2u, {4u, 4u}}};
    dt_file f;
    parsed p;
    st_plan_item it;
    const st_tensor *t;
    dt_write(&f, "k.safetensors", ts, 1u, 1u);
    parse(&f, &p);
    t = st_find(&p.file, (const uint8_t *)"a", 1u);
    cr_assert(st_plan_item_init(&p.file, t, (st_shard_kind)3, 0u, 1u, &it) == ST_E_ARGUMENT);
    cr_assert(st_plan_item_init(&p.file, t, ST_SHARD_ROWS, 0u, 4u, &it) == ST_OK);
    cr_assert(st_plan_item_init(&p.file, t, ST_SHARD_ROWS, 0u, 5u, &it) == ST_E_ARGUMENT);
    unparse(&p);
    dt_file_free(&f);
}

Test(plan, bad_alignments_refused)
{
    st_plan_item it;
    uint64_t total = 99u;
    static const uint64_t bad[] = {0u, 3u, 384u, (uint64_t)ST_PLAN_ALIGN_MAX * 2u,
                                   (uint64_t)1 << 40};
    size_t i;
    memset(&it, 0, sizeof it);
    for (i = 0u; i < (sizeof bad / sizeof bad[0]); i++) {
        cr_assert(st_plan_layout(&it, 1u, bad[i], &total) == ST_E_ARGUMENT);
        cr_assert(total == 0u);
    }
    cr_assert(st_plan_layout(&it, 0u, ST_PLAN_ALIGN_MAX, &total) == ST_OK);
    cr_assert(total == 0u);
}

/* Items written by hand whose sizes overflow 64 bits are refused. */
Test(plan, overflowing_layout_refused)
{
    st_plan_item it[2];
    uint64_t total = 0u;
    memset(it, 0, sizeof it);
    it[0].src_begin = 100u;
    it[0].src_bytes = UINT64_MAX - 200u;
    it[0].rows = 1u;
    it[0].cols = UINT64_MAX - 200u;
    it[0].bits = 8u;
    it[0].shard = ST_SHARD_NONE;
    it[1] = it[0];
    cr_assert(st_plan_layout(it, 1u, 1u, &total) == ST_OK);
    cr_assert(total == UINT64_MAX - 200u);
    cr_assert(st_plan_layout(it, 2u, 1u, &total) == ST_E_ARGUMENT, "two such items overflow");
    /* a column range whose runs would reach past the tensor */
    memset(it, 0, sizeof it);
    it[0].src_begin = 0u;
    it[0].src_bytes = 16u;
    it[0].rows = 4u;
    it[0].cols = 4u;
    it[0].bits = 8u;
    it[0].shard = ST_SHARD_COLS;
    it[0].start = 2u;
    it[0].stop = 6u;
    cr_assert(st_plan_layout(it, 1u, 1u, &total) == ST_E_ARGUMENT);
}

Test(plan, chunk_size_out_of_range_means_the_maximum)
{
    st_chunk_iter it;
    st_plan_iter_init(&it, NULL, 0u, 0u);
    cr_assert(it.chunk == ST_PLAN_CHUNK_MAX);
    st_plan_iter_init(&it, NULL, 0u, (uint64_t)ST_PLAN_CHUNK_MAX + 1u);
    cr_assert(it.chunk == ST_PLAN_CHUNK_MAX);
    st_plan_iter_init(&it, NULL, 0u, 5u);
    cr_assert(it.chunk == 5u);
}

/* ST-PLAN-4 for every size up to 60 and every world up to 9, and beyond. */
Test(plan, tensor_parallel_ranges)
{
    uint64_t size;
    uint32_t world;
    for (size = 0u; size <= 60u; size++) {
        for (world = 1u; world <= 9u; world++) {
            uint64_t next = 0u;
            uint32_t r;
            for (r = 0u; r < world; r++) {
                uint64_t a = 0u;
                uint64_t z = 0u;
                uint64_t len;
                st_plan_tp_range(size, r, world, &a, &z);
                len = z - a;
                cr_assert(a == next, "contiguous");
                cr_assert((len == size / world) || (len == (size / world) + 1u));
                cr_assert((len == (size / world) + 1u) == (r < (size % world)),
                          "the first size %% world ranks are larger");
                next = z;
            }
            cr_assert(next == size, "covers [0, size)");
        }
    }
    {
        uint64_t a = 0u;
        uint64_t z = 0u;
        st_plan_tp_range(10u, 0u, 0u, &a, &z); /* world 0 is 1 */
        cr_assert((a == 0u) && (z == 10u));
        st_plan_tp_range(10u, 7u, 3u, &a, &z); /* rank past the end is the last */
        cr_assert((a == 7u) && (z == 10u));
        st_plan_tp_range(UINT64_MAX, 2u, 3u, &a, &z);
        cr_assert(z == UINT64_MAX);
        cr_assert(a == 2u * (UINT64_MAX / 3u));
    }
}
