-- integer arithmetic: INT / INT truncates toward zero, % and MOD keep the dividend's sign,
-- BIGINT + DECIMAL is DECIMAL, NULL in gives NULL out
CREATE TABLE t (
    a INT,
    b INT,
    l BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT a + b, a - b, a * b, a / b, a % b, -a, l * 3, l / 4, a + l, l + 0.5 FROM t;
