-- CONCAT and || are NULL when an argument is; CONCAT_WS skips NULL arguments
-- (and is NULL when the separator is)
CREATE TABLE t (
    s STRING,
    sep STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT CONCAT('<', s, '>'), CONCAT_WS('-', 'x', s, 'y'), CONCAT_WS(sep, 'a', 'b'), s || '!'
FROM t;
