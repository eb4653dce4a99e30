/*
 * ast.c: constructors and list appenders for the syntax tree (see ast.h), and the names of
 * operators and node kinds used by messages, the printer and the dump.
 *
 * Everything is allocated in the parse's arena and zeroed, so a new node has every optional
 * child NULL and every flag false. The few numeric fields whose "not written" value is not 0
 * are set here: a type's precision and scale (-1), a literal's INTERVAL precisions (-1).
 *
 * Lists grow by doubling: a full array is copied into one twice its size in the same arena (the
 * old one is simply abandoned; the arena frees it with everything else). Appenders take NULL for
 * "no list yet" and return the list, so grammar actions read `L = append(a, L, x)`.
 */
#include "ast.h"

#include <string.h>

/* Returns an array of at least need elements of size elem, holding the first n elements of
 * old; *cap is updated. Growth doubles, starting at 4. */
static void *grow(eddy_arena *a, void *old, int n, int *cap, int need, size_t elem)
{
    if (need <= *cap && old != NULL)
        return old;
    int ncap = *cap > 0 ? *cap : 4;
    while (ncap < need)
        ncap *= 2;
    void *p = eddy_arena_zalloc(a, (size_t)ncap * elem);
    if (old != NULL && n > 0)
        memcpy(p, old, (size_t)n * elem);
    *cap = ncap;
    return p;
}

eddy_expr *eddy_ast_expr(eddy_arena *a, eddy_expr_kind kind, eddy_pos pos)
{
    eddy_expr *e = eddy_arena_zalloc(a, sizeof *e);
    e->kind = kind;
    e->pos = pos;
    if (kind == EDDY_EXPR_LITERAL) {
        e->u.lit.from_precision = -1;
        e->u.lit.to_precision = -1;
        e->u.lit.from = EDDY_UNIT_NONE;
        e->u.lit.to = EDDY_UNIT_NONE;
    }
    return e;
}

eddy_ident *eddy_ast_ident(eddy_arena *a, const char *text, size_t n, bool quoted, eddy_pos pos)
{
    eddy_ident *id = eddy_arena_zalloc(a, sizeof *id);
    id->name = eddy_arena_strndup(a, text, n);
    id->quoted = quoted;
    id->pos = pos;
    return id;
}

eddy_name *eddy_ast_name(eddy_arena *a, eddy_ident *first)
{
    eddy_name *nm = eddy_arena_zalloc(a, sizeof *nm);
    nm->pos = first->pos;
    return eddy_ast_name_append(a, nm, first);
}

eddy_name *eddy_ast_name_append(eddy_arena *a, eddy_name *name, eddy_ident *part)
{
    if (name == NULL)
        return eddy_ast_name(a, part);
    name->parts = grow(a, name->parts, name->nparts, &name->cap, name->nparts + 1,
                       sizeof *name->parts);
    name->parts[name->nparts++] = *part;
    return name;
}

eddy_expr_list *eddy_ast_expr_list_append(eddy_arena *a, eddy_expr_list *list, eddy_expr *e)
{
    if (list == NULL)
        list = eddy_arena_zalloc(a, sizeof *list);
    list->a = grow(a, list->a, list->n, &list->cap, list->n + 1, sizeof *list->a);
    list->a[list->n++] = e;
    return list;
}

eddy_select_list *eddy_ast_select_list_append(eddy_arena *a, eddy_select_list *list,
                                              eddy_expr *e, eddy_ident *alias)
{
    if (list == NULL)
        list = eddy_arena_zalloc(a, sizeof *list);
    list->a = grow(a, list->a, list->n, &list->cap, list->n + 1, sizeof *list->a);
    list->a[list->n].expr = e;
    list->a[list->n].alias = alias;
    list->n++;
    return list;
}

eddy_order_list *eddy_ast_order_list_append(eddy_arena *a, eddy_order_list *list, eddy_expr *e,
                                            int dir, int nulls)
{
    if (list == NULL)
        list = eddy_arena_zalloc(a, sizeof *list);
    list->a = grow(a, list->a, list->n, &list->cap, list->n + 1, sizeof *list->a);
    list->a[list->n].expr = e;
    list->a[list->n].dir = dir;
    list->a[list->n].nulls = nulls;
    list->n++;
    return list;
}

eddy_option_list *eddy_ast_option_list_append(eddy_arena *a, eddy_option_list *list,
                                              const char *key, eddy_pos pos, const char *value,
                                              eddy_pos vpos)
{
    if (list == NULL)
        list = eddy_arena_zalloc(a, sizeof *list);
    list->a = grow(a, list->a, list->n, &list->cap, list->n + 1, sizeof *list->a);
    eddy_option *o = &list->a[list->n++];
    o->key = key;
    o->value = value;
    o->pos = pos;
    o->vpos = vpos;
    return list;
}

eddy_ident_list *eddy_ast_ident_list_append(eddy_arena *a, eddy_ident_list *list, eddy_ident *id)
{
    if (list == NULL)
        list = eddy_arena_zalloc(a, sizeof *list);
    list->a = grow(a, list->a, list->n, &list->cap, list->n + 1, sizeof *list->a);
    list->a[list->n++] = *id;
    return list;
}

eddy_tableref_list *eddy_ast_tableref_list_append(eddy_arena *a, eddy_tableref_list *list,
                                                  eddy_tableref *t)
{
    if (list == NULL)
        list = eddy_arena_zalloc(a, sizeof *list);
    list->a = grow(a, list->a, list->n, &list->cap, list->n + 1, sizeof *list->a);
    list->a[list->n++] = t;
    return list;
}

eddy_tableref *eddy_ast_tableref(eddy_arena *a, eddy_tableref_kind kind, eddy_pos pos)
{
    eddy_tableref *t = eddy_arena_zalloc(a, sizeof *t);
    t->kind = kind;
    t->pos = pos;
    return t;
}

eddy_select *eddy_ast_select(eddy_arena *a, eddy_pos pos)
{
    eddy_select *s = eddy_arena_zalloc(a, sizeof *s);
    s->pos = pos;
    return s;
}

eddy_query *eddy_ast_query(eddy_arena *a, eddy_query_kind kind, eddy_pos pos)
{
    eddy_query *q = eddy_arena_zalloc(a, sizeof *q);
    q->kind = kind;
    q->pos = pos;
    return q;
}

eddy_query *eddy_ast_values_append(eddy_arena *a, eddy_query *values, eddy_expr_list *row)
{
    if (values == NULL)
        values = eddy_ast_query(a, EDDY_QUERY_VALUES, (eddy_pos){0, 0, 0});
    values->u.values.rows = grow(a, values->u.values.rows, values->u.values.nrows,
                                 &values->u.values.cap, values->u.values.nrows + 1,
                                 sizeof *values->u.values.rows);
    values->u.values.rows[values->u.values.nrows++] = row;
    return values;
}

eddy_stmt *eddy_ast_stmt(eddy_arena *a, eddy_stmt_kind kind, eddy_pos pos)
{
    eddy_stmt *s = eddy_arena_zalloc(a, sizeof *s);
    s->kind = kind;
    s->pos = pos;
    return s;
}

eddy_create_table *eddy_ast_create_table(eddy_arena *a)
{
    return eddy_arena_zalloc(a, sizeof(eddy_create_table));
}

void eddy_ast_create_table_add_column(eddy_arena *a, eddy_create_table *ct, eddy_column_def col)
{
    ct->cols = grow(a, ct->cols, ct->ncols, &ct->cap, ct->ncols + 1, sizeof *ct->cols);
    ct->cols[ct->ncols++] = col;
}

eddy_stmt *eddy_ast_statement_set_append(eddy_arena *a, eddy_stmt *set, eddy_stmt *insert)
{
    if (set == NULL)
        set = eddy_ast_stmt(a, EDDY_STMT_STATEMENT_SET, insert ? insert->pos : (eddy_pos){0, 0, 0});
    set->u.statement_set.stmts = grow(a, set->u.statement_set.stmts, set->u.statement_set.n,
                                      &set->u.statement_set.cap, set->u.statement_set.n + 1,
                                      sizeof *set->u.statement_set.stmts);
    set->u.statement_set.stmts[set->u.statement_set.n++] = insert;
    return set;
}

eddy_sqltype *eddy_ast_type(eddy_arena *a, eddy_type_kind kind)
{
    eddy_sqltype *t = eddy_arena_zalloc(a, sizeof *t);
    t->kind = kind;
    t->precision = -1;
    t->scale = -1;
    t->from = EDDY_UNIT_NONE;
    t->to = EDDY_UNIT_NONE;
    return t;
}

void eddy_ast_type_add_field(eddy_arena *a, eddy_sqltype *row, const char *name,
                             eddy_sqltype *type, const char *comment)
{
    /* eddy_sqltype has no capacity field: the capacity is the smallest power of two (>= 4)
     * holding nfields, so the array is full exactly when nfields is such a power. */
    int n = row->nfields;
    int cap = 4;
    while (cap < n)
        cap *= 2;
    if (row->fields == NULL || n == cap) {
        int ncap = row->fields == NULL ? 4 : cap * 2;
        eddy_sqlfield *f = eddy_arena_zalloc(a, (size_t)ncap * sizeof *f);
        if (n > 0)
            memcpy(f, row->fields, (size_t)n * sizeof *f);
        row->fields = f;
    }
    row->fields[n].name = name;
    row->fields[n].type = type;
    row->fields[n].comment = comment;
    row->nfields = n + 1;
}

eddy_over *eddy_ast_over(eddy_arena *a, eddy_pos pos)
{
    eddy_over *o = eddy_arena_zalloc(a, sizeof *o);
    o->pos = pos;
    return o;
}

void eddy_ast_script_append(eddy_script *s, eddy_stmt *stmt)
{
    s->stmts = grow(s->arena, s->stmts, s->n, &s->cap, s->n + 1, sizeof *s->stmts);
    s->stmts[s->n++] = stmt;
}

const char *eddy_ast_op_sql(eddy_op op)
{
    switch (op) {
    case EDDY_OP_NONE: return "";
    case EDDY_OP_NEG: return "-";
    case EDDY_OP_PLUS: return "+";
    case EDDY_OP_NOT: return "NOT";
    case EDDY_OP_ADD: return "+";
    case EDDY_OP_SUB: return "-";
    case EDDY_OP_MUL: return "*";
    case EDDY_OP_DIV: return "/";
    case EDDY_OP_MOD: return "%";
    case EDDY_OP_CONCAT: return "||";
    case EDDY_OP_EQ: return "=";
    case EDDY_OP_NE: return "<>";
    case EDDY_OP_LT: return "<";
    case EDDY_OP_LE: return "<=";
    case EDDY_OP_GT: return ">";
    case EDDY_OP_GE: return ">=";
    case EDDY_OP_AND: return "AND";
    case EDDY_OP_OR: return "OR";
    }
    return "?";
}

const char *eddy_ast_expr_kind_name(eddy_expr_kind k)
{
    static const char *const names[EDDY_EXPR__COUNT] = {
        [EDDY_EXPR_LITERAL] = "lit",
        [EDDY_EXPR_NAME] = "name",
        [EDDY_EXPR_STAR] = "star",
        [EDDY_EXPR_UNARY] = "unary",
        [EDDY_EXPR_BINARY] = "binary",
        [EDDY_EXPR_IS] = "is",
        [EDDY_EXPR_BETWEEN] = "between",
        [EDDY_EXPR_IN] = "in",
        [EDDY_EXPR_LIKE] = "like",
        [EDDY_EXPR_CASE] = "case",
        [EDDY_EXPR_CAST] = "cast",
        [EDDY_EXPR_CALL] = "call",
        [EDDY_EXPR_FIELD] = "field",
        [EDDY_EXPR_SUBSCRIPT] = "subscript",
        [EDDY_EXPR_SUBQUERY] = "subquery",
        [EDDY_EXPR_EXISTS] = "exists",
        [EDDY_EXPR_ROW] = "row",
        [EDDY_EXPR_ARRAY] = "array",
        [EDDY_EXPR_MAP] = "map",
        [EDDY_EXPR_TABLE_ARG] = "table-arg",
        [EDDY_EXPR_DESCRIPTOR] = "descriptor",
        [EDDY_EXPR_NAMED_ARG] = "named-arg",
        [EDDY_EXPR_TIME_UNIT] = "time-unit",
    };
    return ((int)k >= 0 && k < EDDY_EXPR__COUNT && names[k]) ? names[k] : "?";
}

const char *eddy_ast_stmt_kind_name(eddy_stmt_kind k)
{
    switch (k) {
    case EDDY_STMT_QUERY: return "query";
    case EDDY_STMT_CREATE_TABLE: return "create-table";
    case EDDY_STMT_CREATE_VIEW: return "create-view";
    case EDDY_STMT_CREATE_FUNCTION: return "create-function";
    case EDDY_STMT_DROP: return "drop";
    case EDDY_STMT_SHOW: return "show";
    case EDDY_STMT_DESCRIBE: return "describe";
    case EDDY_STMT_SET: return "set";
    case EDDY_STMT_RESET: return "reset";
    case EDDY_STMT_EXPLAIN: return "explain";
    case EDDY_STMT_INSERT: return "insert";
    case EDDY_STMT_STATEMENT_SET: return "statement-set";
    case EDDY_STMT_STOP_JOB: return "stop-job";
    case EDDY_STMT_USE: return "use";
    }
    return "?";
}
