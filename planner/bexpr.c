/*
 * bexpr.c: making, comparing, copying and rewriting typed expressions (plan.h eddy_bexpr).
 *
 * Casts of constants fold here (CAST(5 AS BIGINT) is the constant 5 of type BIGINT), so that a
 * comparison like `event_type = 2` stays a column against a constant of the column's type,
 * which is what a source can take as a pushed filter. Casts that could fail (a string that is
 * not a number, an integer out of range) are left to the runtime, which reports them with
 * their position.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/decimal.h"
#include "../common/timeutil.h"
#include "binder.h"
#include "ptype.h"

eddy_bexpr *bx_new(eddy_arena *a, eddy_bexpr_kind kind, const eddy_sqltype *type, eddy_pos pos, int nargs)
{
    eddy_bexpr *e = eddy_arena_zalloc(a, sizeof *e);
    e->kind = kind;
    e->type = type;
    e->line = pos.line;
    e->col = pos.col;
    e->column = -1;
    if (nargs > 0) {
        e->args = eddy_arena_zalloc(a, sizeof *e->args * (size_t)nargs);
        e->nargs = nargs;
    }
    return e;
}

eddy_bexpr *bx_col(eddy_arena *a, int column, const eddy_sqltype *type)
{
    eddy_pos p = {0, 0, 0};
    eddy_bexpr *e = bx_new(a, EDDY_BEXPR_COLUMN, type, p, 0);
    e->column = column;
    return e;
}

eddy_bexpr *bx_null(eddy_arena *a, const eddy_sqltype *type)
{
    eddy_pos p = {0, 0, 0};
    eddy_bexpr *e = bx_new(a, EDDY_BEXPR_CONST, pt_with_null(a, type, false), p, 0);
    e->value.null = true;
    return e;
}

eddy_bexpr *bx_bool(eddy_arena *a, bool v)
{
    eddy_pos p = {0, 0, 0};
    eddy_bexpr *e = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_BOOLEAN, -1, -1, true), p, 0);
    e->value.u.b = v;
    return e;
}

eddy_bexpr *bx_int(eddy_arena *a, eddy_type_kind k, int64_t v)
{
    eddy_pos p = {0, 0, 0};
    eddy_bexpr *e = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, k, -1, -1, true), p, 0);
    e->value.u.i = v;
    return e;
}

static bool int_fits(eddy_type_kind k, int64_t v)
{
    switch (k) {
    case EDDY_TYPE_TINYINT: return v >= INT8_MIN && v <= INT8_MAX;
    case EDDY_TYPE_SMALLINT: return v >= INT16_MIN && v <= INT16_MAX;
    case EDDY_TYPE_INT: return v >= INT32_MIN && v <= INT32_MAX;
    default: return true;
    }
}

/* Folds CAST(constant e AS t) into *out; false when it cannot be done at plan time. */
static bool fold_cast(const eddy_bexpr *e, const eddy_sqltype *t, eddy_value *out)
{
    const eddy_sqltype *f = e->type;
    const eddy_value *v = &e->value;
    memset(out, 0, sizeof *out);
    if (v->null) {
        out->null = true;
        return true;
    }
    if (pt_is_integer(f)) {
        if (pt_is_integer(t)) {
            if (!int_fits(t->kind, v->u.i)) return false;
            out->u.i = v->u.i;
            return true;
        }
        if (pt_is_approx(t)) {
            out->u.f = (double)v->u.i;
            return true;
        }
        if (t->kind == EDDY_TYPE_DECIMAL) {
            int p, s;
            pt_decimal_of(t, &p, &s);
            return eddy_dec_from_i64(v->u.i, p, s, &out->u.dec) == EDDY_DEC_OK;
        }
        return false;
    }
    if (f->kind == EDDY_TYPE_DECIMAL) {
        int pf, sf, p, s;
        pt_decimal_of(f, &pf, &sf);
        if (t->kind == EDDY_TYPE_DECIMAL) {
            pt_decimal_of(t, &p, &s);
            return eddy_dec_rescale(v->u.dec, sf, p, s, &out->u.dec) == EDDY_DEC_OK;
        }
        if (pt_is_approx(t)) {
            out->u.f = eddy_dec_to_double(v->u.dec, sf);
            return true;
        }
        return false;
    }
    if (pt_is_approx(f)) {
        if (pt_is_approx(t)) {
            out->u.f = t->kind == EDDY_TYPE_FLOAT ? (double)(float)v->u.f : v->u.f;
            return true;
        }
        if (t->kind == EDDY_TYPE_DECIMAL) {
            int p, s;
            pt_decimal_of(t, &p, &s);
            return eddy_dec_from_double(v->u.f, p, s, &out->u.dec) == EDDY_DEC_OK;
        }
        return false;
    }
    if (pt_is_char(f)) {
        const char *s = v->u.s.p;
        size_t n = v->u.s.n;
        if (pt_is_char(t)) {
            if (t->precision > 0 && (int)n > t->precision) return false;
            *out = *v;
            return true;
        }
        if (t->kind == EDDY_TYPE_TIMESTAMP || t->kind == EDDY_TYPE_TIMESTAMP_LTZ)
            return eddy_ts_parse_lenient(s, n, &out->u.i) == 0;
        if (t->kind == EDDY_TYPE_DATE) {
            int32_t d;
            if (eddy_date_parse(s, n, &d) != 0) return false;
            out->u.i = d;
            return true;
        }
        if (t->kind == EDDY_TYPE_TIME) {
            int32_t ms;
            if (eddy_time_parse(s, n, &ms) != 0) return false;
            out->u.i = ms;
            return true;
        }
        return false;
    }
    if (pt_is_timestamp(f) && pt_is_timestamp(t) && f->kind == t->kind) {
        out->u.i = v->u.i;
        return true;
    }
    if (f->kind == EDDY_TYPE_INTERVAL && t->kind == EDDY_TYPE_INTERVAL) {
        bool mf = eddy_interval_is_months(f->from), mt = eddy_interval_is_months(t->from);
        if (mf != mt) return false;
        out->u.i = v->u.i;
        return true;
    }
    if (f->kind == EDDY_TYPE_BOOLEAN && t->kind == EDDY_TYPE_BOOLEAN) {
        out->u.b = v->u.b;
        return true;
    }
    return false;
}

eddy_bexpr *bx_cast(eddy_arena *a, eddy_bexpr *e, const eddy_sqltype *t)
{
    if (pt_equal(e->type, t, false)) return e;
    eddy_pos pos = {e->line, e->col, 0};
    if (e->kind == EDDY_BEXPR_CONST) {
        eddy_value v;
        if (fold_cast(e, t, &v)) {
            eddy_bexpr *c = bx_new(a, EDDY_BEXPR_CONST, pt_with_null(a, t, !v.null), pos, 0);
            c->value = v;
            return c;
        }
    }
    eddy_bexpr *c = bx_new(a, EDDY_BEXPR_CAST, pt_with_null(a, t, e->type->not_null), pos, 1);
    c->args[0] = e;
    return c;
}

eddy_bexpr *bx_and(eddy_arena *a, eddy_bexpr *x, eddy_bexpr *y)
{
    if (!x) return y;
    if (!y) return x;
    int n = (x->kind == EDDY_BEXPR_AND ? x->nargs : 1) + (y->kind == EDDY_BEXPR_AND ? y->nargs : 1);
    eddy_pos pos = {x->line, x->col, 0};
    eddy_bexpr *r = bx_new(a, EDDY_BEXPR_AND,
                           pt_new(a, EDDY_TYPE_BOOLEAN, -1, -1, x->type->not_null && y->type->not_null), pos, n);
    int k = 0;
    const eddy_bexpr *both[2] = {x, y};
    for (int i = 0; i < 2; i++) {
        const eddy_bexpr *s = both[i];
        if (s->kind == EDDY_BEXPR_AND)
            for (int j = 0; j < s->nargs; j++) r->args[k++] = s->args[j];
        else
            r->args[k++] = (eddy_bexpr *)s;
    }
    return r;
}

static bool value_equal(const eddy_sqltype *t, const eddy_value *x, const eddy_value *y)
{
    if (x->null || y->null) return x->null == y->null;
    switch (t->kind) {
    case EDDY_TYPE_BOOLEAN: return x->u.b == y->u.b;
    case EDDY_TYPE_FLOAT:
    case EDDY_TYPE_DOUBLE: return memcmp(&x->u.f, &y->u.f, sizeof(double)) == 0;
    case EDDY_TYPE_DECIMAL: return x->u.dec == y->u.dec;
    case EDDY_TYPE_CHAR:
    case EDDY_TYPE_VARCHAR:
    case EDDY_TYPE_BINARY:
    case EDDY_TYPE_VARBINARY:
        return x->u.s.n == y->u.s.n && (x->u.s.n == 0 || memcmp(x->u.s.p, y->u.s.p, x->u.s.n) == 0);
    case EDDY_TYPE_NULL: return true;
    default: return x->u.i == y->u.i;
    }
}

bool bx_equal(const eddy_bexpr *x, const eddy_bexpr *y)
{
    if (x == y) return true;
    if (!x || !y) return false;
    if (x->kind != y->kind || x->nargs != y->nargs) return false;
    if (!pt_equal(x->type, y->type, false)) return false;
    switch (x->kind) {
    case EDDY_BEXPR_CONST:
        if (!value_equal(x->type, &x->value, &y->value)) return false;
        break;
    case EDDY_BEXPR_COLUMN:
        if (x->column != y->column) return false;
        break;
    default: break;
    }
    if (x->op != y->op || x->fn != y->fn || x->unit != y->unit || x->is_what != y->is_what ||
        x->negated != y->negated || x->similar != y->similar || x->has_else != y->has_else ||
        x->try_cast != y->try_cast)
        return false;
    for (int i = 0; i < x->nargs; i++)
        if (!bx_equal(x->args[i], y->args[i])) return false;
    return true;
}

void bx_uses(const eddy_bexpr *e, bool *used)
{
    if (!e) return;
    if (e->kind == EDDY_BEXPR_COLUMN) used[e->column] = true;
    for (int i = 0; i < e->nargs; i++) bx_uses(e->args[i], used);
}

bool bx_is_constant(const eddy_bexpr *e)
{
    if (e->kind == EDDY_BEXPR_COLUMN) return false;
    if (e->kind == EDDY_BEXPR_CALL &&
        (e->fn == EDDY_FN_RAND || e->fn == EDDY_FN_PROCTIME || e->fn == EDDY_FN_CURRENT_WATERMARK))
        return false;
    for (int i = 0; i < e->nargs; i++)
        if (!bx_is_constant(e->args[i])) return false;
    return true;
}

bool bx_nondeterministic(const eddy_bexpr *e)
{
    if (e->kind == EDDY_BEXPR_CALL && e->fn == EDDY_FN_RAND) return true;
    for (int i = 0; i < e->nargs; i++)
        if (bx_nondeterministic(e->args[i])) return true;
    return false;
}

eddy_bexpr *bx_copy(eddy_arena *a, const eddy_bexpr *e)
{
    eddy_bexpr *c = eddy_arena_alloc(a, sizeof *c);
    *c = *e;
    if (e->nargs > 0) {
        c->args = eddy_arena_alloc(a, sizeof *c->args * (size_t)e->nargs);
        for (int i = 0; i < e->nargs; i++) c->args[i] = bx_copy(a, e->args[i]);
    }
    return c;
}

eddy_bexpr *bx_remap(eddy_arena *a, const eddy_bexpr *e, const int *map)
{
    eddy_bexpr *c = eddy_arena_alloc(a, sizeof *c);
    *c = *e;
    if (e->kind == EDDY_BEXPR_COLUMN) c->column = map[e->column];
    if (e->nargs > 0) {
        c->args = eddy_arena_alloc(a, sizeof *c->args * (size_t)e->nargs);
        for (int i = 0; i < e->nargs; i++) c->args[i] = bx_remap(a, e->args[i], map);
    }
    return c;
}

eddy_bexpr *bx_subst(eddy_arena *a, const eddy_bexpr *e, eddy_bexpr *const *exprs)
{
    if (e->kind == EDDY_BEXPR_COLUMN) {
        eddy_bexpr *c = bx_copy(a, exprs[e->column]);
        /* keep the position of the reference when the replacement has none */
        if (!c->line) {
            c->line = e->line;
            c->col = e->col;
        }
        return c;
    }
    eddy_bexpr *c = eddy_arena_alloc(a, sizeof *c);
    *c = *e;
    if (e->nargs > 0) {
        c->args = eddy_arena_alloc(a, sizeof *c->args * (size_t)e->nargs);
        for (int i = 0; i < e->nargs; i++) c->args[i] = bx_subst(a, e->args[i], exprs);
    }
    /* a cast that now has a constant operand folds (a UNION's cast of a literal column) */
    if (c->kind == EDDY_BEXPR_CAST && !c->try_cast && c->args[0]->kind == EDDY_BEXPR_CONST) {
        eddy_value v;
        if (fold_cast(c->args[0], c->type, &v)) {
            eddy_pos pos = {c->line, c->col, 0};
            eddy_bexpr *k = bx_new(a, EDDY_BEXPR_CONST, pt_with_null(a, c->type, !v.null), pos, 0);
            k->value = v;
            return k;
        }
    }
    return c;
}
