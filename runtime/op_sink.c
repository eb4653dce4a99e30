/*
 * op_sink.c: the SINK operator: hands batches to a connector's sink (runtime/connector.h).
 *
 * The batch's columns are the sink's columns in table order (the planner arranges that).
 * At the end of input the sink is flushed; the job closes it.
 */
#include <stdlib.h>

#include "connector.h"
#include "operator.h"

typedef struct sink_op {
    eddy_op base;               /* must be first */
    const eddy_sink_ops *sink;  /* the connector */
    void *state;                /* its handle (owned by the job) */
} sink_op;

static int sink_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    sink_op *s = (sink_op *)op;
    (void)input;
    op->rows_out += (uint64_t)b->n;
    return s->sink->write(s->state, b, err);
}

static int sink_watermark(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    (void)err;
    int64_t m = eddy_op_input_watermark(op, input, wm);
    if (m != EDDY_WM_IDLE) op->wm = m;
    return 0;
}

static int sink_finish(eddy_op *op, int input, eddy_error *err)
{
    sink_op *s = (sink_op *)op;
    (void)input;
    return s->sink->flush ? s->sink->flush(s->state, err) : 0;
}

static void sink_destroy(eddy_op *op)
{
    eddy_op_base_free(op);
    free(op);
}

static const eddy_op_ops sink_ops = {
    .name = "Sink",
    .push = sink_push,
    .watermark = sink_watermark,
    .finish = sink_finish,
    .destroy = sink_destroy,
};

eddy_op *eddy_op_sink_new(const eddy_plan *p, const eddy_sink_ops *ops, void *state)
{
    sink_op *s = eddy_xcalloc(1, sizeof *s);
    s->base.ops = &sink_ops;
    s->base.plan = p;
    s->sink = ops;
    s->state = state;
    eddy_op_init_inputs(&s->base, 1);
    return &s->base;
}
