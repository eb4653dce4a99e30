/*
 * upsert_kafka_source.c: the 'upsert-kafka' source: a (compacted) Kafka topic read as a table,
 * emitted as a changelog, as Flink's upsert-kafka connector does.
 *
 * Every message is an upsert of the row whose PRIMARY KEY is in the message key; a message
 * without a value (a tombstone) deletes it. The source keeps the latest row of every key in
 * memory (common/hashmap.h: the encoded key columns -> the encoded output row) and emits
 *     +I new row          for a key seen first,
 *     -U old row, +U new  for a key seen before (nothing when the new row equals the old one,
 *                         as Flink's ChangelogNormalize does without state TTL),
 *     -D old row          for a tombstone of a known key (nothing for an unknown key).
 *
 * Options (Flink's names): 'topic' (one topic), 'properties.bootstrap.servers' (required), any
 * 'properties.*' handed to librdkafka without the prefix; 'key.format' and 'value.format'
 * (both required: 'json' | 'csv' | 'raw') with their options prefixed by 'key.' / 'value.'
 * ('value.json.ignore-parse-errors', 'key.csv.field-delimiter', ...; an unprefixed 'json.*' /
 * 'csv.*' option applies to both, the prefixed one wins); 'key.fields-prefix' (the key
 * columns' names in the table are the prefix + their names in the key format; needs
 * 'value.fields-include' = 'EXCEPT_KEY', as in Flink); 'value.fields-include' = 'ALL' (the
 * value holds every physical column; the key columns are still taken from the key) |
 * 'EXCEPT_KEY' (the value holds the other physical columns). 'sink.*' options belong to the
 * sink half and are passed over. There is no 'scan.startup.mode': the table is the whole topic.
 * Metadata columns: 'topic' (STRING), 'partition' (INT), 'offset' (BIGINT), 'timestamp'
 * (TIMESTAMP_LTZ(3) or TIMESTAMP(3)), of the message that made the row.
 *
 * Rules:
 *   - The table must have a PRIMARY KEY ... NOT ENFORCED (spec->primary_key: indexes into
 *     spec->physical, which must be given); its columns are decoded from the message key (in
 *     key order for csv; by name, without the prefix, for json; the one column for raw).
 *   - One split per partition; every partition is read from its earliest offset, always, and
 *     without end (unbounded). Every batch holds the rows of one partition (batch->split); the
 *     key map is one for the whole topic. A batch needs room for 2 rows (-U, +U).
 *   - poll() returns within about timeout_ms also while it replays (EDDY_POLL_IDLE, nothing
 *     emitted yet), so that the job stays responsive during a long restore.
 *   - Position "p:offset,..." (the next offset of every partition whose rows were returned).
 *     seek() cannot restore the key map from the position, so it rebuilds it: every partition
 *     is read again from its earliest offset, and messages before the checkpointed offset only
 *     update the map (no rows); rows are emitted from the checkpointed offset on. Restoring
 *     therefore takes time that grows with the topic (as a ksqlDB table's restore does): keep
 *     the topic compacted. While it replays, position() reports the checkpointed offsets.
 *     After a durable checkpoint its offsets are committed to the consumer group
 *     ('properties.group.id', 'eddy' by default), for lag tools only.
 *   - A message that cannot be decoded (no key, a bad key, a bad value) fails the job with an
 *     error naming topic, partition and offset, or, with 'json.ignore-parse-errors' (or
 *     'key.json...' / 'value.json...', 'csv.ignore-parse-errors') of the side that failed, goes
 *     to spec->bad_record() and is skipped.
 *   - Memory: one copy of every live row (its encoded output columns) and of its key.
 *
 * Decoding uses format_json.h / format_csv.h directly (kafka_decode.c decodes the value only).
 * Threads: the job's thread only.
 */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/arena.h"
#include "common/hash.h"
#include "common/hashmap.h"
#include "common/strbuf.h"
#include "connectors/connectors.h"
#include "connectors/kafka_conf.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/options.h"
#include "runtime/connector.h"
#include "runtime/rowkey.h"

#define META_TIMEOUT_MS 10000 /* metadata and offset queries at open */
#define CONNECTOR "upsert-kafka"

enum { FMT_JSON, FMT_CSV, FMT_RAW };
enum { META_NONE = -1, META_TOPIC, META_PARTITION, META_OFFSET, META_TIMESTAMP };
enum { COL_KEY, COL_VALUE, COL_META };

/* How one side (key or value) of a message is decoded. */
typedef struct side {
    const char *name; /* "key" or "value", for messages */
    int format;       /* FMT_* */
    eddy_json_options json;
    eddy_csv_options csv;
    bool ignore_errors; /* skip bad messages of this side */
    eddy_json_decoder *jd;
    eddy_csv_decoder *cd;
    eddy_schema schema; /* the columns this side decodes */
    eddy_batch *b;      /* one-row scratch shaped like schema */
    eddy_kv *kv;        /* its format options, 'key.' / 'value.' removed */
    int nkv;
} side;

/* A live row of the map (the value slot). */
typedef struct entry {
    char *row; /* encoded output row (rowkey.h's row encoding) */
    size_t len;
} entry;

typedef struct uk_source {
    const eddy_source_spec *spec;
    const char *table;
    char *topic;
    rd_kafka_t *rk;
    int nparts;
    int64_t *next;       /* next offset to read per partition */
    int64_t *replay_end; /* after seek(): rows are emitted from this offset on */
    bool assigned;
    rd_kafka_message_t *pending; /* a message read but not yet processed */
    side key, val;
    int *kind;        /* per output column: COL_* */
    int *idx;         /* per output column: key or value column index, or META_* */
    eddy_batch *row;  /* one-row scratch shaped like spec->schema: the new row */
    eddy_rowkey keyk; /* encodes the key columns (map keys) */
    eddy_rowkey rowk; /* encodes output rows (map values) */
    eddy_strbuf kbuf, rbuf;
    eddy_hmap *map; /* encoded key -> entry */
    char **known;   /* option keys accepted (allocated strings) */
    uint64_t rows;
} uk_source;

static const char *tname(const uk_source *s)
{
    return s->table ? s->table : "?";
}

static void side_free(side *d)
{
    eddy_json_decoder_free(d->jd);
    eddy_csv_decoder_free(d->cd);
    if (d->b) eddy_batch_free(d->b);
    free(d->schema.fields);
    free(d->kv);
}

static void src_free(uk_source *s)
{
    if (!s) return;
    if (s->pending) rd_kafka_message_destroy(s->pending);
    if (s->rk) {
        if (s->assigned) rd_kafka_assign(s->rk, NULL);
        rd_kafka_consumer_close(s->rk);
        rd_kafka_destroy(s->rk);
    }
    if (s->map) {
        for (uint32_t i = 0; i < eddy_hmap_end(s->map); i++)
            if (eddy_hmap_live(s->map, i)) free(((entry *)eddy_hmap_value(s->map, i))->row);
        eddy_hmap_destroy(s->map);
    }
    side_free(&s->key);
    side_free(&s->val);
    if (s->row) eddy_batch_free(s->row);
    eddy_rowkey_free(&s->keyk);
    eddy_rowkey_free(&s->rowk);
    eddy_strbuf_free(&s->kbuf);
    eddy_strbuf_free(&s->rbuf);
    for (int i = 0; s->known && s->known[i]; i++)
        free(s->known[i]);
    free(s->known);
    free(s->kind);
    free(s->idx);
    free(s->next);
    free(s->replay_end);
    free(s->topic);
    free(s);
}

/* ---------------------------------------------------------------------------------------- */
/* Options                                                                                  */

/* The accepted option keys: the connector's own, and the format keys bare and with 'key.' /
 * 'value.' in front. */
static void make_known(uk_source *s)
{
    static const char *const own[] = {"topic",
                                      "properties.*",
                                      "key.format",
                                      "value.format",
                                      "key.fields-prefix",
                                      "value.fields-include",
                                      "sink.*",
                                      NULL};
    const char *const *fmts[2] = {eddy_json_option_keys, eddy_csv_option_keys};
    size_t n = 0;
    for (int f = 0; f < 2; f++)
        for (int i = 0; fmts[f][i]; i++)
            n += 3;
    n += sizeof own / sizeof own[0];
    s->known = eddy_xcalloc(n + 1, sizeof(char *));
    size_t k = 0;
    for (int i = 0; own[i]; i++)
        s->known[k++] = eddy_xstrdup(own[i]);
    for (int f = 0; f < 2; f++)
        for (int i = 0; fmts[f][i]; i++) {
            eddy_strbuf b = {0};
            s->known[k++] = eddy_xstrdup(fmts[f][i]);
            eddy_strbuf_printf(&b, "key.%s", fmts[f][i]);
            s->known[k++] = eddy_xstrdup(eddy_strbuf_cstr(&b));
            eddy_strbuf_clear(&b);
            eddy_strbuf_printf(&b, "value.%s", fmts[f][i]);
            s->known[k++] = eddy_xstrdup(eddy_strbuf_cstr(&b));
            eddy_strbuf_free(&b);
        }
}

/* Reads one side's format and its options ('<side>.json.x' first, then 'json.x'). */
static int read_side(uk_source *s, side *d, eddy_error *err)
{
    const eddy_source_spec *spec = s->spec;
    eddy_optset o = {CONNECTOR, spec->options, spec->noptions, err};
    char key[64];
    snprintf(key, sizeof key, "%s.format", d->name);
    const char *format;
    if (eddy_opt_require(&o, key, &format)) return err->code;
    if (strcasecmp(format, "json") == 0)
        d->format = FMT_JSON;
    else if (strcasecmp(format, "csv") == 0)
        d->format = FMT_CSV;
    else if (strcasecmp(format, "raw") == 0)
        d->format = FMT_RAW;
    else
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                              "option '%s' of table '%s': format '%s' is not supported by "
                              "connector '" CONNECTOR "'; use 'json', 'csv' or 'raw'",
                              key, tname(s), format);
    size_t plen = strlen(d->name) + 1;
    d->kv = eddy_xcalloc((size_t)(spec->noptions ? spec->noptions : 1), sizeof(eddy_kv));
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < spec->noptions; i++) {
            const char *k = spec->options[i].key;
            bool prefixed = strncmp(k, d->name, plen - 1) == 0 && k[plen - 1] == '.';
            const char *bare = prefixed ? k + plen : k;
            if (pass == 0 && !prefixed) continue;
            if (pass == 1 && prefixed) continue;
            if (strncmp(bare, "json.", 5) != 0 && strncmp(bare, "csv.", 4) != 0) continue;
            d->kv[d->nkv++] = (eddy_kv){bare, spec->options[i].value};
        }
    eddy_optset fo = {CONNECTOR, d->kv, d->nkv, err};
    if (d->format == FMT_JSON) {
        if (eddy_json_options_read(&fo, &d->json)) return err->code;
        d->ignore_errors = d->json.ignore_parse_errors;
    } else if (d->format == FMT_CSV) {
        if (eddy_csv_options_read(&fo, &d->csv)) return err->code;
        d->ignore_errors = d->csv.ignore_parse_errors;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Columns                                                                                  */

static int pk_index(const uk_source *s, const char *name)
{
    const eddy_source_spec *spec = s->spec;
    for (int k = 0; k < spec->nprimary_key; k++)
        if (strcmp(spec->physical->fields[spec->primary_key[k]].name, name) == 0) return k;
    return -1;
}

/* Makes a side's decoder for its columns: names[k] is column k's name in the format (json),
 * pos[k] its field position (csv); paths/npath optional (json nested fields). */
static int make_decoder(uk_source *s, side *d, const char *const *const *paths, const int *npath,
                        const int *pos, int nfields, eddy_error *err)
{
    if (d->format == FMT_JSON) {
        d->jd = eddy_json_decoder_new(&d->schema, paths, npath, &d->json);
    } else if (d->format == FMT_CSV) {
        for (int k = 0; k < d->schema.n; k++)
            if (paths && npath[k] != 1)
                return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                      "format 'csv' cannot read nested field '%s.%s' (table '%s')",
                                      paths[k][0], paths[k][1], tname(s));
        d->cd = eddy_csv_decoder_new(&d->schema, pos, nfields, &d->csv);
    } else if (d->schema.n > 1 || nfields != 1 ||
               (d->schema.n == 1 && eddy_phys_of(d->schema.fields[0].type) != EDDY_PHYS_STR)) {
        return eddy_error_set(err, EDDY_EBIND, 0, 0,
                              "'%s.format' = 'raw' of table '%s' needs exactly one %s column of "
                              "type STRING or BYTES",
                              d->name, tname(s),
                              d == &s->key ? "PRIMARY KEY" : "value (physical, non-key)");
    }
    const eddy_sqltype *types[256];
    for (int k = 0; k < d->schema.n; k++)
        types[k] = d->schema.fields[k].type;
    d->b = eddy_batch_new(d->schema.n, types, 1);
    return 0;
}

/* Sorts the output columns into key, value and metadata columns and builds both decoders. */
static int setup_columns(uk_source *s, const char *prefix, bool except_key, eddy_error *err)
{
    const eddy_source_spec *spec = s->spec;
    const eddy_schema *sch = spec->schema;
    const eddy_schema *phys = spec->physical;
    int npk = spec->nprimary_key;
    if (sch->n > 256 || phys->n > 256)
        return eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0, "table '%s' has more than 256 columns",
                              tname(s));
    size_t nc = (size_t)(sch->n ? sch->n : 1);
    s->kind = eddy_xcalloc(nc, sizeof(int));
    s->idx = eddy_xcalloc(nc, sizeof(int));

    /* key: the PRIMARY KEY columns in key order, named without the prefix */
    size_t plen = prefix ? strlen(prefix) : 0;
    s->key.schema.n = npk;
    s->key.schema.fields = eddy_xcalloc((size_t)npk, sizeof(eddy_field));
    int kpos[256];
    for (int k = 0; k < npk; k++) {
        const eddy_field *f = &phys->fields[spec->primary_key[k]];
        if (plen && strncmp(f->name, prefix, plen) != 0)
            return eddy_error_set(err, EDDY_EBIND, 0, 0,
                                  "table '%s': all PRIMARY KEY columns must be prefixed with '%s' "
                                  "when option 'key.fields-prefix' is set, but '%s' is not",
                                  tname(s), prefix, f->name);
        s->key.schema.fields[k] = *f;
        s->key.schema.fields[k].name = f->name + plen;
        kpos[k] = k;
    }
    if (make_decoder(s, &s->key, NULL, NULL, kpos, npk, err)) return err->code;

    /* value: the output's physical non-key columns; fields = every physical column (ALL) or
     * the non-key ones (EXCEPT_KEY) */
    int nvfields = 0;
    int vfield[256]; /* value-format field of physical column j, or -1 */
    for (int j = 0; j < phys->n; j++) {
        bool is_key = false;
        for (int k = 0; k < npk; k++)
            if (spec->primary_key[k] == j) is_key = true;
        vfield[j] = is_key && except_key ? -1 : nvfields++;
    }
    s->val.schema.fields = eddy_xcalloc(nc, sizeof(eddy_field));
    const char *const **vpaths = eddy_xcalloc(nc, sizeof *vpaths);
    int *vnpath = eddy_xcalloc(nc, sizeof(int));
    int vpos[256];
    int rc = 0;
    for (int i = 0; i < sch->n && rc == 0; i++) {
        const char *m = spec->metadata ? spec->metadata[i] : NULL;
        const eddy_sqltype *t = sch->fields[i].type;
        eddy_phys ph = eddy_phys_of(t);
        if (m) {
            bool ok;
            s->kind[i] = COL_META;
            if (strcmp(m, "topic") == 0) {
                s->idx[i] = META_TOPIC;
                ok = ph == EDDY_PHYS_STR;
            } else if (strcmp(m, "partition") == 0) {
                s->idx[i] = META_PARTITION;
                ok = ph == EDDY_PHYS_I64;
            } else if (strcmp(m, "offset") == 0) {
                s->idx[i] = META_OFFSET;
                ok = ph == EDDY_PHYS_I64;
            } else if (strcmp(m, "timestamp") == 0) {
                s->idx[i] = META_TIMESTAMP;
                ok = t->kind == EDDY_TYPE_TIMESTAMP_LTZ || t->kind == EDDY_TYPE_TIMESTAMP;
            } else {
                rc = eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                                    "connector '" CONNECTOR "' has no metadata '%s' (table '%s'); "
                                    "it has 'topic', 'partition', 'offset' and 'timestamp'",
                                    m, tname(s));
                break;
            }
            if (!ok)
                rc = eddy_error_set(err, EDDY_EBIND, 0, 0,
                                    "metadata '%s' of connector '" CONNECTOR "' (column '%s' of "
                                    "table '%s') must be declared %s",
                                    m, sch->fields[i].name, tname(s),
                                    s->idx[i] == META_TOPIC       ? "STRING"
                                    : s->idx[i] == META_PARTITION ? "INT"
                                    : s->idx[i] == META_OFFSET    ? "BIGINT"
                                                                  : "TIMESTAMP_LTZ(3)");
            continue;
        }
        const char *name = spec->paths ? spec->paths[i][0] : sch->fields[i].name;
        int np = spec->paths ? spec->npath[i] : 1;
        int k = pk_index(s, name);
        if (k >= 0) {
            if (np != 1) {
                rc = eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0,
                                    "table '%s': nested field '%s.%s' of PRIMARY KEY column '%s' "
                                    "cannot be read by itself; select the column",
                                    tname(s), name, spec->paths[i][1], name);
                break;
            }
            s->kind[i] = COL_KEY;
            s->idx[i] = k;
            continue;
        }
        int j = -1;
        for (int c = 0; c < phys->n; c++)
            if (strcmp(phys->fields[c].name, name) == 0) j = c;
        if (j < 0) {
            rc = eddy_error_set(err, EDDY_EBIND, 0, 0, "column '%s' is not a column of table '%s'",
                                name, tname(s));
            break;
        }
        int v = s->val.schema.n++;
        s->kind[i] = COL_VALUE;
        s->idx[i] = v;
        s->val.schema.fields[v] = sch->fields[i];
        vpaths[v] = spec->paths ? spec->paths[i] : NULL;
        vnpath[v] = np;
        vpos[v] = vfield[j];
    }
    if (rc == 0) {
        bool haspaths = spec->paths != NULL;
        rc = make_decoder(s, &s->val, haspaths ? (const char *const *const *)vpaths : NULL,
                          haspaths ? vnpath : NULL, vpos, nvfields, err);
    }
    free(vpaths);
    free(vnpath);
    if (rc) return rc;

    /* the map's encodings and the row scratch */
    const eddy_sqltype *types[256];
    for (int k = 0; k < npk; k++)
        types[k] = s->key.schema.fields[k].type;
    eddy_rowkey_init_types(&s->keyk, types, npk);
    for (int i = 0; i < sch->n; i++)
        types[i] = sch->fields[i].type;
    eddy_rowkey_init_types(&s->rowk, types, sch->n);
    s->row = eddy_batch_new(sch->n, types, 1);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* The consumer                                                                             */

static rd_kafka_conf_t *make_conf(uk_source *s, eddy_error *err)
{
    /* eddy keeps offsets in its checkpoints; a user may override these */
    static const char *const defaults[][2] = {{"enable.auto.commit", "false"},
                                              {"enable.auto.offset.store", "false"},
                                              {"group.id", "eddy"},
                                              {NULL, NULL}};
    return eddy_kafka_conf_new(s->spec->options, s->spec->noptions, "properties.", defaults,
                               tname(s), err);
}

/* Finds the partitions of the topic and their earliest offsets (where reading starts). */
static int read_partitions(uk_source *s, eddy_error *err)
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
    if (rc) return rc;
    s->next = eddy_xcalloc((size_t)s->nparts, sizeof(int64_t));
    s->replay_end = eddy_xcalloc((size_t)s->nparts, sizeof(int64_t));
    for (int p = 0; p < s->nparts; p++) {
        int64_t low = 0, high = 0;
        e = rd_kafka_query_watermark_offsets(s->rk, s->topic, p, &low, &high, META_TIMEOUT_MS);
        if (e)
            return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                                  "table '%s': cannot read the earliest offset of topic '%s', "
                                  "partition %d: %s; check that the brokers run",
                                  tname(s), s->topic, p, rd_kafka_err2str(e));
        s->next[p] = low;
    }
    return 0;
}

static int uks_open(const eddy_source_spec *spec, void **state, eddy_error *err)
{
    eddy_optset o = {CONNECTOR, spec->options, spec->noptions, err};
    uk_source *s = eddy_xcalloc(1, sizeof *s);
    s->spec = spec;
    s->table = spec->table;
    s->key.name = "key";
    s->val.name = "value";
    if (spec->nprimary_key <= 0 || !spec->primary_key || !spec->physical) {
        eddy_error_set(
            err, EDDY_EBIND, 0, 0,
            "table '%s': 'upsert-kafka' tables require to define a PRIMARY KEY "
            "constraint. The PRIMARY KEY specifies which columns should be read from or "
            "write to the Kafka message key. The PRIMARY KEY also defines records in the "
            "'upsert-kafka' table should update or delete on which keys.",
            tname(s));
        goto fail;
    }
    if (spec->batch_rows == 1) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': connector '" CONNECTOR "' needs batches of at least 2 rows "
                       "(an update is two rows, -U and +U)",
                       tname(s));
        goto fail;
    }
    make_known(s);
    if (eddy_opt_check_known(&o, (const char *const *)s->known)) goto fail;
    const char *topic, *servers;
    if (eddy_opt_require(&o, "topic", &topic) ||
        eddy_opt_require(&o, "properties.bootstrap.servers", &servers))
        goto fail;
    (void)servers;
    if (strchr(topic, ';')) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "option 'topic' of table '%s': connector '" CONNECTOR "' reads exactly one "
                       "topic, not the list '%s'",
                       tname(s), topic);
        goto fail;
    }
    s->topic = eddy_xstrdup(topic);
    static const char *const includes[] = {"ALL", "EXCEPT_KEY", NULL};
    int include;
    if (eddy_opt_enum(&o, "value.fields-include", includes, 0, &include)) goto fail;
    const char *prefix = eddy_opt_str(&o, "key.fields-prefix", NULL);
    if (prefix && !*prefix) prefix = NULL;
    if (prefix && include != 1) {
        eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                       "table '%s': option 'key.fields-prefix' needs 'value.fields-include' = "
                       "'EXCEPT_KEY' (the key columns' names then differ from the value's)",
                       tname(s));
        goto fail;
    }
    if (read_side(s, &s->key, err) || read_side(s, &s->val, err) ||
        setup_columns(s, prefix, include == 1, err))
        goto fail;
    s->map = eddy_hmap_new(sizeof(entry), 0);
    rd_kafka_conf_t *conf = make_conf(s, err);
    if (!conf) goto fail;
    char msg[512];
    s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
    if (!s->rk) {
        rd_kafka_conf_destroy(conf);
        eddy_error_set(err, EDDY_ECONNECTOR, 0, 0, "table '%s': cannot create a Kafka consumer: %s",
                       tname(s), msg);
        goto fail;
    }
    if (read_partitions(s, err)) goto fail;
    *state = s;
    return 0;
fail:
    src_free(s);
    return err->code ? err->code : EDDY_EUSAGE;
}

static int uks_splits(void *state)
{
    return ((uk_source *)state)->nparts;
}

static int do_assign(uk_source *s, eddy_error *err)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts);
    for (int p = 0; p < s->nparts; p++)
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

/* ---------------------------------------------------------------------------------------- */
/* Messages                                                                                 */

/* A message that cannot be read: an error, or (ignore) reported and skipped (returns 0). */
static int bad_message(uk_source *s, const rd_kafka_message_t *m, bool ignore, const char *why,
                       eddy_error *err)
{
    char where[600];
    snprintf(where, sizeof where, "topic %s, partition %" PRId32 ", offset %" PRId64, s->topic,
             m->partition, m->offset);
    if (!ignore)
        return eddy_error_set(err, EDDY_EDATA, 0, 0, "table '%s': %s: %s", tname(s), where, why);
    if (s->spec->bad_record) s->spec->bad_record(s->spec->ctx, where, why);
    return 0;
}

/* Decodes p[0..n) with side d into its one-row scratch. 0, or EDDY_EDATA with *why set. */
static int decode_side(side *d, const char *p, size_t n, const char **why)
{
    eddy_batch_reset(d->b);
    int rc = 0;
    if (d->format == FMT_RAW) {
        if (d->schema.n == 1) d->b->cols[0].v.str[0] = eddy_batch_str(d->b, p, n);
        d->b->n = 1;
    } else if (d->format == FMT_JSON) {
        rc = eddy_json_decode(d->jd, p, n, d->b, false);
        if (rc) *why = eddy_json_decoder_error(d->jd);
    } else {
        while (n && (p[n - 1] == '\n' || p[n - 1] == '\r'))
            n--;
        rc = eddy_csv_decode(d->cd, p, n, d->b, false);
        if (rc) {
            *why = eddy_csv_decoder_error(d->cd);
        } else if (d->b->n == 0) {
            *why = "a comment line, not a record";
            rc = EDDY_EDATA;
        }
    }
    return rc;
}

/* Copies cell (from, fr) into (to, tr); strings are not copied (the row is encoded at once). */
static void copy_cell(eddy_batch *to, int tc, int tr, const eddy_batch *from, int fc, int fr)
{
    const eddy_col *f = &from->cols[fc];
    eddy_col *t = &to->cols[tc];
    if (f->nulls && f->nulls[fr]) {
        eddy_col_nulls(to, tc)[tr] = 1;
        return;
    }
    memcpy((char *)t->v.ptr + (size_t)tr * eddy_phys_size(t->phys),
           (const char *)f->v.ptr + (size_t)fr * eddy_phys_size(f->phys), eddy_phys_size(t->phys));
    if (t->nulls) t->nulls[tr] = 0;
}

/* Builds the new row of message m in s->row (key and value decoded already). */
static void build_row(uk_source *s, const rd_kafka_message_t *m)
{
    eddy_batch *r = s->row;
    eddy_batch_reset(r);
    for (int c = 0; c < r->ncols; c++) {
        eddy_col *col = &r->cols[c];
        switch (s->kind[c]) {
        case COL_KEY:
            copy_cell(r, c, 0, s->key.b, s->idx[c], 0);
            continue;
        case COL_VALUE:
            copy_cell(r, c, 0, s->val.b, s->idx[c], 0);
            continue;
        default:
            break;
        }
        switch (s->idx[c]) {
        case META_TOPIC:
            col->v.str[0] = (eddy_str){s->topic, (uint32_t)strlen(s->topic)};
            break;
        case META_PARTITION:
            col->v.i64[0] = m->partition;
            break;
        case META_OFFSET:
            col->v.i64[0] = m->offset;
            break;
        default: {
            rd_kafka_timestamp_type_t tt;
            int64_t ts = rd_kafka_message_timestamp(m, &tt);
            if (tt == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < 0) {
                eddy_col_nulls(r, c)[0] = 1;
                continue;
            }
            col->v.i64[0] = ts;
            break;
        }
        }
        if (col->nulls) col->nulls[0] = 0;
    }
    r->n = 1;
}

/* Appends an encoded row to out with kind k. */
static void put_row(uk_source *s, eddy_batch *out, const char *row, size_t len, eddy_row_kind k)
{
    int r = out->n;
    eddy_rowkey_decode_row(&s->rowk, row, len, out, 0, r);
    eddy_batch_kinds(out)[r] = (uint8_t)k;
    out->n = r + 1;
}

/* Applies message m to the key map and, when emit, appends its rows (0 to 2) to out. Returns
 * 0 or a negative error. */
static int apply(uk_source *s, const rd_kafka_message_t *m, eddy_batch *out, bool emit,
                 eddy_error *err)
{
    const char *why = NULL;
    if (!m->key) return bad_message(s, m, s->key.ignore_errors, "the message has no key", err);
    if (decode_side(&s->key, m->key, m->key_len, &why)) {
        char text[400];
        snprintf(text, sizeof text, "the key cannot be read: %s", why);
        return bad_message(s, m, s->key.ignore_errors, text, err);
    }
    eddy_strbuf_clear(&s->kbuf);
    eddy_rowkey_encode_row(&s->keyk, s->key.b->cols, 0, &s->kbuf);
    const char *kp = eddy_strbuf_cstr(&s->kbuf);
    size_t klen = s->kbuf.n;
    uint64_t h = eddy_hash_bytes(kp, klen);
    if (!m->payload) { /* a tombstone */
        entry *e = eddy_hmap_find(s->map, kp, klen, h);
        if (!e) return 0;
        if (emit) put_row(s, out, e->row, e->len, EDDY_ROW_DELETE);
        free(e->row);
        eddy_hmap_remove(s->map, kp, klen, h);
        return 0;
    }
    if (decode_side(&s->val, m->payload, m->len, &why)) {
        char text[400];
        snprintf(text, sizeof text, "the value cannot be read: %s", why);
        return bad_message(s, m, s->val.ignore_errors, text, err);
    }
    build_row(s, m);
    eddy_strbuf_clear(&s->rbuf);
    eddy_rowkey_encode_row(&s->rowk, s->row->cols, 0, &s->rbuf);
    bool is_new;
    entry *e = eddy_hmap_upsert(s->map, kp, klen, h, &is_new, NULL);
    if (!is_new && e->len == s->rbuf.n && memcmp(e->row, eddy_strbuf_cstr(&s->rbuf), e->len) == 0)
        return 0; /* the same row again: no change */
    if (emit) {
        if (!is_new) put_row(s, out, e->row, e->len, EDDY_ROW_UPDATE_BEFORE);
        put_row(s, out, eddy_strbuf_cstr(&s->rbuf), s->rbuf.n,
                is_new ? EDDY_ROW_INSERT : EDDY_ROW_UPDATE_AFTER);
    }
    free(e->row);
    e->len = s->rbuf.n;
    e->row = eddy_xmalloc(e->len ? e->len : 1);
    memcpy(e->row, eddy_strbuf_cstr(&s->rbuf), e->len);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int uks_poll(void *state, eddy_batch *out, int64_t timeout_ms, eddy_error *err)
{
    uk_source *s = state;
    if (!s->assigned && do_assign(s, err)) return err->code;
    int part = -1;
    int64_t wait = timeout_ms > 0 ? timeout_ms : 0;
    int64_t give_up = now_ms() + wait; /* a replay returns (IDLE) after timeout_ms */
    int silent = 0;
    while (out->n + 2 <= out->cap || (out->n == 0 && out->cap > 0)) {
        if (silent >= 1024) {
            if (now_ms() >= give_up) break;
            silent = 0;
        }
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
        if (p < 0 || p >= s->nparts || m->offset < s->next[p]) {
            rd_kafka_message_destroy(m); /* a duplicate after a retry */
            continue;
        }
        bool emit = m->offset >= s->replay_end[p];
        if (emit && part >= 0 && p != part) {
            s->pending = m; /* a batch holds one partition's rows */
            break;
        }
        int rc = apply(s, m, out, emit, err);
        s->next[p] = m->offset + 1;
        rd_kafka_message_destroy(m);
        if (rc < 0) return rc;
        if (emit)
            part = p;
        else
            silent++;
    }
    if (out->n == 0) return EDDY_POLL_IDLE;
    out->split = part;
    s->rows += (uint64_t)out->n;
    return EDDY_POLL_DATA;
}

static int uks_position(void *state, eddy_strbuf *buf, eddy_error *err)
{
    (void)err;
    uk_source *s = state;
    for (int p = 0; p < s->nparts; p++) {
        int64_t at = s->next[p] > s->replay_end[p] ? s->next[p] : s->replay_end[p];
        eddy_strbuf_printf(buf, "%s%d:%" PRId64, p ? "," : "", p, at);
    }
    return 0;
}

/* Parses a position "p:offset,..." into at[] (untouched where a partition is absent). */
static int parse_position(uk_source *s, const char *data, size_t len, int64_t *at, eddy_error *err)
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
                                "table '%s': bad upsert-kafka position '%s' (expected "
                                "'partition:offset,...' with partitions of topic '%s', which has "
                                "%d)",
                                tname(s), text, s->topic, s->nparts);
            break;
        }
        at[part] = off;
        p = *e ? e + 1 : e;
    }
    free(text);
    return rc;
}

/* seek: rows are emitted from the stored offsets on; what comes before them is read again from
 * the earliest offsets into the key map, silently (see the rules above). */
static int uks_seek(void *state, const char *data, size_t len, eddy_error *err)
{
    uk_source *s = state;
    return parse_position(s, data, len, s->replay_end, err);
}

/* After a durable checkpoint: its offsets go to the consumer group (asynchronously) so that lag
 * tools see progress; restarts use the checkpoint, never these. */
static int uks_commit_offsets(void *state, const char *pos, size_t len, eddy_error *err)
{
    uk_source *s = state;
    int64_t *at = eddy_xmalloc(sizeof *at * (size_t)s->nparts);
    for (int p = 0; p < s->nparts; p++)
        at[p] = -1;
    int rc = parse_position(s, pos, len, at, err);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts);
    for (int p = 0; rc == 0 && p < s->nparts; p++)
        if (at[p] >= 0) rd_kafka_topic_partition_list_add(l, s->topic, p)->offset = at[p];
    free(at);
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

static int64_t uks_lag(void *state, int split)
{
    uk_source *s = state;
    if (split < 0 || split >= s->nparts) return -1;
    int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(s->rk, s->topic, split, &low, &high) || high < 0) return -1;
    int64_t at = s->next[split] > s->replay_end[split] ? s->next[split] : s->replay_end[split];
    return high > at ? high - at : 0;
}

/* "topic:partition", the split's label in the metrics (runtime/metrics.h). */
static void uks_split_name(void *state, int split, char *buf, size_t n)
{
    snprintf(buf, n, "%s:%d", ((uk_source *)state)->topic, split);
}

static void uks_progress(void *state, uint64_t *done, uint64_t *total)
{
    uk_source *s = state;
    *done = s->rows;
    *total = 0;
}

static void uks_close(void *state)
{
    src_free(state);
}

const eddy_source_ops eddy_upsert_kafka_source_ops = {
    .name = CONNECTOR,
    .open = uks_open,
    .splits = uks_splits,
    .poll = uks_poll,
    .position = uks_position,
    .seek = uks_seek,
    .commit_offsets = uks_commit_offsets,
    .lag = uks_lag,
    .split_name = uks_split_name,
    .progress = uks_progress,
    .close = uks_close,
};
