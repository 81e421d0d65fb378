/*
 * st_utf8.c -- ST-UTF8-1: the header must be well-formed UTF-8 as Unicode
 * defines it (Table 3-7): no overlong forms, no encoded surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
 */
#include "st_internal.h"

/* A continuation byte: 10xxxxxx. */
#define ST_UTF8_CONT(b) (((b) >= 0x80u) && ((b) <= 0xBFu))

/* Length of the well-formed sequence starting at s[i], or 0 if none. */
/*@ requires i < n && \valid_read(s + (0 .. n - 1));
    assigns \nothing;
    ensures \result <= 4 && \result <= n - i;
    ensures \result != 0 ==> st_utf8_seq_ok(s, n, i, \result);
    ensures \result == 0 ==> !st_utf8_starts(s, n, i);
*/
static uint32_t st_utf8_seq(const uint8_t *s, uint32_t n, uint32_t i)
{
    uint32_t len = 0u;
    uint8_t b0 = s[i];
    uint32_t avail = n - i;
    if (b0 <= 0x7Fu) {
        len = 1u;
    } else if ((b0 >= 0xC2u) && (b0 <= 0xDFu)) {
        if ((avail >= 2u) && ST_UTF8_CONT(s[i + 1u])) {
            len = 2u;
        }
    } else if ((b0 >= 0xE0u) && (b0 <= 0xEFu)) {
        if (avail >= 3u) {
            uint8_t b1 = s[i + 1u];
            uint8_t lo = 0x80u;
            uint8_t hi = 0xBFu;
            if (b0 == 0xE0u) {
                lo = 0xA0u;             /* no overlong */
            } else if (b0 == 0xEDu) {
                hi = 0x9Fu;             /* no surrogates */
            } else {
                /* full continuation range */
            }
            if ((b1 >= lo) && (b1 <= hi) && ST_UTF8_CONT(s[i + 2u])) {
                len = 3u;
            }
        }
    } else if ((b0 >= 0xF0u) && (b0 <= 0xF4u)) {
        if (avail >= 4u) {
            uint8_t b1 = s[i + 1u];
            uint8_t lo = 0x80u;
            uint8_t hi = 0xBFu;
            if (b0 == 0xF0u) {
                lo = 0x90u;             /* no overlong */
            } else if (b0 == 0xF4u) {
                hi = 0x8Fu;             /* <= U+10FFFF */
            } else {
                /* full continuation range */
            }
            if ((b1 >= lo) && (b1 <= hi) && ST_UTF8_CONT(s[i + 2u]) &&
                ST_UTF8_CONT(s[i + 3u])) {
                len = 4u;
            }
        }
    } else {
        len = 0u; /* continuation byte, C0, C1, F5..FF */
    }
    return len;
}

/* True when s[0..n) is well-formed; else *bad_at = offset of the first bad sequence. */
bool st_utf8_valid(const uint8_t *s, uint32_t n, uint32_t *bad_at)
{
    uint32_t i = 0u;
    bool ok = true;
    /*@ loop invariant 0 <= i <= n;
        loop invariant ok ==> st_utf8_prefix(s, n, i);
        loop invariant !ok ==> *bad_at < n && st_utf8_prefix(s, n, *bad_at) &&
                               !st_utf8_starts(s, n, *bad_at);
        loop assigns i, ok, *bad_at;
        loop variant n - i + (ok ? 1 : 0);
    */
    while ((i < n) && ok) {
        uint32_t len = st_utf8_seq(s, n, i);
        if (len == 0u) {
            *bad_at = i;
            ok = false;
        } else {
            i += len;
        }
    }
    return ok;
}
