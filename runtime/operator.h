/*
 * operator.h: the operator interface inside the runtime (not for other folders).
 *
 * Operators are built from plan nodes and connected downstream-first into a push pipeline.
 * Data, watermarks and end-of-input travel in-band, in order, through the same calls:
 *
 *   push(op, input, batch)     rows; batch valid only during the call (see batch.h)
 *   watermark(op, input, wm)   no row with rowtime <= wm follows on this input
 *   finish(op, input)          this input has ended (after a final watermark of INT64_MAX)
 *   tick(op, now_ms)           optional: wall-clock time passed (processing-time windows, early
 *                              firing, idle splits); called by the job every few milliseconds
 *
 * An operator emits to its outputs with eddy_op_emit*(); it may emit from any of the three
 * calls (a window fires inside watermark()). A window operator has a second list of outputs,
 * late_outs, for the rows it drops as late (eddy_op_emit_late; plan.h window_agg.late_sink);
 * watermarks and end-of-input go to both lists. Operators with several inputs (UNION, joins later)
 * keep per-input watermarks and forward the minimum. Errors: return a negative code with err
 * set; the job stops.
 */
#ifndef EDDY_RUNTIME_OPERATOR_H
#define EDDY_RUNTIME_OPERATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/error.h"
#include "../planner/plan.h"
#include "batch.h"
#include "state.h"

typedef struct eddy_op eddy_op;

/* The watermark value that says "this input is idle": no data for
 * 'table.exec.source.idle-timeout'. An idle input does not hold back the minimum of an operator
 * with several inputs; it becomes active again with its next real watermark. It is below every
 * real watermark, so an operator that only compares thresholds may treat it as one. */
#define EDDY_WM_IDLE (INT64_MIN + 1)

typedef struct eddy_op_ops {
    const char *name;
    int (*push)(eddy_op *op, int input, eddy_batch *b, eddy_error *err);
    int (*watermark)(eddy_op *op, int input, int64_t wm, eddy_error *err);
    int (*finish)(eddy_op *op, int input, eddy_error *err);
    int (*tick)(eddy_op *op, int64_t now_ms, eddy_error *err); /* may be NULL */
    void (*destroy)(eddy_op *op);
    /*
     * Checkpoints (state.h; the job drives them, see job.h). NULL for an operator whose only
     * state is its watermarks: the job saves every operator's input_wm, input_idle, idle and wm
     * itself ("op/N.wm" in meta) and restores them before restore() is called.
     *
     * snapshot(op, db): writes the operator's state into db, its own named database, so that
     * restore() into a fresh operator built from the same plan node continues exactly as this
     * one would (same future output for the same future input). It runs between batches. It
     * must be repeatable: after EDDY_ESTATE_FULL the job calls it again on the same state in a
     * new transaction. An operator may write a full snapshot (eddy_state_clear, then put all)
     * or only what changed since its last snapshot that was committed (checkpoint_done tells).
     * restore(op, db): called once on a fresh operator before any other call, with the database
     * of the last completed checkpoint (an empty one when the operator had written nothing).
     * checkpoint_done(op): the snapshot last written is durable (may be NULL).
     * checkpoint_begin(op): called in the job's process right before a checkpoint's snapshot is
     * taken (may be NULL). snapshot() itself may run in a forked child process (an asynchronous
     * checkpoint): it must not depend on its side effects reaching the running job, and it must
     * not touch LMDB environments other than the db it is handed (spill.h eddy_spill_sync is
     * allowed). What the job must remember about "the state as of this snapshot" it records
     * in checkpoint_begin; checkpoint_done then tells that this snapshot is the durable one.
     * Processing-time timers (idle timeout, early fire, TTL) restart from the first tick.
     */
    int (*snapshot)(eddy_op *op, eddy_state_db *db, eddy_error *err);
    int (*restore)(eddy_op *op, eddy_state_db *db, eddy_error *err);
    void (*checkpoint_done)(eddy_op *op);
    void (*checkpoint_begin)(eddy_op *op);
    /*
     * State beyond memory (spill.h): the job calls spill(op) between batches when the state of
     * all its operators (op->state_bytes) is above the memory budget, on the operator holding the
     * most; the operator moves what it can of its in-memory state to op->spill and lowers
     * op->state_bytes. NULL: the operator cannot spill.
     */
    int (*spill)(eddy_op *op, eddy_error *err);
} eddy_op_ops;

typedef struct eddy_op_out {
    eddy_op *op;    /* downstream operator */
    int input;      /* which of its inputs we feed */
} eddy_op_out;

struct eddy_op {
    const eddy_op_ops *ops;     /* behaviour */
    const eddy_plan *plan;      /* the node it runs (read-only) */
    eddy_op_out *outs;          /* downstream operators (fan-out when a node feeds several) */
    int nouts;
    eddy_op_out *late_outs;     /* window operators: where rows dropped as late go (the CALC of
                                 * plan.h window_agg.late_sink); none = drop them */
    int nlate_outs;
    eddy_batch *late_batch;     /* reused by eddy_op_emit_late, made on first use */
    int ninputs;                /* number of inputs */
    int64_t *input_wm;          /* last watermark per input */
    uint8_t *input_idle;        /* per input: the last thing it said was EDDY_WM_IDLE */
    bool idle;                  /* this operator last told its outputs it is idle */
    int ninputs_finished;       /* inputs that have ended */
    int64_t wm;                 /* watermark forwarded downstream */
    uint64_t rows_in;           /* metrics */
    uint64_t rows_out;
    uint64_t late_rows;
    uint64_t state_bytes;
    struct eddy_spill *spill;   /* the job's spill store (spill.h), set before restore(); NULL
                                 * when the job has no memory budget */
};

/* Emits a batch to every output. */
int eddy_op_emit(eddy_op *op, eddy_batch *b, eddy_error *err);
/* Forwards a watermark to every output (only if it advances op->wm, or the operator was idle).
 * EDDY_WM_IDLE tells the outputs that this operator is idle (once). */
int eddy_op_emit_watermark(eddy_op *op, int64_t wm, eddy_error *err);
/* Signals end of input to every output. */
int eddy_op_emit_finish(eddy_op *op, eddy_error *err);
/* Late rows: copies rows[0..n) of in, the batch the operator was pushed (its input layout),
 * into a batch and pushes it to the late outputs. A no-op when there are none, so a window
 * operator calls it wherever it drops rows as late and also counts them in late_rows. Call it
 * while in is valid (inside push): strings are not copied. Watermarks and end of input reach
 * the late outputs through eddy_op_emit_watermark / eddy_op_emit_finish. */
int eddy_op_emit_late(eddy_op *op, const eddy_batch *in, const int32_t *rows, int n, eddy_error *err);

/* Sets up the base part of a new operator: ninputs inputs with no watermark yet (INT64_MIN),
 * op->wm = INT64_MIN. Outputs are attached later by the job. */
void eddy_op_init_inputs(eddy_op *op, int ninputs);
/* Frees what eddy_op_init_inputs and the job attached (input_wm, outs, late_outs, late_batch);
 * not op itself. */
void eddy_op_base_free(eddy_op *op);

/* Base-class helpers: record a watermark (or EDDY_WM_IDLE) on an input and return the minimum
 * over the inputs that are not idle (INT64_MIN while any of them has none), or EDDY_WM_IDLE when
 * every input is idle. */
int64_t eddy_op_input_watermark(eddy_op *op, int input, int64_t wm);

/* Constructors, one per plan kind (op_*.c). Each returns a new operator or NULL with err set. */
eddy_op *eddy_op_calc_new(const eddy_plan *p, eddy_error *err);
eddy_op *eddy_op_watermark_new(const eddy_plan *p, int nsplits, eddy_error *err);
/* Whether the source reads split `split` in this process now (connector.h split_owned): a split
 * not owned holds the watermark back no more (out-of-range splits are ignored). */
void eddy_op_watermark_set_owned(eddy_op *op, int split, bool owned);
eddy_op *eddy_op_window_tvf_new(const eddy_plan *p, eddy_error *err);
eddy_op *eddy_op_window_agg_new(const eddy_plan *p, eddy_error *err);
eddy_op *eddy_op_session_agg_new(const eddy_plan *p, eddy_error *err);
eddy_op *eddy_op_group_agg_new(const eddy_plan *p, eddy_error *err);
eddy_op *eddy_op_union_new(const eddy_plan *p, eddy_error *err);
/* A sink operator over an opened connector sink (state stays owned by the caller). */
struct eddy_sink_ops;
eddy_op *eddy_op_sink_new(const eddy_plan *p, const struct eddy_sink_ops *ops, void *state);

#endif
