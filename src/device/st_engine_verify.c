/*
 * st_engine_verify.c -- copy a load back from the device and compare it
 * with the file (st_load_verify, st_load_read_back).
 *
 * The expected bytes are derived from the tensor's dtype, the 2-D view and
 * the selected range, the way a reader of the format would cut them out of
 * the file; the plan's runs (src, pitch, width, height) are not used, so a
 * mistake in them cannot hide itself. The file's bytes come from its
 * mapping (or its in-memory copy), not from the pread path of the load.
 */
#define _POSIX_C_SOURCE 200809L

#include "st_engine_int.h"

#include <stdlib.h>
#include <string.h>

/* The selection of one item as runs in the file. */
typedef struct expect {
    uint64_t first;  /* file offset of run 0 */
    uint64_t step;   /* between runs */
    uint64_t width;  /* bytes per run */
    uint64_t count;  /* runs */
} expect;

static bool mul(uint64_t a, uint64_t b, uint64_t *r)
{
    bool ok = (a == 0u) || (b <= (UINT64_MAX / a));
    *r = ok ? (a * b) : 0u;
    return ok;
}

/*
 * Runs of an item's selection, from the tensor's dtype and the selection:
 * the planner's 2-D view (item rows x cols, which must multiply to the
 * shape's element count) and the range. The plan's runs are not used.
 */
static bool expected_runs(const st_load *L, uint32_t i, expect *x)
{
    const st_load_entry *e = &L->entries[i];
    const st_plan_item *it = &L->items[i];
    const st_file *f = &L->files[e->file].loaded.file;
    const st_tensor *t = e->tensor;
    uint64_t bits = st_dtype_bits((st_dtype)t->dtype);
    uint64_t nelem = 0u;
    uint64_t base = ST_PREFIX_LEN + f->header_len + t->begin;
    uint64_t row_bits = 0u;
    uint64_t a = 0u;
    uint64_t z = 0u;
    bool ok = mul(it->rows, it->cols, &nelem) && (nelem == st_tensor_nelem(f, t)) &&
              mul(it->cols, bits, &row_bits);
    memset(x, 0, sizeof *x);
    if (!ok) {
        /* the view does not describe this tensor */
    } else if (it->shard == (uint32_t)ST_SHARD_NONE) {
        x->first = base;
        x->width = t->end - t->begin;
        x->count = 1u;
    } else if (it->shard == (uint32_t)ST_SHARD_ROWS) {
        ok = mul(it->start, row_bits, &a) && mul(it->stop, row_bits, &z);
        x->first = base + (a / 8u);
        x->width = (z - a) / 8u;
        x->count = 1u;
    } else {
        ok = mul(it->start, bits, &a) && mul(it->stop, bits, &z);
        x->first = base + (a / 8u);
        x->width = (z - a) / 8u;
        x->count = (x->width > 0u) ? it->rows : 0u;
        x->step = row_bits / 8u;
    }
    return ok;
}

st_dev_err st_load_read_back(st_load *L, uint32_t i, void *out)
{
    st_backend *b = L->backend;
    st_dev_err rc = ST_DEV_OK;
    if (!L->ran || (L->code != ST_DEV_OK) || (i >= L->n_items)) {
        rc = st_load_fail(L, ST_DEV_E_STATE,
                          "read back needs a successful load and a tensor index");
    } else if ((L->items[i].bytes > 0u) &&
               (!b->bind(b) ||
               !b->copy_d2h(b, out, (const uint8_t *)L->device + L->items[i].dst,
                            (size_t)L->items[i].bytes))) {
        char nm[ST_ENGINE_NAME_TEXT];
        st_engine_name_text(nm, sizeof nm, L->entries[i].name, L->entries[i].name_len);
        rc = st_load_fail(L, ST_DEV_E_COPY, "tensor %s: copy back from the device: %s: %s", nm,
                          b->name, b->last_error(b));
    } else {
        /* copied, or nothing to copy */
    }
    return rc;
}

/* Compare got[0..n) with the selection's bytes at packed positions [pos, pos+n). */
static bool compare_piece(const uint8_t *file, const expect *x, uint64_t pos, const uint8_t *got,
                          uint64_t n, uint64_t *bad_at, uint64_t *bad_off)
{
    uint64_t k = 0u;
    bool same = true;
    /* The caller checked width * count == bytes, so a piece with bytes has a
       width; the test keeps the division visibly defined. */
    while (same && (k < n) && (x->width > 0u)) {
        uint64_t p = pos + k;
        uint64_t run = p / x->width;
        uint64_t o = p % x->width;
        uint64_t len = x->width - o;
        const uint8_t *want = file + x->first + (run * x->step) + o;
        if (len > (n - k)) {
            len = n - k;
        }
        if (memcmp(want, got + k, (size_t)len) != 0) {
            uint64_t m = 0u;
            while (want[m] == got[k + m]) {
                m++;
            }
            *bad_at = p + m;
            *bad_off = x->first + (run * x->step) + o + m;
            same = false;
        }
        k += len;
    }
    return same;
}

st_dev_err st_load_verify(st_load *L, uint64_t *compared)
{
    st_backend *b = L->backend;
    st_dev_err rc = ST_DEV_OK;
    uint8_t *buf = NULL;
    uint64_t piece = L->opts.chunk;
    uint64_t total = 0u;
    uint32_t i;
    if (compared != NULL) {
        *compared = 0u;
    }
    if (!L->ran || (L->code != ST_DEV_OK)) {
        return st_load_fail(L, ST_DEV_E_STATE, "verify needs a successful load");
    }
    if (!b->bind(b)) {
        return st_load_fail(L, ST_DEV_E_COPY, "%s: %s", b->name, b->last_error(b));
    }
    if (piece > L->total) {
        piece = (L->total > 0u) ? L->total : 1u;
    }
    buf = malloc((size_t)piece);
    if (buf == NULL) {
        return st_load_fail(L, ST_DEV_E_MEMORY, "out of memory for verification");
    }
    for (i = 0u; (rc == ST_DEV_OK) && (i < L->n_items); i++) {
        const st_load_entry *e = &L->entries[i];
        const st_plan_item *it = &L->items[i];
        const uint8_t *file = L->files[e->file].loaded.bytes;
        char nm[ST_ENGINE_NAME_TEXT];
        expect x;
        uint64_t pos = 0u;
        bool runs_ok;
        uint64_t selected;
        st_engine_name_text(nm, sizeof nm, e->name, e->name_len);
        runs_ok = expected_runs(L, i, &x); /* writes every field of x */
        selected = x.width * x.count;
        if (!runs_ok || (selected != it->bytes)) {
            rc = st_load_fail(L, ST_DEV_E_VERIFY,
                              "%s: tensor %s: the plan copies %llu bytes, the selection has %llu",
                              L->files[e->file].path, nm, (unsigned long long)it->bytes,
                              (unsigned long long)selected);
        }
        while ((rc == ST_DEV_OK) && (pos < it->bytes)) {
            uint64_t n = ((it->bytes - pos) < piece) ? (it->bytes - pos) : piece;
            uint64_t bad_at = 0u;
            uint64_t bad_off = 0u;
            uint64_t dev_at = 0u;
            if (!b->copy_d2h(b, buf, (const uint8_t *)L->device + it->dst + pos, (size_t)n)) {
                rc = st_load_fail(L, ST_DEV_E_COPY,
                                  "%s: tensor %s: copy back from the device: %s: %s",
                                  L->files[e->file].path, nm, b->name, b->last_error(b));
            } else if (!compare_piece(file, &x, pos, buf, n, &bad_at, &bad_off)) {
                dev_at = it->dst + bad_at;
                rc = st_load_fail(L, ST_DEV_E_VERIFY,
                                  "%s: tensor %s: byte %llu of the device copy (device offset "
                                  "%llu) is 0x%02x, the file has 0x%02x (file offset %llu)",
                                  L->files[e->file].path, nm, (unsigned long long)bad_at,
                                  (unsigned long long)dev_at,
                                  (unsigned)buf[bad_at - pos], (unsigned)file[bad_off],
                                  (unsigned long long)bad_off);
            } else {
                pos += n;
                total += n;
            }
        }
    }
    free(buf);
    if (compared != NULL) {
        *compared = total;
    }
    return rc;
}
