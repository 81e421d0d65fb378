/*
 * st_dtype.c -- ST-DTYPE-1, ST-DTYPE-2: the dtype table.
 * Declaration order is the reference's; the writer sorts by it (ST-WRITE-1).
 */
#include "st_internal.h"

typedef struct st_dtype_info {
    const char *name;
    uint8_t name_len;
    uint8_t bits;
} st_dtype_info;

static const st_dtype_info st_dtypes[ST_DTYPE_COUNT] = {
    {"BOOL", 4u, 8u},        {"F4", 2u, 4u},          {"F6_E2M3", 7u, 6u},
    {"F6_E3M2", 7u, 6u},     {"U8", 2u, 8u},          {"I8", 2u, 8u},
    {"F8_E5M2", 7u, 8u},     {"F8_E4M3", 7u, 8u},     {"F8_E8M0", 7u, 8u},
    {"F8_E4M3FNUZ", 11u, 8u}, {"F8_E5M2FNUZ", 11u, 8u}, {"I16", 3u, 16u},
    {"U16", 3u, 16u},        {"F16", 3u, 16u},        {"BF16", 4u, 16u},
    {"I32", 3u, 32u},        {"U32", 3u, 32u},        {"F32", 3u, 32u},
    {"C64", 3u, 64u},        {"F64", 3u, 64u},        {"I64", 3u, 64u},
    {"U64", 3u, 64u},
};

const char *st_dtype_name(st_dtype d)
{
    const char *ret = NULL;
    if ((uint32_t)d < (uint32_t)ST_DTYPE_COUNT) {
        ret = st_dtypes[d].name;
    }
    return ret;
}

uint32_t st_dtype_bits(st_dtype d)
{
    uint32_t ret = 0u;
    if ((uint32_t)d < (uint32_t)ST_DTYPE_COUNT) {
        ret = st_dtypes[d].bits;
    }
    return ret;
}

/* ST-DTYPE-2: exact, case-sensitive match against the 22 names. */
bool st_dtype_parse(const uint8_t *s, uint32_t n, st_dtype *out)
{
    bool found = false;
    uint32_t i;
    for (i = 0u; (i < (uint32_t)ST_DTYPE_COUNT) && !found; i++) {
        const st_dtype_info *info = &st_dtypes[i];
        if ((uint32_t)info->name_len == n) {
            uint32_t k = 0u;
            while ((k < n) && ((uint8_t)info->name[k] == s[k])) {
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
