/*
 * fuzz_header.c -- the input is the JSON header alone; the harness adds the
 * 8-byte length prefix and no data section, so the fuzzer spends its time
 * on the grammar and the schema rather than on the prefix. Both modes run
 * on every input. Files whose tensors all have zero size are accepted; any
 * other well-formed header ends in ST_E_INCOMPLETE, which is fine here.
 */
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_parse strict;
    fz_parse compat;
    uint8_t *file;
    uint64_t n = (uint64_t)size;
    st_err es;
    st_err ec;
    if (n > ST_HEADER_MAX) {
        return 0;
    }
    /* exact size, so that a read past the end is caught */
    file = (uint8_t *)malloc(ST_PREFIX_LEN + size);
    FZ_REQUIRE(file != NULL);
    for (uint32_t k = 0u; k < ST_PREFIX_LEN; k++) {
        file[k] = (uint8_t)(n >> (8u * k));
    }
    if (size != 0u) {
        memcpy(file + ST_PREFIX_LEN, data, size);
    }
    es = fz_parse_checked(&strict, file, ST_PREFIX_LEN + n, ST_MODE_STRICT);
    ec = fz_parse_checked(&compat, file, ST_PREFIX_LEN + n, ST_MODE_COMPAT);
    if (es == ST_OK) {
        FZ_REQUIRE(ec == ST_OK);
        fz_require_same_table(&strict.f, &compat.f);
    }
    /* nothing follows the header, so the layout checks can only refuse late */
    FZ_REQUIRE(es != ST_E_FILE_TOO_SMALL && es != ST_E_HEADER_TOO_LARGE &&
               es != ST_E_HEADER_TRUNCATED);
    fz_release(&strict);
    fz_release(&compat);
    free(file);
    return 0;
}
