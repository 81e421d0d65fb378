/*
 * dt_support.c -- helpers of the device engine tests (dt.h).
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700

#include "dt.h"

#if defined(__SANITIZE_ADDRESS__)
#define DT_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DT_LSAN 1
#endif
#endif
#if defined(DT_LSAN)
#include <sanitizer/lsan_interface.h>
#endif

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dt_dir_buf[64];

const char *dt_dir(void)
{
    if (dt_dir_buf[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        (void)snprintf(dt_dir_buf, sizeof dt_dir_buf, "%s/dt-XXXXXX",
                       ((tmp != NULL) && (strlen(tmp) < 40u)) ? tmp : "/tmp");
        cr_assert(mkdtemp(dt_dir_buf) != NULL, "mkdtemp failed");
    }
    return dt_dir_buf;
}

static int dt_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

void dt_cleanup(void)
{
    if (dt_dir_buf[0] != '\0') {
        (void)nftw(dt_dir_buf, dt_rm, 16, FTW_DEPTH | FTW_PHYS);
        dt_dir_buf[0] = '\0';
    }
}

void dt_fini(void)
{
    dt_cleanup();
#if defined(DT_LSAN)
    /* an assertion in .fini does not fail a Criterion test; a crash makes
       the run exit 1 */
    if (__lsan_do_recoverable_leak_check() != 0) {
        cr_log_error("memory leaked (LeakSanitizer report above)");
        abort();
    }
#endif
}

const char *dt_path(const char *name)
{
    static char bufs[8][256];
    static unsigned next;
    char *b = bufs[next++ % 8u];
    (void)snprintf(b, sizeof bufs[0], "%s/%s", dt_dir(), name);
    return b;
}

uint64_t dt_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ull;
}

uint64_t dt_nelem(const dt_tensor *t)
{
    uint64_t n = 1u;
    uint32_t d;
    for (d = 0u; d < t->rank; d++) {
        n *= t->dims[d];
    }
    return n;
}

uint64_t dt_bytes(const dt_tensor *t)
{
    return (dt_nelem(t) * st_dtype_bits(t->dtype)) / 8u;
}

/* Append to a growing text buffer. */
typedef struct dt_text {
    char *s;
    size_t len;
    size_t cap;
} dt_text;

static void dt_put(dt_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void dt_put(dt_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    cr_assert(n >= 0);
    if ((t->len + (size_t)n + 1u) > t->cap) {
        size_t cap = (t->cap == 0u) ? 1024u : t->cap;
        while (cap < (t->len + (size_t)n + 1u)) {
            cap *= 2u;
        }
        t->s = realloc(t->s, cap);
        cr_assert(t->s != NULL);
        t->cap = cap;
    }
    va_start(ap, fmt);
    (void)vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void dt_write(dt_file *out, const char *name, const dt_tensor *ts, size_t n, uint32_t seed)
{
    dt_text h;
    uint64_t off = 0u;
    uint64_t hl;
    uint64_t state = 0x9E3779B97F4A7C15ull ^ (uint64_t)seed;
    size_t i;
    uint64_t j;
    FILE *fp;
    memset(&h, 0, sizeof h);
    memset(out, 0, sizeof *out);
    out->n = n;
    out->begin = calloc(n + 1u, sizeof *out->begin);
    out->nbytes = calloc(n + 1u, sizeof *out->nbytes);
    out->tensors = calloc(n + 1u, sizeof *out->tensors);
    cr_assert((out->begin != NULL) && (out->nbytes != NULL) && (out->tensors != NULL));
    dt_put(&h, "{");
    for (i = 0u; i < n; i++) {
        uint32_t d;
        uint64_t nb = dt_bytes(&ts[i]);
        out->tensors[i] = ts[i];
        out->begin[i] = off;
        out->nbytes[i] = nb;
        dt_put(&h, "%s\"%s\":{\"dtype\":\"%s\",\"shape\":[", (i == 0u) ? "" : ",", ts[i].name,
               st_dtype_name(ts[i].dtype));
        for (d = 0u; d < ts[i].rank; d++) {
            dt_put(&h, "%s%llu", (d == 0u) ? "" : ",", (unsigned long long)ts[i].dims[d]);
        }
        dt_put(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)off,
               (unsigned long long)(off + nb));
        off += nb;
    }
    dt_put(&h, "}");
    while ((h.len % 8u) != 0u) {
        dt_put(&h, " ");
    }
    hl = h.len;
    out->data_start = 8u + hl;
    out->len = out->data_start + off;
    out->bytes = malloc((size_t)out->len + 1u);
    cr_assert(out->bytes != NULL);
    for (j = 0u; j < 8u; j++) {
        out->bytes[j] = (uint8_t)(hl >> (8u * j));
    }
    memcpy(out->bytes + 8, h.s, (size_t)hl);
    for (j = out->data_start; j < out->len; j++) {
        out->bytes[j] = (uint8_t)(dt_rand(&state) >> 56);
    }
    free(h.s);
    out->path = strdup(dt_path(name));
    cr_assert(out->path != NULL);
    fp = fopen(out->path, "wb");
    cr_assert(fp != NULL, "cannot create %s", out->path);
    cr_assert(fwrite(out->bytes, 1u, (size_t)out->len, fp) == (size_t)out->len);
    cr_assert(fclose(fp) == 0);
}

void dt_file_free(dt_file *f)
{
    free(f->path);
    free(f->bytes);
    free(f->begin);
    free(f->nbytes);
    free(f->tensors);
    memset(f, 0, sizeof *f);
}

uint8_t *dt_expected(const dt_file *f, size_t k, st_shard_kind shard, uint64_t start,
                     uint64_t stop, uint64_t *len)
{
    const dt_tensor *t = &f->tensors[k];
    uint64_t bits = st_dtype_bits(t->dtype);
    uint64_t cols = (t->rank > 0u) ? t->dims[t->rank - 1u] : 1u;
    uint64_t rows = 1u;
    uint64_t r0 = 0u;
    uint64_t r1;
    uint64_t c0 = 0u;
    uint64_t c1 = cols;
    uint64_t r;
    uint64_t c;
    uint64_t outbit = 0u;
    const uint8_t *src = f->bytes + f->data_start + f->begin[k];
    uint8_t *out;
    uint32_t d;
    for (d = 0u; (d + 1u) < t->rank; d++) {
        rows *= t->dims[d];
    }
    if ((t->rank == 1u) && (shard != ST_SHARD_COLS)) {
        /* st_plan.h: a row range of a rank-1 tensor selects elements */
        rows = t->dims[0];
        cols = 1u;
        c1 = 1u;
    }
    r1 = rows;
    if (shard == ST_SHARD_ROWS) {
        r0 = start;
        r1 = stop;
    } else if (shard == ST_SHARD_COLS) {
        c0 = start;
        c1 = stop;
    }
    *len = (((r1 - r0) * (c1 - c0)) * bits) / 8u;
    if ((r1 == r0) || (c1 == c0)) {
        *len = 0u;
    }
    out = calloc((size_t)*len + 1u, 1u);
    cr_assert(out != NULL);
    for (r = r0; r < r1; r++) {
        for (c = c0; c < c1; c++) {
            uint64_t e = (r * cols) + c;
            if ((bits % 8u) == 0u) {
                memcpy(out + (outbit / 8u), src + ((e * bits) / 8u), (size_t)(bits / 8u));
            } else {
                uint64_t b;
                for (b = 0u; b < bits; b++) {
                    uint64_t sb = (e * bits) + b;
                    uint64_t ob = outbit + b;
                    unsigned in = (unsigned)src[sb / 8u];
                    unsigned v = (in >> (unsigned)(sb % 8u)) & 1u;
                    unsigned o = (unsigned)out[ob / 8u] | (v << (unsigned)(ob % 8u));
                    out[ob / 8u] = (uint8_t)o;
                }
            }
            outbit += bits;
        }
    }
    cr_assert((outbit % 8u) == 0u, "oracle: a selection that is not whole bytes");
    return out;
}

bool dt_on_host(void)
{
    const char *d = getenv("DT_DEVICE");
    return (d == NULL) || (d[0] == '\0') || (strcmp(d, "host") == 0);
}

st_backend *dt_backend(st_host_faults *faults)
{
    char err[ST_BACKEND_MSG_MAX];
    st_backend *b;
    if (dt_on_host()) {
        b = st_host_backend_open(faults, err, sizeof err);
    } else {
        b = st_backend_open(getenv("DT_DEVICE"), err, sizeof err);
    }
    cr_assert(b != NULL, "backend: %s", err);
    return b;
}

void dt_opts(st_engine_opts *o, uint64_t chunk, uint32_t buffers, uint32_t threads)
{
    st_engine_opts_init(o);
    o->chunk = chunk;
    o->buffers = buffers;
    o->threads = threads;
}

void dt_load_ok(st_load *L, st_backend *b, const st_request *req, const st_engine_opts *o)
{
    st_dev_err rc = st_load_plan(L, b, req, o);
    uint64_t compared = 0u;
    uint64_t selected = 0u;
    uint32_t i;
    cr_assert(rc == ST_DEV_OK, "plan: %s: %s", st_dev_err_name(rc), L->err);
    rc = st_load_run(L);
    cr_assert(rc == ST_DEV_OK, "run: %s: %s", st_dev_err_name(rc), L->err);
    for (i = 0u; i < L->n_items; i++) {
        selected += L->items[i].bytes;
    }
    cr_assert(L->stats.bytes == selected, "copied %llu bytes, selected %llu",
              (unsigned long long)L->stats.bytes, (unsigned long long)selected);
    rc = st_load_verify(L, &compared);
    cr_assert(rc == ST_DEV_OK, "verify: %s: %s", st_dev_err_name(rc), L->err);
    cr_assert(compared == selected);
}

void dt_check_tensor(st_load *L, uint32_t i, const dt_file *f, size_t k)
{
    const st_plan_item *it = &L->items[i];
    uint64_t want_len = 0u;
    uint8_t *want = dt_expected(f, k, (st_shard_kind)it->shard, it->start, it->stop, &want_len);
    uint8_t *got = malloc((size_t)it->bytes + 1u);
    st_dev_err rc;
    cr_assert(got != NULL);
    cr_assert(it->bytes == want_len, "tensor %s: %llu bytes loaded, %llu expected",
              f->tensors[k].name, (unsigned long long)it->bytes, (unsigned long long)want_len);
    rc = st_load_read_back(L, i, got);
    cr_assert(rc == ST_DEV_OK, "%s", L->err);
    cr_assert(memcmp(got, want, (size_t)want_len) == 0, "tensor %s differs from the oracle",
              f->tensors[k].name);
    cr_assert((it->dst % L->opts.align) == 0u);
    free(got);
    free(want);
}

void dt_finish(st_load *L, st_backend *b, st_host_faults *faults)
{
    st_load_close(L);
    if (faults != NULL && dt_on_host()) {
        cr_assert(st_host_faults_live(faults) == 0u, "host backend still holds %llu handles",
                  (unsigned long long)st_host_faults_live(faults));
        cr_assert(faults->dev_live_bytes == 0u);
    }
    st_backend_close(b);
}

size_t dt_find(const dt_file *f, const char *name)
{
    size_t k;
    for (k = 0u; k < f->n; k++) {
        if (strcmp(f->tensors[k].name, name) == 0) {
            return k;
        }
    }
    cr_assert_fail("no tensor %s in %s", name, f->path);
    return 0u;
}

void dt_check_all(st_load *L, const dt_file *files, size_t n_files)
{
    uint32_t i;
    for (i = 0u; i < L->n_items; i++) {
        const st_load_entry *e = &L->entries[i];
        const char *path = L->files[e->file].path;
        char name[512];
        size_t f;
        bool found = false;
        cr_assert(e->name_len < sizeof name);
        memcpy(name, e->name, e->name_len);
        name[e->name_len] = '\0';
        for (f = 0u; (f < n_files) && !found; f++) {
            if (strcmp(files[f].path, path) == 0) {
                dt_check_tensor(L, i, &files[f], dt_find(&files[f], name));
                found = true;
            }
        }
        cr_assert(found, "tensor %s comes from an unexpected file %s", name, path);
    }
}
