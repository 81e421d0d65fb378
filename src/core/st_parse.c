/*
 * st_parse.c -- st_parse: the whole-file checks in the reference's order
 * (ST-ORDER-1): layout, UTF-8, JSON and schema, duplicates, validation.
 */
#include "st_internal.h"

/*@
  // The caller's storage, as a copy of its descriptor s: every array
  // valid over its capacity (scratch when present), the arrays pairwise
  // apart and apart from the file buffer, the result and the diagnostics.
  predicate st_store_ok{L}(st_storage s, uint8_t *buf, integer len, st_file *f, st_diag *d) =
    \valid(s.tensors + (0 .. s.tensor_cap - 1)) &&
    \valid(s.order + (0 .. s.tensor_cap - 1)) &&
    \valid(s.by_name + (0 .. s.tensor_cap - 1)) &&
    \valid(s.dims + (0 .. s.dim_cap - 1)) &&
    \valid(s.meta + (0 .. s.meta_cap - 1)) &&
    \valid(s.meta_order + (0 .. s.meta_cap - 1)) &&
    \valid(s.arena + (0 .. s.arena_cap - 1)) &&
    (s.scratch != \null ==> \valid(s.scratch + (0 .. s.tensor_cap - 1))) &&
    \separated(s.tensors + (0 .. s.tensor_cap - 1), s.order + (0 .. s.tensor_cap - 1),
               s.by_name + (0 .. s.tensor_cap - 1), s.dims + (0 .. s.dim_cap - 1),
               s.meta + (0 .. s.meta_cap - 1), s.meta_order + (0 .. s.meta_cap - 1),
               s.arena + (0 .. s.arena_cap - 1), f, d, buf + (0 .. len - 1)) &&
    \separated(s.scratch + (0 .. s.tensor_cap - 1),
               s.tensors + (0 .. s.tensor_cap - 1), s.order + (0 .. s.tensor_cap - 1),
               s.by_name + (0 .. s.tensor_cap - 1), s.dims + (0 .. s.dim_cap - 1),
               s.meta + (0 .. s.meta_cap - 1), s.meta_order + (0 .. s.meta_cap - 1),
               s.arena + (0 .. s.arena_cap - 1), f, d, buf + (0 .. len - 1));
*/

/* Fill out and diag for a parse that has found nothing yet. */
/*@ requires \valid(out) && \valid(diag) && \separated(out, diag);
    requires \valid_read(storage) && \separated(storage, out, diag);
    assigns *out, *diag;
    ensures st_desc_is(storage, \old(*storage));
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

/* What the header pass leaves, turned into what the later steps use: ghost
   functions, proven like any other, called where the fact is needed. A
   kept string (st_hdr_str_ok) is readable: empty, in the header, or in the
   arena, which is long enough once the storage fits. */
/*@ ghost
/@ requires st_hdr_tensors_ok(st, h, n, count, dims_used, arena_used);
   requires count <= st.tensor_cap && dims_used <= st.dim_cap && arena_used <= st.arena_cap;
   requires \valid_read(h + (0 .. n - 1));
   requires \valid(st.tensors + (0 .. st.tensor_cap - 1));
   requires \valid(st.arena + (0 .. st.arena_cap - 1));
   assigns \nothing;
   ensures st_names_ok(st.tensors, count) && st_dims_in(st.tensors, count, st.dim_cap);
@/
static void st_tensors_fact(st_storage st, const uint8_t *h, uint32_t n, uint32_t count,
                            uint32_t dims_used, uint32_t arena_used)
{
}
*/

/*@ ghost
/@ requires st_hdr_metas_ok(st, h, n, count, arena_used);
   requires count <= st.meta_cap && arena_used <= st.arena_cap;
   requires \valid_read(h + (0 .. n - 1));
   requires \valid(st.meta + (0 .. st.meta_cap - 1));
   requires \valid(st.arena + (0 .. st.arena_cap - 1));
   assigns \nothing;
   ensures st_keys_ok(st.meta, count);
@/
static void st_metas_fact(st_storage st, const uint8_t *h, uint32_t n, uint32_t count,
                          uint32_t arena_used)
{
}
*/

/*
 * Steps 2 to 5 of ST-ORDER-1 on a copy s of the caller's storage
 * descriptor: the length prefix and the header entries, the counts written
 * to out (which st_parse_reset has filled).
 */
/*@ requires st_store_ok(s, buf, len, out, diag);
    requires \valid_read(buf + (0 .. len - 1)) && \valid(out) && \valid(diag);
    requires \valid_read(sp) && st_desc_apart(sp, s) && \separated(sp, out, diag);
    requires st_desc_is(sp, s);
    assigns *diag, out->header_len, out->data_len, out->n_entries, out->n_meta_entries,
            out->has_metadata,
            s.tensors[0 .. s.tensor_cap - 1], s.dims[0 .. s.dim_cap - 1],
            s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1];
    ensures \result == ST_OK ==>
              out->header_len <= ST_HEADER_MAX && ST_PREFIX_LEN + out->header_len <= len;
    ensures \result == ST_OK ==> out->data_len == len - ST_PREFIX_LEN - out->header_len;
    ensures \result == ST_OK ==>
              out->n_entries <= s.tensor_cap && out->n_meta_entries <= s.meta_cap;
    ensures \result == ST_OK ==> st_names_ok(s.tensors, out->n_entries);
    ensures \result == ST_OK ==> st_keys_ok(s.meta, out->n_meta_entries);
    ensures \result == ST_OK ==> st_dims_in(s.tensors, out->n_entries, s.dim_cap);
    ensures st_desc_is(sp, s);
    ensures out->st == \old(out->st) && out->len == \old(out->len) && out->buf == \old(out->buf);
*/
static st_err st_parse_front(st_storage s, const uint8_t *buf, uint64_t len, st_mode mode,
                             st_file *out, st_diag *diag) /*@ ghost (const st_storage *sp) */
{
    st_err ret = ST_OK;
    uint64_t hlen = 0u;
    uint64_t dlen = 0u;
    ret = st_check_prefix(buf, len, mode, diag, &hlen, &dlen);
    /*@ assert st_desc_is(sp, s); */
    if (ret == ST_OK) {
        out->header_len = hlen;
        out->data_len = dlen;
        ret = st_parse_entries(s, buf, (uint32_t)hlen, mode, diag, out) /*@ ghost (len) */;
        /*@ assert sp->tensors == s.tensors && sp->order == s.order && sp->by_name == s.by_name; */
        /*@ assert sp->dims == s.dims && sp->meta == s.meta && sp->meta_order == s.meta_order; */
        /*@ assert sp->arena == s.arena && sp->scratch == s.scratch; */
        /*@ assert sp->tensor_cap == s.tensor_cap && sp->dim_cap == s.dim_cap; */
        /*@ assert sp->meta_cap == s.meta_cap && sp->arena_cap == s.arena_cap; */
        /*@ assert st_desc_is(sp, s); */
        /*@ assert out->st == \at(out->st, Pre) && out->len == \at(out->len, Pre) &&
                   out->buf == \at(out->buf, Pre); */
    }
    if (ret == ST_OK) {
        /*@ ghost
            st_tensors_fact(s, buf + ST_PREFIX_LEN, (uint32_t)hlen, out->n_entries,
                            diag->need.dims, diag->need.arena);
            st_metas_fact(s, buf + ST_PREFIX_LEN, (uint32_t)hlen, out->n_meta_entries,
                          diag->need.arena);
        */
    }
    return ret;
}

/*
 * Steps 6 to 9 of ST-ORDER-1: duplicate names, duplicate keys, then the
 * layout, on the entries st_parse_front left; the live counts go to out.
 */
/*@ requires st_store_ok(s, buf, len, out, diag);
    requires \valid(out) && \valid(diag);
    requires \valid_read(sp) && st_desc_apart(sp, s) && \separated(sp, out, diag);
    requires st_desc_is(sp, s);
    requires out->header_len <= ST_HEADER_MAX && ST_PREFIX_LEN + out->header_len <= len;
    requires \valid_read(buf + (0 .. len - 1)) && out->buf == buf;
    requires out->n_entries <= s.tensor_cap && out->n_meta_entries <= s.meta_cap;
    requires st_names_ok(s.tensors, out->n_entries);
    requires st_keys_ok(s.meta, out->n_meta_entries);
    requires st_dims_in(s.tensors, out->n_entries, s.dim_cap);
    assigns *diag, out->n_tensors, out->n_meta,
            s.tensors[0 .. s.tensor_cap - 1], s.order[0 .. s.tensor_cap - 1],
            s.by_name[0 .. s.tensor_cap - 1], s.scratch[0 .. s.tensor_cap - 1],
            s.meta[0 .. s.meta_cap - 1], s.meta_order[0 .. s.meta_cap - 1];
    ensures \result == ST_OK ==>
              out->n_tensors <= \old(out->n_entries) && out->n_meta <= \old(out->n_meta_entries);
    ensures \result == ST_OK ==> st_names_ok(s.tensors, \old(out->n_entries));
    ensures \result == ST_OK ==> st_keys_ok(s.meta, \old(out->n_meta_entries));
    ensures \result == ST_OK ==> st_dims_in(s.tensors, \old(out->n_entries), s.dim_cap);
    ensures \result == ST_OK ==> st_idx_below(s.order, out->n_tensors, \old(out->n_entries));
    ensures \result == ST_OK ==> st_idx_below(s.by_name, out->n_tensors, \old(out->n_entries));
    ensures \result == ST_OK ==> st_idx_below(s.meta_order, out->n_meta, \old(out->n_meta_entries));
    ensures \result == ST_OK ==>
              st_runs_ok(s.tensors, s.order, out->n_tensors, s.dims,
                         len - ST_PREFIX_LEN - \old(out->header_len));
    ensures st_desc_is(sp, s);
    ensures st_file_front_kept{Pre,Post}(out);
*/
static st_err st_parse_back(st_storage s, uint64_t len, st_mode mode, st_file *out,
                            st_diag *diag)
    /*@ ghost (const uint8_t *buf, const st_storage *sp) */
{
    st_err ret = ST_OK;
    const uint32_t n_entries = out->n_entries;
    const uint32_t n_meta = out->n_meta_entries;
    const uint64_t prefix = ST_PREFIX_LEN + out->header_len;
    uint32_t n_tensors = 0u;
    st_strs names;
    /*@ ghost uint32_t n_live_meta = 0u; */
    /* the stored names are read by position in the header and the arena */
    names.hdr = &out->buf[ST_PREFIX_LEN];
    names.hdr_len = out->header_len;
    names.arena = s.arena;
    names.arena_len = s.arena_cap;
    names.key = NULL;
    names.key_len = 0u;
    /*@ assert st_strs_ok(names); */
    ret = st_resolve_tensors(s.tensors, s.by_name, s.order, n_entries, mode, diag,
                             &out->n_tensors, names) /*@ ghost (s.dim_cap) */;
    /*@ assert st_desc_is(sp, s); */
    /*@ assert st_file_front_kept{Pre,Here}(out); */
    /*@ assert st_keys_ok(s.meta, n_meta); */
    if (ret == ST_OK) {
        n_tensors = out->n_tensors;
        ret = st_resolve_meta(s.meta, s.meta_order, n_meta, mode, diag, &out->n_meta, names)
            /*@ ghost (s.tensors, n_entries, s.dim_cap) */;
        /*@ ghost n_live_meta = out->n_meta; */
        /*@ assert out->n_tensors == n_tensors; */
        /*@ assert sp->tensors == s.tensors && sp->order == s.order && sp->by_name == s.by_name; */
        /*@ assert sp->dims == s.dims && sp->meta == s.meta && sp->meta_order == s.meta_order; */
        /*@ assert sp->arena == s.arena && sp->scratch == s.scratch; */
        /*@ assert sp->tensor_cap == s.tensor_cap && sp->dim_cap == s.dim_cap &&
                   sp->meta_cap == s.meta_cap && sp->arena_cap == s.arena_cap; */
        /*@ assert st_desc_is(sp, s); */
        /*@ assert st_file_front_kept{Pre,Here}(out); */
    }
    if (ret == ST_OK) {
        ret = st_validate_layout(s, n_entries, n_tensors, prefix, len, diag, names)
            /*@ ghost (n_meta, n_live_meta, out, sp) */;
    }
    /*@ assert ret == ST_OK ==> out->n_tensors == n_tensors; */
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
    const st_storage s = *storage;
    st_parse_reset(buf, len, mode, storage, out, diag);
    /*@ assert st_store_ok(s, buf, len, out, diag); */
    /*@ assert st_desc_apart(storage, s) && \separated(storage, out, diag); */
    /*@ assert st_desc_is(storage, s); */
    ret = st_parse_front(s, buf, len, mode, out, diag) /*@ ghost (storage) */;
    /*@ assert st_desc_is(storage, s); */
    /*@ assert out->st == storage && out->len == len; */
    if (ret == ST_OK) {
        ret = st_parse_back(s, len, mode, out, diag) /*@ ghost (buf, storage) */;
        /*@ assert st_desc_is(storage, s); */
        /*@ assert out->st == storage && out->len == len && out->buf == buf; */
    }
    /*@ assert ret == ST_OK ==> out->header_len <= ST_HEADER_MAX &&
               ST_PREFIX_LEN + out->header_len <= len &&
               out->data_len == len - ST_PREFIX_LEN - out->header_len; */
    /*@ assert ret == ST_OK ==>
               st_runs_ok(s.tensors, s.order, out->n_tensors, s.dims, out->data_len); */
    /*@ assert ret == ST_OK ==> st_layout_ok(out); */
    /*@ assert ret == ST_OK ==> st_storage_valid(storage); */
    /*@ assert ret == ST_OK ==>
               st_entries_ok(storage, out->n_entries, out->n_meta_entries, storage->dim_cap); */
    /* on success diag->code still holds the ST_OK of st_parse_reset */
    if (ret != ST_OK) {
        diag->code = ret;
        out->n_tensors = 0u;
        out->n_meta = 0u;
    }
    return ret;
}
