-- EXPLAIN of a windowed INSERT: a tree from the sink down to the source, children marked
-- '+- ', with the window, the watermark and the scan of t
-- match: regex
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'blackhole');
EXPLAIN INSERT INTO out
SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end;
