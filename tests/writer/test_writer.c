/*
 * test_writer.c -- unit tests of the canonical writer: the core
 * (src/core/st_write.h, ST-WRITE-1 .. ST-WRITE-6) and the atomic file
 * output of the POSIX layer (src/posix/st_posix_write.h, ST-WRITE-7).
 *
 * Each test names the requirement it checks. The known-answer headers were
 * produced by the reference writer (safetensors 0.8.0,
 * safetensors.numpy.save) for the same tensors; tests/writer/diff_writer.py
 * compares with the reference on generated sets. The round-trip tests read
 * every written file back with the core parser, in both modes.
 *
 * Assertions use Criterion's classic macros, which compile cleanly with
 * the project's full warning set.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "st_posix.h"
#include "st_posix_write.h"
#include "st_write.h"
#include "tensorproof.h"

/* A string literal as (pointer, length): embedded NULs count. */
#define W_S(lit) ((const uint8_t *)(lit)), ((uint32_t)(sizeof(lit) - 1u))

#define W_MAX 64u

/* ---------------------------------------------------------------- helpers */

static st_wtensor wt(const uint8_t *name, uint32_t name_len, st_dtype dtype,
                     uint32_t rank, const uint64_t *dims, uint64_t data_len)
{
    st_wtensor t;
    memset(&t, 0, sizeof t);
    t.name = name;
    t.name_len = name_len;
    t.dtype = (uint8_t)dtype;
    t.rank = rank;
    t.dims = dims;
    t.data_len = data_len;
    return t;
}

static st_wmeta wm(const uint8_t *k, uint32_t kn, const uint8_t *v, uint32_t vn)
{
    st_wmeta m;
    m.key = k;
    m.key_len = kn;
    m.value = v;
    m.value_len = vn;
    return m;
}

static st_wset wset(const st_wtensor *t, uint32_t n, const st_wmeta *m,
                    uint32_t nm, bool has_metadata)
{
    st_wset s;
    s.tensors = t;
    s.n_tensors = n;
    s.meta = m;
    s.n_meta = nm;
    s.has_metadata = has_metadata;
    return s;
}

/* Index arrays a plan points into; one per test process is enough. */
static uint32_t g_order[4096];
static uint32_t g_meta_order[4096];

static st_werr plan_of(const st_wset *s, st_wplan *p, st_wdiag *d)
{
    cr_assert(s->n_tensors <= 4096u && s->n_meta <= 4096u);
    return st_write_plan(s, g_order, g_meta_order, p, d);
}

/* The byte of tensor `idx` at data offset `k`: distinct per tensor. */
static uint8_t pattern(uint32_t idx, uint64_t k)
{
    return (uint8_t)((idx * 131u + (uint32_t)(k % 251u) * 7u + 1u) & 0xFFu);
}

/* Header plus data (pattern bytes) of a planned set, malloc'd. */
static uint8_t *write_mem(const st_wplan *p, uint64_t *len)
{
    uint8_t *buf = malloc((size_t)p->file_len + 1u);
    uint64_t written = 0u;
    uint64_t pos;
    uint32_t i;
    cr_assert_not_null(buf);
    cr_assert_eq(st_write_header(p, buf, p->file_len, &written), ST_W_OK);
    cr_assert_eq(written, ST_PREFIX_LEN + p->header_len);
    pos = written;
    for (i = 0u; i < p->set->n_tensors; i++) {
        uint64_t b = 0u;
        uint64_t e = 0u;
        uint32_t idx = st_write_tensor_at(p, i, &b, &e);
        uint64_t k;
        cr_assert_eq(ST_PREFIX_LEN + p->header_len + b, pos, "ST-WRITE-2: contiguous");
        for (k = 0u; k < e - b; k++) {
            buf[pos + k] = pattern(idx, k);
        }
        pos += e - b;
    }
    cr_assert_eq(pos, p->file_len);
    *len = pos;
    return buf;
}

/* A parsed file with the storage it points into. */
typedef struct parsed {
    st_storage st;
    st_file f;
    st_diag d;
    st_err rc;
} parsed;

static void parse_into(parsed *out, const uint8_t *buf, uint64_t len, st_mode mode)
{
    st_need need;
    memset(out, 0, sizeof *out);
    out->rc = st_parse(buf, len, mode, &out->st, &out->f, &out->d);
    if (out->rc == ST_E_STORAGE) {
        need = out->d.need;
        out->st.tensors = calloc(need.tensors + 1u, sizeof *out->st.tensors);
        out->st.order = calloc(need.tensors + 1u, sizeof *out->st.order);
        out->st.by_name = calloc(need.tensors + 1u, sizeof *out->st.by_name);
        out->st.tensor_cap = need.tensors;
        out->st.dims = calloc(need.dims + 1u, sizeof *out->st.dims);
        out->st.dim_cap = need.dims;
        out->st.meta = calloc(need.meta + 1u, sizeof *out->st.meta);
        out->st.meta_order = calloc(need.meta + 1u, sizeof *out->st.meta_order);
        out->st.meta_cap = need.meta;
        out->st.arena = calloc(need.arena + 1u, 1u);
        out->st.arena_cap = need.arena;
        out->rc = st_parse(buf, len, mode, &out->st, &out->f, &out->d);
    }
}

static void parsed_free(parsed *p)
{
    free(p->st.tensors);
    free(p->st.order);
    free(p->st.by_name);
    free(p->st.dims);
    free(p->st.meta);
    free(p->st.meta_order);
    free(p->st.arena);
}

/* The header text of a written file, as a NUL-terminated copy. */
static char *header_text(const uint8_t *buf, uint64_t n)
{
    char *s = malloc((size_t)n + 1u);
    cr_assert_not_null(s);
    memcpy(s, buf + ST_PREFIX_LEN, (size_t)n);
    s[n] = '\0';
    return s;
}

/* Plan, write into memory, compare the prefix and header with `expect`
 * (as the reference wrote them) and check the data section's size. */
static void expect_file(const st_wset *s, const uint8_t *expect, size_t expect_len,
                        uint64_t data_len)
{
    st_wplan p;
    st_wdiag d;
    uint64_t len = 0u;
    uint8_t *buf;
    cr_assert_eq(plan_of(s, &p, &d), ST_W_OK, "plan refused: %s",
                 st_write_error_name(d.code));
    cr_assert_eq(ST_PREFIX_LEN + p.header_len, (uint64_t)expect_len,
                 "header length %llu, expected %zu",
                 (unsigned long long)p.header_len, expect_len - ST_PREFIX_LEN);
    cr_assert_eq(p.data_len, data_len);
    cr_assert_eq(p.file_len, (uint64_t)expect_len + data_len);
    buf = write_mem(&p, &len);
    cr_assert(memcmp(buf, expect, expect_len) == 0,
              "header differs: got %.*s", (int)p.header_len,
              (const char *)buf + ST_PREFIX_LEN);
    free(buf);
}

static void expect_refusal(const st_wset *s, st_werr code, st_wsubject subject,
                           uint32_t index)
{
    st_wplan p;
    st_wdiag d;
    st_werr rc = plan_of(s, &p, &d);
    cr_assert_eq(rc, code, "got %s, expected %s", st_write_error_name(rc),
                 st_write_error_name(code));
    cr_assert_eq(d.code, code);
    cr_assert_eq(d.subject, subject, "subject %d", (int)d.subject);
    cr_assert_eq(d.index, index, "index %u, expected %u", d.index, index);
    cr_assert_eq(p.file_len, 0u);
    cr_assert_eq(p.header_len, 0u);
}

/* ------------------------------------------- ST-WRITE-1 .. 3: known answers */

/* safetensors.numpy.save({"b": u8[2], "a": f32[1,2], "B": f32 scalar,
 * "": f64[0]}, {"k": "v"}) */
static const char kat_mixed[] =
    "\xf0\x00\x00\x00\x00\x00\x00\x00"
    "{\"__metadata__\":{\"k\":\"v\"},"
    "\"\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]},"
    "\"B\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
    "\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[4,12]},"
    "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[12,14]}}";

Test(st_write_1, order_dtype_descending_then_name_bytes)
{
    static const uint64_t d2[] = {2u};
    static const uint64_t d12[] = {1u, 2u};
    static const uint64_t d0[] = {0u};
    st_wtensor t[4];
    st_wmeta m[1];
    st_wset s;
    t[0] = wt(W_S("b"), ST_U8, 1u, d2, 2u);
    t[1] = wt(W_S("a"), ST_F32, 2u, d12, 8u);
    t[2] = wt(W_S("B"), ST_F32, 0u, NULL, 4u);
    t[3] = wt(W_S(""), ST_F64, 1u, d0, 0u);
    m[0] = wm(W_S("k"), W_S("v"));
    s = wset(t, 4u, m, 1u, false);
    expect_file(&s, (const uint8_t *)kat_mixed, sizeof kat_mixed - 1u, 14u);
}

Test(st_write_1, order_every_dtype_and_byte_order_of_names)
{
    /* One tensor per dtype, given in ascending order with names that sort
     * the other way, plus names that differ in a byte >= 0x80, in case,
     * and by a proper prefix. */
    static const uint64_t dims2[] = {2u};
    st_wtensor t[ST_DTYPE_COUNT + 4u];
    char names[ST_DTYPE_COUNT][4];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint32_t i;
    for (i = 0u; i < (uint32_t)ST_DTYPE_COUNT; i++) {
        uint32_t bits = st_dtype_bits((st_dtype)i);
        names[i][0] = (char)('z' - (char)i);
        t[i] = wt((const uint8_t *)names[i], 1u, (st_dtype)i, 1u, dims2,
                  (2u * bits) / 8u);
        if (bits == 6u) {
            /* 2 x 6 bits is not whole bytes: 4 elements are (3 bytes). */
            static const uint64_t dims4[] = {4u};
            t[i].dims = dims4;
            t[i].data_len = 3u;
        }
    }
    t[i] = wt(W_S("\xc3\xa9"), ST_U8, 1u, dims2, 2u);       /* e-acute */
    t[i + 1u] = wt(W_S("Z"), ST_U8, 1u, dims2, 2u);
    t[i + 2u] = wt(W_S("ab"), ST_U8, 1u, dims2, 2u);
    t[i + 3u] = wt(W_S("a"), ST_U8, 1u, dims2, 2u);
    s = wset(t, ST_DTYPE_COUNT + 4u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    /* Independent check of the order: dtype descending, then memcmp. */
    for (i = 1u; i < s.n_tensors; i++) {
        const st_wtensor *a = &t[p.order[i - 1u]];
        const st_wtensor *b = &t[p.order[i]];
        cr_assert(a->dtype >= b->dtype, "ST-WRITE-1: dtype order at %u", i);
        if (a->dtype == b->dtype) {
            uint32_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
            int c = memcmp(a->name, b->name, n);
            cr_assert(c < 0 || (c == 0 && a->name_len < b->name_len),
                      "ST-WRITE-1: name order at %u", i);
        }
    }
    cr_assert_eq(p.order[0], (uint32_t)ST_U64);
    /* U8 group: "Z" < "a" < "ab" < "u..." (the U8 dtype's own) < e-acute */
    {
        uint32_t first = (uint32_t)ST_DTYPE_COUNT - 1u - (uint32_t)ST_U8;
        cr_assert_eq(p.order[first], ST_DTYPE_COUNT + 1u);      /* "Z" */
        cr_assert_eq(p.order[first + 1u], ST_DTYPE_COUNT + 3u); /* "a" */
        cr_assert_eq(p.order[first + 2u], ST_DTYPE_COUNT + 2u); /* "ab" */
        cr_assert_eq(p.order[first + 3u], (uint32_t)ST_U8);
        cr_assert_eq(p.order[first + 4u], (uint32_t)ST_DTYPE_COUNT); /* e-acute */
    }
    cr_assert_eq(p.order[s.n_tensors - 1u], (uint32_t)ST_BOOL);
}

/* safetensors.numpy.save({"x": int8[1]}) */
static const char kat_small[] =
    "8\x00\x00\x00\x00\x00\x00\x00"
    "{\"x\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}   ";

Test(st_write_3, compact_json_fields_and_padding)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[1];
    st_wset s;
    t[0] = wt(W_S("x"), ST_I8, 1u, d1, 1u);
    s = wset(t, 1u, NULL, 0u, false);
    expect_file(&s, (const uint8_t *)kat_small, sizeof kat_small - 1u, 1u);
}

Test(st_write_3, metadata_first_keys_sorted_by_bytes)
{
    static const uint64_t d1[] = {1u};
    static const char expect[] =
        "{\"__metadata__\":{\"\":\"e\",\"A\":\"1\",\"a\":\"2\",\"ab\":\"3\","
        "\"\xc3\xa9\":\"4\"},\"x\":{\"dtype\":\"U8\",\"shape\":[1],"
        "\"data_offsets\":[0,1]}}";
    st_wtensor t[1];
    st_wmeta m[5];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint64_t len = 0u;
    uint8_t *buf;
    char *h;
    t[0] = wt(W_S("x"), ST_U8, 1u, d1, 1u);
    m[0] = wm(W_S("ab"), W_S("3"));
    m[1] = wm(W_S("\xc3\xa9"), W_S("4"));
    m[2] = wm(W_S("a"), W_S("2"));
    m[3] = wm(W_S(""), W_S("e"));
    m[4] = wm(W_S("A"), W_S("1"));
    s = wset(t, 1u, m, 5u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    cr_assert(p.has_metadata, "n_meta > 0 implies __metadata__");
    buf = write_mem(&p, &len);
    cr_assert_eq(p.json_len, sizeof expect - 1u);
    h = header_text(buf, p.json_len);
    cr_assert_str_eq(h, expect);
    free(h);
    free(buf);
}

Test(st_write_3, empty_metadata_map_is_written_first)
{
    /* safetensors.numpy.save({"a": f32[2]}, {}) */
    static const char expect[] =
        "H\x00\x00\x00\x00\x00\x00\x00"
        "{\"__metadata__\":{},\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
        "\"data_offsets\":[0,8]}}";
    static const uint64_t d2[] = {2u};
    st_wtensor t[1];
    st_wset s;
    t[0] = wt(W_S("a"), ST_F32, 1u, d2, 8u);
    s = wset(t, 1u, NULL, 0u, true);
    expect_file(&s, (const uint8_t *)expect, sizeof expect - 1u, 8u);
}

Test(st_write_3, large_integers_in_decimal)
{
    static const uint64_t dims[] = {0u, UINT64_MAX, 10000000000000000000u, 1u};
    static const char expect[] =
        "{\"z\":{\"dtype\":\"U64\",\"shape\":[0,18446744073709551615,"
        "10000000000000000000,1],\"data_offsets\":[0,0]}}";
    st_wtensor t[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint64_t len = 0u;
    uint8_t *buf;
    char *h;
    t[0] = wt(W_S("z"), ST_U64, 4u, dims, 0u);
    s = wset(t, 1u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    buf = write_mem(&p, &len);
    h = header_text(buf, p.json_len);
    cr_assert_str_eq(h, expect);
    free(h);
    free(buf);
}

/* ------------------------------------------------------ ST-WRITE-4: escaping */

Test(st_write_4, escapes_like_serde_json)
{
    /* The name: bytes 0x00..0x1F, '"', '\\', '/', DEL, U+2028, e-acute and
     * U+1F600. Expected text from safetensors.numpy.save. */
    static const char expect[] =
        "{\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n"
        "\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015"
        "\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
        "\\\"\\\\/\x7f\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80\":{\"dtype\":\"U8\","
        "\"shape\":[0],\"data_offsets\":[0,0]}}";
    static const uint64_t d0[] = {0u};
    uint8_t name[64];
    uint32_t n = 0u;
    uint32_t c;
    st_wtensor t[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint64_t len = 0u;
    uint8_t *buf;
    char *h;
    for (c = 0u; c < 0x20u; c++) {
        name[n++] = (uint8_t)c;
    }
    memcpy(name + n, "\"\\/\x7f\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80", 13u);
    n += 13u;
    t[0] = wt(name, n, ST_U8, 1u, d0, 0u);
    s = wset(t, 1u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    buf = write_mem(&p, &len);
    cr_assert_eq(p.json_len, sizeof expect - 1u);
    h = header_text(buf, p.json_len);
    cr_assert(memcmp(h, expect, sizeof expect - 1u) == 0, "got %s", h);
    free(h);
    free(buf);
}

Test(st_write_4, escapes_in_metadata_keys_and_values)
{
    static const char expect[] =
        "{\"__metadata__\":{\"\\u0001\":\"\xc3\xa9\\n\\\"\"}}";
    st_wmeta m[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint64_t len = 0u;
    uint8_t *buf;
    char *h;
    m[0] = wm(W_S("\x01"), W_S("\xc3\xa9\n\""));
    s = wset(NULL, 0u, m, 1u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    buf = write_mem(&p, &len);
    h = header_text(buf, p.json_len);
    cr_assert_str_eq(h, expect);
    free(h);
    free(buf);
}

/* ------------------------------------------------------- ST-WRITE-5: padding */

Test(st_write_5, padded_to_multiple_of_8_with_spaces)
{
    /* Names of 0..15 bytes give every residue of the JSON length mod 8. */
    static const uint64_t d1[] = {1u};
    static const uint8_t letters[16] = "abcdefghijklmnop";
    uint32_t n;
    uint32_t residues = 0u;
    for (n = 0u; n < 16u; n++) {
        st_wtensor t[1];
        st_wset s;
        st_wplan p;
        st_wdiag d;
        uint64_t len = 0u;
        uint8_t *buf;
        uint64_t k;
        uint64_t stored = 0u;
        t[0] = wt(letters, n, ST_BOOL, 1u, d1, 1u);
        s = wset(t, 1u, NULL, 0u, false);
        cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
        buf = write_mem(&p, &len);
        residues |= 1u << (p.json_len % 8u);
        cr_assert_eq(p.header_len % 8u, 0u, "ST-WRITE-5: N multiple of 8");
        cr_assert(p.header_len >= p.json_len && p.header_len - p.json_len < 8u);
        for (k = 0u; k < 8u; k++) {
            stored |= (uint64_t)buf[k] << (8u * k);
        }
        cr_assert_eq(stored, p.header_len, "ST-LAYOUT-1: prefix is N, little-endian");
        for (k = p.json_len; k < p.header_len; k++) {
            cr_assert_eq(buf[ST_PREFIX_LEN + k], 0x20u, "padding byte at %llu",
                         (unsigned long long)k);
        }
        cr_assert_eq(buf[ST_PREFIX_LEN + p.json_len - 1u], (uint8_t)'}');
        free(buf);
    }
    cr_assert_eq(residues, 0xFFu, "all residues mod 8 exercised");
}

/* A metadata value of q control bytes (6 bytes each once escaped) and r
 * letters: lets a test hit an exact header length. */
static uint8_t *filler(uint64_t q, uint64_t r)
{
    uint8_t *v = malloc((size_t)(q + r + 1u));
    cr_assert_not_null(v);
    memset(v, 0x01, (size_t)q);
    memset(v + q, 'x', (size_t)r);
    return v;
}

Test(st_write_5, header_cap_is_inclusive, .timeout = 120)
{
    st_wmeta m[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint64_t base;
    uint64_t room;
    uint8_t *v;
    uint8_t *buf;
    uint64_t written = 0u;
    parsed r;

    m[0] = wm(W_S(""), NULL, 0u);
    s = wset(NULL, 0u, m, 1u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    base = p.json_len;   /* {"__metadata__":{"":""}} */
    room = (uint64_t)ST_HEADER_MAX - base;
    v = filler(room / 6u, room % 6u);
    m[0] = wm(W_S(""), v, (uint32_t)(room / 6u + room % 6u));
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK, "exactly 1e8 bytes is allowed");
    cr_assert_eq(p.json_len, (uint64_t)ST_HEADER_MAX);
    cr_assert_eq(p.header_len, (uint64_t)ST_HEADER_MAX);
    /* The file at the cap is readable. */
    buf = malloc((size_t)p.file_len);
    cr_assert_not_null(buf);
    cr_assert_eq(st_write_header(&p, buf, p.file_len, &written), ST_W_OK);
    parse_into(&r, buf, written, ST_MODE_STRICT);
    cr_assert_eq(r.rc, ST_OK, "parse: %s", st_error_name(r.rc));
    cr_assert_eq(r.f.n_meta, 1u);
    cr_assert_eq(st_meta_at(&r.f, 0u)->value_len, m[0].value_len);
    parsed_free(&r);
    free(buf);
    free(v);
    /* One byte more is refused. */
    v = filler(room / 6u, room % 6u + 1u);
    m[0] = wm(W_S(""), v, (uint32_t)(room / 6u + room % 6u + 1u));
    expect_refusal(&s, ST_W_HEADER_TOO_LARGE, ST_W_AT_NONE, 0u);
    free(v);
}

Test(st_write_5, padding_never_crosses_the_cap)
{
    /* JSON of 1e8 - 3 bytes pads to 1e8: allowed. */
    st_wmeta m[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint64_t room;
    uint8_t *v;
    m[0] = wm(W_S(""), NULL, 0u);
    s = wset(NULL, 0u, m, 1u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    room = (uint64_t)ST_HEADER_MAX - p.json_len - 3u;
    v = filler(0u, room);
    m[0] = wm(W_S(""), v, (uint32_t)room);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    cr_assert_eq(p.json_len, (uint64_t)ST_HEADER_MAX - 3u);
    cr_assert_eq(p.header_len, (uint64_t)ST_HEADER_MAX);
    free(v);
}

/* ---------------------------------------------- ST-WRITE-6: refusals, in order */

Test(st_write_6, duplicate_names_same_dtype)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[3];
    st_wset s;
    t[0] = wt(W_S("w"), ST_U8, 1u, d1, 1u);
    t[1] = wt(W_S("v"), ST_U8, 1u, d1, 1u);
    t[2] = wt(W_S("w"), ST_U8, 1u, d1, 1u);
    s = wset(t, 3u, NULL, 0u, false);
    expect_refusal(&s, ST_W_DUP_NAME, ST_W_AT_TENSOR, 2u);
}

Test(st_write_6, duplicate_names_different_dtypes)
{
    /* Canonical order would separate them (U64 first, BOOL last): the
     * duplicate check sorts by name on its own. */
    static const uint64_t d1[] = {1u};
    st_wtensor t[4];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    t[0] = wt(W_S("dup\x00"), ST_BOOL, 1u, d1, 1u);
    t[1] = wt(W_S("a"), ST_I32, 1u, d1, 4u);
    t[2] = wt(W_S("b"), ST_F16, 1u, d1, 2u);
    t[3] = wt(W_S("dup\x00"), ST_U64, 1u, d1, 8u);
    s = wset(t, 4u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_DUP_NAME);
    cr_assert_eq(d.index, 3u);
    cr_assert_eq(d.other, 0u);
    /* Differing only after an embedded NUL is not a duplicate. */
    t[3] = wt(W_S("dup\x00x"), ST_U64, 1u, d1, 8u);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
}

Test(st_write_6, reserved_name)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[2];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    t[0] = wt(W_S("ok"), ST_U8, 1u, d1, 1u);
    t[1] = wt(W_S("__metadata__"), ST_U8, 1u, d1, 1u);
    s = wset(t, 2u, NULL, 0u, false);
    expect_refusal(&s, ST_W_RESERVED_NAME, ST_W_AT_TENSOR, 1u);
    /* Near misses are ordinary names. */
    t[1] = wt(W_S("__metadata_"), ST_U8, 1u, d1, 1u);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    t[1] = wt(W_S("__metadata__ "), ST_U8, 1u, d1, 1u);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
}

Test(st_write_6, unknown_dtype)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[1];
    st_wset s;
    t[0] = wt(W_S("x"), ST_U8, 1u, d1, 1u);
    t[0].dtype = (uint8_t)ST_DTYPE_COUNT;
    s = wset(t, 1u, NULL, 0u, false);
    expect_refusal(&s, ST_W_DTYPE, ST_W_AT_TENSOR, 0u);
    t[0].dtype = 255u;
    expect_refusal(&s, ST_W_DTYPE, ST_W_AT_TENSOR, 0u);
}

Test(st_write_6, size_mismatch)
{
    static const uint64_t d23[] = {2u, 3u};
    st_wtensor t[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    t[0] = wt(W_S("x"), ST_F32, 2u, d23, 24u);
    s = wset(t, 1u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    t[0].data_len = 23u;
    expect_refusal(&s, ST_W_SIZE_MISMATCH, ST_W_AT_TENSOR, 0u);
    t[0].data_len = 25u;
    expect_refusal(&s, ST_W_SIZE_MISMATCH, ST_W_AT_TENSOR, 0u);
    t[0].data_len = 0u;
    expect_refusal(&s, ST_W_SIZE_MISMATCH, ST_W_AT_TENSOR, 0u);
}

Test(st_write_6, sub_byte_sizes_must_fill_whole_bytes)
{
    static const uint64_t d1[] = {1u};
    static const uint64_t d2[] = {2u};
    static const uint64_t d3[] = {3u};
    static const uint64_t d4[] = {4u};
    static const uint64_t d23[] = {2u, 3u};
    st_wtensor t[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    s = wset(t, 1u, NULL, 0u, false);
    t[0] = wt(W_S("f4"), ST_F4, 0u, NULL, 0u);           /* scalar: 4 bits */
    expect_refusal(&s, ST_W_MISALIGNED, ST_W_AT_TENSOR, 0u);
    t[0] = wt(W_S("f4"), ST_F4, 1u, d3, 1u);             /* 12 bits */
    expect_refusal(&s, ST_W_MISALIGNED, ST_W_AT_TENSOR, 0u);
    t[0] = wt(W_S("f4"), ST_F4, 1u, d2, 1u);             /* 8 bits */
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    t[0] = wt(W_S("f4"), ST_F4, 2u, d23, 3u);            /* odd last dim, 24 bits */
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    t[0] = wt(W_S("f6"), ST_F6_E2M3, 1u, d1, 1u);        /* 6 bits */
    expect_refusal(&s, ST_W_MISALIGNED, ST_W_AT_TENSOR, 0u);
    t[0] = wt(W_S("f6"), ST_F6_E3M2, 1u, d2, 2u);        /* 12 bits */
    expect_refusal(&s, ST_W_MISALIGNED, ST_W_AT_TENSOR, 0u);
    t[0] = wt(W_S("f6"), ST_F6_E3M2, 1u, d4, 3u);        /* 24 bits */
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
}

Test(st_write_6, element_and_bit_count_overflow)
{
    static const uint64_t big_2_0[] = {9223372036854775808u, 2u, 0u};
    static const uint64_t big_0_2[] = {9223372036854775808u, 0u, 2u};
    static const uint64_t bits_over[] = {4611686018427387904u};  /* 2^62 x 64 bits */
    static const uint64_t all_u8[] = {18446744073709551615u};
    st_wtensor t[2];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    s = wset(t, 1u, NULL, 0u, false);
    /* Left to right, like the reader: [2^63, 2, 0] overflows... */
    t[0] = wt(W_S("x"), ST_U8, 3u, big_2_0, 0u);
    expect_refusal(&s, ST_W_OVERFLOW, ST_W_AT_TENSOR, 0u);
    /* ...[2^63, 0, 2] does not. */
    t[0] = wt(W_S("x"), ST_U8, 3u, big_0_2, 0u);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    t[0] = wt(W_S("x"), ST_I64, 1u, bits_over, 0u);
    expect_refusal(&s, ST_W_OVERFLOW, ST_W_AT_TENSOR, 0u);
    /* 2^64 - 1 bytes of U8 is 2^67 - 8 bits: the bit count overflows. */
    t[0] = wt(W_S("x"), ST_U8, 1u, all_u8, UINT64_MAX);
    expect_refusal(&s, ST_W_OVERFLOW, ST_W_AT_TENSOR, 0u);
}

Test(st_write_6, total_and_file_size_overflow)
{
    /* A tensor's bit count must fit in 64 bits, so a tensor holds at most
     * B = 2^61 - 1 bytes. Seven of them fit; eight (2^64 - 8 bytes) fit
     * the data section but not together with the prefix and the header
     * (a file-level refusal); nine overflow the data section (the ninth
     * is blamed). */
    static const uint64_t b[] = {2305843009213693951u};
    static const char names[9][2] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    st_wtensor t[9];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint32_t i;
    for (i = 0u; i < 9u; i++) {
        t[i] = wt((const uint8_t *)names[i], 1u, ST_U8, 1u, b, b[0]);
    }
    s = wset(t, 7u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    cr_assert_eq(p.data_len, 7u * b[0]);
    s = wset(t, 8u, NULL, 0u, false);
    expect_refusal(&s, ST_W_OVERFLOW, ST_W_AT_NONE, 0u);
    s = wset(t, 9u, NULL, 0u, false);
    expect_refusal(&s, ST_W_OVERFLOW, ST_W_AT_TENSOR, 8u);
}

Test(st_write_6, names_keys_values_must_be_utf8)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[1];
    st_wmeta m[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    s = wset(t, 1u, NULL, 0u, false);
    t[0] = wt(W_S("\xc0\x80"), ST_U8, 1u, d1, 1u);        /* overlong NUL */
    expect_refusal(&s, ST_W_UTF8, ST_W_AT_TENSOR, 0u);
    t[0] = wt(W_S("\xed\xa0\x80"), ST_U8, 1u, d1, 1u);    /* surrogate */
    expect_refusal(&s, ST_W_UTF8, ST_W_AT_TENSOR, 0u);
    t[0] = wt(W_S("ab\xe2\x80"), ST_U8, 1u, d1, 1u);      /* truncated */
    expect_refusal(&s, ST_W_UTF8, ST_W_AT_TENSOR, 0u);
    t[0] = wt(W_S("\xf4\x90\x80\x80"), ST_U8, 1u, d1, 1u); /* > U+10FFFF */
    expect_refusal(&s, ST_W_UTF8, ST_W_AT_TENSOR, 0u);
    t[0] = wt(W_S("ok"), ST_U8, 1u, d1, 1u);
    s = wset(t, 1u, m, 1u, false);
    m[0] = wm(W_S("\xff"), W_S("v"));
    expect_refusal(&s, ST_W_UTF8, ST_W_AT_META, 0u);
    m[0] = wm(W_S("k"), W_S("\x80"));
    expect_refusal(&s, ST_W_UTF8, ST_W_AT_META, 0u);
    m[0] = wm(W_S("k"), W_S("\xf0\x9f\x98\x80"));
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
}

Test(st_write_6, duplicate_metadata_keys)
{
    st_wmeta m[3];
    st_wset s;
    m[0] = wm(W_S("k"), W_S("1"));
    m[1] = wm(W_S("j"), W_S("2"));
    m[2] = wm(W_S("k"), W_S("1"));
    s = wset(NULL, 0u, m, 3u, false);
    expect_refusal(&s, ST_W_DUP_META_KEY, ST_W_AT_META, 2u);
}

Test(st_write_6, refusal_order_tensor_checks_before_duplicates)
{
    /* A duplicate and a later size mismatch: the per-tensor checks run
     * first, in caller order. */
    static const uint64_t d1[] = {1u};
    st_wtensor t[3];
    st_wset s;
    t[0] = wt(W_S("a"), ST_U8, 1u, d1, 1u);
    t[1] = wt(W_S("a"), ST_U8, 1u, d1, 1u);
    t[2] = wt(W_S("c"), ST_U8, 1u, d1, 2u);
    s = wset(t, 3u, NULL, 0u, false);
    expect_refusal(&s, ST_W_SIZE_MISMATCH, ST_W_AT_TENSOR, 2u);
}

Test(st_write_6, null_arrays_are_argument_errors)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[1];
    st_wmeta m[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    t[0] = wt(W_S("a"), ST_U8, 1u, d1, 1u);
    m[0] = wm(W_S("k"), W_S("v"));
    s = wset(NULL, 1u, NULL, 0u, false);
    cr_assert_eq(st_write_plan(&s, g_order, g_meta_order, &p, &d), ST_W_ARGUMENT);
    s = wset(t, 1u, NULL, 0u, false);
    cr_assert_eq(st_write_plan(&s, NULL, g_meta_order, &p, &d), ST_W_ARGUMENT);
    s = wset(t, 1u, m, 1u, false);
    cr_assert_eq(st_write_plan(&s, g_order, NULL, &p, &d), ST_W_ARGUMENT);
    t[0] = wt(NULL, 3u, ST_U8, 1u, d1, 1u);
    cr_assert_eq(st_write_plan(&s, g_order, g_meta_order, &p, &d), ST_W_ARGUMENT);
    t[0] = wt(W_S("a"), ST_U8, 1u, NULL, 1u);
    cr_assert_eq(st_write_plan(&s, g_order, g_meta_order, &p, &d), ST_W_ARGUMENT);
    /* Empty names and scalars may use NULL. */
    t[0] = wt(NULL, 0u, ST_U8, 0u, NULL, 1u);
    m[0] = wm(NULL, 0u, NULL, 0u);
    cr_assert_eq(st_write_plan(&s, g_order, g_meta_order, &p, &d), ST_W_OK);
}

Test(st_write_6, empty_set_writes_readable_files)
{
    /* No tensors and no metadata: "{}" padded; no tensors and an empty
     * map: "__metadata__":{} (the reference writes an unreadable header
     * for that case). Both must parse in both modes. */
    static const char *const expect[2] = {"{}      ", "{\"__metadata__\":{}}     "};
    uint32_t k;
    for (k = 0u; k < 2u; k++) {
        st_wset s = wset(NULL, 0u, NULL, 0u, k == 1u);
        st_wplan p;
        st_wdiag d;
        uint64_t len = 0u;
        uint8_t *buf;
        parsed r;
        st_mode mode;
        cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
        buf = write_mem(&p, &len);
        cr_assert_eq(len, ST_PREFIX_LEN + strlen(expect[k]));
        cr_assert(memcmp(buf + ST_PREFIX_LEN, expect[k], strlen(expect[k])) == 0);
        for (mode = ST_MODE_STRICT; mode <= ST_MODE_COMPAT;
             mode = (st_mode)((int)mode + 1)) {
            parse_into(&r, buf, len, mode);
            cr_assert_eq(r.rc, ST_OK, "%s", st_error_name(r.rc));
            cr_assert_eq(r.f.n_tensors, 0u);
            cr_assert_eq(r.f.has_metadata, k == 1u);
            parsed_free(&r);
        }
        free(buf);
    }
}

/* --------------------------------------------- st_write_header: the bounds */

Test(st_write_header, never_writes_past_the_computed_size)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint8_t buf[256];
    uint64_t written = 99u;
    uint64_t k;
    t[0] = wt(W_S("x"), ST_I8, 1u, d1, 1u);
    s = wset(t, 1u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    /* Too small by one: refused, nothing written. */
    memset(buf, 0xAA, sizeof buf);
    cr_assert_eq(st_write_header(&p, buf, ST_PREFIX_LEN + p.header_len - 1u, &written),
                 ST_W_STORAGE);
    cr_assert_eq(written, 0u);
    for (k = 0u; k < sizeof buf; k++) {
        cr_assert_eq(buf[k], 0xAAu);
    }
    /* Larger than needed: exactly 8 + N bytes written. */
    cr_assert_eq(st_write_header(&p, buf, sizeof buf, &written), ST_W_OK);
    cr_assert_eq(written, ST_PREFIX_LEN + p.header_len);
    for (k = written; k < sizeof buf; k++) {
        cr_assert_eq(buf[k], 0xAAu, "byte %llu beyond the header touched",
                     (unsigned long long)k);
    }
}

Test(st_write_header, a_set_changed_after_planning_is_detected)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[1];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint8_t buf[512];
    uint64_t written = 0u;
    uint64_t k;
    t[0] = wt(W_S("x"), ST_I8, 1u, d1, 1u);
    s = wset(t, 1u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    t[0] = wt(W_S("a much longer name than before"), ST_I8, 1u, d1, 1u);
    memset(buf, 0xAA, sizeof buf);
    cr_assert_eq(st_write_header(&p, buf, sizeof buf, &written), ST_W_ARGUMENT);
    for (k = ST_PREFIX_LEN + p.header_len; k < sizeof buf; k++) {
        cr_assert_eq(buf[k], 0xAAu);
    }
    /* A shorter name: the length no longer matches the plan either. */
    t[0] = wt(W_S(""), ST_I8, 1u, d1, 1u);
    cr_assert_eq(st_write_header(&p, buf, sizeof buf, &written), ST_W_ARGUMENT);
}

/* st_write_header does not rely on the plan's checks still holding: a dtype
 * changed out of range prints no name, and data lengths changed so that
 * the running offset would pass 2^64 are refused by the layout check
 * before anything is emitted (ST-WRITE-3, U-6, U-11). */
Test(st_write_header, a_changed_dtype_or_size_is_refused_without_overflow)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[2];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint8_t buf[512];
    uint64_t written = 7u;
    uint64_t k;
    t[0] = wt(W_S("a"), ST_I8, 1u, d1, 1u);
    t[1] = wt(W_S("b"), ST_I8, 1u, d1, 1u);
    s = wset(t, 2u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);

    t[0].dtype = (uint8_t)ST_DTYPE_COUNT;
    memset(buf, 0xAA, sizeof buf);
    cr_assert_eq(st_write_header(&p, buf, sizeof buf, &written), ST_W_ARGUMENT);
    cr_assert_eq(written, 0u);
    for (k = ST_PREFIX_LEN + p.header_len; k < sizeof buf; k++) {
        cr_assert_eq(buf[k], 0xAAu);
    }

    t[0].dtype = (uint8_t)ST_I8;
    t[0].data_len = UINT64_MAX;
    written = 7u;
    memset(buf, 0xAA, sizeof buf);
    cr_assert_eq(st_write_header(&p, buf, sizeof buf, &written), ST_W_ARGUMENT);
    cr_assert_eq(written, 0u);
    for (k = ST_PREFIX_LEN + p.header_len; k < sizeof buf; k++) {
        cr_assert_eq(buf[k], 0xAAu);
    }

    /* Restored: the plan is valid again and the header is written. */
    t[0].data_len = 1u;
    cr_assert_eq(st_write_header(&p, buf, sizeof buf, &written), ST_W_OK);
    cr_assert_eq(written, ST_PREFIX_LEN + p.header_len);
}

Test(st_write_errors, every_code_has_a_name_rule_and_message)
{
    int e;
    for (e = 0; e <= (int)ST_W_ARGUMENT; e++) {
        cr_assert_not_null(st_write_error_name((st_werr)e));
        cr_assert_not_null(st_write_error_rule((st_werr)e));
        cr_assert(strlen(st_write_error_message((st_werr)e)) > 0u);
    }
    cr_assert_str_eq(st_write_error_name(ST_W_DUP_NAME), "ST_W_DUP_NAME");
    cr_assert_str_eq(st_write_error_rule(ST_W_RESERVED_NAME), "ST-WRITE-6");
    cr_assert_str_eq(st_write_error_name((st_werr)99), "ST_W_ARGUMENT");
}

/* ------------------------------------------- round trips on generated sets */

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static uint32_t rnd(uint32_t n)
{
    return (uint32_t)(rng() % n);
}

/* Pieces names are made of: ASCII, every kind of escape, multi-byte UTF-8. */
static const char *const pieces[] = {
    "a", "b", "Z", "0", ".", "_", "\"", "\\", "/", "\x7f", "\x00", "\x01",
    "\x08", "\x09", "\x0a", "\x0c", "\x0d", "\x1f", "\xc3\xa9", "\xe2\x80\xa8",
    "\xef\xbf\xbf", "\xf0\x9f\x98\x80", "__metadata__",
};
static const uint32_t piece_len[] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 4, 12,
};

#define G_NAME_MAX 48u

typedef struct gen_set {
    st_wtensor t[W_MAX];
    uint8_t names[W_MAX][G_NAME_MAX];
    uint64_t dims[W_MAX][4];
    st_wmeta m[4];
    uint8_t keys[4][G_NAME_MAX];
    uint8_t values[4][G_NAME_MAX];
    st_wset s;
} gen_set;

static uint32_t gen_name(uint8_t *out)
{
    uint32_t n = 0u;
    uint32_t parts = rnd(5u);
    uint32_t k;
    for (k = 0u; k < parts; k++) {
        uint32_t i = rnd((uint32_t)(sizeof pieces / sizeof pieces[0]));
        memcpy(out + n, pieces[i], piece_len[i]);
        n += piece_len[i];
    }
    return n;
}

static bool same_bytes(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn)
{
    return an == bn && (an == 0u || memcmp(a, b, an) == 0);
}

static void gen(gen_set *g)
{
    uint32_t n = rnd(12u);
    uint32_t nm = rnd(4u);
    uint32_t i;
    uint32_t j;
    memset(g, 0, sizeof *g);
    for (i = 0u; i < n; i++) {
        st_wtensor *t = &g->t[i];
        uint64_t nelem;
        uint32_t bits;
        bool fresh;
        do {
            t->name = g->names[i];
            t->name_len = gen_name(g->names[i]);
            fresh = !same_bytes(t->name, t->name_len, W_S("__metadata__"));
            for (j = 0u; j < i && fresh; j++) {
                fresh = !same_bytes(t->name, t->name_len, g->t[j].name, g->t[j].name_len);
            }
        } while (!fresh);
        do {
            t->dtype = (uint8_t)rnd((uint32_t)ST_DTYPE_COUNT);
            t->rank = rnd(5u);
            nelem = 1u;
            for (j = 0u; j < t->rank; j++) {
                g->dims[i][j] = rnd(7u);
                nelem *= g->dims[i][j];
            }
            bits = st_dtype_bits((st_dtype)t->dtype);
        } while ((nelem * bits) % 8u != 0u);
        t->dims = t->rank > 0u ? g->dims[i] : NULL;
        t->data_len = nelem * bits / 8u;
    }
    for (i = 0u; i < nm; i++) {
        bool fresh;
        do {
            g->m[i].key = g->keys[i];
            g->m[i].key_len = gen_name(g->keys[i]);
            fresh = true;
            for (j = 0u; j < i && fresh; j++) {
                fresh = !same_bytes(g->m[i].key, g->m[i].key_len, g->m[j].key,
                                    g->m[j].key_len);
            }
        } while (!fresh);
        g->m[i].value = g->values[i];
        g->m[i].value_len = gen_name(g->values[i]);
    }
    g->s = wset(g->t, n, g->m, nm, rnd(2u) == 0u);
}

/* A writer set describing a parsed file (what `normalize` does). */
static void set_from_parsed(const st_file *f, st_wtensor *t, st_wmeta *m, st_wset *s)
{
    uint32_t i;
    for (i = 0u; i < f->n_tensors; i++) {
        const st_tensor *x = st_tensor_at(f, i);
        t[i] = wt(x->name, x->name_len, (st_dtype)x->dtype, x->rank,
                  x->rank > 0u ? &f->st->dims[x->dims_at] : NULL, x->end - x->begin);
    }
    for (i = 0u; i < f->n_meta; i++) {
        const st_meta *x = st_meta_at(f, i);
        m[i] = wm(x->key, x->key_len, x->value, x->value_len);
    }
    *s = wset(t, f->n_tensors, m, f->n_meta, f->has_metadata);
}

static void check_round_trip(const gen_set *g, uint32_t seed)
{
    st_wplan p;
    st_wdiag d;
    uint64_t len = 0u;
    uint8_t *buf;
    st_mode mode;
    cr_assert_eq(plan_of(&g->s, &p, &d), ST_W_OK, "seed %u: %s", seed,
                 st_write_error_name(d.code));
    buf = write_mem(&p, &len);
    for (mode = ST_MODE_STRICT; mode <= ST_MODE_COMPAT; mode = (st_mode)((int)mode + 1)) {
        parsed r;
        uint32_t i;
        parse_into(&r, buf, len, mode);
        cr_assert_eq(r.rc, ST_OK, "seed %u mode %d: %s at %llu", seed, (int)mode,
                     st_error_name(r.rc), (unsigned long long)r.d.offset);
        /* parse(write(x)) == x */
        cr_assert_eq(r.f.n_tensors, g->s.n_tensors, "seed %u", seed);
        cr_assert_eq(r.f.has_metadata, g->s.has_metadata || g->s.n_meta > 0u);
        cr_assert_eq(r.f.n_meta, g->s.n_meta);
        for (i = 0u; i < g->s.n_tensors; i++) {
            const st_wtensor *w = &g->t[i];
            const st_tensor *x = st_find(&r.f, w->name, w->name_len);
            const uint8_t *data;
            uint64_t size = 0u;
            uint64_t k;
            uint32_t dd;
            cr_assert_not_null(x, "seed %u: tensor %u not found", seed, i);
            cr_assert_eq(x->dtype, w->dtype);
            cr_assert_eq(x->rank, w->rank);
            for (dd = 0u; dd < w->rank; dd++) {
                cr_assert_eq(st_dim(&r.f, x, dd), w->dims[dd]);
            }
            data = st_tensor_data(&r.f, x, &size);
            cr_assert_eq(size, w->data_len);
            for (k = 0u; k < size; k++) {
                cr_assert_eq(data[k], pattern(i, k), "seed %u: data of tensor %u", seed, i);
            }
        }
        for (i = 0u; i < g->s.n_meta; i++) {
            const st_meta *x = st_meta_at(&r.f, i);
            const st_wmeta *w = &g->m[p.meta_order[i]];
            cr_assert(same_bytes(x->key, x->key_len, w->key, w->key_len));
            cr_assert(same_bytes(x->value, x->value_len, w->value, w->value_len));
        }
        /* write(parse(f)) == f: f is canonical. */
        {
            st_wtensor t2[W_MAX];
            st_wmeta m2[4];
            st_wset s2;
            st_wplan p2;
            uint32_t order2[W_MAX];
            uint32_t meta_order2[4];
            uint8_t *buf2 = malloc((size_t)len + 1u);
            uint64_t written = 0u;
            uint64_t pos;
            cr_assert_not_null(buf2);
            set_from_parsed(&r.f, t2, m2, &s2);
            cr_assert_eq(st_write_plan(&s2, order2, meta_order2, &p2, &d), ST_W_OK);
            cr_assert_eq(p2.file_len, len, "seed %u: rewrite changes the size", seed);
            cr_assert_eq(st_write_header(&p2, buf2, len, &written), ST_W_OK);
            pos = written;
            for (i = 0u; i < s2.n_tensors; i++) {
                uint64_t b = 0u;
                uint64_t e = 0u;
                uint32_t idx = st_write_tensor_at(&p2, i, &b, &e);
                uint64_t size = 0u;
                const uint8_t *data = st_tensor_data(&r.f, st_tensor_at(&r.f, idx), &size);
                if (size > 0u) {
                    memcpy(buf2 + pos, data, (size_t)size);
                }
                pos += size;
            }
            cr_assert_eq(pos, len);
            cr_assert(memcmp(buf, buf2, (size_t)len) == 0,
                      "seed %u: write(parse(f)) != f", seed);
            free(buf2);
        }
        parsed_free(&r);
    }
    free(buf);
}

Test(round_trip, generated_sets)
{
    static gen_set g;
    uint32_t seed;
    for (seed = 1u; seed <= 600u; seed++) {
        rng_state = 0x9E3779B97F4A7C15u ^ ((uint64_t)seed * 0x100000001B3u);
        gen(&g);
        check_round_trip(&g, seed);
    }
}

/* ------------------------------------------------- ST-WRITE-7: file output */

static char g_dir[256];

static void make_dir(void)
{
    (void)snprintf(g_dir, sizeof g_dir, "/tmp/tp-writer-XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir));
}

/* Entries in g_dir other than . and .. */
static uint32_t dir_entries(char names[][256], uint32_t cap)
{
    DIR *dir = opendir(g_dir);
    struct dirent *e;
    uint32_t n = 0u;
    cr_assert_not_null(dir);
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            if (n < cap) {
                (void)snprintf(names[n], 256u, "%s", e->d_name);
            }
            n++;
        }
    }
    (void)closedir(dir);
    return n;
}

static void remove_dir(void)
{
    char names[16][256];
    uint32_t n = dir_entries(names, 16u);
    uint32_t i;
    char path[4608];
    for (i = 0u; i < n && i < 16u; i++) {
        (void)snprintf(path, sizeof path, "%s/%s", g_dir, names[i]);
        (void)unlink(path);
    }
    (void)rmdir(g_dir);
}

static uint8_t *read_whole(const char *path, uint64_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    cr_assert(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1u);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1u, (size_t)n, f), (size_t)n);
    (void)fclose(f);
    *len = (uint64_t)n;
    return buf;
}

typedef struct cb_ctx {
    uint32_t idx;
    uint64_t fail_at;     /* return an error when a read reaches this offset */
    size_t max_len;       /* largest request seen */
    uint64_t next;        /* next expected offset */
    uint32_t calls;
} cb_ctx;

static int cb_read(void *ctx, uint64_t offset, uint8_t *buf, size_t len,
                   const char **detail)
{
    cb_ctx *c = ctx;
    int rc = 0;
    size_t k;
    (void)detail;
    c->calls++;
    cr_assert_eq(offset, c->next, "reads come in order");
    if (len > c->max_len) {
        c->max_len = len;
    }
    if (offset + len > c->fail_at) {
        rc = EIO;
    } else {
        for (k = 0u; k < len; k++) {
            buf[k] = pattern(c->idx, offset + k);
        }
        c->next = offset + len;
    }
    return rc;
}

/* Three tensors: one from memory, two through callbacks. */
typedef struct file_case {
    uint64_t dims[3][1];
    st_wtensor t[3];
    st_wsource src[3];
    cb_ctx ctx[3];
    uint8_t *mem;
    st_wset s;
} file_case;

static void file_case_init(file_case *fc, uint64_t big)
{
    uint64_t k;
    memset(fc, 0, sizeof *fc);
    fc->dims[0][0] = 100u;
    fc->dims[1][0] = big;
    fc->dims[2][0] = 3u;
    fc->t[0] = wt(W_S("mem"), ST_U8, 1u, fc->dims[0], 100u);
    fc->t[1] = wt(W_S("big"), ST_F32, 1u, fc->dims[1], big * 4u);
    fc->t[2] = wt(W_S("small"), ST_I16, 1u, fc->dims[2], 6u);
    fc->mem = malloc(100u);
    cr_assert_not_null(fc->mem);
    for (k = 0u; k < 100u; k++) {
        fc->mem[k] = pattern(0u, k);
    }
    fc->src[0].data = fc->mem;
    fc->ctx[1].idx = 1u;
    fc->ctx[1].fail_at = UINT64_MAX;
    fc->ctx[2].idx = 2u;
    fc->ctx[2].fail_at = UINT64_MAX;
    fc->src[1].read = cb_read;
    fc->src[1].ctx = &fc->ctx[1];
    fc->src[2].read = cb_read;
    fc->src[2].ctx = &fc->ctx[2];
    fc->s = wset(fc->t, 3u, NULL, 0u, false);
}

static void write_old(const char *path)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fputs("old contents", f) >= 0, true);
    cr_assert_eq(fclose(f), 0);
}

static void expect_old(const char *path)
{
    uint64_t n = 0u;
    uint8_t *b = read_whole(path, &n);
    cr_assert_eq(n, 12u, "ST-WRITE-7: target untouched");
    cr_assert(memcmp(b, "old contents", 12u) == 0);
    free(b);
}

Test(st_write_7, atomic_file_equals_memory_output_with_umask_mode)
{
    file_case fc;
    st_write_opts o;
    st_wdiag d;
    st_write_error e;
    st_wplan p;
    char path[512];
    char names[4][256];
    uint64_t n = 0u;
    uint64_t mlen = 0u;
    uint8_t *got;
    uint8_t *want;
    struct stat sb;

    make_dir();
    (void)umask(027);
    cr_assert_eq(st_creation_mode(), 0640u);
    file_case_init(&fc, 300000u);    /* 1.2 MB through the callback */
    memset(&o, 0, sizeof o);
    o.chunk = 65536u;
    (void)snprintf(path, sizeof path, "%s/out.safetensors", g_dir);
    write_old(path);
    cr_assert_eq(st_write_file(path, &fc.s, fc.src, &o, &d, &e), ST_WFILE_OK,
                 "%s: %s", e.op, strerror(e.errnum));
    /* Streaming: requests never exceed the chunk. */
    cr_assert(fc.ctx[1].max_len <= 65536u && fc.ctx[1].calls >= 18u);
    cr_assert_eq(fc.ctx[1].next, 1200000u);
    got = read_whole(path, &n);
    cr_assert_eq(plan_of(&fc.s, &p, &d), ST_W_OK);
    want = write_mem(&p, &mlen);
    cr_assert_eq(n, mlen);
    cr_assert(memcmp(got, want, (size_t)n) == 0, "file differs from memory output");
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 07777u, 0640u, "mode %o", (unsigned)(sb.st_mode & 07777u));
    cr_assert_eq(dir_entries(names, 4u), 1u, "ST-WRITE-7: no temporary file left");
    free(got);
    free(want);
    free(fc.mem);
    remove_dir();
}

Test(st_write_7, relative_target_in_the_working_directory)
{
    st_wset s = wset(NULL, 0u, NULL, 0u, false);
    st_wdiag d;
    st_write_error e;
    uint64_t n = 0u;
    uint8_t *got;
    make_dir();
    cr_assert_eq(chdir(g_dir), 0);
    (void)umask(022);
    cr_assert_eq(st_write_file("rel.safetensors", &s, NULL, NULL, &d, &e), ST_WFILE_OK);
    got = read_whole("rel.safetensors", &n);
    cr_assert_eq(n, 16u);
    cr_assert(memcmp(got + 8, "{}      ", 8u) == 0);
    free(got);
    remove_dir();
}

Test(st_write_7, failing_source_leaves_nothing_behind)
{
    file_case fc;
    st_write_opts o;
    st_wdiag d;
    st_write_error e;
    char path[512];
    char names[4][256];

    make_dir();
    file_case_init(&fc, 100000u);
    fc.ctx[1].fail_at = 200000u;  /* halfway through "big" */
    memset(&o, 0, sizeof o);
    o.chunk = 4096u;
    (void)snprintf(path, sizeof path, "%s/out.safetensors", g_dir);
    write_old(path);
    cr_assert_eq(st_write_file(path, &fc.s, fc.src, &o, &d, &e), ST_WFILE_IO);
    cr_assert_str_eq(e.op, "read tensor data");
    cr_assert_eq(e.errnum, EIO);
    cr_assert(e.has_tensor);
    cr_assert_eq(e.tensor, 1u);
    expect_old(path);
    cr_assert_eq(dir_entries(names, 4u), 1u, "temporary file removed");
    free(fc.mem);
    remove_dir();
}

Test(st_write_7, write_error_leaves_nothing_behind)
{
    /* A file size limit makes write(2) fail with EFBIG part-way. */
    file_case fc;
    st_wdiag d;
    st_write_error e;
    struct rlimit rl;
    char path[512];
    char names[4][256];

    make_dir();
    file_case_init(&fc, 100000u);
    (void)snprintf(path, sizeof path, "%s/out.safetensors", g_dir);
    write_old(path);
    cr_assert_eq(signal(SIGXFSZ, SIG_IGN) != SIG_ERR, true);
    rl.rlim_cur = 65536u;
    rl.rlim_max = RLIM_INFINITY;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    cr_assert_eq(st_write_file(path, &fc.s, fc.src, NULL, &d, &e), ST_WFILE_IO);
    cr_assert_str_eq(e.op, "write");
    cr_assert_eq(e.errnum, EFBIG);
    cr_assert_str_eq(e.path, path);
    rl.rlim_cur = RLIM_INFINITY;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    expect_old(path);
    cr_assert_eq(dir_entries(names, 4u), 1u, "temporary file removed");
    free(fc.mem);
    remove_dir();
}

Test(st_write_7, refusal_creates_no_file)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[2];
    st_wsource src[2];
    st_wset s;
    st_wdiag d;
    st_write_error e;
    char path[512];
    char names[4][256];
    static const uint8_t byte[1] = {7u};
    make_dir();
    t[0] = wt(W_S("a"), ST_U8, 1u, d1, 1u);
    t[1] = wt(W_S("a"), ST_U8, 1u, d1, 1u);
    memset(src, 0, sizeof src);
    src[0].data = byte;
    src[1].data = byte;
    s = wset(t, 2u, NULL, 0u, false);
    (void)snprintf(path, sizeof path, "%s/out.safetensors", g_dir);
    cr_assert_eq(st_write_file(path, &s, src, NULL, &d, &e), ST_WFILE_REFUSED);
    cr_assert_eq(d.code, ST_W_DUP_NAME);
    cr_assert_eq(dir_entries(names, 4u), 0u);
    remove_dir();
}

Test(st_write_7, missing_directory_and_directory_target)
{
    st_wset s = wset(NULL, 0u, NULL, 0u, false);
    st_wdiag d;
    st_write_error e;
    char path[512];
    char names[4][256];
    make_dir();
    (void)snprintf(path, sizeof path, "%s/no/such/out.safetensors", g_dir);
    cr_assert_eq(st_write_file(path, &s, NULL, NULL, &d, &e), ST_WFILE_IO);
    cr_assert_str_eq(e.op, "create temporary file");
    cr_assert_eq(e.errnum, ENOENT);
    /* The target is a directory: the rename fails, the temporary goes. */
    (void)snprintf(path, sizeof path, "%s/sub", g_dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    cr_assert_eq(st_write_file(path, &s, NULL, NULL, &d, &e), ST_WFILE_IO);
    cr_assert_str_eq(e.op, "rename");
    cr_assert_eq(dir_entries(names, 4u), 1u);
    (void)rmdir(path);
    /* A path ending in '/' names no file. */
    (void)snprintf(path, sizeof path, "%s/", g_dir);
    cr_assert_eq(st_write_file(path, &s, NULL, NULL, &d, &e), ST_WFILE_IO);
    cr_assert_eq(e.errnum, EISDIR);
    cr_assert_eq(st_write_file("", &s, NULL, NULL, &d, &e), ST_WFILE_IO);
    remove_dir();
}

static uint64_t g_progress_last;
static uint32_t g_progress_calls;

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    uint64_t *expect_total = ctx;
    cr_assert_eq(total, *expect_total);
    cr_assert(done > g_progress_last && done <= total, "progress grows");
    g_progress_last = done;
    g_progress_calls++;
}

Test(st_write_7, progress_reaches_the_file_size)
{
    file_case fc;
    st_write_opts o;
    st_wdiag d;
    st_write_error e;
    st_wplan p;
    char path[512];
    uint64_t total;
    make_dir();
    file_case_init(&fc, 50000u);
    cr_assert_eq(plan_of(&fc.s, &p, &d), ST_W_OK);
    total = p.file_len;
    memset(&o, 0, sizeof o);
    o.chunk = 8192u;
    o.progress = on_progress;
    o.progress_ctx = &total;
    (void)snprintf(path, sizeof path, "%s/p.safetensors", g_dir);
    cr_assert_eq(st_write_file(path, &fc.s, fc.src, &o, &d, &e), ST_WFILE_OK);
    cr_assert_eq(g_progress_last, total);
    cr_assert(g_progress_calls >= 25u);
    free(fc.mem);
    remove_dir();
}

/* ------------------------------------- ST-WRITE-5, ST-WRITE-6, ST-API-2: edges */

/* ST-WRITE-5: the 1e8-byte limit crossed inside a tensor name (the name
 * loop and the tensor list both stop early) and inside a metadata value
 * (the pair list stops early): refused, whatever follows. */
Test(st_write_5, cap_crossed_inside_a_name_or_a_pair, .timeout = 120)
{
    static const uint64_t d1[] = {1u};
    const uint64_t big = (uint64_t)ST_HEADER_MAX;
    uint8_t *v = filler(0u, big);
    st_wtensor t[2];
    st_wmeta m[2];
    st_wset s;
    t[0] = wt(v, (uint32_t)big, ST_U8, 1u, d1, 1u);
    t[1] = wt(W_S("b"), ST_U8, 1u, d1, 1u);
    s = wset(t, 2u, NULL, 0u, false);
    expect_refusal(&s, ST_W_HEADER_TOO_LARGE, ST_W_AT_NONE, 0u);
    /* the same name alone, 1e8 bytes plus its quotes and fields: still too large */
    s = wset(t, 1u, NULL, 0u, false);
    expect_refusal(&s, ST_W_HEADER_TOO_LARGE, ST_W_AT_NONE, 0u);
    m[0] = wm(W_S("k"), v, (uint32_t)big);
    m[1] = wm(W_S("l"), W_S("w"));
    s = wset(t + 1, 1u, m, 2u, false);
    expect_refusal(&s, ST_W_HEADER_TOO_LARGE, ST_W_AT_NONE, 0u);
    free(v);
}

/* ST-WRITE-6: several equal names (and keys): the sorts meet equal keys in
 * both index orders; the earliest two are reported, the later as index */
Test(st_write_6, many_equal_names_and_keys)
{
    static const uint64_t d1[] = {1u};
    st_wtensor t[7];
    st_wmeta m[7];
    st_wset s;
    uint32_t i;
    for (i = 0u; i < 7u; i++) {
        t[i] = wt(W_S("same"), (i % 2u == 0u) ? ST_U8 : ST_I8, 1u, d1, 1u);
        m[i] = wm(W_S("key"), W_S("v"));
    }
    t[3] = wt(W_S("other"), ST_U8, 1u, d1, 1u);
    s = wset(t, 7u, NULL, 0u, false);
    {
        st_wplan p;
        st_wdiag d;
        cr_assert_eq(plan_of(&s, &p, &d), ST_W_DUP_NAME);
        cr_assert_eq(d.subject, ST_W_AT_TENSOR);
        cr_assert_eq(d.index, 1u);
        cr_assert_eq(d.other, 0u);
    }
    t[0] = wt(W_S("first"), ST_U8, 1u, d1, 1u);
    t[1] = wt(W_S("second"), ST_U8, 1u, d1, 1u);
    t[2] = wt(W_S("third"), ST_U8, 1u, d1, 1u);
    s = wset(t, 3u, m, 7u, false);
    {
        st_wplan p;
        st_wdiag d;
        cr_assert_eq(plan_of(&s, &p, &d), ST_W_DUP_META_KEY);
        cr_assert_eq(d.subject, ST_W_AT_META);
        cr_assert_eq(d.index, 1u);
        cr_assert_eq(d.other, 0u);
    }
}

/* ST-API-2: a metadata array missing with a count, and keys or values that
 * are NULL with a non-zero length, are argument errors (at the pair) */
Test(st_write_6, null_metadata_pointers_are_argument_errors)
{
    st_wmeta m[2];
    st_wset s;
    s = wset(NULL, 0u, NULL, 1u, false);
    expect_refusal(&s, ST_W_ARGUMENT, ST_W_AT_NONE, 0u);
    m[0] = wm(W_S("k"), W_S("v"));
    m[1] = wm(NULL, 1u, W_S("v"));
    s = wset(NULL, 0u, m, 2u, false);
    expect_refusal(&s, ST_W_ARGUMENT, ST_W_AT_META, 1u);
    m[1] = wm(W_S("k2"), NULL, 1u);
    expect_refusal(&s, ST_W_ARGUMENT, ST_W_AT_META, 1u);
    m[1] = wm(NULL, 2u, NULL, 3u);
    expect_refusal(&s, ST_W_ARGUMENT, ST_W_AT_META, 1u);
    /* NULL with length 0 is an empty string */
    m[1] = wm(W_S("k2"), NULL, 0u);
    {
        st_wplan p;
        st_wdiag d;
        cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    }
}

/* st_write_header refuses plan p with `want`: *written is 0 and no byte of
 * a 256-byte output is touched. `what` names the case in a failure. */
static void expect_header_refused(const st_wplan *p, st_werr want, const char *what)
{
    uint8_t buf[256];
    uint64_t written = 99u;
    uint64_t k;
    memset(buf, 0xAA, sizeof buf);
    cr_assert_eq(st_write_header(p, buf, sizeof buf, &written), want, "%s: accepted", what);
    cr_assert_eq(written, 0u, "%s", what);
    for (k = 0u; k < sizeof buf; k++) {
        cr_assert_eq(buf[k], 0xAAu, "%s: byte %llu written", what, (unsigned long long)k);
    }
}

/* ST-API-2: st_write_header refuses a plan that st_write_plan cannot have
 * made, writing nothing */
Test(st_write_header, forged_plans_are_argument_errors)
{
    static const uint64_t d1[] = {1u};
    static const char *const what[] = {
        "N over the limit", "JSON past N", "N not a multiple of 8", "8 + N wraps",
    };
    st_wtensor t[1];
    st_wset s;
    st_wplan p;
    st_wplan q;
    st_wdiag d;
    uint8_t buf[256];
    uint64_t written = 99u;
    uint32_t i;
    t[0] = wt(W_S("x"), ST_I8, 1u, d1, 1u);
    s = wset(t, 1u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    for (i = 0u; i < 4u; i++) {
        q = p;
        if (i == 0u) {
            q.header_len = (uint64_t)ST_HEADER_MAX + 8u;
        } else if (i == 1u) {
            q.json_len = p.header_len + 1u;
        } else if (i == 2u) {
            q.header_len = p.header_len + 4u;
        } else {
            q.header_len = UINT64_MAX - 7u;
        }
        expect_header_refused(&q, ST_W_ARGUMENT, what[i]);
    }
    /* the plan itself still writes */
    cr_assert_eq(st_write_header(&p, buf, sizeof buf, &written), ST_W_OK);
    cr_assert_eq(written, ST_PREFIX_LEN + p.header_len);
}

/* ST-API-2, ST-WRITE-2: st_write_header refuses a plan whose set's data
 * lengths changed since st_write_plan (each tensor still consistent with
 * its shape, and the JSON the same length, so only the re-check of the
 * offsets against data_len sees it), writing nothing */
Test(st_write_header, changed_data_lengths_are_argument_errors)
{
    uint64_t dx[1] = {1u};
    static const uint64_t dy[] = {1u};
    st_wtensor t[2];
    st_wset s;
    st_wplan p;
    st_wdiag d;
    uint8_t buf[256];
    uint64_t written = 99u;
    t[0] = wt(W_S("x"), ST_I8, 1u, dx, 1u);
    t[1] = wt(W_S("y"), ST_I8, 1u, dy, 1u);
    s = wset(t, 2u, NULL, 0u, false);
    cr_assert_eq(plan_of(&s, &p, &d), ST_W_OK);
    cr_assert_eq(p.data_len, 2u);
    /* x grown to 2 bytes: the running offsets pass data_len */
    dx[0] = 2u;
    t[0].data_len = 2u;
    expect_header_refused(&p, ST_W_ARGUMENT, "x grown");
    /* x shrunk to 0 bytes: the offsets end before data_len */
    dx[0] = 0u;
    t[0].data_len = 0u;
    expect_header_refused(&p, ST_W_ARGUMENT, "x shrunk");
    /* restored, the plan writes again */
    dx[0] = 1u;
    t[0].data_len = 1u;
    cr_assert_eq(st_write_header(&p, buf, sizeof buf, &written), ST_W_OK);
    cr_assert_eq(written, ST_PREFIX_LEN + p.header_len);
}
