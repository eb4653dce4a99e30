-- FILTER (WHERE ...) on COUNT(*), SUM and COUNT(DISTINCT)
-- input (k, v, d, p, s), all in one 10 s window, in this order:
--   a: (1, 1.0, 1.00, x) (2, 2.0, 2.00, y) (2, 3.0, 2.50, null) (5, 4.0, null, z)
--      (null, null, null, x)
--   b: (-7, -1.5, -1.25, q) (2, null, 0.10, null)
CREATE TABLE t (
    k STRING,
    v BIGINT,
    d DOUBLE,
    p DECIMAL(10, 2),
    s STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, COUNT(*) FILTER (WHERE v > 1), SUM(v) FILTER (WHERE s IS NOT NULL),
       COUNT(DISTINCT v) FILTER (WHERE d > 1.5)
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY k, window_start, window_end;
