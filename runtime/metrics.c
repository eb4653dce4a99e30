/*
 * metrics.c: the registry of jobs' metric snapshots and its Prometheus text (see metrics.h).
 *
 * The registry is a doubly linked list of entries under one mutex; an entry owns its name and
 * its current snapshot. Publishing swaps the snapshot pointer under the mutex and frees the old
 * one after releasing it, so the job thread holds the lock for a few instructions. Rendering
 * walks the family table below once per family and, inside, the entries in registration order,
 * so each family's HELP and TYPE come once, followed by every job's samples.
 */
#include "metrics.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"

typedef struct msplit {
    char *name;  /* "topic:partition" or the split's index */
    int64_t lag; /* records */
} msplit;

typedef struct msource {
    char *table;    /* the table label */
    msplit *splits;
    int nsplits, cap;
} msource;

struct eddy_metrics_snapshot {
    eddy_job_metrics m;  /* the job's figures */
    msource *sources;    /* sources that report a lag */
    int nsources, cap;
};

struct eddy_metrics_job {
    eddy_metrics *reg;
    char *name;                  /* the job label */
    eddy_metrics_snapshot *snap; /* under reg->mu; NULL until the first publish */
    eddy_metrics_job *prev, *next;
};

struct eddy_metrics {
    pthread_mutex_t mu;
    eddy_metrics_job *first, *last; /* in registration order */
};

eddy_metrics *eddy_metrics_new(void)
{
    eddy_metrics *reg = eddy_xcalloc(1, sizeof *reg);
    pthread_mutex_init(&reg->mu, NULL);
    return reg;
}

static void entry_free(eddy_metrics_job *j)
{
    eddy_metrics_snapshot_free(j->snap);
    free(j->name);
    free(j);
}

void eddy_metrics_free(eddy_metrics *reg)
{
    if (!reg) return;
    for (eddy_metrics_job *j = reg->first, *next; j; j = next) {
        next = j->next;
        entry_free(j);
    }
    pthread_mutex_destroy(&reg->mu);
    free(reg);
}

eddy_metrics_job *eddy_metrics_register(eddy_metrics *reg, const char *name)
{
    eddy_metrics_job *j = eddy_xcalloc(1, sizeof *j);
    j->reg = reg;
    j->name = eddy_xstrdup(name ? name : "");
    pthread_mutex_lock(&reg->mu);
    j->prev = reg->last;
    if (reg->last) reg->last->next = j;
    else reg->first = j;
    reg->last = j;
    pthread_mutex_unlock(&reg->mu);
    return j;
}

void eddy_metrics_unregister(eddy_metrics_job *j)
{
    if (!j) return;
    eddy_metrics *reg = j->reg;
    pthread_mutex_lock(&reg->mu);
    if (j->prev) j->prev->next = j->next;
    else reg->first = j->next;
    if (j->next) j->next->prev = j->prev;
    else reg->last = j->prev;
    pthread_mutex_unlock(&reg->mu);
    entry_free(j);
}

eddy_metrics_snapshot *eddy_metrics_snapshot_new(const eddy_job_metrics *m)
{
    eddy_metrics_snapshot *snap = eddy_xcalloc(1, sizeof *snap);
    snap->m = *m;
    return snap;
}

void eddy_metrics_snapshot_add_source(eddy_metrics_snapshot *snap, const char *table)
{
    if (snap->nsources == snap->cap) {
        snap->cap = snap->cap ? snap->cap * 2 : 4;
        snap->sources = eddy_xrealloc(snap->sources, sizeof *snap->sources * (size_t)snap->cap);
    }
    msource *s = &snap->sources[snap->nsources++];
    memset(s, 0, sizeof *s);
    s->table = eddy_xstrdup(table ? table : "");
}

void eddy_metrics_snapshot_add_split(eddy_metrics_snapshot *snap, const char *name, int64_t lag)
{
    if (snap->nsources == 0) return;
    msource *s = &snap->sources[snap->nsources - 1];
    if (s->nsplits == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->splits = eddy_xrealloc(s->splits, sizeof *s->splits * (size_t)s->cap);
    }
    s->splits[s->nsplits].name = eddy_xstrdup(name ? name : "");
    s->splits[s->nsplits].lag = lag;
    s->nsplits++;
}

void eddy_metrics_snapshot_free(eddy_metrics_snapshot *snap)
{
    if (!snap) return;
    for (int i = 0; i < snap->nsources; i++) {
        msource *s = &snap->sources[i];
        for (int k = 0; k < s->nsplits; k++) free(s->splits[k].name);
        free(s->splits);
        free(s->table);
    }
    free(snap->sources);
    free(snap);
}

void eddy_metrics_publish(eddy_metrics_job *j, eddy_metrics_snapshot *snap)
{
    pthread_mutex_lock(&j->reg->mu);
    eddy_metrics_snapshot *old = j->snap;
    j->snap = snap;
    pthread_mutex_unlock(&j->reg->mu);
    eddy_metrics_snapshot_free(old);
}

/* ---------------------------------------------------------------------------------------- */
/* Rendering                                                                                 */

/* A sample's value: an integer, or +Inf. */
typedef struct mvalue {
    bool present; /* false: no sample for this job */
    bool inf;     /* +Inf */
    bool is_signed;
    uint64_t u;
    int64_t i;
} mvalue;

static mvalue val_u(uint64_t u)
{
    return (mvalue){.present = true, .u = u};
}

static mvalue val_i(int64_t i)
{
    return (mvalue){.present = true, .is_signed = true, .i = i};
}

static mvalue val_watermark(const eddy_job_metrics *m)
{
    if (m->watermark == INT64_MIN) return (mvalue){0};                     /* none yet */
    if (m->watermark == INT64_MAX) return (mvalue){.present = true, .inf = true}; /* ended */
    return val_i(m->watermark);
}

/* Checkpoint figures that mean something only once one completed in this run. */
static mvalue val_if_checkpointed(const eddy_job_metrics *m, mvalue v)
{
    return m->checkpoints > 0 ? v : (mvalue){0};
}

static mvalue f_rows_in(const eddy_job_metrics *m) { return val_u(m->rows_in); }
static mvalue f_rows_out(const eddy_job_metrics *m) { return val_u(m->rows_out); }
static mvalue f_late(const eddy_job_metrics *m) { return val_u(m->late_rows); }
static mvalue f_bad(const eddy_job_metrics *m) { return val_u(m->bad_records); }
static mvalue f_ckpts(const eddy_job_metrics *m) { return val_u(m->checkpoints); }
static mvalue f_wm(const eddy_job_metrics *m) { return val_watermark(m); }
static mvalue f_state(const eddy_job_metrics *m) { return val_u(m->state_bytes); }
static mvalue f_ck_id(const eddy_job_metrics *m) { return val_u(m->checkpoint_id); }
static mvalue f_ck_ms(const eddy_job_metrics *m) { return val_if_checkpointed(m, val_i(m->checkpoint_ms)); }
static mvalue f_ck_pause(const eddy_job_metrics *m)
{
    return val_if_checkpointed(m, val_i(m->checkpoint_pause_us));
}
static mvalue f_ck_bytes(const eddy_job_metrics *m)
{
    return val_if_checkpointed(m, val_u(m->checkpoint_bytes));
}

/* One metric family with a sample per job. */
typedef struct family {
    const char *name;
    const char *type; /* "counter" or "gauge" */
    const char *help;
    mvalue (*value)(const eddy_job_metrics *m);
} family;

static const family job_families[] = {
    {"eddy_rows_in_total", "counter", "Rows read by the job's sources.", f_rows_in},
    {"eddy_rows_out_total", "counter", "Rows written by the job's sinks.", f_rows_out},
    {"eddy_late_rows_total", "counter",
     "Rows that came behind the watermark (dropped, or written to 'eddy.late-rows.table').", f_late},
    {"eddy_bad_records_total", "counter", "Malformed input records skipped.", f_bad},
    {"eddy_watermark_milliseconds", "gauge",
     "The job's event-time watermark (minimum over its inputs), epoch milliseconds; +Inf once "
     "every input has ended.",
     f_wm},
    {"eddy_state_bytes", "gauge", "Memory held by the operators' state.", f_state},
    {"eddy_checkpoints_total", "counter", "Checkpoints completed by this run of the job.", f_ckpts},
    {"eddy_checkpoint_last_id", "gauge", "Id of the last completed checkpoint (0: none).", f_ck_id},
    {"eddy_checkpoint_duration_milliseconds", "gauge",
     "Duration of the last checkpoint, from the sinks' prepare to their commit.", f_ck_ms},
    {"eddy_checkpoint_pause_microseconds", "gauge",
     "How long the last checkpoint stopped the pipeline.", f_ck_pause},
    {"eddy_checkpoint_bytes", "gauge", "Size of the state store after the last checkpoint.",
     f_ck_bytes},
};

/* A HELP text: backslash and newline escaped. */
static void put_help(eddy_strbuf *out, const char *name, const char *help)
{
    eddy_strbuf_printf(out, "# HELP %s ", name);
    for (const char *p = help; *p; p++) {
        if (*p == '\\') eddy_strbuf_puts(out, "\\\\");
        else if (*p == '\n') eddy_strbuf_puts(out, "\\n");
        else eddy_strbuf_putc(out, *p);
    }
    eddy_strbuf_putc(out, '\n');
}

static void put_header(eddy_strbuf *out, const char *name, const char *type, const char *help)
{
    put_help(out, name, help);
    eddy_strbuf_printf(out, "# TYPE %s %s\n", name, type);
}

/* A label value between double quotes: backslash, double quote and newline escaped. */
static void put_label(eddy_strbuf *out, const char *key, const char *value, bool first)
{
    eddy_strbuf_printf(out, "%s%s=\"", first ? "" : ",", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\\') eddy_strbuf_puts(out, "\\\\");
        else if (*p == '"') eddy_strbuf_puts(out, "\\\"");
        else if (*p == '\n') eddy_strbuf_puts(out, "\\n");
        else eddy_strbuf_putc(out, *p);
    }
    eddy_strbuf_putc(out, '"');
}

static void put_value(eddy_strbuf *out, mvalue v)
{
    if (v.inf) eddy_strbuf_puts(out, " +Inf\n");
    else if (v.is_signed) eddy_strbuf_printf(out, " %" PRId64 "\n", v.i);
    else eddy_strbuf_printf(out, " %" PRIu64 "\n", v.u);
}

/* The sum of a source's lags. */
static int64_t source_total(const msource *s)
{
    int64_t t = 0;
    for (int k = 0; k < s->nsplits; k++) t += s->splits[k].lag;
    return t;
}

static void render_locked(eddy_metrics *reg, eddy_strbuf *out)
{
    int nfam = (int)(sizeof job_families / sizeof job_families[0]);
    for (int f = 0; f < nfam; f++) {
        const family *fam = &job_families[f];
        bool header = false;
        for (const eddy_metrics_job *j = reg->first; j; j = j->next) {
            if (!j->snap) continue;
            mvalue v = fam->value(&j->snap->m);
            if (!v.present) continue;
            if (!header) put_header(out, fam->name, fam->type, fam->help);
            header = true;
            eddy_strbuf_printf(out, "%s{", fam->name);
            put_label(out, "job", j->name, true);
            eddy_strbuf_putc(out, '}');
            put_value(out, v);
        }
    }
    /* per split, then per source */
    for (int pass = 0; pass < 2; pass++) {
        const char *name = pass == 0 ? "eddy_source_lag_records" : "eddy_source_total_lag_records";
        const char *help = pass == 0
                               ? "Records of a source's split (Kafka: partition) behind the end of "
                                 "its stream, for the splits this process reads."
                               : "The sum of eddy_source_lag_records over a source's splits.";
        bool header = false;
        for (const eddy_metrics_job *j = reg->first; j; j = j->next) {
            if (!j->snap) continue;
            for (int i = 0; i < j->snap->nsources; i++) {
                const msource *s = &j->snap->sources[i];
                if (s->nsplits == 0) continue;
                for (int k = 0; k < (pass == 0 ? s->nsplits : 1); k++) {
                    if (!header) put_header(out, name, "gauge", help);
                    header = true;
                    eddy_strbuf_printf(out, "%s{", name);
                    put_label(out, "job", j->name, true);
                    put_label(out, "table", s->table, false);
                    if (pass == 0) put_label(out, "split", s->splits[k].name, false);
                    eddy_strbuf_putc(out, '}');
                    put_value(out, val_i(pass == 0 ? s->splits[k].lag : source_total(s)));
                }
            }
        }
    }
}

void eddy_metrics_render(eddy_metrics *reg, eddy_strbuf *out)
{
    pthread_mutex_lock(&reg->mu);
    render_locked(reg, out);
    pthread_mutex_unlock(&reg->mu);
}
