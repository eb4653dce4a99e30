/*
 * checkpoint.c: the checkpoint coordinator (see checkpoint.h for the numbering, the records and
 * the asynchronous protocol, job.h for when the job calls what).
 *
 * A checkpoint N, between two batches:
 *   1. gather(), in the job's process: each sink's prepare_commit(N, marker) (its output so far
 *      made durable, not visible), each source's position, every watermark record, each
 *      operator's checkpoint_begin;
 *   2. write_checkpoint(): ONE write transaction: every snapshot ("op/K"), the records of step
 *      1, "plan" and "fingerprint"; committed as checkpoint N. A full map (EDDY_ESTATE_FULL:
 *      the store has doubled it) runs the transaction again with the same records, in a loop,
 *      since snapshots are repeatable and markers are not. Asynchronously this runs in a forked
 *      writer on its own LMDB environment (eddy_checkpoint_start, writer_main), which reports
 *      through a pipe (u32 code, u32 length, the error message; little-endian); synchronously
 *      (stop, EDDY_CHECKPOINT_SYNC, and in AddressSanitizer builds of a process with threads,
 *      where fork() is not safe: fork_unsafe) in the job's process;
 *   3. complete(), in the job's process: checkpoint_done() of every operator, then each sink's
 *      commit(N), then the figures.
 * A crash before 2 ends leaves N-1 the last checkpoint, and the sinks' recover() drops what
 * step 1 prepared; a crash after it leaves N, and recover() completes commit(N).
 *
 * The writer is reaped without blocking the job: it is done once its report is in (its exit,
 * which unmaps a copy of the job's address space, may take a few milliseconds more; the pid is
 * kept as a "zombie" and reaped at the next poll, or waited for before the next fork and at
 * close).
 *
 * Restore runs in a write transaction that is aborted at the end, so that an operator that had
 * written nothing still gets an (empty, created) database as operator.h promises.
 *
 * A savepoint is started from by copying its data.mdb into the fresh state directory (a plain
 * file copy: a savepoint is a compacted, finished LMDB file that no one writes; opening it in
 * place would leave a lock file in it), then opening that directory like any other; the job
 * adopts its spill/ (spill.h eddy_spill_adopt).
 */
#include "checkpoint.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "../common/arena.h"
#include "../common/strbuf.h"
#include "spill.h"
#include "state.h"

#define FINISHED_KEY "finished" /* meta: the job had ended; only the sinks' markers count */
#define MAX_GROWTH 24              /* map doublings one checkpoint may take (1 GiB -> 16 PiB) */

struct eddy_checkpointer {
    eddy_state *st;                 /* the open store */
    bool log;                       /* EDDY_CHECKPOINT_LOG set: report each checkpoint */
    bool sync;                      /* EDDY_CHECKPOINT_SYNC set: written by the job's process */
    char *dir;                      /* its directory */
    eddy_op **ops;                  /* see eddy_checkpoint_graph */
    int nops;
    eddy_op **merges;
    int nmerges;
    eddy_checkpoint_source *sources;
    int nsources;
    eddy_checkpoint_sink *sinks;
    int nsinks;
    struct eddy_spill *spill;       /* the job's spill store (spill.h), or NULL */
    uint64_t fingerprint;           /* eddy_job_plan.fingerprint */
    char *plan_text;                /* what "plan" must hold */
    bool from_savepoint;            /* the store is a copy of a savepoint made by open */
    bool finished;                  /* the restored checkpoint is a finished job's last one */
    const char *what;               /* "checkpoint" or "savepoint", for messages */
    char *where;                    /* the directory messages name */
    /* the records of the checkpoint being taken, gathered in the job's process (step 1) */
    eddy_strbuf *markers;           /* per sink: its commit marker */
    eddy_strbuf *positions;         /* per source: its position */
    bool offsets_warned;            /* a source's commit_offsets failed once (reported) */
    eddy_strbuf *op_wms;            /* per operator: its watermark record */
    eddy_strbuf *merge_wms;         /* per merge: its watermark record */
    /* the checkpoint in flight: its writer process (asynchronous checkpoints) */
    pid_t pid;                      /* the writer; 0: none in flight */
    int fd;                         /* read end of its report pipe (non-blocking), or -1 */
    uint64_t flight_id;             /* the checkpoint it writes */
    int64_t flight_t0;              /* mono_us() when that checkpoint began */
    unsigned char report[8 + EDDY_ERROR_MSG_MAX]; /* what it sent: code, length, message */
    size_t got;                     /* bytes of report read so far */
    bool eof;                       /* its pipe closed */
    pid_t zombie;                   /* a writer that reported, not reaped yet (0: none) */
    bool fork_failed;               /* fork() failed once: checkpoints in process since */
    /* test hooks (environment, read at open; see the header comment) */
    uint64_t test_delay_ms;         /* EDDY_CHECKPOINT_TEST_DELAY_MS */
    uint64_t test_kill;             /* EDDY_CHECKPOINT_TEST_KILL */
    bool test_orphan;               /* EDDY_CHECKPOINT_TEST_ORPHAN (every writer may outlive its
                                     * job now; kept so that the tests' setting stays valid) */
    eddy_checkpoint_stats stats;
};

static const char *const state_files[] = {"data.mdb", "lock.mdb", "LOCK"};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- records ---------------------------------------------------------------------------- */

static void put_u64(eddy_strbuf *b, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) eddy_strbuf_putc(b, (char)(unsigned char)(v >> (8 * i)));
}

static uint64_t get_u64(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void encode_wm(eddy_strbuf *b, const eddy_op *op)
{
    eddy_strbuf_clear(b);
    put_u64(b, (uint32_t)op->ninputs, 4);
    for (int i = 0; i < op->ninputs; i++) {
        put_u64(b, (uint64_t)op->input_wm[i], 8);
        eddy_strbuf_putc(b, (char)(op->input_idle[i] ? 1 : 0));
    }
    put_u64(b, (uint64_t)op->wm, 8);
    eddy_strbuf_putc(b, (char)(op->idle ? 1 : 0));
}

/* Restores op's watermarks from a record; returns false when it does not fit op. */
static bool decode_wm(eddy_op *op, const unsigned char *p, size_t n)
{
    if (n < 4) return false;
    uint64_t nin = get_u64(p, 4);
    if (nin != (uint64_t)op->ninputs || n != 4 + nin * 9 + 9) return false;
    p += 4;
    for (int i = 0; i < op->ninputs; i++, p += 9) {
        op->input_wm[i] = (int64_t)get_u64(p, 8);
        op->input_idle[i] = p[8] ? 1 : 0;
    }
    op->wm = (int64_t)get_u64(p, 8);
    op->idle = p[8] != 0;
    return true;
}

static void collect(const eddy_plan *p, const eddy_plan **nodes, int n)
{
    if (p->id < 0 || p->id >= n || nodes[p->id]) return;
    nodes[p->id] = p;
    for (int i = 0; i < p->ninputs; i++) collect(p->inputs[i], nodes, n);
}

char *eddy_checkpoint_plan_text(const eddy_job_plan *plan)
{
    int n = plan->nnodes;
    const eddy_plan **nodes = eddy_xcalloc((size_t)(n > 0 ? n : 1), sizeof *nodes);
    for (int i = 0; i < plan->nsinks; i++) collect(plan->sinks[i], nodes, n);
    eddy_strbuf b = {0};
    int nops = 0, nsrcs = 0;
    for (int id = 0; id < n; id++) {
        const eddy_plan *p = nodes[id];
        if (!p) continue;
        if (p->kind == EDDY_PLAN_SOURCE)
            eddy_strbuf_printf(&b, "source %d %s\n", nsrcs++, p->state_shape ? p->state_shape : "?");
        else if (p->state_shape)
            eddy_strbuf_printf(&b, "operator %d %s\n", nops++, p->state_shape);
    }
    free(nodes);
    return eddy_strbuf_take(&b);
}

/* ---- files and directories -------------------------------------------------------------- */

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Number of entries of dir other than "." and ".." (-1 when it cannot be read). */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
    closedir(d);
    return n;
}

static void remove_state_files(const char *dir)
{
    char path[8400];
    for (size_t i = 0; i < sizeof state_files / sizeof state_files[0]; i++) {
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, state_files[i]) >= sizeof path) continue;
        unlink(path);
    }
}

static int mkdirs(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(path, 0755) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) return -1;
    return 0;
}

/* Copies the file from to the new file to (written under a temporary name, fsync'd, renamed). */
static int copy_file(const char *from, const char *to, eddy_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.copying", to);
    int in = open(from, O_RDONLY);
    if (in < 0)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot read the savepoint file %s: %s", from,
                              strerror(errno));
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
        int e = errno;
        close(in);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot create %s: %s", tmp, strerror(e));
    }
    char buf[1 << 16];
    ssize_t n;
    int e = 0;
    while ((n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            e = errno;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR) continue;
                e = errno;
                break;
            }
            off += w;
        }
        if (e) break;
    }
    if (!e && fsync(out) != 0) e = errno;
    close(in);
    if (close(out) != 0 && !e) e = errno;
    if (!e && rename(tmp, to) != 0) e = errno;
    if (e) {
        unlink(tmp);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot copy the savepoint %s to %s: %s", from, to,
                              strerror(e));
    }
    return 0;
}

/* Puts the savepoint sp into the state directory dir, which must hold no checkpoint. */
static int copy_savepoint(const char *dir, const char *sp, eddy_error *err)
{
    char from[4096], to[4096];
    snprintf(from, sizeof from, "%s/data.mdb", sp);
    snprintf(to, sizeof to, "%s/data.mdb", dir);
    if (!exists(from))
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "no savepoint in %s (it has no data.mdb): give the directory that "
                              "--savepoint-dir wrote for this job (DIR/<job>)",
                              sp);
    char stale[4200];
    snprintf(stale, sizeof stale, "%s.copying", to);
    unlink(stale); /* an earlier copy that did not finish */
    if (exists(to) || dir_entries(dir) > 0) {
        /* the store says whether it is ours, locked or damaged, and what it holds */
        eddy_state *st;
        int rc = eddy_state_open(dir, &st, err);
        if (rc) return rc;
        uint64_t last = eddy_state_last_checkpoint(st);
        eddy_state_close(st);
        if (last > 0)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "state directory %s already holds checkpoint %llu of an earlier "
                                  "run: remove it to start from the savepoint %s, or leave out "
                                  "--from-savepoint to resume from that checkpoint",
                                  dir, (unsigned long long)last, sp);
        remove_state_files(dir);
    }
    if (mkdirs(dir) != 0)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot create the state directory %s: %s", dir,
                              strerror(errno));
    return copy_file(from, to, err);
}

/* ---- restore ---------------------------------------------------------------------------- */

/* Reads meta key into *val, *len; 0, EDDY_ENOTFOUND (err untouched) or an error. */
static int meta_get(eddy_state_txn *t, const char *key, const void **val, size_t *len, eddy_error *err)
{
    eddy_error e;
    eddy_error_clear(&e);
    int rc = eddy_state_meta_get(t, key, val, len, &e);
    if (rc == 0 || rc == EDDY_ENOTFOUND) return rc;
    return eddy_error_set(err, rc, 0, 0, "%s", e.msg);
}

/* Each sink's recover() with its marker of the checkpoint in t (NULL when it has none). */
static int recover_sinks(eddy_checkpointer *c, eddy_state_txn *t, eddy_error *err)
{
    int rc = 0;
    for (int k = 0; rc == 0 && k < c->nsinks; k++) {
        const eddy_checkpoint_sink *s = &c->sinks[k];
        if (!s->ops->recover) continue;
        char key[32];
        const void *val;
        size_t len;
        snprintf(key, sizeof key, "sink/%d", k);
        rc = meta_get(t, key, &val, &len, err);
        if (rc == EDDY_ENOTFOUND) rc = s->ops->recover(s->state, NULL, 0, err);
        else if (rc == 0) rc = s->ops->recover(s->state, val, len, err);
    }
    return rc;
}

/* The text of line i of a "plan" record ("operator 2 GroupAggregate ..."), or NULL. Returns a
 * pointer into text and the line's length. */
static const char *plan_line(const char *text, size_t n, int i, size_t *len)
{
    const char *p = text, *end = text + n;
    for (int k = 0; p < end; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (k == i) {
            *len = (size_t)(le - p);
            return p;
        }
        p = nl ? nl + 1 : end;
    }
    return NULL;
}

/* Splits "operator 2 Shape..." into its label ("operator 2") and its shape. */
static void split_line(const char *l, size_t n, int *label_len, const char **shape, int *shape_len)
{
    const char *sp1 = memchr(l, ' ', n);
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - l)) : NULL;
    if (!sp2) {
        *label_len = (int)n;
        *shape = l + n;
        *shape_len = 0;
        return;
    }
    *label_len = (int)(sp2 - l);
    *shape = sp2 + 1;
    *shape_len = (int)(n - (size_t)(sp2 + 1 - l));
}

/* Compares the stored "plan" with the query's; on a difference, an error naming the first. */
static int check_plan(const char *stored, size_t n, const char *mine, const char *what,
                      const char *where, eddy_error *err)
{
    size_t mlen = strlen(mine);
    const char *hint = strcmp(what, "savepoint") == 0
                           ? "start it with the query it was taken from, or run without "
                             "--from-savepoint"
                           : "run the query that wrote it, or remove that directory (or choose "
                             "another --state-dir) to start afresh";
    for (int i = 0;; i++) {
        size_t la = 0, lb = 0;
        const char *a = plan_line(stored, n, i, &la);
        const char *b = plan_line(mine, mlen, i, &lb);
        if (!a && !b) return 0;
        if (a && b && la == lb && memcmp(a, b, la) == 0) continue;
        int lla = 0, llb = 0, sla = 0, slb = 0;
        const char *sa = NULL, *sb = NULL;
        if (a) split_line(a, la, &lla, &sa, &sla);
        if (b) split_line(b, lb, &llb, &sb, &slb);
        if (a && b && lla == llb && memcmp(a, b, (size_t)lla) == 0)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "%s in %s does not match this query: %.*s was '%.*s', the "
                                  "query has '%.*s'; %s",
                                  what, where, lla, a, sla, sa, slb, sb, hint);
        if (a && b)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "%s in %s does not match this query: %.*s was '%.*s', the "
                                  "query has %.*s '%.*s' there; %s",
                                  what, where, lla, a, sla, sa, llb, b, slb, sb, hint);
        if (a)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "%s in %s does not match this query: %.*s was '%.*s', the "
                                  "query has none; %s",
                                  what, where, lla, a, sla, sa, hint);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "%s in %s does not match this query: the query has %.*s '%.*s', "
                              "which the %s does not; %s",
                              what, where, llb, b, slb, sb, what, hint);
    }
}

static int damaged(eddy_error *err, const char *what, const char *where, const char *detail)
{
    return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                          "%s in %s is damaged: %s; remove the directory to start afresh", what,
                          where, detail);
}

/* Checks the stored "plan" against the query's (a read transaction). */
static int check_stored_plan(eddy_checkpointer *c, const char *what, const char *where, eddy_error *err)
{
    eddy_state_txn *t;
    int rc = eddy_state_begin(c->st, EDDY_STATE_READ, &t, err);
    if (rc) return rc;
    const void *val;
    size_t len;
    rc = meta_get(t, "plan", &val, &len, err);
    if (rc == EDDY_ENOTFOUND) rc = damaged(err, what, where, "it has no plan record");
    if (rc == 0) rc = check_plan(val, len, c->plan_text, what, where, err);
    eddy_state_abort(t);
    return rc;
}

/* Restores the last checkpoint into the parts (the plan was checked at open). */
static int restore(eddy_checkpointer *c, const char *what, const char *where, eddy_error *err)
{
    eddy_state_txn *t;
    int rc = eddy_state_begin(c->st, EDDY_STATE_WRITE, &t, err);
    if (rc) return rc;
    const void *val;
    size_t len;
    char key[64], detail[160];

    rc = meta_get(t, FINISHED_KEY, &val, &len, err);
    if (rc == 0) {
        /* the job had ended by itself: only its last commit may be left to complete; no
         * operator or source is restored (that checkpoint holds none), the job ends at once */
        c->finished = true;
        rc = recover_sinks(c, t, err);
        eddy_state_abort(t);
        return rc;
    }
    if (rc != EDDY_ENOTFOUND) {
        eddy_state_abort(t);
        return rc;
    }
    rc = 0;
    for (int k = 0; rc == 0 && k < c->nops; k++) {
        snprintf(key, sizeof key, "op/%d.wm", k);
        rc = meta_get(t, key, &val, &len, err);
        if (rc == EDDY_ENOTFOUND || (rc == 0 && !decode_wm(c->ops[k], val, len))) {
            snprintf(detail, sizeof detail, "the watermarks of operator %d (%s) are %s", k,
                     c->ops[k]->ops->name, rc ? "missing" : "malformed");
            rc = damaged(err, what, where, detail);
        }
    }
    for (int k = 0; rc == 0 && k < c->nmerges; k++) {
        /* not part of "plan": a record that is missing or does not fit is left out */
        snprintf(key, sizeof key, "union/%d.wm", k);
        rc = meta_get(t, key, &val, &len, err);
        if (rc == 0) decode_wm(c->merges[k], val, len);
        if (rc == EDDY_ENOTFOUND) rc = 0;
    }
    for (int k = 0; rc == 0 && k < c->nops; k++) {
        eddy_op *op = c->ops[k];
        if (!op->ops->restore) continue;
        snprintf(key, sizeof key, "op/%d", k);
        eddy_state_db db;
        rc = eddy_state_db_open(t, key, &db, err);
        if (rc == 0) rc = op->ops->restore(op, &db, err);
    }
    for (int k = 0; rc == 0 && k < c->nsources; k++) {
        const eddy_checkpoint_source *s = &c->sources[k];
        snprintf(key, sizeof key, "source/%d", k);
        rc = meta_get(t, key, &val, &len, err);
        if (rc == EDDY_ENOTFOUND) {
            snprintf(detail, sizeof detail, "the position of source %d (table '%s') is missing", k,
                     s->plan->u.source.table);
            rc = damaged(err, what, where, detail);
        }
        if (rc == 0) rc = s->ops->seek(s->state, val, len, err);
    }
    if (rc == 0) rc = recover_sinks(c, t, err);
    eddy_state_abort(t);
    return rc;
}

/* ---- the coordinator -------------------------------------------------------------------- */

/* Waits for a writer that has ended or is about to (its report is in, or its pipe closed). */
static int reap(pid_t pid, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, 0);
        if (r == pid) return 1;
        if (r < 0 && errno == EINTR) continue;
        return 0; /* ECHILD: someone ignores SIGCHLD, the kernel reaped it */
    }
}

/* A writer that reported and was left to exit: reaped when it has (blocking: wait for it). */
static void reap_zombie(eddy_checkpointer *c, bool block)
{
    if (c->zombie <= 0) return;
    int status;
    pid_t r = waitpid(c->zombie, &status, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR) r = waitpid(c->zombie, &status, block ? 0 : WNOHANG);
    if (r != 0) c->zombie = 0; /* reaped, or not ours to reap (ECHILD) */
}

void eddy_checkpoint_close(eddy_checkpointer *c)
{
    if (!c) return;
    if (c->pid > 0) {
        /* a writer in flight ends with its transaction; the store is not closed under it, and
         * no writer outlives the checkpointer (nor holds the directory's lock after it) */
        close(c->fd);
        int status;
        reap(c->pid, &status);
        c->pid = 0;
    }
    reap_zombie(c, true);
    eddy_state_close(c->st);
    for (int i = 0; i < c->nsinks; i++) eddy_strbuf_free(&c->markers[i]);
    for (int i = 0; i < c->nsources; i++) eddy_strbuf_free(&c->positions[i]);
    for (int i = 0; i < c->nops; i++) eddy_strbuf_free(&c->op_wms[i]);
    for (int i = 0; i < c->nmerges; i++) eddy_strbuf_free(&c->merge_wms[i]);
    free(c->markers);
    free(c->positions);
    free(c->op_wms);
    free(c->merge_wms);
    free(c->ops);
    free(c->merges);
    free(c->sources);
    free(c->sinks);
    free(c->plan_text);
    free(c->dir);
    free(c->where);
    free(c);
}

static void *dup_array(const void *p, int n, size_t size)
{
    void *q = eddy_xcalloc((size_t)(n > 0 ? n : 1), size);
    if (n > 0) memcpy(q, p, (size_t)n * size);
    return q;
}

/* dir/spill (the spill store's files, spill.h) and then dir itself, when empty. */
static void remove_dir_of_state(const char *dir)
{
    char sp[4200], path[4300];
    snprintf(sp, sizeof sp, "%s/spill", dir);
    for (size_t i = 0; i < sizeof state_files / sizeof state_files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", sp, state_files[i]);
        unlink(path);
    }
    rmdir(sp);
    remove_state_files(dir);
    rmdir(dir);
}

void eddy_checkpoint_drop_copy(eddy_checkpointer *c)
{
    if (!c->from_savepoint) return;
    eddy_state_close(c->st);
    c->st = NULL;
    remove_dir_of_state(c->dir); /* with the spill store adopted from the savepoint */
}

static uint64_t env_u64(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : 0;
}

int eddy_checkpoint_open(const char *state_dir, const char *from_savepoint,
                         const eddy_job_plan *plan, eddy_checkpointer **out, eddy_error *err)
{
    *out = NULL;
    int rc = 0;
    if (from_savepoint && (rc = copy_savepoint(state_dir, from_savepoint, err))) return rc;
    eddy_state *st;
    if ((rc = eddy_state_open(state_dir, &st, err))) {
        if (from_savepoint) {
            remove_state_files(state_dir);
            rmdir(state_dir);
        }
        return rc;
    }
    eddy_checkpointer *c = eddy_xcalloc(1, sizeof *c);
    c->log = getenv("EDDY_CHECKPOINT_LOG") != NULL;
    const char *sync = getenv("EDDY_CHECKPOINT_SYNC");
    c->sync = sync && *sync && strcmp(sync, "0") != 0;
    c->test_delay_ms = env_u64("EDDY_CHECKPOINT_TEST_DELAY_MS");
    c->test_kill = env_u64("EDDY_CHECKPOINT_TEST_KILL");
    c->test_orphan = env_u64("EDDY_CHECKPOINT_TEST_ORPHAN") != 0;
    c->fd = -1;
    c->st = st;
    c->dir = eddy_xstrdup(state_dir);
    c->fingerprint = plan->fingerprint;
    c->plan_text = eddy_checkpoint_plan_text(plan);
    c->from_savepoint = from_savepoint != NULL;
    c->what = from_savepoint ? "savepoint" : "checkpoint";
    c->where = eddy_xstrdup(from_savepoint ? from_savepoint : state_dir);
    uint64_t last = eddy_state_last_checkpoint(st);
    c->stats.last_id = last;
    c->stats.restored = last;
    c->stats.bytes = eddy_state_size(st);
    if (last > 0 && (rc = check_stored_plan(c, c->what, c->where, err))) {
        eddy_checkpoint_drop_copy(c);
        eddy_checkpoint_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

int eddy_checkpoint_restore(eddy_checkpointer *c, const eddy_checkpoint_graph *g, eddy_error *err)
{
    for (int k = 0; k < g->nsources; k++)
        if (!g->sources[k].ops->position || !g->sources[k].ops->seek)
            return eddy_error_set(err, EDDY_ESTATE, g->sources[k].plan->line, g->sources[k].plan->col,
                                  "table '%s': connector '%s' cannot resume from a checkpoint "
                                  "(it keeps no position); run with --no-checkpoints",
                                  g->sources[k].plan->u.source.table,
                                  g->sources[k].plan->u.source.connector);
    c->ops = dup_array(g->ops, g->nops, sizeof *c->ops);
    c->nops = g->nops;
    c->merges = dup_array(g->merges, g->nmerges, sizeof *c->merges);
    c->nmerges = g->nmerges;
    c->sources = dup_array(g->sources, g->nsources, sizeof *c->sources);
    c->nsources = g->nsources;
    c->sinks = dup_array(g->sinks, g->nsinks, sizeof *c->sinks);
    c->nsinks = g->nsinks;
    c->spill = g->spill;
    c->markers = eddy_xcalloc((size_t)(g->nsinks > 0 ? g->nsinks : 1), sizeof *c->markers);
    c->positions = eddy_xcalloc((size_t)(g->nsources > 0 ? g->nsources : 1), sizeof *c->positions);
    c->op_wms = eddy_xcalloc((size_t)(g->nops > 0 ? g->nops : 1), sizeof *c->op_wms);
    c->merge_wms = eddy_xcalloc((size_t)(g->nmerges > 0 ? g->nmerges : 1), sizeof *c->merge_wms);
    int rc = 0;
    if (c->stats.restored > 0) {
        rc = restore(c, c->what, c->where, err);
    } else {
        for (int k = 0; rc == 0 && k < c->nsinks; k++)
            if (c->sinks[k].ops->recover) rc = c->sinks[k].ops->recover(c->sinks[k].state, NULL, 0, err);
    }
    if (rc) eddy_checkpoint_drop_copy(c);
    return rc;
}

bool eddy_checkpoint_finished(const eddy_checkpointer *c)
{
    return c->finished;
}

/* Step 1 of checkpoint id, in the job's process: the sinks' markers and, unless `finished` (a
 * finished job's last checkpoint stores only markers), the sources' positions, the watermark
 * records and each operator's checkpoint_begin. */
static int gather(eddy_checkpointer *c, uint64_t id, bool finished, eddy_error *err)
{
    int rc = 0;
    for (int k = 0; rc == 0 && k < c->nsinks; k++) {
        const eddy_checkpoint_sink *s = &c->sinks[k];
        eddy_strbuf_clear(&c->markers[k]);
        if (s->ops->prepare_commit) rc = s->ops->prepare_commit(s->state, id, &c->markers[k], err);
    }
    if (rc || finished) return rc;
    for (int k = 0; rc == 0 && k < c->nsources; k++) {
        const eddy_checkpoint_source *s = &c->sources[k];
        eddy_strbuf_clear(&c->positions[k]);
        rc = s->ops->position(s->state, &c->positions[k], err);
    }
    for (int k = 0; k < c->nops; k++) encode_wm(&c->op_wms[k], c->ops[k]);
    for (int k = 0; k < c->nmerges; k++) encode_wm(&c->merge_wms[k], c->merges[k]);
    for (int k = 0; rc == 0 && k < c->nops; k++)
        if (c->ops[k]->ops->checkpoint_begin) c->ops[k]->ops->checkpoint_begin(c->ops[k]);
    return rc;
}

/* Step 2: ONE write transaction into st (the job's store, or the writer's own environment on
 * the same directory), committed as checkpoint id. */
static int write_txn(eddy_checkpointer *c, eddy_state *st, uint64_t id, bool finished,
                     eddy_error *err)
{
    eddy_state_txn *t;
    int rc = eddy_state_begin(st, EDDY_STATE_WRITE, &t, err);
    if (rc) return rc;
    char key[64];
    for (int k = 0; rc == 0 && !finished && k < c->nops; k++) {
        eddy_op *op = c->ops[k];
        if (op->ops->snapshot) {
            eddy_state_db db;
            snprintf(key, sizeof key, "op/%d", k);
            rc = eddy_state_db_open(t, key, &db, err);
            if (rc == 0) rc = op->ops->snapshot(op, &db, err);
        }
        snprintf(key, sizeof key, "op/%d.wm", k);
        if (rc == 0) rc = eddy_state_meta_put(t, key, c->op_wms[k].s, c->op_wms[k].n, err);
    }
    for (int k = 0; rc == 0 && !finished && k < c->nmerges; k++) {
        snprintf(key, sizeof key, "union/%d.wm", k);
        rc = eddy_state_meta_put(t, key, c->merge_wms[k].s, c->merge_wms[k].n, err);
    }
    for (int k = 0; rc == 0 && !finished && k < c->nsources; k++) {
        snprintf(key, sizeof key, "source/%d", k);
        rc = eddy_state_meta_put(t, key, eddy_strbuf_cstr(&c->positions[k]), c->positions[k].n, err);
    }
    for (int k = 0; rc == 0 && k < c->nsinks; k++) {
        snprintf(key, sizeof key, "sink/%d", k);
        rc = eddy_state_meta_put(t, key, eddy_strbuf_cstr(&c->markers[k]), c->markers[k].n, err);
    }
    if (rc == 0) rc = eddy_state_meta_put(t, "plan", c->plan_text, strlen(c->plan_text), err);
    if (rc == 0) {
        eddy_strbuf b = {0};
        put_u64(&b, c->fingerprint, 8);
        rc = eddy_state_meta_put(t, "fingerprint", b.s, b.n, err);
        eddy_strbuf_free(&b);
    }
    if (rc == 0 && finished) rc = eddy_state_meta_put(t, FINISHED_KEY, "1", 1, err);
    if (rc) {
        eddy_state_abort(t);
        return rc;
    }
    return eddy_state_commit(t, id, err); /* frees t either way */
}

/* Step 2 until it fits: a full map (EDDY_ESTATE_FULL: the store has doubled it) runs the same
 * transaction again, with the same records, since snapshots are repeatable and markers are not. */
static int write_checkpoint(eddy_checkpointer *c, eddy_state *st, uint64_t id, bool finished,
                            eddy_error *err)
{
    int rc = write_txn(c, st, id, finished, err);
    for (int grown = 1; rc == EDDY_ESTATE_FULL; grown++) {
        if (grown > MAX_GROWTH) {
            char msg[EDDY_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            eddy_error_clear(err);
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "checkpoint %llu in %s did not fit the state store after its "
                                  "map grew %d times (%s); check the free disk space",
                                  (unsigned long long)id, c->dir, MAX_GROWTH, msg);
        }
        eddy_error_clear(err);
        rc = write_txn(c, st, id, finished, err);
    }
    return rc;
}

/* EDDY_CHECKPOINT_LOG: how long checkpoint id stopped the pipeline (a line of its own, which
 * the "checkpoint N: D ms, B bytes" readers skip). */
static void log_pause(const eddy_checkpointer *c, uint64_t id)
{
    fprintf(stderr, "eddy: checkpoint %llu paused the pipeline %.3f ms (%s)\n",
            (unsigned long long)id, (double)c->stats.last_pause_us / 1000.0,
            c->stats.last_async ? "asynchronous: prepare and fork" : "synchronous");
}

/* Step 3, in the job's process once checkpoint id is durable: checkpoint_done, the sinks'
 * commit(id), the figures. */
static int complete(eddy_checkpointer *c, uint64_t id, int64_t t0, bool finished, eddy_error *err)
{
    int rc = 0;
    c->stats.last_id = id;
    for (int k = 0; !finished && k < c->nops; k++)
        if (c->ops[k]->ops->checkpoint_done) c->ops[k]->ops->checkpoint_done(c->ops[k]);
    for (int k = 0; !finished && k < c->nsources; k++) {
        const eddy_checkpoint_source *s = &c->sources[k];
        if (!s->ops->commit_offsets) continue;
        eddy_error e;
        eddy_error_clear(&e);
        if (s->ops->commit_offsets(s->state, c->positions[k].s ? c->positions[k].s : "",
                                   c->positions[k].n, &e) != 0 && !c->offsets_warned) {
            c->offsets_warned = true; /* progress for outside tools only: the job goes on */
            fprintf(stderr, "eddy: warning: %s (reported once)\n", e.msg);
        }
    }
    for (int k = 0; rc == 0 && k < c->nsinks; k++) {
        const eddy_checkpoint_sink *s = &c->sinks[k];
        if (c->stats.last_async && s->ops->writer_commit)
            rc = s->ops->writer_commit(s->state, id, false, err); /* the writer wrote it */
        else if (s->ops->commit)
            rc = s->ops->commit(s->state, id, err);
    }
    c->stats.count++;
    c->stats.last_ms = (mono_us() - t0) / 1000;
    c->stats.bytes = eddy_state_size(c->st);
    if (c->log) { /* EDDY_CHECKPOINT_LOG=1: one line per checkpoint (bench/bench_nexmark reads
                   * them), and the pause of one written in process */
        fprintf(stderr, "eddy: checkpoint %llu: %lld ms, %llu bytes\n", (unsigned long long)id,
                (long long)c->stats.last_ms, (unsigned long long)c->stats.bytes);
        if (!c->stats.last_async) log_pause(c, id);
    }
    return rc;
}

/* The writer: a child of the job, on a copy-on-write image of its memory as of the fork. */
static _Noreturn void writer_main(eddy_checkpointer *c, uint64_t id, int fd, pid_t job_pid)
{
    /* A writer outlives a job that dies while it runs: it commits N and makes N's output
     * visible itself (sinks' writer_commit: print writes N's rows to the job's stdout, which it
     * keeps), so nothing of N is lost, and a restarted job waits for its lock (state.c) before
     * it restores N. */
    (void)job_pid;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        close(null);
    }
    /* Ctrl-C and the stop signals are the job's business: it waits for this writer */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    if (c->test_kill == id) raise(SIGKILL);
    if (c->test_delay_ms > 0) {
        struct timespec ts = {(time_t)(c->test_delay_ms / 1000),
                              (long)(c->test_delay_ms % 1000) * 1000000};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    }
    eddy_error err;
    eddy_error_clear(&err);
    eddy_state *st;
    int rc = eddy_state_open_child(c->st, &st, &err);
    if (rc == 0) {
        rc = write_checkpoint(c, st, id, false, &err);
        eddy_state_close(st);
    }
    for (int k = 0; rc == 0 && k < c->nsinks; k++) {
        const eddy_checkpoint_sink *s = &c->sinks[k];
        if (s->ops->writer_commit) rc = s->ops->writer_commit(s->state, id, true, &err);
    }
    size_t n = rc ? strlen(err.msg) : 0;
    unsigned char rep[8 + EDDY_ERROR_MSG_MAX];
    uint32_t code = (uint32_t)rc, len = (uint32_t)n;
    for (int i = 0; i < 4; i++) {
        rep[i] = (unsigned char)(code >> (8 * i));
        rep[4 + i] = (unsigned char)(len >> (8 * i));
    }
    memcpy(rep + 8, err.msg, n);
    for (size_t off = 0; off < 8 + n;) {
        ssize_t w = write(fd, rep + off, 8 + n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    _exit(rc ? 1 : 0); /* no atexit handlers, no stdio flush, no leak check: the job's */
}

/* Reads what the writer sent; 1 once its report is complete or its pipe closed, else 0. */
static int read_report(eddy_checkpointer *c)
{
    for (;;) {
        if (c->got >= 8) {
            uint32_t len = (uint32_t)get_u64(c->report + 4, 4);
            if (len > EDDY_ERROR_MSG_MAX || c->got >= 8 + (size_t)len) return 1;
        }
        ssize_t r = read(c->fd, c->report + c->got, sizeof c->report - c->got);
        if (r > 0) {
            c->got += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        c->eof = true; /* 0: the writer has exited (or closed its end); an error: give up too */
        return 1;
    }
}

/* The writer in flight has reported or ended: the checkpoint completes or fails. */
static int land(eddy_checkpointer *c, eddy_error *err)
{
    pid_t pid = c->pid;
    uint64_t id = c->flight_id;
    close(c->fd);
    c->fd = -1;
    c->pid = 0;
    bool reported = c->got >= 8 && c->got >= 8 + (size_t)get_u64(c->report + 4, 4);
    if (reported) {
        c->zombie = pid; /* reaped as soon as it has exited: the job does not wait for that */
        reap_zombie(c, false);
        int32_t code = (int32_t)(uint32_t)get_u64(c->report, 4);
        if (code != 0) {
            size_t len = (size_t)get_u64(c->report + 4, 4);
            return eddy_error_set(err, code, 0, 0, "%.*s", (int)len, (const char *)c->report + 8);
        }
        int rc = eddy_state_refresh(c->st, err);
        if (rc) return rc;
        if (eddy_state_last_checkpoint(c->st) != id)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "checkpoint %llu: its writer reported success, but the state "
                                  "store %s holds checkpoint %llu; restart the job",
                                  (unsigned long long)id, c->dir,
                                  (unsigned long long)eddy_state_last_checkpoint(c->st));
        return complete(c, id, c->flight_t0, false, err);
    }
    int status = 0;
    char how[160] = "ended without a report";
    if (reap(pid, &status)) {
        if (WIFSIGNALED(status))
            snprintf(how, sizeof how, "was killed by signal %d (%s)", WTERMSIG(status),
                     strsignal(WTERMSIG(status)));
        else if (WIFEXITED(status))
            snprintf(how, sizeof how, "exited with status %d without a report",
                     WEXITSTATUS(status));
    }
    return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                          "checkpoint %llu in %s was not written: its writer process (pid %d) "
                          "%s; the last completed checkpoint is still %llu, and a restart "
                          "resumes from it",
                          (unsigned long long)id, c->dir, (int)pid, how,
                          (unsigned long long)c->stats.last_id);
}

bool eddy_checkpoint_busy(const eddy_checkpointer *c)
{
    return c && c->pid > 0;
}

int eddy_checkpoint_poll(eddy_checkpointer *c, eddy_error *err)
{
    reap_zombie(c, false);
    if (c->pid <= 0 || !read_report(c)) return 0;
    return land(c, err);
}

int eddy_checkpoint_wait(eddy_checkpointer *c, eddy_error *err)
{
    if (c->pid <= 0) {
        reap_zombie(c, true);
        return 0;
    }
    while (!read_report(c)) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        poll(&p, 1, -1);
    }
    int rc = land(c, err);
    reap_zombie(c, true);
    return rc;
}

int eddy_checkpoint_run(eddy_checkpointer *c, eddy_error *err)
{
    int rc = eddy_checkpoint_wait(c, err);
    if (rc) return rc;
    int64_t t0 = mono_us();
    uint64_t id = c->stats.last_id + 1;
    rc = gather(c, id, false, err);
    if (rc == 0) rc = write_checkpoint(c, c->st, id, false, err);
    if (rc) return rc;
    c->stats.last_pause_us = mono_us() - t0;
    c->stats.last_async = false;
    return complete(c, id, t0, false, err);
}

#if defined(__SANITIZE_ADDRESS__)
#define EDDY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDDY_ASAN 1
#endif
#endif

/* Whether a forked writer could deadlock: AddressSanitizer's allocator takes no lock around
 * fork(), so a child forked while another thread (librdkafka's, another job's) holds one of
 * its locks waits for it forever at its first malloc. glibc's malloc and stdio reset their locks
 * in the child, so release builds fork from threaded processes safely. */
static bool fork_unsafe(void)
{
#ifdef EDDY_ASAN
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return true;
    char line[256];
    long threads = 2;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Threads:", 8) == 0) threads = strtol(line + 8, NULL, 10);
    fclose(f);
    return threads > 1;
#else
    return false;
#endif
}

int eddy_checkpoint_start(eddy_checkpointer *c, eddy_error *err)
{
    if (c->pid > 0) return 0; /* one at a time: the caller polls */
    if (c->sync || c->fork_failed || fork_unsafe()) return eddy_checkpoint_run(c, err);
    reap_zombie(c, true); /* the last writer exited long ago */
    int64_t t0 = mono_us();
    uint64_t id = c->stats.last_id + 1;
    int rc = gather(c, id, false, err);
    if (rc) return rc;
    int fds[2], e = 0;
    pid_t pid = -1;
    if (pipe2(fds, O_CLOEXEC) == 0) {
        pid = fork();
        if (pid == 0) {
            close(fds[0]);
            writer_main(c, id, fds[1], getppid());
        }
        e = errno;
        close(fds[1]);
        if (pid < 0) close(fds[0]);
    } else {
        e = errno;
    }
    if (pid < 0) {
        /* no process to spare (EAGAIN, ENOMEM): this and later checkpoints in process */
        fprintf(stderr, "eddy: cannot start a checkpoint writer process (%s); checkpoints of %s "
                        "are written by the job itself from now on\n",
                strerror(e), c->dir);
        c->fork_failed = true;
        rc = write_checkpoint(c, c->st, id, false, err);
        if (rc) return rc;
        c->stats.last_pause_us = mono_us() - t0;
        c->stats.last_async = false;
        return complete(c, id, t0, false, err);
    }
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    c->pid = pid;
    c->fd = fds[0];
    c->flight_id = id;
    c->flight_t0 = t0;
    c->got = 0;
    c->eof = false;
    c->stats.last_pause_us = mono_us() - t0;
    c->stats.last_async = true;
    if (c->log) log_pause(c, id);
    return 0;
}

int eddy_checkpoint_check_savepoint_dir(const char *dst, eddy_error *err)
{
    DIR *d = opendir(dst);
    if (!d) {
        if (errno == ENOENT) return 0;
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot use the savepoint directory %s: %s",
                              dst, strerror(errno));
    }
    bool other = false;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strcmp(e->d_name, "data.mdb") != 0 && strcmp(e->d_name, "spill") != 0)
            other = true;
    closedir(d);
    if (other)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "the savepoint directory %s holds other files than a savepoint: "
                              "remove them or choose another --savepoint-dir",
                              dst);
    return 0;
}

/* dir/.name<suffix> for a path dir/name (a hidden sibling). */
static void sibling(const char *path, const char *suffix, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(out, n, "%.*s/.%s%s", (int)(slash - path), path, slash + 1, suffix);
    else
        snprintf(out, n, ".%s%s", path, suffix);
}

int eddy_checkpoint_savepoint(eddy_checkpointer *c, const char *dst, eddy_error *err)
{
    int rc = eddy_checkpoint_check_savepoint_dir(dst, err);
    if (rc == 0) rc = eddy_checkpoint_wait(c, err);
    if (rc) return rc;
    /* written beside dst first, so that an earlier savepoint is replaced only by a whole one */
    char fresh[4200], old[4200];
    sibling(dst, ".writing", fresh, sizeof fresh);
    sibling(dst, ".old", old, sizeof old);
    remove_dir_of_state(fresh);
    remove_dir_of_state(old);
    if ((rc = eddy_state_copy(c->st, fresh, err))) return rc;
    if ((rc = eddy_spill_copy(c->spill, fresh, err))) { /* the runs the checkpoint names */
        remove_dir_of_state(fresh);
        return rc;
    }
    bool had = exists(dst);
    if ((had && rename(dst, old) != 0) || rename(fresh, dst) != 0) {
        int e = errno;
        if (had && !exists(dst)) rename(old, dst);
        remove_dir_of_state(fresh);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot put the savepoint in place at %s: %s",
                              dst, strerror(e));
    }
    if (had) remove_dir_of_state(old);
    return 0;
}

/* The checkpoint in flight is superseded (the job has ended, and its last checkpoint follows):
 * its writer is killed, as a crash would, and what it got to is read back. Either it had
 * committed (the store holds it; its commit() is left to the next checkpoint, whose markers
 * list the same output again) or not (the sinks' prepared output is listed by the next
 * markers). Not waiting spares the end of a job the whole writing of a snapshot nobody needs. */
static int abandon(eddy_checkpointer *c, eddy_error *err)
{
    reap_zombie(c, true);
    if (c->pid <= 0) return 0;
    kill(c->pid, SIGKILL);
    close(c->fd);
    c->fd = -1;
    int status;
    reap(c->pid, &status);
    c->pid = 0;
    int rc = eddy_state_refresh(c->st, err);
    if (rc == 0 && eddy_state_last_checkpoint(c->st) > c->stats.last_id)
        c->stats.last_id = eddy_state_last_checkpoint(c->st);
    return rc;
}

int eddy_checkpoint_finish(eddy_checkpointer *c, eddy_error *err)
{
    int rc = abandon(c, err);
    if (rc) return rc;
    if (!c->finished) {
        /* the sinks' last commit; the operators' state is of no more use, so it is not
         * written: the "finished" record tells a restart to complete the commit and end */
        int64_t t0 = mono_us();
        uint64_t id = c->stats.last_id + 1;
        rc = gather(c, id, true, err);
        if (rc == 0) rc = write_checkpoint(c, c->st, id, true, err);
        if (rc) return rc;
        c->stats.last_pause_us = mono_us() - t0;
        c->stats.last_async = false;
        if ((rc = complete(c, id, t0, true, err))) return rc;
    }
    eddy_state_close(c->st);
    c->st = NULL;
    eddy_spill_remove(c->spill);
    remove_state_files(c->dir);
    rmdir(c->dir); /* only when empty: a directory that holds anything else stays */
    return 0;
}

void eddy_checkpoint_get_stats(const eddy_checkpointer *c, eddy_checkpoint_stats *s)
{
    *s = c->stats;
}

/* ---- intervals -------------------------------------------------------------------------- */

int eddy_checkpoint_parse_interval(const char *text, int64_t *ms)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {
        {"", 1},           {"ms", 1},          {"milli", 1},      {"millis", 1},
        {"millisecond", 1}, {"milliseconds", 1}, {"s", 1000},      {"sec", 1000},
        {"secs", 1000},     {"second", 1000},   {"seconds", 1000}, {"m", 60000},
        {"min", 60000},     {"mins", 60000},    {"minute", 60000}, {"minutes", 60000},
        {"h", 3600000},     {"hour", 3600000},  {"hours", 3600000}, {"d", 86400000},
        {"day", 86400000},  {"days", 86400000},
    };
    if (!text) return -1;
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    if (!isdigit((unsigned char)*p)) return -1;
    int64_t v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (INT64_MAX - 9) / 10) return -1;
        v = v * 10 + (*p - '0');
    }
    while (isspace((unsigned char)*p)) p++;
    const char *u = p;
    while (isalpha((unsigned char)*p)) p++;
    size_t ul = (size_t)(p - u);
    while (isspace((unsigned char)*p)) p++;
    if (*p) return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strlen(units[i].name) != ul || strncasecmp(units[i].name, u, ul) != 0) continue;
        if (v > INT64_MAX / units[i].ms) return -1;
        *ms = v * units[i].ms;
        return 0;
    }
    return -1;
}
