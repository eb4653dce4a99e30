/*
 * op_union.c: UNION ALL: rows of every input pass through; the watermark forwarded is the
 * minimum over the inputs, and the output ends when every input has ended.
 */
#include <stdlib.h>

#include "operator.h"

static int union_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    (void)input;
    /* per-row watermarks belong to one input's stream; downstream uses op->wm instead */
    eddy_batch out = *b;
    out.wm_before = NULL;
    return eddy_op_emit(op, &out, err);
}

static int union_watermark(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    return eddy_op_emit_watermark(op, eddy_op_input_watermark(op, input, wm), err);
}

static int union_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)input;
    if (++op->ninputs_finished < op->ninputs) return 0;
    return eddy_op_emit_finish(op, err);
}

static void union_destroy(eddy_op *op)
{
    eddy_op_base_free(op);
    free(op);
}

static const eddy_op_ops union_ops = {
    .name = "Union",
    .push = union_push,
    .watermark = union_watermark,
    .finish = union_finish,
    .destroy = union_destroy,
};

eddy_op *eddy_op_union_new(const eddy_plan *p, eddy_error *err)
{
    (void)err;
    eddy_op *op = eddy_xcalloc(1, sizeof *op);
    op->ops = &union_ops;
    op->plan = p;
    eddy_op_init_inputs(op, p->ninputs);
    return op;
}
