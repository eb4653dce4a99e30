/*
 * kafka_decode.c: Kafka messages to rows (kafka_decode.h): the value format, metadata columns
 * and bad messages.
 *
 * Options read here: 'format' = 'json' | 'csv' | 'raw' (one STRING or BYTES column holding the
 * value) with the format's own options ('json.*', 'csv.*').
 * Metadata columns: 'partition' (INT), 'offset' (BIGINT), 'timestamp' (TIMESTAMP_LTZ(3)), 'key'
 * (BYTES or STRING; NULL without a key).
 *
 * Rules:
 *   - A message that cannot be decoded fails the job with an error naming topic, partition and
 *     offset, or, with 'json.ignore-parse-errors' / 'csv.ignore-parse-errors', goes to
 *     spec->bad_record() with that place and is skipped (as the filesystem source does).
 *   - A message without a value (a tombstone) is a bad message for json and csv, a NULL for raw.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/arena.h"
#include "connectors/format_csv.h"
#include "connectors/format_json.h"
#include "connectors/kafka_decode.h"
#include "connectors/options.h"

enum { FMT_JSON, FMT_CSV, FMT_RAW };
enum { META_NONE = -1, META_PARTITION, META_OFFSET, META_TIMESTAMP, META_KEY };

struct eddy_kafka_decoder {
    const eddy_source_spec *spec;
    const char *table;
    int format;
    bool ignore_errors;
    eddy_json_options json;
    eddy_csv_options csv;
    eddy_json_decoder *jd;
    eddy_csv_decoder *cd;
    eddy_schema phys; /* the physical (non-metadata) columns */
    int *phys_col;    /* output column of physical column k */
    int *meta;        /* META_* per output column */
    eddy_batch *scratch;
};

static const char *tname(const eddy_kafka_decoder *s)
{
    return s->table ? s->table : "?";
}

void eddy_kafka_decoder_free(eddy_kafka_decoder *s)
{
    if (!s) return;
    eddy_json_decoder_free(s->jd);
    eddy_csv_decoder_free(s->cd);
    if (s->scratch) eddy_batch_free(s->scratch);
    free(s->phys.fields);
    free(s->phys_col);
    free(s->meta);
    free(s);
}

/* Sorts the output columns into physical ones and metadata ones, and checks the latter. */
static int split_columns(eddy_kafka_decoder *s, const eddy_source_spec *spec, eddy_error *err)
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
static int make_decoders(eddy_kafka_decoder *s, const eddy_source_spec *spec, eddy_error *err)
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
                    rc =
                        eddy_error_set(err, EDDY_EBIND, 0, 0,
                                       "column '%s' is not a column of table '%s'", name, tname(s));
            }
        }
        if (rc == 0) s->cd = eddy_csv_decoder_new(&s->phys, pos, nfields, &s->csv);
        free(pos);
    }
    free(paths);
    free(npath);
    return rc;
}

/* Decodes message m into row scratch->n (and out's metadata cells of that row). 0, 1 when it
 * was skipped as bad, or a negative error. */
int eddy_kafka_decode(eddy_kafka_decoder *s, const rd_kafka_message_t *m, eddy_batch *out,
                      eddy_error *err)
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
        while (content && (val[content - 1] == '\n' || val[content - 1] == '\r'))
            content--;
        int before = sb->n;
        rc = eddy_csv_decode(s->cd, val, content, sb, false);
        if (rc)
            why = eddy_csv_decoder_error(s->cd);
        else if (sb->n == before)
            return 1; /* a comment line */
    }
    if (rc) {
        if (!s->ignore_errors)
            return eddy_error_set(err, EDDY_EDATA, 0, 0,
                                  "topic %s, partition %" PRId32 ", offset %" PRId64 ": %s",
                                  rd_kafka_topic_name(m->rkt), m->partition, m->offset, why);
        if (s->spec->bad_record) {
            char where[600];
            snprintf(where, sizeof where, "topic %s, partition %" PRId32 ", offset %" PRId64,
                     rd_kafka_topic_name(m->rkt), m->partition, m->offset);
            s->spec->bad_record(s->spec->ctx, where, why);
        }
        return 1;
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
        case META_KEY:
            if (!m->key) {
                eddy_col_nulls(out, c)[row] = 1;
                continue;
            }
            col->v.str[row] = eddy_batch_str(out, m->key, m->key_len);
            break;
        default:
            continue;
        }
        if (col->nulls) col->nulls[row] = 0;
    }
    return 0;
}

/* Moves the scratch batch's physical columns into out. */
void eddy_kafka_decoder_finish(eddy_kafka_decoder *s, eddy_batch *out)
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

int eddy_kafka_decoder_new(const eddy_source_spec *spec, const char *const *source_keys,
                           eddy_kafka_decoder **out, eddy_error *err)
{
    eddy_optset o = {"kafka", spec->options, spec->noptions, err};
    eddy_kafka_decoder *s = eddy_xcalloc(1, sizeof *s);
    s->spec = spec;
    s->table = spec->table;
    const char *format;
    if (eddy_opt_require(&o, "format", &format)) goto fail;
    const char *known[128];
    int nk = 0;
    for (int i = 0; source_keys && source_keys[i] && nk < 100; i++)
        known[nk++] = source_keys[i];
    known[nk++] = "format";
    if (strcasecmp(format, "json") == 0) {
        s->format = FMT_JSON;
        for (int i = 0; eddy_json_option_keys[i] && nk < 126; i++)
            known[nk++] = eddy_json_option_keys[i];
    } else if (strcasecmp(format, "csv") == 0) {
        s->format = FMT_CSV;
        for (int i = 0; eddy_csv_option_keys[i] && nk < 126; i++)
            known[nk++] = eddy_csv_option_keys[i];
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
    if (split_columns(s, spec, err) || make_decoders(s, spec, err)) goto fail;
    const eddy_sqltype *types[256];
    if (s->phys.n > 256) {
        eddy_error_set(err, EDDY_EUNSUPPORTED, 0, 0, "table '%s' has more than 256 columns",
                       tname(s));
        goto fail;
    }
    for (int k = 0; k < s->phys.n; k++)
        types[k] = s->phys.fields[k].type;
    s->scratch =
        eddy_batch_new(s->phys.n, types, spec->batch_rows > 0 ? spec->batch_rows : EDDY_BATCH_ROWS);
    *out = s;
    return 0;
fail:
    eddy_kafka_decoder_free(s);
    return err->code ? err->code : EDDY_EUSAGE;
}

void eddy_kafka_decoder_begin(eddy_kafka_decoder *d)
{
    eddy_batch_reset(d->scratch);
}

int eddy_kafka_decoder_rows(const eddy_kafka_decoder *d)
{
    return d->scratch->n;
}

int eddy_kafka_decoder_cap(const eddy_kafka_decoder *d)
{
    return d->scratch->cap;
}

int eddy_kafka_decoder_flush(eddy_kafka_decoder *d, eddy_error *err)
{
    (void)d;
    (void)err;
    return 0;
}
