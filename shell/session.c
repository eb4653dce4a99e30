/*
 * session.c: the shell's session: the planner's session (planner/session.h) plus the running
 * of jobs on the runtime (runtime/job.h) with the built-in connectors.
 *
 * Jobs run in the foreground, one at a time: an INSERT (or statement set, or bare SELECT)
 * runs until its sources end, or until SIGINT/SIGTERM stops it cleanly (with checkpoints: a
 * last checkpoint and, when asked, a savepoint; without: sinks flushed). A second Ctrl-C while
 * stopping leaves at once (the previous checkpoint stays). In the REPL, SHOW JOBS therefore
 * lists nothing that is still running, and STOP JOB names no running job; both answer so.
 *
 * Where a job's state lives is decided here (session.h); the runtime only gets directories.
 * The state root is removed after a job that finished when this run created it and it is
 * then empty, so a run that ends leaves no empty ./eddy-state behind.
 */
#include "session.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    int jobs_started;     /* jobs begun so far (names the state directory of later ones) */
    eddy_shell_run_options run; /* checkpoints and savepoints (`eddy run`) */
    bool stopped;         /* a stop signal ended a job */
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

void eddy_shell_session_set_run_options(eddy_shell_session *s, const eddy_shell_run_options *o)
{
    s->run = *o;
}

bool eddy_shell_session_stopped(const eddy_shell_session *s)
{
    return s->stopped;
}

static bool path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The <job> part of the job's state and savepoint directories (session.h). */
static void job_dir_name(const eddy_shell_session *s, char *out, size_t n)
{
    const char *pn = eddy_session_get_option(s->sess, "pipeline.name");
    if (pn && *pn) {
        size_t i = 0;
        for (; pn[i] && i + 1 < n; i++) {
            char c = pn[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || (c == '.' && i > 0);
            out[i] = ok ? c : '_';
        }
        out[i] = 0;
        return;
    }
    const char *base = s->run.job_base && *s->run.job_base ? s->run.job_base : "job";
    if (s->jobs_started <= 1)
        snprintf(out, n, "%s", base);
    else
        snprintf(out, n, "%s-%d", base, s->jobs_started);
}

/* Tells which job savepoints dir holds (its subdirectories with a data.mdb). */
static void list_savepoints(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    int n = 0;
    struct dirent *e;
    char path[4400];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s/data.mdb", dir, e->d_name);
        if (!path_exists(path)) continue;
        fprintf(stderr, "%s'%s'", n++ ? ", " : "it holds savepoints of: ", e->d_name);
    }
    closedir(d);
    fputs(n ? "\n" : "it holds no savepoint\n", stderr);
}


/* The directories of a job with checkpoints (session.h); false after printing an error. */
typedef struct job_dirs {
    char job[256];          /* <job> */
    char root[4096];        /* state root */
    char state[4400];       /* root/<job> */
    char savepoint[4400];   /* savepoint root/<job> */
    char from[4400];        /* from-savepoint/<job> */
} job_dirs;

static bool plan_dirs(const eddy_shell_session *s, job_dirs *d, eddy_job_options *opt)
{
    job_dir_name(s, d->job, sizeof d->job);
    const char *root = s->run.state_root;
    if (!root) root = eddy_session_get_option(s->sess, "state.dir");
    if (!root || !*root) root = "eddy-state";
    snprintf(d->root, sizeof d->root, "%s", root);
    snprintf(d->state, sizeof d->state, "%s/%s", root, d->job);
    opt->state_dir = d->state;
    if (s->run.savepoint_root) {
        snprintf(d->savepoint, sizeof d->savepoint, "%s/%s", s->run.savepoint_root, d->job);
        opt->savepoint_dir = d->savepoint;
    }
    if (s->run.from_savepoint) {
        snprintf(d->from, sizeof d->from, "%s/%s", s->run.from_savepoint, d->job);
        char data[4500];
        snprintf(data, sizeof data, "%s/data.mdb", d->from);
        if (!path_exists(data)) {
            fprintf(stderr,
                    "eddy: no savepoint of job '%s' in %s (no %s); a job is named by "
                    "'pipeline.name', else by the file name\n",
                    d->job, s->run.from_savepoint, data);
            list_savepoints(s->run.from_savepoint);
            return false;
        }
        opt->from_savepoint = d->from;
    }
    return true;
}

static int run_job(eddy_shell_session *s, const eddy_script *script, eddy_job_plan *plan)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_job_options opt = {0};
    opt.print_out = s->out;
    opt.status_line = isatty(STDERR_FILENO) && !getenv("EDDY_NO_STATUS");
    s->jobs_started++;
    job_dirs dirs;
    memset(&dirs, 0, sizeof dirs);
    bool root_existed = true;
    if (s->run.checkpoints) {
        if (!plan_dirs(s, &dirs, &opt)) {
            eddy_job_plan_free(plan);
            return EDDY_EXIT_RUNTIME;
        }
        root_existed = path_exists(dirs.root);
    }
    eddy_job *job = NULL;
    int rc = eddy_job_create(plan, eddy_connectors_builtin(), &opt, &job, &err);
    if (rc) {
        show_error(s, script, &err);
        eddy_job_plan_free(plan);
        if (!root_existed) rmdir(dirs.root);
        return rc == EDDY_ECONNECTOR || rc == EDDY_EUSAGE ? EDDY_EXIT_QUERY : EDDY_EXIT_RUNTIME;
    }
    eddy_job_metrics m;
    eddy_job_get_metrics(job, &m);
    if (opt.from_savepoint)
        fprintf(stderr, "eddy: job '%s' starts from the savepoint %s (checkpoint %llu)\n", dirs.job,
                opt.from_savepoint, (unsigned long long)m.checkpoint_id);
    else if (m.checkpoint_id > 0)
        fprintf(stderr, "eddy: job '%s' resumes from checkpoint %llu in %s\n", dirs.job,
                (unsigned long long)m.checkpoint_id, opt.state_dir);
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
    if (stops > 0) s->stopped = true;
    fflush(s->out);
    if (rc) show_error(s, NULL, &err);
    eddy_job_get_metrics(job, &m);
    eddy_job_destroy(job);
    eddy_job_plan_free(plan);
    s->jobs_run++;
    if (rc == 0 && s->run.checkpoints) {
        char data[4500];
        snprintf(data, sizeof data, "%s/data.mdb", dirs.state);
        if (path_exists(data)) {
            /* stopped: the state stays for the next run */
            fprintf(stderr, "eddy: job '%s' stopped at checkpoint %llu; the same command resumes it (state in %s)\n",
                    dirs.job, (unsigned long long)m.checkpoint_id, dirs.state);
            if (opt.savepoint_dir) {
                snprintf(data, sizeof data, "%s/data.mdb", opt.savepoint_dir);
                if (path_exists(data)) fprintf(stderr, "eddy: savepoint written to %s\n", opt.savepoint_dir);
            }
        } else if (!root_existed) {
            rmdir(dirs.root); /* only when empty */
        }
    }
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
