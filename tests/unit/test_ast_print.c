/*
 * test_ast_print.c: the syntax tree's constructors (parser/ast.c), its SQL printer
 * (ast_print.c) and its S-expression dump (ast_dump.c), on trees built by hand, so that these
 * tests need no parser: expressions with and without parentheses, calls in their special
 * syntaxes, types, CREATE TABLE, a windowed SELECT, joins, set operations and the other
 * statements; plus list growth in the arena.
 *
 * Then the round trip through the parser: for the published Nexmark queries (when
 * ../shared/nexmark exists) and a list of statements of our own, parse(print(parse(q))) must
 * dump exactly like parse(q), and printing must be a fixpoint (print(parse(print(t))) ==
 * print(t)).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/arena.h"
#include "common/placeholders.h"
#include "common/strbuf.h"
#include "parser/ast.h"
#include "parser/parser.h"

/* ---------------------------------------------------------------------------------------- */
/* Tree building helpers: A is the arena of the running test.                                */

static eddy_arena *A;
static const eddy_pos P0 = {1, 1, 0};

static eddy_ident *id(const char *s)
{
    return eddy_ast_ident(A, s, strlen(s), false, P0);
}

static eddy_ident *qid(const char *s)
{
    return eddy_ast_ident(A, s, strlen(s), true, P0);
}

/* A dotted name from "a.b.c" (parts unquoted) */
static eddy_name *nm(const char *dotted)
{
    eddy_name *n = NULL;
    const char *p = dotted;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        n = eddy_ast_name_append(A, n, eddy_ast_ident(A, p, len, false, P0));
        if (!dot)
            break;
        p = dot + 1;
    }
    return n;
}

static eddy_expr *col(const char *dotted)
{
    eddy_expr *e = eddy_ast_expr(A, EDDY_EXPR_NAME, P0);
    e->u.name = nm(dotted);
    return e;
}

/* a column whose last part is quoted: qcol("b", "dateTime") is b.`dateTime` */
static eddy_expr *qcol(const char *qual, const char *quoted)
{
    eddy_expr *e = eddy_ast_expr(A, EDDY_EXPR_NAME, P0);
    e->u.name = qual ? eddy_ast_name_append(A, nm(qual), qid(quoted)) : eddy_ast_name(A, qid(quoted));
    return e;
}

static eddy_expr *lit(eddy_lit_kind k, const char *text)
{
    eddy_expr *e = eddy_ast_expr(A, EDDY_EXPR_LITERAL, P0);
    e->u.lit.kind = k;
    e->u.lit.text = text;
    return e;
}

static eddy_expr *num(const char *digits)
{
    return lit(EDDY_LIT_INTEGER, digits);
}

static eddy_expr *str(const char *s)
{
    return lit(EDDY_LIT_STRING, s);
}

static eddy_expr *interval(const char *text, eddy_time_unit from)
{
    eddy_expr *e = lit(EDDY_LIT_INTERVAL, text);
    e->u.lit.from = from;
    return e;
}

static eddy_expr *bin(eddy_op op, eddy_expr *l, eddy_expr *r)
{
    eddy_expr *e = eddy_ast_expr(A, EDDY_EXPR_BINARY, P0);
    e->u.binary.op = op;
    e->u.binary.lhs = l;
    e->u.binary.rhs = r;
    return e;
}

static eddy_expr *un(eddy_op op, eddy_expr *x)
{
    eddy_expr *e = eddy_ast_expr(A, EDDY_EXPR_UNARY, P0);
    e->u.unary.op = op;
    e->u.unary.arg = x;
    return e;
}

static eddy_expr_list *elist(int n, ...)
{
    eddy_expr_list *l = NULL;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        l = eddy_ast_expr_list_append(A, l, va_arg(ap, eddy_expr *));
    va_end(ap);
    if (l == NULL)
        l = eddy_arena_zalloc(A, sizeof *l); /* present but empty */
    return l;
}

static eddy_expr *call(const char *fname, eddy_expr_list *args)
{
    eddy_expr *e = eddy_ast_expr(A, EDDY_EXPR_CALL, P0);
    e->u.call.func = nm(fname);
    e->u.call.args = args;
    return e;
}

static eddy_expr *unit(eddy_time_unit u)
{
    eddy_expr *e = eddy_ast_expr(A, EDDY_EXPR_TIME_UNIT, P0);
    e->u.unit = u;
    return e;
}

static eddy_ident_list *ilist(int n, ...)
{
    eddy_ident_list *l = NULL;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        l = eddy_ast_ident_list_append(A, l, va_arg(ap, eddy_ident *));
    va_end(ap);
    return l;
}

static eddy_sqltype *ty(eddy_type_kind k)
{
    return eddy_ast_type(A, k);
}

static eddy_sqltype *typ(eddy_type_kind k, int precision)
{
    eddy_sqltype *t = eddy_ast_type(A, k);
    t->precision = precision;
    return t;
}

static eddy_tableref *tref(const char *name, const char *alias)
{
    eddy_tableref *t = eddy_ast_tableref(A, EDDY_TABLEREF_NAME, P0);
    t->u.table.name = nm(name);
    t->alias = alias ? id(alias) : NULL;
    return t;
}

static eddy_tableref *join(eddy_join_kind k, eddy_tableref *l, eddy_tableref *r, eddy_expr *on)
{
    eddy_tableref *t = eddy_ast_tableref(A, EDDY_TABLEREF_JOIN, P0);
    t->u.join.kind = k;
    t->u.join.left = l;
    t->u.join.right = r;
    t->u.join.on = on;
    return t;
}

/* SELECT items FROM from: a query of kind SELECT */
static eddy_query *select_q(eddy_select_list *items, eddy_tableref *from)
{
    eddy_query *q = eddy_ast_query(A, EDDY_QUERY_SELECT, P0);
    q->u.select = eddy_ast_select(A, P0);
    q->u.select->items = items;
    q->u.select->from = from;
    return q;
}

static eddy_select_list *items1(eddy_expr *e, const char *alias)
{
    return eddy_ast_select_list_append(A, NULL, e, alias ? id(alias) : NULL);
}

static eddy_expr *star(void)
{
    return eddy_ast_expr(A, EDDY_EXPR_STAR, P0);
}

static eddy_stmt *query_stmt(eddy_query *q)
{
    eddy_stmt *s = eddy_ast_stmt(A, EDDY_STMT_QUERY, P0);
    s->u.query = q;
    return s;
}

/* ---------------------------------------------------------------------------------------- */
/* Checking helpers                                                                          */

#define CHECK_EXPR(e, want) check_expr((e), (want), __LINE__)
#define CHECK_STMT(s, want) check_stmt((s), (want), __LINE__)
#define CHECK_TYPE(t, want) check_type((t), (want), __LINE__)
#define CHECK_EXPR_DUMP(e, want) check_expr_dump((e), (want), __LINE__)
#define CHECK_STMT_DUMP(s, want) check_stmt_dump((s), (want), __LINE__)

/* Compares the text in b with want, frees b, and fails the test (after freeing) if they
 * differ, so that a failure leaks nothing under the sanitizers. */
static void same_free(eddy_strbuf *b, const char *want, int line)
{
    const char *got = eddy_strbuf_cstr(b);
    bool ok = strcmp(got, want) == 0;
    if (!ok)
        print_error("line %d:\n  want: %s\n  got:  %s\n", line, want, got);
    eddy_strbuf_free(b);
    if (!ok)
        fail();
}

static void check_expr(const eddy_expr *e, const char *want, int line)
{
    eddy_strbuf b = {0};
    eddy_ast_print_expr(&b, e);
    same_free(&b, want, line);
}

static void check_stmt(const eddy_stmt *s, const char *want, int line)
{
    eddy_strbuf b = {0};
    eddy_ast_print_stmt(&b, s);
    same_free(&b, want, line);
}

static void check_type(const eddy_sqltype *t, const char *want, int line)
{
    eddy_strbuf b = {0};
    eddy_ast_print_type(&b, t);
    same_free(&b, want, line);
}

static void check_expr_dump(const eddy_expr *e, const char *want, int line)
{
    eddy_strbuf b = {0};
    eddy_ast_dump_expr(&b, e, false);
    same_free(&b, want, line);
}

static void check_stmt_dump(const eddy_stmt *s, const char *want, int line)
{
    eddy_strbuf b = {0};
    eddy_ast_dump_stmt(&b, s, false);
    same_free(&b, want, line);
}

static int setup(void **state)
{
    (void)state;
    A = eddy_arena_new(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eddy_arena_destroy(A);
    A = NULL;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Tests                                                                                     */

static void test_constructors(void **state)
{
    (void)state;
    /* defaults that are not zero */
    eddy_sqltype *t = eddy_ast_type(A, EDDY_TYPE_VARCHAR);
    assert_int_equal(t->precision, -1);
    assert_int_equal(t->scale, -1);
    eddy_expr *l = eddy_ast_expr(A, EDDY_EXPR_LITERAL, P0);
    assert_int_equal(l->u.lit.from_precision, -1);
    assert_int_equal(l->u.lit.to_precision, -1);
    assert_int_equal(l->u.lit.to, EDDY_UNIT_NONE);

    /* lists grow by doubling and keep their elements */
    eddy_expr_list *el = NULL;
    eddy_ident_list *il = NULL;
    eddy_order_list *ol = NULL;
    eddy_option_list *opl = NULL;
    eddy_select_list *sl = NULL;
    eddy_tableref_list *tl = NULL;
    eddy_name *n = NULL;
    eddy_create_table *ct = eddy_ast_create_table(A);
    eddy_query *values = NULL;
    eddy_stmt *set = NULL;
    eddy_sqltype *row = eddy_ast_type(A, EDDY_TYPE_ROW);
    char buf[32];
    for (int i = 0; i < 100; i++) {
        snprintf(buf, sizeof buf, "c%d", i);
        eddy_expr *e = num(eddy_arena_strdup(A, buf));
        el = eddy_ast_expr_list_append(A, el, e);
        il = eddy_ast_ident_list_append(A, il, id(eddy_arena_strdup(A, buf)));
        ol = eddy_ast_order_list_append(A, ol, e, i % 2 ? 1 : -1, 0);
        opl = eddy_ast_option_list_append(A, opl, eddy_arena_strdup(A, buf), P0, "v", P0);
        sl = eddy_ast_select_list_append(A, sl, e, NULL);
        tl = eddy_ast_tableref_list_append(A, tl, tref(buf, NULL));
        n = eddy_ast_name_append(A, n, id(eddy_arena_strdup(A, buf)));
        eddy_column_def c = {.kind = EDDY_COLUMN_PHYSICAL, .name = id(eddy_arena_strdup(A, buf)),
                             .type = ty(EDDY_TYPE_INT)};
        eddy_ast_create_table_add_column(A, ct, c);
        values = eddy_ast_values_append(A, values, elist(1, e));
        set = eddy_ast_statement_set_append(A, set, eddy_ast_stmt(A, EDDY_STMT_INSERT, P0));
        eddy_ast_type_add_field(A, row, eddy_arena_strdup(A, buf), ty(EDDY_TYPE_INT), NULL);
    }
    assert_int_equal(el->n, 100);
    assert_true(el->cap >= 100);
    assert_int_equal(il->n, 100);
    assert_int_equal(ol->n, 100);
    assert_int_equal(opl->n, 100);
    assert_int_equal(sl->n, 100);
    assert_int_equal(tl->n, 100);
    assert_int_equal(n->nparts, 100);
    assert_int_equal(ct->ncols, 100);
    assert_int_equal(values->kind, EDDY_QUERY_VALUES);
    assert_int_equal(values->u.values.nrows, 100);
    assert_int_equal(set->kind, EDDY_STMT_STATEMENT_SET);
    assert_int_equal(set->u.statement_set.n, 100);
    assert_int_equal(row->nfields, 100);
    for (int i = 0; i < 100; i++) {
        snprintf(buf, sizeof buf, "c%d", i);
        assert_string_equal(el->a[i]->u.lit.text, buf);
        assert_string_equal(il->a[i].name, buf);
        assert_int_equal(ol->a[i].dir, i % 2 ? 1 : -1);
        assert_string_equal(opl->a[i].key, buf);
        assert_string_equal(sl->a[i].expr->u.lit.text, buf);
        assert_string_equal(tl->a[i]->u.table.name->parts[0].name, buf);
        assert_string_equal(n->parts[i].name, buf);
        assert_string_equal(ct->cols[i].name->name, buf);
        assert_string_equal(values->u.values.rows[i]->a[0]->u.lit.text, buf);
        assert_string_equal(row->fields[i].name, buf);
        assert_int_equal(row->fields[i].type->kind, EDDY_TYPE_INT);
    }

    /* the script's statements live in its arena */
    eddy_script s = {.arena = A};
    for (int i = 0; i < 40; i++)
        eddy_ast_script_append(&s, query_stmt(select_q(items1(num("1"), NULL), NULL)));
    assert_int_equal(s.n, 40);

    assert_string_equal(eddy_ast_op_sql(EDDY_OP_NE), "<>");
    assert_string_equal(eddy_ast_op_sql(EDDY_OP_AND), "AND");
    assert_string_equal(eddy_ast_expr_kind_name(EDDY_EXPR_BINARY), "binary");
    assert_string_equal(eddy_ast_stmt_kind_name(EDDY_STMT_CREATE_TABLE), "create-table");
}

static void test_precedence(void **state)
{
    (void)state;
    eddy_expr *a = col("a"), *b = col("b"), *c = col("c");
    CHECK_EXPR(bin(EDDY_OP_MUL, bin(EDDY_OP_ADD, a, b), c), "(a + b) * c");
    CHECK_EXPR(bin(EDDY_OP_ADD, a, bin(EDDY_OP_MUL, b, c)), "a + b * c");
    CHECK_EXPR(bin(EDDY_OP_SUB, bin(EDDY_OP_SUB, a, b), c), "a - b - c");
    CHECK_EXPR(bin(EDDY_OP_SUB, a, bin(EDDY_OP_SUB, b, c)), "a - (b - c)");
    CHECK_EXPR(bin(EDDY_OP_CONCAT, a, bin(EDDY_OP_ADD, b, c)), "a || (b + c)");
    CHECK_EXPR(bin(EDDY_OP_OR, a, bin(EDDY_OP_AND, b, c)), "a OR b AND c");
    CHECK_EXPR(bin(EDDY_OP_AND, bin(EDDY_OP_OR, a, b), c), "(a OR b) AND c");
    CHECK_EXPR(bin(EDDY_OP_AND, a, bin(EDDY_OP_AND, b, c)), "a AND (b AND c)");
    CHECK_EXPR(un(EDDY_OP_NOT, bin(EDDY_OP_AND, a, b)), "NOT (a AND b)");
    CHECK_EXPR(bin(EDDY_OP_AND, un(EDDY_OP_NOT, a), b), "NOT a AND b");
    CHECK_EXPR(un(EDDY_OP_NOT, bin(EDDY_OP_EQ, a, b)), "NOT a = b");
    CHECK_EXPR(bin(EDDY_OP_EQ, un(EDDY_OP_NOT, a), b), "(NOT a) = b");
    CHECK_EXPR(bin(EDDY_OP_EQ, bin(EDDY_OP_EQ, a, b), c), "(a = b) = c");
    CHECK_EXPR(bin(EDDY_OP_LE, bin(EDDY_OP_ADD, a, num("1")), bin(EDDY_OP_MOD, b, num("2"))),
               "a + 1 <= b % 2");
    CHECK_EXPR(un(EDDY_OP_NEG, bin(EDDY_OP_MUL, a, b)), "-(a * b)");
    CHECK_EXPR(bin(EDDY_OP_MUL, un(EDDY_OP_NEG, a), b), "-a * b");
    CHECK_EXPR(un(EDDY_OP_NEG, un(EDDY_OP_NEG, num("1"))), "- -1");
    CHECK_EXPR(bin(EDDY_OP_SUB, a, un(EDDY_OP_NEG, num("1"))), "a - -1");
    CHECK_EXPR(un(EDDY_OP_PLUS, a), "+a");

    eddy_expr *is = eddy_ast_expr(A, EDDY_EXPR_IS, P0);
    is->u.is.arg = bin(EDDY_OP_EQ, a, b);
    is->u.is.what = EDDY_IS_NULL;
    is->u.is.negated = true;
    CHECK_EXPR(is, "a = b IS NOT NULL"); /* IS binds looser than = */
    CHECK_EXPR(bin(EDDY_OP_OR, is, c), "a = b IS NOT NULL OR c");
    CHECK_EXPR(bin(EDDY_OP_EQ, is, c), "(a = b IS NOT NULL) = c");
    CHECK_EXPR(un(EDDY_OP_NOT, is), "NOT a = b IS NOT NULL");
    eddy_expr *dist = eddy_ast_expr(A, EDDY_EXPR_IS, P0);
    dist->u.is.arg = a;
    dist->u.is.what = EDDY_IS_DISTINCT_FROM;
    dist->u.is.rhs = bin(EDDY_OP_ADD, b, c);
    CHECK_EXPR(dist, "a IS DISTINCT FROM b + c");

    /* q7: B.`dateTime` BETWEEN B1.`dateTime` - INTERVAL '10' SECOND AND B1.`dateTime` */
    eddy_expr *bt = eddy_ast_expr(A, EDDY_EXPR_BETWEEN, P0);
    bt->u.between.arg = qcol("B", "dateTime");
    bt->u.between.lo = bin(EDDY_OP_SUB, qcol("B1", "dateTime"), interval("10", EDDY_UNIT_SECOND));
    bt->u.between.hi = qcol("B1", "dateTime");
    CHECK_EXPR(bt, "B.`dateTime` BETWEEN B1.`dateTime` - INTERVAL '10' SECOND AND B1.`dateTime`");
    bt->u.between.negated = true;
    bt->u.between.symmetric = 1;
    bt->u.between.hi = bin(EDDY_OP_AND, a, b);
    CHECK_EXPR(bt, "B.`dateTime` NOT BETWEEN SYMMETRIC B1.`dateTime` - INTERVAL '10' SECOND "
                   "AND (a AND b)");

    eddy_expr *in = eddy_ast_expr(A, EDDY_EXPR_IN, P0);
    in->u.in.arg = a;
    in->u.in.list = elist(3, num("1"), num("2"), str("x"));
    in->u.in.negated = true;
    CHECK_EXPR(in, "a NOT IN (1, 2, 'x')");
    /* IN, BETWEEN, LIKE bind tighter than comparisons */
    CHECK_EXPR(bin(EDDY_OP_EQ, col("x"), in), "x = a NOT IN (1, 2, 'x')");
    eddy_expr *in2 = eddy_ast_expr(A, EDDY_EXPR_IN, P0);
    in2->u.in.arg = bin(EDDY_OP_EQ, col("x"), col("y"));
    in2->u.in.list = elist(1, lit(EDDY_LIT_TRUE, NULL));
    CHECK_EXPR(in2, "(x = y) IN (TRUE)");

    eddy_expr *like = eddy_ast_expr(A, EDDY_EXPR_LIKE, P0);
    like->u.like.arg = bin(EDDY_OP_CONCAT, a, b);
    like->u.like.pattern = str("%it's%");
    like->u.like.escape = str("\\");
    CHECK_EXPR(like, "a || b LIKE '%it''s%' ESCAPE '\\'");
    like->u.like.similar = true;
    like->u.like.negated = true;
    like->u.like.escape = NULL;
    CHECK_EXPR(like, "a || b NOT SIMILAR TO '%it''s%'");

    /* postfix: subscripts and fields */
    eddy_expr *sub = eddy_ast_expr(A, EDDY_EXPR_SUBSCRIPT, P0);
    sub->u.subscript.base = col("m");
    sub->u.subscript.index = str("k");
    CHECK_EXPR(sub, "m['k']");
    eddy_expr *arr = eddy_ast_expr(A, EDDY_EXPR_ARRAY, P0);
    arr->u.ctor.items = elist(2, num("1"), num("2"));
    eddy_expr *sub2 = eddy_ast_expr(A, EDDY_EXPR_SUBSCRIPT, P0);
    sub2->u.subscript.base = arr;
    sub2->u.subscript.index = num("1");
    CHECK_EXPR(sub2, "ARRAY[1, 2][1]");
    eddy_expr *sub3 = eddy_ast_expr(A, EDDY_EXPR_SUBSCRIPT, P0);
    sub3->u.subscript.base = bin(EDDY_OP_CONCAT, col("a"), col("b"));
    sub3->u.subscript.index = num("1");
    CHECK_EXPR(sub3, "(a || b)[1]");
    eddy_expr *fld = eddy_ast_expr(A, EDDY_EXPR_FIELD, P0);
    fld->u.field.base = call("f", elist(1, a));
    fld->u.field.field = qid("my field");
    CHECK_EXPR(fld, "f(a).`my field`");
    fld->u.field.base = col("r");
    CHECK_EXPR(fld, "(r).`my field`"); /* r.`my field` would be a dotted name */
    fld->u.field.base = sub;
    CHECK_EXPR(fld, "m['k'].`my field`");

    /* literals and identifiers */
    CHECK_EXPR(str("it's"), "'it''s'");
    CHECK_EXPR(lit(EDDY_LIT_BINARY, "0AFF"), "X'0AFF'");
    CHECK_EXPR(lit(EDDY_LIT_DATE, "2020-01-01"), "DATE '2020-01-01'");
    CHECK_EXPR(lit(EDDY_LIT_TIMESTAMP, "2020-01-01 00:00:00.000"),
               "TIMESTAMP '2020-01-01 00:00:00.000'");
    CHECK_EXPR(lit(EDDY_LIT_DECIMAL, ".5"), ".5");
    CHECK_EXPR(lit(EDDY_LIT_NULL, NULL), "NULL");
    CHECK_EXPR(lit(EDDY_LIT_UNKNOWN, NULL), "UNKNOWN");
    eddy_expr *iv = interval("1:30", EDDY_UNIT_MINUTE);
    iv->u.lit.negative = true;
    iv->u.lit.to = EDDY_UNIT_SECOND;
    iv->u.lit.to_precision = 3;
    CHECK_EXPR(iv, "INTERVAL -'1:30' MINUTE TO SECOND(3)");
    CHECK_EXPR(qcol(NULL, "we`ird"), "`we``ird`");
    CHECK_EXPR(col("t.window_start"), "t.window_start");
    eddy_expr *st = star();
    CHECK_EXPR(st, "*");
    st->u.star.qualifier = nm("t");
    CHECK_EXPR(st, "t.*");

    /* the dump */
    CHECK_EXPR_DUMP(bin(EDDY_OP_ADD, col("a"), num("1")), "(binary + (name a) (lit integer \"1\"))");
    CHECK_EXPR_DUMP(qcol("B", "dateTime"), "(name B `dateTime`)");
    CHECK_EXPR_DUMP(iv, "(lit interval \"1:30\" :neg MINUTE TO SECOND(3))");
    CHECK_EXPR_DUMP(is, "(is (binary = (name a) (name b)) null :not)");
    CHECK_EXPR_DUMP(str("say \"hi\"\n"), "(lit string \"say \\\"hi\\\"\\n\")");
}

static void test_calls(void **state)
{
    (void)state;
    eddy_expr *e;

    e = call("EXTRACT", elist(2, unit(EDDY_UNIT_HOUR), col("ts")));
    e->u.call.syntax = EDDY_CALL_EXTRACT;
    CHECK_EXPR(e, "EXTRACT(HOUR FROM ts)");

    e = call("FLOOR", elist(2, col("ts"), unit(EDDY_UNIT_MINUTE)));
    e->u.call.syntax = EDDY_CALL_FLOOR_TO;
    CHECK_EXPR(e, "FLOOR(ts TO MINUTE)");
    e->u.call.args->a[0] = bin(EDDY_OP_ADD, col("ts"), interval("1", EDDY_UNIT_DAY));
    CHECK_EXPR(e, "FLOOR((ts + INTERVAL '1' DAY) TO MINUTE)"); /* TO would continue DAY */

    e = call("TRIM", elist(2, col("s"), str("x")));
    e->u.call.syntax = EDDY_CALL_TRIM;
    e->u.call.trim_side = 2;
    CHECK_EXPR(e, "TRIM(LEADING 'x' FROM s)");
    CHECK_EXPR_DUMP(e, "(call (name TRIM) (args (name s) (lit string \"x\")) :trim :leading)");

    e = call("SUBSTRING", elist(3, col("s"), num("2"), num("3")));
    e->u.call.syntax = EDDY_CALL_SUBSTRING_FROM;
    CHECK_EXPR(e, "SUBSTRING(s FROM 2 FOR 3)");

    eddy_expr *in = eddy_ast_expr(A, EDDY_EXPR_IN, P0);
    in->u.in.arg = col("a");
    in->u.in.list = elist(1, col("b"));
    e = call("POSITION", elist(2, in, col("s")));
    e->u.call.syntax = EDDY_CALL_POSITION_IN;
    CHECK_EXPR(e, "POSITION((a IN (b)) IN s)");

    e = call("OVERLAY", elist(4, col("s"), str("ab"), num("2"), num("1")));
    e->u.call.syntax = EDDY_CALL_OVERLAY;
    CHECK_EXPR(e, "OVERLAY(s PLACING 'ab' FROM 2 FOR 1)");

    e = call("CURRENT_TIMESTAMP", NULL);
    e->u.call.syntax = EDDY_CALL_NILADIC;
    CHECK_EXPR(e, "CURRENT_TIMESTAMP");
    CHECK_EXPR_DUMP(e, "(call (name CURRENT_TIMESTAMP) :niladic)");

    e = call("TIMESTAMPADD", elist(3, unit(EDDY_UNIT_DAY), num("1"), col("ts")));
    CHECK_EXPR(e, "TIMESTAMPADD(DAY, 1, ts)");

    e = call("count", elist(0));
    e->u.call.star = true;
    CHECK_EXPR(e, "count(*)");
    CHECK_EXPR_DUMP(e, "(call (name count) (args) :star)");

    e = call("COUNT", elist(1, col("bidder")));
    e->u.call.distinct = true;
    e->u.call.filter = bin(EDDY_OP_LT, col("price"), num("10000"));
    CHECK_EXPR(e, "COUNT(DISTINCT bidder) FILTER (WHERE price < 10000)");

    e = call("ROW_NUMBER", elist(0));
    e->u.call.over = eddy_ast_over(A, P0);
    e->u.call.over->partition = elist(1, col("auction"));
    e->u.call.over->order = eddy_ast_order_list_append(A, NULL, col("price"), -1, 0);
    CHECK_EXPR(e, "ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC)");
    CHECK_EXPR_DUMP(e, "(call (name ROW_NUMBER)\n"
                       "  (args)\n"
                       "  (over (partition-by (name auction)) (order-by (key (name price) :desc))))");

    e = call("AVG", elist(1, col("x")));
    e->u.call.over = eddy_ast_over(A, P0);
    e->u.call.over->partition = elist(1, col("k"));
    e->u.call.over->order = eddy_ast_order_list_append(A, NULL, col("ts"), 0, -1);
    e->u.call.over->frame = 2;
    e->u.call.over->between = true;
    e->u.call.over->lo.kind = EDDY_BOUND_PRECEDING;
    e->u.call.over->lo.offset = interval("1", EDDY_UNIT_HOUR);
    e->u.call.over->hi.kind = EDDY_BOUND_CURRENT_ROW;
    CHECK_EXPR(e, "AVG(x) OVER (PARTITION BY k ORDER BY ts NULLS LAST RANGE BETWEEN "
                  "INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)");
    e->u.call.over = eddy_ast_over(A, P0);
    e->u.call.over->ref = id("w");
    CHECK_EXPR(e, "AVG(x) OVER w");

    e = call("LAST_VALUE", elist(1, col("x")));
    e->u.call.nulls_treatment = 1;
    CHECK_EXPR(e, "LAST_VALUE(x) IGNORE NULLS");

    e = call("LISTAGG", elist(1, col("x")));
    e->u.call.within_group = eddy_ast_order_list_append(A, NULL, col("y"), 1, 1);
    CHECK_EXPR(e, "LISTAGG(x) WITHIN GROUP (ORDER BY y ASC NULLS FIRST)");

    eddy_expr *cast = eddy_ast_expr(A, EDDY_EXPR_CAST, P0);
    cast->u.cast.arg = bin(EDDY_OP_MUL, lit(EDDY_LIT_DECIMAL, "0.908"), col("price"));
    cast->u.cast.type = ty(EDDY_TYPE_DECIMAL);
    cast->u.cast.type->precision = 10;
    cast->u.cast.type->scale = 2;
    CHECK_EXPR(cast, "CAST(0.908 * price AS DECIMAL(10, 2))");
    cast->u.cast.try_ = true;
    cast->u.cast.type = ty(EDDY_TYPE_VARCHAR);
    cast->u.cast.type->string_kw = true;
    CHECK_EXPR(cast, "TRY_CAST(0.908 * price AS STRING)");
    CHECK_EXPR_DUMP(cast, "(try-cast (binary * (lit decimal \"0.908\") (name price)) "
                          "(type VARCHAR :string-kw))");

    eddy_expr *cs = eddy_ast_expr(A, EDDY_EXPR_CASE, P0);
    cs->u.case_.whens = elist(2, bin(EDDY_OP_EQ, col("event_type"), num("0")),
                              bin(EDDY_OP_EQ, col("event_type"), num("1")));
    cs->u.case_.thens = elist(2, qcol("person", "dateTime"), qcol("auction", "dateTime"));
    cs->u.case_.else_ = qcol("bid", "dateTime");
    CHECK_EXPR(cs, "CASE WHEN event_type = 0 THEN person.`dateTime` WHEN event_type = 1 THEN "
                   "auction.`dateTime` ELSE bid.`dateTime` END");
    cs->u.case_.operand = col("x");
    cs->u.case_.else_ = NULL;
    cs->u.case_.whens = elist(1, num("1"));
    cs->u.case_.thens = elist(1, str("one"));
    CHECK_EXPR(cs, "CASE x WHEN 1 THEN 'one' END");
    CHECK_EXPR_DUMP(cs, "(case (operand (name x)) (when (lit integer \"1\") (lit string \"one\")))");

    eddy_expr *row = eddy_ast_expr(A, EDDY_EXPR_ROW, P0);
    row->u.ctor.items = elist(2, col("a"), num("1"));
    CHECK_EXPR(row, "(a, 1)");
    row->u.ctor.explicit_kw = true;
    CHECK_EXPR(row, "ROW(a, 1)");
    eddy_expr *map = eddy_ast_expr(A, EDDY_EXPR_MAP, P0);
    map->u.ctor.items = elist(2, str("k"), num("1"));
    CHECK_EXPR(map, "MAP['k', 1]");

    eddy_expr *named = eddy_ast_expr(A, EDDY_EXPR_NAMED_ARG, P0);
    named->u.named_arg.name = id("SIZE");
    named->u.named_arg.value = interval("10", EDDY_UNIT_MINUTE);
    CHECK_EXPR(named, "SIZE => INTERVAL '10' MINUTE");
}

static void test_types(void **state)
{
    (void)state;
    CHECK_TYPE(ty(EDDY_TYPE_INT), "INT");
    CHECK_TYPE(typ(EDDY_TYPE_VARCHAR, 10), "VARCHAR(10)");
    CHECK_TYPE(ty(EDDY_TYPE_VARCHAR), "VARCHAR");
    CHECK_TYPE(typ(EDDY_TYPE_TIMESTAMP, 3), "TIMESTAMP(3)");
    CHECK_TYPE(typ(EDDY_TYPE_TIMESTAMP_LTZ, 3), "TIMESTAMP_LTZ(3)");
    eddy_sqltype *bytes = ty(EDDY_TYPE_VARBINARY);
    bytes->string_kw = true;
    bytes->not_null = true;
    CHECK_TYPE(bytes, "BYTES NOT NULL");
    eddy_sqltype *dec = typ(EDDY_TYPE_DECIMAL, 38);
    CHECK_TYPE(dec, "DECIMAL(38)");

    /* ARRAY<TIMESTAMP(3)> and INT NOT NULL ARRAY */
    eddy_sqltype *arr = ty(EDDY_TYPE_ARRAY);
    arr->elem = typ(EDDY_TYPE_TIMESTAMP, 3);
    CHECK_TYPE(arr, "ARRAY<TIMESTAMP(3)>");
    eddy_sqltype *parr = ty(EDDY_TYPE_ARRAY);
    parr->elem = ty(EDDY_TYPE_INT);
    parr->elem->not_null = true;
    parr->postfix_array = true;
    CHECK_TYPE(parr, "INT NOT NULL ARRAY");

    /* MAP<STRING, INT NOT NULL ARRAY> */
    eddy_sqltype *map = ty(EDDY_TYPE_MAP);
    map->elem = ty(EDDY_TYPE_VARCHAR);
    map->elem->string_kw = true;
    map->value = parr;
    CHECK_TYPE(map, "MAP<STRING, INT NOT NULL ARRAY>");

    /* ROW<id BIGINT, `dateTime` ..., inner ROW(x INT 'the x', `select` MAP<...>)> NOT NULL */
    eddy_sqltype *inner = ty(EDDY_TYPE_ROW);
    inner->paren_row = true;
    eddy_ast_type_add_field(A, inner, "x", ty(EDDY_TYPE_INT), "the x");
    eddy_ast_type_add_field(A, inner, "a b", map, NULL);
    eddy_sqltype *row = ty(EDDY_TYPE_ROW);
    eddy_ast_type_add_field(A, row, "id", ty(EDDY_TYPE_BIGINT), NULL);
    eddy_ast_type_add_field(A, row, "dateTime", typ(EDDY_TYPE_TIMESTAMP, 3), NULL);
    eddy_ast_type_add_field(A, row, "inner", inner, NULL); /* a keyword: quoted */
    row->not_null = true;
    CHECK_TYPE(row, "ROW<id BIGINT, dateTime TIMESTAMP(3), `inner` ROW(x INT 'the x', `a b` "
                    "MAP<STRING, INT NOT NULL ARRAY>)> NOT NULL");

    eddy_sqltype *ms = ty(EDDY_TYPE_MULTISET);
    ms->elem = ty(EDDY_TYPE_DOUBLE);
    CHECK_TYPE(ms, "MULTISET<DOUBLE>");

    eddy_sqltype *iv = ty(EDDY_TYPE_INTERVAL);
    iv->from = EDDY_UNIT_DAY;
    iv->to = EDDY_UNIT_SECOND;
    CHECK_TYPE(iv, "INTERVAL DAY TO SECOND");

    /* the dump of a type shows every flag */
    eddy_expr *cast = eddy_ast_expr(A, EDDY_EXPR_CAST, P0);
    cast->u.cast.arg = col("m");
    cast->u.cast.type = map;
    CHECK_EXPR_DUMP(cast, "(cast (name m) (type MAP (type VARCHAR :string-kw) "
                          "(type ARRAY :postfix (type INT :not-null))))");
    dec->scale = 2;
    cast->u.cast.type = dec;
    CHECK_EXPR_DUMP(cast, "(cast (name m) (type DECIMAL(38,2)))");
}

static eddy_column_def column(eddy_column_kind k, eddy_ident *name, eddy_sqltype *t)
{
    eddy_column_def c = {.kind = k, .name = name, .type = t, .pos = P0};
    return c;
}

static void test_create_table(void **state)
{
    (void)state;
    eddy_create_table *ct = eddy_ast_create_table(A);
    ct->name = nm("db.orders");
    ct->if_not_exists = true;
    eddy_column_def c = column(EDDY_COLUMN_PHYSICAL, id("id"), ty(EDDY_TYPE_BIGINT));
    c.type->not_null = true;
    eddy_ast_create_table_add_column(A, ct, c);
    eddy_ast_create_table_add_column(A, ct, column(EDDY_COLUMN_PHYSICAL, id("price"),
                                                   typ(EDDY_TYPE_DECIMAL, 10)));
    eddy_ast_create_table_add_column(A, ct, column(EDDY_COLUMN_PHYSICAL, qid("dateTime"),
                                                   typ(EDDY_TYPE_TIMESTAMP, 3)));
    c = column(EDDY_COLUMN_METADATA, id("part"), ty(EDDY_TYPE_INT));
    c.metadata_key = "partition";
    c.is_virtual = true;
    eddy_ast_create_table_add_column(A, ct, c);
    c = column(EDDY_COLUMN_METADATA, id("headers"), ty(EDDY_TYPE_MAP));
    c.type->elem = ty(EDDY_TYPE_VARCHAR);
    c.type->elem->string_kw = true;
    c.type->value = ty(EDDY_TYPE_VARBINARY);
    c.type->value->string_kw = true;
    eddy_ast_create_table_add_column(A, ct, c);
    c = column(EDDY_COLUMN_COMPUTED, id("proc"), NULL);
    c.expr = call("PROCTIME", elist(0));
    c.comment = "processing time";
    eddy_ast_create_table_add_column(A, ct, c);
    ct->wm_column = qid("dateTime");
    ct->wm_expr = bin(EDDY_OP_SUB, qcol(NULL, "dateTime"), interval("5", EDDY_UNIT_SECOND));
    ct->primary_key = ilist(1, id("id"));
    ct->pk_constraint = "pk";
    ct->options = eddy_ast_option_list_append(A, NULL, "connector", P0, "kafka", P0);
    ct->options = eddy_ast_option_list_append(A, ct->options, "topic", P0, "it's", P0);
    ct->comment = "orders";
    ct->partitioned_by = ilist(1, id("part"));

    eddy_stmt *s = eddy_ast_stmt(A, EDDY_STMT_CREATE_TABLE, P0);
    s->u.create_table = ct;
    CHECK_STMT(s, "CREATE TABLE IF NOT EXISTS db.orders (id BIGINT NOT NULL, price DECIMAL(10), "
                  "`dateTime` TIMESTAMP(3), part INT METADATA FROM 'partition' VIRTUAL, "
                  "headers MAP<STRING, BYTES> METADATA, "
                  "proc AS PROCTIME() COMMENT 'processing time', "
                  "WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '5' SECOND, "
                  "CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED) COMMENT 'orders' "
                  "PARTITIONED BY (part) WITH ('connector' = 'kafka', 'topic' = 'it''s')");

    eddy_strbuf b = {0};
    eddy_ast_dump_stmt(&b, s, false);
    const char *want =
        "(create-table (name db orders) :if-not-exists\n"
        "  (columns\n"
        "    (column physical id (type BIGINT :not-null))\n"
        "    (column physical price (type DECIMAL(10)))\n"
        "    (column physical `dateTime` (type TIMESTAMP(3)))\n"
        "    (column metadata part (type INT) (metadata-from \"partition\") :virtual)\n"
        "    (column metadata headers (type MAP (type VARCHAR :string-kw) (type VARBINARY :string-kw)))\n"
        "    (column computed proc (as (call (name PROCTIME) (args))) (comment \"processing time\")))\n"
        "  (watermark `dateTime` (binary - (name `dateTime`) (lit interval \"5\" SECOND)))\n"
        "  (primary-key id (constraint \"pk\"))\n"
        "  (comment \"orders\")\n"
        "  (partitioned-by part)\n"
        "  (with (option \"connector\" \"kafka\") (option \"topic\" \"it's\")))";
    same_free(&b, want, __LINE__);

    /* with positions */
    eddy_stmt *s2 = eddy_ast_stmt(A, EDDY_STMT_DROP, (eddy_pos){2, 5, 30});
    s2->u.drop.what = EDDY_OBJECT_VIEW;
    s2->u.drop.name = eddy_ast_name(A, eddy_ast_ident(A, "v", 1, false, (eddy_pos){2, 15, 40}));
    s2->u.drop.if_exists = true;
    s2->src_off = 30;
    s2->src_len = 16;
    eddy_ast_dump_stmt(&b, s2, true);
    same_free(&b, "(drop @2:5 [30+16] view (name @2:15 v@2:15) :if-exists)", __LINE__);
    CHECK_STMT(s2, "DROP VIEW IF EXISTS v");

    /* CREATE TEMPORARY TABLE t WITH (...) LIKE src, and a CTAS */
    ct = eddy_ast_create_table(A);
    ct->name = nm("t");
    ct->temporary = true;
    ct->options = eddy_ast_option_list_append(A, NULL, "format", P0, "csv", P0);
    ct->like = nm("src");
    s->u.create_table = ct;
    CHECK_STMT(s, "CREATE TEMPORARY TABLE t WITH ('format' = 'csv') LIKE src");
    ct->like = NULL;
    ct->as_query = select_q(items1(star(), NULL), tref("src", NULL));
    CHECK_STMT(s, "CREATE TEMPORARY TABLE t WITH ('format' = 'csv') AS SELECT * FROM src");
}

/* TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)) */
static eddy_tableref *tumble(const char *fn, eddy_expr *extra)
{
    eddy_expr *targ = eddy_ast_expr(A, EDDY_EXPR_TABLE_ARG, P0);
    targ->u.table_arg.table = nm("bid");
    eddy_expr *desc = eddy_ast_expr(A, EDDY_EXPR_DESCRIPTOR, P0);
    desc->u.descriptor = ilist(1, qid("dateTime"));
    eddy_expr *c = call(fn, elist(3, targ, desc, interval("10", EDDY_UNIT_SECOND)));
    if (extra)
        c->u.call.args = eddy_ast_expr_list_append(A, c->u.call.args, extra);
    eddy_tableref *t = eddy_ast_tableref(A, EDDY_TABLEREF_FUNCTION, P0);
    t->u.func.call = c;
    return t;
}

static void test_window_select(void **state)
{
    (void)state;
    eddy_select_list *items = items1(col("auction"), NULL);
    eddy_expr *cnt = call("count", elist(0));
    cnt->u.call.star = true;
    items = eddy_ast_select_list_append(A, items, cnt, id("num"));
    items = eddy_ast_select_list_append(A, items, col("window_start"), id("starttime"));
    eddy_query *q = select_q(items, tumble("TUMBLE", NULL));
    q->u.select->group_by = elist(3, col("auction"), col("window_start"), col("window_end"));
    q->u.select->having = bin(EDDY_OP_GT, call("count", elist(1, col("x"))), num("1"));
    eddy_stmt *s = query_stmt(q);
    CHECK_STMT(s, "SELECT auction, count(*) AS num, window_start AS starttime FROM "
                  "TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)) "
                  "GROUP BY auction, window_start, window_end HAVING count(x) > 1");

    eddy_strbuf b = {0};
    eddy_ast_dump_stmt(&b, s, false);
    const char *want =
        "(query-stmt\n"
        "  (query\n"
        "    (select\n"
        "      (items\n"
        "        (item (name auction))\n"
        "        (item (call (name count) (args) :star) num)\n"
        "        (item (name window_start) starttime))\n"
        "      (from\n"
        "        (table-function\n"
        "          (call (name TUMBLE)\n"
        "            (args (table-arg (name bid)) (descriptor `dateTime`) (lit interval \"10\" SECOND)))))\n"
        "      (group-by (name auction) (name window_start) (name window_end))\n"
        "      (having (binary > (call (name count) (args (name x))) (lit integer \"1\"))))))";
    same_free(&b, want, __LINE__);

    /* SESSION(TABLE bid PARTITION BY bidder, ...), LATERAL, DISTINCT, ORDER BY ... LIMIT */
    eddy_tableref *sess = tumble("SESSION", NULL);
    sess->u.func.call->u.call.args->a[0]->u.table_arg.partition = elist(1, col("bidder"));
    sess->alias = id("w");
    q = select_q(items1(star(), NULL), sess);
    q->u.select->quantifier = 1;
    q->order_by = eddy_ast_order_list_append(A, NULL, col("window_start"), 1, 0);
    q->limit = num("10");
    CHECK_STMT(query_stmt(q),
               "SELECT DISTINCT * FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, "
               "DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)) AS w ORDER BY window_start ASC "
               "LIMIT 10");
    sess->u.func.call->u.call.args->a[0]->u.table_arg.partition =
        elist(2, col("bidder"), col("auction"));
    q->fetch_first = true;
    q->offset = num("5");
    q->u.select->quantifier = 2;
    CHECK_STMT(query_stmt(q),
               "SELECT ALL * FROM TABLE(SESSION(TABLE bid PARTITION BY (bidder, auction), "
               "DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)) AS w ORDER BY window_start ASC "
               "OFFSET 5 ROWS FETCH FIRST 10 ROWS ONLY");

    /* the older group-window form and a named window */
    q = select_q(items1(call("TUMBLE_START", elist(2, col("ts"), interval("1", EDDY_UNIT_MINUTE))),
                        NULL),
                 tref("bid", NULL));
    q->u.select->group_by = elist(1, call("TUMBLE", elist(2, col("ts"),
                                                          interval("1", EDDY_UNIT_MINUTE))));
    eddy_named_window *w = eddy_arena_zalloc(A, sizeof *w);
    w->name = id("w");
    w->spec = eddy_ast_over(A, P0);
    w->spec->order = eddy_ast_order_list_append(A, NULL, col("ts"), 0, 0);
    w->spec->frame = 1;
    w->spec->lo.kind = EDDY_BOUND_PRECEDING;
    w->spec->lo.offset = num("10");
    q->u.select->windows = w;
    q->u.select->nwindows = 1;
    CHECK_STMT(query_stmt(q), "SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE) FROM bid GROUP BY "
                              "TUMBLE(ts, INTERVAL '1' MINUTE) WINDOW w AS (ORDER BY ts ROWS 10 "
                              "PRECEDING)");
}

static void test_joins(void **state)
{
    (void)state;
    /* a LEFT OUTER JOIN b ON ... JOIN c USING (k) */
    eddy_tableref *j = join(EDDY_JOIN_LEFT, tref("a", "x"), tref("b", NULL),
                            bin(EDDY_OP_EQ, col("x.id"), col("b.id")));
    j->u.join.outer_kw = true;
    eddy_tableref *j2 = join(EDDY_JOIN_INNER, j, tref("c", NULL), NULL);
    j2->u.join.using_ = ilist(1, id("k"));
    eddy_query *q = select_q(items1(star(), NULL), j2);
    CHECK_STMT(query_stmt(q),
               "SELECT * FROM a AS x LEFT OUTER JOIN b ON x.id = b.id JOIN c USING (k)");

    /* right-nested: a INNER JOIN (b CROSS JOIN c) ON ..., then a comma join */
    eddy_tableref *inner = join(EDDY_JOIN_CROSS, tref("b", NULL), tref("c", NULL), NULL);
    eddy_tableref *j3 = join(EDDY_JOIN_INNER, tref("a", NULL), inner, bin(EDDY_OP_EQ, col("a.k"),
                                                                          col("b.k")));
    j3->u.join.inner_kw = true;
    eddy_tableref *j4 = join(EDDY_JOIN_COMMA, j3, tref("d", NULL), NULL);
    q = select_q(items1(star(), NULL), j4);
    CHECK_STMT(query_stmt(q),
               "SELECT * FROM a INNER JOIN (b CROSS JOIN c) ON a.k = b.k, d");

    /* temporal join with a hint, a derived table, FULL and NATURAL, UNNEST, LATERAL TABLE */
    eddy_tableref *rates = tref("rates", "r");
    rates->u.table.system_time = col("o.ts");
    rates->u.table.hints = eddy_ast_option_list_append(A, NULL, "lookup.cache", P0, "ALL", P0);
    eddy_tableref *j5 = join(EDDY_JOIN_LEFT, tref("orders", "o"), rates,
                             bin(EDDY_OP_EQ, col("o.cur"), col("r.cur")));
    q = select_q(items1(col("o.id"), NULL), j5);
    CHECK_STMT(query_stmt(q),
               "SELECT o.id FROM orders AS o LEFT JOIN rates /*+ OPTIONS('lookup.cache' = 'ALL') */ "
               "FOR SYSTEM_TIME AS OF o.ts AS r ON o.cur = r.cur");

    eddy_tableref *der = eddy_ast_tableref(A, EDDY_TABLEREF_SUBQUERY, P0);
    der->u.subquery = select_q(items1(col("a"), NULL), tref("t", NULL));
    der->alias = id("d");
    der->alias_cols = ilist(1, id("x"));
    eddy_tableref *nat = join(EDDY_JOIN_FULL, der, tref("u", NULL), NULL);
    nat->u.join.natural = true;
    eddy_tableref *un_ = eddy_ast_tableref(A, EDDY_TABLEREF_UNNEST, P0);
    un_->u.unnest.args = elist(1, col("u.tags"));
    un_->u.unnest.ordinality = true;
    un_->alias = id("tg");
    un_->alias_cols = ilist(2, id("tag"), id("pos"));
    eddy_tableref *j6 = join(EDDY_JOIN_CROSS, nat, un_, NULL);
    eddy_tableref *lat = eddy_ast_tableref(A, EDDY_TABLEREF_FUNCTION, P0);
    lat->u.func.call = call("split", elist(1, col("s")));
    lat->u.func.lateral = true;
    lat->alias = id("T");
    lat->alias_cols = ilist(1, id("w"));
    eddy_tableref *j7 = join(EDDY_JOIN_LEFT, j6, lat, lit(EDDY_LIT_TRUE, NULL));
    q = select_q(items1(star(), NULL), j7);
    CHECK_STMT(query_stmt(q),
               "SELECT * FROM (SELECT a FROM t) AS d (x) NATURAL FULL JOIN u CROSS JOIN "
               "UNNEST(u.tags) WITH ORDINALITY AS tg (tag, pos) LEFT JOIN LATERAL "
               "TABLE(split(s)) AS T (w) ON TRUE");

    eddy_strbuf b = {0};
    eddy_ast_dump_stmt(&b, query_stmt(select_q(items1(star(), NULL), j2)), false);
    const char *want =
        "(query-stmt\n"
        "  (query\n"
        "    (select\n"
        "      (items (item (star)))\n"
        "      (from\n"
        "        (join inner\n"
        "          (join left :outer-kw\n"
        "            (table (name a) (alias x))\n"
        "            (table (name b))\n"
        "            (on (binary = (name x id) (name b id))))\n"
        "          (table (name c))\n"
        "          (using k))))))";
    same_free(&b, want, __LINE__);
}

static void test_setops(void **state)
{
    (void)state;
    eddy_query *a = select_q(items1(col("a"), NULL), tref("t", NULL));
    eddy_query *b = select_q(items1(col("b"), NULL), tref("u", NULL));
    eddy_query *c = eddy_ast_values_append(A, NULL, elist(2, num("1"), str("x")));
    c = eddy_ast_values_append(A, c, elist(2, num("2"), lit(EDDY_LIT_NULL, NULL)));

    eddy_query *u = eddy_ast_query(A, EDDY_QUERY_SETOP, P0);
    u->u.setop.op = EDDY_SETOP_UNION;
    u->u.setop.quantifier = 2;
    u->u.setop.left = a;
    u->u.setop.right = b;
    eddy_query *paren = eddy_ast_query(A, EDDY_QUERY_PAREN, P0);
    paren->u.inner = u;
    eddy_query *ex = eddy_ast_query(A, EDDY_QUERY_SETOP, P0);
    ex->u.setop.op = EDDY_SETOP_EXCEPT;
    ex->u.setop.quantifier = 1;
    ex->u.setop.left = c;
    ex->u.setop.right = paren;
    ex->order_by = eddy_ast_order_list_append(A, NULL, num("1"), -1, 1);
    ex->limit = num("3");
    CHECK_STMT(query_stmt(ex), "VALUES (1, 'x'), (2, NULL) EXCEPT DISTINCT (SELECT a FROM t UNION "
                               "ALL SELECT b FROM u) ORDER BY 1 DESC NULLS FIRST LIMIT 3");

    /* WITH, IN (subquery), EXISTS, a scalar subquery */
    eddy_query *w = select_q(items1(col("a"), NULL), tref("cte", NULL));
    w->nwith = 1;
    w->with = eddy_arena_zalloc(A, sizeof *w->with);
    w->with[0].name = id("cte");
    w->with[0].cols = ilist(1, id("a"));
    w->with[0].query = select_q(items1(num("1"), NULL), NULL);
    eddy_expr *in = eddy_ast_expr(A, EDDY_EXPR_IN, P0);
    in->u.in.arg = col("a");
    in->u.in.query = select_q(items1(col("b"), NULL), tref("u", NULL));
    eddy_expr *exists = eddy_ast_expr(A, EDDY_EXPR_EXISTS, P0);
    exists->u.subquery = select_q(items1(num("1"), NULL), NULL);
    eddy_expr *scalar = eddy_ast_expr(A, EDDY_EXPR_SUBQUERY, P0);
    scalar->u.subquery = select_q(items1(call("max", elist(1, col("b"))), NULL), tref("u", NULL));
    w->u.select->where = bin(EDDY_OP_AND, bin(EDDY_OP_AND, in, exists),
                             bin(EDDY_OP_GT, col("a"), scalar));
    CHECK_STMT(query_stmt(w), "WITH cte (a) AS (SELECT 1) SELECT a FROM cte WHERE a IN (SELECT b "
                              "FROM u) AND EXISTS (SELECT 1) AND a > (SELECT max(b) FROM u)");

    eddy_strbuf b2 = {0};
    eddy_ast_dump_stmt(&b2, query_stmt(ex), false);
    const char *want =
        "(query-stmt\n"
        "  (query\n"
        "    (except :distinct\n"
        "      (query (values (row (lit integer \"1\") (lit string \"x\")) (row (lit integer \"2\") (lit null))))\n"
        "      (query\n"
        "        (paren\n"
        "          (query\n"
        "            (union :all\n"
        "              (query (select (items (item (name a))) (from (table (name t)))))\n"
        "              (query (select (items (item (name b))) (from (table (name u))))))))))\n"
        "    (order-by (key (lit integer \"1\") :desc :nulls-first))\n"
        "    (limit (lit integer \"3\"))))";
    same_free(&b2, want, __LINE__);
}

static eddy_stmt *insert_stmt(const char *table, eddy_query *q)
{
    eddy_stmt *s = eddy_ast_stmt(A, EDDY_STMT_INSERT, P0);
    s->u.insert.table = nm(table);
    s->u.insert.query = q;
    return s;
}

static void test_statements(void **state)
{
    (void)state;
    eddy_stmt *i1 = insert_stmt("sink1", select_q(items1(star(), NULL), tref("src", NULL)));
    eddy_stmt *i2 = insert_stmt("cat.db.sink2", select_q(items1(col("a"), NULL),
                                                        tref("src", NULL)));
    i2->u.insert.overwrite = true;
    i2->u.insert.cols = ilist(1, id("a"));
    i2->u.insert.partition = eddy_ast_option_list_append(A, NULL, "dt", P0, "2024-01-01", P0);
    i2->u.insert.hints = eddy_ast_option_list_append(A, NULL, "sink.parallelism", P0, "2", P0);
    CHECK_STMT(i2, "INSERT OVERWRITE cat.db.sink2 /*+ OPTIONS('sink.parallelism' = '2') */ "
                   "PARTITION (dt = '2024-01-01') (a) SELECT a FROM src");

    eddy_stmt *set = eddy_ast_statement_set_append(A, NULL, i1);
    set = eddy_ast_statement_set_append(A, set, i2);
    set->u.statement_set.execute_kw = true;
    CHECK_STMT(set, "EXECUTE STATEMENT SET BEGIN INSERT INTO sink1 SELECT * FROM src; "
                    "INSERT OVERWRITE cat.db.sink2 /*+ OPTIONS('sink.parallelism' = '2') */ "
                    "PARTITION (dt = '2024-01-01') (a) SELECT a FROM src; END");
    set->u.statement_set.stmts[1] = insert_stmt("s2", select_q(items1(num("1"), NULL), NULL));
    set->u.statement_set.execute_kw = false;
    CHECK_STMT(set, "BEGIN STATEMENT SET; INSERT INTO sink1 SELECT * FROM src; "
                    "INSERT INTO s2 SELECT 1; END");
    CHECK_STMT_DUMP(set, "(statement-set\n"
                         "  (insert (name sink1) (query (select (items (item (star))) (from (table (name src))))))\n"
                         "  (insert (name s2) (query (select (items (item (lit integer \"1\")))))))");

    eddy_stmt *s = eddy_ast_stmt(A, EDDY_STMT_CREATE_VIEW, P0);
    s->u.create_view.name = nm("v");
    s->u.create_view.temporary = true;
    s->u.create_view.cols = ilist(2, id("x"), qid("Y"));
    s->u.create_view.comment = "a view";
    s->u.create_view.query = select_q(items1(col("a"), NULL), tref("t", NULL));
    s->u.create_view.query->u.select->items =
        eddy_ast_select_list_append(A, s->u.create_view.query->u.select->items, col("b"), NULL);
    CHECK_STMT(s, "CREATE TEMPORARY VIEW v (x, `Y`) COMMENT 'a view' AS SELECT a, b FROM t");

    s = eddy_ast_stmt(A, EDDY_STMT_CREATE_FUNCTION, P0);
    s->u.create_function.name = nm("count_char");
    s->u.create_function.temporary = true;
    s->u.create_function.temporary_system = true;
    s->u.create_function.class_name = "com.example.CountChar";
    s->u.create_function.language = "JAVA";
    CHECK_STMT(s, "CREATE TEMPORARY SYSTEM FUNCTION count_char AS 'com.example.CountChar' "
                  "LANGUAGE JAVA");

    s = eddy_ast_stmt(A, EDDY_STMT_DESCRIBE, P0);
    s->u.describe.name = nm("t");
    CHECK_STMT(s, "DESCRIBE t");
    s->u.describe.desc_kw = true;
    s->u.describe.extended = true;
    CHECK_STMT(s, "DESC EXTENDED t");
    CHECK_STMT_DUMP(s, "(describe (name t) :extended :desc-kw)");

    s = eddy_ast_stmt(A, EDDY_STMT_SHOW, P0);
    s->u.show.what = EDDY_SHOW_CREATE_TABLE;
    s->u.show.name = nm("t");
    CHECK_STMT(s, "SHOW CREATE TABLE t");
    s->u.show.what = EDDY_SHOW_JOBS;
    s->u.show.name = NULL;
    CHECK_STMT(s, "SHOW JOBS");

    s = eddy_ast_stmt(A, EDDY_STMT_SET, P0);
    CHECK_STMT(s, "SET");
    s->u.set.key = "table.local-time-zone";
    s->u.set.value = "UTC";
    CHECK_STMT(s, "SET 'table.local-time-zone' = 'UTC'");
    CHECK_STMT_DUMP(s, "(set \"table.local-time-zone\" \"UTC\")");
    s = eddy_ast_stmt(A, EDDY_STMT_RESET, P0);
    s->u.set.key = "k";
    CHECK_STMT(s, "RESET 'k'");

    s = eddy_ast_stmt(A, EDDY_STMT_EXPLAIN, P0);
    s->u.explain.stmt = i1;
    s->u.explain.details = ilist(2, id("CHANGELOG_MODE"), id("ESTIMATED_COST"));
    CHECK_STMT(s, "EXPLAIN CHANGELOG_MODE, ESTIMATED_COST INSERT INTO sink1 SELECT * FROM src");
    s->u.explain.details = NULL;
    s->u.explain.plan_for = true;
    CHECK_STMT(s, "EXPLAIN PLAN FOR INSERT INTO sink1 SELECT * FROM src");

    s = eddy_ast_stmt(A, EDDY_STMT_STOP_JOB, P0);
    s->u.stop_job.job_id = "j-1";
    s->u.stop_job.with_savepoint = true;
    s->u.stop_job.with_drain = true;
    CHECK_STMT(s, "STOP JOB 'j-1' WITH SAVEPOINT WITH DRAIN");

    s = eddy_ast_stmt(A, EDDY_STMT_USE, P0);
    s->u.use.name = nm("c1");
    s->u.use.catalog = true;
    CHECK_STMT(s, "USE CATALOG c1");

    s = eddy_ast_stmt(A, EDDY_STMT_DROP, P0);
    s->u.drop.what = EDDY_OBJECT_FUNCTION;
    s->u.drop.temporary = true;
    s->u.drop.name = nm("f");
    CHECK_STMT(s, "DROP TEMPORARY FUNCTION f");

    /* a script: every statement followed by ";\n" */
    eddy_script script = {.arena = A};
    eddy_ast_script_append(&script, i1);
    eddy_ast_script_append(&script, s);
    eddy_strbuf b = {0};
    eddy_ast_print_script(&b, &script);
    same_free(&b, "INSERT INTO sink1 SELECT * FROM src;\nDROP TEMPORARY FUNCTION f;\n", __LINE__);
}

/* ---------------------------------------------------------------------------------------- */
/* Round trip through the parser                                                             */

/* Dumps (without positions) of every statement of s, one after the other. */
static char *dump_script(const eddy_script *s)
{
    eddy_strbuf b = {0};
    for (int i = 0; i < s->n; i++) {
        eddy_ast_dump_stmt(&b, s->stmts[i], false);
        eddy_strbuf_putc(&b, '\n');
    }
    return eddy_strbuf_take(&b);
}

static char *print_script(const eddy_script *s)
{
    eddy_strbuf b = {0};
    eddy_ast_print_script(&b, s);
    return eddy_strbuf_take(&b);
}

/* Returns true when sql round-trips; prints what went wrong otherwise. Adds the number of
 * statements checked to *count. */
static bool roundtrip(const char *sql, const char *label, int *count)
{
    eddy_script *s1 = NULL, *s2 = NULL;
    eddy_error err;
    char msg[4096];
    char *text1 = NULL, *text2 = NULL, *dump1 = NULL, *dump2 = NULL;
    bool ok = false;

    if (eddy_parse(sql, strlen(sql), &s1, &err) != 0) {
        print_error("%s: does not parse: %s\n", label, eddy_error_render(&err, sql, msg, sizeof msg));
        goto out;
    }
    text1 = print_script(s1);
    if (eddy_parse(text1, strlen(text1), &s2, &err) != 0) {
        print_error("%s: printed text does not parse: %s\n", label,
                    eddy_error_render(&err, text1, msg, sizeof msg));
        goto out;
    }
    *count += s1->n;
    dump1 = dump_script(s1);
    dump2 = dump_script(s2);
    if (strcmp(dump1, dump2) != 0) {
        print_error("%s: trees differ after printing\n--- printed:\n%s--- first dump:\n%s"
                    "--- second dump:\n%s", label, text1, dump1, dump2);
        goto out;
    }
    text2 = print_script(s2);
    if (strcmp(text1, text2) != 0) {
        print_error("%s: printing is not a fixpoint\n%s---\n%s", label, text1, text2);
        goto out;
    }
    ok = true;
out:
    free(text1);
    free(text2);
    free(dump1);
    free(dump2);
    eddy_script_free(s1);
    eddy_script_free(s2);
    return ok;
}

static void test_roundtrip_nexmark(void **state)
{
    (void)state;
    static const char *const files[] = {
        "ddl_gen.sql", "ddl_gen_v2.sql", "ddl_kafka.sql", "ddl_views.sql", "insert_kafka.sql",
        "q0.sql",  "q1.sql",  "q2.sql",  "q3.sql",  "q4.sql",  "q5.sql",  "q6.sql",  "q7.sql",
        "q8.sql",  "q9.sql",  "q10.sql", "q11.sql", "q12.sql", "q13.sql", "q14.sql", "q15.sql",
        "q16.sql", "q17.sql", "q18.sql", "q19.sql", "q20.sql", "q21.sql", "q22.sql", "q23.sql",
    };
    static const char *const names[] = {
        "TPS", "EVENTS_NUM", "PERSON_PROPORTION", "AUCTION_PROPORTION", "BID_PROPORTION",
        "NEXMARK_TABLE", "BOOTSTRAP_SERVERS", "NEXMARK_DIR", "SUBMIT_TIME", "FLINK_HOME",
        "KEEP_ALIVE", "STOP_AT",
    };
    static const char *const values[] = {
        "10000", "100000000", "1", "3", "46", "datagen", "localhost:9092", "/tmp/nexmark",
        "1700000000", "/opt/flink", "false", "0",
    };
    int failures = 0, done = 0, nstmts = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/nexmark/%s", EDDY_SHARED_DIR, files[i]);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        eddy_strbuf text = {0};
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            eddy_strbuf_append(&text, chunk, n);
        fclose(f);
        eddy_error err;
        char *sql = eddy_placeholders_fill(eddy_strbuf_cstr(&text), names, values,
                                           (int)(sizeof names / sizeof names[0]), &err);
        eddy_strbuf_free(&text);
        if (sql == NULL) {
            print_error("%s: %s\n", files[i], err.msg);
            failures++;
            continue;
        }
        if (!roundtrip(sql, files[i], &nstmts))
            failures++;
        done++;
        free(sql);
    }
    if (done == 0) {
        print_message("no ../shared/nexmark here: skipped\n");
        skip();
    }
    print_message("round trip: %d Nexmark files, %d statements, %d files failed\n", done, nstmts,
                  failures);
    assert_int_equal(failures, 0);
}

/* Statements of our own, one feature or more each. */
static const char *const own_statements[] = {
    "SELECT a + b * c, (a + b) * c, a - (b - c), a - b - c, -a * b, -(a * b), - -1 FROM t",
    "SELECT * FROM t WHERE NOT (a AND b) OR NOT a AND b OR (a OR b) AND c",
    "SELECT a || b || 'x''y', a || (b || c) FROM t",
    "SELECT (a = b) IS NOT NULL, a IS DISTINCT FROM b + 1, a IS NOT TRUE, x IS UNKNOWN FROM t",
    "SELECT a NOT BETWEEN 1 AND 2 + 3, a IN (1, 2), b NOT IN (SELECT c FROM u) FROM t",
    "SELECT s LIKE 'a%' ESCAPE '\\', s NOT LIKE 'b_', s SIMILAR TO 'c+' FROM t",
    "SELECT CASE WHEN a > 1 THEN 'x' WHEN a < 0 THEN 'y' ELSE 'z' END, CASE a WHEN 1 THEN 2 END FROM t",
    "SELECT CAST(a AS DECIMAL(10, 2)), TRY_CAST(s AS INT), CAST(x AS STRING), CAST(y AS VARCHAR(3)) FROM t",
    "SELECT EXTRACT(HOUR FROM ts), FLOOR(ts TO MINUTE), CEIL(ts TO DAY) FROM t",
    "SELECT TRIM(LEADING 'x' FROM s), TRIM(BOTH FROM s), SUBSTRING(s FROM 2 FOR 3), POSITION('a' IN s) FROM t",
    "SELECT OVERLAY(s PLACING 'ab' FROM 2 FOR 1), CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE FROM t",
    "SELECT TIMESTAMPADD(DAY, 1, ts), TIMESTAMPDIFF(HOUR, a, b) FROM t",
    "SELECT COUNT(*), COUNT(DISTINCT a) FILTER (WHERE b > 1), SUM(x) FROM t GROUP BY k HAVING COUNT(*) > 1",
    "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC, c ASC NULLS LAST) AS rn FROM t",
    "SELECT AVG(x) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) FROM t",
    "SELECT SUM(x) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t",
    "SELECT SUM(x) OVER w FROM t WINDOW w AS (PARTITION BY k ORDER BY ts)",
    "SELECT m['k'], a[1], r.f, ROW(a, b), (a, b), ARRAY[1, 2], MAP['k', 1] FROM t",
    "SELECT DATE '2020-01-01', TIME '12:00:00', TIMESTAMP '2020-01-01 00:00:00.000', X'0AFF', 1.5, .5, 1e10, NULL, TRUE, FALSE FROM t",
    "SELECT INTERVAL '5' SECOND, INTERVAL '1:30' MINUTE TO SECOND, INTERVAL -'2' DAY FROM t",
    "SELECT `select`, `a b`, `we``ird`, `dateTime` FROM `my table` AS `x`",
    "SELECT DISTINCT a FROM t ORDER BY a LIMIT 10",
    "SELECT ALL a FROM t",
    "SELECT a FROM t UNION ALL SELECT b FROM u UNION SELECT c FROM v",
    "SELECT a FROM t EXCEPT (SELECT b FROM u INTERSECT SELECT c FROM v)",
    "VALUES (1, 'a'), (2, 'b')",
    "WITH x AS (SELECT 1 AS a), y (b) AS (SELECT a FROM x) SELECT * FROM y",
    "SELECT * FROM a LEFT OUTER JOIN b ON a.k = b.k RIGHT JOIN c ON c.k = a.k FULL OUTER JOIN d USING (k)",
    "SELECT * FROM a INNER JOIN b ON a.k = b.k CROSS JOIN c, d",
    "SELECT * FROM a JOIN (b JOIN c ON b.k = c.k) ON a.k = b.k",
    "SELECT * FROM o LEFT JOIN r FOR SYSTEM_TIME AS OF o.ts AS rr ON o.c = rr.c",
    "SELECT * FROM t /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */",
    "SELECT * FROM t CROSS JOIN UNNEST(t.tags) AS x (tag)",
    "SELECT * FROM t, LATERAL TABLE(split(s)) AS x (w)",
    "SELECT * FROM (SELECT a FROM t) AS d (x) WHERE EXISTS (SELECT 1 FROM u)",
    "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
    "SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND))",
    "SELECT * FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(ts), INTERVAL '2' SECOND, INTERVAL '10' SECOND))",
    "SELECT * FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(ts), INTERVAL '10' SECOND))",
    "SELECT * FROM TABLE(TUMBLE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' MINUTE))",
    "SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE), COUNT(*) FROM t GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)",
    "CREATE TABLE t (id BIGINT NOT NULL, price DECIMAL(10, 2), ts TIMESTAMP(3), s STRING, b BYTES, "
    "part INT METADATA FROM 'partition' VIRTUAL, proc AS PROCTIME(), "
    "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, PRIMARY KEY (id) NOT ENFORCED) "
    "WITH ('connector' = 'kafka', 'topic' = 'x')",
    "CREATE TEMPORARY TABLE IF NOT EXISTS db.t (r ROW<a INT, b ROW<c STRING>> NOT NULL, "
    "m MAP<STRING, INT ARRAY>, a ARRAY<TIMESTAMP(3)>, p ROW(x INT, y DOUBLE)) COMMENT 'c' "
    "PARTITIONED BY (x) WITH ('connector' = 'filesystem')",
    "CREATE TABLE t (a INT, CONSTRAINT pk PRIMARY KEY (a) NOT ENFORCED) WITH ('connector' = 'print')",
    "CREATE TABLE t (a INT PRIMARY KEY NOT ENFORCED COMMENT 'the key') WITH ('connector' = 'print')",
    "CREATE TABLE t WITH ('connector' = 'print') LIKE src",
    "CREATE TABLE t WITH ('connector' = 'print') AS SELECT * FROM src",
    "CREATE VIEW v (a, b) AS SELECT x, y FROM t",
    "CREATE TEMPORARY VIEW IF NOT EXISTS v AS SELECT 1",
    "CREATE FUNCTION f AS 'com.example.F'",
    "CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS f AS 'com.example.F' LANGUAGE JAVA",
    "DROP TABLE IF EXISTS t",
    "DROP TEMPORARY VIEW v",
    "DROP FUNCTION f",
    "SHOW TABLES",
    "SHOW JOBS",
    "SHOW CREATE TABLE t",
    "DESCRIBE t",
    "DESC t",
    "SET 'table.local-time-zone' = 'UTC'",
    "SET",
    "RESET 'k'",
    "RESET",
    "EXPLAIN SELECT * FROM t",
    "EXPLAIN PLAN FOR SELECT * FROM t",
    "INSERT INTO s SELECT * FROM t",
    "INSERT OVERWRITE s (a, b) SELECT a, b FROM t",
    "INSERT INTO s PARTITION (dt = '2024-01-01') SELECT a FROM t",
    "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM t; INSERT INTO b SELECT * FROM t; END",
    "BEGIN STATEMENT SET; INSERT INTO a SELECT * FROM t; INSERT INTO b SELECT * FROM t; END",
    "STOP JOB 'abc' WITH SAVEPOINT",
    "USE db1",
    "USE CATALOG c1",
    /* spots where the printer must add (or may drop) parentheses */
    "SELECT FLOOR((INTERVAL '1' DAY) TO HOUR), CEIL((ts + INTERVAL '1' DAY) TO HOUR), FLOOR(INTERVAL '1' DAY TO HOUR) FROM t",
    "SELECT a = b IS NULL, (a IS NULL) = b, a = (b = c), NOT a IS NULL, (NOT a) IS NULL, a IS NULL IS NULL FROM t",
    "SELECT a = b IN (1), (a = b) IN (TRUE), a IN (1) = b, a BETWEEN 1 AND 2 = TRUE, a LIKE 'x' = (b LIKE 'y') FROM t",
    "SELECT a BETWEEN b + 1 AND (c AND d), a NOT BETWEEN ASYMMETRIC 1 AND 2 AND b, x IS DISTINCT FROM (a = b) FROM t",
    "SELECT - - 1, -(-1), - -a, +-a, -+a, - (a - b), a - - b, 1 - -1 FROM t",
    "SELECT (a).b, (a.b).c, f(x).y, (f(x)).y, a[1].b, a.b[1], (a || b)[1], ARRAY[1][1], MAP['a', 1]['a'] FROM t",
    "SELECT ROW(1, 2).f0, CAST(r AS ROW<a INT>).a, (CASE WHEN a THEN b END).c, f(a)[1].b FROM t",
    "SELECT a * (b / c) % d, (a * b) / c, a / (b * c), a - (b + c), (a - b) + c, a || (b || c) FROM t",
    "SELECT x FROM t WHERE NOT NOT a AND NOT (b OR c) OR NOT d = e",
    "SELECT TRIM(s), TRIM(FROM s), TRIM(a || b FROM s), TRIM(TRAILING a = b FROM s), POSITION((a = b) IN c) FROM t",
    "SELECT COUNT(ALL x), LAST_VALUE(x) IGNORE NULLS OVER (ORDER BY ts), LISTAGG(s, ',') WITHIN GROUP (ORDER BY s DESC NULLS FIRST) FILTER (WHERE s IS NOT NULL) FROM t",
    "SELECT SUM(x) OVER (ROWS BETWEEN 1 + 1 PRECEDING AND UNBOUNDED FOLLOWING), SUM(x) OVER (), CURRENT_TIMESTAMP() FROM t",
    "SELECT * FROM TABLE(my_tvf(TABLE t PARTITION BY (a.b, c) ORDER BY (b, c ASC), 1))",
    "SELECT * FROM TABLE(HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '1' MINUTE, SIZE => INTERVAL '5' MINUTE, OFFSET => INTERVAL '1' SECOND))",
    "SELECT * FROM a, b, c JOIN d ON TRUE, (e CROSS JOIN f), (g LEFT JOIN (h JOIN i USING (k)) ON x)",
    "(SELECT 1) UNION ((SELECT 2) EXCEPT ALL (SELECT 3)) ORDER BY 1 LIMIT 5 OFFSET 2",
    "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)",
    "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT DISTINCT SELECT 4",
    "SELECT * FROM t ORDER BY a OFFSET 1 ROW FETCH NEXT 1 ROW ONLY",
    "SELECT date, time, timestamp, t.date, `date`, `order`, \"quoted id\", `a``b` FROM t WHERE date > DATE '2020-01-01'",
    "SELECT 'it''s', '', 'a\nb', X'', X'0a0B', 1., .1, 1.e5, 0.5E-3, 007, INTERVAL '1' DAY(3) TO SECOND(6) FROM t",
    "CREATE TABLE t (r ROW<`select` INT, `from` ROW<x INT>>, `row` ROW(a INT)) WITH ('k' = 'v')",
    "SELECT CAST(a AS INTERVAL DAY(2) TO SECOND(3)), CAST(a AS MAP<INT ARRAY, MULTISET<STRING> NOT NULL>), CAST(x AS RAW('a.B')) FROM t",
    "INSERT INTO t /*+ OPTIONS('a' = 'b'), OPTIONS('c' = 'd') */ PARTITION (p = 1, q = 'x') (a, `b`) (SELECT 1)",
    "SET table.exec.mini-batch.enabled = true",
    "EXPLAIN CHANGELOG_MODE, JSON_EXECUTION_PLAN EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END",
};

static void test_roundtrip_own(void **state)
{
    (void)state;
    int failures = 0, nstmts = 0;
    for (size_t i = 0; i < sizeof own_statements / sizeof own_statements[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "statement %zu", i);
        if (!roundtrip(own_statements[i], label, &nstmts))
            failures++;
    }
    print_message("round trip: %d statements of our own, %d failed\n", nstmts, failures);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_constructors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_select, setup, teardown),
        cmocka_unit_test_setup_teardown(test_joins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statements, setup, teardown),
        cmocka_unit_test(test_roundtrip_own),
        cmocka_unit_test(test_roundtrip_nexmark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
