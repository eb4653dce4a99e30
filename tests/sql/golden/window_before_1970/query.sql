-- windows before the epoch align the same way (negative milliseconds round down)
--   rows at -1.5 s, -1 ms, 0, +1 s; TUMBLE 2 s: [-2 s, 0) and [0, 2 s)
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT window_start, window_end, COUNT(*) AS n, SUM(v) AS s
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end;
