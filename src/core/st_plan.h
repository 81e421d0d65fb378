/*
 * st_plan.h -- the device copy planner (ST-PLAN-*): where each selected
 * tensor goes in one device allocation, and the chunks that copy it there
 * through a staging buffer. Freestanding like the rest of the core: no I/O,
 * no allocation; the engine in src/device/ executes the plan.
 *
 * Model. A tensor is viewed as a row-major 2-D array of `rows` x `cols`
 * elements of `bits` bits: for rank >= 2, rows = product of all dimensions
 * but the last and cols = the last dimension (so a row range is a shard
 * along dimension 0 exactly when the rank is 2); a rank-1 tensor of n
 * elements is n x 1 for whole and row selections (a row range selects
 * elements) and 1 x n for column selections; a scalar is 1 x 1. A
 * selection is the whole tensor, a range of rows, or a range of columns
 * (a shard along the last dimension). A selection is copied as `height` runs of `width`
 * bytes, `pitch` bytes apart in the file, packed densely at the
 * destination.
 */
#ifndef ST_PLAN_H
#define ST_PLAN_H

#include "tensorproof.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum st_shard_kind {
    ST_SHARD_NONE = 0,   /* the whole tensor */
    ST_SHARD_ROWS = 1,   /* rows [start, stop) of the 2-D view */
    ST_SHARD_COLS = 2    /* columns [start, stop) of the 2-D view */
} st_shard_kind;

/* Largest staging chunk the planner accepts (1 GiB): keeps sizes in 32 bits. */
#define ST_PLAN_CHUNK_MAX 1073741824u
/* Largest destination alignment (1 MiB); it must be a power of two. */
#define ST_PLAN_ALIGN_MAX 1048576u

typedef struct st_plan_item {
    /* inputs (st_plan_item_init fills them from a validated file) */
    uint64_t src_begin;  /* file offset of the tensor's first byte */
    uint64_t src_bytes;  /* the tensor's size in bytes */
    uint64_t rows;       /* 2-D view */
    uint64_t cols;
    uint32_t bits;       /* dtype bits */
    uint32_t shard;      /* st_shard_kind */
    uint64_t start;      /* selected range [start, stop) of rows or columns */
    uint64_t stop;
    /* outputs of st_plan_layout */
    uint64_t src;        /* file offset of the first selected byte */
    uint64_t pitch;      /* file bytes between consecutive runs */
    uint64_t width;      /* bytes per run */
    uint64_t height;     /* number of runs */
    uint64_t bytes;      /* width x height: bytes at the destination */
    uint64_t dst;        /* offset in the device allocation */
} st_plan_item;

/* One copy: `height` runs of `width` bytes from the file at src, src + pitch,
   ..., packed at dst in the device allocation. width x height <= chunk. */
typedef struct st_chunk {
    uint32_t item;
    uint64_t src;
    uint64_t pitch;
    uint64_t width;
    uint64_t height;
    uint64_t dst;
} st_chunk;

/* Iterator state for st_plan_next. */
typedef struct st_chunk_iter {
    const st_plan_item *items;
    uint32_t n;
    uint32_t i;          /* current item */
    uint64_t chunk;      /* staging chunk size */
    uint64_t run;        /* next run of the current item */
    uint64_t off;        /* next byte within that run (long runs are split) */
    uint64_t done;       /* bytes of the current item emitted so far */
} st_chunk_iter;

/*@
  // ------------------------------------------------ ST-PLAN: the plan theorem
  // Multiplying by a non-negative number keeps an order (used for the
  // offsets of runs and the ends of items).
  lemma st_mul_mono: \forall integer a, b, c; 0 <= a <= b && 0 <= c ==> a * c <= b * c;
  // A multiple of a positive number leaves no remainder (aligned offsets).
  lemma st_mul_mod: \forall integer q, a; 0 <= q && 0 < a ==> (q * a) % a == 0;

  // An item's source runs lie inside its tensor's bytes, and its byte count
  // is width x height without overflow.
  // Stated on plain values, and on an item's fields below: a fact about an
  // item then carries over to any item whose fields are equal, without
  // unfolding the arithmetic.
  predicate st_runs_ok(integer begin, integer size, integer src, integer width,
                       integer pitch, integer height, integer bytes) =
    bytes == width * height &&
    begin <= src &&
    begin + size <= 18446744073709551615 &&
    (width > 0 && height > 0 ==> src + (height - 1) * pitch + width <= begin + size) &&
    (height > 1 ==> width <= pitch);

  predicate st_item_runs_ok(st_plan_item it) =
    st_runs_ok(it.src_begin, it.src_bytes, it.src, it.width, it.pitch, it.height, it.bytes);

  // Bits of a selection's unit: a row of the 2-D view (row ranges and the
  // whole tensor) or one element (column ranges).
  logic integer st_unit(integer shard, integer cols, integer bits) =
    (shard == ST_SHARD_COLS ? 1 : cols) * bits;

  // A selection with no bytes: an empty range, or a column range of a view
  // with no rows (its columns may be wider than any byte count: nothing is
  // cut, nothing is copied).
  predicate st_sel_empty(integer shard, integer rows, integer start, integer stop) =
    start >= stop || (shard == ST_SHARD_COLS && rows == 0);

  // A selection [start, stop) inside a view of rows x cols elements of
  // `bits` bits, cut on byte boundaries.
  predicate st_sel_ok(integer shard, integer rows, integer cols, integer bits,
                      integer start, integer stop) =
    start <= stop <= (shard == ST_SHARD_COLS ? cols : rows) &&
    (!st_sel_empty(shard, rows, start, stop) ==>
       (start * st_unit(shard, cols, bits)) % 8 == 0 &&
       (stop * st_unit(shard, cols, bits)) % 8 == 0 &&
       (shard == ST_SHARD_COLS && rows > 1 ==> (cols * bits) % 8 == 0));

  logic integer st_unit_l(st_plan_item it) = st_unit(it.shard, it.cols, it.bits);

  predicate st_item_empty(st_plan_item it) = st_sel_empty(it.shard, it.rows, it.start, it.stop);

  // An item as st_plan_item_init describes it: a consistent 2-D view of the
  // tensor's bytes and a selection inside it that is cut on byte boundaries.
  predicate st_item_input_ok(st_plan_item it) =
    0 < it.bits && it.shard <= ST_SHARD_COLS &&
    it.src_bytes * 8 == it.rows * it.cols * it.bits &&
    it.src_begin + it.src_bytes <= 18446744073709551615 &&
    st_sel_ok(it.shard, it.rows, it.cols, it.bits, it.start, it.stop);

  // The runs are the selected bytes: the whole tensor as one run; rows
  // [start, stop) as one run; columns [start, stop) as one run per row,
  // a row's length apart. An empty range selects nothing.
  // The runs of a selection that has bytes: its first byte, the bytes of
  // its range in one row (or of whole rows), one run per row for a column
  // range, a row's length apart.
  predicate st_sel_runs(integer shard, integer rows, integer cols, integer bits,
                        integer start, integer stop, integer begin, integer src,
                        integer width, integer pitch, integer height) =
    src == begin + (start * st_unit(shard, cols, bits)) / 8 &&
    width == ((stop - start) * st_unit(shard, cols, bits)) / 8 &&
    (shard == ST_SHARD_COLS ==> height == rows && pitch == (cols * bits) / 8) &&
    (shard != ST_SHARD_COLS ==> height == 1);

  predicate st_runs_select(integer shard, integer rows, integer cols, integer bits,
                           integer start, integer stop, integer begin, integer size,
                           integer src, integer width, integer pitch, integer height,
                           integer bytes) =
    (shard == ST_SHARD_NONE ==> src == begin && width == size && height == 1) &&
    (shard != ST_SHARD_NONE && st_sel_empty(shard, rows, start, stop) ==> bytes == 0) &&
    (shard != ST_SHARD_NONE && !st_sel_empty(shard, rows, start, stop) ==>
       st_sel_runs(shard, rows, cols, bits, start, stop, begin, src, width, pitch, height));

  predicate st_item_selects(st_plan_item it) =
    st_runs_select(it.shard, it.rows, it.cols, it.bits, it.start, it.stop, it.src_begin,
                   it.src_bytes, it.src, it.width, it.pitch, it.height, it.bytes);

  // ... and its destination range lies inside an allocation of `total` bytes.
  // x is a multiple of align.
  predicate st_aligned(integer x, integer align) = x % align == 0;

  predicate st_item_ok(st_plan_item it) = st_item_runs_ok(it) && st_item_selects(it);

  // A laid-out plan: every item's runs are its selection, destinations lie
  // inside an allocation of `total` bytes, are aligned, in order and
  // pairwise disjoint.
  predicate st_plan_laid(st_plan_item *items, integer n, integer align, integer total) =
    (\forall integer k; 0 <= k < n ==> st_item_ok(items[k])) &&
    (\forall integer k; 0 <= k < n ==> items[k].dst + items[k].bytes <= total) &&
    (\forall integer k; 0 <= k < n ==> st_aligned(items[k].dst, align)) &&
    (\forall integer k, l; 0 <= k < l < n ==> items[k].dst + items[k].bytes <= items[l].dst);

  // Every item's runs inside its tensor, its destination range inside 64 bits.
  predicate st_items_ok(st_plan_item *items, integer n) =
    \forall integer k; 0 <= k < n ==>
      st_item_runs_ok(items[k]) && items[k].dst + items[k].bytes <= 18446744073709551615;

  // Byte `done` of an item of `height` runs of `width` bytes (packed at the
  // destination) is byte `off` of its run `run`; done == width x height is
  // the end of the item.
  predicate st_item_pos(integer height, integer width, integer run, integer off, integer done) =
    0 <= run <= height && 0 <= off &&
    (off > 0 ==> run < height && off < width) &&
    done == run * width + off;

  // Iterator state: `done` bytes of item i emitted, i.e. `run` whole runs
  // plus `off` bytes of the next one.
  predicate st_iter_ok(st_chunk_iter *it) =
    \valid_read(it->items + (0 .. it->n - 1)) &&
    0 < it->chunk <= ST_PLAN_CHUNK_MAX &&
    0 <= it->i <= it->n &&
    (it->i < it->n ==>
       st_item_pos(it->items[it->i].height, it->items[it->i].width, it->run, it->off, it->done));

  // A chunk of item `item`: non-empty, at most one staging buffer, reading
  // inside the item's source runs and writing inside its destination range.
  // (on plain values: the chunk's source start, pitch, run width and count,
  // destination; the item's; the staging size)
  predicate st_chunk_fits(integer src, integer pitch, integer width, integer height,
                          integer dst, integer isrc, integer ipitch, integer iwidth,
                          integer iheight, integer idst, integer ibytes, integer chunk) =
    width >= 1 && height >= 1 && width * height <= chunk &&
    pitch == ipitch &&
    isrc <= src &&
    src + (height - 1) * pitch + width <= isrc + (iheight - 1) * ipitch + iwidth &&
    idst <= dst &&
    dst + width * height <= idst + ibytes;

  predicate st_chunk_ok(st_chunk c, st_plan_item item, integer chunk) =
    st_chunk_fits(c.src, c.pitch, c.width, c.height, c.dst, item.src, item.pitch,
                  item.width, item.height, item.dst, item.bytes, chunk);

  // The chunk copies the item's bytes from position (run, off, done) on:
  // either whole runs run .. run + height - 1, or one piece of run `run`
  // starting `off` bytes in; source and destination follow the position.
  predicate st_chunk_from(integer src, integer width, integer height, integer dst,
                          integer isrc, integer ipitch, integer iwidth, integer iheight,
                          integer idst, integer run, integer off, integer done) =
    src == isrc + run * ipitch + off &&
    dst == idst + done &&
    run + height <= iheight && off + width <= iwidth &&
    (height > 1 ==> off == 0 && width == iwidth);

  predicate st_chunk_at(st_chunk c, st_plan_item item, integer run, integer off, integer done) =
    st_chunk_from(c.src, c.width, c.height, c.dst, item.src, item.pitch, item.width,
                  item.height, item.dst, run, off, done);
*/

/*
 * ST-PLAN-1: describe tensor t of a validated file as a plan item with the
 * given selection. Checks that the selection is inside the tensor and falls
 * on byte boundaries (sub-byte dtypes); returns ST_E_ARGUMENT otherwise.
 */
st_err st_plan_item_init(const st_file *f, const st_tensor *t, st_shard_kind shard,
                         uint64_t start, uint64_t stop, st_plan_item *item);

/*
 * ST-PLAN-2: compute each item's source runs and its destination offset,
 * aligned to `align` (a power of two <= ST_PLAN_ALIGN_MAX), items placed in
 * order without overlap; *total is the allocation size needed.
 */
st_err st_plan_layout(st_plan_item *items, uint32_t n, uint64_t align, uint64_t *total);

/* ST-PLAN-3: start iterating the chunks of a laid-out plan (0 < chunk <= ST_PLAN_CHUNK_MAX). */
void st_plan_iter_init(st_chunk_iter *it, const st_plan_item *items, uint32_t n,
                       uint64_t chunk);

/* Next chunk, in item order then source order; false when there is none left. */
bool st_plan_next(st_chunk_iter *it, st_chunk *out);

/*
 * ST-PLAN-4: the tensor-parallel shard of a dimension of size `size` for
 * `rank` of `world` ranks: contiguous, sizes differing by at most one, the
 * first size % world ranks one larger.
 */
void st_plan_tp_range(uint64_t size, uint32_t rank, uint32_t world,
                      uint64_t *start, uint64_t *stop);

#ifdef __cplusplus
}
#endif
#endif /* ST_PLAN_H */
