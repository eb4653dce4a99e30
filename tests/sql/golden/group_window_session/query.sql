-- GROUP BY SESSION(ts, gap), k with SESSION_START/_END/_ROWTIME (Nexmark q11's form)
-- input (k, v, ts): a 1 @1s, b 2 @3s, a 3 @4s, a 4 @6s, b 5 @12s, a 6 @14s
-- (2020-01-01 00:00:xx), in order, watermark ts - 1 s: no row is late
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, SESSION_START(ts, INTERVAL '2' SECOND) AS ws, SESSION_END(ts, INTERVAL '2' SECOND) AS we,
       SESSION_ROWTIME(ts, INTERVAL '2' SECOND) AS rt, COUNT(*) AS n
FROM t
GROUP BY k, SESSION(ts, INTERVAL '2' SECOND);
