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
 *     if (eddy_checkpoint_finished(c)) ...   // the job had ended: finish at once (below)
 *     ... between batches, every interval (asynchronous: returns once the writer is forked):
 *     if (!eddy_checkpoint_busy(c)) eddy_checkpoint_start(c, &err);
 *     ... between batches, always: eddy_checkpoint_poll(c, &err);   // completes a done one
 *     ... stopped:  eddy_checkpoint_run(c, &err); eddy_checkpoint_savepoint(c, dst, &err);
 *     ... finished: eddy_checkpoint_finish(c, &err);   // last commit, state files removed
 *     ... failed:   eddy_checkpoint_wait(c, &e2);      // lets a checkpoint in flight land
 *     eddy_checkpoint_close(c);
 *
 * Asynchronous checkpoints (issue 4: "a checkpoint never blocks the pipeline longer than
 * needed to copy the dirty entries"). eddy_checkpoint_start(), between two batches:
 *   1. in the job's process: each sink's prepare_commit(N) (what it wrote so far belongs to N;
 *      what it writes from now on belongs to N+1 and must not become visible at commit(N)),
 *      each source's position, every watermark record, each operator's checkpoint_begin;
 *   2. fork(): the child, the checkpoint's *writer*, sees the job's memory as of this moment
 *      (copy-on-write: the "copy of the dirty entries" costs the job a page fault per page it
 *      changes while the writer runs, and the fork the copy of its page tables). It opens its
 *      own LMDB environment on the directory (state.h eddy_state_open_child: never the job's
 *      MDB_env; no flock, the inherited LOCK descriptor keeps the directory locked), writes the
 *      one transaction exactly as a synchronous checkpoint does (every operator's snapshot() into
 *      "op/K", the records of step 1; a full map is grown and the transaction run again, in a
 *      loop), commits (fsync), sends its result (0, or the error code and message) through a
 *      pipe and _exit()s. The job goes on at once.
 *   3. eddy_checkpoint_poll(), between batches: once the writer has reported, the job re-reads
 *      the store's checkpoint id (state.h eddy_state_refresh), runs each operator's
 *      checkpoint_done and each sink's commit(N), and the figures are updated (duration: from
 *      step 1 to this step). A writer's error, or its death, fails the job with its message;
 *      the store still holds N-1. At most one checkpoint is in flight.
 * The writer outlives a job killed while it runs (it ignores SIGINT/SIGTERM, which are the
 * job's to handle): it commits N, then calls the writer_commit of sinks that have one
 * (connector.h: print writes N's rows to the job's stdout, which the writer keeps), so that a
 * checkpoint's rows come out even when the job dies right after N is durable; the job itself
 * then only forgets them. Until the writer has ended it holds the LOCK, so a restart waits for
 * it (state.h) rather than running beside it, and recovers from N with the sinks' recover().
 * The print gap that remains is a synchronous checkpoint's: a kill between its commit and the
 * job's commit(N).
 * Stop: eddy_checkpoint_run() first waits for a checkpoint in flight, then takes the last one
 * in process (the job is stopping: nothing to overlap). Test hooks (environment, read at open):
 * EDDY_CHECKPOINT_SYNC=1 writes every checkpoint in process as before; the writer sleeps
 * EDDY_CHECKPOINT_TEST_DELAY_MS before writing (a wide window for crash tests), kills itself
 * (SIGKILL) for checkpoint EDDY_CHECKPOINT_TEST_KILL=N; EDDY_CHECKPOINT_TEST_ORPHAN is read and
 * has no effect any more (every writer may outlive its job).
 *
 * A job that ends by itself (finish): its operators' state is of no more use, so its last
 * checkpoint holds only the sinks' markers (plus "plan" and "fingerprint") and the meta record
 * "finished"; then the state files go. A checkpoint still in flight then is not waited for: its
 * writer is killed (as by a crash) and the last checkpoint's markers cover what it had prepared. Should the job die between that commit and the removal,
 * the restart finds "finished": it restores no operator and seeks no source (the operator
 * databases still hold checkpoint N-1, which does not match the sinks' markers of N), runs each
 * sink's recover(marker) to complete the last commit, and the job ends at once
 * (eddy_checkpoint_finished; the job calls eddy_checkpoint_finish, which removes the state).
 * That is what the job had done: all its output was prepared in that last checkpoint.
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
 * names the directory and says what to do next. Threads: the job's thread only (and the
 * writer process, which runs step 2 on its copy of the job).
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
    int64_t last_pause_us; /* how long the pipeline stood still for it (asynchronous: prepare
                            * and fork; synchronous: all of it) */
    bool last_async;    /* the last one was written by a writer process */
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
/* Whether the restored checkpoint was a finished job's last one (see above): the job must not
 * run, only eddy_checkpoint_finish(). */
bool eddy_checkpoint_finished(const eddy_checkpointer *c);
/* Takes one checkpoint in the job's process (synchronously; the order of job.h), after waiting
 * for one in flight; run it between two batches. A full LMDB map is grown and the transaction
 * retried with the same sink markers. */
int eddy_checkpoint_run(eddy_checkpointer *c, eddy_error *err);
/* Starts an asynchronous checkpoint (steps 1 and 2 above) and returns once its writer runs;
 * does nothing while one is in flight. In process (as eddy_checkpoint_run) with
 * EDDY_CHECKPOINT_SYNC, or when no process can be forked (said once on stderr). */
int eddy_checkpoint_start(eddy_checkpointer *c, eddy_error *err);
/* True while a checkpoint's writer runs (NULL: false). */
bool eddy_checkpoint_busy(const eddy_checkpointer *c);
/* Completes the checkpoint in flight if its writer has reported (step 3), without blocking;
 * 0 when nothing is done yet. Its error, or the writer's, fails the job. */
int eddy_checkpoint_poll(eddy_checkpointer *c, eddy_error *err);
/* Blocks until the checkpoint in flight (if any) has landed, then completes it as poll does. */
int eddy_checkpoint_wait(eddy_checkpointer *c, eddy_error *err);
/* Writes a compacted copy of the last checkpoint into dst, which must be missing, empty or an
 * earlier savepoint (a directory holding only data.mdb and maybe spill/, the spill store's
 * runs: eddy_spill_copy), which it replaces: the copy is written beside dst (.NAME.writing)
 * and renamed into place once complete. Waits for a checkpoint in flight first. */
int eddy_checkpoint_savepoint(eddy_checkpointer *c, const char *dst, eddy_error *err);
/* Checks at start that dst can take a savepoint (the rule above); EDDY_ESTATE otherwise. */
int eddy_checkpoint_check_savepoint_dir(const char *dst, eddy_error *err);
/* The job has ended by itself: ends a checkpoint in flight (its writer is killed: the last
 * checkpoint supersedes it; what it had committed counts), takes a last checkpoint of
 * the sinks' markers only (so that they commit; "finished" above), closes the store, removes
 * the spill store (eddy_spill_remove) and the state files (data.mdb, lock.mdb, LOCK) and the
 * directory when it is then empty. After a restored finished checkpoint only the removal.
 * Call eddy_checkpoint_close afterwards either way. */
int eddy_checkpoint_finish(eddy_checkpointer *c, eddy_error *err);
void eddy_checkpoint_get_stats(const eddy_checkpointer *c, eddy_checkpoint_stats *s);
/* Closes the store without a checkpoint; waits for a writer in flight to end (its checkpoint
 * is not completed: the sinks do not commit). NULL is fine. */
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
