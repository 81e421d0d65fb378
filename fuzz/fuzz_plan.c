/*
 * fuzz_plan.c -- the device copy planner (ST-PLAN-1 .. ST-PLAN-4) on the
 * tensors of a file the parser accepted.
 *
 * Input: 8 bytes of plan parameters, then a safetensors file.
 *   p[0]     destination alignment 2^(p[0] % 13) (1 B .. 4 KiB, keeps the
 *            simulated device buffer small)
 *   p[1..2]  staging chunk size 1 + (p[1] | p[2] << 8)
 *   p[3]     tensor-parallel world size 1 + p[3] % 8
 *   p[4..7]  selection bytes; tensor i uses s = p[4 + i % 4] + 7 i:
 *            s % 3 = shard kind (none, rows, columns); s / 3 % world = rank
 *            (range from st_plan_tp_range); if s >= 192 the range is
 *            instead [s % 5, s / 5 % 7), which may be out of bounds.
 *
 * Checked: st_plan_tp_range tiles [0, size) in world contiguous pieces whose
 * sizes differ by at most one, the larger ones first; st_plan_item_init
 * accepts exactly the selections that are in bounds and fall on byte
 * boundaries (recomputed here from the 2-D view of st_plan.h); the layout
 * places items in order, aligned, without overlap; the chunks stay within
 * the file and the staging size, and copying them (simulated, into an
 * exactly sized buffer) writes every selected byte once and nothing else,
 * each byte equal to the one the selection names in the file.
 */
#include "fuzz_check.h"
#include "st_plan.h"

#define FZ_PLAN_PARAMS 8u

static void fz_check_tp_range(uint64_t size, uint32_t world)
{
    uint64_t expect = 0u;
    uint64_t base = size / world;
    for (uint32_t r = 0u; r < world; r++) {
        uint64_t a = 0u;
        uint64_t b = 0u;
        st_plan_tp_range(size, r, world, &a, &b);
        FZ_REQUIRE(a == expect && a <= b && b <= size);
        FZ_REQUIRE(b - a == base + ((r < size % world) ? 1u : 0u));
        expect = b;
    }
    FZ_REQUIRE(expect == size);
}

/* The 2-D view of st_plan.h: rows = product of all dimensions but the last,
 * cols = the last (a scalar is 1 x 1); a rank-1 tensor is one column (its
 * elements are rows) unless columns are selected. */
static void fz_view(const st_file *f, const st_tensor *t, uint32_t kind, uint64_t *rows,
                    uint64_t *cols)
{
    *rows = 1u;
    *cols = 1u;
    if (t->rank == 1u && kind != ST_SHARD_COLS) {
        *rows = st_dim(f, t, 0u);
    } else if (t->rank > 0u) {
        *cols = st_dim(f, t, t->rank - 1u);
        for (uint32_t d = 0u; d + 1u < t->rank; d++) {
            *rows *= st_dim(f, t, d);  /* no overflow: the file is valid */
        }
    }
}

/* Would a selection be accepted? In bounds, and cut on byte boundaries. */
static int fz_selection_ok(uint64_t rows, uint64_t cols, uint64_t bits, uint32_t kind,
                           uint64_t start, uint64_t stop)
{
    int ok;
    if (kind == ST_SHARD_NONE) {
        ok = 1;
    } else {
        uint64_t limit = (kind == ST_SHARD_COLS) ? cols : rows;
        uint64_t unit = (kind == ST_SHARD_COLS) ? bits : cols * bits;
        ok = (start <= stop) && (stop <= limit);
        if (ok && start != stop) {
            ok = ((start * unit) % 8u == 0u) && ((stop * unit) % 8u == 0u);
            if (ok && kind == ST_SHARD_COLS && rows > 1u) {
                ok = ((cols * bits) % 8u == 0u);
            }
        }
    }
    return ok;
}

/* Append the bytes a selection names, from the tensor's data, to out. */
static uint64_t fz_expected(const uint8_t *data, uint64_t rows, uint64_t cols, uint64_t bits,
                            uint32_t kind, uint64_t start, uint64_t stop, uint64_t size,
                            uint8_t *out)
{
    uint64_t n = 0u;
    if (kind == ST_SHARD_NONE) {
        if (size != 0u) {
            memcpy(out, data, (size_t)size);
        }
        n = size;
    } else if (start == stop) {
        n = 0u;
    } else if (kind == ST_SHARD_ROWS) {
        uint64_t lo = start * cols * bits / 8u;
        uint64_t hi = stop * cols * bits / 8u;
        if (hi > lo) {
            memcpy(out, data + lo, (size_t)(hi - lo));
        }
        n = hi - lo;
    } else {
        for (uint64_t r = 0u; r < rows; r++) {
            uint64_t lo = (r * cols + start) * bits / 8u;
            uint64_t hi = (r * cols + stop) * bits / 8u;
            if (hi > lo) {
                memcpy(out + n, data + lo, (size_t)(hi - lo));
            }
            n += hi - lo;
        }
    }
    return n;
}

static void fz_plan(const fz_parse *p, const uint8_t *params)
{
    const st_file *f = &p->f;
    uint64_t align = (uint64_t)1u << (params[0] % 13u);
    uint64_t chunk = 1u + ((uint64_t)params[1] | ((uint64_t)params[2] << 8));
    uint32_t world = 1u + (uint32_t)(params[3] % 8u);
    st_plan_item *items = (st_plan_item *)fz_alloc(f->n_tensors, sizeof(st_plan_item));
    uint64_t *want_at = (uint64_t *)fz_alloc(f->n_tensors, sizeof(uint64_t));
    uint64_t *want_len = (uint64_t *)fz_alloc(f->n_tensors, sizeof(uint64_t));
    uint8_t *want = (uint8_t *)fz_alloc(f->data_len + 1u, 1u);  /* never NULL */
    uint64_t want_total = 0u;
    uint32_t n = 0u;
    uint64_t total = 0u;
    uint8_t *dev;
    uint8_t *hits;
    st_chunk_iter it;
    st_chunk c;
    uint32_t last_item = 0u;
    uint64_t chunks = 0u;

    for (uint32_t i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        uint32_t s = (uint32_t)((params[4u + (i % 4u)] + 7u * i) % 256u);
        uint32_t kind = s % 3u;
        uint64_t rows;
        uint64_t cols;
        uint64_t bits = st_dtype_bits((st_dtype)t->dtype);
        uint64_t start = 0u;
        uint64_t stop = 0u;
        uint64_t size = 0u;
        const uint8_t *data = st_tensor_data(f, t, &size);
        st_err e;
        fz_view(f, t, kind, &rows, &cols);
        if (kind != ST_SHARD_NONE) {
            uint64_t dim = (kind == ST_SHARD_COLS) ? cols : rows;
            fz_check_tp_range(dim, world);
            if (s >= 192u) {
                start = s % 5u;
                stop = (s / 5u) % 7u;
            } else {
                st_plan_tp_range(dim, (s / 3u) % world, world, &start, &stop);
            }
        }
        e = st_plan_item_init(f, t, (st_shard_kind)kind, start, stop, &items[n]);
        FZ_REQUIRE((e == ST_OK) == fz_selection_ok(rows, cols, bits, kind, start, stop));
        if (e != ST_OK) {
            FZ_REQUIRE(e == ST_E_ARGUMENT);
            continue;
        }
        FZ_REQUIRE(items[n].src_begin == (uint64_t)(data - p->buf) && items[n].src_bytes == size);
        FZ_REQUIRE(items[n].rows == rows && items[n].cols == cols && items[n].bits == bits);
        want_at[n] = want_total;
        want_len[n] = fz_expected(data, rows, cols, bits, kind, start, stop, size,
                                  want + want_total);
        want_total += want_len[n];
        FZ_REQUIRE(want_total <= f->data_len);
        n++;
    }

    FZ_REQUIRE(st_plan_layout(items, n, align, &total) == ST_OK);
    for (uint32_t i = 0u; i < n; i++) {
        const st_plan_item *it_ = &items[i];
        uint64_t prev_end = (i == 0u) ? 0u : items[i - 1u].dst + items[i - 1u].bytes;
        FZ_REQUIRE(it_->bytes == want_len[i]);
        FZ_REQUIRE(it_->dst % align == 0u && it_->dst >= prev_end && it_->dst - prev_end < align);
        FZ_REQUIRE(it_->dst + it_->bytes <= total);
    }
    FZ_REQUIRE(total == ((n == 0u) ? 0u : items[n - 1u].dst + items[n - 1u].bytes));

    dev = (uint8_t *)fz_alloc(total, 1u);
    hits = (uint8_t *)fz_alloc(total, 1u);
    if (total != 0u) {
        memset(hits, 0, (size_t)total);
    }
    st_plan_iter_init(&it, items, n, chunk);
    while (st_plan_next(&it, &c)) {
        const st_plan_item *item;
        FZ_REQUIRE(c.item < n && c.item >= last_item);
        item = &items[c.item];
        last_item = c.item;
        FZ_REQUIRE(c.width > 0u && c.height > 0u && c.width <= chunk);
        FZ_REQUIRE(c.height <= chunk / c.width);
        FZ_REQUIRE(c.height == 1u || c.width <= c.pitch);
        FZ_REQUIRE(c.src >= item->src_begin);
        FZ_REQUIRE(c.src + (c.height - 1u) * c.pitch + c.width <= item->src_begin + item->src_bytes);
        FZ_REQUIRE(c.dst >= item->dst && c.dst + c.width * c.height <= item->dst + item->bytes);
        for (uint64_t r = 0u; r < c.height; r++) {
            uint64_t d = c.dst + r * c.width;
            memcpy(dev + d, p->buf + c.src + r * c.pitch, (size_t)c.width);
            for (uint64_t k = 0u; k < c.width; k++) {
                FZ_REQUIRE(hits[d + k] == 0u);
                hits[d + k] = 1u;
            }
        }
        chunks++;
        FZ_REQUIRE(chunks <= total);
    }
    FZ_REQUIRE(!st_plan_next(&it, &c));
    for (uint32_t i = 0u; i < n; i++) {
        for (uint64_t k = 0u; k < want_len[i]; k++) {
            FZ_REQUIRE(hits[items[i].dst + k] == 1u);
        }
        FZ_REQUIRE(want_len[i] == 0u ||
                   memcmp(dev + items[i].dst, want + want_at[i], (size_t)want_len[i]) == 0);
    }
    {
        uint64_t written = 0u;
        for (uint64_t k = 0u; k < total; k++) {
            written += hits[k];
        }
        FZ_REQUIRE(written == want_total);
    }
    free(dev);
    free(hits);
    free(items);
    free(want_at);
    free(want_len);
    free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_parse p;
    if (size < FZ_PLAN_PARAMS) {
        return 0;
    }
    if (fz_parse_checked(&p, data + FZ_PLAN_PARAMS, (uint64_t)(size - FZ_PLAN_PARAMS),
                         ST_MODE_COMPAT) == ST_OK) {
        fz_plan(&p, data);
    }
    fz_release(&p);
    return 0;
}
