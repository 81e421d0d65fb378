/*
 * fuzz_roundtrip.c -- parse, write, parse (ST-WRITE-1 .. ST-WRITE-6).
 *
 * A file compat accepts is described to the writer (live tensors, their
 * bytes, the metadata) and written out again. The written file must be
 * accepted in strict mode, hold the same table (same names, dtypes, shapes,
 * tensor bytes and metadata; offsets may move, since the writer imposes its
 * own order), and be canonical: writing it once more gives the same bytes
 * (write . parse is idempotent), so a canonical input comes back
 * byte-identical. Whether an arbitrary input is canonical is known only by
 * writing it, so the direct form of that check runs on demand: with
 * FUZZ_EXPECT_CANONICAL=1 in the environment every input must be accepted
 * and come back byte-identical (the smoke test replays the seeds written by
 * the reference writer, fuzz/seeds/canonical/, this way).
 */
#include "fuzz_check.h"
#include "st_write.h"

/* FUZZ_EXPECT_CANONICAL=1: every input is a canonical file. Read once. */
static int fz_expect_canonical(void)
{
    static int state = -1;
    if (state < 0) {
        const char *v = getenv("FUZZ_EXPECT_CANONICAL");
        state = (v != NULL && strcmp(v, "1") == 0) ? 1 : 0;
    }
    return state;
}

/* The written image of an accepted file. */
typedef struct fz_written {
    st_wtensor *wt;
    st_wmeta *wm;
    uint32_t *order;
    uint32_t *meta_order;
    uint8_t *file;
    uint64_t len;
} fz_written;

static void fz_written_free(fz_written *w)
{
    free(w->wt);
    free(w->wm);
    free(w->order);
    free(w->meta_order);
    free(w->file);
    memset(w, 0, sizeof *w);
}

static void fz_write(const fz_parse *p, fz_written *w)
{
    const st_file *f = &p->f;
    st_wset set;
    st_wplan plan;
    st_wdiag wd;
    uint64_t written = 0u;
    uint64_t running = 0u;
    memset(w, 0, sizeof *w);
    w->wt = (st_wtensor *)fz_alloc(f->n_tensors, sizeof(st_wtensor));
    w->wm = (st_wmeta *)fz_alloc(f->n_meta, sizeof(st_wmeta));
    w->order = (uint32_t *)fz_alloc(f->n_tensors, sizeof(uint32_t));
    w->meta_order = (uint32_t *)fz_alloc(f->n_meta, sizeof(uint32_t));
    for (uint32_t i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        w->wt[i].name = t->name;
        w->wt[i].name_len = t->name_len;
        w->wt[i].rank = t->rank;
        w->wt[i].dims = (t->rank != 0u) ? &p->s.dims[t->dims_at] : NULL;
        w->wt[i].dtype = t->dtype;
        w->wt[i].data_len = t->end - t->begin;
    }
    for (uint32_t i = 0u; i < f->n_meta; i++) {
        const st_meta *m = st_meta_at(f, i);
        w->wm[i].key = m->key;
        w->wm[i].key_len = m->key_len;
        w->wm[i].value = m->value;
        w->wm[i].value_len = m->value_len;
    }
    set.tensors = w->wt;
    set.n_tensors = f->n_tensors;
    set.meta = w->wm;
    set.n_meta = f->n_meta;
    set.has_metadata = f->has_metadata;
    FZ_REQUIRE(st_write_plan(&set, w->order, w->meta_order, &plan, &wd) == ST_W_OK);
    FZ_REQUIRE(plan.header_len % 8u == 0u && plan.json_len <= plan.header_len);
    FZ_REQUIRE(plan.header_len - plan.json_len < 8u);
    FZ_REQUIRE(plan.data_len == f->data_len);
    FZ_REQUIRE(plan.file_len == ST_PREFIX_LEN + plan.header_len + plan.data_len);
    w->len = plan.file_len;
    w->file = (uint8_t *)fz_alloc(w->len, 1u);
    /* one byte short is refused and nothing is written */
    FZ_REQUIRE(st_write_header(&plan, w->file, ST_PREFIX_LEN + plan.header_len - 1u,
                               &written) == ST_W_STORAGE);
    FZ_REQUIRE(st_write_header(&plan, w->file, ST_PREFIX_LEN + plan.header_len,
                               &written) == ST_W_OK);
    FZ_REQUIRE(written == ST_PREFIX_LEN + plan.header_len);
    for (uint32_t i = 0u; i < f->n_tensors; i++) {
        uint64_t b = 0u;
        uint64_t e = 0u;
        uint64_t size = 0u;
        uint32_t k = st_write_tensor_at(&plan, i, &b, &e);
        const uint8_t *src;
        FZ_REQUIRE(k < f->n_tensors);
        FZ_REQUIRE(b == running && e - b == w->wt[k].data_len);
        src = st_tensor_data(f, st_tensor_at(f, k), &size);
        if (size != 0u) {
            memcpy(w->file + ST_PREFIX_LEN + plan.header_len + b, src, (size_t)size);
        }
        running = e;
    }
    FZ_REQUIRE(running == plan.data_len);
}

/* Same table up to offsets: names, dtypes, shapes, bytes, metadata. */
static void fz_require_same_content(const fz_parse *a, const fz_parse *b)
{
    FZ_REQUIRE(a->f.n_tensors == b->f.n_tensors);
    FZ_REQUIRE(a->f.n_meta == b->f.n_meta);
    FZ_REQUIRE(a->f.has_metadata == b->f.has_metadata);
    FZ_REQUIRE(a->f.data_len == b->f.data_len);
    for (uint32_t i = 0u; i < a->f.n_tensors; i++) {
        const st_tensor *x = st_tensor_at(&a->f, i);
        const st_tensor *y = st_find(&b->f, x->name, x->name_len);
        uint64_t xs = 0u;
        uint64_t ys = 0u;
        const uint8_t *xd;
        const uint8_t *yd;
        FZ_REQUIRE(y != NULL);
        FZ_REQUIRE(x->dtype == y->dtype && x->rank == y->rank);
        for (uint32_t d = 0u; d < x->rank; d++) {
            FZ_REQUIRE(st_dim(&a->f, x, d) == st_dim(&b->f, y, d));
        }
        xd = st_tensor_data(&a->f, x, &xs);
        yd = st_tensor_data(&b->f, y, &ys);
        FZ_REQUIRE(xs == ys);
        FZ_REQUIRE(xs == 0u || memcmp(xd, yd, (size_t)xs) == 0);
    }
    for (uint32_t i = 0u; i < a->f.n_meta; i++) {
        const st_meta *x = st_meta_at(&a->f, i);
        const st_meta *y = st_meta_at(&b->f, i);
        FZ_REQUIRE(fz_bytes_cmp(x->key, x->key_len, y->key, y->key_len) == 0);
        FZ_REQUIRE(fz_bytes_cmp(x->value, x->value_len, y->value, y->value_len) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_parse in;
    if (fz_parse_checked(&in, data, (uint64_t)size, ST_MODE_COMPAT) == ST_OK) {
        fz_written w1;
        fz_written w2;
        fz_parse out1;
        fz_parse out2;
        fz_write(&in, &w1);
        FZ_REQUIRE(fz_parse_checked(&out1, w1.file, w1.len, ST_MODE_STRICT) == ST_OK);
        fz_require_same_content(&in, &out1);
        fz_write(&out1, &w2);
        FZ_REQUIRE(w2.len == w1.len && memcmp(w2.file, w1.file, (size_t)w1.len) == 0);
        /* canonical in, identical out (see fz_expect_canonical) */
        if (fz_expect_canonical()) {
            FZ_REQUIRE(w1.len == (uint64_t)size && memcmp(w1.file, data, size) == 0);
        }
        FZ_REQUIRE(fz_parse_checked(&out2, w2.file, w2.len, ST_MODE_STRICT) == ST_OK);
        fz_require_same_table(&out1.f, &out2.f);
        fz_release(&out1);
        fz_release(&out2);
        fz_written_free(&w1);
        fz_written_free(&w2);
    } else {
        FZ_REQUIRE(!fz_expect_canonical());
    }
    fz_release(&in);
    return 0;
}
