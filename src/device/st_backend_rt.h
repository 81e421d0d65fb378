/*
 * st_backend_rt.h -- a device backend over a GPU runtime loaded with dlopen
 * when the backend is opened, and called through the function-pointer table
 * of st_rt_api.h. The CUDA runtime and the HIP runtime have the same shape,
 * so the backend is written once here and instantiated by
 * st_backend_cuda.c and st_backend_hip.c, each of which defines, before
 * including this file:
 *
 *   RT_API, RT_ERROR, RT_STREAM, RT_EVENT   its table and handle types
 *   RT_SUCCESS, RT_H2D, RT_D2H              its constants
 *   RT_HOST_ALLOC_FLAGS, RT_HOST_REGISTER_FLAGS,
 *   RT_STREAM_FLAGS, RT_EVENT_FLAGS         the flags passed
 *   RT_NAME     the backend's name ("cuda"), the prefix of its messages
 *   RT_PREFIX   the prefix of the runtime's symbols ("cuda")
 *   RT_SYM_HOST_ALLOC, RT_SYM_FREE_HOST     the two symbols not named
 *                                           RT_PREFIX + the table field
 *   RT_ENV      the environment variable naming the library to try first
 *   RT_LIBS     the NULL-terminated list of library names to try
 *   RT_OPEN     the name of the public open function
 *
 * No link-time dependency: without the library, without a driver or
 * without a device, opening fails with a message. The runtime library is
 * never unloaded: unloading a GPU runtime after it has started its threads
 * is unsafe, and dlopen of the same library again returns the same handle.
 */
#include "st_backend.h"

#include <stdlib.h>
#include <string.h>

typedef struct rt_backend {
    st_backend base;
    RT_API api;
    char err[ST_BACKEND_MSG_MAX];
} rt_backend;

static rt_backend *rt_of(st_backend *b)
{
    return (rt_backend *)b->impl;
}

static const char *rt_last_error(const st_backend *b)
{
    const rt_backend *rb = (const rt_backend *)b->impl;
    return rb->err;
}

/* "what: ErrorName: description (N)" for a failed call. */
static bool rt_ok(rt_backend *rb, RT_ERROR rc, const char *what)
{
    if (rc != RT_SUCCESS) {
        const char *name = rb->api.GetErrorName(rc);
        const char *text = rb->api.GetErrorString(rc);
        st_backend_msg(rb->err, sizeof rb->err, "%s: %s: %s (%u)", what,
                       (name != NULL) ? name : "?", (text != NULL) ? text : "?", rc);
    }
    return rc == RT_SUCCESS;
}

static bool rt_dev_alloc(st_backend *b, size_t n, void **out)
{
    rt_backend *rb = rt_of(b);
    *out = NULL;
    return rt_ok(rb, rb->api.Malloc(out, n), RT_PREFIX "Malloc");
}

static bool rt_dev_free(st_backend *b, void *p)
{
    rt_backend *rb = rt_of(b);
    return (p == NULL) || rt_ok(rb, rb->api.Free(p), RT_PREFIX "Free");
}

static bool rt_host_alloc(st_backend *b, size_t n, void **out)
{
    rt_backend *rb = rt_of(b);
    *out = NULL;
    return rt_ok(rb, rb->api.HostAlloc(out, n, RT_HOST_ALLOC_FLAGS), RT_SYM_HOST_ALLOC);
}

static bool rt_host_free(st_backend *b, void *p)
{
    rt_backend *rb = rt_of(b);
    return (p == NULL) || rt_ok(rb, rb->api.FreeHost(p), RT_SYM_FREE_HOST);
}

static bool rt_host_register(st_backend *b, void *p, size_t n)
{
    rt_backend *rb = rt_of(b);
    return rt_ok(rb, rb->api.HostRegister(p, n, RT_HOST_REGISTER_FLAGS),
                   RT_PREFIX "HostRegister");
}

static bool rt_host_unregister(st_backend *b, void *p)
{
    rt_backend *rb = rt_of(b);
    return rt_ok(rb, rb->api.HostUnregister(p), RT_PREFIX "HostUnregister");
}

static bool rt_stream_create(st_backend *b, void **out)
{
    rt_backend *rb = rt_of(b);
    RT_STREAM s = NULL;
    bool ok = rt_ok(rb, rb->api.StreamCreateWithFlags(&s, RT_STREAM_FLAGS),
                      RT_PREFIX "StreamCreateWithFlags");
    *out = ok ? (void *)s : NULL;
    return ok;
}

static bool rt_stream_destroy(st_backend *b, void *s)
{
    rt_backend *rb = rt_of(b);
    return (s == NULL) ||
           rt_ok(rb, rb->api.StreamDestroy((RT_STREAM)s), RT_PREFIX "StreamDestroy");
}

static bool rt_stream_sync(st_backend *b, void *s)
{
    rt_backend *rb = rt_of(b);
    return rt_ok(rb, rb->api.StreamSynchronize((RT_STREAM)s), RT_PREFIX "StreamSynchronize");
}

static bool rt_event_create(st_backend *b, void **out)
{
    rt_backend *rb = rt_of(b);
    RT_EVENT e = NULL;
    bool ok = rt_ok(rb, rb->api.EventCreateWithFlags(&e, RT_EVENT_FLAGS),
                      RT_PREFIX "EventCreateWithFlags");
    *out = ok ? (void *)e : NULL;
    return ok;
}

static bool rt_event_destroy(st_backend *b, void *e)
{
    rt_backend *rb = rt_of(b);
    return (e == NULL) ||
           rt_ok(rb, rb->api.EventDestroy((RT_EVENT)e), RT_PREFIX "EventDestroy");
}

static bool rt_event_record(st_backend *b, void *e, void *s)
{
    rt_backend *rb = rt_of(b);
    return rt_ok(rb, rb->api.EventRecord((RT_EVENT)e, (RT_STREAM)s),
                   RT_PREFIX "EventRecord");
}

static bool rt_event_sync(st_backend *b, void *e)
{
    rt_backend *rb = rt_of(b);
    return rt_ok(rb, rb->api.EventSynchronize((RT_EVENT)e), RT_PREFIX "EventSynchronize");
}

static bool rt_copy_h2d_async(st_backend *b, void *dst, const void *src, size_t n, void *s)
{
    rt_backend *rb = rt_of(b);
    return rt_ok(rb,
                   rb->api.MemcpyAsync(dst, src, n, RT_H2D,
                                       (RT_STREAM)s),
                   RT_PREFIX "MemcpyAsync");
}

static bool rt_copy_d2h(st_backend *b, void *dst, const void *src, size_t n)
{
    rt_backend *rb = rt_of(b);
    return rt_ok(rb, rb->api.Memcpy(dst, src, n, RT_D2H), RT_PREFIX "Memcpy");
}

static bool rt_bind(st_backend *b)
{
    rt_backend *rb = rt_of(b);
    return rt_ok(rb, rb->api.SetDevice(b->device), RT_PREFIX "SetDevice");
}

static void rt_close(st_backend *b)
{
    free(rt_of(b));
}

/* dlsym every function of the table; false names the first one missing. */
static bool rt_load_symbols(void *lib, RT_API *api, const char **missing)
{
    struct sym {
        const char *name;
        void *slot;
        size_t size;
    };
    const struct sym syms[] = {
        {RT_PREFIX "GetDeviceCount", &api->GetDeviceCount, sizeof api->GetDeviceCount},
        {RT_PREFIX "SetDevice", &api->SetDevice, sizeof api->SetDevice},
        {RT_PREFIX "Malloc", &api->Malloc, sizeof api->Malloc},
        {RT_PREFIX "Free", &api->Free, sizeof api->Free},
        {RT_SYM_HOST_ALLOC, &api->HostAlloc, sizeof api->HostAlloc},
        {RT_SYM_FREE_HOST, &api->FreeHost, sizeof api->FreeHost},
        {RT_PREFIX "HostRegister", &api->HostRegister, sizeof api->HostRegister},
        {RT_PREFIX "HostUnregister", &api->HostUnregister, sizeof api->HostUnregister},
        {RT_PREFIX "StreamCreateWithFlags", &api->StreamCreateWithFlags,
         sizeof api->StreamCreateWithFlags},
        {RT_PREFIX "StreamDestroy", &api->StreamDestroy, sizeof api->StreamDestroy},
        {RT_PREFIX "StreamSynchronize", &api->StreamSynchronize, sizeof api->StreamSynchronize},
        {RT_PREFIX "EventCreateWithFlags", &api->EventCreateWithFlags,
         sizeof api->EventCreateWithFlags},
        {RT_PREFIX "EventDestroy", &api->EventDestroy, sizeof api->EventDestroy},
        {RT_PREFIX "EventRecord", &api->EventRecord, sizeof api->EventRecord},
        {RT_PREFIX "EventSynchronize", &api->EventSynchronize, sizeof api->EventSynchronize},
        {RT_PREFIX "MemcpyAsync", &api->MemcpyAsync, sizeof api->MemcpyAsync},
        {RT_PREFIX "Memcpy", &api->Memcpy, sizeof api->Memcpy},
        {RT_PREFIX "DeviceSynchronize", &api->DeviceSynchronize, sizeof api->DeviceSynchronize},
        {RT_PREFIX "RuntimeGetVersion", &api->RuntimeGetVersion, sizeof api->RuntimeGetVersion},
        {RT_PREFIX "DriverGetVersion", &api->DriverGetVersion, sizeof api->DriverGetVersion},
        {RT_PREFIX "GetErrorString", &api->GetErrorString, sizeof api->GetErrorString},
        {RT_PREFIX "GetErrorName", &api->GetErrorName, sizeof api->GetErrorName},
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

st_backend *RT_OPEN(int device, char *err, size_t err_len)
{
    rt_backend *rb = calloc(1u, sizeof *rb);
    st_backend *b = NULL;
    void *lib = NULL;
    const char *missing = NULL;
    int count = 0;
    char why[ST_BACKEND_MSG_MAX];
    if (rb == NULL) {
        st_backend_msg(err, err_len, RT_NAME ": out of memory");
        goto out;
    }
    lib = st_backend_dlopen(RT_LIBS, RT_ENV, why, sizeof why);
    if (lib == NULL) {
        st_backend_msg(err, err_len, RT_NAME ": %s", why);
        goto out;
    }
    if (!rt_load_symbols(lib, &rb->api, &missing)) {
        st_backend_msg(err, err_len, RT_NAME ": the runtime library lacks %s", missing);
        goto out;
    }
    if (!rt_ok(rb, rb->api.GetDeviceCount(&count), RT_PREFIX "GetDeviceCount")) {
        st_backend_msg(err, err_len, RT_NAME ": no usable device: %s", rb->err);
        goto out;
    }
    if ((count <= 0) || (device >= count)) {
        st_backend_msg(err, err_len, RT_NAME ": no device %d (the runtime sees %d device%s)", device,
                       count, (count == 1) ? "" : "s");
        goto out;
    }
    b = &rb->base;
    b->name = RT_NAME;
    b->device = device;
    b->dev_alloc = rt_dev_alloc;
    b->dev_free = rt_dev_free;
    b->host_alloc = rt_host_alloc;
    b->host_free = rt_host_free;
    b->host_register = rt_host_register;
    b->host_unregister = rt_host_unregister;
    b->stream_create = rt_stream_create;
    b->stream_destroy = rt_stream_destroy;
    b->stream_sync = rt_stream_sync;
    b->event_create = rt_event_create;
    b->event_destroy = rt_event_destroy;
    b->event_record = rt_event_record;
    b->event_sync = rt_event_sync;
    b->copy_h2d_async = rt_copy_h2d_async;
    b->copy_d2h = rt_copy_d2h;
    b->bind = rt_bind;
    b->read_at = NULL;
    b->last_error = rt_last_error;
    b->close = rt_close;
    b->impl = rb;
    if (!rt_bind(b)) {
        st_backend_msg(err, err_len, RT_NAME ": device %d: %s", device, rb->err);
        b = NULL;
    }
out:
    if (b == NULL) {
        free(rb);
    }
    return b;
}
