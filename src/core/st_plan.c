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

/* ST-PLAN-1 */
st_err st_plan_item_init(const st_file *f, const st_tensor *t, st_shard_kind shard,
                         uint64_t start, uint64_t stop, st_plan_item *item)
{
    st_err ret = ST_OK;
    uint64_t rows = 1u;
    uint64_t cols = 1u;
    uint64_t bits = (uint64_t)st_dtype_bits((st_dtype)t->dtype);
    uint64_t nbits = 0u;
    uint64_t limit = 1u;
    uint64_t a = 0u;
    uint64_t b = 0u;
    bool ok = true;
    uint32_t d;
    if ((t->rank == 1u) && (shard != ST_SHARD_COLS)) {
        /* a rank-1 tensor viewed as one column: a row range selects elements */
        rows = st_dim(f, t, 0u);
    } else if (t->rank > 0u) {
        cols = st_dim(f, t, t->rank - 1u);
        for (d = 0u; (d + 1u) < t->rank; d++) {
            ok = ok && st_mul64(rows, st_dim(f, t, d), &rows);
        }
    }
    ok = ok && (bits != 0u) && st_mul64(rows, cols, &nbits) && st_mul64(nbits, bits, &nbits) &&
         ((nbits % 8u) == 0u) && ((nbits / 8u) == (t->end - t->begin)) && (t->begin <= t->end) &&
         st_add64(ST_PREFIX_LEN + f->header_len, t->begin, &a) && st_add64(a, nbits / 8u, &b);
    if (ok) {
        limit = (shard == ST_SHARD_COLS) ? cols : rows;
        if (shard == ST_SHARD_NONE) {
            start = 0u;
            stop = rows;
        }
        ok = (start <= stop) && (stop <= limit) &&
             ((shard == ST_SHARD_NONE) || (shard == ST_SHARD_ROWS) || (shard == ST_SHARD_COLS));
    }
    if (ok && (start != stop)) {
        /* byte boundaries: sub-byte dtypes can only be cut where a byte
           ends. A non-empty range implies a non-zero count on the other
           axis, so these products are at most nbits. */
        uint64_t unit = 0u;
        uint64_t lo = 0u;
        uint64_t hi = 0u;
        ok = st_mul64((shard == ST_SHARD_COLS) ? 1u : cols, bits, &unit) &&
             st_mul64(start, unit, &lo) && st_mul64(stop, unit, &hi) &&
             ((lo % 8u) == 0u) && ((hi % 8u) == 0u);
        if (ok && (shard == ST_SHARD_COLS) && (rows > 1u)) {
            ok = st_mul64(cols, bits, &unit) && ((unit % 8u) == 0u);
        }
    }
    if (ok) {
        item->src_begin = a;
        item->src_bytes = nbits / 8u;
        item->rows = rows;
        item->cols = cols;
        item->bits = (uint32_t)bits;
        item->shard = (uint32_t)shard;
        item->start = start;
        item->stop = stop;
        item->src = a;
        item->pitch = 0u;
        item->width = 0u;
        item->height = 0u;
        item->bytes = 0u;
        item->dst = 0u;
    } else {
        ret = ST_E_ARGUMENT;
    }
    return ret;
}

/* Source runs of one item: where its selection starts and how it repeats. */
/*@ requires \valid(it);
    assigns it->src, it->width, it->pitch, it->height, it->bytes;
    ensures \result ==> st_item_runs_ok(it);
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
    if (ok && (it->shard == ST_SHARD_NONE)) {
        it->width = it->src_bytes;
    } else if (ok && (it->start != it->stop)) {
        /* unit: bits per selected row (row shards) or per column */
        ok = st_mul64((it->shard == ST_SHARD_COLS) ? 1u : it->cols, (uint64_t)it->bits, &unit) &&
             st_mul64(it->start, unit, &lead) && st_mul64(it->stop - it->start, unit, &span) &&
             st_add64(it->src_begin, lead / 8u, &it->src);
        it->width = span / 8u;
        if (ok && (it->shard == ST_SHARD_COLS)) {
            it->height = it->rows;
            ok = st_mul64(it->cols, (uint64_t)it->bits, &unit);
            it->pitch = unit / 8u;
        }
    } else {
        /* an empty range: nothing to copy */
    }
    if (it->shard != ST_SHARD_COLS) {
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
        loop invariant ret == ST_OK && i > 0 ==> items[i - 1].dst + items[i - 1].bytes == off;
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
    requires \forall integer k; 0 <= k < n ==>
               st_item_runs_ok(items + k) && items[k].dst + items[k].bytes <= 18446744073709551615;
    assigns *it;
    ensures st_iter_ok(it) && it->items == items && it->n == n && it->i == 0;
*/
void st_plan_iter_init(st_chunk_iter *it, const st_plan_item *items, uint32_t n,
                       uint64_t chunk)
{
    it->items = items;
    it->n = n;
    it->i = 0u;
    it->chunk = ((chunk == 0u) || (chunk > ST_PLAN_CHUNK_MAX)) ? ST_PLAN_CHUNK_MAX : chunk;
    it->run = 0u;
    it->off = 0u;
    it->done = 0u;
}

/*@ requires \valid(it) && st_iter_ok(it);
    requires \valid(out) && \separated(out, it, it->items + (0 .. it->n - 1));
    requires \separated(it, it->items + (0 .. it->n - 1));
    assigns it->i, it->run, it->off, it->done, *out;
    ensures st_iter_ok(it);
    ensures it->items == \old(it->items) && it->n == \old(it->n) && it->chunk == \old(it->chunk);
    ensures \old(it->i) <= it->i;
    ensures \result ==> out->item == it->i && it->i < it->n;
    ensures \result ==> st_chunk_ok(out, it->items + out->item, it->chunk);
    ensures \result ==> out->dst + out->width * out->height ==
                         it->items[out->item].dst + it->done;
    ensures !\result ==> it->i == it->n;
*/
bool st_plan_next(st_chunk_iter *it, st_chunk *out)
{
    bool found = false;
    /*@ loop invariant st_iter_ok(it) && \at(it->i, Pre) <= it->i;
        loop invariant found ==> out->item == it->i && it->i < it->n &&
                       st_chunk_ok(out, it->items + out->item, it->chunk) &&
                       out->dst + out->width * out->height == it->items[out->item].dst + it->done;
        loop assigns found, it->i, it->run, it->off, it->done, *out;
        loop variant 2 * (it->n - it->i) + (found ? 0 : 1);
    */
    while ((it->i < it->n) && !found) {
        const st_plan_item *item = &it->items[it->i];
        if ((it->run >= item->height) || (item->width == 0u)) {
            it->i++;
            it->run = 0u;
            it->off = 0u;
            it->done = 0u;
        } else if ((it->off == 0u) && (item->width <= it->chunk)) {
            /* whole runs, as many as fit in a chunk */
            uint64_t h = it->chunk / item->width;
            /*@ assert h * item->width <= it->chunk && h >= 1; */
            if (h > (item->height - it->run)) {
                h = item->height - it->run;
            }
            /*@ assert it->run + h <= item->height && h * item->width <= it->chunk; */
            /*@ assert (it->run + h - 1) * item->pitch <= (item->height - 1) * item->pitch; */
            out->item = it->i;
            out->src = item->src + (it->run * item->pitch);
            out->pitch = item->pitch;
            out->width = item->width;
            out->height = h;
            out->dst = item->dst + it->done;
            it->run += h;
            it->done += h * item->width;
            found = true;
        } else {
            /* a run longer than a chunk: split it */
            uint64_t w = item->width - it->off;
            if (w > it->chunk) {
                w = it->chunk;
            }
            /*@ assert it->run * item->pitch <= (item->height - 1) * item->pitch; */
            out->item = it->i;
            out->src = item->src + (it->run * item->pitch) + it->off;
            out->pitch = item->pitch;
            out->width = w;
            out->height = 1u;
            out->dst = item->dst + it->done;
            it->off += w;
            it->done += w;
            if (it->off == item->width) {
                it->off = 0u;
                it->run++;
            }
            found = true;
        }
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
