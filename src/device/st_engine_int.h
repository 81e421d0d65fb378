/*
 * st_engine_int.h -- what the engine's source files share (not a public API).
 */
#ifndef ST_ENGINE_INT_H
#define ST_ENGINE_INT_H

#include "st_engine.h"

/* Seconds on a monotonic clock. */
double st_engine_now(void);

/* Record an error in L (the first one wins) and return its code. */
st_dev_err st_load_fail(st_load *L, st_dev_err code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A tensor name for a message: escaped like the CLI prints names (one line,
   nothing invisible), truncated to fit buf. */
void st_engine_name_text(char *buf, size_t len, const uint8_t *name, uint32_t name_len);

/* Longest name text in messages. */
#define ST_ENGINE_NAME_TEXT 160u

#endif /* ST_ENGINE_INT_H */
