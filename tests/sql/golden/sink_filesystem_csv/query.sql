-- INSERT into a filesystem table, CSV: quoting as RFC 4180, NULL as an empty field
-- output: out
CREATE TABLE t (
    k STRING,
    v BIGINT,
    d DOUBLE,
    p DECIMAL(10, 2),
    ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, v BIGINT, d DOUBLE, p DECIMAL(10, 2), ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '${DIR}/out', 'format' = 'csv');
INSERT INTO out SELECT k, v, d, p, ts FROM t;
