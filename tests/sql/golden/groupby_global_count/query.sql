-- an aggregate without GROUP BY is one row that keeps changing
-- ordered
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT COUNT(*) AS n, SUM(v) AS s FROM t;
