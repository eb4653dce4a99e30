-- the exact boundary: with WATERMARK FOR ts AS ts, window [0,5) fires when the watermark
-- reaches 4.999 s; a row at 4.999 s itself still counts (the watermark before it was 4.998 s),
-- a row after it does not
--   v1 @1s, v2 @4.998s, v3 @4.5s (not late), v4 @4.999s (fires [0,5)), v5 @4s late, v6 @5s
-- ordered
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT window_start, window_end, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end;
