-- EXPLAIN with a late-rows table: the window shows where its late rows go, and the late-row
-- sink follows the query's sink as a plan of its own: a Calc taking the table's columns by name
-- (v cast to DOUBLE as INSERT casts) from the late rows of the window, named, not repeated
-- match: regex
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, s BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE late_t (ts TIMESTAMP(3), v DOUBLE) WITH ('connector' = 'blackhole');
SET 'eddy.late-rows.table' = 'late_t';
EXPLAIN INSERT INTO out
SELECT k, SUM(v) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end;
