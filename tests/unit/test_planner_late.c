/*
 * test_planner_late.c: plans with SET 'eddy.late-rows.table' (plan.h window_agg.late_sink):
 * which window nodes get a late-row sink, how its CALC takes the table's columns by name from
 * the window's input (casts as INSERT; columns kept through pruning), where the late sinks sit
 * among the job's sinks and ids, the errors with their positions, and EXPLAIN.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_planner_util.h"

static const char *ddl =
    "CREATE TABLE ev (\n"
    "  k STRING, v INT, price DECIMAL(10, 2), ts TIMESTAMP(3),\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '3' SECOND\n"
    ") WITH ('connector' = 'filesystem', 'path' = '/tmp/ev', 'format' = 'json');\n"
    "CREATE TABLE late_ev (ts TIMESTAMP(3), v BIGINT, k STRING) WITH ('connector' = 'print');\n"
    "CREATE TABLE late_k (k STRING, ts TIMESTAMP(3)) WITH ('connector' = 'blackhole');\n"
    "CREATE TABLE late_int (ts INT) WITH ('connector' = 'print');\n"
    "CREATE TABLE late_gen (ts TIMESTAMP(3)) WITH ('connector' = 'datagen');\n"
    "CREATE VIEW late_view AS SELECT k, ts FROM ev;\n"
    "CREATE VIEW w5 AS SELECT k, window_time AS ts FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), "
    "INTERVAL '5' SECOND))\n"
    "  GROUP BY k, window_start, window_end, window_time;\n"
    "CREATE TABLE out_win (k STRING, ws TIMESTAMP(3), n BIGINT, s INT) WITH ('connector' = "
    "'blackhole');\n"
    "CREATE TABLE out_k (k STRING, n BIGINT) WITH ('connector' = 'blackhole');\n";

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

static const char *tvf_insert = "INSERT INTO out_win SELECT k, window_start, COUNT(*), SUM(v)\n"
                                "FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND)) "
                                "GROUP BY k, window_start, window_end";

/* The input column a late CALC expression reads (through a CAST). */
static const char *read_name(const eddy_plan *w, const eddy_bexpr *e)
{
    while (e->kind == EDDY_BEXPR_CAST)
        e = e->args[0];
    assert_int_equal(e->kind, EDDY_BEXPR_COLUMN);
    assert_true(e->column >= 0 && e->column < w->inputs[0]->out.n);
    return w->inputs[0]->out.fields[e->column].name;
}

/* Checks the late sink of window node w: into table, its CALC reads w's input by name. */
static void check_late_sink(const eddy_plan *w, const char *table)
{
    const eddy_plan *ls = w->u.window_agg.late_sink;
    assert_non_null(ls);
    assert_int_equal(ls->kind, EDDY_PLAN_SINK);
    assert_string_equal(ls->u.sink.table, table);
    assert_false(ls->changelog);
    const eddy_plan *calc = ls->inputs[0];
    assert_int_equal(calc->kind, EDDY_PLAN_CALC);
    assert_ptr_equal(calc->inputs[0], w);
    assert_false(calc->changelog);
    assert_int_equal(calc->out.n, ls->u.sink.target.n);
    for (int i = 0; i < calc->out.n; i++) {
        assert_string_equal(calc->out.fields[i].name, ls->u.sink.target.fields[i].name);
        assert_string_equal(read_name(w, calc->u.calc.exprs[i]), ls->u.sink.target.fields[i].name);
        assert_false(calc->out.fields[i].rowtime);
    }
}

static void test_unset_drops(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *jp = tp_plan(s, tvf_insert);
    assert_int_equal(jp->nsinks, 1);
    assert_null(tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG)->u.window_agg.late_sink);
    uint64_t fp = jp->fingerprint;
    eddy_job_plan_free(jp);
    /* '' is unset too */
    tp_ok(s, "SET 'eddy.late-rows.table' = '';");
    jp = tp_plan(s, tvf_insert);
    assert_int_equal(jp->nsinks, 1);
    assert_int_equal(jp->fingerprint, fp);
    eddy_job_plan_free(jp);
    /* RESET after a SET */
    tp_ok(s, "SET 'eddy.late-rows.table' = 'late_ev'; RESET 'eddy.late-rows.table';");
    jp = tp_plan(s, tvf_insert);
    assert_int_equal(jp->nsinks, 1);
    eddy_job_plan_free(jp);
}

static void test_tvf_window(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *plain = tp_plan(s, tvf_insert);
    tp_ok(s, "SET 'eddy.late-rows.table' = 'late_ev';");
    eddy_job_plan *jp = tp_plan(s, tvf_insert);
    assert_int_equal(jp->nsinks, 2);
    const eddy_plan *w = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    /* after the query's own sink, numbered last: its CALC, then it */
    assert_ptr_equal(jp->sinks[1], w->u.window_agg.late_sink);
    check_late_sink(w, "late_ev");
    assert_int_equal(jp->sinks[1]->id, jp->nnodes - 1);
    assert_int_equal(jp->sinks[1]->inputs[0]->id, jp->nnodes - 2);
    assert_int_equal(jp->nnodes, plain->nnodes + 2);
    assert_true(w->id < jp->sinks[0]->id);
    /* v INT is cast to the table's BIGINT, as INSERT casts */
    const eddy_bexpr *v = jp->sinks[1]->inputs[0]->u.calc.exprs[1];
    assert_int_equal(v->kind, EDDY_BEXPR_CAST);
    assert_int_equal(v->type->kind, EDDY_TYPE_BIGINT);
    /* a late sink is state of the job (a sink) */
    assert_non_null(jp->sinks[1]->state_shape);
    assert_true(jp->fingerprint != plain->fingerprint);
    eddy_job_plan_free(jp);
    eddy_job_plan_free(plain);
    tp_ok(s, "RESET 'eddy.late-rows.table';");
}

static void test_pruned_columns_stay(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "SET 'eddy.late-rows.table' = 'late_ev';");
    /* the outer query drops SUM(v): pruning removes the aggregate, but v stays for the late rows */
    eddy_job_plan *jp =
        tp_plan(s, "SELECT k, ws FROM (SELECT k, window_start AS ws, SUM(v) AS sv\n"
                   "FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '5' SECOND))\n"
                   "GROUP BY k, window_start, window_end)");
    const eddy_plan *w = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    assert_int_equal(w->u.window_agg.naggs, 0);
    check_late_sink(w, "late_ev");
    eddy_job_plan_free(jp);
    tp_ok(s, "RESET 'eddy.late-rows.table';");
}

static void test_group_windows_and_cascades(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "SET 'eddy.late-rows.table' = 'late_k';");
    eddy_job_plan *jp =
        tp_plan(s, "SELECT k, SESSION_START(ts, INTERVAL '5' SECOND), COUNT(*) FROM ev\n"
                   "GROUP BY k, SESSION(ts, INTERVAL '5' SECOND)");
    assert_int_equal(jp->nsinks, 2);
    check_late_sink(tp_find(jp->sinks[0], EDDY_PLAN_SESSION_AGG), "late_k");
    eddy_job_plan_free(jp);
    jp = tp_plan(
        s,
        "SELECT k, COUNT(*) FROM ev GROUP BY k, HOP(ts, INTERVAL '1' SECOND, INTERVAL '5' SECOND)");
    check_late_sink(tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG), "late_k");
    eddy_job_plan_free(jp);
    /* a window over a window: both send their late rows (ts is the first one's window_time) */
    jp = tp_plan(
        s, "SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE w5, DESCRIPTOR(ts), INTERVAL '1' MINUTE))\n"
           "GROUP BY k, window_start, window_end");
    assert_int_equal(tp_count(jp->sinks[0], EDDY_PLAN_WINDOW_AGG), 2);
    assert_int_equal(jp->nsinks, 3);
    const eddy_plan *outer = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    const eddy_plan *inner = tp_find(outer->inputs[0], EDDY_PLAN_WINDOW_AGG);
    check_late_sink(outer, "late_k");
    check_late_sink(inner, "late_k");
    assert_ptr_equal(jp->sinks[1], inner->u.window_agg.late_sink); /* post-order */
    assert_ptr_equal(jp->sinks[2], outer->u.window_agg.late_sink);
    eddy_job_plan_free(jp);
    tp_ok(s, "RESET 'eddy.late-rows.table';");
}

static void test_statement_sets(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "SET 'eddy.late-rows.table' = 'late_k';");
    /* two INSERTs over the same window share it: its late rows are written once */
    eddy_job_plan *jp = tp_plan(s, "EXECUTE STATEMENT SET BEGIN\n"
                                   "INSERT INTO out_k SELECT k, COUNT(*) FROM ev GROUP BY k, "
                                   "TUMBLE(ts, INTERVAL '5' SECOND);\n"
                                   "INSERT INTO out_k SELECT k, COUNT(*) FROM ev GROUP BY k, "
                                   "TUMBLE(ts, INTERVAL '5' SECOND);\n"
                                   "END;");
    assert_int_equal(jp->nsinks, 3);
    assert_ptr_equal(jp->sinks[0]->inputs[0], jp->sinks[1]->inputs[0]);
    const eddy_plan *w = tp_find(jp->sinks[0], EDDY_PLAN_WINDOW_AGG);
    assert_ptr_equal(jp->sinks[2], w->u.window_agg.late_sink);
    eddy_job_plan_free(jp);
    /* two different windows: a late sink each; ids cover every node once */
    jp = tp_plan(s, "EXECUTE STATEMENT SET BEGIN\n"
                    "INSERT INTO out_k SELECT k, COUNT(*) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL "
                    "'5' SECOND);\n"
                    "INSERT INTO out_k SELECT k, COUNT(*) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL "
                    "'9' SECOND);\n"
                    "END;");
    assert_int_equal(jp->nsinks, 4);
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
    eddy_job_plan_free(jp);
    tp_ok(s, "RESET 'eddy.late-rows.table';");
}

static void test_errors(void **state)
{
    eddy_session *s = *state;
    /* a column the window does not read: at the SELECT, naming what there is */
    tp_error(s,
             "SET 'eddy.late-rows.table' = 'late_ev';\n"
             "SELECT k, COUNT(*) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '5' SECOND)",
             EDDY_EBIND, 2, 1,
             "table 'late_ev' has column 'v', but the late rows of this window have only: k, ts");
    tp_error(s,
             "SET 'eddy.late-rows.table' = 'late_ev';\n"
             "SELECT k, SUM(v * 2) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '5' SECOND)",
             EDDY_EBIND, 2, 1, "have only: k, ts (");
    tp_error(
        s,
        "SET 'eddy.late-rows.table' = 'late_int';\n"
        "INSERT INTO out_k SELECT k, COUNT(*) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '5' SECOND)",
        EDDY_EBIND, 2, 19, "Incompatible types for column 'ts' of table 'late_int'");
    tp_error(s,
             "SET 'eddy.late-rows.table' = 'late_evv';\n"
             "SELECT k, COUNT(*) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '5' SECOND)",
             EDDY_EBIND, 2, 1,
             "SET 'eddy.late-rows.table' = 'late_evv': table 'late_evv' not found; did you mean");
    tp_error(s,
             "SET 'eddy.late-rows.table' = 'late_view';\n"
             "SELECT k, COUNT(*) FROM ev GROUP BY k, TUMBLE(ts, INTERVAL '5' SECOND)",
             EDDY_EBIND, 2, 1, "'late_view' is a view");
    tp_error(s,
             "SET 'eddy.late-rows.table' = 'late_gen';\n"
             "SELECT COUNT(*) FROM ev GROUP BY TUMBLE(ts, INTERVAL '5' SECOND)",
             EDDY_EBIND, 2, 1, "can only be read from");
    tp_error(s,
             "SET 'eddy.late-rows.table' = 'a..b';\n"
             "SELECT COUNT(*) FROM ev GROUP BY TUMBLE(ts, INTERVAL '5' SECOND)",
             EDDY_EUSAGE, 2, 1, "not a table name");
    /* inside a view: at the view's use, saying where in the view */
    tp_error(s,
             "SET 'eddy.late-rows.table' = 'late_ev';\n"
             "SELECT * FROM w5",
             EDDY_EBIND, 2, 15,
             "in view 'w5' (line 10, column 19): SET 'eddy.late-rows.table' = 'late_ev'");
    /* queries without windows do not look at it */
    eddy_job_plan *jp = tp_plan(s, "SELECT k, COUNT(*) FROM ev GROUP BY k");
    assert_int_equal(jp->nsinks, 1);
    eddy_job_plan_free(jp);
    tp_ok(s, "RESET 'eddy.late-rows.table';");
}

static void test_explain(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "SET 'eddy.late-rows.table' = 'late_ev';");
    char *t = tp_explain(s, tvf_insert);
    if (!strstr(t, "lateRows=[-> late_ev]") ||
        !strstr(t, "\nSink(table=[late_ev], fields=[ts, v, k])\n") ||
        !strstr(t, "+- Calc(select=[ts, CAST(v AS BIGINT) AS v, k], input=[late rows])\n") ||
        !strstr(
            t, "   +- LateRowsOf(WindowAggregate, groupBy=[k], window=[TUMBLE(ts, size=[5 s])])\n"))
        fail_msg("unexpected EXPLAIN:\n%s", t);
    free(t);
    tp_ok(s, "RESET 'eddy.late-rows.table';");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unset_drops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tvf_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruned_columns_stay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_windows_and_cascades, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_sets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
