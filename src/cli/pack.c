/*
 * pack.c -- `tensorproof pack MANIFEST OUT`: build a canonical safetensors
 * file (ST-WRITE-1 .. ST-WRITE-7) from raw binary files named by a JSON
 * manifest (format in manifest.c). Relative source paths are taken from
 * the manifest's directory. Tensor bytes are copied as they are (no byte
 * order conversion), streamed in chunks: memory use does not grow with
 * their size.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_write.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Manifests are small; a larger one is surely a mistake. */
#define MANIFEST_MAX ((size_t)1 << 30)

/* Where tensor bytes come from while the file is written. */
typedef struct pack_state {
    const manifest *m;
    char **paths;        /* resolved source path per tensor */
    int fd;              /* the open source, or -1 */
    uint32_t fd_of;      /* tensor whose path `fd` has open */
} pack_state;

typedef struct pack_source {
    pack_state *state;
    uint32_t idx;
} pack_source;

static int usage(const char *msg)
{
    (void)fprintf(stderr, "%s: pack: %s\n", cli_program, msg);
    (void)fprintf(stderr, "Usage: %s pack MANIFEST OUT\n", cli_program);
    return CLI_EXIT_FAILURE;
}

static void print_path(const char *path)
{
    (void)st_fprint_escaped(stderr, (const uint8_t *)path, strlen(path));
}

/* "MANIFEST: offset N: " */
static void manifest_prefix(const char *path, uint64_t at)
{
    print_path(path);
    (void)fprintf(stderr, ": offset %" PRIu64 ": ", at);
}

static void print_name(const uint8_t *s, uint32_t n)
{
    (void)fputc('"', stderr);
    (void)st_fprint_escaped(stderr, s, n);
    (void)fputc('"', stderr);
}

/* The whole manifest into memory. */
static bool read_manifest(const char *path, uint8_t **text, size_t *len)
{
    bool ok = false;
    size_t cap = 0u;
    size_t n = 0u;
    uint8_t *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        print_path(path);
        (void)fprintf(stderr, ": open: %s\n", strerror(errno));
        goto out;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            size_t ncap = cap == 0u ? 4096u : cap * 2u;
            uint8_t *nb = ncap > MANIFEST_MAX ? NULL : realloc(buf, ncap);
            if (nb == NULL) {
                print_path(path);
                (void)fprintf(stderr, ": read: %s\n",
                              ncap > MANIFEST_MAX ? "manifest larger than 1 GiB"
                                                  : strerror(ENOMEM));
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + n, 1u, cap - n, f);
        n += got;
        if (got == 0u) {
            break;
        }
    }
    if (ferror(f)) {
        print_path(path);
        (void)fprintf(stderr, ": read: %s\n", strerror(errno != 0 ? errno : EIO));
        goto out;
    }
    ok = true;
out:
    if (f != NULL) {
        (void)fclose(f);
    }
    if (!ok) {
        free(buf);
        buf = NULL;
        n = 0u;
    }
    *text = buf;
    *len = n;
    return ok;
}

/* Source path: absolute as given, else relative to the manifest's
 * directory. */
static char *resolve(const char *manifest_path, const char *file)
{
    const char *slash = strrchr(manifest_path, '/');
    size_t dir = (file[0] == '/' || slash == NULL)
                     ? 0u
                     : (size_t)(slash - manifest_path) + 1u;
    size_t flen = strlen(file);
    char *p = malloc(dir + flen + 1u);
    if (p != NULL) {
        memcpy(p, manifest_path, dir);
        memcpy(p + dir, file, flen + 1u);
    }
    return p;
}

/* shape x dtype in bytes, or 0 when it does not compute (the writer then
 * refuses with the precise reason: overflow or misalignment). */
static uint64_t tensor_bytes(const manifest_tensor *t)
{
    uint64_t nelem = 1u;
    uint64_t bits = st_dtype_bits(t->dtype);
    bool ok = true;
    uint32_t d;
    for (d = 0u; ok && d < t->rank; d++) {
        if (t->dims[d] != 0u && nelem > UINT64_MAX / t->dims[d]) {
            ok = false;
        } else {
            nelem *= t->dims[d];
        }
    }
    if (ok && nelem != 0u && bits > UINT64_MAX / nelem) {
        ok = false;
    }
    return (ok && (nelem * bits) % 8u == 0u) ? nelem * bits / 8u : 0u;
}

static int open_source(const char *path)
{
    int fd;
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

/*
 * Every source must be a regular file holding offset + size bytes: checked
 * before anything is written, so a missing file is named at once.
 * Returns an exit status (0 fine).
 */
static int check_sources(const char *mpath, const manifest *m, const st_wset *set,
                         char **paths)
{
    int ret = CLI_EXIT_OK;
    uint32_t i;
    for (i = 0u; i < m->n_tensors && ret == CLI_EXIT_OK; i++) {
        const manifest_tensor *t = &m->tensors[i];
        uint64_t need = set->tensors[i].data_len;
        struct stat sb;
        int fd = open_source(paths[i]);
        if (fd < 0 || fstat(fd, &sb) != 0) {
            print_path(paths[i]);
            (void)fprintf(stderr, ": open: %s (tensor ", strerror(errno));
            print_name(t->name, t->name_len);
            (void)fputs(")\n", stderr);
            ret = CLI_EXIT_FAILURE;
        } else if (!S_ISREG(sb.st_mode)) {
            print_path(paths[i]);
            (void)fputs(": open: not a regular file (tensor ", stderr);
            print_name(t->name, t->name_len);
            (void)fputs(")\n", stderr);
            ret = CLI_EXIT_FAILURE;
        } else if (t->offset > UINT64_MAX - need
                   || (uint64_t)sb.st_size < t->offset + need) {
            manifest_prefix(mpath, t->at);
            (void)fputs("tensor ", stderr);
            print_name(t->name, t->name_len);
            (void)fprintf(stderr, " needs bytes %" PRIu64 "..%" PRIu64 " of '",
                          t->offset, t->offset + need);
            print_path(paths[i]);
            (void)fprintf(stderr, "', which has %" PRIu64 "\n",
                          (uint64_t)sb.st_size);
            ret = CLI_EXIT_INVALID;
        }
        if (fd >= 0) {
            (void)close(fd);
        }
    }
    return ret;
}

/* st_wsource.read: pread from the tensor's source file, opening it the
 * first time (tensors come in file order; one descriptor is kept). */
static int read_source(void *ctx, uint64_t offset, uint8_t *buf, size_t len,
                       const char **detail)
{
    pack_source *src = ctx;
    pack_state *st = src->state;
    const manifest_tensor *t = &st->m->tensors[src->idx];
    int rc = 0;
    size_t done = 0u;

    if (st->fd < 0 || strcmp(st->paths[st->fd_of], st->paths[src->idx]) != 0) {
        if (st->fd >= 0) {
            (void)close(st->fd);
        }
        st->fd = open_source(st->paths[src->idx]);
        st->fd_of = src->idx;
        if (st->fd < 0) {
            rc = errno;
        } else {
#ifdef POSIX_FADV_SEQUENTIAL
            (void)posix_fadvise(st->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
        }
    }
    while (rc == 0 && done < len) {
        ssize_t got = pread(st->fd, buf + done, len - done,
                            (off_t)(t->offset + offset + done));
        if (got < 0) {
            if (errno != EINTR) {
                rc = errno;
            }
        } else if (got == 0) {
            *detail = "source file shrank while being read";
            rc = EIO;
        } else {
            done += (size_t)got;
        }
    }
    return rc;
}

/* A refusal of the writer, located in the manifest. */
static void print_refusal(const char *mpath, const manifest *m,
                          const st_wdiag *diag)
{
    const char *rule = st_write_error_rule(diag->code);
    uint64_t at = 0u;
    if (diag->subject == ST_W_AT_TENSOR) {
        at = m->tensors[diag->index].at;
    } else if (diag->subject == ST_W_AT_META) {
        at = m->meta[diag->index].at;
    }
    manifest_prefix(mpath, at);
    (void)fprintf(stderr, "%s%s%s: %s", rule, rule[0] != '\0' ? " " : "",
                  st_write_error_name(diag->code),
                  st_write_error_message(diag->code));
    if (diag->subject == ST_W_AT_TENSOR) {
        (void)fputs(" (tensor ", stderr);
        print_name(m->tensors[diag->index].name,
                   m->tensors[diag->index].name_len);
        (void)fputc(')', stderr);
    } else if (diag->subject == ST_W_AT_META) {
        (void)fputs(" (metadata key ", stderr);
        print_name(m->meta[diag->index].key, m->meta[diag->index].key_len);
        (void)fputc(')', stderr);
    }
    (void)fputc('\n', stderr);
}

int cli_pack(const cli_opts *opts)
{
    int ret = CLI_EXIT_FAILURE;
    uint8_t *text = NULL;
    size_t text_len = 0u;
    manifest m;
    manifest_error merr;
    st_wset set;
    st_wtensor *wt = NULL;
    st_wmeta *wm = NULL;
    st_wsource *sources = NULL;
    pack_source *psrc = NULL;
    char **paths = NULL;
    uint32_t *order = NULL;
    uint32_t *meta_order = NULL;
    pack_state state;
    st_wplan plan;
    st_wdiag diag;
    st_write_error werr;
    st_write_opts wopts;
    cli_progress progress;
    const char *mpath;
    const char *out;
    uint32_t i;

    memset(&m, 0, sizeof m);
    memset(&state, 0, sizeof state);
    state.fd = -1;
    if (opts->n_files != 2u) {
        ret = usage(opts->n_files < 2u ? "MANIFEST and OUT are required"
                                       : "too many arguments");
        goto done;
    }
    mpath = opts->files[0];
    out = opts->files[1];
    if (!read_manifest(mpath, &text, &text_len)) {
        ret = CLI_EXIT_FAILURE;
        goto done;
    }
    if (!manifest_parse(text, text_len, &m, &merr)) {
        manifest_prefix(mpath, merr.offset);
        (void)fprintf(stderr, "%s\n", merr.message);
        ret = CLI_EXIT_INVALID;
        goto done;
    }
    if (m.n_tensors > 0u) {
        wt = calloc(m.n_tensors, sizeof *wt);
        sources = calloc(m.n_tensors, sizeof *sources);
        psrc = calloc(m.n_tensors, sizeof *psrc);
        paths = calloc(m.n_tensors, sizeof *paths);
        order = calloc(m.n_tensors, sizeof *order);
    }
    if (m.n_meta > 0u) {
        wm = calloc(m.n_meta, sizeof *wm);
        meta_order = calloc(m.n_meta, sizeof *meta_order);
    }
    if ((m.n_tensors > 0u && (wt == NULL || sources == NULL || psrc == NULL
                              || paths == NULL || order == NULL))
        || (m.n_meta > 0u && (wm == NULL || meta_order == NULL))) {
        (void)fprintf(stderr, "%s: pack: %s\n", cli_program, strerror(ENOMEM));
        goto done;
    }
    state.m = &m;
    state.paths = paths;
    for (i = 0u; i < m.n_tensors; i++) {
        const manifest_tensor *t = &m.tensors[i];
        wt[i].name = t->name;
        wt[i].name_len = t->name_len;
        wt[i].dtype = (uint8_t)t->dtype;
        wt[i].rank = t->rank;
        wt[i].dims = t->dims;
        wt[i].data_len = tensor_bytes(t);
        psrc[i].state = &state;
        psrc[i].idx = i;
        sources[i].read = read_source;
        sources[i].ctx = &psrc[i];
        paths[i] = resolve(mpath, t->file);
        if (paths[i] == NULL) {
            (void)fprintf(stderr, "%s: pack: %s\n", cli_program,
                          strerror(ENOMEM));
            goto done;
        }
    }
    for (i = 0u; i < m.n_meta; i++) {
        wm[i].key = m.meta[i].key;
        wm[i].key_len = m.meta[i].key_len;
        wm[i].value = m.meta[i].value;
        wm[i].value_len = m.meta[i].value_len;
    }
    set.tensors = wt;
    set.n_tensors = m.n_tensors;
    set.meta = wm;
    set.n_meta = m.n_meta;
    set.has_metadata = m.has_metadata;
    /* Refusals first, located in the manifest; then the sources. */
    if (st_write_plan(&set, order, meta_order, &plan, &diag) != ST_W_OK) {
        print_refusal(mpath, &m, &diag);
        ret = CLI_EXIT_INVALID;
        goto done;
    }
    ret = check_sources(mpath, &m, &set, paths);
    if (ret != CLI_EXIT_OK) {
        goto done;
    }
    memset(&wopts, 0, sizeof wopts);
    cli_progress_init(&progress, "pack");
    wopts.progress = cli_progress_update;
    wopts.progress_ctx = &progress;
    switch (st_write_file(out, &set, sources, &wopts, &diag, &werr)) {
    case ST_WFILE_OK:
        ret = CLI_EXIT_OK;
        break;
    case ST_WFILE_REFUSED:
        print_refusal(mpath, &m, &diag);
        ret = CLI_EXIT_INVALID;
        break;
    case ST_WFILE_IO:
    default:
        if (werr.has_tensor && werr.tensor < m.n_tensors) {
            /* The source failed: name it, not the output. */
            st_io_error io;
            io.op = "read";
            io.errnum = werr.errnum;
            io.detail = werr.detail;
            print_path(paths[werr.tensor]);
            (void)fprintf(stderr, ": read: %s (tensor ", st_io_error_reason(&io));
            print_name(m.tensors[werr.tensor].name,
                       m.tensors[werr.tensor].name_len);
            (void)fprintf(stderr, "); nothing written to '");
            print_path(out);
            (void)fputs("'\n", stderr);
        } else {
            st_fprint_write_error(stderr, &werr);
        }
        ret = CLI_EXIT_FAILURE;
        break;
    }
done:
    if (state.fd >= 0) {
        (void)close(state.fd);
    }
    if (paths != NULL) {
        for (i = 0u; i < m.n_tensors; i++) {
            free(paths[i]);
        }
    }
    free(paths);
    free(order);
    free(meta_order);
    free(psrc);
    free(sources);
    free(wt);
    free(wm);
    manifest_free(&m);
    free(text);
    return ret;
}
