-- LIKE patterns holding characters that are special in regular expressions match them
-- literally; only % and _ (and the ESCAPE character) are special
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT s, s LIKE 'a.c', s LIKE 'a+c', s LIKE '(%)', s LIKE '%!%' ESCAPE '!', s LIKE '[ab]%',
       s LIKE 'a_c'
FROM t;
