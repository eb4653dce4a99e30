/*
 * op_window_tvf.c: window assignment without aggregation (plan.h EDDY_PLAN_WINDOW_TVF):
 * TABLE(TUMBLE/HOP/CUMULATE(...)) read as rows. Each input row comes out once per window it
 * belongs to, as the input columns followed by window_start, window_end and window_time
 * (= window_end - 1, a rowtime).
 *
 * As Flink's WindowTableFunctionOperator: a row whose time attribute is NULL is dropped, and
 * assignment does not drop late rows (the aggregation or join above decides lateness). With
 * proctime windows the row's window is that of the wall clock (CLOCK_REALTIME, as PROCTIME()).
 *
 * Work per batch: a first pass lists (source row, window) pairs up to a batch of output, then
 * every column is gathered at once; string values keep pointing at the input batch, which
 * outlives the synchronous emit. Row kinds and per-row watermarks travel with their rows.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/timeutil.h"
#include "operator.h"

typedef struct tvf_op {
    eddy_op base;           /* must be first */
    eddy_window_kind kind;
    int time_col;
    bool proctime;
    int64_t size, slide, offset;
    int nin;                /* input columns */
    eddy_batch *out;        /* output rows being filled */
    int32_t *src;           /* source row of each output row */
    int64_t *wmb;           /* per-row watermarks of the output */
} tvf_op;

static int64_t realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Gathers the listed source rows into the output and emits it. */
static int flush(tvf_op *t, const eddy_batch *b, eddy_error *err)
{
    eddy_batch *o = t->out;
    int n = o->n;
    if (n == 0) return 0;
    for (int j = 0; j < t->nin; j++) {
        const eddy_col *c = &b->cols[j];
        eddy_col *d = &o->cols[j];
        switch (eddy_phys_size(c->phys)) {
        case 1:
            for (int k = 0; k < n; k++) d->v.b[k] = c->v.b[t->src[k]];
            break;
        case 8:
            for (int k = 0; k < n; k++) d->v.i64[k] = c->v.i64[t->src[k]];
            break;
        case 16:
            if (c->phys == EDDY_PHYS_DEC)
                for (int k = 0; k < n; k++) d->v.dec[k] = c->v.dec[t->src[k]];
            else
                for (int k = 0; k < n; k++) d->v.str[k] = c->v.str[t->src[k]];
            break;
        default:
            for (int k = 0; k < n; k++) {
                size_t w = eddy_phys_size(c->phys);
                memcpy((char *)d->v.ptr + (size_t)k * w, (const char *)c->v.ptr + t->src[k] * w,
                       w);
            }
            break;
        }
        if (c->nulls) {
            uint8_t *nl = eddy_col_nulls(o, j);
            for (int k = 0; k < n; k++) nl[k] = c->nulls[t->src[k]];
        }
    }
    if (b->kinds) {
        uint8_t *kd = eddy_batch_kinds(o);
        for (int k = 0; k < n; k++) kd[k] = b->kinds[t->src[k]];
    }
    if (b->wm_before) {
        for (int k = 0; k < n; k++) t->wmb[k] = b->wm_before[t->src[k]];
        o->wm_before = t->wmb;
    }
    o->split = b->split;
    int rc = eddy_op_emit(&t->base, o, err);
    eddy_batch_reset(o);
    return rc;
}

static inline int add_row(tvf_op *t, const eddy_batch *b, int row, int64_t ws, int64_t we,
                          eddy_error *err)
{
    eddy_batch *o = t->out;
    if (o->n == o->cap) {
        int rc = flush(t, b, err);
        if (rc) return rc;
    }
    int k = o->n++;
    t->src[k] = row;
    o->cols[t->nin].v.i64[k] = ws;
    o->cols[t->nin + 1].v.i64[k] = we;
    o->cols[t->nin + 2].v.i64[k] = we - 1;
    return 0;
}

static int tvf_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    tvf_op *t = (tvf_op *)op;
    (void)input;
    const eddy_col *tc = &b->cols[t->time_col];
    int64_t now = t->proctime ? realtime_ms() : 0;
    for (int i = 0; i < b->n; i++) {
        int64_t ts;
        if (t->proctime) {
            ts = now;
        } else {
            if (tc->nulls && tc->nulls[i]) continue;
            ts = tc->v.i64[i];
        }
        int rc = 0;
        switch (t->kind) {
        case EDDY_WINDOW_HOP: {
            /* windows in start order (Flink lists them by start too) */
            int64_t a = eddy_window_start(ts, t->slide, t->offset);
            int64_t kmax = (a - ts + t->size - 1) / t->slide; /* a - k * slide > ts - size */
            for (int64_t st = a - kmax * t->slide; st <= ts && !rc; st += t->slide) {
                if (st + t->size <= ts) continue;
                rc = add_row(t, b, i, st, st + t->size, err);
            }
            break;
        }
        case EDDY_WINDOW_CUMULATE: {
            int64_t ws = eddy_window_start(ts, t->size, t->offset);
            for (int64_t e = ws + t->slide; e <= ws + t->size && !rc; e += t->slide)
                if (e > ts) rc = add_row(t, b, i, ws, e, err);
            break;
        }
        default: {
            int64_t ws = eddy_window_start(ts, t->size, t->offset);
            rc = add_row(t, b, i, ws, ws + t->size, err);
            break;
        }
        }
        if (rc) return rc;
    }
    return flush(t, b, err);
}

static int tvf_watermark(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    return eddy_op_emit_watermark(op, eddy_op_input_watermark(op, input, wm), err);
}

static int tvf_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)input;
    if (++op->ninputs_finished < op->ninputs) return 0;
    return eddy_op_emit_finish(op, err);
}

static void tvf_destroy(eddy_op *op)
{
    tvf_op *t = (tvf_op *)op;
    eddy_batch_free(t->out);
    free(t->src);
    free(t->wmb);
    eddy_op_base_free(op);
    free(t);
}

static const eddy_op_ops tvf_ops = {
    .name = "WindowTableFunction",
    .push = tvf_push,
    .watermark = tvf_watermark,
    .finish = tvf_finish,
    .destroy = tvf_destroy,
};

eddy_op *eddy_op_window_tvf_new(const eddy_plan *p, eddy_error *err)
{
    const eddy_window_spec *ws = &p->u.window_tvf.win;
    if (p->ninputs != 1 || !p->inputs || !p->inputs[0]) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col, "window table function needs one input");
        return NULL;
    }
    const eddy_schema *in = &p->inputs[0]->out;
    int64_t slide = ws->kind == EDDY_WINDOW_TUMBLE ? ws->size : ws->slide;
    if (ws->kind == EDDY_WINDOW_SESSION) {
        eddy_error_set(err, EDDY_EUNSUPPORTED, p->line, p->col,
                       "SESSION windows without aggregation are not supported yet");
        return NULL;
    }
    if (ws->size <= 0 || slide <= 0 || ws->time_col < 0 || ws->time_col >= in->n ||
        p->out.n != in->n + 3 ||
        (ws->kind == EDDY_WINDOW_CUMULATE && ws->size % slide != 0)) {
        eddy_error_set(err, EDDY_EPLAN, p->line, p->col, "bad window table function");
        return NULL;
    }
    tvf_op *t = eddy_xcalloc(1, sizeof *t);
    t->base.ops = &tvf_ops;
    t->base.plan = p;
    eddy_op_init_inputs(&t->base, 1);
    t->kind = ws->kind;
    t->time_col = ws->time_col;
    t->proctime = ws->proctime;
    t->size = ws->size;
    t->slide = slide;
    t->offset = ws->offset;
    t->nin = in->n;
    const eddy_sqltype *types[p->out.n];
    for (int i = 0; i < p->out.n; i++) types[i] = p->out.fields[i].type;
    t->out = eddy_batch_new(p->out.n, types, EDDY_BATCH_ROWS);
    t->src = eddy_xmalloc(sizeof(int32_t) * (size_t)t->out->cap);
    t->wmb = eddy_xmalloc(sizeof(int64_t) * (size_t)t->out->cap);
    return &t->base;
}
