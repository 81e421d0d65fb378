/*
 * st_utf8.c -- ST-UTF8-1: the header must be well-formed UTF-8 as Unicode
 * defines it (Table 3-7): no overlong forms, no encoded surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
 */
#include "st_internal.h"

/* Length of the well-formed sequence starting at s[i], or 0 if none. */
static uint32_t st_utf8_seq(const uint8_t *s, uint32_t n, uint32_t i)
{
    uint32_t len = 0u;
    uint8_t b0 = s[i];
    uint32_t avail = n - i;
    if (b0 < 0x80u) {
        len = 1u;
    } else if ((b0 >= 0xC2u) && (b0 <= 0xDFu)) {
        if ((avail >= 2u) && ((s[i + 1u] & 0xC0u) == 0x80u)) {
            len = 2u;
        }
    } else if ((b0 >= 0xE0u) && (b0 <= 0xEFu)) {
        if (avail >= 3u) {
            uint8_t b1 = s[i + 1u];
            uint8_t lo = (b0 == 0xE0u) ? 0xA0u : 0x80u;  /* no overlong */
            uint8_t hi = (b0 == 0xEDu) ? 0x9Fu : 0xBFu;  /* no surrogates */
            if ((b1 >= lo) && (b1 <= hi) && ((s[i + 2u] & 0xC0u) == 0x80u)) {
                len = 3u;
            }
        }
    } else if ((b0 >= 0xF0u) && (b0 <= 0xF4u)) {
        if (avail >= 4u) {
            uint8_t b1 = s[i + 1u];
            uint8_t lo = (b0 == 0xF0u) ? 0x90u : 0x80u;  /* no overlong */
            uint8_t hi = (b0 == 0xF4u) ? 0x8Fu : 0xBFu;  /* <= U+10FFFF */
            if ((b1 >= lo) && (b1 <= hi) && ((s[i + 2u] & 0xC0u) == 0x80u) &&
                ((s[i + 3u] & 0xC0u) == 0x80u)) {
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
