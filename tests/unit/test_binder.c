/*
 * test_binder.c: the planner's binder: names, types, Flink's typing rules, implicit casts,
 * time attributes, and errors with their line, column and suggestions.
 *
 * Types are checked through bare SELECTs: the print sink's schema is the query's output, so
 * "SELECT 1.5 FROM t" shows the literal's type. Expected types follow Flink (see the header
 * comments of planner/bind_expr.c and planner/binder_functions.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "planner/ptype.h"
#include "test_planner_util.h"

static const char *base_ddl =
    "CREATE TABLE t (\n"
    "  a INT NOT NULL, b BIGINT, s STRING, d DOUBLE, m DECIMAL(10, 2), ts TIMESTAMP(3),\n"
    "  r ROW<x INT, y ROW<z STRING>>,\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n"
    ") WITH ('connector' = 'datagen');\n"
    "CREATE TABLE sink_t (a BIGINT, p DECIMAL(23, 3), s STRING) WITH ('connector' = 'blackhole');\n";

static int setup(void **state)
{
    eddy_session *s = eddy_session_new();
    tp_ok(s, base_ddl);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    eddy_session_free(*state);
    return 0;
}

/* 1-based column of needle in a one-line sql. */
static int colof(const char *sql, const char *needle)
{
    const char *p = strstr(sql, needle);
    if (!p) fail_msg("'%s' not in '%s'", needle, sql);
    return (int)(p - sql) + 1;
}

/* The output types of a bare SELECT, "T1 | T2 | ..." with NOT NULL and time attributes. */
static char *types_of(eddy_session *s, const char *sql)
{
    eddy_job_plan *p = tp_plan(s, sql);
    const eddy_plan *sink = p->sinks[0];
    const eddy_plan *in = sink->inputs[0];
    eddy_strbuf b = {0};
    for (int i = 0; i < in->out.n; i++) {
        if (i) eddy_strbuf_puts(&b, " | ");
        pt_sql(&b, in->out.fields[i].type, true);
        if (in->out.fields[i].rowtime) eddy_strbuf_puts(&b, " *ROWTIME*");
        if (in->out.fields[i].proctime) eddy_strbuf_puts(&b, " *PROCTIME*");
    }
    eddy_job_plan_free(p);
    return eddy_strbuf_take(&b);
}

#define assert_types(s, sql, want)                                                             \
    do {                                                                                      \
        char *got_ = types_of((s), (sql));                                                    \
        assert_string_equal(got_, (want));                                                    \
        free(got_);                                                                           \
    } while (0)

/* The EXPLAIN line of the first CALC below the sink. */
static char *calc_line(eddy_session *s, const char *sql)
{
    char *t = tp_explain(s, sql);
    char *c = strstr(t, "Calc(");
    if (!c) fail_msg("no Calc in:\n%s", t);
    char *e = strchr(c, '\n');
    char *r = strndup(c, e ? (size_t)(e - c) : strlen(c));
    free(t);
    return r;
}

#define assert_calc(s, sql, want)                                                              \
    do {                                                                                      \
        char *got_ = calc_line((s), (sql));                                                   \
        assert_string_equal(got_, (want));                                                    \
        free(got_);                                                                           \
    } while (0)

/* ---------------------------------------------------------------------------------------- */
/* Types                                                                                     */

static void test_literal_types(void **state)
{
    eddy_session *s = *state;
    assert_types(s, "SELECT 123, 3000000000, 99999999999999999999, 1.5, 0.908, 1e3, 'abc', TRUE FROM t",
                 "INT NOT NULL | BIGINT NOT NULL | DECIMAL(20, 0) NOT NULL | DECIMAL(2, 1) NOT NULL | "
                 "DECIMAL(3, 3) NOT NULL | DOUBLE NOT NULL | CHAR(3) NOT NULL | BOOLEAN NOT NULL");
    assert_types(s,
                 "SELECT DATE '2020-01-01', TIMESTAMP '2020-01-01 10:00:00.123', TIME '10:00:00', "
                 "INTERVAL '5' SECOND, -5, -2147483648 FROM t",
                 "DATE NOT NULL | TIMESTAMP(3) NOT NULL | TIME(0) NOT NULL | INTERVAL SECOND NOT NULL | INT NOT NULL | "
                 "INT NOT NULL");
    assert_calc(s, "SELECT 1e3, 0.5e0, 1.25, -7, 'it''s', X'0AFF' FROM t",
                "Calc(select=[1000.0 AS EXPR$0, 0.5 AS EXPR$1, 1.25 AS EXPR$2, -7 AS EXPR$3, 'it''s' AS EXPR$4, "
                "X'0AFF' AS EXPR$5])");
}

static void test_arithmetic_types(void **state)
{
    eddy_session *s = *state;
    assert_types(s, "SELECT a + b, a + a, a * m, 0.908 * b, m * d, a / 2, MOD(a, b), a % 3, m + 1 FROM t",
                 "BIGINT | INT NOT NULL | DECIMAL(21, 2) | DECIMAL(23, 3) | DOUBLE | INT NOT NULL | BIGINT | "
                 "INT NOT NULL | DECIMAL(13, 2)");
    assert_types(s, "SELECT ts + INTERVAL '1' HOUR, ts - INTERVAL '1' MONTH, INTERVAL '1' DAY + ts, -d, -m FROM t",
                 "TIMESTAMP(3) | TIMESTAMP(3) | TIMESTAMP(3) | DOUBLE | DECIMAL(10, 2)");
    /* literal folding keeps constants as constants */
    assert_calc(s, "SELECT a + 1, b * 2, -a FROM t", "Calc(select=[a + 1 AS EXPR$0, b * 2 AS EXPR$1, -a AS EXPR$2])");
}

static void test_comparison_casts(void **state)
{
    eddy_session *s = *state;
    /* DECIMAL against DOUBLE compares as DOUBLE; INT against BIGINT as BIGINT */
    assert_calc(s, "SELECT a FROM t WHERE m = d AND b = a",
                "Calc(select=[a], where=[CAST(m AS DOUBLE) = d AND b = CAST(a AS BIGINT)])");
    /* a constant takes the column's type when it holds it exactly: no cast of the column */
    assert_calc(s, "SELECT a FROM t WHERE m > 10 AND b < 10000 AND m < 1.5 AND a > 3000000000",
                "Calc(select=[a], where=[m > 10.00 AND b < 10000 AND m < 1.50 AND CAST(a AS BIGINT) > 3000000000])");
    /* a string literal against a timestamp is read as one */
    assert_calc(s, "SELECT a FROM t WHERE ts >= '2020-01-01 00:00:00'",
                "Calc(select=[a], where=[ts >= TIMESTAMP '2020-01-01 00:00:00.000'])");
    assert_calc(s, "SELECT a FROM t WHERE a BETWEEN 1 AND 5 OR s IN ('x', 'y') OR s IS NULL OR s NOT LIKE 'a%'",
                "Calc(select=[a], where=[a >= 1 AND a <= 5 OR s IN ('x', 'y') OR s IS NULL OR s NOT LIKE 'a%'])");
}

static void test_case_coalesce(void **state)
{
    eddy_session *s = *state;
    assert_types(s,
                 "SELECT CASE WHEN a > 0 THEN a ELSE b END, CASE WHEN a > 0 THEN a ELSE 0 END, "
                 "CASE WHEN a > 0 THEN a END, COALESCE(b, a), COALESCE(b, 0), COALESCE(s, 'x'), IF(a > 1, d, 0), "
                 "NULLIF(a, 2), CASE a WHEN 1 THEN 'one' ELSE 'many' END FROM t",
                 "BIGINT | INT NOT NULL | INT | BIGINT NOT NULL | BIGINT NOT NULL | STRING NOT NULL | DOUBLE | INT | "
                 "VARCHAR(4) NOT NULL");
}

static void test_function_types(void **state)
{
    eddy_session *s = *state;
    assert_types(s,
                 "SELECT DATE_FORMAT(ts, 'yyyy'), EXTRACT(HOUR FROM ts), REGEXP_EXTRACT(s, 'a'), UPPER(s), "
                 "CHAR_LENGTH(s), TO_TIMESTAMP(s), ROUND(m, 1), ABS(a), FLOOR(m), HOUR(ts), SPLIT_INDEX(s, '/', 1), "
                 "CONCAT(s, 'x'), s || 'x', TIMESTAMPDIFF(SECOND, ts, ts), FLOOR(ts TO HOUR), POWER(a, 2) FROM t",
                 "STRING | BIGINT | STRING | STRING | INT | TIMESTAMP(3) | DECIMAL(10, 1) | INT NOT NULL | "
                 "DECIMAL(9, 0) | BIGINT | STRING | STRING | STRING | INT | TIMESTAMP(3) | DOUBLE NOT NULL");
    assert_types(s, "SELECT PROCTIME(), CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE FROM t",
                 "TIMESTAMP_LTZ(3) NOT NULL *PROCTIME* | TIMESTAMP_LTZ(3) NOT NULL | TIMESTAMP(3) NOT NULL | "
                 "DATE NOT NULL");
    assert_calc(s, "SELECT SUBSTRING(s FROM 2 FOR 3), TRIM(LEADING 'x' FROM s), POSITION('a' IN s) FROM t",
                "Calc(select=[SUBSTRING(s, 2, 3) AS EXPR$0, LTRIM(s, 'x') AS EXPR$1, POSITION('a', s) AS EXPR$2])");
}

static void test_aggregate_types(void **state)
{
    eddy_session *s = *state;
    assert_types(s,
                 "SELECT COUNT(*), COUNT(s), SUM(a), SUM(b), SUM(m), AVG(m), AVG(b), MIN(s), MAX(ts), "
                 "STDDEV_POP(d), APPROX_COUNT_DISTINCT(s), LISTAGG(s), BOOL_AND(a > 1), SUM(d), AVG(a) FROM t",
                 "BIGINT NOT NULL | BIGINT NOT NULL | INT | BIGINT | DECIMAL(38, 2) | DECIMAL(38, 6) | BIGINT | STRING | "
                 "TIMESTAMP(3) | DOUBLE | BIGINT NOT NULL | STRING | BOOLEAN | DOUBLE | INT");
}

/* ---------------------------------------------------------------------------------------- */
/* Names                                                                                     */

static void test_name_errors(void **state)
{
    eddy_session *s = *state;
    const char *q1 = "SELECT usr_id FROM t";
    tp_error(s, "CREATE TABLE u (user_id INT, name STRING) WITH ('connector' = 'datagen'); SELECT usr_id FROM u",
             EDDY_EBIND, 1, 82, "column 'usr_id' not found in any table; did you mean 'user_id'?");
    (void)q1;
    const char *q2 = "SELECT T.x FROM t AS T";
    tp_error(s, q2, EDDY_EBIND, 1, colof(q2, "x FROM"), "column 'x' not found in table 'T'");
    const char *q3 = "SELECT * FROM tt";
    tp_error(s, q3, EDDY_EBIND, 1, colof(q3, "tt"), "table 'tt' not found; did you mean 't'?");
    const char *q4 = "SELECT A FROM t";
    tp_error(s, q4, EDDY_EBIND, 1, 8, "column 'A' not found in any table; did you mean 'a'?");
    const char *q5 = "SELECT r.w FROM t";
    tp_error(s, q5, EDDY_EBIND, 1, colof(q5, "w FROM"), "field 'w' not found in 'r'");
    const char *q6 = "SELECT q.r.x FROM (SELECT r FROM t) q";
    tp_error(s, q6, EDDY_EUNSUPPORTED, 1, colof(q6, "x FROM"), "field 'x' of ROW column 'r'");
    const char *q7 = "SELECT a.x FROM t";
    tp_error(s, q7, EDDY_EBIND, 1, colof(q7, "x FROM"), "field 'x' not found: 'a' is INT, not a ROW");
    const char *q8 = "SELECT nope.a FROM t";
    tp_error(s, q8, EDDY_EBIND, 1, 8, "table or column 'nope' not found");
    /* Flink identifiers are case-sensitive; nested fields resolve by path, qualified or not */
    assert_types(s, "SELECT r.y.z, T.r.x, r FROM t AS T", "STRING | INT | ROW<`x` INT, `y` ROW<`z` STRING>>");
}

static void test_output_names(void **state)
{
    eddy_session *s = *state;
    eddy_job_plan *p = tp_plan(s, "SELECT a, a, b AS a, r.x, a + 1, * FROM t");
    const eddy_schema *o = &p->sinks[0]->u.sink.target;
    const char *want[] = {"a", "a0", "a1", "x", "EXPR$4", "a2", "b", "s", "d", "m", "ts", "r"};
    assert_int_equal(o->n, 12);
    for (int i = 0; i < 12; i++) assert_string_equal(o->fields[i].name, want[i]);
    eddy_job_plan_free(p);
    /* WITH queries: column lists, one seeing an earlier one, one with a WITH of its own */
    tp_ok(s, "WITH w1 AS (SELECT a FROM t), w2 AS (WITH w3 AS (SELECT a + 1 AS b FROM w1) SELECT b FROM w3), "
             "w4 AS (SELECT a FROM w1) SELECT b FROM w2 UNION ALL SELECT a FROM w4");
    tp_error(s, "WITH w1 AS (SELECT a FROM w2), w2 AS (SELECT a FROM t) SELECT a FROM w1", EDDY_EBIND, 1, 70,
             "in WITH query 'w1' (line 1, column 27): table 'w2' not found");
    tp_error(s, "WITH w1 AS (SELECT a FROM w1) SELECT a FROM w1", EDDY_EBIND, 0, 0, "table 'w1' not found");
    p = tp_plan(s, "WITH w (x, y) AS (SELECT a, b FROM t) SELECT q.x2, y FROM (SELECT x AS x2, y FROM w) AS q");
    o = &p->sinks[0]->u.sink.target;
    assert_string_equal(o->fields[0].name, "x2");
    assert_string_equal(o->fields[1].name, "y");
    eddy_job_plan_free(p);
}

/* ---------------------------------------------------------------------------------------- */
/* Type errors                                                                               */

static void test_type_errors(void **state)
{
    eddy_session *s = *state;
    const char *q = "SELECT s + a FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "cannot apply '+' to VARCHAR and INT");
    q = "SELECT a FROM t WHERE s = 5";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "s = 5"), "cannot compare VARCHAR with INT; convert one side explicitly, e.g. CAST(... AS INT)");
    q = "SELECT a FROM t WHERE a";
    tp_error(s, q, EDDY_EBIND, 1, 23, "WHERE must be a BOOLEAN condition, not INT");
    q = "SELECT UPPER(a) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 14, "argument 1 of UPPER must be a string, not INT");
    q = "SELECT CAST(ts AS BOOLEAN) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "cannot cast TIMESTAMP(3) to BOOLEAN");
    q = "SELECT SUM(s) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "SUM does not accept VARCHAR");
    q = "SELECT ts - ts FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "use TIMESTAMPDIFF");
    q = "SELECT CASE WHEN a > 1 THEN s ELSE a END FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "CASE: no common type for VARCHAR and INT");
    q = "SELECT a FROM t WHERE ts > 'yesterday'";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "'yesterday'"), "'yesterday' is not a valid TIMESTAMP(3)");
    q = "SELECT a FROM t WHERE a LIKE 'x%'";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "a LIKE"), "LIKE needs strings, not INT");
    q = "SELECT s || a FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "cannot apply '||' to VARCHAR and INT");
    q = "SELECT DATE '2020-13-01' FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "invalid DATE literal '2020-13-01'");
}

static void test_function_errors(void **state)
{
    eddy_session *s = *state;
    const char *q = "SELECT UPPR(s) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "function 'UPPR' not found; did you mean 'UPPER'?");
    q = "SELECT SUBSTRING(s) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "SUBSTRING takes 2 to 3 arguments, not 1");
    q = "SELECT UPPER(s, s) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "UPPER takes 1 argument, not 2");
    tp_ok(s, "CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar';");
    q = "SELECT count_char(s, 'c') FROM t";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, 8,
             "function 'count_char' is a Java UDF (com.github.nexmark.flink.udf.CountChar); eddy cannot run JVM "
             "functions");
    q = "SELECT UPPER(DISTINCT s) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "UPPER is not an aggregate function");
}

static void test_aggregate_errors(void **state)
{
    eddy_session *s = *state;
    const char *q = "SELECT s, COUNT(*) FROM t GROUP BY a";
    tp_error(s, q, EDDY_EBIND, 1, 8, "expression 's' is not being grouped");
    q = "SELECT a + b FROM t GROUP BY a";
    tp_error(s, q, EDDY_EBIND, 1, 12, "expression 'b' is not being grouped");
    q = "SELECT a FROM t WHERE COUNT(*) > 1";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "COUNT"), "aggregate functions are not allowed in WHERE");
    q = "SELECT MAX(MIN(a)) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 12, "aggregate function calls cannot be nested");
    q = "SELECT COUNT(*) FROM t GROUP BY COUNT(*)";
    tp_error(s, q, EDDY_EBIND, 1, 33, "aggregate functions are not allowed in GROUP BY");
    q = "SELECT a FROM t GROUP BY a HAVING s = 'x'";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "s = 'x'"), "expression 's' is not being grouped");
    q = "SELECT SUM(*) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "only COUNT takes *");
    /* expressions of keys are fine */
    assert_types(s, "SELECT a % 2 + 1, COUNT(*) FROM t GROUP BY a % 2", "INT NOT NULL | BIGINT NOT NULL");
    assert_types(s, "SELECT 1, COUNT(*) * 2 FROM t", "INT NOT NULL | BIGINT NOT NULL");
}

static void test_unsupported(void **state)
{
    eddy_session *s = *state;
    const char *q = "SELECT * FROM t JOIN sink_t ON t.a = sink_t.a";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, colof(q, "t JOIN"), "JOIN is not supported yet");
    q = "SELECT * FROM t, sink_t";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, colof(q, "sink_t"), "joins (FROM a, b) are not supported yet");
    q = "SELECT AVG(a) OVER (PARTITION BY s ORDER BY ts) FROM t";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, colof(q, "OVER"), "OVER windows");
    q = "SELECT ROW_NUMBER() OVER (PARTITION BY s ORDER BY ts) FROM t";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, colof(q, "OVER"), "Top-N and deduplication");
    q = "SELECT a FROM t WHERE a = (SELECT 1)";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, colof(q, "(SELECT"), "subqueries in expressions are not supported yet");
    q = "SELECT a FROM t WHERE a IN (SELECT a FROM t)";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, colof(q, "a IN"), "IN (subquery) is not supported yet");
    q = "SELECT a FROM t FOR SYSTEM_TIME AS OF ts";
    tp_error(s, q, EDDY_EUNSUPPORTED, 0, 0, "temporal joins");
    q = "SELECT a FROM t ORDER BY a";
    tp_error(s, q, EDDY_EPLAN, 1, 26, "Sort on a non-time-attribute field is not supported");
    q = "SELECT a, ts FROM t ORDER BY ts";
    tp_error(s, q, EDDY_EUNSUPPORTED, 0, 0, "ORDER BY a time attribute is not supported yet");
    q = "SELECT a FROM t INTERSECT SELECT a FROM t";
    tp_error(s, q, EDDY_EUNSUPPORTED, 0, 0, "INTERSECT is not supported yet");
    q = "SELECT a FROM (SELECT a FROM t LIMIT 3)";
    tp_error(s, q, EDDY_EUNSUPPORTED, 0, 0, "LIMIT is only supported on the outermost query");
    q = "SELECT 1";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, 1, "SELECT without FROM is not supported yet");
    q = "SELECT * FROM t CROSS JOIN UNNEST(ARRAY[1]) AS u(x)";
    tp_error(s, q, EDDY_EUNSUPPORTED, 0, 0, "not supported yet");
}

/* ---------------------------------------------------------------------------------------- */
/* INSERT                                                                                    */

static void test_insert_casts(void **state)
{
    eddy_session *s = *state;
    /* DECIMAL(22, 3) -> DECIMAL(23, 3) and INT -> BIGINT are implicit; columns map by position */
    tp_ok(s, "CREATE TABLE src2 (p DECIMAL(22, 3), i INT, name VARCHAR(10)) WITH ('connector' = 'datagen');");
    assert_calc(s, "INSERT INTO sink_t SELECT i, p, name FROM src2",
                "Calc(select=[CAST(i AS BIGINT) AS a, CAST(p AS DECIMAL(23, 3)) AS p, CAST(name AS STRING) AS s])");
    eddy_job_plan *plan = tp_plan(s, "INSERT INTO sink_t SELECT i, p, name FROM src2");
    const eddy_plan *sink = plan->sinks[0];
    assert_int_equal(sink->kind, EDDY_PLAN_SINK);
    assert_string_equal(sink->u.sink.table, "sink_t");
    assert_string_equal(sink->u.sink.connector, "blackhole");
    const eddy_plan *calc = sink->inputs[0];
    assert_int_equal(calc->u.calc.exprs[1]->kind, EDDY_BEXPR_CAST);
    assert_int_equal(calc->u.calc.exprs[1]->type->precision, 23);
    assert_int_equal(calc->u.calc.exprs[1]->type->scale, 3);
    assert_int_equal(sink->u.sink.target.n, 3);
    eddy_job_plan_free(plan);
    /* named columns; the rest is NULL */
    assert_calc(s, "INSERT INTO sink_t (s, a) SELECT name, i FROM src2",
                "Calc(select=[CAST(i AS BIGINT) AS a, CAST(NULL AS DECIMAL(23, 3)) AS p, CAST(name AS STRING) AS s])");
    const char *q = "INSERT INTO sink_t SELECT i, p FROM src2";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "SELECT"),
             "Column types of query result and sink for 'sink_t' do not match: the query has 2 columns, the table 3 "
             "(a, p, s)");
    q = "INSERT INTO sink_t SELECT i, name, name FROM src2";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "SELECT"),
             "Incompatible types for sink column 'p' at position 2: the query gives VARCHAR ('name')");
    q = "INSERT INTO sink_t (a, pp) SELECT i, p FROM src2";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "pp"), "column 'pp' not found in table 'sink_t'; did you mean 'p'?");
    q = "INSERT INTO nosuch SELECT i FROM src2";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "nosuch"), "table 'nosuch' not found");
    tp_ok(s, "CREATE VIEW vv AS SELECT a FROM t;");
    q = "INSERT INTO vv SELECT i FROM src2";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "vv"), "cannot INSERT INTO 'vv': it is a view");
    tp_ok(s, "CREATE TABLE nn (k BIGINT NOT NULL, v BIGINT) WITH ('connector' = 'blackhole');");
    q = "INSERT INTO nn (v) SELECT b FROM t";
    tp_error(s, q, EDDY_EBIND, 0, 0, "column 'k' of 'nn' is NOT NULL and gets no value");
    q = "INSERT OVERWRITE sink_t SELECT i, p, name FROM src2";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, 1, "INSERT OVERWRITE is not supported in streaming mode");
}

/* ---------------------------------------------------------------------------------------- */
/* Time attributes                                                                           */

static void test_time_attributes(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "CREATE VIEW v1 AS SELECT a, ts, ts + INTERVAL '1' SECOND AS ts2, CAST(ts AS TIMESTAMP(3)) AS ts3, "
             "PROCTIME() AS pt FROM t;");
    /* plain selection keeps the rowtime through views and subqueries; expressions do not */
    assert_types(s, "SELECT ts, ts2, ts3, pt FROM v1",
                 "TIMESTAMP(3) *ROWTIME* | TIMESTAMP(3) | TIMESTAMP(3) | TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*");
    assert_types(s, "SELECT x FROM (SELECT ts AS x FROM (SELECT * FROM v1) q) z", "TIMESTAMP(3) *ROWTIME*");
    const char *q = "SELECT * FROM TABLE(TUMBLE(TABLE v1, DESCRIPTOR(ts2), INTERVAL '1' MINUTE))";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "DESCRIPTOR"),
             "DESCRIPTOR(ts2): column 'ts2' is not a time attribute; declare WATERMARK FOR ts2 ... or use PROCTIME()");
    q = "SELECT * FROM TABLE(TUMBLE(TABLE v1, DESCRIPTOR(ts3), INTERVAL '1' MINUTE))";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "DESCRIPTOR"), "column 'ts3' is not a time attribute");
    q = "SELECT * FROM TABLE(TUMBLE(TABLE v1, DESCRIPTOR(tss), INTERVAL '1' MINUTE))";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "tss"), "DESCRIPTOR(tss): column 'tss' not found; did you mean 'ts'?");
    q = "SELECT COUNT(*) FROM v1 GROUP BY TUMBLE(ts2, INTERVAL '1' MINUTE)";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "ts2,"), "TUMBLE(ts2, ...): 'ts2' is not a time attribute");
    /* windows over a view's rowtime and a proctime both work */
    tp_ok(s, "SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE v1, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
             "GROUP BY window_start, window_end");
    tp_ok(s, "SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE v1, DESCRIPTOR(pt), INTERVAL '1' MINUTE)) "
             "GROUP BY window_start, window_end");
    /* the window columns: window_time is the new rowtime, the old time column is plain */
    assert_types(s, "SELECT ts, window_start, window_end, window_time FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), "
                    "INTERVAL '1' MINUTE))",
                 "TIMESTAMP(3) | TIMESTAMP(3) NOT NULL | TIMESTAMP(3) NOT NULL | TIMESTAMP(3) NOT NULL *ROWTIME*");
    assert_types(s, "SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE), TUMBLE_ROWTIME(ts, INTERVAL '1' MINUTE) FROM t "
                    "GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)",
                 "TIMESTAMP(3) NOT NULL | TIMESTAMP(3) NOT NULL *ROWTIME*");
    /* after a non-windowed aggregation there is no time attribute */
    assert_types(s, "SELECT MAX(ts) FROM t GROUP BY a", "TIMESTAMP(3)");
    q = "SELECT TUMBLE_PROCTIME(ts, INTERVAL '1' MINUTE) FROM t GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)";
    tp_error(s, q, EDDY_EBIND, 1, 8, "the window is in event time; use TUMBLE_ROWTIME");
    q = "SELECT TUMBLE_START(ts, INTERVAL '2' MINUTE) FROM t GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)";
    tp_error(s, q, EDDY_EBIND, 1, 8, "must repeat the arguments of TUMBLE(...) in GROUP BY");
    q = "SELECT HOP_START(ts, INTERVAL '2' MINUTE, INTERVAL '4' MINUTE) FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 8, "may only be used with GROUP BY HOP(...)");
}

/* ---------------------------------------------------------------------------------------- */
/* DDL, views, options                                                                       */

static void test_ddl_errors(void **state)
{
    eddy_session *s = *state;
    const char *q = "CREATE TABLE x (a INT, a BIGINT) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "a BIGINT"), "column 'a' is declared twice");
    q = "CREATE TABLE x (a INT, s STRING, WATERMARK FOR s AS s) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "s AS"),
             "WATERMARK FOR 's': the rowtime column must be TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p <= 3, not VARCHAR");
    q = "CREATE TABLE x (a INT, ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EBIND, 0, 0, "not TIMESTAMP(6)");
    q = "CREATE TABLE x (a INT, WATERMARK FOR tz AS tz) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "tz AS"), "WATERMARK FOR 'tz': no such column");
    q = "CREATE TABLE x (a INT, ts TIMESTAMP(3), WATERMARK FOR ts AS a) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "a)"), "the WATERMARK expression must give a TIMESTAMP(3)");
    q = "CREATE TABLE x (a INT, b AS a + c) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "c)"), "column 'c' not found in any table");
    q = "CREATE TABLE x (a INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "k)"), "PRIMARY KEY column 'k' is not a column of the table");
    q = "CREATE TABLE x (a INT) PARTITIONED BY (p) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "p)"), "PARTITIONED BY column 'p' is not a column of the table");
    q = "CREATE TABLE t (z INT) WITH ('connector' = 'datagen')";
    tp_error(s, q, EDDY_EEXISTS, 1, 14, "table 't' already exists");
    tp_ok(s, "CREATE TABLE IF NOT EXISTS t (z INT) WITH ('connector' = 'datagen')");
    q = "DROP TABLE nope";
    tp_error(s, q, EDDY_ENOTFOUND, 1, 12, "table 'nope' not found");
    tp_ok(s, "DROP TABLE IF EXISTS nope; DROP VIEW IF EXISTS nope; DROP FUNCTION IF EXISTS nope");
    tp_ok(s, "CREATE VIEW w AS SELECT a FROM t");
    q = "DROP TABLE w";
    tp_error(s, q, EDDY_EBIND, 1, 12, "'w' is a view; use DROP VIEW");
    tp_ok(s, "DROP VIEW w");
    q = "CREATE VIEW bad AS SELECT nope FROM t";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "nope"), "column 'nope' not found");
    q = "SELECT * FROM bad";
    tp_error(s, q, EDDY_EBIND, 1, 15, "table 'bad' not found");
    /* a table without 'connector' may be created; using it says what is missing */
    tp_ok(s, "CREATE TABLE noconn (a INT)");
    q = "SELECT a FROM noconn";
    tp_error(s, q, EDDY_EBIND, 1, colof(q, "noconn"), "table 'noconn' has no 'connector' option");
    q = "SELECT a FROM sink_t";
    tp_error(s, q, EDDY_EBIND, 1, 15, "table 'sink_t' uses connector 'blackhole', which can only be written to");
    q = "INSERT INTO t SELECT * FROM t";
    tp_error(s, q, EDDY_EBIND, 1, 13, "table 't' uses connector 'datagen', which can only be read from");
    tp_ok(s, "CREATE TABLE legacy (a INT) WITH ('connector.type' = 'filesystem')");
    q = "SELECT a FROM legacy";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, colof(q, "legacy"), "uses Flink's legacy option keys");
}

static void test_qualified_names(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "SELECT a FROM default_catalog.default_database.t; SELECT a FROM default_database.t");
    tp_ok(s, "CREATE TABLE other.x (k INT) WITH ('connector' = 'datagen');");
    tp_ok(s, "SELECT k FROM other.x");
    tp_error(s, "SELECT k FROM x", EDDY_EBIND, 1, 15, "table 'x' not found");
    tp_ok(s, "USE other; SELECT k FROM x; SELECT a FROM default_database.t");
    tp_error(s, "SELECT a FROM a.b.c.d", EDDY_EBIND, 1, 15, "object names have at most three parts");
}

static void test_view_errors(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "CREATE TABLE base (k STRING, v INT) WITH ('connector' = 'datagen');\n"
             "CREATE VIEW vb AS\nSELECT k, v\nFROM base;");
    tp_ok(s, "SELECT k FROM vb");
    /* the table changes under the view: the error names the view and the place in it */
    tp_ok(s, "DROP TABLE base; CREATE TABLE base (k STRING) WITH ('connector' = 'datagen');");
    const char *q = "SELECT k FROM vb";
    tp_error(s, q, EDDY_EBIND, 1, 15, "in view 'vb' (line 3, column 11): column 'v' not found in any table");
    /* a view may not refer to itself (through a re-created table of its name) */
    tp_ok(s, "CREATE VIEW selfish AS SELECT k FROM base; DROP TABLE base;");
    tp_error(s, "SELECT * FROM selfish", EDDY_EBIND, 1, 15, "in view 'selfish'");
    tp_ok(s, "CREATE VIEW cols (x, y) AS SELECT a, b FROM t");
    assert_types(s, "SELECT y, x FROM cols", "BIGINT | INT NOT NULL");
    tp_error(s, "CREATE VIEW cols2 (x) AS SELECT a, b FROM t", EDDY_EBIND, 0, 0,
             "the view lists 1 column names but its query has 2 columns");
}

static void test_options(void **state)
{
    eddy_session *s = *state;
    const char *q = "SET 'table.local-time-zone' = 'Europe/Berlin'";
    tp_error(s, q, EDDY_EUNSUPPORTED, 1, 1, "'table.local-time-zone' = 'Europe/Berlin': eddy supports only 'UTC' for now");
    tp_ok(s, "SET 'table.local-time-zone' = 'UTC'");
    q = "SET 'table.exec.emit.allow-lateness' = 'soon'";
    tp_error(s, q, EDDY_EUSAGE, 1, 1, "is not a duration");
    q = "SET 'table.exec.emit.early-fire.enabled' = 'yes'";
    tp_error(s, q, EDDY_EUSAGE, 1, 1, "must be 'true' or 'false'");
    tp_ok(s, "SET 'table.exec.state.ttl' = '1 h'; SET 'pipeline.name' = 'x'");
    assert_string_equal(eddy_session_get_option(s, "table.exec.state.ttl"), "1 h");
    eddy_result r;
    eddy_error err;
    assert_int_equal(tp_exec(s, "SET", &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_TEXT);
    assert_non_null(strstr(r.text, "| table.exec.state.ttl  | 1 h   |"));
    eddy_result_clear(&r);
    tp_ok(s, "RESET 'pipeline.name'");
    assert_null(eddy_session_get_option(s, "pipeline.name"));
    tp_ok(s, "RESET");
    assert_null(eddy_session_get_option(s, "table.exec.state.ttl"));
    /* early firing needs its delay */
    tp_ok(s, "SET 'table.exec.emit.early-fire.enabled' = 'true'");
    q = "SELECT COUNT(*) FROM t GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)";
    tp_error(s, q, EDDY_EUSAGE, 0, 0, "'table.exec.emit.early-fire.delay' is not set");
}

static void test_show_describe(void **state)
{
    eddy_session *s = *state;
    eddy_result r;
    eddy_error err;
    tp_ok(s, "CREATE TABLE d (\n"
             "  k STRING, ts TIMESTAMP(3), v AS k || 'x', off BIGINT METADATA FROM 'offset' VIRTUAL,\n"
             "  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND, PRIMARY KEY (k) NOT ENFORCED\n"
             ") WITH ('connector' = 'datagen');\n"
             "CREATE VIEW dv AS SELECT k, ts FROM d;");
    assert_int_equal(tp_exec(s, "DESCRIBE d", &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_TEXT);
    assert_string_equal(r.text,
                        "+------+------------------------+-------+--------+--------------------------------+"
                        "--------------------------+\n"
                        "| name | type                   | null  | key    | extras                         | watermark "
                        "               |\n"
                        "+------+------------------------+-------+--------+--------------------------------+"
                        "--------------------------+\n"
                        "| k    | STRING                 | FALSE | PRI(k) |                                |           "
                        "               |\n"
                        "| ts   | TIMESTAMP(3) *ROWTIME* | TRUE  |        |                                | ts - "
                        "INTERVAL '1' SECOND |\n"
                        "| v    | STRING                 | FALSE |        | AS k || 'x'                    |           "
                        "               |\n"
                        "| off  | BIGINT                 | TRUE  |        | METADATA FROM 'offset' VIRTUAL |           "
                        "               |\n"
                        "+------+------------------------+-------+--------+--------------------------------+"
                        "--------------------------+\n"
                        "4 rows in set\n");
    eddy_result_clear(&r);
    assert_int_equal(tp_exec(s, "DESC dv", &r, &err), 0);
    assert_non_null(strstr(r.text, "| ts   | TIMESTAMP(3) *ROWTIME* | TRUE  |"));
    eddy_result_clear(&r);
    assert_int_equal(tp_exec(s, "SHOW TABLES", &r, &err), 0);
    assert_string_equal(r.text, "+------------+\n| table name |\n+------------+\n| d          |\n| dv         |\n"
                                "| sink_t     |\n| t          |\n+------------+\n4 rows in set\n");
    eddy_result_clear(&r);
    assert_int_equal(tp_exec(s, "SHOW VIEWS", &r, &err), 0);
    assert_string_equal(r.text, "+-----------+\n| view name |\n+-----------+\n| dv        |\n+-----------+\n1 row in set\n");
    eddy_result_clear(&r);
    assert_int_equal(tp_exec(s, "SHOW CREATE TABLE sink_t", &r, &err), 0);
    assert_string_equal(r.text, "CREATE TABLE sink_t (a BIGINT, p DECIMAL(23, 3), s STRING) WITH ('connector' = "
                                "'blackhole');\n");
    eddy_result_clear(&r);
    assert_int_equal(tp_exec(s, "SHOW FUNCTIONS", &r, &err), 0);
    assert_non_null(strstr(r.text, "| date_format "));
    assert_non_null(strstr(r.text, "| count "));
    eddy_result_clear(&r);
    assert_int_equal(tp_exec(s, "SHOW JOBS", &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_SHOW_JOBS);
    eddy_result_clear(&r);
    assert_int_equal(tp_exec(s, "STOP JOB 'abc123' WITH SAVEPOINT", &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_STOP_JOB);
    assert_string_equal(r.job_id, "abc123");
    assert_true(r.with_savepoint);
    eddy_result_clear(&r);
    assert_int_equal(tp_exec(s, "CREATE TABLE e (k INT) WITH ('connector' = 'datagen')", &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_NONE);
    assert_string_equal(r.message, "Table has been created.");
    eddy_result_clear(&r);
    tp_error(s, "SHOW CREATE VIEW d", EDDY_EBIND, 1, 18, "'d' is a table; use SHOW CREATE TABLE");
}

/* Statements of a script that was not adopted may run, but cannot define tables or views. */
static void test_adoption(void **state)
{
    eddy_session *s = *state;
    const char *sql = "CREATE TABLE na (k INT) WITH ('connector' = 'datagen'); SELECT a FROM t";
    eddy_script *sc;
    eddy_error err;
    assert_int_equal(eddy_parse(sql, strlen(sql), &sc, &err), 0);
    eddy_result r;
    assert_int_equal(eddy_session_execute(s, sc->stmts[0], &r, &err), EDDY_EUSAGE);
    assert_non_null(strstr(err.msg, "eddy_session_adopt"));
    assert_int_equal(eddy_session_execute(s, sc->stmts[1], &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_JOB);
    eddy_result_clear(&r);
    eddy_script_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_literal_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arithmetic_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comparison_casts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_coalesce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_function_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_function_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_casts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ddl_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qualified_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_describe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adoption, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
