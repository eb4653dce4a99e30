-- MIN/MAX of strings (compared by code point: 'B' < 'a' < 'é') and of timestamps
CREATE TABLE t (
    s STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT MIN(s), MAX(s), COUNT(DISTINCT s), MIN(ts), MAX(ts)
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
