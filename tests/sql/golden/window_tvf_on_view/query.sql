-- a window TVF over a view (filter below the window), HAVING over the window result
-- input (k, v, ts): a 1 @1s, b 2 @3s, a 3 @4s, a 4 @6s, b 5 @12s, a 6 @14s
-- (2020-01-01 00:00:xx), in order, watermark ts - 1 s: no row is late
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE VIEW not_b AS SELECT k, v, ts FROM t WHERE k <> 'b';
SELECT window_start, COUNT(*) AS n, MAX(v) AS top
FROM TABLE(TUMBLE(TABLE not_b, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end
HAVING COUNT(*) > 1 OR MAX(v) >= 6;
