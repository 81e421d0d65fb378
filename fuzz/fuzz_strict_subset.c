/*
 * fuzz_strict_subset.c -- strict mode accepts a subset of what compat
 * accepts (spec section "Strict and compat"): a file strict accepts, compat
 * accepts with the identical table. A refusal strict shares with compat
 * (any code but the ST_E_STRICT_* ones) is compat's refusal too, at the
 * same offset: the strict-only checks are the only places the modes part.
 */
#include "fuzz_check.h"

static int fz_strict_only(st_err e)
{
    return (e >= ST_E_STRICT_LEADING_SPACE) && (e <= ST_E_STRICT_METADATA_NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_parse strict;
    fz_parse compat;
    st_err es = fz_parse_checked(&strict, data, (uint64_t)size, ST_MODE_STRICT);
    st_err ec = fz_parse_checked(&compat, data, (uint64_t)size, ST_MODE_COMPAT);
    if (es == ST_OK) {
        FZ_REQUIRE(ec == ST_OK);
        FZ_REQUIRE(compat.f.header_len == strict.f.header_len);
        FZ_REQUIRE(compat.f.data_len == strict.f.data_len);
        FZ_REQUIRE(compat.f.n_entries == strict.f.n_entries);
        FZ_REQUIRE(compat.f.n_meta_entries == strict.f.n_meta_entries);
        fz_require_same_table(&strict.f, &compat.f);
    } else if (!fz_strict_only(es)) {
        FZ_REQUIRE(ec == es);
        FZ_REQUIRE(compat.d.offset == strict.d.offset);
    } else {
        /* a strict-only refusal: compat may go either way */
    }
    fz_release(&strict);
    fz_release(&compat);
    return 0;
}
