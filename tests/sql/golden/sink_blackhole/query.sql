-- the blackhole sink takes every row and prints nothing
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT k, v FROM t;
