-- CAST between types: string to INT (trimmed), DOUBLE to INT truncates, BOOLEAN to STRING
-- is TRUE/FALSE, TIMESTAMP(3) to STRING has 3 fraction digits
CREATE TABLE t (
    s STRING,
    d DOUBLE,
    i INT,
    b BOOLEAN,
    ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT CAST(s AS INT), CAST(d AS INT), CAST(d AS DECIMAL(5, 1)), CAST(i AS STRING),
       CAST(i AS DOUBLE), CAST(b AS STRING), CAST(ts AS STRING), CAST(ts AS DATE)
FROM t;
