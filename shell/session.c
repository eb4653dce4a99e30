/*
 * session.c: the shell's session: the planner's session (planner/session.h) plus the running
 * of jobs on the runtime (runtime/job.h) with the built-in connectors.
 *
 * In `eddy run` (and for a bare SELECT, or with SET 'table.dml-sync' = 'true'), jobs run in
 * the foreground, one at a time: an INSERT (or statement set, or bare SELECT) runs until its
 * sources end, or until SIGINT/SIGTERM stops it cleanly (with checkpoints: a last checkpoint
 * and, when asked, a savepoint; without: sinks flushed). A second Ctrl-C while stopping leaves
 * at once (the previous checkpoint stays). There SHOW JOBS lists nothing that is still running,
 * and STOP JOB names no running job; both answer so.
 *
 * In the REPL (eddy_shell_session_set_background), an INSERT or statement set is created here,
 * so that a bad option or state directory is reported at once, and then handed to the
 * registry of background jobs (jobs.h), which runs it on a thread of its own; SHOW JOBS and
 * STOP JOB go to that registry. Its print sinks write to the terminal, or, when the output is
 * not one, through a line stream (jobs.h), so that two jobs' rows never share a line.
 *
 * Metrics (session.h): the session owns the registry (runtime/metrics.h) and its HTTP server
 * (metrics_http.h), started by the first job run with a port set and stopped after the last
 * background job when the session ends; each job enters and leaves the registry itself.
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
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "group_tasks.h"
#include "jobs.h"
#include "metrics_http.h"
#include "sqlfile.h"
#include "common/arena.h"
#include "common/strbuf.h"
#include "connectors/connectors.h"
#include "planner/session.h"
#include "runtime/job.h"
#include "runtime/metrics.h"

struct eddy_shell_session {
    FILE *out;            /* where results go */
    eddy_session *sess;   /* catalog, options, planning */
    bool interactive;     /* REPL: confirm DDL */
    const char *name;     /* file name for messages ("stdin" in the REPL) */
    int jobs_run;         /* jobs finished so far */
    int jobs_started;     /* jobs begun so far (names the state directory of later ones) */
    eddy_shell_run_options run; /* checkpoints and savepoints (`eddy run`) */
    bool stopped;         /* a stop signal ended a job */
    eddy_shell_jobs *jobs; /* background jobs (the REPL), or NULL: jobs run in the foreground */
    eddy_metrics *metrics;   /* the jobs' metrics once /metrics is served (session.h), or NULL */
    eddy_metrics_http *http; /* ... and its server */
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

void eddy_shell_session_set_background(eddy_shell_session *s, bool on)
{
    if (on && !s->jobs) s->jobs = eddy_shell_jobs_new();
    if (!on && s->jobs) {
        eddy_shell_jobs_free(s->jobs);
        s->jobs = NULL;
    }
}

void eddy_shell_session_stop_jobs(eddy_shell_session *s)
{
    if (s->jobs) eddy_shell_jobs_stop_all(s->jobs);
}

/* A directory option of the session ('state.dir', 'state.savepoints.dir'), without Flink's
 * "file://" or "file:" scheme (eddy's directories are local); NULL when not set or empty. */
static const char *dir_option(const eddy_shell_session *s, const char *key)
{
    const char *v = eddy_session_get_option(s->sess, key);
    if (!v) return NULL;
    if (strncmp(v, "file://", 7) == 0) v += 7;
    else if (strncmp(v, "file:", 5) == 0) v += 5;
    return *v ? v : NULL;
}

/* name made safe for a directory name: characters other than letters, digits, '_', '-' and
 * '.' (not first) become '_'. */
static void safe_name(const char *name, char *out, size_t n)
{
    size_t i = 0;
    for (; name[i] && i + 1 < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || (c == '.' && i > 0);
        out[i] = ok ? c : '_';
    }
    out[i] = 0;
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
        safe_name(pn, out, n);
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
    if (!root) root = dir_option(s, "state.dir");
    if (!root) root = "eddy-state";
    snprintf(d->root, sizeof d->root, "%s", root);
    snprintf(d->state, sizeof d->state, "%s/%s", root, d->job);
    opt->state_dir = d->state;
    if (s->run.savepoint_root) {
        snprintf(d->savepoint, sizeof d->savepoint, "%s/%s", s->run.savepoint_root, d->job);
        opt->savepoint_dir = d->savepoint;
    }
    if (s->run.from_savepoint) {
        char data[4500];
        snprintf(data, sizeof data, "%s/data.mdb", s->run.from_savepoint);
        if (path_exists(data)) {
            /* DIR is itself one job's savepoint (the REPL's STOP JOB ... WITH SAVEPOINT writes
             * <'state.savepoints.dir'>/<job id>): the file's first job starts from it */
            if (s->jobs_started > 1) {
                fprintf(stderr,
                        "eddy: --from-savepoint %s is the savepoint of one job, which the "
                        "file's first job started from; job '%s' has none there: give a "
                        "directory that holds a savepoint per job (DIR/<job>)\n",
                        s->run.from_savepoint, d->job);
                return false;
            }
            snprintf(d->from, sizeof d->from, "%s", s->run.from_savepoint);
            opt->from_savepoint = d->from;
            return true;
        }
        snprintf(d->from, sizeof d->from, "%s/%s", s->run.from_savepoint, d->job);
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

/* Serves /metrics from the first job that asks for it (--metrics-port, else SET
 * 'eddy.metrics.port'; session.h) and enters the job in it as name. Returns EDDY_EXIT_OK, or
 * an exit code after saying why on stderr. */
static int setup_metrics(eddy_shell_session *s, eddy_job_options *opt, const char *name)
{
    if (!s->http) {
        const char *port = s->run.metrics_port;
        if (!port) port = eddy_session_get_option(s->sess, "eddy.metrics.port");
        if (!port) return EDDY_EXIT_OK;
        size_t n = strlen(port);
        bool digits = n > 0 && n <= 5;
        for (size_t i = 0; i < n && digits; i++) digits = port[i] >= '0' && port[i] <= '9';
        if (!digits || atoi(port) > 65535) {
            fprintf(stderr,
                    "eddy: 'eddy.metrics.port' = '%s' is not a port number (0..65535; 0 picks a "
                    "free one)\n",
                    port);
            return EDDY_EXIT_QUERY;
        }
        const char *address = eddy_session_get_option(s->sess, "eddy.metrics.address");
        if (!s->metrics) s->metrics = eddy_metrics_new();
        eddy_error err;
        eddy_error_clear(&err);
        if (eddy_metrics_http_start(s->metrics, address, atoi(port), &s->http, &err) != 0) {
            fprintf(stderr, "eddy: %s\n", err.msg);
            return EDDY_EXIT_RUNTIME;
        }
        fprintf(stderr, "eddy: metrics on http://%s:%d/metrics\n", eddy_metrics_http_host(s->http),
                eddy_metrics_http_port(s->http));
        fflush(stderr);
    }
    opt->metrics = s->metrics;
    opt->metrics_name = name;
    return EDDY_EXIT_OK;
}

static int run_job(eddy_shell_session *s, const eddy_script *script, eddy_job_plan *plan)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_job_options opt = {0};
    opt.print_out = s->out;
    opt.status_line = isatty(STDERR_FILENO) && !getenv("EDDY_NO_STATUS");
    s->jobs_started++;
    char mname[256];
    job_dir_name(s, mname, sizeof mname);
    int mrc = setup_metrics(s, &opt, mname);
    if (mrc) {
        eddy_job_plan_free(plan);
        return mrc;
    }
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

/* ---- 'scan.partition-assignment' = 'group-tasks' (group_tasks.h) ------------------------ */

typedef struct tasks_ctx {
    eddy_shell_session *s;
    const eddy_stmt *stmt;   /* the statement, planned again for every task */
    job_dirs dirs;           /* the job's directories: tasks live in dirs.state/<topic>-<p> */
    char mname[256];         /* the job's metrics name */
} tasks_ctx;

/* kv with key set to value (replaced, or added), copied into arena. */
static eddy_kv *kv_with(eddy_arena *a, const eddy_kv *kv, int n, int *nout, const char *key, const char *value)
{
    eddy_kv *out = eddy_arena_zalloc(a, sizeof *out * (size_t)(n + 1));
    int k = 0;
    bool done = false;
    for (int i = 0; i < n; i++) {
        out[k] = kv[i];
        if (kv[i].key && strcmp(kv[i].key, key) == 0) {
            out[k].value = eddy_arena_strdup(a, value);
            done = true;
        }
        k++;
    }
    if (!done) {
        out[k].key = eddy_arena_strdup(a, key);
        out[k].value = eddy_arena_strdup(a, value);
        k++;
    }
    *nout = k;
    return out;
}

/* The job of task (topic, part): the statement planned again, its source restricted to the
 * partition ('scan.partitions'), transactional ids made the task's own, state in
 * dirs.state/<topic>-<part>. */
static int task_create(void *ctx, const char *topic, int part, eddy_job **job, eddy_job_plan **plan,
                       eddy_error *err)
{
    tasks_ctx *c = ctx;
    eddy_result r;
    memset(&r, 0, sizeof r);
    int rc = eddy_session_execute(c->s->sess, c->stmt, &r, err);
    if (rc) return rc;
    eddy_job_plan *p = r.plan;
    r.plan = NULL;
    eddy_result_clear(&r);
    eddy_plan *src = (eddy_plan *)eddy_group_tasks_source(p, err);
    if (!src) {
        eddy_job_plan_free(p);
        return err->code ? err->code : EDDY_EPLAN;
    }
    char id[400], val[400];
    snprintf(id, sizeof id, "%s-%d", topic, part);
    snprintf(val, sizeof val, "%s:%d", topic, part);
    int n;
    eddy_kv *kv = kv_with(p->arena, src->u.source.options, src->u.source.noptions, &n,
                          "scan.partition-assignment", "all");
    kv = kv_with(p->arena, kv, n, &n, "scan.partitions", val);
    /* the task's consumer is no member of the group (it reads by explicit assignment), and a
     * broker refuses offsets committed to a group with members by a non-member: tasks commit
     * to '<group>.tasks', a group with no member, where lag tools find them */
    char grp[600];
    snprintf(grp, sizeof grp, "%s.tasks", eddy_kv_get(kv, n, "properties.group.id", "eddy"));
    src->u.source.options = kv_with(p->arena, kv, n, &src->u.source.noptions, "properties.group.id", grp);
    for (int i = 0; i < p->nsinks; i++) {
        eddy_plan *sk = p->sinks[i];
        const char *pre = eddy_kv_get(sk->u.sink.options, sk->u.sink.noptions, "sink.transactional-id-prefix", NULL);
        if (!pre) continue;
        char tid[800];
        snprintf(tid, sizeof tid, "%s-%s", pre, id);
        sk->u.sink.options = kv_with(p->arena, sk->u.sink.options, sk->u.sink.noptions, &sk->u.sink.noptions,
                                     "sink.transactional-id-prefix", tid);
    }
    eddy_job_options opt = {0};
    opt.print_out = c->s->out;
    if (c->s->run.checkpoints) {
        char dir[4800];
        snprintf(dir, sizeof dir, "%s/%s", c->dirs.state, id);
        opt.state_dir = eddy_arena_strdup(p->arena, dir);
    }
    char mname[800];
    snprintf(mname, sizeof mname, "%s/%s", c->mname, id);
    opt.metrics = c->s->metrics;
    opt.metrics_name = c->s->metrics ? mname : NULL;
    rc = eddy_job_create(p, eddy_connectors_builtin(), &opt, job, err);
    if (rc) {
        eddy_job_plan_free(p);
        return rc;
    }
    eddy_job_metrics m;
    eddy_job_get_metrics(*job, &m);
    if (m.checkpoint_id > 0)
        fprintf(stderr, "eddy: task %s of job '%s' resumes from checkpoint %llu in %s\n", id, c->mname,
                (unsigned long long)m.checkpoint_id, opt.state_dir);
    *plan = p;
    return 0;
}

static volatile sig_atomic_t tasks_stop;

static void on_tasks_signal(int sig)
{
    (void)sig;
    tasks_stop = 1;
}

/* Runs plan's statement as one task per partition the group assigns (group_tasks.h) until
 * SIGINT/SIGTERM. Consumes plan (which only served to find the source). */
static int run_group_tasks(eddy_shell_session *s, const eddy_script *script, const eddy_stmt *stmt,
                           eddy_job_plan *plan)
{
    eddy_error err;
    eddy_error_clear(&err);
    tasks_ctx c = {.s = s, .stmt = stmt};
    s->jobs_started++;
    job_dir_name(s, c.mname, sizeof c.mname);
    eddy_job_options mopt = {0};
    int rc = setup_metrics(s, &mopt, c.mname);
    if (rc == 0 && s->run.checkpoints && !plan_dirs(s, &c.dirs, &mopt)) rc = EDDY_EXIT_RUNTIME;
    if (rc == 0 && (s->run.from_savepoint || s->run.savepoint_root)) {
        fprintf(stderr, "eddy: savepoints of 'group-tasks' jobs are not supported yet (each partition's task "
                        "keeps its checkpoints in %s/<topic>-<partition>)\n",
                c.dirs.state);
        rc = EDDY_EXIT_QUERY;
    }
    const eddy_plan *src = rc ? NULL : eddy_group_tasks_source(plan, &err);
    if (rc == 0 && !src) {
        show_error(s, script, &err);
        rc = EDDY_EXIT_QUERY;
    }
    if (rc) {
        eddy_job_plan_free(plan);
        return rc;
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_tasks_signal;
    sigemptyset(&sa.sa_mask);
    tasks_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    eddy_group_tasks_hooks hooks = {.create = task_create, .ctx = &c};
    rc = eddy_group_tasks_run(src, &hooks, &tasks_stop, &err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (tasks_stop) s->stopped = true;
    fflush(s->out);
    eddy_job_plan_free(plan);
    s->jobs_run++;
    if (rc) {
        show_error(s, NULL, &err);
        return EDDY_EXIT_RUNTIME;
    }
    if (s->run.checkpoints)
        fprintf(stderr, "eddy: job '%s' stopped; its tasks' state stays in %s/<topic>-<partition> for the next run\n",
                c.mname, c.dirs.state);
    return EDDY_EXIT_OK;
}

/* REPL: creates the job of plan and hands it to the registry of background jobs, which runs
 * it on its own thread; says its id as Flink's SQL client does. With 'state.dir' or
 * 'execution.checkpointing.interval' SET, the job checkpoints into ROOT/<id> (ROOT:
 * 'state.dir', else ./eddy-state). Consumes plan. */
static int submit_job(eddy_shell_session *s, const eddy_script *script, eddy_job_plan *plan)
{
    fputs("[INFO] Submitting SQL update statement to the cluster...\n", s->out);
    fflush(s->out);
    char wanted[256] = "", id[256];
    const char *pn = eddy_session_get_option(s->sess, "pipeline.name");
    if (pn && *pn) safe_name(pn, wanted, sizeof wanted);
    eddy_shell_jobs_make_id(s->jobs, wanted, id, sizeof id);

    eddy_job_options opt = {0};
    char root[4096] = "", state[4400] = "";
    bool root_existed = true;
    const char *sd = dir_option(s, "state.dir");
    if (sd || eddy_session_get_option(s->sess, "execution.checkpointing.interval")) {
        snprintf(root, sizeof root, "%s", sd ? sd : "eddy-state");
        snprintf(state, sizeof state, "%s/%s", root, id);
        root_existed = path_exists(root);
        opt.state_dir = state;
    }
    /* Rows of print sinks: on a terminal straight to it (print then shows them as they come,
     * as on any terminal; each batch is one fwrite under the stream's lock), else through a
     * line stream, so that print's commit (one write(2) of the held rows, past stdio's lock)
     * cannot cut into another job's line */
    int out_fd = fileno(s->out);
    FILE *lines = out_fd >= 0 && isatty(out_fd) ? NULL : eddy_shell_line_stream(s->out);
    opt.print_out = lines ? lines : s->out;
    opt.status_line = false; /* the prompt owns the terminal */
    s->jobs_started++;
    int mrc = setup_metrics(s, &opt, id);
    if (mrc) {
        if (lines) fclose(lines);
        eddy_job_plan_free(plan);
        return mrc;
    }
    eddy_error err;
    eddy_error_clear(&err);
    eddy_job *job = NULL;
    int rc = eddy_job_create(plan, eddy_connectors_builtin(), &opt, &job, &err);
    if (rc) {
        show_error(s, script, &err);
        if (lines) fclose(lines);
        eddy_job_plan_free(plan);
        if (!root_existed) rmdir(root);
        return rc == EDDY_ECONNECTOR || rc == EDDY_EUSAGE ? EDDY_EXIT_QUERY : EDDY_EXIT_RUNTIME;
    }
    eddy_job_metrics m;
    eddy_job_get_metrics(job, &m);
    if (m.checkpoint_id > 0)
        fprintf(stderr, "eddy: job '%s' resumes from checkpoint %llu in %s\n", id,
                (unsigned long long)m.checkpoint_id, state);
    eddy_shell_job_spec spec = {
        .id = id,
        .job = job,
        .plan = plan,
        .print_out = lines,
        .state_dir = opt.state_dir,
        .state_root = root_existed ? NULL : root,
    };
    /* the job's first rows wait for the lock: its id is said first */
    flockfile(s->out);
    rc = eddy_shell_jobs_start(s->jobs, &spec);
    if (rc == 0)
        fprintf(s->out,
                "[INFO] SQL update statement has been successfully submitted to the cluster:\n"
                "Job ID: %s\n",
                id);
    fflush(s->out);
    funlockfile(s->out);
    if (rc) {
        eddy_job_destroy(job);
        eddy_job_plan_free(plan);
        if (lines) fclose(lines);
        if (!root_existed) rmdir(root);
    }
    return rc;
}

/* SET 'table.dml-sync' = 'true' (Flink's option): INSERT runs in the foreground in the REPL. */
static bool dml_sync(const eddy_shell_session *s)
{
    const char *v = eddy_session_get_option(s->sess, "table.dml-sync");
    return v && strcasecmp(v, "true") == 0;
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
        eddy_error terr;
        eddy_error_clear(&terr);
        bool tasks = eddy_group_tasks_source(plan, &terr) != NULL || terr.code != 0;
        if (tasks && s->jobs && !dml_sync(s)) {
            fprintf(stderr, "eddy: 'scan.partition-assignment' = 'group-tasks' runs with `eddy run` only, not as "
                            "a background job of the shell\n");
            eddy_job_plan_free(plan);
            exit_code = EDDY_EXIT_QUERY;
        } else if (tasks) {
            exit_code = run_group_tasks(s, script, stmt, plan);
        } else if (s->jobs && !r.bare_select && !dml_sync(s)) {
            exit_code = submit_job(s, script, plan);
        } else {
            exit_code = run_job(s, script, plan);
        }
        break;
    }
    case EDDY_RESULT_SHOW_JOBS:
        if (s->jobs)
            eddy_shell_jobs_show(s->jobs, s->out);
        else
            fprintf(s->out, "no job is running (jobs run in the foreground; %d finished)\n", s->jobs_run);
        break;
    case EDDY_RESULT_STOP_JOB:
        if (s->jobs) {
            eddy_shell_stop how = {
                .savepoint = r.with_savepoint,
                .drain = r.with_drain,
                .savepoint_root = dir_option(s, "state.savepoints.dir"),
            };
            exit_code = eddy_shell_jobs_stop(s->jobs, r.job_id ? r.job_id : "", &how, s->out);
            break;
        }
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
    eddy_shell_jobs_free(s->jobs); /* stops the running ones and waits for them */
    eddy_metrics_http_stop(s->http); /* no job is left in the registry */
    eddy_metrics_free(s->metrics);
    eddy_session_free(s->sess);
    free(s);
}
