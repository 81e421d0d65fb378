/*
 * st_parse.c -- st_parse: the whole-file checks in the reference's order
 * (ST-ORDER-1): layout, UTF-8, JSON and schema, duplicates, validation.
 */
#include "st_internal.h"

/*@
  // 256^j for the bytes read so far (j <= 8).
  logic integer st_pow256_l(integer j) =
    j <= 0 ? 1 : j == 1 ? 0x100 : j == 2 ? 0x10000 : j == 3 ? 0x1000000 :
    j == 4 ? 0x100000000 : j == 5 ? 0x10000000000 : j == 6 ? 0x1000000000000 :
    j == 7 ? 0x100000000000000 : 0x10000000000000000;

  // The state the resolution and validation steps work on: a file whose
  // header parsed into storage that fits, apart from the diagnostics.
  predicate st_work_ok{L}(st_file *f, st_diag *d) =
    \valid_read(f) && \valid(d) && st_storage_ok(f->st) &&
    f->n_entries <= f->st->tensor_cap && f->n_meta_entries <= f->st->meta_cap &&
    st_entries_ok(f->st, f->n_entries, f->n_meta_entries, f->st->dim_cap) &&
    st_storage_apart(f->st, f->buf, f->len, f, d);
*/

/* Little-endian u64 from 8 bytes (ST-LAYOUT-1). */
/*@ requires \valid_read(p + (0 .. 7));
    assigns \nothing;
*/
static uint64_t st_load64_le(const uint8_t *p)
{
    uint64_t v = 0u;
    uint32_t k = 8u;
    /*@ loop invariant 0 <= k <= 8;
        loop invariant 0 <= v < st_pow256_l(8 - k);
        loop assigns k, v;
        loop variant k;
    */
    while (k > 0u) {
        k--;
        v = (v * 256u) + (uint64_t)p[k];
    }
    return v;
}

/*@ requires \valid_read(s) && \valid_read(need);
    assigns \nothing;
    ensures \result ==> need->tensors <= s->tensor_cap && need->dims <= s->dim_cap &&
                        need->meta <= s->meta_cap && need->arena <= s->arena_cap;
*/
static bool st_storage_fits(const st_storage *s, const st_need *need)
{
    return (need->tensors <= s->tensor_cap) && (need->dims <= s->dim_cap) &&
           (need->meta <= s->meta_cap) && (need->arena <= s->arena_cap) &&
           ((need->tensors == 0u) ||
            ((s->tensors != NULL) && (s->order != NULL) && (s->by_name != NULL))) &&
           ((need->dims == 0u) || (s->dims != NULL)) &&
           ((need->meta == 0u) || ((s->meta != NULL) && (s->meta_order != NULL))) &&
           ((need->arena == 0u) || (s->arena != NULL));
}

/*@ requires \valid(diag) && \valid_read(t) && \separated(diag, t);
    assigns diag->code, diag->offset, diag->name, diag->name_len;
*/
static void st_diag_tensor(st_diag *diag, st_err e, uint64_t offset, const st_tensor *t)
{
    diag->code = e;
    diag->offset = offset;
    diag->name = t->name;
    diag->name_len = t->name_len;
}

/*
 * ST-SCHEMA-7 / ST-STRICT-3: resolve duplicate tensor names. Sorting by
 * (name, entry index) puts each name's occurrences side by side, last one
 * last; every occurrence but the last is dropped (compat) or refused
 * (strict). Leaves the live entries, in name order, in by_name[0..*live).
 */
/*@ requires st_work_ok(f, diag);
    requires \valid(live) &&
             \separated(live, f, diag, f->st,
                        f->st->tensors + (0 .. f->st->tensor_cap - 1),
                        f->st->order + (0 .. f->st->tensor_cap - 1),
                        f->st->by_name + (0 .. f->st->tensor_cap - 1));
    assigns f->st->by_name[0 .. f->st->tensor_cap - 1],
            f->st->order[0 .. f->st->tensor_cap - 1],
            f->st->tensors[0 .. f->st->tensor_cap - 1].dropped, *diag, *live;
    ensures *live <= f->n_entries;
    ensures st_idx_below(f->st->by_name, *live, f->n_entries);
*/
static st_err st_resolve_tensors(const st_file *f, st_diag *diag, uint32_t *live)
{
    st_err ret = ST_OK;
    const st_storage *s = f->st;
    uint32_t n = f->n_entries;
    uint32_t i;
    uint32_t w = 0u;
    /*@ loop invariant 0 <= i <= n;
        loop invariant st_idx_below(s->by_name, i, n);
        loop assigns i, s->by_name[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0u; i < n; i++) {
        s->by_name[i] = i;
    }
    st_mergesort(s->by_name, s->order, n, ST_SORT_TENSOR_NAME, s->tensors) /*@ ghost (n) */;
    /*@ loop invariant 0 <= w <= i <= n;
        loop invariant st_idx_below(s->by_name, n, n);
        loop assigns i, w, ret, s->by_name[0 .. n - 1],
                     s->tensors[0 .. n - 1].dropped, *diag;
        loop variant n - i;
    */
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        st_tensor *t = &s->tensors[s->by_name[i]];
        if ((i + 1u) < n) {
            const st_tensor *next = &s->tensors[s->by_name[i + 1u]];
            if (st_bytes_cmp(t->name, t->name_len, next->name, next->name_len) == 0) {
                t->dropped = true;
                if (f->mode == ST_MODE_STRICT) {
                    ret = ST_E_STRICT_DUP_TENSOR;
                    st_diag_tensor(diag, ret, ST_PREFIX_LEN + (uint64_t)next->key_pos, next);
                }
            }
        }
        if (!t->dropped) {
            s->by_name[w] = s->by_name[i];
            w++;
        }
    }
    *live = w;
    return ret;
}

/* ST-META-3 / ST-STRICT-4: the same for metadata keys, into meta_order. */
/*@ requires st_work_ok(f, diag);
    requires \valid(live) &&
             \separated(live, f, diag, f->st,
                        f->st->meta + (0 .. f->st->meta_cap - 1),
                        f->st->meta_order + (0 .. f->st->meta_cap - 1));
    assigns f->st->meta_order[0 .. f->st->meta_cap - 1],
            f->st->meta[0 .. f->st->meta_cap - 1].dropped, *diag, *live;
    ensures *live <= f->n_meta_entries;
    ensures st_idx_below(f->st->meta_order, *live, f->n_meta_entries);
*/
static st_err st_resolve_meta(const st_file *f, st_diag *diag, uint32_t *live)
{
    st_err ret = ST_OK;
    const st_storage *s = f->st;
    uint32_t n = f->n_meta_entries;
    uint32_t i;
    uint32_t w = 0u;
    /*@ loop invariant 0 <= i <= n;
        loop invariant st_idx_below(s->meta_order, i, n);
        loop assigns i, s->meta_order[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0u; i < n; i++) {
        s->meta_order[i] = i;
    }
    st_heapsort(s->meta_order, n, ST_SORT_META_KEY, NULL, s->meta) /*@ ghost (n) */;
    /*@ loop invariant 0 <= w <= i <= n;
        loop invariant st_idx_below(s->meta_order, n, n);
        loop assigns i, w, ret, s->meta_order[0 .. n - 1],
                     s->meta[0 .. n - 1].dropped, *diag;
        loop variant n - i;
    */
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        st_meta *m = &s->meta[s->meta_order[i]];
        if ((i + 1u) < n) {
            const st_meta *next = &s->meta[s->meta_order[i + 1u]];
            if (st_bytes_cmp(m->key, m->key_len, next->key, next->key_len) == 0) {
                m->dropped = true;
                if (f->mode == ST_MODE_STRICT) {
                    ret = ST_E_STRICT_DUP_META_KEY;
                    diag->code = ret;
                    diag->offset = ST_PREFIX_LEN + (uint64_t)next->key_pos;
                    diag->name = next->key;
                    diag->name_len = next->key_len;
                }
            }
        }
        if (!m->dropped) {
            s->meta_order[w] = s->meta_order[i];
            w++;
        }
    }
    *live = w;
    return ret;
}

/* ST-VALID-2 .. ST-VALID-5 for one tensor whose offsets already passed ST-VALID-1. */
/*@ requires \valid_read(s) && \valid_read(t);
    requires \valid_read(s->dims + (0 .. s->dim_cap - 1));
    requires t->dims_at + t->rank <= s->dim_cap;
    requires t->begin <= t->end;
    assigns \nothing;
    ensures \result == ST_OK ==> st_size_ok(t, s->dims);
*/
static st_err st_check_size(const st_storage *s, const st_tensor *t)
{
    st_err ret = ST_OK;
    uint64_t nelem = 1u;
    uint64_t bits = (uint64_t)st_dtype_bits((st_dtype)t->dtype);
    uint32_t d;
    /*@ loop invariant 0 <= d <= t->rank;
        loop invariant ret == ST_OK ==> nelem == st_nelem_l(s->dims, t->dims_at, d);
        loop invariant ret == ST_OK ==> \forall integer j; 0 <= j <= d ==>
                         st_nelem_l(s->dims, t->dims_at, j) <= ST_U64_MAX_L;
        loop assigns d, nelem, ret;
        loop variant t->rank - d;
    */
    for (d = 0u; (d < t->rank) && (ret == ST_OK); d++) {
        uint64_t dim = s->dims[t->dims_at + d];
        /* ST-VALID-2: left to right; [2^63, 2, 0] overflows, [2^63, 0] does not */
        if ((dim != 0u) && (nelem > (UINT64_MAX / dim))) {
            ret = ST_E_OVERFLOW;
        } else {
            nelem = nelem * dim;
        }
    }
    if (ret == ST_OK) {
        if ((nelem != 0u) && (bits > (UINT64_MAX / nelem))) {
            ret = ST_E_OVERFLOW;                     /* ST-VALID-3 */
        } else if (((nelem * bits) % 8u) != 0u) {
            ret = ST_E_MISALIGNED;                   /* ST-VALID-4 */
        } else if ((t->end - t->begin) != ((nelem * bits) / 8u)) {
            ret = ST_E_SIZE_MISMATCH;                /* ST-VALID-5 */
        } else {
            ret = ST_OK;
        }
    }
    return ret;
}

/*
 * ST-VALID-1 .. ST-VALID-7: walk the live tensors in (begin, end) order;
 * each must start at the running end and have the size its shape and dtype
 * give; the last must end exactly at the end of the file (ST-VALID-6, with
 * the addition checked).
 */
/*@ requires st_work_ok(f, diag);
    requires f->n_tensors <= f->n_entries;
    requires f->header_len <= ST_HEADER_MAX && ST_PREFIX_LEN + f->header_len <= f->len;
    requires f->data_len == f->len - ST_PREFIX_LEN - f->header_len;
    assigns f->st->order[0 .. f->st->tensor_cap - 1],
            f->st->scratch[0 .. f->st->tensor_cap - 1], *diag;
    ensures st_idx_below(f->st->order, f->n_tensors, f->n_entries);
    ensures \result == ST_OK ==> st_layout_ok(f);
*/
static st_err st_validate_layout(const st_file *f, st_diag *diag)
{
    st_err ret = ST_OK;
    const st_storage *s = f->st;
    uint64_t running = 0u;
    uint32_t i;
    uint32_t w = 0u;
    /* Every slot gets an entry index first, so that the sort and the walk
       below read entry indices whatever the fill finds; the fill then
       writes the live entries in header order, usually already in offset
       order, over all n_tensors slots. */
    /*@ loop invariant 0 <= i <= f->n_tensors;
        loop invariant st_idx_below(s->order, i, f->n_entries);
        loop assigns i, s->order[0 .. f->n_tensors - 1];
        loop variant f->n_tensors - i;
    */
    for (i = 0u; i < f->n_tensors; i++) {
        s->order[i] = 0u;
    }
    /*@ loop invariant 0 <= i <= f->n_entries && w <= f->n_tensors;
        loop invariant st_idx_below(s->order, f->n_tensors, f->n_entries);
        loop assigns i, w, s->order[0 .. f->n_tensors - 1];
        loop variant f->n_entries - i;
    */
    for (i = 0u; i < f->n_entries; i++) {
        if (!s->tensors[i].dropped && (w < f->n_tensors)) {
            s->order[w] = i;
            w++;
        }
    }
    if (s->scratch != NULL) {
        st_mergesort(s->order, s->scratch, f->n_tensors, ST_SORT_TENSOR_OFFSET, s->tensors)
            /*@ ghost (f->n_entries) */;
    } else {
        st_heapsort(s->order, f->n_tensors, ST_SORT_TENSOR_OFFSET, s->tensors, NULL)
            /*@ ghost (f->n_entries) */;
    }
    /*@ loop invariant 0 <= i <= f->n_tensors;
        loop invariant ret == ST_OK ==> (i == 0 ==> running == 0);
        loop invariant ret == ST_OK && 0 < i ==>
                         running == st_live_l(f, i - 1)->end && st_live_l(f, 0)->begin == 0;
        loop invariant ret == ST_OK ==> \forall integer j; 0 <= j < i - 1 ==>
                         st_live_l(f, j + 1)->begin == st_live_l(f, j)->end;
        loop invariant ret == ST_OK ==> \forall integer j; 0 <= j < i ==>
                         st_live_l(f, j)->begin <= st_live_l(f, j)->end <= running &&
                         st_size_ok(st_live_l(f, j), f->st->dims);
        loop assigns i, ret, running, *diag;
        loop variant f->n_tensors - i;
    */
    for (i = 0u; (i < f->n_tensors) && (ret == ST_OK); i++) {
        const st_tensor *t = &s->tensors[s->order[i]];
        if ((t->begin != running) || (t->end < t->begin)) {
            ret = ST_E_INVALID_OFFSET;               /* ST-VALID-1 */
        } else {
            running = t->end;
            ret = st_check_size(s, t);
        }
        if (ret != ST_OK) {
            st_diag_tensor(diag, ret, ST_PREFIX_LEN + (uint64_t)t->offsets_pos, t);
        }
    }
    if (ret == ST_OK) {
        uint64_t prefix = ST_PREFIX_LEN + f->header_len;  /* <= 8 + 1e8 */
        if ((running > (UINT64_MAX - prefix)) || ((running + prefix) != f->len)) {
            ret = ST_E_INCOMPLETE;
            diag->code = ret;
            diag->offset = (running > (f->len - prefix)) ? f->len : (running + prefix);
        }
    }
    return ret;
}

/* Fill out and diag for a parse that has found nothing yet. */
/*@ requires \valid(out) && \valid(diag) && \separated(out, diag);
    assigns *out, *diag;
    ensures out->buf == buf && out->len == len && out->st == storage && out->mode == mode;
    ensures out->n_tensors == 0 && out->n_meta == 0;
*/
static void st_parse_reset(const uint8_t *buf, uint64_t len, st_mode mode,
                           const st_storage *storage, st_file *out, st_diag *diag)
{
    diag->code = ST_OK;
    diag->offset = 0u;
    diag->name = NULL;
    diag->name_len = 0u;
    diag->need.tensors = 0u;
    diag->need.dims = 0u;
    diag->need.meta = 0u;
    diag->need.arena = 0u;
    out->buf = buf;
    out->len = len;
    out->header_len = 0u;
    out->data_len = 0u;
    out->st = storage;
    out->n_entries = 0u;
    out->n_tensors = 0u;
    out->n_meta_entries = 0u;
    out->n_meta = 0u;
    out->has_metadata = false;
    out->mode = mode;
}

/* ST-API-2, ST-LAYOUT-1 .. -3, ST-UTF8-1: the mode, the length prefix and
   the header bytes, in that order; *hlen receives N, which need not be a
   multiple of 8 (ST-LAYOUT-5; N = 0 fails later as JSON). The data section
   is [8 + N, len) and offsets count from its start (ST-LAYOUT-4). */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(diag) && \valid(hlen) && \separated(diag, hlen, buf + (0 .. len - 1));
    assigns diag->offset, *hlen;
    ensures \result == ST_OK ==> *hlen <= ST_HEADER_MAX && ST_PREFIX_LEN + *hlen <= len;
*/
static st_err st_check_prefix(const uint8_t *buf, uint64_t len, st_mode mode,
                              st_diag *diag, uint64_t *hlen)
{
    st_err ret = ST_OK;
    uint64_t n = 0u;
    uint32_t bad = 0u;
    if ((mode != ST_MODE_STRICT) && (mode != ST_MODE_COMPAT)) {
        ret = ST_E_ARGUMENT;
    } else if (len < ST_PREFIX_LEN) {
        ret = ST_E_FILE_TOO_SMALL;                   /* ST-LAYOUT-1 */
        diag->offset = len;
    } else {
        n = st_load64_le(buf);
        if (n > ST_HEADER_MAX) {
            ret = ST_E_HEADER_TOO_LARGE;             /* ST-LAYOUT-2 */
        } else if ((len - ST_PREFIX_LEN) < n) {
            ret = ST_E_HEADER_TRUNCATED;             /* ST-LAYOUT-3 */
            diag->offset = len;
        } else if (!st_utf8_valid(&buf[ST_PREFIX_LEN], (uint32_t)n, &bad)) {
            ret = ST_E_UTF8;                         /* ST-UTF8-1 */
            diag->offset = ST_PREFIX_LEN + (uint64_t)bad;
        } else {
            ret = ST_OK;
        }
    }
    *hlen = n;
    return ret;
}

/* Step 5 of ST-ORDER-1: the header, stored when the caller's storage fits
   (ST-API-1); the counts go to out only then. */
/*@ requires \valid(out) && \valid(diag);
    requires st_storage_ok(out->st);
    requires st_storage_apart(out->st, out->buf, out->len, out, diag);
    requires \valid_read(out->buf + (0 .. out->len - 1));
    requires out->header_len <= ST_HEADER_MAX && ST_PREFIX_LEN + out->header_len <= out->len;
    assigns diag->offset, diag->name, diag->name_len, diag->need,
            out->n_entries, out->n_meta_entries, out->has_metadata,
            out->st->tensors[0 .. out->st->tensor_cap - 1],
            out->st->dims[0 .. out->st->dim_cap - 1],
            out->st->meta[0 .. out->st->meta_cap - 1],
            out->st->arena[0 .. out->st->arena_cap - 1];
    ensures \result == ST_OK ==>
              out->n_entries <= out->st->tensor_cap &&
              out->n_meta_entries <= out->st->meta_cap &&
              st_entries_ok(out->st, out->n_entries, out->n_meta_entries, out->st->dim_cap);
*/
static st_err st_parse_entries(st_file *out, st_diag *diag)
{
    st_err ret = ST_OK;
    const st_storage *s = out->st;
    st_storage hs = *s;
    st_cursor c;
    st_header_result hr;
    /* U-7, ST-API-1: the header pass stores through hs, in which a kind of
       array left NULL despite a capacity has capacity 0: the pass only
       counts that kind, nothing is stored through NULL, and the fit check
       below (on the caller's storage) refuses with ST_E_STORAGE. */
    if ((hs.tensors == NULL) || (hs.order == NULL) || (hs.by_name == NULL)) {
        hs.tensor_cap = 0u;
    }
    if (hs.dims == NULL) {
        hs.dim_cap = 0u;
    }
    if ((hs.meta == NULL) || (hs.meta_order == NULL)) {
        hs.meta_cap = 0u;
    }
    if (hs.arena == NULL) {
        hs.arena_cap = 0u;
    }
    c.h = &out->buf[ST_PREFIX_LEN];
    c.n = (uint32_t)out->header_len;
    c.pos = 0u;
    c.err_pos = 0u;
    ret = st_parse_header(&c, out->mode, &hs, &hr);
    diag->need = hr.need;
    if (ret != ST_OK) {
        diag->offset = ST_PREFIX_LEN + (uint64_t)c.err_pos;
        diag->name = hr.err_name;
        diag->name_len = hr.err_name_len;
    } else if (!st_storage_fits(s, &hr.need)) {
        ret = ST_E_STORAGE;
    } else {
        /*@ assert st_names_ok(s->tensors, hr.n_entries) &&
                   st_keys_ok(s->meta, hr.n_meta) &&
                   st_dims_in(s->tensors, hr.n_entries, s->dim_cap); */
        out->n_entries = hr.n_entries;
        out->n_meta_entries = hr.n_meta;
        out->has_metadata = hr.has_metadata;
    }
    return ret;
}

/*
 * One parser, two modes: ST_MODE_COMPAT accepts what the reference accepts,
 * with its error kind (ST-MODE-1); ST_MODE_STRICT applies the ST-STRICT-*
 * refusals on top of the same checks, so a strict accept is a compat accept
 * with the same table (ST-MODE-2).
 */
st_err st_parse(const uint8_t *buf, uint64_t len, st_mode mode,
                const st_storage *storage, st_file *out, st_diag *diag)
{
    st_err ret = ST_OK;
    uint64_t n = 0u;
    uint32_t live = 0u;
    st_parse_reset(buf, len, mode, storage, out, diag);
    ret = st_check_prefix(buf, len, mode, diag, &n);
    if (ret == ST_OK) {
        out->header_len = n;
        out->data_len = len - ST_PREFIX_LEN - n;
        ret = st_parse_entries(out, diag);
    }
    if (ret == ST_OK) {
        ret = st_resolve_tensors(out, diag, &live);
        out->n_tensors = live;
    }
    if (ret == ST_OK) {
        ret = st_resolve_meta(out, diag, &live);
        out->n_meta = live;
    }
    if (ret == ST_OK) {
        ret = st_validate_layout(out, diag);
    }
    /* on success diag->code still holds the ST_OK of st_parse_reset */
    if (ret != ST_OK) {
        diag->code = ret;
        out->n_tensors = 0u;
        out->n_meta = 0u;
    }
    return ret;
}
