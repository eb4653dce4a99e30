-- a view, a WITH query and UNION ALL over the same table
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE VIEW big AS SELECT k, v FROM t WHERE v > 3;
WITH small AS (SELECT k, v FROM t WHERE v < 2)
SELECT k, v * 10 AS v10 FROM big WHERE k = 'a'
UNION ALL
SELECT k, v FROM small;
