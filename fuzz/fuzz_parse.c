/*
 * fuzz_parse.c -- st_parse on arbitrary bytes, in one mode chosen at build
 * time (-DFUZZ_MODE=ST_MODE_STRICT or ST_MODE_COMPAT; the build names the
 * binaries fuzz_parse_strict and fuzz_parse_compat). Every accepted file
 * must satisfy the layout predicate and the lookup properties, every
 * refusal must be well formed (fuzz_check.h).
 */
#include "fuzz_check.h"

#ifndef FUZZ_MODE
#error "build with -DFUZZ_MODE=ST_MODE_STRICT or -DFUZZ_MODE=ST_MODE_COMPAT"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_parse p;
    (void)fz_parse_checked(&p, data, (uint64_t)size, FUZZ_MODE);
    fz_release(&p);
    return 0;
}
