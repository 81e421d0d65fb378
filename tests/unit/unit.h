/*
 * unit.h -- support for the unit tests of the core (tests/unit/test_*.c).
 *
 * Every parse in these tests goes through ut_parse, which follows the
 * storage protocol of tensorproof.h (measure with empty storage, allocate
 * exactly what diag.need says, parse again) and checks, on every input, the
 * properties that hold for all files: the need is exact (one element less
 * in any array gives ST_E_STORAGE), it respects the documented bounds, a
 * larger storage changes nothing, and an accepted file satisfies the layout
 * guarantees (contiguous tensors that end at the end of the file, lookups
 * that find every live tensor, data pointers inside the buffer).
 *
 * The expectation functions (ut_accept_*, ut_reject_*) run both modes and
 * check the invariant "strict accepts => compat accepts the same table".
 *
 * Compat expectations come from the reference (safetensors 0.8.0). When the
 * environment variable UT_ORACLE_DIR names a directory, every compat
 * expectation is also written there (the file and its expected verdict,
 * plus the table of accepted files) so that oracle_check.py can confirm it
 * with the reference: `make unit-oracle-check`.
 *
 * Assertions use Criterion's classic macros (criterion/criterion.h). The
 * criterion/new/assert.h macros store an int into a one-bit bit-field,
 * which gcc's -Wconversion rejects; the classic ones compile cleanly with
 * the project's full warning set under gcc and clang.
 */
#ifndef UT_UNIT_H
#define UT_UNIT_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tensorproof.h"

#define UT_STR2(x) #x
#define UT_STR(x) UT_STR2(x)
/* Where an expectation was written, for failure messages. */
#define UT_HERE __FILE__ ":" UT_STR(__LINE__)

/* A string literal as (pointer, length): embedded NULs count. */
#define UT_S(lit) (lit), ((uint32_t)(sizeof(lit) - 1u))

#define UT_MAX_RANK 8u

/* An expected tensor; expected tables list them in offset order. */
typedef struct ut_tensor {
    const char *name;
    uint32_t name_len;
    st_dtype dtype;
    uint32_t rank;
    uint64_t dims[UT_MAX_RANK];
    uint64_t begin;
    uint64_t end;
} ut_tensor;

/* An expected metadata pair; expected tables list them in key byte order. */
typedef struct ut_meta {
    const char *key;
    uint32_t key_len;
    const char *value;
    uint32_t value_len;
} ut_meta;

/* An expected table. */
typedef struct ut_table {
    const ut_tensor *t;
    uint32_t n;
    const ut_meta *m;
    uint32_t nm;
    bool has_metadata;
} ut_table;

/* An expected failure. Offsets are file offsets (header index + 8). */
typedef struct ut_fail {
    st_err code;
    uint64_t off_lo;     /* diag.offset must lie in [off_lo, off_hi] */
    uint64_t off_hi;
    const char *name;    /* expected diag.name, UT_NONAME or UT_ANYNAME */
    uint32_t name_len;
    st_err alt;          /* a second acceptable code (same reference kind), or ST_OK */
} ut_fail;

/* diag.name must be NULL */
#define UT_NONAME ((const char *)0)
/* diag.name is not checked (it concerns no tensor the test cares about) */
extern const char ut_anyname[];
#define UT_ANYNAME (ut_anyname)

/* A failure at one exact offset / anywhere in a range; no tensor name. */
#define UT_FAIL_AT(code, off) ((ut_fail){(code), (off), (off), UT_NONAME, 0u, ST_OK})
#define UT_FAIL_IN(code, lo, hi) ((ut_fail){(code), (lo), (hi), UT_NONAME, 0u, ST_OK})
/* A failure concerning the tensor named by the literal `nm`. */
#define UT_FAIL_T(code, off, nm) ((ut_fail){(code), (off), (off), UT_S(nm), ST_OK})
#define UT_FAIL_TIN(code, lo, hi, nm) ((ut_fail){(code), (lo), (hi), UT_S(nm), ST_OK})
/* Any name (checked elsewhere or irrelevant). */
#define UT_FAIL_ANY(code, lo, hi) ((ut_fail){(code), (lo), (hi), UT_ANYNAME, 0u, ST_OK})
/* Either of two codes of the same reference kind, name not checked. Used
   where the input breaks two rules at one byte (e.g. "+1" is neither a
   number nor any other value), so that either code is a faithful report. */
#define UT_FAIL_EITHER(code, alt, lo, hi) ((ut_fail){(code), (lo), (hi), UT_ANYNAME, 0u, (alt)})

/* A standard tensor entry as header text: UT_E("a", "U8", "[1]", "[0,1]"). */
#define UT_E(name, dtype, shape, offsets) \
    "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape ",\"data_offsets\":" offsets "}"

/* Check the reference kind of a code (NULL: a strict-only code). */
#define UT_KIND(code, kind) ut_check_kind_(UT_HERE, (code), (kind))
void ut_check_kind_(const char *where, st_err code, const char *kind);

/* The outcome of one st_parse run through the storage protocol. */
typedef struct ut_result {
    st_err rc;
    st_diag diag;
    st_file f;
    st_storage s;        /* exactly what the measuring pass asked for */
    st_need need;        /* from the measuring pass */
    bool measured;       /* the first pass returned ST_E_STORAGE */
    const uint8_t *buf;
    uint64_t len;
} ut_result;

/* ---- building files ---- */

/* 8-byte LE prefix N = hlen, the header, then data_len bytes of ut_data_byte. */
uint8_t *ut_build(const char *hdr, size_t hlen, uint64_t data_len, uint64_t *len);
/* The same with a NUL-terminated header. */
uint8_t *ut_buildz(const char *hdr, uint64_t data_len, uint64_t *len);
/* An arbitrary prefix value n followed by `rest` (rlen bytes). */
uint8_t *ut_build_raw(uint64_t n, const void *rest, size_t rlen, uint64_t *len);
/* The byte at data offset i of files built here (a fixed pattern). */
uint8_t ut_data_byte(uint64_t i);

/* File offset (8 + header index) of the k-th (0-based) occurrence of
   needle in hdr; the test fails if there is none. */
uint64_t ut_at(const char *hdr, size_t hlen, const char *needle, size_t nlen, unsigned k);
#define UT_AT(hdr, needle) ut_at((hdr), strlen(hdr), (needle), strlen(needle), 0u)
#define UT_AT_K(hdr, needle, k) ut_at((hdr), strlen(hdr), (needle), strlen(needle), (k))

/* Growable text for generated headers. */
typedef struct ut_text {
    char *p;
    size_t n;
    size_t cap;
} ut_text;
void ut_text_add(ut_text *t, const char *fmt, ...);
void ut_text_bytes(ut_text *t, const void *p, size_t n);
void ut_text_free(ut_text *t);

/* Deterministic PRNG (xorshift64*) for generated cases. */
uint64_t ut_rand(uint64_t *state);

/* ---- parsing ---- */

/* st_parse through the storage protocol, with the generic checks. */
void ut_parse_(const char *where, ut_result *r, const uint8_t *buf, uint64_t len,
               st_mode mode);
#define ut_parse(r, buf, len, mode) ut_parse_(UT_HERE, (r), (buf), (len), (mode))
void ut_result_free(ut_result *r);

/* The parsed table equals `exp`: order, names, dtypes, shapes, offsets,
   data pointers, metadata, st_find hits and misses. */
void ut_check_table_(const char *where, const ut_result *r, const ut_table *exp);
/* Two accepted parses describe the same table. */
void ut_same_table_(const char *where, const ut_result *a, const ut_result *b);
/* The failure matches. */
void ut_check_fail_(const char *where, const ut_result *r, const ut_fail *exp);

/* ---- expectations (each runs both modes) ---- */

/* Both modes accept, with table `exp`. */
void ut_accept_both_(const char *where, const uint8_t *buf, uint64_t len, const ut_table *exp);
/* Strict refuses with `strict_fail` (a strict-only code); compat accepts `exp`. */
void ut_accept_compat_(const char *where, const uint8_t *buf, uint64_t len,
                       const ut_fail *strict_fail, const ut_table *exp);
/* Both modes fail identically (a code with a reference kind). */
void ut_reject_both_(const char *where, const uint8_t *buf, uint64_t len, const ut_fail *exp);
/* Strict fails with `strict_fail`, compat with `compat_fail`. */
void ut_reject_modes_(const char *where, const uint8_t *buf, uint64_t len,
                      const ut_fail *strict_fail, const ut_fail *compat_fail);
/* One mode fails as `exp` (the other mode only has to keep the invariant). */
void ut_reject_mode_(const char *where, const uint8_t *buf, uint64_t len, st_mode mode,
                     const ut_fail *exp);

#define ut_accept_both(buf, len, exp) ut_accept_both_(UT_HERE, (buf), (len), (exp))
#define ut_accept_compat(buf, len, sf, exp) ut_accept_compat_(UT_HERE, (buf), (len), (sf), (exp))
#define ut_reject_both(buf, len, exp) ut_reject_both_(UT_HERE, (buf), (len), (exp))
#define ut_reject_modes(buf, len, sf, cf) ut_reject_modes_(UT_HERE, (buf), (len), (sf), (cf))
#define ut_reject_mode(buf, len, mode, exp) ut_reject_mode_(UT_HERE, (buf), (len), (mode), (exp))

/* Shorthands for the common case "header text + data bytes". */
void ut_hdr_accept_both_(const char *where, const char *hdr, uint64_t data_len, const ut_table *exp);
void ut_hdr_reject_both_(const char *where, const char *hdr, uint64_t data_len, const ut_fail *exp);
#define ut_hdr_accept_both(hdr, dl, exp) ut_hdr_accept_both_(UT_HERE, (hdr), (dl), (exp))
#define ut_hdr_reject_both(hdr, dl, exp) ut_hdr_reject_both_(UT_HERE, (hdr), (dl), (exp))

/*
 * The "unknown field" context: a valid one-tensor file whose entry "t" has
 * an extra field "x" with the given value text:
 *   {"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":VALUE}}  + 1 data byte
 * Strict refuses the field (ST-STRICT-5) at the key "x"; compat accepts it
 * (rel == NULL) or fails as *rel, whose offsets count from the first byte of
 * VALUE (0 = that byte) and whose name, unless UT_ANYNAME, is taken as "t".
 */
#define UT_FIELD_PRE "{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":"
#define UT_FIELD_POST "}}"
void ut_field_value_(const char *where, const char *value, size_t vlen, const ut_fail *rel);
#define ut_field_value(value, rel) ut_field_value_(UT_HERE, (value), strlen(value), (rel))
/* Relative failure shorthands for ut_field_value. */
#define UT_REL(code, lo, hi) ((ut_fail){(code), (lo), (hi), UT_S("t"), ST_OK})
#define UT_REL_EITHER(code, alt, lo, hi) ((ut_fail){(code), (lo), (hi), UT_S("t"), (alt)})

/* Record a compat expectation for oracle_check.py (no-op unless UT_ORACLE_DIR
   is set). `kind` is NULL for an accepted file (then `r` gives the table). */
void ut_oracle_note(const uint8_t *buf, uint64_t len, const char *kind, const ut_result *r);

/* A table literal: UT_TABLE(tensors, metas, has_metadata). */
#define UT_COUNT(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))
#define UT_TABLE(t, m, hm) ((ut_table){(t), UT_COUNT(t), (m), UT_COUNT(m), (hm)})
#define UT_TABLE_T(t) ((ut_table){(t), UT_COUNT(t), NULL, 0u, false})
#define UT_TABLE_EMPTY ((ut_table){NULL, 0u, NULL, 0u, false})

#endif /* UT_UNIT_H */
