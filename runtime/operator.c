/*
 * operator.c: the shared part of every operator: fan-out of batches, watermarks and
 * end-of-input to the downstream operators, and the late-row side output of window
 * operators (see operator.h).
 */
#include "operator.h"

#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"

int eddy_op_emit(eddy_op *op, eddy_batch *b, eddy_error *err)
{
    if (b->n == 0) return 0;
    op->rows_out += (uint64_t)b->n;
    for (int i = 0; i < op->nouts; i++) {
        eddy_op *d = op->outs[i].op;
        d->rows_in += (uint64_t)b->n;
        int rc = d->ops->push(d, op->outs[i].input, b, err);
        if (rc) return rc;
    }
    return 0;
}

int eddy_op_emit_watermark(eddy_op *op, int64_t wm, eddy_error *err)
{
    if (wm == EDDY_WM_IDLE) {
        if (op->idle) return 0;
        op->idle = true;
    } else if (op->idle) {
        op->idle = false; /* active again: say so even if the watermark did not move */
        if (wm > op->wm) op->wm = wm;
        wm = op->wm;
    } else {
        if (wm <= op->wm) return 0;
        op->wm = wm;
    }
    for (int i = 0; i < op->nouts; i++) {
        eddy_op *d = op->outs[i].op;
        int rc = d->ops->watermark(d, op->outs[i].input, wm, err);
        if (rc) return rc;
    }
    for (int i = 0; i < op->nlate_outs; i++) {
        eddy_op *d = op->late_outs[i].op;
        int rc = d->ops->watermark(d, op->late_outs[i].input, wm, err);
        if (rc) return rc;
    }
    return 0;
}

int eddy_op_emit_finish(eddy_op *op, eddy_error *err)
{
    for (int i = 0; i < op->nouts; i++) {
        eddy_op *d = op->outs[i].op;
        int rc = d->ops->finish(d, op->outs[i].input, err);
        if (rc) return rc;
    }
    for (int i = 0; i < op->nlate_outs; i++) {
        eddy_op *d = op->late_outs[i].op;
        int rc = d->ops->finish(d, op->late_outs[i].input, err);
        if (rc) return rc;
    }
    return 0;
}

/* A batch like in (same column types), for late rows. */
static eddy_batch *late_batch_for(eddy_op *op, const eddy_batch *in)
{
    eddy_batch *lb = op->late_batch;
    if (lb && lb->ncols == in->ncols) return lb;
    eddy_batch_free(lb);
    const eddy_sqltype **types = eddy_xcalloc((size_t)(in->ncols ? in->ncols : 1), sizeof *types);
    for (int j = 0; j < in->ncols; j++) types[j] = in->cols[j].type;
    lb = eddy_batch_new(in->ncols, types, EDDY_BATCH_ROWS);
    free(types);
    op->late_batch = lb;
    return lb;
}

int eddy_op_emit_late(eddy_op *op, const eddy_batch *in, const int32_t *rows, int n, eddy_error *err)
{
    if (op->nlate_outs == 0 || n <= 0) return 0;
    eddy_batch *lb = late_batch_for(op, in);
    for (int at = 0; at < n; at += lb->cap) {
        int k = n - at < lb->cap ? n - at : lb->cap;
        const int32_t *sel = rows + at;
        eddy_batch_reset(lb);
        for (int j = 0; j < in->ncols; j++) {
            const eddy_col *c = &in->cols[j];
            eddy_col *d = &lb->cols[j];
            size_t w = eddy_phys_size(c->phys);
            const unsigned char *src = c->v.ptr;
            unsigned char *dst = d->v.ptr;
            for (int i = 0; i < k; i++) memcpy(dst + (size_t)i * w, src + (size_t)sel[i] * w, w);
            if (c->nulls) {
                uint8_t *nl = eddy_col_nulls(lb, j);
                for (int i = 0; i < k; i++) nl[i] = c->nulls[sel[i]];
            }
        }
        if (in->kinds) {
            uint8_t *kd = eddy_batch_kinds(lb);
            for (int i = 0; i < k; i++) kd[i] = in->kinds[sel[i]];
        }
        if (in->wm_before) {
            int64_t *wb = eddy_arena_alloc(lb->arena, sizeof(int64_t) * (size_t)k);
            for (int i = 0; i < k; i++) wb[i] = in->wm_before[sel[i]];
            lb->wm_before = wb;
        }
        lb->split = in->split;
        lb->n = k;
        for (int i = 0; i < op->nlate_outs; i++) {
            eddy_op *d = op->late_outs[i].op;
            d->rows_in += (uint64_t)k;
            int rc = d->ops->push(d, op->late_outs[i].input, lb, err);
            if (rc) return rc;
        }
    }
    return 0;
}

int64_t eddy_op_input_watermark(eddy_op *op, int input, int64_t wm)
{
    if (wm == EDDY_WM_IDLE) {
        op->input_idle[input] = 1;
    } else {
        op->input_idle[input] = 0;
        if (wm > op->input_wm[input]) op->input_wm[input] = wm;
    }
    bool any = false;
    int64_t m = INT64_MAX;
    for (int i = 0; i < op->ninputs; i++) {
        if (op->input_idle[i]) continue;
        any = true;
        if (op->input_wm[i] < m) m = op->input_wm[i];
    }
    return any ? m : EDDY_WM_IDLE;
}

void eddy_op_init_inputs(eddy_op *op, int ninputs)
{
    op->ninputs = ninputs;
    op->input_wm = eddy_xcalloc((size_t)(ninputs ? ninputs : 1), sizeof(int64_t));
    op->input_idle = eddy_xcalloc((size_t)(ninputs ? ninputs : 1), 1);
    for (int i = 0; i < ninputs; i++) op->input_wm[i] = INT64_MIN;
    op->wm = INT64_MIN;
}

void eddy_op_base_free(eddy_op *op)
{
    free(op->input_wm);
    free(op->input_idle);
    free(op->outs);
    free(op->late_outs);
    eddy_batch_free(op->late_batch);
    op->input_wm = NULL;
    op->input_idle = NULL;
    op->outs = NULL;
    op->nouts = 0;
    op->late_outs = NULL;
    op->nlate_outs = 0;
    op->late_batch = NULL;
}
