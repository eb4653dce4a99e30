-- a non-windowed GROUP BY is a changelog: every change of a group retracts its old row (-U)
-- and sends the new one (+U), row by row as Flink does
-- ordered
-- input (k, v): a 1, b 2, a 3, a 4
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, COUNT(*) AS n, SUM(v) AS s FROM t GROUP BY k;
