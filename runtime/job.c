/*
 * job.c: builds the operators of a physical plan and runs them (see job.h).
 *
 * Building: every plan node becomes one operator (a SOURCE node becomes a source driver that
 * owns the connector handle and a reusable batch); nodes reached from several parents are
 * built once and fan out. Running: one thread polls the sources round-robin and pushes each
 * batch down its pipeline synchronously; watermarks and end-of-input follow in-band. Every few
 * milliseconds of wall-clock time the operators get a tick (processing-time windows, idle
 * splits, early firing) and, on a terminal, the status line is redrawn.
 *
 * Checkpoints (opt.state_dir): the coordinator (checkpoint.c) is handed the job's parts in
 * plan node-id order once everything is built; it restores the last checkpoint there, before
 * the first poll. Between two rounds of polls, once the interval has passed and no checkpoint
 * is in flight, it starts one: the sinks prepare, the records are gathered, and a forked
 * writer process writes the snapshots while the job goes on (checkpoint.h); every round polls
 * the writer, and once it has reported the sinks commit. How the job ends decides the rest:
 *   - every source ended (or every sink reached its LIMIT): a checkpoint in flight is ended
 *     (superseded), a last checkpoint of the sinks' markers commits them, then the state files
 *     are removed (a rerun starts afresh); a job restored from such a checkpoint (it died
 *     before the removal) only removes them;
 *   - eddy_job_stop(): the checkpoint in flight lands, then a last checkpoint, in process (a
 *     rerun resumes from it), then the savepoint copy when opt.savepoint_dir is set;
 *   - an error: the checkpoint in flight lands (its sinks commit) or fails; nothing more: the
 *     last checkpoint stays the one a rerun resumes from.
 * Without a state directory, a stop flushes the sinks (at-least-once) and an end flushes them
 * through their finish(), as before checkpoints existed.
 */
#include "job.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/arena.h"
#include "checkpoint.h"
#include "metrics.h"
#include "operator.h"
#include "spill.h"

typedef struct src_driver {
    const eddy_plan *plan;          /* the SOURCE node */
    const eddy_source_ops *ops;     /* the connector */
    void *state;                    /* its handle */
    eddy_batch *batch;              /* reused for every poll */
    eddy_op_out *outs;              /* downstream operators */
    int nouts;
    bool ended;                     /* returned EDDY_POLL_END */
    uint64_t rows;                  /* rows read */
    eddy_op **wms;                  /* WATERMARK operators over this source's splits */
    int nwms;
    uint8_t *owned;                 /* per split: read by this process (split_owned), as last told */
    int nsplits;
    eddy_source_spec spec;          /* what it was opened with (kept for its pointers) */
} src_driver;

typedef struct sink_inst {
    const eddy_plan *plan;          /* the SINK node */
    const eddy_sink_ops *ops;
    void *state;
    eddy_op *op;                    /* its operator */
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
    const eddy_plan **nodes;        /* by plan node id (every node reached from a sink) */
    int nlimits;                    /* sinks with a LIMIT */
    eddy_checkpointer *ckpt;        /* checkpoints, or NULL (no state_dir) */
    int64_t interval_ms;            /* between two checkpoints */
    volatile sig_atomic_t stop;     /* set by eddy_job_stop */
    char *stop_savepoint;           /* eddy_job_stop_with_savepoint: where (malloc'ed) */
    eddy_spill *spill;              /* state beyond the memory budget (spill.h) */
    uint64_t bad_records;           /* malformed records skipped by sources */
    int bad_logged;                 /* how many of them were written to stderr */
    eddy_metrics_job *metrics;      /* its entry in opt.metrics (metrics.h), or NULL */
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

/* The WATERMARK operator of node p, told which of its source's splits this process reads. */
static eddy_op *watermark_op(eddy_job *job, const eddy_plan *p, eddy_error *err)
{
    eddy_op *op = eddy_op_watermark_new(p, splits_below(job, p), err);
    const eddy_plan *q = p;
    while (q && q->kind != EDDY_PLAN_SOURCE) q = q->ninputs ? q->inputs[0] : NULL;
    if (!op || !q || job->src_of[q->id] < 0) return op;
    src_driver *s = &job->srcs[job->src_of[q->id]];
    if (!s->ops->split_owned) return op;
    s->wms = eddy_xrealloc(s->wms, sizeof *s->wms * (size_t)(s->nwms + 1));
    s->wms[s->nwms++] = op;
    for (int i = 0; i < s->nsplits; i++) eddy_op_watermark_set_owned(op, i, s->owned[i] != 0);
    return op;
}

/* Asks a source whose splits move between processes which it reads now, and tells its
 * WATERMARK operators what changed. */
static void update_owned(src_driver *s)
{
    for (int i = 0; i < s->nsplits; i++) {
        uint8_t now = s->ops->split_owned(s->state, i) ? 1 : 0;
        if (now == s->owned[i]) continue;
        s->owned[i] = now;
        for (int k = 0; k < s->nwms; k++) eddy_op_watermark_set_owned(s->wms[k], i, now != 0);
    }
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
    s->spec.primary_key = p->u.source.primary_key;
    s->spec.nprimary_key = p->u.source.nprimary_key;
    s->spec.batch_rows = job->opt.batch_rows > 0 ? job->opt.batch_rows : EDDY_BATCH_ROWS;
    s->spec.bad_record = on_bad_record;
    s->spec.ctx = job;
    int rc = s->ops->open(&s->spec, &s->state, err);
    if (rc) return rc;
    const eddy_sqltype **types = eddy_xcalloc((size_t)(p->out.n ? p->out.n : 1), sizeof *types);
    for (int i = 0; i < p->out.n; i++) types[i] = p->out.fields[i].type;
    s->batch = eddy_batch_new(p->out.n, types, s->spec.batch_rows);
    free(types);
    if (s->ops->split_owned) {
        s->nsplits = s->ops->splits ? s->ops->splits(s->state) : 1;
        s->owned = eddy_xcalloc((size_t)(s->nsplits ? s->nsplits : 1), 1);
        update_owned(s);
    }
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
    s->plan = p;
    s->ops = c->sink;
    s->spec.table = p->u.sink.table;
    s->spec.options = p->u.sink.options;
    s->spec.noptions = p->u.sink.noptions;
    s->spec.schema = &p->u.sink.target;
    s->spec.changelog = p->ninputs > 0 && p->inputs[0]->changelog;
    s->spec.print_kinds = p->u.sink.print_changelog;
    s->spec.job_name = job->plan->name;
    s->spec.out = job->opt.print_out ? job->opt.print_out : stdout;
    s->spec.checkpointing = job->opt.state_dir != NULL;
    s->spec.metadata = (const char *const *)p->u.sink.metadata;
    s->spec.primary_key = p->u.sink.primary_key;
    s->spec.nprimary_key = p->u.sink.nprimary_key;
    for (int k = 0; s->spec.metadata && k < p->u.sink.target.n; k++) {
        const char *m = s->spec.metadata[k];
        bool known = false;
        for (int j = 0; m && c->sink_metadata && c->sink_metadata[j]; j++)
            known = known || strcmp(c->sink_metadata[j], m) == 0;
        if (m && !known)
            return eddy_error_set(err, EDDY_EBIND, p->line, p->col,
                                  "table '%s': connector '%s' cannot write metadata '%s' (column "
                                  "'%s'); declare the column VIRTUAL to only read it",
                                  p->u.sink.table, p->u.sink.connector, m,
                                  p->u.sink.target.fields[k].name);
    }
    s->spec.index = 0; /* the sink's rank among SINK nodes by node id (checkpoint.h) */
    for (int id = 0; id < p->id; id++)
        if (job->nodes[id] && job->nodes[id]->kind == EDDY_PLAN_SINK) s->spec.index++;
    int rc = s->ops->open(&s->spec, &s->state, err);
    if (rc) return rc;
    job->nsinks++;
    *out = s->op = eddy_op_sink_new(p, s->ops, s->state);
    eddy_op_sink_set_exactly_once(s->op, s->spec.checkpointing);
    if (p->u.sink.limit > 0) job->nlimits++;
    return 0;
}

/* Whether the edge from node in to node p carries in's late rows rather than its output: p is
 * the CALC of in's late-row sink (plan.h window_agg.late_sink). */
static bool late_edge(const eddy_plan *in, const eddy_plan *p)
{
    if (in->kind != EDDY_PLAN_WINDOW_AGG && in->kind != EDDY_PLAN_SESSION_AGG) return false;
    const eddy_plan *ls = in->u.window_agg.late_sink;
    return ls && ls->inputs[0] == p;
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
    case EDDY_PLAN_WATERMARK: op = watermark_op(job, p, err); break;
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
        } else if (late_edge(in, p)) {
            eddy_op *up = job->ops[in->id];
            add_out(&up->late_outs, &up->nlate_outs, op, i);
        } else {
            eddy_op *up = job->ops[in->id];
            add_out(&up->outs, &up->nouts, op, i);
        }
    }
    return 0;
}

/* Records every node reached from p in job->nodes, by id. */
static void collect_nodes(eddy_job *job, const eddy_plan *p)
{
    if (p->id < 0 || p->id >= job->plan->nnodes || job->nodes[p->id]) return;
    job->nodes[p->id] = p;
    for (int i = 0; i < p->ninputs; i++) collect_nodes(job, p->inputs[i]);
}

/* The checkpoint interval: opt, else 'execution.checkpointing.interval', else 10 s. */
static int checkpoint_interval(eddy_job *job, eddy_error *err)
{
    if (job->opt.checkpoint_interval_ms > 0) {
        job->interval_ms = job->opt.checkpoint_interval_ms;
        return 0;
    }
    const char *v = eddy_kv_get(job->plan->config, job->plan->nconfig, "execution.checkpointing.interval", NULL);
    job->interval_ms = 10000;
    if (!v) return 0;
    int64_t ms;
    if (eddy_checkpoint_parse_interval(v, &ms) != 0 || ms <= 0)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "'execution.checkpointing.interval' = '%s' is not a duration of at "
                              "least 1 ms (write e.g. '10 s', '200 ms' or '1 min')",
                              v);
    job->interval_ms = ms;
    return 0;
}

/* The memory budget of the job's state ('state.memory.budget', spill.h) and its spill store. */
static int open_spill(eddy_job *job, eddy_error *err)
{
    const char *v = eddy_kv_get(job->plan->config, job->plan->nconfig, "state.memory.budget", NULL);
    int64_t budget = EDDY_SPILL_DEFAULT_BUDGET;
    if (v && (eddy_spill_parse_size(v, &budget) != 0 || budget <= 0))
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "'state.memory.budget' = '%s' is not a memory size (write e.g. "
                              "'256 mb', '64m' or '2 gb')",
                              v);
    job->spill = eddy_spill_new(job->opt.state_dir, budget);
    for (int i = 0; i < job->plan->nnodes; i++)
        if (job->ops[i]) job->ops[i]->spill = job->spill;
    return 0;
}

/* Over the budget: the operator that holds the most state and can spill moves it out. */
static int enforce_budget(eddy_job *job, eddy_error *err)
{
    uint64_t total = 0;
    eddy_op *big = NULL;
    for (int i = 0; i < job->plan->nnodes; i++) {
        eddy_op *op = job->ops[i];
        if (!op) continue;
        total += op->state_bytes;
        if (op->ops->spill && (!big || op->state_bytes > big->state_bytes)) big = op;
    }
    if (!big || total <= (uint64_t)eddy_spill_budget(job->spill) || big->state_bytes == 0) return 0;
    return big->ops->spill(big, err);
}

/* Checks the checkpoint options and opens the state store, before any connector opens. */
static int open_checkpoints(eddy_job *job, eddy_error *err)
{
    int rc = checkpoint_interval(job, err);
    if (rc) return rc;
    if (job->opt.savepoint_dir && (rc = eddy_checkpoint_check_savepoint_dir(job->opt.savepoint_dir, err)))
        return rc;
    rc = eddy_checkpoint_open(job->opt.state_dir, job->opt.from_savepoint, job->plan, &job->ckpt, err);
    if (rc == 0 && job->opt.from_savepoint)
        rc = eddy_spill_adopt(job->opt.from_savepoint, job->opt.state_dir, err);
    return rc;
}

/* Hands the built job to the checkpoint coordinator, which restores the last checkpoint. */
static int restore_checkpoint(eddy_job *job, eddy_error *err)
{
    int n = job->plan->nnodes;
    eddy_op **ops = eddy_xcalloc((size_t)n + 1, sizeof *ops);
    eddy_op **merges = eddy_xcalloc((size_t)n + 1, sizeof *merges);
    eddy_checkpoint_source *srcs = eddy_xcalloc((size_t)job->nsrcs + 1, sizeof *srcs);
    eddy_checkpoint_sink *sinks = eddy_xcalloc((size_t)job->nsinks + 1, sizeof *sinks);
    eddy_checkpoint_graph g = {.ops = ops, .merges = merges, .sources = srcs, .sinks = sinks,
                               .spill = job->spill};
    for (int id = 0; id < n; id++) {
        const eddy_plan *p = job->nodes[id];
        if (!p) continue;
        if (p->kind == EDDY_PLAN_SOURCE) {
            if (job->src_of[id] < 0) continue;
            src_driver *s = &job->srcs[job->src_of[id]];
            srcs[g.nsources++] = (eddy_checkpoint_source){p, s->ops, s->state};
            continue;
        }
        eddy_op *op = job->ops[id];
        if (!op) continue;
        if (p->state_shape) ops[g.nops++] = op;
        else if (p->ninputs > 1) merges[g.nmerges++] = op;
        if (p->kind == EDDY_PLAN_SINK) {
            for (int i = 0; i < job->nsinks; i++)
                if (job->sinks[i].plan == p)
                    sinks[g.nsinks++] = (eddy_checkpoint_sink){p, job->sinks[i].ops, job->sinks[i].state};
        }
    }
    int rc = eddy_checkpoint_restore(job->ckpt, &g, err);
    free(ops);
    free(merges);
    free(srcs);
    free(sinks);
    return rc;
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
    job->nodes = eddy_xcalloc((size_t)n, sizeof *job->nodes);
    for (int i = 0; i < n; i++) job->src_of[i] = -1;
    for (int i = 0; i < plan->nsinks; i++) collect_nodes(job, plan->sinks[i]);
    int rc = 0;
    if ((job->opt.savepoint_dir || job->opt.from_savepoint) && !job->opt.state_dir)
        rc = eddy_error_set(err, EDDY_EUSAGE, 0, 0, "savepoints need checkpoints: give the job a state directory");
    /* the state first: a state that cannot be used is refused before a connector opens */
    if (rc == 0 && job->opt.state_dir) rc = open_checkpoints(job, err);
    for (int i = 0; i < plan->nsinks && rc == 0; i++) rc = build(job, plan->sinks[i], err);
    if (rc == 0) rc = open_spill(job, err);
    if (rc == 0 && job->ckpt) rc = restore_checkpoint(job, err);
    if (rc) {
        if (job->ckpt) eddy_checkpoint_drop_copy(job->ckpt);
        eddy_job_destroy(job);
        *out = NULL;
        return rc;
    }
    if (job->opt.metrics) {
        const char *mname = job->opt.metrics_name ? job->opt.metrics_name : plan->name;
        job->metrics = eddy_metrics_register(job->opt.metrics, mname ? mname : "job");
    }
    job->opt.metrics_name = NULL; /* the caller's string need not outlive this call */
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
    char ck[64] = "";
    if (m.checkpoints > 0)
        snprintf(ck, sizeof ck, ", checkpoint %" PRIu64 " (%" PRId64 " ms)", m.checkpoint_id,
                 m.checkpoint_ms);
    char lag[48] = "";
    if (m.source_lag >= 0) snprintf(lag, sizeof lag, ", lag %" PRId64, m.source_lag);
    fprintf(stderr, "\r\033[K%s: %" PRIu64 " rows in, %.0f rows/s%s, %" PRIu64 " out, watermark %s, %" PRIu64
            " late, %" PRIu64 " bad%s%s",
            job->plan->name ? job->plan->name : "job", m.rows_in, rate, lag, m.rows_out, wm, m.late_rows,
            m.bad_records, ck, final ? "\n" : "");
    fflush(stderr);
}

/* Publishes the job's figures to opt.metrics (metrics.h), on the job's thread: sources' lags
 * are read here, never by the reader. A table read by two sources of the job is labelled
 * "t#2" for the second, so that no two series share their labels. */
static void publish_metrics(eddy_job *job)
{
    if (!job->metrics) return;
    eddy_job_metrics m;
    eddy_job_get_metrics(job, &m);
    eddy_metrics_snapshot *snap = eddy_metrics_snapshot_new(&m);
    char name[320];
    for (int i = 0; i < job->nsrcs; i++) {
        const src_driver *s = &job->srcs[i];
        if (!s->ops->lag) continue;
        int same = 0;
        for (int k = 0; k < i; k++)
            if (strcmp(job->srcs[k].spec.table, s->spec.table) == 0) same++;
        if (same) snprintf(name, sizeof name, "%s#%d", s->spec.table, same + 1);
        eddy_metrics_snapshot_add_source(snap, same ? name : s->spec.table);
        int n = s->ops->splits ? s->ops->splits(s->state) : 1;
        for (int k = 0; k < n; k++) {
            int64_t lag = s->ops->lag(s->state, k);
            if (lag < 0) continue;
            if (s->ops->split_name) s->ops->split_name(s->state, k, name, sizeof name);
            else snprintf(name, sizeof name, "%d", k);
            eddy_metrics_snapshot_add_split(snap, name, lag);
        }
    }
    eddy_metrics_publish(job->metrics, snap);
}

/* Every sink has written the LIMIT of its query (never true when one has no LIMIT). */
static bool limits_reached(const eddy_job *job)
{
    if (job->nlimits == 0 || job->nlimits < job->nsinks) return false;
    for (int i = 0; i < job->nsinks; i++)
        if (!eddy_op_sink_done(job->sinks[i].op)) return false;
    return true;
}

static int flush_sinks(eddy_job *job, eddy_error *err)
{
    for (int i = 0; i < job->nsinks; i++) {
        sink_inst *s = &job->sinks[i];
        int rc = s->ops->flush ? s->ops->flush(s->state, err) : 0;
        if (rc) return rc;
    }
    return 0;
}

/* eddy_job_stop may come from a signal handler or another thread. */
static bool stop_requested(eddy_job *job)
{
    return __atomic_load_n(&job->stop, __ATOMIC_ACQUIRE) != 0;
}

int eddy_job_run(eddy_job *job, eddy_error *err)
{
    int64_t started = mono_ms(), last_tick = started, last_status = started, last_ckpt = started;
    int64_t last_flush = started, last_publish = started;
    int active = job->nsrcs;
    int rc = 0;
    publish_metrics(job);
    bool limited = limits_reached(job); /* a restored job may have written its LIMIT already */
    /* restored from a finished job's last checkpoint: it had ended, only the clean-up is left */
    bool ended_before = job->ckpt && eddy_checkpoint_finished(job->ckpt);
    while (active > 0 && !stop_requested(job) && !limited && !ended_before) {
        bool progress = false;
        for (int i = 0; i < job->nsrcs && !stop_requested(job) && !limited; i++) {
            src_driver *s = &job->srcs[i];
            if (s->ended) continue;
            eddy_batch_reset(s->batch);
            int r = s->ops->poll(s->state, s->batch, 0, err);
            if (s->ops->split_owned) update_owned(s);
            if (r == EDDY_POLL_DATA) {
                progress = true;
                s->rows += (uint64_t)s->batch->n;
                rc = push_to(s->outs, s->nouts, s->batch, err);
                if (rc == 0) rc = enforce_budget(job, err);
            } else if (r == EDDY_POLL_END) {
                s->ended = true;
                active--;
                progress = true;
                rc = finish_to(s->outs, s->nouts, err);
            } else if (r < 0) {
                rc = r;
            }
            if (rc) goto out;
            limited = job->nlimits > 0 && limits_reached(job);
        }
        int64_t now = mono_ms();
        if (now - last_tick >= 10) {
            last_tick = now;
            rc = tick_all(job, err);
            if (rc) goto out;
        }
        if (job->ckpt) {
            /* a checkpoint in flight lands between two batches; the next starts once the
             * interval has passed and none is in flight (one late starts at once) */
            if (eddy_checkpoint_busy(job->ckpt) && (rc = eddy_checkpoint_poll(job->ckpt, err)))
                goto out;
            if (!eddy_checkpoint_busy(job->ckpt) && now - last_ckpt >= job->interval_ms &&
                active > 0 && !limited) {
                last_ckpt = now;
                rc = eddy_checkpoint_start(job->ckpt, err);
                if (rc) goto out;
                /* written in process (EDDY_CHECKPOINT_SYNC, no fork): the interval counts from
                 * its end, or a checkpoint longer than the interval would leave the job one
                 * batch between two of them */
                if (!eddy_checkpoint_busy(job->ckpt)) last_ckpt = mono_ms();
            }
        }
        if (job->opt.status_line && now - last_status >= 500) {
            last_status = now;
            draw_status(job, started, false);
        }
        if (job->metrics && now - last_publish >= 500) {
            last_publish = now;
            publish_metrics(job);
        }
        /* without checkpoints the sinks' output shows as it comes (print to a pipe, the
         * at-least-once sinks' acknowledgements): at once when the input pauses, else each second */
        if (!job->ckpt && now - last_flush >= (progress ? 1000 : 100)) {
            last_flush = now;
            rc = flush_sinks(job, err);
            if (rc) goto out;
        }
        if (!progress) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (stop_requested(job) && !limited && active > 0 && !ended_before) {
        /* stopped from outside: a last checkpoint (a rerun resumes from it) and the savepoint,
         * or, without checkpoints, make what the sinks hold visible */
        if (!job->ckpt) {
            rc = flush_sinks(job, err);
        } else {
            char *asked = __atomic_load_n(&job->stop_savepoint, __ATOMIC_ACQUIRE);
            const char *sp = asked ? asked : job->opt.savepoint_dir;
            rc = eddy_checkpoint_run(job->ckpt, err);
            if (rc == 0 && sp) rc = eddy_checkpoint_savepoint(job->ckpt, sp, err);
        }
    } else if (job->ckpt) {
        /* ended by itself: the last commit, and the state is of no more use */
        rc = eddy_checkpoint_finish(job->ckpt, err);
    } else if (limited) {
        rc = flush_sinks(job, err); /* the sinks' finish() never came */
    }
out:
    if (rc && job->ckpt && eddy_checkpoint_busy(job->ckpt)) {
        /* failed with a checkpoint in flight: it lands (committing the sinks' output that it
         * covers, which a restart would complete anyway) or fails; the job's error stays */
        eddy_error e2;
        eddy_error_clear(&e2);
        eddy_checkpoint_wait(job->ckpt, &e2);
    }
    if (job->opt.status_line) draw_status(job, started, true);
    publish_metrics(job);
    if (job->bad_records > 0)
        fprintf(stderr, "eddy: %" PRIu64 " malformed record(s) skipped\n", job->bad_records);
    /* late rows: dropped, or written to the table of 'eddy.late-rows.table' (one per job) */
    uint64_t dropped = 0, kept = 0;
    const char *late_table = NULL;
    for (int i = 0; i < job->plan->nnodes; i++) {
        const eddy_op *op = job->ops[i];
        if (!op) continue;
        if (op->nlate_outs) {
            kept += op->late_rows;
            late_table = op->plan->u.window_agg.late_sink->u.sink.table;
        } else {
            dropped += op->late_rows;
        }
    }
    if (dropped > 0)
        fprintf(stderr, "eddy: %" PRIu64 " late row(s) dropped (behind the watermark)\n", dropped);
    uint64_t runs, bytes;
    eddy_spill_stats(job->spill, &runs, &bytes);
    if (runs > 0)
        fprintf(stderr,
                "eddy: state went beyond 'state.memory.budget' (%.1f MB): %" PRIu64
                " run(s), %.1f MB spilled to disk\n",
                (double)eddy_spill_budget(job->spill) / 1048576.0, runs, (double)bytes / 1048576.0);
    if (kept > 0)
        fprintf(stderr, "eddy: %" PRIu64 " late row(s) written to table '%s'\n", kept, late_table);
    return rc;
}

void eddy_job_stop(eddy_job *job)
{
    __atomic_store_n(&job->stop, 1, __ATOMIC_RELEASE);
}

int eddy_job_stop_with_savepoint(eddy_job *job, const char *dir, eddy_error *err)
{
    if (!job->ckpt)
        return eddy_error_set(err, EDDY_EUSAGE, 0, 0,
                              "this job runs without checkpoints: a savepoint needs a state "
                              "directory");
    int rc = eddy_checkpoint_check_savepoint_dir(dir, err);
    if (rc) return rc;
    char *copy = eddy_xstrdup(dir);
    char *old = __atomic_exchange_n(&job->stop_savepoint, copy, __ATOMIC_SEQ_CST);
    free(old);
    __atomic_store_n(&job->stop, 1, __ATOMIC_RELEASE);
    return 0;
}

int64_t eddy_job_split_lag(const eddy_job *job, int source, int split)
{
    if (source < 0 || source >= job->nsrcs) return -1;
    const src_driver *s = &job->srcs[source];
    return s->ops->lag ? s->ops->lag(s->state, split) : -1;
}

void eddy_job_get_metrics(const eddy_job *job, eddy_job_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->watermark = INT64_MIN;
    m->source_lag = -1;
    for (int i = 0; i < job->nsrcs; i++) {
        const src_driver *s = &job->srcs[i];
        m->rows_in += s->rows;
        if (!s->ops->lag) continue;
        int n = s->ops->splits ? s->ops->splits(s->state) : 1;
        for (int k = 0; k < n; k++) {
            int64_t l = s->ops->lag(s->state, k);
            if (l < 0) continue;
            m->source_lag = (m->source_lag < 0 ? 0 : m->source_lag) + l;
            if (l > m->source_lag_max) m->source_lag_max = l;
        }
    }
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
    if (job->ckpt) {
        eddy_checkpoint_stats cs;
        eddy_checkpoint_get_stats(job->ckpt, &cs);
        m->checkpoints = cs.count;
        m->checkpoint_id = cs.last_id;
        m->checkpoint_ms = cs.last_ms;
        m->checkpoint_pause_us = cs.last_pause_us;
        m->checkpoint_bytes = cs.bytes;
    }
}

void eddy_job_destroy(eddy_job *job)
{
    if (!job) return;
    eddy_metrics_unregister(job->metrics);
    for (int i = 0; i < job->plan->nnodes; i++)
        if (job->ops[i]) job->ops[i]->ops->destroy(job->ops[i]);
    for (int i = 0; i < job->nsinks; i++)
        if (job->sinks[i].ops->close) job->sinks[i].ops->close(job->sinks[i].state);
    for (int i = 0; i < job->nsrcs; i++) {
        src_driver *s = &job->srcs[i];
        if (s->ops->close) s->ops->close(s->state);
        eddy_batch_free(s->batch);
        free(s->outs);
        free(s->wms);
        free(s->owned);
    }
    eddy_checkpoint_close(job->ckpt);
    eddy_spill_free(job->spill);
    free(job->stop_savepoint);
    free(job->srcs);
    free(job->sinks);
    free(job->nodes);
    free(job->ops);
    free(job->src_of);
    free(job);
}
