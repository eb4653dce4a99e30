/*
 * test_op_session.c: the SESSION window aggregation operator (op_session_agg.c).
 *
 * A reference simulates the definition row by row: before each row, sessions whose
 * end - 1 + lateness the row's watermark reaches fire; a row's window [ts, ts + gap) joins
 * every open session of its key that it overlaps or touches (merging them, rows of the
 * earliest first), or opens a new one; a row whose own window has already fired and that
 * touches no open session is late (Flink merges first, then checks lateness). The
 * operator's output is compared with it (as a set, and the firing time with batches of one
 * row), over random out-of-order rows with many seeds, and the output sequence must not depend
 * on batch boundaries (1, 7, 1024 rows).
 */
#include "test_agg_ref.h"

typedef struct scfg {
    int64_t gap, lateness;
    int nkeycols;   /* 0, 1 (k), 2 (ks, k) */
} scfg;

static eddy_plan *make_session_plan(const scfg *c, int naggs)
{
    eddy_plan *in = tu_input(IN_NCOLS, ref_in_fields);
    eddy_field out[TU_MAXCOLS];
    int n = 0;
    int *keys = NULL;
    if (c->nkeycols == 1) {
        keys = tu_ints(1, IN_K);
        out[n++] = (eddy_field){"k", &tu_bigint, false, false};
    } else if (c->nkeycols == 2) {
        keys = tu_ints(2, IN_KS, IN_K);
        out[n++] = (eddy_field){"ks", &tu_str, false, false};
        out[n++] = (eddy_field){"k", &tu_bigint, false, false};
    }
    out[n++] = (eddy_field){"window_start", &tu_ts, false, false};
    out[n++] = (eddy_field){"window_end", &tu_ts, false, false};
    out[n++] = (eddy_field){"window_time", &tu_ts, true, false};
    for (int i = 0; i < naggs; i++) out[n++] = (eddy_field){"agg", ref_aggs[i].type, false, false};
    eddy_plan *p = tu_node(EDDY_PLAN_SESSION_AGG, in, n, out);
    p->u.window_agg.win.kind = EDDY_WINDOW_SESSION;
    p->u.window_agg.win.time_col = IN_TS;
    p->u.window_agg.win.gap = c->gap;
    p->u.window_agg.keys = keys;
    p->u.window_agg.nkeys = c->nkeycols;
    p->u.window_agg.aggs = ref_calls(naggs);
    p->u.window_agg.naggs = naggs;
    p->u.window_agg.allowed_lateness_ms = c->lateness;
    return p;
}

static eddy_op *new_op(eddy_plan *p)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_op *op = eddy_op_session_agg_new(p, &err);
    if (!op) fail_msg("session_agg_new: %s", err.msg);
    return op;
}

static int keycmp(const scfg *c, const tu_cell *a, const tu_cell *b)
{
    int r = 0;
    if (c->nkeycols == 2) r = tu_cell_cmp(&a[IN_KS], &b[IN_KS], EDDY_PHYS_STR, 0);
    if (!r && c->nkeycols >= 1) r = tu_cell_cmp(&a[IN_K], &b[IN_K], EDDY_PHYS_I64, 0);
    return r;
}

/* ---- reference ---- */

typedef struct rsess {
    const tu_cell *keyrow;
    int64_t start, end;
    const tu_cell **rows;
    int n, cap;
    bool live;
} rsess;

typedef struct expect {
    tu_row row;
    uint64_t stamp;
} expect;

static void rs_add(rsess *s, const tu_cell *r)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->rows = realloc(s->rows, sizeof(tu_cell *) * (size_t)s->cap);
    }
    s->rows[s->n++] = r;
}

static void rs_emit(const scfg *c, rsess *s, int naggs, uint64_t stamp, expect *e)
{
    tu_row *o = &e->row;
    memset(o, 0, sizeof *o);
    int col = 0;
    if (c->nkeycols == 2) o->c[col++] = s->keyrow[IN_KS];
    if (c->nkeycols >= 1) o->c[col++] = s->keyrow[IN_K];
    o->c[col++].i = s->start;
    o->c[col++].i = s->end;
    o->c[col++].i = s->end - 1;
    for (int a = 0; a < naggs; a++) ref_compute(&ref_aggs[a], s->rows, s->n, &o->c[col++]);
    o->ncols = col;
    e->stamp = stamp;
    s->live = false;
}

static expect *reference(const scfg *c, const tu_cell *rows, int n, const int64_t *wmb,
                         int naggs, int *nexp, int *late)
{
    rsess *ss = calloc((size_t)n + 1, sizeof(rsess));
    int ns = 0;
    expect *e = calloc((size_t)n + 1, sizeof(expect));
    int ne = 0;
    *late = 0;
    int64_t L = c->lateness;
    for (int i = 0; i <= n; i++) {
        int64_t wm = i < n ? wmb[i] : INT64_MAX;
        /* fire, in end order (ties: creation order) */
        for (;;) {
            int best = -1;
            for (int j = 0; j < ns; j++)
                if (ss[j].live && (wm == INT64_MAX || ss[j].end - 1 + L <= wm) &&
                    (best < 0 || ss[j].end < ss[best].end))
                    best = j;
            if (best < 0) break;
            uint64_t stamp = i < n ? 2 * (uint64_t)i + 1 : 2 * (uint64_t)n + 1;
            rs_emit(c, &ss[best], naggs, stamp, &e[ne++]);
        }
        if (i == n) break;
        const tu_cell *r = &rows[(size_t)i * IN_NCOLS];
        int64_t t = r[IN_TS].i, en = t + c->gap;
        int hit = -1;
        for (int j = 0; j < ns; j++) {
            if (!ss[j].live || keycmp(c, ss[j].keyrow, r)) continue;
            if (!(t <= ss[j].end && ss[j].start <= en)) continue;
            if (hit < 0 || ss[j].start < ss[hit].start) hit = j;
        }
        /* late: its own window has fired and it touches no open session */
        if (en - 1 + L <= wm && hit < 0) {
            (*late)++;
            continue;
        }
        if (hit < 0) {
            hit = ns++;
            ss[hit] = (rsess){.keyrow = r, .start = t, .end = en, .live = true};
        } else {
            for (;;) {
                int nx = -1;
                for (int j = 0; j < ns; j++) {
                    if (j == hit || !ss[j].live || keycmp(c, ss[j].keyrow, r)) continue;
                    if (!(t <= ss[j].end && ss[j].start <= en)) continue;
                    if (nx < 0 || ss[j].start < ss[nx].start) nx = j;
                }
                if (nx < 0) break;
                for (int k = 0; k < ss[nx].n; k++) rs_add(&ss[hit], ss[nx].rows[k]);
                if (ss[nx].start < ss[hit].start) ss[hit].start = ss[nx].start;
                if (ss[nx].end > ss[hit].end) ss[hit].end = ss[nx].end;
                ss[nx].live = false;
            }
            if (t < ss[hit].start) ss[hit].start = t;
            if (en > ss[hit].end) ss[hit].end = en;
        }
        rs_add(&ss[hit], r);
    }
    for (int j = 0; j < ns; j++) free(ss[j].rows);
    free(ss);
    *nexp = ne;
    return e;
}

/* ---- running ---- */

typedef struct run {
    tu_row *rows;
    int n;
    uint64_t late;
    uint64_t state_after;
} run;

static run run_op(eddy_plan *p, const tu_cell *rows, int n, const int64_t *wmb,
                  const int64_t *wm_after, int bs)
{
    eddy_op *op = new_op(p);
    tu_collector *col = tu_attach(op);
    for (int i = 0; i < n; i += bs) {
        int m = n - i < bs ? n - i : bs;
        tu_stamp = 2 * (uint64_t)(i + m);
        tu_push(op, rows + (size_t)i * IN_NCOLS, IN_NCOLS, m, wmb + i);
        tu_stamp++;
        tu_wm(op, wm_after[i + m - 1]);
    }
    tu_stamp = 2 * (uint64_t)n + 1;
    tu_finish(op);
    run r = {col->rows, col->n, op->late_rows, op->state_bytes};
    col->rows = NULL;
    tu_collector_free(col);
    op->ops->destroy(op);
    return r;
}

static const scfg *cmp_cfg;
static int out_row_cmp(const void *x, const void *y)
{
    const tu_row *a = x, *b = y;
    int kc = cmp_cfg->nkeycols;
    for (int j = 0; j < kc; j++) {
        eddy_phys ph = kc == 2 && j == 0 ? EDDY_PHYS_STR : EDDY_PHYS_I64;
        int r = tu_cell_cmp(&a->c[j], &b->c[j], ph, 0);
        if (r) return r;
    }
    if (a->c[kc].i != b->c[kc].i) return a->c[kc].i < b->c[kc].i ? -1 : 1;
    return 0;
}

static void check(const scfg *c, eddy_plan *p, const run *got, expect *exp, int nexp, int naggs)
{
    if (got->n != nexp) {
        fprintf(stderr, "got %d rows, expected %d\n", got->n, nexp);
        for (int i = 0; i < got->n && i < 20; i++) tu_row_print(&got->rows[i], &p->out);
        fprintf(stderr, "expected:\n");
        for (int i = 0; i < nexp && i < 20; i++) tu_row_print(&exp[i].row, &p->out);
    }
    assert_int_equal(got->n, nexp);
    cmp_cfg = c;
    tu_row *g = malloc(sizeof(tu_row) * (size_t)(nexp ? nexp : 1));
    memcpy(g, got->rows, sizeof(tu_row) * (size_t)nexp);
    qsort(g, (size_t)nexp, sizeof(tu_row), out_row_cmp);
    tu_row *w = malloc(sizeof(tu_row) * (size_t)(nexp ? nexp : 1));
    for (int i = 0; i < nexp; i++) {
        w[i] = exp[i].row;
        w[i].stamp = exp[i].stamp;
    }
    qsort(w, (size_t)nexp, sizeof(tu_row), out_row_cmp);
    int kc = c->nkeycols;
    for (int i = 0; i < nexp; i++) {
        bool ok = true;
        int bad = -1;
        for (int j = 0; j < kc + 3 && ok; j++)
            ok = tu_cell_cmp(&g[i].c[j], &w[i].c[j], eddy_phys_of(p->out.fields[j].type), 0) == 0;
        for (int a = 0; a < naggs && ok; a++)
            if (!ref_agg_equal(&ref_aggs[a], &g[i].c[kc + 3 + a], &w[i].c[kc + 3 + a])) {
                ok = false;
                bad = a;
            }
        if (ok && g[i].stamp != w[i].stamp) ok = false;
        if (!ok) {
            fprintf(stderr, "row %d differs (aggregate %d):\n got", i, bad);
            tu_row_print(&g[i], &p->out);
            fprintf(stderr, " want");
            tu_row_print(&w[i], &p->out);
            fail();
        }
    }
    /* sessions firing together come out in end order */
    for (int i = 1; i < got->n; i++)
        if (got->rows[i].stamp == got->rows[i - 1].stamp)
            assert_true(got->rows[i].c[kc + 1].i >= got->rows[i - 1].c[kc + 1].i);
    free(g);
    free(w);
}

static bool same_runs(const run *a, const run *b, const eddy_schema *s)
{
    if (a->n != b->n || a->late != b->late) return false;
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < s->n; j++)
            if (tu_cell_cmp(&a->rows[i].c[j], &b->rows[i].c[j], eddy_phys_of(s->fields[j].type),
                            0))
                return false;
    return true;
}

static tu_cell *gen_rows(int n, int nkeys, int64_t gap, int64_t delay, int64_t *wmb,
                         int64_t *wm_after)
{
    tu_cell *rows = calloc((size_t)n * IN_NCOLS, sizeof(tu_cell));
    int64_t base = 1000, maxts = INT64_MIN;
    for (int i = 0; i < n; i++) {
        tu_cell *r = &rows[(size_t)i * IN_NCOLS];
        /* steps around the gap so that sessions close, touch and bridge */
        int64_t step = ref_between(0, (int)(gap / 4));
        if (ref_rand() % 8 == 0) step = ref_between(0, (int)gap * 3);
        base += step / (nkeys > 0 ? 1 : 1);
        int64_t ts = base - ref_between(0, (int)gap);
        if (ref_rand() % 25 == 0) ts = base - ref_between(0, (int)gap * 6);
        if (ref_rand() % 10 == 0) ts = base - (base % gap); /* exact multiples: touching */
        r[IN_TS].i = ts;
        ref_fill_row(r, nkeys, 11);
        wmb[i] = maxts == INT64_MIN ? INT64_MIN : maxts - delay;
        if (ts > maxts) maxts = ts;
        wm_after[i] = maxts - delay;
    }
    return rows;
}

static void random_config(const scfg *c, int seeds, int n)
{
    for (int seed = 1; seed <= seeds; seed++) {
        tu_init();
        ref_rng = 0xD1B54A32D192ED03ULL * (uint64_t)seed + (uint64_t)c->gap;
        int nkeys = 1 + seed % 5;
        int64_t delay = (int64_t)(seed % 3) * c->gap / 2;
        int64_t *wmb = malloc(sizeof(int64_t) * (size_t)n);
        int64_t *wma = malloc(sizeof(int64_t) * (size_t)n);
        tu_cell *rows = gen_rows(n, nkeys, c->gap, delay, wmb, wma);
        int naggs = REF_NAGGS;
        eddy_plan *p = make_session_plan(c, naggs);
        int nexp, late;
        expect *exp = reference(c, rows, n, wmb, naggs, &nexp, &late);
        run r1 = run_op(p, rows, n, wmb, wma, 1);
        check(c, p, &r1, exp, nexp, naggs);
        assert_int_equal((int)r1.late, late);
        run r7 = run_op(p, rows, n, wmb, wma, 7);
        run r1k = run_op(p, rows, n, wmb, wma, 1024);
        assert_true(same_runs(&r1, &r7, &p->out));
        assert_true(same_runs(&r1, &r1k, &p->out));
        free(r1.rows);
        free(r7.rows);
        free(r1k.rows);
        free(exp);
        free(rows);
        free(wmb);
        free(wma);
        tu_done();
    }
}

static void test_random_sessions(void **state)
{
    (void)state;
    scfg c1 = {100, 0, 1};
    random_config(&c1, 25, 1200);
    scfg c2 = {250, 120, 2};
    random_config(&c2, 12, 1200);
    scfg c3 = {60, 0, 0};
    random_config(&c3, 8, 800);
}

/* ---- fixed cases ---- */

static void set_row(tu_cell *r, int64_t ts, int64_t k, int64_t v)
{
    memset(r, 0, sizeof(tu_cell) * IN_NCOLS);
    r[IN_TS].i = ts;
    r[IN_K].i = k;
    r[IN_V].i = v;
    r[IN_KS].s = "x";
    r[IN_S].s = "s";
    r[IN_SEP].s = ",";
}

static void push1(eddy_op *op, int64_t ts, int64_t k, int64_t v)
{
    tu_cell r[IN_NCOLS];
    set_row(r, ts, k, v);
    tu_push(op, r, IN_NCOLS, 1, NULL);
}

/* plan: key k, COUNT(*), COUNT(v), SUM(v); gap 10 */
static eddy_plan *small_plan(int64_t lateness)
{
    scfg c = {10, lateness, 1};
    return make_session_plan(&c, 3);
}

static void test_touching_rows_merge(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = new_op(small_plan(0));
    tu_collector *c = tu_attach(op);
    push1(op, 100, 1, 1);
    push1(op, 110, 1, 2); /* exactly gap after: joins */
    push1(op, 121, 1, 4); /* 11 after the last: a new session */
    tu_wm(op, 118);
    assert_int_equal(c->n, 0);
    tu_wm(op, 119); /* [100, 120) fires at 119 */
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].c[1].i, 100);
    assert_int_equal(c->rows[0].c[2].i, 120);
    assert_int_equal(c->rows[0].c[3].i, 119);
    assert_int_equal(c->rows[0].c[4].i, 2);
    assert_int_equal(c->rows[0].c[6].i, 3);
    tu_finish(op);
    assert_int_equal(c->n, 2);
    assert_int_equal(c->rows[1].c[1].i, 121);
    assert_int_equal(c->rows[1].c[2].i, 131);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_bridging_row_merges_two_sessions(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = new_op(small_plan(0));
    tu_collector *c = tu_attach(op);
    push1(op, 100, 1, 1);
    push1(op, 125, 1, 10); /* separate: 125 > 110 */
    push1(op, 200, 2, 5);  /* other key */
    push1(op, 112, 1, 100); /* [112, 122) touches neither alone? 112 > 110: no; 122 < 125: no */
    push1(op, 118, 1, 1000); /* [118, 128) overlaps [112,122) and [125,135): bridges */
    tu_finish(op);
    assert_int_equal(c->n, 3);
    /* key 1: [100,110) alone, then [112,135) from three rows */
    assert_int_equal(c->rows[0].c[1].i, 100);
    assert_int_equal(c->rows[0].c[2].i, 110);
    assert_int_equal(c->rows[0].c[6].i, 1);
    assert_int_equal(c->rows[1].c[1].i, 112);
    assert_int_equal(c->rows[1].c[2].i, 135);
    assert_int_equal(c->rows[1].c[4].i, 3);
    assert_int_equal(c->rows[1].c[6].i, 1110);
    assert_int_equal(c->rows[2].c[0].i, 2);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_bridge_across_touching(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = new_op(small_plan(0));
    tu_collector *c = tu_attach(op);
    push1(op, 100, 1, 1);   /* [100,110) */
    push1(op, 120, 1, 2);   /* [120,130) */
    push1(op, 110, 1, 4);   /* [110,120) touches both ends: one session [100,130) */
    tu_finish(op);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].c[1].i, 100);
    assert_int_equal(c->rows[0].c[2].i, 130);
    assert_int_equal(c->rows[0].c[6].i, 7);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_late_and_lateness(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = new_op(small_plan(0));
    tu_collector *c = tu_attach(op);
    tu_wm(op, 109);
    push1(op, 100, 1, 1); /* window [100,110): 109 >= 109: late */
    assert_int_equal(op->late_rows, 1);
    push1(op, 101, 1, 1); /* [101,111): fires at 110 > 109: taken */
    assert_int_equal(op->late_rows, 1);
    tu_finish(op);
    assert_int_equal(c->n, 1);
    tu_collector_free(c);
    op->ops->destroy(op);

    op = new_op(small_plan(50));
    c = tu_attach(op);
    push1(op, 100, 1, 1);
    tu_wm(op, 150);
    push1(op, 105, 1, 2); /* within lateness: joins [100, 115) */
    tu_wm(op, 163);
    assert_int_equal(c->n, 0);
    tu_wm(op, 164); /* 115 - 1 + 50 */
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].c[2].i, 115);
    assert_int_equal(c->rows[0].c[6].i, 3);
    tu_finish(op);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

/* golden late_session_merges_open: WATERMARK ts, gap 2 s */
static void test_late_row_touching_open_session_counts(void **state)
{
    (void)state;
    tu_init();
    scfg cfg = {2000, 0, 1};
    eddy_op *op = new_op(make_session_plan(&cfg, 3));
    tu_collector *c = tu_attach(op);
    push1(op, 10000, 1, 1);
    tu_wm(op, 10000);
    push1(op, 8000, 1, 2); /* [8,10) has fired by itself, but touches open [10,12) */
    push1(op, 5000, 1, 3); /* [5,7) touches nothing open: late */
    push1(op, 7000, 2, 3); /* another key: nothing open, late */
    assert_int_equal(op->late_rows, 2);
    tu_finish(op);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].c[1].i, 8000);
    assert_int_equal(c->rows[0].c[2].i, 12000);
    assert_int_equal(c->rows[0].c[4].i, 2);
    assert_int_equal(c->rows[0].c[6].i, 3);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_state_returns_after_firing(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = new_op(small_plan(0));
    tu_collector *c = tu_attach(op);
    enum { N = 1000 };
    tu_cell *rows = calloc((size_t)N * IN_NCOLS, sizeof(tu_cell));
    for (int round = 0; round < 30; round++) {
        for (int i = 0; i < N; i++) {
            set_row(&rows[(size_t)i * IN_NCOLS], round * 100 + i % 7, i + round * 1000, 1);
        }
        tu_push(op, rows, IN_NCOLS, N, NULL);
        if (round < 10) tu_wm(op, round * 100 + 50); /* then sessions pile up */
    }
    assert_int_equal(c->n, 10 * N);
    uint64_t before = op->state_bytes;
    assert_true(before > 1000000);
    tu_finish(op);
    assert_int_equal(c->n, 30 * N);
    /* fired sessions and their keys are gone, and their memory with them */
    assert_true(op->state_bytes < before / 10);
    free(rows);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_early_fire_rejected(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(0);
    p->u.window_agg.early_fire_ms = 1000;
    eddy_error err;
    eddy_error_clear(&err);
    assert_null(eddy_op_session_agg_new(p, &err));
    assert_int_equal(err.code, EDDY_EUNSUPPORTED);
    p = small_plan(1000);
    p->u.window_agg.late_fire = true;
    eddy_error_clear(&err);
    assert_null(eddy_op_session_agg_new(p, &err));
    assert_int_equal(err.code, EDDY_EUNSUPPORTED);
    tu_done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_touching_rows_merge),
        cmocka_unit_test(test_bridging_row_merges_two_sessions),
        cmocka_unit_test(test_bridge_across_touching),
        cmocka_unit_test(test_late_and_lateness),
        cmocka_unit_test(test_late_row_touching_open_session_counts),
        cmocka_unit_test(test_state_returns_after_firing),
        cmocka_unit_test(test_early_fire_rejected),
        cmocka_unit_test(test_random_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
