/*
 * group_tasks.h: `eddy run` of a job whose Kafka table says 'scan.partition-assignment' =
 * 'group-tasks': every partition this process gets from the consumer group runs as a task of
 * its own, a job with its own state directory, so that a partition's state moves with it.
 *
 *     assign (t, p): start task (t, p): a job over partition p of topic t only, restored from
 *                    ROOT/<job>/<t>-<p> when a checkpoint is there (this process's own, or the
 *                    one the previous owner left, on a state root the processes share)
 *     revoke (t, p): stop task (t, p) with a last checkpoint, before the partition is released
 *
 * The runner is a member of the group ('properties.group.id') that subscribes to the table's
 * topics but reads nothing itself (its partitions stay paused); each task's own consumer
 * reads its one partition by explicit assignment ('scan.partitions'). What makes a task's job
 * (a fresh plan with the source restricted, its directories, its options) is the caller's.
 *
 * Threads: the runner and the rebalance callback run on the caller's thread; each task's job
 * runs on a thread of its own. Tasks share nothing but stdout and the metrics registry.
 */
#ifndef EDDY_SHELL_GROUP_TASKS_H
#define EDDY_SHELL_GROUP_TASKS_H

#include <signal.h>
#include <stdbool.h>

#include "common/error.h"
#include "planner/plan.h"
#include "runtime/job.h"

/* The Kafka source of plan that asks for 'group-tasks', or NULL. Sets err (and returns NULL)
 * when the plan has one but cannot run as tasks (another source beside it, a topic pattern, no
 * 'properties.group.id'). */
const eddy_plan *eddy_group_tasks_source(const eddy_job_plan *plan, eddy_error *err);

typedef struct eddy_group_tasks_hooks {
    /* Creates the job of task (topic, partition); on success *job and *plan are the task's
     * (the runner destroys them). Returns 0, or an error with err set. */
    int (*create)(void *ctx, const char *topic, int partition, eddy_job **job, eddy_job_plan **plan,
                  eddy_error *err);
    void *ctx;
} eddy_group_tasks_hooks;

/* Runs tasks for the partitions the group assigns to this process until *stop is set (a
 * signal) or a task fails; then stops every task with a last checkpoint and leaves the group.
 * src: the source node eddy_group_tasks_source() found (its options name the brokers, group
 * and topics). Returns 0, or the first error (err set). */
int eddy_group_tasks_run(const eddy_plan *src, const eddy_group_tasks_hooks *hooks,
                         volatile sig_atomic_t *stop, eddy_error *err);

#endif
