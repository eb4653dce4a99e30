/*
 * test_conn_upsert_kafka.c: the 'upsert-kafka' source (connectors/upsert_kafka_source.c)
 * against librdkafka's mock cluster, started inside the test on loopback.
 *
 * Keyed messages (JSON keys and values, a CSV pair, tombstones as messages without a value)
 * are produced with explicit partitions, then read through the source's ops. The source is
 * unbounded: the tests poll until they have the rows they expect, then check that nothing more
 * comes. Rows are compared as text ("+I[1, a, 10]@p0") per partition, in order: inserts,
 * updates (-U with the old row, then +U), deletes (-D with the old row), a tombstone of an
 * unknown key (nothing), a repeated row (nothing); seek() rebuilds the key map so that an update
 * after the checkpoint retracts the row from before it; a checkpoint's offsets reach the
 * consumer group; bad messages are named by topic,
 * partition and offset or skipped; option errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_conn_util.h"

extern const eddy_source_ops eddy_upsert_kafka_source_ops;
#define OPS eddy_upsert_kafka_source_ops

static rd_kafka_t *owner; /* holds the mock cluster */
static rd_kafka_mock_cluster_t *mc;
static rd_kafka_t *producer;
static char bootstraps[256];

static void produce(const char *topic, int part, const char *key, const char *value)
{
    rd_kafka_resp_err_t e = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY((void *)key, key ? strlen(key) : 0),
        RD_KAFKA_V_VALUE((void *)value, value ? strlen(value) : 0), RD_KAFKA_V_END);
    assert_int_equal(e, RD_KAFKA_RESP_ERR_NO_ERROR);
}

static void flush(void)
{
    assert_int_equal(rd_kafka_flush(producer, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
}

static int setup(void **st)
{
    (void)st;
    char msg[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", msg, sizeof msg);
    owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, msg, sizeof msg);
    if (!owner) return -1;
    mc = rd_kafka_mock_cluster_new(owner, 1);
    if (!mc) return -1;
    const char *topics[] = {"u", "s", "bad", "c"};
    for (int i = 0; i < 4; i++)
        if (rd_kafka_mock_topic_create(mc, topics[i], 2, 1)) return -1;
    snprintf(bootstraps, sizeof bootstraps, "%s", rd_kafka_mock_cluster_bootstraps(mc));
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, msg, sizeof msg);
    rd_kafka_conf_set(conf, "log_level", "3", msg, sizeof msg);
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, msg, sizeof msg);
    return producer ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(owner);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */

/* The table: id BIGINT (the PRIMARY KEY), name STRING, score INT. */
static const char *const p_names[] = {"id", "name", "score"};
static eddy_sqltype *const p_types[] = {&tc_bigint, &tc_varchar, &tc_int};
static const int pk_id[] = {0};

typedef struct src {
    eddy_schema schema, phys;
    eddy_kv kv[16];
    int nkv;
    eddy_source_spec spec;
    void *state;
    eddy_batch *b;
    int nbad;
    char bad_where[256];
    char bad_why[256];
    char rows[2][64][80]; /* rows seen per partition, as text */
    int nrows[2];
} src;

static void on_bad(void *ctx, const char *where, const char *why)
{
    src *x = ctx;
    x->nbad++;
    snprintf(x->bad_where, sizeof x->bad_where, "%s", where);
    snprintf(x->bad_why, sizeof x->bad_why, "%s", why);
}

/* Output columns names/types/meta (n), physical columns pnames/ptypes (np); options: NULL-
 * terminated key, value pairs after the common ones. */
static void src_init(src *x, int n, const char *const *names, eddy_sqltype *const *types,
                     const char *const *meta, int np, const char *const *pnames,
                     eddy_sqltype *const *ptypes, const int *pk, int npk, int batch_rows, ...)
{
    memset(x, 0, sizeof *x);
    x->schema = tc_schema(n, names, types);
    x->phys = tc_schema(np, pnames, ptypes);
    x->kv[x->nkv++] = (eddy_kv){"connector", "upsert-kafka"};
    x->kv[x->nkv++] = (eddy_kv){"properties.bootstrap.servers", bootstraps};
    va_list ap;
    va_start(ap, batch_rows);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        x->kv[x->nkv++] = (eddy_kv){k, v};
    }
    va_end(ap);
    x->spec = tc_source_spec("users", &x->schema, x->kv, x->nkv);
    x->spec.metadata = meta;
    x->spec.physical = &x->phys;
    x->spec.primary_key = pk;
    x->spec.nprimary_key = npk;
    x->spec.batch_rows = batch_rows;
    x->spec.bad_record = on_bad;
    x->spec.ctx = x;
    x->b = tc_batch(&x->schema, batch_rows);
}

static int src_open(src *x, eddy_error *err)
{
    memset(err, 0, sizeof *err);
    return OPS.open(&x->spec, &x->state, err);
}

static void src_close(src *x)
{
    if (x->state) OPS.close(x->state);
    x->state = NULL;
    eddy_batch_free(x->b);
    free(x->schema.fields);
    free(x->phys.fields);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Row r of b as text: "+I[1, a, 10]". */
static void row_text(const eddy_batch *b, int r, char *out, size_t cap)
{
    static const char *const kinds[] = {"+I", "-U", "+U", "-D"};
    size_t at = (size_t)snprintf(out, cap, "%s[", kinds[b->kinds ? b->kinds[r] : 0]);
    for (int c = 0; c < b->ncols && at < cap; c++) {
        const char *sep = c ? ", " : "";
        if (tc_isnull(b, c, r))
            at += (size_t)snprintf(out + at, cap - at, "%sNULL", sep);
        else if (b->cols[c].phys == EDDY_PHYS_STR)
            at += (size_t)snprintf(out + at, cap - at, "%s%s", sep, tc_str(b, c, r));
        else
            at += (size_t)snprintf(out + at, cap - at, "%s%" PRId64, sep, b->cols[c].v.i64[r]);
    }
    if (at < cap) snprintf(out + at, cap - at, "]");
}

/* Polls until `want` rows came (at most 20 s), then checks that no more come for 300 ms. Every
 * batch must hold the rows of one partition. */
static void read_rows(src *x, int want)
{
    eddy_error err;
    memset(&err, 0, sizeof err);
    int64_t deadline = now_ms() + 20000;
    int got = 0;
    while (got < want) {
        assert_true(now_ms() < deadline);
        eddy_batch_reset(x->b);
        int rc = OPS.poll(x->state, x->b, 200, &err);
        if (rc != EDDY_POLL_DATA) {
            if (rc < 0) fail_msg("poll: %s", err.msg);
            assert_int_equal(rc, EDDY_POLL_IDLE);
            continue;
        }
        assert_true(x->b->n > 0 && x->b->n <= x->b->cap);
        int p = x->b->split;
        assert_true(p == 0 || p == 1);
        for (int r = 0; r < x->b->n; r++) {
            assert_true(x->nrows[p] < 64);
            row_text(x->b, r, x->rows[p][x->nrows[p]++], 80);
            got++;
        }
    }
    for (int i = 0; i < 3; i++) {
        eddy_batch_reset(x->b);
        assert_int_equal(OPS.poll(x->state, x->b, 100, &err), EDDY_POLL_IDLE);
    }
}

static void expect_rows(const src *x, int p, const char *const *want, int n)
{
    for (int i = 0; i < n && i < x->nrows[p]; i++)
        if (strcmp(x->rows[p][i], want[i]) != 0)
            fail_msg("partition %d row %d: got '%s', want '%s'", p, i, x->rows[p][i], want[i]);
    assert_int_equal(x->nrows[p], n);
}

/* ---------------------------------------------------------------------------------------- */

/* Inserts, updates with the old row, deletes, an unknown key's tombstone, a repeated row; two
 * partitions; metadata columns; batches of 3 rows (an update never splits across batches). */
static void test_changelog(void **st)
{
    (void)st;
    produce("u", 0, "{\"id\": 1}", "{\"id\": 1, \"name\": \"a\", \"score\": 10}");
    produce("u", 0, "{\"id\": 2}", "{\"id\": 2, \"name\": \"b\", \"score\": 20}");
    produce("u", 0, "{\"id\": 1}", "{\"name\": \"a2\", \"score\": 11}");
    produce("u", 0, "{\"id\": 3}", NULL); /* unknown key: nothing */
    produce("u", 0, "{\"id\": 2}", NULL); /* -D with the old row */
    produce("u", 0, "{\"id\": 2}", NULL); /* already gone: nothing */
    produce("u", 0, "{\"id\": 1}", "{\"name\": \"a3\", \"score\": null}");
    produce("u", 0, "{\"id\": 2}", "{\"name\": \"b2\", \"score\": 21}"); /* back: +I */
    produce("u", 1, "{\"id\": 5}", "{\"name\": \"e\", \"score\": 50}");
    produce("u", 1, "{\"id\":5}", "{\"name\": \"e2\", \"score\": 51}");
    flush();

    /* with metadata: the -U / -D rows carry the old message's offset */
    static const char *const names[] = {"score", "id", "name", "off", "part"};
    static eddy_sqltype *const types[] = {&tc_int, &tc_bigint, &tc_varchar, &tc_bigint, &tc_int};
    static const char *const meta[] = {NULL, NULL, NULL, "offset", "partition"};
    src x;
    eddy_error err;
    src_init(&x, 5, names, types, meta, 3, p_names, p_types, pk_id, 1, 3, "topic", "u",
             "key.format", "json", "value.format", "json", "value.fields-include", "ALL", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    assert_int_equal(OPS.splits(x.state), 2);
    read_rows(&x, 11);
    static const char *const p0[] = {
        "+I[10, 1, a, 0, 0]",    "+I[20, 2, b, 1, 0]",  "-U[10, 1, a, 0, 0]",
        "+U[11, 1, a2, 2, 0]",   "-D[20, 2, b, 1, 0]",  "-U[11, 1, a2, 2, 0]",
        "+U[NULL, 1, a3, 6, 0]", "+I[21, 2, b2, 7, 0]",
    };
    static const char *const p1[] = {"+I[50, 5, e, 0, 1]", "-U[50, 5, e, 0, 1]",
                                     "+U[51, 5, e2, 1, 1]"};
    expect_rows(&x, 0, p0, 8);
    expect_rows(&x, 1, p1, 3);
    eddy_strbuf pos = {0};
    assert_int_equal(OPS.position(x.state, &pos, &err), 0);
    assert_string_equal(eddy_strbuf_cstr(&pos), "0:8,1:2");
    eddy_strbuf_free(&pos);
    uint64_t done, total;
    OPS.progress(x.state, &done, &total);
    assert_int_equal(done, 11);
    src_close(&x);

    /* projected without the key and metadata: a repeated row is no change */
    produce("u", 1, "{\"id\": 5}", "{\"name\": \"e2\", \"score\": 51}");
    produce("u", 1, "{\"id\": 5}", "{\"name\": \"e3\", \"score\": 51}");
    flush();
    static const char *const names2[] = {"name"};
    static eddy_sqltype *const types2[] = {&tc_varchar};
    src_init(&x, 1, names2, types2, NULL, 3, p_names, p_types, pk_id, 1, 64, "topic", "u",
             "key.format", "json", "value.format", "json", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    read_rows(&x, 13);
    static const char *const q0[] = {"+I[a]", "+I[b]", "-U[a]", "+U[a2]", "-D[b]",
                                     "-U[a2]", "+U[a3]", "+I[b2]"};
    /* e2 -> e2 changes nothing, even though score is not read; e2 -> e3 does: the stored row
     * is the projected one, so a change of an unread column alone would not show (as in Flink,
     * where ChangelogNormalize sees the projected row) */
    static const char *const q1[] = {"+I[e]", "-U[e]", "+U[e2]", "-U[e2]", "+U[e3]"};
    expect_rows(&x, 0, q0, 8);
    expect_rows(&x, 1, q1, 5);
    src_close(&x);
}

/* A checkpoint's position, then more messages: a fresh source seeks to the position, rebuilds
 * the key map from the earliest offsets without emitting, and retracts rows from before the
 * checkpoint. */
static void test_seek_rebuilds_map(void **st)
{
    (void)st;
    produce("s", 0, "{\"id\": 1}", "{\"name\": \"a\", \"score\": 1}");
    produce("s", 0, "{\"id\": 2}", "{\"name\": \"b\", \"score\": 2}");
    produce("s", 1, "{\"id\": 3}", "{\"name\": \"c\", \"score\": 3}");
    produce("s", 0, "{\"id\": 1}", "{\"name\": \"a1\", \"score\": 4}");
    flush();
    src x;
    eddy_error err;
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "s",
             "key.format", "json", "value.format", "json", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    read_rows(&x, 5);
    eddy_strbuf pos = {0};
    assert_int_equal(OPS.position(x.state, &pos, &err), 0);
    assert_string_equal(eddy_strbuf_cstr(&pos), "0:3,1:1");
    src_close(&x);

    /* after the checkpoint */
    produce("s", 0, "{\"id\": 1}", "{\"name\": \"a2\", \"score\": 5}");
    produce("s", 0, "{\"id\": 2}", NULL);
    produce("s", 1, "{\"id\": 4}", "{\"name\": \"d\", \"score\": 6}");
    produce("s", 1, "{\"id\": 3}", "{\"name\": \"c1\", \"score\": 7}");
    flush();
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "s",
             "key.format", "json", "value.format", "json", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    assert_int_equal(OPS.seek(x.state, eddy_strbuf_cstr(&pos), pos.n, &err), 0);
    /* while it replays, the position stays the checkpoint's */
    eddy_strbuf pos2 = {0};
    assert_int_equal(OPS.position(x.state, &pos2, &err), 0);
    assert_string_equal(eddy_strbuf_cstr(&pos2), "0:3,1:1");
    eddy_strbuf_free(&pos2);
    read_rows(&x, 6);
    static const char *const p0[] = {"-U[1, a1, 4]", "+U[1, a2, 5]", "-D[2, b, 2]"};
    static const char *const p1[] = {"+I[4, d, 6]", "-U[3, c, 3]", "+U[3, c1, 7]"};
    expect_rows(&x, 0, p0, 3);
    expect_rows(&x, 1, p1, 3);
    assert_int_equal(OPS.position(x.state, &pos2, &err), 0);
    assert_string_equal(eddy_strbuf_cstr(&pos2), "0:5,1:3");
    eddy_strbuf_free(&pos2);
    src_close(&x);

    /* a bad position names the table */
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "s",
             "key.format", "json", "value.format", "json", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    assert_int_not_equal(OPS.seek(x.state, "7:1", 3, &err), 0);
    assert_non_null(strstr(err.msg, "table 'users'"));
    src_close(&x);
    eddy_strbuf_free(&pos);
}

/* A durable checkpoint's offsets go to the consumer group (for lag tools); another member of
 * the group reads them back (the commit is asynchronous). */
static void test_commit_offsets(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "s",
             "key.format", "json", "value.format", "json", "properties.group.id", "uk-lag", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    assert_non_null(OPS.commit_offsets);
    assert_int_equal(OPS.commit_offsets(x.state, "0:4,1:2", 7, &err), 0);
    char msg[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, msg, sizeof msg), 0);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "uk-lag", msg, sizeof msg), 0);
    rd_kafka_conf_set(conf, "log_level", "3", msg, sizeof msg);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
    assert_non_null(c);
    bool same = false;
    for (int tries = 0; tries < 100 && !same; tries++) {
        eddy_batch_reset(x.b);
        OPS.poll(x.state, x.b, 10, &err); /* serves the commit's reply */
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(2);
        rd_kafka_topic_partition_list_add(l, "s", 0);
        rd_kafka_topic_partition_list_add(l, "s", 1);
        if (rd_kafka_committed(c, l, 5000) == 0)
            same = l->elems[0].offset == 4 && l->elems[1].offset == 2;
        rd_kafka_topic_partition_list_destroy(l);
        if (!same) usleep(50000);
    }
    assert_true(same);
    rd_kafka_destroy(c);
    src_close(&x);
}

/* Bad messages: an error naming topic, partition and offset, or skipped and reported. */
static void test_bad_messages(void **st)
{
    (void)st;
    produce("bad", 1, "{\"id\": 1}", "{\"name\": \"a\", \"score\": 1}");
    produce("bad", 1, "{\"id\": 2}", "{\"name\": oops}");
    produce("bad", 1, NULL, "{\"name\": \"x\"}");
    produce("bad", 1, "{\"id\": 3}", "{\"name\": \"c\", \"score\": 3}");
    flush();
    src x;
    eddy_error err;
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "bad",
             "key.format", "json", "value.format", "json", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    int64_t deadline = now_ms() + 20000;
    int rc;
    for (;;) {
        eddy_batch_reset(x.b);
        rc = OPS.poll(x.state, x.b, 200, &err);
        if (rc < 0) break;
        assert_true(now_ms() < deadline);
    }
    assert_int_equal(rc, EDDY_EDATA);
    assert_non_null(strstr(err.msg, "table 'users'"));
    assert_non_null(strstr(err.msg, "topic bad, partition 1, offset 1"));
    assert_non_null(strstr(err.msg, "value"));
    src_close(&x);

    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "bad",
             "key.format", "json", "value.format", "json", "value.json.ignore-parse-errors",
             "true", "key.json.ignore-parse-errors", "true", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    read_rows(&x, 2);
    static const char *const p1[] = {"+I[1, a, 1]", "+I[3, c, 3]"};
    expect_rows(&x, 1, p1, 2);
    assert_int_equal(x.nbad, 2);
    assert_string_equal(x.bad_where, "topic bad, partition 1, offset 2");
    assert_non_null(strstr(x.bad_why, "no key"));
    src_close(&x);
}

/* CSV key and value with 'key.fields-prefix' and EXCEPT_KEY; raw value. */
static void test_csv_prefix_and_raw(void **st)
{
    (void)st;
    produce("c", 0, "7", "x,3");
    produce("c", 0, "7", "y,4");
    flush();
    static const char *const names[] = {"k_id", "name", "score"};
    static eddy_sqltype *const types[] = {&tc_bigint, &tc_varchar, &tc_int};
    src x;
    eddy_error err;
    src_init(&x, 3, names, types, NULL, 3, names, types, pk_id, 1, 16, "topic", "c",
             "key.format", "csv", "value.format", "csv", "key.fields-prefix", "k_",
             "value.fields-include", "EXCEPT_KEY", NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    read_rows(&x, 3);
    static const char *const p0[] = {"+I[7, x, 3]", "-U[7, x, 3]", "+U[7, y, 4]"};
    expect_rows(&x, 0, p0, 3);
    src_close(&x);

    /* raw key and value: a STRING key and the value's text */
    static const char *const rnames[] = {"k", "v"};
    static eddy_sqltype *const rtypes[] = {&tc_varchar, &tc_varchar};
    src_init(&x, 2, rnames, rtypes, NULL, 2, rnames, rtypes, pk_id, 1, 16, "topic", "c",
             "key.format", "raw", "value.format", "raw", "value.fields-include", "EXCEPT_KEY",
             NULL);
    if (src_open(&x, &err)) fail_msg("open: %s", err.msg);
    read_rows(&x, 3);
    static const char *const r0[] = {"+I[7, x,3]", "-U[7, x,3]", "+U[7, y,4]"};
    expect_rows(&x, 0, r0, 3);
    src_close(&x);
}

static void expect_open_error(src *x, const char *want)
{
    eddy_error err;
    assert_int_not_equal(src_open(x, &err), 0);
    if (!strstr(err.msg, want)) fail_msg("error '%s' does not contain '%s'", err.msg, want);
    src_close(x);
}

static void test_option_errors(void **st)
{
    (void)st;
    src x;
    /* no PRIMARY KEY: Flink's message */
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, NULL, 0, 16, "topic", "u",
             "key.format", "json", "value.format", "json", NULL);
    expect_open_error(&x, "'upsert-kafka' tables require to define a PRIMARY KEY constraint");
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "u",
             "value.format", "json", NULL);
    expect_open_error(&x, "option 'key.format' is required for connector 'upsert-kafka'");
    /* no startup mode: the table is the whole topic */
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "u",
             "key.format", "json", "value.format", "json", "scan.startup.mode", "latest-offset",
             NULL);
    expect_open_error(&x, "unknown option 'scan.startup.mode'");
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "u",
             "key.format", "json", "value.format", "json", "key.fields-prefix", "k_", NULL);
    expect_open_error(&x, "'EXCEPT_KEY'");
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "u",
             "key.format", "json", "value.format", "json", "key.fields-prefix", "k_",
             "value.fields-include", "EXCEPT_KEY", NULL);
    expect_open_error(&x, "must be prefixed with 'k_'");
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "u",
             "key.format", "avro", "value.format", "json", NULL);
    expect_open_error(&x, "format 'avro' is not supported");
    static const char *const meta[] = {NULL, NULL, "headers"};
    src_init(&x, 3, p_names, p_types, meta, 3, p_names, p_types, pk_id, 1, 16, "topic", "u",
             "key.format", "json", "value.format", "json", NULL);
    expect_open_error(&x, "has no metadata 'headers'");
    src_init(&x, 3, p_names, p_types, NULL, 3, p_names, p_types, pk_id, 1, 16, "topic", "u;s",
             "key.format", "json", "value.format", "json", NULL);
    expect_open_error(&x, "reads exactly one topic");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changelog),
        cmocka_unit_test(test_seek_rebuilds_map),
        cmocka_unit_test(test_commit_offsets),
        cmocka_unit_test(test_bad_messages),
        cmocka_unit_test(test_csv_prefix_and_raw),
        cmocka_unit_test(test_option_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
