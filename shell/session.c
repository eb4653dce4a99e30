/*
 * session.c: the shell's session: the planner's session (planner/session.h) plus the running
 * of jobs on the runtime (runtime/job.h) with the built-in connectors.
 *
 * Jobs run in the foreground, one at a time: an INSERT (or statement set, or bare SELECT)
 * runs until its sources end, or until SIGINT/SIGTERM stops it cleanly (sinks flushed). A
 * second Ctrl-C while stopping leaves at once. In the REPL, SHOW JOBS therefore lists nothing
 * that is still running, and STOP JOB names no running job; both answer so.
 */
#include "session.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sqlfile.h"
#include "common/arena.h"
#include "common/strbuf.h"
#include "connectors/connectors.h"
#include "planner/session.h"
#include "runtime/job.h"

struct eddy_shell_session {
    FILE *out;            /* where results go */
    eddy_session *sess;   /* catalog, options, planning */
    bool interactive;     /* REPL: confirm DDL */
    const char *name;     /* file name for messages ("stdin" in the REPL) */
    int jobs_run;         /* jobs finished so far */
};

static eddy_job *volatile running;     /* the job in the foreground, for the signal handler */
static volatile sig_atomic_t stops;    /* how many stop signals arrived while it ran */

static void on_stop_signal(int sig)
{
    (void)sig;
    stops++;
    if (stops > 1) _exit(130);
    if (running) eddy_job_stop(running);
}

static void show_error(const eddy_shell_session *s, const eddy_script *script, const eddy_error *err)
{
    eddy_sqlfile_report(s->name, err, script ? script->text : NULL);
}

eddy_shell_session *eddy_shell_session_new(FILE *out)
{
    eddy_shell_session *s = eddy_xcalloc(1, sizeof *s);
    s->out = out;
    s->sess = eddy_session_new();
    return s;
}

void eddy_shell_session_set_interactive(eddy_shell_session *s, bool on)
{
    s->interactive = on;
}

void eddy_shell_session_set_name(eddy_shell_session *s, const char *name)
{
    s->name = name;
}

int eddy_shell_explain(eddy_shell_session *s, const eddy_script *script, const eddy_stmt *stmt)
{
    eddy_result r;
    memset(&r, 0, sizeof r);
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_session_execute(s->sess, stmt, &r, &err) != 0) {
        show_error(s, script, &err);
        return EDDY_EXIT_QUERY;
    }
    if (r.kind == EDDY_RESULT_JOB) {
        char *text = eddy_plan_explain(r.plan);
        fputs(text, s->out);
        free(text);
    } else if (r.kind == EDDY_RESULT_TEXT && r.text) {
        fputs(r.text, s->out);
    }
    eddy_result_clear(&r);
    return EDDY_EXIT_OK;
}

void eddy_shell_adopt(eddy_shell_session *s, eddy_script *script)
{
    eddy_session_adopt(s->sess, script);
}


static int run_job(eddy_shell_session *s, const eddy_script *script, eddy_job_plan *plan)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_job_options opt = {0};
    opt.print_out = s->out;
    opt.status_line = isatty(STDERR_FILENO) && !getenv("EDDY_NO_STATUS");
    eddy_job *job = NULL;
    int rc = eddy_job_create(plan, eddy_connectors_builtin(), &opt, &job, &err);
    if (rc) {
        show_error(s, script, &err);
        eddy_job_plan_free(plan);
        return rc == EDDY_ECONNECTOR || rc == EDDY_EUSAGE ? EDDY_EXIT_QUERY : EDDY_EXIT_RUNTIME;
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    stops = 0;
    running = job;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    rc = eddy_job_run(job, &err);
    running = NULL;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    fflush(s->out);
    if (rc) show_error(s, NULL, &err);
    eddy_job_destroy(job);
    eddy_job_plan_free(plan);
    s->jobs_run++;
    return rc ? EDDY_EXIT_RUNTIME : EDDY_EXIT_OK;
}

int eddy_shell_execute(eddy_shell_session *s, const eddy_script *script, const eddy_stmt *stmt)
{
    eddy_result r;
    memset(&r, 0, sizeof r);
    eddy_error err;
    eddy_error_clear(&err);
    int rc = eddy_session_execute(s->sess, stmt, &r, &err);
    if (rc) {
        show_error(s, script, &err);
        return EDDY_EXIT_QUERY;
    }
    int exit_code = EDDY_EXIT_OK;
    switch (r.kind) {
    case EDDY_RESULT_NONE:
        if (s->interactive && r.message) fprintf(s->out, "[INFO] %s\n", r.message);
        break;
    case EDDY_RESULT_TEXT:
        if (r.text) fputs(r.text, s->out);
        break;
    case EDDY_RESULT_JOB: {
        eddy_job_plan *plan = r.plan;
        r.plan = NULL;
        exit_code = run_job(s, script, plan);
        break;
    }
    case EDDY_RESULT_SHOW_JOBS:
        fprintf(s->out, "no job is running (jobs run in the foreground; %d finished)\n", s->jobs_run);
        break;
    case EDDY_RESULT_STOP_JOB:
        fprintf(stderr, "eddy: no job '%s' is running (jobs run in the foreground: stop one with Ctrl-C)\n",
                r.job_id ? r.job_id : "");
        exit_code = EDDY_EXIT_QUERY;
        break;
    }
    fflush(s->out);
    eddy_result_clear(&r);
    return exit_code;
}

void eddy_shell_session_free(eddy_shell_session *s)
{
    if (!s) return;
    eddy_session_free(s->sess);
    free(s);
}
