/*
 * test_conn_kafka_source.c: the 'kafka' source (connectors/kafka_source.c) against librdkafka's
 * mock cluster, started inside the test on loopback.
 *
 * Topics with 3 partitions are filled by an rdkafka producer with explicit partitions, keys and
 * timestamps, then read through the source's ops with 'scan.bounded.mode' = 'latest-offset'
 * until EDDY_POLL_END: every row, its metadata columns and its batch's split are checked;
 * position/seek resumes exactly; specific offsets start where asked; a bad message is named by
 * topic, partition and offset.
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
#include <unistd.h>
#include <time.h>

#include "test_conn_util.h"

extern const eddy_source_ops eddy_kafka_source_ops;

#define NMSG 30 /* messages per topic, message i in partition i % 3 */
#define NM1 12  /* topic m1: message i in partition i % 3 */
#define NM2 8   /* topic m2: message i in partition i % 2 */
#define NG 40   /* topic g4 (groups): message i in partition i % 4, then NG more later */

static rd_kafka_t *owner; /* holds the mock cluster */
static rd_kafka_mock_cluster_t *mc;
static rd_kafka_t *producer;
static char bootstraps[256];

static void produce(const char *topic, int part, const char *key, const char *value, int64_t ts)
{
    rd_kafka_resp_err_t e =
        rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_KEY((void *)key, key ? strlen(key) : 0),
                          RD_KAFKA_V_VALUE((void *)value, value ? strlen(value) : 0),
                          RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_END);
    assert_int_equal(e, RD_KAFKA_RESP_ERR_NO_ERROR);
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
    const char *topics[] = {"j", "c", "bad"};
    for (int i = 0; i < 3; i++)
        if (rd_kafka_mock_topic_create(mc, topics[i], 3, 1)) return -1;
    /* for topic lists and patterns: m1 (3 partitions), m2 (2), mx (1); for groups: g4 (4) */
    if (rd_kafka_mock_topic_create(mc, "m1", 3, 1) || rd_kafka_mock_topic_create(mc, "m2", 2, 1) ||
        rd_kafka_mock_topic_create(mc, "mx", 1, 1) || rd_kafka_mock_topic_create(mc, "g4", 4, 1))
        return -1;
    snprintf(bootstraps, sizeof bootstraps, "%s", rd_kafka_mock_cluster_bootstraps(mc));

    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, msg, sizeof msg);
    rd_kafka_conf_set(conf, "log_level", "3", msg, sizeof msg);
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, msg, sizeof msg);
    if (!producer) return -1;
    char key[32], val[128];
    for (int i = 0; i < NMSG; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(val, sizeof val, "{\"id\": %d, \"name\": \"n%d\", \"extra\": [1, 2]}", i, i);
        produce("j", i % 3, key, val, 1000 + i);
        snprintf(val, sizeof val, "%d,n%d", i, i);
        produce("c", i % 3, NULL, val, 2000 + i);
    }
    for (int i = 0; i < NM1; i++) {
        snprintf(val, sizeof val, "{\"id\": %d, \"name\": \"m1\"}", i);
        produce("m1", i % 3, NULL, val, 3000 + i);
    }
    for (int i = 0; i < NM2; i++) {
        snprintf(val, sizeof val, "{\"id\": %d, \"name\": \"m2\"}", i);
        produce("m2", i % 2, NULL, val, 4000 + i);
    }
    produce("mx", 0, NULL, "{\"id\": 0, \"name\": \"mx\"}", 5000);
    for (int i = 0; i < NG; i++) {
        snprintf(val, sizeof val, "{\"id\": %d, \"name\": \"g\"}", i);
        produce("g4", i % 4, NULL, val, 6000 + i);
    }
    produce("bad", 1, "a", "{\"id\": 1}", 1);
    produce("bad", 1, "b", "{\"id\": oops}", 2);
    produce("bad", 1, "c", "{\"id\": 3}", 3);
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
    const char **meta;
    eddy_kv kv[16];
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

/* Options: NULL-terminated key, value pairs after the common ones. */
static void src_init(src *x, int n, const char *const *names, eddy_sqltype *const *types,
                     const char *const *meta, int batch_rows, ...)
{
    memset(x, 0, sizeof *x);
    x->schema = tc_schema(n, names, types);
    x->kv[x->nkv++] = (eddy_kv){"connector", "kafka"};
    x->kv[x->nkv++] = (eddy_kv){"properties.bootstrap.servers", bootstraps};
    x->kv[x->nkv++] = (eddy_kv){"scan.bounded.mode", "latest-offset"};
    va_list ap;
    va_start(ap, batch_rows);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        x->kv[x->nkv++] = (eddy_kv){k, v};
    }
    va_end(ap);
    x->spec = tc_source_spec("t", &x->schema, x->kv, x->nkv);
    x->spec.metadata = meta;
    x->spec.batch_rows = batch_rows;
    x->spec.bad_record = on_bad;
    x->spec.ctx = x;
    x->b = tc_batch(&x->schema, batch_rows);
}

static int src_open(src *x, eddy_error *err)
{
    memset(err, 0, sizeof *err);
    return eddy_kafka_source_ops.open(&x->spec, &x->state, err);
}

static void src_close(src *x)
{
    if (x->state) eddy_kafka_source_ops.close(x->state);
    eddy_batch_free(x->b);
    free(x->schema.fields);
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

/* ---------------------------------------------------------------------------------------- */

static const char *const j_names[] = {"id", "name", "p", "o", "ts", "k"};
static eddy_sqltype *const j_types[] = {&tc_bigint, &tc_varchar, &tc_int,
                                        &tc_bigint, &tc_ltz3,    &tc_bytes};
static const char *const j_meta[] = {NULL, NULL, "partition", "offset", "timestamp", "key"};

static void test_json_rows_and_metadata(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 6, j_names, j_types, j_meta, 7, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.splits(x.state), 3);
    int seen[NMSG] = {0};
    int64_t last_off[3] = {-1, -1, -1};
    int rc, total = 0, polls = 0;
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {
        /* after the first poll (which assigns), let every partition's messages arrive so
         * that the consumer's queue holds several partitions back to back */
        if (polls++ == 0) nanosleep(&(struct timespec){1, 0}, NULL);
        eddy_batch *b = x.b;
        assert_true(b->n > 0 && b->n <= 7);
        for (int r = 0; r < b->n; r++) {
            int64_t id = b->cols[0].v.i64[r];
            assert_true(id >= 0 && id < NMSG);
            seen[id]++;
            char want[32];
            snprintf(want, sizeof want, "n%d", (int)id);
            assert_string_equal(tc_str(b, 1, r), want);
            assert_int_equal(b->cols[2].v.i64[r], id % 3);
            assert_int_equal(b->split, id % 3);
            assert_int_equal(b->cols[3].v.i64[r], id / 3);
            assert_true(b->cols[3].v.i64[r] > last_off[id % 3]); /* in order per partition */
            last_off[id % 3] = b->cols[3].v.i64[r];
            assert_int_equal(b->cols[4].v.i64[r], 1000 + id);
            snprintf(want, sizeof want, "k%d", (int)id);
            assert_false(tc_isnull(b, 5, r));
            assert_string_equal(tc_str(b, 5, r), want);
            total++;
        }
    }
    assert_int_equal(rc, EDDY_POLL_END);
    assert_int_equal(total, NMSG);
    for (int i = 0; i < NMSG; i++)
        assert_int_equal(seen[i], 1);
    uint64_t done, all;
    eddy_kafka_source_ops.progress(x.state, &done, &all);
    assert_int_equal(done, NMSG);
    src_close(&x);

    /* unbounded: never ends; a batch stops where the partition changes (the bounded run above
     * also stops at a partition's end, which hides a missing cut) */
    src_init(&x, 6, j_names, j_types, j_meta, 4, "topic", "j", "format", "json", NULL);
    x.kv[2].value = "unbounded";
    assert_int_equal(src_open(&x, &err), 0);
    total = 0;
    polls = 0;
    while (total < NMSG) {
        assert_int_equal(poll_once(&x, &err), EDDY_POLL_DATA);
        if (polls++ == 0) nanosleep(&(struct timespec){1, 0}, NULL);
        for (int r = 0; r < x.b->n; r++) {
            assert_int_equal(x.b->cols[2].v.i64[r], x.b->split);
            total++;
        }
    }
    assert_int_equal(total, NMSG);
    eddy_batch_reset(x.b);
    assert_int_equal(eddy_kafka_source_ops.poll(x.state, x.b, 300, &err), EDDY_POLL_IDLE);
    src_close(&x);
}

static void test_csv_and_raw(void **st)
{
    (void)st;
    /* CSV: columns in another order than the record's, found through spec.physical */
    static const char *const names[] = {"name", "id", "k"};
    static eddy_sqltype *const types[] = {&tc_varchar, &tc_bigint, &tc_varchar};
    static const char *const meta[] = {NULL, NULL, "key"};
    static const char *const pnames[] = {"id", "name"};
    static eddy_sqltype *const ptypes[] = {&tc_bigint, &tc_varchar};
    eddy_schema phys = tc_schema(2, pnames, ptypes);
    src x;
    eddy_error err;
    src_init(&x, 3, names, types, meta, 64, "topic", "c", "format", "csv", NULL);
    x.spec.physical = &phys;
    assert_int_equal(src_open(&x, &err), 0);
    int rc, total = 0;
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {
        for (int r = 0; r < x.b->n; r++) {
            int64_t id = x.b->cols[1].v.i64[r];
            char want[32];
            snprintf(want, sizeof want, "n%d", (int)id);
            assert_string_equal(tc_str(x.b, 0, r), want);
            assert_int_equal(x.b->split, id % 3);
            assert_true(tc_isnull(x.b, 2, r)); /* produced without a key */
            total++;
        }
    }
    assert_int_equal(rc, EDDY_POLL_END);
    assert_int_equal(total, NMSG);
    src_close(&x);
    free(phys.fields);

    /* raw: the value as one STRING column */
    static const char *const rnames[] = {"line", "o"};
    static eddy_sqltype *const rtypes[] = {&tc_varchar, &tc_bigint};
    static const char *const rmeta[] = {NULL, "offset"};
    src_init(&x, 2, rnames, rtypes, rmeta, 64, "topic", "c", "format", "raw", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    total = 0;
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {
        for (int r = 0; r < x.b->n; r++) {
            int64_t id = x.b->cols[1].v.i64[r] * 3 + x.b->split;
            char want[32];
            snprintf(want, sizeof want, "%d,n%d", (int)id, (int)id);
            assert_string_equal(tc_str(x.b, 0, r), want);
            total++;
        }
    }
    assert_int_equal(rc, EDDY_POLL_END);
    assert_int_equal(total, NMSG);
    src_close(&x);
}

/* Reads to the end; appends each row's id to per-partition lists. */
static void drain(src *x, int lists[3][NMSG], int n[3])
{
    eddy_error err;
    int rc;
    while ((rc = poll_once(x, &err)) == EDDY_POLL_DATA)
        for (int r = 0; r < x->b->n; r++)
            lists[x->b->split][n[x->b->split]++] = (int)x->b->cols[0].v.i64[r];
    assert_int_equal(rc, EDDY_POLL_END);
}

static void test_position_seek(void **st)
{
    (void)st;
    src a, b;
    eddy_error err;
    src_init(&a, 6, j_names, j_types, j_meta, 3, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&a, &err), 0);
    eddy_strbuf pos0 = {0};
    assert_int_equal(eddy_kafka_source_ops.position(a.state, &pos0, &err), 0);
    assert_string_equal(eddy_strbuf_cstr(&pos0), "j:0:0,j:1:0,j:2:0");
    eddy_strbuf_free(&pos0);
    int first = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(poll_once(&a, &err), EDDY_POLL_DATA);
        first += a.b->n;
    }
    eddy_strbuf pos = {0};
    assert_int_equal(eddy_kafka_source_ops.position(a.state, &pos, &err), 0);
    /* the rest as the first source reads it */
    int la[3][NMSG], na[3] = {0, 0, 0};
    drain(&a, la, na);
    assert_int_equal(first + na[0] + na[1] + na[2], NMSG);

    src_init(&b, 6, j_names, j_types, j_meta, 5, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&b, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.seek(b.state, eddy_strbuf_cstr(&pos),
                                                strlen(eddy_strbuf_cstr(&pos)), &err),
                     0);
    int lb[3][NMSG], nb[3] = {0, 0, 0};
    drain(&b, lb, nb);
    for (int p = 0; p < 3; p++) {
        assert_int_equal(na[p], nb[p]);
        for (int i = 0; i < na[p]; i++)
            assert_int_equal(la[p][i], lb[p][i]);
    }
    eddy_strbuf_free(&pos);
    src_close(&a);
    src_close(&b);

    /* a bad position is refused with what was expected */
    src_init(&b, 6, j_names, j_types, j_meta, 5, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&b, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.seek(b.state, "7:3", 3, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "partition 7 of topic 'j', which has 3 partitions"));
    memset(&err, 0, sizeof err); /* the first error stays otherwise */
    assert_int_equal(eddy_kafka_source_ops.seek(b.state, "j:1", 3, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "topic:partition:offset"));
    src_close(&b);
}

/* After a checkpoint the job hands the source its position: the offsets must reach the
 * consumer group (another consumer of the group sees them as committed). */
static void test_commit_offsets(void **st)
{
    (void)st;
    src a;
    eddy_error err;
    src_init(&a, 6, j_names, j_types, j_meta, 3, "topic", "j", "format", "json",
             "properties.group.id", "lag-tools", NULL);
    assert_int_equal(src_open(&a, &err), 0);
    assert_int_equal(poll_once(&a, &err), EDDY_POLL_DATA);
    eddy_strbuf pos = {0};
    assert_int_equal(eddy_kafka_source_ops.position(a.state, &pos, &err), 0);
    assert_non_null(eddy_kafka_source_ops.commit_offsets);
    assert_int_equal(eddy_kafka_source_ops.commit_offsets(a.state, pos.s, pos.n, &err), 0);
    int64_t want[3] = {0, 0, 0};
    const char *p = eddy_strbuf_cstr(&pos);
    for (int k = 0; k < 3; k++) {
        int part;
        long long off;
        int used;
        assert_int_equal(sscanf(p, "j:%d:%lld%n", &part, &off, &used), 2);
        want[part] = off;
        p += used + (p[used] == ',');
    }
    /* another member of the group reads what is committed (the commit is asynchronous) */
    char msg[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, msg, sizeof msg), 0);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "lag-tools", msg, sizeof msg), 0);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
    assert_non_null(c);
    bool same = false;
    for (int tries = 0; tries < 100 && !same; tries++) {
        eddy_batch_reset(a.b);
        eddy_kafka_source_ops.poll(a.state, a.b, 10, &err); /* serves the commit's reply */
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(3);
        for (int k = 0; k < 3; k++)
            rd_kafka_topic_partition_list_add(l, "j", k);
        if (rd_kafka_committed(c, l, 5000) == 0) {
            same = true;
            for (int k = 0; k < 3; k++)
                same = same && l->elems[k].offset == want[k];
        }
        rd_kafka_topic_partition_list_destroy(l);
        if (!same) usleep(50000);
    }
    assert_true(same);
    rd_kafka_destroy(c);
    eddy_strbuf_free(&pos);
    src_close(&a);
}

static void test_specific_and_latest(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
             "scan.startup.mode", "specific-offsets", "scan.startup.specific-offsets",
             "partition:0,offset:8;partition:2,offset:5", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    int l[3][NMSG], n[3] = {0, 0, 0};
    drain(&x, l, n);
    assert_int_equal(n[0], 2); /* offsets 8, 9 */
    assert_int_equal(l[0][0], 24);
    assert_int_equal(n[1], 10); /* not listed: earliest */
    assert_int_equal(n[2], 5);  /* offsets 5..9 */
    assert_int_equal(l[2][0], 17);
    src_close(&x);

    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
             "scan.startup.mode", "latest-offset", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(poll_once(&x, &err), EDDY_POLL_END);
    src_close(&x);

    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
             "scan.startup.mode", "specific-offsets", "scan.startup.specific-offsets",
             "partition:5,offset:1", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "has 3 partitions"));
    src_close(&x);
}

static void test_bad_message(void **st)
{
    (void)st;
    static const char *const names[] = {"id"};
    static eddy_sqltype *const types[] = {&tc_bigint};
    src x;
    eddy_error err;
    src_init(&x, 1, names, types, NULL, 64, "topic", "bad", "format", "json",
             "json.ignore-parse-errors", "true", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    int l[3][NMSG], n[3] = {0, 0, 0};
    drain(&x, l, n);
    assert_int_equal(n[1], 2);
    assert_int_equal(l[1][0], 1);
    assert_int_equal(l[1][1], 3);
    assert_int_equal(x.nbad, 1);
    assert_string_equal(x.bad_where, "topic bad, partition 1, offset 1");
    src_close(&x);

    src_init(&x, 1, names, types, NULL, 64, "topic", "bad", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    int rc;
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {
    }
    assert_int_equal(rc, EDDY_EDATA);
    assert_non_null(strstr(err.msg, "topic bad, partition 1, offset 1: byte"));
    assert_int_equal(x.nbad, 0);
    src_close(&x);
}

static void test_option_errors(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
             "scan.startup.mod", "earliest-offset", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "scan.startup.mode"));
    src_close(&x);

    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
             "properties.no.such.property", "1", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "'properties.no.such.property'"));
    src_close(&x);

    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "avro", NULL);
    assert_int_not_equal(src_open(&x, &err), 0); /* the decoder's (kafka_decode.c) message */
    assert_non_null(strstr(err.msg, "'avro'"));
    src_close(&x);

    /* metadata keys are kafka_decode.c's (its own tests check them): an unknown one fails */
    static const char *const meta[] = {NULL, NULL, "weather", NULL, NULL, NULL};
    src_init(&x, 6, j_names, j_types, meta, 64, "topic", "j", "format", "json", NULL);
    assert_int_not_equal(src_open(&x, &err), 0);
    assert_non_null(strstr(err.msg, "'weather'"));
    src_close(&x);
}

/* ---------------------------------------------------------------------------------------- */
/* Topic lists, patterns, positions over several topics                                      */

static const char *const m_names[] = {"id", "name", "p", "o"};
static eddy_sqltype *const m_types[] = {&tc_bigint, &tc_varchar, &tc_int, &tc_bigint};
static const char *const m_meta[] = {NULL, NULL, "partition", "offset"};

#define MAXROWS 256

typedef struct rowlog {
    int n;
    int split[MAXROWS];
    int id[MAXROWS];
    char topic[MAXROWS][4];
    int part[MAXROWS];
    int64_t off[MAXROWS];
} rowlog;

static void log_batch(rowlog *g, const eddy_batch *b)
{
    for (int r = 0; r < b->n; r++) {
        assert_true(g->n < MAXROWS);
        g->split[g->n] = b->split;
        g->id[g->n] = (int)b->cols[0].v.i64[r];
        snprintf(g->topic[g->n], sizeof g->topic[0], "%s", tc_str(b, 1, r));
        g->part[g->n] = (int)b->cols[2].v.i64[r];
        g->off[g->n] = b->cols[3].v.i64[r];
        g->n++;
    }
}

static void drain_log(src *x, rowlog *g)
{
    eddy_error err;
    int rc;
    while ((rc = poll_once(x, &err)) == EDDY_POLL_DATA)
        log_batch(g, x->b);
    assert_int_equal(rc, EDDY_POLL_END);
}

/* m1 and m2 read as splits 0..2 (m1's partitions) and 3..4 (m2's), every message once. */
static void check_m1_m2(const rowlog *g)
{
    int seen1[NM1] = {0}, seen2[NM2] = {0};
    for (int k = 0; k < g->n; k++) {
        if (strcmp(g->topic[k], "m1") == 0) {
            assert_int_equal(g->split[k], g->part[k]);
            assert_int_equal(g->part[k], g->id[k] % 3);
            assert_int_equal(g->off[k], g->id[k] / 3);
            seen1[g->id[k]]++;
        } else {
            assert_string_equal(g->topic[k], "m2");
            assert_int_equal(g->split[k], 3 + g->part[k]);
            assert_int_equal(g->part[k], g->id[k] % 2);
            assert_int_equal(g->off[k], g->id[k] / 2);
            seen2[g->id[k]]++;
        }
    }
    assert_int_equal(g->n, NM1 + NM2);
    for (int i = 0; i < NM1; i++)
        assert_int_equal(seen1[i], 1);
    for (int i = 0; i < NM2; i++)
        assert_int_equal(seen2[i], 1);
}

static void test_topic_list(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    /* out of order, with spaces and a repeat: splits still follow the sorted names */
    src_init(&x, 4, m_names, m_types, m_meta, 5, "topic", "m2; m1;m2", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.splits(x.state), 5);
    rowlog g = {0};
    drain_log(&x, &g);
    check_m1_m2(&g);
    for (int i = 0; i < 5; i++) {
        assert_true(eddy_kafka_source_ops.split_owned(x.state, i)); /* 'all': every split */
        assert_int_equal(eddy_kafka_source_ops.lag(x.state, i), 0); /* read to the end */
    }
    src_close(&x);

    /* a topic of the list that does not exist is named (the mock creates any topic a client
     * asks for, so its metadata is made to answer "unknown topic") */
    assert_int_equal(rd_kafka_mock_topic_create(mc, "gone", 1, 1), 0);
    rd_kafka_mock_topic_set_error(mc, "gone", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
    src_init(&x, 4, m_names, m_types, m_meta, 5, "topic", "m1;gone", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_ECONNECTOR);
    assert_non_null(strstr(err.msg, "topic 'gone' was not found"));
    src_close(&x);
    rd_kafka_mock_topic_set_error(mc, "gone", RD_KAFKA_RESP_ERR_NO_ERROR);

    src_init(&x, 4, m_names, m_types, m_meta, 5, "topic", "m1", "topic-pattern", "m.*", "format",
             "json", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "'topic' and 'topic-pattern'"));
    src_close(&x);

    src_init(&x, 4, m_names, m_types, m_meta, 5, "topic", "m1;m2", "format", "json",
             "scan.startup.mode", "specific-offsets", "scan.startup.specific-offsets",
             "partition:0,offset:1", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "one 'topic' only"));
    src_close(&x);
}

static void test_topic_pattern(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    /* matches m1 and m2, not mx, and not j (the whole name must match) */
    src_init(&x, 4, m_names, m_types, m_meta, 5, "topic-pattern", "m[0-9]+", "format", "json",
             NULL);
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.splits(x.state), 5);
    rowlog g = {0};
    drain_log(&x, &g);
    check_m1_m2(&g);
    src_close(&x);

    src_init(&x, 4, m_names, m_types, m_meta, 5, "topic-pattern", "m", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_ECONNECTOR);
    assert_non_null(strstr(err.msg, "no topic matches 'topic-pattern' = 'm'"));
    src_close(&x);

    src_init(&x, 4, m_names, m_types, m_meta, 5, "topic-pattern", "m[", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "'m[' is not a regular expression"));
    src_close(&x);
}

/* A position over two topics: a second source that seeks to it reads exactly the rest. */
static void test_position_topics(void **st)
{
    (void)st;
    src a, b;
    eddy_error err;
    src_init(&a, 4, m_names, m_types, m_meta, 2, "topic", "m1;m2", "format", "json", NULL);
    assert_int_equal(src_open(&a, &err), 0);
    eddy_strbuf pos = {0};
    assert_int_equal(eddy_kafka_source_ops.position(a.state, &pos, &err), 0);
    assert_string_equal(eddy_strbuf_cstr(&pos), "m1:0:0,m1:1:0,m1:2:0,m2:0:0,m2:1:0");
    eddy_strbuf_free(&pos);
    rowlog first = {0}, rest_a = {0}, rest_b = {0};
    /* read until both topics were touched, so that the position moved in both */
    bool t1 = false, t2 = false;
    while (!(t1 && t2)) {
        assert_int_equal(poll_once(&a, &err), EDDY_POLL_DATA);
        log_batch(&first, a.b);
        t1 = t1 || a.b->split < 3;
        t2 = t2 || a.b->split >= 3;
    }
    assert_int_equal(eddy_kafka_source_ops.position(a.state, &pos, &err), 0);
    drain_log(&a, &rest_a);
    assert_int_equal(first.n + rest_a.n, NM1 + NM2);

    src_init(&b, 4, m_names, m_types, m_meta, 3, "topic", "m2;m1", "format", "json", NULL);
    assert_int_equal(src_open(&b, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.seek(b.state, pos.s, pos.n, &err), 0);
    drain_log(&b, &rest_b);
    /* the same rows per split, in the same order */
    assert_int_equal(rest_a.n, rest_b.n);
    for (int sp = 0; sp < 5; sp++) {
        int ka = 0, kb = 0;
        for (;;) {
            while (ka < rest_a.n && rest_a.split[ka] != sp)
                ka++;
            while (kb < rest_b.n && rest_b.split[kb] != sp)
                kb++;
            if (ka == rest_a.n || kb == rest_b.n) break;
            assert_int_equal(rest_a.id[ka], rest_b.id[kb]);
            assert_string_equal(rest_a.topic[ka], rest_b.topic[kb]);
            ka++, kb++;
        }
        assert_true(ka == rest_a.n && kb == rest_b.n);
    }
    src_close(&b);

    /* a position naming a topic the source does not read is refused, naming it */
    src_init(&b, 4, m_names, m_types, m_meta, 3, "topic", "m1;m2", "format", "json", NULL);
    assert_int_equal(src_open(&b, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.seek(b.state, "m1:0:1,zz:0:4", 13, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "topic 'zz'"));
    /* the older form is only for a one-topic source */
    memset(&err, 0, sizeof err);
    assert_int_equal(eddy_kafka_source_ops.seek(b.state, "0:1", 3, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "topic:partition:offset"));
    src_close(&b);

    /* with a pattern, a topic gone since the checkpoint is skipped */
    src_init(&b, 4, m_names, m_types, m_meta, 3, "topic-pattern", "m[12]", "format", "json", NULL);
    assert_int_equal(src_open(&b, &err), 0);
    eddy_strbuf p2 = {0};
    eddy_strbuf_printf(&p2, "%s,gone:0:4", eddy_strbuf_cstr(&pos));
    assert_int_equal(eddy_kafka_source_ops.seek(b.state, p2.s, p2.n, &err), 0);
    rowlog rest_c = {0};
    drain_log(&b, &rest_c);
    assert_int_equal(rest_c.n, rest_a.n);
    eddy_strbuf_free(&p2);
    src_close(&b);
    eddy_strbuf_free(&pos);
    src_close(&a);
}

/* Checkpoints written before topic lists hold "partition:offset,...": still read. */
static void test_old_position(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.seek(x.state, "0:8,1:10,2:5", 12, &err), 0);
    eddy_strbuf pos = {0};
    assert_int_equal(eddy_kafka_source_ops.position(x.state, &pos, &err), 0);
    assert_string_equal(eddy_strbuf_cstr(&pos), "j:0:8,j:1:10,j:2:5");
    eddy_strbuf_free(&pos);
    int l[3][NMSG], n[3] = {0, 0, 0};
    drain(&x, l, n);
    assert_int_equal(n[0], 2); /* offsets 8, 9 */
    assert_int_equal(l[0][0], 24);
    assert_int_equal(n[1], 0);
    assert_int_equal(n[2], 5); /* offsets 5..9 */
    assert_int_equal(l[2][0], 17);
    src_close(&x);
}

/* lag(split): the partition's high watermark minus the next offset to read. */
static void test_lag(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 6, j_names, j_types, j_meta, 3, "topic", "j", "format", "json", NULL);
    x.kv[2].value = "unbounded";
    assert_int_equal(src_open(&x, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.lag(x.state, 3), -1); /* no such split */
    assert_int_equal(poll_once(&x, &err), EDDY_POLL_DATA);
    int p = x.b->split;
    int64_t next = x.b->cols[3].v.i64[x.b->n - 1] + 1;
    /* the messages came with a fetch response, which carried the high watermark (10) */
    assert_int_equal(eddy_kafka_source_ops.lag(x.state, p), NMSG / 3 - next);
    assert_true(NMSG / 3 - next > 0);
    /* read everything: no lag left anywhere */
    int total = x.b->n;
    while (total < NMSG) {
        assert_int_equal(poll_once(&x, &err), EDDY_POLL_DATA);
        total += x.b->n;
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(eddy_kafka_source_ops.lag(x.state, i), 0);
    src_close(&x);
}

/* 'scan.partitions': only the listed partition is read (its rows only, to its end), the other
 * splits are not owned and report no lag; bad lists are refused naming the entry. */
static void test_scan_partitions(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
             "scan.partitions", "j:1", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    int rows = 0, rc;
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {
        assert_int_equal(x.b->split, 1);
        for (int r = 0; r < x.b->n; r++) assert_int_equal(x.b->cols[2].v.i64[r], 1);
        rows += x.b->n;
    }
    assert_int_equal(rc, EDDY_POLL_END);
    assert_int_equal(rows, NMSG / 3);
    assert_true(eddy_kafka_source_ops.split_owned(x.state, 1));
    assert_false(eddy_kafka_source_ops.split_owned(x.state, 0));
    assert_false(eddy_kafka_source_ops.split_owned(x.state, 2));
    assert_int_equal(eddy_kafka_source_ops.lag(x.state, 0), -1);
    src_close(&x);
    /* the partition alone, with one topic */
    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
             "scan.partitions", "2", NULL);
    assert_int_equal(src_open(&x, &err), 0);
    rows = 0;
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {
        assert_int_equal(x.b->split, 2);
        rows += x.b->n;
    }
    assert_int_equal(rows, NMSG / 3);
    src_close(&x);
    static const char *const bad[] = {"j:7", "k:1", "j:x", " ;; "};
    for (int i = 0; i < 4; i++) {
        src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
                 "scan.partitions", bad[i], NULL);
        assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
        assert_non_null(strstr(err.msg, "scan.partitions"));
        src_close(&x);
    }
    /* 'group-tasks' is for `eddy run`: the source itself refuses it */
    src_init(&x, 6, j_names, j_types, j_meta, 64, "topic", "j", "format", "json",
             "scan.partition-assignment", "group-tasks", "properties.group.id", "g", NULL);
    x.kv[2].value = "unbounded";
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "eddy run"));
    src_close(&x);
}

/* ---------------------------------------------------------------------------------------- */
/* Consumer groups                                                                           */

/* A group member: a source reading g4 in 'group' mode, and what it read. */
typedef struct member {
    src x;
    rowlog g;
    int64_t first_off[4]; /* offset of the first row read per split since mark(), -1 none */
    int64_t last_off[4];  /* offset of the last row read per split, -1 none */
} member;

static void member_open(member *m, const char *group, const char *strategy)
{
    memset(&m->g, 0, sizeof m->g);
    src_init(&m->x, 4, m_names, m_types, m_meta, 4, "topic", "g4", "format", "json",
             "scan.partition-assignment", "group", "properties.group.id", group,
             "properties.session.timeout.ms", "6000", "properties.heartbeat.interval.ms", "500",
             "properties.partition.assignment.strategy", strategy, NULL);
    m->x.kv[2].value = "unbounded";
    for (int i = 0; i < 4; i++)
        m->first_off[i] = m->last_off[i] = -1;
    eddy_error err;
    assert_int_equal(src_open(&m->x, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.splits(m->x.state), 4);
}

static int owned(member *m, bool own[4])
{
    int n = 0;
    for (int i = 0; i < 4; i++) {
        bool o = eddy_kafka_source_ops.split_owned(m->x.state, i);
        if (own) own[i] = o;
        n += o;
    }
    return n;
}

/* One short poll; a batch must come from a split the member owns. */
static void member_poll(member *m)
{
    eddy_error err;
    bool before[4];
    owned(m, before);
    eddy_batch_reset(m->x.b);
    int rc = eddy_kafka_source_ops.poll(m->x.state, m->x.b, 50, &err);
    if (rc == EDDY_POLL_IDLE) return;
    if (rc != EDDY_POLL_DATA) fail_msg("poll: %d %s", rc, err.msg);
    int sp = m->x.b->split;
    /* owned when the poll began, or assigned during it (a revoke during the poll may leave
     * the rows read before it in the batch) */
    assert_true(before[sp] || eddy_kafka_source_ops.split_owned(m->x.state, sp));
    for (int r = 0; r < m->x.b->n; r++) {
        int64_t off = m->x.b->cols[3].v.i64[r];
        assert_int_equal(m->x.b->cols[2].v.i64[r], sp);
        assert_true(off > m->last_off[sp]);
        if (m->first_off[sp] < 0) m->first_off[sp] = off;
        m->last_off[sp] = off;
    }
    log_batch(&m->g, m->x.b);
}

/* Polls both members until cond holds, for at most 30 s. */
static void poll_until(member *a, member *b, bool (*cond)(member *, member *, void *), void *arg)
{
    int64_t deadline = now_ms() + 30000;
    while (!cond(a, b, arg)) {
        if (now_ms() > deadline) fail_msg("the group did not settle in 30 s");
        member_poll(a);
        if (b) member_poll(b);
    }
}

/* Both own two partitions, none twice. */
static bool split_evenly(member *a, member *b, void *arg)
{
    (void)arg;
    bool oa[4], ob[4];
    if (owned(a, oa) != 2 || owned(b, ob) != 2) return false;
    for (int i = 0; i < 4; i++)
        if (oa[i] == ob[i]) return false;
    return true;
}

/* Every partition was read up to offset *arg - 1 by the member owning it. */
static bool read_to(member *a, member *b, void *arg)
{
    int64_t end = *(int64_t *)arg;
    for (int i = 0; i < 4; i++) {
        member *m = eddy_kafka_source_ops.split_owned(a->x.state, i) ? a : b;
        if (!m || !eddy_kafka_source_ops.split_owned(m->x.state, i)) return false;
        if (m->last_off[i] < end - 1) return false;
    }
    return true;
}

static bool owns_all(member *a, member *b, void *arg)
{
    (void)b;
    int64_t end = *(int64_t *)arg;
    if (owned(a, NULL) != 4) return false;
    for (int i = 0; i < 4; i++)
        if (a->last_off[i] < end - 1) return false;
    return true;
}

/* Two sources of one group split g4's 4 partitions; the one closed hands its partitions to
 * the other, which resumes them at the offsets committed after the last checkpoint. */
/* round: how many times NG messages were produced into g4 before (offsets per partition =
 * round * NG / 4) */
static void run_group(const char *group, const char *strategy, int round)
{
    member a, b;
    member_open(&a, group, strategy);
    member_open(&b, group, strategy);
    poll_until(&a, &b, split_evenly, NULL);
    int64_t end = round * NG / 4, ckpt = end + 5;
    poll_until(&a, &b, read_to, &end);
    bool ob[4];
    owned(&b, ob);
    for (int i = 0; i < 4; i++) {
        /* lag: 0 where read to the end, -1 where another member reads */
        assert_int_equal(eddy_kafka_source_ops.lag(b.x.state, i), ob[i] ? 0 : -1);
    }

    /* more messages (offsets 10..19 of every partition), read by their owners */
    char val[128];
    for (int i = round * NG; i < (round + 1) * NG; i++) {
        snprintf(val, sizeof val, "{\"id\": %d, \"name\": \"g\"}", i);
        produce("g4", i % 4, NULL, val, 6000 + i);
    }
    assert_int_equal(rd_kafka_flush(producer, 10000), 0);
    int64_t end2 = (round + 1) * NG / 4;
    poll_until(&a, &b, read_to, &end2);

    /* b's last durable checkpoint was at offset ckpt of its partitions: committed after it; the
     * offsets of a's partitions in that text are not b's to commit */
    eddy_error err;
    eddy_strbuf pos = {0};
    for (int i = 0; i < 4; i++)
        eddy_strbuf_printf(&pos, "%sg4:%d:%d", i ? "," : "", i, ob[i] ? (int)ckpt : 3);
    assert_int_equal(eddy_kafka_source_ops.commit_offsets(b.x.state, pos.s, pos.n, &err), 0);
    eddy_strbuf_free(&pos);
    /* wait until the group has them (the commit is asynchronous, served by b's polls) */
    char msg[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps, msg, sizeof msg), 0);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", group, msg, sizeof msg), 0);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
    assert_non_null(c);
    bool same = false;
    for (int tries = 0; tries < 100 && !same; tries++) {
        member_poll(&b);
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
        for (int k = 0; k < 4; k++)
            rd_kafka_topic_partition_list_add(l, "g4", k);
        if (rd_kafka_committed(c, l, 5000) == 0) {
            same = true;
            for (int k = 0; k < 4; k++)
                same = same && l->elems[k].offset == (ob[k] ? ckpt : RD_KAFKA_OFFSET_INVALID);
        }
        rd_kafka_topic_partition_list_destroy(l);
        if (!same) usleep(50000);
    }
    rd_kafka_destroy(c);
    assert_true(same); /* only b's own partitions were committed */

    /* b goes away (as if killed after that checkpoint) */
    for (int i = 0; i < 4; i++)
        a.first_off[i] = -1;
    src_close(&b.x);

    /* a takes b's partitions over at the committed offsets (beyond anything a may have read
     * of them before b joined): b's rows after its checkpoint are read again (at least once),
     * nothing before it */
    poll_until(&a, NULL, owns_all, &end2);
    for (int i = 0; i < 4; i++) {
        assert_true(eddy_kafka_source_ops.split_owned(a.x.state, i));
        if (ob[i])
            assert_int_equal(a.first_off[i], ckpt);
        else
            assert_int_equal(a.first_off[i], -1); /* a's own: nothing new to read */
    }
    /* a's position names every partition now, at the end */
    assert_int_equal(eddy_kafka_source_ops.position(a.x.state, &pos, &err), 0);
    char want[128];
    snprintf(want, sizeof want, "g4:0:%d,g4:1:%d,g4:2:%d,g4:3:%d", (int)end2, (int)end2, (int)end2,
             (int)end2);
    assert_string_equal(eddy_strbuf_cstr(&pos), want);
    eddy_strbuf_free(&pos);
    src_close(&a.x);
}

/* librdkafka's default, eager protocol (range, roundrobin): every rebalance revokes all */
static void test_group(void **st)
{
    (void)st;
    run_group("grp", "range,roundrobin", 1);
}

/* the cooperative protocol: only moved partitions are revoked (incremental assign) */
static void test_group_cooperative(void **st)
{
    (void)st;
    run_group("grp-coop", "cooperative-sticky", 2);
}

/* Group mode's options: a group id is needed; bounded reads are refused. */
static void test_group_options(void **st)
{
    (void)st;
    src x;
    eddy_error err;
    src_init(&x, 4, m_names, m_types, m_meta, 4, "topic", "g4", "format", "json",
             "scan.partition-assignment", "group", NULL);
    x.kv[2].value = "unbounded";
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "needs option 'properties.group.id'"));
    src_close(&x);

    src_init(&x, 4, m_names, m_types, m_meta, 4, "topic", "g4", "format", "json",
             "scan.partition-assignment", "group", "properties.group.id", "g", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "'scan.bounded.mode' = 'latest-offset' cannot be used"));
    src_close(&x);

    src_init(&x, 4, m_names, m_types, m_meta, 4, "topic", "g4", "format", "json",
             "scan.partition-assignment", "some", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "'all', 'group'"));
    src_close(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_rows_and_metadata), cmocka_unit_test(test_csv_and_raw),
        cmocka_unit_test(test_position_seek),          cmocka_unit_test(test_commit_offsets),
        cmocka_unit_test(test_specific_and_latest),    cmocka_unit_test(test_bad_message),
        cmocka_unit_test(test_option_errors),          cmocka_unit_test(test_topic_list),
        cmocka_unit_test(test_topic_pattern),          cmocka_unit_test(test_position_topics),
        cmocka_unit_test(test_old_position),           cmocka_unit_test(test_lag),
        cmocka_unit_test(test_group_options),          cmocka_unit_test(test_group),
        cmocka_unit_test(test_group_cooperative),      cmocka_unit_test(test_scan_partitions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
