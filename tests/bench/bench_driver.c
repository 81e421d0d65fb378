/*
 * bench_driver.c -- in-process timings and memory figures of the library,
 * for the benchmark (tests/bench/run.py). One operation per process:
 *
 *   bench_driver OP FILE [OUT] [--compat] [--no-mmap] [--reps N] [--warmup N]
 *   bench_driver exec [--reps N] [--warmup N] [--remove FILE] [--sync]
 *                -- COMMAND [ARG...]
 *
 *   open   st_open_file + st_close_file (map or read, measure, allocate,
 *          parse, release)
 *   parse  the file is mapped and its header read once (untimed); each
 *          sample is st_parse with empty storage (measuring), allocation
 *          of exactly what it asked for, st_parse again, free: the parser
 *          alone
 *   first  st_open_file, st_tensor_at(0), st_tensor_data: the time until
 *          the first tensor's pointer is in hand (close untimed)
 *   load   st_open_file, one malloc for all tensors, memcpy of every
 *          tensor into it, st_close_file (the free is untimed); with
 *          --no-mmap, st_open_file alone, which reads the whole file into
 *          the heap (the release is untimed)
 *   write  FILE is read whole into memory (untimed), like arrays a program
 *          already holds; each sample writes its tensors and metadata to
 *          OUT with st_write_file (temporary file, fsync, rename, directory
 *          fsync). OUT is removed and sync(2) is called before each sample,
 *          untimed.
 *   exec   runs COMMAND as a child (its stdout discarded), timed from
 *          outside; --remove and --sync act before each sample, untimed.
 *          This small process launches it so that the child's peak
 *          resident set (getrusage RUSAGE_CHILDREN) is its own: a child
 *          starts with a copy of its parent's pages, and Linux keeps that
 *          peak across exec, so a child of a large process (the Python
 *          runner) would report the runner's size.
 *
 * Prints one JSON object on one line:
 *   {"op", "mode", "no_mmap", "times": [seconds...],
 *    "cpu_times": [seconds...], "rss_before_kb", "hwm_kb", "hwm_reset",
 *    "maxrss_kb", "header_len", "tensors", "bytes", "check"}
 * times are wall-clock (CLOCK_MONOTONIC), cpu_times the process's CPU
 * time (CLOCK_PROCESS_CPUTIME_ID), one per sample after the warm-up ones.
 * rss_before_kb is the resident set just before the first sample, hwm_kb
 * the peak resident set from then on (the kernel's high-water mark is
 * reset first where /proc/self/clear_refs allows it; hwm_reset says
 * whether it was), peak_kb the process's own peak (VmHWM before and after
 * the reset), maxrss_kb getrusage's, which on Linux includes the parent's
 * size at the fork. For exec, hwm_kb and peak_kb are the children's peak
 * and rss_before_kb is 0.
 * Exit status 0 on success, 1 when the file is not valid, 2 on other
 * failures.
 */
#define _XOPEN_SOURCE 700 /* sync(2) is an XSI function */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "st_posix.h"
#include "st_posix_write.h"
#include "tensorproof.h"

#define MAX_REPS 100000u

typedef struct options {
    const char *op;
    const char *file;
    const char *out;
    st_mode mode;
    unsigned flags;
    unsigned reps;
    unsigned warmup;
    char **cmd;          /* exec: the command and its arguments */
    const char *remove;  /* exec: a file to remove before each sample */
    bool sync;           /* exec: sync(2) before each sample */
} options;

/* Result of one sample, folded into `check` so that no work is dead. */
typedef struct sample_out {
    uint64_t header_len;
    uint64_t tensors;
    uint64_t bytes;
    uint64_t check;
} sample_out;

static double clock_s(clockid_t id)
{
    struct timespec ts;
    (void)clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now_s(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of the process (all threads): less sensitive than wall time to
 * other load on a shared machine. */
static double cpu_s(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* A "Name:   1234 kB" field of /proc/self/status, or -1. */
static long status_kb(const char *field)
{
    long ret = -1;
    char line[256];
    size_t flen = strlen(field);
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        while (fgets(line, (int)sizeof line, f) != NULL) {
            if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
                ret = strtol(line + flen + 1, NULL, 10);
                break;
            }
        }
        (void)fclose(f);
    }
    return ret;
}

/* Reset the peak resident set (Linux: "5" > /proc/self/clear_refs). */
static bool reset_hwm(void)
{
    bool ok = false;
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f != NULL) {
        ok = fputs("5", f) >= 0;
        ok = (fclose(f) == 0) && ok;
    }
    return ok;
}

static long maxrss_kb(void)
{
    struct rusage ru;
    long ret = -1;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        ret = ru.ru_maxrss;
    }
    return ret;
}

static bool open_checked(const char *path, st_mode mode, unsigned flags,
                         st_loaded *ld)
{
    st_io_error err;
    st_load_status s = st_open_file(path, mode, flags, ld, &err);
    if (s == ST_LOAD_IO) {
        st_fprint_io_error(stderr, path, &err);
    } else if (s == ST_LOAD_INVALID) {
        st_fprint_format_error(stderr, path, &ld->diag);
        st_close_file(ld);
    }
    return s == ST_LOAD_OK;
}

static int sample_open(const options *o, sample_out *r)
{
    st_loaded ld;
    if (!open_checked(o->file, o->mode, o->flags, &ld)) {
        return 1;
    }
    r->header_len = ld.file.header_len;
    r->tensors = ld.file.n_tensors;
    r->check += ld.file.n_tensors;
    st_close_file(&ld);
    return 0;
}

static int sample_first(const options *o, sample_out *r, double *t_end)
{
    st_loaded ld;
    uint64_t size = 0u;
    const uint8_t *p = NULL;
    if (!open_checked(o->file, o->mode, o->flags, &ld)) {
        return 1;
    }
    if (ld.file.n_tensors > 0u) {
        p = st_tensor_data(&ld.file, st_tensor_at(&ld.file, 0u), &size);
    }
    *t_end = now_s();
    r->header_len = ld.file.header_len;
    r->tensors = ld.file.n_tensors;
    r->bytes = size;
    r->check += (uint64_t)(uintptr_t)p;
    st_close_file(&ld);
    return 0;
}

static int sample_load(const options *o, sample_out *r, double *t_end,
                       uint8_t **dst_out)
{
    st_loaded ld;
    uint64_t total = 0u;
    uint64_t at = 0u;
    uint8_t *dst;
    uint32_t i;
    if (!open_checked(o->file, o->mode, o->flags, &ld)) {
        return 1;
    }
    for (i = 0u; i < ld.file.n_tensors; i++) {
        const st_tensor *t = st_tensor_at(&ld.file, i);
        total += t->end - t->begin;
    }
    if ((o->flags & ST_OPEN_NO_MMAP) != 0u) {
        /* The file was read whole into the heap: every tensor is in host
         * memory already, at st_tensor_data. */
        *t_end = now_s();
        r->header_len = ld.file.header_len;
        r->tensors = ld.file.n_tensors;
        r->bytes = total;
        r->check += ld.len > 0u ? ld.bytes[ld.len - 1u] : 0u;
        st_close_file(&ld);
        return 0;
    }
    if ((uint64_t)(size_t)total != total) {
        st_close_file(&ld);
        return 2;
    }
    dst = malloc(total > 0u ? (size_t)total : 1u);
    if (dst == NULL) {
        st_close_file(&ld);
        return 2;
    }
    for (i = 0u; i < ld.file.n_tensors; i++) {
        uint64_t size = 0u;
        const uint8_t *src = st_tensor_data(&ld.file, st_tensor_at(&ld.file, i), &size);
        memcpy(dst + at, src, (size_t)size);
        at += size;
    }
    r->header_len = ld.file.header_len;
    r->tensors = ld.file.n_tensors;
    st_close_file(&ld);
    *t_end = now_s();
    r->bytes = total;
    r->check += total > 0u ? dst[total - 1u] : 0u;
    *dst_out = dst;
    return 0;
}

/* st_parse over a buffer already in memory: measure, allocate, parse. */
static int sample_parse(const options *o, const uint8_t *buf, uint64_t len,
                        sample_out *r)
{
    st_storage empty;
    st_storage s;
    st_file f;
    st_diag d;
    st_err rc;
    int ret = 0;
    memset(&empty, 0, sizeof empty);
    memset(&s, 0, sizeof s);
    rc = st_parse(buf, len, o->mode, &empty, &f, &d);
    if (rc == ST_E_STORAGE) {
        st_need n = d.need;
        s.tensor_cap = n.tensors;
        s.dim_cap = n.dims;
        s.meta_cap = n.meta;
        s.arena_cap = n.arena;
        s.tensors = malloc((size_t)n.tensors * sizeof *s.tensors + 1u);
        s.order = malloc((size_t)n.tensors * sizeof *s.order + 1u);
        s.by_name = malloc((size_t)n.tensors * sizeof *s.by_name + 1u);
        s.dims = malloc((size_t)n.dims * sizeof *s.dims + 1u);
        s.meta = malloc((size_t)n.meta * sizeof *s.meta + 1u);
        s.meta_order = malloc((size_t)n.meta * sizeof *s.meta_order + 1u);
        s.arena = malloc((size_t)n.arena + 1u);
        if (s.tensors == NULL || s.order == NULL || s.by_name == NULL ||
            s.dims == NULL || s.meta == NULL || s.meta_order == NULL ||
            s.arena == NULL) {
            ret = 2;
        } else {
            rc = st_parse(buf, len, o->mode, &s, &f, &d);
        }
    }
    if (ret == 0 && rc != ST_OK) {
        fprintf(stderr, "%s: %s\n", o->file, st_error_name(rc));
        ret = 1;
    }
    if (ret == 0) {
        r->header_len = f.header_len;
        r->tensors = f.n_tensors;
        r->check += f.n_tensors;
    }
    free(s.tensors);
    free(s.order);
    free(s.by_name);
    free(s.dims);
    free(s.meta);
    free(s.meta_order);
    free(s.arena);
    return ret;
}

/* The file's tensors and metadata as a writer set, data in memory. */
typedef struct write_input {
    st_loaded ld;        /* read with ST_OPEN_NO_MMAP: anonymous memory */
    st_wtensor *tensors;
    st_wsource *sources;
    uint64_t *dims;
    st_wmeta *meta;
    st_wset set;
} write_input;

static int write_prepare(const options *o, write_input *w)
{
    const st_file *f;
    uint32_t i;
    uint32_t d;
    uint32_t at = 0u;
    uint64_t ndims = 0u;
    memset(w, 0, sizeof *w);
    if (!open_checked(o->file, o->mode, ST_OPEN_NO_MMAP, &w->ld)) {
        return 1;
    }
    f = &w->ld.file;
    for (i = 0u; i < f->n_tensors; i++) {
        ndims += st_tensor_at(f, i)->rank;
    }
    w->tensors = calloc((size_t)f->n_tensors + 1u, sizeof *w->tensors);
    w->sources = calloc((size_t)f->n_tensors + 1u, sizeof *w->sources);
    w->dims = calloc((size_t)ndims + 1u, sizeof *w->dims);
    w->meta = calloc((size_t)f->n_meta + 1u, sizeof *w->meta);
    if (w->tensors == NULL || w->sources == NULL || w->dims == NULL ||
        w->meta == NULL) {
        return 2;
    }
    for (i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        uint64_t size = 0u;
        w->tensors[i].name = t->name;
        w->tensors[i].name_len = t->name_len;
        w->tensors[i].rank = t->rank;
        w->tensors[i].dims = w->dims + at;
        for (d = 0u; d < t->rank; d++) {
            w->dims[at++] = st_dim(f, t, d);
        }
        w->tensors[i].dtype = t->dtype;
        w->sources[i].data = st_tensor_data(f, t, &size);
        w->tensors[i].data_len = size;
    }
    for (i = 0u; i < f->n_meta; i++) {
        const st_meta *m = st_meta_at(f, i);
        w->meta[i].key = m->key;
        w->meta[i].key_len = m->key_len;
        w->meta[i].value = m->value;
        w->meta[i].value_len = m->value_len;
    }
    w->set.tensors = w->tensors;
    w->set.n_tensors = f->n_tensors;
    w->set.meta = w->meta;
    w->set.n_meta = f->n_meta;
    w->set.has_metadata = f->has_metadata;
    return 0;
}

static void write_release(write_input *w)
{
    free(w->tensors);
    free(w->sources);
    free(w->dims);
    free(w->meta);
    st_close_file(&w->ld);
}

static int sample_write(const options *o, const write_input *w, sample_out *r)
{
    st_wdiag diag;
    st_write_error err;
    st_wfile_status s = st_write_file(o->out, &w->set, w->sources, NULL,
                                      &diag, &err);
    if (s == ST_WFILE_IO) {
        st_fprint_write_error(stderr, &err);
        return 2;
    }
    if (s == ST_WFILE_REFUSED) {
        st_fprint_write_refusal(stderr, o->out, &w->set, &diag);
        return 1;
    }
    r->header_len = w->ld.file.header_len;
    r->tensors = w->set.n_tensors;
    r->bytes = w->ld.len;
    r->check += 1u;
    return 0;
}

/* Run o->cmd as a child process (stdout to /dev/null) and wait for it.
 * Its CPU time is the difference in RUSAGE_CHILDREN; its peak resident set
 * is in RUSAGE_CHILDREN's ru_maxrss at the end (see main). */
static int sample_exec(const options *o, double *cpu)
{
    struct rusage before;
    struct rusage after;
    int status = 0;
    pid_t pid;
    (void)getrusage(RUSAGE_CHILDREN, &before);
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            (void)dup2(fd, 1);
            (void)close(fd);
        }
        execvp(o->cmd[0], o->cmd);
        perror(o->cmd[0]);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            perror("waitpid");
            return 2;
        }
    }
    (void)getrusage(RUSAGE_CHILDREN, &after);
    *cpu = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
           (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
           (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) * 1e-6 +
           (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec) * 1e-6;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s: exit status %d\n", o->cmd[0],
                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return 2;
    }
    return 0;
}

static long children_maxrss_kb(void)
{
    struct rusage ru;
    long ret = -1;
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
        ret = ru.ru_maxrss;
    }
    return ret;
}

static bool parse_uint(const char *s, unsigned *out)
{
    char *end = NULL;
    unsigned long v;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > MAX_REPS) {
        return false;
    }
    *out = (unsigned)v;
    return true;
}

static int usage(void)
{
    fputs("usage: bench_driver open|parse|first|load|write FILE [OUT] "
          "[--compat] [--no-mmap] [--reps N] [--warmup N]\n"
          "       bench_driver exec [--reps N] [--warmup N] [--remove FILE] "
          "[--sync] -- COMMAND [ARG...]\n", stderr);
    return 2;
}

static int parse_args(int argc, char **argv, options *o)
{
    int i;
    int pos = 0;
    memset(o, 0, sizeof *o);
    o->mode = ST_MODE_STRICT;
    o->reps = 5u;
    o->warmup = 1u;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--compat") == 0) {
            o->mode = ST_MODE_COMPAT;
        } else if (strcmp(a, "--strict") == 0) {
            o->mode = ST_MODE_STRICT;
        } else if (strcmp(a, "--no-mmap") == 0) {
            o->flags |= ST_OPEN_NO_MMAP;
        } else if (strcmp(a, "--reps") == 0 && i + 1 < argc) {
            if (!parse_uint(argv[++i], &o->reps) || o->reps == 0u) {
                return usage();
            }
        } else if (strcmp(a, "--warmup") == 0 && i + 1 < argc) {
            if (!parse_uint(argv[++i], &o->warmup)) {
                return usage();
            }
        } else if (strcmp(a, "--remove") == 0 && i + 1 < argc) {
            o->remove = argv[++i];
        } else if (strcmp(a, "--sync") == 0) {
            o->sync = true;
        } else if (strcmp(a, "--") == 0) {
            if (i + 1 < argc) {
                o->cmd = &argv[i + 1];
            }
            break;
        } else if (a[0] == '-' && a[1] == '-') {
            return usage();
        } else if (pos == 0) {
            o->op = a;
            pos++;
        } else if (pos == 1) {
            o->file = a;
            pos++;
        } else if (pos == 2) {
            o->out = a;
            pos++;
        } else {
            return usage();
        }
    }
    if (o->op == NULL) {
        return usage();
    }
    if (strcmp(o->op, "exec") == 0) {
        return (o->cmd == NULL || o->file != NULL) ? usage() : 0;
    }
    if (o->file == NULL || o->cmd != NULL || o->remove != NULL || o->sync) {
        return usage();
    }
    if ((strcmp(o->op, "write") == 0) != (o->out != NULL)) {
        return usage();
    }
    return 0;
}

/* Map a whole file (for `parse`) and read its header once, so that the
 * samples time the parser, not page faults. */
static int map_file(const char *path, uint8_t **buf, uint64_t *len)
{
    struct stat sb;
    void *p;
    uint64_t n = 0u;
    uint64_t i;
    volatile uint8_t sink = 0u;
    int fd = open(path, O_RDONLY);
    *buf = NULL;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size <= 0) {
        perror(path);
        if (fd >= 0) {
            (void)close(fd);
        }
        return 2;
    }
    p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    (void)close(fd);
    if (p == MAP_FAILED) {
        perror(path);
        return 2;
    }
    *buf = p;
    *len = (uint64_t)sb.st_size;
    for (i = 0u; i < 8u && i < *len; i++) {
        n |= (uint64_t)(*buf)[i] << (8u * i);
    }
    for (i = 0u; i < n + 8u && i < *len; i += 64u) {
        sink = (uint8_t)(sink + (*buf)[i]);
    }
    (void)sink;
    return 0;
}

static int run_sample(const options *o, const uint8_t *buf, uint64_t len,
                      const write_input *w, sample_out *r, double *secs,
                      double *cpu)
{
    int rc;
    double t0;
    double c0;
    double t1 = 0.0;
    uint8_t *dst = NULL;
    if (strcmp(o->op, "write") == 0) {
        (void)unlink(o->out);
        sync();
    }
    if (o->remove != NULL) {
        (void)unlink(o->remove);
    }
    if (o->sync) {
        sync();
    }
    c0 = cpu_s();
    t0 = now_s();
    if (strcmp(o->op, "exec") == 0) {
        rc = sample_exec(o, cpu);
    } else if (strcmp(o->op, "open") == 0) {
        rc = sample_open(o, r);
    } else if (strcmp(o->op, "parse") == 0) {
        rc = sample_parse(o, buf, len, r);
    } else if (strcmp(o->op, "first") == 0) {
        rc = sample_first(o, r, &t1);
    } else if (strcmp(o->op, "load") == 0) {
        rc = sample_load(o, r, &t1, &dst);
    } else {
        rc = sample_write(o, w, r);
    }
    if (t1 == 0.0) {
        t1 = now_s();
    }
    if (strcmp(o->op, "exec") != 0) {
        *cpu = cpu_s() - c0;
    }
    free(dst);
    *secs = t1 - t0;
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    sample_out r;
    double *times;
    double *cpus;
    uint8_t *buf = NULL;
    uint64_t len = 0u;
    write_input w;
    long rss_before;
    long hwm;
    long peak;
    bool hwm_reset;
    unsigned i;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        return rc;
    }
    if (strcmp(o.op, "open") != 0 && strcmp(o.op, "parse") != 0 &&
        strcmp(o.op, "first") != 0 && strcmp(o.op, "load") != 0 &&
        strcmp(o.op, "write") != 0 && strcmp(o.op, "exec") != 0) {
        return usage();
    }
    memset(&r, 0, sizeof r);
    memset(&w, 0, sizeof w);
    times = calloc(o.reps, sizeof *times);
    cpus = calloc(o.reps, sizeof *cpus);
    if (times == NULL || cpus == NULL) {
        free(times);
        free(cpus);
        return 2;
    }
    if (strcmp(o.op, "parse") == 0) {
        rc = map_file(o.file, &buf, &len);
    } else if (strcmp(o.op, "write") == 0) {
        rc = write_prepare(&o, &w);
    }
    for (i = 0u; rc == 0 && i < o.warmup; i++) {
        double s;
        double c;
        rc = run_sample(&o, buf, len, &w, &r, &s, &c);
    }
    peak = status_kb("VmHWM");
    hwm_reset = reset_hwm();
    rss_before = status_kb("VmRSS");
    for (i = 0u; rc == 0 && i < o.reps; i++) {
        rc = run_sample(&o, buf, len, &w, &r, &times[i], &cpus[i]);
    }
    hwm = status_kb("VmHWM");
    if (hwm > peak) {
        peak = hwm;
    }
    if (strcmp(o.op, "exec") == 0) {
        /* The children's peak (at least this process's size at the fork). */
        rss_before = 0;
        hwm = peak = children_maxrss_kb();
    }
    if (rc == 0) {
        printf("{\"op\": \"%s\", \"mode\": \"%s\", \"no_mmap\": %s, \"times\": [",
               o.op, o.mode == ST_MODE_COMPAT ? "compat" : "strict",
               (o.flags & ST_OPEN_NO_MMAP) != 0u ? "true" : "false");
        for (i = 0u; i < o.reps; i++) {
            printf("%s%.9f", i == 0u ? "" : ", ", times[i]);
        }
        printf("], \"cpu_times\": [");
        for (i = 0u; i < o.reps; i++) {
            printf("%s%.9f", i == 0u ? "" : ", ", cpus[i]);
        }
        printf("], \"rss_before_kb\": %ld, \"hwm_kb\": %ld, \"hwm_reset\": %s, "
               "\"peak_kb\": %ld, \"maxrss_kb\": %ld, \"header_len\": %" PRIu64
               ", \"tensors\": %" PRIu64 ", \"bytes\": %" PRIu64
               ", \"check\": %" PRIu64 "}\n",
               rss_before, hwm, hwm_reset ? "true" : "false", peak, maxrss_kb(),
               r.header_len, r.tensors, r.bytes, r.check);
    }
    if (strcmp(o.op, "write") == 0) {
        write_release(&w);
    }
    if (buf != NULL) {
        (void)munmap(buf, (size_t)len);
    }
    free(times);
    free(cpus);
    return rc;
}
