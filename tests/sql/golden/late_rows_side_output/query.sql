-- late rows to a side output: SET 'eddy.late-rows.table' sends the rows a window drops as late
-- to that table, its columns taken BY NAME from what the window reads, cast as INSERT casts
--
-- 1. TUMBLE 5 s, watermark ts - 1 s (input.jsonl, as late_rows_tumble): v3 @3s arrives after
--    [0,5) fired (wm 6 s), v6 @9.999s after [5,10) fired (wm 10 s): both go to late_tvf, whose
--    columns are in another order than the query's and whose v is DOUBLE (BIGINT cast)
-- 2. the group-window SESSION form (input_session.jsonl, as late_rows_session), gap 2 s: v3 @6s
--    is late ([6,8) fired at wm 9 s and it touches no open session): it goes to late_ses
-- 3. SET to '' again: late rows are dropped and counted (v3 @3s of input.jsonl)
-- stderr: 2 late row(s) written to table 'late_tvf'
-- stderr: 1 late row(s) written to table 'late_ses'
-- stderr: 1 late row(s) dropped
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE t2 (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input_session.jsonl', 'format' = 'json');
CREATE TABLE late_tvf (ts TIMESTAMP(3), v DOUBLE, k STRING)
WITH ('connector' = 'print', 'print-identifier' = 'late_tvf');
CREATE TABLE late_ses (k STRING, ts TIMESTAMP(3), v BIGINT)
WITH ('connector' = 'print', 'print-identifier' = 'late_ses');

SET 'eddy.late-rows.table' = 'late_tvf';
SELECT k, window_start, window_end, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end;

SET 'eddy.late-rows.table' = 'late_ses';
SELECT k, SESSION_START(ts, INTERVAL '2' SECOND) AS ws, COUNT(*) AS n, SUM(v) AS s
FROM t2 GROUP BY k, SESSION(ts, INTERVAL '2' SECOND);

SET 'eddy.late-rows.table' = '';
SELECT TUMBLE_START(ts, INTERVAL '5' SECOND) AS ws, COUNT(*) AS n
FROM t WHERE v <= 3 GROUP BY TUMBLE(ts, INTERVAL '5' SECOND);
