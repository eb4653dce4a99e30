-- comparisons with NULL, IS [NOT] DISTINCT FROM, IS NULL, IN, NOT IN, BETWEEN
CREATE TABLE t (
    x INT,
    y INT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT x, y, x = y, x <> y, x IS DISTINCT FROM y, x IS NOT DISTINCT FROM y, y IS NULL,
       y IN (2, 3), y NOT IN (2, 3), y BETWEEN 1 AND 2
FROM t;
