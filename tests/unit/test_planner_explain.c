/*
 * test_planner_explain.c: EXPLAIN output, compared exactly (it is deterministic, and golden
 * tests rely on it): Nexmark q11 in the shape the issue describes, a HOP aggregation with a
 * pushed-down WHERE and a HAVING, a GROUP BY with COUNT DISTINCT ... FILTER, expression
 * printing (precedence, CASE, CAST, IN, LIKE, intervals, timestamps), UNION ALL's ":-"
 * branches, a statement set, and the EXPLAIN statement itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "test_planner_util.h"

static const char *ddl =
    "CREATE TABLE clicks (user_id BIGINT, url STRING, price DECIMAL(10, 2), ts TIMESTAMP(3),\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)\n"
    "WITH ('connector' = 'filesystem', 'path' = '/data/clicks', 'format' = 'json');\n"
    "CREATE TABLE per_min (user_id BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), clicks BIGINT,\n"
    "  spent DECIMAL(38, 2)) WITH ('connector' = 'print');\n";

static int setup(void **state)
{
    eddy_session *s = eddy_session_new();
    tp_ok(s, ddl);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    eddy_session_free(*state);
    return 0;
}

static void assert_explain(eddy_session *s, const char *sql, const char *want)
{
    char *got = tp_explain(s, sql);
    if (strcmp(got, want) != 0) fail_msg("EXPLAIN differs.\n--- got:\n%s--- want:\n%s", got, want);
    free(got);
}

static void test_q11(void **state)
{
    (void)state;
    struct stat st;
    if (stat(TP_NEXMARK_DIR "/q11.sql", &st) != 0) {
        printf("skipped: ../shared/nexmark not found\n");
        return;
    }
    eddy_session *s = eddy_session_new();
    char *gen = tp_nexmark("ddl_gen.sql"), *views = tp_nexmark("ddl_views.sql"), *q = tp_nexmark("q11.sql");
    tp_ok(s, gen);
    tp_ok(s, views);
    assert_explain(
        s, q,
        "Sink(table=[nexmark_q11], fields=[bidder, bid_count, starttime, endtime])\n"
        "+- Calc(select=[bidder, bid_count, window_start AS starttime, window_end AS endtime])\n"
        "   +- SessionWindowAggregate(groupBy=[bidder], window=[SESSION(dateTime, gap=[10 s])], select=[bidder, "
        "COUNT(*) AS bid_count], state=[per key: open sessions])\n"
        "      +- Calc(select=[bid.bidder AS bidder, dateTime], where=[event_type = 2])\n"
        "         +- WatermarkAssigner(rowtime=[dateTime], watermark=[dateTime - INTERVAL '4' SECOND])\n"
        "            +- Calc(select=[event_type, bid.bidder, CASE WHEN event_type = 0 THEN person.dateTime WHEN "
        "event_type = 1 THEN auction.dateTime ELSE bid.dateTime END AS dateTime])\n"
        "               +- TableSourceScan(table=[datagen], connector=[nexmark], fields=[event_type, "
        "person.dateTime, auction.dateTime, bid.bidder, bid.dateTime], filter=[event_type = 2])\n");
    free(gen);
    free(views);
    free(q);
    eddy_session_free(s);
}

static void test_hop_having(void **state)
{
    assert_explain(*state,
                   "INSERT INTO per_min SELECT user_id, window_start, window_end, COUNT(*), SUM(price) FROM "
                   "TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE)) WHERE url LIKE "
                   "'/shop/%' GROUP BY user_id, window_start, window_end HAVING COUNT(*) > 1",
                   "Sink(table=[per_min], fields=[user_id, window_start, window_end, clicks, spent])\n"
                   "+- Calc(select=[user_id, window_start, window_end, EXPR$3 AS clicks, EXPR$4 AS spent], "
                   "where=[EXPR$3 > 1])\n"
                   "   +- WindowAggregate(groupBy=[user_id], window=[HOP(ts, slide=[30 s], size=[1 min])], "
                   "select=[user_id, COUNT(*) AS EXPR$3, SUM(price) AS EXPR$4], state=[per key and slice: "
                   "accumulators])\n"
                   "      +- Calc(select=[user_id, ts, price], where=[url LIKE '/shop/%'])\n"
                   "         +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND])\n"
                   "            +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, url, "
                   "price, ts])\n");
}

static void test_group_agg_filter(void **state)
{
    assert_explain(*state,
                   "SELECT url, COUNT(DISTINCT user_id) FILTER (WHERE price > 100) AS rich, MAX(price) AS top FROM "
                   "clicks GROUP BY url",
                   "Sink(table=[stdout], fields=[url, rich, top])\n"
                   "+- GroupAggregate(groupBy=[url], select=[url, COUNT(DISTINCT user_id) FILTER (WHERE $f2) AS rich, "
                   "MAX(price) AS top], changelog=[I, UB, UA], state=[per key: accumulators])\n"
                   "   +- Calc(select=[url, user_id, price > 100.00 AS $f2, price])\n"
                   "      +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND])\n"
                   "         +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, url, price, "
                   "ts])\n");
}

static void test_expressions(void **state)
{
    assert_explain(*state,
                   "SELECT user_id, (price + 1) * 2 AS p2, price - (price - 1) AS p3, NOT (user_id > 1 OR price < 2) "
                   "AS n, CASE WHEN url IS NULL THEN 'none' ELSE url END AS u, CAST(user_id AS STRING) AS us, "
                   "EXTRACT(MINUTE FROM ts) AS mi, ts + INTERVAL '90' SECOND AS later, user_id IN (1, 2, 3) AS small, "
                   "-user_id AS neg, TRY_CAST(url AS INT) AS t, COALESCE(url, 'x') AS c FROM clicks "
                   "WHERE ts > TIMESTAMP '2024-01-01 00:00:00' AND url NOT LIKE '%.png'",
                   "Sink(table=[stdout], fields=[user_id, p2, p3, n, u, us, mi, later, small, neg, t, c])\n"
                   "+- Calc(select=[user_id, (price + 1) * 2 AS p2, price - (price - 1) AS p3, NOT (user_id > 1 OR "
                   "price < 2.00) AS n, CASE WHEN url IS NULL THEN 'none' ELSE url END AS u, CAST(user_id AS STRING) "
                   "AS us, EXTRACT(MINUTE FROM ts) AS mi, ts + INTERVAL '90' SECOND AS later, user_id IN (1, 2, 3) AS "
                   "small, -user_id AS neg, TRY_CAST(url AS INT) AS t, COALESCE(url, 'x') AS c], where=[ts > "
                   "TIMESTAMP '2024-01-01 00:00:00.000' AND url NOT LIKE '%.png'])\n"
                   "   +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND])\n"
                   "      +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, url, price, "
                   "ts])\n");
}

static void test_union_all(void **state)
{
    assert_explain(*state,
                   "SELECT user_id, url FROM clicks WHERE price > 10 UNION ALL SELECT user_id, 'none' FROM clicks "
                   "WHERE price IS NULL",
                   "Sink(table=[stdout], fields=[user_id, url])\n"
                   "+- Union(all=[true], union=[user_id, url])\n"
                   "   :- Calc(select=[user_id, url], where=[price > 10.00])\n"
                   "   :  +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND])\n"
                   "   :     +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, url, price, "
                   "ts])\n"
                   "   +- Calc(select=[user_id, 'none' AS EXPR$1], where=[price IS NULL])\n"
                   "      +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND])\n"
                   "         +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, price, "
                   "ts])\n");
}

static void test_statement_set_and_statement(void **state)
{
    eddy_session *s = *state;
    const char *set = "EXECUTE STATEMENT SET BEGIN\n"
                      "INSERT INTO per_min SELECT user_id, TUMBLE_START(ts, INTERVAL '1' MINUTE), TUMBLE_END(ts, "
                      "INTERVAL '1' MINUTE), COUNT(*), SUM(price) FROM clicks GROUP BY user_id, TUMBLE(ts, INTERVAL "
                      "'1' MINUTE);\n"
                      "INSERT INTO per_min SELECT user_id, ts, ts, 1, price FROM clicks LIMIT 10;\n"
                      "END";
    const char *want =
        "Sink(table=[per_min], fields=[user_id, window_start, window_end, clicks, spent])\n"
        "+- Calc(select=[user_id, window_start, window_end, EXPR$3 AS clicks, EXPR$4 AS spent])\n"
        "   +- WindowAggregate(groupBy=[user_id], window=[TUMBLE(ts, size=[1 min])], select=[user_id, COUNT(*) AS "
        "EXPR$3, SUM(price) AS EXPR$4], state=[per key and slice: accumulators])\n"
        "      +- Calc(select=[user_id, ts, price])\n"
        "         +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND])\n"
        "            +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, price, ts])\n"
        "\n"
        "Sink(table=[per_min], fields=[user_id, window_start, window_end, clicks, spent], limit=[10])\n"
        "+- Calc(select=[user_id, ts AS window_start, ts AS window_end, 1 AS clicks, CAST(price AS DECIMAL(38, 2)) AS "
        "spent])\n"
        "   +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND])\n"
        "      +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, price, ts])\n";
    assert_explain(s, set, want);
    /* the EXPLAIN statement gives the same text */
    char *ex = malloc(strlen(set) + 16);
    sprintf(ex, "EXPLAIN %s", set);
    eddy_result r;
    eddy_error err;
    assert_int_equal(tp_exec(s, ex, &r, &err), 0);
    assert_int_equal(r.kind, EDDY_RESULT_TEXT);
    assert_string_equal(r.text, want);
    eddy_result_clear(&r);
    free(ex);
}

static void test_other_nodes(void **state)
{
    eddy_session *s = *state;
    tp_ok(s, "SET 'table.exec.source.idle-timeout' = '30 s'; SET 'table.exec.state.ttl' = '1 d';\n"
             "CREATE TABLE m (k STRING, n INT, off BIGINT METADATA FROM 'offset', pt AS PROCTIME()) "
             "WITH ('connector' = 'filesystem', 'path' = '/m', 'format' = 'json');");
    assert_explain(s,
                   "SELECT * FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' MINUTE, INTERVAL '1' "
                   "HOUR, INTERVAL '-5' MINUTE))",
                   "Sink(table=[stdout], fields=[user_id, url, price, ts, window_start, window_end, window_time])\n"
                   "+- WindowTableFunction(window=[CUMULATE(ts, step=[10 min], size=[1 h], offset=[-5 min])])\n"
                   "   +- WatermarkAssigner(rowtime=[ts], watermark=[ts - INTERVAL '5' SECOND], idleTimeout=[30 s])\n"
                   "      +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, url, price, ts])\n");
    assert_explain(s, "SELECT k, SUM(n), MAX(off) FROM m GROUP BY k",
                   "Sink(table=[stdout], fields=[k, EXPR$1, EXPR$2])\n"
                   "+- GroupAggregate(groupBy=[k], select=[k, SUM(n) AS EXPR$1, MAX(off) AS EXPR$2], changelog=[I, UB, "
                   "UA], state=[per key: accumulators, ttl 1 d])\n"
                   "   +- TableSourceScan(table=[m], connector=[filesystem], fields=[k, n, off (METADATA 'offset')])\n");
    assert_explain(s,
                   "SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE m, DESCRIPTOR(pt), INTERVAL '1' SECOND)) GROUP BY k, "
                   "window_start, window_end",
                   "Sink(table=[stdout], fields=[k, EXPR$1])\n"
                   "+- Calc(select=[k, EXPR$1])\n"
                   "   +- WindowAggregate(groupBy=[k], window=[TUMBLE(pt, size=[1 s], proctime)], select=[k, COUNT(*) "
                   "AS EXPR$1], state=[per key and slice: accumulators])\n"
                   "      +- Calc(select=[k, PROCTIME() AS pt])\n"
                   "         +- TableSourceScan(table=[m], connector=[filesystem], fields=[k])\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_q11),
        cmocka_unit_test_setup_teardown(test_hop_having, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_agg_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expressions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_union_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_set_and_statement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_nodes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
