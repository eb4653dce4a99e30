/*
 * group_tasks.c: one task per assigned Kafka partition (group_tasks.h).
 *
 * Rules:
 *   - The runner's consumer subscribes to the table's topics in its group, with eddy's
 *     rebalance callback; what it is assigned it pauses at once (it reads no message: any that
 *     slips through is dropped), so that it only holds the group membership.
 *   - Assign: a task per new partition, its job created by the caller's hook and run on a
 *     thread of its own. Revoke: the partition's task is stopped (eddy_job_stop: a last
 *     checkpoint into its directory) and joined inside the callback, so that the partition's
 *     state is on disk before the group hands the partition to another process.
 *   - Eager and cooperative protocols ('properties.partition.assignment.strategy' =
 *     'cooperative-sticky') are both followed.
 *   - A task whose job fails ends the run: every other task is stopped with a checkpoint and
 *     the first error is returned. A task whose job ends by itself (it should not: the source
 *     is unbounded) is left ended.
 */
#include "group_tasks.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "connectors/kafka_conf.h"
#include "planner/session.h"
#include "runtime/connector.h"

typedef struct task {
    char *topic;
    int part;
    eddy_job *job;
    eddy_job_plan *plan;
    pthread_t thread;
    int done;       /* set by the thread when its job returned (atomic) */
    int rc;         /* the job's result */
    eddy_error err; /* ... and its error */
} task;

typedef struct runner {
    const eddy_group_tasks_hooks *hooks;
    const char *table;
    rd_kafka_t *rk;
    task **tasks;
    int ntasks;
    int rc; /* the first error (of a hook or a task) */
    eddy_error err;
} runner;

static void *task_main(void *arg)
{
    task *t = arg;
    eddy_error_clear(&t->err);
    t->rc = eddy_job_run(t->job, &t->err);
    __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void fail(runner *r, int rc, const eddy_error *err)
{
    if (r->rc) return;
    r->rc = rc;
    r->err = *err;
}

static int find_task(const runner *r, const char *topic, int part)
{
    for (int i = 0; i < r->ntasks; i++)
        if (r->tasks[i]->part == part && strcmp(r->tasks[i]->topic, topic) == 0) return i;
    return -1;
}

static void start_task(runner *r, const char *topic, int part)
{
    if (r->rc || find_task(r, topic, part) >= 0) return;
    task *t = eddy_xcalloc(1, sizeof *t);
    t->topic = eddy_xstrdup(topic);
    t->part = part;
    eddy_error err;
    eddy_error_clear(&err);
    int rc = r->hooks->create(r->hooks->ctx, topic, part, &t->job, &t->plan, &err);
    if (rc == 0 && pthread_create(&t->thread, NULL, task_main, t) != 0) {
        rc = eddy_error_set(&err, EDDY_ERUNTIME, 0, 0,
                            "cannot start a thread for partition %d of topic '%s'", part, topic);
        eddy_job_destroy(t->job);
        eddy_job_plan_free(t->plan);
        t->job = NULL;
    }
    if (rc) {
        fail(r, rc, &err);
        free(t->topic);
        free(t);
        return;
    }
    fprintf(stderr, "eddy: table '%s': partition %d of topic '%s' assigned: its task runs\n",
            r->table, part, topic);
    r->tasks = eddy_xrealloc(r->tasks, sizeof *r->tasks * (size_t)(r->ntasks + 1));
    r->tasks[r->ntasks++] = t;
}

/* Stops task i (a last checkpoint), joins it and forgets it. */
static void stop_task(runner *r, int i, bool say)
{
    task *t = r->tasks[i];
    eddy_job_stop(t->job);
    pthread_join(t->thread, NULL);
    if (t->rc) fail(r, t->rc, &t->err);
    eddy_job_destroy(t->job);
    eddy_job_plan_free(t->plan);
    if (say)
        fprintf(stderr,
                "eddy: table '%s': partition %d of topic '%s' revoked: its task stopped with a "
                "checkpoint\n",
                r->table, t->part, t->topic);
    free(t->topic);
    free(t);
    r->tasks[i] = r->tasks[--r->ntasks];
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    runner *r = opaque;
    bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (cooperative) {
            rd_kafka_error_t *x = rd_kafka_incremental_assign(rk, parts);
            if (x) rd_kafka_error_destroy(x);
        } else {
            rd_kafka_assign(rk, parts);
        }
        rd_kafka_pause_partitions(rk, parts); /* the tasks read, not the runner */
        for (int i = 0; i < parts->cnt; i++)
            start_task(r, parts->elems[i].topic, parts->elems[i].partition);
    } else {
        for (int i = 0; i < parts->cnt; i++) {
            int k = find_task(r, parts->elems[i].topic, parts->elems[i].partition);
            if (k >= 0) stop_task(r, k, true);
        }
        if (cooperative) {
            rd_kafka_error_t *x = rd_kafka_incremental_unassign(rk, parts);
            if (x) rd_kafka_error_destroy(x);
        } else {
            rd_kafka_assign(rk, NULL);
        }
    }
}

const eddy_plan *eddy_group_tasks_source(const eddy_job_plan *plan, eddy_error *err)
{
    /* the plan's sources, found from the sinks */
    const eddy_plan *stack[256], *found = NULL;
    int nsrc = 0, n = 0;
    const eddy_plan *seen[256];
    int nseen = 0;
    for (int i = 0; i < plan->nsinks && n < 256; i++)
        stack[n++] = plan->sinks[i];
    while (n > 0) {
        const eddy_plan *p = stack[--n];
        bool dup = false;
        for (int k = 0; k < nseen; k++)
            dup = dup || seen[k] == p;
        if (dup || nseen >= 256) continue;
        seen[nseen++] = p;
        if (p->kind == EDDY_PLAN_SOURCE) {
            nsrc++;
            const char *a = eddy_kv_get(p->u.source.options, p->u.source.noptions,
                                        "scan.partition-assignment", "");
            if (strcmp(a, "group-tasks") == 0) found = p;
            continue;
        }
        for (int i = 0; i < p->ninputs && n < 256; i++)
            stack[n++] = p->inputs[i];
        if (p->kind == EDDY_PLAN_WINDOW_AGG || p->kind == EDDY_PLAN_SESSION_AGG)
            if (p->u.window_agg.late_sink && n < 256) stack[n++] = p->u.window_agg.late_sink;
    }
    if (!found) return NULL;
    const eddy_kv *o = found->u.source.options;
    int no = found->u.source.noptions;
    const char *t = found->u.source.table;
    if (nsrc > 1)
        eddy_error_set(err, EDDY_EUNSUPPORTED, found->line, found->col,
                       "table '%s': 'scan.partition-assignment' = 'group-tasks' needs the job to "
                       "read this one "
                       "table only (each task reads one of its partitions)",
                       t);
    else if (!eddy_kv_get(o, no, "properties.group.id", NULL))
        eddy_error_set(err, EDDY_EUSAGE, found->line, found->col,
                       "table '%s': 'scan.partition-assignment' = 'group-tasks' needs option "
                       "'properties.group.id'",
                       t);
    else if (!eddy_kv_get(o, no, "topic", NULL))
        eddy_error_set(err, EDDY_EUNSUPPORTED, found->line, found->col,
                       "table '%s': 'scan.partition-assignment' = 'group-tasks' needs 'topic' (a "
                       "topic or a list); "
                       "'topic-pattern' is not supported with it yet",
                       t);
    else if (eddy_kv_get(o, no, "scan.partitions", NULL))
        eddy_error_set(err, EDDY_EUSAGE, found->line, found->col,
                       "table '%s': 'scan.partitions' cannot be used with "
                       "'scan.partition-assignment' = 'group-tasks' "
                       "(the group assigns them)",
                       t);
    else if (strcmp(eddy_kv_get(o, no, "scan.bounded.mode", "unbounded"), "unbounded") != 0)
        eddy_error_set(
            err, EDDY_EUSAGE, found->line, found->col,
            "table '%s': 'scan.bounded.mode' cannot be used with 'scan.partition-assignment' = "
            "'group-tasks'",
            t);
    else
        return found;
    return NULL;
}

int eddy_group_tasks_run(const eddy_plan *src, const eddy_group_tasks_hooks *hooks,
                         volatile sig_atomic_t *stop, eddy_error *err)
{
    runner r = {.hooks = hooks, .table = src->u.source.table};
    eddy_error_clear(&r.err);
    static const char *const defaults[][2] = {
        {"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"}, {NULL, NULL}};
    rd_kafka_conf_t *conf = eddy_kafka_conf_new(src->u.source.options, src->u.source.noptions,
                                                "properties.", defaults, r.table, err);
    if (!conf) return err->code;
    rd_kafka_conf_set_opaque(conf, &r);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    char msg[512];
    r.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, msg, sizeof msg);
    if (!r.rk) {
        rd_kafka_conf_destroy(conf);
        return eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                              "table '%s': cannot create the group's consumer: %s", r.table, msg);
    }
    rd_kafka_poll_set_consumer(r.rk);
    /* the topics: 'a;b' */
    const char *list = eddy_kv_get(src->u.source.options, src->u.source.noptions, "topic", "");
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(4);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        size_t len = strcspn(p, ";");
        while (len && p[len - 1] == ' ')
            len--;
        if (len) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)len, p);
            rd_kafka_topic_partition_list_add(topics, name, RD_KAFKA_PARTITION_UA);
        }
        p += len;
        while (*p == ' ')
            p++;
    }
    rd_kafka_resp_err_t e = rd_kafka_subscribe(r.rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    int rc = 0;
    if (e) {
        rc = eddy_error_set(err, EDDY_ECONNECTOR, 0, 0,
                            "table '%s': cannot join group with topics '%s': %s", r.table, list,
                            rd_kafka_err2str(e));
    } else {
        while (!*stop && !r.rc) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(r.rk, 100);
            if (m)
                rd_kafka_message_destroy(m); /* paused: nothing should come; errors are retried */
            for (int i = 0; i < r.ntasks; i++) {
                task *t = r.tasks[i];
                if (__atomic_load_n(&t->done, __ATOMIC_ACQUIRE) && t->rc) fail(&r, t->rc, &t->err);
            }
        }
        while (r.ntasks > 0)
            stop_task(&r, r.ntasks - 1, false);
        rd_kafka_consumer_close(r.rk); /* leaves the group (a revoke with no task left) */
        if (r.rc) {
            *err = r.err;
            rc = r.rc;
        }
    }
    while (r.ntasks > 0)
        stop_task(&r, r.ntasks - 1, false);
    free(r.tasks);
    rd_kafka_destroy(r.rk);
    return rc;
}
