/*
 * test_metrics.c: the metrics registry and its Prometheus text (runtime/metrics.h), and a job
 * publishing into it (runtime/job.c).
 *
 * Rendering: the whole text of two jobs compared with one written here by hand (values, label
 * escaping, +Inf and absent gauges, the per-split and per-source lag families), HELP and TYPE
 * once per family, nothing for jobs that have not published or were unregistered, and a
 * publisher thread racing a reader (for the sanitizer build).
 * Job: a job over a test source with two splits that report a lag and name themselves, into
 * the built-in blackhole sink, planned from SQL: a snapshot published while it runs shows the
 * rows read so far and each split's lag (read on the job's thread only), the last one shows
 * lag 0, and the entry goes with eddy_job_destroy().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/strbuf.h"
#include "connectors/connectors.h"
#include "runtime/job.h"
#include "runtime/metrics.h"
#include "test_planner_util.h"

static char *render(eddy_metrics *reg)
{
    eddy_strbuf b = {0};
    eddy_metrics_render(reg, &b);
    return eddy_strbuf_take(&b);
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static eddy_job_metrics figures(uint64_t base)
{
    eddy_job_metrics m;
    memset(&m, 0, sizeof m);
    m.rows_in = base + 1;
    m.rows_out = base + 2;
    m.late_rows = base + 3;
    m.bad_records = base + 4;
    m.watermark = INT64_MIN;
    m.state_bytes = base + 5;
    m.source_lag = -1;
    return m;
}

static void test_render_text(void **state)
{
    (void)state;
    eddy_metrics *reg = eddy_metrics_new();
    char *empty = render(reg);
    assert_string_equal(empty, "");
    free(empty);

    eddy_metrics_job *a = eddy_metrics_register(reg, "q");
    eddy_metrics_job *silent = eddy_metrics_register(reg, "never published");
    eddy_metrics_job *b = eddy_metrics_register(reg, "we\"ird\\na\nme");

    /* a: no watermark yet, no checkpoint; a Kafka-like source with two splits */
    eddy_job_metrics ma = figures(0);
    eddy_metrics_snapshot *sa = eddy_metrics_snapshot_new(&ma);
    eddy_metrics_snapshot_add_source(sa, "ev");
    eddy_metrics_snapshot_add_split(sa, "ev:0", 7);
    eddy_metrics_snapshot_add_split(sa, "ev:1", 0);
    eddy_metrics_snapshot_add_source(sa, "empty"); /* no split: nothing */
    eddy_metrics_publish(a, sa);

    /* b: every input ended (+Inf), two checkpoints, a split named by its index */
    eddy_job_metrics mb = figures(100);
    mb.watermark = INT64_MAX;
    mb.checkpoints = 2;
    mb.checkpoint_id = 9;
    mb.checkpoint_ms = 12;
    mb.checkpoint_pause_us = 1500;
    mb.checkpoint_bytes = 65536;
    eddy_metrics_snapshot *sb = eddy_metrics_snapshot_new(&mb);
    eddy_metrics_snapshot_add_source(sb, "t\"1");
    eddy_metrics_snapshot_add_split(sb, "3", 5);
    eddy_metrics_publish(b, sb);

    /* a again: the new snapshot replaces the old one (watermark now known) */
    ma.rows_in = 42;
    ma.watermark = 1577836800000;
    sa = eddy_metrics_snapshot_new(&ma);
    eddy_metrics_snapshot_add_source(sa, "ev");
    eddy_metrics_snapshot_add_split(sa, "ev:0", 7);
    eddy_metrics_snapshot_add_split(sa, "ev:1", 0);
    eddy_metrics_publish(a, sa);

    char *text = render(reg);
    const char *B = "job=\"we\\\"ird\\\\na\\nme\"";
    char expected[8192];
    snprintf(expected, sizeof expected,
             "# HELP eddy_rows_in_total Rows read by the job's sources.\n"
             "# TYPE eddy_rows_in_total counter\n"
             "eddy_rows_in_total{job=\"q\"} 42\n"
             "eddy_rows_in_total{%s} 101\n"
             "# HELP eddy_rows_out_total Rows written by the job's sinks.\n"
             "# TYPE eddy_rows_out_total counter\n"
             "eddy_rows_out_total{job=\"q\"} 2\n"
             "eddy_rows_out_total{%s} 102\n"
             "# HELP eddy_late_rows_total Rows that came behind the watermark (dropped, or written "
             "to 'eddy.late-rows.table').\n"
             "# TYPE eddy_late_rows_total counter\n"
             "eddy_late_rows_total{job=\"q\"} 3\n"
             "eddy_late_rows_total{%s} 103\n"
             "# HELP eddy_bad_records_total Malformed input records skipped.\n"
             "# TYPE eddy_bad_records_total counter\n"
             "eddy_bad_records_total{job=\"q\"} 4\n"
             "eddy_bad_records_total{%s} 104\n"
             "# HELP eddy_watermark_milliseconds The job's event-time watermark (minimum over its "
             "inputs), epoch milliseconds; +Inf once every input has ended.\n"
             "# TYPE eddy_watermark_milliseconds gauge\n"
             "eddy_watermark_milliseconds{job=\"q\"} 1577836800000\n"
             "eddy_watermark_milliseconds{%s} +Inf\n"
             "# HELP eddy_state_bytes Memory held by the operators' state.\n"
             "# TYPE eddy_state_bytes gauge\n"
             "eddy_state_bytes{job=\"q\"} 5\n"
             "eddy_state_bytes{%s} 105\n"
             "# HELP eddy_checkpoints_total Checkpoints completed by this run of the job.\n"
             "# TYPE eddy_checkpoints_total counter\n"
             "eddy_checkpoints_total{job=\"q\"} 0\n"
             "eddy_checkpoints_total{%s} 2\n"
             "# HELP eddy_checkpoint_last_id Id of the last completed checkpoint (0: none).\n"
             "# TYPE eddy_checkpoint_last_id gauge\n"
             "eddy_checkpoint_last_id{job=\"q\"} 0\n"
             "eddy_checkpoint_last_id{%s} 9\n"
             "# HELP eddy_checkpoint_duration_milliseconds Duration of the last checkpoint, from "
             "the sinks' prepare to their commit.\n"
             "# TYPE eddy_checkpoint_duration_milliseconds gauge\n"
             "eddy_checkpoint_duration_milliseconds{%s} 12\n"
             "# HELP eddy_checkpoint_pause_microseconds How long the last checkpoint stopped the "
             "pipeline.\n"
             "# TYPE eddy_checkpoint_pause_microseconds gauge\n"
             "eddy_checkpoint_pause_microseconds{%s} 1500\n"
             "# HELP eddy_checkpoint_bytes Size of the state store after the last checkpoint.\n"
             "# TYPE eddy_checkpoint_bytes gauge\n"
             "eddy_checkpoint_bytes{%s} 65536\n"
             "# HELP eddy_source_lag_records Records of a source's split (Kafka: partition) "
             "behind the end of its stream, for the splits this process reads.\n"
             "# TYPE eddy_source_lag_records gauge\n"
             "eddy_source_lag_records{job=\"q\",table=\"ev\",split=\"ev:0\"} 7\n"
             "eddy_source_lag_records{job=\"q\",table=\"ev\",split=\"ev:1\"} 0\n"
             "eddy_source_lag_records{%s,table=\"t\\\"1\",split=\"3\"} 5\n"
             "# HELP eddy_source_total_lag_records The sum of eddy_source_lag_records over a "
             "source's splits.\n"
             "# TYPE eddy_source_total_lag_records gauge\n"
             "eddy_source_total_lag_records{job=\"q\",table=\"ev\"} 7\n"
             "eddy_source_total_lag_records{%s,table=\"t\\\"1\"} 5\n",
             B, B, B, B, B, B, B, B, B, B, B, B, B);
    assert_string_equal(text, expected);

    /* HELP and TYPE once per family */
    const char *families[] = {"eddy_rows_in_total", "eddy_watermark_milliseconds",
                              "eddy_source_lag_records", "eddy_source_total_lag_records"};
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        char help[128], type[128];
        snprintf(help, sizeof help, "# HELP %s ", families[i]);
        snprintf(type, sizeof type, "# TYPE %s ", families[i]);
        assert_int_equal(count(text, help), 1);
        assert_int_equal(count(text, type), 1);
    }
    assert_int_equal(count(text, "# HELP "), 13);
    assert_int_equal(count(text, "# TYPE "), 13);
    assert_null(strstr(text, "never published"));
    free(text);

    /* unregistered: gone; the registry renders the rest */
    eddy_metrics_unregister(b);
    text = render(reg);
    assert_null(strstr(text, "ird"));
    assert_non_null(strstr(text, "eddy_rows_in_total{job=\"q\"} 42\n"));
    assert_null(strstr(text, "eddy_checkpoint_bytes")); /* only b had checkpointed */
    free(text);
    eddy_metrics_unregister(a);
    eddy_metrics_unregister(silent);
    text = render(reg);
    assert_string_equal(text, "");
    free(text);
    eddy_metrics_free(reg);
}

/* A job thread publishing while another renders (ASan/UBSan build: no use after free). */
typedef struct racer {
    eddy_metrics *reg;
    volatile int stop;
} racer;

static void *publisher(void *arg)
{
    racer *r = arg;
    for (uint64_t i = 0; !r->stop; i++) {
        eddy_metrics_job *j = eddy_metrics_register(r->reg, "racer");
        for (int k = 0; k < 50; k++) {
            eddy_job_metrics m = figures(i);
            eddy_metrics_snapshot *s = eddy_metrics_snapshot_new(&m);
            eddy_metrics_snapshot_add_source(s, "t");
            eddy_metrics_snapshot_add_split(s, "t:0", (int64_t)k);
            eddy_metrics_publish(j, s);
        }
        eddy_metrics_unregister(j);
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    racer r = {eddy_metrics_new(), 0};
    eddy_metrics_job *fixed = eddy_metrics_register(r.reg, "fixed");
    eddy_job_metrics m = figures(0);
    eddy_metrics_publish(fixed, eddy_metrics_snapshot_new(&m));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, publisher, &r), 0);
    for (int i = 0; i < 2000; i++) {
        char *text = render(r.reg);
        assert_non_null(strstr(text, "eddy_rows_in_total{job=\"fixed\"} 1\n"));
        assert_int_equal(count(text, "# TYPE eddy_rows_in_total counter\n"), 1);
        free(text);
    }
    r.stop = 1;
    pthread_join(t, NULL);
    eddy_metrics_unregister(fixed);
    eddy_metrics_free(r.reg);
}

/* ---------------------------------------------------------------------------------------- */
/* A job publishing: a test source with two splits of 10 rows                              */

#define SPLIT_ROWS 10

static eddy_metrics *job_reg;     /* the registry the job publishes into */
static pthread_t job_thread;      /* the thread that runs the job */
static int lag_calls_elsewhere;   /* lag() called on another thread than job_thread */
static char *seen_while_running;  /* the text rendered once a snapshot showed progress */

typedef struct fake_src {
    int left[2];      /* rows each split still has */
    int polls;
    struct timespec started;
} fake_src;

static int fake_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    (void)spec;
    (void)err;
    fake_src *f = calloc(1, sizeof *f);
    f->left[0] = f->left[1] = SPLIT_ROWS;
    clock_gettime(CLOCK_MONOTONIC, &f->started);
    *state = f;
    return 0;
}

static int fake_splits(void *state)
{
    (void)state;
    return 2;
}

static double since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Poll 1: 4 rows of split 0. Then idle until a published snapshot shows them (the job
 * publishes every 500 ms), which is kept for the test; then the rest, split by split. */
static int fake_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    (void)timeout_ms;
    (void)err;
    fake_src *f = state;
    int split = -1, n = 0;
    if (f->polls++ == 0) {
        split = 0;
        n = 4;
    } else if (!seen_while_running) {
        char *text = render(job_reg);
        if (strstr(text, "eddy_rows_in_total{job=\"jm\"} 4\n") || since(&f->started) > 10) {
            seen_while_running = text;
        } else {
            free(text);
            return EDDY_POLL_IDLE;
        }
    }
    if (split < 0) {
        split = f->left[0] > 0 ? 0 : f->left[1] > 0 ? 1 : -1;
        if (split < 0) return EDDY_POLL_END;
        n = f->left[split];
    }
    for (int i = 0; i < n; i++) out->cols[0].v.i64[i] = SPLIT_ROWS - f->left[split] + i;
    out->n = n;
    out->split = split;
    f->left[split] -= n;
    return EDDY_POLL_DATA;
}

static int64_t fake_lag(void *state, int split)
{
    if (!pthread_equal(pthread_self(), job_thread)) lag_calls_elsewhere++;
    return ((fake_src *)state)->left[split];
}

static void fake_split_name(void *state, int split, char *buf, size_t n)
{
    (void)state;
    snprintf(buf, n, "fake-%d", split);
}

static void fake_close(void *state)
{
    free(state);
}

static const eddy_source_ops fake_ops = {
    .name = "fake",
    .open = fake_open,
    .splits = fake_splits,
    .poll = fake_poll,
    .lag = fake_lag,
    .split_name = fake_split_name,
    .close = fake_close,
};
static const eddy_connector fake_connector = {.name = "fake", .source = &fake_ops};

static void test_job_publishes(void **state)
{
    (void)state;
    const eddy_connector *conns[] = {&fake_connector,
                                     eddy_connector_find(eddy_connectors_builtin(), "blackhole"),
                                     NULL};
    eddy_session *s = eddy_session_new();
    eddy_error err;
    assert_int_equal(tp_exec(s,
                             "CREATE TABLE f (x BIGINT) WITH ('connector' = 'fake');\n"
                             "CREATE TABLE b (x BIGINT) WITH ('connector' = 'blackhole');\n",
                             NULL, &err),
                     0);
    eddy_result r;
    assert_int_equal(tp_exec(s, "INSERT INTO b SELECT x FROM f;", &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_JOB);
    job_reg = eddy_metrics_new();
    job_thread = pthread_self();
    char name[] = "jm";
    eddy_job_options o = {.metrics = job_reg, .metrics_name = name};
    eddy_job *job;
    assert_int_equal(eddy_job_create(r.plan, (eddy_connector_registry)conns, &o, &job, &err), 0);
    name[0] = 'X'; /* the name was copied */
    char *text = render(job_reg);
    assert_string_equal(text, ""); /* registered, nothing published before it runs */
    free(text);
    assert_int_equal(eddy_job_run(job, &err), 0);

    /* while it ran: 4 rows in, split 0 has 6 left, split 1 all 10 */
    assert_non_null(seen_while_running);
    assert_non_null(strstr(seen_while_running, "eddy_rows_in_total{job=\"jm\"} 4\n"));
    assert_non_null(strstr(seen_while_running,
                           "eddy_source_lag_records{job=\"jm\",table=\"f\",split=\"fake-0\"} 6\n"));
    assert_non_null(strstr(seen_while_running,
                           "eddy_source_lag_records{job=\"jm\",table=\"f\",split=\"fake-1\"} 10\n"));
    assert_non_null(
        strstr(seen_while_running, "eddy_source_total_lag_records{job=\"jm\",table=\"f\"} 16\n"));
    /* at the end: everything read, no lag, the watermark-less job has no watermark sample */
    text = render(job_reg);
    assert_non_null(strstr(text, "eddy_rows_in_total{job=\"jm\"} 20\n"));
    assert_non_null(strstr(text, "eddy_rows_out_total{job=\"jm\"} 20\n"));
    assert_non_null(strstr(text, "eddy_source_lag_records{job=\"jm\",table=\"f\",split=\"fake-0\"} 0\n"));
    assert_non_null(strstr(text, "eddy_source_total_lag_records{job=\"jm\",table=\"f\"} 0\n"));
    free(text);
    assert_int_equal(lag_calls_elsewhere, 0);

    eddy_job_destroy(job);
    text = render(job_reg);
    assert_string_equal(text, ""); /* the entry went with the job */
    free(text);
    free(seen_while_running);
    seen_while_running = NULL;
    eddy_job_plan_free(r.plan);
    r.plan = NULL;
    eddy_result_clear(&r);
    eddy_metrics_free(job_reg);
    eddy_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_text),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_job_publishes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
