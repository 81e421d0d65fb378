/*
 * cli_write.h -- the writing subcommands of the tensorproof tool
 * (`normalize`, `pack`) and the manifest reader `pack` uses.
 */
#ifndef TENSORPROOF_CLI_WRITE_H
#define TENSORPROOF_CLI_WRITE_H

#include "cli.h"
#include "st_posix_write.h"

/* normalize.c, pack.c */
int cli_normalize(const cli_opts *opts);
int cli_pack(const cli_opts *opts);

/* normalize.c: a progress line on stderr, shown only when stderr is a
 * terminal and the file is large; `done == total` ends the line. */
typedef struct cli_progress {
    const char *verb;       /* "pack", "normalize" */
    bool enabled;
    unsigned last_percent;
} cli_progress;

void cli_progress_init(cli_progress *p, const char *verb);
void cli_progress_update(void *ctx, uint64_t done, uint64_t total);

/* manifest.c: the `pack` manifest (see cli_pack's help text). */
typedef struct manifest_tensor {
    uint8_t *name;          /* decoded UTF-8 (may contain NUL) */
    uint32_t name_len;
    st_dtype dtype;
    uint32_t rank;
    uint64_t *dims;
    char *file;             /* as written in the manifest (NUL-free) */
    uint64_t offset;        /* byte offset in the file */
    uint64_t at;            /* manifest offset of the tensor's object */
} manifest_tensor;

typedef struct manifest_meta {
    uint8_t *key;
    uint32_t key_len;
    uint8_t *value;
    uint32_t value_len;
    uint64_t at;            /* manifest offset of the key */
} manifest_meta;

typedef struct manifest {
    manifest_tensor *tensors;
    uint32_t n_tensors;
    manifest_meta *meta;
    uint32_t n_meta;
    bool has_metadata;      /* "metadata" given and not null */
} manifest;

/* A manifest error: the byte offset in the manifest and a message. */
typedef struct manifest_error {
    uint64_t offset;
    char message[160];
} manifest_error;

/* Parse text[0..len). False on error (*err filled, nothing held). */
bool manifest_parse(const uint8_t *text, size_t len, manifest *m,
                    manifest_error *err);
void manifest_free(manifest *m);

#endif /* TENSORPROOF_CLI_WRITE_H */
