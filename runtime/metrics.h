/*
 * metrics.h: the metrics of running jobs as other threads may read them: a registry of jobs,
 * each with the last snapshot its job thread published, and their rendering in Prometheus'
 * text exposition format (version 0.0.4), which shell/metrics_http.c serves at /metrics.
 *
 *     eddy_metrics *reg = eddy_metrics_new();                  // one per process (the shell)
 *     opt.metrics = reg; opt.metrics_name = "revenue";         // job.h: the job registers itself
 *     ... the job thread, every ~500 ms and at the end (job.c does this):
 *     eddy_metrics_snapshot *snap = eddy_metrics_snapshot_new(&m);   // m: eddy_job_get_metrics
 *     eddy_metrics_snapshot_add_source(snap, "ev");
 *     eddy_metrics_snapshot_add_split(snap, "ev:0", 17);       // a split's lag, in records
 *     eddy_metrics_publish(job_entry, snap);                   // consumes snap
 *     ... any thread (the HTTP server's):
 *     eddy_strbuf text = {0};
 *     eddy_metrics_render(reg, &text);
 *     eddy_metrics_free(reg);                                  // after every job is destroyed
 *
 * Why snapshots: a job's figures live in its operators and connectors, which only the job's
 * thread may touch (connector.h: "all calls of one source or sink come from the job's thread";
 * a source's lag() reads librdkafka's handle). So the job thread copies them into a snapshot
 * and swaps it in under the registry's mutex; a reader renders the snapshots under the same
 * mutex and never calls into a job. A scrape therefore sees figures up to one publishing
 * interval old. A job that has not published yet is not rendered.
 *
 * What is rendered, per job (label job="<name>", in registration order), each family with one
 * "# HELP" and one "# TYPE" line, written only when it has at least one sample:
 *   counters  eddy_rows_in_total, eddy_rows_out_total, eddy_late_rows_total,
 *             eddy_bad_records_total, eddy_checkpoints_total
 *   gauges    eddy_watermark_milliseconds (absent before the first watermark, +Inf once every
 *             input has ended), eddy_state_bytes, eddy_checkpoint_last_id,
 *             eddy_checkpoint_duration_milliseconds, eddy_checkpoint_pause_microseconds,
 *             eddy_checkpoint_bytes (these three only once a checkpoint completed in this run)
 *   per split of a source that reports a lag (Kafka: consumer lag of a partition read here):
 *             eddy_source_lag_records{job,table,split}, and per such source the sum over its
 *             splits, eddy_source_total_lag_records{job,table}.
 * The per-source sum is not called ..._lag_records_total: in Prometheus' conventions a "_total"
 * suffix marks a counter, and a lag goes down as well as up (promtool would flag it).
 * Label values are escaped as the format asks (\\, \" and \n).
 *
 * Threads: every function may be called from any thread; publish() and unregister() of one
 * entry come from the thread that owns its job. The registry's one mutex is held only to swap a
 * snapshot in, to add or remove an entry, and while rendering.
 */
#ifndef EDDY_RUNTIME_METRICS_H
#define EDDY_RUNTIME_METRICS_H

#include <stdint.h>

#include "../common/strbuf.h"
#include "job.h"

typedef struct eddy_metrics eddy_metrics;             /* the registry of a process */
typedef struct eddy_metrics_job eddy_metrics_job;     /* one job's entry in it */
typedef struct eddy_metrics_snapshot eddy_metrics_snapshot; /* one job's figures at a time */

/* A new, empty registry. */
eddy_metrics *eddy_metrics_new(void);
/* Frees the registry. Every entry should have been unregistered; any left is freed with it
 * (its eddy_metrics_job pointer is then dangling). NULL is fine. */
void eddy_metrics_free(eddy_metrics *reg);

/* Adds a job called name (copied) and returns its entry, which renders nothing until the first
 * eddy_metrics_publish(). */
eddy_metrics_job *eddy_metrics_register(eddy_metrics *reg, const char *name);
/* Removes the entry and frees it with its snapshot. NULL is fine. */
void eddy_metrics_unregister(eddy_metrics_job *job);

/* A snapshot of the job figures m (copied), with no source yet. */
eddy_metrics_snapshot *eddy_metrics_snapshot_new(const eddy_job_metrics *m);
/* Starts the next source (table: its label, copied); the splits added next belong to it. A
 * source with no split added renders nothing. */
void eddy_metrics_snapshot_add_source(eddy_metrics_snapshot *snap, const char *table);
/* A split of the last source added (name: "topic:partition" or the split's index, copied) and
 * its lag in records (>= 0). Ignored before the first source. */
void eddy_metrics_snapshot_add_split(eddy_metrics_snapshot *snap, const char *name, int64_t lag);
void eddy_metrics_snapshot_free(eddy_metrics_snapshot *snap);

/* Makes snap the entry's current snapshot (consumes it; the previous one is freed). */
void eddy_metrics_publish(eddy_metrics_job *job, eddy_metrics_snapshot *snap);

/* Appends the Prometheus text of every published job to out (nothing when there is none). */
void eddy_metrics_render(eddy_metrics *reg, eddy_strbuf *out);

/* The Content-Type of what eddy_metrics_render writes. */
#define EDDY_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
