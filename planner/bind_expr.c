/*
 * bind_expr.c: binding expressions: names to columns, literals to typed constants, operators
 * to typed eddy_bexpr nodes with Flink's typing rules (see binder.h; functions are in
 * binder_functions.c, aggregates in bind_query.c).
 *
 * Typing rules, as Flink's:
 *   literals   123 INT (BIGINT when it does not fit, DECIMAL(p, 0) beyond), 1.5 DECIMAL(2, 1),
 *              1e3 DOUBLE, 'abc' CHAR(3) NOT NULL, TRUE BOOLEAN, NULL the NULL type,
 *              DATE/TIME/TIMESTAMP '...' and INTERVAL '...' unit as written.
 *   + - * / %  integers: the wider integer type (5 / 2 = 2); with a DECIMAL: DECIMAL by
 *              common/decimal.h (0.908 * price is DECIMAL(23, 3)); with FLOAT/DOUBLE: DOUBLE;
 *              TIMESTAMP/DATE/TIME +/- INTERVAL keeps its type; INTERVAL * number an INTERVAL.
 *   = <> < ... the operands are cast to their common type; a string literal compared with a
 *              date/time becomes a constant of that type; strings and numbers do not compare
 *              (an error with a hint to CAST, where Flink's implicit rules are murky).
 *   CASE, COALESCE, IN  the common type of the branches / values.
 *   NOT NULL   a result is NOT NULL when its operands are (COALESCE: when any is).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/decimal.h"
#include "../common/timeutil.h"
#include "binder.h"
#include "ptype.h"

int bind_error(binder *b, int code, eddy_pos pos, const char *fmt, ...)
{
    if (b->err->code) return b->err->code;
    char msg[EDDY_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return eddy_error_set(b->err, code, pos.line, pos.col, "%s", msg);
}

static eddy_pos bpos(const eddy_bexpr *e)
{
    eddy_pos p = {e->line, e->col, 0};
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* Names                                                                                     */

static bool path_is(const bcol *c, const eddy_ident *parts, int n)
{
    if (c->npath != n) return false;
    for (int i = 0; i < n; i++)
        if (strcmp(c->path[i], parts[i].name) != 0) return false;
    return true;
}

static bool has_qual(const bscope *sc, const char *q)
{
    for (int i = 0; i < sc->n; i++)
        if (sc->cols[i].qual && strcmp(sc->cols[i].qual, q) == 0) return true;
    return false;
}

/* Suggests a column name of the scope (qualifier q or any). */
static const char *suggest_column(binder *b, const bscope *sc, const char *q, const char *name)
{
    const char **cands = eddy_arena_alloc(b->a, sizeof *cands * (size_t)(sc->n + 1));
    int n = 0;
    for (int i = 0; i < sc->n; i++) {
        const bcol *c = &sc->cols[i];
        if (c->nested) continue;
        if (q && (!c->qual || strcmp(c->qual, q) != 0)) continue;
        cands[n++] = c->name;
    }
    return pl_suggest(name, cands, n);
}

static void not_found(binder *b, const bscope *sc, const char *q, const char *name, eddy_pos pos)
{
    const char *s = suggest_column(b, sc, q, name);
    char where[256];
    if (q) snprintf(where, sizeof where, "table '%s'", q);
    else snprintf(where, sizeof where, "any table");
    if (s)
        bind_error(b, EDDY_EBIND, pos, "column '%s' not found in %s; did you mean '%s'?", name, where, s);
    else
        bind_error(b, EDDY_EBIND, pos, "column '%s' not found in %s", name, where);
}

/* Looks parts[0..n) up as a path among the columns of qualifier q (or all when q is NULL).
 * Returns the column, NULL when absent; *ambiguous when several FROM items have it. */
static const bcol *find_path(const bscope *sc, const char *q, const eddy_ident *parts, int n, bool *ambiguous)
{
    const bcol *found = NULL;
    *ambiguous = false;
    for (int i = 0; i < sc->n; i++) {
        const bcol *c = &sc->cols[i];
        if (q && (!c->qual || strcmp(c->qual, q) != 0)) continue;
        if (!path_is(c, parts, n)) continue;
        if (found && found->index != c->index) *ambiguous = true;
        if (!found) found = c;
    }
    return found;
}

/* The error for path parts[0..np) whose first k parts name a column `row` that has no field
 * parts[k]: a missing field of a table's ROW column, a ROW column of a derived table (whose
 * fields eddy cannot read yet), or a column that is not a ROW at all. */
static void field_error(binder *b, const bscope *sc, const bcol *row, const eddy_ident *parts, int k)
{
    const eddy_sqltype *t = sc->node->out.fields[row->index].type;
    bool has_fields = false;
    for (int i = 0; i < sc->n && !has_fields; i++) {
        const bcol *f = &sc->cols[i];
        if (f->npath <= row->npath) continue;
        if (row->qual != f->qual && (!row->qual || !f->qual || strcmp(row->qual, f->qual) != 0)) continue;
        bool prefix = true;
        for (int j = 0; j < row->npath && prefix; j++) prefix = strcmp(f->path[j], row->path[j]) == 0;
        has_fields = prefix;
    }
    if (has_fields)
        bind_error(b, EDDY_EBIND, parts[k].pos, "field '%s' not found in '%s'", parts[k].name, row->name);
    else if (t->kind == EDDY_TYPE_ROW)
        bind_error(b, EDDY_EUNSUPPORTED, parts[k].pos,
                   "field '%s' of ROW column '%s': fields can only be read from a table's own ROW columns (select "
                   "them in the view or subquery instead)",
                   parts[k].name, row->name);
    else
        bind_error(b, EDDY_EBIND, parts[k].pos, "field '%s' not found: '%s' is %s, not a ROW", parts[k].name, row->name,
                   pt_str(t));
}

const bcol *bind_column(ectx *c, const eddy_name *n, eddy_pos pos)
{
    binder *b = c->b;
    const bscope *sc = c->sc;
    const eddy_ident *parts = n->parts;
    int np = n->nparts;
    bool amb;
    if (!sc) {
        bind_error(b, EDDY_EBIND, pos, "column '%s' not found (no FROM clause)", parts[0].name);
        return NULL;
    }
    if (np >= 2 && has_qual(sc, parts[0].name)) {
        const bcol *col = find_path(sc, parts[0].name, parts + 1, np - 1, &amb);
        if (col) return col;
        for (int k = np - 2; k >= 1; k--) {
            const bcol *row = find_path(sc, parts[0].name, parts + 1, k, &amb);
            if (row) {
                field_error(b, sc, row, parts + 1, k);
                return NULL;
            }
        }
        not_found(b, sc, parts[0].name, parts[1].name, parts[1].pos);
        return NULL;
    }
    const bcol *col = find_path(sc, NULL, parts, np, &amb);
    if (col) {
        if (amb) {
            bind_error(b, EDDY_EBIND, pos, "column '%s' is ambiguous: qualify it with its table", parts[np - 1].name);
            return NULL;
        }
        return col;
    }
    for (int k = np - 1; k >= 1; k--) {
        const bcol *row = find_path(sc, NULL, parts, k, &amb);
        if (row) {
            field_error(b, sc, row, parts, k);
            return NULL;
        }
    }
    if (np >= 2) {
        bind_error(b, EDDY_EBIND, pos, "table or column '%s' not found", parts[0].name);
        return NULL;
    }
    not_found(b, sc, NULL, parts[0].name, pos);
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Literals                                                                                  */

static int frac_digits(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot) return 0;
    int n = 0;
    for (const char *p = dot + 1; *p >= '0' && *p <= '9'; p++) n++;
    return n;
}

static eddy_bexpr *bind_literal(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    eddy_arena *a = b->a;
    const char *text = e->u.lit.text;
    eddy_bexpr *r;
    switch (e->u.lit.kind) {
    case EDDY_LIT_NULL:
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_NULL, -1, -1, false), e->pos, 0);
        r->value.null = true;
        return r;
    case EDDY_LIT_TRUE:
    case EDDY_LIT_FALSE:
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_BOOLEAN, -1, -1, true), e->pos, 0);
        r->value.u.b = e->u.lit.kind == EDDY_LIT_TRUE;
        return r;
    case EDDY_LIT_UNKNOWN:
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_BOOLEAN, -1, -1, false), e->pos, 0);
        r->value.null = true;
        return r;
    case EDDY_LIT_INTEGER: {
        errno = 0;
        char *end;
        long long v = strtoll(text, &end, 10);
        if (errno == 0 && *end == 0) {
            eddy_type_kind k = (v >= INT32_MIN && v <= INT32_MAX) ? EDDY_TYPE_INT : EDDY_TYPE_BIGINT;
            r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, k, -1, -1, true), e->pos, 0);
            r->value.u.i = v;
            return r;
        }
        size_t len = strlen(text);
        if (len > EDDY_DEC_MAX_PRECISION) {
            bind_error(b, EDDY_EBIND, e->pos, "number %s is out of range (DECIMAL has at most 38 digits)", text);
            return NULL;
        }
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_DECIMAL, (int)len, 0, true), e->pos, 0);
        if (eddy_dec_parse(text, len, (int)len, 0, &r->value.u.dec) != EDDY_DEC_OK) {
            bind_error(b, EDDY_EBIND, e->pos, "invalid number %s", text);
            return NULL;
        }
        return r;
    }
    case EDDY_LIT_DECIMAL: {
        int p, s;
        size_t len = strlen(text);
        if (eddy_dec_literal_type(text, len, &p, &s) != EDDY_DEC_OK) {
            bind_error(b, EDDY_EBIND, e->pos, "number %s is out of range (DECIMAL has at most 38 digits)", text);
            return NULL;
        }
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_DECIMAL, p, s, true), e->pos, 0);
        if (eddy_dec_parse(text, len, p, s, &r->value.u.dec) != EDDY_DEC_OK) {
            bind_error(b, EDDY_EBIND, e->pos, "invalid number %s", text);
            return NULL;
        }
        return r;
    }
    case EDDY_LIT_FLOAT:
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, true), e->pos, 0);
        r->value.u.f = strtod(text, NULL);
        return r;
    case EDDY_LIT_STRING: {
        size_t n = strlen(text);
        int chars = 0;
        for (size_t i = 0; i < n; i++) chars += ((unsigned char)text[i] & 0xC0) != 0x80;
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_CHAR, chars, -1, true), e->pos, 0);
        r->value.u.s.p = eddy_arena_strndup(a, text, n);
        r->value.u.s.n = (uint32_t)n;
        return r;
    }
    case EDDY_LIT_BINARY: {
        size_t n = strlen(text);
        if (n % 2) {
            bind_error(b, EDDY_EBIND, e->pos, "binary literal X'%s' needs an even number of hex digits", text);
            return NULL;
        }
        char *bytes = eddy_arena_alloc(a, n / 2 + 1);
        for (size_t i = 0; i < n / 2; i++) {
            char h[3] = {text[2 * i], text[2 * i + 1], 0};
            bytes[i] = (char)strtol(h, NULL, 16);
        }
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_BINARY, (int)(n / 2), -1, true), e->pos, 0);
        r->value.u.s.p = bytes;
        r->value.u.s.n = (uint32_t)(n / 2);
        return r;
    }
    case EDDY_LIT_DATE: {
        int32_t d;
        if (eddy_date_parse(text, strlen(text), &d) != 0) {
            bind_error(b, EDDY_EBIND, e->pos, "invalid DATE literal '%s' (expected yyyy-MM-dd)", text);
            return NULL;
        }
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_DATE, -1, -1, true), e->pos, 0);
        r->value.u.i = d;
        return r;
    }
    case EDDY_LIT_TIME: {
        int32_t ms;
        if (eddy_time_parse(text, strlen(text), &ms) != 0) {
            bind_error(b, EDDY_EBIND, e->pos, "invalid TIME literal '%s' (expected HH:mm:ss)", text);
            return NULL;
        }
        int p = frac_digits(text);
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, EDDY_TYPE_TIME, p > 3 ? 3 : p, -1, true), e->pos, 0);
        r->value.u.i = ms;
        return r;
    }
    case EDDY_LIT_TIMESTAMP:
    case EDDY_LIT_TIMESTAMP_LTZ: {
        int64_t ts;
        if (eddy_ts_parse_lenient(text, strlen(text), &ts) != 0) {
            bind_error(b, EDDY_EBIND, e->pos, "invalid TIMESTAMP literal '%s' (expected yyyy-MM-dd HH:mm:ss[.SSS])",
                       text);
            return NULL;
        }
        int p = frac_digits(text);
        eddy_type_kind k = e->u.lit.kind == EDDY_LIT_TIMESTAMP ? EDDY_TYPE_TIMESTAMP : EDDY_TYPE_TIMESTAMP_LTZ;
        r = bx_new(a, EDDY_BEXPR_CONST, pt_new(a, k, p, -1, true), e->pos, 0);
        r->value.u.i = ts;
        return r;
    }
    case EDDY_LIT_INTERVAL: {
        int64_t v;
        eddy_error ie;
        eddy_error_clear(&ie);
        eddy_time_unit from = e->u.lit.from, to = e->u.lit.to;
        int frac = to != EDDY_UNIT_NONE ? e->u.lit.to_precision : -1;
        if (eddy_interval_parse(text, strlen(text), from, e->u.lit.from_precision, to, frac, &v, &ie) != 0) {
            bind_error(b, EDDY_EBIND, e->pos, "%s", ie.msg);
            return NULL;
        }
        if (e->u.lit.negative) v = -v;
        eddy_sqltype *t = pt_new(a, EDDY_TYPE_INTERVAL, -1, -1, true);
        t->from = from;
        t->to = to;
        r = bx_new(a, EDDY_BEXPR_CONST, t, e->pos, 0);
        r->value.u.i = v;
        return r;
    }
    }
    bind_error(b, EDDY_EBIND, e->pos, "unknown literal");
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Operators                                                                                 */

static const char *op_sql(eddy_op op)
{
    return eddy_ast_op_sql(op);
}

static eddy_bop arith_bop(eddy_op op)
{
    switch (op) {
    case EDDY_OP_ADD: return EDDY_BOP_ADD;
    case EDDY_OP_SUB: return EDDY_BOP_SUB;
    case EDDY_OP_MUL: return EDDY_BOP_MUL;
    case EDDY_OP_DIV: return EDDY_BOP_DIV;
    default: return EDDY_BOP_MOD;
    }
}

static eddy_bop cmp_bop(eddy_op op)
{
    switch (op) {
    case EDDY_OP_EQ: return EDDY_BOP_EQ;
    case EDDY_OP_NE: return EDDY_BOP_NE;
    case EDDY_OP_LT: return EDDY_BOP_LT;
    case EDDY_OP_LE: return EDDY_BOP_LE;
    case EDDY_OP_GT: return EDDY_BOP_GT;
    default: return EDDY_BOP_GE;
    }
}

/* The result type of x op y for arithmetic, or NULL. */
static const eddy_sqltype *arith_type(eddy_arena *a, eddy_op op, const eddy_sqltype *x, const eddy_sqltype *y)
{
    bool nn = x->not_null && y->not_null;
    if (pt_is_null(x) && pt_is_null(y)) return NULL;
    if (pt_is_null(x)) x = y;
    if (pt_is_null(y)) y = x;
    if (pt_is_numeric(x) && pt_is_numeric(y)) {
        if (pt_is_integer(x) && pt_is_integer(y)) return pt_common(a, pt_with_null(a, x, nn), pt_with_null(a, y, nn));
        if (pt_is_approx(x) || pt_is_approx(y)) {
            bool f = (x->kind == EDDY_TYPE_FLOAT || pt_is_integer(x)) && (y->kind == EDDY_TYPE_FLOAT || pt_is_integer(y));
            return pt_new(a, f ? EDDY_TYPE_FLOAT : EDDY_TYPE_DOUBLE, -1, -1, nn);
        }
        int p1, s1, p2, s2, p, s;
        pt_decimal_of(x, &p1, &s1);
        pt_decimal_of(y, &p2, &s2);
        eddy_dec_op dop = op == EDDY_OP_ADD   ? EDDY_DEC_ADD
                          : op == EDDY_OP_SUB ? EDDY_DEC_SUB
                          : op == EDDY_OP_MUL ? EDDY_DEC_MUL
                          : op == EDDY_OP_DIV ? EDDY_DEC_DIV
                                              : EDDY_DEC_MOD;
        eddy_dec_result_type(dop, p1, s1, p2, s2, &p, &s);
        return pt_new(a, EDDY_TYPE_DECIMAL, p, s, nn);
    }
    if ((op == EDDY_OP_ADD || op == EDDY_OP_SUB) && pt_is_datetime(x) && pt_is_interval(y))
        return pt_with_null(a, x, nn);
    if (op == EDDY_OP_ADD && pt_is_interval(x) && pt_is_datetime(y)) return pt_with_null(a, y, nn);
    if ((op == EDDY_OP_ADD || op == EDDY_OP_SUB) && pt_is_interval(x) && pt_is_interval(y)) {
        const eddy_sqltype *t = pt_common(a, x, y);
        return t ? pt_with_null(a, t, nn) : NULL;
    }
    if ((op == EDDY_OP_MUL || op == EDDY_OP_DIV) && pt_is_interval(x) && pt_is_numeric(y))
        return pt_with_null(a, x, nn);
    if (op == EDDY_OP_MUL && pt_is_numeric(x) && pt_is_interval(y)) return pt_with_null(a, y, nn);
    return NULL;
}

static eddy_bexpr *bind_arith(ectx *c, const eddy_expr *e, eddy_bexpr *l, eddy_bexpr *r)
{
    binder *b = c->b;
    eddy_op op = e->u.binary.op;
    const eddy_sqltype *t = arith_type(b->a, op, l->type, r->type);
    if (!t) {
        if (pt_is_datetime(l->type) && pt_is_datetime(r->type) && op == EDDY_OP_SUB)
            bind_error(b, EDDY_EBIND, e->pos,
                       "cannot subtract %s from %s; use TIMESTAMPDIFF(unit, a, b) for the time between them",
                       pt_str(r->type), pt_str(l->type));
        else
            bind_error(b, EDDY_EBIND, e->pos, "cannot apply '%s' to %s and %s", op_sql(op), pt_str(l->type),
                       pt_str(r->type));
        return NULL;
    }
    /* a NULL operand takes the type of the other */
    if (pt_is_null(l->type)) l = bx_cast(b->a, l, pt_is_null(r->type) ? t : r->type);
    if (pt_is_null(r->type)) r = bx_cast(b->a, r, l->type);
    eddy_bexpr *x = bx_new(b->a, EDDY_BEXPR_ARITH, t, e->pos, 2);
    x->op = arith_bop(op);
    x->args[0] = l;
    x->args[1] = r;
    return x;
}

/* Whether numeric constant c is exactly representable in type t. */
static bool const_fits(const eddy_bexpr *c, const eddy_sqltype *t)
{
    const eddy_sqltype *ct = c->type;
    if (pt_is_approx(t)) return pt_is_integer(ct) && c->value.u.i > -(INT64_C(1) << 53) && c->value.u.i < (INT64_C(1) << 53);
    if (pt_is_integer(t)) {
        if (!pt_is_integer(ct)) return false;
        int64_t v = c->value.u.i;
        switch (t->kind) {
        case EDDY_TYPE_TINYINT: return v >= INT8_MIN && v <= INT8_MAX;
        case EDDY_TYPE_SMALLINT: return v >= INT16_MIN && v <= INT16_MAX;
        case EDDY_TYPE_INT: return v >= INT32_MIN && v <= INT32_MAX;
        default: return true;
        }
    }
    if (t->kind != EDDY_TYPE_DECIMAL) return false;
    int p, s, cp, cs;
    pt_decimal_of(t, &p, &s);
    pt_decimal_of(ct, &cp, &cs);
    if (cs > s) return false;
    __int128 v = pt_is_integer(ct) ? (__int128)c->value.u.i : c->value.u.dec;
    if (v < 0) v = -v;
    /* the integer digits must fit p - s */
    __int128 ip = v / eddy_dec_pow10[cs];
    return ip < eddy_dec_pow10[p - s];
}

/* Casts a and b to a type both compare as; NULL with an error when there is none. */
static bool coerce_pair(ectx *c, eddy_pos pos, const char *what, eddy_bexpr **pa, eddy_bexpr **pb)
{
    binder *b = c->b;
    eddy_bexpr *x = *pa, *y = *pb;
    /* a string literal against a date/time: read it as that type */
    for (int k = 0; k < 2; k++) {
        eddy_bexpr *s = k ? y : x, *o = k ? x : y;
        if (s->kind == EDDY_BEXPR_CONST && pt_is_char(s->type) && pt_is_datetime(o->type) && !s->value.null) {
            const eddy_sqltype *to = o->type;
            if (to->kind == EDDY_TYPE_DATE || to->kind == EDDY_TYPE_TIME || pt_is_timestamp(to)) {
                eddy_bexpr *v = bx_cast(b->a, s, pt_with_null(b->a, to, true));
                if (v->kind != EDDY_BEXPR_CONST) {
                    bind_error(b, EDDY_EBIND, bpos(s), "'%.*s' is not a valid %s", (int)s->value.u.s.n,
                               s->value.u.s.p, pt_str(to));
                    return false;
                }
                if (k) y = v;
                else x = v;
            }
        }
    }
    /* a number constant that the other side's type holds exactly takes that type, so that the
     * column is not cast (`amount > 10` compares DECIMAL(10, 2) with 10.00) */
    for (int k = 0; k < 2; k++) {
        eddy_bexpr *cst = k ? y : x, *o = k ? x : y;
        if (cst->kind != EDDY_BEXPR_CONST || o->kind == EDDY_BEXPR_CONST || cst->value.null) continue;
        if (!pt_is_numeric(cst->type) || !pt_is_numeric(o->type) || pt_is_approx(cst->type)) continue;
        if (!const_fits(cst, o->type)) continue;
        eddy_bexpr *v = bx_cast(b->a, cst, pt_with_null(b->a, o->type, true));
        if (v->kind != EDDY_BEXPR_CONST) continue;
        *pa = k ? x : v;
        *pb = k ? v : y;
        return true;
    }
    const eddy_sqltype *t = pt_common(b->a, x->type, y->type);
    bool ok = t != NULL;
    if (ok && (pt_is_nested(t) || t->kind == EDDY_TYPE_NULL)) ok = t->kind == EDDY_TYPE_NULL;
    if (!ok) {
        const eddy_sqltype *tx = x->type, *ty = y->type;
        if ((pt_is_char(tx) && pt_is_numeric(ty)) || (pt_is_numeric(tx) && pt_is_char(ty))) {
            const eddy_sqltype *num = pt_is_numeric(tx) ? tx : ty;
            bind_error(b, EDDY_EBIND, pos, "cannot %s %s with %s; convert one side explicitly, e.g. CAST(... AS %s)",
                       what, pt_str(tx), pt_str(ty), pt_str(num));
        } else {
            bind_error(b, EDDY_EBIND, pos, "cannot %s %s with %s", what, pt_str(tx), pt_str(ty));
        }
        return false;
    }
    if (t->kind == EDDY_TYPE_NULL) {
        *pa = x;
        *pb = y;
        return true;
    }
    /* DECIMALs of one scale compare as they are (precision is no matter) */
    for (int k = 0; k < 2; k++) {
        eddy_bexpr *v = k ? y : x;
        int p1, s1, p2, s2;
        bool keep = false;
        if (t->kind == EDDY_TYPE_DECIMAL && v->type->kind == EDDY_TYPE_DECIMAL) {
            pt_decimal_of(t, &p1, &s1);
            pt_decimal_of(v->type, &p2, &s2);
            keep = s1 == s2 && v->kind != EDDY_BEXPR_CONST;
        }
        v = keep ? v : bx_cast(b->a, v, pt_with_null(b->a, t, v->type->not_null));
        if (k) *pb = v;
        else *pa = v;
    }
    return true;
}

static eddy_bexpr *make_compare(ectx *c, eddy_pos pos, eddy_bop op, eddy_bexpr *l, eddy_bexpr *r)
{
    if (!coerce_pair(c, pos, "compare", &l, &r)) return NULL;
    eddy_bexpr *x =
        bx_new(c->b->a, EDDY_BEXPR_COMPARE, pt_new(c->b->a, EDDY_TYPE_BOOLEAN, -1, -1, l->type->not_null && r->type->not_null),
               pos, 2);
    x->op = op;
    x->args[0] = l;
    x->args[1] = r;
    return x;
}

eddy_bexpr *bind_cond(ectx *c, const eddy_expr *e, const char *what)
{
    eddy_bexpr *x = bind_expr(c, e);
    if (!x) return NULL;
    if (pt_is_null(x->type)) return bx_cast(c->b->a, x, pt_new(c->b->a, EDDY_TYPE_BOOLEAN, -1, -1, false));
    if (!pt_is_boolean(x->type)) {
        bind_error(c->b, EDDY_EBIND, e->pos, "%s must be a BOOLEAN condition, not %s", what, pt_str(x->type));
        return NULL;
    }
    return x;
}

static eddy_bexpr *bind_logic(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    bool is_and = e->u.binary.op == EDDY_OP_AND;
    const char *what = is_and ? "an operand of AND" : "an operand of OR";
    eddy_bexpr *l = bind_cond(c, e->u.binary.lhs, what);
    if (!l) return NULL;
    eddy_bexpr *r = bind_cond(c, e->u.binary.rhs, what);
    if (!r) return NULL;
    eddy_bexpr_kind k = is_and ? EDDY_BEXPR_AND : EDDY_BEXPR_OR;
    int n = (l->kind == k ? l->nargs : 1) + (r->kind == k ? r->nargs : 1);
    eddy_bexpr *x = bx_new(b->a, k, pt_new(b->a, EDDY_TYPE_BOOLEAN, -1, -1, l->type->not_null && r->type->not_null),
                           e->pos, n);
    int i = 0;
    eddy_bexpr *both[2] = {l, r};
    for (int s = 0; s < 2; s++) {
        if (both[s]->kind == k)
            for (int j = 0; j < both[s]->nargs; j++) x->args[i++] = both[s]->args[j];
        else
            x->args[i++] = both[s];
    }
    return x;
}

static eddy_bexpr *bind_binary(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    eddy_op op = e->u.binary.op;
    if (op == EDDY_OP_AND || op == EDDY_OP_OR) return bind_logic(c, e);
    eddy_bexpr *l = bind_expr(c, e->u.binary.lhs);
    if (!l) return NULL;
    eddy_bexpr *r = bind_expr(c, e->u.binary.rhs);
    if (!r) return NULL;
    switch (op) {
    case EDDY_OP_ADD:
    case EDDY_OP_SUB:
    case EDDY_OP_MUL:
    case EDDY_OP_DIV:
    case EDDY_OP_MOD: return bind_arith(c, e, l, r);
    case EDDY_OP_CONCAT: {
        if ((!pt_is_char(l->type) && !pt_is_null(l->type)) || (!pt_is_char(r->type) && !pt_is_null(r->type))) {
            bind_error(b, EDDY_EBIND, e->pos, "cannot apply '||' to %s and %s (CAST to STRING first)", pt_str(l->type),
                       pt_str(r->type));
            return NULL;
        }
        eddy_sqltype *t = pt_string(b->a, l->type->not_null && r->type->not_null);
        eddy_bexpr *x = bx_new(b->a, EDDY_BEXPR_CONCAT, t, e->pos, 2);
        /* an untyped NULL operand becomes a NULL string */
        x->args[0] = pt_is_null(l->type) ? bx_cast(b->a, l, pt_string(b->a, false)) : l;
        x->args[1] = pt_is_null(r->type) ? bx_cast(b->a, r, pt_string(b->a, false)) : r;
        return x;
    }
    case EDDY_OP_EQ:
    case EDDY_OP_NE:
    case EDDY_OP_LT:
    case EDDY_OP_LE:
    case EDDY_OP_GT:
    case EDDY_OP_GE: return make_compare(c, e->pos, cmp_bop(op), l, r);
    default: break;
    }
    bind_error(b, EDDY_EBIND, e->pos, "unknown operator");
    return NULL;
}

static eddy_bexpr *negate_const(binder *b, const eddy_expr *e, eddy_bexpr *x)
{
    eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_CONST, x->type, e->pos, 0);
    r->value = x->value;
    if (x->value.null) return r;
    const eddy_sqltype *t = x->type;
    if (pt_is_integer(t) || t->kind == EDDY_TYPE_INTERVAL) {
        if (x->value.u.i == INT64_MIN) return NULL;
        r->value.u.i = -x->value.u.i;
        /* -2147483648 is an INT */
        if (t->kind == EDDY_TYPE_BIGINT && r->value.u.i == INT32_MIN)
            r->type = pt_new(b->a, EDDY_TYPE_INT, -1, -1, true);
    } else if (pt_is_approx(t)) {
        r->value.u.f = -x->value.u.f;
    } else if (t->kind == EDDY_TYPE_DECIMAL) {
        r->value.u.dec = -x->value.u.dec;
    } else {
        return NULL;
    }
    return r;
}

static eddy_bexpr *bind_unary(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    if (e->u.unary.op == EDDY_OP_NOT) {
        eddy_bexpr *x = bind_cond(c, e->u.unary.arg, "the operand of NOT");
        if (!x) return NULL;
        eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_NOT, pt_new(b->a, EDDY_TYPE_BOOLEAN, -1, -1, x->type->not_null), e->pos, 1);
        r->args[0] = x;
        return r;
    }
    eddy_bexpr *x = bind_expr(c, e->u.unary.arg);
    if (!x) return NULL;
    if (!pt_is_numeric(x->type) && !pt_is_interval(x->type) && !pt_is_null(x->type)) {
        bind_error(b, EDDY_EBIND, e->pos, "cannot apply '%s' to %s", e->u.unary.op == EDDY_OP_NEG ? "-" : "+",
                   pt_str(x->type));
        return NULL;
    }
    if (e->u.unary.op == EDDY_OP_PLUS) return x;
    if (x->kind == EDDY_BEXPR_CONST) {
        eddy_bexpr *r = negate_const(b, e, x);
        if (r) return r;
    }
    eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_ARITH, x->type, e->pos, 1);
    r->op = EDDY_BOP_NEG;
    r->args[0] = x;
    return r;
}

static eddy_bexpr *bind_is(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    eddy_bexpr *x = bind_expr(c, e->u.is.arg);
    if (!x) return NULL;
    eddy_sqltype *bt = pt_new(b->a, EDDY_TYPE_BOOLEAN, -1, -1, true);
    if (e->u.is.what == EDDY_IS_DISTINCT_FROM) {
        eddy_bexpr *y = bind_expr(c, e->u.is.rhs);
        if (!y) return NULL;
        if (!coerce_pair(c, e->pos, "compare", &x, &y)) return NULL;
        eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_DISTINCT, bt, e->pos, 2);
        r->args[0] = x;
        r->args[1] = y;
        r->negated = e->u.is.negated;
        return r;
    }
    if (e->u.is.what != EDDY_IS_NULL && !pt_is_boolean(x->type) && !pt_is_null(x->type)) {
        bind_error(b, EDDY_EBIND, e->pos, "IS TRUE/FALSE/UNKNOWN needs a BOOLEAN operand, not %s", pt_str(x->type));
        return NULL;
    }
    eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_IS, bt, e->pos, 1);
    r->args[0] = x;
    r->negated = e->u.is.negated;
    switch (e->u.is.what) {
    case EDDY_IS_NULL: r->is_what = 0; break;
    case EDDY_IS_TRUE: r->is_what = 1; break;
    case EDDY_IS_FALSE: r->is_what = 2; break;
    default: r->is_what = 3; break;
    }
    return r;
}

static eddy_bexpr *bind_between(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    if (e->u.between.symmetric == 1) {
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "BETWEEN SYMMETRIC is not supported yet");
        return NULL;
    }
    eddy_bexpr *x = bind_expr(c, e->u.between.arg);
    if (!x) return NULL;
    eddy_bexpr *lo = bind_expr(c, e->u.between.lo);
    if (!lo) return NULL;
    eddy_bexpr *hi = bind_expr(c, e->u.between.hi);
    if (!hi) return NULL;
    bool neg = e->u.between.negated;
    eddy_bexpr *a = make_compare(c, e->pos, neg ? EDDY_BOP_LT : EDDY_BOP_GE, x, lo);
    if (!a) return NULL;
    eddy_bexpr *z = make_compare(c, e->pos, neg ? EDDY_BOP_GT : EDDY_BOP_LE, x, hi);
    if (!z) return NULL;
    eddy_bexpr *r = bx_new(b->a, neg ? EDDY_BEXPR_OR : EDDY_BEXPR_AND,
                           pt_new(b->a, EDDY_TYPE_BOOLEAN, -1, -1, a->type->not_null && z->type->not_null), e->pos, 2);
    r->args[0] = a;
    r->args[1] = z;
    return r;
}

/* Binds a list of expressions and casts them all to their common type (what names the
 * construct for messages). Returns the type, NULL on error. */
static const eddy_sqltype *bind_common(ectx *c, eddy_bexpr **xs, int n, eddy_pos pos, const char *what)
{
    binder *b = c->b;
    const eddy_sqltype *t = xs[0]->type;
    for (int i = 1; i < n; i++) {
        const eddy_sqltype *u = pt_common(b->a, t, xs[i]->type);
        if (!u) {
            bind_error(b, EDDY_EBIND, pos, "%s: no common type for %s and %s", what, pt_str(t), pt_str(xs[i]->type));
            return NULL;
        }
        t = u;
    }
    for (int i = 0; i < n; i++)
        if (!pt_is_null(t)) xs[i] = bx_cast(b->a, xs[i], pt_with_null(b->a, t, xs[i]->type->not_null));
    return t;
}

static eddy_bexpr *bind_in(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    if (e->u.in.query) {
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "IN (subquery) is not supported yet");
        return NULL;
    }
    int n = 1 + e->u.in.list->n;
    eddy_bexpr **xs = eddy_arena_alloc(b->a, sizeof *xs * (size_t)n);
    bool nn = true;
    for (int i = 0; i < n; i++) {
        xs[i] = bind_expr(c, i == 0 ? e->u.in.arg : e->u.in.list->a[i - 1]);
        if (!xs[i]) return NULL;
        nn = nn && xs[i]->type->not_null;
    }
    /* strings against a date/time column: read the literals as that type */
    for (int i = 1; i < n; i++) {
        eddy_bexpr *l = xs[0], *r = xs[i];
        if (r->kind == EDDY_BEXPR_CONST && pt_is_char(r->type) && pt_is_datetime(l->type)) {
            if (!coerce_pair(c, e->pos, "compare", &l, &r)) return NULL;
            xs[i] = r;
        }
    }
    const eddy_sqltype *t = xs[0]->type;
    for (int i = 1; i < n; i++) {
        eddy_bexpr *l = xs[0], *r = xs[i];
        const eddy_sqltype *u = pt_common(b->a, t, r->type);
        if (!u) {
            coerce_pair(c, e->u.in.list->a[i - 1]->pos, "compare", &l, &r);
            return NULL;
        }
        t = u;
    }
    for (int i = 0; i < n; i++)
        if (!pt_is_null(t)) xs[i] = bx_cast(b->a, xs[i], pt_with_null(b->a, t, xs[i]->type->not_null));
    eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_IN, pt_new(b->a, EDDY_TYPE_BOOLEAN, -1, -1, nn), e->pos, n);
    for (int i = 0; i < n; i++) r->args[i] = xs[i];
    r->negated = e->u.in.negated;
    return r;
}

static eddy_bexpr *bind_like(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    int n = e->u.like.escape ? 3 : 2;
    const eddy_expr *src[3] = {e->u.like.arg, e->u.like.pattern, e->u.like.escape};
    eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_LIKE, NULL, e->pos, n);
    bool nn = true;
    for (int i = 0; i < n; i++) {
        eddy_bexpr *x = bind_expr(c, src[i]);
        if (!x) return NULL;
        if (!pt_is_char(x->type) && !pt_is_null(x->type)) {
            bind_error(b, EDDY_EBIND, src[i]->pos, "%s needs strings, not %s", e->u.like.similar ? "SIMILAR TO" : "LIKE",
                       pt_str(x->type));
            return NULL;
        }
        if (pt_is_null(x->type)) x = bx_cast(b->a, x, pt_string(b->a, false));
        nn = nn && x->type->not_null;
        r->args[i] = x;
    }
    if (n == 3 && (r->args[2]->kind != EDDY_BEXPR_CONST || r->args[2]->value.u.s.n != 1)) {
        bind_error(b, EDDY_EBIND, src[2]->pos, "ESCAPE needs a single-character string literal");
        return NULL;
    }
    r->type = pt_new(b->a, EDDY_TYPE_BOOLEAN, -1, -1, nn);
    r->negated = e->u.like.negated;
    r->similar = e->u.like.similar;
    return r;
}

static eddy_bexpr *bind_case(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    int nw = e->u.case_.whens->n;
    bool has_else = e->u.case_.else_ != NULL;
    int n = 2 * nw + (has_else ? 1 : 0);
    eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_CASE, NULL, e->pos, n);
    r->has_else = has_else;
    eddy_bexpr *operand = NULL;
    if (e->u.case_.operand) {
        operand = bind_expr(c, e->u.case_.operand);
        if (!operand) return NULL;
    }
    int nres = nw + (has_else ? 1 : 0);
    eddy_bexpr **res = eddy_arena_alloc(b->a, sizeof *res * (size_t)nres);
    for (int i = 0; i < nw; i++) {
        const eddy_expr *w = e->u.case_.whens->a[i];
        eddy_bexpr *cond;
        if (operand) {
            eddy_bexpr *v = bind_expr(c, w);
            if (!v) return NULL;
            cond = make_compare(c, w->pos, EDDY_BOP_EQ, operand, v);
        } else {
            cond = bind_cond(c, w, "a WHEN condition");
        }
        if (!cond) return NULL;
        r->args[2 * i] = cond;
        res[i] = bind_expr(c, e->u.case_.thens->a[i]);
        if (!res[i]) return NULL;
    }
    if (has_else) {
        res[nw] = bind_expr(c, e->u.case_.else_);
        if (!res[nw]) return NULL;
    }
    const eddy_sqltype *t = bind_common(c, res, nres, e->pos, "CASE");
    if (!t) return NULL;
    if (pt_is_null(t)) {
        bind_error(b, EDDY_EBIND, e->pos, "CASE: every result is NULL; CAST one of them to the type you want");
        return NULL;
    }
    bool nn = has_else;
    for (int i = 0; i < nres; i++) nn = nn && res[i]->type->not_null;
    for (int i = 0; i < nw; i++) r->args[2 * i + 1] = res[i];
    if (has_else) r->args[2 * nw] = res[nw];
    r->type = pt_with_null(b->a, t, nn);
    return r;
}

static eddy_bexpr *bind_cast(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    eddy_bexpr *x = bind_expr(c, e->u.cast.arg);
    if (!x) return NULL;
    const eddy_sqltype *to = pt_copy(b->a, e->u.cast.type);
    if (!pt_castable(x->type, to)) {
        eddy_strbuf sb = {0};
        pt_sql(&sb, to, false);
        bind_error(b, EDDY_EBIND, e->pos, "cannot cast %s to %s", pt_str(x->type), eddy_strbuf_cstr(&sb));
        eddy_strbuf_free(&sb);
        return NULL;
    }
    bool nn = x->type->not_null && !e->u.cast.try_;
    to = pt_with_null(b->a, to, nn);
    if (e->u.cast.try_) {
        eddy_bexpr *r = bx_cast(b->a, x, to);
        if (r->kind == EDDY_BEXPR_CONST || r == x) return r;
        r->try_cast = true;
        r->line = e->pos.line;
        r->col = e->pos.col;
        return r;
    }
    bool rt = false, ptm = false;
    pn_time_attr(c->sc ? c->sc->node : NULL, x, &rt, &ptm);
    if ((rt || ptm) && pt_equal(x->type, to, false)) {
        /* a CAST of a time attribute makes it a plain value (Flink materializes it), even to
         * its own type */
        eddy_bexpr *r = bx_new(b->a, EDDY_BEXPR_CAST, to, e->pos, 1);
        r->args[0] = x;
        return r;
    }
    eddy_bexpr *r = bx_cast(b->a, x, to);
    if (r == x) return x; /* same type apart from nullability */
    if (r->kind == EDDY_BEXPR_CAST) {
        r->line = e->pos.line;
        r->col = e->pos.col;
    }
    return r;
}

int64_t bind_interval_ms(ectx *c, const eddy_expr *e, const char *what)
{
    binder *b = c->b;
    eddy_bexpr *x = bind_expr(c, e);
    if (!x) return -1;
    if (x->kind != EDDY_BEXPR_CONST || !pt_is_interval(x->type) || x->value.null) {
        bind_error(b, EDDY_EBIND, e->pos, "%s must be a constant INTERVAL such as INTERVAL '10' SECOND", what);
        return -1;
    }
    if (eddy_interval_is_months(x->type->from)) {
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "%s: intervals of months or years are not supported for windows", what);
        return -1;
    }
    if (x->value.u.i <= 0) {
        bind_error(b, EDDY_EBIND, e->pos, "%s must be positive", what);
        return -1;
    }
    return x->value.u.i;
}

/* ---------------------------------------------------------------------------------------- */
/* The dispatcher                                                                            */

static const char *call_name(const eddy_expr *e)
{
    const eddy_name *n = e->u.call.func;
    return n->parts[n->nparts - 1].name;
}

static eddy_bexpr *bind_call(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    const char *name = call_name(e);
    if (e->u.call.over) {
        if (strcasecmp(name, "ROW_NUMBER") == 0 || strcasecmp(name, "RANK") == 0 || strcasecmp(name, "DENSE_RANK") == 0)
            bind_error(b, EDDY_EUNSUPPORTED, e->u.call.over->pos,
                       "Top-N and deduplication (%s() OVER ...) are not supported yet", name);
        else
            bind_error(b, EDDY_EUNSUPPORTED, e->u.call.over->pos, "OVER windows (%s(...) OVER ...) are not supported yet",
                       name);
        return NULL;
    }
    int aux;
    int gw = group_window_fn(name, &aux);
    if (e->u.call.func->nparts == 1 && agg_by_name(name) >= 0) {
        bind_error(b, EDDY_EBIND, e->pos, "aggregate function %s is not allowed in %s", name,
                   c->clause ? c->clause : "this place");
        return NULL;
    }
    if (gw && e->u.call.func->nparts == 1) {
        if (aux)
            bind_error(b, EDDY_EBIND, e->pos, "%s may only be used with GROUP BY %s(...)", name,
                       gw == 1 ? "TUMBLE" : gw == 2 ? "HOP" : "SESSION");
        else if (gw == 4)
            bind_error(b, EDDY_EBIND, e->pos,
                       "%s is a window table function: use it in FROM as TABLE(%s(TABLE t, DESCRIPTOR(ts), ...))", name, name);
        else
            bind_error(b, EDDY_EBIND, e->pos,
                       "%s(...) is a group window: it may only appear in GROUP BY (or use the window table function in FROM)",
                       name);
        return NULL;
    }
    return bind_function(c, e);
}

eddy_bexpr *bind_expr(ectx *c, const eddy_expr *e)
{
    binder *b = c->b;
    if (c->agg) {
        eddy_bexpr *out = NULL;
        if (agg_hook(c, e, &out)) return out;
    }
    switch (e->kind) {
    case EDDY_EXPR_LITERAL: return bind_literal(c, e);
    case EDDY_EXPR_NAME: {
        const bcol *col = bind_column(c, e->u.name, e->pos);
        if (!col) return NULL;
        eddy_bexpr *x = bx_col(b->a, col->index, c->sc->node->out.fields[col->index].type);
        x->line = e->pos.line;
        x->col = e->pos.col;
        return x;
    }
    case EDDY_EXPR_STAR:
        bind_error(b, EDDY_EBIND, e->pos, "'*' is only allowed in the SELECT list and in COUNT(*)");
        return NULL;
    case EDDY_EXPR_UNARY: return bind_unary(c, e);
    case EDDY_EXPR_BINARY: return bind_binary(c, e);
    case EDDY_EXPR_IS: return bind_is(c, e);
    case EDDY_EXPR_BETWEEN: return bind_between(c, e);
    case EDDY_EXPR_IN: return bind_in(c, e);
    case EDDY_EXPR_LIKE: return bind_like(c, e);
    case EDDY_EXPR_CASE: return bind_case(c, e);
    case EDDY_EXPR_CAST: return bind_cast(c, e);
    case EDDY_EXPR_CALL: return bind_call(c, e);
    case EDDY_EXPR_FIELD:
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "field access on an expression ((expr).field) is not supported yet");
        return NULL;
    case EDDY_EXPR_SUBSCRIPT:
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "subscripts (x[i]) are not supported yet");
        return NULL;
    case EDDY_EXPR_SUBQUERY:
    case EDDY_EXPR_EXISTS:
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "subqueries in expressions are not supported yet");
        return NULL;
    case EDDY_EXPR_ROW:
    case EDDY_EXPR_ARRAY:
    case EDDY_EXPR_MAP:
        bind_error(b, EDDY_EUNSUPPORTED, e->pos, "%s constructors are not supported yet",
                   e->kind == EDDY_EXPR_ROW ? "ROW" : e->kind == EDDY_EXPR_ARRAY ? "ARRAY" : "MAP");
        return NULL;
    case EDDY_EXPR_TABLE_ARG:
    case EDDY_EXPR_DESCRIPTOR:
    case EDDY_EXPR_NAMED_ARG:
        bind_error(b, EDDY_EBIND, e->pos, "TABLE, DESCRIPTOR and named arguments belong to window functions in FROM");
        return NULL;
    case EDDY_EXPR_TIME_UNIT:
        bind_error(b, EDDY_EBIND, e->pos, "unexpected time unit %s", eddy_time_unit_name(e->u.unit));
        return NULL;
    default: break;
    }
    bind_error(b, EDDY_EBIND, e->pos, "unknown expression");
    return NULL;
}
