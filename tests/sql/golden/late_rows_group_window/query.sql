-- late rows in the older GROUP BY TUMBLE form are dropped the same way
--   v1 @1s; v2 @7s (wm 6 s: [0,5) fires); v3 @3s late; v4 @12s
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT TUMBLE_START(ts, INTERVAL '5' SECOND) AS ws, COUNT(*) AS n, SUM(v) AS s
FROM t GROUP BY TUMBLE(ts, INTERVAL '5' SECOND);
