-- SESSION window TVF without PARTITION BY, gap 2 s: 1,3,4,6 chain into [1,8) (touching
-- windows merge), 12 and 14 into [12,16)
-- input (k, v, ts): a 1 @1s, b 2 @3s, a 3 @4s, a 4 @6s, b 5 @12s, a 6 @14s
-- (2020-01-01 00:00:xx), in order, watermark ts - 1 s: no row is late
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT window_start, window_end, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(SESSION(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end;
