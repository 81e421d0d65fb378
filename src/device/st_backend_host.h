/*
 * st_backend_host.h -- the host backend: the "device" is ordinary memory.
 *
 * It behaves like a GPU runtime where it matters for the engine: each
 * stream is a thread that performs its queued copies in order, after the
 * copy call has returned, so an engine that reuses a staging buffer too early
 * copies the wrong bytes and the tests see it; events complete when the
 * stream reaches them; a failed queued copy is reported by the next
 * synchronisation (a "sticky" stream error, as in CUDA).
 *
 * Fault injection, for the tests: an st_host_faults struct, owned by the
 * caller and passed to st_host_backend_open, says which call fails (the k-th,
 * counting from 1; 0 never fails) and receives the backend's counters. Every
 * acquisition (device memory, pinned memory, registration, stream, event)
 * and every release is counted, so a test can prove that an error path
 * released everything: st_host_faults_live() == 0. The struct must outlive
 * the backend; the counters are final once st_backend_close has returned
 * (or, between runs, once the engine has returned).
 */
#ifndef ST_BACKEND_HOST_H
#define ST_BACKEND_HOST_H

#include "st_backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an injected read fault does. */
typedef enum st_read_fault {
    ST_READ_FAULT_SHORT = 0, /* return half the bytes asked for (at least 1): a
                                legitimate short read the engine must retry */
    ST_READ_FAULT_EOF = 1,   /* return 0: the file looks truncated */
    ST_READ_FAULT_ERROR = 2  /* return -1 with errno EIO */
} st_read_fault;

typedef struct st_host_faults {
    /* injections: the k-th call of the kind fails (1-based; 0 = never) */
    uint64_t alloc_at;       /* dev_alloc and host_alloc, counted together */
    uint64_t register_at;    /* host_register */
    uint64_t stream_at;      /* stream_create */
    uint64_t event_at;       /* event_create */
    uint64_t copy_at;        /* copy_h2d_async refused when called */
    uint64_t copy_async_at;  /* copy_h2d_async accepted; the copy fails later and
                                the next event_sync/stream_sync reports it */
    uint64_t d2h_at;         /* copy_d2h */
    uint64_t read_at;        /* read_at, with read_kind */
    st_read_fault read_kind;
    uint32_t copy_delay_us;  /* the stream thread sleeps this long before each
                                copy: widens the window an early reuse needs */

    /* counters (written by the backend) */
    uint64_t dev_allocs, dev_frees;
    uint64_t host_allocs, host_frees;
    uint64_t registers, unregisters;
    uint64_t streams_created, streams_destroyed;
    uint64_t events_created, events_destroyed;
    uint64_t alloc_calls;    /* calls, failed ones included: what alloc_at counts */
    uint64_t register_calls; /* likewise for register_at, stream_at, event_at */
    uint64_t stream_calls;
    uint64_t event_calls;
    uint64_t copies;         /* copy_h2d_async calls */
    uint64_t copy_bytes;     /* bytes of the accepted copies */
    uint64_t d2h_copies;
    uint64_t reads;          /* read_at calls */
    uint64_t dev_peak_bytes; /* largest device memory held at once */
    uint64_t dev_live_bytes;
} st_host_faults;

/*
 * Open a host backend. faults may be NULL (nothing injected, nothing
 * counted, read_at left NULL so that the engine calls pread directly).
 */
st_backend *st_host_backend_open(st_host_faults *faults, char *err, size_t err_len);

/* Handles acquired and not yet released, all kinds together. */
uint64_t st_host_faults_live(const st_host_faults *f);

#ifdef __cplusplus
}
#endif
#endif /* ST_BACKEND_HOST_H */
