-- DECIMAL is exact and typed as Flink types it:
--   DECIMAL(10,2) * INT -> DECIMAL(20,2); + DECIMAL(2,1) -> scale 2; 0.908 * BIGINT -> DECIMAL(23,3)
--   DECIMAL(10,2) / INT -> DECIMAL(21,13); CAST to a smaller scale rounds HALF_UP
CREATE TABLE t (
    p DECIMAL(10, 2),
    v BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT p * 2, p + 0.1, p - 1, 0.908 * v, p / 4, CAST(p AS DECIMAL(5, 1)), p * p FROM t;
