/*
 * test_conn_datagen.c: the datagen source: determinism under 'seed' (batch size and
 * projection independent), bounds, sequences, random ranges, string lengths, null rates,
 * timestamps from the virtual clock, throttling, position/seek, and option errors with
 * suggestions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <cmocka.h>

#include "test_conn_util.h"

static const eddy_source_ops *ops(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "datagen")->source;
}

typedef struct dgs {
    eddy_schema s;
    eddy_source_spec spec;
    void *st;
    eddy_batch *b;
} dgs;

static int dgs_open(dgs *x, int n, const char *const *names, eddy_sqltype *const *types,
                    const eddy_kv *kv, int nkv, int cap, eddy_error *err)
{
    memset(x, 0, sizeof *x);
    x->s = tc_schema(n, names, types);
    x->spec = tc_source_spec("gen", &x->s, kv, nkv);
    eddy_error_clear(err);
    int rc = ops()->open(&x->spec, &x->st, err);
    x->b = tc_batch(&x->s, cap);
    return rc;
}

static void dgs_close(dgs *x)
{
    if (x->st) ops()->close(x->st);
    eddy_batch_free(x->b);
    free(x->s.fields);
}

static int dgs_poll(dgs *x)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_batch_reset(x->b);
    int r;
    do r = ops()->poll(x->st, x->b, 0, &err);
    while (r == EDDY_POLL_IDLE);
    return r;
}

/* Every cell of the source as text, one line per row. */
static char *collect(dgs *x, int *rows)
{
    eddy_strbuf out = {0};
    *rows = 0;
    while (dgs_poll(x) == EDDY_POLL_DATA) {
        for (int r = 0; r < x->b->n; r++, (*rows)++) {
            for (int c = 0; c < x->s.n; c++) {
                const eddy_col *col = &x->b->cols[c];
                if (tc_isnull(x->b, c, r))
                    eddy_strbuf_puts(&out, "null");
                else if (col->phys == EDDY_PHYS_STR)
                    eddy_strbuf_append(&out, col->v.str[r].p, col->v.str[r].n);
                else if (col->phys == EDDY_PHYS_F64)
                    eddy_strbuf_printf(&out, "%.17g", col->v.f64[r]);
                else if (col->phys == EDDY_PHYS_DEC)
                    eddy_strbuf_printf(&out, "%lld", (long long)col->v.dec[r]);
                else if (col->phys == EDDY_PHYS_BOOL)
                    eddy_strbuf_printf(&out, "%d", col->v.b[r]);
                else
                    eddy_strbuf_printf(&out, "%lld", (long long)col->v.i64[r]);
                eddy_strbuf_putc(&out, c + 1 < x->s.n ? '|' : '\n');
            }
        }
    }
    return eddy_strbuf_take(&out);
}

static const char *all_names[] = {"id", "price", "buyer", "ts", "ok", "amount", "small"};
static eddy_sqltype *all_types[] = {&tc_bigint, &tc_double, &tc_varchar, &tc_ts3,
                                    &tc_bool,   &tc_dec10_2, &tc_tinyint};
static const eddy_kv seeded[] = {
    {"connector", "datagen"}, {"rows-per-second", "0"}, {"number-of-rows", "2500"},
    {"seed", "7"},            {"fields.id.kind", "sequence"}, {"fields.id.start", "100"},
    {"fields.id.end", "1000000"}, {"fields.price.min", "1"}, {"fields.price.max", "2"},
    {"fields.buyer.length", "5"}, {"fields.ts.max-past", "10 s"},
    {"fields.amount.min", "-1.5"}, {"fields.amount.max", "1.5"}, {"fields.small.null-rate", "0.25"},
};
#define NSEEDED ((int)(sizeof seeded / sizeof seeded[0]))

static void test_seed_determinism(void **st)
{
    (void)st;
    dgs a, b, c;
    eddy_error err;
    int na, nb, nc;
    assert_int_equal(dgs_open(&a, 7, all_names, all_types, seeded, NSEEDED, 1024, &err), 0);
    assert_int_equal(dgs_open(&b, 7, all_names, all_types, seeded, NSEEDED, 13, &err), 0);
    char *ta = collect(&a, &na), *tb = collect(&b, &nb);
    assert_int_equal(na, 2500);
    assert_int_equal(nb, 2500);
    assert_string_equal(ta, tb);
    assert_int_equal(dgs_poll(&a), EDDY_POLL_END);
    /* projection: 'buyer' alone has the same values as among the others */
    assert_int_equal(dgs_open(&c, 1, (const char *[]){"buyer"}, (eddy_sqltype *[]){&tc_varchar},
                              seeded, NSEEDED, 100, &err),
                     0);
    char *tc = collect(&c, &nc);
    const char *p = ta, *q = tc;
    for (int i = 0; i < 2500; i++) {
        const char *f = strchr(strchr(p, '|') + 1, '|') + 1;
        assert_memory_equal(f, q, 5); /* the 5 hex digits */
        assert_true(f[5] == '|' && q[5] == '\n');
        p = strchr(p, '\n') + 1;
        q = strchr(q, '\n') + 1;
    }
    free(ta);
    free(tb);
    free(tc);
    dgs_close(&a);
    dgs_close(&b);
    dgs_close(&c);
}

static void test_values(void **st)
{
    (void)st;
    dgs x;
    eddy_error err;
    assert_int_equal(dgs_open(&x, 7, all_names, all_types, seeded, NSEEDED, 1000, &err), 0);
    int n = 0, nulls = 0, trues = 0;
    while (dgs_poll(&x) == EDDY_POLL_DATA) {
        for (int r = 0; r < x.b->n; r++, n++) {
            assert_int_equal(x.b->cols[0].v.i64[r], 100 + n);
            double pr = x.b->cols[1].v.f64[r];
            assert_true(pr >= 1 && pr <= 2);
            assert_int_equal(x.b->cols[2].v.str[r].n, 5);
            for (int i = 0; i < 5; i++) assert_non_null(strchr("0123456789abcdef", x.b->cols[2].v.str[r].p[i]));
            /* virtual clock: base-time + n ms (unthrottled), minus up to 10 s */
            int64_t now = INT64_C(1577836800000) + n, ts = x.b->cols[3].v.i64[r];
            assert_true(ts <= now && ts >= now - 10000);
            trues += x.b->cols[4].v.b[r];
            __int128 m = x.b->cols[5].v.dec[r];
            assert_true(m >= -150 && m <= 150);
            if (tc_isnull(x.b, 6, r))
                nulls++;
            else
                assert_true(x.b->cols[6].v.i64[r] >= -128 && x.b->cols[6].v.i64[r] <= 127);
        }
    }
    assert_int_equal(n, 2500);
    assert_true(nulls > 500 && nulls < 750);
    assert_true(trues > 1000 && trues < 1500);
    uint64_t done, total;
    ops()->progress(x.st, &done, &total);
    assert_int_equal(done, 2500);
    assert_int_equal(total, 2500);
    dgs_close(&x);
}

static void test_sequence_bounds_and_seek(void **st)
{
    (void)st;
    const eddy_kv kv[] = {{"rows-per-second", "0"}, {"fields.k.kind", "sequence"},
                          {"fields.k.start", "-5"}, {"fields.k.end", "94"},
                          {"fields.s.kind", "sequence"}, {"fields.s.start", "1"},
                          {"fields.s.end", "1000"}};
    dgs x, y;
    eddy_error err;
    const char *names[] = {"k", "s"};
    eddy_sqltype *types[] = {&tc_int, &tc_varchar};
    assert_int_equal(dgs_open(&x, 2, names, types, kv, 7, 30, &err), 0);
    assert_int_equal(dgs_poll(&x), EDDY_POLL_DATA);
    assert_int_equal(x.b->n, 30);
    assert_int_equal(x.b->cols[0].v.i64[0], -5);
    assert_string_equal(tc_str(x.b, 1, 29), "30");
    eddy_strbuf pos = {0};
    assert_int_equal(ops()->position(x.st, &pos, &err), 0);
    assert_string_equal(pos.s, "30");
    assert_int_equal(dgs_open(&y, 2, names, types, kv, 7, 1000, &err), 0);
    assert_int_equal(ops()->seek(y.st, pos.s, pos.n, &err), 0);
    int n;
    char *tx = collect(&x, &n), *ty = collect(&y, &n);
    assert_int_equal(n, 70); /* the shortest sequence (100 values) ends the source */
    assert_string_equal(tx, ty);
    assert_memory_equal(ty, "25|31\n", 6);
    assert_int_equal(dgs_poll(&y), EDDY_POLL_END);
    free(tx);
    free(ty);
    eddy_strbuf_free(&pos);
    dgs_close(&x);
    dgs_close(&y);
}

static void test_throttle(void **st)
{
    (void)st;
    const eddy_kv kv[] = {{"rows-per-second", "200"}};
    dgs x;
    eddy_error err;
    assert_int_equal(dgs_open(&x, 1, (const char *[]){"v"}, (eddy_sqltype *[]){&tc_bigint}, kv, 1,
                              1000, &err),
                     0);
    eddy_batch_reset(x.b);
    assert_int_equal(ops()->poll(x.st, x.b, 0, &err), EDDY_POLL_DATA);
    assert_int_equal(x.b->n, 1);
    eddy_batch_reset(x.b);
    assert_int_equal(ops()->poll(x.st, x.b, 0, &err), EDDY_POLL_IDLE);
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL);
    eddy_batch_reset(x.b);
    assert_int_equal(ops()->poll(x.st, x.b, 0, &err), EDDY_POLL_DATA);
    assert_true(x.b->n >= 15 && x.b->n <= 40); /* ~20 rows due after 100 ms */
    /* a poll with a timeout waits for the next row instead of returning IDLE */
    eddy_batch_reset(x.b);
    assert_int_equal(ops()->poll(x.st, x.b, 50, &err), EDDY_POLL_DATA);
    dgs_close(&x);
}

static void test_option_errors(void **st)
{
    (void)st;
    dgs x;
    eddy_error err;
    const char *names[] = {"price"};
    eddy_sqltype *types[] = {&tc_double};
    const eddy_kv t1[] = {{"rows-per-secnd", "5"}};
    assert_int_not_equal(dgs_open(&x, 1, names, types, t1, 1, 8, &err), 0);
    assert_string_equal(err.msg, "unknown option 'rows-per-secnd' for connector 'datagen'; did you "
                                 "mean 'rows-per-second'?");
    dgs_close(&x);
    const eddy_kv t2[] = {{"fields.price.knd", "random"}};
    assert_int_not_equal(dgs_open(&x, 1, names, types, t2, 1, 8, &err), 0);
    assert_string_equal(err.msg, "unknown option 'fields.price.knd' for connector 'datagen'; did "
                                 "you mean 'fields.price.kind'?");
    dgs_close(&x);
    const eddy_kv t3[] = {{"fields.price.kind", "sequence"}, {"fields.price.end", "5"}};
    assert_int_not_equal(dgs_open(&x, 1, names, types, t3, 2, 8, &err), 0);
    assert_string_equal(err.msg, "option 'fields.price.start' is required for connector 'datagen'");
    dgs_close(&x);
    const eddy_kv t4[] = {{"fields.price.kind", "sequense"}};
    assert_int_not_equal(dgs_open(&x, 1, names, types, t4, 1, 8, &err), 0);
    assert_string_equal(err.msg, "option 'fields.price.kind' of connector 'datagen' must be one of "
                                 "'random', 'sequence', not 'sequense'; did you mean 'sequence'?");
    dgs_close(&x);
    const eddy_kv t5[] = {{"number-of-rows", "-3"}};
    assert_int_not_equal(dgs_open(&x, 1, names, types, t5, 1, 8, &err), 0);
    assert_string_equal(err.msg, "option 'number-of-rows' of connector 'datagen' must be at least "
                                 "0, not '-3'");
    dgs_close(&x);
    /* a field option naming no column of the table */
    eddy_schema phys = tc_schema(1, names, types);
    const eddy_kv t6[] = {{"fields.prize.min", "1"}};
    memset(&x, 0, sizeof x);
    x.s = tc_schema(1, names, types);
    x.spec = tc_source_spec("gen", &x.s, t6, 1);
    x.spec.physical = &phys;
    eddy_error_clear(&err);
    assert_int_not_equal(ops()->open(&x.spec, &x.st, &err), 0);
    assert_string_equal(err.msg, "option 'fields.prize.min' of connector 'datagen' names no column "
                                 "of table 'gen'");
    free(phys.fields);
    free(x.s.fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_determinism),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_sequence_bounds_and_seek),
        cmocka_unit_test(test_throttle),
        cmocka_unit_test(test_option_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
