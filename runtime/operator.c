/*
 * operator.c: the shared part of every operator: fan-out of batches, watermarks and
 * end-of-input to the downstream operators (see operator.h).
 */
#include "operator.h"

#include <stdlib.h>

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
    return 0;
}

int eddy_op_emit_finish(eddy_op *op, eddy_error *err)
{
    for (int i = 0; i < op->nouts; i++) {
        eddy_op *d = op->outs[i].op;
        int rc = d->ops->finish(d, op->outs[i].input, err);
        if (rc) return rc;
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
    op->input_wm = NULL;
    op->input_idle = NULL;
    op->outs = NULL;
    op->nouts = 0;
}
