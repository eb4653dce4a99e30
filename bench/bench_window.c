/*
 * bench_window.c: throughput of the aggregation operators on one thread (runtime/op_window_agg.c,
 * op_session_agg.c, op_group_agg.c), fed batches of 1024 rows directly (no source, no CALC).
 *
 *     bench_window                  # every section, each in its own process
 *     bench_window tumble10 hop     # some sections
 *     bench_window -n 5000000 ...   # rows per section (default 20 M)
 *
 * Sections (rows arrive in event-time order, 1000 rows per ms of event time, a watermark after
 * every batch as the WATERMARK operator sends):
 *   tumble10   TUMBLE(10 s) COUNT(*), SUM(v), AVG(v), MAX(v) GROUP BY k, 10 keys
 *   tumble1m   the same over 1.58 M keys (ANCHORS.md Q2's key count; every window holds ~1.5 M groups)
 *   hop        HOP(slide 2 s, size 10 s) COUNT(*) GROUP BY k, 10 k keys (slices of 2 s, 5 per window)
 *   cumulate   CUMULATE(step 100 ms, size 60 s) COUNT(*) GROUP BY k, 10 k keys: 600 steps per
 *              period, every step emits all 10 k keys
 *   session    SESSION(gap 10 s) COUNT(*) PARTITION BY k, 100 k keys: each 10 s of event time a
 *              fresh set of 100 k keys, 10 rows each, so sessions keep opening and closing
 *   q15        GROUP BY day: COUNT(*), COUNT(*) FILTER x3, COUNT(DISTINCT bidder),
 *              COUNT(DISTINCT bidder) FILTER x3 (Nexmark q15's shape), 100 k bidders, with
 *              mini-batch: one changelog row pair per batch
 *   q15row     the same without mini-batch (Flink's default): a -U/+U pair per input row
 * Each section runs in a child process so that its peak RSS (getrusage ru_maxrss) is its own.
 * Rates are rows per second of process CPU time for pushing the batches and watermarks
 * (generating the rows is not counted: the keys come from a pre-generated pool of 4 M rows that
 * is cycled, with the time column rewritten per batch). The operator's own state_bytes at its
 * peak is printed too.
 *
 * Build with -DCMAKE_BUILD_TYPE=Release for numbers worth quoting.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/error.h"
#include "planner/plan.h"
#include "runtime/batch.h"
#include "runtime/operator.h"

#define BATCH 1024
#define POOL (4 * 1024 * 1024)

static eddy_sqltype t_bigint = {.kind = EDDY_TYPE_BIGINT, .precision = -1, .scale = -1};
static eddy_sqltype t_ts = {.kind = EDDY_TYPE_TIMESTAMP, .precision = 3, .scale = -1};
static eddy_sqltype t_str = {.kind = EDDY_TYPE_VARCHAR, .precision = -1, .scale = -1};
static eddy_sqltype t_bool = {.kind = EDDY_TYPE_BOOLEAN, .precision = -1, .scale = -1};

static uint64_t rng_state = 42;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- a sink that counts ---- */

typedef struct count_op {
    eddy_op base;
    uint64_t rows;
} count_op;

static int count_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    (void)input;
    (void)err;
    ((count_op *)op)->rows += (uint64_t)b->n;
    return 0;
}
static int count_wm(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    (void)op;
    (void)input;
    (void)wm;
    (void)err;
    return 0;
}
static int count_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)op;
    (void)input;
    (void)err;
    return 0;
}
static void count_destroy(eddy_op *op)
{
    (void)op;
}
static const eddy_op_ops count_ops = {.name = "Count", .push = count_push, .watermark = count_wm,
                                      .finish = count_finish, .destroy = count_destroy};

/* ---- plans ---- */

static eddy_arena *arena;

static eddy_plan *node(eddy_plan_kind kind, int nin, const eddy_field *in, int nout,
                       const eddy_field *out)
{
    eddy_plan *src = eddy_arena_zalloc(arena, sizeof *src);
    src->kind = EDDY_PLAN_CALC;
    src->out.n = nin;
    src->out.fields = eddy_arena_zalloc(arena, sizeof(eddy_field) * (size_t)nin);
    memcpy(src->out.fields, in, sizeof(eddy_field) * (size_t)nin);
    eddy_plan *p = eddy_arena_zalloc(arena, sizeof *p);
    p->kind = kind;
    p->inputs = eddy_arena_zalloc(arena, sizeof(eddy_plan *));
    p->inputs[0] = src;
    p->ninputs = 1;
    p->out.n = nout;
    p->out.fields = eddy_arena_zalloc(arena, sizeof(eddy_field) * (size_t)nout);
    memcpy(p->out.fields, out, sizeof(eddy_field) * (size_t)nout);
    return p;
}

static eddy_agg_call call(eddy_agg fn, int arg, int filter, bool distinct)
{
    eddy_agg_call c = {fn, arg, -1, filter, distinct, &t_bigint, "a"};
    return c;
}

/* ---- input ---- */

/* The columns of a pool: ts (rewritten per batch), k, v, and for q15 day, f1..f3. */
typedef struct pool {
    int64_t *k;
    int64_t *v;
    uint8_t *f[3];
    eddy_str *day;
} pool;

static pool make_pool(int64_t nkeys, bool q15)
{
    pool p = {0};
    p.k = malloc(sizeof(int64_t) * POOL);
    p.v = malloc(sizeof(int64_t) * POOL);
    for (int i = 0; i < POOL; i++) {
        p.k[i] = (int64_t)(rnd() % (uint64_t)nkeys);
        p.v[i] = (int64_t)(rnd() % 100000);
    }
    if (q15) {
        static const char day[] = "2015-07-15";
        p.day = malloc(sizeof(eddy_str) * POOL);
        for (int j = 0; j < 3; j++) p.f[j] = malloc(POOL);
        for (int i = 0; i < POOL; i++) {
            p.day[i].p = day;
            p.day[i].n = 10;
            int64_t price = p.v[i] % 20000;
            p.f[0][i] = price < 10000;
            p.f[1][i] = price >= 10000 && price < 15000;
            p.f[2][i] = price >= 15000;
        }
    }
    return p;
}

typedef struct result {
    double secs;
    uint64_t out_rows;
    uint64_t late;
    uint64_t peak_state;
} result;

/*
 * Pushes n rows through op: batch i takes pool rows from (i * BATCH) mod POOL; ts advances
 * 1 ms per rate rows; keyfn may rewrite the key column of a batch (session phases).
 */
static result drive(eddy_op *op, const pool *p, int ncols, int64_t n, int64_t rows_per_ms,
                    int64_t session_phase_rows, int64_t session_keys)
{
    count_op sink = {0};
    sink.base.ops = &count_ops;
    op->outs = calloc(1, sizeof(eddy_op_out));
    op->outs[0].op = &sink.base;
    op->nouts = 1;
    const eddy_sqltype *types[8];
    for (int j = 0; j < ncols; j++) types[j] = op->plan->inputs[0]->out.fields[j].type;
    eddy_batch *b = eddy_batch_new(ncols, types, BATCH);
    /* keep the batch's own arrays for ts (col 0); others point into the pool per batch */
    int64_t *ts = b->cols[0].v.i64;
    void *own[8];
    for (int j = 0; j < ncols; j++) own[j] = b->cols[j].v.ptr;
    int64_t *keys = malloc(sizeof(int64_t) * BATCH);
    eddy_error err;
    eddy_error_clear(&err);
    result r = {0};
    double t0 = cpu_now();
    for (int64_t row = 0; row < n; row += BATCH) {
        int m = n - row < BATCH ? (int)(n - row) : BATCH;
        size_t off = (size_t)(row % POOL);
        if (off + (size_t)m > POOL) off = 0;
        for (int i = 0; i < m; i++) ts[i] = (row + i) / rows_per_ms;
        b->cols[1].v.i64 = p->k + off;
        if (session_phase_rows) {
            int64_t phase = row / session_phase_rows;
            for (int i = 0; i < m; i++) keys[i] = phase * session_keys + p->k[off + (size_t)i];
            b->cols[1].v.i64 = keys;
        }
        b->cols[2].v.i64 = p->v + off;
        if (p->day) {
            b->cols[1].v.str = p->day + off;
            b->cols[2].v.i64 = p->k + off; /* bidder */
            for (int j = 0; j < 3; j++) b->cols[3 + j].v.b = p->f[j] + off;
        }
        b->n = m;
        if (op->ops->push(op, 0, b, &err) ||
            op->ops->watermark(op, 0, ts[m - 1] - 1, &err)) {
            fprintf(stderr, "bench_window: %s\n", err.msg);
            exit(1);
        }
        if (op->state_bytes > r.peak_state) r.peak_state = op->state_bytes;
    }
    if (op->ops->watermark(op, 0, INT64_MAX, &err) || op->ops->finish(op, 0, &err)) {
        fprintf(stderr, "bench_window: %s\n", err.msg);
        exit(1);
    }
    r.secs = cpu_now() - t0;
    r.out_rows = sink.rows;
    r.late = op->late_rows;
    for (int j = 0; j < ncols; j++) b->cols[j].v.ptr = own[j];
    eddy_batch_free(b);
    free(keys);
    return r;
}

static void report(const char *name, int64_t n, const result *r)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%-9s %8.2f M rows/s  (%lld rows in %.2f s CPU, %llu result rows, %llu late)  "
           "peak state %.1f MB, peak RSS %.1f MB\n",
           name, (double)n / r->secs / 1e6, (long long)n, r->secs,
           (unsigned long long)r->out_rows, (unsigned long long)r->late,
           (double)r->peak_state / 1e6, (double)ru.ru_maxrss / 1024.0);
    fflush(stdout);
}

static const eddy_field in3[3] = {{"ts", &t_ts, true, false},
                                  {"k", &t_bigint, false, false},
                                  {"v", &t_bigint, false, false}};

static eddy_field wout(const char *name)
{
    eddy_field f = {name, &t_bigint, false, false};
    return f;
}

static void bench_tumble(const char *name, int64_t nkeys, int64_t n)
{
    eddy_field out[8] = {wout("k"),     {"ws", &t_ts, 0, 0}, {"we", &t_ts, 0, 0},
                         {"wt", &t_ts, 1, 0}, wout("cnt"), wout("sum"), wout("avg"), wout("max")};
    eddy_plan *p = node(EDDY_PLAN_WINDOW_AGG, 3, in3, 8, out);
    p->u.window_agg.win.kind = EDDY_WINDOW_TUMBLE;
    p->u.window_agg.win.time_col = 0;
    p->u.window_agg.win.size = 10000;
    p->u.window_agg.win.slide = 10000;
    static int keys[1] = {1};
    p->u.window_agg.keys = keys;
    p->u.window_agg.nkeys = 1;
    eddy_agg_call *c = eddy_arena_zalloc(arena, 4 * sizeof *c);
    c[0] = call(EDDY_AGG_COUNT, -1, -1, false);
    c[1] = call(EDDY_AGG_SUM, 2, -1, false);
    c[2] = call(EDDY_AGG_AVG, 2, -1, false);
    c[3] = call(EDDY_AGG_MAX, 2, -1, false);
    p->u.window_agg.aggs = c;
    p->u.window_agg.naggs = 4;
    eddy_error err;
    eddy_op *op = eddy_op_window_agg_new(p, &err);
    if (!op) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    pool pl = make_pool(nkeys, false);
    result r = drive(op, &pl, 3, n, 1000, 0, 0);
    report(name, n, &r);
    op->ops->destroy(op);
}

static void bench_hop(int64_t n)
{
    eddy_field out[5] = {wout("k"), {"ws", &t_ts, 0, 0}, {"we", &t_ts, 0, 0}, {"wt", &t_ts, 1, 0},
                         wout("cnt")};
    eddy_plan *p = node(EDDY_PLAN_WINDOW_AGG, 3, in3, 5, out);
    p->u.window_agg.win.kind = EDDY_WINDOW_HOP;
    p->u.window_agg.win.time_col = 0;
    p->u.window_agg.win.size = 10000;
    p->u.window_agg.win.slide = 2000;
    static int keys[1] = {1};
    p->u.window_agg.keys = keys;
    p->u.window_agg.nkeys = 1;
    eddy_agg_call *c = eddy_arena_zalloc(arena, sizeof *c);
    c[0] = call(EDDY_AGG_COUNT, -1, -1, false);
    p->u.window_agg.aggs = c;
    p->u.window_agg.naggs = 1;
    eddy_error err;
    eddy_op *op = eddy_op_window_agg_new(p, &err);
    pool pl = make_pool(10000, false);
    result r = drive(op, &pl, 3, n, 1000, 0, 0);
    report("hop", n, &r);
    op->ops->destroy(op);
}

static void bench_cumulate(int64_t n)
{
    eddy_field out[5] = {wout("k"), {"ws", &t_ts, 0, 0}, {"we", &t_ts, 0, 0}, {"wt", &t_ts, 1, 0},
                         wout("cnt")};
    eddy_plan *p = node(EDDY_PLAN_WINDOW_AGG, 3, in3, 5, out);
    p->u.window_agg.win.kind = EDDY_WINDOW_CUMULATE;
    p->u.window_agg.win.time_col = 0;
    p->u.window_agg.win.size = 60000;
    p->u.window_agg.win.slide = 100;
    static int keys[1] = {1};
    p->u.window_agg.keys = keys;
    p->u.window_agg.nkeys = 1;
    eddy_agg_call *c = eddy_arena_zalloc(arena, sizeof *c);
    c[0] = call(EDDY_AGG_COUNT, -1, -1, false);
    p->u.window_agg.aggs = c;
    p->u.window_agg.naggs = 1;
    eddy_error err;
    eddy_op *op = eddy_op_window_agg_new(p, &err);
    pool pl = make_pool(10000, false);
    result r = drive(op, &pl, 3, n, 1000, 0, 0);
    report("cumulate", n, &r);
    op->ops->destroy(op);
}

static void bench_session(int64_t n)
{
    eddy_field out[5] = {wout("k"), {"ws", &t_ts, 0, 0}, {"we", &t_ts, 0, 0}, {"wt", &t_ts, 1, 0},
                         wout("cnt")};
    eddy_plan *p = node(EDDY_PLAN_SESSION_AGG, 3, in3, 5, out);
    p->u.window_agg.win.kind = EDDY_WINDOW_SESSION;
    p->u.window_agg.win.time_col = 0;
    p->u.window_agg.win.gap = 10000;
    static int keys[1] = {1};
    p->u.window_agg.keys = keys;
    p->u.window_agg.nkeys = 1;
    eddy_agg_call *c = eddy_arena_zalloc(arena, sizeof *c);
    c[0] = call(EDDY_AGG_COUNT, -1, -1, false);
    p->u.window_agg.aggs = c;
    p->u.window_agg.naggs = 1;
    eddy_error err;
    eddy_op *op = eddy_op_session_agg_new(p, &err);
    pool pl = make_pool(100000, false);
    /* 1000 rows/ms: a phase of 1 M rows is 1 s of event time... make phases 10 s long at
     * 100 rows/ms so that every key of a phase gets ~10 rows within its session */
    result r = drive(op, &pl, 3, n, 100, 1000000, 100000);
    report("session", n, &r);
    op->ops->destroy(op);
}

static void bench_q15(const char *name, bool mini_batch, int64_t n)
{
    eddy_field in[6] = {{"ts", &t_ts, true, false},   {"day", &t_str, false, false},
                        {"bidder", &t_bigint, 0, 0},  {"f1", &t_bool, 0, 0},
                        {"f2", &t_bool, 0, 0},        {"f3", &t_bool, 0, 0}};
    eddy_field out[9] = {{"day", &t_str, 0, 0}, wout("c"),  wout("c1"), wout("c2"), wout("c3"),
                         wout("d"),             wout("d1"), wout("d2"), wout("d3")};
    eddy_plan *p = node(EDDY_PLAN_GROUP_AGG, 6, in, 9, out);
    p->changelog = true;
    p->u.group_agg.mini_batch = mini_batch;
    static int keys[1] = {1};
    p->u.group_agg.keys = keys;
    p->u.group_agg.nkeys = 1;
    eddy_agg_call *c = eddy_arena_zalloc(arena, 8 * sizeof *c);
    c[0] = call(EDDY_AGG_COUNT, -1, -1, false);
    for (int j = 0; j < 3; j++) c[1 + j] = call(EDDY_AGG_COUNT, -1, 3 + j, false);
    c[4] = call(EDDY_AGG_COUNT, 2, -1, true);
    for (int j = 0; j < 3; j++) c[5 + j] = call(EDDY_AGG_COUNT, 2, 3 + j, true);
    p->u.group_agg.aggs = c;
    p->u.group_agg.naggs = 8;
    eddy_error err;
    eddy_op *op = eddy_op_group_agg_new(p, &err);
    if (!op) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    pool pl = make_pool(100000, true);
    result r = drive(op, &pl, 6, n, 1000, 0, 0);
    report(name, n, &r);
    op->ops->destroy(op);
}

static void run_section(const char *s, int64_t n)
{
    arena = eddy_arena_new(0);
    if (!strcmp(s, "tumble10")) bench_tumble("tumble10", 10, n);
    else if (!strcmp(s, "tumble1m")) bench_tumble("tumble1m", 1580000, n);
    else if (!strcmp(s, "hop")) bench_hop(n);
    else if (!strcmp(s, "cumulate")) bench_cumulate(n);
    else if (!strcmp(s, "session")) bench_session(n);
    else if (!strcmp(s, "q15")) bench_q15("q15", true, n);
    else if (!strcmp(s, "q15row")) bench_q15("q15row", false, n);
    else {
        fprintf(stderr,
                "bench_window: unknown section '%s' (tumble10 tumble1m hop cumulate session q15 "
                "q15row)\n",
                s);
        exit(2);
    }
    eddy_arena_destroy(arena);
}

int main(int argc, char **argv)
{
    int64_t n = 20000000;
    const char *all[] = {"tumble10", "tumble1m", "hop", "cumulate", "session", "q15", "q15row"};
    const char *sel[8];
    int nsel = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) n = atoll(argv[++i]);
        else if (nsel < 8) sel[nsel++] = argv[i];
    }
    if (nsel == 0) {
        for (int i = 0; i < 7; i++) sel[i] = all[i];
        nsel = 7;
    }
    for (int i = 0; i < nsel; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            run_section(sel[i], n);
            _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
    }
    return 0;
}
