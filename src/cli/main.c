/*
 * main.c -- the tensorproof command: a table of subcommands, the shared
 * option parser, help and version.
 */
#define _POSIX_C_SOURCE 200809L

#include "cli.h"
#include "cli_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *cli_program = "tensorproof";

static int cli_help_command(const cli_opts *opts);

/* New subcommands go here; --help lists them in this order. */
static const cli_command cli_commands[] = {
    {"validate", "[--strict|--compat] [--json] FILE...",
     "Check each FILE against the safetensors format. Prints one line per\n"
     "file: \"FILE: OK (N tensors, MODE)\", or the first error found as\n"
     "\"FILE: offset N: RULE CODE: MESSAGE [(tensor \"NAME\")]\".\n"
     "With --json, prints one JSON object per file and line instead:\n"
     "  valid:   {\"file\", \"valid\": true, \"mode\", \"header_len\", \"data_len\",\n"
     "            \"metadata\": {KEY: VALUE...} or null,\n"
     "            \"tensors\": [{\"name\", \"dtype\", \"shape\", \"data_offsets\"}...]}\n"
     "           (tensors in data offset order, metadata in key byte order)\n"
     "  invalid: {\"file\", \"valid\": false, \"mode\", \"error\", \"rule\",\n"
     "            \"reference_error\" (null for strict-only refusals),\n"
     "            \"offset\", \"tensor\", \"metadata_key\" (the name concerned,\n"
     "            or null), \"message\"}\n"
     "  I/O:     {\"file\", \"valid\": false, \"error\": \"io\", \"message\"}",
     CLI_OPT_MODE | CLI_OPT_JSON, cli_validate},
    {"inspect", "[--strict|--compat] FILE",
     "Validate FILE, then show its tensors as a table (name, dtype, shape,\n"
     "bytes, data offset), its metadata, and totals: tensors, parameters,\n"
     "bytes per dtype, header and data sizes.",
     CLI_OPT_MODE, cli_inspect},
    {"normalize", "[--strict|--compat] IN OUT",
     "Read IN (checked in the given mode) and write its tensors and metadata\n"
     "to OUT in the canonical layout: the reference writer's order, offsets\n"
     "and JSON, metadata keys sorted. OUT is replaced atomically; on any\n"
     "error it is left as it was. IN and OUT may be the same file.",
     CLI_OPT_MODE, cli_normalize},
    {"pack", "MANIFEST OUT",
     "Build OUT from raw binary files named in the JSON file MANIFEST:\n"
     "  {\"tensors\": [{\"name\": \"w\", \"dtype\": \"F32\", \"shape\": [2, 3],\n"
     "                \"file\": \"w.bin\", \"offset\": 0}...],\n"
     "   \"metadata\": {KEY: VALUE...}}\n"
     "Each tensor takes shape x dtype bytes from its file at offset (default\n"
     "0), as they are; relative paths start at MANIFEST's directory.\n"
     "\"metadata\" is optional. OUT is written canonically and atomically.",
     0u, cli_pack},
    {"load",
     "[--device host|cuda[:N]|hip[:N]] [--verify]\n"
     "       [--chunk BYTES] [--buffers N] [--threads N] [--align N]\n"
     "       [--mmap-source] [--register-staging]\n"
     "       [--tensor NAME]... [--shard NAME:rows|cols:START:STOP]...\n"
     "       [--tp-rank R --tp-world W [--tp-rows|--tp-cols|--tp-whole PATTERN]...]\n"
     "       [--repeat N] [--strict|--compat] [--json] FILE...|INDEX.json",
     "Load the tensors of FILE... (or of the sharded checkpoint INDEX.json,\n"
     "model.safetensors.index.json) into one device allocation, and report\n"
     "bytes, time and GB/s (10^9 bytes/s). The CUDA and HIP runtimes are\n"
     "loaded at run time (TENSORPROOF_CUDART, TENSORPROOF_HIPRT: library path).\n"
     "  --device D       host (ordinary memory, the default), cuda:N, hip:N\n"
     "  --verify         copy everything back and compare it with the files\n"
     "  --chunk BYTES    staging buffer size (K, M, G suffixes; default 16M)\n"
     "  --buffers N      staging buffers, reads overlap copies (default 3)\n"
     "  --threads N      reader threads (default: online CPUs, 2 to 16)\n"
     "  --align N        alignment of each tensor in the allocation (default 256)\n"
     "  --mmap-source    copy from the file mapping instead of pread\n"
     "  --register-staging  pin malloc'd staging buffers instead of allocating\n"
     "                   pinned memory\n"
     "  --tensor NAME    load only the named tensors (repeatable)\n"
     "  --shard NAME:rows|cols:START:STOP  load a row or column range of NAME in\n"
     "                   its 2-D view (rows = all dims but the last; the rows\n"
     "                   of a 1-D tensor are its elements)\n"
     "  --tp-rank R --tp-world W  tensor parallelism: split each tensor along\n"
     "                   dim 0, or as the first matching pattern says ('*', '?')\n"
     "  --repeat N       load N times and report each\n"
     "Exit status: 0 loaded (and verified); 1 a file is not valid or the copy\n"
     "differs; 2 usage error, I/O or device error.",
     CLI_OPT_MODE | CLI_OPT_JSON | CLI_OPT_ARGS, cli_load},
    {"help", "[COMMAND]", "Show this help, or the help of one command.", 0u,
     cli_help_command},
};

#define CLI_N_COMMANDS (sizeof cli_commands / sizeof cli_commands[0])

static const char cli_help_tail[] =
    "Modes:\n"
    "  --strict   the specification text; every ambiguity is refused (default)\n"
    "  --compat   accept exactly what the reference safetensors 0.8.0 accepts\n"
    "\n"
    "Other options:\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "  --             end of options (for file names that begin with '-')\n"
    "\n"
    "Exit status:\n"
    "  0  every file is valid\n"
    "  1  at least one file is not valid\n"
    "  2  usage error, or a file could not be read; takes precedence over 1\n"
    "\n"
    "Environment:\n"
    "  TENSORPROOF_NO_MMAP=1  read files with pread instead of mapping them,\n"
    "                         for filesystems where mmap is unsafe\n";

const char *cli_mode_name(st_mode mode)
{
    return mode == ST_MODE_COMPAT ? "compat" : "strict";
}

void cli_print_command_usage(FILE *out, const cli_command *cmd)
{
    (void)fprintf(out, "Usage: %s %s %s\n", cli_program, cmd->name,
                  cmd->synopsis);
}

static void print_command_help(FILE *out, const cli_command *cmd)
{
    cli_print_command_usage(out, cmd);
    (void)fprintf(out, "\n%s\n\n%s", cmd->summary, cli_help_tail);
}

void cli_print_help(FILE *out)
{
    size_t i;
    (void)fprintf(out,
                  "Usage: %s COMMAND [OPTIONS] [FILE...]\n"
                  "\n"
                  "Check and inspect safetensors model-weight files.\n"
                  "\n"
                  "Commands:\n",
                  cli_program);
    for (i = 0u; i < CLI_N_COMMANDS; i++) {
        const char *p = cli_commands[i].summary;
        (void)fprintf(out, "  %s %s\n      ", cli_commands[i].name,
                      cli_commands[i].synopsis);
        /* Indent every line of the summary under its command. */
        for (; *p != '\0'; p++) {
            (void)fputc(*p, out);
            if (*p == '\n') {
                (void)fputs("      ", out);
            }
        }
        (void)fputs("\n", out);
    }
    (void)fprintf(out, "\n%s", cli_help_tail);
}

static void print_version(FILE *out)
{
    (void)fprintf(out,
                  "%s %s\n"
                  "safetensors format checker; --compat follows safetensors 0.8.0\n",
                  cli_program, ST_VERSION_STRING);
}

static const cli_command *find_command(const char *name)
{
    const cli_command *ret = NULL;
    size_t i;
    for (i = 0u; i < CLI_N_COMMANDS && ret == NULL; i++) {
        if (strcmp(cli_commands[i].name, name) == 0) {
            ret = &cli_commands[i];
        }
    }
    return ret;
}

/* "tensorproof: MESSAGE['ARG']", then how to get help; returns 2. */
static int usage_error(const cli_command *cmd, const char *msg, const char *arg)
{
    (void)fprintf(stderr, "%s: %s", cli_program, msg);
    if (arg != NULL) {
        (void)fputs(" '", stderr);
        (void)st_fprint_escaped(stderr, (const uint8_t *)arg, strlen(arg));
        (void)fputc('\'', stderr);
    }
    (void)fputc('\n', stderr);
    if (cmd != NULL) {
        cli_print_command_usage(stderr, cmd);
        (void)fprintf(stderr, "Try '%s %s --help'.\n", cli_program, cmd->name);
    } else {
        (void)fprintf(stderr, "Try '%s --help'.\n", cli_program);
    }
    return CLI_EXIT_FAILURE;
}

static int cli_help_command(const cli_opts *opts)
{
    int ret = CLI_EXIT_OK;
    if (opts->n_files == 0u) {
        cli_print_help(stdout);
    } else if (opts->n_files > 1u) {
        ret = usage_error(find_command("help"), "help: too many arguments", NULL);
    } else {
        const cli_command *cmd = find_command(opts->files[0]);
        if (cmd == NULL) {
            ret = usage_error(NULL, "help: unknown command", opts->files[0]);
        } else {
            print_command_help(stdout, cmd);
        }
    }
    return ret;
}

static unsigned open_flags_from_env(void)
{
    const char *v = getenv("TENSORPROOF_NO_MMAP");
    unsigned flags = 0u;
    if (v != NULL && v[0] != '\0' && strcmp(v, "0") != 0) {
        flags |= ST_OPEN_NO_MMAP;
    }
    return flags;
}

/*
 * Options may come before or after operands; "--" ends them. Returns -1
 * when the options are fine, else an exit status (help shown: 0, usage
 * error: 2).
 */
static int parse_options(const cli_command *cmd, int argc, char **argv,
                         cli_opts *o)
{
    int ret = -1;
    bool seen_strict = false;
    bool seen_compat = false;
    bool end_of_options = false;
    int i;

    if ((size_t)argc >= SIZE_MAX / sizeof *o->files) {
        o->files = NULL;
    } else {
        o->files = malloc(((size_t)argc + 1u) * sizeof *o->files);
    }
    if (o->files == NULL) {
        (void)fprintf(stderr, "%s: %s\n", cli_program, strerror(ENOMEM));
        ret = CLI_EXIT_FAILURE;
        goto out;
    }
    for (i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (end_of_options || a[0] != '-' || a[1] == '\0') {
            o->files[o->n_files++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            end_of_options = true;
            if ((cmd->options & CLI_OPT_ARGS) != 0u) {
                o->files[o->n_files++] = argv[i];
            }
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_command_help(stdout, cmd);
            ret = CLI_EXIT_OK;
            goto out;
        } else if ((cmd->options & CLI_OPT_MODE) != 0u
                   && strcmp(a, "--strict") == 0) {
            seen_strict = true;
            o->mode = ST_MODE_STRICT;
        } else if ((cmd->options & CLI_OPT_MODE) != 0u
                   && strcmp(a, "--compat") == 0) {
            seen_compat = true;
            o->mode = ST_MODE_COMPAT;
        } else if ((cmd->options & CLI_OPT_JSON) != 0u
                   && strcmp(a, "--json") == 0) {
            o->json = true;
        } else if ((cmd->options & CLI_OPT_ARGS) != 0u) {
            /* the command parses the rest itself, in order */
            o->files[o->n_files++] = argv[i];
        } else {
            ret = usage_error(cmd, "unknown option", a);
            goto out;
        }
    }
    if (seen_strict && seen_compat) {
        ret = usage_error(cmd, "--strict and --compat exclude each other", NULL);
    }
out:
    return ret;
}

int main(int argc, char **argv)
{
    int ret;
    const cli_command *cmd;
    cli_opts opts;

    memset(&opts, 0, sizeof opts);
    opts.mode = ST_MODE_STRICT;
    if (argc < 2) {
        (void)fprintf(stderr, "%s: no command given\n\n", cli_program);
        cli_print_help(stderr);
        ret = CLI_EXIT_FAILURE;
        goto out;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        cli_print_help(stdout);
        ret = CLI_EXIT_OK;
        goto out;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        print_version(stdout);
        ret = CLI_EXIT_OK;
        goto out;
    }
    cmd = find_command(argv[1]);
    if (cmd == NULL) {
        (void)fprintf(stderr, "%s: unknown command '", cli_program);
        (void)st_fprint_escaped(stderr, (const uint8_t *)argv[1],
                                strlen(argv[1]));
        (void)fputs("'\n\n", stderr);
        cli_print_help(stderr);
        ret = CLI_EXIT_FAILURE;
        goto out;
    }
    opts.cmd = cmd;
    opts.open_flags = open_flags_from_env();
    ret = parse_options(cmd, argc - 2, argv + 2, &opts);
    if (ret < 0) {
        ret = cmd->run(&opts);
    }
out:
    free(opts.files);
    /* A result that did not reach stdout is a failure, not a pass. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        (void)fprintf(stderr, "%s: cannot write output\n", cli_program);
        ret = CLI_EXIT_FAILURE;
    }
    return ret;
}
