/*
 * test_agg_util.h: helpers for the tests of the aggregation operators (test_agg*.c,
 * test_op_window*.c, test_op_session*.c, test_op_group_agg.c): plan nodes built by hand,
 * batches built from rows of cells, and a collector operator that records what an operator
 * emits (rows with their kind and a stamp saying which call produced them).
 *
 *     tu_init();
 *     eddy_plan *in = tu_input(3, (eddy_field[]){{"ts", &tu_ts}, {"k", &tu_bigint}, ...});
 *     eddy_plan *p = tu_node(EDDY_PLAN_WINDOW_AGG, in, out_fields, nout);
 *     p->u.window_agg... = ...;
 *     eddy_op *op = eddy_op_window_agg_new(p, &err);
 *     tu_collector *c = tu_attach(op);
 *     tu_push(op, rows, n, wm_before);  tu_wm(op, 1000);  tu_finish(op);
 *     ... c->rows[i].cells[j] ...
 *     tu_collector_free(c); op->ops->destroy(op); tu_done();
 *
 * Meant to be included by one .c file each; everything lives in one arena freed by tu_done().
 */
#ifndef EDDY_TEST_AGG_UTIL_H
#define EDDY_TEST_AGG_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/error.h"
#include "planner/plan.h"
#include "runtime/batch.h"
#include "runtime/operator.h"

static __attribute__((unused)) eddy_sqltype tu_bigint = {.kind = EDDY_TYPE_BIGINT, .precision = -1, .scale = -1};
static __attribute__((unused)) eddy_sqltype tu_int = {.kind = EDDY_TYPE_INT, .precision = -1, .scale = -1};
static __attribute__((unused)) eddy_sqltype tu_double = {.kind = EDDY_TYPE_DOUBLE, .precision = -1, .scale = -1};
static __attribute__((unused)) eddy_sqltype tu_dec102 = {.kind = EDDY_TYPE_DECIMAL, .precision = 10, .scale = 2};
static __attribute__((unused)) eddy_sqltype tu_dec382 = {.kind = EDDY_TYPE_DECIMAL, .precision = 38, .scale = 2};
static __attribute__((unused)) eddy_sqltype tu_dec386 = {.kind = EDDY_TYPE_DECIMAL, .precision = 38, .scale = 6};
static __attribute__((unused)) eddy_sqltype tu_str = {.kind = EDDY_TYPE_VARCHAR, .precision = -1, .scale = -1};
static __attribute__((unused)) eddy_sqltype tu_bool = {.kind = EDDY_TYPE_BOOLEAN, .precision = -1, .scale = -1};
static __attribute__((unused)) eddy_sqltype tu_ts = {.kind = EDDY_TYPE_TIMESTAMP, .precision = 3, .scale = -1};

static eddy_arena *tu_arena;
static uint64_t tu_stamp; /* set by the test before each call; recorded with emitted rows */

static __attribute__((unused)) void tu_init(void)
{
    tu_arena = eddy_arena_new(0);
    tu_stamp = 0;
}

static __attribute__((unused)) void tu_done(void)
{
    eddy_arena_destroy(tu_arena);
    tu_arena = NULL;
}

/* ---- plans ---- */

static __attribute__((unused)) eddy_plan *tu_input(int n, const eddy_field *fields)
{
    eddy_plan *p = eddy_arena_zalloc(tu_arena, sizeof *p);
    p->kind = EDDY_PLAN_CALC;
    p->out.n = n;
    p->out.fields = eddy_arena_zalloc(tu_arena, sizeof(eddy_field) * (size_t)n);
    memcpy(p->out.fields, fields, sizeof(eddy_field) * (size_t)n);
    return p;
}

static __attribute__((unused)) eddy_plan *tu_node(eddy_plan_kind kind, eddy_plan *in, int nout,
                                                  const eddy_field *out)
{
    eddy_plan *p = eddy_arena_zalloc(tu_arena, sizeof *p);
    p->kind = kind;
    p->inputs = eddy_arena_zalloc(tu_arena, sizeof(eddy_plan *));
    p->inputs[0] = in;
    p->ninputs = 1;
    p->out.n = nout;
    p->out.fields = eddy_arena_zalloc(tu_arena, sizeof(eddy_field) * (size_t)(nout ? nout : 1));
    if (nout) memcpy(p->out.fields, out, sizeof(eddy_field) * (size_t)nout);
    p->line = 1;
    p->col = 1;
    return p;
}

static __attribute__((unused)) int *tu_ints(int n, ...)
{
    int *a = eddy_arena_zalloc(tu_arena, sizeof(int) * (size_t)(n ? n : 1));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) a[i] = va_arg(ap, int);
    va_end(ap);
    return a;
}

static __attribute__((unused)) eddy_agg_call tu_call(eddy_agg fn, int arg, int filter,
                                                     bool distinct, const eddy_sqltype *type)
{
    eddy_agg_call c = {.fn = fn, .arg = arg, .arg2 = -1, .filter = filter,
                       .distinct = distinct, .type = type, .name = "a"};
    return c;
}

/* ---- values ---- */

typedef struct tu_cell {
    bool null;
    int64_t i;          /* I64 and BOOL */
    double f;
    __int128 d;
    const char *s;      /* STR, NUL-terminated copy */
} tu_cell;

#define TU_MAXCOLS 40

typedef struct tu_row {
    uint8_t kind;
    uint64_t stamp;
    int64_t wmb;        /* the batch's wm_before for the row, INT64_MIN without */
    int ncols;
    tu_cell c[TU_MAXCOLS];
} tu_row;

/* ---- collector ---- */

typedef struct tu_collector {
    eddy_op base;
    tu_row *rows;
    int n, cap;
    int64_t wm;         /* last watermark received */
    int finished;
    int batches;
} tu_collector;

static int tu_collect_push(eddy_op *op, int input, eddy_batch *b, eddy_error *err)
{
    (void)input;
    (void)err;
    tu_collector *c = (tu_collector *)op;
    c->batches++;
    for (int r = 0; r < b->n; r++) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 64;
            c->rows = realloc(c->rows, sizeof(tu_row) * (size_t)c->cap);
        }
        tu_row *t = &c->rows[c->n++];
        memset(t, 0, sizeof *t);
        t->kind = b->kinds ? b->kinds[r] : EDDY_ROW_INSERT;
        t->stamp = tu_stamp;
        t->wmb = b->wm_before ? b->wm_before[r] : INT64_MIN;
        t->ncols = b->ncols;
        assert_true(b->ncols <= TU_MAXCOLS);
        for (int j = 0; j < b->ncols; j++) {
            const eddy_col *col = &b->cols[j];
            tu_cell *x = &t->c[j];
            if (col->nulls && col->nulls[r]) {
                x->null = true;
                continue;
            }
            switch (col->phys) {
            case EDDY_PHYS_BOOL: x->i = col->v.b[r]; break;
            case EDDY_PHYS_I64: x->i = col->v.i64[r]; break;
            case EDDY_PHYS_F64: x->f = col->v.f64[r]; break;
            case EDDY_PHYS_DEC: x->d = col->v.dec[r]; break;
            case EDDY_PHYS_STR:
                x->s = eddy_arena_strndup(tu_arena, col->v.str[r].p, col->v.str[r].n);
                break;
            }
        }
    }
    return 0;
}

static int tu_collect_wm(eddy_op *op, int input, int64_t wm, eddy_error *err)
{
    (void)input;
    (void)err;
    ((tu_collector *)op)->wm = wm;
    return 0;
}

static int tu_collect_finish(eddy_op *op, int input, eddy_error *err)
{
    (void)input;
    (void)err;
    ((tu_collector *)op)->finished++;
    return 0;
}

static void tu_collect_destroy(eddy_op *op)
{
    (void)op;
}

static const eddy_op_ops tu_collect_ops = {
    .name = "Collect",
    .push = tu_collect_push,
    .watermark = tu_collect_wm,
    .finish = tu_collect_finish,
    .destroy = tu_collect_destroy,
};

/* Attaches a new collector as the only output of op. */
static __attribute__((unused)) tu_collector *tu_attach(eddy_op *op)
{
    tu_collector *c = calloc(1, sizeof *c);
    c->base.ops = &tu_collect_ops;
    c->wm = INT64_MIN;
    op->outs = calloc(1, sizeof(eddy_op_out));
    op->outs[0].op = &c->base;
    op->outs[0].input = 0;
    op->nouts = 1;
    return c;
}

static __attribute__((unused)) void tu_collector_free(tu_collector *c)
{
    free(c->rows);
    free(c);
}

/* ---- feeding ---- */

/* A batch of the input schema of p's input from rows[0..n) (cells per input column). */
static __attribute__((unused)) eddy_batch *tu_batch(const eddy_schema *s, const tu_cell *rows,
                                                    int ncols, int n)
{
    const eddy_sqltype *types[TU_MAXCOLS];
    for (int j = 0; j < s->n; j++) types[j] = s->fields[j].type;
    eddy_batch *b = eddy_batch_new(s->n, types, n > 0 ? n : 1);
    for (int r = 0; r < n; r++) {
        for (int j = 0; j < s->n; j++) {
            const tu_cell *x = &rows[(size_t)r * (size_t)ncols + (size_t)j];
            eddy_col *c = &b->cols[j];
            if (x->null) {
                eddy_col_nulls(b, j)[r] = 1;
                continue;
            }
            switch (c->phys) {
            case EDDY_PHYS_BOOL: c->v.b[r] = (uint8_t)x->i; break;
            case EDDY_PHYS_I64: c->v.i64[r] = x->i; break;
            case EDDY_PHYS_F64: c->v.f64[r] = x->f; break;
            case EDDY_PHYS_DEC: c->v.dec[r] = x->d; break;
            case EDDY_PHYS_STR: {
                const char *sv = x->s ? x->s : "";
                c->v.str[r] = eddy_batch_str(b, sv, strlen(sv));
                break;
            }
            }
        }
    }
    b->n = n;
    return b;
}

/* Pushes rows [0..n) of the input (ncols cells each) as one batch, with per-row watermarks
 * wm_before (may be NULL). Returns the operator's return code; err gets its error. */
static __attribute__((unused)) int tu_push_ex(eddy_op *op, const tu_cell *rows, int ncols, int n,
                                              const int64_t *wm_before, const uint8_t *kinds,
                                              eddy_error *err)
{
    eddy_batch *b = tu_batch(&op->plan->inputs[0]->out, rows, ncols, n);
    int64_t *wmb = NULL;
    if (wm_before) {
        wmb = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
        memcpy(wmb, wm_before, sizeof(int64_t) * (size_t)n);
        b->wm_before = wmb;
    }
    if (kinds) {
        uint8_t *k = eddy_batch_kinds(b);
        memcpy(k, kinds, (size_t)n);
    }
    op->rows_in += (uint64_t)n;
    int rc = op->ops->push(op, 0, b, err);
    free(wmb);
    eddy_batch_free(b);
    return rc;
}

static __attribute__((unused)) void tu_push(eddy_op *op, const tu_cell *rows, int ncols, int n,
                                            const int64_t *wm_before)
{
    eddy_error err;
    eddy_error_clear(&err);
    int rc = tu_push_ex(op, rows, ncols, n, wm_before, NULL, &err);
    if (rc) fail_msg("push failed: %s", err.msg);
}

static __attribute__((unused)) void tu_wm(eddy_op *op, int64_t wm)
{
    eddy_error err;
    eddy_error_clear(&err);
    int rc = op->ops->watermark(op, 0, wm, &err);
    if (rc) fail_msg("watermark failed: %s", err.msg);
}

static __attribute__((unused)) void tu_tick(eddy_op *op, int64_t now)
{
    eddy_error err;
    eddy_error_clear(&err);
    int rc = op->ops->tick(op, now, &err);
    if (rc) fail_msg("tick failed: %s", err.msg);
}

static __attribute__((unused)) void tu_finish(eddy_op *op)
{
    eddy_error err;
    eddy_error_clear(&err);
    int rc = op->ops->watermark(op, 0, INT64_MAX, &err);
    if (!rc) rc = op->ops->finish(op, 0, &err);
    if (rc) fail_msg("finish failed: %s", err.msg);
}

/* ---- comparing ---- */

/* 0 when equal cells (doubles within a relative tolerance, tol 0 = exact bits). */
static __attribute__((unused)) int tu_cell_cmp(const tu_cell *a, const tu_cell *b, eddy_phys ph,
                                               double tol)
{
    if (a->null != b->null) return a->null ? -1 : 1;
    if (a->null) return 0;
    switch (ph) {
    case EDDY_PHYS_BOOL:
    case EDDY_PHYS_I64: return a->i < b->i ? -1 : a->i > b->i;
    case EDDY_PHYS_F64: {
        if (tol == 0) return memcmp(&a->f, &b->f, sizeof(double));
        double d = fabs(a->f - b->f), m = fmax(fabs(a->f), fabs(b->f));
        if (d <= tol * fmax(m, 1.0)) return 0;
        return a->f < b->f ? -1 : 1;
    }
    case EDDY_PHYS_DEC: return a->d < b->d ? -1 : a->d > b->d;
    case EDDY_PHYS_STR: return strcmp(a->s ? a->s : "", b->s ? b->s : "");
    }
    return 0;
}

static __attribute__((unused)) void tu_cell_print(const tu_cell *a, eddy_phys ph, char *buf,
                                                  size_t n)
{
    if (a->null) {
        snprintf(buf, n, "NULL");
        return;
    }
    switch (ph) {
    case EDDY_PHYS_BOOL:
    case EDDY_PHYS_I64: snprintf(buf, n, "%lld", (long long)a->i); break;
    case EDDY_PHYS_F64: snprintf(buf, n, "%.17g", a->f); break;
    case EDDY_PHYS_DEC: snprintf(buf, n, "dec:%lld", (long long)a->d); break;
    case EDDY_PHYS_STR: snprintf(buf, n, "'%s'", a->s ? a->s : ""); break;
    }
}

static __attribute__((unused)) void tu_row_print(const tu_row *r, const eddy_schema *s)
{
    char buf[256];
    fprintf(stderr, "  [%d @%llu]", r->kind, (unsigned long long)r->stamp);
    for (int j = 0; j < s->n; j++) {
        tu_cell_print(&r->c[j], eddy_phys_of(s->fields[j].type), buf, sizeof buf);
        fprintf(stderr, " %s", buf);
    }
    fprintf(stderr, "\n");
}

#endif
