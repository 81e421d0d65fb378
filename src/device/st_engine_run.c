/*
 * st_engine_run.c -- the copy half of a load (st_engine.h): staging
 * buffers, reader threads, the pipeline of reads and device copies.
 *
 * Pipeline. The plan's chunks are taken in order and packed into batches:
 * consecutive chunks whose destination span (alignment padding included)
 * fits in one staging buffer. Batch k uses buffer k mod N:
 *
 *   wait for buffer's event (the copy of batch k-N has completed)
 *   gather the batch's chunks into the buffer (readers in parallel)
 *   one asynchronous copy of the whole span to the device, then an event
 *
 * so the gathering of batch k overlaps the copies of batches k-N+1 .. k-1.
 * Padding bytes between chunks are zeroed, so the allocation's padding is
 * deterministic. Copies leave from staging buffers only.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include "st_engine_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Largest single pread request. */
#define READ_MAX ((size_t)1 << 30)
/* Strided runs shorter than this are read a block of rows at a time into a
   scratch buffer (one system call instead of one per row). */
#define SMALL_RUN ((uint64_t)64 << 10)
#define SCRATCH_BYTES ((size_t)4 << 20)
/* Batches smaller than this are gathered by the calling thread alone. */
#define PARALLEL_MIN ((uint64_t)1 << 20)
/* Alignment of staging buffers obtained from malloc (register_staging). */
#define STAGING_ALIGN ((size_t)4096)

/* One chunk of a batch. */
typedef struct bchunk {
    st_chunk c;
    uint64_t index; /* number of the chunk in the plan, from 0 */
    uint64_t off;   /* offset in the staging buffer */
    uint64_t pos;   /* chunk bytes of the batch before this one */
    uint64_t bytes; /* width x height */
} bchunk;

typedef struct batch {
    bchunk *ch;
    size_t n;
    size_t cap;
    uint64_t dst;   /* device offset of the span */
    uint64_t len;   /* span bytes: chunks and the padding between them */
    uint64_t bytes; /* chunk bytes */
} batch;

/* What a staging buffer was last copied from, for messages. */
typedef struct span_info {
    uint64_t first_chunk;
    uint64_t last_chunk;
    uint32_t first_item;
    uint32_t last_item;
    uint64_t dst;
    uint64_t len;
} span_info;

typedef struct read_fail {
    bool failed;
    uint64_t chunk;
    uint32_t item;
    uint64_t off;
    uint64_t len;
    int errnum; /* 0: the file ended before the bytes did */
} read_fail;

typedef struct reader {
    st_load *L;
    uint8_t *scratch; /* pread source only */
    read_fail fail;
} reader;

struct pool;

typedef struct worker_arg {
    struct pool *p;
    uint32_t id;
} worker_arg;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t go;
    pthread_cond_t done;
    bool sync_made;
    uint64_t gen;       /* job number */
    uint32_t finished;  /* workers done with job `gen` */
    bool quit;
    const batch *bt;    /* the job */
    uint8_t *staging;
    uint32_t parts;
    uint32_t n;         /* workers running */
    pthread_t th[ST_ENGINE_MAX_THREADS];
    worker_arg args[ST_ENGINE_MAX_THREADS];
    reader rd[ST_ENGINE_MAX_THREADS]; /* rd[0]: the calling thread */
} pool;

/* Read len bytes at file offset off of the item's file into buf. */
static bool read_exact(reader *r, uint32_t item, uint64_t chunk, uint8_t *buf, uint64_t off,
                       uint64_t len)
{
    st_load *L = r->L;
    st_backend *b = L->backend;
    const st_load_file *lf = &L->files[L->entries[item].file];
    uint64_t done = 0u;
    bool ok = true;
    if (L->opts.mmap_source) {
        ok = (off <= lf->loaded.len) && (len <= (lf->loaded.len - off));
        if (ok) {
            memcpy(buf, lf->loaded.bytes + off, (size_t)len);
        }
        errno = 0;
    }
    while (ok && !L->opts.mmap_source && (done < len)) {
        size_t want = ((len - done) > READ_MAX) ? READ_MAX : (size_t)(len - done);
        int64_t got = (b->read_at != NULL)
                          ? b->read_at(b, lf->fd, buf + done, want, off + done)
                          : (int64_t)pread(lf->fd, buf + done, want, (off_t)(off + done));
        if (got > 0) {
            done += (uint64_t)got;
        } else if ((got < 0) && (errno == EINTR)) {
            /* interrupted: again */
        } else {
            if (got == 0) {
                errno = 0;
            }
            ok = false;
        }
    }
    if (!ok && !r->fail.failed) {
        r->fail.failed = true;
        r->fail.chunk = chunk;
        r->fail.item = item;
        r->fail.off = off;
        r->fail.len = len;
        r->fail.errnum = errno;
    }
    return ok;
}

/* Bytes [a, z) of a chunk's packed form into out (the chunk's staging start). */
static bool gather_chunk(reader *r, const bchunk *bc, uint64_t a, uint64_t z, uint8_t *out)
{
    const st_chunk *c = &bc->c;
    uint64_t w = c->width;
    uint64_t p = a;
    bool ok = true;
    while (ok && (p < z)) {
        uint64_t row = p / w;
        uint64_t o = p % w;
        uint64_t k = 0u;
        if ((r->scratch != NULL) && (c->height > 1u) && (c->pitch > w) && (w < SMALL_RUN) &&
            (o == 0u)) {
            /* whole rows from p on, as many as one read into scratch holds */
            uint64_t fit = 1u + ((SCRATCH_BYTES - w) / c->pitch);
            k = (z - p) / w;
            if (k > fit) {
                k = fit;
            }
        }
        if (k >= 2u) {
            uint64_t span = ((k - 1u) * c->pitch) + w;
            uint64_t j;
            ok = read_exact(r, c->item, bc->index, r->scratch, c->src + (row * c->pitch), span);
            for (j = 0u; ok && (j < k); j++) {
                memcpy(out + p + (j * w), r->scratch + (j * c->pitch), (size_t)w);
            }
            p += k * w;
        } else {
            uint64_t n = w - o;
            if (n > (z - p)) {
                n = z - p;
            }
            ok = read_exact(r, c->item, bc->index, out + p, c->src + (row * c->pitch) + o, n);
            p += n;
        }
    }
    return ok;
}

/* Bytes [lo, hi) of the batch's chunk bytes (in chunk order). */
static void gather_part(reader *r, const batch *bt, uint8_t *staging, uint64_t lo, uint64_t hi)
{
    size_t a = 0u;
    size_t z = bt->n;
    size_t j;
    bool ok = true;
    /* the first chunk that ends after lo */
    while (a < z) {
        size_t m = a + ((z - a) / 2u);
        if ((bt->ch[m].pos + bt->ch[m].bytes) <= lo) {
            a = m + 1u;
        } else {
            z = m;
        }
    }
    for (j = a; ok && (j < bt->n) && (bt->ch[j].pos < hi); j++) {
        const bchunk *bc = &bt->ch[j];
        uint64_t from = (lo > bc->pos) ? (lo - bc->pos) : 0u;
        uint64_t to = ((hi - bc->pos) < bc->bytes) ? (hi - bc->pos) : bc->bytes;
        ok = gather_chunk(r, bc, from, to, staging + bc->off);
    }
}

/* Part `id` of `parts` of the current job. */
static void do_part(pool *p, uint32_t id)
{
    const batch *bt = p->bt;
    uint64_t lo = (bt->bytes * id) / p->parts;
    uint64_t hi = (bt->bytes * (id + 1u)) / p->parts;
    gather_part(&p->rd[id], bt, p->staging, lo, hi);
}

static void *worker_main(void *arg)
{
    worker_arg *wa = (worker_arg *)arg;
    pool *p = wa->p;
    uint64_t seen = 0u;
    bool running = true;
    (void)pthread_mutex_lock(&p->mu);
    while (running) {
        while ((p->gen == seen) && !p->quit) {
            (void)pthread_cond_wait(&p->go, &p->mu);
        }
        if (p->quit) {
            running = false;
        } else {
            seen = p->gen;
            (void)pthread_mutex_unlock(&p->mu);
            if (wa->id < p->parts) {
                do_part(p, wa->id);
            }
            (void)pthread_mutex_lock(&p->mu);
            p->finished++;
            (void)pthread_cond_signal(&p->done);
        }
    }
    (void)pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Gather a batch with `parts` readers (1 .. workers + 1). */
static void pool_run(pool *p, const batch *bt, uint8_t *staging, uint32_t parts)
{
    p->bt = bt;
    p->staging = staging;
    p->parts = parts;
    if (p->n > 0u) {
        (void)pthread_mutex_lock(&p->mu);
        p->finished = 0u;
        p->gen++;
        (void)pthread_cond_broadcast(&p->go);
        (void)pthread_mutex_unlock(&p->mu);
    }
    do_part(p, 0u);
    if (p->n > 0u) {
        (void)pthread_mutex_lock(&p->mu);
        while (p->finished < p->n) {
            (void)pthread_cond_wait(&p->done, &p->mu);
        }
        (void)pthread_mutex_unlock(&p->mu);
    }
}

static void pool_stop(pool *p)
{
    uint32_t i;
    if (p->n > 0u) {
        (void)pthread_mutex_lock(&p->mu);
        p->quit = true;
        (void)pthread_cond_broadcast(&p->go);
        (void)pthread_mutex_unlock(&p->mu);
        for (i = 0u; i < p->n; i++) {
            (void)pthread_join(p->th[i + 1u], NULL);
        }
        p->n = 0u;
    }
    for (i = 0u; i < ST_ENGINE_MAX_THREADS; i++) {
        free(p->rd[i].scratch);
        p->rd[i].scratch = NULL;
    }
    if (p->sync_made) {
        (void)pthread_cond_destroy(&p->done);
        (void)pthread_cond_destroy(&p->go);
        (void)pthread_mutex_destroy(&p->mu);
        p->sync_made = false;
    }
}

/* Readers (and their scratch buffers) for `threads` threads, workers started. */
static st_dev_err pool_start(st_load *L, pool *p, uint32_t threads)
{
    st_dev_err rc = ST_DEV_OK;
    uint32_t i;
    memset(p, 0, sizeof *p);
    for (i = 0u; (rc == ST_DEV_OK) && (i < threads); i++) {
        p->rd[i].L = L;
        if (!L->opts.mmap_source) {
            p->rd[i].scratch = malloc(SCRATCH_BYTES);
            if (p->rd[i].scratch == NULL) {
                rc = st_load_fail(L, ST_DEV_E_MEMORY, "out of memory for read buffers");
            }
        }
    }
    if ((rc == ST_DEV_OK) && (threads > 1u)) {
        if (pthread_mutex_init(&p->mu, NULL) != 0) {
            rc = st_load_fail(L, ST_DEV_E_THREAD, "cannot create a mutex");
        } else if (pthread_cond_init(&p->go, NULL) != 0) {
            (void)pthread_mutex_destroy(&p->mu);
            rc = st_load_fail(L, ST_DEV_E_THREAD, "cannot create a condition variable");
        } else if (pthread_cond_init(&p->done, NULL) != 0) {
            (void)pthread_cond_destroy(&p->go);
            (void)pthread_mutex_destroy(&p->mu);
            rc = st_load_fail(L, ST_DEV_E_THREAD, "cannot create a condition variable");
        } else {
            p->sync_made = true;
        }
    }
    for (i = 1u; (rc == ST_DEV_OK) && (i < threads); i++) {
        int e;
        p->args[i].p = p;
        p->args[i].id = i;
        e = pthread_create(&p->th[i], NULL, worker_main, &p->args[i]);
        if (e != 0) {
            rc = st_load_fail(L, ST_DEV_E_THREAD, "cannot start reader thread %u of %u: %s", i + 1u,
                              threads, strerror(e));
        } else {
            p->n++;
        }
    }
    return rc;
}

/*
 * The next batch from the plan: consecutive chunks while their destination
 * span fits in `cap` bytes (a chunk alone always fits: the planner keeps
 * chunks <= the chunk size, and cap is at least that or the whole total).
 * 1: a batch; 0: the plan is exhausted; -1: out of memory.
 */
static int next_batch(st_chunk_iter *it, st_chunk *pending, bool *have, uint64_t *chunk_no,
                      uint64_t cap, batch *bt)
{
    int ret = 1;
    bt->n = 0u;
    bt->len = 0u;
    bt->bytes = 0u;
    if (!*have) {
        *have = st_plan_next(it, pending);
    }
    if (!*have) {
        ret = 0;
    } else {
        bt->dst = pending->dst;
    }
    while ((ret == 1) && *have) {
        uint64_t bytes = pending->width * pending->height;
        uint64_t end = (pending->dst - bt->dst) + bytes;
        if ((bt->n > 0u) && (end > cap)) {
            break;
        }
        if (bt->n == bt->cap) {
            size_t ncap = (bt->cap == 0u) ? 64u : (bt->cap * 2u);
            bchunk *nc = (ncap <= (SIZE_MAX / sizeof *nc)) ? realloc(bt->ch, ncap * sizeof *nc)
                                                           : NULL;
            if (nc == NULL) {
                ret = -1;
                break;
            }
            bt->ch = nc;
            bt->cap = ncap;
        }
        bt->ch[bt->n].c = *pending;
        bt->ch[bt->n].index = *chunk_no;
        bt->ch[bt->n].off = pending->dst - bt->dst;
        bt->ch[bt->n].pos = bt->bytes;
        bt->ch[bt->n].bytes = bytes;
        bt->n++;
        *chunk_no += 1u;
        bt->bytes += bytes;
        bt->len = end;
        *have = st_plan_next(it, pending);
    }
    return ret;
}

/* "chunks K..L (tensors "A" in FILE .. "B" in FILE)" */
static void span_text(const st_load *L, const span_info *s, char *buf, size_t len)
{
    char a[ST_ENGINE_NAME_TEXT];
    char z[ST_ENGINE_NAME_TEXT];
    const st_load_entry *ea = &L->entries[s->first_item];
    const st_load_entry *ez = &L->entries[s->last_item];
    st_engine_name_text(a, sizeof a, ea->name, ea->name_len);
    if (s->first_item == s->last_item) {
        (void)snprintf(buf, len, "%s: tensor %s: chunk%s %llu..%llu", L->files[ea->file].path, a,
                       (s->first_chunk == s->last_chunk) ? "" : "s",
                       (unsigned long long)s->first_chunk, (unsigned long long)s->last_chunk);
    } else {
        st_engine_name_text(z, sizeof z, ez->name, ez->name_len);
        (void)snprintf(buf, len, "%s: tensors %s .. %s (in %s): chunks %llu..%llu",
                       L->files[ea->file].path, a, z, L->files[ez->file].path,
                       (unsigned long long)s->first_chunk, (unsigned long long)s->last_chunk);
    }
}

static st_dev_err copy_fail(st_load *L, const span_info *s, const char *what)
{
    char where[ST_LOAD_MSG_MAX / 2u];
    span_text(L, s, where, sizeof where);
    return st_load_fail(L, ST_DEV_E_COPY, "%s: %s (%llu bytes to device offset %llu): %s: %s",
                        where, what, (unsigned long long)s->len, (unsigned long long)s->dst,
                        L->backend->name, L->backend->last_error(L->backend));
}

static st_dev_err read_failure(st_load *L, const read_fail *f)
{
    const st_load_entry *e = &L->entries[f->item];
    char nm[ST_ENGINE_NAME_TEXT];
    st_engine_name_text(nm, sizeof nm, e->name, e->name_len);
    return st_load_fail(L, ST_DEV_E_READ,
                        "%s: tensor %s: chunk %llu: reading %llu bytes at file offset %llu: %s",
                        L->files[e->file].path, nm, (unsigned long long)f->chunk,
                        (unsigned long long)f->len, (unsigned long long)f->off,
                        (f->errnum != 0) ? strerror(f->errnum)
                                         : "the file ended early (truncated while loading?)");
}

/* The backend's resources of one run. */
typedef struct run_res {
    void *staging[ST_ENGINE_MAX_BUFFERS];
    bool registered[ST_ENGINE_MAX_BUFFERS];
    void *events[ST_ENGINE_MAX_BUFFERS];
    span_info spans[ST_ENGINE_MAX_BUFFERS];
    void *stream;
    uint32_t nbuf;
} run_res;

static st_dev_err acquire(st_load *L, run_res *R, uint64_t staging)
{
    st_backend *b = L->backend;
    st_dev_err rc = ST_DEV_OK;
    uint32_t i;
    for (i = 0u; (rc == ST_DEV_OK) && (i < R->nbuf); i++) {
        if (L->opts.register_staging) {
            void *p = NULL;
            if (posix_memalign(&p, STAGING_ALIGN, (size_t)staging) != 0) {
                rc = st_load_fail(L, ST_DEV_E_MEMORY, "out of memory for staging buffer %u",
                                  i + 1u);
            } else {
                memset(p, 0, (size_t)staging); /* fault the pages in before pinning */
                R->staging[i] = p;
                if (!b->host_register(b, p, (size_t)staging)) {
                    rc = st_load_fail(L, ST_DEV_E_ALLOC,
                                      "pinning staging buffer %u of %llu bytes: %s: %s", i + 1u,
                                      (unsigned long long)staging, b->name, b->last_error(b));
                } else {
                    R->registered[i] = true;
                }
            }
        } else if (!b->host_alloc(b, (size_t)staging, &R->staging[i])) {
            R->staging[i] = NULL;
            rc = st_load_fail(L, ST_DEV_E_ALLOC,
                              "allocating pinned staging buffer %u of %llu bytes: %s: %s", i + 1u,
                              (unsigned long long)staging, b->name, b->last_error(b));
        } else {
            /* allocated */
        }
    }
    for (i = 0u; (rc == ST_DEV_OK) && (i < R->nbuf); i++) {
        if (!b->event_create(b, &R->events[i])) {
            R->events[i] = NULL;
            rc = st_load_fail(L, ST_DEV_E_RESOURCE, "creating event %u: %s: %s", i + 1u, b->name,
                              b->last_error(b));
        }
    }
    if ((rc == ST_DEV_OK) && !b->stream_create(b, &R->stream)) {
        R->stream = NULL;
        rc = st_load_fail(L, ST_DEV_E_RESOURCE, "creating a stream: %s: %s", b->name,
                          b->last_error(b));
    }
    return rc;
}

/* Release in reverse; after a failure, drain the stream first so that no
   queued copy still reads a staging buffer. */
static void release(st_load *L, run_res *R)
{
    st_backend *b = L->backend;
    uint32_t i;
    if (R->stream != NULL) {
        (void)b->stream_sync(b, R->stream);
        (void)b->stream_destroy(b, R->stream);
        R->stream = NULL;
    }
    for (i = 0u; i < R->nbuf; i++) {
        if (R->events[i] != NULL) {
            (void)b->event_destroy(b, R->events[i]);
            R->events[i] = NULL;
        }
        if (R->staging[i] != NULL) {
            if (L->opts.register_staging) {
                if (R->registered[i]) {
                    (void)b->host_unregister(b, R->staging[i]);
                }
                free(R->staging[i]);
            } else {
                (void)b->host_free(b, R->staging[i]);
            }
            R->staging[i] = NULL;
            R->registered[i] = false;
        }
    }
}

/* The pipeline proper. */
static st_dev_err pump(st_load *L, run_res *R, pool *P, uint64_t cap, uint32_t threads)
{
    st_backend *b = L->backend;
    st_dev_err rc = ST_DEV_OK;
    st_chunk_iter it;
    st_chunk pending;
    batch bt;
    bool have = false;
    uint64_t chunk_no = 0u;
    uint64_t k = 0u;
    int got;
    memset(&bt, 0, sizeof bt);
    st_plan_iter_init(&it, L->items, L->n_items, L->opts.chunk);
    while (rc == ST_DEV_OK) {
        uint32_t slot = (uint32_t)(k % R->nbuf);
        uint8_t *stg = (uint8_t *)R->staging[slot];
        uint64_t prev_end = 0u;
        size_t j;
        uint32_t parts;
        uint32_t t;
        span_info *sp = &R->spans[slot];
        got = next_batch(&it, &pending, &have, &chunk_no, cap, &bt);
        if (got < 0) {
            rc = st_load_fail(L, ST_DEV_E_MEMORY, "out of memory for the chunk list");
            break;
        }
        if (got == 0) {
            break;
        }
        /* the copy that last used this buffer must be complete */
        if ((k >= R->nbuf) && !b->event_sync(b, R->events[slot])) {
            rc = copy_fail(L, sp, "copy to the device failed");
            break;
        }
        for (j = 0u; j < bt.n; j++) {
            if (bt.ch[j].off > prev_end) {
                memset(stg + prev_end, 0, (size_t)(bt.ch[j].off - prev_end));
            }
            prev_end = bt.ch[j].off + bt.ch[j].bytes;
        }
        parts = (bt.bytes >= PARALLEL_MIN) ? threads : 1u;
        pool_run(P, &bt, stg, parts);
        for (t = 0u; t < parts; t++) {
            const read_fail *f = &P->rd[t].fail;
            if (f->failed && ((rc == ST_DEV_OK) || (f->chunk < P->rd[0].fail.chunk))) {
                P->rd[0].fail = *f; /* the earliest failure is reported */
                rc = ST_DEV_E_READ;
            }
        }
        if (rc != ST_DEV_OK) {
            rc = read_failure(L, &P->rd[0].fail);
            break;
        }
        sp->first_chunk = bt.ch[0].index;
        sp->last_chunk = bt.ch[bt.n - 1u].index;
        sp->first_item = bt.ch[0].c.item;
        sp->last_item = bt.ch[bt.n - 1u].c.item;
        sp->dst = bt.dst;
        sp->len = bt.len;
        if (!b->copy_h2d_async(b, (uint8_t *)L->device + bt.dst, stg, (size_t)bt.len,
                               R->stream)) {
            rc = copy_fail(L, sp, "queueing the copy to the device failed");
        } else if (!b->event_record(b, R->events[slot], R->stream)) {
            rc = copy_fail(L, sp, "recording an event failed");
        } else {
            L->stats.bytes += bt.bytes;
            L->stats.batches++;
            k++;
        }
    }
    L->stats.chunks = chunk_no;
    if ((rc == ST_DEV_OK) && (k > 0u) && !b->stream_sync(b, R->stream)) {
        rc = copy_fail(L, &R->spans[(k - 1u) % R->nbuf],
                       "a copy to the device failed (reported when the stream drained)");
    }
    free(bt.ch);
    return rc;
}

st_dev_err st_load_run(st_load *L)
{
    st_backend *b = L->backend;
    st_dev_err rc = ST_DEV_OK;
    run_res R;
    pool *P = NULL;
    uint64_t cap;
    uint32_t threads = L->opts.threads;
    double t0 = st_engine_now();
    double t1 = t0;
    double t2 = t0;
    memset(&R, 0, sizeof R);
    if (L->ran || (L->code != ST_DEV_OK) || (b == NULL)) {
        return st_load_fail(L, ST_DEV_E_STATE,
                            "st_load_run needs a successful st_load_plan and runs once");
    }
    L->ran = true;
    cap = (L->total < L->opts.chunk) ? L->total : L->opts.chunk;
    R.nbuf = 0u;
    if (L->total > 0u) {
        uint64_t want = (L->total + cap - 1u) / cap;
        R.nbuf = (want < (uint64_t)L->opts.buffers) ? (uint32_t)want : L->opts.buffers;
    }
    if (threads > 1u) {
        /* more readers than a batch has parts of PARALLEL_MIN would idle */
        uint64_t useful = cap / PARALLEL_MIN;
        if (useful < (uint64_t)threads) {
            threads = (useful < 1u) ? 1u : (uint32_t)useful;
        }
    }
    if (!b->bind(b)) {
        return st_load_fail(L, ST_DEV_E_COPY, "%s: device %d: %s", b->name, b->device,
                            b->last_error(b));
    }
    if (L->total > 0u) {
        if ((uint64_t)(size_t)L->total != L->total) {
            rc = st_load_fail(L, ST_DEV_E_ALLOC, "allocation of %llu bytes is too large",
                              (unsigned long long)L->total);
        } else if (!b->dev_alloc(b, (size_t)L->total, &L->device)) {
            L->device = NULL;
            rc = st_load_fail(L, ST_DEV_E_ALLOC, "allocating %llu bytes of device memory: %s: %s",
                              (unsigned long long)L->total, b->name, b->last_error(b));
        } else {
            /* allocated */
        }
        if (rc == ST_DEV_OK) {
            rc = acquire(L, &R, cap);
        }
        if (rc == ST_DEV_OK) {
            P = calloc(1u, sizeof *P);
            if (P == NULL) {
                rc = st_load_fail(L, ST_DEV_E_MEMORY, "out of memory");
            } else {
                rc = pool_start(L, P, threads);
            }
        }
        t1 = st_engine_now();
        if (rc == ST_DEV_OK) {
            rc = pump(L, &R, P, cap, threads);
        }
        t2 = st_engine_now();
    }
    release(L, &R);
    if (P != NULL) {
        pool_stop(P);
        free(P);
    }
    if ((rc != ST_DEV_OK) && (L->device != NULL)) {
        (void)b->dev_free(b, L->device);
        L->device = NULL;
    }
    L->stats.staging = cap;
    L->stats.buffers = R.nbuf;
    L->stats.threads = threads;
    L->stats.alloc_s = t1 - t0;
    L->stats.copy_s = t2 - t1;
    L->stats.release_s = st_engine_now() - t2;
    return rc;
}
