-- the final state of a GROUP BY changelog, however eddy batches its updates
-- changelog: final
-- input (k, v): a 1, b 2, a 3, a 4
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, COUNT(*) AS n, SUM(v) AS s, MIN(v), MAX(v), COUNT(DISTINCT v) FROM t GROUP BY k;
