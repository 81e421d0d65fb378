/*
 * test_dtype.c -- the dtype table: ST-DTYPE-1 (the 22 dtypes, bit widths,
 * declaration order) and ST-DTYPE-2 (exact, case-sensitive names).
 */
#include "unit.h"
#include "st_internal.h" /* st_dtype_name_len */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reference's declaration order and widths (safetensors 0.8.0). */
static const struct {
    const char *name;
    uint32_t bits;
} table[] = {
    {"BOOL", 8u},         {"F4", 4u},           {"F6_E2M3", 6u}, {"F6_E3M2", 6u},
    {"U8", 8u},           {"I8", 8u},           {"F8_E5M2", 8u}, {"F8_E4M3", 8u},
    {"F8_E8M0", 8u},      {"F8_E4M3FNUZ", 8u},  {"F8_E5M2FNUZ", 8u}, {"I16", 16u},
    {"U16", 16u},         {"F16", 16u},         {"BF16", 16u},   {"I32", 32u},
    {"U32", 32u},         {"F32", 32u},         {"C64", 64u},    {"F64", 64u},
    {"I64", 64u},         {"U64", 64u},
};

/* ST-DTYPE-1 */
Test(st_dtype_1, table_names_bits_order)
{
    uint32_t i;
    cr_assert_eq((uint32_t)ST_DTYPE_COUNT, 22u);
    cr_assert_eq(sizeof table / sizeof table[0], 22u);
    for (i = 0u; i < 22u; i++) {
        st_dtype d = (st_dtype)i;
        st_dtype back = ST_DTYPE_COUNT;
        cr_assert_str_eq(st_dtype_name(d), table[i].name, "dtype %u", i);
        /* the writer emits exactly st_dtype_name_len bytes of the name */
        cr_assert_eq(st_dtype_name_len(d), (uint32_t)strlen(table[i].name), "length of %s",
                     table[i].name);
        cr_assert_eq(st_dtype_bits(d), table[i].bits, "bits of %s", table[i].name);
        cr_assert(st_dtype_parse((const uint8_t *)table[i].name, (uint32_t)strlen(table[i].name),
                                 &back),
                  "st_dtype_parse(%s)", table[i].name);
        cr_assert_eq(back, d, "st_dtype_parse(%s)", table[i].name);
    }
    /* the enum follows the same order */
    cr_assert_eq(ST_BOOL, 0);
    cr_assert_eq(ST_F4, 1);
    cr_assert_eq(ST_U8, 4);
    cr_assert_eq(ST_F8_E5M2FNUZ, 10);
    cr_assert_eq(ST_BF16, 14);
    cr_assert_eq(ST_C64, 18);
    cr_assert_eq(ST_U64, 21);
    /* out of range */
    cr_assert_null(st_dtype_name(ST_DTYPE_COUNT));
    cr_assert_eq(st_dtype_bits(ST_DTYPE_COUNT), 0u);
    cr_assert_null(st_dtype_name((st_dtype)255));
    cr_assert_eq(st_dtype_name_len(ST_DTYPE_COUNT), 0u);
    cr_assert_eq(st_dtype_name_len((st_dtype)255), 0u);
    cr_assert_eq(st_dtype_bits((st_dtype)255), 0u);
}

/* ST-DTYPE-1: every dtype in one file, sized by its width */
Test(st_dtype_1, every_dtype_in_a_file)
{
    ut_text h = {NULL, 0u, 0u};
    ut_tensor t[22];
    uint64_t off = 0u;
    uint32_t i;
    uint64_t len;
    uint8_t *buf;
    char names[22][16];
    ut_text_add(&h, "{");
    for (i = 0u; i < 22u; i++) {
        /* 4-bit: 2 elements; 6-bit: 4 elements; else 3 elements */
        uint64_t n = (table[i].bits == 4u) ? 2u : (table[i].bits == 6u) ? 4u : 3u;
        uint64_t bytes = (n * table[i].bits) / 8u;
        (void)snprintf(names[i], sizeof names[i], "t%02u", i);
        ut_text_add(&h, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[%llu],\"data_offsets\":[%llu,%llu]}",
                    (i == 0u) ? "" : ",", names[i], table[i].name, (unsigned long long)n,
                    (unsigned long long)off, (unsigned long long)(off + bytes));
        t[i] = (ut_tensor){names[i], 3u, (st_dtype)i, 1u, {n}, off, off + bytes};
        off += bytes;
    }
    ut_text_add(&h, "}");
    buf = ut_build(h.p, h.n, off, &len);
    ut_accept_both(buf, len, &((ut_table){t, 22u, NULL, 0u, false}));
    free(buf);
    ut_text_free(&h);
}

/* ST-DTYPE-2: no other spelling names a dtype */
Test(st_dtype_2, unknown_and_miscased_names)
{
    const char *bad[] = {"u8",   "U8 ",    " U8",         "F8_E4M3FN", "int4",  "",
                         "f32",  "Float32", "BOOLEAN",    "bool",      "Bool",  "F8_E4M3fnuz",
                         "Q4_0", "U8\\u0000", "F8_E4M3FNUZ ", "I4",     "U128",  "F8",
                         "BF8",  "C128",   "F6",          "U8U8",      "\\u0075\\u0038",
                         "F8_E5M2FNUZF8_E5M2FNUZ"};
    size_t i;
    UT_KIND(ST_E_SCHEMA_DTYPE, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof bad / sizeof bad[0]; i++) {
        char hdr[160];
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":\"%s\",\"shape\":[1],\"data_offsets\":[0,1]}}", bad[i]);
        cr_log_info("dtype '%s'", bad[i]);
        ut_hdr_reject_both(hdr, 1u,
                           &UT_FAIL_T(ST_E_SCHEMA_DTYPE, UT_AT(hdr, "\"dtype\":") + 8u, "a"));
    }
}

/* ST-DTYPE-2: a dtype must be a string (the object form is ST-SCHEMA-8) */
Test(st_dtype_2, wrong_json_types)
{
    const char *bad[] = {"8", "null", "[\"U8\"]", "true", "-1", "1.5"};
    size_t i;
    for (i = 0u; i < sizeof bad / sizeof bad[0]; i++) {
        char hdr[160];
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":%s,\"shape\":[1],\"data_offsets\":[0,1]}}", bad[i]);
        ut_hdr_reject_both(hdr, 1u,
                           &UT_FAIL_T(ST_E_SCHEMA_DTYPE, UT_AT(hdr, "\"dtype\":") + 8u, "a"));
    }
}

/* ST-DTYPE-2: the name is compared after escape decoding */
Test(st_dtype_2, escaped_names)
{
    const char *hdr = "{\"a\":{\"dtype\":\"F\\u0038_E4M3FNU\\u005a\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    static const ut_tensor t[] = {{UT_S("a"), ST_F8_E4M3FNUZ, 1u, {1u}, 0u, 1u}};
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE_T(t));
}

/* ST-DTYPE-2: st_dtype_parse takes exact lengths and bytes */
Test(st_dtype_2, parse_function)
{
    st_dtype d = ST_DTYPE_COUNT;
    cr_assert(!st_dtype_parse((const uint8_t *)"U8", 1u, &d));
    cr_assert(!st_dtype_parse((const uint8_t *)"U8\0", 3u, &d));
    cr_assert(!st_dtype_parse((const uint8_t *)"u8", 2u, &d));
    cr_assert(!st_dtype_parse((const uint8_t *)"", 0u, &d));
    cr_assert(!st_dtype_parse((const uint8_t *)"F8_E4M3FN", 9u, &d));
    cr_assert(!st_dtype_parse((const uint8_t *)"F8_E4M3FNUZX", 12u, &d));
    cr_assert(st_dtype_parse((const uint8_t *)"F8_E4M3FNUZX", 11u, &d));
    cr_assert_eq(d, ST_F8_E4M3FNUZ);
    cr_assert(st_dtype_parse((const uint8_t *)"F8_E4M3X", 7u, &d));
    cr_assert_eq(d, ST_F8_E4M3);
}
