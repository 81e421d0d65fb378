/*
 * st_plan.c -- the device copy planner (ST-PLAN-1 .. ST-PLAN-4).
 * Every size is computed with checked arithmetic; the iterator hands out
 * chunks that stay inside the selected source bytes and the destination
 * range of their item, in order, each byte once (proofs/README.md).
 */
#include "st_plan.h"
#include "st_internal.h"
#include "st_cover.h"

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

/* (x * p * q) % 8 == 0, from the residues of the three factors: the
   product itself may not fit in 64 bits, its residue modulo 8 is the
   residue of the residues' product (at most 7 * 7 * 7). The assertions
   are the steps of that proof: each factor is 8 times its quotient plus
   its residue, the product expanded, the multiple of 8 dropped. */
/*@ assigns \nothing;
    ensures \result <==> (x * (p * q)) % 8 == 0;
*/
static bool st_mul_div8(uint64_t x, uint64_t p, uint64_t q)
{
    const uint64_t a = x % 8u;
    const uint64_t b = p % 8u;
    const uint64_t c = q % 8u;
    const uint64_t r = a * b * c;
    /*@ ghost const uint64_t qx = x / 8u; */
    /*@ ghost const uint64_t qp = p / 8u; */
    /*@ ghost const uint64_t qq = q / 8u; */
    /*@ assert x == 8 * qx + a && p == 8 * qp + b && q == 8 * qq + c; */
    /*@ assert x * (p * q) ==
               8 * (64 * qx * qp * qq + 8 * qx * qp * c + 8 * qx * b * qq + qx * b * c +
                    8 * a * qp * qq + a * qp * c + a * b * qq) + r; */
    /*@ assert 0 <= p * q && 0 <= x * (p * q); */
    /*@ assert \forall integer k, m; 0 <= 8 * k + m && 0 <= m ==> (8 * k + m) % 8 == m % 8; */
    /*@ assert (x * (p * q)) % 8 == r % 8; */
    return (r % 8u) == 0u;
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
        /* bits of one unit of the range: a row (row range) or an element
           (column range); only residues are computed, nothing overflows */
        uint64_t per = cols_shard ? 1u : cols;
        /*@ assert per * bits == st_unit(shard, cols, bits); */
        ok = st_mul_div8(first, per, bits) && st_mul_div8(last, per, bits);
        if (ok && cols_shard && (rows > 1u)) {
            ok = st_mul_div8(1u, cols, bits);
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

/* The item with its source runs set to the values given. When ok, they are
   the runs of the item's selection (st_item_runs_ok, st_item_selects),
   stated here on the plain values (ok is ghost: it only selects what the
   contract states). */
/*@ requires ok ==>
      bytes == width * height &&
      it.src_begin <= src &&
      it.src_begin + it.src_bytes <= 18446744073709551615 &&
      (width > 0 && height > 0 ==>
         src + (height - 1) * pitch + width <= it.src_begin + it.src_bytes) &&
      (height > 1 ==> width <= pitch);
    requires ok && it.shard == ST_SHARD_NONE ==>
      src == it.src_begin && width == it.src_bytes && height == 1;
    requires ok && it.shard != ST_SHARD_NONE &&
             st_sel_empty(it.shard, it.rows, it.start, it.stop) ==> bytes == 0;
    requires ok && it.shard != ST_SHARD_NONE &&
             !st_sel_empty(it.shard, it.rows, it.start, it.stop) ==>
      st_sel_runs(it.shard, it.rows, it.cols, it.bits, it.start, it.stop, it.src_begin, src,
                  width, pitch, height);
    assigns \nothing;
    ensures \result.src == src && \result.width == width && \result.pitch == pitch &&
            \result.height == height && \result.bytes == bytes;
    ensures \result.src_begin == it.src_begin && \result.src_bytes == it.src_bytes &&
            \result.rows == it.rows && \result.cols == it.cols && \result.bits == it.bits &&
            \result.shard == it.shard && \result.start == it.start && \result.stop == it.stop &&
            \result.dst == it.dst;
    ensures ok ==> st_item_runs_ok(\result) && st_item_selects(\result);
*/
static st_plan_item st_plan_runs_put(st_plan_item it, uint64_t src, uint64_t width,
                                     uint64_t pitch, uint64_t height, uint64_t bytes)
    /*@ ghost (bool ok) */
{
    st_plan_item r = it;
    r.src = src;
    r.width = width;
    r.pitch = pitch;
    r.height = height;
    r.bytes = bytes;
    /*@ assert r.src == src && r.width == width && r.pitch == pitch &&
               r.height == height && r.bytes == bytes &&
               r.src_begin == it.src_begin && r.src_bytes == it.src_bytes &&
               r.rows == it.rows && r.cols == it.cols && r.bits == it.bits &&
               r.shard == it.shard && r.start == it.start && r.stop == it.stop; */
    /*@ assert ok ==> st_item_runs_ok(r); */
    /*@ assert ok ==> st_item_selects(r); */
    return r;
}

/* Source runs of one item: where its selection starts and how it repeats.
   Works on a copy of the item: the runs are computed on locals and the item
   is returned with them set; *ok tells whether they are its selection's
   runs (the caller stores nothing otherwise). */
/*@ requires \valid(ok);
    assigns *ok;
    ensures \result.src_begin == it.src_begin && \result.src_bytes == it.src_bytes &&
            \result.rows == it.rows && \result.cols == it.cols && \result.bits == it.bits &&
            \result.shard == it.shard && \result.start == it.start && \result.stop == it.stop &&
            \result.dst == it.dst;
    ensures *ok ==> st_item_runs_ok(\result) && st_item_selects(\result);
*/
static st_plan_item st_plan_runs(st_plan_item it, bool *ok)
{
    uint64_t begin = it.src_begin;
    uint64_t nbytes = it.src_bytes;
    uint64_t rows = it.rows;
    uint64_t cols = it.cols;
    uint64_t bits = (uint64_t)it.bits;
    uint32_t shard = it.shard;
    uint64_t first = it.start;
    uint64_t last = it.stop;
    uint64_t bytes = it.bytes;
    bool good = (first <= last);
    uint64_t unit = 0u;
    uint64_t lead = 0u;
    uint64_t span = 0u;
    uint64_t src = begin;
    uint64_t width = 0u;
    uint64_t pitch = 0u;
    uint64_t height = 1u;
    if (good && (shard == (uint32_t)ST_SHARD_NONE)) {
        width = nbytes;
    } else if (good && (first != last) &&
               ((shard != (uint32_t)ST_SHARD_COLS) || (rows != 0u))) {
        /* unit: bits per selected row (row shards) or per column */
        good = st_mul64((shard == (uint32_t)ST_SHARD_COLS) ? 1u : cols, bits, &unit);
        /*@ assert good ==> unit == st_unit(shard, cols, bits); */
        good = good && st_mul64(first, unit, &lead) && st_mul64(last - first, unit, &span) &&
             st_add64(begin, lead / 8u, &src);
        width = span / 8u;
        /*@ assert good ==> lead == first * unit && span == (last - first) * unit &&
                   src == begin + lead / 8; */
        /*@ assert good ==> src == begin + (first * st_unit(shard, cols, bits)) / 8; */
        /*@ assert good ==> width == ((last - first) * st_unit(shard, cols, bits)) / 8; */
        if (good && (shard == (uint32_t)ST_SHARD_COLS)) {
            uint64_t row = 0u;
            height = rows;
            good = st_mul64(cols, bits, &row);
            pitch = row / 8u;
        }
        /*@ assert good ==>
                   st_sel_runs(shard, rows, cols, bits, first, last, begin, src, width, pitch,
                               height); */
    } else if (shard == (uint32_t)ST_SHARD_COLS) {
        /* no columns, or no rows: nothing to copy, one empty run per row */
        height = rows;
    } else {
        /* an empty range: nothing to copy */
    }
    /*@ assert good && shard != ST_SHARD_NONE && !st_sel_empty(shard, rows, first, last) ==>
               st_sel_runs(shard, rows, cols, bits, first, last, begin, src, width, pitch,
                           height); */
    if (shard != (uint32_t)ST_SHARD_COLS) {
        pitch = width;
    }
    /*@ assert good && shard != ST_SHARD_NONE && !st_sel_empty(shard, rows, first, last) ==>
               st_sel_runs(shard, rows, cols, bits, first, last, begin, src, width, pitch,
                           height); */
    good = good && st_mul64(width, height, &bytes) && st_add64(begin, nbytes, &span);
    /* U-9 (spec/analysis-notes.md): src is begin or begin plus a checked sum */
    /*@ assert good ==> begin <= src; */
    good = good && ST_ALWAYS(begin <= src);
    if (good && (height > 0u) && (width > 0u)) {
        /* the last byte read must lie inside the tensor */
        uint64_t end = 0u;
        uint64_t tail = 0u;
        good = st_mul64(height - 1u, pitch, &tail) && st_add64(tail, width, &tail) &&
             st_add64(src, tail, &end) && (end <= span) &&
             ((height == 1u) || (width <= pitch));
    }
    /*@ assert good && shard != ST_SHARD_NONE && !st_sel_empty(shard, rows, first, last) ==>
               st_sel_runs(shard, rows, cols, bits, first, last, begin, src, width, pitch,
                           height); */
    *ok = good;
    return st_plan_runs_put(it, src, width, pitch, height, bytes) /*@ ghost (good) */;
}

/* up rounded down to a multiple of align (ST-PLAN-2). */
/*@ requires 0 < align;
    assigns \nothing;
    ensures \result % align == 0;
    ensures \result <= up && up - \result < align;
*/
static uint64_t st_align_down(uint64_t up, uint64_t align)
{
    /*@ ghost uint64_t q = up / align; */
    uint64_t r = up % align;
    /*@ assert up == q * align + r; */
    /*@ assert (q * align) % align == 0; */
    return up - r;
}

/* The first multiple of align at or after off, in *dst; false when it
   does not fit in 64 bits (ST-PLAN-2). */
/*@ requires \valid(dst);
    requires 0 < align <= ST_PLAN_ALIGN_MAX;
    assigns *dst;
    ensures \result ==> st_aligned(*dst, align) && off <= *dst;
*/
static bool st_align_up(uint64_t off, uint64_t align, uint64_t *dst)
{
    uint64_t up = 0u;
    bool ok = st_add64(off, align - 1u, &up);
    *dst = 0u;
    if (ok) {
        *dst = st_align_down(up, align);
    }
    return ok;
}

/* items[i], read where the caller's context holds nothing but the bounds. */
/*@ requires \valid_read(items + (0 .. n - 1)) && i < n;
    assigns \nothing;
    ensures \result == items[i];
*/
static st_plan_item st_plan_item_get(const st_plan_item *items, uint32_t i)
    /*@ ghost (uint32_t n) */
{
    return items[i];
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
        loop invariant ret == ST_OK ==> \forall integer k; 0 <= k < i ==> st_item_ok(items[k]);
        loop invariant ret == ST_OK ==>
                       \forall integer k; 0 <= k < i ==> items[k].dst + items[k].bytes <= off;
        loop invariant ret == ST_OK ==>
                       \forall integer k; 0 <= k < i ==> st_aligned(items[k].dst, align);
        loop invariant ret == ST_OK ==> \forall integer k, l; 0 <= k < l < i ==>
                       items[k].dst + items[k].bytes <= items[l].dst;
        loop assigns i, ret, off, items[0 .. n - 1].src, items[0 .. n - 1].width,
                     items[0 .. n - 1].pitch, items[0 .. n - 1].height,
                     items[0 .. n - 1].bytes, items[0 .. n - 1].dst;
        loop variant n - i;
    */
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        bool ok = false;
        uint64_t end = 0u;
        uint64_t dst = 0u;
        const st_plan_item v = st_plan_runs(st_plan_item_get(items, i) /*@ ghost (n) */, &ok);
        ok = ok && st_align_up(off, align, &dst) && st_add64(dst, v.bytes, &end);
        if (!ok) {
            ret = ST_E_ARGUMENT;
        } else {
            items[i].src = v.src;
            items[i].width = v.width;
            items[i].pitch = v.pitch;
            items[i].height = v.height;
            items[i].bytes = v.bytes;
            items[i].dst = dst;
            /*@ assert \forall integer k; 0 <= k < i ==>
                       items[k].src_begin == \at(items[k].src_begin, LoopCurrent) &&
                       items[k].src_bytes == \at(items[k].src_bytes, LoopCurrent) &&
                       items[k].rows == \at(items[k].rows, LoopCurrent) &&
                       items[k].cols == \at(items[k].cols, LoopCurrent) &&
                       items[k].bits == \at(items[k].bits, LoopCurrent) &&
                       items[k].shard == \at(items[k].shard, LoopCurrent) &&
                       items[k].start == \at(items[k].start, LoopCurrent) &&
                       items[k].stop == \at(items[k].stop, LoopCurrent); */
            /*@ assert \forall integer k; 0 <= k < i ==>
                       items[k].src == \at(items[k].src, LoopCurrent) &&
                       items[k].width == \at(items[k].width, LoopCurrent) &&
                       items[k].pitch == \at(items[k].pitch, LoopCurrent) &&
                       items[k].height == \at(items[k].height, LoopCurrent) &&
                       items[k].bytes == \at(items[k].bytes, LoopCurrent) &&
                       items[k].dst == \at(items[k].dst, LoopCurrent); */
            /*@ assert items[i].src_begin == v.src_begin && items[i].src_bytes == v.src_bytes &&
                       items[i].rows == v.rows && items[i].cols == v.cols &&
                       items[i].bits == v.bits && items[i].shard == v.shard &&
                       items[i].start == v.start && items[i].stop == v.stop &&
                       items[i].src == v.src && items[i].width == v.width &&
                       items[i].pitch == v.pitch && items[i].height == v.height &&
                       items[i].bytes == v.bytes && items[i].dst == dst; */
            /*@ assert st_item_ok(items[i]); */
            /*@ assert \forall integer k; 0 <= k < i ==> st_item_ok(items[k]); */
            /*@ assert \forall integer k; 0 <= k < i ==> st_aligned(items[k].dst, align); */
            /*@ assert st_aligned(items[i].dst, align) && off <= items[i].dst; */
            /*@ assert \forall integer k; 0 <= k < i ==>
                       items[k].dst + items[k].bytes ==
                         \at(items[k].dst, LoopCurrent) + \at(items[k].bytes, LoopCurrent); */
            /*@ assert \forall integer l; 0 <= l < i ==>
                       items[l].dst == \at(items[l].dst, LoopCurrent); */
            /*@ assert \forall integer k, l; 0 <= k < l < i ==>
                       items[k].dst + items[k].bytes ==
                         \at(items[k].dst, LoopCurrent) + \at(items[k].bytes, LoopCurrent) &&
                       items[l].dst == \at(items[l].dst, LoopCurrent) &&
                       \at(items[k].dst, LoopCurrent) + \at(items[k].bytes, LoopCurrent) <=
                         \at(items[l].dst, LoopCurrent); */
            /*@ assert \forall integer k, l; 0 <= k < l < i ==>
                       items[k].dst + items[k].bytes <= items[l].dst; */
            /*@ assert \forall integer k; 0 <= k < i ==>
                       items[k].dst + items[k].bytes <= items[i].dst; */
            /*@ assert items[i].dst + items[i].bytes <= end; */
            /*@ assert \forall integer k; 0 <= k < i ==> items[k].dst + items[k].bytes <= end; */
            off = end;
        }
    }
    if (ret == ST_OK) {
        /*@ assert i == n && st_plan_laid(items, n, align, off); */
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

/* A chunk of an item and the item position that follows it. */
typedef struct st_plan_step {
    uint64_t src;
    uint64_t width;
    uint64_t height;
    uint64_t dst;
    uint64_t run;
    uint64_t off;
    uint64_t done;
} st_plan_step;

/* The next chunk of a non-empty item from position (run, off, done): whole
   runs when the position is at a run's start and a run fits in a chunk,
   else a piece of the current run. Works on plain values only. */
/*@ requires \valid(s);
    requires st_item_runs_ok(item) && item.dst + item.bytes <= 18446744073709551615;
    requires 0 < item.width && run < item.height;
    requires st_item_pos(item.height, item.width, run, off, done);
    requires 0 < chunk <= ST_PLAN_CHUNK_MAX;
    assigns *s;
    ensures st_item_pos(item.height, item.width, s->run, s->off, s->done);
    ensures s->done == done + s->width * s->height;
    ensures s->src == item.src + run * item.pitch + off && s->dst == item.dst + done;
    ensures run + s->height <= item.height && off + s->width <= item.width;
    ensures s->height > 1 ==> off == 0 && s->width == item.width;
    ensures s->width >= 1 && s->height >= 1 && s->width * s->height <= chunk;
    ensures s->src + (s->height - 1) * item.pitch + s->width <=
            item.src + (item.height - 1) * item.pitch + item.width;
    ensures s->dst + s->width * s->height <= item.dst + item.bytes;
    ensures st_chunk_fits(s->src, item.pitch, s->width, s->height, s->dst, item.src,
                          item.pitch, item.width, item.height, item.dst, item.bytes, chunk);
    ensures st_chunk_from(s->src, s->width, s->height, s->dst, item.src, item.pitch,
                          item.width, item.height, item.dst, run, off, done);
*/
static void st_plan_chunk(st_plan_item item, uint64_t chunk, uint64_t run, uint64_t off,
                          uint64_t done, st_plan_step *s)
{
    uint64_t nrun = run;
    uint64_t noff = off;
    uint64_t ndone = done;
    uint64_t src = 0u;
    uint64_t dst = 0u;
    uint64_t w = 0u;
    uint64_t h = 0u;
    const uint64_t height = item.height;
    const uint64_t width = item.width;
    uint64_t runs_left = 0u;  /* height - run */
    uint64_t run_left = 0u;   /* width - off */
    /*@ assert item.bytes == item.width * item.height; */
    /* the position is inside the item (U-14 in spec/analysis-notes.md) */
    /*@ assert run < item.height && off < item.width; */
    if (ST_ALWAYS(run < height)) {
        runs_left = height - run;
    }
    if (ST_ALWAYS(off < width)) {
        run_left = width - off;
    }
    /*@ assert runs_left == item.height - run && run_left == item.width - off; */
    /*@ assert run <= item.height - 1; */
    /*@ assert run * item.pitch <= (item.height - 1) * item.pitch; */
    /*@ assert run + 1 <= item.height; */
    /*@ assert (run + 1) * item.width <= item.height * item.width; */
    /*@ assert done + item.width - off <= item.bytes; */
    dst = item.dst + done;
    if ((off == 0u) && (item.width <= chunk)) {
        /* whole runs, as many as fit in a chunk */
        w = item.width;
        h = chunk / item.width;
        /*@ assert h * item.width <= chunk && h >= 1; */
        if (h > runs_left) {
            h = runs_left;
        }
        /*@ assert run + h <= item.height; */
        /*@ assert h * item.width <= chunk; */
        /*@ assert run + h - 1 <= item.height - 1; */
        /*@ assert (run + h - 1) * item.pitch <= (item.height - 1) * item.pitch; */
        /*@ assert (run + h) * item.width <= item.height * item.width; */
        /*@ assert done + h * item.width == (run + h) * item.width; */
        src = item.src + (run * item.pitch);
        nrun += h;
        ndone += h * item.width;
    } else {
        /* a run longer than a chunk: split it */
        w = run_left;
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
    /*@ assert ndone == done + w * h; */
    /*@ assert st_item_pos(item.height, item.width, nrun, noff, ndone); */
    /*@ assert 0 <= run * item.pitch; */
    s->src = src;
    s->width = w;
    s->height = h;
    s->dst = dst;
    s->run = nrun;
    s->off = noff;
    s->done = ndone;
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
        st_plan_step s;
        /*@ assert st_item_runs_ok(item) && item.dst + item.bytes <= 18446744073709551615; */
        /*@ assert 0 < item.width && run < item.height; */
        st_plan_chunk(item, chunk, run, off, done, &s);
        /*@ assert st_item_pos(item.height, item.width, s.run, s.off, s.done); */
        /*@ assert s.width * s.height <= chunk; */
        it->i = i;
        it->run = s.run;
        it->off = s.off;
        it->done = s.done;
        out->item = i;
        out->src = s.src;
        out->pitch = item.pitch;
        out->width = s.width;
        out->height = s.height;
        out->dst = s.dst;
        /*@ assert st_chunk_fits(s.src, item.pitch, s.width, s.height, s.dst, item.src,
                                 item.pitch, item.width, item.height, item.dst, item.bytes,
                                 chunk); */
        /*@ assert st_chunk_from(s.src, s.width, s.height, s.dst, item.src, item.pitch,
                                 item.width, item.height, item.dst, run, off, done); */
        /*@ assert out->src == s.src && out->pitch == item.pitch && out->width == s.width &&
                   out->height == s.height && out->dst == s.dst; */
        /*@ assert st_chunk_ok(*out, item, chunk); */
        /*@ assert st_chunk_at(*out, item, run, off, done); */
        /*@ assert it->done == (out->dst - item.dst) + out->width * out->height; */
        /*@ assert it->i == i && it->items == items && it->run == s.run &&
                   it->off == s.off && it->done == s.done; */
        /*@ assert it->items[it->i].height == item.height &&
                   it->items[it->i].width == item.width; */
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
