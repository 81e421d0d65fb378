/*
 * test_valid.c -- validation of the layout: ST-VALID-1 .. ST-VALID-7.
 * Validation errors name the tensor; the offset is its data_offsets value
 * for ST-VALID-1 (that is what is wrong) and lies inside its entry for the
 * size checks.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_internal.h" /* st_mul_u64 */

/* A failure of tensor `nm` at its data_offsets value ("[" of `offs`). */
static ut_fail at_offsets(const char *hdr, const char *offs, const char *nm)
{
    uint64_t at = UT_AT(hdr, offs);
    return (ut_fail){ST_E_INVALID_OFFSET, at, at, nm, (uint32_t)strlen(nm), ST_OK};
}

/* A size failure of tensor `nm`, anywhere inside its entry "nm":{...}. */
static ut_fail in_entry(st_err code, const char *hdr, const char *nm)
{
    char key[64];
    uint64_t lo;
    uint64_t hi;
    (void)snprintf(key, sizeof key, "\"%s\":{", nm);
    lo = UT_AT(hdr, key);
    hi = lo + (uint64_t)strcspn(&hdr[lo - 8u], "}");
    return (ut_fail){code, lo, hi, nm, (uint32_t)strlen(nm), ST_OK};
}

/* The same as pointers, for the expectation functions. */
#define AT_OFFSETS(hdr, offs, nm) ((ut_fail[]){at_offsets((hdr), (offs), (nm))})
#define IN_ENTRY(code, hdr, nm) ((ut_fail[]){in_entry((code), (hdr), (nm))})

/* ------------------------------------------------------------ ST-VALID-1 */

/* ST-VALID-1: a hole between two tensors */
Test(st_valid_1, hole_between_tensors)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[0,1]") "," UT_E("b", "U8", "[1]", "[2,3]") "}";
    UT_KIND(ST_E_INVALID_OFFSET, "InvalidOffset");
    ut_hdr_reject_both(hdr, 3u, AT_OFFSETS(hdr, "[2,3]", "b"));
}

/* ST-VALID-1: two tensors overlap */
Test(st_valid_1, overlap)
{
    const char *hdr = "{" UT_E("a", "U8", "[2]", "[0,2]") "," UT_E("b", "U8", "[2]", "[1,3]") "}";
    ut_hdr_reject_both(hdr, 3u, AT_OFFSETS(hdr, "[1,3]", "b"));
}

/* ST-VALID-1: end before begin */
Test(st_valid_1, end_before_begin)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[0,1]") "," UT_E("b", "U8", "[0]", "[1,0]") "}";
    ut_hdr_reject_both(hdr, 1u, AT_OFFSETS(hdr, "[1,0]", "b"));
}

/* ST-VALID-1: the first tensor must start at 0 */
Test(st_valid_1, first_not_at_zero)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[1,2]") "}";
    ut_hdr_reject_both(hdr, 2u, AT_OFFSETS(hdr, "[1,2]", "a"));
}

/* ST-VALID-1: a zero-size tensor must also sit at the running end */
Test(st_valid_1, zero_size_tensor_away_from_running_end)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[0,1]") "," UT_E("z", "U8", "[0]", "[5,5]") "}";
    ut_hdr_reject_both(hdr, 1u, AT_OFFSETS(hdr, "[5,5]", "z"));
}

/* ST-VALID-1: zero-size tensors may share an offset; order is (begin, end, name) */
Test(st_valid_1, zero_size_tensors_share_offsets)
{
    const char *hdr = "{" UT_E("b", "U8", "[1]", "[0,1]") "," UT_E("z2", "F32", "[0,3]", "[0,0]") ","
                      UT_E("z1", "U8", "[0]", "[0,0]") "," UT_E("m", "BOOL", "[0]", "[1,1]") ","
                      UT_E("c", "I16", "[1]", "[1,3]") "," UT_E("e", "U8", "[]", "[3,4]") "}";
    static const ut_tensor t[] = {
        {UT_S("z1"), ST_U8, 1u, {0u}, 0u, 0u},
        {UT_S("z2"), ST_F32, 2u, {0u, 3u}, 0u, 0u},
        {UT_S("b"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("m"), ST_BOOL, 1u, {0u}, 1u, 1u},
        {UT_S("c"), ST_I16, 1u, {1u}, 1u, 3u},
        {UT_S("e"), ST_U8, 0u, {0u}, 3u, 4u},
    };
    ut_hdr_accept_both(hdr, 4u, &UT_TABLE_T(t));
}

/* ST-VALID-1: header order does not matter, offsets order does */
Test(st_valid_1, header_order_irrelevant)
{
    const char *hdr = "{" UT_E("c", "U8", "[1]", "[2,3]") "," UT_E("a", "U8", "[1]", "[0,1]") ","
                      UT_E("b", "U8", "[1]", "[1,2]") "}";
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("b"), ST_U8, 1u, {1u}, 1u, 2u},
        {UT_S("c"), ST_U8, 1u, {1u}, 2u, 3u},
    };
    ut_hdr_accept_both(hdr, 3u, &UT_TABLE_T(t));
}

/* ------------------------------------------------------------ ST-VALID-2 */

/* ST-VALID-2: the element count overflows, left to right */
Test(st_valid_2, element_count_overflow)
{
    const char *hdrs[] = {
        "{" UT_E("a", "U8", "[9223372036854775808,2,0]", "[0,0]") "}",
        "{" UT_E("a", "U8", "[4294967296,4294967296]", "[0,0]") "}",
        "{" UT_E("a", "U8", "[18446744073709551615,18446744073709551615,0]", "[0,0]") "}",
        "{" UT_E("a", "U8", "[3,6148914691236517206]", "[0,0]") "}",
    };
    size_t i;
    UT_KIND(ST_E_OVERFLOW, "ValidationOverflow");
    for (i = 0u; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        ut_hdr_reject_both(hdrs[i], 0u, IN_ENTRY(ST_E_OVERFLOW, hdrs[i], "a"));
    }
}

/* ST-VALID-2: a zero met before the overflow keeps the count at zero */
Test(st_valid_2, zero_before_overflow)
{
    const char *hdr = "{" UT_E("a", "U8", "[9223372036854775808,0,2]", "[0,0]") ","
                      UT_E("b", "U8", "[0,18446744073709551615,18446744073709551615]", "[0,0]") ","
                      UT_E("c", "U64", "[3,6148914691236517205,0]", "[0,0]") "}";
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 3u, {9223372036854775808u, 0u, 2u}, 0u, 0u},
        {UT_S("b"), ST_U8, 3u, {0u, UINT64_MAX, UINT64_MAX}, 0u, 0u},
        {UT_S("c"), ST_U64, 3u, {3u, 6148914691236517205u, 0u}, 0u, 0u},
    };
    ut_hdr_accept_both(hdr, 0u, &UT_TABLE_T(t));
}

/* ST-VALID-2, -3: the checked product the validator uses (st_mul_u64, on
   32-bit halves) agrees with a product checked by division, on every pair
   of values around the halves' boundaries: both high halves zero, both
   non-zero, a cross term of 2^32 or more, and a cross term that fits with
   a sum that does not. */
Test(st_valid_2, checked_product_on_halves)
{
    static const uint64_t v[] = {
        0u, 1u, 2u, 3u, 255u, 2147483648u, 3037000499u, 3037000500u,
        4294967295u, 4294967296u, 4294967297u, 8589934591u, 8589934592u,
        6148914691236517205u, 6148914691236517206u, 9223372036854775807u,
        9223372036854775808u, 18446744069414584320u, 18446744073709551614u,
        18446744073709551615u,
    };
    size_t i;
    size_t j;
    unsigned fits = 0u;
    unsigned over = 0u;
    for (i = 0u; i < sizeof v / sizeof v[0]; i++) {
        for (j = 0u; j < sizeof v / sizeof v[0]; j++) {
            const uint64_t a = v[i];
            const uint64_t b = v[j];
            const bool expect = (a == 0u) || (b <= (UINT64_MAX / a));
            const st_prod p = st_mul_u64(a, b);
            cr_assert_eq(p.fits, expect, "fits of %llu * %llu",
                      (unsigned long long)a, (unsigned long long)b);
            if (expect) {
                cr_assert_eq(p.value, a * b, "value of %llu * %llu",
                          (unsigned long long)a, (unsigned long long)b);
                fits++;
            } else {
                over++;
            }
        }
    }
    /* both outcomes occur, so the grid exercises every path */
    cr_assert_gt(fits, 100u);
    cr_assert_gt(over, 100u);
}

/* ------------------------------------------------------------ ST-VALID-3 */

/* ST-VALID-3: the bit count overflows */
Test(st_valid_3, bit_count_overflow)
{
    const char *hdrs[] = {
        "{" UT_E("a", "U64", "[288230376151711744]", "[0,0]") "}",       /* 2^58 x 64 */
        "{" UT_E("a", "U8", "[2305843009213693952]", "[0,0]") "}",       /* 2^61 x 8 */
        "{" UT_E("a", "F4", "[4611686018427387904]", "[0,0]") "}",       /* 2^62 x 4 */
        "{" UT_E("a", "F6_E3M2", "[3074457345618258603]", "[0,0]") "}",  /* > 2^64/6 */
        "{" UT_E("a", "I16", "[18446744073709551615]", "[0,0]") "}",
    };
    size_t i;
    for (i = 0u; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        ut_hdr_reject_both(hdrs[i], 0u, IN_ENTRY(ST_E_OVERFLOW, hdrs[i], "a"));
    }
}

/* ST-VALID-3: just below the overflow the tensor is checked normally */
Test(st_valid_3, largest_bit_counts_do_not_overflow)
{
    const char *mismatch = "{" UT_E("a", "U8", "[2305843009213693951]", "[0,1]") "}";
    const char *f6 = "{" UT_E("a", "F6_E3M2", "[3074457345618258602]", "[0,1]") "}";
    const char *fits = "{" UT_E("a", "U64", "[288230376151711743]", "[0,2305843009213693944]") "}";
    uint64_t len;
    uint8_t *buf;
    ut_hdr_reject_both(mismatch, 1u, IN_ENTRY(ST_E_SIZE_MISMATCH, mismatch, "a"));
    /* 3074457345618258602 x 6 = 2^64 - 4 bits: no overflow, but not whole bytes */
    ut_hdr_reject_both(f6, 1u, IN_ENTRY(ST_E_MISALIGNED, f6, "a"));
    /* a valid tensor whose bytes are not in the file: the end check fails */
    buf = ut_buildz(fits, 0u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_INCOMPLETE, len));
    free(buf);
}

/* ------------------------------------------------------------ ST-VALID-4 */

/* ST-VALID-4: sub-byte dtypes must fill whole bytes */
Test(st_valid_4, misaligned_sub_byte_tensors)
{
    static const struct {
        const char *dtype;
        const char *shape;
        const char *offs;
    } cases[] = {
        {"F4", "[1]", "[0,1]"},      {"F4", "[]", "[0,1]"},       {"F4", "[3]", "[0,2]"},
        {"F4", "[1,1]", "[0,0]"},    {"F6_E2M3", "[1]", "[0,1]"}, {"F6_E2M3", "[2]", "[0,2]"},
        {"F6_E3M2", "[3]", "[0,2]"}, {"F6_E3M2", "[]", "[0,1]"},  {"F6_E2M3", "[5]", "[0,4]"},
    };
    size_t i;
    UT_KIND(ST_E_MISALIGNED, "MisalignedSlice");
    for (i = 0u; i < sizeof cases / sizeof cases[0]; i++) {
        char hdr[160];
        (void)snprintf(hdr, sizeof hdr, "{\"a\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":%s}}",
                       cases[i].dtype, cases[i].shape, cases[i].offs);
        cr_log_info("%s", hdr);
        ut_hdr_reject_both(hdr, 2u, IN_ENTRY(ST_E_MISALIGNED, hdr, "a"));
    }
}

/* ST-VALID-4: whole bytes are fine */
Test(st_valid_4, aligned_sub_byte_tensors)
{
    const char *hdr = "{" UT_E("a", "F4", "[2]", "[0,1]") "," UT_E("b", "F6_E2M3", "[4]", "[1,4]") ","
                      UT_E("c", "F4", "[0]", "[4,4]") "," UT_E("d", "F6_E3M2", "[2,2,2]", "[4,10]") ","
                      UT_E("e", "F4", "[3,2]", "[10,13]") "}";
    static const ut_tensor t[] = {
        {UT_S("a"), ST_F4, 1u, {2u}, 0u, 1u},
        {UT_S("b"), ST_F6_E2M3, 1u, {4u}, 1u, 4u},
        {UT_S("c"), ST_F4, 1u, {0u}, 4u, 4u},
        {UT_S("d"), ST_F6_E3M2, 3u, {2u, 2u, 2u}, 4u, 10u},
        {UT_S("e"), ST_F4, 2u, {3u, 2u}, 10u, 13u},
    };
    ut_hdr_accept_both(hdr, 13u, &UT_TABLE_T(t));
}

/* ------------------------------------------------------------ ST-VALID-5 */

/* ST-VALID-5: the byte range must equal shape x dtype */
Test(st_valid_5, size_mismatch)
{
    static const struct {
        const char *dtype;
        const char *shape;
        const char *offs;
        uint64_t data;
    } cases[] = {
        {"U8", "[2]", "[0,1]", 1u},   {"F32", "[1]", "[0,2]", 2u}, {"U8", "[1]", "[0,2]", 2u},
        {"F4", "[2]", "[0,2]", 2u},   {"F64", "[]", "[0,4]", 4u},  {"U8", "[0]", "[0,1]", 1u},
        {"C64", "[1]", "[0,16]", 16u}, {"BF16", "[2,2]", "[0,4]", 4u},
    };
    size_t i;
    UT_KIND(ST_E_SIZE_MISMATCH, "TensorInvalidInfo");
    for (i = 0u; i < sizeof cases / sizeof cases[0]; i++) {
        char hdr[160];
        (void)snprintf(hdr, sizeof hdr, "{\"a\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":%s}}",
                       cases[i].dtype, cases[i].shape, cases[i].offs);
        cr_log_info("%s", hdr);
        ut_hdr_reject_both(hdr, cases[i].data, IN_ENTRY(ST_E_SIZE_MISMATCH, hdr, "a"));
    }
}

/* ------------------------------------------------------------ ST-VALID-6 */

/* ST-VALID-6: bytes after the last tensor */
Test(st_valid_6, trailing_bytes)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[0,1]") "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 3u, &len);
    UT_KIND(ST_E_INCOMPLETE, "MetadataIncompleteBuffer");
    /* the stray bytes start right after a's byte */
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_INCOMPLETE, 8u + strlen(hdr) + 1u));
    free(buf);
}

/* ST-VALID-6: the data section is shorter than the tensors say */
Test(st_valid_6, short_data)
{
    const char *hdr = "{" UT_E("a", "U8", "[4]", "[0,4]") "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 2u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_INCOMPLETE, len));
    free(buf);
}

/* ST-VALID-6: also without tensors */
Test(st_valid_6, no_tensors_with_data)
{
    const char *hdrs[] = {"{}", "{\"__metadata__\":{\"k\":\"v\"}}", "{}      "};
    size_t i;
    for (i = 0u; i < 3u; i++) {
        uint64_t len;
        uint8_t *buf = ut_buildz(hdrs[i], 1u, &len);
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_INCOMPLETE, 8u + strlen(hdrs[i])));
        free(buf);
    }
}

/* ST-VALID-6: the final addition (running end + 8 + N) is checked */
Test(st_valid_6, end_plus_header_overflows)
{
    /* eight valid tensors of 2^61-1 bytes each: running end 2^64 - 8 */
    ut_text h = {NULL, 0u, 0u};
    const uint64_t sz = ((uint64_t)1u << 61) - 1u;
    uint64_t len;
    uint8_t *buf;
    unsigned i;
    ut_text_add(&h, "{");
    for (i = 0u; i < 8u; i++) {
        ut_text_add(&h, "%s\"t%u\":{\"dtype\":\"U8\",\"shape\":[%llu],\"data_offsets\":[%llu,%llu]}",
                    (i == 0u) ? "" : ",", i, (unsigned long long)sz,
                    (unsigned long long)(sz * i), (unsigned long long)(sz * (i + 1u)));
    }
    ut_text_add(&h, "}");
    buf = ut_build(h.p, h.n, 0u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_INCOMPLETE, len));
    free(buf);
    ut_text_free(&h);
}

/* ------------------------------------------------------------ ST-VALID-7 */

/* ST-VALID-7: the first failing tensor in offset order decides */
Test(st_valid_7, first_in_offset_order_decides)
{
    /* b (listed first) leaves a hole; a (listed second, offsets first) is too short */
    const char *hdr = "{" UT_E("b", "U8", "[1]", "[5,6]") "," UT_E("a", "U8", "[1]", "[0,2]") "}";
    ut_hdr_reject_both(hdr, 6u, IN_ENTRY(ST_E_SIZE_MISMATCH, hdr, "a"));
}

/* ST-VALID-7: within a tensor, ST-VALID-1 .. -5 in that order */
Test(st_valid_7, order_within_a_tensor)
{
    /* wrong begin and wrong size: the offset error */
    const char *off_size = "{" UT_E("a", "U8", "[5]", "[1,2]") "}";
    /* element overflow and a sub-byte width: the overflow */
    const char *ovf_mis = "{" UT_E("a", "F4", "[9223372036854775808,3]", "[0,1]") "}";
    /* misaligned and wrong size: misaligned */
    const char *mis_size = "{" UT_E("a", "F4", "[1]", "[0,5]") "}";
    /* bit overflow and wrong size: the overflow */
    const char *bits_size = "{" UT_E("a", "U64", "[288230376151711744]", "[0,5]") "}";
    ut_hdr_reject_both(off_size, 2u, AT_OFFSETS(off_size, "[1,2]", "a"));
    ut_hdr_reject_both(ovf_mis, 1u, IN_ENTRY(ST_E_OVERFLOW, ovf_mis, "a"));
    ut_hdr_reject_both(mis_size, 5u, IN_ENTRY(ST_E_MISALIGNED, mis_size, "a"));
    ut_hdr_reject_both(bits_size, 5u, IN_ENTRY(ST_E_OVERFLOW, bits_size, "a"));
}

/* ST-VALID-7: a later tensor's error does not mask an earlier one's */
Test(st_valid_7, earlier_tensor_error_wins)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[0,1]") "," UT_E("b", "F4", "[1]", "[1,2]") ","
                      UT_E("c", "U8", "[1]", "[9,10]") "}";
    ut_hdr_reject_both(hdr, 2u, IN_ENTRY(ST_E_MISALIGNED, hdr, "b"));
}
