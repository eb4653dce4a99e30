/*
 * test_conn_kafka_decode.c: what a Kafka message becomes (connectors/kafka_decode.c): key
 * formats and key fields, 'value.fields-include', the 'headers', 'timestamp-type' and 'topic'
 * metadata, bad keys, and the dead-letter topic.
 *
 * librdkafka's mock cluster runs inside the test on loopback. Messages with keys and headers
 * are produced with explicit partitions, then read through the kafka source's ops
 * (eddy_kafka_source_ops, 'scan.bounded.mode' = 'latest-offset') until EDDY_POLL_END, and the
 * rows checked. The dead-letter tests also drive the decoder's own API (kafka_decode.h) with
 * messages from a plain consumer, to check flush(): it returns once the dead letters are
 * acknowledged, and fails when the broker refuses them (a Produce error pushed into the mock).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connectors/kafka_decode.h"
#include "test_conn_util.h"

extern const eddy_source_ops eddy_kafka_source_ops;

static rd_kafka_t *owner; /* holds the mock cluster */
static rd_kafka_mock_cluster_t *mc;
static rd_kafka_t *producer;
static char bootstraps[256];

typedef struct hdr {
    const char *name;
    const char *value; /* NULL: a header with a NULL value */
    size_t len;
} hdr;

static void produce(const char *topic, int part, const char *key, size_t klen, const char *value,
                    int64_t ts, const hdr *h, int nh)
{
    rd_kafka_headers_t *hs = NULL;
    if (nh) {
        hs = rd_kafka_headers_new((size_t)nh);
        for (int i = 0; i < nh; i++)
            rd_kafka_header_add(hs, h[i].name, -1, h[i].value, h[i].value ? (ssize_t)h[i].len : 0);
    }
    rd_kafka_resp_err_t e = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY((void *)key, key ? klen : 0),
        RD_KAFKA_V_VALUE((void *)value, value ? strlen(value) : 0), RD_KAFKA_V_TIMESTAMP(ts),
        RD_KAFKA_V_HEADERS(hs), RD_KAFKA_V_END);
    assert_int_equal(e, RD_KAFKA_RESP_ERR_NO_ERROR);
}

static void produce_k(const char *topic, int part, const char *key, const char *value, int64_t ts)
{
    produce(topic, part, key, key ? strlen(key) : 0, value, ts, NULL, 0);
}

#define NKV 12 /* messages in topic kv, message i in partition i % 2 */

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
    const char *topics[] = {"kv", "kcsv", "badkey", "dl", "dlq", "dlq2"};
    for (int i = 0; i < 6; i++)
        if (rd_kafka_mock_topic_create(mc, topics[i], i == 0 ? 2 : 1, 1)) return -1;
    snprintf(bootstraps, sizeof bootstraps, "%s", rd_kafka_mock_cluster_bootstraps(mc));

    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, msg, sizeof msg);
    rd_kafka_conf_set(conf, "log_level", "3", msg, sizeof msg);
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, msg, sizeof msg);
    if (!producer) return -1;
    char key[64], val[128];
    /* kv: JSON key {"id": i} (none for i = 5), JSON value {"id": 100 + i, "name": "n<i>"};
     * message 0 has headers, the others none */
    for (int i = 0; i < NKV; i++) {
        snprintf(key, sizeof key, "{\"id\": %d}", i);
        snprintf(val, sizeof val, "{\"id\": %d, \"name\": \"n%d\"}", 100 + i, i);
        if (i == 0) {
            static const hdr h[] = {{"a", "1", 1},
                                    {"b", NULL, 0},
                                    {"c", "x\"y\n", 4},
                                    {"bin", "\xff\xc3\xa9z", 4},
                                    {"a", "2", 1}};
            produce("kv", 0, key, strlen(key), val, 5000, h, 5);
        } else {
            produce_k("kv", i % 2, i == 5 ? NULL : key, val, 5000 + i);
        }
    }
    /* kcsv: CSV key "<i>,k<i>", value "v<i>" */
    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof key, "%d,k%d", i, i);
        snprintf(val, sizeof val, "v%d", i);
        produce_k("kcsv", 0, key, val, 1);
    }
    /* badkey: offset 1's key is not JSON */
    produce_k("badkey", 0, "{\"id\": 1}", "{\"v\": 1}", 1);
    produce_k("badkey", 0, "oops", "{\"v\": 2}", 2);
    produce_k("badkey", 0, "{\"id\": 3}", "{\"v\": 3}", 3);
    /* dl: good, bad value (with a header), bad key, good */
    static const hdr dh[] = {{"trace", "t-1", 3}};
    produce("dl", 0, "{\"id\": 1}", 9, "{\"v\": 1}", 1001, NULL, 0);
    produce("dl", 0, "{\"id\": 2}", 9, "{\"v\": x}", 1002, dh, 1);
    produce("dl", 0, "[", 1, "{\"v\": 3}", 1003, NULL, 0);
    produce("dl", 0, "{\"id\": 4}", 9, "{\"v\": 4}", 1004, NULL, 0);
    return rd_kafka_flush(producer, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
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

typedef struct src {
    eddy_schema schema;
    eddy_schema phys;
    eddy_kv kv[24];
    int nkv;
    eddy_source_spec spec;
    void *state;
    eddy_batch *b;
    int nbad;
    char bad_where[256];
    char bad_why[256];
} src;

static void on_bad(void *ctx, const char *where, const char *why)
{
    src *x = ctx;
    x->nbad++;
    snprintf(x->bad_where, sizeof x->bad_where, "%s", where);
    snprintf(x->bad_why, sizeof x->bad_why, "%s", why);
}

/* Columns: n names, types, metadata keys; the physical columns are the non-metadata ones in
 * order. Options: NULL-terminated key, value pairs after the common ones. */
static void src_init(src *x, int n, const char *const *names, eddy_sqltype *const *types,
                     const char *const *meta, ...)
{
    memset(x, 0, sizeof *x);
    x->schema = tc_schema(n, names, types);
    const char *pn[32];
    eddy_sqltype *pt[32];
    int np = 0;
    for (int i = 0; i < n; i++)
        if (!meta || !meta[i]) {
            pn[np] = names[i];
            pt[np++] = types[i];
        }
    x->phys = tc_schema(np, pn, pt);
    x->kv[x->nkv++] = (eddy_kv){"connector", "kafka"};
    x->kv[x->nkv++] = (eddy_kv){"properties.bootstrap.servers", bootstraps};
    x->kv[x->nkv++] = (eddy_kv){"scan.bounded.mode", "latest-offset"};
    va_list ap;
    va_start(ap, meta);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        x->kv[x->nkv++] = (eddy_kv){k, v};
    }
    va_end(ap);
    x->spec = tc_source_spec("t", &x->schema, x->kv, x->nkv);
    x->spec.metadata = meta;
    x->spec.physical = &x->phys;
    x->spec.batch_rows = 64;
    x->spec.bad_record = on_bad;
    x->spec.ctx = x;
    x->b = tc_batch(&x->schema, 64);
}

static int src_open(src *x, eddy_error *err)
{
    memset(err, 0, sizeof *err);
    return eddy_kafka_source_ops.open(&x->spec, &x->state, err);
}

static void src_close(src *x)
{
    if (x->state) eddy_kafka_source_ops.close(x->state);
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

/* One poll that returns data, END or an error (IDLE is retried for up to 20 s). */
static int poll_once(src *x, eddy_error *err)
{
    int64_t deadline = now_ms() + 20000;
    for (;;) {
        eddy_batch_reset(x->b);
        int rc = eddy_kafka_source_ops.poll(x->state, x->b, 200, err);
        if (rc != EDDY_POLL_IDLE) return rc;
        assert_true(now_ms() < deadline);
    }
}

/* The rows' cells as text, "NULL" for NULL, one row per string: "c0|c1|..." (string and
 * integer columns only), sorted by the caller's key through the index col. */
typedef struct rows {
    int n;
    char row[64][512];
} rows;

static void cell(const eddy_batch *b, int c, int r, char *o, size_t n)
{
    if (tc_isnull(b, c, r))
        snprintf(o, n, "NULL");
    else if (b->cols[c].phys == EDDY_PHYS_STR)
        snprintf(o, n, "%s", tc_str(b, c, r));
    else
        snprintf(o, n, "%lld", (long long)b->cols[c].v.i64[r]);
}

/* Reads everything; row text stored at index = the integer in column idx minus base. Returns
 * the final poll's code. */
static int read_all(src *x, rows *out, int idx, int base, eddy_error *err)
{
    memset(out, 0, sizeof *out);
    int rc;
    while ((rc = poll_once(x, err)) == EDDY_POLL_DATA) {
        for (int r = 0; r < x->b->n; r++) {
            int at = (int)x->b->cols[idx].v.i64[r] - base;
            assert_true(at >= 0 && at < 64);
            char *o = out->row[at];
            assert_int_equal(o[0], 0); /* each once */
            size_t used = 0;
            for (int c = 0; c < x->b->ncols; c++) {
                char one[400];
                cell(x->b, c, r, one, sizeof one);
                used += (size_t)snprintf(o + used, sizeof out->row[0] - used, "%s%s", c ? "|" : "",
                                         one);
            }
            out->n++;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------- */

/* EXCEPT_KEY: 'id' from the JSON key (NULL without a key), the rest from the value; headers,
 * timestamp-type and topic metadata. */
static void test_key_fields_except_key(void **st)
{
    (void)st;
    static const char *const names[] = {"name", "id", "o", "h", "tt", "tp"};
    static eddy_sqltype *const types[] = {&tc_varchar, &tc_bigint,  &tc_bigint,
                                          &tc_varchar, &tc_varchar, &tc_varchar};
    static const char *const meta[] = {NULL, NULL, "offset", "headers", "timestamp-type", "topic"};
    src x;
    eddy_error err;
    src_init(&x, 6, names, types, meta, "topic", "kv", "format", "json", "key.format", "json",
             "key.fields", "id", "value.fields-include", "EXCEPT_KEY", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    int rc, total = 0;
    bool saw_nokey = false, saw_headers = false;
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {
        for (int r = 0; r < x.b->n; r++) {
            const char *name = tc_str(x.b, 0, r);
            int i = atoi(name + 1);
            char want[64];
            if (i == 5) {
                assert_true(tc_isnull(x.b, 1, r)); /* no key: NULL key column */
                saw_nokey = true;
            } else {
                assert_false(tc_isnull(x.b, 1, r));
                assert_int_equal(x.b->cols[1].v.i64[r], i); /* from the key, not the value */
            }
            assert_int_equal(x.b->cols[2].v.i64[r], i / 2);
            if (i == 0) {
                assert_string_equal(tc_str(x.b, 3, r),
                                    "{\"a\":\"1\",\"b\":null,\"c\":\"x\\\"y\\n\","
                                    "\"bin\":\"\\ufffd\xc3\xa9z\",\"a\":\"2\"}");
                saw_headers = true;
            } else {
                assert_string_equal(tc_str(x.b, 3, r), "{}");
            }
            assert_string_equal(tc_str(x.b, 4, r), "CreateTime");
            assert_string_equal(tc_str(x.b, 5, r), "kv");
            snprintf(want, sizeof want, "n%d", i);
            assert_string_equal(name, want);
            total++;
        }
    }
    assert_int_equal(rc, EDDY_POLL_END);
    assert_int_equal(total, NKV);
    assert_true(saw_nokey && saw_headers);
    src_close(&x);

    /* with a prefix: column k_id is the key's field 'id' */
    static const char *const pnames[] = {"k_id", "name"};
    static eddy_sqltype *const ptypes[] = {&tc_bigint, &tc_varchar};
    src_init(&x, 2, pnames, ptypes, NULL, "topic", "kv", "value.format", "json", "key.format",
             "json", "key.fields", "k_id", "key.fields-prefix", "k_", "value.fields-include",
             "EXCEPT_KEY", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    total = 0;
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {
        for (int r = 0; r < x.b->n; r++) {
            int i = atoi(tc_str(x.b, 1, r) + 1);
            if (i == 5)
                assert_true(tc_isnull(x.b, 0, r));
            else
                assert_int_equal(x.b->cols[0].v.i64[r], i);
            total++;
        }
    }
    assert_int_equal(rc, EDDY_POLL_END);
    assert_int_equal(total, NKV);
    src_close(&x);
}

/* ALL (the default): the value holds the key's columns too, and its fields win (Flink). */
static void test_all_value_wins(void **st)
{
    (void)st;
    static const char *const names[] = {"id", "name"};
    static eddy_sqltype *const types[] = {&tc_bigint, &tc_varchar};
    src x;
    eddy_error err;
    src_init(&x, 2, names, types, NULL, "topic", "kv", "format", "json", "key.format", "json",
             "key.fields", "id", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    rows got;
    assert_int_equal(read_all(&x, &got, 0, 100, &err), EDDY_POLL_END);
    assert_int_equal(got.n, NKV);
    for (int i = 0; i < NKV; i++) {
        char want[64];
        snprintf(want, sizeof want, "%d|n%d", 100 + i, i);
        assert_string_equal(got.row[i], want);
    }
    src_close(&x);
}

/* CSV key with two fields (in 'key.fields' order, not the table's), and a raw key. */
static void test_key_csv_and_raw(void **st)
{
    (void)st;
    static const char *const names[] = {"v", "b", "a"};
    static eddy_sqltype *const types[] = {&tc_varchar, &tc_varchar, &tc_bigint};
    src x;
    eddy_error err;
    src_init(&x, 3, names, types, NULL, "topic", "kcsv", "format", "raw", "key.format", "csv",
             "key.fields", "a;b", "value.fields-include", "EXCEPT_KEY", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    rows got;
    assert_int_equal(read_all(&x, &got, 2, 0, &err), EDDY_POLL_END);
    assert_int_equal(got.n, 4);
    for (int i = 0; i < 4; i++) {
        char want[64];
        snprintf(want, sizeof want, "v%d|k%d|%d", i, i, i);
        assert_string_equal(got.row[i], want);
    }
    src_close(&x);

    static const char *const rnames[] = {"k", "v", "o"};
    static eddy_sqltype *const rtypes[] = {&tc_varchar, &tc_varchar, &tc_bigint};
    static const char *const rmeta[] = {NULL, NULL, "offset"};
    src_init(&x, 3, rnames, rtypes, rmeta, "topic", "kcsv", "format", "raw", "key.format", "raw",
             "key.fields", "k", "value.fields-include", "EXCEPT_KEY", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(read_all(&x, &got, 2, 0, &err), EDDY_POLL_END);
    assert_int_equal(got.n, 4);
    for (int i = 0; i < 4; i++) {
        char want[64];
        snprintf(want, sizeof want, "%d,k%d|v%d|%d", i, i, i, i);
        assert_string_equal(got.row[i], want);
    }
    src_close(&x);
}

/* A key that cannot be decoded is a bad message: it fails the job, naming the place, or with
 * the key format's ignore-parse-errors it is reported and skipped. */
static void test_bad_key(void **st)
{
    (void)st;
    static const char *const names[] = {"id", "v"};
    static eddy_sqltype *const types[] = {&tc_bigint, &tc_bigint};
    src x;
    eddy_error err;
    src_init(&x, 2, names, types, NULL, "topic", "badkey", "format", "json", "key.format", "json",
             "key.fields", "id", "value.fields-include", "EXCEPT_KEY", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    rows got;
    assert_int_equal(read_all(&x, &got, 1, 0, &err), EDDY_EDATA);
    assert_non_null(strstr(err.msg, "topic badkey, partition 0, offset 1: key: byte"));
    src_close(&x);

    src_init(&x, 2, names, types, NULL, "topic", "badkey", "format", "json", "key.format", "json",
             "key.fields", "id", "value.fields-include", "EXCEPT_KEY",
             "key.json.ignore-parse-errors", "true", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(read_all(&x, &got, 1, 0, &err), EDDY_POLL_END);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.row[1], "1|1");
    assert_string_equal(got.row[3], "3|3");
    assert_int_equal(x.nbad, 1);
    assert_string_equal(x.bad_where, "topic badkey, partition 0, offset 1");
    assert_non_null(strstr(x.bad_why, "key: "));
    src_close(&x);

    /* the value format's ignore-parse-errors does not cover the key (as in Flink) */
    src_init(&x, 2, names, types, NULL, "topic", "badkey", "format", "json", "key.format", "json",
             "key.fields", "id", "value.fields-include", "EXCEPT_KEY", "json.ignore-parse-errors",
             "true", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(read_all(&x, &got, 1, 0, &err), EDDY_EDATA);
    src_close(&x);
}

/* A consumer of one partition from its start. */
static rd_kafka_t *consumer_of(const char *topic)
{
    char msg[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, msg, sizeof msg), 0);
    rd_kafka_conf_set(conf, "group.id", "test-reader", msg, sizeof msg);
    rd_kafka_conf_set(conf, "log_level", "3", msg, sizeof msg);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
    assert_non_null(c);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(c, l), 0);
    rd_kafka_topic_partition_list_destroy(l);
    return c;
}

/* Up to n messages of the consumer (waiting at most 10 s in all). */
static int consume(rd_kafka_t *c, rd_kafka_message_t **out, int n)
{
    int got = 0;
    int64_t deadline = now_ms() + 10000;
    while (got < n && now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (!m) continue;
        if (m->err) {
            rd_kafka_message_destroy(m);
            continue;
        }
        out[got++] = m;
    }
    return got;
}

static const char *header(const rd_kafka_message_t *m, const char *name, char *buf, size_t n)
{
    rd_kafka_headers_t *h = NULL;
    const void *v;
    size_t len;
    if (rd_kafka_message_headers(m, &h) || rd_kafka_header_get_last(h, name, &v, &len)) return NULL;
    snprintf(buf, n, "%.*s", (int)len, (const char *)v);
    return buf;
}

static const char *const dl_names[] = {"id", "v"};
static eddy_sqltype *const dl_types[] = {&tc_bigint, &tc_bigint};

/* Bad messages (a bad value, a bad key) go to the dead-letter topic unchanged, with the
 * eddy.* headers; the job goes on and counts them. */
static void test_dead_letter(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 2, dl_names, dl_types, NULL, "topic", "dl", "format", "json", "key.format", "json",
             "key.fields", "id", "value.fields-include", "EXCEPT_KEY", "dead-letter.topic", "dlq",
             "dead-letter.properties.linger.ms", "1", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    rows got;
    assert_int_equal(read_all(&x, &got, 1, 0, &err), EDDY_POLL_END);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.row[1], "1|1");
    assert_string_equal(got.row[4], "4|4");
    assert_int_equal(x.nbad, 2);
    assert_string_equal(x.bad_where, "topic dl, partition 0, offset 2");
    src_close(&x); /* waits for the dead letters still on their way */

    rd_kafka_t *c = consumer_of("dlq");
    rd_kafka_message_t *m[2];
    assert_int_equal(consume(c, m, 2), 2);
    char buf[256];
    /* offset 1: bad value, key and the original header kept */
    assert_int_equal(m[0]->len, 8);
    assert_memory_equal(m[0]->payload, "{\"v\": x}", 8);
    assert_int_equal(m[0]->key_len, 9);
    assert_memory_equal(m[0]->key, "{\"id\": 2}", 9);
    assert_string_equal(header(m[0], "trace", buf, sizeof buf), "t-1");
    assert_string_equal(header(m[0], "eddy.topic", buf, sizeof buf), "dl");
    assert_string_equal(header(m[0], "eddy.partition", buf, sizeof buf), "0");
    assert_string_equal(header(m[0], "eddy.offset", buf, sizeof buf), "1");
    assert_non_null(strstr(header(m[0], "eddy.error", buf, sizeof buf), "byte"));
    rd_kafka_timestamp_type_t tt;
    assert_int_equal(rd_kafka_message_timestamp(m[0], &tt), 1002);
    /* offset 2: bad key */
    assert_memory_equal(m[1]->key, "[", 1);
    assert_string_equal(header(m[1], "eddy.offset", buf, sizeof buf), "2");
    assert_true(strncmp(header(m[1], "eddy.error", buf, sizeof buf), "key: ", 5) == 0);
    for (int i = 0; i < 2; i++)
        rd_kafka_message_destroy(m[i]);
    rd_kafka_destroy(c);
}

/* The decoder's API on messages of a plain consumer: flush() waits for the dead letters; a
 * dead letter the broker refuses fails flush() and the next decode(). */
static void test_dead_letter_flush(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    static const char *const own[] = {"topic", "properties.*", "scan.bounded.mode", NULL};
    src_init(&x, 2, dl_names, dl_types, NULL, "topic", "dl", "format", "json", "key.format", "json",
             "key.fields", "id", "value.fields-include", "EXCEPT_KEY", "dead-letter.topic", "dlq2",
             "dead-letter.properties.message.timeout.ms", "5000", NULL);
    rd_kafka_t *c = consumer_of("dl");
    rd_kafka_message_t *m[4];
    assert_int_equal(consume(c, m, 4), 4);

    eddy_kafka_decoder *d;
    memset(&err, 0, sizeof err);
    assert_int_equal(eddy_kafka_decoder_new(&x.spec, own, &d, &err), 0);
    eddy_kafka_decoder_begin(d);
    int want[4] = {0, 1, 1, 0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(eddy_kafka_decode(d, m[i], x.b, &err), want[i]);
    eddy_kafka_decoder_finish(d, x.b);
    assert_int_equal(x.b->n, 2);
    assert_int_equal(eddy_kafka_decoder_flush(d, &err), 0);
    /* acknowledged: another consumer sees both at once */
    rd_kafka_t *c2 = consumer_of("dlq2");
    rd_kafka_message_t *dm[2];
    assert_int_equal(consume(c2, dm, 2), 2);
    for (int i = 0; i < 2; i++)
        rd_kafka_message_destroy(dm[i]);
    rd_kafka_destroy(c2);

    /* the broker refuses the next dead letters */
    rd_kafka_mock_push_request_errors(
        mc, 0 /* Produce */, 3, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    eddy_kafka_decoder_begin(d);
    eddy_batch_reset(x.b);
    assert_int_equal(eddy_kafka_decode(d, m[1], x.b, &err), 1);
    memset(&err, 0, sizeof err);
    assert_int_equal(eddy_kafka_decoder_flush(d, &err), EDDY_ECONNECTOR);
    assert_non_null(strstr(err.msg, "'dead-letter.topic' 'dlq2'"));
    assert_non_null(strstr(err.msg, "topic dl, partition 0, offset 1"));
    assert_non_null(strstr(err.msg, "uthorization"));
    memset(&err, 0, sizeof err);
    assert_int_equal(eddy_kafka_decode(d, m[0], x.b, &err), EDDY_ECONNECTOR);
    eddy_kafka_decoder_free(d);
    for (int i = 0; i < 4; i++)
        rd_kafka_message_destroy(m[i]);
    rd_kafka_destroy(c);
    src_close(&x);
}

/* Options are checked at open with errors naming the table and the option. */
static void test_option_errors(void **st)
{
    (void)st;
    static const char *const names[] = {"id", "name", "o", "h"};
    static eddy_sqltype *const types[] = {&tc_bigint, &tc_varchar, &tc_bigint, &tc_varchar};
    static const char *const meta[] = {NULL, NULL, "offset", "headers"};
    static const struct {
        const char *kv[10];
        int code;
        const char *says;
    } cases[] = {
        {{"key.format", "json", NULL}, EDDY_EUSAGE, "requires the declaration of one or more key"},
        {{"key.fields", "id", NULL}, EDDY_EUSAGE, "'key.fields' can only be declared if a key"},
        {{"key.format", "json", "key.fields", "o", NULL},
         EDDY_EUSAGE,
         "names 'o', which is not a physical column"},
        {{"key.format", "json", "key.fields", "idd", NULL},
         EDDY_EUSAGE,
         "the physical columns are 'id', 'name'"},
        {{"key.format", "json", "key.fields", "id", "key.fields-prefix", "k_", NULL},
         EDDY_EUSAGE,
         "'key.fields-prefix' is not allowed"},
        {{"key.format", "json", "key.fields", "id", "key.fields-prefix", "k_",
          "value.fields-include", "EXCEPT_KEY", NULL},
         EDDY_EUSAGE,
         "field 'id' does not start with 'k_'"},
        {{"key.format", "raw", "key.fields", "id;name", NULL}, EDDY_EUSAGE, "exactly one column"},
        {{"key.format", "raw", "key.fields", "id", NULL}, EDDY_EBIND, "STRING or BYTES"},
        {{"key.format", "xml", "key.fields", "id", NULL},
         EDDY_EUNSUPPORTED,
         "format 'xml' ('key.format')"},
        {{"value.format", "json", NULL}, EDDY_EUSAGE, "sets both 'format' and 'value.format'"},
        {{"value.fields-include", "SOME", NULL}, EDDY_EUSAGE, "'value.fields-include'"},
        {{"key.json.fail-on-missing-field", "true", NULL},
         EDDY_EUSAGE,
         "key.json.fail-on-missing-field"},
        {{"dead-letter.topic", "j", NULL}, EDDY_EUSAGE, "the topic it reads"},
        {{"dead-letter.topic", "dlq", "topic", "dl; dlq", NULL},
         EDDY_EUSAGE,
         "the topic it reads ('dlq')"},
        {{"dead-letter.topic", "dlq", "dead-letter.properties.no.such", "1", NULL},
         EDDY_EUSAGE,
         "'dead-letter.properties.no.such'"},
        {{"dead-letter.topik", "dlq", NULL}, EDDY_EUSAGE, "dead-letter.topic"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        src x;
        eddy_error err;
        src_init(&x, 4, names, types, meta, "topic", "j", "format", "json", NULL);
        for (int i = 0; cases[k].kv[i]; i += 2) {
            int at = x.nkv;
            for (int j = 0; j < x.nkv; j++)
                if (strcmp(x.kv[j].key, cases[k].kv[i]) == 0) at = j; /* replaces 'topic' */
            x.kv[at] = (eddy_kv){cases[k].kv[i], cases[k].kv[i + 1]};
            if (at == x.nkv) x.nkv++;
        }
        x.spec.noptions = x.nkv;
        int rc = src_open(&x, &err);
        if (rc != cases[k].code || !strstr(err.msg, cases[k].says))
            fail_msg("case %zu: got %d '%s', want %d '%s'", k, rc, err.msg, cases[k].code,
                     cases[k].says);
        if (!strstr(err.msg, "'t'")) fail_msg("case %zu does not name table 't': %s", k, err.msg);
        src_close(&x);
    }

    /* 'value.format' takes 'value.json.*' options */
    src x;
    eddy_error err;
    src_init(&x, 2, dl_names, dl_types, NULL, "topic", "dl", "value.format", "json",
             "value.json.ignore-parse-errors", "true", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    rows got;
    assert_int_equal(read_all(&x, &got, 1, 0, &err), EDDY_POLL_END);
    assert_int_equal(got.n, 3); /* the bad value is skipped; the bad key is not read */
    assert_int_equal(x.nbad, 1);
    src_close(&x);

    /* headers as MAP: declare it STRING; as INT: the type it needs */
    static eddy_sqltype map = {.kind = EDDY_TYPE_MAP, .precision = -1, .scale = -1};
    eddy_sqltype *const mtypes[] = {&tc_bigint, &tc_varchar, &tc_bigint, &map};
    src_init(&x, 4, names, mtypes, meta, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "declare the column STRING"));
    src_close(&x);
    eddy_sqltype *const itypes[] = {&tc_bigint, &tc_varchar, &tc_bigint, &tc_int};
    src_init(&x, 4, names, itypes, meta, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EBIND);
    assert_non_null(strstr(err.msg, "metadata 'headers' of connector 'kafka' (column 'h' of table "
                                    "'t') must be declared STRING"));
    src_close(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_fields_except_key), cmocka_unit_test(test_all_value_wins),
        cmocka_unit_test(test_key_csv_and_raw),       cmocka_unit_test(test_bad_key),
        cmocka_unit_test(test_dead_letter),           cmocka_unit_test(test_option_errors),
        cmocka_unit_test(test_dead_letter_flush), /* last: it leaves Produce errors behind */
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
