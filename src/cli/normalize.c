/*
 * normalize.c -- `tensorproof normalize [--strict|--compat] IN OUT`: read
 * IN (strict by default), write its tensors and metadata to OUT in the
 * canonical layout (ST-WRITE-1 .. ST-WRITE-7). Also the progress line
 * shared with `pack`.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli_write.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Files smaller than this finish too fast for a progress line to help. */
#define CLI_PROGRESS_MIN ((uint64_t)64 << 20)

void cli_progress_init(cli_progress *p, const char *verb)
{
    p->verb = verb;
    p->enabled = isatty(STDERR_FILENO) == 1;
    p->last_percent = 0u;
}

void cli_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    cli_progress *p = ctx;
    if (p->enabled && total >= CLI_PROGRESS_MIN) {
        unsigned percent = (unsigned)((done / (total / 100u)) > 100u
                                          ? 100u
                                          : done / (total / 100u));
        if (percent != p->last_percent || done == total) {
            p->last_percent = percent;
            (void)fprintf(stderr, "\r%s: %" PRIu64 " / %" PRIu64 " MiB (%u%%)",
                          p->verb, done >> 20, total >> 20, percent);
            if (done == total) {
                (void)fputc('\n', stderr);
            }
            (void)fflush(stderr);
        }
    }
}

static int usage(const char *msg)
{
    (void)fprintf(stderr, "%s: normalize: %s\n", cli_program, msg);
    (void)fprintf(stderr, "Usage: %s normalize [--strict|--compat] IN OUT\n",
                  cli_program);
    return CLI_EXIT_FAILURE;
}

/* The tensors and metadata of a parsed file as a writer set; data comes
 * straight from the loaded file (mapped or read), never copied whole. */
static bool set_from_file(const st_file *f, st_wset *set, st_wtensor **tensors,
                          st_wsource **sources, st_wmeta **meta)
{
    bool ok = true;
    uint32_t i;
    *tensors = NULL;
    *sources = NULL;
    *meta = NULL;
    if (f->n_tensors > 0u) {
        *tensors = calloc(f->n_tensors, sizeof **tensors);
        *sources = calloc(f->n_tensors, sizeof **sources);
        ok = *tensors != NULL && *sources != NULL;
    }
    if (ok && f->n_meta > 0u) {
        *meta = calloc(f->n_meta, sizeof **meta);
        ok = *meta != NULL;
    }
    for (i = 0u; ok && i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        st_wtensor *w = &(*tensors)[i];
        uint64_t size = 0u;
        w->name = t->name;
        w->name_len = t->name_len;
        w->dtype = t->dtype;
        w->rank = t->rank;
        w->dims = t->rank > 0u ? &f->st->dims[t->dims_at] : NULL;
        w->data_len = t->end - t->begin;
        (*sources)[i].data = st_tensor_data(f, t, &size);
    }
    for (i = 0u; ok && i < f->n_meta; i++) {
        const st_meta *m = st_meta_at(f, i);
        (*meta)[i].key = m->key;
        (*meta)[i].key_len = m->key_len;
        (*meta)[i].value = m->value;
        (*meta)[i].value_len = m->value_len;
    }
    set->tensors = *tensors;
    set->n_tensors = f->n_tensors;
    set->meta = *meta;
    set->n_meta = f->n_meta;
    set->has_metadata = f->has_metadata;
    return ok;
}

int cli_normalize(const cli_opts *opts)
{
    int ret = CLI_EXIT_FAILURE;
    st_loaded loaded;
    st_io_error ioerr;
    st_load_status s;
    st_wset set;
    st_wtensor *tensors = NULL;
    st_wsource *sources = NULL;
    st_wmeta *meta = NULL;
    st_wdiag diag;
    st_write_error werr;
    st_write_opts wopts;
    cli_progress progress;
    const char *in;
    const char *out;

    memset(&loaded, 0, sizeof loaded);
    if (opts->n_files != 2u) {
        ret = usage(opts->n_files < 2u ? "IN and OUT are required"
                                       : "too many arguments");
        goto done;
    }
    in = opts->files[0];
    out = opts->files[1];
    s = st_open_file(in, opts->mode, opts->open_flags, &loaded, &ioerr);
    if (s == ST_LOAD_IO) {
        st_fprint_io_error(stderr, in, &ioerr);
        ret = CLI_EXIT_FAILURE;
        goto done;
    }
    if (s == ST_LOAD_INVALID) {
        st_fprint_format_error(stderr, in, &loaded.diag);
        ret = CLI_EXIT_INVALID;
        goto done;
    }
    if (!set_from_file(&loaded.file, &set, &tensors, &sources, &meta)) {
        (void)fprintf(stderr, "%s: normalize: %s\n", cli_program,
                      strerror(ENOMEM));
        ret = CLI_EXIT_FAILURE;
        goto done;
    }
    memset(&wopts, 0, sizeof wopts);
    cli_progress_init(&progress, "normalize");
    wopts.progress = cli_progress_update;
    wopts.progress_ctx = &progress;
    switch (st_write_file(out, &set, sources, &wopts, &diag, &werr)) {
    case ST_WFILE_OK:
        ret = CLI_EXIT_OK;
        break;
    case ST_WFILE_REFUSED:
        /* A valid file the canonical layout cannot hold (its header would
         * outgrow the cap once rewritten). */
        st_fprint_write_refusal(stderr, in, &set, &diag);
        ret = CLI_EXIT_INVALID;
        break;
    case ST_WFILE_IO:
    default:
        st_fprint_write_error(stderr, &werr);
        ret = CLI_EXIT_FAILURE;
        break;
    }
done:
    free(tensors);
    free(sources);
    free(meta);
    st_close_file(&loaded);
    return ret;
}
