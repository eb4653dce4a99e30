/*
 * checkpoint.h: the checkpoint coordinator of a job (inside the runtime; job.c is its only
 * user). It owns the job's state store (state.h) and runs the protocol of job.h: restore at
 * start, a checkpoint between two batches, a savepoint on stop, the clean-up when a job ends.
 *
 *     eddy_checkpointer *c;
 *     // before any connector is opened: nothing is touched for a state that does not fit
 *     if (eddy_checkpoint_open(state_dir, from_savepoint, plan, &c, &err)) ...
 *     ... build the operators, open the connectors ...
 *     eddy_checkpoint_graph g = {...};   // the job's parts, in plan node-id order (see below)
 *     if (eddy_checkpoint_restore(c, &g, &err)) ...
 *     ... between batches, every interval:
 *     eddy_checkpoint_run(c, &err);
 *     ... stopped:  eddy_checkpoint_run(c, &err); eddy_checkpoint_savepoint(c, dst, &err);
 *     ... finished: eddy_checkpoint_finish(c, &err);   // last checkpoint, state files removed
 *     eddy_checkpoint_close(c);
 *
 * Numbering (what names the state of each part; it must not move when a stateless node such as
 * a filter after the aggregate is added or removed, so it counts only nodes that have a
 * state_shape, plan.h):
 *   - operators: every node with a state_shape that is not a SOURCE (watermark assigners,
 *     window and group aggregates, window TVFs, sinks), in node-id order: operator K keeps its
 *     snapshot in the database "op/K" and its watermarks in meta "op/K.wm";
 *   - sources: SOURCE nodes in node-id order: source K's position is meta "source/K";
 *   - sinks: SINK nodes in node-id order (they are operators too): sink K's commit marker is
 *     meta "sink/K", and K is the sink's eddy_sink_spec.index;
 *   - merges: nodes without a state_shape that have several inputs (UNION ALL): their
 *     per-input watermarks are meta "union/K.wm", K among such nodes; without them a restored
 *     UNION would wait for a watermark that an input that had ended never sends again.
 * Meta "plan" holds one line per numbered operator and source ("operator 2 GroupAggregate
 * keys(...) aggs(...)", "source 0 Source bids datagen"), in node-id order; a restore compares
 * it line by line with the query's and refuses at the first line that differs. Meta
 * "fingerprint" keeps the plan's fingerprint (8 bytes, little-endian) for tools; it is not
 * compared, because it changes with node ids.
 *
 * Watermark record ("op/K.wm", "union/K.wm"): u32 ninputs, then per input an i64 watermark
 * and a u8 idle flag, then the operator's i64 wm and u8 idle; integers little-endian. Inputs
 * that had finished are not recorded as such: a source that had ended ends again after its
 * seek, and its finish() travels down again.
 *
 * Errors are EDDY_ESTATE (or the code a connector or operator returned) with a message that
 * names the directory and says what to do next. Threads: the job's thread only.
 */
#ifndef EDDY_RUNTIME_CHECKPOINT_H
#define EDDY_RUNTIME_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/error.h"
#include "../planner/plan.h"
#include "connector.h"
#include "operator.h"

typedef struct eddy_checkpointer eddy_checkpointer;

typedef struct eddy_checkpoint_source {
    const eddy_plan *plan;          /* the SOURCE node */
    const eddy_source_ops *ops;     /* position() and seek() must be set */
    void *state;                    /* the opened source */
} eddy_checkpoint_source;

typedef struct eddy_checkpoint_sink {
    const eddy_plan *plan;          /* the SINK node */
    const eddy_sink_ops *ops;       /* prepare_commit, commit, recover may be NULL */
    void *state;                    /* the opened sink (spec.checkpointing was true) */
} eddy_checkpoint_sink;

/* The parts of a job, each list in plan node-id order (numbering above). */
typedef struct eddy_checkpoint_graph {
    eddy_op *const *ops;                    /* operators with a state_shape (sinks included) */
    int nops;
    eddy_op *const *merges;                 /* stateless operators with several inputs */
    int nmerges;
    const eddy_checkpoint_source *sources;
    int nsources;
    const eddy_checkpoint_sink *sinks;
    int nsinks;
    struct eddy_spill *spill;               /* the job's spill store (spill.h): its runs go into
                                             * savepoints (eddy_spill_copy) and are removed with
                                             * the state when the job finishes */
} eddy_checkpoint_graph;

typedef struct eddy_checkpoint_stats {
    uint64_t count;     /* checkpoints completed by this run */
    uint64_t last_id;   /* id of the last completed one (restored or new; 0: none) */
    int64_t last_ms;    /* how long the last one of this run took (prepare to commit) */
    uint64_t bytes;     /* size of the state store after it */
    uint64_t restored;  /* id of the checkpoint restored at open (0: fresh start) */
} eddy_checkpoint_stats;

/* Opens the state store in state_dir and, when it holds a checkpoint, checks that it fits
 * plan (the "plan" record; the error names the first operator that differs). With
 * from_savepoint, state_dir must hold no checkpoint; the savepoint is copied into it first (and
 * removed again when anything fails). Runs before the job opens its connectors, so that a
 * refused state leaves every directory as it was. */
int eddy_checkpoint_open(const char *state_dir, const char *from_savepoint,
                         const eddy_job_plan *plan, eddy_checkpointer **out, eddy_error *err);
/* Hands the built job to the checkpointer (numbered as plan; the arrays are copied, what they
 * point to must outlive it) and restores the last checkpoint into it: every operator's
 * watermarks, then each stateful operator's restore(), each source's seek() and each sink's
 * recover() with its marker; on a fresh start only recover(NULL). */
int eddy_checkpoint_restore(eddy_checkpointer *c, const eddy_checkpoint_graph *g, eddy_error *err);
/* The job cannot start: removes the state that open copied from a savepoint (if it did), so
 * that the state directory is as it was. */
void eddy_checkpoint_drop_copy(eddy_checkpointer *c);
/* Takes one checkpoint (the order of job.h); run it between two batches. A full LMDB map is
 * retried once with the same sink markers. */
int eddy_checkpoint_run(eddy_checkpointer *c, eddy_error *err);
/* Writes a compacted copy of the last checkpoint into dst, which must be missing, empty or an
 * earlier savepoint (a directory holding only data.mdb), which it replaces: the copy is
 * written beside dst (.NAME.writing) and renamed into place once complete. */
int eddy_checkpoint_savepoint(eddy_checkpointer *c, const char *dst, eddy_error *err);
/* Checks at start that dst can take a savepoint (the rule above); EDDY_ESTATE otherwise. */
int eddy_checkpoint_check_savepoint_dir(const char *dst, eddy_error *err);
/* The job has ended by itself: takes a last checkpoint (so that the sinks commit), closes the
 * store and removes its files (data.mdb, lock.mdb, LOCK) and the directory when it is then
 * empty. The checkpointer is closed afterwards either way (call eddy_checkpoint_close still). */
int eddy_checkpoint_finish(eddy_checkpointer *c, eddy_error *err);
void eddy_checkpoint_get_stats(const eddy_checkpointer *c, eddy_checkpoint_stats *s);
/* Closes the store without a checkpoint. NULL is fine. */
void eddy_checkpoint_close(eddy_checkpointer *c);

/* The "plan" text of a job plan (see above); malloc'ed, lines end in '\n'. */
char *eddy_checkpoint_plan_text(const eddy_job_plan *plan);

/* Parses a duration as Flink's options accept it ('10s', '200 ms', '1 min', '2h', '1 d',
 * '500': milliseconds; units ms/milli(s)/millisecond(s), s/sec(s)/second(s), m/min(s)/minute(s),
 * h/hour(s), d/day(s), any case). Returns 0 and *ms, or -1 for anything else (negative,
 * fractional, overflowing, unknown unit). The planner has its own parser for SET checks but not
 * in a header the runtime may include. */
int eddy_checkpoint_parse_interval(const char *text, int64_t *ms);

/* The sink operator's side of checkpoints (op_sink.c; declared here because operator.h is
 * shared with other work: they belong next to eddy_op_sink_new).
 *   exactly_once: with checkpoints the sink is not flushed at the end of its input (the job's
 *   last checkpoint commits it).
 *   done: the sink has written the LIMIT of its query (plan.h u.sink.limit); it drops what
 *   follows, and the job ends once every sink is done. Never true without a LIMIT. */
void eddy_op_sink_set_exactly_once(eddy_op *op, bool on);
bool eddy_op_sink_done(const eddy_op *op);

#endif
