/*
 * cmd_run.c: `eddy run [-D NAME=VALUE]... [--state-dir DIR | --no-checkpoints]
 * [--savepoint-dir DIR] [--from-savepoint DIR] [--metrics-port P] FILE`: runs the statements of
 * a SQL file (--metrics-port: Prometheus /metrics while it runs; session.h, docs/metrics.md).
 *
 * Statements run in order through one session (session.h): DDL fills the catalog, SET sets
 * options, and each INSERT, statement set or bare SELECT runs as a job in the foreground
 * until its sources end (bounded inputs) or SIGINT/SIGTERM stops it. The first failing
 * statement ends the run with its exit code (1 for query errors, 3 for runtime failures).
 *
 * Checkpoints are on unless --no-checkpoints: each job keeps its state in DIR/<job> (session.h
 * names it; DIR is --state-dir, else 'state.dir', else ./eddy-state) and resumes from it when
 * it is run again. A stop signal ends the whole run with exit code 0 after the job's last
 * checkpoint (and savepoint): later jobs of the file do not start. docs/operations.md.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "session.h"
#include "sqlfile.h"

/* "q" for "dir/q.sql", "stdin" for standard input: the name of the file's first job. */
static void job_base(const char *file, char *out, size_t n)
{
    if (strcmp(file, "-") == 0) {
        snprintf(out, n, "stdin");
        return;
    }
    const char *slash = strrchr(file, '/');
    const char *b = slash ? slash + 1 : file;
    size_t len = strlen(b);
    if (len > 4 && strcmp(b + len - 4, ".sql") == 0) len -= 4;
    if (len == 0 || len >= n) len = len >= n ? n - 1 : len;
    snprintf(out, n, "%.*s", (int)len, b);
    if (!out[0]) snprintf(out, n, "job");
}

int eddy_cmd_run(int argc, char **argv)
{
    eddy_cli_args args;
    int rc = eddy_cli_args_read("run", argc, argv, EDDY_CLI_RUN, &args);
    if (rc != 0) return rc;
    if (args.help) {
        eddy_cli_args_free(&args);
        return eddy_cli_print_help("run");
    }
    struct stat st;
    if (args.from_savepoint && (stat(args.from_savepoint, &st) != 0 || !S_ISDIR(st.st_mode))) {
        /* a state error (exit 3), as a savepoint that does not fit is */
        fprintf(stderr,
                "eddy: --from-savepoint %s: no such directory; give the --savepoint-dir of the "
                "run that was stopped\n",
                args.from_savepoint);
        eddy_cli_args_free(&args);
        return EDDY_EXIT_RUNTIME;
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
        char base[256];
        job_base(args.file, base, sizeof base);
        eddy_shell_run_options ro = {
            .checkpoints = !args.no_checkpoints,
            .state_root = args.state_dir,
            .savepoint_root = args.savepoint_dir,
            .from_savepoint = args.from_savepoint,
            .job_base = base,
            .metrics_port = args.metrics_port,
        };
        eddy_shell_session *s = eddy_shell_session_new(stdout);
        eddy_shell_session_set_name(s, f.name);
        eddy_shell_session_set_run_options(s, &ro);
        eddy_shell_adopt(s, script);
        for (int i = 0; i < script->n && rc == 0 && !eddy_shell_session_stopped(s); i++)
            rc = eddy_shell_execute(s, script, script->stmts[i]);
        eddy_shell_session_free(s);
    }
    if (f.text) eddy_sqlfile_free(&f);
    eddy_cli_args_free(&args);
    return rc;
}
