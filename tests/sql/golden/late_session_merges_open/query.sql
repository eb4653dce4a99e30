-- a row whose own session window [ts, ts + gap) has passed the watermark still counts when
-- that window touches an open session (Flink merges first, then checks lateness)
--   WATERMARK FOR ts AS ts, gap 2 s: v1 @10s (session [10,12), wm 10 s);
--   v2 @8s: [8,10) touches [10,12): merged [8,12) is open, counted; v3 @5s: late
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, window_start, window_end, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY k, window_start, window_end;
