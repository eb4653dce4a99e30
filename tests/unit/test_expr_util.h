/*
 * test_expr_util.h: building typed expressions (eddy_bexpr) and batches by hand for the
 * expression tests (test_expr*.c), plus compile-and-evaluate helpers.
 *
 *     eddy_batch *b = tb_new(2, T(EDDY_TYPE_BIGINT), T(EDDY_TYPE_VARCHAR));
 *     tb_i(b, 0, 0, 42); tb_s(b, 1, 0, "abc"); tb_null(b, 1, 1); b->n = 2;
 *     eddy_col r = ev(OP(EDDY_BOP_ADD, T(EDDY_TYPE_BIGINT), COL(0, T(EDDY_TYPE_BIGINT)), I(1)), b);
 *     assert_int_equal(r.v.i64[0], 43);
 *
 * Everything built here lives in one arena (te_arena) and every compiled program in a list;
 * te_teardown() frees both after each test. Meant to be included by one .c file each.
 */
#ifndef EDDY_TEST_EXPR_UTIL_H
#define EDDY_TEST_EXPR_UTIL_H

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
#include "runtime/cast.h"
#include "runtime/expr.h"

static eddy_arena *te_arena;       /* bexprs, types, expected strings */
static eddy_arena *te_out;         /* results of evaluations */
static eddy_expr_prog **te_progs;  /* compiled programs, freed by te_teardown */
static int te_nprogs;
static eddy_batch **te_batches;
static int te_nbatches;
static eddy_expr_ctx te_ctx = {0, INT64_MIN};

static __attribute__((unused)) int te_setup(void **state)
{
    (void)state;
    te_arena = eddy_arena_new(0);
    te_out = eddy_arena_new(0);
    te_ctx.proctime_ms = 0;
    te_ctx.watermark = INT64_MIN;
    return 0;
}

static __attribute__((unused)) int te_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < te_nprogs; i++) eddy_expr_free(te_progs[i]);
    free(te_progs);
    te_progs = NULL;
    te_nprogs = 0;
    for (int i = 0; i < te_nbatches; i++) eddy_batch_free(te_batches[i]);
    free(te_batches);
    te_batches = NULL;
    te_nbatches = 0;
    eddy_arena_destroy(te_arena);
    eddy_arena_destroy(te_out);
    return 0;
}

/* ---- types ---- */

static __attribute__((unused)) const eddy_sqltype *TT(eddy_type_kind k, int p, int s)
{
    eddy_sqltype *t = eddy_arena_zalloc(te_arena, sizeof *t);
    t->kind = k;
    t->precision = p;
    t->scale = s;
    return t;
}

static __attribute__((unused)) const eddy_sqltype *T(eddy_type_kind k)
{
    return TT(k, k == EDDY_TYPE_TIMESTAMP || k == EDDY_TYPE_TIMESTAMP_LTZ ? 3 : -1, -1);
}

static __attribute__((unused)) const eddy_sqltype *TD(int p, int s)
{
    return TT(EDDY_TYPE_DECIMAL, p, s);
}

static __attribute__((unused)) const eddy_sqltype *TIV(eddy_time_unit from, eddy_time_unit to)
{
    eddy_sqltype *t = (eddy_sqltype *)TT(EDDY_TYPE_INTERVAL, -1, -1);
    t->from = from;
    t->to = to;
    return t;
}

/* ---- expressions ---- */

static __attribute__((unused)) eddy_bexpr *mk(eddy_bexpr_kind kind, const eddy_sqltype *t, int nargs)
{
    eddy_bexpr *e = eddy_arena_zalloc(te_arena, sizeof *e);
    e->kind = kind;
    e->type = t;
    e->line = 1;
    e->col = 1;
    e->nargs = nargs;
    if (nargs) e->args = eddy_arena_zalloc(te_arena, sizeof(eddy_bexpr *) * (size_t)nargs);
    return e;
}

static __attribute__((unused)) eddy_bexpr *at(eddy_bexpr *e, int line, int col)
{
    e->line = line;
    e->col = col;
    return e;
}

static __attribute__((unused)) eddy_bexpr *COL(int i, const eddy_sqltype *t)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_COLUMN, t, 0);
    e->column = i;
    return e;
}

static __attribute__((unused)) eddy_bexpr *IT(int64_t v, const eddy_sqltype *t)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONST, t, 0);
    e->value.u.i = v;
    return e;
}

static __attribute__((unused)) eddy_bexpr *I(int64_t v)
{
    return IT(v, T(EDDY_TYPE_BIGINT));
}

static __attribute__((unused)) eddy_bexpr *I32(int64_t v)
{
    return IT(v, T(EDDY_TYPE_INT));
}

static __attribute__((unused)) eddy_bexpr *F(double v)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONST, T(EDDY_TYPE_DOUBLE), 0);
    e->value.u.f = v;
    return e;
}

static __attribute__((unused)) eddy_bexpr *S(const char *s)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONST, T(EDDY_TYPE_VARCHAR), 0);
    e->value.u.s.p = eddy_arena_strdup(te_arena, s);
    e->value.u.s.n = (uint32_t)strlen(s);
    return e;
}

static __attribute__((unused)) eddy_bexpr *BOOL_(bool b)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONST, T(EDDY_TYPE_BOOLEAN), 0);
    e->value.u.b = b;
    return e;
}

static __attribute__((unused)) eddy_bexpr *NUL(const eddy_sqltype *t)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONST, t, 0);
    e->value.null = true;
    return e;
}

static __attribute__((unused)) eddy_bexpr *DEC(__int128 unscaled, int p, int s)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONST, TD(p, s), 0);
    e->value.u.dec = unscaled;
    return e;
}

static __attribute__((unused)) eddy_bexpr *OP(eddy_bop op, const eddy_sqltype *t, eddy_bexpr *a, eddy_bexpr *b)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_ARITH, t, b ? 2 : 1);
    e->op = op;
    e->args[0] = a;
    if (b) e->args[1] = b;
    return e;
}

static __attribute__((unused)) eddy_bexpr *CMP(eddy_bop op, eddy_bexpr *a, eddy_bexpr *b)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_COMPARE, T(EDDY_TYPE_BOOLEAN), 2);
    e->op = op;
    e->args[0] = a;
    e->args[1] = b;
    return e;
}

static __attribute__((unused)) eddy_bexpr *NARY(eddy_bexpr_kind kind, const eddy_sqltype *t, int n, va_list ap)
{
    eddy_bexpr *e = mk(kind, t, n);
    for (int i = 0; i < n; i++) e->args[i] = va_arg(ap, eddy_bexpr *);
    return e;
}

static __attribute__((unused)) eddy_bexpr *AND(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    eddy_bexpr *e = NARY(EDDY_BEXPR_AND, T(EDDY_TYPE_BOOLEAN), n, ap);
    va_end(ap);
    return e;
}

static __attribute__((unused)) eddy_bexpr *OR(int n, ...)
{
    va_list ap;
    va_start(ap, n);
    eddy_bexpr *e = NARY(EDDY_BEXPR_OR, T(EDDY_TYPE_BOOLEAN), n, ap);
    va_end(ap);
    return e;
}

static __attribute__((unused)) eddy_bexpr *NOT(eddy_bexpr *a)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_NOT, T(EDDY_TYPE_BOOLEAN), 1);
    e->args[0] = a;
    return e;
}

static __attribute__((unused)) eddy_bexpr *IS(eddy_bexpr *a, int what, bool negated)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_IS, T(EDDY_TYPE_BOOLEAN), 1);
    e->args[0] = a;
    e->is_what = what;
    e->negated = negated;
    return e;
}

static __attribute__((unused)) eddy_bexpr *DISTINCT(eddy_bexpr *a, eddy_bexpr *b, bool negated)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_DISTINCT, T(EDDY_TYPE_BOOLEAN), 2);
    e->args[0] = a;
    e->args[1] = b;
    e->negated = negated;
    return e;
}

static __attribute__((unused)) eddy_bexpr *IN(bool negated, eddy_bexpr *x, int n, ...)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_IN, T(EDDY_TYPE_BOOLEAN), n + 1);
    e->negated = negated;
    e->args[0] = x;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) e->args[i + 1] = va_arg(ap, eddy_bexpr *);
    va_end(ap);
    return e;
}

static __attribute__((unused)) eddy_bexpr *LIKE(eddy_bexpr *a, eddy_bexpr *pat, eddy_bexpr *esc, bool negated, bool similar)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_LIKE, T(EDDY_TYPE_BOOLEAN), esc ? 3 : 2);
    e->args[0] = a;
    e->args[1] = pat;
    if (esc) e->args[2] = esc;
    e->negated = negated;
    e->similar = similar;
    return e;
}

/* CASE: args when1, then1, ..., [else] */
static __attribute__((unused)) eddy_bexpr *CASE(const eddy_sqltype *t, bool has_else, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    eddy_bexpr *e = NARY(EDDY_BEXPR_CASE, t, n, ap);
    va_end(ap);
    e->has_else = has_else;
    return e;
}

static __attribute__((unused)) eddy_bexpr *CAST(eddy_bexpr *a, const eddy_sqltype *t, bool try_cast)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CAST, t, 1);
    e->args[0] = a;
    e->try_cast = try_cast;
    return e;
}

static __attribute__((unused)) eddy_bexpr *CONCAT(eddy_bexpr *a, eddy_bexpr *b)
{
    eddy_bexpr *e = mk(EDDY_BEXPR_CONCAT, T(EDDY_TYPE_VARCHAR), 2);
    e->args[0] = a;
    e->args[1] = b;
    return e;
}

static __attribute__((unused)) eddy_bexpr *FN(eddy_fn fn, const eddy_sqltype *t, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    eddy_bexpr *e = NARY(EDDY_BEXPR_CALL, t, n, ap);
    va_end(ap);
    e->fn = fn;
    return e;
}

static __attribute__((unused)) eddy_bexpr *FNU(eddy_fn fn, eddy_time_unit u, const eddy_sqltype *t, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    eddy_bexpr *e = NARY(EDDY_BEXPR_CALL, t, n, ap);
    va_end(ap);
    e->fn = fn;
    e->unit = u;
    return e;
}

/* ---- batches ---- */

/* A batch of ncols columns of the given types with room for cap rows (n = cap). */
static __attribute__((unused)) eddy_batch *tb_new_cap(int cap, int ncols, ...)
{
    const eddy_sqltype *types[32];
    va_list ap;
    va_start(ap, ncols);
    for (int i = 0; i < ncols; i++) types[i] = va_arg(ap, const eddy_sqltype *);
    va_end(ap);
    eddy_batch *b = eddy_batch_new(ncols, types, cap);
    b->n = cap;
    te_batches = realloc(te_batches, sizeof(*te_batches) * (size_t)(te_nbatches + 1));
    te_batches[te_nbatches++] = b;
    return b;
}

#define tb_new(rows, ncols, ...) tb_new_cap((rows), (ncols), __VA_ARGS__)

static __attribute__((unused)) void tb_i(eddy_batch *b, int c, int r, int64_t v)
{
    b->cols[c].v.i64[r] = v;
}

static __attribute__((unused)) void tb_f(eddy_batch *b, int c, int r, double v)
{
    b->cols[c].v.f64[r] = v;
}

static __attribute__((unused)) void tb_d(eddy_batch *b, int c, int r, __int128 v)
{
    b->cols[c].v.dec[r] = v;
}

static __attribute__((unused)) void tb_b(eddy_batch *b, int c, int r, bool v)
{
    b->cols[c].v.b[r] = v;
}

static __attribute__((unused)) void tb_s(eddy_batch *b, int c, int r, const char *s)
{
    b->cols[c].v.str[r] = eddy_batch_str(b, s, strlen(s));
}

/* Marks the row NULL and fills its value slot with junk (kernels must not look at it). */
static __attribute__((unused)) void tb_null(eddy_batch *b, int c, int r)
{
    eddy_col_nulls(b, c)[r] = 1;
    switch (b->cols[c].phys) {
    case EDDY_PHYS_BOOL: b->cols[c].v.b[r] = 0xA5; break;
    case EDDY_PHYS_I64: b->cols[c].v.i64[r] = INT64_MIN + 12345; break;
    case EDDY_PHYS_F64: b->cols[c].v.f64[r] = 1e300; break;
    case EDDY_PHYS_DEC: b->cols[c].v.dec[r] = ((__int128)1 << 120); break;
    case EDDY_PHYS_STR: b->cols[c].v.str[r] = (eddy_str){(const char *)(uintptr_t)0x10, 77}; break;
    }
}

/* An empty batch (no columns, n rows) for constant expressions. */
static __attribute__((unused)) eddy_batch *tb_rows(int n)
{
    eddy_batch *b = eddy_batch_new(0, NULL, n > 0 ? n : 1);
    b->n = n;
    te_batches = realloc(te_batches, sizeof(*te_batches) * (size_t)(te_nbatches + 1));
    te_batches[te_nbatches++] = b;
    return b;
}

/* ---- evaluation ---- */

static __attribute__((unused)) eddy_expr_prog *te_compile(const eddy_bexpr *e, eddy_error *err)
{
    eddy_expr_prog *p = eddy_expr_compile(e, err);
    if (p) {
        te_progs = realloc(te_progs, sizeof(*te_progs) * (size_t)(te_nprogs + 1));
        te_progs[te_nprogs++] = p;
    }
    return p;
}

/* Compiles and evaluates e over b; fails the test on an error. */
static __attribute__((unused)) eddy_col ev(const eddy_bexpr *e, const eddy_batch *b)
{
    eddy_error err;
    eddy_error_clear(&err);
    eddy_expr_prog *p = te_compile(e, &err);
    if (!p) fail_msg("compile failed: line %d col %d: %s", err.line, err.col, err.msg);
    eddy_col out;
    memset(&out, 0, sizeof out);
    int rc = eddy_expr_eval(p, b, &te_ctx, &out, te_out, &err);
    if (rc) fail_msg("eval failed (%d): line %d col %d: %s", rc, err.line, err.col, err.msg);
    return out;
}

/* Evaluates e over b expecting an error; returns the code and fills err. */
static __attribute__((unused)) int ev_err(const eddy_bexpr *e, const eddy_batch *b, eddy_error *err)
{
    eddy_error_clear(err);
    eddy_expr_prog *p = te_compile(e, err);
    if (!p) return err->code;
    eddy_col out;
    return eddy_expr_eval(p, b, &te_ctx, &out, te_out, err);
}

/* Compiles and evaluates e over an n-row batch without columns. */
static __attribute__((unused)) eddy_col ev0(const eddy_bexpr *e)
{
    return ev(e, tb_rows(1));
}

static __attribute__((unused)) bool isnull(const eddy_col *c, int r)
{
    return c->nulls && c->nulls[r];
}

/* Text of a result row (canonical text, "NULL" for NULL), in te_out. */
static __attribute__((unused)) const char *txt(const eddy_col *c, int r)
{
    if (isnull(c, r)) return "NULL";
    eddy_strbuf sb = {0};
    eddy_value_format(c, r, &sb);
    char *s = eddy_arena_strdup(te_out, eddy_strbuf_cstr(&sb));
    eddy_strbuf_free(&sb);
    return s;
}

static __attribute__((unused)) const char *str_of(const eddy_col *c, int r)
{
    if (isnull(c, r)) return "NULL";
    return eddy_arena_strndup(te_out, c->v.str[r].p, c->v.str[r].n);
}

#define assert_isnull(col, r) assert_true(isnull(&(col), (r)))
#define assert_notnull(col, r) assert_false(isnull(&(col), (r)))
#define assert_i(col, r, want)                                                                   \
    do {                                                                                         \
        assert_notnull(col, r);                                                                 \
        assert_int_equal((col).v.i64[(r)], (want));                                              \
    } while (0)
#define assert_b(col, r, want)                                                                   \
    do {                                                                                         \
        assert_notnull(col, r);                                                                 \
        assert_int_equal((col).v.b[(r)] != 0, (want) != 0);                                      \
    } while (0)
#define assert_s(col, r, want) assert_string_equal(str_of(&(col), (r)), (want))
#define assert_txt(col, r, want) assert_string_equal(txt(&(col), (r)), (want))

/* Three-valued booleans: 1 TRUE, 0 FALSE, -1 NULL. */
static __attribute__((unused)) int tv(const eddy_col *c, int r)
{
    if (isnull(c, r)) return -1;
    return c->v.b[r] != 0;
}

#endif
