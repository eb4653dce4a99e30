/*
 * kafka_sink.c: the 'kafka' sink: one Kafka message per row, through librdkafka's producer.
 *
 *   CREATE TABLE out (user_id BIGINT, cnt BIGINT) WITH (
 *     'connector' = 'kafka', 'topic' = 'counts',
 *     'properties.bootstrap.servers' = 'localhost:9092',
 *     'format' = 'json', 'key.format' = 'csv', 'key.fields' = 'user_id');
 *
 * Options (Flink's names):
 *   'topic' (required; one topic), 'properties.bootstrap.servers' (required), any other
 *   'properties.<name>' goes to librdkafka as <name> (a name librdkafka does not know is an
 *   error naming the option);
 *   'format' (or 'value.format') = 'json' | 'csv' | 'raw', with the format's options as
 *   'json.*' / 'csv.*' (or 'value.json.*' / 'value.csv.*');
 *   'key.format' + 'key.fields' ('a;b'): the message key is those columns in that format (options
 *   'key.json.*', 'key.csv.*'); without them the key is NULL. Each needs the other, as in Flink;
 *   'value.fields-include' = 'ALL' (default) | 'EXCEPT_KEY': whether the value repeats the key's
 *   columns;
 *   'sink.partitioner' = 'default' (by the key's murmur2 hash as Java's Kafka producer does, so
 *   that eddy and Java clients send a key to the same partition; NULL keys to a random
 *   partition: librdkafka's 'murmur2_random', which 'properties.partitioner' overrides) |
 *   'fixed' (everything to partition 0: Flink sends sink task i to partition i % n, and eddy has
 *   one task) | 'round-robin' (partition after partition; the count is read from the topic's
 *   metadata at open, so the topic must exist);
 *   'sink.delivery-guarantee' = 'at-least-once' (default): flush() and prepare_commit() return
 *   once every message produced so far is acknowledged, and a message the broker refused fails
 *   the job with the topic, partition and the broker's reason | 'none': nothing waits (errors
 *   seen meanwhile still fail the job) | 'exactly-once': refused, not supported yet;
 *   'sink.parallelism', 'sink.transactional-id-prefix' and the source's 'scan.*' and
 *   'topic-pattern' options are accepted (and ignored here) so that one table can be read and
 *   written as in Flink.
 *
 * Formats: json writes one object per message (format_json.h, no newline); csv one record
 * without a line end (format_csv.h); raw (Flink's 'raw') takes exactly one column: strings as
 * their UTF-8 bytes, BINARY as is, integers, FLOAT and DOUBLE big-endian in the type's width,
 * BOOLEAN as one byte; a NULL cell is a message with a NULL value (a tombstone). Other types
 * are refused with raw.
 *
 * Rows: the 'kafka' sink takes appends only, as Flink's: the planner refuses updating queries
 * before it, open() refuses an input that is a changelog, and an -U or -D row reaching write()
 * anyway is an error; each error points at 'upsert-kafka' (a later step). A PRIMARY KEY does
 * not make the key here: the key comes from 'key.fields' only, as in Flink, whose 'kafka'
 * connector rejects a PRIMARY KEY with the json, csv and raw formats (and eddy_sink_spec does not
 * carry one).
 *
 * Threads: every call comes from the job's thread. librdkafka calls the delivery report
 * callback from rd_kafka_poll()/rd_kafka_flush(), which only this file calls, on that same
 * thread, so the sink's fields need no lock. Messages are copied into librdkafka
 * (RD_KAFKA_MSG_F_COPY): the batch may be reused as soon as write() returns.
 *
 * A broker that cannot be reached: librdkafka retries until 'properties.message.timeout.ms'
 * (300 s by default; Flink's 'delivery.timeout.ms' is 120 s), then the messages fail and so
 * does the job.
 *
 * Close: waits up to 5 s for messages still queued (after a failure there is no point waiting
 * longer), then destroys the producer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <librdkafka/rdkafka.h>

#include "common/arena.h"
#include "connectors/connectors.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/options.h"

enum { FMT_JSON, FMT_CSV, FMT_RAW };
enum { PART_DEFAULT, PART_FIXED, PART_RR };
enum { GUAR_EXACTLY, GUAR_AT_LEAST, GUAR_NONE };

/* How one side of the message (key or value) is written. */
typedef struct kenc {
    int fmt;   /* FMT_*, -1 = none (a NULL key) */
    int *cols; /* the columns it holds */
    int ncols;
    eddy_json_encoder *json;
    eddy_csv_encoder *csv;
} kenc;

typedef struct kafka_sink {
    char *table; /* for messages */
    char *topic;
    rd_kafka_t *rk; /* the producer */
    rd_kafka_topic_t *rkt;
    kenc key, value;
    int partitioner;        /* PART_* */
    int32_t npart;          /* round-robin: partitions of the topic */
    int32_t next;           /* round-robin: the next partition */
    bool wait;              /* at-least-once: flush/prepare_commit wait for acks */
    eddy_strbuf kbuf, vbuf; /* the message being built */
    bool failed;            /* a delivery failed: the job must fail */
    char why[512];          /* the first failure, for the error */
} kafka_sink;

static void kenc_free(kenc *e)
{
    free(e->cols);
    eddy_json_encoder_free(e->json);
    eddy_csv_encoder_free(e->csv);
}

static void sink_free(kafka_sink *k)
{
    if (!k) return;
    if (k->rkt) rd_kafka_topic_destroy(k->rkt);
    if (k->rk) rd_kafka_destroy(k->rk);
    kenc_free(&k->key);
    kenc_free(&k->value);
    eddy_strbuf_free(&k->kbuf);
    eddy_strbuf_free(&k->vbuf);
    free(k->table);
    free(k->topic);
    free(k);
}

/* Delivery report, on the job's thread (from rd_kafka_poll/rd_kafka_flush): keeps the first
 * failure. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    kafka_sink *k = opaque;
    (void)rk;
    if (!m->err || k->failed) return;
    k->failed = true;
    snprintf(k->why, sizeof k->why, "partition %d: %s", (int)m->partition,
             rd_kafka_err2str(m->err));
}

/* librdkafka's error callback: only fatal errors end the producer; the others (a broker going
 * away) are retried by librdkafka and show up as delivery failures if they last. */
static void on_error(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    kafka_sink *k = opaque;
    if (code != RD_KAFKA_RESP_ERR__FATAL || k->failed) return;
    char buf[256];
    rd_kafka_fatal_error(rk, buf, sizeof buf);
    k->failed = true;
    snprintf(k->why, sizeof k->why, "fatal producer error: %s (%s)", buf, reason);
}

static int fail_error(kafka_sink *k, eddy_error *err)
{
    return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                          "kafka: table '%s': writing to topic '%s' failed: %s "
                          "(check that the topic exists and the producer may write to it)",
                          k->table, k->topic, k->why);
}

/* The options of o whose keys start with prefix, with the prefix removed ('key.json.x' ->
 * 'json.x'), into kv (room for o->n entries). */
static int strip_prefix(const eddy_optset *o, const char *prefix, eddy_kv *kv)
{
    size_t pn = strlen(prefix);
    int n = 0;
    for (int i = 0; i < o->n; i++)
        if (o->kv[i].key && strncmp(o->kv[i].key, prefix, pn) == 0) {
            kv[n].key = o->kv[i].key + pn;
            kv[n].value = o->kv[i].value;
            n++;
        }
    return n;
}

/* Finds the columns named in 'a;b' (Flink's key.fields). */
static int parse_fields(const eddy_sink_spec *spec, const char *list, kenc *e, eddy_error *err)
{
    const eddy_schema *s = spec->schema;
    e->cols = eddy_xcalloc((size_t)s->n + 1, sizeof *e->cols);
    const char *p = list;
    while (*p) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        while (n && p[0] == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        int c = -1;
        for (int i = 0; i < s->n; i++)
            if (strlen(s->fields[i].name) == n && strncmp(s->fields[i].name, p, n) == 0) c = i;
        if (c < 0) {
            eddy_strbuf cols = {0};
            for (int i = 0; i < s->n; i++)
                eddy_strbuf_printf(&cols, "%s'%s'", i ? ", " : "", s->fields[i].name);
            eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                           "option 'key.fields' of table '%s' names '%.*s', which is not a column; "
                           "the columns are %s",
                           spec->table, (int)n, p, eddy_strbuf_cstr(&cols));
            eddy_strbuf_free(&cols);
            return err->code;
        }
        for (int i = 0; i < e->ncols; i++)
            if (e->cols[i] == c) c = -1;
        if (c >= 0) e->cols[e->ncols++] = c;
        if (!q) break;
        p = q + 1;
    }
    if (e->ncols == 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'key.fields' of table '%s' is empty: name the key's columns "
                              "separated by ';' ('user_id;item')",
                              spec->table);
    return 0;
}

/* Whether raw can write a column of type t. */
static bool raw_type_ok(const eddy_sqltype *t)
{
    switch (t->kind) {
    case EDDY_TYPE_BOOLEAN:
    case EDDY_TYPE_TINYINT:
    case EDDY_TYPE_SMALLINT:
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_FLOAT:
    case EDDY_TYPE_DOUBLE:
    case EDDY_TYPE_CHAR:
    case EDDY_TYPE_VARCHAR:
    case EDDY_TYPE_BINARY:
    case EDDY_TYPE_VARBINARY:
        return true;
    default:
        return false;
    }
}

/* Builds the encoder of one side. what = "value" or "key" (for messages), prefix = where its
 * format options start ("", "value." or "key."). */
static int kenc_init(const eddy_sink_spec *spec, const eddy_optset *o, kenc *e, const char *what,
                     const char *prefix, eddy_error *err)
{
    const eddy_schema *s = spec->schema;
    eddy_kv *kv = eddy_xcalloc((size_t)o->n + 1, sizeof *kv);
    eddy_optset so = {"kafka", kv, strip_prefix(o, prefix, kv), err};
    int rc = 0;
    if (e->fmt == FMT_JSON) {
        eddy_json_options jo;
        memset(&jo, 0, sizeof jo);
        if ((rc = eddy_json_options_read(&so, &jo)) == 0)
            e->json = eddy_json_encoder_new(s, e->cols, e->ncols, &jo);
    } else if (e->fmt == FMT_CSV) {
        eddy_csv_options co;
        eddy_csv_options_default(&co);
        if ((rc = eddy_csv_options_read(&so, &co)) == 0) {
            e->csv = eddy_csv_encoder_new(s, e->cols, e->ncols, &co);
        }
    } else if (e->fmt == FMT_RAW) {
        if (e->ncols != 1)
            rc = eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                "table '%s': the 'raw' format writes exactly one column as the "
                                "message %s, but there are %d; use 'json' or 'csv'%s",
                                spec->table, what, e->ncols,
                                strcmp(what, "key") == 0
                                    ? ", or name one column in 'key.fields'"
                                    : ", or leave the key's columns out of the value with "
                                      "'value.fields-include' = 'EXCEPT_KEY'");
        else if (!raw_type_ok(s->fields[e->cols[0]].type))
            rc = eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                "table '%s': the 'raw' format cannot write column '%s' of type %s "
                                "yet (strings, binary, integers, FLOAT, DOUBLE and BOOLEAN); use "
                                "'json' or 'csv'",
                                spec->table, s->fields[e->cols[0]].name,
                                eddy_type_kind_name(s->fields[e->cols[0]].type->kind));
    }
    free(kv);
    return rc;
}

/* Appends the raw bytes of cell (c, r): big-endian numbers as Flink's raw format writes them. */
static void raw_put(const eddy_col *col, int r, eddy_strbuf *out)
{
    unsigned char buf[8];
    int width = 0;
    uint64_t bits = 0;
    switch (col->type->kind) {
    case EDDY_TYPE_BOOLEAN:
        buf[0] = col->v.b[r] ? 1 : 0;
        eddy_strbuf_append(out, (char *)buf, 1);
        return;
    case EDDY_TYPE_TINYINT:
        width = 1;
        bits = (uint64_t)col->v.i64[r];
        break;
    case EDDY_TYPE_SMALLINT:
        width = 2;
        bits = (uint64_t)col->v.i64[r];
        break;
    case EDDY_TYPE_INT:
        width = 4;
        bits = (uint64_t)col->v.i64[r];
        break;
    case EDDY_TYPE_BIGINT:
        width = 8;
        bits = (uint64_t)col->v.i64[r];
        break;
    case EDDY_TYPE_FLOAT: {
        float f = (float)col->v.f64[r];
        uint32_t u;
        memcpy(&u, &f, 4);
        width = 4;
        bits = u;
        break;
    }
    case EDDY_TYPE_DOUBLE:
        width = 8;
        memcpy(&bits, &col->v.f64[r], 8);
        break;
    default: /* strings and binary (raw_type_ok allows nothing else) */
        eddy_strbuf_append(out, col->v.str[r].p, col->v.str[r].n);
        return;
    }
    for (int i = 0; i < width; i++)
        buf[i] = (unsigned char)(bits >> (8 * (width - 1 - i)));
    eddy_strbuf_append(out, (char *)buf, (size_t)width);
}

/* Encodes row r into out; returns false for a NULL raw cell (the message part is NULL). */
static bool kenc_row(const kenc *e, const eddy_batch *b, int r, eddy_strbuf *out)
{
    eddy_strbuf_clear(out);
    if (e->json) {
        eddy_json_encode_row(e->json, b, r, NULL, out);
    } else if (e->csv) {
        eddy_csv_encode_row(e->csv, b, r, out);
    } else {
        const eddy_col *col = &b->cols[e->cols[0]];
        if (col->nulls && col->nulls[r]) return false;
        raw_put(col, r, out);
    }
    return true;
}

static int format_of(const eddy_optset *o, const char *key, int *out)
{
    static const char *const formats[] = {"json", "csv", "raw", NULL};
    return eddy_opt_enum(o, key, formats, -1, out);
}

/* Adds to known[] the keys of format fmt with prefix ("key.json.ignore-parse-errors"). */
static void add_format_keys(const char **known, int *nk, char (*pool)[64], int *np, int fmt,
                            const char *prefix)
{
    const char *const *keys = fmt == FMT_JSON  ? eddy_json_option_keys
                              : fmt == FMT_CSV ? eddy_csv_option_keys
                                               : NULL;
    static const char *const raw_keys[] = {"raw.charset", "raw.endianness", NULL};
    if (fmt == FMT_RAW) keys = raw_keys;
    for (int i = 0; keys && keys[i] && *np < 48; i++) {
        snprintf(pool[*np], 64, "%s%s", prefix, keys[i]);
        known[(*nk)++] = pool[(*np)++];
    }
}

/* Creates the producer with the 'properties.*' options. */
static int make_producer(kafka_sink *k, const eddy_optset *o, int partitioner, eddy_error *err)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* Java's partitioning of keyed messages (see the header); the user's properties come after
     * and may override it */
    if (partitioner == PART_DEFAULT &&
        rd_kafka_conf_set(conf, "partitioner", "murmur2_random", errstr, sizeof errstr) !=
            RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0, "kafka: %s", errstr);
    }
    for (int i = 0; i < o->n; i++) {
        const char *key = o->kv[i].key;
        if (!key || strncmp(key, "properties.", 11) != 0) continue;
        const char *value = o->kv[i].value ? o->kv[i].value : "";
        if (rd_kafka_conf_set(conf, key + 11, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option '%s' of table '%s' is not accepted by librdkafka: %s "
                                  "(see librdkafka's CONFIGURATION.md for producer properties)",
                                  key, k->table, errstr);
        }
    }
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!k->rk) {
        rd_kafka_conf_destroy(conf);
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "kafka: table '%s': cannot create the producer: %s", k->table,
                              errstr);
    }
    k->rkt = rd_kafka_topic_new(k->rk, k->topic, NULL);
    if (!k->rkt)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0, "kafka: table '%s': bad topic '%s': %s",
                              k->table, k->topic, rd_kafka_err2str(rd_kafka_last_error()));
    return 0;
}

/* Round-robin needs the partition count: from the topic's metadata. */
static int read_partitions(kafka_sink *k, eddy_error *err)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(k->rk, 0, k->rkt, &md, 10000);
    if (e)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "kafka: table '%s': cannot read the metadata of topic '%s' for "
                              "'sink.partitioner' = 'round-robin': %s (is the broker at "
                              "'properties.bootstrap.servers' up?)",
                              k->table, k->topic, rd_kafka_err2str(e));
    int32_t n = 0;
    rd_kafka_resp_err_t terr = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, k->topic) == 0) {
            n = md->topics[i].partition_cnt;
            terr = md->topics[i].err;
        }
    rd_kafka_metadata_destroy(md);
    if (n <= 0)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "kafka: table '%s': topic '%s' has no partitions to write to "
                              "round-robin: %s; create the topic first",
                              k->table, k->topic, rd_kafka_err2str(terr));
    k->npart = n;
    return 0;
}

static int kafka_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"kafka", spec->options, spec->noptions, err};
    static const char *const partitioners[] = {"default", "fixed", "round-robin", NULL};
    static const char *const guarantees[] = {"exactly-once", "at-least-once", "none", NULL};
    static const char *const includes[] = {"ALL", "EXCEPT_KEY", NULL};
    int vfmt, vfmt2, kfmt, part, guar, include;
    if (format_of(&o, "format", &vfmt) || format_of(&o, "value.format", &vfmt2) ||
        format_of(&o, "key.format", &kfmt) ||
        eddy_opt_enum(&o, "sink.partitioner", partitioners, PART_DEFAULT, &part) ||
        eddy_opt_enum(&o, "sink.delivery-guarantee", guarantees, GUAR_AT_LEAST, &guar) ||
        eddy_opt_enum(&o, "value.fields-include", includes, 0, &include))
        return err->code;
    const char *vprefix = "";
    if (vfmt < 0 && vfmt2 >= 0) {
        vfmt = vfmt2;
        vprefix = "value.";
    } else if (vfmt >= 0 && vfmt2 >= 0) {
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s' sets both 'format' and 'value.format': keep one",
                              spec->table);
    }
    if (vfmt < 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'format' is required for connector 'kafka' (table '%s'): "
                              "'json', 'csv' or 'raw'",
                              spec->table);

    const char *known[96];
    char pool[48][64];
    int nk = 0, np = 0;
    static const char *const own[] = {"topic",
                                      "topic-pattern",
                                      "properties.*",
                                      "format",
                                      "value.format",
                                      "key.format",
                                      "key.fields",
                                      "key.fields-prefix",
                                      "value.fields-include",
                                      "sink.partitioner",
                                      "sink.delivery-guarantee",
                                      "sink.semantic",
                                      "sink.parallelism",
                                      "sink.transactional-id-prefix",
                                      "scan.*",
                                      NULL};
    for (int i = 0; own[i]; i++)
        known[nk++] = own[i];
    add_format_keys(known, &nk, pool, &np, vfmt, vprefix);
    if (kfmt >= 0) add_format_keys(known, &nk, pool, &np, kfmt, "key.");
    known[nk] = NULL;
    if (eddy_opt_check_known(&o, known)) return err->code;

    const char *topic, *servers;
    if (eddy_opt_require(&o, "topic", &topic) ||
        eddy_opt_require(&o, "properties.bootstrap.servers", &servers))
        return err->code;
    if (strchr(topic, ';') || !*topic)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'topic' of table '%s' must name one topic to write to, not "
                              "'%s'",
                              spec->table, topic);
    if (guar == GUAR_EXACTLY)
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "'sink.delivery-guarantee' = 'exactly-once' (Kafka transactions) is "
                              "not supported yet by connector 'kafka' (table '%s'); use "
                              "'at-least-once' (the default) or 'none'",
                              spec->table);
    /* 'sink.semantic': the older name of the option (Flink 1.14 and before) */
    const char *sem = eddy_opt_str(&o, "sink.semantic", NULL);
    if (sem && !eddy_opt_has(&o, "sink.delivery-guarantee")) {
        if (strcasecmp(sem, "exactly-once") == 0 || strcasecmp(sem, "exactly_once") == 0)
            return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                  "'sink.semantic' = '%s' (Kafka transactions) is not supported "
                                  "yet by connector 'kafka' (table '%s'); use 'at-least-once'",
                                  sem, spec->table);
        if (strcasecmp(sem, "none") == 0)
            guar = GUAR_NONE;
        else if (strcasecmp(sem, "at-least-once") != 0 && strcasecmp(sem, "at_least_once") != 0)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option 'sink.semantic' of table '%s' must be one of "
                                  "'exactly-once', 'at-least-once', 'none'",
                                  spec->table);
    }
    const char *kfields = eddy_opt_str(&o, "key.fields", NULL);
    if (kfmt >= 0 && !kfields)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s': a key format 'key.format' requires the declaration of "
                              "one or more of key fields using 'key.fields' ('a;b')",
                              spec->table);
    if (kfmt < 0 && kfields)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s': 'key.fields' needs 'key.format' ('json', 'csv' or "
                              "'raw') to say how the key is written",
                              spec->table);
    if (eddy_opt_has(&o, "key.fields-prefix"))
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "option 'key.fields-prefix' of table '%s' is not supported yet by "
                              "connector 'kafka'",
                              spec->table);
    if (spec->changelog)
        return eddy_error_set(err, EDDY_EPLAN, 0, 0,
                              "table '%s': connector 'kafka' writes appends only, and its input "
                              "has updates and deletes; use connector 'upsert-kafka' (with a "
                              "PRIMARY KEY) for an updating query",
                              spec->table);

    kafka_sink *k = eddy_xcalloc(1, sizeof *k);
    k->table = eddy_xstrdup(spec->table ? spec->table : "?");
    k->topic = eddy_xstrdup(topic);
    k->partitioner = part;
    k->wait = guar == GUAR_AT_LEAST;
    k->key.fmt = kfmt;
    k->value.fmt = vfmt;
    int rc = 0;
    if (kfmt >= 0 && (rc = parse_fields(spec, kfields, &k->key, err)) == 0)
        rc = kenc_init(spec, &o, &k->key, "key", "key.", err);
    if (rc == 0) {
        const eddy_schema *s = spec->schema;
        k->value.cols = eddy_xcalloc((size_t)s->n + 1, sizeof *k->value.cols);
        for (int c = 0; c < s->n; c++) {
            bool in_key = false;
            for (int i = 0; i < k->key.ncols; i++)
                in_key |= k->key.cols[i] == c;
            if (include == 0 || !in_key) k->value.cols[k->value.ncols++] = c;
        }
        if (k->value.ncols == 0)
            rc = eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                "table '%s': with 'value.fields-include' = 'EXCEPT_KEY' no column "
                                "is left for the message value",
                                spec->table);
    }
    if (rc == 0) rc = kenc_init(spec, &o, &k->value, "value", vprefix, err);
    if (rc == 0) rc = make_producer(k, &o, part, err);
    if (rc == 0 && part == PART_RR) rc = read_partitions(k, err);
    if (rc) {
        sink_free(k);
        return rc;
    }
    *state = k;
    return 0;
}

static int kafka_write(void *state, const eddy_batch *b, eddy_error *err)
{
    kafka_sink *k = state;
    if (k->failed) return fail_error(k, err);
    for (int r = 0; r < b->n; r++) {
        int kind = b->kinds ? b->kinds[r] & 3 : EDDY_ROW_INSERT;
        if (kind == EDDY_ROW_UPDATE_BEFORE || kind == EDDY_ROW_DELETE)
            return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                  "table '%s': connector 'kafka' writes appends only and got a "
                                  "%s row; use connector 'upsert-kafka' for an updating query",
                                  k->table,
                                  kind == EDDY_ROW_DELETE ? "delete (-D)" : "retraction (-U)");
        bool has_key = k->key.fmt >= 0 && kenc_row(&k->key, b, r, &k->kbuf);
        bool has_value = kenc_row(&k->value, b, r, &k->vbuf);
        int32_t partition = RD_KAFKA_PARTITION_UA;
        if (k->partitioner == PART_FIXED) partition = 0;
        if (k->partitioner == PART_RR) {
            partition = k->next;
            k->next = (k->next + 1) % k->npart;
        }
        for (;;) {
            rd_kafka_resp_err_t e = rd_kafka_producev(
                k->rk, RD_KAFKA_V_RKT(k->rkt), RD_KAFKA_V_PARTITION(partition),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_VALUE(has_value ? (void *)k->vbuf.s : NULL, has_value ? k->vbuf.n : 0),
                RD_KAFKA_V_KEY(has_key ? (const void *)k->kbuf.s : NULL, has_key ? k->kbuf.n : 0),
                RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                      "kafka: table '%s': cannot send a message to topic '%s': %s",
                                      k->table, k->topic, rd_kafka_err2str(e));
            /* librdkafka's queue is full ('properties.queue.buffering.max.messages'): wait for
             * acknowledgements to make room */
            rd_kafka_poll(k->rk, 100);
            if (k->failed) return fail_error(k, err);
        }
    }
    rd_kafka_poll(k->rk, 0);
    return k->failed ? fail_error(k, err) : 0;
}

/* at-least-once: returns once every message so far is acknowledged (librdkafka fails a message
 * after 'properties.message.timeout.ms', so this ends); 'none': reports what failed so far. */
static int kafka_flush(void *state, eddy_error *err)
{
    kafka_sink *k = state;
    if (!k->wait) {
        rd_kafka_poll(k->rk, 0);
    } else {
        while (rd_kafka_flush(k->rk, 1000) == RD_KAFKA_RESP_ERR__TIMED_OUT && !k->failed) {
        }
    }
    return k->failed ? fail_error(k, err) : 0;
}

/* Nothing to store in the marker: at-least-once only needs what was sent to be acknowledged
 * before the checkpoint (its source positions) is stored. */
static int kafka_prepare_commit(void *state, uint64_t checkpoint, eddy_strbuf *marker,
                                eddy_error *err)
{
    (void)checkpoint;
    (void)marker;
    return kafka_flush(state, err);
}

static int kafka_commit(void *state, uint64_t checkpoint, eddy_error *err)
{
    (void)state;
    (void)checkpoint;
    (void)err;
    return 0;
}

static int kafka_recover(void *state, const char *marker, size_t len, eddy_error *err)
{
    (void)state;
    (void)marker;
    (void)len;
    (void)err;
    return 0;
}

static void kafka_close(void *state)
{
    kafka_sink *k = state;
    if (!k) return;
    if (k->rk) rd_kafka_flush(k->rk, 5000);
    sink_free(k);
}

/* The sink's operations; the registry pairs them with the kafka source's (connectors.h). */
extern const eddy_sink_ops eddy_kafka_sink_ops;
const eddy_sink_ops eddy_kafka_sink_ops = {
    .name = "kafka",
    .open = kafka_open,
    .write = kafka_write,
    .flush = kafka_flush,
    .prepare_commit = kafka_prepare_commit,
    .commit = kafka_commit,
    .recover = kafka_recover,
    .writer_commit = NULL,
    .close = kafka_close,
};

/* 'upsert-kafka' (placeholder until it is written: opening one is refused). */
static int uk_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    (void)state;
    return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                          "table '%s': writing connector 'upsert-kafka' is not supported yet",
                          spec->table ? spec->table : "?");
}

const eddy_sink_ops eddy_upsert_kafka_sink_ops = {
    .name = "upsert-kafka",
    .open = uk_open,
};
