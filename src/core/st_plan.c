/*
 * st_plan.c -- the device copy planner (ST-PLAN-1 .. ST-PLAN-4).
 * Every size is computed with checked arithmetic; the iterator hands out
 * chunks that stay inside the selected source bytes and the destination
 * range of their item, in order, each byte once (proofs/README.md).
 */
#include "st_plan.h"

#define ST_U64_MAX 18446744073709551615u

/* a * b, or false when it does not fit in 64 bits. */
/*@ requires \valid(r);
    assigns *r;
    ensures \result == \true <==> a * b <= ST_U64_MAX;
    ensures \result == \true ==> *r == a * b;
*/
static bool st_mul64(uint64_t a, uint64_t b, uint64_t *r)
{
    bool ok = (a == 0u) || (b <= (ST_U64_MAX / a));
    *r = ok ? (a * b) : 0u;
    return ok;
}

/* a + b, or false when it does not fit in 64 bits. */
/*@ requires \valid(r);
    assigns *r;
    ensures \result == \true <==> a + b <= ST_U64_MAX;
    ensures \result == \true ==> *r == a + b;
*/
static bool st_add64(uint64_t a, uint64_t b, uint64_t *r)
{
    bool ok = b <= (ST_U64_MAX - a);
    *r = ok ? (a + b) : 0u;
    return ok;
}

/* a * b fits in 64 bits. */
/*@ assigns \nothing;
    ensures \result == \true <==> a * b <= ST_U64_MAX;
*/
static bool st_fits_mul(uint64_t a, uint64_t b)
{
    return (a == 0u) || (b <= (ST_U64_MAX / a));
}

/* a + b fits in 64 bits. */
/*@ assigns \nothing;
    ensures \result == \true <==> a + b <= ST_U64_MAX;
*/
static bool st_fits_add(uint64_t a, uint64_t b)
{
    return b <= (ST_U64_MAX - a);
}

/* Dimension d of tensor t (d < t->rank), as st_dim reads it. */
/*@ requires \valid_read(f) && \valid_read(t) && \valid_read(f->st);
    requires d < t->rank && t->dims_at + t->rank <= 4294967295;
    requires \valid_read(f->st->dims + (t->dims_at .. t->dims_at + t->rank - 1));
    assigns \nothing;
    ensures \result == f->st->dims[t->dims_at + d];
*/
static uint64_t st_plan_dim(const st_file *f, const st_tensor *t, uint32_t d)
{
    return f->st->dims[t->dims_at + d];
}

/* Rows of the 2-D view: the product of dimensions 0 .. nd - 1 of t in
   *rows, or false when it does not fit in 64 bits. */
/*@ requires \valid_read(f) && \valid_read(t) && \valid_read(f->st);
    requires nd <= t->rank && t->dims_at + t->rank <= 4294967295;
    requires \valid_read(f->st->dims + (t->dims_at .. t->dims_at + t->rank - 1));
    requires \valid(rows);
    assigns *rows;
    ensures nd == 0 ==> \result == \true && *rows == 1;
*/
static bool st_plan_rows(const st_file *f, const st_tensor *t, uint32_t nd, uint64_t *rows)
{
    uint64_t acc = 1u;
    bool ok = true;
    uint32_t d;
    /*@ loop invariant 0 <= d <= nd;
        loop invariant d == 0 ==> acc == 1 && ok == \true;
        loop assigns d, ok, acc;
        loop variant nd - d;
    */
    for (d = 0u; d < nd; d++) {
        uint64_t dim = st_plan_dim(f, t, d);
        if (ok && st_fits_mul(acc, dim)) {
            acc = acc * dim;
        } else {
            ok = false;
        }
    }
    *rows = acc;
    return ok;
}

/* ST-PLAN-1: the selection [first, last) of a view of rows x cols elements
   of `bits` bits lies inside the view and, when it selects bytes, is cut
   where a byte ends. With at least one row, a non-empty range selects bits
   (for a row range, a zero-width row copies nothing and every product is
   0); a column range of a view with no rows selects no byte: nothing is
   cut. */
/*@ assigns \nothing;
    ensures \result ==> st_sel_ok(shard, rows, cols, bits, first, last);
*/
static bool st_plan_cut(uint32_t shard, uint64_t rows, uint64_t cols, uint64_t bits,
                        uint64_t first, uint64_t last)
{
    bool cols_shard = (shard == (uint32_t)ST_SHARD_COLS);
    bool ok = (first <= last) && (last <= (cols_shard ? cols : rows));
    if (ok && (first != last) && (rows != 0u)) {
        uint64_t per = cols_shard ? 1u : cols;
        uint64_t unit = 0u;
        ok = st_fits_mul(per, bits);
        if (ok) {
            unit = per * bits;
            /*@ assert unit == st_unit(shard, cols, bits); */
            ok = st_fits_mul(first, unit) && st_fits_mul(last, unit) &&
                 (((first * unit) % 8u) == 0u) && (((last * unit) % 8u) == 0u);
        }
        if (ok && cols_shard && (rows > 1u)) {
            ok = st_fits_mul(cols, bits) && (((cols * bits) % 8u) == 0u);
        }
    }
    return ok;
}

/* Fill in an item's inputs; its outputs start empty. */
/*@ requires \valid(item);
    requires 0 < bits && shard <= ST_SHARD_COLS;
    requires src_bytes * 8 == rows * cols * bits;
    requires src_begin + src_bytes <= 18446744073709551615;
    requires st_sel_ok(shard, rows, cols, bits, start, stop);
    assigns *item;
    ensures st_item_input_ok(*item);
    ensures item->src_begin == src_begin && item->src_bytes == src_bytes;
    ensures item->rows == rows && item->cols == cols && item->bits == bits;
    ensures item->shard == shard && item->start == start && item->stop == stop;
    ensures item->src == src_begin && item->pitch == 0 && item->width == 0 &&
            item->height == 0 && item->bytes == 0 && item->dst == 0;
*/
static void st_plan_item_set(st_plan_item *item, uint64_t src_begin, uint64_t src_bytes,
                             uint64_t rows, uint64_t cols, uint32_t bits, uint32_t shard,
                             uint64_t start, uint64_t stop)
{
    item->src_begin = src_begin;
    item->src_bytes = src_bytes;
    item->rows = rows;
    item->cols = cols;
    item->bits = bits;
    item->shard = shard;
    item->start = start;
    item->stop = stop;
    item->src = src_begin;
    item->pitch = 0u;
    item->width = 0u;
    item->height = 0u;
    item->bytes = 0u;
    item->dst = 0u;
    /*@ assert \let v = *item;
               v.src_begin == src_begin && v.src_bytes == src_bytes && v.rows == rows &&
               v.cols == cols && v.bits == bits && v.shard == shard && v.start == start &&
               v.stop == stop; */
}

/* ST-PLAN-1 */
/*@ requires \valid_read(f) && \valid_read(t) && \valid(item) && \valid_read(f->st);
    requires f->header_len <= ST_HEADER_MAX;
    requires t->dims_at + t->rank <= 4294967295;
    requires \valid_read(f->st->dims + (t->dims_at .. t->dims_at + t->rank - 1));
    assigns *item;
    ensures \result == ST_OK || \result == ST_E_ARGUMENT;
    ensures shard != ST_SHARD_NONE && shard != ST_SHARD_ROWS && shard != ST_SHARD_COLS ==>
              \result == ST_E_ARGUMENT;
    ensures \result == ST_OK ==> st_item_input_ok(*item) && item->shard == shard;
    ensures \result == ST_OK ==>
              item->src_begin == ST_PREFIX_LEN + \old(f->header_len) + \old(t->begin) &&
              item->src_bytes == \old(t->end) - \old(t->begin);
    ensures \result == ST_OK && shard == ST_SHARD_NONE ==> item->start == 0 && item->stop == item->rows;
    ensures \result == ST_OK && shard != ST_SHARD_NONE ==> item->start == start && item->stop == stop;
    ensures \result == ST_OK && \old(t->rank) == 0 ==> item->rows == 1 && item->cols == 1;
    ensures \result == ST_OK && \old(t->rank) == 1 ==>
              (shard == ST_SHARD_COLS ? item->rows == 1 : item->cols == 1);
    ensures \result == ST_OK ==>
              item->src == item->src_begin && item->pitch == 0 && item->width == 0 &&
              item->height == 0 && item->bytes == 0 && item->dst == 0;
*/
st_err st_plan_item_init(const st_file *f, const st_tensor *t, st_shard_kind shard,
                         uint64_t start, uint64_t stop, st_plan_item *item)
{
    st_err ret = ST_E_ARGUMENT;
    uint32_t rank = t->rank;
    uint64_t hlen = f->header_len;
    uint64_t begin = t->begin;
    uint64_t end = t->end;
    uint32_t bits = st_dtype_bits((st_dtype)t->dtype);
    uint64_t rows = 1u;
    uint64_t cols = 1u;
    uint64_t lead = 1u;
    uint64_t first = start;
    uint64_t last = stop;
    bool ok = true;
    if ((rank == 1u) && (shard != ST_SHARD_COLS)) {
        /* a rank-1 tensor viewed as one column: a row range selects elements */
        rows = st_plan_dim(f, t, 0u);
    } else if (rank > 0u) {
        cols = st_plan_dim(f, t, rank - 1u);
        ok = st_plan_rows(f, t, rank - 1u, &lead);
        rows = lead;
    } else {
        /* a scalar: one element, 1 x 1 */
    }
    if (shard == ST_SHARD_NONE) {
        first = 0u;
        last = rows;
    }
    if (ok && ((shard == ST_SHARD_NONE) || (shard == ST_SHARD_ROWS) || (shard == ST_SHARD_COLS)) &&
        (bits != 0u) && st_fits_mul(rows, cols) && st_fits_mul(rows * cols, bits) &&
        (begin <= end) && st_fits_add(ST_PREFIX_LEN + hlen, begin)) {
        uint64_t nbits = (rows * cols) * bits;
        uint64_t a = (ST_PREFIX_LEN + hlen) + begin;
        if (((nbits % 8u) == 0u) && ((nbits / 8u) == (end - begin)) &&
            st_fits_add(a, nbits / 8u) &&
            st_plan_cut((uint32_t)shard, rows, cols, bits, first, last)) {
            /*@ assert (nbits / 8) * 8 == nbits; */
            /*@ assert (nbits / 8) * 8 == rows * cols * bits; */
            st_plan_item_set(item, a, nbits / 8u, rows, cols, bits, (uint32_t)shard, first, last);
            ret = ST_OK;
        }
    }
    return ret;
}

/* Source runs of one item: where its selection starts and how it repeats. */
/*@ requires \valid(it);
    assigns it->src, it->width, it->pitch, it->height, it->bytes;
    ensures \result ==> st_item_runs_ok(*it) && st_item_selects(*it);
*/
static bool st_plan_runs(st_plan_item *it)
{
    bool ok = (it->start <= it->stop);
    uint64_t unit = 0u;
    uint64_t lead = 0u;
    uint64_t span = 0u;
    it->src = it->src_begin;
    it->width = 0u;
    it->pitch = 0u;
    it->height = 1u;
    if (ok && (it->shard == (uint32_t)ST_SHARD_NONE)) {
        it->width = it->src_bytes;
    } else if (ok && (it->start != it->stop) &&
               ((it->shard != (uint32_t)ST_SHARD_COLS) || (it->rows != 0u))) {
        /* unit: bits per selected row (row shards) or per column */
        ok = st_mul64((it->shard == (uint32_t)ST_SHARD_COLS) ? 1u : it->cols, (uint64_t)it->bits,
                      &unit) &&
             st_mul64(it->start, unit, &lead) && st_mul64(it->stop - it->start, unit, &span) &&
             st_add64(it->src_begin, lead / 8u, &it->src);
        it->width = span / 8u;
        if (ok && (it->shard == (uint32_t)ST_SHARD_COLS)) {
            it->height = it->rows;
            ok = st_mul64(it->cols, (uint64_t)it->bits, &unit);
            it->pitch = unit / 8u;
        }
    } else if (it->shard == (uint32_t)ST_SHARD_COLS) {
        /* no columns, or no rows: nothing to copy, one empty run per row */
        it->height = it->rows;
    } else {
        /* an empty range: nothing to copy */
    }
    if (it->shard != (uint32_t)ST_SHARD_COLS) {
        it->pitch = it->width;
    }
    ok = ok && st_mul64(it->width, it->height, &it->bytes) &&
         st_add64(it->src_begin, it->src_bytes, &span) && (it->src_begin <= it->src);
    if (ok && (it->height > 0u) && (it->width > 0u)) {
        /* the last byte read must lie inside the tensor */
        uint64_t last = 0u;
        uint64_t end = 0u;
        ok = st_mul64(it->height - 1u, it->pitch, &last) && st_add64(last, it->width, &last) &&
             st_add64(it->src, last, &end) && (end <= span) &&
             ((it->height == 1u) || (it->width <= it->pitch));
    }
    return ok;
}

/* ST-PLAN-2 */
/*@ requires \valid(items + (0 .. n - 1));
    requires \valid(total) && \separated(total, items + (0 .. n - 1));
    assigns *total, items[0 .. n - 1].src, items[0 .. n - 1].width, items[0 .. n - 1].pitch,
            items[0 .. n - 1].height, items[0 .. n - 1].bytes, items[0 .. n - 1].dst;
    ensures \result == ST_OK || \result == ST_E_ARGUMENT;
    ensures \result == ST_OK ==> st_plan_laid(items, n, align, *total);
    ensures \result == ST_OK ==> 0 < align <= ST_PLAN_ALIGN_MAX;
    ensures \result == ST_OK ==> st_items_ok(items, n);
*/
st_err st_plan_layout(st_plan_item *items, uint32_t n, uint64_t align, uint64_t *total)
{
    st_err ret = ST_OK;
    uint64_t off = 0u;
    uint32_t i;
    *total = 0u;
    if ((align == 0u) || (align > ST_PLAN_ALIGN_MAX) || ((align & (align - 1u)) != 0u)) {
        ret = ST_E_ARGUMENT;
    }
    /*@ loop invariant 0 <= i <= n;
        loop invariant ret == ST_OK || ret == ST_E_ARGUMENT;
        loop invariant ret == ST_OK ==> 0 < align <= ST_PLAN_ALIGN_MAX;
        loop invariant ret == ST_OK ==> st_plan_laid(items, i, align, off);
        loop invariant ret == ST_OK ==>
                       \forall integer k; 0 <= k < i ==> items[k].dst + items[k].bytes <= off;
        loop assigns i, ret, off, items[0 .. n - 1].src, items[0 .. n - 1].width,
                     items[0 .. n - 1].pitch, items[0 .. n - 1].height,
                     items[0 .. n - 1].bytes, items[0 .. n - 1].dst;
        loop variant n - i;
    */
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        st_plan_item *it = &items[i];
        uint64_t up = 0u;
        if (!st_plan_runs(it) || !st_add64(off, align - 1u, &up)) {
            ret = ST_E_ARGUMENT;
        } else {
            it->dst = up - (up % align);
            /*@ assert it->dst == (up / align) * align; */
            /*@ assert it->dst % align == 0 && off <= it->dst; */
            if (!st_add64(it->dst, it->bytes, &off)) {
                ret = ST_E_ARGUMENT;
            }
        }
    }
    if (ret == ST_OK) {
        *total = off;
    }
    return ret;
}

/* ST-PLAN-3 */
/*@ requires \valid(it) && \valid_read(items + (0 .. n - 1));
    requires \separated(it, items + (0 .. n - 1));
    assigns *it;
    ensures it->items == items && it->n == n && it->i == 0;
    ensures st_iter_ok(it);
    ensures it->run == 0 && it->off == 0 && it->done == 0;
    ensures 0 < chunk <= ST_PLAN_CHUNK_MAX ==> it->chunk == chunk;
*/
void st_plan_iter_init(st_chunk_iter *it, const st_plan_item *items, uint32_t n,
                       uint64_t chunk)
{
    uint64_t c = chunk;
    if ((chunk == 0u) || (chunk > ST_PLAN_CHUNK_MAX)) {
        c = ST_PLAN_CHUNK_MAX;
    }
    it->items = items;
    it->n = n;
    it->i = 0u;
    it->chunk = c;
    it->run = 0u;
    it->off = 0u;
    it->done = 0u;
}

/*@ requires \valid(it) && st_iter_ok(it) && st_items_ok(it->items, it->n);
    requires \valid(out) && \separated(out, it, it->items + (0 .. it->n - 1));
    requires \separated(it, it->items + (0 .. it->n - 1));
    assigns it->i, it->run, it->off, it->done, *out;
    ensures st_iter_ok(it);
    ensures it->items == \old(it->items) && it->n == \old(it->n) && it->chunk == \old(it->chunk);
    ensures \old(it->i) <= it->i;
    // an item is left only once all its bytes went out; those passed over are empty
    ensures \old(it->i) < it->i ==> \old(it->done) == \old(it->items[it->i].bytes);
    ensures \forall integer k; \old(it->i) < k < it->i ==> \at(it->items[k].bytes, Pre) == 0;
    ensures \result ==> out->item == it->i && it->i < it->n;
    ensures \result ==> \let j = it->i; st_chunk_ok(*out, \at(it->items[j], Pre), it->chunk);
    // each chunk starts where the previous one of its item ended, or at the
    // start of its item
    ensures \result && it->i == \old(it->i) ==> \let j = it->i;
              st_chunk_at(*out, \at(it->items[j], Pre), \old(it->run), \old(it->off), \old(it->done));
    ensures \result && it->i != \old(it->i) ==> \let j = it->i;
              st_chunk_at(*out, \at(it->items[j], Pre), 0, 0, 0);
    ensures \result ==> \let j = it->i;
              it->done == (out->dst - \at(it->items[j].dst, Pre)) + out->width * out->height;
    ensures !\result ==> it->i == it->n;
*/
bool st_plan_next(st_chunk_iter *it, st_chunk *out)
{
    bool found = false;
    const st_plan_item *items = it->items;
    uint32_t n = it->n;
    uint64_t chunk = it->chunk;
    uint32_t i = it->i;
    uint64_t run = it->run;
    uint64_t off = it->off;
    uint64_t done = it->done;
    uint64_t src = 0u;
    uint64_t dst = 0u;
    uint64_t pitch = 0u;
    uint64_t w = 0u;
    uint64_t h = 0u;
    /* skip the items that are finished or empty */
    /*@ loop invariant \at(it->i, Pre) <= i <= n;
        loop invariant i < n ==> st_item_pos(items[i].height, items[i].width, run, off, done);
        loop invariant i == \at(it->i, Pre) ==>
                       run == \at(it->run, Pre) && off == \at(it->off, Pre) &&
                       done == \at(it->done, Pre);
        loop invariant \at(it->i, Pre) < i ==>
                       run == 0 && off == 0 && done == 0 &&
                       \at(it->done, Pre) == items[\at(it->i, Pre)].bytes;
        loop invariant \forall integer k; \at(it->i, Pre) < k < i ==> items[k].bytes == 0;
        loop assigns i, run, off, done;
        loop variant n - i;
    */
    while ((i < n) && ((run >= items[i].height) || (items[i].width == 0u))) {
        /*@ assert st_item_runs_ok(items[i]); */
        /*@ assert done == items[i].bytes; */
        i++;
        run = 0u;
        off = 0u;
        done = 0u;
    }
    if (i < n) {
        const st_plan_item item = items[i];
        uint64_t nrun = run;
        uint64_t noff = off;
        uint64_t ndone = done;
        /*@ assert st_item_runs_ok(item) && item.dst + item.bytes <= 18446744073709551615; */
        /*@ assert 0 < item.width && run < item.height && item.bytes == item.width * item.height; */
        /*@ assert run * item.pitch <= (item.height - 1) * item.pitch; */
        /*@ assert (run + 1) * item.width <= item.height * item.width; */
        /*@ assert done + item.width - off <= item.bytes; */
        pitch = item.pitch;
        dst = item.dst + done;
        if ((off == 0u) && (item.width <= chunk)) {
            /* whole runs, as many as fit in a chunk */
            w = item.width;
            h = chunk / item.width;
            /*@ assert h * item.width <= chunk && h >= 1; */
            if (h > (item.height - run)) {
                h = item.height - run;
            }
            /*@ assert run + h <= item.height && h * item.width <= chunk; */
            /*@ assert (run + h - 1) * item.pitch <= (item.height - 1) * item.pitch; */
            /*@ assert (run + h) * item.width <= item.height * item.width; */
            /*@ assert done + h * item.width == (run + h) * item.width; */
            src = item.src + (run * item.pitch);
            nrun += h;
            ndone += h * item.width;
        } else {
            /* a run longer than a chunk: split it */
            w = item.width - off;
            h = 1u;
            if (w > chunk) {
                w = chunk;
            }
            src = item.src + (run * item.pitch) + off;
            noff += w;
            ndone += w;
            if (noff == item.width) {
                /*@ assert ndone == (run + 1) * item.width; */
                noff = 0u;
                nrun++;
            }
        }
        /*@ assert st_item_pos(item.height, item.width, nrun, noff, ndone); */
        /*@ assert ndone == done + w * h; */
        /*@ assert src == item.src + run * item.pitch + off && dst == item.dst + done; */
        /*@ assert run + h <= item.height && off + w <= item.width; */
        /*@ assert h > 1 ==> off == 0 && w == item.width; */
        /*@ assert w >= 1 && h >= 1 && w * h <= chunk; */
        /*@ assert src + (h - 1) * item.pitch + w <=
                   item.src + (item.height - 1) * item.pitch + item.width; */
        /*@ assert dst + w * h <= item.dst + item.bytes; */
        it->i = i;
        it->run = nrun;
        it->off = noff;
        it->done = ndone;
        out->item = i;
        out->src = src;
        out->pitch = pitch;
        out->width = w;
        out->height = h;
        out->dst = dst;
        /*@ assert st_chunk_ok(*out, item, chunk); */
        /*@ assert st_chunk_at(*out, item, run, off, done); */
        /*@ assert it->done == (out->dst - item.dst) + out->width * out->height; */
        /*@ assert st_item_pos(it->items[it->i].height, it->items[it->i].width,
                               it->run, it->off, it->done); */
        /*@ assert it->items == items && it->n == n && it->chunk == chunk; */
        /*@ assert st_iter_ok(it); */
        found = true;
    } else {
        it->i = i;
        it->run = run;
        it->off = off;
        it->done = done;
        /*@ assert it->items == items && it->n == n && it->chunk == chunk; */
        /*@ assert st_iter_ok(it); */
    }
    return found;
}

/* ST-PLAN-4 */
/*@ requires \valid(start) && \valid(stop) && \separated(start, stop);
    assigns *start, *stop;
    ensures *start <= *stop <= size;
    ensures *stop - *start <= size / (world == 0 ? 1 : world) + 1;
*/
void st_plan_tp_range(uint64_t size, uint32_t rank, uint32_t world,
                      uint64_t *start, uint64_t *stop)
{
    uint64_t w = (world == 0u) ? 1u : (uint64_t)world;
    uint64_t r = ((uint64_t)rank < w) ? (uint64_t)rank : (w - 1u);
    uint64_t base = size / w;
    uint64_t extra = size % w;
    /* rank r starts after r blocks of `base`, plus one for each earlier rank
       below `extra`; no overflow: the result is at most size */
    *start = (base * r) + ((r < extra) ? r : extra);
    *stop = *start + base + ((r < extra) ? 1u : 0u);
}
