/*
 * test_edges.c -- the edges of the core's branches that the grammar and
 * schema tests do not reach on their own: headers cut at every byte
 * (ST-JSON-1 .. ST-JSON-3, ST-SCHEMA-*), rarer grammar cases (ST-JSON-2,
 * ST-JSON-4, ST-SCHEMA-8), UTF-8 sequences (ST-UTF8-1), and the public
 * functions given arguments outside their documented domain (ST-API-1,
 * ST-API-2): each must still give a defined, documented-style answer.
 *
 * Every compat verdict here goes through the oracle notes, so
 * `make unit-oracle-check` confirms it with the reference.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IHD "InvalidHeaderDeserialization"

/* ------------------------------------------------------------------ */
/* headers cut at every byte                                           */

/*
 * Headers written to pass through as many schema paths as possible:
 * metadata with escapes (one a surrogate pair), an escaped name, a scalar,
 * and (compat only) the array entry form, the object dtype form and an
 * unknown field whose value holds every kind of JSON value.
 */
static const char cut_both[] =
    "{\"__metadata__\":{\"k\\u00e9\":\"v\\ud83d\\ude00\",\"\":\"\"},"
    "\"a\\/b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
    "\"s\":{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[24,25]}}";

/* The same file with whitespace between every two tokens. */
static const char cut_spaced[] =
    "{ \"__metadata__\" :\t{ \"k\\u00e9\" : \"v\\ud83d\\ude00\" , \"\" : \"\" } ,\n"
    "\"a\\/b\" : { \"dtype\" : \"F32\" , \"shape\" : [ 2 , 3 ] ,"
    " \"data_offsets\" : [ 0 , 24 ] } ,\r\n"
    "\"s\" : { \"dtype\" : \"BOOL\" , \"shape\" : [ ] , \"data_offsets\" : [ 24 , 25 ] } }";

static const char cut_compat[] =
    "{\"t\":[{\"F32\" : null} , [1] , [0,4]],"
    "\"u\":{\"dtype\":{\"U8\":null},\"shape\":[1],\"data_offsets\":[4,5],"
    "\"x\":{\"a\":[-1.5e+10,2E-3,0.25,true,false,null,\"\\u0041\"],\"b\":{},\"c\":[]}},"
    "\"__metadata__\":null}";

static const ut_tensor cut_both_t[] = {
    {UT_S("a/b"), ST_F32, 2u, {2u, 3u}, 0u, 24u},
    {UT_S("s"), ST_BOOL, 0u, {0u}, 24u, 25u},
};
static const ut_meta cut_both_m[] = {
    {UT_S(""), UT_S("")},
    {UT_S("k\xc3\xa9"), UT_S("v\xf0\x9f\x98\x80")},
};
static const ut_tensor cut_compat_t[] = {
    {UT_S("t"), ST_F32, 1u, {1u}, 0u, 4u},
    {UT_S("u"), ST_U8, 1u, {1u}, 4u, 5u},
};

/*
 * The header hdr[0..k) as a whole header (prefix N = k, no data). The JSON
 * ends early, so the reference refuses it as InvalidHeaderDeserialization;
 * the core must report a code of that kind, somewhere in the header.
 * `same_strict`: strict must fail identically (the header uses nothing
 * strict refuses); else strict need only refuse.
 */
static void expect_cut_refused(const char *hdr, size_t k, bool same_strict)
{
    uint64_t len = 0u;
    uint8_t *buf = ut_build(hdr, k, 0u, &len);
    ut_result c;
    ut_result s;
    const char *kind;
    ut_parse(&c, buf, len, ST_MODE_COMPAT);
    kind = st_error_reference_kind(c.rc);
    cr_assert(kind != NULL && strcmp(kind, IHD) == 0,
              "prefix of %zu bytes: compat gives %s (kind %s), expected kind " IHD, k,
              st_error_name(c.rc), (kind != NULL) ? kind : "none");
    cr_assert(c.diag.offset >= 8u && c.diag.offset <= 8u + (uint64_t)k,
              "prefix of %zu bytes: offset %llu outside the header", k,
              (unsigned long long)c.diag.offset);
    ut_oracle_note(buf, len, IHD, &c);
    ut_parse(&s, buf, len, ST_MODE_STRICT);
    cr_assert(s.rc != ST_OK, "prefix of %zu bytes: strict accepts", k);
    if (same_strict) {
        cr_assert(s.rc == c.rc && s.diag.offset == c.diag.offset,
                  "prefix of %zu bytes: strict %s at %llu, compat %s at %llu", k,
                  st_error_name(s.rc), (unsigned long long)s.diag.offset,
                  st_error_name(c.rc), (unsigned long long)c.diag.offset);
    }
    ut_result_free(&c);
    ut_result_free(&s);
    free(buf);
}

/* ST-JSON-1, ST-JSON-2, ST-JSON-3, ST-SCHEMA-2..4, ST-META-1: the whole
   headers are accepted, and every proper prefix of them is refused */
Test(st_json_1, every_proper_prefix_refused)
{
    size_t k;
    ut_hdr_accept_both(cut_both, 25u, &UT_TABLE(cut_both_t, cut_both_m, true));
    ut_hdr_accept_both(cut_spaced, 25u, &UT_TABLE(cut_both_t, cut_both_m, true));
    for (k = 0u; k < sizeof cut_both - 1u; k++) {
        expect_cut_refused(cut_both, k, true);
    }
    for (k = 0u; k < sizeof cut_spaced - 1u; k++) {
        expect_cut_refused(cut_spaced, k, true);
    }
}

/* ST-SCHEMA-8 (ST-STRICT-6, ST-STRICT-7, ST-STRICT-8): the compat-only forms,
   accepted whole and refused at every proper prefix */
Test(st_schema_8, every_proper_prefix_of_compat_forms_refused)
{
    size_t k;
    uint64_t len = 0u;
    uint8_t *buf = ut_buildz(cut_compat, 5u, &len);
    ut_accept_compat(buf, len,
                     &UT_FAIL_T(ST_E_STRICT_ARRAY_ENTRY, UT_AT(cut_compat, "[{"), "t"),
                     &UT_TABLE_T(cut_compat_t));
    free(buf);
    for (k = 0u; k < sizeof cut_compat - 1u; k++) {
        expect_cut_refused(cut_compat, k, false);
    }
}

/* ------------------------------------------------------------------ */
/* rarer grammar cases                                                 */

/* ST-SCHEMA-8 / ST-STRICT-7: an object dtype whose value only starts like null */
Test(st_schema_8, dtype_object_value_not_null)
{
    static const char *const values[] = {"nuxl", "nxll", "nulx", "nul", "nu", "n"};
    size_t i;
    for (i = 0u; i < sizeof values / sizeof values[0]; i++) {
        char hdr[160];
        uint64_t len = 0u;
        uint8_t *buf;
        (void)snprintf(hdr, sizeof hdr,
                       "{\"t\":{\"dtype\":{\"F32\":%s},\"shape\":[1],\"data_offsets\":[0,4]}}",
                       values[i]);
        buf = ut_buildz(hdr, 4u, &len);
        cr_log_info("value %s", values[i]);
        ut_reject_modes(buf, len,
                        &UT_FAIL_T(ST_E_STRICT_DTYPE_OBJECT, UT_AT(hdr, "{\"F32"), "t"),
                        &UT_FAIL_T(ST_E_SCHEMA_DTYPE, UT_AT(hdr, values[i]), "t"));
        free(buf);
    }
}

/* ST-JSON-2: a high surrogate followed by an escape that is not a low one */
Test(st_json_2, high_surrogate_then_other_escape)
{
    static const char *const escs[] = {"\\ud800\\uZZZZ", "\\ud800\\ue000", "\\udbff\\uffff",
                                       "\\ud800\\u00"};
    size_t i;
    for (i = 0u; i < sizeof escs / sizeof escs[0]; i++) {
        char hdr[160];
        size_t n = (size_t)snprintf(hdr, sizeof hdr,
                                    "{\"a%s\":{\"dtype\":\"U8\",\"shape\":[1],"
                                    "\"data_offsets\":[0,1]}}",
                                    escs[i]);
        uint64_t len = 0u;
        uint8_t *buf = ut_build(hdr, n, 1u, &len);
        cr_log_info("escape %s", escs[i]);
        /* the escape begins at file offset 11; the error is found in it */
        ut_reject_both(buf, len, &UT_FAIL_ANY(ST_E_JSON_STRING, 11u, 11u + 12u));
        free(buf);
    }
}

/* ST-JSON-4: the decimal exponent saturates at the i32 range both ways */
Test(st_json_4, exponent_saturates)
{
    /* 25 integer digits raise the exponent by 5: with e2147483647 the sum
       passes the i32 maximum, and the value is out of range */
    ut_field_value("1000000000000000000000000e2147483647",
                   &UT_REL(ST_E_JSON_NUMBER, 0u, 36u));
    ut_field_value("1000000000000000000000000e+2147483647",
                   &UT_REL(ST_E_JSON_NUMBER, 0u, 37u));
    /* two fraction digits lower it by 2: below the i32 minimum, a zero */
    ut_field_value("1.00e-2147483647", NULL);
    ut_field_value("-1.00E-2147483647", NULL);
    /* the same numbers as a shape: a number error, else not an integer */
    {
        const char *hdr = "{\"t\":{\"dtype\":\"U8\",\"shape\":[1.00e-2147483647],"
                          "\"data_offsets\":[0,0]}}";
        ut_hdr_reject_both(hdr, 0u, &UT_FAIL_T(ST_E_SCHEMA_INTEGER, UT_AT(hdr, "1.00"), "t"));
    }
}

/* ST-JSON-1: objects and arrays nested in a skipped value (compat) */
Test(st_json_1, skipped_object_with_bad_second_key)
{
    ut_field_value("{\"a\":1, 2}", &UT_REL(ST_E_JSON_SYNTAX, 8u, 8u));
    ut_field_value("{\"a\":1,}", &UT_REL(ST_E_JSON_SYNTAX, 7u, 7u));
    ut_field_value("{\"a\":1 \"b\":2}", &UT_REL(ST_E_JSON_SYNTAX, 7u, 7u));
    ut_field_value("[1 2]", &UT_REL(ST_E_JSON_SYNTAX, 3u, 3u));
    ut_field_value("{\"a\":{\"b\":[{}, [], {\"c\":null}]}, \"d\":\"e\"}", NULL);
}

/*
 * ST-API-1 with ST-JSON-7: an entry error on a tensor whose name has
 * escapes. Found by the measuring pass (no arena), the diagnostic names the
 * raw key as written in the header; with storage, the decoded name.
 */
Test(st_api_1, entry_error_names_the_raw_key_without_arena)
{
    static const char hdr[] =
        "{\"a\\u0062\":{\"dtype\":\"XX\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    uint64_t len = 0u;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    uint8_t arena[16];
    st_storage s;
    st_file f;
    st_diag d;
    st_mode mode;
    for (mode = ST_MODE_STRICT; mode <= ST_MODE_COMPAT; mode = (st_mode)((int)mode + 1)) {
        memset(&s, 0, sizeof s);
        cr_assert_eq(st_parse(buf, len, mode, &s, &f, &d), ST_E_SCHEMA_DTYPE);
        cr_assert_eq(d.offset, UT_AT(hdr, "\"XX"));
        cr_assert(d.name == &buf[10] && d.name_len == 7u &&
                      memcmp(d.name, "a\\u0062", 7u) == 0,
                  "measuring pass: diag.name '%.*s'", (int)d.name_len, (const char *)d.name);
        s.arena = arena;
        s.arena_cap = (uint32_t)sizeof arena;
        cr_assert_eq(st_parse(buf, len, mode, &s, &f, &d), ST_E_SCHEMA_DTYPE);
        cr_assert(d.name == arena && d.name_len == 2u && memcmp(d.name, "ab", 2u) == 0,
                  "with an arena: diag.name '%.*s'", (int)d.name_len, (const char *)d.name);
    }
    ut_oracle_note(buf, len, IHD, NULL);
    free(buf);
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */

/* The header with `seq` between "a" and "b" in a tensor name. */
static uint8_t *name_around(const char *seq, size_t n, uint64_t *len)
{
    const char pre[] = "{\"a";
    const char post[] = "b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    ut_text h = {NULL, 0u, 0u};
    uint8_t *buf;
    ut_text_bytes(&h, pre, sizeof pre - 1u);
    ut_text_bytes(&h, seq, n);
    ut_text_bytes(&h, post, sizeof post - 1u);
    buf = ut_build(h.p, h.n, 1u, len);
    ut_text_free(&h);
    return buf;
}

/* ST-UTF8-1: 4-byte sequences with lead bytes F1..F3 are well-formed */
Test(st_utf8_1, four_byte_sequences_f1_to_f3)
{
    static const char *const seqs[] = {"\xf1\x80\x80\x80", "\xf2\xa0\xbf\x80",
                                       "\xf3\xbf\xbf\xbf"};
    size_t i;
    for (i = 0u; i < sizeof seqs / sizeof seqs[0]; i++) {
        char name[8];
        uint64_t len = 0u;
        uint8_t *buf = name_around(seqs[i], 4u, &len);
        ut_tensor t[1] = {{name, 6u, ST_U8, 1u, {1u}, 0u, 1u}};
        name[0] = 'a';
        memcpy(&name[1], seqs[i], 4u);
        name[5] = 'b';
        ut_accept_both(buf, len, &UT_TABLE_T(t));
        free(buf);
    }
}

/* ST-UTF8-1: a byte from C0..FF or below 80 where a continuation byte is due */
Test(st_utf8_1, continuation_byte_out_of_range)
{
    typedef struct seq {
        const char *b;
        size_t n;
    } seq;
    static const seq seqs[] = {
        {"\xc3\xc0", 2u},         {"\xdf\xff", 2u},         {"\xe1\x80\xc0", 3u},
        {"\xe1\xc0\x80", 3u},     {"\xf1\x80\x7f\x80", 4u}, {"\xf1\x80\xc0\x80", 4u},
        {"\xf1\x80\x80\xc0", 4u}, {"\xf1\xc0\x80\x80", 4u}, {"\xf4\x80\x80\xff", 4u},
        {"\xf0\x90\x41\x80", 4u},
    };
    size_t i;
    for (i = 0u; i < sizeof seqs / sizeof seqs[0]; i++) {
        uint64_t len = 0u;
        uint8_t *buf = name_around(seqs[i].b, seqs[i].n, &len);
        cr_log_info("sequence %zu", i);
        /* the lead byte follows {"a: file offset 8 + 3 */
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_UTF8, 11u));
        free(buf);
    }
}

/* ------------------------------------------------------------------ */
/* arguments outside the documented domain                             */

/* ST-API-2: error codes that are not st_err values get fallback answers */
Test(st_api_2, error_functions_outside_the_enumeration)
{
    static const int codes[] = {5, 9, 15, 39, 48, 65, 79, 82, 1000, -1};
    size_t i;
    for (i = 0u; i < sizeof codes / sizeof codes[0]; i++) {
        st_err e = (st_err)codes[i];
        const char *msg = st_error_message(e);
        cr_assert_str_eq(st_error_name(e), "ST_E_UNKNOWN", "code %d", codes[i]);
        cr_assert_null(st_error_reference_kind(e), "code %d has a kind", codes[i]);
        cr_assert_str_eq(st_error_rule(e), "", "code %d has a rule", codes[i]);
        cr_assert(msg != NULL && msg[0] != '\0' && strchr(msg, '\n') == NULL,
                  "code %d: message must be one non-empty line", codes[i]);
        cr_assert_str_neq(msg, st_error_message(ST_E_ARGUMENT));
    }
}

/* ST-GUAR-1: st_dim beyond the rank is 0 (the shape has no such dimension) */
Test(st_guar_1, dim_beyond_rank_is_zero)
{
    static const char hdr[] =
        "{\"a\":{\"dtype\":\"U8\",\"shape\":[2,3],\"data_offsets\":[0,6]},"
        "\"s\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[6,7]}}";
    uint64_t len = 0u;
    uint8_t *buf = ut_buildz(hdr, 7u, &len);
    ut_result r;
    const st_tensor *a;
    const st_tensor *s;
    ut_parse(&r, buf, len, ST_MODE_STRICT);
    cr_assert_eq(r.rc, ST_OK);
    a = st_find(&r.f, (const uint8_t *)"a", 1u);
    s = st_find(&r.f, (const uint8_t *)"s", 1u);
    cr_assert(a != NULL && s != NULL);
    cr_assert_eq(st_dim(&r.f, a, 1u), 3u);
    cr_assert_eq(st_dim(&r.f, a, 2u), 0u);
    cr_assert_eq(st_dim(&r.f, a, UINT32_MAX), 0u);
    cr_assert_eq(st_dim(&r.f, s, 0u), 0u);
    ut_result_free(&r);
    free(buf);
}

/*
 * ST-API-1: storage whose capacities suffice but one of whose arrays
 * (tensors, order, by_name, dims, meta, meta_order, arena) is NULL is too
 * small: ST_E_STORAGE with the same need, and nothing is stored through the
 * NULL pointer (U-7; under ASan a store through NULL would fault).
 */
Test(st_api_1, null_array_with_a_capacity_is_no_storage)
{
    static const char hdr[] =
        "{\"__metadata__\":{\"k\":\"v\"},"
        "\"a\\u0062\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    uint64_t len = 0u;
    uint8_t *buf = ut_buildz(hdr, 1u, &len);
    st_tensor tensors[1];
    uint32_t order[1];
    uint32_t by_name[1];
    uint64_t dims[1];
    st_meta meta[1];
    uint32_t meta_order[1];
    uint8_t arena[2];
    st_storage full;
    st_storage empty;
    st_file f;
    st_diag d;
    unsigned k;
    memset(&empty, 0, sizeof empty);
    cr_assert_eq(st_parse(buf, len, ST_MODE_STRICT, &empty, &f, &d), ST_E_STORAGE);
    cr_assert(d.need.tensors == 1u && d.need.dims == 1u && d.need.meta == 1u &&
              d.need.arena == 2u);
    memset(&full, 0, sizeof full);
    full.tensors = tensors;
    full.order = order;
    full.by_name = by_name;
    full.tensor_cap = 1u;
    full.dims = dims;
    full.dim_cap = 1u;
    full.meta = meta;
    full.meta_order = meta_order;
    full.meta_cap = 1u;
    full.arena = arena;
    full.arena_cap = 2u;
    for (k = 0u; k < 7u; k++) {
        st_storage s = full;
        st_diag d2;
        if (k == 0u) {
            s.order = NULL;
        } else if (k == 1u) {
            s.by_name = NULL;
        } else if (k == 2u) {
            s.meta_order = NULL;
        } else if (k == 3u) {
            s.tensors = NULL;
        } else if (k == 4u) {
            s.dims = NULL;
        } else if (k == 5u) {
            s.meta = NULL;
        } else {
            s.arena = NULL;
        }
        memset(&d2, 0, sizeof d2);
        cr_assert_eq(st_parse(buf, len, ST_MODE_STRICT, &s, &f, &d2), ST_E_STORAGE,
                     "array %u NULL", k);
        cr_assert(d2.need.tensors == d.need.tensors && d2.need.dims == d.need.dims &&
                      d2.need.meta == d.need.meta && d2.need.arena == d.need.arena,
                  "array %u NULL: the need changed", k);
        cr_assert_eq(f.n_tensors, 0u);
        cr_assert_null(st_tensor_at(&f, 0u));
    }
    cr_assert_eq(st_parse(buf, len, ST_MODE_STRICT, &full, &f, &d), ST_OK);
    cr_assert_eq(f.n_tensors, 1u);
    cr_assert_eq(f.n_meta, 1u);
    free(buf);
}
