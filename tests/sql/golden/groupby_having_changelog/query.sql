-- HAVING filters the changelog rows: the first row of a group to pass shows as +U
-- (its +I and the -U before it were filtered out), as Flink prints it
-- ordered
-- input (k, v): a 1, b 2, a 3, a 4
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, COUNT(*) AS n, SUM(v) AS s FROM t GROUP BY k HAVING COUNT(*) >= 2;
