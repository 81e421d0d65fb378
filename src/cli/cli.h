/*
 * cli.h -- declarations shared by the tensorproof command-line tool.
 */
#ifndef TENSORPROOF_CLI_H
#define TENSORPROOF_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "st_posix.h"

/* Exit statuses (documented in the --help text). */
enum {
    CLI_EXIT_OK = 0,      /* every file valid */
    CLI_EXIT_INVALID = 1, /* at least one file not valid */
    CLI_EXIT_FAILURE = 2  /* usage error, or a file could not be read */
};

struct cli_command;

/* Options shared by the subcommands. */
typedef struct cli_opts {
    const struct cli_command *cmd; /* the subcommand being run */
    st_mode mode;
    bool json;
    unsigned open_flags;  /* ST_OPEN_* from the environment */
    char **files;         /* operands in order (malloc'd array) */
    size_t n_files;
} cli_opts;

/* Which options a subcommand takes. */
#define CLI_OPT_MODE 1u
#define CLI_OPT_JSON 2u
/* Every other argument, "--" included, is passed in order in `files`: the
 * command parses its own options. */
#define CLI_OPT_ARGS 4u

/* One subcommand. */
typedef struct cli_command {
    const char *name;
    const char *synopsis;  /* arguments after the name */
    const char *summary;   /* one paragraph for --help */
    unsigned options;      /* CLI_OPT_* */
    int (*run)(const cli_opts *opts);
} cli_command;

/* main.c */
extern const char *cli_program;
void cli_print_help(FILE *out);
void cli_print_command_usage(FILE *out, const cli_command *cmd);
const char *cli_mode_name(st_mode mode);

/* validate.c, inspect.c */
int cli_validate(const cli_opts *opts);
int cli_inspect(const cli_opts *opts);

/* load.c */
int cli_load(const cli_opts *opts);

/* json_out.c: JSON text for decoded UTF-8 and plain values. Bytes that are
 * not valid UTF-8 (possible only in file paths) become U+FFFD. */
void json_string(FILE *out, const uint8_t *s, size_t n);
void json_cstring(FILE *out, const char *s);

#endif /* TENSORPROOF_CLI_H */
