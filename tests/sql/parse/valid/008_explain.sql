-- statements: 8
-- EXPLAIN of queries and inserts, with PLAN FOR and explain details.

EXPLAIN SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;

EXPLAIN PLAN FOR SELECT * FROM orders WHERE amount > 10;

EXPLAIN INSERT INTO es_sink SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;

EXPLAIN PLAN FOR INSERT INTO print_sink SELECT product, COUNT(*) FROM orders GROUP BY product;

EXPLAIN CHANGELOG_MODE SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;

EXPLAIN ESTIMATED_COST, CHANGELOG_MODE, JSON_EXECUTION_PLAN
SELECT window_start, COUNT(*)
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;

EXPLAIN SELECT a FROM t1 UNION ALL SELECT a FROM t2;

explain plan for select 1
