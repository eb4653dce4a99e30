/*
 * test_op_group_agg.c: non-windowed GROUP BY with a changelog (op_group_agg.c): the changelog
 * sequence per mini-batch (+I, -U/+U, nothing when unchanged), every aggregate against the
 * naive reference of test_agg_ref.h over random batches, DISTINCT with several FILTERs on one
 * column (Nexmark q15's shape), NULL keys, refused retractions and state TTL.
 */
#include "test_agg_ref.h"

static eddy_plan *make_group_plan(int nkeycols, int naggs, int64_t ttl, bool mini_batch)
{
    eddy_plan *in = tu_input(IN_NCOLS, ref_in_fields);
    eddy_field out[TU_MAXCOLS];
    int n = 0;
    int *keys = NULL;
    if (nkeycols == 1) {
        keys = tu_ints(1, IN_K);
        out[n++] = (eddy_field){"k", &tu_bigint, false, false};
    } else if (nkeycols == 2) {
        keys = tu_ints(2, IN_KS, IN_K);
        out[n++] = (eddy_field){"ks", &tu_str, false, false};
        out[n++] = (eddy_field){"k", &tu_bigint, false, false};
    }
    for (int i = 0; i < naggs; i++) out[n++] = (eddy_field){"agg", ref_aggs[i].type, false, false};
    eddy_plan *p = tu_node(EDDY_PLAN_GROUP_AGG, in, n, out);
    p->changelog = true;
    p->u.group_agg.keys = keys;
    p->u.group_agg.nkeys = nkeycols;
    p->u.group_agg.aggs = ref_calls(naggs);
    p->u.group_agg.naggs = naggs;
    p->u.group_agg.state_ttl_ms = ttl;
    p->u.group_agg.mini_batch = mini_batch;
    return p;
}

static eddy_op *new_op(eddy_plan *p)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_op *op = eddy_op_group_agg_new(p, &err);
    if (!op) fail_msg("group_agg_new: %s", err.msg);
    return op;
}

static void set_row(tu_cell *r, int64_t k, int64_t v)
{
    memset(r, 0, sizeof(tu_cell) * IN_NCOLS);
    r[IN_K].i = k;
    r[IN_V].i = v;
    r[IN_KS].s = "x";
    r[IN_S].s = "s";
    r[IN_SEP].s = ",";
    r[IN_FLAG].i = 1;
}

/* COUNT(*), COUNT(v), SUM(v), AVG(v), MIN(v), MAX(v), COUNT(DISTINCT v) */
static void test_changelog_sequence(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = make_group_plan(1, 7, 0, true);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_cell rows[3 * IN_NCOLS];
    set_row(rows, 1, 10);
    set_row(rows + IN_NCOLS, 2, 5);
    set_row(rows + 2 * IN_NCOLS, 1, 20);
    tu_push(op, rows, IN_NCOLS, 3, NULL);
    /* one change per group: +I for 1 (two rows), +I for 2 */
    assert_int_equal(c->n, 2);
    assert_int_equal(c->rows[0].kind, EDDY_ROW_INSERT);
    assert_int_equal(c->rows[0].c[0].i, 1);
    assert_int_equal(c->rows[0].c[1].i, 2);
    assert_int_equal(c->rows[0].c[3].i, 30);
    assert_int_equal(c->rows[1].kind, EDDY_ROW_INSERT);
    assert_int_equal(c->rows[1].c[0].i, 2);

    set_row(rows, 1, 30);
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    assert_int_equal(c->n, 4);
    assert_int_equal(c->rows[2].kind, EDDY_ROW_UPDATE_BEFORE);
    assert_int_equal(c->rows[2].c[3].i, 30);
    assert_int_equal(c->rows[2].c[4].i, 15);
    assert_int_equal(c->rows[3].kind, EDDY_ROW_UPDATE_AFTER);
    assert_int_equal(c->rows[3].c[1].i, 3);
    assert_int_equal(c->rows[3].c[3].i, 60);
    assert_int_equal(c->rows[3].c[4].i, 20);
    assert_int_equal(c->rows[3].c[6].i, 30);
    assert_int_equal(c->rows[3].c[7].i, 3);
    tu_collector_free(c);
    op->ops->destroy(op);

    /* a change that leaves the result as it was emits nothing: MAX and COUNT(DISTINCT) only */
    eddy_plan *in = tu_input(IN_NCOLS, ref_in_fields);
    eddy_field out[3] = {{"k", &tu_bigint, false, false},
                         {"mx", &tu_bigint, false, false},
                         {"cd", &tu_bigint, false, false}};
    p = tu_node(EDDY_PLAN_GROUP_AGG, in, 3, out);
    p->changelog = true;
    p->u.group_agg.mini_batch = true;
    p->u.group_agg.keys = tu_ints(1, IN_K);
    p->u.group_agg.nkeys = 1;
    eddy_agg_call *calls = eddy_arena_zalloc(tu_arena, 2 * sizeof *calls);
    calls[0] = tu_call(EDDY_AGG_MAX, IN_V, -1, false, &tu_bigint);
    calls[1] = tu_call(EDDY_AGG_COUNT, IN_V, -1, true, &tu_bigint);
    p->u.group_agg.aggs = calls;
    p->u.group_agg.naggs = 2;
    op = new_op(p);
    c = tu_attach(op);
    set_row(rows, 7, 10);
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    assert_int_equal(c->n, 1);
    set_row(rows, 7, 10);
    set_row(rows + IN_NCOLS, 7, 10);
    tu_push(op, rows, IN_NCOLS, 2, NULL);
    assert_int_equal(c->n, 1); /* unchanged */
    set_row(rows, 7, 3);
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    assert_int_equal(c->n, 3);
    assert_int_equal(c->rows[1].kind, EDDY_ROW_UPDATE_BEFORE);
    assert_int_equal(c->rows[1].c[2].i, 1);
    assert_int_equal(c->rows[2].kind, EDDY_ROW_UPDATE_AFTER);
    assert_int_equal(c->rows[2].c[1].i, 10);
    assert_int_equal(c->rows[2].c[2].i, 2);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

/* Without mini-batch (Flink's default) every row emits its group's change: the golden test
 * groupby_changelog, all rows in one batch. */
static void test_changelog_per_row(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = make_group_plan(1, 3, 0, false); /* COUNT(*), COUNT(v), SUM(v) */
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_cell rows[4 * IN_NCOLS];
    int64_t k[4] = {1, 2, 1, 1}, v[4] = {1, 2, 3, 4};
    for (int i = 0; i < 4; i++) set_row(rows + i * IN_NCOLS, k[i], v[i]);
    tu_push(op, rows, IN_NCOLS, 4, NULL);
    static const struct { uint8_t kind; int64_t k, n, s; } want[] = {
        {EDDY_ROW_INSERT, 1, 1, 1},        {EDDY_ROW_INSERT, 2, 1, 2},
        {EDDY_ROW_UPDATE_BEFORE, 1, 1, 1}, {EDDY_ROW_UPDATE_AFTER, 1, 2, 4},
        {EDDY_ROW_UPDATE_BEFORE, 1, 2, 4}, {EDDY_ROW_UPDATE_AFTER, 1, 3, 8},
    };
    assert_int_equal(c->n, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(c->rows[i].kind, want[i].kind);
        assert_int_equal(c->rows[i].c[0].i, want[i].k);
        assert_int_equal(c->rows[i].c[1].i, want[i].n);
        assert_int_equal(c->rows[i].c[3].i, want[i].s);
    }
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_null_key_is_a_group(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = make_group_plan(1, 1, 0, true);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_cell rows[3 * IN_NCOLS];
    set_row(rows, 0, 1);
    set_row(rows + IN_NCOLS, 0, 1);
    rows[IN_NCOLS + IN_K].null = true;
    set_row(rows + 2 * IN_NCOLS, 0, 1);
    rows[2 * IN_NCOLS + IN_K].null = true;
    tu_push(op, rows, IN_NCOLS, 3, NULL);
    assert_int_equal(c->n, 2);
    assert_false(c->rows[0].c[0].null);
    assert_int_equal(c->rows[0].c[1].i, 1);
    assert_true(c->rows[1].c[0].null);
    assert_int_equal(c->rows[1].c[1].i, 2);
    /* the same NULL group again, from a batch without NULLs in between (u64 fast path) */
    set_row(rows, 0, 1);
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    rows[IN_K].null = true;
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    assert_int_equal(c->n, 6);
    assert_true(c->rows[5].c[0].null);
    assert_int_equal(c->rows[5].c[1].i, 3);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

/* Nexmark q15's shape: COUNT(DISTINCT bidder) with FILTERs on one column share one set. */
static void test_distinct_with_filters(void **state)
{
    (void)state;
    tu_init();
    enum { C_DAY, C_BIDDER, C_PRICE, C_F1, C_F2, C_F3, NC };
    eddy_field inf[NC] = {{"day", &tu_str, false, false},   {"bidder", &tu_bigint, false, false},
                          {"price", &tu_bigint, false, false}, {"f1", &tu_bool, false, false},
                          {"f2", &tu_bool, false, false},   {"f3", &tu_bool, false, false}};
    eddy_plan *in = tu_input(NC, inf);
    eddy_field out[6] = {{"day", &tu_str, false, false},  {"total", &tu_bigint, false, false},
                         {"r1", &tu_bigint, false, false}, {"r2", &tu_bigint, false, false},
                         {"r3", &tu_bigint, false, false}, {"cnt1", &tu_bigint, false, false}};
    eddy_plan *p = tu_node(EDDY_PLAN_GROUP_AGG, in, 6, out);
    p->changelog = true;
    p->u.group_agg.mini_batch = true;
    p->u.group_agg.keys = tu_ints(1, C_DAY);
    p->u.group_agg.nkeys = 1;
    eddy_agg_call *calls = eddy_arena_zalloc(tu_arena, 5 * sizeof *calls);
    calls[0] = tu_call(EDDY_AGG_COUNT, C_BIDDER, -1, true, &tu_bigint);
    calls[1] = tu_call(EDDY_AGG_COUNT, C_BIDDER, C_F1, true, &tu_bigint);
    calls[2] = tu_call(EDDY_AGG_COUNT, C_BIDDER, C_F2, true, &tu_bigint);
    calls[3] = tu_call(EDDY_AGG_COUNT, C_BIDDER, C_F3, true, &tu_bigint);
    calls[4] = tu_call(EDDY_AGG_COUNT, -1, C_F1, false, &tu_bigint);
    p->u.group_agg.aggs = calls;
    p->u.group_agg.naggs = 5;
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    enum { N = 4000 };
    tu_cell *rows = calloc((size_t)N * NC, sizeof(tu_cell));
    ref_rng = 7;
    int64_t want[4] = {0}, cnt1 = 0;
    bool seen[4][200];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < N; i++) {
        tu_cell *r = &rows[(size_t)i * NC];
        r[C_DAY].s = "2015-07-15";
        r[C_BIDDER].i = ref_between(0, 199);
        r[C_PRICE].i = ref_between(1, 20000);
        r[C_F1].i = r[C_PRICE].i < 10000;
        r[C_F2].i = r[C_PRICE].i >= 10000 && r[C_PRICE].i < 1000000;
        r[C_F3].i = r[C_PRICE].i >= 15000;
        r[C_F3].null = i % 17 == 0;
        bool pass[4] = {true, r[C_F1].i != 0, r[C_F2].i != 0, r[C_F3].i && !r[C_F3].null};
        for (int a = 0; a < 4; a++)
            if (pass[a] && !seen[a][r[C_BIDDER].i]) {
                seen[a][r[C_BIDDER].i] = true;
                want[a]++;
            }
        cnt1 += r[C_F1].i != 0;
    }
    for (int i = 0; i < N; i += 500) tu_push(op, rows + (size_t)i * NC, NC, 500, NULL);
    tu_row *last = &c->rows[c->n - 1];
    assert_int_equal(last->kind, EDDY_ROW_UPDATE_AFTER);
    for (int a = 0; a < 4; a++) assert_int_equal(last->c[1 + a].i, want[a]);
    assert_int_equal(last->c[5].i, cnt1);
    free(rows);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_retractions_refused(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = new_op(make_group_plan(1, 2, 0, true));
    tu_collector *c = tu_attach(op);
    tu_cell rows[2 * IN_NCOLS];
    set_row(rows, 1, 1);
    set_row(rows + IN_NCOLS, 1, 1);
    uint8_t kinds[2] = {EDDY_ROW_INSERT, EDDY_ROW_UPDATE_BEFORE};
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(tu_push_ex(op, rows, IN_NCOLS, 2, NULL, kinds, &err), EDDY_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "retractions into GROUP BY are not supported yet"));
    /* +U rows count as inserts */
    kinds[1] = EDDY_ROW_UPDATE_AFTER;
    eddy_error_clear(&err);
    assert_int_equal(tu_push_ex(op, rows, IN_NCOLS, 2, NULL, kinds, &err), 0);
    assert_int_equal(c->rows[c->n - 1].c[1].i, 2);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_state_ttl(void **state)
{
    (void)state;
    tu_init();
    eddy_op *op = new_op(make_group_plan(1, 3, 100, true));
    tu_collector *c = tu_attach(op);
    tu_cell rows[IN_NCOLS];
    tu_tick(op, 1000);
    set_row(rows, 1, 5);
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    set_row(rows, 2, 5);
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    tu_tick(op, 1050);
    set_row(rows, 1, 6);
    tu_push(op, rows, IN_NCOLS, 1, NULL); /* updated at 1050 */
    assert_int_equal(c->n, 4);
    assert_int_equal(c->rows[3].c[1].i, 2);
    /* at 1100 key 2 (last updated 1000) has expired, key 1 not */
    tu_tick(op, 1100);
    set_row(rows, 2, 7);
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    assert_int_equal(c->n, 5);
    assert_int_equal(c->rows[4].kind, EDDY_ROW_INSERT); /* starts again, silently */
    assert_int_equal(c->rows[4].c[1].i, 1);
    assert_int_equal(c->rows[4].c[3].i, 7);
    set_row(rows, 1, 1);
    tu_push(op, rows, IN_NCOLS, 1, NULL);
    assert_int_equal(c->rows[6].kind, EDDY_ROW_UPDATE_AFTER);
    assert_int_equal(c->rows[6].c[1].i, 3);
    /* many groups, then all expire: the sweep gives the memory back */
    enum { N = 20000 };
    tu_cell *many = calloc((size_t)N * IN_NCOLS, sizeof(tu_cell));
    for (int i = 0; i < N; i++) set_row(&many[(size_t)i * IN_NCOLS], 100 + i, i);
    tu_tick(op, 2000);
    tu_push(op, many, IN_NCOLS, N, NULL);
    uint64_t full = op->state_bytes;
    assert_true(full > 500000);
    tu_tick(op, 2050);
    assert_true(op->state_bytes >= full);
    tu_tick(op, 2200);
    assert_true(op->state_bytes < full / 10);
    int before = c->n;
    tu_push(op, many, IN_NCOLS, 1, NULL);
    assert_int_equal(c->n, before + 1);
    assert_int_equal(c->rows[before].kind, EDDY_ROW_INSERT);
    free(many);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

/* Random batches against the reference: each batch emits, per touched group in first-touch
 * order, +I (first time) or -U previous / +U new. */
static void test_random_against_reference(void **state)
{
    (void)state;
    for (int seed = 1; seed <= 25; seed++) {
        tu_init();
        ref_rng = 0xA0761D6478BD642FULL * (uint64_t)seed;
        int nkeycols = seed % 3;
        bool mini = seed % 2 == 0;
        int nkeys = 1 + seed % 9;
        int naggs = REF_NAGGS;
        eddy_plan *p = make_group_plan(nkeycols, naggs, 0, mini);
        eddy_op *op = new_op(p);
        tu_collector *c = tu_attach(op);
        enum { N = 1500 };
        tu_cell *rows = calloc((size_t)N * IN_NCOLS, sizeof(tu_cell));
        for (int i = 0; i < N; i++) {
            ref_fill_row(&rows[(size_t)i * IN_NCOLS], nkeys, 9);
            rows[(size_t)i * IN_NCOLS + IN_TS].i = i;
        }
        /* expected changelog */
        tu_row *exp = calloc((size_t)N * 2, sizeof(tu_row));
        int ne = 0;
        const tu_cell **grp = malloc(sizeof(tu_cell *) * N);
        tu_row *prev = calloc(N, sizeof(tu_row)); /* per first row of a group */
        bool *has_prev = calloc(N, sizeof(bool));
        int kc = nkeycols;
        for (int i = 0; i < N;) {
            int bs = 1 + (int)(ref_rand() % 200);
            if (i + bs > N) bs = N - i;
            tu_push(op, rows + (size_t)i * IN_NCOLS, IN_NCOLS, bs, NULL);
            /* touched groups in first-touch order (mini-batch), or every row (per row); a group
             * is named by its first row overall */
            for (int j = i; j < i + bs; j++) {
                const tu_cell *r = &rows[(size_t)j * IN_NCOLS];
                int first = -1;
                for (int q = 0; q <= j && first < 0; q++) {
                    const tu_cell *x = &rows[(size_t)q * IN_NCOLS];
                    bool same = true;
                    if (kc == 2) same = tu_cell_cmp(&x[IN_KS], &r[IN_KS], EDDY_PHYS_STR, 0) == 0;
                    if (same && kc >= 1)
                        same = tu_cell_cmp(&x[IN_K], &r[IN_K], EDDY_PHYS_I64, 0) == 0;
                    if (same) first = q;
                }
                /* already handled in this batch? */
                bool done = false;
                for (int q = i; q < j && !done && mini; q++) {
                    const tu_cell *x = &rows[(size_t)q * IN_NCOLS];
                    bool same = true;
                    if (kc == 2) same = tu_cell_cmp(&x[IN_KS], &r[IN_KS], EDDY_PHYS_STR, 0) == 0;
                    if (same && kc >= 1)
                        same = tu_cell_cmp(&x[IN_K], &r[IN_K], EDDY_PHYS_I64, 0) == 0;
                    done = same;
                }
                if (done) continue;
                int m = 0;
                for (int q = 0; q < (mini ? i + bs : j + 1); q++) {
                    const tu_cell *x = &rows[(size_t)q * IN_NCOLS];
                    bool same = true;
                    if (kc == 2) same = tu_cell_cmp(&x[IN_KS], &r[IN_KS], EDDY_PHYS_STR, 0) == 0;
                    if (same && kc >= 1)
                        same = tu_cell_cmp(&x[IN_K], &r[IN_K], EDDY_PHYS_I64, 0) == 0;
                    if (same) grp[m++] = x;
                }
                tu_row now;
                memset(&now, 0, sizeof now);
                int col = 0;
                if (kc == 2) now.c[col++] = r[IN_KS];
                if (kc >= 1) now.c[col++] = r[IN_K];
                for (int a = 0; a < naggs; a++) ref_compute(&ref_aggs[a], grp, m, &now.c[col++]);
                now.ncols = col;
                if (has_prev[first]) {
                    exp[ne] = prev[first];
                    exp[ne++].kind = EDDY_ROW_UPDATE_BEFORE;
                    exp[ne] = now;
                    exp[ne++].kind = EDDY_ROW_UPDATE_AFTER;
                } else {
                    exp[ne] = now;
                    exp[ne++].kind = EDDY_ROW_INSERT;
                }
                prev[first] = now;
                has_prev[first] = true;
            }
            i += bs;
        }
        if (c->n != ne) fprintf(stderr, "seed %d: got %d rows, expected %d\n", seed, c->n, ne);
        assert_int_equal(c->n, ne);
        for (int i = 0; i < ne; i++) {
            const tu_row *g = &c->rows[i], *w = &exp[i];
            bool ok = g->kind == w->kind;
            for (int j = 0; j < kc && ok; j++)
                ok = tu_cell_cmp(&g->c[j], &w->c[j], eddy_phys_of(p->out.fields[j].type), 0) == 0;
            int bad = -1;
            for (int a = 0; a < naggs && ok; a++)
                if (!ref_agg_equal(&ref_aggs[a], &g->c[kc + a], &w->c[kc + a])) {
                    ok = false;
                    bad = a;
                }
            if (!ok) {
                fprintf(stderr, "seed %d row %d differs (aggregate %d):\n got", seed, i, bad);
                tu_row_print(g, &p->out);
                fprintf(stderr, " want");
                tu_row_print(w, &p->out);
                fail();
            }
        }
        free(rows);
        free(exp);
        free(grp);
        free(prev);
        free(has_prev);
        tu_collector_free(c);
        op->ops->destroy(op);
        tu_done();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changelog_sequence),
        cmocka_unit_test(test_changelog_per_row),
        cmocka_unit_test(test_null_key_is_a_group),
        cmocka_unit_test(test_distinct_with_filters),
        cmocka_unit_test(test_retractions_refused),
        cmocka_unit_test(test_state_ttl),
        cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
