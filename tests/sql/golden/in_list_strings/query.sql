-- IN and NOT IN over strings, BETWEEN over strings and timestamps
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, v, k IN ('a', 'c'), k NOT IN ('b'), k BETWEEN 'a' AND 'az',
       ts BETWEEN TIMESTAMP '2020-01-01 00:00:02' AND TIMESTAMP '2020-01-01 00:00:06'
FROM t WHERE v <= 4;
