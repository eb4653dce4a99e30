/*
 * binder.h: the binder and the plan builder (inside planner/ only).
 *
 * Binding turns the syntax tree of a query into plan nodes (plan.h) directly: a FROM item
 * becomes a subtree (a table scan is SOURCE -> CALC of computed columns -> WATERMARK), WHERE a
 * CALC with a filter, an aggregation a CALC of keys and arguments below an aggregate node and a
 * CALC of HAVING and the select list above it, and so on. Names are resolved through scopes: a
 * scope lists the columns a FROM clause makes visible (with their qualifiers and, for nested
 * ROW fields, their paths) and the node whose output columns they are. Expressions are bound
 * into typed eddy_bexpr trees over that node's output.
 *
 * The first plan is deliberately naive (an identity CALC here and there, every column of every
 * table); rewrite.c then merges CALCs, prunes unused columns down into the sources, pushes
 * `col = constant` filters into sources and numbers the nodes.
 *
 * Memory: everything bound goes into the plan's arena (binder.a); nothing is freed on its own.
 * Errors: the first one goes to binder.err with its position; functions return NULL or a
 * negative code after setting it.
 */
#ifndef EDDY_PLANNER_BINDER_H
#define EDDY_PLANNER_BINDER_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/error.h"
#include "../parser/ast.h"
#include "catalog.h"
#include "plan.h"

/* ---------------------------------------------------------------------------------------- */
/* Scopes                                                                                    */

/* Window TVF columns in a scope. */
enum { WIN_NONE = 0, WIN_START = 1, WIN_END = 2, WIN_TIME = 3 };

typedef struct bcol {
    const char *qual;       /* qualifier (table name or alias), or NULL */
    const char *name;       /* column name; for a nested field the last part of its path */
    const char **path;      /* path within its FROM item: {"bid"} or {"bid", "price"} */
    int npath;
    int index;              /* output column of the scope's node */
    bool nested;            /* a field of a ROW column: reachable by path, not part of `*` */
    int win;                /* WIN_START/END/TIME for the columns a window TVF adds */
} bcol;

/* A window table function in FROM, kept so that an aggregation over it fuses with it. */
typedef struct tvf_info {
    eddy_plan *node;        /* the WINDOW_TVF node */
    eddy_plan *input;       /* its input: the data table */
    int *part;              /* SESSION PARTITION BY: input columns */
    int npart;
    eddy_pos pos;           /* position of the call */
} tvf_info;

typedef struct bscope {
    eddy_plan *node;        /* the columns are this node's output */
    bcol *cols;
    int n, cap;
    tvf_info *tvf;          /* node is a window TVF */
    int64_t limit;          /* top-level query: LIMIT n, else -1 */
} bscope;

/* ---------------------------------------------------------------------------------------- */
/* The binder                                                                                */

typedef struct binder {
    eddy_session *s;
    eddy_arena *a;              /* the plan's arena */
    eddy_error *err;            /* first error */
    const cat_object *views[32];/* views being expanded (cycles, messages) */
    int nviews;
    const eddy_cte **ctes;      /* WITH queries in reach, innermost last */
    int nctes, cctes;
    int nctes_base;             /* CTEs below this index are out of reach (inside a view) */
} binder;

int bind_error(binder *b, int code, eddy_pos pos, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

typedef struct aggctx aggctx;

/* Context of binding one expression. */
typedef struct ectx {
    binder *b;
    bscope *sc;             /* names resolve here */
    aggctx *agg;            /* aggregate mode: select list and HAVING of an aggregation */
    const char *clause;     /* "WHERE", "SELECT", ... for "aggregate functions are not allowed in WHERE" */
} ectx;

/* Binds an expression; NULL on error. */
eddy_bexpr *bind_expr(ectx *c, const eddy_expr *e);
/* Binds a condition and checks that it is BOOLEAN. */
eddy_bexpr *bind_cond(ectx *c, const eddy_expr *e, const char *what);
/* Resolves a column name; returns the scope column or NULL (error set). */
const bcol *bind_column(ectx *c, const eddy_name *n, eddy_pos pos);

/* Aggregate mode (bind_query.c): returns 1 when it bound e itself into *out (NULL on error),
 * 0 when the generic binder should go on into e's operands. */
int agg_hook(ectx *c, const eddy_expr *e, eddy_bexpr **out);

/* Scalar function calls (binder_functions.c). */
eddy_bexpr *bind_function(ectx *c, const eddy_expr *e);
/* Aggregate function by name (case-insensitive), or -1. */
int agg_by_name(const char *name);
/* Whether e (not looking into subqueries) calls an aggregate function. */
bool expr_has_agg(const eddy_expr *e);
/* The result type of an aggregate over an argument type (NULL for COUNT(*)); NULL with an
 * error message in why when the argument type does not fit. */
const eddy_sqltype *agg_result_type(eddy_arena *a, eddy_agg fn, const eddy_sqltype *arg, const char **why);
const char *agg_name(eddy_agg fn);
const char *fn_name(eddy_fn fn);
/* Group window functions: TUMBLE=1, HOP=2, SESSION=3, CUMULATE=4 for the plain names, their
 * _START/_END/_ROWTIME/_PROCTIME auxiliaries give aux 1..4. 0 when name is none of these. */
int group_window_fn(const char *name, int *aux);

/* Constant INTERVAL value in milliseconds of a bound expression, or -1 with an error. */
int64_t bind_interval_ms(ectx *c, const eddy_expr *e, const char *what);

/* ---------------------------------------------------------------------------------------- */
/* Typed expressions (bexpr.c)                                                               */

eddy_bexpr *bx_new(eddy_arena *a, eddy_bexpr_kind kind, const eddy_sqltype *type, eddy_pos pos, int nargs);
eddy_bexpr *bx_col(eddy_arena *a, int column, const eddy_sqltype *type);
eddy_bexpr *bx_null(eddy_arena *a, const eddy_sqltype *type);
eddy_bexpr *bx_bool(eddy_arena *a, bool v);
eddy_bexpr *bx_int(eddy_arena *a, eddy_type_kind k, int64_t v);
/* CAST(e AS t) (t taken as is); constants of numeric and string types fold. Returns e when its
 * type already equals t (nullability aside). */
eddy_bexpr *bx_cast(eddy_arena *a, eddy_bexpr *e, const eddy_sqltype *t);
/* AND of two conditions (either may be NULL), flattened. */
eddy_bexpr *bx_and(eddy_arena *a, eddy_bexpr *x, eddy_bexpr *y);
bool bx_equal(const eddy_bexpr *x, const eddy_bexpr *y);
/* Marks the input columns e reads in used[]. */
void bx_uses(const eddy_bexpr *e, bool *used);
/* True when e reads no column (a constant expression, possibly with calls). */
bool bx_is_constant(const eddy_bexpr *e);
/* True when e calls a function whose value differs per call (RAND). */
bool bx_nondeterministic(const eddy_bexpr *e);
/* A copy of e with COLUMN i replaced by map[i] (an index). */
eddy_bexpr *bx_remap(eddy_arena *a, const eddy_bexpr *e, const int *map);
/* A copy of e with COLUMN i replaced by a copy of exprs[i]. */
eddy_bexpr *bx_subst(eddy_arena *a, const eddy_bexpr *e, eddy_bexpr *const *exprs);
eddy_bexpr *bx_copy(eddy_arena *a, const eddy_bexpr *e);

/* ---------------------------------------------------------------------------------------- */
/* Plan nodes (plan_build.c)                                                                 */

eddy_plan *pn_new(eddy_arena *a, eddy_plan_kind kind, int ninputs, eddy_pos pos);
/* A CALC over input: exprs[0..n) named names[0..n), optional filter. Output fields get the
 * expressions' types; a plain column keeps its time attribute, PROCTIME() is one. */
eddy_plan *pn_calc(eddy_arena *a, eddy_plan *input, eddy_bexpr **exprs, const char **names, int n,
                   eddy_bexpr *filter, eddy_pos pos);
/* An identity CALC with a filter. */
eddy_plan *pn_filter(eddy_arena *a, eddy_plan *input, eddy_bexpr *filter, eddy_pos pos);
/* The schema fields array of n entries. */
eddy_field *pn_fields(eddy_arena *a, int n);
/* Whether expression e over input in is a time attribute (a plain rowtime/proctime column
 * or PROCTIME()); sets *rowtime / *proctime. */
void pn_time_attr(const eddy_plan *in, const eddy_bexpr *e, bool *rowtime, bool *proctime);
/* The changelog-producing node below p that starts the changelog, or NULL. */
const eddy_plan *pn_changelog_origin(const eddy_plan *p);

/* Scopes. */
bscope *scope_new(eddy_arena *a, eddy_plan *node);
bcol *scope_add(eddy_arena *a, bscope *sc, const char *qual, const char *name, int index);
/* A scope over node whose columns are node's output fields by name, qualified by qual. */
bscope *scope_of_node(eddy_arena *a, eddy_plan *node, const char *qual);

/* ---------------------------------------------------------------------------------------- */
/* Queries and statements (bind_query.c, bind_stmt.c)                                        */

/* Binds a query; the result scope's node is the query's output (unnamed columns get Flink's
 * EXPR$n names). top: the statement's own query, where LIMIT is allowed (scope->limit). */
bscope *bind_query(binder *b, const eddy_query *q, bool top);
/* Binds a table or view by catalog object into a scope qualified by qual. */
bscope *bind_catalog_object(binder *b, const cat_object *o, const char *qual, const eddy_option_list *hints,
                            eddy_pos pos);

/* Late rows (bind_stmt.c): when SET 'eddy.late-rows.table' names a table, gives window node w
 * (WINDOW_AGG / SESSION_AGG whose input is built) its late_sink (plan.h); an error goes to
 * b->err at w's position. Returns 0 or the error code. */
int bind_late_sink(binder *b, eddy_plan *w);
/* Builds the plan of an INSERT, statement set or SELECT into a new job plan (ids numbered,
 * optimized). *bare is set for a bare SELECT. Returns 0 or an error code. */
int plan_statement(eddy_session *s, const eddy_stmt *st, const char *text, eddy_job_plan **out, bool *bare,
                   eddy_error *err);
/* Column types of a table as bound (computed columns typed, rowtime marked) into a schema made
 * in arena a: for DESCRIBE and CREATE TABLE's checks. Returns 0 or an error. */
int bind_table_schema(eddy_session *s, const cat_object *o, eddy_arena *a, eddy_schema *out, eddy_error *err);
/* Output schema of a view (binds its query). */
int bind_view_schema(eddy_session *s, const cat_object *o, eddy_arena *a, eddy_schema *out, eddy_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Rewrites and EXPLAIN (rewrite.c, explain.c)                                               */

/* Merges CALCs, prunes columns, pushes filters into sources, shares equal subtrees, numbers
 * the nodes and computes the fingerprint. */
void pl_optimize(eddy_arena *a, eddy_job_plan *jp);
/* A node's one-line description as EXPLAIN prints it. */
void pl_explain_node(eddy_strbuf *b, const eddy_plan *p);
/* An expression over the input schema `in`, SQL-like. */
void pl_print_bexpr(eddy_strbuf *b, const eddy_bexpr *e, const eddy_schema *in);
/* Durations as "10 s", "1 min", "500 ms". */
void pl_print_duration(eddy_strbuf *b, int64_t ms);

/* Whether a sink connector takes updates (-U/+U/-D); eddy's and Flink's known connectors. */
bool pl_connector_accepts_changelog(const char *connector);

#endif
