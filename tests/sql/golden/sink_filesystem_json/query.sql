-- INSERT into a filesystem table, JSON lines: Flink's JSON (timestamps 'yyyy-MM-dd
-- HH:mm:ss' with the fraction trimmed, DECIMAL as a number, NULL as null)
-- output: out
CREATE TABLE t (
    k STRING,
    v BIGINT,
    d DOUBLE,
    p DECIMAL(10, 2),
    ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, v BIGINT, d DOUBLE, p DECIMAL(10, 2), ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '${DIR}/out', 'format' = 'json');
INSERT INTO out SELECT k, v, d, p, ts FROM t;
