/*
 * test_op_late.c: the late-row side output of window operators (operator.c eddy_op_emit_late,
 * operator.h late_outs; plan.h window_agg.late_sink).
 *
 *   - eddy_op_emit_late copies the chosen rows of a batch (values, NULLs, strings, decimals,
 *     row kinds, per-row watermarks) in the order given, in batches of at most EDDY_BATCH_ROWS,
 *     to every late output and to no ordinary output; with no late output it does nothing;
 *   - watermarks and end-of-input reach the late outputs too;
 *   - the TUMBLE/HOP window operator and the SESSION operator send exactly the rows they count
 *     as late: for random out-of-order input with per-row watermarks, the late output holds
 *     late_rows rows, each an input row unchanged, the same ones whether the input comes in
 *     batches of 1, 7 or 1024 rows; without a late output they still count and drop them.
 */
#include "test_agg_util.h"

/* ---- a bare operator: only the base part, for the emit helpers ---- */

static int bare_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    (void)op, (void)input, (void)b, (void)err;
    return 0;
}

static int bare_wm(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    (void)input;
    return eddy_op_emit_watermark(op, wm, err);
}

static int bare_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)input;
    return eddy_op_emit_finish(op, err);
}

static void bare_destroy(eddy_op *op)
{
    eddy_op_base_free(op);
    free(op);
}

static const eddy_op_ops bare_ops = {
    .name = "Bare",
    .push = bare_push,
    .watermark = bare_wm,
    .finish = bare_finish,
    .destroy = bare_destroy,
};

static eddy_op *bare_new(void)
{
    eddy_op *op = calloc(1, sizeof *op);
    op->ops = &bare_ops;
    eddy_op_init_inputs(op, 1);
    return op;
}

/* Attaches a new collector as a late output of op (after those it has). */
static tu_collector *attach_late(eddy_op *op)
{
    tu_collector *c = tu_attach(op); /* sets outs: move it over */
    op->late_outs = realloc(op->late_outs, sizeof(eddy_op_out) * (size_t)(op->nlate_outs + 1));
    op->late_outs[op->nlate_outs++] = op->outs[0];
    free(op->outs);
    op->outs = NULL;
    op->nouts = 0;
    return c;
}

static const eddy_field four[] = {
    {"k", &tu_bigint, false, false},
    {"s", &tu_str, false, false},
    {"d", &tu_dec102, false, false},
    {"ts", &tu_ts, true, false},
};

static void test_emit_late_copies_rows(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = bare_new();
    tu_collector *late = attach_late(op);
    tu_collector *late2 = attach_late(op);
    tu_collector *main = tu_attach(op);
    eddy_schema s = {(eddy_field *)four, 4};
    tu_cell rows[3][4] = {
        {{.i = 1}, {.s = "one"}, {.d = 100}, {.i = 1000}},
        {{.null = true}, {.s = "two"}, {.null = true}, {.i = 2000}},
        {{.i = 3}, {.s = ""}, {.d = -305}, {.i = 3000}},
    };
    eddy_batch *b = tu_batch(&s, &rows[0][0], 4, 3);
    int64_t wmb[3] = {10, 20, 30};
    b->wm_before = wmb;
    eddy_batch_kinds(b)[1] = EDDY_ROW_INSERT;
    int32_t sel[2] = {2, 1}; /* in the order given */
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(eddy_op_emit_late(op, b, sel, 2, &err), 0);
    assert_int_equal(main->n, 0);
    assert_int_equal(op->rows_out, 0);
    for (int k = 0; k < 2; k++) {
        tu_collector *c = k ? late2 : late;
        assert_int_equal(c->n, 2);
        assert_int_equal(c->batches, 1);
        assert_int_equal(c->base.rows_in, 2);
        assert_int_equal(c->rows[0].ncols, 4);
        assert_int_equal(c->rows[0].c[0].i, 3);
        assert_string_equal(c->rows[0].c[1].s, "");
        assert_true(c->rows[0].c[2].d == -305);
        assert_int_equal(c->rows[0].c[3].i, 3000);
        assert_int_equal(c->rows[0].wmb, 30);
        assert_true(c->rows[1].c[0].null);
        assert_string_equal(c->rows[1].c[1].s, "two");
        assert_true(c->rows[1].c[2].null);
        assert_false(c->rows[1].c[3].null);
        assert_int_equal(c->rows[1].wmb, 20);
        assert_int_equal(c->rows[1].kind, EDDY_ROW_INSERT);
    }
    /* a second call reuses the batch: no NULLs left over from the first */
    int32_t sel0[1] = {0};
    assert_int_equal(eddy_op_emit_late(op, b, sel0, 1, &err), 0);
    assert_int_equal(late->n, 3);
    assert_false(late->rows[2].c[0].null);
    assert_false(late->rows[2].c[2].null);
    assert_int_equal(late->rows[2].c[0].i, 1);
    assert_string_equal(late->rows[2].c[1].s, "one");
    /* nothing to send */
    assert_int_equal(eddy_op_emit_late(op, b, sel, 0, &err), 0);
    assert_int_equal(late->batches, 2);
    b->wm_before = NULL;
    eddy_batch_free(b);
    tu_collector_free(late);
    tu_collector_free(late2);
    tu_collector_free(main);
    op->ops->destroy(op);
    tu_done();
}

static void test_emit_late_without_outputs(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = bare_new();
    tu_collector *main = tu_attach(op);
    eddy_schema s = {(eddy_field *)four, 4};
    tu_cell rows[1][4] = {{{.i = 1}, {.s = "x"}, {.d = 1}, {.i = 1}}};
    eddy_batch *b = tu_batch(&s, &rows[0][0], 4, 1);
    int32_t sel[1] = {0};
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(eddy_op_emit_late(op, b, sel, 1, &err), 0);
    assert_int_equal(main->n, 0);
    assert_null(op->late_batch); /* not even a batch is made */
    eddy_batch_free(b);
    tu_collector_free(main);
    op->ops->destroy(op);
    tu_done();
}

static void test_emit_late_in_chunks(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = bare_new();
    tu_collector *late = attach_late(op);
    eddy_schema s = {(eddy_field *)four, 1};
    int n = 2 * EDDY_BATCH_ROWS + 500;
    tu_cell *rows = calloc((size_t)n, sizeof *rows);
    int32_t *sel = malloc(sizeof(int32_t) * (size_t)n);
    for (int i = 0; i < n; i++) {
        rows[i].i = i;
        sel[i] = n - 1 - i;
    }
    eddy_batch *b = tu_batch(&s, rows, 1, n);
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(eddy_op_emit_late(op, b, sel, n, &err), 0);
    assert_int_equal(late->n, n);
    assert_int_equal(late->batches, 3);
    for (int i = 0; i < n; i++)
        assert_int_equal(late->rows[i].c[0].i, n - 1 - i);
    eddy_batch_free(b);
    free(rows);
    free(sel);
    tu_collector_free(late);
    op->ops->destroy(op);
    tu_done();
}

static void test_watermark_and_finish_reach_late_outputs(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = bare_new();
    tu_collector *late = attach_late(op);
    tu_collector *main = tu_attach(op);
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(op->ops->watermark(op, 0, 5000, &err), 0);
    assert_int_equal(late->wm, 5000);
    assert_int_equal(main->wm, 5000);
    assert_int_equal(op->ops->finish(op, 0, &err), 0);
    assert_int_equal(late->finished, 1);
    assert_int_equal(main->finished, 1);
    tu_collector_free(late);
    tu_collector_free(main);
    op->ops->destroy(op);
    tu_done();
}

/* ---- the window operators ---- */

enum { C_K, C_V, C_TS, NCOLS };
static const eddy_field in_fields[NCOLS] = {
    {"k", &tu_bigint, false, false},
    {"v", &tu_bigint, false, false},
    {"ts", &tu_ts, true, false},
};

static eddy_plan *window_plan(eddy_plan_kind kind, eddy_window_kind wk)
{
    eddy_plan *in = tu_input(NCOLS, in_fields);
    eddy_field out[] = {
        {"k", &tu_bigint, false, false},      {"window_start", &tu_ts, false, false},
        {"window_end", &tu_ts, false, false}, {"window_time", &tu_ts, true, false},
        {"n", &tu_bigint, false, false},
    };
    eddy_plan *p = tu_node(kind, in, 5, out);
    p->u.window_agg.win.kind = wk;
    p->u.window_agg.win.time_col = C_TS;
    p->u.window_agg.win.size = 5000;
    p->u.window_agg.win.slide = wk == EDDY_WINDOW_HOP ? 2000 : 5000;
    p->u.window_agg.win.gap = 1500;
    p->u.window_agg.keys = tu_ints(1, C_K);
    p->u.window_agg.nkeys = 1;
    eddy_agg_call *aggs = eddy_arena_zalloc(tu_arena, sizeof *aggs);
    aggs[0] = tu_call(EDDY_AGG_COUNT, -1, -1, false, &tu_bigint);
    p->u.window_agg.aggs = aggs;
    p->u.window_agg.naggs = 1;
    return p;
}

typedef struct late_run {
    uint64_t late_rows; /* counted by the operator */
    int nlate;          /* rows on the late output */
    int64_t *ids;       /* their v (the input row's number), in order */
    int nout;           /* result rows */
} late_run;

/* Runs the operator of plan p over rows in batches of bsize, with or without a late output. */
static late_run run_late(eddy_plan *p, const tu_cell *rows, const int64_t *wmb, int n, int bsize,
                         bool with_late)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_op *op = p->kind == EDDY_PLAN_SESSION_AGG ? eddy_op_session_agg_new(p, &err)
                                                   : eddy_op_window_agg_new(p, &err);
    if (!op) fail_msg("operator: %s", err.msg);
    tu_collector *late = with_late ? attach_late(op) : NULL;
    tu_collector *main = tu_attach(op);
    for (int at = 0; at < n; at += bsize) {
        int k = n - at < bsize ? n - at : bsize;
        tu_push(op, rows + (size_t)at * NCOLS, NCOLS, k, wmb + at);
    }
    tu_finish(op);
    late_run r = {op->late_rows, late ? late->n : 0, NULL, main->n};
    r.ids = malloc(sizeof(int64_t) * (size_t)(r.nlate ? r.nlate : 1));
    for (int i = 0; i < r.nlate; i++) {
        const tu_row *x = &late->rows[i];
        assert_int_equal(x->ncols, NCOLS);
        int64_t id = x->c[C_V].i;
        assert_true(id >= 0 && id < n);
        /* the input row unchanged */
        const tu_cell *src = rows + (size_t)id * NCOLS;
        assert_int_equal(x->c[C_K].i, src[C_K].i);
        assert_int_equal(x->c[C_TS].i, src[C_TS].i);
        r.ids[i] = id;
    }
    if (late) tu_collector_free(late);
    tu_collector_free(main);
    op->ops->destroy(op);
    return r;
}

static void check_operator(eddy_plan_kind kind, eddy_window_kind wk)
{
    tu_init();
    eddy_plan *p = window_plan(kind, wk);
    unsigned seed = 7;
    for (int round = 0; round < 20; round++) {
        int n = 200 + round * 37;
        tu_cell *rows = calloc((size_t)n * NCOLS, sizeof(tu_cell));
        int64_t *wmb = malloc(sizeof(int64_t) * (size_t)n);
        int64_t max = INT64_MIN, t = 0;
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            t += (seed >> 16) % 400;
            /* out of order: up to 6 s back, the watermark 1 s behind the largest so far */
            int64_t ts = t - (int64_t)((seed >> 8) % 6000);
            rows[(size_t)i * NCOLS + C_K].i = (seed >> 4) % 3;
            rows[(size_t)i * NCOLS + C_V].i = i;
            rows[(size_t)i * NCOLS + C_TS].i = ts;
            wmb[i] = max == INT64_MIN ? INT64_MIN : max - 1000;
            if (ts > max) max = ts;
        }
        late_run r1 = run_late(p, rows, wmb, n, 1, true);
        late_run r7 = run_late(p, rows, wmb, n, 7, true);
        late_run rk = run_late(p, rows, wmb, n, 1024, true);
        late_run rd = run_late(p, rows, wmb, n, 7, false);
        assert_true(r1.late_rows > 0);
        assert_int_equal(r1.nlate, (int)r1.late_rows);
        assert_int_equal(r7.nlate, (int)r7.late_rows);
        assert_int_equal(rk.nlate, (int)rk.late_rows);
        assert_int_equal(r7.nlate, r1.nlate);
        assert_int_equal(rk.nlate, r1.nlate);
        for (int i = 0; i < r1.nlate; i++) {
            assert_int_equal(r7.ids[i], r1.ids[i]);
            assert_int_equal(rk.ids[i], r1.ids[i]);
            if (i) assert_true(r1.ids[i] > r1.ids[i - 1]); /* in input order */
        }
        /* without a late output: counted and dropped, the same result */
        assert_int_equal(rd.late_rows, r1.late_rows);
        assert_int_equal(rd.nlate, 0);
        assert_int_equal(rd.nout, r1.nout);
        free(r1.ids);
        free(r7.ids);
        free(rk.ids);
        free(rd.ids);
        free(rows);
        free(wmb);
    }
    tu_done();
}

static void test_tumble_sends_its_late_rows(void **state)
{
    (void)state;
    check_operator(EDDY_PLAN_WINDOW_AGG, EDDY_WINDOW_TUMBLE);
}

static void test_hop_sends_its_late_rows(void **state)
{
    (void)state;
    check_operator(EDDY_PLAN_WINDOW_AGG, EDDY_WINDOW_HOP);
}

static void test_session_sends_its_late_rows(void **state)
{
    (void)state;
    check_operator(EDDY_PLAN_SESSION_AGG, EDDY_WINDOW_SESSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emit_late_copies_rows),
        cmocka_unit_test(test_emit_late_without_outputs),
        cmocka_unit_test(test_emit_late_in_chunks),
        cmocka_unit_test(test_watermark_and_finish_reach_late_outputs),
        cmocka_unit_test(test_tumble_sends_its_late_rows),
        cmocka_unit_test(test_hop_sends_its_late_rows),
        cmocka_unit_test(test_session_sends_its_late_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
