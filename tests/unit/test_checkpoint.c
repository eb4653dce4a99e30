/*
 * test_checkpoint.c: the checkpoint coordinator (runtime/checkpoint.c) driven through
 * runtime/job.h, with plans made by the planner over two connectors of this file:
 *
 *   'counter'  a source of one BIGINT column: 1, 2, ... 'rows' in batches of 'batch', with a
 *              position (the next value) and a seek, as connector.h asks;
 *   'record'   an exactly-once sink over an in-memory "external system": rows become visible
 *              only at commit(N); the marker holds the prepared rows, so that recover() can
 *              finish a commit that a crash cut off; it can stop the job, fail a write (a crash
 *              between checkpoints) or fail a commit (a crash after the checkpoint is durable).
 *
 * The plans are stateless apart from watermarks and the sink's LIMIT counter (the operators'
 * own state is tested with them), so what is checked here is the protocol: positions restored,
 * markers recovered, output exactly once, the plan check and its message, savepoints, the
 * interval option and the clean-up of a finished job.
 *
 * Asynchronous checkpoints (runtime/checkpoint.h; the writer slowed or killed through its test
 * hooks, EDDY_CHECKPOINT_TEST_*): rows reach the sink between prepare_commit(N) and commit(N)
 * and stay out of N; the pause is the fork, not the writing; a writer's error and a writer's
 * death fail the job with their message and the rerun resumes exactly once; a writer grows a
 * small map (GROUP BY over 20,000 keys) and the job's own environment copes with it; a job that
 * finished is restarted from its last (markers-only) checkpoint; a job that ends does not wait
 * for the writer in flight.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "runtime/job.h"
#include "test_planner_util.h"

/* From runtime/checkpoint.h, which cannot be included next to the planner's headers: it needs
 * runtime/operator.h, whose struct eddy_op clashes with parser/ast.h's enum eddy_op. */
int eddy_checkpoint_parse_interval(const char *text, int64_t *ms);

/* ---- the external system the 'record' sink writes to, and what the tests observe ----- */

#define MAXROWS 32768

typedef struct ext_system {
    int64_t visible[MAXROWS];   /* committed rows, in commit order */
    int nvisible;
    uint64_t visible_ckpt;      /* the last checkpoint whose rows are visible */
    int recover_null;           /* recover(NULL) calls */
    int recover_marker;         /* recover(marker) calls */
    int commits;                /* commit() calls that succeeded */
    /* faults, set by a test */
    int64_t stop_after;         /* rows written: eddy_job_stop (0 = never) */
    int64_t fail_after;         /* rows written: write() fails (0 = never) */
    int fail_commit;            /* the n-th commit() fails (0 = never) */
    bool fail_final_commit;     /* the commit of a checkpoint prepared after the source ended
                                 * (the finished job's last one) fails */
    /* what the test observes */
    bool source_ended;          /* the counter returned EDDY_POLL_END */
    int64_t written_between;    /* rows written while a prepared checkpoint waited for commit */
    int prepares;               /* prepare_commit() calls */
    int64_t max_pause_us;       /* job metrics seen at commit(): the largest checkpoint pause */
    int64_t min_ckpt_ms;        /* and the shortest duration of a completed checkpoint */
} ext_system;

static ext_system ext;
static eddy_job *running_job;

/* ---- the 'counter' source --------------------------------------------------------------- */

typedef struct counter {
    int64_t next, rows;
    int batch;
    long pause_ns;              /* per batch ('pause-us', default 200) */
} counter;

static int counter_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    (void)err;
    counter *c = calloc(1, sizeof *c);
    c->next = 1;
    c->rows = atoll(eddy_kv_get(spec->options, spec->noptions, "rows", "1000"));
    c->batch = atoi(eddy_kv_get(spec->options, spec->noptions, "batch", "10"));
    c->pause_ns = atol(eddy_kv_get(spec->options, spec->noptions, "pause-us", "200")) * 1000;
    *state = c;
    return 0;
}

static int counter_splits(void *state)
{
    (void)state;
    return 1;
}

static int counter_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    (void)timeout_ms;
    (void)err;
    counter *c = state;
    if (c->next > c->rows) {
        ext.source_ended = true;
        return EDDY_POLL_END;
    }
    struct timespec ts = {0, c->pause_ns}; /* 0.2 ms a batch: checkpoints every few batches */
    nanosleep(&ts, NULL);
    int n = 0;
    while (n < c->batch && n < out->cap && c->next <= c->rows) out->cols[0].v.i64[n++] = c->next++;
    out->n = n;
    out->split = 0;
    return EDDY_POLL_DATA;
}

static int counter_position(void *state, eddy_strbuf *buf, eddy_error *err)
{
    (void)err;
    eddy_strbuf_printf(buf, "next=%lld", (long long)((counter *)state)->next);
    return 0;
}

static int counter_seek(void *state, const char *data, size_t len, eddy_error *err)
{
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)len, data);
    if (strncmp(text, "next=", 5) != 0)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "bad counter position '%s'", text);
    ((counter *)state)->next = atoll(text + 5);
    return 0;
}

static void counter_close(void *state)
{
    free(state);
}

static const eddy_source_ops counter_source = {
    .name = "counter",
    .open = counter_open,
    .splits = counter_splits,
    .poll = counter_poll,
    .position = counter_position,
    .seek = counter_seek,
    .close = counter_close,
};

/* ---- the 'record' sink and its external system ------------------------------------------ */


typedef struct record {
    bool exactly_once;
    int64_t pending[MAXROWS];   /* written since the last prepare_commit */
    int npending;
    int64_t prepared[MAXROWS];  /* prepared, waiting for commit */
    int nprepared;
    int64_t written;
    int commit_calls;
    bool in_flight;             /* prepare_commit() came, its commit() not yet */
    bool final_prepared;        /* the prepared checkpoint came after the source ended */
} record;

static int record_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    (void)err;
    record *r = calloc(1, sizeof *r);
    r->exactly_once = spec->checkpointing;
    *state = r;
    return 0;
}

static int record_write(void *state, const eddy_batch *b, eddy_error *err)
{
    record *r = state;
    for (int i = 0; i < b->n; i++) {
        if (r->exactly_once)
            r->pending[r->npending++] = b->cols[0].v.i64[i];
        else
            ext.visible[ext.nvisible++] = b->cols[0].v.i64[i];
    }
    r->written += b->n;
    if (r->in_flight) ext.written_between += b->n;
    if (ext.fail_after && r->written >= ext.fail_after)
        return eddy_error_set(err, EDDY_EIO, 0, 0, "record: simulated crash after %lld rows",
                              (long long)r->written);
    if (ext.stop_after && r->written >= ext.stop_after && running_job) eddy_job_stop(running_job);
    return 0;
}

static int record_flush(void *state, eddy_error *err)
{
    (void)state;
    (void)err;
    return 0;
}

static int record_prepare(void *state, uint64_t ckpt, eddy_strbuf *marker, eddy_error *err)
{
    (void)err;
    record *r = state;
    memcpy(r->prepared + r->nprepared, r->pending, sizeof(int64_t) * (size_t)r->npending);
    r->nprepared += r->npending;
    r->npending = 0;
    r->in_flight = true;
    r->final_prepared = ext.source_ended;
    ext.prepares++;
    eddy_strbuf_printf(marker, "%llu", (unsigned long long)ckpt);
    for (int i = 0; i < r->nprepared; i++) eddy_strbuf_printf(marker, " %lld", (long long)r->prepared[i]);
    return 0;
}

static int record_commit(void *state, uint64_t ckpt, eddy_error *err)
{
    record *r = state;
    if ((ext.fail_commit && ++r->commit_calls == ext.fail_commit) ||
        (ext.fail_final_commit && r->final_prepared))
        return eddy_error_set(err, EDDY_EIO, 0, 0, "record: simulated crash before commit %llu",
                              (unsigned long long)ckpt);
    r->in_flight = false;
    if (running_job) {
        eddy_job_metrics m;
        eddy_job_get_metrics(running_job, &m);
        if (m.checkpoint_pause_us > ext.max_pause_us) ext.max_pause_us = m.checkpoint_pause_us;
        if (m.checkpoints > 0 && m.checkpoint_ms < ext.min_ckpt_ms) ext.min_ckpt_ms = m.checkpoint_ms;
    }
    memcpy(ext.visible + ext.nvisible, r->prepared, sizeof(int64_t) * (size_t)r->nprepared);
    ext.nvisible += r->nprepared;
    r->nprepared = 0;
    ext.visible_ckpt = ckpt;
    ext.commits++;
    return 0;
}

/* Completes the commit of the marker's checkpoint unless it is visible already. */
static int record_recover(void *state, const char *marker, size_t len, eddy_error *err)
{
    (void)state;
    (void)err;
    if (!marker) {
        ext.recover_null++;
        return 0;
    }
    ext.recover_marker++;
    char *text = strndup(marker, len);
    char *p = text;
    unsigned long long ckpt = strtoull(p, &p, 10);
    if (ckpt > ext.visible_ckpt) {
        while (*p) ext.visible[ext.nvisible++] = strtoll(p, &p, 10);
        ext.visible_ckpt = ckpt;
    }
    free(text);
    return 0;
}

static void record_close(void *state)
{
    free(state);
}

static const eddy_sink_ops record_sink = {
    .name = "record",
    .open = record_open,
    .write = record_write,
    .flush = record_flush,
    .prepare_commit = record_prepare,
    .commit = record_commit,
    .recover = record_recover,
    .close = record_close,
};

static const eddy_connector counter_conn = {.name = "counter", .source = &counter_source};
static const eddy_connector record_conn = {.name = "record", .sink = &record_sink,
                                           .accepts_changelog = true};
static const eddy_connector *const registry[] = {&counter_conn, &record_conn, NULL};

/* ---- fixture ---------------------------------------------------------------------------- */

typedef struct fixture {
    char dir[256];      /* temporary directory */
    char state[300];    /* its state directory */
    eddy_session *s;
} fixture;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/eddy_test_checkpoint_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->state, sizeof f->state, "%s/state/job", f->dir);
    f->s = eddy_session_new();
    tp_ok(f->s, "CREATE TABLE a (id BIGINT) WITH ('connector' = 'counter', 'rows' = '1000');\n"
                "CREATE TABLE b (id BIGINT) WITH ('connector' = 'counter', 'rows' = '1000');\n"
                "CREATE TABLE out (id BIGINT) WITH ('connector' = 'record');\n"
                "CREATE TABLE out2 (id BIGINT) WITH ('connector' = 'record');\n"
                "CREATE TABLE big (id BIGINT) WITH ('connector' = 'counter', 'rows' = '20000', "
                "'batch' = '100');\n"
                "CREATE TABLE grp (id BIGINT, n BIGINT) WITH ('connector' = 'record');\n"
                "CREATE TABLE slow (id BIGINT) WITH ('connector' = 'counter', 'rows' = '10000', "
                "'pause-us' = '1000');\n"
                "CREATE TABLE paced (id BIGINT) WITH ('connector' = 'counter', 'rows' = '1000', "
                "'pause-us' = '3000');\n");
    memset(&ext, 0, sizeof ext);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    eddy_session_free(f->s);
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static bool file_exists(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s%s", dir, name ? "/" : "", name ? name : "");
    struct stat st;
    return stat(path, &st) == 0;
}

typedef struct run_result {
    int create_rc;          /* eddy_job_create */
    int run_rc;             /* eddy_job_run */
    char msg[EDDY_ERROR_MSG_MAX];
    eddy_job_metrics start; /* metrics right after create (restored checkpoint id) */
    eddy_job_metrics end;   /* metrics after run */
} run_result;

/* Plans sql and runs it as a job with opt (state_dir etc.); faults come from ext. */
static run_result run_job(fixture *f, const char *sql, const eddy_job_options *opt)
{
    run_result r;
    memset(&r, 0, sizeof r);
    eddy_job_plan *p = tp_plan(f->s, sql);
    eddy_error err;
    eddy_error_clear(&err);
    eddy_job *job;
    r.create_rc = eddy_job_create(p, registry, opt, &job, &err);
    if (r.create_rc == 0) {
        eddy_job_get_metrics(job, &r.start);
        running_job = job;
        r.run_rc = eddy_job_run(job, &err);
        running_job = NULL;
        eddy_job_get_metrics(job, &r.end);
        eddy_job_destroy(job);
    }
    snprintf(r.msg, sizeof r.msg, "%s", err.msg);
    eddy_job_plan_free(p);
    return r;
}

/* The visible output is exactly 1..n, in order. */
static void assert_exactly(int64_t n)
{
    if (ext.nvisible != n) fail_msg("%d rows visible, expected %lld", ext.nvisible, (long long)n);
    for (int i = 0; i < ext.nvisible; i++)
        if (ext.visible[i] != i + 1)
            fail_msg("row %d is %lld, expected %d (duplicate or gap)", i, (long long)ext.visible[i], i + 1);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_interval_parsing(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t ms;
    } good[] = {
        {"10s", 10000}, {"200ms", 200},  {"1 min", 60000}, {"2h", 7200000}, {"1 d", 86400000},
        {"500", 500},   {" 10 S ", 10000}, {"3 seconds", 3000}, {"1m", 60000}, {"5 mins", 300000},
        {"250 milliseconds", 250},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t ms = -1;
        if (eddy_checkpoint_parse_interval(good[i].text, &ms) != 0)
            fail_msg("'%s' did not parse", good[i].text);
        assert_int_equal(ms, good[i].ms);
    }
    static const char *const bad[] = {"", "s", "abc", "-1s", "1.5s", "10 parsecs", "10s x",
                                      "99999999999999999999", "9999999999999999 d", NULL};
    for (int i = 0; bad[i]; i++) {
        int64_t ms;
        if (eddy_checkpoint_parse_interval(bad[i], &ms) == 0) fail_msg("'%s' parsed", bad[i]);
    }
}

/* A bad interval in the plan's options is refused when the job is created. The planner may
 * refuse it at SET already, so the plan is made with a good value that is then replaced. */
static void test_interval_option(void **state)
{
    fixture *f = *state;
    eddy_job_plan *p = tp_plan(f->s, "SET 'execution.checkpointing.interval' = '1 s';\n"
                                     "INSERT INTO out SELECT id FROM a;");
    bool found = false;
    for (int i = 0; i < p->nconfig; i++) {
        if (strcmp(p->config[i].key, "execution.checkpointing.interval") == 0) {
            p->config[i].value = "10 parsecs";
            found = true;
        }
    }
    assert_true(found);
    eddy_job_options o = {.state_dir = f->state};
    eddy_error err;
    eddy_error_clear(&err);
    eddy_job *job = NULL;
    assert_int_equal(eddy_job_create(p, registry, &o, &job, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "'execution.checkpointing.interval' = '10 parsecs'"));
    assert_false(file_exists(f->state, NULL)); /* nothing created */
    eddy_job_plan_free(p);
}

/* Stopped, the job takes a last checkpoint; run again, it resumes and ends exactly once. */
static void test_stop_and_resume(void **state)
{
    fixture *f = *state;
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 5};
    ext.stop_after = 300;
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.create_rc, 0);
    assert_int_equal(r.run_rc, 0);
    assert_int_equal(ext.recover_null, 1); /* fresh start: recover(NULL) once */
    assert_int_equal(r.start.checkpoint_id, 0);
    assert_true(r.end.checkpoints >= 1);
    assert_true(r.end.checkpoint_bytes > 0);
    assert_true(ext.nvisible >= 300 && ext.nvisible < 1000);
    assert_exactly(ext.nvisible); /* everything written was committed by the last checkpoint */
    assert_true(file_exists(f->state, "data.mdb"));
    uint64_t last = r.end.checkpoint_id;

    ext.stop_after = 0;
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.create_rc, 0);
    assert_int_equal(r.run_rc, 0);
    assert_int_equal(r.start.checkpoint_id, last); /* restored */
    assert_int_equal(ext.recover_marker, 1);
    assert_exactly(1000);
    /* a finished job leaves no state behind; the state root stays (not the job's) */
    assert_false(file_exists(f->state, "data.mdb"));
    assert_false(file_exists(f->state, NULL));
    assert_true(file_exists(f->dir, "state"));
}

/* A failed write (a crash) between checkpoints: the rerun starts from the last checkpoint, and
 * what was written after it never shows. */
static void test_crash_between_checkpoints(void **state)
{
    fixture *f = *state;
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 1};
    ext.fail_after = 600;
    /* checkpoints written in the job's process, between batches: on a loaded machine an
     * asynchronous writer may not finish two of them before row 600 */
    setenv("EDDY_CHECKPOINT_SYNC", "1", 1);
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    unsetenv("EDDY_CHECKPOINT_SYNC");
    assert_int_equal(r.create_rc, 0);
    assert_int_equal(r.run_rc, EDDY_EIO);
    assert_true(r.end.checkpoints >= 2); /* else the test shows nothing */
    assert_true(ext.nvisible < 600);
    assert_exactly(ext.nvisible);

    ext.fail_after = 0;
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_true(r.start.checkpoint_id >= 2);
    assert_exactly(1000);
}

/* A crash after the checkpoint is durable but before the sink's commit: recover() finishes it
 * from the marker, and the rows neither vanish nor come twice. */
static void test_crash_before_commit(void **state)
{
    fixture *f = *state;
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 1};
    ext.fail_commit = 3;
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, EDDY_EIO);
    assert_int_equal(ext.commits, 2);
    int seen = ext.nvisible;
    assert_exactly(seen);

    ext.fail_commit = 0;
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_int_equal(r.start.checkpoint_id, 3);
    assert_int_equal(ext.recover_marker, 1);
    assert_true(ext.nvisible > seen);
    assert_exactly(1000);
}

/* The plan check: another source is refused with a message naming it; a filter added after the
 * source (no state) is accepted; another sink table is refused as operator 0. */
static void test_plan_mismatch(void **state)
{
    fixture *f = *state;
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 5};
    ext.stop_after = 100;
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, 0);
    ext.stop_after = 0;
    int seen = ext.nvisible;

    r = run_job(f, "INSERT INTO out SELECT id FROM b;", &o);
    assert_int_equal(r.create_rc, EDDY_ESTATE);
    char want[512];
    snprintf(want, sizeof want,
             "checkpoint in %s does not match this query: source 0 was 'Source a counter', the "
             "query has 'Source b counter'",
             f->state);
    if (!strstr(r.msg, want)) fail_msg("message: %s\nwanted: %s", r.msg, want);

    r = run_job(f, "INSERT INTO out2 SELECT id FROM a;", &o);
    assert_int_equal(r.create_rc, EDDY_ESTATE);
    if (!strstr(r.msg, "operator 0 was 'Sink out record', the query has 'Sink out2 record'"))
        fail_msg("message: %s", r.msg);
    assert_int_equal(ext.nvisible, seen); /* refused before anything ran */
    assert_true(file_exists(f->state, "data.mdb")); /* and the checkpoint is still there */

    r = run_job(f, "INSERT INTO out SELECT id FROM a WHERE id > 0;", &o);
    assert_int_equal(r.create_rc, 0);
    assert_int_equal(r.run_rc, 0);
    assert_exactly(1000);
}

/* Stop with a savepoint, start from it in a fresh state directory. */
static void test_savepoint(void **state)
{
    fixture *f = *state;
    char sp[300], fresh[300];
    snprintf(sp, sizeof sp, "%s/sp/job", f->dir);
    snprintf(fresh, sizeof fresh, "%s/state2/job", f->dir);
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 5, .savepoint_dir = sp};
    ext.stop_after = 400;
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_true(file_exists(sp, "data.mdb"));
    uint64_t last = r.end.checkpoint_id;

    /* the same command again resumes, and its stop replaces the savepoint with a newer one */
    ext.stop_after = 200; /* rows of this run */
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_int_equal(r.start.checkpoint_id, last);
    assert_true(r.end.checkpoint_id > last);
    last = r.end.checkpoint_id;
    assert_true(file_exists(sp, "data.mdb"));
    char side[400];
    snprintf(side, sizeof side, "%s/sp/.job.writing", f->dir);
    assert_false(file_exists(side, NULL));
    snprintf(side, sizeof side, "%s/sp/.job.old", f->dir);
    assert_false(file_exists(side, NULL));

    /* a savepoint directory that holds anything else is refused before the job runs */
    char other[400];
    snprintf(other, sizeof other, "%s/notes.txt", sp);
    FILE *fp = fopen(other, "w");
    fclose(fp);
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.create_rc, EDDY_ESTATE);
    assert_non_null(strstr(r.msg, "holds other files than a savepoint"));
    unlink(other);

    /* into a state directory that holds a checkpoint: refused */
    eddy_job_options o2 = {.state_dir = f->state, .from_savepoint = sp};
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o2);
    assert_int_equal(r.create_rc, EDDY_ESTATE);
    assert_non_null(strstr(r.msg, "already holds checkpoint"));

    /* from a directory without a savepoint: refused, and nothing is left behind */
    char none[300];
    snprintf(none, sizeof none, "%s/nothing", f->dir);
    eddy_job_options o3 = {.state_dir = fresh, .from_savepoint = none};
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o3);
    assert_int_equal(r.create_rc, EDDY_ESTATE);
    assert_non_null(strstr(r.msg, "no savepoint in"));
    assert_false(file_exists(fresh, NULL));

    /* a savepoint that does not fit the query: refused, the copy removed again */
    eddy_job_options o4 = {.state_dir = fresh, .from_savepoint = sp};
    r = run_job(f, "INSERT INTO out SELECT id FROM b;", &o4);
    assert_int_equal(r.create_rc, EDDY_ESTATE);
    char want[512];
    snprintf(want, sizeof want, "savepoint in %s does not match this query: source 0", sp);
    if (!strstr(r.msg, want)) fail_msg("message: %s", r.msg);
    assert_false(file_exists(fresh, "data.mdb"));

    /* a fresh state directory from the savepoint resumes where the stop was */
    ext.stop_after = 0;
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o4);
    assert_int_equal(r.create_rc, 0);
    assert_int_equal(r.run_rc, 0);
    assert_int_equal(r.start.checkpoint_id, last);
    assert_exactly(1000);
    assert_true(file_exists(sp, "data.mdb")); /* the savepoint itself is left as it was */
    assert_false(file_exists(sp, "LOCK"));
}

/* The sink's LIMIT counter is state: a resumed job writes only what is left, then ends. */
static void test_limit_counter(void **state)
{
    fixture *f = *state;
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 5};
    ext.stop_after = 100;
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a LIMIT 250;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_true(ext.nvisible >= 100 && ext.nvisible < 250);
    ext.stop_after = 0;
    r = run_job(f, "INSERT INTO out SELECT id FROM a LIMIT 250;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_exactly(250);
    assert_false(file_exists(f->state, NULL)); /* ended by its LIMIT: finished */

    /* without checkpoints the LIMIT ends the job too */
    memset(&ext, 0, sizeof ext);
    eddy_job_options none = {0};
    r = run_job(f, "INSERT INTO out SELECT id FROM a LIMIT 42;", &none);
    assert_int_equal(r.run_rc, 0);
    assert_exactly(42);
}

/* Without a state directory nothing changes: no recover, no commit, flushes only. */
static void test_no_state_dir(void **state)
{
    fixture *f = *state;
    eddy_job_options o = {0};
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_int_equal(ext.recover_null + ext.recover_marker + ext.commits, 0);
    assert_int_equal(r.end.checkpoints, 0);
    assert_exactly(1000);
}

/* ---- asynchronous checkpoints (runtime/checkpoint.h) ------------------------------------- */

static void unset_hooks(void)
{
    unsetenv("EDDY_CHECKPOINT_TEST_DELAY_MS");
    unsetenv("EDDY_CHECKPOINT_TEST_KILL");
    unsetenv("EDDY_CHECKPOINT_SYNC");
    unsetenv("EDDY_STATE_TEST_MAPSIZE");
}

/* The visible output holds 1..n once each, in any order (a GROUP BY emits in its own order). */
static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void assert_each_once(int64_t n)
{
    int64_t *v = malloc(sizeof(int64_t) * (size_t)(ext.nvisible ? ext.nvisible : 1));
    memcpy(v, ext.visible, sizeof(int64_t) * (size_t)ext.nvisible);
    qsort(v, (size_t)ext.nvisible, sizeof *v, cmp_i64);
    int nv = ext.nvisible;
    for (int i = 0; i < nv && i < n; i++)
        if (v[i] != i + 1) {
            int64_t got = v[i];
            free(v);
            fail_msg("sorted row %d is %lld, expected %d (duplicate or gap)", i, (long long)got, i + 1);
        }
    free(v);
    if (nv != n) fail_msg("%d rows visible, expected %lld", nv, (long long)n);
}

/* The job goes on while a checkpoint is written: rows reach the sink between its
 * prepare_commit(N) and commit(N), commit(N) makes visible only what prepare_commit(N) cut off,
 * and the pipeline stood still for far less than the checkpoint took. Synchronously
 * (EDDY_CHECKPOINT_SYNC=1) no row could come in between. */
static void test_async_rows_between_prepare_and_commit(void **state)
{
    fixture *f = *state;
    setenv("EDDY_CHECKPOINT_TEST_DELAY_MS", "30", 1); /* the writer takes >= 30 ms */
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 5};
    ext.stop_after = 600;
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, 0);
    if (ext.written_between == 0) fail_msg("no row was written while a checkpoint was in flight");
    assert_true(r.end.checkpoints >= 2);
    assert_exactly(ext.nvisible); /* all in order, none twice; the stop committed everything */
    assert_true(ext.nvisible >= 600);
    ext.stop_after = 0;
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_exactly(1000);
    unset_hooks();

    /* synchronously nothing comes in between (so the check above can fail) */
    memset(&ext, 0, sizeof ext);
    char fresh[400];
    snprintf(fresh, sizeof fresh, "%s/sync", f->dir);
    setenv("EDDY_CHECKPOINT_SYNC", "1", 1);
    eddy_job_options o3 = {.state_dir = fresh, .checkpoint_interval_ms = 2};
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o3);
    assert_int_equal(r.run_rc, 0);
    assert_true(r.end.checkpoints >= 2);
    assert_int_equal(ext.written_between, 0);
    assert_exactly(1000);
    unset_hooks();
}

/* The pipeline stands still for the sinks' prepare and the fork, not for the writing: with a
 * writer that takes 200 ms, every checkpoint lasts that long and none paused the job for half
 * of it (seen from the sink's commit(), where the job's metrics tell the pause of the checkpoint
 * being committed and the duration of the one before). */
static void test_async_pause(void **state)
{
    fixture *f = *state;
    setenv("EDDY_CHECKPOINT_TEST_DELAY_MS", "200", 1);
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 1};
    ext.stop_after = 6000; /* 0.6 s at 10 rows per ms */
    ext.min_ckpt_ms = INT64_MAX;
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM slow;", &o);
    unset_hooks();
    assert_int_equal(r.run_rc, 0);
    assert_true(r.end.checkpoints >= 3); /* two asynchronous ones at least, then the stop's */
    assert_true(ext.written_between > 0);
    if (ext.min_ckpt_ms < 200) fail_msg("a checkpoint took %lld ms", (long long)ext.min_ckpt_ms);
    if (ext.max_pause_us >= 100000)
        fail_msg("a checkpoint paused the job %lld us", (long long)ext.max_pause_us);
    assert_exactly(ext.nvisible);
}

/* A writer that fails fails the job with its message; nothing of that checkpoint shows. Here
 * the state file disappears under the running job (someone removed the directory): the
 * writer, which opens the directory anew, cannot write it. */
static void test_async_writer_error(void **state)
{
    fixture *f = *state;
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 5};
    eddy_job_plan *p = tp_plan(f->s, "INSERT INTO out SELECT id FROM a;");
    eddy_error err;
    eddy_error_clear(&err);
    eddy_job *job;
    assert_int_equal(eddy_job_create(p, registry, &o, &job, &err), 0);
    char data[400];
    snprintf(data, sizeof data, "%s/data.mdb", f->state);
    assert_int_equal(unlink(data), 0);
    int rc = eddy_job_run(job, &err);
    eddy_job_metrics m;
    eddy_job_get_metrics(job, &m);
    eddy_job_destroy(job);
    eddy_job_plan_free(p);
    assert_int_equal(rc, EDDY_ESTATE);
    char want[512];
    snprintf(want, sizeof want, "state file %s is gone: it was removed while the job ran", data);
    if (!strstr(err.msg, want)) fail_msg("message: %s\nwanted: %s", err.msg, want);
    assert_int_equal(m.checkpoints, 0);
    assert_int_equal(ext.commits, 0);
    assert_int_equal(ext.nvisible, 0);
}

/* A writer that dies (SIGKILL) fails the job, naming the signal; the rerun resumes from the
 * checkpoint before it, exactly once. */
static void test_async_writer_killed(void **state)
{
    fixture *f = *state;
    setenv("EDDY_CHECKPOINT_TEST_KILL", "3", 1);
    /* 3 ms a batch (0.3 s in all): three checkpoints start before the end even when the
     * machine is loaded */
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 2};
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM paced;", &o);
    unset_hooks();
    if (r.run_rc != EDDY_ESTATE)
        fail_msg("run: rc %d, %llu checkpoints, last %llu: %s", r.run_rc,
                 (unsigned long long)r.end.checkpoints, (unsigned long long)r.end.checkpoint_id, r.msg);
    char want[512];
    snprintf(want, sizeof want, "checkpoint 3 in %s was not written: its writer process (pid ", f->state);
    if (!strstr(r.msg, want) || !strstr(r.msg, "was killed by signal 9") ||
        !strstr(r.msg, "the last completed checkpoint is still 2"))
        fail_msg("message: %s", r.msg);
    assert_int_equal(r.end.checkpoint_id, 2);
    assert_int_equal(ext.commits, 2);
    int seen = ext.nvisible;
    assert_exactly(seen);

    r = run_job(f, "INSERT INTO out SELECT id FROM paced;", &o);
    assert_int_equal(r.run_rc, 0);
    assert_int_equal(r.start.checkpoint_id, 2);
    assert_exactly(1000);
}

/* A writer whose map is full grows it, as often as needed (a loop), and the job's own
 * environment then copes with the grown map: it reads the writer's checkpoint id, takes the
 * stop's checkpoint itself, and a rerun restores it. */
static void test_async_map_growth(void **state)
{
    fixture *f = *state;
    setenv("EDDY_STATE_TEST_MAPSIZE", "262144", 1); /* 256 KiB; the groups need over 1 MiB */
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 20};
    ext.stop_after = 15000;
    const char *q = "INSERT INTO grp SELECT id, COUNT(*) FROM big GROUP BY id;";
    run_result r = run_job(f, q, &o);
    if (r.run_rc) fail_msg("run: %s", r.msg);
    assert_true(r.end.checkpoints >= 2);
    assert_true(r.end.checkpoint_bytes > 4 * 262144);
    ext.stop_after = 0;
    r = run_job(f, q, &o);
    unset_hooks();
    if (r.run_rc) fail_msg("rerun: %s", r.msg);
    assert_true(r.start.checkpoint_id >= 2);
    assert_each_once(20000);
}

/* A job that ends by itself writes a last checkpoint of the sinks' markers only; killed before
 * its state is removed (here: the last commit fails), the rerun completes that commit from the
 * marker, runs nothing, and removes the state. */
static void test_async_finished_restart(void **state)
{
    fixture *f = *state;
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 5};
    ext.fail_final_commit = true;
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.run_rc, EDDY_EIO);
    assert_true(ext.nvisible < 1000);
    assert_true(file_exists(f->state, "data.mdb")); /* the removal did not happen */
    uint64_t last = r.end.checkpoint_id;

    ext.fail_final_commit = false;
    ext.source_ended = false;
    int recovered = ext.recover_marker;
    r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    assert_int_equal(r.create_rc, 0);
    assert_int_equal(r.run_rc, 0);
    assert_int_equal(r.start.checkpoint_id, last);
    assert_int_equal(ext.recover_marker, recovered + 1);
    assert_int_equal(r.end.rows_in, 0);  /* the source was not read again */
    assert_false(ext.source_ended);
    assert_int_equal(r.end.checkpoints, 0);
    assert_exactly(1000);
    assert_false(file_exists(f->state, NULL));
}

/* A job that ends while a checkpoint is in flight does not wait for its writer (the last
 * checkpoint supersedes it): the writer is killed, and the last checkpoint's markers cover what
 * the killed one had prepared. */
static void test_async_finish_supersedes(void **state)
{
    fixture *f = *state;
    setenv("EDDY_CHECKPOINT_TEST_DELAY_MS", "2000", 1);
    eddy_job_options o = {.state_dir = f->state, .checkpoint_interval_ms = 5};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_result r = run_job(f, "INSERT INTO out SELECT id FROM a;", &o);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    unset_hooks();
    assert_int_equal(r.run_rc, 0);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (secs >= 1.5) fail_msg("the job took %.2f s: it waited for the writer", secs);
    assert_true(ext.prepares >= 2); /* the superseded one and the last */
    assert_int_equal(ext.commits, 1);
    assert_exactly(1000);
    assert_false(file_exists(f->state, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_parsing),
        cmocka_unit_test_setup_teardown(test_interval_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_between_checkpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_before_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_savepoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit_counter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_state_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_rows_between_prepare_and_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_pause, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_writer_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_writer_killed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_map_growth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_finished_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_finish_supersedes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
