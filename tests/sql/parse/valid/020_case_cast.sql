-- statements: 9
-- CASE in both forms, CAST and TRY_CAST.

SELECT CASE WHEN amount > 100 THEN 'big' WHEN amount > 10 THEN 'medium' ELSE 'small' END AS size_class FROM orders;

SELECT CASE status WHEN 1 THEN 'new' WHEN 2 THEN 'paid' END FROM orders;

SELECT CASE WHEN a IS NULL THEN CASE WHEN b IS NULL THEN 0 ELSE b END ELSE a END FROM t;

SELECT
    CASE
        WHEN HOUR(`dateTime`) >= 8 AND HOUR(`dateTime`) <= 18 THEN 'dayTime'
        WHEN HOUR(`dateTime`) <= 6 OR HOUR(`dateTime`) >= 20 THEN 'nightTime'
        ELSE 'otherTime'
    END AS bidTimeType
FROM bid;

SELECT CAST(price AS DECIMAL(10, 2)), CAST(id AS STRING), CAST('42' AS INT) FROM t;

SELECT TRY_CAST(payload AS INT), TRY_CAST(ts_str AS TIMESTAMP(3)) FROM t;

SELECT CAST(CAST(x AS DOUBLE) * 100 AS BIGINT) FROM t;

SELECT CAST(a + b AS VARCHAR(20)) || 'x', CAST(CASE WHEN c THEN 1 ELSE 0 END AS BOOLEAN) FROM t;

SELECT SUM(CASE WHEN event = 'buy' THEN price ELSE 0 END) AS revenue FROM clicks
