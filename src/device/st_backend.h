/*
 * st_backend.h -- the device backends the copy engine (st_engine.h) drives.
 *
 * Conventions (they hold for every backend):
 *
 *  - A backend is a table of operations over opaque handles: device memory,
 *    pinned host memory, streams and events. Every operation returns true on
 *    success. On failure it returns false, and last_error() describes the
 *    failure in one line ("cudaMemcpyAsync: out of memory") until the next
 *    failing call.
 *  - The engine calls a backend's operations from one thread (the one that
 *    called st_load_run), after bind(). The only exception is read_at, which
 *    reader threads call concurrently; backends that define it make it
 *    thread-safe.
 *  - copy_h2d_async returns once the copy is queued on the stream. The
 *    source must stay unchanged until an event recorded after the copy has
 *    completed (event_sync) or the stream has drained (stream_sync). Errors
 *    of a queued copy may surface only at that synchronisation.
 *  - copy_d2h is synchronous and does not wait for other streams: the caller
 *    synchronises first.
 *  - The engine never passes a pointer into a file mapping to a backend:
 *    copies leave from pinned staging buffers only.
 *  - Device pointers are plain addresses: offsets into an allocation are
 *    computed on the host (unified virtual addressing, as CUDA and HIP give).
 */
#ifndef ST_BACKEND_H
#define ST_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest last_error() message, NUL included. */
#define ST_BACKEND_MSG_MAX 256u

typedef struct st_backend st_backend;

struct st_backend {
    const char *name; /* "host", "cuda" or "hip" */
    int device;       /* device index */

    /* device memory; dev_alloc(0) is never called */
    bool (*dev_alloc)(st_backend *b, size_t n, void **out);
    bool (*dev_free)(st_backend *b, void *p);
    /* pinned (page-locked) host memory for staging */
    bool (*host_alloc)(st_backend *b, size_t n, void **out);
    bool (*host_free)(st_backend *b, void *p);
    /* optional (NULL when unsupported): pin memory from malloc */
    bool (*host_register)(st_backend *b, void *p, size_t n);
    bool (*host_unregister)(st_backend *b, void *p);
    /* streams and events */
    bool (*stream_create)(st_backend *b, void **out);
    bool (*stream_destroy)(st_backend *b, void *s);
    bool (*stream_sync)(st_backend *b, void *s);
    bool (*event_create)(st_backend *b, void **out);
    bool (*event_destroy)(st_backend *b, void *e);
    bool (*event_record)(st_backend *b, void *e, void *s);
    bool (*event_sync)(st_backend *b, void *e);
    /* copies */
    bool (*copy_h2d_async)(st_backend *b, void *dst, const void *src, size_t n, void *s);
    bool (*copy_d2h)(st_backend *b, void *dst, const void *src, size_t n);
    /* make the backend's device current in the calling thread */
    bool (*bind)(st_backend *b);
    /*
     * Optional (NULL: the engine calls pread): read up to n bytes of file
     * descriptor fd at offset off, with pread's contract (bytes read, 0 at
     * the end of the file, -1 with errno set). Thread-safe. The host backend
     * uses it to inject faults.
     */
    int64_t (*read_at)(st_backend *b, int fd, void *buf, size_t n, uint64_t off);
    const char *(*last_error)(const st_backend *b);
    /* release the backend itself (the engine has released every handle) */
    void (*close)(st_backend *b);

    void *impl; /* the backend's own state */
};

/*
 * Open a backend from a device name: "host", "cuda", "cuda:N", "hip" or
 * "hip:N" (N a device index, default 0). The CUDA and HIP runtimes are loaded
 * with dlopen at this point; a missing library, a runtime that reports no
 * usable device, or a device index out of range is an error, not a crash.
 * Returns NULL on failure with a one-line reason in err[0..err_len).
 */
st_backend *st_backend_open(const char *device, char *err, size_t err_len);

/* Release a backend opened by st_backend_open (or a backend constructor). NULL is fine. */
void st_backend_close(st_backend *b);

/* The CUDA and HIP backends (st_backend_cuda.c, st_backend_hip.c). */
st_backend *st_cuda_backend_open(int device, char *err, size_t err_len);
st_backend *st_hip_backend_open(int device, char *err, size_t err_len);

/*
 * Shared helpers for the backends.
 *
 * st_backend_dlopen: try each name of a NULL-terminated list, then, when the
 * environment variable env_var is set, its value first. Returns the handle,
 * or NULL with err naming every library tried.
 *
 * st_backend_sym: look a symbol up and store it into *fn, which must point
 * to a function pointer (ISO C gives no conversion from dlsym's object
 * pointer to a function pointer, so the bytes are copied).
 */
void *st_backend_dlopen(const char *const *names, const char *env_var, char *err,
                        size_t err_len);
bool st_backend_sym(void *lib, const char *sym, void *fn, size_t fn_size);

/* snprintf into a backend's message buffer; never fails. */
void st_backend_msg(char *buf, size_t len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif /* ST_BACKEND_H */
