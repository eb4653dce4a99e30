/*
 * test_conn_csv.c: the CSV decoder (positions, RFC 4180 quoting, delimiters, NULLs, escapes,
 * record lengths, errors with positions, records spanning lines) and the encoder (quoting,
 * round trips).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "connectors/format_csv.h"
#include "test_conn_util.h"

static int decode(eddy_csv_decoder *d, eddy_batch *b, const char *line)
{
    return eddy_csv_decode(d, line, strlen(line), b, true);
}

static void test_positions_and_quotes(void **st)
{
    (void)st;
    /* the table is (id BIGINT, name STRING, price DOUBLE, note STRING); we read note and id */
    const char *names[] = {"note", "id"};
    eddy_sqltype *types[] = {&tc_varchar, &tc_bigint};
    eddy_schema s = tc_schema(2, names, types);
    eddy_csv_decoder *d = eddy_csv_decoder_new(&s, (int[]){3, 0}, 4, NULL);
    eddy_batch *b = tc_batch(&s, 8);
    assert_int_equal(decode(d, b, "1,apple,2.5,plain"), 0);
    assert_int_equal(decode(d, b, "2,\"pear, ripe\",3,\"say \"\"hi\"\"\""), 0);
    assert_int_equal(decode(d, b, "3,,,\"multi\nline\""), 0);
    assert_int_equal(decode(d, b, "4,x,1,"), 0);
    assert_int_equal(decode(d, b, "5,x,1,\"\""), 0);
    assert_int_equal(b->n, 5);
    assert_string_equal(tc_str(b, 0, 0), "plain");
    assert_int_equal(b->cols[1].v.i64[0], 1);
    assert_string_equal(tc_str(b, 0, 1), "say \"hi\"");
    assert_string_equal(tc_str(b, 0, 2), "multi\nline");
    assert_string_equal(tc_str(b, 0, 3), ""); /* empty unquoted string: "" (no null literal) */
    assert_false(tc_isnull(b, 0, 3));
    assert_string_equal(tc_str(b, 0, 4), "");
    /* borrowed where no unquoting was needed */
    const char *line = "6,a,1,borrowed";
    assert_int_equal(decode(d, b, line), 0);
    assert_true(b->cols[0].v.str[5].p >= line && b->cols[0].v.str[5].p < line + strlen(line));
    eddy_batch_free(b);
    eddy_csv_decoder_free(d);
    free(s.fields);
}

static void test_nulls_types_options(void **st)
{
    (void)st;
    const char *names[] = {"a", "b", "c", "d", "e"};
    eddy_sqltype *types[] = {&tc_int, &tc_double, &tc_ts3, &tc_varchar, &tc_dec10_2};
    eddy_schema s = tc_schema(5, names, types);
    eddy_csv_options o;
    eddy_csv_options_default(&o);
    o.delim = ';';
    o.null_literal = "NULL";
    o.allow_comments = true;
    o.escape = '\\';
    eddy_csv_decoder *d = eddy_csv_decoder_new(&s, NULL, 5, &o);
    eddy_batch *b = tc_batch(&s, 8);
    assert_int_equal(decode(d, b, " 7 ;-1.5e2;2015-07-15 00:00:01.5;x\\;y;3.14159"), 0);
    assert_int_equal(decode(d, b, "NULL;;NULL;NULL;"), 0);
    assert_int_equal(decode(d, b, "# a comment; ignored"), 0);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->cols[0].v.i64[0], 7);
    assert_true(b->cols[1].v.f64[0] == -150.0);
    assert_int_equal(b->cols[2].v.i64[0], INT64_C(1436918401500));
    assert_string_equal(tc_str(b, 3, 0), "x;y");
    assert_true(b->cols[4].v.dec[0] == 314);
    for (int c = 0; c < 5; c++) assert_true(tc_isnull(b, c, 1));
    eddy_batch_free(b);
    eddy_csv_decoder_free(d);
    free(s.fields);
}

static void expect_error(eddy_csv_decoder *d, eddy_batch *b, const char *line, const char *msg)
{
    int n = b->n;
    assert_int_equal(decode(d, b, line), EDDY_EDATA);
    assert_string_equal(eddy_csv_decoder_error(d), msg);
    assert_int_equal(b->n, n);
}

static void test_errors(void **st)
{
    (void)st;
    const char *names[] = {"id", "name", "price"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_varchar, &tc_bigint};
    eddy_schema s = tc_schema(3, names, types);
    eddy_csv_decoder *d = eddy_csv_decoder_new(&s, NULL, 3, NULL);
    eddy_batch *b = tc_batch(&s, 8);
    expect_error(d, b, "1,abc,x9", "byte 7: field 3 (price): cannot read 'x9' as BIGINT");
    expect_error(d, b, "1,abc", "byte 6: expected 3 fields, found 2");
    expect_error(d, b, "1,abc,2,4", "byte 10: expected 3 fields, found 4");
    expect_error(d, b, "1,\"abc,2", "byte 3: quoted field 2 is not closed");
    expect_error(d, b, "1,\"ab\"c,2", "byte 7: expected ',' or the end of the line after a quoted field");
    assert_int_equal(decode(d, b, "1,abc,2"), 0);
    assert_int_equal(b->n, 1);
    eddy_batch_free(b);
    eddy_csv_decoder_free(d);
    free(s.fields);
}

static void test_record_len(void **st)
{
    (void)st;
    eddy_csv_options o;
    eddy_csv_options_default(&o);
    const char *t = "a,\"x\ny\",b\r\nnext\n";
    size_t content;
    size_t len = eddy_csv_record_len(&o, t, strlen(t), &content);
    assert_int_equal(len, 11);
    assert_int_equal(content, 9);
    len = eddy_csv_record_len(&o, t + 11, strlen(t + 11), &content);
    assert_int_equal(len, 5);
    assert_int_equal(content, 4);
    len = eddy_csv_record_len(&o, "last", 4, &content);
    assert_int_equal(len, 4);
    assert_int_equal(content, 4);
}

static void test_encoder(void **st)
{
    (void)st;
    const char *names[] = {"id", "name", "price", "ts", "amount", "flag"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_varchar, &tc_double, &tc_ts3, &tc_dec10_2, &tc_bool};
    eddy_schema s = tc_schema(6, names, types);
    eddy_batch *b = tc_batch(&s, 4);
    b->n = 3;
    b->cols[0].v.i64[0] = INT64_MIN;
    b->cols[1].v.str[0] = eddy_batch_str(b, "a,\"b\"\nc", 7);
    b->cols[2].v.f64[0] = 0.5;
    b->cols[3].v.i64[0] = INT64_C(1436918400000);
    b->cols[4].v.dec[0] = 12345;
    b->cols[5].v.b[0] = 0;
    b->cols[0].v.i64[1] = 1;
    b->cols[1].v.str[1] = eddy_batch_str(b, "", 0);
    b->cols[2].v.f64[1] = 1e-5;
    b->cols[3].v.i64[1] = INT64_C(1436918400001);
    b->cols[4].v.dec[1] = -1;
    b->cols[5].v.b[1] = 1;
    for (int c = 0; c < 6; c++) eddy_col_nulls(b, c)[2] = 1;
    eddy_csv_encoder *e = eddy_csv_encoder_new(&s, NULL, 0, NULL);
    eddy_strbuf out = {0};
    for (int r = 0; r < 3; r++) {
        eddy_csv_encode_row(e, b, r, &out);
        eddy_strbuf_putc(&out, '\n');
    }
    assert_string_equal(out.s, "-9223372036854775808,\"a,\"\"b\"\"\nc\",0.5,2015-07-15 00:00:00,123.45,false\n"
                               "1,\"\",1.0E-5,2015-07-15 00:00:00.001,-0.01,true\n"
                               ",,,,,\n");
    /* and back: the same values (the multi-line record is one record) */
    eddy_csv_decoder *d = eddy_csv_decoder_new(&s, NULL, 6, NULL);
    eddy_batch *b2 = tc_batch(&s, 4);
    eddy_csv_options o;
    eddy_csv_options_default(&o);
    size_t off = 0;
    while (off < out.n) {
        size_t content, len = eddy_csv_record_len(&o, out.s + off, out.n - off, &content);
        assert_int_equal(eddy_csv_decode(d, out.s + off, content, b2, false), 0);
        off += len;
    }
    assert_int_equal(b2->n, 3);
    assert_true(b2->cols[0].v.i64[0] == INT64_MIN);
    assert_string_equal(tc_str(b2, 1, 0), "a,\"b\"\nc");
    assert_true(b2->cols[2].v.f64[0] == 0.5);
    assert_int_equal(b2->cols[3].v.i64[1], INT64_C(1436918400001));
    assert_true(b2->cols[4].v.dec[1] == -1);
    assert_int_equal(b2->cols[5].v.b[1], 1);
    assert_string_equal(tc_str(b2, 1, 1), "");
    assert_true(tc_isnull(b2, 0, 2) && tc_isnull(b2, 2, 2) && tc_isnull(b2, 5, 2));
    assert_string_equal(tc_str(b2, 1, 2), ""); /* NULL string without a null literal reads "" */
    /* with a null literal NULL survives the round trip */
    o.null_literal = "\\N";
    eddy_csv_encoder *e2 = eddy_csv_encoder_new(&s, (int[]){1, 0}, 2, &o);
    eddy_strbuf_clear(&out);
    eddy_csv_encode_row(e2, b, 2, &out);
    assert_string_equal(out.s, "\\N,\\N");
    eddy_csv_encoder_free(e2);
    eddy_strbuf_free(&out);
    eddy_batch_free(b2);
    eddy_csv_decoder_free(d);
    eddy_csv_encoder_free(e);
    eddy_batch_free(b);
    free(s.fields);
}

/* Found by tests/fuzz/fuzz_csv: the encoder writes empty BYTES as "" to keep it apart from
 * NULL, but the decoder read "" as NULL for BYTES. */
static void test_empty_bytes(void **st)
{
    (void)st;
    const char *names[] = {"id", "bin"};
    eddy_sqltype *types[] = {&tc_int, &tc_bytes};
    eddy_schema s = tc_schema(2, names, types);
    eddy_batch *b = tc_batch(&s, 4);
    b->n = 2;
    b->cols[0].v.i64[0] = 1;
    b->cols[1].v.str[0] = eddy_batch_str(b, "", 0);
    b->cols[0].v.i64[1] = 2;
    eddy_col_nulls(b, 1)[1] = 1;
    eddy_csv_encoder *e = eddy_csv_encoder_new(&s, NULL, 0, NULL);
    eddy_strbuf out = {0};
    eddy_csv_encode_row(e, b, 0, &out);
    assert_string_equal(out.s, "1,\"\"");
    eddy_csv_decoder *d = eddy_csv_decoder_new(&s, NULL, 2, NULL);
    eddy_batch *b2 = tc_batch(&s, 4);
    assert_int_equal(eddy_csv_decode(d, out.s, out.n, b2, false), 0);
    assert_false(tc_isnull(b2, 1, 0));
    assert_int_equal(b2->cols[1].v.str[0].n, 0);
    /* NULL is still an empty unquoted field */
    eddy_strbuf_clear(&out);
    eddy_csv_encode_row(e, b, 1, &out);
    assert_string_equal(out.s, "2,");
    assert_int_equal(eddy_csv_decode(d, out.s, out.n, b2, false), 0);
    assert_true(tc_isnull(b2, 1, 1));
    eddy_strbuf_free(&out);
    eddy_batch_free(b2);
    eddy_csv_decoder_free(d);
    eddy_csv_encoder_free(e);
    eddy_batch_free(b);
    free(s.fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions_and_quotes),
        cmocka_unit_test(test_nulls_types_options),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_record_len),
        cmocka_unit_test(test_encoder),
        cmocka_unit_test(test_empty_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
