/*
 * test_layout.c -- ST-LAYOUT-1 .. ST-LAYOUT-5 and ST-ORDER-1: the 8-byte
 * prefix, the header length limits, the data section, and the order in
 * which the checks report.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONE_U8 "{" UT_E("a", "U8", "[1]", "[0,1]") "}"

/* ST-LAYOUT-1 */
Test(st_layout_1, shorter_than_prefix_is_header_too_small)
{
    /* a prefix that would announce a valid 2-byte header, cut short */
    const uint8_t raw[8] = {2u, 0u, 0u, 0u, 0u, 0u, 0u, 0u};
    uint64_t len;
    UT_KIND(ST_E_FILE_TOO_SMALL, "HeaderTooSmall");
    for (len = 0u; len < 8u; len++) {
        ut_reject_both(raw, len, &UT_FAIL_AT(ST_E_FILE_TOO_SMALL, len));
    }
}

/* ST-LAYOUT-1 */
Test(st_layout_1, minimal_file_is_prefix_and_empty_object)
{
    uint64_t len;
    uint8_t *buf = ut_buildz("{}", 0u, &len);
    ut_result r;
    cr_assert_eq(len, 10u);
    ut_accept_both(buf, len, &UT_TABLE_EMPTY);
    ut_parse(&r, buf, len, ST_MODE_STRICT);
    cr_assert_eq(r.f.header_len, 2u);
    cr_assert_eq(r.f.data_len, 0u);
    cr_assert_eq(r.f.n_entries, 0u);
    cr_assert(!r.f.has_metadata);
    ut_result_free(&r);
    free(buf);
}

/* ST-LAYOUT-1: the prefix is little-endian */
Test(st_layout_1, prefix_is_little_endian)
{
    const char body[] = "{}";
    uint64_t len;
    /* the same value written big-endian announces 2 * 2^56 bytes */
    uint8_t *buf = ut_build_raw((uint64_t)2u << 56, body, 2u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_HEADER_TOO_LARGE, 0u));
    free(buf);
    buf = ut_build_raw(2u, body, 2u, &len);
    ut_accept_both(buf, len, &UT_TABLE_EMPTY);
    free(buf);
}

/* ST-LAYOUT-2 */
Test(st_layout_2, one_past_the_limit_is_header_too_large)
{
    const char body[] = "{}";
    uint64_t len;
    uint8_t *buf = ut_build_raw((uint64_t)ST_HEADER_MAX + 1u, body, 2u, &len);
    UT_KIND(ST_E_HEADER_TOO_LARGE, "HeaderTooLarge");
    cr_assert_eq(ST_HEADER_MAX, 100000000u);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_HEADER_TOO_LARGE, 0u));
    free(buf);
}

/* ST-LAYOUT-2: values that truncate to a small length must still be refused */
Test(st_layout_2, huge_lengths_are_not_truncated)
{
    const char body[] = "{}";
    const uint64_t ns[] = {UINT64_MAX, (uint64_t)1u << 63, ((uint64_t)1u << 32) + 2u,
                           ((uint64_t)1u << 32), 0xFFFFFFFFu, 100000001u};
    size_t i;
    for (i = 0u; i < sizeof ns / sizeof ns[0]; i++) {
        uint64_t len;
        uint8_t *buf = ut_build_raw(ns[i], body, 2u, &len);
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_HEADER_TOO_LARGE, 0u));
        free(buf);
    }
}

/* ST-LAYOUT-2: exactly 100,000,000 is allowed */
Test(st_layout_2, exactly_the_limit_is_allowed, .timeout = 120)
{
    uint64_t len;
    uint8_t *buf;
    ut_result r;
    size_t n = ST_HEADER_MAX;
    char *hdr = malloc(n);
    cr_assert_not_null(hdr);
    memset(hdr, ' ', n);
    hdr[0] = '{';
    hdr[1] = '}';
    buf = ut_build(hdr, n, 0u, &len);
    free(hdr);
    ut_parse(&r, buf, len, ST_MODE_STRICT);
    ut_check_table_(UT_HERE, &r, &UT_TABLE_EMPTY);
    cr_assert_eq(r.f.header_len, (uint64_t)ST_HEADER_MAX);
    ut_result_free(&r);
    ut_parse(&r, buf, len, ST_MODE_COMPAT);
    ut_check_table_(UT_HERE, &r, &UT_TABLE_EMPTY);
    ut_result_free(&r);
    free(buf);
}

/* ST-LAYOUT-2 before ST-LAYOUT-3: the limit applies without the bytes being there */
Test(st_layout_2, exactly_the_limit_but_short_is_truncated_not_too_large)
{
    const char body[] = "{}";
    uint64_t len;
    uint8_t *buf = ut_build_raw((uint64_t)ST_HEADER_MAX, body, 2u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_HEADER_TRUNCATED, len));
    free(buf);
}

/* ST-LAYOUT-3 */
Test(st_layout_3, file_shorter_than_header_is_invalid_header_length)
{
    const char body[] = ONE_U8 "x";
    size_t hlen = strlen(ONE_U8);
    uint64_t len;
    uint8_t *buf;
    size_t have;
    UT_KIND(ST_E_HEADER_TRUNCATED, "InvalidHeaderLength");
    /* announce hlen + 2 bytes, provide hlen + 1, hlen, ..., 0 */
    for (have = 0u; have <= hlen + 1u; have++) {
        buf = ut_build_raw((uint64_t)hlen + 2u, body, have, &len);
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_HEADER_TRUNCATED, len));
        free(buf);
    }
}

/* ST-LAYOUT-3: exactly 8 + N bytes is long enough */
Test(st_layout_3, exactly_prefix_plus_header_is_enough)
{
    uint64_t len;
    uint8_t *buf = ut_buildz("{}", 0u, &len);
    ut_accept_both(buf, len, &UT_TABLE_EMPTY);
    free(buf);
    buf = ut_build_raw(3u, "{} ", 3u, &len);
    ut_accept_both(buf, len, &UT_TABLE_EMPTY);
    free(buf);
}

/* ST-LAYOUT-4: data_offsets count from the first byte after the header */
Test(st_layout_4, offsets_are_relative_to_the_data_section)
{
    const char *hdrs[] = {
        "{" UT_E("a", "U8", "[2]", "[0,2]") "," UT_E("b", "F32", "[1]", "[2,6]") "}",
        "{" UT_E("a", "U8", "[2]", "[0,2]") "," UT_E("b", "F32", "[1]", "[2,6]") "}   ",
        "{" UT_E("a", "U8", "[2]", "[0,2]") "," UT_E("b", "F32", "[1]", "[2,6]") "}       ",
    };
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 1u, {2u}, 0u, 2u},
        {UT_S("b"), ST_F32, 1u, {1u}, 2u, 6u},
    };
    size_t i;
    for (i = 0u; i < 3u; i++) {
        uint64_t len;
        uint8_t *buf = ut_buildz(hdrs[i], 6u, &len);
        ut_result r;
        uint64_t k;
        ut_accept_both(buf, len, &UT_TABLE_T(t));
        ut_parse(&r, buf, len, ST_MODE_STRICT);
        for (k = 0u; k < 2u; k++) {
            uint64_t size = 0u;
            const st_tensor *x = st_tensor_at(&r.f, (uint32_t)k);
            const uint8_t *d = st_tensor_data(&r.f, x, &size);
            uint64_t j;
            cr_assert_eq(d, buf + 8u + strlen(hdrs[i]) + x->begin);
            for (j = 0u; j < size; j++) {
                cr_assert_eq(d[j], ut_data_byte(x->begin + j), "byte %llu of %s",
                             (unsigned long long)j, x->name);
            }
        }
        ut_result_free(&r);
        free(buf);
    }
}

/* ST-LAYOUT-4: the data section is everything after the header */
Test(st_layout_4, data_section_length_is_file_minus_header)
{
    uint64_t len;
    uint8_t *buf = ut_buildz("{" UT_E("w", "U64", "[3]", "[0,24]") "}", 24u, &len);
    static const ut_tensor t[] = {{UT_S("w"), ST_U64, 1u, {3u}, 0u, 24u}};
    ut_result r;
    ut_accept_both(buf, len, &UT_TABLE_T(t));
    ut_parse(&r, buf, len, ST_MODE_COMPAT);
    cr_assert_eq(r.f.data_len, 24u);
    cr_assert_eq(r.f.header_len, len - 8u - 24u);
    ut_result_free(&r);
    free(buf);
}

/* ST-LAYOUT-5: N = 0 is an empty header: a JSON error, not a layout one */
Test(st_layout_5, empty_header_is_a_json_error)
{
    uint64_t len;
    uint8_t *buf = ut_build("", 0u, 0u, &len);
    UT_KIND(ST_E_JSON_SYNTAX, "InvalidHeaderDeserialization");
    cr_assert_eq(len, 8u);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_JSON_SYNTAX, 8u));
    free(buf);
    /* with data after it: still the JSON error, before any data check */
    buf = ut_build("", 0u, 4u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_JSON_SYNTAX, 8u));
    free(buf);
}

/* ST-LAYOUT-5: N need not be a multiple of 8 */
Test(st_layout_5, header_length_need_not_be_a_multiple_of_8)
{
    static const ut_tensor t[] = {{UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u}};
    const char *pads[] = {"", " ", "  ", "   ", "    ", "     ", "      ", "       "};
    size_t i;
    for (i = 0u; i < 8u; i++) {
        char hdr[128];
        uint64_t len;
        uint8_t *buf;
        (void)snprintf(hdr, sizeof hdr, "%s%s", ONE_U8, pads[i]);
        buf = ut_buildz(hdr, 1u, &len);
        ut_accept_both(buf, len, &UT_TABLE_T(t));
        free(buf);
    }
}

/* ST-LAYOUT-5: a one-byte header is a truncated object */
Test(st_layout_5, one_byte_header)
{
    uint64_t len;
    uint8_t *buf;
    ut_hdr_reject_both("{", 0u, &UT_FAIL_AT(ST_E_JSON_SYNTAX, 9u));
    ut_hdr_reject_both("}", 0u, &UT_FAIL_AT(ST_E_JSON_SYNTAX, 8u));
    /* a lone space: strict refuses the leading space first (ST-STRICT-1) */
    buf = ut_buildz(" ", 0u, &len);
    ut_reject_modes(buf, len, &UT_FAIL_AT(ST_E_STRICT_LEADING_SPACE, 8u),
                    &UT_FAIL_AT(ST_E_JSON_SYNTAX, 9u));
    free(buf);
}

/* ST-ORDER-1: LAYOUT-1 comes first */
Test(st_order_1, too_small_before_anything)
{
    /* 7 bytes whose beginning would announce a huge header */
    const uint8_t raw[7] = {0xFFu, 0xFFu, 0xFFu, 0xFFu, 0xFFu, 0xFFu, 0xFFu};
    ut_reject_both(raw, 7u, &UT_FAIL_AT(ST_E_FILE_TOO_SMALL, 7u));
}

/* ST-ORDER-1: LAYOUT-2 before LAYOUT-3 */
Test(st_order_1, too_large_before_truncated)
{
    uint64_t len;
    uint8_t *buf = ut_build_raw((uint64_t)ST_HEADER_MAX + 1u, "{", 1u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_HEADER_TOO_LARGE, 0u));
    free(buf);
}

/* ST-ORDER-1: LAYOUT-3 before UTF8-1 */
Test(st_order_1, truncated_before_utf8)
{
    uint64_t len;
    uint8_t *buf = ut_build_raw(10u, "\xff{}", 3u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_HEADER_TRUNCATED, len));
    free(buf);
}

/* ST-ORDER-1: UTF8-1 before any JSON error, even an earlier one */
Test(st_order_1, utf8_before_json)
{
    const char hdr[] = "x\xff{}";
    uint64_t len;
    uint8_t *buf = ut_build(hdr, sizeof hdr - 1u, 0u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_UTF8, ut_at(hdr, sizeof hdr - 1u, "\xff", 1u, 0u)));
    free(buf);
}

/* ST-ORDER-1: UTF8-1 before the strict refusals (here ST-STRICT-1) */
Test(st_order_1, utf8_before_strict_leading_space)
{
    const char hdr[] = " {\"\xc0\x80\":1}";
    uint64_t len;
    uint8_t *buf = ut_build(hdr, sizeof hdr - 1u, 0u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_UTF8, ut_at(hdr, sizeof hdr - 1u, "\xc0", 1u, 0u)));
    free(buf);
}

/* ST-ORDER-1: JSON before validation */
Test(st_order_1, json_before_validation)
{
    /* tensor a has a hole before it and the object has a trailing comma */
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[5,6]") ",}";
    ut_hdr_reject_both(hdr, 1u, &UT_FAIL_AT(ST_E_JSON_SYNTAX, UT_AT(hdr, ",}") + 1u));
}

/* ST-ORDER-1: schema before validation, even for a later entry */
Test(st_order_1, schema_before_validation)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[5,6]") ","
                      "\"b\":{\"shape\":[1],\"data_offsets\":[0,1]}}";
    ut_hdr_reject_both(hdr, 1u,
                       &UT_FAIL_TIN(ST_E_SCHEMA_MISSING, UT_AT(hdr, "\"b\""),
                                    8u + strlen(hdr), "b"));
}

/* ST-ORDER-1: tensor validation before the end-of-file check */
Test(st_order_1, tensor_checks_before_incomplete)
{
    /* a is one byte short of its shape, and there are 3 stray bytes */
    const char *hdr = "{" UT_E("a", "U8", "[2]", "[0,1]") "}";
    ut_hdr_reject_both(hdr, 4u,
                       &UT_FAIL_T(ST_E_SIZE_MISMATCH, UT_AT(hdr, "[0,1]"), "a"));
}

/* ST-ORDER-1: strict refusals come before validation */
Test(st_order_1, strict_duplicate_before_validation)
{
    /* identical duplicates, and a stray byte after the data */
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[0,1]") "," UT_E("a", "U8", "[1]", "[0,1]") "}";
    static const ut_tensor t[] = {{UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 2u, &len);
    ut_reject_modes(buf, len, &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT_K(hdr, "\"a\"", 1u), "a"),
                    &UT_FAIL_AT(ST_E_INCOMPLETE, len - 1u));
    free(buf);
    buf = ut_buildz(hdr, 1u, &len);
    ut_accept_compat(buf, len,
                     &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT_K(hdr, "\"a\"", 1u), "a"),
                     &UT_TABLE_T(t));
    free(buf);
}

/* ST-ORDER-1: the first failure in the header wins among header errors */
Test(st_order_1, first_header_error_in_document_order)
{
    /* a bad dtype in entry a, then a bad shape in entry b */
    const char *hdr = "{" UT_E("a", "u8", "[1]", "[0,1]") "," UT_E("b", "U8", "[-1]", "[1,2]") "}";
    ut_hdr_reject_both(hdr, 2u, &UT_FAIL_T(ST_E_SCHEMA_DTYPE, UT_AT(hdr, "\"u8\""), "a"));
}
