/*
 * kafka_source.c: the 'kafka' source connector (first version), on librdkafka.
 *
 * Options (Flink's names): 'topic' (one topic), 'properties.bootstrap.servers' (required),
 * 'properties.group.id', any other 'properties.*' handed to librdkafka as it is (the prefix
 * removed); 'scan.startup.mode' = 'earliest-offset' (the default here) | 'latest-offset' |
 * 'group-offsets' (needs 'properties.group.id') | 'specific-offsets' (with
 * 'scan.startup.specific-offsets' = 'partition:0,offset:42;partition:1,offset:300'; a partition
 * not listed starts at its earliest offset) | 'timestamp' (with 'scan.startup.timestamp-millis');
 * 'scan.bounded.mode' = 'unbounded' (default) | 'latest-offset' (the source ends once every
 * partition reached the end offset it had when the source opened). What a message becomes
 * (formats, metadata columns, bad messages) is kafka_decode.c's job.
 *
 * Rules:
 *   - One split per partition of the topic (index = partition id); partitions are assigned
 *     explicitly (rd_kafka_assign), not through the consumer group's rebalance protocol (a
 *     later step). Every batch holds the messages of one partition (batch->split).
 *   - Every starting offset is made concrete at open (earliest/latest from the watermark
 *     offsets, group offsets from the committed ones, timestamps by offsets-for-times), so the
 *     position "p:offset,p:offset" (the next offset of every partition, as of the last batch
 *     poll() returned) always names exact offsets; seek() makes the source start there instead.
 *     Offsets are not committed to the group in this version.
 *   - poll() takes messages in the order librdkafka delivers them and cuts the batch when the
 *     partition changes; the message that did not fit is kept for the next poll() (it is not
 *     part of the position until returned).
 *   - Messages are decoded by kafka_decode.h straight into the output batch.
 */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "connectors/connectors.h"
#include "connectors/kafka_decode.h"
#include "connectors/options.h"
#include "runtime/connector.h"

#define META_TIMEOUT_MS 10000 /* metadata and offset queries at open */

enum { START_EARLIEST, START_LATEST, START_GROUP, START_SPECIFIC, START_TIMESTAMP };

typedef struct kafka_source {
    const eddy_source_spec *spec;
    const char *table;
    char *topic;
    rd_kafka_t *rk;
    int nparts;
    int64_t *next; /* next offset to read per partition */
    int64_t *end;  /* bounded: end offset per partition; else NULL */
    bool assigned;
    rd_kafka_message_t *pending; /* a message read but not yet returned */
    eddy_kafka_decoder *dec;     /* messages to rows (kafka_decode.h) */
    uint64_t rows;
} kafka_source;

static const char *tname(const kafka_source *s)
{
    return s->table ? s->table : "?";
}

static void src_free(kafka_source *s)
{
    if (!s) return;
    if (s->pending) rd_kafka_message_destroy(s->pending);
    if (s->rk) {
        if (s->assigned) rd_kafka_assign(s->rk, NULL);
        rd_kafka_consumer_close(s->rk);
        rd_kafka_destroy(s->rk);
    }
    eddy_kafka_decoder_free(s->dec);
    free(s->next);
    free(s->end);
    free(s->topic);
    free(s);
}

/* Parses 'partition:0,offset:42;partition:1,offset:300' into next[] (partitions outside
 * 0..nparts-1 are refused). */
static int parse_specific(kafka_source *s, const char *text, eddy_error *err)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (!*p) break;
        long part;
        long long off;
        int used = 0;
        if (sscanf(p, " partition : %ld , offset : %lld%n", &part, &off, &used) != 2 || used == 0)
            return eddy_error_set(
                err, EDDY_EUSAGE, 0, 0,
                "option 'scan.startup.specific-offsets' of table '%s': cannot "
                "read '%s'; expected 'partition:0,offset:42;partition:1,offset:300'",
                tname(s), p);
        if (part < 0 || part >= s->nparts || off < 0)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option 'scan.startup.specific-offsets' of table '%s': partition "
                                  "%ld offset %lld is not valid (topic '%s' has %d partitions)",
                                  tname(s), part, off, s->topic, s->nparts);
        s->next[part] = off;
        p += used;
        while (*p == ' ')
            p++;
        if (*p && *p != ';')
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option 'scan.startup.specific-offsets' of table '%s': expected "
                                  "';' before '%s'",
                                  tname(s), p);
    }
    return 0;
}

/* Builds the librdkafka configuration from the 'properties.*' options. */
static rd_kafka_conf_t *make_conf(kafka_source *s, const eddy_source_spec *spec, eddy_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char msg[512];
    /* defaults a user may override: eddy keeps offsets in its checkpoints */
    const char *defaults[][2] = {{"enable.auto.commit", "false"},
                                 {"enable.auto.offset.store", "false"},
                                 {"group.id", "eddy"},
                                 {"log_level", "3"}};
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        rd_kafka_conf_set(conf, defaults[i][0], defaults[i][1], msg, sizeof msg);
    for (int i = 0; i < spec->noptions; i++) {
        const char *k = spec->options[i].key;
        if (strncmp(k, "properties.", 11) != 0) continue;
        if (rd_kafka_conf_set(conf, k + 11, spec->options[i].value, msg, sizeof msg) !=
            RD_KAFKA_CONF_OK) {
            eddy_error_set(err, EDDY_EUSAGE, 0, 0, "option '%s' of table '%s': %s", k, tname(s),
                           msg);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    return conf;
}

/* Finds the partitions of the topic. */
static int read_partitions(kafka_source *s, eddy_error *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(s->rk, s->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(s->rk, 0, rkt, &md, META_TIMEOUT_MS);
    rd_kafka_topic_destroy(rkt);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return eddy_error_set(
            err, EDDY_ECONNECTOR, 0, 0,
            "table '%s': cannot read the metadata of topic '%s' from '%s': %s; "
            "check 'properties.bootstrap.servers' and that the brokers run",
            tname(s), s->topic,
            eddy_kv_get(s->spec->options, s->spec->noptions, "properties.bootstrap.servers", "?"),
            rd_kafka_err2str(e));
    int rc = 0;
    if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
        md->topics[0].partition_cnt <= 0) {
        rc = eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                            "table '%s': topic '%s' was not found (%s); create it first", tname(s),
                            s->topic,
                            md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "no answer");
    } else {
        int n = md->topics[0].partition_cnt;
        for (int i = 0; i < n && rc == 0; i++)
            if (md->topics[0].partitions[i].id < 0 || md->topics[0].partitions[i].id >= n)
                rc = eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                    "table '%s': topic '%s' has partition id %d out of 0..%d",
                                    tname(s), s->topic, md->topics[0].partitions[i].id, n - 1);
        s->nparts = n;
    }
    rd_kafka_metadata_destroy(md);
    return rc;
}

static int offsets_error(kafka_source *s, const char *what, int part, rd_kafka_resp_err_t e,
                         eddy_error *err)
{
    char where[32] = "";
    if (part >= 0) snprintf(where, sizeof where, ", partition %d", part);
    return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                          "table '%s': cannot read the %s of topic '%s'%s: %s; check that the "
                          "brokers run",
                          tname(s), what, s->topic, where, rd_kafka_err2str(e));
}

/* Resolves the starting offset of every partition (and the end offsets when bounded). */
static int resolve_offsets(kafka_source *s, int mode, const eddy_optset *o, bool bounded,
                           eddy_error *err)
{
    int n = s->nparts;
    s->next = eddy_xcalloc((size_t)n, sizeof(int64_t));
    int64_t *low = eddy_xcalloc((size_t)n, sizeof(int64_t));
    int64_t *high = eddy_xcalloc((size_t)n, sizeof(int64_t));
    int rc = 0;
    for (int p = 0; p < n && rc == 0; p++) {
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(s->rk, s->topic, p, &low[p],
                                                                 &high[p], META_TIMEOUT_MS);
        if (e) rc = offsets_error(s, "watermark offsets", p, e, err);
        s->next[p] = mode == START_LATEST ? high[p] : low[p];
    }
    if (rc == 0 && mode == START_SPECIFIC) {
        const char *spec;
        rc = eddy_opt_require(o, "scan.startup.specific-offsets", &spec);
        if (rc == 0) rc = parse_specific(s, spec, err);
    } else if (rc == 0 && (mode == START_GROUP || mode == START_TIMESTAMP)) {
        int64_t ts = 0;
        if (mode == START_TIMESTAMP &&
            (eddy_opt_require(o, "scan.startup.timestamp-millis", &(const char *){NULL}) ||
             eddy_opt_int(o, "scan.startup.timestamp-millis", 0, 0, INT64_MAX, &ts))) {
            rc = err->code;
        } else {
            rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
            for (int p = 0; p < n; p++)
                rd_kafka_topic_partition_list_add(l, s->topic, p)->offset = ts;
            rd_kafka_resp_err_t e = mode == START_GROUP
                                        ? rd_kafka_committed(s->rk, l, META_TIMEOUT_MS)
                                        : rd_kafka_offsets_for_times(s->rk, l, META_TIMEOUT_MS);
            const char *what = mode == START_GROUP ? "committed offsets" : "offsets for times";
            if (e) rc = offsets_error(s, what, -1, e, err);
            for (int i = 0; i < l->cnt && rc == 0; i++) {
                const rd_kafka_topic_partition_t *tp = &l->elems[i];
                if (tp->err) {
                    rc = offsets_error(s, what, tp->partition, tp->err, err);
                } else if (tp->offset >= 0) {
                    s->next[tp->partition] = tp->offset;
                } else if (mode == START_TIMESTAMP) {
                    s->next[tp->partition] = high[tp->partition]; /* nothing that late yet */
                } else {
                    /* no committed offset: 'properties.auto.offset.reset' (default earliest) */
                    const char *r = eddy_opt_str(o, "properties.auto.offset.reset", "earliest");
                    bool latest = strcasecmp(r, "latest") == 0 || strcasecmp(r, "largest") == 0 ||
                                  strcasecmp(r, "end") == 0;
                    s->next[tp->partition] = latest ? high[tp->partition] : low[tp->partition];
                }
            }
            rd_kafka_topic_partition_list_destroy(l);
        }
    }
    if (rc == 0 && bounded) {
        s->end = high;
        high = NULL;
    }
    free(low);
    free(high);
    return rc;
}

static int ks_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"kafka", spec->options, spec->noptions, err};
    kafka_source *s = eddy_xcalloc(1, sizeof *s);
    s->spec = spec;
    s->table = spec->table;
    const char *topic, *servers;
    if (eddy_opt_require(&o, "topic", &topic) ||
        eddy_opt_require(&o, "properties.bootstrap.servers", &servers))
        goto fail;
    (void)servers;
    if (strchr(topic, ';')) {
        eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                       "table '%s': connector 'kafka' reads one topic for now, not the list '%s'",
                       tname(s), topic);
        goto fail;
    }
    s->topic = eddy_xstrdup(topic);
    static const char *const own[] = {"topic",
                                      "properties.*",
                                      "scan.startup.mode",
                                      "scan.startup.specific-offsets",
                                      "scan.startup.timestamp-millis",
                                      "scan.bounded.mode",
                                      NULL};
    if (eddy_kafka_decoder_new(spec, own, &s->dec, err)) goto fail;
    static const char *const modes[] = {"earliest-offset",  "latest-offset", "group-offsets",
                                        "specific-offsets", "timestamp",     NULL};
    static const char *const bmodes[] = {"unbounded", "latest-offset", NULL};
    int mode, bmode;
    if (eddy_opt_enum(&o, "scan.startup.mode", modes, START_EARLIEST, &mode) ||
        eddy_opt_enum(&o, "scan.bounded.mode", bmodes, 0, &bmode))
        goto fail;
    if (mode == START_GROUP && !eddy_opt_has(&o, "properties.group.id")) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': 'scan.startup.mode' = 'group-offsets' needs option "
                       "'properties.group.id'",
                       tname(s));
        goto fail;
    }
    rd_kafka_conf_t *conf = make_conf(s, spec, err);
    if (!conf) goto fail;
    char msg[512];
    s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
    if (!s->rk) {
        rd_kafka_conf_destroy(conf);
        eddy_error_set(err, EDDY_ECONNECTOR, 0, 0, "table '%s': cannot create a Kafka consumer: %s",
                       tname(s), msg);
        goto fail;
    }
    if (read_partitions(s, err) || resolve_offsets(s, mode, &o, bmode == 1, err)) goto fail;
    *state = s;
    return 0;
fail:
    src_free(s);
    return err->code ? err->code : EDDY_EUSAGE;
}

static int ks_splits(void *state)
{
    return ((kafka_source *)state)->nparts;
}

static bool part_done(const kafka_source *s, int p)
{
    return s->end && s->next[p] >= s->end[p];
}

static int do_assign(kafka_source *s, eddy_error *err)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts);
    for (int p = 0; p < s->nparts; p++)
        if (!part_done(s, p))
            rd_kafka_topic_partition_list_add(l, s->topic, p)->offset = s->next[p];
    rd_kafka_resp_err_t e = rd_kafka_assign(s->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "table '%s': cannot assign the partitions of topic '%s': %s",
                              tname(s), s->topic, rd_kafka_err2str(e));
    s->assigned = true;
    return 0;
}

static int ks_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    kafka_source *s = state;
    bool all_done = true;
    for (int p = 0; p < s->nparts; p++)
        if (!part_done(s, p)) all_done = false;
    if (all_done) return EDDY_POLL_END;
    if (!s->assigned && do_assign(s, err)) return err->code;
    eddy_kafka_decoder_begin(s->dec);
    int dcap = eddy_kafka_decoder_cap(s->dec);
    int cap = out->cap < dcap ? out->cap : dcap;
    int part = -1;
    int64_t wait = timeout_ms > 0 ? timeout_ms : 0;
    while (eddy_kafka_decoder_rows(s->dec) < cap) {
        rd_kafka_message_t *m = s->pending;
        s->pending = NULL;
        if (!m) m = rd_kafka_consumer_poll(s->rk, (int)wait);
        if (!m) break;
        wait = 0;
        if (m->err) {
            rd_kafka_resp_err_t e = m->err;
            char text[300];
            snprintf(text, sizeof text, "%s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            if (e == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
            if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__FATAL ||
                e == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
                return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                      "table '%s': reading topic '%s' failed: %s", tname(s),
                                      s->topic, text);
            continue; /* transient: librdkafka retries */
        }
        int p = m->partition;
        if (p < 0 || p >= s->nparts || m->offset < s->next[p] || part_done(s, p)) {
            rd_kafka_message_destroy(m); /* past the end, or a duplicate after a retry */
            continue;
        }
        if (part >= 0 && p != part) {
            s->pending = m;
            break;
        }
        part = p;
        int rc = eddy_kafka_decode(s->dec, m, out, err);
        s->next[p] = m->offset + 1;
        rd_kafka_message_destroy(m);
        if (rc < 0) return rc;
        if (part_done(s, p)) break;
    }
    if (eddy_kafka_decoder_rows(s->dec) == 0) {
        for (int p = 0; p < s->nparts; p++)
            if (!part_done(s, p)) return EDDY_POLL_IDLE;
        return EDDY_POLL_END;
    }
    eddy_kafka_decoder_finish(s->dec, out);
    out->split = part;
    s->rows += (uint64_t)out->n;
    return EDDY_POLL_DATA;
}

static int ks_position(void *state, eddy_strbuf *buf, eddy_error *err)
{
    (void)err;
    kafka_source *s = state;
    for (int p = 0; p < s->nparts; p++)
        eddy_strbuf_printf(buf, "%s%d:%" PRId64, p ? "," : "", p, s->next[p]);
    return 0;
}

/* Parses a position "p:offset,..." into next[] (one per partition; untouched where absent). */
static int parse_position(kafka_source *s, const char *data, size_t len, int64_t *next,
                          eddy_error *err)
{
    char *text = eddy_xmalloc(len + 1);
    memcpy(text, data, len);
    text[len] = 0;
    const char *p = text;
    int rc = 0;
    while (*p && rc == 0) {
        char *e;
        errno = 0;
        long part = strtol(p, &e, 10);
        long long off = 0;
        bool ok = e != p && *e == ':' && part >= 0 && part < s->nparts;
        if (ok) {
            p = e + 1;
            off = strtoll(p, &e, 10);
            ok = e != p && off >= 0 && errno == 0 && (*e == ',' || *e == 0);
        }
        if (!ok) {
            rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                "table '%s': bad kafka position '%s' (expected 'partition:offset,"
                                "...' with partitions of topic '%s', which has %d)",
                                tname(s), text, s->topic, s->nparts);
            break;
        }
        next[part] = off;
        p = *e ? e + 1 : e;
    }
    free(text);
    return rc;
}

static int ks_seek(void *state, const char *data, size_t len, eddy_error *err)
{
    kafka_source *s = state;
    return parse_position(s, data, len, s->next, err);
}

/* After a checkpoint: its offsets go to the consumer group (asynchronously), so that lag tools
 * see progress; eddy restarts from the checkpoint, not from these. */
static int ks_commit_offsets(void *state, const char *pos, size_t len, eddy_error *err)
{
    kafka_source *s = state;
    int64_t *next = eddy_xmalloc(sizeof *next * (size_t)(s->nparts ? s->nparts : 1));
    for (int p = 0; p < s->nparts; p++)
        next[p] = -1;
    int rc = parse_position(s, pos, len, next, err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts);
    for (int p = 0; rc == 0 && p < s->nparts; p++)
        if (next[p] >= 0) rd_kafka_topic_partition_list_add(l, s->topic, p)->offset = next[p];
    free(next);
    if (rc == 0 && l->cnt > 0) {
        rd_kafka_resp_err_t e = rd_kafka_commit(s->rk, l, 1);
        if (e)
            rc = eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                "table '%s': committing offsets of topic '%s' to the consumer "
                                "group failed: %s",
                                tname(s), s->topic, rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

static void ks_progress(void *state, uint64_t *done, uint64_t *total)
{
    kafka_source *s = state;
    *done = s->rows;
    *total = 0;
}

static void ks_close(void *state)
{
    src_free(state);
}

/* The source's operations; the registry pairs them with the kafka sink's (connectors.h). */
extern const eddy_source_ops eddy_kafka_source_ops;
const eddy_source_ops eddy_kafka_source_ops = {
    .name = "kafka",
    .open = ks_open,
    .splits = ks_splits,
    .poll = ks_poll,
    .position = ks_position,
    .seek = ks_seek,
    .commit_offsets = ks_commit_offsets,
    .progress = ks_progress,
    .close = ks_close,
};
