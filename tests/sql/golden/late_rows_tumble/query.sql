-- late rows are dropped: watermark = largest ts so far - 1 s; a row is late once its
-- window [start, end) fired, that is end - 1 ms <= the watermark when it arrives
--   v1 @1s; v2 @7s (wm 6 s: [0,5) fires); v3 @3s late; v4 @5.5s counted;
--   v5 @11s (wm 10 s: [5,10) fires); v6 @9.999s late; v7 @10.5s counted
-- ordered
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT window_start, window_end, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end;
