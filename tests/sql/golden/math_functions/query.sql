-- MOD, %, ABS, ROUND (HALF_UP, DECIMAL keeps exact digits), POWER, SQRT, LN, SIGN,
-- FLOOR, CEIL
CREATE TABLE t (
    i INT,
    j INT,
    x DECIMAL(5, 3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT MOD(i, j), i % j, ABS(i), ABS(x), ROUND(x, 2), ROUND(x), POWER(j, 2), POWER(2, -1),
       SQRT(CAST(j * j AS DOUBLE)), LN(1), SIGN(i), FLOOR(x), CEIL(x)
FROM t;
