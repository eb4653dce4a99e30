/*
 * spill.c: the job's spill store (spill.h): runs of sorted entries in an LMDB environment of
 * their own, opened at the first use.
 *
 * Writing: a run is appended in key order (MDB_APPEND fills pages to the brim) and committed
 * every CHUNK bytes, so that LMDB's dirty pages (malloc'ed until the commit) stay a few
 * megabytes however large the run. The environment is opened with MDB_NOSYNC: commits go to
 * the page cache, and eddy_spill_sync() makes them durable before a checkpoint names them.
 *
 * Memory: pages read back through the read-only map count in the process's resident set while
 * they stay mapped, so the reader hands them back to the page cache (madvise MADV_DONTNEED:
 * the next access maps them again from the cache) every RELEASE_STEPS entries and at the end
 * of a read pass; a job that spills thus keeps its resident set near its budget.
 */
#include "spill.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/arena.h"
#include "../common/strbuf.h"

#define CHUNK ((size_t)4 << 20)         /* bytes put between two commits of a run */
#define RELEASE_STEPS 32768             /* entries read between two releases of the map */
#define MAPSIZE ((size_t)1 << 38)       /* 256 GiB of address space; the file grows by pages */
#define MAXDBS 8192                     /* runs open at once */

typedef struct dbi_name {
    char *name;
    MDB_dbi dbi;
} dbi_name;

struct eddy_spill {
    char *state_dir;        /* NULL: a temporary directory */
    char *dir;              /* the store's directory, once opened */
    bool temp;
    int64_t budget;
    MDB_env *env;
    int fd;                 /* data.mdb, for eddy_spill_sync */
    MDB_txn *rtxn;          /* the read pass */
    int rdepth;             /* read passes begun and not ended (they nest) */
    uint32_t next_run;
    dbi_name *dbis;         /* handles of the runs opened so far */
    int ndbis, capdbis;
    uint64_t steps;         /* entries read since the map was last released */
    uint64_t runs_written;  /* eddy_spill_stats */
    uint64_t bytes_written;
    void *map;              /* LMDB's map of data.mdb (found in /proc/self/maps) */
    size_t maplen;
};

struct eddy_spill_writer {
    eddy_spill *sp;
    MDB_txn *txn;
    MDB_dbi dbi;
    char name[96];
    uint32_t run;
    size_t since_commit;
};

struct eddy_spill_cursor {
    eddy_spill *sp;
    MDB_cursor *cur;
    bool at_end;
    MDB_val k, v;
};

int eddy_spill_parse_size(const char *text, int64_t *bytes)
{
    const char *p = text;
    while (*p == ' ') p++;
    if (*p < '0' || *p > '9') return -1;
    uint64_t n = 0;
    while (*p >= '0' && *p <= '9') {
        if (n > (UINT64_MAX - 9) / 10) return -1;
        n = n * 10 + (uint64_t)(*p++ - '0');
    }
    while (*p == ' ') p++;
    char unit[8] = {0};
    size_t u = 0;
    while (*p && *p != ' ' && u < sizeof unit - 1) unit[u++] = *p++;
    while (*p == ' ') p++;
    if (*p) return -1;
    static const struct { const char *name; int shift; } units[] = {
        {"", 0}, {"b", 0}, {"bytes", 0}, {"k", 10}, {"kb", 10}, {"kib", 10}, {"m", 20},
        {"mb", 20}, {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}, {"t", 40}, {"tb", 40},
        {"tib", 40},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(unit, units[i].name) != 0) continue;
        if (n > ((uint64_t)INT64_MAX >> units[i].shift)) return -1;
        *bytes = (int64_t)(n << units[i].shift);
        return 0;
    }
    return -1;
}

eddy_spill *eddy_spill_new(const char *state_dir, int64_t budget)
{
    eddy_spill *sp = eddy_xcalloc(1, sizeof *sp);
    sp->state_dir = state_dir ? eddy_xstrdup(state_dir) : NULL;
    sp->budget = budget;
    sp->fd = -1;
    return sp;
}

int64_t eddy_spill_budget(const eddy_spill *sp)
{
    return sp->budget;
}

void eddy_spill_stats(const eddy_spill *sp, uint64_t *runs, uint64_t *bytes)
{
    *runs = sp ? sp->runs_written : 0;
    *bytes = sp ? sp->bytes_written : 0;
}

bool eddy_spill_used(const eddy_spill *sp)
{
    return sp->env != NULL;
}

static int lmdb_fail(eddy_spill *sp, int rc, const char *what, eddy_error *err)
{
    return eddy_error_set(err, EDDY_ESTATE, 0, 0, "spill store %s: %s: %s",
                          sp->dir ? sp->dir : "(not open)", what, mdb_strerror(rc));
}

/* dir/file, malloc'ed. */
static char *path_of(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = eddy_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, file);
    return p;
}

static void remove_files(const char *dir)
{
    char *p = path_of(dir, "data.mdb");
    unlink(p);
    free(p);
    p = path_of(dir, "lock.mdb");
    unlink(p);
    free(p);
    rmdir(dir);
}

static void close_env(eddy_spill *sp)
{
    if (sp->rtxn) mdb_txn_abort(sp->rtxn);
    sp->rtxn = NULL;
    if (sp->env) mdb_env_close(sp->env);
    sp->env = NULL;
    if (sp->fd >= 0) close(sp->fd);
    sp->fd = -1;
    sp->map = NULL;
    sp->maplen = 0;
    for (int i = 0; i < sp->ndbis; i++) free(sp->dbis[i].name);
    free(sp->dbis);
    sp->dbis = NULL;
    sp->ndbis = sp->capdbis = 0;
}

void eddy_spill_free(eddy_spill *sp)
{
    if (!sp) return;
    close_env(sp);
    if (sp->temp && sp->dir) remove_files(sp->dir);
    free(sp->dir);
    free(sp->state_dir);
    free(sp);
}

void eddy_spill_remove(eddy_spill *sp)
{
    if (!sp) return;
    close_env(sp);
    if (sp->dir) remove_files(sp->dir);
    else if (sp->state_dir) {
        char *dir = path_of(sp->state_dir, "spill");
        remove_files(dir);
        free(dir);
    }
}

static void find_map(eddy_spill *sp);

/* The run number in a database name "OWNER/N", or -1. */
static int64_t run_of(const char *name, size_t len, const char *owner)
{
    size_t ol = strlen(owner);
    if (owner[0] && (len <= ol + 1 || memcmp(name, owner, ol) != 0 || name[ol] != '/')) return -1;
    size_t i = owner[0] ? ol + 1 : 0;
    if (!owner[0]) { /* any owner: the number after the last '/' */
        size_t j = len;
        while (j > 0 && name[j - 1] != '/') j--;
        if (j == 0) return -1;
        i = j;
    }
    if (i >= len) return -1;
    int64_t n = 0;
    for (; i < len; i++) {
        if (name[i] < '0' || name[i] > '9' || n > 1000000000) return -1;
        n = n * 10 + (name[i] - '0');
    }
    return n;
}

/* Opens the environment at the first use; finds the next run number. */
static int ensure_open(eddy_spill *sp, eddy_error *err)
{
    if (sp->env) return 0;
    if (!sp->dir) {
        if (sp->state_dir) {
            size_t n = strlen(sp->state_dir) + 8;
            sp->dir = eddy_xmalloc(n);
            snprintf(sp->dir, n, "%s/spill", sp->state_dir);
            if (mkdir(sp->dir, 0755) != 0 && errno != EEXIST)
                return eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot create the spill store %s: %s",
                                      sp->dir, strerror(errno));
        } else {
            const char *tmp = getenv("TMPDIR");
            if (!tmp || !*tmp) tmp = "/tmp";
            size_t n = strlen(tmp) + 32;
            sp->dir = eddy_xmalloc(n);
            snprintf(sp->dir, n, "%s/eddy-spill-XXXXXX", tmp);
            if (!mkdtemp(sp->dir))
                return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                      "cannot create a spill directory under %s: %s (set TMPDIR "
                                      "or give the job a --state-dir)",
                                      tmp, strerror(errno));
            sp->temp = true;
        }
    }
    int rc = mdb_env_create(&sp->env);
    if (!rc) rc = mdb_env_set_maxdbs(sp->env, MAXDBS);
    if (!rc) rc = mdb_env_set_mapsize(sp->env, MAPSIZE);
    if (!rc) rc = mdb_env_open(sp->env, sp->dir, MDB_NOSYNC | MDB_NOTLS | MDB_NORDAHEAD, 0644);
    if (rc) {
        int r = lmdb_fail(sp, rc, "cannot open", err);
        mdb_env_close(sp->env);
        sp->env = NULL;
        return r;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/data.mdb", sp->dir);
    sp->fd = open(path, O_RDONLY | O_CLOEXEC);
    find_map(sp);
    /* the next run number: above every run already there (a restored store) */
    MDB_txn *t;
    rc = mdb_txn_begin(sp->env, NULL, MDB_RDONLY, &t);
    if (rc) return lmdb_fail(sp, rc, "cannot read", err);
    MDB_dbi main;
    MDB_cursor *c;
    rc = mdb_dbi_open(t, NULL, 0, &main);
    if (!rc) rc = mdb_cursor_open(t, main, &c);
    if (!rc) {
        MDB_val k, v;
        for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0; r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            int64_t n = run_of(k.mv_data, k.mv_size, "");
            if (n >= 0 && (uint64_t)n >= sp->next_run) sp->next_run = (uint32_t)n + 1;
        }
        mdb_cursor_close(c);
    }
    mdb_txn_abort(t);
    return rc ? lmdb_fail(sp, rc, "cannot list the runs", err) : 0;
}

/* Finds the address range of the store's map in /proc/self/maps (LMDB tells it only for
 * MDB_FIXEDMAP environments). */
static void find_map(eddy_spill *sp)
{
    char want[4200], line[4608];
    if (!realpath(sp->dir, want)) return;
    strncat(want, "/data.mdb", sizeof want - strlen(want) - 1);
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        int path_at = 0;
        if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &lo, &hi, &path_at) < 2 || !path_at) continue;
        char *p = line + path_at;
        p[strcspn(p, "\n")] = 0;
        if (strcmp(p, want) == 0 && hi - lo > sp->maplen) {
            sp->map = (void *)lo;
            sp->maplen = hi - lo;
        }
    }
    fclose(f);
}

/* Hands the pages of the map read so far back to the page cache (see the top). */
static void release_map(eddy_spill *sp)
{
    sp->steps = 0;
    if (sp->map) madvise(sp->map, sp->maplen, MADV_DONTNEED);
}

static void run_name(char *out, size_t n, const char *owner, uint32_t run)
{
    snprintf(out, n, "%s/%u", owner, run);
}

static void remember_dbi(eddy_spill *sp, const char *name, MDB_dbi dbi)
{
    for (int i = 0; i < sp->ndbis; i++)
        if (strcmp(sp->dbis[i].name, name) == 0) {
            sp->dbis[i].dbi = dbi;
            return;
        }
    if (sp->ndbis == sp->capdbis) {
        sp->capdbis = sp->capdbis ? sp->capdbis * 2 : 16;
        sp->dbis = eddy_xrealloc(sp->dbis, (size_t)sp->capdbis * sizeof *sp->dbis);
    }
    sp->dbis[sp->ndbis].name = eddy_xstrdup(name);
    sp->dbis[sp->ndbis++].dbi = dbi;
}

static bool find_dbi(eddy_spill *sp, const char *name, MDB_dbi *dbi)
{
    for (int i = 0; i < sp->ndbis; i++)
        if (strcmp(sp->dbis[i].name, name) == 0) {
            *dbi = sp->dbis[i].dbi;
            return true;
        }
    return false;
}

static void forget_dbi(eddy_spill *sp, const char *name)
{
    for (int i = 0; i < sp->ndbis; i++)
        if (strcmp(sp->dbis[i].name, name) == 0) {
            free(sp->dbis[i].name);
            sp->dbis[i] = sp->dbis[--sp->ndbis];
            return;
        }
}

int eddy_spill_run_begin(eddy_spill *sp, const char *owner, uint32_t *run, eddy_spill_writer **out,
                         eddy_error *err)
{
    *out = NULL;
    int rc = ensure_open(sp, err);
    if (rc) return rc;
    eddy_spill_writer *w = eddy_xcalloc(1, sizeof *w);
    w->sp = sp;
    w->run = sp->next_run++;
    run_name(w->name, sizeof w->name, owner, w->run);
    rc = mdb_txn_begin(sp->env, NULL, 0, &w->txn);
    if (!rc) rc = mdb_dbi_open(w->txn, w->name, MDB_CREATE, &w->dbi);
    if (rc) {
        if (w->txn) mdb_txn_abort(w->txn);
        free(w);
        return lmdb_fail(sp, rc, "cannot start a run", err);
    }
    *run = w->run;
    *out = w;
    return 0;
}

int eddy_spill_put(eddy_spill_writer *w, const void *key, size_t klen, const void *val,
                   size_t vlen, eddy_error *err)
{
    if (klen == 0 || klen > EDDY_SPILL_MAX_KEY)
        return eddy_error_set(err, EDDY_ERUNTIME, 0, 0, "spill store: a key of %zu bytes", klen);
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    int rc = mdb_put(w->txn, w->dbi, &k, &v, MDB_APPEND);
    if (rc == MDB_KEYEXIST)
        return eddy_error_set(err, EDDY_ERUNTIME, 0, 0, "spill store: run keys out of order");
    if (rc) return lmdb_fail(w->sp, rc, "cannot write a run", err);
    w->since_commit += klen + vlen + 16;
    w->sp->bytes_written += klen + vlen;
    if (w->since_commit >= CHUNK) {
        w->since_commit = 0;
        rc = mdb_txn_commit(w->txn);
        w->txn = NULL;
        if (!rc) rc = mdb_txn_begin(w->sp->env, NULL, 0, &w->txn);
        if (rc) return lmdb_fail(w->sp, rc, "cannot write a run", err);
        remember_dbi(w->sp, w->name, w->dbi);
        release_map(w->sp);
    }
    return 0;
}

int eddy_spill_run_end(eddy_spill_writer *w, bool ok, eddy_error *err)
{
    eddy_spill *sp = w->sp;
    int rc = 0;
    if (ok && w->txn) {
        rc = mdb_txn_commit(w->txn);
        w->txn = NULL;
        if (rc) rc = lmdb_fail(sp, rc, "cannot commit a run", err);
        else {
            remember_dbi(sp, w->name, w->dbi);
            sp->runs_written++;
        }
    }
    if (w->txn) mdb_txn_abort(w->txn);
    if (!ok || rc) {
        /* drop what earlier chunks committed */
        MDB_txn *t;
        if (mdb_txn_begin(sp->env, NULL, 0, &t) == 0) {
            MDB_dbi dbi;
            if (mdb_dbi_open(t, w->name, 0, &dbi) == 0) mdb_drop(t, dbi, 1);
            mdb_txn_commit(t);
        }
        forget_dbi(sp, w->name);
    }
    release_map(sp);
    free(w);
    return rc;
}

int eddy_spill_run_drop(eddy_spill *sp, const char *owner, uint32_t run, eddy_error *err)
{
    if (!sp->env) return 0;
    char name[96];
    run_name(name, sizeof name, owner, run);
    MDB_txn *t;
    int rc = mdb_txn_begin(sp->env, NULL, 0, &t);
    if (rc) return lmdb_fail(sp, rc, "cannot drop a run", err);
    MDB_dbi dbi;
    rc = find_dbi(sp, name, &dbi) ? 0 : mdb_dbi_open(t, name, 0, &dbi);
    if (rc == MDB_NOTFOUND) {
        mdb_txn_abort(t);
        return 0;
    }
    if (!rc) rc = mdb_drop(t, dbi, 1);
    if (!rc) rc = mdb_txn_commit(t);
    else mdb_txn_abort(t);
    forget_dbi(sp, name);
    return rc ? lmdb_fail(sp, rc, "cannot drop a run", err) : 0;
}

int eddy_spill_runs_keep(eddy_spill *sp, const char *owner, const uint32_t *keep, int n,
                         eddy_error *err)
{
    if (!sp->env) {
        /* a store that does not exist has no runs to drop; runs to keep must exist */
        char path[4200];
        if (n == 0) {
            if (!sp->state_dir) return 0;
            snprintf(path, sizeof path, "%s/spill/data.mdb", sp->state_dir);
            if (access(path, F_OK) != 0) return 0;
        }
        int rc = ensure_open(sp, err);
        if (rc) return rc;
    }
    MDB_txn *t;
    int rc = mdb_txn_begin(sp->env, NULL, 0, &t);
    if (rc) return lmdb_fail(sp, rc, "cannot restore", err);
    MDB_dbi main;
    MDB_cursor *c = NULL;
    rc = mdb_dbi_open(t, NULL, 0, &main);
    if (!rc) rc = mdb_cursor_open(t, main, &c);
    uint32_t *drop = NULL;
    int ndrop = 0;
    if (!rc) {
        MDB_val k, v;
        for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0; r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            int64_t run = run_of(k.mv_data, k.mv_size, owner);
            if (run < 0) continue;
            bool kept = false;
            for (int i = 0; i < n && !kept; i++) kept = keep[i] == (uint32_t)run;
            if (!kept) {
                drop = eddy_xrealloc(drop, sizeof *drop * (size_t)(ndrop + 1));
                drop[ndrop++] = (uint32_t)run;
            }
        }
        mdb_cursor_close(c);
    }
    for (int i = 0; i < ndrop && !rc; i++) {
        char name[96];
        run_name(name, sizeof name, owner, drop[i]);
        MDB_dbi dbi;
        rc = mdb_dbi_open(t, name, 0, &dbi);
        if (!rc) rc = mdb_drop(t, dbi, 1);
        forget_dbi(sp, name);
    }
    free(drop);
    for (int i = 0; i < n && !rc; i++) {
        char name[96];
        run_name(name, sizeof name, owner, keep[i]);
        MDB_dbi dbi;
        rc = mdb_dbi_open(t, name, 0, &dbi);
        if (rc == MDB_NOTFOUND) {
            mdb_txn_abort(t);
            return eddy_error_set(err, EDDY_ESTATE, 0, 0,
                                  "spill store %s: run %s, part of the checkpoint, is missing "
                                  "(the spill directory was removed or replaced?)",
                                  sp->dir, name);
        }
        if (!rc) remember_dbi(sp, name, dbi);
    }
    if (rc) {
        mdb_txn_abort(t);
        return lmdb_fail(sp, rc, "cannot restore", err);
    }
    rc = mdb_txn_commit(t);
    return rc ? lmdb_fail(sp, rc, "cannot restore", err) : 0;
}

int eddy_spill_read_begin(eddy_spill *sp, eddy_error *err)
{
    int rc = ensure_open(sp, err);
    if (rc) return rc;
    if (sp->rtxn) {
        sp->rdepth++;
        return 0;
    }
    rc = mdb_txn_begin(sp->env, NULL, MDB_RDONLY, &sp->rtxn);
    if (rc) return lmdb_fail(sp, rc, "cannot read", err);
    sp->rdepth = 1;
    return 0;
}

void eddy_spill_read_end(eddy_spill *sp)
{
    if (!sp->rtxn || --sp->rdepth > 0) return;
    mdb_txn_abort(sp->rtxn);
    sp->rtxn = NULL;
    release_map(sp);
}

int eddy_spill_cursor_open(eddy_spill *sp, const char *owner, uint32_t run, const void *from,
                           size_t fromlen, eddy_spill_cursor **out, eddy_error *err)
{
    *out = NULL;
    char name[96];
    run_name(name, sizeof name, owner, run);
    MDB_dbi dbi;
    if (!sp->rtxn || !find_dbi(sp, name, &dbi))
        return eddy_error_set(err, EDDY_ERUNTIME, 0, 0, "spill store: run %s is not open", name);
    eddy_spill_cursor *c = eddy_xcalloc(1, sizeof *c);
    c->sp = sp;
    int rc = mdb_cursor_open(sp->rtxn, dbi, &c->cur);
    if (rc) {
        free(c);
        return lmdb_fail(sp, rc, "cannot read a run", err);
    }
    if (from) {
        c->k.mv_data = (void *)from;
        c->k.mv_size = fromlen;
        rc = mdb_cursor_get(c->cur, &c->k, &c->v, MDB_SET_RANGE);
    } else {
        rc = mdb_cursor_get(c->cur, &c->k, &c->v, MDB_FIRST);
    }
    if (rc == MDB_NOTFOUND) c->at_end = true;
    else if (rc) {
        eddy_spill_cursor_close(c);
        return lmdb_fail(sp, rc, "cannot read a run", err);
    }
    *out = c;
    return 0;
}

int eddy_spill_cursor_get(eddy_spill_cursor *c, const void **key, size_t *klen, const void **val,
                          size_t *vlen, eddy_error *err)
{
    (void)err;
    if (c->at_end) return 0;
    *key = c->k.mv_data;
    *klen = c->k.mv_size;
    *val = c->v.mv_data;
    *vlen = c->v.mv_size;
    return 1;
}

int eddy_spill_cursor_next(eddy_spill_cursor *c, eddy_error *err)
{
    if (c->at_end) return 0;
    int rc = mdb_cursor_get(c->cur, &c->k, &c->v, MDB_NEXT);
    if (rc == MDB_NOTFOUND) {
        c->at_end = true;
        return 0;
    }
    if (rc) return lmdb_fail(c->sp, rc, "cannot read a run", err);
    if (++c->sp->steps >= RELEASE_STEPS) release_map(c->sp);
    return 0;
}

void eddy_spill_cursor_close(eddy_spill_cursor *c)
{
    if (!c) return;
    if (c->cur) mdb_cursor_close(c->cur);
    free(c);
}

int eddy_spill_sync(eddy_spill *sp, eddy_error *err)
{
    if (!sp || sp->fd < 0) return 0;
    if (fdatasync(sp->fd) != 0)
        return eddy_error_set(err, EDDY_ESTATE, 0, 0, "spill store %s: cannot sync: %s", sp->dir,
                              strerror(errno));
    return 0;
}

int eddy_spill_copy(eddy_spill *sp, const char *dst_dir, eddy_error *err)
{
    if (!sp || !sp->env) return 0;
    size_t n = strlen(dst_dir) + 8;
    char *dst = eddy_xmalloc(n);
    snprintf(dst, n, "%s/spill", dst_dir);
    int rc = 0;
    if (mkdir(dst, 0755) != 0 && errno != EEXIST)
        rc = eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot create %s: %s", dst, strerror(errno));
    if (!rc) {
        int r = mdb_env_copy2(sp->env, dst, MDB_CP_COMPACT);
        if (r) rc = eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot copy the spill store to %s: %s",
                                   dst, mdb_strerror(r));
    }
    free(dst);
    return rc;
}

int eddy_spill_adopt(const char *savepoint_dir, const char *state_dir, eddy_error *err)
{
    char src[4200], dir[4200], dst[4300];
    snprintf(src, sizeof src, "%s/spill/data.mdb", savepoint_dir);
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) return 0; /* the savepoint holds no spilled state */
    snprintf(dir, sizeof dir, "%s/spill", state_dir);
    remove_files(dir);
    int rc = 0;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        rc = eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot create %s: %s", dir, strerror(errno));
    snprintf(dst, sizeof dst, "%s/data.mdb", dir);
    int out = rc ? -1 : open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (!rc && out < 0)
        rc = eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot create %s: %s", dst, strerror(errno));
    char buf[1 << 16];
    ssize_t got;
    while (!rc && (got = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < got && !rc;) {
            ssize_t w = write(out, buf + off, (size_t)(got - off));
            if (w < 0) rc = eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot write %s: %s", dst, strerror(errno));
            else off += w;
        }
    }
    if (!rc && fsync(out) != 0)
        rc = eddy_error_set(err, EDDY_ESTATE, 0, 0, "cannot write %s: %s", dst, strerror(errno));
    close(in);
    if (out >= 0) close(out);
    if (rc) remove_files(dir);
    return rc;
}
