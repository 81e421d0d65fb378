/*
 * test_schema.c -- the header schema: ST-SCHEMA-1 .. ST-SCHEMA-8.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ut_tensor one_a[] = {{UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u}};
#define ONE_A UT_E("a", "U8", "[1]", "[0,1]")

/* The header {"a":VALUE}: one entry whose value is given as text. */
static void entry_value(char *out, size_t cap, const char *value)
{
    int n = snprintf(out, cap, "{\"a\":%s}", value);
    cr_assert(n > 0 && (size_t)n < cap);
}

/* -------------------------------------------------------------- ST-SCHEMA-1 */

/* ST-SCHEMA-1: the header must be an object */
Test(st_schema_1, top_level_not_an_object)
{
    const char *hdrs[] = {"[]", "1", "\"s\"", "null", "true", "false", "[{\"a\":1}]", "-1", "1.5",
                          "\"{}\""};
    size_t i;
    UT_KIND(ST_E_SCHEMA_TOP, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        ut_hdr_reject_both(hdrs[i], 0u, &UT_FAIL_AT(ST_E_SCHEMA_TOP, 8u));
    }
}

/* ST-SCHEMA-1: a non-object that is also malformed */
Test(st_schema_1, top_level_malformed_non_object)
{
    const char *hdrs[] = {"[1,", "[", "\"abc", "nul", "[1 2]"};
    size_t i;
    for (i = 0u; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        uint64_t end = 8u + strlen(hdrs[i]);
        ut_hdr_reject_both(hdrs[i], 0u,
                           &UT_FAIL_EITHER(ST_E_JSON_SYNTAX, ST_E_SCHEMA_TOP, 8u, end));
    }
}

/* ST-SCHEMA-1: __metadata__ is metadata; every other key is a tensor */
Test(st_schema_1, metadata_key_and_tensor_keys)
{
    const char *hdr = "{\"__metadata__\":{\"format\":\"pt\"}," ONE_A ","
                      UT_E("metadata", "U8", "[1]", "[1,2]") "," UT_E("__metadata", "U8", "[0]", "[2,2]") "}";
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("metadata"), ST_U8, 1u, {1u}, 1u, 2u},
        {UT_S("__metadata"), ST_U8, 1u, {0u}, 2u, 2u},
    };
    static const ut_meta m[] = {{UT_S("format"), UT_S("pt")}};
    ut_hdr_accept_both(hdr, 2u, &UT_TABLE(t, m, true));
}

/* ST-SCHEMA-1: an empty object is a file without tensors */
Test(st_schema_1, empty_object)
{
    ut_hdr_accept_both("{}", 0u, &UT_TABLE_EMPTY);
    ut_hdr_accept_both("{ }", 0u, &UT_TABLE_EMPTY);
}

/* -------------------------------------------------------------- ST-SCHEMA-2 */

/* ST-SCHEMA-2: an entry must be an object */
Test(st_schema_2, entry_not_an_object)
{
    const char *values[] = {"1", "\"x\"", "null", "true", "false", "-1", "1.5", "\"U8\""};
    size_t i;
    UT_KIND(ST_E_SCHEMA_ENTRY, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof values / sizeof values[0]; i++) {
        char hdr[128];
        entry_value(hdr, sizeof hdr, values[i]);
        ut_hdr_reject_both(hdr, 0u, &UT_FAIL_T(ST_E_SCHEMA_ENTRY, 8u + 5u, "a"));
    }
}

/* ST-SCHEMA-2: dtype, shape and data_offsets are all required */
Test(st_schema_2, missing_fields)
{
    const char *values[] = {
        "{}",
        "{\"dtype\":\"U8\"}",
        "{\"shape\":[1]}",
        "{\"data_offsets\":[0,1]}",
        "{\"dtype\":\"U8\",\"shape\":[1]}",
        "{\"dtype\":\"U8\",\"data_offsets\":[0,1]}",
        "{\"shape\":[1],\"data_offsets\":[0,1]}",
    };
    size_t i;
    UT_KIND(ST_E_SCHEMA_MISSING, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof values / sizeof values[0]; i++) {
        char hdr[128];
        uint64_t end;
        entry_value(hdr, sizeof hdr, values[i]);
        end = 8u + strlen(hdr);
        /* detected somewhere in the entry, at the latest right after it */
        ut_hdr_reject_both(hdr, 1u, &UT_FAIL_TIN(ST_E_SCHEMA_MISSING, 8u + 5u, end - 1u, "a"));
    }
}

/* ST-SCHEMA-2: a field given twice is refused at its second key */
Test(st_schema_2, repeated_field)
{
    const char *values[] = {
        "{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}",
        "{\"dtype\":\"U8\",\"dtype\":\"XX\",\"shape\":[1],\"data_offsets\":[0,1]}",
        "{\"dtype\":\"U8\",\"shape\":[1],\"shape\":[1],\"data_offsets\":[0,1]}",
        "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"data_offsets\":[0,1]}",
        "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"shape\":[1]}",
    };
    const char *keys[] = {"\"dtype\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"shape\""};
    size_t i;
    UT_KIND(ST_E_SCHEMA_DUP_FIELD, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof values / sizeof values[0]; i++) {
        char hdr[160];
        entry_value(hdr, sizeof hdr, values[i]);
        ut_hdr_reject_both(hdr, 1u,
                           &UT_FAIL_T(ST_E_SCHEMA_DUP_FIELD, UT_AT_K(hdr, keys[i], 1u), "a"));
    }
}

/* ST-SCHEMA-2: the fields may come in any order */
Test(st_schema_2, any_field_order)
{
    const char *d = "\"dtype\":\"U8\"";
    const char *s = "\"shape\":[1]";
    const char *o = "\"data_offsets\":[0,1]";
    const char *perms[6][3] = {{d, s, o}, {d, o, s}, {s, d, o}, {s, o, d}, {o, d, s}, {o, s, d}};
    size_t i;
    for (i = 0u; i < 6u; i++) {
        char hdr[160];
        (void)snprintf(hdr, sizeof hdr, "{\"a\":{%s,%s,%s}}", perms[i][0], perms[i][1],
                       perms[i][2]);
        ut_hdr_accept_both(hdr, 1u, &UT_TABLE_T(one_a));
    }
}

/* -------------------------------------------------------------- ST-SCHEMA-3 */

/* ST-SCHEMA-3: shapes of plain integers, [] for a scalar, up to 2^64-1 */
Test(st_schema_3, shapes_accepted)
{
    const char *hdr = "{" UT_E("s", "F32", "[]", "[0,4]") "," UT_E("z", "U8", "[0]", "[4,4]") ","
                      UT_E("m", "I16", "[1,2,3]", "[4,16]") ","
                      UT_E("big", "U8", "[18446744073709551615,0]", "[16,16]") ","
                      UT_E("r8", "U8", "[1,1,1,1,1,1,1,2]", "[16,18]") "}";
    static const ut_tensor t[] = {
        {UT_S("s"), ST_F32, 0u, {0u}, 0u, 4u},
        {UT_S("z"), ST_U8, 1u, {0u}, 4u, 4u},
        {UT_S("m"), ST_I16, 3u, {1u, 2u, 3u}, 4u, 16u},
        {UT_S("big"), ST_U8, 2u, {UINT64_MAX, 0u}, 16u, 16u},
        {UT_S("r8"), ST_U8, 8u, {1u, 1u, 1u, 1u, 1u, 1u, 1u, 2u}, 16u, 18u},
    };
    ut_hdr_accept_both(hdr, 18u, &UT_TABLE_T(t));
}

/* ST-SCHEMA-3: a shape of rank 1000 */
Test(st_schema_3, high_rank)
{
    ut_text h = {NULL, 0u, 0u};
    uint64_t len;
    uint8_t *buf;
    ut_result r;
    const st_tensor *t;
    uint32_t d;
    ut_text_add(&h, "{\"a\":{\"dtype\":\"U8\",\"shape\":[2");
    for (d = 1u; d < 1000u; d++) {
        ut_text_add(&h, ",1");
    }
    ut_text_add(&h, "],\"data_offsets\":[0,2]}}");
    buf = ut_build(h.p, h.n, 2u, &len);
    ut_parse(&r, buf, len, ST_MODE_STRICT);
    cr_assert_eq(r.rc, ST_OK);
    t = st_find(&r.f, (const uint8_t *)"a", 1u);
    cr_assert_not_null(t);
    cr_assert_eq(t->rank, 1000u);
    cr_assert_eq(r.need.dims, 1000u);
    for (d = 0u; d < 1000u; d++) {
        cr_assert_eq(st_dim(&r.f, t, d), (d == 0u) ? 2u : 1u);
    }
    cr_assert_eq(st_tensor_nelem(&r.f, t), 2u);
    ut_result_free(&r);
    free(buf);
    ut_text_free(&h);
}

/* ST-SCHEMA-3: anything but a plain integer in 0..2^64-1 is refused */
Test(st_schema_3, non_integers_refused)
{
    const char *dims[] = {"-0", "-1", "1.0", "1e0", "1E2", "18446744073709551616",
                          "99999999999999999999", "\"1\"", "null", "true", "[1]", "{}", "0.5",
                          "-18446744073709551615"};
    size_t i;
    UT_KIND(ST_E_SCHEMA_INTEGER, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof dims / sizeof dims[0]; i++) {
        char hdr[160];
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":\"U8\",\"shape\":[2,%s],\"data_offsets\":[0,1]}}",
                       dims[i]);
        cr_log_info("dim %s", dims[i]);
        ut_hdr_reject_both(hdr, 1u, &UT_FAIL_T(ST_E_SCHEMA_INTEGER, UT_AT(hdr, "[2,") + 3u, "a"));
    }
}

/* ST-SCHEMA-3: the shape must be an array */
Test(st_schema_3, shape_not_an_array)
{
    const char *shapes[] = {"1", "\"[]\"", "null", "{}", "true", "{\"0\":1}"};
    size_t i;
    UT_KIND(ST_E_SCHEMA_ARRAY, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof shapes / sizeof shapes[0]; i++) {
        char hdr[160];
        uint64_t at;
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":\"U8\",\"shape\":%s,\"data_offsets\":[0,1]}}", shapes[i]);
        at = UT_AT(hdr, "\"shape\":") + 8u;
        ut_hdr_reject_both(hdr, 1u, &UT_FAIL_T(ST_E_SCHEMA_ARRAY, at, "a"));
    }
}

/* -------------------------------------------------------------- ST-SCHEMA-4 */

/* ST-SCHEMA-4: exactly two offsets */
Test(st_schema_4, offsets_count)
{
    const char *offs[] = {"[]", "[0]", "[0,1,2]", "[0,1,1,1]"};
    size_t i;
    for (i = 0u; i < sizeof offs / sizeof offs[0]; i++) {
        char hdr[160];
        uint64_t at;
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":%s}}", offs[i]);
        at = UT_AT(hdr, "\"data_offsets\":") + 15u;
        ut_hdr_reject_both(hdr, 1u,
                           &UT_FAIL_TIN(ST_E_SCHEMA_ARRAY, at, at + strlen(offs[i]), "a"));
    }
}

/* ST-SCHEMA-4: offsets are plain integers in 0..2^64-1 */
Test(st_schema_4, offsets_integers)
{
    const char *offs[] = {"[0,1.0]", "[-1,1]", "[0,\"1\"]", "[0,null]", "[0,18446744073709551616]",
                          "[0e0,1]", "[-0,1]", "[0,[1]]"};
    size_t i;
    for (i = 0u; i < sizeof offs / sizeof offs[0]; i++) {
        char hdr[160];
        uint64_t at;
        const char *bad = strchr(offs[i], ',');
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":%s}}", offs[i]);
        at = UT_AT(hdr, "\"data_offsets\":") + 15u;
        /* the offending element: the first one unless it starts with 0 */
        at += (offs[i][1] == '0' && offs[i][2] == ',') ? (uint64_t)(bad - offs[i]) + 1u : 1u;
        cr_log_info("offsets %s", offs[i]);
        ut_hdr_reject_both(hdr, 1u, &UT_FAIL_T(ST_E_SCHEMA_INTEGER, at, "a"));
    }
}

/* ST-SCHEMA-4: data_offsets must be an array */
Test(st_schema_4, offsets_not_an_array)
{
    const char *offs[] = {"0", "{}", "\"0,1\"", "null"};
    size_t i;
    for (i = 0u; i < sizeof offs / sizeof offs[0]; i++) {
        char hdr[160];
        uint64_t at;
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":%s}}", offs[i]);
        at = UT_AT(hdr, "\"data_offsets\":") + 15u;
        ut_hdr_reject_both(hdr, 1u, &UT_FAIL_T(ST_E_SCHEMA_ARRAY, at, "a"));
    }
}

/* ST-SCHEMA-4: the largest offsets parse (and then fail validation) */
Test(st_schema_4, largest_offsets_parse)
{
    const char *hdr = "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],"
                      "\"data_offsets\":[18446744073709551615,18446744073709551615]}}";
    ut_hdr_reject_both(hdr, 0u, &UT_FAIL_T(ST_E_INVALID_OFFSET, UT_AT(hdr, "[1844"), "a"));
}

/* -------------------------------------------------------------- ST-SCHEMA-5 */

/* ST-SCHEMA-5: compat ignores unknown fields of any JSON value; strict refuses */
Test(st_schema_5, unknown_fields_ignored_in_compat)
{
    const char *values[] = {"1", "\"s\"", "\"\\u00e9\\n\"", "{}", "[]", "{\"a\":[1,{\"b\":null}]}",
                            "true", "false", "null", "-1.5e300", "[[[[]]]]", "\"U8\"",
                            "18446744073709551616", "{\"dtype\":\"F64\"}"};
    size_t i;
    UT_KIND(ST_E_STRICT_UNKNOWN_FIELD, NULL);
    for (i = 0u; i < sizeof values / sizeof values[0]; i++) {
        ut_field_value(values[i], NULL);
    }
}

/* ST-SCHEMA-5: ignored values are still parsed fully */
Test(st_schema_5, ignored_values_must_be_valid)
{
    ut_field_value("[1,}", &UT_REL(ST_E_JSON_SYNTAX, 3u, 3u));
    ut_field_value("{\"k\"}", &UT_REL(ST_E_JSON_SYNTAX, 4u, 4u));
    ut_field_value("\"\\q\"", &UT_REL(ST_E_JSON_STRING, 1u, 2u));
    ut_field_value("\"\\ud800\"", &UT_REL(ST_E_JSON_STRING, 1u, 7u));
    ut_field_value("1e400", &UT_REL(ST_E_JSON_NUMBER, 0u, 5u));
    ut_field_value("[1e400]", &UT_REL(ST_E_JSON_NUMBER, 1u, 6u));
    ut_field_value("{\"k\":-1e999}", &UT_REL(ST_E_JSON_NUMBER, 5u, 11u));
}

/* ST-SCHEMA-5: unknown keys anywhere in the entry, repeated, or named like fields */
Test(st_schema_5, unknown_keys_anywhere)
{
    static const struct {
        const char *hdr;
        const char *key;
    } cases[] = {
        {"{\"a\":{\"x\":1,\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "\"x\""},
        {"{\"a\":{\"dtype\":\"U8\",\"x\":1,\"x\":2,\"shape\":[1],\"data_offsets\":[0,1]}}", "\"x\""},
        {"{\"a\":{\"Dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
         "\"Dtype\""},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"__metadata__\":1}}",
         "\"__metadata__\""},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"\":{}}}", "\"\":"},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"offsets\":[5,6],\"data_offsets\":[0,1]}}",
         "\"offsets\""},
    };
    size_t i;
    for (i = 0u; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t len;
        uint8_t *buf = ut_buildz(cases[i].hdr, 1u, &len);
        ut_accept_compat(buf, len,
                         &UT_FAIL_T(ST_E_STRICT_UNKNOWN_FIELD, UT_AT(cases[i].hdr, cases[i].key),
                                    "a"),
                         &UT_TABLE_T(one_a));
        free(buf);
    }
}

/* ST-SCHEMA-5: an unknown field does not stand in for a required one */
Test(st_schema_5, unknown_field_with_missing_required)
{
    const char *hdr = "{\"a\":{\"Dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    ut_reject_modes(buf, len, &UT_FAIL_T(ST_E_STRICT_UNKNOWN_FIELD, UT_AT(hdr, "\"Dtype\""), "a"),
                    &UT_FAIL_TIN(ST_E_SCHEMA_MISSING, 13u, 8u + strlen(hdr) - 1u, "a"));
    free(buf);
}

/* -------------------------------------------------------------- ST-SCHEMA-6 */

/* ST-SCHEMA-6: names may be empty, non-ASCII, contain NUL, quotes, be long */
Test(st_schema_6, any_string_is_a_name)
{
    const char *hdr = "{\"\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                      "\"\xe5\x90\x8d\xe5\x89\x8d \xf0\x9f\x98\x80\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]},"
                      "\"a\\u0000b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]},"
                      "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[3,4]},"
                      "\"q\\\"uote\\\\ \":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[4,5]},"
                      "\"a\\u0000\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[5,6]}}";
    static const ut_tensor t[] = {
        {UT_S(""), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("\xe5\x90\x8d\xe5\x89\x8d \xf0\x9f\x98\x80"), ST_U8, 1u, {1u}, 1u, 2u},
        {UT_S("a\0b"), ST_U8, 1u, {1u}, 2u, 3u},
        {UT_S("a"), ST_U8, 1u, {1u}, 3u, 4u},
        {UT_S("q\"uote\\ "), ST_U8, 1u, {1u}, 4u, 5u},
        {UT_S("a\0"), ST_U8, 1u, {1u}, 5u, 6u},
    };
    ut_hdr_accept_both(hdr, 6u, &UT_TABLE_T(t));
}

/* ST-SCHEMA-6: a 10000-byte name */
Test(st_schema_6, long_name)
{
    ut_text h = {NULL, 0u, 0u};
    ut_text name = {NULL, 0u, 0u};
    uint32_t i;
    uint64_t len;
    uint8_t *buf;
    ut_tensor t[1] = {{NULL, 0u, ST_U8, 1u, {1u}, 0u, 1u}};
    for (i = 0u; i < 10000u; i++) {
        char c = (char)('a' + (char)(i % 26u));
        ut_text_bytes(&name, &c, 1u);
    }
    ut_text_add(&h, "{\"");
    ut_text_bytes(&h, name.p, name.n);
    ut_text_add(&h, "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}");
    t[0].name = name.p;
    t[0].name_len = (uint32_t)name.n;
    buf = ut_build(h.p, h.n, 1u, &len);
    ut_accept_both(buf, len, &UT_TABLE_T(t));
    free(buf);
    ut_text_free(&h);
    ut_text_free(&name);
}

/* -------------------------------------------------------------- ST-SCHEMA-7 */

/* ST-SCHEMA-7: identical duplicates: compat keeps one, strict refuses */
Test(st_schema_7, identical_duplicates)
{
    const char *hdr = "{" ONE_A "," ONE_A "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    ut_result r;
    ut_accept_compat(buf, len, &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT_K(hdr, "\"a\"", 1u), "a"),
                     &UT_TABLE_T(one_a));
    ut_parse(&r, buf, len, ST_MODE_COMPAT);
    cr_assert_eq(r.f.n_entries, 2u);
    cr_assert_eq(r.f.n_tensors, 1u);
    /* the entry kept is the last one */
    cr_assert_eq(st_find(&r.f, (const uint8_t *)"a", 1u)->key_pos + 8u, UT_AT_K(hdr, "\"a\"", 1u));
    ut_result_free(&r);
    free(buf);
}

/* ST-SCHEMA-7: the last duplicate wins in compat */
Test(st_schema_7, last_wins)
{
    const char *hdr = "{" UT_E("a", "F32", "[2]", "[0,8]") "," UT_E("b", "U8", "[1]", "[1,2]") ","
                      UT_E("a", "U8", "[1]", "[0,1]") "}";
    static const ut_tensor t[] = {
        {UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("b"), ST_U8, 1u, {1u}, 1u, 2u},
    };
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 2u, &len);
    ut_accept_compat(buf, len, &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT_K(hdr, "\"a\"", 1u), "a"),
                     &UT_TABLE_T(t));
    free(buf);
}

/* ST-SCHEMA-7: the dropped entry is not validated, only parsed */
Test(st_schema_7, dropped_entry_not_validated)
{
    const char *hdr = "{" UT_E("a", "U8", "[18446744073709551615,2]", "[7,3]") "," ONE_A "}";
    const char *bad = "{" UT_E("a", "XX", "[1]", "[0,1]") "," ONE_A "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    ut_accept_compat(buf, len, &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT_K(hdr, "\"a\"", 1u), "a"),
                     &UT_TABLE_T(one_a));
    free(buf);
    ut_hdr_reject_both(bad, 1u, &UT_FAIL_T(ST_E_SCHEMA_DTYPE, UT_AT(bad, "\"XX\""), "a"));
}

/* ST-SCHEMA-7: the dropped entry's bytes usually leave a hole */
Test(st_schema_7, dropped_bytes_leave_a_hole)
{
    const char *hole = "{" ONE_A "," UT_E("b", "U8", "[1]", "[1,2]") ","
                       UT_E("a", "U8", "[1]", "[2,3]") "}";
    const char *tail = "{" ONE_A "," UT_E("a", "U8", "[0]", "[0,0]") "}";
    uint64_t len;
    uint8_t *buf = ut_buildz(hole, 3u, &len);
    ut_reject_modes(buf, len, &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT_K(hole, "\"a\"", 1u), "a"),
                    &UT_FAIL_T(ST_E_INVALID_OFFSET, UT_AT(hole, "[1,2]"), "b"));
    free(buf);
    buf = ut_buildz(tail, 1u, &len);
    ut_reject_modes(buf, len, &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT_K(tail, "\"a\"", 1u), "a"),
                    &UT_FAIL_AT(ST_E_INCOMPLETE, len - 1u));
    free(buf);
}

/* ST-SCHEMA-7: three occurrences: the third wins */
Test(st_schema_7, three_occurrences)
{
    const char *hdr = "{" UT_E("a", "U16", "[1]", "[0,2]") "," UT_E("a", "I8", "[3]", "[0,3]") ","
                      UT_E("a", "BOOL", "[1]", "[0,1]") "}";
    static const ut_tensor t[] = {{UT_S("a"), ST_BOOL, 1u, {1u}, 0u, 1u}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    ut_result r;
    ut_accept_compat(buf, len,
                     &UT_FAIL_TIN(ST_E_STRICT_DUP_TENSOR, UT_AT_K(hdr, "\"a\"", 1u),
                                  UT_AT_K(hdr, "\"a\"", 2u), "a"),
                     &UT_TABLE_T(t));
    ut_parse(&r, buf, len, ST_MODE_STRICT);
    cr_assert(r.diag.offset == UT_AT_K(hdr, "\"a\"", 1u) || r.diag.offset == UT_AT_K(hdr, "\"a\"", 2u));
    ut_result_free(&r);
    free(buf);
}

/* -------------------------------------------------------------- ST-SCHEMA-8 */

/* ST-SCHEMA-8: compat reads an entry written as [dtype, shape, data_offsets] */
Test(st_schema_8, array_entry_in_compat)
{
    const char *values[] = {"[\"U8\",[1],[0,1]]", "[ \"U8\" , [ 1 ] , [ 0 , 1 ] ]",
                            "[{\"U8\":null},[1],[0,1]]", "[\"\\u0055\\u0038\",[1],[0,1]]"};
    size_t i;
    for (i = 0u; i < sizeof values / sizeof values[0]; i++) {
        char hdr[128];
        uint64_t len;
        uint8_t *buf;
        entry_value(hdr, sizeof hdr, values[i]);
        buf = ut_buildz(hdr, 1u, &len);
        ut_accept_compat(buf, len, &UT_FAIL_T(ST_E_STRICT_ARRAY_ENTRY, 8u + 5u, "a"),
                         &UT_TABLE_T(one_a));
        free(buf);
    }
}

/* ST-SCHEMA-8: other arrays are not entries */
Test(st_schema_8, bad_array_entries)
{
    static const struct {
        const char *value;
        st_err code;
        st_err alt;
    } cases[] = {
        {"[]", ST_E_SCHEMA_ENTRY, ST_OK},
        /* too short: the exact code is checked in short_array_entries */
        {"[\"U8\"]", ST_E_SCHEMA_ENTRY, ST_E_JSON_SYNTAX},
        {"[\"U8\",[1]]", ST_E_SCHEMA_ENTRY, ST_E_JSON_SYNTAX},
        {"[\"U8\",[1],[0,1],1]", ST_E_SCHEMA_ENTRY, ST_OK},
        {"[[1],\"U8\",[0,1]]", ST_E_SCHEMA_DTYPE, ST_E_SCHEMA_ENTRY},
        {"[\"u8\",[1],[0,1]]", ST_E_SCHEMA_DTYPE, ST_OK},
        {"[\"U8\",[1],[0]]", ST_E_SCHEMA_ARRAY, ST_OK},
        {"[\"U8\",[1.5],[0,1]]", ST_E_SCHEMA_INTEGER, ST_OK},
    };
    size_t i;
    for (i = 0u; i < sizeof cases / sizeof cases[0]; i++) {
        char hdr[128];
        uint64_t len;
        uint8_t *buf;
        ut_fail f;
        entry_value(hdr, sizeof hdr, cases[i].value);
        buf = ut_buildz(hdr, 1u, &len);
        f = (ut_fail){cases[i].code, 8u + 5u, 8u + 5u + strlen(cases[i].value), UT_S("a"),
                      cases[i].alt};
        cr_log_info("entry %s", cases[i].value);
        ut_reject_modes(buf, len, &UT_FAIL_T(ST_E_STRICT_ARRAY_ENTRY, 8u + 5u, "a"), &f);
        free(buf);
    }
}

/* ST-SCHEMA-8: an array entry that ends early is well-formed JSON of the
   wrong shape: ST_E_SCHEMA_ENTRY ("not an object, or 3-array in compat"),
   not a syntax error */
Test(st_schema_8, short_array_entries)
{
    const char *values[] = {"[\"U8\"]", "[\"U8\",[1]]", "[\"U8\" ]", "[\"U8\",[1] ]"};
    size_t i;
    for (i = 0u; i < sizeof values / sizeof values[0]; i++) {
        char hdr[128];
        uint64_t len;
        uint8_t *buf;
        entry_value(hdr, sizeof hdr, values[i]);
        buf = ut_buildz(hdr, 1u, &len);
        cr_log_info("entry %s", values[i]);
        ut_reject_mode(buf, len, ST_MODE_COMPAT,
                       &UT_FAIL_TIN(ST_E_SCHEMA_ENTRY, 8u + 5u, 8u + 5u + strlen(values[i]), "a"));
        free(buf);
    }
}

/* ST-SCHEMA-8: compat reads a dtype written as {"NAME": null} */
Test(st_schema_8, object_dtype_in_compat)
{
    const char *dtypes[] = {"{\"U8\":null}", "{ \"U8\" : null }", "{\"\\u0055\\u0038\":null}"};
    size_t i;
    for (i = 0u; i < sizeof dtypes / sizeof dtypes[0]; i++) {
        char hdr[160];
        uint64_t len;
        uint8_t *buf;
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":%s,\"shape\":[1],\"data_offsets\":[0,1]}}", dtypes[i]);
        buf = ut_buildz(hdr, 1u, &len);
        ut_accept_compat(buf, len,
                         &UT_FAIL_T(ST_E_STRICT_DTYPE_OBJECT, UT_AT(hdr, "\"dtype\":") + 8u, "a"),
                         &UT_TABLE_T(one_a));
        free(buf);
    }
}

/* ST-SCHEMA-8: other objects are not dtypes */
Test(st_schema_8, bad_object_dtypes)
{
    const char *dtypes[] = {"{\"U8\":{}}", "{\"U8\":null,\"I8\":null}", "{}", "{\"U8\":1}",
                            "{\"U8\":\"x\"}", "{\"u8\":null}", "{\"U8\":nul}", "{\"U8\":false}"};
    size_t i;
    for (i = 0u; i < sizeof dtypes / sizeof dtypes[0]; i++) {
        char hdr[160];
        uint64_t len;
        uint8_t *buf;
        uint64_t at;
        ut_fail f;
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":%s,\"shape\":[1],\"data_offsets\":[0,1]}}", dtypes[i]);
        at = UT_AT(hdr, "\"dtype\":") + 8u;
        buf = ut_buildz(hdr, 1u, &len);
        f = (ut_fail){ST_E_SCHEMA_DTYPE, at, at + strlen(dtypes[i]), UT_S("a"), ST_E_JSON_SYNTAX};
        cr_log_info("dtype %s", dtypes[i]);
        ut_reject_modes(buf, len, &UT_FAIL_T(ST_E_STRICT_DTYPE_OBJECT, at, "a"), &f);
        free(buf);
    }
}
