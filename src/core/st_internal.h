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

/*@ requires \valid_read(s) && st_jstring_ok(s, ST_HEADER_MAX);
    requires \valid_read(h + (0 .. s->raw_at + s->raw_len - 1));
    requires \valid(dst + (0 .. s->dec_len - 1));
    requires \separated(dst + (0 .. s->dec_len - 1), s, h + (0 .. s->raw_at + s->raw_len - 1));
    assigns dst[0 .. s->dec_len - 1];
*/
void st_json_decode(const uint8_t *h, const st_jstring *s, uint8_t *dst);

/*@ requires st_cursor_ok(c);
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

/*@ requires \valid_read(s) && st_jstring_ok(s, ST_HEADER_MAX);
    requires \valid_read(h + (0 .. s->raw_at + s->raw_len - 1));
    requires \valid_read(lit + (0 .. lit_len - 1));
    requires \forall integer k; 0 <= k < lit_len ==> 0 <= lit[k];
    assigns \nothing;
    ensures \result ==> s->dec_len == lit_len;
*/
bool st_jstring_equals(const uint8_t *h, const st_jstring *s,
                       const char *lit, uint32_t lit_len);

/*@ requires \valid_read(s) && st_jstring_ok(s, ST_HEADER_MAX);
    requires \valid_read(h + (0 .. s->raw_at + s->raw_len - 1));
    requires cap < 4294967295 && \valid(dst + (0 .. cap - 1));
    requires \separated(dst + (0 .. cap - 1), s, h + (0 .. s->raw_at + s->raw_len - 1));
    assigns dst[0 .. cap - 1];
    ensures \result <= cap + 1;
*/
uint32_t st_jstring_decode_small(const uint8_t *h, const st_jstring *s,
                                 uint8_t *dst, uint32_t cap);

/* st_layout.c -- sorting and ST-VALID-* */
int st_bytes_cmp(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn);
void st_heapsort(uint32_t *idx, uint32_t n, st_sort_kind kind,
                 const st_tensor *t, const st_meta *m);
void st_mergesort(uint32_t *idx, uint32_t *tmp, uint32_t n, st_sort_kind kind,
                  const st_tensor *t);

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
    requires st_hdr_storage_ok(s) && st_hdr_storage_apart(s, c);
    requires \valid(r);
    requires \separated(r, c, s, c->h + (0 .. c->n - 1), s->tensors + (0 .. s->tensor_cap - 1),
                        s->dims + (0 .. s->dim_cap - 1), s->meta + (0 .. s->meta_cap - 1),
                        s->arena + (0 .. s->arena_cap - 1));
    assigns c->pos, c->err_pos, *r, s->tensors[0 .. s->tensor_cap - 1],
            s->dims[0 .. s->dim_cap - 1], s->meta[0 .. s->meta_cap - 1],
            s->arena[0 .. s->arena_cap - 1];
    ensures st_cursor_ok(c);
    ensures r->n_entries == r->need.tensors && r->n_meta == r->need.meta;
    ensures st_hdr_parsed_ok(s, c->h, c->n, r->need.tensors, r->need.dims, r->need.meta,
                             r->need.arena);
    ensures st_hdr_str_ok(r->err_name, r->err_name_len, c->h, c->n, s->arena, s->arena_cap,
                          r->need.arena);
    ensures \result == ST_OK ==> c->pos == c->n;
*/
st_err st_parse_header(st_cursor *c, st_mode mode, const st_storage *s,
                       st_header_result *r);

/*
 * Contracts of the public functions that other core files call (their
 * declarations in tensorproof.h carry none, to keep that header plain).
 */

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
