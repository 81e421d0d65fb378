/*
 * st_error.c -- the error taxonomy (spec section "Error taxonomy"): each
 * code's name, the reference error kind it corresponds to, the requirement
 * it enforces and a one-line explanation.
 */
#include "st_internal.h"

typedef struct st_error_info {
    st_err code;
    const char *name;
    const char *kind;     /* NULL: strict-only, the reference accepts */
    const char *rule;
    const char *message;
} st_error_info;

static const st_error_info st_errors[] = {
    {ST_OK, "ST_OK", NULL, "", "valid"},
    {ST_E_FILE_TOO_SMALL, "ST_E_FILE_TOO_SMALL", "HeaderTooSmall", "ST-LAYOUT-1",
     "file is shorter than the 8-byte header length"},
    {ST_E_HEADER_TOO_LARGE, "ST_E_HEADER_TOO_LARGE", "HeaderTooLarge", "ST-LAYOUT-2",
     "header length exceeds 100000000 bytes"},
    {ST_E_HEADER_TRUNCATED, "ST_E_HEADER_TRUNCATED", "InvalidHeaderLength", "ST-LAYOUT-3",
     "file ends before the declared header does"},
    {ST_E_UTF8, "ST_E_UTF8", "InvalidHeader", "ST-UTF8-1",
     "header is not valid UTF-8"},
    {ST_E_JSON_SYNTAX, "ST_E_JSON_SYNTAX", "InvalidHeaderDeserialization", "ST-JSON-1",
     "JSON syntax error"},
    {ST_E_JSON_STRING, "ST_E_JSON_STRING", "InvalidHeaderDeserialization", "ST-JSON-2",
     "invalid JSON string (control byte, bad escape or lone surrogate)"},
    {ST_E_JSON_NUMBER, "ST_E_JSON_NUMBER", "InvalidHeaderDeserialization", "ST-JSON-3",
     "invalid JSON number or number out of range"},
    {ST_E_JSON_DEPTH, "ST_E_JSON_DEPTH", "InvalidHeaderDeserialization", "ST-JSON-6",
     "JSON nesting deeper than 127"},
    {ST_E_JSON_TRAILING, "ST_E_JSON_TRAILING", "InvalidHeaderDeserialization", "ST-JSON-1",
     "unexpected bytes after the header object"},
    {ST_E_SCHEMA_TOP, "ST_E_SCHEMA_TOP", "InvalidHeaderDeserialization", "ST-SCHEMA-1",
     "header is not a JSON object"},
    {ST_E_SCHEMA_ENTRY, "ST_E_SCHEMA_ENTRY", "InvalidHeaderDeserialization", "ST-SCHEMA-2",
     "tensor entry is not an object"},
    {ST_E_SCHEMA_MISSING, "ST_E_SCHEMA_MISSING", "InvalidHeaderDeserialization", "ST-SCHEMA-2",
     "tensor entry lacks dtype, shape or data_offsets"},
    {ST_E_SCHEMA_DUP_FIELD, "ST_E_SCHEMA_DUP_FIELD", "InvalidHeaderDeserialization", "ST-SCHEMA-2",
     "field repeated inside a tensor entry"},
    {ST_E_SCHEMA_DTYPE, "ST_E_SCHEMA_DTYPE", "InvalidHeaderDeserialization", "ST-DTYPE-2",
     "unknown dtype"},
    {ST_E_SCHEMA_INTEGER, "ST_E_SCHEMA_INTEGER", "InvalidHeaderDeserialization", "ST-SCHEMA-3",
     "shape or offset is not an integer in 0..2^64-1"},
    {ST_E_SCHEMA_ARRAY, "ST_E_SCHEMA_ARRAY", "InvalidHeaderDeserialization", "ST-SCHEMA-4",
     "shape or data_offsets is not an array of the right length"},
    {ST_E_SCHEMA_METADATA, "ST_E_SCHEMA_METADATA", "InvalidHeaderDeserialization", "ST-META-1",
     "__metadata__ is not an object of strings"},
    {ST_E_SCHEMA_DUP_METADATA, "ST_E_SCHEMA_DUP_METADATA", "InvalidHeaderDeserialization", "ST-META-2",
     "__metadata__ given twice"},
    {ST_E_STRICT_LEADING_SPACE, "ST_E_STRICT_LEADING_SPACE", NULL, "ST-STRICT-1",
     "header does not begin with '{'"},
    {ST_E_STRICT_PADDING, "ST_E_STRICT_PADDING", NULL, "ST-STRICT-2",
     "header padding byte is not a space"},
    {ST_E_STRICT_DUP_TENSOR, "ST_E_STRICT_DUP_TENSOR", NULL, "ST-STRICT-3",
     "tensor name given twice"},
    {ST_E_STRICT_DUP_META_KEY, "ST_E_STRICT_DUP_META_KEY", NULL, "ST-STRICT-4",
     "metadata key given twice"},
    {ST_E_STRICT_UNKNOWN_FIELD, "ST_E_STRICT_UNKNOWN_FIELD", NULL, "ST-STRICT-5",
     "unknown field in a tensor entry"},
    {ST_E_STRICT_ARRAY_ENTRY, "ST_E_STRICT_ARRAY_ENTRY", NULL, "ST-STRICT-6",
     "tensor entry written as an array"},
    {ST_E_STRICT_DTYPE_OBJECT, "ST_E_STRICT_DTYPE_OBJECT", NULL, "ST-STRICT-7",
     "dtype written as an object"},
    {ST_E_STRICT_METADATA_NULL, "ST_E_STRICT_METADATA_NULL", NULL, "ST-STRICT-8",
     "__metadata__ is null"},
    {ST_E_INVALID_OFFSET, "ST_E_INVALID_OFFSET", "InvalidOffset", "ST-VALID-1",
     "tensor does not start where the previous one ends (hole, overlap or end < begin)"},
    {ST_E_OVERFLOW, "ST_E_OVERFLOW", "ValidationOverflow", "ST-VALID-2",
     "element or bit count overflows 64 bits"},
    {ST_E_MISALIGNED, "ST_E_MISALIGNED", "MisalignedSlice", "ST-VALID-4",
     "tensor size is not a whole number of bytes"},
    {ST_E_SIZE_MISMATCH, "ST_E_SIZE_MISMATCH", "TensorInvalidInfo", "ST-VALID-5",
     "byte range does not match shape and dtype"},
    {ST_E_INCOMPLETE, "ST_E_INCOMPLETE", "MetadataIncompleteBuffer", "ST-VALID-6",
     "tensor data does not end exactly at the end of the file"},
    {ST_E_STORAGE, "ST_E_STORAGE", NULL, "", "caller storage too small"},
    {ST_E_ARGUMENT, "ST_E_ARGUMENT", NULL, "", "invalid argument"},
};

#define ST_ERROR_COUNT ((uint32_t)(sizeof st_errors / sizeof st_errors[0]))

static const st_error_info *st_error_find(st_err e)
{
    const st_error_info *ret = NULL;
    uint32_t i;
    for (i = 0u; (i < ST_ERROR_COUNT) && (ret == NULL); i++) {
        if (st_errors[i].code == e) {
            ret = &st_errors[i];
        }
    }
    return ret;
}

const char *st_error_name(st_err e)
{
    const st_error_info *info = st_error_find(e);
    return (info != NULL) ? info->name : "ST_E_UNKNOWN";
}

const char *st_error_reference_kind(st_err e)
{
    const st_error_info *info = st_error_find(e);
    return (info != NULL) ? info->kind : NULL;
}

const char *st_error_rule(st_err e)
{
    const st_error_info *info = st_error_find(e);
    return (info != NULL) ? info->rule : "";
}

const char *st_error_message(st_err e)
{
    const st_error_info *info = st_error_find(e);
    return (info != NULL) ? info->message : "unknown error";
}

/* Record the first failure of a parse at header offset `at`. */
st_err st_fail(st_cursor *c, st_err e, uint32_t at)
{
    c->err_pos = at;
    return e;
}
