/*
 * cmd_run.c: `eddy run [-D NAME=VALUE]... FILE`: runs the statements of a SQL file.
 *
 * Statements run in order through one session (session.h): DDL fills the catalog, SET sets
 * options, and each INSERT, statement set or bare SELECT runs as a job in the foreground
 * until its sources end (bounded inputs) or SIGINT/SIGTERM stops it. The first failing
 * statement ends the run with its exit code (1 for query errors, 3 for runtime failures).
 */
#include <stdio.h>

#include "cli.h"
#include "session.h"
#include "sqlfile.h"

int eddy_cmd_run(int argc, char **argv)
{
    eddy_cli_args args;
    int rc = eddy_cli_args_read("run", argc, argv, 0, &args);
    if (rc != 0) return rc;
    if (args.help) {
        eddy_cli_args_free(&args);
        return eddy_cli_print_help("run");
    }
    eddy_sqlfile f;
    eddy_script *script = NULL;
    rc = eddy_sqlfile_load(&args, &f);
    if (rc == 0) rc = eddy_sqlfile_parse(&f, &script);
    if (rc == 0 && script->n == 0) {
        fprintf(stderr, "eddy: %s holds no statement; nothing to run\n", f.name);
        eddy_script_free(script);
        rc = EDDY_EXIT_QUERY;
    } else if (rc == 0) {
        eddy_shell_session *s = eddy_shell_session_new(stdout);
        eddy_shell_session_set_name(s, f.name);
        eddy_shell_adopt(s, script);
        for (int i = 0; i < script->n && rc == 0; i++)
            rc = eddy_shell_execute(s, script, script->stmts[i]);
        eddy_shell_session_free(s);
    }
    if (f.text) eddy_sqlfile_free(&f);
    eddy_cli_args_free(&args);
    return rc;
}
