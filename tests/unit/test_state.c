/*
 * test_state.c: the LMDB state store (runtime/state.h).
 *
 * Each test works in its own directory under /tmp (mkdtemp), removed at its end. Covered:
 * open/close and the files it makes; put/get/del/scan in key order with eddy_state_key_i64 keys
 * (negative and positive), scans from a key, early stop and errors from the visitor; clear;
 * checkpoint ids (increasing, recorded in meta with their time); reopening after close; an
 * aborted transaction (data, new databases and meta all gone); a locked directory (a second
 * open in this process fails naming our pid); a foreign directory left untouched; a truncated,
 * emptied or garbage data.mdb, an LMDB file without eddy's meta and an unknown format; a full
 * map (EDDY_STATE_TEST_MAPSIZE) grown and retried; a failing commit (RLIMIT_FSIZE stands in for
 * a full disk) that keeps the previous checkpoint; copy + open of the copy.
 */
#include "common/error.h"
#include "runtime/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <lmdb.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* ---------------------------------------------------------------- helpers */

static char *tmpdir(void)
{
    char *d = strdup("/tmp/eddy-test-state-XXXXXX");
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

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

static bool file_exists(const char *dir, const char *name)
{
    char *p = join(dir, name);
    struct stat sb;
    bool r = stat(p, &sb) == 0;
    free(p);
    return r;
}

static off_t file_size(const char *dir, const char *name)
{
    char *p = join(dir, name);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    free(p);
    return sb.st_size;
}

/* the names in dir, sorted, joined by ' ' */
static void listing(const char *dir, char *out, size_t n)
{
    struct dirent **ents;
    int k = scandir(dir, &ents, NULL, alphasort);
    assert_true(k >= 0);
    out[0] = 0;
    for (int i = 0; i < k; i++) {
        if (ents[i]->d_name[0] != '.') {
            strncat(out, ents[i]->d_name, n - strlen(out) - 1);
            strncat(out, " ", n - strlen(out) - 1);
        }
        free(ents[i]);
    }
    free(ents);
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != 0) fail_msg("%s: %d %s", #call, rc_, err.msg);                                  \
    } while (0)

static eddy_state *open_ok(const char *dir)
{
    eddy_error err = {0};
    eddy_state *st = NULL;
    CHECK(eddy_state_open(dir, &st, &err));
    assert_non_null(st);
    return st;
}

/* writes n entries key_i64(i * step + off) -> "v<i>" into db name and commits as cp */
static void fill(eddy_state *st, const char *name, int n, uint64_t cp)
{
    eddy_error err = {0};
    eddy_state_txn *t;
    eddy_state_db db;
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, name, &db, &err));
    for (int i = 0; i < n; i++) {
        unsigned char k[8];
        char v[32];
        eddy_state_key_i64(k, i);
        int vl = snprintf(v, sizeof v, "v%d", i);
        CHECK(eddy_state_put(&db, k, 8, v, (size_t)vl, &err));
    }
    CHECK(eddy_state_commit(t, cp, &err));
}

/* the value of key_i64(i) in db name, or NULL (caller frees) */
static char *lookup(eddy_state *st, const char *name, int64_t i)
{
    eddy_error err = {0};
    eddy_state_txn *t;
    eddy_state_db db;
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &t, &err));
    char *r = NULL;
    int rc = eddy_state_db_open(t, name, &db, &err);
    if (rc == 0) {
        unsigned char k[8];
        eddy_state_key_i64(k, i);
        const void *v;
        size_t vl;
        rc = eddy_state_get(&db, k, 8, &v, &vl, &err);
        if (rc == 0) r = strndup(v, vl);
    }
    assert_true(rc == 0 || rc == EDDY_ENOTFOUND);
    eddy_state_abort(t);
    return r;
}

typedef struct collect {
    int64_t keys[64];
    char vals[64][16];
    int n;
    int stop_after; /* return 1 after this many (0: never) */
    int fail_after; /* return EDDY_EDATA after this many (0: never) */
} collect;

static int visit(void *ctx, const void *key, size_t klen, const void *val, size_t vlen,
                 eddy_error *err)
{
    collect *c = ctx;
    assert_int_equal(klen, 8);
    assert_true(c->n < 64);
    c->keys[c->n] = eddy_state_key_i64_get(key);
    snprintf(c->vals[c->n], sizeof c->vals[0], "%.*s", (int)vlen, (const char *)val);
    c->n++;
    if (c->fail_after && c->n == c->fail_after) return EDDY_EDATA;
    return c->stop_after && c->n == c->stop_after;
}

/* ---------------------------------------------------------------- tests */

static void test_open_close(void **state)
{
    (void)state;
    char *root = tmpdir();
    char *dir = join(root, "a/b/c");
    eddy_state *st = open_ok(dir);
    assert_string_equal(eddy_state_dir(st), dir);
    assert_int_equal(eddy_state_last_checkpoint(st), 0);
    assert_int_equal(eddy_state_last_checkpoint_at(st), 0);
    assert_true(eddy_state_size(st) > 0);
    char names[256];
    listing(dir, names, sizeof names);
    assert_string_equal(names, "LOCK data.mdb lock.mdb ");
    /* LOCK holds our pid */
    char *lock = join(dir, "LOCK");
    FILE *f = fopen(lock, "r");
    long pid = 0;
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    free(lock);
    assert_int_equal(pid, (long)getpid());
    eddy_state_close(st);
    eddy_state_close(NULL);
    /* the format is recorded */
    st = open_ok(dir);
    eddy_error err = {0};
    eddy_state_txn *t;
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &t, &err));
    const void *v;
    size_t vl;
    CHECK(eddy_state_meta_get(t, "format", &v, &vl, &err));
    assert_int_equal(vl, strlen("eddy-state 1"));
    assert_memory_equal(v, "eddy-state 1", vl);
    assert_int_equal(eddy_state_meta_get(t, "nope", &v, &vl, &err), EDDY_ENOTFOUND);
    eddy_state_abort(t);
    eddy_state_close(st);
    free(dir);
    rm_rf(root);
}

static void test_put_get_del_scan(void **state)
{
    (void)state;
    char *dir = tmpdir();
    eddy_state *st = open_ok(dir);
    eddy_error err = {0};
    static const int64_t keys[] = {42, -5, 0, INT64_MAX, -1000, 3, INT64_MIN, -1, 1};
    int nkeys = (int)(sizeof keys / sizeof keys[0]);
    eddy_state_txn *t;
    eddy_state_db db, db2;
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db2, &err)); /* again: the same handle */
    assert_int_equal(db.dbi, db2.dbi);
    for (int i = 0; i < nkeys; i++) {
        unsigned char k[8];
        char v[16];
        eddy_state_key_i64(k, keys[i]);
        snprintf(v, sizeof v, "%" PRId64, keys[i] % 1000);
        CHECK(eddy_state_put(&db, k, 8, v, strlen(v), &err));
    }
    /* overwrite, delete, delete of a missing key */
    unsigned char k[8];
    eddy_state_key_i64(k, 3);
    CHECK(eddy_state_put(&db, k, 8, "three", 5, &err));
    eddy_state_key_i64(k, -1);
    CHECK(eddy_state_del(&db, k, 8, &err));
    CHECK(eddy_state_del(&db, k, 8, &err));
    const void *v;
    size_t vl;
    assert_int_equal(eddy_state_get(&db, k, 8, &v, &vl, &err), EDDY_ENOTFOUND);
    eddy_state_key_i64(k, 3);
    CHECK(eddy_state_get(&db, k, 8, &v, &vl, &err));
    assert_int_equal(vl, 5);
    assert_memory_equal(v, "three", 5);
    /* a second database is separate */
    CHECK(eddy_state_db_open(t, "op/1", &db2, &err));
    assert_int_not_equal(db.dbi, db2.dbi);
    assert_int_equal(eddy_state_get(&db2, k, 8, &v, &vl, &err), EDDY_ENOTFOUND);
    CHECK(eddy_state_put(&db2, "x", 1, "y", 1, &err));
    /* an empty key is refused with a message */
    assert_int_equal(eddy_state_put(&db2, "", 0, "y", 1, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "'op/1'"));
    eddy_error_clear(&err);
    /* 'meta' is not an operator's database */
    eddy_state_db bad;
    assert_int_equal(eddy_state_db_open(t, "meta", &bad, &err), EDDY_ESTATE);
    eddy_error_clear(&err);
    CHECK(eddy_state_commit(t, 1, &err));

    /* read back in key order: numeric order, negatives first */
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &t, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db, &err));
    collect c = {0};
    CHECK(eddy_state_scan(&db, NULL, 0, visit, &c, &err));
    static const int64_t sorted[] = {INT64_MIN, -1000, -5, 0, 1, 3, 42, INT64_MAX};
    assert_int_equal(c.n, 8);
    for (int i = 0; i < 8; i++)
        assert_true(c.keys[i] == sorted[i]);
    assert_string_equal(c.vals[5], "three");
    assert_string_equal(c.vals[1], "0"); /* -1000 % 1000 */
    /* from a key that exists, and from one that does not (-2: starts at 0) */
    memset(&c, 0, sizeof c);
    eddy_state_key_i64(k, -5);
    CHECK(eddy_state_scan(&db, k, 8, visit, &c, &err));
    assert_int_equal(c.n, 6);
    assert_true(c.keys[0] == -5 && c.keys[5] == INT64_MAX);
    memset(&c, 0, sizeof c);
    eddy_state_key_i64(k, -2);
    CHECK(eddy_state_scan(&db, k, 8, visit, &c, &err));
    assert_int_equal(c.n, 5);
    assert_true(c.keys[0] == 0);
    /* past the end: nothing */
    memset(&c, 0, sizeof c);
    CHECK(eddy_state_scan(&db, "\xff\xff\xff\xff\xff\xff\xff\xff\xff", 9, visit, &c, &err));
    assert_int_equal(c.n, 0);
    /* early stop, and an error from the visitor */
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    CHECK(eddy_state_scan(&db, NULL, 0, visit, &c, &err));
    assert_int_equal(c.n, 2);
    memset(&c, 0, sizeof c);
    c.fail_after = 3;
    assert_int_equal(eddy_state_scan(&db, NULL, 0, visit, &c, &err), EDDY_EDATA);
    assert_int_equal(c.n, 3);
    assert_non_null(strstr(err.msg, "op/0"));
    eddy_error_clear(&err);
    /* a read transaction cannot write, and does not create databases */
    assert_int_equal(eddy_state_put(&db, "a", 1, "b", 1, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "write transaction"));
    eddy_error_clear(&err);
    assert_int_equal(eddy_state_db_open(t, "op/9", &db2, &err), EDDY_ENOTFOUND);
    assert_int_equal(err.code, 0);
    eddy_state_abort(t);
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_clear(void **state)
{
    (void)state;
    char *dir = tmpdir();
    eddy_state *st = open_ok(dir);
    eddy_error err = {0};
    fill(st, "op/0", 20, 1);
    fill(st, "op/1", 5, 2);
    eddy_state_txn *t;
    eddy_state_db db;
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db, &err));
    CHECK(eddy_state_clear(&db, &err));
    unsigned char k[8];
    eddy_state_key_i64(k, 100);
    CHECK(eddy_state_put(&db, k, 8, "new", 3, &err));
    CHECK(eddy_state_commit(t, 3, &err));
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &t, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db, &err));
    collect c = {0};
    CHECK(eddy_state_scan(&db, NULL, 0, visit, &c, &err));
    assert_int_equal(c.n, 1);
    assert_true(c.keys[0] == 100);
    /* the other database is untouched */
    CHECK(eddy_state_db_open(t, "op/1", &db, &err));
    memset(&c, 0, sizeof c);
    CHECK(eddy_state_scan(&db, NULL, 0, visit, &c, &err));
    assert_int_equal(c.n, 5);
    eddy_state_abort(t);
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_commit_ids_and_meta(void **state)
{
    (void)state;
    char *dir = tmpdir();
    eddy_state *st = open_ok(dir);
    eddy_error err = {0};
    time_t before = time(NULL);
    eddy_state_txn *t;
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_meta_put(t, "source/0", "offset=17", 9, &err));
    /* the checkpoint keys are the store's */
    assert_int_equal(eddy_state_meta_put(t, "checkpoint", "x", 1, &err), EDDY_ESTATE);
    eddy_error_clear(&err);
    /* one write transaction at a time */
    eddy_state_txn *t2;
    assert_int_equal(eddy_state_begin(st, EDDY_STATE_WRITE, &t2, &err), EDDY_ESTATE);
    assert_null(t2);
    eddy_error_clear(&err);
    CHECK(eddy_state_commit(t, 5, &err));
    assert_int_equal(eddy_state_last_checkpoint(st), 5);
    int64_t at = eddy_state_last_checkpoint_at(st);
    assert_true(at >= (int64_t)before * 1000 && at <= ((int64_t)time(NULL) + 1) * 1000);
    /* not after the last: refused, nothing written */
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_meta_put(t, "source/0", "offset=99", 9, &err));
    assert_int_equal(eddy_state_commit(t, 5, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "checkpoint 5"));
    eddy_error_clear(&err);
    assert_int_equal(eddy_state_last_checkpoint(st), 5);
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_commit(t, 6, &err));
    assert_int_equal(eddy_state_last_checkpoint(st), 6);
    /* the meta database has the checkpoint, little-endian, and the caller's key */
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &t, &err));
    const void *v;
    size_t vl;
    CHECK(eddy_state_meta_get(t, "checkpoint", &v, &vl, &err));
    assert_int_equal(vl, 8);
    assert_memory_equal(v, "\x06\0\0\0\0\0\0\0", 8);
    CHECK(eddy_state_meta_get(t, "checkpoint.at", &v, &vl, &err));
    assert_int_equal(vl, 8);
    CHECK(eddy_state_meta_get(t, "source/0", &v, &vl, &err));
    assert_int_equal(vl, 9);
    assert_memory_equal(v, "offset=17", 9);
    /* a read transaction cannot be committed as a checkpoint */
    assert_int_equal(eddy_state_commit(t, 7, &err), EDDY_ESTATE);
    eddy_error_clear(&err);
    assert_int_equal(eddy_state_last_checkpoint(st), 6);
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_reopen(void **state)
{
    (void)state;
    char *dir = tmpdir();
    eddy_state *st = open_ok(dir);
    fill(st, "op/0", 10, 1);
    fill(st, "op/3", 3, 7);
    int64_t at = eddy_state_last_checkpoint_at(st);
    eddy_state_close(st);
    st = open_ok(dir);
    assert_int_equal(eddy_state_last_checkpoint(st), 7);
    assert_true(eddy_state_last_checkpoint_at(st) == at);
    char *v = lookup(st, "op/0", 9);
    assert_string_equal(v, "v9");
    free(v);
    v = lookup(st, "op/3", 2);
    assert_string_equal(v, "v2");
    free(v);
    assert_null(lookup(st, "op/3", 3));
    assert_null(lookup(st, "op/4", 0));
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_abort(void **state)
{
    (void)state;
    char *dir = tmpdir();
    eddy_state *st = open_ok(dir);
    eddy_error err = {0};
    fill(st, "op/0", 4, 1);
    eddy_state_txn *t;
    eddy_state_db db;
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db, &err));
    CHECK(eddy_state_clear(&db, &err));
    CHECK(eddy_state_db_open(t, "op/new", &db, &err));
    CHECK(eddy_state_put(&db, "k", 1, "v", 1, &err));
    CHECK(eddy_state_meta_put(t, "source/0", "x", 1, &err));
    eddy_state_abort(t);
    assert_int_equal(eddy_state_last_checkpoint(st), 1);
    char *v = lookup(st, "op/0", 3);
    assert_string_equal(v, "v3");
    free(v);
    /* the database created by the aborted transaction is gone, and can be created again */
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &t, &err));
    assert_int_equal(eddy_state_db_open(t, "op/new", &db, &err), EDDY_ENOTFOUND);
    const void *mv;
    size_t ml;
    assert_int_equal(eddy_state_meta_get(t, "source/0", &mv, &ml, &err), EDDY_ENOTFOUND);
    eddy_state_abort(t);
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, "op/new", &db, &err));
    unsigned char k[8];
    eddy_state_key_i64(k, 1);
    CHECK(eddy_state_put(&db, k, 8, "w", 1, &err));
    CHECK(eddy_state_commit(t, 2, &err));
    v = lookup(st, "op/new", 1);
    assert_string_equal(v, "w");
    free(v);
    /* close with a transaction still open ends it */
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, "op/new", &db, &err));
    CHECK(eddy_state_clear(&db, &err));
    eddy_state_close(st);
    st = open_ok(dir);
    assert_int_equal(eddy_state_last_checkpoint(st), 2);
    v = lookup(st, "op/new", 1);
    assert_string_equal(v, "w");
    free(v);
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_locked(void **state)
{
    (void)state;
    char *dir = tmpdir();
    eddy_state *st = open_ok(dir);
    fill(st, "op/0", 1, 1);
    eddy_error err = {0};
    eddy_state *st2 = (eddy_state *)1;
    assert_int_equal(eddy_state_open(dir, &st2, &err), EDDY_ESTATE);
    assert_null(st2);
    char want[64];
    snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
    assert_non_null(strstr(err.msg, want));
    assert_non_null(strstr(err.msg, "in use by another eddy process"));
    assert_non_null(strstr(err.msg, dir));
    /* the first store still works, and the files are all there */
    fill(st, "op/0", 2, 2);
    assert_true(file_exists(dir, "LOCK"));
    eddy_state_close(st);
    st = open_ok(dir);
    assert_int_equal(eddy_state_last_checkpoint(st), 2);
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_foreign(void **state)
{
    (void)state;
    char *dir = tmpdir();
    char *p = join(dir, "notes.txt");
    FILE *f = fopen(p, "w");
    fputs("mine\n", f);
    fclose(f);
    free(p);
    eddy_error err = {0};
    eddy_state *st;
    assert_int_equal(eddy_state_open(dir, &st, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "is not an eddy state directory (no data.mdb)"));
    char names[256];
    listing(dir, names, sizeof names);
    assert_string_equal(names, "notes.txt ");
    /* a path through a regular file */
    eddy_error_clear(&err);
    char *sub = join(dir, "notes.txt/state");
    assert_int_equal(eddy_state_open(sub, &st, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "cannot create the state directory"));
    free(sub);
    listing(dir, names, sizeof names);
    assert_string_equal(names, "notes.txt ");
    rm_rf(dir);
}

/* opening dir fails with a message holding each of the NULL-terminated words, and leaves
 * the directory's listing as it was */
static void open_fails(const char *dir, ...)
{
    char before[256], after[256];
    listing(dir, before, sizeof before);
    eddy_error err = {0};
    eddy_state *st = (eddy_state *)1;
    assert_int_equal(eddy_state_open(dir, &st, &err), EDDY_ESTATE);
    assert_null(st);
    va_list ap;
    va_start(ap, dir);
    for (const char *w; (w = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err.msg, w)) fail_msg("'%s' not in: %s", w, err.msg);
    va_end(ap);
    listing(dir, after, sizeof after);
    assert_string_equal(before, after);
}

static void truncate_data(const char *dir, off_t size)
{
    char *p = join(dir, "data.mdb");
    assert_int_equal(truncate(p, size), 0);
    free(p);
}

static void test_damaged(void **state)
{
    (void)state;
    char *dir = tmpdir();
    eddy_state *st = open_ok(dir);
    fill(st, "op/0", 60, 1);
    eddy_error err = {0};
    eddy_state_txn *t;
    eddy_state_db db;
    static char val[1000];
    memset(val, 'd', sizeof val);
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, "op/1", &db, &err));
    for (int i = 0; i < 100; i++) {
        unsigned char k[8];
        eddy_state_key_i64(k, i);
        CHECK(eddy_state_put(&db, k, 8, val, sizeof val, &err));
    }
    CHECK(eddy_state_commit(t, 2, &err));
    eddy_state_close(st);
    off_t full = file_size(dir, "data.mdb");
    assert_true(full >= 8 * 4096);
    char *data = join(dir, "data.mdb");
    truncate_data(dir, full / 2);
    open_fails(dir, data, "damaged", "truncated", NULL);
    truncate_data(dir, 4096); /* one meta page of two */
    open_fails(dir, data, "damaged", NULL);
    truncate_data(dir, 0);
    open_fails(dir, data, "damaged", "empty", NULL);
    /* not an LMDB file at all */
    FILE *f = fopen(data, "w");
    for (int i = 0; i < 3 * 4096; i++)
        fputc('x', f);
    fclose(f);
    open_fails(dir, data, "damaged", NULL);
    /* without lock.mdb and LOCK: a failed open removes the ones it made */
    char *p = join(dir, "lock.mdb");
    unlink(p);
    free(p);
    p = join(dir, "LOCK");
    unlink(p);
    free(p);
    open_fails(dir, data, "damaged", NULL);
    free(data);
    rm_rf(dir);
}

/* an LMDB environment written by someone else (no meta), or with another format */
static void lmdb_env_with(const char *dir, const char *dbname, const char *key, const char *val)
{
    MDB_env *env;
    MDB_txn *t;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
    assert_int_equal(mdb_env_open(env, dir, 0, 0644), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &t), 0);
    assert_int_equal(mdb_dbi_open(t, dbname, MDB_CREATE, &dbi), 0);
    MDB_val k = {strlen(key), (void *)key}, v = {strlen(val), (void *)val};
    assert_int_equal(mdb_put(t, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(t), 0);
    mdb_env_close(env);
}

static void test_not_eddy_state(void **state)
{
    (void)state;
    char *dir = tmpdir();
    lmdb_env_with(dir, "users", "alice", "1");
    open_fails(dir, "no eddy state", "no 'meta' database", NULL);
    rm_rf(dir);
    dir = tmpdir();
    lmdb_env_with(dir, "meta", "format", "eddy-state 2");
    open_fails(dir, "state format 'eddy-state 2'", "'eddy-state 1'", NULL);
    rm_rf(dir);
    dir = tmpdir();
    lmdb_env_with(dir, "meta", "checkpoint", "\x01\0\0\0\0\0\0\0");
    open_fails(dir, "state format none", NULL);
    rm_rf(dir);
}

static void test_map_full(void **state)
{
    (void)state;
    char *dir = tmpdir();
    setenv("EDDY_STATE_TEST_MAPSIZE", "262144", 1);
    eddy_state *st = open_ok(dir);
    unsetenv("EDDY_STATE_TEST_MAPSIZE");
    eddy_error err = {0};
    static char val[4000];
    memset(val, 'z', sizeof val);
    /* 600 values of 4000 bytes (~2.4 MB) in one checkpoint: the map must grow several times */
    int full = 0, rc;
    for (;;) {
        eddy_state_txn *t;
        eddy_state_db db;
        CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
        rc = eddy_state_db_open(t, "op/0", &db, &err);
        for (int i = 0; rc == 0 && i < 600; i++) {
            unsigned char k[8];
            eddy_state_key_i64(k, i);
            rc = eddy_state_put(&db, k, 8, val, sizeof val, &err);
        }
        if (rc == 0) {
            rc = eddy_state_commit(t, 1, &err);
        } else {
            /* the transaction is dead: every call says so, until it is ended */
            assert_int_equal(rc, EDDY_ESTATE_FULL);
            assert_int_equal(eddy_state_put(&db, "k", 1, "v", 1, NULL), EDDY_ESTATE_FULL);
            eddy_state_abort(t);
        }
        if (rc == 0) break;
        assert_int_equal(rc, EDDY_ESTATE_FULL);
        assert_non_null(strstr(err.msg, "run the checkpoint again"));
        eddy_error_clear(&err);
        assert_true(++full < 10);
    }
    assert_true(full >= 2);
    assert_int_equal(eddy_state_last_checkpoint(st), 1);
    assert_true(eddy_state_size(st) > 600 * 4000);
    eddy_state_close(st);
    /* reopened (with the normal map): all there */
    st = open_ok(dir);
    eddy_state_txn *t;
    eddy_state_db db;
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &t, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db, &err));
    collect c = {0};
    c.stop_after = 64;
    CHECK(eddy_state_scan(&db, NULL, 0, visit, &c, &err));
    assert_int_equal(c.n, 64);
    unsigned char k[8];
    eddy_state_key_i64(k, 599);
    const void *v;
    size_t vl;
    CHECK(eddy_state_get(&db, k, 8, &v, &vl, &err));
    assert_int_equal(vl, sizeof val);
    eddy_state_abort(t);
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_map_grows_before_write(void **state)
{
    (void)state;
    char *dir = tmpdir();
    setenv("EDDY_STATE_TEST_MAPSIZE", "262144", 1);
    eddy_state *st = open_ok(dir);
    unsetenv("EDDY_STATE_TEST_MAPSIZE");
    /* small checkpoints, each well under the map, never see a full map: begin grows it */
    static char val[2000];
    memset(val, 'q', sizeof val);
    eddy_error err = {0};
    for (int cp = 1; cp <= 40; cp++) {
        eddy_state_txn *t;
        eddy_state_db db;
        CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
        CHECK(eddy_state_db_open(t, "op/0", &db, &err));
        for (int i = 0; i < 20; i++) {
            unsigned char k[8];
            eddy_state_key_i64(k, cp * 100 + i);
            CHECK(eddy_state_put(&db, k, 8, val, sizeof val, &err));
        }
        CHECK(eddy_state_commit(t, (uint64_t)cp, &err));
    }
    assert_true(eddy_state_size(st) > 40 * 20 * 2000);
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_commit_fails(void **state)
{
    (void)state;
    char *dir = tmpdir();
    eddy_state *st = open_ok(dir);
    fill(st, "op/0", 10, 1);
    eddy_error err = {0};
    /* a file-size limit at the current size makes LMDB's writes fail, as a full disk does */
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {(rlim_t)file_size(dir, "data.mdb"), old.rlim_max};
    static char val[4000];
    memset(val, 'f', sizeof val);
    eddy_state_txn *t;
    eddy_state_db db;
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db, &err));
    CHECK(eddy_state_clear(&db, &err));
    for (int i = 0; i < 100; i++) {
        unsigned char k[8];
        eddy_state_key_i64(k, 1000 + i);
        CHECK(eddy_state_put(&db, k, 8, val, sizeof val, &err));
    }
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = eddy_state_commit(t, 2, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(rc, EDDY_ESTATE);
    assert_non_null(strstr(err.msg, strerror(EFBIG)));
    assert_non_null(strstr(err.msg, "last completed checkpoint is still 1"));
    eddy_error_clear(&err);
    assert_int_equal(eddy_state_last_checkpoint(st), 1);
    char *v = lookup(st, "op/0", 5);
    assert_string_equal(v, "v5");
    free(v);
    assert_null(lookup(st, "op/0", 1000));
    /* the store goes on once writes work again */
    fill(st, "op/1", 3, 2);
    eddy_state_close(st);
    st = open_ok(dir);
    assert_int_equal(eddy_state_last_checkpoint(st), 2);
    v = lookup(st, "op/0", 5);
    assert_string_equal(v, "v5");
    free(v);
    eddy_state_close(st);
    rm_rf(dir);
}

static void test_copy(void **state)
{
    (void)state;
    char *dir = tmpdir();
    char *root = tmpdir();
    eddy_state *st = open_ok(dir);
    eddy_error err = {0};
    fill(st, "op/0", 50, 1);
    fill(st, "op/2", 7, 3);
    /* free pages in the original: the compacted copy leaves them out */
    eddy_state_txn *t;
    eddy_state_db db;
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    CHECK(eddy_state_db_open(t, "op/0", &db, &err));
    CHECK(eddy_state_clear(&db, &err));
    unsigned char k[8];
    eddy_state_key_i64(k, -7);
    CHECK(eddy_state_put(&db, k, 8, "neg", 3, &err));
    CHECK(eddy_state_meta_put(t, "plan", "P1", 2, &err));
    CHECK(eddy_state_commit(t, 4, &err));
    /* a read transaction open on the job's thread does not disturb the copy */
    eddy_state_txn *rt;
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &rt, &err));
    char *dst = join(root, "savepoints/sp-1");
    CHECK(eddy_state_copy(st, dst, &err));
    eddy_state_abort(rt);
    /* not into a directory that holds something */
    assert_int_equal(eddy_state_copy(st, dst, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "not empty"));
    eddy_error_clear(&err);
    /* not during a write transaction */
    CHECK(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err));
    char *dst2 = join(root, "sp-2");
    assert_int_equal(eddy_state_copy(st, dst2, &err), EDDY_ESTATE);
    eddy_error_clear(&err);
    eddy_state_abort(t);
    assert_false(file_exists(root, "sp-2"));
    free(dst2);
    eddy_state_close(st);

    st = open_ok(dst);
    assert_int_equal(eddy_state_last_checkpoint(st), 4);
    char *v = lookup(st, "op/0", -7);
    assert_string_equal(v, "neg");
    free(v);
    assert_null(lookup(st, "op/0", 3));
    v = lookup(st, "op/2", 6);
    assert_string_equal(v, "v6");
    free(v);
    CHECK(eddy_state_begin(st, EDDY_STATE_READ, &t, &err));
    const void *pv;
    size_t pl;
    CHECK(eddy_state_meta_get(t, "plan", &pv, &pl, &err));
    assert_int_equal(pl, 2);
    eddy_state_abort(t);
    /* and it takes new checkpoints */
    fill(st, "op/5", 2, 5);
    eddy_state_close(st);
    assert_true(file_size(dst, "data.mdb") <= file_size(dir, "data.mdb"));
    free(dst);
    rm_rf(root);
    rm_rf(dir);
}

static void test_key_i64(void **state)
{
    (void)state;
    static const int64_t vals[] = {INT64_MIN, INT64_MIN + 1, -86400000,     -2,       -1, 0, 1,
                                   2,         1700000000000, INT64_MAX - 1, INT64_MAX};
    int n = (int)(sizeof vals / sizeof vals[0]);
    unsigned char a[8], b[8];
    for (int i = 0; i < n; i++) {
        eddy_state_key_i64(a, vals[i]);
        assert_true(eddy_state_key_i64_get(a) == vals[i]);
        for (int j = 0; j < n; j++) {
            eddy_state_key_i64(b, vals[j]);
            int c = memcmp(a, b, 8);
            assert_true(i < j ? c < 0 : i > j ? c > 0 : c == 0);
        }
    }
    eddy_state_key_i64(a, 0);
    assert_memory_equal(a, "\x80\0\0\0\0\0\0\0", 8);
    eddy_state_key_i64(a, -1);
    assert_memory_equal(a, "\x7f\xff\xff\xff\xff\xff\xff\xff", 8);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_close),
        cmocka_unit_test(test_put_get_del_scan),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_commit_ids_and_meta),
        cmocka_unit_test(test_reopen),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_foreign),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_not_eddy_state),
        cmocka_unit_test(test_map_full),
        cmocka_unit_test(test_map_grows_before_write),
        cmocka_unit_test(test_commit_fails),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_key_i64),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
