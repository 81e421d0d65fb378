/*
 * st_backend_cuda.c -- the CUDA backend: the CUDA runtime (libcudart) loaded
 * with dlopen when the backend is opened, called through the pointer types
 * of st_cuda_api.h. No link-time dependency: without the library, without a
 * driver or without a device, opening fails with a message.
 *
 * The runtime library is never unloaded: unloading a GPU runtime after it
 * has started its threads is unsafe, and dlopen of the same library again
 * returns the same handle.
 */
#define _POSIX_C_SOURCE 200809L

#include "st_backend.h"
#include "st_cuda_api.h"

#include <stdlib.h>
#include <string.h>

typedef struct cuda_backend {
    st_backend base;
    st_cuda_api api;
    char err[ST_BACKEND_MSG_MAX];
} cuda_backend;

/* Candidates in order; TENSORPROOF_CUDART, when set, is tried first. */
static const char *const cuda_libs[] = {
    "libcudart.so",
    "libcudart.so.13",
    "libcudart.so.12",
    "/usr/local/cuda/lib64/libcudart.so",
    NULL,
};

static cuda_backend *cb_of(st_backend *b)
{
    return (cuda_backend *)b->impl;
}

static const char *cuda_last_error(const st_backend *b)
{
    const cuda_backend *cb = (const cuda_backend *)b->impl;
    return cb->err;
}

/* "what: cudaErrorName: description (N)" for a failed call. */
static bool cuda_ok(cuda_backend *cb, st_cuda_error rc, const char *what)
{
    if (rc != ST_CUDA_SUCCESS) {
        const char *name = cb->api.GetErrorName(rc);
        const char *text = cb->api.GetErrorString(rc);
        st_backend_msg(cb->err, sizeof cb->err, "%s: %s: %s (%u)", what,
                       (name != NULL) ? name : "?", (text != NULL) ? text : "?", rc);
    }
    return rc == ST_CUDA_SUCCESS;
}

static bool cuda_dev_alloc(st_backend *b, size_t n, void **out)
{
    cuda_backend *cb = cb_of(b);
    *out = NULL;
    return cuda_ok(cb, cb->api.Malloc(out, n), "cudaMalloc");
}

static bool cuda_dev_free(st_backend *b, void *p)
{
    cuda_backend *cb = cb_of(b);
    return (p == NULL) || cuda_ok(cb, cb->api.Free(p), "cudaFree");
}

static bool cuda_host_alloc(st_backend *b, size_t n, void **out)
{
    cuda_backend *cb = cb_of(b);
    *out = NULL;
    return cuda_ok(cb, cb->api.HostAlloc(out, n, ST_CUDA_HOST_ALLOC_DEFAULT), "cudaHostAlloc");
}

static bool cuda_host_free(st_backend *b, void *p)
{
    cuda_backend *cb = cb_of(b);
    return (p == NULL) || cuda_ok(cb, cb->api.FreeHost(p), "cudaFreeHost");
}

static bool cuda_host_register(st_backend *b, void *p, size_t n)
{
    cuda_backend *cb = cb_of(b);
    return cuda_ok(cb, cb->api.HostRegister(p, n, ST_CUDA_HOST_REGISTER_DEFAULT),
                   "cudaHostRegister");
}

static bool cuda_host_unregister(st_backend *b, void *p)
{
    cuda_backend *cb = cb_of(b);
    return cuda_ok(cb, cb->api.HostUnregister(p), "cudaHostUnregister");
}

static bool cuda_stream_create(st_backend *b, void **out)
{
    cuda_backend *cb = cb_of(b);
    st_cuda_stream s = NULL;
    bool ok = cuda_ok(cb, cb->api.StreamCreateWithFlags(&s, ST_CUDA_STREAM_NON_BLOCKING),
                      "cudaStreamCreateWithFlags");
    *out = ok ? (void *)s : NULL;
    return ok;
}

static bool cuda_stream_destroy(st_backend *b, void *s)
{
    cuda_backend *cb = cb_of(b);
    return (s == NULL) ||
           cuda_ok(cb, cb->api.StreamDestroy((st_cuda_stream)s), "cudaStreamDestroy");
}

static bool cuda_stream_sync(st_backend *b, void *s)
{
    cuda_backend *cb = cb_of(b);
    return cuda_ok(cb, cb->api.StreamSynchronize((st_cuda_stream)s), "cudaStreamSynchronize");
}

static bool cuda_event_create(st_backend *b, void **out)
{
    cuda_backend *cb = cb_of(b);
    st_cuda_event e = NULL;
    bool ok = cuda_ok(cb, cb->api.EventCreateWithFlags(&e, ST_CUDA_EVENT_DISABLE_TIMING),
                      "cudaEventCreateWithFlags");
    *out = ok ? (void *)e : NULL;
    return ok;
}

static bool cuda_event_destroy(st_backend *b, void *e)
{
    cuda_backend *cb = cb_of(b);
    return (e == NULL) ||
           cuda_ok(cb, cb->api.EventDestroy((st_cuda_event)e), "cudaEventDestroy");
}

static bool cuda_event_record(st_backend *b, void *e, void *s)
{
    cuda_backend *cb = cb_of(b);
    return cuda_ok(cb, cb->api.EventRecord((st_cuda_event)e, (st_cuda_stream)s),
                   "cudaEventRecord");
}

static bool cuda_event_sync(st_backend *b, void *e)
{
    cuda_backend *cb = cb_of(b);
    return cuda_ok(cb, cb->api.EventSynchronize((st_cuda_event)e), "cudaEventSynchronize");
}

static bool cuda_copy_h2d_async(st_backend *b, void *dst, const void *src, size_t n, void *s)
{
    cuda_backend *cb = cb_of(b);
    return cuda_ok(cb,
                   cb->api.MemcpyAsync(dst, src, n, ST_CUDA_MEMCPY_HOST_TO_DEVICE,
                                       (st_cuda_stream)s),
                   "cudaMemcpyAsync");
}

static bool cuda_copy_d2h(st_backend *b, void *dst, const void *src, size_t n)
{
    cuda_backend *cb = cb_of(b);
    return cuda_ok(cb, cb->api.Memcpy(dst, src, n, ST_CUDA_MEMCPY_DEVICE_TO_HOST), "cudaMemcpy");
}

static bool cuda_bind(st_backend *b)
{
    cuda_backend *cb = cb_of(b);
    return cuda_ok(cb, cb->api.SetDevice(b->device), "cudaSetDevice");
}

static void cuda_close(st_backend *b)
{
    free(cb_of(b));
}

/* dlsym every function of the table; false names the first one missing. */
static bool cuda_load_symbols(void *lib, st_cuda_api *api, const char **missing)
{
    struct sym {
        const char *name;
        void *slot;
        size_t size;
    };
    const struct sym syms[] = {
        {"cudaGetDeviceCount", &api->GetDeviceCount, sizeof api->GetDeviceCount},
        {"cudaSetDevice", &api->SetDevice, sizeof api->SetDevice},
        {"cudaMalloc", &api->Malloc, sizeof api->Malloc},
        {"cudaFree", &api->Free, sizeof api->Free},
        {"cudaHostAlloc", &api->HostAlloc, sizeof api->HostAlloc},
        {"cudaFreeHost", &api->FreeHost, sizeof api->FreeHost},
        {"cudaHostRegister", &api->HostRegister, sizeof api->HostRegister},
        {"cudaHostUnregister", &api->HostUnregister, sizeof api->HostUnregister},
        {"cudaStreamCreateWithFlags", &api->StreamCreateWithFlags,
         sizeof api->StreamCreateWithFlags},
        {"cudaStreamDestroy", &api->StreamDestroy, sizeof api->StreamDestroy},
        {"cudaStreamSynchronize", &api->StreamSynchronize, sizeof api->StreamSynchronize},
        {"cudaEventCreateWithFlags", &api->EventCreateWithFlags,
         sizeof api->EventCreateWithFlags},
        {"cudaEventDestroy", &api->EventDestroy, sizeof api->EventDestroy},
        {"cudaEventRecord", &api->EventRecord, sizeof api->EventRecord},
        {"cudaEventSynchronize", &api->EventSynchronize, sizeof api->EventSynchronize},
        {"cudaMemcpyAsync", &api->MemcpyAsync, sizeof api->MemcpyAsync},
        {"cudaMemcpy", &api->Memcpy, sizeof api->Memcpy},
        {"cudaDeviceSynchronize", &api->DeviceSynchronize, sizeof api->DeviceSynchronize},
        {"cudaRuntimeGetVersion", &api->RuntimeGetVersion, sizeof api->RuntimeGetVersion},
        {"cudaDriverGetVersion", &api->DriverGetVersion, sizeof api->DriverGetVersion},
        {"cudaGetErrorString", &api->GetErrorString, sizeof api->GetErrorString},
        {"cudaGetErrorName", &api->GetErrorName, sizeof api->GetErrorName},
    };
    size_t i;
    bool ok = true;
    for (i = 0u; ok && (i < (sizeof syms / sizeof syms[0])); i++) {
        ok = st_backend_sym(lib, syms[i].name, syms[i].slot, syms[i].size);
        if (!ok) {
            *missing = syms[i].name;
        }
    }
    return ok;
}

st_backend *st_cuda_backend_open(int device, char *err, size_t err_len)
{
    cuda_backend *cb = calloc(1u, sizeof *cb);
    st_backend *b = NULL;
    void *lib = NULL;
    const char *missing = NULL;
    int count = 0;
    char why[ST_BACKEND_MSG_MAX];
    if (cb == NULL) {
        st_backend_msg(err, err_len, "cuda: out of memory");
        goto out;
    }
    lib = st_backend_dlopen(cuda_libs, "TENSORPROOF_CUDART", why, sizeof why);
    if (lib == NULL) {
        st_backend_msg(err, err_len, "cuda: %s", why);
        goto out;
    }
    if (!cuda_load_symbols(lib, &cb->api, &missing)) {
        st_backend_msg(err, err_len, "cuda: the runtime library lacks %s", missing);
        goto out;
    }
    if (!cuda_ok(cb, cb->api.GetDeviceCount(&count), "cudaGetDeviceCount")) {
        st_backend_msg(err, err_len, "cuda: no usable device: %s", cb->err);
        goto out;
    }
    if ((count <= 0) || (device >= count)) {
        st_backend_msg(err, err_len, "cuda: no device %d (the runtime sees %d device%s)", device,
                       count, (count == 1) ? "" : "s");
        goto out;
    }
    b = &cb->base;
    b->name = "cuda";
    b->device = device;
    b->dev_alloc = cuda_dev_alloc;
    b->dev_free = cuda_dev_free;
    b->host_alloc = cuda_host_alloc;
    b->host_free = cuda_host_free;
    b->host_register = cuda_host_register;
    b->host_unregister = cuda_host_unregister;
    b->stream_create = cuda_stream_create;
    b->stream_destroy = cuda_stream_destroy;
    b->stream_sync = cuda_stream_sync;
    b->event_create = cuda_event_create;
    b->event_destroy = cuda_event_destroy;
    b->event_record = cuda_event_record;
    b->event_sync = cuda_event_sync;
    b->copy_h2d_async = cuda_copy_h2d_async;
    b->copy_d2h = cuda_copy_d2h;
    b->bind = cuda_bind;
    b->read_at = NULL;
    b->last_error = cuda_last_error;
    b->close = cuda_close;
    b->impl = cb;
    if (!cuda_bind(b)) {
        st_backend_msg(err, err_len, "cuda: device %d: %s", device, cb->err);
        b = NULL;
    }
out:
    if (b == NULL) {
        free(cb);
    }
    return b;
}
