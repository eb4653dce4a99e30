/*
 * kafka_decode.c: Kafka messages to rows (kafka_decode.h): the value and key formats, metadata
 * columns, bad messages and the dead-letter topic.
 *
 * Options read here (Flink's names, and Flink's behaviour where eddy has the feature):
 *   'format' or its synonym 'value.format' = 'json' | 'csv' | 'raw' (one STRING or BYTES column
 *   holding the value), with the format's options as 'json.*' / 'csv.*' (or 'value.json.*' /
 *   'value.csv.*' with 'value.format'; setting both 'format' and 'value.format' is an error);
 *   'key.format' (json | csv | raw, options 'key.json.*' / 'key.csv.*') + 'key.fields' ('a;b':
 *   physical columns decoded from the message key; each option needs the other);
 *   'key.fields-prefix' (the key fields' columns carry it, the key format's field names do not;
 *   needs EXCEPT_KEY); 'value.fields-include' = 'ALL' (default) | 'EXCEPT_KEY';
 *   'dead-letter.topic' and 'dead-letter.properties.*' (eddy's own).
 * Metadata columns: 'partition' (INT), 'offset' (BIGINT), 'timestamp' (TIMESTAMP_LTZ(3)), 'key'
 * (BYTES or STRING; NULL without a key), 'headers' (STRING: a JSON object, see below),
 * 'timestamp-type' (STRING: NoTimestampType, CreateTime or LogAppendTime), 'topic' (STRING).
 *
 * Rules:
 *   - Key and value are each a "side": the physical output columns it decodes, a format decoder
 *     and a scratch batch. With EXCEPT_KEY the key fields come from the key and the value's
 *     fields are the other physical columns (a CSV value's field k is the k-th physical column
 *     that is not a key field; a CSV key's field k is the k-th entry of 'key.fields'). With ALL
 *     the value holds every physical column and its fields win, as in Flink (whose output row
 *     takes the value's fields after the key's); the key is still decoded, so a bad key is a bad
 *     message either way. A message without a key gives NULL key columns (Flink fails there).
 *   - A message that cannot be decoded (value, key, or a tombstone with json/csv) is a bad
 *     message named by topic, partition and offset. With 'dead-letter.topic' it is produced
 *     unchanged (key, value, headers, timestamp) to that topic with the headers 'eddy.error',
 *     'eddy.topic', 'eddy.partition', 'eddy.offset' added, reported to spec->bad_record() and
 *     skipped; otherwise, with ignore-parse-errors set for the side that failed
 *     ('json.ignore-parse-errors', 'key.csv.ignore-parse-errors', ...), reported and skipped;
 *     otherwise the job fails.
 *   - Dead letters go through a producer of their own, created at open (bootstrap servers from
 *     'properties.bootstrap.servers' unless 'dead-letter.properties.bootstrap.servers' says
 *     otherwise). Its delivery reports are served here, on the job's thread (rd_kafka_poll and
 *     rd_kafka_flush are only called from decode, flush and free), so no lock is needed. A
 *     failed delivery is remembered and fails the next decode() or flush(). flush() waits until
 *     every dead letter so far is acknowledged (librdkafka gives up on a message after its
 *     'message.timeout.ms', so it ends); free() waits at most 5 s (what is lost there was not
 *     covered by a checkpoint and is read again after a restart).
 *   - 'headers' is a JSON object text, compact: {"name":"value",...} in the message's order,
 *     duplicates kept, a NULL value as null, bytes that are not UTF-8 as \ufffd; no headers
 *     give {}. eddy has no MAP at runtime yet; a MAP column is refused with a hint.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "common/strbuf.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/kafka_conf.h"
#include "connectors/kafka_decode.h"
#include "connectors/options.h"

#define DLQ_CLOSE_WAIT_MS 5000

enum { FMT_NONE = -1, FMT_JSON, FMT_CSV, FMT_RAW };
enum {
    META_NONE = -1,
    META_PARTITION,
    META_OFFSET,
    META_TIMESTAMP,
    META_KEY,
    META_HEADERS,
    META_TIMESTAMP_TYPE,
    META_TOPIC
};

/* One part of a message that a format decodes: the value or the key. */
typedef struct side {
    int fmt;                /* FMT_*; FMT_NONE: the part is not decoded */
    bool ignore_errors;     /* the format's ignore-parse-errors */
    bool copy;              /* finish() copies its columns into out */
    eddy_json_options json; /* its format's options */
    eddy_csv_options csv;
    eddy_json_decoder *jd;
    eddy_csv_decoder *cd;
    eddy_schema cols;   /* output columns it decodes (fields borrowed from spec) */
    int *out_col;       /* output column of cols.fields[k] */
    const char **name0; /* first path element per column, as the format names it */
    char **owned;       /* names made here (prefix removed), freed with the side */
    int nowned;
    eddy_batch *scratch; /* decoded rows of this batch */
} side;

struct eddy_kafka_decoder {
    const eddy_source_spec *spec;
    const char *table; /* for messages */
    side value, key;   /* the two decoded parts */
    int *meta;         /* META_* per output column */
    eddy_strbuf hbuf;  /* headers JSON of the current message */
    /* dead letters */
    rd_kafka_t *dlq; /* producer, or NULL without 'dead-letter.topic' */
    char *dlq_topic;
    bool dlq_failed;   /* a delivery failed: the job fails */
    char dlq_why[600]; /* which dead letter, and why */
};

static const char *tname(const eddy_kafka_decoder *s)
{
    return s->table ? s->table : "?";
}

static void side_free(side *sd)
{
    eddy_json_decoder_free(sd->jd);
    eddy_csv_decoder_free(sd->cd);
    if (sd->scratch) eddy_batch_free(sd->scratch);
    free(sd->cols.fields);
    free(sd->out_col);
    free(sd->name0);
    for (int i = 0; i < sd->nowned; i++)
        free(sd->owned[i]);
    free(sd->owned);
}

void eddy_kafka_decoder_free(eddy_kafka_decoder *s)
{
    if (!s) return;
    if (s->dlq) {
        rd_kafka_flush(s->dlq, DLQ_CLOSE_WAIT_MS);
        rd_kafka_destroy(s->dlq);
    }
    free(s->dlq_topic);
    side_free(&s->value);
    side_free(&s->key);
    free(s->meta);
    eddy_strbuf_free(&s->hbuf);
    free(s);
}

/* ---------------------------------------------------------------------------------------- */
/* Options                                                                                  */

/* The options whose keys start with prefix, the prefix removed ('key.json.x' -> 'json.x'),
 * into kv (room for o->n entries). */
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

/* Reads a side's format options (those starting with prefix: "", "value." or "key."). */
static int read_format_options(side *sd, const eddy_optset *o, const char *prefix, eddy_error *err)
{
    eddy_kv *kv = eddy_xcalloc((size_t)o->n + 1, sizeof *kv);
    eddy_optset so = {"kafka", kv, strip_prefix(o, prefix, kv), err};
    int rc = 0;
    eddy_csv_options_default(&sd->csv);
    if (sd->fmt == FMT_JSON) {
        rc = eddy_json_options_read(&so, &sd->json);
        sd->ignore_errors = sd->json.ignore_parse_errors;
    } else if (sd->fmt == FMT_CSV) {
        rc = eddy_csv_options_read(&so, &sd->csv);
        sd->ignore_errors = sd->csv.ignore_parse_errors;
    }
    free(kv);
    return rc;
}

/* The format named by option key (FMT_NONE when absent). */
static int format_of(const eddy_optset *o, const char *table, const char *key, int *out)
{
    const char *f = eddy_opt_str(o, key, NULL);
    *out = FMT_NONE;
    if (!f) return 0;
    if (strcasecmp(f, "json") == 0)
        *out = FMT_JSON;
    else if (strcasecmp(f, "csv") == 0)
        *out = FMT_CSV;
    else if (strcasecmp(f, "raw") == 0)
        *out = FMT_RAW;
    else
        return eddy_error_set(o->err, EDDY_EUNSUPPORTED, 0, 0,
                              "format '%s' ('%s') of table '%s' is not supported by connector "
                              "'kafka'; use 'json', 'csv' or 'raw'",
                              f, key, table);
    return 0;
}

/* Adds the keys of format fmt with prefix ("key.json.ignore-parse-errors") to known[]. */
static void add_format_keys(const char **known, int *nk, int max, char (*pool)[64], int *np,
                            int maxpool, int fmt, const char *prefix)
{
    const char *const *keys = fmt == FMT_JSON  ? eddy_json_option_keys
                              : fmt == FMT_CSV ? eddy_csv_option_keys
                                               : NULL;
    for (int i = 0; keys && keys[i] && *nk < max && *np < maxpool; i++) {
        snprintf(pool[*np], 64, "%s%s", prefix, keys[i]);
        known[(*nk)++] = pool[(*np)++];
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Columns                                                                                  */

/* The metadata keys and the type each needs (for messages). */
static const struct {
    const char *key;
    int meta;
    const char *type;
} meta_keys[] = {
    {"partition", META_PARTITION, "INT"},
    {"offset", META_OFFSET, "BIGINT"},
    {"timestamp", META_TIMESTAMP, "TIMESTAMP_LTZ(3)"},
    {"key", META_KEY, "BYTES or STRING"},
    {"headers", META_HEADERS, "STRING"},
    {"timestamp-type", META_TIMESTAMP_TYPE, "STRING"},
    {"topic", META_TOPIC, "STRING"},
};
#define NMETA ((int)(sizeof meta_keys / sizeof meta_keys[0]))

static bool is_string_type(const eddy_sqltype *t)
{
    return t->kind == EDDY_TYPE_VARCHAR || t->kind == EDDY_TYPE_CHAR;
}

/* Checks metadata column i (key m); sets s->meta[i]. */
static int check_metadata(eddy_kafka_decoder *s, int i, const char *m, eddy_error *err)
{
    const eddy_schema *sch = s->spec->schema;
    const eddy_sqltype *t = sch->fields[i].type;
    int k = 0;
    while (k < NMETA && strcmp(meta_keys[k].key, m) != 0)
        k++;
    if (k == NMETA)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "connector 'kafka' has no metadata '%s' (table '%s'); it has "
                              "'partition', 'offset', 'timestamp', 'timestamp-type', 'topic', "
                              "'key' and 'headers'",
                              m, tname(s));
    int meta = meta_keys[k].meta;
    s->meta[i] = meta;
    bool ok;
    switch (meta) {
    case META_PARTITION:
    case META_OFFSET:
        ok = eddy_phys_of(t) == EDDY_PHYS_I64 && t->kind != EDDY_TYPE_TIMESTAMP &&
             t->kind != EDDY_TYPE_TIMESTAMP_LTZ;
        break;
    case META_TIMESTAMP:
        ok = t->kind == EDDY_TYPE_TIMESTAMP_LTZ || t->kind == EDDY_TYPE_TIMESTAMP;
        break;
    case META_KEY:
        ok = eddy_phys_of(t) == EDDY_PHYS_STR;
        break;
    case META_HEADERS:
        if (t->kind == EDDY_TYPE_MAP)
            return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                  "metadata 'headers' of connector 'kafka' (column '%s' of table "
                                  "'%s'): eddy has no MAP type at run time yet; declare the "
                                  "column STRING for now: it holds the headers as a JSON object "
                                  "{\"name\":\"value\",...}",
                                  sch->fields[i].name, tname(s));
        ok = is_string_type(t);
        break;
    default:
        ok = is_string_type(t);
        break;
    }
    if (!ok)
        return eddy_error_set(err, EDDY_EBIND, 0, 0,
                              "metadata '%s' of connector 'kafka' (column '%s' of table '%s') "
                              "must be declared %s",
                              m, sch->fields[i].name, tname(s), meta_keys[k].type);
    return 0;
}

/* The top-level name of output column i (its path's first name). */
static const char *top_name(const eddy_source_spec *spec, int i)
{
    return spec->paths ? spec->paths[i][0] : spec->schema->fields[i].name;
}

/* The table's physical columns: spec->physical, or the physical output columns when it is not
 * known. names[] gets their names, types[] their types; returns the count. */
static int physical_columns(const eddy_kafka_decoder *s, const char **names,
                            const eddy_sqltype **types, int max)
{
    const eddy_source_spec *spec = s->spec;
    int n = 0;
    if (spec->physical && spec->physical->n) {
        for (int j = 0; j < spec->physical->n && n < max; j++) {
            names[n] = spec->physical->fields[j].name;
            types[n++] = spec->physical->fields[j].type;
        }
        return n;
    }
    for (int i = 0; i < spec->schema->n && n < max; i++) {
        if (spec->metadata && spec->metadata[i]) continue;
        const char *nm = top_name(spec, i);
        bool dup = false;
        for (int j = 0; j < n; j++)
            dup = dup || strcmp(names[j], nm) == 0;
        if (dup) continue;
        names[n] = nm;
        types[n++] = spec->paths && spec->npath[i] > 1 ? NULL : spec->schema->fields[i].type;
    }
    return n;
}

#define MAXCOLS 256

typedef struct keyinfo {
    int n;                     /* number of key fields */
    const char *name[MAXCOLS]; /* their column names (with the prefix) */
    const eddy_sqltype *type[MAXCOLS];
} keyinfo;

/* Parses 'key.fields' against the physical columns. */
static int parse_key_fields(eddy_kafka_decoder *s, const char *list, const char *prefix,
                            keyinfo *ki, eddy_error *err)
{
    const char *pn[MAXCOLS];
    const eddy_sqltype *pt[MAXCOLS];
    int np = physical_columns(s, pn, pt, MAXCOLS);
    const char *p = list;
    ki->n = 0;
    while (*p) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        if (n) {
            int c = -1;
            for (int j = 0; j < np; j++)
                if (strlen(pn[j]) == n && strncmp(pn[j], p, n) == 0) c = j;
            if (c < 0) {
                eddy_strbuf cols = {0};
                for (int j = 0; j < np; j++)
                    eddy_strbuf_printf(&cols, "%s'%s'", j ? ", " : "", pn[j]);
                eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                               "option 'key.fields' of table '%s' names '%.*s', which is not a "
                               "physical column of the table (a key field must be a regular, "
                               "physical column, not a metadata or computed one); the physical "
                               "columns are %s",
                               tname(s), (int)n, p, eddy_strbuf_cstr(&cols));
                eddy_strbuf_free(&cols);
                return err->code;
            }
            if (prefix && strncmp(pn[c], prefix, strlen(prefix)) != 0)
                return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                      "option 'key.fields' of table '%s': field '%s' does not "
                                      "start with '%s'; with 'key.fields-prefix' every key field "
                                      "must carry the prefix",
                                      tname(s), pn[c], prefix);
            bool dup = false;
            for (int k = 0; k < ki->n; k++)
                dup = dup || ki->name[k] == pn[c];
            if (!dup && ki->n < MAXCOLS) {
                ki->name[ki->n] = pn[c];
                ki->type[ki->n++] = pt[c];
            }
        }
        if (!q) break;
        p = q + 1;
    }
    if (ki->n == 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'key.fields' of table '%s' is empty: name the key's "
                              "columns separated by ';' ('user_id;item')",
                              tname(s));
    return 0;
}

static int key_index(const keyinfo *ki, const char *name)
{
    for (int k = 0; ki && k < ki->n; k++)
        if (strcmp(ki->name[k], name) == 0) return k;
    return -1;
}

static void side_add(side *sd, const eddy_field *f, int out, const char *name0, size_t cap)
{
    if (!sd->cols.fields) {
        sd->cols.fields = eddy_xcalloc(cap, sizeof(eddy_field));
        sd->out_col = eddy_xcalloc(cap, sizeof(int));
        sd->name0 = eddy_xcalloc(cap, sizeof(char *));
    }
    sd->out_col[sd->cols.n] = out;
    sd->name0[sd->cols.n] = name0;
    sd->cols.fields[sd->cols.n++] = *f;
}

/* Sorts the output columns into metadata, value and key ones. ki: the key fields, or NULL. */
static int split_columns(eddy_kafka_decoder *s, const keyinfo *ki, bool except_key,
                         const char *prefix, eddy_error *err)
{
    const eddy_source_spec *spec = s->spec;
    const eddy_schema *sch = spec->schema;
    size_t nc = (size_t)(sch->n ? sch->n : 1);
    s->meta = eddy_xcalloc(nc, sizeof(int));
    s->key.owned = eddy_xcalloc(nc, sizeof(char *));
    for (int i = 0; i < sch->n; i++) {
        const char *m = spec->metadata ? spec->metadata[i] : NULL;
        s->meta[i] = META_NONE;
        if (m) {
            if (check_metadata(s, i, m, err)) return err->code;
            continue;
        }
        const char *top = top_name(spec, i);
        bool in_key = key_index(ki, top) >= 0;
        if (!in_key || !except_key) side_add(&s->value, &sch->fields[i], i, top, nc);
        if (in_key) {
            /* the key format names the field without the prefix */
            const char *kname = top;
            if (prefix && *prefix) {
                char *own = eddy_xstrdup(top + strlen(prefix));
                s->key.owned[s->key.nowned++] = own;
                kname = own;
            }
            side_add(&s->key, &sch->fields[i], i, kname, nc);
        }
    }
    s->key.copy = except_key;
    s->value.copy = true;
    return 0;
}

/* Makes side sd's decoder. what = "value" or "key"; for CSV, fields[] are the names of the
 * record's fields in order (nfields of them; field names as the output columns' top names),
 * and a record must have check_fields fields (-1: at least as many as it needs). */
static int make_decoder(eddy_kafka_decoder *s, side *sd, const char *what,
                        const char *const *fields, int nfields, int check_fields, eddy_error *err)
{
    const eddy_source_spec *spec = s->spec;
    int n = sd->cols.n;
    size_t nc = (size_t)(n ? n : 1);
    const char ***paths = eddy_xcalloc(nc, sizeof *paths);
    const char **pathmem = NULL;
    int *npath = eddy_xcalloc(nc, sizeof(int));
    int total = 0;
    for (int k = 0; k < n; k++)
        total += spec->paths ? spec->npath[sd->out_col[k]] : 1;
    pathmem = eddy_xcalloc((size_t)(total ? total : 1), sizeof(char *));
    int used = 0;
    for (int k = 0; k < n; k++) {
        int i = sd->out_col[k];
        int np = spec->paths ? spec->npath[i] : 1;
        paths[k] = &pathmem[used];
        pathmem[used] = sd->name0[k];
        for (int j = 1; j < np; j++)
            pathmem[used + j] = spec->paths[i][j];
        npath[k] = np;
        used += np;
    }
    int rc = 0;
    if (sd->fmt == FMT_RAW) {
        bool ok = n == 1 && eddy_phys_of(sd->cols.fields[0].type) == EDDY_PHYS_STR &&
                  npath[0] == 1 && sd->cols.fields[0].type->kind != EDDY_TYPE_MAP &&
                  sd->cols.fields[0].type->kind != EDDY_TYPE_ROW &&
                  sd->cols.fields[0].type->kind != EDDY_TYPE_ARRAY;
        /* a raw key whose one column the query does not use decodes nothing */
        if (strcmp(what, "key") == 0 && n == 0) ok = true;
        if (!ok)
            rc = eddy_error_set(err, EDDY_EBIND, 0, 0,
                                "format 'raw' of the %s of table '%s' needs exactly one physical "
                                "column of type STRING or BYTES%s",
                                what, tname(s),
                                strcmp(what, "key") == 0
                                    ? " in 'key.fields'"
                                    : " (besides metadata columns and, with 'value.fields-include' "
                                      "= 'EXCEPT_KEY', the key's)");
    } else if (sd->fmt == FMT_JSON) {
        sd->jd =
            eddy_json_decoder_new(&sd->cols, (const char *const *const *)paths, npath, &sd->json);
    } else if (sd->fmt == FMT_CSV) {
        /* CSV is positional: a column's field is its place among fields[] */
        int *pos = eddy_xcalloc(nc, sizeof(int));
        for (int k = 0; k < n && rc == 0; k++) {
            if (npath[k] != 1) {
                rc = eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                    "format 'csv' cannot read nested field '%s.%s' (table '%s')",
                                    paths[k][0], paths[k][1], tname(s));
                break;
            }
            pos[k] = -1;
            const char *top = top_name(spec, sd->out_col[k]);
            for (int j = 0; j < nfields; j++)
                if (strcmp(fields[j], top) == 0) pos[k] = j;
            if (pos[k] < 0)
                rc = eddy_error_set(err, EDDY_EBIND, 0, 0,
                                    "column '%s' is not a column of table '%s'", top, tname(s));
        }
        if (rc == 0) sd->cd = eddy_csv_decoder_new(&sd->cols, pos, check_fields, &sd->csv);
        free(pos);
    }
    free(paths);
    free(pathmem);
    free(npath);
    if (rc == 0 && sd->fmt != FMT_NONE) {
        const eddy_sqltype *types[MAXCOLS];
        for (int k = 0; k < n; k++)
            types[k] = sd->cols.fields[k].type;
        sd->scratch =
            eddy_batch_new(n, types, spec->batch_rows > 0 ? spec->batch_rows : EDDY_BATCH_ROWS);
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Dead letters                                                                             */

/* Delivery report of a dead letter (on the job's thread, from rd_kafka_poll/flush). */
static void on_dlq_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    eddy_kafka_decoder *s = opaque;
    char *place = m->_private;
    if (m->err && !s->dlq_failed) {
        s->dlq_failed = true;
        snprintf(s->dlq_why, sizeof s->dlq_why, "the dead letter of %s: %s",
                 place ? place : "a message", rd_kafka_err2str(m->err));
    }
    free(place);
}

static int make_dlq(eddy_kafka_decoder *s, const eddy_optset *o, const char *topic, eddy_error *err)
{
    const char *src_topic = eddy_opt_str(o, "topic", NULL);
    if (!*topic)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'dead-letter.topic' of table '%s' is empty: name a topic",
                              tname(s));
    bool same = false; /* one of the topics read ('a;b')? */
    for (const char *p = src_topic; p && *p && !same;) {
        const char *q = strchr(p, ';');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        same = n == strlen(topic) && strncmp(p, topic, n) == 0;
        p = q ? q + 1 : p + strlen(p);
    }
    if (same)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "option 'dead-letter.topic' of table '%s' is the topic it reads "
                              "('%s'): a bad message would come back forever; name another topic",
                              tname(s), topic);
    char msg[512];
    /* the table's brokers unless 'dead-letter.properties.bootstrap.servers' says otherwise */
    const char *const defaults[][2] = {
        {"bootstrap.servers", eddy_opt_str(o, "properties.bootstrap.servers", "")}, {NULL, NULL}};
    rd_kafka_conf_t *conf =
        eddy_kafka_conf_new(o->kv, o->n, "dead-letter.properties.", defaults, tname(s), err);
    if (!conf) return err->code;
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_conf_set_dr_msg_cb(conf, on_dlq_delivery);
    s->dlq = rd_kafka_new(RD_KAFKA_PRODUCER, conf, msg, sizeof msg);
    if (!s->dlq) {
        rd_kafka_conf_destroy(conf);
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "table '%s': cannot create the producer of 'dead-letter.topic' "
                              "'%s': %s",
                              tname(s), topic, msg);
    }
    s->dlq_topic = eddy_xstrdup(topic);
    return 0;
}

static int dlq_error(eddy_kafka_decoder *s, eddy_error *err)
{
    return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                          "kafka: table '%s': writing to 'dead-letter.topic' '%s' failed: %s "
                          "(check that the topic exists and the producer may write to it)",
                          tname(s), s->dlq_topic, s->dlq_why);
}

/* Produces message m unchanged to the dead-letter topic, with the eddy.* headers. */
static int dlq_send(eddy_kafka_decoder *s, const rd_kafka_message_t *m, const char *where,
                    const char *why, eddy_error *err)
{
    rd_kafka_headers_t *orig = NULL, *h;
    if (rd_kafka_message_headers(m, &orig) == RD_KAFKA_RESP_ERR_NO_ERROR && orig)
        h = rd_kafka_headers_copy(orig);
    else
        h = rd_kafka_headers_new(4);
    char num[32];
    const char *topic = rd_kafka_topic_name(m->rkt);
    rd_kafka_header_add(h, "eddy.error", -1, why, -1);
    rd_kafka_header_add(h, "eddy.topic", -1, topic, -1);
    snprintf(num, sizeof num, "%" PRId32, m->partition);
    rd_kafka_header_add(h, "eddy.partition", -1, num, -1);
    snprintf(num, sizeof num, "%" PRId64, m->offset);
    rd_kafka_header_add(h, "eddy.offset", -1, num, -1);
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(m, &tt);
    if (tt == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < 0) ts = 0; /* 0: now */
    char *place = eddy_xstrdup(where);
    rd_kafka_resp_err_t e;
    for (;;) {
        e = rd_kafka_producev(
            s->dlq, RD_KAFKA_V_TOPIC(s->dlq_topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(m->key, m->key ? m->key_len : 0),
            RD_KAFKA_V_VALUE(m->payload, m->payload ? m->len : 0), RD_KAFKA_V_HEADERS(h),
            RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_OPAQUE(place), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
        rd_kafka_poll(s->dlq, 100); /* room comes as deliveries are acknowledged */
    }
    if (e) {
        rd_kafka_headers_destroy(h); /* producev takes them only on success */
        free(place);
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "kafka: table '%s': cannot send the dead letter of %s to topic "
                              "'%s': %s",
                              tname(s), where, s->dlq_topic, rd_kafka_err2str(e));
    }
    rd_kafka_poll(s->dlq, 0);
    if (s->dlq_failed) return dlq_error(s, err);
    return 0;
}

int eddy_kafka_decoder_flush(eddy_kafka_decoder *s, eddy_error *err)
{
    if (!s->dlq) return 0;
    while (!s->dlq_failed && rd_kafka_outq_len(s->dlq) > 0)
        rd_kafka_flush(s->dlq, 1000); /* every message ends: acknowledged or timed out */
    if (s->dlq_failed) return dlq_error(s, err);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Decoding                                                                                 */

/* Adds a row of NULLs to a side's scratch. */
static void null_row(side *sd)
{
    eddy_batch *b = sd->scratch;
    for (int c = 0; c < b->ncols; c++)
        eddy_col_nulls(b, c)[b->n] = 1;
    b->n++;
}

/* Decodes p[0..len) (present: the part exists) as the next row of sd's scratch. 0 (a row), 1
 * (a CSV comment line: no row), or EDDY_EDATA with *why set. */
static int decode_side(side *sd, bool is_key, const char *p, size_t len, bool present,
                       const char **why)
{
    eddy_batch *b = sd->scratch;
    if (sd->fmt == FMT_RAW) {
        if (b->ncols == 0) {
            b->n++;
        } else if (!present) {
            null_row(sd);
        } else {
            b->cols[0].v.str[b->n] = eddy_batch_str(b, p, len);
            if (b->cols[0].nulls) b->cols[0].nulls[b->n] = 0;
            b->n++;
        }
        return 0;
    }
    if (!present) {
        if (is_key) {
            null_row(sd); /* no key: NULL key columns */
            return 0;
        }
        *why = "the message has no value (a tombstone)";
        return EDDY_EDATA;
    }
    int rc;
    if (sd->fmt == FMT_JSON) {
        rc = eddy_json_decode(sd->jd, p, len, b, false);
        if (rc) *why = eddy_json_decoder_error(sd->jd);
        return rc;
    }
    size_t content = len;
    while (content && (p[content - 1] == '\n' || p[content - 1] == '\r'))
        content--;
    int before = b->n;
    rc = eddy_csv_decode(sd->cd, p, content, b, false);
    if (rc) {
        *why = eddy_csv_decoder_error(sd->cd);
        return rc;
    }
    if (b->n == before) {
        if (!is_key) return 1; /* a comment line */
        null_row(sd);
    }
    return 0;
}

/* A message that could not be decoded: dead letter, skip or fail (see the header). */
static int bad_message(eddy_kafka_decoder *s, const rd_kafka_message_t *m, const char *why,
                       bool ignore, eddy_error *err)
{
    char where[600];
    snprintf(where, sizeof where, "topic %s, partition %" PRId32 ", offset %" PRId64,
             rd_kafka_topic_name(m->rkt), m->partition, m->offset);
    if (s->dlq) {
        int rc = dlq_send(s, m, where, why, err);
        if (rc) return rc;
    } else if (!ignore) {
        return eddy_error_set(err, EDDY_EDATA, 0, 0, "%s: %s", where, why);
    }
    if (s->spec->bad_record) s->spec->bad_record(s->spec->ctx, where, why);
    return 1;
}

/* Appends s[0..n) as a JSON string: escapes, and U+FFFD for bytes that are not UTF-8. */
static void put_json_utf8(eddy_strbuf *out, const unsigned char *s, size_t n)
{
    eddy_strbuf_putc(out, '"');
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == '"' || c == '\\') {
                eddy_strbuf_putc(out, '\\');
                eddy_strbuf_putc(out, (char)c);
            } else if (c == '\n') {
                eddy_strbuf_puts(out, "\\n");
            } else if (c == '\r') {
                eddy_strbuf_puts(out, "\\r");
            } else if (c == '\t') {
                eddy_strbuf_puts(out, "\\t");
            } else if (c < 0x20 || c == 0x7f) {
                eddy_strbuf_printf(out, "\\u%04x", c);
            } else {
                eddy_strbuf_putc(out, (char)c);
            }
            i++;
            continue;
        }
        /* a multi-byte sequence: its length, and the smallest code point it may encode */
        size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                     : c >= 0xe0 && c <= 0xef ? 3
                     : c >= 0xf0 && c <= 0xf4 ? 4
                                              : 0;
        bool ok = len > 0 && i + len <= n;
        uint32_t cp = len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
        for (size_t k = 1; ok && k < len; k++) {
            ok = (s[i + k] & 0xc0) == 0x80;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (ok)
            ok = (len == 2) || (len == 3 && cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) ||
                 (len == 4 && cp >= 0x10000 && cp <= 0x10ffff);
        if (ok) {
            eddy_strbuf_append(out, (const char *)s + i, len);
            i += len;
        } else {
            eddy_strbuf_puts(out, "\\ufffd");
            i++;
        }
    }
    eddy_strbuf_putc(out, '"');
}

/* The message's headers as a JSON object, into s->hbuf. */
static void headers_json(eddy_kafka_decoder *s, const rd_kafka_message_t *m)
{
    eddy_strbuf *b = &s->hbuf;
    eddy_strbuf_clear(b);
    eddy_strbuf_putc(b, '{');
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR && h) {
        const char *name;
        const void *val;
        size_t size;
        for (size_t i = 0;
             rd_kafka_header_get_all(h, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
            if (i) eddy_strbuf_putc(b, ',');
            put_json_utf8(b, (const unsigned char *)name, strlen(name));
            eddy_strbuf_putc(b, ':');
            if (val)
                put_json_utf8(b, val, size);
            else
                eddy_strbuf_puts(b, "null");
        }
    }
    eddy_strbuf_putc(b, '}');
}

static const char *timestamp_type_name(rd_kafka_timestamp_type_t tt)
{
    switch (tt) {
    case RD_KAFKA_TIMESTAMP_CREATE_TIME:
        return "CreateTime";
    case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
        return "LogAppendTime";
    default:
        return "NoTimestampType";
    }
}

/* Decodes message m into the scratch rows (and out's metadata cells of that row). 0, 1 when it
 * was skipped, or a negative error. */
int eddy_kafka_decode(eddy_kafka_decoder *s, const rd_kafka_message_t *m, eddy_batch *out,
                      eddy_error *err)
{
    if (s->dlq_failed) return dlq_error(s, err);
    int row = s->value.scratch->n;
    const char *why = NULL;
    char kwhy[600];
    if (s->key.fmt != FMT_NONE) {
        int rc = decode_side(&s->key, true, m->key, m->key ? m->key_len : 0, m->key != NULL, &why);
        if (rc) {
            snprintf(kwhy, sizeof kwhy, "key: %s", why);
            return bad_message(s, m, kwhy, s->key.ignore_errors, err);
        }
    }
    int rc = decode_side(&s->value, false, m->payload, m->payload ? m->len : 0, m->payload != NULL,
                         &why);
    if (rc) {
        if (s->key.fmt != FMT_NONE) s->key.scratch->n = row; /* the key's row goes too */
        return rc == 1 ? 1 : bad_message(s, m, why, s->value.ignore_errors, err);
    }
    for (int c = 0; c < out->ncols; c++) {
        eddy_col *col = &out->cols[c];
        switch (s->meta[c]) {
        case META_PARTITION:
            col->v.i64[row] = m->partition;
            break;
        case META_OFFSET:
            col->v.i64[row] = m->offset;
            break;
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
        case META_TIMESTAMP_TYPE: {
            rd_kafka_timestamp_type_t tt;
            rd_kafka_message_timestamp(m, &tt);
            const char *name = timestamp_type_name(tt);
            col->v.str[row] = (eddy_str){name, strlen(name)}; /* a static string */
            break;
        }
        case META_TOPIC: {
            const char *t = rd_kafka_topic_name(m->rkt);
            col->v.str[row] = eddy_batch_str(out, t, strlen(t));
            break;
        }
        case META_KEY:
            if (!m->key) {
                eddy_col_nulls(out, c)[row] = 1;
                continue;
            }
            col->v.str[row] = eddy_batch_str(out, m->key, m->key_len);
            break;
        case META_HEADERS:
            headers_json(s, m);
            col->v.str[row] = eddy_batch_str(out, s->hbuf.s, s->hbuf.n);
            break;
        default:
            continue;
        }
        if (col->nulls) col->nulls[row] = 0;
    }
    return 0;
}

/* Copies side sd's scratch columns into out. */
static void side_finish(side *sd, eddy_batch *out, int n)
{
    if (!sd->copy || !sd->scratch) return;
    eddy_batch *sb = sd->scratch;
    for (int k = 0; k < sd->cols.n; k++) {
        eddy_col *from = &sb->cols[k], *to = &out->cols[sd->out_col[k]];
        memcpy(to->v.ptr, from->v.ptr, (size_t)n * eddy_phys_size(from->phys));
        if (from->nulls)
            memcpy(eddy_col_nulls(out, sd->out_col[k]), from->nulls, (size_t)n);
        else if (to->nulls)
            memset(to->nulls, 0, (size_t)n);
    }
}

/* Moves the scratch batches' physical columns into out. */
void eddy_kafka_decoder_finish(eddy_kafka_decoder *s, eddy_batch *out)
{
    int n = s->value.scratch->n;
    side_finish(&s->value, out, n);
    side_finish(&s->key, out, n);
    out->n = n;
}

/* ---------------------------------------------------------------------------------------- */
/* Opening                                                                                  */

/* Adds the table's name to an error of options.c (which knows only the connector's). */
static int with_table(const eddy_kafka_decoder *s, eddy_error *err)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    int code = err->code ? err->code : EDDY_EUSAGE;
    if (strstr(msg, "table '")) return code;
    err->code = 0; /* eddy_error_set keeps a first error: this one is rewritten */
    return eddy_error_set(err, code, 0, 0, "table '%s': %s", tname(s), msg);
}

int eddy_kafka_decoder_new(const eddy_source_spec *spec, const char *const *source_keys,
                           eddy_kafka_decoder **out, eddy_error *err)
{
    eddy_optset o = {"kafka", spec->options, spec->noptions, err};
    eddy_kafka_decoder *s = eddy_xcalloc(1, sizeof *s);
    s->spec = spec;
    s->table = spec->table;
    s->value.fmt = s->key.fmt = FMT_NONE;
    if (spec->schema->n > MAXCOLS) {
        eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0, "table '%s' has more than %d columns",
                       tname(s), MAXCOLS);
        goto fail;
    }
    static const char *const includes[] = {"ALL", "EXCEPT_KEY", NULL};
    int vfmt, vfmt2, include;
    if (format_of(&o, tname(s), "format", &vfmt) ||
        format_of(&o, tname(s), "value.format", &vfmt2) ||
        format_of(&o, tname(s), "key.format", &s->key.fmt) ||
        eddy_opt_enum(&o, "value.fields-include", includes, 0, &include)) {
        with_table(s, err);
        goto fail;
    }
    const char *vprefix = "";
    if (vfmt >= 0 && vfmt2 >= 0) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s' sets both 'format' and 'value.format' (synonyms): keep one",
                       tname(s));
        goto fail;
    }
    if (vfmt2 >= 0) {
        vfmt = vfmt2;
        vprefix = "value.";
    }
    if (vfmt < 0) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "option 'format' (or 'value.format') is required for connector 'kafka' "
                       "(table '%s'): 'json', 'csv' or 'raw'",
                       tname(s));
        goto fail;
    }
    s->value.fmt = vfmt;

    /* every key the table may have */
    const char *known[160];
    char pool[64][64];
    int nk = 0, np = 0;
    for (int i = 0; source_keys && source_keys[i] && nk < 100; i++)
        known[nk++] = source_keys[i];
    static const char *const own[] = {"format",
                                      "value.format",
                                      "key.format",
                                      "key.fields",
                                      "key.fields-prefix",
                                      "value.fields-include",
                                      "dead-letter.topic",
                                      "dead-letter.properties.*",
                                      NULL};
    for (int i = 0; own[i]; i++)
        known[nk++] = own[i];
    add_format_keys(known, &nk, 158, pool, &np, 64, vfmt, vprefix);
    add_format_keys(known, &nk, 158, pool, &np, 64, s->key.fmt, "key.");
    known[nk] = NULL;
    if (eddy_opt_check_known(&o, known) || read_format_options(&s->value, &o, vprefix, err) ||
        read_format_options(&s->key, &o, "key.", err)) {
        with_table(s, err);
        goto fail;
    }

    /* the key */
    const char *kfields = eddy_opt_str(&o, "key.fields", NULL);
    const char *kprefix = eddy_opt_str(&o, "key.fields-prefix", NULL);
    bool except_key = include == 1;
    if (s->key.fmt != FMT_NONE && !kfields) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': a key format 'key.format' requires the declaration of one or "
                       "more key fields using 'key.fields' ('a;b')",
                       tname(s));
        goto fail;
    }
    if (s->key.fmt == FMT_NONE && kfields) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': option 'key.fields' can only be declared if a key format is "
                       "defined using 'key.format' ('json', 'csv' or 'raw')",
                       tname(s));
        goto fail;
    }
    if (kprefix && *kprefix && !except_key) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': a key prefix 'key.fields-prefix' is not allowed when option "
                       "'value.fields-include' is 'ALL'; set it to 'EXCEPT_KEY' so that key and "
                       "value fields do not overlap",
                       tname(s));
        goto fail;
    }
    keyinfo *ki = NULL;
    if (kfields) {
        ki = eddy_xcalloc(1, sizeof *ki);
        if (parse_key_fields(s, kfields, kprefix && *kprefix ? kprefix : NULL, ki, err)) {
            free(ki);
            goto fail;
        }
        if (s->key.fmt == FMT_RAW && ki->n != 1) {
            eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                           "table '%s': 'key.format' = 'raw' reads the key into exactly one "
                           "column, but 'key.fields' names %d; use 'json' or 'csv'",
                           tname(s), ki->n);
            free(ki);
            goto fail;
        }
        if (s->key.fmt == FMT_RAW && ki->type[0] &&
            (eddy_phys_of(ki->type[0]) != EDDY_PHYS_STR || ki->type[0]->kind == EDDY_TYPE_MAP ||
             ki->type[0]->kind == EDDY_TYPE_ROW || ki->type[0]->kind == EDDY_TYPE_ARRAY)) {
            eddy_error_set(err, EDDY_EBIND, 0, 0,
                           "table '%s': 'key.format' = 'raw' needs key field '%s' to be STRING "
                           "or BYTES",
                           tname(s), ki->name[0]);
            free(ki);
            goto fail;
        }
    }
    int rc = split_columns(s, ki, except_key, kprefix, err);
    /* the record layout of CSV: the key's fields are 'key.fields' in order; the value's are the
     * physical columns, without the key's with EXCEPT_KEY */
    const char *pn[MAXCOLS], *vfields[MAXCOLS];
    const eddy_sqltype *pt[MAXCOLS];
    int npc = physical_columns(s, pn, pt, MAXCOLS), nv = 0;
    for (int j = 0; j < npc; j++)
        if (!except_key || key_index(ki, pn[j]) < 0) vfields[nv++] = pn[j];
    /* without the table's physical columns (spec->physical), a CSV record's length is not
     * known: it must only be long enough */
    int vcheck = spec->physical && spec->physical->n ? nv : -1;
    if (rc == 0) rc = make_decoder(s, &s->value, "value", vfields, nv, vcheck, err);
    if (rc == 0 && s->key.fmt != FMT_NONE)
        rc = make_decoder(s, &s->key, "key", ki->name, ki->n, ki->n, err);
    free(ki);
    if (rc) goto fail;

    const char *dlq = eddy_opt_str(&o, "dead-letter.topic", NULL);
    if (dlq && make_dlq(s, &o, dlq, err)) goto fail;
    *out = s;
    return 0;
fail:
    eddy_kafka_decoder_free(s);
    return err->code ? err->code : EDDY_EUSAGE;
}

void eddy_kafka_decoder_begin(eddy_kafka_decoder *d)
{
    eddy_batch_reset(d->value.scratch);
    if (d->key.scratch) eddy_batch_reset(d->key.scratch);
}

int eddy_kafka_decoder_rows(const eddy_kafka_decoder *d)
{
    return d->value.scratch->n;
}

int eddy_kafka_decoder_cap(const eddy_kafka_decoder *d)
{
    return d->value.scratch->cap;
}
