/*
 * test_op_window_tvf.c: window assignment without aggregation (op_window_tvf.c): every row
 * comes out once per window containing it (by definition, windows in start order), with its
 * columns, row kind and per-row watermark, then window_start, window_end, window_time; rows
 * with a NULL time are dropped; batches bigger than one output batch split correctly.
 */
#include "test_agg_ref.h"

#include "common/checked.h"
#include "common/timeutil.h"

static eddy_plan *make_tvf_plan(eddy_window_kind kind, int64_t size, int64_t slide, int64_t off)
{
    eddy_plan *in = tu_input(IN_NCOLS, ref_in_fields);
    eddy_field out[IN_NCOLS + 3];
    memcpy(out, ref_in_fields, sizeof ref_in_fields);
    out[IN_NCOLS] = (eddy_field){"window_start", &tu_ts, false, false};
    out[IN_NCOLS + 1] = (eddy_field){"window_end", &tu_ts, false, false};
    out[IN_NCOLS + 2] = (eddy_field){"window_time", &tu_ts, true, false};
    eddy_plan *p = tu_node(EDDY_PLAN_WINDOW_TVF, in, IN_NCOLS + 3, out);
    p->u.window_tvf.win.kind = kind;
    p->u.window_tvf.win.time_col = IN_TS;
    p->u.window_tvf.win.size = size;
    p->u.window_tvf.win.slide = slide;
    p->u.window_tvf.win.offset = off;
    return p;
}

/* Windows of ts by definition, in start order (then end order). */
static int windows_of(eddy_window_kind kind, int64_t size, int64_t slide, int64_t off,
                      int64_t ts, int64_t *ws, int64_t *we)
{
    int n = 0;
    if (kind == EDDY_WINDOW_TUMBLE) {
        for (int64_t s = ts - size - 1; s <= ts + 1; s++)
            if (eddy_floormod_i64(s - off, size) == 0 && s <= ts && ts < s + size) {
                ws[n] = s;
                we[n++] = s + size;
            }
    } else if (kind == EDDY_WINDOW_HOP) {
        for (int64_t s = ts - size - 1; s <= ts + 1; s++)
            if (eddy_floormod_i64(s - off, slide) == 0 && s <= ts && ts < s + size) {
                ws[n] = s;
                we[n++] = s + size;
            }
    } else {
        for (int64_t s = ts - size - 1; s <= ts + 1; s++) {
            if (eddy_floormod_i64(s - off, size) != 0) continue;
            for (int64_t e = s + slide; e <= s + size; e += slide)
                if (s <= ts && ts < e) {
                    ws[n] = s;
                    we[n++] = e;
                }
        }
    }
    return n;
}

static void check_config(eddy_window_kind kind, int64_t size, int64_t slide, int64_t off)
{
    tu_init();
    ref_rng = (uint64_t)size * 31 + (uint64_t)slide;
    eddy_plan *p = make_tvf_plan(kind, size, slide, off);
    eddy_error err;
    eddy_error_clear(&err);
    eddy_op *op = eddy_op_window_tvf_new(p, &err);
    if (!op) fail_msg("%s", err.msg);
    tu_collector *c = tu_attach(op);
    enum { N = 3000 };
    tu_cell *rows = calloc((size_t)N * IN_NCOLS, sizeof(tu_cell));
    int64_t *wmb = malloc(sizeof(int64_t) * N);
    for (int i = 0; i < N; i++) {
        tu_cell *r = &rows[(size_t)i * IN_NCOLS];
        ref_fill_row(r, 5, 7);
        r[IN_TS].i = ref_between(-5000, 5000);
        r[IN_TS].null = ref_rand() % 50 == 0;
        wmb[i] = i * 3;
    }
    tu_push(op, rows, IN_NCOLS, N, wmb);
    int k = 0;
    for (int i = 0; i < N; i++) {
        const tu_cell *r = &rows[(size_t)i * IN_NCOLS];
        if (r[IN_TS].null) continue;
        int64_t ws[64], we[64];
        int nw = windows_of(kind, size, slide, off, r[IN_TS].i, ws, we);
        for (int j = 0; j < nw; j++, k++) {
            assert_true(k < c->n);
            const tu_row *g = &c->rows[k];
            for (int q = 0; q < IN_NCOLS; q++)
                assert_int_equal(tu_cell_cmp(&g->c[q], &r[q],
                                             eddy_phys_of(ref_in_fields[q].type), 0), 0);
            assert_int_equal(g->c[IN_NCOLS].i, ws[j]);
            assert_int_equal(g->c[IN_NCOLS + 1].i, we[j]);
            assert_int_equal(g->c[IN_NCOLS + 2].i, we[j] - 1);
            assert_int_equal(g->wmb, wmb[i]);
        }
    }
    assert_int_equal(c->n, k);
    tu_wm(op, 77);
    assert_int_equal(c->wm, 77);
    tu_finish(op);
    assert_int_equal(c->finished, 1);
    free(rows);
    free(wmb);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_tumble(void **state)
{
    (void)state;
    check_config(EDDY_WINDOW_TUMBLE, 1000, 1000, 0);
    check_config(EDDY_WINDOW_TUMBLE, 300, 300, 120);
}

static void test_hop(void **state)
{
    (void)state;
    check_config(EDDY_WINDOW_HOP, 1000, 250, 0);
    check_config(EDDY_WINDOW_HOP, 1000, 400, 30);
    check_config(EDDY_WINDOW_HOP, 300, 500, 0);
}

static void test_cumulate(void **state)
{
    (void)state;
    check_config(EDDY_WINDOW_CUMULATE, 1000, 250, 0);
    check_config(EDDY_WINDOW_CUMULATE, 900, 300, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tumble),
        cmocka_unit_test(test_hop),
        cmocka_unit_test(test_cumulate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
