/*
 * st_posix_write.c -- ST-WRITE-7: atomic, streaming file output for the
 * core writer (temporary file, fsync, fchmod, rename, directory fsync).
 */
#define _POSIX_C_SOURCE 200809L

#include "st_posix_write.h"
#include "st_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* The largest single write request (keeps counts inside ssize_t; Linux
 * moves at most about 2 GiB per call anyway). */
#define ST_WRITE_MAX_IO ((size_t)1 << 30)

/* Bytes of the target's name kept in the temporary file's name. */
#define ST_TMP_BASE_MAX ((size_t)200)

/* Suffix mkstemp fills in. */
static const char st_tmp_suffix[] = ".tmp-XXXXXX";

typedef struct st_wjob {
    int fd;
    char tmp[ST_WRITE_PATH_MAX];  /* temporary file, "" when none */
    char dir[ST_WRITE_PATH_MAX];  /* target's directory */
    const char *path;
    const st_write_opts *opts;
    uint64_t done;
    uint64_t total;
    uint8_t *buf;                 /* copy buffer for read callbacks */
    size_t chunk;
} st_wjob;

static void copy_path(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n >= ST_WRITE_PATH_MAX) {
        n = ST_WRITE_PATH_MAX - 1u;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void set_error(st_write_error *err, const char *op, int errnum,
                      const char *detail, const char *path)
{
    err->op = op;
    err->errnum = errnum;
    err->detail = detail;
    copy_path(err->path, path != NULL ? path : "");
}

unsigned st_creation_mode(void)
{
    unsigned mask = 0u;
    bool found = false;
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        char line[256];
        while (!found && fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "Umask:", 6u) == 0) {
                char *end = NULL;
                unsigned long v = strtoul(line + 6, &end, 8);
                if (end != line + 6 && v <= 0777UL) {
                    mask = (unsigned)v;
                    found = true;
                }
            }
        }
        (void)fclose(f);
    }
    if (!found) {
        /* umask(2) can only be read by setting it: set a harmless value
         * and put the old one back at once. */
        mode_t old = umask(022);
        (void)umask(old);
        mask = (unsigned)old & 0777u;
    }
    return 0666u & ~mask;
}

/* Split the target into its directory and the temporary file's template
 * "<dir>/.<base>.tmp-XXXXXX". False when the path is unusable. */
static bool make_names(st_wjob *job, st_write_error *err)
{
    const char *path = job->path;
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    size_t dir_len = slash != NULL ? (size_t)(slash - path) : 0u;
    bool ok = false;

    if (n == 0u) {
        set_error(err, "create temporary file", ENOENT, NULL, path);
    } else if (*base == '\0') {
        set_error(err, "create temporary file", EISDIR, NULL, path);
    } else if (dir_len + 1u + 1u + strlen(base) + sizeof st_tmp_suffix
               > ST_WRITE_PATH_MAX) {
        set_error(err, "create temporary file", ENAMETOOLONG, NULL, path);
    } else {
        /* "<dir>/" as given, ".", base, suffix: the lengths were checked. */
        size_t pre = slash != NULL ? dir_len + 1u : 0u;
        size_t blen = strlen(base);
        if (blen > ST_TMP_BASE_MAX) {
            blen = ST_TMP_BASE_MAX;   /* stay under NAME_MAX */
        }
        memcpy(job->tmp, path, pre);
        job->tmp[pre] = '.';
        memcpy(job->tmp + pre + 1u, base, blen);
        memcpy(job->tmp + pre + 1u + blen, st_tmp_suffix, sizeof st_tmp_suffix);
        if (slash == NULL) {
            (void)strcpy(job->dir, ".");
        } else if (dir_len == 0u) {
            (void)strcpy(job->dir, "/");
        } else {
            memcpy(job->dir, path, dir_len);
            job->dir[dir_len] = '\0';
        }
        ok = true;
    }
    return ok;
}

static void report_progress(st_wjob *job, size_t n)
{
    job->done += (uint64_t)n;
    if (job->opts != NULL && job->opts->progress != NULL) {
        job->opts->progress(job->opts->progress_ctx, job->done, job->total);
    }
}

/* write(2) all of buf[0..n), retrying interrupted and short writes. */
static bool write_all(st_wjob *job, const uint8_t *buf, size_t n,
                      st_write_error *err)
{
    size_t off = 0u;
    bool ok = true;
    while (ok && off < n) {
        size_t want = n - off;
        ssize_t put;
        if (want > ST_WRITE_MAX_IO) {
            want = ST_WRITE_MAX_IO;
        }
        put = write(job->fd, buf + off, want);
        if (put < 0) {
            if (errno != EINTR) {
                set_error(err, "write", errno, NULL, job->path);
                ok = false;
            }
        } else if (put == 0) {
            set_error(err, "write", EIO, NULL, job->path);
            ok = false;
        } else {
            off += (size_t)put;
        }
    }
    return ok;
}

/* One tensor's bytes, in chunks of job->chunk (memory or callback). */
static bool write_tensor(st_wjob *job, uint32_t idx, uint64_t len,
                         const st_wsource *src, st_write_error *err)
{
    uint64_t off = 0u;
    bool ok = true;
    while (ok && off < len) {
        size_t want = job->chunk;
        if ((uint64_t)want > len - off) {
            want = (size_t)(len - off);
        }
        if (src->data != NULL) {
            ok = write_all(job, src->data + off, want, err);
        } else if (src->read == NULL) {
            set_error(err, "read tensor data", EINVAL, NULL, job->path);
            err->has_tensor = true;
            err->tensor = idx;
            ok = false;
        } else {
            const char *detail = NULL;
            int rc = src->read(src->ctx, off, job->buf, want, &detail);
            if (rc != 0 || detail != NULL) {
                set_error(err, "read tensor data", rc, detail, job->path);
                err->has_tensor = true;
                err->tensor = idx;
                ok = false;
            } else {
                ok = write_all(job, job->buf, want, err);
            }
        }
        if (ok) {
            off += (uint64_t)want;
            report_progress(job, want);
        }
    }
    return ok;
}

/* Header then every tensor in file order: plan->file_len bytes. */
static bool write_contents(st_wjob *job, const st_wplan *plan,
                           const st_wsource *sources, st_write_error *err)
{
    const st_wset *set = plan->set;
    uint64_t hsize = (uint64_t)ST_PREFIX_LEN + plan->header_len;
    uint8_t *header = malloc((size_t)hsize);
    uint64_t written = 0u;
    bool ok = false;
    bool need_buf = false;
    uint32_t i;

    for (i = 0u; i < set->n_tensors; i++) {
        if (sources[i].data == NULL && set->tensors[i].data_len != 0u) {
            need_buf = true;
        }
    }
    if (header == NULL) {
        set_error(err, "allocate", ENOMEM, NULL, job->path);
        goto out;
    }
    if (need_buf) {
        job->buf = malloc(job->chunk);
        if (job->buf == NULL) {
            set_error(err, "allocate", ENOMEM, NULL, job->path);
            goto out;
        }
    }
    if (st_write_header(plan, header, hsize, &written) != ST_W_OK
        || written != hsize) {
        set_error(err, "write", 0, "header does not match its plan", job->path);
        goto out;
    }
    if (!write_all(job, header, (size_t)hsize, err)) {
        goto out;
    }
    report_progress(job, (size_t)hsize);
    ok = true;
    for (i = 0u; ok && i < set->n_tensors; i++) {
        uint32_t idx = plan->order[i];
        ok = write_tensor(job, idx, set->tensors[idx].data_len, &sources[idx],
                          err);
    }
    if (ok && job->done != plan->file_len) {
        set_error(err, "write", 0, "size written differs from the plan",
                  job->path);
        ok = false;
    }
out:
    free(header);
    return ok;
}

/* fsync a directory; filesystems that cannot (EINVAL) are not an error. */
static bool sync_dir(const char *dir, st_write_error *err)
{
    bool ok = true;
    int dfd;
    do {
        dfd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    } while (dfd < 0 && errno == EINTR);
    if (dfd < 0) {
        set_error(err, "fsync directory", errno, NULL, dir);
        ok = false;
    } else {
        if (fsync(dfd) != 0 && errno != EINVAL) {
            set_error(err, "fsync directory", errno, NULL, dir);
            ok = false;
        }
        (void)close(dfd);
    }
    return ok;
}

/* mkstemp, contents, fchmod, fsync, close, rename, directory fsync. */
static bool write_atomically(st_wjob *job, const st_wplan *plan,
                             const st_wsource *sources, st_write_error *err)
{
    bool ok = false;
    bool renamed = false;
    int rc;

    if (!make_names(job, err)) {
        goto out;
    }
    job->fd = mkstemp(job->tmp);
    if (job->fd < 0) {
        set_error(err, "create temporary file", errno, NULL, job->dir);
        job->tmp[0] = '\0';
        goto out;
    }
    (void)fcntl(job->fd, F_SETFD, FD_CLOEXEC);
    if (!write_contents(job, plan, sources, err)) {
        goto out;
    }
    if (fchmod(job->fd, (mode_t)st_creation_mode()) != 0) {
        set_error(err, "fchmod", errno, NULL, job->tmp);
        goto out;
    }
    do {
        rc = fsync(job->fd);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        set_error(err, "fsync", errno, NULL, job->path);
        goto out;
    }
    rc = close(job->fd);
    job->fd = -1;
    if (rc != 0 && errno != EINTR) {
        set_error(err, "close", errno, NULL, job->path);
        goto out;
    }
    if (rename(job->tmp, job->path) != 0) {
        set_error(err, "rename", errno, NULL, job->path);
        goto out;
    }
    renamed = true;
    job->tmp[0] = '\0';
    ok = sync_dir(job->dir, err);
out:
    if (job->fd >= 0) {
        (void)close(job->fd);
        job->fd = -1;
    }
    if (!renamed && job->tmp[0] != '\0') {
        (void)unlink(job->tmp);
        job->tmp[0] = '\0';
    }
    return ok;
}

st_wfile_status st_write_file(const char *path, const st_wset *set,
                              const st_wsource *sources,
                              const st_write_opts *opts, st_wdiag *diag,
                              st_write_error *err)
{
    st_wfile_status ret = ST_WFILE_IO;
    uint32_t *order = NULL;
    uint32_t *meta_order = NULL;
    st_wplan plan;
    st_wjob job;

    memset(err, 0, sizeof *err);
    memset(&job, 0, sizeof job);
    job.fd = -1;
    job.path = path;
    job.opts = opts;
    job.chunk = (opts != NULL && opts->chunk != 0u) ? opts->chunk
                                                    : ST_WRITE_CHUNK_DEFAULT;
    if (set->n_tensors > 0u) {
        order = malloc((size_t)set->n_tensors * sizeof *order);
    }
    if (set->n_meta > 0u) {
        meta_order = malloc((size_t)set->n_meta * sizeof *meta_order);
    }
    if ((set->n_tensors > 0u && order == NULL)
        || (set->n_meta > 0u && meta_order == NULL)) {
        set_error(err, "allocate", ENOMEM, NULL, path);
        goto out;
    }
    if (set->n_tensors > 0u && sources == NULL) {
        set_error(err, "read tensor data", EINVAL, NULL, path);
        goto out;
    }
    if (st_write_plan(set, order, meta_order, &plan, diag) != ST_W_OK) {
        ret = ST_WFILE_REFUSED;
        goto out;
    }
    job.total = plan.file_len;
    if (write_atomically(&job, &plan, sources, err)) {
        ret = ST_WFILE_OK;
    }
out:
    free(job.buf);
    free(order);
    free(meta_order);
    return ret;
}

void st_fprint_write_error(FILE *out, const st_write_error *err)
{
    st_io_error io;
    io.op = err->op;
    io.errnum = err->errnum;
    io.detail = err->detail;
    (void)st_fprint_escaped(out, (const uint8_t *)err->path, strlen(err->path));
    (void)fprintf(out, ": %s: %s", err->op != NULL ? err->op : "?",
                  st_io_error_reason(&io));
    if (err->has_tensor) {
        (void)fprintf(out, " (tensor %" PRIu32 ")", err->tensor);
    }
    (void)fputc('\n', out);
}

void st_fprint_write_refusal(FILE *out, const char *path, const st_wset *set,
                             const st_wdiag *diag)
{
    const char *rule = st_write_error_rule(diag->code);
    (void)st_fprint_escaped(out, (const uint8_t *)path, strlen(path));
    (void)fprintf(out, ": %s%s%s: %s", rule, rule[0] != '\0' ? " " : "",
                  st_write_error_name(diag->code),
                  st_write_error_message(diag->code));
    if (diag->subject == ST_W_AT_TENSOR && diag->index < set->n_tensors) {
        const st_wtensor *t = &set->tensors[diag->index];
        (void)fputs(" (tensor \"", out);
        (void)st_fprint_escaped(out, t->name, t->name_len);
        (void)fputs("\")", out);
    } else if (diag->subject == ST_W_AT_META && diag->index < set->n_meta) {
        const st_wmeta *m = &set->meta[diag->index];
        (void)fputs(" (metadata key \"", out);
        (void)st_fprint_escaped(out, m->key, m->key_len);
        (void)fputs("\")", out);
    } else {
        /* the set as a whole, or an index outside it: no entry to name */
    }
    (void)fputc('\n', out);
}
