/*
 * job.c: builds the operators of a physical plan and runs them (see job.h).
 *
 * Building: every plan node becomes one operator (a SOURCE node becomes a source driver that
 * owns the connector handle and a reusable batch); nodes reached from several parents are
 * built once and fan out. Running: one thread polls the sources round-robin and pushes each
 * batch down its pipeline synchronously; watermarks and end-of-input follow in-band. Every few
 * milliseconds of wall-clock time the operators get a tick (processing-time windows, idle
 * splits, early firing) and, on a terminal, the status line is redrawn.
 */
#include "job.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/arena.h"
#include "operator.h"

typedef struct src_driver {
    const eddy_plan *plan;          /* the SOURCE node */
    const eddy_source_ops *ops;     /* the connector */
    void *state;                    /* its handle */
    eddy_batch *batch;              /* reused for every poll */
    eddy_op_out *outs;              /* downstream operators */
    int nouts;
    bool ended;                     /* returned EDDY_POLL_END */
    uint64_t rows;                  /* rows read */
    eddy_source_spec spec;          /* what it was opened with (kept for its pointers) */
} src_driver;

typedef struct sink_inst {
    const eddy_sink_ops *ops;
    void *state;
    eddy_sink_spec spec;
} sink_inst;

struct eddy_job {
    const eddy_job_plan *plan;
    eddy_connector_registry reg;
    eddy_job_options opt;
    eddy_op **ops;                  /* by plan node id; NULL for SOURCE nodes and unbuilt ids */
    int *src_of;                    /* by plan node id: index into srcs for SOURCE nodes, else -1 */
    src_driver *srcs;
    int nsrcs;
    sink_inst *sinks;
    int nsinks;
    volatile sig_atomic_t stop;     /* set by eddy_job_stop */
    uint64_t bad_records;           /* malformed records skipped by sources */
    int bad_logged;                 /* how many of them were written to stderr */
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_bad_record(void *ctx, const char *where, const char *why)
{
    eddy_job *job = ctx;
    job->bad_records++;
    if (job->bad_logged < 10) {
        job->bad_logged++;
        fprintf(stderr, "eddy: skipped a malformed record (%s): %s%s\n", where, why,
                job->bad_logged == 10 ? " (further ones are only counted)" : "");
    }
}

static void add_out(eddy_op_out **outs, int *n, eddy_op *op, int input)
{
    *outs = eddy_xrealloc(*outs, sizeof(eddy_op_out) * (size_t)(*n + 1));
    (*outs)[*n].op = op;
    (*outs)[*n].input = input;
    (*n)++;
}

/* The number of splits of the source below node p (following first inputs). */
static int splits_below(eddy_job *job, const eddy_plan *p)
{
    while (p && p->kind != EDDY_PLAN_SOURCE) p = p->ninputs ? p->inputs[0] : NULL;
    if (!p || job->src_of[p->id] < 0) return 1;
    src_driver *s = &job->srcs[job->src_of[p->id]];
    return s->ops->splits ? s->ops->splits(s->state) : 1;
}

static int open_source(eddy_job *job, const eddy_plan *p, eddy_error *err)
{
    const eddy_connector *c = eddy_connector_find(job->reg, p->u.source.connector);
    if (!c || !c->source)
        return eddy_error_set(err, EDDY_ECONNECTOR, p->line, p->col,
                              "table '%s': connector '%s' %s", p->u.source.table,
                              p->u.source.connector ? p->u.source.connector : "(none)",
                              c ? "cannot be read from" : "is not known");
    job->srcs = eddy_xrealloc(job->srcs, sizeof(src_driver) * (size_t)(job->nsrcs + 1));
    src_driver *s = &job->srcs[job->nsrcs];
    memset(s, 0, sizeof *s);
    s->plan = p;
    s->ops = c->source;
    s->spec.table = p->u.source.table;
    s->spec.options = p->u.source.options;
    s->spec.noptions = p->u.source.noptions;
    s->spec.schema = &p->out;
    s->spec.paths = (const char *const *const *)p->u.source.paths;
    s->spec.npath = p->u.source.npath;
    s->spec.metadata = (const char *const *)p->u.source.metadata;
    s->spec.pushed_filter = p->u.source.pushed_filter;
    s->spec.physical = p->u.source.physical.n ? &p->u.source.physical : NULL;
    s->spec.batch_rows = job->opt.batch_rows > 0 ? job->opt.batch_rows : EDDY_BATCH_ROWS;
    s->spec.bad_record = on_bad_record;
    s->spec.ctx = job;
    int rc = s->ops->open(&s->spec, &s->state, err);
    if (rc) return rc;
    const eddy_sqltype **types = eddy_xcalloc((size_t)(p->out.n ? p->out.n : 1), sizeof *types);
    for (int i = 0; i < p->out.n; i++) types[i] = p->out.fields[i].type;
    s->batch = eddy_batch_new(p->out.n, types, s->spec.batch_rows);
    free(types);
    job->src_of[p->id] = job->nsrcs++;
    return 0;
}

static int open_sink(eddy_job *job, const eddy_plan *p, eddy_op **out, eddy_error *err)
{
    const eddy_connector *c = eddy_connector_find(job->reg, p->u.sink.connector);
    if (!c || !c->sink)
        return eddy_error_set(err, EDDY_ECONNECTOR, p->line, p->col,
                              "table '%s': connector '%s' %s", p->u.sink.table,
                              p->u.sink.connector ? p->u.sink.connector : "(none)",
                              c ? "cannot be written to" : "is not known");
    job->sinks = eddy_xrealloc(job->sinks, sizeof(sink_inst) * (size_t)(job->nsinks + 1));
    sink_inst *s = &job->sinks[job->nsinks];
    memset(s, 0, sizeof *s);
    s->ops = c->sink;
    s->spec.table = p->u.sink.table;
    s->spec.options = p->u.sink.options;
    s->spec.noptions = p->u.sink.noptions;
    s->spec.schema = &p->u.sink.target;
    s->spec.changelog = p->ninputs > 0 && p->inputs[0]->changelog;
    s->spec.print_kinds = p->u.sink.print_changelog;
    s->spec.job_name = job->plan->name;
    s->spec.out = job->opt.print_out ? job->opt.print_out : stdout;
    int rc = s->ops->open(&s->spec, &s->state, err);
    if (rc) return rc;
    job->nsinks++;
    *out = eddy_op_sink_new(p, s->ops, s->state);
    return 0;
}

/* Builds node p (once) and everything below it. */
static int build(eddy_job *job, const eddy_plan *p, eddy_error *err)
{
    if (job->ops[p->id] || job->src_of[p->id] >= 0) return 0;
    if (p->kind == EDDY_PLAN_SOURCE) return open_source(job, p, err);

    for (int i = 0; i < p->ninputs; i++) {
        int rc = build(job, p->inputs[i], err);
        if (rc) return rc;
    }
    eddy_op *op = NULL;
    int rc = 0;
    switch (p->kind) {
    case EDDY_PLAN_CALC: op = eddy_op_calc_new(p, err); break;
    case EDDY_PLAN_WATERMARK: op = eddy_op_watermark_new(p, splits_below(job, p), err); break;
    case EDDY_PLAN_WINDOW_TVF: op = eddy_op_window_tvf_new(p, err); break;
    case EDDY_PLAN_WINDOW_AGG: op = eddy_op_window_agg_new(p, err); break;
    case EDDY_PLAN_SESSION_AGG: op = eddy_op_session_agg_new(p, err); break;
    case EDDY_PLAN_GROUP_AGG: op = eddy_op_group_agg_new(p, err); break;
    case EDDY_PLAN_UNION: op = eddy_op_union_new(p, err); break;
    case EDDY_PLAN_SINK: rc = open_sink(job, p, &op, err); break;
    default:
        return eddy_error_set(err, EDDY_EPLAN, p->line, p->col, "plan node kind %d has no operator",
                              (int)p->kind);
    }
    if (rc) return rc;
    if (!op) return err->code ? err->code : EDDY_EPLAN;
    job->ops[p->id] = op;
    for (int i = 0; i < p->ninputs; i++) {
        const eddy_plan *in = p->inputs[i];
        if (in->kind == EDDY_PLAN_SOURCE) {
            src_driver *s = &job->srcs[job->src_of[in->id]];
            add_out(&s->outs, &s->nouts, op, i);
        } else {
            eddy_op *up = job->ops[in->id];
            add_out(&up->outs, &up->nouts, op, i);
        }
    }
    return 0;
}

int eddy_job_create(const eddy_job_plan *plan, eddy_connector_registry reg,
                    const eddy_job_options *opt, eddy_job **out, eddy_error *err)
{
    eddy_job *job = eddy_xcalloc(1, sizeof *job);
    job->plan = plan;
    job->reg = reg;
    if (opt) job->opt = *opt;
    int n = plan->nnodes > 0 ? plan->nnodes : 1;
    job->ops = eddy_xcalloc((size_t)n, sizeof *job->ops);
    job->src_of = eddy_xcalloc((size_t)n, sizeof *job->src_of);
    for (int i = 0; i < n; i++) job->src_of[i] = -1;
    for (int i = 0; i < plan->nsinks; i++) {
        int rc = build(job, plan->sinks[i], err);
        if (rc) {
            eddy_job_destroy(job);
            *out = NULL;
            return rc;
        }
    }
    *out = job;
    return 0;
}

static int push_to(eddy_op_out *outs, int nouts, eddy_batch *b, eddy_error *err)
{
    for (int i = 0; i < nouts; i++) {
        eddy_op *d = outs[i].op;
        d->rows_in += (uint64_t)b->n;
        int rc = d->ops->push(d, outs[i].input, b, err);
        if (rc) return rc;
    }
    return 0;
}

static int finish_to(eddy_op_out *outs, int nouts, eddy_error *err)
{
    for (int i = 0; i < nouts; i++) {
        int rc = outs[i].op->ops->finish(outs[i].op, outs[i].input, err);
        if (rc) return rc;
    }
    return 0;
}

static int tick_all(eddy_job *job, eddy_error *err)
{
    int64_t now = mono_ms();
    for (int i = 0; i < job->plan->nnodes; i++) {
        eddy_op *op = job->ops[i];
        if (op && op->ops->tick) {
            int rc = op->ops->tick(op, now, err);
            if (rc) return rc;
        }
    }
    return 0;
}

static void draw_status(eddy_job *job, int64_t started, bool final)
{
    eddy_job_metrics m;
    eddy_job_get_metrics(job, &m);
    double secs = (double)(mono_ms() - started) / 1000.0;
    double rate = secs > 0 ? (double)m.rows_in / secs : 0;
    char wm[32] = "-";
    if (m.watermark != INT64_MIN && m.watermark != INT64_MAX)
        snprintf(wm, sizeof wm, "%" PRId64, m.watermark);
    fprintf(stderr, "\r\033[K%s: %" PRIu64 " rows in, %.0f rows/s, %" PRIu64 " out, watermark %s, %" PRIu64
            " late, %" PRIu64 " bad%s",
            job->plan->name ? job->plan->name : "job", m.rows_in, rate, m.rows_out, wm, m.late_rows,
            m.bad_records, final ? "\n" : "");
    fflush(stderr);
}

int eddy_job_run(eddy_job *job, eddy_error *err)
{
    int64_t started = mono_ms(), last_tick = started, last_status = started;
    int active = job->nsrcs;
    int rc = 0;
    while (active > 0 && !job->stop) {
        bool progress = false;
        for (int i = 0; i < job->nsrcs && !job->stop; i++) {
            src_driver *s = &job->srcs[i];
            if (s->ended) continue;
            eddy_batch_reset(s->batch);
            int r = s->ops->poll(s->state, s->batch, 0, err);
            if (r == EDDY_POLL_DATA) {
                progress = true;
                s->rows += (uint64_t)s->batch->n;
                rc = push_to(s->outs, s->nouts, s->batch, err);
            } else if (r == EDDY_POLL_END) {
                s->ended = true;
                active--;
                progress = true;
                rc = finish_to(s->outs, s->nouts, err);
            } else if (r < 0) {
                rc = r;
            }
            if (rc) goto out;
        }
        int64_t now = mono_ms();
        if (now - last_tick >= 10) {
            last_tick = now;
            rc = tick_all(job, err);
            if (rc) goto out;
        }
        if (job->opt.status_line && now - last_status >= 500) {
            last_status = now;
            draw_status(job, started, false);
        }
        if (!progress) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (job->stop) {
        /* stopped from outside: make what the sinks hold visible */
        for (int i = 0; i < job->nsinks; i++) {
            sink_inst *s = &job->sinks[i];
            if (s->ops->flush && (rc = s->ops->flush(s->state, err))) goto out;
        }
    }
out:
    if (job->opt.status_line) draw_status(job, started, true);
    if (job->bad_records > 0)
        fprintf(stderr, "eddy: %" PRIu64 " malformed record(s) skipped\n", job->bad_records);
    eddy_job_metrics m;
    eddy_job_get_metrics(job, &m);
    if (m.late_rows > 0)
        fprintf(stderr, "eddy: %" PRIu64 " late row(s) dropped (behind the watermark)\n", m.late_rows);
    return rc;
}

void eddy_job_stop(eddy_job *job)
{
    job->stop = 1;
}

void eddy_job_get_metrics(const eddy_job *job, eddy_job_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->watermark = INT64_MIN;
    for (int i = 0; i < job->nsrcs; i++) m->rows_in += job->srcs[i].rows;
    bool have_wm = false;
    for (int i = 0; i < job->plan->nnodes; i++) {
        const eddy_op *op = job->ops[i];
        if (!op) continue;
        m->late_rows += op->late_rows;
        m->state_bytes += op->state_bytes;
        if (op->plan->kind == EDDY_PLAN_SINK) {
            m->rows_out += op->rows_out;
            if (!have_wm || op->wm < m->watermark) m->watermark = op->wm;
            have_wm = true;
        }
    }
    m->bad_records = job->bad_records;
}

void eddy_job_destroy(eddy_job *job)
{
    if (!job) return;
    for (int i = 0; i < job->plan->nnodes; i++)
        if (job->ops[i]) job->ops[i]->ops->destroy(job->ops[i]);
    for (int i = 0; i < job->nsinks; i++)
        if (job->sinks[i].ops->close) job->sinks[i].ops->close(job->sinks[i].state);
    for (int i = 0; i < job->nsrcs; i++) {
        src_driver *s = &job->srcs[i];
        if (s->ops->close) s->ops->close(s->state);
        eddy_batch_free(s->batch);
        free(s->outs);
    }
    free(job->srcs);
    free(job->sinks);
    free(job->ops);
    free(job->src_of);
    free(job);
}
