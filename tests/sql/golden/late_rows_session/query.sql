-- SESSION gap 2 s, watermark ts - 1 s: a row is late when its own window [ts, ts + gap)
-- has fired (ts + gap - 1 ms <= watermark) and it merges with no open session
--   v1 @1s; v2 @10s (wm 9 s: [1,3) fires); v3 @6s late ([6,8) fired);
--   v4 @8s: [8,10) not fired, touches [10,12): session [8,12);
--   v5 @20s (wm 19 s: [8,12) fires); v6 @17.5s: [17.5,19.5) not fired yet: counted
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, window_start, window_end, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY k, window_start, window_end;
