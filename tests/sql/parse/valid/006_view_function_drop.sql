-- statements: 19
-- CREATE [TEMPORARY] VIEW, CREATE [TEMPORARY [SYSTEM]] FUNCTION, DROP of every object.

CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;

CREATE TEMPORARY VIEW IF NOT EXISTS user_totals (uid, total) AS
SELECT user_id, SUM(amount) FROM orders GROUP BY user_id;

CREATE VIEW shop.sales.recent COMMENT 'last hour of orders' AS
SELECT order_id, amount FROM orders WHERE order_time > CURRENT_TIMESTAMP - INTERVAL '1' HOUR;

CREATE VIEW unioned AS
SELECT id, 'a' AS src FROM a
UNION ALL
SELECT id, 'b' AS src FROM b;

CREATE TEMPORARY VIEW with_cte AS
WITH per_user AS (SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id)
SELECT * FROM per_user WHERE n > 10;

CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar';

CREATE TEMPORARY FUNCTION IF NOT EXISTS parse_ua AS 'com.example.udf.ParseUserAgent' LANGUAGE JAVA;

CREATE TEMPORARY SYSTEM FUNCTION geo_hash AS 'com.example.GeoHash' LANGUAGE SCALA;

CREATE FUNCTION analytics.score AS 'udfs.score' LANGUAGE PYTHON;

DROP TABLE orders;

DROP TABLE IF EXISTS my_catalog.my_db.orders;

DROP TEMPORARY TABLE print_sink;

DROP VIEW big_orders;

DROP TEMPORARY VIEW IF EXISTS user_totals;

DROP FUNCTION count_char;

DROP TEMPORARY FUNCTION IF EXISTS parse_ua;

DROP DATABASE IF EXISTS analytics;

DROP CATALOG my_catalog;

drop table if exists lower_case_everything;
