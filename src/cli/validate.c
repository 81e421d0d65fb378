/*
 * validate.c -- `tensorproof validate`: one verdict per file, as a line of
 * text or as a JSON object.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"

#include <inttypes.h>
#include <string.h>

static void json_file_field(FILE *out, const char *path)
{
    (void)fputs("{\"file\":", out);
    json_cstring(out, path);
}

static void json_valid(FILE *out, const char *path, const st_file *f)
{
    uint32_t i;
    uint32_t d;

    json_file_field(out, path);
    (void)fprintf(out,
                  ",\"valid\":true,\"mode\":\"%s\",\"header_len\":%" PRIu64
                  ",\"data_len\":%" PRIu64 ",\"metadata\":",
                  cli_mode_name(f->mode), f->header_len, f->data_len);
    if (!f->has_metadata) {
        (void)fputs("null", out);
    } else {
        (void)fputc('{', out);
        for (i = 0u; i < f->n_meta; i++) {
            const st_meta *m = st_meta_at(f, i);
            if (i != 0u) {
                (void)fputc(',', out);
            }
            json_string(out, m->key, m->key_len);
            (void)fputc(':', out);
            json_string(out, m->value, m->value_len);
        }
        (void)fputc('}', out);
    }
    (void)fputs(",\"tensors\":[", out);
    for (i = 0u; i < f->n_tensors; i++) {
        const st_tensor *t = st_tensor_at(f, i);
        if (i != 0u) {
            (void)fputc(',', out);
        }
        (void)fputs("{\"name\":", out);
        json_string(out, t->name, t->name_len);
        (void)fputs(",\"dtype\":", out);
        json_cstring(out, st_dtype_name((st_dtype)t->dtype));
        (void)fputs(",\"shape\":[", out);
        for (d = 0u; d < t->rank; d++) {
            (void)fprintf(out, "%s%" PRIu64, d != 0u ? "," : "",
                          st_dim(f, t, d));
        }
        (void)fprintf(out, "],\"data_offsets\":[%" PRIu64 ",%" PRIu64 "]}",
                      t->begin, t->end);
    }
    (void)fputs("]}\n", out);
}

static void json_name_or_null(FILE *out, const uint8_t *name, uint32_t len)
{
    if (name != NULL) {
        json_string(out, name, len);
    } else {
        (void)fputs("null", out);
    }
}

static void json_invalid(FILE *out, const char *path, st_mode mode,
                         const st_diag *diag)
{
    bool is_key;

    json_file_field(out, path);
    (void)fprintf(out, ",\"valid\":false,\"mode\":\"%s\",\"error\":",
                  cli_mode_name(mode));
    json_cstring(out, st_error_name(diag->code));
    (void)fputs(",\"rule\":", out);
    json_cstring(out, st_error_rule(diag->code));
    (void)fputs(",\"reference_error\":", out);
    json_cstring(out, st_error_reference_kind(diag->code));
    (void)fprintf(out, ",\"offset\":%" PRIu64, diag->offset);
    /* The name goes under "tensor" or "metadata_key"; the other is null. */
    is_key = strcmp(st_diag_name_kind(diag->code), "tensor") != 0;
    (void)fputs(",\"tensor\":", out);
    json_name_or_null(out, is_key ? NULL : diag->name, diag->name_len);
    (void)fputs(",\"metadata_key\":", out);
    json_name_or_null(out, is_key ? diag->name : NULL, diag->name_len);
    (void)fputs(",\"message\":", out);
    json_cstring(out, st_error_message(diag->code));
    (void)fputs("}\n", out);
}

static void json_io(FILE *out, const char *path, const st_io_error *err)
{
    char msg[512];
    (void)snprintf(msg, sizeof msg, "%s: %s",
                   err->op != NULL ? err->op : "?", st_io_error_reason(err));
    json_file_field(out, path);
    (void)fputs(",\"valid\":false,\"error\":\"io\",\"message\":", out);
    json_cstring(out, msg);
    (void)fputs("}\n", out);
}

static void text_valid(FILE *out, const char *path, const st_file *f)
{
    (void)st_fprint_escaped(out, (const uint8_t *)path, strlen(path));
    (void)fprintf(out, ": OK (%" PRIu32 " tensor%s, %s)\n", f->n_tensors,
                  f->n_tensors == 1u ? "" : "s", cli_mode_name(f->mode));
}

int cli_validate(const cli_opts *opts)
{
    bool any_invalid = false;
    bool any_io = false;
    int ret;
    size_t i;

    if (opts->n_files == 0u) {
        (void)fprintf(stderr, "%s: validate: no FILE given\n", cli_program);
        cli_print_command_usage(stderr, opts->cmd);
        ret = CLI_EXIT_FAILURE;
        goto out;
    }
    for (i = 0u; i < opts->n_files; i++) {
        const char *path = opts->files[i];
        st_loaded loaded;
        st_io_error err;
        st_load_status s = st_open_file(path, opts->mode, opts->open_flags,
                                        &loaded, &err);
        switch (s) {
        case ST_LOAD_OK:
            if (opts->json) {
                json_valid(stdout, path, &loaded.file);
            } else {
                text_valid(stdout, path, &loaded.file);
            }
            break;
        case ST_LOAD_INVALID:
            any_invalid = true;
            if (opts->json) {
                json_invalid(stdout, path, opts->mode, &loaded.diag);
            } else {
                st_fprint_format_error(stdout, path, &loaded.diag);
            }
            break;
        case ST_LOAD_IO:
        default:
            any_io = true;
            if (opts->json) {
                json_io(stdout, path, &err);
            } else {
                /* Keep the order of lines when stdout and stderr share a
                 * terminal or a file. */
                (void)fflush(stdout);
                st_fprint_io_error(stderr, path, &err);
            }
            break;
        }
        st_close_file(&loaded);
    }
    ret = any_io ? CLI_EXIT_FAILURE
                 : (any_invalid ? CLI_EXIT_INVALID : CLI_EXIT_OK);
out:
    return ret;
}
