-- two sources with their own watermarks, combined by UNION ALL: the watermark is the
-- minimum of both, so b's row at 7 s is not late although b's own watermark passed 11 s
CREATE TABLE ta (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/a.jsonl', 'format' = 'json');
CREATE TABLE tb (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/b.jsonl', 'format' = 'json');
CREATE VIEW u AS SELECT k, v, ts FROM ta UNION ALL SELECT k, v, ts FROM tb;
SELECT k, window_start, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE u, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end;
