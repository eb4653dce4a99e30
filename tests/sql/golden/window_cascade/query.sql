-- cascaded windows: window_time of a 5 s TUMBLE is the rowtime of a 10 s TUMBLE over it;
-- the first window's results reach the second before the watermark that fired them
--   5 s: a [0,5) 2 rows, b [0,5) 1, a [5,10) 1, b [10,15) 1, a [10,15) 1
-- input (k, v, ts): a 1 @1s, b 2 @3s, a 3 @4s, a 4 @6s, b 5 @12s, a 6 @14s
-- (2020-01-01 00:00:xx), in order, watermark ts - 1 s: no row is late
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE VIEW w5 AS
SELECT k, window_time AS wt, COUNT(*) AS c, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end, window_time;
SELECT window_start, window_end, SUM(c) AS c, SUM(s) AS s, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE w5, DESCRIPTOR(wt), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
