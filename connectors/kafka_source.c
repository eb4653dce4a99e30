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
 * partition reached the end offset it had when the source opened); 'format' = 'json' | 'csv' |
 * 'raw' (one STRING or BYTES column holding the value) with the format's own options.
 * Metadata columns: 'partition' (INT), 'offset' (BIGINT), 'timestamp' (TIMESTAMP_LTZ(3)), 'key'
 * (BYTES or STRING; NULL without a key).
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
 *   - A message that cannot be decoded fails the job with an error naming topic, partition and
 *     offset, or, with 'json.ignore-parse-errors' / 'csv.ignore-parse-errors', goes to
 *     spec->bad_record() with that place and is skipped (as the filesystem source does).
 *   - Values are decoded into a scratch batch of the physical columns (strings copied into its
 *     arena), whose columns are then copied into the output and the metadata columns filled;
 *     the scratch batch is reset only at the next poll(), after the output was pushed.
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
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/options.h"
#include "runtime/connector.h"

#define META_TIMEOUT_MS 10000 /* metadata and offset queries at open */

enum { FMT_JSON, FMT_CSV, FMT_RAW };
enum { META_NONE = -1, META_PARTITION, META_OFFSET, META_TIMESTAMP, META_KEY };
enum { START_EARLIEST, START_LATEST, START_GROUP, START_SPECIFIC, START_TIMESTAMP };

typedef struct kafka_source {
    const eddy_source_spec *spec;
    const char *table;
    char *topic;
    rd_kafka_t *rk;
    int nparts;
    int64_t *next;     /* next offset to read per partition */
    int64_t *end;      /* bounded: end offset per partition; else NULL */
    bool assigned;
    rd_kafka_message_t *pending; /* a message read but not yet returned */
    int format;
    bool ignore_errors;
    eddy_json_options json;
    eddy_csv_options csv;
    eddy_json_decoder *jd;
    eddy_csv_decoder *cd;
    eddy_schema phys;  /* the physical (non-metadata) columns */
    int *phys_col;     /* output column of physical column k */
    int *meta;         /* META_* per output column */
    eddy_batch *scratch;
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
    eddy_json_decoder_free(s->jd);
    eddy_csv_decoder_free(s->cd);
    if (s->scratch) eddy_batch_free(s->scratch);
    free(s->phys.fields);
    free(s->phys_col);
    free(s->meta);
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
        while (*p == ' ' || *p == ';') p++;
        if (!*p) break;
        long part;
        long long off;
        int used = 0;
        if (sscanf(p, " partition : %ld , offset : %lld%n", &part, &off, &used) != 2 || used == 0)
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
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
        while (*p == ' ') p++;
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

/* Sorts the output columns into physical ones and metadata ones, and checks the latter. */
static int split_columns(kafka_source *s, const eddy_source_spec *spec, eddy_error *err)
{
    const eddy_schema *sch = spec->schema;
    size_t nc = (size_t)(sch->n ? sch->n : 1);
    s->meta = eddy_xcalloc(nc, sizeof(int));
    s->phys_col = eddy_xcalloc(nc, sizeof(int));
    s->phys.fields = eddy_xcalloc(nc, sizeof(eddy_field));
    for (int i = 0; i < sch->n; i++) {
        const char *m = spec->metadata ? spec->metadata[i] : NULL;
        const eddy_sqltype *t = sch->fields[i].type;
        eddy_phys ph = eddy_phys_of(t);
        if (!m) {
            s->meta[i] = META_NONE;
            s->phys_col[s->phys.n] = i;
            s->phys.fields[s->phys.n++] = sch->fields[i];
            continue;
        }
        bool ok;
        if (strcmp(m, "partition") == 0) {
            s->meta[i] = META_PARTITION;
            ok = ph == EDDY_PHYS_I64;
        } else if (strcmp(m, "offset") == 0) {
            s->meta[i] = META_OFFSET;
            ok = ph == EDDY_PHYS_I64;
        } else if (strcmp(m, "timestamp") == 0) {
            s->meta[i] = META_TIMESTAMP;
            ok = t->kind == EDDY_TYPE_TIMESTAMP_LTZ || t->kind == EDDY_TYPE_TIMESTAMP;
        } else if (strcmp(m, "key") == 0) {
            s->meta[i] = META_KEY;
            ok = ph == EDDY_PHYS_STR;
        } else {
            return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                  "connector 'kafka' has no metadata '%s' (table '%s'); it has "
                                  "'partition', 'offset', 'timestamp' and 'key'",
                                  m, tname(s));
        }
        if (!ok)
            return eddy_error_set(err, EDDY_EBIND, 0, 0,
                                  "metadata '%s' of connector 'kafka' (column '%s' of table '%s') "
                                  "must be declared %s",
                                  m, sch->fields[i].name, tname(s),
                                  s->meta[i] == META_PARTITION ? "INT"
                                  : s->meta[i] == META_OFFSET  ? "BIGINT"
                                  : s->meta[i] == META_KEY     ? "BYTES or STRING"
                                                               : "TIMESTAMP_LTZ(3)");
    }
    return 0;
}

/* Makes the decoders for the physical columns. */
static int make_decoders(kafka_source *s, const eddy_source_spec *spec, eddy_error *err)
{
    int n = s->phys.n;
    size_t nc = (size_t)(n ? n : 1);
    const char *const **paths = NULL;
    int *npath = NULL;
    if (spec->paths) {
        paths = eddy_xcalloc(nc, sizeof *paths);
        npath = eddy_xcalloc(nc, sizeof(int));
        for (int k = 0; k < n; k++) {
            paths[k] = spec->paths[s->phys_col[k]];
            npath[k] = spec->npath[s->phys_col[k]];
        }
    }
    int rc = 0;
    if (s->format == FMT_RAW) {
        if (n != 1 || eddy_phys_of(s->phys.fields[0].type) != EDDY_PHYS_STR ||
            (paths && npath[0] != 1))
            rc = eddy_error_set(err, EDDY_EBIND, 0, 0,
                                "format 'raw' of table '%s' needs exactly one physical column "
                                "of type STRING or BYTES (besides metadata columns)",
                                tname(s));
    } else if (s->format == FMT_JSON) {
        s->jd = eddy_json_decoder_new(&s->phys, paths, npath, &s->json);
    } else {
        /* CSV is positional: a column's field is its place among the table's physical columns */
        int *pos = eddy_xcalloc(nc, sizeof(int));
        int nfields = -1;
        const eddy_schema *tp = spec->physical && spec->physical->n ? spec->physical : NULL;
        for (int k = 0; k < n && rc == 0; k++) {
            const char *name = paths ? paths[k][0] : s->phys.fields[k].name;
            if (paths && npath[k] != 1) {
                rc = eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                    "format 'csv' cannot read nested field '%s.%s' (table '%s')",
                                    name, paths[k][1], tname(s));
            } else if (!tp) {
                pos[k] = k;
            } else {
                pos[k] = -1;
                for (int j = 0; j < tp->n; j++)
                    if (strcmp(tp->fields[j].name, name) == 0) pos[k] = j;
                nfields = tp->n;
                if (pos[k] < 0)
                    rc = eddy_error_set(err, EDDY_EBIND, 0, 0,
                                        "column '%s' is not a column of table '%s'", name,
                                        tname(s));
            }
        }
        if (rc == 0) s->cd = eddy_csv_decoder_new(&s->phys, pos, nfields, &s->csv);
        free(pos);
    }
    free(paths);
    free(npath);
    return rc;
}

/* Finds the partitions of the topic. */
static int read_partitions(kafka_source *s, eddy_error *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(s->rk, s->topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(s->rk, 0, rkt, &md, META_TIMEOUT_MS);
    rd_kafka_topic_destroy(rkt);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "table '%s': cannot read the metadata of topic '%s' from '%s': %s; "
                              "check 'properties.bootstrap.servers' and that the brokers run",
                              tname(s), s->topic,
                              eddy_kv_get(s->spec->options, s->spec->noptions,
                                          "properties.bootstrap.servers", "?"),
                              rd_kafka_err2str(e));
    int rc = 0;
    if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
        md->topics[0].partition_cnt <= 0) {
        rc = eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                            "table '%s': topic '%s' was not found (%s); create it first",
                            tname(s), s->topic,
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
            rd_kafka_resp_err_t e =
                mode == START_GROUP ? rd_kafka_committed(s->rk, l, META_TIMEOUT_MS)
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
    const char *topic, *servers, *format;
    if (eddy_opt_require(&o, "topic", &topic) ||
        eddy_opt_require(&o, "properties.bootstrap.servers", &servers) ||
        eddy_opt_require(&o, "format", &format))
        goto fail;
    (void)servers;
    if (strchr(topic, ';')) {
        eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                       "table '%s': connector 'kafka' reads one topic for now, not the list '%s'",
                       tname(s), topic);
        goto fail;
    }
    s->topic = eddy_xstrdup(topic);
    const char *known[64];
    int nk = 0;
    static const char *const own[] = {
        "topic", "properties.*", "format", "scan.startup.mode", "scan.startup.specific-offsets",
        "scan.startup.timestamp-millis", "scan.bounded.mode", NULL};
    for (int i = 0; own[i]; i++) known[nk++] = own[i];
    if (strcasecmp(format, "json") == 0) {
        s->format = FMT_JSON;
        for (int i = 0; eddy_json_option_keys[i]; i++) known[nk++] = eddy_json_option_keys[i];
    } else if (strcasecmp(format, "csv") == 0) {
        s->format = FMT_CSV;
        for (int i = 0; eddy_csv_option_keys[i]; i++) known[nk++] = eddy_csv_option_keys[i];
    } else if (strcasecmp(format, "raw") == 0) {
        s->format = FMT_RAW;
    } else {
        eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                       "format '%s' of table '%s' is not supported by connector 'kafka'; use "
                       "'json', 'csv' or 'raw'",
                       format, tname(s));
        goto fail;
    }
    known[nk] = NULL;
    if (eddy_opt_check_known(&o, known)) goto fail;
    if (s->format == FMT_JSON) {
        if (eddy_json_options_read(&o, &s->json)) goto fail;
        s->ignore_errors = s->json.ignore_parse_errors;
    } else if (s->format == FMT_CSV) {
        if (eddy_csv_options_read(&o, &s->csv)) goto fail;
        s->ignore_errors = s->csv.ignore_parse_errors;
    }
    static const char *const modes[] = {"earliest-offset", "latest-offset", "group-offsets",
                                        "specific-offsets", "timestamp", NULL};
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
    if (split_columns(s, spec, err) || make_decoders(s, spec, err)) goto fail;

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
    const eddy_sqltype *types[256];
    if (s->phys.n > 256) {
        eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0, "table '%s' has more than 256 columns",
                       tname(s));
        goto fail;
    }
    for (int k = 0; k < s->phys.n; k++) types[k] = s->phys.fields[k].type;
    s->scratch = eddy_batch_new(s->phys.n, types, spec->batch_rows > 0 ? spec->batch_rows
                                                                       : EDDY_BATCH_ROWS);
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
        if (!part_done(s, p)) rd_kafka_topic_partition_list_add(l, s->topic, p)->offset = s->next[p];
    rd_kafka_resp_err_t e = rd_kafka_assign(s->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "table '%s': cannot assign the partitions of topic '%s': %s",
                              tname(s), s->topic, rd_kafka_err2str(e));
    s->assigned = true;
    return 0;
}

/* Decodes message m into row scratch->n (and out's metadata cells of that row). 0, 1 when it
 * was skipped as bad, or a negative error. */
static int decode(kafka_source *s, const rd_kafka_message_t *m, eddy_batch *out, eddy_error *err)
{
    eddy_batch *sb = s->scratch;
    int row = sb->n;
    const char *val = m->payload;
    size_t len = m->payload ? m->len : 0;
    int rc = 0;
    const char *why = NULL;
    if (s->format == FMT_RAW) {
        if (!m->payload) {
            eddy_col_nulls(sb, 0)[row] = 1;
        } else {
            sb->cols[0].v.str[row] = eddy_batch_str(sb, val, len);
            if (sb->cols[0].nulls) sb->cols[0].nulls[row] = 0;
        }
        sb->n++;
    } else if (!m->payload) {
        rc = EDDY_EDATA;
        why = "the message has no value (a tombstone)";
    } else if (s->format == FMT_JSON) {
        rc = eddy_json_decode(s->jd, val, len, sb, false);
        if (rc) why = eddy_json_decoder_error(s->jd);
    } else {
        size_t content = len;
        while (content && (val[content - 1] == '\n' || val[content - 1] == '\r')) content--;
        int before = sb->n;
        rc = eddy_csv_decode(s->cd, val, content, sb, false);
        if (rc) why = eddy_csv_decoder_error(s->cd);
        else if (sb->n == before) return 1; /* a comment line */
    }
    if (rc) {
        if (!s->ignore_errors)
            return eddy_error_set(err, EDDY_EDATA, 0, 0,
                                  "topic %s, partition %" PRId32 ", offset %" PRId64 ": %s",
                                  s->topic, m->partition, m->offset, why);
        if (s->spec->bad_record) {
            char where[600];
            snprintf(where, sizeof where, "topic %s, partition %" PRId32 ", offset %" PRId64,
                     s->topic, m->partition, m->offset);
            s->spec->bad_record(s->spec->ctx, where, why);
        }
        return 1;
    }
    for (int c = 0; c < out->ncols; c++) {
        eddy_col *col = &out->cols[c];
        switch (s->meta[c]) {
        case META_PARTITION: col->v.i64[row] = m->partition; break;
        case META_OFFSET: col->v.i64[row] = m->offset; break;
        case META_TIMESTAMP: {
            rd_kafka_timestamp_type_t tt;
            int64_t ts = rd_kafka_message_timestamp(m, &tt);
            if (tt == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < 0) {
                eddy_col_nulls(out, c)[row] = 1;
                continue;
            }
            col->v.i64[row] = ts;
            break;
        }
        case META_KEY:
            if (!m->key) {
                eddy_col_nulls(out, c)[row] = 1;
                continue;
            }
            col->v.str[row] = eddy_batch_str(out, m->key, m->key_len);
            break;
        default: continue;
        }
        if (col->nulls) col->nulls[row] = 0;
    }
    return 0;
}

/* Moves the scratch batch's physical columns into out. */
static void finish_batch(kafka_source *s, eddy_batch *out)
{
    eddy_batch *sb = s->scratch;
    int n = sb->n;
    for (int k = 0; k < s->phys.n; k++) {
        eddy_col *from = &sb->cols[k], *to = &out->cols[s->phys_col[k]];
        memcpy(to->v.ptr, from->v.ptr, (size_t)n * eddy_phys_size(from->phys));
        if (from->nulls)
            memcpy(eddy_col_nulls(out, s->phys_col[k]), from->nulls, (size_t)n);
        else if (to->nulls)
            memset(to->nulls, 0, (size_t)n);
    }
    out->n = n;
}

static int ks_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    kafka_source *s = state;
    bool all_done = true;
    for (int p = 0; p < s->nparts; p++)
        if (!part_done(s, p)) all_done = false;
    if (all_done) return EDDY_POLL_END;
    if (!s->assigned && do_assign(s, err)) return err->code;
    eddy_batch_reset(s->scratch);
    int cap = out->cap < s->scratch->cap ? out->cap : s->scratch->cap;
    int part = -1;
    int64_t wait = timeout_ms > 0 ? timeout_ms : 0;
    while (s->scratch->n < cap) {
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
        int rc = decode(s, m, out, err);
        s->next[p] = m->offset + 1;
        rd_kafka_message_destroy(m);
        if (rc < 0) return rc;
        if (part_done(s, p)) break;
    }
    if (s->scratch->n == 0) {
        for (int p = 0; p < s->nparts; p++)
            if (!part_done(s, p)) return EDDY_POLL_IDLE;
        return EDDY_POLL_END;
    }
    finish_batch(s, out);
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
    for (int p = 0; p < s->nparts; p++) next[p] = -1;
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
