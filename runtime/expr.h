/*
 * expr.h: evaluating typed expressions (planner/plan.h eddy_bexpr) a column at a time.
 *
 * An expression is compiled once per operator into a program of column kernels; evaluating it
 * over a batch writes one result column of b->n rows. Scratch columns and result strings live
 * in the arena passed in (the operator's per-batch arena, reset by the operator).
 *
 *     eddy_expr_prog *p = eddy_expr_compile(bexpr, &err);
 *     eddy_col out;
 *     if (eddy_expr_eval(p, batch, &out, arena, &err) != 0) ... // err: "line 3, column 9: BIGINT overflow in a * b"
 *     eddy_expr_free(p);
 *
 * Semantics are Flink's: three-valued logic, NULL in -> NULL out for most functions, integer
 * overflow an error (EDDY_ERUNTIME naming the expression's position), DECIMAL exact with
 * HALF_UP rounding (overflow of the result precision gives NULL, as Flink), division by zero
 * an error for integers and DECIMAL, IEEE for DOUBLE.
 */
#ifndef EDDY_RUNTIME_EXPR_H
#define EDDY_RUNTIME_EXPR_H

#include "../common/arena.h"
#include "../common/error.h"
#include "../planner/plan.h"
#include "batch.h"

typedef struct eddy_expr_prog eddy_expr_prog;

typedef struct eddy_expr_ctx {
    int64_t proctime_ms;    /* PROCTIME() / CURRENT_TIMESTAMP for this batch */
    int64_t watermark;      /* CURRENT_WATERMARK() */
} eddy_expr_ctx;

eddy_expr_prog *eddy_expr_compile(const eddy_bexpr *e, eddy_error *err);
/* Evaluates over the b->n rows of b into out (whose arrays are allocated in arena). */
int eddy_expr_eval(eddy_expr_prog *p, const eddy_batch *b, const eddy_expr_ctx *ctx,
                   eddy_col *out, eddy_arena *arena, eddy_error *err);
void eddy_expr_free(eddy_expr_prog *p);

#endif
