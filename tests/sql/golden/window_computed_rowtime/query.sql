-- the rowtime is a computed column (TO_TIMESTAMP of a string field) with a watermark
CREATE TABLE t (
    k STRING,
    s STRING,
    ts AS TO_TIMESTAMP(s),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT window_start, window_end, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
