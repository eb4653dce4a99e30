/*
 * cmd_explain.c: `eddy explain [-D NAME=VALUE]... FILE`: prints the plan of every query in a
 * SQL file without running it. DDL and SET statements are executed (they shape the plans);
 * INSERT, statement sets and bare SELECTs print their physical plan (planner/session.h).
 */
#include <stdio.h>

#include "cli.h"
#include "session.h"
#include "sqlfile.h"

int eddy_cmd_explain(int argc, char **argv)
{
    eddy_cli_args args;
    int rc = eddy_cli_args_read("explain", argc, argv, 0, &args);
    if (rc != 0) return rc;
    if (args.help) {
        eddy_cli_args_free(&args);
        return eddy_cli_print_help("explain");
    }
    eddy_sqlfile f;
    eddy_script *script = NULL;
    rc = eddy_sqlfile_load(&args, &f);
    if (rc == 0) rc = eddy_sqlfile_parse(&f, &script);
    if (rc == 0) {
        eddy_shell_session *s = eddy_shell_session_new(stdout);
        eddy_shell_session_set_name(s, f.name);
        eddy_shell_adopt(s, script);
        for (int i = 0; i < script->n && rc == 0; i++)
            rc = eddy_shell_explain(s, script, script->stmts[i]);
        eddy_shell_session_free(s);
    }
    if (f.text) eddy_sqlfile_free(&f);
    eddy_cli_args_free(&args);
    return rc;
}
