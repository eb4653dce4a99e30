/*
 * test_planner.c: the shapes of physical plans: node kinds and their order, projection and
 * filter pushdown into sources, CALC merging, window specs (TVF and group windows), keys,
 * aggregate calls and the column layout rules of plan.h, changelogs, UNION, LIMIT, statement
 * sets with shared sources, SET options that reach the plan, operator ids and fingerprints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_planner_util.h"

static const char *ddl =
    "CREATE TABLE ev (\n"
    "  id BIGINT, k STRING, v INT, price DECIMAL(10, 2), ts TIMESTAMP(3),\n"
    "  info ROW<city STRING, geo ROW<lat DOUBLE, lon DOUBLE>>,\n"
    "  kind INT,\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '3' SECOND\n"
    ") WITH ('connector' = 'filesystem', 'path' = '/tmp/ev', 'format' = 'json');\n"
    "CREATE TABLE plain (a INT, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '5');\n"
    "CREATE TABLE out_win (k STRING, ws TIMESTAMP(3), we TIMESTAMP(3), c BIGINT, s INT) "
    "WITH ('connector' = 'filesystem', 'path' = '/tmp/o', 'format' = 'csv');\n"
    "CREATE TABLE out_any (k STRING, c BIGINT) WITH ('connector' = 'print');\n";

static int setup(void **state)
{
    eddy_session *s = eddy_session_new();
    tp_ok(s, ddl);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    eddy_session_free(*state);
    return 0;
}

static const char *fname(const eddy_plan *p, int i)
{
    return p->out.fields[i].name;
}

static void test_scan_project_filter(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *jp = tp_plan(s, "SELECT k, v * 2 AS v2 FROM ev WHERE kind = 1 AND v > 0");
    assert_int_equal(jp->nsinks, 1);
    const eddy_plan *sink = jp->sinks[0];
    tp_assert_chain(sink, "SINK CALC WATERMARK SOURCE");
    const eddy_plan *calc = sink->inputs[0];
    assert_int_equal(calc->out.n, 2);
    assert_string_equal(fname(calc, 1), "v2");
    assert_non_null(calc->u.calc.filter);
    const eddy_plan *src = tp_find(sink, EDDY_PLAN_SOURCE);
    /* only the used columns, in table order; the rowtime stays for the watermark */
    assert_int_equal(src->out.n, 4);
    assert_string_equal(fname(src, 0), "k");
    assert_string_equal(fname(src, 1), "v");
    assert_string_equal(fname(src, 2), "ts");
    assert_string_equal(fname(src, 3), "kind");
    assert_string_equal(src->u.source.table, "ev");
    assert_string_equal(src->u.source.connector, "filesystem");
    assert_true(src->u.source.bounded);
    /* the table's physical columns for positional formats */
    assert_int_equal(src->u.source.physical.n, 7);
    /* kind = 1 is pushed into the source; the CALC keeps it */
    const eddy_bexpr *pf = src->u.source.pushed_filter;
    assert_non_null(pf);
    assert_int_equal(pf->kind, EDDY_BEXPR_COMPARE);
    assert_int_equal(pf->op, EDDY_BOP_EQ);
    assert_int_equal(pf->args[0]->kind, EDDY_BEXPR_COLUMN);
    assert_int_equal(pf->args[0]->column, 3);
    assert_int_equal(pf->args[1]->kind, EDDY_BEXPR_CONST);
    assert_int_equal(pf->args[1]->value.u.i, 1);
    /* the watermark's rowtime column is in its input's numbering */
    const eddy_plan *wm = tp_find(sink, EDDY_PLAN_WATERMARK);
    assert_int_equal(wm->u.watermark.rowtime, 2);
    assert_true(wm->out.fields[2].rowtime);
    assert_false(src->out.fields[2].rowtime);
    eddy_job_plan_free(jp);
}

static void test_nested_fields(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *jp = tp_plan(s, "SELECT info.city, E.info.geo.lat AS lat FROM ev AS E");
    const eddy_plan *src = tp_find(jp->sinks[0], EDDY_PLAN_SOURCE);
    /* nested fields become flat columns with paths; the rest of the ROW is not read */
    assert_int_equal(src->out.n, 3);
    assert_string_equal(fname(src, 0), "ts");
    assert_string_equal(fname(src, 1), "info.city");
    assert_int_equal(src->u.source.npath[1], 2);
    assert_string_equal(src->u.source.paths[1][0], "info");
    assert_string_equal(src->u.source.paths[1][1], "city");
    assert_string_equal(fname(src, 2), "info.geo.lat");
    assert_int_equal(src->u.source.npath[2], 3);
    assert_string_equal(src->u.source.paths[2][2], "lat");
    assert_null(src->u.source.metadata[1]);
    eddy_job_plan_free(jp);
    /* a whole ROW is one column */
    jp = tp_plan(s, "SELECT info FROM ev");
    src = tp_find(jp->sinks[0], EDDY_PLAN_SOURCE);
    assert_int_equal(src->out.n, 2);
    assert_string_equal(fname(src, 0), "ts");
    assert_string_equal(fname(src, 1), "info");
    assert_int_equal(src->out.fields[1].type->kind, EDDY_TYPE_ROW);
    eddy_job_plan_free(jp);
}

static void test_computed_and_metadata(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "CREATE TABLE cm (\n"
             "  raw_ts BIGINT, payload STRING, part INT METADATA FROM 'partition' VIRTUAL, line BIGINT METADATA,\n"
             "  ts AS TO_TIMESTAMP_LTZ(raw_ts, 3), up AS UPPER(payload),\n"
             "  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND\n"
             ") WITH ('connector' = 'filesystem', 'path' = '/x', 'format' = 'json')");
    eddy_job_plan *jp = tp_plan(s, "SELECT up, part, ts FROM cm");
    const eddy_plan *sink = jp->sinks[0];
    /* computed columns are computed below the watermark, which needs ts */
    tp_assert_chain(sink, "SINK CALC WATERMARK CALC SOURCE");
    const eddy_plan *src = tp_find(sink, EDDY_PLAN_SOURCE);
    assert_int_equal(src->out.n, 3);
    assert_string_equal(fname(src, 0), "raw_ts");
    assert_string_equal(fname(src, 1), "payload");
    assert_string_equal(fname(src, 2), "part");
    assert_string_equal(src->u.source.metadata[2], "partition");
    assert_null(src->u.source.metadata[0]);
    const eddy_plan *wm = tp_find(sink, EDDY_PLAN_WATERMARK);
    const eddy_plan *cc = wm->inputs[0];
    assert_int_equal(cc->kind, EDDY_PLAN_CALC);
    assert_int_equal(cc->u.calc.exprs[wm->u.watermark.rowtime]->kind, EDDY_BEXPR_CALL);
    assert_int_equal(cc->u.calc.exprs[wm->u.watermark.rowtime]->fn, EDDY_FN_TO_TIMESTAMP_LTZ);
    /* ts is a TIMESTAMP_LTZ rowtime */
    const eddy_plan *top = sink->inputs[0];
    assert_true(top->out.fields[2].rowtime);
    assert_int_equal(top->out.fields[2].type->kind, EDDY_TYPE_TIMESTAMP_LTZ);
    eddy_job_plan_free(jp);
}

static void test_views_merge(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "CREATE VIEW v1 AS SELECT id, k, v + 1 AS w, ts FROM ev WHERE kind = 2;\n"
             "CREATE VIEW v2 AS SELECT k, w * 10 AS ww, ts FROM v1 WHERE w > 5;");
    eddy_job_plan *jp = tp_plan(s, "SELECT k, ww FROM (SELECT * FROM v2) AS q WHERE ww < 100");
    const eddy_plan *sink = jp->sinks[0];
    /* three levels of projection and filters merge into one CALC above the watermark */
    tp_assert_chain(sink, "SINK CALC WATERMARK SOURCE");
    const eddy_plan *calc = sink->inputs[0];
    assert_int_equal(calc->u.calc.filter->kind, EDDY_BEXPR_AND);
    assert_int_equal(calc->u.calc.filter->nargs, 3);
    eddy_job_plan_free(jp);
}

static void test_window_tvf_aggs_detail(void **state)
{
    eddy_session *s = *state;
    static const struct {
        const char *tvf;
        eddy_window_kind kind;
        int64_t size, slide, offset, gap;
        eddy_plan_kind pk;
    } cases[] = {
        {"TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)", EDDY_WINDOW_TUMBLE, 10000, 10000, 0, 0, EDDY_PLAN_WINDOW_AGG},
        {"TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '15' MINUTE)", EDDY_WINDOW_TUMBLE, 3600000, 3600000,
         900000, 0, EDDY_PLAN_WINDOW_AGG},
        {"HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND)", EDDY_WINDOW_HOP, 10000, 2000, 0, 0,
         EDDY_PLAN_WINDOW_AGG},
        {"CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR)", EDDY_WINDOW_CUMULATE, 3600000,
         60000, 0, 0, EDDY_PLAN_WINDOW_AGG},
        {"HOP(DATA => TABLE ev, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' SECOND, SLIDE => INTERVAL '5' SECOND)",
         EDDY_WINDOW_HOP, 10000, 5000, 0, 0, EDDY_PLAN_WINDOW_AGG},
        {"SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '30' SECOND)", EDDY_WINDOW_SESSION, 0, 0, 0, 30000,
         EDDY_PLAN_SESSION_AGG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "INSERT INTO out_win SELECT k, window_start, window_end, COUNT(*), SUM(v) FILTER (WHERE v > 1) "
                 "FROM TABLE(%s) GROUP BY k, window_start, window_end",
                 cases[i].tvf);
        eddy_job_plan *jp = tp_plan(s, sql);
        const eddy_plan *sink = jp->sinks[0];
        const eddy_plan *agg = tp_find(sink, cases[i].pk);
        if (!agg) fail_msg("no aggregate node for %s", cases[i].tvf);
        assert_int_equal(tp_count(sink, EDDY_PLAN_WINDOW_TVF), 0); /* fused */
        const eddy_window_spec *w = &agg->u.window_agg.win;
        assert_int_equal(w->kind, cases[i].kind);
        assert_int_equal(w->size, cases[i].size);
        assert_int_equal(w->slide, cases[i].slide);
        assert_int_equal(w->offset, cases[i].offset);
        assert_int_equal(w->gap, cases[i].gap);
        assert_false(w->proctime);
        const eddy_plan *pre = agg->inputs[0];
        assert_int_equal(pre->kind, EDDY_PLAN_CALC);
        /* pre-CALC: keys first, then the time column, then arguments and FILTER conditions */
        assert_int_equal(agg->u.window_agg.nkeys, 1);
        assert_int_equal(agg->u.window_agg.keys[0], 0);
        assert_string_equal(fname(pre, 0), "k");
        assert_string_equal(fname(pre, w->time_col), "ts");
        assert_true(pre->out.fields[w->time_col].rowtime);
        assert_int_equal(agg->u.window_agg.naggs, 2);
        const eddy_agg_call *c0 = &agg->u.window_agg.aggs[0], *c1 = &agg->u.window_agg.aggs[1];
        assert_int_equal(c0->fn, EDDY_AGG_COUNT);
        assert_int_equal(c0->arg, -1);
        assert_int_equal(c0->filter, -1);
        assert_int_equal(c0->type->kind, EDDY_TYPE_BIGINT);
        assert_true(c0->type->not_null);
        assert_int_equal(c1->fn, EDDY_AGG_SUM);
        assert_string_equal(fname(pre, c1->arg), "v");
        assert_true(c1->filter >= 0);
        assert_int_equal(pre->out.fields[c1->filter].type->kind, EDDY_TYPE_BOOLEAN);
        assert_int_equal(pre->u.calc.exprs[c1->filter]->kind, EDDY_BEXPR_COMPARE);
        assert_int_equal(c1->type->kind, EDDY_TYPE_INT);
        /* layout: keys, window_start, window_end, window_time, aggregates */
        assert_int_equal(agg->out.n, 6);
        assert_string_equal(fname(agg, 0), "k");
        assert_string_equal(fname(agg, 1), "window_start");
        assert_string_equal(fname(agg, 2), "window_end");
        assert_string_equal(fname(agg, 3), "window_time");
        assert_true(agg->out.fields[3].rowtime);
        assert_false(agg->changelog);
        /* the post-CALC maps window_start/window_end to the sink's columns */
        const eddy_plan *post = sink->inputs[0];
        assert_int_equal(post->kind, EDDY_PLAN_CALC);
        assert_int_equal(post->u.calc.exprs[1]->kind, EDDY_BEXPR_COLUMN);
        assert_int_equal(post->u.calc.exprs[1]->column, 1);
        assert_int_equal(post->u.calc.exprs[2]->column, 2);
        eddy_job_plan_free(jp);
    }
}

static void test_window_tvf_plain(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *jp = tp_plan(s, "SELECT k, window_start, window_end, window_time FROM TABLE(HOP(TABLE ev, "
                                   "DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '3' MINUTE)) WHERE v > 2");
    const eddy_plan *sink = jp->sinks[0];
    const eddy_plan *tvf = tp_find(sink, EDDY_PLAN_WINDOW_TVF);
    assert_non_null(tvf);
    /* output = input columns, then the window columns */
    int n = tvf->out.n;
    assert_string_equal(fname(tvf, n - 3), "window_start");
    assert_string_equal(fname(tvf, n - 1), "window_time");
    assert_true(tvf->out.fields[n - 1].rowtime);
    assert_int_equal(tvf->u.window_tvf.win.kind, EDDY_WINDOW_HOP);
    assert_int_equal(tvf->u.window_tvf.win.slide, 60000);
    assert_int_equal(tvf->u.window_tvf.win.size, 180000);
    assert_false(tvf->out.fields[tvf->u.window_tvf.win.time_col].rowtime);
    assert_string_equal(tvf->inputs[0]->out.fields[tvf->u.window_tvf.win.time_col].name, "ts");
    /* the WHERE reads no window column: it runs below the window assignment */
    assert_int_equal(tvf->inputs[0]->kind, EDDY_PLAN_CALC);
    assert_non_null(tvf->inputs[0]->u.calc.filter);
    assert_false(sink->changelog);
    eddy_job_plan_free(jp);
    /* a filter on the window columns stays above it */
    jp = tp_plan(s, "SELECT k FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE window_start > "
                    "TIMESTAMP '2020-01-01 00:00:00'");
    tp_assert_chain(jp->sinks[0], "SINK CALC WINDOW_TVF WATERMARK SOURCE");
    eddy_job_plan_free(jp);
    /* SESSION needs its aggregation */
    tp_error(s, "SELECT * FROM TABLE(SESSION(TABLE ev PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' MINUTE))",
             EDDY_EUNSUPPORTED, 1, 21, "a SESSION window table function needs GROUP BY window_start, window_end");
    tp_error(s, "SELECT COUNT(*) FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '7' SECOND, INTERVAL '1' "
                "MINUTE)) GROUP BY window_start, window_end",
             EDDY_EBIND, 0, 0, "CUMULATE: the max window size must be a whole multiple of the step");
    tp_error(s, "SELECT * FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MONTH))", EDDY_EUNSUPPORTED, 0, 0,
             "intervals of months or years are not supported for windows");
    tp_error(s, "SELECT * FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), 10))", EDDY_EBIND, 0, 0,
             "the window size must be a constant INTERVAL");
    tp_error(s, "SELECT * FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts)))", EDDY_EBIND, 0, 0, "TUMBLE needs its SIZE argument");
    tp_error(s, "SELECT * FROM TABLE(TUMBLE(DATA => TABLE ev, TIMECOL => DESCRIPTOR(ts), GAP => INTERVAL '1' SECOND))",
             EDDY_EBIND, 0, 0, "TUMBLE has no parameter named GAP");
}

static void test_group_windows(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *jp = tp_plan(s, "SELECT k, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, TUMBLE_END(ts, INTERVAL '1' "
                                   "MINUTE), TUMBLE_ROWTIME(ts, INTERVAL '1' MINUTE) AS rt, COUNT(*) FROM ev "
                                   "GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), k");
    const eddy_plan *agg = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    assert_non_null(agg);
    assert_int_equal(agg->u.window_agg.win.kind, EDDY_WINDOW_TUMBLE);
    assert_int_equal(agg->u.window_agg.win.size, 60000);
    /* the select list is the aggregate's own layout: no CALC above it */
    assert_ptr_equal(jp->sinks[0]->inputs[0], agg);
    assert_true(agg->out.fields[3].rowtime);
    assert_string_equal(fname(agg, 3), "window_time");
    eddy_job_plan_free(jp);

    jp = tp_plan(s, "SELECT HOP_START(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND), SUM(v) FROM ev "
                    "GROUP BY HOP(ts, INTERVAL '5' SECOND, INTERVAL '15' SECOND)");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    assert_int_equal(agg->u.window_agg.win.kind, EDDY_WINDOW_HOP);
    assert_int_equal(agg->u.window_agg.win.slide, 5000);
    assert_int_equal(agg->u.window_agg.win.size, 15000);
    assert_int_equal(agg->u.window_agg.nkeys, 0);
    eddy_job_plan_free(jp);

    /* the Nexmark q11 shape: SESSION per key, SESSION_START/END */
    jp = tp_plan(s, "SELECT B.k, count(*) AS c, SESSION_START(B.ts, INTERVAL '10' SECOND) AS st, "
                    "SESSION_END(B.ts, INTERVAL '10' SECOND) AS en FROM ev B GROUP BY B.k, SESSION(B.ts, INTERVAL '10' "
                    "SECOND)");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_SESSION_AGG);
    assert_non_null(agg);
    assert_int_equal(agg->u.window_agg.win.kind, EDDY_WINDOW_SESSION);
    assert_int_equal(agg->u.window_agg.win.gap, 10000);
    assert_int_equal(agg->u.window_agg.nkeys, 1);
    assert_string_equal(agg->inputs[0]->out.fields[agg->u.window_agg.keys[0]].name, "k");
    eddy_job_plan_free(jp);

    /* group windows in processing time */
    jp = tp_plan(s, "SELECT COUNT(*), TUMBLE_PROCTIME(p, INTERVAL '1' SECOND) FROM (SELECT *, PROCTIME() AS p FROM ev) "
                    "GROUP BY TUMBLE(p, INTERVAL '1' SECOND)");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    assert_true(agg->u.window_agg.win.proctime);
    assert_true(agg->out.fields[2].proctime);
    assert_int_equal(agg->out.fields[2].type->kind, EDDY_TYPE_TIMESTAMP_LTZ);
    eddy_job_plan_free(jp);
}

static void test_group_agg(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *jp = tp_plan(s, "SELECT k, COUNT(DISTINCT id) FILTER (WHERE v > 1) AS d, SUM(v) + 1 AS s1, "
                                   "MAX(UPPER(k)) FROM ev GROUP BY k HAVING COUNT(*) > 2");
    const eddy_plan *sink = jp->sinks[0];
    tp_assert_chain(sink, "SINK CALC GROUP_AGG CALC WATERMARK SOURCE");
    const eddy_plan *agg = sink->inputs[0]->inputs[0];
    assert_true(agg->changelog);
    assert_true(sink->changelog);
    assert_true(sink->u.sink.print_changelog);
    assert_int_equal(agg->u.group_agg.nkeys, 1);
    assert_int_equal(agg->u.group_agg.naggs, 4);
    assert_true(agg->u.group_agg.aggs[0].distinct);
    assert_true(agg->u.group_agg.aggs[0].filter >= 0);
    /* the argument of MAX is computed below the aggregate */
    const eddy_plan *pre = agg->inputs[0];
    assert_int_equal(pre->u.calc.exprs[agg->u.group_agg.aggs[2].arg]->kind, EDDY_BEXPR_CALL);
    /* HAVING and the arithmetic on SUM run above it */
    const eddy_plan *post = sink->inputs[0];
    assert_non_null(post->u.calc.filter);
    assert_int_equal(post->u.calc.exprs[2]->kind, EDDY_BEXPR_ARITH);
    eddy_job_plan_free(jp);

    /* global aggregate and DISTINCT */
    jp = tp_plan(s, "SELECT COUNT(*), AVG(price) FROM ev");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_GROUP_AGG);
    assert_int_equal(agg->u.group_agg.nkeys, 0);
    assert_int_equal(agg->u.group_agg.aggs[1].type->kind, EDDY_TYPE_DECIMAL);
    assert_int_equal(agg->u.group_agg.aggs[1].type->precision, 38);
    assert_int_equal(agg->u.group_agg.aggs[1].type->scale, 6);
    eddy_job_plan_free(jp);
    jp = tp_plan(s, "SELECT DISTINCT k, v FROM ev");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_GROUP_AGG);
    assert_int_equal(agg->u.group_agg.nkeys, 2);
    assert_int_equal(agg->u.group_agg.naggs, 0);
    eddy_job_plan_free(jp);

    /* changelog into an append-only sink: Flink's message shape */
    const char *q = "INSERT INTO out_win SELECT k, MIN(ts), MAX(ts), COUNT(*), SUM(v) FROM ev GROUP BY k";
    tp_error(s, q, EDDY_EPLAN, 1, 1,
             "Table sink 'out_win' doesn't support consuming update changes which is produced by node "
             "GroupAggregate(groupBy=[k], select=[k, MIN(ts) AS EXPR$1");
    /* a print table takes it */
    tp_ok(s, "INSERT INTO out_any SELECT k, COUNT(*) FROM ev GROUP BY k");
    /* unused aggregates are pruned */
    jp = tp_plan(s, "SELECT k FROM (SELECT k, COUNT(*) AS c, SUM(v) AS sv FROM ev GROUP BY k) WHERE c > 1");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_GROUP_AGG);
    assert_int_equal(agg->u.group_agg.naggs, 1);
    assert_int_equal(agg->u.group_agg.aggs[0].fn, EDDY_AGG_COUNT);
    eddy_job_plan_free(jp);
    /* aggregating a changelog is not there yet */
    tp_error(s, "SELECT c, COUNT(*) FROM (SELECT k, COUNT(*) AS c FROM ev GROUP BY k) GROUP BY c", EDDY_EUNSUPPORTED, 0, 0,
             "aggregating the result of a non-windowed GROUP BY");
}

static void test_union(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *jp = tp_plan(s, "SELECT v, k FROM ev UNION ALL SELECT a, b FROM plain UNION ALL SELECT 1, 'x' FROM plain");
    const eddy_plan *u = tp_find(jp->sinks[0], EDDY_PLAN_UNION);
    assert_non_null(u);
    assert_int_equal(u->ninputs, 3); /* chains flatten */
    for (int i = 0; i < u->ninputs; i++) {
        assert_int_equal(u->inputs[i]->out.n, 2);
        assert_int_equal(u->inputs[i]->out.fields[0].type->kind, EDDY_TYPE_INT);
        assert_int_equal(u->inputs[i]->out.fields[1].type->kind, EDDY_TYPE_VARCHAR);
    }
    assert_string_equal(fname(u, 0), "v");
    eddy_job_plan_free(jp);
    jp = tp_plan(s, "SELECT id FROM ev UNION ALL SELECT a FROM plain");
    u = tp_find(jp->sinks[0], EDDY_PLAN_UNION);
    assert_int_equal(u->out.fields[0].type->kind, EDDY_TYPE_BIGINT);
    /* INT widens to BIGINT on its side */
    assert_int_equal(u->inputs[1]->u.calc.exprs[0]->kind, EDDY_BEXPR_CAST);
    eddy_job_plan_free(jp);
    jp = tp_plan(s, "SELECT k FROM ev UNION SELECT b FROM plain");
    tp_assert_chain(jp->sinks[0], "SINK GROUP_AGG UNION CALC WATERMARK SOURCE");
    eddy_job_plan_free(jp);
    tp_error(s, "SELECT k, v FROM ev UNION ALL SELECT b FROM plain", EDDY_EBIND, 0, 0,
             "UNION ALL: the left input has 2 columns, the right one 1");
    tp_error(s, "SELECT ts FROM ev UNION ALL SELECT a FROM plain", EDDY_EBIND, 0, 0,
             "UNION ALL: column 1 ('ts') is TIMESTAMP(3) in the left input and INT in the right one");
}

static void test_select_sink_and_limit(void **state)
{
    eddy_session *s = *state;
    eddy_result r;
    eddy_error err;
    assert_int_equal(tp_exec(s, "SELECT k, v FROM ev LIMIT 5", &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_JOB);
    assert_true(r.bare_select);
    const eddy_plan *sink = r.plan->sinks[0];
    assert_string_equal(sink->u.sink.connector, "print");
    assert_string_equal(sink->u.sink.table, "stdout");
    assert_true(sink->u.sink.print_changelog);
    assert_int_equal(sink->u.sink.limit, 5);
    assert_int_equal(sink->u.sink.target.n, 2);
    assert_string_equal(sink->u.sink.target.fields[1].name, "v");
    assert_string_equal(r.plan->name, "SELECT k, v FROM ev LIMIT 5");
    eddy_result_clear(&r);
    /* LIMIT 0 keeps nothing */
    eddy_job_plan *jp = tp_plan(s, "SELECT k FROM ev LIMIT 0");
    sink = jp->sinks[0];
    assert_int_equal(sink->u.sink.limit, 0);
    assert_int_equal(sink->inputs[0]->kind, EDDY_PLAN_CALC);
    assert_non_null(sink->inputs[0]->u.calc.filter);
    eddy_job_plan_free(jp);
    /* an INSERT takes LIMIT as well */
    jp = tp_plan(s, "INSERT INTO out_any SELECT k, id FROM ev LIMIT 3");
    assert_int_equal(jp->sinks[0]->u.sink.limit, 3);
    assert_true(jp->sinks[0]->u.sink.print_changelog);
    eddy_job_plan_free(jp);
}

static void test_statement_set(void **state)
{
    eddy_session *s = *state;
    const char *sql = "EXECUTE STATEMENT SET BEGIN\n"
                      "INSERT INTO out_any SELECT k, id FROM ev WHERE kind = 1;\n"
                      "INSERT INTO out_win SELECT k, window_start, window_end, COUNT(*), MAX(v) FROM TABLE(TUMBLE(TABLE "
                      "ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end;\n"
                      "INSERT INTO out_any SELECT k, id FROM ev WHERE kind = 1;\n"
                      "END;";
    eddy_job_plan *jp = tp_plan(s, sql);
    assert_int_equal(jp->nsinks, 3);
    /* the first and third INSERT read the same: everything below their sinks is shared */
    assert_ptr_equal(jp->sinks[0]->inputs[0], jp->sinks[2]->inputs[0]);
    assert_ptr_not_equal(jp->sinks[0], jp->sinks[2]);
    /* ids are 0 .. nnodes-1, post-order, each node once */
    int seen[64] = {0};
    int n = 0;
    for (int i = 0; i < jp->nsinks; i++) {
        const eddy_plan *stack[32];
        int sp = 0;
        stack[sp++] = jp->sinks[i];
        while (sp) {
            const eddy_plan *p = stack[--sp];
            assert_true(p->id >= 0 && p->id < jp->nnodes);
            for (int k = 0; k < p->ninputs; k++) {
                assert_true(p->inputs[k]->id < p->id);
                stack[sp++] = p->inputs[k];
            }
            if (!seen[p->id]) n++;
            seen[p->id] = 1;
        }
    }
    assert_int_equal(n, jp->nnodes);
    assert_int_equal(jp->nnodes, 11);
    assert_int_equal(jp->sinks[0]->id, 3);
    assert_int_equal(jp->sinks[2]->id, 10);
    assert_string_equal(jp->name, "EXECUTE STATEMENT SET BEGIN");
    eddy_job_plan_free(jp);
    tp_error(s, "EXECUTE STATEMENT SET BEGIN INSERT INTO out_any SELECT k, id FROM ev; INSERT INTO nope SELECT 1 FROM ev; "
                "END;",
             EDDY_EBIND, 1, 83, "table 'nope' not found");
}

static void test_options_reach_plan(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "SET 'table.exec.emit.allow-lateness' = '1 min';\n"
             "SET 'table.exec.source.idle-timeout' = '5 s';\n"
             "SET 'table.exec.state.ttl' = '2 h';\n"
             "SET 'pipeline.name' = 'my job';");
    eddy_job_plan *jp = tp_plan(s, "SELECT COUNT(*) FROM ev GROUP BY TUMBLE(ts, INTERVAL '10' SECOND)");
    const eddy_plan *agg = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    assert_int_equal(agg->u.window_agg.allowed_lateness_ms, 60000);
    assert_int_equal(agg->u.window_agg.early_fire_ms, 0);
    assert_false(agg->changelog);
    const eddy_plan *wm = tp_find(jp->sinks[0], EDDY_PLAN_WATERMARK);
    assert_int_equal(wm->u.watermark.idle_timeout_ms, 5000);
    assert_string_equal(jp->name, "my job");
    assert_int_equal(jp->nconfig, 4);
    assert_string_equal(jp->config[2].key, "table.exec.state.ttl");
    assert_string_equal(jp->config[2].value, "2 h");
    eddy_job_plan_free(jp);
    jp = tp_plan(s, "SELECT k, COUNT(*) FROM ev GROUP BY k");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_GROUP_AGG);
    assert_int_equal(agg->u.group_agg.state_ttl_ms, 7200000);
    assert_false(agg->u.group_agg.mini_batch);
    eddy_job_plan_free(jp);
    tp_ok(s, "SET 'table.exec.mini-batch.enabled' = 'true'");
    jp = tp_plan(s, "SELECT k, COUNT(*) FROM ev GROUP BY k");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_GROUP_AGG);
    assert_true(agg->u.group_agg.mini_batch);
    eddy_job_plan_free(jp);
    /* late firing: updates after the first firing make a changelog */
    tp_ok(s, "SET 'table.exec.emit.late-fire.enabled' = 'true'; SET 'table.exec.emit.late-fire.delay' = '0 s';");
    jp = tp_plan(s, "SELECT COUNT(*) FROM ev GROUP BY TUMBLE(ts, INTERVAL '10' SECOND)");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    assert_true(agg->u.window_agg.late_fire);
    assert_int_equal(agg->u.window_agg.late_fire_ms, 0);
    assert_true(agg->changelog);
    eddy_job_plan_free(jp);
    tp_ok(s, "RESET 'table.exec.emit.late-fire.enabled'");
    tp_ok(s, "SET 'table.exec.emit.early-fire.enabled' = 'true'; SET 'table.exec.emit.early-fire.delay' = '500 ms';");
    jp = tp_plan(s, "SELECT COUNT(*) FROM ev GROUP BY TUMBLE(ts, INTERVAL '10' SECOND)");
    agg = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    assert_int_equal(agg->u.window_agg.early_fire_ms, 500);
    assert_true(agg->changelog); /* early results are updated later */
    assert_true(jp->sinks[0]->changelog);
    eddy_job_plan_free(jp);
    tp_error(s, "INSERT INTO out_win SELECT 'k', window_start, window_end, COUNT(*), 1 FROM TABLE(TUMBLE(TABLE ev, "
                "DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
             EDDY_EPLAN, 0, 0, "doesn't support consuming update changes which is produced by node WindowAggregate(");
}

static void test_partition_keys_option(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "CREATE TABLE part_out (k STRING, v INT, dt STRING) PARTITIONED BY (dt) "
             "WITH ('connector' = 'filesystem', 'path' = '/tmp/p', 'format' = 'json')");
    eddy_job_plan *jp = tp_plan(s, "INSERT INTO part_out /*+ OPTIONS('sink.parallelism' = '1') */ SELECT k, v, "
                                   "DATE_FORMAT(ts, 'yyyy-MM-dd') FROM ev");
    const eddy_plan *sink = jp->sinks[0];
    const char *pk = NULL, *par = NULL;
    for (int i = 0; i < sink->u.sink.noptions; i++) {
        if (!strcmp(sink->u.sink.options[i].key, "partition.keys")) pk = sink->u.sink.options[i].value;
        if (!strcmp(sink->u.sink.options[i].key, "sink.parallelism")) par = sink->u.sink.options[i].value;
    }
    assert_non_null(pk);
    assert_string_equal(pk, "dt");
    assert_non_null(par);
    eddy_job_plan_free(jp);
    /* reading it back gives the source the same option */
    jp = tp_plan(s, "SELECT k, dt FROM part_out /*+ OPTIONS('path' = '/tmp/q') */");
    const eddy_plan *src = tp_find(jp->sinks[0], EDDY_PLAN_SOURCE);
    pk = NULL;
    const char *path = NULL;
    for (int i = 0; i < src->u.source.noptions; i++) {
        if (!strcmp(src->u.source.options[i].key, "partition.keys")) pk = src->u.source.options[i].value;
        if (!strcmp(src->u.source.options[i].key, "path")) path = src->u.source.options[i].value;
    }
    assert_string_equal(pk, "dt");
    assert_string_equal(path, "/tmp/q");
    eddy_job_plan_free(jp);
}

static void test_fingerprint(void **state)
{
    eddy_session *s = *state;
    const char *a = "SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
                    "GROUP BY k, window_start, window_end";
    eddy_job_plan *p1 = tp_plan(s, a);
    eddy_job_plan *p2 = tp_plan(s, a);
    eddy_job_plan *p3 = tp_plan(s, "SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' MINUTE)) "
                                   "GROUP BY k, window_start, window_end");
    eddy_job_plan *p4 = tp_plan(s, "SELECT k, SUM(v) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
                                   "GROUP BY k, window_start, window_end");
    /* stateless changes (a projection) keep it */
    eddy_job_plan *p5 = tp_plan(s, "SELECT k, COUNT(*) * 2 FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' "
                                   "MINUTE)) GROUP BY k, window_start, window_end");
    assert_true(p1->fingerprint == p2->fingerprint);
    assert_true(p1->fingerprint != p3->fingerprint);
    assert_true(p1->fingerprint != p4->fingerprint);
    assert_true(p1->fingerprint == p5->fingerprint);
    eddy_job_plan_free(p1);
    eddy_job_plan_free(p2);
    eddy_job_plan_free(p3);
    eddy_job_plan_free(p4);
    eddy_job_plan_free(p5);
}

/* A plan lives on after its session (it owns copies of what it points to). */
static void test_plan_outlives_session(void **state)
{
    (void)state;
    eddy_session *s = eddy_session_new();
    tp_ok(s, ddl);
    eddy_job_plan *jp = tp_plan(s, "SELECT k, UPPER(info.city), COUNT(*) FROM ev WHERE k <> 'x' GROUP BY k, "
                                   "UPPER(info.city)");
    eddy_session_free(s);
    char *t = eddy_plan_explain(jp);
    assert_non_null(strstr(t, "GroupAggregate"));
    assert_non_null(strstr(t, "'x'"));
    free(t);
    eddy_job_plan_free(jp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scan_project_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_computed_and_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_views_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_tvf_aggs_detail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_tvf_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_windows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_agg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_union, setup, teardown),
        cmocka_unit_test_setup_teardown(test_select_sink_and_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_reach_plan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partition_keys_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fingerprint, setup, teardown),
        cmocka_unit_test(test_plan_outlives_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
