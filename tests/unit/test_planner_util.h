/*
 * test_planner_util.h: helpers shared by the planner's tests (test_planner*.c, test_binder*.c):
 * running SQL text through a session, getting plans and EXPLAIN text, checking errors with
 * their positions, walking plan trees, and reading the published Nexmark files.
 *
 * Include after <cmocka.h>. Every helper fails the test (cmocka) on unexpected outcomes and
 * prints the rendered error, so a failing test says what the planner said.
 */
#ifndef EDDY_TEST_PLANNER_UTIL_H
#define EDDY_TEST_PLANNER_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/placeholders.h"
#include "parser/parser.h"
#include "planner/session.h"

/* Parses sql, adopts it, executes every statement. Returns 0 or the first failure's code (err
 * set, and the statements after it are not run). *last gets the last statement's result
 * (kind NONE on failure); last may be NULL. */
static inline int tp_exec(eddy_session *s, const char *sql, eddy_result *last, eddy_error *err)
{
    eddy_script *sc;
    eddy_error_clear(err);
    if (last) memset(last, 0, sizeof *last);
    int rc = eddy_parse(sql, strlen(sql), &sc, err);
    if (rc) return rc;
    eddy_session_adopt(s, sc);
    for (int i = 0; i < sc->n; i++) {
        eddy_result r;
        rc = eddy_session_execute(s, sc->stmts[i], &r, err);
        if (rc) return rc;
        if (last && i == sc->n - 1) *last = r;
        else eddy_result_clear(&r);
    }
    return 0;
}

/* Runs sql and fails the test on any error (printing it). */
static inline void tp_ok(eddy_session *s, const char *sql)
{
    eddy_error err;
    int rc = tp_exec(s, sql, NULL, &err);
    if (rc) {
        char msg[4096];
        fail_msg("unexpected error %d: %s\nSQL: %s", rc, eddy_error_render(&err, sql, msg, sizeof msg), sql);
    }
}

/* The job plan of sql's last statement (the caller frees it with eddy_job_plan_free). */
static inline eddy_job_plan *tp_plan(eddy_session *s, const char *sql)
{
    eddy_error err;
    eddy_result r;
    int rc = tp_exec(s, sql, &r, &err);
    if (rc) {
        char msg[4096];
        fail_msg("unexpected error %d: %s\nSQL: %s", rc, eddy_error_render(&err, sql, msg, sizeof msg), sql);
    }
    if (r.kind != EDDY_RESULT_JOB) fail_msg("not a job: %s", sql);
    eddy_job_plan *p = r.plan;
    r.plan = NULL;
    eddy_result_clear(&r);
    return p;
}

/* The EXPLAIN text of sql's last statement (malloc'ed). */
static inline char *tp_explain(eddy_session *s, const char *sql)
{
    eddy_job_plan *p = tp_plan(s, sql);
    char *t = eddy_plan_explain(p);
    eddy_job_plan_free(p);
    return t;
}

/* Runs sql, expecting its last statement (or an earlier one) to fail with code at line:col
 * (0 = not checked) and a message containing `msg`. */
static inline void tp_error_at(eddy_session *s, const char *sql, int code, int line, int col, const char *msg,
                               const char *file, int fline)
{
    eddy_error err;
    int rc = tp_exec(s, sql, NULL, &err);
    char text[4096];
    eddy_error_render(&err, sql, text, sizeof text);
    if (rc == 0) fail_msg("%s:%d: expected an error, got none\nSQL: %s", file, fline, sql);
    if (rc != code) fail_msg("%s:%d: expected code %d, got %d: %s", file, fline, code, rc, text);
    if (line && (err.line != line || err.col != col))
        fail_msg("%s:%d: expected the error at %d:%d, got %d:%d: %s", file, fline, line, col, err.line, err.col, text);
    if (msg && !strstr(err.msg, msg)) fail_msg("%s:%d: expected a message with \"%s\", got: %s", file, fline, msg, text);
}
#define tp_error(s, sql, code, line, col, msg) tp_error_at(s, sql, code, line, col, msg, __FILE__, __LINE__)

/* The first node of kind k in p's tree (depth first, inputs in order), or NULL. */
static inline const eddy_plan *tp_find(const eddy_plan *p, eddy_plan_kind k)
{
    if (p->kind == k) return p;
    for (int i = 0; i < p->ninputs; i++) {
        const eddy_plan *r = tp_find(p->inputs[i], k);
        if (r) return r;
    }
    return NULL;
}

static inline int tp_count(const eddy_plan *p, eddy_plan_kind k)
{
    int n = p->kind == k;
    for (int i = 0; i < p->ninputs; i++) n += tp_count(p->inputs[i], k);
    return n;
}

/* The kinds of the chain below p, following first inputs: "SINK CALC WATERMARK CALC SOURCE". */
static inline const char *tp_chain(const eddy_plan *p, char *buf, size_t n)
{
    static const char *const names[] = {"SOURCE", "CALC", "WATERMARK", "WINDOW_TVF", "WINDOW_AGG",
                                        "SESSION_AGG", "GROUP_AGG", "UNION", "SINK"};
    buf[0] = 0;
    size_t at = 0;
    for (; p; p = p->ninputs ? p->inputs[0] : NULL)
        at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s", at ? " " : "", names[p->kind]);
    return buf;
}
#define tp_assert_chain(p, want)                                                               \
    do {                                                                                      \
        char cb_[512];                                                                        \
        assert_string_equal(tp_chain((p), cb_, sizeof cb_), (want));                          \
    } while (0)

/* Index of the output field named name in schema s, or -1. */
static inline int tp_field(const eddy_schema *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->fields[i].name, name) == 0) return i;
    return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Nexmark files                                                                             */

#define TP_NEXMARK_DIR EDDY_SHARED_DIR "/nexmark"

static inline char *tp_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = 0;
    fclose(f);
    return b;
}

/* A Nexmark file with its placeholders filled (NEXMARK_TABLE = datagen), or NULL when the
 * folder is absent. */
static inline char *tp_nexmark(const char *name)
{
    static const char *const names[] = {"TPS", "EVENTS_NUM", "PERSON_PROPORTION", "AUCTION_PROPORTION",
                                        "BID_PROPORTION", "NEXMARK_TABLE", "NEXMARK_DIR", "SUBMIT_TIME",
                                        "FLINK_HOME", "BOOTSTRAP_SERVERS", "KEEP_ALIVE", "STOP_AT"};
    static const char *const values[] = {"10000", "100000", "1", "3", "46", "datagen", "/tmp/nexmark", "1700000000000",
                                         "/opt/flink", "localhost:9092", "false", "-1"};
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", TP_NEXMARK_DIR, name);
    char *raw = tp_read_file(path);
    if (!raw) return NULL;
    eddy_error err;
    char *sql = eddy_placeholders_fill(raw, names, values, 12, &err);
    free(raw);
    if (!sql) fail_msg("%s: %s", name, err.msg);
    return sql;
}

#endif
