/*
 * test_backend.c -- opening backends by name (the CUDA and HIP runtimes fail
 * cleanly without a device), the host backend's own behaviour, the TP rule
 * patterns and the shard helper.
 */
#define _POSIX_C_SOURCE 200809L

#include "dt.h"

#include <stdlib.h>
#include <string.h>

TestSuite(backend, .fini = dt_fini);

/* Without a GPU (these machines), opening cuda or hip fails with a reason. */
Test(backend, gpu_runtimes_fail_cleanly_without_a_device)
{
    static const char *const devices[] = {"cuda", "cuda:0", "cuda:3", "hip", "hip:0"};
    size_t i;
    const char *d = getenv("DT_DEVICE");
    if ((d != NULL) && (strncmp(d, "cuda", 4u) == 0)) {
        cr_skip_test("a GPU is present (DT_DEVICE=%s)", d);
    }
    for (i = 0u; i < (sizeof devices / sizeof devices[0]); i++) {
        char err[ST_BACKEND_MSG_MAX];
        st_backend *b;
        err[0] = '\0';
        b = st_backend_open(devices[i], err, sizeof err);
        cr_assert(b == NULL, "%s opened on a machine without a GPU", devices[i]);
        cr_assert(strncmp(err, devices[i], 3u) == 0, "%s: message \"%s\"", devices[i], err);
        cr_assert((strstr(err, "no usable device") != NULL) ||
                  (strstr(err, "cannot load the runtime library") != NULL) ||
                  (strstr(err, "no device") != NULL),
                  "%s: message \"%s\"", devices[i], err);
    }
}

/* A library that does not exist: the message lists what was tried. */
Test(backend, missing_runtime_library)
{
    char err[ST_BACKEND_MSG_MAX];
    st_backend *b;
    static const char *const none[] = {"libtensorproof-no-such-runtime.so", NULL};
    cr_assert(setenv("TENSORPROOF_CUDART", "/nonexistent/libcudart.so", 1) == 0);
    cr_assert(st_backend_dlopen(none, "TENSORPROOF_CUDART", err, sizeof err) == NULL);
    cr_assert(strstr(err, "/nonexistent/libcudart.so") != NULL, "%s", err);
    cr_assert(strstr(err, "libtensorproof-no-such-runtime.so") != NULL, "%s", err);
    cr_assert(strstr(err, "TENSORPROOF_CUDART") != NULL, "%s", err);
    b = st_backend_open("hip:x", err, sizeof err);
    cr_assert(b == NULL);
    cr_assert(strstr(err, "unknown device") != NULL, "%s", err);
}

Test(backend, device_names)
{
    static const char *const bad[] = {"", "gpu", "cuda:", "cuda:-1", "cuda:1x", "hostx",
                                      "cuda:99999999999"};
    size_t i;
    char err[ST_BACKEND_MSG_MAX];
    st_backend *b = st_backend_open("host", err, sizeof err);
    cr_assert(b != NULL, "%s", err);
    cr_assert(strcmp(b->name, "host") == 0);
    cr_assert(b->read_at == NULL, "no fault injection: pread directly");
    st_backend_close(b);
    st_backend_close(NULL);
    for (i = 0u; i < (sizeof bad / sizeof bad[0]); i++) {
        b = st_backend_open(bad[i], err, sizeof err);
        cr_assert(b == NULL, "'%s' accepted", bad[i]);
        cr_assert(strstr(err, "unknown device") != NULL, "%s", err);
    }
}

/* The host stream performs copies after the call returns, in order, and
   an event says when they are done. */
Test(backend, host_stream_is_asynchronous_and_ordered)
{
    st_host_faults hf;
    char err[ST_BACKEND_MSG_MAX];
    st_backend *b;
    void *dev = NULL;
    void *pin = NULL;
    void *s = NULL;
    void *e = NULL;
    uint8_t *d;
    uint8_t *p;
    int i;
    memset(&hf, 0, sizeof hf);
    hf.copy_delay_us = 20000u;
    b = st_host_backend_open(&hf, err, sizeof err);
    cr_assert(b != NULL);
    cr_assert(b->dev_alloc(b, 4096u, &dev));
    cr_assert(b->host_alloc(b, 4096u, &pin));
    cr_assert(b->stream_create(b, &s));
    cr_assert(b->event_create(b, &e));
    d = dev;
    p = pin;
    cr_assert(d[0] == 0xA5u, "fresh device memory is marked");
    memset(p, 1, 4096u);
    cr_assert(b->copy_h2d_async(b, d, p, 4096u, s));
    cr_assert(d[4095] == 0xA5u, "the copy has not run yet (it waits 20 ms)");
    memset(p + 2048, 2, 2048u); /* too early: the copy sees it */
    cr_assert(b->event_record(b, e, s));
    cr_assert(b->event_sync(b, e));
    cr_assert((d[0] == 1u) && (d[4095] == 2u));
    for (i = 0; i < 100; i++) { /* more ops than the queue holds */
        cr_assert(b->copy_h2d_async(b, d + i, p, 1u, s));
    }
    cr_assert(b->stream_sync(b, s));
    cr_assert(hf.copies == 101u);
    cr_assert(b->event_destroy(b, e));
    cr_assert(b->stream_destroy(b, s));
    cr_assert(b->host_free(b, pin));
    cr_assert(b->dev_free(b, dev));
    cr_assert(st_host_faults_live(&hf) == 0u);
    cr_assert(hf.dev_peak_bytes == 4096u);
    st_backend_close(b);
}

Test(backend, host_sticky_stream_error)
{
    st_host_faults hf;
    char err[ST_BACKEND_MSG_MAX];
    st_backend *b;
    void *dev = NULL;
    void *s = NULL;
    uint8_t src[8] = {0};
    memset(&hf, 0, sizeof hf);
    hf.copy_async_at = 1u;
    b = st_host_backend_open(&hf, err, sizeof err);
    cr_assert(b != NULL);
    cr_assert(b->dev_alloc(b, 8u, &dev));
    cr_assert(b->stream_create(b, &s));
    cr_assert(b->copy_h2d_async(b, dev, src, 8u, s), "accepted when queued");
    cr_assert(!b->stream_sync(b, s), "reported at the synchronisation");
    cr_assert(strstr(b->last_error(b), "asynchronous") != NULL);
    cr_assert(!b->copy_h2d_async(b, dev, src, 8u, s), "sticky");
    cr_assert(b->stream_destroy(b, s));
    cr_assert(b->dev_free(b, dev));
    cr_assert(st_host_faults_live(&hf) == 0u);
    st_backend_close(b);
}

Test(backend, name_patterns)
{
    static const struct {
        const char *pat;
        const char *name;
        bool match;
    } cases[] = {
        {"*", "", true},           {"*", "abc", true},         {"", "", true},
        {"", "a", false},          {"a", "a", true},           {"a", "b", false},
        {"?", "a", true},          {"?", "", false},           {"*.wo", "l.0.wo", true},
        {"*.wo", "l.0.wo.b", false}, {"*.wo*", "l.0.wo.b", true}, {"a*b*c", "aXbYc", true},
        {"a*b*c", "aXbY", false},  {"a*b", "abab", true},      {"**x", "x", true},
        {"*a*", "bbb", false},     {"l.?.w", "l.10.w", false}, {"l.*.w", "l.10.w", true},
    };
    size_t i;
    for (i = 0u; i < (sizeof cases / sizeof cases[0]); i++) {
        cr_assert(st_name_match(cases[i].pat, (const uint8_t *)cases[i].name,
                                strlen(cases[i].name)) == cases[i].match,
                  "'%s' vs '%s'", cases[i].pat, cases[i].name);
    }
}

Test(backend, error_names)
{
    cr_assert(strcmp(st_dev_err_name(ST_DEV_OK), "ST_DEV_OK") == 0);
    cr_assert(strcmp(st_dev_err_name(ST_DEV_E_COPY), "ST_DEV_E_COPY") == 0);
    cr_assert(strcmp(st_dev_err_name(ST_DEV_E_STATE), "ST_DEV_E_STATE") == 0);
    cr_assert(strcmp(st_dev_err_name((st_dev_err)99), "ST_DEV_E_?") == 0);
}
