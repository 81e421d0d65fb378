/*
 * st_cover.h -- ST_ALWAYS(X) and ST_NEVER(X): a defensive test whose outcome
 * the proofs fix. X is a condition that is always true (ST_ALWAYS) or never
 * true (ST_NEVER) where it is tested, because every caller guarantees it;
 * the test stays in the code so that the function does not depend on that
 * guarantee to be memory-safe.
 *
 * Each use is preceded by an ACSL assertion of the same fact, which WP
 * proves in `make proofs`; spec/analysis-notes.md lists the uses (entries
 * U-n) with the reason.
 *
 *   ordinary builds          X itself: the defensive test is compiled.
 *   ST_COVERAGE_BUILD        the proven constant (`make coverage`): the
 *                            outcome that cannot happen is not counted as
 *                            an untested branch (X is named in a sizeof,
 *                            not evaluated).
 *   ST_CHECKED_BUILD         X, and a trap if X does not have the proven
 *                            value (the sanitizer builds of the tests).
 *
 * The proofs and the compilers see the same definition: the ordinary one.
 */
#ifndef ST_COVER_H
#define ST_COVER_H

#include <stdbool.h>

#if defined(ST_COVERAGE_BUILD)
/* X is not evaluated (sizeof), only named, so that a parameter used only
   in a defensive test is still used in this build. */
#define ST_ALWAYS(X) ((void)sizeof(X), true)
#define ST_NEVER(X) ((void)sizeof(X), false)
#elif defined(ST_CHECKED_BUILD) && defined(__GNUC__)
#define ST_ALWAYS(X) ((X) ? true : (__builtin_trap(), false))
#define ST_NEVER(X) ((X) ? (__builtin_trap(), true) : false)
#else
#define ST_ALWAYS(X) (X)
#define ST_NEVER(X) (X)
#endif

#endif /* ST_COVER_H */
