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

static rd_kafka_t *owner;          /* holds the mock cluster */
static rd_kafka_mock_cluster_t *mc;
static rd_kafka_t *producer;
static char bootstraps[256];

static void produce(const char *topic, int part, const char *key, const char *value, int64_t ts)
{
    rd_kafka_resp_err_t e = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(part),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY((void *)key, key ? strlen(key) : 0),
        RD_KAFKA_V_VALUE((void *)value, value ? strlen(value) : 0), RD_KAFKA_V_TIMESTAMP(ts),
        RD_KAFKA_V_END);
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
    for (int i = 0; i < NMSG; i++) assert_int_equal(seen[i], 1);
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
        for (int r = 0; r < x->b->n; r++) lists[x->b->split][n[x->b->split]++] = (int)x->b->cols[0].v.i64[r];
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
    assert_string_equal(eddy_strbuf_cstr(&pos0), "0:0,1:0,2:0");
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
    assert_int_equal(
        eddy_kafka_source_ops.seek(b.state, eddy_strbuf_cstr(&pos), strlen(eddy_strbuf_cstr(&pos)),
                                   &err),
        0);
    int lb[3][NMSG], nb[3] = {0, 0, 0};
    drain(&b, lb, nb);
    for (int p = 0; p < 3; p++) {
        assert_int_equal(na[p], nb[p]);
        for (int i = 0; i < na[p]; i++) assert_int_equal(la[p][i], lb[p][i]);
    }
    eddy_strbuf_free(&pos);
    src_close(&a);
    src_close(&b);

    /* a bad position is refused with what was expected */
    src_init(&b, 6, j_names, j_types, j_meta, 5, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&b, &err), 0);
    assert_int_equal(eddy_kafka_source_ops.seek(b.state, "7:3", 3, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "partition:offset"));
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
        assert_int_equal(sscanf(p, "%d:%lld%n", &part, &off, &used), 2);
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
        for (int k = 0; k < 3; k++) rd_kafka_topic_partition_list_add(l, "j", k);
        if (rd_kafka_committed(c, l, 5000) == 0) {
            same = true;
            for (int k = 0; k < 3; k++) same = same && l->elems[k].offset == want[k];
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
    assert_int_equal(n[0], 2);  /* offsets 8, 9 */
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
    while ((rc = poll_once(&x, &err)) == EDDY_POLL_DATA) {}
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
    assert_int_equal(src_open(&x, &err), EDDY_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "'json', 'csv' or 'raw'"));
    src_close(&x);

    static const char *const meta[] = {NULL, NULL, "headers", NULL, NULL, NULL};
    src_init(&x, 6, j_names, j_types, meta, 64, "topic", "j", "format", "json", NULL);
    assert_int_equal(src_open(&x, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "no metadata 'headers'"));
    src_close(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_rows_and_metadata),
        cmocka_unit_test(test_csv_and_raw),
        cmocka_unit_test(test_position_seek),
        cmocka_unit_test(test_commit_offsets),
        cmocka_unit_test(test_specific_and_latest),
        cmocka_unit_test(test_bad_message),
        cmocka_unit_test(test_option_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
