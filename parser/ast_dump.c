/*
 * ast_dump.c: the syntax tree as an S-expression, for `eddy parse --tree`, for golden tests,
 * and for the round-trip test, which compares the dumps of parse(q) and parse(print(parse(q))).
 *
 *     SELECT a + 1 FROM t WHERE b
 *
 *     (query-stmt
 *       (query
 *         (select
 *           (items (item (binary + (name a) (lit integer "1"))))
 *           (from (table (name t)))
 *           (where (name b)))))
 *
 * Two trees are equal exactly when their dumps are equal, so every field of every node is in
 * it, by these rules:
 *   - A node is (tag ...). Its required children come first, in a fixed order; a required
 *     child that is absent prints as nil.
 *   - An optional child prints in a form whose tag says what it is, its role ((where ...),
 *     (alias x), (escape ...)) or its own kind where no other child has that kind ((over ...),
 *     (star (name t))), and is left out when absent; so is a literal's text when NULL. A list
 *     that is absent is left out; one that is present but empty prints as its bare tag: (args).
 *   - Flags print as :flag when set; small enums print as a word (:desc, :nulls-last).
 *   - Identifiers print plainly, or in backquotes when they were quoted (`dateTime`), so the
 *     dump tells `a` from `` `a` ``. Strings print in double quotes with \" \\ \n \t escapes.
 *   - Positions (`@line:col`, right after the tag or glued to an identifier or string) and a
 *     statement's source range (`[off+len]`) appear only when with_pos is set.
 * A node that fits in DUMP_WIDTH columns is written on one line; otherwise its children go on
 * their own lines, indented by two (the atoms after the tag, and a first child that is a
 * (name ..), stay on the first line). The layout depends on the tree only: same tree, same text.
 *
 * How: the dump first builds a small tree of atoms and lists in a scratch arena, then lays it
 * out (the layout needs each list's width before deciding to break it).
 */
#include "ast.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DUMP_WIDTH 100 /* a list wider than this, with its indent, is broken over lines */

/* ---------------------------------------------------------------------------------------- */
/* S-expressions                                                                             */

typedef struct sx sx;
struct sx {
    const char *atom; /* the text of an atom, or NULL for a list */
    sx **kids;        /* list elements */
    int n;            /* count */
    int cap;          /* capacity */
    size_t width;     /* width on one line, filled by measure() */
};

typedef struct dumper {
    eddy_arena *a; /* scratch arena for the sx tree */
    bool pos;      /* with positions */
} dumper;

static sx *atom(dumper *d, const char *text)
{
    sx *x = eddy_arena_zalloc(d->a, sizeof *x);
    x->atom = text;
    return x;
}

static sx *atomf(dumper *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static sx *atomf(dumper *d, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return atom(d, eddy_arena_strdup(d->a, tmp));
}

static void add(dumper *d, sx *list, sx *kid)
{
    if (list->n == list->cap) {
        int ncap = list->cap ? list->cap * 2 : 8;
        sx **k = eddy_arena_alloc(d->a, (size_t)ncap * sizeof *k);
        if (list->n)
            memcpy(k, list->kids, (size_t)list->n * sizeof *k);
        list->kids = k;
        list->cap = ncap;
    }
    list->kids[list->n++] = kid;
}

static void add_atom(dumper *d, sx *list, const char *text)
{
    add(d, list, atom(d, text));
}

static void add_pos(dumper *d, sx *list, eddy_pos p)
{
    if (d->pos)
        add(d, list, atomf(d, "@%d:%d", p.line, p.col));
}

/* A new list (tag), with a position after the tag when dumping positions. */
static sx *list_at(dumper *d, const char *tag, const eddy_pos *p)
{
    sx *x = eddy_arena_zalloc(d->a, sizeof *x);
    add_atom(d, x, tag);
    if (p)
        add_pos(d, x, *p);
    return x;
}

static sx *list(dumper *d, const char *tag)
{
    return list_at(d, tag, NULL);
}

static void flag(dumper *d, sx *list_, bool on, const char *name)
{
    if (on)
        add_atom(d, list_, name);
}

/* "text" with escapes, plus @pos when asked. */
static sx *str_atom(dumper *d, const char *s, const eddy_pos *p)
{
    if (s == NULL)
        return atom(d, "nil");
    eddy_strbuf b = {0};
    eddy_strbuf_putc(&b, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        switch (*c) {
        case '"': eddy_strbuf_puts(&b, "\\\""); break;
        case '\\': eddy_strbuf_puts(&b, "\\\\"); break;
        case '\n': eddy_strbuf_puts(&b, "\\n"); break;
        case '\t': eddy_strbuf_puts(&b, "\\t"); break;
        case '\r': eddy_strbuf_puts(&b, "\\r"); break;
        default:
            if (*c < 0x20)
                eddy_strbuf_printf(&b, "\\x%02x", *c);
            else
                eddy_strbuf_putc(&b, (char)*c);
        }
    }
    eddy_strbuf_putc(&b, '"');
    if (d->pos && p)
        eddy_strbuf_printf(&b, "@%d:%d", p->line, p->col);
    sx *x = atom(d, eddy_arena_strdup(d->a, eddy_strbuf_cstr(&b)));
    eddy_strbuf_free(&b);
    return x;
}

/* An identifier: plain, or `quoted` (backquotes doubled), plus @pos when asked. */
static sx *name_atom(dumper *d, const char *name, bool quoted, const eddy_pos *p)
{
    eddy_strbuf b = {0};
    if (quoted) {
        eddy_strbuf_putc(&b, '`');
        for (const char *c = name ? name : ""; *c; c++) {
            if (*c == '`')
                eddy_strbuf_putc(&b, '`');
            eddy_strbuf_putc(&b, *c);
        }
        eddy_strbuf_putc(&b, '`');
    } else {
        eddy_strbuf_puts(&b, name ? name : "nil");
    }
    if (d->pos && p)
        eddy_strbuf_printf(&b, "@%d:%d", p->line, p->col);
    sx *x = atom(d, eddy_arena_strdup(d->a, eddy_strbuf_cstr(&b)));
    eddy_strbuf_free(&b);
    return x;
}

static sx *ident(dumper *d, const eddy_ident *id)
{
    if (id == NULL)
        return atom(d, "nil");
    return name_atom(d, id->name, id->quoted, &id->pos);
}

/* Measures widths bottom-up. */
static size_t measure(sx *x)
{
    if (x->atom) {
        x->width = strlen(x->atom);
        return x->width;
    }
    size_t w = 2; /* parentheses */
    for (int i = 0; i < x->n; i++)
        w += measure(x->kids[i]) + (i > 0 ? 1 : 0);
    x->width = w;
    return w;
}

static void render_flat(eddy_strbuf *b, const sx *x)
{
    if (x->atom) {
        eddy_strbuf_puts(b, x->atom);
        return;
    }
    eddy_strbuf_putc(b, '(');
    for (int i = 0; i < x->n; i++) {
        if (i > 0)
            eddy_strbuf_putc(b, ' ');
        render_flat(b, x->kids[i]);
    }
    eddy_strbuf_putc(b, ')');
}

/* Lays x out at column `indent` (the cursor is already there). */
static void render(eddy_strbuf *b, const sx *x, int indent)
{
    if (x->atom || (size_t)indent + x->width <= DUMP_WIDTH) {
        render_flat(b, x);
        return;
    }
    /* the first line holds the tag, the atoms after it, and a first child that is a (name ..)
     * if it fits there, with the atoms after that: `(create-table (name t) :temporary` */
    eddy_strbuf_putc(b, '(');
    size_t col = (size_t)indent + 1;
    bool list_seen = false;
    int i = 0;
    for (; i < x->n; i++) {
        const sx *k = x->kids[i];
        if (!k->atom) {
            if (list_seen || i == 0 || col + 1 + k->width > DUMP_WIDTH || k->n == 0 ||
                !k->kids[0]->atom || strcmp(k->kids[0]->atom, "name") != 0)
                break;
            list_seen = true;
        }
        if (i > 0)
            eddy_strbuf_putc(b, ' ');
        render_flat(b, k);
        col += (i > 0 ? 1 : 0) + k->width;
    }
    for (; i < x->n; i++) {
        eddy_strbuf_printf(b, "\n%*s", indent + 2, "");
        render(b, x->kids[i], indent + 2);
    }
    eddy_strbuf_putc(b, ')');
}

/* ---------------------------------------------------------------------------------------- */
/* Nodes                                                                                     */

static sx *d_expr(dumper *d, const eddy_expr *e);
static sx *d_query(dumper *d, const eddy_query *q);
static sx *d_type(dumper *d, const eddy_sqltype *t);
static sx *d_stmt(dumper *d, const eddy_stmt *s);

static sx *d_name(dumper *d, const eddy_name *n)
{
    if (n == NULL)
        return atom(d, "nil");
    sx *x = list_at(d, "name", &n->pos);
    for (int i = 0; i < n->nparts; i++)
        add(d, x, ident(d, &n->parts[i]));
    return x;
}

/* (tag e ...) for an expression list; NULL gives NULL (left out by the caller). */
static sx *d_expr_list(dumper *d, const char *tag, const eddy_expr_list *l)
{
    if (l == NULL)
        return NULL;
    sx *x = list(d, tag);
    for (int i = 0; i < l->n; i++)
        add(d, x, d_expr(d, l->a[i]));
    return x;
}

static sx *d_ident_list(dumper *d, const char *tag, const eddy_ident_list *l)
{
    if (l == NULL)
        return NULL;
    sx *x = list(d, tag);
    for (int i = 0; i < l->n; i++)
        add(d, x, ident(d, &l->a[i]));
    return x;
}

static sx *d_order_list(dumper *d, const char *tag, const eddy_order_list *l)
{
    if (l == NULL)
        return NULL;
    sx *x = list(d, tag);
    for (int i = 0; i < l->n; i++) {
        sx *k = list(d, "key");
        add(d, k, d_expr(d, l->a[i].expr));
        if (l->a[i].dir > 0)
            add_atom(d, k, ":asc");
        else if (l->a[i].dir < 0)
            add_atom(d, k, ":desc");
        if (l->a[i].nulls > 0)
            add_atom(d, k, ":nulls-first");
        else if (l->a[i].nulls < 0)
            add_atom(d, k, ":nulls-last");
        add(d, x, k);
    }
    return x;
}

static sx *d_option_list(dumper *d, const char *tag, const eddy_option_list *l)
{
    if (l == NULL)
        return NULL;
    sx *x = list(d, tag);
    for (int i = 0; i < l->n; i++) {
        sx *o = list(d, "option");
        add(d, o, str_atom(d, l->a[i].key, &l->a[i].pos));
        add(d, o, str_atom(d, l->a[i].value, &l->a[i].vpos));
        add(d, x, o);
    }
    return x;
}

/* Adds kid when it is not NULL (an optional child). */
static void opt(dumper *d, sx *x, sx *kid)
{
    if (kid)
        add(d, x, kid);
}

/* Adds (tag child) when child is present. */
static void opt_expr(dumper *d, sx *x, const char *tag, const eddy_expr *e)
{
    if (e) {
        sx *t = list(d, tag);
        add(d, t, d_expr(d, e));
        add(d, x, t);
    }
}

static void opt_str(dumper *d, sx *x, const char *tag, const char *s)
{
    if (s) {
        sx *t = list(d, tag);
        add(d, t, str_atom(d, s, NULL));
        add(d, x, t);
    }
}

static const char *unit_name(eddy_time_unit u)
{
    return u == EDDY_UNIT_NONE ? "NONE" : eddy_time_unit_name(u);
}

static sx *d_literal(dumper *d, const eddy_expr *e)
{
    static const char *const kinds[] = {
        [EDDY_LIT_NULL] = "null",         [EDDY_LIT_TRUE] = "true",
        [EDDY_LIT_FALSE] = "false",       [EDDY_LIT_UNKNOWN] = "unknown",
        [EDDY_LIT_INTEGER] = "integer",   [EDDY_LIT_DECIMAL] = "decimal",
        [EDDY_LIT_FLOAT] = "float",       [EDDY_LIT_STRING] = "string",
        [EDDY_LIT_BINARY] = "binary",     [EDDY_LIT_DATE] = "date",
        [EDDY_LIT_TIME] = "time",         [EDDY_LIT_TIMESTAMP] = "timestamp",
        [EDDY_LIT_TIMESTAMP_LTZ] = "timestamp_ltz", [EDDY_LIT_INTERVAL] = "interval",
    };
    sx *x = list_at(d, "lit", &e->pos);
    int k = (int)e->u.lit.kind;
    add_atom(d, x, (k >= 0 && k <= EDDY_LIT_INTERVAL) ? kinds[k] : "?");
    if (e->u.lit.text)
        add(d, x, str_atom(d, e->u.lit.text, NULL));
    flag(d, x, e->u.lit.negative, ":neg");
    if (e->u.lit.from != EDDY_UNIT_NONE || e->u.lit.from_precision != -1) {
        if (e->u.lit.from_precision != -1)
            add(d, x, atomf(d, "%s(%d)", unit_name(e->u.lit.from), e->u.lit.from_precision));
        else
            add_atom(d, x, unit_name(e->u.lit.from));
    }
    if (e->u.lit.to != EDDY_UNIT_NONE || e->u.lit.to_precision != -1) {
        add_atom(d, x, "TO");
        if (e->u.lit.to_precision != -1)
            add(d, x, atomf(d, "%s(%d)", unit_name(e->u.lit.to), e->u.lit.to_precision));
        else
            add_atom(d, x, unit_name(e->u.lit.to));
    }
    return x;
}

static const char *bound_name(eddy_bound_kind k)
{
    switch (k) {
    case EDDY_BOUND_UNBOUNDED_PRECEDING: return "unbounded-preceding";
    case EDDY_BOUND_PRECEDING: return "preceding";
    case EDDY_BOUND_CURRENT_ROW: return "current-row";
    case EDDY_BOUND_FOLLOWING: return "following";
    case EDDY_BOUND_UNBOUNDED_FOLLOWING: return "unbounded-following";
    }
    return "?";
}

static sx *d_bound(dumper *d, const char *tag, const eddy_frame_bound *fb)
{
    sx *x = list(d, tag);
    add_atom(d, x, bound_name(fb->kind));
    if (fb->offset)
        add(d, x, d_expr(d, fb->offset));
    return x;
}

/* (over [(ref w)] [(partition-by ..)] [(order-by ..)] [(rows|range (lo ..) [(hi ..)] :between)]) */
static sx *d_over(dumper *d, const char *tag, const eddy_over *o)
{
    sx *x = list_at(d, tag, &o->pos);
    if (o->ref) {
        sx *r = list(d, "ref");
        add(d, r, ident(d, o->ref));
        add(d, x, r);
    }
    opt(d, x, d_expr_list(d, "partition-by", o->partition));
    opt(d, x, d_order_list(d, "order-by", o->order));
    if (o->frame || o->between) {
        sx *f = list(d, o->frame == 1 ? "rows" : o->frame == 2 ? "range" : "frame-0");
        add(d, f, d_bound(d, "lo", &o->lo));
        if (o->between)
            add(d, f, d_bound(d, "hi", &o->hi));
        flag(d, f, o->between, ":between");
        add(d, x, f);
    }
    /* a bound left set without a frame would otherwise be invisible */
    if (!o->frame && !o->between &&
        (o->lo.kind != 0 || o->lo.offset || o->hi.kind != 0 || o->hi.offset)) {
        add(d, x, d_bound(d, "lo", &o->lo));
        add(d, x, d_bound(d, "hi", &o->hi));
    }
    return x;
}

static const char *syntax_name(eddy_call_syntax s)
{
    switch (s) {
    case EDDY_CALL_PLAIN: return NULL;
    case EDDY_CALL_EXTRACT: return ":extract";
    case EDDY_CALL_FLOOR_TO: return ":floor-to";
    case EDDY_CALL_CEIL_TO: return ":ceil-to";
    case EDDY_CALL_TRIM: return ":trim";
    case EDDY_CALL_SUBSTRING_FROM: return ":substring-from";
    case EDDY_CALL_POSITION_IN: return ":position-in";
    case EDDY_CALL_OVERLAY: return ":overlay";
    case EDDY_CALL_NILADIC: return ":niladic";
    }
    return ":syntax-?";
}

static sx *d_call(dumper *d, const eddy_expr *e)
{
    sx *x = list_at(d, "call", &e->pos);
    add(d, x, d_name(d, e->u.call.func));
    opt(d, x, d_expr_list(d, "args", e->u.call.args));
    flag(d, x, e->u.call.distinct, ":distinct");
    flag(d, x, e->u.call.star, ":star");
    const char *syn = syntax_name(e->u.call.syntax);
    if (syn)
        add_atom(d, x, syn);
    if (e->u.call.trim_side) {
        static const char *const sides[] = {"", ":both", ":leading", ":trailing"};
        int s = e->u.call.trim_side;
        if (s >= 1 && s <= 3)
            add_atom(d, x, sides[s]);
        else
            add(d, x, atomf(d, ":trim-side-%d", s));
    }
    if (e->u.call.nulls_treatment == 1)
        add_atom(d, x, ":ignore-nulls");
    else if (e->u.call.nulls_treatment == 2)
        add_atom(d, x, ":respect-nulls");
    else if (e->u.call.nulls_treatment)
        add(d, x, atomf(d, ":nulls-treatment-%d", e->u.call.nulls_treatment));
    opt(d, x, d_order_list(d, "within-group", e->u.call.within_group));
    opt_expr(d, x, "filter", e->u.call.filter);
    if (e->u.call.over)
        add(d, x, d_over(d, "over", e->u.call.over));
    return x;
}

static sx *d_expr(dumper *d, const eddy_expr *e)
{
    if (e == NULL)
        return atom(d, "nil");
    sx *x;
    switch (e->kind) {
    case EDDY_EXPR_LITERAL:
        return d_literal(d, e);
    case EDDY_EXPR_NAME: {
        x = d_name(d, e->u.name);
        return x;
    }
    case EDDY_EXPR_STAR:
        x = list_at(d, "star", &e->pos);
        if (e->u.star.qualifier)
            add(d, x, d_name(d, e->u.star.qualifier));
        return x;
    case EDDY_EXPR_UNARY:
        x = list_at(d, "unary", &e->pos);
        add_atom(d, x, eddy_ast_op_sql(e->u.unary.op));
        add(d, x, d_expr(d, e->u.unary.arg));
        return x;
    case EDDY_EXPR_BINARY:
        x = list_at(d, "binary", &e->pos);
        add_atom(d, x, eddy_ast_op_sql(e->u.binary.op));
        add(d, x, d_expr(d, e->u.binary.lhs));
        add(d, x, d_expr(d, e->u.binary.rhs));
        return x;
    case EDDY_EXPR_IS: {
        static const char *const what[] = {"null", "true", "false", "unknown", "distinct-from"};
        int w = (int)e->u.is.what;
        x = list_at(d, "is", &e->pos);
        add(d, x, d_expr(d, e->u.is.arg));
        add_atom(d, x, (w >= 0 && w <= EDDY_IS_DISTINCT_FROM) ? what[w] : "?");
        if (e->u.is.rhs)
            add(d, x, d_expr(d, e->u.is.rhs));
        flag(d, x, e->u.is.negated, ":not");
        return x;
    }
    case EDDY_EXPR_BETWEEN:
        x = list_at(d, "between", &e->pos);
        add(d, x, d_expr(d, e->u.between.arg));
        add(d, x, d_expr(d, e->u.between.lo));
        add(d, x, d_expr(d, e->u.between.hi));
        flag(d, x, e->u.between.negated, ":not");
        if (e->u.between.symmetric == 1)
            add_atom(d, x, ":symmetric");
        else if (e->u.between.symmetric == 2)
            add_atom(d, x, ":asymmetric");
        else if (e->u.between.symmetric)
            add(d, x, atomf(d, ":symmetric-%d", e->u.between.symmetric));
        return x;
    case EDDY_EXPR_IN:
        x = list_at(d, "in", &e->pos);
        add(d, x, d_expr(d, e->u.in.arg));
        opt(d, x, d_expr_list(d, "list", e->u.in.list));
        if (e->u.in.query)
            add(d, x, d_query(d, e->u.in.query));
        flag(d, x, e->u.in.negated, ":not");
        return x;
    case EDDY_EXPR_LIKE:
        x = list_at(d, "like", &e->pos);
        add(d, x, d_expr(d, e->u.like.arg));
        add(d, x, d_expr(d, e->u.like.pattern));
        opt_expr(d, x, "escape", e->u.like.escape);
        flag(d, x, e->u.like.negated, ":not");
        flag(d, x, e->u.like.similar, ":similar");
        return x;
    case EDDY_EXPR_CASE: {
        const eddy_expr_list *w = e->u.case_.whens, *t = e->u.case_.thens;
        x = list_at(d, "case", &e->pos);
        opt_expr(d, x, "operand", e->u.case_.operand);
        if (w && t && w->n == t->n) {
            for (int i = 0; i < w->n; i++) {
                sx *wt = list(d, "when");
                add(d, wt, d_expr(d, w->a[i]));
                add(d, wt, d_expr(d, t->a[i]));
                add(d, x, wt);
            }
        } else {
            /* inconsistent lists (a hand-built tree): show them as they are */
            opt(d, x, d_expr_list(d, "whens", w));
            opt(d, x, d_expr_list(d, "thens", t));
        }
        opt_expr(d, x, "else", e->u.case_.else_);
        return x;
    }
    case EDDY_EXPR_CAST:
        x = list_at(d, e->u.cast.try_ ? "try-cast" : "cast", &e->pos);
        add(d, x, d_expr(d, e->u.cast.arg));
        add(d, x, d_type(d, e->u.cast.type));
        return x;
    case EDDY_EXPR_CALL:
        return d_call(d, e);
    case EDDY_EXPR_FIELD:
        x = list_at(d, "field", &e->pos);
        add(d, x, d_expr(d, e->u.field.base));
        add(d, x, ident(d, e->u.field.field));
        return x;
    case EDDY_EXPR_SUBSCRIPT:
        x = list_at(d, "subscript", &e->pos);
        add(d, x, d_expr(d, e->u.subscript.base));
        add(d, x, d_expr(d, e->u.subscript.index));
        return x;
    case EDDY_EXPR_SUBQUERY:
    case EDDY_EXPR_EXISTS:
        x = list_at(d, e->kind == EDDY_EXPR_EXISTS ? "exists" : "subquery", &e->pos);
        add(d, x, d_query(d, e->u.subquery));
        return x;
    case EDDY_EXPR_ROW:
    case EDDY_EXPR_ARRAY:
    case EDDY_EXPR_MAP:
        x = list_at(d, eddy_ast_expr_kind_name(e->kind), &e->pos);
        opt(d, x, d_expr_list(d, "items", e->u.ctor.items));
        flag(d, x, e->u.ctor.explicit_kw, ":kw");
        return x;
    case EDDY_EXPR_TABLE_ARG:
        x = list_at(d, "table-arg", &e->pos);
        if (e->u.table_arg.table)
            add(d, x, d_name(d, e->u.table_arg.table));
        if (e->u.table_arg.query)
            add(d, x, d_query(d, e->u.table_arg.query));
        opt(d, x, d_expr_list(d, "partition-by", e->u.table_arg.partition));
        opt(d, x, d_order_list(d, "order-by", e->u.table_arg.order));
        return x;
    case EDDY_EXPR_DESCRIPTOR:
        x = list_at(d, "descriptor", &e->pos);
        for (int i = 0; e->u.descriptor && i < e->u.descriptor->n; i++)
            add(d, x, ident(d, &e->u.descriptor->a[i]));
        if (e->u.descriptor == NULL)
            add_atom(d, x, "nil");
        return x;
    case EDDY_EXPR_NAMED_ARG:
        x = list_at(d, "named-arg", &e->pos);
        add(d, x, ident(d, e->u.named_arg.name));
        add(d, x, d_expr(d, e->u.named_arg.value));
        return x;
    case EDDY_EXPR_TIME_UNIT:
        x = list_at(d, "time-unit", &e->pos);
        add_atom(d, x, unit_name(e->u.unit));
        return x;
    case EDDY_EXPR__COUNT:
        break;
    }
    x = list_at(d, "?", &e->pos);
    return x;
}

/* ---------------------------------------------------------------------------------------- */
/* Types                                                                                     */

static sx *d_type(dumper *d, const eddy_sqltype *t)
{
    if (t == NULL)
        return atom(d, "nil");
    sx *x = list(d, "type");
    const char *k = eddy_type_kind_name(t->kind);
    if (t->precision != -1 && t->scale != -1)
        add(d, x, atomf(d, "%s(%d,%d)", k, t->precision, t->scale));
    else if (t->precision != -1)
        add(d, x, atomf(d, "%s(%d)", k, t->precision));
    else if (t->scale != -1)
        add(d, x, atomf(d, "%s(,%d)", k, t->scale));
    else
        add_atom(d, x, k);
    if (t->from != EDDY_UNIT_NONE || t->to != EDDY_UNIT_NONE) {
        add_atom(d, x, unit_name(t->from));
        if (t->to != EDDY_UNIT_NONE) {
            add_atom(d, x, "TO");
            add_atom(d, x, unit_name(t->to));
        }
    }
    flag(d, x, t->not_null, ":not-null");
    flag(d, x, t->string_kw, ":string-kw");
    flag(d, x, t->postfix_array, ":postfix");
    flag(d, x, t->paren_row, ":paren-row");
    if (t->elem || t->value)
        add(d, x, d_type(d, t->elem)); /* nil when only value is set */
    if (t->value)
        add(d, x, d_type(d, t->value));
    for (int i = 0; i < t->nfields; i++) {
        sx *f = list(d, "field");
        add(d, f, name_atom(d, t->fields[i].name, false, NULL));
        add(d, f, d_type(d, t->fields[i].type));
        opt_str(d, f, "comment", t->fields[i].comment);
        add(d, x, f);
    }
    opt_str(d, x, "raw", t->raw_class);
    return x;
}

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

static sx *d_tableref(dumper *d, const eddy_tableref *t);

static void d_alias(dumper *d, sx *x, const eddy_tableref *t)
{
    if (t->alias) {
        sx *a = list(d, "alias");
        add(d, a, ident(d, t->alias));
        add(d, x, a);
    }
    opt(d, x, d_ident_list(d, "alias-cols", t->alias_cols));
}

static sx *d_tableref(dumper *d, const eddy_tableref *t)
{
    if (t == NULL)
        return atom(d, "nil");
    sx *x;
    switch (t->kind) {
    case EDDY_TABLEREF_NAME:
        x = list_at(d, "table", &t->pos);
        add(d, x, d_name(d, t->u.table.name));
        opt(d, x, d_option_list(d, "hints", t->u.table.hints));
        opt_expr(d, x, "system-time", t->u.table.system_time);
        break;
    case EDDY_TABLEREF_SUBQUERY:
        x = list_at(d, "derived", &t->pos);
        add(d, x, d_query(d, t->u.subquery));
        break;
    case EDDY_TABLEREF_FUNCTION:
        x = list_at(d, "table-function", &t->pos);
        add(d, x, d_expr(d, t->u.func.call));
        flag(d, x, t->u.func.lateral, ":lateral");
        break;
    case EDDY_TABLEREF_UNNEST:
        x = list_at(d, "unnest", &t->pos);
        opt(d, x, d_expr_list(d, "args", t->u.unnest.args));
        flag(d, x, t->u.unnest.ordinality, ":ordinality");
        break;
    case EDDY_TABLEREF_JOIN: {
        static const char *const kinds[] = {"comma", "inner", "left", "right", "full", "cross"};
        int k = (int)t->u.join.kind;
        x = list_at(d, "join", &t->pos);
        add_atom(d, x, (k >= 0 && k <= EDDY_JOIN_CROSS) ? kinds[k] : "?");
        flag(d, x, t->u.join.natural, ":natural");
        flag(d, x, t->u.join.inner_kw, ":inner-kw");
        flag(d, x, t->u.join.outer_kw, ":outer-kw");
        add(d, x, d_tableref(d, t->u.join.left));
        add(d, x, d_tableref(d, t->u.join.right));
        opt_expr(d, x, "on", t->u.join.on);
        opt(d, x, d_ident_list(d, "using", t->u.join.using_));
        break;
    }
    default:
        x = list_at(d, "?", &t->pos);
        break;
    }
    d_alias(d, x, t);
    return x;
}

static sx *d_select(dumper *d, const eddy_select *s)
{
    if (s == NULL)
        return atom(d, "nil");
    sx *x = list_at(d, "select", &s->pos);
    if (s->quantifier == 1)
        add_atom(d, x, ":distinct");
    else if (s->quantifier == 2)
        add_atom(d, x, ":all");
    else if (s->quantifier)
        add(d, x, atomf(d, ":quantifier-%d", s->quantifier));
    if (s->items) {
        sx *items = list(d, "items");
        for (int i = 0; i < s->items->n; i++) {
            sx *it = list(d, "item");
            add(d, it, d_expr(d, s->items->a[i].expr));
            if (s->items->a[i].alias)
                add(d, it, ident(d, s->items->a[i].alias));
            add(d, items, it);
        }
        add(d, x, items);
    }
    if (s->from) {
        sx *f = list(d, "from");
        add(d, f, d_tableref(d, s->from));
        add(d, x, f);
    }
    opt_expr(d, x, "where", s->where);
    opt(d, x, d_expr_list(d, "group-by", s->group_by));
    opt_expr(d, x, "having", s->having);
    if (s->windows || s->nwindows) {
        sx *ws = list(d, "windows");
        for (int i = 0; s->windows && i < s->nwindows; i++) {
            sx *w = list(d, "window");
            add(d, w, ident(d, s->windows[i].name));
            if (s->windows[i].spec)
                add(d, w, d_over(d, "spec", s->windows[i].spec));
            else
                add_atom(d, w, "nil");
            add(d, ws, w);
        }
        add(d, x, ws);
    }
    return x;
}

static sx *d_query(dumper *d, const eddy_query *q)
{
    if (q == NULL)
        return atom(d, "nil");
    sx *x = list_at(d, "query", &q->pos);
    if (q->with || q->nwith) {
        sx *w = list(d, "with");
        for (int i = 0; q->with && i < q->nwith; i++) {
            sx *c = list(d, "cte");
            add(d, c, ident(d, q->with[i].name));
            opt(d, c, d_ident_list(d, "cols", q->with[i].cols));
            add(d, c, d_query(d, q->with[i].query));
            add(d, w, c);
        }
        add(d, x, w);
    }
    switch (q->kind) {
    case EDDY_QUERY_SELECT:
        add(d, x, d_select(d, q->u.select));
        break;
    case EDDY_QUERY_SETOP: {
        static const char *const ops[] = {"union", "intersect", "except"};
        int op = (int)q->u.setop.op;
        sx *s = list(d, (op >= 0 && op <= EDDY_SETOP_EXCEPT) ? ops[op] : "?");
        if (q->u.setop.quantifier == 1)
            add_atom(d, s, ":distinct");
        else if (q->u.setop.quantifier == 2)
            add_atom(d, s, ":all");
        else if (q->u.setop.quantifier)
            add(d, s, atomf(d, ":quantifier-%d", q->u.setop.quantifier));
        add(d, s, d_query(d, q->u.setop.left));
        add(d, s, d_query(d, q->u.setop.right));
        add(d, x, s);
        break;
    }
    case EDDY_QUERY_VALUES: {
        sx *v = list(d, "values");
        for (int i = 0; i < q->u.values.nrows; i++) {
            sx *r = d_expr_list(d, "row", q->u.values.rows[i]);
            add(d, v, r ? r : atom(d, "nil"));
        }
        add(d, x, v);
        break;
    }
    case EDDY_QUERY_PAREN: {
        sx *p = list(d, "paren");
        add(d, p, d_query(d, q->u.inner));
        add(d, x, p);
        break;
    }
    default:
        add_atom(d, x, "?");
        break;
    }
    opt(d, x, d_order_list(d, "order-by", q->order_by));
    opt_expr(d, x, "limit", q->limit);
    opt_expr(d, x, "offset", q->offset);
    flag(d, x, q->fetch_first, ":fetch-first");
    return x;
}

/* ---------------------------------------------------------------------------------------- */
/* Statements                                                                                */

static sx *d_column(dumper *d, const eddy_column_def *c)
{
    static const char *const kinds[] = {"physical", "computed", "metadata"};
    int k = (int)c->kind;
    sx *x = list_at(d, "column", &c->pos);
    add_atom(d, x, (k >= 0 && k <= EDDY_COLUMN_METADATA) ? kinds[k] : "?");
    add(d, x, ident(d, c->name));
    if (c->type)
        add(d, x, d_type(d, c->type));
    opt_expr(d, x, "as", c->expr);
    opt_str(d, x, "metadata-from", c->metadata_key);
    flag(d, x, c->is_virtual, ":virtual");
    flag(d, x, c->primary_key, ":primary-key");
    opt_str(d, x, "comment", c->comment);
    return x;
}

static sx *d_create_table(dumper *d, const eddy_create_table *ct, const eddy_pos *p)
{
    sx *x = list_at(d, "create-table", p);
    add(d, x, d_name(d, ct->name));
    flag(d, x, ct->temporary, ":temporary");
    flag(d, x, ct->if_not_exists, ":if-not-exists");
    sx *cols = list(d, "columns");
    for (int i = 0; i < ct->ncols; i++)
        add(d, cols, d_column(d, &ct->cols[i]));
    add(d, x, cols);
    if (ct->wm_column || ct->wm_expr) {
        sx *w = list_at(d, "watermark", &ct->wm_pos);
        add(d, w, ident(d, ct->wm_column));
        add(d, w, d_expr(d, ct->wm_expr));
        add(d, x, w);
    }
    if (ct->primary_key) {
        sx *pk = d_ident_list(d, "primary-key", ct->primary_key);
        opt_str(d, pk, "constraint", ct->pk_constraint);
        add(d, x, pk);
    } else {
        opt_str(d, x, "constraint", ct->pk_constraint);
    }
    opt_str(d, x, "comment", ct->comment);
    opt(d, x, d_ident_list(d, "partitioned-by", ct->partitioned_by));
    opt(d, x, d_option_list(d, "with", ct->options));
    if (ct->like) {
        sx *l = list(d, "like");
        add(d, l, d_name(d, ct->like));
        add(d, x, l);
    }
    if (ct->as_query) {
        sx *a = list(d, "as");
        add(d, a, d_query(d, ct->as_query));
        add(d, x, a);
    }
    return x;
}

static const char *object_name(eddy_object_kind k)
{
    switch (k) {
    case EDDY_OBJECT_TABLE: return "table";
    case EDDY_OBJECT_VIEW: return "view";
    case EDDY_OBJECT_FUNCTION: return "function";
    case EDDY_OBJECT_DATABASE: return "database";
    case EDDY_OBJECT_CATALOG: return "catalog";
    }
    return "?";
}

static const char *show_name(eddy_show_kind k)
{
    switch (k) {
    case EDDY_SHOW_TABLES: return "tables";
    case EDDY_SHOW_VIEWS: return "views";
    case EDDY_SHOW_JOBS: return "jobs";
    case EDDY_SHOW_FUNCTIONS: return "functions";
    case EDDY_SHOW_CATALOGS: return "catalogs";
    case EDDY_SHOW_DATABASES: return "databases";
    case EDDY_SHOW_CREATE_TABLE: return "create-table";
    case EDDY_SHOW_CREATE_VIEW: return "create-view";
    }
    return "?";
}

static sx *d_stmt(dumper *d, const eddy_stmt *s)
{
    if (s == NULL)
        return atom(d, "nil");
    const char *tag = s->kind == EDDY_STMT_QUERY ? "query-stmt" : eddy_ast_stmt_kind_name(s->kind);
    sx *x;
    if (s->kind == EDDY_STMT_CREATE_TABLE) {
        x = s->u.create_table ? d_create_table(d, s->u.create_table, &s->pos)
                              : list_at(d, tag, &s->pos);
        if (d->pos)
            add(d, x, atomf(d, "[%zu+%zu]", s->src_off, s->src_len));
        return x;
    }
    x = list_at(d, tag, &s->pos);
    if (d->pos)
        add(d, x, atomf(d, "[%zu+%zu]", s->src_off, s->src_len));
    switch (s->kind) {
    case EDDY_STMT_QUERY:
        add(d, x, d_query(d, s->u.query));
        break;
    case EDDY_STMT_CREATE_TABLE:
        break;
    case EDDY_STMT_CREATE_VIEW:
        add(d, x, d_name(d, s->u.create_view.name));
        flag(d, x, s->u.create_view.temporary, ":temporary");
        flag(d, x, s->u.create_view.if_not_exists, ":if-not-exists");
        opt(d, x, d_ident_list(d, "cols", s->u.create_view.cols));
        opt_str(d, x, "comment", s->u.create_view.comment);
        add(d, x, d_query(d, s->u.create_view.query));
        break;
    case EDDY_STMT_CREATE_FUNCTION:
        add(d, x, d_name(d, s->u.create_function.name));
        flag(d, x, s->u.create_function.temporary, ":temporary");
        flag(d, x, s->u.create_function.temporary_system, ":system");
        flag(d, x, s->u.create_function.if_not_exists, ":if-not-exists");
        add(d, x, str_atom(d, s->u.create_function.class_name, NULL));
        opt_str(d, x, "language", s->u.create_function.language);
        break;
    case EDDY_STMT_DROP:
        add_atom(d, x, object_name(s->u.drop.what));
        add(d, x, d_name(d, s->u.drop.name));
        flag(d, x, s->u.drop.temporary, ":temporary");
        flag(d, x, s->u.drop.if_exists, ":if-exists");
        break;
    case EDDY_STMT_SHOW:
        add_atom(d, x, show_name(s->u.show.what));
        if (s->u.show.name)
            add(d, x, d_name(d, s->u.show.name));
        break;
    case EDDY_STMT_DESCRIBE:
        add(d, x, d_name(d, s->u.describe.name));
        flag(d, x, s->u.describe.extended, ":extended");
        flag(d, x, s->u.describe.desc_kw, ":desc-kw");
        break;
    case EDDY_STMT_SET:
    case EDDY_STMT_RESET:
        if (s->u.set.key)
            add(d, x, str_atom(d, s->u.set.key, NULL));
        if (s->u.set.value) {
            if (!s->u.set.key)
                add_atom(d, x, "nil");
            add(d, x, str_atom(d, s->u.set.value, NULL));
        }
        break;
    case EDDY_STMT_EXPLAIN:
        flag(d, x, s->u.explain.plan_for, ":plan-for");
        opt(d, x, d_ident_list(d, "details", s->u.explain.details));
        add(d, x, d_stmt(d, s->u.explain.stmt));
        break;
    case EDDY_STMT_INSERT:
        add(d, x, d_name(d, s->u.insert.table));
        flag(d, x, s->u.insert.overwrite, ":overwrite");
        opt(d, x, d_option_list(d, "hints", s->u.insert.hints));
        opt(d, x, d_option_list(d, "partition", s->u.insert.partition));
        opt(d, x, d_ident_list(d, "cols", s->u.insert.cols));
        add(d, x, d_query(d, s->u.insert.query));
        break;
    case EDDY_STMT_STATEMENT_SET:
        flag(d, x, s->u.statement_set.execute_kw, ":execute");
        for (int i = 0; i < s->u.statement_set.n; i++)
            add(d, x, d_stmt(d, s->u.statement_set.stmts[i]));
        break;
    case EDDY_STMT_STOP_JOB:
        add(d, x, str_atom(d, s->u.stop_job.job_id, NULL));
        flag(d, x, s->u.stop_job.with_savepoint, ":savepoint");
        flag(d, x, s->u.stop_job.with_drain, ":drain");
        break;
    case EDDY_STMT_USE:
        add(d, x, d_name(d, s->u.use.name));
        flag(d, x, s->u.use.catalog, ":catalog");
        break;
    }
    return x;
}

/* ---------------------------------------------------------------------------------------- */
/* Public                                                                                    */

static void emit(eddy_strbuf *buf, sx *x)
{
    measure(x);
    render(buf, x, 0);
}

void eddy_ast_dump_stmt(eddy_strbuf *buf, const eddy_stmt *stmt, bool with_pos)
{
    dumper d = {eddy_arena_new(0), with_pos};
    emit(buf, d_stmt(&d, stmt));
    eddy_arena_destroy(d.a);
}

void eddy_ast_dump_expr(eddy_strbuf *buf, const eddy_expr *e, bool with_pos)
{
    dumper d = {eddy_arena_new(0), with_pos};
    emit(buf, d_expr(&d, e));
    eddy_arena_destroy(d.a);
}
