/*
 * op_calc.c: the CALC operator: a filter, then a projection (plan.h EDDY_PLAN_CALC).
 *
 * The filter is evaluated first over the whole batch; when it drops rows, the surviving rows
 * of every input column are gathered into a compact batch (columns, nulls, row kinds and
 * per-row watermarks alike) so that the projection only computes what is kept. Projection
 * expressions that are plain column references cost nothing: the evaluator hands back the
 * input column itself. All scratch memory lives in one arena reset per batch.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expr.h"
#include "operator.h"

typedef struct calc_op {
    eddy_op base;             /* must be first */
    eddy_expr_prog *filter;   /* NULL when there is no filter */
    eddy_expr_prog **exprs;   /* one per output column */
    int nexprs;
    eddy_arena *scratch;      /* per-batch memory, reset on every push */
    eddy_col *outcols;        /* output column headers */
} calc_op;

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Copies the selected rows (sel[0..k)) of column c into a new column in arena a. */
static void gather_col(const eddy_col *c, const int *sel, int k, eddy_col *out, eddy_arena *a)
{
    *out = *c;
    size_t w = eddy_phys_size(c->phys);
    unsigned char *dst = eddy_arena_alloc(a, w * (size_t)(k ? k : 1));
    const unsigned char *src = c->v.ptr;
    switch (w) {
    case 1:
        for (int i = 0; i < k; i++) dst[i] = src[sel[i]];
        break;
    case 8:
        for (int i = 0; i < k; i++) ((uint64_t *)dst)[i] = ((const uint64_t *)src)[sel[i]];
        break;
    default:
        for (int i = 0; i < k; i++) memcpy(dst + (size_t)i * w, src + (size_t)sel[i] * w, w);
        break;
    }
    out->v.ptr = dst;
    if (c->nulls) {
        uint8_t *n = eddy_arena_alloc(a, (size_t)(k ? k : 1));
        for (int i = 0; i < k; i++) n[i] = c->nulls[sel[i]];
        out->nulls = n;
    }
}

static int calc_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    calc_op *c = (calc_op *)op;
    eddy_arena_reset(c->scratch);
    eddy_expr_ctx ctx = {.proctime_ms = wall_ms(), .watermark = op->wm};
    eddy_batch compact;
    const eddy_batch *in = b;

    if (c->filter) {
        eddy_col f;
        int rc = eddy_expr_eval(c->filter, b, &ctx, &f, c->scratch, err);
        if (rc) return rc;
        int *sel = eddy_arena_alloc(c->scratch, sizeof(int) * (size_t)(b->n ? b->n : 1));
        int k = 0;
        if (f.nulls) {
            for (int i = 0; i < b->n; i++) {
                sel[k] = i;
                k += (f.v.b[i] && !f.nulls[i]);
            }
        } else {
            for (int i = 0; i < b->n; i++) {
                sel[k] = i;
                k += (f.v.b[i] != 0);
            }
        }
        if (k == 0) return 0;
        if (k < b->n) {
            compact = *b;
            compact.n = k;
            compact.cap = k;
            compact.cols = eddy_arena_alloc(c->scratch, sizeof(eddy_col) * (size_t)(b->ncols ? b->ncols : 1));
            for (int j = 0; j < b->ncols; j++) gather_col(&b->cols[j], sel, k, &compact.cols[j], c->scratch);
            if (b->kinds) {
                uint8_t *kd = eddy_arena_alloc(c->scratch, (size_t)k);
                for (int i = 0; i < k; i++) kd[i] = b->kinds[sel[i]];
                compact.kinds = kd;
            }
            if (b->wm_before) {
                int64_t *w = eddy_arena_alloc(c->scratch, sizeof(int64_t) * (size_t)k);
                for (int i = 0; i < k; i++) w[i] = b->wm_before[sel[i]];
                compact.wm_before = w;
            }
            in = &compact;
        }
    }

    for (int j = 0; j < c->nexprs; j++) {
        int rc = eddy_expr_eval(c->exprs[j], in, &ctx, &c->outcols[j], c->scratch, err);
        if (rc) return rc;
        c->outcols[j].type = op->plan->out.fields[j].type;
    }
    eddy_batch out = *in;
    out.ncols = c->nexprs;
    out.cols = c->outcols;
    out.arena = c->scratch;
    (void)input;
    return eddy_op_emit(op, &out, err);
}

static int calc_watermark(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    return eddy_op_emit_watermark(op, eddy_op_input_watermark(op, input, wm), err);
}

static int calc_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)input;
    return eddy_op_emit_finish(op, err);
}

static void calc_destroy(eddy_op *op)
{
    calc_op *c = (calc_op *)op;
    eddy_expr_free(c->filter);
    for (int j = 0; j < c->nexprs; j++) eddy_expr_free(c->exprs[j]);
    free(c->exprs);
    free(c->outcols);
    eddy_arena_destroy(c->scratch);
    eddy_op_base_free(op);
    free(c);
}

static const eddy_op_ops calc_ops = {
    .name = "Calc",
    .push = calc_push,
    .watermark = calc_watermark,
    .finish = calc_finish,
    .destroy = calc_destroy,
};

eddy_op *eddy_op_calc_new(const eddy_plan *p, eddy_error *err)
{
    calc_op *c = eddy_xcalloc(1, sizeof *c);
    c->base.ops = &calc_ops;
    c->base.plan = p;
    eddy_op_init_inputs(&c->base, 1);
    c->scratch = eddy_arena_new(256 * 1024);
    c->nexprs = p->out.n;
    c->exprs = eddy_xcalloc((size_t)(c->nexprs ? c->nexprs : 1), sizeof *c->exprs);
    c->outcols = eddy_xcalloc((size_t)(c->nexprs ? c->nexprs : 1), sizeof *c->outcols);
    if (p->u.calc.filter) {
        c->filter = eddy_expr_compile(p->u.calc.filter, err);
        if (!c->filter) goto fail;
    }
    for (int j = 0; j < c->nexprs; j++) {
        c->exprs[j] = eddy_expr_compile(p->u.calc.exprs[j], err);
        if (!c->exprs[j]) goto fail;
    }
    return &c->base;
fail:
    calc_destroy(&c->base);
    return NULL;
}
