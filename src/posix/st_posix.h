/*
 * st_posix.h -- the POSIX layer: load a safetensors file from disk and hand
 * it to the core (tensorproof.h), and print diagnostics for people.
 *
 * Conventions:
 *
 *  - C11 plus POSIX.1-2008. This layer allocates (malloc) and performs I/O;
 *    the core it calls does neither.
 *  - A file is either mapped whole (mmap, PROT_READ, MAP_PRIVATE) or, with
 *    ST_OPEN_NO_MMAP, read whole into memory with pread. Reading is the safe
 *    choice on filesystems where a mapping can fault (network filesystems,
 *    files another process may truncate: a mapped page that vanishes raises
 *    SIGBUS).
 *  - Two kinds of failure are kept apart: I/O failures (the bytes could not
 *    be obtained, or memory ran out: st_io_error) and format failures (the
 *    bytes are not a valid safetensors file: st_diag from the core).
 *  - Every size computed here is checked for overflow before it is used.
 */
#ifndef ST_POSIX_H
#define ST_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tensorproof.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags for st_open_file. */
#define ST_OPEN_NO_MMAP 1u /* read with pread into memory instead of mmap */

/* What st_open_file achieved. */
typedef enum st_load_status {
    ST_LOAD_OK = 0,      /* read and valid: `file` describes it */
    ST_LOAD_INVALID = 1, /* read, but not a valid file: `diag` says why */
    ST_LOAD_IO = 2       /* not read (I/O error or out of memory): see st_io_error */
} st_load_status;

/*
 * An I/O failure. `op` names the step that failed ("open", "fstat", "mmap",
 * "read", "allocate", "parse"); `errnum` is the errno value, or 0 when
 * `detail` carries the reason instead (e.g. "not a regular file").
 */
typedef struct st_io_error {
    const char *op;
    int errnum;
    const char *detail;
} st_io_error;

/*
 * A loaded file and everything the core's results point into. The struct
 * must stay where st_open_file put it until st_close_file: `file.st` points
 * at `storage`, and names point into `bytes` or the arena.
 */
typedef struct st_loaded {
    const uint8_t *bytes; /* the whole file (never NULL once opened) */
    uint64_t len;
    st_storage storage;   /* arrays sized exactly from the measuring pass */
    st_file file;         /* valid only when status == ST_OK */
    st_diag diag;         /* the first failure when status != ST_OK */
    st_err status;        /* what the core said */
    /* ownership, for st_close_file */
    void *map_base;       /* mmap'd region, or NULL */
    size_t map_len;
    uint8_t *heap;        /* pread buffer, or NULL */
} st_loaded;

/*
 * Open `path`, check it is a regular file, map or read it whole, and parse
 * it in `mode` (measuring pass with empty storage, exact allocation, real
 * pass). `flags` is 0 or ST_OPEN_NO_MMAP. `out` and `err` never NULL.
 *
 * ST_LOAD_OK: out->file is usable. ST_LOAD_INVALID: out->diag and
 * out->status describe the format error (diag.name may point into the
 * file). In both cases call st_close_file(out) when done. ST_LOAD_IO: *err
 * says what failed; nothing is held, and st_close_file(out) is harmless.
 */
st_load_status st_open_file(const char *path, st_mode mode, unsigned flags,
                            st_loaded *out, st_io_error *err);

/* Release everything st_open_file acquired. Safe to call twice. */
void st_close_file(st_loaded *loaded);

/* The reason part of an I/O error: strerror(errnum) or `detail`. */
const char *st_io_error_reason(const st_io_error *err);

/*
 * Decode one UTF-8 sequence at s[0..n) (n >= 1) under the rules of
 * ST-UTF8-1 (no overlong forms, no surrogates, at most U+10FFFF). Returns
 * its length (1..4) and stores the code point in *cp, or returns 0 when
 * s[0] does not start a valid sequence.
 */
size_t st_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

/*
 * Write `s[0..n)` for a human reader: valid UTF-8 printed as is, except
 * backslash, double quote, C0 controls and DEL (\\ \" \n \t \r \xNN),
 * invisible or reordering code points such as C1 controls, zero-width
 * characters, bidirectional controls and line separators (\u{XXXX}),
 * and bytes that are not valid UTF-8 (\xNN). So a name never breaks a line
 * and never disguises itself. With out == NULL nothing is written.
 * Returns the number of characters written (an approximation of the width
 * in terminal columns: every code point counts as one).
 */
size_t st_fprint_escaped(FILE *out, const uint8_t *s, size_t n);

/*
 * What st_diag.name designates for an error code: "metadata key" for the
 * errors about __metadata__ entries, else "tensor".
 */
const char *st_diag_name_kind(st_err code);

/*
 * One line, newline included, describing a format error:
 *   <path>: offset <N>: <rule id> <st_error_name>: <message>[ (<kind> "<name>")]
 * where <kind> is st_diag_name_kind(code), "tensor" for most errors. The
 * path and the name are written with st_fprint_escaped.
 */
void st_fprint_format_error(FILE *out, const char *path, const st_diag *diag);

/* One line, newline included: <path>: <op>: <reason> */
void st_fprint_io_error(FILE *out, const char *path, const st_io_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ST_POSIX_H */
