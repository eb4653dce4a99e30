-- every aggregate in a non-windowed GROUP BY; the final state of its changelog
-- changelog: final
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
SELECT k, COUNT(*), SUM(v), AVG(v), MIN(v), MAX(v), FIRST_VALUE(v), LAST_VALUE(v), VAR_POP(d),
       STDDEV_SAMP(d), LISTAGG(s), APPROX_COUNT_DISTINCT(v), COUNT(*) FILTER (WHERE v > 1), AVG(p)
FROM t GROUP BY k;
