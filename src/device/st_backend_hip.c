/*
 * st_backend_hip.c -- the HIP backend: the HIP runtime (libamdhip64, ROCm) loaded
 * with dlopen when the backend is opened, called through the pointer types
 * of st_hip_api.h. No link-time dependency: without the library, without a
 * driver or without a device, opening fails with a message.
 *
 * The runtime library is never unloaded: unloading a GPU runtime after it
 * has started its threads is unsafe, and dlopen of the same library again
 * returns the same handle.
 */
#define _POSIX_C_SOURCE 200809L

#include "st_backend.h"
#include "st_hip_api.h"

#include <stdlib.h>
#include <string.h>

typedef struct hip_backend {
    st_backend base;
    st_hip_api api;
    char err[ST_BACKEND_MSG_MAX];
} hip_backend;

/* Candidates in order; TENSORPROOF_HIPRT, when set, is tried first. */
static const char *const hip_libs[] = {
    "libamdhip64.so",
    "libamdhip64.so.6",
    "libamdhip64.so.5",
    "/opt/rocm/lib/libamdhip64.so",
    NULL,
};

static hip_backend *hb_of(st_backend *b)
{
    return (hip_backend *)b->impl;
}

static const char *hip_last_error(const st_backend *b)
{
    const hip_backend *hb = (const hip_backend *)b->impl;
    return hb->err;
}

/* "what: hipErrorName: description (N)" for a failed call. */
static bool hip_ok(hip_backend *hb, st_hip_error rc, const char *what)
{
    if (rc != ST_HIP_SUCCESS) {
        const char *name = hb->api.GetErrorName(rc);
        const char *text = hb->api.GetErrorString(rc);
        st_backend_msg(hb->err, sizeof hb->err, "%s: %s: %s (%u)", what,
                       (name != NULL) ? name : "?", (text != NULL) ? text : "?", rc);
    }
    return rc == ST_HIP_SUCCESS;
}

static bool hip_dev_alloc(st_backend *b, size_t n, void **out)
{
    hip_backend *hb = hb_of(b);
    *out = NULL;
    return hip_ok(hb, hb->api.Malloc(out, n), "hipMalloc");
}

static bool hip_dev_free(st_backend *b, void *p)
{
    hip_backend *hb = hb_of(b);
    return (p == NULL) || hip_ok(hb, hb->api.Free(p), "hipFree");
}

static bool hip_host_alloc(st_backend *b, size_t n, void **out)
{
    hip_backend *hb = hb_of(b);
    *out = NULL;
    return hip_ok(hb, hb->api.HostMalloc(out, n, ST_HIP_HOST_MALLOC_DEFAULT), "hipHostMalloc");
}

static bool hip_host_free(st_backend *b, void *p)
{
    hip_backend *hb = hb_of(b);
    return (p == NULL) || hip_ok(hb, hb->api.HostFree(p), "hipHostFree");
}

static bool hip_host_register(st_backend *b, void *p, size_t n)
{
    hip_backend *hb = hb_of(b);
    return hip_ok(hb, hb->api.HostRegister(p, n, ST_HIP_HOST_REGISTER_DEFAULT),
                   "hipHostRegister");
}

static bool hip_host_unregister(st_backend *b, void *p)
{
    hip_backend *hb = hb_of(b);
    return hip_ok(hb, hb->api.HostUnregister(p), "hipHostUnregister");
}

static bool hip_stream_create(st_backend *b, void **out)
{
    hip_backend *hb = hb_of(b);
    st_hip_stream s = NULL;
    bool ok = hip_ok(hb, hb->api.StreamCreateWithFlags(&s, ST_HIP_STREAM_NON_BLOCKING),
                      "hipStreamCreateWithFlags");
    *out = ok ? (void *)s : NULL;
    return ok;
}

static bool hip_stream_destroy(st_backend *b, void *s)
{
    hip_backend *hb = hb_of(b);
    return (s == NULL) ||
           hip_ok(hb, hb->api.StreamDestroy((st_hip_stream)s), "hipStreamDestroy");
}

static bool hip_stream_sync(st_backend *b, void *s)
{
    hip_backend *hb = hb_of(b);
    return hip_ok(hb, hb->api.StreamSynchronize((st_hip_stream)s), "hipStreamSynchronize");
}

static bool hip_event_create(st_backend *b, void **out)
{
    hip_backend *hb = hb_of(b);
    st_hip_event e = NULL;
    bool ok = hip_ok(hb, hb->api.EventCreateWithFlags(&e, ST_HIP_EVENT_DISABLE_TIMING),
                      "hipEventCreateWithFlags");
    *out = ok ? (void *)e : NULL;
    return ok;
}

static bool hip_event_destroy(st_backend *b, void *e)
{
    hip_backend *hb = hb_of(b);
    return (e == NULL) ||
           hip_ok(hb, hb->api.EventDestroy((st_hip_event)e), "hipEventDestroy");
}

static bool hip_event_record(st_backend *b, void *e, void *s)
{
    hip_backend *hb = hb_of(b);
    return hip_ok(hb, hb->api.EventRecord((st_hip_event)e, (st_hip_stream)s),
                   "hipEventRecord");
}

static bool hip_event_sync(st_backend *b, void *e)
{
    hip_backend *hb = hb_of(b);
    return hip_ok(hb, hb->api.EventSynchronize((st_hip_event)e), "hipEventSynchronize");
}

static bool hip_copy_h2d_async(st_backend *b, void *dst, const void *src, size_t n, void *s)
{
    hip_backend *hb = hb_of(b);
    return hip_ok(hb,
                   hb->api.MemcpyAsync(dst, src, n, ST_HIP_MEMCPY_HOST_TO_DEVICE,
                                       (st_hip_stream)s),
                   "hipMemcpyAsync");
}

static bool hip_copy_d2h(st_backend *b, void *dst, const void *src, size_t n)
{
    hip_backend *hb = hb_of(b);
    return hip_ok(hb, hb->api.Memcpy(dst, src, n, ST_HIP_MEMCPY_DEVICE_TO_HOST), "hipMemcpy");
}

static bool hip_bind(st_backend *b)
{
    hip_backend *hb = hb_of(b);
    return hip_ok(hb, hb->api.SetDevice(b->device), "hipSetDevice");
}

static void hip_close(st_backend *b)
{
    free(hb_of(b));
}

/* dlsym every function of the table; false names the first one missing. */
static bool hip_load_symbols(void *lib, st_hip_api *api, const char **missing)
{
    struct sym {
        const char *name;
        void *slot;
        size_t size;
    };
    const struct sym syms[] = {
        {"hipGetDeviceCount", &api->GetDeviceCount, sizeof api->GetDeviceCount},
        {"hipSetDevice", &api->SetDevice, sizeof api->SetDevice},
        {"hipMalloc", &api->Malloc, sizeof api->Malloc},
        {"hipFree", &api->Free, sizeof api->Free},
        {"hipHostMalloc", &api->HostMalloc, sizeof api->HostMalloc},
        {"hipHostFree", &api->HostFree, sizeof api->HostFree},
        {"hipHostRegister", &api->HostRegister, sizeof api->HostRegister},
        {"hipHostUnregister", &api->HostUnregister, sizeof api->HostUnregister},
        {"hipStreamCreateWithFlags", &api->StreamCreateWithFlags,
         sizeof api->StreamCreateWithFlags},
        {"hipStreamDestroy", &api->StreamDestroy, sizeof api->StreamDestroy},
        {"hipStreamSynchronize", &api->StreamSynchronize, sizeof api->StreamSynchronize},
        {"hipEventCreateWithFlags", &api->EventCreateWithFlags,
         sizeof api->EventCreateWithFlags},
        {"hipEventDestroy", &api->EventDestroy, sizeof api->EventDestroy},
        {"hipEventRecord", &api->EventRecord, sizeof api->EventRecord},
        {"hipEventSynchronize", &api->EventSynchronize, sizeof api->EventSynchronize},
        {"hipMemcpyAsync", &api->MemcpyAsync, sizeof api->MemcpyAsync},
        {"hipMemcpy", &api->Memcpy, sizeof api->Memcpy},
        {"hipDeviceSynchronize", &api->DeviceSynchronize, sizeof api->DeviceSynchronize},
        {"hipRuntimeGetVersion", &api->RuntimeGetVersion, sizeof api->RuntimeGetVersion},
        {"hipDriverGetVersion", &api->DriverGetVersion, sizeof api->DriverGetVersion},
        {"hipGetErrorString", &api->GetErrorString, sizeof api->GetErrorString},
        {"hipGetErrorName", &api->GetErrorName, sizeof api->GetErrorName},
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

st_backend *st_hip_backend_open(int device, char *err, size_t err_len)
{
    hip_backend *hb = calloc(1u, sizeof *hb);
    st_backend *b = NULL;
    void *lib = NULL;
    const char *missing = NULL;
    int count = 0;
    char why[ST_BACKEND_MSG_MAX];
    if (hb == NULL) {
        st_backend_msg(err, err_len, "hip: out of memory");
        goto out;
    }
    lib = st_backend_dlopen(hip_libs, "TENSORPROOF_HIPRT", why, sizeof why);
    if (lib == NULL) {
        st_backend_msg(err, err_len, "hip: %s", why);
        goto out;
    }
    if (!hip_load_symbols(lib, &hb->api, &missing)) {
        st_backend_msg(err, err_len, "hip: the runtime library lacks %s", missing);
        goto out;
    }
    if (!hip_ok(hb, hb->api.GetDeviceCount(&count), "hipGetDeviceCount")) {
        st_backend_msg(err, err_len, "hip: no usable device: %s", hb->err);
        goto out;
    }
    if ((count <= 0) || (device >= count)) {
        st_backend_msg(err, err_len, "hip: no device %d (the runtime sees %d device%s)", device,
                       count, (count == 1) ? "" : "s");
        goto out;
    }
    b = &hb->base;
    b->name = "hip";
    b->device = device;
    b->dev_alloc = hip_dev_alloc;
    b->dev_free = hip_dev_free;
    b->host_alloc = hip_host_alloc;
    b->host_free = hip_host_free;
    b->host_register = hip_host_register;
    b->host_unregister = hip_host_unregister;
    b->stream_create = hip_stream_create;
    b->stream_destroy = hip_stream_destroy;
    b->stream_sync = hip_stream_sync;
    b->event_create = hip_event_create;
    b->event_destroy = hip_event_destroy;
    b->event_record = hip_event_record;
    b->event_sync = hip_event_sync;
    b->copy_h2d_async = hip_copy_h2d_async;
    b->copy_d2h = hip_copy_d2h;
    b->bind = hip_bind;
    b->read_at = NULL;
    b->last_error = hip_last_error;
    b->close = hip_close;
    b->impl = hb;
    if (!hip_bind(b)) {
        st_backend_msg(err, err_len, "hip: device %d: %s", device, hb->err);
        b = NULL;
    }
out:
    if (b == NULL) {
        free(hb);
    }
    return b;
}
