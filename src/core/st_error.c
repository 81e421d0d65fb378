/*
 * st_error.c -- the error taxonomy (spec section "Error taxonomy"): each
 * code's name, the reference error kind it corresponds to, the requirement
 * it enforces and a one-line explanation.
 */
#include "st_internal.h"

/*
 * The table is five parallel arrays indexed alike: entry i describes code
 * st_error_codes[i]. Flat arrays of fixed-width strings keep the contracts
 * simple: every returned string lies inside its row. Each row has room for
 * the terminating NUL (proofs/run_proofs.sh compiles this file with
 * -Wc++-compat -Werror, which rejects a string that fills its row).
 */
#define ST_ERROR_COUNT 34u

static const st_err st_error_codes[ST_ERROR_COUNT] = {
    ST_OK,
    ST_E_FILE_TOO_SMALL,
    ST_E_HEADER_TOO_LARGE,
    ST_E_HEADER_TRUNCATED,
    ST_E_UTF8,
    ST_E_JSON_SYNTAX,
    ST_E_JSON_STRING,
    ST_E_JSON_NUMBER,
    ST_E_JSON_DEPTH,
    ST_E_JSON_TRAILING,
    ST_E_SCHEMA_TOP,
    ST_E_SCHEMA_ENTRY,
    ST_E_SCHEMA_MISSING,
    ST_E_SCHEMA_DUP_FIELD,
    ST_E_SCHEMA_DTYPE,
    ST_E_SCHEMA_INTEGER,
    ST_E_SCHEMA_ARRAY,
    ST_E_SCHEMA_METADATA,
    ST_E_SCHEMA_DUP_METADATA,
    ST_E_STRICT_LEADING_SPACE,
    ST_E_STRICT_PADDING,
    ST_E_STRICT_DUP_TENSOR,
    ST_E_STRICT_DUP_META_KEY,
    ST_E_STRICT_UNKNOWN_FIELD,
    ST_E_STRICT_ARRAY_ENTRY,
    ST_E_STRICT_DTYPE_OBJECT,
    ST_E_STRICT_METADATA_NULL,
    ST_E_INVALID_OFFSET,
    ST_E_OVERFLOW,
    ST_E_MISALIGNED,
    ST_E_SIZE_MISMATCH,
    ST_E_INCOMPLETE,
    ST_E_STORAGE,
    ST_E_ARGUMENT,
};

static const char st_error_names[ST_ERROR_COUNT][ST_ERROR_NAME_W] = {
    "ST_OK",
    "ST_E_FILE_TOO_SMALL",
    "ST_E_HEADER_TOO_LARGE",
    "ST_E_HEADER_TRUNCATED",
    "ST_E_UTF8",
    "ST_E_JSON_SYNTAX",
    "ST_E_JSON_STRING",
    "ST_E_JSON_NUMBER",
    "ST_E_JSON_DEPTH",
    "ST_E_JSON_TRAILING",
    "ST_E_SCHEMA_TOP",
    "ST_E_SCHEMA_ENTRY",
    "ST_E_SCHEMA_MISSING",
    "ST_E_SCHEMA_DUP_FIELD",
    "ST_E_SCHEMA_DTYPE",
    "ST_E_SCHEMA_INTEGER",
    "ST_E_SCHEMA_ARRAY",
    "ST_E_SCHEMA_METADATA",
    "ST_E_SCHEMA_DUP_METADATA",
    "ST_E_STRICT_LEADING_SPACE",
    "ST_E_STRICT_PADDING",
    "ST_E_STRICT_DUP_TENSOR",
    "ST_E_STRICT_DUP_META_KEY",
    "ST_E_STRICT_UNKNOWN_FIELD",
    "ST_E_STRICT_ARRAY_ENTRY",
    "ST_E_STRICT_DTYPE_OBJECT",
    "ST_E_STRICT_METADATA_NULL",
    "ST_E_INVALID_OFFSET",
    "ST_E_OVERFLOW",
    "ST_E_MISALIGNED",
    "ST_E_SIZE_MISMATCH",
    "ST_E_INCOMPLETE",
    "ST_E_STORAGE",
    "ST_E_ARGUMENT",
};

/* "": strict-only, the reference accepts (st_error_reference_kind gives NULL) */
static const char st_error_kinds[ST_ERROR_COUNT][ST_ERROR_KIND_W] = {
    "", /* ST_OK */
    "HeaderTooSmall", /* ST_E_FILE_TOO_SMALL */
    "HeaderTooLarge", /* ST_E_HEADER_TOO_LARGE */
    "InvalidHeaderLength", /* ST_E_HEADER_TRUNCATED */
    "InvalidHeader", /* ST_E_UTF8 */
    "InvalidHeaderDeserialization", /* ST_E_JSON_SYNTAX */
    "InvalidHeaderDeserialization", /* ST_E_JSON_STRING */
    "InvalidHeaderDeserialization", /* ST_E_JSON_NUMBER */
    "InvalidHeaderDeserialization", /* ST_E_JSON_DEPTH */
    "InvalidHeaderDeserialization", /* ST_E_JSON_TRAILING */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_TOP */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_ENTRY */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_MISSING */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_DUP_FIELD */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_DTYPE */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_INTEGER */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_ARRAY */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_METADATA */
    "InvalidHeaderDeserialization", /* ST_E_SCHEMA_DUP_METADATA */
    "", /* ST_E_STRICT_LEADING_SPACE */
    "", /* ST_E_STRICT_PADDING */
    "", /* ST_E_STRICT_DUP_TENSOR */
    "", /* ST_E_STRICT_DUP_META_KEY */
    "", /* ST_E_STRICT_UNKNOWN_FIELD */
    "", /* ST_E_STRICT_ARRAY_ENTRY */
    "", /* ST_E_STRICT_DTYPE_OBJECT */
    "", /* ST_E_STRICT_METADATA_NULL */
    "InvalidOffset", /* ST_E_INVALID_OFFSET */
    "ValidationOverflow", /* ST_E_OVERFLOW */
    "MisalignedSlice", /* ST_E_MISALIGNED */
    "TensorInvalidInfo", /* ST_E_SIZE_MISMATCH */
    "MetadataIncompleteBuffer", /* ST_E_INCOMPLETE */
    "", /* ST_E_STORAGE */
    "", /* ST_E_ARGUMENT */
};

static const char st_error_rules[ST_ERROR_COUNT][ST_ERROR_RULE_W] = {
    "", /* ST_OK */
    "ST-LAYOUT-1", /* ST_E_FILE_TOO_SMALL */
    "ST-LAYOUT-2", /* ST_E_HEADER_TOO_LARGE */
    "ST-LAYOUT-3", /* ST_E_HEADER_TRUNCATED */
    "ST-UTF8-1", /* ST_E_UTF8 */
    "ST-JSON-1", /* ST_E_JSON_SYNTAX */
    "ST-JSON-2", /* ST_E_JSON_STRING */
    "ST-JSON-3", /* ST_E_JSON_NUMBER */
    "ST-JSON-6", /* ST_E_JSON_DEPTH */
    "ST-JSON-1", /* ST_E_JSON_TRAILING */
    "ST-SCHEMA-1", /* ST_E_SCHEMA_TOP */
    "ST-SCHEMA-2", /* ST_E_SCHEMA_ENTRY */
    "ST-SCHEMA-2", /* ST_E_SCHEMA_MISSING */
    "ST-SCHEMA-2", /* ST_E_SCHEMA_DUP_FIELD */
    "ST-DTYPE-2", /* ST_E_SCHEMA_DTYPE */
    "ST-SCHEMA-3", /* ST_E_SCHEMA_INTEGER */
    "ST-SCHEMA-4", /* ST_E_SCHEMA_ARRAY */
    "ST-META-1", /* ST_E_SCHEMA_METADATA */
    "ST-META-2", /* ST_E_SCHEMA_DUP_METADATA */
    "ST-STRICT-1", /* ST_E_STRICT_LEADING_SPACE */
    "ST-STRICT-2", /* ST_E_STRICT_PADDING */
    "ST-STRICT-3", /* ST_E_STRICT_DUP_TENSOR */
    "ST-STRICT-4", /* ST_E_STRICT_DUP_META_KEY */
    "ST-STRICT-5", /* ST_E_STRICT_UNKNOWN_FIELD */
    "ST-STRICT-6", /* ST_E_STRICT_ARRAY_ENTRY */
    "ST-STRICT-7", /* ST_E_STRICT_DTYPE_OBJECT */
    "ST-STRICT-8", /* ST_E_STRICT_METADATA_NULL */
    "ST-VALID-1", /* ST_E_INVALID_OFFSET */
    "ST-VALID-2", /* ST_E_OVERFLOW */
    "ST-VALID-4", /* ST_E_MISALIGNED */
    "ST-VALID-5", /* ST_E_SIZE_MISMATCH */
    "ST-VALID-6", /* ST_E_INCOMPLETE */
    "ST-API-1", /* ST_E_STORAGE */
    "ST-API-2", /* ST_E_ARGUMENT */
};

static const char st_error_messages[ST_ERROR_COUNT][ST_ERROR_MESSAGE_W] = {
    /* ST_OK */
    "valid",
    /* ST_E_FILE_TOO_SMALL */
    "file is shorter than the 8-byte header length",
    /* ST_E_HEADER_TOO_LARGE */
    "header length exceeds 100000000 bytes",
    /* ST_E_HEADER_TRUNCATED */
    "file ends before the declared header does",
    /* ST_E_UTF8 */
    "header is not valid UTF-8",
    /* ST_E_JSON_SYNTAX */
    "JSON syntax error",
    /* ST_E_JSON_STRING */
    "invalid JSON string (control byte, bad escape or lone surrogate)",
    /* ST_E_JSON_NUMBER */
    "invalid JSON number or number out of range",
    /* ST_E_JSON_DEPTH */
    "JSON nesting deeper than 127",
    /* ST_E_JSON_TRAILING */
    "unexpected bytes after the header object",
    /* ST_E_SCHEMA_TOP */
    "header is not a JSON object",
    /* ST_E_SCHEMA_ENTRY */
    "tensor entry is not an object",
    /* ST_E_SCHEMA_MISSING */
    "tensor entry lacks dtype, shape or data_offsets",
    /* ST_E_SCHEMA_DUP_FIELD */
    "field repeated inside a tensor entry",
    /* ST_E_SCHEMA_DTYPE */
    "unknown dtype",
    /* ST_E_SCHEMA_INTEGER */
    "shape or offset is not an integer in 0..2^64-1",
    /* ST_E_SCHEMA_ARRAY */
    "shape or data_offsets is not an array of the right length",
    /* ST_E_SCHEMA_METADATA */
    "__metadata__ is not an object of strings",
    /* ST_E_SCHEMA_DUP_METADATA */
    "__metadata__ given twice",
    /* ST_E_STRICT_LEADING_SPACE */
    "header does not begin with '{'",
    /* ST_E_STRICT_PADDING */
    "header padding byte is not a space",
    /* ST_E_STRICT_DUP_TENSOR */
    "tensor name given twice",
    /* ST_E_STRICT_DUP_META_KEY */
    "metadata key given twice",
    /* ST_E_STRICT_UNKNOWN_FIELD */
    "unknown field in a tensor entry",
    /* ST_E_STRICT_ARRAY_ENTRY */
    "tensor entry written as an array",
    /* ST_E_STRICT_DTYPE_OBJECT */
    "dtype written as an object",
    /* ST_E_STRICT_METADATA_NULL */
    "__metadata__ is null",
    /* ST_E_INVALID_OFFSET */
    "tensor does not start where the previous one ends (hole, overlap or end < begin)",
    /* ST_E_OVERFLOW */
    "element or bit count overflows 64 bits",
    /* ST_E_MISALIGNED */
    "tensor size is not a whole number of bytes",
    /* ST_E_SIZE_MISMATCH */
    "byte range does not match shape and dtype",
    /* ST_E_INCOMPLETE */
    "tensor data does not end exactly at the end of the file",
    /* ST_E_STORAGE */
    "caller storage too small",
    /* ST_E_ARGUMENT */
    "invalid argument",
};

/* Index of code e in the table, or ST_ERROR_COUNT when it has none. */
/*@ assigns \nothing;
    ensures 0 <= \result <= ST_ERROR_COUNT;
*/
static uint32_t st_error_index(st_err e)
{
    uint32_t ret = ST_ERROR_COUNT;
    uint32_t i;
    /*@ loop invariant 0 <= i <= ST_ERROR_COUNT;
        loop invariant ret <= ST_ERROR_COUNT;
        loop assigns i, ret;
        loop variant ST_ERROR_COUNT - i;
    */
    for (i = 0u; (i < ST_ERROR_COUNT) && (ret == ST_ERROR_COUNT); i++) {
        if (st_error_codes[i] == e) {
            ret = i;
        }
    }
    return ret;
}

const char *st_error_name(st_err e)
{
    uint32_t i = st_error_index(e);
    return (i < ST_ERROR_COUNT) ? st_error_names[i] : "ST_E_UNKNOWN";
}

const char *st_error_reference_kind(st_err e)
{
    uint32_t i = st_error_index(e);
    const char *ret = NULL;
    if (i < ST_ERROR_COUNT) {
        ret = st_error_kinds[i];
        /*@ assert \valid_read(ret + (0 .. ST_ERROR_KIND_W - 1)); */
        if (ret[0] == '\0') {
            ret = NULL;
        }
    }
    return ret;
}

const char *st_error_rule(st_err e)
{
    uint32_t i = st_error_index(e);
    return (i < ST_ERROR_COUNT) ? st_error_rules[i] : "";
}

const char *st_error_message(st_err e)
{
    uint32_t i = st_error_index(e);
    return (i < ST_ERROR_COUNT) ? st_error_messages[i] : "unknown error";
}

/* Record the first failure of a parse at header offset `at`. */
st_err st_fail(st_cursor *c, st_err e, uint32_t at)
{
    c->err_pos = at;
    return e;
}
