-- the older group window form: GROUP BY TUMBLE(...) with TUMBLE_START/_END/_ROWTIME
-- input (k, v, ts): a 1 @1s, b 2 @3s, a 3 @4s, a 4 @6s, b 5 @12s, a 6 @14s
-- (2020-01-01 00:00:xx), in order, watermark ts - 1 s: no row is late
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, TUMBLE_START(ts, INTERVAL '5' SECOND) AS ws, TUMBLE_END(ts, INTERVAL '5' SECOND) AS we,
       TUMBLE_ROWTIME(ts, INTERVAL '5' SECOND) AS rt, COUNT(*) AS n, SUM(v) AS s
FROM t
GROUP BY TUMBLE(ts, INTERVAL '5' SECOND), k;
