/*
 * test_parser_corpus.c: the parser against eddy's corpus of valid statements, and precise facts
 * about the trees it builds.
 *
 * The corpus is tests/sql/parse/valid/NNN_topic.sql: scripts of statements that cover the
 * dialect (see the head comment of each file). The first line of each file says how many
 * statements it holds ("-- statements: N"), counted by hand, so that a parser that merges or
 * splits statements fails here. For every statement q the test checks the round trip of
 * tests/support/parse_check.h:
 *
 *     dump(parse(q)) == dump(parse(print(parse(q))))      and      print is a fixpoint
 *
 * and prints how many statements it checked. A round trip alone cannot see a grammar that
 * builds the wrong tree consistently (a OR b AND c as (a OR b) AND c prints and reparses
 * fine), so the second half of this file checks the shape of trees for chosen inputs:
 * precedence and associativity, literals, types, DDL fields, window arguments, statement
 * kinds, positions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "parse_check.h"

#define CORPUS_DIR EDDY_SOURCE_DIR "/tests/sql/parse/valid"
#define MIN_STATEMENTS 200

/* ---------------------------------------------------------------------------------------- */
/* The corpus                                                                                */

/* The N of a first line "-- statements: N", or -1. */
static int declared_count(const char *text)
{
    const char *tag = "-- statements:";
    if (strncmp(text, tag, strlen(tag)) != 0) return -1;
    return atoi(text + strlen(tag));
}

static void test_corpus_roundtrip(void **state)
{
    (void)state;
    char **names;
    int nfiles = eddy_test_list_dir(CORPUS_DIR, ".sql", &names);
    if (nfiles < 0) fail_msg("cannot open %s", CORPUS_DIR);
    int nstmts = 0, nfailed = 0, nbadfiles = 0, nunparsed = 0;
    eddy_strbuf why = {0};

    for (int f = 0; f < nfiles; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, names[f]);
        size_t len;
        char *text = eddy_test_read_file(path, &len);
        if (!text) fail_msg("cannot read %s", path);
        int want = declared_count(text);
        eddy_script *s = NULL;
        eddy_error err;
        eddy_error_clear(&err);
        if (eddy_parse(text, len, &s, &err) != 0) {
            char msg[2048];
            eddy_strbuf_printf(&why, "%s: does not parse: %s\n\n", names[f],
                               eddy_error_render(&err, text, msg, sizeof msg));
            nbadfiles++;
            if (want > 0) nunparsed += want;
            free(text);
            continue;
        }
        if (want < 0 || s->n != want) {
            eddy_strbuf_printf(&why, "%s: parsed %d statements, the file says %d\n\n", names[f],
                               s->n, want);
            nbadfiles++;
        }
        for (int i = 0; i < s->n; i++) {
            nstmts++;
            eddy_strbuf one = {0};
            if (eddy_test_roundtrip(s, i, &one) != 0) {
                nfailed++;
                eddy_strbuf_printf(&why, "%s: %s\n", names[f], eddy_strbuf_cstr(&one));
            }
            eddy_strbuf_free(&one);
        }
        eddy_script_free(s);
        free(text);
    }
    printf("[ corpus   ] %d files, %d statements round-tripped, %d failed; %d files with errors "
           "(%d statements in files that do not parse)\n",
           nfiles, nstmts, nfailed, nbadfiles, nunparsed);
    fflush(stdout);
    if (why.n) fprintf(stderr, "%s", why.s);
    eddy_strbuf_free(&why);
    eddy_test_free_list(names, nfiles);
    assert_int_equal(nbadfiles, 0);
    assert_int_equal(nfailed, 0);
    assert_int_equal(nunparsed, 0);
    assert_true(nstmts >= MIN_STATEMENTS);
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers for the facts: parse, keep the script until the test ends, dig into the tree       */

static eddy_script *kept[64];
static int nkept;

static int free_kept(void **state)
{
    (void)state;
    for (int i = 0; i < nkept; i++)
        eddy_script_free(kept[i]);
    nkept = 0;
    return 0;
}

static eddy_script *parse_ok(const char *sql)
{
    eddy_script *s = NULL;
    eddy_error err;
    eddy_error_clear(&err);
    if (eddy_parse(sql, strlen(sql), &s, &err) != 0) {
        char msg[2048];
        fail_msg("does not parse: %s", eddy_error_render(&err, sql, msg, sizeof msg));
    }
    if (nkept == (int)(sizeof kept / sizeof kept[0])) fail_msg("too many scripts in one test");
    kept[nkept++] = s;
    return s;
}

static const eddy_stmt *stmt_of(const char *sql, eddy_stmt_kind kind)
{
    eddy_script *s = parse_ok(sql);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->stmts[0]->kind, kind);
    return s->stmts[0];
}

static const eddy_select *select_of(const char *sql)
{
    const eddy_stmt *st = stmt_of(sql, EDDY_STMT_QUERY);
    assert_int_equal(st->u.query->kind, EDDY_QUERY_SELECT);
    return st->u.query->u.select;
}

/* The first item of SELECT <expr>. */
static const eddy_expr *expr_of(const char *expr)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s", expr);
    const eddy_select *sel = select_of(sql);
    assert_int_equal(sel->items->n, 1);
    return sel->items->a[0].expr;
}

static const eddy_expr *where_of(const char *sql)
{
    const eddy_select *sel = select_of(sql);
    assert_non_null(sel->where);
    return sel->where;
}

static const eddy_create_table *table_of(const char *sql)
{
    return stmt_of(sql, EDDY_STMT_CREATE_TABLE)->u.create_table;
}

static const eddy_expr *bin(const eddy_expr *e, eddy_op op)
{
    assert_non_null(e);
    assert_int_equal(e->kind, EDDY_EXPR_BINARY);
    assert_int_equal(e->u.binary.op, op);
    return e;
}

static const eddy_expr *un(const eddy_expr *e, eddy_op op)
{
    assert_non_null(e);
    assert_int_equal(e->kind, EDDY_EXPR_UNARY);
    assert_int_equal(e->u.unary.op, op);
    return e->u.unary.arg;
}

/* e is the one-part name n (unquoted). */
static void is_name(const eddy_expr *e, const char *n)
{
    assert_non_null(e);
    assert_int_equal(e->kind, EDDY_EXPR_NAME);
    assert_int_equal(e->u.name->nparts, 1);
    assert_string_equal(e->u.name->parts[0].name, n);
}

static void is_lit(const eddy_expr *e, eddy_lit_kind kind, const char *text)
{
    assert_non_null(e);
    assert_int_equal(e->kind, EDDY_EXPR_LITERAL);
    assert_int_equal(e->u.lit.kind, kind);
    if (text)
        assert_string_equal(e->u.lit.text, text);
    else
        assert_null(e->u.lit.text);
}

static void is_interval(const eddy_expr *e, const char *text, eddy_time_unit from,
                        eddy_time_unit to)
{
    is_lit(e, EDDY_LIT_INTERVAL, text);
    assert_int_equal(e->u.lit.from, from);
    assert_int_equal(e->u.lit.to, to);
}

static const eddy_expr *call(const eddy_expr *e, const char *func, int nargs)
{
    assert_non_null(e);
    assert_int_equal(e->kind, EDDY_EXPR_CALL);
    const eddy_name *f = e->u.call.func;
    assert_non_null(f);
    assert_int_equal(strcasecmp(f->parts[f->nparts - 1].name, func), 0);
    if (nargs >= 0) {
        assert_non_null(e->u.call.args);
        assert_int_equal(e->u.call.args->n, nargs);
    }
    return e;
}

static const eddy_expr *arg(const eddy_expr *call_expr, int i)
{
    return call_expr->u.call.args->a[i];
}

static void is_unit(const eddy_expr *e, eddy_time_unit u)
{
    assert_non_null(e);
    assert_int_equal(e->kind, EDDY_EXPR_TIME_UNIT);
    assert_int_equal(e->u.unit, u);
}

/* ---------------------------------------------------------------------------------------- */
/* Expressions: precedence and associativity                                                 */

static void test_precedence_logical(void **state)
{
    (void)state;
    /* a OR b AND c: AND binds tighter */
    const eddy_expr *e = bin(expr_of("a OR b AND c"), EDDY_OP_OR);
    is_name(e->u.binary.lhs, "a");
    e = bin(e->u.binary.rhs, EDDY_OP_AND);
    is_name(e->u.binary.lhs, "b");
    is_name(e->u.binary.rhs, "c");

    e = bin(expr_of("a AND b OR c"), EDDY_OP_OR);
    bin(e->u.binary.lhs, EDDY_OP_AND);
    is_name(e->u.binary.rhs, "c");

    /* NOT binds tighter than AND, looser than comparison */
    e = bin(expr_of("NOT a AND b"), EDDY_OP_AND);
    is_name(un(e->u.binary.lhs, EDDY_OP_NOT), "a");
    e = un(expr_of("NOT a = b"), EDDY_OP_NOT);
    bin(e, EDDY_OP_EQ);

    /* parentheses keep their grouping */
    e = bin(expr_of("(a OR b) AND c"), EDDY_OP_AND);
    bin(e->u.binary.lhs, EDDY_OP_OR);

    /* a chain of ORs is left-associative */
    e = bin(expr_of("a OR b OR c"), EDDY_OP_OR);
    bin(e->u.binary.lhs, EDDY_OP_OR);
    is_name(e->u.binary.rhs, "c");

    /* comparisons bind tighter than AND */
    e = bin(expr_of("a = 1 AND b < 2"), EDDY_OP_AND);
    bin(e->u.binary.lhs, EDDY_OP_EQ);
    bin(e->u.binary.rhs, EDDY_OP_LT);
}

static void test_precedence_arithmetic(void **state)
{
    (void)state;
    /* -2 * 3 is (-2) * 3, and the literal keeps its digits */
    const eddy_expr *e = bin(expr_of("-2 * 3"), EDDY_OP_MUL);
    is_lit(un(e->u.binary.lhs, EDDY_OP_NEG), EDDY_LIT_INTEGER, "2");
    is_lit(e->u.binary.rhs, EDDY_LIT_INTEGER, "3");

    e = bin(expr_of("2 * -3"), EDDY_OP_MUL);
    is_lit(un(e->u.binary.rhs, EDDY_OP_NEG), EDDY_LIT_INTEGER, "3");

    /* -(2 * 3) */
    bin(un(expr_of("-(2 * 3)"), EDDY_OP_NEG), EDDY_OP_MUL);
    /* - -a: two negations */
    is_name(un(un(expr_of("- -a"), EDDY_OP_NEG), EDDY_OP_NEG), "a");

    /* a + b * c */
    e = bin(expr_of("a + b * c"), EDDY_OP_ADD);
    is_name(e->u.binary.lhs, "a");
    bin(e->u.binary.rhs, EDDY_OP_MUL);

    /* left associativity: a - b - c = (a - b) - c; a / b * c = (a / b) * c */
    e = bin(expr_of("a - b - c"), EDDY_OP_SUB);
    bin(e->u.binary.lhs, EDDY_OP_SUB);
    is_name(e->u.binary.rhs, "c");
    e = bin(expr_of("a / b * c"), EDDY_OP_MUL);
    bin(e->u.binary.lhs, EDDY_OP_DIV);
    e = bin(expr_of("a % b * c"), EDDY_OP_MUL);
    bin(e->u.binary.lhs, EDDY_OP_MOD);

    /* arithmetic binds tighter than comparison */
    e = bin(expr_of("a + 1 > b * 2"), EDDY_OP_GT);
    bin(e->u.binary.lhs, EDDY_OP_ADD);
    bin(e->u.binary.rhs, EDDY_OP_MUL);

    /* || is left-associative */
    e = bin(expr_of("a || b || c"), EDDY_OP_CONCAT);
    bin(e->u.binary.lhs, EDDY_OP_CONCAT);

    /* the spellings == and != are = and <> */
    bin(expr_of("a == b"), EDDY_OP_EQ);
    bin(expr_of("a != b"), EDDY_OP_NE);
    bin(expr_of("a <> b"), EDDY_OP_NE);
    bin(expr_of("a <= b"), EDDY_OP_LE);
    bin(expr_of("a >= b"), EDDY_OP_GE);
}

static void test_predicates(void **state)
{
    (void)state;
    /* BETWEEN takes its AND before the logical AND */
    const eddy_expr *e = bin(expr_of("x BETWEEN 1 AND 2 AND y"), EDDY_OP_AND);
    const eddy_expr *b = e->u.binary.lhs;
    assert_int_equal(b->kind, EDDY_EXPR_BETWEEN);
    is_name(b->u.between.arg, "x");
    is_lit(b->u.between.lo, EDDY_LIT_INTEGER, "1");
    is_lit(b->u.between.hi, EDDY_LIT_INTEGER, "2");
    assert_false(b->u.between.negated);
    is_name(e->u.binary.rhs, "y");

    b = expr_of("x NOT BETWEEN SYMMETRIC a + 1 AND b");
    assert_int_equal(b->kind, EDDY_EXPR_BETWEEN);
    assert_true(b->u.between.negated);
    assert_int_equal(b->u.between.symmetric, 1);
    bin(b->u.between.lo, EDDY_OP_ADD);

    e = expr_of("a IS NOT NULL");
    assert_int_equal(e->kind, EDDY_EXPR_IS);
    assert_int_equal(e->u.is.what, EDDY_IS_NULL);
    assert_true(e->u.is.negated);
    e = expr_of("a IS UNKNOWN");
    assert_int_equal(e->u.is.what, EDDY_IS_UNKNOWN);
    assert_false(e->u.is.negated);
    e = expr_of("a IS NOT DISTINCT FROM b + 1");
    assert_int_equal(e->kind, EDDY_EXPR_IS);
    assert_int_equal(e->u.is.what, EDDY_IS_DISTINCT_FROM);
    assert_true(e->u.is.negated);
    bin(e->u.is.rhs, EDDY_OP_ADD);

    /* IS binds tighter than OR/AND */
    e = bin(expr_of("a = 1 OR b IS NULL AND c"), EDDY_OP_OR);
    e = bin(e->u.binary.rhs, EDDY_OP_AND);
    assert_int_equal(e->u.binary.lhs->kind, EDDY_EXPR_IS);

    e = expr_of("x NOT IN (1, 2)");
    assert_int_equal(e->kind, EDDY_EXPR_IN);
    assert_true(e->u.in.negated);
    assert_non_null(e->u.in.list);
    assert_int_equal(e->u.in.list->n, 2);
    assert_null(e->u.in.query);
    e = expr_of("x IN (SELECT a FROM t)");
    assert_int_equal(e->kind, EDDY_EXPR_IN);
    assert_false(e->u.in.negated);
    assert_null(e->u.in.list);
    assert_non_null(e->u.in.query);

    e = expr_of("name NOT LIKE 'a!%' ESCAPE '!'");
    assert_int_equal(e->kind, EDDY_EXPR_LIKE);
    assert_true(e->u.like.negated);
    assert_false(e->u.like.similar);
    is_lit(e->u.like.pattern, EDDY_LIT_STRING, "a!%");
    is_lit(e->u.like.escape, EDDY_LIT_STRING, "!");
    e = expr_of("name SIMILAR TO 'x'");
    assert_int_equal(e->kind, EDDY_EXPR_LIKE);
    assert_true(e->u.like.similar);

    e = expr_of("EXISTS (SELECT 1)");
    assert_int_equal(e->kind, EDDY_EXPR_EXISTS);
    assert_non_null(e->u.subquery);
    e = expr_of("(SELECT MAX(a) FROM t)");
    assert_int_equal(e->kind, EDDY_EXPR_SUBQUERY);
}

static void test_case_cast(void **state)
{
    (void)state;
    const eddy_expr *e = expr_of("CASE x WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END");
    assert_int_equal(e->kind, EDDY_EXPR_CASE);
    is_name(e->u.case_.operand, "x");
    assert_int_equal(e->u.case_.whens->n, 2);
    assert_int_equal(e->u.case_.thens->n, 2);
    is_lit(e->u.case_.thens->a[1], EDDY_LIT_STRING, "b");
    is_lit(e->u.case_.else_, EDDY_LIT_STRING, "c");

    e = expr_of("CASE WHEN a > 1 THEN 1 END");
    assert_null(e->u.case_.operand);
    assert_null(e->u.case_.else_);
    bin(e->u.case_.whens->a[0], EDDY_OP_GT);

    e = expr_of("CAST(x AS DECIMAL(10, 2))");
    assert_int_equal(e->kind, EDDY_EXPR_CAST);
    assert_false(e->u.cast.try_);
    assert_int_equal(e->u.cast.type->kind, EDDY_TYPE_DECIMAL);
    assert_int_equal(e->u.cast.type->precision, 10);
    assert_int_equal(e->u.cast.type->scale, 2);

    e = expr_of("TRY_CAST(x AS INT)");
    assert_int_equal(e->kind, EDDY_EXPR_CAST);
    assert_true(e->u.cast.try_);
    assert_int_equal(e->u.cast.type->kind, EDDY_TYPE_INT);

    e = expr_of("CAST(x AS VARCHAR)");
    assert_int_equal(e->u.cast.type->kind, EDDY_TYPE_VARCHAR);
    assert_int_equal(e->u.cast.type->precision, -1);
    assert_false(e->u.cast.type->string_kw);
    e = expr_of("CAST(x AS STRING)");
    assert_int_equal(e->u.cast.type->kind, EDDY_TYPE_VARCHAR);
    assert_true(e->u.cast.type->string_kw);
}

static void test_calls(void **state)
{
    (void)state;
    const eddy_expr *e = call(expr_of("COUNT(*)"), "COUNT", 0);
    assert_true(e->u.call.star);
    e = call(expr_of("COUNT(DISTINCT user_id)"), "COUNT", 1);
    assert_true(e->u.call.distinct);
    e = call(expr_of("SUM(x) FILTER (WHERE y > 0)"), "SUM", 1);
    bin(e->u.call.filter, EDDY_OP_GT);
    assert_null(e->u.call.over);

    e = call(expr_of("EXTRACT(HOUR FROM ts)"), "EXTRACT", 2);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_EXTRACT);
    is_unit(arg(e, 0), EDDY_UNIT_HOUR);
    is_name(arg(e, 1), "ts");

    e = call(expr_of("FLOOR(ts TO MINUTE)"), "FLOOR", 2);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_FLOOR_TO);
    is_name(arg(e, 0), "ts");
    is_unit(arg(e, 1), EDDY_UNIT_MINUTE);
    e = call(expr_of("CEIL(ts TO DAY)"), "CEIL", 2);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_CEIL_TO);
    e = call(expr_of("FLOOR(x)"), "FLOOR", 1);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_PLAIN);

    e = call(expr_of("TIMESTAMPADD(DAY, 1, ts)"), "TIMESTAMPADD", 3);
    is_unit(arg(e, 0), EDDY_UNIT_DAY);

    e = call(expr_of("TRIM(LEADING '0' FROM s)"), "TRIM", 2);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_TRIM);
    assert_int_equal(e->u.call.trim_side, 2);
    is_name(arg(e, 0), "s");
    is_lit(arg(e, 1), EDDY_LIT_STRING, "0");
    e = call(expr_of("TRIM(s)"), "TRIM", -1);
    assert_int_equal(e->u.call.trim_side, 0);

    e = call(expr_of("SUBSTRING(s FROM 1 FOR 2)"), "SUBSTRING", 3);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_SUBSTRING_FROM);
    e = call(expr_of("SUBSTRING(s, 1, 2)"), "SUBSTRING", 3);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_PLAIN);

    e = call(expr_of("POSITION('a' IN s)"), "POSITION", 2);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_POSITION_IN);
    is_lit(arg(e, 0), EDDY_LIT_STRING, "a");

    e = call(expr_of("OVERLAY(s PLACING 'x' FROM 2 FOR 3)"), "OVERLAY", 4);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_OVERLAY);

    e = call(expr_of("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP", -1);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_NILADIC);
    e = call(expr_of("PROCTIME()"), "PROCTIME", 0);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_PLAIN);

    /* function names may be qualified or quoted */
    e = call(expr_of("cat.db.f(1)"), "f", 1);
    assert_int_equal(e->u.call.func->nparts, 3);

    /* HOUR(ts): a time-unit keyword used as a function name */
    call(expr_of("HOUR(ts)"), "HOUR", 1);
}

static void test_over(void **state)
{
    (void)state;
    const eddy_expr *e = call(
        expr_of(
            "SUM(x) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)"),
        "SUM", 1);
    const eddy_over *o = e->u.call.over;
    assert_non_null(o);
    assert_null(o->ref);
    assert_int_equal(o->partition->n, 1);
    assert_int_equal(o->order->n, 1);
    assert_int_equal(o->frame, 1);
    assert_true(o->between);
    assert_int_equal(o->lo.kind, EDDY_BOUND_PRECEDING);
    is_lit(o->lo.offset, EDDY_LIT_INTEGER, "10");
    assert_int_equal(o->hi.kind, EDDY_BOUND_CURRENT_ROW);

    e = call(expr_of("AVG(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND "
                     "CURRENT ROW)"),
             "AVG", 1);
    o = e->u.call.over;
    assert_null(o->partition);
    assert_int_equal(o->frame, 2);
    is_interval(o->lo.offset, "1", EDDY_UNIT_HOUR, EDDY_UNIT_NONE);

    e = call(expr_of("SUM(x) OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING)"), "SUM", 1);
    assert_false(e->u.call.over->between);
    assert_int_equal(e->u.call.over->lo.kind, EDDY_BOUND_UNBOUNDED_PRECEDING);

    e = call(expr_of("ROW_NUMBER() OVER (PARTITION BY a, b ORDER BY c DESC, d)"), "ROW_NUMBER", 0);
    o = e->u.call.over;
    assert_int_equal(o->partition->n, 2);
    assert_int_equal(o->order->n, 2);
    assert_int_equal(o->order->a[0].dir, -1);
    assert_int_equal(o->order->a[1].dir, 0);
    assert_int_equal(o->frame, 0);

    const eddy_select *sel = select_of("SELECT SUM(a) OVER w FROM t WINDOW w AS (ORDER BY ts)");
    o = sel->items->a[0].expr->u.call.over;
    assert_non_null(o->ref);
    assert_string_equal(o->ref->name, "w");
    assert_int_equal(sel->nwindows, 1);
    assert_string_equal(sel->windows[0].name->name, "w");
}

/* ---------------------------------------------------------------------------------------- */
/* Literals, constructors, names                                                             */

static void test_literals(void **state)
{
    (void)state;
    is_lit(expr_of("42"), EDDY_LIT_INTEGER, "42");
    is_lit(expr_of("1.50"), EDDY_LIT_DECIMAL, "1.50");
    is_lit(expr_of(".5"), EDDY_LIT_DECIMAL, ".5");
    is_lit(expr_of("1.5E-3"), EDDY_LIT_FLOAT, "1.5E-3");
    is_lit(expr_of("'it''s'"), EDDY_LIT_STRING, "it's");
    is_lit(expr_of("''"), EDDY_LIT_STRING, "");
    is_lit(expr_of("X'0AFF'"), EDDY_LIT_BINARY, "0AFF");
    is_lit(expr_of("NULL"), EDDY_LIT_NULL, NULL);
    is_lit(expr_of("TRUE"), EDDY_LIT_TRUE, NULL);
    is_lit(expr_of("false"), EDDY_LIT_FALSE, NULL);
    is_lit(expr_of("DATE '2020-01-01'"), EDDY_LIT_DATE, "2020-01-01");
    is_lit(expr_of("TIME '12:00:00'"), EDDY_LIT_TIME, "12:00:00");
    is_lit(expr_of("TIMESTAMP '2020-01-01 12:00:00.000'"), EDDY_LIT_TIMESTAMP,
           "2020-01-01 12:00:00.000");

    const eddy_expr *e = expr_of("INTERVAL '5' SECOND");
    is_interval(e, "5", EDDY_UNIT_SECOND, EDDY_UNIT_NONE);
    assert_false(e->u.lit.negative);
    assert_int_equal(e->u.lit.from_precision, -1);
    is_interval(expr_of("INTERVAL '1:30' HOUR TO MINUTE"), "1:30", EDDY_UNIT_HOUR,
                EDDY_UNIT_MINUTE);
    is_interval(expr_of("INTERVAL '1-6' YEAR TO MONTH"), "1-6", EDDY_UNIT_YEAR, EDDY_UNIT_MONTH);
    e = expr_of("INTERVAL -'5' SECOND");
    is_interval(e, "5", EDDY_UNIT_SECOND, EDDY_UNIT_NONE);
    assert_true(e->u.lit.negative);
    e = expr_of("INTERVAL '1.5' SECOND(3)");
    assert_int_equal(e->u.lit.from_precision, 3);
    e = expr_of("INTERVAL '1 10:00:00.5' DAY(2) TO SECOND(1)");
    is_interval(e, "1 10:00:00.5", EDDY_UNIT_DAY, EDDY_UNIT_SECOND);
    assert_int_equal(e->u.lit.from_precision, 2);
    assert_int_equal(e->u.lit.to_precision, 1);

    /* a - INTERVAL: the interval is the right operand */
    e = bin(expr_of("ts - INTERVAL '4' SECOND"), EDDY_OP_SUB);
    is_interval(e->u.binary.rhs, "4", EDDY_UNIT_SECOND, EDDY_UNIT_NONE);
}

static void test_constructors_names(void **state)
{
    (void)state;
    const eddy_expr *e = expr_of("ARRAY[1, 2, 3]");
    assert_int_equal(e->kind, EDDY_EXPR_ARRAY);
    assert_int_equal(e->u.ctor.items->n, 3);
    e = expr_of("MAP['a', 1, 'b', 2]");
    assert_int_equal(e->kind, EDDY_EXPR_MAP);
    assert_int_equal(e->u.ctor.items->n, 4);
    e = expr_of("ROW(1, 'a')");
    assert_int_equal(e->kind, EDDY_EXPR_ROW);
    assert_true(e->u.ctor.explicit_kw);
    assert_int_equal(e->u.ctor.items->n, 2);
    e = expr_of("(1, 'a')");
    assert_int_equal(e->kind, EDDY_EXPR_ROW);
    assert_false(e->u.ctor.explicit_kw);

    e = expr_of("tags[1]");
    assert_int_equal(e->kind, EDDY_EXPR_SUBSCRIPT);
    is_name(e->u.subscript.base, "tags");
    is_lit(e->u.subscript.index, EDDY_LIT_INTEGER, "1");
    e = expr_of("attrs['k'][2]");
    assert_int_equal(e->kind, EDDY_EXPR_SUBSCRIPT);
    assert_int_equal(e->u.subscript.base->kind, EDDY_EXPR_SUBSCRIPT);

    e = expr_of("payload.`user`.id");
    assert_int_equal(e->kind, EDDY_EXPR_NAME);
    assert_int_equal(e->u.name->nparts, 3);
    assert_string_equal(e->u.name->parts[1].name, "user");
    assert_true(e->u.name->parts[1].quoted);
    assert_false(e->u.name->parts[2].quoted);

    e = expr_of("items[1].sku");
    assert_int_equal(e->kind, EDDY_EXPR_FIELD);
    assert_int_equal(e->u.field.base->kind, EDDY_EXPR_SUBSCRIPT);
    assert_string_equal(e->u.field.field->name, "sku");

    e = expr_of("*");
    assert_int_equal(e->kind, EDDY_EXPR_STAR);
    assert_null(e->u.star.qualifier);
    e = expr_of("t.*");
    assert_int_equal(e->kind, EDDY_EXPR_STAR);
    assert_non_null(e->u.star.qualifier);
    assert_string_equal(e->u.star.qualifier->parts[0].name, "t");

    /* quoting: the name is stored unquoted, doubled quotes made single, case kept */
    e = expr_of("`a``b`");
    is_name(e, "a`b");
    assert_true(e->u.name->parts[0].quoted);
    e = expr_of("\"x\"\"y\"");
    is_name(e, "x\"y");
    assert_true(e->u.name->parts[0].quoted);
    e = expr_of("MixedCase");
    is_name(e, "MixedCase");
    assert_false(e->u.name->parts[0].quoted);
    is_name(expr_of("`select`"), "select");
    /* a non-reserved keyword as a plain name */
    is_name(expr_of("key"), "key");

    /* aliases */
    const eddy_select *sel = select_of("SELECT a AS x, b y, c FROM t");
    assert_int_equal(sel->items->n, 3);
    assert_string_equal(sel->items->a[0].alias->name, "x");
    assert_string_equal(sel->items->a[1].alias->name, "y");
    assert_null(sel->items->a[2].alias);
}

static void test_types(void **state)
{
    (void)state;
    const eddy_create_table *ct = table_of(
        "CREATE TABLE t (a TIMESTAMP(3) WITH LOCAL TIME ZONE, b TIMESTAMP_LTZ(6), c TIMESTAMP,"
        " d ARRAY<INT NOT NULL> NOT NULL, e MAP<STRING, BIGINT>, f ROW<x INT, y STRING>,"
        " g DECIMAL(38, 18), h INT ARRAY, i MULTISET<STRING>, j INTERVAL DAY TO SECOND,"
        " k BYTES, l ARRAY<ROW<m MAP<STRING, ARRAY<INT>>>>)");
    assert_int_equal(ct->ncols, 12);
    const eddy_sqltype *t = ct->cols[0].type;
    assert_int_equal(t->kind, EDDY_TYPE_TIMESTAMP_LTZ);
    assert_int_equal(t->precision, 3);
    t = ct->cols[1].type;
    assert_int_equal(t->kind, EDDY_TYPE_TIMESTAMP_LTZ);
    assert_int_equal(t->precision, 6);
    t = ct->cols[2].type;
    assert_int_equal(t->kind, EDDY_TYPE_TIMESTAMP);
    assert_int_equal(t->precision, -1);
    t = ct->cols[3].type;
    assert_int_equal(t->kind, EDDY_TYPE_ARRAY);
    assert_true(t->not_null);
    assert_int_equal(t->elem->kind, EDDY_TYPE_INT);
    assert_true(t->elem->not_null);
    t = ct->cols[4].type;
    assert_int_equal(t->kind, EDDY_TYPE_MAP);
    assert_int_equal(t->elem->kind, EDDY_TYPE_VARCHAR);
    assert_int_equal(t->value->kind, EDDY_TYPE_BIGINT);
    t = ct->cols[5].type;
    assert_int_equal(t->kind, EDDY_TYPE_ROW);
    assert_int_equal(t->nfields, 2);
    assert_string_equal(t->fields[1].name, "y");
    assert_int_equal(t->fields[1].type->kind, EDDY_TYPE_VARCHAR);
    t = ct->cols[6].type;
    assert_int_equal(t->precision, 38);
    assert_int_equal(t->scale, 18);
    t = ct->cols[7].type;
    assert_int_equal(t->kind, EDDY_TYPE_ARRAY);
    assert_true(t->postfix_array);
    assert_int_equal(ct->cols[8].type->kind, EDDY_TYPE_MULTISET);
    t = ct->cols[9].type;
    assert_int_equal(t->kind, EDDY_TYPE_INTERVAL);
    assert_int_equal(t->from, EDDY_UNIT_DAY);
    assert_int_equal(t->to, EDDY_UNIT_SECOND);
    t = ct->cols[10].type;
    assert_int_equal(t->kind, EDDY_TYPE_VARBINARY);
    assert_true(t->string_kw);
    /* >>>> closes four nested types */
    t = ct->cols[11].type;
    assert_int_equal(t->elem->kind, EDDY_TYPE_ROW);
    assert_int_equal(t->elem->fields[0].type->kind, EDDY_TYPE_MAP);
    assert_int_equal(t->elem->fields[0].type->value->elem->kind, EDDY_TYPE_INT);
}

/* ---------------------------------------------------------------------------------------- */
/* DDL                                                                                       */

static void test_create_table(void **state)
{
    (void)state;
    const eddy_stmt *st = stmt_of(
        "CREATE TEMPORARY TABLE IF NOT EXISTS db.events (\n"
        "  id BIGINT NOT NULL COMMENT 'the id',\n"
        "  price DOUBLE,\n"
        "  cost AS price * 2,\n"
        "  ts TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL,\n"
        "  part BIGINT METADATA,\n"
        "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,\n"
        "  PRIMARY KEY (id, part) NOT ENFORCED\n"
        ") COMMENT 'events' PARTITIONED BY (part) WITH ('connector' = 'kafka', 'topic' = 'it''s')",
        EDDY_STMT_CREATE_TABLE);
    const eddy_create_table *ct = st->u.create_table;
    assert_true(ct->temporary);
    assert_true(ct->if_not_exists);
    assert_int_equal(ct->name->nparts, 2);
    assert_string_equal(ct->name->parts[1].name, "events");
    assert_int_equal(ct->ncols, 5);

    assert_int_equal(ct->cols[0].kind, EDDY_COLUMN_PHYSICAL);
    assert_string_equal(ct->cols[0].name->name, "id");
    assert_true(ct->cols[0].type->not_null);
    assert_string_equal(ct->cols[0].comment, "the id");

    assert_int_equal(ct->cols[2].kind, EDDY_COLUMN_COMPUTED);
    assert_null(ct->cols[2].type);
    bin(ct->cols[2].expr, EDDY_OP_MUL);

    assert_int_equal(ct->cols[3].kind, EDDY_COLUMN_METADATA);
    assert_int_equal(ct->cols[3].type->kind, EDDY_TYPE_TIMESTAMP);
    assert_int_equal(ct->cols[3].type->precision, 3);
    assert_string_equal(ct->cols[3].metadata_key, "timestamp");
    assert_true(ct->cols[3].is_virtual);
    assert_int_equal(ct->cols[4].kind, EDDY_COLUMN_METADATA);
    assert_null(ct->cols[4].metadata_key);
    assert_false(ct->cols[4].is_virtual);

    assert_non_null(ct->wm_column);
    assert_string_equal(ct->wm_column->name, "ts");
    const eddy_expr *wm = bin(ct->wm_expr, EDDY_OP_SUB);
    is_name(wm->u.binary.lhs, "ts");
    is_interval(wm->u.binary.rhs, "5", EDDY_UNIT_SECOND, EDDY_UNIT_NONE);
    assert_int_equal(ct->wm_pos.line, 7);
    assert_int_equal(ct->wm_pos.col, 3);

    assert_int_equal(ct->primary_key->n, 2);
    assert_string_equal(ct->primary_key->a[1].name, "part");
    assert_string_equal(ct->comment, "events");
    assert_int_equal(ct->partitioned_by->n, 1);
    assert_int_equal(ct->options->n, 2);
    assert_string_equal(ct->options->a[0].key, "connector");
    assert_string_equal(ct->options->a[0].value, "kafka");
    assert_string_equal(ct->options->a[1].value, "it's");
    assert_null(ct->like);
    assert_null(ct->as_query);

    ct = table_of(
        "CREATE TABLE t (`dateTime` TIMESTAMP(3), WATERMARK FOR `dateTime` AS `dateTime`)");
    assert_string_equal(ct->wm_column->name, "dateTime");
    assert_true(ct->wm_column->quoted);
    is_name(ct->wm_expr, "dateTime");

    ct = table_of("CREATE TABLE t (id BIGINT PRIMARY KEY NOT ENFORCED)");
    assert_true(ct->cols[0].primary_key);

    ct = table_of("CREATE TABLE t (a INT, CONSTRAINT pk PRIMARY KEY (a) NOT ENFORCED)");
    assert_string_equal(ct->pk_constraint, "pk");

    ct = table_of("CREATE TABLE t2 WITH ('topic' = 'x') LIKE t1");
    assert_non_null(ct->like);
    assert_int_equal(ct->ncols, 0);

    ct = table_of("CREATE TABLE t2 WITH ('connector' = 'print') AS SELECT a FROM t1");
    assert_non_null(ct->as_query);
}

static void test_other_ddl(void **state)
{
    (void)state;
    const eddy_stmt *st =
        stmt_of("CREATE TEMPORARY VIEW IF NOT EXISTS v (a, b) AS SELECT x, y FROM t",
                EDDY_STMT_CREATE_VIEW);
    assert_true(st->u.create_view.temporary);
    assert_true(st->u.create_view.if_not_exists);
    assert_int_equal(st->u.create_view.cols->n, 2);
    assert_non_null(st->u.create_view.query);

    st = stmt_of("CREATE TEMPORARY SYSTEM FUNCTION f AS 'com.x.F' LANGUAGE PYTHON",
                 EDDY_STMT_CREATE_FUNCTION);
    assert_true(st->u.create_function.temporary);
    assert_true(st->u.create_function.temporary_system);
    assert_string_equal(st->u.create_function.class_name, "com.x.F");
    assert_int_equal(strcasecmp(st->u.create_function.language, "PYTHON"), 0);
    st = stmt_of("CREATE FUNCTION f AS 'com.x.F'", EDDY_STMT_CREATE_FUNCTION);
    assert_false(st->u.create_function.temporary);
    assert_null(st->u.create_function.language);

    st = stmt_of("DROP TEMPORARY VIEW IF EXISTS a.b", EDDY_STMT_DROP);
    assert_int_equal(st->u.drop.what, EDDY_OBJECT_VIEW);
    assert_true(st->u.drop.temporary);
    assert_true(st->u.drop.if_exists);
    assert_int_equal(st->u.drop.name->nparts, 2);
    st = stmt_of("DROP FUNCTION f", EDDY_STMT_DROP);
    assert_int_equal(st->u.drop.what, EDDY_OBJECT_FUNCTION);
    assert_false(st->u.drop.if_exists);

    st = stmt_of("SHOW CREATE TABLE orders", EDDY_STMT_SHOW);
    assert_int_equal(st->u.show.what, EDDY_SHOW_CREATE_TABLE);
    assert_string_equal(st->u.show.name->parts[0].name, "orders");
    st = stmt_of("show jobs", EDDY_STMT_SHOW);
    assert_int_equal(st->u.show.what, EDDY_SHOW_JOBS);

    st = stmt_of("DESC t", EDDY_STMT_DESCRIBE);
    assert_true(st->u.describe.desc_kw);
    st = stmt_of("DESCRIBE EXTENDED t", EDDY_STMT_DESCRIBE);
    assert_false(st->u.describe.desc_kw);
    assert_true(st->u.describe.extended);

    st = stmt_of("SET 'table.local-time-zone' = 'Europe/Paris'", EDDY_STMT_SET);
    assert_string_equal(st->u.set.key, "table.local-time-zone");
    assert_string_equal(st->u.set.value, "Europe/Paris");
    st = stmt_of("SET", EDDY_STMT_SET);
    assert_null(st->u.set.key);
    st = stmt_of("RESET 'a.b'", EDDY_STMT_RESET);
    assert_string_equal(st->u.set.key, "a.b");
    assert_null(st->u.set.value);

    st = stmt_of("USE CATALOG c", EDDY_STMT_USE);
    assert_true(st->u.use.catalog);
    st = stmt_of("USE c.d", EDDY_STMT_USE);
    assert_false(st->u.use.catalog);
    assert_int_equal(st->u.use.name->nparts, 2);
}

static void test_dml(void **state)
{
    (void)state;
    const eddy_stmt *st = stmt_of("INSERT OVERWRITE t PARTITION (dt = '2024-01-01') (a, b) "
                                  "SELECT x, y FROM s",
                                  EDDY_STMT_INSERT);
    assert_true(st->u.insert.overwrite);
    assert_int_equal(st->u.insert.partition->n, 1);
    assert_string_equal(st->u.insert.partition->a[0].key, "dt");
    assert_string_equal(st->u.insert.partition->a[0].value, "2024-01-01");
    assert_int_equal(st->u.insert.cols->n, 2);

    st = stmt_of("INSERT INTO t /*+ OPTIONS('sink.parallelism' = '2') */ SELECT 1",
                 EDDY_STMT_INSERT);
    assert_false(st->u.insert.overwrite);
    assert_int_equal(st->u.insert.hints->n, 1);
    assert_string_equal(st->u.insert.hints->a[0].key, "sink.parallelism");
    assert_null(st->u.insert.cols);

    st = stmt_of("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END",
                 EDDY_STMT_STATEMENT_SET);
    assert_int_equal(st->u.statement_set.n, 2);
    assert_true(st->u.statement_set.execute_kw);
    assert_int_equal(st->u.statement_set.stmts[1]->kind, EDDY_STMT_INSERT);
    assert_string_equal(st->u.statement_set.stmts[1]->u.insert.table->parts[0].name, "b");

    eddy_script *s = parse_ok("BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\n"
                              "INSERT INTO b SELECT 2;\nINSERT INTO c SELECT 3;\nEND;\nSELECT 4;");
    assert_int_equal(s->n, 2);
    assert_int_equal(s->stmts[0]->kind, EDDY_STMT_STATEMENT_SET);
    assert_false(s->stmts[0]->u.statement_set.execute_kw);
    assert_int_equal(s->stmts[0]->u.statement_set.n, 3);
    assert_int_equal(s->stmts[1]->kind, EDDY_STMT_QUERY);

    st = stmt_of("STOP JOB 'abc' WITH SAVEPOINT", EDDY_STMT_STOP_JOB);
    assert_string_equal(st->u.stop_job.job_id, "abc");
    assert_true(st->u.stop_job.with_savepoint);
    assert_false(st->u.stop_job.with_drain);
    st = stmt_of("STOP JOB 'abc'", EDDY_STMT_STOP_JOB);
    assert_false(st->u.stop_job.with_savepoint);

    st = stmt_of("EXPLAIN PLAN FOR INSERT INTO t SELECT 1", EDDY_STMT_EXPLAIN);
    assert_true(st->u.explain.plan_for);
    assert_int_equal(st->u.explain.stmt->kind, EDDY_STMT_INSERT);
    st = stmt_of("EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT 1", EDDY_STMT_EXPLAIN);
    assert_false(st->u.explain.plan_for);
    assert_int_equal(st->u.explain.details->n, 2);
    assert_int_equal(strcasecmp(st->u.explain.details->a[0].name, "CHANGELOG_MODE"), 0);
    assert_int_equal(st->u.explain.stmt->kind, EDDY_STMT_QUERY);
}

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                   */

static void test_window_tvf(void **state)
{
    (void)state;
    const eddy_select *sel =
        select_of("SELECT * FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE))");
    const eddy_tableref *f = sel->from;
    assert_int_equal(f->kind, EDDY_TABLEREF_FUNCTION);
    assert_false(f->u.func.lateral);
    const eddy_expr *c = call(f->u.func.call, "TUMBLE", 3);
    assert_int_equal(arg(c, 0)->kind, EDDY_EXPR_TABLE_ARG);
    assert_string_equal(arg(c, 0)->u.table_arg.table->parts[0].name, "bids");
    assert_null(arg(c, 0)->u.table_arg.partition);
    assert_int_equal(arg(c, 1)->kind, EDDY_EXPR_DESCRIPTOR);
    assert_int_equal(arg(c, 1)->u.descriptor->n, 1);
    assert_string_equal(arg(c, 1)->u.descriptor->a[0].name, "ts");
    is_interval(arg(c, 2), "1", EDDY_UNIT_MINUTE, EDDY_UNIT_NONE);

    sel = select_of("SELECT * FROM TABLE(HOP(DATA => TABLE bids, TIMECOL => DESCRIPTOR(ts), "
                    "SLIDE => INTERVAL '2' SECOND, SIZE => INTERVAL '10' SECOND)) AS w");
    f = sel->from;
    assert_string_equal(f->alias->name, "w");
    c = call(f->u.func.call, "HOP", 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(arg(c, i)->kind, EDDY_EXPR_NAMED_ARG);
    assert_int_equal(strcasecmp(arg(c, 0)->u.named_arg.name->name, "DATA"), 0);
    assert_int_equal(arg(c, 0)->u.named_arg.value->kind, EDDY_EXPR_TABLE_ARG);
    assert_int_equal(arg(c, 1)->u.named_arg.value->kind, EDDY_EXPR_DESCRIPTOR);
    assert_int_equal(strcasecmp(arg(c, 3)->u.named_arg.name->name, "SIZE"), 0);
    is_interval(arg(c, 3)->u.named_arg.value, "10", EDDY_UNIT_SECOND, EDDY_UNIT_NONE);

    sel = select_of("SELECT * FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, "
                    "DESCRIPTOR(ts), INTERVAL '30' MINUTE))");
    c = call(sel->from->u.func.call, "SESSION", 3);
    const eddy_expr *ta = arg(c, 0);
    assert_int_equal(ta->kind, EDDY_EXPR_TABLE_ARG);
    assert_int_equal(ta->u.table_arg.partition->n, 1);
    is_name(ta->u.table_arg.partition->a[0], "user_id");

    sel = select_of("SELECT * FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, "
                    "INTERVAL '1' HOUR))");
    c = call(sel->from->u.func.call, "CUMULATE", 4);
    is_interval(arg(c, 3), "1", EDDY_UNIT_HOUR, EDDY_UNIT_NONE);

    /* the older group-window form: TUMBLE is a call among the GROUP BY items */
    sel = select_of("SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE), COUNT(*) FROM t "
                    "GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), user_id");
    assert_int_equal(sel->group_by->n, 2);
    c = call(sel->group_by->a[0], "TUMBLE", 2);
    is_name(arg(c, 0), "ts");
    is_name(sel->group_by->a[1], "user_id");
    call(sel->items->a[0].expr, "TUMBLE_START", 2);
}

static void test_from_and_joins(void **state)
{
    (void)state;
    /* a JOIN b ON .. LEFT JOIN c USING (..): joins associate to the left */
    const eddy_select *sel =
        select_of("SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id)");
    const eddy_tableref *j = sel->from;
    assert_int_equal(j->kind, EDDY_TABLEREF_JOIN);
    assert_int_equal(j->u.join.kind, EDDY_JOIN_LEFT);
    assert_true(j->u.join.outer_kw);
    assert_null(j->u.join.on);
    assert_int_equal(j->u.join.using_->n, 1);
    assert_int_equal(j->u.join.right->kind, EDDY_TABLEREF_NAME);
    const eddy_tableref *l = j->u.join.left;
    assert_int_equal(l->kind, EDDY_TABLEREF_JOIN);
    assert_int_equal(l->u.join.kind, EDDY_JOIN_INNER);
    assert_false(l->u.join.inner_kw);
    bin(l->u.join.on, EDDY_OP_EQ);

    sel = select_of("SELECT * FROM a, b CROSS JOIN c");
    j = sel->from;
    assert_int_equal(j->u.join.kind, EDDY_JOIN_CROSS);
    assert_int_equal(j->u.join.left->u.join.kind, EDDY_JOIN_COMMA);

    sel = select_of("SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.x = b.x");
    assert_int_equal(sel->from->u.join.right->kind, EDDY_TABLEREF_JOIN);

    sel = select_of("SELECT * FROM o JOIN r FOR SYSTEM_TIME AS OF o.ts AS rr ON o.c = rr.c");
    const eddy_tableref *r = sel->from->u.join.right;
    assert_int_equal(r->kind, EDDY_TABLEREF_NAME);
    assert_non_null(r->u.table.system_time);
    assert_int_equal(r->u.table.system_time->u.name->nparts, 2);
    assert_string_equal(r->alias->name, "rr");

    sel = select_of("SELECT * FROM (SELECT a, b FROM t) AS s (x, y)");
    assert_int_equal(sel->from->kind, EDDY_TABLEREF_SUBQUERY);
    assert_string_equal(sel->from->alias->name, "s");
    assert_int_equal(sel->from->alias_cols->n, 2);

    sel = select_of("SELECT * FROM t /*+ OPTIONS('a' = 'b', 'c' = 'd') */ x");
    assert_int_equal(sel->from->u.table.hints->n, 2);
    assert_string_equal(sel->from->alias->name, "x");

    sel = select_of("SELECT * FROM p CROSS JOIN UNNEST(tags) WITH ORDINALITY AS t (tag, pos)");
    r = sel->from->u.join.right;
    assert_int_equal(r->kind, EDDY_TABLEREF_UNNEST);
    assert_true(r->u.unnest.ordinality);
    assert_int_equal(r->alias_cols->n, 2);

    sel = select_of("SELECT * FROM d, LATERAL TABLE(split(s)) AS w (x)");
    r = sel->from->u.join.right;
    assert_int_equal(r->kind, EDDY_TABLEREF_FUNCTION);
    assert_true(r->u.func.lateral);
    call(r->u.func.call, "split", 1);
}

static void test_query_shape(void **state)
{
    (void)state;
    /* UNION ALL chains associate to the left; ORDER BY/LIMIT belong to the whole */
    const eddy_stmt *st = stmt_of(
        "SELECT a FROM x UNION ALL SELECT a FROM y UNION SELECT a FROM z ORDER BY a LIMIT 5",
        EDDY_STMT_QUERY);
    const eddy_query *q = st->u.query;
    assert_int_equal(q->kind, EDDY_QUERY_SETOP);
    assert_int_equal(q->u.setop.op, EDDY_SETOP_UNION);
    assert_int_equal(q->u.setop.quantifier, 0);
    assert_int_equal(q->u.setop.left->kind, EDDY_QUERY_SETOP);
    assert_int_equal(q->u.setop.left->u.setop.quantifier, 2);
    assert_int_equal(q->u.setop.right->kind, EDDY_QUERY_SELECT);
    assert_int_equal(q->order_by->n, 1);
    is_lit(q->limit, EDDY_LIT_INTEGER, "5");

    /* INTERSECT binds tighter than UNION (standard SQL) */
    q = stmt_of("SELECT a FROM x UNION SELECT a FROM y INTERSECT SELECT a FROM z", EDDY_STMT_QUERY)
            ->u.query;
    assert_int_equal(q->u.setop.op, EDDY_SETOP_UNION);
    assert_int_equal(q->u.setop.right->kind, EDDY_QUERY_SETOP);
    assert_int_equal(q->u.setop.right->u.setop.op, EDDY_SETOP_INTERSECT);

    q = stmt_of("SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 20", EDDY_STMT_QUERY)->u.query;
    is_lit(q->limit, EDDY_LIT_INTEGER, "10");
    is_lit(q->offset, EDDY_LIT_INTEGER, "20");
    q = stmt_of("SELECT a FROM t FETCH FIRST 3 ROWS ONLY", EDDY_STMT_QUERY)->u.query;
    assert_true(q->fetch_first);
    is_lit(q->limit, EDDY_LIT_INTEGER, "3");

    q = stmt_of("WITH c AS (SELECT 1 AS x), d (y) AS (SELECT 2) SELECT * FROM c, d",
                EDDY_STMT_QUERY)
            ->u.query;
    assert_int_equal(q->nwith, 2);
    assert_string_equal(q->with[1].name->name, "d");
    assert_int_equal(q->with[1].cols->n, 1);

    const eddy_select *sel = select_of("SELECT DISTINCT a FROM t WHERE b GROUP BY a HAVING c");
    assert_int_equal(sel->quantifier, 1);
    is_name(sel->where, "b");
    is_name(sel->having, "c");
    assert_int_equal(sel->group_by->n, 1);
    sel = select_of("SELECT 1");
    assert_null(sel->from);
    assert_null(sel->where);
    assert_null(sel->group_by);

    q = stmt_of("VALUES (1, 2), (3, 4), (5, 6)", EDDY_STMT_QUERY)->u.query;
    assert_int_equal(q->kind, EDDY_QUERY_VALUES);
    assert_int_equal(q->u.values.nrows, 3);
    assert_int_equal(q->u.values.rows[2]->n, 2);

    /* precise WHERE shape of a Top-N filter */
    const eddy_expr *w = where_of("SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k "
                                  "ORDER BY v DESC) AS rn FROM t) WHERE rn <= 3");
    w = bin(w, EDDY_OP_LE);
    is_name(w->u.binary.lhs, "rn");
}

/* ---------------------------------------------------------------------------------------- */
/* Scripts: statement kinds, positions, source ranges, comments                              */

static void test_script_kinds_positions(void **state)
{
    (void)state;
    const char *sql = "-- a script\n"
                      "CREATE TABLE t (a INT) WITH ('connector' = 'datagen');\n"
                      "  CREATE VIEW v AS SELECT a FROM t;\n"
                      "CREATE FUNCTION f AS 'x.F';\n"
                      "DROP VIEW v; SHOW TABLES; DESCRIBE t;\n"
                      "SET 'a' = 'b'; RESET 'a';\n"
                      "EXPLAIN SELECT 1;\n"
                      "INSERT INTO t SELECT 1;\n"
                      "EXECUTE STATEMENT SET BEGIN INSERT INTO t SELECT 2; END;\n"
                      "STOP JOB 'j';\n"
                      "USE CATALOG c;\n"
                      "/* last */ SELECT\n"
                      "  a,\n"
                      "  b + 1 FROM t";
    static const eddy_stmt_kind kinds[] = {
        EDDY_STMT_CREATE_TABLE, EDDY_STMT_CREATE_VIEW,   EDDY_STMT_CREATE_FUNCTION,
        EDDY_STMT_DROP,         EDDY_STMT_SHOW,          EDDY_STMT_DESCRIBE,
        EDDY_STMT_SET,          EDDY_STMT_RESET,         EDDY_STMT_EXPLAIN,
        EDDY_STMT_INSERT,       EDDY_STMT_STATEMENT_SET, EDDY_STMT_STOP_JOB,
        EDDY_STMT_USE,          EDDY_STMT_QUERY,
    };
    int nk = (int)(sizeof kinds / sizeof kinds[0]);
    eddy_script *s = parse_ok(sql);
    assert_int_equal(s->n, nk);
    for (int i = 0; i < nk; i++) {
        if (s->stmts[i]->kind != kinds[i])
            fail_msg("statement %d is %s, expected %s", i + 1,
                     eddy_ast_stmt_kind_name(s->stmts[i]->kind), eddy_ast_stmt_kind_name(kinds[i]));
    }
    /* positions: line and byte column of the first token */
    assert_int_equal(s->stmts[0]->pos.line, 2);
    assert_int_equal(s->stmts[0]->pos.col, 1);
    assert_int_equal(s->stmts[1]->pos.line, 3);
    assert_int_equal(s->stmts[1]->pos.col, 3);
    assert_int_equal(s->stmts[4]->pos.line, 5);
    assert_int_equal(s->stmts[4]->pos.col, 14);
    assert_int_equal(s->stmts[13]->pos.line, 12);
    assert_int_equal(s->stmts[13]->pos.col, 12);
    const eddy_select *sel = s->stmts[13]->u.query->u.select;
    const eddy_expr *e = sel->items->a[1].expr;
    assert_int_equal(e->pos.line, 14);
    assert_int_equal(e->pos.col, 3);
    assert_int_equal(e->u.binary.rhs->pos.line, 14);
    assert_int_equal(e->u.binary.rhs->pos.col, 7);

    /* source ranges: the statement's own text, without ';' */
    char *t = eddy_test_stmt_text(s, 1);
    assert_string_equal(t, "CREATE VIEW v AS SELECT a FROM t");
    free(t);
    t = eddy_test_stmt_text(s, 4);
    assert_string_equal(t, "SHOW TABLES");
    free(t);
    t = eddy_test_stmt_text(s, 13);
    assert_string_equal(t, "SELECT\n  a,\n  b + 1 FROM t");
    free(t);
    assert_int_equal(s->stmts[4]->pos.off, (int)s->stmts[4]->src_off);
}

static void test_scripts_edges(void **state)
{
    (void)state;
    /* nothing but comments and white space: no statement */
    eddy_script *s = parse_ok("  -- nothing\n /* at all */ \n");
    assert_int_equal(s->n, 0);
    /* the final ';' is optional, and trailing comments are fine */
    s = parse_ok("SELECT 1; SELECT 2 -- done");
    assert_int_equal(s->n, 2);
    s = parse_ok("SELECT 1;\n-- trailing comment\n");
    assert_int_equal(s->n, 1);
    /* a ';' inside strings, quoted names and comments does not end a statement */
    s = parse_ok("SELECT ';' AS `;`, \";\" /* ; */ FROM t -- ;\n;");
    assert_int_equal(s->n, 1);
    assert_int_equal(s->stmts[0]->u.query->u.select->items->n, 2);
    /* the parsed text is kept, NUL-terminated, with its length */
    assert_int_equal(s->len, strlen(s->text));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_roundtrip),
        cmocka_unit_test_teardown(test_precedence_logical, free_kept),
        cmocka_unit_test_teardown(test_precedence_arithmetic, free_kept),
        cmocka_unit_test_teardown(test_predicates, free_kept),
        cmocka_unit_test_teardown(test_case_cast, free_kept),
        cmocka_unit_test_teardown(test_calls, free_kept),
        cmocka_unit_test_teardown(test_over, free_kept),
        cmocka_unit_test_teardown(test_literals, free_kept),
        cmocka_unit_test_teardown(test_constructors_names, free_kept),
        cmocka_unit_test_teardown(test_types, free_kept),
        cmocka_unit_test_teardown(test_create_table, free_kept),
        cmocka_unit_test_teardown(test_other_ddl, free_kept),
        cmocka_unit_test_teardown(test_dml, free_kept),
        cmocka_unit_test_teardown(test_window_tvf, free_kept),
        cmocka_unit_test_teardown(test_from_and_joins, free_kept),
        cmocka_unit_test_teardown(test_query_shape, free_kept),
        cmocka_unit_test_teardown(test_script_kinds_positions, free_kept),
        cmocka_unit_test_teardown(test_scripts_edges, free_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
