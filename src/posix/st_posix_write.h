/*
 * st_posix_write.h -- write a canonical safetensors file to disk,
 * atomically (ST-WRITE-7), with the layout of the core writer (st_write.h).
 *
 * Conventions:
 *
 *  - C11 plus POSIX.1-2008. This layer allocates (the index arrays, the
 *    header, one copy buffer) and performs I/O; the core it calls does
 *    neither.
 *  - Atomic: the bytes go to a new temporary file in the target's
 *    directory (mkstemp), which is flushed to disk (fsync), given the mode
 *    a newly created file would get (0666 & ~umask), and only then renamed
 *    over the target; the directory is flushed after the rename. A reader
 *    sees either the old file or the complete new one. On any failure
 *    before the rename, the temporary file is removed and the target is
 *    untouched. (A process killed by a signal can still leave its
 *    temporary file, ".NAME.tmp-XXXXXX", behind; never the target.)
 *  - Streaming: tensor data is copied in chunks, straight from memory or
 *    through the caller's read callback into one buffer of fixed size, so
 *    memory use does not grow with the size of the tensors. The header is
 *    built whole (at most ST_HEADER_MAX + 8 bytes).
 *  - If the target is a symbolic link, the link is replaced, not the file
 *    it points to (rename semantics).
 */
#ifndef ST_POSIX_WRITE_H
#define ST_POSIX_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "st_write.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Where one tensor's bytes come from: `data` (data_len bytes in memory),
 * or, when `data` is NULL, the `read` callback, which must fill
 * buf[0..len) with the tensor's bytes [offset, offset + len) and return 0,
 * or return an errno value on failure (it may then set *detail to a
 * message that replaces strerror; the string must outlive the call to
 * st_write_file). Calls for one tensor come in increasing offset order,
 * and tensors come in file order.
 */
typedef struct st_wsource {
    const uint8_t *data;
    int (*read)(void *ctx, uint64_t offset, uint8_t *buf, size_t len,
                const char **detail);
    void *ctx;
} st_wsource;

/* Options; a zeroed struct gives the defaults. */
typedef struct st_write_opts {
    /* Called after each chunk written (may be NULL): bytes of the file
     * written so far and in all. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    size_t chunk;       /* copy buffer size; 0 = ST_WRITE_CHUNK_DEFAULT */
} st_write_opts;

#define ST_WRITE_CHUNK_DEFAULT ((size_t)8 << 20)

/* What st_write_file achieved. */
typedef enum st_wfile_status {
    ST_WFILE_OK = 0,      /* the target now holds the new file */
    ST_WFILE_REFUSED = 1, /* the core refused the set: `diag` says why */
    ST_WFILE_IO = 2       /* an I/O step failed: see st_write_error */
} st_wfile_status;

#define ST_WRITE_PATH_MAX 4096u

/*
 * An I/O failure: the step ("allocate", "create temporary file", "write",
 * "read tensor data", "fchmod", "fsync", "close", "rename",
 * "fsync directory"), the errno value (or 0 when `detail` carries the
 * reason), the path concerned (the target, except for the temporary file
 * and the directory) and, for "read tensor data", the caller's index of
 * the tensor. When op is "fsync directory" the rename has happened: the
 * target holds the complete new file, but its durability is not assured.
 */
typedef struct st_write_error {
    const char *op;
    int errnum;
    const char *detail;
    bool has_tensor;
    uint32_t tensor;
    char path[ST_WRITE_PATH_MAX];
} st_write_error;

/*
 * ST-WRITE-7: write the canonical file for `set` to `path`. `sources` has
 * set->n_tensors entries, indexed like set->tensors (may be NULL when
 * there are none). `opts` may be NULL. `set`, `diag`, `err` never NULL.
 */
st_wfile_status st_write_file(const char *path, const st_wset *set,
                              const st_wsource *sources,
                              const st_write_opts *opts, st_wdiag *diag,
                              st_write_error *err);

/* The mode a file created now with open(..., 0666) would get. Reads the
 * umask from /proc/self/status where the system offers it; otherwise
 * with umask(2), which is not thread-safe for the instant it takes. */
unsigned st_creation_mode(void);

/* One line, newline included: <path>: <op>: <reason>[ (tensor N)] */
void st_fprint_write_error(FILE *out, const st_write_error *err);

/*
 * One line, newline included, describing a refusal:
 *   <path>: <rule id> <code name>: <message>[ (tensor "<name>")]
 * naming the tensor or metadata key concerned (escaped for a terminal).
 */
void st_fprint_write_refusal(FILE *out, const char *path, const st_wset *set,
                             const st_wdiag *diag);

#ifdef __cplusplus
}
#endif
#endif /* ST_POSIX_WRITE_H */
