/*
 * job.h: what the runtime offers: run a physical plan (planner/plan.h) as a streaming job.
 *
 *     eddy_job *job;
 *     if (eddy_job_create(plan, eddy_connectors_builtin(), &opts, &job, &err) == 0) {
 *         rc = eddy_job_run(job, &err);      // until every source ends, or eddy_job_stop()
 *         eddy_job_destroy(job);
 *     }
 *
 * A job runs on the thread that calls eddy_job_run(): it polls its sources round-robin, pushes
 * each batch through the operators of the plan to the sinks, advances watermarks between
 * batches, and, when every source has ended, raises the watermark to the maximum so that every
 * open window fires, flushes the sinks and returns 0.
 *
 * Checkpoints (opt.state_dir set; state.h, DESIGN.md): every checkpoint_interval_ms, and when
 * the job is stopped, the job starts one checkpoint between two batches (the pipeline is
 * synchronous, so no row is in flight there: no barriers are needed). It is asynchronous
 * (checkpoint.h): the job stops only for the sinks' prepare_commit, the sources' positions and
 * a fork(); a writer process holding a copy-on-write image of the job writes the snapshots
 * while the job goes on, and the sinks commit once it has reported (at most one in flight; a
 * stop or the end waits for it). What is written: ONE LMDB write transaction with every
 * stateful operator's snapshot
 * (database "op/K", K the operator's index among the non-SOURCE nodes that have a state_shape,
 * sinks included, in plan node-id order; checkpoint.h), their watermarks ("op/K.wm" in meta;
 * "union/K.wm" for stateless operators with several inputs), every source's position
 * ("source/K"), the sinks' markers ("sink/K", K = eddy_sink_spec.index) and the plan's shape
 * ("plan": one line per numbered operator and source), then each sink's commit. eddy_job_create() on a
 * directory that holds a checkpoint restores it (or refuses with a message naming the first
 * operator whose shape differs) and seeks the sources; a job that finishes (every source
 * ended) commits a last time (the sinks' markers only) and removes the state files (the
 * directory is left if it holds anything else). Stopped by eddy_job_stop(), it takes a final checkpoint and, with
 * opt.savepoint_dir, copies the state there as a savepoint (state.h eddy_state_copy).
 */
#ifndef EDDY_RUNTIME_JOB_H
#define EDDY_RUNTIME_JOB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/error.h"
#include "../planner/plan.h"
#include "connector.h"

typedef struct eddy_job eddy_job;

typedef struct eddy_job_options {
    FILE *print_out;        /* where print sinks and bare SELECTs write (NULL = stdout) */
    int batch_rows;         /* rows per batch (0 = EDDY_BATCH_ROWS) */
    bool status_line;       /* draw a live status line on stderr (a terminal) */
    const char *state_dir;  /* checkpoints go here; NULL: none (at-least-once flushes) */
    int64_t checkpoint_interval_ms; /* 0: 'execution.checkpointing.interval' of the plan's
                                     * config, else 10 s */
    const char *savepoint_dir;  /* stop: write a savepoint here (NULL: none) */
    const char *from_savepoint; /* start from this savepoint (state_dir must hold no
                                 * checkpoint; it is copied there first) */
    /* Metrics for other threads (runtime/metrics.h): eddy_job_create() registers the job there
     * as metrics_name (copied; NULL: the plan's name), eddy_job_run() publishes a snapshot at
     * its start, every 500 ms and at its end, on the job's thread, and eddy_job_destroy()
     * unregisters it. NULL: none. The registry must outlive the job. */
    struct eddy_metrics *metrics;
    const char *metrics_name;
} eddy_job_options;

typedef struct eddy_job_metrics {
    uint64_t rows_in;       /* rows read by all sources */
    uint64_t rows_out;      /* rows written by all sinks */
    uint64_t late_rows;     /* rows dropped as late by window operators */
    uint64_t bad_records;   /* malformed records skipped */
    int64_t watermark;      /* current job watermark (min over sources), INT64_MIN if none */
    uint64_t state_bytes;   /* memory held by operator state */
    uint64_t checkpoints;   /* completed checkpoints of this run */
    uint64_t checkpoint_id; /* id of the last one (0: none) */
    int64_t checkpoint_ms;  /* duration of the last one (from the sinks' prepare to commit) */
    int64_t checkpoint_pause_us; /* how long the last one stopped the pipeline (asynchronous:
                                  * the sinks' prepare, the records and the fork) */
    uint64_t checkpoint_bytes; /* size of the state store after it */
    int64_t source_lag;     /* records behind the end of the input over all splits that report
                             * it (Kafka: consumer lag of this process's partitions); -1: none do */
    int64_t source_lag_max; /* the largest lag of one split (partition) */
} eddy_job_metrics;

/* The lag of one split of the job's source number `source` (in the order the plan's sources
 * were opened), or -1 when it is not known or the split is not read here. */
int64_t eddy_job_split_lag(const eddy_job *job, int source, int split);

/* Builds the operators of plan. Connector options are validated here (open errors name the
 * table and the option). The plan must outlive the job. */
int eddy_job_create(const eddy_job_plan *plan, eddy_connector_registry reg,
                    const eddy_job_options *opt, eddy_job **out, eddy_error *err);
/* Runs until every source ended (returns 0), eddy_job_stop() was called (returns 0), or an
 * error (returns its code, err set). */
int eddy_job_run(eddy_job *job, eddy_error *err);
/* Asks a running job to stop at the next batch boundary. Async-signal-safe. */
void eddy_job_stop(eddy_job *job);
/* Asks a running job (on another thread) to stop with a savepoint written to dir (instead of
 * opt.savepoint_dir): its last checkpoint, then the copy; eddy_job_run() returns once the
 * savepoint is complete (or with the error that prevented it). Refused at once (EDDY_EUSAGE)
 * for a job without checkpoints or a dir that cannot take a savepoint. Thread-safe, not
 * async-signal-safe. */
int eddy_job_stop_with_savepoint(eddy_job *job, const char *dir, eddy_error *err);
void eddy_job_get_metrics(const eddy_job *job, eddy_job_metrics *m);
void eddy_job_destroy(eddy_job *job);

#endif
