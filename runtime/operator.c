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
    if (wm <= op->wm) return 0;
    op->wm = wm;
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
    if (wm > op->input_wm[input]) op->input_wm[input] = wm;
    int64_t m = op->input_wm[0];
    for (int i = 1; i < op->ninputs; i++)
        if (op->input_wm[i] < m) m = op->input_wm[i];
    return m;
}

void eddy_op_init_inputs(eddy_op *op, int ninputs)
{
    op->ninputs = ninputs;
    op->input_wm = eddy_xcalloc((size_t)(ninputs ? ninputs : 1), sizeof(int64_t));
    for (int i = 0; i < ninputs; i++) op->input_wm[i] = INT64_MIN;
    op->wm = INT64_MIN;
}

void eddy_op_base_free(eddy_op *op)
{
    free(op->input_wm);
    free(op->outs);
    op->input_wm = NULL;
    op->outs = NULL;
    op->nouts = 0;
}
