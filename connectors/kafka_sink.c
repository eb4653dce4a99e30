/*
 * kafka_sink.c: the 'kafka' and 'upsert-kafka' sinks: one Kafka message per row, through
 * librdkafka's producer.
 *
 *   CREATE TABLE out (user_id BIGINT, cnt BIGINT) WITH (
 *     'connector' = 'kafka', 'topic' = 'counts',
 *     'properties.bootstrap.servers' = 'localhost:9092',
 *     'format' = 'json', 'key.format' = 'csv', 'key.fields' = 'user_id');
 *
 * Options of 'kafka' (Flink's names):
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
 *   seen meanwhile still fail the job) | 'exactly-once': Kafka transactions (below), with
 *   'sink.transactional-id-prefix' (required then);
 *   'sink.parallelism' and the source's 'scan.*' and 'topic-pattern' options are accepted (and
 *   ignored here) so that one table can be read and written as in Flink.
 *
 * 'upsert-kafka' (Flink's options: 'topic', 'properties.*', 'key.format', 'value.format' with
 * 'key.json.*' / 'value.json.*' ..., 'value.fields-include', 'sink.buffer-flush.max-rows' and
 * 'sink.buffer-flush.interval' (accepted; eddy sends every row, it does not fold a key's rows in
 * a buffer), 'sink.delivery-guarantee', 'sink.transactional-id-prefix', 'sink.parallelism'):
 * writes a changelog by key: +I and +U rows are messages (key, value), a -D row is a tombstone
 * (key, NULL value), a -U row is skipped (the +U after it replaces the key's value). The key is
 * the table's PRIMARY KEY (spec->primary_key), as in Flink; a table without one is refused
 * ('key.fields' naming the key columns is accepted instead, for tables declared without a
 * key, and must equal the PRIMARY KEY where both are given). Messages
 * go to the partition of their key's murmur2 hash, so a key's messages stay in order.
 *
 * Metadata columns (spec->metadata, persisted METADATA columns; never part of key or value):
 *   'headers': a STRING column holding a JSON object {"name": "value", ...} (the representation
 *   the source reads them into: eddy has no MAP type at runtime yet); each member becomes a
 *   header in the object's order, a null member a header with a NULL value; a NULL cell or '{}'
 *   gives no headers; a cell that is not a flat object of strings and nulls fails the row with
 *   an error naming the table, the column and the byte. The object is scanned here by hand (a
 *   few dozen lines) rather than through jansson so that a row costs no tree of allocations;
 *   'timestamp': a TIMESTAMP_LTZ(3) or TIMESTAMP(3) column (milliseconds since the epoch, a
 *   TIMESTAMP read as UTC as the source writes it) is the message's timestamp; NULL leaves it to
 *   the producer (the time of sending).
 *
 * Formats: json writes one object per message (format_json.h, no newline); csv one record
 * without a line end (format_csv.h); raw (Flink's 'raw') takes exactly one column: strings as
 * their UTF-8 bytes, BINARY as is, integers, FLOAT and DOUBLE big-endian in the type's width,
 * BOOLEAN as one byte; a NULL cell is a message with a NULL value (a tombstone). Other types
 * are refused with raw.
 *
 * Rows: the 'kafka' sink takes appends only, as Flink's: the planner refuses updating queries
 * before it, open() refuses an input that is a changelog, and an -U or -D row reaching write()
 * anyway is an error; each error points at 'upsert-kafka'. The key of 'kafka' is 'key.fields'
 * in 'key.format'; with 'key.format' and no 'key.fields' it is the PRIMARY KEY's columns
 * (eddy's choice: Flink's 'kafka' connector rejects a PRIMARY KEY with these formats).
 *
 * Exactly-once ('sink.delivery-guarantee' = 'exactly-once', only with checkpointing): a Kafka
 * transaction per checkpoint. Checkpoints are asynchronous (runtime/checkpoint.c: at most one
 * in flight), so rows of checkpoint N+1 arrive while N is being made durable; the sink
 * therefore keeps two transactional producers, '<prefix>-<sink index>-0' and '-1', used in
 * turn:
 *   prepare_commit(N): flushes the current producer (every message acknowledged, the
 *     transaction still open), writes "txn <transactional.id> <N>" into the marker, and
 *     switches to the other producer, which begins a transaction at once;
 *   commit(N): commits the transactions prepared for checkpoints <= N, oldest first (a
 *     checkpoint abandoned at the end of a job is covered by the next one), and begins one on
 *     the current producer when it had none;
 *   recover(marker): init_transactions on both ids, which fences any earlier process that used
 *     them and aborts whatever it left open, then begins on producer 0. The marker is not
 *     needed: librdkafka has no API to resume or commit a transaction of another process, so a
 *     checkpoint that completed but whose commit() did not happen before a crash has its output
 *     aborted (a known limit, in docs/connectors/kafka.md). A write before recover() (a job
 *     without it) initializes the same way.
 * 'transaction.timeout.ms' defaults to 900000 (15 minutes, a broker's default
 * 'transaction.max.timeout.ms') so that a transaction outlives a checkpoint interval, and
 * 'message.timeout.ms' stays 300000; 'properties.*' override both.
 *
 * Threads: every call comes from the job's thread. librdkafka calls the delivery report
 * callback from rd_kafka_poll()/rd_kafka_flush() (and the transactional calls), which only this
 * file calls, on that same thread, so the sink's fields need no lock. Messages are copied into
 * librdkafka (RD_KAFKA_MSG_F_COPY): the batch may be reused as soon as write() returns.
 *
 * A broker that cannot be reached: librdkafka retries until 'properties.message.timeout.ms'
 * (300 s by default; Flink's 'delivery.timeout.ms' is 120 s), then the messages fail and so
 * does the job.
 *
 * Close: waits up to 5 s for messages still queued (after a failure there is no point waiting
 * longer), aborts a transaction still open (its checkpoint never completed, or its commit
 * failed), then destroys the producers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <librdkafka/rdkafka.h>

#include "common/arena.h"
#include "connectors/connectors.h"
#include "connectors/kafka_conf.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/options.h"

enum { FMT_JSON, FMT_CSV, FMT_RAW };
enum { PART_DEFAULT, PART_FIXED, PART_RR };
enum { GUAR_EXACTLY, GUAR_AT_LEAST, GUAR_NONE };
enum { META_NONE, META_HEADERS, META_TIMESTAMP };
enum { TX_NONE, TX_OPEN, TX_PREPARED }; /* a transactional producer's state */
enum { TXN_CALL_MS = 30000, TXN_TRIES = 4, CLOSE_MS = 5000 };

/* How one side of the message (key or value) is written. */
typedef struct kenc {
    int fmt;   /* FMT_*, -1 = none (a NULL key) */
    int *cols; /* the columns it holds */
    int ncols;
    eddy_json_encoder *json;
    eddy_csv_encoder *csv;
} kenc;

/* One producer (exactly-once: one of the two transactional ones). */
typedef struct kprod {
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    char *txid;    /* transactional.id, or NULL */
    int tx;        /* TX_* */
    uint64_t ckpt; /* TX_PREPARED: the checkpoint whose rows the transaction holds */
} kprod;

typedef struct kafka_sink {
    const char *conn; /* "kafka" or "upsert-kafka", for messages */
    char *table;      /* for messages */
    char *topic;
    bool upsert;   /* 'upsert-kafka': -U skipped, -D a tombstone */
    kprod prod[2]; /* prod[0] only, unless exactly-once */
    int nprod;
    int cur;    /* the producer written to */
    bool eos;   /* exactly-once */
    bool ready; /* exactly-once: transactions initialized */
    kenc key, value;
    int hcol, tcol;         /* the 'headers' and 'timestamp' metadata columns, or -1 */
    char *hname, *tname;    /* the headers and timestamp columns' names, for messages */
    char *kname;            /* the first key column's name, for messages */
    int partitioner;        /* PART_* */
    int32_t npart;          /* round-robin: partitions of the topic */
    int32_t next;           /* round-robin: the next partition */
    bool wait;              /* at-least-once: flush/prepare_commit wait for acks */
    eddy_strbuf kbuf, vbuf; /* the message being built */
    bool brokers_down;      /* every broker is unreachable (reported once, until one returns) */
    bool failed;            /* a delivery failed: the job must fail */
    char why[512];          /* the first failure, for the error */
} kafka_sink;

static void kenc_free(kenc *e)
{
    free(e->cols);
    eddy_json_encoder_free(e->json);
    eddy_csv_encoder_free(e->csv);
}

static void prod_free(kprod *p)
{
    if (p->rkt) rd_kafka_topic_destroy(p->rkt);
    if (p->rk) rd_kafka_destroy(p->rk);
    free(p->txid);
    memset(p, 0, sizeof *p);
}

static void sink_free(kafka_sink *k)
{
    if (!k) return;
    for (int i = 0; i < 2; i++)
        prod_free(&k->prod[i]);
    kenc_free(&k->key);
    kenc_free(&k->value);
    eddy_strbuf_free(&k->kbuf);
    eddy_strbuf_free(&k->vbuf);
    free(k->table);
    free(k->topic);
    free(k->hname);
    free(k->tname);
    free(k->kname);
    free(k);
}

/* Delivery report, on the job's thread (from rd_kafka_poll/rd_kafka_flush): keeps the first
 * failure. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    kafka_sink *k = opaque;
    (void)rk;
    if (!m->err && k->brokers_down) {
        k->brokers_down = false;
        fprintf(stderr, "eddy: table '%s': the Kafka brokers are reachable again; writing goes on\n",
                k->table);
    }
    if (!m->err || k->failed) return;
    k->failed = true;
    snprintf(k->why, sizeof k->why, "partition %d: %s", (int)m->partition,
             rd_kafka_err2str(m->err));
}

/* librdkafka's error callback: only fatal errors end the producer (a transactional producer
 * fenced by another process with its transactional.id, ...); the others (a broker going away)
 * are retried by librdkafka and show up as delivery failures if they last. When every broker
 * is unreachable that is said once on stderr, and again when a delivery succeeds. */
static void on_error(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    kafka_sink *k = opaque;
    if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && !k->brokers_down) {
        k->brokers_down = true;
        fprintf(stderr,
                "eddy: table '%s': all Kafka brokers are unreachable (%s); waiting for them, "
                "rows are held until then\n",
                k->table, reason);
        return;
    }
    if (code != RD_KAFKA_RESP_ERR__FATAL || k->failed) return;
    char buf[256];
    rd_kafka_fatal_error(rk, buf, sizeof buf);
    k->failed = true;
    snprintf(k->why, sizeof k->why, "fatal producer error: %s (%s)", buf, reason);
}

static int fail_error(kafka_sink *k, eddy_error *err)
{
    return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                          "%s: table '%s': writing to topic '%s' failed: %s "
                          "(check that the topic exists and the producer may write to it)",
                          k->conn, k->table, k->topic, k->why);
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
        if (spec->metadata && spec->metadata[c]) {
            eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                           "option 'key.fields' of table '%s' names '%s', a METADATA column "
                           "(metadata '%s'); the key holds physical columns only",
                           spec->table, s->fields[c].name, spec->metadata[c]);
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

/* Whether the user set librdkafka property name through 'properties.<name>'. */
static bool has_property(const eddy_optset *o, const char *name)
{
    for (int i = 0; i < o->n; i++)
        if (o->kv[i].key && strncmp(o->kv[i].key, "properties.", 11) == 0 &&
            strcmp(o->kv[i].key + 11, name) == 0)
            return true;
    return false;
}

/* Creates producer p with the 'properties.*' options; txid: its transactional.id, or NULL. */
static int make_producer(kafka_sink *k, const eddy_optset *o, int partitioner, const char *txid,
                         kprod *p, eddy_error *err)
{
    char errstr[512];
    /* eddy's defaults first; the user's properties come after and may override them:
     * Java's partitioning of keyed messages (see the header), and for transactions a timeout
     * longer than a checkpoint interval */
    const char *defaults[5][2] = {{NULL, NULL}};
    int nd = 0;
    if (partitioner == PART_DEFAULT)
        defaults[nd][0] = "partitioner", defaults[nd++][1] = "murmur2_random";
    if (txid) {
        defaults[nd][0] = "transactional.id", defaults[nd++][1] = txid;
        if (!has_property(o, "transaction.timeout.ms")) {
            defaults[nd][0] = "transaction.timeout.ms", defaults[nd++][1] = "900000";
            if (!has_property(o, "message.timeout.ms") && !has_property(o, "delivery.timeout.ms"))
                defaults[nd][0] = "message.timeout.ms", defaults[nd++][1] = "300000";
        }
        if (has_property(o, "transactional.id"))
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "table '%s': option 'properties.transactional.id' cannot be set "
                                  "with 'sink.delivery-guarantee' = 'exactly-once': eddy names its "
                                  "producers from 'sink.transactional-id-prefix'",
                                  k->table);
    }
    defaults[nd][0] = defaults[nd][1] = NULL;
    rd_kafka_conf_t *conf = eddy_kafka_conf_new(o->kv, o->n, "properties.",
                                                (const char *const(*)[2])defaults, k->table, err);
    if (!conf) return err->code;
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!p->rk) {
        rd_kafka_conf_destroy(conf);
        return eddy_error_set(
            err, EDDY_ECONNECTOR, 0, 0, "%s: table '%s': cannot create the producer%s%s: %s",
            k->conn, k->table, txid ? " with transactional.id " : "", txid ? txid : "", errstr);
    }
    if (txid) p->txid = eddy_xstrdup(txid);
    p->rkt = rd_kafka_topic_new(p->rk, k->topic, NULL);
    if (!p->rkt)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0, "%s: table '%s': bad topic '%s': %s",
                              k->conn, k->table, k->topic, rd_kafka_err2str(rd_kafka_last_error()));
    return 0;
}

/* Round-robin needs the partition count: from the topic's metadata. */
static int read_partitions(kafka_sink *k, eddy_error *err)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(k->prod[0].rk, 0, k->prod[0].rkt, &md, 10000);
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

/* Sorts the metadata columns of spec (k->hcol, k->tcol) and checks their types. */
static int read_metadata(kafka_sink *k, const eddy_sink_spec *spec, eddy_error *err)
{
    k->hcol = k->tcol = -1;
    for (int c = 0; spec->metadata && c < spec->schema->n; c++) {
        const char *m = spec->metadata[c];
        if (!m) continue;
        const eddy_field *f = &spec->schema->fields[c];
        const eddy_sqltype *t = f->type;
        int *slot = strcmp(m, "headers") == 0     ? &k->hcol
                    : strcmp(m, "timestamp") == 0 ? &k->tcol
                                                  : NULL;
        if (!slot)
            return eddy_error_set(err, EDDY_EBIND, 0, 0,
                                  "table '%s': connector '%s' cannot write metadata '%s' (column "
                                  "'%s'); it writes 'headers' and 'timestamp'",
                                  k->table, k->conn, m, f->name);
        if (*slot >= 0)
            return eddy_error_set(err, EDDY_EBIND, 0, 0,
                                  "table '%s': columns '%s' and '%s' both write metadata '%s'; "
                                  "keep one",
                                  k->table, spec->schema->fields[*slot].name, f->name, m);
        if (slot == &k->hcol && t->kind != EDDY_TYPE_VARCHAR && t->kind != EDDY_TYPE_CHAR)
            return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                  "table '%s': column '%s' (metadata 'headers') is %s; eddy has "
                                  "no MAP type at runtime yet: declare it STRING, holding a JSON "
                                  "object {\"name\":\"value\",...}",
                                  k->table, f->name, eddy_type_kind_name(t->kind));
        if (slot == &k->tcol &&
            ((t->kind != EDDY_TYPE_TIMESTAMP_LTZ && t->kind != EDDY_TYPE_TIMESTAMP) ||
             t->precision > 3))
            return eddy_error_set(err, EDDY_EBIND, 0, 0,
                                  "table '%s': column '%s' (metadata 'timestamp') must be "
                                  "TIMESTAMP_LTZ(3) (or TIMESTAMP(3)), not %s",
                                  k->table, f->name, eddy_type_kind_name(t->kind));
        *slot = c;
    }
    if (k->hcol >= 0) k->hname = eddy_xstrdup(spec->schema->fields[k->hcol].name);
    if (k->tcol >= 0) k->tname = eddy_xstrdup(spec->schema->fields[k->tcol].name);
    return 0;
}

/* Reads the delivery guarantee: 'sink.delivery-guarantee', else Flink's older 'sink.semantic'. */
static int read_guarantee(const eddy_optset *o, const char *table, int *guar, eddy_error *err)
{
    static const char *const guarantees[] = {"exactly-once", "at-least-once", "none", NULL};
    if (eddy_opt_enum(o, "sink.delivery-guarantee", guarantees, GUAR_AT_LEAST, guar))
        return err->code;
    const char *sem = eddy_opt_str(o, "sink.semantic", NULL);
    if (!sem || eddy_opt_has(o, "sink.delivery-guarantee")) return 0;
    if (strcasecmp(sem, "exactly-once") == 0 || strcasecmp(sem, "exactly_once") == 0)
        *guar = GUAR_EXACTLY;
    else if (strcasecmp(sem, "none") == 0)
        *guar = GUAR_NONE;
    else if (strcasecmp(sem, "at-least-once") != 0 && strcasecmp(sem, "at_least_once") != 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'sink.semantic' of table '%s' must be one of "
                              "'exactly-once', 'at-least-once', 'none'",
                              table);
    return 0;
}

/* open() of both connectors; upsert: 'upsert-kafka'. */
static int sink_open(const eddy_sink_spec *spec, bool upsert, void **state, eddy_error *err)
{
    const char *conn = upsert ? "upsert-kafka" : "kafka";
    const char *table = spec->table ? spec->table : "?";
    eddy_optset o = {conn, spec->options, spec->noptions, err};
    static const char *const partitioners[] = {"default", "fixed", "round-robin", NULL};
    static const char *const includes[] = {"ALL", "EXCEPT_KEY", NULL};
    int vfmt = -1, vfmt2, kfmt, part = PART_DEFAULT, guar, include;
    if ((!upsert && format_of(&o, "format", &vfmt)) || format_of(&o, "value.format", &vfmt2) ||
        format_of(&o, "key.format", &kfmt) ||
        (!upsert && eddy_opt_enum(&o, "sink.partitioner", partitioners, PART_DEFAULT, &part)) ||
        read_guarantee(&o, table, &guar, err) ||
        eddy_opt_enum(&o, "value.fields-include", includes, 0, &include))
        return err->code;
    if (upsert && eddy_opt_has(&o, "format"))
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "connector 'upsert-kafka' (table '%s') takes 'key.format' and "
                              "'value.format', not 'format'",
                              table);
    const char *vprefix = "";
    if (vfmt < 0 && vfmt2 >= 0) {
        vfmt = vfmt2;
        vprefix = "value.";
    } else if (vfmt >= 0 && vfmt2 >= 0) {
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s' sets both 'format' and 'value.format': keep one", table);
    }
    if (vfmt < 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              upsert ? "option 'value.format' is required for connector "
                                       "'upsert-kafka' (table '%s'): 'json', 'csv' or 'raw'"
                                     : "option 'format' is required for connector 'kafka' "
                                       "(table '%s'): 'json', 'csv' or 'raw'",
                              table);

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
    static const char *const own_upsert[] = {"topic",
                                             "properties.*",
                                             "value.format",
                                             "key.format",
                                             "key.fields",
                                             "key.fields-prefix",
                                             "value.fields-include",
                                             "sink.delivery-guarantee",
                                             "sink.parallelism",
                                             "sink.transactional-id-prefix",
                                             "sink.buffer-flush.max-rows",
                                             "sink.buffer-flush.interval",
                                             "scan.*",
                                             NULL};
    const char *const *mine = upsert ? own_upsert : own;
    for (int i = 0; mine[i]; i++)
        known[nk++] = mine[i];
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
                              table, topic);
    const char *prefix = eddy_opt_str(&o, "sink.transactional-id-prefix", NULL);
    if (guar == GUAR_EXACTLY && (!prefix || !*prefix))
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s': 'sink.delivery-guarantee' = 'exactly-once' needs "
                              "'sink.transactional-id-prefix' (a prefix for the Kafka "
                              "transactional ids, unique to this job among everything that writes "
                              "to the cluster)",
                              table);
    if (guar == GUAR_EXACTLY && !spec->checkpointing)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s': 'sink.delivery-guarantee' = 'exactly-once' commits a "
                              "Kafka transaction per checkpoint, and this job has no checkpoints; "
                              "run it with checkpoints (without 'eddy run --no-checkpoints') or "
                              "use 'at-least-once'",
                              table);
    if (upsert) {
        int64_t rows, ms;
        if (eddy_opt_int(&o, "sink.buffer-flush.max-rows", 0, 0, INT64_MAX, &rows) ||
            eddy_opt_duration(&o, "sink.buffer-flush.interval", 0, &ms))
            return err->code;
    }
    const char *kfields = eddy_opt_str(&o, "key.fields", NULL);
    /* upsert-kafka: the key is the PRIMARY KEY (Flink); 'key.fields', where given, must name it.
     * kafka: 'key.format' without 'key.fields' writes the PRIMARY KEY as the key */
    eddy_strbuf pkb = {0};
    for (int i = 0; (upsert || kfmt >= 0) && i < spec->nprimary_key; i++)
        eddy_strbuf_printf(&pkb, "%s%s", i ? ";" : "", spec->schema->fields[spec->primary_key[i]].name);
    if (upsert && kfields && pkb.n && strcmp(kfields, eddy_strbuf_cstr(&pkb)) != 0) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': 'key.fields' = '%s' differs from the PRIMARY KEY (%s); "
                       "connector 'upsert-kafka' keys its messages by the PRIMARY KEY: drop "
                       "'key.fields'",
                       table, kfields, eddy_strbuf_cstr(&pkb));
        eddy_strbuf_free(&pkb);
        return err->code;
    }
    char pkfields[1024];
    if (!kfields && pkb.n && pkb.n < sizeof pkfields) {
        memcpy(pkfields, pkb.s, pkb.n + 1);
        kfields = pkfields;
    }
    eddy_strbuf_free(&pkb);
    if (upsert && kfmt < 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'key.format' is required for connector 'upsert-kafka' "
                              "(table '%s'): 'json', 'csv' or 'raw'",
                              table);
    if (upsert && !kfields)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s': 'upsert-kafka' tables require to define a PRIMARY "
                              "KEY constraint: it names the columns written as the message key "
                              "(PRIMARY KEY (id) NOT ENFORCED)",
                              table);
    if (kfmt >= 0 && !kfields)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s': a key format 'key.format' requires the declaration of "
                              "one or more of key fields using 'key.fields' ('a;b'), or a "
                              "PRIMARY KEY",
                              table);
    if (kfmt < 0 && kfields)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s': 'key.fields' needs 'key.format' ('json', 'csv' or "
                              "'raw') to say how the key is written",
                              table);
    if (eddy_opt_has(&o, "key.fields-prefix"))
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "option 'key.fields-prefix' of table '%s' is not supported yet by "
                              "connector '%s'",
                              table, conn);
    if (spec->changelog && !upsert)
        return eddy_error_set(err, EDDY_EPLAN, 0, 0,
                              "table '%s': connector 'kafka' writes appends only, and its input "
                              "has updates and deletes; use connector 'upsert-kafka' (with a "
                              "PRIMARY KEY) for an updating query",
                              table);

    kafka_sink *k = eddy_xcalloc(1, sizeof *k);
    k->conn = conn;
    k->upsert = upsert;
    k->table = eddy_xstrdup(table);
    k->topic = eddy_xstrdup(topic);
    k->partitioner = part;
    k->wait = guar != GUAR_NONE;
    k->eos = guar == GUAR_EXACTLY;
    k->key.fmt = kfmt;
    k->value.fmt = vfmt;
    int rc = read_metadata(k, spec, err);
    if (rc == 0 && kfmt >= 0 && (rc = parse_fields(spec, kfields, &k->key, err)) == 0)
        rc = kenc_init(spec, &o, &k->key, "key", "key.", err);
    if (rc == 0 && k->key.ncols > 0)
        k->kname = eddy_xstrdup(spec->schema->fields[k->key.cols[0]].name);
    if (rc == 0) {
        const eddy_schema *s = spec->schema;
        k->value.cols = eddy_xcalloc((size_t)s->n + 1, sizeof *k->value.cols);
        for (int c = 0; c < s->n; c++) {
            bool in_key = false;
            for (int i = 0; i < k->key.ncols; i++)
                in_key |= k->key.cols[i] == c;
            if (c == k->hcol || c == k->tcol) continue;
            if (include == 0 || !in_key) k->value.cols[k->value.ncols++] = c;
        }
        if (k->value.ncols == 0)
            rc = eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                "table '%s': no column is left for the message value (the key's "
                                "columns are left out with 'value.fields-include' = "
                                "'EXCEPT_KEY', and METADATA columns always are)",
                                table);
    }
    if (rc == 0) rc = kenc_init(spec, &o, &k->value, "value", vprefix, err);
    k->nprod = k->eos ? 2 : 1;
    for (int i = 0; rc == 0 && i < k->nprod; i++) {
        char txid[512];
        if (k->eos) snprintf(txid, sizeof txid, "%s-%d-%d", prefix, spec->index, i);
        rc = make_producer(k, &o, part, k->eos ? txid : NULL, &k->prod[i], err);
    }
    if (rc == 0 && part == PART_RR) rc = read_partitions(k, err);
    if (rc) {
        sink_free(k);
        return rc;
    }
    *state = k;
    return 0;
}

static int kafka_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    return sink_open(spec, false, state, err);
}

static int upsert_open(const eddy_sink_spec *spec, void **state, eddy_error *err)
{
    return sink_open(spec, true, state, err);
}

/* ---------------------------------------------------------------------------------------- */
/* Headers                                                                                  */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* The end of the string literal whose opening quote is at p (the closing quote), or NULL. */
static const char *string_end(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p;
    }
    return NULL;
}

/* Decodes the string literal [q0, q1] (quotes included) into a new NUL-terminated text; NULL
 * for a bad escape. */
static char *string_value(const char *q0, const char *q1, size_t *n)
{
    size_t len = (size_t)(q1 - q0 - 1);
    char *out = eddy_xmalloc(len + 1);
    long got = eddy_json_unescape(q0 + 1, len, out);
    if (got < 0) {
        free(out);
        return NULL;
    }
    out[got] = 0;
    *n = (size_t)got;
    return out;
}

/* Parses a headers cell s[0..n) (a JSON object of strings and nulls) into *out (NULL when it
 * has no member). Returns NULL, or what is wrong with the byte offset in *at. */
static const char *headers_parse(const char *s, size_t n, rd_kafka_headers_t **out, size_t *at)
{
    const char *p = s, *end = s + n, *why = NULL;
    rd_kafka_headers_t *h = NULL;
    *out = NULL;
    p = skip_ws(p, end);
    if (p == end || *p != '{') {
        why = "expected '{' (a JSON object {\"name\":\"value\",...})";
        goto bad;
    }
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        p = skip_ws(p + 1, end);
        if (p != end) why = "unexpected text after the object";
        goto done;
    }
    for (;;) {
        const char *q;
        if (p == end || *p != '"' || !(q = string_end(p, end))) {
            why = "expected a header name (a JSON string)";
            goto bad;
        }
        size_t nname, nvalue = 0;
        char *name = string_value(p, q, &nname), *value = NULL;
        if (!name) {
            why = "bad escape in a header name";
            goto bad;
        }
        p = skip_ws(q + 1, end);
        if (p == end || *p != ':') {
            free(name);
            why = "expected ':' after a header name";
            goto bad;
        }
        p = skip_ws(p + 1, end);
        bool is_null = false;
        if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
            is_null = true;
            p += 4;
        } else if (p < end && *p == '"' && (q = string_end(p, end))) {
            if (!(value = string_value(p, q, &nvalue))) {
                free(name);
                why = "bad escape in a header value";
                goto bad;
            }
            p = q + 1;
        } else {
            free(name);
            why = "a header's value must be a JSON string or null";
            goto bad;
        }
        if (!h) h = rd_kafka_headers_new(4);
        rd_kafka_header_add(h, name, (ssize_t)nname, is_null ? NULL : value,
                            is_null ? 0 : (ssize_t)nvalue);
        free(name);
        free(value);
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') {
            p = skip_ws(p + 1, end);
            if (p != end) why = "unexpected text after the object";
            goto done;
        }
        why = "expected ',' or '}' after a header";
        goto bad;
    }
done:
    if (why) goto bad;
    *out = h;
    return NULL;
bad:
    if (h) rd_kafka_headers_destroy(h);
    *at = (size_t)(p - s);
    return why;
}

/* ---------------------------------------------------------------------------------------- */
/* Transactions (exactly-once)                                                              */

/* Sets err from a failed transactional call on p (consumes e). */
static int txn_fail(kafka_sink *k, const kprod *p, const char *what, uint64_t ckpt,
                    rd_kafka_error_t *e, eddy_error *err)
{
    char cp[48] = "";
    if (ckpt) snprintf(cp, sizeof cp, " for checkpoint %llu", (unsigned long long)ckpt);
    int rc = eddy_error_set(
        err, EDDY_ECONNECTOR, 0, 0,
        "%s: table '%s': %s%s (transactional.id '%s', topic '%s') failed: %s%s", k->conn, k->table,
        what, cp, p->txid, k->topic, rd_kafka_error_string(e),
        rd_kafka_error_is_fatal(e)
            ? " (fatal for this producer; when it was fenced, another process uses the same "
              "'sink.transactional-id-prefix', which must be unique to this job)"
            : "");
    rd_kafka_error_destroy(e);
    return rc;
}

/* Calls f (init, commit or abort) on rk, again while librdkafka says the error is retriable. */
static rd_kafka_error_t *txn_call(rd_kafka_error_t *(*f)(rd_kafka_t *, int), rd_kafka_t *rk)
{
    rd_kafka_error_t *e = NULL;
    for (int i = 0; i < TXN_TRIES; i++) {
        if (e) rd_kafka_error_destroy(e);
        e = f(rk, TXN_CALL_MS);
        if (!e || !rd_kafka_error_is_retriable(e)) break;
    }
    return e;
}

static int txn_begin(kafka_sink *k, kprod *p, eddy_error *err)
{
    rd_kafka_error_t *e = rd_kafka_begin_transaction(p->rk);
    if (e) return txn_fail(k, p, "beginning a transaction", 0, e, err);
    p->tx = TX_OPEN;
    return 0;
}

/* init_transactions on every producer (fencing an earlier process with the same ids and
 * aborting what it left open), then a transaction on producer 0. */
static int txn_ready(kafka_sink *k, eddy_error *err)
{
    if (k->ready) return 0;
    for (int i = 0; i < k->nprod; i++) {
        rd_kafka_error_t *e = txn_call(rd_kafka_init_transactions, k->prod[i].rk);
        if (e) return txn_fail(k, &k->prod[i], "initializing transactions", 0, e, err);
        k->prod[i].tx = TX_NONE;
    }
    k->ready = true;
    k->cur = 0;
    return txn_begin(k, &k->prod[0], err);
}

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                  */

/* The producer rows go to now; exactly-once: with a transaction open on it. */
static int current(kafka_sink *k, kprod **out, eddy_error *err)
{
    kprod *p = &k->prod[k->cur];
    *out = p;
    if (!k->eos) return 0;
    if (!k->ready && txn_ready(k, err)) return err->code;
    if (p->tx == TX_NONE) return txn_begin(k, p, err);
    if (p->tx == TX_PREPARED)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "%s: table '%s': rows arrived for the next checkpoint while the "
                              "transaction of checkpoint %llu (transactional.id '%s') still waits "
                              "for its commit",
                              k->conn, k->table, (unsigned long long)p->ckpt, p->txid);
    return 0;
}

/* Fails row r's message: what is wrong with a metadata cell. */
static int row_error(kafka_sink *k, const eddy_batch *b, int r, const char *why, size_t at,
                     eddy_error *err)
{
    const eddy_str *v = &b->cols[k->hcol].v.str[r];
    return eddy_error_set(err, EDDY_EDATA, 0, 0,
                          "%s: table '%s': column '%s' (metadata 'headers') must hold a JSON "
                          "object of strings or nulls ({\"name\":\"value\",...}), not '%.*s'%s: "
                          "byte %zu: %s",
                          k->conn, k->table, k->hname, v->n > 200 ? 200 : (int)v->n, v->p,
                          v->n > 200 ? "..." : "", at, why);
}

static int kafka_write(void *state, const eddy_batch *b, eddy_error *err)
{
    kafka_sink *k = state;
    if (k->failed) return fail_error(k, err);
    kprod *p;
    if (current(k, &p, err)) return err->code;
    for (int r = 0; r < b->n; r++) {
        int kind = b->kinds ? b->kinds[r] & 3 : EDDY_ROW_INSERT;
        bool tombstone = false;
        if (k->upsert) {
            if (kind == EDDY_ROW_UPDATE_BEFORE) continue; /* the +U that follows replaces it */
            tombstone = kind == EDDY_ROW_DELETE;
        } else if (kind == EDDY_ROW_UPDATE_BEFORE || kind == EDDY_ROW_DELETE) {
            return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                  "table '%s': connector 'kafka' writes appends only and got a "
                                  "%s row; use connector 'upsert-kafka' for an updating query",
                                  k->table,
                                  kind == EDDY_ROW_DELETE ? "delete (-D)" : "retraction (-U)");
        }
        bool has_key = k->key.fmt >= 0 && kenc_row(&k->key, b, r, &k->kbuf);
        if (k->upsert && !has_key)
            return eddy_error_set(err, EDDY_EDATA, 0, 0,
                                  "upsert-kafka: table '%s': key column '%s' is NULL, and the "
                                  "'raw' key format would make that a message without a key, "
                                  "which a compacted topic refuses",
                                  k->table, k->kname);
        bool has_value = !tombstone && kenc_row(&k->value, b, r, &k->vbuf);
        rd_kafka_headers_t *hdrs = NULL;
        if (k->hcol >= 0 && !(b->cols[k->hcol].nulls && b->cols[k->hcol].nulls[r])) {
            size_t at = 0;
            const eddy_str *v = &b->cols[k->hcol].v.str[r];
            const char *why = headers_parse(v->p, v->n, &hdrs, &at);
            if (why) return row_error(k, b, r, why, at, err);
        }
        int64_t ts = 0; /* 0: librdkafka stamps the time of sending */
        if (k->tcol >= 0 && !(b->cols[k->tcol].nulls && b->cols[k->tcol].nulls[r])) {
            ts = b->cols[k->tcol].v.i64[r];
            if (ts < 0) {
                if (hdrs) rd_kafka_headers_destroy(hdrs);
                return eddy_error_set(err, EDDY_EDATA, 0, 0,
                                      "%s: table '%s': column '%s' (metadata 'timestamp') holds "
                                      "%lld ms, before 1970, which Kafka cannot store as a "
                                      "message timestamp",
                                      k->conn, k->table, k->tname, (long long)ts);
            }
        }
        int32_t partition = RD_KAFKA_PARTITION_UA;
        if (k->partitioner == PART_FIXED) partition = 0;
        if (k->partitioner == PART_RR) {
            partition = k->next;
            k->next = (k->next + 1) % k->npart;
        }
        for (;;) {
            rd_kafka_resp_err_t e = rd_kafka_producev(
                p->rk, RD_KAFKA_V_RKT(p->rkt), RD_KAFKA_V_PARTITION(partition),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_VALUE(has_value ? (void *)k->vbuf.s : NULL, has_value ? k->vbuf.n : 0),
                RD_KAFKA_V_KEY(has_key ? (const void *)k->kbuf.s : NULL, has_key ? k->kbuf.n : 0),
                RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break; /* librdkafka owns hdrs now */
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                if (hdrs) rd_kafka_headers_destroy(hdrs);
                return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                      "%s: table '%s': cannot send a message to topic '%s': %s",
                                      k->conn, k->table, k->topic, rd_kafka_err2str(e));
            }
            /* librdkafka's queue is full ('properties.queue.buffering.max.messages'): wait for
             * acknowledgements to make room */
            rd_kafka_poll(p->rk, 100);
            if (k->failed) {
                if (hdrs) rd_kafka_headers_destroy(hdrs);
                return fail_error(k, err);
            }
        }
    }
    rd_kafka_poll(p->rk, 0);
    return k->failed ? fail_error(k, err) : 0;
}

/* Waits until every message given to p is acknowledged (librdkafka fails a message after
 * 'properties.message.timeout.ms', so this ends) or one failed. */
static int wait_acks(kafka_sink *k, kprod *p, eddy_error *err)
{
    while (rd_kafka_flush(p->rk, 1000) == RD_KAFKA_RESP_ERR__TIMED_OUT && !k->failed) {
    }
    return k->failed ? fail_error(k, err) : 0;
}

/* at-least-once and exactly-once: returns once every message so far is acknowledged
 * (exactly-once: still in its open transaction); 'none': reports what failed so far. */
static int kafka_flush(void *state, eddy_error *err)
{
    kafka_sink *k = state;
    kprod *p = &k->prod[k->cur];
    if (!k->wait) {
        rd_kafka_poll(p->rk, 0);
        return k->failed ? fail_error(k, err) : 0;
    }
    return wait_acks(k, p, err);
}

/* at-least-once: nothing to store in the marker, what was sent only has to be acknowledged
 * before the checkpoint (its source positions) is stored. exactly-once: see the header. */
static int kafka_prepare_commit(void *state, uint64_t checkpoint, eddy_strbuf *marker,
                                eddy_error *err)
{
    kafka_sink *k = state;
    if (!k->eos) return kafka_flush(state, err);
    if (!k->ready && txn_ready(k, err)) return err->code;
    kprod *p = &k->prod[k->cur];
    if (p->tx != TX_OPEN) return 0; /* nothing was written since the last prepare_commit */
    if (wait_acks(k, p, err)) return err->code;
    p->tx = TX_PREPARED;
    p->ckpt = checkpoint;
    eddy_strbuf_printf(marker, "txn %s %llu", p->txid, (unsigned long long)checkpoint);
    k->cur = (k->cur + 1) % k->nprod;
    kprod *q = &k->prod[k->cur];
    return q->tx == TX_NONE ? txn_begin(k, q, err) : 0;
}

/* Commits the transactions prepared for checkpoints <= checkpoint, oldest first. */
static int kafka_commit(void *state, uint64_t checkpoint, eddy_error *err)
{
    kafka_sink *k = state;
    if (!k->eos) return 0;
    for (;;) {
        kprod *p = NULL;
        for (int i = 0; i < k->nprod; i++)
            if (k->prod[i].tx == TX_PREPARED && k->prod[i].ckpt <= checkpoint &&
                (!p || k->prod[i].ckpt < p->ckpt))
                p = &k->prod[i];
        if (!p) break;
        rd_kafka_error_t *e = txn_call(rd_kafka_commit_transaction, p->rk);
        if (e) {
            uint64_t ck = p->ckpt;
            if (rd_kafka_error_txn_requires_abort(e)) {
                rd_kafka_error_t *a = rd_kafka_abort_transaction(p->rk, TXN_CALL_MS);
                if (a)
                    rd_kafka_error_destroy(a);
                else
                    p->tx = TX_NONE;
            }
            return txn_fail(k, p, "committing the transaction", ck, e, err);
        }
        p->tx = TX_NONE;
    }
    kprod *c = &k->prod[k->cur];
    return k->ready && c->tx == TX_NONE ? txn_begin(k, c, err) : 0;
}

/* exactly-once: initializes the transactions, which aborts what an earlier process left open
 * (the marker is not needed: see the header). at-least-once: nothing to do. */
static int kafka_recover(void *state, const char *marker, size_t len, eddy_error *err)
{
    kafka_sink *k = state;
    (void)marker;
    (void)len;
    if (!k->eos) return 0;
    return txn_ready(k, err);
}

static void kafka_close(void *state)
{
    kafka_sink *k = state;
    if (!k) return;
    for (int i = 0; i < k->nprod; i++) {
        kprod *p = &k->prod[i];
        if (!p->rk) continue;
        if (k->eos && p->tx != TX_NONE) {
            /* its checkpoint did not complete (or its commit failed): abort, so that
             * read_committed consumers need not wait for the transaction to time out */
            rd_kafka_error_t *e = rd_kafka_abort_transaction(p->rk, CLOSE_MS);
            if (e) rd_kafka_error_destroy(e);
        } else {
            rd_kafka_flush(p->rk, CLOSE_MS);
        }
    }
    sink_free(k);
}

/* The sinks' operations; the registry pairs them with the sources' (connectors.h). */
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

const eddy_sink_ops eddy_upsert_kafka_sink_ops = {
    .name = "upsert-kafka",
    .open = upsert_open,
    .write = kafka_write,
    .flush = kafka_flush,
    .prepare_commit = kafka_prepare_commit,
    .commit = kafka_commit,
    .recover = kafka_recover,
    .writer_commit = NULL,
    .close = kafka_close,
};
