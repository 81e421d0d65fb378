/*
 * test_utf8.c -- ST-UTF8-1: the whole header is well-formed UTF-8, checked
 * before any JSON; the first ill-formed sequence is reported.
 */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bad_seq {
    const char *bytes;
    size_t len;
    const char *what;
} bad_seq;

#define BAD(lit, what) {(lit), sizeof(lit) - 1u, (what)}

static const bad_seq bad[] = {
    BAD("\x80", "lone continuation byte"),
    BAD("\xbf", "lone continuation byte 0xBF"),
    BAD("\xc0\x80", "overlong NUL (C0 80)"),
    BAD("\xc1\xbf", "overlong 2-byte (C1 BF)"),
    BAD("\xe0\x80\x80", "overlong 3-byte (E0 80 80)"),
    BAD("\xe0\x9f\xbf", "overlong 3-byte (E0 9F BF)"),
    BAD("\xed\xa0\x80", "encoded surrogate U+D800"),
    BAD("\xed\xbf\xbf", "encoded surrogate U+DFFF"),
    BAD("\xf0\x80\x80\x80", "overlong 4-byte (F0 80 80 80)"),
    BAD("\xf0\x8f\xbf\xbf", "overlong 4-byte (F0 8F BF BF)"),
    BAD("\xf4\x90\x80\x80", "above U+10FFFF"),
    BAD("\xf5\x80\x80\x80", "lead byte F5"),
    BAD("\xf8\x88\x80\x80\x80", "5-byte form"),
    BAD("\xfe", "byte FE"),
    BAD("\xff", "byte FF"),
    BAD("\xc2\x41", "2-byte lead without continuation"),
    BAD("\xe2\x28\xa1", "3-byte lead, bad second byte"),
    BAD("\xe2\x82\x28", "3-byte lead, bad third byte"),
    BAD("\xf0\x9f\x98\x28", "4-byte lead, bad fourth byte"),
};

/* The header with `seq` spliced into a tensor name; returns its length. */
static size_t name_with(char *out, size_t cap, const bad_seq *b)
{
    const char pre[] = "{\"a";
    const char post[] = "\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    size_t n = 0u;
    cr_assert(sizeof pre + b->len + sizeof post < cap);
    memcpy(out, pre, sizeof pre - 1u);
    n += sizeof pre - 1u;
    memcpy(&out[n], b->bytes, b->len);
    n += b->len;
    memcpy(&out[n], post, sizeof post - 1u);
    n += sizeof post - 1u;
    return n;
}

/* ST-UTF8-1 */
Test(st_utf8_1, ill_formed_sequences_in_a_name)
{
    size_t i;
    UT_KIND(ST_E_UTF8, "InvalidHeader");
    for (i = 0u; i < sizeof bad / sizeof bad[0]; i++) {
        char hdr[256];
        size_t n = name_with(hdr, sizeof hdr, &bad[i]);
        uint64_t len;
        uint8_t *buf = ut_build(hdr, n, 1u, &len);
        /* the sequence starts right after {"a */
        cr_log_info("case: %s", bad[i].what);
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_UTF8, 8u + 3u));
        free(buf);
    }
}

/* ST-UTF8-1: a sequence cut by the end of the header */
Test(st_utf8_1, truncated_sequence_at_end_of_header)
{
    const char *tails[] = {"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xe2"};
    size_t i;
    for (i = 0u; i < 4u; i++) {
        char hdr[32];
        uint64_t len;
        uint8_t *buf;
        size_t n = (size_t)snprintf(hdr, sizeof hdr, "{}%s", tails[i]);
        buf = ut_build(hdr, n, 0u, &len);
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_UTF8, 8u + 2u));
        free(buf);
    }
}

/* ST-UTF8-1: the check covers every header byte, also where JSON would fail */
Test(st_utf8_1, checked_everywhere_in_the_header)
{
    const char *hdrs[] = {
        "{\"__metadata__\":{\"k\":\"v\xff\"}}",
        "{}  \xff",
        "\xff{}",
        "{\"a\":{\"dtype\":\"U8\xc0\xaf\",\"shape\":[1],\"data_offsets\":[0,1]}}",
        "{\"a\":{\"dtype\":\"U8\",\"x\xed\xa0\x80\":1,\"shape\":[1],\"data_offsets\":[0,1]}}",
    };
    const char *badbyte[] = {"\xff", "\xff", "\xff", "\xc0", "\xed"};
    size_t i;
    for (i = 0u; i < sizeof hdrs / sizeof hdrs[0]; i++) {
        size_t n = strlen(hdrs[i]);
        uint64_t len;
        uint8_t *buf = ut_build(hdrs[i], n, 1u, &len);
        ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_UTF8, ut_at(hdrs[i], n, badbyte[i], 1u, 0u)));
        free(buf);
    }
}

/* ST-UTF8-1: the first ill-formed sequence is the one reported */
Test(st_utf8_1, first_bad_sequence_reported)
{
    const char hdr[] = "{\"\xc3\xa9\xe0\x80\x80\":1,\"\xff\"}";
    uint64_t len;
    uint8_t *buf = ut_build(hdr, sizeof hdr - 1u, 0u, &len);
    ut_reject_both(buf, len, &UT_FAIL_AT(ST_E_UTF8, 8u + 4u));
    free(buf);
}

/* ST-UTF8-1: well-formed multi-byte text, including the edges of the ranges */
Test(st_utf8_1, well_formed_boundaries_accepted)
{
    /* U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFD, U+FFFF, U+10000, U+10FFFF */
    const char name[] = "\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbd"
                        "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf";
    const char *hdr = "{\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbd"
                      "\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\":"
                      "{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                      "\"__metadata__\":{\"\xe2\x82\xac\":\"\xf0\x9d\x84\x9e\x7f\"}}";
    static const ut_meta m[] = {{UT_S("\xe2\x82\xac"), UT_S("\xf0\x9d\x84\x9e\x7f")}};
    ut_tensor t[1] = {{name, (uint32_t)(sizeof name - 1u), ST_U8, 1u, {1u}, 0u, 1u}};
    ut_hdr_accept_both(hdr, 1u, &UT_TABLE(t, m, true));
}

/* ST-UTF8-1: the data section is not text and is never checked */
Test(st_utf8_1, data_section_not_checked)
{
    const char *hdr = "{" UT_E("d", "U8", "[256]", "[0,256]") "}";
    static const ut_tensor t[] = {{UT_S("d"), ST_U8, 1u, {256u}, 0u, 256u}};
    uint64_t len;
    uint8_t *buf = ut_buildz(hdr, 256u, &len);
    uint64_t k;
    /* every byte value, 0xFF and lone continuation bytes included */
    for (k = 0u; k < 256u; k++) {
        buf[len - 256u + k] = (uint8_t)(255u - k);
    }
    ut_accept_both(buf, len, &UT_TABLE_T(t));
    free(buf);
}
