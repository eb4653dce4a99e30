-- EXPLAIN of a non-windowed aggregation
-- match: regex
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'print');
EXPLAIN INSERT INTO out SELECT k, COUNT(*) FROM t GROUP BY k;
