/*
 * state.c: the job's durable state store on LMDB (see state.h for the contract and the layout).
 *
 * One MDB_env per state directory, opened with MDB_NOTLS (read transactions are not tied to a
 * thread slot, so a copy or a second read transaction on the job's thread never collides with
 * an open one) and LMDB's default durability: every commit is fsync'd.
 *
 * Opening checks, in this order, and touches nothing until a check passes:
 *   1. the directory (created with its parents when missing);
 *   2. no data.mdb and anything besides LOCK / lock.mdb in it: a foreign directory;
 *   3. an exclusive non-blocking flock on DIR/LOCK, which then holds our pid;
 *   4. data.mdb: empty (0 bytes), rejected by LMDB, or shorter than the pages its meta page
 *      claims (a truncated file would otherwise fault with SIGBUS on first read): damaged;
 *   5. the unnamed database: empty means a new store ("format" is written), else the "meta"
 *      database must exist and hold our "format".
 * A failed open removes what it created (LOCK, lock.mdb, data.mdb, the directory itself).
 *
 * Named databases: LMDB hands out a dbi per name; a dbi opened by a transaction that aborts is
 * closed again, one opened by a transaction that commits stays valid for the environment. The
 * store keeps a table of the names it has opened: entries of the environment (valid for any
 * later transaction) and entries still owned by the open transaction that created them. A
 * second eddy_state_db_open of the same name is a table lookup, not an mdb_dbi_open. Read
 * transactions end with mdb_txn_commit so that the dbis they opened stay too. LMDB's rule that
 * only one transaction at a time may open dbis is checked (st->opener).
 *
 * The map: 1 GiB at first, doubled by eddy_state_begin(WRITE) while more than half of it is in
 * use. MDB_MAP_FULL inside a write transaction (put, del, clear, db_open, commit) aborts the
 * LMDB transaction at once, doubles the map and returns EDDY_ESTATE_FULL; the eddy_state_txn
 * stays allocated (every further call on it returns the same code) until the caller ends it
 * with eddy_state_abort or eddy_state_commit. Growing needs every transaction of the process
 * ended (mdb_env_set_mapsize remaps), so growth with a read transaction open is an error.
 *
 * Two processes on one store (asynchronous checkpoints, checkpoint.c): the job forks a writer
 * that opens its own environment on the directory (eddy_state_open_child: no flock taken, it
 * holds the job's through the inherited descriptor; LMDB's lock.mdb coordinates the two
 * environments as it does any two processes) and commits one checkpoint, while the job's own
 * environment holds no transaction. The writer may grow the map: the job's next
 * mdb_txn_begin then says MDB_MAP_RESIZED, and begin_mdb adopts the new size
 * (mdb_env_set_mapsize(env, 0)) and begins again. eddy_state_refresh reads the checkpoint id the
 * writer recorded. A lock held although the pid in LOCK is gone is such a writer outliving its
 * job (killed): an open waits for it (up to ORPHAN_WAIT_MS) instead of refusing.
 *
 * Test hook: the environment variable EDDY_STATE_TEST_MAPSIZE (bytes, decimal) replaces the
 * initial 1 GiB map, so that tests can reach MDB_MAP_FULL with a few hundred kilobytes.
 */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lmdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/arena.h"

#define FORMAT "eddy-state 1"
#define MAXDBS 1024                   /* named databases per environment (at least 256) */
#define INITIAL_MAP ((size_t)1 << 30) /* 1 GiB of address space */
#define MIB(n) ((n) >> 20)
#define ORPHAN_WAIT_MS 30000          /* how long an open waits for an orphaned writer's lock */

/* A named database the store has opened. */
typedef struct dbname {
    char *name;            /* the database's name (owned) */
    MDB_dbi dbi;           /* LMDB's handle */
    eddy_state_txn *owner; /* the open transaction that created the handle; NULL: the
                            * environment's (committed) */
} dbname;

struct eddy_state {
    char *dir;       /* the state directory as given */
    char *data_path; /* DIR/data.mdb */
    int lock_fd;     /* DIR/LOCK, flock'd */
    MDB_env *env;
    MDB_dbi meta;     /* the "meta" database */
    size_t mapsize;   /* current map size in bytes */
    uint64_t last_cp; /* last completed checkpoint (0: none) */
    int64_t last_at;  /* its wall-clock ms */
    dbname *names;    /* opened named databases */
    int nnames, cap_names;
    eddy_state_txn *txns;   /* open transactions (a list, for close) */
    eddy_state_txn *writer; /* the open write transaction, if any */
    eddy_state_txn *opener; /* the open transaction that called mdb_dbi_open, if any */
    int nread;              /* open read transactions */
};

struct eddy_state_txn {
    eddy_state *st;
    MDB_txn *t;                  /* NULL once LMDB's transaction has ended after an error */
    int mode;                    /* EDDY_STATE_READ or EDDY_STATE_WRITE */
    int dead;                    /* when t is NULL: the code every further call returns */
    eddy_state_txn *prev, *next; /* st->txns */
};

/* ---------------------------------------------------------------- small helpers */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put_le64(unsigned char out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char in[8])
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | in[i];
    return v;
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = eddy_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static bool exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* mkdir -p; *created tells whether the last component was made here. 0 or an errno. */
static int mkdir_p(const char *dir, bool *created)
{
    *created = false;
    char *p = eddy_xstrdup(dir);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = 0;
    int rc = 0;
    for (char *s = p + 1;; s++) {
        bool last = *s == 0;
        if (*s != '/' && !last) continue;
        *s = 0;
        if (mkdir(p, 0755) == 0) {
            if (last) *created = true;
        } else if (errno != EEXIST) {
            rc = errno;
            break;
        }
        if (last) break;
        *s = '/';
    }
    free(p);
    if (rc) return rc;
    struct stat sb;
    if (stat(dir, &sb) != 0) return errno;
    return S_ISDIR(sb.st_mode) ? 0 : ENOTDIR;
}

/* 1 when dir holds an entry whose name is not in allowed (NULL-terminated), 0 when not, or a
 * negative errno. */
static int has_other_entries(const char *dir, const char *const *allowed)
{
    DIR *d = opendir(dir);
    if (!d) return -errno;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        found = 1;
        for (int i = 0; allowed && allowed[i]; i++)
            if (!strcmp(e->d_name, allowed[i])) found = 0;
    }
    closedir(d);
    return found;
}

static int fsync_path(const char *path, bool directory)
{
    int fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) return errno;
    int rc = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

static size_t initial_mapsize(void)
{
    const char *s = getenv("EDDY_STATE_TEST_MAPSIZE");
    if (s && *s) {
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (*end == 0 && v >= 65536) return (size_t)v;
    }
    return INITIAL_MAP;
}

/* pages in use * page size */
static uint64_t used_bytes(MDB_env *env)
{
    MDB_envinfo info;
    MDB_stat ms;
    if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &ms) != 0) return 0;
    return ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
}

/* Sets the map to `size` bytes; every transaction of the process must have ended. */
static int set_mapsize(eddy_state *st, size_t size, eddy_error *err)
{
    if (st->nread > 0 || st->writer)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: its map of %zu MiB is full and cannot grow while "
                              "a transaction is open; end read transactions before writing",
                              st->dir, MIB(st->mapsize));
    int rc = mdb_env_set_mapsize(st->env, size);
    if (rc)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: cannot grow its map to %zu MiB: %s", st->dir,
                              MIB(size), mdb_strerror(rc));
    st->mapsize = size;
    return 0;
}

/* ---------------------------------------------------------------- the name table */

static dbname *name_find(eddy_state *st, const char *name, eddy_state_txn *txn)
{
    for (int i = 0; i < st->nnames; i++) {
        dbname *d = &st->names[i];
        if ((d->owner == NULL || d->owner == txn) && !strcmp(d->name, name)) return d;
    }
    return NULL;
}

static const char *name_of(const eddy_state *st, MDB_dbi dbi)
{
    for (int i = 0; i < st->nnames; i++)
        if (st->names[i].dbi == dbi) return st->names[i].name;
    return dbi == st->meta ? "meta" : "?";
}

static void name_add(eddy_state *st, const char *name, MDB_dbi dbi, eddy_state_txn *owner)
{
    if (st->nnames == st->cap_names) {
        st->cap_names = st->cap_names ? 2 * st->cap_names : 16;
        st->names = eddy_xrealloc(st->names, (size_t)st->cap_names * sizeof *st->names);
    }
    st->names[st->nnames++] = (dbname){eddy_xstrdup(name), dbi, owner};
}

/* The LMDB transaction of txn ended: its dbis stay (kept) or are gone. */
static void names_settle(eddy_state *st, eddy_state_txn *txn, bool kept)
{
    int j = 0;
    for (int i = 0; i < st->nnames; i++) {
        dbname d = st->names[i];
        if (d.owner == txn) {
            if (!kept) {
                free(d.name);
                continue;
            }
            d.owner = NULL;
        }
        st->names[j++] = d;
    }
    st->nnames = j;
    if (st->opener == txn) st->opener = NULL;
}

/* ---------------------------------------------------------------- transactions */

/* Ends LMDB's transaction of txn (commit keeps the dbis it opened, abort drops them); for a
 * write transaction returns mdb_txn_commit's code. The eddy_state_txn stays. */
static int end_mdb(eddy_state_txn *txn, bool commit)
{
    if (!txn->t) return 0;
    int rc = 0;
    if (commit)
        rc = mdb_txn_commit(txn->t);
    else
        mdb_txn_abort(txn->t);
    txn->t = NULL;
    names_settle(txn->st, txn, commit && rc == 0);
    if (txn->mode == EDDY_STATE_READ) txn->st->nread--;
    return rc;
}

static void txn_free(eddy_state_txn *txn)
{
    eddy_state *st = txn->st;
    if (txn->prev)
        txn->prev->next = txn->next;
    else
        st->txns = txn->next;
    if (txn->next) txn->next->prev = txn->prev;
    if (st->writer == txn) st->writer = NULL;
    free(txn);
}

/* After a failed mdb_* call in txn: a full map in a write transaction aborts it, doubles the
 * map and returns EDDY_ESTATE_FULL; anything else is EDDY_ESTATE with LMDB's message. */
static int txn_fail(eddy_state_txn *txn, int rc, eddy_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int txn_fail(eddy_state_txn *txn, int rc, eddy_error *err, const char *fmt, ...)
{
    eddy_state *st = txn->st;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (rc == MDB_MAP_FULL && txn->mode == EDDY_STATE_WRITE) {
        end_mdb(txn, false);
        txn->dead = EDDY_ESTATE_FULL;
        size_t old = st->mapsize;
        eddy_state_txn *w = st->writer;
        st->writer = NULL; /* LMDB's write transaction is gone: the map may be resized */
        int grc = set_mapsize(st, old * 2, err);
        st->writer = w;
        if (grc) return txn->dead = grc;
        return eddy_error_set(err, EDDY_ESTATE_FULL, 0, 0,
                              "state store %s: the map of %zu MiB was full while %s; it has "
                              "been grown to %zu MiB: run the checkpoint again",
                              st->dir, MIB(old), what, MIB(st->mapsize));
    }
    return eddy_error_set(err, EDDY_ESTATE, 0, 0, "state store %s: %s: %s", st->dir, what,
                          mdb_strerror(rc));
}

/* 0 when txn can be used (for writing when `write`), else the error to return. */
static int txn_usable(eddy_state_txn *txn, bool write, const char *what, eddy_error *err)
{
    if (!txn)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "state store: %s without a transaction",
                              what);
    if (!txn->t)
        return eddy_error_set(err, txn->dead, 0, 0,
                              "state store %s: %s in a transaction that was aborted after an "
                              "earlier error; end it and begin a new one",
                              txn->st->dir, what);
    if (write && txn->mode != EDDY_STATE_WRITE)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: %s needs a write transaction", txn->st->dir, what);
    return 0;
}

/* mdb_txn_begin; when another process (a checkpoint writer, checkpoint.c) has grown the map
 * beyond ours (MDB_MAP_RESIZED) and no transaction of ours is open, adopts its size and
 * begins again. */
static int begin_mdb(eddy_state *st, unsigned flags, MDB_txn **t)
{
    int rc = mdb_txn_begin(st->env, NULL, flags, t);
    if (rc != MDB_MAP_RESIZED || st->nread > 0 || st->writer) return rc;
    rc = mdb_env_set_mapsize(st->env, 0); /* 0: the size the newest meta page records */
    if (rc) return rc;
    MDB_envinfo info;
    if (mdb_env_info(st->env, &info) == 0) st->mapsize = info.me_mapsize;
    return mdb_txn_begin(st->env, NULL, flags, t);
}

int eddy_state_begin(eddy_state *st, int mode, eddy_state_txn **out, eddy_error *err)
{
    *out = NULL;
    bool write = mode == EDDY_STATE_WRITE;
    if (write && st->writer)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: a write transaction is already open; commit or "
                              "abort it first",
                              st->dir);
    if (write && st->nread == 0) {
        uint64_t used = used_bytes(st->env);
        size_t size = st->mapsize;
        while (used > size / 2)
            size *= 2;
        if (size != st->mapsize) {
            int rc = set_mapsize(st, size, err);
            if (rc) return rc;
        }
    }
    MDB_txn *t;
    int rc = begin_mdb(st, write ? 0 : MDB_RDONLY, &t);
    if (rc)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: cannot begin a %s transaction: %s%s", st->dir,
                              write ? "write" : "read", mdb_strerror(rc),
                              rc == MDB_PANIC ? " (close the store and open it again)" : "");
    eddy_state_txn *txn = eddy_xcalloc(1, sizeof *txn);
    txn->st = st;
    txn->t = t;
    txn->mode = write ? EDDY_STATE_WRITE : EDDY_STATE_READ;
    txn->next = st->txns;
    if (st->txns) st->txns->prev = txn;
    st->txns = txn;
    if (write)
        st->writer = txn;
    else
        st->nread++;
    *out = txn;
    return 0;
}

void eddy_state_abort(eddy_state_txn *txn)
{
    if (!txn) return;
    /* a read transaction ends by commit so that the dbis it opened stay valid */
    end_mdb(txn, txn->mode == EDDY_STATE_READ);
    txn_free(txn);
}

int eddy_state_commit(eddy_state_txn *txn, uint64_t checkpoint, eddy_error *err)
{
    int rc = txn_usable(txn, true, "commit", err);
    if (rc) {
        eddy_state_abort(txn);
        return rc;
    }
    eddy_state *st = txn->st;
    if (checkpoint <= st->last_cp) {
        eddy_state_abort(txn);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: checkpoint %" PRIu64 " is not after the last "
                              "completed one (%" PRIu64 "); nothing was written",
                              st->dir, checkpoint, st->last_cp);
    }
    unsigned char id[8], at[8];
    int64_t ms = now_ms();
    put_le64(id, checkpoint);
    put_le64(at, (uint64_t)ms);
    MDB_val k = {strlen("checkpoint"), "checkpoint"}, v = {8, id};
    int mrc = mdb_put(txn->t, st->meta, &k, &v, 0);
    if (mrc == 0) {
        k = (MDB_val){strlen("checkpoint.at"), "checkpoint.at"};
        v = (MDB_val){8, at};
        mrc = mdb_put(txn->t, st->meta, &k, &v, 0);
    }
    if (mrc) {
        rc = txn_fail(txn, mrc, err, "recording checkpoint %" PRIu64, checkpoint);
        eddy_state_abort(txn);
        return rc;
    }
    mrc = end_mdb(txn, true); /* LMDB frees its transaction on failure too */
    if (mrc == MDB_MAP_FULL) {
        txn->t = NULL;
        rc = txn_fail(txn, mrc, err, "committing checkpoint %" PRIu64, checkpoint);
    } else if (mrc) {
        rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                            "state store %s: checkpoint %" PRIu64 " could not be written: %s; "
                            "the last completed checkpoint is still %" PRIu64
                            " (free disk space or fix the device, then restart the job)",
                            st->dir, checkpoint, mdb_strerror(mrc), st->last_cp);
    } else {
        st->last_cp = checkpoint;
        st->last_at = ms;
    }
    txn_free(txn);
    return rc;
}

/* ---------------------------------------------------------------- named databases */

int eddy_state_db_open(eddy_state_txn *txn, const char *name, eddy_state_db *db, eddy_error *err)
{
    int rc = txn_usable(txn, false, "opening a database", err);
    if (rc) return rc;
    eddy_state *st = txn->st;
    db->txn = txn;
    db->dbi = 0;
    if (!name || !*name || !strcmp(name, "meta"))
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: '%s' is not a name for an operator's database "
                              "('meta' is the store's own: use eddy_state_meta_put/get)",
                              st->dir, name ? name : "");
    dbname *d = name_find(st, name, txn);
    if (d) {
        db->dbi = d->dbi;
        return 0;
    }
    if (st->opener && st->opener != txn)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: cannot open database '%s' while another open "
                              "transaction has opened databases; end that one first",
                              st->dir, name);
    MDB_dbi dbi;
    int mrc = mdb_dbi_open(txn->t, name, txn->mode == EDDY_STATE_WRITE ? MDB_CREATE : 0, &dbi);
    if (mrc == MDB_NOTFOUND) return EDDY_ENOTFOUND;
    if (mrc) return txn_fail(txn, mrc, err, "opening database '%s'", name);
    st->opener = txn;
    name_add(st, name, dbi, txn);
    db->dbi = dbi;
    return 0;
}

int eddy_state_clear(eddy_state_db *db, eddy_error *err)
{
    int rc = txn_usable(db->txn, true, "clearing a database", err);
    if (rc) return rc;
    int mrc = mdb_drop(db->txn->t, db->dbi, 0);
    if (mrc)
        return txn_fail(db->txn, mrc, err, "clearing database '%s'", name_of(db->txn->st, db->dbi));
    return 0;
}

int eddy_state_put(eddy_state_db *db, const void *key, size_t klen, const void *val, size_t vlen,
                   eddy_error *err)
{
    int rc = txn_usable(db->txn, true, "writing a key", err);
    if (rc) return rc;
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int mrc = mdb_put(db->txn->t, db->dbi, &k, &v, 0);
    if (mrc == MDB_BAD_VALSIZE)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: database '%s': a key of %zu bytes is empty or "
                              "longer than LMDB's limit of %d bytes",
                              db->txn->st->dir, name_of(db->txn->st, db->dbi), klen,
                              mdb_env_get_maxkeysize(db->txn->st->env));
    if (mrc)
        return txn_fail(db->txn, mrc, err,
                        "writing a key of %zu bytes and a value of %zu bytes "
                        "into database '%s'",
                        klen, vlen, name_of(db->txn->st, db->dbi));
    return 0;
}

int eddy_state_del(eddy_state_db *db, const void *key, size_t klen, eddy_error *err)
{
    int rc = txn_usable(db->txn, true, "deleting a key", err);
    if (rc) return rc;
    MDB_val k = {klen, (void *)key};
    int mrc = mdb_del(db->txn->t, db->dbi, &k, NULL);
    if (mrc == MDB_NOTFOUND || mrc == MDB_BAD_VALSIZE) return 0; /* no such key */
    if (mrc)
        return txn_fail(db->txn, mrc, err, "deleting a key of %zu bytes from database '%s'", klen,
                        name_of(db->txn->st, db->dbi));
    return 0;
}

int eddy_state_get(eddy_state_db *db, const void *key, size_t klen, const void **val, size_t *vlen,
                   eddy_error *err)
{
    int rc = txn_usable(db->txn, false, "reading a key", err);
    if (rc) return rc;
    MDB_val k = {klen, (void *)key}, v;
    int mrc = mdb_get(db->txn->t, db->dbi, &k, &v);
    if (mrc == MDB_NOTFOUND || mrc == MDB_BAD_VALSIZE) return EDDY_ENOTFOUND;
    if (mrc)
        return txn_fail(db->txn, mrc, err, "reading database '%s'", name_of(db->txn->st, db->dbi));
    *val = v.mv_data;
    *vlen = v.mv_size;
    return 0;
}

int eddy_state_scan(eddy_state_db *db, const void *from, size_t fromlen, eddy_state_visit visit,
                    void *ctx, eddy_error *err)
{
    int rc = txn_usable(db->txn, false, "scanning a database", err);
    if (rc) return rc;
    eddy_state *st = db->txn->st;
    MDB_cursor *c;
    int mrc = mdb_cursor_open(db->txn->t, db->dbi, &c);
    if (mrc) return txn_fail(db->txn, mrc, err, "scanning database '%s'", name_of(st, db->dbi));
    MDB_val k = {fromlen, (void *)from}, v;
    MDB_cursor_op op = from && fromlen ? MDB_SET_RANGE : MDB_FIRST;
    while ((mrc = mdb_cursor_get(c, &k, &v, op)) == 0) {
        int r = visit(ctx, k.mv_data, k.mv_size, v.mv_data, v.mv_size, err);
        if (r) {
            mdb_cursor_close(c);
            if (r > 0) return 0;
            return eddy_error_set(err, r, 0, 0, "state store %s: scanning database '%s' failed: %s",
                                  st->dir, name_of(st, db->dbi), eddy_strerror(r));
        }
        op = MDB_NEXT;
    }
    mdb_cursor_close(c);
    if (mrc != MDB_NOTFOUND)
        return txn_fail(db->txn, mrc, err, "scanning database '%s'", name_of(st, db->dbi));
    return 0;
}

/* ---------------------------------------------------------------- meta */

static bool reserved_meta(const char *key)
{
    return !strcmp(key, "format") || !strcmp(key, "checkpoint") || !strcmp(key, "checkpoint.at");
}

int eddy_state_meta_put(eddy_state_txn *txn, const char *key, const void *val, size_t vlen,
                        eddy_error *err)
{
    int rc = txn_usable(txn, true, "writing meta", err);
    if (rc) return rc;
    if (!key || !*key || reserved_meta(key))
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: meta key '%s' is reserved or empty; "
                              "eddy_state_commit writes the checkpoint keys",
                              txn->st->dir, key ? key : "");
    MDB_val k = {strlen(key), (void *)key}, v = {vlen, (void *)val};
    int mrc = mdb_put(txn->t, txn->st->meta, &k, &v, 0);
    if (mrc) return txn_fail(txn, mrc, err, "writing meta key '%s'", key);
    return 0;
}

int eddy_state_meta_get(eddy_state_txn *txn, const char *key, const void **val, size_t *vlen,
                        eddy_error *err)
{
    int rc = txn_usable(txn, false, "reading meta", err);
    if (rc) return rc;
    MDB_val k = {strlen(key), (void *)key}, v;
    int mrc = mdb_get(txn->t, txn->st->meta, &k, &v);
    if (mrc == MDB_NOTFOUND || mrc == MDB_BAD_VALSIZE) return EDDY_ENOTFOUND;
    if (mrc) return txn_fail(txn, mrc, err, "reading meta key '%s'", key);
    *val = v.mv_data;
    *vlen = v.mv_size;
    return 0;
}

/* ---------------------------------------------------------------- open and close */

static int damaged(eddy_error *err, const eddy_state *st, const char *why)
{
    return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                          "state file %s is damaged (%s): the state is damaged and cannot be "
                          "restored; resume from a savepoint (--from-savepoint) into a new "
                          "--state-dir, or remove %s to start over",
                          st->data_path, why, st->dir);
}

static bool lmdb_rejects(int rc)
{
    return rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_VERSION_MISMATCH ||
           rc == MDB_PAGE_NOTFOUND || rc == MDB_INCOMPATIBLE || rc == MDB_BAD_DBI ||
           rc == MDB_PANIC;
}

/* Takes DIR/LOCK and writes our pid into it. */
static int take_lock(eddy_state *st, const char *lock_path, eddy_error *err)
{
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "cannot open the lock file %s: %s; check the permissions of the "
                              "--state-dir",
                              lock_path, strerror(errno));
    int wait_ms = 0;
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char buf[32] = {0};
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        long pid = n > 0 ? strtol(buf, NULL, 10) : 0;
        if (e == EWOULDBLOCK && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH &&
            wait_ms < ORPHAN_WAIT_MS) {
            /* the eddy that wrote its pid is gone, yet the lock is held: by the checkpoint
             * writer it had forked (checkpoint.c), which inherited the lock and ends with
             * its transaction (at once, on Linux, when its parent dies): wait for it */
            struct timespec ts = {0, 10 * 1000000};
            nanosleep(&ts, NULL);
            wait_ms += 10;
            continue;
        }
        close(fd);
        if (e != EWOULDBLOCK)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot lock %s: %s", lock_path,
                                  strerror(e));
        if (wait_ms >= ORPHAN_WAIT_MS)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "state directory %s is still locked %d s after the eddy that "
                                  "used it (pid %ld) ended: a checkpoint writer it started may "
                                  "still be running; wait for it or end it, then start again",
                                  st->dir, ORPHAN_WAIT_MS / 1000, pid);
        if (pid > 0)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "state directory %s is in use by another eddy process (pid "
                                  "%ld); stop it or choose another --state-dir",
                                  st->dir, pid);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state directory %s is in use by another eddy process (pid "
                              "unknown); stop it or choose another --state-dir",
                              st->dir);
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        int e = errno;
        close(fd);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot write the lock file %s: %s",
                              lock_path, strerror(e));
    }
    st->lock_fd = fd;
    return 0;
}

/* Writes "format" into a new store (its unnamed database is empty) or checks it and reads the
 * last checkpoint. Opens st->meta. */
static int init_meta(eddy_state *st, eddy_error *err)
{
    MDB_txn *t;
    int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &t);
    if (rc) goto lmdb_error;
    MDB_dbi main_dbi;
    MDB_stat ms;
    rc = mdb_dbi_open(t, NULL, 0, &main_dbi);
    if (rc == 0) rc = mdb_stat(t, main_dbi, &ms);
    if (rc) {
        mdb_txn_abort(t);
        goto lmdb_error;
    }
    if (ms.ms_entries == 0) { /* a new store */
        mdb_txn_abort(t);
        rc = mdb_txn_begin(st->env, NULL, 0, &t);
        if (rc) goto lmdb_error;
        rc = mdb_dbi_open(t, "meta", MDB_CREATE, &st->meta);
        MDB_val k = {strlen("format"), "format"}, v = {strlen(FORMAT), FORMAT};
        if (rc == 0) rc = mdb_put(t, st->meta, &k, &v, 0);
        if (rc) {
            mdb_txn_abort(t);
            goto lmdb_error;
        }
        rc = mdb_txn_commit(t);
        if (rc) goto lmdb_error;
        return 0;
    }
    rc = mdb_dbi_open(t, "meta", 0, &st->meta);
    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        mdb_txn_abort(t);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "%s holds LMDB data but no eddy state (no 'meta' database); "
                              "choose an empty or new --state-dir",
                              st->data_path);
    }
    if (rc) {
        mdb_txn_abort(t);
        goto lmdb_error;
    }
    MDB_val k = {strlen("format"), "format"}, v;
    rc = mdb_get(t, st->meta, &k, &v);
    if (rc == MDB_NOTFOUND ||
        (rc == 0 && (v.mv_size != strlen(FORMAT) || memcmp(v.mv_data, FORMAT, v.mv_size)))) {
        char found[64];
        if (rc == 0)
            snprintf(found, sizeof found, "'%.*s'", v.mv_size < 40 ? (int)v.mv_size : 40,
                     (const char *)v.mv_data);
        else
            snprintf(found, sizeof found, "none");
        mdb_txn_abort(t);
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "%s: state format %s is not the one this eddy reads ('" FORMAT
                              "'); run the eddy that wrote it, or remove %s to start over",
                              st->data_path, found, st->dir);
    }
    if (rc) {
        mdb_txn_abort(t);
        goto lmdb_error;
    }
    k = (MDB_val){strlen("checkpoint"), "checkpoint"};
    rc = mdb_get(t, st->meta, &k, &v);
    if (rc == 0) {
        if (v.mv_size != 8) {
            mdb_txn_abort(t);
            return damaged(err, st, "its checkpoint record is not 8 bytes");
        }
        st->last_cp = get_le64(v.mv_data);
        k = (MDB_val){strlen("checkpoint.at"), "checkpoint.at"};
        if (mdb_get(t, st->meta, &k, &v) == 0 && v.mv_size == 8)
            st->last_at = (int64_t)get_le64(v.mv_data);
    } else if (rc != MDB_NOTFOUND) {
        mdb_txn_abort(t);
        goto lmdb_error;
    }
    rc = mdb_txn_commit(t); /* keeps the meta dbi */
    if (rc) goto lmdb_error;
    return 0;

lmdb_error:
    if (lmdb_rejects(rc)) return damaged(err, st, mdb_strerror(rc));
    return eddy_error_set(err, EDDY_ESTATE, 0, 0, "state store %s: cannot read %s: %s", st->dir,
                          st->data_path, mdb_strerror(rc));
}

static void state_free(eddy_state *st)
{
    while (st->txns)
        eddy_state_abort(st->txns);
    if (st->env) mdb_env_close(st->env);
    if (st->lock_fd >= 0) close(st->lock_fd); /* releases the flock */
    for (int i = 0; i < st->nnames; i++)
        free(st->names[i].name);
    free(st->names);
    free(st->data_path);
    free(st->dir);
    free(st);
}

/* Steps 4 and 5 of an open: LMDB on st->dir with a map of `mapsize` bytes (at least what the
 * file uses), then "format" checked or written. The caller cleans up on error. */
static int open_env(eddy_state *st, bool had_data, size_t mapsize, eddy_error *err)
{
    struct stat sb;
    if (had_data && stat(st->data_path, &sb) == 0 && sb.st_size == 0)
        return damaged(err, st, "the file is empty");
    int mrc = mdb_env_create(&st->env);
    if (mrc == 0) mrc = mdb_env_set_maxdbs(st->env, MAXDBS);
    st->mapsize = mapsize;
    if (mrc == 0) mrc = mdb_env_set_mapsize(st->env, st->mapsize);
    if (mrc)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "state store %s: cannot set up LMDB: %s",
                              st->dir, mdb_strerror(mrc));
    mrc = mdb_env_open(st->env, st->dir, MDB_NOTLS, 0644);
    if (mrc) {
        if (had_data && (lmdb_rejects(mrc) || mrc == EINVAL)) return damaged(err, st, mdb_strerror(mrc));
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "cannot open the state store in %s: %s; check the directory "
                              "and its permissions",
                              st->dir, mdb_strerror(mrc));
    }
    /* a file shorter than the pages the meta page counts would fault on first read */
    MDB_envinfo info;
    MDB_stat ms;
    if (mdb_env_info(st->env, &info) == 0 && mdb_env_stat(st->env, &ms) == 0) {
        uint64_t need = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
        if (stat(st->data_path, &sb) == 0 && (uint64_t)sb.st_size < need) {
            char why[128];
            snprintf(why, sizeof why, "truncated: %jd bytes of %" PRIu64, (intmax_t)sb.st_size,
                     need);
            return damaged(err, st, why);
        }
        st->mapsize = info.me_mapsize;
    }
    int stale; /* reader slots left by a killed process would keep pages from reuse */
    mdb_reader_check(st->env, &stale);
    return init_meta(st, err);
}

int eddy_state_open(const char *dir, eddy_state **out, eddy_error *err)
{
    *out = NULL;
    if (!dir || !*dir)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "no state directory given (--state-dir)");
    bool dir_created;
    int e = mkdir_p(dir, &dir_created);
    if (e)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "cannot create the state directory %s: %s; choose another "
                              "--state-dir",
                              dir, strerror(e));
    eddy_state *st = eddy_xcalloc(1, sizeof *st);
    st->dir = eddy_xstrdup(dir);
    st->data_path = path_join(dir, "data.mdb");
    st->lock_fd = -1;
    char *lock_path = path_join(dir, "LOCK");
    char *lockmdb_path = path_join(dir, "lock.mdb");
    bool had_data = exists(st->data_path), had_lock = exists(lock_path),
         had_lockmdb = exists(lockmdb_path);
    int rc = 0;

    if (!had_data) {
        static const char *const ours[] = {"LOCK", "lock.mdb", NULL};
        int other = has_other_entries(dir, ours);
        if (other < 0) {
            rc = eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot read the state directory %s: %s",
                                dir, strerror(-other));
            goto fail_untouched;
        }
        if (other > 0) {
            rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                "%s is not an eddy state directory (no data.mdb); choose an "
                                "empty or new directory as --state-dir",
                                dir);
            goto fail_untouched;
        }
    }
    if ((rc = take_lock(st, lock_path, err)) != 0) goto fail_untouched;

    if ((rc = open_env(st, had_data, initial_mapsize(), err)) != 0) goto fail;
    if (!had_data) {
        /* LMDB fsyncs data.mdb, not the directory entries that make the new files and
         * directory reachable after a power failure */
        e = fsync_path(dir, true);
        if (e == 0 && dir_created) {
            char *parent = path_join(dir, "..");
            e = fsync_path(parent, true);
            free(parent);
        }
        if (e) {
            rc = eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot sync the state directory %s: %s",
                                dir, strerror(e));
            goto fail;
        }
    }
    free(lock_path);
    free(lockmdb_path);
    *out = st;
    return 0;

fail:
    /* put the directory back as it was: remove what this call created */
    if (st->env) {
        mdb_env_close(st->env);
        st->env = NULL;
    }
    if (!had_lockmdb) unlink(lockmdb_path);
    if (!had_data) unlink(st->data_path);
    if (!had_lock) unlink(lock_path); /* still ours: the flock is held until close */
fail_untouched:
    state_free(st);
    if (dir_created) rmdir(dir);
    free(lock_path);
    free(lockmdb_path);
    return rc;
}

int eddy_state_open_child(const eddy_state *parent, eddy_state **out, eddy_error *err)
{
    *out = NULL;
    eddy_state *st = eddy_xcalloc(1, sizeof *st);
    st->dir = eddy_xstrdup(parent->dir);
    st->data_path = eddy_xstrdup(parent->data_path);
    st->lock_fd = -1; /* the LOCK is the parent's (and, inherited, this process's) */
    int rc;
    if (!exists(st->data_path))
        rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                            "state file %s is gone: it was removed while the job ran, so no "
                            "checkpoint can be written; stop the job and restart it (the "
                            "checkpoint restored is the last one in the directory, if any)",
                            st->data_path);
    else
        rc = open_env(st, true, parent->mapsize, err);
    if (rc) {
        state_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

int eddy_state_refresh(eddy_state *st, eddy_error *err)
{
    if (st->writer || st->nread > 0)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: cannot re-read it while a transaction is open; "
                              "end it first",
                              st->dir);
    MDB_txn *t;
    int mrc = begin_mdb(st, MDB_RDONLY, &t);
    if (mrc)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "state store %s: cannot re-read it: %s",
                              st->dir, mdb_strerror(mrc));
    MDB_val k = {strlen("checkpoint"), "checkpoint"}, v;
    mrc = mdb_get(t, st->meta, &k, &v);
    if (mrc == 0 && v.mv_size == 8) {
        st->last_cp = get_le64(v.mv_data);
        k = (MDB_val){strlen("checkpoint.at"), "checkpoint.at"};
        if (mdb_get(t, st->meta, &k, &v) == 0 && v.mv_size == 8)
            st->last_at = (int64_t)get_le64(v.mv_data);
        mrc = 0;
    } else if (mrc == 0) {
        mrc = MDB_CORRUPTED;
    }
    mdb_txn_abort(t);
    if (mrc == MDB_NOTFOUND) return 0; /* no checkpoint yet */
    if (mrc)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: cannot read its last checkpoint: %s", st->dir,
                              mdb_strerror(mrc));
    return 0;
}

void eddy_state_close(eddy_state *st)
{
    if (!st) return;
    if (st->lock_fd >= 0 && ftruncate(st->lock_fd, 0) != 0) {
        /* a stale pid in LOCK is harmless: it is read only while the file is locked */
    }
    state_free(st);
}

const char *eddy_state_dir(const eddy_state *st)
{
    return st->dir;
}

uint64_t eddy_state_last_checkpoint(const eddy_state *st)
{
    return st->last_cp;
}

int64_t eddy_state_last_checkpoint_at(const eddy_state *st)
{
    return st->last_at;
}

uint64_t eddy_state_size(const eddy_state *st)
{
    return used_bytes(st->env);
}

/* ---------------------------------------------------------------- copy */

int eddy_state_copy(eddy_state *st, const char *dst, eddy_error *err)
{
    if (st->writer)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "state store %s: cannot copy it while a write transaction is "
                              "open; commit or abort it first",
                              st->dir);
    bool created;
    int e = mkdir_p(dst, &created);
    if (e)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "cannot create the savepoint directory %s: %s", dst, strerror(e));
    int other = has_other_entries(dst, NULL);
    if (other != 0) {
        if (created) rmdir(dst);
        if (other < 0)
            return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot read the directory %s: %s", dst,
                                  strerror(-other));
        return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                              "savepoint directory %s is not empty; choose a new or empty one",
                              dst);
    }
    char *data = path_join(dst, "data.mdb");
    int mrc = mdb_env_copy2(st->env, dst, MDB_CP_COMPACT);
    /* LMDB writes the copy without fsync: make the savepoint durable before saying so */
    if (mrc == 0) mrc = fsync_path(data, false);
    if (mrc == 0) mrc = fsync_path(dst, true);
    int rc = 0;
    if (mrc) {
        unlink(data);
        if (created) rmdir(dst);
        rc = eddy_error_set(err, EDDY_ESTATE, 0, 0,
                            "cannot copy the state store %s into %s: %s; nothing was kept there",
                            st->dir, dst, mdb_strerror(mrc));
    }
    free(data);
    return rc;
}

/* ---------------------------------------------------------------- keys */

void eddy_state_key_i64(unsigned char out[8], int64_t v)
{
    uint64_t u = (uint64_t)v ^ (UINT64_C(1) << 63);
    for (int i = 7; i >= 0; i--) {
        out[i] = (unsigned char)u;
        u >>= 8;
    }
}

int64_t eddy_state_key_i64_get(const unsigned char in[8])
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | in[i];
    return (int64_t)(u ^ (UINT64_C(1) << 63));
}
