-- DOUBLE math: ROUND(1.005, 2) is 1.01 as Flink rounds the decimal text of the double
-- (BigDecimal.valueOf) HALF_UP; TRUNCATE of DECIMAL; LOG10, LOG2, LOG(base, x), EXP, SQRT
CREATE TABLE t (
    d DOUBLE,
    x DECIMAL(4, 3),
    n DOUBLE
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT ROUND(d, 2), ROUND(n), ROUND(-n), TRUNCATE(x, 2), TRUNCATE(-x, 1), LOG10(1000), LOG2(8),
       LOG(2, 8), EXP(0), SQRT(2), ABS(n), CEIL(n), FLOOR(n)
FROM t;
