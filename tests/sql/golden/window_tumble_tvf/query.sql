-- TUMBLE window TVF: COUNT and SUM per key and 5 s window, with window_time = end - 1 ms
-- input (k, v, ts): a 1 @1s, b 2 @3s, a 3 @4s, a 4 @6s, b 5 @12s, a 6 @14s
-- (2020-01-01 00:00:xx), in order, watermark ts - 1 s: no row is late
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, window_start, window_end, window_time, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end, window_time;
