/*
 * ptype.c: SQL type rules of the planner (see ptype.h).
 *
 * The rules follow Flink's LogicalTypeMerging (common types) and LogicalTypeCasts (explicit
 * and implicit casts) closely enough for eddy's types; where Flink pads CHAR values to a
 * common CHAR(n) (CASE of 'a' and 'bcd'), eddy uses VARCHAR(n) instead so that no value
 * changes its text.
 */
#include "ptype.h"

#include <stdio.h>
#include <string.h>

#include "../common/decimal.h"

eddy_sqltype *pt_new(eddy_arena *a, eddy_type_kind k, int precision, int scale, bool not_null)
{
    eddy_sqltype *t = eddy_arena_zalloc(a, sizeof *t);
    t->kind = k;
    t->precision = precision;
    t->scale = scale;
    t->not_null = not_null;
    return t;
}

eddy_sqltype *pt_string(eddy_arena *a, bool not_null)
{
    return pt_new(a, EDDY_TYPE_VARCHAR, -1, -1, not_null);
}

eddy_sqltype *pt_copy(eddy_arena *a, const eddy_sqltype *t)
{
    eddy_sqltype *c = eddy_arena_alloc(a, sizeof *c);
    *c = *t;
    c->string_kw = false;
    c->postfix_array = false;
    c->paren_row = false;
    switch (c->kind) {
    case EDDY_TYPE_DECIMAL:
        if (c->precision < 0) c->precision = 10;
        if (c->scale < 0) c->scale = 0;
        break;
    case EDDY_TYPE_TIMESTAMP:
    case EDDY_TYPE_TIMESTAMP_LTZ:
        if (c->precision < 0) c->precision = 6;
        c->scale = -1;
        break;
    case EDDY_TYPE_TIME:
        if (c->precision < 0) c->precision = 0;
        break;
    case EDDY_TYPE_CHAR:
    case EDDY_TYPE_BINARY:
        if (c->precision < 0) c->precision = 1;
        break;
    case EDDY_TYPE_VARCHAR:
    case EDDY_TYPE_VARBINARY:
        if (c->precision == PT_STRING_MAX) c->precision = -1;
        break;
    default: break;
    }
    if (t->elem) c->elem = pt_copy(a, t->elem);
    if (t->value) c->value = pt_copy(a, t->value);
    if (t->nfields > 0) {
        c->fields = eddy_arena_alloc(a, sizeof *c->fields * (size_t)t->nfields);
        for (int i = 0; i < t->nfields; i++) {
            c->fields[i].name = eddy_arena_strdup(a, t->fields[i].name);
            c->fields[i].type = pt_copy(a, t->fields[i].type);
            c->fields[i].comment = NULL;
        }
    }
    if (t->raw_class) c->raw_class = eddy_arena_strdup(a, t->raw_class);
    return c;
}

const eddy_sqltype *pt_with_null(eddy_arena *a, const eddy_sqltype *t, bool not_null)
{
    if (t->not_null == not_null) return t;
    eddy_sqltype *c = eddy_arena_alloc(a, sizeof *c);
    *c = *t;
    c->not_null = not_null;
    return c;
}

bool pt_is_integer(const eddy_sqltype *t)
{
    switch (t->kind) {
    case EDDY_TYPE_TINYINT:
    case EDDY_TYPE_SMALLINT:
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT: return true;
    default: return false;
    }
}

bool pt_is_approx(const eddy_sqltype *t)
{
    return t->kind == EDDY_TYPE_FLOAT || t->kind == EDDY_TYPE_DOUBLE;
}

bool pt_is_numeric(const eddy_sqltype *t)
{
    return pt_is_integer(t) || pt_is_approx(t) || t->kind == EDDY_TYPE_DECIMAL;
}

bool pt_is_char(const eddy_sqltype *t)
{
    return t->kind == EDDY_TYPE_CHAR || t->kind == EDDY_TYPE_VARCHAR;
}

bool pt_is_binary(const eddy_sqltype *t)
{
    return t->kind == EDDY_TYPE_BINARY || t->kind == EDDY_TYPE_VARBINARY;
}

bool pt_is_timestamp(const eddy_sqltype *t)
{
    return t->kind == EDDY_TYPE_TIMESTAMP || t->kind == EDDY_TYPE_TIMESTAMP_LTZ;
}

bool pt_is_datetime(const eddy_sqltype *t)
{
    return pt_is_timestamp(t) || t->kind == EDDY_TYPE_DATE || t->kind == EDDY_TYPE_TIME;
}

bool pt_is_interval(const eddy_sqltype *t)
{
    return t->kind == EDDY_TYPE_INTERVAL;
}

bool pt_is_null(const eddy_sqltype *t)
{
    return t->kind == EDDY_TYPE_NULL;
}

bool pt_is_boolean(const eddy_sqltype *t)
{
    return t->kind == EDDY_TYPE_BOOLEAN;
}

bool pt_is_nested(const eddy_sqltype *t)
{
    switch (t->kind) {
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_MULTISET:
    case EDDY_TYPE_MAP:
    case EDDY_TYPE_ROW:
    case EDDY_TYPE_RAW: return true;
    default: return false;
    }
}

void pt_decimal_of(const eddy_sqltype *t, int *p, int *s)
{
    if (t->kind == EDDY_TYPE_DECIMAL) {
        *p = t->precision > 0 ? t->precision : 10;
        *s = t->scale >= 0 ? t->scale : 0;
    } else {
        *p = eddy_dec_int_precision(t->kind);
        if (*p == 0) *p = 19;
        *s = 0;
    }
}

static int int_rank(eddy_type_kind k)
{
    switch (k) {
    case EDDY_TYPE_TINYINT: return 1;
    case EDDY_TYPE_SMALLINT: return 2;
    case EDDY_TYPE_INT: return 3;
    case EDDY_TYPE_BIGINT: return 4;
    default: return 0;
    }
}

bool pt_equal(const eddy_sqltype *a, const eddy_sqltype *b, bool with_null)
{
    if (a == b) return true;
    if (a->kind != b->kind) return false;
    if (with_null && a->not_null != b->not_null) return false;
    switch (a->kind) {
    case EDDY_TYPE_DECIMAL: {
        int pa, sa, pb, sb;
        pt_decimal_of(a, &pa, &sa);
        pt_decimal_of(b, &pb, &sb);
        return pa == pb && sa == sb;
    }
    case EDDY_TYPE_CHAR:
    case EDDY_TYPE_VARCHAR:
    case EDDY_TYPE_BINARY:
    case EDDY_TYPE_VARBINARY:
    case EDDY_TYPE_TIME:
    case EDDY_TYPE_TIMESTAMP:
    case EDDY_TYPE_TIMESTAMP_LTZ: {
        int pa = a->precision == PT_STRING_MAX ? -1 : a->precision;
        int pb = b->precision == PT_STRING_MAX ? -1 : b->precision;
        return pa == pb;
    }
    case EDDY_TYPE_INTERVAL: return a->from == b->from && a->to == b->to;
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_MULTISET: return pt_equal(a->elem, b->elem, with_null);
    case EDDY_TYPE_MAP: return pt_equal(a->elem, b->elem, with_null) && pt_equal(a->value, b->value, with_null);
    case EDDY_TYPE_ROW:
        if (a->nfields != b->nfields) return false;
        for (int i = 0; i < a->nfields; i++)
            if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
                !pt_equal(a->fields[i].type, b->fields[i].type, with_null))
                return false;
        return true;
    default: return true;
    }
}

/* Length of a CHAR/VARCHAR/BINARY/VARBINARY for merging: -1 (unbounded) stays the largest. */
static int len_max(int a, int b)
{
    if (a < 0 || b < 0 || a == PT_STRING_MAX || b == PT_STRING_MAX) return -1;
    return a > b ? a : b;
}

static int ts_prec(const eddy_sqltype *t)
{
    return t->precision >= 0 ? t->precision : (t->kind == EDDY_TYPE_TIME ? 0 : 6);
}

const eddy_sqltype *pt_common(eddy_arena *a, const eddy_sqltype *x, const eddy_sqltype *y)
{
    bool nn = x->not_null && y->not_null;
    if (pt_is_null(x)) return pt_with_null(a, y, false);
    if (pt_is_null(y)) return pt_with_null(a, x, false);
    if (pt_equal(x, y, false)) return pt_with_null(a, x, nn);
    if (pt_is_numeric(x) && pt_is_numeric(y)) {
        if (pt_is_integer(x) && pt_is_integer(y))
            return pt_with_null(a, int_rank(x->kind) >= int_rank(y->kind) ? x : y, nn);
        if (x->kind == EDDY_TYPE_DOUBLE || y->kind == EDDY_TYPE_DOUBLE)
            return pt_new(a, EDDY_TYPE_DOUBLE, -1, -1, nn);
        if (x->kind == EDDY_TYPE_FLOAT || y->kind == EDDY_TYPE_FLOAT) {
            const eddy_sqltype *o = x->kind == EDDY_TYPE_FLOAT ? y : x;
            return pt_new(a, pt_is_integer(o) || o->kind == EDDY_TYPE_FLOAT ? EDDY_TYPE_FLOAT : EDDY_TYPE_DOUBLE, -1,
                          -1, nn);
        }
        int p1, s1, p2, s2;
        pt_decimal_of(x, &p1, &s1);
        pt_decimal_of(y, &p2, &s2);
        int s = s1 > s2 ? s1 : s2;
        int ip = (p1 - s1) > (p2 - s2) ? (p1 - s1) : (p2 - s2);
        int p = ip + s;
        if (p > EDDY_DEC_MAX_PRECISION) {
            p = EDDY_DEC_MAX_PRECISION;
            if (s > p - ip) s = p - ip > 0 ? p - ip : 0;
        }
        return pt_new(a, EDDY_TYPE_DECIMAL, p, s, nn);
    }
    if (pt_is_char(x) && pt_is_char(y)) {
        if (x->kind == EDDY_TYPE_CHAR && y->kind == EDDY_TYPE_CHAR && x->precision == y->precision)
            return pt_with_null(a, x, nn);
        return pt_new(a, EDDY_TYPE_VARCHAR, len_max(x->precision, y->precision), -1, nn);
    }
    if (pt_is_binary(x) && pt_is_binary(y))
        return pt_new(a, EDDY_TYPE_VARBINARY, len_max(x->precision, y->precision), -1, nn);
    if (x->kind == y->kind && (pt_is_timestamp(x) || x->kind == EDDY_TYPE_TIME)) {
        int p = ts_prec(x) > ts_prec(y) ? ts_prec(x) : ts_prec(y);
        return pt_new(a, x->kind, p, -1, nn);
    }
    if ((x->kind == EDDY_TYPE_DATE && y->kind == EDDY_TYPE_TIMESTAMP) ||
        (y->kind == EDDY_TYPE_DATE && x->kind == EDDY_TYPE_TIMESTAMP)) {
        const eddy_sqltype *ts = x->kind == EDDY_TYPE_TIMESTAMP ? x : y;
        return pt_with_null(a, ts, nn);
    }
    if (x->kind == EDDY_TYPE_INTERVAL && y->kind == EDDY_TYPE_INTERVAL) {
        bool mx = x->from == EDDY_UNIT_YEAR || x->from == EDDY_UNIT_MONTH;
        bool my = y->from == EDDY_UNIT_YEAR || y->from == EDDY_UNIT_MONTH;
        if (mx != my) return NULL;
        eddy_sqltype *t = pt_new(a, EDDY_TYPE_INTERVAL, -1, -1, nn);
        t->from = x->from < y->from ? x->from : y->from;
        eddy_time_unit tx = x->to ? x->to : x->from, ty = y->to ? y->to : y->from;
        t->to = tx > ty ? tx : ty;
        if (t->to == t->from) t->to = EDDY_UNIT_NONE;
        return t;
    }
    return NULL;
}

bool pt_castable(const eddy_sqltype *from, const eddy_sqltype *to)
{
    if (pt_is_null(from) || from->kind == to->kind) return true;
    if (pt_is_char(to) || pt_is_char(from)) {
        /* strings to and from every scalar; nested types print as strings */
        const eddy_sqltype *o = pt_is_char(to) ? from : to;
        if (pt_is_char(to)) return true;
        return !pt_is_nested(o);
    }
    if (pt_is_numeric(from) && pt_is_numeric(to)) return true;
    if ((pt_is_boolean(from) && pt_is_numeric(to)) || (pt_is_numeric(from) && pt_is_boolean(to))) return true;
    if (pt_is_binary(from) && pt_is_binary(to)) return true;
    if (pt_is_datetime(from) && pt_is_datetime(to)) {
        /* TIME <-> DATE has no meaning */
        if ((from->kind == EDDY_TYPE_TIME && to->kind == EDDY_TYPE_DATE) ||
            (from->kind == EDDY_TYPE_DATE && to->kind == EDDY_TYPE_TIME))
            return false;
        return true;
    }
    if (pt_is_interval(from) && pt_is_integer(to)) return true;
    if (pt_is_integer(from) && pt_is_interval(to)) return true;
    if (pt_is_integer(from) && to->kind == EDDY_TYPE_TIMESTAMP_LTZ) return true;
    return false;
}

bool pt_implicit(const eddy_sqltype *from, const eddy_sqltype *to)
{
    if (pt_is_null(from)) return true;
    if (pt_equal(from, to, false)) return true;
    if (pt_is_integer(from) && pt_is_integer(to)) return int_rank(from->kind) <= int_rank(to->kind);
    if (pt_is_integer(from) && (to->kind == EDDY_TYPE_DECIMAL || pt_is_approx(to))) return true;
    if (from->kind == EDDY_TYPE_DECIMAL && (to->kind == EDDY_TYPE_DECIMAL || pt_is_approx(to))) return true;
    if (from->kind == EDDY_TYPE_FLOAT && to->kind == EDDY_TYPE_DOUBLE) return true;
    if (pt_is_char(from) && pt_is_char(to)) return true;
    if (pt_is_binary(from) && pt_is_binary(to)) return true;
    if (from->kind == to->kind && (pt_is_timestamp(from) || from->kind == EDDY_TYPE_TIME)) return true;
    if (from->kind == EDDY_TYPE_DATE && to->kind == EDDY_TYPE_TIMESTAMP) return true;
    if (from->kind == EDDY_TYPE_INTERVAL && to->kind == EDDY_TYPE_INTERVAL)
        return (from->from == EDDY_UNIT_YEAR || from->from == EDDY_UNIT_MONTH) ==
               (to->from == EDDY_UNIT_YEAR || to->from == EDDY_UNIT_MONTH);
    if (from->kind == to->kind && pt_is_nested(from)) return pt_equal(from, to, false);
    return false;
}

static void interval_text(eddy_strbuf *b, const eddy_sqltype *t)
{
    eddy_strbuf_puts(b, "INTERVAL");
    if (t->from) {
        eddy_strbuf_printf(b, " %s", eddy_time_unit_name(t->from));
        if (t->to) eddy_strbuf_printf(b, " TO %s", eddy_time_unit_name(t->to));
    }
}

void pt_name(eddy_strbuf *b, const eddy_sqltype *t)
{
    switch (t->kind) {
    case EDDY_TYPE_DECIMAL: {
        int p, s;
        pt_decimal_of(t, &p, &s);
        eddy_strbuf_printf(b, "DECIMAL(%d, %d)", p, s);
        return;
    }
    case EDDY_TYPE_CHAR: eddy_strbuf_printf(b, "CHAR(%d)", t->precision > 0 ? t->precision : 1); return;
    case EDDY_TYPE_TIMESTAMP:
    case EDDY_TYPE_TIMESTAMP_LTZ:
        eddy_strbuf_printf(b, "%s(%d)", eddy_type_kind_name(t->kind), ts_prec(t));
        return;
    case EDDY_TYPE_INTERVAL: interval_text(b, t); return;
    case EDDY_TYPE_NULL: eddy_strbuf_puts(b, "NULL"); return;
    default: eddy_strbuf_puts(b, eddy_type_kind_name(t->kind)); return;
    }
}

/* Quotes a ROW field name with backquotes as Flink prints row types. */
static void quoted(eddy_strbuf *b, const char *name)
{
    eddy_strbuf_putc(b, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`') eddy_strbuf_putc(b, '`');
        eddy_strbuf_putc(b, *p);
    }
    eddy_strbuf_putc(b, '`');
}

void pt_sql(eddy_strbuf *b, const eddy_sqltype *t, bool with_null)
{
    switch (t->kind) {
    case EDDY_TYPE_VARCHAR:
        if (t->precision < 0 || t->precision == PT_STRING_MAX) eddy_strbuf_puts(b, "STRING");
        else eddy_strbuf_printf(b, "VARCHAR(%d)", t->precision);
        break;
    case EDDY_TYPE_VARBINARY:
        if (t->precision < 0 || t->precision == PT_STRING_MAX) eddy_strbuf_puts(b, "BYTES");
        else eddy_strbuf_printf(b, "VARBINARY(%d)", t->precision);
        break;
    case EDDY_TYPE_BINARY: eddy_strbuf_printf(b, "BINARY(%d)", t->precision > 0 ? t->precision : 1); break;
    case EDDY_TYPE_TIME: eddy_strbuf_printf(b, "TIME(%d)", ts_prec(t)); break;
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_MULTISET:
        eddy_strbuf_printf(b, "%s<", eddy_type_kind_name(t->kind));
        pt_sql(b, t->elem, true);
        eddy_strbuf_putc(b, '>');
        break;
    case EDDY_TYPE_MAP:
        eddy_strbuf_puts(b, "MAP<");
        pt_sql(b, t->elem, true);
        eddy_strbuf_puts(b, ", ");
        pt_sql(b, t->value, true);
        eddy_strbuf_putc(b, '>');
        break;
    case EDDY_TYPE_ROW:
        eddy_strbuf_puts(b, "ROW<");
        for (int i = 0; i < t->nfields; i++) {
            if (i) eddy_strbuf_puts(b, ", ");
            quoted(b, t->fields[i].name);
            eddy_strbuf_putc(b, ' ');
            pt_sql(b, t->fields[i].type, true);
        }
        eddy_strbuf_putc(b, '>');
        break;
    case EDDY_TYPE_RAW: eddy_strbuf_printf(b, "RAW('%s', '...')", t->raw_class ? t->raw_class : "?"); break;
    default: pt_name(b, t); break;
    }
    if (with_null && t->not_null) eddy_strbuf_puts(b, " NOT NULL");
}

const char *pt_str(const eddy_sqltype *t)
{
    static _Thread_local char slots[4][128];
    static _Thread_local int next;
    char *out = slots[next];
    next = (next + 1) % 4;
    eddy_strbuf b = {0};
    pt_name(&b, t);
    snprintf(out, sizeof slots[0], "%s", eddy_strbuf_cstr(&b));
    eddy_strbuf_free(&b);
    return out;
}
