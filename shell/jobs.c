/*
 * jobs.c: the REPL's background jobs (see jobs.h): a thread per job, the registry that SHOW
 * JOBS lists and STOP JOB searches, and the line stream that keeps the jobs' rows whole.
 *
 * Each record is shared by the main thread and its job's thread. The main thread alone adds
 * records and reads ids and names (which never change); everything that changes while the
 * job runs (live, status, stop_asked, error, checkpoint) is read and written under the
 * registry's mutex. `live` says that the eddy_job still exists: eddy_job_stop() and
 * eddy_job_stop_with_savepoint() are called only under the mutex and only while it is true,
 * and the thread clears it (under the mutex) before it destroys the job.
 *
 * WITH DRAIN is refused: Flink's drain ends the sources and raises the watermark to the end,
 * so that every window fires before the savepoint; eddy's runtime (job.h) can stop a job at a
 * batch boundary but has no call that ends its sources from outside, and a drain done here
 * (stopping and then running the job's end) would need the runtime's internals.
 */
#include "jobs.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "common/arena.h"
#include "common/strbuf.h"

typedef enum job_status {
    JOB_RUNNING,
    JOB_FINISHED, /* sources ended, or stopped with a savepoint */
    JOB_CANCELED, /* stopped without a savepoint (STOP JOB, or the shell ended) */
    JOB_FAILED,
} job_status;

static const char *const status_names[] = {"RUNNING", "FINISHED", "CANCELED", "FAILED"};

typedef struct bg_job {
    eddy_shell_jobs *owner;
    char *id;            /* unique in the registry */
    char *name;          /* the job's name ('pipeline.name' or the statement's line) */
    char started[32];    /* start time, local ISO text */
    eddy_job *job;       /* valid while live */
    eddy_job_plan *plan; /* freed by the thread after the job */
    FILE *print_out;     /* closed by the thread after the job (may be NULL) */
    char *state_dir;     /* NULL: no checkpoints */
    char *state_root;    /* rmdir'ed after the job when empty (NULL: left) */
    pthread_t thread;
    bool joined; /* main thread only */
    /* under owner->mu: */
    bool live; /* the eddy_job exists: stop calls may reach it */
    job_status status;
    bool stop_asked;      /* STOP JOB or the shell's end asked it to stop */
    bool savepoint_asked; /* ... with a savepoint */
    bool state_kept;      /* ended with a checkpoint left in state_dir (it was stopped) */
    uint64_t checkpoint;  /* the last checkpoint's id (0: none) */
    char *error;          /* FAILED: the message */
} bg_job;

struct eddy_shell_jobs {
    pthread_mutex_t mu;
    bg_job **v; /* in the order they started */
    int n, cap;
};

/* ---------------------------------------------------------------------------------------- */
/* The line stream                                                                           */

typedef struct line_stream {
    FILE *dest;
    eddy_strbuf part; /* the start of a line whose '\n' has not come yet */
} line_stream;

/* Writes part, then s[0..n), to dest under its lock, and flushes. -1 when dest failed. */
static int emit(line_stream *ls, const char *s, size_t n)
{
    FILE *d = ls->dest;
    int rc = 0;
    flockfile(d);
    if (ls->part.n && fwrite_unlocked(ls->part.s, 1, ls->part.n, d) != ls->part.n) rc = -1;
    if (rc == 0 && n && fwrite_unlocked(s, 1, n, d) != n) rc = -1;
    if (fflush_unlocked(d) != 0) rc = -1;
    funlockfile(d);
    eddy_strbuf_clear(&ls->part);
    return rc;
}

static ssize_t ls_write(void *cookie, const char *buf, size_t n)
{
    line_stream *ls = cookie;
    const char *nl = memrchr(buf, '\n', n);
    size_t whole = nl ? (size_t)(nl - buf) + 1 : 0;
    if (whole && emit(ls, buf, whole) != 0) return -1;
    if (n > whole) eddy_strbuf_append(&ls->part, buf + whole, n - whole);
    return (ssize_t)n;
}

static int ls_close(void *cookie)
{
    line_stream *ls = cookie;
    int rc = ls->part.n ? emit(ls, NULL, 0) : 0;
    eddy_strbuf_free(&ls->part);
    free(ls);
    return rc;
}

FILE *eddy_shell_line_stream(FILE *dest)
{
    line_stream *ls = eddy_xcalloc(1, sizeof *ls);
    ls->dest = dest;
    cookie_io_functions_t io = {.read = NULL, .write = ls_write, .seek = NULL, .close = ls_close};
    FILE *f = fopencookie(ls, "w", io);
    if (!f) {
        fprintf(stderr, "eddy: out of memory\n");
        abort();
    }
    setvbuf(f, NULL, _IONBF, 0); /* each fwrite of the print sink reaches ls_write at once */
    return f;
}

/* ---------------------------------------------------------------------------------------- */
/* The registry                                                                              */

eddy_shell_jobs *eddy_shell_jobs_new(void)
{
    eddy_shell_jobs *js = eddy_xcalloc(1, sizeof *js);
    pthread_mutex_init(&js->mu, NULL);
    return js;
}

static bg_job *find(const eddy_shell_jobs *js, const char *id)
{
    for (int i = 0; i < js->n; i++)
        if (strcmp(js->v[i]->id, id) == 0) return js->v[i];
    return NULL;
}

void eddy_shell_jobs_make_id(const eddy_shell_jobs *js, const char *wanted, char *out, size_t n)
{
    if (wanted && *wanted && strlen(wanted) < n && !find(js, wanted)) {
        snprintf(out, n, "%s", wanted);
        return;
    }
    static unsigned counter; /* main thread only: mixes ids made in the same instant */
    do {
        uint32_t r;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            r = (uint32_t)ts.tv_nsec * 2654435761u ^ (uint32_t)getpid() ^ (uint32_t)ts.tv_sec;
        }
        r ^= ++counter * 0x9e3779b9u;
        snprintf(out, n, "%08x", (unsigned)r);
    } while (find(js, out));
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Whether dir holds a state or savepoint (its data.mdb). */
static bool holds_state(const char *dir)
{
    if (!dir) return false;
    size_t n = strlen(dir) + 16;
    char *p = eddy_xmalloc(n);
    snprintf(p, n, "%s/data.mdb", dir);
    bool yes = exists(p);
    free(p);
    return yes;
}

/* The job's thread: runs it, then destroys it and records how it ended. */
static void *job_main(void *arg)
{
    bg_job *j = arg;
    eddy_shell_jobs *js = j->owner;
    eddy_error err;
    eddy_error_clear(&err);
    int rc = eddy_job_run(j->job, &err);
    eddy_job_metrics m;
    eddy_job_get_metrics(j->job, &m);

    pthread_mutex_lock(&js->mu);
    j->live = false; /* no stop call reaches the job from here on */
    pthread_mutex_unlock(&js->mu);
    eddy_job_destroy(j->job);
    j->job = NULL;
    eddy_job_plan_free(j->plan);
    j->plan = NULL;
    if (j->print_out) fclose(j->print_out); /* its last partial line goes out */
    j->print_out = NULL;
    bool kept = holds_state(j->state_dir);            /* a stopped job keeps its last checkpoint */
    if (!kept && j->state_root) rmdir(j->state_root); /* only when empty */

    char msg[EDDY_ERROR_MSG_MAX + 64];
    if (rc) eddy_error_render(&err, NULL, msg, sizeof msg);
    pthread_mutex_lock(&js->mu);
    j->state_kept = kept;
    j->checkpoint = m.checkpoint_id;
    if (rc) {
        j->status = JOB_FAILED;
        j->error = eddy_xstrdup(msg);
    } else if (kept) {
        j->status = j->savepoint_asked ? JOB_FINISHED : JOB_CANCELED;
    } else {
        j->status = j->stop_asked && !j->state_dir ? JOB_CANCELED : JOB_FINISHED;
    }
    pthread_mutex_unlock(&js->mu);
    if (rc) fprintf(stderr, "eddy: job '%s' failed: %s\n", j->id, msg);
    return NULL;
}

int eddy_shell_jobs_start(eddy_shell_jobs *js, const eddy_shell_job_spec *spec)
{
    bg_job *j = eddy_xcalloc(1, sizeof *j);
    j->owner = js;
    j->id = eddy_xstrdup(spec->id);
    const char *name = spec->name ? spec->name : spec->plan->name;
    j->name = eddy_xstrdup(name ? name : "");
    j->job = spec->job;
    j->plan = spec->plan;
    j->print_out = spec->print_out;
    j->state_dir = spec->state_dir ? eddy_xstrdup(spec->state_dir) : NULL;
    j->state_root = spec->state_root ? eddy_xstrdup(spec->state_root) : NULL;
    j->live = true;
    j->status = JOB_RUNNING;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(j->started, sizeof j->started, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(j->started + k, sizeof j->started - k, ".%03ld", ts.tv_nsec / 1000000);

    if (js->n == js->cap) {
        js->cap = js->cap ? js->cap * 2 : 8;
        js->v = eddy_xrealloc(js->v, sizeof *js->v * (size_t)js->cap);
    }
    /* the thread inherits a mask without SIGINT and SIGTERM: they go to the main thread */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_mutex_lock(&js->mu);
    js->v[js->n] = j; /* before the thread starts: it only ever sees itself recorded */
    int e = pthread_create(&j->thread, NULL, job_main, j);
    if (e == 0) js->n++;
    pthread_mutex_unlock(&js->mu);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        fprintf(stderr, "eddy: cannot start a thread for job '%s': %s; stop another job first\n",
                spec->id, strerror(e));
        free(j->id);
        free(j->name);
        free(j->state_dir);
        free(j->state_root);
        free(j);
        return EDDY_EXIT_RUNTIME;
    }
    return EDDY_EXIT_OK;
}

static void join(bg_job *j)
{
    if (j->joined) return;
    pthread_join(j->thread, NULL);
    j->joined = true;
}

/* ---------------------------------------------------------------------------------------- */
/* SHOW JOBS                                                                                 */

/* Characters of UTF-8 text (for the table's widths). */
static int width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void rule(eddy_strbuf *b, const int *w)
{
    eddy_strbuf_putc(b, '+');
    for (int c = 0; c < 4; c++) {
        for (int k = 0; k < w[c] + 2; k++)
            eddy_strbuf_putc(b, '-');
        eddy_strbuf_putc(b, '+');
    }
    eddy_strbuf_putc(b, '\n');
}

static void row(eddy_strbuf *b, const int *w, const char *const *cells)
{
    eddy_strbuf_putc(b, '|');
    for (int c = 0; c < 4; c++) {
        eddy_strbuf_printf(b, " %s", cells[c]);
        for (int k = width(cells[c]); k < w[c] + 1; k++)
            eddy_strbuf_putc(b, ' ');
        eddy_strbuf_putc(b, '|');
    }
    eddy_strbuf_putc(b, '\n');
}

/* A job's name for the table: at most 60 characters (cut at a character's start). */
static char *short_name(const char *name)
{
    size_t n = strlen(name), cut = 0;
    int chars = 0;
    while (cut < n && chars < 60) {
        cut++;
        while (cut < n && ((unsigned char)name[cut] & 0xC0) == 0x80)
            cut++;
        chars++;
    }
    eddy_strbuf b = {0};
    eddy_strbuf_append(&b, name, cut);
    if (cut < n) eddy_strbuf_puts(&b, "...");
    return eddy_strbuf_take(&b);
}

void eddy_shell_jobs_show(eddy_shell_jobs *js, FILE *out)
{
    eddy_strbuf b = {0};
    if (js->n == 0) {
        eddy_strbuf_puts(&b, "Empty set\n");
    } else {
        static const char *const head[4] = {"job id", "job name", "status", "start time"};
        int nrows = js->n;
        char **cells = eddy_xcalloc((size_t)nrows * 4, sizeof *cells);
        eddy_strbuf errors = {0};
        pthread_mutex_lock(&js->mu);
        for (int r = 0; r < nrows; r++) {
            const bg_job *j = js->v[r];
            cells[r * 4] = eddy_xstrdup(j->id);
            cells[r * 4 + 1] = short_name(j->name);
            cells[r * 4 + 2] = eddy_xstrdup(status_names[j->status]);
            cells[r * 4 + 3] = eddy_xstrdup(j->started);
            if (j->status == JOB_FAILED)
                eddy_strbuf_printf(&errors, "job '%s' failed: %s\n", j->id, j->error);
        }
        pthread_mutex_unlock(&js->mu);
        int w[4];
        for (int c = 0; c < 4; c++) {
            w[c] = width(head[c]);
            for (int r = 0; r < nrows; r++)
                if (width(cells[r * 4 + c]) > w[c]) w[c] = width(cells[r * 4 + c]);
        }
        rule(&b, w);
        row(&b, w, head);
        rule(&b, w);
        for (int r = 0; r < nrows; r++)
            row(&b, w, (const char *const *)&cells[r * 4]);
        rule(&b, w);
        eddy_strbuf_printf(&b, "%d row%s in set\n", nrows, nrows == 1 ? "" : "s");
        eddy_strbuf_append(&b, eddy_strbuf_cstr(&errors), errors.n);
        eddy_strbuf_free(&errors);
        for (int i = 0; i < nrows * 4; i++)
            free(cells[i]);
        free(cells);
    }
    fputs(eddy_strbuf_cstr(&b), out); /* one call: a whole table between two jobs' lines */
    fflush(out);
    eddy_strbuf_free(&b);
}

/* ---------------------------------------------------------------------------------------- */
/* STOP JOB                                                                                  */

/* "'a', 'b'" of the running jobs, or "none". */
static char *running_ids(eddy_shell_jobs *js)
{
    eddy_strbuf b = {0};
    pthread_mutex_lock(&js->mu);
    for (int i = 0; i < js->n; i++)
        if (js->v[i]->status == JOB_RUNNING)
            eddy_strbuf_printf(&b, "%s'%s'", b.n ? ", " : "", js->v[i]->id);
    pthread_mutex_unlock(&js->mu);
    if (!b.n) eddy_strbuf_puts(&b, "none (SHOW JOBS lists the jobs of this session)");
    return eddy_strbuf_take(&b);
}

int eddy_shell_jobs_stop(eddy_shell_jobs *js, const char *id, const eddy_shell_stop *how, FILE *out)
{
    bg_job *j = find(js, id);
    pthread_mutex_lock(&js->mu);
    job_status st = j ? j->status : JOB_RUNNING;
    pthread_mutex_unlock(&js->mu);
    if (!j || st != JOB_RUNNING) {
        char *ids = running_ids(js);
        if (j)
            fprintf(stderr, "eddy: job '%s' is not running (it is %s); running jobs: %s\n", id,
                    status_names[st], ids);
        else
            fprintf(stderr, "eddy: no job '%s' in this session; running jobs: %s\n", id, ids);
        free(ids);
        return EDDY_EXIT_QUERY;
    }
    if (how->drain) {
        fprintf(stderr,
                "eddy: STOP JOB ... WITH DRAIN is not supported: eddy cannot end a running job's "
                "sources to fire its windows first; job '%s' goes on running (STOP JOB '%s' WITH "
                "SAVEPOINT stops it with its windows' state kept)\n",
                id, id);
        return EDDY_EXIT_QUERY;
    }
    char *sp = NULL;
    if (how->savepoint) {
        if (!how->savepoint_root || !*how->savepoint_root) {
            fprintf(stderr,
                    "eddy: STOP JOB '%s' WITH SAVEPOINT needs a directory for savepoints: SET "
                    "'state.savepoints.dir' = '/path/to/savepoints'; and stop it again (the job "
                    "goes on running)\n",
                    id);
            return EDDY_EXIT_QUERY;
        }
        if (!j->state_dir) {
            fprintf(stderr,
                    "eddy: job '%s' runs without checkpoints, so it has no state to save: SET "
                    "'state.dir' = 'DIR'; (or 'execution.checkpointing.interval') before an INSERT "
                    "gives its job checkpoints; STOP JOB '%s' stops this one without a savepoint "
                    "(the job goes on running)\n",
                    id, id);
            return EDDY_EXIT_QUERY;
        }
        size_t n = strlen(how->savepoint_root) + strlen(id) + 2;
        sp = eddy_xmalloc(n);
        snprintf(sp, n, "%s/%s", how->savepoint_root, id);
    }

    eddy_error err;
    eddy_error_clear(&err);
    int rc = 0;
    bool asked = false; /* false: the job was ending by itself already */
    pthread_mutex_lock(&js->mu);
    if (j->live) {
        if (sp)
            rc = eddy_job_stop_with_savepoint(j->job, sp, &err);
        else
            eddy_job_stop(j->job);
        if (rc == 0) {
            j->stop_asked = asked = true;
            j->savepoint_asked = sp != NULL;
        }
    }
    pthread_mutex_unlock(&js->mu);
    if (rc) {
        char msg[EDDY_ERROR_MSG_MAX + 64];
        fprintf(stderr, "eddy: STOP JOB '%s' WITH SAVEPOINT: %s (the job goes on running)\n", id,
                eddy_error_render(&err, NULL, msg, sizeof msg));
        free(sp);
        return EDDY_EXIT_QUERY;
    }

    join(j); /* the job takes its last checkpoint (and the savepoint) and ends */
    pthread_mutex_lock(&js->mu);
    st = j->status;
    bool kept = j->state_kept;
    uint64_t ck = j->checkpoint;
    pthread_mutex_unlock(&js->mu);
    int exit_code = EDDY_EXIT_OK;
    eddy_strbuf b = {0};
    if (st == JOB_FAILED) {
        fprintf(stderr, "eddy: job '%s' failed while stopping (its error is above)%s\n", id,
                sp ? "; no savepoint was written" : "");
        exit_code = EDDY_EXIT_RUNTIME;
    } else if (!asked || (!kept && j->state_dir)) {
        /* it reached the end of its input before the stop took effect */
        eddy_strbuf_printf(&b,
                           "[INFO] Job '%s' had finished (its sources ended) before it could "
                           "be stopped%s.\n",
                           id, sp ? "; no savepoint was written" : "");
    } else {
        eddy_strbuf_printf(&b, "[INFO] Job '%s' has been stopped", id);
        if (kept)
            eddy_strbuf_printf(&b, " at checkpoint %llu (its state stays in %s)",
                               (unsigned long long)ck, j->state_dir);
        eddy_strbuf_puts(&b, ".\n");
        if (sp) eddy_strbuf_printf(&b, "Savepoint completed. Path: %s\n", sp);
    }
    if (b.n) {
        fputs(b.s, out);
        fflush(out);
    }
    eddy_strbuf_free(&b);
    free(sp);
    return exit_code;
}

void eddy_shell_jobs_stop_all(eddy_shell_jobs *js)
{
    if (!js) return;
    int asked = 0;
    pthread_mutex_lock(&js->mu);
    for (int i = 0; i < js->n; i++) {
        bg_job *j = js->v[i];
        if (j->live && !j->stop_asked) {
            eddy_job_stop(j->job);
            j->stop_asked = true;
            asked++;
        }
    }
    pthread_mutex_unlock(&js->mu);
    if (asked) fprintf(stderr, "eddy: stopping %d running job%s\n", asked, asked == 1 ? "" : "s");
    for (int i = 0; i < js->n; i++) {
        bg_job *j = js->v[i];
        bool was_running = !j->joined;
        join(j);
        pthread_mutex_lock(&js->mu);
        bool report = was_running && j->stop_asked && j->status != JOB_FAILED;
        bool kept = j->state_kept;
        uint64_t ck = j->checkpoint;
        pthread_mutex_unlock(&js->mu);
        if (!report) continue;
        if (kept)
            fprintf(stderr, "eddy: job '%s' stopped at checkpoint %llu; its state stays in %s\n",
                    j->id, (unsigned long long)ck, j->state_dir);
        else
            fprintf(stderr, "eddy: job '%s' stopped\n", j->id);
    }
}

void eddy_shell_jobs_free(eddy_shell_jobs *js)
{
    if (!js) return;
    eddy_shell_jobs_stop_all(js);
    for (int i = 0; i < js->n; i++) {
        bg_job *j = js->v[i];
        free(j->id);
        free(j->name);
        free(j->state_dir);
        free(j->state_root);
        free(j->error);
        free(j);
    }
    free(js->v);
    pthread_mutex_destroy(&js->mu);
    free(js);
}
