-- EXPLAIN of a filter and projection
-- match: regex
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
EXPLAIN SELECT k, v * 2 FROM t WHERE v > 2;
