-- a folder is read file after file as one stream (one split): the watermark that a.jsonl
-- raised holds while b.jsonl is read, so b's row at 2 s is late (window [0,5) fired when
-- a's row at 8 s set the watermark to 7 s); watermarks never go back
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/in', 'format' = 'json');
SELECT window_start, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end;
