/*
 * st_check.c -- the checks of ST-ORDER-1 that st_parse runs in turn: the
 * length prefix (ST-LAYOUT-1 .. -3, ST-UTF8-1), the header entries into the
 * caller's storage (ST-API-1), duplicate names and keys (ST-SCHEMA-7,
 * ST-META-3, ST-STRICT-3, ST-STRICT-4) and the layout (ST-VALID-1 .. -7),
 * each on plain values and arrays, so that the provers see only what it
 * reads and writes (contracts: st_internal.h).
 */
#include "st_cover.h"
#include "st_internal.h"

/*@
  // 256^j for the bytes read so far (j <= 8).
  logic integer st_pow256_l(integer j) =
    j <= 0 ? 1 : j == 1 ? 0x100 : j == 2 ? 0x10000 : j == 3 ? 0x1000000 :
    j == 4 ? 0x100000000 : j == 5 ? 0x10000000000 : j == 6 ? 0x1000000000000 :
    j == 7 ? 0x100000000000000 : 0x10000000000000000;

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

/*@ assigns \nothing;
    ensures \result ==> need.tensors <= s.tensor_cap && need.dims <= s.dim_cap &&
                        need.meta <= s.meta_cap && need.arena <= s.arena_cap;
    ensures \result ==> (need.tensors == 0 || s.tensors != \null) &&
                        (need.dims == 0 || s.dims != \null) &&
                        (need.meta == 0 || s.meta != \null) &&
                        (need.arena == 0 || s.arena != \null);
*/
static bool st_storage_fits(st_storage s, st_need need)
{
    return (need.tensors <= s.tensor_cap) && (need.dims <= s.dim_cap) &&
           (need.meta <= s.meta_cap) && (need.arena <= s.arena_cap) &&
           ((need.tensors == 0u) ||
            ((s.tensors != NULL) && (s.order != NULL) && (s.by_name != NULL))) &&
           ((need.dims == 0u) || (s.dims != NULL)) &&
           ((need.meta == 0u) || ((s.meta != NULL) && (s.meta_order != NULL))) &&
           ((need.arena == 0u) || (s.arena != NULL));
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
 * ST-SCHEMA-7 / ST-STRICT-3: resolve duplicate tensor names among the n
 * entries t[0 .. n). Sorting by (name, entry index) puts each name's
 * occurrences side by side, last one last; every occurrence but the last is
 * dropped (compat) or refused (strict). Leaves the live entries, in name
 * order, in idx[0 .. *live); tmp is the sort's scratch space.
 */
st_err st_resolve_tensors(st_tensor *t, uint32_t *idx, uint32_t *tmp, uint32_t n,
                          st_mode mode, st_diag *diag, uint32_t *live, st_strs names)
    /*@ ghost (uint32_t nd) */
{
    st_err ret = ST_OK;
    uint32_t i;
    uint32_t w = 0u;
    /*@ loop invariant 0 <= i <= n;
        loop invariant st_idx_below(idx, i, n);
        loop invariant st_dims_in(t, n, nd);
        loop assigns i, idx[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0u; i < n; i++) {
        idx[i] = i;
    }
    st_mergesort(idx, tmp, n, ST_SORT_TENSOR_NAME, t, names) /*@ ghost (n) */;
    /*@ assert st_dims_in(t, n, nd); */
    /*@ loop invariant 0 <= w <= i <= n;
        loop invariant st_idx_below(idx, n, n);
        loop invariant st_names_ok(t, n);
        loop invariant st_dims_in(t, n, nd);
        loop assigns i, w, ret, idx[0 .. n - 1], t[0 .. n - 1].dropped, *diag;
        loop variant n - i;
    */
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        st_tensor *e = &t[idx[i]];
        if ((i + 1u) < n) {
            const st_tensor *next = &t[idx[i + 1u]];
            if (st_names_cmp(names, t, idx[i], idx[i + 1u]) == 0) {
                e->dropped = true;
                if (mode == ST_MODE_STRICT) {
                    ret = ST_E_STRICT_DUP_TENSOR;
                    st_diag_tensor(diag, ret, ST_PREFIX_LEN + (uint64_t)next->key_pos, next);
                }
            }
        }
        if (!e->dropped) {
            idx[w] = idx[i];
            w++;
        }
    }
    *live = w;
    return ret;
}

/* ST-META-3 / ST-STRICT-4: the same for the n metadata pairs m[0 .. n),
   the live ones into idx[0 .. *live). The ghost parameters name the tensor
   entries t[0 .. nt), whose facts the contract carries across the call
   (cheaper to prove here than in the caller). */
st_err st_resolve_meta(st_meta *m, uint32_t *idx, uint32_t n, st_mode mode,
                       st_diag *diag, uint32_t *live, st_strs names)
    /*@ ghost (st_tensor *t, uint32_t nt, uint32_t nd) */
{
    st_err ret = ST_OK;
    uint32_t i;
    uint32_t w = 0u;
    /*@ loop invariant 0 <= i <= n;
        loop invariant st_idx_below(idx, i, n);
        loop invariant st_names_ok(t, nt) && st_dims_in(t, nt, nd);
        loop assigns i, idx[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0u; i < n; i++) {
        idx[i] = i;
    }
    st_heapsort(idx, n, ST_SORT_META_KEY, NULL, m, names) /*@ ghost (n) */;
    /*@ assert st_names_ok(t, nt) && st_dims_in(t, nt, nd); */
    /*@ loop invariant 0 <= w <= i <= n;
        loop invariant st_idx_below(idx, n, n);
        loop invariant st_keys_ok(m, n);
        loop invariant st_names_ok(t, nt) && st_dims_in(t, nt, nd);
        loop assigns i, w, ret, idx[0 .. n - 1], m[0 .. n - 1].dropped, *diag;
        loop variant n - i;
    */
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        st_meta *e = &m[idx[i]];
        if ((i + 1u) < n) {
            const st_meta *next = &m[idx[i + 1u]];
            if (st_keys_cmp(names, m, idx[i], idx[i + 1u]) == 0) {
                e->dropped = true;
                if (mode == ST_MODE_STRICT) {
                    ret = ST_E_STRICT_DUP_META_KEY;
                    diag->code = ret;
                    diag->offset = ST_PREFIX_LEN + (uint64_t)next->key_pos;
                    diag->name = next->key;
                    diag->name_len = next->key_len;
                }
            }
        }
        if (!e->dropped) {
            idx[w] = idx[i];
            w++;
        }
    }
    *live = w;
    return ret;
}

/* ST-VALID-2 .. ST-VALID-5 for one tensor whose offsets already passed
   ST-VALID-1: the shape's product left to right, then the bit count, each
   checked before it is computed. */
/*@ requires \valid_read(t) && t->begin <= t->end;
    requires t->dims_at + t->rank <= dim_cap;
    requires \valid_read(dims + (t->dims_at .. t->dims_at + t->rank - 1));
    assigns \nothing;
    ensures \result == ST_OK ==> st_size_ok(t, dims);
*/
static st_err st_check_size(const uint64_t *dims, uint32_t dim_cap, const st_tensor *t)
{
    st_err ret = ST_OK;
    uint64_t nelem = 1u;
    const uint64_t bits = (uint64_t)st_dtype_bits((st_dtype)t->dtype);
    const uint64_t begin = t->begin;
    const uint64_t end = t->end;
    uint32_t d;
    /*@ assert begin <= end; */
    /*@ loop invariant 0 <= d <= t->rank;
        loop invariant ret == ST_OK ==> nelem == st_nelem_l(dims, t->dims_at, d);
        loop invariant ret == ST_OK ==> \forall integer j; 0 <= j <= d ==>
                         st_nelem_l(dims, t->dims_at, j) <= ST_U64_MAX_L;
        loop assigns d, nelem, ret;
        loop variant t->rank - d;
    */
    for (d = 0u; (d < t->rank) && (ret == ST_OK); d++) {
        const uint32_t k = t->dims_at + d;
        uint64_t dim = 0u;
        st_prod p;
        /* the shape lies in dims[0 .. dim_cap) (U-16 in spec/analysis-notes.md) */
        /*@ assert k < dim_cap; */
        if (ST_ALWAYS(k < dim_cap)) {
            dim = dims[k];
        }
        /* ST-VALID-2: left to right; [2^63, 2, 0] overflows, [2^63, 0] does not */
        p = st_mul_u64(nelem, dim);
        if (!p.fits) {
            ret = ST_E_OVERFLOW;
        } else {
            nelem = p.value;
        }
    }
    if (ret == ST_OK) {
        const st_prod nb = st_mul_u64(nelem, bits);
        if (!nb.fits) {
            ret = ST_E_OVERFLOW;                     /* ST-VALID-3 */
        } else {
            const uint64_t nbits = nb.value;
            /*@ assert nbits == st_nbits_l(t, dims); */
            if ((nbits % 8u) != 0u) {
                ret = ST_E_MISALIGNED;               /* ST-VALID-4 */
            } else if (ST_NEVER(end < begin) || ((end - begin) != (nbits / 8u))) {
                ret = ST_E_SIZE_MISMATCH;            /* ST-VALID-5 */
            } else {
                ret = ST_OK;
            }
        }
    }
    return ret;
}

/* ST-VALID-1: the indices of the live entries among t[0 .. n_entries), in
   header order, into order[0 .. n) (n: the live count). Every slot gets an
   entry index first, so that the sort and the walk read entry indices
   whatever the fill finds. The fill writes the w-th live entry at order[w]
   with w <= i < n_entries, inside the array whatever the live count; since
   there are exactly n live entries (st_resolve_tensors counted them), it
   writes order[0 .. n) and nothing after. */
/*@ requires n <= n_entries && \valid_read(t + (0 .. n_entries - 1));
    requires \valid(order + (0 .. n_entries - 1));
    requires \separated(order + (0 .. n_entries - 1), t + (0 .. n_entries - 1));
    assigns order[0 .. n_entries - 1];
    ensures st_idx_below(order, n, n_entries);
*/
static void st_collect_live(uint32_t *order, uint32_t n, const st_tensor *t, uint32_t n_entries)
{
    uint32_t i;
    uint32_t w = 0u;
    /*@ loop invariant 0 <= i <= n;
        loop invariant st_idx_below(order, i, n_entries);
        loop assigns i, order[0 .. n - 1];
        loop variant n - i;
    */
    for (i = 0u; i < n; i++) {
        order[i] = 0u;
    }
    /*@ loop invariant 0 <= i <= n_entries && w <= i;
        loop invariant st_idx_below(order, n, n_entries);
        loop assigns i, w, order[0 .. n_entries - 1];
        loop variant n_entries - i;
    */
    for (i = 0u; i < n_entries; i++) {
        if (!t[i].dropped) {
            order[w] = i;
            w++;
        }
    }
}

/*
 * ST-VALID-1 .. ST-VALID-7: walk the tensors t[order[0 .. n)], sorted by
 * (begin, end); each must start at the running end and have the size its
 * shape and dtype give; the last must end exactly at the end of the file,
 * len, the data section starting at prefix (ST-VALID-6, with the addition
 * checked).
 */
/*@ requires \valid_read(order + (0 .. n - 1)) && st_idx_below(order, n, n_entries);
    requires \valid_read(t + (0 .. n_entries - 1)) && st_dims_in(t, n_entries, dim_cap);
    requires st_names_ok(t, n_entries);
    requires \valid_read(dims + (0 .. dim_cap - 1));
    requires prefix <= len;
    requires \valid(diag) &&
             \separated(diag, t + (0 .. n_entries - 1), order + (0 .. n - 1),
                        dims + (0 .. dim_cap - 1));
    assigns *diag;
    ensures \result == ST_OK ==> st_runs_ok(t, order, n, dims, len - prefix);
    ensures st_names_ok(t, n_entries);
    ensures st_dims_in(t, n_entries, dim_cap);
*/
static st_err st_check_runs(const st_tensor *t, const uint32_t *order, uint32_t n,
                            const uint64_t *dims, uint32_t dim_cap, uint64_t prefix,
                            uint64_t len, st_diag *diag) /*@ ghost (uint32_t n_entries) */
{
    st_err ret = ST_OK;
    uint64_t running = 0u;
    uint32_t i;
    /*@ loop invariant 0 <= i <= n;
        loop invariant ret == ST_OK && i == 0 ==> running == 0;
        loop invariant ret == ST_OK && 0 < i ==>
                         running == (t + order[i - 1])->end && (t + order[0])->begin == 0;
        loop invariant ret == ST_OK ==> \forall integer j; 0 <= j < i - 1 ==>
                         (t + order[j + 1])->begin == (t + order[j])->end;
        loop invariant ret == ST_OK ==> \forall integer j; 0 <= j < i ==>
                         (t + order[j])->begin <= (t + order[j])->end <= running &&
                         st_size_ok(t + order[j], dims);
        loop assigns i, ret, running, diag->code, diag->offset, diag->name, diag->name_len;
        loop variant n - i;
    */
    for (i = 0u; (i < n) && (ret == ST_OK); i++) {
        const st_tensor *e = &t[order[i]];
        if ((e->begin != running) || (e->end < e->begin)) {
            ret = ST_E_INVALID_OFFSET;               /* ST-VALID-1 */
        } else {
            running = e->end;
            ret = st_check_size(dims, dim_cap, e);
        }
        if (ret != ST_OK) {
            st_diag_tensor(diag, ret, ST_PREFIX_LEN + (uint64_t)e->offsets_pos, e);
        }
    }
    if (ret == ST_OK) {
        /* the end of the last tensor in file offsets, compared without
           subtracting from len (so no relation between prefix and len is
           needed to see that nothing wraps) */
        const bool past = (running > (UINT64_MAX - prefix)) || ((running + prefix) > len);
        if (past || ((running + prefix) != len)) {
            ret = ST_E_INCOMPLETE;
            diag->code = ret;
            diag->offset = past ? len : (running + prefix);
        }
    }
    return ret;
}

/*
 * ST-VALID-*: the n live tensors among the n_entries entries of the storage
 * s (a copy of the caller's descriptor), sorted by offsets into s.order and
 * walked (st_check_runs); the data section is [prefix, len). The ghost
 * parameters name what the caller keeps across the call, so the contract
 * states it (a fact carried by the callee costs the provers far less than
 * one the caller carries across the call): the metadata counts nm and nml,
 * the parse result f and the caller's storage descriptor sp.
 */
st_err st_validate_layout(st_storage s, uint32_t n_entries, uint32_t n, uint64_t prefix,
                          uint64_t len, st_diag *diag, st_strs names)
    /*@ ghost (uint32_t nm, uint32_t nml, const st_file *f, const st_storage *sp) */
{
    st_err ret;
    /* (the asserts carry, step by step, what the earlier checks
       established about the arrays this function does not write) */
    st_collect_live(s.order, n, s.tensors, n_entries);
    /*@ assert st_names_ok(s.tensors, n_entries); */
    /*@ assert st_dims_in(s.tensors, n_entries, s.dim_cap); */
    /*@ assert st_keys_ok(s.meta, nm); */
    /*@ assert st_idx_below(s.by_name, n, n_entries); */
    /*@ assert st_idx_below(s.meta_order, nml, nm); */
    /*@ assert st_file_kept{Pre,Here}(f); */
    /*@ assert st_desc_is(sp, s); */
    if (s.scratch != NULL) {
        st_mergesort(s.order, s.scratch, n, ST_SORT_TENSOR_OFFSET, s.tensors, names)
            /*@ ghost (n_entries) */;
    } else {
        st_heapsort(s.order, n, ST_SORT_TENSOR_OFFSET, s.tensors, NULL, names) /*@ ghost (n_entries) */;
    }
    /*@ assert st_names_ok(s.tensors, n_entries); */
    /*@ assert st_dims_in(s.tensors, n_entries, s.dim_cap); */
    /*@ assert st_keys_ok(s.meta, nm); */
    /*@ assert st_idx_below(s.by_name, n, n_entries); */
    /*@ assert st_idx_below(s.meta_order, nml, nm); */
    /*@ assert st_file_kept{Pre,Here}(f); */
    /*@ assert st_desc_is(sp, s); */
    ret = st_check_runs(s.tensors, s.order, n, s.dims, s.dim_cap, prefix, len, diag)
        /*@ ghost (n_entries) */;
    /*@ assert f->st == \at(f->st, Pre) && f->buf == \at(f->buf, Pre) &&
               f->len == \at(f->len, Pre); */
    /*@ assert f->header_len == \at(f->header_len, Pre) && f->data_len == \at(f->data_len, Pre); */
    /*@ assert f->n_entries == \at(f->n_entries, Pre) &&
               f->n_meta_entries == \at(f->n_meta_entries, Pre); */
    /*@ assert f->n_tensors == \at(f->n_tensors, Pre) && f->n_meta == \at(f->n_meta, Pre); */
    /*@ assert sp->tensors == s.tensors && sp->order == s.order && sp->by_name == s.by_name; */
    /*@ assert sp->dims == s.dims && sp->meta == s.meta && sp->meta_order == s.meta_order; */
    /*@ assert sp->arena == s.arena && sp->scratch == s.scratch; */
    /*@ assert sp->tensor_cap == s.tensor_cap && sp->dim_cap == s.dim_cap &&
               sp->meta_cap == s.meta_cap && sp->arena_cap == s.arena_cap; */
    /*@ assert st_desc_is(sp, s); */
    return ret;
}

/* ST-API-2, ST-LAYOUT-1 .. -3, ST-UTF8-1: the mode, the length prefix and
   the header bytes, in that order; *hlen receives N, which need not be a
   multiple of 8 (ST-LAYOUT-5; N = 0 fails later as JSON). The data section
   is [8 + N, len) and offsets count from its start (ST-LAYOUT-4); *dlen
   receives its length, computed where N <= len - 8 has just been tested. */
st_err st_check_prefix(const uint8_t *buf, uint64_t len, st_mode mode,
                       st_diag *diag, uint64_t *hlen, uint64_t *dlen)
{
    st_err ret = ST_OK;
    uint64_t n = 0u;
    uint64_t rest = 0u;
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
            rest = (len - ST_PREFIX_LEN) - n;
        }
    }
    if (ret == ST_OK) {
        *hlen = n;
        *dlen = rest;
    }
    return ret;
}

/* The outcome of step 5: what the header needs, always; where the header
   pass failed, when it did; the counts, when the entries fit the storage.
   The entries the pass left (nt tensors and nm pairs, 0 and 0 unless the
   pass succeeded and fits) are as it left them: these writes do not
   touch them. */
/*@ requires \valid(diag) && \valid(out) && \valid_read(hr) && \separated(diag, out, hr);
    requires \separated(diag, st.tensors + (0 .. st.tensor_cap - 1), st.meta + (0 .. st.meta_cap - 1));
    requires \separated(out, st.tensors + (0 .. st.tensor_cap - 1), st.meta + (0 .. st.meta_cap - 1));
    requires st_hdr_tensors_ok(st, h, n, nt, hr->need.dims, hr->need.arena);
    requires st_hdr_metas_ok(st, h, n, nm, hr->need.arena);
    assigns *diag, out->n_entries, out->n_meta_entries, out->has_metadata;
    ensures diag->need == hr->need;
    ensures !failed && ok ==> out->n_entries == hr->n_entries && out->n_meta_entries == hr->n_meta;
    ensures st_hdr_tensors_ok(st, h, n, nt, diag->need.dims, diag->need.arena);
    ensures st_hdr_metas_ok(st, h, n, nm, diag->need.arena);
*/
static void st_entries_done(st_diag *diag, st_file *out, const st_header_result *hr, bool failed,
                            bool ok, uint32_t err_pos)
    /*@ ghost (st_storage st, const uint8_t *h, uint32_t n, uint32_t nt, uint32_t nm) */
{
    diag->need = hr->need;
    if (failed) {
        diag->offset = ST_PREFIX_LEN + (uint64_t)err_pos;
        diag->name = hr->err_name;
        diag->name_len = hr->err_name_len;
    } else if (ok) {
        out->n_entries = hr->n_entries;
        out->n_meta_entries = hr->n_meta;
        out->has_metadata = hr->has_metadata;
    } else {
        /* the storage is too small: ST_E_STORAGE, with the need */
    }
}

/* Step 5 of ST-ORDER-1: the header buf[8 .. 8 + n), stored when the
   caller's storage s fits (ST-API-1); the counts go to out. */
st_err st_parse_entries(st_storage s, const uint8_t *buf, uint32_t n, st_mode mode,
                        st_diag *diag, st_file *out) /*@ ghost (uint64_t len) */
{
    st_err ret = ST_OK;
    st_storage hs = s;
    st_cursor c;
    st_header_result hr;
    bool fits = false;
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
    /* (under the contract every NULL array has capacity 0 already) */
    /*@ assert hs.tensors == s.tensors && hs.tensor_cap == s.tensor_cap &&
               hs.dims == s.dims && hs.dim_cap == s.dim_cap &&
               hs.meta == s.meta && hs.meta_cap == s.meta_cap &&
               hs.arena == s.arena && hs.arena_cap == s.arena_cap; */
    c.h = &buf[ST_PREFIX_LEN];
    c.n = n;
    c.pos = 0u;
    c.err_pos = 0u;
    ret = st_parse_header(&c, mode, hs, &hr);
    /*@ assert out->st == \at(out->st, Pre) && out->len == \at(out->len, Pre) &&
               out->buf == \at(out->buf, Pre); */
    fits = st_storage_fits(s, hr.need);
    /*@ assert c.h == buf + ST_PREFIX_LEN && c.n == n; */
    /*@ ghost
        uint32_t nt = 0u;
        uint32_t nm = 0u;
        if ((ret == ST_OK) && fits) {
            nt = hr.n_entries;
            nm = hr.n_meta;
        }
    */
    st_entries_done(diag, out, &hr, ret != ST_OK, fits, c.err_pos)
        /*@ ghost (hs, c.h, c.n, nt, nm) */;
    /*@ assert out->st == \at(out->st, Pre) && out->len == \at(out->len, Pre) &&
               out->buf == \at(out->buf, Pre); */
    if ((ret == ST_OK) && !fits) {
        ret = ST_E_STORAGE;
    }
    return ret;
}

