/*
 * jobs.h: the REPL's background jobs: a registry of the jobs that INSERT and statement sets
 * started, each running on a thread of its own, with SHOW JOBS and STOP JOB on top (Flink's
 * SQL client does the same against its cluster).
 *
 *     eddy_shell_jobs *js = eddy_shell_jobs_new();
 *     char id[64];
 *     eddy_shell_jobs_make_id(js, "revenue", id, sizeof id);  // 'pipeline.name', or 8 hex
 *     FILE *out = eddy_shell_line_stream(stdout);              // the job's print sinks
 *     ... eddy_job_create(plan, reg, &(eddy_job_options){.print_out = out, ...}, &job, &err)
 *     eddy_shell_job_spec spec = {.id = id, .job = job, .plan = plan, .print_out = out, ...};
 *     if (eddy_shell_jobs_start(js, &spec) != 0) ... nothing was taken: free job, plan, out
 *     eddy_shell_jobs_show(js, stdout);                        // SHOW JOBS
 *     eddy_shell_jobs_stop(js, id, &how, stdout);              // STOP JOB 'id' [WITH ...]
 *     eddy_shell_jobs_free(js);                                // stops and waits for the rest
 *
 * A job's life: RUNNING from eddy_shell_jobs_start() until eddy_job_run() returns on its
 * thread; then FINISHED (its sources ended, or it was stopped with a savepoint, as Flink says
 * of a stop-with-savepoint), CANCELED (stopped without a savepoint, as Flink's STOP JOB
 * without one cancels) or FAILED (its error is kept, printed to stderr at once as
 * "eddy: job 'ID' failed: ..." and again under SHOW JOBS). The thread destroys the job, its
 * plan and its print stream itself, so a job that ends frees its state directory's lock at
 * once; the record stays for SHOW JOBS until the registry is freed.
 *
 * Output: when standard output is not a terminal, rows of a job's print sinks go through
 * eddy_shell_line_stream(), which hands the destination whole lines only, under the
 * destination's stdio lock (flockfile), so the rows of two jobs and the shell's own messages
 * never share a line (print's commit writes its held rows with one write(2), past stdio's
 * lock, when its stream has a descriptor; a line stream has none). On a terminal the session
 * gives the print sinks the terminal's stream itself, so that they show rows as they come;
 * each batch is then one fwrite under the stream's lock. Everything else the runtime writes
 * (stderr notes) is one fprintf per line.
 *
 * Threads: every function here is for the shell's main thread (the one that reads
 * statements); job threads only touch their own record, under the registry's mutex. Job
 * threads block SIGINT and SIGTERM, so those signals reach the main thread (whose read() they
 * interrupt) and never a job thread.
 */
#ifndef EDDY_SHELL_JOBS_H
#define EDDY_SHELL_JOBS_H

#include <stdbool.h>
#include <stdio.h>

#include "planner/session.h"
#include "runtime/job.h"

typedef struct eddy_shell_jobs eddy_shell_jobs;

/* A new, empty registry. */
eddy_shell_jobs *eddy_shell_jobs_new(void);
/* Stops every running job (as eddy_shell_jobs_stop_all) and frees the registry. NULL is fine. */
void eddy_shell_jobs_free(eddy_shell_jobs *js);

/* Writes the id of the next job into out: `wanted` ('pipeline.name' made safe for a directory
 * name) when it is not empty and no job of the registry has that id, else 8 random hex digits
 * that none has. */
void eddy_shell_jobs_make_id(const eddy_shell_jobs *js, const char *wanted, char *out, size_t n);

/* A new unbuffered stream that passes what is written to it on to dest in whole lines, each
 * batch of lines under dest's stdio lock and followed by fflush(dest); a line left without its
 * '\n' goes out when the stream is closed. Close it with fclose(). Aborts when out of memory. */
FILE *eddy_shell_line_stream(FILE *dest);

/* What eddy_shell_jobs_start() takes. */
typedef struct eddy_shell_job_spec {
    const char *id;         /* from eddy_shell_jobs_make_id (copied) */
    const char *name;       /* the job's name for SHOW JOBS (copied); NULL: the plan's */
    eddy_job *job;          /* created, not yet run: taken */
    eddy_job_plan *plan;    /* its plan: taken (freed after the job) */
    FILE *print_out;        /* the job's print stream, or NULL: taken (closed after the job) */
    const char *state_dir;  /* the job's state directory, NULL without checkpoints (copied) */
    const char *state_root; /* removed after the job when empty, NULL to leave it (copied) */
} eddy_shell_job_spec;

/* Starts spec->job on a new thread and records it as RUNNING. Returns 0 and takes job, plan
 * and print_out; or, when no thread can be started, prints why to stderr and returns
 * EDDY_EXIT_RUNTIME, taking nothing. */
int eddy_shell_jobs_start(eddy_shell_jobs *js, const eddy_shell_job_spec *spec);

/* SHOW JOBS: a table of every job of the registry in the order they started (job id, job
 * name, status, start time as local ISO time), "Empty set" when there is none, then one line
 * per failed job with its error. */
void eddy_shell_jobs_show(eddy_shell_jobs *js, FILE *out);

/* How STOP JOB asks a job to stop. */
typedef struct eddy_shell_stop {
    bool savepoint;             /* WITH SAVEPOINT */
    bool drain;                 /* WITH DRAIN (refused: the runtime cannot drain; jobs.c) */
    const char *savepoint_root; /* 'state.savepoints.dir', NULL when not set */
} eddy_shell_stop;

/* STOP JOB 'id': stops the running job id (with a savepoint into savepoint_root/<id> when
 * asked), waits for its thread and says on out what happened ("Savepoint completed. Path:
 * DIR"). Refused with a message on stderr, the job left running: an id that is not running
 * (the running ids are listed), WITH DRAIN, WITH SAVEPOINT without 'state.savepoints.dir' or
 * for a job without checkpoints. Returns EDDY_EXIT_OK, EDDY_EXIT_QUERY (refused) or
 * EDDY_EXIT_RUNTIME (the job failed while stopping, or no savepoint could be written). */
int eddy_shell_jobs_stop(eddy_shell_jobs *js, const char *id, const eddy_shell_stop *how,
                         FILE *out);

/* Stops every running job (each takes its last checkpoint when it has state), waits for
 * them and says on stderr which stopped where. Used when the shell ends. */
void eddy_shell_jobs_stop_all(eddy_shell_jobs *js);

#endif
