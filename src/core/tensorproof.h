/*
 * tensorproof.h -- the freestanding core: parse and validate safetensors files.
 *
 * Conventions (they hold for every function declared here):
 *
 *  - The core is freestanding C11. It includes only <stdint.h>, <stddef.h>
 *    and <stdbool.h>, never allocates, never recurses, keeps no mutable
 *    global state and performs no I/O. Every loop is bounded by the length
 *    of the input it walks.
 *  - The caller owns all memory. The file is passed as one buffer
 *    (`buf`, `len`); the results are written into caller-provided arrays
 *    described by `st_storage`. `st_parse` tells the caller how much storage
 *    a header needs (ST_E_STORAGE plus `st_diag.need`), so a caller may
 *    parse once with empty storage, allocate exactly, and parse again.
 *  - Pointers returned in results (names, metadata strings, tensor data)
 *    point into the caller's file buffer or the caller's arena. They stay
 *    valid as long as both do.
 *  - Strings are decoded UTF-8, not NUL-terminated, with an explicit length.
 *    A name may contain an escaped NUL byte.
 *  - Pointer arguments documented as "never NULL" are not checked: passing
 *    NULL there is a contract violation (the ACSL contracts state it).
 *  - Requirement ids in comments (ST-...) refer to spec/safetensors.md.
 *
 * Non-goals: tensor contents are never inspected (NaN, BOOL bytes other than
 * 0/1 are fine); byte order conversion is the caller's business.
 */
#ifndef TENSORPROOF_H
#define TENSORPROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ST_VERSION_STRING "0.1.0"

/* ST-LAYOUT-2: the largest header the format allows (bytes, inclusive). */
#define ST_HEADER_MAX 100000000u
/* ST-JSON-6: deepest container nesting accepted (the top object is depth 1). */
#define ST_DEPTH_MAX 127u
/* Size of the little-endian length prefix (ST-LAYOUT-1). */
#define ST_PREFIX_LEN 8u

/* Parsing modes (spec section "Strict and compat"). */
typedef enum st_mode {
    ST_MODE_STRICT = 0, /* the specification text, every ambiguity refused */
    ST_MODE_COMPAT = 1  /* exactly what safetensors 0.8.0 accepts */
} st_mode;

/*
 * Error codes. Stable numbers: never renumber, only append.
 * Each maps to exactly one reference error kind (st_error_reference_kind),
 * or to none for the strict-only refusals, which the reference accepts.
 */
typedef enum st_err {
    ST_OK = 0,
    /* layout (ST-LAYOUT-*) */
    ST_E_FILE_TOO_SMALL = 1,     /* HeaderTooSmall: fewer than 8 bytes */
    ST_E_HEADER_TOO_LARGE = 2,   /* HeaderTooLarge: N > 100,000,000 */
    ST_E_HEADER_TRUNCATED = 3,   /* InvalidHeaderLength: file shorter than 8 + N */
    ST_E_UTF8 = 4,               /* InvalidHeader: header is not valid UTF-8 */
    /* JSON grammar (ST-JSON-*), all InvalidHeaderDeserialization */
    ST_E_JSON_SYNTAX = 10,       /* unexpected byte or end of header */
    ST_E_JSON_STRING = 11,       /* control byte, bad escape or lone surrogate */
    ST_E_JSON_NUMBER = 12,       /* number grammar, or value out of f64 range */
    ST_E_JSON_DEPTH = 13,        /* nesting deeper than 127 */
    ST_E_JSON_TRAILING = 14,     /* bytes other than whitespace after the object */
    /* header schema (ST-SCHEMA-*, ST-META-*, ST-DTYPE-*), InvalidHeaderDeserialization */
    ST_E_SCHEMA_TOP = 20,        /* the header is not a JSON object */
    ST_E_SCHEMA_ENTRY = 21,      /* a tensor entry is not an object (or 3-array in compat) */
    ST_E_SCHEMA_MISSING = 22,    /* dtype, shape or data_offsets missing */
    ST_E_SCHEMA_DUP_FIELD = 23,  /* a field repeated inside one tensor entry */
    ST_E_SCHEMA_DTYPE = 24,      /* unknown dtype, or dtype of the wrong JSON type */
    ST_E_SCHEMA_INTEGER = 25,    /* shape or offset not an integer in 0..2^64-1 */
    ST_E_SCHEMA_ARRAY = 26,      /* shape/data_offsets not an array, or not 2 offsets */
    ST_E_SCHEMA_METADATA = 27,   /* __metadata__ not an object of string to string */
    ST_E_SCHEMA_DUP_METADATA = 28, /* __metadata__ given twice */
    /* strict-only refusals (ST-STRICT-*): the reference accepts these */
    ST_E_STRICT_LEADING_SPACE = 40, /* header does not begin with '{' */
    ST_E_STRICT_PADDING = 41,       /* padding byte other than 0x20 */
    ST_E_STRICT_DUP_TENSOR = 42,    /* tensor name given twice */
    ST_E_STRICT_DUP_META_KEY = 43,  /* metadata key given twice */
    ST_E_STRICT_UNKNOWN_FIELD = 44, /* field other than dtype/shape/data_offsets */
    ST_E_STRICT_ARRAY_ENTRY = 45,   /* tensor entry written as a 3-element array */
    ST_E_STRICT_DTYPE_OBJECT = 46,  /* dtype written as {"NAME": null} */
    ST_E_STRICT_METADATA_NULL = 47, /* "__metadata__": null */
    /* validation (ST-VALID-*) */
    ST_E_INVALID_OFFSET = 60,    /* InvalidOffset: hole, overlap, or end < begin */
    ST_E_OVERFLOW = 61,          /* ValidationOverflow: element or bit count overflows */
    ST_E_MISALIGNED = 62,        /* MisalignedSlice: bit count not a multiple of 8 */
    ST_E_SIZE_MISMATCH = 63,     /* TensorInvalidInfo: byte range != shape x dtype */
    ST_E_INCOMPLETE = 64,        /* MetadataIncompleteBuffer: data end != file end */
    /* API */
    ST_E_STORAGE = 80,           /* caller storage too small: see st_diag.need */
    ST_E_ARGUMENT = 81           /* invalid argument (e.g. unknown mode) */
} st_err;

/* ST-DTYPE-1: the 22 dtypes, in the reference's declaration order. */
typedef enum st_dtype {
    ST_BOOL = 0, ST_F4, ST_F6_E2M3, ST_F6_E3M2, ST_U8, ST_I8, ST_F8_E5M2,
    ST_F8_E4M3, ST_F8_E8M0, ST_F8_E4M3FNUZ, ST_F8_E5M2FNUZ, ST_I16, ST_U16,
    ST_F16, ST_BF16, ST_I32, ST_U32, ST_F32, ST_C64, ST_F64, ST_I64, ST_U64,
    ST_DTYPE_COUNT
} st_dtype;

/* One tensor as declared in the header. */
typedef struct st_tensor {
    const uint8_t *name;  /* decoded UTF-8 (file buffer or arena) */
    uint32_t name_len;
    uint32_t rank;        /* number of dimensions; 0 = scalar */
    uint32_t dims_at;     /* index of dimension 0 in st_storage.dims */
    uint32_t key_pos;     /* header offset of the entry's name */
    uint32_t offsets_pos; /* header offset of the data_offsets value */
    uint32_t name_start;  /* where name lies: arena offset, or header offset */
    uint8_t dtype;        /* st_dtype */
    bool dropped;         /* compat: an earlier duplicate, overridden */
    bool name_in_arena;   /* name is in the arena (it had escapes) */
    uint64_t begin;       /* data_offsets[0], relative to the data section */
    uint64_t end;         /* data_offsets[1] */
} st_tensor;

/* One metadata pair. */
typedef struct st_meta {
    const uint8_t *key;
    uint32_t key_len;
    uint32_t value_len;
    const uint8_t *value;
    uint32_t key_pos;     /* header offset of the key */
    uint32_t key_start;   /* where key lies: arena offset, or header offset */
    bool dropped;         /* compat: an earlier duplicate key, overridden */
    bool key_in_arena;    /* key is in the arena (it had escapes) */
} st_meta;

/*
 * Caller-provided storage. Capacities count elements (bytes for the arena).
 * `order` and `by_name` need `tensor_cap` entries each, `meta_order`
 * needs `meta_cap` entries. Any pointer may be NULL when its capacity is 0.
 *
 * Bounds that always suffice for a header of N bytes (the measuring pass
 * gives the exact figures): tensors and metadata pairs <= N/6, dims <= N/2,
 * arena <= N.
 */
typedef struct st_storage {
    st_tensor *tensors;
    uint32_t *order;      /* live tensors in (begin, end, name) order */
    uint32_t *by_name;    /* live tensors in name byte order */
    uint32_t tensor_cap;
    uint32_t dim_cap;
    uint64_t *dims;
    st_meta *meta;
    uint32_t *meta_order; /* live metadata pairs in key byte order */
    uint32_t meta_cap;
    uint32_t arena_cap;
    uint8_t *arena;       /* decoded strings that contained escapes */
    uint32_t *scratch;    /* optional (may be NULL): tensor_cap entries; with
                             it, offsets are merge-sorted (fast on any input),
                             without it heap-sorted in place */
} st_storage;

/* What a header needs from st_storage (filled by the measuring logic). */
typedef struct st_need {
    uint32_t tensors;     /* tensor entries, duplicates included */
    uint32_t dims;
    uint32_t meta;        /* metadata pairs, duplicates included */
    uint32_t arena;       /* bytes */
} st_need;

/* Diagnostics for the first failure. */
typedef struct st_diag {
    st_err code;
    uint64_t offset;      /* byte offset in the file where it was detected */
    const uint8_t *name;  /* tensor (or, for ST_E_STRICT_DUP_META_KEY, metadata key) concerned, or NULL */
    uint32_t name_len;
    st_need need;         /* always filled once the header parsed */
} st_diag;

/* A parsed, validated file. */
typedef struct st_file {
    const uint8_t *buf;   /* the whole file */
    uint64_t len;
    uint64_t header_len;  /* N */
    uint64_t data_len;    /* len - 8 - N */
    const st_storage *st;
    uint32_t n_entries;   /* entries in st->tensors, dropped ones included */
    uint32_t n_tensors;   /* live tensors */
    uint32_t n_meta_entries;
    uint32_t n_meta;      /* live metadata pairs */
    bool has_metadata;    /* __metadata__ present and not null */
    st_mode mode;
} st_file;

/*
 * ST-LAYOUT-*, ST-JSON-*, ST-SCHEMA-*, ST-VALID-*: parse and validate a whole
 * file held in buf[0..len). On ST_OK, `out` describes a file whose layout
 * theorem holds (spec section "Guarantees"). On failure, `diag` names the
 * first failure in the reference's check order. `diag` and `out` never NULL;
 * `storage` never NULL (its arrays may be empty).
 */
st_err st_parse(const uint8_t *buf, uint64_t len, st_mode mode,
                const st_storage *storage, st_file *out, st_diag *diag);

/* The i-th live tensor in offset order (i < f->n_tensors). */
const st_tensor *st_tensor_at(const st_file *f, uint32_t i);

/* Binary search by decoded name; NULL when absent. */
const st_tensor *st_find(const st_file *f, const uint8_t *name, uint32_t name_len);

/* The i-th live metadata pair in key byte order (i < f->n_meta). */
const st_meta *st_meta_at(const st_file *f, uint32_t i);

/* Dimension d of a tensor (d < t->rank). */
uint64_t st_dim(const st_file *f, const st_tensor *t, uint32_t d);

/* The tensor's bytes: a pointer into f->buf and their count (end - begin). */
const uint8_t *st_tensor_data(const st_file *f, const st_tensor *t, uint64_t *size);

/* Number of elements (product of the shape); valid tensors never overflow. */
uint64_t st_tensor_nelem(const st_file *f, const st_tensor *t);

/* Dtype table (ST-DTYPE-1). */
const char *st_dtype_name(st_dtype d);          /* NULL if out of range */
uint32_t st_dtype_bits(st_dtype d);              /* 0 if out of range */
/* Look a dtype up by exact, case-sensitive name; false if none. */
bool st_dtype_parse(const uint8_t *s, uint32_t n, st_dtype *out);

/* Error code names and their reference kinds. */
const char *st_error_name(st_err e);             /* e.g. "ST_E_UTF8" */
const char *st_error_reference_kind(st_err e);   /* e.g. "InvalidHeader"; NULL for strict-only */
const char *st_error_rule(st_err e);             /* spec requirement id */
const char *st_error_message(st_err e);          /* one line, plain words */

#ifdef __cplusplus
}
#endif
#endif /* TENSORPROOF_H */
