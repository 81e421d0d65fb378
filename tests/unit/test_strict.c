/*
 * test_strict.c -- the strict-only refusals ST-STRICT-1 .. ST-STRICT-8
 * (each: strict refuses with its own code, which has no reference kind;
 * compat accepts exactly as the reference does), and the invariant that
 * strict acceptance implies compat acceptance with the same table.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ut_tensor one_a[] = {{UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u}};
#define ONE_A UT_E("a", "U8", "[1]", "[0,1]")

/* ST-STRICT-1: the header begins with '{' */
Test(st_strict_1, leading_whitespace)
{
    const char *pre[] = {" ", "\t", "\n", "\r", "\r\n", "        "};
    size_t i;
    UT_KIND(ST_E_STRICT_LEADING_SPACE, NULL);
    cr_assert_str_eq(st_error_rule(ST_E_STRICT_LEADING_SPACE), "ST-STRICT-1");
    for (i = 0u; i < sizeof pre / sizeof pre[0]; i++) {
        char hdr[128];
        uint64_t len;
        uint8_t *buf;
        (void)snprintf(hdr, sizeof hdr, "%s{" ONE_A "}", pre[i]);
        buf = ut_buildz(hdr, 1u, &len);
        ut_accept_compat(buf, len, &UT_FAIL_AT(ST_E_STRICT_LEADING_SPACE, 8u), &UT_TABLE_T(one_a));
        free(buf);
    }
}

/* ST-STRICT-1: the refusal comes first, before a later JSON error */
Test(st_strict_1, leading_whitespace_before_json_error)
{
    const char *hdr = " {\"a\":}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 0u, &len);
    ut_reject_modes(buf, len, &UT_FAIL_AT(ST_E_STRICT_LEADING_SPACE, 8u),
                    &UT_FAIL_ANY(ST_E_JSON_SYNTAX, UT_AT(hdr, "}"), UT_AT(hdr, "}")));
    free(buf);
}

/* ST-STRICT-2: padding after the object is 0x20 only */
Test(st_strict_2, padding_other_than_space)
{
    const char *post[] = {"\t", "\n", "\r", "   \t", "\r\n", "       \n"};
    size_t i;
    UT_KIND(ST_E_STRICT_PADDING, NULL);
    cr_assert_str_eq(st_error_rule(ST_E_STRICT_PADDING), "ST-STRICT-2");
    for (i = 0u; i < sizeof post / sizeof post[0]; i++) {
        char hdr[128];
        uint64_t len;
        uint8_t *buf;
        size_t n = (size_t)snprintf(hdr, sizeof hdr, "{" ONE_A "}%s", post[i]);
        uint64_t at = 8u + (n - strlen(post[i])) + strspn(post[i], " ");
        buf = ut_buildz(hdr, 1u, &len);
        ut_accept_compat(buf, len, &UT_FAIL_AT(ST_E_STRICT_PADDING, at), &UT_TABLE_T(one_a));
        free(buf);
    }
    /* spaces only: both accept */
    ut_hdr_accept_both("{" ONE_A "}   ", 1u, &UT_TABLE_T(one_a));
}

/* ST-STRICT-2: a padding refusal before a later trailing byte */
Test(st_strict_2, padding_before_trailing_garbage)
{
    const char hdr[] = "{}\t\x00";
    uint64_t len;
    uint8_t *buf = ut_build(hdr, sizeof hdr - 1u, 0u, &len);
    ut_reject_modes(buf, len, &UT_FAIL_AT(ST_E_STRICT_PADDING, 10u),
                    &UT_FAIL_AT(ST_E_JSON_TRAILING, 11u));
    free(buf);
}

/* ST-STRICT-3: duplicate tensor names */
Test(st_strict_3, duplicate_tensor_names)
{
    const char *hdr = "{" ONE_A "," UT_E("b", "U8", "[1]", "[1,2]") ",\"__metadata__\":{},"
                      UT_E("c", "U8", "[1]", "[2,3]") "," UT_E("b", "U8", "[1]", "[1,2]") "}";
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("b"), ST_U8, 1u, {1u}, 1u, 2u},
        {UT_S("c"), ST_U8, 1u, {1u}, 2u, 3u},
    };
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 3u, &len);
    UT_KIND(ST_E_STRICT_DUP_TENSOR, NULL);
    cr_assert_str_eq(st_error_rule(ST_E_STRICT_DUP_TENSOR), "ST-STRICT-3");
    ut_accept_compat(buf, len, &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT_K(hdr, "\"b\"", 1u), "b"),
                     &((ut_table){t, 3u, NULL, 0u, true}));
    free(buf);
}

/* ST-STRICT-3: names that share a prefix or differ after a NUL are distinct */
Test(st_strict_3, near_names_are_distinct)
{
    const char *hdr = "{" ONE_A ",\"a\\u0000\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]},"
                      "\"ab\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]},"
                      "\"A\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[3,4]}}";
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("a\0"), ST_U8, 1u, {1u}, 1u, 2u},
        {UT_S("ab"), ST_U8, 1u, {1u}, 2u, 3u},
        {UT_S("A"), ST_U8, 1u, {1u}, 3u, 4u},
    };
    ut_hdr_accept_both(hdr, 4u, &UT_TABLE_T(t));
}

/* ST-STRICT-4: duplicate metadata keys */
Test(st_strict_4, duplicate_metadata_keys)
{
    const char *hdr = "{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}}";
    static const ut_meta m[] = {{UT_S("a"), UT_S("3")}, {UT_S("b"), UT_S("2")}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 0u, &len);
    UT_KIND(ST_E_STRICT_DUP_META_KEY, NULL);
    cr_assert_str_eq(st_error_rule(ST_E_STRICT_DUP_META_KEY), "ST-STRICT-4");
    ut_accept_compat(buf, len,
                     &UT_FAIL_ANY(ST_E_STRICT_DUP_META_KEY, UT_AT_K(hdr, "\"a\"", 1u),
                                  UT_AT_K(hdr, "\"a\"", 1u)),
                     &((ut_table){NULL, 0u, m, 2u, true}));
    free(buf);
}

/* ST-STRICT-5: unknown fields, the first one reported */
Test(st_strict_5, unknown_fields)
{
    const char *hdrs[] = {
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"x\":1}}",
        "{\"a\":{\"y\":{},\"dtype\":\"U8\",\"x\":1,\"shape\":[1],\"data_offsets\":[0,1]}}",
        "{\"a\":{\"dtype\":\"U8\",\"DTYPE\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
    };
    const char *first[] = {"\"x\"", "\"y\"", "\"DTYPE\""};
    size_t i;
    UT_KIND(ST_E_STRICT_UNKNOWN_FIELD, NULL);
    cr_assert_str_eq(st_error_rule(ST_E_STRICT_UNKNOWN_FIELD), "ST-STRICT-5");
    for (i = 0u; i < 3u; i++) {
        uint64_t len;
        uint8_t *buf = ut_buildz(hdrs[i], 1u, &len);
        ut_accept_compat(buf, len,
                         &UT_FAIL_T(ST_E_STRICT_UNKNOWN_FIELD, UT_AT(hdrs[i], first[i]), "a"),
                         &UT_TABLE_T(one_a));
        free(buf);
    }
}

/* ST-STRICT-6: array-form entries */
Test(st_strict_6, array_entries)
{
    const char *hdr = "{" UT_E("a", "U8", "[1]", "[0,1]") ",\"b\":[\"U16\",[2],[1,5]]}";
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("b"), ST_U16, 1u, {2u}, 1u, 5u},
    };
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 5u, &len);
    UT_KIND(ST_E_STRICT_ARRAY_ENTRY, NULL);
    cr_assert_str_eq(st_error_rule(ST_E_STRICT_ARRAY_ENTRY), "ST-STRICT-6");
    ut_accept_compat(buf, len, &UT_FAIL_T(ST_E_STRICT_ARRAY_ENTRY, UT_AT(hdr, "[\"U16\""), "b"),
                     &UT_TABLE_T(t));
    free(buf);
}

/* ST-STRICT-7: object-form dtypes */
Test(st_strict_7, object_dtypes)
{
    const char *hdr = "{\"a\":{\"shape\":[2],\"dtype\":{\"I8\":null},\"data_offsets\":[0,2]}}";
    static const ut_tensor t[] = {{UT_S("a"), ST_I8, 1u, {2u}, 0u, 2u}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 2u, &len);
    UT_KIND(ST_E_STRICT_DTYPE_OBJECT, NULL);
    cr_assert_str_eq(st_error_rule(ST_E_STRICT_DTYPE_OBJECT), "ST-STRICT-7");
    ut_accept_compat(buf, len, &UT_FAIL_T(ST_E_STRICT_DTYPE_OBJECT, UT_AT(hdr, "{\"I8\""), "a"),
                     &UT_TABLE_T(t));
    free(buf);
}

/* ST-STRICT-8: "__metadata__": null */
Test(st_strict_8, metadata_null)
{
    const char *hdrs[] = {"{\"__metadata__\":null}", "{" ONE_A ",\"__metadata__\" : null }"};
    size_t i;
    UT_KIND(ST_E_STRICT_METADATA_NULL, NULL);
    cr_assert_str_eq(st_error_rule(ST_E_STRICT_METADATA_NULL), "ST-STRICT-8");
    for (i = 0u; i < 2u; i++) {
        uint64_t len;
        uint8_t *buf = ut_buildz(hdrs[i], i, &len);
        ut_table exp = {one_a, (uint32_t)i, NULL, 0u, false};
        ut_accept_compat(buf, len, &UT_FAIL_AT(ST_E_STRICT_METADATA_NULL, UT_AT(hdrs[i], "null")),
                         &exp);
        free(buf);
    }
}

/* ST-STRICT-8: only the literal null is refused as null; a malformed value
   starting with 'n' is a JSON error in both modes. (`nulll` begins with the
   literal null: strict reports the null first, compat the trailing byte.) */
Test(st_strict_8, malformed_null_is_a_json_error)
{
    const char *hdrs[] = {"{\"__metadata__\":nul}", "{\"__metadata__\":nonsense}"};
    size_t i;
    for (i = 0u; i < 2u; i++) {
        uint64_t at = UT_AT(hdrs[i], "n");
        uint64_t end = 8u + strlen(hdrs[i]);
        cr_log_info("%s", hdrs[i]);
        ut_hdr_reject_both(hdrs[i], 0u, &UT_FAIL_IN(ST_E_JSON_SYNTAX, at, end));
    }
}

/* --------------------------------------------------------------------- */

/* A small deterministic corpus of accepted files: the base headers below,
   and byte-level mutations of them. */
#define TWO_A UT_E("a", "U8", "[2]", "[0,2]")
static const char *const bases[] = {
    "{" TWO_A "}",
    "{\"__metadata__\":{\"k\":\"v\"}," ONE_A "," UT_E("b", "F4", "[2]", "[1,2]") "}   ",
    "{\"__metadata__\":{\"k\":\"v\",\"k\":\"w\"}," ONE_A "," UT_E("b", "F4", "[2]", "[1,2]") "}",
    " {\"a\":[\"U8\",[1],[0,1]],\"b\":{\"dtype\":{\"U8\":null},\"shape\":[],\"data_offsets\":[1,2]}}\t",
    "{" TWO_A "," TWO_A ",\"__metadata__\":null}",
    "{\"z\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":[1,{\"y\":2}]}," TWO_A "}",
};

/* strict accepts => compat accepts the same table (ut_parse checks this on
   every strict parse; here on mutated inputs too) */
Test(st_strict_invariant, strict_accept_implies_compat_accept, .timeout = 120)
{
    uint64_t seed = 0x5eedu;
    size_t b;
    unsigned strict_ok = 0u;
    unsigned compat_ok = 0u;
    for (b = 0u; b < sizeof bases / sizeof bases[0]; b++) {
        size_t n = strlen(bases[b]);
        unsigned k;
        for (k = 0u; k < 300u; k++) {
            char hdr[256];
            static const char alphabet[] = " \t{}[]\",:0123456789-.eE\\unlU8F4abkvxz_";
            uint64_t len;
            uint8_t *buf;
            ut_result s;
            ut_result c;
            memcpy(hdr, bases[b], n);
            if (k > 0u) {
                size_t pos = (size_t)(ut_rand(&seed) % n);
                hdr[pos] = alphabet[ut_rand(&seed) % (sizeof alphabet - 1u)];
            }
            buf = ut_build(hdr, n, 2u, &len);
            ut_parse(&s, buf, len, ST_MODE_STRICT);
            ut_parse(&c, buf, len, ST_MODE_COMPAT);
            if (s.rc == ST_OK) {
                cr_assert_eq(c.rc, ST_OK, "strict accepts '%.*s', compat refuses", (int)n, hdr);
                ut_same_table_(UT_HERE, &s, &c);
                strict_ok++;
            }
            compat_ok += (c.rc == ST_OK) ? 1u : 0u;
            ut_result_free(&s);
            ut_result_free(&c);
            free(buf);
        }
    }
    /* the corpus has both strict-accepted and compat-only files */
    cr_assert_gt(strict_ok, 0u);
    cr_assert_gt(compat_ok, strict_ok);
}
