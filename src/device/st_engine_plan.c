/*
 * st_engine_plan.c -- the first half of a load (st_engine.h): open and
 * validate the files, select tensors and shards, lay out the allocation with
 * the core's planner; and the end of a load, st_load_close.
 */
#define _POSIX_C_SOURCE 200809L
#define _FILE_OFFSET_BITS 64

#include "st_engine_int.h"
#include "st_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A mark of a tensor selected without an entry of the request's list. */
#define MARK_ALL UINT32_MAX

double st_engine_now(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ((double)ts.tv_nsec * 1e-9);
}

st_dev_err st_load_fail(st_load *L, st_dev_err code, const char *fmt, ...)
{
    va_list ap;
    if (L->code == ST_DEV_OK) {
        L->code = code;
        va_start(ap, fmt);
        (void)vsnprintf(L->err, sizeof L->err, fmt, ap);
        va_end(ap);
    }
    return L->code;
}

void st_engine_name_text(char *buf, size_t len, const uint8_t *name, uint32_t name_len)
{
    FILE *m = NULL;
    if (len > 0u) {
        memset(buf, 0, len);
        m = fmemopen(buf, len, "w");
    }
    if (m != NULL) {
        (void)fputc('"', m);
        (void)st_fprint_escaped(m, name, name_len);
        (void)fputc('"', m);
        (void)fclose(m);
        buf[len - 1u] = '\0';
    } else if (len > 0u) {
        (void)snprintf(buf, len, "(a tensor name of %u bytes)", name_len);
    } else {
        /* nowhere to write */
    }
}

void st_engine_opts_init(st_engine_opts *o)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(o, 0, sizeof *o);
    o->chunk = ST_ENGINE_DEFAULT_CHUNK;
    o->buffers = ST_ENGINE_DEFAULT_BUFFERS;
    if (cpus < (long)ST_ENGINE_DEFAULT_THREADS_MIN) {
        o->threads = ST_ENGINE_DEFAULT_THREADS_MIN; /* also when sysconf fails (-1) */
    } else if (cpus > (long)ST_ENGINE_DEFAULT_THREADS_MAX) {
        o->threads = ST_ENGINE_DEFAULT_THREADS_MAX;
    } else {
        o->threads = (uint32_t)cpus;
    }
    o->align = ST_ENGINE_DEFAULT_ALIGN;
    o->mmap_source = false;
    o->register_staging = false;
    o->mode = ST_MODE_STRICT;
    o->open_flags = 0u;
}

const char *st_dev_err_name(st_dev_err e)
{
    static const char *const names[] = {
        "ST_DEV_OK",        "ST_DEV_E_USAGE",  "ST_DEV_E_FILE",     "ST_DEV_E_FORMAT",
        "ST_DEV_E_INDEX",   "ST_DEV_E_SELECT", "ST_DEV_E_MEMORY",   "ST_DEV_E_ALLOC",
        "ST_DEV_E_RESOURCE", "ST_DEV_E_COPY",  "ST_DEV_E_READ",     "ST_DEV_E_THREAD",
        "ST_DEV_E_VERIFY",  "ST_DEV_E_STATE",
    };
    const char *ret = "ST_DEV_E_?";
    if ((unsigned)e < (sizeof names / sizeof names[0])) {
        ret = names[e];
    }
    return ret;
}

bool st_name_match(const char *pattern, const uint8_t *name, size_t len)
{
    size_t plen = strlen(pattern);
    size_t p = 0u;
    size_t n = 0u;
    size_t star = SIZE_MAX; /* position of the last '*' seen */
    size_t mark = 0u;       /* name position that '*' was last tried at */
    bool ok = true;
    while (ok && (n < len)) {
        if ((p < plen) && ((pattern[p] == '?') || ((uint8_t)pattern[p] == name[n])) &&
            (pattern[p] != '*')) {
            p++;
            n++;
        } else if ((p < plen) && (pattern[p] == '*')) {
            star = p;
            p++;
            mark = n;
        } else if (star != SIZE_MAX) {
            /* let the last '*' take one more byte */
            p = star + 1u;
            mark++;
            n = mark;
        } else {
            ok = false;
        }
    }
    while (ok && (p < plen) && (pattern[p] == '*')) {
        p++;
    }
    return ok && (p == plen);
}

static bool mul_ok(uint64_t a, uint64_t b, uint64_t *r)
{
    bool ok = (a == 0u) || (b <= (UINT64_MAX / a));
    *r = ok ? (a * b) : 0u;
    return ok;
}

bool st_tp_shard(const st_file *f, const st_tensor *t, st_tp_split split, uint32_t rank,
                 uint32_t world, st_shard_kind *kind, uint64_t *start, uint64_t *stop)
{
    bool ok = true;
    uint64_t s = 0u;
    uint64_t e = 0u;
    *kind = ST_SHARD_NONE;
    *start = 0u;
    *stop = 0u;
    if ((t->rank == 0u) || (split == ST_TP_WHOLE) || (world < 2u)) {
        /* the whole tensor */
    } else if ((split == ST_TP_COLS) || (t->rank == 1u)) {
        st_plan_tp_range(st_dim(f, t, t->rank - 1u), rank, world, &s, &e);
        *kind = ST_SHARD_COLS;
        *start = s;
        *stop = e;
    } else {
        /* dim 0 of the tensor: in the 2-D view, blocks of `inner` rows */
        uint64_t inner = 1u;
        uint32_t d;
        for (d = 1u; ok && ((d + 1u) < t->rank); d++) {
            ok = mul_ok(inner, st_dim(f, t, d), &inner);
        }
        st_plan_tp_range(st_dim(f, t, 0u), rank, world, &s, &e);
        ok = ok && mul_ok(s, inner, start) && mul_ok(e, inner, stop);
        *kind = ST_SHARD_ROWS;
    }
    return ok;
}

static const char *split_name(st_shard_kind k)
{
    const char *ret = "whole";
    if (k == ST_SHARD_ROWS) {
        ret = "rows";
    } else if (k == ST_SHARD_COLS) {
        ret = "columns";
    } else {
        /* whole */
    }
    return ret;
}

/* Open one file: a descriptor for pread, and the core's view of it. */
static st_dev_err open_one(st_load *L, st_load_file *lf)
{
    st_io_error ioe;
    st_load_status ls;
    struct stat fs;
    struct stat ps;
    do {
        lf->fd = open(lf->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    } while ((lf->fd < 0) && (errno == EINTR));
    if (lf->fd < 0) {
        return st_load_fail(L, ST_DEV_E_FILE, "%s: open: %s", lf->path, strerror(errno));
    }
    ls = st_open_file(lf->path, L->opts.mode, L->opts.open_flags, &lf->loaded, &ioe);
    if (ls == ST_LOAD_IO) {
        return st_load_fail(L, ST_DEV_E_FILE, "%s: %s: %s", lf->path,
                            (ioe.op != NULL) ? ioe.op : "open", st_io_error_reason(&ioe));
    }
    if (ls == ST_LOAD_INVALID) {
        char nm[ST_ENGINE_NAME_TEXT];
        nm[0] = '\0';
        if (lf->loaded.diag.name != NULL) {
            st_engine_name_text(nm, sizeof nm, lf->loaded.diag.name, lf->loaded.diag.name_len);
        }
        return st_load_fail(L, ST_DEV_E_FORMAT, "%s: offset %llu: %s %s: %s%s%s", lf->path,
                            (unsigned long long)lf->loaded.diag.offset,
                            st_error_rule(lf->loaded.diag.code),
                            st_error_name(lf->loaded.diag.code),
                            st_error_message(lf->loaded.diag.code),
                            (nm[0] != '\0') ? " " : "", nm);
    }
    /* the descriptor and the parsed file must be the same file */
    if ((fstat(lf->fd, &fs) != 0) || (stat(lf->path, &ps) != 0) || (fs.st_dev != ps.st_dev) ||
        (fs.st_ino != ps.st_ino) || (fs.st_size < 0) ||
        ((uint64_t)fs.st_size != lf->loaded.len)) {
        return st_load_fail(L, ST_DEV_E_FILE, "%s: the file changed while it was being opened",
                            lf->path);
    }
    return ST_DEV_OK;
}

static st_dev_err check_opts(st_load *L, const st_engine_opts *o)
{
    st_dev_err rc = ST_DEV_OK;
    if ((o->chunk == 0u) || (o->chunk > ST_PLAN_CHUNK_MAX)) {
        rc = st_load_fail(L, ST_DEV_E_USAGE, "chunk size must be 1 .. %u bytes",
                          ST_PLAN_CHUNK_MAX);
    } else if ((o->buffers == 0u) || (o->buffers > ST_ENGINE_MAX_BUFFERS)) {
        rc = st_load_fail(L, ST_DEV_E_USAGE, "staging buffers must be 1 .. %u",
                          ST_ENGINE_MAX_BUFFERS);
    } else if ((o->threads == 0u) || (o->threads > ST_ENGINE_MAX_THREADS)) {
        rc = st_load_fail(L, ST_DEV_E_USAGE, "reader threads must be 1 .. %u",
                          ST_ENGINE_MAX_THREADS);
    } else if ((o->align == 0u) || (o->align > ST_PLAN_ALIGN_MAX) ||
               ((o->align & (o->align - 1u)) != 0u)) {
        rc = st_load_fail(L, ST_DEV_E_USAGE,
                          "alignment must be a power of two, at most %u bytes",
                          ST_PLAN_ALIGN_MAX);
    } else if ((o->mode != ST_MODE_STRICT) && (o->mode != ST_MODE_COMPAT)) {
        rc = st_load_fail(L, ST_DEV_E_USAGE, "unknown parsing mode");
    } else if (o->register_staging &&
               ((L->backend->host_register == NULL) || (L->backend->host_unregister == NULL))) {
        rc = st_load_fail(L, ST_DEV_E_USAGE, "%s: the backend cannot register host memory",
                          L->backend->name);
    } else {
        /* fine */
    }
    return rc;
}

/* Index of a tensor in its file's storage (for the mark arrays). */
static size_t tensor_slot(const st_file *f, const st_tensor *t)
{
    return (size_t)(t - f->st->tensors);
}

static bool name_is(const st_tensor *t, const char *name)
{
    size_t n = strlen(name);
    return ((size_t)t->name_len == n) && (memcmp(t->name, name, n) == 0);
}

/* Mark the tensors to load: files[f].marks[slot] = select index, MARK_ALL, or 0
   for "not loaded" (select indices are stored plus one). */
static st_dev_err select_tensors(st_load *L, const st_request *req, const st_index *ix)
{
    st_dev_err rc = ST_DEV_OK;
    uint32_t i;
    uint32_t f;
    char nm[ST_ENGINE_NAME_TEXT];
    if (ix != NULL) {
        /* the weight_map decides; every entry must be where it says */
        for (i = 0u; (rc == ST_DEV_OK) && (i < ix->n_entries); i++) {
            const st_index_entry *e = &ix->entries[i];
            const st_file *sf = &L->files[e->file].loaded.file;
            const st_tensor *t = st_find(sf, e->name, e->name_len);
            if (t == NULL) {
                st_engine_name_text(nm, sizeof nm, e->name, e->name_len);
                rc = st_load_fail(L, ST_DEV_E_SELECT,
                                  "%s: the index places tensor %s here, but the file has no "
                                  "tensor of that name",
                                  L->files[e->file].path, nm);
            } else {
                L->files[e->file].marks[tensor_slot(sf, t)] = MARK_ALL;
            }
        }
    } else if (req->n_select == 0u) {
        /* every tensor of every file, each name once across the files */
        for (f = 0u; f < L->n_files; f++) {
            const st_file *sf = &L->files[f].loaded.file;
            for (i = 0u; (rc == ST_DEV_OK) && (i < sf->n_tensors); i++) {
                const st_tensor *t = st_tensor_at(sf, i);
                uint32_t g;
                for (g = 0u; (rc == ST_DEV_OK) && (g < f); g++) {
                    if (st_find(&L->files[g].loaded.file, t->name, t->name_len) != NULL) {
                        st_engine_name_text(nm, sizeof nm, t->name, t->name_len);
                        rc = st_load_fail(L, ST_DEV_E_SELECT, "tensor %s is in both %s and %s",
                                          nm, L->files[g].path, L->files[f].path);
                    }
                }
                L->files[f].marks[tensor_slot(sf, t)] = MARK_ALL;
            }
        }
    } else {
        /* nothing yet: the named tensors are marked below */
    }
    if (req->n_select > 0u) {
        if (ix != NULL) {
            /* keep only the named tensors of the weight_map */
            for (f = 0u; f < L->n_files; f++) {
                const st_file *sf = &L->files[f].loaded.file;
                for (i = 0u; i < sf->n_entries; i++) {
                    uint32_t *mk = &L->files[f].marks[i];
                    *mk = (*mk == MARK_ALL) ? (MARK_ALL - 1u) : 0u;
                }
            }
        }
        for (i = 0u; (rc == ST_DEV_OK) && (i < req->n_select); i++) {
            const char *name = req->select[i].name;
            size_t nlen = strlen(name);
            uint32_t found = 0u;
            for (f = 0u; (rc == ST_DEV_OK) && (f < L->n_files); f++) {
                const st_file *sf = &L->files[f].loaded.file;
                const st_tensor *t = NULL;
                if (nlen <= UINT32_MAX) {
                    t = st_find(sf, (const uint8_t *)name, (uint32_t)nlen);
                }
                uint32_t *m = (t != NULL) ? &L->files[f].marks[tensor_slot(sf, t)] : NULL;
                if ((m != NULL) && (ix != NULL) && (*m == 0u)) {
                    m = NULL; /* in a shard file but not in the weight_map */
                }
                if (m != NULL) {
                    st_engine_name_text(nm, sizeof nm, (const uint8_t *)name, (uint32_t)nlen);
                    found++;
                    if (found > 1u) {
                        rc = st_load_fail(L, ST_DEV_E_SELECT, "tensor %s is in more than one file",
                                          nm);
                    } else if ((*m != 0u) && (*m != (MARK_ALL - 1u))) {
                        rc = st_load_fail(L, ST_DEV_E_SELECT, "tensor %s is asked for twice", nm);
                    } else {
                        *m = i + 1u;
                    }
                }
            }
            if ((rc == ST_DEV_OK) && (found == 0u)) {
                st_engine_name_text(nm, sizeof nm, (const uint8_t *)name,
                                    (nlen <= UINT32_MAX) ? (uint32_t)nlen : 0u);
                rc = st_load_fail(L, ST_DEV_E_SELECT, "no tensor named %s%s", nm,
                                  (ix != NULL) ? " in the index" : "");
            }
        }
        if (ix != NULL) {
            for (f = 0u; f < L->n_files; f++) {
                const st_file *sf = &L->files[f].loaded.file;
                for (i = 0u; i < sf->n_entries; i++) {
                    if (L->files[f].marks[i] == (MARK_ALL - 1u)) {
                        L->files[f].marks[i] = 0u;
                    }
                }
            }
        }
    }
    return rc;
}

/* The shard of one selected tensor: explicit, from the TP rules, or whole. */
static void choose_shard(const st_request *req, const st_file *sf, const st_tensor *t,
                         uint32_t mark, st_load_entry *e, st_shard_kind *kind, uint64_t *start,
                         uint64_t *stop, bool *ok)
{
    const st_select *s = ((mark != 0u) && (mark != MARK_ALL)) ? &req->select[mark - 1u] : NULL;
    *kind = ST_SHARD_NONE;
    *start = 0u;
    *stop = 0u;
    *ok = true;
    e->split = ST_TP_WHOLE;
    if ((s != NULL) && (s->shard != ST_SHARD_NONE)) {
        *kind = s->shard;
        *start = s->start;
        *stop = s->stop;
    } else if (req->tp_world >= 2u) {
        st_tp_split split = ST_TP_ROWS;
        uint32_t r;
        bool matched = false;
        for (r = 0u; !matched && (r < req->n_tp_rules); r++) {
            if (st_name_match(req->tp_rules[r].pattern, t->name, t->name_len)) {
                split = req->tp_rules[r].split;
                matched = true;
            }
        }
        *ok = st_tp_shard(sf, t, split, req->tp_rank, req->tp_world, kind, start, stop);
        e->split = (*kind == ST_SHARD_NONE) ? ST_TP_WHOLE : split;
    } else {
        /* the whole tensor */
    }
}

/* Items in file order, then data offset order: reads go forward in each file. */
static st_dev_err build_items(st_load *L, const st_request *req)
{
    st_dev_err rc = ST_DEV_OK;
    uint64_t n = 0u;
    uint32_t f;
    uint32_t i;
    uint32_t k = 0u;
    for (f = 0u; f < L->n_files; f++) {
        const st_file *sf = &L->files[f].loaded.file;
        for (i = 0u; i < sf->n_entries; i++) {
            n += (L->files[f].marks[i] != 0u) ? 1u : 0u;
        }
    }
    if (n > (uint64_t)(UINT32_MAX - 1u)) {
        return st_load_fail(L, ST_DEV_E_USAGE, "too many tensors (%llu)", (unsigned long long)n);
    }
    L->items = calloc((n > 0u) ? (size_t)n : 1u, sizeof *L->items);
    L->entries = calloc((n > 0u) ? (size_t)n : 1u, sizeof *L->entries);
    if ((L->items == NULL) || (L->entries == NULL)) {
        return st_load_fail(L, ST_DEV_E_MEMORY, "out of memory for %llu tensors",
                            (unsigned long long)n);
    }
    for (f = 0u; (rc == ST_DEV_OK) && (f < L->n_files); f++) {
        const st_file *sf = &L->files[f].loaded.file;
        for (i = 0u; (rc == ST_DEV_OK) && (i < sf->n_tensors); i++) {
            const st_tensor *t = st_tensor_at(sf, i);
            uint32_t mark = L->files[f].marks[tensor_slot(sf, t)];
            st_load_entry *e = &L->entries[k];
            st_shard_kind kind;
            uint64_t start;
            uint64_t stop;
            bool ok;
            if (mark == 0u) {
                continue;
            }
            e->name = t->name;
            e->name_len = t->name_len;
            e->file = f;
            e->tensor = t;
            choose_shard(req, sf, t, mark, e, &kind, &start, &stop, &ok);
            if (!ok || (st_plan_item_init(sf, t, kind, start, stop, &L->items[k]) != ST_OK)) {
                char nm[ST_ENGINE_NAME_TEXT];
                const char *dt = st_dtype_name((st_dtype)t->dtype);
                st_engine_name_text(nm, sizeof nm, t->name, t->name_len);
                rc = st_load_fail(L, ST_DEV_E_SELECT,
                                  "%s: tensor %s (%s): the planner refuses the selection %s "
                                  "[%llu, %llu) (ST-PLAN-1: outside the tensor, or not on a "
                                  "byte boundary)",
                                  L->files[f].path, nm, (dt != NULL) ? dt : "?",
                                  split_name(kind), (unsigned long long)start,
                                  (unsigned long long)stop);
            } else {
                k++;
            }
        }
    }
    L->n_items = k;
    if ((rc == ST_DEV_OK) &&
        (st_plan_layout(L->items, L->n_items, L->opts.align, &L->total) != ST_OK)) {
        rc = st_load_fail(L, ST_DEV_E_USAGE,
                          "the planner refuses the layout (ST-PLAN-2: sizes overflow)");
    }
    return rc;
}

/* Open and parse each file of the load, then give each file its marks (one
   per entry, zero; freed when planning ends). */
static st_dev_err open_files(st_load *L, const st_request *req, const st_index *ix)
{
    st_dev_err rc = ST_DEV_OK;
    uint32_t f;
    for (f = 0u; (rc == ST_DEV_OK) && (f < L->n_files); f++) {
        L->files[f].path = strdup((ix != NULL) ? ix->files[f] : req->paths[f]);
        if (L->files[f].path == NULL) {
            rc = st_load_fail(L, ST_DEV_E_MEMORY, "out of memory");
        } else {
            rc = open_one(L, &L->files[f]);
        }
    }
    for (f = 0u; (rc == ST_DEV_OK) && (f < L->n_files); f++) {
        uint32_t n = L->files[f].loaded.file.n_entries;
        L->files[f].marks = calloc((n > 0u) ? n : 1u, sizeof *L->files[f].marks);
        if (L->files[f].marks == NULL) {
            rc = st_load_fail(L, ST_DEV_E_MEMORY, "out of memory");
        }
    }
    return rc;
}

st_dev_err st_load_plan(st_load *L, st_backend *backend, const st_request *req,
                        const st_engine_opts *opts)
{
    st_dev_err rc = ST_DEV_OK;
    st_index ix;
    bool use_index = false;
    uint32_t f;
    double t0 = st_engine_now();
    memset(L, 0, sizeof *L);
    memset(&ix, 0, sizeof ix);
    L->backend = backend;
    L->opts = *opts;
    rc = check_opts(L, opts);
    if ((rc == ST_DEV_OK) && (req->n_paths == 0u)) {
        rc = st_load_fail(L, ST_DEV_E_USAGE, "no file to load");
    }
    if ((rc == ST_DEV_OK) && (req->tp_world >= 2u) && (req->tp_rank >= req->tp_world)) {
        rc = st_load_fail(L, ST_DEV_E_USAGE, "tensor-parallel rank %u is not below world size %u",
                          req->tp_rank, req->tp_world);
    }
    for (f = 0u; (rc == ST_DEV_OK) && (f < req->n_paths); f++) {
        if (st_index_is_index_path(req->paths[f])) {
            if (req->n_paths != 1u) {
                rc = st_load_fail(L, ST_DEV_E_USAGE,
                                  "%s: an index must be the only file named", req->paths[f]);
            } else {
                char msg[ST_LOAD_MSG_MAX];
                use_index = st_index_read(req->paths[f], &ix, msg, sizeof msg);
                if (!use_index) {
                    rc = st_load_fail(L, ST_DEV_E_INDEX, "%s", msg);
                }
            }
        }
    }
    if (rc == ST_DEV_OK) {
        L->n_files = use_index ? ix.n_files : req->n_paths;
        L->files = calloc((L->n_files > 0u) ? L->n_files : 1u, sizeof *L->files);
        if (L->files == NULL) {
            L->n_files = 0u;
            rc = st_load_fail(L, ST_DEV_E_MEMORY, "out of memory");
        }
        for (f = 0u; f < L->n_files; f++) {
            L->files[f].fd = -1; /* st_load_close closes only what was opened */
        }
    }
    if (rc == ST_DEV_OK) {
        rc = open_files(L, req, use_index ? &ix : NULL);
    }
    if (rc == ST_DEV_OK) {
        rc = select_tensors(L, req, use_index ? &ix : NULL);
    }
    if (rc == ST_DEV_OK) {
        rc = build_items(L, req);
    }
    for (f = 0u; f < L->n_files; f++) {
        free(L->files[f].marks);
        L->files[f].marks = NULL;
    }
    st_index_free(&ix);
    L->stats.open_s = st_engine_now() - t0;
    return rc;
}

int64_t st_load_find(const st_load *L, const char *name)
{
    int64_t ret = -1;
    uint32_t i;
    for (i = 0u; (ret < 0) && (i < L->n_items); i++) {
        if (name_is(L->entries[i].tensor, name)) {
            ret = (int64_t)i;
        }
    }
    return ret;
}

void st_load_close(st_load *L)
{
    uint32_t f;
    if ((L->device != NULL) && (L->backend != NULL)) {
        (void)L->backend->bind(L->backend);
        (void)L->backend->dev_free(L->backend, L->device);
    }
    L->device = NULL;
    if (L->files != NULL) {
        for (f = 0u; f < L->n_files; f++) {
            if (L->files[f].fd >= 0) {
                (void)close(L->files[f].fd);
            }
            st_close_file(&L->files[f].loaded);
            free(L->files[f].path);
        }
    }
    free(L->files);
    free(L->items);
    free(L->entries);
    L->files = NULL;
    L->items = NULL;
    L->entries = NULL;
    L->n_files = 0u;
    L->n_items = 0u;
}
