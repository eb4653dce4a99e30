/*
 * test_parser_smoke.c: a quick check of the grammar (parser/grammar.y), the keyword table
 * (parser/keywords.c) and the parse driver (parser/parse.c).
 *
 * Representative statements of every kind parse and a few fields of their trees are right;
 * a syntax error says where and what was expected; positions and statement text ranges are
 * right; the keyword table is sorted and complete; no non-reserved keyword can be swallowed as
 * an alias (checked on Lemon's own report of the grammar's states, when lemon is installed);
 * the Nexmark queries parse. The big corpus and round-trip tests are test_parser_corpus.c,
 * test_parser_errors.c and test_parser_nexmark.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/placeholders.h"
#include "common/strbuf.h"
#include "grammar.h"
#include "parse_check.h"
#include "parser/tokenizer.h"
#include "parser/parser.h"

/* grammar.y's %code section (no header: see parse.c) */
int eddy_grammar_ntokens(void);

/* Parses sql, which must parse; the script is freed by the caller. */
static eddy_script *parse_ok(const char *sql)
{
    eddy_script *s = NULL;
    eddy_error err;
    if (eddy_parse(sql, strlen(sql), &s, &err) != 0) {
        char msg[2048];
        fail_msg("does not parse: %s", eddy_error_render(&err, sql, msg, sizeof msg));
    }
    return s;
}

/* Parses sql, which must fail; returns the error. */
static eddy_error parse_fail(const char *sql)
{
    eddy_script *s = NULL;
    eddy_error err;
    if (eddy_parse(sql, strlen(sql), &s, &err) == 0) {
        eddy_script_free(s);
        fail_msg("parses but should not: %s", sql);
    }
    assert_null(s);
    return err;
}

/* The only statement of sql; *sp gets the script to free. */
static eddy_stmt *one(const char *sql, eddy_script **sp)
{
    eddy_script *s = parse_ok(sql);
    if (s->n != 1)
        fail_msg("%d statements in: %s", s->n, sql);
    *sp = s;
    return s->stmts[0];
}

/* The first select item's expression of a one-statement query. */
static eddy_expr *item0(const char *sql, eddy_script **sp)
{
    eddy_stmt *st = one(sql, sp);
    assert_int_equal(st->kind, EDDY_STMT_QUERY);
    assert_int_equal(st->u.query->kind, EDDY_QUERY_SELECT);
    return st->u.query->u.select->items->a[0].expr;
}

static const char *part(const eddy_name *n, int i)
{
    return n->parts[i].name;
}

/* ---------------------------------------------------------------------------------------- */

static void test_ddl(void **state)
{
    (void)state;
    eddy_script *s;
    eddy_stmt *st = one(
        "CREATE TEMPORARY TABLE IF NOT EXISTS cat.db.t (\n"
        "  id BIGINT NOT NULL PRIMARY KEY NOT ENFORCED COMMENT 'the id',\n"
        "  name STRING,\n"
        "  key VARCHAR(10),\n"
        "  ts TIMESTAMP(3),\n"
        "  pt AS PROCTIME(),\n"
        "  `offset` BIGINT METADATA FROM 'offset' VIRTUAL,\n"
        "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n"
        ") COMMENT 'events' PARTITIONED BY (name) WITH ('connector' = 'kafka', 'topic' = 'x') "
        "LIKE base",
        &s);
    assert_int_equal(st->kind, EDDY_STMT_CREATE_TABLE);
    const eddy_create_table *ct = st->u.create_table;
    assert_true(ct->temporary);
    assert_true(ct->if_not_exists);
    assert_int_equal(ct->name->nparts, 3);
    assert_string_equal(part(ct->name, 2), "t");
    assert_int_equal(ct->ncols, 6);
    assert_int_equal(ct->cols[0].kind, EDDY_COLUMN_PHYSICAL);
    assert_true(ct->cols[0].primary_key);
    assert_true(ct->cols[0].type->not_null);
    assert_int_equal(ct->cols[0].type->kind, EDDY_TYPE_BIGINT);
    assert_string_equal(ct->cols[0].comment, "the id");
    assert_true(ct->cols[1].type->string_kw);
    assert_string_equal(ct->cols[2].name->name, "key");
    assert_int_equal(ct->cols[2].type->precision, 10);
    assert_int_equal(ct->cols[3].type->precision, 3);
    assert_int_equal(ct->cols[4].kind, EDDY_COLUMN_COMPUTED);
    assert_int_equal(ct->cols[4].expr->kind, EDDY_EXPR_CALL);
    assert_int_equal(ct->cols[5].kind, EDDY_COLUMN_METADATA);
    assert_true(ct->cols[5].name->quoted);
    assert_string_equal(ct->cols[5].metadata_key, "offset");
    assert_true(ct->cols[5].is_virtual);
    assert_string_equal(ct->wm_column->name, "ts");
    assert_int_equal(ct->wm_expr->kind, EDDY_EXPR_BINARY);
    assert_int_equal(ct->wm_expr->u.binary.rhs->u.lit.kind, EDDY_LIT_INTERVAL);
    assert_int_equal(ct->wm_pos.line, 8);
    assert_string_equal(ct->comment, "events");
    assert_int_equal(ct->partitioned_by->n, 1);
    assert_int_equal(ct->options->n, 2);
    assert_string_equal(ct->options->a[1].key, "topic");
    assert_string_equal(ct->options->a[1].value, "x");
    assert_string_equal(part(ct->like, 0), "base");
    eddy_script_free(s);

    st = one("CREATE TABLE t (a INT, b INT, CONSTRAINT pk PRIMARY KEY (a, b) NOT ENFORCED)", &s);
    assert_int_equal(st->u.create_table->primary_key->n, 2);
    assert_string_equal(st->u.create_table->pk_constraint, "pk");
    eddy_script_free(s);

    st = one("CREATE TABLE t2 WITH ('connector' = 'print') AS SELECT * FROM t", &s);
    assert_int_equal(st->u.create_table->ncols, 0);
    assert_non_null(st->u.create_table->as_query);
    eddy_script_free(s);

    st = one("CREATE TEMPORARY VIEW IF NOT EXISTS v (a, b) COMMENT 'c' AS SELECT 1, 2", &s);
    assert_int_equal(st->kind, EDDY_STMT_CREATE_VIEW);
    assert_true(st->u.create_view.temporary);
    assert_int_equal(st->u.create_view.cols->n, 2);
    assert_string_equal(st->u.create_view.comment, "c");
    eddy_script_free(s);

    st = one("CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS f AS 'com.x.F' LANGUAGE PYTHON", &s);
    assert_true(st->u.create_function.temporary_system);
    assert_string_equal(st->u.create_function.class_name, "com.x.F");
    assert_string_equal(st->u.create_function.language, "PYTHON");
    eddy_script_free(s);

    st = one("DROP TEMPORARY VIEW IF EXISTS db.v", &s);
    assert_int_equal(st->u.drop.what, EDDY_OBJECT_VIEW);
    assert_true(st->u.drop.temporary && st->u.drop.if_exists);
    eddy_script_free(s);

    /* a table has one WATERMARK and one primary key */
    eddy_error err = parse_fail("CREATE TABLE t (a INT PRIMARY KEY NOT ENFORCED, PRIMARY KEY (a) NOT ENFORCED)");
    assert_non_null(strstr(err.msg, "only one PRIMARY KEY"));
    err = parse_fail("CREATE TABLE t (PRIMARY KEY (a) ENFORCED)");
    assert_non_null(strstr(err.msg, "expected NOT"));
}

static void test_other_statements(void **state)
{
    (void)state;
    eddy_script *s = parse_ok(
        "SHOW TABLES; SHOW JOBS; SHOW CREATE VIEW v; DESCRIBE EXTENDED t; DESC t; USE CATALOG c; "
        "USE db; SET; SET 'parallelism.default' = '2'; SET table.local-time-zone = UTC; RESET; "
        "RESET 'k'; EXPLAIN PLAN FOR SELECT 1; EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT 1; "
        "STOP JOB 'abc' WITH SAVEPOINT WITH DRAIN; DROP CATALOG c");
    assert_int_equal(s->n, 16);
    assert_int_equal(s->stmts[0]->u.show.what, EDDY_SHOW_TABLES);
    assert_int_equal(s->stmts[2]->u.show.what, EDDY_SHOW_CREATE_VIEW);
    assert_string_equal(part(s->stmts[2]->u.show.name, 0), "v");
    assert_true(s->stmts[3]->u.describe.extended);
    assert_true(s->stmts[4]->u.describe.desc_kw);
    assert_true(s->stmts[5]->u.use.catalog);
    assert_null(s->stmts[7]->u.set.key);
    assert_string_equal(s->stmts[8]->u.set.key, "parallelism.default");
    assert_string_equal(s->stmts[8]->u.set.value, "2");
    assert_string_equal(s->stmts[9]->u.set.key, "table.local-time-zone");
    assert_string_equal(s->stmts[9]->u.set.value, "UTC");
    assert_int_equal(s->stmts[10]->kind, EDDY_STMT_RESET);
    assert_string_equal(s->stmts[11]->u.set.key, "k");
    assert_true(s->stmts[12]->u.explain.plan_for);
    assert_int_equal(s->stmts[13]->u.explain.details->n, 2);
    assert_int_equal(s->stmts[13]->u.explain.stmt->kind, EDDY_STMT_QUERY);
    assert_string_equal(s->stmts[14]->u.stop_job.job_id, "abc");
    assert_true(s->stmts[14]->u.stop_job.with_savepoint && s->stmts[14]->u.stop_job.with_drain);
    assert_int_equal(s->stmts[15]->u.drop.what, EDDY_OBJECT_CATALOG);
    eddy_script_free(s);
}

static void test_dml(void **state)
{
    (void)state;
    eddy_script *s;
    eddy_stmt *st = one("INSERT OVERWRITE t /*+ OPTIONS('sink.parallelism' = '2') */ "
                        "PARTITION (dt = '2020-01-01', h = 1) (a, b) SELECT 1, 2",
                        &s);
    assert_int_equal(st->kind, EDDY_STMT_INSERT);
    assert_true(st->u.insert.overwrite);
    assert_string_equal(st->u.insert.hints->a[0].key, "sink.parallelism");
    assert_int_equal(st->u.insert.partition->n, 2);
    assert_string_equal(st->u.insert.partition->a[1].value, "1");
    assert_int_equal(st->u.insert.cols->n, 2);
    eddy_script_free(s);

    /* both statement-set forms; the SQL client's spans several ';' */
    s = parse_ok("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END;\n"
                 "BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND;\n"
                 "SELECT 3");
    assert_int_equal(s->n, 3);
    assert_int_equal(s->stmts[0]->kind, EDDY_STMT_STATEMENT_SET);
    assert_true(s->stmts[0]->u.statement_set.execute_kw);
    assert_int_equal(s->stmts[0]->u.statement_set.n, 2);
    assert_int_equal(s->stmts[1]->kind, EDDY_STMT_STATEMENT_SET);
    assert_false(s->stmts[1]->u.statement_set.execute_kw);
    assert_int_equal(s->stmts[1]->u.statement_set.n, 2);
    assert_int_equal(s->stmts[1]->pos.line, 2);
    char *text = eddy_test_stmt_text(s, 1);
    assert_string_equal(text, "BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND");
    free(text);
    eddy_script_free(s);
}

static void test_queries(void **state)
{
    (void)state;
    eddy_script *s;
    eddy_stmt *st = one("WITH c (x) AS (SELECT 1) SELECT DISTINCT x FROM c WHERE x > 0 GROUP BY x "
                        "HAVING COUNT(*) > 1 WINDOW w AS (ORDER BY x) "
                        "ORDER BY x DESC NULLS LAST LIMIT 10 OFFSET 5",
                        &s);
    const eddy_query *q = st->u.query;
    assert_int_equal(q->nwith, 1);
    assert_int_equal(q->with[0].cols->n, 1);
    assert_int_equal(q->u.select->quantifier, 1);
    assert_int_equal(q->u.select->nwindows, 1);
    assert_int_equal(q->order_by->a[0].dir, -1);
    assert_int_equal(q->order_by->a[0].nulls, -1);
    assert_string_equal(q->limit->u.lit.text, "10");
    assert_string_equal(q->offset->u.lit.text, "5");
    assert_false(q->fetch_first);
    eddy_script_free(s);

    /* INTERSECT binds tighter than UNION */
    st = one("SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3", &s);
    q = st->u.query;
    assert_int_equal(q->kind, EDDY_QUERY_SETOP);
    assert_int_equal(q->u.setop.op, EDDY_SETOP_UNION);
    assert_int_equal(q->u.setop.quantifier, 2);
    assert_int_equal(q->u.setop.right->u.setop.op, EDDY_SETOP_INTERSECT);
    eddy_script_free(s);

    st = one("(SELECT 1) EXCEPT (SELECT 2) ORDER BY 1 FETCH FIRST 3 ROWS ONLY", &s);
    q = st->u.query;
    assert_int_equal(q->u.setop.left->kind, EDDY_QUERY_PAREN);
    assert_int_equal(q->u.setop.right->kind, EDDY_QUERY_PAREN);
    assert_true(q->fetch_first);
    assert_non_null(q->order_by);
    eddy_script_free(s);

    /* a query in parentheses only as a whole keeps no node for them */
    st = one("((SELECT 1))", &s);
    assert_int_equal(st->u.query->kind, EDDY_QUERY_SELECT);
    assert_int_equal(st->src_len, 12);
    eddy_script_free(s);

    st = one("VALUES (1, 'a'), (2, 'b')", &s);
    assert_int_equal(st->u.query->kind, EDDY_QUERY_VALUES);
    assert_int_equal(st->u.query->u.values.nrows, 2);
    eddy_script_free(s);

    st = one("SELECT *, a.*, b.c.* FROM a", &s);
    const eddy_select_list *items = st->u.query->u.select->items;
    assert_int_equal(items->a[0].expr->kind, EDDY_EXPR_STAR);
    assert_null(items->a[0].expr->u.star.qualifier);
    assert_int_equal(items->a[2].expr->u.star.qualifier->nparts, 2);
    eddy_script_free(s);

    /* Nexmark's unquoted names, DATE/TIME/TIMESTAMP as column names */
    st = one("SELECT key, final, name, state, city, extra, url, channel, `value`, date, time, "
             "timestamp, day, hour FROM t WHERE final > 0",
             &s);
    items = st->u.query->u.select->items;
    assert_int_equal(items->n, 14);
    assert_string_equal(part(items->a[11].expr->u.name, 0), "timestamp");
    assert_string_equal(part(items->a[13].expr->u.name, 0), "hour");
    eddy_script_free(s);
}

static void test_from(void **state)
{
    (void)state;
    eddy_script *s;
    eddy_stmt *st = one("SELECT * FROM a LEFT OUTER JOIN b ON a.k = b.k CROSS JOIN UNNEST(a.arr) "
                        "WITH ORDINALITY AS u (x, i), LATERAL TABLE(f(a.x)) AS T(y) "
                        "NATURAL JOIN c JOIN d USING (k)",
                        &s);
    const eddy_tableref *t = st->u.query->u.select->from;
    assert_int_equal(t->kind, EDDY_TABLEREF_JOIN);
    assert_non_null(t->u.join.using_);
    t = t->u.join.left;
    assert_true(t->u.join.natural);
    t = t->u.join.left;
    assert_int_equal(t->u.join.kind, EDDY_JOIN_COMMA);
    assert_true(t->u.join.right->u.func.lateral);
    assert_int_equal(t->u.join.right->alias_cols->n, 1);
    t = t->u.join.left;
    assert_int_equal(t->u.join.kind, EDDY_JOIN_CROSS);
    assert_true(t->u.join.right->u.unnest.ordinality);
    assert_string_equal(t->u.join.right->alias->name, "u");
    assert_int_equal(t->u.join.right->alias_cols->n, 2);
    t = t->u.join.left;
    assert_int_equal(t->u.join.kind, EDDY_JOIN_LEFT);
    assert_true(t->u.join.outer_kw);
    eddy_script_free(s);

    st = one("SELECT * FROM o JOIN r /*+ OPTIONS('lookup.cache' = 'NONE') */ "
             "FOR SYSTEM_TIME AS OF o.ts AS r2 ON o.k = r2.k",
             &s);
    t = st->u.query->u.select->from->u.join.right;
    assert_int_equal(t->kind, EDDY_TABLEREF_NAME);
    assert_non_null(t->u.table.system_time);
    assert_string_equal(t->u.table.hints->a[0].value, "NONE");
    assert_string_equal(t->alias->name, "r2");
    eddy_script_free(s);

    /* window table functions */
    st = one("SELECT window_start, COUNT(*) FROM TABLE(SESSION(TABLE bid PARTITION BY (a, b), "
             "DESCRIPTOR(`dateTime`), INTERVAL '10' MINUTES)) GROUP BY window_start",
             &s);
    t = st->u.query->u.select->from;
    assert_int_equal(t->kind, EDDY_TABLEREF_FUNCTION);
    const eddy_expr *call = t->u.func.call;
    assert_string_equal(part(call->u.call.func, 0), "SESSION");
    assert_int_equal(call->u.call.args->n, 3);
    assert_int_equal(call->u.call.args->a[0]->kind, EDDY_EXPR_TABLE_ARG);
    assert_int_equal(call->u.call.args->a[0]->u.table_arg.partition->n, 2);
    assert_int_equal(call->u.call.args->a[1]->kind, EDDY_EXPR_DESCRIPTOR);
    assert_true(call->u.call.args->a[1]->u.descriptor->a[0].quoted);
    assert_int_equal(call->u.call.args->a[2]->u.lit.from, EDDY_UNIT_MINUTE);
    eddy_script_free(s);

    st = one("SELECT * FROM TABLE(HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), "
             "SLIDE => INTERVAL '1' MINUTE, SIZE => INTERVAL '5' MINUTE, OFFSET => INTERVAL '0' SECOND))",
             &s);
    call = st->u.query->u.select->from->u.func.call;
    assert_int_equal(call->u.call.args->n, 5);
    assert_int_equal(call->u.call.args->a[0]->kind, EDDY_EXPR_NAMED_ARG);
    assert_int_equal(call->u.call.args->a[0]->u.named_arg.value->kind, EDDY_EXPR_TABLE_ARG);
    assert_string_equal(call->u.call.args->a[4]->u.named_arg.name->name, "OFFSET");
    eddy_script_free(s);

    /* a parenthesized join on the right; a WINDOW clause after a table without alias */
    st = one("SELECT * FROM a JOIN (b JOIN c ON b.k = c.k) ON a.k = b.k WINDOW w AS (ORDER BY k)", &s);
    assert_int_equal(st->u.query->u.select->from->u.join.right->kind, EDDY_TABLEREF_JOIN);
    assert_int_equal(st->u.query->u.select->nwindows, 1);
    eddy_script_free(s);
}

static void test_expressions(void **state)
{
    (void)state;
    eddy_script *s;
    /* precedence */
    eddy_expr *e = item0("SELECT a + b * c", &s);
    assert_int_equal(e->u.binary.op, EDDY_OP_ADD);
    assert_int_equal(e->u.binary.rhs->u.binary.op, EDDY_OP_MUL);
    eddy_script_free(s);
    e = item0("SELECT NOT a = 1 AND b OR c", &s);
    assert_int_equal(e->u.binary.op, EDDY_OP_OR);
    assert_int_equal(e->u.binary.lhs->u.binary.op, EDDY_OP_AND);
    assert_int_equal(e->u.binary.lhs->u.binary.lhs->kind, EDDY_EXPR_UNARY);
    assert_int_equal(e->u.binary.lhs->u.binary.lhs->u.unary.arg->u.binary.op, EDDY_OP_EQ);
    eddy_script_free(s);
    e = item0("SELECT x BETWEEN 1 AND 2 AND y", &s);
    assert_int_equal(e->u.binary.op, EDDY_OP_AND);
    assert_int_equal(e->u.binary.lhs->kind, EDDY_EXPR_BETWEEN);
    eddy_script_free(s);
    e = item0("SELECT -a[1].f || 'x'", &s);
    assert_int_equal(e->u.binary.op, EDDY_OP_CONCAT);
    assert_int_equal(e->u.binary.lhs->kind, EDDY_EXPR_UNARY);
    assert_int_equal(e->u.binary.lhs->u.unary.arg->kind, EDDY_EXPR_FIELD);
    assert_int_equal(e->u.binary.lhs->u.unary.arg->u.field.base->kind, EDDY_EXPR_SUBSCRIPT);
    eddy_script_free(s);
    e = item0("SELECT a IS NOT DISTINCT FROM b", &s);
    assert_int_equal(e->u.is.what, EDDY_IS_DISTINCT_FROM);
    assert_true(e->u.is.negated);
    eddy_script_free(s);
    e = item0("SELECT a NOT BETWEEN SYMMETRIC 1 AND 2", &s);
    assert_true(e->u.between.negated);
    assert_int_equal(e->u.between.symmetric, 1);
    eddy_script_free(s);
    e = item0("SELECT a NOT IN ((SELECT 1))", &s);
    assert_true(e->u.in.negated);
    assert_non_null(e->u.in.query);
    eddy_script_free(s);
    e = item0("SELECT a NOT LIKE 'x%' ESCAPE '!'", &s);
    assert_true(e->u.like.negated);
    assert_string_equal(e->u.like.escape->u.lit.text, "!");
    eddy_script_free(s);

    /* calls */
    e = item0("SELECT COUNT(DISTINCT a) FILTER (WHERE a > 1) OVER (PARTITION BY k ORDER BY ts "
              "RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)",
              &s);
    assert_true(e->u.call.distinct);
    assert_non_null(e->u.call.filter);
    assert_int_equal(e->u.call.over->frame, 2);
    assert_true(e->u.call.over->between);
    assert_int_equal(e->u.call.over->lo.kind, EDDY_BOUND_PRECEDING);
    assert_int_equal(e->u.call.over->hi.kind, EDDY_BOUND_CURRENT_ROW);
    eddy_script_free(s);
    e = item0("SELECT COUNT(*)", &s);
    assert_true(e->u.call.star);
    assert_int_equal(e->u.call.args->n, 0);
    eddy_script_free(s);
    e = item0("SELECT LISTAGG(x, ',') WITHIN GROUP (ORDER BY y) ", &s);
    assert_non_null(e->u.call.within_group);
    eddy_script_free(s);
    e = item0("SELECT EXTRACT(DAY FROM ts)", &s);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_EXTRACT);
    assert_int_equal(e->u.call.args->a[0]->u.unit, EDDY_UNIT_DAY);
    assert_int_equal(e->u.call.args->a[0]->pos.col, 16);
    eddy_script_free(s);
    e = item0("SELECT FLOOR(ts TO HOUR)", &s);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_FLOOR_TO);
    eddy_script_free(s);
    e = item0("SELECT TRIM(LEADING 'x' FROM s)", &s);
    assert_int_equal(e->u.call.trim_side, 2);
    assert_int_equal(e->u.call.args->n, 2);
    eddy_script_free(s);
    e = item0("SELECT POSITION('a' IN s)", &s);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_POSITION_IN);
    eddy_script_free(s);
    e = item0("SELECT TIMESTAMPDIFF(HOUR, a, b)", &s);
    assert_int_equal(e->u.call.args->a[0]->kind, EDDY_EXPR_TIME_UNIT);
    eddy_script_free(s);
    e = item0("SELECT CURRENT_TIMESTAMP", &s);
    assert_int_equal(e->u.call.syntax, EDDY_CALL_NILADIC);
    eddy_script_free(s);
    e = item0("SELECT LEFT(s, 2)", &s);
    assert_string_equal(part(e->u.call.func, 0), "LEFT");
    eddy_script_free(s);

    /* literals */
    e = item0("SELECT INTERVAL -'1:30' MINUTE(2) TO SECOND(3)", &s);
    assert_true(e->u.lit.negative);
    assert_string_equal(e->u.lit.text, "1:30");
    assert_int_equal(e->u.lit.from, EDDY_UNIT_MINUTE);
    assert_int_equal(e->u.lit.from_precision, 2);
    assert_int_equal(e->u.lit.to, EDDY_UNIT_SECOND);
    assert_int_equal(e->u.lit.to_precision, 3);
    eddy_script_free(s);
    e = item0("SELECT X'0aFF'", &s);
    assert_int_equal(e->u.lit.kind, EDDY_LIT_BINARY);
    assert_string_equal(e->u.lit.text, "0aFF");
    eddy_script_free(s);
    e = item0("SELECT 'it''s'", &s);
    assert_string_equal(e->u.lit.text, "it's");
    eddy_script_free(s);
    e = item0("SELECT TIMESTAMP '2020-01-01 00:00:00.000'", &s);
    assert_int_equal(e->u.lit.kind, EDDY_LIT_TIMESTAMP);
    eddy_script_free(s);

    /* types */
    e = item0("SELECT CAST(x AS MAP<STRING, ARRAY<ROW<a INT 'c', b DECIMAL(10, 2)>>> NOT NULL)", &s);
    const eddy_sqltype *t = e->u.cast.type;
    assert_int_equal(t->kind, EDDY_TYPE_MAP);
    assert_true(t->not_null);
    assert_int_equal(t->value->elem->nfields, 2);
    assert_string_equal(t->value->elem->fields[0].comment, "c");
    assert_int_equal(t->value->elem->fields[1].type->scale, 2);
    eddy_script_free(s);
    e = item0("SELECT TRY_CAST(x AS TIMESTAMP(3) WITH LOCAL TIME ZONE)", &s);
    assert_true(e->u.cast.try_);
    assert_int_equal(e->u.cast.type->kind, EDDY_TYPE_TIMESTAMP_LTZ);
    eddy_script_free(s);
    e = item0("SELECT CAST(x AS INT ARRAY)", &s);
    assert_true(e->u.cast.type->postfix_array);
    eddy_script_free(s);
    e = item0("SELECT CAST(x AS INTERVAL DAY(2) TO SECOND(3))", &s);
    assert_int_equal(e->u.cast.type->from, EDDY_UNIT_DAY);
    assert_int_equal(e->u.cast.type->scale, 3);
    eddy_script_free(s);
}

/* Many more statements that must simply parse. */
static void test_parses(void **state)
{
    (void)state;
    static const char *const sql[] = {
        "SELECT a FROM t",
        ";;SELECT 1;;",
        "",
        "-- nothing but a comment",
        "SELECT CASE WHEN a THEN 1 WHEN b THEN 2 END, CASE a WHEN 1 THEN 'x' ELSE 'y' END",
        "SELECT EXISTS (SELECT 1), (SELECT MAX(a) FROM t), (a, b), ROW(a, b), ARRAY[1, 2], "
        "MAP['a', 1], x['k'], (r).f, IF(c, a, b), HOUR(ts), YEAR(d), MOD(a, 2), RIGHT(s, 1)",
        "SELECT a <> b, a != b, a == b, a % b, a / b, +a, a >= b, a <= b, a IS TRUE, "
        "a IS NOT UNKNOWN, a SIMILAR TO 'x' ESCAPE '!', a NOT SIMILAR TO 'y'",
        "SELECT CEIL(x), CEILING(x TO DAY), TRIM(s), TRIM(BOTH FROM s), TRIM('x' FROM s), "
        "SUBSTRING(s, 1, 2), SUBSTRING(s FROM 1 FOR 2), OVERLAY(s PLACING 'x' FROM 1 FOR 2), "
        "TIMESTAMPADD(WEEK, 1, ts), LOCALTIMESTAMP(), CURRENT_ROW_TIMESTAMP(), CURRENT_DATE",
        "SELECT DATE '2020-01-01', TIME '12:00:00', TIMESTAMP_LTZ '2020-01-01 00:00:00', "
        "INTERVAL '5' SECOND(3), INTERVAL '1' YEAR TO MONTH, 1.5, .5, 1e3, 1.5E-3, TRUE, "
        "FALSE, NULL, UNKNOWN",
        "SELECT ROW_NUMBER() OVER w, LAST_VALUE(x) IGNORE NULLS OVER (ORDER BY ts ROWS 5 PRECEDING), "
        "SUM(x) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t "
        "WINDOW w AS (PARTITION BY a ORDER BY ts)",
        "SELECT bidder, SESSION_START(`dateTime`, INTERVAL '10' SECOND) FROM bid "
        "GROUP BY bidder, SESSION(`dateTime`, INTERVAL '10' SECOND)",
        "SELECT * FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, "
        "INTERVAL '1' HOUR))",
        "SELECT * FROM TABLE(TUMBLE(TABLE t PARTITION BY k ORDER BY ts DESC, DESCRIPTOR(ts), "
        "INTERVAL '1' MINUTE))",
        "SELECT * FROM t FULL JOIN u ON TRUE RIGHT JOIN v USING (a, b) INNER JOIN w ON 1 = 1",
        "SELECT * FROM (SELECT 1) AS s (x), (VALUES (1)) v, ((SELECT 2)) w",
        "SELECT a FROM t ORDER BY a LIMIT 1; SELECT a FROM t OFFSET 2 ROWS FETCH NEXT 1 ROW ONLY",
        "SELECT 1 UNION SELECT 2 EXCEPT DISTINCT SELECT 3 INTERSECT ALL SELECT 4",
        "WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b",
        "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
        "INSERT INTO t (SELECT 1)",
        "INSERT INTO t WITH x AS (SELECT 1) SELECT * FROM x",
        "EXPLAIN INSERT INTO t SELECT 1; EXPLAIN EXECUTE STATEMENT SET BEGIN INSERT INTO t "
        "SELECT 1; END; EXPLAIN JSON_EXECUTION_PLAN, PLAN_ADVICE (SELECT 1)",
        "CREATE TABLE t (a ROW(b INT, c STRING), m MULTISET<INT>, r RAW('c', 'snap'), "
        "d DOUBLE PRECISION, v VARBINARY(10), y BYTES, z BINARY, q CHAR(2), n NUMERIC(5), "
        "de DEC, f FLOAT, re REAL, bo BOOLEAN, ti TINYINT, sm SMALLINT, ig INTEGER, "
        "tm TIME(0) WITHOUT TIME ZONE, ts TIMESTAMP WITHOUT TIME ZONE, lt TIMESTAMP_LTZ(6), "
        "iv INTERVAL YEAR TO MONTH, arr INT NOT NULL ARRAY NOT NULL, dt DATE)",
        "CREATE TABLE t (`partition` BIGINT METADATA VIRTUAL, partition INT, ts TIMESTAMP(3) "
        "METADATA FROM 'timestamp') WITH ('connector' = 'kafka')",
        "CREATE FUNCTION f AS 'x'; CREATE TEMPORARY FUNCTION g AS 'y' LANGUAGE SCALA; "
        "DROP FUNCTION f; DROP DATABASE d; DROP TABLE IF EXISTS t",
        "SHOW VIEWS; SHOW FUNCTIONS; SHOW CATALOGS; SHOW DATABASES; SHOW CREATE TABLE a.b",
        "SELECT * FROM t AS OF_X",
        "SELECT ((SELECT 1) + 1), (((SELECT 2))), ((SELECT 1) ORDER BY 1), "
        "x IN ((SELECT 1) UNION (SELECT 2)), EXISTS ((SELECT 1) UNION (SELECT 2))",
        "SELECT (SELECT 1) UNION SELECT 2; ((SELECT 1) UNION SELECT 2) ORDER BY 1",
        "SELECT * FROM ((SELECT 1) UNION (SELECT 2)) t, (a JOIN b ON TRUE) JOIN c ON TRUE",
        "SELECT POSITION('a' || 'b' IN s), FLOOR(INTERVAL '1' DAY TO HOUR)",
        "SELECT a AS key, b value, c AS `select` FROM t",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        eddy_script *s = parse_ok(sql[i]);
        eddy_strbuf why = {0};
        for (int k = 0; k < s->n; k++)
            if (eddy_test_roundtrip(s, k, &why) != 0)
                fail_msg("round trip: %s", eddy_strbuf_cstr(&why));
        eddy_strbuf_free(&why);
        eddy_script_free(s);
    }
}

static void test_errors(void **state)
{
    (void)state;
    eddy_error err = parse_fail("SELECT a,\n  b FROM t\nWHERE a = = 1");
    assert_int_equal(err.code, EDDY_ESYNTAX);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 11);
    assert_string_equal(err.msg, "syntax error near '='; expected expression");

    err = parse_fail("SELECT (a + b FROM t");
    assert_string_equal(err.msg, "syntax error near 'FROM'; expected one of: ')', ','");
    err = parse_fail("SELECT a FROM t GROUP a");
    assert_string_equal(err.msg, "syntax error near 'a'; expected BY");
    err = parse_fail("CREATE TABLE t (a INT,");
    assert_int_equal(err.col, 23);
    assert_string_equal(err.msg, "syntax error at end of input; expected one of: CONSTRAINT, "
                                 "PRIMARY, WATERMARK, identifier");
    err = parse_fail("SELECT 1; SELECT FROM");
    assert_int_equal(err.col, 18);
    /* a long list is cut */
    err = parse_fail("SELECT a FROM t WHERE x = 1 1");
    assert_non_null(strstr(err.msg, ", ...") );
    /* a lexer error passes through */
    err = parse_fail("SELECT 'abc");
    assert_int_equal(err.code, EDDY_ELEX);
    assert_int_equal(err.col, 8);
    /* an action's error */
    err = parse_fail("BEGIN STATEMENT SET; END");
    assert_non_null(strstr(err.msg, "at least one INSERT"));
    err = parse_fail("EXECUTE STATEMENT SET BEGIN SELECT 1; END");
    assert_non_null(strstr(err.msg, "expected one of"));
    /* a very deep expression is an error, not a crash */
    size_t depth = 5000;
    char *deep = malloc(2 * depth + 16);
    strcpy(deep, "SELECT ");
    size_t n = strlen(deep);
    for (size_t i = 0; i < depth; i++)
        deep[n++] = '(';
    deep[n++] = '1';
    for (size_t i = 0; i < depth; i++)
        deep[n++] = ')';
    deep[n] = 0;
    err = parse_fail(deep);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    free(deep);
}

static void test_positions(void **state)
{
    (void)state;
    const char *sql = "  SELECT a ;\n-- c\n\tINSERT INTO t SELECT b FROM u /* x */ ;;(SELECT 1)";
    eddy_script *s = parse_ok(sql);
    assert_int_equal(s->n, 3);
    assert_int_equal(s->stmts[0]->pos.line, 1);
    assert_int_equal(s->stmts[0]->pos.col, 3);
    assert_int_equal(s->stmts[0]->src_off, 2);
    assert_int_equal(s->stmts[0]->src_len, 8);
    char *text = eddy_test_stmt_text(s, 1);
    assert_string_equal(text, "INSERT INTO t SELECT b FROM u");
    free(text);
    assert_int_equal(s->stmts[1]->pos.line, 3);
    assert_int_equal(s->stmts[1]->pos.col, 2);
    const eddy_select *sel = s->stmts[1]->u.insert.query->u.select;
    assert_int_equal(sel->pos.col, 16);
    assert_int_equal(sel->items->a[0].expr->pos.col, 23);
    assert_int_equal(sel->from->pos.col, 30);
    text = eddy_test_stmt_text(s, 2);
    assert_string_equal(text, "(SELECT 1)");
    free(text);
    eddy_script_free(s);
}

static void test_keywords(void **state)
{
    (void)state;
    /* every terminal of the grammar has a name; keywords map back to their code */
    int ntok = eddy_grammar_ntokens();
    int nkw = 0;
    for (int code = 1; code < ntok; code++) {
        if (code == TK_UMINUS || code == TK_SUBQUERY_PREC || code == TK_INTERVAL_PREC)
            continue;
        const char *name = eddy_token_name(code);
        if (strcmp(name, "?") == 0)
            fail_msg("token %d has no name (missing from keywords.c?)", code);
        if (name[0] >= 'A' && name[0] <= 'Z') {
            nkw++;
            if (eddy_keyword_code(name, (int)strlen(name)) != code)
                fail_msg("keyword %s does not map to its code %d", name, code);
            char lower[64];
            size_t i = 0;
            for (; name[i] && i < sizeof lower - 1; i++)
                lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
            lower[i] = 0;
            assert_int_equal(eddy_keyword_code(lower, (int)i), code);
        }
    }
    assert_true(nkw > 150);
    assert_int_equal(eddy_keyword_code("dateTime", 8), TK_ID);
    assert_int_equal(eddy_keyword_code("SELECTX", 7), TK_ID);
    assert_int_equal(eddy_keyword_code("SELECT", 5), TK_ID); /* "SELEC" */
    assert_int_equal(eddy_keyword_code("Integer", 7), TK_KW_INTEGER);
    assert_string_equal(eddy_token_name(TK_KW_INTEGER), "INTEGER");
    assert_string_equal(eddy_token_name(0), "end of input");
    assert_string_equal(eddy_token_name(TK_COMMA), "','");
    assert_string_equal(eddy_token_name(TK_QID), "identifier");
}

/* ---------------------------------------------------------------------------------------- */
/* No non-reserved keyword can follow an optional identifier.
 *
 * Lemon applies %fallback only where the keyword has no action of its own, and folds each
 * state's most common reduction into a default. In a state that shifts an identifier (an alias
 * without AS) and reduces on a non-reserved keyword, the keyword would be read as the alias.
 * Lemon's report of the uncompressed tables (-c) lists every state's actions; this finds such
 * states. */

static bool in_list(const char *word, const char *list)
{
    size_t n = strlen(word);
    for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
        if ((p == list || p[-1] == ' ' || p[-1] == '\n') && (p[n] == ' ' || p[n] == '\n' || p[n] == '.'))
            return true;
    return false;
}

static void test_no_keyword_shadowed_by_alias(void **state)
{
    (void)state;
    const char *templ = NULL;
    static const char *const templs[] = {"/usr/share/lemon/lempar.c", "/usr/local/share/lemon/lempar.c"};
    for (size_t i = 0; i < 2; i++)
        if (access(templs[i], R_OK) == 0)
            templ = templs[i];
    if (templ == NULL || system("lemon -x > /dev/null 2>&1") != 0) {
        printf("[ skipped  ] lemon is not installed\n");
        skip();
    }
    char dir[] = "/tmp/eddy_grammar_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cp '%s/parser/grammar.y' '%s/g.y' && cd '%s' && lemon -c -l -T%s g.y > /dev/null",
             EDDY_SOURCE_DIR, dir, dir, templ);
    assert_int_equal(system(cmd), 0);

    char path[4200];
    snprintf(path, sizeof path, "%s/g.y", dir);
    char *grammar = eddy_test_read_file(path, NULL);
    snprintf(path, sizeof path, "%s/g.out", dir);
    char *report = eddy_test_read_file(path, NULL);
    assert_non_null(grammar);
    assert_non_null(report);

    /* the %fallback list, from the line that starts with it to the '.' that ends it */
    char *fb = strstr(grammar, "\n%fallback ID");
    assert_non_null(fb);
    fb += strlen("\n%fallback ID");
    char *end = strchr(fb, '.');
    assert_non_null(end);
    end[1] = 0;

    int problems = 0, states = 0;
    eddy_strbuf why = {0};
    for (char *st = strstr(report, "State "); st; ) {
        char *next = strstr(st + 1, "\nState ");
        if (next)
            *next = 0;
        states++;
        /* action lines: "<token> shift|shift-reduce|reduce <n> ..." */
        bool shifts_id = false;
        for (char *l = st; l; l = strchr(l + 1, '\n')) {
            char tok[64], act[32];
            if (sscanf(l, " %63s %31s", tok, act) == 2 && strcmp(tok, "ID") == 0 &&
                strncmp(act, "shift", 5) == 0)
                shifts_id = true;
        }
        for (char *l = st; shifts_id && l; l = strchr(l + 1, '\n')) {
            char tok[64], act[32];
            if (sscanf(l, " %63s %31s", tok, act) == 2 && strcmp(act, "reduce") == 0 &&
                in_list(tok, fb)) {
                char first[64];
                sscanf(st, "%63[^\n]", first);
                eddy_strbuf_printf(&why, "%s: %s can follow an optional identifier\n", first, tok);
                problems++;
            }
        }
        if (!next)
            break;
        st = next + 1;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(grammar);
    free(report);
    if (problems)
        fail_msg("%d shadowed keywords:\n%s", problems, eddy_strbuf_cstr(&why));
    eddy_strbuf_free(&why);
    assert_true(states > 100);
}

static void test_nexmark(void **state)
{
    (void)state;
    static const char *const names[] = {"TPS", "EVENTS_NUM", "PERSON_PROPORTION",
                                        "AUCTION_PROPORTION", "BID_PROPORTION", "NEXMARK_TABLE",
                                        "BOOTSTRAP_SERVERS", "NEXMARK_DIR", "SUBMIT_TIME",
                                        "FLINK_HOME", "KEEP_ALIVE", "STOP_AT"};
    static const char *const values[] = {"1000", "100000", "1", "3", "46", "datagen",
                                         "localhost:9092", "/tmp/nexmark", "0", "/opt/flink",
                                         "false", "0"};
    char **files;
    int n = eddy_test_list_dir(EDDY_SHARED_DIR "/nexmark", ".sql", &files);
    if (n < 0) {
        printf("[ skipped  ] no %s\n", EDDY_SHARED_DIR "/nexmark");
        skip();
    }
    int nstmts = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/nexmark/%s", EDDY_SHARED_DIR, files[i]);
        char *raw = eddy_test_read_file(path, NULL);
        assert_non_null(raw);
        eddy_error err;
        eddy_error_clear(&err);
        char *sql = eddy_placeholders_fill(raw, names, values, 12, &err);
        if (sql == NULL)
            fail_msg("%s: %s", files[i], err.msg);
        eddy_script *s = NULL;
        if (eddy_parse(sql, strlen(sql), &s, &err) != 0) {
            char msg[2048];
            fail_msg("%s: %s", files[i], eddy_error_render(&err, sql, msg, sizeof msg));
        }
        assert_true(s->n >= 1);
        nstmts += s->n;
        eddy_script_free(s);
        free(sql);
        free(raw);
    }
    eddy_test_free_list(files, n);
    assert_true(n >= 29);
    assert_true(nstmts >= 58);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ddl),
        cmocka_unit_test(test_other_statements),
        cmocka_unit_test(test_dml),
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_from),
        cmocka_unit_test(test_expressions),
        cmocka_unit_test(test_parses),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_no_keyword_shadowed_by_alias),
        cmocka_unit_test(test_nexmark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
