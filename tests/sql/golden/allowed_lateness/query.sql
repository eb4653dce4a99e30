-- allowed lateness 5 s with late firing: a row up to 5 s late updates its window's result
-- (-U old, +U new); after that it is dropped
--   v1 @1s; v2 @7s (wm 6 s: [0,5) fires +I); v3 @3s: within lateness, -U/+U;
--   v4 @12s (wm 11 s: [5,10) fires; [0,5) is gone at 4.999 + 5 s); v5 @2s: dropped
-- ordered
SET 'table.exec.emit.allow-lateness' = '5 s';
SET 'table.exec.emit.late-fire.enabled' = 'true';
SET 'table.exec.emit.late-fire.delay' = '0 s';
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT TUMBLE_START(ts, INTERVAL '5' SECOND) AS ws, TUMBLE_END(ts, INTERVAL '5' SECOND) AS we,
       COUNT(*) AS n, SUM(v) AS s
FROM t GROUP BY TUMBLE(ts, INTERVAL '5' SECOND);
