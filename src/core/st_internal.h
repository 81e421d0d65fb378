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

/* st_error.c */
st_err st_fail(st_cursor *c, st_err e, uint32_t at);

/* st_utf8.c -- ST-UTF8-1 */
bool st_utf8_valid(const uint8_t *s, uint32_t n, uint32_t *bad_at);

/* st_json.c -- the JSON grammar (ST-JSON-*) */
bool st_json_is_ws(uint8_t b);
void st_json_skip_ws(st_cursor *c);
st_err st_json_expect(st_cursor *c, uint8_t byte);
st_err st_json_string(st_cursor *c, st_jstring *s);
void st_json_decode(const uint8_t *h, const st_jstring *s, uint8_t *dst);
st_err st_json_number(st_cursor *c, st_jnumber *num);
st_err st_json_skip_value(st_cursor *c, uint32_t depth);
bool st_jstring_equals(const uint8_t *h, const st_jstring *s,
                       const char *lit, uint32_t lit_len);
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

st_err st_parse_header(st_cursor *c, st_mode mode, const st_storage *s,
                       st_header_result *r);

#endif /* ST_INTERNAL_H */
