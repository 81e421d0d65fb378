/*
 * st_backend_host.c -- the host backend (st_backend_host.h): device memory
 * and pinned memory are heap blocks, a stream is a thread with a queue of
 * copies and event records, an event is a position in its stream's queue.
 * Every call can be made to fail for the tests, and every handle is counted.
 */
#define _POSIX_C_SOURCE 200809L

#include "st_backend_host.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Queued operations per stream before copy_h2d_async waits for room. */
#define HOST_QUEUE_CAP 64u
/* Blocks are aligned like device allocations of the GPU runtimes (and more);
   the first HOST_BLOCK_HEAD bytes of each block hold its size. */
#define HOST_BLOCK_HEAD 4096u
/* Fresh device memory holds this byte, so bytes the engine never wrote show. */
#define HOST_DEV_FILL 0xA5

typedef enum host_op_kind { HOST_OP_COPY = 0, HOST_OP_RECORD = 1 } host_op_kind;

typedef struct host_op {
    host_op_kind kind;
    bool fail;         /* an injected asynchronous copy failure */
    void *dst;
    const void *src;
    size_t n;
} host_op;

typedef struct host_backend host_backend;

typedef struct host_stream {
    host_backend *hb;
    pthread_t thread;
    host_op queue[HOST_QUEUE_CAP];
    uint32_t head;      /* index of the oldest queued op */
    uint32_t count;     /* queued ops, the one being performed included */
    uint64_t submitted; /* ops queued so far; an op's sequence number is its rank */
    uint64_t completed; /* ops performed so far */
    bool stop;
    bool failed;        /* sticky: a queued copy failed */
} host_stream;

typedef struct host_event {
    host_stream *stream; /* where it was last recorded, or NULL */
    uint64_t target;     /* sequence number of that record */
} host_event;

struct host_backend {
    st_backend base;
    pthread_mutex_t mu;
    pthread_cond_t work; /* ops queued, or a stream asked to stop */
    pthread_cond_t done; /* ops performed: room in a queue, events reached */
    st_host_faults *faults;
    char err[ST_BACKEND_MSG_MAX];
};

static host_backend *hb_of(st_backend *b)
{
    return (host_backend *)b->impl;
}

static const char *host_last_error(const st_backend *b)
{
    const host_backend *hb = (const host_backend *)b->impl;
    return hb->err;
}

/* Count one call of a kind and say whether it is the one to fail. Locked. */
static bool host_should_fail(uint64_t *calls, uint64_t at)
{
    *calls += 1u;
    return (at != 0u) && (*calls == at);
}

/* A block of n bytes after a header that records n. */
static void *host_block_alloc(size_t n, int fill)
{
    void *p = NULL;
    uint8_t *ret = NULL;
    if ((n <= (SIZE_MAX - HOST_BLOCK_HEAD)) &&
        (posix_memalign(&p, HOST_BLOCK_HEAD, n + HOST_BLOCK_HEAD) == 0)) {
        ret = (uint8_t *)p;
        memcpy(ret, &n, sizeof n);
        /* touch every page now, as real device or pinned memory is resident */
        memset(ret + HOST_BLOCK_HEAD, fill, n);
        ret += HOST_BLOCK_HEAD;
    }
    return ret;
}

static size_t host_block_size(const void *p)
{
    size_t n = 0u;
    memcpy(&n, (const uint8_t *)p - HOST_BLOCK_HEAD, sizeof n);
    return n;
}

static void host_block_free(void *p)
{
    if (p != NULL) {
        free((uint8_t *)p - HOST_BLOCK_HEAD);
    }
}

static bool host_alloc_common(st_backend *b, size_t n, void **out, bool device)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    bool ok = true;
    *out = NULL;
    if (f != NULL) {
        (void)pthread_mutex_lock(&hb->mu);
        ok = !host_should_fail(&f->alloc_calls, f->alloc_at);
        (void)pthread_mutex_unlock(&hb->mu);
    }
    if (!ok) {
        st_backend_msg(hb->err, sizeof hb->err, "%s: out of memory (injected fault)",
                       device ? "dev_alloc" : "host_alloc");
    } else {
        *out = host_block_alloc(n, device ? HOST_DEV_FILL : 0);
        ok = (*out != NULL);
        if (!ok) {
            st_backend_msg(hb->err, sizeof hb->err, "%s: out of memory (%zu bytes)",
                           device ? "dev_alloc" : "host_alloc", n);
        }
    }
    if (ok && (f != NULL)) {
        (void)pthread_mutex_lock(&hb->mu);
        if (device) {
            f->dev_allocs++;
            f->dev_live_bytes += n;
            if (f->dev_live_bytes > f->dev_peak_bytes) {
                f->dev_peak_bytes = f->dev_live_bytes;
            }
        } else {
            f->host_allocs++;
        }
        (void)pthread_mutex_unlock(&hb->mu);
    }
    return ok;
}

static bool host_free_common(st_backend *b, void *p, bool device)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    if ((f != NULL) && (p != NULL)) {
        (void)pthread_mutex_lock(&hb->mu);
        if (device) {
            f->dev_frees++;
            f->dev_live_bytes -= host_block_size(p);
        } else {
            f->host_frees++;
        }
        (void)pthread_mutex_unlock(&hb->mu);
    }
    host_block_free(p);
    return true;
}

static bool host_dev_alloc(st_backend *b, size_t n, void **out)
{
    return host_alloc_common(b, n, out, true);
}

static bool host_dev_free(st_backend *b, void *p)
{
    return host_free_common(b, p, true);
}

static bool host_host_alloc(st_backend *b, size_t n, void **out)
{
    return host_alloc_common(b, n, out, false);
}

static bool host_host_free(st_backend *b, void *p)
{
    return host_free_common(b, p, false);
}

static bool host_register(st_backend *b, void *p, size_t n)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    bool ok = (p != NULL) && (n > 0u);
    bool injected = false;
    if (ok && (f != NULL)) {
        (void)pthread_mutex_lock(&hb->mu);
        injected = host_should_fail(&f->register_calls, f->register_at);
        if (!injected) {
            f->registers++;
        }
        (void)pthread_mutex_unlock(&hb->mu);
    }
    if (injected) {
        st_backend_msg(hb->err, sizeof hb->err, "host_register: refused (injected fault)");
    } else if (!ok) {
        st_backend_msg(hb->err, sizeof hb->err, "host_register: invalid argument");
    } else {
        /* registered */
    }
    return ok && !injected;
}

static bool host_unregister(st_backend *b, void *p)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    if ((f != NULL) && (p != NULL)) {
        (void)pthread_mutex_lock(&hb->mu);
        f->unregisters++;
        (void)pthread_mutex_unlock(&hb->mu);
    }
    return true;
}

/* The stream thread: perform queued ops in order. */
static void *host_stream_main(void *arg)
{
    host_stream *s = (host_stream *)arg;
    host_backend *hb = s->hb;
    bool running = true;
    (void)pthread_mutex_lock(&hb->mu);
    while (running) {
        while ((s->count == 0u) && !s->stop) {
            (void)pthread_cond_wait(&hb->work, &hb->mu);
        }
        if (s->count == 0u) {
            running = false;
        } else {
            host_op op = s->queue[s->head];
            uint32_t delay = (hb->faults != NULL) ? hb->faults->copy_delay_us : 0u;
            bool skip = s->failed;
            (void)pthread_mutex_unlock(&hb->mu);
            if ((op.kind == HOST_OP_COPY) && !skip && !op.fail) {
                if (delay > 0u) {
                    struct timespec ts;
                    ts.tv_sec = (time_t)(delay / 1000000u);
                    ts.tv_nsec = (long)(delay % 1000000u) * 1000L;
                    (void)nanosleep(&ts, NULL);
                }
                memcpy(op.dst, op.src, op.n);
            }
            (void)pthread_mutex_lock(&hb->mu);
            if ((op.kind == HOST_OP_COPY) && op.fail) {
                s->failed = true;
            }
            s->head = (s->head + 1u) % HOST_QUEUE_CAP;
            s->count--;
            s->completed++;
            (void)pthread_cond_broadcast(&hb->done);
        }
    }
    (void)pthread_mutex_unlock(&hb->mu);
    return NULL;
}

static bool host_stream_create(st_backend *b, void **out)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    host_stream *s = NULL;
    bool injected = false;
    *out = NULL;
    if (f != NULL) {
        (void)pthread_mutex_lock(&hb->mu);
        injected = host_should_fail(&f->stream_calls, f->stream_at);
        (void)pthread_mutex_unlock(&hb->mu);
    }
    if (!injected) {
        s = calloc(1u, sizeof *s);
    }
    if (s != NULL) {
        s->hb = hb;
        if (pthread_create(&s->thread, NULL, host_stream_main, s) != 0) {
            free(s);
            s = NULL;
        }
    }
    if (s != NULL) {
        *out = s;
        if (f != NULL) {
            (void)pthread_mutex_lock(&hb->mu);
            f->streams_created++;
            (void)pthread_mutex_unlock(&hb->mu);
        }
    } else {
        st_backend_msg(hb->err, sizeof hb->err, "stream_create: %s",
                       injected ? "out of resources (injected fault)"
                                : "cannot start the stream thread");
    }
    return s != NULL;
}

static bool host_stream_destroy(st_backend *b, void *sv)
{
    host_backend *hb = hb_of(b);
    host_stream *s = (host_stream *)sv;
    if (s != NULL) {
        (void)pthread_mutex_lock(&hb->mu);
        s->stop = true;
        (void)pthread_cond_broadcast(&hb->work);
        (void)pthread_mutex_unlock(&hb->mu);
        (void)pthread_join(s->thread, NULL);
        if (hb->faults != NULL) {
            (void)pthread_mutex_lock(&hb->mu);
            hb->faults->streams_destroyed++;
            (void)pthread_mutex_unlock(&hb->mu);
        }
        free(s);
    }
    return true;
}

/* Queue an op; waits while the queue is full. Locked by the caller. Returns
   the op's sequence number. */
static uint64_t host_enqueue(host_backend *hb, host_stream *s, const host_op *op)
{
    while (s->count == HOST_QUEUE_CAP) {
        (void)pthread_cond_wait(&hb->done, &hb->mu);
    }
    s->queue[(s->head + s->count) % HOST_QUEUE_CAP] = *op;
    s->count++;
    s->submitted++;
    (void)pthread_cond_broadcast(&hb->work);
    return s->submitted;
}

static bool host_stream_sync(st_backend *b, void *sv)
{
    host_backend *hb = hb_of(b);
    host_stream *s = (host_stream *)sv;
    bool failed;
    (void)pthread_mutex_lock(&hb->mu);
    while (s->completed < s->submitted) {
        (void)pthread_cond_wait(&hb->done, &hb->mu);
    }
    failed = s->failed;
    (void)pthread_mutex_unlock(&hb->mu);
    if (failed) {
        st_backend_msg(hb->err, sizeof hb->err,
                       "stream_sync: a queued copy failed (injected asynchronous fault)");
    }
    return !failed;
}

static bool host_event_create(st_backend *b, void **out)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    host_event *e = NULL;
    bool injected = false;
    *out = NULL;
    if (f != NULL) {
        (void)pthread_mutex_lock(&hb->mu);
        injected = host_should_fail(&f->event_calls, f->event_at);
        (void)pthread_mutex_unlock(&hb->mu);
    }
    if (!injected) {
        e = calloc(1u, sizeof *e);
    }
    if (e == NULL) {
        st_backend_msg(hb->err, sizeof hb->err, "event_create: %s",
                       injected ? "out of resources (injected fault)" : "out of memory");
    } else {
        *out = e;
        if (f != NULL) {
            (void)pthread_mutex_lock(&hb->mu);
            f->events_created++;
            (void)pthread_mutex_unlock(&hb->mu);
        }
    }
    return e != NULL;
}

static bool host_event_destroy(st_backend *b, void *ev)
{
    host_backend *hb = hb_of(b);
    if ((ev != NULL) && (hb->faults != NULL)) {
        (void)pthread_mutex_lock(&hb->mu);
        hb->faults->events_destroyed++;
        (void)pthread_mutex_unlock(&hb->mu);
    }
    free(ev);
    return true;
}

static bool host_event_record(st_backend *b, void *ev, void *sv)
{
    host_backend *hb = hb_of(b);
    host_event *e = (host_event *)ev;
    host_stream *s = (host_stream *)sv;
    host_op op;
    memset(&op, 0, sizeof op);
    op.kind = HOST_OP_RECORD;
    (void)pthread_mutex_lock(&hb->mu);
    e->stream = s;
    e->target = host_enqueue(hb, s, &op);
    (void)pthread_mutex_unlock(&hb->mu);
    return true;
}

static bool host_event_sync(st_backend *b, void *ev)
{
    host_backend *hb = hb_of(b);
    host_event *e = (host_event *)ev;
    bool failed = false;
    (void)pthread_mutex_lock(&hb->mu);
    if (e->stream != NULL) {
        while (e->stream->completed < e->target) {
            (void)pthread_cond_wait(&hb->done, &hb->mu);
        }
        failed = e->stream->failed;
    }
    (void)pthread_mutex_unlock(&hb->mu);
    if (failed) {
        st_backend_msg(hb->err, sizeof hb->err,
                       "event_sync: a queued copy failed (injected asynchronous fault)");
    }
    return !failed;
}

static bool host_copy_h2d_async(st_backend *b, void *dst, const void *src, size_t n, void *sv)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    host_stream *s = (host_stream *)sv;
    host_op op;
    bool refused = false;
    bool sticky = false;
    memset(&op, 0, sizeof op);
    op.kind = HOST_OP_COPY;
    op.dst = dst;
    op.src = src;
    op.n = n;
    (void)pthread_mutex_lock(&hb->mu);
    sticky = s->failed;
    if (f != NULL) {
        uint64_t k = f->copies + 1u;
        f->copies = k;
        refused = (f->copy_at != 0u) && (k == f->copy_at);
        op.fail = (f->copy_async_at != 0u) && (k == f->copy_async_at);
        if (!refused && !sticky && !op.fail) {
            f->copy_bytes += (uint64_t)n;
        }
    }
    if (!refused && !sticky) {
        (void)host_enqueue(hb, s, &op);
    }
    (void)pthread_mutex_unlock(&hb->mu);
    if (refused) {
        st_backend_msg(hb->err, sizeof hb->err, "copy_h2d_async: refused (injected fault)");
    } else if (sticky) {
        st_backend_msg(hb->err, sizeof hb->err,
                       "copy_h2d_async: an earlier queued copy failed "
                       "(injected asynchronous fault)");
    } else {
        /* queued */
    }
    return !refused && !sticky;
}

static bool host_copy_d2h(st_backend *b, void *dst, const void *src, size_t n)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    bool ok = true;
    if (f != NULL) {
        (void)pthread_mutex_lock(&hb->mu);
        ok = !host_should_fail(&f->d2h_copies, f->d2h_at);
        (void)pthread_mutex_unlock(&hb->mu);
    }
    if (ok) {
        memcpy(dst, src, n);
    } else {
        st_backend_msg(hb->err, sizeof hb->err, "copy_d2h: refused (injected fault)");
    }
    return ok;
}

static bool host_bind(st_backend *b)
{
    (void)b;
    return true;
}

static int64_t host_read_at(st_backend *b, int fd, void *buf, size_t n, uint64_t off)
{
    host_backend *hb = hb_of(b);
    st_host_faults *f = hb->faults;
    bool inject;
    st_read_fault kind;
    int64_t ret;
    (void)pthread_mutex_lock(&hb->mu);
    f->reads++;
    inject = (f->read_at != 0u) && (f->reads == f->read_at);
    kind = f->read_kind;
    (void)pthread_mutex_unlock(&hb->mu);
    if (inject && (kind == ST_READ_FAULT_EOF)) {
        ret = 0;
    } else if (inject && (kind == ST_READ_FAULT_ERROR)) {
        errno = EIO;
        ret = -1;
    } else {
        size_t want = (inject && (n > 1u)) ? (n / 2u) : n;
        ret = (int64_t)pread(fd, buf, want, (off_t)off);
    }
    return ret;
}

static void host_close(st_backend *b)
{
    host_backend *hb = hb_of(b);
    (void)pthread_cond_destroy(&hb->done);
    (void)pthread_cond_destroy(&hb->work);
    (void)pthread_mutex_destroy(&hb->mu);
    free(hb);
}

uint64_t st_host_faults_live(const st_host_faults *f)
{
    return (f->dev_allocs - f->dev_frees) + (f->host_allocs - f->host_frees) +
           (f->registers - f->unregisters) + (f->streams_created - f->streams_destroyed) +
           (f->events_created - f->events_destroyed);
}

st_backend *st_host_backend_open(st_host_faults *faults, char *err, size_t err_len)
{
    host_backend *hb = calloc(1u, sizeof *hb);
    st_backend *b = NULL;
    if (hb == NULL) {
        st_backend_msg(err, err_len, "host backend: out of memory");
    } else if (pthread_mutex_init(&hb->mu, NULL) != 0) {
        st_backend_msg(err, err_len, "host backend: cannot create a mutex");
        free(hb);
    } else if (pthread_cond_init(&hb->work, NULL) != 0) {
        st_backend_msg(err, err_len, "host backend: cannot create a condition variable");
        (void)pthread_mutex_destroy(&hb->mu);
        free(hb);
    } else if (pthread_cond_init(&hb->done, NULL) != 0) {
        st_backend_msg(err, err_len, "host backend: cannot create a condition variable");
        (void)pthread_cond_destroy(&hb->work);
        (void)pthread_mutex_destroy(&hb->mu);
        free(hb);
    } else {
        b = &hb->base;
        hb->faults = faults;
        b->name = "host";
        b->device = 0;
        b->dev_alloc = host_dev_alloc;
        b->dev_free = host_dev_free;
        b->host_alloc = host_host_alloc;
        b->host_free = host_host_free;
        b->host_register = host_register;
        b->host_unregister = host_unregister;
        b->stream_create = host_stream_create;
        b->stream_destroy = host_stream_destroy;
        b->stream_sync = host_stream_sync;
        b->event_create = host_event_create;
        b->event_destroy = host_event_destroy;
        b->event_record = host_event_record;
        b->event_sync = host_event_sync;
        b->copy_h2d_async = host_copy_h2d_async;
        b->copy_d2h = host_copy_d2h;
        b->bind = host_bind;
        b->read_at = (faults != NULL) ? host_read_at : NULL;
        b->last_error = host_last_error;
        b->close = host_close;
        b->impl = hb;
    }
    return b;
}
