/*
 * fn.h: the inside of the expression evaluator, shared by expr.c (compiler, operators, logic),
 * cast.c (casts) and fn_string.c, fn_regex.c, fn_json.c, fn_time.c, fn_math.c (built-in
 * functions). Not for use outside those files: the public API is runtime/expr.h and
 * runtime/cast.h.
 *
 * A compiled expression is a tree of xnodes, one per eddy_bexpr node (constant subtrees folded,
 * implicit casts added). Each node has a kernel chosen at compile time by operation and
 * physical types (e.g. "BIGINT column MOD constant"); evaluating a batch calls each node's
 * kernel once, and the kernel loops over the rows.
 *
 * Selections. A kernel computes only the rows of a selection (xsel): NULL means every row
 * 0 .. ev->n - 1, otherwise an ascending list of row numbers. CASE, AND, OR, COALESCE, IF and
 * IFNULL evaluate their later operands only for the rows that need them, so that
 * `CASE WHEN b <> 0 THEN a / b END` never divides by zero and an expensive ELSE branch only
 * runs for the rows that reach it (Flink's generated code short-circuits the same way). Value
 * and null slots of rows outside the selection are unspecified.
 *
 * Columns. node->out is the node's result for the current batch: a COLUMN node hands out the
 * input column itself, a constant node a column broadcast once and kept across batches (so a
 * kernel may always read kid->out.v[i]; hot kernels read kid->cval instead). Interior nodes
 * write into buffers the node owns and reuses from batch to batch; the root writes into the
 * caller's arena (expr.h). Result strings always go into the caller's arena; a string result
 * may also point into an input string (SUBSTRING, TRIM, SPLIT_INDEX return views, no copy).
 *
 * Nulls. out.nulls == NULL means no selected row is NULL. Kernels propagate nulls branch-free
 * (OR of the operands' null bytes) and only then add their own (a DECIMAL overflow, a failed
 * TRY_CAST, REGEXP_EXTRACT without a match). Values of NULL input rows are unspecified, so a
 * kernel never raises an error for them (the overflow flag is masked by the null byte).
 */
#ifndef EDDY_RUNTIME_FN_H
#define EDDY_RUNTIME_FN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../common/arena.h"
#include "../common/error.h"
#include "../planner/plan.h"
#include "batch.h"
#include "expr.h"

/* A selection of rows: idx[0 .. n) ascending; a NULL xsel pointer means all rows. */
typedef struct xsel {
    const int32_t *idx; /* row numbers */
    int n;              /* how many */
} xsel;

/* State of one evaluation (one batch). */
typedef struct xeval {
    const eddy_batch *b;       /* input rows */
    const eddy_expr_ctx *ctx;  /* proctime, watermark */
    eddy_arena *arena;         /* result strings, the root's arrays */
    eddy_error *err;           /* first error */
    int n;                     /* rows in the batch */
    uint32_t gen;              /* evaluation number (memo of shared nodes) */
} xeval;

typedef struct xnode xnode;
typedef int (*xkernel)(xnode *n, xeval *ev, const xsel *s);

/* Loops over the rows of selection s (NULL = 0 .. nrows-1) with row number i. */
#define XLOOP(s, nrows, i, ...)                                                          \
    do {                                                                                 \
        if (!(s)) {                                                                      \
            for (int i = 0, xn_ = (nrows); i < xn_; i++) { __VA_ARGS__ }                 \
        } else {                                                                         \
            const int32_t *xi_ = (s)->idx;                                               \
            for (int xk_ = 0, xn_ = (s)->n; xk_ < xn_; xk_++) {                          \
                int i = xi_[xk_];                                                        \
                __VA_ARGS__                                                              \
            }                                                                            \
        }                                                                                \
    } while (0)

struct xnode {
    xkernel run;               /* computes out for a selection; NULL for COLUMN and constants */
    const eddy_bexpr *e;       /* the expression (position for errors); NULL for added casts */
    const eddy_sqltype *type;  /* result type */
    eddy_phys phys;            /* physical representation of type */
    int line, col;             /* SQL position for runtime errors */
    xnode **kid;               /* operands */
    int nkid;
    bool lazy;                 /* the kernel evaluates its operands itself (CASE, AND, ...) */
    bool is_col;               /* an input column reference */
    int column;                /* ... its index */
    bool is_const;             /* a constant: cval, out broadcast on demand */
    bool volatile_const;       /* a per-batch constant (PROCTIME(), CURRENT_WATERMARK()) */
    bool nondet;               /* not foldable (RAND, PROCTIME, ...) */
    bool can_fail;             /* may raise a runtime error */
    bool root;                 /* the prog's result: arrays in the caller's arena */
    bool shared;               /* referenced more than once: evaluated for all rows, once */
    uint32_t gen;              /* shared: evaluation number whose result out holds */
    eddy_value cval;           /* is_const: the value */
    eddy_col out;              /* result of the current evaluation */
    void *vbuf;                /* owned value buffer (interior nodes) */
    uint8_t *nbuf;             /* owned null buffer */
    int cap;                   /* rows vbuf/nbuf hold */
    int bcast_n;               /* constants: rows broadcast into vbuf */
    int32_t *sbuf;             /* selection scratch of lazy kernels: 4 arrays of scap rows */
    int scap;
    int64_t ki;                /* kernel parameters: an integer constant, a range, ... */
    int64_t lo, hi;            /* integer result range (TINYINT .. BIGINT) */
    double kf;                 /* a double constant */
    __int128 kd;               /* a decimal constant or scale factor */
    int iparam[4];             /* small kernel parameters (scales, units, flags) */
    void *aux;                 /* kernel state (regex, LIKE pattern, IN set, date format) */
    void (*aux_free)(void *);  /* frees aux */
    xnode *alias;              /* set by a compiler that found nothing to do: use this node */
    xnode *next_all;           /* every node of the prog, for freeing */
};

/* ---------------------------------------------------------------------------------------- */
/* Evaluation helpers (expr.c)                                                                */

/* Evaluates a node for selection s (out then holds its result for those rows). */
int xn_eval(xnode *n, xeval *ev, const xsel *s);
/* The node's value array for this batch (ev->n entries, owned or in the arena for the root). */
void *xn_vals(xnode *n, xeval *ev);
/* The node's null array for this batch (uninitialised). */
uint8_t *xn_nulls(xnode *n, xeval *ev);
/* Sets n->out.nulls to the OR of the nulls of kids a and b (b may be NULL) over s; NULL when
 * neither has any. Returns it. */
uint8_t *xn_nulls_or(xnode *n, xeval *ev, const xsel *s, const xnode *a, const xnode *b);
/* Like xn_nulls_or over all kids. */
uint8_t *xn_nulls_or_all(xnode *n, xeval *ev, const xsel *s);
/* Makes n->out.nulls exist: a copy of the given nulls (or zeros) over s, ready for the kernel
 * to add its own NULLs. */
uint8_t *xn_nulls_own(xnode *n, xeval *ev, const xsel *s, const uint8_t *from);
/* Raises a runtime error at the node's position. Returns EDDY_ERUNTIME (or code). */
int xn_error(xnode *n, xeval *ev, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Selection scratch number k (0..3) of node n with room for ev->n rows. */
int32_t *xn_selbuf(xnode *n, xeval *ev, int k);
/* String memory for results (the caller's arena). */
char *xn_stralloc(xeval *ev, size_t len);
/* Integer range name of a type kind for overflow messages ("BIGINT"). */
const char *xn_type_name(const eddy_sqltype *t);

static inline bool xn_isnull(const xnode *k, int i)
{
    return k->out.nulls && k->out.nulls[i];
}

/* The empty string for NULL rows of string results. */
extern const char xn_empty[1];

/* ---------------------------------------------------------------------------------------- */
/* Compilation helpers (expr.c)                                                               */

typedef struct xcomp {
    eddy_arena *arena;          /* the prog's arena: nodes, aux, constant strings */
    eddy_error *err;            /* compile errors */
    xnode *all;                 /* list of every node made */
    const eddy_bexpr **memo_e;  /* compiled subexpressions, for sharing equal ones */
    xnode **memo_n;
    int nmemo, cmemo;
} xcomp;

/* A new node for e (type = e->type) with room for nkid operands. */
xnode *xc_node(xcomp *c, const eddy_bexpr *e, int nkid);
/* A new node of type t at the position of `pos` (for implicit casts and helpers). */
xnode *xc_node_typed(xcomp *c, const eddy_sqltype *t, const xnode *pos, int nkid);
/* A constant node. */
xnode *xc_const(xcomp *c, const eddy_sqltype *t, const eddy_value *v, const xnode *pos);
/* Casts k to type t when its physical type or DECIMAL scale differs (an implicit, widening
 * cast; narrowing is checked as in CAST). Returns k itself when no cast is needed. */
xnode *xc_coerce(xcomp *c, xnode *k, const eddy_sqltype *t);
/* A type made at compile time (in the prog's arena). */
const eddy_sqltype *xc_type(xcomp *c, eddy_type_kind kind, int precision, int scale);
/* Compile error at the node's position; returns code. */
int xc_error(xcomp *c, const xnode *n, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Copies bytes into the prog's arena. */
const char *xc_strdup(xcomp *c, const char *p, size_t n);

/* Common type for comparing/merging two operand types (numeric widening, DECIMAL scales). */
const eddy_sqltype *xc_common_type(xcomp *c, const eddy_sqltype *a, const eddy_sqltype *b);

/* Family compilers: each picks the kernel (n->run) and state for a CALL node whose operands
 * n->kid are compiled (and folded). Return 0 or an error (with c->err set). */
int xf_string_compile(xcomp *c, xnode *n, eddy_fn fn);
int xf_time_compile(xcomp *c, xnode *n, eddy_fn fn);
int xf_math_compile(xcomp *c, xnode *n, eddy_fn fn);
bool xf_is_string_fn(eddy_fn fn);
bool xf_is_time_fn(eddy_fn fn);
bool xf_is_math_fn(eddy_fn fn);

/* CAST (cast.c): sets n->run for casting n->kid[0] to n->type. try: NULL instead of errors. */
int xcast_compile(xcomp *c, xnode *n, bool try_cast);
/* Compiles REGEXP, REGEXP_EXTRACT and REGEXP_REPLACE (fn_regex.c). */
int xf_regex_compile(xcomp *c, xnode *n, eddy_fn fn);
/* Compiles JSON_VALUE (fn_json.c). */
int xf_json_value_compile(xcomp *c, xnode *n);
/* Compiles `LIKE` / `SIMILAR TO` (fn_regex.c). */
int xf_like_compile(xcomp *c, xnode *n, bool similar);

/* ---------------------------------------------------------------------------------------- */
/* Small shared utilities                                                                     */

/* Integer range of an integer type kind (BIGINT for non-integers). */
void xn_int_range(const eddy_sqltype *t, int64_t *lo, int64_t *hi);
/* 10^k as __int128 (0 <= k <= 38). */
__int128 xn_pow10(int k);
/* Number of UTF-8 characters in s[0..n) (bytes that are not continuation bytes). */
size_t xn_utf8_len(const char *s, size_t n);
/* Byte offset of character number k (0-based) in s[0..n), or n when beyond the end. */
size_t xn_utf8_offset(const char *s, size_t n, size_t k);

#endif
