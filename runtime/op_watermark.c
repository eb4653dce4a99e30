/*
 * op_watermark.c: the WATERMARK operator: event time per source split (plan.h EDDY_PLAN_WATERMARK).
 *
 * For each split it keeps the largest value of the watermark expression seen so far; the
 * watermark of the job's stream is the minimum over the splits that are not idle. Rows pass
 * through unchanged, with wm_before[i] set to the watermark in force when row i arrived (see
 * batch.h), and after the batch the operator forwards the new watermark downstream.
 *
 * A split that has produced no row for idle_timeout_ms of wall-clock time stops holding the
 * watermark back (Flink's 'table.exec.source.idle-timeout'); it counts again with its next
 * row. A split that never produced a row holds the watermark back unless the timeout is set.
 * When the input ends, the watermark jumps to INT64_MAX so that every open window fires.
 *
 * A split the source says this process does not read now (a Kafka partition a consumer group
 * gave to another process: eddy_op_watermark_set_owned) holds nothing back until it is read
 * here again; its largest value is kept, so the watermark never goes back.
 *
 * Checkpoints (operator.h, layout in opstate.h): one meta entry with the largest expression
 * value per split. Restore takes them back split by split (a source that now has more splits
 * starts the new ones with none yet; splits that are gone are dropped); the idle timers
 * restart, as every processing-time timer does after a restore.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expr.h"
#include "operator.h"
#include "opstate.h"

typedef struct wm_op {
    eddy_op base;            /* must be first */
    eddy_expr_prog *expr;    /* the WATERMARK expression */
    int nsplits;             /* splits of the source below */
    int64_t *split_wm;       /* largest expression value per split (INT64_MIN = none yet) */
    int64_t *last_seen;      /* wall-clock ms of each split's last row */
    uint8_t *owned;          /* 0: the split is not read by this process now (a consumer
                              * group gave its partition to another): it holds nothing back */
    int64_t idle_ms;         /* idle timeout, 0 = never idle */
    int64_t started;         /* wall-clock ms when the operator started */
    eddy_arena *scratch;     /* per-batch memory */
} wm_op;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Minimum over active splits, skipping split `skip` (-1: none). INT64_MAX when no split counts. */
static int64_t min_over_splits(const wm_op *w, int skip, int64_t now)
{
    int64_t m = INT64_MAX;
    for (int s = 0; s < w->nsplits; s++) {
        if (s == skip || !w->owned[s]) continue;
        int64_t seen = w->last_seen[s] ? w->last_seen[s] : w->started;
        if (w->idle_ms > 0 && now - seen >= w->idle_ms) continue;
        if (w->split_wm[s] < m) m = w->split_wm[s];
    }
    return m;
}

/* The watermark to forward: the minimum over active splits, or EDDY_WM_IDLE when every split
 * is idle (downstream operators with several inputs then stop waiting for this one). */
static int64_t current(const wm_op *w, int64_t now)
{
    int64_t m = min_over_splits(w, -1, now);
    return m == INT64_MAX ? EDDY_WM_IDLE : m;
}

static int wm_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    wm_op *w = (wm_op *)op;
    (void)input;
    eddy_arena_reset(w->scratch);
    int split = b->split;
    if (split < 0 || split >= w->nsplits) split = 0;
    int64_t now = wall_ms();
    eddy_expr_ctx ctx = {.proctime_ms = 0, .watermark = op->wm};
    eddy_col v;
    int rc = eddy_expr_eval(w->expr, b, &ctx, &v, w->scratch, err);
    if (rc) return rc;

    int64_t others = min_over_splits(w, split, now); /* INT64_MAX when no other split counts */
    int64_t mine = w->split_wm[split];
    int64_t *before = eddy_arena_alloc(w->scratch, sizeof(int64_t) * (size_t)(b->n ? b->n : 1));
    for (int i = 0; i < b->n; i++) {
        int64_t cur = mine < others ? mine : others;
        before[i] = cur;
        if (!(v.nulls && v.nulls[i]) && v.v.i64[i] > mine) mine = v.v.i64[i];
    }
    w->split_wm[split] = mine;
    w->last_seen[split] = now;

    eddy_batch out = *b;
    out.wm_before = before;
    rc = eddy_op_emit(op, &out, err);
    if (rc) return rc;
    return eddy_op_emit_watermark(op, current(w, now), err);
}

static int wm_watermark(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    /* watermarks from upstream (none in practice: sources do not send any) pass through */
    return eddy_op_emit_watermark(op, eddy_op_input_watermark(op, input, wm), err);
}

static int wm_tick(eddy_op *op, int64_t now_ms, eddy_error *err)
{
    wm_op *w = (wm_op *)op;
    (void)now_ms;
    if (w->idle_ms <= 0) return 0;
    return eddy_op_emit_watermark(op, current(w, wall_ms()), err);
}

static int wm_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)input;
    int rc = eddy_op_emit_watermark(op, INT64_MAX, err);
    if (rc) return rc;
    return eddy_op_emit_finish(op, err);
}

#define WM_STATE_VERSION 1

static int wm_snapshot(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    wm_op *w = (wm_op *)op;
    eddy_strbuf v = {0};
    eddy_opstate_put_u32(&v, WM_STATE_VERSION);
    eddy_opstate_put_u32(&v, (uint32_t)w->nsplits);
    for (int s = 0; s < w->nsplits; s++) eddy_opstate_put_i64(&v, w->split_wm[s]);
    int rc = eddy_state_put(db, EDDY_OPSTATE_META_KEY, EDDY_OPSTATE_META_KLEN, v.s, v.n, err);
    eddy_strbuf_free(&v);
    return rc;
}

static int wm_restore(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    wm_op *w = (wm_op *)op;
    const void *val;
    size_t vlen;
    int rc = eddy_opstate_get_meta(db, &val, &vlen, err);
    if (rc == EDDY_ENOTFOUND) return 0;
    if (rc) return rc;
    eddy_opstate_rd r = eddy_opstate_rd_of(val, vlen);
    uint32_t version = eddy_opstate_get_u32(&r);
    uint32_t n = eddy_opstate_get_u32(&r);
    if (r.bad || version != WM_STATE_VERSION || (uint64_t)n * 8 != vlen - r.off)
        return eddy_error_set(err, EDDY_ESTATE, op->plan->line, op->plan->col,
                              "the checkpointed state of the WATERMARK operator is damaged or "
                              "from another version of eddy; start without it (remove the "
                              "state directory or choose another --state-dir)");
    for (uint32_t s = 0; s < n; s++) {
        int64_t v = eddy_opstate_get_i64(&r);
        if ((int)s < w->nsplits) w->split_wm[s] = v;
    }
    for (int s = 0; s < w->nsplits; s++) w->last_seen[s] = 0;
    w->started = wall_ms();
    return 0;
}

static void wm_destroy(eddy_op *op)
{
    wm_op *w = (wm_op *)op;
    eddy_expr_free(w->expr);
    free(w->split_wm);
    free(w->last_seen);
    free(w->owned);
    eddy_arena_destroy(w->scratch);
    eddy_op_base_free(op);
    free(w);
}

static const eddy_op_ops wm_ops = {
    .name = "WatermarkAssigner",
    .push = wm_push,
    .watermark = wm_watermark,
    .finish = wm_finish,
    .tick = wm_tick,
    .destroy = wm_destroy,
    .snapshot = wm_snapshot,
    .restore = wm_restore,
};

eddy_op *eddy_op_watermark_new(const eddy_plan *p, int nsplits, eddy_error *err)
{
    wm_op *w = eddy_xcalloc(1, sizeof *w);
    w->base.ops = &wm_ops;
    w->base.plan = p;
    eddy_op_init_inputs(&w->base, 1);
    w->nsplits = nsplits > 0 ? nsplits : 1;
    w->split_wm = eddy_xcalloc((size_t)w->nsplits, sizeof(int64_t));
    w->last_seen = eddy_xcalloc((size_t)w->nsplits, sizeof(int64_t));
    w->owned = eddy_xmalloc((size_t)w->nsplits);
    memset(w->owned, 1, (size_t)w->nsplits);
    for (int s = 0; s < w->nsplits; s++) w->split_wm[s] = INT64_MIN;
    w->idle_ms = p->u.watermark.idle_timeout_ms;
    w->started = wall_ms();
    w->scratch = eddy_arena_new(64 * 1024);
    w->expr = eddy_expr_compile(p->u.watermark.expr, err);
    if (!w->expr) {
        wm_destroy(&w->base);
        return NULL;
    }
    return &w->base;
}

void eddy_op_watermark_set_owned(eddy_op *op, int split, bool owned)
{
    wm_op *w = (wm_op *)op;
    if (split < 0 || split >= w->nsplits || w->owned[split] == (owned ? 1 : 0)) return;
    w->owned[split] = owned ? 1 : 0;
    if (owned) w->last_seen[split] = wall_ms(); /* its idle timer starts now */
}
