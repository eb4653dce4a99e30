/*
 * test_sink_commit.c: the exactly-once sink contract of runtime/connector.h, driven through the
 * connector API as the job drives it: write, prepare_commit(N) (marker), commit(N), and after
 * a crash a new sink's recover(marker of the last durable checkpoint, or NULL).
 *
 * filesystem: nothing visible before commit (rolled files and flush() included), the marker's
 * text, deterministic names; crashes simulated by a child process that dies (_exit, no close)
 * after the checkpoint is durable but before commit, before the checkpoint is durable, and
 * before any checkpoint - each recovered run must leave exactly the files (names and contents)
 * of a run that never crashed, with no in-progress file left; recover(NULL) removing only this
 * job's and sink index's in-progress files; a new run not overwriting an earlier run's files; a
 * failed checkpoint's files committed by the next; rows written between prepare_commit(N) and
 * commit(N) (asynchronous checkpoints) left for N+1, also across a crash; _SUCCESS only after
 * a clean end; a bad
 * marker refused. print: rows held until commit when the output is not a terminal, printed at
 * once on a terminal, 'sink.delivery-guarantee' overriding. blackhole: every call harmless.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_conn_util.h"

static char tmpdir[256];

static int setup(void **st)
{
    (void)st;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/eddy-test-commit-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const eddy_sink_ops *fs(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "filesystem")->sink;
}

static void path_of(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", tmpdir, rel);
}

static void put(const char *rel, const char *text)
{
    char p[512];
    path_of(p, sizeof p, rel);
    for (char *s = p + strlen(tmpdir) + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0777);
            *s = '/';
        }
    tc_write_file(p, text);
}

static bool exists(const char *rel)
{
    char p[512];
    path_of(p, sizeof p, rel);
    return access(p, F_OK) == 0;
}

/* Every file under dir, sorted, as "relative/name: contents" lines ('|' for line ends). */
static void tree_rec(const char *root, const char *rel, eddy_strbuf *out)
{
    char p[1024];
    snprintf(p, sizeof p, "%s%s%s", root, rel[0] ? "/" : "", rel);
    struct dirent **list;
    int n = scandir(p, &list, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = list[i]->d_name;
        if (strcmp(nm, ".") && strcmp(nm, "..")) {
            char r[1024], full[2048];
            snprintf(r, sizeof r, "%s%s%s", rel, rel[0] ? "/" : "", nm);
            snprintf(full, sizeof full, "%s/%s", root, r);
            struct stat st;
            stat(full, &st);
            if (S_ISDIR(st.st_mode)) {
                tree_rec(root, r, out);
            } else {
                char *text = tc_read_file(full);
                eddy_strbuf_printf(out, "%s: ", r);
                for (char *c = text; *c; c++) eddy_strbuf_putc(out, *c == '\n' ? '|' : *c);
                eddy_strbuf_putc(out, '\n');
                free(text);
            }
        }
        free(list[i]);
    }
    if (n >= 0) free(list);
}

static char *tree(const char *rel)
{
    char p[512];
    path_of(p, sizeof p, rel);
    eddy_strbuf out = {0};
    tree_rec(p, "", &out);
    if (!out.s) return strdup("");
    return eddy_strbuf_take(&out);
}

/* ---------------------------------------------------------------------------------------- */
/* A table (id BIGINT, name STRING, dt STRING) and its sink                                 */

typedef struct table {
    eddy_schema s;
    eddy_kv kv[8];
    int nkv;
    char path[512];
    eddy_sink_spec spec;
} table;

static const char *col_names[] = {"id", "name", "dt"};

/* A table over tmpdir/rel; partitioned by dt when `partitioned`; extra options after. */
static void table_init(table *t, const char *rel, bool partitioned, const char *k1, const char *v1)
{
    memset(t, 0, sizeof *t);
    static eddy_sqltype *types[] = {&tc_bigint, &tc_varchar, &tc_varchar};
    t->s = tc_schema(3, col_names, types);
    path_of(t->path, sizeof t->path, rel);
    t->kv[t->nkv++] = (eddy_kv){"connector", "filesystem"};
    t->kv[t->nkv++] = (eddy_kv){"path", t->path};
    t->kv[t->nkv++] = (eddy_kv){"format", "csv"};
    if (partitioned) {
        t->kv[t->nkv++] = (eddy_kv){"partition.keys", "dt"};
        t->kv[t->nkv++] = (eddy_kv){"sink.partition-commit.policy.kind", "success-file"};
    }
    if (k1) t->kv[t->nkv++] = (eddy_kv){k1, v1};
    t->spec = tc_sink_spec("out", &t->s, t->kv, t->nkv, NULL);
    t->spec.job_name = "job1";
    t->spec.checkpointing = true;
    t->spec.index = 0;
}

static void *sink_open(table *t)
{
    void *st = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    if (fs()->open(&t->spec, &st, &err) != 0) fail_msg("open: %s", err.msg);
    return st;
}

/* Rows from..from+n-1; dt alternates between two days when `days`. */
static void write_rows(void *st, table *t, int from, int n, bool days)
{
    eddy_batch *b = tc_batch(&t->s, n);
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", from + i);
        b->cols[0].v.i64[i] = from + i;
        b->cols[1].v.str[i] = eddy_batch_str(b, name, strlen(name));
        const char *dt = days && (from + i) % 2 ? "2024-01-02" : "2024-01-01";
        b->cols[2].v.str[i] = eddy_batch_str(b, dt, 10);
    }
    b->n = n;
    eddy_error err;
    eddy_error_clear(&err);
    if (fs()->write(st, b, &err) != 0) fail_msg("write: %s", err.msg);
    eddy_batch_free(b);
}

/* prepare_commit(n); returns the marker (malloc'ed). */
static char *prepare(void *st, uint64_t n)
{
    eddy_strbuf m = {0};
    eddy_error err;
    eddy_error_clear(&err);
    if (fs()->prepare_commit(st, n, &m, &err) != 0) fail_msg("prepare_commit: %s", err.msg);
    return m.s ? eddy_strbuf_take(&m) : strdup("");
}

static void commit(void *st, uint64_t n)
{
    eddy_error err;
    eddy_error_clear(&err);
    if (fs()->commit(st, n, &err) != 0) fail_msg("commit: %s", err.msg);
}

static void recover(void *st, const char *marker)
{
    eddy_error err;
    eddy_error_clear(&err);
    if (fs()->recover(st, marker, marker ? strlen(marker) : 0, &err) != 0)
        fail_msg("recover: %s", err.msg);
}

/* ---------------------------------------------------------------------------------------- */
/* filesystem                                                                               */

static void test_fs_visible_at_commit(void **st)
{
    (void)st;
    table t;
    table_init(&t, "basic", false, NULL, NULL);
    void *k = sink_open(&t);
    recover(k, NULL);
    write_rows(k, &t, 1, 3, false);
    char *l = tree("basic");
    assert_string_equal(l, ".part-job1-s0-r0-c1-0.csv.inprogress: \n"); /* buffered */
    free(l);
    /* flush() writes out but publishes nothing */
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(fs()->flush(k, &err), 0);
    l = tree("basic");
    assert_string_equal(l, ".part-job1-s0-r0-c1-0.csv.inprogress: 1,n1,2024-01-01|2,n2,2024-01-01|"
                           "3,n3,2024-01-01|\n");
    free(l);
    char *m = prepare(k, 1);
    assert_string_equal(m, "filesystem-sink 1 run=0 checkpoint=1 next=2\n"
                           ".part-job1-s0-r0-c1-0.csv.inprogress\tpart-job1-s0-r0-c1-0.csv\n");
    free(m);
    assert_false(exists("basic/part-job1-s0-r0-c1-0.csv"));
    commit(k, 1);
    l = tree("basic");
    assert_string_equal(l, "part-job1-s0-r0-c1-0.csv: 1,n1,2024-01-01|2,n2,2024-01-01|"
                           "3,n3,2024-01-01|\n");
    free(l);
    /* rows after the checkpoint: in checkpoint 2's file; a close without commit drops it */
    write_rows(k, &t, 4, 1, false);
    assert_true(exists("basic/.part-job1-s0-r0-c2-0.csv.inprogress"));
    fs()->close(k);
    l = tree("basic");
    assert_string_equal(l, "part-job1-s0-r0-c1-0.csv: 1,n1,2024-01-01|2,n2,2024-01-01|"
                           "3,n3,2024-01-01|\n");
    free(l);
    /* an empty checkpoint: a marker with no files, nothing renamed */
    k = sink_open(&t);
    m = prepare(k, 7);
    assert_string_equal(m, "filesystem-sink 1 run=1 checkpoint=7 next=8\n");
    free(m);
    commit(k, 7);
    fs()->close(k);
    free(t.s.fields);
}

/* The reference: three checkpoints, partitioned, small files (rolling), never interrupted. */
static void run_checkpoints(table *t, void *k, int from_ckpt)
{
    static const int first[] = {1, 9, 21}, count[] = {8, 12, 5};
    for (int c = from_ckpt; c <= 3; c++) {
        write_rows(k, t, first[c - 1], count[c - 1], true);
        free(prepare(k, (uint64_t)c));
        commit(k, (uint64_t)c);
    }
}

static char *reference(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/ref'", tmpdir);
    assert_int_equal(system(cmd), 0);
    table t;
    table_init(&t, "ref", true, "sink.rolling-policy.file-size", "20b");
    void *k = sink_open(&t);
    recover(k, NULL);
    run_checkpoints(&t, k, 1);
    fs()->close(k);
    free(t.s.fields);
    return tree("ref");
}

/* In a child that dies without closing anything: checkpoints 1..upto committed, then
 * checkpoint upto+1 prepared (its marker written to marker_file) and, unless durable, not
 * stored; then rows of the next checkpoint written. The marker of the last durable checkpoint
 * goes to marker_file. */
static void crash_child(table *t, int committed, bool prepared_durable, const char *marker_file)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        static const int first[] = {1, 9, 21, 26}, count[] = {8, 12, 5, 1};
        void *k = sink_open(t);
        recover(k, NULL);
        char *last = strdup("");
        for (int c = 1; c <= committed; c++) {
            write_rows(k, t, first[c - 1], count[c - 1], true);
            free(last);
            last = prepare(k, (uint64_t)c);
            commit(k, (uint64_t)c);
        }
        int c = committed + 1;
        write_rows(k, t, first[c - 1], count[c - 1], true);
        char *m = prepare(k, (uint64_t)c); /* the checkpoint's LMDB transaction ... */
        if (prepared_durable) {            /* ... became durable, commit() did not happen */
            free(last);
            last = m;
        } else {
            free(m);
        }
        write_rows(k, t, first[c], count[c], true); /* after that checkpoint, in progress */
        fs()->flush(k, &(eddy_error){0});
        tc_write_file(marker_file, last);
        _exit(0); /* the crash: no close, no cleanup */
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void check_crash(int committed, bool prepared_durable)
{
    char *ref = reference();
    table t;
    char rel[64], mf[512];
    snprintf(rel, sizeof rel, "crash-%d-%d", committed, (int)prepared_durable);
    table_init(&t, rel, true, "sink.rolling-policy.file-size", "20b");
    path_of(mf, sizeof mf, "marker");
    crash_child(&t, committed, prepared_durable, mf);
    char *before = tree(rel);
    assert_non_null(strstr(before, ".inprogress")); /* the crash left in-progress files */
    free(before);
    /* restart: recover from the last durable checkpoint's marker, then go on from there */
    char *marker = tc_read_file(mf);
    void *k = sink_open(&t);
    recover(k, marker[0] ? marker : NULL);
    int done = committed + (prepared_durable ? 1 : 0);
    char *mid = tree(rel);
    assert_null(strstr(mid, ".inprogress"));
    free(mid);
    run_checkpoints(&t, k, done + 1);
    fs()->close(k);
    /* recovering twice from the same marker changes nothing (idempotent) */
    if (marker[0]) {
        char *again = tree(rel);
        k = sink_open(&t);
        recover(k, marker);
        fs()->close(k);
        char *after = tree(rel);
        assert_string_equal(again, after);
        free(again);
        free(after);
    }
    char *got = tree(rel);
    if (strcmp(ref, got) != 0)
        fail_msg("after a crash (%d committed, prepared durable %d):\n--- reference ---\n%s"
                 "--- recovered ---\n%s",
                 committed, (int)prepared_durable, ref, got);
    assert_non_null(strstr(got, "dt=2024-01-02/part-job1-s0-r0-c2-"));
    assert_non_null(strstr(got, "-c2-3.csv")); /* files rolled within a checkpoint */
    assert_non_null(strstr(got, "dt=2024-01-01/_SUCCESS"));
    free(got);
    free(ref);
    free(marker);
    free(t.s.fields);
}

static void test_fs_crash_after_durable_checkpoint(void **st)
{
    (void)st;
    check_crash(1, true);  /* checkpoint 2 durable, its renames not done */
}

static void test_fs_crash_before_durable_checkpoint(void **st)
{
    (void)st;
    check_crash(1, false); /* checkpoint 2 prepared, not durable: redo from checkpoint 1 */
}

static void test_fs_crash_before_first_checkpoint(void **st)
{
    (void)st;
    check_crash(0, false);
}

static void test_fs_recover_null_scope(void **st)
{
    (void)st;
    put("scope/.part-job1-s0-r0-c5-0.csv.inprogress", "mine\n");
    put("scope/dt=x/.part-job1-s0-r3-c1-2.json.inprogress", "mine, another run and format\n");
    put("scope/.part-job1-s1-r0-c5-0.csv.inprogress", "sink 1\n");
    put("scope/.part-other-s0-r0-c1-0.csv.inprogress", "another job\n");
    put("scope/.part-job1-0123456789abcdef-0.csv.inprogress", "at-least-once naming\n");
    put("scope/part-job1-s0-r0-c1-0.csv", "an earlier run's output\n");
    put("scope/dt=y/part-job1-s0-r4-c9-0.csv", "an earlier run's output\n");
    table t;
    table_init(&t, "scope", false, NULL, NULL);
    void *k = sink_open(&t);
    recover(k, NULL);
    assert_false(exists("scope/.part-job1-s0-r0-c5-0.csv.inprogress"));
    assert_false(exists("scope/dt=x/.part-job1-s0-r3-c1-2.json.inprogress"));
    assert_true(exists("scope/.part-job1-s1-r0-c5-0.csv.inprogress"));
    assert_true(exists("scope/.part-other-s0-r0-c1-0.csv.inprogress"));
    assert_true(exists("scope/.part-job1-0123456789abcdef-0.csv.inprogress"));
    /* a new run: past every earlier run's number, so nothing is overwritten */
    write_rows(k, &t, 1, 1, false);
    free(prepare(k, 1));
    commit(k, 1);
    fs()->close(k);
    assert_true(exists("scope/part-job1-s0-r5-c1-0.csv"));
    char p[512];
    path_of(p, sizeof p, "scope/part-job1-s0-r0-c1-0.csv");
    char *text = tc_read_file(p);
    assert_string_equal(text, "an earlier run's output\n");
    free(text);
    /* sink index 1 of the same job cleans only its own */
    t.spec.index = 1;
    k = sink_open(&t);
    recover(k, NULL);
    fs()->close(k);
    assert_false(exists("scope/.part-job1-s1-r0-c5-0.csv.inprogress"));
    assert_true(exists("scope/.part-other-s0-r0-c1-0.csv.inprogress"));
    free(t.s.fields);
}

static void test_fs_failed_checkpoint(void **st)
{
    (void)st;
    /* prepare_commit(1) whose checkpoint failed (no commit): the next marker lists its files
     * again and the next commit publishes them */
    table t;
    table_init(&t, "failed", false, NULL, NULL);
    void *k = sink_open(&t);
    recover(k, NULL);
    write_rows(k, &t, 1, 2, false);
    free(prepare(k, 1));
    write_rows(k, &t, 3, 1, false);
    char *m = prepare(k, 2);
    assert_string_equal(m, "filesystem-sink 1 run=0 checkpoint=2 next=3\n"
                           ".part-job1-s0-r0-c1-0.csv.inprogress\tpart-job1-s0-r0-c1-0.csv\n"
                           ".part-job1-s0-r0-c2-0.csv.inprogress\tpart-job1-s0-r0-c2-0.csv\n");
    free(m);
    commit(k, 2);
    write_rows(k, &t, 4, 1, false);
    free(prepare(k, 3));
    commit(k, 3);
    fs()->close(k);
    char *l = tree("failed");
    assert_string_equal(l, "part-job1-s0-r0-c1-0.csv: 1,n1,2024-01-01|2,n2,2024-01-01|\n"
                           "part-job1-s0-r0-c2-0.csv: 3,n3,2024-01-01|\n"
                           "part-job1-s0-r0-c3-0.csv: 4,n4,2024-01-01|\n");
    free(l);
    free(t.s.fields);
}

/* Asynchronous checkpoints (runtime/checkpoint.h): the job writes rows between prepare_commit(N)
 * and commit(N) while checkpoint N is being written. They belong to N+1: commit(N) must not
 * publish them, and their files are named for N+1, as a run recovered from N names them. */
static void between_child(table *t, const char *marker_file)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        void *k = sink_open(t);
        recover(k, NULL);
        write_rows(k, t, 1, 2, false);
        char *m = prepare(k, 1); /* checkpoint 1 becomes durable in its writer ... */
        write_rows(k, t, 3, 2, false); /* ... while the job writes on ... */
        fs()->flush(k, &(eddy_error){0});
        tc_write_file(marker_file, m);
        _exit(0); /* ... and dies before commit(1): no close, no cleanup */
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_fs_rows_between_prepare_and_commit(void **st)
{
    (void)st;
    table t;
    table_init(&t, "between", false, NULL, NULL);
    void *k = sink_open(&t);
    recover(k, NULL);
    write_rows(k, &t, 1, 2, false);
    char *m = prepare(k, 1);
    assert_string_equal(m, "filesystem-sink 1 run=0 checkpoint=1 next=2\n"
                           ".part-job1-s0-r0-c1-0.csv.inprogress\tpart-job1-s0-r0-c1-0.csv\n");
    free(m);
    write_rows(k, &t, 3, 2, false); /* checkpoint 1 is being written */
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(fs()->flush(k, &err), 0);
    commit(k, 1);
    char *l = tree("between");
    assert_string_equal(l, ".part-job1-s0-r0-c2-0.csv.inprogress: 3,n3,2024-01-01|4,n4,2024-01-01|\n"
                           "part-job1-s0-r0-c1-0.csv: 1,n1,2024-01-01|2,n2,2024-01-01|\n");
    free(l);
    m = prepare(k, 2);
    assert_string_equal(m, "filesystem-sink 1 run=0 checkpoint=2 next=3\n"
                           ".part-job1-s0-r0-c2-0.csv.inprogress\tpart-job1-s0-r0-c2-0.csv\n");
    free(m);
    commit(k, 2);
    fs()->close(k);
    char *ref = tree("between");
    assert_string_equal(ref, "part-job1-s0-r0-c1-0.csv: 1,n1,2024-01-01|2,n2,2024-01-01|\n"
                             "part-job1-s0-r0-c2-0.csv: 3,n3,2024-01-01|4,n4,2024-01-01|\n");

    /* the same, killed after checkpoint 1 was durable and before commit(1): the rows written
     * after prepare_commit(1) are dropped and written again, under the same names */
    table t2;
    table_init(&t2, "between-crash", false, NULL, NULL);
    char mf[512];
    path_of(mf, sizeof mf, "between-marker");
    between_child(&t2, mf);
    char *marker = tc_read_file(mf);
    k = sink_open(&t2);
    recover(k, marker);
    l = tree("between-crash");
    assert_string_equal(l, "part-job1-s0-r0-c1-0.csv: 1,n1,2024-01-01|2,n2,2024-01-01|\n");
    free(l);
    write_rows(k, &t2, 3, 2, false);
    free(prepare(k, 2));
    commit(k, 2);
    fs()->close(k);
    l = tree("between-crash");
    assert_string_equal(l, ref);
    free(l);
    free(ref);
    free(marker);
    free(t.s.fields);
    free(t2.s.fields);
}

static void test_fs_rolling_and_success(void **st)
{
    (void)st;
    table t;
    table_init(&t, "roll", true, "sink.rolling-policy.file-size", "10b");
    void *k = sink_open(&t);
    recover(k, NULL);
    write_rows(k, &t, 1, 6, true);
    /* rolled files are closed but stay invisible until the commit */
    char *l = tree("roll");
    assert_null(strstr(l, "/part-"));
    assert_non_null(strstr(l, "dt=2024-01-01/.part-job1-s0-r0-c1-1.csv.inprogress"));
    free(l);
    free(prepare(k, 1));
    commit(k, 1);
    l = tree("roll");
    assert_null(strstr(l, "inprogress"));
    /* rows alternate between the days; a file rolls after two rows of 5 bytes */
    assert_non_null(strstr(l, "dt=2024-01-01/part-job1-s0-r0-c1-1.csv: 2,n2|4,n4|\n"));
    assert_non_null(strstr(l, "dt=2024-01-01/part-job1-s0-r0-c1-3.csv: 6,n6|\n"));
    assert_non_null(strstr(l, "dt=2024-01-02/part-job1-s0-r0-c1-0.csv: 1,n1|3,n3|\n"));
    assert_null(strstr(l, "_SUCCESS"));
    free(l);
    /* closing with uncommitted rows: no _SUCCESS, the rows gone */
    write_rows(k, &t, 7, 1, true);
    fs()->close(k);
    l = tree("roll");
    assert_null(strstr(l, "_SUCCESS"));
    assert_null(strstr(l, "n7"));
    free(l);
    /* a clean end (everything committed): _SUCCESS in every partition written */
    k = sink_open(&t);
    recover(k, NULL);
    write_rows(k, &t, 8, 2, true);
    free(prepare(k, 1));
    commit(k, 1);
    fs()->close(k);
    assert_true(exists("roll/dt=2024-01-01/_SUCCESS"));
    assert_true(exists("roll/dt=2024-01-02/_SUCCESS"));
    free(t.s.fields);
}

static void test_fs_errors(void **st)
{
    (void)st;
    table t;
    table_init(&t, "errs", false, NULL, NULL);
    void *k = sink_open(&t);
    eddy_error err;
    const char *bad[] = {"garbage", "filesystem-sink 1 run=0 checkpoint=1 next=2\nno-tab\n",
                         "filesystem-sink 1 run=0 checkpoint=1 next=2\n../x\ta/../../y\n",
                         "filesystem-sink 1 run=0 checkpoint=1 next=2\n/etc/x\ty\n"};
    for (int i = 0; i < 4; i++) {
        eddy_error_clear(&err);
        assert_int_equal(fs()->recover(k, bad[i], strlen(bad[i]), &err), EDDY_ESTATE);
        assert_non_null(strstr(err.msg, "table 'out': the checkpoint's commit marker of the "
                                        "filesystem sink is not readable"));
    }
    /* files a marker lists that are gone entirely (a reader moved the committed output away)
     * were committed: nothing to redo; ".." inside a name is no parent directory */
    put("errs/dt=a..b/.part-job1-s0-r0-c1-1.csv.inprogress", "9,n9\n");
    const char *good = "filesystem-sink 1 run=0 checkpoint=1 next=2\n"
                       ".part-job1-s0-r0-c1-0.csv.inprogress\tpart-job1-s0-r0-c1-0.csv\n"
                       "dt=a..b/.part-job1-s0-r0-c1-1.csv.inprogress\t"
                       "dt=a..b/part-job1-s0-r0-c1-1.csv\n";
    recover(k, good);
    assert_true(exists("errs/dt=a..b/part-job1-s0-r0-c1-1.csv"));
    assert_false(exists("errs/part-job1-s0-r0-c1-0.csv"));
    fs()->close(k);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/errs'", tmpdir);
    assert_int_equal(system(cmd), 0);
    /* a changelog is refused with checkpoints too */
    t.spec.changelog = true;
    void *k2 = NULL;
    eddy_error_clear(&err);
    assert_int_equal(fs()->open(&t.spec, &k2, &err), EDDY_EPLAN);
    /* a rename that cannot happen is an error naming both files */
    t.spec.changelog = false;
    k = sink_open(&t);
    recover(k, NULL);
    write_rows(k, &t, 1, 1, false);
    free(prepare(k, 1));
    put("errs/part-job1-s0-r0-c1-0.csv/blocker", "a directory in the way\n");
    eddy_error_clear(&err);
    assert_int_equal(fs()->commit(k, 1, &err), EDDY_EIO);
    assert_non_null(strstr(err.msg, "cannot rename"));
    assert_non_null(strstr(err.msg, ".part-job1-s0-r0-c1-0.csv.inprogress to "));
    fs()->close(k);
    /* without checkpoints: today's names, visible at flush */
    t.spec.checkpointing = false;
    k = sink_open(&t);
    write_rows(k, &t, 1, 1, false);
    eddy_error_clear(&err);
    assert_int_equal(fs()->flush(k, &err), 0);
    fs()->close(k);
    char *l = tree("errs");
    assert_non_null(strstr(l, "\npart-job1-"));
    free(l);
    free(t.s.fields);
}

/* ---------------------------------------------------------------------------------------- */
/* print and blackhole                                                                      */

static const eddy_sink_ops *pr(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "print")->sink;
}

static void print_rows(void *st, const eddy_schema *s, int from, int n)
{
    eddy_batch *b = tc_batch(s, n);
    for (int i = 0; i < n; i++) b->cols[0].v.i64[i] = from + i;
    b->n = n;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(pr()->write(st, b, &err), 0);
    eddy_batch_free(b);
}

static void test_print_held_until_commit(void **st)
{
    (void)st;
    const char *names[] = {"v"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    const eddy_kv kv[] = {{"connector", "print"}};
    eddy_sink_spec spec = tc_sink_spec("p", &s, kv, 1, out);
    spec.checkpointing = true;
    void *p = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(pr()->open(&spec, &p, &err), 0);
    eddy_error_clear(&err);
    assert_int_equal(pr()->recover(p, NULL, 0, &err), 0);
    print_rows(p, &s, 1, 2);
    assert_int_equal(pr()->flush(p, &err), 0);
    fflush(out);
    assert_int_equal(len, 0);
    eddy_strbuf m = {0};
    assert_int_equal(pr()->prepare_commit(p, 1, &m, &err), 0);
    assert_int_equal(m.n, 0);
    print_rows(p, &s, 3, 1); /* after checkpoint 1: printed with checkpoint 2 */
    fflush(out);
    assert_int_equal(len, 0);
    assert_int_equal(pr()->commit(p, 1, &err), 0);
    assert_string_equal(buf, "[1]\n[2]\n");
    assert_int_equal(pr()->prepare_commit(p, 2, &m, &err), 0);
    assert_int_equal(pr()->commit(p, 2, &err), 0);
    assert_string_equal(buf, "[1]\n[2]\n[3]\n");
    /* rows not committed when the sink closes are never printed */
    print_rows(p, &s, 4, 1);
    pr()->close(p);
    assert_string_equal(buf, "[1]\n[2]\n[3]\n");
    /* 'none' prints at once even into a pipe; without checkpoints rows print at once */
    const eddy_kv kv2[] = {{"connector", "print"}, {"sink.delivery-guarantee", "none"}};
    spec = tc_sink_spec("p", &s, kv2, 2, out);
    spec.checkpointing = true;
    assert_int_equal(pr()->open(&spec, &p, &err), 0);
    print_rows(p, &s, 5, 1);
    fflush(out);
    assert_string_equal(buf, "[1]\n[2]\n[3]\n[5]\n");
    pr()->close(p);
    spec = tc_sink_spec("p", &s, kv, 1, out);
    assert_int_equal(pr()->open(&spec, &p, &err), 0);
    print_rows(p, &s, 6, 1);
    fflush(out);
    assert_string_equal(buf, "[1]\n[2]\n[3]\n[5]\n[6]\n");
    pr()->close(p);
    /* a bad value is named with the choices */
    const eddy_kv kv3[] = {{"connector", "print"}, {"sink.delivery-guarantee", "exactly_once"}};
    spec = tc_sink_spec("p", &s, kv3, 2, out);
    eddy_error_clear(&err);
    assert_int_not_equal(pr()->open(&spec, &p, &err), 0);
    assert_string_equal(err.msg, "option 'sink.delivery-guarantee' of connector 'print' must be "
                                 "one of 'exactly-once', 'at-least-once', 'none', not "
                                 "'exactly_once'; did you mean 'exactly-once'?");
    eddy_strbuf_free(&m);
    fclose(out);
    free(buf);
    free(s.fields);
}

/* Bytes waiting on the terminal's master side. */
static int pty_pending(int master)
{
    char b[256];
    int n = 0, r;
    while ((r = (int)read(master, b, sizeof b)) > 0) n += r;
    return n;
}

static void test_print_terminal(void **st)
{
    (void)st;
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        if (master >= 0) close(master);
        skip(); /* no pseudo-terminals here */
    }
    fcntl(master, F_SETFL, O_NONBLOCK);
    int fd = open(ptsname(master), O_WRONLY | O_NOCTTY);
    assert_true(fd >= 0);
    FILE *tty = fdopen(fd, "w");
    assert_non_null(tty);
    assert_true(isatty(fileno(tty)));
    const char *names[] = {"v"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    const eddy_kv kv[] = {{"connector", "print"}};
    eddy_sink_spec spec = tc_sink_spec("p", &s, kv, 1, tty);
    spec.checkpointing = true;
    void *p = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    /* on a terminal: printed at once (people watch it) */
    assert_int_equal(pr()->open(&spec, &p, &err), 0);
    print_rows(p, &s, 1, 1);
    fflush(tty);
    usleep(20000);
    assert_true(pty_pending(master) > 0);
    pr()->close(p);
    /* 'exactly-once' holds rows even there */
    const eddy_kv kv2[] = {{"connector", "print"}, {"sink.delivery-guarantee", "exactly-once"}};
    spec = tc_sink_spec("p", &s, kv2, 2, tty);
    spec.checkpointing = true;
    assert_int_equal(pr()->open(&spec, &p, &err), 0);
    print_rows(p, &s, 2, 1);
    fflush(tty);
    usleep(20000);
    assert_int_equal(pty_pending(master), 0);
    eddy_strbuf m = {0};
    assert_int_equal(pr()->prepare_commit(p, 1, &m, &err), 0);
    assert_int_equal(pr()->commit(p, 1, &err), 0);
    usleep(20000);
    assert_true(pty_pending(master) > 0);
    pr()->close(p);
    fclose(tty);
    close(master);
    free(s.fields);
}

static void test_blackhole(void **st)
{
    (void)st;
    const eddy_sink_ops *bh = eddy_connector_find(eddy_connectors_builtin(), "blackhole")->sink;
    const char *names[] = {"v"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    eddy_sink_spec spec = tc_sink_spec("b", &s, NULL, 0, NULL);
    spec.checkpointing = true;
    void *h = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(bh->open(&spec, &h, &err), 0);
    eddy_strbuf m = {0};
    assert_int_equal(bh->recover(h, NULL, 0, &err), 0);
    assert_int_equal(bh->prepare_commit(h, 1, &m, &err), 0);
    assert_int_equal(m.n, 0);
    assert_int_equal(bh->commit(h, 1, &err), 0);
    assert_int_equal(bh->recover(h, "anything", 8, &err), 0);
    assert_int_equal(bh->prepare_commit(NULL, 2, NULL, NULL), 0);
    assert_int_equal(bh->commit(NULL, 2, NULL), 0);
    assert_int_equal(bh->recover(NULL, NULL, 0, NULL), 0);
    bh->close(h);
    bh->close(NULL);
    free(s.fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fs_visible_at_commit),
        cmocka_unit_test(test_fs_crash_after_durable_checkpoint),
        cmocka_unit_test(test_fs_crash_before_durable_checkpoint),
        cmocka_unit_test(test_fs_crash_before_first_checkpoint),
        cmocka_unit_test(test_fs_recover_null_scope),
        cmocka_unit_test(test_fs_failed_checkpoint),
        cmocka_unit_test(test_fs_rows_between_prepare_and_commit),
        cmocka_unit_test(test_fs_rolling_and_success),
        cmocka_unit_test(test_fs_errors),
        cmocka_unit_test(test_print_held_until_commit),
        cmocka_unit_test(test_print_terminal),
        cmocka_unit_test(test_blackhole),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
