/*
 * test_conn_filesystem.c: the filesystem connector: reading a directory in name order (hidden
 * files skipped), malformed lines failing with file and line, skipping and counting them with
 * ignore-parse-errors, position/seek, CSV by the table's column positions, partition values
 * from directories; the sink's part files visible only after flush, partition directories,
 * _SUCCESS, changelog refusal and option errors; a sink-to-source round trip.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_conn_util.h"

static const eddy_connector *fs(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "filesystem");
}

static char tmpdir[256];

static void path_of(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", tmpdir, rel);
}

static void put(const char *rel, const char *text)
{
    char p[512];
    path_of(p, sizeof p, rel);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", p);
    for (char *s = dir + strlen(tmpdir) + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(dir, 0777);
            *s = '/';
        }
    tc_write_file(p, text);
}

static int setup(void **st)
{
    (void)st;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/eddy-test-fs-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct src {
    eddy_schema s;
    eddy_source_spec spec;
    void *st;
    eddy_batch *b;
    int bad;
    char last_where[512], last_why[512];
} src;

static void on_bad(void *ctx, const char *where, const char *why)
{
    src *x = ctx;
    x->bad++;
    snprintf(x->last_where, sizeof x->last_where, "%s", where);
    snprintf(x->last_why, sizeof x->last_why, "%s", why);
}

static int src_open(src *x, int n, const char *const *names, eddy_sqltype *const *types,
                    const eddy_kv *kv, int nkv, int cap, eddy_error *err)
{
    memset(x, 0, sizeof *x);
    x->s = tc_schema(n, names, types);
    x->spec = tc_source_spec("t", &x->s, kv, nkv);
    x->spec.bad_record = on_bad;
    x->spec.ctx = x;
    eddy_error_clear(err);
    int rc = fs()->source->open(&x->spec, &x->st, err);
    x->b = tc_batch(&x->s, cap);
    return rc;
}

static void src_close(src *x)
{
    if (x->st) fs()->source->close(x->st);
    eddy_batch_free(x->b);
    free(x->s.fields);
}

/* Reads everything as "v1|v2\n" lines; returns the poll code that ended it. */
static int read_all(src *x, eddy_strbuf *out, eddy_error *err)
{
    for (;;) {
        eddy_batch_reset(x->b);
        eddy_error_clear(err);
        int r = fs()->source->poll(x->st, x->b, 0, err);
        if (r != EDDY_POLL_DATA) return r;
        for (int i = 0; i < x->b->n; i++)
            for (int c = 0; c < x->s.n; c++) {
                if (tc_isnull(x->b, c, i))
                    eddy_strbuf_puts(out, "null");
                else if (x->b->cols[c].phys == EDDY_PHYS_STR)
                    eddy_strbuf_append(out, x->b->cols[c].v.str[i].p, x->b->cols[c].v.str[i].n);
                else
                    eddy_strbuf_printf(out, "%lld", (long long)x->b->cols[c].v.i64[i]);
                eddy_strbuf_putc(out, c + 1 < x->s.n ? '|' : '\n');
            }
    }
}

static void test_read_directory(void **st)
{
    (void)st;
    put("in/b.json", "{\"id\":3,\"name\":\"c\"}\n{\"id\":4,\"name\":\"d\"}");
    put("in/a.json", "{\"id\":1,\"name\":\"a\"}\r\n\n   \n{\"id\":2,\"name\":\"b\"}\n");
    put("in/sub/c.json", "{\"id\":5}\n");
    put("in/.hidden.json", "garbage\n");
    put("in/_SUCCESS", "");
    put("in/empty.json", "");
    char path[512];
    path_of(path, sizeof path, "in");
    char url[600];
    snprintf(url, sizeof url, "file://%s", path);
    const eddy_kv kv[] = {{"connector", "filesystem"}, {"path", url}, {"format", "json"}};
    const char *names[] = {"name", "id"};
    eddy_sqltype *types[] = {&tc_varchar, &tc_bigint};
    src x;
    eddy_error err;
    assert_int_equal(src_open(&x, 2, names, types, kv, 3, 1024, &err), 0);
    eddy_strbuf out = {0};
    assert_int_equal(read_all(&x, &out, &err), EDDY_POLL_END);
    assert_string_equal(out.s, "a|1\nb|2\nc|3\nd|4\nnull|5\n");
    uint64_t done, total;
    fs()->source->progress(x.st, &done, &total);
    assert_int_equal(done, 5);
    assert_int_equal(total, 5);
    eddy_strbuf_free(&out);
    src_close(&x);
}

static void test_malformed_lines(void **st)
{
    (void)st;
    put("bad/1.json", "{\"id\":1}\n{\"id\":2}\n{\"id\":\"x\"}\n{\"id\":4}\n{\"id\":5,}\n{\"id\":6}\n");
    char path[512], file[512];
    path_of(path, sizeof path, "bad");
    path_of(file, sizeof file, "bad/1.json");
    const char *names[] = {"id"};
    eddy_sqltype *types[] = {&tc_bigint};
    const eddy_kv kv[] = {{"path", path}, {"format", "json"}};
    src x;
    eddy_error err;
    assert_int_equal(src_open(&x, 1, names, types, kv, 2, 1024, &err), 0);
    eddy_strbuf out = {0};
    assert_int_equal(read_all(&x, &out, &err), EDDY_EDATA);
    char want[1024];
    snprintf(want, sizeof want, "file %s, line 3: byte 7: field 'id': cannot read 'x' as BIGINT", file);
    assert_string_equal(err.msg, want);
    src_close(&x);

    const eddy_kv kv2[] = {{"path", path}, {"format", "json"}, {"json.ignore-parse-errors", "true"}};
    assert_int_equal(src_open(&x, 1, names, types, kv2, 3, 1024, &err), 0);
    eddy_strbuf_clear(&out);
    assert_int_equal(read_all(&x, &out, &err), EDDY_POLL_END);
    assert_string_equal(out.s, "1\n2\n4\n6\n");
    assert_int_equal(x.bad, 2);
    snprintf(want, sizeof want, "file %s, line 5", file);
    assert_string_equal(x.last_where, want);
    assert_string_equal(x.last_why, "byte 9: expected a field name in double quotes, found '}'");
    eddy_strbuf_free(&out);
    src_close(&x);
}

static void test_position_seek(void **st)
{
    (void)st;
    eddy_strbuf text = {0};
    for (int f = 0; f < 3; f++) {
        eddy_strbuf_clear(&text);
        for (int i = 0; i < 10; i++) eddy_strbuf_printf(&text, "{\"id\":%d}\n", f * 10 + i);
        char rel[64];
        snprintf(rel, sizeof rel, "pos/part-%d.json", f);
        put(rel, text.s);
    }
    eddy_strbuf_free(&text);
    char path[512];
    path_of(path, sizeof path, "pos");
    const char *names[] = {"id"};
    eddy_sqltype *types[] = {&tc_bigint};
    const eddy_kv kv[] = {{"path", path}, {"format", "json"}};
    src x, y;
    eddy_error err;
    assert_int_equal(src_open(&x, 1, names, types, kv, 2, 7, &err), 0);
    /* 7 rows, then 3 (end of file 0), then 7 of file 1 */
    for (int k = 0; k < 3; k++) {
        eddy_batch_reset(x.b);
        assert_int_equal(fs()->source->poll(x.st, x.b, 0, &err), EDDY_POLL_DATA);
    }
    assert_int_equal(x.b->cols[0].v.i64[x.b->n - 1], 16);
    eddy_strbuf pos = {0};
    assert_int_equal(fs()->source->position(x.st, &pos, &err), 0);
    assert_string_equal(pos.s, "1,70,7,part-1.json");
    assert_int_equal(src_open(&y, 1, names, types, kv, 2, 1000, &err), 0);
    assert_int_equal(fs()->source->seek(y.st, pos.s, pos.n, &err), 0);
    eddy_strbuf a = {0}, b = {0};
    assert_int_equal(read_all(&x, &a, &err), EDDY_POLL_END);
    assert_int_equal(read_all(&y, &b, &err), EDDY_POLL_END);
    assert_string_equal(a.s, b.s);
    assert_memory_equal(a.s, "17\n18\n19\n20\n", 12);
    assert_int_not_equal(fs()->source->seek(y.st, "9,0,0", 5, &err), 0);
    eddy_strbuf_free(&a);
    eddy_strbuf_free(&b);
    eddy_strbuf_free(&pos);
    src_close(&x);
    src_close(&y);
}

static void test_csv_positions_and_partitions(void **st)
{
    (void)st;
    /* table (id BIGINT, name STRING, price BIGINT, dt STRING) PARTITIONED BY (dt) */
    put("csv/dt=2015-07-15/part-0.csv", "1,apple,10\n2,\"pear, ripe\",20\n");
    put("csv/dt=__DEFAULT_PARTITION__/part-0.csv", "3,fig,30\n");
    put("csv/dt=2015-07-16%3Ax/part-0.csv", "4,kiwi,40\n");
    char path[512];
    path_of(path, sizeof path, "csv");
    const char *pn[] = {"id", "name", "price", "dt"};
    eddy_sqltype *pt[] = {&tc_bigint, &tc_varchar, &tc_bigint, &tc_varchar};
    eddy_schema phys = tc_schema(4, pn, pt);
    const char *names[] = {"price", "dt", "name"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_varchar, &tc_varchar};
    const eddy_kv kv[] = {{"path", path}, {"format", "csv"}, {"partition.keys", "dt"}};
    src x;
    eddy_error err;
    memset(&x, 0, sizeof x);
    x.s = tc_schema(3, names, types);
    x.spec = tc_source_spec("t", &x.s, kv, 3);
    x.spec.physical = &phys;
    eddy_error_clear(&err);
    assert_int_equal(fs()->source->open(&x.spec, &x.st, &err), 0);
    x.b = tc_batch(&x.s, 100);
    eddy_strbuf out = {0};
    assert_int_equal(read_all(&x, &out, &err), EDDY_POLL_END);
    assert_string_equal(out.s, "10|2015-07-15|apple\n20|2015-07-15|pear, ripe\n40|2015-07-16:x|kiwi\n"
                               "30|null|fig\n");
    eddy_strbuf_free(&out);
    src_close(&x);
    free(phys.fields);
}

/* Names in a directory (sorted, joined by spaces). */
static char *ls(const char *rel)
{
    char p[512];
    path_of(p, sizeof p, rel);
    struct dirent **list;
    int n = scandir(p, &list, NULL, alphasort);
    eddy_strbuf out = {0};
    for (int i = 0; i < n; i++) {
        if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
            if (out.n) eddy_strbuf_putc(&out, ' ');
            eddy_strbuf_puts(&out, list[i]->d_name);
        }
        free(list[i]);
    }
    if (n >= 0) free(list);
    return eddy_strbuf_take(&out);
}

static eddy_batch *sample_batch(const eddy_schema *s)
{
    /* auction, price, dateTime, dt, hm */
    eddy_batch *b = tc_batch(s, 8);
    b->n = 3;
    for (int r = 0; r < 3; r++) {
        b->cols[0].v.i64[r] = 1000 + r;
        b->cols[1].v.i64[r] = 10 * r;
        b->cols[2].v.i64[r] = INT64_C(1436918400000) + r * 60000;
        b->cols[3].v.str[r] = eddy_batch_str(b, "2015-07-15", 10);
        char hm[8];
        snprintf(hm, sizeof hm, "00:%02d", r < 2 ? 0 : 1);
        b->cols[4].v.str[r] = eddy_batch_str(b, hm, 5);
    }
    return b;
}

static void test_sink_partitions_and_success(void **st)
{
    (void)st;
    const char *names[] = {"auction", "price", "dateTime", "dt", "hm"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_bigint, &tc_ts3, &tc_varchar, &tc_varchar};
    eddy_schema s = tc_schema(5, names, types);
    char path[512], url[600];
    path_of(path, sizeof path, "out/bid/");
    snprintf(url, sizeof url, "file://%s", path);
    const eddy_kv kv[] = {{"connector", "filesystem"}, {"path", url}, {"format", "csv"},
                          {"partition.keys", "dt,hm"},
                          {"sink.partition-commit.trigger", "partition-time"},
                          {"sink.partition-commit.delay", "1 min"},
                          {"sink.partition-commit.policy.kind", "success-file"},
                          {"partition.time-extractor.timestamp-pattern", "$dt $hm:00"},
                          {"sink.rolling-policy.rollover-interval", "1min"},
                          {"sink.rolling-policy.check-interval", "1min"}};
    eddy_sink_spec spec = tc_sink_spec("nexmark_q10", &s, kv, 10, NULL);
    spec.job_name = "q10";
    void *st_;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(fs()->sink->open(&spec, &st_, &err), 0);
    eddy_batch *b = sample_batch(&s);
    assert_int_equal(fs()->sink->write(st_, b, &err), 0);
    /* nothing visible before flush: only hidden in-progress files */
    char *l = ls("out/bid/dt=2015-07-15/hm=00%3A00");
    assert_int_equal(l[0], '.');
    assert_non_null(strstr(l, ".inprogress"));
    assert_null(strchr(l, ' '));
    free(l);
    assert_int_equal(fs()->sink->flush(st_, &err), 0);
    l = ls("out/bid/dt=2015-07-15/hm=00%3A00");
    assert_memory_equal(l, "part-q10-", 9);
    assert_null(strstr(l, "inprogress"));
    char file[800];
    path_of(file, sizeof file, "out/bid/dt=2015-07-15/hm=00%3A00/");
    strcat(file, l);
    char *text = tc_read_file(file);
    assert_string_equal(text, "1000,0,2015-07-15 00:00:00\n1001,10,2015-07-15 00:01:00\n");
    free(text);
    free(l);
    l = ls("out/bid/dt=2015-07-15");
    assert_string_equal(l, "hm=00%3A00 hm=00%3A01");
    free(l);
    /* _SUCCESS appears when the sink closes after a final flush */
    l = ls("out/bid/dt=2015-07-15/hm=00%3A01");
    assert_null(strstr(l, "_SUCCESS"));
    free(l);
    fs()->sink->close(st_);
    l = ls("out/bid/dt=2015-07-15/hm=00%3A01");
    assert_non_null(strstr(l, "_SUCCESS"));
    free(l);

    /* a sink closed without its final flush (a failed job) commits its rows but marks nothing */
    char path2[512];
    path_of(path2, sizeof path2, "out2");
    eddy_kv kv2[10];
    memcpy(kv2, kv, sizeof kv2);
    kv2[1].value = path2;
    spec = tc_sink_spec("nexmark_q10", &s, kv2, 10, NULL);
    eddy_error_clear(&err);
    assert_int_equal(fs()->sink->open(&spec, &st_, &err), 0);
    assert_int_equal(fs()->sink->write(st_, b, &err), 0);
    fs()->sink->close(st_);
    l = ls("out2/dt=2015-07-15/hm=00%3A01");
    assert_memory_equal(l, "part-", 5);
    assert_null(strstr(l, "_SUCCESS"));
    free(l);

    /* read it back through the source: the same rows, partition columns from the path */
    const eddy_kv rkv[] = {{"path", path}, {"format", "csv"}, {"partition.keys", "dt,hm"}};
    src x;
    memset(&x, 0, sizeof x);
    x.s = tc_schema(5, names, types);
    x.spec = tc_source_spec("t", &x.s, rkv, 3);
    x.spec.physical = &s;
    eddy_error_clear(&err);
    assert_int_equal(fs()->source->open(&x.spec, &x.st, &err), 0);
    x.b = tc_batch(&x.s, 100);
    eddy_strbuf out = {0};
    assert_int_equal(read_all(&x, &out, &err), EDDY_POLL_END);
    assert_string_equal(out.s, "1000|0|1436918400000|2015-07-15|00:00\n"
                               "1001|10|1436918460000|2015-07-15|00:00\n"
                               "1002|20|1436918520000|2015-07-15|00:01\n");
    eddy_strbuf_free(&out);
    src_close(&x);
    eddy_batch_free(b);
    free(s.fields);
}

static void test_sink_json_and_rolling(void **st)
{
    (void)st;
    const char *names[] = {"auction", "price", "dateTime", "dt", "hm"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_bigint, &tc_ts3, &tc_varchar, &tc_varchar};
    eddy_schema s = tc_schema(5, names, types);
    char path[512];
    path_of(path, sizeof path, "jout");
    const eddy_kv kv[] = {{"path", path}, {"format", "json"}, {"sink.rolling-policy.file-size", "150b"}};
    eddy_sink_spec spec = tc_sink_spec("j", &s, kv, 3, NULL);
    spec.job_name = "SELECT * FROM x"; /* not a plain word: not in the file names */
    void *st_;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(fs()->sink->open(&spec, &st_, &err), 0);
    eddy_batch *b = sample_batch(&s);
    assert_int_equal(fs()->sink->write(st_, b, &err), 0);
    /* each row is 91 bytes: the first file rolled after two rows (visible already) */
    char *l = ls("jout");
    assert_memory_equal(l, ".part-", 6);
    assert_non_null(strstr(l, " part-"));
    free(l);
    assert_int_equal(fs()->sink->flush(st_, &err), 0);
    fs()->sink->close(st_);
    l = ls("jout");
    assert_null(strstr(l, "inprogress"));
    assert_null(strstr(l, "_SUCCESS"));
    char *first = strtok(l, " ");
    char file[800];
    snprintf(file, sizeof file, "%s/%s", path, first);
    char *text = tc_read_file(file);
    assert_string_equal(text, "{\"auction\":1000,\"price\":0,\"dateTime\":\"2015-07-15 00:00:00\","
                              "\"dt\":\"2015-07-15\",\"hm\":\"00:00\"}\n"
                              "{\"auction\":1001,\"price\":10,\"dateTime\":\"2015-07-15 00:01:00\","
                              "\"dt\":\"2015-07-15\",\"hm\":\"00:00\"}\n");
    free(text);
    free(l);
    eddy_batch_free(b);
    free(s.fields);
}

static void test_errors(void **st)
{
    (void)st;
    const char *names[] = {"a"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    void *st_ = NULL;
    eddy_error err;
    struct {
        eddy_kv kv[3];
        int n;
        bool changelog;
        const char *msg;
    } cases[] = {
        {{{"format", "json"}}, 1, false, "option 'path' is required for connector 'filesystem'"},
        {{{"path", "/tmp/x"}, {"format", "parquet"}}, 2, false,
         "format 'parquet' of table 't' is not supported by connector 'filesystem' yet; use 'json' or 'csv'"},
        {{{"path", "s3://bucket/x"}, {"format", "json"}}, 2, false,
         "path 's3://bucket/x' of table 't' is not a local path; connector 'filesystem' reads and "
         "writes local files only for now"},
        {{{"path", "/tmp/x"}, {"format", "json"}, {"csv.field-delimiter", ";"}}, 3, false,
         "unknown option 'csv.field-delimiter' for connector 'filesystem'"},
        {{{"path", "/tmp/x"}, {"format", "json"}, {"sink.rolling-policy.file-sise", "1MB"}}, 3, false,
         "unknown option 'sink.rolling-policy.file-sise' for connector 'filesystem'; did you mean "
         "'sink.rolling-policy.file-size'?"},
        {{{"path", "/tmp/x"}, {"format", "json"}, {"sink.partition-commit.policy.kind", "metastore"}}, 3,
         false, "partition commit policy 'metastore' of table 't' needs a Hive metastore, which eddy "
                "does not have; use 'success-file'"},
        {{{"path", "/tmp/x"}, {"format", "json"}, {"partition.keys", "dt"}}, 3, false,
         "partition key 'dt' is not a column of table 't'"},
        {{{"path", "/tmp/x"}, {"format", "json"}}, 2, true,
         "table 't' (connector 'filesystem') accepts only inserts, but the query produces updates "
         "and deletes; aggregate in a window, or write to a sink that takes a changelog such as "
         "'upsert-kafka' or 'print'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eddy_sink_spec spec = tc_sink_spec("t", &s, cases[i].kv, cases[i].n, NULL);
        spec.changelog = cases[i].changelog;
        eddy_error_clear(&err);
        assert_int_not_equal(fs()->sink->open(&spec, &st_, &err), 0);
        assert_string_equal(err.msg, cases[i].msg);
    }
    assert_false(fs()->accepts_changelog);
    /* a source over a missing path */
    const eddy_kv kv[] = {{"path", "/nonexistent/eddy"}, {"format", "csv"}};
    eddy_source_spec sp = tc_source_spec("t", &s, kv, 2);
    eddy_error_clear(&err);
    assert_int_equal(fs()->source->open(&sp, &st_, &err), EDDY_EIO);
    assert_string_equal(err.msg, "table 't': path '/nonexistent/eddy' does not exist");
    free(s.fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_directory),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_position_seek),
        cmocka_unit_test(test_csv_positions_and_partitions),
        cmocka_unit_test(test_sink_partitions_and_success),
        cmocka_unit_test(test_sink_json_and_rolling),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
