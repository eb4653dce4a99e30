/*
 * kafka_source.c: the 'kafka' source connector, on librdkafka: the consumer side (topics,
 * partitions, offsets, consumer groups). What a message becomes (formats, metadata columns, bad
 * messages) is kafka_decode.c's job.
 *
 * Options (Flink's names): 'topic' (one topic or a list 'a;b;c') or 'topic-pattern' (a regular
 * expression, PCRE2 as Flink's Java patterns, matched against the whole name of every topic that
 * exists when the source opens; names starting with '__', Kafka's internal topics, are left
 * out); 'properties.bootstrap.servers' (required), 'properties.group.id', any other
 * 'properties.*' handed to librdkafka as it is (the prefix removed); 'scan.startup.mode' =
 * 'earliest-offset' (the default here) | 'latest-offset' | 'group-offsets' (needs
 * 'properties.group.id') | 'specific-offsets' (one topic only, as in Flink, with
 * 'scan.startup.specific-offsets' = 'partition:0,offset:42;partition:1,offset:300'; a partition
 * not listed starts at its earliest offset) | 'timestamp' (with 'scan.startup.timestamp-millis');
 * 'scan.bounded.mode' = 'unbounded' (default) | 'latest-offset' (the source ends once every
 * partition reached the end offset it had when the source opened); eddy's own
 * 'scan.partition-assignment' = 'all' (default) | 'group' (see below).
 *
 * Rules:
 *   - Splits are fixed at open: every (topic, partition) of the topics, numbered topics sorted
 *     by name, then by partition (split = first split of the topic + partition id). A topic
 *     or partition created later is not read until the job restarts. Every batch holds the
 *     messages of one split (batch->split).
 *   - 'all': this process reads every split, assigned explicitly (rd_kafka_assign) at the
 *     first poll(). 'group': the source subscribes to the topics (those the pattern matched at
 *     open) with 'properties.group.id', and the group's rebalance protocol decides which
 *     partitions this process reads (split_owned()); the rebalance callback (on_rebalance) runs
 *     inside rd_kafka_consumer_poll, on the job's thread. Eager protocols (range, roundrobin:
 *     librdkafka's default) and 'cooperative-sticky' both work.
 *   - Every startup offset is made concrete at open (earliest/latest from the watermark
 *     offsets, group offsets from the committed ones, timestamps by offsets-for-times). 'all'
 *     starts each split there, or where seek() said. 'group' starts a newly assigned partition
 *     at the larger of the offset this source knows for it (from seek(), or where it stopped
 *     reading when the partition was taken away earlier) and the group's committed offset;
 *     when it knows neither, at the startup offset. A revoked partition is no longer read or
 *     owned: messages of it still buffered are dropped, and its next offset stays as it was
 *     (in the position, and for the max above). Nothing is committed at a revoke: the group's
 *     offsets only ever come from durable checkpoints (commit_offsets), so a partition moves
 *     to another process at the last checkpoint and is read at least once.
 *   - Position: "topic:partition:offset,..." (the next offset to read), split after split, as
 *     of the last batch poll() returned; in 'group' mode only the splits this source has a
 *     known offset for (sought or owned at some time), so that a restart does not mistake a
 *     startup offset for progress. seek() also reads the older "partition:offset,..." of a
 *     single-topic source. Topic names are [a-zA-Z0-9._-] in Kafka, so ':' and ',' are safe.
 *     A position naming a topic the source does not read is refused, except with
 *     'topic-pattern', where a topic may have been deleted since (its entries are skipped).
 *   - 'scan.bounded.mode' = 'latest-offset' with 'group' is refused: which partitions a
 *     process ends on would depend on the group's timing (Flink's bounded Kafka source assigns
 *     splits itself, too).
 *   - poll() takes messages in the order librdkafka delivers them and cuts the batch when the
 *     split changes; the message that did not fit is kept for the next poll() (it is not part
 *     of the position until returned).
 *   - lag(split): the partition's high watermark as librdkafka last saw it (fetch responses,
 *     rd_kafka_get_watermark_offsets: cached, no broker round trip) minus the next offset;
 *     split_name(split) is "topic:partition", the split's label in the metrics.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/arena.h"
#include "connectors/connectors.h"
#include "connectors/kafka_conf.h"
#include "connectors/kafka_decode.h"
#include "connectors/options.h"
#include "runtime/connector.h"

#define META_TIMEOUT_MS 10000 /* metadata and offset queries at open and at an assignment */

enum { START_EARLIEST, START_LATEST, START_GROUP, START_SPECIFIC, START_TIMESTAMP };

typedef struct ktopic {
    char *name;
    int first;  /* split of partition 0 */
    int nparts; /* partitions 0..nparts-1 */
} ktopic;

typedef struct ksplit {
    int topic;    /* index into topics */
    int32_t part; /* partition id */
    int64_t next; /* next offset to read */
    int64_t end;  /* bounded: the end offset; else -1 */
    bool owned;   /* 'group': read by this process now */
    bool known;   /* 'group': next is progress (sought, or owned once), not a startup offset */
} ksplit;

typedef struct kafka_source {
    const eddy_source_spec *spec; /* as given to open(); outlives the source */
    const char *table;            /* for messages */
    char *what;      /* "topic 'a'", "topics 'a;b'", "topics matching 'm.*'": for messages */
    bool pattern;    /* topics from 'topic-pattern' */
    bool group;      /* 'scan.partition-assignment' = 'group' */
    bool restricted; /* 'scan.partitions': only the listed splits are read (owned) */
    ktopic *topics;  /* sorted by name */
    int ntopics;     /* at least 1 */
    ksplit *sp;      /* the splits, in split order */
    int nsplits;     /* fixed at open */
    rd_kafka_t *rk;  /* the consumer */
    bool assigned;   /* 'all': rd_kafka_assign done */
    bool subscribed; /* 'group': rd_kafka_subscribe done */
    rd_kafka_message_t *pending;      /* a message read but not yet returned */
    const rd_kafka_topic_t *last_rkt; /* topic lookup cache: the last message's topic handle */
    int last_topic;                   /* ... and its index */
    int cb_rc;               /* an error of the rebalance callback, reported by the next poll() */
    eddy_error cb_err;       /* ... and its message */
    eddy_kafka_decoder *dec; /* messages to rows (kafka_decode.h) */
    uint64_t rows;           /* rows returned so far (progress) */
    bool brokers_down;       /* every broker unreachable: said once, and again when one returns */
    int64_t said_transport;  /* CLOCK_MONOTONIC ms when a lost broker was last reported */
} kafka_source;

static const char *tname(const kafka_source *s)
{
    return s->table ? s->table : "?";
}

static void src_free(kafka_source *s)
{
    if (!s) return;
    if (s->pending) rd_kafka_message_destroy(s->pending);
    s->pending = NULL;
    if (s->rk) {
        if (s->assigned) rd_kafka_assign(s->rk, NULL);
        /* 'group': leaves the group (the revoke goes through on_rebalance) */
        rd_kafka_consumer_close(s->rk);
        rd_kafka_destroy(s->rk);
    }
    eddy_kafka_decoder_free(s->dec);
    for (int t = 0; t < s->ntopics; t++)
        free(s->topics[t].name);
    free(s->topics);
    free(s->sp);
    free(s->what);
    free(s);
}

/* ---------------------------------------------------------------------------------------- */
/* Topics and splits                                                                         */

static int cmp_topic(const void *a, const void *b)
{
    return strcmp(((const ktopic *)a)->name, ((const ktopic *)b)->name);
}

/* The index of the topic named name, or -1. */
static int find_topic(const kafka_source *s, const char *name, size_t len)
{
    int lo = 0, hi = s->ntopics - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const char *t = s->topics[mid].name;
        int c = strncmp(t, name, len);
        if (c == 0 && t[len] != 0) c = 1;
        if (c == 0) return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* The split of (topic index, partition), or -1. */
static int split_of(const kafka_source *s, int t, int64_t part)
{
    if (t < 0 || part < 0 || part >= s->topics[t].nparts) return -1;
    return s->topics[t].first + (int)part;
}

/* The split of a consumed message, or -1 (a topic or partition not known at open). The topic
 * found for the last message's handle is tried first (its name compared, in case a handle was
 * freed and its address reused): messages come in runs of one topic. */
static int split_of_msg(kafka_source *s, const rd_kafka_message_t *m)
{
    const char *name = rd_kafka_topic_name(m->rkt);
    if (m->rkt != s->last_rkt || s->last_topic < 0 ||
        strcmp(s->topics[s->last_topic].name, name) != 0) {
        s->last_topic = find_topic(s, name, strlen(name));
        s->last_rkt = m->rkt;
    }
    return split_of(s, s->last_topic, m->partition);
}

static void add_topic(kafka_source *s, const char *name, size_t len)
{
    s->topics = eddy_xrealloc(s->topics, sizeof *s->topics * (size_t)(s->ntopics + 1));
    char *n = eddy_xmalloc(len + 1);
    memcpy(n, name, len);
    n[len] = 0;
    s->topics[s->ntopics++] = (ktopic){n, 0, 0};
}

/* Sorts the topics and drops repeated names. */
static void sort_topics(kafka_source *s)
{
    if (s->ntopics > 1) qsort(s->topics, (size_t)s->ntopics, sizeof *s->topics, cmp_topic);
    int k = 0;
    for (int t = 0; t < s->ntopics; t++) {
        if (k > 0 && strcmp(s->topics[k - 1].name, s->topics[t].name) == 0) {
            free(s->topics[t].name);
            continue;
        }
        s->topics[k++] = s->topics[t];
    }
    s->ntopics = k;
}

/* 'topic' = 'a;b;c': the names, spaces around them ignored. */
static int parse_topic_list(kafka_source *s, const char *text, eddy_error *err)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *b = p;
        while (*p && *p != ';')
            p++;
        const char *e = p;
        while (e > b && e[-1] == ' ')
            e--;
        if (e > b) add_topic(s, b, (size_t)(e - b));
    }
    if (s->ntopics == 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'topic' of table '%s' names no topic; give one ('bids') or "
                              "a list ('bids;asks')",
                              tname(s));
    sort_topics(s);
    return 0;
}

static int metadata_error(kafka_source *s, const char *topic, rd_kafka_resp_err_t e,
                          eddy_error *err)
{
    char which[300] = "the topics";
    if (topic) snprintf(which, sizeof which, "topic '%s'", topic);
    return eddy_error_set(
        err, EDDY_ECONNECTOR, 0, 0,
        "table '%s': cannot read the metadata of %s from '%s': %s; "
        "check 'properties.bootstrap.servers' and that the brokers run",
        tname(s), which,
        eddy_kv_get(s->spec->options, s->spec->noptions, "properties.bootstrap.servers", "?"),
        rd_kafka_err2str(e));
}

/* Checks that a topic's partition ids are 0..n-1 and stores n. */
static int set_partitions(kafka_source *s, int t, const rd_kafka_metadata_topic_t *mt,
                          eddy_error *err)
{
    int n = mt->partition_cnt;
    for (int i = 0; i < n; i++)
        if (mt->partitions[i].id < 0 || mt->partitions[i].id >= n)
            return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                  "table '%s': topic '%s' has partition id %d out of 0..%d",
                                  tname(s), s->topics[t].name, mt->partitions[i].id, n - 1);
    s->topics[t].nparts = n;
    return 0;
}

/* 'topic': the partitions of every listed topic, asked topic by topic. */
static int read_listed(kafka_source *s, eddy_error *err)
{
    for (int t = 0; t < s->ntopics; t++) {
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(s->rk, s->topics[t].name, NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(s->rk, 0, rkt, &md, META_TIMEOUT_MS);
        rd_kafka_topic_destroy(rkt);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return metadata_error(s, s->topics[t].name, e, err);
        int rc = 0;
        if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
            md->topics[0].partition_cnt <= 0)
            rc = eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                "table '%s': topic '%s' was not found (%s); create it first",
                                tname(s), s->topics[t].name,
                                md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err)
                                                   : "no answer");
        else
            rc = set_partitions(s, t, &md->topics[0], err);
        rd_kafka_metadata_destroy(md);
        if (rc) return rc;
    }
    return 0;
}

/* 'topic-pattern': every existing topic whose whole name matches (internal '__' topics
 * left out). */
static int read_matching(kafka_source *s, const char *pattern, eddy_error *err)
{
    int ecode;
    PCRE2_SIZE eoff;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &ecode, &eoff, NULL);
    if (!re) {
        PCRE2_UCHAR why[256];
        pcre2_get_error_message(ecode, why, sizeof why);
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'topic-pattern' of table '%s': '%s' is not a regular "
                              "expression: %s at offset %zu",
                              tname(s), pattern, (const char *)why, (size_t)eoff);
    }
    pcre2_match_data *md8 = pcre2_match_data_create_from_pattern(re, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(s->rk, 1, NULL, &md, META_TIMEOUT_MS);
    int rc = 0;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rc = metadata_error(s, NULL, e, err);
    } else {
        for (int i = 0; i < md->topic_cnt; i++) {
            const rd_kafka_metadata_topic_t *mt = &md->topics[i];
            if (mt->err || mt->partition_cnt <= 0 || strncmp(mt->topic, "__", 2) == 0) continue;
            if (pcre2_match(re, (PCRE2_SPTR)mt->topic, strlen(mt->topic), 0,
                            PCRE2_ANCHORED | PCRE2_ENDANCHORED, md8, NULL) < 0)
                continue;
            add_topic(s, mt->topic, strlen(mt->topic));
        }
        sort_topics(s);
        for (int i = 0; i < md->topic_cnt && rc == 0; i++) {
            int t = find_topic(s, md->topics[i].topic, strlen(md->topics[i].topic));
            if (t >= 0) rc = set_partitions(s, t, &md->topics[i], err);
        }
        if (rc == 0 && s->ntopics == 0)
            rc = eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                "table '%s': no topic matches 'topic-pattern' = '%s' (the whole "
                                "name must match); create one first",
                                tname(s), pattern);
        rd_kafka_metadata_destroy(md);
    }
    pcre2_match_data_free(md8);
    pcre2_code_free(re);
    return rc;
}

/* Numbers the splits: topics in name order, partitions in id order. */
static void make_splits(kafka_source *s)
{
    int n = 0;
    for (int t = 0; t < s->ntopics; t++) {
        s->topics[t].first = n;
        n += s->topics[t].nparts;
    }
    s->nsplits = n;
    s->sp = eddy_xcalloc((size_t)(n ? n : 1), sizeof *s->sp);
    for (int t = 0; t < s->ntopics; t++)
        for (int p = 0; p < s->topics[t].nparts; p++)
            s->sp[s->topics[t].first + p] = (ksplit){t, p, 0, -1, false, !s->group};
}

static const char *split_topic(const kafka_source *s, int i)
{
    return s->topics[s->sp[i].topic].name;
}

/* ---------------------------------------------------------------------------------------- */
/* Startup offsets                                                                           */

/* Parses 'partition:0,offset:42;partition:1,offset:300' into the splits of the one topic. */
static int parse_specific(kafka_source *s, const char *text, eddy_error *err)
{
    const ktopic *t = &s->topics[0];
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
        if (part < 0 || part >= t->nparts || off < 0)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option 'scan.startup.specific-offsets' of table '%s': partition "
                                  "%ld offset %lld is not valid (topic '%s' has %d partitions)",
                                  tname(s), part, off, t->name, t->nparts);
        s->sp[t->first + part].next = off;
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

static int offsets_error(kafka_source *s, const char *what, const char *topic, int part,
                         rd_kafka_resp_err_t e, eddy_error *err)
{
    char where[300];
    if (topic && part >= 0)
        snprintf(where, sizeof where, "topic '%s', partition %d", topic, part);
    else
        snprintf(where, sizeof where, "%s", s->what);
    return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                          "table '%s': cannot read the %s of %s: %s; check that the brokers run",
                          tname(s), what, where, rd_kafka_err2str(e));
}

/* Builds the librdkafka configuration from the 'properties.*' options. */
static rd_kafka_conf_t *make_conf(kafka_source *s, const eddy_source_spec *spec, eddy_error *err)
{
    /* defaults a user may override: eddy keeps offsets in its checkpoints */
    static const char *const defaults[][2] = {{"enable.auto.commit", "false"},
                                              {"enable.auto.offset.store", "false"},
                                              {"group.id", "eddy"},
                                              {NULL, NULL}};
    return eddy_kafka_conf_new(spec->options, spec->noptions, "properties.", defaults, tname(s),
                               err);
}

/* Resolves the starting offset of every split (and the end offsets when bounded). */
static int resolve_offsets(kafka_source *s, int mode, const eddy_optset *o, bool bounded,
                           eddy_error *err)
{
    int n = s->nsplits;
    int64_t *low = eddy_xcalloc((size_t)(n ? n : 1), sizeof(int64_t));
    int64_t *high = eddy_xcalloc((size_t)(n ? n : 1), sizeof(int64_t));
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(
            s->rk, split_topic(s, i), s->sp[i].part, &low[i], &high[i], META_TIMEOUT_MS);
        if (e) rc = offsets_error(s, "watermark offsets", split_topic(s, i), s->sp[i].part, e, err);
        s->sp[i].next = mode == START_LATEST ? high[i] : low[i];
        if (bounded) s->sp[i].end = high[i];
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
            for (int i = 0; i < n; i++)
                rd_kafka_topic_partition_list_add(l, split_topic(s, i), s->sp[i].part)->offset = ts;
            rd_kafka_resp_err_t e = mode == START_GROUP
                                        ? rd_kafka_committed(s->rk, l, META_TIMEOUT_MS)
                                        : rd_kafka_offsets_for_times(s->rk, l, META_TIMEOUT_MS);
            const char *what = mode == START_GROUP ? "committed offsets" : "offsets for times";
            if (e) rc = offsets_error(s, what, NULL, -1, e, err);
            const char *r = eddy_opt_str(o, "properties.auto.offset.reset", "earliest");
            bool latest = strcasecmp(r, "latest") == 0 || strcasecmp(r, "largest") == 0 ||
                          strcasecmp(r, "end") == 0;
            for (int k = 0; k < l->cnt && rc == 0; k++) {
                const rd_kafka_topic_partition_t *tp = &l->elems[k];
                int i = split_of(s, find_topic(s, tp->topic, strlen(tp->topic)), tp->partition);
                if (i < 0) continue;
                if (tp->err)
                    rc = offsets_error(s, what, tp->topic, tp->partition, tp->err, err);
                else if (tp->offset >= 0)
                    s->sp[i].next = tp->offset;
                else if (mode == START_TIMESTAMP)
                    s->sp[i].next = high[i]; /* nothing that late yet */
                else /* no committed offset: 'properties.auto.offset.reset' (default earliest) */
                    s->sp[i].next = latest ? high[i] : low[i];
            }
            rd_kafka_topic_partition_list_destroy(l);
        }
    }
    free(low);
    free(high);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Consumer group                                                                            */

static bool cooperative(rd_kafka_t *rk)
{
    const char *p = rd_kafka_rebalance_protocol(rk);
    return p && strcmp(p, "COOPERATIVE") == 0;
}

/* Drops the pending message when its split is no longer read. */
static void drop_pending_unowned(kafka_source *s)
{
    if (!s->pending) return;
    int i = split_of_msg(s, s->pending);
    if (i < 0 || !s->sp[i].owned) {
        rd_kafka_message_destroy(s->pending);
        s->pending = NULL;
    }
}

/* Partitions assigned to this process: each starts at max(known offset, committed offset),
 * else at its startup offset. Partitions not known at open are not taken (nobody reads them
 * until a restart: splits are fixed at open). */
static void group_assign(kafka_source *s, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *want = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int k = 0; k < parts->cnt; k++)
        if (split_of(s, find_topic(s, parts->elems[k].topic, strlen(parts->elems[k].topic)),
                     parts->elems[k].partition) >= 0)
            rd_kafka_topic_partition_list_add(want, parts->elems[k].topic,
                                              parts->elems[k].partition);
    rd_kafka_resp_err_t e = want->cnt ? rd_kafka_committed(rk, want, META_TIMEOUT_MS) : 0;
    if (e) {
        s->cb_rc = offsets_error(s, "committed offsets", NULL, -1, e, &s->cb_err);
    } else {
        for (int k = 0; k < want->cnt; k++) {
            rd_kafka_topic_partition_t *tp = &want->elems[k];
            int i = split_of(s, find_topic(s, tp->topic, strlen(tp->topic)), tp->partition);
            int64_t committed = tp->err ? -1 : tp->offset; /* -1001 when there is none */
            ksplit *x = &s->sp[i];
            if (x->known)
                x->next = committed > x->next ? committed : x->next;
            else if (committed >= 0)
                x->next = committed;
            x->known = true;
            x->owned = true;
            tp->offset = x->next;
            tp->err = 0;
        }
    }
    if (cooperative(rk)) {
        rd_kafka_error_t *ke = rd_kafka_incremental_assign(rk, want);
        if (ke) {
            if (!s->cb_rc)
                s->cb_rc = eddy_error_set(&s->cb_err, EDDY_ECONNECTOR, 0, 0,
                                          "table '%s': cannot take the partitions of %s that the "
                                          "group assigned: %s",
                                          tname(s), s->what, rd_kafka_error_string(ke));
            rd_kafka_error_destroy(ke);
        }
    } else {
        e = rd_kafka_assign(rk, want);
        if (e && !s->cb_rc)
            s->cb_rc = eddy_error_set(&s->cb_err, EDDY_ECONNECTOR, 0, 0,
                                      "table '%s': cannot take the partitions of %s that the "
                                      "group assigned: %s",
                                      tname(s), s->what, rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(want);
}

/* librdkafka's rebalance callback: runs inside rd_kafka_consumer_poll / consumer_close, on the
 * job's thread. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    kafka_source *s = opaque;
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        group_assign(s, rk, parts);
        return;
    }
    /* revoked (or an error: everything is given up) */
    bool coop = cooperative(rk);
    if (e == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && parts) {
        for (int k = 0; k < parts->cnt; k++) {
            int i = split_of(s, find_topic(s, parts->elems[k].topic, strlen(parts->elems[k].topic)),
                             parts->elems[k].partition);
            if (i >= 0) s->sp[i].owned = false;
        }
    } else {
        coop = false;
    }
    if (!coop)
        for (int i = 0; i < s->nsplits; i++)
            s->sp[i].owned = false;
    drop_pending_unowned(s);
    if (coop) {
        rd_kafka_error_t *ke = rd_kafka_incremental_unassign(rk, parts);
        if (ke) rd_kafka_error_destroy(ke); /* nothing to undo: we stopped reading anyway */
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

static int do_subscribe(kafka_source *s, eddy_error *err)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->ntopics);
    for (int t = 0; t < s->ntopics; t++)
        rd_kafka_topic_partition_list_add(l, s->topics[t].name, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return eddy_error_set(
            err, EDDY_ECONNECTOR, 0, 0,
            "table '%s': cannot subscribe to %s in consumer group '%s': %s", tname(s), s->what,
            eddy_kv_get(s->spec->options, s->spec->noptions, "properties.group.id", "?"),
            rd_kafka_err2str(e));
    s->subscribed = true;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* The source's operations                                                                   */

/* librdkafka's error callback (served inside rd_kafka_consumer_poll, on the job's thread: the
 * main queue is forwarded to the consumer's). Brokers that go away are retried by librdkafka;
 * eddy says so on stderr in its own words: a lost broker at most every 10 s (its partitions
 * wait), all brokers lost once, and their return when messages flow again. */
static void on_error(rd_kafka_t *rk, int code, const char *reason, void *opaque)
{
    kafka_source *s = opaque;
    (void)rk;
    if (code == RD_KAFKA_RESP_ERR__TRANSPORT) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        if (s->said_transport == 0 || now - s->said_transport >= 10000) {
            s->said_transport = now;
            fprintf(stderr,
                    "eddy: table '%s': a Kafka broker is unreachable (%s); its partitions wait "
                    "until it returns\n",
                    tname(s), reason);
        }
    } else if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && !s->brokers_down) {
        s->brokers_down = true;
        fprintf(stderr,
                "eddy: table '%s': all Kafka brokers are unreachable (%s); waiting for them, "
                "reading goes on when one returns\n",
                tname(s), reason);
    }
}

/* 'scan.partitions' = 'topic:0;topic:3' (or '0;3' with one topic): only these splits are read
 * (the others are not owned: they hold no watermark back and are never committed). eddy's own
 * option, for reading a part of a topic by hand, and how `eddy run` gives each task of
 * 'group-tasks' its partition. */
static int restrict_splits(kafka_source *s, const char *list, eddy_error *err)
{
    if (s->group)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "table '%s': 'scan.partitions' cannot be used with "
                              "'scan.partition-assignment' = 'group' (the group assigns them)",
                              tname(s));
    s->restricted = true;
    int listed = 0;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (!*p) break;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && p[n - 1] == ' ')
            n--;
        const char *colon = NULL;
        for (size_t k = 0; k < n; k++)
            if (p[k] == ':') colon = p + k;
        size_t tl = colon ? (size_t)(colon - p) : 0;
        const char *num = colon ? colon + 1 : p;
        char *e;
        long part = strtol(num, &e, 10);
        int found = -1;
        for (int i = 0; i < s->nsplits && e == p + n && num != e; i++) {
            const char *tn = split_topic(s, i);
            bool topic_ok = colon ? strlen(tn) == tl && strncmp(tn, p, tl) == 0 : s->ntopics == 1;
            if (topic_ok && s->sp[i].part == part) found = i;
        }
        if (found < 0)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "option 'scan.partitions' of table '%s': '%.*s' is not a "
                                  "partition of %s (write 'topic:partition;...', or the "
                                  "partition alone with one topic)",
                                  tname(s), (int)n, p, s->what);
        s->sp[found].owned = true;
        listed++;
        p += n;
        while (*p == ' ')
            p++;
    }
    if (listed == 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'scan.partitions' of table '%s' lists no partition",
                              tname(s));
    return 0;
}

static int ks_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {"kafka", spec->options, spec->noptions, err};
    kafka_source *s = eddy_xcalloc(1, sizeof *s);
    s->spec = spec;
    s->table = spec->table;
    s->last_topic = -1;
    const char *servers;
    if (eddy_opt_require(&o, "properties.bootstrap.servers", &servers)) goto fail;
    (void)servers;
    const char *topic = eddy_opt_str(&o, "topic", NULL);
    const char *pattern = eddy_opt_str(&o, "topic-pattern", NULL);
    if ((topic != NULL) == (pattern != NULL)) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       topic ? "table '%s': options 'topic' and 'topic-pattern' cannot both be "
                               "set; give one"
                             : "table '%s': connector 'kafka' needs option 'topic' (a topic or "
                               "a list 'a;b') or 'topic-pattern' (a regular expression)",
                       tname(s));
        goto fail;
    }
    s->pattern = pattern != NULL;
    {
        size_t n = strlen(topic ? topic : pattern) + 40;
        s->what = eddy_xmalloc(n);
        if (pattern)
            snprintf(s->what, n, "topics matching '%s'", pattern);
        else
            snprintf(s->what, n, "%s '%s'", strchr(topic, ';') ? "topics" : "topic", topic);
    }
    static const char *const own[] = {"topic",
                                      "topic-pattern",
                                      "properties.*",
                                      "scan.startup.mode",
                                      "scan.startup.specific-offsets",
                                      "scan.startup.timestamp-millis",
                                      "scan.bounded.mode",
                                      "scan.partition-assignment",
                                      "scan.partitions",
                                      NULL};
    if (eddy_kafka_decoder_new(spec, own, &s->dec, err)) goto fail;
    static const char *const modes[] = {"earliest-offset",  "latest-offset", "group-offsets",
                                        "specific-offsets", "timestamp",     NULL};
    static const char *const bmodes[] = {"unbounded", "latest-offset", NULL};
    static const char *const amodes[] = {"all", "group", "group-tasks", NULL};
    int mode, bmode, amode;
    if (eddy_opt_enum(&o, "scan.startup.mode", modes, START_EARLIEST, &mode) ||
        eddy_opt_enum(&o, "scan.bounded.mode", bmodes, 0, &bmode) ||
        eddy_opt_enum(&o, "scan.partition-assignment", amodes, 0, &amode))
        goto fail;
    s->group = amode == 1;
    if (amode == 2) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': 'scan.partition-assignment' = 'group-tasks' is run by `eddy "
                       "run` (each partition a task of its own, docs/operations.md); it cannot be "
                       "read here (a second source in the job, or a REPL background job)",
                       tname(s));
        goto fail;
    }
    if (mode == START_GROUP && !eddy_opt_has(&o, "properties.group.id")) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': 'scan.startup.mode' = 'group-offsets' needs option "
                       "'properties.group.id'",
                       tname(s));
        goto fail;
    }
    if (s->group && !eddy_opt_has(&o, "properties.group.id")) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': 'scan.partition-assignment' = 'group' needs option "
                       "'properties.group.id' (the processes that share it split the "
                       "partitions)",
                       tname(s));
        goto fail;
    }
    if (s->group && bmode == 1) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': 'scan.bounded.mode' = 'latest-offset' cannot be used with "
                       "'scan.partition-assignment' = 'group' (which partitions a process ends "
                       "on would depend on the group); use 'all' for a bounded read",
                       tname(s));
        goto fail;
    }
    if (topic && parse_topic_list(s, topic, err)) goto fail;
    if (mode == START_SPECIFIC && (s->pattern || s->ntopics != 1)) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': 'scan.startup.mode' = 'specific-offsets' works with one "
                       "'topic' only (as in Flink), not with %s",
                       tname(s), s->what);
        goto fail;
    }
    rd_kafka_conf_t *conf = make_conf(s, spec, err);
    if (!conf) goto fail;
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_conf_set_error_cb(conf, on_error);
    if (s->group) rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    char msg[512];
    s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
    if (!s->rk) {
        rd_kafka_conf_destroy(conf);
        eddy_error_set(err, EDDY_ECONNECTOR, 0, 0, "table '%s': cannot create a Kafka consumer: %s",
                       tname(s), msg);
        goto fail;
    }
    rd_kafka_poll_set_consumer(s->rk); /* errors are served by consumer_poll (on_error) */
    if (!s->pattern && read_listed(s, err)) goto fail;
    if (s->pattern && read_matching(s, pattern, err)) goto fail;
    make_splits(s);
    if (eddy_opt_has(&o, "scan.partitions") &&
        restrict_splits(s, eddy_opt_str(&o, "scan.partitions", ""), err))
        goto fail;
    if (resolve_offsets(s, mode, &o, bmode == 1, err)) goto fail;
    /* the group's first join takes a while: start it now (assignments arrive in poll()) */
    if (s->group && do_subscribe(s, err)) goto fail;
    *state = s;
    return 0;
fail:
    src_free(s);
    return err->code ? err->code : EDDY_EUSAGE;
}

static int ks_splits(void *state)
{
    return ((kafka_source *)state)->nsplits;
}

static bool split_done(const kafka_source *s, int i)
{
    if (s->restricted && !s->sp[i].owned) return true; /* not read here at all */
    return s->sp[i].end >= 0 && s->sp[i].next >= s->sp[i].end;
}

static int do_assign(kafka_source *s, eddy_error *err)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nsplits);
    for (int i = 0; i < s->nsplits; i++)
        if (!split_done(s, i))
            rd_kafka_topic_partition_list_add(l, split_topic(s, i), s->sp[i].part)->offset =
                s->sp[i].next;
    rd_kafka_resp_err_t e = rd_kafka_assign(s->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "table '%s': cannot assign the partitions of %s: %s", tname(s),
                              s->what, rd_kafka_err2str(e));
    s->assigned = true;
    return 0;
}

static int ks_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    kafka_source *s = state;
    bool all_done = true;
    for (int i = 0; i < s->nsplits && all_done; i++)
        if (!split_done(s, i)) all_done = false;
    if (all_done) return EDDY_POLL_END;
    if (!s->group && !s->assigned && do_assign(s, err)) return err->code;
    eddy_kafka_decoder_begin(s->dec);
    int dcap = eddy_kafka_decoder_cap(s->dec);
    int cap = out->cap < dcap ? out->cap : dcap;
    int split = -1;
    int64_t wait = timeout_ms > 0 ? timeout_ms : 0;
    while (eddy_kafka_decoder_rows(s->dec) < cap) {
        rd_kafka_message_t *m = s->pending;
        s->pending = NULL;
        if (!m) m = rd_kafka_consumer_poll(s->rk, (int)wait);
        if (s->cb_rc) { /* the rebalance callback failed */
            if (m) rd_kafka_message_destroy(m);
            s->cb_rc = 0;
            *err = s->cb_err;
            return err->code;
        }
        if (!m) break;
        wait = 0;
        if (m->err) {
            rd_kafka_resp_err_t e = m->err;
            char text[300], where[300] = "";
            snprintf(text, sizeof text, "%s", rd_kafka_message_errstr(m));
            if (m->rkt) snprintf(where, sizeof where, "topic '%s'", rd_kafka_topic_name(m->rkt));
            rd_kafka_message_destroy(m);
            if (e == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
            if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__FATAL ||
                e == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
                return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                      "table '%s': reading %s failed: %s", tname(s),
                                      where[0] ? where : s->what, text);
            continue; /* transient: librdkafka retries */
        }
        if (s->brokers_down) {
            s->brokers_down = false;
            fprintf(stderr, "eddy: table '%s': the Kafka brokers are reachable again\n", tname(s));
        }
        int i = split_of_msg(s, m);
        if (i < 0 || ((s->group || s->restricted) && !s->sp[i].owned) || m->offset < s->sp[i].next ||
            split_done(s, i)) {
            /* unknown, revoked, past the end, or a duplicate after a retry */
            rd_kafka_message_destroy(m);
            continue;
        }
        if (split >= 0 && i != split) {
            s->pending = m;
            break;
        }
        split = i;
        int rc = eddy_kafka_decode(s->dec, m, out, err);
        s->sp[i].next = m->offset + 1;
        rd_kafka_message_destroy(m);
        if (rc < 0) return rc;
        if (split_done(s, i)) break;
    }
    if (eddy_kafka_decoder_rows(s->dec) == 0) {
        for (int i = 0; i < s->nsplits; i++)
            if (!split_done(s, i)) return EDDY_POLL_IDLE;
        return EDDY_POLL_END;
    }
    eddy_kafka_decoder_finish(s->dec, out);
    out->split = split;
    s->rows += (uint64_t)out->n;
    return EDDY_POLL_DATA;
}

static int ks_position(void *state, eddy_strbuf *buf, eddy_error *err)
{
    kafka_source *s = state;
    int rc = eddy_kafka_decoder_flush(s->dec, err);
    if (rc) return rc;
    bool first = true;
    for (int i = 0; i < s->nsplits; i++) {
        if (!s->sp[i].known) continue;
        eddy_strbuf_printf(buf, "%s%s:%" PRId32 ":%" PRId64, first ? "" : ",", split_topic(s, i),
                           s->sp[i].part, s->sp[i].next);
        first = false;
    }
    return 0;
}

/* Parses a position "topic:partition:offset,..." (or "partition:offset,..." of a one-topic
 * source) into next[] (per split; untouched where absent). */
static int parse_position(kafka_source *s, const char *data, size_t len, int64_t *next,
                          eddy_error *err)
{
    char *text = eddy_xmalloc(len + 1);
    memcpy(text, data, len);
    text[len] = 0;
    const char *p = text;
    int rc = 0;
    while (*p && rc == 0) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *c1 = memchr(p, ':', (size_t)(end - p));
        const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
        int t = -1;
        const char *num = p;
        bool ok = c1 != NULL;
        bool skip = false;
        if (ok && c2) { /* topic:partition:offset */
            t = find_topic(s, p, (size_t)(c1 - p));
            num = c1 + 1;
            if (t < 0 && s->pattern) skip = true; /* deleted since, or no longer matching */
            if (t < 0 && !skip) {
                rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                    "table '%s': the kafka position names topic '%.*s', which "
                                    "this source does not read (it reads %s)",
                                    tname(s), (int)(c1 - p), p, s->what);
                break;
            }
        } else if (ok) { /* partition:offset, the older form of one topic */
            ok = s->ntopics == 1 && !s->pattern;
            t = 0;
        }
        char *e = NULL;
        long part = -1;
        long long off = -1;
        if (ok) {
            errno = 0;
            part = strtol(num, &e, 10);
            ok = e != num && *e == ':' && part >= 0;
        }
        if (ok) {
            const char *o = e + 1;
            off = strtoll(o, &e, 10);
            ok = e != o && off >= 0 && errno == 0 && e == end;
        }
        int i = ok && !skip ? split_of(s, t, part) : -1;
        if (!ok || (!skip && i < 0)) {
            if (ok && t >= 0)
                rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                    "table '%s': the kafka position names partition %ld of topic "
                                    "'%s', which has %d partitions",
                                    tname(s), part, s->topics[t].name, s->topics[t].nparts);
            else
                rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                    "table '%s': bad kafka position '%s' (expected "
                                    "'topic:partition:offset,...' for %s)",
                                    tname(s), text, s->what);
            break;
        }
        if (i >= 0) next[i] = off;
        p = *end ? end + 1 : end;
    }
    free(text);
    return rc;
}

static int ks_seek(void *state, const char *data, size_t len, eddy_error *err)
{
    kafka_source *s = state;
    int64_t *next = eddy_xmalloc(sizeof *next * (size_t)(s->nsplits ? s->nsplits : 1));
    for (int i = 0; i < s->nsplits; i++)
        next[i] = -1;
    int rc = parse_position(s, data, len, next, err);
    for (int i = 0; rc == 0 && i < s->nsplits; i++)
        if (next[i] >= 0) {
            s->sp[i].next = next[i];
            s->sp[i].known = true;
        }
    free(next);
    return rc;
}

/* After a checkpoint: its offsets go to the consumer group (asynchronously), so that lag tools
 * see progress; eddy restarts from the checkpoint, not from these. In 'group' mode only the
 * partitions this process owns now are committed (the others are another member's). */
static int ks_commit_offsets(void *state, const char *pos, size_t len, eddy_error *err)
{
    kafka_source *s = state;
    int64_t *next = eddy_xmalloc(sizeof *next * (size_t)(s->nsplits ? s->nsplits : 1));
    for (int i = 0; i < s->nsplits; i++)
        next[i] = -1;
    int rc = parse_position(s, pos, len, next, err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nsplits);
    for (int i = 0; rc == 0 && i < s->nsplits; i++)
        if (next[i] >= 0 && ((!s->group && !s->restricted) || s->sp[i].owned))
            rd_kafka_topic_partition_list_add(l, split_topic(s, i), s->sp[i].part)->offset =
                next[i];
    free(next);
    if (rc == 0 && l->cnt > 0) {
        rd_kafka_resp_err_t e = rd_kafka_commit(s->rk, l, 1);
        if (e)
            rc = eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                "table '%s': committing offsets of %s to the consumer group "
                                "failed: %s",
                                tname(s), s->what, rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

static bool ks_split_owned(void *state, int split)
{
    kafka_source *s = state;
    if (split < 0 || split >= s->nsplits) return false;
    return (!s->group && !s->restricted) || s->sp[split].owned;
}

static int64_t ks_lag(void *state, int split)
{
    kafka_source *s = state;
    if (!ks_split_owned(state, split)) return -1;
    int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(s->rk, split_topic(s, split), s->sp[split].part, &low,
                                       &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0)
        return -1;
    return high > s->sp[split].next ? high - s->sp[split].next : 0;
}

/* "topic:partition", the split's label in the metrics (runtime/metrics.h). */
static void ks_split_name(void *state, int split, char *buf, size_t n)
{
    kafka_source *s = state;
    if (split < 0 || split >= s->nsplits) snprintf(buf, n, "%d", split);
    else snprintf(buf, n, "%s:%" PRId32, split_topic(s, split), s->sp[split].part);
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
const eddy_source_ops eddy_kafka_source_ops = {
    .name = "kafka",
    .open = ks_open,
    .splits = ks_splits,
    .poll = ks_poll,
    .position = ks_position,
    .seek = ks_seek,
    .commit_offsets = ks_commit_offsets,
    .split_owned = ks_split_owned,
    .lag = ks_lag,
    .split_name = ks_split_name,
    .progress = ks_progress,
    .close = ks_close,
};
