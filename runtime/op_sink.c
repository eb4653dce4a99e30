/*
 * op_sink.c: the SINK operator: hands batches to a connector's sink (runtime/connector.h).
 *
 * The batch's columns are the sink's columns in table order (the planner arranges that).
 * At the end of input the sink is flushed (the at-least-once point), except with checkpoints:
 * then the job's last checkpoint commits it (job.h). The job opens and closes the connector.
 *
 * LIMIT n (plan.h u.sink.limit > 0): the sink writes the first n rows that reach it and drops
 * the rest; once it has written n it is done (eddy_op_sink_done, checkpoint.h) and the job ends
 * when every sink is done. The count of rows written is the operator's checkpointed state: key
 * "written" in its database, 8 bytes little-endian, so that a restored job writes only what is
 * left of the LIMIT.
 */
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "connector.h"
#include "operator.h"

typedef struct sink_op {
    eddy_op base;               /* must be first */
    const eddy_sink_ops *sink;  /* the connector */
    void *state;                /* its handle (owned by the job) */
    int64_t limit;              /* LIMIT of the query, 0 = none */
    int64_t written;            /* rows handed to the connector (state: checkpointed) */
    bool exactly_once;          /* checkpoints commit it: no flush at the end of input */
} sink_op;

static const char written_key[] = "written";

static int sink_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    sink_op *s = (sink_op *)op;
    (void)input;
    int n = b->n;
    if (s->limit > 0) {
        int64_t left = s->limit - s->written;
        if (left <= 0) return 0;
        if (n > left) n = (int)left;
    }
    if (n == 0) return 0;
    int all = b->n;
    b->n = n; /* the first n rows only; the columns stay as they are */
    int rc = s->sink->write(s->state, b, err);
    b->n = all;
    op->rows_out += (uint64_t)n;
    s->written += n;
    return rc;
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
    if (s->exactly_once) return 0;
    return s->sink->flush ? s->sink->flush(s->state, err) : 0;
}

static int sink_snapshot(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    sink_op *s = (sink_op *)op;
    if (s->limit <= 0) return 0; /* nothing but watermarks, which the job keeps */
    unsigned char v[8];
    uint64_t w = (uint64_t)s->written;
    for (int i = 0; i < 8; i++) v[i] = (unsigned char)(w >> (8 * i));
    int rc = eddy_state_clear(db, err);
    if (rc == 0) rc = eddy_state_put(db, written_key, sizeof written_key - 1, v, sizeof v, err);
    return rc;
}

static int sink_restore(eddy_op *op, eddy_state_db *db, eddy_error *err)
{
    sink_op *s = (sink_op *)op;
    const void *val;
    size_t len;
    eddy_error e; /* a missing key is no error (a sink without LIMIT writes nothing) */
    eddy_error_clear(&e);
    int rc = eddy_state_get(db, written_key, sizeof written_key - 1, &val, &len, &e);
    if (rc == EDDY_ENOTFOUND) return 0;
    if (rc) return eddy_error_set(err, rc, 0, 0, "%s", e.msg);
    if (len != 8)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "sink '%s': its checkpointed row count has %zu bytes instead of 8; "
                              "the state directory is damaged",
                              op->plan->u.sink.table, len);
    const unsigned char *p = val;
    uint64_t w = 0;
    for (int i = 0; i < 8; i++) w |= (uint64_t)p[i] << (8 * i);
    s->written = (int64_t)w;
    return 0;
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
    .snapshot = sink_snapshot,
    .restore = sink_restore,
};

eddy_op *eddy_op_sink_new(const eddy_plan *p, const eddy_sink_ops *ops, void *state)
{
    sink_op *s = eddy_xcalloc(1, sizeof *s);
    s->base.ops = &sink_ops;
    s->base.plan = p;
    s->sink = ops;
    s->state = state;
    s->limit = p->u.sink.limit > 0 ? p->u.sink.limit : 0;
    eddy_op_init_inputs(&s->base, 1);
    return &s->base;
}

void eddy_op_sink_set_exactly_once(eddy_op *op, bool on)
{
    ((sink_op *)op)->exactly_once = on;
}

bool eddy_op_sink_done(const eddy_op *op)
{
    const sink_op *s = (const sink_op *)op;
    return s->limit > 0 && s->written >= s->limit;
}
