/*
 * session.h: the shell's session: what `eddy run`, `eddy explain` and the REPL hand their
 * statements to.
 *
 *     eddy_shell_session *s = eddy_shell_session_new(stdout);
 *     eddy_shell_session_set_name(s, "q.sql");
 *     eddy_shell_adopt(s, script);                 // the session keeps the script (views)
 *     for each statement st of script:
 *         if (eddy_shell_execute(s, script, st) != 0) ... the session has printed the error
 *     eddy_shell_session_free(s);
 *
 * It wraps the planner's session (planner/session.h: catalog, SET options, planning) and runs
 * the jobs that INSERT, statement sets and bare SELECTs produce on the runtime with the
 * built-in connectors, in the foreground, until their sources end or SIGINT/SIGTERM stops
 * them cleanly.
 *
 * Background jobs (the REPL: eddy_shell_session_set_background): INSERT and statement sets
 * start a job on a thread of its own and return at once, saying
 *     [INFO] SQL update statement has been successfully submitted to the cluster:
 *     Job ID: <id>
 * where <id> is 'pipeline.name' made safe (as below) when no job of the session has it yet,
 * else 8 random hex digits. SHOW JOBS lists the session's jobs and STOP JOB 'id' [WITH
 * SAVEPOINT] stops one (jobs.h; the savepoint goes to <'state.savepoints.dir'>/<id>). A bare
 * SELECT still runs in the foreground (Ctrl-C stops it), and so does everything with
 * SET 'table.dml-sync' = 'true' (Flink's option). A background job checkpoints when 'state.dir'
 * or 'execution.checkpointing.interval' is SET: into ROOT/<id>, ROOT being 'state.dir', else
 * ./eddy-state (a checkpoint found there is resumed, as in `eddy run`); otherwise it runs
 * without state. Directory options may carry Flink's "file://" scheme, which is dropped.
 *
 * Checkpoints (`eddy run`; docs/operations.md): with run options whose checkpoints flag is set,
 * every job gets the state directory ROOT/<job>, where ROOT is the --state-dir given, else
 * 'state.dir' SET in the session, else ./eddy-state, and <job> is 'pipeline.name' when it is
 * set (characters other than letters, digits, '.', '_' and '-' become '_'), else job_base for
 * the first job of the session and job_base-2, job_base-3, ... for the later ones. A job that
 * finds a checkpoint there resumes from it. --from-savepoint DIR starts each job from DIR/<job>,
 * or, when DIR itself holds a savepoint (data.mdb; what STOP JOB ... WITH SAVEPOINT writes),
 * the file's first job from DIR (a later job is then refused). A session without run options
 * (the REPL) runs foreground jobs without checkpoints.
 *
 * Metrics (docs/metrics.md): with --metrics-port P, or SET 'eddy.metrics.port' = 'P' before a
 * job starts, the session serves GET /metrics on 'eddy.metrics.address' (default 127.0.0.1)
 * port P (0: a free one) from the first such job on, says "eddy: metrics on
 * http://HOST:PORT/metrics" on stderr, and every job it runs from then on (foreground or
 * background) is in it under its <job> name (the REPL: its job id) while it runs. The server
 * stops when the session ends. A bad port is a query error; one that cannot be bound a runtime
 * error (the job does not start).
 */
#ifndef EDDY_SHELL_SESSION_H
#define EDDY_SHELL_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "parser/ast.h"

typedef struct eddy_shell_session eddy_shell_session;

/* A new session that writes results (query rows, SHOW output) to out. */
eddy_shell_session *eddy_shell_session_new(FILE *out);
/* The name shown before error messages ("q.sql", "stdin"); the string must outlive s. */
void eddy_shell_session_set_name(eddy_shell_session *s, const char *name);
/* Interactive sessions confirm DDL ("[INFO] Table has been created."). */
void eddy_shell_session_set_interactive(eddy_shell_session *s, bool on);
/* Hands a parsed script to the session, which frees it when the session ends: views defined
 * in it keep pointing into it. */
void eddy_shell_adopt(eddy_shell_session *s, eddy_script *script);

/* How `eddy run` runs jobs (see above). */
typedef struct eddy_shell_run_options {
    bool checkpoints;           /* false: no state at all (--no-checkpoints, the REPL) */
    const char *state_root;     /* --state-dir, or NULL: 'state.dir', else ./eddy-state */
    const char *savepoint_root; /* --savepoint-dir: a stop writes a savepoint to ROOT/<job> */
    const char *from_savepoint; /* --from-savepoint: each job starts from DIR/<job> */
    const char *job_base;       /* <job> of jobs without 'pipeline.name' ("q" for q.sql) */
    const char *metrics_port;   /* --metrics-port (wins over SET 'eddy.metrics.port'), or NULL */
} eddy_shell_run_options;

/* Sets the run options (copied; the strings must outlive s). */
void eddy_shell_session_set_run_options(eddy_shell_session *s, const eddy_shell_run_options *o);
/* True once a job was stopped by SIGINT/SIGTERM: `eddy run` starts no further job. */
bool eddy_shell_session_stopped(const eddy_shell_session *s);
/* on: INSERT and statement sets run as background jobs (see above); off stops them first. */
void eddy_shell_session_set_background(eddy_shell_session *s, bool on);
/* Stops the running background jobs (each takes its last checkpoint when it has state) and
 * waits for them; says on stderr which stopped where. eddy_shell_session_free does it too. */
void eddy_shell_session_stop_jobs(eddy_shell_session *s);

/* Executes one statement of an adopted script. Returns EDDY_EXIT_OK, or prints the error to
 * stderr and returns EDDY_EXIT_QUERY (syntax, bind or plan error) or EDDY_EXIT_RUNTIME (the
 * job failed while running). */
int eddy_shell_execute(eddy_shell_session *s, const eddy_script *script, const eddy_stmt *stmt);
/* Like eddy_shell_execute, but a statement that would start a job prints its plan instead. */
int eddy_shell_explain(eddy_shell_session *s, const eddy_script *script, const eddy_stmt *stmt);

/* Ends the session, after stopping its background jobs and waiting for them. NULL is fine. */
void eddy_shell_session_free(eddy_shell_session *s);

#endif
