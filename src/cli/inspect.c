/*
 * inspect.c -- `tensorproof inspect`: a readable listing of a valid file:
 * tensors as an aligned table, metadata, and totals.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <inttypes.h>
#include <string.h>

/* Cells wider than this do not widen their column: such a cell is printed
 * whole and the rest of its row continues on the next line. */
#define NAME_COL_MAX 56u
#define SHAPE_COL_MAX 28u
#define META_KEY_COL_MAX 32u
#define COL_GAP 2u
#define INDENT 2u

typedef struct dtype_totals {
    uint64_t tensors;
    uint64_t params;
    uint64_t bytes;
} dtype_totals;

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static size_t digits_u64(uint64_t v)
{
    size_t n = 1u;
    while (v >= 10u) {
        v /= 10u;
        n++;
    }
    return n;
}

static void pad(FILE *out, size_t n)
{
    size_t i;
    for (i = 0u; i < n; i++) {
        (void)fputc(' ', out);
    }
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* Widen a capped column for a cell of width w: cells wider than the cap
 * overflow instead (see next_column), so one long cell does not push the
 * whole table to the right. */
static size_t fit_width(size_t col, size_t w, size_t cap)
{
    return (w <= cap && w > col) ? w : col;
}

/* "[d0, d1, ...]"; with out == NULL only the width is computed. */
static size_t print_shape(FILE *out, const st_file *f, const st_tensor *t)
{
    size_t w = 2u;
    uint32_t d;
    if (out != NULL) {
        (void)fputc('[', out);
    }
    for (d = 0u; d < t->rank; d++) {
        uint64_t v = st_dim(f, t, d);
        w += digits_u64(v) + (d != 0u ? 2u : 0u);
        if (out != NULL) {
            (void)fprintf(out, "%s%" PRIu64, d != 0u ? ", " : "", v);
        }
    }
    if (out != NULL) {
        (void)fputc(']', out);
    }
    return w;
}

static const char *dtype_name(const st_tensor *t)
{
    const char *n = st_dtype_name((st_dtype)t->dtype);
    return n != NULL ? n : "?";
}

/* After a left-aligned cell of `used` characters in a column `width` wide
 * that starts at `col_start`: move to where the next column starts. */
static void next_column(FILE *out, size_t used, size_t width, size_t col_start)
{
    if (used > width) {
        (void)fputc('\n', out);
        pad(out, col_start + width + COL_GAP);
    } else {
        pad(out, width - used + COL_GAP);
    }
}

/* 1536 -> "1.50 KiB". */
static void print_human_bytes(FILE *out, uint64_t v)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double x = (double)v;
    size_t u = 0u;
    if (v < 1024u) {
        (void)fprintf(out, "%" PRIu64 " B", v);
    } else {
        x /= 1024.0;
        while (x >= 1024.0 && u + 1u < sizeof units / sizeof units[0]) {
            x /= 1024.0;
            u++;
        }
        (void)fprintf(out, "%.2f %s", x, units[u]);
    }
}

/* 7241732096 -> "7.24 B" (thousand-based, as model sizes are quoted). */
static void print_human_count(FILE *out, uint64_t v)
{
    static const char *const units[] = {"K", "M", "B", "T", "P", "E"};
    double x = (double)v;
    size_t u = 0u;
    if (v < 1000u) {
        (void)fprintf(out, "%" PRIu64, v);
    } else {
        x /= 1000.0;
        while (x >= 1000.0 && u + 1u < sizeof units / sizeof units[0]) {
            x /= 1000.0;
            u++;
        }
        (void)fprintf(out, "%.2f %s", x, units[u]);
    }
}

static void print_tensor_table(FILE *out, const st_file *f)
{
    size_t w_name = 4u;  /* "NAME" */
    size_t w_dtype = 5u; /* "DTYPE" */
    size_t w_shape = 5u; /* "SHAPE" */
    size_t w_bytes = 5u; /* "BYTES" */
    size_t w_off = 6u;   /* "OFFSET" */
    size_t c_shape;
    uint32_t i;

    for (i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        w_name = fit_width(w_name, st_fprint_escaped(NULL, t->name, t->name_len),
                           NAME_COL_MAX);
        w_dtype = max_size(w_dtype, strlen(dtype_name(t)));
        w_shape = fit_width(w_shape, print_shape(NULL, f, t), SHAPE_COL_MAX);
        w_bytes = max_size(w_bytes, digits_u64(t->end - t->begin));
        w_off = max_size(w_off, digits_u64(t->begin));
    }
    c_shape = INDENT + w_name + COL_GAP + w_dtype + COL_GAP;

    pad(out, INDENT);
    (void)fprintf(out, "%-*s  %-*s  %-*s  %*s  %*s\n", (int)w_name, "NAME",
                  (int)w_dtype, "DTYPE", (int)w_shape, "SHAPE", (int)w_bytes,
                  "BYTES", (int)w_off, "OFFSET");
    for (i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        size_t used;
        pad(out, INDENT);
        used = st_fprint_escaped(out, t->name, t->name_len);
        next_column(out, used, w_name, INDENT);
        (void)fprintf(out, "%-*s  ", (int)w_dtype, dtype_name(t));
        used = print_shape(out, f, t);
        next_column(out, used, w_shape, c_shape);
        (void)fprintf(out, "%*" PRIu64 "  %*" PRIu64 "\n", (int)w_bytes,
                      t->end - t->begin, (int)w_off, t->begin);
    }
}

static void print_metadata(FILE *out, const st_file *f)
{
    size_t w_key = 0u;
    uint32_t i;

    if (!f->has_metadata) {
        (void)fputs("Metadata: none\n", out);
        return;
    }
    if (f->n_meta == 0u) {
        (void)fputs("Metadata: present, empty\n", out);
        return;
    }
    (void)fprintf(out, "Metadata (%" PRIu32 " key%s, in key byte order):\n",
                  f->n_meta, f->n_meta == 1u ? "" : "s");
    for (i = 0u; i < f->n_meta; i++) {
        const st_meta *m = st_meta_at(f, i);
        w_key = fit_width(w_key, st_fprint_escaped(NULL, m->key, m->key_len),
                          META_KEY_COL_MAX);
    }
    for (i = 0u; i < f->n_meta; i++) {
        const st_meta *m = st_meta_at(f, i);
        size_t used;
        pad(out, INDENT);
        used = st_fprint_escaped(out, m->key, m->key_len);
        next_column(out, used, w_key, INDENT);
        (void)st_fprint_escaped(out, m->value, m->value_len);
        (void)fputc('\n', out);
    }
}

static void print_totals(FILE *out, const st_file *f)
{
    dtype_totals by[ST_DTYPE_COUNT];
    uint64_t params = 0u;
    size_t w_t = 7u, w_p = 10u, w_b = 5u; /* TENSORS PARAMETERS BYTES */
    uint32_t i;

    memset(by, 0, sizeof by);
    for (i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        uint64_t n = st_tensor_nelem(f, t);
        if (t->dtype < (uint8_t)ST_DTYPE_COUNT) {
            dtype_totals *d = &by[t->dtype];
            d->tensors++;
            d->params = sat_add(d->params, n);
            d->bytes = sat_add(d->bytes, t->end - t->begin);
        }
        params = sat_add(params, n);
    }
    (void)fputs("Totals:\n", out);
    (void)fprintf(out, "  tensors     %" PRIu32 "\n", f->n_tensors);
    (void)fprintf(out, "  parameters  %" PRIu64, params);
    if (params >= 1000u) {
        (void)fputs(" (", out);
        print_human_count(out, params);
        (void)fputc(')', out);
    }
    (void)fprintf(out, "\n  file        %" PRIu64 " bytes (", f->len);
    print_human_bytes(out, f->len);
    (void)fprintf(out, ")\n  header      %" PRIu64
                       " bytes, after the %u-byte length prefix\n",
                  f->header_len, (unsigned)ST_PREFIX_LEN);
    (void)fprintf(out, "  data        %" PRIu64 " bytes (", f->data_len);
    print_human_bytes(out, f->data_len);
    (void)fputs(")\n", out);
    if (f->n_tensors == 0u) {
        return;
    }
    for (i = 0u; i < (uint32_t)ST_DTYPE_COUNT; i++) {
        w_t = max_size(w_t, digits_u64(by[i].tensors));
        w_p = max_size(w_p, digits_u64(by[i].params));
        w_b = max_size(w_b, digits_u64(by[i].bytes));
    }
    (void)fprintf(out, "  by dtype:\n    %-11s  %*s  %*s  %*s\n", "DTYPE",
                  (int)w_t, "TENSORS", (int)w_p, "PARAMETERS", (int)w_b,
                  "BYTES");
    /* Declaration order (ST-DTYPE-1), only the dtypes present. */
    for (i = 0u; i < (uint32_t)ST_DTYPE_COUNT; i++) {
        if (by[i].tensors != 0u) {
            (void)fprintf(out, "    %-11s  %*" PRIu64 "  %*" PRIu64 "  %*" PRIu64
                               "\n",
                          st_dtype_name((st_dtype)i), (int)w_t, by[i].tensors,
                          (int)w_p, by[i].params, (int)w_b, by[i].bytes);
        }
    }
}

int cli_inspect(const cli_opts *opts)
{
    int ret = CLI_EXIT_OK;
    const char *path;
    st_loaded loaded;
    st_io_error err;
    st_load_status s;

    if (opts->n_files != 1u) {
        (void)fprintf(stderr, "%s: inspect: %s\n", cli_program,
                      opts->n_files == 0u ? "no FILE given"
                                          : "exactly one FILE expected");
        cli_print_command_usage(stderr, opts->cmd);
        return CLI_EXIT_FAILURE;
    }
    path = opts->files[0];
    s = st_open_file(path, opts->mode, opts->open_flags, &loaded, &err);
    if (s == ST_LOAD_IO) {
        st_fprint_io_error(stderr, path, &err);
        ret = CLI_EXIT_FAILURE;
    } else if (s == ST_LOAD_INVALID) {
        st_fprint_format_error(stderr, path, &loaded.diag);
        ret = CLI_EXIT_INVALID;
    } else {
        const st_file *f = &loaded.file;
        (void)fputs("File: ", stdout);
        (void)st_fprint_escaped(stdout, (const uint8_t *)path, strlen(path));
        (void)fprintf(stdout, "\nValid: yes (%s mode)\n\n",
                      cli_mode_name(f->mode));
        if (f->n_tensors == 0u) {
            (void)fputs("Tensors: none\n", stdout);
        } else {
            (void)fprintf(stdout,
                          "Tensors (%" PRIu32 ", in data order; OFFSET is "
                          "relative to the data section at byte %" PRIu64 "):\n",
                          f->n_tensors, f->header_len + ST_PREFIX_LEN);
            print_tensor_table(stdout, f);
        }
        (void)fputc('\n', stdout);
        print_metadata(stdout, f);
        (void)fputc('\n', stdout);
        print_totals(stdout, f);
    }
    st_close_file(&loaded);
    return ret;
}
