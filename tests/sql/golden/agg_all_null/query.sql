-- aggregates over a window whose values are all NULL: counts are 0, the rest NULL
CREATE TABLE t (
    k STRING,
    v BIGINT,
    d DOUBLE,
    p DECIMAL(10, 2),
    s STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, COUNT(*), COUNT(v), COUNT(DISTINCT v), SUM(v), AVG(v), MIN(v), MAX(v), SUM(d),
       FIRST_VALUE(s), LISTAGG(s)
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY k, window_start, window_end;
