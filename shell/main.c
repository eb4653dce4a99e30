/*
 * main.c: the eddy program's entry point: picks the subcommand and hands it the arguments.
 *
 *     eddy                     the REPL (cmd_repl.c)
 *     eddy COMMAND ARGS...     a command from the table in commands.c
 *     eddy --help | -h         the list of commands
 *     eddy --version | -V      same as 'eddy version'
 *
 * Anything else is a usage error (exit 2) that says what was meant where it can guess.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* Edit distance of two short words (command names), for "did you mean". */
static int distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 31 || nb > 31) return 99;
    int d[32][32];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        for (size_t j = 1; j <= nb; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    }
    return d[na][nb];
}

static int unknown_command(const char *name)
{
    struct stat st;
    if (stat(name, &st) == 0 && S_ISREG(st.st_mode)) {
        fprintf(stderr, "eddy: unknown command '%s'; to run that file: eddy run %s\n", name, name);
        fputs("try 'eddy help'\n", stderr);
        return EDDY_EXIT_USAGE;
    }
    const char *best = NULL;
    int best_d = 3; /* suggest only close names */
    for (int i = 0; i < eddy_ncommands; i++) {
        int d = distance(name, eddy_commands[i].name);
        if (d < best_d) {
            best_d = d;
            best = eddy_commands[i].name;
        }
    }
    if (best)
        return eddy_cli_usage_error(NULL, "unknown command '%s'; did you mean '%s'?", name, best);
    return eddy_cli_usage_error(NULL, "unknown command '%s'", name);
}

int main(int argc, char **argv)
{
    if (argc < 2) return eddy_cmd_repl(1, (char *[]){"repl", NULL});
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        eddy_cli_print_overview();
        return EDDY_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        return eddy_cmd_version(argc - 1, argv + 1);
    if (name[0] == '-')
        return eddy_cli_usage_error(NULL,
                                    "unknown option '%s' (options go after the command: "
                                    "eddy COMMAND [OPTIONS])",
                                    name);
    const eddy_command *c = eddy_command_find(name);
    if (!c) return unknown_command(name);
    return c->main(argc - 1, argv + 1);
}
