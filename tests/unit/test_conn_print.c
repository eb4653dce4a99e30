/*
 * test_conn_print.c: the print sink (Flink's text per type, row kinds, the identifier prefix,
 * the JSON variant) and the blackhole sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_conn_util.h"

static const eddy_sink_ops *print_ops(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "print")->sink;
}

/* Runs batch b through a print sink with options kv; returns what it printed. */
static char *run_print(const eddy_schema *s, const eddy_batch *b, const eddy_kv *kv, int nkv,
                       bool kinds, bool changelog)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    eddy_sink_spec spec = tc_sink_spec("out", s, kv, nkv, f);
    spec.print_kinds = kinds;
    spec.changelog = changelog;
    void *st;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(print_ops()->open(&spec, &st, &err), 0);
    assert_int_equal(print_ops()->write(st, b, &err), 0);
    assert_int_equal(print_ops()->flush(st, &err), 0);
    print_ops()->close(st);
    fclose(f);
    return text;
}

static void test_types(void **st)
{
    (void)st;
    static eddy_sqltype ivl_ds = {.kind = EDDY_TYPE_INTERVAL, .precision = -1, .scale = -1,
                                  .from = EDDY_UNIT_DAY, .to = EDDY_UNIT_SECOND};
    static eddy_sqltype ivl_ym = {.kind = EDDY_TYPE_INTERVAL, .precision = -1, .scale = -1,
                                  .from = EDDY_UNIT_YEAR, .to = EDDY_UNIT_MONTH};
    static eddy_sqlfield rf[2] = {{"a", &tc_bigint, NULL}, {"ts", &tc_ts3, NULL}};
    static eddy_sqltype rowt = {.kind = EDDY_TYPE_ROW, .precision = -1, .scale = -1, .fields = rf,
                                .nfields = 2};
    const char *names[] = {"i", "s", "d", "m", "ts", "ltz", "day", "tm", "b", "bin", "ds", "ym", "r"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_varchar, &tc_double, &tc_dec10_2, &tc_ts3,
                             &tc_ltz3,   &tc_date,    &tc_time,   &tc_bool,    &tc_bytes,
                             &ivl_ds,    &ivl_ym,     &rowt};
    eddy_schema s = tc_schema(13, names, types);
    eddy_batch *b = tc_batch(&s, 4);
    b->n = 3;
    /* row 0 */
    b->cols[0].v.i64[0] = -1;
    b->cols[1].v.str[0] = eddy_batch_str(b, "abc", 3);
    b->cols[2].v.f64[0] = 1.0;
    b->cols[3].v.dec[0] = 12345;
    b->cols[4].v.i64[0] = INT64_C(1436918400000);
    b->cols[5].v.i64[0] = INT64_C(1436918400000);
    b->cols[6].v.i64[0] = 16631;
    b->cols[7].v.i64[0] = 36672000;
    b->cols[8].v.b[0] = 1;
    b->cols[9].v.str[0] = eddy_batch_str(b, "\x01\xff", 2);
    b->cols[10].v.i64[0] = 90061001;
    b->cols[11].v.i64[0] = 18;
    b->cols[12].v.str[0] = eddy_batch_str(b, "{\"ts\":\"2015-07-15 00:00:00.5\",\"a\":1}", 36);
    /* row 1 */
    b->cols[0].v.i64[1] = INT64_MAX;
    b->cols[1].v.str[1] = eddy_batch_str(b, "", 0);
    b->cols[2].v.f64[1] = 1e10;
    b->cols[3].v.dec[1] = -1;
    b->cols[4].v.i64[1] = INT64_C(1436918400012);
    b->cols[5].v.i64[1] = INT64_C(1436918401500);
    b->cols[6].v.i64[1] = -1;
    b->cols[7].v.i64[1] = 36672500;
    b->cols[8].v.b[1] = 0;
    b->cols[9].v.str[1] = eddy_batch_str(b, "", 0);
    b->cols[10].v.i64[1] = -500;
    b->cols[11].v.i64[1] = 0;
    b->cols[12].v.str[1] = eddy_batch_str(b, "{\"a\":null}", 10);
    /* row 2: NULLs */
    for (int c = 0; c < 13; c++) eddy_col_nulls(b, c)[2] = 1;
    char *out = run_print(&s, b, NULL, 0, true, false);
    assert_string_equal(out,
                        "+I[-1, abc, 1.0, 123.45, 2015-07-15T00:00, 2015-07-15T00:00:00Z, 2015-07-15, "
                        "10:11:12, true, [1, -1], PT25H1M1.001S, P1Y6M, +I[1, 2015-07-15T00:00:00.500]]\n"
                        "+I[9223372036854775807, , 1.0E10, -0.01, 2015-07-15T00:00:00.012, "
                        "2015-07-15T00:00:01.500Z, 1969-12-31, 10:11:12.500, false, [], PT-0.5S, P0D, "
                        "+I[null, null]]\n"
                        "+I[null, null, null, null, null, null, null, null, null, null, null, null, null]\n");
    free(out);
    eddy_batch_free(b);
    free(s.fields);
}

static void test_kinds_prefix_json(void **st)
{
    (void)st;
    const char *names[] = {"k", "v"};
    eddy_sqltype *types[] = {&tc_varchar, &tc_double};
    eddy_schema s = tc_schema(2, names, types);
    eddy_batch *b = tc_batch(&s, 4);
    b->n = 4;
    const char *ks[] = {"a", "a", "a", "b"};
    for (int r = 0; r < 4; r++) {
        b->cols[0].v.str[r] = eddy_batch_str(b, ks[r], 1);
        b->cols[1].v.f64[r] = r * 0.5;
    }
    uint8_t *kinds = eddy_batch_kinds(b);
    kinds[1] = EDDY_ROW_UPDATE_BEFORE;
    kinds[2] = EDDY_ROW_UPDATE_AFTER;
    kinds[3] = EDDY_ROW_DELETE;
    const eddy_kv id[] = {{"connector", "print"}, {"print-identifier", "q1"}};
    char *out = run_print(&s, b, id, 2, false, true);
    assert_string_equal(out, "q1> +I[a, 0.0]\nq1> -U[a, 0.5]\nq1> +U[a, 1.0]\nq1> -D[b, 1.5]\n");
    free(out);
    const eddy_kv js[] = {{"format", "json"}};
    out = run_print(&s, b, js, 1, true, true);
    assert_string_equal(out, "{\"op\":\"+I\",\"k\":\"a\",\"v\":0.0}\n{\"op\":\"-U\",\"k\":\"a\",\"v\":0.5}\n"
                             "{\"op\":\"+U\",\"k\":\"a\",\"v\":1.0}\n{\"op\":\"-D\",\"k\":\"b\",\"v\":1.5}\n");
    free(out);
    /* insert-only input without print_kinds: no kind shown */
    b->kinds = NULL;
    b->n = 1;
    out = run_print(&s, b, NULL, 0, false, false);
    assert_string_equal(out, "[a, 0.0]\n");
    free(out);
    /* options are checked */
    const eddy_kv bad[] = {{"print-identifer", "x"}};
    eddy_sink_spec spec = tc_sink_spec("out", &s, bad, 1, stdout);
    void *st_;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_not_equal(print_ops()->open(&spec, &st_, &err), 0);
    assert_string_equal(err.msg, "unknown option 'print-identifer' for connector 'print'; did you "
                                 "mean 'print-identifier'?");
    eddy_batch_free(b);
    free(s.fields);
}

static void test_blackhole(void **st)
{
    (void)st;
    const eddy_connector *c = eddy_connector_find(eddy_connectors_builtin(), "blackhole");
    assert_non_null(c);
    assert_true(c->accepts_changelog);
    assert_null(eddy_connector_find(eddy_connectors_builtin(), "nosuch"));
    const char *names[] = {"a"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    eddy_batch *b = tc_batch(&s, 4);
    b->n = 3;
    eddy_sink_spec spec = tc_sink_spec("bh", &s, NULL, 0, NULL);
    void *st_;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(c->sink->open(&spec, &st_, &err), 0);
    assert_int_equal(c->sink->write(st_, b, &err), 0);
    assert_int_equal(c->sink->flush(st_, &err), 0);
    c->sink->close(st_);
    const eddy_kv bad[] = {{"path", "/x"}};
    spec = tc_sink_spec("bh", &s, bad, 1, NULL);
    assert_int_not_equal(c->sink->open(&spec, &st_, &err), 0);
    assert_string_equal(err.msg, "unknown option 'path' for connector 'blackhole'");
    eddy_batch_free(b);
    free(s.fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_kinds_prefix_json),
        cmocka_unit_test(test_blackhole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
