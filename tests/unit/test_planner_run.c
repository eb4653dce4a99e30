/*
 * test_planner_run.c: plans made by the planner, run end to end through runtime/job.h with the
 * built-in connectors (connectors/connectors.h): a JSON-lines file in a temporary directory in,
 * the print sink (written to a temporary file) or a filesystem sink out. It checks that what
 * the planner produces is what the runtime and the connectors expect (column layouts, paths,
 * types, time attributes), with small inputs whose results are worked out by hand.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "connectors/connectors.h"
#include "runtime/job.h"
#include "test_planner_util.h"

typedef struct fixture {
    char dir[256];          /* temporary directory */
    eddy_session *s;
} fixture;

static const char *input =
    "{\"k\":\"a\",\"v\":1,\"ts\":\"2024-01-01 00:00:01.000\",\"r\":{\"x\":10,\"y\":\"p\"}}\n"
    "{\"k\":\"b\",\"v\":2,\"ts\":\"2024-01-01 00:00:02.000\",\"r\":{\"x\":20,\"y\":\"q\"}}\n"
    "{\"k\":\"a\",\"v\":3,\"ts\":\"2024-01-01 00:00:12.000\",\"r\":{\"x\":30,\"y\":\"r\"}}\n"
    "{\"k\":\"a\",\"v\":4,\"ts\":\"2024-01-01 00:00:13.500\",\"r\":{\"x\":40,\"y\":\"s\"}}\n"
    "{\"k\":\"b\",\"v\":5,\"ts\":\"2024-01-01 00:00:31.000\",\"r\":{\"x\":50,\"y\":\"t\"}}\n";

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
    snprintf(f->dir, sizeof f->dir, "/tmp/eddy_planner_run_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    char path[512];
    snprintf(path, sizeof path, "%s/in", f->dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/in/data.jsonl", f->dir);
    FILE *fp = fopen(path, "w");
    fputs(input, fp);
    fclose(fp);
    f->s = eddy_session_new();
    char ddl[2048];
    snprintf(ddl, sizeof ddl,
             "CREATE TABLE t (k STRING, v INT, ts TIMESTAMP(3), r ROW<x INT, y STRING>,\n"
             "  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)\n"
             "WITH ('connector' = 'filesystem', 'path' = '%s/in', 'format' = 'json');\n"
             "CREATE VIEW tv AS SELECT k, v * 10 AS v10, ts, r.y AS y FROM t WHERE v > 1;\n",
             f->dir);
    tp_ok(f->s, ddl);
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

/* Plans sql, runs the job with print output captured; returns the printed text (malloc'ed). */
static char *run(fixture *f, const char *sql, int batch_rows)
{
    eddy_job_plan *p = tp_plan(f->s, sql);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    eddy_job_options o = {.print_out = out, .batch_rows = batch_rows, .status_line = false};
    eddy_job *job;
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_job_create(p, eddy_connectors_builtin(), &o, &job, &err) != 0)
        fail_msg("job create: %s\nSQL: %s", err.msg, sql);
    if (eddy_job_run(job, &err) != 0) fail_msg("job run: %s\nSQL: %s", err.msg, sql);
    eddy_job_destroy(job);
    eddy_job_plan_free(p);
    fclose(out);
    return buf;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text, sorted, joined by '\n' (for multiset comparison). */
static char *sorted(const char *text)
{
    char *copy = strdup(text);
    char *lines[256];
    int n = 0;
    for (char *save, *l = strtok_r(copy, "\n", &save); l && n < 256; l = strtok_r(NULL, "\n", &save)) lines[n++] = l;
    qsort(lines, (size_t)n, sizeof *lines, cmp_line);
    eddy_strbuf b = {0};
    for (int i = 0; i < n; i++) eddy_strbuf_printf(&b, "%s\n", lines[i]);
    free(copy);
    return eddy_strbuf_take(&b);
}

static void assert_rows(fixture *f, const char *sql, const char *want_unordered)
{
    char *got = run(f, sql, 0);
    char *gs = sorted(got), *ws = sorted(want_unordered);
    if (strcmp(gs, ws) != 0) fail_msg("rows differ for %s\n--- got:\n%s--- want:\n%s", sql, got, want_unordered);
    free(gs);
    free(ws);
    free(got);
}

static void test_projection_view_nested(void **state)
{
    fixture *f = *state;
    assert_rows(f, "SELECT k, v10, ts, y, UPPER(y) FROM tv WHERE k = 'a'",
                "+I[a, 30, 2024-01-01T00:00:12, r, R]\n"
                "+I[a, 40, 2024-01-01T00:00:13.500, s, S]\n");
}

static void test_tumble(void **state)
{
    fixture *f = *state;
    assert_rows(f,
                "SELECT k, window_start, window_end, COUNT(*) AS c, SUM(v) AS s, MAX(r.x) FROM TABLE(TUMBLE(TABLE t, "
                "DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end",
                "+I[a, 2024-01-01T00:00, 2024-01-01T00:00:10, 1, 1, 10]\n"
                "+I[b, 2024-01-01T00:00, 2024-01-01T00:00:10, 1, 2, 20]\n"
                "+I[a, 2024-01-01T00:00:10, 2024-01-01T00:00:20, 2, 7, 40]\n"
                "+I[b, 2024-01-01T00:00:30, 2024-01-01T00:00:40, 1, 5, 50]\n");
}

static void test_session_group_window(void **state)
{
    fixture *f = *state;
    assert_rows(f,
                "SELECT k, COUNT(*) AS c, SESSION_START(ts, INTERVAL '10' SECOND) AS st, SESSION_END(ts, INTERVAL "
                "'10' SECOND) AS en FROM t GROUP BY k, SESSION(ts, INTERVAL '10' SECOND)",
                "+I[a, 1, 2024-01-01T00:00:01, 2024-01-01T00:00:11]\n"
                "+I[a, 2, 2024-01-01T00:00:12, 2024-01-01T00:00:23.500]\n"
                "+I[b, 1, 2024-01-01T00:00:02, 2024-01-01T00:00:12]\n"
                "+I[b, 1, 2024-01-01T00:00:31, 2024-01-01T00:00:41]\n");
}

static void test_hop_tvf_and_union(void **state)
{
    fixture *f = *state;
    assert_rows(f,
                "SELECT k, v, window_start, window_end FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, "
                "INTERVAL '10' SECOND)) WHERE k = 'b'",
                "+I[b, 2, 2023-12-31T23:59:55, 2024-01-01T00:00:05]\n"
                "+I[b, 2, 2024-01-01T00:00, 2024-01-01T00:00:10]\n"
                "+I[b, 5, 2024-01-01T00:00:25, 2024-01-01T00:00:35]\n"
                "+I[b, 5, 2024-01-01T00:00:30, 2024-01-01T00:00:40]\n");
    assert_rows(f, "SELECT v FROM t WHERE v < 3 UNION ALL SELECT CAST(v + 100 AS BIGINT) FROM t WHERE k = 'b'",
                "+I[1]\n+I[2]\n+I[102]\n+I[105]\n");
}

static void test_group_agg_changelog(void **state)
{
    fixture *f = *state;
    /* one row per batch: every change shows, in order */
    char *got = run(f, "SELECT k, SUM(v) AS s, COUNT(*) AS c FROM t GROUP BY k", 1);
    assert_string_equal(got, "+I[a, 1, 1]\n"
                             "+I[b, 2, 1]\n"
                             "-U[a, 1, 1]\n"
                             "+U[a, 4, 2]\n"
                             "-U[a, 4, 2]\n"
                             "+U[a, 8, 3]\n"
                             "-U[b, 2, 1]\n"
                             "+U[b, 7, 2]\n");
    free(got);
    /* without mini-batch a global aggregate changes with every row, as in Flink */
    assert_rows(f, "SELECT COUNT(*), COUNT(DISTINCT k), MIN(ts) FROM t",
                "+I[1, 1, 2024-01-01T00:00:01]\n"
                "-U[1, 1, 2024-01-01T00:00:01]\n+U[2, 2, 2024-01-01T00:00:01]\n"
                "-U[2, 2, 2024-01-01T00:00:01]\n+U[3, 2, 2024-01-01T00:00:01]\n"
                "-U[3, 2, 2024-01-01T00:00:01]\n+U[4, 2, 2024-01-01T00:00:01]\n"
                "-U[4, 2, 2024-01-01T00:00:01]\n+U[5, 2, 2024-01-01T00:00:01]\n");
}

static void test_insert_filesystem(void **state)
{
    fixture *f = *state;
    char sql[2048];
    snprintf(sql, sizeof sql,
             "CREATE TABLE out_csv (k STRING, c BIGINT, ws TIMESTAMP(3)) WITH ('connector' = 'filesystem', "
             "'path' = '%s/out', 'format' = 'csv');",
             f->dir);
    tp_ok(f->s, sql);
    char *got = run(f,
                    "INSERT INTO out_csv SELECT k, COUNT(*), window_start FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), "
                    "INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end",
                    0);
    assert_string_equal(got, "");
    free(got);
    /* read it back through the planner too */
    assert_rows(f, "SELECT k, c, ws FROM out_csv", "+I[a, 3, 2024-01-01T00:00]\n+I[b, 2, 2024-01-01T00:00]\n");
}

static void test_nexmark_q11(void **state)
{
    fixture *f = *state;
    struct stat st;
    if (stat(TP_NEXMARK_DIR "/q11.sql", &st) != 0) {
        printf("skipped: ../shared/nexmark not found\n");
        return;
    }
    char *gen = tp_nexmark("ddl_gen.sql"), *views = tp_nexmark("ddl_views.sql");
    /* a small bounded run as fast as the generator goes */
    char *p = strstr(gen, "'events.num' = '100000'");
    assert_non_null(p);
    memcpy(p, "'events.num' = '002000'", strlen("'events.num' = '002000'"));
    char *all = malloc(strlen(gen) + strlen(views) + 256);
    sprintf(all, "%s;\n%s;\n", gen, views);
    char *ms = strstr(all, "'connector' = 'nexmark',");
    assert_non_null(ms);
    tp_ok(f->s, all);
    tp_ok(f->s, "CREATE TABLE q11 (bidder BIGINT, bid_count BIGINT, starttime TIMESTAMP(3), endtime TIMESTAMP(3)) "
                "WITH ('connector' = 'print')");
    char *got = run(f,
                    "INSERT INTO q11 SELECT B.bidder, count(*) as bid_count, SESSION_START(B.`dateTime`, INTERVAL '10' "
                    "SECOND) as starttime, SESSION_END(B.`dateTime`, INTERVAL '10' SECOND) as endtime FROM bid B "
                    "GROUP BY B.bidder, SESSION(B.`dateTime`, INTERVAL '10' SECOND)",
                    0);
    /* the session counts add up to the number of bids */
    long total = 0;
    int rows = 0;
    for (char *l = got; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        long bidder, cnt;
        if (sscanf(l, "+I[%ld, %ld,", &bidder, &cnt) == 2) {
            total += cnt;
            rows++;
        }
    }
    char *cnt = run(f, "SELECT COUNT(*) FROM bid", 4096);
    long bids = 0;
    for (char *l = cnt; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) sscanf(l, "%*2s[%ld]", &bids);
    assert_true(rows > 0);
    assert_int_equal(total, bids);
    assert_true(bids > 1700 && bids < 2000); /* 46 of every 50 events are bids */
    free(cnt);
    free(got);
    free(all);
    free(gen);
    free(views);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_projection_view_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tumble, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_group_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hop_tvf_and_union, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_agg_changelog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_filesystem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nexmark_q11, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
