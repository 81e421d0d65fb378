/*
 * test_api.c -- the error taxonomy: stable numbers, names, the reference
 * kind of every code (strict-only codes have none), requirement ids.
 */
#include "unit.h"

#include <string.h>

typedef struct code_row {
    st_err code;
    int number;
    const char *name;
    const char *kind;   /* NULL: strict-only or API */
    const char *rule;   /* prefix of st_error_rule, or NULL: not checked */
} code_row;

#define ROW(c, num, kind, rule) {c, num, #c, kind, rule}
#define IHD "InvalidHeaderDeserialization"

static const code_row rows[] = {
    ROW(ST_E_FILE_TOO_SMALL, 1, "HeaderTooSmall", "ST-LAYOUT-1"),
    ROW(ST_E_HEADER_TOO_LARGE, 2, "HeaderTooLarge", "ST-LAYOUT-2"),
    ROW(ST_E_HEADER_TRUNCATED, 3, "InvalidHeaderLength", "ST-LAYOUT-3"),
    ROW(ST_E_UTF8, 4, "InvalidHeader", "ST-UTF8-1"),
    ROW(ST_E_JSON_SYNTAX, 10, IHD, "ST-JSON-"),
    ROW(ST_E_JSON_STRING, 11, IHD, "ST-JSON-"),
    ROW(ST_E_JSON_NUMBER, 12, IHD, "ST-JSON-"),
    ROW(ST_E_JSON_DEPTH, 13, IHD, "ST-JSON-"),
    ROW(ST_E_JSON_TRAILING, 14, IHD, "ST-JSON-"),
    ROW(ST_E_SCHEMA_TOP, 20, IHD, "ST-SCHEMA-1"),
    ROW(ST_E_SCHEMA_ENTRY, 21, IHD, "ST-SCHEMA-"),
    ROW(ST_E_SCHEMA_MISSING, 22, IHD, "ST-SCHEMA-2"),
    ROW(ST_E_SCHEMA_DUP_FIELD, 23, IHD, "ST-SCHEMA-2"),
    ROW(ST_E_SCHEMA_DTYPE, 24, IHD, "ST-"),
    ROW(ST_E_SCHEMA_INTEGER, 25, IHD, "ST-SCHEMA-"),
    ROW(ST_E_SCHEMA_ARRAY, 26, IHD, "ST-SCHEMA-"),
    ROW(ST_E_SCHEMA_METADATA, 27, IHD, "ST-META-1"),
    ROW(ST_E_SCHEMA_DUP_METADATA, 28, IHD, "ST-META-2"),
    ROW(ST_E_STRICT_LEADING_SPACE, 40, NULL, "ST-STRICT-1"),
    ROW(ST_E_STRICT_PADDING, 41, NULL, "ST-STRICT-2"),
    ROW(ST_E_STRICT_DUP_TENSOR, 42, NULL, "ST-STRICT-3"),
    ROW(ST_E_STRICT_DUP_META_KEY, 43, NULL, "ST-STRICT-4"),
    ROW(ST_E_STRICT_UNKNOWN_FIELD, 44, NULL, "ST-STRICT-5"),
    ROW(ST_E_STRICT_ARRAY_ENTRY, 45, NULL, "ST-STRICT-6"),
    ROW(ST_E_STRICT_DTYPE_OBJECT, 46, NULL, "ST-STRICT-7"),
    ROW(ST_E_STRICT_METADATA_NULL, 47, NULL, "ST-STRICT-8"),
    ROW(ST_E_INVALID_OFFSET, 60, "InvalidOffset", "ST-VALID-1"),
    ROW(ST_E_OVERFLOW, 61, "ValidationOverflow", "ST-VALID-"),
    ROW(ST_E_MISALIGNED, 62, "MisalignedSlice", "ST-VALID-4"),
    ROW(ST_E_SIZE_MISMATCH, 63, "TensorInvalidInfo", "ST-VALID-5"),
    ROW(ST_E_INCOMPLETE, 64, "MetadataIncompleteBuffer", "ST-VALID-6"),
    ROW(ST_E_STORAGE, 80, NULL, NULL),
    ROW(ST_E_ARGUMENT, 81, NULL, NULL),
};

/* every code: its stable number, name, reference kind and requirement id */
Test(api, error_taxonomy)
{
    size_t i;
    for (i = 0u; i < sizeof rows / sizeof rows[0]; i++) {
        const code_row *r = &rows[i];
        const char *msg = st_error_message(r->code);
        cr_assert_eq((int)r->code, r->number, "%s renumbered", r->name);
        cr_assert_str_eq(st_error_name(r->code), r->name);
        UT_KIND(r->code, r->kind);
        if (r->rule != NULL) {
            const char *rule = st_error_rule(r->code);
            cr_assert_not_null(rule);
            cr_assert(strncmp(rule, r->rule, strlen(r->rule)) == 0, "%s: rule '%s', expected %s...",
                      r->name, rule, r->rule);
        }
        cr_assert(msg != NULL && msg[0] != '\0' && strchr(msg, '\n') == NULL,
                  "%s: message must be one non-empty line", r->name);
    }
    cr_assert_str_eq(st_error_name(ST_OK), "ST_OK");
    cr_assert_null(st_error_reference_kind(ST_OK));
}

/* the header's constants */
Test(api, constants)
{
    cr_assert_eq(ST_HEADER_MAX, 100000000u);
    cr_assert_eq(ST_DEPTH_MAX, 127u);
    cr_assert_eq(ST_PREFIX_LEN, 8u);
    cr_assert_eq((int)ST_MODE_STRICT, 0);
    cr_assert_eq((int)ST_MODE_COMPAT, 1);
    cr_assert_gt(strlen(ST_VERSION_STRING), 0u);
}
