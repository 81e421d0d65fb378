/*
 * test_meta.c -- __metadata__: ST-META-1 .. ST-META-3.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ut_tensor one_a[] = {{UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u}};
#define ONE_A UT_E("a", "U8", "[1]", "[0,1]")

/* ST-META-1: absent means no metadata */
Test(st_meta_1, absent)
{
    ut_hdr_accept_both("{" ONE_A "}", 1u, &UT_TABLE_T(one_a));
}

/* ST-META-1: an empty object is present metadata without pairs */
Test(st_meta_1, empty_object)
{
    ut_hdr_accept_both("{\"__metadata__\":{}}", 0u, &((ut_table){NULL, 0u, NULL, 0u, true}));
    ut_hdr_accept_both("{\"__metadata__\":{ }," ONE_A "}", 1u,
                       &((ut_table){one_a, 1u, NULL, 0u, true}));
}

/* ST-META-1: string to string, listed in key byte order */
Test(st_meta_1, pairs_in_key_byte_order)
{
    const char *hdr = "{\"__metadata__\":{\"z\":\"1\",\"a\":\"2\",\"m\":\"\",\"\":\"e\","
                      "\"\xc3\xa9\":\"x\",\"a\\u0000\":\"n\",\"Z\":\"u\"}," ONE_A "}";
    static const ut_meta m[] = {
        {UT_S(""), UT_S("e")},  {UT_S("Z"), UT_S("u")}, {UT_S("a"), UT_S("2")},
        {UT_S("a\0"), UT_S("n")}, {UT_S("m"), UT_S("")}, {UT_S("z"), UT_S("1")},
        {UT_S("\xc3\xa9"), UT_S("x")},
    };
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE(one_a, m, true));
}

/* ST-META-1: anywhere among the tensors */
Test(st_meta_1, any_position)
{
    const char *hdrs[] = {
        "{\"__metadata__\":{\"k\":\"v\"}," ONE_A "," UT_E("b", "U8", "[1]", "[1,2]") "}",
        "{" ONE_A ",\"__metadata__\":{\"k\":\"v\"}," UT_E("b", "U8", "[1]", "[1,2]") "}",
        "{" ONE_A "," UT_E("b", "U8", "[1]", "[1,2]") ",\"__metadata__\":{\"k\":\"v\"}}",
    };
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("b"), ST_U8, 1u, {1u}, 1u, 2u},
    };
    static const ut_meta m[] = {{UT_S("k"), UT_S("v")}};
    size_t i;
    for (i = 0u; i < 3u; i++) {
        ut_hdr_accept_both(hdrs[i], 2u, &UT_TABLE(t, m, true));
    }
}

/* ST-META-1 (with ST-STRICT-8): null is no metadata in compat */
Test(st_meta_1, null_in_compat)
{
    const char *hdr = "{\"__metadata__\":null," ONE_A "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    ut_accept_compat(buf, len, &UT_FAIL_AT(ST_E_STRICT_METADATA_NULL, UT_AT(hdr, "null")),
                     &UT_TABLE_T(one_a));
    free(buf);
}

/* ST-META-1: any other value is refused */
Test(st_meta_1, not_an_object_of_strings)
{
    static const struct {
        const char *value;
        const char *at;    /* the offending value inside it */
    } cases[] = {
        {"1", "1"},
        {"\"s\"", "\"s\""},
        {"[]", "[]"},
        {"[[\"k\",\"v\"]]", "[[\"k\""},
        {"true", "true"},
        {"false", "false"},
        {"{\"k\":1}", "1}"},
        {"{\"k\":null}", "null"},
        {"{\"k\":{}}", "{}}"},
        {"{\"k\":[]}", "[]"},
        {"{\"k\":true}", "true"},
        {"{\"k\":\"v\",\"l\":2}", "2}"},
        {"{\"k\":[\"v\"]}", "[\"v\"]"},
    };
    size_t i;
    UT_KIND(ST_E_SCHEMA_METADATA, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof cases / sizeof cases[0]; i++) {
        char hdr[128];
        size_t vat;
        (void)snprintf(hdr, sizeof hdr, "{\"__metadata__\":%s}", cases[i].value);
        vat = strlen("{\"__metadata__\":");
        cr_log_info("metadata %s", cases[i].value);
        ut_hdr_reject_both(hdr, 0u,
                           &UT_FAIL_AT(ST_E_SCHEMA_METADATA,
                                       8u + vat + (uint64_t)(strstr(cases[i].value, cases[i].at) -
                                                             cases[i].value)));
    }
}

/* ST-META-2: __metadata__ given twice */
Test(st_meta_2, given_twice)
{
    const char *hdrs[] = {
        "{\"__metadata__\":{},\"__metadata__\":{}}",
        "{\"__metadata__\":{\"k\":\"v\"},\"__metadata__\":{\"k\":\"v\"}}",
        "{\"__metadata__\":{\"k\":\"v\"}," ONE_A ",\"__metadata__\":{}}",
        "{\"__metadata__\":{},\"__metadata__\":1}",
    };
    size_t i;
    UT_KIND(ST_E_SCHEMA_DUP_METADATA, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        ut_hdr_reject_both(hdrs[i], 1u,
                           &UT_FAIL_AT(ST_E_SCHEMA_DUP_METADATA,
                                       UT_AT_K(hdrs[i], "\"__metadata__\"", 1u)));
    }
}

/* ST-META-2: twice, one of them null */
Test(st_meta_2, given_twice_with_null)
{
    const char *first_null = "{\"__metadata__\":null,\"__metadata__\":{}}";
    const char *second_null = "{\"__metadata__\":{\"k\":\"v\"},\"__metadata__\":null}";
    uint64_t len;
    uint8_t *buf = ut_buildz(first_null, 0u, &len);
    /* strict refuses the null before it meets the second key */
    ut_reject_modes(buf, len, &UT_FAIL_AT(ST_E_STRICT_METADATA_NULL, UT_AT(first_null, "null")),
                    &UT_FAIL_AT(ST_E_SCHEMA_DUP_METADATA,
                                UT_AT_K(first_null, "\"__metadata__\"", 1u)));
    free(buf);
    /* the repeated key is refused before its value is looked at */
    ut_hdr_reject_both(second_null, 0u,
                       &UT_FAIL_AT(ST_E_SCHEMA_DUP_METADATA,
                                   UT_AT_K(second_null, "\"__metadata__\"", 1u)));
}

/* ST-META-3: a key repeated inside __metadata__: compat last wins, strict refuses */
Test(st_meta_3, repeated_key)
{
    const char *hdr = "{\"__metadata__\":{\"k\":\"1\",\"j\":\"x\",\"k\":\"2\"}," ONE_A "}";
    static const ut_meta m[] = {{UT_S("j"), UT_S("x")}, {UT_S("k"), UT_S("2")}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    ut_result r;
    UT_KIND(ST_E_STRICT_DUP_META_KEY, NULL);
    ut_accept_compat(buf, len,
                     &UT_FAIL_ANY(ST_E_STRICT_DUP_META_KEY, UT_AT_K(hdr, "\"k\"", 1u),
                                  UT_AT_K(hdr, "\"k\"", 1u)),
                     &UT_TABLE(one_a, m, true));
    ut_parse(&r, buf, len, ST_MODE_COMPAT);
    cr_assert_eq(r.f.n_meta_entries, 3u);
    cr_assert_eq(r.f.n_meta, 2u);
    ut_result_free(&r);
    free(buf);
}

/* ST-META-3: three occurrences, identical values, empty key */
Test(st_meta_3, repeated_key_variants)
{
    const char *hdr3 = "{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\",\"k\":\"3\"}}";
    const char *same = "{\"__metadata__\":{\"\":\"v\",\"\":\"v\"}}";
    static const ut_meta m3[] = {{UT_S("k"), UT_S("3")}};
    static const ut_meta ms[] = {{UT_S(""), UT_S("v")}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr3, 0u, &len);
    ut_accept_compat(buf, len,
                     &UT_FAIL_ANY(ST_E_STRICT_DUP_META_KEY, UT_AT_K(hdr3, "\"k\"", 1u),
                                  UT_AT_K(hdr3, "\"k\"", 2u)),
                     &((ut_table){NULL, 0u, m3, 1u, true}));
    free(buf);
    buf = ut_buildz(same, 0u, &len);
    ut_accept_compat(buf, len,
                     &UT_FAIL_ANY(ST_E_STRICT_DUP_META_KEY, UT_AT_K(same, "\"\"", 1u),
                                  UT_AT_K(same, "\"\"", 1u)),
                     &((ut_table){NULL, 0u, ms, 1u, true}));
    free(buf);
}
