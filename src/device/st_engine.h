/*
 * st_engine.h -- load tensors of safetensors files into one device
 * allocation, through a backend (st_backend.h), following the core's copy
 * plan (st_plan.h).
 *
 * How a load runs:
 *
 *   st_load_plan   opens the files (or the index of a sharded checkpoint),
 *                  validates them with the core, selects the tensors and
 *                  their shards, and lays them out (st_plan_layout): every
 *                  tensor's offset in the allocation is known from here on;
 *   st_load_run    allocates the device memory and copies: the plan's
 *                  chunks are gathered into pinned staging buffers, several
 *                  consecutive chunks per buffer when they fit, and each
 *                  buffer goes to the device in ONE asynchronous contiguous
 *                  copy. With N buffers, the reads of one buffer overlap the
 *                  copies of the N-1 before it; an event per buffer says
 *                  when it may be refilled. Source bytes are read with pread
 *                  (default) or copied from the file mapping (mmap_source),
 *                  by `threads` readers (the calling thread included). A
 *                  copy never leaves from a file mapping;
 *   st_load_verify copies every tensor back and compares it with the file;
 *   st_load_close  releases everything (device memory included).
 *
 * Errors: every function returns ST_DEV_OK or an error code, and fills
 * L->err with one line naming the file, the tensor, the chunk and the
 * backend's own message where they apply. A failed st_load_run has released
 * every backend resource it acquired (staging buffers, stream, events and
 * the device allocation) before it returns; st_load_close is still needed
 * for the files.
 *
 * Thread use: one st_load is used by one thread at a time; reader threads
 * live only inside st_load_run.
 */
#ifndef ST_ENGINE_H
#define ST_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "st_backend.h"
#include "st_plan.h"
#include "st_posix.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes of the engine. Stable numbers: never renumber, only append. */
typedef enum st_dev_err {
    ST_DEV_OK = 0,
    ST_DEV_E_USAGE = 1,   /* invalid options or request */
    ST_DEV_E_FILE = 2,    /* a file could not be opened or read whole */
    ST_DEV_E_FORMAT = 3,  /* a file is not a valid safetensors file */
    ST_DEV_E_INDEX = 4,   /* the index JSON is invalid */
    ST_DEV_E_SELECT = 5,  /* a tensor is missing, given twice, or its shard is refused */
    ST_DEV_E_MEMORY = 6,  /* host memory (malloc) ran out */
    ST_DEV_E_ALLOC = 7,   /* the backend could not allocate device or pinned memory */
    ST_DEV_E_RESOURCE = 8, /* the backend could not create a stream or an event */
    ST_DEV_E_COPY = 9,    /* a copy or a synchronisation failed */
    ST_DEV_E_READ = 10,   /* reading the source bytes failed or came up short */
    ST_DEV_E_THREAD = 11, /* a reader thread could not be started */
    ST_DEV_E_VERIFY = 12, /* the device copy differs from the file */
    ST_DEV_E_STATE = 13   /* call out of order (e.g. st_load_run twice) */
} st_dev_err;

/* Defaults, from tests/gpu/sweep on an H200 (tests/gpu/RESULTS.md): a 4 GiB
   file in the page cache loads fastest with 16 MiB staging chunks, three
   buffers and one reader per CPU core (16 readers: 37 GB/s in total, 2
   readers: 12 GB/s). The reader count is the number of online CPUs, at
   least ST_ENGINE_DEFAULT_THREADS_MIN and at most
   ST_ENGINE_DEFAULT_THREADS_MAX (more readers than the 1 MiB shares of a
   chunk are never started, see st_engine_run.c). */
#define ST_ENGINE_DEFAULT_CHUNK ((uint64_t)16 << 20)
#define ST_ENGINE_DEFAULT_BUFFERS 3u
#define ST_ENGINE_DEFAULT_THREADS_MIN 2u
#define ST_ENGINE_DEFAULT_THREADS_MAX 16u
#define ST_ENGINE_DEFAULT_ALIGN 256u
#define ST_ENGINE_MAX_BUFFERS 64u
#define ST_ENGINE_MAX_THREADS 64u

typedef struct st_engine_opts {
    uint64_t chunk;         /* staging buffer bytes, 1 .. ST_PLAN_CHUNK_MAX */
    uint32_t buffers;       /* staging buffers, 1 .. ST_ENGINE_MAX_BUFFERS */
    uint32_t threads;       /* readers incl. the calling thread, 1 .. ST_ENGINE_MAX_THREADS */
    uint64_t align;         /* destination alignment: power of two <= ST_PLAN_ALIGN_MAX */
    bool mmap_source;       /* copy source bytes from the mapping instead of pread */
    bool register_staging;  /* staging from malloc + host_register, not host_alloc */
    st_mode mode;           /* how the files are validated */
    unsigned open_flags;    /* ST_OPEN_* for st_open_file */
} st_engine_opts;

/* Fill *o with the defaults above (strict mode, pread source; readers: the
   online CPUs, clamped to the default range). */
void st_engine_opts_init(st_engine_opts *o);

/* How tensor parallelism splits a tensor. */
typedef enum st_tp_split {
    ST_TP_ROWS = 0,  /* along dimension 0 */
    ST_TP_COLS = 1,  /* along the last dimension */
    ST_TP_WHOLE = 2  /* not split: every rank loads all of it */
} st_tp_split;

/* A name pattern ('*' any run of bytes, '?' one byte) and its split. */
typedef struct st_tp_rule {
    const char *pattern;
    st_tp_split split;
} st_tp_rule;

/* One tensor asked for by name, with an optional explicit shard in the
   planner's 2-D view (st_plan.h); ST_SHARD_NONE leaves it to the TP rules. */
typedef struct st_select {
    const char *name;       /* NUL-terminated UTF-8 */
    st_shard_kind shard;
    uint64_t start;
    uint64_t stop;
} st_select;

typedef struct st_request {
    const char *const *paths;  /* safetensors files, or one index (*.json) */
    uint32_t n_paths;
    const st_select *select;   /* NULL / 0: every tensor (of the index's weight_map) */
    uint32_t n_select;
    /* tensor parallelism: with tp_world >= 2, each tensor not given an
       explicit shard is split by the first rule whose pattern matches its
       name; with no match, along dimension 0. Scalars are never split. */
    uint32_t tp_rank;
    uint32_t tp_world;
    const st_tp_rule *tp_rules;
    uint32_t n_tp_rules;
} st_request;

/* One file of a load. */
typedef struct st_load_file {
    char *path;
    st_loaded loaded;   /* the mapped (or read) file and its parsed header */
    int fd;             /* for pread; -1 when closed */
    uint32_t *marks;    /* while planning: which entries load (NULL after) */
} st_load_file;

/* One tensor of a load; items[i] in st_load is its plan. */
typedef struct st_load_entry {
    const uint8_t *name;  /* decoded name (into the file or its arena) */
    uint32_t name_len;
    uint32_t file;        /* index into st_load.files */
    const st_tensor *tensor;
    st_tp_split split;    /* what tensor parallelism did (ST_TP_WHOLE: nothing) */
} st_load_entry;

typedef struct st_load_stats {
    uint64_t bytes;       /* selected bytes copied to the device */
    uint64_t chunks;      /* plan chunks */
    uint64_t batches;     /* device copies (one per filled staging buffer) */
    uint64_t staging;     /* bytes of each staging buffer */
    uint32_t buffers;     /* staging buffers used */
    uint32_t threads;     /* readers used */
    double open_s;        /* st_load_plan: open, validate, plan */
    double alloc_s;       /* device allocation, staging, stream, events, threads */
    double copy_s;        /* first read to last copy completed */
    double release_s;     /* staging, stream, events, threads released */
} st_load_stats;

#define ST_LOAD_MSG_MAX 768u

typedef struct st_load {
    st_backend *backend;
    st_engine_opts opts;
    st_load_file *files;
    uint32_t n_files;
    st_plan_item *items;    /* laid out: items[i].dst, .bytes */
    st_load_entry *entries;
    uint32_t n_items;
    uint64_t total;         /* allocation size */
    void *device;           /* the allocation after st_load_run (NULL when total is 0) */
    bool ran;
    st_load_stats stats;
    st_dev_err code;
    char err[ST_LOAD_MSG_MAX];
} st_load;

/*
 * Open, validate, select and lay out. L is initialised here (any previous
 * content is ignored); call st_load_close(L) afterwards in every case.
 */
st_dev_err st_load_plan(st_load *L, st_backend *backend, const st_request *req,
                        const st_engine_opts *opts);

/* Allocate and copy. On failure every backend resource is released again. */
st_dev_err st_load_run(st_load *L);

/*
 * Copy every tensor back and compare it with the bytes of its selection in
 * the file, computed from the dtype, the 2-D view and the range (not from
 * the plan's runs).
 * *compared receives the bytes compared (may be NULL).
 */
st_dev_err st_load_verify(st_load *L, uint64_t *compared);

/* Copy tensor i back into out[0 .. items[i].bytes). */
st_dev_err st_load_read_back(st_load *L, uint32_t i, void *out);

/* The tensor of that name, or -1. */
int64_t st_load_find(const st_load *L, const char *name);

/* Release everything: device memory, files, arrays. Safe twice. The backend
   itself stays open (it belongs to the caller). */
void st_load_close(st_load *L);

/* A short name of an error code ("ST_DEV_E_COPY"). */
const char *st_dev_err_name(st_dev_err e);

/* The pattern match of the TP rules: '*' any run of bytes, '?' one byte. */
bool st_name_match(const char *pattern, const uint8_t *name, size_t len);

/*
 * The shard tensor parallelism gives a tensor (ST-PLAN-4 applied to dim 0
 * or the last dim), in the planner's 2-D view: *kind, *start, *stop.
 * Rank-1 tensors split "by rows" are split along their only dimension,
 * which the 2-D view calls columns. false only when a product of
 * dimensions overflows, which a validated file excludes.
 */
bool st_tp_shard(const st_file *f, const st_tensor *t, st_tp_split split, uint32_t rank,
                 uint32_t world, st_shard_kind *kind, uint64_t *start, uint64_t *stop);

#ifdef __cplusplus
}
#endif
#endif /* ST_ENGINE_H */
