-- with mini-batch aggregation on, the rows of a mini-batch update their groups and each
-- group emits one change: here all four rows fit in one mini-batch
-- input (k, v): a 1, b 2, a 3, a 4
SET 'table.exec.mini-batch.enabled' = 'true';
SET 'table.exec.mini-batch.allow-latency' = '1 s';
SET 'table.exec.mini-batch.size' = '1000';
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, COUNT(*) AS n, SUM(v) AS s FROM t GROUP BY k;
