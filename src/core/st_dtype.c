/*
 * st_dtype.c -- ST-DTYPE-1, ST-DTYPE-2: the dtype table.
 * Declaration order is the reference's; the writer sorts by it (ST-WRITE-1).
 */
#include "st_internal.h"

/*
 * The table is three flat arrays indexed by st_dtype. Names are held in
 * the table itself (the longest has 11 bytes, the rest is NUL), so every
 * byte read below is inside it. The names are ASCII, so comparing a name
 * byte with an input byte as int is comparing the bytes.
 */
static const char st_dtype_names[ST_DTYPE_COUNT][12] = {
    "BOOL",        "F4",          "F6_E2M3",     "F6_E3M2",
    "U8",          "I8",          "F8_E5M2",     "F8_E4M3",
    "F8_E8M0",     "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16",
    "U16",         "F16",         "BF16",        "I32",
    "U32",         "F32",         "C64",         "F64",
    "I64",         "U64",
};
static const uint8_t st_dtype_name_lens[ST_DTYPE_COUNT] = {
    4u, 2u, 7u, 7u, 2u, 2u, 7u, 7u, 7u, 11u, 11u, 3u,
    3u, 3u, 4u, 3u, 3u, 3u, 3u, 3u, 3u, 3u,
};
static const uint8_t st_dtype_bit_widths[ST_DTYPE_COUNT] = {
    8u, 4u, 6u, 6u, 8u, 8u, 8u, 8u, 8u, 8u, 8u, 16u,
    16u, 16u, 16u, 32u, 32u, 32u, 64u, 64u, 64u, 64u,
};

const char *st_dtype_name(st_dtype d)
{
    const char *ret = NULL;
    if ((uint32_t)d < (uint32_t)ST_DTYPE_COUNT) {
        ret = st_dtype_names[d];
    }
    return ret;
}

uint32_t st_dtype_name_len(st_dtype d)
{
    uint32_t ret = 0u;
    if ((uint32_t)d < (uint32_t)ST_DTYPE_COUNT) {
        ret = st_dtype_name_lens[d];
    }
    return ret;
}

uint32_t st_dtype_bits(st_dtype d)
{
    uint32_t ret = 0u;
    if ((uint32_t)d < (uint32_t)ST_DTYPE_COUNT) {
        ret = st_dtype_bit_widths[d];
    }
    return ret;
}

/* ST-DTYPE-2: exact, case-sensitive match against the 22 names. */
bool st_dtype_parse(const uint8_t *s, uint32_t n, st_dtype *out)
{
    bool found = false;
    uint32_t i;
    /*@ loop invariant 0 <= i <= ST_DTYPE_COUNT;
        loop invariant found ==> 0 <= *out < ST_DTYPE_COUNT && n <= 11;
        loop assigns i, found, *out;
        loop variant ST_DTYPE_COUNT - i;
    */
    for (i = 0u; (i < (uint32_t)ST_DTYPE_COUNT) && !found; i++) {
        if ((uint32_t)st_dtype_name_lens[i] == n) {
            uint32_t k = 0u;
            /*@ assert n <= 11; */
            /*@ loop invariant 0 <= k <= n;
                loop assigns k;
                loop variant n - k;
            */
            while ((k < n) && ((int)st_dtype_names[i][k] == (int)s[k])) {
                k++;
            }
            if (k == n) {
                *out = (st_dtype)i;
                found = true;
            }
        }
    }
    return found;
}
