-- a late-rows table with a column the window does not read: an error at the query's SELECT
-- (the SET has no position once the query is planned) that names the columns there are; the
-- window reads k (its key) and ts (its rowtime), not v (COUNT(*) takes no column)
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE late_t (k STRING, v BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'print');
SET 'eddy.late-rows.table' = 'late_t';
SELECT k, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end;
