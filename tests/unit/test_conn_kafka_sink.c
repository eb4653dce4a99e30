/*
 * test_conn_kafka_sink.c: the 'kafka' sink against librdkafka's mock cluster (rdkafka_mock.h),
 * started inside the test on loopback. Batches go through the sink's ops; the messages are read
 * back from the beginning of every partition by a plain rdkafka consumer (no group), and their
 * values, keys and partitions are checked: json/csv/raw values and keys, the three
 * partitioners (the default one against Kafka's Java murmur2 partitioning, computed here),
 * option errors, changelog refusal, and a delivery failure (the mock refusing Produce requests)
 * reported as an error that names the topic and the broker's reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "test_conn_util.h"

extern const eddy_sink_ops eddy_kafka_sink_ops;

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

/* Reads `want` messages of topic (from the start of each of its nparts partitions), sorted by
 * partition then offset. Fails the test when they do not come within 10 s. */
static msg *consume(const char *topic, int nparts, int want)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", servers, errstr, sizeof errstr),
                     0);
    rd_kafka_conf_set(conf, "group.id", "test-reader", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    assert_non_null(c);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(nparts);
    for (int p = 0; p < nparts; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(c, parts), 0);
    rd_kafka_topic_partition_list_destroy(parts);
    msg *out = eddy_xcalloc((size_t)want + 1, sizeof *out);
    int got = 0;
    for (int tries = 0; got < want && tries < 100; tries++) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (!m) continue;
        if (!m->err) {
            msg *x = &out[got++];
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
    rd_kafka_message_t *extra = rd_kafka_consumer_poll(c, 200);
    if (extra) {
        bool data = !extra->err;
        rd_kafka_message_destroy(extra);
        assert_false(data);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    assert_int_equal(got, want);
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

static void free_msgs(msg *m, int n)
{
    for (int i = 0; i < n; i++) {
        free(m[i].key);
        free(m[i].value);
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
    expect_open_error("t", eo, false, "not supported yet");
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
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
