/*
 * load.c -- `tensorproof load`: load tensors into device memory through the
 * copy engine (src/device/st_engine.h), optionally verify them by copying
 * back, and report bytes, time and bandwidth.
 *
 * The command parses its own options: main.c hands every argument it does
 * not handle itself (help, mode, --json) through in order (CLI_OPT_ARGS).
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"
#include "st_backend.h"
#include "st_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct load_args {
    const char *device;
    bool verify;
    bool json;
    uint32_t repeat;
    st_engine_opts eo;
    st_request req;
    st_select *select;
    st_tp_rule *rules;
    const char **paths;
    uint32_t n_paths;
} load_args;

/* Decimal with an optional binary suffix K, M or G (KiB, MiB, GiB). */
static bool parse_size(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0u;
    uint64_t mul = 1u;
    const char *p = s;
    bool ok = (*p >= '0') && (*p <= '9');
    for (; ok && (*p >= '0') && (*p <= '9'); p++) {
        uint64_t d = (uint64_t)(*p - '0');
        ok = v <= ((UINT64_MAX - d) / 10u);
        v = (v * 10u) + d;
    }
    if (ok && (*p != '\0')) {
        if ((*p == 'K') || (*p == 'k')) {
            mul = (uint64_t)1 << 10;
        } else if ((*p == 'M') || (*p == 'm')) {
            mul = (uint64_t)1 << 20;
        } else if ((*p == 'G') || (*p == 'g')) {
            mul = (uint64_t)1 << 30;
        } else {
            ok = false;
        }
        p++;
        ok = ok && (*p == '\0');
    }
    ok = ok && (v <= (max / mul));
    *out = v * mul;
    return ok;
}

static int usage(const cli_opts *opts, const char *msg, const char *arg)
{
    (void)fprintf(stderr, "%s: load: %s", cli_program, msg);
    if (arg != NULL) {
        (void)fputs(" '", stderr);
        (void)st_fprint_escaped(stderr, (const uint8_t *)arg, strlen(arg));
        (void)fputc('\'', stderr);
    }
    (void)fputc('\n', stderr);
    cli_print_command_usage(stderr, opts->cmd);
    (void)fprintf(stderr, "Try '%s load --help'.\n", cli_program);
    return CLI_EXIT_FAILURE;
}

/* "NAME:rows:A:B" or "NAME:cols:A:B" (NAME may itself contain ':'). */
static bool parse_shard(char *s, st_select *sel)
{
    char *c3 = strrchr(s, ':');
    char *c2 = NULL;
    char *c1 = NULL;
    bool ok = (c3 != NULL);
    if (ok) {
        *c3 = '\0';
        c2 = strrchr(s, ':');
        ok = (c2 != NULL);
    }
    if (ok) {
        *c2 = '\0';
        c1 = strrchr(s, ':');
        ok = (c1 != NULL) && (c1 != s);
    }
    if (ok) {
        *c1 = '\0';
        sel->name = s;
        if (strcmp(c1 + 1, "rows") == 0) {
            sel->shard = ST_SHARD_ROWS;
        } else if (strcmp(c1 + 1, "cols") == 0) {
            sel->shard = ST_SHARD_COLS;
        } else {
            ok = false;
        }
        ok = ok && parse_size(c2 + 1, UINT64_MAX, &sel->start) &&
             parse_size(c3 + 1, UINT64_MAX, &sel->stop);
    }
    return ok;
}

/* One option with its value: "--opt VALUE" or "--opt=VALUE". */
static const char *option_value(const cli_opts *opts, size_t *i, const char *a, const char *name)
{
    size_t n = strlen(name);
    const char *v = NULL;
    if (strncmp(a, name, n) == 0) {
        if (a[n] == '=') {
            v = a + n + 1u;
        } else if ((a[n] == '\0') && ((*i + 1u) < opts->n_files)) {
            *i += 1u;
            v = opts->files[*i];
        } else {
            /* not this option, or its value is missing */
        }
    }
    return v;
}

static bool is_option(const char *a, const char *name)
{
    size_t n = strlen(name);
    return (strncmp(a, name, n) == 0) && ((a[n] == '\0') || (a[n] == '='));
}

/* Returns -1 when fine, else an exit status. */
static int parse_args(const cli_opts *opts, load_args *la, char **owned)
{
    size_t i;
    bool operands_only = false;
    uint64_t v = 0u;
    bool have_rank = false;
    bool have_world = false;
    la->device = "host";
    la->json = opts->json;
    la->repeat = 1u;
    st_engine_opts_init(&la->eo);
    la->eo.mode = opts->mode;
    la->eo.open_flags = opts->open_flags;
    for (i = 0u; i < opts->n_files; i++) {
        const char *a = opts->files[i];
        const char *val = NULL;
        if (operands_only || (a[0] != '-') || (a[1] == '\0')) {
            la->paths[la->n_paths++] = a;
        } else if (strcmp(a, "--") == 0) {
            operands_only = true;
        } else if (strcmp(a, "--verify") == 0) {
            la->verify = true;
        } else if (strcmp(a, "--mmap-source") == 0) {
            la->eo.mmap_source = true;
        } else if (strcmp(a, "--register-staging") == 0) {
            la->eo.register_staging = true;
        } else if (is_option(a, "--device")) {
            if ((val = option_value(opts, &i, a, "--device")) == NULL) {
                return usage(opts, "missing value for", a);
            }
            la->device = val;
        } else if (is_option(a, "--chunk")) {
            val = option_value(opts, &i, a, "--chunk");
            if ((val == NULL) || !parse_size(val, ST_PLAN_CHUNK_MAX, &v) || (v == 0u)) {
                return usage(opts, "--chunk needs a size from 1 to 1G, got", val);
            }
            la->eo.chunk = v;
        } else if (is_option(a, "--buffers")) {
            val = option_value(opts, &i, a, "--buffers");
            if ((val == NULL) || !parse_size(val, ST_ENGINE_MAX_BUFFERS, &v) || (v == 0u)) {
                return usage(opts, "--buffers needs a count from 1 to 64, got", val);
            }
            la->eo.buffers = (uint32_t)v;
        } else if (is_option(a, "--threads")) {
            val = option_value(opts, &i, a, "--threads");
            if ((val == NULL) || !parse_size(val, ST_ENGINE_MAX_THREADS, &v) || (v == 0u)) {
                return usage(opts, "--threads needs a count from 1 to 64, got", val);
            }
            la->eo.threads = (uint32_t)v;
        } else if (is_option(a, "--align")) {
            val = option_value(opts, &i, a, "--align");
            if ((val == NULL) || !parse_size(val, ST_PLAN_ALIGN_MAX, &v) || (v == 0u) ||
                ((v & (v - 1u)) != 0u)) {
                return usage(opts, "--align needs a power of two up to 1M, got", val);
            }
            la->eo.align = v;
        } else if (is_option(a, "--repeat")) {
            val = option_value(opts, &i, a, "--repeat");
            if ((val == NULL) || !parse_size(val, 1000u, &v) || (v == 0u)) {
                return usage(opts, "--repeat needs a count from 1 to 1000, got", val);
            }
            la->repeat = (uint32_t)v;
        } else if (is_option(a, "--tensor")) {
            if ((val = option_value(opts, &i, a, "--tensor")) == NULL) {
                return usage(opts, "missing value for", a);
            }
            memset(&la->select[la->req.n_select], 0, sizeof la->select[0]);
            la->select[la->req.n_select].name = val;
            la->select[la->req.n_select].shard = ST_SHARD_NONE;
            la->req.n_select++;
        } else if (is_option(a, "--shard")) {
            char *copy;
            if ((val = option_value(opts, &i, a, "--shard")) == NULL) {
                return usage(opts, "missing value for", a);
            }
            copy = strdup(val);
            if (copy == NULL) {
                (void)fprintf(stderr, "%s: load: %s\n", cli_program, strerror(ENOMEM));
                return CLI_EXIT_FAILURE;
            }
            owned[la->req.n_select] = copy;
            memset(&la->select[la->req.n_select], 0, sizeof la->select[0]);
            if (!parse_shard(copy, &la->select[la->req.n_select])) {
                return usage(opts,
                             "--shard needs NAME:rows:START:STOP or NAME:cols:START:STOP, got",
                             val);
            }
            la->req.n_select++;
        } else if (is_option(a, "--tp-rank")) {
            val = option_value(opts, &i, a, "--tp-rank");
            if ((val == NULL) || !parse_size(val, UINT32_MAX, &v)) {
                return usage(opts, "--tp-rank needs a number, got", val);
            }
            la->req.tp_rank = (uint32_t)v;
            have_rank = true;
        } else if (is_option(a, "--tp-world")) {
            val = option_value(opts, &i, a, "--tp-world");
            if ((val == NULL) || !parse_size(val, UINT32_MAX, &v) || (v == 0u)) {
                return usage(opts, "--tp-world needs a number >= 1, got", val);
            }
            la->req.tp_world = (uint32_t)v;
            have_world = true;
        } else if (is_option(a, "--tp-rows") || is_option(a, "--tp-cols") ||
                   is_option(a, "--tp-whole")) {
            st_tp_split split = ST_TP_WHOLE;
            const char *name = "--tp-whole";
            if (is_option(a, "--tp-rows")) {
                split = ST_TP_ROWS;
                name = "--tp-rows";
            } else if (is_option(a, "--tp-cols")) {
                split = ST_TP_COLS;
                name = "--tp-cols";
            } else {
                /* --tp-whole */
            }
            if ((val = option_value(opts, &i, a, name)) == NULL) {
                return usage(opts, "missing pattern for", a);
            }
            la->rules[la->req.n_tp_rules].pattern = val;
            la->rules[la->req.n_tp_rules].split = split;
            la->req.n_tp_rules++;
        } else {
            return usage(opts, "unknown option", a);
        }
    }
    if (la->n_paths == 0u) {
        return usage(opts, "no file given", NULL);
    }
    if (have_rank != have_world) {
        return usage(opts, "--tp-rank and --tp-world go together", NULL);
    }
    if (have_world && (la->req.tp_rank >= la->req.tp_world)) {
        return usage(opts, "--tp-rank must be below --tp-world", NULL);
    }
    if ((la->req.n_tp_rules > 0u) && !have_world) {
        return usage(opts, "--tp-rows/--tp-cols/--tp-whole need --tp-rank and --tp-world", NULL);
    }
    la->req.paths = la->paths;
    la->req.n_paths = la->n_paths;
    la->req.select = (la->req.n_select > 0u) ? la->select : NULL;
    la->req.tp_rules = la->rules;
    return -1;
}

static double now(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ((double)ts.tv_nsec * 1e-9);
}

/* Bandwidth in GB/s (10^9 bytes per second). */
static double gbps(uint64_t bytes, double s)
{
    return (s > 0.0) ? ((double)bytes / s / 1e9) : 0.0;
}

static int exit_for(st_dev_err e)
{
    return ((e == ST_DEV_E_FORMAT) || (e == ST_DEV_E_VERIFY)) ? CLI_EXIT_INVALID
                                                              : CLI_EXIT_FAILURE;
}

static void report(const load_args *la, const st_load *L, st_backend *b, uint32_t round,
                   double total_s, const char *verify, uint64_t compared)
{
    const st_load_stats *s = &L->stats;
    if (la->json) {
        (void)fputs("{\"device\": ", stdout);
        json_cstring(stdout, la->device);
        (void)printf(", \"backend\": \"%s\", \"round\": %u, \"files\": %u, \"tensors\": %u, "
                     "\"bytes\": %llu, \"allocation\": %llu, \"chunk\": %llu, \"staging\": %llu, "
                     "\"buffers\": %u, \"threads\": %u, \"source\": \"%s\", "
                     "\"register_staging\": %s, \"chunks\": %llu, \"copies\": %llu, "
                     "\"open_s\": %.6f, \"alloc_s\": %.6f, \"copy_s\": %.6f, "
                     "\"release_s\": %.6f, \"total_s\": %.6f, \"copy_gbps\": %.3f, "
                     "\"total_gbps\": %.3f, \"verify\": ",
                     b->name, round, L->n_files, L->n_items, (unsigned long long)s->bytes,
                     (unsigned long long)L->total, (unsigned long long)la->eo.chunk,
                     (unsigned long long)s->staging, s->buffers, s->threads,
                     la->eo.mmap_source ? "mmap" : "pread",
                     la->eo.register_staging ? "true" : "false", (unsigned long long)s->chunks,
                     (unsigned long long)s->batches, s->open_s, s->alloc_s, s->copy_s,
                     s->release_s, total_s, gbps(s->bytes, s->copy_s), gbps(s->bytes, total_s));
        if (verify == NULL) {
            (void)fputs("null", stdout);
        } else {
            json_cstring(stdout, verify);
        }
        (void)printf(", \"compared\": %llu}\n", (unsigned long long)compared);
    } else {
        (void)printf("load %s (%s): %u tensor%s from %u file%s, %llu bytes (allocation %llu)\n",
                     la->device, b->name, L->n_items, (L->n_items == 1u) ? "" : "s", L->n_files,
                     (L->n_files == 1u) ? "" : "s", (unsigned long long)s->bytes,
                     (unsigned long long)L->total);
        (void)printf("  open %.4f s, allocate %.4f s, copy %.4f s (%.2f GB/s), total %.4f s "
                     "(%.2f GB/s)\n",
                     s->open_s, s->alloc_s, s->copy_s, gbps(s->bytes, s->copy_s), total_s,
                     gbps(s->bytes, total_s));
        (void)printf("  %llu chunk%s in %llu cop%s; staging %llu bytes x %u, %u reader%s, %s "
                     "source%s\n",
                     (unsigned long long)s->chunks, (s->chunks == 1u) ? "" : "s",
                     (unsigned long long)s->batches, (s->batches == 1u) ? "y" : "ies",
                     (unsigned long long)s->staging, s->buffers, s->threads,
                     (s->threads == 1u) ? "" : "s", la->eo.mmap_source ? "mmap" : "pread",
                     la->eo.register_staging ? ", registered staging" : "");
        if (verify != NULL) {
            (void)printf("  verify: %s (%llu bytes compared)\n", verify,
                         (unsigned long long)compared);
        }
    }
}

static int load_once(const load_args *la, st_backend *b, uint32_t round)
{
    st_load L;
    st_dev_err rc;
    uint64_t compared = 0u;
    double t0 = now();
    double total_s = 0.0;
    rc = st_load_plan(&L, b, &la->req, &la->eo);
    if (rc == ST_DEV_OK) {
        rc = st_load_run(&L);
    }
    total_s = now() - t0;
    if ((rc == ST_DEV_OK) && la->verify) {
        rc = st_load_verify(&L, &compared);
    }
    if (rc == ST_DEV_OK) {
        report(la, &L, b, round, total_s, la->verify ? "OK" : NULL, compared);
    } else {
        (void)fprintf(stderr, "%s: load: %s\n", cli_program, L.err);
    }
    st_load_close(&L);
    return (rc == ST_DEV_OK) ? CLI_EXIT_OK : exit_for(rc);
}

int cli_load(const cli_opts *opts)
{
    load_args la;
    int ret;
    char **owned = NULL;
    size_t n = opts->n_files + 1u;
    size_t i;
    st_backend *b = NULL;
    char err[ST_BACKEND_MSG_MAX];
    memset(&la, 0, sizeof la);
    la.paths = calloc(n, sizeof *la.paths);
    la.select = calloc(n, sizeof *la.select);
    la.rules = calloc(n, sizeof *la.rules);
    owned = calloc(n, sizeof *owned);
    if ((la.paths == NULL) || (la.select == NULL) || (la.rules == NULL) || (owned == NULL)) {
        (void)fprintf(stderr, "%s: load: %s\n", cli_program, strerror(ENOMEM));
        ret = CLI_EXIT_FAILURE;
    } else {
        ret = parse_args(opts, &la, owned);
    }
    if (ret < 0) {
        b = st_backend_open(la.device, err, sizeof err);
        if (b == NULL) {
            (void)fprintf(stderr, "%s: load: %s\n", cli_program, err);
            ret = CLI_EXIT_FAILURE;
        }
    }
    if (ret < 0) {
        uint32_t r;
        ret = CLI_EXIT_OK;
        for (r = 1u; (ret == CLI_EXIT_OK) && (r <= la.repeat); r++) {
            ret = load_once(&la, b, r);
        }
    }
    st_backend_close(b);
    if (owned != NULL) {
        for (i = 0u; i < n; i++) {
            free(owned[i]);
        }
    }
    free(owned);
    free(la.paths);
    free(la.select);
    free(la.rules);
    return ret;
}
