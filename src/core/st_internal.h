/*
 * st_internal.h -- declarations shared by the core's translation units.
 * Not installed; not part of the API.
 */
#ifndef ST_INTERNAL_H
#define ST_INTERNAL_H

#include "tensorproof.h"

/* A position-tracking cursor over the header bytes h[0..n). */
typedef struct st_cursor {
    const uint8_t *h;
    uint32_t n;
    uint32_t pos;
    uint32_t err_pos;   /* header offset of the first failure */
} st_cursor;

/* A JSON string as found in the header (ST-JSON-2). */
typedef struct st_jstring {
    uint32_t raw_at;    /* first byte after the opening quote */
    uint32_t raw_len;   /* bytes between the quotes */
    uint32_t dec_len;   /* length once escapes are decoded */
    bool escaped;       /* at least one backslash escape */
} st_jstring;

/* What st_json_number found (ST-JSON-3, ST-JSON-4). */
typedef struct st_jnumber {
    bool is_u64;        /* plain non-negative integer that fits in 64 bits */
    uint64_t value;     /* its value when is_u64 */
} st_jnumber;

/* Kinds of sort for st_heapsort. */
typedef enum st_sort_kind {
    ST_SORT_TENSOR_NAME = 0,    /* (name bytes, entry index) */
    ST_SORT_TENSOR_OFFSET = 1,  /* (begin, end, name bytes) */
    ST_SORT_META_KEY = 2        /* (key bytes, entry index) */
} st_sort_kind;

/*
 * Where stored names lie (ST-API-1): a name or key the header pass kept is
 * read back by position, in the header hdr[0 .. hdr_len) or in the arena
 * arena[0 .. arena_len); a caller's name (st_find) is the third base,
 * key[0 .. key_len). Every byte read tests its position against its own
 * base's length, so the comparisons read inside the caller's buffers
 * whatever the entries hold.
 */
typedef struct st_strs {
    const uint8_t *hdr;
    uint64_t hdr_len;
    const uint8_t *arena;
    uint64_t arena_len;
    const uint8_t *key;
    uint64_t key_len;
} st_strs;

/* Which base of an st_strs a string lies in. */
#define ST_STR_HDR 0u
#define ST_STR_ARENA 1u
#define ST_STR_KEY 2u

/* A string: len bytes from start in base `base` of an st_strs. */
typedef struct st_str {
    uint32_t start;
    uint32_t len;
    uint32_t base;
} st_str;

/* The logic the contracts below are written in (ACSL only). */
#include "st_acsl.h"

/* st_error.c */
/*@ requires \valid(c);
    assigns c->err_pos;
    ensures c->err_pos == at;
    ensures \result == e;
*/
st_err st_fail(st_cursor *c, st_err e, uint32_t at);

/* st_utf8.c -- ST-UTF8-1 */
/*@ requires \valid_read(s + (0 .. n - 1));
    requires \valid(bad_at) && \separated(bad_at, s + (0 .. n - 1));
    assigns *bad_at;
    ensures \result ==> st_utf8_prefix(s, n, n);
    ensures !\result ==> *bad_at < n && st_utf8_prefix(s, n, *bad_at) &&
                         !st_utf8_starts(s, n, *bad_at);
*/
bool st_utf8_valid(const uint8_t *s, uint32_t n, uint32_t *bad_at);

/* st_json.c -- the JSON grammar (ST-JSON-*) */
/*@ assigns \nothing;
    ensures \result <==> st_ws(b);
*/
bool st_json_is_ws(uint8_t b);

/*@ requires st_cursor_ok(c);
    assigns c->pos;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures c->pos < c->n ==> !st_ws(c->h[c->pos]);
    ensures \forall integer k; \old(c->pos) <= k < c->pos ==> st_ws(c->h[k]);
*/
void st_json_skip_ws(st_cursor *c);

/*@ requires st_cursor_ok(c);
    assigns c->pos, c->err_pos;
    ensures st_cursor_ok(c);
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX;
    ensures \result == ST_OK ==>
              \old(c->pos) < c->n && c->h[\old(c->pos)] == byte &&
              c->pos == \old(c->pos) + 1;
    ensures \result != ST_OK ==> c->pos == \old(c->pos);
*/
st_err st_json_expect(st_cursor *c, uint8_t byte);

/*@ requires st_cursor_ok(c);
    requires \valid(closed) && \separated(closed, c, c->h + (0 .. c->n - 1));
    assigns c->pos, c->err_pos, *closed;
    ensures st_cursor_ok(c);
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX;
    ensures \result == ST_OK ==> \old(c->pos) < c->pos;
    ensures \result != ST_OK ==> \old(c->pos) <= c->pos;
*/
st_err st_json_next(st_cursor *c, uint8_t end_byte, bool *closed);

/*@ requires st_cursor_ok(c);
    requires \valid(s) && \separated(s, c, c->h + (0 .. c->n - 1));
    assigns c->pos, c->err_pos, *s;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX || \result == ST_E_JSON_STRING;
    ensures \result == ST_OK ==>
              st_jstring_ok(s, c->n) && s->raw_at == \old(c->pos) + 1 &&
              c->pos == s->raw_at + s->raw_len + 1;
*/
st_err st_json_string(st_cursor *c, st_jstring *s);

/* Decode an accepted string into dst[from .. to), to == from + s->dec_len. */
/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires \valid_read(s) && st_jstring_ok(s, n);
    requires to == from + s->dec_len;
    requires \valid(dst + (from .. to - 1));
    requires \separated(dst + (from .. to - 1), s, h + (0 .. n - 1));
    assigns dst[from .. to - 1];
*/
void st_json_decode(const uint8_t *h, uint32_t n, const st_jstring *s, uint8_t *dst,
                    uint32_t from, uint32_t to);

/*@ requires st_cursor_ok(c) && c->pos < c->n;
    requires \valid(num) && \separated(num, c, c->h + (0 .. c->n - 1));
    assigns c->pos, c->err_pos, *num;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK || \result == ST_E_JSON_NUMBER;
    ensures \result == ST_OK ==> \old(c->pos) < c->pos;
*/
st_err st_json_number(st_cursor *c, st_jnumber *num);

/*@ requires st_cursor_ok(c);
    requires depth <= ST_DEPTH_MAX;
    assigns c->pos, c->err_pos;
    ensures st_cursor_ok(c);
    ensures \old(c->pos) <= c->pos;
    ensures \result == ST_OK || \result == ST_E_JSON_SYNTAX || \result == ST_E_JSON_STRING ||
            \result == ST_E_JSON_NUMBER || \result == ST_E_JSON_DEPTH;
    ensures \result == ST_OK ==> \old(c->pos) < c->pos;
*/
st_err st_json_skip_value(st_cursor *c, uint32_t depth);

/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires \valid_read(s) && st_jstring_ok(s, n);
    requires lit_len <= 16;
    requires \valid_read(lit + (0 .. lit_len - 1));
    requires \forall integer k; 0 <= k < lit_len ==> 0 <= lit[k];
    assigns \nothing;
    ensures \result ==> s->dec_len == lit_len;
*/
bool st_jstring_equals(const uint8_t *h, uint32_t n, const st_jstring *s,
                       const char *lit, uint32_t lit_len);

/*@ requires n <= ST_HEADER_MAX && \valid_read(h + (0 .. n - 1));
    requires \valid_read(s) && st_jstring_ok(s, n);
    requires cap < 4294967295 && \valid(dst + (0 .. cap - 1));
    requires \separated(dst + (0 .. cap - 1), s, h + (0 .. n - 1));
    assigns dst[0 .. cap - 1];
    ensures \result <= cap + 1;
*/
uint32_t st_jstring_decode_small(const uint8_t *h, uint32_t n, const st_jstring *s,
                                 uint8_t *dst, uint32_t cap);

/* st_layout.c -- sorting and ST-VALID-* */
/*@ requires \valid_read(a + (0 .. an - 1));
    requires \valid_read(b + (0 .. bn - 1));
    assigns \nothing;
    ensures -1 <= \result <= 1;
    ensures \result == 0 <==>
              (an == bn && \forall integer k; 0 <= k < an ==> a[k] == b[k]);
*/
int st_bytes_cmp(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn);

/* Lexicographic order of two stored strings, a proper prefix first. A byte
   outside its base reads as -1, below every byte: the header pass never
   stores such a position (tests/unit/test_sort.c checks the order both
   ways). */
/*@ requires st_strs_ok(names);
    assigns \nothing;
    ensures -1 <= \result <= 1;
*/
int st_str_cmp(st_strs names, st_str a, st_str b);

/* Names of tensor entries x and y compared (st_str_cmp). */
/*@ requires st_strs_ok(names) && \valid_read(t + x) && \valid_read(t + y);
    assigns \nothing;
    ensures -1 <= \result <= 1;
*/
int st_names_cmp(st_strs names, const st_tensor *t, uint32_t x, uint32_t y);

/* Keys of metadata pairs x and y compared (st_str_cmp). */
/*@ requires st_strs_ok(names) && \valid_read(m + x) && \valid_read(m + y);
    assigns \nothing;
    ensures -1 <= \result <= 1;
*/
int st_keys_cmp(st_strs names, const st_meta *m, uint32_t x, uint32_t y);

/* Tensor entry t's name compared with the caller's name names.key[0 .. key_len). */
/*@ requires st_strs_ok(names) && \valid_read(t) && names.key_len <= ST_U32_MAX_L;
    assigns \nothing;
    ensures -1 <= \result <= 1;
*/
int st_name_cmp_key(st_strs names, const st_tensor *t);

/* The sorts permute entry indices below `bound` (ghost): they stay below.
   Names and keys are read through s. */
/*@ requires st_strs_ok(names);
    requires st_sort_ok(kind, t, m, bound);
    requires \valid(idx + (0 .. n - 1)) && st_idx_below(idx, n, bound);
    requires st_sort_apart(idx, n, kind, t, m, bound);
    assigns idx[0 .. n - 1];
    ensures st_idx_below(idx, n, bound);
*/
void st_heapsort(uint32_t *idx, uint32_t n, st_sort_kind kind,
                 const st_tensor *t, const st_meta *m, st_strs names) /*@ ghost (uint32_t bound) */;

/*@ assigns \nothing;
    ensures \result == \true <==> a * b <= ST_U64_MAX_L;
*/
bool st_fits_mul(uint64_t a, uint64_t b);

/* A product and whether it fits in 64 bits (st_mul_u64). */
typedef struct st_prod {
    uint64_t value;   /* a * b, when fits */
    bool fits;
} st_prod;

/*@ assigns \nothing;
    ensures \result.fits <==> a * b <= ST_U64_MAX_L;
    ensures \result.fits ==> \result.value == a * b;
*/
st_prod st_mul_u64(uint64_t a, uint64_t b);

/*@ requires st_strs_ok(names);
    requires kind != ST_SORT_META_KEY && st_sort_ok(kind, t, \null, bound);
    requires \valid(idx + (0 .. n - 1)) && \valid(tmp + (0 .. n - 1));
    requires \separated(idx + (0 .. n - 1), tmp + (0 .. n - 1));
    requires st_idx_below(idx, n, bound);
    requires st_sort_apart(idx, n, kind, t, \null, bound) &&
             st_sort_apart(tmp, n, kind, t, \null, bound);
    assigns idx[0 .. n - 1], tmp[0 .. n - 1];
    ensures st_idx_below(idx, n, bound);
*/
void st_mergesort(uint32_t *idx, uint32_t *tmp, uint32_t n, st_sort_kind kind,
                  const st_tensor *t, st_strs names) /*@ ghost (uint32_t bound) */;

/* st_header.c -- ST-SCHEMA-*, ST-META-*, ST-STRICT-* */
typedef struct st_header_result {
    uint32_t n_entries;
    uint32_t n_meta;
    bool has_metadata;
    st_need need;
    const uint8_t *err_name;
    uint32_t err_name_len;
} st_header_result;

/*@ requires st_cursor_ok(c);
    requires st_hdr_store_ok(st) && st_hdr_store_apart(st, c);
    requires \valid(r);
    requires \separated(r, c, c->h + (0 .. c->n - 1), st.tensors + (0 .. st.tensor_cap - 1),
                        st.dims + (0 .. st.dim_cap - 1), st.meta + (0 .. st.meta_cap - 1),
                        st.arena + (0 .. st.arena_cap - 1));
    assigns c->pos, c->err_pos, *r, st.tensors[0 .. st.tensor_cap - 1],
            st.dims[0 .. st.dim_cap - 1], st.meta[0 .. st.meta_cap - 1],
            st.arena[0 .. st.arena_cap - 1];
    ensures st_cursor_ok(c);
    ensures r->n_entries == r->need.tensors && r->n_meta == r->need.meta;
    ensures r->need.tensors <= c->n && r->need.dims <= c->n &&
            r->need.meta <= c->n && r->need.arena <= c->n;
    ensures st_hdr_tensors_ok(st, c->h, c->n, r->need.tensors, r->need.dims, r->need.arena);
    ensures st_hdr_metas_ok(st, c->h, c->n, r->need.meta, r->need.arena);
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, st.arena, st.arena_cap,
                          r->need.arena);
    ensures \result == ST_OK ==> c->pos == c->n;
*/
st_err st_parse_header(st_cursor *c, st_mode mode, st_storage st, st_header_result *r);

/* st_check.c -- the checks st_parse runs in turn (ST-ORDER-1) */

/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(diag) && \valid(hlen) && \valid(dlen) &&
             \separated(diag, hlen, dlen, buf + (0 .. len - 1));
    assigns *diag, *hlen, *dlen;
    ensures \result == ST_OK ==> *hlen <= ST_HEADER_MAX && ST_PREFIX_LEN + *hlen <= len;
    ensures \result == ST_OK ==> *dlen == len - ST_PREFIX_LEN - *hlen;
*/
st_err st_check_prefix(const uint8_t *buf, uint64_t len, st_mode mode,
                       st_diag *diag, uint64_t *hlen, uint64_t *dlen);

/*@ requires \valid(s.tensors + (0 .. s.tensor_cap - 1)) &&
             \valid(s.order + (0 .. s.tensor_cap - 1)) &&
             \valid(s.by_name + (0 .. s.tensor_cap - 1)) &&
             \valid(s.dims + (0 .. s.dim_cap - 1)) &&
             \valid(s.meta + (0 .. s.meta_cap - 1)) &&
             \valid(s.meta_order + (0 .. s.meta_cap - 1)) &&
             \valid(s.arena + (0 .. s.arena_cap - 1));
    requires \separated(s.tensors + (0 .. s.tensor_cap - 1), s.dims + (0 .. s.dim_cap - 1),
                        s.meta + (0 .. s.meta_cap - 1), s.arena + (0 .. s.arena_cap - 1),
                        diag, out, buf + (0 .. len - 1));
    requires \valid_read(buf + (0 .. len - 1));
    requires n <= ST_HEADER_MAX && ST_PREFIX_LEN + n <= len;
    requires \valid(diag) && \valid(out);
    assigns *diag,
            out->n_entries, out->n_meta_entries, out->has_metadata,
            s.tensors[0 .. s.tensor_cap - 1], s.dims[0 .. s.dim_cap - 1],
            s.meta[0 .. s.meta_cap - 1], s.arena[0 .. s.arena_cap - 1];
    ensures \result == ST_OK ==>
              out->n_entries <= s.tensor_cap && out->n_meta_entries <= s.meta_cap &&
              diag->need.dims <= s.dim_cap && diag->need.arena <= s.arena_cap;
    ensures \result == ST_OK ==>
              st_hdr_tensors_ok(s, buf + ST_PREFIX_LEN, n, out->n_entries, diag->need.dims,
                                diag->need.arena);
    ensures \result == ST_OK ==>
              st_hdr_metas_ok(s, buf + ST_PREFIX_LEN, n, out->n_meta_entries, diag->need.arena);
    ensures out->st == \old(out->st) && out->len == \old(out->len) && out->buf == \old(out->buf);
*/
st_err st_parse_entries(st_storage s, const uint8_t *buf, uint32_t n, st_mode mode,
                        st_diag *diag, st_file *out) /*@ ghost (uint64_t len) */;

/*@ requires st_strs_ok(names);
    requires \valid(t + (0 .. n - 1)) && st_names_ok(t, n) && st_dims_in(t, n, nd);
    requires \valid(idx + (0 .. n - 1)) && \valid(tmp + (0 .. n - 1));
    requires \valid(diag) && \valid(live);
    requires \separated(t + (0 .. n - 1), idx + (0 .. n - 1), tmp + (0 .. n - 1), diag, live);
    assigns idx[0 .. n - 1], tmp[0 .. n - 1], t[0 .. n - 1], *diag, *live;
    ensures *live <= n && st_idx_below(idx, *live, n);
    ensures st_names_ok(t, n);
    ensures st_dims_in(t, n, nd);
*/
st_err st_resolve_tensors(st_tensor *t, uint32_t *idx, uint32_t *tmp, uint32_t n,
                          st_mode mode, st_diag *diag, uint32_t *live, st_strs names)
    /*@ ghost (uint32_t nd) */;

/*@ requires st_strs_ok(names);
    requires \valid(m + (0 .. n - 1)) && st_keys_ok(m, n);
    requires \valid(idx + (0 .. n - 1));
    requires \valid(diag) && \valid(live);
    requires \separated(m + (0 .. n - 1), idx + (0 .. n - 1), diag, live);
    requires \valid_read(t + (0 .. nt - 1)) && st_names_ok(t, nt) && st_dims_in(t, nt, nd);
    requires \separated(t + (0 .. nt - 1), m + (0 .. n - 1), idx + (0 .. n - 1), diag, live);
    assigns idx[0 .. n - 1], m[0 .. n - 1], *diag, *live;
    ensures *live <= n && st_idx_below(idx, *live, n);
    ensures st_keys_ok(m, n);
    ensures st_names_ok(t, nt) && st_dims_in(t, nt, nd);
*/
st_err st_resolve_meta(st_meta *m, uint32_t *idx, uint32_t n, st_mode mode,
                       st_diag *diag, uint32_t *live, st_strs names)
    /*@ ghost (st_tensor *t, uint32_t nt, uint32_t nd) */;

/*@ requires n <= n_entries <= s.tensor_cap;
    requires \valid_read(s.tensors + (0 .. s.tensor_cap - 1)) && st_names_ok(s.tensors, n_entries);
    requires st_dims_in(s.tensors, n_entries, s.dim_cap);
    requires \valid_read(s.dims + (0 .. s.dim_cap - 1));
    requires \valid(s.order + (0 .. s.tensor_cap - 1));
    requires s.scratch != \null ==> \valid(s.scratch + (0 .. s.tensor_cap - 1));
    requires prefix <= len;
    requires \valid(diag);
    requires \separated(s.order + (0 .. s.tensor_cap - 1), s.tensors + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), diag);
    requires \separated(s.scratch + (0 .. s.tensor_cap - 1),
                        s.tensors + (0 .. s.tensor_cap - 1), s.order + (0 .. s.tensor_cap - 1),
                        s.dims + (0 .. s.dim_cap - 1), diag);
    requires \separated(diag, s.tensors + (0 .. s.tensor_cap - 1));
    requires nml <= nm <= s.meta_cap && st_keys_ok(s.meta, nm);
    requires st_idx_below(s.by_name, n, n_entries) && st_idx_below(s.meta_order, nml, nm);
    requires \separated(s.by_name + (0 .. s.tensor_cap - 1), s.meta + (0 .. s.meta_cap - 1),
                        s.meta_order + (0 .. s.meta_cap - 1), s.order + (0 .. s.tensor_cap - 1),
                        diag);
    requires \separated(s.scratch + (0 .. s.tensor_cap - 1), s.by_name + (0 .. s.tensor_cap - 1),
                        s.meta + (0 .. s.meta_cap - 1), s.meta_order + (0 .. s.meta_cap - 1));
    requires \valid_read(f) && \separated(f, s.order + (0 .. s.tensor_cap - 1),
                                          s.scratch + (0 .. s.tensor_cap - 1), diag);
    requires \valid_read(sp) && st_desc_is(sp, s) && st_desc_apart(sp, s) && \separated(sp, diag);
    requires st_strs_ok(names);
    assigns s.order[0 .. s.tensor_cap - 1], s.scratch[0 .. s.tensor_cap - 1],
            *diag;
    ensures st_idx_below(s.order, n, n_entries);
    ensures \result == ST_OK ==> st_runs_ok(s.tensors, s.order, n, s.dims, len - prefix);
    ensures st_names_ok(s.tensors, n_entries);
    ensures st_dims_in(s.tensors, n_entries, s.dim_cap);
    ensures st_keys_ok(s.meta, nm);
    ensures st_idx_below(s.by_name, n, n_entries);
    ensures st_idx_below(s.meta_order, nml, nm);
    ensures st_file_kept{Pre,Post}(f);
    ensures st_desc_is(sp, s);
*/
st_err st_validate_layout(st_storage s, uint32_t n_entries, uint32_t n, uint64_t prefix,
                          uint64_t len, st_diag *diag, st_strs names)
    /*@ ghost (uint32_t nm, uint32_t nml, const st_file *f, const st_storage *sp) */;

/*
 * Contracts of the public functions that other core files call (their
 * declarations in tensorproof.h carry none, to keep that header plain).
 */

/* ST-GUAR-1: on ST_OK the layout theorem holds for the parsed file. */
/*@ requires \valid_read(buf + (0 .. len - 1));
    requires \valid(out) && \valid(diag);
    requires st_storage_ok(storage);
    requires st_storage_apart(storage, buf, len, out, diag);
    assigns *out, *diag,
            storage->tensors[0 .. storage->tensor_cap - 1],
            storage->order[0 .. storage->tensor_cap - 1],
            storage->by_name[0 .. storage->tensor_cap - 1],
            storage->scratch[0 .. storage->tensor_cap - 1],
            storage->dims[0 .. storage->dim_cap - 1],
            storage->meta[0 .. storage->meta_cap - 1],
            storage->meta_order[0 .. storage->meta_cap - 1],
            storage->arena[0 .. storage->arena_cap - 1];
    ensures \result != ST_OK ==> diag->code == \result;
    ensures \result == ST_OK ==> st_layout_ok(out);
    ensures \result == ST_OK ==> st_file_ok(out);
*/
st_err st_parse(const uint8_t *buf, uint64_t len, st_mode mode,
                const st_storage *storage, st_file *out, st_diag *diag);

/*@ requires st_file_ok(f);
    assigns \nothing;
    ensures i < f->n_tensors ==> \result == st_live_l(f, i);
    ensures i >= f->n_tensors ==> \result == \null;
*/
const st_tensor *st_tensor_at(const st_file *f, uint32_t i);

/*@ requires st_file_ok(f);
    assigns \nothing;
    ensures i < f->n_meta ==> \result == f->st->meta + f->st->meta_order[i];
    ensures i >= f->n_meta ==> \result == \null;
*/
const st_meta *st_meta_at(const st_file *f, uint32_t i);

/*@ requires st_file_ok(f);
    requires \valid_read(name + (0 .. name_len - 1));
    assigns \nothing;
    ensures \result == \null ||
            (\exists integer i; 0 <= i < f->n_tensors &&
               \result == f->st->tensors + f->st->by_name[i]);
    ensures \result != \null ==> st_entry_of(f, \result);
*/
const st_tensor *st_find(const st_file *f, const uint8_t *name, uint32_t name_len);

/*@ requires st_file_ok(f) && st_entry_of(f, t);
    assigns \nothing;
    ensures d < t->rank ==> \result == f->st->dims[t->dims_at + d];
    ensures d >= t->rank ==> \result == 0;
*/
uint64_t st_dim(const st_file *f, const st_tensor *t, uint32_t d);

/* The accessor's pointer and length lie inside the caller's buffer.
   st_file_ok still holds after the call. st_layout_ok does too (*size lies
   apart from everything it reads) but is not restated: *size shares the
   64-bit memory with dims, and carrying the recursive product st_nelem_l
   across that write takes an induction the provers do not do. */
/*@ requires st_file_ok(f) && st_layout_ok(f) && st_live_of(f, t);
    requires \valid(size) && \separated(size, t) &&
             \separated(size, f, f->st, f->st->tensors + (0 .. f->n_entries - 1),
                        f->st->order + (0 .. f->n_tensors - 1),
                        f->st->by_name + (0 .. f->n_tensors - 1),
                        f->st->meta_order + (0 .. f->n_meta - 1),
                        f->st->dims + (0 .. f->st->dim_cap - 1));
    assigns *size;
    ensures st_file_ok(f);
    ensures *size == t->end - t->begin;
    ensures \result == f->buf + (ST_PREFIX_LEN + f->header_len + t->begin);
    ensures ST_PREFIX_LEN + f->header_len + t->begin + *size <= f->len;
    ensures \valid_read(\result + (0 .. *size - 1));
*/
const uint8_t *st_tensor_data(const st_file *f, const st_tensor *t, uint64_t *size);

/*@ requires st_file_ok(f) && st_layout_ok(f) && st_live_of(f, t);
    assigns \nothing;
    ensures \result == st_nelem_l(f->st->dims, t->dims_at, t->rank);
*/
uint64_t st_tensor_nelem(const st_file *f, const st_tensor *t);

/*@ assigns \nothing;
    ensures \result == st_bits_l(d);
    ensures 0 <= d < ST_DTYPE_COUNT ==> 4 <= \result <= 64;
*/
uint32_t st_dtype_bits(st_dtype d);

/*@ requires \valid_read(s + (0 .. n - 1));
    requires \valid(out);
    assigns *out;
    ensures \result ==> 0 <= *out < ST_DTYPE_COUNT && st_bits_l(*out) > 0;
    ensures \result ==> n <= 11;
*/
bool st_dtype_parse(const uint8_t *s, uint32_t n, st_dtype *out);

/*@ assigns \nothing;
    ensures 0 <= d < ST_DTYPE_COUNT ==> \valid_read(\result + (0 .. 11));
    ensures !(0 <= d < ST_DTYPE_COUNT) ==> \result == \null;
*/
const char *st_dtype_name(st_dtype d);

/* Length of st_dtype_name(d) without its NUL; 0 when d is out of range. */
/*@ assigns \nothing;
    ensures \result <= 11;
    ensures !(0 <= d < ST_DTYPE_COUNT) ==> \result == 0;
*/
uint32_t st_dtype_name_len(st_dtype d);

/* Widths of the rows of the error table (st_error.c): every string it
   returns is readable over that many bytes and ends with a NUL inside. */
#define ST_ERROR_NAME_W 32u
#define ST_ERROR_KIND_W 32u
#define ST_ERROR_RULE_W 12u
#define ST_ERROR_MESSAGE_W 96u

/*@ assigns \nothing;
    ensures \valid_read(\result + (0 .. 11));
*/
const char *st_error_name(st_err e);

/*@ assigns \nothing;
    ensures \result == \null || \valid_read(\result + (0 .. ST_ERROR_KIND_W - 1));
*/
const char *st_error_reference_kind(st_err e);

/*@ assigns \nothing;
    ensures \valid_read(\result);
*/
const char *st_error_rule(st_err e);

/*@ assigns \nothing;
    ensures \valid_read(\result + (0 .. 13));
*/
const char *st_error_message(st_err e);

#endif /* ST_INTERNAL_H */
