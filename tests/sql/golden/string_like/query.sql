-- LIKE with % and _, NOT LIKE, ESCAPE; case-sensitive; NULL gives NULL
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT s, s LIKE 'a%', s LIKE '_b_', s NOT LIKE '%c', s LIKE 'a\_c' ESCAPE '\', s LIKE 'A%'
FROM t;
