/*
 * test_agg.c: the accumulators (runtime/agg.c) and group-key encoding (runtime/rowkey.c) on
 * their own: result types and rounding (AVG of integers truncates, AVG of DECIMAL rounds
 * HALF_UP to scale max(6, s)), overflow errors, NULL results, merge equal to one pass for every
 * aggregate, heap accounting back to zero, HyperLogLog accuracy, LISTAGG separators, types the
 * runtime refuses, and key encodings that group equal SQL values together.
 */
#include "test_agg_ref.h"

#include "common/hash.h"
#include "runtime/agg.h"
#include "runtime/rowkey.h"

static eddy_schema ref_schema(void)
{
    eddy_schema s = {(eddy_field *)ref_in_fields, IN_NCOLS};
    return s;
}

static eddy_aggs *compile(const eddy_agg_call *calls, int n)
{
    eddy_schema s = ref_schema();
    eddy_error err;
    eddy_error_clear(&err);
    eddy_aggs *a = eddy_aggs_new(calls, n, &s, 0, 1, 1, &err);
    if (!a) fail_msg("aggs_new: %s", err.msg);
    return a;
}

/* Row k of an output column as a cell (strings copied into tu_arena). */
static void cell_at(const eddy_col *c, int k, tu_cell *x)
{
    memset(x, 0, sizeof *x);
    x->null = c->nulls && c->nulls[k];
    if (x->null) return;
    switch (c->phys) {
    case EDDY_PHYS_BOOL: x->i = c->v.b[k]; break;
    case EDDY_PHYS_I64: x->i = c->v.i64[k]; break;
    case EDDY_PHYS_F64: x->f = c->v.f64[k]; break;
    case EDDY_PHYS_DEC: x->d = c->v.dec[k]; break;
    case EDDY_PHYS_STR: x->s = eddy_arena_strndup(tu_arena, c->v.str[k].p, c->v.str[k].n); break;
    }
}

/* Runs calls over rows[0..n) into one row; returns the results as cells. */
static void run_one(eddy_aggs *a, const tu_cell *rows, int n, tu_cell *out, const eddy_sqltype **types,
                    int naggs, int *rc_out, eddy_error *err)
{
    eddy_schema s = ref_schema();
    eddy_batch *b = tu_batch(&s, rows, IN_NCOLS, n);
    char *row = calloc(1, eddy_aggs_row_size(a));
    eddy_agg_rows r = {row, eddy_aggs_row_size(a), 0};
    uint32_t *gids = calloc((size_t)(n ? n : 1), sizeof(uint32_t));
    eddy_arena *scratch = eddy_arena_new(0);
    int rc = eddy_aggs_update(a, &r, b, NULL, gids, n, scratch, err);
    eddy_batch *o = eddy_batch_new(naggs, types, 4);
    if (!rc) rc = eddy_aggs_output(a, row, o, 0, 0, err);
    o->n = 1;
    for (int j = 0; j < naggs && !rc; j++) {
        const eddy_col *c = &o->cols[j];
        memset(&out[j], 0, sizeof out[j]);
        if (c->nulls && c->nulls[0]) {
            out[j].null = true;
            continue;
        }
        switch (c->phys) {
        case EDDY_PHYS_BOOL: out[j].i = c->v.b[0]; break;
        case EDDY_PHYS_I64: out[j].i = c->v.i64[0]; break;
        case EDDY_PHYS_F64: out[j].f = c->v.f64[0]; break;
        case EDDY_PHYS_DEC: out[j].d = c->v.dec[0]; break;
        case EDDY_PHYS_STR:
            out[j].s = eddy_arena_strndup(tu_arena, c->v.str[0].p, c->v.str[0].n);
            break;
        }
    }
    eddy_aggs_row_free(a, row, &r.heap);
    assert_int_equal(r.heap, 0);
    *rc_out = rc;
    free(row);
    free(gids);
    eddy_arena_destroy(scratch);
    eddy_batch_free(o);
    eddy_batch_free(b);
}

static void one_agg(eddy_agg fn, int arg, const eddy_sqltype *type, const tu_cell *rows, int n,
                    tu_cell *out, int *rc, eddy_error *err)
{
    eddy_agg_call c = tu_call(fn, arg, -1, false, type);
    eddy_aggs *a = compile(&c, 1);
    const eddy_sqltype *types[1] = {type};
    eddy_error_clear(err);
    run_one(a, rows, n, out, types, 1, rc, err);
    eddy_aggs_free(a);
}

static tu_cell *rows_v(int n, const int64_t *v)
{
    tu_cell *rows = eddy_arena_zalloc(tu_arena, sizeof(tu_cell) * (size_t)n * IN_NCOLS);
    for (int i = 0; i < n; i++) {
        rows[(size_t)i * IN_NCOLS + IN_V].i = v[i];
        rows[(size_t)i * IN_NCOLS + IN_DEC].d = v[i];
        rows[(size_t)i * IN_NCOLS + IN_D].f = (double)v[i];
        rows[(size_t)i * IN_NCOLS + IN_S].s = "x";
        rows[(size_t)i * IN_NCOLS + IN_KS].s = "x";
        rows[(size_t)i * IN_NCOLS + IN_SEP].s = ";";
    }
    return rows;
}

static void test_avg_types_and_rounding(void **state)
{
    (void)state;
    tu_init();
    tu_cell out;
    int rc;
    eddy_error err;
    int64_t v1[] = {-7, -8};
    one_agg(EDDY_AGG_AVG, IN_V, &tu_bigint, rows_v(2, v1), 2, &out, &rc, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(out.i, -7); /* -7.5 truncates toward zero */
    int64_t v2[] = {7, 8, 8};
    one_agg(EDDY_AGG_AVG, IN_V, &tu_int, rows_v(3, v2), 3, &out, &rc, &err);
    assert_int_equal(out.i, 7);
    one_agg(EDDY_AGG_AVG, IN_V, &tu_double, rows_v(2, v1), 2, &out, &rc, &err);
    assert_true(out.f == -7.5);
    /* DECIMAL(10,2) values 0.01 and 0.02: AVG = 0.015000 as DECIMAL(38,6) */
    int64_t v3[] = {1, 2};
    one_agg(EDDY_AGG_AVG, IN_DEC, &tu_dec386, rows_v(2, v3), 2, &out, &rc, &err);
    assert_int_equal(rc, 0);
    assert_true(out.d == 15000);
    /* 1.00, 1.00, 1.01 -> 1.003333 (HALF_UP), and negated -1.003333 */
    int64_t v4[] = {100, 100, 101};
    one_agg(EDDY_AGG_AVG, IN_DEC, &tu_dec386, rows_v(3, v4), 3, &out, &rc, &err);
    assert_true(out.d == 1003333);
    int64_t v5[] = {-100, -100, -101};
    one_agg(EDDY_AGG_AVG, IN_DEC, &tu_dec386, rows_v(3, v5), 3, &out, &rc, &err);
    assert_true(out.d == -1003333);
    /* 0.005 rounds up: values 0.01, 0.00 -> 0.005000 exactly; 2/3 cents -> 0.006667 */
    int64_t v6[] = {1, 1, 0};
    one_agg(EDDY_AGG_AVG, IN_DEC, &tu_dec386, rows_v(3, v6), 3, &out, &rc, &err);
    assert_true(out.d == 6667);
    /* SUM of DECIMAL(10,2) is DECIMAL(38,2) */
    one_agg(EDDY_AGG_SUM, IN_DEC, &tu_dec382, rows_v(3, v4), 3, &out, &rc, &err);
    assert_true(out.d == 301);
    tu_done();
}

static void test_overflow_and_nulls(void **state)
{
    (void)state;
    tu_init();
    tu_cell out;
    int rc;
    eddy_error err;
    int64_t big[] = {INT32_MAX, 1};
    one_agg(EDDY_AGG_SUM, IN_V, &tu_int, rows_v(2, big), 2, &out, &rc, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    assert_non_null(strstr(err.msg, "INT overflow in SUM"));
    one_agg(EDDY_AGG_SUM, IN_V, &tu_bigint, rows_v(2, big), 2, &out, &rc, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(out.i, (int64_t)INT32_MAX + 1);
    int64_t huge[] = {INT64_MAX, 1};
    one_agg(EDDY_AGG_SUM, IN_V, &tu_bigint, rows_v(2, huge), 2, &out, &rc, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    assert_non_null(strstr(err.msg, "BIGINT overflow in SUM"));
    one_agg(EDDY_AGG_AVG, IN_V, &tu_bigint, rows_v(2, huge), 2, &out, &rc, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);

    /* all NULL: SUM/AVG/MIN NULL, COUNT 0, $SUM0 0, VAR_SAMP of one value NULL */
    tu_cell *rows = rows_v(2, big);
    rows[IN_V].null = true;
    rows[IN_NCOLS + IN_V].null = true;
    one_agg(EDDY_AGG_SUM, IN_V, &tu_bigint, rows, 2, &out, &rc, &err);
    assert_true(out.null);
    one_agg(EDDY_AGG_SUM0, IN_V, &tu_bigint, rows, 2, &out, &rc, &err);
    assert_false(out.null);
    assert_int_equal(out.i, 0);
    one_agg(EDDY_AGG_COUNT, IN_V, &tu_bigint, rows, 2, &out, &rc, &err);
    assert_int_equal(out.i, 0);
    one_agg(EDDY_AGG_COUNT, -1, &tu_bigint, rows, 2, &out, &rc, &err);
    assert_int_equal(out.i, 2);
    one_agg(EDDY_AGG_MAX, IN_V, &tu_bigint, rows, 2, &out, &rc, &err);
    assert_true(out.null);
    one_agg(EDDY_AGG_LISTAGG, IN_KS, &tu_str, rows, 0, &out, &rc, &err);
    assert_true(out.null);
    int64_t one[] = {5};
    one_agg(EDDY_AGG_VAR_SAMP, IN_V, &tu_double, rows_v(1, one), 1, &out, &rc, &err);
    assert_true(out.null);
    one_agg(EDDY_AGG_VAR_POP, IN_V, &tu_double, rows_v(1, one), 1, &out, &rc, &err);
    assert_true(out.f == 0);
    one_agg(EDDY_AGG_STDDEV, IN_V, &tu_double, rows_v(1, one), 1, &out, &rc, &err);
    assert_true(out.null);
    int64_t sd[] = {2, 4, 4, 4, 5, 5, 7, 9};
    one_agg(EDDY_AGG_STDDEV_POP, IN_V, &tu_double, rows_v(8, sd), 8, &out, &rc, &err);
    assert_true(fabs(out.f - 2.0) < 1e-12);
    one_agg(EDDY_AGG_VARIANCE, IN_DEC, &tu_double, rows_v(8, sd), 8, &out, &rc, &err);
    assert_true(fabs(out.f - 32.0 / 7 / 10000) < 1e-15);
    tu_done();
}

static void test_listagg_and_bool(void **state)
{
    (void)state;
    tu_init();
    tu_cell out;
    int rc;
    eddy_error err;
    int64_t v[] = {1, 2, 3};
    tu_cell *rows = rows_v(3, v);
    rows[IN_KS].s = "a";
    rows[IN_NCOLS + IN_KS].null = true;
    rows[2 * IN_NCOLS + IN_KS].s = "c";
    one_agg(EDDY_AGG_LISTAGG, IN_KS, &tu_str, rows, 3, &out, &rc, &err);
    assert_string_equal(out.s, "a,c");
    eddy_agg_call c = tu_call(EDDY_AGG_LISTAGG, IN_KS, -1, false, &tu_str);
    c.arg2 = IN_SEP;
    eddy_aggs *a = compile(&c, 1);
    const eddy_sqltype *types[1] = {&tu_str};
    run_one(a, rows, 3, &out, types, 1, &rc, &err);
    assert_string_equal(out.s, "a;c");
    eddy_aggs_free(a);

    rows[IN_B].i = 1;
    rows[IN_NCOLS + IN_B].null = true;
    rows[2 * IN_NCOLS + IN_B].i = 0;
    one_agg(EDDY_AGG_BOOL_AND, IN_B, &tu_bool, rows, 3, &out, &rc, &err);
    assert_int_equal(out.i, 0);
    one_agg(EDDY_AGG_BOOL_OR, IN_B, &tu_bool, rows, 3, &out, &rc, &err);
    assert_int_equal(out.i, 1);
    one_agg(EDDY_AGG_BOOL_AND, IN_B, &tu_bool, rows, 1, &out, &rc, &err);
    assert_int_equal(out.i, 1);
    tu_done();
}

static void test_refused_types(void **state)
{
    (void)state;
    tu_init();
    eddy_schema s = ref_schema();
    eddy_error err;
    eddy_agg_call bad[] = {
        tu_call(EDDY_AGG_SUM, IN_S, -1, false, &tu_bigint),
        tu_call(EDDY_AGG_AVG, IN_B, -1, false, &tu_bigint),
        tu_call(EDDY_AGG_LISTAGG, IN_V, -1, false, &tu_str),
        tu_call(EDDY_AGG_BOOL_AND, IN_V, -1, false, &tu_bool),
        tu_call(EDDY_AGG_STDDEV_POP, IN_S, -1, false, &tu_double),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        eddy_error_clear(&err);
        assert_null(eddy_aggs_new(&bad[i], 1, &s, 0, 1, 1, &err));
        assert_int_equal(err.code, EDDY_EUNSUPPORTED);
    }
    tu_done();
}

static void test_hll_accuracy(void **state)
{
    (void)state;
    tu_init();
    enum { N = 200000 };
    tu_cell *rows = calloc((size_t)N * IN_NCOLS, sizeof(tu_cell));
    for (int i = 0; i < N; i++) {
        rows[(size_t)i * IN_NCOLS + IN_V].i = i % 100000;
        rows[(size_t)i * IN_NCOLS + IN_KS].s = "x";
        rows[(size_t)i * IN_NCOLS + IN_S].s = "x";
        rows[(size_t)i * IN_NCOLS + IN_SEP].s = ",";
    }
    tu_cell out;
    int rc;
    eddy_error err;
    one_agg(EDDY_AGG_APPROX_COUNT_DISTINCT, IN_V, &tu_bigint, rows, N, &out, &rc, &err);
    assert_int_equal(rc, 0);
    assert_true(out.i > 97000 && out.i < 103000);
    one_agg(EDDY_AGG_COUNT, -1, &tu_bigint, rows, N, &out, &rc, &err);
    assert_int_equal(out.i, N);
    free(rows);
    tu_done();
}

/* For every aggregate of the reference list: rows split in two accumulators and merged give
 * the same result as one accumulator over all rows. */
static void test_merge_equals_one_pass(void **state)
{
    (void)state;
    for (int seed = 1; seed <= 30; seed++) {
        tu_init();
        ref_rng = 1000003ULL * (uint64_t)seed;
        int n = 1 + (int)(ref_rand() % 300);
        tu_cell *rows = calloc((size_t)n * IN_NCOLS, sizeof(tu_cell));
        for (int i = 0; i < n; i++) ref_fill_row(&rows[(size_t)i * IN_NCOLS], 3, 0);
        int naggs = REF_NAGGS;
        eddy_agg_call *calls = ref_calls(naggs);
        eddy_aggs *a = compile(calls, naggs);
        eddy_schema s = ref_schema();
        eddy_batch *b = tu_batch(&s, rows, IN_NCOLS, n);
        size_t rs = eddy_aggs_row_size(a);
        char *acc = calloc(3, rs); /* 0: all rows; 1: first part; 2: second part */
        eddy_agg_rows r = {acc, rs, 0};
        uint32_t *g = malloc(sizeof(uint32_t) * (size_t)n);
        int cut = (int)(ref_rand() % (uint32_t)(n + 1));
        eddy_arena *scratch = eddy_arena_new(0);
        eddy_error err;
        eddy_error_clear(&err);
        for (int i = 0; i < n; i++) g[i] = 0;
        assert_int_equal(eddy_aggs_update(a, &r, b, NULL, g, n, scratch, &err), 0);
        for (int i = 0; i < n; i++) g[i] = i < cut ? 1 : 2;
        assert_int_equal(eddy_aggs_update(a, &r, b, NULL, g, n, scratch, &err), 0);
        assert_int_equal(eddy_aggs_merge(a, acc + rs, acc + 2 * rs, &r.heap, &err), 0);
        const eddy_sqltype *types[TU_MAXCOLS];
        for (int j = 0; j < naggs; j++) types[j] = ref_aggs[j].type;
        eddy_batch *o = eddy_batch_new(naggs, types, 2);
        assert_int_equal(eddy_aggs_output(a, acc, o, 0, 0, &err), 0);
        assert_int_equal(eddy_aggs_output(a, acc + rs, o, 0, 1, &err), 0);
        o->n = 2;
        for (int j = 0; j < naggs; j++) {
            const eddy_col *c = &o->cols[j];
            tu_cell x[2];
            for (int k = 0; k < 2; k++) cell_at(c, k, &x[k]);
            if (!ref_agg_equal(&ref_aggs[j], &x[1], &x[0])) fail_msg("aggregate %d differs", j);
        }
        for (int k = 0; k < 3; k++) eddy_aggs_row_free(a, acc + (size_t)k * rs, &r.heap);
        assert_int_equal(r.heap, 0);
        free(acc);
        free(g);
        free(rows);
        eddy_arena_destroy(scratch);
        eddy_batch_free(o);
        eddy_batch_free(b);
        eddy_aggs_free(a);
        tu_done();
    }
}

/* A row encoded for a checkpoint and decoded into a fresh row goes on exactly as the original:
 * both take the rest of the rows and give the same results; heap accounting returns to zero;
 * every truncation of the encoding is refused. */
static void test_encode_decode_round_trip(void **state)
{
    (void)state;
    for (int seed = 1; seed <= 30; seed++) {
        tu_init();
        ref_rng = 7000003ULL * (uint64_t)seed;
        int n = 2 + (int)(ref_rand() % 300);
        tu_cell *rows = calloc((size_t)n * IN_NCOLS, sizeof(tu_cell));
        for (int i = 0; i < n; i++) ref_fill_row(&rows[(size_t)i * IN_NCOLS], 3, 0);
        int naggs = REF_NAGGS;
        eddy_agg_call *calls = ref_calls(naggs);
        eddy_aggs *a = compile(calls, naggs);
        eddy_schema s = ref_schema();
        eddy_batch *b = tu_batch(&s, rows, IN_NCOLS, n);
        size_t rs = eddy_aggs_row_size(a);
        char *acc = calloc(2, rs); /* 0: the original; 1: decoded */
        eddy_agg_rows r = {acc, rs, 0};
        int cut = 1 + (int)(ref_rand() % (uint32_t)(n - 1));
        int32_t *sel = malloc(sizeof(int32_t) * (size_t)n);
        uint32_t *g = calloc((size_t)n, sizeof(uint32_t));
        eddy_arena *scratch = eddy_arena_new(0);
        eddy_error err;
        eddy_error_clear(&err);
        for (int i = 0; i < n; i++) sel[i] = i;
        assert_int_equal(eddy_aggs_update(a, &r, b, sel, g, cut, scratch, &err), 0);
        eddy_strbuf enc = {0};
        eddy_aggs_row_encode(a, acc, &enc);
        for (size_t cutlen = 0; cutlen < enc.n; cutlen += 1 + enc.n / 7) {
            int64_t h = 0;
            char *tmp = calloc(1, rs);
            if (eddy_aggs_row_decode(a, tmp, enc.s, cutlen, &h, &err) >= 0)
                fail_msg("a truncated encoding (%zu of %zu bytes) was accepted", cutlen, enc.n);
            assert_int_equal(h, 0);
            free(tmp);
        }
        assert_int_equal(eddy_aggs_row_decode(a, acc + rs, enc.s, enc.n, &r.heap, &err), (int64_t)enc.n);
        eddy_strbuf enc2 = {0};
        eddy_aggs_row_encode(a, acc + rs, &enc2);
        assert_int_equal(enc2.n, enc.n);
        for (int i = cut; i < n; i++) g[i - cut] = 0;
        assert_int_equal(eddy_aggs_update(a, &r, b, sel + cut, g, n - cut, scratch, &err), 0);
        for (int i = cut; i < n; i++) g[i - cut] = 1;
        assert_int_equal(eddy_aggs_update(a, &r, b, sel + cut, g, n - cut, scratch, &err), 0);
        const eddy_sqltype *types[TU_MAXCOLS];
        for (int j = 0; j < naggs; j++) types[j] = ref_aggs[j].type;
        eddy_batch *o = eddy_batch_new(naggs, types, 2);
        assert_int_equal(eddy_aggs_output(a, acc, o, 0, 0, &err), 0);
        assert_int_equal(eddy_aggs_output(a, acc + rs, o, 0, 1, &err), 0);
        o->n = 2;
        for (int j = 0; j < naggs; j++) {
            const eddy_col *c = &o->cols[j];
            tu_cell x[2];
            for (int k = 0; k < 2; k++) cell_at(c, k, &x[k]);
            if (!ref_agg_equal(&ref_aggs[j], &x[1], &x[0]))
                fail_msg("seed %d: aggregate %d differs after decode", seed, j);
        }
        for (int k = 0; k < 2; k++) eddy_aggs_row_free(a, acc + (size_t)k * rs, &r.heap);
        assert_int_equal(r.heap, 0);
        eddy_strbuf_free(&enc);
        eddy_strbuf_free(&enc2);
        free(acc);
        free(g);
        free(sel);
        free(rows);
        eddy_arena_destroy(scratch);
        eddy_batch_free(o);
        eddy_batch_free(b);
        eddy_aggs_free(a);
        tu_done();
    }
}

/* ---- rowkey ---- */

static void test_rowkey_round_trip(void **state)
{
    (void)state;
    tu_init();
    enum { N = 6 };
    eddy_field f[4] = {{"s", &tu_str, false, false},
                       {"d", &tu_double, false, false},
                       {"m", &tu_dec102, false, false},
                       {"b", &tu_bool, false, false}};
    eddy_schema s = {f, 4};
    tu_cell rows[N * 4];
    memset(rows, 0, sizeof rows);
    char longer[301]; /* past the 200 bytes of the short string form */
    memset(longer, 'q', 300);
    longer[300] = 0;
    const char *strs[N] = {"", "a", "a", "long string beyond twenty bytes", longer, "x"};
    double ds[N] = {0.0, -0.0, NAN, 1.5, -NAN, 2};
    for (int i = 0; i < N; i++) {
        rows[i * 4].s = strs[i];
        rows[i * 4 + 1].f = ds[i];
        rows[i * 4 + 2].d = i * 1000;
        rows[i * 4 + 3].i = i & 1;
    }
    rows[5 * 4].null = true;
    rows[5 * 4 + 2].null = true;
    eddy_batch *b = tu_batch(&s, rows, 4, N);
    int cols[4] = {0, 1, 2, 3};
    eddy_rowkey k;
    eddy_rowkey_init(&k, cols, 4, &s);
    eddy_arena *a = eddy_arena_new(0);
    eddy_rowkey_batch kb;
    eddy_rowkey_encode(&k, b, a, &kb);
    assert_null(kb.u64);
    /* decode every key into a fresh batch and compare */
    const eddy_sqltype *types[4] = {&tu_str, &tu_double, &tu_dec102, &tu_bool};
    eddy_batch *o = eddy_batch_new(4, types, N);
    for (int i = 0; i < N; i++) eddy_rowkey_decode(&k, kb.keys[i], kb.lens[i], o, 0, i);
    o->n = N;
    for (int i = 0; i < N; i++) {
        if (i == 5) {
            assert_true(o->cols[0].nulls[i]);
            assert_true(o->cols[2].nulls[i]);
            continue;
        }
        assert_int_equal(o->cols[0].v.str[i].n, strlen(strs[i]));
        assert_memory_equal(o->cols[0].v.str[i].p, strs[i], strlen(strs[i]));
        assert_true(o->cols[2].v.dec[i] == i * 1000);
    }
    /* 0.0 and -0.0 group together, as do NaNs */
    eddy_field f1[1] = {{"d", &tu_double, false, false}};
    eddy_schema s1 = {f1, 1};
    tu_cell d[4];
    memset(d, 0, sizeof d);
    d[0].f = 0.0;
    d[1].f = -0.0;
    d[2].f = NAN;
    d[3].f = -NAN;
    eddy_batch *bd = tu_batch(&s1, d, 1, 4);
    eddy_rowkey kd;
    int c0 = 0;
    eddy_rowkey_init(&kd, &c0, 1, &s1);
    eddy_rowkey_batch kbd;
    eddy_rowkey_encode(&kd, bd, a, &kbd);
    assert_int_equal(kbd.lens[0], kbd.lens[1]);
    assert_memory_equal(kbd.keys[0], kbd.keys[1], kbd.lens[0]);
    assert_memory_equal(kbd.keys[2], kbd.keys[3], kbd.lens[2]);
    assert_true(kbd.hashes[0] == kbd.hashes[1]);
    eddy_rowkey_free(&kd);
    eddy_batch_free(bd);
    eddy_rowkey_free(&k);
    eddy_batch_free(o);
    eddy_batch_free(b);
    eddy_arena_destroy(a);
    tu_done();
}

static void test_rowkey_single_bigint(void **state)
{
    (void)state;
    tu_init();
    eddy_field f[1] = {{"k", &tu_bigint, false, false}};
    eddy_schema s = {f, 1};
    tu_cell rows[3];
    memset(rows, 0, sizeof rows);
    rows[0].i = 42;
    rows[1].i = -1;
    rows[2].i = 42;
    eddy_batch *b1 = tu_batch(&s, rows, 1, 3);
    rows[1].null = true;
    eddy_batch *b2 = tu_batch(&s, rows, 1, 3);
    int c0 = 0;
    eddy_rowkey k;
    eddy_rowkey_init(&k, &c0, 1, &s);
    assert_true(k.single_i64);
    eddy_arena *a = eddy_arena_new(0);
    eddy_rowkey_batch x, y;
    eddy_rowkey_encode(&k, b1, a, &x);
    eddy_rowkey_encode(&k, b2, a, &y);
    assert_non_null(x.u64);
    assert_null(y.u64);
    /* the same value hashes the same on both paths, and has the same 8 key bytes */
    assert_true(x.hashes[0] == y.hashes[0]);
    assert_true(x.hashes[0] == eddy_hash_u64(42));
    assert_int_equal(y.lens[0], 8);
    assert_memory_equal(y.keys[0], &x.u64[0], 8);
    assert_int_equal(y.lens[1], 1);
    eddy_batch *o = eddy_batch_new(1, (const eddy_sqltype *[]){&tu_bigint}, 2);
    eddy_rowkey_decode(&k, y.keys[0], y.lens[0], o, 0, 0);
    eddy_rowkey_decode(&k, y.keys[1], y.lens[1], o, 0, 1);
    assert_int_equal(o->cols[0].v.i64[0], 42);
    assert_true(o->cols[0].nulls && o->cols[0].nulls[1]);
    eddy_batch_free(o);
    eddy_rowkey_free(&k);
    eddy_batch_free(b1);
    eddy_batch_free(b2);
    eddy_arena_destroy(a);
    tu_done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_avg_types_and_rounding),
        cmocka_unit_test(test_overflow_and_nulls),
        cmocka_unit_test(test_listagg_and_bool),
        cmocka_unit_test(test_refused_types),
        cmocka_unit_test(test_hll_accuracy),
        cmocka_unit_test(test_merge_equals_one_pass),
        cmocka_unit_test(test_encode_decode_round_trip),
        cmocka_unit_test(test_rowkey_round_trip),
        cmocka_unit_test(test_rowkey_single_bigint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
