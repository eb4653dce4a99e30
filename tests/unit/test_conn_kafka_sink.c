/*
 * test_conn_kafka_sink.c: the 'kafka' and 'upsert-kafka' sinks against librdkafka's mock
 * cluster (rdkafka_mock.h), started inside the test on loopback. Batches go through the sinks'
 * ops; the messages are read back from the beginning of every partition by a plain rdkafka
 * consumer (no group), and their values, keys, partitions, headers and timestamps are checked:
 * json/csv/raw values and keys, the three partitioners (the default one against Kafka's Java
 * murmur2 partitioning, computed here), option errors, changelog refusal, a delivery failure
 * (the mock refusing Produce requests) reported as an error that names the topic and the
 * broker's reason; the 'headers' and 'timestamp' metadata columns; exactly-once (transactions
 * per checkpoint on two alternating producers, recovery after a crash, a failed commit); and
 * upsert-kafka (+I/+U upserts, -D tombstones, -U skipped).
 *
 * The exactly-once tests run against a real broker when EDDY_TEST_KAFKA=host:port is set
 * (`EDDY_TEST_KAFKA=host:port ctest -R kafka_sink`): the mock accepts transactions but does not
 * enforce them (aborted and open transactions are visible to read_committed consumers), so only
 * a real broker checks that rows of an uncommitted or aborted checkpoint stay invisible. Their
 * topics then get unique names (the broker keeps them); the broker must allow transactions
 * (a single broker needs transaction.state.log.replication.factor=1 and
 * transaction.state.log.min.isr=1).
 */
#include <setjmp.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "test_conn_util.h"

extern const eddy_sink_ops eddy_kafka_sink_ops;
extern const eddy_sink_ops eddy_upsert_kafka_sink_ops;

static rd_kafka_t *mock_rk; /* the handle that owns the mock cluster */
static rd_kafka_mock_cluster_t *mock;
static char servers[256];

enum { NPART = 4, PRODUCE_API = 0 /* Kafka protocol ApiKey of Produce */ };

typedef struct msg {
    int32_t partition;
    int64_t offset;
    char *key; /* NULL for a NULL key */
    size_t nkey;
    char *value; /* NULL for a NULL value */
    size_t nvalue;
    char *headers; /* "name=value;" per header ("name=(null);" for a NULL value), or NULL */
    int64_t ts;    /* the message's timestamp, -1 when none */
} msg;

static int setup(void **st)
{
    (void)st;
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!mock_rk) return -1;
    mock = rd_kafka_mock_cluster_new(mock_rk, 1);
    if (!mock) return -1;
    snprintf(servers, sizeof servers, "%s", rd_kafka_mock_cluster_bootstraps(mock));
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    rd_kafka_mock_cluster_destroy(mock);
    rd_kafka_destroy(mock_rk);
    return 0;
}

/* Options: the given ones plus topic and bootstrap servers. */
typedef struct opts {
    eddy_kv kv[24];
    int n;
} opts;

static opts make_opts(const char *topic, const char *const *pairs)
{
    opts o;
    memset(&o, 0, sizeof o);
    o.kv[o.n++] = (eddy_kv){"connector", "kafka"};
    o.kv[o.n++] = (eddy_kv){"topic", topic};
    o.kv[o.n++] = (eddy_kv){"properties.bootstrap.servers", servers};
    for (int i = 0; pairs && pairs[i]; i += 2)
        o.kv[o.n++] = (eddy_kv){pairs[i], pairs[i + 1]};
    return o;
}

/* The test table: (id BIGINT, name VARCHAR, price DOUBLE). */
static const char *const col_names[] = {"id", "name", "price"};
static eddy_sqltype *col_types[] = {&tc_bigint, &tc_varchar, &tc_double};

/* n rows: id = 1..n, name = "n<i>" (row 2's name NULL when null_name), price = i + 0.5. */
static eddy_batch *make_rows(const eddy_schema *s, int n, bool null_name)
{
    eddy_batch *b = tc_batch(s, n);
    b->n = n;
    eddy_col_nulls(b, 1);
    for (int i = 0; i < n; i++) {
        char name[16];
        int len = snprintf(name, sizeof name, "n%d", i + 1);
        b->cols[0].v.i64[i] = i + 1;
        b->cols[1].v.str[i] = eddy_batch_str(b, name, (size_t)len);
        b->cols[2].v.f64[i] = i + 1.5;
    }
    if (null_name && n > 1) b->cols[1].nulls[1] = 1;
    return b;
}

/* Opens a sink with o, writes b, flushes, closes. Returns the first error code (err set). */
static int run_sink(const opts *o, const eddy_schema *s, const eddy_batch *b, eddy_error *err)
{
    eddy_sink_spec spec = tc_sink_spec("out", s, o->kv, o->n, NULL);
    void *st = NULL;
    eddy_error_clear(err);
    int rc = eddy_kafka_sink_ops.open(&spec, &st, err);
    if (rc) return rc;
    rc = eddy_kafka_sink_ops.write(st, b, err);
    if (!rc) rc = eddy_kafka_sink_ops.flush(st, err);
    eddy_kafka_sink_ops.close(st);
    return rc;
}

/* Copies the headers of m as "name=value;..." (NULL when it has none). */
static char *headers_text(rd_kafka_message_t *m)
{
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR || !h) return NULL;
    eddy_strbuf b = {0};
    const char *name;
    const void *value;
    size_t n;
    for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &value, &n) == 0; i++) {
        if (value)
            eddy_strbuf_printf(&b, "%s=%.*s;", name, (int)n, (const char *)value);
        else
            eddy_strbuf_printf(&b, "%s=(null);", name);
    }
    return eddy_strbuf_take(&b);
}

/* Reads the messages of topic from srv (from the start of each of its nparts partitions),
 * read_committed, sorted by partition then offset: exactly `want` of them (fails the test when
 * they do not come within 10 s, or more come), or with want < 0 all there are up to the end of
 * every partition (*got their number). */
static msg *consume_from(const char *srv, const char *topic, int nparts, int want, int *ngot)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", srv, errstr, sizeof errstr), 0);
    rd_kafka_conf_set(conf, "group.id", "test-reader", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "isolation.level", "read_committed", errstr, sizeof errstr);
    if (want < 0) rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    assert_non_null(c);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(nparts);
    for (int p = 0; p < nparts; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(c, parts), 0);
    rd_kafka_topic_partition_list_destroy(parts);
    size_t cap = want >= 0 ? (size_t)want + 1 : 64;
    msg *out = eddy_xcalloc(cap, sizeof *out);
    int got = 0, eofs = 0;
    for (int tries = 0; (want < 0 ? eofs < nparts : got < want) && tries < 100; tries++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (!m) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) eofs++;
        if (!m->err) {
            if ((size_t)got + 1 >= cap) {
                out = eddy_xrealloc(out, cap * 2 * sizeof *out);
                memset(out + cap, 0, cap * sizeof *out);
                cap *= 2;
            }
            msg *x = &out[got++];
            x->headers = headers_text(m);
            rd_kafka_timestamp_type_t tt;
            x->ts = rd_kafka_message_timestamp(m, &tt);
            x->partition = m->partition;
            x->offset = m->offset;
            if (m->key) {
                x->key = eddy_xcalloc(m->key_len + 1, 1);
                memcpy(x->key, m->key, m->key_len);
                x->nkey = m->key_len;
            }
            if (m->payload) {
                x->value = eddy_xcalloc(m->len + 1, 1);
                memcpy(x->value, m->payload, m->len);
                x->nvalue = m->len;
            }
        }
        rd_kafka_message_destroy(m);
    }
    /* nothing more than expected arrives */
    rd_kafka_message_t *extra = want >= 0 ? rd_kafka_consumer_poll(c, 200) : NULL;
    if (extra) {
        bool data = !extra->err;
        rd_kafka_message_destroy(extra);
        assert_false(data);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    if (want >= 0) assert_int_equal(got, want);
    else assert_int_equal(eofs, nparts);
    if (ngot) *ngot = got;
    for (int i = 1; i < got; i++) /* insertion sort by (partition, offset) */
        for (int j = i; j > 0 && (out[j - 1].partition > out[j].partition ||
                                  (out[j - 1].partition == out[j].partition &&
                                   out[j - 1].offset > out[j].offset));
             j--) {
            msg t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return out;
}

/* Reads `want` messages of topic from the mock (see consume_from). */
static msg *consume(const char *topic, int nparts, int want)
{
    return consume_from(servers, topic, nparts, want, NULL);
}

static void free_msgs(msg *m, int n)
{
    for (int i = 0; i < n; i++) {
        free(m[i].key);
        free(m[i].value);
        free(m[i].headers);
    }
    free(m);
}

/* The message whose value contains needle. */
static const msg *find(const msg *m, int n, const char *needle)
{
    for (int i = 0; i < n; i++)
        if (m[i].value && strstr(m[i].value, needle)) return &m[i];
    fail_msg("no message contains %s", needle);
    return NULL;
}

/* Kafka's Java murmur2 (org.apache.kafka.common.utils.Utils.murmur2), written from its
 * definition, for the partition Java's default partitioner picks for a key. */
static int32_t java_partition(const char *key, size_t n, int nparts)
{
    const uint32_t m = 0x5bd1e995;
    uint32_t h = 0x9747b28c ^ (uint32_t)n;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t k = (uint32_t)(uint8_t)key[i] | (uint32_t)(uint8_t)key[i + 1] << 8 |
                     (uint32_t)(uint8_t)key[i + 2] << 16 | (uint32_t)(uint8_t)key[i + 3] << 24;
        k *= m;
        k ^= k >> 24;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (n & 3) {
    case 3:
        h ^= (uint32_t)(uint8_t)key[i + 2] << 16; /* fall through */
    case 2:
        h ^= (uint32_t)(uint8_t)key[i + 1] << 8; /* fall through */
    case 1:
        h ^= (uint32_t)(uint8_t)key[i];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)((h & 0x7fffffff) % (uint32_t)nparts);
}

/* json values, csv keys, default partitioner: Java's partition for each key. */
static void test_json_value_csv_key(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_json", NPART, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    eddy_batch *b = make_rows(&s, 12, true);
    static const char *const kv[] = {"format",     "json",    "key.format", "csv",
                                     "key.fields", "id;name", NULL};
    opts o = make_opts("t_json", kv);
    eddy_error err;
    assert_int_equal(run_sink(&o, &s, b, &err), 0);
    msg *m = consume("t_json", NPART, 12);
    const msg *x = find(m, 12, "\"id\":1,");
    assert_string_equal(x->value, "{\"id\":1,\"name\":\"n1\",\"price\":1.5}");
    assert_string_equal(x->key, "1,n1");
    x = find(m, 12, "\"id\":2,");
    assert_string_equal(x->value, "{\"id\":2,\"name\":null,\"price\":2.5}");
    assert_string_equal(x->key, "2,");
    bool parts_used[NPART] = {false};
    for (int i = 0; i < 12; i++) {
        assert_non_null(m[i].key);
        assert_int_equal(m[i].partition, java_partition(m[i].key, m[i].nkey, NPART));
        parts_used[m[i].partition] = true;
    }
    assert_true(parts_used[0] + parts_used[1] + parts_used[2] + parts_used[3] >= 2);
    free_msgs(m, 12);
    eddy_batch_free(b);
    free(s.fields);
}

/* csv values without the key's columns, raw BIGINT key (8 bytes big-endian), 'fixed'. */
static void test_csv_except_key_raw_key_fixed(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_csv", NPART, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    eddy_batch *b = make_rows(&s, 5, false);
    static const char *const kv[] = {
        "format",     "csv", "csv.field-delimiter",  ";",          "key.format",       "raw",
        "key.fields", "id",  "value.fields-include", "EXCEPT_KEY", "sink.partitioner", "fixed",
        NULL};
    opts o = make_opts("t_csv", kv);
    eddy_error err;
    assert_int_equal(run_sink(&o, &s, b, &err), 0);
    msg *m = consume("t_csv", NPART, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(m[i].partition, 0);
        char want[32];
        snprintf(want, sizeof want, "n%d;%d.5", i + 1, i + 1);
        assert_string_equal(m[i].value, want);
        assert_int_equal(m[i].nkey, 8);
        for (int j = 0; j < 7; j++)
            assert_int_equal(m[i].key[j], 0);
        assert_int_equal(m[i].key[7], i + 1);
    }
    free_msgs(m, 5);
    eddy_batch_free(b);
    free(s.fields);
}

/* raw values (a NULL cell is a NULL value), no key, round-robin over the partitions. */
static void test_raw_value_round_robin(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_raw", NPART, 1), 0);
    const char *names[] = {"name"};
    eddy_sqltype *types[] = {&tc_varchar};
    eddy_schema s = tc_schema(1, names, types);
    eddy_batch *b = tc_batch(&s, 8);
    b->n = 8;
    eddy_col_nulls(b, 0);
    for (int i = 0; i < 8; i++) {
        char v[8];
        snprintf(v, sizeof v, "v%d", i);
        b->cols[0].v.str[i] = eddy_batch_str(b, v, 2);
    }
    b->cols[0].nulls[5] = 1;
    static const char *const kv[] = {"format", "raw", "sink.partitioner", "round-robin", NULL};
    opts o = make_opts("t_raw", kv);
    eddy_error err;
    assert_int_equal(run_sink(&o, &s, b, &err), 0);
    msg *m = consume("t_raw", NPART, 8);
    /* rows 0..7 went to partitions 0,1,2,3,0,1,2,3: sorted, partition p holds v<p> then v<p+4> */
    for (int i = 0; i < 8; i++) {
        int p = i / 2, row = p + (i % 2) * 4;
        assert_int_equal(m[i].partition, p);
        assert_null(m[i].key);
        if (row == 5) {
            assert_null(m[i].value);
        } else {
            char v[8];
            snprintf(v, sizeof v, "v%d", row);
            assert_string_equal(m[i].value, v);
        }
    }
    free_msgs(m, 8);
    eddy_batch_free(b);
    free(s.fields);
}

/* Opening with kv fails with code and a message containing needle. */
static void expect_open_error(const char *topic, const char *const *kv, bool changelog,
                              const char *needle)
{
    eddy_schema s = tc_schema(3, col_names, col_types);
    opts o = make_opts(topic, kv);
    if (!topic) { /* drop the topic option */
        o.kv[1] = o.kv[--o.n];
    }
    eddy_sink_spec spec = tc_sink_spec("out", &s, o.kv, o.n, NULL);
    spec.changelog = changelog;
    void *stt = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    int rc = eddy_kafka_sink_ops.open(&spec, &stt, &err);
    if (rc == 0) eddy_kafka_sink_ops.close(stt);
    assert_int_not_equal(rc, 0);
    print_message("%s\n", err.msg);
    if (!strstr(err.msg, needle)) fail_msg("error '%s' does not contain '%s'", err.msg, needle);
    free(s.fields);
}

static void test_option_errors(void **st)
{
    (void)st;
    static const char *const json[] = {"format", "json", NULL};
    expect_open_error(NULL, json, false, "option 'topic' is required");
    static const char *const nofmt[] = {NULL};
    expect_open_error("t", nofmt, false, "'format' is required");
    static const char *const eo[] = {"format", "json", "sink.delivery-guarantee", "exactly-once",
                                     NULL};
    expect_open_error("t", eo, false, "needs 'sink.transactional-id-prefix'");
    static const char *const eo2[] = {"format", "json", "sink.delivery-guarantee", "exactly-once",
                                      "sink.transactional-id-prefix", "p", NULL};
    expect_open_error("t", eo2, false, "this job has no checkpoints");
    static const char *const eo3[] = {"format", "json", "sink.semantic", "exactly-once", NULL};
    expect_open_error("t", eo3, false, "needs 'sink.transactional-id-prefix'");
    static const char *const kf[] = {"format", "json", "key.fields", "id", NULL};
    expect_open_error("t", kf, false, "needs 'key.format'");
    static const char *const kfmt[] = {"format", "json", "key.format", "json", NULL};
    expect_open_error("t", kfmt, false, "requires the declaration of one or more of key fields");
    static const char *const badcol[] = {"format",     "json",   "key.format", "json",
                                         "key.fields", "id;nme", NULL};
    expect_open_error("t", badcol, false, "names 'nme', which is not a column");
    static const char *const typo[] = {"format", "json", "sink.partitoner", "fixed", NULL};
    expect_open_error("t", typo, false, "sink.partitioner");
    static const char *const prop[] = {"format", "json", "properties.no.such.property", "1", NULL};
    expect_open_error("t", prop, false, "properties.no.such.property");
    static const char *const raw2[] = {"format", "raw", NULL};
    expect_open_error("t", raw2, false, "exactly one column");
    expect_open_error("t", json, true, "upsert-kafka");
    /* round-robin reads the partition count: a topic that does not exist is an error (the mock
     * creates any topic asked for, so it is told to answer as a broker without the topic) */
    rd_kafka_mock_topic_set_error(mock, "t_missing", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    static const char *const rr[] = {"format", "json", "sink.partitioner", "round-robin", NULL};
    expect_open_error("t_missing", rr, false, "topic 't_missing' has no partitions");
}

/* A -D row in an insert batch is refused, naming 'upsert-kafka'. */
static void test_delete_row_refused(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_del", 1, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    eddy_batch *b = make_rows(&s, 2, false);
    eddy_batch_kinds(b)[1] = EDDY_ROW_DELETE;
    static const char *const kv[] = {"format", "json", NULL};
    opts o = make_opts("t_del", kv);
    eddy_error err;
    assert_int_not_equal(run_sink(&o, &s, b, &err), 0);
    assert_non_null(strstr(err.msg, "upsert-kafka"));
    eddy_batch_free(b);
    free(s.fields);
}

/* The broker refuses the Produce requests: flush() fails with the topic and the reason. */
static void test_delivery_failure(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_fail", 1, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    eddy_batch *b = make_rows(&s, 3, false);
    static const char *const kv[] = {"format", "json", NULL};
    opts o = make_opts("t_fail", kv);
    rd_kafka_mock_push_request_errors(
        mock, PRODUCE_API, 5, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    eddy_error err;
    int rc = run_sink(&o, &s, b, &err);
    rd_kafka_mock_clear_request_errors(mock, PRODUCE_API);
    print_message("%s\n", err.msg);
    assert_int_equal(rc, EDDY_ECONNECTOR);
    if (!strstr(err.msg, "topic 't_fail'") || !strstr(err.msg, "authoriz"))
        fail_msg("unexpected error: %s", err.msg);
    eddy_batch_free(b);
    free(s.fields);
}

/* 'none' does not wait in flush(); the messages still arrive (close waits a little). */
static void test_guarantee_none(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_none", 2, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    eddy_batch *b = make_rows(&s, 3, false);
    static const char *const kv[] = {"format", "json", "sink.delivery-guarantee", "none", NULL};
    opts o = make_opts("t_none", kv);
    eddy_error err;
    assert_int_equal(run_sink(&o, &s, b, &err), 0);
    msg *m = consume("t_none", 2, 3);
    free_msgs(m, 3);
    eddy_batch_free(b);
    free(s.fields);
}

/* 'value.format' with 'value.json.*' options, 'key.format' json with 'key.json.*' options. */
static void test_prefixed_format_options(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_pfx", 1, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    eddy_batch *b = make_rows(&s, 2, true);
    static const char *const kv[] = {
        "value.format", "json",       "value.json.encode.ignore-null-fields",
        "true",         "key.format", "json",
        "key.fields",   "name",       "key.json.encode.ignore-null-fields",
        "true",         NULL};
    opts o = make_opts("t_pfx", kv);
    eddy_error err;
    assert_int_equal(run_sink(&o, &s, b, &err), 0);
    msg *m = consume("t_pfx", 1, 2);
    assert_string_equal(m[0].key, "{\"name\":\"n1\"}");
    assert_string_equal(m[0].value, "{\"id\":1,\"name\":\"n1\",\"price\":1.5}");
    assert_string_equal(m[1].key, "{}");
    assert_string_equal(m[1].value, "{\"id\":2,\"price\":2.5}");
    free_msgs(m, 2);
    eddy_batch_free(b);
    free(s.fields);
    /* the options of a format that is not in use are unknown */
    static const char *const wrong[] = {"format", "json", "key.csv.field-delimiter", ";", NULL};
    expect_open_error("t_pfx", wrong, false, "unknown option 'key.csv.field-delimiter'");
}

/* ---------------------------------------------------------------------------------------- */
/* Metadata columns: headers and timestamp                                                  */

/* (id BIGINT, hdrs STRING METADATA FROM 'headers', name VARCHAR, ts TIMESTAMP_LTZ(3) METADATA
 * FROM 'timestamp'). */
static const char *const meta_names[] = {"id", "hdrs", "name", "ts"};
static eddy_sqltype *meta_types[] = {&tc_bigint, &tc_varchar, &tc_varchar, &tc_ltz3};
static const char *const meta_keys[] = {NULL, "headers", NULL, "timestamp"};

/* A batch of the metadata table: row i has id i + 1, name "n<i+1>", hdrs[i] (NULL: a NULL cell)
 * and ts[i] (-1: a NULL cell). */
static eddy_batch *meta_rows(const eddy_schema *s, int n, const char *const *hdrs,
                             const int64_t *ts)
{
    eddy_batch *b = tc_batch(s, n);
    b->n = n;
    eddy_col_nulls(b, 1);
    eddy_col_nulls(b, 3);
    for (int i = 0; i < n; i++) {
        char name[16];
        int len = snprintf(name, sizeof name, "n%d", i + 1);
        b->cols[0].v.i64[i] = i + 1;
        b->cols[2].v.str[i] = eddy_batch_str(b, name, (size_t)len);
        if (hdrs[i])
            b->cols[1].v.str[i] = eddy_batch_str(b, hdrs[i], strlen(hdrs[i]));
        else
            b->cols[1].nulls[i] = 1;
        if (ts[i] >= 0)
            b->cols[3].v.i64[i] = ts[i];
        else
            b->cols[3].nulls[i] = 1;
    }
    return b;
}

/* Opens a sink of the metadata table with kv (plus json values and a csv key of id), writes b;
 * returns the first error code. */
static int run_meta_sink(const char *topic, const eddy_schema *s, const eddy_batch *b,
                         eddy_error *err)
{
    static const char *const kv[] = {"format", "json", "key.format", "csv", "key.fields", "id",
                                     NULL};
    opts o = make_opts(topic, kv);
    eddy_sink_spec spec = tc_sink_spec("out", s, o.kv, o.n, NULL);
    spec.metadata = meta_keys;
    void *st = NULL;
    eddy_error_clear(err);
    int rc = eddy_kafka_sink_ops.open(&spec, &st, err);
    if (rc) return rc;
    rc = eddy_kafka_sink_ops.write(st, b, err);
    if (!rc) rc = eddy_kafka_sink_ops.flush(st, err);
    eddy_kafka_sink_ops.close(st);
    return rc;
}

/* The headers column becomes the message headers (in order, NULL values kept, JSON escapes
 * decoded), the timestamp column the message timestamp; neither is in the key or the value. */
static void test_headers_timestamp(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_meta", 1, 1), 0);
    eddy_schema s = tc_schema(4, meta_names, meta_types);
    static const char *const hdrs[] = {
        "{\"trace\":\"abc\",\"empty\":\"\",\"gone\":null}", NULL, "{}",
        " { \"q\\\"x\" : \"caf\\u00e9\\n\" , \"trace\" : \"2\" } "};
    static const int64_t ts[] = {1700000000123, -1, 5, 1999999999999};
    eddy_batch *b = meta_rows(&s, 4, hdrs, ts);
    eddy_error err;
    int64_t before = (int64_t)time(NULL) * 1000;
    assert_int_equal(run_meta_sink("t_meta", &s, b, &err), 0);
    int64_t after = (int64_t)time(NULL) * 1000 + 1000;
    msg *m = consume("t_meta", 1, 4);
    assert_string_equal(m[0].key, "1");
    assert_string_equal(m[0].value, "{\"id\":1,\"name\":\"n1\"}");
    assert_string_equal(m[0].headers, "trace=abc;empty=;gone=(null);");
    assert_int_equal(m[0].ts, 1700000000123);
    assert_string_equal(m[1].value, "{\"id\":2,\"name\":\"n2\"}");
    assert_null(m[1].headers);                           /* NULL: no headers */
    assert_true(m[1].ts >= before && m[1].ts <= after); /* NULL: the time of sending */
    assert_null(m[2].headers);                           /* '{}': no headers */
    assert_int_equal(m[2].ts, 5);
    assert_string_equal(m[3].headers, "q\"x=caf\xc3\xa9\n;trace=2;");
    assert_int_equal(m[3].ts, 1999999999999);
    free_msgs(m, 4);
    eddy_batch_free(b);
    free(s.fields);
}

/* A headers cell that is not a flat JSON object of strings and nulls fails the row, naming the
 * table, the column and what is wrong. */
static void test_headers_bad(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_meta_bad", 1, 1), 0);
    eddy_schema s = tc_schema(4, meta_names, meta_types);
    static const struct {
        const char *cell, *needle;
    } bad[] = {
        {"[\"a\"]", "byte 0: expected '{'"},
        {"{\"a\":1}", "byte 5: a header's value must be a JSON string or null"},
        {"{\"a\":{\"b\":\"c\"}}", "must be a JSON string or null"},
        {"{\"a\":\"b\"", "expected ',' or '}'"},
        {"{\"a\":\"b\"} x", "unexpected text after the object"},
        {"{a:\"b\"}", "expected a header name"},
        {"{\"a\":\"\\q\"}", "bad escape"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *hdrs[] = {"{\"ok\":\"1\"}", bad[i].cell};
        static const int64_t ts[] = {-1, -1};
        eddy_batch *b = meta_rows(&s, 2, hdrs, ts);
        eddy_error err;
        assert_int_equal(run_meta_sink("t_meta_bad", &s, b, &err), EDDY_EDATA);
        print_message("%s\n", err.msg);
        if (!strstr(err.msg, "table 'out': column 'hdrs' (metadata 'headers')") ||
            !strstr(err.msg, bad[i].needle))
            fail_msg("error '%s' does not contain '%s'", err.msg, bad[i].needle);
        eddy_batch_free(b);
    }
    free(s.fields);
}

/* Opening with metadata columns of the wrong type, or a key naming one, fails clearly. */
static void test_metadata_errors(void **st)
{
    (void)st;
    static eddy_sqltype map = {.kind = EDDY_TYPE_MAP, .precision = -1, .scale = -1};
    static const struct {
        eddy_sqltype *hdr, *ts;
        const char *key, *needle;
    } cases[] = {
        {&map, &tc_ltz3, "id", "no MAP type at runtime yet: declare it STRING"},
        {&tc_varchar, &tc_bigint, "id", "(metadata 'timestamp') must be TIMESTAMP_LTZ(3)"},
        {&tc_varchar, &tc_ltz3, "id;hdrs", "names 'hdrs', a METADATA column"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eddy_sqltype *types[] = {&tc_bigint, cases[i].hdr, &tc_varchar, cases[i].ts};
        eddy_schema s = tc_schema(4, meta_names, types);
        const char *kv[] = {"format", "json", "key.format", "csv", "key.fields", cases[i].key,
                            NULL};
        opts o = make_opts("t_meta", kv);
        eddy_sink_spec spec = tc_sink_spec("out", &s, o.kv, o.n, NULL);
        spec.metadata = meta_keys;
        void *stt = NULL;
        eddy_error err;
        eddy_error_clear(&err);
        int rc = eddy_kafka_sink_ops.open(&spec, &stt, &err);
        if (rc == 0) eddy_kafka_sink_ops.close(stt);
        assert_int_not_equal(rc, 0);
        print_message("%s\n", err.msg);
        if (!strstr(err.msg, cases[i].needle))
            fail_msg("error '%s' does not contain '%s'", err.msg, cases[i].needle);
        free(s.fields);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Exactly-once                                                                             */

/* The broker of the exactly-once tests: EDDY_TEST_KAFKA, else the mock. */
static const char *eos_servers(void)
{
    const char *real = getenv("EDDY_TEST_KAFKA");
    return real && *real ? real : servers;
}

static bool eos_real(void)
{
    return eos_servers() != servers;
}

/* Creates a topic of nparts partitions for an exactly-once test; its name (unique on a real
 * broker, which keeps topics) goes to out. */
static void eos_topic(const char *base, int nparts, char *out, size_t outsz)
{
    if (!eos_real()) {
        snprintf(out, outsz, "%s", base);
        assert_int_equal(rd_kafka_mock_topic_create(mock, out, nparts, 1), 0);
        return;
    }
    snprintf(out, outsz, "%s_%ld_%ld", base, (long)getpid(), (long)time(NULL));
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", eos_servers(), errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    assert_non_null(rk);
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(out, nparts, 1, errstr, sizeof errstr);
    assert_non_null(nt);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
    assert_non_null(ev);
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    assert_non_null(res);
    size_t n;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
    assert_int_equal(n, 1);
    if (rd_kafka_topic_result_error(tr[0]))
        fail_msg("cannot create topic %s on %s: %s", out, eos_servers(),
                 rd_kafka_topic_result_error_string(tr[0]));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_destroy(rk);
}

/* A unique transactional-id prefix on a real broker (ids outlive the test there). */
static void eos_prefix(const char *base, char *out, size_t outsz)
{
    if (eos_real())
        snprintf(out, outsz, "%s-%ld-%ld", base, (long)getpid(), (long)time(NULL));
    else
        snprintf(out, outsz, "%s", base);
}

/* An exactly-once sink of the test table (json values, csv key id) on eos_servers(). */
static void *eos_open(const eddy_sink_ops *ops, const char *topic, const char *prefix, int index,
                      const eddy_schema *s)
{
    static opts o; /* the spec's options must outlive open() only, but keep them simple */
    memset(&o, 0, sizeof o);
    o.kv[o.n++] = (eddy_kv){"connector", "kafka"};
    o.kv[o.n++] = (eddy_kv){"topic", topic};
    o.kv[o.n++] = (eddy_kv){"properties.bootstrap.servers", eos_servers()};
    o.kv[o.n++] = (eddy_kv){"format", "json"};
    o.kv[o.n++] = (eddy_kv){"key.format", "csv"};
    o.kv[o.n++] = (eddy_kv){"key.fields", "id"};
    o.kv[o.n++] = (eddy_kv){"sink.delivery-guarantee", "exactly-once"};
    o.kv[o.n++] = (eddy_kv){"sink.transactional-id-prefix", prefix};
    eddy_sink_spec spec = tc_sink_spec("out", s, o.kv, o.n, NULL);
    spec.checkpointing = true;
    spec.index = index;
    void *st = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    if (ops->open(&spec, &st, &err)) fail_msg("open: %s", err.msg);
    return st;
}

/* Rows with ids first..first+n-1 (names "n<id>"). */
static eddy_batch *rows_from(const eddy_schema *s, int first, int n)
{
    eddy_batch *b = make_rows(s, n, false);
    for (int i = 0; i < n; i++)
        b->cols[0].v.i64[i] = first + i;
    return b;
}

static void eos_write(void *st, const eddy_schema *s, int first, int n)
{
    eddy_batch *b = rows_from(s, first, n);
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_kafka_sink_ops.write(st, b, &err)) fail_msg("write: %s", err.msg);
    eddy_batch_free(b);
}

/* prepare_commit(ckpt): returns the marker (malloc'ed). */
static char *eos_prepare(void *st, uint64_t ckpt)
{
    eddy_strbuf marker = {0};
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_kafka_sink_ops.prepare_commit(st, ckpt, &marker, &err))
        fail_msg("prepare_commit(%llu): %s", (unsigned long long)ckpt, err.msg);
    char *m = eddy_strbuf_take(&marker);
    return m ? m : eddy_xstrdup("");
}

static void eos_commit(void *st, uint64_t ckpt)
{
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_kafka_sink_ops.commit(st, ckpt, &err))
        fail_msg("commit(%llu): %s", (unsigned long long)ckpt, err.msg);
}

/* Which ids (1..cap-1) the read_committed consumer sees in topic now; each at most once. */
static void seen_ids(const char *topic, int nparts, bool *seen, int cap)
{
    memset(seen, 0, (size_t)cap * sizeof *seen);
    int n = 0;
    msg *m = consume_from(eos_servers(), topic, nparts, -1, &n);
    for (int i = 0; i < n; i++) {
        int id = atoi(m[i].key);
        assert_true(id > 0 && id < cap);
        assert_false(seen[id]);
        seen[id] = true;
    }
    free_msgs(m, n);
}

/* Three checkpoints: the transactions alternate between the two producers ('-0', '-1', '-0'),
 * each checkpoint's rows are readable once it is committed, and rows written after a
 * prepare_commit (the next checkpoint's, arriving while the previous one is being made durable)
 * go into the next transaction: invisible until that one commits (checked on a real broker). */
static void test_exactly_once_checkpoints(void **st)
{
    (void)st;
    char topic[128], prefix[128];
    eos_topic("t_eos", 2, topic, sizeof topic);
    eos_prefix("eddy-test", prefix, sizeof prefix);
    eddy_schema s = tc_schema(3, col_names, col_types);
    void *k = eos_open(&eddy_kafka_sink_ops, topic, prefix, 3, &s);
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(eddy_kafka_sink_ops.recover(k, NULL, 0, &err), 0);
    bool seen[64];
    eos_write(k, &s, 1, 5); /* checkpoint 1: ids 1..5 */
    for (uint64_t n = 1; n <= 3; n++) {
        char *marker = eos_prepare(k, n);
        char want[256];
        snprintf(want, sizeof want, "txn %s-3-%d %llu", prefix, (int)((n - 1) % 2),
                 (unsigned long long)n);
        assert_string_equal(marker, want);
        free(marker);
        /* the next checkpoint's rows arrive before checkpoint n is durable */
        int first = (int)n * 10 + 1;
        eos_write(k, &s, first, 3);
        eos_commit(k, n);
        seen_ids(topic, 2, seen, 64);
        for (int id = 1; id <= 5; id++)
            assert_true(seen[id]);
        for (uint64_t j = 1; j < n; j++) /* earlier checkpoints' late rows: committed */
            for (int id = (int)j * 10 + 1; id < (int)j * 10 + 4; id++)
                assert_true(seen[id]);
        if (eos_real()) /* the rows of checkpoint n + 1 are not committed yet */
            for (int id = first; id < first + 3; id++)
                assert_false(seen[id]);
    }
    char *marker = eos_prepare(k, 4); /* on producer -1 again */
    char want[256];
    snprintf(want, sizeof want, "txn %s-3-1 4", prefix);
    assert_string_equal(marker, want);
    free(marker);
    eos_commit(k, 4);
    seen_ids(topic, 2, seen, 64);
    int total = 0;
    for (int id = 0; id < 64; id++)
        total += seen[id];
    assert_int_equal(total, 5 + 3 * 3);
    eddy_kafka_sink_ops.close(k);
    free(s.fields);
}

/* A crash after prepare_commit(1): a new sink with the same prefix recovers (fencing the old
 * producers and aborting their open transactions), writes and commits; the crashed process's
 * uncommitted rows stay invisible (checked on a real broker), and the old sink, a zombie, can
 * no longer commit there. */
static void test_exactly_once_recover(void **st)
{
    (void)st;
    char topic[128], prefix[128];
    eos_topic("t_eos_rec", 2, topic, sizeof topic);
    eos_prefix("eddy-rec", prefix, sizeof prefix);
    eddy_schema s = tc_schema(3, col_names, col_types);
    eddy_error err;
    /* the first process: checkpoint 1 committed, checkpoint 2 prepared, then it "crashes" */
    void *a = eos_open(&eddy_kafka_sink_ops, topic, prefix, 0, &s);
    eddy_error_clear(&err);
    assert_int_equal(eddy_kafka_sink_ops.recover(a, NULL, 0, &err), 0);
    eos_write(a, &s, 1, 4);
    char *m1 = eos_prepare(a, 1);
    eos_commit(a, 1);
    eos_write(a, &s, 11, 4);
    char *m2 = eos_prepare(a, 2);
    eos_write(a, &s, 21, 2); /* in the next transaction, on the other producer */
    eddy_kafka_sink_ops.flush(a, &err);
    /* the restarted process: its last checkpoint is 1 (2 never became durable) */
    void *b = eos_open(&eddy_kafka_sink_ops, topic, prefix, 0, &s);
    eddy_error_clear(&err);
    if (eddy_kafka_sink_ops.recover(b, m1, strlen(m1), &err)) fail_msg("recover: %s", err.msg);
    eos_write(b, &s, 31, 4);
    char *m3 = eos_prepare(b, 2);
    assert_non_null(strstr(m3, "-0-0 2"));
    eos_commit(b, 2);
    bool seen[64];
    seen_ids(topic, 2, seen, 64);
    for (int id = 1; id <= 4; id++)
        assert_true(seen[id]);
    for (int id = 31; id <= 34; id++)
        assert_true(seen[id]);
    if (eos_real()) { /* the crashed process's transactions were aborted */
        for (int id = 11; id <= 14; id++)
            assert_false(seen[id]);
        assert_false(seen[21]);
        assert_false(seen[22]);
        /* and its producers are fenced: the zombie cannot commit checkpoint 2 */
        eddy_error_clear(&err);
        assert_int_not_equal(eddy_kafka_sink_ops.commit(a, 2, &err), 0);
        print_message("%s\n", err.msg);
    }
    eddy_kafka_sink_ops.close(a); /* its abort fails quietly once fenced */
    eddy_kafka_sink_ops.close(b);
    free(m1);
    free(m2);
    free(m3);
    free(s.fields);
}

/* The broker refusing EndTxn: commit() fails, naming the checkpoint and the transactional id
 * (the mock's error injection: not with a real broker). */
static void test_exactly_once_commit_fails(void **st)
{
    (void)st;
    if (eos_real()) {
        print_message("skipped with EDDY_TEST_KAFKA: it injects errors into the mock\n");
        return;
    }
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_eos_fail", 1, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    void *k = eos_open(&eddy_kafka_sink_ops, "t_eos_fail", "eddy-fail", 1, &s);
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(eddy_kafka_sink_ops.recover(k, NULL, 0, &err), 0);
    eos_write(k, &s, 1, 3);
    free(eos_prepare(k, 7));
    enum { END_TXN_API = 26 };
    rd_kafka_mock_push_request_errors(mock, END_TXN_API, 1,
                                      RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    eddy_error_clear(&err);
    int rc = eddy_kafka_sink_ops.commit(k, 7, &err);
    rd_kafka_mock_clear_request_errors(mock, END_TXN_API);
    print_message("%s\n", err.msg);
    assert_int_equal(rc, EDDY_ECONNECTOR);
    if (!strstr(err.msg, "committing the transaction for checkpoint 7") ||
        !strstr(err.msg, "transactional.id 'eddy-fail-1-0'"))
        fail_msg("unexpected error: %s", err.msg);
    eddy_kafka_sink_ops.close(k);
    free(s.fields);
}

/* Options of exactly-once that are refused. */
static void test_exactly_once_options(void **st)
{
    (void)st;
    eddy_schema s = tc_schema(3, col_names, col_types);
    opts o = make_opts("t", NULL);
    o.kv[o.n++] = (eddy_kv){"format", "json"};
    o.kv[o.n++] = (eddy_kv){"sink.delivery-guarantee", "exactly-once"};
    o.kv[o.n++] = (eddy_kv){"sink.transactional-id-prefix", "p"};
    o.kv[o.n++] = (eddy_kv){"properties.transactional.id", "mine"};
    eddy_sink_spec spec = tc_sink_spec("out", &s, o.kv, o.n, NULL);
    spec.checkpointing = true;
    void *stt = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_not_equal(eddy_kafka_sink_ops.open(&spec, &stt, &err), 0);
    assert_non_null(strstr(err.msg, "'properties.transactional.id' cannot be set"));
    free(s.fields);
}

/* ---------------------------------------------------------------------------------------- */
/* upsert-kafka                                                                             */

/* +I and +U rows are upserts (key, value), -D a tombstone (key, NULL value), -U skipped; each
 * key's messages on the partition of its key's hash, in order. */
static void test_upsert(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_upsert", NPART, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    /* rows: +I 1 n1, +I 2 n2, -U 1 n1, +U 1 one, -D 2 n2, +I 3 n3, -U 3 n3, +U 3 three */
    static const int ids[] = {1, 2, 1, 1, 2, 3, 3, 3};
    static const char *const names[] = {"n1", "n2", "n1", "one", "n2", "n3", "n3", "three"};
    static const uint8_t kinds[] = {EDDY_ROW_INSERT,       EDDY_ROW_INSERT,
                                    EDDY_ROW_UPDATE_BEFORE, EDDY_ROW_UPDATE_AFTER,
                                    EDDY_ROW_DELETE,       EDDY_ROW_INSERT,
                                    EDDY_ROW_UPDATE_BEFORE, EDDY_ROW_UPDATE_AFTER};
    eddy_batch *b = make_rows(&s, 8, false);
    uint8_t *bk = eddy_batch_kinds(b);
    for (int i = 0; i < 8; i++) {
        b->cols[0].v.i64[i] = ids[i];
        b->cols[1].v.str[i] = eddy_batch_str(b, names[i], strlen(names[i]));
        b->cols[2].v.f64[i] = ids[i] + 0.5;
        bk[i] = kinds[i];
    }
    static const char *const kv[] = {"key.format",   "json",       "key.fields",
                                     "id",           "value.format", "json",
                                     "value.fields-include", "EXCEPT_KEY",
                                     "sink.buffer-flush.max-rows", "100",
                                     "sink.buffer-flush.interval", "1s", NULL};
    opts o = make_opts("t_upsert", kv);
    o.kv[0].value = "upsert-kafka";
    eddy_sink_spec spec = tc_sink_spec("out", &s, o.kv, o.n, NULL);
    spec.changelog = true;
    void *k = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_upsert_kafka_sink_ops.open(&spec, &k, &err)) fail_msg("open: %s", err.msg);
    if (eddy_upsert_kafka_sink_ops.write(k, b, &err)) fail_msg("write: %s", err.msg);
    eddy_strbuf marker = {0};
    assert_int_equal(eddy_upsert_kafka_sink_ops.prepare_commit(k, 1, &marker, &err), 0);
    eddy_strbuf_free(&marker);
    eddy_upsert_kafka_sink_ops.close(k);
    msg *m = consume("t_upsert", NPART, 6);
    /* per key, in offset order (consume sorts by partition, then offset) */
    static const char *const want_key[] = {"{\"id\":1}", "{\"id\":1}", "{\"id\":2}",
                                           "{\"id\":2}", "{\"id\":3}", "{\"id\":3}"};
    static const char *const want_value[] = {"{\"name\":\"n1\",\"price\":1.5}",
                                             "{\"name\":\"one\",\"price\":1.5}",
                                             "{\"name\":\"n2\",\"price\":2.5}",
                                             NULL,
                                             "{\"name\":\"n3\",\"price\":3.5}",
                                             "{\"name\":\"three\",\"price\":3.5}"};
    int w = 0;
    for (int key = 0; key < 3; key++) {
        int32_t part = -1;
        for (int i = 0; i < 6; i++) {
            if (strcmp(m[i].key, want_key[key * 2]) != 0) continue;
            assert_int_equal(m[i].partition, java_partition(m[i].key, m[i].nkey, NPART));
            if (part >= 0) assert_int_equal(m[i].partition, part);
            part = m[i].partition;
            assert_string_equal(m[i].key, want_key[w]);
            if (want_value[w])
                assert_string_equal(m[i].value, want_value[w]);
            else
                assert_null(m[i].value); /* the tombstone of key 2 */
            w++;
        }
    }
    assert_int_equal(w, 6);
    free_msgs(m, 6);
    eddy_batch_free(b);
    free(s.fields);
}

/* upsert-kafka's options: a PRIMARY KEY (or key.fields), key.format and value.format are required. */
static void test_upsert_options(void **st)
{
    (void)st;
    static const struct {
        const char *const kv[10];
        const char *needle;
    } cases[] = {
        {{"key.format", "json", "value.format", "json", NULL},
         "require to define a PRIMARY"},
        {{"key.fields", "id", "value.format", "json", NULL}, "option 'key.format' is required"},
        {{"key.format", "json", "key.fields", "id", NULL}, "option 'value.format' is required"},
        {{"key.format", "json", "key.fields", "id", "format", "json", NULL},
         "takes 'key.format' and 'value.format', not 'format'"},
        {{"key.format", "json", "key.fields", "id", "value.format", "json", "sink.partitioner",
          "fixed"},
         "unknown option 'sink.partitioner' for connector 'upsert-kafka'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eddy_schema s = tc_schema(3, col_names, col_types);
        opts o = make_opts("t_upsert", (const char *const *)cases[i].kv);
        o.kv[0].value = "upsert-kafka";
        eddy_sink_spec spec = tc_sink_spec("out", &s, o.kv, o.n, NULL);
        spec.changelog = true;
        void *k = NULL;
        eddy_error err;
        eddy_error_clear(&err);
        int rc = eddy_upsert_kafka_sink_ops.open(&spec, &k, &err);
        if (rc == 0) eddy_upsert_kafka_sink_ops.close(k);
        assert_int_not_equal(rc, 0);
        print_message("%s\n", err.msg);
        if (!strstr(err.msg, cases[i].needle))
            fail_msg("error '%s' does not contain '%s'", err.msg, cases[i].needle);
        free(s.fields);
    }
}

/* upsert-kafka with a 'raw' key: a NULL key column fails the job (a compacted topic refuses a
 * message without a key), naming the column. */
static void test_upsert_null_raw_key(void **st)
{
    (void)st;
    assert_int_equal(rd_kafka_mock_topic_create(mock, "t_upsert_raw", 1, 1), 0);
    eddy_schema s = tc_schema(3, col_names, col_types);
    eddy_batch *b = make_rows(&s, 3, true); /* row 2's name is NULL */
    static const char *const kv[] = {"key.format", "raw", "key.fields", "name", "value.format",
                                     "json", NULL};
    opts o = make_opts("t_upsert_raw", kv);
    o.kv[0].value = "upsert-kafka";
    eddy_sink_spec spec = tc_sink_spec("out", &s, o.kv, o.n, NULL);
    spec.changelog = true;
    void *k = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_upsert_kafka_sink_ops.open(&spec, &k, &err)) fail_msg("open: %s", err.msg);
    int rc = eddy_upsert_kafka_sink_ops.write(k, b, &err);
    eddy_upsert_kafka_sink_ops.close(k);
    print_message("%s\n", err.msg);
    assert_int_equal(rc, EDDY_EDATA);
    assert_non_null(strstr(err.msg, "key column 'name' is NULL"));
    eddy_batch_free(b);
    free(s.fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_value_csv_key),
        cmocka_unit_test(test_csv_except_key_raw_key_fixed),
        cmocka_unit_test(test_raw_value_round_robin),
        cmocka_unit_test(test_option_errors),
        cmocka_unit_test(test_delete_row_refused),
        cmocka_unit_test(test_delivery_failure),
        cmocka_unit_test(test_guarantee_none),
        cmocka_unit_test(test_prefixed_format_options),
        cmocka_unit_test(test_headers_timestamp),
        cmocka_unit_test(test_headers_bad),
        cmocka_unit_test(test_metadata_errors),
        cmocka_unit_test(test_exactly_once_checkpoints),
        cmocka_unit_test(test_exactly_once_recover),
        cmocka_unit_test(test_exactly_once_commit_fails),
        cmocka_unit_test(test_exactly_once_options),
        cmocka_unit_test(test_upsert),
        cmocka_unit_test(test_upsert_options),
        cmocka_unit_test(test_upsert_null_raw_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
