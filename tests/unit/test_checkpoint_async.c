/*
 * test_checkpoint_async.c: the parts of asynchronous checkpoints below the job (the job-level
 * protocol is in test_checkpoint.c, crashes in tests/e2e/async_checkpoint.py):
 *
 *   - state.h with two processes: a forked child opens the store with eddy_state_open_child
 *     (no lock taken: the parent's is inherited), grows the map several times inside one write
 *     transaction (EDDY_STATE_TEST_MAPSIZE) and commits a checkpoint; the parent, whose map is
 *     now too small, re-reads the id (eddy_state_refresh), reads the child's data and writes the
 *     next checkpoint itself (MDB_MAP_RESIZED adopted); a second eddy_state_open of the
 *     directory still finds it locked while the child runs, and waits for a child that outlived
 *     the process whose pid the LOCK names;
 *   - checkpoint.h with a spill store (spill.h): a savepoint holds data.mdb and spill/ (the runs),
 *     replaces an earlier one of that shape, and the end of the job removes the spill store
 *     with the state.
 * The checkpointer runs here without a planner: an empty job plan (no operators) is enough
 * for the store's side, and the spill store is handed in through the checkpoint graph.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "runtime/checkpoint.h"
#include "runtime/spill.h"
#include "runtime/state.h"

static char *tmpdir(void)
{
    char *d = strdup("/tmp/eddy-test-ckpt-async-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void rm_rf(char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static bool exists(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return stat(p, &st) == 0;
}

#define ok(call)                                                                  \
    do {                                                                          \
        eddy_error e_;                                                            \
        eddy_error_clear(&e_);                                                    \
        int rc_ = (call);                                                         \
        if (rc_ != 0) fail_msg("%s: %d %s", #call, rc_, e_.msg);                  \
    } while (0)

/* ---- two processes on one store ------------------------------------------------------ */

#define NKEYS 20000

/* In the child: 20000 entries of 64 bytes (well over the 256 KiB map) in one transaction,
 * retried as the map grows, committed as checkpoint `id`. Exits 0 on success. */
static void child_write(eddy_state *parent, uint64_t id, int hold_ms)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_state *st;
    if (eddy_state_open_child(parent, &st, &err) != 0) {
        fprintf(stderr, "child open: %s\n", err.msg);
        _exit(10);
    }
    int rc, tries = 0;
    do {
        eddy_error_clear(&err);
        eddy_state_txn *t;
        rc = eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err);
        eddy_state_db db;
        if (rc == 0) rc = eddy_state_db_open(t, "op/0", &db, &err);
        for (int i = 0; rc == 0 && i < NKEYS; i++) {
            unsigned char k[8], v[64];
            eddy_state_key_i64(k, i);
            memset(v, i & 0xff, sizeof v);
            rc = eddy_state_put(&db, k, sizeof k, v, sizeof v, &err);
        }
        if (hold_ms) {
            struct timespec ts = {hold_ms / 1000, (long)(hold_ms % 1000) * 1000000};
            nanosleep(&ts, NULL);
        }
        if (rc == 0) rc = eddy_state_commit(t, id, &err);
        else eddy_state_abort(t);
        tries++;
    } while (rc == EDDY_ESTATE_FULL && tries < 20);
    if (rc) {
        fprintf(stderr, "child write: %s\n", err.msg);
        _exit(11);
    }
    eddy_state_close(st);
    _exit(tries >= 3 ? 0 : 12); /* the map had to grow at least twice */
}

static void test_state_child_grows_map(void **state)
{
    (void)state;
    char *dir = tmpdir();
    setenv("EDDY_STATE_TEST_MAPSIZE", "262144", 1);
    eddy_state *st;
    ok(eddy_state_open(dir, &st, &e_));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) child_write(st, 1, 300);
    /* while the child writes, the directory is locked (by the parent, whose pid is in LOCK) */
    struct timespec ts = {0, 100 * 1000000};
    nanosleep(&ts, NULL);
    eddy_error err;
    eddy_error_clear(&err);
    eddy_state *other;
    assert_int_equal(eddy_state_open(dir, &other, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "is in use by another eddy process"));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("child: status %d", status);
    unsetenv("EDDY_STATE_TEST_MAPSIZE");

    /* the parent: the child's checkpoint, its data (past the parent's map), the next one */
    assert_int_equal(eddy_state_last_checkpoint(st), 0);
    ok(eddy_state_refresh(st, &e_));
    assert_int_equal(eddy_state_last_checkpoint(st), 1);
    eddy_state_txn *t;
    ok(eddy_state_begin(st, EDDY_STATE_READ, &t, &e_));
    eddy_state_db db;
    ok(eddy_state_db_open(t, "op/0", &db, &e_));
    unsigned char k[8];
    eddy_state_key_i64(k, NKEYS - 1);
    const void *val;
    size_t len;
    ok(eddy_state_get(&db, k, sizeof k, &val, &len, &e_));
    assert_int_equal(len, 64);
    assert_int_equal(((const unsigned char *)val)[0], (NKEYS - 1) & 0xff);
    eddy_state_abort(t);
    ok(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &e_));
    ok(eddy_state_db_open(t, "op/0", &db, &e_));
    ok(eddy_state_del(&db, k, sizeof k, &e_));
    ok(eddy_state_commit(t, 2, &e_));
    assert_int_equal(eddy_state_last_checkpoint(st), 2);
    eddy_state_close(st);

    /* reopened: checkpoint 2, without the key deleted by the parent */
    ok(eddy_state_open(dir, &st, &e_));
    assert_int_equal(eddy_state_last_checkpoint(st), 2);
    ok(eddy_state_begin(st, EDDY_STATE_READ, &t, &e_));
    ok(eddy_state_db_open(t, "op/0", &db, &e_));
    eddy_error_clear(&err);
    assert_int_equal(eddy_state_get(&db, k, sizeof k, &val, &len, &err), EDDY_ENOTFOUND);
    eddy_state_key_i64(k, 0);
    ok(eddy_state_get(&db, k, sizeof k, &val, &len, &e_));
    eddy_state_abort(t);
    eddy_state_close(st);
    rm_rf(dir);
}

/* A writer that outlives its job (the job was killed): the job's pid in LOCK is gone, the lock
 * is held; a new open waits for the writer to end instead of refusing, then sees its commit. */
static void test_state_waits_for_orphan(void **state)
{
    (void)state;
    char *dir = tmpdir();
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t job = fork();
    assert_true(job >= 0);
    if (job == 0) {
        /* the "job": opens the store, forks its writer, and dies at once */
        eddy_error err;
        eddy_error_clear(&err);
        eddy_state *st;
        if (eddy_state_open(dir, &st, &err) != 0) _exit(20);
        pid_t w = fork();
        if (w == 0) {
            close(ready[0]);
            if (write(ready[1], "w", 1) != 1) _exit(21);
            child_write(st, 1, 500);
        }
        _exit(w > 0 ? 0 : 22); /* no close: the writer keeps the lock */
    }
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    int status;
    assert_int_equal(waitpid(job, &status, 0), job);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* the writer runs on (it is not our child: it was reparented), holding the lock */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    eddy_state *st;
    ok(eddy_state_open(dir, &st, &e_));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (waited < 0.1) fail_msg("the open did not wait for the writer (%.3f s)", waited);
    assert_int_equal(eddy_state_last_checkpoint(st), 1); /* the writer's commit */
    eddy_state_close(st);
    rm_rf(dir);
}

/* ---- the checkpointer with a spill store ---------------------------------------------- */

static void spill_run(eddy_spill *sp, const char *owner, int n)
{
    eddy_spill_writer *w;
    uint32_t run;
    ok(eddy_spill_run_begin(sp, owner, &run, &w, &e_));
    for (int i = 0; i < n; i++) {
        unsigned char k[8];
        eddy_state_key_i64(k, i);
        ok(eddy_spill_put(w, k, sizeof k, "value", 5, &e_));
    }
    ok(eddy_spill_run_end(w, true, &e_));
}

static void test_savepoint_with_spill(void **state)
{
    (void)state;
    char *root = tmpdir();
    char dir[400], sp[400], other[500];
    snprintf(dir, sizeof dir, "%s/state/job", root);
    snprintf(sp, sizeof sp, "%s/sp/job", root);
    eddy_job_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.fingerprint = 42;
    eddy_checkpointer *c;
    ok(eddy_checkpoint_open(dir, NULL, &plan, &c, &e_));
    eddy_spill *spill = eddy_spill_new(dir, 1 << 20);
    eddy_checkpoint_graph g;
    memset(&g, 0, sizeof g);
    g.spill = spill;
    ok(eddy_checkpoint_restore(c, &g, &e_));
    spill_run(spill, "op/0", 1000);
    assert_true(eddy_spill_used(spill));
    ok(eddy_checkpoint_run(c, &e_));
    ok(eddy_checkpoint_savepoint(c, sp, &e_));
    assert_true(exists(sp, "data.mdb"));
    assert_true(exists(sp, "spill/data.mdb"));
    /* an earlier savepoint with its spill/ is replaced by the next one */
    ok(eddy_checkpoint_check_savepoint_dir(sp, &e_));
    spill_run(spill, "op/0", 10);
    ok(eddy_checkpoint_start(c, &e_)); /* asynchronous; the savepoint waits for it */
    ok(eddy_checkpoint_savepoint(c, sp, &e_));
    assert_false(eddy_checkpoint_busy(c));
    assert_true(exists(sp, "spill/data.mdb"));
    snprintf(other, sizeof other, "%s/sp/.job.writing", root);
    assert_false(exists(other, ""));
    snprintf(other, sizeof other, "%s/sp/.job.old", root);
    assert_false(exists(other, ""));
    eddy_checkpoint_stats s;
    eddy_checkpoint_get_stats(c, &s);
    assert_int_equal(s.last_id, 2);
    /* anything else in it is refused */
    snprintf(other, sizeof other, "%s/notes.txt", sp);
    FILE *f = fopen(other, "w");
    fclose(f);
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(eddy_checkpoint_check_savepoint_dir(sp, &err), EDDY_ESTATE);
    unlink(other);
    /* the job ends: the state and the spill store go */
    assert_true(exists(dir, "spill"));
    ok(eddy_checkpoint_finish(c, &e_));
    eddy_checkpoint_close(c);
    assert_false(exists(dir, "spill"));
    assert_false(exists(dir, "data.mdb"));
    eddy_spill_free(spill);
    rm_rf(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_child_grows_map),
        cmocka_unit_test(test_state_waits_for_orphan),
        cmocka_unit_test(test_savepoint_with_spill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
