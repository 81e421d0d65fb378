/*
 * test_json.c -- the JSON grammar of the header: ST-JSON-1 (object and
 * whitespace), ST-JSON-2 (strings), ST-JSON-3 (number grammar), ST-JSON-5
 * (literals), ST-JSON-6 (nesting depth), ST-JSON-7 (keys compared after
 * decoding). Number ranges (ST-JSON-4) are in test_numbers.c.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_internal.h" /* st_json_decode */

static const ut_tensor one_a[] = {{UT_S("a"), ST_U8, 1u, {1u}, 0u, 1u}};
#define ONE_A UT_E("a", "U8", "[1]", "[0,1]")

/* ---------------------------------------------------------------- ST-JSON-1 */

/* ST-JSON-1: the four whitespace bytes are allowed between all tokens */
Test(st_json_1, whitespace_between_tokens)
{
    const char *hdr = "{ \t\n\r\"a\" \t\n\r: \t\n\r{ \"dtype\" :\t\"U8\" ,\n\"shape\"\r:[ 1 ]\t,"
                      " \"data_offsets\" : [ 0 ,\n1 ] } \n, \"__metadata__\"\t:\r{ \"k\" : \"v\" "
                      "\t} }";
    static const ut_meta m[] = {{UT_S("k"), UT_S("v")}};
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE(one_a, m, true));
}

/* ST-JSON-1 (with ST-STRICT-1): whitespace before the object */
Test(st_json_1, whitespace_before_object)
{
    const char *pre[] = {" ", "\t", "\n", "\r", " \t\n\r"};
    size_t i;
    for (i = 0u; i < 5u; i++) {
        char hdr[128];
        uint64_t len;
        uint8_t *buf;
        (void)snprintf(hdr, sizeof hdr, "%s{%s}", pre[i], ONE_A);
        buf = ut_buildz(hdr, 1u, &len);
        ut_accept_compat(buf, len, &UT_FAIL_AT(ST_E_STRICT_LEADING_SPACE, 8u), &UT_TABLE_T(one_a));
        free(buf);
    }
}

/* ST-JSON-1 (with ST-STRICT-2): whitespace after the object */
Test(st_json_1, whitespace_after_object)
{
    const char *post[] = {"\t", "\n", "\r", "  \r\n"};
    size_t i;
    ut_hdr_accept_both("{" ONE_A "}        ", 1u, &UT_TABLE_T(one_a));
    for (i = 0u; i < 4u; i++) {
        char hdr[128];
        uint64_t len;
        uint8_t *buf;
        size_t n = (size_t)snprintf(hdr, sizeof hdr, "{%s}%s", ONE_A, post[i]);
        uint64_t at = 8u + strlen(ONE_A) + 2u + strspn(post[i], " ");
        buf = ut_build(hdr, n, 1u, &len);
        ut_accept_compat(buf, len, &UT_FAIL_AT(ST_E_STRICT_PADDING, at), &UT_TABLE_T(one_a));
        free(buf);
    }
}

/* ST-JSON-1: nothing but whitespace may follow the object */
Test(st_json_1, other_bytes_after_object)
{
    static const struct {
        const char *tail;
        size_t len;
    } tails[] = {
        {"\x00", 1u},          {"\x0b", 1u},         {"\x0c", 1u},
        {"\xc2\xa0", 2u},      {"\xe2\x80\xa8", 3u}, {"\xef\xbb\xbf", 3u},
        {"{}", 2u},            {"x", 1u},            {",", 1u},
        {"}", 1u},             {"]", 1u},            {"0", 1u},
        {"\"s\"", 3u},         {"null", 4u},         {"  \x00", 3u},
        {"    {}", 6u},
    };
    size_t i;
    UT_KIND(ST_E_JSON_TRAILING, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof tails / sizeof tails[0]; i++) {
        char hdr[128];
        size_t base = strlen("{" ONE_A "}");
        size_t n;
        uint64_t len;
        uint8_t *buf;
        memcpy(hdr, "{" ONE_A "}", base);
        memcpy(&hdr[base], tails[i].tail, tails[i].len);
        n = base + tails[i].len;
        buf = ut_build(hdr, n, 1u, &len);
        cr_log_info("case %zu", i);
        ut_reject_both(buf, len,
                       &UT_FAIL_AT(ST_E_JSON_TRAILING,
                                   8u + base + strspn(tails[i].tail, " ")));
        free(buf);
    }
}

/* ST-JSON-1: bytes that are not JSON whitespace before the object */
Test(st_json_1, other_bytes_before_object)
{
    static const struct {
        const char *head;
        size_t len;
    } heads[] = {
        {"\xef\xbb\xbf", 3u}, {"\x0b", 1u}, {"\x0c", 1u}, {"\xc2\xa0", 2u}, {"\x00", 1u},
    };
    size_t i;
    for (i = 0u; i < sizeof heads / sizeof heads[0]; i++) {
        char hdr[128];
        size_t n = heads[i].len;
        uint64_t len;
        uint8_t *buf;
        memcpy(hdr, heads[i].head, n);
        memcpy(&hdr[n], "{" ONE_A "}", strlen("{" ONE_A "}"));
        n += strlen("{" ONE_A "}");
        buf = ut_build(hdr, n, 1u, &len);
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_JSON_SYNTAX, 8u));
        free(buf);
    }
}

/* ST-JSON-1: malformed objects, each refused at the offending byte */
Test(st_json_1, syntax_errors_at_the_offending_byte)
{
    static const struct {
        const char *hdr;
        const char *at;      /* the offending token (first occurrence) */
        unsigned k;          /* which occurrence */
        const char *name;    /* the tensor concerned, or NULL: not checked */
    } cases[] = {
        {"{\"a\" {}}", "{", 1u, NULL},
        {"{\"a\":{\"dtype\":\"U8\" \"shape\":[1],\"data_offsets\":[0,1]}}", "\"shape\"", 0u, "a"},
        {"{" ONE_A ",}", "}", 1u, NULL},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],}}", "}", 0u, "a"},
        {"{a:1}", "a", 0u, NULL},
        {"{'a':1}", "'", 0u, NULL},
        {"{,}", ",", 0u, NULL},
        {"{\"a\"}", "}", 0u, NULL},
        {"{\"a\":}", "}", 0u, NULL},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1 1],\"data_offsets\":[0,1]}}", "1]", 0u, "a"},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1,],\"data_offsets\":[0,1]}}", "]", 0u, "a"},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[,1],\"data_offsets\":[0,1]}}", ",1", 0u, "a"},
        {"{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]};", ";", 0u, NULL},
        {"{\"__metadata__\":{\"k\":\"v\",}}", "}", 0u, NULL},
        {"{\"__metadata__\":{\"k\" \"v\"}}", "\"v\"", 0u, NULL},
        {"{\"__metadata__\":{\"k\":\"v\" \"l\":\"w\"}}", "\"l\"", 0u, NULL},
        {"{\"a\":{\"dtype\":\"U8\",\"x\":[1,2,],\"shape\":[1],\"data_offsets\":[0,1]}}", "]", 0u,
         NULL},
    };
    size_t i;
    UT_KIND(ST_E_JSON_SYNTAX, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof cases / sizeof cases[0]; i++) {
        const char *h = cases[i].hdr;
        uint64_t at = UT_AT_K(h, cases[i].at, cases[i].k);
        ut_fail f = UT_FAIL_ANY(ST_E_JSON_SYNTAX, at, at);
        uint64_t len;
        uint8_t *buf = ut_buildz(h, 1u, &len);
        if (cases[i].name != NULL) {
            f.name = cases[i].name;
            f.name_len = (uint32_t)strlen(cases[i].name);
        }
        cr_log_info("case %zu: %s", i, h);
        if (strstr(h, "\"x\"") != NULL) {
            /* an unknown field: strict refuses it before its value */
            ut_reject_mode(buf, len, ST_MODE_COMPAT, &f);
        } else {
            ut_reject_both(buf, len, &f);
        }
        free(buf);
    }
}

/* ST-JSON-1: a header cut inside the object */
Test(st_json_1, unterminated_object)
{
    const char *hdrs[] = {
        "{",
        "{\"a\"",
        "{\"a\":",
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}",
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]",
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,",
        "{\"__metadata__\":{\"k\":\"v\"",
    };
    size_t i;
    for (i = 0u; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        uint64_t end = 8u + strlen(hdrs[i]);
        ut_hdr_reject_both(hdrs[i], 1u, &UT_FAIL_ANY(ST_E_JSON_SYNTAX, end, end));
    }
}

/* ---------------------------------------------------------------- ST-JSON-2 */

/* ST-JSON-2: every escape is decoded (the name goes to the arena) */
Test(st_json_2, escapes_decoded_in_names)
{
    const char *hdr = "{\"q\\\"b\\\\s\\/b\\bf\\fn\\nr\\rt\\tu\\u0041\\u00e9\\u20ac\\ud834\\udd1e\\u00C9\":"
                      "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    static const ut_tensor t[] = {
        {UT_S("q\"b\\s/b\bf\fn\nr\rt\tuA\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\xc3\x89"), ST_U8, 1u,
         {1u}, 0u, 1u},
    };
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE_T(t));
}

/* ST-JSON-2: escapes in metadata keys and values, and in dtype strings */
Test(st_json_2, escapes_decoded_in_metadata_and_dtype)
{
    const char *hdr = "{\"__metadata__\":{\"k\\u00e9\\n\":\"v\\t\\\"\\u0000\"},"
                      "\"a\":{\"dtype\":\"\\u0055\\u0038\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    static const ut_meta m[] = {{UT_S("k\xc3\xa9\n"), UT_S("v\t\"\0")}};
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE(one_a, m, true));
}

/* ST-JSON-2: raw bytes 0x00..0x1F inside a string are refused */
Test(st_json_2, raw_control_bytes_refused)
{
    unsigned b;
    UT_KIND(ST_E_JSON_STRING, "InvalidHeaderDeserialization");
    for (b = 0u; b < 0x20u; b++) {
        char hdr[128];
        size_t n;
        uint64_t len;
        uint8_t *buf;
        size_t x;
        /* in a tensor name */
        n = (size_t)snprintf(hdr, sizeof hdr, "{\"a%cb\":{\"dtype\":\"U8\",\"shape\":[1],"
                             "\"data_offsets\":[0,1]}}", 'X');
        x = (size_t)(strchr(hdr, 'X') - hdr);
        hdr[x] = (char)b;
        buf = ut_build(hdr, n, 1u, &len);
        ut_reject_both(buf, len, &UT_FAIL_ANY(ST_E_JSON_STRING, 8u + x, 8u + x));
        free(buf);
        /* in a metadata value */
        n = (size_t)snprintf(hdr, sizeof hdr, "{\"__metadata__\":{\"k\":\"v%c\"}}", 'X');
        x = (size_t)(strchr(hdr, 'X') - hdr);
        hdr[x] = (char)b;
        buf = ut_build(hdr, n, 0u, &len);
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_JSON_STRING, 8u + x));
        free(buf);
        /* in a dtype string */
        n = (size_t)snprintf(hdr, sizeof hdr, "{\"a\":{\"dtype\":\"U8%c\",\"shape\":[1],"
                             "\"data_offsets\":[0,1]}}", 'X');
        x = (size_t)(strchr(hdr, 'X') - hdr);
        hdr[x] = (char)b;
        buf = ut_build(hdr, n, 1u, &len);
        ut_reject_both(buf, len, &UT_FAIL_T(ST_E_JSON_STRING, 8u + x, "a"));
        free(buf);
    }
}

/* ST-JSON-2: DEL, U+2028 and other non-control characters are fine raw */
Test(st_json_2, non_control_bytes_raw)
{
    const char *hdr = "{\"\x7f\xe2\x80\xa8 /'\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    static const ut_tensor t[] = {{UT_S("\x7f\xe2\x80\xa8 /'"), ST_U8, 1u, {1u}, 0u, 1u}};
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE_T(t));
}

/* ST-JSON-2: unknown escapes and malformed \u escapes */
Test(st_json_2, bad_escapes_refused)
{
    const char *escs[] = {"\\a", "\\x41", "\\U0041", "\\'", "\\0", "\\ ", "\\u12\"", "\\u12G4",
                          "\\u004", "\\uZZZZ", "\\e", "\\v", "\\%"};
    size_t i;
    for (i = 0u; i < sizeof escs / sizeof escs[0]; i++) {
        char hdr[160];
        size_t n = (size_t)snprintf(hdr, sizeof hdr,
                                    "{\"a%sz\":{\"dtype\":\"U8\",\"shape\":[1],"
                                    "\"data_offsets\":[0,1]}}", escs[i]);
        uint64_t len;
        uint8_t *buf = ut_build(hdr, n, 1u, &len);
        cr_log_info("escape %s", escs[i]);
        /* the backslash is header byte 3 */
        ut_reject_both(buf, len, &UT_FAIL_ANY(ST_E_JSON_STRING, 11u, 11u + 5u));
        free(buf);
    }
}

/* ST-JSON-2: a surrogate escape must be a high one followed by a low one */
Test(st_json_2, lone_surrogates_refused)
{
    const char *escs[] = {"\\ud800",        "\\ud800x",       "\\ud800\\u0041", "\\udc00",
                          "\\udfff",        "\\udbff\\udbff", "\\ud800\\n",     "\\uDBFF",
                          "\\udc00\\ud800", "\\ud800\\"};
    size_t i;
    for (i = 0u; i < sizeof escs / sizeof escs[0]; i++) {
        char hdr[160];
        size_t n = (size_t)snprintf(hdr, sizeof hdr,
                                    "{\"a%s\":{\"dtype\":\"U8\",\"shape\":[1],"
                                    "\"data_offsets\":[0,1]}}", escs[i]);
        uint64_t len;
        uint8_t *buf = ut_build(hdr, n, 1u, &len);
        cr_log_info("escape %s", escs[i]);
        ut_reject_both(buf, len, &UT_FAIL_ANY(ST_E_JSON_STRING, 11u, 11u + 12u));
        free(buf);
    }
    /* and a valid pair at the edges of both ranges */
    {
        const char *hdr = "{\"\\ud800\\udc00\\udbff\\udfff\":{\"dtype\":\"U8\",\"shape\":[1],"
                          "\"data_offsets\":[0,1]}}";
        static const ut_tensor t[] = {
            {UT_S("\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"), ST_U8, 1u, {1u}, 0u, 1u}};
        ut_hdr_accept_both(hdr, 1u, &UT_TABLE_T(t));
    }
}

/* ST-JSON-2: a string cut by the end of the header */
Test(st_json_2, unterminated_string)
{
    const char *hdrs[] = {"{\"abc", "{\"a\\\"", "{\"a\\", "{\"a\":{\"dtype\":\"U8"};
    size_t i;
    for (i = 0u; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        uint64_t end = 8u + strlen(hdrs[i]);
        ut_hdr_reject_both(hdrs[i], 0u,
                           &UT_FAIL_EITHER(ST_E_JSON_SYNTAX, ST_E_JSON_STRING, end - 2u, end));
    }
}

/* ------------------------------------------------- ST-JSON-3 (grammar only) */

typedef struct num_case {
    const char *text;
    st_err code;
    st_err alt;   /* ST_OK: none */
    uint32_t rel; /* offending byte, from the number's first byte */
} num_case;

static const num_case bad_grammar[] = {
    {"01", ST_E_JSON_NUMBER, ST_OK, 1u},      {"-01", ST_E_JSON_NUMBER, ST_OK, 2u},
    {"00", ST_E_JSON_NUMBER, ST_OK, 1u},      {"-", ST_E_JSON_NUMBER, ST_OK, 1u},
    {"1.", ST_E_JSON_NUMBER, ST_OK, 2u},      {"1.e5", ST_E_JSON_NUMBER, ST_OK, 2u},
    {"1e", ST_E_JSON_NUMBER, ST_OK, 2u},      {"1e+", ST_E_JSON_NUMBER, ST_OK, 3u},
    {"1E-", ST_E_JSON_NUMBER, ST_OK, 3u},     {"--1", ST_E_JSON_NUMBER, ST_OK, 1u},
    {"-a", ST_E_JSON_NUMBER, ST_OK, 1u},      {"1ee5", ST_E_JSON_NUMBER, ST_OK, 2u},
    {"-Infinity", ST_E_JSON_NUMBER, ST_OK, 1u}, {"0.e1", ST_E_JSON_NUMBER, ST_OK, 2u},
    {"+1", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 0u},
    {".5", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 0u},
    {"0x10", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 1u},
    {"1_0", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 1u},
    {"Infinity", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 0u},
    {"NaN", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 0u},
    {"1 2", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 2u},
};

/* Valid numbers followed by a stray character: in a shape they are already
   refused as non-integers (ST-SCHEMA-3), so only the ignored field shows the
   grammar error. */
static const num_case bad_grammar_field_only[] = {
    {"1.5.", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 3u},
    {"1e5e", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 3u},
    {"-0-", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 2u},
    {"1.0.0", ST_E_JSON_SYNTAX, ST_E_JSON_NUMBER, 3u},
};

/* ST-JSON-3: grammar errors in a shape, both modes */
Test(st_json_3, grammar_errors_in_shape)
{
    size_t i;
    UT_KIND(ST_E_JSON_NUMBER, "InvalidHeaderDeserialization");
    for (i = 0u; i < sizeof bad_grammar / sizeof bad_grammar[0]; i++) {
        const num_case *c = &bad_grammar[i];
        char hdr[160];
        uint64_t at;
        ut_fail f;
        (void)snprintf(hdr, sizeof hdr,
                       "{\"a\":{\"dtype\":\"U8\",\"shape\":[%s],\"data_offsets\":[0,1]}}", c->text);
        at = UT_AT(hdr, "[") + c->rel + 1u;
        f = (ut_fail){c->code, at, at, UT_S("a"), c->alt};
        cr_log_info("number %s", c->text);
        ut_hdr_reject_both(hdr, 1u, &f);
    }
}

/* ST-JSON-3: grammar errors in an ignored field (compat parses it fully) */
Test(st_json_3, grammar_errors_in_ignored_field)
{
    size_t i;
    for (i = 0u; i < sizeof bad_grammar / sizeof bad_grammar[0]; i++) {
        const num_case *c = &bad_grammar[i];
        cr_log_info("number %s", c->text);
        ut_field_value(c->text, &UT_REL_EITHER(c->code, c->alt, c->rel, c->rel));
    }
    for (i = 0u; i < sizeof bad_grammar_field_only / sizeof bad_grammar_field_only[0]; i++) {
        const num_case *c = &bad_grammar_field_only[i];
        cr_log_info("number %s", c->text);
        ut_field_value(c->text, &UT_REL_EITHER(c->code, c->alt, c->rel, c->rel));
    }
}

/* ST-JSON-3: every form the grammar allows */
Test(st_json_3, valid_forms_accepted)
{
    const char *ok[] = {"0",     "-0",      "1",        "-1",     "1.5",    "-1.5e-3",
                        "1E+2",  "1e2",     "0.0",      "-0.0e0", "0e0",    "0E-0",
                        "10",    "9007199254740993", "123456789.123456789e-5", "1e0001",
                        "-9223372036854775808", "0.000000000000000000000000000001"};
    size_t i;
    for (i = 0u; i < sizeof ok / sizeof ok[0]; i++) {
        cr_log_info("number %s", ok[i]);
        ut_field_value(ok[i], NULL);
    }
}

/* ---------------------------------------------------------------- ST-JSON-5 */

/* ST-JSON-5: true, false and null, alone and nested */
Test(st_json_5, literals_accepted)
{
    const char *ok[] = {"true", "false", "null", "[true,false,null]", "{\"k\":null}",
                        "[ true , [ false ] , { \"n\" : null } ]"};
    size_t i;
    for (i = 0u; i < sizeof ok / sizeof ok[0]; i++) {
        ut_field_value(ok[i], NULL);
    }
}

/* ST-JSON-5: anything else spelled with letters is refused */
Test(st_json_5, misspelled_literals_refused)
{
    static const struct {
        const char *text;
        uint32_t rel;
    } bad[] = {
        {"tru", 3u},  {"True", 0u}, {"nul", 3u},   {"NULL", 0u}, {"fals", 4u},
        {"nulll", 4u}, {"nan", 1u}, {"truee", 4u}, {"t", 1u},    {"fALSE", 1u},
        {"undefined", 0u}, {"[tru]", 4u}, {"{\"k\":nul}", 8u},
    };
    size_t i;
    for (i = 0u; i < sizeof bad / sizeof bad[0]; i++) {
        cr_log_info("literal %s", bad[i].text);
        ut_field_value(bad[i].text, &UT_REL(ST_E_JSON_SYNTAX, bad[i].rel, bad[i].rel));
    }
}

/* ---------------------------------------------------------------- ST-JSON-6 */

/* Nested value: k containers; `obj` picks objects ({"k":...}) or arrays. */
static void nested(ut_text *t, unsigned k, bool obj, bool mixed)
{
    unsigned i;
    for (i = 0u; i < k; i++) {
        bool o = mixed ? ((i % 2u) == 1u) : obj;
        ut_text_add(t, o ? "{\"k\":" : "[");
    }
    ut_text_add(t, "1");
    for (i = k; i > 0u; i--) {
        bool o = mixed ? (((i - 1u) % 2u) == 1u) : obj;
        ut_text_add(t, o ? "}" : "]");
    }
}

/* Offset (from the value's start) of the first container at depth > 127:
   the value's containers start at depth 3 (top object 1, entry 2). */
static uint32_t first_too_deep(bool obj, bool mixed)
{
    uint32_t i;
    uint32_t at = 0u;
    for (i = 0u; i < 125u; i++) {
        bool o = mixed ? ((i % 2u) == 1u) : obj;
        at += o ? 5u : 1u;
    }
    return at;
}

/* ST-JSON-6: depth 127 is accepted, 128 refused at the container that opens it */
Test(st_json_6, depth_limit_in_ignored_field)
{
    unsigned shape;
    UT_KIND(ST_E_JSON_DEPTH, "InvalidHeaderDeserialization");
    cr_assert_eq(ST_DEPTH_MAX, 127u);
    for (shape = 0u; shape < 3u; shape++) {
        bool obj = shape == 1u;
        bool mixed = shape == 2u;
        unsigned k;
        const unsigned ks[] = {1u, 124u, 125u, 126u, 127u, 500u};
        for (k = 0u; k < 6u; k++) {
            ut_text v = {NULL, 0u, 0u};
            nested(&v, ks[k], obj, mixed);
            cr_log_info("%u nested %s", ks[k], mixed ? "mixed" : (obj ? "objects" : "arrays"));
            if (ks[k] <= 125u) {
                ut_field_value_(UT_HERE, v.p, v.n, NULL);
            } else {
                uint32_t at = first_too_deep(obj, mixed);
                ut_field_value_(UT_HERE, v.p, v.n, &UT_REL(ST_E_JSON_DEPTH, at, at));
            }
            ut_text_free(&v);
        }
    }
}

/* ST-JSON-6: deep nesting elsewhere is refused too (as a depth or a type error) */
Test(st_json_6, deep_nesting_elsewhere)
{
    ut_text h = {NULL, 0u, 0u};
    uint64_t len;
    uint8_t *buf;
    unsigned i;
    /* a top-level value that is not an object */
    for (i = 0u; i < 300u; i++) {
        ut_text_add(&h, "[");
    }
    for (i = 0u; i < 300u; i++) {
        ut_text_add(&h, "]");
    }
    buf = ut_build(h.p, h.n, 0u, &len);
    ut_reject_both(buf, len, &UT_FAIL_EITHER(ST_E_SCHEMA_TOP, ST_E_JSON_DEPTH, 8u, len));
    free(buf);
    ut_text_free(&h);
    /* inside a shape */
    ut_text_add(&h, "{\"a\":{\"dtype\":\"U8\",\"shape\":[");
    for (i = 0u; i < 300u; i++) {
        ut_text_add(&h, "[");
    }
    for (i = 0u; i < 301u; i++) {
        ut_text_add(&h, "]");
    }
    ut_text_add(&h, ",\"data_offsets\":[0,1]}}");
    buf = ut_build(h.p, h.n, 1u, &len);
    ut_reject_both(buf, len, &UT_FAIL_EITHER(ST_E_SCHEMA_INTEGER, ST_E_JSON_DEPTH, 8u, len));
    free(buf);
    ut_text_free(&h);
}

/* ---------------------------------------------------------------- ST-JSON-7 */

/* ST-JSON-7: an escaped "__metadata__" is the metadata key */
Test(st_json_7, escaped_metadata_key)
{
    const char *hdr = "{\"\\u005f_metadata\\u005f_\":{\"k\":\"v\"}," ONE_A "}";
    static const ut_meta m[] = {{UT_S("k"), UT_S("v")}};
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE(one_a, m, true));
}

/* ST-JSON-7: escaped field names are the fields */
Test(st_json_7, escaped_field_names)
{
    const char *hdr = "{\"a\":{\"d\\u0074ype\":\"U8\",\"\\u0073hape\":[1],"
                      "\"data\\u005foffset\\u0073\":[0,1]}}";
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE_T(one_a));
}

/* ST-JSON-7: a field repeated under another spelling is a repeat */
Test(st_json_7, escaped_duplicate_field)
{
    const char *hdr = "{\"a\":{\"dtype\":\"U8\",\"\\u0064type\":\"U8\",\"shape\":[1],"
                      "\"data_offsets\":[0,1]}}";
    ut_hdr_reject_both(hdr, 1u, &UT_FAIL_T(ST_E_SCHEMA_DUP_FIELD, UT_AT(hdr, "\"\\u0064"), "a"));
}

/* ST-JSON-7: __metadata__ repeated under another spelling is a repeat */
Test(st_json_7, escaped_duplicate_metadata)
{
    const char *hdr = "{\"__metadata__\":{},\"\\u005f_metadata__\":{}}";
    ut_hdr_reject_both(hdr, 0u,
                       &UT_FAIL_AT(ST_E_SCHEMA_DUP_METADATA, UT_AT(hdr, "\"\\u005f")));
}

/* ST-JSON-7: tensor names are equal when their decoded bytes are */
Test(st_json_7, escaped_duplicate_tensor_name)
{
    const char *hdrs[] = {
        "{" ONE_A ",\"\\u0061\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
        "{\"\xc3\xa9\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
        "\"\\u00e9\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
    };
    static const ut_tensor e[] = {{UT_S("\xc3\xa9"), ST_U8, 1u, {1u}, 0u, 1u}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdrs[0], 1u, &len);
    ut_accept_compat(buf, len,
                     &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT(hdrs[0], "\"\\u0061"), "a"),
                     &UT_TABLE_T(one_a));
    free(buf);
    buf = ut_buildz(hdrs[1], 1u, &len);
    ut_accept_compat(buf, len,
                     &UT_FAIL_T(ST_E_STRICT_DUP_TENSOR, UT_AT(hdrs[1], "\"\\u00e9"), "\xc3\xa9"),
                     &UT_TABLE_T(e));
    free(buf);
}

/* ST-JSON-7: metadata keys are equal when their decoded bytes are */
Test(st_json_7, escaped_duplicate_metadata_key)
{
    const char *hdr = "{\"__metadata__\":{\"k\":\"1\",\"\\u006b\":\"2\"}}";
    static const ut_meta m[] = {{UT_S("k"), UT_S("2")}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 0u, &len);
    ut_accept_compat(buf, len,
                     &UT_FAIL_ANY(ST_E_STRICT_DUP_META_KEY, UT_AT(hdr, "\"\\u006b"),
                                  UT_AT(hdr, "\"\\u006b")),
                     &((ut_table){NULL, 0u, m, 1u, true}));
    free(buf);
}

/* ST-JSON-7: only the exact decoded key is special */
Test(st_json_7, near_metadata_keys_are_tensors)
{
    const char *hdr = "{\"__metadata__\\u0000\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                      "\"__METADATA__\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]},"
                      "\" __metadata__\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}";
    static const ut_tensor t[] = {
        {UT_S("__metadata__\0"), ST_U8, 1u, {1u}, 0u, 1u},
        {UT_S("__METADATA__"), ST_U8, 1u, {1u}, 1u, 2u},
        {UT_S(" __metadata__"), ST_U8, 1u, {1u}, 2u, 3u},
    };
    ut_hdr_accept_both(hdr, 3u, &UT_TABLE_T(t));
}

/* ------------------------------------- the string decoder, on its own */

/*
 * st_json_decode's contract admits any string record inside the header
 * (st_jstring_ok) with an output of dec_len bytes; the header parser only
 * passes strings st_json_string accepted, with their decoded length. On a
 * record that does not describe its bytes, the decoder stops: it never
 * writes outside dst[from .. to) (U-2 in spec/analysis-notes.md).
 */
#define DEC_GUARD 0xA5u

/* Decode raw (the bytes between two quotes) as the record says, into
   out[2 .. 2 + dec_len) of a 16-byte buffer first filled with DEC_GUARD. */
static void decode_guarded(const char *raw, uint32_t dec_len, uint8_t out[16])
{
    uint8_t h[32];
    const uint32_t raw_len = (uint32_t)strlen(raw);
    st_jstring s = {1u, raw_len, dec_len, true};
    cr_assert_lt(raw_len + 2u, sizeof h);
    h[0] = (uint8_t)'"';
    memcpy(&h[1], raw, raw_len);
    h[raw_len + 1u] = (uint8_t)'"';
    memset(out, DEC_GUARD, 16u);
    st_json_decode(h, raw_len + 2u, &s, out, 2u, 2u + dec_len);
}

/* ST-JSON-2: an escape the scanner would refuse: nothing is written. */
Test(st_json_decode, invalid_escape_stops)
{
    uint8_t out[16];
    uint32_t k;
    decode_guarded("\\qab", 3u, out);
    for (k = 0u; k < 16u; k++) {
        cr_assert_eq(out[k], DEC_GUARD, "byte %u written", k);
    }
}

/* ST-JSON-2: an escape longer than the room left: the bytes before it only. */
Test(st_json_decode, escape_beyond_room_stops)
{
    uint8_t out[16];
    uint32_t k;
    decode_guarded("a\\u00e9", 2u, out);   /* decodes to 'a' C3 A9 */
    cr_assert_eq(out[2], (uint8_t)'a');
    for (k = 0u; k < 16u; k++) {
        if (k != 2u) {
            cr_assert_eq(out[k], DEC_GUARD, "byte %u written", k);
        }
    }
}

/* ST-JSON-2: more plain bytes than the room: exactly dec_len of them. */
Test(st_json_decode, plain_bytes_beyond_room_stop)
{
    uint8_t out[16];
    uint32_t k;
    decode_guarded("abc", 2u, out);
    cr_assert_eq(out[2], (uint8_t)'a');
    cr_assert_eq(out[3], (uint8_t)'b');
    for (k = 0u; k < 16u; k++) {
        if ((k != 2u) && (k != 3u)) {
            cr_assert_eq(out[k], DEC_GUARD, "byte %u written", k);
        }
    }
}

/* ST-JSON-2: the same decoder on a record that describes its bytes. */
Test(st_json_decode, accepted_string_decodes_fully)
{
    uint8_t out[16];
    decode_guarded("a\\u00e9\\n", 4u, out);
    cr_assert_eq(out[1], DEC_GUARD);
    cr_assert_eq(out[2], (uint8_t)'a');
    cr_assert_eq(out[3], 0xC3u);
    cr_assert_eq(out[4], 0xA9u);
    cr_assert_eq(out[5], (uint8_t)'\n');
    cr_assert_eq(out[6], DEC_GUARD);
}
