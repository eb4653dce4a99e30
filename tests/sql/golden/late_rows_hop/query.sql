-- HOP 5 s / 10 s: a row whose first window fired still counts in its second window
--   v1 @2s; v2 @8s (wm 7 s: [-5,5) fires); v3 @4s: late for [-5,5), counted in [0,10);
--   v4 @16s (wm 15 s: [0,10), [5,15) fire); v5 @9s: both windows fired, dropped
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT window_start, window_end, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
