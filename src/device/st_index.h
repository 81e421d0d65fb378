/*
 * st_index.h -- the index of a sharded checkpoint
 * (`model.safetensors.index.json`): which file holds each tensor.
 *
 * The index is a JSON object whose "weight_map" member maps tensor names to
 * file names; every other member ("metadata", ...) is checked for JSON
 * syntax and ignored. The reader is deliberately small and strict:
 *  - RFC 8259 syntax; strings are decoded (escapes, surrogate pairs) and must
 *    be valid UTF-8; containers nest at most ST_INDEX_DEPTH_MAX deep;
 *  - "weight_map" must appear exactly once, as an object of strings, with no
 *    name given twice;
 *  - a file name is a plain name in the index's directory: not empty, no
 *    '/', no NUL, not "." or "..".
 * File paths are the index's directory joined with each file name, listed
 * once each in order of first appearance.
 */
#ifndef ST_INDEX_H
#define ST_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ST_INDEX_DEPTH_MAX 64u
/* Largest index file read (bytes). */
#define ST_INDEX_SIZE_MAX ((size_t)256 << 20)

typedef struct st_index_entry {
    uint8_t *name;     /* decoded tensor name (not NUL-terminated) */
    uint32_t name_len;
    uint32_t file;     /* index into st_index.files */
} st_index_entry;

typedef struct st_index {
    char **files;             /* NUL-terminated paths */
    uint32_t n_files;
    st_index_entry *entries;  /* weight_map members in document order */
    uint32_t n_entries;
} st_index;

/* Parse an index held in buf[0..len); dir is prepended to file names
   ("" or a path ending in '/'). On failure *out is empty and err says why. */
bool st_index_parse(const uint8_t *buf, size_t len, const char *dir, st_index *out, char *err,
                    size_t err_len);

/* Read and parse the index file at path. */
bool st_index_read(const char *path, st_index *out, char *err, size_t err_len);

/* Release what st_index_parse or st_index_read allocated; safe twice. */
void st_index_free(st_index *ix);

/* Does a path name an index (ends in ".json")? */
bool st_index_is_index_path(const char *path);

#ifdef __cplusplus
}
#endif
#endif /* ST_INDEX_H */
