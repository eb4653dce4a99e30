-- CASE, IF and NULLIF guard a division: the branch not taken is not evaluated (no
-- division by zero for v = 0)
CREATE TABLE t (
    v INT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT v, CASE WHEN v = 0 THEN -1 ELSE 10 / v END, IF(v <> 0, 10 / v, 0),
       COALESCE(10 / NULLIF(v, 0), 99)
FROM t;
