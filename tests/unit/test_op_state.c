/*
 * test_op_state.c: checkpoints of the window operators (operator.h snapshot / restore;
 * op_window_agg.c, op_session_agg.c, op_watermark.c; entry layout in runtime/opstate.h)
 * through the real LMDB store (runtime/state.h).
 *
 * Each case builds an operator from a plan node (by hand with every aggregate function of
 * test_agg_ref.h, or by the planner from SQL) and runs one input script (batches of
 * out-of-order rows with per-row watermarks, watermarks, processing-time ticks) twice:
 *   - once straight through;
 *   - once stopping at random points between calls, as the job does at a checkpoint: snapshot
 *     into "op/0" of a state directory (sometimes a first attempt is aborted, as after
 *     EDDY_ESTATE_FULL, and written again), commit, close the store, destroy the operator,
 *     reopen the store, build a fresh operator from the same plan node, restore it, copy back
 *     the base watermarks the job keeps itself, and go on.
 * Everything the operator emits (row kinds, values to the bit, per-row watermarks, watermarks,
 * end of input) is logged as text; the two logs and the late-row counts must be equal.
 *
 * Processing-time timers restart after a restore (operator.h): the script ticks at a fixed
 * step, and after a restore the harness ticks once at the time of the last tick before the
 * stop, which re-arms the timers where the uninterrupted operator has them.
 */
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* The parser's AST names its operator enum eddy_op, as the runtime names its operators: this
 * file needs both (plans from SQL, operators run by hand), so the AST's is renamed here. */
#define eddy_op eddy_ast_op
#include "test_planner_util.h"
#undef eddy_op

#include "common/strbuf.h"
#include "runtime/state.h"
#include "test_agg_ref.h"

/* ---- a collector that logs everything as text ---- */

typedef struct logop {
    eddy_op base;
    eddy_strbuf log;
    int rows;
} logop;

static void log_cell(eddy_strbuf *b, const eddy_col *c, int r)
{
    if (c->nulls && c->nulls[r]) {
        eddy_strbuf_puts(b, " NULL");
        return;
    }
    switch (c->phys) {
    case EDDY_PHYS_BOOL: eddy_strbuf_printf(b, " %d", c->v.b[r]); break;
    case EDDY_PHYS_I64: eddy_strbuf_printf(b, " %lld", (long long)c->v.i64[r]); break;
    case EDDY_PHYS_F64: eddy_strbuf_printf(b, " %a", c->v.f64[r]); break;
    case EDDY_PHYS_DEC: {
        unsigned __int128 u = (unsigned __int128)c->v.dec[r];
        eddy_strbuf_printf(b, " dec:%016llx%016llx", (unsigned long long)(u >> 64),
                           (unsigned long long)u);
        break;
    }
    case EDDY_PHYS_STR:
        eddy_strbuf_printf(b, " '%.*s'", (int)c->v.str[r].n, c->v.str[r].p);
        break;
    }
}

static int log_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    (void)input;
    (void)err;
    logop *l = (logop *)op;
    for (int r = 0; r < b->n; r++) {
        eddy_strbuf_printf(&l->log, "R%d", b->kinds ? b->kinds[r] : EDDY_ROW_INSERT);
        if (b->wm_before) eddy_strbuf_printf(&l->log, " @%lld", (long long)b->wm_before[r]);
        for (int j = 0; j < b->ncols; j++) log_cell(&l->log, &b->cols[j], r);
        eddy_strbuf_putc(&l->log, '\n');
        l->rows++;
    }
    return 0;
}

static int log_wm(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    (void)input;
    (void)err;
    eddy_strbuf_printf(&((logop *)op)->log, "W %lld\n", (long long)wm);
    return 0;
}

static int log_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)input;
    (void)err;
    eddy_strbuf_puts(&((logop *)op)->log, "F\n");
    return 0;
}

static void log_destroy(eddy_op *op)
{
    (void)op;
}

static const eddy_op_ops log_ops = {.name = "Log", .push = log_push, .watermark = log_wm,
                                    .finish = log_finish, .destroy = log_destroy};

static void attach(eddy_op *op, logop *l)
{
    op->outs = calloc(1, sizeof(eddy_op_out));
    op->outs[0].op = &l->base;
    op->nouts = 1;
}

/* ---- input scripts ---- */

typedef enum { EV_ROWS, EV_WM, EV_TICK, EV_FINISH } ev_kind;

typedef struct ev {
    ev_kind kind;
    int first, n;       /* EV_ROWS: rows [first, first + n) */
    int split;          /* EV_ROWS: the batch's split */
    bool no_wmb;        /* EV_ROWS: the batch carries no per-row watermarks (batch.h) */
    int64_t v;          /* EV_WM: watermark; EV_TICK: now */
} ev;

typedef struct script {
    tu_cell *rows;      /* IN_NCOLS cells per row */
    int64_t *wmb;       /* per-row watermark */
    int nrows;
    ev *ev;
    int nev;
} script;

typedef struct script_opts {
    uint64_t seed;
    int nrows;
    int nkeys;          /* distinct values of k */
    int64_t step;       /* event time between rows (ms) */
    int64_t disorder;   /* rows arrive up to this much out of order */
    int64_t delay;      /* watermark = max time - delay */
    int64_t tick_ms;    /* tick step (0 = no ticks) */
    bool long_keys;     /* ks values longer than an LMDB key */
    int nsplits;        /* rows come from these splits (1: all from split 0) */
    int64_t stop_at;    /* > 0: rows after the first nrows / 2 resume at this much later, after a
                         * watermark past everything before (so nothing is open in between) */
} script_opts;

static char long_ks[3][700];

static const char *long_key(uint32_t i)
{
    if (!long_ks[0][0]) {
        for (int v = 0; v < 3; v++) {
            memset(long_ks[v], 'x', 690);
            snprintf(long_ks[v] + 690, 10, "-%d", v);
        }
    }
    return long_ks[i % 3];
}

static script make_script(const script_opts *o)
{
    script s = {0};
    s.nrows = o->nrows;
    s.rows = calloc((size_t)o->nrows * IN_NCOLS, sizeof(tu_cell));
    s.wmb = calloc((size_t)o->nrows, sizeof(int64_t));
    s.ev = calloc((size_t)o->nrows * 4 + 8, sizeof(ev));
    ref_rng = o->seed * 2654435761u + 1;
    const int64_t t0 = 1700000000000;
    int64_t maxts = INT64_MIN, now = 1000000;
    int64_t *split_max = calloc((size_t)(o->nsplits > 0 ? o->nsplits : 1), sizeof(int64_t));
    int nsplits = o->nsplits > 0 ? o->nsplits : 1;
    for (int j = 0; j < nsplits; j++) split_max[j] = INT64_MIN;
    int64_t shift = 0;
    int i = 0;
    while (i < o->nrows) {
        if (o->stop_at > 0 && i >= o->nrows / 2 && shift == 0) {
            shift = o->stop_at;
            s.ev[s.nev++] = (ev){.kind = EV_WM, .v = t0 + (int64_t)i * o->step + shift / 2};
            maxts = t0 + (int64_t)i * o->step + shift / 2 + o->delay;
        }
        int n = ref_between(1, 12);
        if (n > o->nrows - i) n = o->nrows - i;
        int split = ref_between(0, nsplits - 1);
        s.ev[s.nev++] = (ev){.kind = EV_ROWS, .first = i, .n = n, .split = split,
                             .no_wmb = ref_rand() % 4 == 0};
        for (int r = i; r < i + n; r++) {
            tu_cell *c = &s.rows[(size_t)r * IN_NCOLS];
            ref_fill_row(c, o->nkeys, 9);
            if (o->long_keys) c[IN_KS].s = long_key(ref_rand());
            int64_t ts = t0 + shift + (int64_t)r * o->step -
                         (o->disorder ? ref_between(0, (int)o->disorder) : 0);
            if (ref_rand() % 17 == 0) ts -= ref_between(0, 6000); /* some very late rows */
            c[IN_TS].i = ts;
            c[IN_TS].null = ref_rand() % 40 == 0;
            if (nsplits > 1) {
                /* per split, as the WATERMARK operator sees them */
                int64_t m = INT64_MAX;
                for (int j = 0; j < nsplits; j++)
                    if (split_max[j] < m) m = split_max[j];
                s.wmb[r] = m == INT64_MIN ? INT64_MIN : m - o->delay;
                if (!c[IN_TS].null && ts > split_max[split]) split_max[split] = ts;
            } else {
                s.wmb[r] = maxts == INT64_MIN ? INT64_MIN : maxts - o->delay;
                if (!c[IN_TS].null && ts > maxts) maxts = ts;
            }
        }
        i += n;
        if (ref_rand() % 2 == 0 && maxts != INT64_MIN)
            s.ev[s.nev++] = (ev){.kind = EV_WM, .v = maxts - o->delay};
        if (o->tick_ms > 0 && ref_rand() % 3 == 0) {
            now += o->tick_ms;
            s.ev[s.nev++] = (ev){.kind = EV_TICK, .v = now};
        }
    }
    s.ev[s.nev++] = (ev){.kind = EV_FINISH};
    free(split_max);
    return s;
}

static void script_free(script *s)
{
    free(s->rows);
    free(s->wmb);
    free(s->ev);
}

/* ---- feeding an operator ---- */

/* Input column j of the operator <- column map[j] of the script's rows. */
typedef struct feed {
    const eddy_schema *in;
    int map[TU_MAXCOLS];
} feed;

static feed identity_feed(const eddy_plan *p)
{
    feed f = {.in = &p->inputs[0]->out};
    for (int j = 0; j < f.in->n; j++) f.map[j] = j;
    return f;
}

/* Maps the node's input columns to the script's by name (planner-made nodes). */
static feed named_feed(const eddy_plan *p)
{
    feed f = {.in = &p->inputs[0]->out};
    for (int j = 0; j < f.in->n; j++) {
        f.map[j] = -1;
        for (int c = 0; c < IN_NCOLS; c++)
            if (strcmp(f.in->fields[j].name, ref_in_fields[c].name) == 0) f.map[j] = c;
        if (f.map[j] < 0) fail_msg("input column '%s' is not one of the script's", f.in->fields[j].name);
    }
    return f;
}

static void push_rows(eddy_op *op, const feed *f, const script *s, const ev *e)
{
    tu_cell *cells = calloc((size_t)e->n * (size_t)f->in->n + 1, sizeof(tu_cell));
    for (int r = 0; r < e->n; r++)
        for (int j = 0; j < f->in->n; j++)
            cells[(size_t)r * (size_t)f->in->n + (size_t)j] =
                s->rows[(size_t)(e->first + r) * IN_NCOLS + (size_t)f->map[j]];
    eddy_batch *b = tu_batch(f->in, cells, f->in->n, e->n);
    b->wm_before = e->no_wmb ? NULL : &s->wmb[e->first];
    b->split = e->split;
    eddy_error err;
    eddy_error_clear(&err);
    int rc = op->ops->push(op, 0, b, &err);
    if (rc) fail_msg("push: %s", err.msg);
    b->wm_before = NULL;
    eddy_batch_free(b);
    free(cells);
}

static void run_event(eddy_op *op, const feed *f, const script *s, const ev *e, int64_t *last_tick)
{
    eddy_error err;
    eddy_error_clear(&err);
    int rc = 0;
    switch (e->kind) {
    case EV_ROWS: push_rows(op, f, s, e); break;
    case EV_WM: rc = op->ops->watermark(op, 0, e->v, &err); break;
    case EV_TICK:
        if (op->ops->tick) rc = op->ops->tick(op, e->v, &err);
        *last_tick = e->v;
        break;
    case EV_FINISH:
        rc = op->ops->watermark(op, 0, INT64_MAX, &err);
        if (!rc) rc = op->ops->finish(op, 0, &err);
        break;
    }
    if (rc) fail_msg("event %d: %s", (int)e->kind, err.msg);
}

/* ---- checkpoints ---- */

typedef struct ckpt {
    char dir[300];      /* state directory */
    uint64_t id;        /* last checkpoint id */
    int taken;
    int nonempty;       /* checkpoints that held more than the meta entry */
    int empty;          /* checkpoints that held only the meta entry */
} ckpt;

static int count_visit(void *ctx, const void *key, size_t klen, const void *val, size_t vlen,
                       eddy_error *err)
{
    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    (void)err;
    (*(int *)ctx)++;
    return 0;
}

static eddy_state *open_store(const char *dir)
{
    eddy_state *st;
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_state_open(dir, &st, &err)) fail_msg("state open %s: %s", dir, err.msg);
    return st;
}

/* Writes op's snapshot as checkpoint ++c->id (an aborted first attempt every other time). */
static void take_snapshot(eddy_op *op, ckpt *c)
{
    eddy_state *st = open_store(c->dir);
    eddy_error err;
    eddy_error_clear(&err);
    for (int attempt = c->taken % 2 == 0 ? 0 : 1; attempt < 2; attempt++) {
        eddy_state_txn *t;
        eddy_state_db db;
        if (eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err)) fail_msg("begin: %s", err.msg);
        if (eddy_state_db_open(t, "op/0", &db, &err)) fail_msg("db open: %s", err.msg);
        if (op->ops->snapshot(op, &db, &err)) fail_msg("snapshot: %s", err.msg);
        if (attempt == 0) {
            eddy_state_abort(t);
            continue;
        }
        int n = 0;
        if (eddy_state_scan(&db, NULL, 0, count_visit, &n, &err)) fail_msg("scan: %s", err.msg);
        if (n > 1) c->nonempty++;
        else c->empty++;
        if (eddy_state_commit(t, ++c->id, &err)) fail_msg("commit: %s", err.msg);
    }
    if (op->ops->checkpoint_done) op->ops->checkpoint_done(op);
    c->taken++;
    eddy_state_close(st);
}

typedef eddy_op *(*make_fn)(const eddy_plan *p, eddy_error *err);

/* Restores the last checkpoint into a fresh operator built by mk from p. */
static eddy_op *restore_fresh(const eddy_plan *p, make_fn mk, ckpt *c, eddy_error *err)
{
    eddy_op *op = mk(p, err);
    if (!op) fail_msg("make: %s", err->msg);
    eddy_state *st = open_store(c->dir);
    assert_int_equal(eddy_state_last_checkpoint(st), c->id);
    eddy_state_txn *t;
    eddy_state_db db;
    if (eddy_state_begin(st, EDDY_STATE_READ, &t, err)) fail_msg("begin: %s", err->msg);
    int rc = eddy_state_db_open(t, "op/0", &db, err);
    if (rc == 0) rc = op->ops->restore(op, &db, err);
    else if (rc == EDDY_ENOTFOUND) rc = 0;
    eddy_state_abort(t);
    eddy_state_close(st);
    if (rc) {
        op->ops->destroy(op);
        return NULL;
    }
    return op;
}

/* Runs the script through an operator from p; cut[i]: stop before event i. Returns the log
 * (malloc'ed) and the late-row count. */
static char *run_script(const eddy_plan *p, make_fn mk, const feed *f, const script *s,
                        const uint8_t *cut, ckpt *c, uint64_t *late)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_op *op = mk(p, &err);
    if (!op) fail_msg("make: %s", err.msg);
    logop l = {.base.ops = &log_ops};
    attach(op, &l);
    int64_t last_tick = 0;
    for (int i = 0; i < s->nev; i++) {
        if (cut && cut[i]) {
            take_snapshot(op, c);
            /* what the job keeps itself ("op/N.wm") */
            int64_t in_wm = op->input_wm[0], wm = op->wm;
            uint8_t in_idle = op->input_idle[0];
            bool idle = op->idle;
            op->ops->destroy(op);
            op = restore_fresh(p, mk, c, &err);
            if (!op) fail_msg("restore: %s", err.msg);
            attach(op, &l);
            op->input_wm[0] = in_wm;
            op->input_idle[0] = in_idle;
            op->idle = idle;
            op->wm = wm;
            if (last_tick && op->ops->tick) {
                /* timers restart: arm them where the uninterrupted operator has them */
                if (op->ops->tick(op, last_tick, &err)) fail_msg("tick: %s", err.msg);
            }
        }
        run_event(op, f, s, &s->ev[i], &last_tick);
    }
    *late = op->late_rows;
    op->ops->destroy(op);
    if (l.rows == 0) fail_msg("the script made no output");
    return eddy_strbuf_take(&l.log);
}

static void expect_same(const char *want, const char *got, const char *what)
{
    if (strcmp(want, got) == 0) return;
    size_t i = 0, line = 1, ls = 0;
    while (want[i] && want[i] == got[i]) {
        if (want[i] == '\n') {
            line++;
            ls = i + 1;
        }
        i++;
    }
    fail_msg("%s: output differs from line %zu:\n--- uninterrupted:\n%.400s\n--- restored:\n%.400s",
             what, line, want + ls, got + ls);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

typedef struct fixture {
    char dir[256];
    int runs;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/eddy_op_state_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    tu_init();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_done();
    nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void new_ckpt(fixture *fx, ckpt *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s/run%d", fx->dir, fx->runs++);
}

/*
 * The check: the script straight through, then with stops at random points (about one event
 * in `every`), for several seeds of the stop points. Returns how many checkpoints held state.
 */
static int check_restores(fixture *fx, const eddy_plan *p, make_fn mk, const feed *f,
                          const script *s, int every, const char *what)
{
    uint64_t late_want, late_got;
    char *want = run_script(p, mk, f, s, NULL, NULL, &late_want);
    uint8_t *cut = calloc((size_t)s->nev, 1);
    int nonempty = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < s->nev; i++) cut[i] = ref_rand() % (uint32_t)every == 0;
        if (round == 0) cut[s->nev - 1] = 1; /* before the end of input, state is open */
        ckpt c;
        new_ckpt(fx, &c);
        char *got = run_script(p, mk, f, s, cut, &c, &late_got);
        expect_same(want, got, what);
        assert_int_equal(late_got, late_want);
        nonempty += c.nonempty;
        free(got);
    }
    free(cut);
    free(want);
    return nonempty;
}

/* ---- plans by hand: every aggregate function ---- */

typedef struct wcfg {
    eddy_window_kind kind;
    int64_t size, slide, gap;
    int nkeycols;           /* 0, 1 (k) or 2 (ks, k) */
    int64_t lateness;
    bool late_fire;
    int64_t late_fire_ms;
    int64_t early_ms;
} wcfg;

static eddy_plan *window_plan(const wcfg *c)
{
    eddy_plan *in = tu_input(IN_NCOLS, ref_in_fields);
    eddy_field out[TU_MAXCOLS];
    int n = 0;
    int *keys = NULL;
    if (c->nkeycols >= 2) out[n++] = (eddy_field){"ks", &tu_str, false, false};
    if (c->nkeycols >= 1) out[n++] = (eddy_field){"k", &tu_bigint, false, false};
    if (c->nkeycols == 1) keys = tu_ints(1, IN_K);
    if (c->nkeycols == 2) keys = tu_ints(2, IN_KS, IN_K);
    out[n++] = (eddy_field){"window_start", &tu_ts, false, false};
    out[n++] = (eddy_field){"window_end", &tu_ts, false, false};
    out[n++] = (eddy_field){"window_time", &tu_ts, true, false};
    for (int i = 0; i < REF_NAGGS; i++) out[n++] = (eddy_field){"agg", ref_aggs[i].type, false, false};
    bool session = c->kind == EDDY_WINDOW_SESSION;
    eddy_plan *p = tu_node(session ? EDDY_PLAN_SESSION_AGG : EDDY_PLAN_WINDOW_AGG, in, n, out);
    p->u.window_agg.win.kind = c->kind;
    p->u.window_agg.win.time_col = IN_TS;
    p->u.window_agg.win.size = c->size;
    p->u.window_agg.win.slide = c->kind == EDDY_WINDOW_TUMBLE ? c->size : c->slide;
    p->u.window_agg.win.gap = c->gap;
    p->u.window_agg.keys = keys;
    p->u.window_agg.nkeys = c->nkeycols;
    p->u.window_agg.aggs = ref_calls(REF_NAGGS);
    p->u.window_agg.naggs = REF_NAGGS;
    p->u.window_agg.allowed_lateness_ms = c->lateness;
    p->u.window_agg.late_fire = c->late_fire;
    p->u.window_agg.late_fire_ms = c->late_fire_ms;
    p->u.window_agg.early_fire_ms = c->early_ms;
    p->changelog = c->early_ms > 0 || (c->late_fire && c->lateness > 0);
    return p;
}

static eddy_op *mk_window(const eddy_plan *p, eddy_error *err)
{
    return eddy_op_window_agg_new(p, err);
}

static eddy_op *mk_session(const eddy_plan *p, eddy_error *err)
{
    return eddy_op_session_agg_new(p, err);
}

static script_opts default_opts(uint64_t seed)
{
    script_opts o = {.seed = seed, .nrows = 400, .nkeys = 5, .step = 40, .disorder = 900,
                     .delay = 300, .tick_ms = 0, .nsplits = 1};
    return o;
}

/* Runs window config c over a few scripts; asserts that some checkpoints held state. */
static void check_window(fixture *fx, const wcfg *c, const script_opts *base, const char *what)
{
    eddy_plan *p = window_plan(c);
    make_fn mk = c->kind == EDDY_WINDOW_SESSION ? mk_session : mk_window;
    feed f = identity_feed(p);
    int nonempty = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        script_opts o = *base;
        o.seed = base->seed * 100 + seed;
        script s = make_script(&o);
        nonempty += check_restores(fx, p, mk, &f, &s, 8, what);
        script_free(&s);
    }
    assert_true(nonempty > 0);
}

static void test_tumble(void **state)
{
    wcfg c = {.kind = EDDY_WINDOW_TUMBLE, .size = 1000, .nkeycols = 2};
    script_opts o = default_opts(1);
    check_window(*state, &c, &o, "TUMBLE");
    c.nkeycols = 0; /* a global aggregate per window */
    check_window(*state, &c, &o, "TUMBLE without keys");
}

static void test_hop(void **state)
{
    wcfg c = {.kind = EDDY_WINDOW_HOP, .size = 3000, .slide = 1000, .nkeycols = 1};
    script_opts o = default_opts(2);
    check_window(*state, &c, &o, "HOP");
}

static void test_cumulate(void **state)
{
    wcfg c = {.kind = EDDY_WINDOW_CUMULATE, .size = 4000, .slide = 1000, .nkeycols = 2};
    script_opts o = default_opts(3);
    check_window(*state, &c, &o, "CUMULATE");
}

static void test_late_firing(void **state)
{
    /* allowed lateness with late firing: windows stay after firing and late rows update them */
    wcfg c = {.kind = EDDY_WINDOW_HOP, .size = 2000, .slide = 1000, .nkeycols = 1,
              .lateness = 2000, .late_fire = true};
    script_opts o = default_opts(4);
    check_window(*state, &c, &o, "HOP with late firing");
    c.kind = EDDY_WINDOW_CUMULATE;
    c.size = 3000;
    check_window(*state, &c, &o, "CUMULATE with late firing");
    /* allowed lateness that only delays the firing */
    wcfg d = {.kind = EDDY_WINDOW_TUMBLE, .size = 1000, .nkeycols = 2, .lateness = 1500};
    check_window(*state, &d, &o, "TUMBLE with delayed firing");
}

static void test_early_firing(void **state)
{
    wcfg c = {.kind = EDDY_WINDOW_TUMBLE, .size = 2000, .nkeycols = 1, .early_ms = 100};
    script_opts o = default_opts(5);
    o.tick_ms = 100;
    check_window(*state, &c, &o, "TUMBLE with early firing");
    c.kind = EDDY_WINDOW_CUMULATE;
    c.size = 4000;
    c.slide = 1000;
    check_window(*state, &c, &o, "CUMULATE with early firing");
    /* early and late firing, late firing on a timer */
    wcfg d = {.kind = EDDY_WINDOW_TUMBLE, .size = 1000, .nkeycols = 2, .lateness = 2000,
              .late_fire = true, .late_fire_ms = 100, .early_ms = 100};
    check_window(*state, &d, &o, "TUMBLE with early and late firing");
}

static void test_session(void **state)
{
    wcfg c = {.kind = EDDY_WINDOW_SESSION, .gap = 500, .nkeycols = 2};
    script_opts o = default_opts(6);
    o.step = 60;
    check_window(*state, &c, &o, "SESSION");
    c.lateness = 1000;
    c.nkeycols = 1;
    check_window(*state, &c, &o, "SESSION with allowed lateness");
}

static void test_long_keys(void **state)
{
    /* group keys too long for an LMDB key, sharing their first 690 bytes */
    script_opts o = default_opts(7);
    o.long_keys = true;
    wcfg c = {.kind = EDDY_WINDOW_HOP, .size = 2000, .slide = 1000, .nkeycols = 2,
              .lateness = 1000, .late_fire = true, .early_ms = 100};
    o.tick_ms = 100;
    check_window(*state, &c, &o, "HOP with long keys");
    wcfg d = {.kind = EDDY_WINDOW_SESSION, .gap = 400, .nkeycols = 2};
    check_window(*state, &d, &o, "SESSION with long keys");
}

/* A checkpoint taken when no window is open holds only the meta entry, and restores. */
static void test_nothing_open(void **state)
{
    fixture *fx = *state;
    wcfg cs[] = {{.kind = EDDY_WINDOW_TUMBLE, .size = 1000, .nkeycols = 1},
                 {.kind = EDDY_WINDOW_CUMULATE, .size = 2000, .slide = 1000, .nkeycols = 1},
                 {.kind = EDDY_WINDOW_SESSION, .gap = 300, .nkeycols = 1}};
    for (int k = 0; k < 3; k++) {
        eddy_plan *p = window_plan(&cs[k]);
        make_fn mk = cs[k].kind == EDDY_WINDOW_SESSION ? mk_session : mk_window;
        feed f = identity_feed(p);
        script_opts o = default_opts(8);
        o.disorder = 0;
        o.stop_at = 100000;
        script s = make_script(&o);
        /* stop right after the watermark that closes everything */
        int at = -1;
        for (int i = 1; i < s.nev && at < 0; i++)
            if (s.ev[i - 1].kind == EV_WM && s.ev[i - 1].v > 1700000000000 + 50000) at = i;
        assert_true(at > 0);
        uint64_t late_want, late_got;
        char *want = run_script(p, mk, &f, &s, NULL, NULL, &late_want);
        uint8_t *cut = calloc((size_t)s.nev, 1);
        cut[at] = 1;
        ckpt c;
        new_ckpt(fx, &c);
        char *got = run_script(p, mk, &f, &s, cut, &c, &late_got);
        expect_same(want, got, "nothing open");
        assert_int_equal(late_got, late_want);
        assert_int_equal(c.empty, 1);
        assert_int_equal(c.nonempty, 0);
        free(cut);
        free(want);
        free(got);
        script_free(&s);
    }
}

/* ---- errors ---- */

static void test_restore_refuses_other_settings(void **state)
{
    fixture *fx = *state;
    wcfg c = {.kind = EDDY_WINDOW_TUMBLE, .size = 1000, .nkeycols = 1};
    eddy_plan *p = window_plan(&c);
    feed f = identity_feed(p);
    script_opts o = default_opts(9);
    o.nrows = 60;
    script s = make_script(&o);
    eddy_error err;
    eddy_error_clear(&err);
    eddy_op *op = mk_window(p, &err);
    logop l = {.base.ops = &log_ops};
    attach(op, &l);
    int64_t tick = 0;
    for (int i = 0; i < s.nev / 2; i++) run_event(op, &f, &s, &s.ev[i], &tick);
    ckpt ck;
    new_ckpt(fx, &ck);
    take_snapshot(op, &ck);
    op->ops->destroy(op);

    /* another allowed lateness */
    c.lateness = 5000;
    eddy_plan *p2 = window_plan(&c);
    eddy_error_clear(&err);
    assert_null(restore_fresh(p2, mk_window, &ck, &err));
    assert_int_equal(err.code, EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "allowed lateness 0 ms"));
    assert_non_null(strstr(err.msg, "allowed lateness 5000 ms"));

    /* another window */
    wcfg c3 = {.kind = EDDY_WINDOW_TUMBLE, .size = 2000, .nkeycols = 1};
    eddy_error_clear(&err);
    assert_null(restore_fresh(window_plan(&c3), mk_window, &ck, &err));
    assert_int_equal(err.code, EDDY_ESTATE);
    assert_non_null(strstr(err.msg, "another window"));

    /* a SESSION operator reading a TUMBLE one's state */
    wcfg c4 = {.kind = EDDY_WINDOW_SESSION, .gap = 1000, .nkeycols = 1};
    eddy_error_clear(&err);
    assert_null(restore_fresh(window_plan(&c4), mk_session, &ck, &err));
    assert_int_equal(err.code, EDDY_ESTATE);

    /* damaged entries */
    eddy_state *st = open_store(ck.dir);
    eddy_state_txn *t;
    eddy_state_db db;
    eddy_error_clear(&err);
    assert_int_equal(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err), 0);
    assert_int_equal(eddy_state_db_open(t, "op/0", &db, &err), 0);
    unsigned char key[12];
    eddy_state_key_i64(key, 1700000001000);
    memcpy(key + 8, "Sxyz", 4);
    assert_int_equal(eddy_state_put(&db, key, sizeof key, "\0\0\0\0\0garbage", 12, &err), 0);
    assert_int_equal(eddy_state_commit(t, ++ck.id, &err), 0);
    eddy_state_close(st);
    eddy_error_clear(&err);
    assert_null(restore_fresh(p, mk_window, &ck, &err));
    assert_int_equal(err.code, EDDY_ESTATE);
    if (!strstr(err.msg, "damaged")) fail_msg("unexpected message: %s", err.msg);

    /* an operator that wrote nothing: an empty database restores as a fresh operator */
    st = open_store(ck.dir);
    assert_int_equal(eddy_state_begin(st, EDDY_STATE_WRITE, &t, &err), 0);
    assert_int_equal(eddy_state_db_open(t, "op/0", &db, &err), 0);
    assert_int_equal(eddy_state_clear(&db, &err), 0);
    assert_int_equal(eddy_state_commit(t, ++ck.id, &err), 0);
    eddy_state_close(st);
    op = restore_fresh(p, mk_window, &ck, &err);
    assert_non_null(op);
    op->ops->destroy(op);
    eddy_strbuf_free(&l.log);
    script_free(&s);
}

/* ---- plans from SQL ---- */

static const char *ddl =
    "CREATE TABLE ev (k BIGINT, ks STRING, v BIGINT, s STRING, ts TIMESTAMP(3),\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND\n"
    ") WITH ('connector' = 'filesystem', 'path' = '/tmp/ev', 'format' = 'json');\n";

/* The plan of sql and its first node of kind k (the plan stays with the caller). */
static const eddy_plan *sql_node(eddy_session *se, const char *sql, eddy_plan_kind k,
                                 eddy_job_plan **jp)
{
    *jp = tp_plan(se, sql);
    const eddy_plan *p = tp_find((*jp)->sinks[0], k);
    if (!p) fail_msg("no node of kind %d in the plan of %s", (int)k, sql);
    return p;
}

static void test_sql_plans(void **state)
{
    fixture *fx = *state;
    eddy_session *se = eddy_session_new();
    tp_ok(se, ddl);
    static const struct {
        const char *set;
        const char *sql;
        eddy_plan_kind kind;
        int64_t tick;
    } cases[] = {
        {"",
         "SELECT ks, window_start, window_end, COUNT(DISTINCT v), MIN(s), MAX(s), LISTAGG(s), "
         "APPROX_COUNT_DISTINCT(v) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' "
         "SECOND)) GROUP BY ks, window_start, window_end",
         EDDY_PLAN_WINDOW_AGG, 0},
        {"SET 'table.exec.emit.allow-lateness' = '2 s'; "
         "SET 'table.exec.emit.late-fire.enabled' = 'true';",
         "SELECT k, window_start, window_end, COUNT(*), SUM(v), MAX(s), COUNT(DISTINCT s) FROM "
         "TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '3' SECOND)) GROUP "
         "BY k, window_start, window_end",
         EDDY_PLAN_WINDOW_AGG, 0},
        {"SET 'table.exec.emit.allow-lateness' = '0 s'; "
         "SET 'table.exec.emit.late-fire.enabled' = 'false'; "
         "SET 'table.exec.emit.early-fire.enabled' = 'true'; "
         "SET 'table.exec.emit.early-fire.delay' = '100 ms';",
         "SELECT k, window_start, window_end, COUNT(*), LISTAGG(s), MIN(s) FROM "
         "TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '4' SECOND)) "
         "GROUP BY k, window_start, window_end",
         EDDY_PLAN_WINDOW_AGG, 100},
        {"SET 'table.exec.emit.early-fire.enabled' = 'false';",
         "SELECT k, window_start, window_end, COUNT(*), COUNT(DISTINCT v), MIN(s), MAX(s), "
         "LISTAGG(s), APPROX_COUNT_DISTINCT(s) FROM TABLE(SESSION(TABLE ev PARTITION BY k, "
         "DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY k, window_start, window_end",
         EDDY_PLAN_SESSION_AGG, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].set[0]) tp_ok(se, cases[i].set);
        eddy_job_plan *jp;
        const eddy_plan *p = sql_node(se, cases[i].sql, cases[i].kind, &jp);
        feed f = named_feed(p);
        script_opts o = default_opts(20 + i);
        o.tick_ms = cases[i].tick;
        if (cases[i].kind == EDDY_PLAN_SESSION_AGG) o.step = 250;
        script s = make_script(&o);
        make_fn mk = cases[i].kind == EDDY_PLAN_SESSION_AGG ? mk_session : mk_window;
        assert_true(check_restores(fx, p, mk, &f, &s, 8, cases[i].sql) > 0);
        script_free(&s);
        eddy_job_plan_free(jp);
    }
    eddy_session_free(se);
}

static int nsplits_for_test = 3;

static eddy_op *mk_watermark(const eddy_plan *p, eddy_error *err)
{
    return eddy_op_watermark_new(p, nsplits_for_test, err);
}

/* The WATERMARK operator: per-split watermarks survive; a source with more or fewer splits
 * after the restore still restores. */
static void test_watermark_assigner(void **state)
{
    fixture *fx = *state;
    eddy_session *se = eddy_session_new();
    tp_ok(se, ddl);
    eddy_job_plan *jp;
    const eddy_plan *p = sql_node(se, "SELECT k, ts FROM ev", EDDY_PLAN_WATERMARK, &jp);
    feed f = named_feed(p);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        script_opts o = default_opts(30 + seed);
        o.nsplits = 3;
        script s = make_script(&o);
        /* the operator computes wm_before itself */
        for (int i = 0; i < s.nrows; i++) s.wmb[i] = INT64_MIN;
        check_restores(fx, p, mk_watermark, &f, &s, 6, "WatermarkAssigner");
        script_free(&s);
    }
    /* restore into an operator over 2 or 5 splits */
    script_opts o = default_opts(40);
    o.nsplits = 3;
    script s = make_script(&o);
    eddy_error err;
    eddy_error_clear(&err);
    eddy_op *op = mk_watermark(p, &err);
    logop l = {.base.ops = &log_ops};
    attach(op, &l);
    int64_t tick = 0;
    for (int i = 0; i < s.nev / 2; i++) run_event(op, &f, &s, &s.ev[i], &tick);
    ckpt ck;
    new_ckpt(fx, &ck);
    take_snapshot(op, &ck);
    op->ops->destroy(op);
    for (int n = 2; n <= 5; n += 3) {
        nsplits_for_test = n;
        op = restore_fresh(p, mk_watermark, &ck, &err);
        assert_non_null(op);
        op->ops->destroy(op);
    }
    nsplits_for_test = 3;
    eddy_strbuf_free(&l.log);
    script_free(&s);
    eddy_job_plan_free(jp);
    eddy_session_free(se);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tumble, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cumulate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_firing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_early_firing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nothing_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_refuses_other_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sql_plans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watermark_assigner, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
