/*
 * test_op_window.c: the TUMBLE/HOP/CUMULATE window aggregation operator (op_window_agg.c).
 *
 * The randomized tests feed out-of-order rows with per-row watermarks (the maximum event time
 * seen before the row minus a delay, as the WATERMARK operator computes it) and check:
 *   - the result set against a naive reference that assigns each row to its windows by
 *     definition, includes it in each window not yet fired when it arrived, counts it late when
 *     it is in none, and aggregates with plain loops (test_agg_ref.h);
 *   - that the same input cut into batches of 1, 7 and 1024 rows gives the identical output
 *     sequence (per-row watermarks make batch boundaries invisible);
 *   - with batches of 1 row, that each window is emitted exactly at the watermark that reaches
 *     end - 1 + allowed lateness, not before;
 *   - the late-row count.
 * Fixed tests cover exact firing, lateness, early firing's changelog, slice expiry, errors.
 */
#include "test_agg_ref.h"

#include "common/timeutil.h"

#include <time.h>

typedef struct wcfg {
    eddy_window_kind kind;
    int64_t size, slide, offset, lateness;
    int nkeycols;       /* 0, 1 (k) or 2 (ks, k) */
    bool late_fire;     /* lateness with late firing (else it delays the firing) */
} wcfg;

static eddy_plan *make_window_plan(const wcfg *c, int naggs, int64_t early_ms)
{
    eddy_plan *in = tu_input(IN_NCOLS, ref_in_fields);
    eddy_field out[TU_MAXCOLS];
    int n = 0;
    int *keys = NULL;
    if (c->nkeycols == 1) {
        keys = tu_ints(1, IN_K);
        out[n++] = (eddy_field){"k", &tu_bigint, false, false};
    } else if (c->nkeycols == 2) {
        keys = tu_ints(2, IN_KS, IN_K);
        out[n++] = (eddy_field){"ks", &tu_str, false, false};
        out[n++] = (eddy_field){"k", &tu_bigint, false, false};
    }
    out[n++] = (eddy_field){"window_start", &tu_ts, false, false};
    out[n++] = (eddy_field){"window_end", &tu_ts, false, false};
    out[n++] = (eddy_field){"window_time", &tu_ts, true, false};
    for (int i = 0; i < naggs; i++) out[n++] = (eddy_field){"agg", ref_aggs[i].type, false, false};
    eddy_plan *p = tu_node(EDDY_PLAN_WINDOW_AGG, in, n, out);
    p->u.window_agg.win.kind = c->kind;
    p->u.window_agg.win.time_col = IN_TS;
    p->u.window_agg.win.size = c->size;
    p->u.window_agg.win.slide = c->kind == EDDY_WINDOW_TUMBLE ? c->size : c->slide;
    p->u.window_agg.win.offset = c->offset;
    p->u.window_agg.keys = keys;
    p->u.window_agg.nkeys = c->nkeycols;
    p->u.window_agg.aggs = ref_calls(naggs);
    p->u.window_agg.naggs = naggs;
    p->u.window_agg.allowed_lateness_ms = c->lateness;
    p->u.window_agg.late_fire = c->late_fire;
    p->u.window_agg.early_fire_ms = early_ms;
    p->changelog = early_ms > 0;
    return p;
}

static eddy_op *new_op(eddy_plan *p)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_op *op = eddy_op_window_agg_new(p, &err);
    if (!op) fail_msg("window_agg_new: %s", err.msg);
    return op;
}

/* ---- the reference ---- */

typedef struct wref {
    int64_t ws, we;     /* window */
    int64_t slice;      /* slice start of the row (order of merging) */
    int row;            /* arrival index */
    const tu_cell *keyrow;
} wref;

static int64_t slice_width(const wcfg *c)
{
    if (c->kind == EDDY_WINDOW_HOP) return eddy_gcd_i64(c->size, c->slide);
    if (c->kind == EDDY_WINDOW_CUMULATE) return c->slide;
    return c->size;
}

/* The windows [ws, we) containing ts, by definition. */
static int windows_of(const wcfg *c, int64_t ts, int64_t *ws, int64_t *we)
{
    int n = 0;
    if (c->kind == EDDY_WINDOW_TUMBLE) {
        ws[0] = eddy_window_start(ts, c->size, c->offset);
        we[0] = ws[0] + c->size;
        return 1;
    }
    if (c->kind == EDDY_WINDOW_HOP) {
        for (int64_t st = eddy_window_start(ts, c->slide, c->offset); st > ts - c->size;
             st -= c->slide) {
            ws[n] = st;
            we[n] = st + c->size;
            n++;
        }
        return n;
    }
    int64_t s0 = eddy_window_start(ts, c->size, c->offset);
    for (int64_t e = s0 + c->slide; e <= s0 + c->size; e += c->slide) {
        if (e <= ts) continue;
        ws[n] = s0;
        we[n] = e;
        n++;
    }
    return n;
}

static int keycmp(const wcfg *c, const tu_cell *a, const tu_cell *b)
{
    int r = 0;
    if (c->nkeycols == 2) r = tu_cell_cmp(&a[IN_KS], &b[IN_KS], EDDY_PHYS_STR, 0);
    if (!r && c->nkeycols >= 1) r = tu_cell_cmp(&a[IN_K], &b[IN_K], EDDY_PHYS_I64, 0);
    return r;
}

static const wcfg *sort_cfg;
static int wref_cmp(const void *x, const void *y)
{
    const wref *a = x, *b = y;
    if (a->we != b->we) return a->we < b->we ? -1 : 1;
    if (a->ws != b->ws) return a->ws < b->ws ? -1 : 1;
    int k = keycmp(sort_cfg, a->keyrow, b->keyrow);
    if (k) return k;
    if (a->slice != b->slice) return a->slice < b->slice ? -1 : 1;
    return a->row - b->row;
}

typedef struct expect {
    tu_row row;         /* expected output row */
    uint64_t stamp;     /* when it must be emitted (batches of one row) */
} expect;

/* Builds the expected output and late count for rows with per-row watermarks wmb. */
static expect *reference(const wcfg *c, const tu_cell *rows, int n, const int64_t *wmb,
                         const int64_t *wm_after, int naggs, int *nexp, int *late)
{
    wref *t = malloc(sizeof(wref) * (size_t)n * 64);
    int nt = 0;
    *late = 0;
    int64_t g = slice_width(c);
    for (int i = 0; i < n; i++) {
        const tu_cell *r = &rows[(size_t)i * IN_NCOLS];
        int64_t ws[64], we[64];
        int k = windows_of(c, r[IN_TS].i, ws, we);
        int taken = 0;
        for (int j = 0; j < k; j++) {
            if (we[j] - 1 + c->lateness <= wmb[i]) continue; /* fired before the row came */
            t[nt++] = (wref){ws[j], we[j], eddy_window_start(r[IN_TS].i, g, c->offset), i, r};
            taken++;
        }
        if (!taken && k > 0) (*late)++; /* rows between HOP windows are in none: not late */
    }
    sort_cfg = c;
    qsort(t, (size_t)nt, sizeof *t, wref_cmp);
    expect *e = calloc((size_t)(2 * nt + 1), sizeof *e);
    int ne = 0;
    const tu_cell **grp = malloc(sizeof(tu_cell *) * (size_t)(nt ? nt : 1));
    int *late_rows = malloc(sizeof(int) * (size_t)(nt ? nt : 1));
    for (int i = 0; i < nt;) {
        int j = i;
        while (j < nt && t[j].we == t[i].we && t[j].ws == t[i].ws &&
               keycmp(c, t[j].keyrow, t[i].keyrow) == 0)
            j++;
        /* fires at the watermark after the first row that reaches end - 1 (+ the lateness
         * when it delays the firing) */
        int64_t delay = c->late_fire ? 0 : c->lateness;
        int fr = n;
        for (int r = 0; r < n; r++)
            if (wm_after[r] >= t[i].we - 1 + delay) {
                fr = r;
                break;
            }
        uint64_t fire_stamp = fr < n ? 2 * (uint64_t)(fr + 1) + 1 : 2 * (uint64_t)n + 2;
        /* rows after the firing (within the allowed lateness) each fire again, in arrival
         * order */
        int nl = 0;
        for (int k = i; k < j; k++)
            if (t[k].row > fr) late_rows[nl++] = t[k].row;
        for (int a = 1; a < nl; a++)
            for (int b = a; b > 0 && late_rows[b - 1] > late_rows[b]; b--) {
                int x = late_rows[b];
                late_rows[b] = late_rows[b - 1];
                late_rows[b - 1] = x;
            }
        tu_row prev;
        bool has_prev = false;
        for (int step = -1; step < nl; step++) {
            int limit = step < 0 ? fr : late_rows[step];
            int m = 0;
            for (int k = i; k < j; k++)
                if (t[k].row <= limit) grp[m++] = t[k].keyrow; /* (slice, arrival) order */
            if (m == 0) continue;
            tu_row o;
            memset(&o, 0, sizeof o);
            int col = 0;
            if (c->nkeycols == 2) o.c[col++] = t[i].keyrow[IN_KS];
            if (c->nkeycols >= 1) o.c[col++] = t[i].keyrow[IN_K];
            o.c[col++].i = t[i].ws;
            o.c[col++].i = t[i].we;
            o.c[col++].i = t[i].we - 1;
            for (int a = 0; a < naggs; a++) ref_compute(&ref_aggs[a], grp, m, &o.c[col++]);
            o.ncols = col;
            uint64_t stamp = step < 0 ? fire_stamp : 2 * (uint64_t)(limit + 1);
            if (has_prev) {
                e[ne].row = prev;
                e[ne].row.kind = EDDY_ROW_UPDATE_BEFORE;
                e[ne++].stamp = stamp;
                o.kind = EDDY_ROW_UPDATE_AFTER;
            } else {
                o.kind = EDDY_ROW_INSERT;
            }
            e[ne].row = o;
            e[ne++].stamp = stamp;
            prev = o;
            has_prev = true;
        }
        i = j;
    }
    free(late_rows);
    free(grp);
    free(t);
    *nexp = ne;
    return e;
}

/* ---- running ---- */

typedef struct run {
    tu_row *rows;
    int n;
    uint64_t late;
} run;

/* Feeds rows in batches of bs rows (per-row watermarks), a watermark after each batch, then
 * the end. */
static run run_op(eddy_plan *p, const tu_cell *rows, int n, const int64_t *wmb,
                  const int64_t *wm_after, int bs)
{
    eddy_op *op = new_op(p);
    tu_collector *col = tu_attach(op);
    for (int i = 0; i < n; i += bs) {
        int m = n - i < bs ? n - i : bs;
        tu_stamp = 2 * (uint64_t)(i + m);
        tu_push(op, rows + (size_t)i * IN_NCOLS, IN_NCOLS, m, wmb + i);
        tu_stamp++;
        tu_wm(op, wm_after[i + m - 1]);
    }
    tu_stamp = 2 * (uint64_t)n + 2;
    tu_finish(op);
    assert_int_equal(col->finished, 1);
    run r = {col->rows, col->n, op->late_rows};
    col->rows = NULL;
    tu_collector_free(col);
    op->ops->destroy(op);
    return r;
}

static int out_cmp_cfg_naggs;
static const wcfg *out_cmp_cfg;
static int out_row_cmp(const void *x, const void *y)
{
    const tu_row *a = x, *b = y;
    int kc = out_cmp_cfg->nkeycols;
    /* window end, start, then keys */
    if (a->c[kc + 1].i != b->c[kc + 1].i) return a->c[kc + 1].i < b->c[kc + 1].i ? -1 : 1;
    if (a->c[kc].i != b->c[kc].i) return a->c[kc].i < b->c[kc].i ? -1 : 1;
    for (int j = 0; j < kc; j++) {
        eddy_phys ph = kc == 2 && j == 0 ? EDDY_PHYS_STR : EDDY_PHYS_I64;
        int r = tu_cell_cmp(&a->c[j], &b->c[j], ph, 0);
        if (r) return r;
    }
    return 0;
}

static int str_cmp_p(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* LISTAGG's text split at sep and sorted, joined again. */
static char *sorted_tokens(const char *s, char sep)
{
    char *copy = strdup(s), *tok[4096];
    int n = 0;
    char *p = copy;
    for (;;) {
        char *q = strchr(p, sep);
        tok[n++] = p;
        if (!q) break;
        *q = 0;
        p = q + 1;
    }
    qsort(tok, (size_t)n, sizeof(char *), str_cmp_p);
    char *out = eddy_arena_alloc(tu_arena, strlen(s) + 1), *o = out;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(tok[i]);
        memcpy(o, tok[i], l);
        o += l;
        *o++ = sep;
    }
    o[n ? -1 : 0] = 0;
    free(copy);
    return out;
}

/*
 * CUMULATE merges each period's slices into one table as its windows fire, and a row that
 * arrives for an already merged slice goes straight into that table: values keep their
 * arrival order only within those steps, so FIRST_VALUE, LAST_VALUE and LISTAGG are compared
 * order-free there (LISTAGG as a multiset of its parts, the others by NULL-ness).
 */
static const tu_row *sort_rows;
static int idx_cmp(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    int r = out_row_cmp(&sort_rows[a], &sort_rows[b]);
    return r ? r : a - b;
}

static bool agg_equal(const wcfg *c, const ref_agg *a, const tu_cell *got, const tu_cell *want)
{
    if (c->kind == EDDY_WINDOW_CUMULATE) {
        if (a->fn == EDDY_AGG_FIRST_VALUE || a->fn == EDDY_AGG_LAST_VALUE)
            return got->null == want->null;
        if (a->fn == EDDY_AGG_LISTAGG) {
            if (got->null != want->null) return false;
            if (got->null) return true;
            char sep = a->arg2 >= 0 ? '|' : ',';
            return strcmp(sorted_tokens(got->s, sep), sorted_tokens(want->s, sep)) == 0;
        }
    }
    return ref_agg_equal(a, got, want);
}

static void check_against_reference(const wcfg *c, eddy_plan *p, const run *got,
                                    expect *exp, int nexp, int naggs, bool check_stamps)
{
    if (got->n != nexp) {
        fprintf(stderr, "got %d rows, expected %d\n", got->n, nexp);
        for (int i = 0; i < got->n && i < 30; i++) tu_row_print(&got->rows[i], &p->out);
        fprintf(stderr, "expected:\n");
        for (int i = 0; i < nexp && i < 30; i++) tu_row_print(&exp[i].row, &p->out);
    }
    assert_int_equal(got->n, nexp);
    /* group the output by (window, key), keeping the order of each group's changes */
    out_cmp_cfg = c;
    out_cmp_cfg_naggs = naggs;
    sort_rows = got->rows;
    int *idx = malloc(sizeof(int) * (size_t)(got->n ? got->n : 1));
    for (int i = 0; i < got->n; i++) idx[i] = i;
    qsort(idx, (size_t)got->n, sizeof(int), idx_cmp);
    tu_row *sorted = malloc(sizeof(tu_row) * (size_t)(got->n ? got->n : 1));
    for (int i = 0; i < got->n; i++) sorted[i] = got->rows[idx[i]];
    free(idx);
    int kc = c->nkeycols;
    for (int i = 0; i < nexp; i++) {
        const tu_row *g = &sorted[i], *w = &exp[i].row;
        bool ok = out_row_cmp(g, w) == 0 && g->kind == w->kind;
        for (int j = 0; j < kc + 3 && ok; j++)
            ok = tu_cell_cmp(&g->c[j], &w->c[j], eddy_phys_of(p->out.fields[j].type), 0) == 0;
        int bad = -1;
        for (int a = 0; a < naggs && ok; a++)
            if (!agg_equal(c, &ref_aggs[a], &g->c[kc + 3 + a], &w->c[kc + 3 + a])) {
                ok = false;
                bad = a;
            }
        if (ok && check_stamps && g->stamp != exp[i].stamp) {
            fprintf(stderr, "emitted at stamp %llu, expected %llu\n",
                    (unsigned long long)g->stamp, (unsigned long long)exp[i].stamp);
            ok = false;
        }
        if (!ok) {
            fprintf(stderr, "row %d differs (aggregate %d):\n got", i, bad);
            tu_row_print(g, &p->out);
            fprintf(stderr, " want");
            tu_row_print(w, &p->out);
            fail();
        }
    }
    /* windows come out in end order within one stamp */
    for (int i = 1; i < got->n; i++)
        if (got->rows[i].stamp == got->rows[i - 1].stamp)
            assert_true(got->rows[i].c[kc + 1].i >= got->rows[i - 1].c[kc + 1].i);
    free(sorted);
}

static bool same_runs(const run *a, const run *b, const eddy_schema *s)
{
    if (a->n != b->n || a->late != b->late) {
        fprintf(stderr, "runs differ: %d rows, %llu late against %d rows, %llu late\n", a->n,
                (unsigned long long)a->late, b->n, (unsigned long long)b->late);
        return false;
    }
    for (int i = 0; i < a->n; i++) {
        bool same = a->rows[i].kind == b->rows[i].kind;
        for (int j = 0; j < s->n && same; j++)
            same = !tu_cell_cmp(&a->rows[i].c[j], &b->rows[i].c[j],
                                eddy_phys_of(s->fields[j].type), 0);
        if (!same) {
            fprintf(stderr, "runs differ at row %d:\n", i);
            tu_row_print(&a->rows[i], s);
            tu_row_print(&b->rows[i], s);
            return false;
        }
    }
    return true;
}

/* Random rows: event time mostly increasing with disorder, some far-late rows and jumps. */
static tu_cell *gen_rows(int n, int nkeys, int64_t delay, int64_t *wmb, int64_t *wm_after)
{
    tu_cell *rows = calloc((size_t)n * IN_NCOLS, sizeof(tu_cell));
    int64_t base = (int64_t)ref_between(0, 5000) - 2500, maxts = INT64_MIN;
    for (int i = 0; i < n; i++) {
        tu_cell *r = &rows[(size_t)i * IN_NCOLS];
        base += ref_between(0, 30);
        if (ref_rand() % 200 == 0) base += ref_between(1000, 8000);
        int64_t ts = base - ref_between(0, 300);
        if (ref_rand() % 15 == 0) ts = base - ref_between(0, 4000);
        r[IN_TS].i = ts;
        ref_fill_row(r, nkeys, 13);
        wmb[i] = maxts == INT64_MIN ? INT64_MIN : maxts - delay;
        if (ts > maxts) maxts = ts;
        wm_after[i] = maxts - delay;
    }
    return rows;
}

static void random_config(const wcfg *c, int seeds, int n)
{
    for (int seed = 1; seed <= seeds; seed++) {
        tu_init();
        ref_rng = 0x9E3779B97F4A7C15ULL * (uint64_t)seed + (uint64_t)c->size;
        int nkeys = 1 + seed % 6;
        int64_t delay = (int64_t)(seed % 4) * 150;
        int64_t *wmb = malloc(sizeof(int64_t) * (size_t)n);
        int64_t *wma = malloc(sizeof(int64_t) * (size_t)n);
        tu_cell *rows = gen_rows(n, nkeys, delay, wmb, wma);
        int naggs = REF_NAGGS;
        eddy_plan *p = make_window_plan(c, naggs, 0);
        int nexp, late;
        expect *exp = reference(c, rows, n, wmb, wma, naggs, &nexp, &late);

        run r1 = run_op(p, rows, n, wmb, wma, 1);
        check_against_reference(c, p, &r1, exp, nexp, naggs, true);
        assert_int_equal((int)r1.late, late);
        run r7 = run_op(p, rows, n, wmb, wma, 7);
        run r1k = run_op(p, rows, n, wmb, wma, 1024);
        assert_true(same_runs(&r1, &r7, &p->out));
        assert_true(same_runs(&r1, &r1k, &p->out));
        free(r1.rows);
        free(r7.rows);
        free(r1k.rows);
        free(exp);
        free(rows);
        free(wmb);
        free(wma);
        tu_done();
    }
}

static void test_random_tumble(void **state)
{
    (void)state;
    wcfg c1 = {EDDY_WINDOW_TUMBLE, 1000, 1000, 0, 0, 1, false};
    random_config(&c1, 20, 1500);
    wcfg c2 = {EDDY_WINDOW_TUMBLE, 700, 700, 250, 400, 2, true};
    random_config(&c2, 10, 1500);
    wcfg c4 = {EDDY_WINDOW_TUMBLE, 700, 700, 250, 400, 1, false};
    random_config(&c4, 8, 1500);
    wcfg c3 = {EDDY_WINDOW_TUMBLE, 2000, 2000, 0, 0, 0, false};
    random_config(&c3, 6, 1200);
}

static void test_random_hop(void **state)
{
    (void)state;
    wcfg c1 = {EDDY_WINDOW_HOP, 3000, 1000, 0, 0, 1, false};
    random_config(&c1, 15, 1500);
    wcfg c2 = {EDDY_WINDOW_HOP, 1000, 400, 100, 300, 2, true}; /* slices of gcd 200 */
    random_config(&c2, 10, 1500);
    wcfg c4 = {EDDY_WINDOW_HOP, 1000, 400, 100, 300, 1, false};
    random_config(&c4, 8, 1500);
    wcfg c3 = {EDDY_WINDOW_HOP, 500, 700, 0, 0, 1, false};      /* slide > size: gaps */
    random_config(&c3, 6, 1200);
}

static void test_random_cumulate(void **state)
{
    (void)state;
    wcfg c1 = {EDDY_WINDOW_CUMULATE, 3000, 1000, 0, 0, 1, false};
    random_config(&c1, 15, 1500);
    wcfg c2 = {EDDY_WINDOW_CUMULATE, 2000, 250, 500, 600, 2, true};
    random_config(&c2, 10, 1500);
    wcfg c3 = {EDDY_WINDOW_CUMULATE, 2000, 250, 0, 600, 1, false};
    random_config(&c3, 8, 1500);
}

/* ---- fixed cases ---- */

/* One key, COUNT(*) and SUM(v): rows (ts, v). */
static eddy_plan *small_plan(eddy_window_kind kind, int64_t size, int64_t slide, int64_t late,
                             int64_t early)
{
    wcfg c = {kind, size, slide, 0, late, 1, false};
    return make_window_plan(&c, 3, early); /* COUNT(*), COUNT(v), SUM(v) */
}

static void set_row(tu_cell *r, int64_t ts, int64_t k, int64_t v)
{
    memset(r, 0, sizeof(tu_cell) * IN_NCOLS);
    r[IN_TS].i = ts;
    r[IN_K].i = k;
    r[IN_V].i = v;
    r[IN_KS].s = "x";
    r[IN_S].s = "s";
    r[IN_SEP].s = ",";
}

static void push1(eddy_op *op, int64_t ts, int64_t k, int64_t v)
{
    tu_cell r[IN_NCOLS];
    set_row(r, ts, k, v);
    tu_push(op, r, IN_NCOLS, 1, NULL);
}

static void test_fires_exactly_at_end_minus_one(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 1000, 1000, 0, 0);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    push1(op, 10, 1, 5);
    push1(op, 999, 1, 6);
    push1(op, 1000, 1, 7);
    tu_wm(op, 998);
    assert_int_equal(c->n, 0);
    assert_int_equal(c->wm, 998);
    tu_wm(op, 999);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].c[0].i, 1);    /* key */
    assert_int_equal(c->rows[0].c[1].i, 0);    /* window_start */
    assert_int_equal(c->rows[0].c[2].i, 1000); /* window_end */
    assert_int_equal(c->rows[0].c[3].i, 999);  /* window_time */
    assert_int_equal(c->rows[0].c[4].i, 2);    /* COUNT(*) */
    assert_int_equal(c->rows[0].c[6].i, 11);   /* SUM(v) */
    /* a row for [0, 1000) is now late */
    push1(op, 500, 1, 100);
    assert_int_equal(op->late_rows, 1);
    tu_finish(op);
    assert_int_equal(c->n, 2);
    assert_int_equal(c->rows[1].c[1].i, 1000);
    assert_int_equal(c->rows[1].c[6].i, 7);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

/* Allowed lateness: the window fires on time (end - 1) and each row up to the lateness late
 * fires it again (-U old, +U new); past that, rows are dropped. The golden test
 * allowed_lateness's input: TUMBLE 5 s, lateness 5 s, WATERMARK ts - 1 s, all in one batch. */
static void test_allowed_lateness_late_fire(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 5000, 5000, 5000, 0);
    p->u.window_agg.late_fire = true;
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_cell rows[5 * IN_NCOLS];
    int64_t ts[5] = {1000, 7000, 3000, 12000, 2000}, v[5] = {1, 2, 3, 4, 5};
    for (int i = 0; i < 5; i++) set_row(rows + i * IN_NCOLS, ts[i], 1, v[i]);
    int64_t wmb[5] = {INT64_MIN, 0, 6000, 6000, 11000};
    tu_push(op, rows, IN_NCOLS, 5, wmb);
    tu_wm(op, 11000);
    assert_int_equal(op->late_rows, 1); /* v5: [0, 5000) expired at 9999 */
    tu_finish(op);
    static const struct { uint8_t kind; int64_t ws, n, sum; } want[] = {
        {EDDY_ROW_INSERT, 0, 1, 1},          {EDDY_ROW_UPDATE_BEFORE, 0, 1, 1},
        {EDDY_ROW_UPDATE_AFTER, 0, 2, 4},    {EDDY_ROW_INSERT, 5000, 1, 2},
        {EDDY_ROW_INSERT, 10000, 1, 4},
    };
    assert_int_equal(c->n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(c->rows[i].kind, want[i].kind);
        assert_int_equal(c->rows[i].c[1].i, want[i].ws);
        assert_int_equal(c->rows[i].c[4].i, want[i].n);
        assert_int_equal(c->rows[i].c[6].i, want[i].sum);
    }
    assert_int_equal(op->state_bytes, 0);
    tu_collector_free(c);
    op->ops->destroy(op);

    /* a window that had no row when it fired: a late row emits +I */
    p = small_plan(EDDY_WINDOW_TUMBLE, 1000, 1000, 500, 0);
    p->u.window_agg.late_fire = true;
    op = new_op(p);
    c = tu_attach(op);
    push1(op, 1500, 1, 1);
    tu_wm(op, 1200);
    assert_int_equal(c->n, 0);
    push1(op, 900, 1, 7); /* [0, 1000) fired empty at 999; within lateness until 1499 */
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].kind, EDDY_ROW_INSERT);
    assert_int_equal(c->rows[0].c[6].i, 7);
    tu_wm(op, 1499);
    push1(op, 950, 1, 7); /* expired now */
    assert_int_equal(op->late_rows, 1);
    tu_finish(op);
    assert_int_equal(c->n, 2);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

/* Allowed lateness without late firing: the one firing waits until end - 1 + lateness. */
static void test_allowed_lateness_delays_firing(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 1000, 1000, 500, 0);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    push1(op, 100, 1, 1);
    tu_wm(op, 1200);
    push1(op, 200, 1, 2); /* within the lateness: counted in [0, 1000) */
    tu_wm(op, 1498);
    assert_int_equal(c->n, 0);
    tu_wm(op, 1499);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].kind, EDDY_ROW_INSERT);
    assert_int_equal(c->rows[0].c[4].i, 2);
    push1(op, 300, 1, 4); /* now late */
    assert_int_equal(op->late_rows, 1);
    tu_finish(op);
    assert_int_equal(c->n, 1);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

/* Late firing with a delay: late rows are gathered and their windows fire again on ticks. */
static void test_late_fire_delay(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 1000, 1000, 5000, 0);
    p->u.window_agg.late_fire = true;
    p->u.window_agg.late_fire_ms = 100;
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_tick(op, 0);
    push1(op, 100, 1, 1);
    push1(op, 200, 2, 1);
    tu_wm(op, 1500);
    assert_int_equal(c->n, 2); /* on time */
    push1(op, 300, 1, 5);
    push1(op, 400, 1, 5);
    assert_int_equal(c->n, 2);
    tu_tick(op, 50);
    assert_int_equal(c->n, 2);
    tu_tick(op, 100); /* one -U/+U for key 1 with both rows; key 2 unchanged */
    assert_int_equal(c->n, 4);
    assert_int_equal(c->rows[2].kind, EDDY_ROW_UPDATE_BEFORE);
    assert_int_equal(c->rows[3].kind, EDDY_ROW_UPDATE_AFTER);
    assert_int_equal(c->rows[3].c[4].i, 3);
    assert_int_equal(c->rows[3].c[6].i, 11);
    tu_finish(op);
    assert_int_equal(c->n, 4);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_per_row_watermark_mid_batch(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 1000, 1000, 0, 0);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_cell rows[4 * IN_NCOLS];
    set_row(rows, 100, 1, 1);
    set_row(rows + IN_NCOLS, 1500, 1, 2);
    set_row(rows + 2 * IN_NCOLS, 900, 1, 3);  /* late: wm 1499 passed the window's end */
    set_row(rows + 3 * IN_NCOLS, 1600, 1, 4);
    int64_t wmb[4] = {INT64_MIN, 100, 1499, 1499};
    tu_push(op, rows, IN_NCOLS, 4, wmb);
    assert_int_equal(c->n, 1); /* [0, 1000) fired inside the batch, before row 2 */
    assert_int_equal(c->rows[0].c[4].i, 1);
    assert_int_equal(op->late_rows, 1);
    tu_finish(op);
    assert_int_equal(c->n, 2);
    assert_int_equal(c->rows[1].c[6].i, 6);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_hop_late_for_some_windows(void **state)
{
    (void)state;
    tu_init();
    /* HOP size 3000 slide 1000: a row at 2500 belongs to [0,3000), [1000,4000), [2000,5000) */
    eddy_plan *p = small_plan(EDDY_WINDOW_HOP, 3000, 1000, 0, 0);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    push1(op, 2400, 1, 1);
    tu_wm(op, 2999); /* fires [0, 3000) */
    assert_int_equal(c->n, 1);
    push1(op, 2500, 1, 10); /* not late: joins [1000,4000) and [2000,5000) only */
    assert_int_equal(op->late_rows, 0);
    tu_finish(op);
    assert_int_equal(c->n, 3);
    assert_int_equal(c->rows[0].c[6].i, 1);
    assert_int_equal(c->rows[1].c[6].i, 11);
    assert_int_equal(c->rows[2].c[6].i, 11);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_early_fire(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 1000, 1000, 0, 100);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_tick(op, 0);
    push1(op, 10, 1, 5);
    push1(op, 20, 2, 1);
    tu_tick(op, 50);
    assert_int_equal(c->n, 0);
    tu_tick(op, 100); /* first early firing: +I for both keys */
    assert_int_equal(c->n, 2);
    assert_int_equal(c->rows[0].kind, EDDY_ROW_INSERT);
    assert_int_equal(c->rows[1].kind, EDDY_ROW_INSERT);
    assert_int_equal(c->rows[0].c[6].i, 5);
    push1(op, 30, 1, 7);
    tu_tick(op, 200); /* key 1 changed: -U old, +U new; key 2 unchanged: nothing */
    assert_int_equal(c->n, 4);
    assert_int_equal(c->rows[2].kind, EDDY_ROW_UPDATE_BEFORE);
    assert_int_equal(c->rows[2].c[6].i, 5);
    assert_int_equal(c->rows[3].kind, EDDY_ROW_UPDATE_AFTER);
    assert_int_equal(c->rows[3].c[6].i, 12);
    tu_tick(op, 300); /* nothing changed */
    assert_int_equal(c->n, 4);
    push1(op, 40, 2, 1);
    push1(op, 50, 3, 9);
    tu_wm(op, 999); /* final: key 2 changed, key 3 new; key 1 unchanged */
    assert_int_equal(c->n, 7);
    assert_int_equal(c->rows[4].kind, EDDY_ROW_UPDATE_BEFORE);
    assert_int_equal(c->rows[4].c[0].i, 2);
    assert_int_equal(c->rows[4].c[4].i, 1);
    assert_int_equal(c->rows[5].kind, EDDY_ROW_UPDATE_AFTER);
    assert_int_equal(c->rows[5].c[4].i, 2);
    assert_int_equal(c->rows[6].kind, EDDY_ROW_INSERT);
    assert_int_equal(c->rows[6].c[0].i, 3);
    /* a window fired without early results: plain +I */
    push1(op, 1500, 1, 1);
    tu_finish(op);
    assert_int_equal(c->n, 8);
    assert_int_equal(c->rows[7].kind, EDDY_ROW_INSERT);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_early_fire_hop(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_HOP, 2000, 1000, 0, 100);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_tick(op, 0);
    push1(op, 1500, 1, 5); /* windows [0,2000) and [1000,3000) */
    tu_tick(op, 100);
    assert_int_equal(c->n, 2);
    assert_int_equal(c->rows[0].c[2].i, 2000);
    assert_int_equal(c->rows[1].c[2].i, 3000);
    push1(op, 2500, 1, 1); /* only [1000,3000) and [2000,4000) */
    tu_tick(op, 200);
    assert_int_equal(c->n, 5); /* -U/+U for [1000,3000), +I for [2000,4000) */
    assert_int_equal(c->rows[2].kind, EDDY_ROW_UPDATE_BEFORE);
    assert_int_equal(c->rows[3].kind, EDDY_ROW_UPDATE_AFTER);
    assert_int_equal(c->rows[3].c[6].i, 6);
    assert_int_equal(c->rows[4].kind, EDDY_ROW_INSERT);
    tu_finish(op); /* nothing changed since */
    assert_int_equal(c->n, 5);
    assert_int_equal(op->state_bytes, 0);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_slice_expiry_returns_memory(void **state)
{
    (void)state;
    tu_init();
    wcfg cfg = {EDDY_WINDOW_HOP, 5000, 1000, 0, 0, 1, false};
    eddy_plan *p = make_window_plan(&cfg, REF_NAGGS, 0);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    enum { N = 1000 };
    tu_cell *rows = calloc((size_t)N * IN_NCOLS, sizeof(tu_cell));
    ref_rng = 42;
    uint64_t peak = 0;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < N; i++) {
            tu_cell *r = &rows[(size_t)i * IN_NCOLS];
            ref_fill_row(r, 5000, 0);
            r[IN_K].i = i + round * 300;
            r[IN_TS].i = round * 1000 + i % 1000;
        }
        tu_push(op, rows, IN_NCOLS, N, NULL);
        tu_wm(op, round * 1000 + 999);
        if (op->state_bytes > peak) peak = op->state_bytes;
    }
    assert_true(peak > 1000000);
    /* at most 5 slices live: memory stays bounded (not growing with rounds) */
    uint64_t mid = op->state_bytes;
    tu_finish(op);
    assert_true(op->state_bytes < 100000);
    assert_true(mid <= peak);
    assert_true(c->n > 0);
    free(rows);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_cumulate_frees_merged_slices(void **state)
{
    (void)state;
    tu_init();
    /* a period of 100 steps: after each step fires, only the cumulative table and the slices
     * not yet fired stay */
    wcfg cfg = {EDDY_WINDOW_CUMULATE, 100000, 1000, 0, 0, 1, false};
    eddy_plan *p = make_window_plan(&cfg, 3, 0);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    enum { N = 2000 };
    tu_cell *rows = calloc((size_t)N * IN_NCOLS, sizeof(tu_cell));
    uint64_t after10 = 0;
    for (int step = 0; step < 100; step++) {
        for (int i = 0; i < N; i++) set_row(&rows[(size_t)i * IN_NCOLS], step * 1000 + i % 1000,
                                            i, 1);
        tu_push(op, rows, IN_NCOLS, N, NULL);
        tu_wm(op, step * 1000 + 999);
        if (step == 10) after10 = op->state_bytes;
        if (step > 10) assert_true(op->state_bytes <= after10 + after10 / 2);
        /* window [0, (step + 1) * 1000): every key once per step so far */
        tu_row *last = &c->rows[c->n - 1];
        assert_int_equal(last->c[2].i, (step + 1) * 1000);
        assert_int_equal(last->c[4].i, step + 1);
    }
    assert_int_equal(c->n, 100 * N);
    tu_finish(op);
    assert_int_equal(op->state_bytes, 0);
    free(rows);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_proctime_window(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 86400000, 86400000, 0, 0);
    p->u.window_agg.win.proctime = true;
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    push1(op, ms, 1, 2);
    tu_wm(op, INT64_MAX - 1); /* event-time watermarks do not fire processing-time windows */
    tu_tick(op, 0);           /* the clock is inside today's window */
    assert_int_equal(c->n, 0);
    push1(op, 0, 1, 3);       /* a row behind the clock counts at the clock's time */
    assert_int_equal(op->late_rows, 0);
    tu_finish(op);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->rows[0].c[4].i, 2);
    assert_int_equal(c->rows[0].c[6].i, 5);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_sum_overflow_is_an_error(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 1000, 1000, 0, 0);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_cell rows[2 * IN_NCOLS];
    set_row(rows, 1, 1, INT64_MAX - 1);
    set_row(rows + IN_NCOLS, 2, 1, 5);
    eddy_error err;
    eddy_error_clear(&err);
    int rc = tu_push_ex(op, rows, IN_NCOLS, 2, NULL, NULL, &err);
    assert_int_equal(rc, EDDY_ERUNTIME);
    assert_non_null(strstr(err.msg, "overflow in SUM"));
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

static void test_retraction_input_rejected(void **state)
{
    (void)state;
    tu_init();
    eddy_plan *p = small_plan(EDDY_WINDOW_TUMBLE, 1000, 1000, 0, 0);
    eddy_op *op = new_op(p);
    tu_collector *c = tu_attach(op);
    tu_cell rows[IN_NCOLS];
    set_row(rows, 1, 1, 1);
    uint8_t kinds[1] = {EDDY_ROW_DELETE};
    eddy_error err;
    eddy_error_clear(&err);
    assert_int_equal(tu_push_ex(op, rows, IN_NCOLS, 1, NULL, kinds, &err), EDDY_EUNSUPPORTED);
    tu_collector_free(c);
    op->ops->destroy(op);
    tu_done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fires_exactly_at_end_minus_one),
        cmocka_unit_test(test_allowed_lateness_late_fire),
        cmocka_unit_test(test_allowed_lateness_delays_firing),
        cmocka_unit_test(test_late_fire_delay),
        cmocka_unit_test(test_per_row_watermark_mid_batch),
        cmocka_unit_test(test_hop_late_for_some_windows),
        cmocka_unit_test(test_early_fire),
        cmocka_unit_test(test_early_fire_hop),
        cmocka_unit_test(test_slice_expiry_returns_memory),
        cmocka_unit_test(test_cumulate_frees_merged_slices),
        cmocka_unit_test(test_proctime_window),
        cmocka_unit_test(test_sum_overflow_is_an_error),
        cmocka_unit_test(test_retraction_input_rejected),
        cmocka_unit_test(test_random_tumble),
        cmocka_unit_test(test_random_hop),
        cmocka_unit_test(test_random_cumulate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
