/*
 * cli.c: argument parsing and usage errors shared by eddy's commands (see cli.h).
 *
 * Hand-written instead of getopt_long because options may follow FILE (`eddy parse q.sql -D
 * A=1`) and "-" is an argument, and because each error must name the command whose help to
 * read; the whole grammar of eddy's command line is the loop in eddy_cli_args_read().
 */
#include "cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

int eddy_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("eddy: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (cmd)
        fprintf(stderr, "try 'eddy help %s'\n", cmd);
    else
        fputs("try 'eddy help'\n", stderr);
    return EDDY_EXIT_USAGE;
}

/* A placeholder name as common/placeholders.h reads it: letters, digits, '_' and '.'. */
static bool valid_name(const char *z, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)z[i]) && z[i] != '_' && z[i] != '.') return false;
    return true;
}

/* Adds one NAME=VALUE definition; returns 0 or a usage error. */
static int add_define(const char *cmd, eddy_cli_args *a, char *def)
{
    char *eq = strchr(def, '=');
    if (!eq || !valid_name(def, (size_t)(eq - def)))
        return eddy_cli_usage_error(cmd,
                                    "-D needs NAME=VALUE (NAME of letters, digits, '_', '.'), "
                                    "got '%s'",
                                    def);
    *eq = 0; /* argv strings are ours to change; the name ends here, the value follows */
    /* a later -D for the same name wins, as with a compiler's -D */
    for (int i = 0; i < a->ndefs; i++) {
        if (strcmp(a->def_names[i], def) == 0) {
            a->def_values[i] = eq + 1;
            return 0;
        }
    }
    a->def_names = eddy_xrealloc(a->def_names, sizeof(char *) * (size_t)(a->ndefs + 1));
    a->def_values = eddy_xrealloc(a->def_values, sizeof(char *) * (size_t)(a->ndefs + 1));
    a->def_names[a->ndefs] = def;
    a->def_values[a->ndefs] = eq + 1;
    a->ndefs++;
    return 0;
}

/* The run options that take a directory; where each one's value goes. */
static const char **dir_option(eddy_cli_args *a, const char *name, size_t n)
{
    static const char *const names[] = {"--state-dir", "--savepoint-dir", "--from-savepoint"};
    const char **slots[] = {&a->state_dir, &a->savepoint_dir, &a->from_savepoint};
    for (int i = 0; i < 3; i++)
        if (strlen(names[i]) == n && strncmp(names[i], name, n) == 0) return slots[i];
    return NULL;
}

static bool is_run_option(const char *arg)
{
    eddy_cli_args dummy;
    const char *eq = strchr(arg, '=');
    return strcmp(arg, "--no-checkpoints") == 0 ||
           dir_option(&dummy, arg, eq ? (size_t)(eq - arg) : strlen(arg)) != NULL;
}

/* Reads the run option at argv[*i] (is_run_option: "--state-dir DIR", "--state-dir=DIR",
 * "--no-checkpoints"); returns 0 or a usage error. */
static int run_option(const char *cmd, int argc, char **argv, int *i, eddy_cli_args *a)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--no-checkpoints") == 0) {
        a->no_checkpoints = true;
        return 0;
    }
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    const char **slot = dir_option(a, arg, n);
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (*i + 1 >= argc) return eddy_cli_usage_error(cmd, "%s needs a directory after it", arg);
        value = argv[++*i];
    }
    if (!*value) return eddy_cli_usage_error(cmd, "%.*s needs a directory, got ''", (int)n, arg);
    *slot = value;
    return 0;
}

/* Reads "--metrics-port P" or "--metrics-port=P" at argv[*i] (P: 0..65535, 0 = a free port);
 * returns 0 or a usage error. */
static int metrics_port_option(const char *cmd, int argc, char **argv, int *i, eddy_cli_args *a)
{
    const char *eq = strchr(argv[*i], '=');
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (*i + 1 >= argc) return eddy_cli_usage_error(cmd, "--metrics-port needs a port number after it");
        value = argv[++*i];
    }
    size_t n = strlen(value);
    bool digits = n > 0 && n <= 5;
    for (size_t k = 0; k < n && digits; k++) digits = isdigit((unsigned char)value[k]) != 0;
    if (!digits || atoi(value) > 65535)
        return eddy_cli_usage_error(cmd, "--metrics-port needs a port number 0..65535 (0: a free one), got '%s'",
                                    value);
    a->metrics_port = value;
    return 0;
}

int eddy_cli_args_read(const char *cmd, int argc, char **argv, int flags, eddy_cli_args *a)
{
    memset(a, 0, sizeof *a);
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        int rc = 0;
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (a->file) {
                eddy_cli_args_free(a);
                return eddy_cli_usage_error(cmd, "'%s' takes one FILE, got '%s' and '%s'", cmd,
                                            a->file, arg);
            }
            a->file = arg;
        } else if (strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
        } else if ((flags & EDDY_CLI_TREE) && strcmp(arg, "--tree") == 0) {
            a->tree = true;
        } else if ((flags & EDDY_CLI_RUN) && is_run_option(arg)) {
            rc = run_option(cmd, argc, argv, &i, a);
        } else if ((flags & EDDY_CLI_RUN) &&
                   (strcmp(arg, "--metrics-port") == 0 || strncmp(arg, "--metrics-port=", 15) == 0)) {
            rc = metrics_port_option(cmd, argc, argv, &i, a);
        } else if (strcmp(arg, "-D") == 0 || strcmp(arg, "--define") == 0) {
            if (i + 1 >= argc) {
                eddy_cli_args_free(a);
                return eddy_cli_usage_error(cmd, "%s needs NAME=VALUE after it", arg);
            }
            rc = add_define(cmd, a, argv[++i]);
        } else if (strncmp(arg, "-D", 2) == 0) {
            rc = add_define(cmd, a, arg + 2);
        } else if (strncmp(arg, "--define=", 9) == 0) {
            rc = add_define(cmd, a, arg + 9);
        } else {
            eddy_cli_args_free(a);
            return eddy_cli_usage_error(cmd, "'%s' has no option '%s'", cmd, arg);
        }
        if (rc != 0) {
            eddy_cli_args_free(a);
            return rc;
        }
    }
    if (!a->file && !a->help) {
        eddy_cli_args_free(a);
        return eddy_cli_usage_error(cmd, "'%s' needs a FILE ('-' reads standard input)", cmd);
    }
    if (a->no_checkpoints && (a->state_dir || a->savepoint_dir || a->from_savepoint)) {
        const char *other = a->state_dir        ? "--state-dir"
                            : a->savepoint_dir ? "--savepoint-dir"
                                               : "--from-savepoint";
        eddy_cli_args_free(a);
        return eddy_cli_usage_error(cmd,
                                    "--no-checkpoints and %s do not go together (savepoints and "
                                    "state directories need checkpoints)",
                                    other);
    }
    return 0;
}

void eddy_cli_args_free(eddy_cli_args *a)
{
    free(a->def_names);
    free(a->def_values);
    a->def_names = NULL;
    a->def_values = NULL;
    a->ndefs = 0;
}

void eddy_cli_print_overview(void)
{
    printf("eddy: continuous SQL over event streams (Flink SQL dialect)\n"
           "\n"
           "usage: eddy [COMMAND] [OPTIONS] [FILE]\n"
           "\n"
           "commands:\n");
    for (int i = 0; i < eddy_ncommands; i++)
        printf("  %-10s %s\n", eddy_commands[i].name, eddy_commands[i].summary);
    printf("\n"
           "With no command, eddy starts the interactive shell (repl).\n"
           "'eddy help COMMAND' or 'eddy COMMAND --help' tells more about one command.\n"
           "\n"
           "exit codes: 0 done, 1 query error, 2 usage error, 3 runtime failure\n");
}

int eddy_cli_print_help(const char *name)
{
    const eddy_command *c = eddy_command_find(name);
    if (!c) return eddy_cli_usage_error(NULL, "no command '%s'", name);
    fputs(c->help, stdout);
    return EDDY_EXIT_OK;
}
