/*
 * expr.c: compiling typed expressions (eddy_bexpr) into trees of column kernels and running
 * them a batch at a time (see expr.h for the API, fn.h for the node model).
 *
 * Compilation walks the bexpr once. Every node gets a kernel picked by operation and physical
 * types, with special kernels for a constant right operand (`MOD(auction, 123)`, `x = 0`,
 * `0.908 * price`), implicit casts where operand types differ (INT vs DECIMAL(10,2) compare as
 * DECIMAL(12,2)), constant subtrees folded by evaluating them once over a one-row batch, and
 * equal subexpressions that cannot fail shared (q21 writes `lower(channel)` five times: it is
 * computed once per batch). Constant lists of IN become a small hash set or array at compile
 * time; LIKE patterns, regular expressions and date formats are compiled by their families.
 *
 * This file holds the compiler, the evaluation helpers, and the kernels of the operators with
 * syntax of their own: arithmetic (integers checked against their SQL type's range, IEEE
 * doubles, exact DECIMAL through common/decimal.h, time +/- intervals), comparison, AND/OR/NOT
 * (three-valued; short-circuit by selections when an operand could fail or is expensive),
 * IS [NOT] NULL/TRUE/FALSE/UNKNOWN, IS [NOT] DISTINCT FROM, IN, CASE, and the conditional
 * functions COALESCE, IF, IFNULL, NULLIF, GREATEST, LEAST. Casts are in cast.c, the other
 * functions in fn_string.c (with fn_regex.c and fn_json.c), fn_time.c and fn_math.c.
 *
 * AND/OR: when no operand can raise an error, operands are reordered cheapest first (a rough
 * per-row cost: comparisons ~1, LOWER ~2, regular expressions ~30), which changes nothing in
 * three-valued logic but lets `REGEXP_EXTRACT(url, ..) IS NOT NULL OR lower(channel) IN (..)`
 * run the regex only on rows the IN left undecided. Operands that can fail keep Flink's
 * left-to-right short-circuit order.
 *
 * A compiled program keeps scratch buffers per node: evaluate it from one thread at a time
 * (each operator instance compiles its own).
 */
#include "expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/checked.h"
#include "../common/decimal.h"
#include "../common/hash.h"
#include "../common/timeutil.h"
#include "fn.h"

struct eddy_expr_prog {
    xnode *root;                /* the result node */
    const eddy_sqltype *type;   /* result type (the bexpr's) */
    eddy_arena *arena;          /* nodes, kernel state, constant strings */
    xnode *all;                 /* every node, for freeing buffers and kernel state */
    uint32_t gen;               /* evaluations so far */
};

const char xn_empty[1] = "";

/* ---------------------------------------------------------------------------------------- */
/* Small utilities                                                                            */

void xn_int_range(const eddy_sqltype *t, int64_t *lo, int64_t *hi)
{
    switch (t ? t->kind : EDDY_TYPE_BIGINT) {
    case EDDY_TYPE_TINYINT: *lo = INT8_MIN; *hi = INT8_MAX; break;
    case EDDY_TYPE_SMALLINT: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case EDDY_TYPE_INT: *lo = INT32_MIN; *hi = INT32_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

__int128 xn_pow10(int k)
{
    if (k < 0) return 1;
    if (k > EDDY_DEC_MAX_PRECISION) k = EDDY_DEC_MAX_PRECISION;
    return eddy_dec_pow10[k];
}

size_t xn_utf8_len(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

size_t xn_utf8_offset(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    while (i < n && k > 0) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        k--;
    }
    return i;
}

const char *xn_type_name(const eddy_sqltype *t)
{
    return t ? eddy_type_kind_name(t->kind) : "BIGINT";
}

static bool is_int_kind(eddy_type_kind k)
{
    return k == EDDY_TYPE_TINYINT || k == EDDY_TYPE_SMALLINT || k == EDDY_TYPE_INT || k == EDDY_TYPE_BIGINT;
}

static bool is_ts_kind(eddy_type_kind k)
{
    return k == EDDY_TYPE_TIMESTAMP || k == EDDY_TYPE_TIMESTAMP_LTZ;
}

static int dec_prec(const eddy_sqltype *t)
{
    return (t->precision > 0) ? t->precision : 10;
}

static int dec_scale(const eddy_sqltype *t)
{
    return (t->scale >= 0) ? t->scale : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Buffers and evaluation helpers                                                             */

static void node_reserve(xnode *n, int rows)
{
    if (rows <= n->cap) return;
    int cap = rows > EDDY_BATCH_ROWS ? rows : EDDY_BATCH_ROWS;
    free(n->vbuf);
    free(n->nbuf);
    n->vbuf = eddy_xmalloc((size_t)cap * eddy_phys_size(n->phys));
    n->nbuf = eddy_xmalloc((size_t)cap);
    n->cap = cap;
    n->bcast_n = 0;
}

void *xn_vals(xnode *n, xeval *ev)
{
    if (n->root) {
        void *p = eddy_arena_alloc(ev->arena, (size_t)(ev->n ? ev->n : 1) * eddy_phys_size(n->phys));
        n->out.v.ptr = p;
        return p;
    }
    node_reserve(n, ev->n);
    n->out.v.ptr = n->vbuf;
    return n->vbuf;
}

uint8_t *xn_nulls(xnode *n, xeval *ev)
{
    if (n->root) return eddy_arena_alloc(ev->arena, (size_t)(ev->n ? ev->n : 1));
    node_reserve(n, ev->n);
    return n->nbuf;
}

int32_t *xn_selbuf(xnode *n, xeval *ev, int k)
{
    if (n->scap < ev->n || !n->sbuf) {
        int cap = ev->n > EDDY_BATCH_ROWS ? ev->n : EDDY_BATCH_ROWS;
        free(n->sbuf);
        n->sbuf = eddy_xmalloc(sizeof(int32_t) * 4 * (size_t)cap);
        n->scap = cap;
    }
    return n->sbuf + (size_t)k * (size_t)n->scap;
}

uint8_t *xn_nulls_or(xnode *n, xeval *ev, const xsel *s, const xnode *a, const xnode *b)
{
    const uint8_t *na = a ? a->out.nulls : NULL, *nb = b ? b->out.nulls : NULL;
    if (!na && !nb) return n->out.nulls = NULL;
    if (!n->root && (!na || !nb)) {
        /* one nullable operand: share its null bytes (they are valid for the same rows) */
        n->out.nulls = (uint8_t *)(na ? na : nb);
        return n->out.nulls;
    }
    uint8_t *r = xn_nulls(n, ev);
    if (na && nb) XLOOP(s, ev->n, i, { r[i] = na[i] | nb[i]; });
    else {
        const uint8_t *x = na ? na : nb;
        XLOOP(s, ev->n, i, { r[i] = x[i]; });
    }
    return n->out.nulls = r;
}

uint8_t *xn_nulls_or_all(xnode *n, xeval *ev, const xsel *s)
{
    int with = 0;
    const xnode *one = NULL;
    for (int k = 0; k < n->nkid; k++)
        if (n->kid[k]->out.nulls) {
            with++;
            one = n->kid[k];
        }
    if (with == 0) return n->out.nulls = NULL;
    if (with == 1) return xn_nulls_or(n, ev, s, one, NULL);
    uint8_t *r = xn_nulls(n, ev);
    XLOOP(s, ev->n, i, { r[i] = 0; });
    for (int k = 0; k < n->nkid; k++) {
        const uint8_t *x = n->kid[k]->out.nulls;
        if (x) XLOOP(s, ev->n, i, { r[i] |= x[i]; });
    }
    return n->out.nulls = r;
}

uint8_t *xn_nulls_own(xnode *n, xeval *ev, const xsel *s, const uint8_t *from)
{
    uint8_t *r = xn_nulls(n, ev);
    if (from) XLOOP(s, ev->n, i, { r[i] = from[i] != 0; });
    else XLOOP(s, ev->n, i, { r[i] = 0; });
    return n->out.nulls = r;
}

int xn_error(xnode *n, xeval *ev, int code, const char *fmt, ...)
{
    char msg[EDDY_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return eddy_error_set(ev->err, code, n->line, n->col, "%s", msg);
}

char *xn_stralloc(xeval *ev, size_t len)
{
    return eddy_arena_alloc(ev->arena, len ? len : 1);
}

/* Fills a constant node's column (kept across batches; the root's goes to the arena). */
static void broadcast(xnode *n, xeval *ev)
{
    int rows = ev->n;
    void *v;
    uint8_t *nu = NULL;
    if (n->root) {
        v = xn_vals(n, ev);
        if (n->cval.null) nu = xn_nulls(n, ev);
    } else {
        if (!n->volatile_const && n->bcast_n >= rows && n->vbuf) {
            n->out.v.ptr = n->vbuf;
            n->out.nulls = n->cval.null ? n->nbuf : NULL;
            return;
        }
        node_reserve(n, rows);
        rows = n->cap; /* fill all of it once */
        v = n->vbuf;
        nu = n->nbuf;
        n->bcast_n = rows;
    }
    if (n->cval.null) {
        memset(v, 0, (size_t)rows * eddy_phys_size(n->phys));
        memset(nu, 1, (size_t)rows);
        if (n->phys == EDDY_PHYS_STR) {
            eddy_str *sv = v;
            for (int i = 0; i < rows; i++) sv[i] = (eddy_str){xn_empty, 0};
        }
    } else {
        switch (n->phys) {
        case EDDY_PHYS_BOOL: memset(v, n->cval.u.b ? 1 : 0, (size_t)rows); break;
        case EDDY_PHYS_I64: {
            int64_t *p = v, x = n->cval.u.i;
            for (int i = 0; i < rows; i++) p[i] = x;
            break;
        }
        case EDDY_PHYS_F64: {
            double *p = v, x = n->cval.u.f;
            for (int i = 0; i < rows; i++) p[i] = x;
            break;
        }
        case EDDY_PHYS_DEC: {
            __int128 *p = v, x = n->cval.u.dec;
            for (int i = 0; i < rows; i++) p[i] = x;
            break;
        }
        case EDDY_PHYS_STR: {
            eddy_str *p = v, x = {n->cval.u.s.p ? n->cval.u.s.p : xn_empty, n->cval.u.s.n};
            for (int i = 0; i < rows; i++) p[i] = x;
            break;
        }
        }
    }
    n->out.v.ptr = v;
    n->out.nulls = n->cval.null ? nu : NULL;
}

int xn_eval(xnode *n, xeval *ev, const xsel *s)
{
    if (n->is_col) {
        const eddy_col *c = &ev->b->cols[n->column];
        n->out.v = c->v;
        n->out.nulls = c->nulls;
        return 0;
    }
    if (n->is_const) {
        if (n->volatile_const) {
            int rc = n->run(n, ev, NULL); /* sets cval from the context */
            if (rc) return rc;
        }
        broadcast(n, ev);
        return 0;
    }
    if (n->shared) {
        if (n->gen == ev->gen) return 0;
        s = NULL;
    } else if (s && s->n == 0) {
        return 0;
    }
    if (!n->lazy) {
        for (int k = 0; k < n->nkid; k++) {
            int rc = xn_eval(n->kid[k], ev, s);
            if (rc) return rc;
        }
    }
    int rc = n->run(n, ev, s);
    if (rc) return rc;
    if (n->shared) n->gen = ev->gen;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Compilation helpers                                                                        */

int xc_error(xcomp *c, const xnode *n, int code, const char *fmt, ...)
{
    char msg[EDDY_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return eddy_error_set(c->err, code, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

const char *xc_strdup(xcomp *c, const char *p, size_t n)
{
    char *d = eddy_arena_alloc(c->arena, n + 1);
    if (n) memcpy(d, p, n);
    d[n] = 0;
    return d;
}

const eddy_sqltype *xc_type(xcomp *c, eddy_type_kind kind, int precision, int scale)
{
    eddy_sqltype *t = eddy_arena_zalloc(c->arena, sizeof *t);
    t->kind = kind;
    t->precision = precision;
    t->scale = scale;
    return t;
}

xnode *xc_node_typed(xcomp *c, const eddy_sqltype *t, const xnode *pos, int nkid)
{
    xnode *n = eddy_arena_zalloc(c->arena, sizeof *n);
    n->type = t;
    n->phys = eddy_phys_of(t);
    n->out.type = t;
    n->out.phys = n->phys;
    if (pos) {
        n->line = pos->line;
        n->col = pos->col;
    }
    if (nkid > 0) n->kid = eddy_arena_zalloc(c->arena, sizeof(xnode *) * (size_t)nkid);
    n->nkid = nkid;
    n->lo = INT64_MIN;
    n->hi = INT64_MAX;
    n->next_all = c->all;
    c->all = n;
    return n;
}

xnode *xc_node(xcomp *c, const eddy_bexpr *e, int nkid)
{
    xnode *n = xc_node_typed(c, e->type, NULL, nkid);
    n->e = e;
    n->line = e->line;
    n->col = e->col;
    return n;
}

xnode *xc_const(xcomp *c, const eddy_sqltype *t, const eddy_value *v, const xnode *pos)
{
    xnode *n = xc_node_typed(c, t, pos, 0);
    n->is_const = true;
    n->cval = *v;
    if (n->phys == EDDY_PHYS_STR && !v->null) n->cval.u.s.p = xc_strdup(c, v->u.s.p ? v->u.s.p : "", v->u.s.n);
    if (t->kind == EDDY_TYPE_NULL) n->cval.null = true;
    return n;
}

/* Whether a value of type a must be converted to be used as type t. */
static bool needs_cast(const eddy_sqltype *a, const eddy_sqltype *t)
{
    eddy_phys pa = eddy_phys_of(a), pt = eddy_phys_of(t);
    if (a->kind == EDDY_TYPE_NULL) return true;
    if (pa != pt) return true;
    switch (pt) {
    case EDDY_PHYS_DEC: return dec_scale(a) != dec_scale(t);
    case EDDY_PHYS_I64:
        if (a->kind == t->kind) return false;
        if (is_int_kind(a->kind) && is_int_kind(t->kind)) {
            int64_t alo, ahi, tlo, thi;
            xn_int_range(a, &alo, &ahi);
            xn_int_range(t, &tlo, &thi);
            return alo < tlo || ahi > thi; /* narrowing needs a range check */
        }
        if (is_ts_kind(a->kind) && is_ts_kind(t->kind)) return false;
        if (a->kind == EDDY_TYPE_INTERVAL && t->kind == EDDY_TYPE_INTERVAL)
            return eddy_interval_is_months(a->from) != eddy_interval_is_months(t->from);
        return true;
    default: return false;
    }
}

static xnode *fold(xcomp *c, xnode *n);

xnode *xc_coerce(xcomp *c, xnode *k, const eddy_sqltype *t)
{
    if (!k || !needs_cast(k->type, t)) return k;
    if (k->is_const && k->cval.null) {
        eddy_value v = {.null = true};
        return xc_const(c, t, &v, k);
    }
    xnode *n = xc_node_typed(c, t, k, 1);
    n->kid[0] = k;
    if (xcast_compile(c, n, false)) return NULL;
    if (n->alias) return n->alias;
    n->can_fail |= k->can_fail;
    n->nondet |= k->nondet;
    return fold(c, n);
}

const eddy_sqltype *xc_common_type(xcomp *c, const eddy_sqltype *a, const eddy_sqltype *b)
{
    if (a->kind == EDDY_TYPE_NULL) return b;
    if (b->kind == EDDY_TYPE_NULL) return a;
    eddy_phys pa = eddy_phys_of(a), pb = eddy_phys_of(b);
    if (is_int_kind(a->kind) && is_int_kind(b->kind)) {
        int64_t alo, ahi, blo, bhi;
        xn_int_range(a, &alo, &ahi);
        xn_int_range(b, &blo, &bhi);
        return ahi >= bhi ? a : b;
    }
    if (pa == EDDY_PHYS_F64 || pb == EDDY_PHYS_F64) {
        if ((pa == EDDY_PHYS_F64 || pa == EDDY_PHYS_I64 || pa == EDDY_PHYS_DEC) &&
            (pb == EDDY_PHYS_F64 || pb == EDDY_PHYS_I64 || pb == EDDY_PHYS_DEC))
            return pa == EDDY_PHYS_F64 ? a : b;
    }
    if ((pa == EDDY_PHYS_DEC || is_int_kind(a->kind)) && (pb == EDDY_PHYS_DEC || is_int_kind(b->kind))) {
        int p1 = pa == EDDY_PHYS_DEC ? dec_prec(a) : eddy_dec_int_precision(a->kind);
        int s1 = pa == EDDY_PHYS_DEC ? dec_scale(a) : 0;
        int p2 = pb == EDDY_PHYS_DEC ? dec_prec(b) : eddy_dec_int_precision(b->kind);
        int s2 = pb == EDDY_PHYS_DEC ? dec_scale(b) : 0;
        int s = s1 > s2 ? s1 : s2;
        int ip = (p1 - s1) > (p2 - s2) ? (p1 - s1) : (p2 - s2);
        int p = ip + s;
        if (p > EDDY_DEC_MAX_PRECISION) p = EDDY_DEC_MAX_PRECISION;
        if (pa == EDDY_PHYS_DEC && dec_prec(a) == p && s1 == s) return a;
        if (pb == EDDY_PHYS_DEC && dec_prec(b) == p && s2 == s) return b;
        return xc_type(c, EDDY_TYPE_DECIMAL, p, s);
    }
    if (a->kind == EDDY_TYPE_DATE && is_ts_kind(b->kind)) return b;
    if (b->kind == EDDY_TYPE_DATE && is_ts_kind(a->kind)) return a;
    if (pa == EDDY_PHYS_STR && pb == EDDY_PHYS_STR) return a;
    return a;
}

/* Evaluates a node whose operands are all constant once, and turns it into a constant. */
static xnode *fold(xcomp *c, xnode *n)
{
    if (!n || n->is_const || n->is_col || !n->run || n->nondet) return n;
    for (int k = 0; k < n->nkid; k++)
        if (!n->kid[k]->is_const || n->kid[k]->volatile_const) return n;
    eddy_batch b;
    memset(&b, 0, sizeof b);
    b.n = 1;
    b.cap = 1;
    b.split = -1;
    eddy_error lerr;
    eddy_error_clear(&lerr);
    eddy_expr_ctx ctx = {0, INT64_MIN};
    eddy_arena *tmp = eddy_arena_new(0);
    xeval ev = {.b = &b, .ctx = &ctx, .arena = tmp, .err = &lerr, .n = 1, .gen = 0};
    bool was_root = n->root;
    n->root = false;
    int rc = xn_eval(n, &ev, NULL);
    n->root = was_root;
    if (rc == 0) {
        eddy_value v;
        memset(&v, 0, sizeof v);
        v.null = n->out.nulls && n->out.nulls[0];
        if (!v.null) {
            switch (n->phys) {
            case EDDY_PHYS_BOOL: v.u.b = n->out.v.b[0] != 0; break;
            case EDDY_PHYS_I64: v.u.i = n->out.v.i64[0]; break;
            case EDDY_PHYS_F64: v.u.f = n->out.v.f64[0]; break;
            case EDDY_PHYS_DEC: v.u.dec = n->out.v.dec[0]; break;
            case EDDY_PHYS_STR:
                v.u.s.n = n->out.v.str[0].n;
                v.u.s.p = xc_strdup(c, n->out.v.str[0].p, v.u.s.n);
                break;
            }
        }
        n->is_const = true;
        n->cval = v;
        n->run = NULL;
        n->nkid = 0;
        n->lazy = false;
        n->can_fail = false;
        n->bcast_n = 0;
    }
    eddy_arena_destroy(tmp);
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* Integer arithmetic                                                                         */

enum { IOP_ADD, IOP_SUB, IOP_MUL, IOP_DIV, IOP_MOD };

static const char *iop_sym(int op)
{
    static const char *const s[] = {"+", "-", "*", "/", "%"};
    return s[op];
}

/* The first overflowing row, named in the error. */
static int int_overflow(xnode *n, xeval *ev, const xsel *s, int op, bool bconst)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    const int64_t *b = bconst ? NULL : n->kid[1]->out.v.i64;
    const uint8_t *nu = n->out.nulls;
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) continue;
        int64_t x = a[i], y = bconst ? n->ki : b[i], r = 0;
        bool o = false;
        switch (op) {
        case IOP_ADD: o = __builtin_add_overflow(x, y, &r); break;
        case IOP_SUB: o = __builtin_sub_overflow(x, y, &r); break;
        case IOP_MUL: o = __builtin_mul_overflow(x, y, &r); break;
        default: break;
        }
        if (o || r < n->lo || r > n->hi)
            return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow: %lld %s %lld", xn_type_name(n->type),
                            (long long)x, iop_sym(op), (long long)y);
    });
    return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow", xn_type_name(n->type));
}

#define IARITH_KERNELS(NAME, OPC, BUILTIN)                                                     \
    static int NAME##_cc(xnode *n, xeval *ev, const xsel *s)                                   \
    {                                                                                          \
        const int64_t *a = n->kid[0]->out.v.i64, *b = n->kid[1]->out.v.i64;                    \
        int64_t *r = xn_vals(n, ev);                                                           \
        const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);                       \
        const int64_t lo = n->lo, hi = n->hi;                                                  \
        unsigned ovf = 0;                                                                      \
        if (!nu)                                                                               \
            XLOOP(s, ev->n, i, {                                                               \
                int64_t x;                                                                     \
                unsigned o = BUILTIN(a[i], b[i], &x);                                          \
                r[i] = x;                                                                      \
                ovf |= o | (x < lo) | (x > hi);                                                \
            });                                                                                \
        else                                                                                   \
            XLOOP(s, ev->n, i, {                                                               \
                int64_t x;                                                                     \
                unsigned o = BUILTIN(a[i], b[i], &x);                                          \
                r[i] = x;                                                                      \
                ovf |= (o | (x < lo) | (x > hi)) & (nu[i] == 0);                               \
            });                                                                                \
        return ovf ? int_overflow(n, ev, s, OPC, false) : 0;                                   \
    }                                                                                          \
    static int NAME##_ck(xnode *n, xeval *ev, const xsel *s)                                   \
    {                                                                                          \
        const int64_t *a = n->kid[0]->out.v.i64, b = n->ki;                                    \
        int64_t *r = xn_vals(n, ev);                                                           \
        const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], NULL);                            \
        const int64_t lo = n->lo, hi = n->hi;                                                  \
        unsigned ovf = 0;                                                                      \
        if (!nu)                                                                               \
            XLOOP(s, ev->n, i, {                                                               \
                int64_t x;                                                                     \
                unsigned o = BUILTIN(a[i], b, &x);                                             \
                r[i] = x;                                                                      \
                ovf |= o | (x < lo) | (x > hi);                                                \
            });                                                                                \
        else                                                                                   \
            XLOOP(s, ev->n, i, {                                                               \
                int64_t x;                                                                     \
                unsigned o = BUILTIN(a[i], b, &x);                                             \
                r[i] = x;                                                                      \
                ovf |= (o | (x < lo) | (x > hi)) & (nu[i] == 0);                               \
            });                                                                                \
        return ovf ? int_overflow(n, ev, s, OPC, true) : 0;                                    \
    }

IARITH_KERNELS(iadd, IOP_ADD, __builtin_add_overflow)
IARITH_KERNELS(isub, IOP_SUB, __builtin_sub_overflow)
IARITH_KERNELS(imul, IOP_MUL, __builtin_mul_overflow)

static int int_divzero(xnode *n, xeval *ev)
{
    return xn_error(n, ev, EDDY_ERUNTIME, "division by zero");
}

/* a / b and a % b (Java semantics: truncation toward zero, remainder with a's sign). */
static int idivmod_cc(xnode *n, xeval *ev, const xsel *s)
{
    const bool mod = n->iparam[0] == IOP_MOD;
    const int64_t *a = n->kid[0]->out.v.i64, *b = n->kid[1]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        int64_t x = a[i], y = b[i];
        if (y == 0) return int_divzero(n, ev);
        if (y == -1) {
            if (mod) r[i] = 0;
            else {
                if (x == INT64_MIN) return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow: %lld / -1", xn_type_name(n->type), (long long)x);
                r[i] = -x;
            }
        } else r[i] = mod ? x % y : x / y;
        if (r[i] < n->lo || r[i] > n->hi) /* a wider dividend than the result type */
            return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow: %lld %s %lld", xn_type_name(n->type), (long long)x,
                            mod ? "%" : "/", (long long)y);
    });
    return 0;
}

/* a / k, a % k with a constant k other than 0 and -1. */
static int idiv_ck(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64, k = n->ki;
    int64_t *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { r[i] = a[i] / k; });
    return 0;
}

static int imod_ck(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64, k = n->ki;
    int64_t *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    if (k > 0 && k <= INT32_MAX) {
        /* a % k through 128-bit arithmetic avoided; plain division by a loop-invariant k */
        XLOOP(s, ev->n, i, { r[i] = a[i] % k; });
    } else {
        XLOOP(s, ev->n, i, { r[i] = a[i] % k; });
    }
    return 0;
}

static int ineg(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], NULL);
    unsigned ovf = 0;
    const int64_t lo = n->lo, hi = n->hi;
    XLOOP(s, ev->n, i, {
        int64_t x;
        unsigned o = __builtin_sub_overflow((int64_t)0, a[i], &x);
        r[i] = x;
        ovf |= (o | (x < lo) | (x > hi)) & (nu ? nu[i] == 0 : 1);
    });
    if (ovf) {
        XLOOP(s, ev->n, i, {
            if (nu && nu[i]) continue;
            int64_t x;
            if (__builtin_sub_overflow((int64_t)0, a[i], &x) || x < lo || x > hi)
                return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow: -(%lld)", xn_type_name(n->type),
                                (long long)a[i]);
        });
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Double arithmetic (IEEE: no errors)                                                        */

#define FARITH_KERNELS(NAME, EXPR)                                                             \
    static int NAME##_cc(xnode *n, xeval *ev, const xsel *s)                                   \
    {                                                                                          \
        const double *a = n->kid[0]->out.v.f64, *b = n->kid[1]->out.v.f64;                     \
        double *r = xn_vals(n, ev);                                                            \
        xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);                                           \
        XLOOP(s, ev->n, i, {                                                                   \
            double x = a[i], y = b[i];                                                         \
            r[i] = (EXPR);                                                                     \
        });                                                                                    \
        return 0;                                                                              \
    }                                                                                          \
    static int NAME##_ck(xnode *n, xeval *ev, const xsel *s)                                   \
    {                                                                                          \
        const double *a = n->kid[0]->out.v.f64, y = n->kf;                                     \
        double *r = xn_vals(n, ev);                                                            \
        xn_nulls_or(n, ev, s, n->kid[0], NULL);                                                \
        XLOOP(s, ev->n, i, {                                                                   \
            double x = a[i];                                                                   \
            r[i] = (EXPR);                                                                     \
        });                                                                                    \
        return 0;                                                                              \
    }

FARITH_KERNELS(fadd, x + y)
FARITH_KERNELS(fsub, x - y)
FARITH_KERNELS(fmul, x * y)
FARITH_KERNELS(fdiv, x / y)
FARITH_KERNELS(fmod_, fmod(x, y))

static int fneg(xnode *n, xeval *ev, const xsel *s)
{
    const double *a = n->kid[0]->out.v.f64;
    double *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { r[i] = -a[i]; });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* DECIMAL arithmetic (exact; overflow of the result precision gives NULL, as Flink)          */

/* a * b with a an integer column and b a DECIMAL constant (0.908 * price): one 64x64->128
 * multiply per row while the product's scale is the result's. */
static int dmul_i64_k(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    const __int128 k = n->kd;
    const int p = n->iparam[1], rs = n->iparam[2], ks = n->iparam[3];
    __int128 *r = xn_vals(n, ev);
    const uint8_t *in = n->kid[0]->out.nulls;
    uint8_t *nu = NULL;
    const __int128 lim = eddy_dec_pow10[p];
    unsigned bad = 0;
    if (ks == rs && n->iparam[0]) {
        /* |price| * |k| < 10^p for every int64: nothing can overflow (the q1 case) */
        const int64_t k64 = (int64_t)k; /* |k| < 2^62 here: one 64x64 -> 128 multiply */
        XLOOP(s, ev->n, i, { r[i] = (__int128)a[i] * k64; });
    } else if (ks == rs) {
        XLOOP(s, ev->n, i, {
            __int128 x = (__int128)a[i] * k;
            r[i] = x;
            bad |= (x >= lim) | (x <= -lim);
        });
    } else {
        XLOOP(s, ev->n, i, {
            __int128 x;
            bad |= eddy_dec_mul((__int128)a[i], 0, k, ks, p, rs, &x) != EDDY_DEC_OK;
            r[i] = x;
        });
    }
    if (!bad) {
        xn_nulls_or(n, ev, s, n->kid[0], NULL);
        return 0;
    }
    /* some rows overflow: they become NULL */
    nu = xn_nulls_own(n, ev, s, in);
    XLOOP(s, ev->n, i, {
        if (nu[i]) continue;
        __int128 x;
        if (eddy_dec_mul((__int128)a[i], 0, k, ks, p, rs, &x) != EDDY_DEC_OK) nu[i] = 1;
        else r[i] = x;
    });
    return 0;
}

/* Generic DECIMAL op DECIMAL: both operands are DEC columns (integers were cast). */
static int darith_cc(xnode *n, xeval *ev, const xsel *s)
{
    const int op = n->iparam[0];
    const int p = n->iparam[1], rs = n->iparam[2];
    const int sa = dec_scale(n->kid[0]->type), sb = dec_scale(n->kid[1]->type);
    const __int128 *a = n->kid[0]->out.v.dec, *b = n->kid[1]->out.v.dec;
    __int128 *r = xn_vals(n, ev);
    const uint8_t *pn = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    uint8_t *nu = NULL;
    const __int128 lim = eddy_dec_pow10[p];
    /* fast path: + and - with equal scales stay in 128 bits */
    if ((op == EDDY_DEC_ADD || op == EDDY_DEC_SUB) && sa == rs && sb == rs) {
        unsigned bad = 0;
        XLOOP(s, ev->n, i, {
            __int128 x;
            bool o = op == EDDY_DEC_ADD ? __builtin_add_overflow(a[i], b[i], &x)
                                        : __builtin_sub_overflow(a[i], b[i], &x);
            r[i] = x;
            bad |= o | (x >= lim) | (x <= -lim);
        });
        if (!bad) return 0;
    }
    XLOOP(s, ev->n, i, {
        if (pn && pn[i]) continue;
        __int128 x = 0;
        int st;
        switch (op) {
        case EDDY_DEC_ADD: st = eddy_dec_add(a[i], sa, b[i], sb, p, rs, &x); break;
        case EDDY_DEC_SUB: st = eddy_dec_sub(a[i], sa, b[i], sb, p, rs, &x); break;
        case EDDY_DEC_MUL: st = eddy_dec_mul(a[i], sa, b[i], sb, p, rs, &x); break;
        case EDDY_DEC_DIV: st = eddy_dec_div(a[i], sa, b[i], sb, p, rs, &x); break;
        default: st = eddy_dec_mod(a[i], sa, b[i], sb, p, rs, &x); break;
        }
        if (st == EDDY_DEC_OK) {
            r[i] = x;
            continue;
        }
        if (st == EDDY_DEC_DIVZERO) return int_divzero(n, ev);
        if (!nu) nu = xn_nulls_own(n, ev, s, pn);
        nu[i] = 1;
        r[i] = 0;
    });
    return 0;
}

static int dneg(xnode *n, xeval *ev, const xsel *s)
{
    const __int128 *a = n->kid[0]->out.v.dec;
    __int128 *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { r[i] = -a[i]; });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Time arithmetic                                                                            */

/* timestamp +/- day-time interval (ms), sign in iparam[0] */
static int ts_add_ms(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64, *b = n->kid[1]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    const bool sub = n->iparam[0] < 0;
    unsigned ovf = 0;
    XLOOP(s, ev->n, i, {
        int64_t x;
        unsigned o = sub ? __builtin_sub_overflow(a[i], b[i], &x) : __builtin_add_overflow(a[i], b[i], &x);
        r[i] = x;
        ovf |= o & (nu ? nu[i] == 0 : 1);
    });
    if (ovf) return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow", xn_type_name(n->type));
    return 0;
}

static int ts_add_months(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64, *b = n->kid[1]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    const int64_t sign = n->iparam[0];
    const int kind = n->type->kind;
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        int rc;
        if (kind == EDDY_TYPE_DATE) {
            int32_t d;
            rc = eddy_date_add_months((int32_t)a[i], sign * b[i], &d);
            r[i] = d;
        } else if (kind == EDDY_TYPE_TIME) {
            rc = 0;
            r[i] = a[i];
        } else {
            rc = eddy_ts_add_months(a[i], sign * b[i], &r[i]);
        }
        if (rc) return xn_error(n, ev, EDDY_ERUNTIME, "%s overflow", xn_type_name(n->type));
    });
    return 0;
}

/* DATE +/- day-time interval: through the timestamp, floored back to a day. TIME wraps. */
static int date_add_ms(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64, *b = n->kid[1]->out.v.i64;
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    const int64_t sign = n->iparam[0];
    const bool time = n->type->kind == EDDY_TYPE_TIME;
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        if (time) {
            int64_t d = eddy_floormod_i64(b[i], EDDY_MS_PER_DAY) * sign;
            r[i] = eddy_floormod_i64(a[i] + d, EDDY_MS_PER_DAY);
        } else {
            int64_t ts;
            if (__builtin_mul_overflow(a[i], EDDY_MS_PER_DAY, &ts) ||
                __builtin_add_overflow(ts, sign * b[i], &ts))
                return xn_error(n, ev, EDDY_ERUNTIME, "DATE overflow");
            r[i] = eddy_floordiv_i64(ts, EDDY_MS_PER_DAY);
        }
    });
    return 0;
}

/* interval * number, number * interval (number double), interval / number */
static int iv_mul_f64(xnode *n, xeval *ev, const xsel *s)
{
    const int64_t *a = n->kid[0]->out.v.i64;
    const double *b = n->kid[1]->out.v.f64;
    int64_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    const bool div = n->iparam[0] == IOP_DIV;
    XLOOP(s, ev->n, i, {
        if (nu && nu[i]) {
            r[i] = 0;
            continue;
        }
        double x = div ? (double)a[i] / b[i] : (double)a[i] * b[i];
        if (!(x > -9.2e18 && x < 9.2e18))
            return xn_error(n, ev, EDDY_ERUNTIME, "INTERVAL overflow");
        r[i] = llround(x);
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Comparison                                                                                 */

enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

#define CMP_CC(T, F, NAME, OP)                                                                 \
    static int NAME##_cc(xnode *n, xeval *ev, const xsel *s)                                   \
    {                                                                                          \
        const T *a = (const T *)n->kid[0]->out.v.F, *b = (const T *)n->kid[1]->out.v.F;        \
        uint8_t *r = xn_vals(n, ev);                                                           \
        xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);                                           \
        XLOOP(s, ev->n, i, { r[i] = a[i] OP b[i]; });                                          \
        return 0;                                                                              \
    }
#define CMP_CK(T, F, NAME, OP, K)                                                              \
    static int NAME##_ck(xnode *n, xeval *ev, const xsel *s)                                   \
    {                                                                                          \
        const T *a = (const T *)n->kid[0]->out.v.F;                                            \
        const T k = (T)(K);                                                                    \
        uint8_t *r = xn_vals(n, ev);                                                           \
        xn_nulls_or(n, ev, s, n->kid[0], NULL);                                                \
        XLOOP(s, ev->n, i, { r[i] = a[i] OP k; });                                             \
        return 0;                                                                              \
    }
#define CMP_ALL(T, F, P, K)                                                                    \
    CMP_CC(T, F, P##_eq, ==) CMP_CC(T, F, P##_ne, !=) CMP_CC(T, F, P##_lt, <)                  \
    CMP_CC(T, F, P##_le, <=) CMP_CC(T, F, P##_gt, >) CMP_CC(T, F, P##_ge, >=)                  \
    CMP_CK(T, F, P##_eq, ==, K) CMP_CK(T, F, P##_ne, !=, K) CMP_CK(T, F, P##_lt, <, K)         \
    CMP_CK(T, F, P##_le, <=, K) CMP_CK(T, F, P##_gt, >, K) CMP_CK(T, F, P##_ge, >=, K)

CMP_ALL(int64_t, i64, ci, n->ki)
CMP_ALL(double, f64, cf, n->kf)
CMP_ALL(__int128, dec, cd, n->kd)
CMP_ALL(uint8_t, b, cb, n->ki)

#define CMP_TABLE(P)                                                                           \
    {{P##_eq_cc, P##_eq_ck}, {P##_ne_cc, P##_ne_ck}, {P##_lt_cc, P##_lt_ck},                   \
     {P##_le_cc, P##_le_ck}, {P##_gt_cc, P##_gt_ck}, {P##_ge_cc, P##_ge_ck}}

static const xkernel cmp_i64[6][2] = CMP_TABLE(ci);
static const xkernel cmp_f64[6][2] = CMP_TABLE(cf);
static const xkernel cmp_dec[6][2] = CMP_TABLE(cd);
static const xkernel cmp_bool[6][2] = CMP_TABLE(cb);

static inline int str_cmp(eddy_str a, eddy_str b)
{
    uint32_t m = a.n < b.n ? a.n : b.n;
    int c = m ? memcmp(a.p, b.p, m) : 0;
    if (c) return c;
    return (a.n > b.n) - (a.n < b.n);
}

static inline bool str_eq(eddy_str a, eddy_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline uint8_t cmp_result(int op, int c)
{
    switch (op) {
    case CMP_EQ: return c == 0;
    case CMP_NE: return c != 0;
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int cmp_str_cc(xnode *n, xeval *ev, const xsel *s)
{
    const eddy_str *a = n->kid[0]->out.v.str, *b = n->kid[1]->out.v.str;
    uint8_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], n->kid[1]);
    const int op = n->iparam[0];
    if (op == CMP_EQ || op == CMP_NE) {
        const uint8_t want = op == CMP_EQ;
        XLOOP(s, ev->n, i, { r[i] = (nu && nu[i]) ? 0 : (str_eq(a[i], b[i]) == want); });
    } else {
        XLOOP(s, ev->n, i, { r[i] = (nu && nu[i]) ? 0 : cmp_result(op, str_cmp(a[i], b[i])); });
    }
    return 0;
}

static int cmp_str_ck(xnode *n, xeval *ev, const xsel *s)
{
    const eddy_str *a = n->kid[0]->out.v.str;
    const eddy_str k = {n->kid[1]->cval.u.s.p, n->kid[1]->cval.u.s.n};
    uint8_t *r = xn_vals(n, ev);
    const uint8_t *nu = xn_nulls_or(n, ev, s, n->kid[0], NULL);
    const int op = n->iparam[0];
    if (op == CMP_EQ || op == CMP_NE) {
        const uint8_t want = op == CMP_EQ;
        if (k.n == 0) {
            XLOOP(s, ev->n, i, { r[i] = (a[i].n == 0) == want; });
        } else {
            const char k0 = k.p[0];
            XLOOP(s, ev->n, i, {
                /* NULL rows have unspecified bytes: check the null byte before reading them */
                r[i] = ((!nu || !nu[i]) && a[i].n == k.n && a[i].p[0] == k0 && memcmp(a[i].p, k.p, k.n) == 0) == want;
            });
        }
    } else {
        XLOOP(s, ev->n, i, { r[i] = (nu && nu[i]) ? 0 : cmp_result(op, str_cmp(a[i], k)); });
    }
    return 0;
}

static int flip_cmp(int op)
{
    switch (op) {
    case CMP_LT: return CMP_GT;
    case CMP_LE: return CMP_GE;
    case CMP_GT: return CMP_LT;
    case CMP_GE: return CMP_LE;
    default: return op;
    }
}

/* Sets the comparison kernel of n (kids already of one physical type). */
static int pick_compare(xcomp *c, xnode *n, int op)
{
    xnode *a = n->kid[0], *b = n->kid[1];
    if (a->is_const && !b->is_const) {
        n->kid[0] = b;
        n->kid[1] = a;
        op = flip_cmp(op);
        a = n->kid[0];
        b = n->kid[1];
    }
    /* a NULL constant operand: the answer is NULL, whatever the other side */
    bool bk = b->is_const && !b->volatile_const && !b->cval.null;
    n->iparam[0] = op;
    switch (a->phys) {
    case EDDY_PHYS_I64:
        n->ki = b->cval.u.i;
        n->run = cmp_i64[op][bk];
        break;
    case EDDY_PHYS_F64:
        n->kf = b->cval.u.f;
        n->run = cmp_f64[op][bk];
        break;
    case EDDY_PHYS_DEC:
        n->kd = b->cval.u.dec;
        n->run = cmp_dec[op][bk];
        break;
    case EDDY_PHYS_BOOL:
        n->ki = b->cval.u.b;
        n->run = cmp_bool[op][bk];
        break;
    case EDDY_PHYS_STR: n->run = bk ? cmp_str_ck : cmp_str_cc; break;
    }
    (void)c;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Logic                                                                                      */

/* AND / OR over operands that cannot fail: every operand for every row, branch-free. */
static int andor_eager(xnode *n, xeval *ev, const xsel *s)
{
    const bool is_and = n->iparam[0];
    uint8_t *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls(n, ev);
    bool anynull = false;
    for (int k = 0; k < n->nkid; k++) anynull |= n->kid[k]->out.nulls != NULL;
    const uint8_t *v0 = n->kid[0]->out.v.b, *n0 = n->kid[0]->out.nulls;
    if (is_and) {
        if (n0) XLOOP(s, ev->n, i, { r[i] = (v0[i] != 0) | n0[i]; nu[i] = n0[i]; });
        else XLOOP(s, ev->n, i, { r[i] = v0[i] != 0; nu[i] = 0; });
        for (int k = 1; k < n->nkid; k++) {
            const uint8_t *v = n->kid[k]->out.v.b, *kn = n->kid[k]->out.nulls;
            if (kn) XLOOP(s, ev->n, i, { r[i] &= (v[i] != 0) | kn[i]; nu[i] |= kn[i]; });
            else XLOOP(s, ev->n, i, { r[i] &= (v[i] != 0); });
        }
        if (anynull) XLOOP(s, ev->n, i, { nu[i] &= r[i]; });
    } else {
        if (n0) XLOOP(s, ev->n, i, { r[i] = (v0[i] != 0) & !n0[i]; nu[i] = n0[i]; });
        else XLOOP(s, ev->n, i, { r[i] = v0[i] != 0; nu[i] = 0; });
        for (int k = 1; k < n->nkid; k++) {
            const uint8_t *v = n->kid[k]->out.v.b, *kn = n->kid[k]->out.nulls;
            if (kn) XLOOP(s, ev->n, i, { r[i] |= (v[i] != 0) & !kn[i]; nu[i] |= kn[i]; });
            else XLOOP(s, ev->n, i, { r[i] |= (v[i] != 0); });
        }
        if (anynull) XLOOP(s, ev->n, i, { nu[i] &= !r[i]; });
    }
    n->out.nulls = anynull ? nu : NULL;
    return 0;
}

/* AND / OR evaluating each operand only for the rows still undecided. */
static int andor_lazy(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t is_and = n->iparam[0] ? 1 : 0;
    uint8_t *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls(n, ev);
    XLOOP(s, ev->n, i, { r[i] = is_and; nu[i] = 0; });
    xsel cur, *cp = (xsel *)s;
    for (int k = 0; k < n->nkid; k++) {
        if (cp && cp->n == 0) break;
        xnode *kd = n->kid[k];
        int rc = xn_eval(kd, ev, cp);
        if (rc) return rc;
        const uint8_t *v = kd->out.v.b, *kn = kd->out.nulls;
        int32_t *dst = xn_selbuf(n, ev, k & 1);
        int m = 0;
        XLOOP(cp, ev->n, i, {
            uint8_t isn = kn ? kn[i] : 0;
            uint8_t val = v[i] != 0;
            if (!isn && val != is_and) {
                r[i] = !is_and;
                nu[i] = 0;
            } else {
                nu[i] |= isn;
                dst[m++] = i;
            }
        });
        cur.idx = dst;
        cur.n = m;
        cp = &cur;
    }
    bool anynull = false;
    XLOOP(s, ev->n, i, { anynull |= nu[i] != 0; });
    n->out.nulls = anynull ? nu : NULL;
    return 0;
}

static int not_run(xnode *n, xeval *ev, const xsel *s)
{
    const uint8_t *a = n->kid[0]->out.v.b;
    uint8_t *r = xn_vals(n, ev);
    xn_nulls_or(n, ev, s, n->kid[0], NULL);
    XLOOP(s, ev->n, i, { r[i] = a[i] == 0; });
    return 0;
}

static int is_run(xnode *n, xeval *ev, const xsel *s)
{
    const xnode *k = n->kid[0];
    const uint8_t *kn = k->out.nulls;
    const uint8_t neg = n->iparam[1] ? 1 : 0;
    uint8_t *r = xn_vals(n, ev);
    n->out.nulls = NULL;
    switch (n->iparam[0]) {
    case 0: /* NULL */
    case 3: /* UNKNOWN */
        if (kn) XLOOP(s, ev->n, i, { r[i] = (kn[i] != 0) ^ neg; });
        else XLOOP(s, ev->n, i, { r[i] = neg; });
        break;
    case 1: { /* TRUE */
        const uint8_t *v = k->out.v.b;
        if (kn) XLOOP(s, ev->n, i, { r[i] = ((v[i] != 0) & !kn[i]) ^ neg; });
        else XLOOP(s, ev->n, i, { r[i] = (v[i] != 0) ^ neg; });
        break;
    }
    default: { /* FALSE */
        const uint8_t *v = k->out.v.b;
        if (kn) XLOOP(s, ev->n, i, { r[i] = ((v[i] == 0) & !kn[i]) ^ neg; });
        else XLOOP(s, ev->n, i, { r[i] = (v[i] == 0) ^ neg; });
        break;
    }
    }
    return 0;
}

/* Row equality of two columns of one physical type (values only). */
static inline bool col_eq(eddy_phys ph, const eddy_col *a, int i, const eddy_col *b, int j)
{
    switch (ph) {
    case EDDY_PHYS_BOOL: return (a->v.b[i] != 0) == (b->v.b[j] != 0);
    case EDDY_PHYS_I64: return a->v.i64[i] == b->v.i64[j];
    case EDDY_PHYS_F64: return a->v.f64[i] == b->v.f64[j];
    case EDDY_PHYS_DEC: return a->v.dec[i] == b->v.dec[j];
    default: return str_eq(a->v.str[i], b->v.str[j]);
    }
}

static int distinct_run(xnode *n, xeval *ev, const xsel *s)
{
    const xnode *a = n->kid[0], *b = n->kid[1];
    const uint8_t *na = a->out.nulls, *nb = b->out.nulls;
    const uint8_t want_eq = n->iparam[1] ? 1 : 0; /* IS NOT DISTINCT FROM */
    const eddy_phys ph = a->phys;
    uint8_t *r = xn_vals(n, ev);
    n->out.nulls = NULL;
    XLOOP(s, ev->n, i, {
        uint8_t an = na ? na[i] != 0 : 0, bn = nb ? nb[i] != 0 : 0;
        /* values of NULL rows are not to be read (a string's bytes may be anything) */
        uint8_t eq = (an & bn) | (!an && !bn && col_eq(ph, &a->out, i, &b->out, i));
        r[i] = want_eq ? eq : !eq;
    });
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* IN                                                                                         */

typedef struct inset {
    eddy_phys phys;
    int n;              /* distinct non-NULL elements */
    bool has_null;      /* a NULL element: no match gives NULL */
    int64_t *i64;       /* elements (BOOL as 0/1, I64) */
    double *f64;
    __int128 *dec;
    eddy_str *str;
    uint64_t *shash;    /* hashes of str */
    int32_t *slots;     /* open addressing: element index + 1, 0 = empty */
    uint32_t mask;      /* slots - 1, 0 = no table (linear search) */
} inset;

static inline uint64_t inset_hash_i(int64_t v)
{
    return eddy_hash_u64((uint64_t)v);
}

static bool inset_find_i64(const inset *t, int64_t v)
{
    if (!t->mask) {
        for (int k = 0; k < t->n; k++)
            if (t->i64[k] == v) return true;
        return false;
    }
    uint32_t h = (uint32_t)inset_hash_i(v) & t->mask;
    for (;;) {
        int32_t e = t->slots[h];
        if (!e) return false;
        if (t->i64[e - 1] == v) return true;
        h = (h + 1) & t->mask;
    }
}

static bool inset_find_str(const inset *t, eddy_str v)
{
    if (!t->mask) {
        for (int k = 0; k < t->n; k++)
            if (str_eq(t->str[k], v)) return true;
        return false;
    }
    uint64_t hv = eddy_hash_bytes(v.p, v.n);
    uint32_t h = (uint32_t)hv & t->mask;
    for (;;) {
        int32_t e = t->slots[h];
        if (!e) return false;
        if (t->shash[e - 1] == hv && str_eq(t->str[e - 1], v)) return true;
        h = (h + 1) & t->mask;
    }
}

static int in_set_run(xnode *n, xeval *ev, const xsel *s)
{
    const inset *t = n->aux;
    const xnode *x = n->kid[0];
    const uint8_t *xn = x->out.nulls;
    const uint8_t neg = n->iparam[1] ? 1 : 0;
    uint8_t *r = xn_vals(n, ev);
    switch (t->phys) {
    case EDDY_PHYS_BOOL: {
        const uint8_t *v = x->out.v.b;
        XLOOP(s, ev->n, i, { r[i] = inset_find_i64(t, v[i] != 0); });
        break;
    }
    case EDDY_PHYS_I64: {
        const int64_t *v = x->out.v.i64;
        if (!t->mask && t->n >= 1 && t->n <= 4) {
            int64_t e0 = t->i64[0], e1 = t->n > 1 ? t->i64[1] : e0, e2 = t->n > 2 ? t->i64[2] : e0,
                    e3 = t->n > 3 ? t->i64[3] : e0;
            XLOOP(s, ev->n, i, {
                int64_t y = v[i];
                r[i] = (y == e0) | (y == e1) | (y == e2) | (y == e3);
            });
        } else {
            XLOOP(s, ev->n, i, { r[i] = inset_find_i64(t, v[i]); });
        }
        break;
    }
    case EDDY_PHYS_F64: {
        const double *v = x->out.v.f64;
        XLOOP(s, ev->n, i, {
            uint8_t f = 0;
            for (int k = 0; k < t->n; k++) f |= v[i] == t->f64[k];
            r[i] = f;
        });
        break;
    }
    case EDDY_PHYS_DEC: {
        const __int128 *v = x->out.v.dec;
        XLOOP(s, ev->n, i, {
            uint8_t f = 0;
            for (int k = 0; k < t->n; k++) f |= v[i] == t->dec[k];
            r[i] = f;
        });
        break;
    }
    case EDDY_PHYS_STR: {
        const eddy_str *v = x->out.v.str;
        XLOOP(s, ev->n, i, { r[i] = (xn && xn[i]) ? 0 : inset_find_str(t, v[i]); });
        break;
    }
    }
    /* NULL when x is NULL, or when nothing matched and the list holds a NULL */
    if (t->has_null) {
        uint8_t *nu = xn_nulls_own(n, ev, s, xn);
        XLOOP(s, ev->n, i, { nu[i] |= !r[i]; });
    } else {
        xn_nulls_or(n, ev, s, x, NULL);
    }
    if (neg) XLOOP(s, ev->n, i, { r[i] ^= 1; });
    return 0;
}

/* x IN (a, b, ...) with operands that are not all constant. */
static int in_list_run(xnode *n, xeval *ev, const xsel *s)
{
    const xnode *x = n->kid[0];
    const uint8_t neg = n->iparam[1] ? 1 : 0;
    uint8_t *r = xn_vals(n, ev);
    uint8_t *nu = xn_nulls_own(n, ev, s, x->out.nulls);
    const eddy_phys ph = x->phys;
    XLOOP(s, ev->n, i, {
        if (nu[i]) continue;
        uint8_t found = 0, unknown = 0;
        for (int k = 1; k < n->nkid && !found; k++) {
            const xnode *e = n->kid[k];
            if (e->out.nulls && e->out.nulls[i]) unknown = 1;
            else found = col_eq(ph, &x->out, i, &e->out, i);
        }
        r[i] = found ^ neg;
        nu[i] = (!found) & unknown;
    });
    return 0;
}

static void inset_free(void *p)
{
    inset *t = p;
    free(t->i64);
    free(t->f64);
    free(t->dec);
    free(t->str);
    free(t->shash);
    free(t->slots);
    free(t);
}

static int compile_in(xcomp *c, xnode *n)
{
    n->iparam[1] = n->e->negated;
    const eddy_sqltype *ct = n->kid[0]->type;
    bool all_const = true;
    for (int k = 1; k < n->nkid; k++) {
        ct = xc_common_type(c, ct, n->kid[k]->type);
        if (!n->kid[k]->is_const || n->kid[k]->volatile_const) all_const = false;
    }
    for (int k = 0; k < n->nkid; k++) {
        n->kid[k] = xc_coerce(c, n->kid[k], ct);
        if (!n->kid[k]) return c->err->code;
    }
    if (!all_const) {
        n->run = in_list_run;
        return 0;
    }
    for (int k = 1; k < n->nkid; k++)
        if (!n->kid[k]->is_const) {
            n->run = in_list_run; /* a cast of a constant that did not fold (it fails) */
            return 0;
        }
    inset *t = eddy_xcalloc(1, sizeof *t);
    n->aux = t;
    n->aux_free = inset_free;
    t->phys = n->kid[0]->phys;
    int m = n->nkid - 1;
    t->i64 = eddy_xcalloc((size_t)m + 1, sizeof(int64_t));
    t->f64 = eddy_xcalloc((size_t)m + 1, sizeof(double));
    t->dec = eddy_xcalloc((size_t)m + 1, sizeof(__int128));
    t->str = eddy_xcalloc((size_t)m + 1, sizeof(eddy_str));
    t->shash = eddy_xcalloc((size_t)m + 1, sizeof(uint64_t));
    for (int k = 1; k < n->nkid; k++) {
        const eddy_value *v = &n->kid[k]->cval;
        if (v->null) {
            t->has_null = true;
            continue;
        }
        int j = t->n++;
        switch (t->phys) {
        case EDDY_PHYS_BOOL: t->i64[j] = v->u.b ? 1 : 0; break;
        case EDDY_PHYS_I64: t->i64[j] = v->u.i; break;
        case EDDY_PHYS_F64: t->f64[j] = v->u.f; break;
        case EDDY_PHYS_DEC: t->dec[j] = v->u.dec; break;
        case EDDY_PHYS_STR:
            t->str[j] = (eddy_str){v->u.s.p ? v->u.s.p : xn_empty, v->u.s.n};
            t->shash[j] = eddy_hash_bytes(t->str[j].p, t->str[j].n);
            break;
        }
    }
    if (t->n == 0) t->has_null = true; /* only NULLs: every row is NULL */
    if ((t->phys == EDDY_PHYS_I64 && t->n > 8) || (t->phys == EDDY_PHYS_STR && t->n > 4)) {
        uint32_t cap = 16;
        while (cap < (uint32_t)t->n * 2) cap <<= 1;
        t->slots = eddy_xcalloc(cap, sizeof(int32_t));
        t->mask = cap - 1;
        for (int j = 0; j < t->n; j++) {
            uint64_t hv = t->phys == EDDY_PHYS_STR ? t->shash[j] : inset_hash_i(t->i64[j]);
            uint32_t h = (uint32_t)hv & t->mask;
            while (t->slots[h]) h = (h + 1) & t->mask;
            t->slots[h] = j + 1;
        }
    }
    n->run = in_set_run;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* CASE and the conditional functions                                                         */

/* dst[i] = src[i] for the rows of s. */
static void copy_rows(eddy_phys ph, void *dst, const void *src, const xsel *s, int nrows)
{
    switch (ph) {
    case EDDY_PHYS_BOOL: {
        uint8_t *d = dst;
        const uint8_t *x = src;
        XLOOP(s, nrows, i, { d[i] = x[i]; });
        break;
    }
    case EDDY_PHYS_I64:
    case EDDY_PHYS_F64: {
        uint64_t *d = dst;
        const uint64_t *x = src;
        XLOOP(s, nrows, i, { d[i] = x[i]; });
        break;
    }
    case EDDY_PHYS_DEC: {
        __int128 *d = dst;
        const __int128 *x = src;
        XLOOP(s, nrows, i, { d[i] = x[i]; });
        break;
    }
    case EDDY_PHYS_STR: {
        eddy_str *d = dst;
        const eddy_str *x = src;
        XLOOP(s, nrows, i, { d[i] = x[i]; });
        break;
    }
    }
}

/* Copies the rows of s of kid's result into n's result (values and null bytes). */
static void take_rows(xnode *n, xeval *ev, const xsel *s, const xnode *kid, uint8_t *nu, bool *anynull)
{
    copy_rows(n->phys, n->out.v.ptr, kid->out.v.ptr, s, ev->n);
    const uint8_t *kn = kid->out.nulls;
    if (kn) {
        uint8_t any = 0;
        XLOOP(s, ev->n, i, {
            nu[i] = kn[i];
            any |= kn[i];
        });
        *anynull |= any != 0;
    } else {
        XLOOP(s, ev->n, i, { nu[i] = 0; });
    }
}

/* Marks the rows of s NULL (with an empty value). */
static void null_rows(xnode *n, xeval *ev, const xsel *s, uint8_t *nu)
{
    size_t w = eddy_phys_size(n->phys);
    unsigned char *v = n->out.v.ptr;
    XLOOP(s, ev->n, i, {
        nu[i] = 1;
        memset(v + (size_t)i * w, 0, w);
        if (n->phys == EDDY_PHYS_STR) ((eddy_str *)v)[i].p = xn_empty;
    });
}

/* Splits the rows of s by a boolean result: TRUE rows into t, FALSE/NULL rows into f. */
static void split_rows(const xsel *s, int nrows, const xnode *cond, int32_t *t, int *nt, int32_t *f, int *nf)
{
    const uint8_t *v = cond->out.v.b, *cn = cond->out.nulls;
    int a = 0, b = 0;
    if (cn) {
        XLOOP(s, nrows, i, {
            int yes = (v[i] != 0) & !cn[i];
            t[a] = i;
            f[b] = i;
            a += yes;
            b += !yes;
        });
    } else {
        XLOOP(s, nrows, i, {
            int yes = v[i] != 0;
            t[a] = i;
            f[b] = i;
            a += yes;
            b += !yes;
        });
    }
    *nt = a;
    *nf = b;
}

/* CASE WHEN c1 THEN v1 ... [ELSE e] END; also IF(c, a, b). kids: c1, v1, c2, v2, ..., [e]. */
static int case_run(xnode *n, xeval *ev, const xsel *s)
{
    const int nw = n->iparam[0];
    const bool has_else = n->iparam[1];
    xn_vals(n, ev);
    uint8_t *nu = xn_nulls(n, ev);
    bool anynull = false;
    int32_t *tb = xn_selbuf(n, ev, 0);
    xsel cur, take, *cp = (xsel *)s;
    int flip = 1;
    for (int w = 0; w < nw; w++) {
        if (cp && cp->n == 0) break;
        xnode *wk = n->kid[2 * w], *vk = n->kid[2 * w + 1];
        int rc = xn_eval(wk, ev, cp);
        if (rc) return rc;
        int32_t *fb = xn_selbuf(n, ev, flip);
        flip = 3 - flip; /* alternate between buffers 1 and 2 */
        int nt, nf;
        split_rows(cp, ev->n, wk, tb, &nt, fb, &nf);
        if (nt) {
            take.idx = tb;
            take.n = nt;
            rc = xn_eval(vk, ev, &take);
            if (rc) return rc;
            take_rows(n, ev, &take, vk, nu, &anynull);
        }
        cur.idx = fb;
        cur.n = nf;
        cp = &cur;
    }
    if (!cp || cp->n > 0) {
        if (has_else) {
            xnode *ek = n->kid[2 * nw];
            int rc = xn_eval(ek, ev, cp);
            if (rc) return rc;
            take_rows(n, ev, cp, ek, nu, &anynull);
        } else {
            null_rows(n, ev, cp, nu);
            anynull = true;
        }
    }
    n->out.nulls = anynull ? nu : NULL;
    return 0;
}

/* COALESCE(a, b, ...), IFNULL(a, b): each operand only for the rows still NULL. */
static int coalesce_run(xnode *n, xeval *ev, const xsel *s)
{
    xn_vals(n, ev);
    uint8_t *nu = xn_nulls(n, ev);
    bool anynull = false;
    xsel cur, *cp = (xsel *)s;
    for (int k = 0; k < n->nkid; k++) {
        if (cp && cp->n == 0) {
            anynull = false;
            break;
        }
        xnode *kd = n->kid[k];
        int rc = xn_eval(kd, ev, cp);
        if (rc) return rc;
        anynull = false;
        take_rows(n, ev, cp, kd, nu, &anynull);
        if (!anynull) break;
        int32_t *dst = xn_selbuf(n, ev, k & 1);
        int m = 0;
        XLOOP(cp, ev->n, i, {
            dst[m] = i;
            m += nu[i] != 0;
        });
        cur.idx = dst;
        cur.n = m;
        cp = &cur;
    }
    n->out.nulls = anynull ? nu : NULL;
    return 0;
}

/* NULLIF(a, b): kids a (compare type), b (compare type), a (result type). */
static int nullif_run(xnode *n, xeval *ev, const xsel *s)
{
    xnode *a = n->kid[0], *b = n->kid[1], *o = n->kid[2];
    int rc = xn_eval(a, ev, s);
    if (!rc) rc = xn_eval(b, ev, s);
    if (!rc && o != a) rc = xn_eval(o, ev, s);
    if (rc) return rc;
    xn_vals(n, ev);
    copy_rows(n->phys, n->out.v.ptr, o->out.v.ptr, s, ev->n);
    uint8_t *nu = xn_nulls_own(n, ev, s, o->out.nulls);
    const uint8_t *bn = b->out.nulls;
    XLOOP(s, ev->n, i, {
        if (!nu[i] && !(bn && bn[i]) && col_eq(a->phys, &a->out, i, &b->out, i)) nu[i] = 1;
    });
    return 0;
}

/* GREATEST / LEAST: NULL when any operand is NULL (Flink). iparam[0]: 1 greatest, -1 least. */
static int greatest_run(xnode *n, xeval *ev, const xsel *s)
{
    xn_vals(n, ev);
    xn_nulls_or_all(n, ev, s);
    const int dir = n->iparam[0];
    copy_rows(n->phys, n->out.v.ptr, n->kid[0]->out.v.ptr, s, ev->n);
    for (int k = 1; k < n->nkid; k++) {
        const eddy_col *c = &n->kid[k]->out;
        switch (n->phys) {
        case EDDY_PHYS_I64: {
            int64_t *r = n->out.v.i64;
            const int64_t *x = c->v.i64;
            if (dir > 0) XLOOP(s, ev->n, i, { r[i] = x[i] > r[i] ? x[i] : r[i]; });
            else XLOOP(s, ev->n, i, { r[i] = x[i] < r[i] ? x[i] : r[i]; });
            break;
        }
        case EDDY_PHYS_F64: {
            double *r = n->out.v.f64;
            const double *x = c->v.f64;
            if (dir > 0) XLOOP(s, ev->n, i, { r[i] = x[i] > r[i] ? x[i] : r[i]; });
            else XLOOP(s, ev->n, i, { r[i] = x[i] < r[i] ? x[i] : r[i]; });
            break;
        }
        case EDDY_PHYS_DEC: {
            __int128 *r = n->out.v.dec;
            const __int128 *x = c->v.dec;
            if (dir > 0) XLOOP(s, ev->n, i, { r[i] = x[i] > r[i] ? x[i] : r[i]; });
            else XLOOP(s, ev->n, i, { r[i] = x[i] < r[i] ? x[i] : r[i]; });
            break;
        }
        case EDDY_PHYS_BOOL: {
            uint8_t *r = n->out.v.b;
            const uint8_t *x = c->v.b;
            if (dir > 0) XLOOP(s, ev->n, i, { r[i] = (x[i] != 0) | (r[i] != 0); });
            else XLOOP(s, ev->n, i, { r[i] = (x[i] != 0) & (r[i] != 0); });
            break;
        }
        case EDDY_PHYS_STR: {
            eddy_str *r = n->out.v.str;
            const eddy_str *x = c->v.str;
            const uint8_t *nu = n->out.nulls;
            XLOOP(s, ev->n, i, {
                if (nu && nu[i]) continue; /* bytes of NULL rows are not to be read */
                if (str_cmp(x[i], r[i]) * dir > 0) r[i] = x[i];
            });
            break;
        }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Per-kind compilation                                                                       */

static xnode *compile(xcomp *c, const eddy_bexpr *e);

static bool bool_type_ok(const xnode *k)
{
    return k->phys == EDDY_PHYS_BOOL || (k->is_const && k->cval.null);
}

static int compile_arith(xcomp *c, xnode *n)
{
    const eddy_sqltype *t = n->type;
    const int op = n->e->op;
    if (op == EDDY_BOP_NEG || n->nkid == 1) {
        if (t->kind == EDDY_TYPE_INTERVAL) {
            n->lo = INT64_MIN;
            n->hi = INT64_MAX;
            n->run = ineg;
            n->can_fail = true;
            return 0;
        }
        n->kid[0] = xc_coerce(c, n->kid[0], t);
        if (!n->kid[0]) return c->err->code;
        switch (n->phys) {
        case EDDY_PHYS_I64:
            xn_int_range(t, &n->lo, &n->hi);
            n->run = ineg;
            n->can_fail = true;
            return 0;
        case EDDY_PHYS_F64: n->run = fneg; return 0;
        case EDDY_PHYS_DEC: n->run = dneg; return 0;
        default: return xc_error(c, n, EDDY_EUNSUPPORTED, "cannot negate a %s", xn_type_name(t));
        }
    }
    xnode *a = n->kid[0], *b = n->kid[1];
    const eddy_type_kind tk = t->kind;

    /* date and time +/- interval */
    if (tk == EDDY_TYPE_TIMESTAMP || tk == EDDY_TYPE_TIMESTAMP_LTZ || tk == EDDY_TYPE_DATE || tk == EDDY_TYPE_TIME) {
        if (a->type->kind == EDDY_TYPE_INTERVAL && op == EDDY_BOP_ADD) {
            n->kid[0] = b;
            n->kid[1] = a;
            a = n->kid[0];
            b = n->kid[1];
        }
        if (b->type->kind != EDDY_TYPE_INTERVAL || (op != EDDY_BOP_ADD && op != EDDY_BOP_SUB))
            return xc_error(c, n, EDDY_EUNSUPPORTED, "cannot apply this operator to %s and %s",
                            xn_type_name(a->type), xn_type_name(b->type));
        if (a->type->kind != tk) {
            n->kid[0] = a = xc_coerce(c, a, t);
            if (!a) return c->err->code;
        }
        n->iparam[0] = op == EDDY_BOP_SUB ? -1 : 1;
        n->can_fail = true;
        if (eddy_interval_is_months(b->type->from)) n->run = ts_add_months;
        else if (tk == EDDY_TYPE_DATE || tk == EDDY_TYPE_TIME) n->run = date_add_ms;
        else n->run = ts_add_ms;
        return 0;
    }

    /* interval arithmetic */
    if (tk == EDDY_TYPE_INTERVAL) {
        if (a->type->kind != EDDY_TYPE_INTERVAL && op == EDDY_BOP_MUL) {
            n->kid[0] = b;
            n->kid[1] = a;
            a = n->kid[0];
            b = n->kid[1];
        }
        n->lo = INT64_MIN;
        n->hi = INT64_MAX;
        n->can_fail = true;
        if (b->type->kind == EDDY_TYPE_INTERVAL || is_int_kind(b->type->kind)) {
            switch (op) {
            case EDDY_BOP_ADD: n->run = iadd_cc; n->iparam[0] = IOP_ADD; return 0;
            case EDDY_BOP_SUB: n->run = isub_cc; n->iparam[0] = IOP_SUB; return 0;
            case EDDY_BOP_MUL: n->run = imul_cc; n->iparam[0] = IOP_MUL; return 0;
            case EDDY_BOP_DIV: n->run = idivmod_cc; n->iparam[0] = IOP_DIV; return 0;
            default: break;
            }
        } else if (op == EDDY_BOP_MUL || op == EDDY_BOP_DIV) {
            n->kid[1] = xc_coerce(c, b, xc_type(c, EDDY_TYPE_DOUBLE, -1, -1));
            if (!n->kid[1]) return c->err->code;
            n->iparam[0] = op == EDDY_BOP_DIV ? IOP_DIV : IOP_MUL;
            n->run = iv_mul_f64;
            return 0;
        }
        return xc_error(c, n, EDDY_EUNSUPPORTED, "unsupported INTERVAL arithmetic");
    }

    switch (n->phys) {
    case EDDY_PHYS_I64: {
        if (!is_int_kind(tk)) break;
        for (int k = 0; k < 2; k++) {
            if (!is_int_kind(n->kid[k]->type->kind)) {
                n->kid[k] = xc_coerce(c, n->kid[k], t);
                if (!n->kid[k]) return c->err->code;
            }
        }
        a = n->kid[0];
        b = n->kid[1];
        xn_int_range(t, &n->lo, &n->hi);
        n->can_fail = true;
        /* commutative ops: constant on the right */
        if (a->is_const && !b->is_const && (op == EDDY_BOP_ADD || op == EDDY_BOP_MUL)) {
            n->kid[0] = b;
            n->kid[1] = a;
            a = n->kid[0];
            b = n->kid[1];
        }
        bool bk = b->is_const && !b->volatile_const && !b->cval.null;
        n->ki = bk ? b->cval.u.i : 0;
        switch (op) {
        case EDDY_BOP_ADD: n->iparam[0] = IOP_ADD; n->run = bk ? iadd_ck : iadd_cc; return 0;
        case EDDY_BOP_SUB: n->iparam[0] = IOP_SUB; n->run = bk ? isub_ck : isub_cc; return 0;
        case EDDY_BOP_MUL: n->iparam[0] = IOP_MUL; n->run = bk ? imul_ck : imul_cc; return 0;
        case EDDY_BOP_DIV:
        case EDDY_BOP_MOD:
            n->iparam[0] = op == EDDY_BOP_DIV ? IOP_DIV : IOP_MOD;
            int64_t alo, ahi;
            xn_int_range(a->type, &alo, &ahi);
            if (bk && n->ki != 0 && n->ki != -1 && alo >= n->lo && ahi <= n->hi) {
                /* |a / k| <= |a| and |a % k| <= |a|: nothing can leave the result's range */
                n->run = op == EDDY_BOP_DIV ? idiv_ck : imod_ck;
                n->can_fail = false;
            } else {
                n->run = idivmod_cc;
            }
            return 0;
        default: break;
        }
        break;
    }
    case EDDY_PHYS_F64: {
        for (int k = 0; k < 2; k++) {
            n->kid[k] = xc_coerce(c, n->kid[k], t);
            if (!n->kid[k]) return c->err->code;
        }
        a = n->kid[0];
        b = n->kid[1];
        if (a->is_const && !b->is_const && (op == EDDY_BOP_ADD || op == EDDY_BOP_MUL)) {
            n->kid[0] = b;
            n->kid[1] = a;
            a = n->kid[0];
            b = n->kid[1];
        }
        bool bk = b->is_const && !b->volatile_const && !b->cval.null;
        n->kf = bk ? b->cval.u.f : 0;
        switch (op) {
        case EDDY_BOP_ADD: n->run = bk ? fadd_ck : fadd_cc; return 0;
        case EDDY_BOP_SUB: n->run = bk ? fsub_ck : fsub_cc; return 0;
        case EDDY_BOP_MUL: n->run = bk ? fmul_ck : fmul_cc; return 0;
        case EDDY_BOP_DIV: n->run = bk ? fdiv_ck : fdiv_cc; return 0;
        case EDDY_BOP_MOD: n->run = bk ? fmod__ck : fmod__cc; return 0;
        default: break;
        }
        break;
    }
    case EDDY_PHYS_DEC: {
        const int p = dec_prec(t), rs = dec_scale(t);
        n->iparam[1] = p;
        n->iparam[2] = rs;
        /* integer column * DECIMAL constant (0.908 * price) */
        if (op == EDDY_BOP_MUL) {
            if (a->phys == EDDY_PHYS_DEC && a->is_const && !a->cval.null && b->phys == EDDY_PHYS_I64 &&
                is_int_kind(b->type->kind)) {
                n->kid[0] = b;
                n->kid[1] = a;
                a = n->kid[0];
                b = n->kid[1];
            }
            if (a->phys == EDDY_PHYS_I64 && is_int_kind(a->type->kind) && b->is_const && !b->cval.null &&
                b->phys == EDDY_PHYS_DEC && b->cval.u.dec < ((__int128)1 << 62) &&
                b->cval.u.dec > -((__int128)1 << 62)) {
                n->kd = b->cval.u.dec;
                n->iparam[3] = dec_scale(b->type);
                __int128 ak = n->kd < 0 ? -n->kd : n->kd;
                /* iparam[0]: no product of an int64 and k reaches 10^p */
                n->iparam[0] = ak == 0 || (eddy_dec_pow10[p] - 1) / ak >= ((__int128)1 << 63);
                n->run = dmul_i64_k;
                return 0;
            }
        }
        for (int k = 0; k < 2; k++) {
            xnode *kd = n->kid[k];
            if (kd->phys != EDDY_PHYS_DEC) {
                const eddy_sqltype *dt;
                if (is_int_kind(kd->type->kind))
                    dt = xc_type(c, EDDY_TYPE_DECIMAL, eddy_dec_int_precision(kd->type->kind), 0);
                else
                    dt = xc_type(c, EDDY_TYPE_DECIMAL, EDDY_DEC_MAX_PRECISION, rs);
                n->kid[k] = xc_coerce(c, kd, dt);
                if (!n->kid[k]) return c->err->code;
            }
        }
        switch (op) {
        case EDDY_BOP_ADD: n->iparam[0] = EDDY_DEC_ADD; break;
        case EDDY_BOP_SUB: n->iparam[0] = EDDY_DEC_SUB; break;
        case EDDY_BOP_MUL: n->iparam[0] = EDDY_DEC_MUL; break;
        case EDDY_BOP_DIV: n->iparam[0] = EDDY_DEC_DIV; n->can_fail = true; break;
        case EDDY_BOP_MOD: n->iparam[0] = EDDY_DEC_MOD; n->can_fail = true; break;
        default: return xc_error(c, n, EDDY_EUNSUPPORTED, "unsupported DECIMAL operator");
        }
        n->run = darith_cc;
        return 0;
    }
    default: break;
    }
    return xc_error(c, n, EDDY_EUNSUPPORTED, "cannot apply arithmetic to %s and %s giving %s",
                    xn_type_name(n->kid[0]->type), xn_type_name(n->kid[1]->type), xn_type_name(t));
}

static int compile_compare(xcomp *c, xnode *n)
{
    const eddy_sqltype *ct = xc_common_type(c, n->kid[0]->type, n->kid[1]->type);
    for (int k = 0; k < 2; k++) {
        n->kid[k] = xc_coerce(c, n->kid[k], ct);
        if (!n->kid[k]) return c->err->code;
    }
    if (n->kid[0]->phys != n->kid[1]->phys)
        return xc_error(c, n, EDDY_EUNSUPPORTED, "cannot compare %s with %s", xn_type_name(n->kid[0]->type),
                        xn_type_name(n->kid[1]->type));
    int op;
    switch (n->e->op) {
    case EDDY_BOP_EQ: op = CMP_EQ; break;
    case EDDY_BOP_NE: op = CMP_NE; break;
    case EDDY_BOP_LT: op = CMP_LT; break;
    case EDDY_BOP_LE: op = CMP_LE; break;
    case EDDY_BOP_GT: op = CMP_GT; break;
    case EDDY_BOP_GE: op = CMP_GE; break;
    default: return xc_error(c, n, EDDY_EUNSUPPORTED, "unknown comparison");
    }
    return pick_compare(c, n, op);
}

/* A rough cost per row of evaluating k (0 for columns and constants, ~1 for a comparison, 20+
 * for regular expressions), used to order AND/OR operands and to decide whether evaluating an
 * operand for rows that do not need it is cheaper than selecting the rows that do. */
static int node_cost(const xnode *k)
{
    if (k->is_col || k->is_const) return 0;
    int own;
    if (!k->e) own = 2; /* an implicit cast */
    else {
        switch (k->e->kind) {
        case EDDY_BEXPR_COMPARE:
        case EDDY_BEXPR_NOT:
        case EDDY_BEXPR_IS:
        case EDDY_BEXPR_DISTINCT:
        case EDDY_BEXPR_ARITH:
        case EDDY_BEXPR_AND:
        case EDDY_BEXPR_OR: own = 1; break;
        case EDDY_BEXPR_IN: own = 2; break;
        case EDDY_BEXPR_CASE:
        case EDDY_BEXPR_CAST:
        case EDDY_BEXPR_CONCAT: own = 3; break;
        case EDDY_BEXPR_LIKE: own = 8; break;
        case EDDY_BEXPR_CALL:
            switch (k->e->fn) {
            case EDDY_FN_LOWER:
            case EDDY_FN_UPPER:
            case EDDY_FN_CHAR_LENGTH:
            case EDDY_FN_CHARACTER_LENGTH:
            case EDDY_FN_SUBSTRING:
            case EDDY_FN_SUBSTR:
            case EDDY_FN_TRIM:
            case EDDY_FN_LTRIM:
            case EDDY_FN_RTRIM:
            case EDDY_FN_MOD:
            case EDDY_FN_ABS:
            case EDDY_FN_COALESCE:
            case EDDY_FN_IFNULL:
            case EDDY_FN_IF: own = 2; break;
            case EDDY_FN_REGEXP:
            case EDDY_FN_REGEXP_EXTRACT:
            case EDDY_FN_REGEXP_REPLACE:
            case EDDY_FN_JSON_VALUE: own = 30; break;
            default: own = 6; break;
            }
            break;
        default: own = 6; break;
        }
    }
    if (k->shared) return own; /* computed once for every row anyway */
    for (int j = 0; j < k->nkid; j++) own += node_cost(k->kid[j]);
    return own;
}

/* Whether evaluating k for rows that do not need it is harmless and cheap. */
static bool cheap_and_safe(const xnode *k)
{
    if (k->can_fail) return false;
    if (k->lazy && !k->is_const) return false;
    return node_cost(k) <= 4;
}

static int compile_andor(xcomp *c, xnode *n, bool is_and)
{
    n->iparam[0] = is_and;
    for (int k = 0; k < n->nkid; k++)
        if (!bool_type_ok(n->kid[k]))
            return xc_error(c, n->kid[k], EDDY_EUNSUPPORTED, "%s needs BOOLEAN operands", is_and ? "AND" : "OR");
    for (int k = 0; k < n->nkid; k++) {
        n->kid[k] = xc_coerce(c, n->kid[k], n->type);
        if (!n->kid[k]) return c->err->code;
    }
    bool eager = true, fixed = false;
    for (int k = 0; k < n->nkid; k++) fixed |= n->kid[k]->can_fail || n->kid[k]->nondet;
    if (!fixed) {
        /* no operand can raise an error, so their order is free (AND and OR are commutative in
         * three-valued logic too): cheap ones first, so that the expensive ones (a regex) only
         * see the rows the cheap ones left undecided. Stable: equal costs keep their order. */
        xnode **sorted = eddy_arena_alloc(c->arena, sizeof(xnode *) * (size_t)n->nkid);
        int *cost = eddy_arena_alloc(c->arena, sizeof(int) * (size_t)n->nkid);
        for (int k = 0; k < n->nkid; k++) {
            int ck = node_cost(n->kid[k]), j = k;
            while (j > 0 && cost[j - 1] > ck) {
                sorted[j] = sorted[j - 1];
                cost[j] = cost[j - 1];
                j--;
            }
            sorted[j] = n->kid[k];
            cost[j] = ck;
        }
        n->kid = sorted;
    }
    for (int k = 1; k < n->nkid; k++) eager &= cheap_and_safe(n->kid[k]);
    if (eager) n->run = andor_eager;
    else {
        n->run = andor_lazy;
        n->lazy = true;
    }
    return 0;
}

static int compile_case(xcomp *c, xnode *n)
{
    const eddy_bexpr *e = n->e;
    int nw = e->has_else ? (n->nkid - 1) / 2 : n->nkid / 2;
    n->iparam[0] = nw;
    n->iparam[1] = e->has_else;
    for (int w = 0; w < nw; w++) {
        xnode *wk = n->kid[2 * w];
        if (!bool_type_ok(wk)) return xc_error(c, wk, EDDY_EUNSUPPORTED, "CASE WHEN needs a BOOLEAN condition");
        if (wk->is_const && wk->cval.null) {
            eddy_value f = {.null = false, .u.b = false};
            n->kid[2 * w] = xc_const(c, xc_type(c, EDDY_TYPE_BOOLEAN, -1, -1), &f, wk);
        }
        n->kid[2 * w + 1] = xc_coerce(c, n->kid[2 * w + 1], n->type);
        if (!n->kid[2 * w + 1]) return c->err->code;
    }
    if (e->has_else) {
        n->kid[2 * nw] = xc_coerce(c, n->kid[2 * nw], n->type);
        if (!n->kid[2 * nw]) return c->err->code;
    }
    n->run = case_run;
    n->lazy = true;
    return 0;
}

static int compile_conditional(xcomp *c, xnode *n, eddy_fn fn)
{
    switch (fn) {
    case EDDY_FN_COALESCE:
    case EDDY_FN_IFNULL:
        for (int k = 0; k < n->nkid; k++) {
            n->kid[k] = xc_coerce(c, n->kid[k], n->type);
            if (!n->kid[k]) return c->err->code;
        }
        n->run = coalesce_run;
        n->lazy = true;
        return 0;
    case EDDY_FN_IF:
        if (!bool_type_ok(n->kid[0])) return xc_error(c, n, EDDY_EUNSUPPORTED, "IF needs a BOOLEAN condition");
        for (int k = 1; k < 3; k++) {
            n->kid[k] = xc_coerce(c, n->kid[k], n->type);
            if (!n->kid[k]) return c->err->code;
        }
        n->iparam[0] = 1;
        n->iparam[1] = 1;
        n->run = case_run;
        n->lazy = true;
        return 0;
    case EDDY_FN_NULLIF: {
        xnode *a = n->kid[0], *b = n->kid[1];
        const eddy_sqltype *ct = xc_common_type(c, a->type, b->type);
        xnode **k3 = eddy_arena_zalloc(c->arena, 3 * sizeof(xnode *));
        k3[0] = xc_coerce(c, a, ct);
        k3[1] = xc_coerce(c, b, ct);
        k3[2] = xc_coerce(c, a, n->type);
        if (!k3[0] || !k3[1] || !k3[2]) return c->err->code;
        if (k3[0]->phys != k3[1]->phys) return xc_error(c, n, EDDY_EUNSUPPORTED, "NULLIF of incomparable types");
        n->kid = k3;
        n->nkid = 3;
        n->run = nullif_run;
        n->lazy = true;
        return 0;
    }
    case EDDY_FN_GREATEST:
    case EDDY_FN_LEAST:
        for (int k = 0; k < n->nkid; k++) {
            n->kid[k] = xc_coerce(c, n->kid[k], n->type);
            if (!n->kid[k]) return c->err->code;
        }
        n->iparam[0] = fn == EDDY_FN_GREATEST ? 1 : -1;
        n->run = greatest_run;
        return 0;
    default: return xc_error(c, n, EDDY_EUNSUPPORTED, "unknown conditional function");
    }
}

static bool is_conditional_fn(eddy_fn fn)
{
    return fn == EDDY_FN_COALESCE || fn == EDDY_FN_IF || fn == EDDY_FN_NULLIF || fn == EDDY_FN_IFNULL ||
           fn == EDDY_FN_GREATEST || fn == EDDY_FN_LEAST;
}

/* Structural equality of two bexprs (for sharing equal subexpressions). */
static bool type_equal(const eddy_sqltype *a, const eddy_sqltype *b)
{
    if (a == b) return true;
    if (!a || !b) return false;
    return a->kind == b->kind && a->precision == b->precision && a->scale == b->scale && a->from == b->from &&
           a->to == b->to;
}

static bool bexpr_equal(const eddy_bexpr *a, const eddy_bexpr *b)
{
    if (a == b) return true;
    if (a->kind != b->kind || a->nargs != b->nargs || !type_equal(a->type, b->type)) return false;
    switch (a->kind) {
    case EDDY_BEXPR_CONST: {
        if (a->value.null != b->value.null) return false;
        if (a->value.null) return true;
        switch (eddy_phys_of(a->type)) {
        case EDDY_PHYS_BOOL: return a->value.u.b == b->value.u.b;
        case EDDY_PHYS_I64: return a->value.u.i == b->value.u.i;
        case EDDY_PHYS_F64: return memcmp(&a->value.u.f, &b->value.u.f, sizeof(double)) == 0;
        case EDDY_PHYS_DEC: return a->value.u.dec == b->value.u.dec;
        case EDDY_PHYS_STR:
            return a->value.u.s.n == b->value.u.s.n &&
                   (a->value.u.s.n == 0 || memcmp(a->value.u.s.p, b->value.u.s.p, a->value.u.s.n) == 0);
        }
        return false;
    }
    case EDDY_BEXPR_COLUMN: return a->column == b->column;
    default: break;
    }
    if (a->op != b->op || a->fn != b->fn || a->unit != b->unit || a->is_what != b->is_what ||
        a->negated != b->negated || a->similar != b->similar || a->has_else != b->has_else ||
        a->try_cast != b->try_cast)
        return false;
    for (int i = 0; i < a->nargs; i++)
        if (!bexpr_equal(a->args[i], b->args[i])) return false;
    return true;
}

static xnode *memo_find(xcomp *c, const eddy_bexpr *e)
{
    for (int i = 0; i < c->nmemo; i++)
        if (bexpr_equal(c->memo_e[i], e)) return c->memo_n[i];
    return NULL;
}

static void memo_add(xcomp *c, const eddy_bexpr *e, xnode *n)
{
    if (c->nmemo == c->cmemo) {
        c->cmemo = c->cmemo ? 2 * c->cmemo : 16;
        c->memo_e = eddy_xrealloc(c->memo_e, sizeof(*c->memo_e) * (size_t)c->cmemo);
        c->memo_n = eddy_xrealloc(c->memo_n, sizeof(*c->memo_n) * (size_t)c->cmemo);
    }
    c->memo_e[c->nmemo] = e;
    c->memo_n[c->nmemo] = n;
    c->nmemo++;
}

static int compile_kind(xcomp *c, xnode *n)
{
    const eddy_bexpr *e = n->e;
    switch (e->kind) {
    case EDDY_BEXPR_ARITH: return compile_arith(c, n);
    case EDDY_BEXPR_COMPARE: return compile_compare(c, n);
    case EDDY_BEXPR_AND: return compile_andor(c, n, true);
    case EDDY_BEXPR_OR: return compile_andor(c, n, false);
    case EDDY_BEXPR_NOT:
        if (!bool_type_ok(n->kid[0])) return xc_error(c, n, EDDY_EUNSUPPORTED, "NOT needs a BOOLEAN operand");
        n->kid[0] = xc_coerce(c, n->kid[0], n->type);
        if (!n->kid[0]) return c->err->code;
        n->run = not_run;
        return 0;
    case EDDY_BEXPR_IS:
        n->iparam[0] = e->is_what;
        n->iparam[1] = e->negated;
        if (e->is_what != 0 && e->is_what != 3 && !bool_type_ok(n->kid[0]))
            return xc_error(c, n, EDDY_EUNSUPPORTED, "IS TRUE/FALSE needs a BOOLEAN operand");
        if (e->is_what != 0 && e->is_what != 3) {
            n->kid[0] = xc_coerce(c, n->kid[0], n->type);
            if (!n->kid[0]) return c->err->code;
        }
        n->run = is_run;
        return 0;
    case EDDY_BEXPR_DISTINCT: {
        const eddy_sqltype *ct = xc_common_type(c, n->kid[0]->type, n->kid[1]->type);
        for (int k = 0; k < 2; k++) {
            n->kid[k] = xc_coerce(c, n->kid[k], ct);
            if (!n->kid[k]) return c->err->code;
        }
        if (n->kid[0]->phys != n->kid[1]->phys)
            return xc_error(c, n, EDDY_EUNSUPPORTED, "cannot compare %s with %s", xn_type_name(n->kid[0]->type),
                            xn_type_name(n->kid[1]->type));
        n->iparam[1] = e->negated;
        n->run = distinct_run;
        return 0;
    }
    case EDDY_BEXPR_IN: return compile_in(c, n);
    case EDDY_BEXPR_LIKE: return xf_like_compile(c, n, e->similar);
    case EDDY_BEXPR_CASE: return compile_case(c, n);
    case EDDY_BEXPR_CAST: return xcast_compile(c, n, e->try_cast);
    case EDDY_BEXPR_CONCAT: return xf_string_compile(c, n, EDDY_FN_CONCAT);
    case EDDY_BEXPR_CALL:
        if (is_conditional_fn(e->fn)) return compile_conditional(c, n, e->fn);
        if (xf_is_string_fn(e->fn)) return xf_string_compile(c, n, e->fn);
        if (xf_is_time_fn(e->fn)) return xf_time_compile(c, n, e->fn);
        if (xf_is_math_fn(e->fn)) return xf_math_compile(c, n, e->fn);
        return xc_error(c, n, EDDY_EUNSUPPORTED, "function %d is not supported", (int)e->fn);
    default: return xc_error(c, n, EDDY_EUNSUPPORTED, "unsupported expression kind %d", (int)e->kind);
    }
}

static xnode *compile(xcomp *c, const eddy_bexpr *e)
{
    if (e && !e->type && e->kind == EDDY_BEXPR_CONST) {
        /* an untyped constant (a time unit placeholder of EXTRACT(unit FROM x)): a NULL */
        eddy_value v = {.null = true};
        return xc_const(c, xc_type(c, EDDY_TYPE_NULL, -1, -1), &v, NULL);
    }
    if (!e || !e->type) {
        eddy_error_set(c->err, EDDY_EPLAN, e ? e->line : 0, e ? e->col : 0, "expression without a type");
        return NULL;
    }
    if (e->kind == EDDY_BEXPR_CONST) {
        xnode *n = xc_const(c, e->type, &e->value, NULL);
        n->e = e;
        n->line = e->line;
        n->col = e->col;
        return n;
    }
    if (e->kind == EDDY_BEXPR_COLUMN) {
        xnode *n = xc_node(c, e, 0);
        n->is_col = true;
        n->column = e->column;
        return n;
    }
    xnode *m = memo_find(c, e);
    if (m && !m->can_fail && !m->nondet) {
        if (!m->is_const && !m->is_col) m->shared = true;
        return m;
    }
    xnode *n = xc_node(c, e, e->nargs);
    for (int i = 0; i < e->nargs; i++) {
        n->kid[i] = compile(c, e->args[i]);
        if (!n->kid[i]) return NULL;
    }
    if (compile_kind(c, n)) return NULL;
    if (c->err->code) return NULL;
    /* a kernel may have replaced the node by an operand (a cast that changes nothing) */
    if (n->alias) return n->alias;
    for (int k = 0; k < n->nkid; k++) {
        n->can_fail |= n->kid[k]->can_fail;
        n->nondet |= n->kid[k]->nondet;
    }
    n = fold(c, n);
    memo_add(c, e, n);
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* Public API                                                                                 */

eddy_expr_prog *eddy_expr_compile(const eddy_bexpr *e, eddy_error *err)
{
    eddy_expr_prog *p = eddy_xcalloc(1, sizeof *p);
    p->arena = eddy_arena_new(0);
    eddy_error lerr;
    eddy_error_clear(&lerr);
    xcomp c = {.arena = p->arena, .err = err ? err : &lerr};
    xnode *root = compile(&c, e);
    p->all = c.all;
    free(c.memo_e);
    free(c.memo_n);
    if (!root) {
        if (!c.err->code) eddy_error_set(c.err, EDDY_EPLAN, e ? e->line : 0, e ? e->col : 0, "cannot compile expression");
        eddy_expr_free(p);
        return NULL;
    }
    if (root->shared) {
        /* the whole expression also appears inside itself? cannot happen; be safe */
        root->shared = false;
    }
    root->root = true;
    p->root = root;
    p->type = e->type;
    return p;
}

int eddy_expr_eval(eddy_expr_prog *p, const eddy_batch *b, const eddy_expr_ctx *ctx, eddy_col *out,
                   eddy_arena *arena, eddy_error *err)
{
    static const eddy_expr_ctx zero_ctx = {0, INT64_MIN};
    eddy_error lerr;
    eddy_error_clear(&lerr);
    xeval ev = {.b = b, .ctx = ctx ? ctx : &zero_ctx, .arena = arena, .err = err ? err : &lerr, .n = b->n,
                .gen = ++p->gen};
    int rc = xn_eval(p->root, &ev, NULL);
    if (rc) {
        if (!ev.err->code) eddy_error_set(ev.err, rc, p->root->line, p->root->col, "%s", eddy_strerror(rc));
        return rc;
    }
    *out = p->root->out;
    if (p->root->is_col) *out = b->cols[p->root->column];
    out->type = p->type;
    out->phys = eddy_phys_of(p->type);
    return 0;
}

void eddy_expr_free(eddy_expr_prog *p)
{
    if (!p) return;
    for (xnode *n = p->all; n; n = n->next_all) {
        free(n->vbuf);
        free(n->nbuf);
        free(n->sbuf);
        if (n->aux && n->aux_free) n->aux_free(n->aux);
    }
    eddy_arena_destroy(p->arena);
    free(p);
}
