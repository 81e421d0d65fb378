/*
 * test_faults.c -- every fault the host backend can inject, at every call
 * where it can happen in a load: the load fails with the right code and a
 * message that names the file, the tensor or the step and the backend's
 * reason; and right after st_load_run returns, the backend holds nothing
 * (allocations, registrations, streams and events all released). A short
 * read is not a failure: the load retries and the bytes are right.
 */
#define _POSIX_C_SOURCE 200809L

#include "dt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dt_file fault_file;
static const char *fault_paths[1];
static const st_select fault_sel[] = {
    {"emb", ST_SHARD_NONE, 0u, 0u},
    {"cols", ST_SHARD_COLS, 8u, 72u},
    {"rows", ST_SHARD_ROWS, 3u, 900u},
    {"tail", ST_SHARD_NONE, 0u, 0u},
};

static void setup(void)
{
    static const dt_tensor ts[] = {
        {"emb", ST_BF16, 2u, {512u, 1024u}},    /* 1 MiB */
        {"cols", ST_F32, 2u, {2048u, 128u}},    /* 1 MiB, 256-byte runs */
        {"rows", ST_U8, 2u, {1000u, 1000u}},
        {"tail", ST_F16, 1u, {33u}},
    };
    dt_write(&fault_file, "faults.safetensors", ts, sizeof ts / sizeof ts[0], 77u);
    fault_paths[0] = fault_file.path;
}

static void teardown(void)
{
    dt_file_free(&fault_file);
    dt_fini();
}

TestSuite(faults, .init = setup, .fini = teardown);

static void fault_request(st_request *req, st_engine_opts *o, bool mmap_source, bool reg)
{
    memset(req, 0, sizeof *req);
    req->paths = fault_paths;
    req->n_paths = 1u;
    req->select = fault_sel;
    req->n_select = sizeof fault_sel / sizeof fault_sel[0];
    dt_opts(o, 1u << 20, 2u, 2u);
    o->mmap_source = mmap_source;
    o->register_staging = reg;
}

/* A clean load: its counters say how many calls of each kind there are. */
static void clean_counts(st_host_faults *out, bool mmap_source, bool reg)
{
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    memset(out, 0, sizeof *out);
    fault_request(&req, &o, mmap_source, reg);
    b = dt_backend(out);
    dt_load_ok(&L, b, &req, &o);
    dt_check_all(&L, &fault_file, 1u);
    dt_finish(&L, b, out);
    cr_assert(out->alloc_calls == (reg ? 1u : 3u), "device memory and %s: %llu calls",
              reg ? "no pinned allocation" : "two staging buffers",
              (unsigned long long)out->alloc_calls);
    cr_assert(out->copies >= 2u);
}

/* One load with one injected fault; returns the run's code, message in msg. */
static st_dev_err faulty_load(st_host_faults *hf, bool mmap_source, bool reg, char *msg,
                              size_t msg_len)
{
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    st_dev_err rc;
    fault_request(&req, &o, mmap_source, reg);
    b = dt_backend(hf);
    rc = st_load_plan(&L, b, &req, &o);
    cr_assert(rc == ST_DEV_OK, "%s", L.err);
    rc = st_load_run(&L);
    /* released by the run itself, before st_load_close; a successful run
       keeps exactly the device allocation */
    cr_assert(st_host_faults_live(hf) == ((rc == ST_DEV_OK) ? 1u : 0u),
              "after %s: %llu handles held (dev %llu/%llu, "
              "host %llu/%llu, reg %llu/%llu, streams %llu/%llu, events %llu/%llu)",
              st_dev_err_name(rc), (unsigned long long)st_host_faults_live(hf),
              (unsigned long long)hf->dev_allocs, (unsigned long long)hf->dev_frees,
              (unsigned long long)hf->host_allocs, (unsigned long long)hf->host_frees,
              (unsigned long long)hf->registers, (unsigned long long)hf->unregisters,
              (unsigned long long)hf->streams_created, (unsigned long long)hf->streams_destroyed,
              (unsigned long long)hf->events_created, (unsigned long long)hf->events_destroyed);
    if (rc != ST_DEV_OK) {
        cr_assert(L.device == NULL);
        cr_assert(hf->dev_live_bytes == 0u);
        cr_assert(strlen(L.err) > 0u);
    } else {
        uint64_t compared = 0u;
        cr_assert(st_load_verify(&L, &compared) == ST_DEV_OK, "%s", L.err);
        dt_check_all(&L, &fault_file, 1u);
    }
    (void)snprintf(msg, msg_len, "%s", L.err);
    dt_finish(&L, b, hf);
    return rc;
}

static void need_host(void)
{
    if (!dt_on_host()) {
        cr_skip_test("fault injection needs the host backend");
    }
}

Test(faults, every_allocation)
{
    st_host_faults clean;
    uint64_t k;
    int reg;
    need_host();
    for (reg = 0; reg < 2; reg++) {
        clean_counts(&clean, false, reg != 0);
        for (k = 1u; k <= clean.alloc_calls; k++) {
            st_host_faults hf;
            char msg[ST_LOAD_MSG_MAX];
            st_dev_err rc;
            memset(&hf, 0, sizeof hf);
            hf.alloc_at = k;
            rc = faulty_load(&hf, false, reg != 0, msg, sizeof msg);
            cr_assert(rc == ST_DEV_E_ALLOC, "alloc %llu: %s %s", (unsigned long long)k,
                      st_dev_err_name(rc), msg);
            cr_assert(strstr(msg, "injected") != NULL, "%s", msg);
            cr_assert(strstr(msg, (k == 1u) ? "device memory" : "staging buffer") != NULL, "%s",
                      msg);
        }
    }
}

Test(faults, every_registration)
{
    st_host_faults clean;
    uint64_t k;
    need_host();
    clean_counts(&clean, false, true);
    cr_assert(clean.register_calls >= 1u);
    for (k = 1u; k <= clean.register_calls; k++) {
        st_host_faults hf;
        char msg[ST_LOAD_MSG_MAX];
        st_dev_err rc;
        memset(&hf, 0, sizeof hf);
        hf.register_at = k;
        rc = faulty_load(&hf, false, true, msg, sizeof msg);
        cr_assert(rc == ST_DEV_E_ALLOC, "%s %s", st_dev_err_name(rc), msg);
        cr_assert(strstr(msg, "pinning staging buffer") != NULL, "%s", msg);
        cr_assert(strstr(msg, "host_register") != NULL, "%s", msg);
    }
}

Test(faults, every_stream_and_event)
{
    st_host_faults clean;
    uint64_t k;
    need_host();
    clean_counts(&clean, false, false);
    cr_assert(clean.stream_calls == 1u);
    cr_assert(clean.event_calls >= 1u);
    for (k = 1u; k <= clean.stream_calls + clean.event_calls; k++) {
        st_host_faults hf;
        char msg[ST_LOAD_MSG_MAX];
        st_dev_err rc;
        bool stream = (k <= clean.stream_calls);
        memset(&hf, 0, sizeof hf);
        if (stream) {
            hf.stream_at = k;
        } else {
            hf.event_at = k - clean.stream_calls;
        }
        rc = faulty_load(&hf, false, false, msg, sizeof msg);
        cr_assert(rc == ST_DEV_E_RESOURCE, "%s %s", st_dev_err_name(rc), msg);
        cr_assert(strstr(msg, stream ? "stream_create" : "event_create") != NULL, "%s", msg);
    }
}

Test(faults, every_copy_refused)
{
    st_host_faults clean;
    uint64_t k;
    need_host();
    clean_counts(&clean, false, false);
    for (k = 1u; k <= clean.copies; k++) {
        st_host_faults hf;
        char msg[ST_LOAD_MSG_MAX];
        st_dev_err rc;
        memset(&hf, 0, sizeof hf);
        hf.copy_at = k;
        hf.copy_delay_us = 100u;
        rc = faulty_load(&hf, false, false, msg, sizeof msg);
        cr_assert(rc == ST_DEV_E_COPY, "%s %s", st_dev_err_name(rc), msg);
        cr_assert(strstr(msg, fault_file.path) != NULL, "%s", msg);
        cr_assert(strstr(msg, "tensor") != NULL, "%s", msg);
        cr_assert(strstr(msg, "chunk") != NULL, "%s", msg);
        cr_assert(strstr(msg, "queueing the copy") != NULL, "%s", msg);
        cr_assert(strstr(msg, "host: copy_h2d_async: refused (injected fault)") != NULL, "%s", msg);
    }
}

Test(faults, every_copy_failing_later)
{
    st_host_faults clean;
    uint64_t k;
    need_host();
    clean_counts(&clean, false, false);
    for (k = 1u; k <= clean.copies; k++) {
        st_host_faults hf;
        char msg[ST_LOAD_MSG_MAX];
        st_dev_err rc;
        memset(&hf, 0, sizeof hf);
        hf.copy_async_at = k;
        rc = faulty_load(&hf, false, false, msg, sizeof msg);
        cr_assert(rc == ST_DEV_E_COPY, "copy %llu: %s %s", (unsigned long long)k,
                  st_dev_err_name(rc), msg);
        cr_assert(strstr(msg, "injected asynchronous fault") != NULL, "%s", msg);
        cr_assert(strstr(msg, fault_file.path) != NULL, "%s", msg);
    }
}

static void every_read(st_read_fault kind, bool mmap_source, const char *needle)
{
    st_host_faults clean;
    uint64_t k;
    need_host();
    clean_counts(&clean, mmap_source, false);
    cr_assert(mmap_source ? (clean.reads == 0u) : (clean.reads >= 4u), "reads %llu",
              (unsigned long long)clean.reads);
    for (k = 1u; k <= clean.reads; k++) {
        st_host_faults hf;
        char msg[ST_LOAD_MSG_MAX];
        st_dev_err rc;
        memset(&hf, 0, sizeof hf);
        hf.read_at = k;
        hf.read_kind = kind;
        rc = faulty_load(&hf, mmap_source, false, msg, sizeof msg);
        if (needle == NULL) {
            cr_assert(rc == ST_DEV_OK, "short read %llu: %s", (unsigned long long)k, msg);
            cr_assert(hf.reads == clean.reads + 1u, "a short read is retried once: %llu reads",
                      (unsigned long long)hf.reads);
        } else {
            cr_assert(rc == ST_DEV_E_READ, "read %llu: %s %s", (unsigned long long)k,
                      st_dev_err_name(rc), msg);
            cr_assert(strstr(msg, needle) != NULL, "%s", msg);
            cr_assert(strstr(msg, fault_file.path) != NULL, "%s", msg);
            cr_assert(strstr(msg, "tensor \"") != NULL, "%s", msg);
            cr_assert(strstr(msg, "file offset") != NULL, "%s", msg);
        }
    }
}

Test(faults, every_read_short, .timeout = 60)
{
    every_read(ST_READ_FAULT_SHORT, false, NULL);
}

Test(faults, every_read_at_eof, .timeout = 60)
{
    every_read(ST_READ_FAULT_EOF, false, "ended early");
}

Test(faults, every_read_error, .timeout = 60)
{
    every_read(ST_READ_FAULT_ERROR, false, "Input/output error");
}

/* The mmap source makes no read calls: nothing to inject, loads anyway. */
Test(faults, mmap_source_does_not_read)
{
    every_read(ST_READ_FAULT_ERROR, true, "unused");
}

Test(faults, copy_back_failure)
{
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    uint64_t compared = 0u;
    uint8_t buf[66]; /* "tail": 33 F16 */
    need_host();
    memset(&hf, 0, sizeof hf);
    hf.d2h_at = 2u;
    fault_request(&req, &o, false, false);
    b = dt_backend(&hf);
    cr_assert(st_load_plan(&L, b, &req, &o) == ST_DEV_OK);
    cr_assert(st_load_run(&L) == ST_DEV_OK, "%s", L.err);
    cr_assert(L.items[3].bytes == sizeof buf);
    cr_assert(st_load_read_back(&L, 3u, buf) == ST_DEV_OK, "%s", L.err); /* d2h call 1 */
    cr_assert(st_load_verify(&L, &compared) == ST_DEV_E_COPY);            /* call 2 fails */
    cr_assert(strstr(L.err, "copy back") != NULL, "%s", L.err);
    cr_assert(strstr(L.err, "copy_d2h: refused (injected fault)") != NULL, "%s", L.err);
    dt_finish(&L, b, &hf);
}

/* After a failed run nothing is left for st_load_close to free on the device. */
Test(faults, close_after_failure_frees_once)
{
    st_host_faults hf;
    char msg[ST_LOAD_MSG_MAX];
    need_host();
    memset(&hf, 0, sizeof hf);
    hf.copy_at = 2u;
    cr_assert(faulty_load(&hf, false, false, msg, sizeof msg) == ST_DEV_E_COPY);
    cr_assert(hf.dev_allocs == 1u);
    cr_assert(hf.dev_frees == 1u);
}
