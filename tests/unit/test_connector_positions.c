/*
 * test_connector_positions.c: the source position contract of runtime/connector.h, checked
 * the same way for every source: open A, poll k batches, take A's position, poll the rest;
 * open B with the same options, seek to the position, poll the rest; both rests must be equal
 * row for row, split for split and in the same order - for every k from 0 to the end.
 *
 * Sources: filesystem (JSON lines and CSV; several files, a directory of partitions, blank
 * lines, CRLF, a CSV record spanning lines, files ending without a newline, skipped bad lines,
 * files added or removed before the position between the two runs), datagen (random fields
 * under a seed, sequences, null rates, and without a seed: the position carries the seed),
 * nexmark (several splits, out-of-order groups, the pushed-down kind filter). Also the
 * filesystem source's pacing option 'source.rows-per-second' and its did-you-mean.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "connectors/value_text.h"
#include "test_conn_util.h"

static char tmpdir[256];

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
    for (char *s = p + strlen(tmpdir) + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0777);
            *s = '/';
        }
    tc_write_file(p, text);
}

static void path_of(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", tmpdir, rel);
}

static int setup(void **st)
{
    (void)st;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/eddy-test-pos-XXXXXX");
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

/* ---------------------------------------------------------------------------------------- */
/* The harness                                                                              */

typedef struct source_case {
    const eddy_source_ops *ops;
    const eddy_source_spec *spec;
    int cap;                    /* rows per batch */
    int max_rows;               /* stop collecting after this many (unbounded sources) */
} source_case;

/* Appends the rows of b as "split|v1|v2|...\n". */
static void append_rows(const eddy_batch *b, const eddy_schema *s, eddy_strbuf *out, int max_rows,
                        int *nrows)
{
    for (int r = 0; r < b->n && *nrows < max_rows; r++, (*nrows)++) {
        eddy_strbuf_printf(out, "%d", b->split);
        for (int c = 0; c < s->n; c++) {
            eddy_strbuf_putc(out, '|');
            if (tc_isnull(b, c, r)) {
                eddy_strbuf_puts(out, "null");
                continue;
            }
            eddy_cellfmt f;
            eddy_cellfmt_init(&f, s->fields[c].type);
            eddy_cell_format(&f, &b->cols[c], r, EDDY_TEXT_SQL, out);
        }
        eddy_strbuf_putc(out, '\n');
    }
}

/* Polls until END (or max rows); an error fails the test with its message. */
static int drain(const source_case *sc, void *st, eddy_batch *b, eddy_strbuf *out)
{
    int nrows = 0;
    for (int guard = 0; guard < 1000000; guard++) {
        eddy_error err;
        eddy_error_clear(&err);
        eddy_batch_reset(b);
        int rc = sc->ops->poll(st, b, 0, &err);
        if (rc < 0) fail_msg("poll failed: %s", err.msg);
        if (rc == EDDY_POLL_END) break;
        if (rc == EDDY_POLL_DATA) append_rows(b, sc->spec->schema, out, sc->max_rows, &nrows);
        if (nrows >= sc->max_rows) break;
    }
    return nrows;
}

/* Takes the position after k batches of A; *pos gets it. Returns false when A ended first. */
static bool run_to(const source_case *sc, void *st, eddy_batch *b, int k, eddy_strbuf *pos)
{
    for (int got = 0; got < k;) {
        eddy_error err;
        eddy_error_clear(&err);
        eddy_batch_reset(b);
        int rc = sc->ops->poll(st, b, 0, &err);
        if (rc < 0) fail_msg("poll failed: %s", err.msg);
        if (rc == EDDY_POLL_END) return false;
        if (rc == EDDY_POLL_DATA) got++;
    }
    eddy_error err;
    eddy_error_clear(&err);
    eddy_strbuf_clear(pos);
    if (sc->ops->position(st, pos, &err) != 0) fail_msg("position failed: %s", err.msg);
    return true;
}

/* A and B (seeked to A's position after k batches) must read the same rest. Hook `between`
 * runs after the position is taken and before B opens (to change the input directory). */
static bool resume_equal(const source_case *sc, int k, void (*between)(void), char **pos_out)
{
    eddy_error err;
    void *a = NULL, *bst = NULL;
    eddy_error_clear(&err);
    if (sc->ops->open(sc->spec, &a, &err) != 0) fail_msg("open failed: %s", err.msg);
    eddy_batch *ba = tc_batch(sc->spec->schema, sc->cap), *bb = tc_batch(sc->spec->schema, sc->cap);
    eddy_strbuf pos = {0}, ra = {0}, rb = {0};
    bool more = run_to(sc, a, ba, k, &pos);
    if (more) {
        drain(sc, a, ba, &ra);
        if (between) between();
        eddy_error_clear(&err);
        if (sc->ops->open(sc->spec, &bst, &err) != 0) fail_msg("open failed: %s", err.msg);
        eddy_error_clear(&err);
        if (sc->ops->seek(bst, pos.s, pos.n, &err) != 0) fail_msg("seek failed: %s", err.msg);
        drain(sc, bst, bb, &rb);
        const char *x = eddy_strbuf_cstr(&ra), *y = eddy_strbuf_cstr(&rb);
        if (strcmp(x, y) != 0) {
            /* show the first line that differs */
            int line = 1;
            const char *lx = x, *ly = y;
            while (*x && *x == *y) {
                if (*x == '\n') {
                    line++;
                    lx = x + 1;
                    ly = y + 1;
                }
                x++;
                y++;
            }
            print_error("after %d batches, position '%s': the rest differs at row %d:\nA: "
                        "%.*s\nB: %.*s\n",
                        k, pos.s, line, (int)strcspn(lx, "\n"), lx, (int)strcspn(ly, "\n"), ly);
            fail();
        }
        sc->ops->close(bst);
        if (pos_out) *pos_out = eddy_strbuf_take(&pos);
    }
    sc->ops->close(a);
    eddy_batch_free(ba);
    eddy_batch_free(bb);
    eddy_strbuf_free(&pos);
    eddy_strbuf_free(&ra);
    eddy_strbuf_free(&rb);
    return more;
}

/* Every k from 0 until A ends; returns the number of batches of a full read. */
static int resume_every_k(const source_case *sc)
{
    int k = 0;
    while (resume_equal(sc, k, NULL, NULL)) k++;
    return k - 1;
}

/* ---------------------------------------------------------------------------------------- */
/* filesystem                                                                               */

static const eddy_source_ops *fs_ops(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "filesystem")->source;
}

static void json_files(void)
{
    /* a directory of partitions; blank lines, CRLF, the last file ends without a newline */
    put("json/dt=2024-01-01/a.json", "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\r\n\n"
                                     "{\"id\":3,\"name\":\"c\"}\n{\"id\":4}\n");
    put("json/dt=2024-01-01/b.json", "{\"id\":5,\"name\":\"e\"}\n   \n{\"id\":6,\"name\":\"f\"}\n"
                                     "{\"id\":7,\"name\":\"g\"}\n");
    put("json/dt=2024-01-02/c.json", "");
    put("json/dt=2024-01-02/d.json", "{\"id\":8,\"name\":\"h\"}\n{\"id\":9,\"name\":\"i\"}\n"
                                     "{\"id\":10,\"name\":\"j\"}\n{\"id\":11,\"name\":\"k\"}");
    put("json/dt=2024-01-03/e.json", "{\"id\":12,\"name\":\"l\"}\n{\"id\":13,\"name\":\"m\"}");
}

static void test_filesystem_json(void **st)
{
    (void)st;
    json_files();
    char path[512];
    path_of(path, sizeof path, "json");
    const eddy_kv kv[] = {{"connector", "filesystem"}, {"path", path}, {"format", "json"},
                          {"partition.keys", "dt"}};
    const char *names[] = {"name", "id", "dt"};
    eddy_sqltype *types[] = {&tc_varchar, &tc_bigint, &tc_varchar};
    eddy_schema s = tc_schema(3, names, types);
    eddy_source_spec spec = tc_source_spec("t", &s, kv, 4);
    for (int cap = 1; cap <= 4; cap++) {
        source_case sc = {fs_ops(), &spec, cap, 1 << 30};
        int n = resume_every_k(&sc);
        assert_true(n >= 13 / cap);
    }
    free(s.fields);
}

static void test_filesystem_csv(void **st)
{
    (void)st;
    /* a quoted field holding a line end, a blank line, a last record without a newline */
    put("csv/1.csv", "1,apple,10\n2,\"pear,\nripe\",20\n\n3,fig,30\n");
    put("csv/2.csv", "4,\"kiwi \"\"gold\"\"\",40\n5,plum,50\n6,\"lime\nsour\",60");
    put("csv/3.csv", "7,date,70\n");
    char path[512];
    path_of(path, sizeof path, "csv");
    const eddy_kv kv[] = {{"path", path}, {"format", "csv"}};
    const char *names[] = {"id", "name", "price"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_varchar, &tc_bigint};
    eddy_schema s = tc_schema(3, names, types);
    eddy_source_spec spec = tc_source_spec("t", &s, kv, 2);
    for (int cap = 1; cap <= 3; cap++) {
        source_case sc = {fs_ops(), &spec, cap, 1 << 30};
        assert_true(resume_every_k(&sc) >= 7 / cap);
    }
    free(s.fields);
}

static int bad_count;
static void count_bad(void *ctx, const char *where, const char *why)
{
    (void)ctx;
    (void)where;
    (void)why;
    bad_count++;
}

static void test_filesystem_skipped_lines(void **st)
{
    (void)st;
    put("bad/1.json", "{\"id\":1}\n{\"id\":\"x\"}\n{\"id\":3}\n{oops\n{\"id\":5}\n");
    put("bad/2.json", "nope\n{\"id\":6}\n{\"id\":7}");
    char path[512];
    path_of(path, sizeof path, "bad");
    const eddy_kv kv[] = {{"path", path}, {"format", "json"}, {"json.ignore-parse-errors", "true"}};
    const char *names[] = {"id"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    eddy_source_spec spec = tc_source_spec("t", &s, kv, 3);
    spec.bad_record = count_bad;
    for (int cap = 1; cap <= 2; cap++) {
        source_case sc = {fs_ops(), &spec, cap, 1 << 30};
        assert_true(resume_every_k(&sc) >= 5 / cap);
    }
    assert_true(bad_count > 0);
    free(s.fields);
}

/* Between the two runs, a file appears before the position, or the file of the position
 * vanishes: B must still go on where A stopped (the position names its file). */
static void add_early(void)
{
    put("grow/0-early.json", "{\"id\":100}\n{\"id\":101}\n");
}

static void remove_first(void)
{
    char p[512];
    path_of(p, sizeof p, "grow/1.json");
    unlink(p);
}

static void test_filesystem_files_change(void **st)
{
    (void)st;
    char path[512];
    path_of(path, sizeof path, "grow");
    const eddy_kv kv[] = {{"path", path}, {"format", "json"}};
    const char *names[] = {"id"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    eddy_source_spec spec = tc_source_spec("t", &s, kv, 2);
    source_case sc = {fs_ops(), &spec, 2, 1 << 30};
    put("grow/1.json", "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n{\"id\":4}\n{\"id\":5}\n");
    put("grow/2.json", "{\"id\":6}\n{\"id\":7}\n{\"id\":8}\n");
    put("grow/3.json", "{\"id\":9}\n");
    /* batches 1,2 | 3,4 | 5 (end of 1.json) | 6,7: two rows into 2.json */
    char *pos = NULL;
    assert_true(resume_equal(&sc, 4, add_early, &pos));
    assert_string_equal(pos, "1,18,2,2.json");
    free(pos);
    char early[512];
    path_of(early, sizeof early, "grow/0-early.json");
    unlink(early);
    /* at the end of 1.json, which is then removed */
    assert_true(resume_equal(&sc, 3, remove_first, &pos));
    assert_string_equal(pos, "0,45,5,1.json");
    free(pos);

    /* the file of the position is gone: B starts at the start of the next name */
    void *b = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(fs_ops()->open(&spec, &b, &err), 0);
    assert_int_equal(fs_ops()->seek(b, "5,40,4,1.json", 13, &err), 0);
    eddy_batch *bt = tc_batch(&s, 10);
    assert_int_equal(fs_ops()->poll(b, bt, 0, &err), EDDY_POLL_DATA);
    assert_int_equal(bt->cols[0].v.i64[0], 6);
    /* a position that is not one */
    eddy_error_clear(&err);
    assert_int_equal(fs_ops()->seek(b, "x,1", 3, &err), EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "bad filesystem position 'x,1'"));
    fs_ops()->close(b);
    eddy_batch_free(bt);
    free(s.fields);
}

/* The position after the last row of the last file, then more files arrive: B reads them. */
static void test_filesystem_end_position(void **st)
{
    (void)st;
    put("end/a.json", "{\"id\":1}\n{\"id\":2}\n");
    char path[512];
    path_of(path, sizeof path, "end");
    const eddy_kv kv[] = {{"path", path}, {"format", "json"}};
    const char *names[] = {"id"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    eddy_source_spec spec = tc_source_spec("t", &s, kv, 2);
    eddy_error err;
    void *a = NULL, *b = NULL;
    eddy_error_clear(&err);
    assert_int_equal(fs_ops()->open(&spec, &a, &err), 0);
    eddy_batch *bt = tc_batch(&s, 10);
    assert_int_equal(fs_ops()->poll(a, bt, 0, &err), EDDY_POLL_DATA);
    eddy_batch_reset(bt);
    assert_int_equal(fs_ops()->poll(a, bt, 0, &err), EDDY_POLL_END);
    eddy_strbuf pos = {0};
    assert_int_equal(fs_ops()->position(a, &pos, &err), 0);
    assert_string_equal(pos.s, "0,18,0,a.json");
    put("end/b.json", "{\"id\":3}\n");
    assert_int_equal(fs_ops()->open(&spec, &b, &err), 0);
    assert_int_equal(fs_ops()->seek(b, pos.s, pos.n, &err), 0);
    eddy_batch_reset(bt);
    assert_int_equal(fs_ops()->poll(b, bt, 0, &err), EDDY_POLL_DATA);
    assert_int_equal(bt->n, 1);
    assert_int_equal(bt->cols[0].v.i64[0], 3);
    fs_ops()->close(a);
    fs_ops()->close(b);
    eddy_strbuf_free(&pos);
    eddy_batch_free(bt);
    free(s.fields);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_filesystem_rows_per_second(void **st)
{
    (void)st;
    eddy_strbuf text = {0};
    for (int i = 0; i < 30; i++) eddy_strbuf_printf(&text, "{\"id\":%d}\n", i);
    put("paced/a.json", text.s);
    eddy_strbuf_free(&text);
    char path[512];
    path_of(path, sizeof path, "paced");
    const eddy_kv kv[] = {{"path", path}, {"format", "json"}, {"source.rows-per-second", "100"}};
    const char *names[] = {"id"};
    eddy_sqltype *types[] = {&tc_bigint};
    eddy_schema s = tc_schema(1, names, types);
    eddy_source_spec spec = tc_source_spec("t", &s, kv, 3);
    eddy_error err;
    void *a = NULL;
    eddy_error_clear(&err);
    assert_int_equal(fs_ops()->open(&spec, &a, &err), 0);
    eddy_batch *b = tc_batch(&s, 1000);
    int64_t t0 = now_ms();
    /* the first row at once, then nothing more right away */
    assert_int_equal(fs_ops()->poll(a, b, 0, &err), EDDY_POLL_DATA);
    assert_int_equal(b->n, 1);
    eddy_batch_reset(b);
    assert_int_equal(fs_ops()->poll(a, b, 0, &err), EDDY_POLL_IDLE);
    int rows = 1, rc;
    int64_t expect = 1;
    while ((rc = fs_ops()->poll(a, (eddy_batch_reset(b), b), 50, &err)) != EDDY_POLL_END) {
        assert_true(rc == EDDY_POLL_DATA || rc == EDDY_POLL_IDLE);
        if (rc == EDDY_POLL_DATA) {
            assert_int_equal(b->cols[0].v.i64[0], expect);
            expect += b->n;
            rows += b->n;
        }
        /* never ahead of the pace: one row at t0, then one per 10 ms */
        assert_true(rows <= 1 + (now_ms() - t0) / 10 + 1);
    }
    int64_t took = now_ms() - t0;
    assert_int_equal(rows, 30);
    assert_true(took >= 270);  /* 29 rows after the first at 100/s */
    assert_true(took < 3000);

    /* the pace restarts at seek: one row at once, then wait */
    eddy_strbuf pos = {0};
    void *c = NULL;
    assert_int_equal(fs_ops()->open(&spec, &c, &err), 0);
    assert_int_equal(fs_ops()->seek(c, "0,54,6,a.json", 13, &err), 0);
    eddy_batch_reset(b);
    assert_int_equal(fs_ops()->poll(c, b, 0, &err), EDDY_POLL_DATA);
    assert_int_equal(b->n, 1);
    assert_int_equal(b->cols[0].v.i64[0], 6);
    eddy_batch_reset(b);
    assert_int_equal(fs_ops()->poll(c, b, 0, &err), EDDY_POLL_IDLE);
    fs_ops()->close(c);
    fs_ops()->close(a);
    eddy_strbuf_free(&pos);

    /* a typo gets the nearest option; a bad value is named */
    const eddy_kv typo[] = {{"path", path}, {"format", "json"}, {"source.rows-per-secnd", "100"}};
    eddy_source_spec sp2 = tc_source_spec("t", &s, typo, 3);
    eddy_error_clear(&err);
    assert_int_not_equal(fs_ops()->open(&sp2, &c, &err), 0);
    assert_string_equal(err.msg, "unknown option 'source.rows-per-secnd' for connector "
                                 "'filesystem'; did you mean 'source.rows-per-second'?");
    const eddy_kv neg[] = {{"path", path}, {"format", "json"}, {"source.rows-per-second", "-1"}};
    sp2 = tc_source_spec("t", &s, neg, 3);
    eddy_error_clear(&err);
    assert_int_not_equal(fs_ops()->open(&sp2, &c, &err), 0);
    assert_non_null(strstr(err.msg, "source.rows-per-second"));
    eddy_batch_free(b);
    free(s.fields);
}

/* ---------------------------------------------------------------------------------------- */
/* datagen                                                                                  */

static const eddy_source_ops *dg_ops(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "datagen")->source;
}

static void test_datagen_seeded(void **st)
{
    (void)st;
    const eddy_kv kv[] = {{"rows-per-second", "0"}, {"number-of-rows", "40"}, {"seed", "7"},
                          {"fields.id.kind", "sequence"}, {"fields.id.start", "10"},
                          {"fields.id.end", "1000"}, {"fields.price.min", "1"},
                          {"fields.price.max", "100"}, {"fields.name.length", "6"},
                          {"fields.name.var-len", "true"}, {"fields.name.null-rate", "0.3"},
                          {"fields.amount.min", "-5.5"}, {"fields.ts.max-past", "10 s"}};
    const char *names[] = {"id", "price", "name", "amount", "ts", "flag"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_double, &tc_varchar, &tc_dec10_2, &tc_ts3, &tc_bool};
    eddy_schema s = tc_schema(6, names, types);
    eddy_source_spec spec = tc_source_spec("t", &s, kv, 13);
    for (int cap = 3; cap <= 7; cap += 4) {
        source_case sc = {dg_ops(), &spec, cap, 1 << 30};
        assert_true(resume_every_k(&sc) >= 40 / cap);
    }
    free(s.fields);
}

static void test_datagen_unseeded(void **st)
{
    (void)st;
    /* without 'seed' each open draws its own; the position must carry it to be exact */
    const eddy_kv kv[] = {{"rows-per-second", "0"}, {"number-of-rows", "30"},
                          {"fields.v.min", "0"}, {"fields.v.max", "1000000000"}};
    const char *names[] = {"v", "name"};
    eddy_sqltype *types[] = {&tc_bigint, &tc_varchar};
    eddy_schema s = tc_schema(2, names, types);
    eddy_source_spec spec = tc_source_spec("t", &s, kv, 4);
    source_case sc = {dg_ops(), &spec, 8, 1 << 30};
    assert_int_equal(resume_every_k(&sc), 4);
    char *pos = NULL;
    assert_true(resume_equal(&sc, 1, NULL, &pos));
    assert_memory_equal(pos, "8,", 2);
    free(pos);
    /* a sequence-only table needs no seed in its position */
    const eddy_kv kv2[] = {{"rows-per-second", "0"}, {"fields.v.kind", "sequence"},
                           {"fields.v.start", "1"}, {"fields.v.end", "20"}};
    eddy_schema s1 = tc_schema(1, names, types);
    spec = tc_source_spec("t", &s1, kv2, 4);
    sc.spec = &spec;
    assert_true(resume_equal(&sc, 1, NULL, &pos));
    assert_string_equal(pos, "8");
    free(pos);
    /* bad positions */
    void *g = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(dg_ops()->open(&spec, &g, &err), 0);
    assert_int_equal(dg_ops()->seek(g, "8,", 2, &err), EDDY_ESTATE);
    assert_int_equal(dg_ops()->seek(g, "-1", 2, &err), EDDY_ESTATE);
    assert_int_equal(dg_ops()->seek(g, "8,x", 3, &err), EDDY_ESTATE);
    dg_ops()->close(g);
    free(s.fields);
    free(s1.fields);
}

/* ---------------------------------------------------------------------------------------- */
/* nexmark                                                                                  */

static const eddy_source_ops *nx_ops(void)
{
    return eddy_connector_find(eddy_connectors_builtin(), "nexmark")->source;
}

typedef struct nx_spec {
    eddy_schema s;
    const char *pairs[8][2];
    const char **pathv[8];
    int npath[8];
    eddy_source_spec spec;
    eddy_bexpr filt, col, cst, *args[2];
} nx_spec;

/* Columns: event_type, bid.price, bid.dateTime, person.name, auction.id, bid (whole row). */
static void nx_spec_init(nx_spec *x, const eddy_kv *kv, int nkv, int filter_kind)
{
    memset(x, 0, sizeof *x);
    static const char *cols[][2] = {{"event_type", NULL}, {"bid", "price"}, {"bid", "dateTime"},
                                    {"person", "name"},   {"auction", "id"}, {"bid", NULL}};
    static const char *names[] = {"event_type", "price", "dateTime", "name", "aid", "bid"};
    eddy_sqltype *types[] = {&tc_int, &tc_bigint, &tc_ts3, &tc_varchar, &tc_bigint, &tc_row};
    for (int i = 0; i < 6; i++) {
        x->pairs[i][0] = cols[i][0];
        x->pairs[i][1] = cols[i][1];
        x->npath[i] = cols[i][1] ? 2 : 1;
        x->pathv[i] = x->pairs[i];
    }
    x->s = tc_schema(6, names, types);
    x->spec = tc_source_spec("bids", &x->s, kv, nkv);
    x->spec.paths = (const char *const *const *)x->pathv;
    x->spec.npath = x->npath;
    if (filter_kind >= 0) {
        x->col.kind = EDDY_BEXPR_COLUMN;
        x->col.type = &tc_int;
        x->col.column = 0;
        x->cst.kind = EDDY_BEXPR_CONST;
        x->cst.type = &tc_int;
        x->cst.value.u.i = filter_kind;
        x->args[0] = &x->col;
        x->args[1] = &x->cst;
        x->filt.kind = EDDY_BEXPR_COMPARE;
        x->filt.op = EDDY_BOP_EQ;
        x->filt.type = &tc_bool;
        x->filt.args = x->args;
        x->filt.nargs = 2;
        x->spec.pushed_filter = &x->filt;
    }
}

static void test_nexmark_splits(void **st)
{
    (void)st;
    const eddy_kv kv[] = {{"max-emit-speed", "true"}, {"events.num", "300"}, {"splits", "3"},
                          {"out-of-order-group.size", "4"}, {"seed", "11"}};
    nx_spec x;
    nx_spec_init(&x, kv, 5, -1);
    source_case sc = {nx_ops(), &x.spec, 16, 1 << 30};
    assert_true(resume_every_k(&sc) >= 300 / 16);
    free(x.s.fields);
}

static void test_nexmark_filter_and_unbounded(void **st)
{
    (void)st;
    /* bids only, pushed down (one split: the generator jumps to the next bid) */
    const eddy_kv kv[] = {{"max-emit-speed", "true"}, {"events.num", "500"}};
    nx_spec x;
    nx_spec_init(&x, kv, 2, 2);
    source_case sc = {nx_ops(), &x.spec, 32, 1 << 30};
    assert_true(resume_every_k(&sc) >= 450 / 32);
    free(x.s.fields);
    /* two splits and a filter, unbounded: compare the next 400 rows */
    const eddy_kv kv2[] = {{"max-emit-speed", "true"}, {"splits", "2"}};
    nx_spec_init(&x, kv2, 2, 2);
    source_case sc2 = {nx_ops(), &x.spec, 50, 400};
    for (int k = 0; k < 6; k++) assert_true(resume_equal(&sc2, k, NULL, NULL));
    free(x.s.fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filesystem_json),
        cmocka_unit_test(test_filesystem_csv),
        cmocka_unit_test(test_filesystem_skipped_lines),
        cmocka_unit_test(test_filesystem_files_change),
        cmocka_unit_test(test_filesystem_end_position),
        cmocka_unit_test(test_filesystem_rows_per_second),
        cmocka_unit_test(test_datagen_seeded),
        cmocka_unit_test(test_datagen_unseeded),
        cmocka_unit_test(test_nexmark_splits),
        cmocka_unit_test(test_nexmark_filter_and_unbounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
