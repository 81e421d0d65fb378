/*
 * dt.h -- support for the device engine tests (tests/device/test_*.c).
 *
 * Files are written by a small writer here (header JSON, padding, data from
 * a seeded generator), independent of the project's own writer. Expected
 * bytes of a selection are gathered element by element, bit by bit, from the
 * file as written: an oracle that shares no arithmetic with the planner.
 *
 * The backend under test is the host backend with counters, unless the
 * environment variable DT_DEVICE names another device ("cuda:0"): then the
 * same tests run against that device and compare what they copy back; the
 * tests that need the host backend's fault injection are skipped there.
 *
 * Assertions use Criterion's classic macros (see tests/unit/unit.h for why).
 */
#ifndef DT_H
#define DT_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "st_backend.h"
#include "st_backend_host.h"
#include "st_engine.h"
#include "tensorproof.h"

#define DT_MAX_RANK 4u

typedef struct dt_tensor {
    const char *name;
    st_dtype dtype;
    uint32_t rank;
    uint64_t dims[DT_MAX_RANK];
} dt_tensor;

/* What was written: the file's bytes and where each tensor's data starts. */
typedef struct dt_file {
    char *path;
    uint8_t *bytes;
    uint64_t len;
    uint64_t data_start;   /* 8 + header length */
    size_t n;
    uint64_t *begin;       /* per tensor, relative to data_start */
    uint64_t *nbytes;
    dt_tensor *tensors;    /* copy of the description (names not copied) */
} dt_file;

/* A fresh directory for the current test (removed by dt_cleanup). */
const char *dt_dir(void);
void dt_cleanup(void);

/* The .fini of every suite: dt_cleanup, then, in sanitizer builds, a leak
   check of the test's process (Criterion's workers end without the
   sanitizer's own exit-time check). */
void dt_fini(void);

/* A path inside dt_dir() (static buffer rotation: valid for 8 calls). */
const char *dt_path(const char *name);

/* Write a safetensors file; data bytes come from `seed`. Aborts the test on failure. */
void dt_write(dt_file *out, const char *name, const dt_tensor *ts, size_t n, uint32_t seed);
void dt_file_free(dt_file *f);

/* Elements and bytes of a tensor description. */
uint64_t dt_nelem(const dt_tensor *t);
uint64_t dt_bytes(const dt_tensor *t);

/*
 * The selection of tensor k of f in the 2-D view of st_plan.h (rows = all
 * dimensions but the last; a rank-1 tensor is one row for a column range
 * and one column otherwise, so that a row range selects elements), gathered element by
 * element: returns a malloc'd buffer (*len bytes; at least 1 byte allocated).
 */
uint8_t *dt_expected(const dt_file *f, size_t k, st_shard_kind shard, uint64_t start,
                     uint64_t stop, uint64_t *len);

/* The backend under test: the host backend counting into *faults, or DT_DEVICE. */
st_backend *dt_backend(st_host_faults *faults);
/* True when the tests run on the host backend (fault injection available). */
bool dt_on_host(void);

/*
 * Load `paths` with opts and request defaults; check every tensor against
 * the oracle (by name: its file, selection) through st_load_read_back and
 * st_load_verify. The load stays open in *L for more checks; close it with
 * dt_finish (which also checks that the host backend holds nothing).
 */
void dt_load_ok(st_load *L, st_backend *b, const st_request *req, const st_engine_opts *o);
/* Compare tensor i of a load with the oracle gather from file f, tensor k. */
void dt_check_tensor(st_load *L, uint32_t i, const dt_file *f, size_t k);
void dt_finish(st_load *L, st_backend *b, st_host_faults *faults);

/* Index of a tensor of f by name (the test fails when absent). */
size_t dt_find(const dt_file *f, const char *name);

/* dt_check_tensor for every tensor of a load; files[] are all the files it
   may come from (matched by path, then by name). */
void dt_check_all(st_load *L, const dt_file *files, size_t n_files);

/* Options for tests: small chunks to exercise splitting. */
void dt_opts(st_engine_opts *o, uint64_t chunk, uint32_t buffers, uint32_t threads);

/* A deterministic generator (xorshift64*). */
uint64_t dt_rand(uint64_t *state);

#endif /* DT_H */
