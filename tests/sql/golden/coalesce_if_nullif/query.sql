-- COALESCE, IF, NULLIF, IFNULL, GREATEST, LEAST (NULL when an argument is NULL)
CREATE TABLE t (
    a INT,
    b INT,
    c INT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT COALESCE(a, b, c), COALESCE(a, 0), IF(a IS NULL, 'none', 'some'), IF(b > 1, b, -b),
       NULLIF(c, 3), IFNULL(b, 99), GREATEST(b, c), LEAST(b, c)
FROM t;
